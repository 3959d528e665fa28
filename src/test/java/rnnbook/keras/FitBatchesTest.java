package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import rnnbook.keras.layers.Dense;

/** Which samples fit trains and validates on, and in which order it feeds them. */
class FitBatchesTest {
  /** A Dense(1) on one feature, y = 2x - 1 plus a per-sample offset, so every sample's error differs. */
  private static float[][] data(int n) {
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (i * 7 % 13) / 13f;
      y[i] = 2 * x[i] - 1 + i * 0.03f;
    }
    return new float[][] {x, y};
  }

  /**
   * Keras's {@code train_validation_split} keeps {@code floor(n * (1 - split))} samples for
   * training and validates on the rest: n=10 with 0.25 gives 7/3 (not 8/2), n=7 with 0.5 gives 3/4
   * (not 4/3), the chapter's 2560 with 0.2 gives 2048/512. The validation loss is the MSE of the
   * last samples under the weights after the epoch, worked out here in double.
   */
  @ParameterizedTest
  @CsvSource({"10, 0.25, 7", "7, 0.5, 3", "2560, 0.2, 2048"})
  void validationSplitKeepsKerasFloorForTraining(int n, double split, int train) {
    float[][] d = data(n);
    List<Integer> counted = new ArrayList<>();
    try (CompiledModel m = new Sequential(1).add(new Dense(1)).compile(Adam.Config.defaults(),
        Loss.MEAN_SQUARED_ERROR, 5)) {
      History h = m.fit(d[0], d[1], new CompiledModel.FitOptions(1, 4, split, true), new TrainingListener() {
        @Override
        public void onEpochBegin(int epoch, int epochs, int samples) {
          counted.add(samples);
        }
      });
      assertEquals(List.of(train), counted, "training samples");
      float[] w = m.getWeights().get(0).values();
      float[] b = m.getWeights().get(1).values();
      double sum = 0;
      for (int i = train; i < n; i++) {
        double e = w[0] * (double) d[0][i] + b[0] - d[1][i];
        sum += e * e;
      }
      assertEquals(sum / (n - train), h.valLoss().get(0), 2e-6 * sum / (n - train),
          "val_loss is the MSE of the last " + (n - train) + " samples");
    }
  }

  @Test
  void aSplitLeavingNoTrainingSampleIsRefusedAsKerasWordsIt() {
    float[][] d = data(1);
    try (CompiledModel m = new Sequential(1).add(new Dense(1)).compile(Adam.Config.defaults(),
        Loss.MEAN_SQUARED_ERROR, 5)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.fit(d[0], d[1], new CompiledModel.FitOptions(1, 4, 0.5, true), TrainingListener.NONE));
      assertTrue(e.getMessage().startsWith("Training data contains 1 samples, which is not sufficient to split "
          + "it into a validation and training set as specified by `validation_split=0.5`"), e.getMessage());
    }
  }

  /**
   * With an epoch order, fit feeds the training samples in that order: its batch losses are those
   * of train_on_batch on a twin model fed the same batches by hand, to the bit.
   */
  @Test
  void anEpochOrderFeedsTheBatchesInItsOrder() {
    int n = 12;
    float[][] d = data(n);
    int[][] orders = {{3, 0, 8, 1, 5, 7, 2, 6, 4}, {8, 7, 6, 5, 4, 3, 2, 1, 0}};
    int[] epoch = {0};
    List<Double> batchMeans = new ArrayList<>();
    try (CompiledModel a = new Sequential(1).add(new Dense(1)).compile(Adam.Config.defaults(),
            Loss.MEAN_SQUARED_ERROR, 9);
        CompiledModel b = new Sequential(1).add(new Dense(1)).compile(Adam.Config.defaults(),
            Loss.MEAN_SQUARED_ERROR, 9)) {
      History h = a.fit(d[0], d[1], new CompiledModel.FitOptions(2, 4, 0.25, false)
          .withOrder(samples -> orders[epoch[0]++].clone()), new TrainingListener() {
            @Override
            public void onBatchEnd(int seen, double loss) {
              batchMeans.add(loss);
            }
          });
      int k = 0;
      for (int[] order : orders) {
        double sum = 0;
        for (int from = 0; from < 9; from += 4) {
          int size = Math.min(4, 9 - from);
          float[] bx = new float[size];
          float[] by = new float[size];
          for (int i = 0; i < size; i++) {
            bx[i] = d[0][order[from + i]];
            by[i] = d[1][order[from + i]];
          }
          sum += b.trainOnBatch(bx, by, size) * size;
          assertEquals(sum / (from + size), batchMeans.get(k++));
        }
        assertEquals(sum / 9, h.loss().get(k / 3 - 1));
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.fit(d[0], d[1],
          CompiledModel.FitOptions.of(1).withOrder(samples -> new int[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}),
          TrainingListener.NONE));
      assertTrue(e.getMessage().contains("not a permutation"), e.getMessage());
    }
  }
}
