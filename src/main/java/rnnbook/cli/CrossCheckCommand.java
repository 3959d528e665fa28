package rnnbook.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnnbook.chapter7.ChapterConfig;
import rnnbook.chapter7.CrossCheck;
import rnnbook.chapter7.CrossCheckResult;

/**
 * {@code crosscheck --model FILE_OR_DIR}: runs a Python-made Keras model and its Java rebuild on
 * the same inputs. Exit 0 when every output agrees within the tolerance, 1 when one does not, 2
 * on bad input.
 */
@Command(name = "crosscheck", mixinStandardHelpOptions = true,
    header = "Compare a Keras .keras, .h5 or SavedModel with Java.",
    description = "Rebuild a Keras Sequential (.keras, .h5 or SavedModel, told from the content) in Java "
        + "with its trained weights, run both on the same inputs and compare the outputs as numpy's "
        + "allclose does. Exit status 1 when a value differs by more than atol + rtol * |python|.")
final class CrossCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Model {
    @Option(names = "--model", required = true, paramLabel = "FILE_OR_DIR",
        description = "A Keras model: model.keras (Keras 3, or tf.keras 2.13-2.15), model.h5 (legacy HDF5), "
            + "a Keras 2 SavedModel folder (model.save(DIR), TF 2.1-2.15) or a model.export(DIR) folder "
            + "(with --architecture).")
    Path model;

    @Option(names = "--savedmodel", required = true, paramLabel = "DIR",
        description = "A SavedModel folder (as --model).")
    Path savedModel;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Model model;

  @Option(names = "--architecture", paramLabel = "FILE",
      description = "For a model.export(DIR) folder, which has no Keras config: the same model saved as "
          + ".keras or .h5, whose architecture and weights Java rebuilds; the folder's serving function is "
          + "the reference.")
  Path architecture;

  @Option(names = "--input", paramLabel = "X.npy",
      description = "Inputs (samples, *input shape) to feed both models; default: the chapter's test "
          + "set for models of input (None, 100, 2), else seeded uniform [0, 1) samples.")
  Path input;

  @Option(names = "--expected", paramLabel = "P.npy",
      description = "The outputs of model.predict(X) in Python on --input X.npy: the reference for "
          + ".keras and .h5 files, which hold no graph to run.")
  Path expected;

  @Option(names = "--data", paramLabel = "DIR",
      description = "A folder with the chapter's X.npy and Y.npy (as `data` writes them): compare on "
          + "its test split, with test loss and correctness.")
  Path data;

  @Option(names = "--seed", description = "numpy seed of generated inputs (default: ${DEFAULT-VALUE}).")
  long seed = ChapterConfig.DEFAULT_SEED;

  @Option(names = "--samples", description = "Number of random samples (default: ${DEFAULT-VALUE}).")
  int samples = CrossCheck.DEFAULT_SAMPLES;

  @Option(names = {"--atol", "--tolerance"},
      description = "Absolute tolerance (default: ${DEFAULT-VALUE}).")
  double atol = CrossCheck.DEFAULT_ATOL;

  @Option(names = "--rtol", description = "Relative tolerance, times |python| (default: ${DEFAULT-VALUE}).")
  double rtol = CrossCheck.DEFAULT_RTOL;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the comparison as JSON.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path path = model.model != null ? model.model : model.savedModel;
    CrossCheck.Options options =
        new CrossCheck.Options(path, architecture, input, expected, data, seed, samples, atol, rtol);
    out.println("rnnbook crosscheck: model=" + path + (architecture != null ? " architecture=" + architecture : "")
        + " inputs=" + (input != null ? input : data != null ? data + " (test split)" : "default")
        + (expected != null ? " expected=" + expected : "") + " seed=" + seed + " samples=" + samples
        + " atol=" + atol + " rtol=" + rtol + (json != null ? " json=" + json : ""));
    CrossCheckResult result = CrossCheck.run(options);
    out.print(result.text());
    if (json != null) {
      result.writeJson(json);
      out.println("wrote " + json);
    }
    out.flush();
    return result.passed() ? 0 : 1;
  }
}
