package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.io.ResultFiles;
import rnnbook.io.RunInfo;
import rnnbook.keras.History;

class ReportCommandTest {


  /** A run killed during its second model: one row in summary.csv, run.json not finished. */
  static Path interruptedRun(Path results) throws IOException {
    new RunInfo("chapter", List.of("simple_rnn", "lstm", "gru"), 2, 42, 32, "generated with seed 42",
        "2.18.0", "CPU", null, "test machine", "test java", "2026-11-27T07:00:00Z", null)
        .write(results.resolve("run.json"));
    ResultFiles.writeHistory(results.resolve("simple_rnn/history.csv"),
        new History(List.of(0.06, 0.05), List.of(0.055, 0.052), List.of(1.0, 1.1)));
    ResultFiles.writePredictions(results.resolve("simple_rnn/predictions.csv"), List.of(
        new ResultFiles.Prediction(0, 0.3, 0.31f, 0.01, true),
        new ResultFiles.Prediction(1, 0.5, 0.2f, 0.3, false)));
    ResultFiles.writeSummary(results.resolve("summary.csv"),
        List.of(new ResultFiles.SummaryRow("simple_rnn", 2851, 0.05, 0.052, 0.051, 50.0, 2.1)));
    return results;
  }

  @Test
  void reportRebuildsThePagesOfAnInterruptedRunWithoutError(@TempDir Path dir) throws IOException {
    Path results = interruptedRun(dir.resolve("results"));
    CliRun r = CliRun.of("report", "--results", results.toString(), "--book", dir.resolve("no-book").toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().contains("1 of 3 models finished; missing: lstm, gru"), r.out());
    assertTrue(r.out().contains("note: simple_rnn/summary.txt is missing"), r.out());
    assertTrue(r.out().contains("note: the Python notebook's numbers are unavailable"), r.out());
    assertTrue(Files.isRegularFile(results.resolve("report.html")));
    assertTrue(Files.isRegularFile(results.resolve("report.md")));
    assertTrue(Files.isRegularFile(results.resolve("simple_rnn/predictions.png")));
  }

  @Test
  void aFolderWithoutResultsIsOneLineAndStatus2(@TempDir Path dir) {
    CliRun r = CliRun.of("report", "--results", dir.resolve("nothing").toString());
    assertEquals(2, r.exit(), r.err());
    assertEquals("rnnbook: --results: no such folder: " + dir.resolve("nothing"), r.err().strip());
    r = CliRun.of("report", "--resultz", "x");
    assertEquals(2, r.exit());
    String err = r.err().strip();
    assertTrue(err.startsWith("rnnbook: Unknown option") && err.contains("'--resultz'")
        && err.contains("valid options: --results, --book"), err);
  }
}
