package rnnbook.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import rnnbook.keras.layers.Shapes;

/**
 * A Keras {@code Sequential} as a file holds it, whatever the format: its layers in order, each
 * with its Keras config and its weights in {@code get_weights()} order. Every reader ({@link
 * SavedModelReader}, {@link KerasArchiveReader}, {@link LegacyH5Reader}) produces one; {@link
 * KerasImport#build} turns it into an rnnbook model, and the writers write one out.
 *
 * @param source the file or folder it was read from, named in every message
 * @param format what wrote it, such as {@code Keras 3.15.1 .keras}
 * @param name the model's name
 * @param inputShape the declared sample shape (without batch), -1 for an open size; null when
 *     the file declares none
 * @param inputName the name of the {@code InputLayer}, or null when the config has none
 * @param layers the layers after the input
 */
public record KerasModel(String source, String format, String name, long[] inputShape, String inputName,
    List<Layer> layers) {
  public KerasModel {
    layers = List.copyOf(layers);
    inputShape = inputShape == null ? null : inputShape.clone();
  }

  /** One layer: its Keras class, its config ({@code get_config()}), its weights in order. */
  public record Layer(String className, JsonNode config, List<Weight> weights) {
    public Layer {
      weights = List.copyOf(weights);
    }

    public String name() {
      return config.path("name").asText("");
    }
  }

  /** A weight as the file names it ({@code lstm/lstm_cell/kernel:0}, {@code layers/lstm/cell/vars/0}). */
  public record Weight(String name, long[] shape, float[] values) {
    public Weight {
      long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      if (n != values.length) {
        throw new IllegalArgumentException("weight " + name + ": shape " + Shapes.format(shape) + " holds " + n
            + " values, found " + values.length);
      }
    }
  }

  /** The same model with {@code layers} instead, for writers and tests. */
  public KerasModel withLayers(List<Layer> other) {
    return new KerasModel(source, format, name, inputShape, inputName, other);
  }

  /** Every weight of every layer, in {@code model.get_weights()} order. */
  public List<Weight> weights() {
    return layers.stream().flatMap(l -> l.weights().stream()).toList();
  }
}
