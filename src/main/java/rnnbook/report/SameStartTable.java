package rnnbook.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import rnnbook.report.KerasSameStart.Agreement;
import rnnbook.report.ReportContent.SameStartSection;
import rnnbook.report.RunResults.ModelResults;

/** The report's table of this run beside Keras trained from the same start on the same batches. */
final class SameStartTable {
  /** Relative difference within which two float32 trainings count as the same. */
  static final double TOLERANCE = 1e-5;

  private SameStartTable() {}

  /** The section, or null when no model has Keras numbers from the same start. */
  static SameStartSection section(RunResults run, KerasSameStart keras) {
    if (keras.models().isEmpty()) {
      return null;
    }
    List<List<String>> table = new ArrayList<>();
    for (ModelResults m : run.finished()) {
      keras.model(m.key()).ifPresent(k -> {
        Agreement a = KerasSameStart.agreement(m.history(), k.history(), TOLERANCE);
        table.add(List.of(m.key(), Integer.toString(a.compared()),
            a.upTo() == a.compared() ? a.upTo() + " (all)" : Integer.toString(a.upTo()),
            a.upTo() == 0 ? "-" : sci(a.largest()),
            Double.isNaN(a.apart()) ? "-" : sci(a.apart()) + " (epoch " + (a.upTo() + 1) + ")"));
      });
    }
    String intro = "Python Keras (" + keras.info().describe() + ") trained each model from this run's initial "
        + "weights (<model>/initial_weights.npz) on the same batches in the same order (" + keras.source()
        + "). Both train in float32, so the curves agree to float rounding at first; where training is "
        + "chaotic (the exit from the 0.05 plateau) rounding differences grow and the curves part.";
    List<String> notes = List.of("Relative differences are |ours - Keras| / |Keras| of each epoch's loss and "
        + "val_loss; the table gives the last epoch up to which every one is within 1e-5"
        + ". The charts <model>/vs_keras.png show both curves. Besides float rounding, one small difference "
        + "is known: rnnbook's Adam is TensorFlow's fused ApplyAdam kernel (tf.keras 2's), which computes 1 - "
        + "beta_2 in float32, while Keras 3 rounds it from double, so Keras 3's steps are 6.7e-6 (relative) "
        + "shorter.");
    return new SameStartSection(intro, table, notes);
  }

  private static String sci(double v) {
    return String.format(Locale.ROOT, "%.1e", v);
  }
}
