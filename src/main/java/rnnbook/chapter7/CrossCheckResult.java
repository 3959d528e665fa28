package rnnbook.chapter7;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.layers.Shapes;

/** What {@code crosscheck} prints and writes as JSON. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CrossCheckResult(
    @JsonProperty("model") String model,
    @JsonProperty("format") String format,
    @JsonProperty("architecture") String architecture,
    @JsonProperty("reference") String reference,
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
    @JsonProperty("atol") double atol,
    @JsonProperty("rtol") double rtol,
    @JsonProperty("values_outside_tolerance") int outside,
    @JsonProperty("passed") boolean passed,
    @JsonProperty("layers") List<LayerRow> layers,
    @JsonProperty("chapter") CrossCheck.ChapterMetrics chapter) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One layer: the Keras config's call and parameter count beside the Java layer's. */
  public record LayerRow(
      @JsonProperty("name") String name,
      @JsonProperty("class_name") String className,
      @JsonProperty("python") String python,
      @JsonProperty("python_params") long pythonParams,
      @JsonProperty("java") String java,
      @JsonProperty("java_output_shape") String javaOutputShape,
      @JsonProperty("java_params") long javaParams) {}

  public void writeJson(Path file) throws IOException {
    AtomicWrite.bytes(file, JSON.writeValueAsBytes(this));
  }

  /** The printed report: the architecture side by side, then the differences. */
  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("model ").append(model).append(": ").append(format).append('\n');
    if (architecture != null) {
      b.append("architecture and weights: ").append(architecture).append('\n');
    }
    b.append("reference: ").append(reference).append("\n\n");
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
    String row = "%-" + nameW + "s  %-" + pyW + "s %9s | %-" + javaW + "s  %-" + shapeW + "s %9s%n";
    b.append(String.format(row, "Layer", "Python (Keras config)", "Param #", "Java (rnnbook)", "Output shape", "Param #"));
    b.append("-".repeat(nameW + pyW + javaW + shapeW + 27)).append('\n');
    long pyTotal = 0;
    long javaTotal = 0;
    for (LayerRow r : layers) {
      b.append(String.format(row, r.name(), r.python(), r.pythonParams(), r.java(), r.javaOutputShape(), r.javaParams()));
      pyTotal += r.pythonParams();
      javaTotal += r.javaParams();
    }
    b.append(String.format(row, "Total", "", pyTotal, "", "", javaTotal)).append('\n');
    b.append("inputs: ").append(inputs).append('\n');
    b.append("outputs: ").append(samples).append(" x ")
        .append(Shapes.format(outputShape.subList(1, outputShape.size()).stream().mapToLong(Long::longValue).toArray()))
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
    String rule = String.format(Locale.ROOT, "|java - python| <= atol + rtol * |python| (atol %.1e, rtol %.1e)", atol, rtol);
    b.append(passed ? "PASSED: every value within " + rule + "\n"
        : "FAILED: " + outside + " of " + pythonValues() + " values outside " + rule + "\n");
    return b.toString();
  }

  private long pythonValues() {
    return outputShape.stream().mapToLong(Long::longValue).reduce(1, (a, c) -> a * c);
  }
}
