package rnnbook.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.History;

/** The chapter's CSV files, each written whole or not at all. */
public final class ResultFiles {
  public static final String[] HISTORY_HEADER = {"epoch", "loss", "val_loss", "seconds"};
  public static final String[] PREDICTIONS_HEADER = {"index", "y", "prediction", "abs_diff", "correct"};
  public static final String[] SUMMARY_HEADER = {
    "model", "params", "loss", "val_loss", "test_loss", "correctness", "train_seconds"
  };

  private ResultFiles() {}

  /** One row of {@code summary.csv}; correctness in percent. */
  public record SummaryRow(String model, long params, double loss, double valLoss, double testLoss,
      double correctness, double trainSeconds) {}

  /** One test prediction. */
  public record Prediction(int index, double y, float prediction, double absDiff, boolean correct) {}

  public static void writeHistory(Path file, History history) throws IOException {
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(HISTORY_HEADER).get().print(w)) {
        for (int e = 0; e < history.epochs(); e++) {
          csv.printRecord(e + 1, history.loss().get(e), history.valLoss().get(e), history.seconds().get(e));
        }
      }
    });
  }

  public static void writePredictions(Path file, List<Prediction> predictions) throws IOException {
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(PREDICTIONS_HEADER).get().print(w)) {
        for (Prediction p : predictions) {
          csv.printRecord(p.index(), p.y(), p.prediction(), p.absDiff(), p.correct());
        }
      }
    });
  }

  public static void writeSummary(Path file, List<SummaryRow> rows) throws IOException {
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(SUMMARY_HEADER).get().print(w)) {
        for (SummaryRow r : rows) {
          csv.printRecord(r.model(), r.params(), r.loss(), r.valLoss(), r.testLoss(), r.correctness(),
              r.trainSeconds());
        }
      }
    });
  }
}
