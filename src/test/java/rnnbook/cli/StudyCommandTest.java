package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.ModelSummary;
import rnnbook.io.StudyFiles.Run;

/** {@code study}: a 2-seed, 2-epoch study end to end through the command line, and its errors. */
class StudyCommandTest {
  @Test
  void aTwoSeedTwoEpochStudyRunsEndToEnd(@TempDir Path dir) throws IOException {
    Path results = dir.resolve("results");
    String[] args = {"study", "--seeds", "2", "--epochs", "2", "--samples", "120", "--timesteps", "20",
        "--results", results.toString()};
    CliRun r = CliRun.of(args);
    assertEquals(0, r.exit(), r.err());
    Path study = results.resolve("study");
    List<Run> runs = StudyFiles.readRuns(study.resolve("runs.csv"));
    assertEquals(6, runs.size());
    for (String model : List.of("simple_rnn", "lstm", "gru")) {
      List<Run> of = runs.stream().filter(x -> x.model().equals(model)).toList();
      long first = rnnbook.chapter7.StudyConfig.DEFAULT_FIRST_SEED;
      assertEquals(List.of(first, first + 1), of.stream().map(Run::seed).toList(), model);
      assertTrue(Files.isRegularFile(StudyFiles.history(study, model, first)));
      ModelSummary s = StudyFiles.readSummary(study.resolve("summary.csv")).stream()
          .filter(x -> x.model().equals(model)).findFirst().orElseThrow();
      assertEquals(2, s.runs());
      assertEquals((of.get(0).correctness() + of.get(1).correctness()) / 2, s.correctness().mean(), 1e-12);
      assertEquals(Math.abs(of.get(0).testLoss() - of.get(1).testLoss()) / Math.sqrt(2), s.testLoss().std(), 1e-12);
      assertEquals(of.stream().filter(x -> x.valLoss() < 0.01).count(), s.leftPlateau());
    }
    for (String f : List.of("study.json", "correctness.png", "correctness.svg", "val_loss.png", "val_loss.svg")) {
      assertTrue(Files.isRegularFile(study.resolve(f)), f);
    }
    assertFalse(Files.exists(results.resolve("report.html")), "no chapter run here: no report");

    // the same command again trains nothing; other epochs are refused in one line
    long before = Files.getLastModifiedTime(study.resolve("runs.csv")).toMillis();
    assertEquals(0, CliRun.of(args).exit());
    assertEquals(before, Files.getLastModifiedTime(study.resolve("runs.csv")).toMillis());
    CliRun other = CliRun.of("study", "--seeds", "2", "--epochs", "3", "--samples", "120", "--timesteps",
        "20", "--results", results.toString());
    assertEquals(2, other.exit(), other.err());
    assertEquals(1, other.err().strip().split("\n").length, other.err());
    assertTrue(other.err().startsWith("rnnbook: ") && other.err().contains("holds a study made with --epochs 2"),
        other.err());
  }

  @Test
  void badOptionsGetOneLine(@TempDir Path dir) {
    for (String[] args : List.of(new String[] {"study", "--seeds", "0"},
        new String[] {"study", "--first-seed", "-1"}, new String[] {"study", "--samples", "5"},
        new String[] {"study", "--models", "rnn"})) {
      CliRun r = CliRun.of(CliRun.append(args, "--results", dir.resolve("r").toString()));
      assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
      assertEquals(1, r.err().strip().split("\n").length, r.err());
    }
    assertFalse(Files.exists(dir.resolve("r")), "nothing written after bad input");
  }

}
