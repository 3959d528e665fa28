package rnnbook.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.CompiledModel;

/** Exports a model as a SavedModel directory that appears whole or not at all. */
public final class SavedModels {
  private SavedModels() {}

  /**
   * Exports into a hidden sibling of {@code dir}, then swaps it in; an older export at {@code dir}
   * is replaced.
   */
  public static void export(CompiledModel model, Path dir) throws IOException {
    Path target = dir.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = AtomicWrite.temporarySibling(target);
    Path old = AtomicWrite.temporarySibling(target);
    try {
      model.exportSavedModel(tmp);
      deleteTree(old);
      if (Files.exists(target)) {
        Files.move(target, old);
      }
      Files.move(tmp, target);
      deleteTree(old);
    } finally {
      deleteTree(tmp);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
