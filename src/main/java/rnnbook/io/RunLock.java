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
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import rnnbook.data.FileOperationException;

/**
 * A folder held by one run for its whole length: {@code .rnnbook.lock} in the folder, locked
 * through the operating system (released when the process ends, however it ends) and holding the
 * pid, start time and command of its holder, so that a second run can say who holds it. A lock
 * file left by a process that is no longer running is taken over, with a note.
 *
 * <p>The operating system's locks are per process, and closing any descriptor of the file drops
 * them: so the holder never opens its lock file again, and the folders held in this process are
 * refused from a table without touching the file.
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".rnnbook.lock";
  /** The lock files held (or being locked) in this process, by real path. */
  private static final Map<Path, Holder> HELD_HERE = new ConcurrentHashMap<>();

  private final Path file;
  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(Path file, Path key, FileChannel channel, FileLock lock) {
    this.file = file;
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** A holder in this process; equal only to itself. */
  private static final class Holder {
    final String content;

    Holder(String content) {
      this.content = content;
    }
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
    return acquire(folder, option, command, notes, false);
  }

  /**
   * As {@link #acquire}, but when another process holds the folder, says so in {@code notes} and
   * waits until it is released. A holder in this process is still refused.
   */
  public static RunLock await(Path folder, String option, String command, Consumer<String> notes)
      throws IOException {
    return acquire(folder, option, command, notes, true);
  }

  private static RunLock acquire(Path folder, String option, String command, Consumer<String> notes,
      boolean wait) throws IOException {
    Path file = folder.resolve(FILE);
    Path key;
    try {
      key = Files.createDirectories(folder).toRealPath().resolve(FILE);
    } catch (IOException e) {
      throw FileOperationException.of("create the folder", folder, e);
    }
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileOperationException("lock", folder, new IOException(
          file + " is not a lock file rnnbook wrote (a link, folder, device or pipe); remove it"));
    }
    Holder me = new Holder(content(command));
    Holder other = HELD_HERE.putIfAbsent(key, me);
    if (other != null) {
      throw held(option, folder, parse(other.content));
    }
    boolean kept = false;
    try {
      RunLock lock = lockFile(folder, file, key, option, me.content, notes, wait);
      kept = lock != null;
      if (kept) {
        return lock;
      }
    } finally {
      if (!kept) {
        HELD_HERE.remove(key, me);
      }
    }
    throw new HeldException(option + ": " + folder + " is being locked and unlocked by other runs; try again",
        "other runs");
  }

  /** Locks the file, or null after several tries that found it replaced by other runs. */
  private static RunLock lockFile(Path folder, Path file, Path key, String option, String mine,
      Consumer<String> notes, boolean wait) throws IOException {
    // a holder deletes its file as it ends: when the file locked is no longer the one at the path, again
    for (int misses = 0; misses < 5; ) {
      Object before = fileKey(file);
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw FileOperationException.of("create the lock file", file, e);
      }
      boolean kept = false;
      try {
        FileLock lock = tryLock(channel);
        Properties holder = read(channel);
        if (lock == null && wait) {
          notes.accept("note: waiting for " + describe(holder) + ", which holds " + folder);
          channel.lock().release();
          continue;
        }
        if (lock == null || isRunning(holder)) {
          throw held(option, folder, holder);
        }
        if (before == null || !before.equals(fileKey(file))) {
          misses++;
          continue;
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(mine.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        if (!holder.isEmpty()) {
          notes.accept("note: took over " + file + " from " + describe(holder) + ", which is no longer running");
        }
        kept = true;
        return new RunLock(file, key, channel, lock);
      } catch (IOException e) {
        throw e instanceof HeldException ? e : FileOperationException.of("lock", file, e);
      } finally {
        if (!kept) {
          channel.close();
        }
      }
    }
    return null;
  }

  /** Releases the folder and removes the lock file. */
  @Override
  public void close() throws IOException {
    try {
      Files.deleteIfExists(file);
    } finally {
      HELD_HERE.remove(key);
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    }
  }

  private static HeldException held(String option, Path folder, Properties holder) {
    return new HeldException(option + ": " + folder + " is in use by " + describe(holder)
        + "; wait for it to finish, or choose another " + option, describe(holder));
  }

  /** The lock, or null when another process holds it. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // this process, through a path HELD_HERE did not know as the same
    }
  }

  /** The identity of the file at {@code file} (device and inode), without opening it; null when absent. */
  private static Object fileKey(Path file) {
    try {
      return Objects.requireNonNullElse(
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey(), "");
    } catch (IOException e) {
      return null;
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
        return false; // left by a run in this process that did not release it: HELD_HERE knows the live ones
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
