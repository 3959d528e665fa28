package rnnbook.keras.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * One timestep of a recurrent layer, as Keras's cells: {@code (inputs, states) -> new states},
 * the first state being the output h. The input-side matmul of every timestep is done at once by
 * {@link #projectInputs} (one MatMul for the whole sequence); {@link #step} adds the recurrent
 * part.
 */
public interface RecurrentCell {
  /** Number of state tensors, each (batch, units): 1, or 2 for LSTM (h, c). */
  int stateCount();

  long countParams(long inputDim);

  void build(BuildContext ctx, long inputDim);

  /**
   * {@code x} (n, inputDim) to the input-side pre-activations, bias included, as one or more
   * parts (n, width_k) that {@link #step} receives per timestep (split once for the whole
   * sequence rather than once per step).
   */
  <T extends TFloating> List<Operand<T>> projectInputs(Ops tf, Operand<T> x);

  /**
   * Called once per layer call before the steps, for work shared by every step; {@code zeros}
   * is the initial state (batch, units), computed from the input's shape only.
   */
  default <T extends TFloating> void beginSequence(Ops tf, Operand<T> zeros) {}

  /**
   * One timestep from the projected input parts, each (batch, width_k). h comes first. The step
   * hands its gate activations to {@code trace} by name, in a fixed order ({@link StepTrace#NONE}
   * when nobody looks).
   */
  <T extends TFloating> List<Operand<T>> step(
      Ops tf, List<Operand<T>> x, List<Operand<T>> states, StepTrace trace);
}
