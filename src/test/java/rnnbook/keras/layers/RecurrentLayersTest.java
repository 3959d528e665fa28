package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import rnnbook.data.Npy;
import rnnbook.keras.initializers.Initializer;

/**
 * Each layer against (1) a numpy float64 implementation of the Keras formulas on random weights
 * (src/test/python/make_fixtures.py), (2) Keras's own published outputs, (3) finite differences;
 * float32 cases on every backend this machine has ({@link LayerHarness#backends()}).
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

  static Stream<Arguments> casesOnEveryBackend() {
    return Stream.of("simple_rnn", "lstm", "gru", "gru_reset_before").flatMap(
        c -> LayerHarness.backends().stream().map(b -> Arguments.of(c, b)));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("casesOnEveryBackend")
  void sequencesMatchNumpyReferenceInFloat32(String testCase, RecurrentBackend backend) throws IOException {
    Npy.Array x = LayerHarness.read(testCase, "x");
    Layer layer = fromFixture(testCase, true);
    double[] actual = LayerHarness.run(layer, x.data(), x.shape(), TFloat32.class, backend);
    assertRunsOn(backend, (RNN) layer);
    assertClose(LayerHarness.read(testCase, "y").data(), actual, 1e-5);
  }

  /** Every backend applies to these layers (float32, Keras's default activations). */
  static void assertRunsOn(RecurrentBackend backend, RNN layer) {
    BackendChoice choice = layer.backend();
    assertEquals(backend, choice.used(), choice.toString());
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("casesOnEveryBackend")
  void lastOutputMatchesNumpyReferenceInFloat32(String testCase, RecurrentBackend backend) throws IOException {
    Npy.Array x = LayerHarness.read(testCase, "x");
    double[] seq = LayerHarness.read(testCase, "y").data();
    int batch = (int) x.shape()[0];
    int steps = (int) x.shape()[1];
    double[] last = new double[batch * UNITS];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(seq, (b * steps + steps - 1) * UNITS, last, b * UNITS, UNITS);
    }
    Layer layer = fromFixture(testCase, false);
    double[] actual = LayerHarness.run(layer, x.data(), x.shape(), TFloat32.class, backend);
    assertRunsOn(backend, (RNN) layer);
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
  static List<RecurrentBackend> backends() {
    return LayerHarness.backends();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("backends")
  void lstmMatchesKerasPublishedValues(RecurrentBackend backend) {
    double[] out = published(u -> new LSTM(constants(u)), 3, new long[] {3, 6, 4}, backend);
    assertClose(new double[] {0.6288687, 0.86899155, 0.9460773}, firstUnit(out, 3), 1e-6);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("backends")
  void gruMatchesKerasPublishedValues(RecurrentBackend backend) {
    double[] out = published(u -> new GRU(constants(u)), 3, new long[] {3, 6, 4}, backend);
    assertClose(new double[] {0.5217289, 0.6371659, 0.39384964}, firstUnit(out, 3), 1e-6);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("backends")
  void simpleRnnMatchesKerasPublishedValues(RecurrentBackend backend) {
    double[] out = published(u -> new SimpleRNN(constants(u)), 4, new long[] {2, 3, 4}, backend);
    assertClose(new double[] {0.405432, 0.73605347}, firstUnit(out, 4), 1e-6);
  }

  private static RecurrentConfig constants(int units) {
    return RecurrentConfig.of(units).withInitializers(Initializer.constant(0.01),
        Initializer.constant(0.02), Initializer.constant(0.03));
  }

  private static double[] published(Function<Integer, Layer> factory, int units, long[] shape,
      RecurrentBackend backend) {
    double[] x = new double[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    Layer layer = factory.apply(units);
    double[] out = LayerHarness.run(layer, x, shape, TFloat32.class, backend);
    assertRunsOn(backend, (RNN) layer);
    return out;
  }

  private static double[] firstUnit(double[] out, int units) {
    double[] first = new double[out.length / units];
    for (int i = 0; i < first.length; i++) {
      first[i] = out[i * units];
    }
    return first;
  }

  /** Float64: the unrolled graph's autodiff; the written-out backward pass is checked in BpttTest. */
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
    LayerHarness.assertGradientsMatchFiniteDifferences(layer, x, kind, RecurrentBackend.UNROLLED);
  }

  /**
   * The tensorflow backend runs the LSTM as BlockLSTMV2 (float32 only) and trains it through the
   * BlockLSTMGradV2 gradient registered from Java: both against the unrolled graph, whose
   * gradient is checked against finite differences above.
   */
  @Test
  void tensorflowBackendRunsBlockLstmAndItsGradient() throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    RecurrentBackend tf = RecurrentBackend.TENSORFLOW;
    assertEquals(1, LayerHarness.countOps(new LSTM(4), t -> t.equals("BlockLSTMV2"), tf));
    LSTM float64 = new LSTM(4);
    LayerHarness.run(float64, x.data(), x.shape(), TFloat64.class, tf);
    assertEquals(RecurrentBackend.UNROLLED, float64.backend().used());
    assertTrue(float64.backend().reason().contains("float32 only"), float64.backend().toString());
    for (boolean sequences : new boolean[] {true, false}) {
      assertClose(LayerHarness.run(fromFixture("lstm", sequences), x.data(), x.shape(), TFloat32.class,
              RecurrentBackend.UNROLLED),
          LayerHarness.run(fromFixture("lstm", sequences), x.data(), x.shape(), TFloat32.class, tf), 1e-6);
    }
    List<double[][]> fused = LayerHarness.gradients(new LSTM(RecurrentConfig.of(4).withReturnSequences(true)),
        x.data(), x.shape(), 12, TFloat32.class, tf);
    List<double[][]> unrolled = LayerHarness.gradients(new LSTM(RecurrentConfig.of(4).withReturnSequences(true)),
        x.data(), x.shape(), 12, TFloat32.class, RecurrentBackend.UNROLLED);
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
