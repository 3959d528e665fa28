package rnnbook.keras.layers;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.family.TFloating;

/**
 * Backpropagation through time written out for an unrolled recurrent layer, in place of
 * TensorFlow's op-by-op gradients. Per timestep it emits only the cell's gate derivatives and one
 * product with the recurrent kernel (two for a GRU without reset_after, whose candidate multiplies
 * {@code r * h_{t-1}} by the kernel's last columns); the weight gradients of all timesteps are one
 * product each after the loop ({@code inputs^T @ dInput}, {@code H_{t-1}^T @ dRecurrent}, and
 * {@code (r * H_{t-1})^T @ dCandidate} for those columns) instead of one small product per
 * timestep summed. The forward ops are the layer's usual ones, so outputs are unchanged to the
 * bit; gradients equal TensorFlow's up to float rounding (tests compare both, and finite
 * differences).
 *
 * <p>How it hooks into TensorFlow's gradients: the layer's output leaves through an {@code
 * IdentityN} op that also takes the tensors to differentiate (the input and the weights), its
 * forward result entering through {@code StopGradient}. {@code IdentityN} has no gradient in
 * TensorFlow's registry; the one registered here runs the layer's backward pass for the {@code
 * IdentityN} ops made here and passes gradients straight through for any other (which is what
 * {@code IdentityN} means).
 */
final class Bptt {
  // per graph, per IdentityN op: the backward passes, held weakly; their layer holds them
  // strongly (RNN.retain), so an entry lives as long as its layer, and the graph can be
  // collected once neither the caller nor the layer keeps it (the backward passes hold its ops)
  private static final Map<ExecutionEnvironment, Map<String, WeakReference<Backward>>> BACKWARDS =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static final boolean AVAILABLE = register();

  private Bptt() {}

  /** The backward pass of one layer call: gradients of the IdentityN inputs from its output's. */
  private interface Backward {
    List<Operand<?>> apply(Ops tf, Operand<?> outputGradient);
  }

  private static boolean register() {
    try {
      // false: someone else's gradient is registered (TensorFlow's own, or this class's from an
      // earlier class loader, which would not know this loader's layers): use TensorFlow's path
      return TensorFlow.registerCustomGradient(IdentityN.OP_NAME, Bptt::gradient);
    } catch (UnsupportedOperationException e) { // Windows: no custom gradients
      return false;
    }
  }

  /** Whether the written-out backward pass can be used in this JVM. */
  static boolean available() {
    return AVAILABLE;
  }

  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> grads) {
    Map<String, WeakReference<Backward>> backwards = BACKWARDS.get(op.env());
    WeakReference<Backward> ref = backwards == null ? null : backwards.get(op.name());
    Backward backward = ref == null ? null : ref.get();
    if (backward != null && grads.get(0) != null) {
      return backward.apply(tf, grads.get(0));
    }
    List<Operand<?>> out = new ArrayList<>();
    for (int i = 0; i < grads.size(); i++) {
      out.add(grads.get(i) != null ? grads.get(i) : tf.zerosLike(op.output(i)));
    }
    return out;
  }

  /** {@code layer}'s output for {@code x}, trained through the written-out backward pass. */
  static <T extends TFloating> Operand<T> call(Ops s, RNN layer, Operand<T> x) {
    BackpropCell cell = (BackpropCell) layer.cell();
    RNN.Unrolled<T> fwd = layer.unroll(s, x, StepTrace.NONE, true);
    List<Layer.Weight> weights = layer.weights(); // kernel, recurrent_kernel[, bias]
    Operand<T> kernel = Layer.typed(weights.get(0).variable());
    Operand<T> recurrentKernel = Layer.typed(weights.get(1).variable());
    Operand<T> bias = weights.size() > 2 ? Layer.typed(weights.get(2).variable()) : null;
    List<Operand<?>> inputs = new ArrayList<>(List.of(s.stopGradient(fwd.output()), x, kernel, recurrentKernel));
    if (bias != null) {
      inputs.add(bias);
    }
    IdentityN out = s.withName("bptt").identityN(inputs);
    long timesteps = x.shape().size(1);
    long features = x.shape().size(2);
    boolean sequences = layer.config().returnSequences();
    long units = layer.config().units();
    long gateWidth = recurrentKernel.shape().size(1);
    long resetColumns = cell.resetColumns();
    long stateColumns = gateWidth - resetColumns; // those that multiply h_{t-1}
    // the backward pass below runs inside TensorFlow's gradient builder, which holds the graph's
    // lock: it must not ask the graph anything (shapes), only add ops
    Backward backward = (tf, outputGradient) -> {
      Operand<T> dOut = Layer.cast(outputGradient);
      List<Output<T>> dSeq = sequences
          ? tf.unstack(tf.linalg.transpose(dOut, tf.constant(new int[] {1, 0, 2})), timesteps).output()
          : null;
      int stateCount = cell.stateCount();
      List<Operand<T>> dStates = new ArrayList<>(Collections.nCopies(stateCount, null));
      dStates.set(0, sequences ? dSeq.get((int) timesteps - 1) : dOut);
      Operand<T> stateKernel = recurrentKernel;
      Operand<T> resetKernel = null;
      if (resetColumns > 0) {
        List<Output<T>> blocks = tf.splitV(recurrentKernel,
            tf.constant(new long[] {stateColumns, resetColumns}), tf.constant(1), 2L).output();
        stateKernel = blocks.get(0);
        resetKernel = blocks.get(1);
      }
      int parts = -1;
      List<List<Operand<T>>> dInputs = new ArrayList<>();
      List<Operand<T>> dRecurrent = new ArrayList<>();
      List<Operand<T>> dReset = new ArrayList<>();
      for (int t = (int) timesteps - 1; t >= 0; t--) {
        List<Operand<T>> previous = fwd.states().get(t);
        BackpropCell.StepGradients<T> g =
            cell.backward(tf, fwd.saved().get(t), previous, dStates, resetKernel);
        if (parts < 0) {
          parts = g.input().size();
          for (int k = 0; k < parts; k++) {
            dInputs.add(new ArrayList<>());
          }
        }
        for (int k = 0; k < parts; k++) {
          dInputs.get(k).add(0, g.input().get(k));
        }
        dRecurrent.add(0, g.recurrent());
        if (resetKernel != null) {
          dReset.add(0, g.reset());
        }
        if (t == 0) {
          break; // the initial states are zeros: nothing to pass on
        }
        List<Operand<T>> next = new ArrayList<>();
        List<Operand<T>> dh = new ArrayList<>();
        if (g.direct().get(0) != null) {
          dh.add(g.direct().get(0));
        }
        dh.add(tf.linalg.matMul(g.recurrent(), stateKernel, MatMul.transposeB(true)));
        if (sequences) {
          dh.add(dSeq.get(t - 1));
        }
        next.add(dh.size() == 1 ? dh.get(0) : tf.math.addN(dh));
        for (int k = 1; k < stateCount; k++) {
          next.add(g.direct().get(k));
        }
        dStates = next;
      }
      // every timestep at once: (timesteps * batch, width)
      List<Operand<T>> inputParts = new ArrayList<>();
      for (List<Operand<T>> part : dInputs) {
        inputParts.add(tf.stack(part));
      }
      Operand<T> dInput = flatten(tf, inputParts.size() == 1 ? inputParts.get(0)
          : tf.concat(inputParts, tf.constant(2)), gateWidth);
      Operand<T> dRec = flatten(tf, tf.stack(dRecurrent), stateColumns);
      List<Operand<T>> entering = new ArrayList<>();
      for (int t = 0; t < timesteps; t++) {
        entering.add(fwd.states().get(t).get(0));
      }
      Operand<T> previousH = flatten(tf, tf.stack(entering), units);
      Operand<T> dKernel = tf.linalg.matMul(fwd.inputs(), dInput, MatMul.transposeA(true));
      Operand<T> dRecurrentKernel = tf.linalg.matMul(previousH, dRec, MatMul.transposeA(true));
      if (resetKernel != null) { // the reset columns: resets^T @ their gradients
        List<Operand<T>> resets = new ArrayList<>();
        for (int t = 0; t < timesteps; t++) {
          resets.add(fwd.saved().get(t).get("_reset"));
        }
        Operand<T> dResetKernel = tf.linalg.matMul(flatten(tf, tf.stack(resets), units),
            flatten(tf, tf.stack(dReset), resetColumns), MatMul.transposeA(true));
        dRecurrentKernel = tf.concat(List.of(dRecurrentKernel, dResetKernel), tf.constant(1));
      }
      Operand<T> dx = tf.linalg.transpose(
          tf.reshape(tf.linalg.matMul(dInput, kernel, MatMul.transposeB(true)),
              tf.constant(new long[] {timesteps, -1, features})),
          tf.constant(new int[] {1, 0, 2}));
      List<Operand<?>> result = new ArrayList<>(List.of(dOut, dx, dKernel, dRecurrentKernel));
      if (bias != null) {
        Operand<org.tensorflow.types.TInt32> rows = tf.constant(new int[] {0});
        result.add(cell.biasGradient(tf, tf.sum(dInput, rows), tf.sum(dRec, rows)));
      }
      return result;
    };
    layer.retain(backward);
    BACKWARDS.computeIfAbsent(out.env(), e -> Collections.synchronizedMap(new HashMap<>()))
        .put(out.op().name(), new WeakReference<>(backward));
    return Layer.cast(out.output().get(0));
  }

  /** (timesteps, batch, width) to (timesteps * batch, width); no shape queries here. */
  private static <T extends TFloating> Operand<T> flatten(Ops tf, Operand<T> timeMajor, long width) {
    return tf.reshape(timeMajor, tf.constant(new long[] {-1, width}));
  }
}
