package rnnbook.chapter7;

import java.io.IOException;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.AtomicWrite;
import rnnbook.io.KerasWeights;
import rnnbook.io.KerasArchiveWriter;
import rnnbook.io.ResultFiles;
import rnnbook.io.RunInfo;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
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

  private final ChapterConfig config;
  private final PrintStream out;
  private final TrainingListener progress;

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
   * Runs every model of the config and returns their summary rows, in the config's order. With
   * {@code jobs > 1} the models train side by side, one per core, longest first; each model's
   * printout is held back and printed whole, in the config's order, so the log reads as the
   * notebook's. Every model's numbers are the same whichever way it runs.
   */
  public List<SummaryRow> run() throws IOException {
    MultiplicationProblem data = loadData(config);
    for (var e : config.initialWeights().entrySet()) {
      ModelRun.checkInitialWeights(e.getKey(), data.timesteps(), e.getValue());
    }
    ModelRun.Split split = ModelRun.Split.of(data);
    RunInfo info = RunInfo.start("chapter", config.models().stream().map(BookModel::key).toList(),
        config.epochs(), config.seed(), config.batchSize(),
        config.data() == null ? "generated with seed " + config.seed() : config.data().toString(),
        config.backend().summary()).withBatches(ChapterConfig.VALIDATION_SPLIT, ModelRun.SHUFFLE, config.seed());
    info.write(config.results().resolve("run.json"));
    int jobs = Math.min(config.jobs(), config.models().size());
    List<SummaryRow> rows = jobs == 1 ? runInOrder(split) : runSideBySide(split, jobs);
    info.finish().write(config.results().resolve("run.json"));
    Report.afterRun(config.results(), config.book(), out);
    return rows;
  }

  private List<SummaryRow> runInOrder(ModelRun.Split split) throws IOException {
    List<SummaryRow> rows = new ArrayList<>();
    for (BookModel spec : config.models()) {
      rows.add(runModel(spec, split, out, progress));
      ResultFiles.writeSummary(config.results().resolve("summary.csv"), rows);
    }
    return rows;
  }

  private List<SummaryRow> runSideBySide(ModelRun.Split split, int jobs) throws IOException {
    List<BookModel> models = config.models();
    List<BookModel> longestFirst = new ArrayList<>(models);
    longestFirst.sort(Comparator.comparingInt(Chapter::relativeCost).reversed());
    Map<BookModel, ByteArrayOutputStream> logs = new EnumMap<>(BookModel.class);
    Map<BookModel, SummaryRow> finished = new EnumMap<>(BookModel.class);
    Status status = new Status(out, models, config.epochs(), progress instanceof Progbar p && p.isLive());
    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    CompletionService<BookModel> done = new ExecutorCompletionService<>(pool);
    try {
      for (BookModel spec : longestFirst) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        logs.put(spec, log);
        PrintStream modelOut = new PrintStream(log, true, StandardCharsets.UTF_8);
        done.submit(() -> {
          SummaryRow row = runModel(spec, split, modelOut,
              TrainingListener.all(new Progbar(modelOut, false), status.of(spec)));
          synchronized (finished) {
            finished.put(spec, row);
          }
          return spec;
        });
      }
      int printed = 0;
      for (int i = 0; i < models.size(); i++) {
        await(done);
        Map<BookModel, SummaryRow> now;
        synchronized (finished) {
          now = new EnumMap<>(finished);
        }
        // every finished model goes into summary.csv at once, in the config's order
        ResultFiles.writeSummary(config.results().resolve("summary.csv"),
            models.stream().filter(now::containsKey).map(now::get).toList());
        // print in the config's order, each block as soon as those before it are printed
        while (printed < models.size() && now.containsKey(models.get(printed))) {
          status.clear();
          out.print(logs.get(models.get(printed++)).toString(StandardCharsets.UTF_8));
          out.flush();
        }
      }
      synchronized (finished) {
        return models.stream().map(finished::get).toList();
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
      throw unwrap(e);
    }
  }

  /** The failure of a model run in a pool: rethrown as it was when unchecked, else as I/O. */
  static IOException unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return cause instanceof IOException io ? io : new IOException(cause);
  }

  /** Training cost per step relative to SimpleRNN, measured here: it orders the queue. */
  static int relativeCost(BookModel m) {
    return switch (m) {
      case SIMPLE_RNN -> 1;
      case LSTM -> 3;
      case GRU -> 4;
    };
  }

  /** A one-line live status of the models training side by side, on a terminal only. */
  private static final class Status {
    private final PrintStream out;
    private final boolean live;
    private final int epochs;
    private final Map<BookModel, String> state = new EnumMap<>(BookModel.class);
    private boolean shown;

    Status(PrintStream out, List<BookModel> models, int epochs, boolean live) {
      this.out = out;
      this.live = live;
      this.epochs = epochs;
      models.forEach(m -> state.put(m, m.key() + " waiting"));
    }

    TrainingListener of(BookModel model) {
      return new TrainingListener() {
        @Override
        public void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {
          update(model, model.key() + " " + epoch + "/" + epochs + " val_loss " + Progbar.number(valLoss));
        }
      };
    }

    private synchronized void update(BookModel model, String text) {
      state.put(model, text);
      if (live) {
        out.print("\r[training] " + String.join(" | ", state.values()) + "\033[K");
        out.flush();
        shown = true;
      }
    }

    synchronized void clear() {
      if (shown) {
        out.print("\r\033[K");
        out.flush();
        shown = false;
      }
    }
  }

  SummaryRow runModel(BookModel spec, ModelRun.Split data, PrintStream out, TrainingListener progress)
      throws IOException {
    var dir = config.results().resolve(spec.key());
    ModelRun.Outcome o = ModelRun.train(spec, data,
        new ModelRun.Settings(config.epochs(), config.batchSize(), config.seed(), config.backend(),
            config.initialWeights().get(spec)), out, progress,
        compiled -> {
          SavedModels.export(compiled, config.savedModels().resolve(spec.key()));
          KerasArchiveWriter.write(compiled, config.savedModels().resolve(spec.key() + ".keras"));
        });
    AtomicWrite.text(dir.resolve("summary.txt"), w -> w.write(o.summary()));
    KerasWeights.writeNamed(dir.resolve(INITIAL_WEIGHTS), o.initialWeights());
    ResultFiles.writeHistory(dir.resolve("history.csv"), o.history());
    ResultFiles.writePredictions(dir.resolve("predictions.csv"), o.predictions());
    LossPlot.writePng(dir.resolve("loss.png"),
        LossPlot.chart(spec.key(), o.history().loss(), o.history().valLoss()));
    return o.summaryRow();
  }

  /** Each prediction beside its target; float32 predictions are compared in float64 as numpy does. */
  public static List<Prediction> compare(double[] y, float[] predicted) {
    List<Prediction> out = new ArrayList<>();
    for (int i = 0; i < y.length; i++) {
      double diff = Math.abs((double) predicted[i] - y[i]);
      out.add(new Prediction(i, y[i], predicted[i], diff, !(diff > TOLERANCE)));
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
