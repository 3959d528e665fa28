package rnnbook.keras.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.BlockLSTM;
import org.tensorflow.op.nn.BlockLSTMGrad;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * A whole LSTM sequence as TensorFlow's fused {@code BlockLSTMV2} kernel, whose equations are
 * Keras's: gates in order i, f, c, o over {@code [x, h] @ [kernel; recurrent_kernel] + bias},
 * sigmoid gates, tanh cell, no peepholes and no cell clipping. Its gradient, {@code
 * BlockLSTMGradV2}, is registered from Java once per JVM: TensorFlow's C++ gradient registry has
 * none for it.
 */
final class FusedLSTM {
  private static final boolean AVAILABLE = register();

  private FusedLSTM() {}

  private static boolean register() {
    try {
      // false means a gradient is registered already (by an earlier class loader in this JVM)
      TensorFlow.registerCustomGradient(BlockLSTM.Inputs.class, FusedLSTM::gradient);
      return true;
    } catch (UnsupportedOperationException e) { // Windows: no custom gradients
      return false;
    }
  }

  /** Whether the fused kernel and its gradient can be used here. */
  static boolean available() {
    return AVAILABLE;
  }

  /** An LSTM layer's output for {@code x} (batch, timesteps, features) on the fused kernel. */
  @SuppressWarnings("unchecked")
  static <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x) {
    List<Layer.Weight> w = layer.weights(); // kernel, recurrent_kernel[, bias]
    long units = layer.config().units();
    Operand<TFloat32> bias = w.size() > 2 ? Layer.typed(w.get(2).variable())
        : s.fill(s.constant(new long[] {4 * units}), s.constant(0f));
    Operand<TFloat32> h = sequence(s, (Operand<TFloat32>) x, Layer.typed(w.get(0).variable()),
        Layer.typed(w.get(1).variable()), bias, units);
    Operand<TFloat32> out = layer.config().returnSequences()
        ? s.linalg.transpose(h, s.constant(new int[] {1, 0, 2}))
        : s.gather(h, s.constant(x.shape().size(1) - 1), s.constant(0));
    return (Operand<T>) out;
  }

  /**
   * h for every timestep, time-major (timesteps, batch, units), from {@code x} (batch,
   * timesteps, features).
   */
  private static Operand<TFloat32> sequence(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, long units) {
    long timesteps = x.shape().size(1);
    Operand<TFloat32> timeMajor = tf.linalg.transpose(x, tf.constant(new int[] {1, 0, 2}));
    Operand<TFloat32> w = tf.concat(List.of(kernel, recurrentKernel), tf.constant(0));
    Operand<TInt64> batch = tf.gather(tf.shape(x, TInt64.class), tf.constant(new int[] {0}), tf.constant(0));
    Operand<TFloat32> zeros = tf.fill(tf.concat(List.of(batch, tf.constant(new long[] {units})), tf.constant(0)),
        tf.constant(0f));
    Operand<TFloat32> noPeephole = tf.fill(tf.constant(new long[] {units}), tf.constant(0f));
    BlockLSTM<TFloat32> lstm = tf.nn.blockLSTM(tf.constant(timesteps), timeMajor, zeros, zeros, w,
        noPeephole, noPeephole, noPeephole, bias, BlockLSTM.cellClip(0f), BlockLSTM.usePeephole(false));
    return lstm.h();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Operand<?>> gradient(Ops tf, BlockLSTM.Inputs op, List<Output<?>> grads) {
    BlockLSTM fwd = (BlockLSTM) op.getOutputs();
    Operand csGrad = grads.get(1) != null ? grads.get(1) : tf.zerosLike(fwd.cs());
    Operand hGrad = grads.get(6) != null ? grads.get(6) : tf.zerosLike(fwd.h());
    BlockLSTMGrad g = tf.nn.blockLSTMGrad(op.seqLenMax, op.x, op.csPrev, op.hPrev, op.w, op.wci,
        op.wcf, op.wco, op.b, fwd.i(), fwd.cs(), fwd.f(), fwd.o(), fwd.ci(), fwd.co(), fwd.h(),
        csGrad, hGrad, op.usePeephole);
    List<Operand<?>> out = new ArrayList<>();
    out.add(tf.zerosLike(op.seqLenMax)); // an integer input: never differentiated
    for (Output<?> o : List.<Output<?>>of(g.xGrad(), g.csPrevGrad(), g.hPrevGrad(), g.wGrad(),
        g.wciGrad(), g.wcfGrad(), g.wcoGrad(), g.bGrad())) {
      out.add(o);
    }
    return out;
  }
}
