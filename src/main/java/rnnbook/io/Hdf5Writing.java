package rnnbook.io;

import io.jhdf.api.WritableGroup;
import java.lang.reflect.Array;
import java.util.Arrays;
import rnnbook.keras.layers.Shapes;

/** Float weights as jhdf writes them: nested Java arrays of the weight's shape. */
final class Hdf5Writing {
  private Hdf5Writing() {}

  /** Writes {@code w} as dataset {@code name} of {@code group}, creating the groups of a path {@code a/b/c}. */
  static void dataset(WritableGroup group, String name, KerasModel.Weight w) {
    String[] parts = name.split("/");
    WritableGroup g = group;
    for (int i = 0; i < parts.length - 1; i++) {
      g = child(g, parts[i]);
    }
    g.putDataset(parts[parts.length - 1], nested(w.shape(), w.values()));
  }

  /** The child group {@code name} of {@code g}, made when absent. */
  static WritableGroup child(WritableGroup g, String name) {
    return g.getChildren().get(name) instanceof WritableGroup existing ? existing : g.putGroup(name);
  }

  /** {@code values} in C order as a Java array of {@code shape}: float[] for 1-D, float[][] for 2-D. */
  static Object nested(long[] shape, float[] values) {
    if (shape.length == 1) {
      return values.clone();
    }
    if (shape.length == 2) {
      int rows = (int) shape[0];
      int cols = (int) shape[1];
      float[][] out = (float[][]) Array.newInstance(float.class, rows, cols);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(values, r * cols, out[r], 0, cols);
      }
      return out;
    }
    throw new IllegalArgumentException("weights of shape " + Shapes.format(shape) + " are not written; rnnbook's "
        + "layers have 1-D and 2-D weights only, found " + Arrays.toString(shape));
  }
}
