package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RecurrentConfig;
import rnnbook.keras.layers.SimpleRNN;

/**
 * fit's validation beside its steps ({@link ValidationAlongside}) gives what validating between
 * the epochs gives: the same losses, val_losses and weights to the bit, and the listener hears the
 * same epochs in the same order.
 */
class ValidationAlongsideTest {
  private static final int SAMPLES = 80;
  private static final int TIMESTEPS = 12;
  private static final int EPOCHS = 4;

  @AfterEach
  void reset() {
    Trainer.validationAlongside = null;
  }

  private static Sequential stack(String kind) {
    Supplier<Layer> first = switch (kind) {
      case "simple_rnn" -> () -> new SimpleRNN(8, true);
      case "lstm" -> () -> new LSTM(8, true);
      case "gru" -> () -> new GRU(8, true);
      default -> () -> new GRU(RecurrentConfig.of(8).withReturnSequences(true).withResetAfter(false));
    };
    Layer second = switch (kind) {
      case "simple_rnn" -> new SimpleRNN(8);
      case "lstm" -> new LSTM(8);
      case "gru" -> new GRU(8);
      default -> new GRU(RecurrentConfig.of(8).withResetAfter(false));
    };
    return new Sequential(TIMESTEPS, 2).add(first.get()).add(second).add(new Dense(1));
  }

  private static float[][] data() {
    float[] x = new float[SAMPLES * TIMESTEPS * 2];
    float[] y = new float[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      for (int t = 0; t < TIMESTEPS; t++) {
        x[(i * TIMESTEPS + t) * 2] = ((i * 31 + t * 17) % 97) / 97f;
        x[(i * TIMESTEPS + t) * 2 + 1] = t == i % 3 || t == 5 + i % 4 ? 1f : 0f;
      }
      y[i] = x[(i * TIMESTEPS + i % 3) * 2] * x[(i * TIMESTEPS + 5 + i % 4) * 2];
    }
    return new float[][] {x, y};
  }

  private record Run(History history, List<float[]> weights, List<String> epochs, int lastSeen) {}

  private static Run fit(String kind, boolean beside) {
    Trainer.validationAlongside = beside;
    float[][] d = data();
    List<String> epochs = new ArrayList<>();
    int[] lastSeen = new int[1];
    try (CompiledModel m = stack(kind).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 11)) {
      History h = m.fit(d[0], d[1], new CompiledModel.FitOptions(EPOCHS, 8, 0.25, true), new TrainingListener() {
        @Override
        public void onEpochBegin(int epoch, int total, int samples) {
          epochs.add("begin " + epoch + " " + samples);
        }

        @Override
        public void onBatchEnd(int seen, double loss) {
          assertTrue(seen > lastSeen[0] || seen == 8, "samples seen grow within an epoch: " + seen);
          lastSeen[0] = seen;
        }

        @Override
        public void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {
          assertEquals(60, lastSeen[0], "epoch " + epoch + " ends after its last batch");
          epochs.add("end " + epoch + " " + loss + " " + valLoss);
          lastSeen[0] = 0;
        }
      });
      return new Run(h, m.getWeights().stream().map(CompiledModel.WeightValue::values).toList(), epochs, lastSeen[0]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple_rnn", "lstm", "gru", "gru_reset_before"})
  void theSameNumbersAsValidatingBetweenEpochs(String kind) {
    Run between = fit(kind, false);
    int started = ValidationAlongside.STARTED.get();
    Run beside = fit(kind, true);
    assertEquals(EPOCHS - 1, ValidationAlongside.STARTED.get() - started,
        "every epoch but the last validated beside the next one's steps");
    assertEquals(between.history().loss(), beside.history().loss(), "loss");
    assertEquals(between.history().valLoss(), beside.history().valLoss(), "val_loss");
    assertEquals(between.epochs(), beside.epochs(), "the listener's epochs");
    assertEquals(EPOCHS, beside.history().seconds().size());
    for (int i = 0; i < between.weights().size(); i++) {
      assertArrayEquals(between.weights().get(i), beside.weights().get(i), 0f, "weight " + i);
    }
  }
}
