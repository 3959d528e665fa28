package rnnbook.chapter7;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RecurrentConfig;
import rnnbook.keras.layers.SimpleRNN;

/**
 * The notebook's three models, each {@code Sequential([R(30, return_sequences=True,
 * input_shape=[timesteps, 2]), R(30), Dense(1)])} for R in SimpleRNN, LSTM and GRU. The key
 * ({@code simple_rnn}, {@code lstm}, {@code gru}) names folders and rows in every output.
 */
public enum BookModel {
  SIMPLE_RNN("simple_rnn", "sequential", SimpleRNN::new),
  LSTM("lstm", "sequential_1", LSTM::new),
  GRU("gru", "sequential_2", GRU::new);

  /** Units of each recurrent layer in the notebook. */
  public static final int UNITS = 30;

  private final String key;
  private final String kerasModelName;
  private final Function<RecurrentConfig, Layer> layer;

  BookModel(String key, String kerasModelName, Function<RecurrentConfig, Layer> layer) {
    this.key = key;
    this.kerasModelName = kerasModelName;
    this.layer = layer;
  }

  public String key() {
    return key;
  }

  /**
   * A fresh, unbuilt model for sequences of {@code timesteps} rows of (marker, value); how its
   * recurrent layers run is chosen when it is compiled.
   */
  public Sequential create(int timesteps) {
    RecurrentConfig config = RecurrentConfig.of(UNITS);
    return new Sequential(kerasModelName, timesteps, 2)
        .add(layer.apply(config.withReturnSequences(true)))
        .add(layer.apply(config))
        .add(new Dense(1));
  }

  /** Looks a model up by key; unknown keys are rejected with the valid ones listed. */
  public static BookModel fromKey(String key) {
    String k = key.trim().toLowerCase(Locale.ROOT);
    for (BookModel m : values()) {
      if (m.key.equals(k)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown model '" + key + "', expected one of " + Arrays.stream(values()).map(BookModel::key).toList());
  }
}
