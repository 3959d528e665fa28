package rnnbook.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.keras.History;

/** Keras from the same start: matched to a run by its start, and set beside it in the report. */
class KerasSameStartTest {
  @TempDir Path dir;

  /** The fingerprint is same_start.py's: sha256 of the float32 little-endian values, computed with Python's hashlib. */
  @Test
  void fingerprintIsTheSha256OfTheFloat32Values() throws IOException {
    Path npz = dir.resolve("w.npz");
    Map<String, Npy.Array> arrays = new java.util.LinkedHashMap<>();
    arrays.put("a", new Npy.Array(new long[] {2, 2}, new double[] {1.5, -2.25, 0.125, 3}));
    arrays.put("b", new Npy.Array(new long[] {1}, new double[] {7}));
    Npz.write(npz, arrays, Npy.Dtype.FLOAT32);
    // python3: h = hashlib.sha256(); h.update(struct.pack('<4f', 1.5, -2.25, 0.125, 3.0));
    // h.update(struct.pack('<f', 7.0)); h.hexdigest()
    assertEquals("10f2628848a8ae6ca1d289c7a9731ecff74ce23a81ae1b0385f056e12a55444c", KerasSameStart.fingerprint(npz));
  }

  @Test
  void agreementEndsAtTheFirstEpochApartByMoreThanTheTolerance() {
    History ours = new History(List.of(1.0, 2.0, 3.0, 4.0), List.of(1.0, 1.0, 1.0, 1.0), List.of(0.0, 0.0, 0.0, 0.0));
    History keras = new History(List.of(1.0, 2.0 * (1 + 5e-6), 3.0 / (1 + 2e-5), 4.0),
        List.of(1.0, 1.0, 1.0, 1.0), List.of(0.0, 0.0, 0.0, 0.0));
    KerasSameStart.Agreement a = KerasSameStart.agreement(ours, keras, 1e-5);
    assertEquals(4, a.compared());
    assertEquals(2, a.upTo());
    assertEquals(5e-6, a.largest(), 1e-10);
    assertEquals(2e-5, a.apart(), 1e-10);

    History noValidation = new History(List.of(1.0, 2.0), List.of(Double.NaN, Double.NaN), List.of(0.0, 0.0));
    KerasSameStart.Agreement all = KerasSameStart.agreement(noValidation, noValidation, 1e-5);
    assertEquals(2, all.upTo());
    assertTrue(Double.isNaN(all.apart()));
    // a val_loss apart counts as well as a loss apart
    History sameLoss = new History(List.of(1.0, 2.0), List.of(1.0, 1.0), List.of(0.0, 0.0));
    History valApart = new History(List.of(1.0, 2.0), List.of(1.0, 1.1), List.of(0.0, 0.0));
    assertEquals(1, KerasSameStart.agreement(sameLoss, valApart, 1e-5).upTo());
  }

  /** The page shows, per model, our row, Keras's and the book's; the same-start table; the curves side by side. */
  @Test
  void reportSetsKerasFromTheSameStartBesideThisRun() throws IOException {
    Path results = ResultsFixture.completeWithStart(dir.resolve("results"));
    // LSTM parts at epoch 31, the others agree to float rounding throughout
    Path keras = ResultsFixture.keras(dir.resolve("keras"), results,
        (m, e) -> m.equals("lstm") && e > 30 ? 1e-3 * (e - 30) : 3e-7);
    Report.Outcome o = Report.write(results, ResultsFixture.book(dir.resolve("book")), keras);
    assertTrue(o.keras().notes().isEmpty(), o.keras().notes().toString());
    Document page = Jsoup.parse(Files.readString(results.resolve(Report.HTML)));

    Map<String, Element> lstm = ReportTest.cells(page, "keras", "lstm");
    assertEquals("Keras, same start (TensorFlow 2.21.0, Keras 3.15.1)", lstm.get("run").text());
    var kerasRow = RunResults.readSummary(keras.resolve("summary.csv")).get(1);
    assertEquals(kerasRow.testLoss(), Double.parseDouble(lstm.get("test loss").attr("data-value")));
    assertEquals(kerasRow.correctness(), Double.parseDouble(lstm.get("correctness").attr("data-value")));
    assertEquals(9, page.select("#results-table tr[data-model]").size());
    assertEquals("3", page.selectFirst("#results-table tr.ours[data-model=gru] th").attr("rowspan"));

    Map<String, List<String>> table = new java.util.HashMap<>();
    for (Element tr : page.select("#same-start-table tr[data-model]")) {
      table.put(tr.attr("data-model"), tr.select("td").eachText());
    }
    assertEquals(List.of("100", "30", "3.0e-07", "1.0e-03 (epoch 31)"), table.get("lstm"));
    assertEquals(List.of("100", "100 (all)", "3.0e-07", "-"), table.get("gru"));
    for (String m : ResultsFixture.MODELS) {
      assertTrue(Files.isRegularFile(results.resolve(m).resolve("vs_keras.png")), m);
    }
    assertEquals(18, ReportTest.assertImagesAreReadablePngs(results, page).size());
    String md = Files.readString(results.resolve(Report.MARKDOWN));
    assertTrue(md.contains("| lstm | 100 | 30 | 3.0e-07 | 1.0e-03 (epoch 31) |"), md);
  }

  /** A Keras run from another start is not compared: per model when the weights differ, wholly when the batches do. */
  @Test
  void kerasFromAnotherStartIsLeftOutWithANote() throws IOException {
    Path results = ResultsFixture.completeWithStart(dir.resolve("results"));
    Path keras = ResultsFixture.keras(dir.resolve("keras"), results, (m, e) -> 0.0);
    Npz.write(results.resolve("gru/initial_weights.npz"),
        Map.of("gru/bias", new Npy.Array(new long[] {1}, new double[] {0.25})), Npy.Dtype.FLOAT32);
    KerasSameStart k = KerasSameStart.load(keras, RunResults.read(results));
    assertEquals(List.of("lstm", "simple_rnn"), k.models().keySet().stream().sorted().toList());
    assertEquals(List.of("Keras from the same start is unavailable for gru: " + keras
        + " started from other initial weights than this run."), k.notes());
    Report.write(results, ResultsFixture.book(dir.resolve("book")), keras);
    Document page = Jsoup.parse(Files.readString(results.resolve(Report.HTML)));
    assertEquals("unavailable", ReportTest.cells(page, "keras", "gru").get("test loss").text());
    assertFalse(Files.exists(results.resolve("gru/vs_keras.png")));

    var info = rnnbook.io.RunInfo.read(results.resolve("run.json"));
    info.withBatches(0.2, info.shuffle(), 43).write(results.resolve("run.json"));
    k = KerasSameStart.load(keras, RunResults.read(results));
    assertTrue(k.models().isEmpty());
    assertTrue(k.notes().get(0).contains("trained on other batches (shuffle_seed 42, this run's 43)"), k.notes().toString());
  }
}
