package rnnbook.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rnnbook.chapter7.ChapterConfig;
import rnnbook.data.MultiplicationProblem;

/** {@code data --seed S --out DIR}: writes the generated arrays as DIR/X.npy and DIR/Y.npy. */
@Command(name = "data", mixinStandardHelpOptions = true,
    header = "Write the problem's arrays as numpy makes them: X.npy, Y.npy.",
    description = "Write the multiplication problem as X.npy (float64 [samples, timesteps, 2]) "
        + "and Y.npy (float64 [samples]), as numpy makes it after np.random.seed(S).")
final class DataCommand implements Callable<Integer> {
  @Option(names = "--seed", description = "numpy seed (default: ${DEFAULT-VALUE}).")
  long seed = ChapterConfig.DEFAULT_SEED;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--samples", description = "Number of samples (default: ${DEFAULT-VALUE}).")
  int samples = MultiplicationProblem.BOOK_SAMPLES;

  @Option(names = "--timesteps", description = "Timesteps per sample (default: ${DEFAULT-VALUE}).")
  int timesteps = MultiplicationProblem.BOOK_TIMESTEPS;

  @Override
  public Integer call() throws Exception {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("--seed must be in [0, 4294967295] as numpy's, received " + seed);
    }
    MultiplicationProblem.generate(seed, samples, timesteps).writeNpy(out);
    System.out.println("wrote " + out.resolve("X.npy") + " and " + out.resolve("Y.npy"));
    return 0;
  }
}
