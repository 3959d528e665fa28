package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * {@link Loss#gradient}, which the training step starts its backward pass from, against
 * TensorFlow's own gradient of {@link Loss#build} (it must give the same bits, so that training is
 * unchanged) and against the formula {@code 2 (yPred - yTrue) / n} in double.
 */
class LossTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 5, 17, 32, 37})
  void mseGradientIsTensorFlowsToTheBit(int rows) {
    SplittableRandom random = new SplittableRandom(rows);
    float[] pred = new float[rows];
    float[] truth = new float[rows];
    for (int i = 0; i < rows; i++) {
      pred[i] = (float) random.nextDouble(-2, 2);
      truth[i] = (float) random.nextDouble(-2, 2);
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
      Placeholder<TFloat32> t = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
      Operand<TFloat32> loss = Loss.MEAN_SQUARED_ERROR.build(tf, t, p);
      Operand<TFloat32> autodiff = tf.gradients(loss, List.of(p)).dy(0);
      Operand<TFloat32> byHand = Loss.MEAN_SQUARED_ERROR.gradient(tf, t, p);
      try (TFloat32 tp = Tensors.of(pred, rows, new long[] {1});
          TFloat32 tt = Tensors.of(truth, rows, new long[] {1});
          Result r = s.runner().feed(p, tp).feed(t, tt).fetch(autodiff).fetch(byHand).run()) {
        float[] expected = Tensors.values((TFloat32) r.get(0));
        float[] actual = Tensors.values((TFloat32) r.get(1));
        assertArrayEquals(expected, actual, 0f); // bit for bit (no value here is -0 or NaN)
        for (int i = 0; i < rows; i++) {
          double formula = 2.0 * ((double) pred[i] - truth[i]) / rows;
          assertEquals(formula, actual[i], 1e-6 * Math.abs(formula) + 1e-12, "row " + i);
        }
      }
    }
  }
}
