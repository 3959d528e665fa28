package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.RecurrentConfig;

/**
 * {@link CompiledModel#trace}: the recorded gates are the model's own. From them the Keras
 * equations give back each layer's output as the model's own graph (the fused LSTM kernel, the
 * unrolled GRU) computes it, and a plain-Java float64 LSTM/GRU on the model's weights gives the
 * gates themselves.
 */
class TraceTest {
  private static final int BATCH = 3;
  private static final int STEPS = 9;
  private static final int FEATURES = 2;
  private static final double TOLERANCE = 1e-5;

  private static float[] random(SplittableRandom r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (scale * r.nextDouble(-1, 1));
    }
    return v;
  }

  /** Random weights everywhere, biases included, so that every term of the equations counts. */
  private static List<CompiledModel.WeightValue> randomize(CompiledModel m, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<float[]> values = new ArrayList<>();
    for (CompiledModel.WeightValue w : m.getWeights()) {
      values.add(random(r, w.values().length, 0.8));
    }
    m.setWeights(values);
    return m.getWeights();
  }

  private static CompiledModel compile(Sequential model) {
    return model.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 5);
  }

  @Test
  void lstmGatesGiveBackTheFusedLayersOutputsAndMatchTheKerasEquations() {
    Sequential model = new Sequential(STEPS, FEATURES).add(new LSTM(5, true)).add(new LSTM(4)).add(new Dense(1));
    try (CompiledModel m = compile(model)) {
      List<CompiledModel.WeightValue> w = randomize(m, 11);
      float[] x = random(new SplittableRandom(3), BATCH * STEPS * FEATURES, 1);
      List<LayerTrace> traces = m.trace(x);
      assertEquals(List.of("lstm", "lstm_1", "dense"), traces.stream().map(LayerTrace::layer).toList());
      assertEquals(List.of("i", "f", "g", "o", "c", "h"), List.copyOf(traces.get(0).gates().keySet()));
      assertArrayEquals(new long[] {BATCH, STEPS, 5}, traces.get(0).gateShape());
      assertArrayEquals(new long[] {BATCH, 4}, traces.get(1).shape());
      assertEquals(0, traces.get(2).gates().size());
      float[] predicted = m.predict(x);
      assertArrayEquals(predicted, traces.get(2).output(), "the trace runs the model's own graph");

      float[] input = x;
      for (int layer = 0; layer < 2; layer++) {
        LayerTrace t = traces.get(layer);
        int units = (int) t.gateShape()[2];
        var g = t.gates();
        double[][] ch = KerasEquations.lstmStates(g.get("i"), g.get("f"), g.get("g"), g.get("o"), BATCH, STEPS, units);
        assertClose(g.get("c"), ch[0], "c of " + t.layer());
        assertClose(layerOutputAsSequence(t, units), ch[1], "h of " + t.layer() + " from its gates");
        int features = input.length / (BATCH * STEPS);
        double[][] ref = KerasEquations.lstmGates(input, BATCH, STEPS, features, w.get(3 * layer).values(),
            w.get(3 * layer + 1).values(), w.get(3 * layer + 2).values(), units);
        List<String> names = List.of("i", "f", "g", "o", "c", "h");
        for (int q = 0; q < names.size(); q++) {
          assertClose(g.get(names.get(q)), ref[q], names.get(q) + " of " + t.layer() + " from the weights");
        }
        input = t.output();
      }
    }
  }

  @Test
  void gruGatesGiveBackTheLayersOutputsAndMatchTheKerasEquations() {
    Sequential model = new Sequential(STEPS, FEATURES).add(new GRU(5, true)).add(new GRU(4)).add(new Dense(1));
    try (CompiledModel m = compile(model)) {
      List<CompiledModel.WeightValue> w = randomize(m, 12);
      float[] x = random(new SplittableRandom(4), BATCH * STEPS * FEATURES, 1);
      List<LayerTrace> traces = m.trace(x);
      assertEquals(List.of("z", "r", "hh", "h"), List.copyOf(traces.get(1).gates().keySet()));
      float[] input = x;
      for (int layer = 0; layer < 2; layer++) {
        LayerTrace t = traces.get(layer);
        int units = (int) t.gateShape()[2];
        var g = t.gates();
        double[] h = KerasEquations.gruStates(g.get("z"), g.get("hh"), BATCH, STEPS, units);
        assertClose(layerOutputAsSequence(t, units), h, "h of " + t.layer() + " from its gates");
        int features = input.length / (BATCH * STEPS);
        double[][] ref = KerasEquations.gruGates(input, BATCH, STEPS, features, w.get(3 * layer).values(),
            w.get(3 * layer + 1).values(), w.get(3 * layer + 2).values(), units);
        List<String> names = List.of("z", "r", "hh", "h");
        for (int q = 0; q < names.size(); q++) {
          assertClose(g.get(names.get(q)), ref[q], names.get(q) + " of " + t.layer() + " from the weights");
        }
        input = t.output();
      }
    }
  }

  @Test
  void tracingLeavesTheModelsNumbersAlone() {
    Sequential model = new Sequential(STEPS, FEATURES).add(new LSTM(RecurrentConfig.of(3).withReturnSequences(true)))
        .add(new GRU(3)).add(new Dense(1));
    try (CompiledModel m = compile(model)) {
      float[] x = random(new SplittableRandom(5), BATCH * STEPS * FEATURES, 1);
      float[] before = m.predict(x);
      List<LayerTrace> first = m.trace(x);
      assertArrayEquals(before, m.predict(x));
      assertArrayEquals(first.get(1).gates().get("z"), m.trace(x).get(1).gates().get("z"));
    }
  }

  /**
   * The layer's output as (batch, timesteps, units): a sequence layer's whole output; for a layer
   * that returns only its last step, NaN at the earlier steps (only the last is compared).
   */
  private static float[] layerOutputAsSequence(LayerTrace t, int units) {
    if (t.shape().length == 3) {
      return t.output();
    }
    float[] out = new float[BATCH * STEPS * units];
    java.util.Arrays.fill(out, Float.NaN);
    for (int b = 0; b < BATCH; b++) {
      System.arraycopy(t.output(), b * units, out, (b * STEPS + STEPS - 1) * units, units);
    }
    return out;
  }

  private static void assertClose(float[] actual, double[] expected, String what) {
    assertEquals(expected.length, actual.length, what + ": number of values");
    int compared = 0;
    for (int k = 0; k < expected.length; k++) {
      if (!Float.isNaN(actual[k])) {
        assertEquals(expected[k], actual[k], TOLERANCE, what + " at " + k);
        compared++;
      }
    }
    assertEquals(true, compared > 0, what + ": nothing compared");
  }
}
