package rnnbook.report;

import java.util.Locale;

/** How the report writes numbers; a null number (not known) is written as {@link #UNAVAILABLE}. */
final class Formats {
  static final String UNAVAILABLE = "unavailable";

  private Formats() {}

  /** A loss as Keras's progress bar prints it: 4 decimals, or 4 significant digits below 1e-3. */
  static String loss(Double v) {
    if (v == null || !Double.isFinite(v)) {
      return notFinite(v);
    }
    return String.format(Locale.ROOT, Math.abs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  }

  /** null as {@link #UNAVAILABLE}; NaN and infinities as Keras prints them: {@code nan}, {@code inf}. */
  static String notFinite(Double v) {
    return v == null ? UNAVAILABLE : v.isNaN() ? "nan" : v > 0 ? "inf" : "-inf";
  }

  static String params(Long v) {
    return v == null ? UNAVAILABLE : String.format(Locale.ROOT, "%,d", v);
  }

  static String percent(Double v) {
    return v == null || !Double.isFinite(v) ? notFinite(v) : String.format(Locale.ROOT, "%.2f %%", v);
  }

  /** Seconds, with minutes beside them from two minutes on: {@code 1,871 s (31.2 min)}. */
  static String duration(Double seconds) {
    if (seconds == null || !Double.isFinite(seconds)) {
      return notFinite(seconds);
    }
    return seconds < 120 ? String.format(Locale.ROOT, "%.1f s", seconds)
        : String.format(Locale.ROOT, "%,.0f s (%.1f min)", seconds, seconds / 60);
  }

  static String secondsPerEpoch(Double seconds) {
    return seconds == null || !Double.isFinite(seconds) ? notFinite(seconds)
        : String.format(Locale.ROOT, "%.2f s", seconds);
  }
}
