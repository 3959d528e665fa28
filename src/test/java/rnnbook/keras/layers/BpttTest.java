package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import rnnbook.data.Npy;
import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.initializers.GlorotUniform;
import rnnbook.keras.initializers.Orthogonal;

/**
 * The written-out backward pass ({@link Bptt}: the tensorflow backend of SimpleRNN and GRU)
 * against TensorFlow's own gradients of the plain unrolled graph (the unrolled backend) and finite
 * differences; its forward ops are the plain graph's, so outputs are equal to the bit.
 */
class BpttTest {
  private static final RecurrentBackend WRITTEN = RecurrentBackend.TENSORFLOW;
  private static final RecurrentBackend PLAIN = RecurrentBackend.UNROLLED;

  private static RecurrentConfig config(String kind) {
    RecurrentConfig c = RecurrentConfig.of(4);
    return switch (kind) {
      case "simple_rnn_relu" -> c.withActivation(Activation.RELU).withReturnSequences(true);
      case "simple_rnn_sigmoid_last" -> c.withActivation(Activation.SIGMOID);
      case "simple_rnn_linear_no_bias" -> c.withActivation(Activation.LINEAR).withUseBias(false)
          .withReturnSequences(true);
      case "gru_relu_last" -> c.withActivation(Activation.RELU);
      case "gru_no_bias" -> c.withUseBias(false).withReturnSequences(true);
      case "gru_before_relu_last" -> c.withResetAfter(false).withActivation(Activation.RELU);
      default -> kind.startsWith("gru_before_") ? resetBefore(kind)
          : kind.endsWith("_last") ? c : c.withReturnSequences(true);
    };
  }

  /** {@code gru_before_<units>[_no_bias][_last]}: reset_after=False, a random bias. */
  private static RecurrentConfig resetBefore(String kind) {
    RecurrentConfig c = RecurrentConfig.of(Integer.parseInt(kind.split("_")[2]))
        .withResetAfter(false)
        .withInitializers(new GlorotUniform(), new Orthogonal(), new GlorotUniform())
        .withReturnSequences(!kind.endsWith("_last"));
    return kind.contains("no_bias") ? c.withUseBias(false) : c;
  }

  private static Layer layer(String kind) {
    RecurrentConfig c = config(kind);
    return kind.startsWith("gru") ? new GRU(c) : new SimpleRNN(c);
  }

  private static final String[] KINDS = {"simple_rnn", "simple_rnn_last", "simple_rnn_relu",
      "simple_rnn_sigmoid_last", "simple_rnn_linear_no_bias", "gru", "gru_last", "gru_relu_last",
      "gru_no_bias", "gru_before_relu_last", "gru_before_30", "gru_before_30_last",
      "gru_before_30_no_bias", "gru_before_30_no_bias_last", "gru_before_33", "gru_before_33_last",
      "gru_before_33_no_bias", "gru_before_33_no_bias_last"};

  static String[] kinds() {
    return KINDS.clone();
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void gradientsMatchFiniteDifferencesInFloat64(String kind) throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    LayerHarness.assertGradientsMatchFiniteDifferences(layer(kind), x, kind + " (written-out)", WRITTEN);
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void gradientsMatchTensorFlowsOwnInFloat32(String kind) throws IOException {
    // every entry of every weight's gradient and of the input's
    Npy.Array x = LayerHarness.read("lstm", "x");
    List<double[]> written =
        LayerHarness.allGradients(layer(kind), x.data(), x.shape(), TFloat32.class, WRITTEN, false);
    List<double[]> plain =
        LayerHarness.allGradients(layer(kind), x.data(), x.shape(), TFloat32.class, PLAIN, false);
    LayerHarness.assertGradientsClose(plain, written, 2e-5, kind);
  }

  /** The input's gradient (the weights' are probed above) against finite differences in float64. */
  @ParameterizedTest
  @MethodSource("kinds")
  void inputGradientsMatchFiniteDifferencesInFloat64(String kind) throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    List<double[]> exact =
        LayerHarness.allGradients(layer(kind), x.data(), x.shape(), TFloat64.class, WRITTEN, true);
    double[] numeric = exact.get(exact.size() - 1);
    double[] dx = exact.get(exact.size() - 2);
    for (int i = 0; i < dx.length; i++) {
      assertEquals(numeric[i], dx[i], 1e-6 * Math.max(1, Math.abs(numeric[i])), kind + " dx " + i);
    }
  }

  @Test
  void tensorflowBackendUsesTheWrittenOutBackwardAndTheUnrolledOneDoesNot() {
    assertTrue(Bptt.available(), "IdentityN's gradient could not be registered");
    assertEquals(1, countBpttOps(layer("gru"), WRITTEN));
    assertEquals(1, countBpttOps(layer("simple_rnn"), WRITTEN));
    assertEquals(0, countBpttOps(layer("gru"), PLAIN));
    assertEquals(1, countBpttOps(new GRU(RecurrentConfig.of(4).withResetAfter(false)), WRITTEN));
    assertEquals(0, countBpttOps(new GRU(RecurrentConfig.of(4).withResetAfter(false)
        .withRecurrentActivation(Activation.SOFTMAX)), WRITTEN));
    assertEquals(0, countBpttOps(new LSTM(4), WRITTEN));
  }

  private static int countBpttOps(Layer layer, RecurrentBackend backend) {
    return LayerHarness.countOps(layer, IdentityN.OP_NAME::equals, backend);
  }


  @Test
  void otherIdentityNOpsPassGradientsStraightThrough() {
    assertTrue(Bptt.available());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.constant(new float[] {1f, 2f});
      Operand<TFloat32> b = tf.constant(new float[] {3f});
      IdentityN id = tf.identityN(List.of(tf.math.mul(a, tf.constant(5f)), b));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> y0 = (Operand<TFloat32>) id.output().get(0);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> y1 = (Operand<TFloat32>) id.output().get(1);
      Operand<TFloat32> loss = tf.math.add(tf.reduceSum(tf.math.mul(y0, tf.constant(3f)), tf.constant(0)),
          tf.reduceSum(y1, tf.constant(0)));
      var grads = tf.gradients(loss, List.of(a, b));
      try (Session s = new Session(g); Result r = s.runner().fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
        TFloat32 da = (TFloat32) r.get(0);
        TFloat32 db = (TFloat32) r.get(1);
        assertEquals(15f, da.getFloat(0));
        assertEquals(15f, da.getFloat(1));
        assertEquals(1f, db.getFloat(0));
      }
      // an unused output gets no gradient from TensorFlow: its input's is then zero
      var onlyFirst = tf.gradients(tf.reduceSum(y0, tf.constant(0)), List.of(a, b));
      try (Session s = new Session(g);
          Result r = s.runner().fetch(onlyFirst.dy(0)).fetch(onlyFirst.dy(1)).run()) {
        assertEquals(5f, ((TFloat32) r.get(0)).getFloat(1));
        assertEquals(0f, ((TFloat32) r.get(1)).getFloat(0));
      }
    }
  }

  /**
   * Two stacked layers and a Dense head trained for a few steps: the written-out path (which
   * also carries the gradient from the second layer into the first through its input) ends at
   * the plain path's weights.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gru", "gru_reset_before", "simple_rnn"})
  void stackedTrainingMatchesThePlainGraph(String kind) {
    boolean resetAfter = !kind.contains("before");
    Supplier<Sequential> model = () -> {
      Sequential m = new Sequential(20, 2);
      RecurrentConfig first = RecurrentConfig.of(6).withReturnSequences(true).withResetAfter(resetAfter);
      RecurrentConfig second = RecurrentConfig.of(5).withResetAfter(resetAfter);
      m.add(kind.startsWith("gru") ? new GRU(first) : new SimpleRNN(first));
      m.add(kind.startsWith("gru") ? new GRU(second) : new SimpleRNN(second));
      m.add(new Dense(1));
      return m;
    };
    float[][] batch = SideBySide.randomBatch(16, 20, 5);
    float[] x = batch[0];
    float[] y = batch[1];
    try (CompiledModel written = model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
            CompileOptions.of(4).withBackend(WRITTEN));
        CompiledModel plain = model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
            CompileOptions.of(4).withBackend(PLAIN))) {
      assertEquals(List.of(WRITTEN, WRITTEN), written.backends().stream().map(BackendChoice::used).toList());
      for (int step = 0; step < 5; step++) {
        double lw = written.trainOnBatch(x, y, 16);
        double lp = plain.trainOnBatch(x, y, 16);
        assertEquals(lp, lw, 1e-6 * Math.max(1, lp), "loss at step " + step);
      }
      var b = written.getWeights();
      SideBySide.assertWeightsClose(plain.getWeights(), b, 1e-5);
      assertTrue(maxChange(model.get(), b) > 1e-3, "training changed the weights");
    }
  }

  private static double maxChange(Sequential fresh, List<CompiledModel.WeightValue> trained) {
    try (CompiledModel m = fresh.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 4)) {
      var initial = m.getWeights();
      double max = 0;
      for (int k = 0; k < initial.size(); k++) {
        for (int i = 0; i < initial.get(k).values().length; i++) {
          max = Math.max(max, Math.abs(initial.get(k).values()[i] - trained.get(k).values()[i]));
        }
      }
      return max;
    }
  }

  @Test
  void forwardOutputsEqualThePlainGraphToTheBit() throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    for (String kind : KINDS) {
      double[] written = LayerHarness.run(layer(kind), x.data(), x.shape(), TFloat32.class, WRITTEN);
      double[] plain = LayerHarness.run(layer(kind), x.data(), x.shape(), TFloat32.class, PLAIN);
      for (int i = 0; i < plain.length; i++) {
        assertEquals(plain[i], written[i], 0.0, kind + " output " + i);
      }
    }
  }
}
