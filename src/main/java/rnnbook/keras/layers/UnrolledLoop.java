package rnnbook.keras.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/** The {@link RecurrentBackend#UNROLLED} loop: the cell's ops for every timestep; always applies. */
final class UnrolledLoop implements TimeLoop {
  static final UnrolledLoop INSTANCE = new UnrolledLoop();

  private UnrolledLoop() {}

  @Override
  public RecurrentBackend backend() {
    return RecurrentBackend.UNROLLED;
  }

  @Override
  public String whyNot(RNN layer, Class<?> dtype) {
    return null;
  }

  @Override
  public <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x) {
    return layer.unroll(s, x, StepTrace.NONE, false).output();
  }
}
