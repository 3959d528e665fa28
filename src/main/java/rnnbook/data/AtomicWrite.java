package rnnbook.data;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

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
    all(Map.of(target, content));
  }

  /**
   * Writes the temporaries of all {@code targets} first, then moves them into place, so that a
   * failed write (a full disk) leaves every target as it was, not one new beside one old.
   */
  public static void all(Map<Path, Content> targets) throws IOException {
    Map<Path, Path> written = new LinkedHashMap<>();
    try {
      for (Map.Entry<Path, Content> t : targets.entrySet()) {
        Path abs = prepare(t.getKey());
        Path tmp = temporarySibling(abs);
        written.put(t.getKey(), tmp);
        try {
          t.getValue().writeTo(tmp);
        } catch (IOException e) {
          throw FileOperationException.of("write", t.getKey(), e);
        }
      }
      for (Map.Entry<Path, Path> w : written.entrySet()) {
        try {
          move(w.getValue(), w.getKey().toAbsolutePath());
        } catch (IOException e) {
          throw FileOperationException.of("write", w.getKey(), e);
        }
      }
    } finally {
      for (Path tmp : written.values()) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // the temporary stays; the next run removes it (Temporaries.removeStale)
        }
      }
    }
  }

  /** The absolute target, refused when it is not a file to replace, with its folder made. */
  private static Path prepare(Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    if (Files.exists(abs) && !Files.isRegularFile(abs)) {
      throw new FileOperationException("write", target, new IOException(
          (Files.isDirectory(abs) ? "it is a folder" : "it is not a regular file (a device or pipe)")
              + ", not a file rnnbook may replace"));
    }
    try {
      Files.createDirectories(abs.getParent());
    } catch (IOException e) {
      throw FileOperationException.of("create the folder", abs.getParent(), e);
    }
    Temporaries.removeStaleSiblings(abs);
    return abs;
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
