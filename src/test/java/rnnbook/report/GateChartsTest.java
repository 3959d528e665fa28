package rnnbook.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.io.GateFiles.Gate;
import rnnbook.io.GateFiles.Recording;
import rnnbook.io.GateFiles.Sample;

/** The gate pictures: marks where they belong on every map, the most active units, the color ranges. */
class GateChartsTest {
  private static final int STEPS = 40;
  private static final int UNITS = 12;
  private static final int MARK_RGB = 0xdc0000;

  /** A gate that is {@code high} at the marked timesteps and {@code low} elsewhere. */
  private static Gate spikes(String name, List<Integer> marked, float high, float low) {
    float[][] v = new float[STEPS][UNITS];
    for (int t = 0; t < STEPS; t++) {
      java.util.Arrays.fill(v[t], marked.contains(t) ? high : low);
    }
    return new Gate("lstm", name, v);
  }

  private static Recording recording(List<Integer> marked, Gate... gates) {
    List<Double> values = new ArrayList<>();
    for (int t = 0; t < STEPS; t++) {
      values.add(0.5);
    }
    return new Recording(new Sample("lstm", 0, 1, "test", "test", marked, values, 0.25, 0.25), List.of(gates));
  }

  @Test
  void everyMapMarksTheMarkedTimestepsInsideTheirCells(@TempDir Path dir) throws IOException {
    List<Integer> marked = List.of(0, 17, STEPS - 1);
    // i is 1 (yellow) and c is 1 (dark red) exactly at the marks: the dashed lines must fall inside those columns
    Recording r = recording(marked, spikes("i", marked, 1, 0), spikes("c", marked, 1, 0));
    GateCharts.write(dir, r);
    BufferedImage image = ImageIO.read(dir.resolve("heatmap_lstm.png").toFile());
    int[] cellColors = {0xfde725, 0xb2182b};
    for (int panel = 0; panel < 2; panel++) {
      int top = 52 + panel * 165;
      List<int[]> columns = new ArrayList<>(); // x ranges of the marked cells, from a row between dashes
      List<Integer> marks = new ArrayList<>(); // x of the dashed lines
      for (int y = top + 40; y < top + 120; y++) {
        List<int[]> found = new ArrayList<>();
        int start = -1;
        for (int x = 0; x < image.getWidth(); x++) {
          int rgb = image.getRGB(x, y) & 0xffffff;
          boolean cell = rgb == cellColors[panel] || rgb == MARK_RGB;
          if (cell && start < 0) {
            start = x;
          }
          if (!cell && start >= 0) {
            found.add(new int[] {start, x - 1});
            start = -1;
          }
          if (rgb == MARK_RGB && !marks.contains(x)) {
            marks.add(x);
          }
        }
        if (found.size() > columns.size()) {
          columns = found;
        }
      }
      columns.removeIf(c -> c[0] > 900); // the color bar
      assertEquals(3, columns.size(), "three marked cells in panel " + panel);
      assertTrue(marks.size() >= 3, "the dashed lines of panel " + panel + ": " + marks);
      for (int x : marks) {
        assertTrue(columns.stream().anyMatch(c -> c[0] < x && x < c[1]),
            "a mark at x=" + x + " lies inside a marked cell of panel " + panel);
      }
      for (int[] c : columns) {
        assertTrue(marks.stream().anyMatch(x -> c[0] < x && x < c[1]), "every marked cell has its line");
      }
    }
    BufferedImage state = ImageIO.read(dir.resolve("state_lstm.png").toFile());
    assertTrue(state.getWidth() == 1000 && state.getHeight() == 400);
  }

  @Test
  void theStateChartFollowsTheUnitsThatChangeMostAtTheMarks() {
    float[][] c = new float[STEPS][UNITS];
    for (int t = 0; t < STEPS; t++) {
      c[t][3] = t >= 10 ? 0.9f : 0; // writes 0.9 at the mark and holds it
      c[t][7] = t >= 10 ? -0.5f : 0;
      c[t][1] = 0.01f * t; // drifts, but hardly at the mark
      c[t][5] = t == 30 ? 2f : 0; // changes a lot, but not at the mark
    }
    Recording r = recording(List.of(10), new Gate("lstm", "c", c));
    assertEquals(List.of(3, 7, 1), GateCharts.mostActive(r, r.gate("lstm", "c"), 3));
    assertEquals("c", GateCharts.memory(r, "lstm"));
    assertArrayEquals(new double[] {-2, 2}, GateCharts.range(r.gate("lstm", "c")));
    assertArrayEquals(new double[] {0, 1}, GateCharts.range(spikes("f", List.of(1), 0.9f, 0.2f)));
    assertArrayEquals(new double[] {-1, 1}, GateCharts.range(spikes("g", List.of(1), 0.9f, 0.2f)),
        "a tanh is drawn on [-1, 1] even when it happens to stay positive");
  }

  @Test
  void theStudysBoxUsesNumpysQuantiles() {
    // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) == [1.75, 2.5, 3.25]
    double[] v = {1, 2, 3, 4};
    assertEquals(1.75, StudyCharts.quantile(v, 0.25), 1e-12);
    assertEquals(2.5, StudyCharts.quantile(v, 0.5), 1e-12);
    assertEquals(3.25, StudyCharts.quantile(v, 0.75), 1e-12);
    assertEquals(7, StudyCharts.quantile(new double[] {7}, 0.25));
  }
}
