package rnnbook.keras.layers;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides how each recurrent layer runs: the backend asked for if it applies,
 * else the next along native, tensorflow, unrolled, with the reasons recorded.
 */
final class Backends {
  private static final List<TimeLoop> FASTEST_FIRST =
      List.of(NativeLoop.INSTANCE, TensorFlowLoop.INSTANCE, UnrolledLoop.INSTANCE);

  private Backends() {}

  record Resolved(BackendChoice choice, TimeLoop loop) {}

  static Resolved choose(RNN layer, RecurrentBackend requested, Class<?> dtype) {
    List<String> reasons = new ArrayList<>();
    boolean reached = requested == RecurrentBackend.AUTO;
    for (TimeLoop loop : FASTEST_FIRST) {
      reached |= loop.backend() == requested;
      if (!reached) {
        continue;
      }
      String whyNot = loop.whyNot(layer, dtype);
      if (whyNot == null) {
        return new Resolved(new BackendChoice(layer.name(), requested, loop.backend(),
            String.join("; ", reasons)), loop);
      }
      reasons.add(loop.backend().key() + ": " + whyNot);
    }
    throw new IllegalStateException("the unrolled graph always applies");
  }
}
