package rnnbook.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rnnbook.io.KerasSavedModel.Floats;
import rnnbook.io.KerasSavedModel.SignatureSpec;
import rnnbook.io.KerasSavedModel.TensorSpec;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.Shapes;

/**
 * Rebuilds a Keras 2 {@code Sequential} SavedModel as this project's {@link Sequential} with its
 * trained weights.
 *
 * <p>The architecture is the root's Keras config (the {@code layers} list that Keras's own {@code
 * from_config} reads). The weights are found through the object graph: the root's {@code
 * layer-N} children are the layers, a layer's {@code kernel} and {@code bias} children (on its
 * {@code cell} for a recurrent layer) are its variables, and {@link KerasSavedModel#variable}
 * reads each one. Every variable of the model must land in a rebuilt layer: nothing is skipped.
 */
public final class KerasImport {
  private KerasImport() {}

  /**
   * One layer of the Keras config beside its Java rebuild. {@code java} is null for the
   * {@code InputLayer}, which is the Java model's input shape rather than a layer.
   */
  public record LayerMatch(String name, String className, String keras, long kerasParams, Layer java,
      long[] javaOutputShape, long javaParams) {}

  /** A trained weight as Keras names it ({@code lstm/lstm_cell/kernel}), with its shape. */
  public record KerasWeight(String name, long[] shape, float[] values) {}

  /** The rebuilt model, the layer by layer match, and the weights in {@code get_weights()} order. */
  public record Imported(Sequential model, List<LayerMatch> layers, List<KerasWeight> weights,
      TensorSpec input, TensorSpec output) {
    /** Compiles the rebuilt model and copies the trained weights in, checking every shape. */
    public CompiledModel compile() {
      CompiledModel compiled = model.compileForInference(Loss.MEAN_SQUARED_ERROR, CompileOptions.of(0));
      try {
        List<CompiledModel.WeightValue> slots = compiled.getWeights();
        if (slots.size() != weights.size()) {
          throw new IllegalArgumentException("the rebuilt model has " + slots.size() + " weights, the SavedModel "
              + weights.size());
        }
        List<float[]> values = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
          KerasWeight w = weights.get(i);
          if (!Arrays.equals(slots.get(i).shape(), w.shape())) {
            throw new IllegalArgumentException("weight " + w.name() + ": the SavedModel holds shape "
                + Shapes.format(w.shape()) + ", the rebuilt " + slots.get(i).name() + " expects "
                + Shapes.format(slots.get(i).shape()));
          }
          values.add(w.values());
        }
        compiled.setWeights(values);
        return compiled;
      } catch (RuntimeException e) {
        compiled.close();
        throw e;
      }
    }
  }

  /**
   * Rebuilds the model of {@code saved}. {@code sampleShape} (without batch, may be null) fills
   * sizes the model leaves open, such as {@code (None, None, 1)}, from the data to be fed.
   */
  public static Imported rebuild(KerasSavedModel saved, long[] sampleShape) throws IOException {
    if (saved.objectGraph().getNodesCount() == 0) {
      throw new IllegalArgumentException("not a Keras Sequential: the SavedModel at " + saved.dir()
          + " has no object graph (a TF1-style SavedModel)");
    }
    KerasMetadata meta = KerasMetadata.read(saved.dir(), saved.objectGraph());
    KerasMetadata.Entry root = meta.node(0).orElseThrow(() -> new IllegalArgumentException(
        "not a Keras Sequential: the SavedModel at " + saved.dir() + " has no Keras metadata (no "
            + "keras_metadata.pb, and its root object is a plain '"
            + saved.node(0).getUserObject().getIdentifier() + "', such as tf.saved_model.save writes "
            + "for a tf.Module)"));
    if (!root.className().equals("Sequential")) {
      throw new IllegalArgumentException("not a Keras Sequential: the root object of " + saved.dir()
          + " is a Keras " + (root.className().isEmpty() ? "object" : root.className()) + " ("
          + root.identifier() + "); only Sequential models can be rebuilt");
    }
    JsonNode config = root.metadata().path("config");
    JsonNode layers = config.path("layers");
    if (!layers.isArray() || layers.isEmpty()) {
      throw new IllegalArgumentException("the Sequential config in " + meta.source() + " of " + saved.dir()
          + " has no layers");
    }
    SignatureSpec sig = saved.signature(KerasSavedModel.SERVING_DEFAULT);
    if (sig.inputs().size() != 1 || sig.outputs().size() != 1) {
      throw new IllegalArgumentException("signature serving_default of " + saved.dir()
          + " must have one input and one output, found " + sig.inputs().size() + " and " + sig.outputs().size());
    }
    Map<String, Integer> nodesByName = layerNodes(saved, meta);

    long[] declared = null;
    List<KerasLayers.Converted> converted = new ArrayList<>();
    List<LayerMatch> matches = new ArrayList<>();
    List<KerasWeight> weights = new ArrayList<>();
    List<Long> kerasParams = new ArrayList<>();
    List<String> inputNames = new ArrayList<>();
    for (JsonNode entry : layers) {
      String className = entry.path("class_name").asText("");
      JsonNode layerConfig = entry.path("config");
      if (className.equals("InputLayer")) {
        declared = KerasLayers.inputShape(layerConfig);
        inputNames.add(layerConfig.path("name").asText("input"));
        continue;
      }
      if (declared == null && converted.isEmpty()) {
        declared = KerasLayers.batchInputShape(layerConfig);
      }
      KerasLayers.Converted c = KerasLayers.convert(className, layerConfig);
      long params = 0;
      if (!c.weights().isEmpty()) {
        List<KerasWeight> own = layerWeights(saved, nodesByName, c);
        for (KerasWeight w : own) {
          params += w.values().length;
        }
        weights.addAll(own);
      }
      converted.add(c);
      kerasParams.add(params);
    }
    if (converted.isEmpty()) {
      throw new IllegalArgumentException("the Sequential of " + saved.dir() + " has no layers besides its input");
    }
    checkAllVariablesUsed(saved, weights.size());

    long[] inputShape = resolveInputShape(saved, declared, sig.inputs().get(0), sampleShape);
    Sequential model = new Sequential(config.path("name").asText(root.metadata().path("name").asText("sequential")),
        inputShape);
    for (String input : inputNames) {
      matches.add(new LayerMatch(input, "InputLayer", "InputLayer(batch_input_shape="
          + Shapes.withBatch(inputShape) + ")", 0, null, inputShape, 0));
    }
    for (int i = 0; i < converted.size(); i++) {
      KerasLayers.Converted c = converted.get(i);
      long[] in = model.outputShape();
      model.add(c.layer());
      matches.add(new LayerMatch(c.layer().name(), c.layer().className(), c.keras(), kerasParams.get(i),
          c.layer(), model.outputShape(), c.layer().countParams(in)));
    }
    TensorSpec output = sig.outputs().get(0);
    checkOutputShape(saved, model, output);
    return new Imported(model, matches, weights, sig.inputs().get(0), output);
  }

  /** Layer name to object graph node, from the root's {@code layer-N} children. */
  private static Map<String, Integer> layerNodes(KerasSavedModel saved, KerasMetadata meta) {
    Map<String, Integer> out = new HashMap<>();
    saved.children(0).forEach((local, id) -> {
      if (local.matches("layer-\\d+")) {
        meta.node(id).ifPresent(e -> {
          String name = e.metadata().path("name").asText(e.metadata().path("config").path("name").asText(""));
          out.putIfAbsent(name, id);
        });
      }
    });
    return out;
  }

  private static List<KerasWeight> layerWeights(KerasSavedModel saved, Map<String, Integer> nodesByName,
      KerasLayers.Converted c) {
    String name = c.layer().name();
    Integer node = nodesByName.get(name);
    if (node == null) {
      throw new IllegalArgumentException("layer '" + name + "' of the config has no object in the object graph of "
          + saved.dir() + " (its layer-N children are " + nodesByName.keySet().stream().sorted().toList() + ")");
    }
    int holder = node;
    if (c.inCell()) {
      holder = saved.child(node, "cell");
      if (holder < 0) {
        throw new IllegalArgumentException("layer '" + name + "' (" + c.layer().className()
            + ") has no cell in the object graph of " + saved.dir());
      }
    }
    int listed = saved.child(node, "variables");
    if (listed >= 0 && saved.node(listed).getChildrenCount() != c.weights().size()) {
      throw new IllegalArgumentException("layer '" + name + "' (" + c.layer().className() + ") holds "
          + saved.node(listed).getChildrenCount() + " variables in " + saved.dir() + ", rnnbook's rebuild uses "
          + c.weights().size() + " " + c.weights());
    }
    List<KerasWeight> out = new ArrayList<>();
    for (String w : c.weights()) {
      int id = saved.child(holder, w);
      if (id < 0 || !saved.node(id).hasVariable()) {
        throw new IllegalArgumentException("layer '" + name + "' (" + c.layer().className() + ") has no variable '"
            + w + "' in the object graph of " + saved.dir());
      }
      Floats value = saved.variable(id);
      out.add(new KerasWeight(saved.savedVariable(id).getName(), value.shape(), value.values()));
    }
    return out;
  }

  /** The root's {@code variables} list is the model's weights: each must belong to a rebuilt layer. */
  private static void checkAllVariablesUsed(KerasSavedModel saved, int used) {
    int list = saved.child(0, "variables");
    if (list >= 0 && saved.node(list).getChildrenCount() != used) {
      throw new IllegalArgumentException("the model in " + saved.dir() + " holds " + saved.node(list).getChildrenCount()
          + " variables, the rebuilt layers use " + used);
    }
  }

  private static long[] resolveInputShape(KerasSavedModel saved, long[] declared, TensorSpec input,
      long[] sampleShape) {
    long[] shape = declared;
    if (shape == null && input.shape() != null && input.shape().length > 1) {
      shape = Arrays.copyOfRange(input.shape(), 1, input.shape().length);
    }
    if (shape == null) {
      if (sampleShape == null) {
        throw new IllegalArgumentException("the input shape of the model in " + saved.dir()
            + " is unknown; give inputs to take it from");
      }
      return sampleShape.clone();
    }
    shape = shape.clone();
    for (int i = 0; i < shape.length; i++) {
      if (sampleShape != null && (sampleShape.length != shape.length || (shape[i] >= 0 && shape[i] != sampleShape[i]))) {
        throw new IllegalArgumentException("inputs of shape " + Shapes.withBatch(sampleShape)
            + " do not fit the model's input " + withNone(shape));
      }
      if (shape[i] < 0) {
        if (sampleShape == null) {
          throw new IllegalArgumentException("the model's input shape " + withNone(shape)
              + " leaves sizes besides the batch open; give inputs to take them from");
        }
        shape[i] = sampleShape[i];
      }
    }
    return shape;
  }

  private static void checkOutputShape(KerasSavedModel saved, Sequential model, TensorSpec output) {
    long[] java = model.outputShape();
    long[] python = output.shape();
    boolean fits = python == null || python.length == java.length + 1;
    for (int i = 0; fits && python != null && i < java.length; i++) {
      fits = python[i + 1] < 0 || python[i + 1] == java[i];
    }
    if (!fits) {
      throw new IllegalArgumentException("the rebuilt model outputs " + Shapes.withBatch(java) + " but output '"
          + output.key() + "' of " + saved.dir() + " is " + output.shapeString());
    }
  }

  static String withNone(long[] shape) {
    StringBuilder b = new StringBuilder("(None");
    for (long d : shape) {
      b.append(", ").append(d < 0 ? "None" : Long.toString(d));
    }
    return b.append(')').toString();
  }
}
