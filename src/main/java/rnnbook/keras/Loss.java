package rnnbook.keras;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/** Keras losses by name. */
public enum Loss {
  /** {@code mse}: the mean of the squared differences over every output of every sample. */
  MEAN_SQUARED_ERROR("mse");

  private final String kerasName;

  Loss(String kerasName) {
    this.kerasName = kerasName;
  }

  public String kerasName() {
    return kerasName;
  }

  <T extends TFloating> Operand<T> build(Ops tf, Operand<T> yTrue, Operand<T> yPred) {
    Operand<T> sq = tf.math.squaredDifference(yPred, yTrue);
    return tf.math.mean(tf.reshape(sq, tf.constant(new long[] {-1})), tf.constant(0));
  }
}
