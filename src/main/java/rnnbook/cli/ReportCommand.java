package rnnbook.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnnbook.report.BookReference;
import rnnbook.report.KerasSameStart;
import rnnbook.report.Report;
import rnnbook.report.RunResults;

/** {@code report --results DIR --book DIR}: rebuilds the report from a results folder, no training. */
@Command(name = "report", mixinStandardHelpOptions = true,
    header = "Rebuild the report from a results folder, without training.",
    description = "Rebuild results/report.html and results/report.md (and their charts) from a "
        + "results folder, without training. For a run that did not finish, reports the models that "
        + "did and names the missing ones.")
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--results", paramLabel = "DIR", description = "The run's results folder "
      + "(default: ${DEFAULT-VALUE}).")
  Path results = Path.of("results");

  @Option(names = "--book", paramLabel = "DIR", description = "The Python notebook's numbers "
      + "(README.md and <model>_history.csv); when absent the book's columns say unavailable "
      + "(default: " + BookReference.BUNDLED + ").")
  Path book;

  @Option(names = "--keras", paramLabel = "DIR", description = "Keras trained from this run's start: the "
      + "results folder of chapter7_keras.py --same-start, shown for the models that started where this run "
      + "did (default: " + KerasSameStart.BUNDLED + ", made against the default chapter run).")
  Path keras;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (results.toString().isBlank()) {
      throw new IllegalArgumentException("--results is empty; name a path");
    }
    Report.Outcome o = Report.write(results, book, keras);
    PrintWriter out = spec.commandLine().getOut();
    out.println("wrote " + o.html() + " and " + o.markdown());
    out.println(o.run().finished().size() + " of " + o.run().models().size() + " models finished"
        + (o.run().missing().isEmpty() ? "" : "; missing: " + String.join(", ", o.run().missing())));
    o.run().problems().forEach(p -> out.println("note: " + p));
    o.book().notes().forEach(p -> out.println("note: " + p));
    o.keras().notes().forEach(p -> out.println("note: " + p));
    out.flush();
    return 0;
  }

  /**
   * After a study or a gate recording: rebuilds the report when {@code results} holds a chapter run
   * (the report is built around one), else says how the new section will reach it.
   */
  static void rebuildIfChapterRun(Path results, Path book, PrintStream out) {
    if (!RunResults.holdsChapterResults(results)) {
      out.println("report: " + results + " holds no chapter run yet; its report will show this section "
          + "(after a chapter run, or: rnnbook report --results " + results + ")");
      return;
    }
    try {
      if (results.toString().isBlank()) {
      throw new IllegalArgumentException("--results is empty; name a path");
    }
    Report.Outcome o = Report.write(results, book);
      out.println("report: " + o.html() + " and " + o.markdown());
    } catch (IOException | RuntimeException e) {
      out.println("report: not rebuilt (" + e.getMessage() + "); rebuild it with: rnnbook report --results "
          + results);
    }
  }
}
