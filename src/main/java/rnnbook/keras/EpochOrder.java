package rnnbook.keras;

/**
 * The order in which {@code fit} feeds the training samples, drawn once per epoch. Keras's {@code
 * fit(shuffle=True)} draws it from its own generator; an order another program can replay, such
 * as numpy's legacy {@code RandomState(seed).permutation(samples)}, lets that program feed the same
 * batches in the same order.
 */
@FunctionalInterface
public interface EpochOrder {
  /** The next epoch's order: a permutation of {@code 0 .. samples - 1}. */
  int[] next(int samples);
}
