package rnnbook.keras.layers;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A cell that writes out its own backward step for {@link Bptt}. Its weights are kernel,
 * recurrent_kernel and, optionally, bias, in that order. Its step must have the form
 * {@code new states = f(input contribution, recurrent contribution, states)}, where the input
 * contribution is what {@link #projectInputs} gives for the timestep and the recurrent
 * contribution is {@code h_{t-1} @ recurrent_kernel} (plus, for a GRU, its recurrent bias), and
 * the step records under names starting with "_" (besides its gates) whatever {@link #backward}
 * needs.
 */
interface BackpropCell extends RecurrentCell {
  /** Whether this configuration has a written-out backward step (false: TensorFlow's gradients). */
  boolean hasBackprop();

  /**
   * Derivatives of one step.
   *
   * @param direct per state, the gradient reaching the previous state other than through the
   *     recurrent product (null: none)
   * @param input per part of {@link #projectInputs}, the gradient at that part
   * @param recurrent the gradient at the recurrent contribution (batch, gates * units)
   */
  record StepGradients<T extends TFloating>(
      List<Operand<T>> direct, List<Operand<T>> input, Operand<T> recurrent) {}

  /**
   * @param saved what the step recorded
   * @param previous the states the step started from
   * @param gradients per state, the gradient at the step's new state (null: none)
   */
  <T extends TFloating> StepGradients<T> backward(Ops tf, Map<String, Operand<T>> saved,
      List<Operand<T>> previous, List<Operand<T>> gradients);

  /**
   * The bias gradient from the sums over batch and time of the input-side and recurrent-side
   * gradients (each (gates * units)); null without bias.
   */
  <T extends TFloating> Operand<T> biasGradient(Ops tf, Operand<T> inputSum, Operand<T> recurrentSum);
}
