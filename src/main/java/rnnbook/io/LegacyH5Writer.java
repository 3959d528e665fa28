package rnnbook.io;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import rnnbook.data.AtomicWrite;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;

/**
 * Writes a legacy HDF5 model file as Keras 3 does for {@code model.save("m.h5")}: the config in
 * the root's {@code model_config} attribute, each layer's weights under {@code
 * model_weights/<layer>/<model>/<layer>[/<cell>]/<weight>} listed in its {@code weight_names}
 * attribute. Strings are fixed-length UTF-8 (jhdf's), which Keras reads as well as h5py's
 * variable-length ones. Layers without weights (Dropout) have no group. The file appears whole or
 * not at all.
 */
public final class LegacyH5Writer {
  private LegacyH5Writer() {}

  public static void write(Sequential model, List<KerasModel.Weight> weights, Path file) throws IOException {
    String config = KerasConfigWriter.JSON.writeValueAsString(KerasConfigWriter.sequential(model, false));
    AtomicWrite.file(file, tmp -> {
      try (WritableHdfFile f = HdfFile.write(tmp)) {
        f.putAttribute("model_config", config);
        f.putAttribute("keras_version", KerasArchiveWriter.KERAS_LAYOUT);
        f.putAttribute("backend", "tensorflow");
        WritableGroup root = f.putGroup("model_weights");
        // jhdf 0.9.4 writes empty groups that h5py cannot open, so layers without weights, which
        // Keras skips when loading anyway, get no group and are left out of layer_names
        root.putAttribute("layer_names", model.layers().stream().filter(l -> KerasConfigWriter.weightCount(l) > 0)
            .map(Layer::name).toArray(String[]::new));
        root.putAttribute("keras_version", KerasArchiveWriter.KERAS_LAYOUT);
        root.putAttribute("backend", "tensorflow");
        List<List<KerasModel.Weight>> perLayer = new ArrayList<>();
        int next = 0;
        for (Layer layer : model.layers()) {
          int count = KerasConfigWriter.weightCount(layer);
          perLayer.add(weights.subList(next, next + count));
          next += count;
        }
        if (next != weights.size()) {
          throw new IllegalArgumentException("the model's layers take " + next + " weights, received " + weights.size());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < model.layers().size(); i++) {
          order.add(i);
        }
        order.sort(Comparator.comparing(i -> model.layers().get(i).name())); // Keras writes them sorted by name
        for (int i : order) {
          if (!perLayer.get(i).isEmpty()) {
            layerGroup(root, model.name(), model.layers().get(i), perLayer.get(i));
          }
        }
      }
    });
  }

  private static void layerGroup(WritableGroup root, String modelName, Layer layer, List<KerasModel.Weight> weights) {
    WritableGroup g = root.putGroup(layer.name());
    String prefix = modelName + "/" + layer.name() + "/"
        + (layer instanceof RNN ? KerasArchiveReader.snakeCase(layer.className()) + "_cell/" : "");
    List<String> kinds = List.of("kernel", layer instanceof RNN ? "recurrent_kernel" : "bias", "bias");
    String[] names = new String[weights.size()];
    for (int i = 0; i < weights.size(); i++) {
      names[i] = prefix + kinds.get(i);
      Hdf5Writing.dataset(g, names[i], weights.get(i));
    }
    g.putAttribute("weight_names", names);
  }
}
