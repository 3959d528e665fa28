package rnnbook.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rnnbook.data.Npy;
import rnnbook.keras.Adam;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;

/**
 * Keras configs, written as Keras 2.15 writes them into keras_metadata.pb, rebuilt as layers and
 * run on the numpy references of src/test/python/make_fixtures.py: options the fixtures do not
 * cover (GRU reset_after=False, Dropout, sigmoid and softmax Dense), and every refusal.
 */
class KerasLayersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path LAYERS = Path.of("src/test/resources/reference/layers");

  /** A GRU config as Keras 2.15's get_config() writes it. */
  private static final String GRU_CONFIG = """
      {"name": "gru", "trainable": true, "dtype": "float32", "batch_input_shape": [null, 6, 4],
       "return_sequences": true, "return_state": false, "go_backwards": false, "stateful": false,
       "unroll": false, "time_major": false, "units": 5, "activation": "tanh",
       "recurrent_activation": "sigmoid", "use_bias": true,
       "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
       "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
       "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
       "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
       "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null,
       "dropout": 0.0, "recurrent_dropout": 0.2, "implementation": 2, "reset_after": false}""";

  private static final String DENSE_CONFIG = """
      {"name": "dense_3", "trainable": true, "dtype": "float32", "units": 3, "activation": "linear",
       "use_bias": true, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
       "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
       "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
       "bias_constraint": null}""";

  private static ObjectNode json(String text) throws IOException {
    return (ObjectNode) JSON.readTree(text);
  }

  private static Npy.Array fixture(String testCase, String name) throws IOException {
    return Npy.read(LAYERS.resolve(testCase).resolve(name + ".npy"));
  }

  @Test
  void gruResetBeforeAndDropoutMatchNumpy() throws IOException {
    KerasLayers.Converted gru = KerasLayers.convert("GRU", json(GRU_CONFIG));
    assertEquals("GRU(5, activation=tanh, recurrent_activation=sigmoid, reset_after=False, "
        + "return_sequences=True, recurrent_dropout=0.2 (inactive at inference))", gru.keras());
    assertEquals(List.of("kernel", "recurrent_kernel", "bias"), gru.weights());
    assertTrue(gru.inCell());
    assertEquals(false, ((GRU) gru.layer()).config().resetAfter());
    KerasLayers.Converted dropout = KerasLayers.convert("Dropout",
        json("{\"name\": \"dropout\", \"trainable\": true, \"dtype\": \"float32\", \"rate\": 0.5, "
            + "\"noise_shape\": null, \"seed\": null}"));
    assertEquals(List.of(), dropout.weights());
    Sequential model = new Sequential(6, 4).add(gru.layer()).add(dropout.layer());
    try (CompiledModel m = model.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 0)) {
      m.setWeights(List.of(fixture("gru_reset_before", "kernel").floats(),
          fixture("gru_reset_before", "recurrent_kernel").floats(), fixture("gru_reset_before", "bias").floats()));
      float[] out = m.predict(fixture("gru_reset_before", "x").floats());
      double[] expected = fixture("gru_reset_before", "y").data();
      assertEquals(expected.length, out.length);
      for (int i = 0; i < out.length; i++) {
        assertEquals(expected[i], out[i], 1e-5, "value " + i);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linear", "relu", "tanh", "sigmoid", "softmax"})
  void denseActivationsMatchNumpyThenTheActivation(String activation) throws IOException {
    ObjectNode config = json(DENSE_CONFIG);
    config.put("activation", activation);
    KerasLayers.Converted dense = KerasLayers.convert("Dense", config);
    assertEquals("Dense(3, activation=" + activation + ")", dense.keras());
    double[] linear = fixture("dense", "y").data(); // x @ kernel + bias, by numpy
    double[] expected = new double[linear.length];
    DoubleUnaryOperator f = switch (activation) {
      case "relu" -> z -> Math.max(0, z);
      case "tanh" -> Math::tanh;
      case "sigmoid" -> z -> 1 / (1 + Math.exp(-z));
      default -> z -> z;
    };
    for (int row = 0; row < linear.length / 3; row++) {
      double sum = 0;
      for (int j = 0; j < 3; j++) {
        expected[row * 3 + j] = activation.equals("softmax") ? Math.exp(linear[row * 3 + j]) : f.applyAsDouble(linear[row * 3 + j]);
        sum += expected[row * 3 + j];
      }
      for (int j = 0; activation.equals("softmax") && j < 3; j++) {
        expected[row * 3 + j] /= sum;
      }
    }
    try (CompiledModel m = new Sequential(4).add(dense.layer())
        .compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 0)) {
      m.setWeights(List.of(fixture("dense", "kernel").floats(), fixture("dense", "bias").floats()));
      float[] out = m.predict(fixture("dense", "x").floats());
      for (int i = 0; i < out.length; i++) {
        assertEquals(expected[i], out[i], 1e-5, activation + " value " + i);
      }
    }
  }

  @Test
  void useBiasFalseDropsTheBias() throws IOException {
    ObjectNode lstm = json(GRU_CONFIG);
    lstm.remove("reset_after");
    lstm.put("name", "lstm").put("use_bias", false).put("unit_forget_bias", true);
    KerasLayers.Converted c = KerasLayers.convert("LSTM", lstm);
    assertEquals(List.of("kernel", "recurrent_kernel"), c.weights());
    assertEquals(4 * (4 * 5 + 5 * 5), ((LSTM) c.layer()).countParams(new long[] {6, 4}));
    ObjectNode dense = json(DENSE_CONFIG);
    dense.put("use_bias", false);
    assertEquals(List.of("kernel"), KerasLayers.convert("Dense", dense).weights());
  }

  @Test
  void inputLayerGivesTheShape() throws IOException {
    JsonNode input = json("{\"batch_input_shape\": {\"class_name\": \"__tuple__\", \"items\": [null, 100, 2]}, "
        + "\"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"lstm_input\"}");
    assertEquals(List.of(100L, 2L), java.util.Arrays.stream(KerasLayers.inputShape(input)).boxed().toList());
    JsonNode open = json("{\"batch_input_shape\": [null, null, 1], \"dtype\": \"float32\", \"name\": \"x\"}");
    assertEquals(List.of(-1L, 1L), java.util.Arrays.stream(KerasLayers.inputShape(open)).boxed().toList());
  }

  @Test
  void whatCannotBeRebuiltIsNamedInOneLine() throws IOException {
    assertRefused("GRU", with(GRU_CONFIG, "go_backwards", true),
        "layer 'gru' (GRU): go_backwards=True is not supported by rnnbook");
    assertRefused("GRU", with(GRU_CONFIG, "return_state", true), "return_state=True is not supported");
    assertRefused("GRU", with(GRU_CONFIG, "stateful", true), "stateful=True is not supported");
    assertRefused("GRU", with(GRU_CONFIG, "time_major", true), "time_major=True is not supported");
    assertRefused("GRU", with(GRU_CONFIG, "recurrent_activation", "hard_sigmoid"),
        "layer 'gru' (GRU): recurrent_activation='hard_sigmoid' is not supported, expected one of "
            + "[linear, tanh, sigmoid, relu, softmax]");
    assertRefused("GRU", with(GRU_CONFIG, "dtype", "float64"), "dtype='float64' (rnnbook rebuilds float32 models)");
    ObjectNode mixed = json(GRU_CONFIG);
    mixed.putObject("dtype").put("class_name", "Policy").putObject("config").put("name", "mixed_float16");
    assertRefused("GRU", mixed, "dtype='mixed_float16'");
    assertRefused("GRU", with(GRU_CONFIG, "units", 0), "layer 'gru' (GRU): units must be a positive integer, received 0");
    assertRefused("GRU", with(GRU_CONFIG, "zoneout", 0.1),
        "layer 'gru' (GRU): option 'zoneout' is unknown to rnnbook, which cannot tell whether it changes the output");
    assertRefused("Dense", with(DENSE_CONFIG, "activation", "gelu"), "activation='gelu' is not supported");
    assertRefused("Dropout", json("{\"name\": \"dropout\", \"rate\": 1.0}"), "layer 'dropout' (Dropout): Invalid value");
    assertRefused("Embedding", json("{\"name\": \"embedding\", \"input_dim\": 100}"),
        "layer 'embedding' (Embedding) cannot be rebuilt by rnnbook; supported layers are "
            + "[InputLayer, SimpleRNN, LSTM, GRU, Dense, Dropout]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasLayers.inputShape(
        json("{\"batch_input_shape\": [null, 3], \"sparse\": true, \"name\": \"in\"}")));
    assertEquals("layer 'in' (InputLayer): sparse or ragged inputs is not supported by rnnbook", e.getMessage());
  }

  private static ObjectNode with(String config, String key, Object value) throws IOException {
    ObjectNode node = json(config);
    node.set(key, JSON.valueToTree(value));
    return node;
  }

  private static void assertRefused(String className, JsonNode config, String fragment) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KerasLayers.convert(className, config));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }
}
