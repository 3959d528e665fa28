package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.op.Ops;
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
 * The native GRU, LSTM and SimpleRNN kernels against the plain TensorFlow-ops graph of the same layer with the
 * same weights: outputs, TensorFlow's autodiff gradients, and training side by side. (The plain
 * graph is checked against numpy's Keras formulas and float64 finite differences elsewhere; the
 * layer tests against numpy run on the native kernels too, as they are the default.)
 */
class NativeKernelsTest {
  @BeforeEach // not BeforeAll: each test then reports itself skipped, with the reason
  void kernelsBuilt() {
    Assumptions.assumeTrue(NativeKernels.load(),
        "skipped: the build made no native kernels here: " + NativeKernels.status());
  }

  private static RecurrentConfig config(String kind) {
    RecurrentConfig c = RecurrentConfig.of(kind.contains("33") ? 33 : kind.contains("30") ? 30 : 5);
    if (kind.contains("before")) { // a random bias, so that the forward pass shows its use
      c = c.withInitializers(new GlorotUniform(), new Orthogonal(), new GlorotUniform());
    }
    if (kind.contains("no_bias")) {
      c = c.withUseBias(false);
    }
    return kind.contains("last") ? c : c.withReturnSequences(true);
  }

  private static Layer layer(String kind) {
    return layer(kind, config(kind));
  }

  private static final RecurrentBackend NATIVE = RecurrentBackend.NATIVE;
  private static final RecurrentBackend PLAIN = RecurrentBackend.UNROLLED;

  /** A layer of {@code kind} with {@code c}; a GRU with reset_after=False for kinds "gru_before...". */
  private static Layer layer(String kind, RecurrentConfig c) {
    return kind.startsWith("gru_before") ? new GRU(c.withResetAfter(false))
        : kind.startsWith("gru") ? new GRU(c) : kind.startsWith("lstm") ? new LSTM(c) : new SimpleRNN(c);
  }

  private static final String KINDS = "gru,gru_last,gru_no_bias,gru_33,lstm,lstm_last,lstm_no_bias,"
      + "lstm_33_last,simple_rnn,simple_rnn_last,simple_rnn_no_bias,simple_rnn_33";

  @ParameterizedTest
  @ValueSource(strings = {"gru", "gru_last", "gru_no_bias", "gru_33", "lstm", "lstm_last",
      "lstm_no_bias", "lstm_33_last", "simple_rnn", "simple_rnn_last", "simple_rnn_no_bias",
      "simple_rnn_33"})
  void gradientsMatchTensorFlowsAutodiff(String kind) throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    Layer nativeLayer = layer(kind);
    assertEquals(1, countNativeOps(layer(kind), NATIVE), kind + " runs on the native kernel");
    // the same weights (same seed, same dtype): the native ops' gradients against TensorFlow's
    // own autodiff of the plain graph, itself checked against finite differences in float64 by
    // BpttTest and the layer tests
    List<double[][]> ours = LayerHarness.gradients(nativeLayer, x.data(), x.shape(), 20, TFloat32.class, NATIVE);
    List<double[][]> reference = LayerHarness.gradients(layer(kind), x.data(), x.shape(), 20, TFloat32.class, PLAIN);
    assertEquals(reference.size(), ours.size());
    for (int k = 0; k < ours.size(); k++) {
      assertEquals(reference.get(k).length, ours.get(k).length);
      for (int i = 0; i < ours.get(k).length; i++) {
        double expected = reference.get(k)[i][0];
        assertEquals(expected, ours.get(k)[i][0], 2e-5 * Math.max(1, Math.abs(expected)),
            kind + " " + nativeLayer.weights().get(k).name() + " probe " + i);
      }
    }
  }

  /**
   * GRU with reset_after=False ({@code gru_before_<units>[_no_bias][_last]}, a random bias): on
   * its own native op, its outputs equal the plain graph's within 1e-6, and its gradients of
   * every weight and of the input, whole, equal TensorFlow's autodiff of the plain graph.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gru_before_30", "gru_before_30_last", "gru_before_30_no_bias",
      "gru_before_30_no_bias_last", "gru_before_33", "gru_before_33_last", "gru_before_33_no_bias",
      "gru_before_33_no_bias_last"})
  void resetBeforeMatchesThePlainGraphAndItsAutodiff(String kind) throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    assertEquals(1,
        LayerHarness.countOps(layer(kind), NativeKernels.GRU_RESET_BEFORE::equals, NATIVE));
    double[] outputs = LayerHarness.run(layer(kind), x.data(), x.shape(), TFloat32.class, NATIVE);
    double[] plain = LayerHarness.run(layer(kind), x.data(), x.shape(), TFloat32.class, PLAIN);
    assertArrayEquals(plain, outputs, 1e-6, kind + " outputs");
    List<double[]> reference =
        LayerHarness.allGradients(layer(kind), x.data(), x.shape(), TFloat32.class, PLAIN, false);
    List<double[]> ours =
        LayerHarness.allGradients(layer(kind), x.data(), x.shape(), TFloat32.class, NATIVE, false);
    LayerHarness.assertGradientsClose(reference, ours, 2e-5, kind);
  }

  @Test
  void forwardMatchesTheTensorFlowOpsGraph() throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    for (String kind : KINDS.split(",")) {
      double[] ours = LayerHarness.run(layer(kind), x.data(), x.shape(), TFloat32.class, NATIVE);
      double[] plain = LayerHarness.run(layer(kind), x.data(), x.shape(), TFloat32.class, PLAIN);
      assertEquals(plain.length, ours.length);
      for (int i = 0; i < plain.length; i++) {
        assertEquals(plain[i], ours[i], 1e-6, kind + " output " + i);
      }
    }
  }

  @Test
  void autoPicksTheNativeKernelsWhereTheyApplyAndSaysWhyNotElsewhere() throws IOException {
    assertEquals(1, countNativeOps(new GRU(5), RecurrentBackend.AUTO));
    assertEquals(1, countNativeOps(new LSTM(5), RecurrentBackend.AUTO));
    assertEquals(1, countNativeOps(new SimpleRNN(5), RecurrentBackend.AUTO));
    assertEquals(1, countNativeOps(new GRU(RecurrentConfig.of(5).withResetAfter(false)),
        RecurrentBackend.AUTO));
    for (RecurrentBackend other : List.of(RecurrentBackend.TENSORFLOW, RecurrentBackend.UNROLLED)) {
      assertEquals(0, countNativeOps(new GRU(5), other), other.key());
      assertEquals(0, countNativeOps(new LSTM(5), other), other.key());
    }
    SimpleRNN relu = new SimpleRNN(RecurrentConfig.of(5).withActivation(Activation.RELU));
    assertEquals(0, countNativeOps(relu, RecurrentBackend.NATIVE));
    assertEquals(RecurrentBackend.TENSORFLOW, relu.backend().used(), "next along the chain");
    assertTrue(relu.backend().reason().contains("found relu"), relu.backend().toString());
    LSTM reluLstm = new LSTM(RecurrentConfig.of(5).withActivation(Activation.RELU));
    assertEquals(0, countNativeOps(reluLstm, RecurrentBackend.NATIVE));
    assertEquals(RecurrentBackend.UNROLLED, reluLstm.backend().used(), reluLstm.backend().toString());
    GRU float64 = new GRU(5);
    Npy.Array x = LayerHarness.read("lstm", "x");
    LayerHarness.run(float64, x.data(), x.shape(), TFloat64.class, RecurrentBackend.NATIVE);
    assertEquals(RecurrentBackend.TENSORFLOW, float64.backend().used());
    assertTrue(float64.backend().reason().startsWith("native: the native kernels run float32 only"),
        float64.backend().toString());
  }

  private static int countNativeOps(Layer layer, RecurrentBackend backend) {
    return LayerHarness.countOps(layer, t -> t.startsWith("Rnnbook"), backend);
  }


  /**
   * The forward-only ops (validation, prediction) compute the training ops' h to the bit, for 33
   * units (a masked vector) and 37 rows (a row tail), with and without the second thread.
   */
  @ParameterizedTest
  @ValueSource(strings = {"lstm", "gru", "gru_before"})
  void inferenceOpsGiveTheTrainingOpsOutputsToTheBit(String kind) {
    int t = 7;
    int b = 37;
    int u = 33;
    int gates = kind.equals("lstm") ? 4 : 3;
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xp = random(tf, random, t, b, gates * u);
      Operand<TFloat32> rk = random(tf, random, u, gates * u);
      Operand<TFloat32> h0 = random(tf, random, b, u);
      Operand<TFloat32> bias = random(tf, random, gates * u);
      List<Operand<TFloat32>> inputs = kind.equals("lstm")
          ? List.of(xp, rk, h0, random(tf, random, b, u), bias)
          : kind.equals("gru") ? List.of(xp, rk, random(tf, random, gates * u), h0, bias)
          : List.of(xp, rk, h0, bias);
      String training = kind.equals("lstm") ? NativeKernels.LSTM
          : kind.equals("gru") ? NativeKernels.GRU : NativeKernels.GRU_RESET_BEFORE;
      String inference = kind.equals("lstm") ? NativeKernels.LSTM_INFERENCE
          : kind.equals("gru") ? NativeKernels.GRU_INFERENCE : NativeKernels.GRU_RESET_BEFORE_INFERENCE;
      List<Output<?>> outputs = new java.util.ArrayList<>();
      for (long threads : new long[] {1, 2}) {
        for (String type : List.of(training, inference)) {
          var builder = tf.scope().opBuilder(type, type + threads);
          inputs.forEach(in -> builder.addInput(in.asOutput()));
          builder.addInput(tf.constant(new float[0]).asOutput()); // k: input 0 is xp
          outputs.add(builder.setAttr("threads", threads).build().output(0));
        }
      }
      Session.Runner runner = s.runner();
      outputs.forEach(runner::fetch);
      try (var r = runner.run()) {
        float[] reference = values((TFloat32) r.get(0));
        assertEquals(t * b * u, reference.length);
        for (int i = 1; i < outputs.size(); i++) {
          assertArrayEquals(reference, values((TFloat32) r.get(i)), 0f,
              kind + " output " + i);
        }
      }
    }
  }

  /**
   * A forward op that projects x itself (up to 32 input features) gives the outputs of the same op on
   * TensorFlow's MatMul of x and the kernel, to the bit, and so do the gradients of x and the
   * kernel (its gradient function's products against TensorFlow's autodiff of the MatMul); on
   * shapes that leave partial blocks of rows and units.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gru 1 5", "gru 2 30", "gru 8 33", "gru 30 30", "gru 32 17",
      "lstm 1 5", "lstm 2 30", "lstm 8 33", "lstm 30 30", "lstm 31 33", "lstm 32 5",
      "simple_rnn 1 5", "simple_rnn 2 30", "simple_rnn 8 33", "simple_rnn 3 70", "simple_rnn 30 30",
      "simple_rnn 32 70", "gru_before 1 5", "gru_before 2 30", "gru_before 8 33", "gru_before 30 30",
      "gru_before 32 17"})
  void projectingOpsGiveMatMulsBits(String spec) {
    String[] parts = spec.split(" ");
    String kind = parts[0];
    long f = Long.parseLong(parts[1]);
    long u = Long.parseLong(parts[2]);
    long t = 9;
    long b = 13;
    int gates = kind.equals("lstm") ? 4 : kind.startsWith("gru") ? 3 : 1;
    String training = kind.equals("lstm") ? NativeKernels.LSTM : kind.equals("gru") ? NativeKernels.GRU
        : kind.equals("gru_before") ? NativeKernels.GRU_RESET_BEFORE : NativeKernels.SIMPLE_RNN;
    String inference = kind.equals("lstm") ? NativeKernels.LSTM_INFERENCE
        : kind.equals("gru") ? NativeKernels.GRU_INFERENCE
        : kind.equals("gru_before") ? NativeKernels.GRU_RESET_BEFORE_INFERENCE : null;
    java.util.SplittableRandom random = new java.util.SplittableRandom(f * 100 + u);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = random(tf, random, t, b, f);
      Operand<TFloat32> k = random(tf, random, f, gates * u);
      Operand<TFloat32> xp = tf.reshape(tf.linalg.matMul(tf.reshape(x, tf.constant(new long[] {-1, f})), k),
          tf.constant(new long[] {t, -1, gates * u}));
      Operand<TFloat32> rk = random(tf, random, u, gates * u);
      Operand<TFloat32> h0 = random(tf, random, b, u);
      Operand<TFloat32> bias = random(tf, random, gates * u);
      List<Operand<TFloat32>> rest = kind.equals("lstm") ? List.of(rk, h0, random(tf, random, b, u), bias)
          : kind.equals("gru") ? List.of(rk, random(tf, random, gates * u), h0, bias) : List.of(rk, h0, bias);
      Operand<TFloat32> weights = random(tf, random, t, b, u); // dL/dh, so that every h counts
      List<Output<?>> outputs = new java.util.ArrayList<>();
      for (String type : inference == null ? List.of(training) : List.of(training, inference)) {
        for (boolean projecting : new boolean[] {false, true}) {
          var builder = tf.scope().opBuilder(type, type + projecting);
          builder.addInput((projecting ? x : xp).asOutput());
          rest.forEach(in -> builder.addInput(in.asOutput()));
          builder.addInput((projecting ? k : tf.constant(new float[0])).asOutput());
          builder.setAttr("projection", projecting ? new long[] {f, gates * u} : new long[0]);
          GraphOperation op = (GraphOperation) builder.build();
          for (int i = 0; i < op.numOutputs(); i++) {
            outputs.add(op.output(i));
          }
          if (type.equals(training)) {
            Output<TFloat32> h = op.output(0);
            var grads = tf.gradients(tf.sum(tf.math.mul(h, weights), tf.constant(new int[] {0, 1, 2})),
                List.of(x, k));
            outputs.add(grads.dy(0));
            outputs.add(grads.dy(1));
          }
        }
      }
      Session.Runner runner = s.runner();
      outputs.forEach(runner::fetch);
      try (var r = runner.run()) {
        int perTraining = (outputs.size() - (inference == null ? 0 : 2)) / 2;
        List<List<float[]>> runs = new java.util.ArrayList<>();
        for (int run = 0, at = 0; run < (inference == null ? 2 : 4); run++) {
          int n = run < 2 ? perTraining : 1;
          List<float[]> got = new java.util.ArrayList<>();
          for (int i = 0; i < n; i++) {
            got.add(values((TFloat32) r.get(at++)));
          }
          runs.add(got);
        }
        for (int pair = 0; pair < runs.size(); pair += 2) {
          List<float[]> onMatMul = runs.get(pair);
          List<float[]> inOp = runs.get(pair + 1);
          for (int i = 0; i < onMatMul.size(); i++) {
            assertTrue(onMatMul.get(i).length > 0, spec + " output " + i);
            assertArrayEquals(onMatMul.get(i), inOp.get(i), 0f, spec + " run " + pair + " output " + i);
          }
        }
      }
    }
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
    return v;
  }

  private static Operand<TFloat32> random(Ops tf, java.util.SplittableRandom random, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextDouble(-1, 1);
    }
    return tf.constant(org.tensorflow.ndarray.Shape.of(shape),
        org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
  }

  @Test
  void badShapesFailWithAMessage() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xp = tf.zeros(tf.constant(new long[] {4, 2, 7}), TFloat32.class);
      Operand<TFloat32> rk = tf.zeros(tf.constant(new long[] {2, 6}), TFloat32.class);
      Operand<TFloat32> rb = tf.zeros(tf.constant(new long[] {6}), TFloat32.class);
      Operand<TFloat32> h0 = tf.zeros(tf.constant(new long[] {2, 2}), TFloat32.class);
      Operand<TFloat32> empty = tf.constant(new float[0]);
      GraphOperation op = gru(tf, "bad", xp, rk, rb, h0, empty);
      var e = assertThrows(TFInvalidArgumentException.class,
          () -> s.runner().fetch(op.output(0)).run().close());
      assertTrue(e.getMessage().contains("xp's last dimension must be 3 * units, received 7"),
          e.getMessage());
      Operand<TFloat32> wrongH0 = tf.zeros(tf.constant(new long[] {3, 2}), TFloat32.class);
      Operand<TFloat32> xp6 = tf.zeros(tf.constant(new long[] {4, 2, 6}), TFloat32.class);
      GraphOperation op2 = gru(tf, "bad2", xp6, rk, rb, wrongH0, empty);
      var e2 = assertThrows(RuntimeException.class, () -> s.runner().fetch(op2.output(0)).run().close());
      assertTrue(e2.getMessage().contains("h0 must have shape [2, 2], received [3, 2]"), e2.getMessage());
      // a projecting op whose x has 3 features and k 2 rows
      Operand<TFloat32> x3 = tf.zeros(tf.constant(new long[] {4, 2, 3}), TFloat32.class);
      GraphOperation op4 = gru(tf, "bad4", x3, rk, rb, h0, rk);
      var e4 = assertThrows(RuntimeException.class, () -> s.runner().fetch(op4.output(0)).run().close());
      assertTrue(e4.getMessage().contains("x must have shape [?, ?, 2], received [4, 2, 3]"), e4.getMessage());
      // the reset_after=False op with a (6) tensor for its recurrent kernel, then with a (2, 2) bias
      GraphOperation op3 = resetBefore(tf, "bad3", xp6, rb, h0, rb, empty);
      var e3 = assertThrows(RuntimeException.class,
          () -> s.runner().fetch(op3.output(0)).run().close());
      assertTrue(e3.getMessage().contains("recurrent_kernel must have shape [2, 6], received [6]"),
          e3.getMessage());
      GraphOperation op5 = resetBefore(tf, "bad5", xp6, rk, h0, h0, empty);
      var e5 = assertThrows(RuntimeException.class,
          () -> s.runner().fetch(op5.output(0)).run().close());
      assertTrue(e5.getMessage().contains("bias must have shape [6], received [2, 2]"), e5.getMessage());
    }
  }

  /** The GRU training op on xp (or x), its recurrent kernel, recurrent bias, h0, bias (rb again) and k. */
  private static GraphOperation gru(Ops tf, String name, Operand<TFloat32> xp, Operand<TFloat32> rk,
      Operand<TFloat32> rb, Operand<TFloat32> h0, Operand<TFloat32> k) {
    return (GraphOperation) tf.scope().opBuilder(NativeKernels.GRU, name).addInput(xp.asOutput())
        .addInput(rk.asOutput()).addInput(rb.asOutput()).addInput(h0.asOutput())
        .addInput(rb.asOutput()).addInput(k.asOutput()).build();
  }

  /** The GRU reset_after=False training op on xp (or x), its recurrent kernel, h0, bias and k. */
  private static GraphOperation resetBefore(Ops tf, String name, Operand<TFloat32> xp,
      Operand<TFloat32> rk, Operand<TFloat32> h0, Operand<TFloat32> bias, Operand<TFloat32> k) {
    return (GraphOperation) tf.scope().opBuilder(NativeKernels.GRU_RESET_BEFORE, name)
        .addInput(xp.asOutput()).addInput(rk.asOutput()).addInput(h0.asOutput())
        .addInput(bias.asOutput()).addInput(k.asOutput()).build();
  }

  /**
   * Stacked native layers hand each other time-major sequences: in a two-layer stack and its
   * gradients, the only transpose of a sequence that runs is the input's (a batch-major copy
   * transposed back, and the two transposes of its gradient, would add four; selecting the last
   * timestep with a gather two more in its gradient).
   */
  @ParameterizedTest
  @ValueSource(strings = {"gru", "gru_before", "lstm", "simple_rnn"})
  void stackedLayersPassTimeMajorSequences(String kind) {
    try (Graph g = new Graph()) {
      withGradients(Ops.create(g), kind, RecurrentConfig.of(6).withReturnSequences(true), RecurrentConfig.of(5));
      int transposes = 0;
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        // of sequences (the initializers' are of matrices), and read by some op: TensorFlow runs
        // no other (the batch-major copy of the first layer's output is left unread)
        boolean ofSequences = op.type().equals("Transpose") && op.output(0).shape().numDimensions() == 3;
        transposes += ofSequences && op.numConsumers() > 0 ? 1 : 0;
      }
      assertEquals(1, transposes, kind);
    }
  }

  @Test
  void lstmBackwardTakesTheEmptyFormForAnUnreadC() {
    // TensorFlow hands the gradient of the unread c as a ZerosLike of the whole sequence; the
    // backward ops get the empty form instead, so no sequence of zeros is written or read
    try (Graph g = new Graph()) {
      withGradients(Ops.create(g), "lstm", RecurrentConfig.of(6).withReturnSequences(true), RecurrentConfig.of(5));
      List<String> dcs = new java.util.ArrayList<>();
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals(NativeKernels.LSTM_GRAD)) {
          Output<?> dc = op.input(8);
          dcs.add(dc.op().type() + dc.shape());
        }
      }
      assertEquals(List.of("Const[0]", "Const[0]"), dcs);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gru", "gru_before", "lstm", "simple_rnn"})
  void zeroInitialStatesAreTheEmptyForm(String kind) {
    // no per-step Shape, Gather, Concat and Fill for the zeros: the ops take [0] for h0 (and c0),
    // and their gradient ops give [0] for those states' gradients
    try (Graph g = new Graph()) {
      withGradients(Ops.create(g), kind, RecurrentConfig.of(6).withReturnSequences(true), RecurrentConfig.of(5));
      List<String> states = new java.util.ArrayList<>();
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        int h0 = op.type().equals(NativeKernels.GRU) ? 3 : op.type().equals(NativeKernels.LSTM)
            || op.type().equals(NativeKernels.SIMPLE_RNN) || op.type().equals(NativeKernels.GRU_RESET_BEFORE)
            ? 2 : -1;
        if (h0 >= 0) {
          states.add(op.input(h0).op().type() + op.input(h0).shape());
        }
        if (op.type().endsWith("SequenceGrad")) {
          int dh0 = op.type().equals(NativeKernels.GRU_GRAD) ? 3 : 2;
          states.add("d" + op.output(dh0).shape());
        }
      }
      assertEquals(List.of("Const[0]", "Const[0]", "d[0]", "d[0]"), states.stream().sorted().toList(), kind);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gru", "gru_before", "lstm", "simple_rnn"})
  void aLayerReturningItsLastStateGetsNoPaddedGradient(String kind) {
    // its output is the op's h at the last timestep, whose gradient the backward op takes as it is:
    // no Pad to a whole sequence of zeros, and the empty form for the unread sequence h
    try (Graph g = new Graph()) {
      Operand<TFloat32> out = withGradients(Ops.create(g), kind, RecurrentConfig.of(5));
      assertEquals(List.of(3L, 5L), List.of(out.shape().size(0), out.shape().size(1)));
      List<String> pads = new java.util.ArrayList<>();
      List<String> dhs = new java.util.ArrayList<>();
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals("Pad") || op.type().equals("Slice")) {
          pads.add(op.type());
        }
        if (op.type().endsWith("SequenceGrad")) {
          int dh = op.type().equals(NativeKernels.GRU_GRAD) || op.type().equals(NativeKernels.GRU_RESET_BEFORE_GRAD)
              ? 5 : op.type().equals(NativeKernels.LSTM_GRAD) ? 7 : 3;
          dhs.add(op.input(dh).op().type() + op.input(dh).shape() + " " + op.input(op.numInputs() - 1).shape());
        }
      }
      assertEquals(List.of(), pads, kind);
      assertEquals(List.of("Const[0] [3, 5]"), dhs, kind);
    }
  }

  /**
   * Native layers of {@code kind} with {@code configs} ("gru_before": GRUs with reset_after=False),
   * one after another on a (3, 7, 2) input of zeros, and the gradients of their output's sum with
   * respect to their weights; returns the output.
   */
  private static Operand<TFloat32> withGradients(Ops tf, String kind, RecurrentConfig... configs) {
    BuildContext.Factory factory = new BuildContext.Factory(tf, TFloat32.class, 1L, NATIVE);
    Operand<TFloat32> out = tf.zeros(tf.constant(new long[] {3, 7, 2}), TFloat32.class);
    List<Operand<?>> weights = new java.util.ArrayList<>();
    long features = 2;
    for (int i = 0; i < configs.length; i++) {
      Layer layer = layer(kind, configs[i]);
      layer.setName("layer_" + i);
      layer.build(factory, new long[] {7, features});
      out = layer.call(tf, out);
      layer.weights().forEach(w -> weights.add(w.variable()));
      features = configs[i].units();
    }
    tf.gradients(tf.sum(out, tf.constant(new int[] {0, 1})), weights);
    return out;
  }

  /**
   * Two stacked layers and a Dense head trained for a few Adam steps on the native kernels and on
   * the plain TensorFlow graph agree, and the native runs repeat to the bit.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gru", "gru_before", "lstm", "simple_rnn"})
  void stackedTrainingMatchesThePlainGraphAndRepeats(String kind) {
    Supplier<Sequential> model = () -> {
      Sequential m = new Sequential(20, 2);
      RecurrentConfig first = RecurrentConfig.of(6).withReturnSequences(true);
      RecurrentConfig second = RecurrentConfig.of(5);
      m.add(layer(kind, first));
      m.add(layer(kind, second));
      m.add(new Dense(1));
      return m;
    };
    float[][] batch = SideBySide.randomBatch(16, 20, 5);
    float[] x = batch[0];
    float[] y = batch[1];
    CompileOptions options = CompileOptions.of(4);
    try (CompiledModel ours = model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, options);
        CompiledModel again = model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, options);
        CompiledModel plain = model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
            options.withBackend(PLAIN))) {
      assertEquals(List.of(NATIVE, NATIVE), ours.backends().stream().map(BackendChoice::used).toList());
      for (int step = 0; step < 5; step++) {
        double lo = ours.trainOnBatch(x, y, 16);
        double la = again.trainOnBatch(x, y, 16);
        double lp = plain.trainOnBatch(x, y, 16);
        assertEquals(lp, lo, 1e-6 * Math.max(1, lp), "loss at step " + step);
        assertEquals(lo, la, 0.0, "the same run twice, step " + step);
      }
      var b = ours.getWeights();
      var c = again.getWeights();
      SideBySide.assertWeightsClose(plain.getWeights(), b, 1e-5);
      SideBySide.assertWeightsClose(b, c, 0.0); // bit-identical reruns
      float[] po = ours.predict(x);
      float[] pp = plain.predict(x);
      assertArrayEquals(pp, po, 1e-5f);
    }
  }
}
