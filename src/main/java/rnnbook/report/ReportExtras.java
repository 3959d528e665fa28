package rnnbook.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import rnnbook.io.GateFiles;
import rnnbook.io.GateFiles.Recording;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.ModelSummary;
import rnnbook.io.StudyFiles.Spread;
import rnnbook.report.ReportContent.Figure;
import rnnbook.report.ReportContent.GateSample;
import rnnbook.report.ReportContent.GatesSection;
import rnnbook.report.ReportContent.StudySection;

/** The report's sections beyond the chapter run: the several-seed study and the gate recordings. */
final class ReportExtras {
  /** What the gate pictures show, in two sentences. */
  static final String GATES_EXPLANATION = "At each marked timestep (dashed red) the LSTM's input gate i "
      + "opens and its candidate g changes, so the cell state c of some units steps to a new level; between the "
      + "marks the forget gate f stays high, so c carries that level across the gap to the last timestep (most "
      + "clearly in the second layer). The GRU does the same with one gate: its update gate z drops at a mark to "
      + "let the candidate hh into h, and stays high between the marks, so h keeps what was written.";
  static final List<String> GATE_MODELS = List.of("lstm", "gru");

  private ReportExtras() {}

  /** The study section from results/study, its charts redrawn; null when there is no study. */
  static StudySection study(Path results, List<String> problems) throws IOException {
    if (!StudyResults.exists(results)) {
      return null;
    }
    Path dir = results.resolve(StudyFiles.DIR);
    StudyResults s = StudyResults.read(dir);
    problems.addAll(s.problems());
    StudyCharts.write(dir);
    List<Long> seeds = s.seeds();
    String settings = s.info() == null ? "settings unknown (no study.json)"
        : s.info().epochs() + " epochs each, batch " + s.info().batchSize() + ", " + s.info().samples() + " samples of "
            + s.info().timesteps() + " timesteps" + (s.info().backend().equals("auto") ? "" : ", backend " + s.info().backend());
    String intro = String.format(Locale.ROOT, "%d runs in all: each model trained on %d seed%s (%s), %s. Seed S "
        + "generates the data and draws the initial weights and the shuffling, as the chapter run with --seed S; "
        + "each run is measured on its own 440 test samples (results/study/runs.csv).", s.runs().size(),
        seeds.size(), seeds.size() == 1 ? "" : "s", seeds.stream().map(String::valueOf).collect(Collectors.joining(", ")),
        settings);
    List<List<String>> table = new ArrayList<>();
    for (ModelSummary m : s.summary()) {
      Spread c = m.correctness();
      Spread t = m.testLoss();
      table.add(List.of(m.model(), Integer.toString(m.runs()), withSd(Formats.percent(c.mean()), c.std(), "%.2f"),
          Formats.percent(c.min()), Formats.percent(c.median()), Formats.percent(c.max()),
          withSd(Formats.loss(t.mean()), t.std(), "%.2g"), Formats.loss(t.median()),
          m.leftPlateau() + " of " + m.runs()));
    }
    List<String> notes = List.of("A run left the plateau when its final val_loss is below " + StudyFiles.PLATEAU_EXIT
        + "; on the plateau, at about 0.05, a model predicts roughly the mean product whatever the marks. "
        + "sd is the sample standard deviation (n - 1); correctness counts test predictions within "
        + Report.TOLERANCE + " of y.");
    List<Figure> figures = List.of(
        new Figure("study/" + StudyCharts.CORRECTNESS + ".png", "study/" + StudyCharts.CORRECTNESS + ".svg",
            "correctness of every run per model: each dot one seed, the box its quartiles and median"),
        new Figure("study/" + StudyCharts.VAL_LOSS + ".png", "study/" + StudyCharts.VAL_LOSS + ".svg",
            "val_loss of every run, log scale, one color per model; dashed: " + StudyFiles.PLATEAU_EXIT
                + ", below which a run has left the plateau"));
    return new StudySection(intro, table, notes, figures);
  }

  private static String withSd(String mean, double sd, String format) {
    return Double.isNaN(sd) ? mean : mean + " \u00b1 " + String.format(Locale.ROOT, format, sd);
  }

  /**
   * The gates section: for lstm and gru, the recorded sample whose marks lie furthest apart (the
   * longest wait to show), its pictures redrawn; null when results/gates holds no recording.
   */
  static GatesSection gates(Path results, List<String> problems) throws IOException {
    List<GateSample> samples = new ArrayList<>();
    for (String model : GATE_MODELS) {
      Path folder = results.resolve(GateFiles.DIR).resolve(model);
      List<Recording> found = new ArrayList<>();
      if (Files.isDirectory(folder)) {
        try (Stream<Path> dirs = Files.list(folder)) {
          for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("sample_")).sorted().toList()) {
            try {
              found.add(GateFiles.read(d));
            } catch (IOException | RuntimeException e) {
              problems.add(results.relativize(d) + " could not be read (" + e.getMessage() + ")");
            }
          }
        }
      }
      if (found.isEmpty()) {
        continue;
      }
      Recording r = found.stream().max(Comparator.comparingInt(ReportExtras::gap)
          .thenComparing(x -> -x.sample().sample())).orElseThrow();
      Path dir = GateFiles.sampleDir(results, model, r.sample().sample());
      GateCharts.write(dir, r);
      String base = results.relativize(dir).toString().replace('\\', '/') + "/";
      List<Figure> figures = new ArrayList<>();
      for (String layer : r.layers()) {
        figures.add(new Figure(base + GateCharts.HEATMAP + layer + ".png", null, model + ", layer " + layer
            + ": every gate, unit by unit, at every timestep; dashed red: the marked timesteps"));
        figures.add(new Figure(base + GateCharts.STATE + layer + ".png", base + GateCharts.STATE + layer + ".svg",
            model + ", layer " + layer + ": " + (GateCharts.memory(r, layer).equals("c") ? "cell state c" : "h")
                + " of the units that change most at the marks"));
      }
      String caption = model + ", test sample " + r.sample().sample() + " (" + r.sample().source()
          + (r.sample().data() == null ? "" : "; data " + r.sample().data()) + "). " + GateCharts.marksText(r) + " Recorded samples: "
          + found.stream().map(x -> Integer.toString(x.sample().sample())).collect(Collectors.joining(", "))
          + " (results/gates/" + model + "/); shown: the one whose marks lie furthest apart.";
      samples.add(new GateSample(model, caption, figures));
    }
    return samples.isEmpty() ? null : new GatesSection(GATES_EXPLANATION, samples);
  }

  private static int gap(Recording r) {
    List<Integer> m = r.sample().marked();
    return m.size() < 2 ? 0 : m.get(m.size() - 1) - m.get(0);
  }
}
