package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;

/**
 * Models in one JVM on different backends, trained at the same time in two threads: each runs on
 * its own backend and ends where the unrolled reference does; exports hold TensorFlow's ops only.
 */
class BackendIsolationTest {
  @TempDir Path dir;

  private static final Supplier<Sequential> LSTM_STACK = () -> new Sequential(12, 2)
      .add(new LSTM(6, true)).add(new LSTM(5)).add(new Dense(1));
  private static final Supplier<Sequential> GRU_STACK = () -> new Sequential(12, 2)
      .add(new GRU(6, true)).add(new GRU(5)).add(new Dense(1));

  private record Trained(List<Double> losses, List<rnnbook.keras.CompiledModel.WeightValue> weights) {}

  private static Trained train(CompiledModel m, float[] x, float[] y) {
    List<Double> losses = new ArrayList<>();
    for (int step = 0; step < 5; step++) {
      losses.add(m.trainOnBatch(x, y, 16));
    }
    return new Trained(losses, m.getWeights());
  }

  private static CompiledModel compile(Supplier<Sequential> model, RecurrentBackend backend) {
    return model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
        CompileOptions.of(4).withBackend(backend));
  }

  @Test
  void modelsSideBySideKeepTheirOwnBackends() throws Exception {
    RecurrentBackend fast = NativeKernels.load() ? RecurrentBackend.NATIVE : RecurrentBackend.TENSORFLOW;
    float[][] batch = SideBySide.randomBatch(16, 12, 8);
    for (Supplier<Sequential> stack : List.of(LSTM_STACK, GRU_STACK)) {
      Trained reference;
      try (CompiledModel unrolled = compile(stack, RecurrentBackend.UNROLLED)) {
        reference = train(unrolled, batch[0], batch[1]);
      }
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try (CompiledModel a = compile(stack, fast);
          CompiledModel b = compile(stack, RecurrentBackend.TENSORFLOW)) {
        Future<Trained> fa = pool.submit(() -> train(a, batch[0], batch[1]));
        Future<Trained> fb = pool.submit(() -> train(b, batch[0], batch[1]));
        for (var m : List.of(a, b)) {
          RecurrentBackend asked = m.options().backend();
          m.backends().forEach(c -> assertEquals(asked, c.used(), c.toString()));
        }
        for (Trained t : List.of(fa.get(), fb.get())) {
          for (int i = 0; i < 5; i++) {
            double expected = reference.losses().get(i);
            assertEquals(expected, t.losses().get(i), 1e-6 * Math.max(1, expected), "loss at step " + i);
          }
          SideBySide.assertWeightsClose(reference.weights(), t.weights(), 1e-5);
        }
        a.exportSavedModel(dir.resolve("a" + stack.hashCode()));
        b.exportSavedModel(dir.resolve("b" + stack.hashCode()));
        assertEquals(List.of(), customOps(dir.resolve("a" + stack.hashCode())));
        assertEquals(List.of(), customOps(dir.resolve("b" + stack.hashCode())));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** The op types of a SavedModel's graphs that TensorFlow itself does not have. */
  private static List<String> customOps(Path savedModel) throws Exception {
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(savedModel.resolve("saved_model.pb")));
    assertTrue(saved.getMetaGraphsCount() > 0);
    return saved.getMetaGraphsList().stream().flatMap(g -> g.getGraphDef().getNodeList().stream())
        .map(NodeDef::getOp).filter(op -> op.startsWith("Rnnbook")).distinct().toList();
  }
}
