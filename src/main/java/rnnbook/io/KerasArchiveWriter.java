package rnnbook.io;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;

/**
 * Writes a Keras 3 {@code .keras} archive that {@code keras.models.load_model} loads: {@code
 * config.json} ({@link KerasConfigWriter}), {@code metadata.json}, and {@code model.weights.h5}
 * with each layer's weights under {@code layers/<class in snake_case>[_k]/vars/<i>} ({@code
 * cell/vars} for a recurrent layer); layers without weights get no group, as Keras reads a
 * missing one as empty. The file appears whole or not at all.
 */
public final class KerasArchiveWriter {
  /** The Keras version whose layout this writes, and against which it was checked. */
  static final String KERAS_LAYOUT = "3.15.1";

  private KerasArchiveWriter() {}

  /** Writes a trained model with its current weights to {@code file}. */
  public static void write(CompiledModel compiled, Path file) throws IOException {
    write(compiled.model(), compiled.getWeights().stream()
        .map(w -> new KerasModel.Weight(w.name(), w.shape(), w.values())).toList(), file);
  }

  /** Writes {@code model} with {@code weights} (in {@code get_weights()} order) to {@code file}. */
  public static void write(Sequential model, List<KerasModel.Weight> weights, Path file) throws IOException {
    byte[] config = KerasConfigWriter.JSON.writeValueAsBytes(KerasConfigWriter.sequential(model, true));
    String metadata = "{\"keras_version\": \"" + KERAS_LAYOUT + "\", \"date_saved\": \""
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss"))
        + "\", \"saved_by\": \"rnnbook\"}";
    AtomicWrite.file(file, tmp -> {
      Path h5 = AtomicWrite.temporarySibling(tmp);
      try {
        writeWeights(model, weights, h5);
        try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
          put(zip, "metadata.json", metadata.getBytes(StandardCharsets.UTF_8));
          put(zip, "config.json", config);
          put(zip, "model.weights.h5", Files.readAllBytes(h5));
        }
      } finally {
        Files.deleteIfExists(h5);
      }
    });
  }

  private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content);
    zip.closeEntry();
  }

  static void writeWeights(Sequential model, List<KerasModel.Weight> weights, Path h5) {
    try (WritableHdfFile f = HdfFile.write(h5)) {
      WritableGroup layers = f.putGroup("layers");
      Map<String, Integer> counters = new HashMap<>();
      int next = 0;
      for (Layer layer : model.layers()) {
        String base = KerasArchiveReader.snakeCase(layer.className());
        int k = counters.merge(base, 1, Integer::sum) - 1;
        int count = KerasConfigWriter.weightCount(layer);
        if (count == 0) {
          continue; // jhdf 0.9.4 writes empty groups that h5py cannot open; Keras reads a missing one as empty
        }
        WritableGroup g = layers.putGroup(k == 0 ? base : base + "_" + k);
        WritableGroup vars = layer instanceof RNN ? g.putGroup("cell").putGroup("vars") : g.putGroup("vars");
        vars.putAttribute("name", layer instanceof RNN ? base + "_cell" : layer.name());
        for (int i = 0; i < count; i++) {
          Hdf5Writing.dataset(vars, Integer.toString(i), weights.get(next++));
        }
      }
      if (next != weights.size()) {
        throw new IllegalArgumentException("the model's layers take " + next + " weights, received " + weights.size());
      }
    }
  }
}
