package rnnbook.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.tensorflow.TensorFlow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rnnbook.chapter7.BookModel;
import rnnbook.chapter7.Chapter;
import rnnbook.chapter7.ChapterConfig;
import rnnbook.keras.layers.NativeAllocator;
import rnnbook.report.BookReference;

/**
 * {@code rnnbook}: with no subcommand, runs the chapter (the three models, 100 epochs each).
 * Bad input is reported in one line and exits with status 2, before any file is written.
 */
@Command(
    name = "rnnbook",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {"Chapter 7 of the Keras book in Java: SimpleRNN, LSTM and GRU on the "
        + "multiplication problem, on TensorFlow Java.",
        "Without a COMMAND, runs the chapter (the options below); rnnbook help COMMAND for the "
        + "options of a command."},
    subcommands = {DataCommand.class, ReportCommand.class, StudyCommand.class, GatesCommand.class,
        BenchCommand.class, CrossCheckCommand.class, ConvertCommand.class, PredictCommand.class,
        ExportWeightsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  @Option(names = "--models", split = ",", paramLabel = "MODEL",
      description = "Models to train, comma-separated: simple_rnn, lstm, gru (default: all three).",
      converter = ModelConverter.class)
  List<BookModel> models = List.of(BookModel.values());

  @Option(names = "--epochs", description = "Epochs per model (default: ${DEFAULT-VALUE}).")
  int epochs = 100;

  @Option(names = "--seed", description = "Seed of the data (as np.random.seed), the initial "
      + "weights and the shuffling (default: ${DEFAULT-VALUE}).")
  long seed = ChapterConfig.DEFAULT_SEED;

  @Option(names = "--batch-size", description = "Samples per training step (default: ${DEFAULT-VALUE}).")
  int batchSize = 32;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Train on DIR/X.npy and DIR/Y.npy instead of generating the data.")
  Path data;

  @Option(names = "--results", paramLabel = "DIR", description = "Where CSV files and plots go "
      + "(default: ${DEFAULT-VALUE}).")
  Path results = Path.of("results");

  @Option(names = "--savedmodels", paramLabel = "DIR", description = "Where SavedModels go "
      + "(default: ${DEFAULT-VALUE}).")
  Path savedModels = Path.of("savedmodels");

  @Option(names = "--jobs", description = "Models trained at once, one per core (default: the "
      + "number of cores, ${DEFAULT-VALUE} here). Results do not depend on it.")
  int jobs = ChapterConfig.defaultJobs();

  @CommandLine.Mixin BackendOption backend = new BackendOption();

  @Option(names = "--book", paramLabel = "DIR", description = "The Python notebook's numbers, "
      + "shown beside ours in the report (default: " + BookReference.BUNDLED + "; absent: left out).")
  Path book;

  @Option(names = "--initial-weights", split = ",", paramLabel = "[MODEL=]FILE", description = "Start "
      + "from the weights of an .npz (as results/<model>/initial_weights.npz of a run, or np.savez(path, "
      + "*model.get_weights())) instead of drawing them from the seed; MODEL=FILE per model, FILE alone "
      + "when one model is trained.")
  List<String> initialWeights = List.of();

  @Override
  public Integer call() throws Exception {
    ChapterConfig config = new ChapterConfig(models, epochs, seed, batchSize, data, results, savedModels,
        jobs, backend.get(), book, initialWeights(initialWeights, models));
    Chapter chapter = new Chapter(config);
    // data and folders are checked and locked before TensorFlow loads: its log lines come after
    try (Chapter.Prepared prepared = chapter.prepare()) {
      Preload.charts();
      printConfig(config);
      chapter.run(prepared);
    }
    return 0;
  }

  private static void printConfig(ChapterConfig config) {
    System.out.println("rnnbook: chapter 7 with models="
        + config.models().stream().map(BookModel::key).collect(Collectors.joining(","))
        + " epochs=" + config.epochs() + " seed=" + config.seed() + " batch_size=" + config.batchSize()
        + " data=" + (config.data() == null ? "generated" : config.data()) + " results=" + config.results()
        + " savedmodels=" + config.savedModels() + " jobs=" + config.jobs()
        + " backend=" + config.backend() + " (TensorFlow " + TensorFlow.version() + ")");
    System.out.println("recurrent layers: " + config.backend().summary());
  }

  /** {@code --initial-weights} per model: {@code MODEL=FILE}, or {@code FILE} when one model trains. */
  static Map<BookModel, Path> initialWeights(List<String> values, List<BookModel> models) {
    Map<BookModel, Path> out = new EnumMap<>(BookModel.class);
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq < 0 && models.size() != 1) {
        throw new IllegalArgumentException("--initial-weights: name the model of " + v + " as MODEL=FILE ("
            + models.size() + " models train)");
      }
      BookModel model = eq < 0 ? models.get(0) : BookModel.fromKey(v.substring(0, eq));
      Path file = Path.of(eq < 0 ? v : v.substring(eq + 1));
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new IllegalArgumentException("--initial-weights: cannot read " + file + " (no such file)");
      }
      if (out.put(model, file) != null) {
        throw new IllegalArgumentException("--initial-weights: " + model.key() + " is given twice");
      }
    }
    return out;
  }

  /** Parses a model key, listing the valid ones when it is unknown. */
  static final class ModelConverter implements CommandLine.ITypeConverter<BookModel> {
    @Override
    public BookModel convert(String value) {
      try {
        return BookModel.fromKey(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** The command line with this project's error handling: one line per problem. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new VersionProvider()));
    cli.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      String unknownCommand = ex instanceof CommandLine.UnmatchedArgumentException u
          ? UnknownCommand.message(u) : null;
      if (unknownCommand != null) {
        err.print(unknownCommand);
        err.flush();
        return 2;
      }
      String valid = ex.getCommandLine().getCommandSpec().options().stream()
          .map(o -> o.longestName()).collect(Collectors.joining(", "));
      String msg = ex.getMessage();
      if (ex instanceof CommandLine.UnmatchedArgumentException) {
        msg += " (valid options: " + valid + ")";
      }
      err.println("rnnbook: " + msg);
      err.flush();
      return 2;
    });
    cli.setExecutionExceptionHandler(Failures::report);
    cli.setExecutionStrategy(Failures::runOutOfMemoryAsOneLine);
    return cli;
  }

  public static void main(String[] args) {
    NativeAllocator.install(); // before anything loads TensorFlow, or it does nothing
    skipPhysicalMemoryChecks();
    System.exit(commandLine().execute(args));
  }

  /**
   * JavaCPP, under TensorFlow Java's tensors, reads /proc/self/statm at every tensor it allocates
   * (three per training step) to compare the process's resident memory with a limit, by default
   * twice the Java heap's maximum; the chapter stays far below it (about 0.6 GB). Without the
   * check a tensor costs about 3 microseconds less (measured: 4.8-5.5 against 7.6-8.8 us). A limit
   * the user sets with -Dorg.bytedeco.javacpp.maxPhysicalBytes is kept. Must run before JavaCPP
   * loads.
   */
  private static void skipPhysicalMemoryChecks() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) == null
        && System.getProperty(MAX_PHYSICAL_BYTES.toLowerCase(java.util.Locale.ROOT)) == null) {
      System.setProperty(MAX_PHYSICAL_BYTES, "0");
    }
  }

  private static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";
}
