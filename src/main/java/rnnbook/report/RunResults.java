package rnnbook.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;
import rnnbook.data.InputFiles;
import rnnbook.io.CsvRows;
import rnnbook.io.ResultFiles;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.io.RunInfo;
import rnnbook.keras.History;

/**
 * A chapter run as its results folder holds it, finished or not: {@code run.json}, {@code
 * summary.csv} (one row per finished model) and per model {@code summary.txt}, {@code
 * history.csv}, {@code predictions.csv}. A missing or unreadable file is not an error here: it is
 * recorded in {@link #problems()} and the report says so.
 *
 * @param dir the results folder
 * @param info the run's configuration, or null when run.json is absent or unreadable
 * @param models every model the run meant to train: run.json's list, else those found on disk
 * @param finished the models with a row in summary.csv, in its order
 * @param problems files that are missing or could not be read, one sentence each
 */
public record RunResults(Path dir, RunInfo info, List<String> models, List<ModelResults> finished,
    List<String> problems) {
  public static final String RUN_JSON = "run.json";
  public static final String SUMMARY_CSV = "summary.csv";
  public static final String SUMMARY_TXT = "summary.txt";
  public static final String HISTORY_CSV = "history.csv";
  public static final String PREDICTIONS_CSV = "predictions.csv";
  private static final List<String> MODEL_FILES = List.of(SUMMARY_TXT, HISTORY_CSV, PREDICTIONS_CSV);

  public RunResults {
    models = List.copyOf(models);
    finished = List.copyOf(finished);
    problems = List.copyOf(problems);
  }

  /**
   * One finished model.
   *
   * @param summaryText Keras's summary table, or null when summary.txt is missing
   * @param history per epoch loss, val_loss and seconds; empty when history.csv is missing
   * @param predictions the test predictions; empty when predictions.csv is missing
   */
  public record ModelResults(SummaryRow row, String summaryText, History history,
      List<Prediction> predictions) {
    public ModelResults {
      predictions = List.copyOf(predictions);
    }

    public String key() {
      return row.model();
    }
  }

  /** The models of {@link #models()} without a row in summary.csv. */
  public List<String> missing() {
    Set<String> done = new LinkedHashSet<>(finished.stream().map(ModelResults::key).toList());
    return models.stream().filter(m -> !done.contains(m)).toList();
  }

  /** True when run.json says the run ended and every model finished. */
  public boolean complete() {
    return info != null && info.finished() != null && missing().isEmpty();
  }

  /** The result files of a model that are on disk (for a model that did not finish, what it left). */
  public List<String> filesOf(String model) {
    Path folder = dir.resolve(model);
    return MODEL_FILES.stream().filter(f -> Files.isRegularFile(folder.resolve(f))).toList();
  }

  /** Whether {@code dir} holds a chapter run (run.json, summary.csv or a model's folder) to report. */
  public static boolean holdsChapterResults(Path dir) {
    return Files.isDirectory(dir) && (Files.exists(dir.resolve(RUN_JSON)) || Files.exists(dir.resolve(SUMMARY_CSV))
        || !modelFoldersOn(dir).isEmpty());
  }

  /**
   * Reads a results folder.
   *
   * @throws IllegalArgumentException when {@code dir} is not a folder or holds no chapter results
   */
  public static RunResults read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--results: " + (Files.exists(dir) ? dir + " is a file, not a folder"
          : "no such folder: " + dir));
    }
    List<String> problems = new ArrayList<>();
    RunInfo info = null;
    Path runJson = dir.resolve(RUN_JSON);
    if (!Files.exists(runJson)) {
      problems.add(RUN_JSON + " is missing: the run's configuration is unknown");
    } else {
      try {
        info = RunInfo.read(runJson);
      } catch (IOException | RuntimeException e) {
        problems.add(RUN_JSON + " could not be read: " + e.getMessage());
      }
    }
    List<SummaryRow> rows = List.of();
    Path summary = dir.resolve(SUMMARY_CSV);
    if (!Files.exists(summary)) {
      problems.add(SUMMARY_CSV + " is missing: no model finished");
    } else {
      try {
        rows = readSummary(summary, problems);
      } catch (IOException | RuntimeException e) {
        problems.add(SUMMARY_CSV + " could not be read: " + e.getMessage());
      }
    }
    List<ModelResults> finished = new ArrayList<>();
    for (SummaryRow row : rows) {
      finished.add(readModel(dir.resolve(row.model()), row, problems));
    }
    Set<String> models = new LinkedHashSet<>();
    if (info != null && info.models() != null) {
      models.addAll(info.models());
    } else {
      rows.forEach(r -> models.add(r.model()));
      models.addAll(modelFoldersOn(dir));
    }
    if (info == null && models.isEmpty()) {
      throw new IllegalArgumentException("--results: " + dir
          + " holds no chapter results (no run.json, summary.csv or model folders)");
    }
    return new RunResults(dir, info, List.copyOf(models), finished, problems);
  }

  private static ModelResults readModel(Path folder, SummaryRow row, List<String> problems) {
    String name = row.model() + "/";
    String summaryText = null;
    History history = new History(List.of(), List.of(), List.of());
    List<Prediction> predictions = List.of();
    try {
      summaryText = InputFiles.readString(folder.resolve(SUMMARY_TXT));
    } catch (IOException | RuntimeException e) {
      problems.add(name + SUMMARY_TXT + unreadable(e) + ": no Keras summary for " + row.model());
    }
    List<String> rowProblems = new ArrayList<>();
    try {
      history = readHistory(folder.resolve(HISTORY_CSV), rowProblems);
    } catch (IOException | RuntimeException e) {
      problems.add(name + HISTORY_CSV + unreadable(e) + ": no loss curves for " + row.model());
    }
    try {
      predictions = readPredictions(folder.resolve(PREDICTIONS_CSV), rowProblems);
    } catch (IOException | RuntimeException e) {
      problems.add(name + PREDICTIONS_CSV + unreadable(e) + ": no prediction plots for " + row.model());
    }
    rowProblems.forEach(p -> problems.add(name + p));
    return new ModelResults(row, summaryText, history, predictions);
  }

  private static String unreadable(Exception e) {
    return e instanceof java.nio.file.NoSuchFileException ? " is missing"
        : " could not be read (" + e.getMessage() + ")";
  }

  private static List<String> modelFoldersOn(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> MODEL_FILES.stream().anyMatch(f -> Files.exists(p.resolve(f))))
          .map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** The rows of {@code file} that parse, the others named in {@code problems}. */
  static List<CSVRecord> records(Path file, String... header) throws IOException {
    return CsvRows.read(file, header, r -> r, new ArrayList<>());
  }

  /** The rows of summary.csv that parse. */
  public static List<SummaryRow> readSummary(Path file) throws IOException {
    return readSummary(file, new ArrayList<>());
  }

  /** The rows of summary.csv that parse; the others are named in {@code problems}. */
  public static List<SummaryRow> readSummary(Path file, List<String> problems) throws IOException {
    return CsvRows.read(file, ResultFiles.SUMMARY_HEADER, r -> new SummaryRow(r.get("model"),
        Long.parseLong(r.get("params")), num(r, "loss"), num(r, "val_loss"), num(r, "test_loss"),
        num(r, "correctness"), num(r, "train_seconds")), problems);
  }

  /** The epochs of history.csv that parse. */
  public static History readHistory(Path file) throws IOException {
    return readHistory(file, new ArrayList<>());
  }

  /** As {@link #readHistory(Path)}, naming rows left out in {@code problems}. */
  public static History readHistory(Path file, List<String> problems) throws IOException {
    List<double[]> rows = CsvRows.read(file, ResultFiles.HISTORY_HEADER,
        r -> new double[] {num(r, "loss"), num(r, "val_loss"), num(r, "seconds")}, problems);
    return new History(rows.stream().map(r -> r[0]).toList(), rows.stream().map(r -> r[1]).toList(),
        rows.stream().map(r -> r[2]).toList());
  }

  /** The rows of predictions.csv that parse; the others are named in {@code problems}. */
  public static List<Prediction> readPredictions(Path file, List<String> problems) throws IOException {
    return CsvRows.read(file, ResultFiles.PREDICTIONS_HEADER, r -> new Prediction(
        Integer.parseInt(r.get("index")), num(r, "y"), (float) num(r, "prediction"), num(r, "abs_diff"),
        bool(r.get("correct"))), problems);
  }

  private static boolean bool(String v) {
    return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("correct is '" + v + "', not true or false");
    };
  }

  private static double num(CSVRecord r, String column) {
    return CsvRows.number(r.get(column));
  }
}
