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
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.GateFiles;
import rnnbook.io.GateFiles.Recording;

/** {@code gates}: through the command line, after a chapter run (its SavedModels) or without one, and its errors. */
class GatesCommandTest {
  @Test
  void recordsFromTheChaptersSavedModelsAndTheReportShowsThem(@TempDir Path dir) throws IOException {
    MultiplicationProblem.generate(3, 120, 20).writeNpy(dir.resolve("data"));
    String data = dir.resolve("data").toString();
    String results = dir.resolve("results").toString();
    String saved = dir.resolve("saved").toString();
    CliRun chapter = CliRun.of("--models", "lstm,gru", "--epochs", "1", "--data", data, "--results", results,
        "--savedmodels", saved, "--book", dir.resolve("no-book").toString());
    assertEquals(0, chapter.exit(), chapter.err());

    CliRun r = CliRun.of("gates", "--sample", "0,5", "--data", data, "--results", results, "--savedmodels",
        saved, "--book", dir.resolve("no-book").toString());
    assertEquals(0, r.exit(), r.err());
    for (String model : List.of("lstm", "gru")) {
      for (int k : List.of(0, 5)) {
        Path folder = GateFiles.sampleDir(dir.resolve("results"), model, k);
        Recording rec = GateFiles.read(folder);
        assertEquals("SavedModel " + dir.resolve("saved").resolve(model), rec.sample().source());
        assertEquals(List.of(model, model + "_1"), rec.layers());
        assertTrue(Files.isRegularFile(folder.resolve("heatmap_" + model + "_1.png")));
      }
    }
    String page = Files.readString(dir.resolve("results/report.html"));
    assertTrue(page.contains("id=\"gates-lstm\"") && page.contains("id=\"gates-gru\""), "the report was rebuilt");
  }

  @Test
  void trainsOnTheSpotWithoutASavedModel(@TempDir Path dir) throws IOException {
    MultiplicationProblem.generate(3, 120, 20).writeNpy(dir.resolve("data"));
    CliRun r = CliRun.of("gates", "--model", "gru", "--sample", "2", "--epochs", "1", "--data",
        dir.resolve("data").toString(), "--results", dir.resolve("results").toString(), "--savedmodels",
        dir.resolve("none").toString());
    assertEquals(0, r.exit(), r.err());
    Recording rec = GateFiles.read(GateFiles.sampleDir(dir.resolve("results"), "gru", 2));
    assertEquals("trained on the spot: 1 epoch, seed " + rnnbook.chapter7.ChapterConfig.DEFAULT_SEED, rec.sample().source());
    assertEquals("from " + dir.resolve("data"), rec.sample().data());
    assertFalse(Files.exists(dir.resolve("results/gates/lstm")));
  }

  @Test
  void badInputGetsOneLine(@TempDir Path dir) {
    for (String[] args : List.of(new String[] {"gates", "--model", "simple_rnn"},
        new String[] {"gates", "--model", "lstm", "--sample", "440", "--epochs", "1"},
        new String[] {"gates", "--sample", "x"}, new String[] {"gates", "--epochs", "0"})) {
      CliRun r = CliRun.of(CliRun.append(args, "--results", dir.resolve("r").toString(), "--savedmodels",
          dir.resolve("s").toString()));
      assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
      assertEquals(1, r.err().strip().split("\n").length, r.err());
    }
    assertFalse(Files.exists(dir.resolve("r")), "nothing written after bad input");
  }

}
