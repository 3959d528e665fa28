package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rnnbook.data.Npy;

/** crosscheck on the Keras 3.15.1 files of src/test/resources/keras, through the command line. */
class KerasFilesCommandsTest {
  static final Path KERAS = Path.of("src/test/resources/keras");
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @CsvSource({"lstm_dropout,model.keras", "lstm_dropout,model.h5", "gru_reset_before,model.h5", "tf2_h5,model.h5",
      "tf213_keras,model.keras"})
  void crosscheckAgainstModelPredict(String testCase, String file, @TempDir Path dir) throws IOException {
    Path folder = KERAS.resolve(testCase);
    Path json = dir.resolve("r.json");
    CliRun r = CliRun.of("crosscheck", "--model", folder.resolve(file).toString(), "--input",
        folder.resolve("x.npy").toString(), "--expected", folder.resolve("y.npy").toString(), "--json", json.toString());
    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("reference: " + folder.resolve("y.npy") + " (model.predict in Python)"), r.out());
    JsonNode result = JSON.readTree(json.toFile());
    assertEquals(1e-5, result.get("atol").asDouble());
    assertEquals(1e-5, result.get("rtol").asDouble());
    assertEquals(0, result.get("values_outside_tolerance").asInt());
    assertTrue(result.get("max_abs_diff").asDouble() < 1e-6, result.toString());
    assertEquals(8, result.get("samples").asInt());
  }

  @Test
  void aWrongExpectationFailsWithExitOne(@TempDir Path dir) throws IOException {
    Path folder = KERAS.resolve("gru_reset_after");
    Npy.Array y = Npy.read(folder.resolve("y.npy"));
    double[] off = y.data().clone();
    off[5] += 3e-5; // outside 1e-5 + 1e-5 * |y| for softmax outputs in (0, 1)
    Path wrong = dir.resolve("wrong.npy");
    Files.write(wrong, Npy.toBytes(new Npy.Array(y.shape(), off)));
    CliRun r = CliRun.of("crosscheck", "--model", folder.resolve("model.keras").toString(), "--input",
        folder.resolve("x.npy").toString(), "--expected", wrong.toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("FAILED: 1 of 24 values outside |java - python| <= atol + rtol * |python|"), r.out());
  }

  @Test
  void aKeras3ExportIsCheckedAgainstItsServingFunction(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("r.json");
    CliRun r = CliRun.of("crosscheck", "--model", KERAS.resolve("export").toString(), "--architecture",
        KERAS.resolve("lstm_dropout/model.keras").toString(), "--json", json.toString());
    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(r.out().contains("reference: the SavedModel's serving_default signature (TensorFlow 2.21"), r.out());
    JsonNode result = JSON.readTree(json.toFile());
    assertEquals(256, result.get("samples").asInt());
    assertTrue(result.get("max_abs_diff").asDouble() < 1e-6, result.toString());
    JsonNode range = result.get("python_output_range");
    assertTrue(range.get(1).asDouble() - range.get(0).asDouble() > 1e-3, "outputs that vary: " + range);

    CliRun.assertOneLineError(CliRun.of("crosscheck", "--model", KERAS.resolve("export").toString()),
        "has no Keras metadata");
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--model", KERAS.resolve("no_bias/model.h5").toString()),
        "holds no graph to run: give --input X.npy and --expected P.npy");
    assertFalse(Files.exists(dir.resolve("never.json")));
  }
}
