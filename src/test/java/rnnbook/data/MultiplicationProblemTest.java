package rnnbook.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generator against arrays that numpy itself produced (src/test/python/make_fixtures.py). */
class MultiplicationProblemTest {
  private static final Path NUMPY = Path.of("src/test/resources/reference/numpy_data");

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 2024})
  void reproducesNumpyBitForBit(int seed) throws IOException {
    Path dir = NUMPY.resolve("seed_" + seed);
    MultiplicationProblem p = MultiplicationProblem.generate(seed);
    int row = 100 * 2;
    assertArrayEquals(Npy.read(dir.resolve("X_head.npy")).data(), Arrays.copyOfRange(p.x(), 0, 20 * row));
    assertArrayEquals(Npy.read(dir.resolve("X_tail.npy")).data(),
        Arrays.copyOfRange(p.x(), 2980 * row, 3000 * row));
    assertArrayEquals(Npy.read(dir.resolve("Y.npy")).data(), p.y());
  }

  @Test
  void numpyPrimitivesMatchKnownOutputs() {
    // np.random.seed(7); np.random.rand(3); np.random.choice(100, 2, replace=False);
    // np.random.permutation(10)
    NumpyRandomState r = new NumpyRandomState(7);
    assertArrayEquals(new double[] {0.07630828937395717, 0.7799187922401146, 0.4384092314408935}, r.rand(3));
    assertArrayEquals(new int[] {49, 81}, r.choiceWithoutReplacement(100, 2));
    assertArrayEquals(new int[] {9, 1, 8, 2, 0, 6, 4, 5, 3, 7}, r.permutation(10));
  }

  @Test
  void eachSampleHasTwoMarkersAndTheirProduct() {
    MultiplicationProblem p = MultiplicationProblem.generate(3, 50, 30);
    for (int s = 0; s < 50; s++) {
      double product = 1;
      int markers = 0;
      for (int t = 0; t < 30; t++) {
        double marker = p.x()[(s * 30 + t) * 2];
        double value = p.x()[(s * 30 + t) * 2 + 1];
        assertTrue(value >= 0 && value < 1);
        if (marker == 1.0) {
          markers++;
          product *= value;
        }
      }
      assertEquals(2, markers);
      assertEquals(product, p.y()[s]);
    }
  }

  @Test
  void npyRoundTripAndShapeErrors(@TempDir Path dir) throws IOException {
    MultiplicationProblem p = MultiplicationProblem.generate(11, 12, 5);
    p.writeNpy(dir);
    MultiplicationProblem back = MultiplicationProblem.readNpy(dir);
    assertArrayEquals(p.x(), back.x());
    assertArrayEquals(p.y(), back.y());
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary files left behind");
    }

    Files.write(dir.resolve("Y.npy"), Npy.toBytes(new Npy.Array(new long[] {11}, new double[11])));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.readNpy(dir));
    assertTrue(e.getMessage().contains("expected shape (12,)") && e.getMessage().contains("found (11,)"),
        e.getMessage());

    Files.write(dir.resolve("X.npy"), Npy.toBytes(new Npy.Array(new long[] {12, 5, 3}, new double[180])));
    e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.readNpy(dir));
    assertTrue(e.getMessage().contains("found (12, 5, 3)"), e.getMessage());

    Files.write(dir.resolve("X.npy"), new byte[] {1, 2, 3});
    e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.readNpy(dir));
    assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> MultiplicationProblem.readNpy(dir.resolve("missing")));
    assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
  }

  @Test
  void npyReadsFloat32AndRejectsOtherDtypes() {
    byte[] bytes = Npy.toBytes(new Npy.Array(new long[] {2}, new double[] {1.5, -2}));
    int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    String header = new String(bytes, 10, headerLen, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(header.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"), header);
    assertTrue(header.endsWith("\n"));
    assertEquals(0, (10 + headerLen) % 64, "data starts on a 64-byte boundary");
    assertEquals(10 + headerLen + 16, bytes.length);
    byte[] ints = bytes.clone();
    System.arraycopy("<i8".getBytes(), 0, ints, 21, 3);
    var e = assertThrows(IllegalArgumentException.class, () -> Npy.parse(ints, "a.npy"));
    assertTrue(e.getMessage().contains("float64 or float32"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Npy.parse(Arrays.copyOf(bytes, bytes.length - 3), "t.npy"));
  }

  @Test
  void rejectsSeedsNumpyRejects() {
    assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(-1));
    assertThrows(IllegalArgumentException.class, () -> new NumpyRandomState(1L << 32));
  }
}
