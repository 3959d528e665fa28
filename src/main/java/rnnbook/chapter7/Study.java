package rnnbook.chapter7;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.TaskFailures;
import rnnbook.io.ResultFiles;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.ModelSummary;
import rnnbook.io.StudyFiles.Run;
import rnnbook.io.StudyInfo;
import rnnbook.keras.TrainingListener;
import rnnbook.report.StudyCharts;

/**
 * Every model of a {@link StudyConfig} trained on every seed, as the chapter trains it (see {@link
 * ModelRun}), {@code jobs} runs at a time, longest first. Each finished run is added to runs.csv at
 * once (the whole file rewritten and renamed into place), with its history beside it; a study
 * started again with the same settings skips the runs runs.csv holds, so a killed study loses only
 * the runs it was training. At the end: summary.csv and the charts.
 */
public final class Study {
  private final StudyConfig config;
  private final PrintStream out;
  private final List<Run> runs = new ArrayList<>();
  private int trained;

  public Study(StudyConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** One (model, seed) run to do. */
  record Task(BookModel model, long seed) {}

  /**
   * Trains what runs.csv does not hold yet, then writes summary.csv and the charts.
   *
   * @return the summary of every run in runs.csv
   * @throws IllegalArgumentException when the study folder holds runs made with other settings
   */
  public List<ModelSummary> run() throws IOException {
    Path dir = config.dir();
    StudyInfo info = StudyInfo.start(config.epochs(), config.batchSize(), config.samples(), config.timesteps(),
        config.backend().key(), config.models().stream().map(BookModel::key).toList(), config.seedList(), config.jobs());
    runs.addAll(resume(dir, info.settings()));
    info.write(dir.resolve(StudyFiles.STUDY_JSON));
    Set<String> done = new HashSet<>();
    runs.forEach(r -> done.add(key(r.model(), r.seed())));
    List<Task> todo = new ArrayList<>();
    for (long seed : config.seedList()) {
      for (BookModel m : config.models()) {
        if (!done.contains(key(m.key(), seed))) {
          todo.add(new Task(m, seed));
        }
      }
    }
    // longest first, so that the last runs to finish are short ones
    todo.sort(Comparator.comparingInt((Task t) -> Chapter.relativeCost(t.model())).reversed()
        .thenComparingLong(Task::seed));
    out.println("study: models " + config.models().stream().map(BookModel::key).collect(Collectors.joining(", "))
        + "; seeds " + seedsText(config.seedList()) + "; " + info.settings() + "; jobs " + config.jobs());
    out.println("study: " + (config.models().size() * config.seeds() - todo.size()) + " of "
        + config.models().size() * config.seeds() + " runs already in " + dir.resolve(StudyFiles.RUNS_CSV)
        + ", " + todo.size() + " to train");
    train(todo);
    List<ModelSummary> summary = StudyStats.summarize(runs);
    StudyFiles.writeSummary(dir.resolve(StudyFiles.SUMMARY_CSV), summary);
    StudyCharts.write(dir);
    info.finish().write(dir.resolve(StudyFiles.STUDY_JSON));
    printSummary(summary);
    return summary;
  }

  /**
   * The runs of an earlier start of this study, or none. Refused when study.json's settings are not
   * this study's, or runs.csv has no study.json.
   */
  static List<Run> resume(Path dir, String settings) throws IOException {
    Path json = dir.resolve(StudyFiles.STUDY_JSON);
    Path csv = dir.resolve(StudyFiles.RUNS_CSV);
    if (Files.exists(json)) {
      StudyInfo before = StudyInfo.read(json);
      if (!before.settings().equals(settings)) {
        throw new IllegalArgumentException(dir + " holds a study made with " + before.settings()
            + ", not " + settings + ": run it with those settings, or choose another --results");
      }
    } else if (Files.exists(csv)) {
      throw new IllegalArgumentException(csv + " exists but " + json + " does not: its settings are "
          + "unknown; move it away or choose another --results");
    }
    try {
      List<Run> found = Files.exists(csv) ? StudyFiles.readRuns(csv) : List.of();
      for (Run r : found) {
        BookModel.fromKey(r.model()); // rejects a row of an unknown model
      }
      return found;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(csv + " could not be read (" + e.getMessage() + "): move it away or "
          + "choose another --results");
    }
  }

  /**
   * Checks what an earlier start of this study left against its settings, without TensorFlow.
   *
   * @throws IllegalArgumentException as {@link #run()} would
   */
  public void checkEarlierRuns() throws IOException {
    resume(config.dir(), StudyInfo.settings(config.epochs(), config.batchSize(), config.samples(),
        config.timesteps(), config.backend().key()));
  }

  private void train(List<Task> todo) throws IOException {
    if (todo.isEmpty()) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.jobs(), todo.size()));
    CompletionService<Run> finished = new ExecutorCompletionService<>(pool);
    try {
      for (Task t : todo) {
        finished.submit(() -> runOne(t));
      }
      for (int i = 0; i < todo.size(); i++) {
        record(finished.take().get(), todo.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted; the finished runs are in " + config.dir().resolve(StudyFiles.RUNS_CSV), e);
    } catch (ExecutionException | IOException e) {
      IOException failure = e instanceof ExecutionException x ? TaskFailures.unwrap(x) : (IOException) e;
      throw new RunFailedException(failure.getMessage() + "; the " + runs.size() + " finished runs are in "
          + config.dir().resolve(StudyFiles.RUNS_CSV) + ": start the study again to train the rest", failure);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One model on one seed, as the chapter runs it with {@code --seed}; writes its history. */
  private Run runOne(Task t) throws IOException {
    long start = System.nanoTime();
    MultiplicationProblem data = MultiplicationProblem.generate(t.seed(), config.samples(), config.timesteps());
    ModelRun.Outcome o = ModelRun.train(t.model(), ModelRun.Split.of(data),
        new ModelRun.Settings(config.epochs(), config.batchSize(), t.seed(), config.backend()),
        new PrintStream(PrintStream.nullOutputStream()), TrainingListener.NONE, ModelRun.WhileOpen.NOTHING);
    ResultFiles.writeHistory(StudyFiles.history(config.dir(), t.model().key(), t.seed()), o.history());
    var row = o.summaryRow();
    return new Run(row.model(), t.seed(), row.params(), row.loss(), row.valLoss(), row.testLoss(),
        row.correctness(), StudyStats.firstEpochBelow(o.history().valLoss(), StudyFiles.PLATEAU_EXIT),
        row.trainSeconds(), (System.nanoTime() - start) / 1e9);
  }

  /** Adds a finished run to runs.csv (whole file, renamed into place) and says so. */
  private void record(Run r, int total) throws IOException {
    runs.add(r);
    runs.sort(StudyStats.order());
    StudyFiles.writeRuns(config.dir().resolve(StudyFiles.RUNS_CSV), runs);
    trained++;
    out.printf(Locale.ROOT, "[%d/%d] %s seed %d: correctness %.2f %%, test loss %s, %s, %.0f s (%.2f s/epoch)%n",
        trained, total, r.model(), r.seed(), r.correctness(), StudyFiles.number(r.testLoss()),
        r.epochBelow() == null ? "val_loss never below " + StudyFiles.PLATEAU_EXIT
            : "val_loss below " + StudyFiles.PLATEAU_EXIT + " from epoch " + r.epochBelow(),
        r.seconds(), r.trainSeconds() / config.epochs());
    out.flush();
  }

  private void printSummary(List<ModelSummary> summary) {
    out.println("study: " + config.dir().resolve(StudyFiles.SUMMARY_CSV) + " (correctness in %, "
        + "mean ± sample standard deviation [min, median, max]; left the plateau: final val_loss < "
        + StudyFiles.PLATEAU_EXIT + ")");
    for (ModelSummary m : summary) {
      var c = m.correctness();
      var t = m.testLoss();
      out.printf(Locale.ROOT, "  %-10s %2d runs  correctness %6.2f ± %5.2f [%.2f, %.2f, %.2f]  test loss %s ± %s"
              + "  left the plateau: %d of %d%n", m.model(), m.runs(), c.mean(), nanAsZero(c.std()), c.min(),
          c.median(), c.max(), StudyFiles.number(t.mean()), StudyFiles.number(nanAsZero(t.std())), m.leftPlateau(),
          m.runs());
    }
    out.println("study: charts " + config.dir().resolve(StudyCharts.CORRECTNESS + ".png") + " and "
        + config.dir().resolve(StudyCharts.VAL_LOSS + ".png"));
  }

  private static double nanAsZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /** "42..51 (42, 43, ..., 51)" or the list itself for a few. */
  static String seedsText(List<Long> seeds) {
    String all = seeds.stream().map(String::valueOf).collect(Collectors.joining(", "));
    return seeds.size() <= 1 ? all : seeds.get(0) + ".." + seeds.get(seeds.size() - 1) + " (" + all + ")";
  }

  private static String key(String model, long seed) {
    return model + "@" + seed;
  }
}
