package rnnbook.chapter7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.GateFiles;
import rnnbook.io.GateFiles.Gate;
import rnnbook.io.GateFiles.Recording;
import rnnbook.io.SavedModels;
import rnnbook.keras.Adam;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.KerasEquations;
import rnnbook.keras.LayerTrace;
import rnnbook.keras.Loss;
import rnnbook.keras.TrainingListener;

/**
 * The gate inspector on the book's models: what it records (and writes to gates.csv) gives back,
 * through the Keras equations, each recurrent layer's output as the model's own graph computes it
 * (the fused LSTM kernel, the unrolled GRU); the SavedModel's weights are the ones it runs.
 */
class GateInspectorTest {
  private static final int TIMESTEPS = 20;
  private static final double TOLERANCE = 1e-5;

  @TempDir
  Path dir;

  private final ModelRun.Split data = ModelRun.Split.of(MultiplicationProblem.generate(7, 120, TIMESTEPS));

  /** The book's model with random weights everywhere, biases included, so that every term counts. */
  private static CompiledModel randomModel(BookModel spec) {
    CompiledModel m = spec.create(TIMESTEPS).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 3);
    SplittableRandom r = new SplittableRandom(spec.ordinal());
    List<float[]> values = new ArrayList<>();
    for (CompiledModel.WeightValue w : m.getWeights()) {
      float[] v = new float[w.values().length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextDouble(-0.3, 0.3);
      }
      values.add(v);
    }
    m.setWeights(values);
    return m;
  }

  @Test
  void lstmRecordingGivesBackTheFusedLayersOutputThroughTheKerasEquations() throws IOException {
    checkRecording(BookModel.LSTM);
  }

  @Test
  void gruRecordingGivesBackTheLayersOutputThroughTheKerasEquations() throws IOException {
    checkRecording(BookModel.GRU);
  }

  private void checkRecording(BookModel spec) throws IOException {
    List<Integer> samples = List.of(3, 0, 17);
    try (CompiledModel m = randomModel(spec)) {
      List<Recording> recordings = GateInspector.inspect(m, spec, data.test(), samples, 7, "test data", "random");
      float[] predicted = m.predict(data.test().xFloat());
      for (int j = 0; j < samples.size(); j++) {
        int k = samples.get(j);
        // written and read back: gates.csv holds the values exactly
        Path folder = GateInspector.write(dir, recordings.get(j));
        Recording r = GateFiles.read(folder);
        // the model's own prediction; a batch of 3 rounds differently from one of 440 in the last bit
        assertEquals(predicted[k], r.sample().prediction(), 1e-6, "the model's own prediction");
        assertEquals(data.test().y()[k], r.sample().y());
        assertEquals(2, r.sample().marked().size());
        for (int t : r.sample().marked()) {
          assertEquals(1.0, data.test().x()[(k * TIMESTEPS + t) * 2]);
        }
        // the layers' outputs from the model's own graph, on this sample alone
        float[] x = java.util.Arrays.copyOfRange(data.test().xFloat(), k * TIMESTEPS * 2, (k + 1) * TIMESTEPS * 2);
        List<LayerTrace> own = m.trace(x);
        for (int layer = 0; layer < 2; layer++) {
          String name = own.get(layer).layer();
          double[] h = hFromGates(r, name, spec);
          float[] output = own.get(layer).output();
          int units = 30;
          if (layer == 0) {
            assertEquals(TIMESTEPS * units, output.length);
            for (int i = 0; i < output.length; i++) {
              assertEquals(output[i], h[i], TOLERANCE, name + " h at " + i);
            }
          } else {
            for (int u = 0; u < units; u++) {
              assertEquals(output[u], h[(TIMESTEPS - 1) * units + u], TOLERANCE, name + " last h, unit " + u);
            }
          }
          // the recorded h is the h the equations give
          float[] recordedH = flat(r.gate(name, "h"));
          for (int i = 0; i < recordedH.length; i++) {
            assertEquals(h[i], recordedH[i], TOLERANCE);
          }
        }
      }
    }
  }

  /** h of every timestep from the recorded gates, by the Keras equations, as [timestep * units + unit]. */
  private static double[] hFromGates(Recording r, String layer, BookModel spec) {
    int units = r.gate(layer, "h").units();
    if (spec == BookModel.LSTM) {
      assertEquals(List.of("i", "f", "g", "o", "c", "h"), r.of(layer).stream().map(Gate::gate).toList());
      double[][] ch = KerasEquations.lstmStates(flat(r.gate(layer, "i")), flat(r.gate(layer, "f")),
          flat(r.gate(layer, "g")), flat(r.gate(layer, "o")), 1, TIMESTEPS, units);
      float[] c = flat(r.gate(layer, "c"));
      for (int i = 0; i < c.length; i++) {
        assertEquals(ch[0][i], c[i], TOLERANCE, layer + " c from i, f, g");
      }
      return ch[1];
    }
    assertEquals(List.of("z", "r", "hh", "h"), r.of(layer).stream().map(Gate::gate).toList());
    return KerasEquations.gruStates(flat(r.gate(layer, "z")), flat(r.gate(layer, "hh")), 1, TIMESTEPS, units);
  }

  private static float[] flat(Gate g) {
    float[] out = new float[g.timesteps() * g.units()];
    for (int t = 0; t < g.timesteps(); t++) {
      System.arraycopy(g.values()[t], 0, out, t * g.units(), g.units());
    }
    return out;
  }

  @Test
  void runsTheSavedModelsWeightsOrTrainsOnTheSpot() throws IOException {
    ModelRun.Settings settings = new ModelRun.Settings(1, 32, 5, rnnbook.keras.layers.RecurrentBackend.AUTO);
    Path saved = dir.resolve("saved/lstm");
    ModelRun.Outcome trained = ModelRun.train(BookModel.LSTM, data, settings, new PrintStream(new ByteArrayOutputStream()),
        TrainingListener.NONE, m -> SavedModels.export(m, saved));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true);
    List<Recording> fromSaved = GateInspector.record(BookModel.LSTM, data, "test data", List.of(4, 9), saved,
        settings, out, TrainingListener.NONE);
    assertTrue(bytes.toString().contains("lstm: weights from the SavedModel " + saved), bytes.toString());
    // (to float rounding: predict ran all the test samples as one batch, the recording two)
    assertEquals(trained.predictions().get(4).prediction(), fromSaved.get(0).sample().prediction(), 1e-6,
        "the SavedModel's weights predict what the trained model predicted");
    assertEquals(trained.predictions().get(9).prediction(), fromSaved.get(1).sample().prediction(), 1e-6);
    assertEquals("SavedModel " + saved, fromSaved.get(0).sample().source());

    // no SavedModel: the same training on the spot gives the same model, bit for bit
    List<Recording> onTheSpot = GateInspector.record(BookModel.LSTM, data, "test data", List.of(4, 9), dir.resolve("none"),
        settings, out, TrainingListener.NONE);
    assertEquals("trained on the spot: 1 epoch, seed 5", onTheSpot.get(0).sample().source());
    assertEquals(fromSaved.get(0).sample().prediction(), onTheSpot.get(0).sample().prediction(), 0);
    assertArrayEquals(fromSaved.get(0).gate("lstm_1", "c").values()[TIMESTEPS - 1],
        onTheSpot.get(0).gate("lstm_1", "c").values()[TIMESTEPS - 1]);

    var e = assertThrows(IllegalArgumentException.class, () -> GateInspector.record(BookModel.LSTM, data, "d",
        List.of(data.test().samples()), saved, settings, out, TrainingListener.NONE));
    assertTrue(e.getMessage().contains("expected 0.." + (data.test().samples() - 1)), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GateInspector.record(BookModel.SIMPLE_RNN, data, "d",
        List.of(0), saved, settings, out, TrainingListener.NONE));
    assertTrue(e.getMessage().contains("has no gates"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GateInspector.record(BookModel.GRU, data, "d",
        List.of(0), saved, settings, out, TrainingListener.NONE));
    assertTrue(e.getMessage().contains("has no variable gru/kernel"), e.getMessage());
  }

  @Test
  void writesReadableHeatMapsAndStateCharts() throws IOException {
    try (CompiledModel m = randomModel(BookModel.GRU)) {
      Recording r = GateInspector.inspect(m, BookModel.GRU, data.test(), List.of(2), 7, "test data", "random").get(0);
      Path folder = GateInspector.write(dir, r);
      assertEquals(GateFiles.sampleDir(dir, "gru", 2), folder);
      for (String layer : List.of("gru", "gru_1")) {
        BufferedImage heat = ImageIO.read(folder.resolve("heatmap_" + layer + ".png").toFile());
        assertTrue(heat != null && heat.getWidth() == 1000 && heat.getHeight() > 4 * 150, layer);
        BufferedImage state = ImageIO.read(folder.resolve("state_" + layer + ".png").toFile());
        assertTrue(state != null && state.getWidth() == 1000, layer);
        assertTrue(Files.readString(folder.resolve("state_" + layer + ".svg")).contains("<svg"));
      }
      assertEquals(1 + 2 * 4 * TIMESTEPS * 30, Files.readAllLines(folder.resolve("gates.csv")).size());
    }
  }
}
