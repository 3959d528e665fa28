package rnnbook.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes numpy's {@code .npy} format (version 1.0, C order) for float64 and float32
 * arrays, so Python and Java can exchange the exact same data.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private Npy() {}

  /** An array read from or written to .npy: values in C order, widened to double. */
  public record Array(long[] shape, double[] data) {
    public Array {
      long n = ArrayLimits.product("array", shape);
      if (n != data.length) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " holds " + n + " values, received " + data.length);
      }
    }

    /**
     * Refuses NaN, infinite values, and values beyond float32's range, which the models compute in
     * (they would become infinite), naming {@code source}, the value's index and the value.
     */
    public Array requireFinite(String source) {
      for (int i = 0; i < data.length; i++) {
        double v = data[i];
        if (!Double.isFinite(v) || Float.isInfinite((float) v)) {
          throw new IllegalArgumentException(source + ": the value at index " + index(i) + " is "
              + (Double.isFinite(v) ? v + ", beyond float32's range (the models compute in float32)" : repr(v))
              + "; the data must be finite");
        }
      }
      return this;
    }

    /** The numpy index of the {@code flat}-th value in C order, as {@code [3, 17, 1]}. */
    String index(long flat) {
      long[] idx = new long[shape.length];
      for (int d = shape.length - 1; d >= 0; d--) {
        idx[d] = flat % shape[d];
        flat /= shape[d];
      }
      return Arrays.toString(idx);
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

  /** NaN and infinities as numpy prints them. */
  static String repr(double v) {
    return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      write(bytes, array, dtype);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /** Writes {@code array} to {@code out} as little-endian {@code dtype}, in pieces (it may pass 2 GiB). */
  public static void write(OutputStream out, Array array, Dtype dtype) throws IOException {
    String dims = array.shapeString();
    String dict = "{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    out.write(head.array());
    out.write(header.getBytes(StandardCharsets.US_ASCII));
    double[] data = array.data();
    ByteBuffer buf = ByteBuffer.allocate(dtype.width * 8192).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < data.length; i++) {
      if (dtype == Dtype.FLOAT64) {
        buf.putDouble(data[i]);
      } else {
        buf.putFloat((float) data[i]);
      }
      if (!buf.hasRemaining() || i == data.length - 1) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
    }
  }

  /** Writes {@code array} to {@code file} as {@code dtype}, whole or not at all. */
  public static void write(Path file, Array array, Dtype dtype) throws IOException {
    AtomicWrite.file(file, content(array, dtype));
  }

  /** The content of {@code array} as an .npy file, for {@link AtomicWrite}. */
  public static AtomicWrite.Content content(Array array, Dtype dtype) {
    return tmp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
        write(out, array, dtype);
      }
    };
  }

  /** A float32 array (such as a weight or a prediction) as an {@link Array}. */
  public static Array of(long[] shape, float[] values) {
    double[] data = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      data[i] = values[i];
    }
    return new Array(shape.clone(), data);
  }

  /**
   * Reads a float64 or float32 .npy file in either byte order; anything else is rejected. Only a
   * regular file is read (not a folder, device or pipe), and no more than its header's shape needs,
   * which must fit {@link ArrayLimits}.
   */
  public static Array read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(Files.exists(file)
          ? file + " is not a regular file (a folder, device or pipe); expected an .npy file"
          : "cannot read " + file + ": no such file");
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return read(in, file.toString());
    }
  }

  /** Parses .npy bytes; {@code source} names the data in error messages. */
  public static Array parse(byte[] bytes, String source) {
    try {
      return read(new ByteArrayInputStream(bytes), source);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
  }

  /**
   * Reads one .npy array from {@code in}: the header (at most numpy's {@value
   * NpyHeader#MAX_HEADER_BYTES} bytes), then exactly the bytes its shape needs; bytes after them
   * are left unread, as numpy leaves them.
   */
  public static Array read(InputStream in, String source) throws IOException {
    byte[] start = in.readNBytes(8);
    if (start.length < 8 || !Arrays.equals(Arrays.copyOf(start, 6), MAGIC)) {
      throw new IllegalArgumentException(source + " is not a .npy file (bad magic string)");
    }
    int major = start[6] & 0xff;
    long headerLen;
    if (major == 1) {
      headerLen = littleEndian(in.readNBytes(2), 2, source);
    } else if (major == 2 || major == 3) {
      headerLen = littleEndian(in.readNBytes(4), 4, source);
    } else {
      throw new IllegalArgumentException(source + ": unsupported .npy version " + major);
    }
    if (headerLen > NpyHeader.MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(source + ": .npy header length " + headerLen + " is over the "
          + NpyHeader.MAX_HEADER_BYTES + " bytes numpy reads (max_header_size)");
    }
    byte[] header = in.readNBytes((int) headerLen);
    if (header.length < headerLen) {
      throw new IllegalArgumentException(source + ": truncated .npy header");
    }
    NpyHeader h = NpyHeader.parse(new String(header,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1), source);
    return new Array(h.shape(), readValues(in, h, source));
  }

  private static double[] readValues(InputStream in, NpyHeader h, String source) throws IOException {
    double[] values = new double[(int) h.count()];
    int width = h.width();
    byte[] chunk = new byte[width * 8192];
    int i = 0;
    while (i < values.length) {
      int want = Math.min(values.length - i, 8192) * width;
      int got = in.readNBytes(chunk, 0, want);
      ByteBuffer b = ByteBuffer.wrap(chunk, 0, got).order(h.order());
      for (int k = 0; k + width <= got; k += width) {
        values[i++] = width == 8 ? b.getDouble(k) : b.getFloat(k);
      }
      if (got < want) {
        throw new IllegalArgumentException(source + ": truncated data, shape " + ArrayLimits.format(h.shape())
            + " needs " + h.dataBytes() + " bytes, found " + ((long) i * width + got % width));
      }
    }
    return values;
  }

  private static long littleEndian(byte[] bytes, int length, String source) {
    if (bytes.length < length) {
      throw new IllegalArgumentException(source + ": truncated .npy header");
    }
    long v = 0;
    for (int i = bytes.length - 1; i >= 0; i--) {
      v = (v << 8) | (bytes[i] & 0xff);
    }
    return v;
  }
}
