package rnnbook.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz}: a zip archive of {@code .npy} files, one per array. {@code np.savez(path,
 * *arrays)} names them {@code arr_0.npy}, {@code arr_1.npy}, ... in order, which is how Keras
 * weights travel as {@code np.savez(path, *model.get_weights())}. Both stored ({@code savez}) and
 * deflated ({@code savez_compressed}) archives are read; archives are written stored, with a
 * fixed entry time, so that the same arrays give the same bytes.
 */
public final class Npz {
  private static final Pattern POSITIONAL = Pattern.compile("arr_(0|[1-9][0-9]*)");

  private static final LocalDateTime ZIP_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

  private Npz() {}

  /** Every array by its name without {@code .npy}, in archive order. */
  public static Map<String, Npy.Array> read(Path file) throws IOException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(!Files.exists(file) ? "cannot read " + file + ": no such file"
          : Files.isRegularFile(file) ? "cannot read " + file + ": permission denied"
          : file + " is not a regular file (a folder, device or pipe); expected an .npz file");
    }
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, 4) < 4 || head[0] != 'P' || head[1] != 'K') {
        throw new IllegalArgumentException(file + " is not an .npz file (not a zip archive)");
      }
    }
    Map<String, Npy.Array> arrays = new LinkedHashMap<>();
    long total = 0;
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String entry = e.getName();
        if (!entry.endsWith(".npy")) {
          throw new IllegalArgumentException(
              file + " is not an .npz file: entry '" + entry + "' is not an .npy array");
        }
        String name = entry.substring(0, entry.length() - 4);
        Npy.Array a = Npy.read(zip, file + ":" + entry);
        total += a.data().length;
        if (total > ArrayLimits.maxValues()) {
          throw new IllegalArgumentException(file + ": its arrays hold more than " + ArrayLimits.describe());
        }
        arrays.put(name, a);
      }
    } catch (ZipException | EOFException e) {
      throw new IllegalArgumentException(file + " is not a valid .npz file (truncated or corrupt zip): "
          + e.getMessage());
    }
    if (arrays.isEmpty()) {
      throw new IllegalArgumentException(file + " is not an .npz file: it holds no arrays");
    }
    return arrays;
  }

  /**
   * The arrays of {@code np.savez(path, *arrays)}: exactly {@code arr_0 .. arr_{n-1}}, returned
   * in index order whatever the archive order.
   */
  public static List<Npy.Array> readPositional(Path file) throws IOException {
    Map<String, Npy.Array> named = read(file);
    List<Npy.Array> out = new ArrayList<>();
    for (String name : named.keySet()) {
      Matcher m = POSITIONAL.matcher(name);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            file + ": expected arrays arr_0 .. arr_" + (named.size() - 1)
                + " as np.savez(path, *model.get_weights()) writes them, found '" + name + "'");
      }
    }
    for (int i = 0; i < named.size(); i++) {
      Npy.Array a = named.get("arr_" + i);
      if (a == null) {
        throw new IllegalArgumentException(
            file + ": expected arrays arr_0 .. arr_" + (named.size() - 1) + ", arr_" + i + " is missing");
      }
      out.add(a);
    }
    return out;
  }

  /**
   * The bytes of {@code np.savez(path, *arrays)}: uncompressed entries {@code arr_K.npy} in
   * order, each written as {@code dtype}.
   */
  public static byte[] toBytes(List<Npy.Array> arrays, Npy.Dtype dtype) throws IOException {
    Map<String, Npy.Array> named = new LinkedHashMap<>();
    for (int i = 0; i < arrays.size(); i++) {
      named.put("arr_" + i, arrays.get(i));
    }
    return toBytes(named, dtype);
  }

  /**
   * The bytes of {@code np.savez(path, **arrays)}: uncompressed entries {@code NAME.npy} in the
   * map's order, each written as {@code dtype}; {@code np.load} gives them back by name, in order.
   */
  public static byte[] toBytes(Map<String, Npy.Array> arrays, Npy.Dtype dtype) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, Npy.Array> a : arrays.entrySet()) {
        byte[] npy = Npy.toBytes(a.getValue(), dtype);
        ZipEntry e = new ZipEntry(a.getKey() + ".npy");
        e.setMethod(ZipEntry.STORED);
        e.setTimeLocal(ZIP_EPOCH); // the same arrays give the same bytes
        e.setSize(npy.length);
        CRC32 crc = new CRC32();
        crc.update(npy);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(npy);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** Writes {@link #toBytes} to {@code file}, whole or not at all. */
  public static void writePositional(Path file, List<Npy.Array> arrays, Npy.Dtype dtype)
      throws IOException {
    AtomicWrite.bytes(file, toBytes(arrays, dtype));
  }

  /** Writes {@code np.savez(path, **arrays)} to {@code file}, whole or not at all. */
  public static void write(Path file, Map<String, Npy.Array> arrays, Npy.Dtype dtype) throws IOException {
    AtomicWrite.bytes(file, toBytes(arrays, dtype));
  }

  /** Whether the names are {@code np.savez(path, *arrays)}'s: {@code arr_0 .. arr_{n-1}}. */
  public static boolean isPositional(Map<String, Npy.Array> arrays) {
    // distinct keys arr_K, each K below the count: exactly 0 .. n-1
    return !arrays.isEmpty() && arrays.keySet().stream().allMatch(name -> POSITIONAL.matcher(name).matches()
        && name.length() < 16 && Long.parseLong(name.substring(4)) < arrays.size());
  }
}
