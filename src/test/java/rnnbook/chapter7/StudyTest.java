package rnnbook.chapter7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.ResultFiles;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.ModelSummary;
import rnnbook.io.StudyFiles.Run;
import rnnbook.io.StudyInfo;
import rnnbook.keras.History;
import rnnbook.keras.TrainingListener;

/** The several-seed study: its arithmetic, resuming, refusing other settings, and a tiny study end to end. */
class StudyTest {
  private static final int SAMPLES = 120;
  private static final int TIMESTEPS = 20;

  @TempDir
  Path dir;

  private static StudyConfig tiny(List<BookModel> models, int seeds, Path results) {
    return new StudyConfig(models, 42, seeds, 2, 32, SAMPLES, TIMESTEPS, 2, rnnbook.keras.layers.RecurrentBackend.AUTO, results);
  }

  private record Printed(List<ModelSummary> summary, String out) {}

  private static Printed run(StudyConfig config) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<ModelSummary> summary = new Study(config, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
    return new Printed(summary, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aggregatesATinySyntheticRunsCsv() throws IOException {
    Path csv = dir.resolve("runs.csv");
    Files.writeString(csv, String.join(",", StudyFiles.RUNS_HEADER) + "\n"
        + "lstm,1,11311,0.05,0.052,0.051,10.0,,100,110\n"
        + "lstm,2,11311,0.001,0.0009,0.001,90.0,41,100,110\n"
        + "lstm,3,11311,0.002,0.0099,0.002,80.0,60,100,110\n"
        + "lstm,4,11311,0.04,0.011,0.040,40.0,95,100,110\n"
        + "simple_rnn,1,2851,0.02,0.07,0.08,12.5,,30,35\n"
        + "gru,1,8671,0.0001,0.0002,0.0003,99.0,17,120,130\n"
        + "gru,2,8671,0.0002,0.0003,0.0005,97.0,22,120,130\n");
    List<Run> runs = StudyFiles.readRuns(csv);
    assertEquals(41, runs.get(1).epochBelow());
    assertNull(runs.get(0).epochBelow());
    List<ModelSummary> s = StudyStats.summarize(runs);
    assertEquals(List.of("simple_rnn", "lstm", "gru"), s.stream().map(ModelSummary::model).toList());

    ModelSummary lstm = s.get(1);
    assertEquals(4, lstm.runs());
    assertEquals(55.0, lstm.correctness().mean(), 1e-12); // (10 + 90 + 80 + 40) / 4
    // deviations -45, 35, 25, -15: squares 2025 + 1225 + 625 + 225 = 4100, / 3
    assertEquals(Math.sqrt(4100.0 / 3), lstm.correctness().std(), 1e-12);
    assertEquals(10.0, lstm.correctness().min());
    assertEquals(60.0, lstm.correctness().median(), 1e-12); // (40 + 80) / 2
    assertEquals(90.0, lstm.correctness().max());
    assertEquals(0.0235, lstm.testLoss().mean(), 1e-12);
    assertEquals(0.021, lstm.testLoss().median(), 1e-12);
    assertEquals(2, lstm.leftPlateau(), "val_loss 0.0009 and 0.0099 are below 0.01; 0.011 and 0.052 are not");

    ModelSummary rnn = s.get(0);
    assertEquals(1, rnn.runs());
    assertTrue(Double.isNaN(rnn.correctness().std()), "no spread from one run");
    assertEquals(12.5, rnn.correctness().median());
    assertEquals(0, rnn.leftPlateau());
    assertEquals(2, s.get(2).leftPlateau());
    assertEquals(Math.sqrt(2), s.get(2).correctness().std(), 1e-12);

    // summary.csv holds these numbers and reads back the same; one run's std is an empty cell
    Path summaryCsv = dir.resolve("summary.csv");
    StudyFiles.writeSummary(summaryCsv, s);
    assertEquals(s.toString(), StudyFiles.readSummary(summaryCsv).toString());
    assertTrue(Files.readAllLines(summaryCsv).get(1).startsWith("simple_rnn,1,12.5,,12.5,12.5,12.5,"),
        Files.readAllLines(summaryCsv).get(1));
  }

  @Test
  void firstEpochBelowTheThreshold() {
    assertEquals(3, StudyStats.firstEpochBelow(List.of(0.05, 0.02, 0.009, 0.011, 0.001), 0.01));
    assertNull(StudyStats.firstEpochBelow(List.of(0.05, 0.01), 0.01), "0.01 itself is not below");
  }

  @Test
  void resumesWithoutRetrainingFinishedRuns() throws IOException {
    Path results = dir.resolve("results");
    StudyConfig config = tiny(List.of(BookModel.LSTM, BookModel.GRU), 2, results);
    Path study = config.dir();
    // a study killed after two runs: study.json, runs.csv with their rows, their histories
    StudyInfo.start(2, 32, SAMPLES, TIMESTEPS, "auto", List.of("lstm", "gru"), List.of(42L, 43L), 2)
        .write(study.resolve(StudyFiles.STUDY_JSON));
    List<Run> earlier = List.of(new Run("lstm", 43, 11311, 0.5, 0.004, 0.25, 77.5, 2, 9.0, 10.0),
        new Run("gru", 42, 8671, 0.5, 0.5, 0.5, 12.25, null, 9.0, 10.0));
    StudyFiles.writeRuns(study.resolve(StudyFiles.RUNS_CSV), earlier);
    for (Run r : earlier) {
      ResultFiles.writeHistory(StudyFiles.history(study, r.model(), r.seed()),
          new History(List.of(0.6, 0.5), List.of(0.02, r.valLoss()), List.of(4.5, 4.5)));
    }

    Printed p = run(config);
    assertTrue(p.out().contains("seeds 42..43 (42, 43)"), p.out());
    assertTrue(p.out().contains("2 of 4 runs already in"), p.out());
    assertTrue(p.out().contains("[2/2]") && !p.out().contains("[3/"), "only the two missing runs train: " + p.out());
    List<Run> runs = StudyFiles.readRuns(study.resolve(StudyFiles.RUNS_CSV));
    assertEquals(4, runs.size());
    assertEquals(earlier.get(0), runs.stream().filter(r -> r.model().equals("lstm") && r.seed() == 43).findFirst()
        .orElseThrow(), "the earlier row is kept as it was, not retrained");
    assertEquals(earlier.get(1), runs.stream().filter(r -> r.model().equals("gru") && r.seed() == 42).findFirst()
        .orElseThrow());
    ModelSummary lstm = p.summary().get(0);
    Run fresh = runs.stream().filter(r -> r.model().equals("lstm") && r.seed() == 42).findFirst().orElseThrow();
    assertEquals((77.5 + fresh.correctness()) / 2, lstm.correctness().mean(), 1e-12);
    assertEquals(1, lstm.leftPlateau(), "the earlier lstm row ended at val_loss 0.004");

    // started again: nothing to train
    Printed again = run(config);
    assertTrue(again.out().contains("4 of 4 runs already in") && !again.out().contains("[1/"), again.out());
    assertEquals(runs, StudyFiles.readRuns(study.resolve(StudyFiles.RUNS_CSV)));
  }

  @Test
  void refusesToMixRunsOfOtherSettings() throws IOException {
    Path results = dir.resolve("results");
    StudyInfo.start(3, 32, SAMPLES, TIMESTEPS, "auto", List.of("lstm"), List.of(42L), 2)
        .write(results.resolve("study").resolve(StudyFiles.STUDY_JSON));
    var e = assertThrows(IllegalArgumentException.class, () -> run(tiny(List.of(BookModel.LSTM), 1, results)));
    assertTrue(e.getMessage().contains("--epochs 3 --batch-size 32 --samples 120 --timesteps 20, not --epochs 2 "),
        e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));

    Path orphan = dir.resolve("orphan");
    StudyFiles.writeRuns(orphan.resolve("study").resolve(StudyFiles.RUNS_CSV), List.of());
    e = assertThrows(IllegalArgumentException.class, () -> run(tiny(List.of(BookModel.LSTM), 1, orphan)));
    assertTrue(e.getMessage().contains("study.json does not"), e.getMessage());
  }

  @Test
  void aStudysRunIsTheChaptersRunWithThatSeed() throws IOException {
    Path results = dir.resolve("results");
    Printed p = run(tiny(List.of(BookModel.values()), 2, results));
    Path study = results.resolve("study");
    List<Run> runs = StudyFiles.readRuns(study.resolve(StudyFiles.RUNS_CSV));
    assertEquals(6, runs.size());
    assertTrue(p.out().contains("seeds 42..43 (42, 43)"), p.out());

    // the chapter with --seed 43 on the same data gives the same numbers bit for bit
    MultiplicationProblem data = MultiplicationProblem.generate(43, SAMPLES, TIMESTEPS);
    data.writeNpy(dir.resolve("data43"));
    ChapterConfig chapter = new ChapterConfig(List.of(BookModel.values()), 2, 43, 32, dir.resolve("data43"),
        dir.resolve("chapter"), dir.resolve("saved"), 2, rnnbook.keras.layers.RecurrentBackend.AUTO, null);
    List<ResultFiles.SummaryRow> rows = new Chapter(chapter, new PrintStream(new ByteArrayOutputStream()),
        TrainingListener.NONE).run();
    for (ResultFiles.SummaryRow row : rows) {
      Run r = runs.stream().filter(x -> x.model().equals(row.model()) && x.seed() == 43).findFirst().orElseThrow();
      assertEquals(row.loss(), r.loss(), row.model());
      assertEquals(row.valLoss(), r.valLoss(), row.model());
      assertEquals(row.testLoss(), r.testLoss(), row.model());
      assertEquals(row.correctness(), r.correctness(), row.model());
      assertEquals(row.params(), r.params());
      History h = rnnbook.report.RunResults.readHistory(StudyFiles.history(study, r.model(), 43));
      assertEquals(ChapterTest.csv(dir.resolve("chapter").resolve(r.model()).resolve("history.csv")).size(), h.epochs());
      assertEquals(h.valLoss().get(1), r.valLoss());
    }
    for (String chart : List.of("correctness", "val_loss")) {
      BufferedImage png = ImageIO.read(study.resolve(chart + ".png").toFile());
      assertTrue(png != null && png.getWidth() > 500, chart);
      assertTrue(Files.readString(study.resolve(chart + ".svg")).contains("<svg"), chart);
    }
    try (var s = Files.walk(dir)) {
      assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
    }
  }
}
