package rnnbook.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file next to its target and renames it into place, so that a reader (or an
 * interrupted run) never sees a half-written file.
 */
public final class AtomicWrite {
  private AtomicWrite() {}

  /** Something that writes a file's whole content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path tmp) throws IOException;
  }

  public static void bytes(Path target, byte[] content) throws IOException {
    file(target, tmp -> Files.write(tmp, content));
  }

  /** Writes text through {@code body} into a UTF-8 writer. */
  public static void text(Path target, TextBody body) throws IOException {
    file(target, tmp -> {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.write(w);
      }
    });
  }

  /** Text content written to a {@link Writer}. */
  @FunctionalInterface
  public interface TextBody {
    void write(Writer w) throws IOException;
  }

  /**
   * Lets {@code content} write a temporary sibling of {@code target}, then moves it over. A failure
   * is a {@link FileOperationException} naming {@code target}; the temporary is removed.
   */
  public static void file(Path target, Content content) throws IOException {
    Path abs = target.toAbsolutePath();
    if (Files.exists(abs) && !Files.isRegularFile(abs)) {
      throw new FileOperationException("write", target, new IOException(
          (Files.isDirectory(abs) ? "it is a folder" : "it is not a regular file (a device or pipe)")
              + ", not a file rnnbook may replace"));
    }
    try {
      Files.createDirectories(abs.getParent());
    } catch (IOException e) {
      throw FileOperationException.of("create the folder", target.toAbsolutePath().getParent(), e);
    }
    Path tmp = temporarySibling(abs);
    try {
      content.writeTo(tmp);
      move(tmp, abs);
    } catch (IOException e) {
      throw FileOperationException.of("write", target, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // the temporary stays; the next run removes it (Temporaries.removeStale)
      }
    }
  }

  /** A fresh hidden name beside {@code target}; created files keep the usual permissions. */
  public static Path temporarySibling(Path target) {
    return Temporaries.siblingOf(target);
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
