package rnnbook.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hidden temporaries that files and folders are written into before they are renamed into
 * place: {@code .<name>.<pid>.<nanos>.tmp} beside their target. A run that is killed leaves them;
 * {@link #removeStale} removes those of processes that are no longer running.
 */
public final class Temporaries {
  private static final Pattern NAME = Pattern.compile("\\..+\\.([0-9]+)\\.[0-9]+\\.tmp");

  private Temporaries() {}

  /** A fresh hidden name beside {@code target}, naming this process. */
  public static Path siblingOf(Path target) {
    return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
        + System.nanoTime() + ".tmp");
  }

  /**
   * Removes the temporaries under {@code dir} (down to {@code depth} levels) whose process is no
   * longer running; those of running processes, this one included, are left alone.
   *
   * @return the removed paths
   */
  public static List<Path> removeStale(Path dir, int depth) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> stale;
    try (Stream<Path> paths = Files.walk(dir, depth)) {
      stale = paths.filter(Temporaries::isStale).toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of(); // a folder that cannot be listed holds nothing this run wrote
    }
    List<Path> removed = new ArrayList<>();
    for (Path p : stale) {
      try {
        deleteTree(p);
        removed.add(p);
      } catch (IOException e) {
        throw FileOperationException.of("remove the stale temporary", p, e);
      }
    }
    return removed;
  }

  /**
   * Removes the temporaries of {@code target} (its hidden siblings {@code .<name>.<pid>.<ns>.tmp})
   * whose process is no longer running: what a killed write of the same file left.
   */
  static void removeStaleSiblings(Path target) {
    String prefix = "." + target.getFileName() + ".";
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(prefix) && isStale(p)).toList()) {
        deleteTree(p);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // left for the next run's sweep (removeStale): the write itself does not depend on it
    }
  }

  static boolean isStale(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    if (!m.matches()) {
      return false;
    }
    try {
      return ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Deletes a file, or a folder and everything in it; nothing when it does not exist. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(p);
      return;
    }
    try (Stream<Path> paths = Files.walk(p)) {
      for (Path q : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
