package rnnbook.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Files read whole (CSV, JSON, text, protocol buffers): only regular files, and only up to a size,
 * so that a link to {@code /dev/zero}, a pipe or a huge file is refused in one line instead of
 * filling the heap or waiting forever.
 */
public final class InputFiles {
  /** The most a text file of a run (CSV, JSON, a summary) may hold: far above any this project writes. */
  public static final long MAX_TEXT_BYTES = 256L << 20;
  /** The most a protocol buffer (saved_model.pb, keras_metadata.pb) may hold: protobuf's own limit is 2 GiB. */
  public static final long MAX_PROTO_BYTES = 1L << 30;

  private InputFiles() {}

  /**
   * {@code file}, checked: a regular file (also through a link) of at most {@code maxBytes}.
   *
   * @throws IllegalArgumentException naming the file and what is wrong
   */
  public static Path requireRegular(Path file, long maxBytes) throws IOException {
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " is not a regular file (a folder, device or pipe)");
    }
    long size = Files.size(file);
    if (size > maxBytes) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%s holds %,d bytes, more than the %,d read",
          file, size, maxBytes));
    }
    return file;
  }

  public static byte[] readAllBytes(Path file, long maxBytes) throws IOException {
    return Files.readAllBytes(requireRegular(file, maxBytes));
  }

  /** A UTF-8 text file of at most {@link #MAX_TEXT_BYTES}. */
  public static String readString(Path file) throws IOException {
    return new String(readAllBytes(file, MAX_TEXT_BYTES), StandardCharsets.UTF_8);
  }
}
