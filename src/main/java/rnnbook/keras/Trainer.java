package rnnbook.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.CompiledModel.FitOptions;
import rnnbook.keras.layers.Layer;

/** Keras's training loop: {@code fit} as a plain loop over epochs and batches, {@code train_on_batch}. */
final class Trainer {
  private final Sequential model;
  private final ModelGraph g;
  private final Session session;
  private final Inference inference;
  private final long seed;
  private final Supplier<CompiledModel> validationCopy;
  private final Supplier<List<float[]>> weights;

  /**
   * @param validationCopy the model for inference only in a graph of its own, or null (see {@link
   *     ValidationAlongside})
   * @param weights the model's weights now, in {@code get_weights()} order
   */
  Trainer(Sequential model, ModelGraph g, Session session, Inference inference, long seed,
      Supplier<CompiledModel> validationCopy, Supplier<List<float[]>> weights) {
    this.model = model;
    this.g = g;
    this.session = session;
    this.inference = inference;
    this.seed = seed;
    this.validationCopy = validationCopy;
    this.weights = weights;
  }

  /**
   * Whether fit may validate beside its steps (see {@link ValidationAlongside}): null for where a
   * spare core allows it, false for never, true for wherever a copy can be made (tests).
   */
  static volatile Boolean validationAlongside;

  /** An epoch whose validation loss runs beside the next epoch's steps. */
  private record Pending(int epoch, double loss, long start, Future<Double> valLoss) {}

  /** See {@link CompiledModel#fit}. */
  History fit(float[] xs, float[] ys, FitOptions options, TrainingListener listener) {
    model.layers().forEach(Layer::checkTrainable);
    int inputSize = inference.inputSize();
    int outputSize = inference.outputSize();
    int samples = inference.checkSamples(xs, ys);
    int trainCount = trainSamples(samples, options.validationSplit());
    int valCount = samples - trainCount;
    if (trainCount < 1) {
      throw new IllegalArgumentException("Training data contains " + samples + " samples, which is not "
          + "sufficient to split it into a validation and training set as specified by `validation_split="
          + options.validationSplit() + "`. Either provide more data, or a different value for the "
          + "`validation_split` argument.");
    }
    float[] valX = Arrays.copyOfRange(xs, trainCount * inputSize, samples * inputSize);
    float[] valY = Arrays.copyOfRange(ys, trainCount * outputSize, samples * outputSize);
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[trainCount];
    for (int i = 0; i < trainCount; i++) {
      order[i] = i;
    }
    Epochs done = new Epochs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), listener);
    int bs = Math.min(options.batchSize(), trainCount); // a batch larger than the data is all of it
    float[] bx = new float[bs * inputSize];
    float[] by = new float[bs * outputSize];
    Boolean alongside = validationAlongside;
    // the copy's graph validates with the ops the training graph validates with: a layer's
    // lighter inference ops in both where every recurrent layer has them, its own ops otherwise
    boolean wanted = valCount > 0 && !Boolean.FALSE.equals(alongside);
    try (ValidationAlongside beside =
        new ValidationAlongside(validationCopy, wanted, Boolean.TRUE.equals(alongside))) {
      // epoch e's validation runs while epoch e + 1 trains; the listener hears of epoch e + 1
      // (its beginning and batches) only after epoch e's end, as when validating in between
      Pending pending = null;
      for (int epoch = 1; epoch <= options.epochs(); epoch++) {
        long start = System.nanoTime();
        if (pending == null) {
          listener.onEpochBegin(epoch, options.epochs(), trainCount);
        }
        if (options.order() != null) {
          order = checkedOrder(options.order().next(trainCount), trainCount);
        } else if (options.shuffle()) {
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
          if (pending != null && (pending.valLoss().isDone() || from + n == trainCount)) {
            done.end(pending, start);
            pending = null;
            listener.onEpochBegin(epoch, options.epochs(), trainCount);
          }
          if (pending == null) {
            listener.onBatchEnd(from + n, sum / (from + n));
          }
        }
        double epochLoss = sum / trainCount;
        if (valCount > 0 && epoch < options.epochs() && beside.available()) {
          pending = new Pending(epoch, epochLoss, start, beside.start(weights.get(), valX, valY, valCount));
          continue;
        }
        double valLoss = valCount > 0 ? inference.loss(valX, valY, valCount) : Double.NaN;
        done.add(epoch, epochLoss, valLoss, (System.nanoTime() - start) / 1e9);
      }
    }
    return new History(done.losses(), done.valLosses(), done.seconds());
  }

  /** The epochs fit has ended: their history, and the listener that hears of each end. */
  private record Epochs(List<Double> losses, List<Double> valLosses, List<Double> seconds,
      TrainingListener listener) {
    void add(int epoch, double loss, double valLoss, double secs) {
      losses.add(loss);
      valLosses.add(valLoss);
      seconds.add(secs);
      listener.onEpochEnd(epoch, loss, valLoss, secs);
    }

    /**
     * Ends an epoch whose validation ran beside the next one's steps (waiting for it if need be):
     * its seconds run from its start to the next epoch's, {@code next}.
     */
    void end(Pending p, long next) {
      add(p.epoch(), p.loss(), ValidationAlongside.await(p.valLoss()), (next - p.start()) / 1e9);
    }
  }

  /**
   * The training samples of {@code samples} under {@code validation_split}, as Keras's {@code
   * train_validation_split} counts them: {@code floor(samples * (1 - split))}.
   */
  static int trainSamples(int samples, double validationSplit) {
    return (int) Math.floor(samples * (1.0 - validationSplit));
  }

  private static int[] checkedOrder(int[] order, int samples) {
    boolean[] seen = new boolean[samples];
    if (order.length != samples) {
      throw new IllegalStateException("the epoch order has " + order.length + " indices, expected " + samples);
    }
    for (int i : order) {
      if (i < 0 || i >= samples || seen[i]) {
        throw new IllegalStateException("the epoch order is not a permutation of 0.." + (samples - 1)
            + ": index " + i);
      }
      seen[i] = true;
    }
    return order;
  }

  /** See {@link CompiledModel#trainOnBatch}. */
  double trainOnBatch(float[] bx, float[] by, int n) {
    checkBatch(bx, by, n);
    try (TFloat32 tx = Tensors.of(bx, n, model.inputShape());
        TFloat32 ty = Tensors.of(by, n, model.outputShape());
        Result r = Tensors.inline(session.runner()).feed(g.x, tx).feed(g.y, ty).addTarget(g.trainStep)
            .fetch(g.loss).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  private void checkBatch(float[] bx, float[] by, int n) {
    int inputSize = inference.inputSize();
    int outputSize = inference.outputSize();
    if (n < 1 || bx.length < n * inputSize || by.length < n * outputSize) {
      throw new IllegalArgumentException("a batch of " + n + " samples needs " + n * inputSize
          + " x values and " + n * outputSize + " y values, received " + bx.length + " and " + by.length);
    }
  }

  /** See {@link CompiledModel#opMicrosPerStep}. */
  Map<String, Double> opMicrosPerStep(float[] bx, float[] by, int n, int steps) {
    checkBatch(bx, by, n);
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, received " + steps);
    }
    Map<String, String> typeOf = new HashMap<>();
    g.graph.operations().forEachRemaining(op -> typeOf.put(op.name(), op.type()));
    RunOptions traced = Tensors.IN_CALLER_THREAD.toBuilder()
        .setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build();
    Map<String, Double> micros = new HashMap<>();
    for (int i = 0; i < steps; i++) {
      try (TFloat32 tx = Tensors.of(bx, n, model.inputShape());
          TFloat32 ty = Tensors.of(by, n, model.outputShape());
          Result r = session.runner().setOptions(traced).feed(g.x, tx).feed(g.y, ty)
              .addTarget(g.trainStep).fetch(g.loss).runAndFetchMetadata()) {
        RunMetadata metadata = r.getMetadata().orElseThrow();
        for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
          for (NodeExecStats node : device.getNodeStatsList()) {
            String type = typeOf.getOrDefault(node.getNodeName(), node.getNodeName());
            micros.merge(type, node.getAllEndRelNanos() / 1e3 / steps, Double::sum);
          }
        }
      }
    }
    Map<String, Double> sorted = new LinkedHashMap<>();
    micros.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
