package rnnbook.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of output paths before any work: the kind of path that is meant (a folder, a file), not
 * empty, and in a place that can be written. Each refusal is an {@link IllegalArgumentException}
 * that names the option, the path and what is wrong with it.
 */
public final class OutputPaths {
  private OutputPaths() {}

  /** A folder to write into: absent (it will be made) or a folder; not a file, not under one. */
  public static Path folder(String option, Path dir) {
    requireNonEmpty(option, dir);
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(option + ": " + dir + " is a file, not a folder");
      }
      requireWritable(option, dir);
    } else {
      requireCreatable(option, dir);
    }
    return dir;
  }

  /**
   * A file to write (or replace whole): absent or a regular file; not a folder, device or pipe,
   * and its folder can be made or written.
   */
  public static Path file(String option, Path file) {
    requireNonEmpty(option, file);
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + ": " + file + " is a folder; name the file to write in it");
    }
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + ": " + file
          + " is not a regular file (a device or pipe); rnnbook replaces its output files whole");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (Files.exists(parent)) {
      requireWritable(option, parent);
    } else {
      requireCreatable(option, parent);
    }
    return file;
  }

  private static void requireNonEmpty(String option, Path p) {
    if (p == null || p.toString().isBlank()) {
      throw new IllegalArgumentException(option + " is empty; name a path");
    }
  }

  private static void requireWritable(String option, Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + ": " + dir + " is a file, not a folder");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(option + ": cannot write in " + dir + " (permission denied or read-only)");
    }
  }

  /** The nearest existing ancestor of {@code dir} is a folder that can be written. */
  private static void requireCreatable(String option, Path dir) {
    Path p = dir.toAbsolutePath().getParent();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return;
    }
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException(option + ": cannot create " + dir + ": " + p + " is a file, not a folder");
    }
    if (!Files.isWritable(p)) {
      throw new IllegalArgumentException(option + ": cannot create " + dir + " in " + p
          + " (permission denied or read-only)");
    }
  }
}
