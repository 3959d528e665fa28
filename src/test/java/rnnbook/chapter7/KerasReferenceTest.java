package rnnbook.chapter7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.io.KerasWeights;
import rnnbook.io.ResultFiles;
import rnnbook.io.RunInfo;
import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.History;
import rnnbook.keras.Loss;
import rnnbook.report.KerasSameStart;
import rnnbook.report.Report;
import rnnbook.report.RunResults;

/**
 * The Keras run bundled with rnnbook (resource rnnbook/keras_same_start) is the default chapter
 * run's: it started from the weights rnnbook draws for the default seed and was fed the run's
 * batches. When this fails, the default run's start changed and the Keras run must be made again
 * (see its README).
 */
class KerasReferenceTest {
  @TempDir Path dir;

  /** A results folder with the default run's run.json and initial weights, and made-up curves. */
  private Path defaultStart() throws IOException {
    ChapterConfig c = ChapterConfig.defaults();
    Path results = dir.resolve("results");
    new RunInfo("chapter", List.of("simple_rnn", "lstm", "gru"), c.epochs(), c.seed(), c.batchSize(),
        "generated with seed " + c.seed(), "2.18.0", "CPU", "test", "test machine", "test java",
        "2026-11-30T00:00:00Z", "2026-11-30T00:01:00Z")
        .withBatches(ChapterConfig.VALIDATION_SPLIT, ModelRun.SHUFFLE, c.seed()).write(results.resolve("run.json"));
    List<ResultFiles.SummaryRow> rows = new ArrayList<>();
    for (BookModel m : BookModel.values()) {
      try (CompiledModel compiled = m.create(100).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
          CompileOptions.of(c.seed()))) {
        KerasWeights.writeNamed(results.resolve(m.key()).resolve(Chapter.INITIAL_WEIGHTS), compiled.getWeights());
      }
      ResultFiles.writeHistory(results.resolve(m.key()).resolve("history.csv"),
          new History(List.of(0.05, 0.04), List.of(0.05, 0.04), List.of(1.0, 1.0)));
      rows.add(new ResultFiles.SummaryRow(m.key(), m.create(100).countParams(), 0.04, 0.04, 0.04, 10, 2));
    }
    ResultFiles.writeSummary(results.resolve("summary.csv"), rows);
    return results;
  }

  @Test
  void theBundledKerasRunStartsWhereTheDefaultChapterRunStarts() throws IOException {
    Path results = defaultStart();
    KerasSameStart keras = KerasSameStart.load(null, RunResults.read(results));
    assertEquals(List.of(), keras.notes());
    assertEquals(List.of("gru", "lstm", "simple_rnn"), keras.models().keySet().stream().sorted().toList());
    assertEquals(100, keras.info().epochs());
    assertEquals("3.15.1", keras.info().versions().get("keras"));
    for (BookModel m : BookModel.values()) {
      assertEquals(100, keras.model(m.key()).orElseThrow().history().epochs(), m.key());
    }

    Report.write(results, null);
    Document page = Jsoup.parse(Files.readString(results.resolve(Report.HTML)));
    assertEquals(3, page.select("#results-table tr.keras").size());
    assertEquals(3, page.select("#same-start-table tr[data-model]").size());
    assertTrue(Files.isRegularFile(results.resolve("lstm/vs_keras.png")));
  }
}
