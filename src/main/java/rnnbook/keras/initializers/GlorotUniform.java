package rnnbook.keras.initializers;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's {@code glorot_uniform}: uniform in [-limit, limit] with {@code limit = sqrt(6 / (fan_in
 * + fan_out))}. For a kernel of shape (..., in, out), fan_in is in times the receptive field and
 * fan_out is out times it, as in Keras.
 */
public final class GlorotUniform implements Initializer {
  /** The bound of the distribution for a weight of {@code shape}. */
  public static double limit(Shape shape) {
    long[] fans = fans(shape);
    return Math.sqrt(6.0 / (fans[0] + fans[1]));
  }

  static long[] fans(Shape shape) {
    int rank = shape.numDimensions();
    if (rank < 1) {
      return new long[] {1, 1};
    }
    if (rank == 1) {
      return new long[] {shape.size(0), shape.size(0)};
    }
    long receptive = 1;
    for (int i = 0; i < rank - 2; i++) {
      receptive *= shape.size(i);
    }
    return new long[] {shape.size(rank - 2) * receptive, shape.size(rank - 1) * receptive};
  }

  @Override
  public <T extends TFloating> Operand<T> create(Ops tf, Shape shape, Class<T> type, long seed) {
    Operand<T> unit = tf.random.statelessRandomUniform(tf.constant(shape), Seeds.pair(tf, seed), type);
    Operand<T> limit = tf.dtypes.cast(tf.constant(limit(shape)), type);
    // -limit + u * 2 * limit, as Keras's random_uniform(minval=-limit, maxval=limit)
    return tf.math.sub(tf.math.mul(unit, tf.math.add(limit, limit)), limit);
  }
}
