package rnnbook.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import rnnbook.keras.layers.Activation;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.Dropout;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RecurrentConfig;
import rnnbook.keras.layers.SimpleRNN;

/**
 * Keras layer configs, as Keras 2 ({@code keras_metadata.pb}, {@code .h5}) and Keras 3 ({@code
 * .keras}, {@code .h5}) write them, to this project's layers for inference. Every option is either honoured, known to make no difference once the trained
 * weights are copied in (initializers, regularizers, constraints, {@code unroll}, {@code
 * implementation}, dropout, which is inactive at inference), or rejected in one line naming the
 * layer, the option and its value. An option this class does not know is rejected too, since it
 * cannot tell whether it changes the output.
 */
public final class KerasLayers {
  /** The Keras classes this project rebuilds ({@code InputLayer} is the model's input, not a layer). */
  public static final List<String> SUPPORTED =
      List.of("InputLayer", "SimpleRNN", "LSTM", "GRU", "Dense", "Dropout");

  private static final Set<String> BASE = Set.of("name", "trainable", "dtype", "batch_input_shape");
  private static final Set<String> RNN = Set.of("units", "activation", "use_bias", "return_sequences",
      "return_state", "go_backwards", "stateful", "unroll", "time_major", "zero_output_for_mask",
      "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
      "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
      "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout", "seed");
  private static final Set<String> LSTM_ONLY = Set.of("recurrent_activation", "unit_forget_bias", "implementation");
  private static final Set<String> GRU_ONLY = Set.of("recurrent_activation", "implementation", "reset_after");
  private static final Set<String> DENSE = Set.of("units", "activation", "use_bias", "kernel_initializer",
      "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
      "kernel_constraint", "bias_constraint", "quantization_config", "lora_rank", "lora_alpha");
  private static final Set<String> DROPOUT = Set.of("rate", "noise_shape", "seed");
  private static final Set<String> INPUT =
      Set.of("batch_input_shape", "batch_shape", "dtype", "sparse", "ragged", "name", "optional");

  private KerasLayers() {}

  /**
   * A layer rebuilt from its config: the layer (named as in Keras), the call that would build it
   * in Keras, and the names of its weights in {@code get_weights()} order, which sit on the layer's
   * object graph node, or on its {@code cell} child for a recurrent layer.
   */
  public record Converted(Layer layer, String keras, List<String> weights, boolean inCell) {}

  /** Refuses, in one line, a layer class that rnnbook does not rebuild. */
  public static void requireSupported(String where, String className, JsonNode config) {
    if (!SUPPORTED.contains(className) || className.equals("InputLayer")) {
      throw new IllegalArgumentException(where + ": layer '" + config.path("name").asText("?") + "' (" + className
          + ") cannot be rebuilt by rnnbook; supported layers are " + SUPPORTED);
    }
  }

  /** Whether weights of {@code className} sit on its cell ({@code lstm/lstm_cell/kernel}). */
  public static boolean isRecurrent(String className) {
    return className.equals("SimpleRNN") || className.equals("LSTM") || className.equals("GRU");
  }

  /** Rebuilds the Keras layer {@code className} from its {@code config}. */
  public static Converted convert(String className, JsonNode config) {
    String name = config.path("name").asText("");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("a " + className + " layer config has no name: " + config);
    }
    Where w = new Where(name, className);
    return switch (className) {
      case "SimpleRNN", "LSTM", "GRU" -> recurrent(w, config);
      case "Dense" -> dense(w, config);
      case "Dropout" -> dropout(w, config);
      default -> throw new IllegalArgumentException("layer '" + name + "' (" + className
          + ") cannot be rebuilt by rnnbook; supported layers are " + SUPPORTED);
    };
  }

  /** The sample shape (without batch) of an {@code InputLayer} config; -1 marks an unknown size. */
  public static long[] inputShape(JsonNode config) {
    String name = config.path("name").asText("input");
    Where w = new Where(name, "InputLayer");
    checkKeys(w, config, INPUT);
    checkDtype(w, config);
    if (config.path("sparse").asBoolean(false) || config.path("ragged").asBoolean(false)) {
      throw w.unsupported("sparse or ragged inputs");
    }
    if (config.path("optional").asBoolean(false)) {
      throw w.unsupported("optional=True");
    }
    long[] shape = batchInputShape(config);
    if (shape == null) {
      throw new IllegalArgumentException("layer '" + name + "' (InputLayer) has no batch_shape or batch_input_shape");
    }
    return shape;
  }

  /**
   * The shape after the batch of a config's {@code batch_shape} (Keras 3) or {@code
   * batch_input_shape} (Keras 2), or null when it has none.
   */
  public static long[] batchInputShape(JsonNode config) {
    long[] shape = SequentialConfig.tail(config.path("batch_shape"));
    return shape != null ? shape : SequentialConfig.tail(config.path("batch_input_shape"));
  }

  private static Converted recurrent(Where w, JsonNode c) {
    boolean lstm = w.className.equals("LSTM");
    boolean gru = w.className.equals("GRU");
    Set<String> allowed = new HashSet<>(BASE);
    allowed.addAll(RNN);
    allowed.addAll(lstm ? LSTM_ONLY : gru ? GRU_ONLY : Set.of());
    checkKeys(w, c, allowed);
    checkDtype(w, c);
    for (String flag : List.of("return_state", "go_backwards", "stateful", "time_major")) {
      if (c.path(flag).asBoolean(false)) {
        throw w.unsupported(flag + "=True");
      }
    }
    int units = positiveInt(w, c, "units");
    RecurrentConfig config = RecurrentConfig.of(units)
        .withActivation(activation(w, c, "activation", "tanh"))
        .withUseBias(c.path("use_bias").asBoolean(true))
        .withReturnSequences(c.path("return_sequences").asBoolean(false));
    List<String> args = new ArrayList<>(List.of(Integer.toString(units),
        "activation=" + config.activation().kerasName()));
    if (lstm || gru) {
      config = config.withRecurrentActivation(activation(w, c, "recurrent_activation", "sigmoid"));
      args.add("recurrent_activation=" + config.recurrentActivation().kerasName());
    }
    if (gru) {
      // TF2's default; the saved bias shape, (2, 3u) or (3u,), is checked against it when copied
      config = config.withResetAfter(c.path("reset_after").asBoolean(true));
      args.add("reset_after=" + py(config.resetAfter()));
    }
    if (!config.useBias()) {
      args.add("use_bias=False");
    }
    args.add("return_sequences=" + py(config.returnSequences()));
    for (String rate : List.of("dropout", "recurrent_dropout")) {
      if (c.path(rate).asDouble(0) > 0) {
        args.add(rate + "=" + c.path(rate).asDouble() + " (inactive at inference)");
      }
    }
    Layer layer = switch (w.className) {
      case "SimpleRNN" -> new SimpleRNN(config);
      case "LSTM" -> new LSTM(config);
      default -> new GRU(config);
    };
    layer.setName(w.name);
    List<String> weights = config.useBias() ? List.of("kernel", "recurrent_kernel", "bias")
        : List.of("kernel", "recurrent_kernel");
    return new Converted(layer, w.className + "(" + String.join(", ", args) + ")", weights, true);
  }

  private static Converted dense(Where w, JsonNode c) {
    Set<String> allowed = new HashSet<>(BASE);
    allowed.addAll(DENSE);
    checkKeys(w, c, allowed);
    checkDtype(w, c);
    for (String option : List.of("quantization_config", "lora_rank")) {
      if (!c.path(option).isMissingNode() && !c.path(option).isNull() && !c.path(option).asText().equals("0")) {
        throw w.unsupported(option + "=" + c.path(option));
      }
    }
    int units = positiveInt(w, c, "units");
    Dense.Config config = Dense.Config.of(units)
        .withActivation(activation(w, c, "activation", "linear"))
        .withUseBias(c.path("use_bias").asBoolean(true));
    Dense layer = new Dense(config);
    layer.setName(w.name);
    String keras = "Dense(" + units + ", activation=" + config.activation().kerasName()
        + (config.useBias() ? "" : ", use_bias=False") + ")";
    return new Converted(layer, keras, config.useBias() ? List.of("kernel", "bias") : List.of("kernel"), false);
  }

  private static Converted dropout(Where w, JsonNode c) {
    Set<String> allowed = new HashSet<>(BASE);
    allowed.addAll(DROPOUT);
    checkKeys(w, c, allowed);
    checkDtype(w, c);
    double rate = c.path("rate").asDouble(Double.NaN);
    Dropout layer;
    try {
      layer = new Dropout(rate);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layer '" + w.name + "' (Dropout): " + e.getMessage());
    }
    layer.setName(w.name);
    return new Converted(layer, "Dropout(" + rate + ") (identity at inference)", List.of(), false);
  }

  private static Activation activation(Where w, JsonNode c, String key, String fallback) {
    JsonNode a = c.path(key);
    if (!a.isMissingNode() && !a.isTextual()) {
      throw w.unsupported(key + "=" + a + " (only activations given by name)");
    }
    String name = a.asText(fallback);
    try {
      return Activation.fromKeras(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layer '" + w.name + "' (" + w.className + "): " + key + "='"
          + name + "' is not supported, expected one of "
          + Arrays.stream(Activation.values()).map(Activation::kerasName).toList());
    }
  }

  private static int positiveInt(Where w, JsonNode c, String key) {
    JsonNode v = c.path(key);
    if (!v.canConvertToInt() || v.asInt() < 1) {
      throw new IllegalArgumentException("layer '" + w.name + "' (" + w.className + "): " + key
          + " must be a positive integer, received " + (v.isMissingNode() ? "nothing" : v.toString()));
    }
    return v.asInt();
  }

  /** Keras 2 writes dtype as a string; mixed-precision models as a Policy object. */
  private static void checkDtype(Where w, JsonNode c) {
    JsonNode d = c.path("dtype");
    String dtype = d.isObject() ? d.path("config").path("name").asText("") : d.asText("float32");
    if (!dtype.equals("float32")) {
      throw w.unsupported("dtype='" + dtype + "' (rnnbook rebuilds float32 models)");
    }
  }

  private static void checkKeys(Where w, JsonNode c, Set<String> allowed) {
    for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException("layer '" + w.name + "' (" + w.className + "): option '" + key
            + "' is unknown to rnnbook, which cannot tell whether it changes the output");
      }
    }
  }

  private static String py(boolean b) {
    return b ? "True" : "False";
  }

  private record Where(String name, String className) {
    IllegalArgumentException unsupported(String what) {
      return new IllegalArgumentException(
          "layer '" + name + "' (" + className + "): " + what + " is not supported by rnnbook");
    }
  }
}
