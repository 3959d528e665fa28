package rnnbook.keras;

/** Keras-style callbacks of {@code fit} and {@code evaluate}. Every method does nothing by default. */
public interface TrainingListener {
  TrainingListener NONE = new TrainingListener() {};

  /** Every listener of {@code listeners}, called in order. */
  static TrainingListener all(TrainingListener... listeners) {
    java.util.List<TrainingListener> list = java.util.List.of(listeners);
    return new TrainingListener() {
      @Override
      public void onEpochBegin(int epoch, int epochs, int samples) {
        list.forEach(l -> l.onEpochBegin(epoch, epochs, samples));
      }

      @Override
      public void onBatchEnd(int seen, double loss) {
        list.forEach(l -> l.onBatchEnd(seen, loss));
      }

      @Override
      public void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {
        list.forEach(l -> l.onEpochEnd(epoch, loss, valLoss, seconds));
      }

      @Override
      public void onEvaluateEnd(int samples, double loss, double seconds) {
        list.forEach(l -> l.onEvaluateEnd(samples, loss, seconds));
      }
    };
  }

  /** An epoch (1-based) of {@code epochs} starts over {@code samples} training samples. */
  default void onEpochBegin(int epoch, int epochs, int samples) {}

  /** {@code seen} samples of the epoch are done; {@code loss} is the epoch's mean so far. */
  default void onBatchEnd(int seen, double loss) {}

  /** The epoch ended; {@code valLoss} is NaN without validation data. */
  default void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {}

  /** {@code evaluate} finished {@code samples} samples with {@code loss}. */
  default void onEvaluateEnd(int samples, double loss, double seconds) {}
}
