package rnnbook.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * .npy files as numpy writes them, and files that lie (src/test/python/make_npy_fixtures.py
 * checks that numpy reads the first and refuses the others); data that is not finite.
 */
class NpyFilesTest {
  private static final Path NPY = Path.of("src/test/resources/reference/npy");
  /** What numpy reads from the files it wrote: np.arange(6).reshape(2, 3) / 8 - 0.25. */
  private static final double[] VALUES = {-0.25, -0.125, 0, 0.125, 0.25, 0.375};

  @ParameterizedTest
  @CsvSource({"v2_float32.npy", "v3_big_endian.npy", "trailing_bytes.npy"})
  void readsWhatNumpyWritesAsNumpyReadsIt(String file) throws IOException {
    Npy.Array a = Npy.read(NPY.resolve(file));
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertArrayEquals(VALUES, a.data());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "lying_shape.npy | shape (12, 2305843009213693954, 2) holds more than 2^63 values; at most",
    "negative_dimension.npy | every dimension must be an integer >= 0, found '-2'",
    "negative_header_length.npy | header length 4294967291 is over the 10000 bytes numpy reads",
    "short_data.npy | truncated data, shape (12, 3, 2) needs 576 bytes, found 384"})
  void refusesWhatNumpyRefuses(String file, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> Npy.read(NPY.resolve(file)));
    assertTrue(e.getMessage().startsWith(NPY.resolve(file).toString()) && e.getMessage().contains(message),
        e.getMessage());
  }

  @Test
  void aShapeBeyondTheHeapIsRefusedNamingTheLimitBeforeAnythingIsRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("huge.npy");
    String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (9999999999,), }\n";
    byte[] head = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0};
    Files.write(file, head);
    Files.writeString(file, header + "12345678", java.nio.file.StandardOpenOption.APPEND);
    var e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file));
    long limit = ArrayLimits.maxValues();
    assertTrue(e.getMessage().contains("holds 9,999,999,999 values; at most " + String.format("%,d", limit)
        + " values fit") && e.getMessage().contains("-Xmx"), e.getMessage());
    assertTrue(limit <= Integer.MAX_VALUE - 8 && limit * 32 <= Runtime.getRuntime().maxMemory());
  }

  @Test
  void aDeviceIsNotReadEvenThroughASymlink(@TempDir Path dir) throws IOException {
    assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero here");
    Path link = Files.createSymbolicLink(dir.resolve("X.npy"), Path.of("/dev/zero"));
    var e = assertThrows(IllegalArgumentException.class, () -> Npy.read(link));
    assertEquals(link + " is not a regular file (a folder, device or pipe); expected an .npy file", e.getMessage());
    Path npz = Files.createSymbolicLink(dir.resolve("w.npz"), Path.of("/dev/zero"));
    e = assertThrows(IllegalArgumentException.class, () -> Npz.read(npz));
    assertTrue(e.getMessage().contains("is not a regular file"), e.getMessage());
    Files.delete(link);
    Files.delete(npz);
  }

  @ParameterizedTest
  @CsvSource({"NaN, nan", "Infinity, inf", "-Infinity, -inf", "1e39, '1.0E39, beyond float32''s range'"})
  void dataThatIsNotFiniteInFloat32IsRefusedNamingFileIndexAndValue(double bad, String shown) {
    double[] x = new double[2 * 3 * 2];
    x[1 * 6 + 2 * 2 + 1] = bad;
    Npy.Array a = new Npy.Array(new long[] {2, 3, 2}, x);
    var e = assertThrows(IllegalArgumentException.class, () -> a.requireFinite("data/X.npy"));
    assertTrue(e.getMessage().startsWith("data/X.npy: the value at index [1, 2, 1] is " + shown), e.getMessage());
    assertTrue(e.getMessage().endsWith("the data must be finite"), e.getMessage());
    x[11] = Float.MAX_VALUE;
    x[1 * 6 + 2 * 2 + 1] = -Float.MAX_VALUE;
    assertEquals(a, a.requireFinite("data/X.npy"), "float32's largest values are finite");
  }

  @Test
  void notFiniteDataIsRefusedWhenTheChaptersDataIsRead(@TempDir Path dir) throws IOException {
    MultiplicationProblem p = MultiplicationProblem.generate(1, 20, 4);
    double[] y = p.y().clone();
    y[7] = Double.NaN;
    Files.write(dir.resolve("X.npy"), Npy.toBytes(new Npy.Array(new long[] {20, 4, 2}, p.x())));
    Files.write(dir.resolve("Y.npy"), Npy.toBytes(new Npy.Array(new long[] {20}, y)));
    var e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.readNpy(dir));
    assertEquals(dir.resolve("Y.npy") + ": the value at index [7] is nan; the data must be finite", e.getMessage());
  }

  @Test
  void generatedSizesAreChecked() {
    var e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.generate(1, -5, 100));
    assertEquals("--samples must be >= 1 and --timesteps >= 2, received -5 and 100", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.generate(1, 1_000_000_000, 100));
    assertTrue(e.getMessage().startsWith("--samples 1000000000 of --timesteps 100: shape (1000000000, 100, 2) "
        + "holds 200,000,000,000 values; at most"), e.getMessage());
  }
}
