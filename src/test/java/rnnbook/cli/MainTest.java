package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;

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
}
