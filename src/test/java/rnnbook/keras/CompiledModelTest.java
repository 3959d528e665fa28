package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.GRU;
import rnnbook.keras.layers.LSTM;
import rnnbook.keras.layers.SimpleRNN;

class CompiledModelTest {
  @Test
  void adamStepsMatchAPlainJavaReference() {
    int n = 8;
    int in = 3;
    float[] x = new float[n * in];
    float[] y = new float[n];
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    for (int i = 0; i < n; i++) {
      y[i] = (float) r.nextDouble(-1, 1);
    }
    double[] w = {0.5, -0.25, 0.125};
    double b = 0.1;
    Sequential model = new Sequential(in).add(new Dense(1));
    try (CompiledModel m = model.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 0)) {
      m.setWeights(List.of(new float[] {0.5f, -0.25f, 0.125f}, new float[] {0.1f}));
      History h = m.fit(x, y, new CompiledModel.FitOptions(3, n, 0, false), TrainingListener.NONE);

      // Keras's Adam (epsilon 1e-7) on MSE, in double
      double lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7;
      double[] mw = new double[in], vw = new double[in];
      double mb = 0, vb = 0;
      for (int t = 1; t <= 3; t++) {
        double[] gw = new double[in];
        double gb = 0;
        double loss = 0;
        for (int i = 0; i < n; i++) {
          double p = b;
          for (int k = 0; k < in; k++) {
            p += x[i * in + k] * w[k];
          }
          double e = p - y[i];
          loss += e * e / n;
          for (int k = 0; k < in; k++) {
            gw[k] += 2 * e * x[i * in + k] / n;
          }
          gb += 2 * e / n;
        }
        assertEquals(loss, h.loss().get(t - 1), 1e-6, "loss of epoch " + t);
        double lrT = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        for (int k = 0; k < in; k++) {
          mw[k] = b1 * mw[k] + (1 - b1) * gw[k];
          vw[k] = b2 * vw[k] + (1 - b2) * gw[k] * gw[k];
          w[k] -= lrT * mw[k] / (Math.sqrt(vw[k]) + eps);
        }
        mb = b1 * mb + (1 - b1) * gb;
        vb = b2 * vb + (1 - b2) * gb * gb;
        b -= lrT * mb / (Math.sqrt(vb) + eps);
      }
      List<CompiledModel.WeightValue> after = m.getWeights();
      assertEquals("dense/kernel", after.get(0).name());
      assertArrayEquals(new long[] {3, 1}, after.get(0).shape());
      for (int k = 0; k < in; k++) {
        assertEquals(w[k], after.get(0).values()[k], 1e-6);
      }
      assertEquals(b, after.get(1).values()[0], 1e-6);
      assertTrue(Double.isNaN(h.valLoss().get(0)));
    }
  }

  @Test
  void summaryMatchesKerasForTheBookModels() {
    Sequential lstm = new Sequential(100, 2).add(new LSTM(30, true)).add(new LSTM(30)).add(new Dense(1));
    String expected = String.join("\n",
        "Model: \"sequential\"",
        "_________________________________________________________________",
        "Layer (type)                 Output Shape              Param #   ",
        "=================================================================",
        "lstm (LSTM)                  (None, 100, 30)           3960      ",
        "_________________________________________________________________",
        "lstm_1 (LSTM)                (None, 30)                7320      ",
        "_________________________________________________________________",
        "dense (Dense)                (None, 1)                 31        ",
        "=================================================================",
        "Total params: 11,311",
        "Trainable params: 11,311",
        "Non-trainable params: 0",
        "_________________________________________________________________",
        "");
    assertEquals(expected, lstm.summary());
    assertEquals(2851, new Sequential(100, 2).add(new SimpleRNN(30, true)).add(new SimpleRNN(30))
        .add(new Dense(1)).countParams());
    assertEquals(8671, new Sequential(100, 2).add(new GRU(30, true)).add(new GRU(30))
        .add(new Dense(1)).countParams());
  }

  @Test
  void shapesAreCheckedWhenLayersAreAdded() {
    Sequential s = new Sequential(10, 2).add(new LSTM(4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.add(new GRU(3)));
    assertTrue(e.getMessage().contains("gru") && e.getMessage().contains("expected a 3D input"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Sequential(10, 0));
  }

  @Test
  void shortFitLowersTheLossAndExportReloadsWithIdenticalPredictions(@TempDir Path dir) throws Exception {
    int samples = 96;
    int steps = 8;
    java.util.SplittableRandom r = new java.util.SplittableRandom(4);
    float[] x = new float[samples * steps * 2];
    float[] y = new float[samples];
    for (int s = 0; s < samples; s++) {
      float sum = 0;
      for (int t = 0; t < steps; t++) {
        float v = (float) r.nextDouble();
        x[(s * steps + t) * 2] = t % 2;
        x[(s * steps + t) * 2 + 1] = v;
        sum += v;
      }
      y[s] = sum / steps;
    }
    Sequential model = new Sequential(steps, 2).add(new GRU(8, true)).add(new LSTM(8)).add(new Dense(1));
    try (CompiledModel m = model.compile(new Adam.Config(0.01f, 0.9f, 0.999f, 1e-7f), Loss.MEAN_SQUARED_ERROR, 3)) {
      History h = m.fit(x, y, new CompiledModel.FitOptions(8, 16, 0.25, true), TrainingListener.NONE);
      assertEquals(8, h.epochs());
      assertTrue(h.loss().get(7) < 0.5 * h.loss().get(0), "loss falls: " + h.loss());
      assertTrue(h.valLoss().get(7) < h.valLoss().get(0), "val_loss falls: " + h.valLoss());
      double evaluated = m.evaluate(x, y, TrainingListener.NONE);
      float[] predicted = m.predict(x);
      double mse = 0;
      for (int i = 0; i < samples; i++) {
        mse += (predicted[i] - y[i]) * (double) (predicted[i] - y[i]) / samples;
      }
      assertEquals(mse, evaluated, 1e-6, "evaluate is the MSE of predict");

      Path export = dir.resolve("model");
      m.exportSavedModel(export);
      try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve");
          TFloat32 input = TFloat32.tensorOf(Shape.of(samples, steps, 2), DataBuffers.of(x, true, false))) {
        SessionFunction f = bundle.function("serving_default");
        assertEquals(List.of("gru_input"), List.copyOf(f.signature().inputNames()));
        try (Result out = f.call(Map.of("gru_input", input))) {
          TFloat32 t = (TFloat32) out.get("dense").orElseThrow();
          assertEquals(Shape.of(samples, 1), t.shape());
          float[] reloaded = new float[samples];
          t.copyTo(DataBuffers.of(reloaded, false, false));
          // the export is the same function built from TensorFlow's own ops (it loads anywhere);
          // with the native kernels in use the summation order differs: equal up to rounding
          assertArrayEquals(predicted, reloaded, 1e-6f, "the reloaded SavedModel predicts the same");
        }
        bundle.graph().operations().forEachRemaining(op -> assertTrue(!op.type().startsWith("Rnnbook"),
            "exported graph holds " + op.type()));
      }
    }
  }

  @Test
  void sameSeedSameHistoryBitForBit() {
    float[] x = new float[40 * 5 * 2];
    float[] y = new float[40];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i * 37 % 11) / 11f;
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = (i % 7) / 7f;
    }
    History[] runs = new History[2];
    for (int k = 0; k < 2; k++) {
      try (CompiledModel m = new Sequential(5, 2).add(new LSTM(4)).add(new Dense(1))
          .compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 77)) {
        runs[k] = m.fit(x, y, new CompiledModel.FitOptions(3, 8, 0.2, true), TrainingListener.NONE);
      }
    }
    assertEquals(runs[0].loss(), runs[1].loss());
    assertEquals(runs[0].valLoss(), runs[1].valLoss());
  }

  @Test
  void misuseIsReported() {
    CompiledModel m = new Sequential(3).add(new Dense(2)).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.fit(new float[6], new float[3], CompiledModel.FitOptions.of(1), TrainingListener.NONE));
    assertTrue(e.getMessage().contains("y must hold 2 samples"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> m.setWeights(List.of(new float[5], new float[2])));
    assertTrue(e.getMessage().contains("dense/kernel"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CompiledModel.FitOptions(0, 32, 0, true));
    m.close();
    assertThrows(IllegalStateException.class, () -> m.predict(new float[3]));
  }

  /**
   * An inference-only model predicts as the trained one with the same weights, builds no
   * gradients nor Adam slots (its export's graph has none), and refuses to train.
   */
  @Test
  void inferenceOnlyModelsBuildNoGradients(@TempDir Path dir) throws Exception {
    float[] x = new float[4 * 6 * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 5) / 5f - 0.4f;
    }
    java.util.function.Supplier<Sequential> model =
        () -> new Sequential(6, 2).add(new GRU(3, true)).add(new LSTM(2)).add(new Dense(1));
    try (CompiledModel trained = model.get().compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 5);
        CompiledModel inference = model.get().compileForInference(Loss.MEAN_SQUARED_ERROR, CompileOptions.of(9))) {
      trained.trainOnBatch(x, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 4);
      inference.setWeights(trained.getWeights().stream().map(CompiledModel.WeightValue::values).toList());
      assertArrayEquals(trained.predict(x), inference.predict(x), 0f);
      var e = assertThrows(IllegalStateException.class, () -> inference.trainOnBatch(x, new float[4], 4));
      assertTrue(e.getMessage().contains("compiled for inference only"), e.getMessage());
      inference.exportSavedModel(dir.resolve("inference"));
      trained.exportSavedModel(dir.resolve("trained"));
    }
    assertEquals(List.of(), opsLike(dir.resolve("inference"), "Adam|Grad|gradients"));
    assertTrue(!opsLike(dir.resolve("trained"), "Adam|Grad|gradients").isEmpty(), "the check can fail");
  }

  private static List<String> opsLike(Path savedModel, String pattern) throws java.io.IOException {
    var saved = org.tensorflow.proto.SavedModel.parseFrom(
        java.nio.file.Files.readAllBytes(savedModel.resolve("saved_model.pb")));
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(pattern);
    return saved.getMetaGraphsList().stream().flatMap(g -> g.getGraphDef().getNodeList().stream())
        .filter(n -> p.matcher(n.getName()).find() || p.matcher(n.getOp()).find())
        .map(n -> n.getName()).toList();
  }
}
