package rnnbook.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.io.KerasSavedModel.Floats;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.CompiledModel.WeightValue;
import rnnbook.keras.layers.Shapes;

/**
 * Keras weights without TensorFlow: the {@code .npz} of {@code np.savez(path,
 * *model.get_weights())}, arrays {@code arr_0 .. arr_{n-1}} in {@code get_weights()} order and
 * shapes. Python reads it back with {@code model.set_weights(list(np.load(path).values()))}.
 */
public final class KerasWeights {
  /** A model weight of a graph this project wrote: {@code layer/kernel}, not an Adam slot. */
  private static final Pattern PROJECT_WEIGHT = Pattern.compile("[^/]+/(kernel|recurrent_kernel|bias)");

  private KerasWeights() {}

  /**
   * Sets the weights of {@code npz} into {@code model}: see {@link #read}. The model is left
   * unchanged when they do not fit.
   */
  public static void load(Path npz, CompiledModel model) throws IOException {
    set(read(npz), npz, model);
  }

  /**
   * The arrays of {@code npz}: those of {@code np.savez(path, *model.get_weights())} ({@code arr_0
   * ..}) in index order, or a named archive ({@link #writeNamed}) in archive order; each refused
   * when it holds a NaN or infinite value.
   */
  public static Map<String, Npy.Array> read(Path npz) throws IOException {
    Map<String, Npy.Array> named = Npz.read(npz);
    Map<String, Npy.Array> out = new LinkedHashMap<>();
    if (Npz.isPositional(named)) {
      List<Npy.Array> arrays = Npz.readPositional(npz);
      for (int i = 0; i < arrays.size(); i++) {
        out.put("arr_" + i, arrays.get(i));
      }
    } else {
      out.putAll(named);
    }
    out.forEach((name, array) -> array.requireFinite(npz + ":" + name));
    return out;
  }

  /** As {@link #load}, with the arrays already read from {@code npz}. */
  public static void set(Map<String, Npy.Array> arrays, Path npz, CompiledModel model) {
    model.setWeights(values(arrays, npz, model.model().name(), model.getWeights()));
  }

  /**
   * The arrays of {@code npz} as the values of {@code expected}, a model's weights in {@code
   * get_weights()} order. A wrong number of arrays, or an array whose shape is not the weight's, is
   * rejected naming the array, the expected and the found shape.
   */
  public static List<float[]> read(Path npz, String modelName, List<WeightValue> expected) throws IOException {
    return values(read(npz), npz, modelName, expected);
  }

  private static List<float[]> values(Map<String, Npy.Array> named, Path npz, String modelName,
      List<WeightValue> expected) {
    List<Npy.Array> arrays = List.copyOf(named.values());
    List<String> names = List.copyOf(named.keySet());
    if (arrays.size() != expected.size()) {
      throw new IllegalArgumentException(npz + " holds " + arrays.size() + " arrays, model "
          + modelName + " expects " + expected.size() + ": " + expected.stream()
              .map(w -> w.name() + " " + Shapes.format(w.shape())).collect(Collectors.joining(", ")));
    }
    List<float[]> values = new ArrayList<>();
    for (int i = 0; i < arrays.size(); i++) {
      Npy.Array a = arrays.get(i);
      WeightValue w = expected.get(i);
      if (!Arrays.equals(a.shape(), w.shape())) {
        String array = names.get(i).equals("arr_" + i) ? "arr_" + i : "array " + i + " '" + names.get(i) + "'";
        throw new IllegalArgumentException(npz + ": " + array + " (" + w.name() + ") has shape "
            + a.shapeString() + ", expected " + Shapes.format(w.shape()));
      }
      values.add(a.floats());
    }
    return values;
  }

  /** Writes {@code weights} as {@code np.savez(path, *weights)} in float32, whole or not at all. */
  public static void write(Path npz, List<WeightValue> weights) throws IOException {
    List<Npy.Array> arrays = weights.stream().map(w -> Npy.of(w.shape(), w.values())).toList();
    Npz.writePositional(npz, arrays, Npy.Dtype.FLOAT32);
  }

  /**
   * Writes {@code weights} in float32 as {@code np.savez(path, **{name: array})}, in {@code
   * get_weights()} order under their Keras names ({@code lstm/kernel}, {@code lstm_1/bias}), so
   * that {@code model.set_weights(list(np.load(path).values()))} restores them in Python.
   */
  public static void writeNamed(Path npz, List<WeightValue> weights) throws IOException {
    Map<String, Npy.Array> arrays = new LinkedHashMap<>();
    weights.forEach(w -> arrays.put(w.name(), Npy.of(w.shape(), w.values())));
    Npz.write(npz, arrays, Npy.Dtype.FLOAT32);
  }

  /**
   * The model weights of a SavedModel in {@code get_weights()} order. For a Keras SavedModel, the
   * root object's {@code variables} list (which is {@code model.weights}); for one this project
   * exported (a TF1-style graph without object graph), its {@code layer/kernel}, {@code
   * layer/recurrent_kernel} and {@code layer/bias} variables in graph order, the order in which
   * the layers created them.
   */
  public static List<WeightValue> fromSavedModel(KerasSavedModel saved) {
    List<WeightValue> out = new ArrayList<>();
    if (saved.objectGraph().getNodesCount() > 0) {
      int list = saved.child(0, "variables");
      if (list < 0) {
        throw new IllegalArgumentException("the SavedModel at " + saved.dir()
            + " is not a Keras model: its root object has no 'variables' list");
      }
      for (var child : saved.node(list).getChildrenList()) {
        Floats value = saved.variable(child.getNodeId());
        out.add(new WeightValue(saved.savedVariable(child.getNodeId()).getName(), value.shape(), value.values()));
      }
    } else {
      for (String name : saved.graphVariableNames("VariableV2")) {
        if (PROJECT_WEIGHT.matcher(name).matches()) {
          Floats value = saved.graphVariable(name);
          out.add(new WeightValue(name, value.shape(), value.values()));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the SavedModel at " + saved.dir() + " holds no model weights");
    }
    return out;
  }
}
