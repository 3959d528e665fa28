package rnnbook.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The multiplication problem of the 1997 LSTM paper as the book's notebook builds it: each sample
 * is {@code timesteps} rows of (marker, value) with values uniform in [0, 1) and exactly two rows
 * marked 1; its target is the product of the two marked values.
 *
 * <p>{@code x} is float64 [samples, timesteps, 2] and {@code y} float64 [samples], both in C
 * order, exactly as the notebook's {@code np.array(X)} and {@code np.array(Y)}.
 */
public record MultiplicationProblem(double[] x, double[] y, int samples, int timesteps) {
  public static final int FEATURES = 2;
  /** The notebook's sizes: 3000 samples of 100 timesteps. */
  public static final int BOOK_SAMPLES = 3000;
  public static final int BOOK_TIMESTEPS = 100;

  public MultiplicationProblem {
    if (samples < 1 || timesteps < 2) {
      throw new IllegalArgumentException(
          "need samples >= 1 and timesteps >= 2, received " + samples + " and " + timesteps);
    }
    if (x.length != (long) samples * timesteps * FEATURES || y.length != samples) {
      throw new IllegalArgumentException(
          "x must hold samples*timesteps*2 = " + (long) samples * timesteps * FEATURES
              + " values and y " + samples + ", received " + x.length + " and " + y.length);
    }
  }

  /**
   * The notebook's loop after {@code np.random.seed(seed)}: per sample {@code rand(timesteps)},
   * then {@code choice(timesteps, 2, replace=False)}, then {@code prod(values[idx])}.
   */
  public static MultiplicationProblem generate(long seed, int samples, int timesteps) {
    checkSize(samples, timesteps);
    NumpyRandomState random = new NumpyRandomState(seed);
    double[] x = new double[samples * timesteps * FEATURES];
    double[] y = new double[samples];
    for (int s = 0; s < samples; s++) {
      double[] values = random.rand(timesteps);
      int[] marked = random.choiceWithoutReplacement(timesteps, 2);
      int base = s * timesteps * FEATURES;
      for (int t = 0; t < timesteps; t++) {
        x[base + 2 * t + 1] = values[t];
      }
      for (int idx : marked) {
        x[base + 2 * idx] = 1.0;
      }
      y[s] = values[marked[0]] * values[marked[1]];
    }
    return new MultiplicationProblem(x, y, samples, timesteps);
  }

  /**
   * Refuses sizes that cannot be generated: fewer than 1 sample or 2 timesteps, or more values
   * than fit in memory ({@link ArrayLimits}).
   */
  public static void checkSize(long samples, long timesteps) {
    if (samples < 1 || timesteps < 2) {
      throw new IllegalArgumentException(
          "--samples must be >= 1 and --timesteps >= 2, received " + samples + " and " + timesteps);
    }
    ArrayLimits.count("--samples " + samples + " of --timesteps " + timesteps, samples, timesteps, FEATURES);
  }

  /** The book's data set: 3000 samples of 100 timesteps. */
  public static MultiplicationProblem generate(long seed) {
    return generate(seed, BOOK_SAMPLES, BOOK_TIMESTEPS);
  }

  /** Samples [from, to) as a new problem. */
  public MultiplicationProblem slice(int from, int to) {
    if (from < 0 || to > samples || from >= to) {
      throw new IllegalArgumentException(
          "slice [" + from + ", " + to + ") is not inside [0, " + samples + ")");
    }
    int row = timesteps * FEATURES;
    return new MultiplicationProblem(
        Arrays.copyOfRange(x, from * row, to * row), Arrays.copyOfRange(y, from, to), to - from,
        timesteps);
  }

  /** Writes {@code dir/X.npy} and {@code dir/Y.npy} as float64, as the notebook's arrays. */
  public void writeNpy(Path dir) throws IOException {
    Map<Path, AtomicWrite.Content> files = new LinkedHashMap<>();
    files.put(dir.resolve("X.npy"), Npy.content(new Npy.Array(new long[] {samples, timesteps, FEATURES}, x),
        Npy.Dtype.FLOAT64));
    files.put(dir.resolve("Y.npy"), Npy.content(new Npy.Array(new long[] {samples}, y), Npy.Dtype.FLOAT64));
    AtomicWrite.all(files); // both or neither: never an X of one seed beside a Y of another
  }

  /**
   * Reads {@code dir/X.npy} [n, t, 2] and {@code dir/Y.npy} [n]; shapes are checked and a wrong
   * one is named in the exception, as is the first value that is not finite.
   */
  public static MultiplicationProblem readNpy(Path dir) throws IOException {
    Path xFile = dir.resolve("X.npy");
    Path yFile = dir.resolve("Y.npy");
    for (Path f : new Path[] {xFile, yFile}) {
      if (!Files.isReadable(f)) {
        throw new IllegalArgumentException("--data: cannot read " + f + " (expected X.npy and Y.npy)");
      }
    }
    Npy.Array xa = Npy.read(xFile);
    Npy.Array ya = Npy.read(yFile);
    long[] xs = xa.shape();
    if (xs.length != 3 || xs[2] != FEATURES || xs[1] < 2) {
      throw new IllegalArgumentException(
          xFile + ": expected shape (samples, timesteps, 2), found " + xa.shapeString());
    }
    if (ya.shape().length != 1 || ya.shape()[0] != xs[0]) {
      throw new IllegalArgumentException(
          yFile + ": expected shape (" + xs[0] + ",) to match X.npy, found " + ya.shapeString());
    }
    xa.requireFinite(xFile.toString());
    ya.requireFinite(yFile.toString());
    return new MultiplicationProblem(xa.data(), ya.data(), (int) xs[0], (int) xs[1]);
  }

  /** x as float32 in C order, the dtype Keras trains in. */
  public float[] xFloat() {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }

  /** y as float32 [samples]. */
  public float[] yFloat() {
    float[] out = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = (float) y[i];
    }
    return out;
  }
}
