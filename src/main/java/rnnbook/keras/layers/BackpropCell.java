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
 * needs. A cell may have {@link #resetColumns} > 0: recurrent_kernel's last columns then multiply
 * the state it records as {@code "_reset"} (a GRU without reset_after: {@code r * h_{t-1}}), and
 * only the other columns multiply {@code h_{t-1}}.
 */
interface BackpropCell extends RecurrentCell {
  /** Whether this configuration has a written-out backward step (false: TensorFlow's gradients). */
  boolean hasBackprop();

  /** How many of recurrent_kernel's last columns multiply the {@code "_reset"} state; 0: none. */
  default long resetColumns() {
    return 0;
  }

  /**
   * Derivatives of one step.
   *
   * @param direct per state, the gradient reaching the previous state other than through the
   *     recurrent product (null: none)
   * @param input per part of {@link #projectInputs}, the gradient at that part
   * @param recurrent the gradient at the recurrent contribution (batch, gates * units), or with
   *     {@link #resetColumns} at {@code h_{t-1} @ recurrent_kernel[:, :-resetColumns]}
   * @param reset the gradient at {@code reset @ recurrent_kernel[:, -resetColumns:]} (null
   *     without reset columns); what it sends on to {@code h_{t-1}} is part of {@code direct}
   */
  record StepGradients<T extends TFloating>(List<Operand<T>> direct, List<Operand<T>> input,
      Operand<T> recurrent, Operand<T> reset) {
    StepGradients(List<Operand<T>> direct, List<Operand<T>> input, Operand<T> recurrent) {
      this(direct, input, recurrent, null);
    }
  }

  /**
   * @param saved what the step recorded
   * @param previous the states the step started from
   * @param gradients per state, the gradient at the step's new state (null: none)
   * @param resetKernel recurrent_kernel's last {@link #resetColumns} columns (null: none)
   */
  <T extends TFloating> StepGradients<T> backward(Ops tf, Map<String, Operand<T>> saved,
      List<Operand<T>> previous, List<Operand<T>> gradients, Operand<T> resetKernel);

  /**
   * The bias gradient from the sums over batch and time of the input-side and recurrent-side
   * gradients (each (gates * units)); null without bias.
   */
  <T extends TFloating> Operand<T> biasGradient(Ops tf, Operand<T> inputSum, Operand<T> recurrentSum);
}
