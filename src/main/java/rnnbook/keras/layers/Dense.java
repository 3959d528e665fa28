package rnnbook.keras.layers;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;
import rnnbook.keras.initializers.GlorotUniform;
import rnnbook.keras.initializers.Initializer;

/**
 * Keras's {@code Dense}: {@code activation(x @ kernel + bias)} on the last axis, kernel
 * glorot_uniform (in, units), bias zeros (units,). Input (batch, in) or (batch, ..., in).
 */
public final class Dense extends Layer {
  /**
   * Keras's arguments; defaults ({@link #of(int)}): linear activation, with a bias, kernel
   * glorot_uniform, bias zeros.
   */
  public record Config(int units, Activation activation, boolean useBias,
      Initializer kernelInitializer, Initializer biasInitializer) {
    public Config {
      if (units < 1) {
        throw new IllegalArgumentException("Dense units must be a positive integer, received " + units);
      }
      if (activation == null) {
        throw new IllegalArgumentException("Dense activation must not be null");
      }
      if (kernelInitializer == null || biasInitializer == null) {
        throw new IllegalArgumentException("Dense initializers must not be null");
      }
    }

    public static Config of(int units) {
      return new Config(units, Activation.LINEAR, true, new GlorotUniform(), Initializer.zeros());
    }

    public Config withActivation(Activation value) {
      return new Config(units, value, useBias, kernelInitializer, biasInitializer);
    }

    public Config withUseBias(boolean value) {
      return new Config(units, activation, value, kernelInitializer, biasInitializer);
    }

    public Config withInitializers(Initializer kernel, Initializer bias) {
      return new Config(units, activation, useBias, kernel, bias);
    }
  }

  private final Config config;
  private Variable<?> kernel;
  private Variable<?> bias;

  public Dense(Config config) {
    super(null);
    this.config = config;
  }

  /** {@code Dense(units)}: linear, with a bias. */
  public Dense(int units) {
    this(Config.of(units));
  }

  public Dense(int units, Activation activation) {
    this(Config.of(units).withActivation(activation));
  }

  public Config config() {
    return config;
  }

  @Override
  public Layer unbuiltCopy() {
    return named(new Dense(config));
  }

  @Override
  public String className() {
    return "Dense";
  }

  @Override
  public long[] outputShape(long[] inputShape) {
    if (inputShape.length < 1 || inputShape[inputShape.length - 1] < 1) {
      throw new IllegalArgumentException(
          "Input 0 of layer " + name() + " needs a defined last dimension, found "
              + Shapes.format(inputShape));
    }
    return copyWithLast(inputShape, config.units());
  }

  @Override
  public long countParams(long[] inputShape) {
    long in = inputShape[inputShape.length - 1];
    return in * config.units() + (config.useBias() ? config.units() : 0);
  }

  @Override
  protected void build(BuildContext ctx, long[] inputShape) {
    long in = inputShape[inputShape.length - 1];
    kernel = ctx.addWeight("kernel", Shape.of(in, config.units()), config.kernelInitializer());
    if (config.useBias()) {
      bias = ctx.addWeight("bias", Shape.of(config.units()), config.biasInitializer());
    }
  }

  @Override
  public <T extends TFloating> Operand<T> call(Ops tf, Operand<T> x) {
    requireBuilt();
    Ops s = scope(tf);
    Operand<T> y;
    if (x.shape().numDimensions() == 2) {
      y = s.linalg.matMul(x, typed(kernel));
    } else {
      long in = x.shape().size(x.shape().numDimensions() - 1);
      Operand<T> flat = s.reshape(x, s.constant(new long[] {-1, in}));
      Operand<T> mm = s.linalg.matMul(flat, typed(kernel));
      long[] outShape = x.shape().asArray();
      outShape[0] = -1;
      outShape[outShape.length - 1] = config.units();
      y = s.reshape(mm, s.constant(outShape));
    }
    if (bias != null) {
      y = s.nn.biasAdd(y, typed(bias));
    }
    return config.activation().apply(s, y);
  }
}
