package rnnbook.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The {@link KerasModel} of a {@code .keras} archive ({@code model.save("m.keras")}): a zip of
 * {@code config.json} (the model's config), {@code metadata.json} (the Keras version) and {@code
 * model.weights.h5}.
 *
 * <p>The weights file names layers by class, not by name: Keras 3 puts the k-th layer of a
 * class under {@code layers/<class in snake_case>[_k]}, tf.keras 2.13 to 2.15 under {@code
 * _layer_checkpoint_dependencies/...} with counters that also count each layer's second entry in
 * that dict (so {@code lstm}, {@code lstm_2}). A layer's weights are {@code vars/0, 1, ...} (on
 * {@code cell/} for a recurrent layer) in {@code get_weights()} order. So the groups of a class,
 * ordered by their counter, are matched to the layers of that class in model order.
 */
public final class KerasArchiveReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ROOTS = List.of("layers", "_layer_checkpoint_dependencies");

  private KerasArchiveReader() {}

  public static KerasModel read(Path file) throws IOException {
    String where = file.toString();
    try (ZipFile zip = open(file)) {
      JsonNode config = json(zip, "config.json", where, true);
      JsonNode metadata = json(zip, "metadata.json", where, false);
      SequentialConfig sequential = SequentialConfig.parse(config, where + " (config.json)");
      for (SequentialConfig.Entry e : sequential.layers()) {
        KerasLayers.requireSupported(where, e.className(), e.config());
      }
      byte[] weights = entry(zip, "model.weights.h5", where, true);
      String version = metadata == null ? "" : metadata.path("keras_version").asText("");
      String format = (version.isEmpty() ? "Keras" : version.startsWith("2.") ? "tf.keras " + version
          : "Keras " + version) + " .keras";
      String h5Where = where + " (model.weights.h5)";
      try (HdfFile h5 = Hdf5.open(weights, h5Where)) {
        return new KerasModel(where, format, sequential.name(), sequential.inputShape(), sequential.inputName(),
            layers(h5, sequential, h5Where));
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (RuntimeException e) {
        throw Hdf5.unreadable(h5Where, e);
      }
    }
  }

  private static ZipFile open(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new IllegalArgumentException(file + " is not a readable zip archive (truncated or corrupt?): "
          + e.getMessage());
    }
  }

  private static List<KerasModel.Layer> layers(HdfFile h5, SequentialConfig sequential, String where) {
    Group root = ROOTS.stream().map(r -> Hdf5.group(h5, r)).filter(g -> g != null).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(where + " has no group " + String.join(" or ", ROOTS)
            + "; found " + h5.getChildren().keySet()));
    Map<String, List<Group>> byClass = new LinkedHashMap<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    List<KerasModel.Layer> out = new ArrayList<>();
    for (SequentialConfig.Entry e : sequential.layers()) {
      if (e.className().equals("Dropout")) {
        out.add(new KerasModel.Layer(e.className(), e.config(), List.of()));
        continue;
      }
      List<Group> groups = byClass.computeIfAbsent(e.className(), c -> weightGroups(root, c));
      int before = seen.merge(e.className(), 1, Integer::sum) - 1;
      String name = e.config().path("name").asText("");
      if (before >= groups.size()) {
        throw new IllegalArgumentException(where + ": layer '" + name + "' (" + e.className() + ") is the "
            + (before + 1) + ". " + e.className() + " layer of the config, but " + root.getPath() + " holds weights for "
            + groups.size() + " " + e.className() + " layer(s): " + groups.stream().map(Group::getName).toList());
      }
      Group vars = Hdf5.group(groups.get(before), KerasLayers.isRecurrent(e.className()) ? "cell/vars" : "vars");
      List<KerasModel.Weight> weights = new ArrayList<>();
      for (Dataset d : Hdf5.numbered(vars, where)) {
        weights.add(Hdf5.weight(d, d.getPath().substring(1)));
      }
      out.add(new KerasModel.Layer(e.className(), e.config(), weights));
    }
    for (var entry : byClass.entrySet()) {
      long layers = sequential.layers().stream().filter(o -> o.className().equals(entry.getKey())).count();
      if (entry.getValue().size() != layers) {
        throw new IllegalArgumentException(where + ": " + root.getPath() + " holds weights for " + entry.getValue().size()
            + " " + entry.getKey() + " layer(s) " + entry.getValue().stream().map(Group::getName).toList()
            + ", the config has " + layers);
      }
    }
    return out;
  }

  /** The groups of {@code root} for layers of {@code className} that hold weights, by their counter. */
  private static List<Group> weightGroups(Group root, String className) {
    String base = snakeCase(className);
    String vars = KerasLayers.isRecurrent(className) ? "cell/vars" : "vars";
    List<Group> out = new ArrayList<>();
    for (Node n : root.getChildren().values()) {
      if (n instanceof Group g && n.getName().matches(base + "(_\\d+)?")) {
        Group v = Hdf5.group(g, vars);
        if (v != null && !v.getChildren().isEmpty()) {
          out.add(g);
        }
      }
    }
    out.sort(Comparator.comparingLong(g -> counter(g.getName(), base)));
    return out;
  }

  private static long counter(String name, String base) {
    return name.length() == base.length() ? 0 : Long.parseLong(name.substring(base.length() + 1));
  }

  /** Keras's {@code to_snake_case}: {@code SimpleRNN} to {@code simple_rnn}, {@code LSTM} to {@code lstm}. */
  static String snakeCase(String className) {
    String s = className.replaceAll("\\W+", "");
    s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static JsonNode json(ZipFile zip, String name, String where, boolean required) throws IOException {
    byte[] bytes = entry(zip, name, where, required);
    if (bytes == null) {
      return null;
    }
    try {
      return JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": " + name + " is not JSON: " + e.getOriginalMessage());
    }
  }

  private static byte[] entry(ZipFile zip, String name, String where, boolean required) throws IOException {
    ZipEntry e = zip.getEntry(name);
    if (e == null) {
      if (!required) {
        return null;
      }
      throw new IllegalArgumentException(where + " is a zip but not a Keras .keras archive: it has no " + name
          + " (found " + zip.stream().map(ZipEntry::getName).limit(10).toList() + ")");
    }
    try (InputStream in = zip.getInputStream(e)) {
      return in.readAllBytes();
    } catch (ZipException ex) {
      throw new IllegalArgumentException(where + ": " + name + " cannot be read (truncated or corrupt?): "
          + ex.getMessage());
    }
  }
}
