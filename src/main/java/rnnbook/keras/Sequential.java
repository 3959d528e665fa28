package rnnbook.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.Shapes;

/**
 * Keras's {@code Sequential}: a stack of layers on an input of a fixed shape (without batch), as
 * {@code Sequential([...], input_shape=...)}. Layers get Keras's names ({@code lstm}, {@code
 * lstm_1}, ...) unless named already. Shapes are checked as layers are added; {@link #summary()}
 * needs no graph.
 */
public final class Sequential {
  private final String name;
  private final long[] inputShape;
  private final List<Layer> layers = new ArrayList<>();
  private final List<long[]> outputShapes = new ArrayList<>();
  private final Map<String, Integer> nameCounts = new HashMap<>();

  /** A model called {@code name} whose samples have shape {@code inputShape}, such as (100, 2). */
  public Sequential(String name, long... inputShape) {
    if (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
      throw new IllegalArgumentException(
          "input_shape must be a non-empty list of positive sizes, received "
              + Arrays.toString(inputShape));
    }
    this.name = name;
    this.inputShape = inputShape.clone();
  }

  public Sequential(long... inputShape) {
    this("sequential", inputShape);
  }

  /** Appends a layer, naming it Keras-style if it has no name yet. */
  public Sequential add(Layer layer) {
    if (layer.isBuilt()) {
      throw new IllegalArgumentException("layer " + layer.name() + " is already part of a model");
    }
    if (layer.name() == null) {
      String base = layer.defaultName();
      int n = nameCounts.merge(base, 1, Integer::sum);
      layer.setName(n == 1 ? base : base + "_" + (n - 1));
    }
    for (Layer other : layers) {
      if (other.name().equals(layer.name())) {
        throw new IllegalArgumentException(
            "All layers added to a Sequential model should have unique names. Name \""
                + layer.name() + "\" is already the name of a layer in this model.");
      }
    }
    outputShapes.add(layer.outputShape(outputShape()));
    layers.add(layer);
    return this;
  }

  /**
   * This model again, unbuilt: the same name, input shape and layers (each {@link
   * Layer#unbuiltCopy()}), for a second graph of it; null when a layer cannot be copied.
   */
  Sequential unbuiltCopy() {
    Sequential copy = new Sequential(name, inputShape);
    for (Layer layer : layers) {
      Layer c = layer.unbuiltCopy();
      if (c == null) {
        return null;
      }
      copy.add(c);
    }
    return copy;
  }

  public String name() {
    return name;
  }

  public long[] inputShape() {
    return inputShape.clone();
  }

  /** The output shape of the last layer (without batch); the input shape when empty. */
  public long[] outputShape() {
    return outputShapes.isEmpty() ? inputShape.clone() : outputShapes.get(outputShapes.size() - 1).clone();
  }

  /** The input shape of layer {@code i}. */
  long[] inputShapeOf(int i) {
    return i == 0 ? inputShape.clone() : outputShapes.get(i - 1).clone();
  }

  public List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  public long countParams() {
    long n = 0;
    for (int i = 0; i < layers.size(); i++) {
      n += layers.get(i).countParams(inputShapeOf(i));
    }
    return n;
  }

  /** Builds the graph and a session: one thread, the automatic backend (see {@link CompileOptions}). */
  public CompiledModel compile(Adam.Config optimizer, Loss loss, long seed) {
    return compile(optimizer, loss, CompileOptions.of(seed));
  }

  /** As {@link #compile(Adam.Config, Loss, CompileOptions)} on {@code threads} threads. */
  public CompiledModel compile(Adam.Config optimizer, Loss loss, long seed, int threads) {
    return compile(optimizer, loss, CompileOptions.of(seed).withThreads(threads));
  }

  /** Builds the graph, Adam's update step and a session: see {@link CompiledModel}. */
  public CompiledModel compile(Adam.Config optimizer, Loss loss, CompileOptions options) {
    if (optimizer == null) {
      throw new IllegalArgumentException("optimizer must not be null; use compileForInference");
    }
    return build(optimizer, loss, options);
  }

  /**
   * Builds the graph and a session for {@code predict}, {@code evaluate} (with {@code loss}),
   * weights and export only: no gradients, no optimizer slots.
   */
  public CompiledModel compileForInference(Loss loss, CompileOptions options) {
    return build(null, loss, options);
  }

  private CompiledModel build(Adam.Config optimizer, Loss loss, CompileOptions options) {
    if (layers.isEmpty()) {
      throw new IllegalStateException("a Sequential model needs at least one layer before compile");
    }
    if (loss == null || options == null) {
      throw new IllegalArgumentException("loss and options must not be null");
    }
    return new CompiledModel(this, optimizer, loss, options);
  }

  /** Keras's {@code model.summary()} table, 65 columns wide. */
  public String summary() {
    int[] positions = {29, 55, 65};
    String rule = "_".repeat(65);
    String thick = "=".repeat(65);
    StringBuilder b = new StringBuilder();
    b.append("Model: \"").append(name).append("\"\n").append(rule).append('\n');
    b.append(row(positions, "Layer (type)", "Output Shape", "Param #")).append('\n').append(thick).append('\n');
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      b.append(row(positions, l.name() + " (" + l.className() + ")", Shapes.withBatch(outputShapes.get(i)),
          Long.toString(l.countParams(inputShapeOf(i))))).append('\n');
      b.append(i == layers.size() - 1 ? thick : rule).append('\n');
    }
    long total = countParams();
    b.append(String.format(java.util.Locale.ROOT, "Total params: %,d%n", total));
    b.append(String.format(java.util.Locale.ROOT, "Trainable params: %,d%n", total));
    b.append("Non-trainable params: 0\n").append(rule).append('\n');
    return b.toString();
  }

  private static String row(int[] positions, String... fields) {
    String line = "";
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        line = line.substring(0, line.length() - 1) + " ";
      }
      line += fields[i];
      line = line.substring(0, Math.min(line.length(), positions[i]));
      line += " ".repeat(positions[i] - line.length());
    }
    return line;
  }
}
