package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rnnbook.chapter7.RunFailedException;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.io.RunLock;

/**
 * Input a careless or hostile user gives, class by class (the README's table): each is one line
 * {@code rnnbook: ...} naming the problem, exit status 2, and no file written.
 */
class HostileInputTest {
  private static final Path PREDICT = Path.of("src/test/resources/reference/predict/lstm");
  private static final Path NPY = Path.of("src/test/resources/reference/npy");

  @TempDir
  Path dir;

  /** {@code dir/name/X.npy} and {@code Y.npy}: the chapter's data of 20 samples, then {@code spoil}ed. */
  private Path data(String name, int index, double xValue, double yValue) throws IOException {
    MultiplicationProblem p = MultiplicationProblem.generate(1, 20, 5);
    double[] x = p.x().clone();
    double[] y = p.y().clone();
    if (index >= 0) {
      x[index] = xValue;
      y[index % 20] = yValue;
    }
    Path d = Files.createDirectories(dir.resolve(name));
    Files.write(d.resolve("X.npy"), Npy.toBytes(new Npy.Array(new long[] {20, 5, 2}, x)));
    Files.write(d.resolve("Y.npy"), Npy.toBytes(new Npy.Array(new long[] {20}, y)));
    return d;
  }

  /** A one-epoch chapter run on {@code data} into dir/results and dir/saved, unless {@code more} names others. */
  private CliRun chapter(Path data, String... more) {
    List<String> args = new ArrayList<>(List.of("--data", data.toString(), "--epochs", "1"));
    List<String> given = List.of(more);
    for (String[] option : new String[][] {{"--models", "simple_rnn"}, {"--results", dir.resolve("results").toString()},
        {"--savedmodels", dir.resolve("saved").toString()}}) {
      if (!given.contains(option[0])) {
        args.addAll(List.of(option));
      }
    }
    args.addAll(given);
    return CliRun.of(args.toArray(String[]::new));
  }

  private void assertNothingWritten() {
    assertFalse(Files.exists(dir.resolve("results")), "no results folder after bad input");
    assertFalse(Files.exists(dir.resolve("saved")), "no SavedModel folder after bad input");
  }

  @ParameterizedTest
  @CsvSource({
    "7, NaN, 0.5, 'X.npy: the value at index [0, 3, 1] is nan; the data must be finite'",
    "7, 0.5, Infinity, 'Y.npy: the value at index [7] is inf; the data must be finite'",
    "0, 1e300, 0.5, 'X.npy: the value at index [0, 0, 0] is 1.0E300, beyond float32''s range'",
    "0, -1e39, 0.5, 'X.npy: the value at index [0, 0, 0] is -1.0E39, beyond float32''s range'"})
  void dataThatIsNotFiniteIsRefusedBeforeTraining(int index, double x, double y, String message) throws IOException {
    CliRun r = chapter(data("bad", index, x, y));
    CliRun.assertOneLineError(r, dir.resolve("bad") + "/" + message);
    assertNothingWritten();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "lying_shape.npy | shape (12, 2305843009213693954, 2) holds more than 2^63 values",
    "negative_dimension.npy | every dimension must be an integer >= 0, found '-2'",
    "negative_header_length.npy | .npy header length 4294967291 is over the 10000 bytes numpy reads",
    "short_data.npy | truncated data"})
  void npyHeadersThatLieAreRefused(String file, String message) throws IOException {
    Path d = data("lying", -1, 0, 0);
    Files.copy(NPY.resolve(file), d.resolve("X.npy"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    CliRun.assertOneLineError(chapter(d), d.resolve("X.npy") + ": ");
    CliRun.assertOneLineError(chapter(d), message);
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights",
        PREDICT.resolve("weights.npz").toString(), "--input", d.resolve("X.npy").toString(), "--output",
        dir.resolve("p.npy").toString()), message);
    assertNothingWritten();
    assertFalse(Files.exists(dir.resolve("p.npy")));
  }

  @Test
  void aSymlinkToADeviceIsNotRead() throws IOException {
    assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero here");
    Path d = data("zero", -1, 0, 0);
    Files.delete(d.resolve("X.npy"));
    Files.createSymbolicLink(d.resolve("X.npy"), Path.of("/dev/zero"));
    CliRun.assertOneLineError(chapter(d), d.resolve("X.npy") + " is not a regular file (a folder, device or pipe)");
    assertNothingWritten();
    Files.delete(d.resolve("X.npy"));
  }

  @Test
  void sizesBeyondMemoryAreRefusedNamingTheLimit() {
    String limit = "values fit (32 bytes each in this JVM's heap of";
    Path out = dir.resolve("out");
    CliRun.assertOneLineError(CliRun.of("data", "--out", out.toString(), "--samples", "-5"),
        "--samples must be >= 1 and --timesteps >= 2, received -5 and 100");
    CliRun.assertOneLineError(CliRun.of("data", "--out", out.toString(), "--samples", "1000000000"), limit);
    CliRun.assertOneLineError(CliRun.of("data", "--out", out.toString(), "--timesteps", "2000000000"), limit);
    CliRun.assertOneLineError(CliRun.of("study", "--samples", "1000000000", "--results", out.toString()), limit);
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--savedmodel", out.toString(), "--samples", "1000000000"),
        limit);
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--savedmodel", out.toString(), "--samples", "-5"),
        "--samples must be in [1, ");
    assertFalse(Files.exists(out));
  }

  @Test
  void outputPathsOfTheWrongKindAreRefusedBeforeAnyWork() throws IOException {
    Path d = data("data", -1, 0, 0);
    Path file = Files.writeString(dir.resolve("file"), "not a folder");
    Path folder = Files.createDirectories(dir.resolve("folder"));
    String weights = PREDICT.resolve("weights.npz").toString();
    String x = PREDICT.resolve("x.npy").toString();
    CliRun.assertOneLineError(chapter(d, "--results", ""), "--results is empty; name a path");
    CliRun.assertOneLineError(chapter(d, "--savedmodels", ""), "--savedmodels is empty; name a path");
    CliRun.assertOneLineError(CliRun.of("report", "--results", ""), "--results is empty; name a path");
    CliRun.assertOneLineError(CliRun.of("report", "--results", file.toString()), file + " is a file, not a folder");
    CliRun.assertOneLineError(chapter(d, "--results", file.toString()), "--results: " + file + " is a file, not a folder");
    CliRun.assertOneLineError(chapter(d, "--savedmodels", file.toString()),
        "--savedmodels: " + file + " is a file, not a folder");
    CliRun.assertOneLineError(chapter(d, "--results", file.resolve("sub").toString()),
        "--results: cannot create " + file.resolve("sub") + ": " + file + " is a file, not a folder");
    Files.createDirectories(dir.resolve("r2"));
    Files.writeString(dir.resolve("r2/simple_rnn"), "a file where the model's folder goes");
    CliRun.assertOneLineError(chapter(d, "--results", dir.resolve("r2").toString()),
        dir.resolve("r2/simple_rnn") + " is a file, not a folder");
    CliRun.assertOneLineError(chapter(d, "--results", dir.resolve("same").toString(), "--savedmodels",
        dir.resolve("same").toString()), "overlap: the export of simple_rnn would replace files of the results");
    CliRun.assertOneLineError(CliRun.of("data", "--out", file.toString()), "--out: " + file + " is a file, not a folder");
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights", weights, "--input", x,
        "--output", folder.toString()), "--output: " + folder + " is a folder; name the file to write in it");
    CliRun.assertOneLineError(CliRun.of("export-weights", "--savedmodel", folder.toString(), "--output",
        folder.toString()), "--output: " + folder + " is a folder");
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--savedmodel", folder.toString(), "--json",
        folder.toString()), "--json: " + folder + " is a folder");
    CliRun.assertOneLineError(CliRun.of("bench", "--results", file.toString()), "--results: " + file + " is a file");
    CliRun.assertOneLineError(CliRun.of("study", "--results", file.toString()), "--results: " + file + " is a file");
    CliRun.assertOneLineError(CliRun.of("gates", "--results", file.toString()), "--results: " + file + " is a file");
    if (Files.exists(Path.of("/dev/null"))) {
      CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights", weights, "--input", x,
          "--output", "/dev/null"), "--output: /dev/null is not a regular file (a device or pipe)");
    }
    assertNothingWritten();
    assertEquals("not a folder", Files.readString(file));
    try (Stream<Path> s = Files.list(folder)) {
      assertEquals(0, s.count(), "nothing written into the folder");
    }
  }

  @Test
  void aModelNamedTwiceIsRefused() throws IOException {
    Path d = data("data", -1, 0, 0);
    String twice = "simple_rnn is named twice; name each model once";
    CliRun.assertOneLineError(chapter(d, "--models", "simple_rnn,simple_rnn"), "--models: " + twice);
    CliRun.assertOneLineError(CliRun.of("study", "--models", "simple_rnn,simple_rnn", "--results",
        dir.resolve("results").toString()), twice);
    CliRun.assertOneLineError(CliRun.of("bench", "--models", "simple_rnn,simple_rnn", "--results",
        dir.resolve("results").toString()), twice);
    CliRun.assertOneLineError(CliRun.of("gates", "--model", "lstm,lstm", "--results",
        dir.resolve("results").toString()), "--model: lstm is named twice");
    assertNothingWritten();
  }

  @Test
  void predictRefusesInputsAndWeightsThatAreNotFinite() throws IOException {
    Npy.Array x = Npy.read(PREDICT.resolve("x.npy"));
    double[] values = x.data().clone();
    values[5] = Double.NaN;
    Path badX = dir.resolve("x.npy");
    Files.write(badX, Npy.toBytes(new Npy.Array(x.shape(), values)));
    Path out = dir.resolve("p.npy");
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights",
        PREDICT.resolve("weights.npz").toString(), "--input", badX.toString(), "--output", out.toString()),
        badX + ": the value at index [0, 2, 1] is nan");
    List<Npy.Array> w = new ArrayList<>(Npz.readPositional(PREDICT.resolve("weights.npz")));
    double[] kernel = w.get(1).data().clone();
    kernel[0] = Double.NEGATIVE_INFINITY;
    w.set(1, new Npy.Array(w.get(1).shape(), kernel));
    Path badW = dir.resolve("w.npz");
    Npz.writePositional(badW, w, Npy.Dtype.FLOAT32);
    CliRun.assertOneLineError(CliRun.of("predict", "--model", "lstm", "--weights", badW.toString(), "--input",
        PREDICT.resolve("x.npy").toString(), "--output", out.toString()),
        badW + ":arr_1: the value at index [0, 0] is -inf");
    assertFalse(Files.exists(out));
  }

  @Test
  void aFolderHeldByAnotherRunRefusesEveryCommandThatWritesThere() throws IOException {
    Path d = data("data", -1, 0, 0);
    Path results = dir.resolve("held");
    try (RunLock held = RunLock.acquire(results, "--results", "chapter", s -> {})) {
      String holder = "--results: " + results + " is in use by pid " + ProcessHandle.current().pid();
      CliRun.assertOneLineError(chapter(d, "--results", results.toString()), holder);
      CliRun.assertOneLineError(CliRun.of("data", "--out", results.toString()), "--out: " + results
          + " is in use by pid " + ProcessHandle.current().pid());
      CliRun.assertOneLineError(CliRun.of("bench", "--models", "simple_rnn", "--repeats", "1", "--steps", "1",
          "--results", results.toString()), holder);
      CliRun.assertOneLineError(CliRun.of("study", "--seeds", "1", "--epochs", "1", "--samples", "12",
          "--timesteps", "3", "--models", "simple_rnn", "--results", results.toString()), holder);
      CliRun.assertOneLineError(CliRun.of("gates", "--model", "lstm", "--data", d.toString(), "--sample", "0",
          "--results", results.toString(), "--savedmodels", dir.resolve("none").toString()), holder);
      try (Stream<Path> s = Files.list(results)) {
        assertEquals(List.of(results.resolve(RunLock.FILE)), s.toList(), "nothing but the holder's lock");
      }
      assertFalse(Files.exists(dir.resolve("saved")), "the chapter locked nothing else either");
      // the results folder free, the SavedModel folder held: the results folder made for the lock goes again
      CliRun.assertOneLineError(chapter(d, "--savedmodels", results.toString(), "--results",
          dir.resolve("fresh").toString()), "--savedmodels: " + results + " is in use by pid");
      assertFalse(Files.exists(dir.resolve("fresh")), "nothing left behind");
    }
  }

  @Test
  void aRunThatFailedMidwayExitsWith1AndBadInputWith2() {
    picocli.CommandLine cli = Main.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    assertEquals(1, Failures.report(new RunFailedException("lstm failed: cannot write r/lstm/x.csv: No space "
        + "left on device; the results of simple_rnn are in r", null), cli, null));
    assertEquals(2, Failures.report(new IOException("a\n at [Source: x; line: 1]"), cli, null));
    assertEquals(2, Failures.report(new java.nio.file.AccessDeniedException("/r/run.json"), cli, null));
    assertEquals(List.of("rnnbook: lstm failed: cannot write r/lstm/x.csv: No space left on device; the results of "
        + "simple_rnn are in r", "rnnbook: a at [Source: x; line: 1]",
        "rnnbook: cannot access /r/run.json: permission denied"), err.toString().lines().toList());
  }

  /**
   * In a JVM of its own, as a user starts it, without TF_CPP_MIN_LOG_LEVEL: the message is the
   * whole of stderr, since the data is checked before TensorFlow loads (and would log).
   */
  @Test
  void theMessageIsTheFirstLineOnStderrEvenWithTensorFlowsLogOn() throws Exception {
    Path d = data("nan", 7, Double.NaN, 0.5);
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "--data", d.toString(), "--results",
        dir.resolve("results").toString(), "--savedmodels", dir.resolve("saved").toString());
    pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] stdout = p.getInputStream().readAllBytes();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.waitFor(), stderr);
    assertEquals(List.of("rnnbook: " + d.resolve("X.npy") + ": the value at index [0, 3, 1] is nan; the data must "
        + "be finite"), stderr.lines().toList());
    assertEquals(0, stdout.length, new String(stdout, StandardCharsets.UTF_8));
    assertNothingWritten();
  }
}
