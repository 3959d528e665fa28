package rnnbook.chapter7;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import rnnbook.io.StudyFiles.ModelSummary;
import rnnbook.io.StudyFiles.Run;
import rnnbook.io.StudyFiles.Spread;

/** The study's summary: per model, the spread of correctness and test loss, and who left the plateau. */
public final class StudyStats {
  private StudyStats() {}

  /** One row per model found in {@code runs}, in the notebook's order. */
  public static List<ModelSummary> summarize(List<Run> runs) {
    List<ModelSummary> out = new ArrayList<>();
    for (BookModel m : BookModel.values()) {
      List<Run> of = runs.stream().filter(r -> r.model().equals(m.key())).toList();
      if (!of.isEmpty()) {
        out.add(new ModelSummary(m.key(), of.size(), spread(of.stream().mapToDouble(Run::correctness).toArray()),
            spread(of.stream().mapToDouble(Run::testLoss).toArray()),
            (int) of.stream().filter(Run::leftPlateau).count()));
      }
    }
    return out;
  }

  /** Mean, sample standard deviation (n - 1, as pandas' std; NaN for one value), min, median, max. */
  public static Spread spread(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("a spread needs at least one value");
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    double mean = Arrays.stream(v).sum() / n;
    double squares = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new Spread(mean, n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN, v[0], median, v[n - 1]);
  }

  /** The first epoch (1-based) whose val_loss is below {@code threshold}, or null. */
  public static Integer firstEpochBelow(List<Double> valLoss, double threshold) {
    for (int e = 0; e < valLoss.size(); e++) {
      if (valLoss.get(e) < threshold) {
        return e + 1;
      }
    }
    return null;
  }

  /** The runs in the notebook's model order, then by seed. */
  static Comparator<Run> order() {
    return Comparator.comparingInt((Run r) -> BookModel.fromKey(r.model()).ordinal()).thenComparingLong(Run::seed);
  }
}
