package rnnbook.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@link KerasModel} of a legacy HDF5 file ({@code model.save("m.h5")}), as tf.keras 2.x and
 * Keras 3 write it: the architecture in the root's {@code model_config} attribute (JSON), the
 * weights under {@code model_weights/<layer>/}, whose {@code weight_names} attribute lists them in
 * {@code get_weights()} order by their path in the group ({@code lstm/lstm_cell/kernel:0} from
 * tf.keras 2, {@code sequential/lstm/lstm_cell/kernel} from Keras 3).
 */
public final class LegacyH5Reader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LegacyH5Reader() {}

  public static KerasModel read(Path file) {
    try (HdfFile h5 = Hdf5.open(file)) {
      return read(h5, file.toString());
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw Hdf5.unreadable(file.toString(), e);
    }
  }

  static KerasModel read(HdfFile h5, String where) {
    String config = Hdf5.string(h5, "model_config");
    if (config == null) {
      boolean weightsOnly = h5.getAttributes().containsKey("layer_names")
          || h5.getChildren().containsKey("model_weights") || h5.getChildren().containsKey("layers")
          || h5.getChildren().containsKey("_layer_checkpoint_dependencies");
      throw new IllegalArgumentException(where + (weightsOnly
          ? " holds weights only (model.save_weights), no architecture: expected a model_config attribute, "
              + "as model.save(\"model.h5\") writes, or a .keras archive"
          : " is an HDF5 file but not a Keras model: it has no model_config attribute"));
    }
    JsonNode root;
    try {
      root = JSON.readTree(config);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": model_config is not JSON: " + e.getOriginalMessage());
    }
    SequentialConfig sequential = SequentialConfig.parse(root, where);
    Node weightsNode = h5.getChildren().get("model_weights");
    if (!(weightsNode instanceof Group weights)) {
      throw new IllegalArgumentException(where + " has a model_config but no model_weights group");
    }
    List<String> layerNames = Hdf5.strings(weights, "layer_names");
    Set<String> unused = new HashSet<>(layerNames == null ? List.of() : layerNames);
    List<KerasModel.Layer> layers = new ArrayList<>();
    for (SequentialConfig.Entry e : sequential.layers()) {
      KerasLayers.requireSupported(where, e.className(), e.config());
      String name = e.config().path("name").asText("");
      unused.remove(name);
      layers.add(new KerasModel.Layer(e.className(), e.config(), layerWeights(weights, name, e, where)));
    }
    unused.removeIf(n -> !hasWeights(weights, n));
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(where + ": model_weights holds weights of layers " + unused.stream().sorted().toList()
          + " that the model_config does not have");
    }
    String version = Hdf5.string(h5, "keras_version");
    return new KerasModel(where, (version == null ? "Keras" : "Keras " + version) + " legacy .h5",
        sequential.name(), sequential.inputShape(), sequential.inputName(), layers);
  }

  private static List<KerasModel.Weight> layerWeights(Group weights, String name, SequentialConfig.Entry e,
      String where) {
    String what = where + ": layer '" + name + "' (" + e.className() + ")";
    Node node = weights.getChildren().get(name);
    if (!(node instanceof Group group)) {
      if (e.className().equals("Dropout")) {
        return List.of();
      }
      throw new IllegalArgumentException(what + " has no group model_weights/" + name);
    }
    List<String> names = Hdf5.strings(group, "weight_names");
    if (names == null) {
      names = List.of(); // as Keras reads it
    }
    List<KerasModel.Weight> out = new ArrayList<>();
    for (String w : names) {
      Node d;
      try {
        d = group.getByPath(w);
      } catch (RuntimeException missing) {
        d = null;
      }
      if (!(d instanceof Dataset dataset)) {
        throw new IllegalArgumentException(what + ": weight_names lists " + w + ", which model_weights/" + name
            + " does not hold as a dataset");
      }
      out.add(Hdf5.weight(dataset, w));
    }
    return out;
  }

  private static boolean hasWeights(Group weights, String layer) {
    Node n = weights.getChildren().get(layer);
    if (!(n instanceof Group g)) {
      return false;
    }
    List<String> names = Hdf5.strings(g, "weight_names");
    return names != null && !names.isEmpty();
  }
}
