package rnnbook.keras;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.layers.BuildContext;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;

/**
 * A compiled {@link Sequential}: the one owner of its Graph and Session, and the only thing that
 * runs them. {@code fit}, {@code evaluate} and {@code predict} as in Keras; arrays are float32 in
 * C order, {@code x} of shape (samples, *inputShape) and {@code y} of (samples, *outputShape).
 * Close it to free the native graph.
 */
public final class CompiledModel implements AutoCloseable {
  /** Rows fed per run in {@code evaluate} and {@code predict}. */
  private static final int INFERENCE_BATCH = 512;

  private final Sequential model;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> x;
  private final Placeholder<TFloat32> y;
  private final Operand<TFloat32> prediction;
  private final boolean nativeOps;
  private Operand<TFloat32> exportedPrediction; // built at the first export
  private final Operand<TFloat32> loss;
  private final Op trainStep;
  private final List<Layer.Weight> weights = new ArrayList<>();
  private final List<Placeholder<TFloat32>> weightInputs = new ArrayList<>();
  private final List<Op> weightAssigns = new ArrayList<>();
  private final Ops ops;
  private final List<Operand<TFloat32>> layerInputs = new ArrayList<>();
  private final List<Operand<TFloat32>> layerOutputs = new ArrayList<>();
  private List<Map<String, Operand<TFloat32>>> traceGates;
  private final long seed;
  private final int inputSize;
  private final int outputSize;
  private boolean closed;

  CompiledModel(Sequential model, Adam.Config optimizer, Loss lossKind, long seed, int threads) {
    this.model = model;
    this.seed = seed;
    this.inputSize = (int) Arrays.stream(model.inputShape()).reduce(1, (a, b) -> a * b);
    this.outputSize = (int) Arrays.stream(model.outputShape()).reduce(1, (a, b) -> a * b);
    graph = new Graph();
    Session opened = null;
    try {
      Ops tf = Ops.create(graph);
      ops = tf;
      BuildContext.Factory factory = new BuildContext.Factory(tf, TFloat32.class, seed);
      List<Layer> layers = model.layers();
      x = tf.withName(layers.get(0).name() + "_input")
          .placeholder(TFloat32.class, Placeholder.shape(withBatch(model.inputShape())));
      Operand<TFloat32> h = x;
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        layer.build(factory, model.inputShapeOf(i));
        layerInputs.add(h);
        h = layer.call(tf, h);
        layerOutputs.add(h);
        weights.addAll(layer.weights());
      }
      prediction = tf.withName("prediction").identity(h);
      nativeOps = layers.stream().anyMatch(l -> l instanceof RNN r && r.usesNativeKernel(TFloat32.class));
      y = tf.withName("y_true").placeholder(TFloat32.class, Placeholder.shape(withBatch(model.outputShape())));
      loss = tf.withName("loss").identity(lossKind.build(tf, y, prediction));
      trainStep = Adam.minimize(tf, loss, weights, optimizer);
      for (Layer.Weight w : weights) {
        String op = w.name().replace('/', '_');
        Placeholder<TFloat32> in = tf.withName("set_" + op)
            .placeholder(TFloat32.class, Placeholder.shape(w.variable().shape()));
        weightInputs.add(in);
        @SuppressWarnings("unchecked")
        Operand<TFloat32> var = (Operand<TFloat32>) w.variable();
        weightAssigns.add(tf.withName("assign_" + op).assign(var, in));
      }
      // per-session pools: otherwise every session shares the process-wide pool sized by the
      // first one, and models training side by side in threads wait for each other
      opened = new Session(graph, ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(threads)
          .setInterOpParallelismThreads(threads)
          .setUsePerSessionThreads(true)
          .build());
      opened.initialize();
      session = opened;
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close(); // the graph cannot close while a session holds it
      }
      RNN.release(graph);
      graph.close();
      throw e;
    }
  }

  private static Shape withBatch(long[] shape) {
    long[] dims = new long[shape.length + 1];
    dims[0] = Shape.UNKNOWN_SIZE;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    return Shape.of(dims);
  }

  public Sequential model() {
    return model;
  }

  /** The seed that drew the initial weights and drives shuffling. */
  public long seed() {
    return seed;
  }

  /** Options of {@link #fit}, Keras's arguments of the same names. */
  public record FitOptions(int epochs, int batchSize, double validationSplit, boolean shuffle) {
    public FitOptions {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, received " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch_size must be >= 1, received " + batchSize);
      }
      if (!(validationSplit >= 0 && validationSplit < 1)) {
        throw new IllegalArgumentException(
            "validation_split must be in [0, 1), received " + validationSplit);
      }
    }

    /** {@code epochs} epochs of batch 32, no validation, shuffled every epoch: Keras's defaults. */
    public static FitOptions of(int epochs) {
      return new FitOptions(epochs, 32, 0, true);
    }
  }

  /**
   * Keras's {@code fit}: the last {@code validationSplit} of the samples (before any shuffling)
   * are held out for validation; the rest are shuffled every epoch and fed in batches. Each
   * epoch's loss is the mean of the batch losses weighted by batch size, each computed before
   * that batch's update.
   */
  public History fit(float[] xs, float[] ys, FitOptions options, TrainingListener listener) {
    requireOpen();
    model.layers().forEach(Layer::checkTrainable);
    int samples = checkSamples(xs, ys);
    int valCount = (int) (samples * options.validationSplit());
    int trainCount = samples - valCount;
    if (trainCount < 1) {
      throw new IllegalArgumentException(
          "validation_split " + options.validationSplit() + " leaves no training samples of " + samples);
    }
    float[] valX = Arrays.copyOfRange(xs, trainCount * inputSize, samples * inputSize);
    float[] valY = Arrays.copyOfRange(ys, trainCount * outputSize, samples * outputSize);
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[trainCount];
    for (int i = 0; i < trainCount; i++) {
      order[i] = i;
    }
    List<Double> losses = new ArrayList<>();
    List<Double> valLosses = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    int bs = options.batchSize();
    float[] bx = new float[bs * inputSize];
    float[] by = new float[bs * outputSize];
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      long start = System.nanoTime();
      listener.onEpochBegin(epoch, options.epochs(), trainCount);
      if (options.shuffle()) {
        shuffle(order, random);
      }
      double sum = 0;
      for (int from = 0; from < trainCount; from += bs) {
        int n = Math.min(bs, trainCount - from);
        for (int k = 0; k < n; k++) {
          int row = order[from + k];
          System.arraycopy(xs, row * inputSize, bx, k * inputSize, inputSize);
          System.arraycopy(ys, row * outputSize, by, k * outputSize, outputSize);
        }
        sum += trainOnBatch(bx, by, n) * n;
        listener.onBatchEnd(from + n, sum / (from + n));
      }
      double epochLoss = sum / trainCount;
      double valLoss = valCount > 0 ? lossOf(valX, valY, valCount) : Double.NaN;
      double secs = (System.nanoTime() - start) / 1e9;
      losses.add(epochLoss);
      valLosses.add(valLoss);
      seconds.add(secs);
      listener.onEpochEnd(epoch, epochLoss, valLoss, secs);
    }
    return new History(losses, valLosses, seconds);
  }

  /**
   * Keras's {@code train_on_batch}: one optimizer step on the first {@code n} samples of {@code
   * bx} and {@code by}; returns the batch's loss before the update.
   */
  public double trainOnBatch(float[] bx, float[] by, int n) {
    requireOpen();
    if (n < 1 || bx.length < n * inputSize || by.length < n * outputSize) {
      throw new IllegalArgumentException("a batch of " + n + " samples needs " + n * inputSize
          + " x values and " + n * outputSize + " y values, received " + bx.length + " and " + by.length);
    }
    try (TFloat32 tx = tensor(bx, n, model.inputShape());
        TFloat32 ty = tensor(by, n, model.outputShape());
        Result r = session.runner().feed(x, tx).feed(y, ty).addTarget(trainStep).fetch(loss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Keras's {@code evaluate}: the loss over all samples. */
  public double evaluate(float[] xs, float[] ys, TrainingListener listener) {
    requireOpen();
    int samples = checkSamples(xs, ys);
    long start = System.nanoTime();
    double result = lossOf(xs, ys, samples);
    listener.onEvaluateEnd(samples, result, (System.nanoTime() - start) / 1e9);
    return result;
  }

  private double lossOf(float[] xs, float[] ys, int samples) {
    double sum = 0;
    for (int from = 0; from < samples; from += INFERENCE_BATCH) {
      int n = Math.min(INFERENCE_BATCH, samples - from);
      try (TFloat32 tx = tensor(Arrays.copyOfRange(xs, from * inputSize, (from + n) * inputSize), n,
              model.inputShape());
          TFloat32 ty = tensor(Arrays.copyOfRange(ys, from * outputSize, (from + n) * outputSize), n,
              model.outputShape());
          Result r = session.runner().feed(x, tx).feed(y, ty).fetch(loss).run()) {
        sum += ((TFloat32) r.get(0)).getFloat() * (double) n;
      }
    }
    return sum / samples;
  }

  /** Keras's {@code predict}: outputs (samples, *outputShape) in C order. */
  public float[] predict(float[] xs) {
    requireOpen();
    int samples = samplesOf(xs);
    float[] out = new float[samples * outputSize];
    for (int from = 0; from < samples; from += INFERENCE_BATCH) {
      int n = Math.min(INFERENCE_BATCH, samples - from);
      try (TFloat32 tx = tensor(Arrays.copyOfRange(xs, from * inputSize, (from + n) * inputSize), n,
              model.inputShape());
          Result r = session.runner().feed(x, tx).fetch(prediction).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false).offset((long) from * outputSize));
      }
    }
    return out;
  }

  /**
   * Every layer's output for {@code xs} and, for recurrent layers, their gate activations at every
   * timestep (see {@link LayerTrace}), for looking inside a model. Each recurrent layer is traced
   * on the input it gets in the model's own graph; its gates come from its cell run op by op (a
   * fused kernel hides them), built into the graph on the first call.
   */
  public List<LayerTrace> trace(float[] xs) {
    requireOpen();
    int samples = samplesOf(xs);
    if (traceGates == null) {
      Ops t = ops.withSubScope("trace");
      List<Map<String, Operand<TFloat32>>> gates = new ArrayList<>();
      for (int i = 0; i < model.layers().size(); i++) {
        gates.add(model.layers().get(i) instanceof RNN rnn ? rnn.trace(t, layerInputs.get(i)).gates() : Map.of());
      }
      traceGates = gates;
    }
    Session.Runner runner = session.runner();
    layerOutputs.forEach(runner::fetch);
    traceGates.forEach(m -> m.values().forEach(runner::fetch));
    List<LayerTrace> out = new ArrayList<>();
    try (TFloat32 tx = tensor(xs, samples, model.inputShape());
        Result r = runner.feed(x, tx).run()) {
      int k = layerOutputs.size();
      for (int i = 0; i < layerOutputs.size(); i++) {
        TFloat32 output = (TFloat32) r.get(i);
        Map<String, float[]> gates = new LinkedHashMap<>();
        long[] gateShape = {};
        for (String name : traceGates.get(i).keySet()) {
          TFloat32 g = (TFloat32) r.get(k++);
          gateShape = g.shape().asArray();
          gates.put(name, values(g));
        }
        out.add(new LayerTrace(model.layers().get(i).name(), output.shape().asArray(), values(output),
            gateShape, gates));
      }
    }
    return out;
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  /** A weight's name, shape and values, as {@code get_weights()} gives them. */
  public record WeightValue(String name, long[] shape, float[] values) {}

  /** The weights in Keras's {@code get_weights()} order. */
  public List<WeightValue> getWeights() {
    requireOpen();
    Session.Runner runner = session.runner();
    weights.forEach(w -> runner.fetch(w.variable()));
    List<WeightValue> out = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < weights.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(values, false, false));
        out.add(new WeightValue(weights.get(i).name(), t.shape().asArray(), values));
      }
    }
    return out;
  }

  /**
   * The graph names of the weights' variables, in {@link #getWeights()} order: the names a
   * SavedModel of this model gives them, Keras's ({@code lstm/kernel}, {@code lstm_1/bias}).
   */
  public List<String> variableNames() {
    return weights.stream().map(w -> w.variable().op().name()).toList();
  }

  /** Keras's {@code set_weights()}: one array per weight, in {@link #getWeights()} order. */
  public void setWeights(List<float[]> values) {
    requireOpen();
    if (values.size() != weights.size()) {
      throw new IllegalArgumentException(
          "set_weights expects " + weights.size() + " arrays, received " + values.size());
    }
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < values.size(); i++) {
        Shape shape = weights.get(i).variable().shape();
        if (values.get(i).length != shape.size()) {
          throw new IllegalArgumentException(
              "weight " + weights.get(i).name() + " expects shape " + shape + " (" + shape.size()
                  + " values), received " + values.get(i).length + " values");
        }
        TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(values.get(i), true, false));
        tensors.add(t);
        runner.feed(weightInputs.get(i), t).addTarget(weightAssigns.get(i));
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /**
   * Writes a SavedModel into {@code dir} (which must not exist) with a {@code serving_default}
   * signature from {@code <first layer>_input} to {@code <last layer>}, as Keras names them.
   */
  public void exportSavedModel(Path dir) throws IOException {
    requireOpen();
    List<Layer> layers = model.layers();
    if (exportedPrediction == null) {
      exportedPrediction = nativeOps ? portablePrediction() : prediction;
    }
    Signature signature = Signature.builder()
        .key(Signature.DEFAULT_KEY)
        .input(layers.get(0).name() + "_input", x)
        .output(layers.get(layers.size() - 1).name(), exportedPrediction)
        .build();
    SavedModelBundle.exporter(dir.toString())
        .withSession(session)
        .withFunction(session.function(signature))
        .export();
    if (exportedPrediction != prediction) {
      withoutNativeOps(dir.resolve("saved_model.pb"));
    }
  }

  /**
   * The model's output built again from TensorFlow's own ops on the same variables: a graph with
   * native-kernel ops only runs where rnnbook loaded them. Built at the first export (the session
   * takes the new nodes in), so that training graphs do not carry it.
   */
  private Operand<TFloat32> portablePrediction() {
    Ops portable = ops.withSubScope("portable");
    Operand<TFloat32> p = x;
    for (Layer layer : model.layers()) {
      p = layer.callPortable(portable, p);
    }
    return ops.withName("exported_prediction").identity(p);
  }

  /**
   * Removes from a SavedModel's graph the native-kernel ops and every op that depends on them
   * (the training path), so that it loads wherever TensorFlow does; the exported signature is
   * built from TensorFlow's own ops and keeps all it needs.
   */
  static void withoutNativeOps(Path savedModelPb) throws IOException {
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(savedModelPb));
    SavedModel.Builder out = saved.toBuilder();
    for (int g = 0; g < saved.getMetaGraphsCount(); g++) {
      GraphDef graphDef = saved.getMetaGraphs(g).getGraphDef();
      Set<String> removed = new HashSet<>();
      boolean grew = true;
      while (grew) {
        grew = false;
        for (NodeDef node : graphDef.getNodeList()) {
          if (!removed.contains(node.getName()) && (node.getOp().startsWith("Rnnbook")
              || node.getInputList().stream().anyMatch(in -> removed.contains(inputNode(in))))) {
            removed.add(node.getName());
            grew = true;
          }
        }
      }
      GraphDef.Builder kept = graphDef.toBuilder().clearNode();
      graphDef.getNodeList().stream().filter(n -> !removed.contains(n.getName())).forEach(kept::addNode);
      out.setMetaGraphs(g, saved.getMetaGraphs(g).toBuilder().setGraphDef(kept));
    }
    Files.write(savedModelPb, out.build().toByteArray());
  }

  /** The node an input names: "^node" (a control input), "node", "node:1". */
  private static String inputNode(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  private int samplesOf(float[] xs) {
    if (xs.length == 0 || xs.length % inputSize != 0) {
      throw new IllegalArgumentException(
          "x must hold a whole number of samples of shape " + Arrays.toString(model.inputShape())
              + " (" + inputSize + " values each), received " + xs.length + " values");
    }
    return xs.length / inputSize;
  }

  private int checkSamples(float[] xs, float[] ys) {
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

  private static TFloat32 tensor(float[] data, int rows, long[] sampleShape) {
    long[] dims = new long[sampleShape.length + 1];
    dims[0] = rows;
    System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
    Shape shape = Shape.of(dims);
    return TFloat32.tensorOf(shape, DataBuffers.of(data, true, false).narrow(shape.size()));
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("model " + model.name() + " is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      session.close();
      RNN.release(graph);
      graph.close();
    }
  }
}
