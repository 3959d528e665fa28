package rnnbook.keras.layers;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.OpDef;

/**
 * rnnbook's recurrent kernels for TensorFlow: the time loop of the GRU, the LSTM and the
 * SimpleRNN, forward and backward, each as one TensorFlow op ({@code
 * src/main/native/rnnbook_ops.cc}). The graph otherwise spends most of a training step on the
 * per-op cost of thousands of small ops; these ops cost only their arithmetic.
 *
 * <p>The Maven build compiles them ({@code src/main/native/build-kernels.sh}, at generate-resources)
 * for three x86-64 levels, baseline (x86-64-v2), AVX2 (v3) and AVX-512 (v4), into {@code
 * rnnbook/native/linux-x86_64/} with a {@code kernels.properties} that records each library's
 * SHA-256. Here the best level this CPU runs is picked, its bytes are checked against that hash and
 * loaded from a private copy, so a truncated or foreign file is refused with one line, never
 * loaded. Nothing is compiled at run time. Where no library applies (no compiler at build time,
 * not Linux x86-64, a mismatch) the layers use TensorFlow's ops ({@link Backends}).
 *
 * <p>System property {@code rnnbook.native.dir}: a folder to load the kernels from instead of the
 * classpath (with its own {@code kernels.properties}).
 */
public final class NativeKernels {
  /** Every op type of the kernels starts with it. */
  static final String OP_PREFIX = "Rnnbook";
  static final String GRU = "RnnbookGruSequence";
  static final String GRU_GRAD = "RnnbookGruSequenceGrad";
  static final String GRU_INFERENCE = "RnnbookGruInference";
  static final String GRU_RESET_BEFORE = "RnnbookGruResetBeforeSequence";
  static final String GRU_RESET_BEFORE_GRAD = "RnnbookGruResetBeforeSequenceGrad";
  static final String GRU_RESET_BEFORE_INFERENCE = "RnnbookGruResetBeforeInference";
  static final String LSTM = "RnnbookLstmSequence";
  static final String LSTM_GRAD = "RnnbookLstmSequenceGrad";
  static final String LSTM_INFERENCE = "RnnbookLstmInference";
  static final String SIMPLE_RNN = "RnnbookSimpleRnnSequence";
  static final String SIMPLE_RNN_GRAD = "RnnbookSimpleRnnSequenceGrad";
  private static final List<String> OPS = List.of(GRU, GRU_GRAD, GRU_INFERENCE, GRU_RESET_BEFORE,
      GRU_RESET_BEFORE_GRAD, GRU_RESET_BEFORE_INFERENCE, LSTM, LSTM_GRAD, LSTM_INFERENCE, SIMPLE_RNN,
      SIMPLE_RNN_GRAD);
  private static final String RESOURCES = "/rnnbook/native/linux-x86_64/";
  /** x86-64 levels, best first, with the CPU flags each needs beyond the one below it. */
  private static final List<Level> LEVELS = List.of(
      new Level("x86-64-v4", Set.of("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")),
      new Level("x86-64-v3", Set.of("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe")),
      new Level("x86-64-v2", Set.of("sse4_1", "sse4_2", "ssse3", "popcnt")));

  private record Level(String name, Set<String> flags) {}

  private static Boolean loaded; // null: not tried yet
  private static String status = "not loaded yet";

  private NativeKernels() {}

  /**
   * Loads the build's kernels into TensorFlow once per process; true when they are loaded. A
   * failure is said once on stderr, with its reason.
   */
  public static synchronized boolean load() {
    if (loaded == null) {
      try {
        status = loadVerified();
        loaded = true;
      } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
        status = e.getMessage() == null ? e.toString() : e.getMessage();
        loaded = false;
        System.err.println("rnnbook: native recurrent kernels unavailable (" + status
            + "); recurrent layers use TensorFlow's ops");
      }
    }
    return loaded;
  }

  /** Null when the kernels are loaded (loading them if not tried yet), else why they are not. */
  static String whyUnavailable() {
    return load() ? null : "native kernels unavailable: " + status;
  }

  /** Which kernels are loaded and from where, or why not; never loads anything itself. */
  public static synchronized String status() {
    return loaded == null ? "not loaded yet" : loaded ? status : "unavailable: " + status;
  }

  private static String loadVerified() throws IOException {
    requireLinuxX86();
    Set<String> cpu = cpuFlags();
    Level level = LEVELS.stream().filter(l -> levelAndBelow(l).stream().allMatch(cpu::contains))
        .findFirst().orElseThrow(() -> new IllegalStateException("this CPU lacks x86-64-v2"));
    String file = "librnnbook_ops-" + level.name() + ".so";
    byte[] library = verified(file);
    Path copy = privateCopy(file, library);
    TensorFlow.version(); // TensorFlow's own libraries first: the kernels link against them
    TensorFlow.loadLibrary(copy.toString());
    Set<String> ops = TensorFlow.registeredOpList().getOpList().stream()
        .map(OpDef::getName).collect(Collectors.toSet());
    for (String op : OPS) {
      if (!ops.contains(op)) {
        throw new IllegalStateException(where(file) + " did not register " + op);
      }
    }
    NativeRecurrent.registerGradients();
    return "native kernels " + level.name() + " from " + where(file);
  }

  /** The libraries are built for Linux x86-64 only. */
  static void requireLinuxX86() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new IllegalStateException("built for Linux x86-64 only, this is " + os + " " + arch);
    }
  }

  /**
   * The bytes of one of the build's native libraries, checked against the SHA-256 the build wrote
   * into kernels.properties; a missing, truncated or foreign file is refused with its reason.
   */
  static byte[] verified(String file) throws IOException {
    Properties manifest = new Properties();
    manifest.load(new StringReader(new String(read("kernels.properties"), StandardCharsets.UTF_8)));
    String expected = manifest.getProperty("sha256." + file);
    if (expected == null) {
      throw new IllegalStateException("kernels.properties names no " + file);
    }
    byte[] library = read(file);
    String actual = sha256(library);
    if (!actual.equals(expected)) {
      throw new IllegalStateException(where(file) + " is not the library the build made (SHA-256 "
          + actual.substring(0, 12) + ", expected " + expected.substring(0, 12)
          + "); rebuild with ./mvnw compile");
    }
    return library;
  }

  /**
   * A private temporary copy of a library's checked bytes, to load: the file cannot change between
   * the check and the load. Deleted when the JVM exits.
   */
  static Path privateCopy(String file, byte[] library) throws IOException {
    Path copy = Files.createTempFile(file.substring(0, file.lastIndexOf('.')) + "-", ".so");
    copy.toFile().deleteOnExit();
    Files.write(copy, library);
    return copy;
  }

  private static List<String> levelAndBelow(Level level) {
    return LEVELS.subList(LEVELS.indexOf(level), LEVELS.size()).stream()
        .flatMap(l -> l.flags().stream()).toList();
  }

  static String where(String file) {
    String dir = System.getProperty("rnnbook.native.dir");
    return dir != null ? Path.of(dir, file).toString() : "classpath:" + RESOURCES + file;
  }

  static byte[] read(String file) throws IOException {
    String dir = System.getProperty("rnnbook.native.dir");
    if (dir != null) {
      Path path = Path.of(dir, file);
      if (!Files.isRegularFile(path)) {
        throw new IllegalStateException(path + " is missing");
      }
      return Files.readAllBytes(path);
    }
    URL url = NativeKernels.class.getResource(RESOURCES + file);
    if (url == null) {
      throw new IllegalStateException("the build made no native kernels (" + RESOURCES + file
          + " is not on the classpath; a C++ compiler is needed at build time)");
    }
    try (InputStream in = url.openStream()) {
      return in.readAllBytes();
    }
  }

  /** The instruction-set flags of this machine's first CPU, from /proc/cpuinfo. */
  private static Set<String> cpuFlags() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("flags")) {
        return new java.util.HashSet<>(List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
      }
    }
    throw new IllegalStateException("/proc/cpuinfo lists no CPU flags");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
