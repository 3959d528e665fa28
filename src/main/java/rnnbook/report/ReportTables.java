package rnnbook.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.io.RunInfo;
import rnnbook.report.ReportContent.Cell;
import rnnbook.report.ReportContent.Figure;
import rnnbook.report.ReportContent.ModelSection;
import rnnbook.report.ReportContent.ResultRow;
import rnnbook.report.ReportContent.Row;
import rnnbook.report.RunResults.ModelResults;

/** The report's words and tables from a run's results and the book's numbers. */
final class ReportTables {
  private static final int SAMPLES = 5;

  private ReportTables() {}

  static ReportContent content(RunResults run, BookReference book, KerasSameStart keras,
      List<List<Figure>> overview, List<ModelSection> sections, ReportContent.StudySection study,
      ReportContent.GatesSection gates, List<String> moreProblems) {
    List<String> problems = new ArrayList<>(run.problems());
    problems.addAll(book.notes());
    problems.addAll(keras.notes());
    problems.addAll(moreProblems);
    return new ReportContent("Chapter 7: the multiplication problem with SimpleRNN, LSTM and GRU",
        run.complete(), status(run), configuration(run, book, keras), results(run, book, keras),
        resultNotes(run, book), SameStartTable.section(run, keras), overview, sections, missing(run), problems,
        study, gates);
  }

  static String status(RunResults run) {
    int done = run.finished().size();
    int all = run.models().size();
    List<String> missing = run.missing();
    String finishedModels = done == 0 ? "" : " (" + String.join(", ",
        run.finished().stream().map(ModelResults::key).toList()) + ")";
    if (run.complete()) {
      return "Finished: " + done + " of " + all + " models" + finishedModels + ".";
    }
    if (run.info() == null) {
      return done + " models finished" + finishedModels + ". run.json is missing: the run's "
          + "configuration, and any model it did not reach, are unknown.";
    }
    StringBuilder b = new StringBuilder("Not finished: " + done + " of " + all + " models finished"
        + finishedModels + ".");
    if (!missing.isEmpty()) {
      b.append(" Missing: ").append(String.join(", ", missing)).append('.');
    }
    if (run.info() != null && run.info().finished() == null) {
      b.append(" run.json has no finish time: the run was interrupted or is still running.");
    }
    return b.toString();
  }

  static List<Row> configuration(RunResults run, BookReference book, KerasSameStart keras) {
    List<Row> rows = new ArrayList<>();
    RunInfo i = run.info();
    if (i == null) {
      rows.add(new Row("run.json", "missing or unreadable: the configuration is unknown"));
    } else {
      rows.add(new Row("command", i.command()));
      rows.add(new Row("models", String.join(", ", i.models())));
      rows.add(new Row("epochs", Integer.toString(i.epochs())));
      rows.add(new Row("seed", Long.toString(i.seed())));
      rows.add(new Row("batch size", Integer.toString(i.batchSize())));
      if (i.shuffle() != null) { // run.json files before same-start lack it
        rows.add(new Row("batches", "validation_split " + i.validationSplit() + "; training samples shuffled by "
            + i.shuffle().replace("shuffle_seed", Long.toString(i.shuffleSeed()))));
      }
      rows.add(new Row("data", i.data()));
      rows.add(new Row("TensorFlow", i.tensorflow()));
      rows.add(new Row("device", i.device()));
      if (i.recurrentLayers() != null) { // run.json files before the native kernels lack it
        rows.add(new Row("recurrent layers", i.recurrentLayers()));
      }
      if (i.tensorMemory() != null) { // run.json files before rnnbook's allocator lack it
        rows.add(new Row("tensor memory", i.tensorMemory()));
      }
      rows.add(new Row("machine", i.machine()));
      rows.add(new Row("Java", i.java()));
      rows.add(new Row("started", i.started()));
      rows.add(new Row("finished", i.finished() == null ? "not finished" : i.finished()));
    }
    rows.add(new Row("results", run.dir().toString()));
    rows.add(new Row("Python notebook's numbers", book.available() ? book.source()
        : Formats.UNAVAILABLE + " (" + book.source() + ")"));
    rows.add(new Row("Keras from the same start", keras.models().isEmpty() ? Formats.UNAVAILABLE + " ("
        + keras.source() + ": see What is missing)" : keras.source() + " (" + keras.info().describe()
        + ", " + keras.info().epochs() + " epochs): " + String.join(", ",
            run.models().stream().filter(keras.models()::containsKey).toList())));
    return rows;
  }

  /** Per model of the run: this run's row, Keras's from the same start (if any model has one), the notebook's. */
  static List<ResultRow> results(RunResults run, BookReference book, KerasSameStart keras) {
    List<ResultRow> rows = new ArrayList<>();
    String ours = "this run" + (run.info() == null ? "" : " (" + run.info().device() + ")");
    String theirs = "Python notebook" + (book.timing() == null ? "" : " (" + book.timing() + ")");
    String kerasRun = keras.info() == null ? null : "Keras, same start (" + keras.info().describe() + ")";
    for (String key : run.models()) {
      Optional<ModelResults> m = run.finished().stream().filter(r -> r.key().equals(key)).findFirst();
      if (m.isPresent()) {
        SummaryRow r = m.get().row();
        int epochs = m.get().history().epochs() > 0 ? m.get().history().epochs()
            : run.info() != null ? run.info().epochs() : 0;
        rows.add(new ResultRow("ours", measured(key, ours, r, epochs)));
      } else {
        List<Cell> row = new ArrayList<>(List.of(Cell.of(key), Cell.of(ours)));
        for (int c = 2; c < ReportContent.RESULTS_HEADER.size(); c++) {
          row.add(Cell.of("missing"));
        }
        rows.add(new ResultRow("ours", row));
      }
      if (!keras.models().isEmpty()) {
        Optional<KerasSameStart.Model> k = keras.model(key);
        rows.add(new ResultRow("keras", k.isPresent()
            ? measured(key, kerasRun, k.get().row(), k.get().history().epochs())
            : unavailable(key, kerasRun == null ? "Keras, same start" : kerasRun)));
      }
      Optional<BookReference.Model> b = book.model(key);
      rows.add(new ResultRow("book", List.of(Cell.of(key), Cell.of(theirs),
          Cell.of(Formats.params(b.map(BookReference.Model::params).orElse(null))),
          Cell.of(Formats.loss(b.map(BookReference.Model::loss).orElse(null))),
          Cell.of(Formats.loss(b.map(BookReference.Model::valLoss).orElse(null))),
          Cell.of(Formats.loss(b.map(BookReference.Model::testLoss).orElse(null))),
          Cell.of(Formats.percent(b.map(BookReference.Model::correctness).orElse(null))),
          Cell.of(Formats.duration(b.map(BookReference.Model::seconds).orElse(null))),
          Cell.of(Formats.secondsPerEpoch(b.map(BookReference.Model::secondsPerEpoch).orElse(null))))));
    }
    return rows;
  }

  private static List<Cell> measured(String key, String run, SummaryRow r, int epochs) {
    return List.of(Cell.of(key), Cell.of(run), num(Formats.params(r.params()), r.params()),
        num(Formats.loss(r.loss()), r.loss()), num(Formats.loss(r.valLoss()), r.valLoss()),
        num(Formats.loss(r.testLoss()), r.testLoss()), num(Formats.percent(r.correctness()), r.correctness()),
        num(Formats.duration(r.trainSeconds()), r.trainSeconds()),
        Cell.of(Formats.secondsPerEpoch(epochs == 0 ? null : r.trainSeconds() / epochs)));
  }

  private static List<Cell> unavailable(String key, String run) {
    List<Cell> row = new ArrayList<>(List.of(Cell.of(key), Cell.of(run)));
    for (int c = 2; c < ReportContent.RESULTS_HEADER.size(); c++) {
      row.add(Cell.of(Formats.UNAVAILABLE));
    }
    return row;
  }

  static List<String> resultNotes(RunResults run, BookReference book) {
    List<String> notes = new ArrayList<>();
    notes.add("Correctness: the share of test predictions within " + Report.TOLERANCE
        + " of the true y, as the notebook counts it. Losses are mean squared errors.");
    List<String> others = new ArrayList<>();
    for (String key : run.models()) {
      book.model(key).map(BookReference.Model::otherCorrectness).filter(s -> !s.isBlank())
          .ifPresent(s -> others.add(key + ": " + s));
    }
    if (!others.isEmpty()) {
      notes.add("Correctness of other Python runs of the notebook (chapter notes): "
          + String.join("; ", others) + ".");
    }
    return notes;
  }

  static List<String> missing(RunResults run) {
    List<String> out = new ArrayList<>();
    for (String key : run.missing()) {
      List<String> files = run.filesOf(key);
      out.add(key + ": did not finish (no row in summary.csv); "
          + (files.isEmpty() ? "no result files" : "left " + String.join(", ", files)) + ".");
    }
    return out;
  }

  static List<List<String>> samples(List<Prediction> predictions) {
    return predictions.stream().limit(SAMPLES).map(p -> List.of(Integer.toString(p.index()),
        exact(p.y()), Double.isFinite(p.prediction()) ? Float.toString(p.prediction()) : Formats.notFinite(
            (double) p.prediction()), exact(p.absDiff()), p.correct() ? "yes" : "no")).toList();
  }

  /** A value as written in the CSV file; nan and inf as Keras prints them. */
  private static String exact(double v) {
    return Double.isFinite(v) ? Double.toString(v) : Formats.notFinite(v);
  }

  private static Cell num(String text, double value) {
    return new Cell(text, Double.toString(value));
  }

  private static Cell num(String text, long value) {
    return new Cell(text, Long.toString(value));
  }
}
