package rnnbook.keras.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * The {@link RecurrentBackend#TENSORFLOW} loop, TensorFlow's own ops throughout: the LSTM as the
 * fused {@code BlockLSTMV2} kernel ({@link FusedLSTM}; float32, tanh and sigmoid), SimpleRNN and
 * GRU as their unrolled forward ops trained through a written-out backward pass ({@link Bptt}).
 */
final class TensorFlowLoop implements TimeLoop {
  static final TensorFlowLoop INSTANCE = new TensorFlowLoop();

  private TensorFlowLoop() {}

  @Override
  public RecurrentBackend backend() {
    return RecurrentBackend.TENSORFLOW;
  }

  @Override
  public String whyNot(RNN layer, Class<?> dtype) {
    RecurrentConfig c = layer.config();
    if (layer instanceof LSTM) {
      if (dtype != TFloat32.class) {
        return "BlockLSTMV2 runs float32 only, found " + dtype.getSimpleName();
      }
      if (c.activation() != Activation.TANH || c.recurrentActivation() != Activation.SIGMOID) {
        return "BlockLSTMV2 computes tanh and sigmoid, found " + c.activation().kerasName() + " and "
            + c.recurrentActivation().kerasName();
      }
      return FusedLSTM.available() ? null : "no custom gradients on this platform";
    }
    if (!(layer.cell() instanceof BackpropCell b) || !b.hasBackprop()) {
      return "no written-out backward pass for this configuration";
    }
    return Bptt.available() ? null : "IdentityN's gradient is taken by another class loader";
  }

  @Override
  public <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x) {
    return layer instanceof LSTM ? FusedLSTM.call(s, layer, x) : Bptt.call(s, layer, x);
  }
}
