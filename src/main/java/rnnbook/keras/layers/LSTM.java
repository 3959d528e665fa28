package rnnbook.keras.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;
import rnnbook.keras.initializers.Initializer;

/**
 * Keras's {@code LSTM}, gates in Keras's order i, f, c, o:
 *
 * <pre>
 * z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias      (batch, 4 * units)
 * i = σ(z_i)   f = σ(z_f)   o = σ(z_o)                         σ = recurrent_activation
 * c_t = f * c_{t-1} + i * tanh(z_c)                            tanh = activation
 * h_t = o * tanh(c_t)
 * </pre>
 *
 * Weights: kernel (features, 4u), recurrent_kernel (u, 4u), bias (4u,), the forget slice of the
 * bias starting at 1 when {@code unitForgetBias}.
 *
 * <p>{@link #trace} records per timestep {@code i}, {@code f}, {@code g = tanh(z_c)} (the candidate
 * written into the cell), {@code o}, {@code c} and {@code h}.
 */
public final class LSTM extends RNN {
  public LSTM(RecurrentConfig config) {
    super(config, new Cell(config));
  }

  /** {@code LSTM(units)} with Keras's defaults. */
  public LSTM(int units) {
    this(RecurrentConfig.of(units));
  }

  /** {@code LSTM(units, return_sequences=returnSequences)}. */
  public LSTM(int units, boolean returnSequences) {
    this(RecurrentConfig.of(units).withReturnSequences(returnSequences));
  }

  @Override
  public Layer unbuiltCopy() {
    return named(new LSTM(config()));
  }

  @Override
  public String className() {
    return "LSTM";
  }

  static final class Cell implements RecurrentCell {
    private final RecurrentConfig config;
    private Variable<?> kernel;
    private Variable<?> recurrentKernel;
    private Variable<?> bias;

    Cell(RecurrentConfig config) {
      this.config = config;
    }

    @Override
    public int stateCount() {
      return 2;
    }

    @Override
    public long countParams(long inputDim) {
      long u = config.units();
      return 4 * (inputDim * u + u * u + (config.useBias() ? u : 0));
    }

    @Override
    public void build(BuildContext ctx, long inputDim) {
      long u = config.units();
      kernel = ctx.addWeight("kernel", Shape.of(inputDim, 4 * u), config.kernelInitializer());
      recurrentKernel =
          ctx.addWeight("recurrent_kernel", Shape.of(u, 4 * u), config.recurrentInitializer());
      if (config.useBias()) {
        Initializer init = config.unitForgetBias() ? unitForgetBias(config.biasInitializer(), u)
            : config.biasInitializer();
        bias = ctx.addWeight("bias", Shape.of(4 * u), init);
      }
    }

    /** Keras's bias with unit_forget_bias: [init(u), ones(u), init(2u)]. */
    private static Initializer unitForgetBias(Initializer base, long u) {
      return new Initializer() {
        @Override
        public <T extends TFloating> Operand<T> create(Ops tf, Shape shape, Class<T> type, long seed) {
          return tf.concat(List.of(base.create(tf, Shape.of(u), type, seed),
              Initializer.ones().create(tf, Shape.of(u), type, seed),
              base.create(tf, Shape.of(2 * u), type, seed)), tf.constant(0));
        }
      };
    }

    @Override
    public <T extends TFloating> List<Operand<T>> projectInputs(Ops tf, Operand<T> x) {
      // the bias is added per step, after h @ recurrent_kernel, in Keras's order of operations
      return List.of(tf.linalg.matMul(x, Layer.typed(kernel)));
    }

    @Override
    public <T extends TFloating> List<Operand<T>> step(
        Ops tf, List<Operand<T>> x, List<Operand<T>> states, StepTrace trace) {
      Operand<T> z = tf.math.addN(List.of(x.get(0), tf.linalg.matMul(states.get(0), Layer.typed(recurrentKernel))));
      if (bias != null) {
        z = tf.nn.biasAdd(z, Layer.typed(bias));
      }
      List<Output<T>> g = tf.split(tf.constant(1), z, 4L).output();
      Activation sigma = config.recurrentActivation();
      Activation act = config.activation();
      Operand<T> i = sigma.apply(tf, g.get(0));
      Operand<T> f = sigma.apply(tf, g.get(1));
      Operand<T> candidate = act.apply(tf, g.get(2));
      Operand<T> c = tf.math.add(tf.math.mul(f, states.get(1)), tf.math.mul(i, candidate));
      Operand<T> o = sigma.apply(tf, g.get(3));
      Operand<T> h = tf.math.mul(o, act.apply(tf, c));
      trace.record("i", i);
      trace.record("f", f);
      trace.record("g", candidate);
      trace.record("o", o);
      trace.record("c", c);
      trace.record("h", h);
      return List.of(h, c);
    }
  }
}
