package rnnbook.cli;

import rnnbook.report.Report;

/**
 * A one-time cost of a chapter run that does not depend on its input, paid on a spare core while
 * the main thread loads TensorFlow and the native kernels: the first chart a process draws also
 * loads Java2D's fonts and rasterizer and the PNG and SVG encoders (half a second to a second on
 * the CI machine), which would otherwise slow the first model to finish, while the other trains.
 * It changes no result, and a failure is left for the run's own charts to meet and report. Only
 * with two cores or more.
 *
 * <p>TensorFlow's own one-time work (its first session) is not moved here: a session made while
 * the main thread loads the native kernels (TF_LoadLibrary) deadlocked both threads.
 */
final class Preload {
  private Preload() {}

  /** Draws the first chart on a spare core; called once the run's input is checked. */
  static void charts() {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        Report.warmUp();
      } catch (Throwable e) {
        // whatever fails here (a machine without fonts fails with errors, not exceptions), the
        // run's own charts meet it again and report it; this thread only must not print it first
      }
    }, "rnnbook-preload-charts");
    t.setDaemon(true);
    t.start();
  }
}
