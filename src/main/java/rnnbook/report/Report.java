package rnnbook.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.History;
import rnnbook.report.ReportContent.Figure;
import rnnbook.report.ReportContent.ModelSection;
import rnnbook.report.RunResults.ModelResults;

/**
 * The chapter's report, built from a results folder alone (never from a model): the charts beside
 * the CSV files, then {@code report.html} (one page, inline CSS, images referenced relatively) and
 * {@code report.md} with the same tables. A run that did not finish gets a report of what did,
 * naming what is missing.
 */
public final class Report {
  /** The notebook's tolerance, as {@code Chapter.TOLERANCE}; predictions.csv's column decides. */
  public static final double TOLERANCE = 0.04;
  public static final String HTML = "report.html";
  public static final String MARKDOWN = "report.md";

  private Report() {}

  /**
   * What {@link #write} wrote and read.
   *
   * @param html the page
   * @param markdown its Markdown twin
   * @param run what the results folder holds
   * @param book the notebook's numbers that were found
   * @param keras Keras from the same start, where it was found
   */
  public record Outcome(Path html, Path markdown, RunResults run, BookReference book, KerasSameStart keras) {}

  /**
   * Draws the charts and writes report.html and report.md into {@code results}.
   *
   * @param book the folder of the notebook's numbers, null for the bundled copy; absent, the
   *     book's columns say unavailable
   * @throws IllegalArgumentException when {@code results} holds no chapter results
   */
  public static Outcome write(Path results, Path book) throws IOException {
    return write(results, book, null);
  }

  /**
   * As {@link #write(Path, Path)}, with Keras trained from the same start.
   *
   * @param keras the {@code results} folder of {@code chapter7_keras.py --same-start}, null for the
   *     Keras run bundled with rnnbook; shown for the models that started where this run did
   */
  public static Outcome write(Path results, Path book, Path keras) throws IOException {
    RunResults run = RunResults.read(results);
    BookReference reference = BookReference.load(book);
    KerasSameStart sameStart = KerasSameStart.load(keras, run);
    ChartFiles.Batch charts = new ChartFiles.Batch();
    List<List<Figure>> overview = drawOverview(run, reference, sameStart, charts);
    List<ModelSection> sections = new ArrayList<>();
    for (ModelResults m : run.finished()) {
      sections.add(drawModel(run.dir(), m, reference, sameStart, charts));
    }
    charts.writeAll();
    List<String> problems = new ArrayList<>();
    ReportContent.StudySection study = ReportExtras.study(results, problems);
    ReportContent.GatesSection gates = ReportExtras.gates(results, problems);
    ReportContent content = ReportTables.content(run, reference, sameStart, overview, sections, study, gates,
        problems);
    Path html = results.resolve(HTML);
    Path md = results.resolve(MARKDOWN);
    AtomicWrite.text(html, w -> w.write(HtmlReport.render(content)));
    AtomicWrite.text(md, w -> w.write(MarkdownReport.render(content)));
    return new Outcome(html, md, run, reference, sameStart);
  }

  /**
   * Writes the report at the end of a chapter run, with the book's numbers from {@code book}
   * (null: the bundled copy; an absent folder: shown as unavailable), and prints where it is.
   *
   * @throws IOException saying that the results are complete and how to rebuild the report, when
   *     the report fails
   */
  public static void afterRun(Path results, Path book, PrintStream out) throws IOException {
    try {
      Outcome o = write(results, book);
      out.println("report: " + o.html() + " and " + o.markdown());
    } catch (IOException | RuntimeException e) {
      throw new IOException("the models finished and their results are in " + results
          + ", but writing the report failed (" + (e.getMessage() != null ? e.getMessage() : e)
          + "); rebuild it with: rnnbook report --results " + results, e);
    }
  }

  /**
   * Loads what drawing a chart needs (fonts, rasterizer, encoders) by drawing two small charts in
   * memory; a run calls it on a spare core early, so that its first chart file is not slowed by it.
   */
  public static void warmUp() {
    ChartFiles.warmUp();
  }

  /** The val_loss of all models on one row; parameters beside correctness on the next. */
  private static List<List<Figure>> drawOverview(RunResults run, BookReference book, KerasSameStart keras,
      ChartFiles.Batch charts) {
    List<List<Figure>> rows = new ArrayList<>();
    if (run.finished().isEmpty()) {
      return rows;
    }
    Map<String, History> histories = new LinkedHashMap<>();
    run.finished().stream().filter(m -> m.history().epochs() > 0)
        .forEach(m -> histories.put(m.key(), m.history()));
    if (!histories.isEmpty()) {
      charts.add(run.dir(), "val_loss", ReportCharts.valLoss(histories));
      rows.add(List.of(figure("val_loss", "val_loss of every model per epoch, log scale: the plateau at "
          + "about 0.05 and the drop of the models that learn")));
    }
    List<String> keys = run.finished().stream().map(ModelResults::key).toList();
    charts.add(run.dir(), "params", ReportCharts.params(keys,
        run.finished().stream().map(m -> m.row().params()).toList()));
    Figure params = figure("params", "parameters per model");
    charts.add(run.dir(), "correctness", ReportCharts.correctness(keys,
        run.finished().stream().map(m -> m.row().correctness()).toList(),
        keys.stream().map(k -> keras.model(k).map(x -> x.row().correctness()).orElse(null)).toList(),
        keys.stream().map(k -> book.model(k).map(BookReference.Model::correctness).orElse(null)).toList()));
    rows.add(List.of(params, figure("correctness", "correctness on the test set (|prediction - y| <= "
        + TOLERANCE + "), this run beside Keras from the same start and the Python notebook")));
    return rows;
  }

  private static ModelSection drawModel(Path results, ModelResults m, BookReference book, KerasSameStart keras,
      ChartFiles.Batch charts) {
    String key = m.key();
    Path folder = results.resolve(key);
    List<Figure> figures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (m.history().epochs() > 0) {
      charts.add(folder, "loss", LossPlot.chart(key, m.history().loss(), m.history().valLoss()));
      figures.add(figure(key + "/loss", key + ": loss and val_loss per epoch, as the notebook draws them"));
      var kerasModel = keras.model(key);
      if (kerasModel.isPresent()) {
        History k = kerasModel.get().history();
        var a = KerasSameStart.agreement(m.history(), k, SameStartTable.TOLERANCE);
        charts.add(folder, "vs_keras", ReportCharts.versusKeras(key, m.history(), k, a.upTo()));
        figures.add(figure(key + "/vs_keras", key + ": this run and Keras from the same start, on the same "
            + "batches; within 1e-5 relative up to epoch " + a.upTo() + " (marked)"));
      }
      var bookHistory = book.model(key).map(BookReference.Model::history);
      if (bookHistory.isPresent()) {
        charts.add(folder, "vs_book", ReportCharts.versusBook(key, m.history(), bookHistory.get()));
        figures.add(figure(key + "/vs_book", key + ": this run's curves beside the Python notebook's"));
      } else {
        notes.add("The Python notebook's curve for " + key + " is unavailable (no " + key
            + "_history.csv in " + book.source() + ").");
      }
    }
    if (!m.predictions().isEmpty()) {
      charts.add(folder, "predictions", ReportCharts.predictions(key, m.predictions(), TOLERANCE));
      figures.add(figure(key + "/predictions", key + ": prediction against true y on the test set, "
          + "with y = x and the band of \u00b1" + TOLERANCE));
      charts.add(folder, "errors", ReportCharts.errors(key, m.predictions(), TOLERANCE));
      figures.add(figure(key + "/errors", key + ": histogram of |prediction - y|, threshold "
          + TOLERANCE + " marked"));
    }
    return new ModelSection(key, m.summaryText(), figures, ReportTables.samples(m.predictions()), notes);
  }

  private static Figure figure(String name, String caption) {
    return new Figure(name + ".png", name + ".svg", caption);
  }
}
