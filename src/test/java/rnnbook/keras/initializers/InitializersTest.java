package rnnbook.keras.initializers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;

class InitializersTest {
  static double[] values(Initializer init, Shape shape, long seed) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> op = init.create(tf, shape, TFloat64.class, seed);
      try (Session s = new Session(g); Result r = s.runner().fetch(op).run()) {
        TFloat64 t = (TFloat64) r.get(0);
        assertEquals(shape, t.shape());
        double[] out = new double[(int) shape.size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"2, 120", "30, 120", "30, 1"})
  void glorotUniformFillsMinusLimitToLimit(long in, long out) {
    Shape shape = Shape.of(in, out);
    double limit = Math.sqrt(6.0 / (in + out));
    assertEquals(limit, GlorotUniform.limit(shape), 1e-15);
    double[] v = values(new GlorotUniform(), shape, 5);
    double min = Arrays.stream(v).min().orElseThrow();
    double max = Arrays.stream(v).max().orElseThrow();
    double mean = Arrays.stream(v).average().orElseThrow();
    assertTrue(min >= -limit && max <= limit, "inside [-limit, limit]");
    if (v.length >= 100) {
      assertTrue(min < -0.9 * limit && max > 0.9 * limit, "both ends reached: " + min + " " + max);
      // uniform on [-l, l] has standard deviation l / sqrt(3); the mean of n draws is near 0
      assertEquals(0, mean, 4 * limit / Math.sqrt(3 * v.length));
    }
  }

  @ParameterizedTest
  @CsvSource({"30, 120", "120, 30", "30, 90", "16, 16"})
  void orthogonalHasOrthonormalRowsOrColumns(int rows, int cols) {
    double[] w = values(new Orthogonal(), Shape.of(rows, cols), 11);
    boolean wide = rows < cols;
    int n = Math.min(rows, cols);
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        double dot = 0;
        for (int k = 0; k < Math.max(rows, cols); k++) {
          dot += wide ? w[a * cols + k] * w[b * cols + k] : w[k * cols + a] * w[k * cols + b];
        }
        assertEquals(a == b ? 1.0 : 0.0, dot, 1e-10, "Gram matrix at " + a + "," + b);
      }
    }
  }

  @Test
  void sameSeedSameTensorOtherSeedOther() {
    Shape s = Shape.of(4, 8);
    assertArrayEquals(values(new GlorotUniform(), s, 1), values(new GlorotUniform(), s, 1));
    assertFalse(Arrays.equals(values(new GlorotUniform(), s, 1), values(new GlorotUniform(), s, 2)));
    assertFalse(Seeds.derive(42, 0) == Seeds.derive(42, 1));
  }

  @Test
  void constantsFillTheShape() {
    assertArrayEquals(new double[] {0.03, 0.03, 0.03}, values(Initializer.constant(0.03), Shape.of(3), 0), 1e-15);
    assertArrayEquals(new double[] {0, 0}, values(Initializer.zeros(), Shape.of(2), 0));
    assertArrayEquals(new double[] {1, 2, 3, 4}, values(Initializer.constant(new double[] {1, 2, 3, 4}), Shape.of(2, 2), 0));
  }
}
