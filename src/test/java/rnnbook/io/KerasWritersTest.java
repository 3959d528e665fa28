package rnnbook.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rnnbook.data.Npy;
import rnnbook.keras.CompiledModel;

/**
 * The writers, read back: each Keras fixture written as .keras and as .h5 keeps its layers,
 * configs and weights bit for bit, and predicts what Keras predicted. (That Keras 3.15.1's
 * load_model reads these files and predicts the same is checked by
 * src/test/python/check_written_files.py, which needs Python.)
 */
class KerasWritersTest {
  @ParameterizedTest
  @ValueSource(strings = {"simple_rnn_stack/model.keras", "lstm_dropout/model.h5", "gru_reset_before/model.keras",
      "no_bias/model.h5", "tf2_h5/model.h5"})
  void writtenFilesReadBackTheSame(String fixture, @TempDir Path dir) throws IOException {
    Path source = KerasFilesTest.ROOT.resolve(fixture);
    KerasModel original = KerasFiles.read(source);
    KerasImport.Imported imported = KerasImport.build(original, null);
    Path archive = dir.resolve("m.keras");
    Path h5 = dir.resolve("m.h5");
    KerasArchiveWriter.write(imported.model(), imported.weights(), archive);
    LegacyH5Writer.write(imported.model(), imported.weights(), h5);
    Path folder = source.getParent();
    for (Path written : List.of(archive, h5)) {
      KerasModel back = KerasFiles.read(written);
      assertEquals(original.layers().stream().map(KerasModel.Layer::className).toList(),
          back.layers().stream().map(KerasModel.Layer::className).toList());
      assertEquals(original.layers().stream().map(KerasModel.Layer::name).toList(),
          back.layers().stream().map(KerasModel.Layer::name).toList());
      assertEquals(original.weights().size(), back.weights().size());
      for (int i = 0; i < original.weights().size(); i++) {
        assertArrayEquals(original.weights().get(i).shape(), back.weights().get(i).shape());
        assertArrayEquals(original.weights().get(i).values(), back.weights().get(i).values(), written + " weight " + i);
      }
      KerasImport.Imported rebuilt = KerasImport.build(back, null);
      try (CompiledModel m = rebuilt.compile()) {
        float[] predicted = m.predict(Npy.read(folder.resolve("x.npy")).floats());
        double[] y = Npy.read(folder.resolve("y.npy")).data();
        for (int i = 0; i < y.length; i++) {
          assertEquals(y[i], predicted[i], 1e-5 + 1e-5 * Math.abs(y[i]), written + " value " + i);
        }
      }
    }
  }
}
