package rnnbook.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.Dropout;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;

/**
 * The Keras 3 config of an rnnbook {@link Sequential}, as {@code model.get_config()} writes it:
 * an {@code InputLayer} of the model's input shape, then each layer with the arguments that
 * decide its output (units, activations, use_bias, return_sequences, reset_after,
 * unit_forget_bias). Arguments that only shape training (initializers, regularizers) are left to
 * Keras's defaults. {@code .keras} archives get Keras 3's {@code module} and {@code build_config}
 * keys; legacy {@code .h5} files get {@code class_name} and {@code config} only, as Keras writes there.
 */
public final class KerasConfigWriter {
  static final ObjectMapper JSON = new ObjectMapper();

  private KerasConfigWriter() {}

  /** The model's config; {@code archive} picks the {@code .keras} form, else the {@code .h5} one. */
  public static ObjectNode sequential(Sequential model, boolean archive) {
    ObjectNode config = JSON.createObjectNode();
    config.put("name", model.name()).put("trainable", true).set("dtype", dtype());
    ArrayNode layers = config.putArray("layers");
    ObjectNode input = JSON.createObjectNode();
    input.set("batch_shape", batchShape(model.inputShape()));
    input.put("dtype", "float32").put("sparse", false).put("ragged", false).put("name", "input_layer");
    layers.add(entry("InputLayer", input, null, archive));
    long[] in = model.inputShape();
    for (int i = 0; i < model.layers().size(); i++) {
      Layer layer = model.layers().get(i);
      layers.add(entry(layer.className(), layerConfig(layer), in, archive));
      in = layer.outputShape(in);
    }
    ObjectNode root = entry("Sequential", config, null, archive);
    if (archive) {
      root.put("module", "keras").putObject("build_config").set("input_shape", batchShape(model.inputShape()));
    }
    return root;
  }

  private static ObjectNode entry(String className, ObjectNode config, long[] inputShape, boolean archive) {
    ObjectNode e = JSON.createObjectNode();
    if (archive) {
      e.put("module", "keras.layers");
    }
    e.put("class_name", className).set("config", config);
    if (archive) {
      e.putNull("registered_name");
      if (inputShape != null) {
        e.putObject("build_config").set("input_shape", batchShape(inputShape));
      }
    }
    return e;
  }

  static ObjectNode layerConfig(Layer layer) {
    ObjectNode c = JSON.createObjectNode();
    c.put("name", layer.name()).put("trainable", true).set("dtype", dtype());
    if (layer instanceof RNN r) {
      var rc = r.config();
      c.put("units", rc.units()).put("activation", rc.activation().kerasName());
      if (r instanceof LSTM || r instanceof GRU) {
        c.put("recurrent_activation", rc.recurrentActivation().kerasName());
      }
      c.put("use_bias", rc.useBias()).put("return_sequences", rc.returnSequences()).put("return_state", false);
      if (r instanceof LSTM) {
        c.put("unit_forget_bias", rc.unitForgetBias());
      }
      if (r instanceof GRU) {
        c.put("reset_after", rc.resetAfter());
      }
    } else if (layer instanceof Dense d) {
      c.put("units", d.config().units()).put("activation", d.config().activation().kerasName())
          .put("use_bias", d.config().useBias());
    } else if (layer instanceof Dropout d) {
      c.put("rate", d.rate());
    } else {
      throw new IllegalArgumentException("layer '" + layer.name() + "' (" + layer.className()
          + ") has no Keras config writer; rnnbook writes " + List.of("SimpleRNN", "LSTM", "GRU", "Dense", "Dropout"));
    }
    return c;
  }

  /** How many weights {@code layer} has in {@code get_weights()}. */
  static int weightCount(Layer layer) {
    if (layer instanceof RNN r) {
      return r.config().useBias() ? 3 : 2;
    }
    if (layer instanceof Dense d) {
      return d.config().useBias() ? 2 : 1;
    }
    return 0;
  }

  private static ObjectNode dtype() {
    ObjectNode d = JSON.createObjectNode();
    d.put("module", "keras").put("class_name", "DTypePolicy").putObject("config").put("name", "float32");
    d.putNull("registered_name");
    return d;
  }

  private static ArrayNode batchShape(long[] shape) {
    ArrayNode a = JSON.createArrayNode().addNull();
    for (long d : shape) {
      a.add(d);
    }
    return a;
  }
}
