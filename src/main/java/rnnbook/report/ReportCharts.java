package rnnbook.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.keras.History;

/** The report's charts, beyond the notebook's loss figure ({@link LossPlot}). */
final class ReportCharts {
  /** One color per model, in the run's order (matplotlib's first colors). */
  private static final Color[] MODEL_COLORS = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd)
  };
  private static final Color BOOK_LOSS = new Color(0x7fa7ff);
  private static final Color BOOK_VAL_LOSS = new Color(0xff9a9a);
  private static final Color KERAS_LOSS = new Color(0x2ca02c);
  private static final Color KERAS_VAL_LOSS = new Color(0xff7f0e);
  private static final Color CORRECT = new Color(0, 140, 60, 150);
  private static final Color WRONG = new Color(220, 30, 30, 170);

  private ReportCharts() {}

  static Color modelColor(int index) {
    return MODEL_COLORS[index % MODEL_COLORS.length];
  }

  /** Every model's val_loss per epoch on a log scale, where LSTM's plateau and drop show. */
  static XYChart valLoss(Map<String, History> histories) {
    XYChart chart = xy(720, 480, "val_loss per epoch (log scale)", "Epoch", "val_loss");
    chart.getStyler().setYAxisLogarithmic(true).setYAxisDecimalPattern("0.######");
    // the curves start together near 0.05 and the learners fall to the right: the lower left is free
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
    int i = 0;
    for (var e : histories.entrySet()) {
      style(line(chart, e.getKey(), e.getValue().valLoss()), modelColor(i++), null);
    }
    return chart;
  }

  /** Our loss and val_loss beside the notebook's, log scale. */
  static XYChart versusBook(String model, History ours, History book) {
    XYChart chart = xy(640, 480, model + ": this run and the Python notebook (log scale)", "Epoch", "loss");
    chart.getStyler().setYAxisLogarithmic(true).setYAxisDecimalPattern("0.######");
    style(line(chart, "loss", ours.loss()), Color.BLUE, null);
    style(line(chart, "val_loss", ours.valLoss()), Color.RED, new float[] {8f, 6f});
    style(line(chart, "book loss", book.loss()), BOOK_LOSS, new float[] {2f, 3f});
    style(line(chart, "book val_loss", book.valLoss()), BOOK_VAL_LOSS, new float[] {2f, 3f});
    return chart;
  }

  /**
   * Our loss and val_loss beside Keras's from the same start, log scale, with a gray line at the
   * last epoch up to which they agree (none when they part at the first).
   */
  static XYChart versusKeras(String model, History ours, History keras, int agreeUpTo) {
    XYChart chart = xy(640, 480, model + ": this run and Keras, same start (log scale)", "Epoch", "loss");
    chart.getStyler().setYAxisLogarithmic(true).setYAxisDecimalPattern("0.######");
    style(line(chart, "loss", ours.loss()), Color.BLUE, null);
    style(line(chart, "val_loss", ours.valLoss()), Color.RED, new float[] {8f, 6f});
    style(line(chart, "Keras loss", keras.loss()), KERAS_LOSS, new float[] {3f, 3f});
    style(line(chart, "Keras val_loss", keras.valLoss()), KERAS_VAL_LOSS, new float[] {3f, 3f});
    if (agreeUpTo > 0) {
      double lo = Double.MAX_VALUE;
      double hi = 0;
      for (History h : List.of(ours, keras)) {
        for (List<Double> c : List.of(h.loss(), h.valLoss())) {
          for (double v : c) {
            if (v > 0) {
              lo = Math.min(lo, v);
              hi = Math.max(hi, v);
            }
          }
        }
      }
      style(chart.addSeries("same to 1e-5 up to epoch " + agreeUpTo, new double[] {agreeUpTo, agreeUpTo},
          new double[] {lo, hi}), Color.GRAY, new float[] {2f, 2f});
    }
    return chart;
  }

  /** Prediction against target on the test set, with y = x and the band of correct predictions. */
  static XYChart predictions(String model, List<Prediction> all, double tolerance) {
    long correct = all.stream().filter(Prediction::correct).count();
    List<Prediction> predictions = all.stream().filter(ReportCharts::drawable).toList();
    XYChart chart = xy(640, 480, model + ": predicted vs true (" + correct + " of " + all.size()
        + " within " + tolerance + notDrawn(all.size() - predictions.size()) + ")", "true y", "prediction");
    chart.getStyler().setMarkerSize(5);
    chart.getStyler().setXAxisDecimalPattern("0.0");
    double lo = 0;
    double hi = 0;
    for (Prediction p : predictions) {
      lo = Math.min(lo, Math.min(p.y(), p.prediction()));
      hi = Math.max(hi, Math.max(p.y(), p.prediction()));
    }
    double[] ends = {lo, hi};
    style(chart.addSeries("y = x", ends, ends), Color.BLACK, null);
    style(chart.addSeries("y = x \u00b1 " + tolerance, ends, new double[] {lo + tolerance, hi + tolerance}),
        Color.GRAY, new float[] {6f, 4f});
    style(chart.addSeries(" ", ends, new double[] {lo - tolerance, hi - tolerance}), Color.GRAY,
        new float[] {6f, 4f}).setShowInLegend(false);
    scatter(chart, "correct", predictions.stream().filter(Prediction::correct).toList(), CORRECT);
    scatter(chart, "wrong", predictions.stream().filter(p -> !p.correct()).toList(), WRONG);
    chart.getStyler().setXAxisMin(lo).setXAxisMax(hi).setYAxisMin(lo - tolerance).setYAxisMax(hi + tolerance);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    return chart;
  }

  /** The histogram of |prediction - y|, with the tolerance drawn as a vertical line. */
  static XYChart errors(String model, List<Prediction> all, double tolerance) {
    List<Prediction> predictions = all.stream().filter(p -> Double.isFinite(p.absDiff())).toList();
    double max = predictions.stream().mapToDouble(Prediction::absDiff).max().orElse(0);
    double width = tolerance / 8;
    while (max / width > 60) {
      width *= 2;
    }
    int bins = (int) Math.max(Math.ceil(max / width), Math.round(2 * tolerance / width));
    int[] counts = new int[bins];
    for (Prediction p : predictions) {
      counts[Math.min(bins - 1, (int) (p.absDiff() / width))]++;
    }
    List<Double> xs = new ArrayList<>(List.of(0.0));
    List<Double> ys = new ArrayList<>(List.of(0.0));
    int top = 0;
    for (int b = 0; b < bins; b++) {
      xs.addAll(List.of(b * width, (b + 1) * width));
      ys.addAll(List.of((double) counts[b], (double) counts[b]));
      top = Math.max(top, counts[b]);
    }
    xs.add(bins * width);
    ys.add(0.0);
    long within = all.stream().filter(Prediction::correct).count();
    XYChart chart = xy(640, 480, model + ": |prediction - y| (" + within + " of " + all.size()
        + " within " + tolerance + notDrawn(all.size() - predictions.size()) + ")", "|prediction - y|",
        "test samples");
    XYSeries bars = chart.addSeries("samples per bin of " + trim(width), xs, ys);
    bars.setXYSeriesRenderStyle(XYSeriesRenderStyle.Area);
    bars.setLineColor(new Color(0x1f77b4));
    bars.setFillColor(new Color(31, 119, 180, 110));
    bars.setMarker(SeriesMarkers.NONE);
    style(chart.addSeries("threshold " + tolerance, new double[] {tolerance, tolerance},
        new double[] {0, top * 1.05 + 1}), Color.RED, new float[] {8f, 6f});
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(bins * width).setYAxisMin(0.0);
    chart.getStyler().setXAxisDecimalPattern("0.0##");
    chart.getStyler().setYAxisDecimalPattern("0");
    return chart;
  }

  private static boolean drawable(Prediction p) {
    return Double.isFinite(p.y()) && Float.isFinite(p.prediction());
  }

  /** ", 3 NaN or infinite not drawn", or nothing. */
  private static String notDrawn(long n) {
    return n == 0 ? "" : "; " + n + " NaN or infinite, not drawn";
  }

  /** Parameters per model. */
  static CategoryChart params(List<String> models, List<Long> params) {
    CategoryChart chart = bars("Parameters per model", "parameters");
    chart.getStyler().setYAxisDecimalPattern("#,##0").setLegendVisible(false);
    chart.addSeries("parameters", models, params).setFillColor(new Color(0x4c72b0));
    return chart;
  }

  /**
   * Correctness per model in percent; Keras's from the same start and the notebook's beside ours,
   * each when it knows every model's.
   */
  static CategoryChart correctness(List<String> models, List<Double> ours, List<Double> keras, List<Double> book) {
    CategoryChart chart = bars("Correctness on the test set", "correct (%)");
    chart.getStyler().setYAxisDecimalPattern("0.0").setYAxisMin(0.0).setYAxisMax(100.0);
    // a correctness that is not a number (an edited summary.csv) is drawn as no bar
    chart.addSeries("this run", models, ours.stream().map(v -> Double.isFinite(v) ? v : 0.0).toList())
        .setFillColor(new Color(0x4c72b0));
    if (keras.stream().allMatch(v -> v != null)) {
      chart.addSeries("Keras, same start", models,
          keras.stream().map(v -> Double.isFinite(v) ? v : 0.0).toList()).setFillColor(new Color(0x55a868));
    }
    if (book.stream().allMatch(v -> v != null)) {
      chart.addSeries("Python notebook", models, book)
          .setFillColor(new Color(0xc0c0c0));
    }
    return chart;
  }

  private static CategoryChart bars(String title, String yTitle) {
    CategoryChart chart = new CategoryChartBuilder().width(560).height(400).title(title)
        .xAxisTitle("model").yAxisTitle(yTitle).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    return chart;
  }

  private static XYChart xy(int width, int height, String title, String xTitle, String yTitle) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisDecimalPattern("0");
    return chart;
  }

  /**
   * A per-epoch line from epoch 1, leaving out NaN (no validation, or a diverged run), infinities
   * and, on a log axis, values <= 0: XChart cannot place them.
   */
  private static XYSeries line(XYChart chart, String name, List<Double> values) {
    boolean log = chart.getStyler().isYAxisLogarithmic();
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int e = 0; e < values.size(); e++) {
      double v = values.get(e);
      if (Double.isFinite(v) && (!log || v > 0)) {
        xs.add(e + 1.0);
        ys.add(v);
      }
    }
    if (xs.isEmpty()) {
      return null;
    }
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  private static XYSeries style(XYSeries s, Color color, float[] dash) {
    if (s != null) {
      s.setLineColor(color);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineStyle(new BasicStroke(dash == null ? 2f : 1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
          10f, dash, 0f));
    }
    return s;
  }

  private static void scatter(XYChart chart, String name, List<Prediction> points, Color color) {
    if (points.isEmpty()) {
      return;
    }
    XYSeries s = chart.addSeries(name + " (" + points.size() + ")",
        points.stream().map(Prediction::y).toList(),
        points.stream().map(p -> (double) p.prediction()).toList());
    s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setMarkerColor(color);
  }

  private static String trim(double v) {
    return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
