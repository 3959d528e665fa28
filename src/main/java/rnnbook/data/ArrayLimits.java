package rnnbook.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How many values an array read or generated here may hold, so that a lying header or a huge
 * {@code --samples} is refused in one line instead of failing deep inside the JVM.
 */
public final class ArrayLimits {
  /** The longest Java array. */
  static final long JAVA_ARRAY_MAX = Integer.MAX_VALUE - 8;
  /** Heap per value while a model trains: the float64 data, its split, the float32 copies of fit, and room to spare. */
  static final long BYTES_PER_VALUE = 32;

  private ArrayLimits() {}

  /** The most values one array may hold in this JVM. */
  public static long maxValues() {
    return Math.min(JAVA_ARRAY_MAX, Runtime.getRuntime().maxMemory() / BYTES_PER_VALUE);
  }

  /** The limit in words, for error messages. */
  public static String describe() {
    return String.format(Locale.ROOT, "at most %,d values fit (%d bytes each in this JVM's heap of %,d MiB; "
        + "raise it with -Xmx)", maxValues(), BYTES_PER_VALUE, Runtime.getRuntime().maxMemory() >> 20);
  }

  /**
   * The number of values of {@code shape}, checked: no negative dimension, no overflow, within
   * {@link #maxValues()}.
   *
   * @param what names the array in the exception, such as {@code X.npy}
   * @throws IllegalArgumentException naming {@code what}, the shape and the limit
   */
  public static long count(String what, long... shape) {
    long n = product(what, shape);
    if (n > maxValues()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: shape %s holds %,d values; %s",
          what, format(shape), n, describe()));
    }
    return n;
  }

  /** The product of {@code shape}, refusing negative dimensions and overflow. */
  static long product(String what, long... shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(what + ": shape " + format(shape) + " has a negative dimension");
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(what + ": shape " + format(shape) + " holds more than 2^63 values; "
            + describe());
      }
    }
    return n;
  }

  static String format(long[] shape) {
    return Arrays.stream(shape).mapToObj(Long::toString)
        .collect(Collectors.joining(", ", "(", shape.length == 1 ? ",)" : ")"));
  }
}
