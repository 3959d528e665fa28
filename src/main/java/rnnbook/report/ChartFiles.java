package rnnbook.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import rnnbook.data.AtomicWrite;
import rnnbook.data.TaskFailures;

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

  /**
   * Draws a line chart and a bar chart as PNG and SVG in memory, and drops them. The first chart a
   * process draws also pays for loading Java2D's fonts and rasterizer and the two encoders (half a
   * second to a second on the CI machine); drawn here first, on an idle core, that cost is gone
   * from the run's later charts. A failure here is left for those charts to report.
   */
  static void warmUp() {
    List<Chart<?, ?>> charts = List.of(LossPlot.chart("", List.of(1.0, 0.5), List.of(1.0, 0.6)),
        ReportCharts.params(List.of("a", "b"), List.of(1L, 2L)));
    for (Chart<?, ?> chart : charts) {
      try {
        BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, OutputStream.nullOutputStream(),
            VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      } catch (IOException | RuntimeException e) {
        return;
      }
    }
  }

  /**
   * Charts to write at once, each as {@link #write} does, spread over the machine's cores (the
   * report's 18 charts take about a second on one): one chart is drawn by one thread, since a chart
   * is not drawn safely by two at a time. The files are the same as written one after another.
   */
  static final class Batch {
    private record Job(Path folder, String name, Chart<?, ?> chart) {}

    private final List<Job> jobs = new ArrayList<>();

    void add(Path folder, String name, Chart<?, ?> chart) {
      jobs.add(new Job(folder, name, chart));
    }

    /** Writes every chart added; the first failure, in the order they were added, is rethrown. */
    void writeAll() throws IOException {
      int threads = Math.min(jobs.size(), Runtime.getRuntime().availableProcessors());
      if (threads <= 1) {
        for (Job j : jobs) {
          write(j.folder(), j.name(), j.chart());
        }
        return;
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "rnnbook-charts");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<Path>> written = new ArrayList<>();
        for (Job j : jobs) {
          written.add(pool.submit(() -> write(j.folder(), j.name(), j.chart())));
        }
        for (Future<Path> f : written) {
          await(f);
        }
      } finally {
        pool.shutdownNow();
      }
    }

    private static void await(Future<Path> f) throws IOException {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while writing the charts", e);
      } catch (ExecutionException e) {
        throw TaskFailures.unwrap(e);
      }
    }
  }
}
