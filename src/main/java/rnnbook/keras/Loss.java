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

  /**
   * The gradient of {@link #build}'s loss with respect to {@code yPred}, as TensorFlow's gradients of
   * the mean and the squared difference compute it, to the bit: {@code (1 / n) * (2 * (yPred -
   * yTrue))}, n the number of outputs, {@code 1 / n} rounded to float first. Six ops where the
   * generic gradient graph (the mean's Tile, Reshape and shape arithmetic, the broadcast's Sum) has
   * some twenty, run at every training step.
   */
  <T extends TFloating> Operand<T> gradient(Ops tf, Operand<T> yTrue, Operand<T> yPred) {
    Class<T> type = yPred.type();
    Operand<T> n = tf.dtypes.cast(tf.size(yPred), type);
    Operand<T> perOutput = tf.math.div(Tensors.scalar(tf, 1f, type), n);
    Operand<T> twice = tf.math.mul(Tensors.scalar(tf, 2f, type), tf.math.sub(yPred, yTrue));
    return tf.math.mul(perOutput, twice);
  }
}
