package rnnbook.keras.layers;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's {@code SimpleRNN}: {@code h_t = activation(x_t @ kernel + bias + h_{t-1} @
 * recurrent_kernel)}. Weights: kernel (features, units), recurrent_kernel (units, units), bias
 * (units,).
 */
public final class SimpleRNN extends RNN {
  public SimpleRNN(RecurrentConfig config) {
    super(config, new Cell(config));
  }

  /** {@code SimpleRNN(units)} with Keras's defaults. */
  public SimpleRNN(int units) {
    this(RecurrentConfig.of(units));
  }

  /** {@code SimpleRNN(units, return_sequences=returnSequences)}. */
  public SimpleRNN(int units, boolean returnSequences) {
    this(RecurrentConfig.of(units).withReturnSequences(returnSequences));
  }

  @Override
  public Layer unbuiltCopy() {
    return named(new SimpleRNN(config()));
  }

  @Override
  public String className() {
    return "SimpleRNN";
  }

  static final class Cell implements BackpropCell {
    private final RecurrentConfig config;
    private Variable<?> kernel;
    private Variable<?> recurrentKernel;
    private Variable<?> bias;

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
      return inputDim * u + u * u + (config.useBias() ? u : 0);
    }

    @Override
    public void build(BuildContext ctx, long inputDim) {
      long u = config.units();
      kernel = ctx.addWeight("kernel", Shape.of(inputDim, u), config.kernelInitializer());
      recurrentKernel = ctx.addWeight("recurrent_kernel", Shape.of(u, u), config.recurrentInitializer());
      if (config.useBias()) {
        bias = ctx.addWeight("bias", Shape.of(u), config.biasInitializer());
      }
    }

    @Override
    public <T extends TFloating> List<Operand<T>> projectInputs(Ops tf, Operand<T> x) {
      Operand<T> h = tf.linalg.matMul(x, Layer.typed(kernel));
      return List.of(bias == null ? h : tf.nn.biasAdd(h, Layer.typed(bias)));
    }

    @Override
    public <T extends TFloating> List<Operand<T>> step(
        Ops tf, List<Operand<T>> x, List<Operand<T>> states, StepTrace trace) {
      // AddN of equal shapes: its gradient passes through, no broadcast reductions
      Operand<T> pre = tf.math.addN(List.of(x.get(0), tf.linalg.matMul(states.get(0), Layer.typed(recurrentKernel))));
      Operand<T> h = config.activation().apply(tf, pre);
      trace.record("h", h);
      return List.of(h);
    }

    @Override
    public boolean hasBackprop() {
      return config.activation() != Activation.SOFTMAX;
    }

    /** h = act(pre): the gradient at pre feeds both the input and the recurrent product. */
    @Override
    public <T extends TFloating> StepGradients<T> backward(Ops tf, Map<String, Operand<T>> saved,
        List<Operand<T>> previous, List<Operand<T>> gradients, Operand<T> resetKernel) {
      Operand<T> dPre = config.activation().gradient(tf, saved.get("h"), gradients.get(0));
      return new StepGradients<>(Collections.singletonList(null), List.of(dPre), dPre);
    }

    @Override
    public <T extends TFloating> Operand<T> biasGradient(Ops tf, Operand<T> inputSum, Operand<T> recurrentSum) {
      return inputSum;
    }
  }
}
