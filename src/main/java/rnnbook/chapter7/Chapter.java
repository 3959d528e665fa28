package rnnbook.chapter7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import rnnbook.data.AtomicWrite;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.TaskFailures;
import rnnbook.io.KerasWeights;
import rnnbook.io.KerasArchiveWriter;
import rnnbook.io.ResultFiles;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.io.RunFolders;
import rnnbook.io.RunInfo;
import rnnbook.io.RunLock;
import rnnbook.io.SavedModels;
import rnnbook.keras.Progbar;
import rnnbook.keras.TrainingListener;
import rnnbook.report.LossPlot;
import rnnbook.report.Report;

/**
 * The notebook's cells for sections 7.2.2 and 7.2.3: for each model, summary, fit with
 * validation_split 0.2, evaluate on the test set, the first five predictions and the correctness
 * (a prediction is wrong when it is off by more than 0.04); then the files.
 */
public final class Chapter {
  /** The notebook's tolerance for a correct prediction. */
  public static final double TOLERANCE = 0.04;
  /** Each model's weights before fit, in {@code get_weights()} order under Keras's names. */
  public static final String INITIAL_WEIGHTS = "initial_weights.npz";

  /**
   * Threads each model's native kernels may use: two where the machine has them, for the
   * validation and test predictions of 440-512 samples (the kernels take the second core only
   * for batches of 128 rows or more and while no other model is in a kernel; the results are the
   * same bits either way).
   */
  static final int KERNEL_THREADS = Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;

  private final ChapterConfig config;
  private final PrintStream out;
  private final TrainingListener progress;
  /** Models that failed, in the order they failed. */
  private final Map<BookModel, IOException> failures = new LinkedHashMap<>();

  public Chapter(ChapterConfig config, PrintStream out, TrainingListener progress) {
    this.config = config;
    this.out = out;
    this.progress = progress;
  }

  public Chapter(ChapterConfig config) {
    this(config, System.out, Progbar.toStdout());
  }

  /** The data of this run: read from {@code --data}, else generated from the seed. */
  public static MultiplicationProblem loadData(ChapterConfig config) throws IOException {
    MultiplicationProblem data = config.data() != null
        ? MultiplicationProblem.readNpy(config.data())
        : MultiplicationProblem.generate(config.seed());
    int fit = ChapterConfig.fitSamples(data.samples());
    if (fit < 2 || data.samples() - fit < 1 || (int) (fit * ChapterConfig.VALIDATION_SPLIT) < 1) {
      throw new IllegalArgumentException("the data has " + data.samples()
          + " samples; at least 12 are needed to split into training, validation and test sets");
    }
    return data;
  }

  /**
   * What a run needs before it trains: the data, checked, and the output folders, checked and
   * locked. Made without touching TensorFlow, so that bad input is the first thing reported.
   */
  public record Prepared(MultiplicationProblem data, RunFolders folders) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      folders.close();
    }
  }

  /**
   * Checks the data and the output folders and locks the folders for the run.
   *
   * @throws IllegalArgumentException naming the bad input
   * @throws RunLock.HeldException when another run holds a folder
   */
  public Prepared prepare() throws IOException {
    MultiplicationProblem data = loadData(config);
    for (var e : config.initialWeights().entrySet()) {
      ModelRun.checkInitialWeights(e.getKey(), data.timesteps(), e.getValue());
    }
    ChapterFolders.check(config);
    return new Prepared(data, ChapterFolders.lock(config, out::println));
  }

  /** {@link #prepare}, then {@link #run(Prepared)}, then the folders are released. */
  public List<SummaryRow> run() throws IOException {
    try (Prepared prepared = prepare()) {
      return run(prepared);
    }
  }

  /**
   * Runs every model of the config and returns the summary rows of those that finished, in the
   * config's order. With {@code jobs > 1} the models train side by side, one per core, longest
   * first; each model's printout is held back and printed whole, in the config's order, so the log
   * reads as the notebook's. Every model's numbers are the same whichever way it runs.
   *
   * @throws RunFailedException when a model failed (a file it could not write): the others ran to
   *     the end and kept their files, and summary.csv and the report hold them
   */
  public List<SummaryRow> run(Prepared prepared) throws IOException {
    ModelRun.Split split = ModelRun.Split.of(prepared.data());
    RunInfo info = RunInfo.start("chapter", config.models().stream().map(BookModel::key).toList(),
        config.epochs(), config.seed(), config.batchSize(),
        config.data() == null ? "generated with seed " + config.seed() : config.data().toString(),
        config.backend().summary()).withBatches(ChapterConfig.VALIDATION_SPLIT, ModelRun.SHUFFLE, config.seed());
    info.write(config.results().resolve("run.json"));
    int jobs = Math.min(config.jobs(), config.models().size());
    List<SummaryRow> rows;
    try {
      rows = jobs == 1 ? runInOrder(split) : runSideBySide(split, jobs);
      info.finish().write(config.results().resolve("run.json"));
    } catch (IOException e) {
      throw new RunFailedException(e.getMessage() + "; the models that finished are in " + config.results(), e);
    }
    if (!failures.isEmpty()) {
      try {
        Report.write(config.results(), config.book());
      } catch (IOException | RuntimeException e) {
        // the failure below is what the user needs; the report can be rebuilt
      }
      throw failed(rows);
    }
    try {
      Report.afterRun(config.results(), config.book(), out);
    } catch (IOException e) {
      throw new RunFailedException(e.getMessage(), e); // the models' files are complete; it says so
    }
    return rows;
  }

  /** One line: what failed and what was kept. */
  private RunFailedException failed(List<SummaryRow> rows) {
    Map.Entry<BookModel, IOException> first = failures.entrySet().iterator().next();
    String kept = rows.isEmpty() ? "no model finished"
        : "the results of " + rows.stream().map(SummaryRow::model).collect(Collectors.joining(", ")) + " are in "
            + config.results();
    return new RunFailedException(failures.keySet().stream().map(BookModel::key).collect(Collectors.joining(", "))
        + " failed: " + first.getValue().getMessage() + "; " + kept, first.getValue());
  }

  private List<SummaryRow> runInOrder(ModelRun.Split split) throws IOException {
    List<SummaryRow> rows = new ArrayList<>();
    for (BookModel spec : config.models()) {
      try {
        rows.add(runModel(spec, split, out, progress));
      } catch (IOException e) {
        fail(spec, e, out);
        continue;
      }
      ResultFiles.writeSummary(config.results().resolve("summary.csv"), rows);
    }
    return rows;
  }

  private void fail(BookModel spec, IOException e, PrintStream log) {
    synchronized (failures) {
      failures.putIfAbsent(spec, e);
    }
    log.println(spec.key() + " failed: " + e.getMessage());
  }

  private List<SummaryRow> runSideBySide(ModelRun.Split split, int jobs) throws IOException {
    List<BookModel> models = config.models();
    List<BookModel> longestFirst = new ArrayList<>(models);
    longestFirst.sort(Comparator.comparingInt(Chapter::relativeCost).reversed());
    Map<BookModel, ByteArrayOutputStream> logs = new EnumMap<>(BookModel.class);
    Map<BookModel, SummaryRow> finished = new EnumMap<>(BookModel.class);
    TrainingStatus status = new TrainingStatus(out, models, config.epochs(), progress instanceof Progbar p && p.isLive());
    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    CompletionService<BookModel> done = new ExecutorCompletionService<>(pool);
    try {
      for (BookModel spec : longestFirst) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        logs.put(spec, log);
        PrintStream modelOut = new PrintStream(log, true, StandardCharsets.UTF_8);
        done.submit(() -> {
          try {
            SummaryRow row = runModel(spec, split, modelOut,
                TrainingListener.all(new Progbar(modelOut, false), status.of(spec)));
            synchronized (finished) {
              finished.put(spec, row);
            }
          } catch (IOException e) {
            fail(spec, e, modelOut);
          }
          return spec;
        });
      }
      int printed = 0;
      Set<BookModel> ended = EnumSet.noneOf(BookModel.class);
      for (int i = 0; i < models.size(); i++) {
        ended.add(await(done));
        Map<BookModel, SummaryRow> now;
        synchronized (finished) {
          now = new EnumMap<>(finished);
        }
        // every finished model goes into summary.csv at once, in the config's order
        ResultFiles.writeSummary(config.results().resolve("summary.csv"),
            models.stream().filter(now::containsKey).map(now::get).toList());
        // print in the config's order, each block as soon as those before it are printed
        while (printed < models.size() && ended.contains(models.get(printed))) {
          status.clear();
          out.print(logs.get(models.get(printed++)).toString(StandardCharsets.UTF_8));
          out.flush();
        }
      }
      synchronized (finished) {
        return models.stream().filter(finished::containsKey).map(finished::get).toList();
      }
    } finally {
      pool.shutdownNow();
      status.clear();
    }
  }

  private static BookModel await(CompletionService<BookModel> done) throws IOException {
    try {
      return done.take().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a model", e);
    } catch (ExecutionException e) {
      throw TaskFailures.unwrap(e);
    }
  }

  /** Training cost per step relative to SimpleRNN, measured here (native kernels): it orders the queue. */
  static int relativeCost(BookModel m) {
    return switch (m) {
      case SIMPLE_RNN -> 1;
      case GRU -> 3;
      case LSTM -> 4;
    };
  }

  /**
   * Trains one model and writes its files. When its SavedModel cannot be written, the model still
   * counts as finished (its results are written) and the failure is recorded.
   */
  SummaryRow runModel(BookModel spec, ModelRun.Split data, PrintStream out, TrainingListener progress)
      throws IOException {
    var dir = config.results().resolve(spec.key());
    IOException[] export = new IOException[1];
    ModelRun.Outcome o = ModelRun.train(spec, data,
        new ModelRun.Settings(config.epochs(), config.batchSize(), config.seed(), config.backend(),
            config.initialWeights().get(spec), KERNEL_THREADS), out, progress,
        compiled -> {
          try {
            SavedModels.export(compiled, config.savedModels().resolve(spec.key()));
            KerasArchiveWriter.write(compiled, config.savedModels().resolve(spec.key() + ".keras"));
          } catch (IOException e) {
            export[0] = e;
          }
        });
    AtomicWrite.text(dir.resolve("summary.txt"), w -> w.write(o.summary()));
    KerasWeights.writeNamed(dir.resolve(INITIAL_WEIGHTS), o.initialWeights());
    ResultFiles.writeHistory(dir.resolve("history.csv"), o.history());
    ResultFiles.writePredictions(dir.resolve("predictions.csv"), o.predictions());
    LossPlot.writePng(dir.resolve("loss.png"),
        LossPlot.chart(spec.key(), o.history().loss(), o.history().valLoss()));
    if (export[0] != null) {
      fail(spec, export[0], out);
    }
    return o.summaryRow();
  }

  /**
   * Each prediction beside its target; float32 predictions are compared in float64 as numpy does.
   * A NaN or infinite prediction is wrong (the notebook's {@code abs(p - y) > 0.04} would let NaN
   * pass).
   */
  public static List<Prediction> compare(double[] y, float[] predicted) {
    List<Prediction> out = new ArrayList<>();
    for (int i = 0; i < y.length; i++) {
      double diff = Math.abs((double) predicted[i] - y[i]);
      out.add(new Prediction(i, y[i], predicted[i], diff, diff <= TOLERANCE));
    }
    return out;
  }

  /** The notebook's {@code (n - fail) / n * 100}. */
  public static double correctness(List<Prediction> predictions) {
    long fail = predictions.stream().filter(p -> !p.correct()).count();
    int n = predictions.size();
    return (double) (n - fail) / n * 100;
  }
}
