package rnnbook.report;

import java.util.Locale;

/** How the report writes numbers; a null number (not known) is written as {@link #UNAVAILABLE}. */
final class Formats {
  static final String UNAVAILABLE = "unavailable";

  private Formats() {}

  /** A loss as Keras's progress bar prints it: 4 decimals, or 4 significant digits below 1e-3. */
  static String loss(Double v) {
    if (v == null || v.isNaN()) {
      return UNAVAILABLE;
    }
    return String.format(Locale.ROOT, Math.abs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  }

  static String params(Long v) {
    return v == null ? UNAVAILABLE : String.format(Locale.ROOT, "%,d", v);
  }

  static String percent(Double v) {
    return v == null ? UNAVAILABLE : String.format(Locale.ROOT, "%.2f %%", v);
  }

  /** Seconds, with minutes beside them from two minutes on: {@code 1,871 s (31.2 min)}. */
  static String duration(Double seconds) {
    if (seconds == null) {
      return UNAVAILABLE;
    }
    return seconds < 120 ? String.format(Locale.ROOT, "%.1f s", seconds)
        : String.format(Locale.ROOT, "%,.0f s (%.1f min)", seconds, seconds / 60);
  }

  static String secondsPerEpoch(Double seconds) {
    return seconds == null ? UNAVAILABLE : String.format(Locale.ROOT, "%.2f s", seconds);
  }
}
