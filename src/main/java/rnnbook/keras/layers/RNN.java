package rnnbook.keras.layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * Keras's {@code RNN} loop around a {@link RecurrentCell}, unrolled over a fixed number of
 * timesteps. Input (batch, timesteps, features); output (batch, timesteps, units) with {@code
 * returnSequences}, else (batch, units). States start at zeros. How the loop runs (unrolled ops,
 * TensorFlow's fast path, native kernels) is the {@link RecurrentBackend} chosen at build.
 */
public abstract class RNN extends Layer {
  private final RecurrentConfig config;
  private final RecurrentCell cell;
  private BackendChoice backend;
  private int kernelThreads = 1;
  private TimeLoop loop;
  private final List<Object> retained = new ArrayList<>();

  protected RNN(RecurrentConfig config, RecurrentCell cell) {
    super(null);
    this.config = config;
    this.cell = cell;
  }

  public RecurrentConfig config() {
    return config;
  }

  public RecurrentCell cell() {
    return cell;
  }

  @Override
  public long[] outputShape(long[] inputShape) {
    requireRank(name(), inputShape, 2, "a 3D input (batch, timesteps, features)");
    return config.returnSequences()
        ? new long[] {inputShape[0], config.units()}
        : new long[] {config.units()};
  }

  @Override
  public long countParams(long[] inputShape) {
    return cell.countParams(inputShape[1]);
  }

  @Override
  protected void build(BuildContext ctx, long[] inputShape) {
    cell.build(ctx, inputShape[1]);
    Backends.Resolved resolved = Backends.choose(this, ctx.backend(), ctx.dtype());
    backend = resolved.choice();
    loop = resolved.loop();
    kernelThreads = ctx.kernelThreads();
  }

  /** The threads the model lets this layer's native kernels use. */
  int kernelThreads() {
    return kernelThreads;
  }

  /** The backend this layer runs on, chosen when it was built (null before). */
  public BackendChoice backend() {
    return backend;
  }

  /** The layer's output, from the time loop of its backend ({@link #backend()}). */
  @Override
  public <T extends TFloating> Operand<T> call(Ops tf, Operand<T> x) {
    requireBuilt();
    return loop.call(scope(tf), this, x);
  }

  @Override
  public boolean hasLighterInference() {
    return loop != null && loop.lighterForInference(this);
  }

  /** The layer's output for inference only (see {@link Layer#callForInference}). */
  @Override
  public <T extends TFloating> Operand<T> callForInference(Ops tf, Operand<T> x) {
    requireBuilt();
    return loop.callForInference(scope(tf), this, x);
  }

  /**
   * As {@link #call}, but with TensorFlow's own ops only, for graphs that leave this process
   * (SavedModels): the same function of the same weights.
   */
  @Override
  public <T extends TFloating> Operand<T> callPortable(Ops tf, Operand<T> x) {
    requireBuilt();
    return loop.portable().call(scope(tf), this, x);
  }

  /** Whether {@link #call} puts ops into the graph that only this process can run. */
  public boolean needsPortableExport() {
    return loop != null && loop.portable() != loop;
  }

  /**
   * Keeps {@code o} alive as long as this layer: what a backend registered for this layer's
   * graph and that a registry holds only weakly (see {@link Bptt}).
   */
  void retain(Object o) {
    retained.add(o);
  }

  /**
   * The layer's output and its cell's gate activations at every timestep.
   *
   * @param output as {@link #call} gives it
   * @param gates by the names the cell records them under, in its order, each (batch, timesteps,
   *     units)
   */
  public record Traced<T extends TType>(Operand<T> output, Map<String, Operand<T>> gates) {}

  /**
   * As {@link #call}, also returning every gate activation of every timestep. It always runs the
   * cell op by op (a fused kernel hides its gates), so its graph is the unrolled one; tests show
   * both give the same outputs.
   */
  public <T extends TFloating> Traced<T> trace(Ops tf, Operand<T> x) {
    Map<String, List<Operand<T>>> steps = new LinkedHashMap<>();
    Operand<T> output = unroll(scope(tf), x, (name, value) -> {
      if (!name.startsWith("_")) { // "_" names are saved for the backward pass, not gates
        steps.computeIfAbsent(name, k -> new ArrayList<>()).add(Layer.<T>cast(value));
      }
    }, false).output();
    Ops s = tf.withSubScope(name() + "_gates");
    Map<String, Operand<T>> gates = new LinkedHashMap<>();
    steps.forEach((name, values) -> gates.put(name, s.withName(name).stack(values, Stack.axis(1L))));
    return new Traced<>(output, gates);
  }

  /**
   * The unrolled forward pass: {@code inputs} is the time-major input flattened to (timesteps *
   * batch, features); {@code states.get(t)} the states entering timestep t (zeros at t = 0) and
   * {@code states.get(timesteps)} the last; {@code saved.get(t)} what the cell recorded at step
   * t (only when {@code save}).
   */
  record Unrolled<T extends TType>(Operand<T> inputs, List<List<Operand<T>>> states,
      List<Map<String, Operand<T>>> saved, Operand<T> output) {}

  <T extends TFloating> Unrolled<T> unroll(Ops s, Operand<T> x, StepTrace trace, boolean save) {
    requireBuilt();
    long timesteps = x.shape().size(1);
    long features = x.shape().size(2);
    // time-major, then one MatMul over all timesteps: (timesteps * batch, features) @ kernel
    Operand<T> timeMajor = s.linalg.transpose(x, s.constant(new int[] {1, 0, 2}));
    Operand<T> inputs = s.reshape(timeMajor, s.constant(new long[] {-1, features}));
    List<Operand<T>> projected = cell.projectInputs(s, inputs);
    List<List<Output<T>>> parts = new ArrayList<>();
    for (Operand<T> p : projected) {
      long width = p.shape().size(1);
      Operand<T> perStep = s.reshape(p, s.constant(new long[] {timesteps, -1, width}));
      parts.add(s.unstack(perStep, timesteps).output());
    }

    Operand<TInt64> batch = s.gather(s.shape(x, TInt64.class), s.constant(new int[] {0}), s.constant(0));
    Operand<T> zeros =
        s.fill(s.concat(List.of(batch, s.constant(new long[] {config.units()})), s.constant(0)),
            s.dtypes.cast(s.constant(0f), x.type()));
    List<Operand<T>> states = new ArrayList<>(Collections.nCopies(cell.stateCount(), zeros));
    List<List<Operand<T>>> allStates = new ArrayList<>();
    List<Map<String, Operand<T>>> saved = new ArrayList<>();
    cell.beginSequence(s, zeros);
    List<Operand<T>> outputs = new ArrayList<>();
    for (int t = 0; t < timesteps; t++) {
      List<Operand<T>> xt = new ArrayList<>();
      for (List<Output<T>> part : parts) {
        xt.add(part.get(t));
      }
      allStates.add(states);
      Map<String, Operand<T>> step = new HashMap<>();
      StepTrace recorder = !save ? trace : (name, value) -> {
        step.put(name, Layer.cast(value));
        trace.record(name, value);
      };
      states = cell.step(s, xt, states, recorder);
      saved.add(step);
      outputs.add(states.get(0));
    }
    allStates.add(states);
    Operand<T> output = config.returnSequences() ? s.stack(outputs, Stack.axis(1L)) : states.get(0);
    return new Unrolled<>(inputs, allStates, saved, output);
  }
}
