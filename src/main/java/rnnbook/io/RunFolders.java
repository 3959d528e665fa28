package rnnbook.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import rnnbook.data.Temporaries;

/**
 * The output folders of one run, each locked ({@link RunLock}) for the run's length; the
 * temporaries that killed runs left in them are removed once they are held.
 */
public final class RunFolders implements AutoCloseable {

  private final List<RunLock> locks;

  private RunFolders(List<RunLock> locks) {
    this.locks = locks;
  }

  /**
   * One folder, the option that named it, and how deep the temporaries of killed runs are looked
   * for in it.
   */
  public record Folder(String option, Path path, int depth) {
    /** A run's results folder: results/gates/model/sample_K/ is four levels down. */
    public Folder(String option, Path path) {
      this(option, path, 4);
    }
  }

  /**
   * Locks {@code folders} in order for {@code command}, creating them; on a refusal, those already
   * locked are released.
   *
   * @param notes receives a line for a stale lock taken over and for temporaries removed
   */
  public static RunFolders lock(String command, Consumer<String> notes, Folder... folders) throws IOException {
    List<RunLock> locks = new ArrayList<>();
    List<Path> made = new ArrayList<>();
    try {
      for (Folder f : folders) {
        if (!Files.exists(f.path())) {
          made.add(f.path());
        }
        locks.add(RunLock.acquire(f.path(), f.option(), command, notes));
      }
      for (Folder f : folders) {
        List<Path> removed = Temporaries.removeStale(f.path(), f.depth());
        if (!removed.isEmpty()) {
          List<String> names = removed.stream().map(p -> f.path().relativize(p).toString()).toList();
          notes.accept("note: removed " + removed.size() + " temporary " + (removed.size() == 1 ? "file" : "files")
              + " left in " + f.path() + " by runs that were killed: " + (names.size() <= 5 ? names
                  : names.subList(0, 5) + " and " + (names.size() - 5) + " more"));
        }
      }
      return new RunFolders(locks);
    } catch (IOException | RuntimeException e) {
      new RunFolders(locks).close();
      for (Path p : made) {
        try {
          Files.deleteIfExists(p); // a folder made for the lock alone goes again; one with files stays
        } catch (IOException notEmpty) {
          // it holds something now
        }
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (int i = locks.size() - 1; i >= 0; i--) {
      try {
        locks.get(i).close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    locks.clear();
    if (first != null) {
      throw first;
    }
  }
}
