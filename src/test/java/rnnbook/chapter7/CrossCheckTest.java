package rnnbook.chapter7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The comparison's arithmetic, worked out by hand; the end-to-end runs are in rnnbook.cli.InteropCommandsTest. */
class CrossCheckTest {
  @Test
  void diffIsMaxAndMeanOfAbsoluteDifferencesInFloat64() {
    float[] python = {0.5f, -1f, 2f, 0.25f};
    float[] java = {0.5f, -1.5f, 2.125f, 0.25f};
    CrossCheck.Diff d = CrossCheck.diff(python, java);
    assertEquals(0.5, d.max());
    assertEquals(1, d.argMax());
    assertEquals((0 + 0.5 + 0.125 + 0) / 4, d.mean(), 1e-15);
    CrossCheck.Diff nan = CrossCheck.diff(new float[] {1f, Float.NaN}, new float[] {1f, 1f});
    assertEquals(Double.POSITIVE_INFINITY, nan.max(), "a NaN never passes");
    assertThrows(IllegalStateException.class, () -> CrossCheck.diff(new float[2], new float[3]));
  }

  @Test
  void toleranceIsNumpysIscloseAtEveryScale() {
    // 19.5 off by 9.5e-6 is float rounding at that scale: 9.5e-6 <= 1e-5 + 1e-5 * 19.5
    assertEquals(0, CrossCheck.outside(new float[] {19.5f}, new float[] {19.5f + 9.5e-6f}, 1e-5, 1e-5));
    // 0.5 off by 2e-5 is not: 2e-5 > 1e-5 + 1e-5 * 0.5
    assertEquals(1, CrossCheck.outside(new float[] {0.5f, 1f}, new float[] {0.50002f, 1f}, 1e-5, 1e-5));
    assertEquals(1, CrossCheck.outside(new float[] {1f}, new float[] {Float.NaN}, 1, 1), "a NaN never passes");
  }

  @Test
  void chapterMetricsAreTheNotebooksMseAndCorrectness() {
    double[] y = {0.1, 0.5, 0.9, 0.3};
    float[] python = {0.1f, 0.55f, 0.9f, 0.3f}; // one off by 0.05 > 0.04
    float[] java = {0.12f, 0.5f, 0.8f, 0.3f}; // one off by 0.1
    CrossCheck.ChapterMetrics m = CrossCheck.chapterMetrics(y, python, java);
    double pyMse = 0;
    double javaMse = 0;
    for (int i = 0; i < y.length; i++) {
      pyMse += Math.pow((double) python[i] - y[i], 2) / y.length;
      javaMse += Math.pow((double) java[i] - y[i], 2) / y.length;
    }
    assertEquals(pyMse, m.pythonTestLoss(), 1e-15);
    assertEquals(javaMse, m.javaTestLoss(), 1e-15);
    assertEquals(75.0, m.pythonCorrectness());
    assertEquals(75.0, m.javaCorrectness());
  }

  @Test
  void optionsAreCheckedUpFront() {
    Path dir = Path.of("model");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CrossCheck.Options(dir, null, Path.of("x.npy"), null, Path.of("data"), 42, 10, 1e-5, 1e-5));
    assertEquals("give --input or --data, not both", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new CrossCheck.Options(dir, null, null, null, null, 42, 10, -1, 1e-5));
    assertTrue(e.getMessage().startsWith("--atol and --rtol must be >= 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new CrossCheck.Options(dir, null, null, Path.of("p.npy"), null, 42, 10, 1e-5, 1e-5));
    assertEquals("--expected needs --input: the inputs Python computed it from", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CrossCheck.Options(dir, null, null, null, null, 42, 0, 1e-5, 1e-5));
    assertThrows(IllegalArgumentException.class, () -> new CrossCheck.Options(dir, null, null, null, null, -1, 10, 1e-5, 1e-5));
  }
}
