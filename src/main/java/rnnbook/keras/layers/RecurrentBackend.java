package rnnbook.keras.layers;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a recurrent layer runs its time loop, chosen per model when it is compiled ({@code
 * --backend} on the command line). Every backend computes Keras's formulas; they differ in speed
 * and in what TensorFlow differentiates. Where the one asked for does not apply to a layer (its
 * dtype, activation or the device), the layer falls back along native, tensorflow, unrolled and
 * records why ({@link BackendChoice}).
 */
public enum RecurrentBackend {
  /** The fastest that applies: native, else tensorflow, else unrolled. The default. */
  AUTO("the fastest that applies"),
  /** The cell's ops for every timestep, TensorFlow's own gradients: the reference for checking. */
  UNROLLED("plain unrolled graph"),
  /**
   * TensorFlow's fast path: the fused BlockLSTMV2 kernel (LSTM) or the unrolled forward ops with a
   * written-out backward pass (SimpleRNN, GRU).
   */
  TENSORFLOW("TensorFlow's fast path"),
  /** rnnbook's native kernels: the whole time loop and its gradient as one op each (CPU, float32). */
  NATIVE("rnnbook's native kernels");

  private final String description;

  RecurrentBackend(String description) {
    this.description = description;
  }

  /** The name used on the command line and in files: {@code auto}, {@code native}... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String description() {
    return description;
  }

  /** The backend called {@code key}; the valid keys are listed when it is unknown. */
  public static RecurrentBackend fromKey(String key) {
    for (RecurrentBackend b : values()) {
      if (b.key().equals(key)) {
        return b;
      }
    }
    throw new IllegalArgumentException("unknown backend '" + key + "'; expected one of "
        + Arrays.stream(values()).map(RecurrentBackend::key).collect(Collectors.joining(", ")));
  }

  /**
   * What the recurrent layers of the book's models (float32, Keras's default activations) run on
   * when this backend is asked for, in a few words; loads the native kernels to know.
   */
  public String summary() {
    if (this == UNROLLED || this == TENSORFLOW) {
      return key() + ": " + description;
    }
    String why = NativeKernels.whyUnavailable();
    if (why == null && "GPU".equals(rnnbook.keras.Devices.used())) {
      why = "a GPU is visible: TensorFlow's own ops run there";
    }
    return why == null ? key() + ": " + NativeKernels.status()
        : key() + ": " + TENSORFLOW.description + " (" + why + ")";
  }

  @Override
  public String toString() {
    return key();
  }
}
