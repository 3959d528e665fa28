package rnnbook.keras.layers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tensor memory for this process: TensorFlow's CPU allocator without its process-wide lock ({@code
 * src/main/native/rnnbook_alloc.cc}).
 *
 * <p>TensorFlow's CPU build gives every tensor's memory through one allocator per process that
 * takes a mutex on each free and on each allocation of 4 KiB or more, from a pool all threads
 * share. Models training side by side in one process (the chapter's two cores, the study) wait for
 * each other there and trade each other's cache-warm blocks: measured on the project's 2-core
 * machine, the GRU beside the LSTM took 0.19-0.32 s per epoch in one process, 0.15-0.26 s in two
 * (results/PERFORMANCE.md). The build's {@code librnnbook_alloc.so} defines that allocator's two
 * working methods on the C library's allocator (an arena per thread); loaded before TensorFlow, it
 * moves itself into the process's global scope, and TensorFlow's libraries bind to it. Only where
 * tensors' memory comes from changes: every result is the same to the bit.
 *
 * <p>{@link #install()} has to run before anything loads TensorFlow; rnnbook's command line calls
 * it first. Called later, it does nothing and TensorFlow's allocator stays (mixing the two is never
 * possible: the dynamic linker binds TensorFlow's libraries once, when it loads them). System
 * property {@code rnnbook.allocator=tensorflow} keeps TensorFlow's allocator.
 */
public final class NativeAllocator {
  static final String FILE = "librnnbook_alloc.so";

  private static boolean tried;
  private static String whyNot; // after install(): null when the library is loaded, else why not

  private NativeAllocator() {}

  /**
   * Loads rnnbook's tensor allocator for this process if TensorFlow is not loaded yet (once; later
   * calls do nothing). It never fails: where it does not apply, TensorFlow's allocator stays and
   * {@link #status()} says why.
   */
  public static synchronized void install() {
    if (tried) {
      return;
    }
    tried = true;
    try {
      loadVerified();
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      whyNot = e.getMessage() == null ? e.toString() : e.getMessage();
    }
  }

  private static boolean loaded() {
    return tried && whyNot == null;
  }

  private static void loadVerified() throws IOException {
    if ("tensorflow".equals(System.getProperty("rnnbook.allocator"))) {
      throw new IllegalStateException("rnnbook.allocator=tensorflow");
    }
    NativeKernels.requireLinuxX86();
    if (tensorFlowLoaded()) {
      throw new IllegalStateException("TensorFlow was loaded before rnnbook's allocator could be");
    }
    System.load(NativeKernels.privateCopy(FILE, NativeKernels.verified(FILE)).toString());
    if (state() == 0) {
      throw new IllegalStateException(NativeKernels.where(FILE) + " could not enter the global scope");
    }
  }

  /**
   * The library's own account (it is loaded): 0 outside the process's global scope, 1 in it with
   * TensorFlow not loaded yet, 2 TensorFlow's allocator calling both its methods (checked in
   * TensorFlow's virtual table) with no tensor allocated yet, 3 the same and in use, 4 TensorFlow
   * calling neither, 5 calling only one.
   */
  static native int state();

  /** Whether TensorFlow's framework library is mapped into this process. */
  private static boolean tensorFlowLoaded() throws IOException {
    return Files.readString(Path.of("/proc/self/maps")).contains("libtensorflow_framework");
  }

  /**
   * What gives tensors their memory in this process: rnnbook's allocator once a tensor came from
   * it, else TensorFlow's, with the reason.
   */
  public static synchronized String status() {
    if (!loaded()) {
      return "TensorFlow's allocator" + (whyNot == null ? "" : " (" + whyNot + ")");
    }
    String where = NativeKernels.where(FILE);
    return switch (state()) {
      case 1 -> "rnnbook's per-thread allocator (" + where + "; TensorFlow not loaded yet)";
      case 2 -> "rnnbook's per-thread allocator (" + where + "; no tensor allocated yet)";
      case 3 -> "rnnbook's per-thread allocator (" + where + ")";
      case 4 -> "TensorFlow's allocator (" + where + " loaded, but TensorFlow does not call it)";
      case 5 -> "mixed: TensorFlow calls only one of the two methods of " + where
          + " (a TensorFlow this library was not written for; run with -Drnnbook.allocator=tensorflow)";
      default -> "TensorFlow's allocator (" + where + " is not in the global scope)";
    };
  }

  /** True once a tensor's memory came from rnnbook's allocator in this process. */
  public static synchronized boolean inUse() {
    return loaded() && state() == 3;
  }
}
