package rnnbook.keras.layers;

import org.tensorflow.Operand;

/**
 * Receives the named tensors a {@link RecurrentCell} step computes on its way (its gate
 * activations, each (batch, units)), for inspection. {@link #NONE} ignores them, so a layer called
 * without a trace has exactly the ops it would have without this hook.
 */
@FunctionalInterface
public interface StepTrace {
  StepTrace NONE = (name, value) -> {};

  void record(String name, Operand<?> value);
}
