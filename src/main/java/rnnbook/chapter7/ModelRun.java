package rnnbook.chapter7;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.NumpyRandomState;
import rnnbook.io.KerasWeights;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.CompiledModel.WeightValue;
import rnnbook.keras.History;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.TrainingListener;
import rnnbook.keras.layers.RecurrentBackend;

/**
 * The notebook's cells for one model, once: summary, fit with validation_split 0.2, evaluate on
 * the test set, the first five test predictions and the correctness, printed as the notebook
 * prints them. It writes no file: the chapter runs it once per model and writes the files, the
 * study once per model and seed.
 */
public final class ModelRun {
  private ModelRun() {}

  /**
   * How a model is trained.
   *
   * @param epochs epochs of fit
   * @param batchSize samples per training step
   * @param seed draws the initial weights, and seeds the shuffling (see {@link #SHUFFLE})
   * @param backend how the recurrent layers run
   * @param initialWeights an .npz of the model's weights to start from instead of drawing them
   *     from the seed (see {@link KerasWeights#read}), or null
   * @param kernelThreads threads the native kernels may use ({@link CompileOptions#kernelThreads()})
   */
  public record Settings(int epochs, int batchSize, long seed, RecurrentBackend backend, Path initialWeights,
      int kernelThreads) {
    /** Initial weights drawn from the seed, one kernel thread. */
    public Settings(int epochs, int batchSize, long seed, RecurrentBackend backend) {
      this(epochs, batchSize, seed, backend, null, 1);
    }
  }

  /** How fit orders the training samples of each epoch, as run.json says it. */
  public static final String SHUFFLE = "numpy.random.RandomState(shuffle_seed).permutation(training samples), "
      + "once per epoch, a new generator per model";

  /** The notebook's split: the first 2560/3000 of the samples for fit, the rest for the test. */
  public record Split(MultiplicationProblem train, MultiplicationProblem test) {
    public static Split of(MultiplicationProblem data) {
      int fit = ChapterConfig.fitSamples(data.samples());
      return new Split(data.slice(0, fit), data.slice(fit, data.samples()));
    }
  }

  /**
   * What one training of one model gave.
   *
   * @param summary Keras's summary table
   * @param initialWeights the weights fit started from, in {@code get_weights()} order
   * @param testLoss {@code evaluate} on the test set
   * @param predictions the test predictions beside their targets
   * @param correctness percent of test predictions within {@link Chapter#TOLERANCE}
   */
  public record Outcome(BookModel model, String summary, long params, List<WeightValue> initialWeights,
      History history, double testLoss, List<Prediction> predictions, double correctness) {
    /** The row of summary.csv: final loss and val_loss, test loss, correctness, training seconds. */
    public SummaryRow summaryRow() {
      int last = history.epochs() - 1;
      return new SummaryRow(model.key(), params, history.loss().get(last), history.valLoss().get(last),
          testLoss, correctness, history.totalSeconds());
    }
  }

  /** Work on the trained model before it is closed, such as exporting it. */
  @FunctionalInterface
  public interface WhileOpen {
    WhileOpen NOTHING = m -> {};

    void accept(CompiledModel model) throws IOException;
  }

  /**
   * Checks, before anything is written, that {@code npz} holds weights of {@code spec}'s shapes
   * for sequences of {@code timesteps}; a wrong array is named in the exception.
   */
  public static void checkInitialWeights(BookModel spec, int timesteps, Path npz) throws IOException {
    Sequential model = spec.create(timesteps);
    try (CompiledModel compiled = model.compileForInference(Loss.MEAN_SQUARED_ERROR, CompileOptions.of(0))) {
      KerasWeights.read(npz, model.name(), compiled.getWeights());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--initial-weights: " + spec.key() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Builds, trains and tests {@code spec}, printing to {@code out} what the notebook prints and
   * reporting progress to {@code progress}; {@code whileOpen} gets the trained model last.
   */
  public static Outcome train(BookModel spec, Split data, Settings settings, PrintStream out,
      TrainingListener progress, WhileOpen whileOpen) throws IOException {
    Sequential model = spec.create(data.train().timesteps());
    String summary = model.summary();
    out.print(summary);
    try (CompiledModel compiled = model.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
        CompileOptions.of(settings.seed()).withBackend(settings.backend())
            .withKernelThreads(settings.kernelThreads()))) {
      if (settings.initialWeights() != null) {
        KerasWeights.load(settings.initialWeights(), compiled);
      }
      List<WeightValue> initialWeights = compiled.getWeights();
      History history = compiled.fit(data.train().xFloat(), data.train().yFloat(),
          // a batch larger than the data is all of it, as in Keras (and no buffer of --batch-size rows)
          new CompiledModel.FitOptions(settings.epochs(), Math.min(settings.batchSize(), data.train().samples()),
              ChapterConfig.VALIDATION_SPLIT, true).withOrder(new NumpyRandomState(settings.seed())::permutation),
          progress);
      float[] testX = data.test().xFloat();
      double testLoss = compiled.evaluate(testX, data.test().yFloat(), progress);
      List<Prediction> predictions = Chapter.compare(data.test().y(), compiled.predict(testX));
      for (int i = 0; i < Math.min(5, predictions.size()); i++) {
        Prediction p = predictions.get(i);
        out.println(PythonRepr.of(p.y()) + " \t " + PythonRepr.of(p.prediction()) + " \tdiff: "
            + PythonRepr.of(p.absDiff()));
      }
      double correctness = Chapter.correctness(predictions);
      out.println("correctness: " + PythonRepr.of(correctness) + " %");
      long diverged = predictions.stream().filter(p -> !Float.isFinite(p.prediction())).count();
      if (diverged > 0 || !Double.isFinite(testLoss)) {
        out.println("warning: the training diverged: test loss " + PythonRepr.of(testLoss) + ", " + diverged
            + " of " + predictions.size() + " predictions NaN or infinite (counted as wrong)");
      }
      whileOpen.accept(compiled);
      return new Outcome(spec, summary, model.countParams(), initialWeights, history, testLoss, predictions,
          correctness);
    }
  }
}
