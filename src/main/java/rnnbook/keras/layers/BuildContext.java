package rnnbook.keras.layers;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import rnnbook.keras.initializers.Initializer;
import rnnbook.keras.initializers.Seeds;
import org.tensorflow.types.family.TFloating;

/**
 * Where a layer creates its weights: variables named {@code layer/weight} in the layer's scope,
 * initialized in the graph's init scope, each with its own seed derived from the model's seed.
 */
public final class BuildContext {
  private final Factory factory;
  private final Layer layer;
  private final Ops scoped;

  private BuildContext(Factory factory, Layer layer) {
    this.factory = factory;
    this.layer = layer;
    // one name scope per layer, shared by its weights and its call: lstm/kernel, lstm/MatMul
    this.scoped = factory.tf.withSubScope(layer.name());
    layer.useScope(scoped);
  }

  /**
   * Creates build contexts for the layers of one graph, all in one {@code dtype}, with one
   * recurrent backend asked for, and sharing one counter of variables, so every variable gets its
   * own seed.
   */
  public static final class Factory {
    private final Ops tf;
    private final Class<? extends TFloating> dtype;
    private final long seed;
    private final RecurrentBackend backend;
    private long variables;

    public Factory(Ops tf, Class<? extends TFloating> dtype, long seed, RecurrentBackend backend) {
      if (backend == null) {
        throw new IllegalArgumentException("backend must not be null; use RecurrentBackend.AUTO");
      }
      this.tf = tf;
      this.dtype = dtype;
      this.seed = seed;
      this.backend = backend;
    }

    /** As the four-argument constructor with {@link RecurrentBackend#AUTO}. */
    public Factory(Ops tf, Class<? extends TFloating> dtype, long seed) {
      this(tf, dtype, seed, RecurrentBackend.AUTO);
    }

    BuildContext forLayer(Layer layer) {
      if (layer.name() == null) {
        throw new IllegalStateException("a " + layer.className() + " layer needs a name before build");
      }
      return new BuildContext(this, layer);
    }

    public Ops tf() {
      return tf;
    }

    public Class<? extends TFloating> dtype() {
      return dtype;
    }
  }

  /** The recurrent backend the model asked for. */
  RecurrentBackend backend() {
    return factory.backend;
  }

  /** The dtype of the graph's weights and activations. */
  Class<? extends TFloating> dtype() {
    return factory.dtype;
  }

  /** Adds a weight called {@code name} with the given shape and initializer, Keras-style. */
  public <T extends TFloating> Variable<T> addWeight(String name, Shape shape, Initializer init) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) factory.dtype;
    long weightSeed = Seeds.derive(factory.seed, factory.variables++);
    Operand<T> value =
        init.create(scoped.withInitScope().withSubScope(name + "_init"), shape, type, weightSeed);
    Variable<T> v = scoped.withName(name).variable(value);
    layer.addWeight(new Layer.Weight(layer.name() + "/" + name, v));
    return v;
  }
}
