package rnnbook.keras;

import java.util.Map;

/**
 * What one layer of a model computed for a batch, as {@link CompiledModel#trace} gives it. Arrays
 * are float32 in C order.
 *
 * @param layer the layer's name ({@code lstm}, {@code lstm_1}, {@code dense})
 * @param shape the output's shape, batch first: (batch, timesteps, units) with {@code
 *     returnSequences}, else (batch, units)
 * @param output the layer's output in the model's own graph, the one {@code fit} and {@code
 *     predict} run
 * @param gateShape (batch, timesteps, units) of each gate; empty for a layer without gates
 * @param gates a recurrent layer's gate activations at every timestep, by the names its cell
 *     records them under, in the cell's order; empty for other layers
 */
public record LayerTrace(String layer, long[] shape, float[] output, long[] gateShape,
    Map<String, float[]> gates) {
  public LayerTrace {
    gates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gates));
  }
}
