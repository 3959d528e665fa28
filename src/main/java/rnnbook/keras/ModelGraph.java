package rnnbook.keras;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.layers.BackendChoice;
import rnnbook.keras.layers.BuildContext;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;
import rnnbook.keras.layers.RecurrentBackend;

/**
 * The graph of a {@link Sequential}: its input placeholder, every layer built and called in
 * order, the prediction and the loss; for training also Adam's update step (gradients and slots),
 * which inference-only models never build. Owns the {@link Graph}.
 */
final class ModelGraph implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final Placeholder<TFloat32> x;
  final Placeholder<TFloat32> y;
  final Operand<TFloat32> prediction;
  final Operand<TFloat32> loss;
  /**
   * The prediction and loss for validation and predict: the same as {@link #prediction} and
   * {@link #loss}, or, when some layer has a lighter inference form (native kernels that keep
   * nothing for a backward pass), a second forward pass of the same weights built from those.
   */
  final Operand<TFloat32> evalPrediction;
  final Operand<TFloat32> evalLoss;
  /** Adam's update; null for an inference-only model. */
  final Op trainStep;
  final List<Layer.Weight> weights = new ArrayList<>();
  final List<Operand<TFloat32>> layerInputs = new ArrayList<>();
  final List<Operand<TFloat32>> layerOutputs = new ArrayList<>();
  final List<BackendChoice> backends = new ArrayList<>();

  /** Builds {@code model}'s graph; {@code optimizer} null for inference only. */
  ModelGraph(Sequential model, Adam.Config optimizer, Loss lossKind, CompileOptions options) {
    try {
      BuildContext.Factory factory =
          new BuildContext.Factory(tf, TFloat32.class, options.seed(), options.backend())
              .withKernelThreads(options.kernelThreads());
      List<Layer> layers = model.layers();
      x = tf.withName(layers.get(0).name() + "_input")
          .placeholder(TFloat32.class, Placeholder.shape(withBatch(model.inputShape())));
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        layer.build(factory, model.inputShapeOf(i));
        if (layer instanceof RNN rnn) {
          backends.add(rnn.backend());
        }
        weights.addAll(layer.weights());
      }
      // lighter forward ops only where every recurrent layer is on the native kernels (the
      // other backends register each forward pass for their gradients)
      boolean lighter = layers.stream().anyMatch(Layer::hasLighterInference)
          && backends.stream().allMatch(b -> b.used() == RecurrentBackend.NATIVE);
      boolean training = optimizer != null;
      Operand<TFloat32> h = x;
      for (Layer layer : layers) {
        layerInputs.add(h);
        h = training || !lighter ? layer.call(tf, h) : layer.callForInference(tf, h);
        layerOutputs.add(h);
      }
      prediction = tf.withName("prediction").identity(h);
      y = tf.withName("y_true").placeholder(TFloat32.class, Placeholder.shape(withBatch(model.outputShape())));
      loss = tf.withName("loss").identity(lossKind.build(tf, y, prediction));
      if (training && lighter) {
        Ops inference = tf.withSubScope("inference");
        Operand<TFloat32> p = x;
        for (Layer layer : layers) {
          p = layer.callForInference(inference, p);
        }
        evalPrediction = inference.withName("prediction").identity(p);
        evalLoss = inference.withName("loss").identity(lossKind.build(inference, y, evalPrediction));
      } else {
        evalPrediction = prediction;
        evalLoss = loss;
      }
      // the loss's gradient built by hand (the same bits as TensorFlow's, in fewer ops)
      trainStep = training ? Adam.minimize(tf, prediction,
          lossKind.gradient(tf.withSubScope("gradients"), y, prediction), weights, optimizer) : null;
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  static Shape withBatch(long[] shape) {
    long[] dims = new long[shape.length + 1];
    dims[0] = Shape.UNKNOWN_SIZE;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    return Shape.of(dims);
  }

  @Override
  public void close() {
    graph.close();
  }
}
