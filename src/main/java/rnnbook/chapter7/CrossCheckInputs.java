package rnnbook.chapter7;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.data.NumpyRandomState;

/**
 * The inputs of a cross-check, (samples, *shape) in C order: an {@code .npy}, the chapter's test
 * set (with its targets), or seeded uniform [0, 1) samples as numpy draws them.
 */
record CrossCheckInputs(long[] sampleShape, float[] x, double[] y, String description) {
  int samples() {
    return x.length / (int) Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
  }

  static CrossCheckInputs fromNpy(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--input: cannot read " + file);
    }
    Npy.Array a = Npy.read(file);
    if (a.shape().length < 2 || a.shape()[0] < 1) {
      throw new IllegalArgumentException(
          file + ": expected an array of shape (samples, ...) with at least one sample, found " + a.shapeString());
    }
    return new CrossCheckInputs(Arrays.copyOfRange(a.shape(), 1, a.shape().length), a.floats(), null,
        a.shape()[0] + " samples from " + file);
  }

  /** The chapter's test split X[fit:], Y[fit:] of {@code dir}'s data, or of the data generated from {@code seed}. */
  static CrossCheckInputs chapterTestSet(Path dir, long seed) throws IOException {
    MultiplicationProblem data = dir != null ? MultiplicationProblem.readNpy(dir) : MultiplicationProblem.generate(seed);
    int fit = ChapterConfig.fitSamples(data.samples());
    if (fit >= data.samples()) {
      throw new IllegalArgumentException("--data: " + data.samples() + " samples leave no test set");
    }
    MultiplicationProblem test = data.slice(fit, data.samples());
    String source = dir != null ? dir.resolve("X.npy").toString()
        : "the chapter's data generated with seed " + seed;
    return new CrossCheckInputs(new long[] {data.timesteps(), MultiplicationProblem.FEATURES}, test.xFloat(), test.y(),
        "the chapter's test set X[" + fit + ":] (" + test.samples() + " samples) of " + source);
  }

  /** {@code np.random.seed(seed); np.random.rand(samples, *shape)} in float32. */
  static CrossCheckInputs random(long[] shape, int samples, long seed) {
    int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    double[] values = new NumpyRandomState(seed).rand(samples * size);
    float[] x = new float[values.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) values[i];
    }
    String call = "np.random.seed(" + seed + "); np.random.rand(" + samples + ", "
        + Arrays.stream(shape).mapToObj(Long::toString).reduce((a, b) -> a + ", " + b).orElse("") + ")";
    return new CrossCheckInputs(shape.clone(), x, null, samples + " seeded uniform [0, 1) samples: " + call);
  }

  /**
   * The outputs Python computed ({@code model.predict(X)}), which must be one row per input
   * sample of {@code perSample} values.
   */
  float[] expected(Path file, long[] outputShape) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--expected: cannot read " + file);
    }
    Npy.Array a = Npy.read(file);
    long perSample = Arrays.stream(outputShape).reduce(1, (p, q) -> p * q);
    long rows = a.shape().length == 0 ? 0 : a.shape()[0];
    if (rows != samples() || a.data().length != samples() * perSample) {
      throw new IllegalArgumentException(file + ": expected model.predict's outputs for the " + samples()
          + " inputs, shape " + rnnbook.keras.layers.Shapes.withBatch(outputShape).replace("None", Integer.toString(samples()))
          + ", found " + a.shapeString());
    }
    return a.floats();
  }
}
