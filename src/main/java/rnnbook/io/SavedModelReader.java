package rnnbook.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rnnbook.io.KerasSavedModel.Floats;

/**
 * The {@link KerasModel} of a Keras 2 SavedModel ({@code model.save(dir)}, TF 2.1 to 2.15).
 *
 * <p>The architecture is the root's Keras config (the {@code layers} list that Keras's own {@code
 * from_config} reads). The weights are found through the object graph: the root's {@code
 * layer-N} children are the layers, and a layer's {@code kernel}, {@code recurrent_kernel} and
 * {@code bias} children (on its {@code cell} for a recurrent layer) are its variables, in that
 * order, read by {@link KerasSavedModel#variable}. Every variable of the model must land in a
 * layer: nothing is skipped.
 */
public final class SavedModelReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> WEIGHT_NAMES = List.of("kernel", "recurrent_kernel", "bias");

  private SavedModelReader() {}

  /** Reads the model of the loaded SavedModel {@code saved}. */
  public static KerasModel read(KerasSavedModel saved) throws IOException {
    if (saved.objectGraph().getNodesCount() == 0) {
      if (Files.isRegularFile(saved.dir().resolve(SavedModels.KERAS_CONFIG))) {
        return readOwn(saved);
      }
      throw new IllegalArgumentException("not a Keras Sequential: the SavedModel at " + saved.dir()
          + " has no object graph (a TF1-style SavedModel) and no " + SavedModels.KERAS_CONFIG);
    }
    KerasMetadata meta = KerasMetadata.read(saved.dir(), saved.objectGraph());
    KerasMetadata.Entry root = meta.node(0).orElseThrow(() -> new IllegalArgumentException(
        "not a Keras Sequential: the SavedModel at " + saved.dir() + " has no Keras metadata (no "
            + "keras_metadata.pb, and its root object is a plain '"
            + saved.node(0).getUserObject().getIdentifier() + "', such as tf.saved_model.save and "
            + "Keras 3's model.export write; give the architecture with --architecture)"));
    if (!root.className().equals("Sequential")) {
      throw new IllegalArgumentException("not a Keras Sequential: the root object of " + saved.dir()
          + " is a Keras " + (root.className().isEmpty() ? "object" : root.className()) + " ("
          + root.identifier() + "); only Sequential models can be rebuilt");
    }
    String where = meta.source() + " of " + saved.dir();
    SequentialConfig config = SequentialConfig.parse(root.metadata(), where);
    Map<String, Integer> nodesByName = layerNodes(saved, meta);
    List<KerasModel.Layer> layers = new ArrayList<>();
    int used = 0;
    for (SequentialConfig.Entry e : config.layers()) {
      KerasLayers.requireSupported(saved.dir().toString(), e.className(), e.config());
      List<KerasModel.Weight> weights = layerWeights(saved, nodesByName, e);
      used += weights.size();
      layers.add(new KerasModel.Layer(e.className(), e.config(), weights));
    }
    int list = saved.child(0, "variables");
    if (list >= 0 && saved.node(list).getChildrenCount() != used) {
      throw new IllegalArgumentException("the model in " + saved.dir() + " holds "
          + saved.node(list).getChildrenCount() + " variables, its layers' kernels and biases are " + used);
    }
    String version = saved.tensorflowVersion();
    return new KerasModel(saved.dir().toString(),
        "Keras 2 SavedModel" + (version.isEmpty() ? "" : " (TensorFlow " + version + ")"),
        root.metadata().path("config").path("name").asText(root.metadata().path("name").asText("sequential")),
        config.inputShape(), config.inputName(), layers);
  }

  /**
   * A SavedModel this project exported: its Keras config in {@code assets.extra}, its weights the
   * graph variables {@code <layer>/kernel}, {@code <layer>/recurrent_kernel}, {@code <layer>/bias}.
   */
  private static KerasModel readOwn(KerasSavedModel saved) throws IOException {
    Path file = saved.dir().resolve(SavedModels.KERAS_CONFIG);
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not JSON: " + e.getOriginalMessage());
    }
    SequentialConfig config = SequentialConfig.parse(root, file.toString());
    Set<String> variables = new HashSet<>(saved.graphVariableNames("VariableV2"));
    List<KerasModel.Layer> layers = new ArrayList<>();
    for (SequentialConfig.Entry e : config.layers()) {
      KerasLayers.requireSupported(saved.dir().toString(), e.className(), e.config());
      String name = e.config().path("name").asText("");
      List<KerasModel.Weight> weights = new ArrayList<>();
      for (String w : WEIGHT_NAMES) {
        if (variables.contains(name + "/" + w)) {
          Floats value = saved.graphVariable(name + "/" + w);
          weights.add(new KerasModel.Weight(name + "/" + w, value.shape(), value.values()));
        }
      }
      layers.add(new KerasModel.Layer(e.className(), e.config(), weights));
    }
    return new KerasModel(saved.dir().toString(), "rnnbook SavedModel", config.name(), config.inputShape(),
        config.inputName(), layers);
  }

  /** Layer name to object graph node, from the root's {@code layer-N} children. */
  private static Map<String, Integer> layerNodes(KerasSavedModel saved, KerasMetadata meta) {
    Map<String, Integer> out = new HashMap<>();
    saved.children(0).forEach((local, id) -> {
      if (local.matches("layer-\\d+")) {
        meta.node(id).ifPresent(e -> {
          JsonNode m = e.metadata();
          out.putIfAbsent(m.path("name").asText(m.path("config").path("name").asText("")), id);
        });
      }
    });
    return out;
  }

  private static List<KerasModel.Weight> layerWeights(KerasSavedModel saved, Map<String, Integer> nodesByName,
      SequentialConfig.Entry e) {
    String name = e.config().path("name").asText("");
    String what = "layer '" + name + "' (" + e.className() + ")";
    Integer node = nodesByName.get(name);
    if (node == null) {
      throw new IllegalArgumentException(what + " of the config has no object in the object graph of "
          + saved.dir() + " (its layer-N children are " + nodesByName.keySet().stream().sorted().toList() + ")");
    }
    int holder = node;
    if (KerasLayers.isRecurrent(e.className())) {
      holder = saved.child(node, "cell");
      if (holder < 0) {
        throw new IllegalArgumentException(what + " has no cell in the object graph of " + saved.dir());
      }
    }
    List<KerasModel.Weight> out = new ArrayList<>();
    for (String w : WEIGHT_NAMES) {
      int id = saved.child(holder, w);
      if (id >= 0 && saved.node(id).hasVariable()) {
        Floats value = saved.variable(id);
        out.add(new KerasModel.Weight(saved.savedVariable(id).getName(), value.shape(), value.values()));
      }
    }
    int listed = saved.child(node, "variables");
    if (listed >= 0 && saved.node(listed).getChildrenCount() != out.size()) {
      throw new IllegalArgumentException(what + " holds " + saved.node(listed).getChildrenCount()
          + " variables in " + saved.dir() + ", of which rnnbook found " + out.size() + " among " + WEIGHT_NAMES);
    }
    return out;
  }
}
