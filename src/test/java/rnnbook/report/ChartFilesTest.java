package rnnbook.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts written side by side ({@link ChartFiles.Batch}) are the files written one after another. */
class ChartFilesTest {
  @TempDir Path dir;

  private static List<Double> curve(int seed) {
    return IntStream.range(0, 50).mapToObj(i -> 0.05 * Math.exp(-i / (10.0 + seed)) + 1e-4 * (i % (seed + 2)))
        .toList();
  }

  @Test
  void aBatchWritesTheSameBytesAsOneAfterAnother() throws IOException {
    Path together = Files.createDirectories(dir.resolve("together"));
    Path alone = Files.createDirectories(dir.resolve("alone"));
    ChartFiles.Batch batch = new ChartFiles.Batch();
    for (int i = 0; i < 6; i++) {
      batch.add(together, "loss" + i, LossPlot.chart("m" + i, curve(i), curve(i + 1)));
      ChartFiles.write(alone, "loss" + i, LossPlot.chart("m" + i, curve(i), curve(i + 1)));
    }
    batch.writeAll();
    for (int i = 0; i < 6; i++) {
      for (String ext : List.of(".png", ".svg")) {
        byte[] expected = Files.readAllBytes(alone.resolve("loss" + i + ext));
        assertTrue(expected.length > 1000, "loss" + i + ext);
        assertArrayEquals(expected, Files.readAllBytes(together.resolve("loss" + i + ext)), "loss" + i + ext);
      }
    }
  }

  /** The chapter warms the drawing up on another thread while it writes its first charts. */
  @Test
  void chartsWrittenWhileAnotherThreadWarmsUpAreTheSameBytes() throws Exception {
    Path before = Files.createDirectories(dir.resolve("before"));
    Path during = Files.createDirectories(dir.resolve("during"));
    for (int i = 0; i < 3; i++) {
      ChartFiles.write(before, "loss" + i, LossPlot.chart("m" + i, curve(i), curve(i + 1)));
    }
    Thread warmUp = new Thread(ChartFiles::warmUp);
    warmUp.start();
    for (int i = 0; i < 3; i++) {
      ChartFiles.write(during, "loss" + i, LossPlot.chart("m" + i, curve(i), curve(i + 1)));
    }
    warmUp.join();
    try (var files = Files.list(during)) {
      assertEquals(6, files.count(), "the warm-up writes no file");
    }
    for (int i = 0; i < 3; i++) {
      for (String ext : List.of(".png", ".svg")) {
        assertArrayEquals(Files.readAllBytes(before.resolve("loss" + i + ext)),
            Files.readAllBytes(during.resolve("loss" + i + ext)), "loss" + i + ext);
      }
    }
  }

  @Test
  void aChartThatCannotBeWrittenFailsTheBatch() throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("file"), "x");
    ChartFiles.Batch batch = new ChartFiles.Batch();
    batch.add(dir, "good", LossPlot.chart("a", curve(1), curve(2)));
    batch.add(notAFolder, "bad", LossPlot.chart("b", curve(1), curve(2)));
    assertThrows(IOException.class, batch::writeAll);
    assertTrue(Files.isRegularFile(dir.resolve("good.png")), "the other charts are written");
  }
}
