package rnnbook.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.Run;
import rnnbook.keras.History;

/**
 * The study's charts, in {@code results/study/}: correctness per model with every run a dot over a
 * box of its quartiles, and every run's val_loss on one log-scale chart.
 */
public final class StudyCharts {
  public static final String CORRECTNESS = "correctness";
  public static final String VAL_LOSS = "val_loss";
  private static final List<String> MODELS = List.of("simple_rnn", "lstm", "gru");
  private static final double HALF_BOX = 0.22;
  /** Where the models' names go, above 100 %. */
  private static final double LABELS = 106;

  private StudyCharts() {}

  /** Reads the study folder and writes both charts into it, PNG and SVG. */
  public static void write(Path studyDir) throws IOException {
    StudyResults s = StudyResults.read(studyDir);
    ChartFiles.write(studyDir, CORRECTNESS, correctness(s.runs()));
    ChartFiles.write(studyDir, VAL_LOSS, valLoss(s.histories()));
  }

  /** One color per model key, the chapter's (matplotlib's first colors in the notebook's order). */
  static Color color(String model) {
    int i = MODELS.indexOf(model);
    return ReportCharts.modelColor(i < 0 ? MODELS.size() : i);
  }

  private static Color alpha(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
  }

  /** Correctness of every run, one column per model: dots over a box (quartiles, median, min to max). */
  static XYChart correctness(List<Run> runs) {
    List<String> models = runs.stream().map(Run::model).distinct()
        .sorted((a, b) -> Integer.compare(MODELS.indexOf(a), MODELS.indexOf(b))).toList();
    long seeds = runs.stream().map(Run::seed).distinct().count();
    XYChart chart = new XYChartBuilder().width(640).height(460)
        .title("Correctness per model over " + seeds + " seed" + (seeds == 1 ? "" : "s") + " (every run a dot)")
        .xAxisTitle("box: quartiles and median; whiskers: min to max").yAxisTitle("correct (%)").build();
    var st = chart.getStyler();
    st.setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE);
    st.setLegendVisible(false);
    st.setPlotGridVerticalLinesVisible(false);
    // XChart places number ticks where it likes: the models are named above their columns instead
    st.setXAxisMin(0.5).setXAxisMax(models.size() + 0.5).setYAxisMin(0.0).setYAxisMax(LABELS + 6);
    st.setXAxisTicksVisible(false);
    st.setYAxisDecimalPattern("0");
    st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    st.setAnnotationTextFontColor(Color.DARK_GRAY);
    st.setMarkerSize(9);
    for (int m = 0; m < models.size(); m++) {
      String key = models.get(m);
      double x = m + 1;
      Color color = color(key);
      double[] v = runs.stream().filter(r -> r.model().equals(key)).mapToDouble(Run::correctness)
          .filter(Double::isFinite).toArray();
      if (v.length == 0) {
        continue;
      }
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      double q1 = quantile(sorted, 0.25);
      double median = quantile(sorted, 0.5);
      double q3 = quantile(sorted, 0.75);
      line(chart, key + " box", new double[] {x - HALF_BOX, x + HALF_BOX, x + HALF_BOX, x - HALF_BOX, x - HALF_BOX},
          new double[] {q1, q1, q3, q3, q1}, color, 1.5f);
      line(chart, key + " median", new double[] {x - HALF_BOX, x + HALF_BOX}, new double[] {median, median}, color, 3f);
      line(chart, key + " low", new double[] {x, x}, new double[] {sorted[0], q1}, color, 1.2f);
      line(chart, key + " high", new double[] {x, x}, new double[] {q3, sorted[sorted.length - 1]}, color, 1.2f);
      // the runs spread evenly across the box in seed order, so equal values do not hide each other
      double[] xs = new double[v.length];
      for (int j = 0; j < v.length; j++) {
        xs[j] = v.length == 1 ? x : x - 0.8 * HALF_BOX + 1.6 * HALF_BOX * j / (v.length - 1);
      }
      chart.addAnnotation(new AnnotationText(key + " (" + v.length + ")", x, LABELS, false));
      XYSeries dots = chart.addSeries(key + " runs", xs, v);
      dots.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
      dots.setMarker(SeriesMarkers.CIRCLE);
      dots.setMarkerColor(alpha(color, 170));
    }
    return chart;
  }

  /** Every run's val_loss per epoch, one color per model, log scale, with the plateau exit marked. */
  static XYChart valLoss(Map<String, Map<Long, History>> histories) {
    XYChart chart = new XYChartBuilder().width(760).height(500)
        .title("val_loss of every run (log scale)").xAxisTitle("Epoch").yAxisTitle("val_loss").build();
    var st = chart.getStyler();
    st.setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE);
    st.setYAxisLogarithmic(true).setYAxisDecimalPattern("0.######").setXAxisDecimalPattern("0");
    st.setLegendPosition(Styler.LegendPosition.InsideSW);
    int epochs = 1;
    for (var e : histories.entrySet()) {
      Color color = alpha(color(e.getKey()), 150);
      boolean first = true;
      for (var run : e.getValue().entrySet()) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> values = run.getValue().valLoss();
        for (int i = 0; i < values.size(); i++) {
          if (values.get(i) > 0 && Double.isFinite(values.get(i))) {
            xs.add(i + 1.0);
            ys.add(values.get(i));
          }
        }
        epochs = Math.max(epochs, values.size());
        if (xs.isEmpty()) {
          continue;
        }
        XYSeries s = chart.addSeries(first ? e.getKey() + " (" + e.getValue().size() + " runs)"
            : e.getKey() + " seed " + run.getKey(), xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(1.3f));
        s.setShowInLegend(first);
        first = false;
      }
    }
    XYSeries exit = chart.addSeries("val_loss " + StudyFiles.PLATEAU_EXIT + ": left the plateau",
        new double[] {1, Math.max(2, epochs)}, new double[] {StudyFiles.PLATEAU_EXIT, StudyFiles.PLATEAU_EXIT});
    exit.setMarker(SeriesMarkers.NONE);
    exit.setLineColor(Color.DARK_GRAY);
    exit.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 5f}, 0f));
    return chart;
  }

  private static void line(XYChart chart, String name, double[] xs, double[] ys, Color color, float width) {
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setLineStyle(new BasicStroke(width));
    s.setShowInLegend(false);
  }

  /** numpy's default (linear) quantile of sorted values. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
