package rnnbook.keras.layers;

/**
 * The backend a recurrent layer runs on: what was asked for, what is used, and why they differ
 * (empty when they do not, or when {@code auto} found its first choice).
 */
public record BackendChoice(String layer, RecurrentBackend requested, RecurrentBackend used, String reason) {
  /** {@code lstm: native}, or {@code gru: tensorflow (native: ...)}. */
  @Override
  public String toString() {
    return layer + ": " + used.key() + (reason.isEmpty() ? "" : " (" + reason + ")");
  }
}
