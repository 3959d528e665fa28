package rnnbook.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import rnnbook.data.Npy;
import rnnbook.keras.CompiledModel;

/**
 * The .keras and .h5 files that real Keras 3.15.1 wrote (src/test/python/make_keras_fixtures.py):
 * each is read, rebuilt and run on the inputs Keras ran, and must give what {@code model.predict}
 * gave, within numpy's allclose(atol=1e-5, rtol=1e-5) (measured: at most 4.2e-7, SimpleRNN stack).
 */
class KerasFilesTest {
  static final Path ROOT = Path.of("src/test/resources/keras");
  static final double ATOL = 1e-5;
  static final double RTOL = 1e-5;

  static Stream<Arguments> files() {
    Stream<Arguments> keras3 = Stream.of("simple_rnn_stack", "lstm_dropout", "gru_reset_after", "gru_reset_before",
        "no_bias", "chapter_shape").flatMap(c -> Stream.of(Arguments.of(c, "model.keras"), Arguments.of(c, "model.h5")));
    return Stream.concat(keras3, Stream.of(Arguments.of("tf2_h5", "model.h5"), Arguments.of("tf213_keras", "model.keras")));
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("files")
  void eachFilePredictsWhatKerasPredicted(String testCase, String file) throws IOException {
    Path folder = ROOT.resolve(testCase);
    KerasModel km = KerasFiles.read(folder.resolve(file));
    Npy.Array x = Npy.read(folder.resolve("x.npy"));
    Npy.Array y = Npy.read(folder.resolve("y.npy"));
    KerasImport.Imported imported = KerasImport.build(km, null);
    for (KerasImport.LayerMatch m : imported.layers()) {
      assertEquals(m.kerasParams(), m.javaParams(), m.name());
    }
    float[] predicted;
    try (CompiledModel m = imported.compile()) {
      predicted = m.predict(x.floats());
    }
    assertEquals(y.data().length, predicted.length);
    double max = 0;
    for (int i = 0; i < predicted.length; i++) {
      double diff = Math.abs(predicted[i] - y.data()[i]);
      max = Math.max(max, diff);
      assertTrue(diff <= ATOL + RTOL * Math.abs(y.data()[i]),
          String.format(Locale.ROOT, "%s/%s value %d: java %s keras %s", testCase, file, i, predicted[i], y.data()[i]));
    }
    System.out.printf(Locale.ROOT, "%s/%s (%s): max abs diff %.2e%n", testCase, file, km.format(), max);
  }

  @Test
  void tf2H5NamesItsWeightsAsKeras2AndTheirOrderIsWeightNames() throws IOException {
    KerasModel km = KerasFiles.read(ROOT.resolve("tf2_h5/model.h5"));
    assertEquals("Keras 2.15.0 legacy .h5", km.format());
    assertEquals(List.of("lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm_cell/bias:0",
            "lstm_1/lstm_cell_1/kernel:0", "lstm_1/lstm_cell_1/recurrent_kernel:0", "lstm_1/lstm_cell_1/bias:0",
            "dense_1/kernel:0", "dense_1/bias:0"),
        km.weights().stream().map(KerasModel.Weight::name).toList());
    assertArrayEquals(new long[] {5, 2}, km.inputShape());
  }

  @Test
  void kerasArchivesMatchLayersToWeightGroupsByClassOrder() throws IOException {
    KerasModel k3 = KerasFiles.read(ROOT.resolve("lstm_dropout/model.keras"));
    assertEquals("Keras 3.15.1 .keras", k3.format());
    assertEquals(List.of("layers/lstm/cell/vars/0", "layers/lstm/cell/vars/1", "layers/lstm/cell/vars/2",
            "layers/lstm_1/cell/vars/0", "layers/lstm_1/cell/vars/1", "layers/lstm_1/cell/vars/2",
            "layers/dense/vars/0", "layers/dense/vars/1"),
        k3.weights().stream().map(KerasModel.Weight::name).toList());
    KerasModel old = KerasFiles.read(ROOT.resolve("tf213_keras/model.keras"));
    assertEquals("tf.keras 2.15.0 .keras", old.format());
    assertEquals("_layer_checkpoint_dependencies/lstm_2/cell/vars/0", old.weights().get(3).name());
    for (int i = 0; i < k3.weights().size(); i++) {
      assertArrayEquals(k3.weights().get(i).values(), old.weights().get(i).values());
    }
  }

  @Test
  void theFormatIsToldFromTheContentNotTheName() throws IOException {
    assertEquals(KerasFiles.Format.KERAS_ARCHIVE, KerasFiles.detect(ROOT.resolve("no_bias/model.keras")));
    assertEquals(KerasFiles.Format.LEGACY_H5, KerasFiles.detect(ROOT.resolve("no_bias/model.h5")));
    assertEquals(KerasFiles.Format.SAVED_MODEL, KerasFiles.detect(ROOT.resolve("export")));
  }
}
