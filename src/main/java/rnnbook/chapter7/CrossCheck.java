package rnnbook.chapter7;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import rnnbook.data.AtomicWrite;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.data.NumpyRandomState;
import rnnbook.io.KerasImport;
import rnnbook.io.KerasSavedModel;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.layers.Shapes;

/**
 * Runs a Python-made Keras SavedModel and its Java rebuild ({@link KerasImport}) on the same
 * inputs and compares their outputs number for number.
 *
 * <p>Inputs: the given {@code .npy}; else, for a model of the chapter's shape (timesteps, 2), the
 * chapter's test set (from {@code --data}, or generated from the seed for 100 timesteps), with
 * both models' test loss and correctness; else seeded uniform [0, 1) inputs of the model's shape,
 * as {@code np.random.seed(seed); np.random.rand(samples, *shape).astype(np.float32)}.
 */
public final class CrossCheck {
  public static final double DEFAULT_TOLERANCE = 1e-5;
  public static final int DEFAULT_SAMPLES = 256;
  /** Rows per call of the Python graph. */
  private static final int BATCH = 256;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CrossCheck() {}

  /**
   * @param savedModel the SavedModel folder
   * @param input an {@code .npy} of inputs (samples, *shape), or null
   * @param data a folder with the chapter's X.npy and Y.npy whose test split to use, or null
   * @param seed numpy seed of generated inputs
   * @param samples how many random samples to generate
   * @param tolerance the largest absolute difference that passes
   */
  public record Options(Path savedModel, Path input, Path data, long seed, int samples, double tolerance) {
    public Options {
      if (input != null && data != null) {
        throw new IllegalArgumentException("give --input or --data, not both");
      }
      if (samples < 1) {
        throw new IllegalArgumentException("--samples must be >= 1, received " + samples);
      }
      if (!(tolerance >= 0)) {
        throw new IllegalArgumentException("--tolerance must be >= 0, received " + tolerance);
      }
      if (seed < 0 || seed > 0xffffffffL) {
        throw new IllegalArgumentException("--seed must be in [0, 4294967295] as numpy's, received " + seed);
      }
    }
  }

  /** One layer: the Keras config's call and parameter count beside the Java layer's. */
  public record LayerRow(
      @JsonProperty("name") String name,
      @JsonProperty("class_name") String className,
      @JsonProperty("python") String python,
      @JsonProperty("python_params") long pythonParams,
      @JsonProperty("java") String java,
      @JsonProperty("java_output_shape") String javaOutputShape,
      @JsonProperty("java_params") long javaParams) {}

  /** Test loss (mean squared error) and correctness (percent within 0.04) of both models. */
  public record ChapterMetrics(
      @JsonProperty("python_test_loss") double pythonTestLoss,
      @JsonProperty("java_test_loss") double javaTestLoss,
      @JsonProperty("python_correctness") double pythonCorrectness,
      @JsonProperty("java_correctness") double javaCorrectness) {}

  /** What {@code crosscheck} prints and writes as JSON. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Result(
      @JsonProperty("savedmodel") String savedModel,
      @JsonProperty("tensorflow_version") String tensorflowVersion,
      @JsonProperty("signature") String signature,
      @JsonProperty("input_name") String inputName,
      @JsonProperty("output_name") String outputName,
      @JsonProperty("inputs") String inputs,
      @JsonProperty("samples") int samples,
      @JsonProperty("input_shape") List<Long> inputShape,
      @JsonProperty("output_shape") List<Long> outputShape,
      @JsonProperty("python_output_range") List<Double> pythonOutputRange,
      @JsonProperty("max_abs_diff") double maxAbsDiff,
      @JsonProperty("max_abs_diff_at") List<Integer> maxAbsDiffAt,
      @JsonProperty("mean_abs_diff") double meanAbsDiff,
      @JsonProperty("tolerance") double tolerance,
      @JsonProperty("passed") boolean passed,
      @JsonProperty("layers") List<LayerRow> layers,
      @JsonProperty("chapter") ChapterMetrics chapter) {

    public void writeJson(Path file) throws IOException {
      AtomicWrite.bytes(file, JSON.writeValueAsBytes(this));
    }

    /** The printed report: the architecture side by side, then the differences. */
    public String text() {
      StringBuilder b = new StringBuilder();
      b.append("SavedModel ").append(savedModel).append(" (written by TensorFlow ")
          .append(tensorflowVersion.isEmpty() ? "?" : tensorflowVersion).append(")\n");
      b.append("signature ").append(signature).append(": ").append(inputName).append(" -> ")
          .append(outputName).append("\n\n");
      int nameW = "Layer".length();
      int pyW = "Python (Keras config)".length();
      int javaW = "Java (rnnbook)".length();
      int shapeW = "Output shape".length();
      for (LayerRow r : layers) {
        nameW = Math.max(nameW, r.name().length());
        pyW = Math.max(pyW, r.python().length());
        javaW = Math.max(javaW, r.java().length());
        shapeW = Math.max(shapeW, r.javaOutputShape().length());
      }
      String format = "%-" + nameW + "s  %-" + pyW + "s %9s | %-" + javaW + "s  %-" + shapeW + "s %9s%n";
      b.append(String.format(format, "Layer", "Python (Keras config)", "Param #", "Java (rnnbook)",
          "Output shape", "Param #"));
      b.append("-".repeat(nameW + pyW + javaW + shapeW + 27)).append('\n');
      long pyTotal = 0;
      long javaTotal = 0;
      for (LayerRow r : layers) {
        b.append(String.format(format, r.name(), r.python(), r.pythonParams(), r.java(), r.javaOutputShape(),
            r.javaParams()));
        pyTotal += r.pythonParams();
        javaTotal += r.javaParams();
      }
      b.append(String.format(format, "Total", "", pyTotal, "", "", javaTotal)).append('\n');
      b.append("inputs: ").append(inputs).append('\n');
      b.append("outputs: ").append(samples).append(" x ").append(Shapes.format(tail(outputShape)))
          .append(String.format(Locale.ROOT, " values from each side, Python's in [%.6g, %.6g]%n",
              pythonOutputRange.get(0), pythonOutputRange.get(1)));
      b.append(maxAbsDiff == 0 ? "max abs diff:  0 (every value equal, bit for bit)\n"
          : String.format(Locale.ROOT, "max abs diff:  %.3e (sample %d, value %d)%n", maxAbsDiff,
              maxAbsDiffAt.get(0), maxAbsDiffAt.get(1)));
      b.append(String.format(Locale.ROOT, "mean abs diff: %.3e%n", meanAbsDiff));
      if (chapter != null) {
        b.append(String.format(Locale.ROOT, "test loss (mse):  Python %.8f   Java %.8f%n",
            chapter.pythonTestLoss(), chapter.javaTestLoss()));
        b.append(String.format(Locale.ROOT, "correctness:      Python %s %%   Java %s %%%n",
            PythonRepr.of(chapter.pythonCorrectness()), PythonRepr.of(chapter.javaCorrectness())));
      }
      b.append(passed ? String.format(Locale.ROOT, "PASSED: max abs diff within tolerance %.1e%n", tolerance)
          : String.format(Locale.ROOT, "FAILED: max abs diff %.3e exceeds tolerance %.1e%n", maxAbsDiff,
              tolerance));
      return b.toString();
    }

    private static long[] tail(List<Long> shape) {
      return shape.subList(1, shape.size()).stream().mapToLong(Long::longValue).toArray();
    }
  }

  /** Inputs (samples, *shape) in C order, the targets when known (chapter data), and how they were made. */
  private record Inputs(long[] sampleShape, float[] x, double[] y, String description) {
    int samples() {
      return x.length / (int) Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
    }
  }

  /** Loads, rebuilds, runs both and compares. Bad input throws {@link IllegalArgumentException}. */
  public static Result run(Options o) throws IOException {
    Inputs given = o.input() != null ? fromNpy(o.input()) : o.data() != null ? chapterTestSet(o.data(), 0) : null;
    try (KerasSavedModel saved = KerasSavedModel.load(o.savedModel())) {
      KerasImport.Imported imported = KerasImport.rebuild(saved, given == null ? null : given.sampleShape());
      KerasSavedModel.SignatureSpec sig = servingSignature(saved);
      checkOutputShape(saved, imported.model(), sig.outputs().get(0));
      long[] shape = imported.model().inputShape();
      Inputs inputs = given != null ? given
          : Arrays.equals(shape, new long[] {MultiplicationProblem.BOOK_TIMESTEPS, MultiplicationProblem.FEATURES})
              ? chapterTestSet(null, o.seed())
              : random(shape, o.samples(), o.seed());
      int n = inputs.samples();
      float[] python = runPython(saved, sig, inputs, n);
      float[] java;
      try (CompiledModel compiled = imported.compile()) {
        java = compiled.predict(inputs.x());
      }
      int perSample = python.length / n;
      Diff diff = diff(python, java);
      ChapterMetrics metrics = inputs.y() != null && perSample == 1 ? chapterMetrics(inputs.y(), python, java) : null;
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (float v : python) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return new Result(o.savedModel().toString(), saved.tensorflowVersion(), KerasSavedModel.SERVING_DEFAULT,
          sig.inputs().get(0).key(), sig.outputs().get(0).key(), inputs.description(), n, withBatch(n, inputs.sampleShape()),
          withBatch(n, imported.model().outputShape()),
          List.of(lo, hi), diff.max(),
          List.of(diff.argMax() / perSample, diff.argMax() % perSample), diff.mean(), o.tolerance(),
          diff.max() <= o.tolerance(), rows(imported), metrics);
    }
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

  /** Both models' test loss (MSE in float64 over the float32 predictions) and correctness, as the chapter counts it. */
  public static ChapterMetrics chapterMetrics(double[] y, float[] python, float[] java) {
    return new ChapterMetrics(mse(y, python), mse(y, java), Chapter.correctness(Chapter.compare(y, python)),
        Chapter.correctness(Chapter.compare(y, java)));
  }

  private static List<Long> withBatch(int n, long[] shape) {
    List<Long> out = new ArrayList<>(List.of((long) n));
    Arrays.stream(shape).forEach(out::add);
    return out;
  }

  private static KerasSavedModel.SignatureSpec servingSignature(KerasSavedModel saved) {
    KerasSavedModel.SignatureSpec sig = saved.signature(KerasSavedModel.SERVING_DEFAULT);
    if (sig.inputs().size() != 1 || sig.outputs().size() != 1) {
      throw new IllegalArgumentException("signature serving_default of " + saved.dir()
          + " must have one input and one output, found " + sig.inputs().size() + " and " + sig.outputs().size());
    }
    return sig;
  }

  private static void checkOutputShape(KerasSavedModel saved, rnnbook.keras.Sequential model,
      KerasSavedModel.TensorSpec output) {
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

  private static float[] runPython(KerasSavedModel saved, KerasSavedModel.SignatureSpec sig, Inputs inputs, int n) {
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

  private static List<LayerRow> rows(KerasImport.Imported imported) {
    return imported.layers().stream().map(m -> new LayerRow(m.name(), m.className(), m.keras(), m.kerasParams(),
        m.java() == null ? "(the Sequential's input)" : m.java().name() + " (" + m.java().className() + ")",
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

  private static Inputs fromNpy(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--input: cannot read " + file);
    }
    Npy.Array a = Npy.read(file);
    if (a.shape().length < 2 || a.shape()[0] < 1) {
      throw new IllegalArgumentException(
          file + ": expected an array of shape (samples, ...) with at least one sample, found " + a.shapeString());
    }
    return new Inputs(Arrays.copyOfRange(a.shape(), 1, a.shape().length), a.floats(), null,
        a.shape()[0] + " samples from " + file);
  }

  /** The chapter's test split X[fit:], Y[fit:] of {@code dir}'s data, or of the data generated from {@code seed}. */
  private static Inputs chapterTestSet(Path dir, long seed) throws IOException {
    MultiplicationProblem data = dir != null ? MultiplicationProblem.readNpy(dir) : MultiplicationProblem.generate(seed);
    int fit = ChapterConfig.fitSamples(data.samples());
    if (fit >= data.samples()) {
      throw new IllegalArgumentException("--data: " + data.samples() + " samples leave no test set");
    }
    MultiplicationProblem test = data.slice(fit, data.samples());
    String source = dir != null ? dir.resolve("X.npy").toString()
        : "the chapter's data generated with seed " + seed;
    return new Inputs(new long[] {data.timesteps(), MultiplicationProblem.FEATURES}, test.xFloat(), test.y(),
        "the chapter's test set X[" + fit + ":] (" + test.samples() + " samples) of " + source);
  }

  private static Inputs random(long[] shape, int samples, long seed) {
    int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] values = new NumpyRandomState(seed).rand(samples * size);
    float[] x = new float[values.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) values[i];
    }
    String call = "np.random.seed(" + seed + "); np.random.rand(" + samples + ", "
        + Arrays.stream(shape).mapToObj(Long::toString).reduce((a, b) -> a + ", " + b).orElse("") + ")";
    return new Inputs(shape.clone(), x, null, samples + " seeded uniform [0, 1) samples: " + call);
  }
}
