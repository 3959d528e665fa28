package rnnbook.chapter7;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.KerasFiles;
import rnnbook.io.KerasImport;
import rnnbook.io.KerasModel;
import rnnbook.io.KerasSavedModel;
import rnnbook.io.KerasSavedModel.SignatureSpec;
import rnnbook.io.KerasSavedModel.TensorSpec;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Shapes;

/**
 * Runs a Keras model made in Python and its Java rebuild ({@link KerasImport}) on the same inputs
 * and compares their outputs number for number, as numpy's {@code allclose} does: a value passes
 * when {@code |java - python| <= atol + rtol * |python|}.
 *
 * <p>The Python side is a SavedModel's {@code serving_default} signature (a Keras 2 SavedModel,
 * or a Keras 3 {@code model.export()} folder whose architecture and weights come from {@code
 * --architecture}), or the outputs Python computed with {@code model.predict(X)} ({@code
 * --expected}), which is how {@code .keras} and {@code .h5} files, which hold no graph, are
 * checked. Inputs: the given {@code .npy}; else, for a model of the chapter's shape (timesteps,
 * 2), the chapter's test set, with both models' test loss and correctness; else seeded uniform
 * [0, 1) inputs of the model's shape.
 */
public final class CrossCheck {
  public static final double DEFAULT_ATOL = 1e-5;
  public static final double DEFAULT_RTOL = 1e-5;
  public static final int DEFAULT_SAMPLES = 256;
  /** Rows per call of the Python graph. */
  private static final int BATCH = 256;

  private CrossCheck() {}

  /**
   * @param model a {@code .keras}, {@code .h5} or SavedModel folder
   * @param architecture a {@code .keras} or {@code .h5} of the model exported to {@code model}, or null
   * @param input an {@code .npy} of inputs (samples, *shape), or null
   * @param expected Python's {@code model.predict(input)} as {@code .npy}, or null
   * @param data a folder with the chapter's X.npy and Y.npy whose test split to use, or null
   */
  public record Options(Path model, Path architecture, Path input, Path expected, Path data, long seed, int samples,
      double atol, double rtol) {
    public Options {
      if (input != null && data != null) {
        throw new IllegalArgumentException("give --input or --data, not both");
      }
      if (expected != null && input == null) {
        throw new IllegalArgumentException("--expected needs --input: the inputs Python computed it from");
      }
      if (samples < 1) {
        throw new IllegalArgumentException("--samples must be >= 1, received " + samples);
      }
      if (!(atol >= 0) || !(rtol >= 0)) {
        throw new IllegalArgumentException("--atol and --rtol must be >= 0, received " + atol + " and " + rtol);
      }
      if (seed < 0 || seed > 0xffffffffL) {
        throw new IllegalArgumentException("--seed must be in [0, 4294967295] as numpy's, received " + seed);
      }
    }
  }

  /** Test loss (mean squared error) and correctness (percent within 0.04) of both models. */
  public record ChapterMetrics(
      @JsonProperty("python_test_loss") double pythonTestLoss,
      @JsonProperty("java_test_loss") double javaTestLoss,
      @JsonProperty("python_correctness") double pythonCorrectness,
      @JsonProperty("java_correctness") double javaCorrectness) {}

  /** Loads, rebuilds, runs both and compares. Bad input throws {@link IllegalArgumentException}. */
  public static CrossCheckResult run(Options o) throws IOException {
    KerasFiles.Format format = KerasFiles.detect(o.model());
    CrossCheckInputs given = o.input() != null ? CrossCheckInputs.fromNpy(o.input())
        : o.data() != null ? CrossCheckInputs.chapterTestSet(o.data(), 0) : null;
    long[] sampleShape = given == null ? null : given.sampleShape();
    if (format != KerasFiles.Format.SAVED_MODEL) {
      if (o.architecture() != null) {
        throw new IllegalArgumentException("--architecture goes with a SavedModel folder that has no Keras metadata "
            + "(model.export); " + o.model() + " is " + format.description() + ", which holds its own architecture");
      }
      KerasModel km = KerasFiles.read(o.model());
      if (o.expected() == null) {
        throw new IllegalArgumentException(o.model() + " is " + format.description() + ", which holds no graph to run: "
            + "give --input X.npy and --expected P.npy, the outputs of model.predict(X) in Python");
      }
      KerasImport.Imported imported = KerasImport.build(km, sampleShape);
      float[] python = given.expected(o.expected(), imported.model().outputShape());
      return compare(o, imported, null, given, python, o.expected() + " (model.predict in Python)", null, null);
    }
    try (KerasSavedModel saved = KerasSavedModel.load(o.model())) {
      KerasImport.Imported imported;
      String architecture = null;
      if (o.architecture() != null) {
        KerasModel km = KerasFiles.read(o.architecture());
        imported = KerasImport.build(km, sampleShape);
        architecture = o.architecture() + " (" + km.format() + ")";
      } else {
        imported = KerasImport.rebuild(saved, sampleShape);
      }
      SignatureSpec sig = servingSignature(saved);
      checkOutputShape(saved, imported.model(), sig.outputs().get(0));
      long[] shape = imported.model().inputShape();
      CrossCheckInputs inputs = given != null ? given
          : Arrays.equals(shape, new long[] {MultiplicationProblem.BOOK_TIMESTEPS, MultiplicationProblem.FEATURES})
              ? CrossCheckInputs.chapterTestSet(null, o.seed())
              : CrossCheckInputs.random(shape, o.samples(), o.seed());
      String version = saved.tensorflowVersion();
      String reference = o.expected() != null ? o.expected() + " (model.predict in Python)"
          : "the SavedModel's serving_default signature (TensorFlow " + (version.isEmpty() ? "?" : version) + ")";
      float[] python = o.expected() != null ? inputs.expected(o.expected(), imported.model().outputShape())
          : runPython(saved, sig, inputs);
      return compare(o, imported, architecture, inputs, python, reference, sig.inputs().get(0).key(),
          sig.outputs().get(0).key());
    }
  }

  private static CrossCheckResult compare(Options o, KerasImport.Imported imported, String architecture,
      CrossCheckInputs inputs, float[] python, String reference, String inputName, String outputName) {
    float[] java;
    try (CompiledModel compiled = imported.compile()) {
      java = compiled.predict(inputs.x());
    }
    int n = inputs.samples();
    int perSample = python.length / n;
    Diff diff = diff(python, java);
    int outside = outside(python, java, o.atol(), o.rtol());
    ChapterMetrics metrics = inputs.y() != null && perSample == 1 ? chapterMetrics(inputs.y(), python, java) : null;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (float v : python) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    KerasModel km = imported.source();
    String format = architecture == null ? km.format() : "a SavedModel without Keras metadata (model.export)";
    return new CrossCheckResult(o.model().toString(), format, architecture, reference, inputName, outputName,
        inputs.description(), n, withBatch(n, inputs.sampleShape()), withBatch(n, imported.model().outputShape()),
        List.of(lo, hi), diff.max(), List.of(diff.argMax() / perSample, diff.argMax() % perSample), diff.mean(),
        o.atol(), o.rtol(), outside, outside == 0, rows(imported), metrics);
  }

  /** The largest absolute difference, its flat index, and the mean; a NaN on either side counts as infinite. */
  public record Diff(double max, int argMax, double mean) {}

  /** Compares two outputs of the same length value by value, in float64. */
  public static Diff diff(float[] python, float[] java) {
    if (java.length != python.length || python.length == 0) {
      throw new IllegalStateException("Java gave " + java.length + " outputs, Python " + python.length);
    }
    double max = -1;
    int at = 0;
    double sum = 0;
    for (int i = 0; i < python.length; i++) {
      double d = Math.abs((double) python[i] - java[i]);
      if (Double.isNaN(d)) {
        d = Double.POSITIVE_INFINITY;
      }
      sum += d;
      if (d > max) {
        max = d;
        at = i;
      }
    }
    return new Diff(max, at, sum / python.length);
  }

  /** How many values fail numpy's {@code isclose}: {@code |java - python| > atol + rtol * |python|}, or NaN. */
  public static int outside(float[] python, float[] java, double atol, double rtol) {
    int n = 0;
    for (int i = 0; i < python.length; i++) {
      double d = Math.abs((double) python[i] - java[i]);
      if (!(d <= atol + rtol * Math.abs((double) python[i]))) {
        n++;
      }
    }
    return n;
  }

  /** Both models' test loss (MSE in float64 over the float32 predictions) and correctness, as the chapter counts it. */
  public static ChapterMetrics chapterMetrics(double[] y, float[] python, float[] java) {
    return new ChapterMetrics(mse(y, python), mse(y, java), Chapter.correctness(Chapter.compare(y, python)),
        Chapter.correctness(Chapter.compare(y, java)));
  }

  private static SignatureSpec servingSignature(KerasSavedModel saved) {
    SignatureSpec sig = saved.signature(KerasSavedModel.SERVING_DEFAULT);
    if (sig.inputs().size() != 1 || sig.outputs().size() != 1) {
      throw new IllegalArgumentException("signature serving_default of " + saved.dir()
          + " must have one input and one output, found " + sig.inputs().size() + " and " + sig.outputs().size());
    }
    return sig;
  }

  private static void checkOutputShape(KerasSavedModel saved, Sequential model, TensorSpec output) {
    long[] java = model.outputShape();
    long[] python = output.shape();
    boolean fits = python == null || python.length == java.length + 1;
    for (int i = 0; fits && python != null && i < java.length; i++) {
      fits = python[i + 1] < 0 || python[i + 1] == java[i];
    }
    if (!fits) {
      throw new IllegalArgumentException("the rebuilt model outputs " + Shapes.withBatch(java) + " but output '"
          + output.key() + "' of " + saved.dir() + " is " + output.shapeString());
    }
  }

  private static List<Long> withBatch(int n, long[] shape) {
    List<Long> out = new ArrayList<>(List.of((long) n));
    Arrays.stream(shape).forEach(out::add);
    return out;
  }

  private static float[] runPython(KerasSavedModel saved, SignatureSpec sig, CrossCheckInputs inputs) {
    int n = inputs.samples();
    int inSize = inputs.x().length / n;
    float[] out = null;
    int outSize = 0;
    for (int from = 0; from < n; from += BATCH) {
      int rows = Math.min(BATCH, n - from);
      long[] shape = new long[inputs.sampleShape().length + 1];
      shape[0] = rows;
      System.arraycopy(inputs.sampleShape(), 0, shape, 1, inputs.sampleShape().length);
      float[] chunk = Arrays.copyOfRange(inputs.x(), from * inSize, (from + rows) * inSize);
      KerasSavedModel.Floats y = saved.run(KerasSavedModel.SERVING_DEFAULT,
          Map.of(sig.inputs().get(0).key(), new KerasSavedModel.Floats(shape, chunk))).get(sig.outputs().get(0).key());
      if (out == null) {
        outSize = y.values().length / rows;
        out = new float[n * outSize];
      }
      System.arraycopy(y.values(), 0, out, from * outSize, y.values().length);
    }
    return out;
  }

  private static List<CrossCheckResult.LayerRow> rows(KerasImport.Imported imported) {
    return imported.layers().stream().map(m -> new CrossCheckResult.LayerRow(m.name(), m.className(), m.keras(),
        m.kerasParams(), m.java() == null ? "(the Sequential's input)" : m.java().name() + " (" + m.java().className() + ")",
        Shapes.withBatch(m.javaOutputShape()), m.javaParams())).toList();
  }

  private static double mse(double[] y, float[] predicted) {
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      double e = (double) predicted[i] - y[i];
      sum += e * e;
    }
    return sum / y.length;
  }
}
