package rnnbook.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rnnbook.chapter7.BookModel;
import rnnbook.chapter7.ChapterConfig;
import rnnbook.chapter7.Study;
import rnnbook.chapter7.StudyConfig;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.OutputPaths;
import rnnbook.io.RunFolders;
import rnnbook.io.RunFolders.Folder;
import rnnbook.report.BookReference;

/** {@code study --seeds N}: every model on N seeds; results/study/ and the report's study section. */
@Command(name = "study", mixinStandardHelpOptions = true,
    header = "Train every model on several seeds: the spread of results.",
    description = "Train every model on several seeds (seed S makes the data and the initial weights, as "
        + "--seed S does for the chapter) and write results/study/: runs.csv, summary.csv (spread of "
        + "correctness and test loss per model, runs that left the 0.05 plateau), each run's history and "
        + "two charts. A study started again with the same settings skips the runs runs.csv already holds.")
final class StudyCommand implements Callable<Integer> {
  @Option(names = "--seeds", description = "Runs per model (default: ${DEFAULT-VALUE}).")
  int seeds = 10;

  @Option(names = "--first-seed", description = "The seeds are S, S+1, ..., S+N-1 (default: ${DEFAULT-VALUE}; "
      + "seeds 1 to 10 include the chapter's seed, whose runs are then the chapter's own).")
  long firstSeed = StudyConfig.DEFAULT_FIRST_SEED;

  @Option(names = "--models", split = ",", paramLabel = "MODEL", converter = Main.ModelConverter.class,
      description = "Models, comma-separated: simple_rnn, lstm, gru (default: all three).")
  List<BookModel> models = List.of(BookModel.values());

  @Option(names = "--epochs", description = "Epochs per run (default: ${DEFAULT-VALUE}).")
  int epochs = 100;

  @Option(names = "--batch-size", description = "Samples per training step (default: ${DEFAULT-VALUE}).")
  int batchSize = 32;

  @Option(names = "--samples", description = "Samples generated per seed, 2560/3000 of them for fit "
      + "(default: ${DEFAULT-VALUE}, the notebook's; fewer for quick checks).")
  int samples = MultiplicationProblem.BOOK_SAMPLES;

  @Option(names = "--timesteps", description = "Timesteps per sample (default: ${DEFAULT-VALUE}).")
  int timesteps = MultiplicationProblem.BOOK_TIMESTEPS;

  @Option(names = "--jobs", description = "Runs trained at once, one per core (default: the number of "
      + "cores, ${DEFAULT-VALUE} here). Results do not depend on it.")
  int jobs = ChapterConfig.defaultJobs();

  @CommandLine.Mixin BackendOption backend = new BackendOption();

  @Option(names = "--results", paramLabel = "DIR", description = "The results folder; the study goes into "
      + "DIR/study (default: ${DEFAULT-VALUE}).")
  Path results = Path.of("results");

  @Option(names = "--book", paramLabel = "DIR", description = "The Python notebook's numbers, for the "
      + "report rebuilt at the end (default: " + BookReference.BUNDLED + ").")
  Path book;

  @Override
  public Integer call() throws Exception {
    StudyConfig config = new StudyConfig(models, firstSeed, seeds, epochs, batchSize, samples, timesteps, jobs,
        backend.get(), results);
    OutputPaths.folder("--results", results);
    OutputPaths.folder("--results", config.dir());
    try (RunFolders folders = RunFolders.lock("study", System.out::println, new Folder("--results", results))) {
      Study study = new Study(config, System.out);
      study.checkEarlierRuns();
      study.run();
      ReportCommand.rebuildIfChapterRun(results, book, System.out);
    }
    return 0;
  }
}
