package rnnbook.io;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import rnnbook.data.AtomicWrite;
import rnnbook.data.InputFiles;

/**
 * A recording of a recurrent model's gates on one test sample, in {@code
 * results/gates/<model>/sample_<K>/}: {@code sample.json} (the sample, the prediction, where the
 * model came from) and {@code gates.csv} in long format, {@code layer,gate,timestep,unit,value},
 * values as float32 written exactly.
 */
public final class GateFiles {
  public static final String DIR = "gates";
  public static final String SAMPLE_JSON = "sample.json";
  public static final String GATES_CSV = "gates.csv";
  public static final String[] GATES_HEADER = {"layer", "gate", "timestep", "unit", "value"};
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GateFiles() {}

  /**
   * The sample and what the model made of it.
   *
   * @param model the model's key, {@code lstm} or {@code gru}
   * @param sample the index in the test set (the samples after the first 2560/3000)
   * @param seed the seed of the data when generated, and of a training on the spot
   * @param data where the data came from: generated with the seed, or a folder of .npy files
   * @param source where the weights came from: a SavedModel folder, or training on the spot
   * @param marked the two marked timesteps, in order
   * @param values the sample's value at every timestep
   * @param y the target: the product of the two marked values
   * @param prediction the model's prediction
   */
  public record Sample(
      @JsonProperty("model") String model,
      @JsonProperty("sample") int sample,
      @JsonProperty("seed") long seed,
      @JsonProperty("data") String data,
      @JsonProperty("source") String source,
      @JsonProperty("marked") List<Integer> marked,
      @JsonProperty("values") List<Double> values,
      @JsonProperty("y") double y,
      @JsonProperty("prediction") double prediction) {}

  /** One gate of one layer: {@code values[timestep][unit]}. */
  public record Gate(String layer, String gate, float[][] values) {
    public int timesteps() {
      return values.length;
    }

    public int units() {
      return values.length == 0 ? 0 : values[0].length;
    }
  }

  /** A sample and every gate of every recurrent layer on it, layers and gates in the model's order. */
  public record Recording(Sample sample, List<Gate> gates) {
    public Recording {
      gates = List.copyOf(gates);
    }

    public List<String> layers() {
      return gates.stream().map(Gate::layer).distinct().toList();
    }

    public List<Gate> of(String layer) {
      return gates.stream().filter(g -> g.layer().equals(layer)).toList();
    }

    public Gate gate(String layer, String gate) {
      return gates.stream().filter(g -> g.layer().equals(layer) && g.gate().equals(gate)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no gate " + gate + " of layer " + layer));
    }
  }

  /** {@code results/gates/<model>/sample_<K>}. */
  public static Path sampleDir(Path results, String model, int sample) {
    return results.resolve(DIR).resolve(model).resolve("sample_" + sample);
  }

  public static void write(Path dir, Recording r) throws IOException {
    AtomicWrite.bytes(dir.resolve(SAMPLE_JSON), JSON.writeValueAsBytes(r.sample()));
    AtomicWrite.text(dir.resolve(GATES_CSV), w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(GATES_HEADER).get().print(w)) {
        for (Gate g : r.gates()) {
          for (int t = 0; t < g.timesteps(); t++) {
            for (int u = 0; u < g.units(); u++) {
              csv.printRecord(g.layer(), g.gate(), t, u, Float.toString(g.values()[t][u]));
            }
          }
        }
      }
    });
  }

  public static Recording read(Path dir) throws IOException {
    Sample sample = JSON.readValue(InputFiles.readString(dir.resolve(SAMPLE_JSON)), Sample.class);
    Map<String, List<float[]>> rows = new LinkedHashMap<>();
    InputFiles.requireRegular(dir.resolve(GATES_CSV), InputFiles.MAX_TEXT_BYTES);
    try (Reader reader = Files.newBufferedReader(dir.resolve(GATES_CSV))) {
      var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader);
      if (!parser.getHeaderNames().equals(List.of(GATES_HEADER))) {
        throw new IOException(dir.resolve(GATES_CSV) + ": expected columns " + String.join(",", GATES_HEADER)
            + ", found " + String.join(",", parser.getHeaderNames()));
      }
      for (CSVRecord r : parser) {
        // layer, gate -> (timestep, unit, value) in file order
        rows.computeIfAbsent(r.get(0) + "\u0000" + r.get(1), k -> new ArrayList<>()).add(new float[] {
          Integer.parseInt(r.get(2)), Integer.parseInt(r.get(3)), Float.parseFloat(r.get(4))});
      }
    }
    List<Gate> gates = new ArrayList<>();
    for (var e : rows.entrySet()) {
      String[] key = e.getKey().split("\u0000");
      int steps = 0;
      int units = 0;
      for (float[] v : e.getValue()) {
        steps = Math.max(steps, (int) v[0] + 1);
        units = Math.max(units, (int) v[1] + 1);
      }
      float[][] values = new float[steps][units];
      for (float[] v : e.getValue()) {
        values[(int) v[0]][(int) v[1]] = v[2];
      }
      gates.add(new Gate(key[0], key[1], values));
    }
    return new Recording(sample, gates);
  }
}
