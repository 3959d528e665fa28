package rnnbook.keras;

import java.util.List;

/**
 * What {@code fit} returns, as Keras's {@code History.history}: per epoch the mean training loss
 * over the epoch's samples, the validation loss at the epoch's end (NaN without validation), and
 * the epoch's wall time in seconds.
 */
public record History(List<Double> loss, List<Double> valLoss, List<Double> seconds) {
  public History {
    loss = List.copyOf(loss);
    valLoss = List.copyOf(valLoss);
    seconds = List.copyOf(seconds);
    if (loss.size() != valLoss.size() || loss.size() != seconds.size()) {
      throw new IllegalArgumentException("loss, valLoss and seconds must have one value per epoch");
    }
  }

  public int epochs() {
    return loss.size();
  }

  public double totalSeconds() {
    return seconds.stream().mapToDouble(Double::doubleValue).sum();
  }
}
