package rnnbook.io;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import rnnbook.data.FileOperationException;

/**
 * A folder held by one run for its whole length: {@code .rnnbook.lock} in the folder, locked
 * through the operating system (released when the process ends, however it ends) and holding the
 * pid, start time and command of its holder, so that a second run can say who holds it. A lock
 * file left by a process that is no longer running is taken over, with a note.
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".rnnbook.lock";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Thrown when another run holds the folder; {@link #holder()} names it. */
  public static final class HeldException extends IOException {
    private final String holder;

    public HeldException(String message, String holder) {
      super(message);
      this.holder = holder;
    }

    /** The holder in words: {@code pid 1234 (chapter, started 2025-01-01T10:00:00Z)}. */
    public String holder() {
      return holder;
    }
  }

  /**
   * Creates {@code folder} if needed and locks it for {@code command}.
   *
   * @param option the option that named the folder, for the message ({@code --results})
   * @param notes receives a line when a stale lock is taken over
   * @throws HeldException naming the holder, when another run holds the folder
   * @throws FileOperationException when the folder or the lock file cannot be created
   */
  public static RunLock acquire(Path folder, String option, String command, Consumer<String> notes)
      throws IOException {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw FileOperationException.of("create the folder", folder, e);
    }
    Path file = folder.resolve(FILE);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileOperationException("lock", folder, new IOException(
          file + " is not a lock file rnnbook wrote (a link, folder, device or pipe); remove it"));
    }
    // a holder deletes the file as it ends: retry when the file locked was deleted meanwhile
    for (int attempt = 0; ; attempt++) {
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw FileOperationException.of("create the lock file", file, e);
      }
      boolean held = false;
      try {
        FileLock lock = tryLock(channel);
        Properties holder = read(channel);
        if (lock == null || isRunning(holder)) {
          throw new HeldException(option + ": " + folder + " is in use by " + describe(holder)
              + "; wait for it to finish, or choose another " + option, describe(holder));
        }
        String mine = content(command);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(mine.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        if (mine.equals(readQuietly(file))) {
          if (!holder.isEmpty()) {
            notes.accept("note: took over " + file + " from " + describe(holder) + ", which is no longer running");
          }
          held = true;
          return new RunLock(file, channel, lock);
        }
        if (attempt >= 5) {
          throw new HeldException(option + ": " + folder + " is being locked and unlocked by other runs; try again",
              "other runs");
        }
      } catch (HeldException e) {
        throw e;
      } catch (IOException e) {
        throw FileOperationException.of("lock", file, e);
      } finally {
        if (!held) {
          channel.close();
        }
      }
    }
  }

  /** Releases the folder and removes the lock file. */
  @Override
  public void close() throws IOException {
    try {
      Files.deleteIfExists(file);
    } finally {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this process
    }
  }

  private static String content(String command) {
    ProcessHandle me = ProcessHandle.current();
    return "pid=" + me.pid() + "\nstarted=" + startOf(me).map(Instant::toString).orElse("") + "\ncommand="
        + command + "\n";
  }

  private static Optional<Instant> startOf(ProcessHandle p) {
    return p.info().startInstant();
  }

  /**
   * Whether the process of {@code holder} still runs: its pid is alive with the same start time
   * (a new process may have the pid of a dead one). The operating system's lock decides first;
   * this catches file systems without locks.
   */
  static boolean isRunning(Properties holder) {
    try {
      long pid = Long.parseLong(holder.getProperty("pid", ""));
      if (pid == ProcessHandle.current().pid()) {
        return false; // left by an earlier run in this process, which did not release it
      }
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      String started = holder.getProperty("started", "");
      return p.isPresent() && p.get().isAlive()
          && (started.isEmpty() || startOf(p.get()).map(Instant::toString).orElse("").equals(started));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String describe(Properties holder) {
    String pid = holder.getProperty("pid");
    if (pid == null) {
      return "another run";
    }
    boolean mine = pid.equals(Long.toString(ProcessHandle.current().pid()));
    return "pid " + pid + (mine ? " (this process)" : "") + " (" + holder.getProperty("command", "?")
        + ", started " + holder.getProperty("started", "?") + ")";
  }

  private static Properties read(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    channel.read(buf, 0);
    return parse(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return null;
    }
  }

  private static Properties parse(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      p.clear(); // not a lock file this project wrote: treated as left by a dead process
    }
    return p;
  }
}
