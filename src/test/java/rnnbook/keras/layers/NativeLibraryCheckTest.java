package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A native library that is not the one the build made, in the folder rnnbook reads the kernels
 * from: one stderr line and a run on TensorFlow's ops, never a crashed JVM. Each case runs {@link
 * NativeProbe} in a JVM of its own ({@code -Drnnbook.native.dir}), since a library once loaded
 * stays loaded.
 */
class NativeLibraryCheckTest {
  @TempDir Path dir;

  private static Path builtKernels() throws URISyntaxException {
    var url = NativeKernels.class.getResource("/rnnbook/native/linux-x86_64/kernels.properties");
    Assumptions.assumeTrue(url != null && "file".equals(url.getProtocol()),
        "skipped: the build made no native kernels here");
    return Path.of(url.toURI()).getParent();
  }

  private Path copyOfTheBuild() throws IOException, URISyntaxException {
    Path copy = Files.createDirectories(dir.resolve("kernels"));
    try (Stream<Path> files = Files.list(builtKernels())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }

  private record Run(int exit, String out, List<String> rnnbookLines) {}

  private static Run probe(Path kernels) throws IOException, InterruptedException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Drnnbook.native.dir=" + kernels,
        NativeProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish");
    List<String> lines = new ArrayList<>(err.lines().filter(l -> l.startsWith("rnnbook:")).toList());
    assertTrue(err.lines().noneMatch(l -> l.contains("SIGBUS") || l.contains("SIGSEGV")
        || l.contains("Exception")), err);
    return new Run(p.exitValue(), out, lines);
  }

  @Test
  void theBuildsOwnKernelsLoad() throws Exception {
    Path kernels = copyOfTheBuild();
    Run r = probe(kernels);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("backend native"), r.toString());
    assertEquals(List.of(), r.rnnbookLines());
    // the allocator's library is in the global scope and TensorFlow's tensors came from it
    assertTrue(r.out().contains("\ntensor memory rnnbook's per-thread allocator ("
        + kernels.resolve(NativeAllocator.FILE) + ")\n"), r.toString());
  }

  /**
   * The library checks TensorFlow's allocator's virtual table, not only its own flag: loaded after
   * TensorFlow (which NativeAllocator never does), it finds TensorFlow calling neither of its
   * methods (state 4), where the probe above found both (its status says in use).
   */
  @Test
  void loadedAfterTensorFlowItIsNotCalled() throws Exception {
    Path library = builtKernels().resolve(NativeAllocator.FILE);
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LateAllocatorProbe.class.getName(), library.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.lines().anyMatch("state 4"::equals), out);
  }

  @Test
  void truncatedLibrariesAreRefusedInOneLine() throws Exception {
    Path kernels = copyOfTheBuild();
    try (Stream<Path> files = Files.list(kernels)) {
      for (Path so : files.filter(f -> f.toString().endsWith(".so")).toList()) {
        byte[] bytes = Files.readAllBytes(so);
        Files.write(so, java.util.Arrays.copyOf(bytes, bytes.length / 3));
      }
    }
    assertFallsBack(probe(kernels), "is not the library the build made");
  }

  @Test
  void randomBytesAreRefusedInOneLine() throws Exception {
    Path kernels = copyOfTheBuild();
    Random random = new Random(5);
    try (Stream<Path> files = Files.list(kernels)) {
      for (Path so : files.filter(f -> f.toString().endsWith(".so")).toList()) {
        byte[] bytes = new byte[(int) Files.size(so)];
        random.nextBytes(bytes);
        Files.write(so, bytes);
      }
    }
    assertFallsBack(probe(kernels), "is not the library the build made");
  }

  @Test
  void aMissingManifestIsSaidInOneLine() throws Exception {
    Path kernels = copyOfTheBuild();
    Files.delete(kernels.resolve("kernels.properties"));
    assertFallsBack(probe(kernels), "kernels.properties is missing");
  }

  private static void assertFallsBack(Run r, String reason) {
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("backend tensorflow"), r.toString());
    // the allocator's library is refused too, silently: TensorFlow's allocator stays
    assertTrue(r.out().contains("\ntensor memory TensorFlow's allocator ("), r.toString());
    if (!reason.contains("kernels.properties")) {
      assertTrue(r.out().contains(NativeAllocator.FILE + " is not the library the build made"), r.toString());
    }
    assertEquals(1, r.rnnbookLines().size(), r.toString());
    assertTrue(r.rnnbookLines().get(0).contains(reason), r.toString());
  }
}
