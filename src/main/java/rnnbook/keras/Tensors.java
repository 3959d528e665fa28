package rnnbook.keras;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Float32 arrays in C order to and from tensors. */
final class Tensors {
  private Tensors() {}

  /** The first {@code rows} samples of {@code data} as a (rows, *sampleShape) tensor. */
  static TFloat32 of(float[] data, int rows, long[] sampleShape) {
    long[] dims = new long[sampleShape.length + 1];
    dims[0] = rows;
    System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
    Shape shape = Shape.of(dims);
    return TFloat32.tensorOf(shape, DataBuffers.of(data, true, false).narrow(shape.size()));
  }

  static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
