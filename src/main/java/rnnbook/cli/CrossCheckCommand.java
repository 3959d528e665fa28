package rnnbook.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnnbook.chapter7.ChapterConfig;
import rnnbook.chapter7.CrossCheck;

/**
 * {@code crosscheck --savedmodel DIR}: runs a Python-made Keras SavedModel and its Java rebuild
 * on the same inputs. Exit 0 when the outputs agree within the tolerance, 1 when they do not, 2
 * on bad input.
 */
@Command(name = "crosscheck", mixinStandardHelpOptions = true,
    header = "Run a Keras SavedModel and its Java rebuild; compare.",
    description = "Rebuild a Keras 2 Sequential SavedModel in Java with its trained weights, run both "
        + "on the same inputs and compare the outputs. Exit status 1 when they differ by more than "
        + "the tolerance.")
final class CrossCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--savedmodel", required = true, paramLabel = "DIR",
      description = "A SavedModel written by Keras's model.save(DIR) (TF 2.1 to 2.15).")
  Path savedModel;

  @Option(names = "--input", paramLabel = "X.npy",
      description = "Inputs (samples, *input shape) to feed both models; default: the chapter's test "
          + "set for models of input (None, 100, 2), else seeded uniform [0, 1) samples.")
  Path input;

  @Option(names = "--data", paramLabel = "DIR",
      description = "A folder with the chapter's X.npy and Y.npy (as `data` writes them): compare on "
          + "its test split, with test loss and correctness.")
  Path data;

  @Option(names = "--seed", description = "numpy seed of generated inputs (default: ${DEFAULT-VALUE}).")
  long seed = ChapterConfig.DEFAULT_SEED;

  @Option(names = "--samples", description = "Number of random samples (default: ${DEFAULT-VALUE}).")
  int samples = CrossCheck.DEFAULT_SAMPLES;

  @Option(names = "--tolerance", description = "Largest max abs diff that passes (default: ${DEFAULT-VALUE}).")
  double tolerance = CrossCheck.DEFAULT_TOLERANCE;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the comparison as JSON.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CrossCheck.Options options = new CrossCheck.Options(savedModel, input, data, seed, samples, tolerance);
    out.println("rnnbook crosscheck: savedmodel=" + savedModel + " inputs=" + (input != null ? input
        : data != null ? data + " (test split)" : "default") + " seed=" + seed + " samples=" + samples
        + " tolerance=" + tolerance + (json != null ? " json=" + json : ""));
    CrossCheck.Result result = CrossCheck.run(options);
    out.print(result.text());
    if (json != null) {
      result.writeJson(json);
      out.println("wrote " + json);
    }
    out.flush();
    return result.passed() ? 0 : 1;
  }
}
