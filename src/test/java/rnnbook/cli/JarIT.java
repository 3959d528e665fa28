package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.TensorFlow;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.RunInfo;
import rnnbook.data.Npy;

/**
 * The packaged {@code target/rnnbook.jar} run as users run it, {@code java -jar rnnbook.jar CMD},
 * in its own process from another folder: its manifest, the jars in {@code lib/} beside it, and
 * the filtered version resource. Run by failsafe after {@code package} ({@code ./mvnw verify}).
 */
class JarIT {
  private static final Path JAR = Path.of(System.getProperty("rnnbook.jar", "target/rnnbook.jar"))
      .toAbsolutePath();

  /** One run of the jar: exit status, stdout and stderr. */
  private record Run(int exit, String out, String err) {}

  private static Run jar(Path dir, String... args) throws IOException, InterruptedException {
    return java(dir, List.of(), args);
  }

  /** The jar run with these JVM options before {@code -jar}. */
  private static Run java(Path dir, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run ./mvnw verify, not the test alone");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(Arrays.asList(args));
    Files.createDirectories(dir);
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("java -jar " + String.join(" ", args) + " still running after 120 s");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void dataWritesNumpysArrays(@TempDir Path dir) throws Exception {
    Run r = jar(dir, "data", "--seed", "2024", "--out", "d");
    assertEquals(0, r.exit(), r.err());
    Npy.Array x = Npy.read(dir.resolve("d/X.npy"));
    Npy.Array y = Npy.read(dir.resolve("d/Y.npy"));
    assertArrayEquals(new long[] {3000, 100, 2}, x.shape());
    assertArrayEquals(new long[] {3000}, y.shape());
    Path numpy = Path.of("src/test/resources/reference/numpy_data/seed_2024");
    assertArrayEquals(Npy.read(numpy.resolve("Y.npy")).data(), y.data());
    assertArrayEquals(Npy.read(numpy.resolve("X_head.npy")).data(), Arrays.copyOf(x.data(), 20 * 200));
    assertArrayEquals(Npy.read(numpy.resolve("X_tail.npy")).data(),
        Arrays.copyOfRange(x.data(), 2980 * 200, 3000 * 200));
    assertArrayEquals(MultiplicationProblem.generate(2024).x(), x.data());
  }

  @Test
  void helpVersionAndUnknownCommand(@TempDir Path dir) throws Exception {
    Run help = jar(dir, "--help");
    assertEquals(0, help.exit(), help.err());
    for (String cmd : List.of("data", "report", "study", "gates", "bench", "crosscheck", "predict",
        "export-weights", "help")) {
      assertTrue(help.out().lines().anyMatch(l -> l.matches("  " + cmd + " +\\S.*")), cmd + " in:\n" + help.out());
    }

    Run version = jar(dir, "--version");
    assertEquals(0, version.exit(), version.err());
    List<String> lines = version.out().lines().toList();
    assertEquals("rnnbook " + System.getProperty("rnnbook.version"), lines.get(0));
    assertEquals("TensorFlow " + TensorFlow.version(), lines.get(1));

    Run typo = jar(dir, "reprot", "--results", "r");
    assertEquals(2, typo.exit(), typo.err());
    assertEquals("rnnbook: unknown command 'reprot'; did you mean 'report'?", typo.err().lines().findFirst().get());
    assertTrue(typo.err().contains("  crosscheck "), typo.err());
    assertEquals("", typo.out());
    assertTrue(!Files.exists(dir.resolve("r")), "nothing written");
  }

  /**
   * The command line gives tensors their memory from rnnbook's allocator (librnnbook_alloc.so,
   * loaded before TensorFlow) and says so in run.json; the training is the same to the bit as with
   * TensorFlow's own allocator ({@code -Drnnbook.allocator=tensorflow}), two models side by side.
   */
  @Test
  void tensorMemoryFromRnnbooksAllocatorChangesNoResult(@TempDir Path dir) throws Exception {
    String[] chapter = {"--models", "simple_rnn,gru", "--epochs", "2", "--jobs", "2"};
    Run ours = java(dir.resolve("ours"), List.of(), withFolders(chapter));
    Run theirs = java(dir.resolve("theirs"), List.of("-Drnnbook.allocator=tensorflow"), withFolders(chapter));
    assertEquals(0, ours.exit(), ours.err());
    assertEquals(0, theirs.exit(), theirs.err());
    String used = RunInfo.read(dir.resolve("ours/r/run.json")).tensorMemory();
    assertTrue(used.startsWith("rnnbook's per-thread allocator (classpath:/rnnbook/native/linux-x86_64/librnnbook_alloc.so)"), used);
    assertEquals("TensorFlow's allocator (rnnbook.allocator=tensorflow)",
        RunInfo.read(dir.resolve("theirs/r/run.json")).tensorMemory());
    for (String model : List.of("simple_rnn", "gru")) {
      assertEquals(lossColumns(dir.resolve("theirs/r/" + model + "/history.csv")),
          lossColumns(dir.resolve("ours/r/" + model + "/history.csv")), model);
      assertEquals(Files.readString(dir.resolve("theirs/r/" + model + "/predictions.csv")),
          Files.readString(dir.resolve("ours/r/" + model + "/predictions.csv")), model);
    }
  }

  private static String[] withFolders(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--results", "r", "--savedmodels", "s"));
    return all.toArray(String[]::new);
  }

  /** history.csv without its seconds column. */
  private static List<String> lossColumns(Path history) throws IOException {
    return Files.readAllLines(history).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
  }
}
