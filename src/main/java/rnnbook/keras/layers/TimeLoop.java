package rnnbook.keras.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * One way to run a recurrent layer's time loop: one implementation per {@link RecurrentBackend},
 * picked for each layer by {@link Backends}.
 */
interface TimeLoop {
  RecurrentBackend backend();

  /** Null when this loop can run {@code layer} on inputs of {@code dtype}, else why not. */
  String whyNot(RNN layer, Class<?> dtype);

  /** The layer's output for {@code x} (batch, timesteps, features), in the layer's scope {@code s}. */
  <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x);

  /**
   * Whether {@link #callForInference} builds a lighter graph for {@code layer} than {@link #call}
   * (one that keeps nothing for a backward pass).
   */
  default boolean lighterForInference(RNN layer) {
    return false;
  }

  /** As {@link #call}, for a graph that is never differentiated (validation, prediction). */
  default <T extends TFloating> Operand<T> callForInference(Ops s, RNN layer, Operand<T> x) {
    return call(s, layer, x);
  }

  /**
   * The loop for graphs that leave this process (SavedModels): the same function of the same
   * weights with TensorFlow's own ops only.
   */
  default TimeLoop portable() {
    return this;
  }
}
