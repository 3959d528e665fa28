package rnnbook.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rnnbook.data.AtomicWrite;
import rnnbook.io.GateFiles.Gate;
import rnnbook.io.GateFiles.Recording;

/**
 * Pictures of a gate recording, beside it: per recurrent layer, {@code heatmap_<layer>.png} (one
 * heat map per gate, timestep across, unit up, stacked on a shared time axis) and {@code
 * state_<layer>.png} (the memory of the units that change most at the marks: the LSTM's cell state
 * c, the GRU's h). The two marked timesteps are dashed red lines on every map and chart.
 */
public final class GateCharts {
  public static final String HEATMAP = "heatmap_";
  public static final String STATE = "state_";
  /** Units drawn in the state chart. */
  static final int TOP_UNITS = 5;
  private static final int WIDTH = 1000;
  /** Room right of each map for its color bar, drawn here: XChart's would change the plot's width. */
  private static final int BAR = 64;
  private static final int PANEL = 165;
  private static final int AXIS_TITLE = 24;
  private static final int HEADER = 52;
  private static final Color MARK = new Color(220, 0, 0);
  private static final Color[] UNIT_INTERVAL = { // viridis, 0 to 1
    new Color(0x440154), new Color(0x3b528b), new Color(0x21918c), new Color(0x5ec962), new Color(0xfde725)};
  private static final Color[] SIGNED = { // blue, white at 0, red
    new Color(0x2166ac), new Color(0x92c5de), Color.WHITE, new Color(0xf4a582), new Color(0xb2182b)};
  private static final Map<String, String> LSTM_GATES = Map.of(
      "i", "input gate, how much of g is written into c",
      "f", "forget gate, how much of c is kept",
      "g", "candidate tanh(x W_c + h U_c + b_c), what would be written",
      "o", "output gate, how much of tanh(c) goes out as h",
      "c", "cell state f * c + i * g, the memory",
      "h", "hidden state o * tanh(c), the layer's output");
  private static final Map<String, String> GRU_GATES = Map.of(
      "z", "update gate, 1 keeps h, 0 replaces it by hh",
      "r", "reset gate, how much of h goes into the candidate",
      "hh", "candidate, what would be written",
      "h", "hidden state z * h + (1 - z) * hh, memory and output");

  private GateCharts() {}

  /** Writes every picture of {@code r} into {@code dir}; returns their file names, heat maps first. */
  public static List<String> write(Path dir, Recording r) throws IOException {
    List<String> names = new ArrayList<>();
    for (String layer : r.layers()) {
      AtomicWrite.bytes(dir.resolve(HEATMAP + layer + ".png"), png(heatmaps(r, layer)));
      names.add(HEATMAP + layer + ".png");
    }
    for (String layer : r.layers()) {
      ChartFiles.write(dir, STATE + layer, states(r, layer));
      names.add(STATE + layer + ".png");
    }
    return names;
  }

  /** The state a layer remembers with: c for an LSTM, h for a GRU. */
  static String memory(Recording r, String layer) {
    return r.of(layer).stream().anyMatch(g -> g.gate().equals("c")) ? "c" : "h";
  }

  static String describe(Recording r, String gate) {
    Map<String, String> names = r.gates().stream().anyMatch(g -> g.gate().equals("c")) ? LSTM_GATES : GRU_GATES;
    return names.getOrDefault(gate, gate);
  }

  /** One heat map per gate of {@code layer}, stacked, under a line naming the sample and the marks. */
  static BufferedImage heatmaps(Recording r, String layer) {
    List<Gate> gates = r.of(layer);
    int height = HEADER + PANEL * gates.size() + AXIS_TITLE;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, height);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(r.sample().model() + ", layer " + layer + ", test sample " + r.sample().sample() + ": every gate at "
          + "every timestep", 12, 20);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString(marksText(r) + "  Dashed red lines: the marked timesteps.", 12, 40);
      for (int i = 0; i < gates.size(); i++) {
        boolean last = i == gates.size() - 1;
        int h = PANEL + (last ? AXIS_TITLE : 0);
        Graphics2D panel = (Graphics2D) g.create(0, HEADER + i * PANEL, WIDTH, h);
        heatmap(r, gates.get(i), last).paint(panel, WIDTH - BAR, h);
        colorBar(panel, WIDTH - BAR + 6, range(gates.get(i)));
        panel.dispose();
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  /** "Marked: t=12 (0.4172) and t=57 (0.9020); y = 0.3763, prediction 0.3751." */
  public static String marksText(Recording r) {
    var s = r.sample();
    List<String> marks = s.marked().stream()
        .map(t -> String.format(Locale.ROOT, "t=%d (value %.4f)", t, s.values().get(t))).toList();
    return String.format(Locale.ROOT, "Marked: %s; y = %.4f, prediction %.4f.", String.join(" and ", marks), s.y(),
        s.prediction());
  }

  private static HeatMapChart heatmap(Recording r, Gate gate, boolean timeAxis) {
    int steps = gate.timesteps();
    int units = gate.units();
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH - BAR).height(PANEL)
        .title(gate.gate() + ": " + describe(r, gate.gate())).xAxisTitle(timeAxis ? "timestep" : "")
        .yAxisTitle("unit").build();
    var st = chart.getStyler();
    double[] range = range(gate);
    st.setRangeColors(colors(range)).setMin(range[0]).setMax(range[1]);
    st.setShowValue(false).setDrawBorder(false);
    st.setPlotGridLinesVisible(false);
    st.setAntiAlias(false); // cells edge to edge, no seams
    st.setChartBackgroundColor(Color.WHITE);
    st.setChartPadding(4);
    st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    // XChart cannot lay out an empty label: the others are a space
    st.setxAxisTickLabelsFormattingFunction(v -> v % 10 == 0 ? Integer.toString(v.intValue()) : " ");
    st.setyAxisTickLabelsFormattingFunction(v -> v % 10 == 0 ? Integer.toString(v.intValue()) : " ");
    st.setLegendVisible(false);
    st.setAnnotationLineColor(MARK);
    st.setAnnotationLineStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
        new float[] {5f, 3f}, 0f));
    List<Number[]> cells = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      for (int u = 0; u < units; u++) {
        cells.add(new Number[] {t, u, gate.values()[t][u]});
      }
    }
    chart.addSeries(gate.gate(), IntStream.range(0, steps).boxed().toList(),
        IntStream.range(0, units).boxed().toList(), cells);
    for (int t : r.sample().marked()) {
      // the heat map's axis runs from the first cell's left edge (0) to the last one's right edge
      // (steps - 1): the middle of cell t is there
      chart.addAnnotation(new AnnotationLine((t + 0.5) * (steps - 1) / steps, true, false));
    }
    return chart;
  }

  private static Color[] colors(double[] range) {
    return range[0] < 0 ? SIGNED : UNIT_INTERVAL;
  }

  /** A vertical color bar at {@code x}, from the range's max (top) to its min, as XChart spreads the colors. */
  private static void colorBar(Graphics2D g, int x, double[] range) {
    Color[] colors = colors(range);
    g.setStroke(new BasicStroke(1f));
    int top = 30;
    int height = PANEL - 72;
    for (int y = 0; y < height; y++) {
      double f = (1 - y / (height - 1.0)) * (colors.length - 1);
      int k = Math.min((int) f, colors.length - 2);
      double w = f - k;
      Color a = colors[k];
      Color b = colors[k + 1];
      g.setColor(new Color((int) Math.round(a.getRed() + w * (b.getRed() - a.getRed())),
          (int) Math.round(a.getGreen() + w * (b.getGreen() - a.getGreen())),
          (int) Math.round(a.getBlue() + w * (b.getBlue() - a.getBlue()))));
      g.drawLine(x, top + y, x + 13, top + y);
    }
    g.setColor(Color.DARK_GRAY);
    g.drawRect(x, top, 13, height - 1);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.drawString(String.format(Locale.ROOT, "%.1f", range[1]), x + 18, top + 9);
    g.drawString(String.format(Locale.ROOT, "%.1f", range[0]), x + 18, top + height);
  }

  /** [0, 1] for sigmoid gates; symmetric around 0 for the rest: [-1, 1], wider for a cell state beyond it. */
  static double[] range(Gate gate) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float[] row : gate.values()) {
      for (float v : row) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min >= 0 && max <= 1 && !List.of("g", "hh", "h", "c").contains(gate.gate())) {
      return new double[] {0, 1};
    }
    double m = Math.max(1, Math.ceil(2 * Math.max(Math.abs(min), Math.abs(max))) / 2);
    return new double[] {-m, m};
  }

  /**
   * The {@code k} units whose state changes most at the marked timesteps (summed |s_t - s_{t-1}|,
   * s_{-1} = 0): the ones that write there.
   */
  static List<Integer> mostActive(Recording r, Gate state, int k) {
    double[] score = new double[state.units()];
    for (int t : r.sample().marked()) {
      for (int u = 0; u < state.units(); u++) {
        double before = t == 0 ? 0 : state.values()[t - 1][u];
        score[u] += Math.abs(state.values()[t][u] - before);
      }
    }
    return IntStream.range(0, state.units()).boxed()
        .sorted(Comparator.comparingDouble((Integer u) -> -score[u]).thenComparing(u -> u))
        .limit(Math.min(k, state.units())).toList();
  }

  /** The memory of the most active units over time, with the marks. */
  static XYChart states(Recording r, String layer) {
    String memory = memory(r, layer);
    Gate state = r.gate(layer, memory);
    List<Integer> units = mostActive(r, state, TOP_UNITS);
    String what = memory.equals("c") ? "cell state c" : "hidden state h (the GRU's memory)";
    XYChart chart = new XYChartBuilder().width(WIDTH).height(400)
        .title(r.sample().model() + ", layer " + layer + ", test sample " + r.sample().sample() + ": " + what + " of the "
            + units.size() + " units that change most at the marks")
        .xAxisTitle("timestep (dashed red: the marked timesteps)").yAxisTitle(memory).build();
    var st = chart.getStyler();
    st.setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE);
    st.setXAxisDecimalPattern("0").setYAxisDecimalPattern("0.0#");
    st.setXAxisMin(0.0).setXAxisMax(state.timesteps() - 1.0).setXAxisTickMarkSpacingHint(90);
    st.setLegendPosition(Styler.LegendPosition.OutsideE);
    st.setAnnotationLineColor(MARK);
    st.setAnnotationLineStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
        new float[] {5f, 3f}, 0f));
    double[] xs = IntStream.range(0, state.timesteps()).asDoubleStream().toArray();
    for (int i = 0; i < units.size(); i++) {
      int u = units.get(i);
      double[] ys = new double[state.timesteps()];
      for (int t = 0; t < ys.length; t++) {
        ys[t] = state.values()[t][u];
      }
      XYSeries s = chart.addSeries("unit " + u, xs, ys);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(ReportCharts.modelColor(i));
      s.setLineStyle(new BasicStroke(2f));
    }
    for (int t : r.sample().marked()) {
      chart.addAnnotation(new AnnotationLine(t, true, false));
    }
    return chart;
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "png", bytes);
    return bytes.toByteArray();
  }
}
