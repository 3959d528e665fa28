package rnnbook.io;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import rnnbook.data.AtomicWrite;
import rnnbook.data.InputFiles;

/**
 * The files of a several-seed study, in {@code results/study/}: {@code study.json} (its settings),
 * {@code runs.csv} (one row per finished (model, seed) run), {@code summary.csv} (per model: spread
 * of correctness and test loss, runs that left the plateau) and {@code histories/<model>_seed<S>.csv}
 * (each run's loss and val_loss per epoch). Each is written whole or not at all.
 */
public final class StudyFiles {
  /**
   * A run has left the 0.05 plateau (where a model predicts about the mean product) when its
   * val_loss is below this: a fifth of the plateau, well under where SimpleRNN stays (about 0.05)
   * and well over where the LSTM and GRU of the book end (6e-4, 1.5e-4).
   */
  public static final double PLATEAU_EXIT = 0.01;
  public static final String DIR = "study";
  public static final String STUDY_JSON = "study.json";
  public static final String RUNS_CSV = "runs.csv";
  public static final String SUMMARY_CSV = "summary.csv";
  public static final String HISTORIES = "histories";
  public static final String[] RUNS_HEADER = {"model", "seed", "params", "loss", "val_loss", "test_loss",
    "correctness", "epoch_val_loss_below_0.01", "train_seconds", "seconds"};
  public static final String[] SUMMARY_HEADER = {"model", "runs", "correctness_mean", "correctness_std",
    "correctness_min", "correctness_median", "correctness_max", "test_loss_mean", "test_loss_std",
    "test_loss_min", "test_loss_median", "test_loss_max", "left_plateau"};

  private StudyFiles() {}

  /**
   * One finished run.
   *
   * @param loss the final epoch's training loss
   * @param valLoss the final epoch's val_loss
   * @param correctness percent of test predictions within 0.04
   * @param epochBelow the first epoch (1-based) whose val_loss was below {@link #PLATEAU_EXIT},
   *     or null if none was
   * @param trainSeconds the epochs' wall time
   * @param seconds the run's whole wall time: data, graph, training, test
   */
  public record Run(String model, long seed, long params, double loss, double valLoss, double testLoss,
      double correctness, Integer epochBelow, double trainSeconds, double seconds) {
    /** Whether the run ended off the plateau: final val_loss below {@link #PLATEAU_EXIT}. */
    public boolean leftPlateau() {
      return valLoss < PLATEAU_EXIT;
    }
  }

  /** Mean, sample standard deviation (n - 1; NaN for one value), min, median and max. */
  public record Spread(double mean, double std, double min, double median, double max) {}

  /**
   * One model over its runs.
   *
   * @param leftPlateau runs whose final val_loss is below {@link #PLATEAU_EXIT}
   */
  public record ModelSummary(String model, int runs, Spread correctness, Spread testLoss, int leftPlateau) {}

  public static Path histories(Path studyDir) {
    return studyDir.resolve(HISTORIES);
  }

  /** Where a run's history goes: {@code histories/<model>_seed<S>.csv}. */
  public static Path history(Path studyDir, String model, long seed) {
    return histories(studyDir).resolve(model + "_seed" + seed + ".csv");
  }

  public static void writeRuns(Path file, List<Run> runs) throws IOException {
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(RUNS_HEADER).get().print(w)) {
        for (Run r : runs) {
          csv.printRecord(r.model(), r.seed(), r.params(), r.loss(), r.valLoss(), r.testLoss(), r.correctness(),
              r.epochBelow() == null ? "" : r.epochBelow(), r.trainSeconds(), r.seconds());
        }
      }
    });
  }

  public static List<Run> readRuns(Path file) throws IOException {
    List<Run> out = new ArrayList<>();
    for (CSVRecord r : records(file, RUNS_HEADER)) {
      String below = r.get(RUNS_HEADER[7]);
      out.add(new Run(r.get("model"), Long.parseLong(r.get("seed")), Long.parseLong(r.get("params")),
          num(r, "loss"), num(r, "val_loss"), num(r, "test_loss"), num(r, "correctness"),
          below.isBlank() ? null : Integer.valueOf(below), num(r, "train_seconds"), num(r, "seconds")));
    }
    return out;
  }

  public static void writeSummary(Path file, List<ModelSummary> rows) throws IOException {
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(SUMMARY_HEADER).get().print(w)) {
        for (ModelSummary m : rows) {
          Spread c = m.correctness();
          Spread t = m.testLoss();
          csv.printRecord(m.model(), m.runs(), c.mean(), cell(c.std()), c.min(), c.median(), c.max(), t.mean(),
              cell(t.std()), t.min(), t.median(), t.max(), m.leftPlateau());
        }
      }
    });
  }

  public static List<ModelSummary> readSummary(Path file) throws IOException {
    List<ModelSummary> out = new ArrayList<>();
    for (CSVRecord r : records(file, SUMMARY_HEADER)) {
      out.add(new ModelSummary(r.get("model"), Integer.parseInt(r.get("runs")), spread(r, "correctness"),
          spread(r, "test_loss"), Integer.parseInt(r.get("left_plateau"))));
    }
    return out;
  }

  private static Spread spread(CSVRecord r, String prefix) {
    return new Spread(num(r, prefix + "_mean"), num(r, prefix + "_std"), num(r, prefix + "_min"),
        num(r, prefix + "_median"), num(r, prefix + "_max"));
  }

  /** NaN (a standard deviation of one run) as an empty cell. */
  private static Object cell(double v) {
    return Double.isNaN(v) ? "" : v;
  }

  private static double num(CSVRecord r, String column) {
    String v = r.get(column);
    return v.isBlank() ? Double.NaN : CsvRows.number(v);
  }

  private static List<CSVRecord> records(Path file, String[] header) throws IOException {
    InputFiles.requireRegular(file, InputFiles.MAX_TEXT_BYTES);
    try (Reader r = Files.newBufferedReader(file)) {
      var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r);
      List<String> found = parser.getHeaderNames();
      if (!found.containsAll(List.of(header))) {
        throw new IOException(file + ": expected columns " + String.join(",", header) + ", found "
            + String.join(",", found));
      }
      return parser.getRecords();
    }
  }

  /** A number as the study prints it: 4 significant digits. */
  public static String number(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
