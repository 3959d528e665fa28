package rnnbook.keras.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;
import rnnbook.keras.Devices;

/**
 * The {@link RecurrentBackend#NATIVE} loop: the layer on {@link NativeKernels}' ops (float32, the
 * CPU, Keras's default activations). Graphs that leave the process get the same function from
 * TensorFlow's own ops instead ({@link #portable}).
 */
final class NativeLoop implements TimeLoop {
  static final NativeLoop INSTANCE = new NativeLoop();

  private NativeLoop() {}

  @Override
  public RecurrentBackend backend() {
    return RecurrentBackend.NATIVE;
  }

  @Override
  public String whyNot(RNN layer, Class<?> dtype) {
    RecurrentConfig c = layer.config();
    if (dtype != TFloat32.class) {
      return "the native kernels run float32 only, found " + dtype.getSimpleName();
    }
    boolean sigmoid = c.recurrentActivation() == Activation.SIGMOID || layer instanceof SimpleRNN;
    if (c.activation() != Activation.TANH || !sigmoid) {
      return "the native kernels compute Keras's default activations (tanh"
          + (layer instanceof SimpleRNN ? "" : " and sigmoid") + "), found " + c.activation().kerasName()
          + (layer instanceof SimpleRNN ? "" : " and " + c.recurrentActivation().kerasName());
    }
    String unavailable = NativeKernels.whyUnavailable();
    if (unavailable != null) {
      return unavailable;
    }
    // TensorFlow places graphs on the GPU when it sees one; these kernels are CPU code
    return "GPU".equals(Devices.used()) ? "a GPU is visible: TensorFlow's own ops run there" : null;
  }

  @Override
  public <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x) {
    return call(s, layer, x, false);
  }

  /** The GRU (either reset_after) and LSTM ops have forms that keep nothing for a backward pass. */
  @Override
  public boolean lighterForInference(RNN layer) {
    return layer instanceof LSTM || layer instanceof GRU;
  }

  /** As {@link #call}, for inference only: the ops keep nothing for a backward pass. */
  @Override
  public <T extends TFloating> Operand<T> callForInference(Ops s, RNN layer, Operand<T> x) {
    return call(s, layer, x, true);
  }

  @SuppressWarnings("unchecked")
  private <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x, boolean inference) {
    List<Layer.Weight> w = layer.weights(); // kernel, recurrent_kernel[, bias]
    Operand<TFloat32> input = (Operand<TFloat32>) x;
    Operand<TFloat32> kernel = Layer.typed(w.get(0).variable());
    Operand<TFloat32> recurrentKernel = Layer.typed(w.get(1).variable());
    Operand<TFloat32> bias = w.size() > 2 ? Layer.typed(w.get(2).variable()) : null;
    NativeRecurrent.Spec spec = new NativeRecurrent.Spec(layer.config().units(),
        layer.config().returnSequences(), layer.kernelThreads(), inference);
    Operand<TFloat32> out;
    if (layer instanceof LSTM) {
      out = NativeRecurrent.lstm(s, input, kernel, recurrentKernel, bias, spec);
    } else if (layer instanceof GRU && layer.config().resetAfter()) {
      out = NativeRecurrent.gru(s, input, kernel, recurrentKernel, bias, spec);
    } else if (layer instanceof GRU) {
      out = NativeRecurrent.gruResetBefore(s, input, kernel, recurrentKernel, bias, spec);
    } else {
      out = NativeRecurrent.simpleRnn(s, input, kernel, recurrentKernel, bias, spec);
    }
    return (Operand<T>) out;
  }

  /** TensorFlow's fast path where it applies, else the unrolled graph. */
  @Override
  public TimeLoop portable() {
    return PORTABLE;
  }

  private static final TimeLoop PORTABLE = new TimeLoop() {
    @Override
    public RecurrentBackend backend() {
      return RecurrentBackend.TENSORFLOW;
    }

    @Override
    public String whyNot(RNN layer, Class<?> dtype) {
      return null;
    }

    @Override
    public <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x) {
      // the written-out backward pass is of no use in an exported graph: its forward ops alone
      boolean fused = layer instanceof LSTM && TensorFlowLoop.INSTANCE.whyNot(layer, x.type()) == null;
      return (fused ? TensorFlowLoop.INSTANCE : UnrolledLoop.INSTANCE).call(s, layer, x);
    }
  };
}
