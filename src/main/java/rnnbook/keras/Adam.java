package rnnbook.keras;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
import rnnbook.keras.initializers.Initializer;
import rnnbook.keras.layers.Layer;

/**
 * Keras's Adam on TensorFlow's fused {@code ApplyAdam} kernel, the one Keras itself runs:
 *
 * <pre>
 * t = iterations + 1
 * lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
 * m = beta_1 * m + (1 - beta_1) * g;  v = beta_2 * v + (1 - beta_2) * g^2
 * w = w - lr_t * m / (sqrt(v) + epsilon)
 * </pre>
 *
 * <p>Written here rather than taken from {@code org.tensorflow.framework.optimizers.Adam} because
 * that one names its slots after the variable and rejects Keras's scoped names ({@code
 * lstm/kernel}); its default epsilon is also 1e-8 where Keras uses 1e-7. Slots are named as
 * Keras names them: {@code Adam/lstm/kernel/m}.
 */
public final class Adam {
  /**
   * Keras's arguments. Defaults ({@link #defaults()}): learning rate 0.001, beta_1 0.9, beta_2
   * 0.999, epsilon 1e-7, all as in {@code tf.keras.optimizers.Adam}.
   */
  public record Config(float learningRate, float beta1, float beta2, float epsilon) {
    public Config {
      if (!(learningRate > 0)) {
        throw new IllegalArgumentException("learning_rate must be > 0, received " + learningRate);
      }
      if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException(
            "beta_1 and beta_2 must be in [0, 1), received " + beta1 + " and " + beta2);
      }
      if (!(epsilon > 0)) {
        throw new IllegalArgumentException("epsilon must be > 0, received " + epsilon);
      }
    }

    public static Config defaults() {
      return new Config(0.001f, 0.9f, 0.999f, 1e-7f);
    }
  }

  private Adam() {}

  /**
   * Emits one training step that minimizes the loss over {@code weights}, given the loss's gradient
   * {@code dPrediction} with respect to the model's output {@code prediction}.
   */
  static <T extends TFloating> Op minimize(Ops tf, Operand<T> prediction, Operand<T> dPrediction,
      List<Layer.Weight> weights, Config config) {
    Class<T> type = prediction.type();
    Ops adam = tf.withSubScope("Adam");
    List<Operand<?>> vars = new ArrayList<>();
    weights.forEach(w -> vars.add(w.variable()));
    Gradients grads = tf.withSubScope("gradients")
        .gradients(List.of(prediction), vars, Gradients.dx(List.of(dPrediction)));

    Variable<TInt64> iterations = adam.withName("iterations").variable(
        adam.withInitScope().withName("iterations_init").constant(0L));
    Operand<T> step = adam.dtypes.cast(adam.math.add(iterations, adam.constant(1L)), type);
    Operand<T> beta1 = Tensors.scalar(adam, config.beta1(), type);
    Operand<T> beta2 = Tensors.scalar(adam, config.beta2(), type);
    Operand<T> beta1Power = adam.math.pow(beta1, step);
    Operand<T> beta2Power = adam.math.pow(beta2, step);
    Operand<T> lr = Tensors.scalar(adam, config.learningRate(), type);
    Operand<T> epsilon = Tensors.scalar(adam, config.epsilon(), type);

    // The variables are updated in place: no update may start before every gradient, which
    // reads the old weights, is computed. Without this barrier results race and vary run to run.
    List<Op> gradients = new ArrayList<>();
    for (int i = 0; i < weights.size(); i++) {
      gradients.add(tf.identity(grads.<T>dy(i)));
    }
    List<Op> updates = new ArrayList<>();
    Map<String, Ops> layerScopes = new HashMap<>();
    for (int i = 0; i < weights.size(); i++) {
      Layer.Weight w = weights.get(i);
      Operand<T> var = cast(w.variable());
      // Adam/lstm/kernel/m: one scope per layer, or the second weight would get Adam/lstm_1/...
      int slash = w.name().lastIndexOf('/');
      Ops slots = layerScopes.computeIfAbsent(w.name().substring(0, slash), adam::withSubScope)
          .withSubScope(w.name().substring(slash + 1));
      Variable<T> m = slot(slots, "m", var.shape(), type);
      Variable<T> v = slot(slots, "v", var.shape(), type);
      @SuppressWarnings("unchecked")
      Operand<T> g = (Operand<T>) gradients.get(i);
      updates.add(slots.withControlDependencies(gradients).train.applyAdam(var, m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, g));
    }
    return adam.withControlDependencies(updates).withName("minimize")
        .assignAdd(iterations, adam.constant(1L));
  }

  private static <T extends TFloating> Variable<T> slot(Ops scope, String name, Shape shape, Class<T> type) {
    Operand<T> zeros = Initializer.zeros().create(scope.withInitScope().withSubScope(name + "_init"),
        shape, type, 0);
    return scope.withName(name).variable(zeros);
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Operand<T> cast(Variable<?> v) {
    return (Operand<T>) v;
  }
}
