package rnnbook.keras;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Keras's (TF 2.0) progress output: {@code Epoch 7/100}, then a bar that redraws itself on a
 * terminal, ending as
 *
 * <pre>2048/2048 [==============================] - 2s 1ms/sample - loss: 0.0509 - val_loss: 0.0505</pre>
 *
 * When the output is not a terminal only the final line of each epoch is printed.
 */
public final class Progbar implements TrainingListener {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final boolean live;
  private int total;
  private long start;

  public Progbar(PrintStream out, boolean live) {
    this.out = out;
    this.live = live;
  }

  /** Whether the bar redraws itself (on a terminal). */
  public boolean isLive() {
    return live;
  }

  /** A progress bar on {@code System.out}, live when the JVM has a console. */
  public static Progbar toStdout() {
    return new Progbar(System.out, System.console() != null);
  }

  @Override
  public void onEpochBegin(int epoch, int epochs, int samples) {
    out.println("Epoch " + epoch + "/" + epochs);
    total = samples;
    start = System.nanoTime();
  }

  @Override
  public void onBatchEnd(int seen, double loss) {
    if (live && seen < total) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      double eta = elapsed / seen * (total - seen);
      out.print("\r" + bar(seen, total) + " - ETA: " + Math.round(eta) + "s - loss: " + number(loss));
      out.flush();
    }
  }

  @Override
  public void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {
    String line = done(total, seconds) + " - loss: " + number(loss);
    if (!Double.isNaN(valLoss)) {
      line += " - val_loss: " + number(valLoss);
    }
    out.print(live ? "\r" + line + "\033[K\n" : line + "\n");
    out.flush();
  }

  @Override
  public void onEvaluateEnd(int samples, double loss, double seconds) {
    out.println(done(samples, seconds) + " - loss: " + number(loss));
  }

  static String done(int samples, double seconds) {
    return bar(samples, samples) + " - " + Math.round(seconds) + "s " + perSample(seconds / samples);
  }

  static String bar(int seen, int total) {
    String digits = Integer.toString(total);
    int filled = (int) ((long) WIDTH * seen / total);
    StringBuilder b = new StringBuilder();
    b.append(String.format("%" + digits.length() + "d", seen)).append('/').append(total).append(" [");
    if (filled > 0) {
      b.append("=".repeat(filled - 1)).append(seen < total ? '>' : '=');
    }
    b.append(".".repeat(WIDTH - filled)).append(']');
    return b.toString();
  }

  /** Keras's time per sample: whole seconds, milliseconds or microseconds. */
  static String perSample(double seconds) {
    if (seconds >= 1) {
      return Math.round(seconds) + "s/sample";
    }
    if (seconds >= 1e-3) {
      return Math.round(seconds * 1e3) + "ms/sample";
    }
    return Math.round(seconds * 1e6) + "us/sample";
  }

  /** Keras's number format: %.4f above 1e-3, else %.4e with a two-digit exponent. */
  public static String number(double v) {
    if (Math.abs(v) > 1e-3) {
      return String.format(Locale.ROOT, "%.4f", v);
    }
    return String.format(Locale.ROOT, "%.4e", v);
  }
}
