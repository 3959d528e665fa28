package rnnbook.keras.layers;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
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
  public Layer unbuiltCopy() {
    return named(new GRU(config()));
  }

  @Override
  public String className() {
    return "GRU";
  }

  static final class Cell implements BackpropCell {
    private final RecurrentConfig config;
    private Variable<?> kernel;
    private Variable<?> recurrentKernel;
    private Variable<?> bias;
    // per call: the recurrent bias (resetAfter), kernel slices (not resetAfter), and 1
    private Operand<?> recurrentBias;
    private Operand<?> one;
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
      Operand<T> m = tf.linalg.matMul(x, Layer.typed(kernel));
      if (bias != null) {
        Operand<T> inputBias = config.resetAfter()
            ? tf.unstack(Layer.<T>typed(bias), 2L).output().get(0) : Layer.typed(bias);
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
    public <T extends TFloating> void beginSequence(Ops tf, Operand<T> zeros) {
      long u = config.units();
      // (batch, units) rather than a scalar: 1 - z then needs no broadcast, nor its gradient a
      // reduction (OnesLike would be shorter but has no registered gradient)
      one = tf.math.add(zeros, tf.dtypes.cast(tf.constant(1f), zeros.type()));
      recurrentBias = bias != null && config.resetAfter()
          ? tf.unstack(Layer.<T>typed(bias), 2L).output().get(1) : null;
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
     * One step in Keras's order of operations (so that, with the same weights, the outputs are
     * Keras's to the bit), with few nodes: z and r activated together on (batch, 2u), and
     * equal-shape sums as AddN, whose gradient needs no broadcast reductions.
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
        Operand<T> inner = tf.linalg.matMul(h, Layer.typed(recurrentKernel));
        if (recurrentBias != null) {
          inner = tf.nn.biasAdd(inner, as(recurrentBias));
        }
        List<Output<T>> rec = splitZrH(tf, inner);
        recZr = rec.get(0);
        recH = rec.get(1);
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
        Operand<T> both = sigma.apply(tf, preZr);
        trace.record("_zr", both);
        zr = tf.split(tf.constant(1), both, 2L).output();
      }
      Operand<T> z = zr.get(0);
      Operand<T> r = zr.get(1);
      Operand<T> candidate;
      if (config.resetAfter()) {
        candidate = tf.math.addN(List.of(xH, tf.math.mul(r, recH)));
      } else {
        Operand<T> reset = tf.math.mul(r, h);
        trace.record("_reset", reset);
        candidate = tf.math.addN(List.of(xH, tf.linalg.matMul(reset, as(recurrentH))));
      }
      Operand<T> hh = config.activation().apply(tf, candidate);
      Operand<T> oneMinusZ = tf.math.sub(as(one), z);
      Operand<T> next = tf.math.addN(List.of(tf.math.mul(z, h), tf.math.mul(oneMinusZ, hh)));
      trace.record("_1-z", oneMinusZ);
      if (recH != null) {
        trace.record("_recH", recH);
      }
      trace.record("z", z);
      trace.record("r", r);
      trace.record("hh", hh);
      trace.record("h", next);
      return List.of(next);
    }

    @Override
    public boolean hasBackprop() {
      return config.activation() != Activation.SOFTMAX
          && config.recurrentActivation() != Activation.SOFTMAX;
    }

    /** Without resetAfter, recurrent_kernel's h columns multiply r * h_{t-1}. */
    @Override
    public long resetColumns() {
      return config.resetAfter() ? 0 : config.units();
    }

    /**
     * From dh at h_t = z * h_{t-1} + (1 - z) * hh: dz = dh * (h_{t-1} - hh), dhh = dh * (1 - z),
     * and dh * z straight to h_{t-1}; through hh = tanh(x_h + r * r_h) to x_h, r and r_h, or
     * through hh = tanh(x_h + (r * h_{t-1}) @ rk_h) to x_h, rk_h, r and h_{t-1}; through (z, r) =
     * σ(x_zr + r_zr) to both sides.
     */
    @Override
    public <T extends TFloating> StepGradients<T> backward(Ops tf, Map<String, Operand<T>> saved,
        List<Operand<T>> previous, List<Operand<T>> gradients, Operand<T> resetKernel) {
      Operand<T> dh = gradients.get(0);
      Operand<T> z = saved.get("z");
      Operand<T> hh = saved.get("hh");
      Operand<T> dz = tf.math.mul(dh, tf.math.sub(previous.get(0), hh));
      Operand<T> direct = tf.math.mul(dh, z);
      Operand<T> dCandidate = config.activation().gradient(tf, hh, tf.math.mul(dh, saved.get("_1-z")));
      if (!config.resetAfter()) {
        // the gradient at r * h_{t-1}, through the candidate's product with rk_h
        Operand<T> dReset = tf.linalg.matMul(dCandidate, resetKernel, MatMul.transposeB(true));
        Operand<T> dZr = config.recurrentActivation().gradient(tf, saved.get("_zr"),
            tf.concat(List.of(dz, tf.math.mul(dReset, previous.get(0))), tf.constant(1)));
        Operand<T> throughReset = tf.math.mul(dReset, saved.get("r"));
        return new StepGradients<>(List.of(tf.math.addN(List.of(direct, throughReset))),
            List.of(dZr, dCandidate), dZr, dCandidate);
      }
      Operand<T> dr = tf.math.mul(dCandidate, saved.get("_recH"));
      Operand<T> dRecH = tf.math.mul(dCandidate, saved.get("r"));
      Operand<T> dZr = config.recurrentActivation().gradient(tf, saved.get("_zr"),
          tf.concat(List.of(dz, dr), tf.constant(1)));
      return new StepGradients<>(List.of(direct), List.of(dZr, dCandidate),
          tf.concat(List.of(dZr, dRecH), tf.constant(1)));
    }

    /** With resetAfter bias is (2, 3u): the input row, then the recurrent one; else (3u). */
    @Override
    public <T extends TFloating> Operand<T> biasGradient(Ops tf, Operand<T> inputSum, Operand<T> recurrentSum) {
      return config.resetAfter() ? tf.stack(List.of(inputSum, recurrentSum)) : inputSum;
    }
  }
}
