package rnnbook.keras.layers;

import rnnbook.keras.initializers.GlorotUniform;
import rnnbook.keras.initializers.Initializer;
import rnnbook.keras.initializers.Orthogonal;

/**
 * The Keras arguments of {@code SimpleRNN}, {@code LSTM} and {@code GRU}, with Keras's (TF2)
 * defaults from {@link #of(int)}:
 *
 * <ul>
 *   <li>{@code activation} tanh and {@code recurrentActivation} sigmoid (TF2's default; Keras 2.2
 *       used hard_sigmoid); SimpleRNN has no recurrent activation;
 *   <li>{@code kernelInitializer} glorot_uniform, {@code recurrentInitializer} orthogonal,
 *       {@code biasInitializer} zeros, {@code useBias} true;
 *   <li>{@code unitForgetBias} true (LSTM only): the forget gate's bias starts at 1 whatever the
 *       bias initializer, so early gradients flow through the cell state;
 *   <li>{@code resetAfter} true (GRU only): the reset gate is applied after the recurrent matmul
 *       and the bias has shape (2, 3 * units), TF2's cuDNN-compatible default;
 *   <li>{@code returnSequences} false: only the last timestep's output;
 * </ul>
 *
 * <p>How the time loop runs is not part of the layer: see {@link RecurrentBackend}.
 */
public record RecurrentConfig(
    int units,
    Activation activation,
    Activation recurrentActivation,
    boolean useBias,
    Initializer kernelInitializer,
    Initializer recurrentInitializer,
    Initializer biasInitializer,
    boolean unitForgetBias,
    boolean resetAfter,
    boolean returnSequences) {

  public RecurrentConfig {
    if (units < 1) {
      throw new IllegalArgumentException(
          "units must be a positive integer, received units=" + units);
    }
    if (activation == null || recurrentActivation == null) {
      throw new IllegalArgumentException("activation and recurrentActivation must not be null");
    }
    if (kernelInitializer == null || recurrentInitializer == null || biasInitializer == null) {
      throw new IllegalArgumentException("initializers must not be null");
    }
  }

  /** Keras's defaults for a layer of {@code units} units. */
  public static RecurrentConfig of(int units) {
    return new RecurrentConfig(units, Activation.TANH, Activation.SIGMOID, true,
        new GlorotUniform(), new Orthogonal(), Initializer.zeros(), true, true, false);
  }

  public RecurrentConfig withReturnSequences(boolean value) {
    return new RecurrentConfig(units, activation, recurrentActivation, useBias, kernelInitializer,
        recurrentInitializer, biasInitializer, unitForgetBias, resetAfter, value);
  }

  public RecurrentConfig withActivation(Activation value) {
    return new RecurrentConfig(units, value, recurrentActivation, useBias, kernelInitializer,
        recurrentInitializer, biasInitializer, unitForgetBias, resetAfter, returnSequences);
  }

  public RecurrentConfig withRecurrentActivation(Activation value) {
    return new RecurrentConfig(units, activation, value, useBias, kernelInitializer,
        recurrentInitializer, biasInitializer, unitForgetBias, resetAfter, returnSequences);
  }

  public RecurrentConfig withUseBias(boolean value) {
    return new RecurrentConfig(units, activation, recurrentActivation, value, kernelInitializer,
        recurrentInitializer, biasInitializer, unitForgetBias, resetAfter, returnSequences);
  }

  public RecurrentConfig withInitializers(Initializer kernel, Initializer recurrent, Initializer bias) {
    return new RecurrentConfig(units, activation, recurrentActivation, useBias, kernel, recurrent,
        bias, unitForgetBias, resetAfter, returnSequences);
  }

  public RecurrentConfig withUnitForgetBias(boolean value) {
    return new RecurrentConfig(units, activation, recurrentActivation, useBias, kernelInitializer,
        recurrentInitializer, biasInitializer, value, resetAfter, returnSequences);
  }

  public RecurrentConfig withResetAfter(boolean value) {
    return new RecurrentConfig(units, activation, recurrentActivation, useBias, kernelInitializer,
        recurrentInitializer, biasInitializer, unitForgetBias, value, returnSequences);
  }
}
