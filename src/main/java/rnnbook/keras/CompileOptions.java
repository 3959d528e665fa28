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
 */
public record CompileOptions(long seed, int threads, RecurrentBackend backend) {
  public CompileOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, received " + threads);
    }
    if (backend == null) {
      throw new IllegalArgumentException("backend must not be null; use RecurrentBackend.AUTO");
    }
  }

  /** One thread, the automatic backend. */
  public static CompileOptions of(long seed) {
    return new CompileOptions(seed, 1, RecurrentBackend.AUTO);
  }

  public CompileOptions withThreads(int value) {
    return new CompileOptions(seed, value, backend);
  }

  public CompileOptions withBackend(RecurrentBackend value) {
    return new CompileOptions(seed, threads, value);
  }
}
