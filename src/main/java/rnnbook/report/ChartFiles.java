package rnnbook.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import rnnbook.data.AtomicWrite;

/** Writes a chart as {@code <name>.png} and {@code <name>.svg} (VectorGraphics2D), each atomically. */
final class ChartFiles {
  private ChartFiles() {}

  /**
   * Writes {@code folder/name.png} and {@code folder/name.svg}.
   *
   * @return the PNG's path
   */
  static Path write(Path folder, String name, Chart<?, ?> chart) throws IOException {
    Path png = folder.resolve(name + ".png");
    AtomicWrite.bytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    AtomicWrite.file(folder.resolve(name + ".svg"), tmp -> {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    });
    return png;
  }
}
