package rnnbook.keras;

import rnnbook.keras.layers.RecurrentBackend;

/**
 * How {@link Sequential#compile} builds and runs a model.
 *
 * @param seed draws the initial weights and drives shuffling
 * @param threads TensorFlow's intra- and inter-op pools of this model's session; 1 by default:
 *     these small recurrent graphs run no faster on more, the same seed then gives the same bits
 *     whatever else the machine runs, and models can train side by side, one per core
 * @param backend how the recurrent layers run their time loop ({@link RecurrentBackend#AUTO}: the
 *     fastest that applies)
 * @param kernelThreads threads the native recurrent kernels may use, 1 (the default) or 2: with 2,
 *     a kernel on a batch of 128 rows or more (validation, prediction, large batches) runs its
 *     two halves on two cores when no other native kernel of the process is running at that
 *     moment; the results are the same bits either way
 */
public record CompileOptions(long seed, int threads, RecurrentBackend backend, int kernelThreads) {
  public CompileOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, received " + threads);
    }
    if (kernelThreads < 1 || kernelThreads > 2) {
      throw new IllegalArgumentException("kernelThreads must be 1 or 2, received " + kernelThreads);
    }
    if (backend == null) {
      throw new IllegalArgumentException("backend must not be null; use RecurrentBackend.AUTO");
    }
  }

  public CompileOptions(long seed, int threads, RecurrentBackend backend) {
    this(seed, threads, backend, 1);
  }

  /** One thread, the automatic backend. */
  public static CompileOptions of(long seed) {
    return new CompileOptions(seed, 1, RecurrentBackend.AUTO);
  }

  public CompileOptions withThreads(int value) {
    return new CompileOptions(seed, value, backend, kernelThreads);
  }

  public CompileOptions withBackend(RecurrentBackend value) {
    return new CompileOptions(seed, threads, value, kernelThreads);
  }

  public CompileOptions withKernelThreads(int value) {
    return new CompileOptions(seed, threads, backend, value);
  }
}
