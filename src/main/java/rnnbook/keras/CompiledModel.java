package rnnbook.keras;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import rnnbook.keras.layers.BackendChoice;

/**
 * A compiled {@link Sequential}: the one owner of its graph and session, and the only thing that
 * runs them. {@code fit}, {@code evaluate} and {@code predict} as in Keras; arrays are float32 in
 * C order, {@code x} of shape (samples, *inputShape) and {@code y} of (samples, *outputShape).
 * Close it to free the native graph.
 *
 * <p>Each job has its own type: {@link ModelGraph} builds the graph, {@link Trainer} runs the
 * training loop, {@link Inference} predicts, evaluates and traces, {@link WeightStore} reads and
 * writes weights, {@link SavedModelExport} writes SavedModels. A model compiled with {@link
 * Sequential#compileForInference} has no gradients nor optimizer slots and cannot be trained.
 */
public final class CompiledModel implements AutoCloseable {
  private final Sequential model;
  private final CompileOptions options;
  private final ModelGraph graph;
  private final Session session;
  private final Inference inference;
  private final Trainer trainer;
  private final WeightStore weights;
  private final SavedModelExport export;
  private final Loss loss;
  private CompiledModel validationCopy; // built by the first fit that validates beside its steps
  private boolean closed;

  CompiledModel(Sequential model, Adam.Config optimizer, Loss loss, CompileOptions options) {
    this.model = model;
    this.options = options;
    this.loss = loss;
    graph = new ModelGraph(model, optimizer, loss, options);
    Session opened = null;
    try {
      // per-session pools: otherwise every session shares the process-wide pool sized by the
      // first one, and models training side by side in threads wait for each other
      opened = new Session(graph.graph, ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(options.threads())
          .setInterOpParallelismThreads(options.threads())
          .setUsePerSessionThreads(true)
          .build());
      opened.initialize();
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close(); // the graph cannot close while a session holds it
      }
      graph.close();
      throw e;
    }
    session = opened;
    inference = new Inference(model, graph, session);
    trainer = optimizer == null ? null
        : new Trainer(model, graph, session, inference, options.seed(), this::validationCopy, this::weightArrays);
    weights = new WeightStore(graph, session);
    export = new SavedModelExport(model, graph, session);
  }

  public Sequential model() {
    return model;
  }

  /** The seed that drew the initial weights and drives shuffling. */
  public long seed() {
    return options.seed();
  }

  /** The options this model was compiled with. */
  public CompileOptions options() {
    return options;
  }

  /** What each recurrent layer runs on, in layer order (empty without recurrent layers). */
  public List<BackendChoice> backends() {
    return List.copyOf(graph.backends);
  }

  /**
   * Options of {@link #fit}, Keras's arguments of the same names.
   *
   * @param order with {@code shuffle}, the order of each epoch; null: drawn from the compile seed
   */
  public record FitOptions(int epochs, int batchSize, double validationSplit, boolean shuffle,
      EpochOrder order) {
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
      if (order != null && !shuffle) {
        throw new IllegalArgumentException("an epoch order needs shuffle=True");
      }
    }

    /** Shuffled, or not, every epoch in an order drawn from the compile seed. */
    public FitOptions(int epochs, int batchSize, double validationSplit, boolean shuffle) {
      this(epochs, batchSize, validationSplit, shuffle, null);
    }

    /** These options, shuffled every epoch in {@code order}'s order. */
    public FitOptions withOrder(EpochOrder order) {
      return new FitOptions(epochs, batchSize, validationSplit, true, order);
    }

    /** {@code epochs} epochs of batch 32, no validation, shuffled every epoch: Keras's defaults. */
    public static FitOptions of(int epochs) {
      return new FitOptions(epochs, 32, 0, true);
    }
  }

  /**
   * Keras's {@code fit}: as Keras's {@code validation_split}, the first {@code floor(samples * (1
   * - validationSplit))} samples train and the rest (taken before any shuffling) validate; the
   * training samples are shuffled every epoch and fed in batches. Each
   * epoch's loss is the mean of the batch losses weighted by batch size, each computed before
   * that batch's update. While no other fit trains in the process and the machine has a second
   * core, each epoch's validation loss but the last's is computed on that core beside the next
   * epoch's steps, on the weights the epoch left, in a second graph of the model built for it:
   * the same numbers, and the listener hears of the epochs in the same order, each epoch's end
   * before the next one's beginning. A listener that throws ends fit; when it throws from the end
   * of an epoch validated that way, the next epoch's first steps have already changed the weights.
   */
  public History fit(float[] xs, float[] ys, FitOptions options, TrainingListener listener) {
    return requireTrainer().fit(xs, ys, options, listener);
  }

  /**
   * Keras's {@code train_on_batch}: one optimizer step on the first {@code n} samples of {@code
   * bx} and {@code by}; returns the batch's loss before the update.
   */
  public double trainOnBatch(float[] bx, float[] by, int n) {
    return requireTrainer().trainOnBatch(bx, by, n);
  }

  /**
   * TensorFlow's own account of {@code steps} training steps on one batch (they train the model):
   * the time of the ops of each type, in microseconds per step, largest first. The steps run with
   * TensorFlow's software trace, which slows them and weighs most on the smallest ops: shares, not
   * timings.
   */
  public Map<String, Double> opMicrosPerStep(float[] bx, float[] by, int n, int steps) {
    return requireTrainer().opMicrosPerStep(bx, by, n, steps);
  }

  /** Keras's {@code evaluate}: the loss over all samples. */
  public double evaluate(float[] xs, float[] ys, TrainingListener listener) {
    requireOpen();
    int samples = inference.checkSamples(xs, ys);
    long start = System.nanoTime();
    double result = inference.loss(xs, ys, samples);
    listener.onEvaluateEnd(samples, result, (System.nanoTime() - start) / 1e9);
    return result;
  }

  /** Keras's {@code predict}: outputs (samples, *outputShape) in C order. */
  public float[] predict(float[] xs) {
    requireOpen();
    return inference.predict(xs);
  }

  /**
   * Every layer's output for {@code xs} and, for recurrent layers, their gate activations at every
   * timestep (see {@link LayerTrace}), for looking inside a model. Each recurrent layer is traced
   * on the input it gets in the model's own graph; its gates come from its cell run op by op (a
   * fused kernel hides them), built into the graph on the first call.
   */
  public List<LayerTrace> trace(float[] xs) {
    requireOpen();
    return inference.trace(xs);
  }

  /** A weight's name, shape and values, as {@code get_weights()} gives them. */
  public record WeightValue(String name, long[] shape, float[] values) {}

  /** The weights in Keras's {@code get_weights()} order. */
  public List<WeightValue> getWeights() {
    requireOpen();
    return weights.get();
  }

  /**
   * The graph names of the weights' variables, in {@link #getWeights()} order: the names a
   * SavedModel of this model gives them, Keras's ({@code lstm/kernel}, {@code lstm_1/bias}).
   */
  public List<String> variableNames() {
    return weights.variableNames();
  }

  /** Keras's {@code set_weights()}: one array per weight, in {@link #getWeights()} order. */
  public void setWeights(List<float[]> values) {
    requireOpen();
    weights.set(values);
  }

  /**
   * Writes a SavedModel into {@code dir} (which must not exist) with a {@code serving_default}
   * signature from {@code <first layer>_input} to {@code <last layer>}, as Keras names them. Its
   * graph holds TensorFlow's own ops only, whatever the backend trained with.
   */
  public void exportSavedModel(Path dir) throws IOException {
    requireOpen();
    export.export(dir);
  }

  private Trainer requireTrainer() {
    requireOpen();
    if (trainer == null) {
      throw new IllegalStateException("model " + model.name()
          + " was compiled for inference only; compile it with an optimizer to train it");
    }
    return trainer;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("model " + model.name() + " is closed");
    }
  }

  /**
   * This model again, for inference only, in a graph and session of its own with one kernel
   * thread: fit's validation beside its steps ({@link ValidationAlongside}). Built at the first
   * call and closed with this model; null when a layer cannot be copied.
   */
  synchronized CompiledModel validationCopy() {
    if (validationCopy == null && !closed) {
      Sequential copy = model.unbuiltCopy();
      if (copy != null) {
        validationCopy = copy.compileForInference(loss, options.withKernelThreads(1));
      }
    }
    return validationCopy;
  }

  /** The loss over the first {@code samples} samples, as fit's validation computes it. */
  double validationLoss(float[] xs, float[] ys, int samples) {
    requireOpen();
    return inference.loss(xs, ys, samples);
  }

  private List<float[]> weightArrays() {
    return getWeights().stream().map(WeightValue::values).toList();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (validationCopy != null) {
        validationCopy.close();
      }
      session.close();
      graph.close();
    }
  }
}
