package rnnbook.chapter7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.ResultFiles;
import rnnbook.keras.Progbar;

/** The chapter end to end on a small data set: printout, CSV, PNG and SavedModel files. */
class ChapterTest {
  static List<CSVRecord> csv(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
    }
  }

  @Test
  void runsAllThreeModelsAndWritesEveryFile(@TempDir Path dir) throws IOException {
    MultiplicationProblem data = MultiplicationProblem.generate(5, 60, 12);
    data.writeNpy(dir.resolve("data"));
    ChapterConfig config = new ChapterConfig(List.of(BookModel.values()), 2, 1, 16,
        dir.resolve("data"), dir.resolve("results"), dir.resolve("savedmodels"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<ResultFiles.SummaryRow> rows = new Chapter(config, out, new Progbar(out, false)).run();
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertEquals(3, rows.size());
    assertEquals(List.of(2851L, 11311L, 8671L), rows.stream().map(ResultFiles.SummaryRow::params).toList());
    assertTrue(printed.contains("Model: \"sequential_1\""), printed);
    // fit gets 51 samples: Keras keeps floor(51 * 0.8) = 40 for training
    assertTrue(printed.matches("(?s).*Epoch 2/2\n40/40 \\[=+\\] - \\d+s \\d+[mu]?s/sample - loss: [0-9.e-]+ - val_loss: [0-9.e-]+\n.*"),
        printed);
    assertEquals(3, printed.split("correctness: ", -1).length - 1);

    List<CSVRecord> summary = csv(dir.resolve("results/summary.csv"));
    assertEquals(List.of(ResultFiles.SUMMARY_HEADER), summary.get(0).getParser().getHeaderNames());
    assertEquals(List.of("simple_rnn", "lstm", "gru"), summary.stream().map(r -> r.get("model")).toList());
    int fit = ChapterConfig.fitSamples(60);
    int testCount = 60 - fit;
    for (BookModel m : BookModel.values()) {
      Path folder = dir.resolve("results").resolve(m.key());
      List<CSVRecord> history = csv(folder.resolve("history.csv"));
      assertEquals(2, history.size());
      assertEquals("2", history.get(1).get("epoch"));
      List<CSVRecord> predictions = csv(folder.resolve("predictions.csv"));
      assertEquals(testCount, predictions.size());
      long correct = predictions.stream().filter(r -> Boolean.parseBoolean(r.get("correct"))).count();
      CSVRecord row = summary.get(m.ordinal());
      assertEquals(100.0 * correct / testCount, Double.parseDouble(row.get("correctness")), 1e-9);
      for (CSVRecord p : predictions) {
        double diff = Math.abs((double) Float.parseFloat(p.get("prediction")) - Double.parseDouble(p.get("y")));
        assertEquals(diff, Double.parseDouble(p.get("abs_diff")), 1e-12);
        assertEquals(diff <= Chapter.TOLERANCE, Boolean.parseBoolean(p.get("correct")));
      }
      BufferedImage png = ImageIO.read(folder.resolve("loss.png").toFile());
      assertEquals(640, png.getWidth());

      // the SavedModel's predictions are the ones written to predictions.csv (up to float rounding:
      // the export is built from TensorFlow's own ops, training ran on the native kernels)
      Path saved = dir.resolve("savedmodels").resolve(m.key());
      float[] x = data.slice(fit, 60).xFloat();
      try (SavedModelBundle b = SavedModelBundle.load(saved.toString(), "serve");
          TFloat32 in = TFloat32.tensorOf(Shape.of(testCount, 12, 2), DataBuffers.of(x, true, false));
          Result r = b.function("serving_default").call(Map.of(m.key() + "_input", in))) {
        TFloat32 y = (TFloat32) r.get("dense").orElseThrow();
        for (int i = 0; i < testCount; i++) {
          assertEquals(Float.parseFloat(predictions.get(i).get("prediction")), y.getFloat(i, 0), 1e-6);
        }
      }
    }
    rnnbook.io.RunInfo info = rnnbook.io.RunInfo.read(dir.resolve("results/run.json"));
    assertEquals(List.of("simple_rnn", "lstm", "gru"), info.models());
    assertEquals(1, info.seed());
    // how fit ordered the batches, for chapter7_keras.py --same-start
    assertEquals(ChapterConfig.VALIDATION_SPLIT, info.validationSplit());
    assertEquals(ModelRun.SHUFFLE, info.shuffle());
    assertEquals(1L, info.shuffleSeed());
    assertTrue(info.finished() != null && info.device().equals("CPU"), info.toString());
    assertEquals(rnnbook.keras.layers.RecurrentBackend.AUTO.summary(), info.recurrentLayers());
    assertTrue(printed.contains("report: " + dir.resolve("results/report.html")), "the run ends with its report");
    assertTrue(Files.isRegularFile(dir.resolve("results/report.md")));
    String lstmSummary = Files.readString(dir.resolve("results/lstm/summary.txt"));
    assertTrue(printed.contains(lstmSummary) && lstmSummary.contains("Total params: 11,311"));
    // one model at a time, and unrolled: the same numbers bit for bit / within float rounding
    ChapterConfig sequential = new ChapterConfig(List.of(BookModel.values()), 2, 1, 16, dir.resolve("data"),
        dir.resolve("results1"), dir.resolve("saved1"), 1, rnnbook.keras.layers.RecurrentBackend.AUTO, null);
    List<ResultFiles.SummaryRow> again = new Chapter(sequential, new PrintStream(new ByteArrayOutputStream()),
        rnnbook.keras.TrainingListener.NONE).run();
    for (int i = 0; i < 3; i++) {
      assertEquals(rows.get(i).loss(), again.get(i).loss(), "jobs must not change the numbers");
      assertEquals(rows.get(i).testLoss(), again.get(i).testLoss());
    }
    try (var s = Files.walk(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
    }
  }

  @Test
  void correctnessIsTheNotebooksFormula() {
    double[] y = {0.1, 0.2, 0.3, 0.4};
    float[] p = {0.1f, 0.25f, 0.3399f, 0.2f};
    var predictions = Chapter.compare(y, p);
    assertEquals(List.of(true, false, true, false), predictions.stream().map(ResultFiles.Prediction::correct).toList());
    assertEquals(50.0, Chapter.correctness(predictions));
    // (440 - 23) / 440 * 100 as Python prints it
    assertEquals("94.77272727272728", PythonRepr.of((double) (440 - 23) / 440 * 100));
  }

  @Test
  void aNanOrInfinitePredictionIsWrongNotCorrect() {
    // numpy's abs(nan - y) > 0.04 is False: the notebook's loop would count a NaN as correct
    double[] y = {0.1, 0.2, 0.3, 0.4};
    float[] p = {Float.NaN, Float.POSITIVE_INFINITY, 0.3f, Float.NEGATIVE_INFINITY};
    var predictions = Chapter.compare(y, p);
    assertEquals(List.of(false, false, true, false), predictions.stream().map(ResultFiles.Prediction::correct).toList());
    assertEquals(25.0, Chapter.correctness(predictions));
  }

  /**
   * A model whose folder becomes a file while it trains (as a full disk or a permission would fail
   * its writes): the run goes on, the model that finished keeps its files, summary.csv and the
   * report hold it, and the failure names the path and what was done.
   */
  @Test
  void aModelThatCannotWriteFailsAloneAndTheOthersKeepTheirFiles(@TempDir Path dir) throws IOException {
    MultiplicationProblem.generate(5, 30, 6).writeNpy(dir.resolve("data"));
    Path results = dir.resolve("results");
    ChapterConfig config = new ChapterConfig(List.of(BookModel.SIMPLE_RNN, BookModel.GRU), 1, 1, 16,
        dir.resolve("data"), results, dir.resolve("saved"), 1, rnnbook.keras.layers.RecurrentBackend.AUTO, null);
    int[] epochsEnded = {0};
    rnnbook.keras.TrainingListener spoiler = new rnnbook.keras.TrainingListener() {
      @Override
      public void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {
        if (++epochsEnded[0] == 2) { // gru's first epoch: simple_rnn has written its files
          try {
            Files.writeString(results.resolve("gru"), "in the way");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    var e = org.junit.jupiter.api.Assertions.assertThrows(RunFailedException.class,
        () -> new Chapter(config, new PrintStream(bytes, true, StandardCharsets.UTF_8), spoiler).run());
    assertEquals("gru failed: cannot create the folder " + results.resolve("gru") + ": " + results.resolve("gru")
        + " is a file, not a folder; the results of simple_rnn are in " + results, e.getMessage());
    assertEquals(List.of("simple_rnn"), csv(results.resolve("summary.csv")).stream().map(r -> r.get("model")).toList());
    for (String f : List.of("history.csv", "predictions.csv", "summary.txt", "loss.png")) {
      assertTrue(Files.isRegularFile(results.resolve("simple_rnn").resolve(f)), f);
    }
    assertTrue(Files.isRegularFile(dir.resolve("saved/simple_rnn/saved_model.pb")));
    assertTrue(Files.isRegularFile(dir.resolve("saved/gru/saved_model.pb")), "gru's export came before its files");
    assertTrue(Files.readString(results.resolve("report.md")).contains("gru: did not finish"));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("gru failed: cannot create the folder"));
    try (var s = Files.walk(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")
          || p.getFileName().toString().equals(rnnbook.io.RunLock.FILE)), "no temporary or lock file left");
    }
  }
}
