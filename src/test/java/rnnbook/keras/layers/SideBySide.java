package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import rnnbook.keras.CompiledModel;

/** Shared pieces of the tests that train two paths of one model side by side. */
final class SideBySide {
  private SideBySide() {}

  /** x in [-1, 1) of {@code samples} x {@code timesteps} x 2, and y in [0, 1) of {@code samples}. */
  static float[][] randomBatch(int samples, int timesteps, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[samples * timesteps * 2];
    float[] y = new float[samples];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) random.nextDouble(0, 1);
    }
    return new float[][] {x, y};
  }

  /** Every weight of {@code actual} within {@code tolerance} of {@code expected}'s. */
  static void assertWeightsClose(List<CompiledModel.WeightValue> expected,
      List<CompiledModel.WeightValue> actual, double tolerance) {
    assertEquals(expected.size(), actual.size());
    for (int k = 0; k < expected.size(); k++) {
      float[] p = expected.get(k).values();
      float[] q = actual.get(k).values();
      assertEquals(p.length, q.length);
      for (int i = 0; i < p.length; i++) {
        assertEquals(p[i], q[i], tolerance, expected.get(k).name() + "[" + i + "]");
      }
    }
  }
}
