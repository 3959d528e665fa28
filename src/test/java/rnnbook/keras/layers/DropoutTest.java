package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import rnnbook.data.Npy;
import rnnbook.keras.Adam;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.TrainingListener;

/** Dropout is Keras's at inference (the identity) and refuses to train with rate > 0. */
class DropoutTest {
  @Test
  void isTheIdentityAtInference() throws IOException {
    Npy.Array x = LayerHarness.read("lstm", "x");
    double[] out = LayerHarness.run(new Dropout(0.5), x.data(), x.shape(), TFloat32.class);
    assertArrayEquals(LayerHarness.toFloat(x.data()), LayerHarness.toFloat(out));
    Dropout d = new Dropout(0.25);
    assertArrayEquals(new long[] {6, 4}, d.outputShape(new long[] {6, 4}));
    assertEquals(0, d.countParams(new long[] {6, 4}));
    assertEquals("dropout", d.defaultName());
  }

  @Test
  void rejectsARateOutsideZeroToOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
    assertTrue(e.getMessage().contains("received rate=1.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN));
  }

  @Test
  void fitRefusesTrainingTimeDropoutButNotRateZero() {
    float[] x = {0.1f, 0.2f, 0.3f, 0.4f};
    float[] y = {1f, 2f};
    try (CompiledModel m = new Sequential(2).add(new Dense(3)).add(new Dropout(0.2)).add(new Dense(1))
        .compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 0)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> m.fit(x, y, CompiledModel.FitOptions.of(1), TrainingListener.NONE));
      assertTrue(e.getMessage().contains("dropout (Dropout rate=0.2) cannot be trained"), e.getMessage());
      assertEquals(2, m.predict(x).length, "predict is fine");
    }
    try (CompiledModel m = new Sequential(2).add(new Dense(3)).add(new Dropout(0)).add(new Dense(1))
        .compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 0)) {
      assertEquals(1, m.fit(x, y, CompiledModel.FitOptions.of(1), TrainingListener.NONE).epochs());
    }
  }
}
