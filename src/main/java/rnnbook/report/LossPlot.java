package rnnbook.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import rnnbook.data.AtomicWrite;

/**
 * The notebook's loss figure: {@code loss} as a blue solid line, {@code val_loss} as a red dashed
 * line, x axis {@code Epoch}, with a legend.
 */
public final class LossPlot {
  private LossPlot() {}

  public static XYChart chart(String title, List<Double> loss, List<Double> valLoss) {
    XYChart chart = new XYChartBuilder().width(640).height(480).title(title).xAxisTitle("Epoch")
        .yAxisTitle("loss").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendVisible(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisDecimalPattern("0.0###");
    XYSeries l = line(chart, "loss", loss);
    if (l != null) {
      l.setLineColor(Color.BLUE);
    }
    XYSeries v = line(chart, "val_loss", valLoss);
    if (v != null) {
      v.setLineColor(Color.RED);
      v.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
          new float[] {8f, 6f}, 0f));
    }
    return chart;
  }

  /**
   * The finite values of a per-epoch series from epoch 1, or null when there is none (a diverged
   * run's NaN, no validation): XChart cannot place NaN or infinite values.
   */
  private static XYSeries line(XYChart chart, String name, List<Double> values) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int e = 0; e < values.size(); e++) {
      if (Double.isFinite(values.get(e))) {
        xs.add(e + 1.0);
        ys.add(values.get(e));
      }
    }
    if (xs.isEmpty()) {
      return null;
    }
    XYSeries s = chart.addSeries(name, xs, ys);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  /** Writes the chart as a PNG at {@code file}, atomically. */
  public static void writePng(Path file, XYChart chart) throws IOException {
    AtomicWrite.bytes(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }
}
