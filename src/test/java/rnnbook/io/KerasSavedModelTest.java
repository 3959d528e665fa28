package rnnbook.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import rnnbook.data.NumpyRandomState;
import rnnbook.io.KerasSavedModel.Floats;
import rnnbook.io.KerasSavedModel.SignatureSpec;
import rnnbook.io.KerasSavedModel.TensorSpec;
import rnnbook.keras.CompiledModel;

/**
 * The Python-made SavedModels of ../shared/fixtures: each loads, its signature is described as
 * SOURCES.md states, its Keras Sequential is rebuilt in Java and agrees with the Python graph
 * within 1e-5 on seeded inputs; the tf.Module one is refused as a Sequential but still runs.
 */
class KerasSavedModelTest {
  static Stream<Arguments> kerasFixtures() {
    return Stream.of(
        Arguments.of(SharedFixtures.SIMPLE_RNN, "simple_rnn_input", new long[] {-1, 7, 1}, "dense", new long[] {-1, 7},
            List.of("InputLayer", "SimpleRNN", "SimpleRNN", "Dense"), "2.15.0"),
        Arguments.of(SharedFixtures.LSTM, "lstm_input", new long[] {-1, 7, 1}, "dense_1", new long[] {-1, 7},
            List.of("InputLayer", "LSTM", "LSTM", "Dense"), "2.15.0"),
        Arguments.of(SharedFixtures.GRU_DENSE, "input_10", new long[] {-1, 5, 1}, "dense_29", new long[] {-1, 1},
            List.of("InputLayer", "GRU", "Dense", "Dense", "Dense"), "2.6.0"));
  }

  @ParameterizedTest
  @MethodSource("kerasFixtures")
  void kerasFixtureLoadsWithItsSignature(String fixture, String input, long[] inShape, String output,
      long[] outShape, List<String> classes, String version) throws IOException {
    try (KerasSavedModel saved = KerasSavedModel.load(SharedFixtures.savedModel(fixture))) {
      assertEquals(version, saved.tensorflowVersion());
      assertEquals(List.of("serving_default"), saved.signatures().stream().map(SignatureSpec::key).toList());
      SignatureSpec sig = saved.signature("serving_default");
      TensorSpec in = sig.inputs().get(0);
      TensorSpec out = sig.outputs().get(0);
      assertEquals(List.of(input, "DT_FLOAT"), List.of(in.key(), in.dtype()));
      assertArrayEquals(inShape, in.shape());
      assertEquals(List.of(output, "DT_FLOAT"), List.of(out.key(), out.dtype()));
      assertArrayEquals(outShape, out.shape());
    }
  }

  @ParameterizedTest
  @MethodSource("kerasFixtures")
  void rebuiltJavaModelMatchesThePythonGraph(String fixture, String input, long[] inShape, String output,
      long[] outShape, List<String> classes) throws IOException {
    try (KerasSavedModel saved = KerasSavedModel.load(SharedFixtures.savedModel(fixture))) {
      KerasImport.Imported imported = KerasImport.rebuild(saved, null);
      assertEquals(classes, imported.layers().stream().map(KerasImport.LayerMatch::className).toList());
      for (KerasImport.LayerMatch m : imported.layers()) {
        assertEquals(m.kerasParams(), m.javaParams(), m.name() + ": Python and Java parameter counts");
      }
      int samples = 64;
      long[] shape = {samples, inShape[1], inShape[2]};
      float[] x = seeded(samples * (int) (inShape[1] * inShape[2]), 42);
      float[] python = saved.run("serving_default", Map.of(input, new Floats(shape, x))).get(output).values();
      try (CompiledModel java = imported.compile()) {
        float[] predicted = java.predict(x);
        assertEquals(python.length, predicted.length);
        assertTrue(spread(python) > 1e-3, "the outputs vary across samples, so equality means something");
        double max = 0;
        for (int i = 0; i < python.length; i++) {
          max = Math.max(max, Math.abs((double) python[i] - predicted[i]));
        }
        assertTrue(max <= 1e-5, fixture + ": max abs diff " + max);

        // the comparison is sensitive: one weight off by 1e-3 shows
        List<CompiledModel.WeightValue> weights = java.getWeights();
        List<float[]> changed = new ArrayList<>(weights.stream().map(CompiledModel.WeightValue::values).toList());
        float[] lastBias = changed.get(changed.size() - 1).clone();
        lastBias[0] += 1e-3f;
        changed.set(changed.size() - 1, lastBias);
        java.setWeights(changed);
        float[] off = java.predict(x);
        assertEquals(1e-3, Math.abs(off[0] - python[0]), 1e-4);
      }
    }
  }

  @Test
  void weightsAreMatchedThroughTheObjectGraph() throws IOException {
    try (KerasSavedModel saved = KerasSavedModel.load(SharedFixtures.savedModel(SharedFixtures.LSTM))) {
      // root -> layer_with_weights-1 -> cell -> recurrent_kernel, as Keras tracks it
      int layer = saved.child(0, "layer-1");
      int kernel = saved.child(saved.child(layer, "cell"), "recurrent_kernel");
      assertEquals("lstm_1/lstm_cell/recurrent_kernel", saved.savedVariable(kernel).getName());
      Floats value = saved.variable(kernel);
      assertArrayEquals(new long[] {50, 200}, value.shape());
      assertArrayEquals(saved.graphVariable("lstm_1/lstm_cell/recurrent_kernel").values(), value.values());
      KerasImport.Imported imported = KerasImport.rebuild(saved, null);
      assertEquals(List.of("lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias",
              "lstm_1/lstm_cell/kernel", "lstm_1/lstm_cell/recurrent_kernel", "lstm_1/lstm_cell/bias",
              "dense_1/kernel", "dense_1/bias"),
          imported.weights().stream().map(KerasModel.Weight::name).toList());
      assertArrayEquals(value.values(), imported.weights().get(4).values());
    }
  }

  @Test
  void tfModuleIsNotASequentialButItsSignaturesRun() throws IOException {
    try (KerasSavedModel saved = KerasSavedModel.load(SharedFixtures.savedModel(SharedFixtures.TF_MODULE))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KerasImport.rebuild(saved, null));
      assertTrue(e.getMessage().startsWith("not a Keras Sequential:") && e.getMessage().contains("MyModel"),
          e.getMessage());
      assertEquals(List.of("add", "get_const_matrix", "get_const_scalar", "get_const_vector", "get_variable"),
          saved.signatures().stream().map(SignatureSpec::key).toList());
      assertEquals(null, saved.signature("add").inputs().get(0).shape(), "shape=None: unknown rank");
      Map<String, Floats> sum = saved.run("add", Map.of("a", scalar(2.5f), "b", scalar(4f)));
      assertEquals(6.5f, sum.get("output_0").values()[0]);
      Floats vector = saved.run("get_const_vector", Map.of("input", scalar(1.5f))).get("output_0");
      assertArrayEquals(new long[] {3}, vector.shape());
      assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f}, vector.values());
      Floats matrix = saved.run("get_const_matrix", Map.of("input", scalar(-1f))).get("output_0");
      assertArrayEquals(new long[] {2, 3}, matrix.shape());
      assertEquals(2f, saved.run("get_variable", Map.of("dummy", scalar(0f))).get("output_0").values()[0]);
      assertEquals(2f, saved.variable(saved.child(0, "variable")).values()[0], "tf.Variable(2.0)");
      IllegalArgumentException unknown =
          assertThrows(IllegalArgumentException.class, () -> saved.signature("serving_default"));
      assertTrue(unknown.getMessage().contains("[add, get_const_matrix"), unknown.getMessage());
    }
  }

  @Test
  void aMissingDirectoryOrSavedModelFileIsOneClearLine(@TempDir Path dir) throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KerasSavedModel.load(dir.resolve("nothing")));
    assertEquals("no SavedModel at " + dir.resolve("nothing") + ": the directory does not exist", e.getMessage());
    Files.createDirectories(dir.resolve("empty/variables"));
    e = assertThrows(IllegalArgumentException.class, () -> KerasSavedModel.load(dir.resolve("empty")));
    assertEquals("no SavedModel at " + dir.resolve("empty") + ": saved_model.pb is missing (found: variables)",
        e.getMessage());
    Files.write(dir.resolve("empty/saved_model.pb"), new byte[] {(byte) 0xff, 0x13, 0x7});
    e = assertThrows(IllegalArgumentException.class, () -> KerasSavedModel.load(dir.resolve("empty")));
    assertTrue(e.getMessage().contains("is not a SavedModel protobuf"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void truncatedVariablesAreOneClearLine(@TempDir Path dir) throws IOException {
    Path copy = copyOf(SharedFixtures.savedModel(SharedFixtures.LSTM), dir.resolve("lstm"));
    try (FileChannel data = FileChannel.open(copy.resolve("variables/variables.data-00000-of-00001"),
        StandardOpenOption.WRITE)) {
      data.truncate(data.size() / 3);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasSavedModel.load(copy));
    assertTrue(e.getMessage().startsWith("cannot restore the variables of the SavedModel at " + copy), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  static Path copyOf(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
          target.toFile().setWritable(true);
        }
      }
    }
    return to;
  }

  private static Floats scalar(float v) {
    return new Floats(new long[0], new float[] {v});
  }

  /** {@code np.random.seed(seed); np.random.rand(n).astype(np.float32)}. */
  static float[] seeded(int n, long seed) {
    double[] d = new NumpyRandomState(seed).rand(n);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double spread(float[] values) {
    double min = Arrays.stream(toDouble(values)).min().orElse(0);
    double max = Arrays.stream(toDouble(values)).max().orElse(0);
    return max - min;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
