package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;

/**
 * The native kernels with two threads (CompileOptions.kernelThreads = 2: the batch's halves on two
 * cores) train to the same bits as with one, and the second thread did run.
 */
class KernelThreadsTest {
  private static final int BATCH = 131; // the kernels split batches of 128 rows or more; odd halves
  private static final int TIMESTEPS = 12;

  @BeforeAll
  static void kernels() {
    Assumptions.assumeTrue(NativeKernels.load(),
        "skipped: the build made no native kernels here: " + NativeKernels.status());
  }

  private record Trained(List<Double> losses, List<CompiledModel.WeightValue> weights,
      float[] predictions) {}

  private static Trained train(Supplier<Sequential> stack, int kernelThreads, float[][] batch) {
    try (CompiledModel m = stack.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
        CompileOptions.of(3).withBackend(RecurrentBackend.NATIVE).withKernelThreads(kernelThreads))) {
      List<Double> losses = new ArrayList<>();
      for (int step = 0; step < 4; step++) {
        losses.add(m.trainOnBatch(batch[0], batch[1], BATCH));
      }
      return new Trained(losses, m.getWeights(), m.predict(batch[0]));
    }
  }

  @Test
  void twoThreadsGiveTheSameBitsAsOne() throws IOException {
    float[][] batch = SideBySide.randomBatch(BATCH, TIMESTEPS, 21);
    List<Supplier<Sequential>> stacks = List.of(
        () -> new Sequential(TIMESTEPS, 2).add(new LSTM(30, true)).add(new LSTM(30)).add(new Dense(1)),
        () -> new Sequential(TIMESTEPS, 2).add(new GRU(17, true)).add(new GRU(9)).add(new Dense(1)),
        () -> new Sequential(TIMESTEPS, 2).add(new SimpleRNN(33, true)).add(new SimpleRNN(5))
            .add(new Dense(1)));
    for (Supplier<Sequential> stack : stacks) {
      Trained one = train(stack, 1, batch);
      long before = workerNanos();
      Trained two = train(stack, 2, batch);
      assertTrue(workerNanos() > before, "the kernels' second thread was never woken");
      assertEquals(one.losses(), two.losses());
      assertArrayEquals(one.predictions(), two.predictions());
      assertEquals(one.weights().size(), two.weights().size());
      for (int k = 0; k < one.weights().size(); k++) {
        assertArrayEquals(one.weights().get(k).values(), two.weights().get(k).values(),
            one.weights().get(k).name());
      }
    }
  }

  @Test
  void refusesOtherThreadCounts() {
    var e = assertThrows(IllegalArgumentException.class, () -> CompileOptions.of(1).withKernelThreads(3));
    assertEquals("kernelThreads must be 1 or 2, received 3", e.getMessage());
  }

  /** CPU time of the kernels' worker thread so far (0 before it starts), from /proc. */
  private static long workerNanos() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        Path comm = task.resolve("comm");
        if (Files.isReadable(comm) && Files.readString(comm).strip().equals("rnnbook-kernel")) {
          return Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
        }
      }
    }
    return 0;
  }
}
