package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import rnnbook.chapter7.BookModel;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.data.NumpyRandomState;
import rnnbook.io.SavedModels;
import rnnbook.io.SharedFixtures;
import rnnbook.keras.Adam;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.TrainingListener;

/** crosscheck, predict and export-weights end to end, through the command line. */
class InteropCommandsTest {
  private static final Path PREDICT = Path.of("src/test/resources/reference/predict");
  private static final ObjectMapper JSON = new ObjectMapper();




  @ParameterizedTest
  @ValueSource(strings = {SharedFixtures.SIMPLE_RNN, SharedFixtures.LSTM, SharedFixtures.GRU_DENSE})
  void crosscheckAgreesWithEveryKerasFixture(String fixture, @TempDir Path dir) throws IOException {
    Path json = dir.resolve("out/crosscheck.json");
    CliRun r = CliRun.of("crosscheck", "--savedmodel", SharedFixtures.savedModel(fixture).toString(), "--json", json.toString());
    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("Python (Keras config)") && r.out().contains("Java (rnnbook)"), r.out());
    assertTrue(r.out().contains("PASSED: every value within |java - python| <= atol + rtol * |python| (atol 1.0e-05, rtol 1.0e-05)"), r.out());
    JsonNode result = JSON.readTree(json.toFile());
    assertTrue(result.get("max_abs_diff").asDouble() <= 1e-5, result.toString());
    assertTrue(result.get("mean_abs_diff").asDouble() <= result.get("max_abs_diff").asDouble());
    assertEquals(256, result.get("samples").asInt());
    assertTrue(result.get("passed").asBoolean());
    assertFalse(result.has("chapter"), "no targets, no test loss");
    JsonNode layers = result.get("layers");
    for (JsonNode layer : layers) {
      assertEquals(layer.get("python_params").asLong(), layer.get("java_params").asLong(), layer.toString());
    }
    assertEquals("InputLayer", layers.get(0).get("class_name").asText());
    assertEquals(fixture.equals(SharedFixtures.GRU_DENSE) ? 5 : 4, layers.size());
    // what was printed is what was written
    double max = result.get("max_abs_diff").asDouble();
    assertTrue(r.out().contains(max == 0 ? "max abs diff:  0 (every value equal, bit for bit)"
        : String.format(java.util.Locale.ROOT, "max abs diff:  %.3e", max)), r.out());
    JsonNode range = result.get("python_output_range");
    assertTrue(range.get(1).asDouble() - range.get(0).asDouble() > 1e-3, "outputs that vary: " + range);
  }

  @Test
  void theToleranceDecidesTheExitStatus(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("strict.json");
    CliRun r = CliRun.of("crosscheck", "--savedmodel", SharedFixtures.savedModel(SharedFixtures.LSTM).toString(),
        "--atol", "0", "--rtol", "0", "--samples", "20", "--seed", "3", "--json", json.toString());
    JsonNode result = JSON.readTree(json.toFile());
    boolean exact = result.get("max_abs_diff").asDouble() == 0;
    assertEquals(exact ? 0 : 1, r.exit(), r.out());
    assertTrue(r.out().contains(exact ? "PASSED" : "FAILED: "), r.out());
    assertEquals(20, result.get("samples").asInt());
    assertTrue(result.get("inputs").asText().contains("np.random.seed(3); np.random.rand(20, 7, 1)"));
  }

  @Test
  void crosscheckTakesInputsFromNpyAndChecksTheirShape(@TempDir Path dir) throws IOException {
    double[] values = new NumpyRandomState(5).rand(10 * 5);
    Path x = dir.resolve("x.npy");
    Files.write(x, Npy.toBytes(new Npy.Array(new long[] {10, 5, 1}, values)));
    Path json = dir.resolve("r.json");
    Path gru = SharedFixtures.savedModel(SharedFixtures.GRU_DENSE);
    CliRun r = CliRun.of("crosscheck", "--model", gru.toString(), "--input", x.toString(), "--json", json.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(10, JSON.readTree(json.toFile()).get("samples").asInt());
    Path wrong = dir.resolve("wrong.npy");
    Files.write(wrong, Npy.toBytes(new Npy.Array(new long[] {10, 7, 1}, new double[70])));
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--savedmodel", gru.toString(), "--input", wrong.toString()),
        "inputs of shape (None, 7, 1) do not fit the model's input (None, 5, 1)");
  }

  @Test
  void aPlainTfModuleIsNotASequential(@TempDir Path dir) {
    Path json = dir.resolve("never.json");
    CliRun r = CliRun.of("crosscheck", "--savedmodel", SharedFixtures.savedModel(SharedFixtures.TF_MODULE).toString(),
        "--json", json.toString());
    CliRun.assertOneLineError(r, "not a Keras Sequential: the root object of ");
    assertFalse(Files.exists(json));
  }

  @ParameterizedTest
  @EnumSource(BookModel.class)
  void predictWithNumpyKerasWeightsEqualsTheNumpyFormulas(BookModel model, @TempDir Path dir) throws IOException {
    Path folder = PREDICT.resolve(model.key());
    Path out = dir.resolve("p/P.npy");
    CliRun r = CliRun.of("predict", "--model", model.key(), "--weights", folder.resolve("weights.npz").toString(),
        "--input", folder.resolve("x.npy").toString(), "--output", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1).contains("'descr': '<f4'"));
    Npy.Array predicted = Npy.read(out);
    Npy.Array expected = Npy.read(folder.resolve("y.npy"));
    assertArrayEquals(new long[] {32, 1}, predicted.shape());
    for (int i = 0; i < 32; i++) {
      assertEquals(expected.data()[i], predicted.data()[i], 1e-5, model.key() + " sample " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(BookModel.class)
  void exportedWeightsPredictWhatTheModelPredicts(BookModel model, @TempDir Path dir) throws IOException {
    MultiplicationProblem data = MultiplicationProblem.generate(9, 48, 6);
    Path x = dir.resolve("X.npy");
    data.writeNpy(dir);
    float[] own;
    try (CompiledModel m = model.create(6).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 4)) {
      m.fit(data.xFloat(), data.yFloat(), new CompiledModel.FitOptions(1, 16, 0, true), TrainingListener.NONE);
      own = m.predict(data.xFloat());
      SavedModels.export(m, dir.resolve("saved"));
    }
    Path w = dir.resolve("w/W.npz");
    CliRun exported = CliRun.of("export-weights", "--savedmodel", dir.resolve("saved").toString(), "--output", w.toString());
    assertEquals(0, exported.exit(), exported.err());
    assertTrue(exported.out().contains("arr_7  dense/bias (1,)"), exported.out());
    assertEquals(8, Npz.readPositional(w).size());
    Path p = dir.resolve("P.npy");
    CliRun predicted = CliRun.of("predict", "--model", model.key(), "--weights", w.toString(), "--input", x.toString(),
        "--output", p.toString());
    assertEquals(0, predicted.exit(), predicted.err());
    double[] back = Npy.read(p).data();
    for (int i = 0; i < own.length; i++) {
      assertEquals(own[i], back[i], 1e-6, "sample " + i);
    }
  }

  @Test
  void badInputIsOneLineAndWritesNothing(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("r.json");
    Path w = dir.resolve("W.npz");
    Path p = dir.resolve("P.npy");
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--savedmodel", dir.resolve("absent").toString(), "--json", json.toString()),
        "no model at " + dir.resolve("absent") + ": it does not exist");
    Files.createDirectories(dir.resolve("hollow/variables"));
    CliRun.assertOneLineError(CliRun.of("export-weights", "--savedmodel", dir.resolve("hollow").toString(), "--output", w.toString()),
        "saved_model.pb is missing (found: variables)");

    try (CompiledModel m = BookModel.GRU.create(3).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 1)) {
      SavedModels.export(m, dir.resolve("cut"));
    }
    Path data;
    try (var files = Files.list(dir.resolve("cut/variables"))) {
      data = files.filter(f -> f.getFileName().toString().startsWith("variables.data")).findFirst().orElseThrow();
    }
    try (FileChannel c = FileChannel.open(data, StandardOpenOption.WRITE)) {
      c.truncate(c.size() / 2);
    }
    CliRun.assertOneLineError(CliRun.of("export-weights", "--savedmodel", dir.resolve("cut").toString(), "--output", w.toString()),
        "cannot restore the variables of the SavedModel at " + dir.resolve("cut"));

    Path lstmWeights = PREDICT.resolve("lstm/weights.npz");
    Path x = PREDICT.resolve("lstm/x.npy");
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "gru", "--weights", lstmWeights.toString(), "--input", x.toString(),
        "--output", p.toString()), lstmWeights + ": arr_0 (gru/kernel) has shape (2, 120), expected (2, 90)");
    Path seven = dir.resolve("seven.npz");
    Npz.writePositional(seven, Npz.readPositional(lstmWeights).subList(0, 7), Npy.Dtype.FLOAT32);
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights", seven.toString(), "--input", x.toString(),
        "--output", p.toString()), "holds 7 arrays, model sequential_1 expects 8");
    Path flat = dir.resolve("flat.npy");
    Files.write(flat, Npy.toBytes(new Npy.Array(new long[] {4, 7}, new double[28])));
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights", lstmWeights.toString(), "--input",
        flat.toString(), "--output", p.toString()), "expected shape (samples, timesteps, 2), found (4, 7)");
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "rnn", "--weights", lstmWeights.toString(), "--input",
        x.toString(), "--output", p.toString()), "unknown model 'rnn'");
    for (Path never : List.of(json, w, p)) {
      assertFalse(Files.exists(never), never + " must not be written after bad input");
    }
  }
}
