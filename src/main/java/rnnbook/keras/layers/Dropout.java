package rnnbook.keras.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's {@code Dropout} as it behaves at inference: the identity. Shape in = shape out, no
 * weights.
 *
 * <p>Training-time dropout (zeroing {@code rate} of the inputs and scaling the rest by {@code 1 /
 * (1 - rate)}) is not implemented: a model that holds a {@code Dropout} with {@code rate > 0} can
 * predict and evaluate, but {@code fit} refuses it rather than train a different network than
 * Keras would.
 */
public final class Dropout extends Layer {
  private final double rate;

  /** {@code Dropout(rate)}, rate in [0, 1). */
  public Dropout(double rate) {
    super(null);
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException(
          "Invalid value received for argument `rate`. Expected a float value between 0 and 1 "
              + "(1 excluded), received rate=" + rate);
    }
    this.rate = rate;
  }

  public double rate() {
    return rate;
  }

  @Override
  public Layer unbuiltCopy() {
    return named(new Dropout(rate));
  }

  @Override
  public String className() {
    return "Dropout";
  }

  @Override
  public long[] outputShape(long[] inputShape) {
    return inputShape.clone();
  }

  @Override
  public long countParams(long[] inputShape) {
    return 0;
  }

  @Override
  protected void build(BuildContext ctx, long[] inputShape) {}

  @Override
  public <T extends TFloating> Operand<T> call(Ops tf, Operand<T> x) {
    requireBuilt();
    return x;
  }

  @Override
  public void checkTrainable() {
    if (rate > 0) {
      throw new IllegalStateException("layer " + name() + " (Dropout rate=" + rate
          + ") cannot be trained: rnnbook's Dropout is the identity, as Keras's at inference; "
          + "training-time dropout is not implemented");
    }
  }
}
