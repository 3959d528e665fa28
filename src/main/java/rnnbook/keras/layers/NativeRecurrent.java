package rnnbook.keras.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * GRU, LSTM and SimpleRNN layers on {@link NativeKernels}' ops: the input projection of all timesteps as one
 * MatMul, the time loop (which adds the input bias) as one op, its gradient as one op; for inputs of
 * at most {@link #MAX_PROJECTED_FEATURES} features the forward op projects each row itself, with
 * the MatMul's bits. The gradients are registered from Java by op type; they need nothing but the
 * forward op's inputs, outputs and attributes.
 *
 * <p>The ops work time-major (timesteps, batch, features). A layer that returns sequences hands
 * the next native layer its time-major output directly, not a batch-major copy transposed back.
 */
final class NativeRecurrent {
  private static final String THREADS = "threads";
  private static final String PROJECTION = "projection";
  /**
   * Layers with at most this many input features have their input projection computed inside the
   * forward op, with MatMul's bits (NativeKernelsTest checks it for up to 32): TensorFlow's MatMul
   * is slow on thin products (the chapter's first layers, 2 features: 50 microseconds of a 2 ms
   * LSTM step for 0.8 M multiply-adds), and xp is then neither written nor read. The chapter's
   * second layers (30 features) gain too: the MatMul, its pass over memory and its dispatch go,
   * while the products move into the time loop (LSTM step 2.13-2.20 ms against 2.22-2.44, five
   * alternating pairs; PERFORMANCE.md). Wider inputs keep the MatMul: the bits were checked up to
   * 32 features, and wider projections inside the loop were not measured.
   */
  static final long MAX_PROJECTED_FEATURES = 32;
  /** The index of the training ops' output "last", h at the last timestep. */
  private static final int GRU_LAST = 3;
  private static final int GRU_RESET_BEFORE_LAST = 3;
  private static final int LSTM_LAST = 4;
  private static final int SIMPLE_RNN_LAST = 1;
  private static final int NO_LAST = -1;

  private NativeRecurrent() {}

  /**
   * A layer's units, whether it returns sequences, and the threads its kernels may use (the ops'
   * {@code threads} attribute: 2 lets a kernel on 128 rows or more run the batch's halves on two
   * cores when no other native kernel of the process is running; the same results either way),
   * and whether the output is for inference only: then the GRU's and the LSTM's forward ops keep
   * nothing for a backward pass (the same outputs, no gradient).
   */
  record Spec(long units, boolean sequences, int threads, boolean inference) {}

  static void registerGradients() {
    // false only when registered already (by an earlier class loader): the same stateless code
    TensorFlow.registerCustomGradient(NativeKernels.GRU, NativeRecurrent::gruGradient);
    TensorFlow.registerCustomGradient(NativeKernels.GRU_RESET_BEFORE,
        NativeRecurrent::gruResetBeforeGradient);
    TensorFlow.registerCustomGradient(NativeKernels.LSTM, NativeRecurrent::lstmGradient);
    TensorFlow.registerCustomGradient(NativeKernels.SIMPLE_RNN, NativeRecurrent::simpleRnnGradient);
  }

  /**
   * A SimpleRNN layer with tanh over {@code x} (batch, timesteps, features); {@code bias} (u) or
   * null. Returns (batch, timesteps, u) with {@code sequences}, else (batch, u); so do the others.
   */
  static Operand<TFloat32> simpleRnn(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, Spec spec) {
    Input in = input(s, x, kernel, spec.units());
    return sequence(s, NativeKernels.SIMPLE_RNN, SIMPLE_RNN_LAST, x, spec, in, in.sequence(),
        recurrentKernel, empty(s), biasOrZeros(s, bias, spec.units()), in.kernel());
  }

  /** A GRU layer (reset_after, tanh, sigmoid); {@code bias} (2, 3u) or null. */
  static Operand<TFloat32> gru(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, Spec spec) {
    long units = spec.units();
    Operand<TFloat32> inputBias = null;
    Operand<TFloat32> recurrentBias;
    if (bias != null) {
      List<Output<TFloat32>> rows = s.unstack(bias, 2L).output();
      inputBias = rows.get(0);
      recurrentBias = rows.get(1);
    } else {
      recurrentBias = s.fill(s.constant(new long[] {3 * units}), s.constant(0f));
    }
    Input in = input(s, x, kernel, 3 * units);
    return sequence(s, spec.inference() ? NativeKernels.GRU_INFERENCE : NativeKernels.GRU,
        spec.inference() ? NO_LAST : GRU_LAST, x, spec, in, in.sequence(), recurrentKernel, recurrentBias,
        empty(s), biasOrZeros(s, inputBias, 3 * units), in.kernel());
  }

  /** A GRU layer with reset_after=False (tanh, sigmoid); {@code bias} (3u) or null. */
  static Operand<TFloat32> gruResetBefore(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, Spec spec) {
    Input in = input(s, x, kernel, 3 * spec.units());
    return sequence(s, spec.inference() ? NativeKernels.GRU_RESET_BEFORE_INFERENCE
        : NativeKernels.GRU_RESET_BEFORE, spec.inference() ? NO_LAST : GRU_RESET_BEFORE_LAST, x, spec,
        in, in.sequence(), recurrentKernel, empty(s), biasOrZeros(s, bias, 3 * spec.units()), in.kernel());
  }

  /** An LSTM layer (tanh, sigmoid, Keras's gate order); {@code bias} (4u) or null. */
  static Operand<TFloat32> lstm(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, Spec spec) {
    Input in = input(s, x, kernel, 4 * spec.units());
    Operand<TFloat32> zeros = empty(s); // h0, c0
    return sequence(s, spec.inference() ? NativeKernels.LSTM_INFERENCE : NativeKernels.LSTM,
        spec.inference() ? NO_LAST : LSTM_LAST, x, spec, in, in.sequence(), recurrentKernel, zeros, zeros,
        biasOrZeros(s, bias, 4 * spec.units()), in.kernel());
  }

  /**
   * The layer's output from the native op {@code type} on {@code inputs}: its output 0, h, or for a
   * layer that returns only its last state, the op's output {@code last} (h at the last timestep),
   * when it has one ({@link #NO_LAST}: none). {@code in}: how the op takes its input (its
   * projection attribute), null for the op without the input k.
   */
  @SafeVarargs
  private static Operand<TFloat32> sequence(Ops s, String type, int last, Operand<TFloat32> x, Spec spec,
      Input in, Operand<TFloat32>... inputs) {
    OperationBuilder builder = s.scope().opBuilder(type, type);
    for (Operand<TFloat32> input : inputs) {
      builder.addInput(input.asOutput());
    }
    builder.setAttr(THREADS, (long) spec.threads());
    if (in != null) {
      builder.setAttr(PROJECTION, in.projection());
    }
    Operation op = builder.build();
    if (!spec.sequences() && last != NO_LAST) {
      // its gradient reaches the backward op as it is, with no sequence of zeros padded around it
      return op.output(last);
    }
    Output<TFloat32> h = op.output(0);
    if (spec.sequences()) {
      return s.linalg.transpose(h, s.constant(new int[] {1, 0, 2}));
    }
    // an op without that output (the inference ops): the last timestep as a slice,
    // whose gradient is one Pad (a gather's is two transposes and a scatter of the whole sequence)
    int lastStep = (int) x.shape().size(1) - 1;
    Operand<TFloat32> step = s.slice(h, s.constant(new int[] {lastStep, 0, 0}), s.constant(new int[] {1, -1, -1}));
    return s.reshape(step, s.constant(new long[] {-1, spec.units()}));
  }

  /**
   * A forward op's input 0 and its input k: xp, time-major, with the empty form for k; or, for
   * at most {@link #MAX_PROJECTED_FEATURES} features, x time-major and the kernel, whose product
   * the op computes ({@code projection} [features, width], the op's attribute).
   */
  private record Input(Operand<TFloat32> sequence, Operand<TFloat32> kernel, long[] projection) {}

  private static Input input(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel, long width) {
    long features = features(x);
    if (features <= MAX_PROJECTED_FEATURES) {
      return new Input(timeMajor(s, x), kernel, new long[] {features, width});
    }
    return new Input(project(s, x, kernel, width), empty(s), new long[0]);
  }

  private static long features(Operand<TFloat32> x) {
    long timesteps = x.shape().size(1);
    long features = x.shape().size(2);
    if (timesteps < 0 || features < 0) {
      throw new IllegalArgumentException("the native recurrent kernels need known timesteps and "
          + "features, received input shape " + x.shape());
    }
    return features;
  }

  /** x (batch, timesteps, features) @ kernel, time-major: (timesteps, batch, width); no bias. */
  private static Operand<TFloat32> project(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      long width) {
    long timesteps = x.shape().size(1);
    Operand<TFloat32> xp = s.linalg.matMul(s.reshape(timeMajor(s, x), s.constant(new long[] {-1, features(x)})), kernel);
    return s.reshape(xp, s.constant(new long[] {timesteps, -1, width}));
  }

  /** The empty form ([0]) the ops take for zeros (states, gradients), and for k when input 0 is xp. */
  private static Operand<TFloat32> empty(Ops s) {
    return s.constant(new float[0]);
  }

  /**
   * x as (timesteps, batch, features): the native op's own output when x is its batch-major
   * transpose made by {@link #sequence} (two transposes that cancel are not run), else transposed.
   */
  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> timeMajor(Ops s, Operand<TFloat32> x) {
    if (x.op() instanceof GraphOperation t && t.type().equals("Transpose")
        && t.input(0).op().type().startsWith(NativeKernels.OP_PREFIX) && t.input(0).index() == 0
        && swapsTimeAndBatch(t.input(1))) {
      return (Output<TFloat32>) t.input(0);
    }
    return s.linalg.transpose(x, s.constant(new int[] {1, 0, 2}));
  }

  private static boolean swapsTimeAndBatch(Output<?> perm) {
    if (!(perm.op() instanceof GraphOperation c) || !c.type().equals("Const")) {
      return false;
    }
    try (Tensor value = c.attributes().getAttrTensor("value")) {
      if (value.dataType() != DataType.DT_INT32 || value.shape().numDimensions() != 1
          || value.shape().size(0) != 3) {
        return false;
      }
      IntDataBuffer p = value.asRawTensor().data().asInts();
      return p.getInt(0) == 1 && p.getInt(1) == 0 && p.getInt(2) == 2;
    }
  }

  private static Operand<TFloat32> biasOrZeros(Ops s, Operand<TFloat32> bias, long width) {
    return bias != null ? bias : s.fill(s.constant(new long[] {width}), s.constant(0f));
  }

  private static List<Operand<?>> gruGradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    // gates and mh (outputs 1, 2) are kept for the backward pass; h and its last timestep carry
    // gradients
    // (recurrent kernel, h0, h, gates, mh, dh, dlast) -> gradients of (xp, rk, rb, h0), then b's
    // and k's (withInputGradients)
    return withInputGradients(tf, op, gradientOp(tf, NativeKernels.GRU_GRAD, op, 4, op.input(1),
        op.input(3), op.output(0), op.output(1), op.output(2), orEmpty(tf, grads.get(0)),
        orEmpty(tf, grads.get(GRU_LAST))));
  }

  private static List<Operand<?>> gruResetBeforeGradient(Ops tf, GraphOperation op,
      List<Output<?>> grads) {
    // gates and rh = r * h_{t-1} (outputs 1, 2) are kept for the backward pass; h and its last
    // timestep carry gradients
    // (recurrent kernel, h0, h, gates, rh, dh, dlast) -> gradients of (xp, rk, h0), then b's and
    // k's (withInputGradients)
    return withInputGradients(tf, op, gradientOp(tf, NativeKernels.GRU_RESET_BEFORE_GRAD, op, 3,
        op.input(1), op.input(2), op.output(0), op.output(1), op.output(2), orEmpty(tf, grads.get(0)),
        orEmpty(tf, grads.get(GRU_RESET_BEFORE_LAST))));
  }

  private static List<Operand<?>> lstmGradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    // gates and tanh(c) (outputs 2, 3) are kept for the backward pass; h, c and h's last timestep
    // carry gradients; c's, when nothing but the layer reads c, is the empty form
    // (recurrent kernel, h0, c0, h, c, tanh(c), gates, dh, dc, dlast) -> gradients of (xp, rk, h0,
    // c0), then b's and k's (withInputGradients)
    return withInputGradients(tf, op, gradientOp(tf, NativeKernels.LSTM_GRAD, op, 4, op.input(1),
        op.input(2), op.input(3), op.output(0), op.output(1), op.output(3), op.output(2),
        orEmpty(tf, grads.get(0)), orEmpty(tf, grads.get(1)), orEmpty(tf, grads.get(LSTM_LAST))));
  }

  private static List<Operand<?>> simpleRnnGradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    // (recurrent kernel, h0, h, dh, dlast) -> gradients of (xp, rk, h0), then b's and k's
    return withInputGradients(tf, op, gradientOp(tf, NativeKernels.SIMPLE_RNN_GRAD, op, 3, op.input(1),
        op.input(2), op.output(0), orEmpty(tf, grads.get(0)), orEmpty(tf, grads.get(SIMPLE_RNN_LAST))));
  }

  /**
   * A gradient for the ops, or the empty form they take for zeros when nothing reads that output
   * (TensorFlow hands over a ZerosLike of it, which would be written and read whole).
   */
  private static Output<?> orEmpty(Ops tf, Output<?> gradient) {
    return unread(gradient) ? empty(tf).asOutput() : gradient;
  }

  /**
   * The gradients of every input of {@code forward}, from its gradient op's {@code gradients} (the
   * first of xp's): then the input bias b's, which the op added to every row of xp (TensorFlow's
   * BiasAdd gradient of xp's, the sum over its timesteps and rows), and k's. For an op that
   * projected x itself, x's and k's are those TensorFlow's MatMul gradient gives for x @ k, as the
   * same ops; else k is the empty form, and so is its gradient. No shape is asked for here (the graph is
   * locked while gradients are added): the op's projection attribute gives them.
   */
  @SuppressWarnings("unchecked")
  private static List<Operand<?>> withInputGradients(Ops tf, GraphOperation forward,
      List<Operand<?>> gradients) {
    List<Operand<?>> all = new ArrayList<>(gradients);
    Operand<TFloat32> dxp = (Operand<TFloat32>) gradients.get(0);
    all.add(tf.nn.biasAddGrad(dxp));
    long[] projection = forward.attributes().getAttrIntList(PROJECTION);
    if (projection.length == 0) {
      all.add(empty(tf)); // k's, of its empty form
      return all;
    }
    Output<TFloat32> x = (Output<TFloat32>) forward.input(0);
    Output<TFloat32> kernel = (Output<TFloat32>) forward.input(forward.numInputs() - 1);
    Operand<TFloat32> rows = tf.reshape(x, tf.constant(new long[] {-1, projection[0]}));
    Operand<TFloat32> dRows = tf.reshape(dxp, tf.constant(new long[] {-1, projection[1]}));
    all.set(0, tf.reshape(tf.linalg.matMul(dRows, kernel, MatMul.transposeB(true)), tf.shape(x)));
    all.add(tf.linalg.matMul(rows, dRows, MatMul.transposeA(true)));
    return all;
  }

  /** Whether {@code gradient} is that of an output nothing reads: none, or TensorFlow's ZerosLike of it. */
  private static boolean unread(Output<?> gradient) {
    return gradient == null || gradient.op().type().equals("ZerosLike");
  }

  /** The gradient op {@code type} of {@code forward}, with its threads attribute. */
  private static List<Operand<?>> gradientOp(Ops tf, String type, GraphOperation forward, int outputs,
      Output<?>... inputs) {
    OperationBuilder builder = tf.scope().opBuilder(type, type);
    for (Output<?> in : inputs) {
      builder.addInput(in);
    }
    builder.setAttr(THREADS, forward.attributes().getAttrInt(THREADS));
    Operation g = builder.build();
    List<Operand<?>> out = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      out.add(g.output(i));
    }
    return out;
  }
}
