package rnnbook.keras.layers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;
import rnnbook.data.Npy;

/** Runs one layer on a constant input in a graph of its own, in float32 or float64. */
final class LayerHarness {
  static final Path REFERENCE = Path.of("src/test/resources/reference/layers");

  private LayerHarness() {}

  static Npy.Array read(String testCase, String name) throws IOException {
    return Npy.read(REFERENCE.resolve(testCase).resolve(name + ".npy"));
  }

  /**
   * The backends whose tests run on this machine: unrolled and tensorflow everywhere, native
   * where the build made the kernels.
   */
  static List<RecurrentBackend> backends() {
    List<RecurrentBackend> out = new ArrayList<>(List.of(RecurrentBackend.UNROLLED, RecurrentBackend.TENSORFLOW));
    if (NativeKernels.load()) {
      out.add(RecurrentBackend.NATIVE);
    }
    return out;
  }

  /** The layer's output for {@code x} of {@code shape} (with batch), computed in {@code type}. */
  static <T extends TFloating> double[] run(Layer layer, double[] x, long[] shape, Class<T> type) {
    return run(layer, x, shape, type, RecurrentBackend.AUTO);
  }

  /** As {@link #run(Layer, double[], long[], Class)}, the recurrent layer on {@code backend}. */
  static <T extends TFloating> double[] run(Layer layer, double[] x, long[] shape, Class<T> type,
      RecurrentBackend backend) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      if (layer.name() == null) {
        layer.setName(layer.defaultName());
      }
      long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      layer.build(new BuildContext.Factory(tf, type, 1L, backend), sample);
      Operand<T> input = tf.dtypes.cast(tf.constant(Shape.of(shape), DataBuffers.of(x, true, false)), type);
      Operand<TFloat64> out = tf.dtypes.cast(layer.call(tf, input), TFloat64.class);
      try (Session s = new Session(g); Result r = s.runner().fetch(out).run()) {
        TFloat64 t = (TFloat64) r.get(0);
        double[] values = new double[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(values, false, false));
        return values;
      }
    }
  }

  /**
   * Gradients of {@code sum(layer(x) * w)} for fixed pseudo-random w with respect to each weight,
   * by TensorFlow in {@code type}, each paired with a central difference on the float64 graph
   * (meaningful only when {@code type} is float64).
   */
  static <T extends TFloating> List<double[][]> gradients(Layer layer, double[] x, long[] shape,
      int probesPerWeight, Class<T> type) {
    return gradients(layer, x, shape, probesPerWeight, type, RecurrentBackend.AUTO);
  }

  /** As above, the recurrent layer on {@code backend}. */
  @SuppressWarnings("unchecked")
  static <T extends TFloating> List<double[][]> gradients(Layer layer, double[] x, long[] shape,
      int probesPerWeight, Class<T> type, RecurrentBackend backend) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      layer.setName(layer.defaultName());
      long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      layer.build(new BuildContext.Factory(tf, type, 3L, backend), sample);
      Operand<T> input = tf.dtypes.cast(tf.constant(Shape.of(shape), DataBuffers.of(x, true, false)), type);
      Operand<TFloat64> loss = weightedSum(tf, tf.dtypes.cast(layer.call(tf, input), TFloat64.class));
      List<Operand<?>> vars = new ArrayList<>();
      layer.weights().forEach(wt -> vars.add(wt.variable()));
      var grads = tf.gradients(loss, vars);
      List<Placeholder<TFloat64>> inputs = new ArrayList<>();
      List<org.tensorflow.op.Op> assigns = new ArrayList<>();
      for (Layer.Weight wt : layer.weights()) {
        Placeholder<TFloat64> p = tf.placeholder(TFloat64.class, Placeholder.shape(wt.variable().shape()));
        inputs.add(p);
        @SuppressWarnings("unchecked")
        Operand<T> v = (Operand<T>) wt.variable();
        assigns.add(tf.assign(v, tf.dtypes.cast(p, type)));
      }
      List<double[][]> out = new ArrayList<>();
      try (Session s = new Session(g)) {
        s.initialize();
        for (int k = 0; k < vars.size(); k++) {
          double[] analytic = fetch(s, tf.dtypes.cast(grads.<T>dy(k), TFloat64.class));
          double[] value = fetch(s, tf.dtypes.cast((Operand<T>) vars.get(k), TFloat64.class));
          Shape vs = layer.weights().get(k).variable().shape();
          int n = value.length;
          int step = Math.max(1, n / probesPerWeight);
          List<double[]> pairs = new ArrayList<>();
          for (int i = 0; i < n; i += step) {
            double h = 1e-6;
            double keep = value[i];
            value[i] = keep + h;
            double plus = evaluate(s, loss, inputs.get(k), assigns.get(k), value, vs);
            value[i] = keep - h;
            double minus = evaluate(s, loss, inputs.get(k), assigns.get(k), value, vs);
            value[i] = keep;
            evaluate(s, loss, inputs.get(k), assigns.get(k), value, vs);
            pairs.add(new double[] {analytic[i], (plus - minus) / (2 * h)});
          }
          out.add(pairs.toArray(new double[0][]));
        }
      }
      return out;
    }
  }

  /** {@code sum(y * w)} for fixed pseudo-random w in [-1, 1). */
  private static Operand<TFloat64> weightedSum(Ops tf, Operand<TFloat64> y) {
    double[] w = new double[(int) y.shape().size()];
    java.util.SplittableRandom random = new java.util.SplittableRandom(9);
    for (int i = 0; i < w.length; i++) {
      w[i] = random.nextDouble(-1, 1);
    }
    return tf.reduceSum(tf.math.mul(y, tf.constant(y.shape(), DataBuffers.of(w, true, false))),
        tf.constant(java.util.stream.IntStream.range(0, y.shape().numDimensions()).toArray()));
  }

  /**
   * TensorFlow's gradients in {@code type} of the loss of {@link #gradients}, the recurrent layer
   * on {@code backend}, whole: one array per weight, then one for the input {@code x}. With
   * {@code finiteDifferences}, one more: the central differences of the loss in x, entry by entry
   * (meaningful in float64 only).
   */
  static <T extends TFloating> List<double[]> allGradients(Layer layer, double[] x, long[] shape,
      Class<T> type, RecurrentBackend backend, boolean finiteDifferences) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      layer.setName(layer.defaultName());
      long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      layer.build(new BuildContext.Factory(tf, type, 3L, backend), sample);
      Placeholder<TFloat64> fed =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(shape)));
      Operand<T> input = tf.dtypes.cast(fed, type);
      Operand<TFloat64> loss = weightedSum(tf, tf.dtypes.cast(layer.call(tf, input), TFloat64.class));
      List<Operand<?>> wrt = new ArrayList<>();
      layer.weights().forEach(wt -> wrt.add(wt.variable()));
      wrt.add(input);
      var grads = tf.gradients(loss, wrt);
      List<double[]> out = new ArrayList<>();
      try (Session s = new Session(g);
          TFloat64 xt = TFloat64.tensorOf(Shape.of(shape), DataBuffers.of(x, true, false))) {
        s.initialize();
        for (int k = 0; k < wrt.size(); k++) {
          Operand<TFloat64> dy = tf.dtypes.cast(grads.<T>dy(k), TFloat64.class);
          try (Result r = s.runner().feed(fed, xt).fetch(dy).run()) {
            TFloat64 t = (TFloat64) r.get(0);
            double[] values = new double[(int) t.shape().size()];
            t.copyTo(DataBuffers.of(values, false, false));
            out.add(values);
          }
        }
        if (finiteDifferences) {
          double[] numeric = new double[x.length];
          double[] moved = x.clone();
          double h = 1e-6;
          for (int i = 0; i < x.length; i++) {
            moved[i] = x[i] + h;
            double plus = lossAt(s, loss, fed, moved, shape);
            moved[i] = x[i] - h;
            double minus = lossAt(s, loss, fed, moved, shape);
            moved[i] = x[i];
            numeric[i] = (plus - minus) / (2 * h);
          }
          out.add(numeric);
        }
      }
      return out;
    }
  }

  private static double lossAt(Session s, Operand<TFloat64> loss, Placeholder<TFloat64> fed,
      double[] x, long[] shape) {
    try (TFloat64 t = TFloat64.tensorOf(Shape.of(shape), DataBuffers.of(x, true, false));
        Result r = s.runner().feed(fed, t).fetch(loss).run()) {
      return ((TFloat64) r.get(0)).getDouble();
    }
  }

  /**
   * Asserts that {@code actual}'s gradients (as {@link #allGradients} gives them) equal {@code
   * expected}'s within {@code relative} (absolute below 1).
   */
  static void assertGradientsClose(List<double[]> expected, List<double[]> actual, double relative,
      String label) {
    org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), label);
    for (int k = 0; k < expected.size(); k++) {
      org.junit.jupiter.api.Assertions.assertEquals(expected.get(k).length, actual.get(k).length);
      for (int i = 0; i < expected.get(k).length; i++) {
        double e = expected.get(k)[i];
        String of = k == expected.size() - 1 ? "the input" : "weight " + k;
        org.junit.jupiter.api.Assertions.assertEquals(e, actual.get(k)[i],
            relative * Math.max(1, Math.abs(e)), label + ": gradient of " + of + ", entry " + i);
      }
    }
  }

  /**
   * Asserts that TensorFlow's gradient of every weight of {@code layer} (float64) matches a
   * central difference within 1e-6 relative, at 12 probes per weight.
   */
  static void assertGradientsMatchFiniteDifferences(Layer layer, Npy.Array x, String label,
      RecurrentBackend backend) {
    List<double[][]> grads = gradients(layer, x.data(), x.shape(), 12, TFloat64.class, backend);
    org.junit.jupiter.api.Assertions.assertEquals(layer.weights().size(), grads.size());
    for (int k = 0; k < grads.size(); k++) {
      for (double[] pair : grads.get(k)) {
        double scale = Math.max(1.0, Math.abs(pair[1]));
        org.junit.jupiter.api.Assertions.assertEquals(pair[1], pair[0], 1e-6 * scale,
            label + " " + layer.weights().get(k).name() + ": gradient vs finite difference");
      }
    }
  }

  private static double evaluate(Session s, Operand<TFloat64> loss, Placeholder<TFloat64> in,
      org.tensorflow.op.Op assign, double[] value, Shape shape) {
    try (TFloat64 t = TFloat64.tensorOf(shape, DataBuffers.of(value, true, false))) {
      s.runner().feed(in, t).addTarget(assign).run().close();
    }
    try (Result r = s.runner().fetch(loss).run()) {
      return ((TFloat64) r.get(0)).getDouble();
    }
  }

  private static double[] fetch(Session s, Operand<?> op) {
    try (Result r = s.runner().fetch(op).run()) {
      TFloat64 t = (TFloat64) r.get(0);
      double[] values = new double[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  /** How many ops of {@code layer} on a (2, 3, 2) input have a type that {@code type} accepts. */
  static int countOps(Layer layer, java.util.function.Predicate<String> type) {
    return countOps(layer, type, RecurrentBackend.AUTO);
  }

  static int countOps(Layer layer, java.util.function.Predicate<String> type, RecurrentBackend backend) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      layer.setName(layer.defaultName());
      layer.build(new BuildContext.Factory(tf, TFloat32.class, 1L, backend), new long[] {3, 2});
      layer.call(tf, tf.zeros(tf.constant(new long[] {2, 3, 2}), TFloat32.class));
      int n = 0;
      for (java.util.Iterator<org.tensorflow.GraphOperation> it = g.operations(); it.hasNext(); ) {
        n += type.test(it.next().type()) ? 1 : 0;
      }
      return n;
    }
  }

  static Class<TFloat32> f32() {
    return TFloat32.class;
  }
}
