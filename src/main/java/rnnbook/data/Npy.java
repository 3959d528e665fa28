package rnnbook.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes numpy's {@code .npy} format (version 1.0, C order) for float64 and float32
 * arrays, so Python and Java can exchange the exact same data.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** An array read from or written to .npy: values in C order, widened to double. */
  public record Array(long[] shape, double[] data) {
    public Array {
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("shape dimensions must be >= 0, received " + Arrays.toString(shape));
        }
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " holds " + n + " values, received " + data.length);
      }
    }

    /** The values as float32, the dtype the models compute in. */
    public float[] floats() {
      float[] out = new float[data.length];
      for (int i = 0; i < data.length; i++) {
        out[i] = (float) data[i];
      }
      return out;
    }

    public String shapeString() {
      StringBuilder b = new StringBuilder("(");
      for (int i = 0; i < shape.length; i++) {
        b.append(shape[i]).append(shape.length == 1 || i < shape.length - 1 ? "," : "");
        if (i < shape.length - 1) {
          b.append(' ');
        }
      }
      return b.append(')').toString();
    }
  }

  /** The two dtypes written: numpy's {@code float64} ({@code <f8}) and {@code float32} ({@code <f4}). */
  public enum Dtype {
    FLOAT64("<f8", 8),
    FLOAT32("<f4", 4);

    private final String descr;
    private final int width;

    Dtype(String descr, int width) {
      this.descr = descr;
      this.width = width;
    }
  }

  /** Writes {@code array} as little-endian float64 ({@code <f8}). */
  public static byte[] toBytes(Array array) {
    return toBytes(array, Dtype.FLOAT64);
  }

  /**
   * Writes {@code array} as little-endian {@code dtype}; float32 rounds each value to the nearest
   * float, which is exact for values that were float32 to begin with (weights, predictions).
   */
  public static byte[] toBytes(Array array, Dtype dtype) {
    String dims = array.shapeString();
    String dict = "{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteBuffer buf =
        ByteBuffer.allocate(MAGIC.length + 4 + header.length() + dtype.width * array.data().length)
            .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII));
    for (double v : array.data()) {
      if (dtype == Dtype.FLOAT64) {
        buf.putDouble(v);
      } else {
        buf.putFloat((float) v);
      }
    }
    return buf.array();
  }

  /** A float32 array (such as a weight or a prediction) as an {@link Array}. */
  public static Array of(long[] shape, float[] values) {
    double[] data = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      data[i] = values[i];
    }
    return new Array(shape.clone(), data);
  }

  /** Reads a float64 or float32 .npy file in either byte order; anything else is rejected. */
  public static Array read(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /** Parses .npy bytes; {@code source} names the data in error messages. */
  public static Array parse(byte[] bytes, String source) {
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new IllegalArgumentException(source + " is not a .npy file (bad magic string)");
    }
    int major = bytes[6];
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen;
    int offset;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(buf.getShort(8));
      offset = 10;
    } else if (major == 2 || major == 3) {
      headerLen = buf.getInt(8);
      offset = 12;
    } else {
      throw new IllegalArgumentException(source + ": unsupported .npy version " + major);
    }
    if (offset + headerLen > bytes.length) {
      throw new IllegalArgumentException(source + ": truncated .npy header");
    }
    String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, source, "descr");
    if (group(FORTRAN, header, source, "fortran_order").equals("True")) {
      throw new IllegalArgumentException(source + ": Fortran-ordered arrays are not supported");
    }
    long[] shape =
        Arrays.stream(group(SHAPE, header, source, "shape").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String kind = descr.replaceFirst("^[<>=|]", "");
    int width =
        switch (kind) {
          case "f8" -> 8;
          case "f4" -> 4;
          default -> throw new IllegalArgumentException(
              source + ": expected a float64 or float32 array, found dtype '" + descr + "'");
        };
    int start = offset + headerLen;
    if ((long) bytes.length - start < count * width) {
      throw new IllegalArgumentException(
          source + ": truncated data, shape " + Arrays.toString(shape) + " needs "
              + count * width + " bytes, found " + (bytes.length - start));
    }
    ByteBuffer data = ByteBuffer.wrap(bytes, start, bytes.length - start).slice().order(order);
    double[] values = new double[(int) count];
    for (int i = 0; i < values.length; i++) {
      values[i] = width == 8 ? data.getDouble(i * 8) : data.getFloat(i * 4);
    }
    return new Array(shape, values);
  }

  private static String group(Pattern p, String header, String source, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(source + ": .npy header has no '" + key + "': " + header.trim());
    }
    return m.group(1);
  }
}
