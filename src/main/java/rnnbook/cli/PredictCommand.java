package rnnbook.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnnbook.chapter7.BookModel;
import rnnbook.data.AtomicWrite;
import rnnbook.data.MultiplicationProblem;
import rnnbook.data.Npy;
import rnnbook.io.KerasWeights;
import rnnbook.io.OutputPaths;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;

/**
 * {@code predict --model M --weights W.npz --input X.npy --output P.npy}: the chapter's stack with
 * weights saved in Python by {@code np.savez(path, *model.get_weights())}, no TensorFlow needed
 * on the Python side.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    header = "Predict with the chapter's model and Keras weights (.npz).",
    description = "Build the chapter's model (R(30, return_sequences=True), R(30), Dense(1)), load "
        + "Keras-order weights from an .npz and write its predictions (samples, 1) as float32 .npy.")
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", converter = Main.ModelConverter.class,
      description = "simple_rnn, lstm or gru.")
  BookModel model;

  @Option(names = "--weights", required = true, paramLabel = "W.npz",
      description = "np.savez(path, *model.get_weights()): arr_0 .. arr_7 in get_weights() order.")
  Path weights;

  @Option(names = "--input", required = true, paramLabel = "X.npy",
      description = "Inputs (samples, timesteps, 2), float64 or float32.")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "P.npy",
      description = "Where the predictions (samples, 1) go, as float32.")
  Path output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isReadable(input)) {
      throw new IllegalArgumentException("--input: cannot read " + input);
    }
    Npy.Array x = Npy.read(input);
    long[] s = x.shape();
    if (s.length != 3 || s[0] < 1 || s[1] < 1 || s[2] != MultiplicationProblem.FEATURES) {
      throw new IllegalArgumentException(
          input + ": expected shape (samples, timesteps, 2), found " + x.shapeString());
    }
    x.requireFinite(input.toString());
    var w = KerasWeights.read(weights);
    OutputPaths.file("--output", output);
    try (CompiledModel m = model.create((int) s[1])
        .compileForInference(Loss.MEAN_SQUARED_ERROR, CompileOptions.of(0))) {
      KerasWeights.set(w, weights, m);
      float[] predicted = m.predict(x.floats());
      AtomicWrite.bytes(output, Npy.toBytes(Npy.of(new long[] {s[0], 1}, predicted), Npy.Dtype.FLOAT32));
    }
    out.println("wrote " + output + ": " + s[0] + " predictions of " + model.key() + " (" + s[1]
        + " timesteps) with the weights of " + weights);
    out.flush();
    return 0;
  }
}
