package rnnbook.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.chapter7.Chapter;

/** report.html and report.md from results folders written as a run writes them. */
class ReportTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  static List<CSVRecord> csv(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
    }
  }

  static Document page(Path results) throws IOException {
    return Jsoup.parse(results.resolve(Report.HTML).toFile(), "UTF-8");
  }

  /** The cells of a results-table row by column name. */
  static Map<String, Element> cells(Document page, String rowClass, String model) {
    Element table = page.getElementById("results-table");
    List<String> header = table.select("tr").first().select("th").eachText();
    Element row = table.selectFirst("tr." + rowClass + "[data-model=" + model + "]");
    assertNotNull(row, rowClass + " row of " + model);
    List<Element> tds = row.select("td");
    Map<String, Element> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < tds.size(); i++) {
      out.put(header.get(header.size() - tds.size() + i), tds.get(i));
    }
    return out;
  }

  static double leadingNumber(String text) {
    return Double.parseDouble(text.replace(",", "").split(" ")[0]);
  }

  /** Every img of the page is a PNG file beside it that ImageIO reads; returns their paths. */
  static List<Path> assertImagesAreReadablePngs(Path results, Document page) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Element img : page.select("img")) {
      String src = img.attr("src");
      assertFalse(src.isBlank() || src.contains(":") || src.startsWith("/"), "relative src: " + src);
      Path file = results.resolve(src);
      assertTrue(Files.isRegularFile(file), "image exists: " + file);
      byte[] head = Arrays.copyOf(Files.readAllBytes(file), PNG_SIGNATURE.length);
      assertArrayEquals(PNG_SIGNATURE, head, "PNG signature of " + file);
      BufferedImage image = ImageIO.read(file.toFile());
      assertTrue(image != null && image.getWidth() > 0 && image.getHeight() > 0, "readable PNG " + file);
      assertFalse(img.attr("alt").isBlank(), "alt text of " + src);
      files.add(file);
    }
    return files;
  }

  @Test
  void pageParsesEveryImageIsAReadablePngAndTheTablesHoldSummaryCsv() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Document page = page(results);

    List<Path> images = assertImagesAreReadablePngs(results, page);
    List<String> names = images.stream().map(p -> results.relativize(p).toString()).toList();
    for (String expected : List.of("val_loss.png", "params.png", "correctness.png")) {
      assertTrue(names.contains(expected), names.toString());
    }
    for (String m : ResultsFixture.MODELS) {
      for (String chart : List.of("loss", "vs_book", "predictions", "errors")) {
        assertTrue(names.contains(m + "/" + chart + ".png"), m + "/" + chart + " in " + names);
      }
    }
    assertEquals(15, images.size());

    List<CSVRecord> summary = csv(results.resolve("summary.csv"));
    assertEquals(3, summary.size());
    Map<String, String> columns = Map.of("params", "params", "final loss", "loss", "final val_loss", "val_loss",
        "test loss", "test_loss", "correctness", "correctness", "training time", "train_seconds");
    for (CSVRecord r : summary) {
      Map<String, Element> cells = cells(page, "ours", r.get("model"));
      for (var c : columns.entrySet()) {
        Element td = cells.get(c.getKey());
        double expected = Double.parseDouble(r.get(c.getValue()));
        assertEquals(expected, Double.parseDouble(td.attr("data-value")), 0, c.getKey());
        assertEquals(expected, leadingNumber(td.text()), Math.abs(expected) * 5e-3, c.getKey() + ": " + td.text());
      }
      assertEquals(r.get("params"), cells.get("params").attr("data-value"));
      double epochs = csv(results.resolve(r.get("model")).resolve("history.csv")).size();
      assertEquals(Double.parseDouble(r.get("train_seconds")) / epochs,
          leadingNumber(cells.get("s/epoch").text()), 0.006);
    }
    assertEquals(List.of("2,851", "11,311", "8,671"), ResultsFixture.MODELS.stream()
        .map(m -> cells(page, "ours", m).get("params").text()).toList());
    assertTrue(page.getElementById("status").text().startsWith("Finished: 3 of 3 models"),
        page.getElementById("status").text());
    assertTrue(page.select(".missing-model").isEmpty());
  }

  @Test
  void pageShowsTheConfigurationTheKerasSummariesAndFiveSamplePredictions() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Document page = page(results);

    Map<String, String> config = page.select("#configuration-table tr").stream()
        .collect(Collectors.toMap(tr -> tr.selectFirst("th").text(), tr -> tr.selectFirst("td").text()));
    assertEquals("42", config.get("seed"));
    assertEquals("100", config.get("epochs"));
    assertEquals("32", config.get("batch size"));
    assertEquals("2.18.0", config.get("TensorFlow"));
    assertEquals("CPU", config.get("device"));
    assertEquals("Linux amd64, 2 cores, 6144 MiB max heap", config.get("machine"));

    for (String m : ResultsFixture.MODELS) {
      Element section = page.getElementById("model-" + m);
      assertNotNull(section, m);
      // the summary as Keras prints it, whitespace and all
      assertEquals(Files.readString(results.resolve(m).resolve("summary.txt")),
          section.selectFirst("pre.summary").wholeText());
      Elements rows = section.select("table.samples tr");
      List<CSVRecord> predictions = csv(results.resolve(m).resolve("predictions.csv"));
      assertEquals(6, rows.size(), "header and five predictions");
      for (int i = 0; i < 5; i++) {
        List<String> td = rows.get(i + 1).select("td").eachText();
        CSVRecord p = predictions.get(i);
        assertEquals(List.of(p.get("index"), p.get("y"), p.get("prediction"), p.get("abs_diff"),
            Boolean.parseBoolean(p.get("correct")) ? "yes" : "no"), td);
      }
    }
    assertTrue(page.getElementById("model-lstm").selectFirst("pre.summary").text().contains("Total params: 11,311"));
  }

  @Test
  void pageIsSelfContained() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Document page = page(results);
    assertTrue(page.select("script, link[rel=stylesheet], iframe").isEmpty());
    for (Element e : page.select("[src], [href]")) {
      String ref = e.hasAttr("src") ? e.attr("src") : e.attr("href");
      if (ref.startsWith("#")) {
        assertNotNull(page.getElementById(ref.substring(1)), ref);
      } else if (ref.startsWith("data:")) {
        continue;
      } else {
        assertFalse(ref.matches("^[a-z]+:.*|^//.*"), "no network reference: " + ref);
        assertTrue(Files.isRegularFile(results.resolve(ref)), "referenced file exists: " + ref);
      }
    }
  }

  @Test
  void everyChartIsAlsoAnSvg() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    List<Element> links = page(results).select("figcaption a[href$=.svg]");
    assertEquals(15, links.size());
    for (Element a : links) {
      Document svg = Jsoup.parse(Files.readString(results.resolve(a.attr("href"))), "", Parser.xmlParser());
      assertNotNull(svg.selectFirst("svg"), a.attr("href"));
    }
  }

  @Test
  void markdownHasTheSameTablesAndLinksTheImages() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Document page = page(results);
    String md = Files.readString(results.resolve(Report.MARKDOWN));

    List<MarkdownTables.Table> tables = MarkdownTables.parse(md);
    MarkdownTables.Table resultsTable = tables.stream().filter(t -> t.has("final loss")).findFirst().orElseThrow();
    assertEquals(page.select("#results-table tr").first().select("th").eachText(),
        unescape(resultsTable.header()));
    List<List<String>> htmlRows = new ArrayList<>();
    for (Element tr : page.select("#results-table tr[data-model]")) {
      List<String> row = new ArrayList<>(List.of(tr.attr("data-model")));
      row.addAll(tr.select("td").eachText());
      htmlRows.add(row);
    }
    assertEquals(htmlRows, resultsTable.rows().stream().map(ReportTest::unescape).toList());
    assertEquals(6, htmlRows.size());

    Map<String, String> config = tables.get(0).rows().stream()
        .collect(Collectors.toMap(r -> unescape(r).get(0), r -> unescape(r).get(1)));
    assertEquals("42", config.get("seed"));

    List<String> images = new ArrayList<>();
    var m = java.util.regex.Pattern.compile("!\\[[^\\]]*\\]\\(([^)]+)\\)").matcher(md);
    while (m.find()) {
      images.add(m.group(1));
      assertTrue(Files.isRegularFile(results.resolve(m.group(1))), m.group(1));
    }
    assertEquals(page.select("img").eachAttr("src"), images);
    assertTrue(md.contains("```text\n" + Files.readString(results.resolve("gru/summary.txt")).stripTrailing()));
  }

  static List<String> unescape(List<String> cells) {
    return cells.stream().map(c -> c.replaceAll("\\\\(.)", "$1")).toList();
  }

  @Test
  void bookRowsHoldTheNumbersOfTheBooksFiles() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Document page = page(results);
    Map<String, Element> lstm = cells(page, "book", "lstm");
    assertEquals("Python notebook (Test GPU, 2001)", lstm.get("run").text());
    assertEquals("11,311", lstm.get("params").text());
    assertEquals("7.1234e-04", lstm.get("final loss").text());
    assertEquals("6.2345e-04", lstm.get("final val_loss").text());
    assertEquals("6.3456e-04", lstm.get("test loss").text());
    assertEquals("93.21 %", lstm.get("correctness").text());
    assertEquals("250 s (4.2 min)", lstm.get("training time").text());
    assertEquals("5.00 s", lstm.get("s/epoch").text(), "250 s for the header's 50 epochs");
    Map<String, Element> rnn = cells(page, "book", "simple_rnn");
    assertEquals("0.0311", rnn.get("final loss").text());
    assertEquals("1,000 s (16.7 min)", rnn.get("training time").text());
    assertTrue(page.text().contains("simple_rnn: 12.34 % and 23.45 % (two runs)"), "second runs' correctness");
  }

  /** No folder given: the copy rnnbook carries, so a fresh clone shows the notebook's own numbers. */
  @Test
  void byDefaultTheBookRowsHoldTheBundledNotebookNumbers() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, null);
    Document page = page(results);
    Map<String, Element> lstm = cells(page, "book", "lstm");
    assertEquals("Python notebook (Colab GPU, 2019)", lstm.get("run").text());
    assertEquals("6.0522e-04", lstm.get("test loss").text());
    assertEquals("94.77 %", lstm.get("correctness").text());
    assertEquals("98.86 %", cells(page, "book", "gru").get("correctness").text());
    for (String m : ResultsFixture.MODELS) {
      assertTrue(Files.isRegularFile(results.resolve(m).resolve("vs_book.png")), m);
    }
    assertTrue(page.selectFirst("#configuration-table").text().contains(BookReference.BUNDLED));
  }

  @Test
  void withoutTheBookItsColumnsSayUnavailable() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, dir.resolve("no-such-book"));
    Document page = page(results);
    for (String m : ResultsFixture.MODELS) {
      Map<String, Element> book = cells(page, "book", m);
      book.forEach((column, td) -> {
        if (!column.equals("run")) {
          assertEquals("unavailable", td.text(), m + " " + column);
        }
      });
      assertFalse(Files.exists(results.resolve(m).resolve("vs_book.png")));
    }
    assertTrue(page.selectFirst("ul.problems").text().contains("no folder " + dir.resolve("no-such-book")));
    assertEquals(12, assertImagesAreReadablePngs(results, page).size());
  }

  @Test
  void interruptedRunReportsWhatFinishedAndNamesTheMissing() throws IOException {
    Path results = ResultsFixture.interrupted(dir.resolve("results"));
    Report.Outcome o = Report.write(results, ResultsFixture.book(dir.resolve("book")));
    assertEquals(List.of("lstm", "gru"), o.run().missing());
    Document page = page(results);
    String status = page.getElementById("status").text();
    assertTrue(status.contains("1 of 3 models finished (simple_rnn)") && status.contains("Missing: lstm, gru")
        && status.contains("interrupted"), status);
    List<String> missing = page.select(".missing-model").eachText();
    assertEquals(List.of("lstm: did not finish (no row in summary.csv); left summary.txt.",
        "gru: did not finish (no row in summary.csv); no result files."), missing);
    assertEquals("missing", cells(page, "ours", "gru").get("correctness").text());
    assertEquals("93.21 %", cells(page, "book", "lstm").get("correctness").text());
    assertNotNull(page.getElementById("model-simple_rnn"));
    assertTrue(page.select("#model-lstm, #model-gru").isEmpty());
    assertEquals("not finished", page.select("#configuration-table tr").stream()
        .filter(tr -> tr.selectFirst("th").text().equals("finished")).findFirst().orElseThrow()
        .selectFirst("td").text());
    assertEquals(7, assertImagesAreReadablePngs(results, page).size());
    String md = Files.readString(results.resolve(Report.MARKDOWN));
    assertTrue(md.contains("Missing: lstm, gru") && md.contains("gru: did not finish"), md);
  }

  @Test
  void runWithoutRunJsonReportsTheModelsOfSummaryCsv() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Files.delete(results.resolve("run.json"));
    Files.delete(results.resolve("gru/summary.txt"));
    Report.write(results, dir.resolve("no-such-book"));
    Document page = page(results);
    assertEquals(3, page.select("#results-table tr.ours").size());
    assertTrue(page.getElementById("configuration-table").text().contains("configuration is unknown"));
    assertTrue(page.getElementById("status").text().startsWith("3 models finished (simple_rnn, lstm, gru). "
        + "run.json is missing"), page.getElementById("status").text());
    assertTrue(page.getElementById("model-gru").text().contains("summary.txt is missing"));
    assertTrue(page.selectFirst("ul.problems").text().contains("gru/summary.txt is missing"));
  }

  @Test
  void textIsEscaped() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    ResultsFixture.runInfo(results, true, "<script>alert('x')</script> & \"more\"");
    Report.write(results, dir.resolve("no-such-book"));
    Document page = page(results);
    assertTrue(page.select("script").isEmpty());
    assertTrue(page.getElementById("configuration-table").text()
        .contains("<script>alert('x')</script> & \"more\""));
    assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", HtmlReport.esc("<a href=\"x\">&'"));
    assertEquals("a\\|b \\_c\\_ &lt;i&gt;", MarkdownReport.esc("a|b _c_ <i>"));
  }

  @Test
  void aFolderWithoutResultsIsRejected() throws IOException {
    var e = assertThrows(IllegalArgumentException.class, () -> Report.write(dir.resolve("nothing"), dir));
    assertTrue(e.getMessage().contains("no such folder"), e.getMessage());
    Files.createDirectories(dir.resolve("empty"));
    e = assertThrows(IllegalArgumentException.class, () -> Report.write(dir.resolve("empty"), dir));
    assertTrue(e.getMessage().contains("holds no chapter results"), e.getMessage());
  }

  @Test
  void afterRunFailureSaysTheResultsAreKeptAndHowToRebuild() throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("file"), "x");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    var e = assertThrows(IOException.class,
        () -> Report.afterRun(notAFolder, null, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("writing the report failed")
        && e.getMessage().contains("rnnbook report --results " + notAFolder), e.getMessage());

    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.afterRun(results, ResultsFixture.book(dir.resolve("book")), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("report: " + results.resolve(Report.HTML)));
  }

  /**
   * What a diverged run or a kill leaves: NaN and infinite numbers, a row cut in the middle. The
   * report keeps every row that parses, names the others, shows nan and inf as such and draws the
   * charts without them.
   */
  @Test
  void cutRowsAndNumbersThatAreNotFiniteAreReportedNotFatal() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    List<String> summary = new ArrayList<>(Files.readAllLines(results.resolve("summary.csv")));
    String[] gru = summary.get(3).split(",");
    gru[2] = "NaN";
    gru[4] = "inf";
    summary.set(3, String.join(",", gru));
    Files.writeString(results.resolve("summary.csv"), String.join("\n", summary) + "\nlstm,11311,0.00");
    List<String> predictions = new ArrayList<>(Files.readAllLines(results.resolve("gru/predictions.csv")));
    predictions.set(1, "0,0.25,NaN,NaN,false");
    predictions.set(2, "1,Infinity,0.5,Infinity,false");
    predictions.set(3, "2,0.5,nan,nan,maybe");
    Files.write(results.resolve("gru/predictions.csv"), predictions);
    List<String> history = new ArrayList<>(Files.readAllLines(results.resolve("gru/history.csv")));
    history.set(1, "1,nan,-inf,0.4");
    Files.writeString(results.resolve("gru/history.csv"), String.join("\n", history) + "\n101,0.1");

    Report.Outcome o = Report.write(results, ResultsFixture.book(dir.resolve("book")));
    assertEquals(List.of("simple_rnn", "lstm", "gru"), o.run().finished().stream().map(m -> m.key()).toList());
    assertEquals(ResultsFixture.EPOCHS, o.run().finished().get(2).history().epochs());
    assertEquals(ResultsFixture.TEST_SAMPLES - 1, o.run().finished().get(2).predictions().size());
    assertEquals(List.of("summary.csv line 5 could not be read (it has 3 of 7 columns); it is left out",
        "gru/history.csv line 102 could not be read (it has 2 of 4 columns); it is left out",
        "gru/predictions.csv line 4 could not be read (correct is 'maybe', not true or false); it is left out"),
        o.run().problems());
    Document page = page(results);
    Map<String, Element> row = cells(page, "ours", "gru");
    assertEquals("nan", row.get("final loss").text());
    assertEquals("inf", row.get("test loss").text());
    assertTrue(page.getElementById("model-gru").text().contains("0 0.25 nan nan no"), "the sample table shows nan");
    assertTrue(page.selectFirst("ul.problems").text().contains("summary.csv line 5 could not be read"));
    Path intact = ResultsFixture.complete(dir.resolve("intact"));
    Report.write(intact, ResultsFixture.book(dir.resolve("book")));
    assertEquals(page(intact).select("img").size(), assertImagesAreReadablePngs(results, page).size(),
        "every chart drawn, without the values it cannot place");
  }

  @Test
  void noTemporaryFilesAreLeft() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    try (Stream<Path> s = Files.walk(results)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void studySectionHoldsTheStudysNumbersAndCharts() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Path study = ResultsFixture.study(results);
    Report.write(results, ResultsFixture.book(dir.resolve("book")));
    Document page = page(results);
    Element section = page.getElementById("study");
    assertNotNull(section);
    assertTrue(page.select("nav a[href=#study]").size() == 1);
    assertTrue(section.getElementById("study-intro").text().contains("30 runs in all: each model trained on 10 seeds "
        + "(42, 43, 44, 45, 46, 47, 48, 49, 50, 51), 100 epochs each"), section.getElementById("study-intro").text());

    // every number checked against runs.csv, computed here
    List<CSVRecord> runs = csv(study.resolve("runs.csv"));
    for (String m : ResultsFixture.MODELS) {
      double[] c = runs.stream().filter(r -> r.get("model").equals(m))
          .mapToDouble(r -> Double.parseDouble(r.get("correctness"))).sorted().toArray();
      long left = runs.stream().filter(r -> r.get("model").equals(m))
          .filter(r -> Double.parseDouble(r.get("val_loss")) < 0.01).count();
      double mean = Arrays.stream(c).average().orElseThrow();
      double sd = Math.sqrt(Arrays.stream(c).map(v -> (v - mean) * (v - mean)).sum() / (c.length - 1));
      List<String> cells = section.selectFirst("#study-table tr[data-model=" + m + "]").select("td").eachText();
      assertEquals("10", cells.get(0));
      assertEquals(String.format(java.util.Locale.ROOT, "%.2f %% \u00b1 %.2f", mean, sd), cells.get(1), m);
      assertEquals(String.format(java.util.Locale.ROOT, "%.2f %%", c[0]), cells.get(2));
      assertEquals(String.format(java.util.Locale.ROOT, "%.2f %%", (c[4] + c[5]) / 2), cells.get(3), m + " median");
      assertEquals(String.format(java.util.Locale.ROOT, "%.2f %%", c[9]), cells.get(4));
      assertEquals(left + " of 10", cells.get(7), m);
    }
    assertEquals("0 of 10", section.selectFirst("#study-table tr[data-model=simple_rnn]").select("td").last().text());
    assertEquals("9 of 10", section.selectFirst("#study-table tr[data-model=gru]").select("td").last().text());

    List<String> images = assertImagesAreReadablePngs(results, page).stream()
        .map(p -> results.relativize(p).toString()).toList();
    assertTrue(images.containsAll(List.of("study/correctness.png", "study/val_loss.png")), images.toString());
    assertEquals(17, images.size(), "the chapter's 15 and the study's 2");
    String md = Files.readString(results.resolve(Report.MARKDOWN));
    assertTrue(md.contains("## Several seeds: how often each model solves the problem"));
    MarkdownTables.Table table = MarkdownTables.parse(md).stream().filter(t -> t.has("left the plateau"))
        .findFirst().orElseThrow();
    assertEquals(page.select("#study-table tr").first().select("th").eachText(), unescape(table.header()));
    assertEquals(3, table.rows().size());
  }

  @Test
  void gatesSectionShowsOneLstmAndOneGruSampleWithTheExplanation() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    ResultsFixture.gates(results);
    Report.write(results, dir.resolve("no-such-book"));
    Document page = page(results);
    Element section = page.getElementById("gates");
    assertNotNull(section);
    String explanation = section.getElementById("gates-explanation").text();
    assertEquals(2, explanation.split("(?<=\\.) ").length, "two sentences: " + explanation);
    assertTrue(explanation.contains("forget gate f") && explanation.contains("update gate z"), explanation);
    assertNotNull(section.getElementById("gates-lstm"));
    assertNotNull(section.getElementById("gates-gru"));

    List<String> images = section.select("img").eachAttr("src");
    // lstm: sample 1, whose marks (10 and 90) lie further apart than sample 0's (3 and 8)
    assertEquals(List.of("gates/lstm/sample_1/heatmap_lstm.png", "gates/lstm/sample_1/state_lstm.png",
        "gates/lstm/sample_1/heatmap_lstm_1.png", "gates/lstm/sample_1/state_lstm_1.png",
        "gates/gru/sample_4/heatmap_gru.png", "gates/gru/sample_4/state_gru.png",
        "gates/gru/sample_4/heatmap_gru_1.png", "gates/gru/sample_4/state_gru_1.png"), images);
    assertEquals(20, assertImagesAreReadablePngs(results, page).size(), "the chapter's 12 (no book) and the gates' 8");
    assertTrue(section.text().contains("Marked: t=10 (value "), section.text());
    assertFalse(Files.exists(results.resolve("gates/lstm/sample_0/heatmap_lstm.png")), "only the shown sample is drawn");
    String md = Files.readString(results.resolve(Report.MARKDOWN));
    assertTrue(md.contains("## The gates at work\n\n" + MarkdownReport.esc(explanation)), md);
    assertTrue(md.contains("](gates/gru/sample_4/state_gru_1.png)"));
  }

  @Test
  void withoutStudyOrGatesTheirSectionsAreLeftOut() throws IOException {
    Path results = ResultsFixture.complete(dir.resolve("results"));
    Report.write(results, dir.resolve("no-such-book"));
    Document page = page(results);
    assertTrue(page.select("#study, #gates, nav a[href=#study], nav a[href=#gates]").isEmpty());
    String md = Files.readString(results.resolve(Report.MARKDOWN));
    assertFalse(md.contains("Several seeds") || md.contains("gates at work"));
  }

  @Test
  void toleranceIsTheChapters() {
    assertEquals(Chapter.TOLERANCE, Report.TOLERANCE);
  }
}
