package rnnbook.keras.layers;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * GRU, LSTM and SimpleRNN layers on {@link NativeKernels}' ops: the input projection of all timesteps as one
 * MatMul (with the input bias), the time loop as one op, its gradient as one op. The gradients are
 * registered from Java by op type; they need nothing but the forward op's inputs and outputs.
 */
final class NativeRecurrent {
  private NativeRecurrent() {}

  static void registerGradients() {
    // false only when registered already (by an earlier class loader): the same stateless code
    TensorFlow.registerCustomGradient(NativeKernels.GRU, NativeRecurrent::gruGradient);
    TensorFlow.registerCustomGradient(NativeKernels.LSTM, NativeRecurrent::lstmGradient);
    TensorFlow.registerCustomGradient(NativeKernels.SIMPLE_RNN, NativeRecurrent::simpleRnnGradient);
  }

  /** A SimpleRNN layer with tanh; {@code bias} (u) or null. */
  static Operand<TFloat32> simpleRnn(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, long units, boolean sequences) {
    Operand<TFloat32> xp = project(s, x, kernel, bias, units);
    Operation op = s.scope().opBuilder(NativeKernels.SIMPLE_RNN, "RnnbookSimpleRnnSequence")
        .addInput(xp.asOutput())
        .addInput(recurrentKernel.asOutput())
        .addInput(zeros(s, x, units).asOutput())
        .build();
    return output(s, op.output(0), x.shape().size(1), sequences);
  }

  /**
   * A GRU layer (reset_after, tanh, sigmoid) over {@code x} (batch, timesteps, features); {@code
   * bias} (2, 3u) or null. Returns (batch, timesteps, u) with {@code sequences}, else (batch, u).
   */
  static Operand<TFloat32> gru(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, long units, boolean sequences) {
    Operand<TFloat32> inputBias = null;
    Operand<TFloat32> recurrentBias;
    if (bias != null) {
      List<Output<TFloat32>> rows = s.unstack(bias, 2L).output();
      inputBias = rows.get(0);
      recurrentBias = rows.get(1);
    } else {
      recurrentBias = s.fill(s.constant(new long[] {3 * units}), s.constant(0f));
    }
    Operand<TFloat32> xp = project(s, x, kernel, inputBias, 3 * units);
    Operation op = s.scope().opBuilder(NativeKernels.GRU, "RnnbookGruSequence")
        .addInput(xp.asOutput())
        .addInput(recurrentKernel.asOutput())
        .addInput(recurrentBias.asOutput())
        .addInput(zeros(s, x, units).asOutput())
        .build();
    return output(s, op.output(0), x.shape().size(1), sequences);
  }

  /** An LSTM layer (tanh, sigmoid, Keras's gate order); {@code bias} (4u) or null. */
  static Operand<TFloat32> lstm(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> recurrentKernel, Operand<TFloat32> bias, long units, boolean sequences) {
    Operand<TFloat32> xp = project(s, x, kernel, bias, 4 * units);
    Operand<TFloat32> zeros = zeros(s, x, units);
    Operation op = s.scope().opBuilder(NativeKernels.LSTM, "RnnbookLstmSequence")
        .addInput(xp.asOutput())
        .addInput(recurrentKernel.asOutput())
        .addInput(zeros.asOutput())
        .addInput(zeros.asOutput())
        .build();
    return output(s, op.output(0), x.shape().size(1), sequences);
  }

  /** x (batch, timesteps, features) @ kernel + bias, time-major: (timesteps, batch, width). */
  private static Operand<TFloat32> project(Ops s, Operand<TFloat32> x, Operand<TFloat32> kernel,
      Operand<TFloat32> bias, long width) {
    long timesteps = x.shape().size(1);
    long features = x.shape().size(2);
    if (timesteps < 0 || features < 0) {
      throw new IllegalArgumentException("the native recurrent kernels need known timesteps and "
          + "features, received input shape " + x.shape());
    }
    Operand<TFloat32> timeMajor = s.linalg.transpose(x, s.constant(new int[] {1, 0, 2}));
    Operand<TFloat32> xp = s.linalg.matMul(s.reshape(timeMajor, s.constant(new long[] {-1, features})), kernel);
    if (bias != null) {
      xp = s.nn.biasAdd(xp, bias);
    }
    return s.reshape(xp, s.constant(new long[] {timesteps, -1, width}));
  }

  private static Operand<TFloat32> zeros(Ops s, Operand<TFloat32> x, long units) {
    Operand<TInt64> batch = s.gather(s.shape(x, TInt64.class), s.constant(new int[] {0}), s.constant(0));
    return s.fill(s.concat(List.of(batch, s.constant(new long[] {units})), s.constant(0)), s.constant(0f));
  }

  private static Operand<TFloat32> output(Ops s, Output<TFloat32> h, long timesteps, boolean sequences) {
    return sequences
        ? s.linalg.transpose(h, s.constant(new int[] {1, 0, 2}))
        : s.gather(h, s.constant(timesteps - 1), s.constant(0));
  }

  private static List<Operand<?>> gruGradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    // gates and mh (outputs 1, 2) are kept for the backward pass; only h carries a gradient
    Operand<?> dh = grads.get(0) != null ? grads.get(0) : tf.zerosLike(op.output(0));
    Operation g = tf.scope().opBuilder(NativeKernels.GRU_GRAD, "RnnbookGruSequenceGrad")
        .addInput(op.input(1)) // recurrent kernel
        .addInput(op.input(3)) // h0
        .addInput(op.output(0)) // h
        .addInput(op.output(1)) // gates
        .addInput(op.output(2)) // mh
        .addInput(dh.asOutput())
        .build();
    return List.of(g.output(0), g.output(1), g.output(2), g.output(3)); // xp, rk, rb, h0
  }

  private static List<Operand<?>> lstmGradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    // gates and tc (outputs 2, 3) are kept for the backward pass; h and c carry gradients
    Operand<?> dh = grads.get(0) != null ? grads.get(0) : tf.zerosLike(op.output(0));
    Operand<?> dc = grads.get(1) != null ? grads.get(1) : tf.zerosLike(op.output(1));
    Operation g = tf.scope().opBuilder(NativeKernels.LSTM_GRAD, "RnnbookLstmSequenceGrad")
        .addInput(op.input(1)) // recurrent kernel
        .addInput(op.input(2)) // h0
        .addInput(op.input(3)) // c0
        .addInput(op.output(0)) // h
        .addInput(op.output(1)) // c
        .addInput(op.output(3)) // tanh(c)
        .addInput(op.output(2)) // gates
        .addInput(dh.asOutput())
        .addInput(dc.asOutput())
        .build();
    return List.of(g.output(0), g.output(1), g.output(2), g.output(3)); // xp, rk, h0, c0
  }

  private static List<Operand<?>> simpleRnnGradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    Operand<?> dh = grads.get(0) != null ? grads.get(0) : tf.zerosLike(op.output(0));
    Operation g = tf.scope().opBuilder(NativeKernels.SIMPLE_RNN_GRAD, "RnnbookSimpleRnnSequenceGrad")
        .addInput(op.input(1)) // recurrent kernel
        .addInput(op.input(2)) // h0
        .addInput(op.output(0)) // h
        .addInput(dh.asOutput())
        .build();
    return List.of(g.output(0), g.output(1), g.output(2)); // xp, rk, h0
  }
}
