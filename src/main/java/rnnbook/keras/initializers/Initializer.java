package rnnbook.keras.initializers;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Builds the ops that produce a weight's initial value. Random initializers are stateless: the
 * same {@code seed} gives the same tensor, so every variable must be given its own seed.
 */
@FunctionalInterface
public interface Initializer {
  <T extends TFloating> Operand<T> create(Ops tf, Shape shape, Class<T> type, long seed);

  /** Keras's {@code zeros}. */
  static Initializer zeros() {
    return constant(0.0);
  }

  /** Keras's {@code ones}. */
  static Initializer ones() {
    return constant(1.0);
  }

  /**
   * Keras's {@code Constant(value)} with an array value: {@code values} in C order, which must
   * fill the weight's shape exactly.
   */
  static Initializer constant(double[] values) {
    double[] copy = values.clone();
    return new Initializer() {
      @Override
      public <T extends TFloating> Operand<T> create(Ops tf, Shape shape, Class<T> type, long seed) {
        if (shape.size() != copy.length) {
          throw new IllegalArgumentException("Constant initializer holds " + copy.length
              + " values, the weight of shape " + shape + " needs " + shape.size());
        }
        return tf.dtypes.cast(tf.constant(shape, DataBuffers.of(copy, true, false)), type);
      }
    };
  }

  /** Keras's {@code Constant(value)}. */
  static Initializer constant(double value) {
    return new Initializer() {
      @Override
      public <T extends TFloating> Operand<T> create(Ops tf, Shape shape, Class<T> type, long seed) {
        return tf.fill(tf.constant(shape), tf.dtypes.cast(tf.constant(value), type));
      }
    };
  }
}
