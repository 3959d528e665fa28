package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RecurrentBackend;
import rnnbook.keras.layers.RecurrentConfig;
import rnnbook.keras.layers.SimpleRNN;

/**
 * Training against real Keras (TensorFlow 2.21, Keras 3.15; src/test/python/
 * make_keras_training_fixtures.py): the chapter's stacks and GRU with reset_after=False, started
 * from Keras's initial weights, on every backend, in float32. With Keras's default Adam: the
 * losses of the first batches within 1e-5 relative, the weights within 1e-5 after step 1 and
 * step 64, and fit's epoch losses and val_losses for 3 epochs with validation_split 0.2 and no
 * shuffling (187 samples: Keras trains on 149, the last batch of 5, and validates on 38). All 64
 * step losses within 1e-5 of Keras's Adam with the betas rounded to float32, which computes {@code
 * 1 - beta} as TensorFlow's fused ApplyAdam (rnnbook's Adam, and tf.keras 2's) does: Keras 3
 * rounds {@code 1 - 0.999} from double, a 6.7e-6 smaller step, which SimpleRNN's fast first descent
 * turns into up to 1.6e-5 in single batch losses by step 8 (measured; the fixture holds both).
 */
class KerasTrainingTest {
  private static final Path FIXTURES = Path.of("src/test/resources/reference/keras_training");
  // the settings of make_keras_training_fixtures.py (also in keras.json)
  private static final int DATA_SEED = 11;
  private static final int SAMPLES = 187;
  private static final int TIMESTEPS = 40;
  private static final int BATCH = 16;
  private static final double SPLIT = 0.2;
  private static final int STEPS = 64;
  private static final double TOLERANCE = 1e-5;
  /** The batches whose losses are compared with Keras's default Adam: before 1 - beta's rounding adds up. */
  private static final int FIRST_BATCHES = 4;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String c : List.of("simple_rnn", "lstm", "gru", "gru_reset_before")) {
      for (RecurrentBackend b : RecurrentBackend.values()) {
        out.add(Arguments.of(c, b));
      }
    }
    return out.stream();
  }

  /** R(30, return_sequences=True) -> R(30) -> Dense(1), as the generator builds it. */
  static Sequential stack(String kind) {
    RecurrentConfig c = RecurrentConfig.of(30);
    List<Layer> layers = new ArrayList<>();
    for (RecurrentConfig rc : List.of(c.withReturnSequences(true), c)) {
      layers.add(switch (kind) {
        case "simple_rnn" -> new SimpleRNN(rc);
        case "lstm" -> new LSTM(rc);
        case "gru" -> new GRU(rc);
        case "gru_reset_before" -> new GRU(rc.withResetAfter(false));
        default -> throw new IllegalArgumentException(kind);
      });
    }
    Sequential model = new Sequential(TIMESTEPS, 2);
    layers.forEach(model::add);
    return model.add(new Dense(1));
  }

  private static List<float[]> weights(Map<String, Npy.Array> fixture, String prefix) {
    List<float[]> out = new ArrayList<>();
    for (int k = 0; fixture.containsKey(prefix + k); k++) {
      out.add(fixture.get(prefix + k).floats());
    }
    return out;
  }

  private static CompiledModel compile(String kind, RecurrentBackend backend, List<float[]> initial) {
    CompiledModel m = stack(kind).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
        CompileOptions.of(0).withBackend(backend));
    m.setWeights(initial);
    return m;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void trainOnBatchGivesKerassLossesAndWeights(String kind, RecurrentBackend backend) throws IOException {
    Map<String, Npy.Array> fixture = Npz.read(FIXTURES.resolve(kind + ".npz"));
    MultiplicationProblem data = MultiplicationProblem.generate(DATA_SEED, SAMPLES, TIMESTEPS);
    float[] x = data.xFloat();
    float[] y = data.yFloat();
    int train = (int) Math.floor(SAMPLES * (1 - SPLIT));
    int row = TIMESTEPS * 2;
    double[] expected = fixture.get("step_losses").data();
    double[] fused = fixture.get("fused_step_losses").data();
    try (CompiledModel m = compile(kind, backend, weights(fixture, "initial_"))) {
      String where = kind + " on " + m.backends();
      float[] bx = new float[BATCH * row];
      float[] by = new float[BATCH];
      for (int step = 1; step <= STEPS; step++) {
        for (int i = 0; i < BATCH; i++) {
          int s = ((step - 1) * BATCH + i) % train;
          System.arraycopy(x, s * row, bx, i * row, row);
          by[i] = y[s];
        }
        double loss = m.trainOnBatch(bx, by, BATCH);
        if (step <= FIRST_BATCHES) {
          assertEquals(expected[step - 1], loss, TOLERANCE * expected[step - 1], where + ": loss of step " + step);
        }
        assertEquals(fused[step - 1], loss, TOLERANCE * fused[step - 1],
            where + ": loss of step " + step + " beside Keras's Adam with float32 betas");
        if (step == 1 || step == STEPS) {
          assertWeights(weights(fixture, "after_" + step + "_"), m.getWeights(), where + " after step " + step);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void fitGivesKerassEpochLosses(String kind, RecurrentBackend backend) throws IOException {
    Map<String, Npy.Array> fixture = Npz.read(FIXTURES.resolve(kind + ".npz"));
    MultiplicationProblem data = MultiplicationProblem.generate(DATA_SEED, SAMPLES, TIMESTEPS);
    try (CompiledModel m = compile(kind, backend, weights(fixture, "initial_"))) {
      History h = m.fit(data.xFloat(), data.yFloat(), new CompiledModel.FitOptions(3, BATCH, SPLIT, false),
          TrainingListener.NONE);
      String where = kind + " on " + m.backends();
      double[] loss = fixture.get("fit_loss").data();
      double[] valLoss = fixture.get("fit_val_loss").data();
      for (int e = 0; e < 3; e++) {
        assertEquals(loss[e], h.loss().get(e), TOLERANCE * loss[e], where + ": loss of epoch " + (e + 1));
        assertEquals(valLoss[e], h.valLoss().get(e), TOLERANCE * valLoss[e], where + ": val_loss of epoch " + (e + 1));
      }
    }
  }

  private static void assertWeights(List<float[]> expected, List<CompiledModel.WeightValue> actual, String where) {
    assertEquals(expected.size(), actual.size(), where);
    for (int k = 0; k < expected.size(); k++) {
      float[] e = expected.get(k);
      float[] a = actual.get(k).values();
      assertEquals(e.length, a.length, where + ": " + actual.get(k).name());
      double worst = 0;
      int at = 0;
      for (int i = 0; i < e.length; i++) {
        if (Math.abs(e[i] - a[i]) > worst) {
          worst = Math.abs(e[i] - a[i]);
          at = i;
        }
      }
      assertEquals(e[at], a[at], TOLERANCE, where + ": " + actual.get(k).name() + "[" + at + "] of "
          + Arrays.toString(actual.get(k).shape()));
    }
  }
}
