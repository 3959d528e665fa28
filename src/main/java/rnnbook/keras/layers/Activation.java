package rnnbook.keras.layers;

import java.util.Arrays;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/** Keras's activation functions by their Keras names. */
public enum Activation {
  LINEAR,
  TANH,
  SIGMOID,
  RELU,
  SOFTMAX;

  public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x) {
    return switch (this) {
      case LINEAR -> x;
      case TANH -> tf.math.tanh(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case RELU -> tf.nn.relu(x);
      case SOFTMAX -> tf.nn.softmax(x);
    };
  }

  /**
   * The gradient at the input of this activation from its output {@code y} and the gradient
   * {@code dy} at its output; softmax (not elementwise) has none here.
   */
  public <T extends TFloating> Operand<T> gradient(Ops tf, Operand<T> y, Operand<T> dy) {
    return switch (this) {
      case LINEAR -> dy;
      case TANH -> tf.math.tanhGrad(y, dy);
      case SIGMOID -> tf.math.sigmoidGrad(y, dy);
      case RELU -> tf.nn.reluGrad(dy, y); // y > 0 exactly where the input was
      case SOFTMAX -> throw new UnsupportedOperationException("softmax has no elementwise gradient");
    };
  }

  /** The Keras name, such as {@code tanh}. */
  public String kerasName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Looks up a Keras activation name; unknown names are rejected with the valid ones listed. */
  public static Activation fromKeras(String name) {
    for (Activation a : values()) {
      if (a.kerasName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown activation '" + name + "', expected one of "
            + Arrays.stream(values()).map(Activation::kerasName).toList());
  }
}
