package rnnbook.chapter7;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.GateFiles;
import rnnbook.io.GateFiles.Gate;
import rnnbook.io.GateFiles.Recording;
import rnnbook.io.GateFiles.Sample;
import rnnbook.io.SavedModels;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.LayerTrace;
import rnnbook.keras.Loss;
import rnnbook.keras.TrainingListener;
import rnnbook.report.GateCharts;

/**
 * The gates of a trained LSTM or GRU at work on test samples: the chapter's SavedModel is loaded
 * (or, without one, the model is trained on the spot as the chapter trains it), run on each sample,
 * and every gate of both recurrent layers is recorded at every timestep, as the model computes it
 * (see {@link CompiledModel#trace}).
 */
public final class GateInspector {
  /** The models with gates. */
  public static final List<BookModel> MODELS = List.of(BookModel.LSTM, BookModel.GRU);

  private GateInspector() {}

  /**
   * Records the gates of {@code model} on the test samples {@code samples} of {@code data}.
   *
   * @param dataSource where {@code data} came from, in words, for the recording
   * @param savedModel the chapter's SavedModel of {@code model}; when absent the model is trained
   *     with {@code training} first, printing to {@code out} as the chapter does
   */
  public static List<Recording> record(BookModel model, ModelRun.Split data, String dataSource, List<Integer> samples,
      Path savedModel, ModelRun.Settings training, PrintStream out, TrainingListener progress) throws IOException {
    if (!MODELS.contains(model)) {
      throw new IllegalArgumentException("--model: " + model.key() + " has no gates; choose lstm or gru");
    }
    int n = data.test().samples();
    for (int k : samples) {
      if (k < 0 || k >= n) {
        throw new IllegalArgumentException("--sample " + k + " is not a test sample: expected 0.." + (n - 1));
      }
    }
    if (Files.isDirectory(savedModel)) {
      String source = "SavedModel " + savedModel;
      out.println(model.key() + ": weights from the " + source);
      try (CompiledModel m = model.create(data.test().timesteps())
          .compileForInference(Loss.MEAN_SQUARED_ERROR, CompileOptions.of(training.seed()))) {
        m.setWeights(SavedModels.readWeights(savedModel, m.variableNames()));
        return inspect(m, model, data.test(), samples, training.seed(), dataSource, source);
      }
    }
    String source = "trained on the spot: " + training.epochs() + (training.epochs() == 1 ? " epoch" : " epochs")
        + ", seed " + training.seed();
    out.println(model.key() + ": no SavedModel at " + savedModel + "; " + source + " (the chapter's training, "
        + "nothing saved)");
    List<Recording> recordings = new ArrayList<>();
    ModelRun.train(model, data, training, out, progress,
        m -> recordings.addAll(inspect(m, model, data.test(), samples, training.seed(), dataSource, source)));
    return recordings;
  }

  /** Runs {@code model} on the test samples and records its gates. */
  static List<Recording> inspect(CompiledModel model, BookModel spec, MultiplicationProblem test,
      List<Integer> samples, long seed, String dataSource, String source) {
    int steps = test.timesteps();
    int row = steps * MultiplicationProblem.FEATURES;
    float[] all = test.xFloat();
    float[] x = new float[samples.size() * row];
    for (int j = 0; j < samples.size(); j++) {
      System.arraycopy(all, samples.get(j) * row, x, j * row, row);
    }
    List<LayerTrace> traces = model.trace(x);
    float[] predictions = traces.get(traces.size() - 1).output();
    List<Recording> out = new ArrayList<>();
    for (int j = 0; j < samples.size(); j++) {
      int k = samples.get(j);
      List<Integer> marked = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (int t = 0; t < steps; t++) {
        double[] xt = {test.x()[k * row + 2 * t], test.x()[k * row + 2 * t + 1]};
        if (xt[0] == 1.0) {
          marked.add(t);
        }
        values.add(xt[1]);
      }
      List<Gate> gates = new ArrayList<>();
      for (LayerTrace t : traces) {
        for (var g : t.gates().entrySet()) {
          gates.add(new Gate(t.layer(), g.getKey(), slice(g.getValue(), t.gateShape(), j)));
        }
      }
      out.add(new Recording(new Sample(spec.key(), k, seed, dataSource, source, marked, values, test.y()[k], predictions[j]),
          gates));
    }
    return out;
  }

  /** Sample {@code j} of a (batch, timesteps, units) array as [timestep][unit]. */
  private static float[][] slice(float[] v, long[] shape, int j) {
    int steps = (int) shape[1];
    int units = (int) shape[2];
    float[][] out = new float[steps][units];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(v, (j * steps + t) * units, out[t], 0, units);
    }
    return out;
  }

  /** Writes a recording and its pictures into {@code results/gates/<model>/sample_<K>/}; returns that folder. */
  public static Path write(Path results, Recording r) throws IOException {
    Path dir = GateFiles.sampleDir(results, r.sample().model(), r.sample().sample());
    GateFiles.write(dir, r);
    GateCharts.write(dir, r);
    return dir;
  }
}
