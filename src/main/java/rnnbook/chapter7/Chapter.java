package rnnbook.chapter7;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.AtomicWrite;
import rnnbook.io.ResultFiles;
import rnnbook.io.RunInfo;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.io.SavedModels;
import rnnbook.keras.Adam;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.History;
import rnnbook.keras.Loss;
import rnnbook.keras.Progbar;
import rnnbook.keras.Sequential;
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

  /** Runs every model of the config and returns their summary rows. */
  public List<SummaryRow> run() throws IOException {
    MultiplicationProblem data = loadData(config);
    int fit = ChapterConfig.fitSamples(data.samples());
    MultiplicationProblem train = data.slice(0, fit);
    MultiplicationProblem test = data.slice(fit, data.samples());
    RunInfo info = RunInfo.start("chapter", config.models().stream().map(BookModel::key).toList(),
        config.epochs(), config.seed(), config.batchSize(),
        config.data() == null ? "generated with seed " + config.seed() : config.data().toString());
    info.write(config.results().resolve("run.json"));
    List<SummaryRow> rows = new ArrayList<>();
    for (BookModel spec : config.models()) {
      rows.add(runModel(spec, train, test));
      ResultFiles.writeSummary(config.results().resolve("summary.csv"), rows);
    }
    info.finish().write(config.results().resolve("run.json"));
    Report.afterRun(config.results(), out);
    return rows;
  }

  SummaryRow runModel(BookModel spec, MultiplicationProblem train, MultiplicationProblem test)
      throws IOException {
    Sequential model = spec.create(train.timesteps());
    String summary = model.summary();
    out.print(summary);
    try (CompiledModel compiled = model.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
        config.seed())) {
      History history = compiled.fit(train.xFloat(), train.yFloat(),
          new CompiledModel.FitOptions(config.epochs(), config.batchSize(),
              ChapterConfig.VALIDATION_SPLIT, true), progress);
      double testLoss = compiled.evaluate(test.xFloat(), test.yFloat(), progress);
      float[] predicted = compiled.predict(test.xFloat());
      List<Prediction> predictions = compare(test.y(), predicted);
      for (int i = 0; i < Math.min(5, predictions.size()); i++) {
        Prediction p = predictions.get(i);
        out.println(PythonRepr.of(p.y()) + " \t " + PythonRepr.of(p.prediction()) + " \tdiff: "
            + PythonRepr.of(p.absDiff()));
      }
      double correctness = correctness(predictions);
      out.println("correctness: " + PythonRepr.of(correctness) + " %");

      var dir = config.results().resolve(spec.key());
      AtomicWrite.text(dir.resolve("summary.txt"), w -> w.write(summary));
      ResultFiles.writeHistory(dir.resolve("history.csv"), history);
      ResultFiles.writePredictions(dir.resolve("predictions.csv"), predictions);
      LossPlot.writePng(dir.resolve("loss.png"),
          LossPlot.chart(spec.key(), history.loss(), history.valLoss()));
      SavedModels.export(compiled, config.savedModels().resolve(spec.key()));
      int last = history.epochs() - 1;
      return new SummaryRow(spec.key(), model.countParams(), history.loss().get(last),
          history.valLoss().get(last), testLoss, correctness, history.totalSeconds());
    }
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
