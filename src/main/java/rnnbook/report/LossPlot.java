package rnnbook.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
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
    double[] epochs = IntStream.rangeClosed(1, loss.size()).asDoubleStream().toArray();
    double[] lossValues = loss.stream().mapToDouble(Double::doubleValue).toArray();
    XYSeries l = chart.addSeries("loss", epochs, lossValues);
    l.setLineColor(Color.BLUE);
    l.setMarker(SeriesMarkers.NONE);
    if (valLoss.stream().anyMatch(v -> !v.isNaN())) {
      XYSeries v = chart.addSeries("val_loss", epochs,
          valLoss.stream().mapToDouble(Double::doubleValue).toArray());
      v.setLineColor(Color.RED);
      v.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
          new float[] {8f, 6f}, 0f));
      v.setMarker(SeriesMarkers.NONE);
    }
    return chart;
  }

  /** Writes the chart as a PNG at {@code file}, atomically. */
  public static void writePng(Path file, XYChart chart) throws IOException {
    AtomicWrite.bytes(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }
}
