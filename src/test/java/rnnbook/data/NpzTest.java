package rnnbook.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npz as numpy writes it (np.savez in src/test/python/make_predict_fixtures.py) and as we write it. */
class NpzTest {
  private static final Path NUMPY_NPZ = Path.of("src/test/resources/reference/predict/lstm/weights.npz");

  @Test
  void readsNumpysSavezInIndexOrder() throws IOException {
    assertEquals(List.of("arr_0", "arr_1", "arr_2", "arr_3", "arr_4", "arr_5", "arr_6", "arr_7"),
        List.copyOf(Npz.read(NUMPY_NPZ).keySet()));
    List<Npy.Array> arrays = Npz.readPositional(NUMPY_NPZ);
    long[][] shapes = {{2, 120}, {30, 120}, {120}, {30, 120}, {30, 120}, {120}, {30, 1}, {1}};
    for (int i = 0; i < shapes.length; i++) {
      assertArrayEquals(shapes[i], arrays.get(i).shape(), "arr_" + i);
    }
    // float32 values widen exactly: every one is a float
    for (double v : arrays.get(0).data()) {
      assertEquals(v, (double) (float) v);
    }
  }

  @Test
  void roundTripsAsStoredArrK(@TempDir Path dir) throws IOException {
    Npy.Array a = Npy.of(new long[] {2, 3}, new float[] {1.5f, -2f, 0.1f, 3e-8f, Float.MAX_VALUE, -0f});
    Npy.Array b = Npy.of(new long[] {1}, new float[] {7f});
    Path file = dir.resolve("w.npz");
    Npz.writePositional(file, List.of(a, b), Npy.Dtype.FLOAT32);
    List<Npy.Array> back = Npz.readPositional(file);
    assertArrayEquals(a.shape(), back.get(0).shape());
    assertArrayEquals(a.data(), back.get(0).data());
    assertArrayEquals(b.data(), back.get(1).data());
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("arr_0.npy") && text.contains("arr_1.npy"));
    assertTrue(text.contains("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), "float32 .npy inside");
  }

  @Test
  void indexOrderWinsOverArchiveOrder(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("w.npz");
    Files.write(file, zip("arr_1.npy", npy(2), "arr_0.npy", npy(1)));
    List<Npy.Array> arrays = Npz.readPositional(file);
    assertEquals(1.0, arrays.get(0).data()[0]);
    assertEquals(2.0, arrays.get(1).data()[0]);
  }

  @Test
  void badArchivesAreNamed(@TempDir Path dir) throws IOException {
    Path named = dir.resolve("named.npz");
    Files.write(named, zip("kernel.npy", npy(1)));
    assertMessage(named, "expected arrays arr_0 .. arr_0 as np.savez(path, *model.get_weights()) writes them, found 'kernel'");
    Path gap = dir.resolve("gap.npz");
    Files.write(gap, zip("arr_0.npy", npy(1), "arr_2.npy", npy(1)));
    assertMessage(gap, "arr_1 is missing");
    Path text = dir.resolve("text.npz");
    Files.writeString(text, "not a zip");
    assertMessage(text, "is not an .npz file (not a zip archive)");
    Path other = dir.resolve("other.npz");
    Files.write(other, zip("readme.txt", new byte[] {1}));
    assertMessage(other, "entry 'readme.txt' is not an .npy array");
    Path truncated = dir.resolve("truncated.npz");
    byte[] whole = Files.readAllBytes(NUMPY_NPZ);
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npz.readPositional(truncated));
    assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
    assertMessage(dir.resolve("absent.npz"), "no such file");
  }

  private static void assertMessage(Path file, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npz.readPositional(file));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  private static byte[] npy(double v) {
    return Npy.toBytes(new Npy.Array(new long[] {1}, new double[] {v}));
  }

  private static byte[] zip(Object... nameAndBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (int i = 0; i < nameAndBytes.length; i += 2) {
        zip.putNextEntry(new ZipEntry((String) nameAndBytes[i]));
        zip.write((byte[]) nameAndBytes[i + 1]);
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
