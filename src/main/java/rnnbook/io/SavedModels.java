package rnnbook.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.CompiledModel;

/** Exports a model as a SavedModel directory that appears whole or not at all, and reads its weights back. */
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
      writeKerasConfig(model, tmp);
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

  /**
   * The model's Keras config, for readers of the SavedModel (such as {@code rnnbook convert}):
   * TensorFlow ignores {@code assets.extra}, and the graph this project exports has no Keras
   * metadata of its own.
   */
  private static void writeKerasConfig(CompiledModel model, Path dir) throws IOException {
    Path file = dir.resolve(KERAS_CONFIG);
    Files.createDirectories(file.getParent());
    Files.write(file, KerasConfigWriter.JSON.writeValueAsBytes(KerasConfigWriter.sequential(model.model(), false)));
  }

  /** Where an exported SavedModel keeps its Keras config. */
  static final String KERAS_CONFIG = "assets.extra/keras_config.json";

  /**
   * The values of the variables {@code names} of the SavedModel in {@code dir}, in that order, for
   * {@link CompiledModel#setWeights}; a model built as the exported one names them by {@link
   * CompiledModel#variableNames()}.
   *
   * @throws IllegalArgumentException when {@code dir} holds no SavedModel or lacks one of the
   *     variables
   */
  public static List<float[]> readWeights(Path dir, List<String> names) {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(dir + " holds no SavedModel (no saved_model.pb)");
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
      Session.Runner runner = bundle.session().runner();
      for (String name : names) {
        if (bundle.graph().operation(name) == null) {
          throw new IllegalArgumentException(dir + " has no variable " + name
              + ": not a SavedModel of this model, or one written by other code; run the chapter again to export it");
        }
        runner.fetch(name);
      }
      List<float[]> out = new ArrayList<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < names.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] values = new float[(int) t.shape().size()];
          t.copyTo(DataBuffers.of(values, false, false));
          out.add(values);
        }
      }
      return out;
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
