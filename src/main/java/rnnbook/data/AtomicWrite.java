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

  /** Lets {@code content} write a temporary sibling of {@code target}, then moves it over. */
  public static void file(Path target, Content content) throws IOException {
    Path abs = target.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = temporarySibling(abs);
    try {
      content.writeTo(tmp);
      move(tmp, abs);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A fresh hidden name beside {@code target}; created files keep the usual permissions. */
  public static Path temporarySibling(Path target) {
    return target.resolveSibling(
        "." + target.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
