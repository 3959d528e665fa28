package rnnbook.keras;

import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

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

  /**
   * {@code runner} set to run the graph's ops in the calling thread (RunOptions
   * inter_op_thread_pool -1): the chapter's graphs are chains of small ops, for which handing each
   * op to a pool thread and waking the caller costs more than the op.
   */
  static Session.Runner inline(Session.Runner runner) {
    return runner.setOptions(IN_CALLER_THREAD);
  }

  static final RunOptions IN_CALLER_THREAD =
      RunOptions.newBuilder().setInterOpThreadPool(-1).build();

  /**
   * {@code value} as a scalar of {@code type}: a float32 constant as it is, for other types a Cast
   * of it (a Cast of a float32 constant to float32 would run at every step of a training graph).
   */
  @SuppressWarnings("unchecked")
  static <T extends TFloating> Operand<T> scalar(Ops tf, float value, Class<T> type) {
    Operand<TFloat32> c = tf.constant(value);
    return type == TFloat32.class ? (Operand<T>) c : tf.dtypes.cast(c, type);
  }

  static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
