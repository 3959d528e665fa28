package rnnbook.keras;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.CompiledModel.WeightValue;
import rnnbook.keras.layers.Layer;

/** Keras's {@code get_weights()} and {@code set_weights()} on a built model. */
final class WeightStore {
  private final ModelGraph g;
  private final Session session;
  private List<Placeholder<TFloat32>> inputs; // the assign ops, built at the first set
  private List<Op> assigns;

  WeightStore(ModelGraph g, Session session) {
    this.g = g;
    this.session = session;
  }

  List<WeightValue> get() {
    Session.Runner runner = session.runner();
    g.weights.forEach(w -> runner.fetch(w.variable()));
    List<WeightValue> out = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < g.weights.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        out.add(new WeightValue(g.weights.get(i).name(), t.shape().asArray(), Tensors.values(t)));
      }
    }
    return out;
  }

  List<String> variableNames() {
    return g.weights.stream().map(w -> w.variable().op().name()).toList();
  }

  void set(List<float[]> values) {
    List<Layer.Weight> weights = g.weights;
    if (values.size() != weights.size()) {
      throw new IllegalArgumentException(
          "set_weights expects " + weights.size() + " arrays, received " + values.size());
    }
    for (int i = 0; i < values.size(); i++) {
      Shape shape = weights.get(i).variable().shape();
      if (values.get(i).length != shape.size()) {
        throw new IllegalArgumentException(
            "weight " + weights.get(i).name() + " expects shape " + shape + " (" + shape.size()
                + " values), received " + values.get(i).length + " values");
      }
    }
    buildAssigns();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < values.size(); i++) {
        TFloat32 t = TFloat32.tensorOf(weights.get(i).variable().shape(), DataBuffers.of(values.get(i), true, false));
        tensors.add(t);
        runner.feed(inputs.get(i), t).addTarget(assigns.get(i));
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  private synchronized void buildAssigns() {
    if (assigns != null) {
      return;
    }
    Ops tf = g.tf;
    List<Placeholder<TFloat32>> in = new ArrayList<>();
    List<Op> out = new ArrayList<>();
    for (Layer.Weight w : g.weights) {
      String op = w.name().replace('/', '_');
      Placeholder<TFloat32> p = tf.withName("set_" + op)
          .placeholder(TFloat32.class, Placeholder.shape(w.variable().shape()));
      in.add(p);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> var = (Operand<TFloat32>) w.variable();
      out.add(tf.withName("assign_" + op).assign(var, p));
    }
    inputs = in;
    assigns = out;
  }
}
