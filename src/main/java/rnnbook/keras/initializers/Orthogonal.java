package rnnbook.keras.initializers;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.Qr;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's {@code orthogonal} initializer: the Q factor of a normal matrix, sign-corrected by the
 * diagonal of R so the result is uniformly distributed, transposed when the weight has fewer rows
 * than columns (the recurrent kernels, (units, k * units)), so that its rows are orthonormal.
 */
public final class Orthogonal implements Initializer {
  private final double gain;

  public Orthogonal() {
    this(1.0);
  }

  public Orthogonal(double gain) {
    this.gain = gain;
  }

  @Override
  public <T extends TFloating> Operand<T> create(Ops tf, Shape shape, Class<T> type, long seed) {
    if (shape.numDimensions() < 2) {
      throw new IllegalArgumentException(
          "the orthogonal initializer needs a shape of rank >= 2, received " + shape);
    }
    long cols = shape.size(shape.numDimensions() - 1);
    long rows = shape.size() / cols;
    Shape flat = Shape.of(Math.max(rows, cols), Math.min(rows, cols));
    Operand<T> a = tf.random.statelessRandomNormal(tf.constant(flat), Seeds.pair(tf, seed), type);
    Qr<T> qr = tf.linalg.qr(a, Qr.fullMatrices(false));
    Operand<T> signs = tf.math.sign(tf.linalg.matrixDiagPart(qr.r(), tf.constant(0),
        tf.dtypes.cast(tf.constant(0), type)));
    Operand<T> q = tf.math.mul(qr.q(), signs);
    if (rows < cols) {
      q = tf.linalg.transpose(q, tf.constant(new int[] {1, 0}));
    }
    return tf.math.mul(tf.reshape(q, tf.constant(shape)), tf.dtypes.cast(tf.constant(gain), type));
  }
}
