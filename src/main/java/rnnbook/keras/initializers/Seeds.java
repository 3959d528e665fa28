package rnnbook.keras.initializers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/** Seeds for TensorFlow's stateless random ops, and a way to derive one seed per variable. */
public final class Seeds {
  private Seeds() {}

  static Operand<TInt64> pair(Ops tf, long seed) {
    return tf.constant(new long[] {seed, seed >>> 32 ^ 0x5DEECE66DL});
  }

  /** A well-mixed seed for the {@code index}-th variable of a model seeded with {@code seed}. */
  public static long derive(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + (index + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
