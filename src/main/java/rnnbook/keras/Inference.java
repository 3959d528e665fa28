package rnnbook.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.layers.RNN;

/**
 * Keras's {@code predict} and {@code evaluate} on a built model, in batches of {@value #BATCH}
 * rows, and the per-layer {@link #trace}. Arrays are float32 in C order.
 */
final class Inference {
  /**
   * Rows fed per run. 128 rather than all 512 validation samples at once: a run's tensors (the
   * input projections alone are 100 x 128 x 120 floats per LSTM layer) then stay in the caches,
   * and predictions came 15-60 % faster (bench, LSTM and GRU); 128 rows are still enough for the
   * native kernels to use a second core when one is free.
   */
  static final int BATCH = 128;

  private final Sequential model;
  private final ModelGraph g;
  private final Session session;
  private final int inputSize;
  private final int outputSize;
  private List<Map<String, Operand<TFloat32>>> traceGates; // built at the first trace

  Inference(Sequential model, ModelGraph g, Session session) {
    this.model = model;
    this.g = g;
    this.session = session;
    this.inputSize = (int) Arrays.stream(model.inputShape()).reduce(1, (a, b) -> a * b);
    this.outputSize = (int) Arrays.stream(model.outputShape()).reduce(1, (a, b) -> a * b);
  }

  int inputSize() {
    return inputSize;
  }

  int outputSize() {
    return outputSize;
  }

  /** The mean loss over the first {@code samples} samples. */
  double loss(float[] xs, float[] ys, int samples) {
    double sum = 0;
    for (int from = 0; from < samples; from += BATCH) {
      int n = Math.min(BATCH, samples - from);
      try (TFloat32 tx = Tensors.of(Arrays.copyOfRange(xs, from * inputSize, (from + n) * inputSize), n,
              model.inputShape());
          TFloat32 ty = Tensors.of(Arrays.copyOfRange(ys, from * outputSize, (from + n) * outputSize), n,
              model.outputShape());
          Result r = Tensors.inline(session.runner()).feed(g.x, tx).feed(g.y, ty).fetch(g.evalLoss).run()) {
        sum += ((TFloat32) r.get(0)).getFloat() * (double) n;
      }
    }
    return sum / samples;
  }

  float[] predict(float[] xs) {
    int samples = samplesOf(xs);
    float[] out = new float[samples * outputSize];
    for (int from = 0; from < samples; from += BATCH) {
      int n = Math.min(BATCH, samples - from);
      try (TFloat32 tx = Tensors.of(Arrays.copyOfRange(xs, from * inputSize, (from + n) * inputSize), n,
              model.inputShape());
          Result r = Tensors.inline(session.runner()).feed(g.x, tx).fetch(g.evalPrediction).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false).offset((long) from * outputSize));
      }
    }
    return out;
  }

  /** See {@link CompiledModel#trace}. */
  List<LayerTrace> trace(float[] xs) {
    int samples = samplesOf(xs);
    if (traceGates == null) {
      Ops t = g.tf.withSubScope("trace");
      List<Map<String, Operand<TFloat32>>> gates = new ArrayList<>();
      for (int i = 0; i < model.layers().size(); i++) {
        gates.add(model.layers().get(i) instanceof RNN rnn ? rnn.trace(t, g.layerInputs.get(i)).gates() : Map.of());
      }
      traceGates = gates;
    }
    Session.Runner runner = session.runner();
    g.layerOutputs.forEach(runner::fetch);
    traceGates.forEach(m -> m.values().forEach(runner::fetch));
    List<LayerTrace> out = new ArrayList<>();
    try (TFloat32 tx = Tensors.of(xs, samples, model.inputShape());
        Result r = runner.feed(g.x, tx).run()) {
      int k = g.layerOutputs.size();
      for (int i = 0; i < g.layerOutputs.size(); i++) {
        TFloat32 output = (TFloat32) r.get(i);
        Map<String, float[]> gates = new LinkedHashMap<>();
        long[] gateShape = {};
        for (String name : traceGates.get(i).keySet()) {
          TFloat32 gate = (TFloat32) r.get(k++);
          gateShape = gate.shape().asArray();
          gates.put(name, Tensors.values(gate));
        }
        out.add(new LayerTrace(model.layers().get(i).name(), output.shape().asArray(),
            Tensors.values(output), gateShape, gates));
      }
    }
    return out;
  }

  int samplesOf(float[] xs) {
    if (xs.length == 0 || xs.length % inputSize != 0) {
      throw new IllegalArgumentException(
          "x must hold a whole number of samples of shape " + Arrays.toString(model.inputShape())
              + " (" + inputSize + " values each), received " + xs.length + " values");
    }
    return xs.length / inputSize;
  }

  int checkSamples(float[] xs, float[] ys) {
    if (xs.length == 0 || xs.length % inputSize != 0) {
      throw new IllegalArgumentException(
          "x must hold a whole number of samples of shape " + Arrays.toString(model.inputShape())
              + ", received " + xs.length + " values");
    }
    int samples = xs.length / inputSize;
    if (ys.length != (long) samples * outputSize) {
      throw new IllegalArgumentException(
          "y must hold " + samples + " samples of shape " + Arrays.toString(model.outputShape())
              + " to match x, received " + ys.length + " values");
    }
    return samples;
  }
}
