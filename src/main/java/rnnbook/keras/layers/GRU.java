package rnnbook.keras.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's {@code GRU}, gates in Keras's order z, r, h. With {@code resetAfter} (TF2's default):
 *
 * <pre>
 * x_z, x_r, x_h = split(x_t @ kernel + bias[0])
 * r_z, r_r, r_h = split(h_{t-1} @ recurrent_kernel + bias[1])
 * z = σ(x_z + r_z)   r = σ(x_r + r_r)
 * hh = tanh(x_h + r * r_h)
 * h_t = z * h_{t-1} + (1 - z) * hh
 * </pre>
 *
 * bias is (2, 3u). Without {@code resetAfter} the bias is (3u,) and {@code hh = tanh(x_h + (r *
 * h_{t-1}) @ recurrent_kernel[:, 2u:])}.
 *
 * <p>{@link #trace} records per timestep {@code z}, {@code r}, {@code hh} and {@code h}.
 */
public final class GRU extends RNN {
  public GRU(RecurrentConfig config) {
    super(config, new Cell(config));
  }

  /** {@code GRU(units)} with Keras's defaults. */
  public GRU(int units) {
    this(RecurrentConfig.of(units));
  }

  /** {@code GRU(units, return_sequences=returnSequences)}. */
  public GRU(int units, boolean returnSequences) {
    this(RecurrentConfig.of(units).withReturnSequences(returnSequences));
  }

  @Override
  public String className() {
    return "GRU";
  }

  static final class Cell implements RecurrentCell {
    private final RecurrentConfig config;
    private Variable<?> kernel;
    private Variable<?> recurrentKernel;
    private Variable<?> bias;
    // per call: the h part of the recurrent bias (resetAfter), kernel slices (not resetAfter)
    private Operand<?> recurrentBias;
    private Operand<?> recurrentZr;
    private Operand<?> recurrentH;

    Cell(RecurrentConfig config) {
      this.config = config;
    }

    @Override
    public int stateCount() {
      return 1;
    }

    @Override
    public long countParams(long inputDim) {
      long u = config.units();
      long biasSize = config.useBias() ? (config.resetAfter() ? 6 * u : 3 * u) : 0;
      return 3 * (inputDim * u + u * u) + biasSize;
    }

    @Override
    public void build(BuildContext ctx, long inputDim) {
      long u = config.units();
      kernel = ctx.addWeight("kernel", Shape.of(inputDim, 3 * u), config.kernelInitializer());
      recurrentKernel =
          ctx.addWeight("recurrent_kernel", Shape.of(u, 3 * u), config.recurrentInitializer());
      if (config.useBias()) {
        Shape shape = config.resetAfter() ? Shape.of(2, 3 * u) : Shape.of(3 * u);
        bias = ctx.addWeight("bias", shape, config.biasInitializer());
      }
    }

    @Override
    public <T extends TFloating> List<Operand<T>> projectInputs(Ops tf, Operand<T> x) {
      long u = config.units();
      Operand<T> m = tf.linalg.matMul(x, Layer.typed(kernel));
      if (bias != null) {
        Operand<T> inputBias = Layer.typed(bias);
        if (config.resetAfter()) {
          // the recurrent bias of z and r is a constant per step: add it here, once
          List<Output<T>> b = tf.unstack(Layer.<T>typed(bias), 2L).output();
          List<Output<T>> recurrent = tf.splitV(b.get(1), tf.constant(new long[] {2 * u, u}),
              tf.constant(0), 2L).output();
          Operand<T> zeros = tf.zerosLike(recurrent.get(1));
          inputBias = tf.math.add(b.get(0), tf.concat(List.of(recurrent.get(0), zeros), tf.constant(0)));
        }
        m = tf.nn.biasAdd(m, inputBias);
      }
      return List.copyOf(splitZrH(tf, m));
    }

    /** (n, 3u) to [(n, 2u) for z and r, (n, u) for h]. */
    private <T extends TFloating> List<Output<T>> splitZrH(Ops tf, Operand<T> m) {
      long u = config.units();
      return tf.splitV(m, tf.constant(new long[] {2 * u, u}), tf.constant(1), 2L).output();
    }

    @Override
    public <T extends TFloating> void beginSequence(Ops tf, Class<T> type) {
      long u = config.units();
      recurrentBias = null;
      if (bias != null && config.resetAfter()) {
        Output<T> b = tf.unstack(Layer.<T>typed(bias), 2L).output().get(1);
        recurrentBias = tf.splitV(b, tf.constant(new long[] {2 * u, u}), tf.constant(0), 2L).output().get(1);
      }
      if (!config.resetAfter()) {
        List<Output<T>> parts = tf.splitV(Layer.<T>typed(recurrentKernel),
            tf.constant(new long[] {2 * u, u}), tf.constant(1), 2L).output();
        recurrentZr = parts.get(0);
        recurrentH = parts.get(1);
      }
    }

    @SuppressWarnings("unchecked")
    private static <T extends TFloating> Operand<T> as(Operand<?> o) {
      return (Operand<T>) o;
    }

    /**
     * One step with few nodes: z and r activated together, equal-shape sums as AddN (whose
     * gradient needs no broadcast reductions), and {@code h = hh + z * (h_prev - hh)}, which is
     * Keras's {@code z * h_prev + (1 - z) * hh} rearranged.
     */
    @Override
    public <T extends TFloating> List<Operand<T>> step(
        Ops tf, List<Operand<T>> x, List<Operand<T>> states, StepTrace trace) {
      Operand<T> h = states.get(0);
      Operand<T> xZr = x.get(0);
      Operand<T> xH = x.get(1);
      Operand<T> recZr;
      Operand<T> recH = null;
      if (config.resetAfter()) {
        List<Output<T>> rec = splitZrH(tf, tf.linalg.matMul(h, Layer.typed(recurrentKernel)));
        recZr = rec.get(0);
        recH = recurrentBias == null ? rec.get(1) : tf.nn.biasAdd(rec.get(1), as(recurrentBias));
      } else {
        recZr = tf.linalg.matMul(h, as(recurrentZr));
      }
      Operand<T> preZr = tf.math.addN(List.of(xZr, recZr));
      Activation sigma = config.recurrentActivation();
      List<Output<T>> zr;
      if (sigma == Activation.SOFTMAX) { // not elementwise: activate each gate on its own
        zr = tf.split(tf.constant(1), preZr, 2L).output();
        zr = List.of(sigma.apply(tf, zr.get(0)).asOutput(), sigma.apply(tf, zr.get(1)).asOutput());
      } else {
        zr = tf.split(tf.constant(1), sigma.apply(tf, preZr), 2L).output();
      }
      Operand<T> z = zr.get(0);
      Operand<T> r = zr.get(1);
      Operand<T> candidate = config.resetAfter()
          ? tf.math.addN(List.of(xH, tf.math.mul(r, recH)))
          : tf.math.addN(List.of(xH, tf.linalg.matMul(tf.math.mul(r, h), as(recurrentH))));
      Operand<T> hh = config.activation().apply(tf, candidate);
      Operand<T> next = tf.math.addN(List.of(hh, tf.math.mul(z, tf.math.sub(h, hh))));
      trace.record("z", z);
      trace.record("r", r);
      trace.record("hh", hh);
      trace.record("h", next);
      return List.of(next);
    }
  }
}
