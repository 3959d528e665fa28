package rnnbook.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reading Keras's HDF5 files through jhdf: opening with one-line errors, string attributes as
 * h5py writes them (fixed- or variable-length, scalar or array, split into {@code name0},
 * {@code name1}, ... when too long for one attribute), and float datasets as weights.
 */
final class Hdf5 {
  /** The first bytes of an HDF5 file with no user block. */
  static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private Hdf5() {}

  /** Opens {@code file}; a truncated or corrupt one is reported in one line. */
  static HdfFile open(Path file) {
    try {
      return new HdfFile(file);
    } catch (RuntimeException e) {
      throw unreadable(file.toString(), e);
    }
  }

  /** Opens HDF5 {@code bytes} read from {@code where} (an entry of a zip). */
  static HdfFile open(byte[] bytes, String where) {
    try {
      return HdfFile.fromBytes(bytes);
    } catch (RuntimeException e) {
      throw unreadable(where, e);
    }
  }

  static IllegalArgumentException unreadable(String where, RuntimeException e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : KerasSavedModel.firstLine(e.getMessage());
    return new IllegalArgumentException(where + " is not a readable HDF5 file (truncated or corrupt?): " + why);
  }

  /** Whether {@code file} starts with the HDF5 signature. */
  static boolean isHdf5(byte[] head) {
    return head.length >= SIGNATURE.length && Arrays.equals(Arrays.copyOf(head, SIGNATURE.length), SIGNATURE);
  }

  /** Whether {@code file} starts with the HDF5 signature. */
  static boolean isHdf5(Path file) throws java.io.IOException {
    try (var in = Files.newInputStream(file)) {
      return isHdf5(in.readNBytes(SIGNATURE.length));
    }
  }

  /** A scalar string attribute, or null when absent. */
  static String string(Node node, String name) {
    Attribute a = node.getAttributes().get(name);
    if (a == null) {
      return null;
    }
    Object data = a.getData();
    if (data instanceof String s) {
      return s;
    }
    if (data != null && data.getClass().isArray() && Array.getLength(data) == 1 && Array.get(data, 0) instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("attribute '" + name + "' of " + node.getPath() + " in " + node.getFile()
        + " is not a string");
  }

  /**
   * A string-array attribute, joined from its chunks {@code name0, name1, ...} when Keras split
   * it; empty when it is an empty array (h5py writes an empty list as float64, which jhdf reads
   * as null); null when absent.
   */
  static List<String> strings(Node node, String name) {
    var attributes = node.getAttributes();
    if (attributes.containsKey(name)) {
      return asStrings(attributes.get(name), node, name);
    }
    if (!attributes.containsKey(name + "0")) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; attributes.containsKey(name + i); i++) {
      out.addAll(asStrings(attributes.get(name + i), node, name + i));
    }
    return out;
  }

  private static List<String> asStrings(Attribute a, Node node, String name) {
    Object data = a.getData();
    if (data == null) {
      return List.of();
    }
    if (data instanceof String s) {
      return List.of(s);
    }
    if (data instanceof String[] array) {
      return List.of(array);
    }
    if (data.getClass().isArray() && Array.getLength(data) == 0) {
      return List.of();
    }
    throw new IllegalArgumentException("attribute '" + name + "' of " + node.getPath() + " is not a list of "
        + "strings (found " + data.getClass().getSimpleName() + ")");
  }

  /** A float dataset as a weight named {@code name}. */
  static KerasModel.Weight weight(Dataset d, String name) {
    long[] shape = Arrays.stream(d.getDimensions()).asLongStream().toArray();
    Object flat = d.getDataFlat();
    float[] values;
    if (flat instanceof float[] f) {
      values = f;
    } else if (flat instanceof double[] dd) {
      values = new float[dd.length];
      for (int i = 0; i < dd.length; i++) {
        values[i] = (float) dd[i];
      }
    } else {
      throw new IllegalArgumentException("weight " + name + " is not a float array (found "
          + d.getJavaType().getSimpleName() + ")");
    }
    if (d.isScalar()) {
      shape = new long[0];
    }
    return new KerasModel.Weight(name, shape, values);
  }

  /** The datasets of {@code group} named 0, 1, 2, ... in numeric order ({@code 10} after {@code 9}). */
  static List<Dataset> numbered(Group group, String where) {
    List<Dataset> out = new ArrayList<>();
    for (Node n : group.getChildren().values()) {
      if (!(n instanceof Dataset d) || !n.getName().matches("\\d+")) {
        throw new IllegalArgumentException(where + ": expected datasets named 0, 1, 2, ... in " + group.getPath()
            + ", found '" + n.getName() + "'");
      }
      out.add(d);
    }
    out.sort(Comparator.comparingLong(d -> Long.parseLong(d.getName())));
    return out;
  }

  /** The child group {@code path} of {@code group}, or null. */
  static Group group(Group group, String path) {
    Node n = group;
    for (String part : path.split("/")) {
      if (!(n instanceof Group g) || !g.getChildren().containsKey(part)) {
        return null;
      }
      n = g.getChild(part);
    }
    return n instanceof Group g ? g : null;
  }
}
