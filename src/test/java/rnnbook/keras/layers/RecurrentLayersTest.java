package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import rnnbook.data.Npy;
import rnnbook.keras.initializers.Initializer;

/**
 * Each layer against (1) a numpy float64 implementation of the Keras formulas on random weights
 * (src/test/python/make_fixtures.py), (2) Keras's own published outputs, (3) finite differences.
 */
class RecurrentLayersTest {
  private static final int UNITS = 5;

  private static Layer fromFixture(String testCase, boolean returnSequences) throws IOException {
    Initializer kernel = Initializer.constant(LayerHarness.read(testCase, "kernel").data());
    Initializer recurrent = Initializer.constant(LayerHarness.read(testCase, "recurrent_kernel").data());
    Initializer bias = Initializer.constant(LayerHarness.read(testCase, "bias").data());
    RecurrentConfig c = RecurrentConfig.of(UNITS).withReturnSequences(returnSequences)
        .withInitializers(kernel, recurrent, bias).withUnitForgetBias(false);
    return switch (testCase) {
      case "simple_rnn" -> new SimpleRNN(c);
      case "lstm" -> new LSTM(c);
      case "gru" -> new GRU(c);
      case "gru_reset_before" -> new GRU(c.withResetAfter(false));
      default -> throw new IllegalArgumentException(testCase);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple_rnn", "lstm", "gru", "gru_reset_before"})
  void sequencesMatchNumpyReferenceInFloat64(String testCase) throws IOException {
    Npy.Array x = LayerHarness.read(testCase, "x");
    Npy.Array expected = LayerHarness.read(testCase, "y");
    double[] actual = LayerHarness.run(fromFixture(testCase, true), x.data(), x.shape(), TFloat64.class);
    assertClose(expected.data(), actual, 1e-12);
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple_rnn", "lstm", "gru", "gru_reset_before"})
  void lastOutputMatchesNumpyReferenceInFloat32(String testCase) throws IOException {
    Npy.Array x = LayerHarness.read(testCase, "x");
    double[] seq = LayerHarness.read(testCase, "y").data();
    int batch = (int) x.shape()[0];
    int steps = (int) x.shape()[1];
    double[] last = new double[batch * UNITS];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(seq, (b * steps + steps - 1) * UNITS, last, b * UNITS, UNITS);
    }
    double[] actual = LayerHarness.run(fromFixture(testCase, false), x.data(), x.shape(), TFloat32.class);
    assertClose(last, actual, 1e-5);
  }

  @Test
  void denseMatchesNumpyReference() throws IOException {
    Npy.Array x = LayerHarness.read("dense", "x");
    Dense dense = new Dense(Dense.Config.of(3).withInitializers(
        Initializer.constant(LayerHarness.read("dense", "kernel").data()),
        Initializer.constant(LayerHarness.read("dense", "bias").data())));
    double[] actual = LayerHarness.run(dense, x.data(), x.shape(), TFloat64.class);
    assertClose(LayerHarness.read("dense", "y").data(), actual, 1e-12);
    assertEquals(4 * 3 + 3, dense.countParams(new long[] {4}));
  }

  // Keras's documented outputs (kernel 0.01, recurrent kernel 0.02, bias 0.03), first unit per row.
  @Test
  void lstmMatchesKerasPublishedValues() {
    double[] out = published(u -> new LSTM(constants(u)), 3, new long[] {3, 6, 4});
    assertClose(new double[] {0.6288687, 0.86899155, 0.9460773}, firstUnit(out, 3), 1e-6);
  }

  @Test
  void gruMatchesKerasPublishedValues() {
    double[] out = published(u -> new GRU(constants(u)), 3, new long[] {3, 6, 4});
    assertClose(new double[] {0.5217289, 0.6371659, 0.39384964}, firstUnit(out, 3), 1e-6);
  }

  @Test
  void simpleRnnMatchesKerasPublishedValues() {
    double[] out = published(u -> new SimpleRNN(constants(u)), 4, new long[] {2, 3, 4});
    assertClose(new double[] {0.405432, 0.73605347}, firstUnit(out, 4), 1e-6);
  }

  private static RecurrentConfig constants(int units) {
    return RecurrentConfig.of(units).withInitializers(Initializer.constant(0.01),
        Initializer.constant(0.02), Initializer.constant(0.03));
  }

  private static double[] published(Function<Integer, Layer> factory, int units, long[] shape) {
    double[] x = new double[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    return LayerHarness.run(factory.apply(units), x, shape, TFloat32.class);
  }

  private static double[] firstUnit(double[] out, int units) {
    double[] first = new double[out.length / units];
    for (int i = 0; i < first.length; i++) {
      first[i] = out[i * units];
    }
    return first;
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple_rnn", "lstm", "gru", "gru_reset_before", "dense"})
  void gradientsMatchFiniteDifferences(String kind) throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    Layer layer = switch (kind) {
      case "simple_rnn" -> new SimpleRNN(4, true);
      case "lstm" -> new LSTM(4, true);
      case "gru" -> new GRU(4, true);
      case "gru_reset_before" -> new GRU(RecurrentConfig.of(4).withResetAfter(false).withReturnSequences(true));
      default -> new Dense(3, Activation.TANH);
    };
    // zero biases would hide bias mistakes in the forward pass, not in the gradient; fine here
    LayerHarness.assertGradientsMatchFiniteDifferences(layer, x, kind);
  }

  @Test
  void fusedLstmIsUsedForFloat32AndMatchesTheUnrolledGraph() throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    for (boolean sequences : new boolean[] {true, false}) {
      LSTM fused = (LSTM) fromFixture("lstm", sequences);
      LSTM unrolled = new LSTM(fused.config().withFused(false));
      assertTrue(fused.isFused(TFloat32.class) && !unrolled.isFused(TFloat32.class));
      assertTrue(!fused.isFused(TFloat64.class), "float64 has no fused kernel");
      assertClose(LayerHarness.run(unrolled, x.data(), x.shape(), TFloat32.class),
          LayerHarness.run(fused, x.data(), x.shape(), TFloat32.class), 1e-6);
    }
    // gradients: the fused kernel's registered gradient against the unrolled graph's, whose
    // gradient is checked against finite differences above
    List<double[][]> fused = LayerHarness.gradients(new LSTM(RecurrentConfig.of(4).withReturnSequences(true)),
        x.data(), x.shape(), 12, TFloat32.class);
    List<double[][]> unrolled = LayerHarness.gradients(
        new LSTM(RecurrentConfig.of(4).withReturnSequences(true).withFused(false)), x.data(), x.shape(), 12,
        TFloat32.class);
    for (int k = 0; k < fused.size(); k++) {
      for (int i = 0; i < fused.get(k).length; i++) {
        assertEquals(unrolled.get(k)[i][0], fused.get(k)[i][0], 1e-5, "weight " + k + " entry " + i);
      }
    }
  }

  @Test
  void recurrentLayerRejectsNon3dInput() {
    LSTM lstm = new LSTM(3);
    lstm.setName("lstm");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> lstm.outputShape(new long[] {10}));
    assertTrue(e.getMessage().contains("expected a 3D input"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RecurrentConfig.of(0));
  }

  static void assertClose(double[] expected, double[] actual, double tolerance) {
    assertEquals(expected.length, actual.length, "number of values");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance, "value " + i);
    }
  }
}
