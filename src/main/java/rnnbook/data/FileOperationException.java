package rnnbook.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * An I/O failure that names the path and the operation, as one line: {@code cannot write
 * results/lstm/history.csv: No space left on device}. Java's own exceptions often name neither
 * (a full disk says only "No space left on device"; a denied access only the path).
 */
public class FileOperationException extends IOException {
  private final Path path;

  /**
   * @param operation what was being done, as a verb phrase: {@code write}, {@code create the folder}
   * @param path the file or folder it was done to
   */
  public FileOperationException(String operation, Path path, IOException cause) {
    super("cannot " + operation + " " + path + ": " + reason(cause), cause);
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** {@code e} unchanged when it already names its path and operation, else wrapped. */
  public static IOException of(String operation, Path path, IOException e) {
    return e instanceof FileOperationException ? e : new FileOperationException(operation, path, e);
  }

  /**
   * {@code e} as one line that names the path: its message when it is one of these, else the
   * path and the reason of a file system failure, else its message.
   */
  public static String describe(IOException e) {
    if (e instanceof FileSystemException f && !(e instanceof FileOperationException) && f.getFile() != null) {
      return "cannot access " + f.getFile() + ": " + reason(e).replace(" (" + f.getFile() + ")", "");
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** The first part of {@code path} that is there but not a folder, or {@code path} itself. */
  private static Path fileOnTheWay(Path path) {
    Path abs = path.toAbsolutePath();
    for (int i = 1; i <= abs.getNameCount(); i++) {
      Path p = abs.getRoot().resolve(abs.subpath(0, i));
      if (java.nio.file.Files.exists(p) && !java.nio.file.Files.isDirectory(p)) {
        return path.isAbsolute() ? p : Path.of("").toAbsolutePath().relativize(p);
      }
    }
    return path;
  }

  /** Why {@code e} happened, in words, naming the file it concerns when that is another one. */
  static String reason(IOException e) {
    String file = e instanceof FileSystemException f ? f.getFile() : null;
    String other = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : null;
    if (e instanceof AccessDeniedException) {
      return "permission denied" + (file != null ? " (" + file + ")" : "");
    } else if (e instanceof NoSuchFileException) {
      return "no such file or folder" + (file != null ? " (" + file + ")" : "");
    } else if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException
        || "Not a directory".equals(other)) {
      return (file != null ? fileOnTheWay(Path.of(file)) : "a part of the path") + " is a file, not a folder";
    } else if (other != null) {
      return other + (file != null ? " (" + file + ")" : "");
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
