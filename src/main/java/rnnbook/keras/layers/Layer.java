package rnnbook.keras.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * A Keras layer: it knows its output shape and parameter count from its input shape, creates its
 * weights once in {@link #build}, and emits graph ops in {@link #call}. Shapes here leave out the
 * batch dimension: (timesteps, features) for a recurrent layer's input.
 *
 * <p>A layer only builds graph; it never runs a Session.
 */
public abstract class Layer {
  private String name;
  private final List<Weight> weights = new ArrayList<>();
  private boolean built;
  private Ops scope;

  protected Layer(String name) {
    this.name = name;
  }

  /** A trainable weight: its Keras name ({@code lstm/kernel}) and its variable. */
  public record Weight(String name, Variable<? extends TFloating> variable) {}

  /** The Keras class name, as the summary prints it: {@code LSTM}. */
  public abstract String className();

  /** The name Keras gives the first layer of this class: {@code lstm}, {@code simple_rnn}. */
  public String defaultName() {
    return className().replaceAll("([a-z])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2")
        .toLowerCase(Locale.ROOT);
  }

  /** The layer's name; null until given one by the user or by its Sequential. */
  public String name() {
    return name;
  }

  /** Gives the layer its name; only before it is built. */
  public void setName(String name) {
    if (built) {
      throw new IllegalStateException("layer " + this.name + " is built; it cannot be renamed");
    }
    this.name = name;
  }

  /**
   * A new, unbuilt layer with this one's configuration and name, for a second graph of the same
   * model (fit validates on one beside its training steps); null when the layer does not say how
   * to copy itself, and fit then validates between its epochs.
   */
  public Layer unbuiltCopy() {
    return null;
  }

  /** {@code copy}, given this layer's name: for {@link #unbuiltCopy()}. */
  protected final Layer named(Layer copy) {
    copy.setName(name);
    return copy;
  }

  /** The output shape (without batch) for an input of {@code inputShape} (without batch). */
  public abstract long[] outputShape(long[] inputShape);

  /** The number of scalars in this layer's weights for an input of {@code inputShape}. */
  public abstract long countParams(long[] inputShape);

  /** Creates this layer's weights in {@code ctx}. */
  protected abstract void build(BuildContext ctx, long[] inputShape);

  /** Emits the layer's forward computation for a batch {@code x} of shape (batch, *inputShape). */
  public abstract <T extends TFloating> Operand<T> call(Ops tf, Operand<T> x);

  /**
   * Whether {@link #callForInference} builds a lighter graph than {@link #call}; the model then
   * builds a second forward pass for validation and prediction.
   */
  public boolean hasLighterInference() {
    return false;
  }

  /**
   * As {@link #call}, for a graph that is never differentiated (validation, prediction): the same
   * function of the same weights; layers may then skip what only a backward pass needs.
   */
  public <T extends TFloating> Operand<T> callForInference(Ops tf, Operand<T> x) {
    return call(tf, x);
  }

  /**
   * As {@link #call}, with TensorFlow's own ops only (no op from {@link NativeKernels}), for graphs
   * that are exported; the same for every layer but the native-kernel recurrent ones.
   */
  public <T extends TFloating> Operand<T> callPortable(Ops tf, Operand<T> x) {
    return call(tf, x);
  }

  /**
   * Throws {@link IllegalStateException} when {@code fit} cannot train this layer as Keras
   * would; every layer can by default.
   */
  public void checkTrainable() {}

  /** Builds the layer once, checking the input shape first. */
  public final void build(BuildContext.Factory factory, long[] inputShape) {
    if (built) {
      throw new IllegalStateException("layer " + name + " is already built");
    }
    outputShape(inputShape); // validates
    build(factory.forLayer(this), inputShape);
    built = true;
  }

  public boolean isBuilt() {
    return built;
  }

  /** The weights in Keras's {@code get_weights()} order. */
  public List<Weight> weights() {
    return Collections.unmodifiableList(weights);
  }

  void addWeight(Weight w) {
    weights.add(w);
  }

  void useScope(Ops scope) {
    this.scope = scope;
  }

  /**
   * The layer's name scope in {@code tf}'s graph: the one its weights were made in when it was
   * built there, so that weights and ops share one prefix ({@code lstm/kernel}, {@code
   * lstm/MatMul}) instead of a second, renumbered one ({@code lstm_1/MatMul}).
   */
  protected final Ops scope(Ops tf) {
    if (scope != null && scope.scope().env() == tf.scope().env()) {
      return scope;
    }
    return tf.withSubScope(name);
  }

  protected final void requireBuilt() {
    if (!built) {
      throw new IllegalStateException("layer " + name + " is not built; build it before calling it");
    }
  }

  @SuppressWarnings("unchecked")
  protected static <T extends TType> Operand<T> typed(Variable<?> v) {
    return (Operand<T>) v;
  }

  @SuppressWarnings("unchecked")
  static <T extends TType> Operand<T> cast(Operand<?> o) {
    return (Operand<T>) o;
  }

  protected static void requireRank(String layer, long[] inputShape, int rank, String expected) {
    if (inputShape.length != rank) {
      throw new IllegalArgumentException(
          "Input 0 of layer " + layer + " is incompatible: expected " + expected + ", found shape "
              + Shapes.format(inputShape));
    }
    for (long d : inputShape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "Input 0 of layer " + layer + " needs fully defined dimensions, found "
                + Shapes.format(inputShape));
      }
    }
  }

  static long[] copyWithLast(long[] shape, long last) {
    long[] out = Arrays.copyOf(shape, shape.length);
    out[out.length - 1] = last;
    return out;
  }
}
