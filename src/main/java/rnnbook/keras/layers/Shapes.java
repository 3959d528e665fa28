package rnnbook.keras.layers;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Keras's way of printing shapes: {@code (None, 100, 30)}. */
public final class Shapes {
  private Shapes() {}

  /** A shape without batch, as a tuple. */
  public static String format(long[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
  }

  /** A shape with a leading unknown batch: {@code (None, 100, 30)}. */
  public static String withBatch(long[] shape) {
    return Arrays.stream(shape)
        .mapToObj(Long::toString)
        .collect(Collectors.joining(", ", "(None, ", ")"));
  }
}
