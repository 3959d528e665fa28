package rnnbook.keras.layers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.OpDef;

/**
 * rnnbook's recurrent kernels for TensorFlow: the time loop of the GRU, the LSTM and the SimpleRNN,
 * forward and backward, each as one TensorFlow op ({@code
 * src/main/resources/rnnbook/native/rnnbook_ops.cc}). The graph otherwise spends most of a training step on the per-op cost of thousands of small
 * ops; these ops cost only their arithmetic.
 *
 * <p>The source is compiled on first use on the machine that runs it ({@code g++ -O3
 * -march=native}, against the TensorFlow library this JVM already loaded), cached under {@code
 * ~/.cache/rnnbook/} by a hash of the source, the flags, the compiler, the TensorFlow library and
 * the CPU, and loaded with {@link TensorFlow#loadLibrary}. Where that is not possible (no C++ compiler, not
 * Linux, disabled) the layers use TensorFlow's own ops, with one line on stderr saying why.
 *
 * <p>Switches: system property {@code rnnbook.native} ({@code true}, the default, or {@code
 * false}), {@link #setEnabled}; {@code CXX} names the compiler (default {@code g++}); {@code
 * rnnbook.native.cache} the cache folder. The choice is taken when a model is compiled.
 */
public final class NativeKernels {
  static final String GRU = "RnnbookGruSequence";
  static final String GRU_GRAD = "RnnbookGruSequenceGrad";
  static final String GRU_RESET_BEFORE = "RnnbookGruResetBeforeSequence";
  static final String GRU_RESET_BEFORE_GRAD = "RnnbookGruResetBeforeSequenceGrad";
  static final String LSTM = "RnnbookLstmSequence";
  static final String LSTM_GRAD = "RnnbookLstmSequenceGrad";
  static final String SIMPLE_RNN = "RnnbookSimpleRnnSequence";
  static final String SIMPLE_RNN_GRAD = "RnnbookSimpleRnnSequenceGrad";
  private static final String SOURCE = "/rnnbook/native/rnnbook_ops.cc";
  private static final List<String> FLAGS =
      List.of("-std=c++17", "-O3", "-march=native", "-ffast-math", "-mrecip", "-fPIC", "-shared");

  private static volatile boolean enabled =
      !"false".equalsIgnoreCase(System.getProperty("rnnbook.native", "true"));
  private static Boolean loaded; // null: not tried yet
  private static String reason = "not loaded yet";

  private NativeKernels() {}

  /** Turns the native kernels on or off for models compiled from now on in this JVM. */
  public static void setEnabled(boolean value) {
    enabled = value;
  }

  public static boolean enabled() {
    return enabled;
  }

  /**
   * Whether models compiled now use the native kernels: enabled, and built and loaded (the first
   * call builds and loads them, which takes a few seconds once per machine).
   */
  public static boolean available() {
    return enabled && load();
  }

  /** One line for logs and reports: which kernels the recurrent layers train with, and why. */
  public static String describe() {
    if (!enabled) {
      return "TensorFlow ops (native kernels disabled)";
    }
    return load() ? "native kernels (" + reason + ")" : "TensorFlow ops (" + reason + ")";
  }

  /** What the recurrent layers run on, in a few words: native kernels, or TensorFlow ops and why. */
  public static String summary() {
    if (!enabled) {
      return "TensorFlow ops (native kernels disabled)";
    }
    return load() ? "native kernels" : "TensorFlow ops (native kernels unavailable)";
  }

  private static synchronized boolean load() {
    if (loaded == null) {
      try {
        Path library = build();
        TensorFlow.loadLibrary(library.toString());
        Set<String> ops = TensorFlow.registeredOpList().getOpList().stream()
            .map(OpDef::getName).collect(Collectors.toSet());
        for (String op : List.of(GRU, GRU_GRAD, GRU_RESET_BEFORE, GRU_RESET_BEFORE_GRAD, LSTM,
            LSTM_GRAD, SIMPLE_RNN, SIMPLE_RNN_GRAD)) {
          if (!ops.contains(op)) {
            throw new IllegalStateException(library + " did not register " + op);
          }
        }
        NativeRecurrent.registerGradients();
        reason = library.toString();
        loaded = true;
      } catch (IOException | RuntimeException | Error e) {
        reason = e.getMessage() == null ? e.toString() : e.getMessage();
        loaded = false;
        System.err.println("rnnbook: native recurrent kernels unavailable (" + reason
            + "); recurrent layers train on TensorFlow's ops, up to 3 times slower");
      }
    }
    return loaded;
  }

  private static Path build() throws IOException {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      throw new IllegalStateException("the native kernels are built on Linux only");
    }
    TensorFlow.version(); // loads TensorFlow's native libraries
    Path framework = loadedLibrary("libtensorflow_framework.so.2");
    byte[] source;
    try (InputStream in = NativeKernels.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SOURCE + " is missing from the classpath");
      }
      source = in.readAllBytes();
    }
    String compiler = System.getenv().getOrDefault("CXX", "g++");
    String version = run(List.of(compiler, "--version"), null).lines().findFirst().orElse("");
    // -march=native: a library built on one CPU may not run on another (a shared home folder)
    String key = hash(source, String.join(" ", FLAGS), version, framework.toString(), cpu());
    Path dir = cacheDir();
    Path library = dir.resolve("librnnbook_ops-" + key + ".so");
    if (Files.isRegularFile(library)) {
      return library;
    }
    Files.createDirectories(dir);
    Path src = Files.createTempFile(dir, "rnnbook_ops-", ".cc");
    Path tmp = Files.createTempFile(dir, "librnnbook_ops-", ".so.tmp");
    try {
      Files.write(src, source);
      List<String> cmd = new ArrayList<>();
      cmd.add(compiler);
      cmd.addAll(FLAGS);
      cmd.addAll(List.of("-o", tmp.toString(), src.toString(), framework.toString(),
          "-Wl,-rpath," + framework.getParent()));
      long t0 = System.nanoTime();
      run(cmd, dir);
      try {
        Files.move(tmp, library, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, library, StandardCopyOption.REPLACE_EXISTING);
      }
      System.err.printf(Locale.ROOT, "rnnbook: built the native recurrent kernels in %.1f s: %s%n",
          (System.nanoTime() - t0) / 1e9, library);
      return library;
    } finally {
      Files.deleteIfExists(src);
      Files.deleteIfExists(tmp);
    }
  }

  private static Path cacheDir() {
    String configured = System.getProperty("rnnbook.native.cache");
    if (configured != null) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("rnnbook");
  }

  /** This CPU's model and instruction-set flags, from /proc/cpuinfo. */
  private static String cpu() throws IOException {
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name") || line.startsWith("flags")) {
        out.append(line).append('\n');
      }
      if (line.isBlank() && out.length() > 0) {
        break; // the first processor is enough
      }
    }
    return out.toString();
  }

  /** The path of a shared library this process has loaded, from /proc/self/maps. */
  private static Path loadedLibrary(String name) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int slash = line.indexOf('/');
      if (slash >= 0 && line.endsWith("/" + name)) {
        return Path.of(line.substring(slash));
      }
    }
    throw new IllegalStateException(name + " is not loaded in this process");
  }

  private static String run(List<String> cmd, Path dir) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("no C++ compiler: could not run " + cmd.get(0)
          + " (install g++, or set CXX)", e);
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd.get(0) + " did not finish in 5 minutes");
      }
      if (p.exitValue() != 0) {
        String first = out.lines().filter(l -> l.contains("error")).findFirst().orElse(out.strip());
        throw new IllegalStateException(cmd.get(0) + " failed: " + first);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted while building the native kernels", e);
    }
  }

  private static String hash(byte[] source, String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(source);
      for (String p : parts) {
        d.update((byte) 0);
        d.update(p.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
