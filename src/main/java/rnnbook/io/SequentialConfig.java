package rnnbook.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The Keras config of a {@code Sequential} ({@code {"class_name": "Sequential", "config": {...}}}),
 * as {@code config.json} of a {@code .keras} archive, the {@code model_config} attribute of a
 * legacy {@code .h5} and a Keras 2 SavedModel's metadata hold it: the model's name, its declared
 * input, and its layers in order, each as class name and config.
 */
record SequentialConfig(String name, long[] inputShape, String inputName, List<Entry> layers) {
  /** One layer of the list: its Keras class and {@code get_config()}. */
  record Entry(String className, JsonNode config) {}

  /**
   * Reads {@code root}; {@code where} names the file for messages. Keras 2.0 to 2.2 wrote the
   * layers as the config itself, later versions as its {@code layers} list.
   */
  static SequentialConfig parse(JsonNode root, String where) {
    String className = root.path("class_name").asText("");
    if (!className.equals("Sequential")) {
      throw new IllegalArgumentException("not a Keras Sequential: " + where + " holds a "
          + (className.isEmpty() ? "config without class_name" : "Keras " + className)
          + "; only Sequential models can be rebuilt");
    }
    JsonNode config = root.path("config");
    JsonNode layers = config.isArray() ? config : config.path("layers");
    if (!layers.isArray() || layers.isEmpty()) {
      throw new IllegalArgumentException("the Sequential config in " + where + " has no layers");
    }
    long[] declared = null;
    String inputName = null;
    List<Entry> entries = new ArrayList<>();
    for (JsonNode layer : layers) {
      String cls = layer.path("class_name").asText("");
      JsonNode layerConfig = layer.path("config");
      if (cls.isEmpty() || !layerConfig.isObject()) {
        throw new IllegalArgumentException("a layer of the Sequential config in " + where
            + " has no class_name or config: " + abbreviate(layer.toString()));
      }
      if (cls.equals("InputLayer")) {
        if (!entries.isEmpty() || inputName != null) {
          throw new IllegalArgumentException("the Sequential config in " + where
              + " has an InputLayer after its first layer");
        }
        declared = KerasLayers.inputShape(layerConfig);
        inputName = layerConfig.path("name").asText("input");
        continue;
      }
      if (declared == null && entries.isEmpty()) {
        declared = KerasLayers.batchInputShape(layerConfig);
        if (declared == null) {
          declared = tail(layer.path("build_config").path("input_shape"));
        }
      }
      entries.add(new Entry(cls, layerConfig));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("the Sequential in " + where + " has no layers besides its input");
    }
    if (declared == null) {
      declared = tail(config.path("build_input_shape"));
    }
    if (declared == null) {
      declared = tail(root.path("build_config").path("input_shape"));
    }
    String name = config.isObject() ? config.path("name").asText("sequential") : "sequential";
    return new SequentialConfig(name, declared, inputName, entries);
  }

  /** The sizes after the batch of a shape list {@code [null, 100, 2]}; null when there is none. */
  static long[] tail(JsonNode shape) {
    if (shape.isObject()) {
      shape = shape.path("items"); // Keras 2's {"class_name": "__tuple__", "items": [...]}
    }
    if (!shape.isArray() || shape.size() < 2) {
      return null;
    }
    long[] out = new long[shape.size() - 1];
    for (int i = 1; i < shape.size(); i++) {
      out[i - 1] = shape.get(i).isNull() ? -1 : shape.get(i).asLong();
    }
    return out;
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
