package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.data.Npz;

class MainTest {



  @Test
  void badInputGetsOneLineAndNoFiles(@TempDir Path dir) throws IOException {
    String results = dir.resolve("results").toString();
    String saved = dir.resolve("saved").toString();
    CliRun.assertOneLineError(CliRun.of("--epochz", "3"), "--epochz");
    assertTrue(CliRun.of("--epochz", "3").err().contains("--epochs"), "lists the valid options");
    CliRun.assertOneLineError(CliRun.of("--epochs", "0", "--results", results), "--epochs must be >= 1");
    CliRun.assertOneLineError(CliRun.of("--epochs", "x"), "--epochs");
    CliRun.assertOneLineError(CliRun.of("--models", "lstm,rnn"), "unknown model 'rnn'");
    CliRun.assertOneLineError(CliRun.of("--data", dir.resolve("nothing").toString(), "--results", results,
        "--savedmodels", saved), "cannot read");

    Path bad = dir.resolve("bad");
    Files.createDirectories(bad);
    Files.write(bad.resolve("X.npy"), Npy.toBytes(new Npy.Array(new long[] {20, 10, 3}, new double[600])));
    Files.write(bad.resolve("Y.npy"), Npy.toBytes(new Npy.Array(new long[] {20}, new double[20])));
    CliRun.assertOneLineError(CliRun.of("--data", bad.toString(), "--results", results, "--savedmodels", saved),
        "expected shape (samples, timesteps, 2), found (20, 10, 3)");
    assertFalse(Files.exists(dir.resolve("results")), "no output after bad input");
    assertFalse(Files.exists(dir.resolve("saved")), "no output after bad input");
  }

  @Test
  void dataSubcommandWritesNumpysArrays(@TempDir Path dir) throws IOException {
    CliRun r = CliRun.of("data", "--seed", "7", "--out", dir.toString());
    assertEquals(0, r.exit(), r.err());
    Npy.Array x = Npy.read(dir.resolve("X.npy"));
    Npy.Array y = Npy.read(dir.resolve("Y.npy"));
    assertArrayEquals(new long[] {3000, 100, 2}, x.shape());
    Path numpy = Path.of("src/test/resources/reference/numpy_data/seed_7");
    assertArrayEquals(Npy.read(numpy.resolve("Y.npy")).data(), y.data());
    assertArrayEquals(Npy.read(numpy.resolve("X_head.npy")).data(), java.util.Arrays.copyOf(x.data(), 20 * 200));
    assertArrayEquals(MultiplicationProblem.generate(7).x(), x.data());
    CliRun.assertOneLineError(CliRun.of("data", "--seed", "-1", "--out", dir.toString()), "--seed");
  }

  /**
   * A run writes each model's initial weights; another run started from them (with another seed)
   * begins with exactly those; a file of the wrong shapes is refused in one line naming the array,
   * before any file is written.
   */
  @Test
  void initialWeightsAreWrittenAndCanStartAnotherRun(@TempDir Path dir) throws IOException {
    MultiplicationProblem.generate(3, 60, 12).writeNpy(dir.resolve("data"));
    String[] common = {"--models", "lstm", "--epochs", "1", "--data", dir.resolve("data").toString(), "--jobs", "1"};
    CliRun a = CliRun.of(CliRun.append(common, "--seed", "1", "--results", dir.resolve("a").toString(),
        "--savedmodels", dir.resolve("sa").toString()));
    assertEquals(0, a.exit(), a.err());
    Path weights = dir.resolve("a/lstm/initial_weights.npz");
    Map<String, Npy.Array> arrays = Npz.read(weights);
    assertEquals(List.of("lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "lstm_1/kernel",
        "lstm_1/recurrent_kernel", "lstm_1/bias", "dense/kernel", "dense/bias"), List.copyOf(arrays.keySet()));
    // Keras's LSTM initial bias: zeros, with the forget gate's quarter at 1 (unit_forget_bias)
    double[] bias = arrays.get("lstm/bias").data();
    for (int i = 0; i < 120; i++) {
      assertEquals(i >= 30 && i < 60 ? 1.0 : 0.0, bias[i], "lstm/bias[" + i + "]");
    }

    CliRun b = CliRun.of(CliRun.append(common, "--seed", "9", "--initial-weights", weights.toString(),
        "--results", dir.resolve("b").toString(), "--savedmodels", dir.resolve("sb").toString()));
    assertEquals(0, b.exit(), b.err());
    assertArrayEquals(Files.readAllBytes(weights), Files.readAllBytes(dir.resolve("b/lstm/initial_weights.npz")));

    Path gru = dir.resolve("gru.npz");
    Npz.write(gru, Map.of("gru/kernel", new Npy.Array(new long[] {2, 90}, new double[180])), Npy.Dtype.FLOAT32);
    CliRun.assertOneLineError(CliRun.of(CliRun.append(common, "--initial-weights", "lstm=" + gru,
        "--results", dir.resolve("c").toString())), "lstm: " + gru + " holds 1 arrays, model sequential_1 expects 8");
    var wrong = new java.util.LinkedHashMap<>(arrays);
    wrong.put("lstm_1/kernel", new Npy.Array(new long[] {2, 120}, new double[240]));
    Path bad = dir.resolve("bad.npz");
    Npz.write(bad, wrong, Npy.Dtype.FLOAT32);
    CliRun.assertOneLineError(CliRun.of(CliRun.append(common, "--initial-weights", bad.toString(),
        "--results", dir.resolve("c").toString())),
        bad + ": array 3 'lstm_1/kernel' (lstm_1/kernel) has shape (2, 120), expected (30, 120)");
    CliRun.assertOneLineError(CliRun.of("--models", "lstm,gru", "--initial-weights", bad.toString()),
        "name the model of");
    CliRun.assertOneLineError(CliRun.of("--models", "gru", "--initial-weights", "lstm=" + bad),
        "lstm is not among the models [gru]");
    assertFalse(Files.exists(dir.resolve("c")), "no output after bad input");
  }
}
