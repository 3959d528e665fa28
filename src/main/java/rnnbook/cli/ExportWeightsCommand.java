package rnnbook.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnnbook.io.KerasSavedModel;
import rnnbook.io.KerasWeights;
import rnnbook.keras.CompiledModel.WeightValue;
import rnnbook.keras.layers.Shapes;

/**
 * {@code export-weights --savedmodel DIR --output W.npz}: a SavedModel's weights as Keras's
 * {@code get_weights()} in an .npz, for {@code model.set_weights(list(np.load(path).values()))}.
 */
@Command(name = "export-weights", mixinStandardHelpOptions = true,
    header = "Write a SavedModel's weights as Keras get_weights() .npz.",
    description = "Write the weights of a SavedModel (one this project exported, or a Keras one) as "
        + "np.savez(path, *model.get_weights()) would: arr_0 .. arr_N in get_weights() order, float32.")
final class ExportWeightsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--savedmodel", required = true, paramLabel = "DIR", description = "The SavedModel folder.")
  Path savedModel;

  @Option(names = "--output", required = true, paramLabel = "W.npz", description = "The .npz to write.")
  Path output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<WeightValue> weights;
    try (KerasSavedModel saved = KerasSavedModel.load(savedModel)) {
      weights = KerasWeights.fromSavedModel(saved);
    }
    KerasWeights.write(output, weights);
    for (int i = 0; i < weights.size(); i++) {
      out.println("arr_" + i + "  " + weights.get(i).name() + " " + Shapes.format(weights.get(i).shape()));
    }
    out.println("wrote " + output);
    out.flush();
    return 0;
  }
}
