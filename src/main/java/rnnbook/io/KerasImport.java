package rnnbook.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import rnnbook.io.KerasSavedModel.TensorSpec;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;
import rnnbook.keras.layers.Shapes;

/**
 * Builds a {@link KerasModel}, read from any format, as this project's {@link Sequential} with its
 * trained weights. Each layer's weights must be as many as its config implies ({@code kernel},
 * {@code recurrent_kernel}, {@code bias}, without the bias for {@code use_bias=False}) and of the
 * shapes it implies; a mismatch is named in one line with the file, the layer and the
 * expectation.
 */
public final class KerasImport {
  private KerasImport() {}

  /**
   * One layer of the Keras config beside its Java rebuild. {@code java} is null for the
   * {@code InputLayer}, which is the Java model's input shape rather than a layer.
   */
  public record LayerMatch(String name, String className, String keras, long kerasParams, Layer java,
      long[] javaOutputShape, long javaParams) {}

  /** The rebuilt model, the layer by layer match, the weights in {@code get_weights()} order, what was read. */
  public record Imported(Sequential model, List<LayerMatch> layers, List<KerasModel.Weight> weights,
      KerasModel source) {
    /** Compiles the rebuilt model and copies the trained weights in. */
    public CompiledModel compile() {
      CompiledModel compiled = model.compileForInference(Loss.MEAN_SQUARED_ERROR, CompileOptions.of(0));
      try {
        List<CompiledModel.WeightValue> slots = compiled.getWeights();
        if (slots.size() != weights.size()) {
          throw new IllegalStateException("the rebuilt model has " + slots.size() + " weights, "
              + source.source() + " " + weights.size());
        }
        compiled.setWeights(weights.stream().map(KerasModel.Weight::values).toList());
        return compiled;
      } catch (RuntimeException e) {
        compiled.close();
        throw e;
      }
    }
  }

  /**
   * Rebuilds the model of the Keras 2 SavedModel {@code saved}. {@code sampleShape} (without
   * batch, may be null) fills sizes the model leaves open, such as {@code (None, None, 1)}, from
   * the data to be fed; the serving signature's input shape stands in for an undeclared one.
   */
  public static Imported rebuild(KerasSavedModel saved, long[] sampleShape) throws IOException {
    KerasModel model = SavedModelReader.read(saved);
    if (model.inputShape() == null) {
      TensorSpec input = saved.signature(KerasSavedModel.SERVING_DEFAULT).inputs().get(0);
      if (input.shape() != null && input.shape().length > 1) {
        model = new KerasModel(model.source(), model.format(), model.name(),
            Arrays.copyOfRange(input.shape(), 1, input.shape().length), model.inputName(), model.layers());
      }
    }
    return build(model, sampleShape);
  }

  /** Builds {@code km}; {@code sampleShape} (may be null) fills open sizes of its input. */
  public static Imported build(KerasModel km, long[] sampleShape) {
    List<KerasLayers.Converted> converted = new ArrayList<>();
    for (KerasModel.Layer l : km.layers()) {
      KerasLayers.Converted c;
      try {
        c = KerasLayers.convert(l.className(), l.config());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(km.source() + ": " + e.getMessage());
      }
      if (l.weights().size() != c.weights().size()) {
        throw new IllegalArgumentException(km.source() + ": layer '" + l.name() + "' (" + l.className() + ") holds "
            + l.weights().size() + " weights, expected " + c.weights().size() + " " + c.weights() + " for "
            + c.keras());
      }
      converted.add(c);
    }
    long[] inputShape = resolveInputShape(km, sampleShape);
    Sequential model = new Sequential(km.name(), inputShape);
    List<LayerMatch> matches = new ArrayList<>();
    if (km.inputName() != null) {
      matches.add(new LayerMatch(km.inputName(), "InputLayer", "InputLayer(batch_shape="
          + Shapes.withBatch(inputShape) + ")", 0, null, inputShape, 0));
    }
    for (int i = 0; i < converted.size(); i++) {
      KerasLayers.Converted c = converted.get(i);
      KerasModel.Layer l = km.layers().get(i);
      long[] in = model.outputShape();
      try {
        model.add(c.layer());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(km.source() + ": layer '" + l.name() + "' (" + l.className() + "): "
            + e.getMessage());
      }
      List<long[]> expected = expectedShapes(c.layer(), in, c.weights().size());
      long params = 0;
      for (int w = 0; w < expected.size(); w++) {
        KerasModel.Weight weight = l.weights().get(w);
        if (!Arrays.equals(expected.get(w), weight.shape())) {
          throw new IllegalArgumentException(km.source() + ": layer '" + l.name() + "' (" + l.className()
              + "): weight " + c.weights().get(w) + " (" + weight.name() + ") has shape " + Shapes.format(weight.shape())
              + ", expected " + Shapes.format(expected.get(w)) + " for " + c.keras() + " on inputs "
              + Shapes.withBatch(in));
        }
        params += weight.values().length;
      }
      matches.add(new LayerMatch(c.layer().name(), c.layer().className(), c.keras(), params, c.layer(),
          model.outputShape(), c.layer().countParams(in)));
    }
    return new Imported(model, matches, km.weights(), km);
  }

  /** The shapes Keras gives a layer's weights on inputs {@code in} (without batch). */
  static List<long[]> expectedShapes(Layer layer, long[] in, int count) {
    long features = in[in.length - 1];
    List<long[]> shapes;
    if (layer instanceof RNN r) {
      long units = r.config().units();
      long width = units * (r instanceof LSTM ? 4 : r instanceof GRU ? 3 : 1);
      long[] bias = r instanceof GRU && r.config().resetAfter() ? new long[] {2, width} : new long[] {width};
      shapes = List.of(new long[] {features, width}, new long[] {units, width}, bias);
    } else if (layer instanceof Dense d) {
      shapes = List.of(new long[] {features, d.config().units()}, new long[] {d.config().units()});
    } else {
      shapes = List.of();
    }
    return shapes.subList(0, Math.min(count, shapes.size()));
  }

  private static long[] resolveInputShape(KerasModel km, long[] sampleShape) {
    long[] shape = km.inputShape();
    if (shape == null) {
      if (sampleShape == null) {
        throw new IllegalArgumentException("the input shape of the model in " + km.source()
            + " is unknown; give inputs to take it from");
      }
      return sampleShape.clone();
    }
    shape = shape.clone();
    for (int i = 0; i < shape.length; i++) {
      if (sampleShape != null && (sampleShape.length != shape.length || (shape[i] >= 0 && shape[i] != sampleShape[i]))) {
        throw new IllegalArgumentException("inputs of shape " + Shapes.withBatch(sampleShape)
            + " do not fit the model's input " + withNone(shape));
      }
      if (shape[i] < 0) {
        if (sampleShape == null) {
          throw new IllegalArgumentException("the model's input shape " + withNone(shape)
              + " leaves sizes besides the batch open; give inputs to take them from");
        }
        shape[i] = sampleShape[i];
      }
    }
    return shape;
  }

  static String withNone(long[] shape) {
    StringBuilder b = new StringBuilder("(None");
    for (long d : shape) {
      b.append(", ").append(d < 0 ? "None" : Long.toString(d));
    }
    return b.append(')').toString();
  }
}
