package rnnbook.data;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header dictionary of an {@code .npy} file ({@code {'descr': '<f8', 'fortran_order': False,
 * 'shape': (3000, 100, 2), }}), checked as numpy checks it: a float dtype this project reads, C
 * order, and a shape of non-negative integers whose product fits ({@link ArrayLimits}).
 *
 * @param order the byte order of the data
 * @param width bytes per value: 8 for float64, 4 for float32
 * @param shape the array's shape
 * @param count the number of values, the product of the shape
 */
record NpyHeader(ByteOrder order, int width, long[] shape, long count) {
  /** numpy's own limit on the header it reads ({@code max_header_size} of {@code np.load}). */
  static final int MAX_HEADER_BYTES = 10_000;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final Pattern DIM = Pattern.compile("[0-9]+");

  /** Parses and checks {@code header}; {@code source} names the file in error messages. */
  static NpyHeader parse(String header, String source) {
    String descr = group(DESCR, header, source, "descr");
    if (group(FORTRAN, header, source, "fortran_order").equals("True")) {
      throw new IllegalArgumentException(source + ": Fortran-ordered arrays are not supported");
    }
    ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    int width = switch (descr.replaceFirst("^[<>=|]", "")) {
      case "f8" -> 8;
      case "f4" -> 4;
      default -> throw new IllegalArgumentException(
          source + ": expected a float64 or float32 array, found dtype '" + descr + "'");
    };
    String dims = group(SHAPE, header, source, "shape");
    List<Long> shape = new ArrayList<>();
    for (String d : dims.split(",", -1)) {
      String t = d.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!DIM.matcher(t).matches()) {
        throw new IllegalArgumentException(source + ": .npy header has shape (" + dims.trim()
            + "); every dimension must be an integer >= 0, found '" + t + "'");
      }
      try {
        shape.add(Long.parseLong(t));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(source + ": .npy header has shape (" + dims.trim()
            + "); the dimension " + t + " is too large");
      }
    }
    long[] s = shape.stream().mapToLong(Long::longValue).toArray();
    return new NpyHeader(order, width, s, ArrayLimits.count(source, s));
  }

  /** Bytes of data the shape needs. */
  long dataBytes() {
    return count * width;
  }

  private static String group(Pattern p, String header, String source, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(source + ": .npy header has no '" + key + "': " + header.trim());
    }
    return m.group(1);
  }
}
