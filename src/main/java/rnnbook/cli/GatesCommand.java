package rnnbook.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rnnbook.chapter7.BookModel;
import rnnbook.chapter7.ChapterConfig;
import rnnbook.chapter7.GateInspector;
import rnnbook.chapter7.ModelRun;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.GateFiles.Recording;
import rnnbook.io.OutputPaths;
import rnnbook.io.RunFolders;
import rnnbook.io.RunFolders.Folder;
import rnnbook.io.RunInfo;
import rnnbook.keras.Progbar;
import rnnbook.keras.layers.RecurrentBackend;
import rnnbook.report.BookReference;
import rnnbook.report.GateCharts;

/** {@code gates --model lstm --sample K}: records a trained model's gates on test samples, with pictures. */
@Command(name = "gates", mixinStandardHelpOptions = true,
    header = "Record the gates of a trained LSTM or GRU, step by step.",
    description = "Run a trained LSTM or GRU (savedmodels/<model>, or trained on the spot when there is none) "
        + "on test samples and record every gate of both recurrent layers at every timestep: "
        + "results/gates/<model>/sample_<K>/ gets gates.csv (layer,gate,timestep,unit,value), sample.json, "
        + "a heat map per layer and a chart of the memory of the most active units, the marked timesteps "
        + "drawn on each.")
final class GatesCommand implements Callable<Integer> {
  @Option(names = {"--model", "--models"}, split = ",", paramLabel = "MODEL", converter = Main.ModelConverter.class,
      description = "lstm, gru or both, comma-separated (default: both).")
  List<BookModel> models = GateInspector.MODELS;

  @Option(names = "--sample", split = ",", paramLabel = "K",
      description = "Test samples (0..439: the samples after the first 2560), comma-separated (default: 0,1,2).")
  List<Integer> samples = List.of(0, 1, 2);

  @Option(names = "--seed", description = "Seed of the data, and of the training on the spot (default: the "
      + "seed in RESULTS/run.json, else " + ChapterConfig.DEFAULT_SEED + ").")
  Long seed;

  @Option(names = "--data", paramLabel = "DIR", description = "Take the samples from DIR/X.npy and DIR/Y.npy "
      + "instead of generating them, as the chapter's --data.")
  Path data;

  @Option(names = "--epochs", description = "Epochs when a model is trained on the spot (default: ${DEFAULT-VALUE}).")
  int epochs = 100;

  @Option(names = "--batch-size", description = "Batch size when trained on the spot (default: ${DEFAULT-VALUE}).")
  int batchSize = 32;

  @Option(names = "--savedmodels", paramLabel = "DIR", description = "Where the chapter's SavedModels are "
      + "(default: ${DEFAULT-VALUE}).")
  Path savedModels = Path.of("savedmodels");

  @Option(names = "--results", paramLabel = "DIR", description = "The results folder; the recordings go into "
      + "DIR/gates (default: ${DEFAULT-VALUE}).")
  Path results = Path.of("results");

  @Option(names = "--book", paramLabel = "DIR", description = "The Python notebook's numbers, for the "
      + "report rebuilt at the end (default: " + BookReference.BUNDLED + ").")
  Path book;

  @Override
  public Integer call() throws IOException {
    if (epochs < 1 || batchSize < 1) {
      throw new IllegalArgumentException("--epochs and --batch-size must be >= 1, received " + epochs + " and "
          + batchSize);
    }
    BookModel.requireDistinct(models, "--model");
    for (BookModel m : models) {
      if (!GateInspector.MODELS.contains(m)) {
        throw new IllegalArgumentException("--model: " + m.key() + " has no gates; choose lstm or gru");
      }
    }
    OutputPaths.folder("--results", results);
    OutputPaths.folder("--results", results.resolve("gates"));
    String seedFrom = "--seed";
    if (seed == null) {
      Path runJson = results.resolve("run.json");
      seed = Files.exists(runJson) ? RunInfo.read(runJson).seed() : ChapterConfig.DEFAULT_SEED;
      seedFrom = Files.exists(runJson) ? "the seed of " + runJson : "the default seed";
    }
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("--seed must be in [0, 4294967295] as numpy's, received " + seed);
    }
    MultiplicationProblem problem = data != null ? MultiplicationProblem.readNpy(data) : MultiplicationProblem.generate(seed);
    ModelRun.Split split = ModelRun.Split.of(problem);
    GateInspector.requireTestSamples(samples, split.test().samples());
    String dataSource = data != null ? "from " + data : "generated with seed " + seed;
    try (RunFolders folders = RunFolders.lock("gates", System.out::println, new Folder("--results", results))) {
      record(split, dataSource, seedFrom);
    }
    return 0;
  }

  private void record(ModelRun.Split split, String dataSource, String seedFrom) throws IOException {
    System.out.println("gates: models " + models.stream().map(BookModel::key).collect(Collectors.joining(", "))
        + "; test samples " + samples.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "; data "
        + dataSource + (data != null ? "" : " (" + seedFrom + ")") + "; results " + results.resolve("gates"));
    for (BookModel m : models) {
      List<Recording> recordings = GateInspector.record(m, split, dataSource, samples, savedModels.resolve(m.key()),
          new ModelRun.Settings(epochs, batchSize, seed, RecurrentBackend.AUTO), System.out, Progbar.toStdout());
      for (Recording r : recordings) {
        Path dir = GateInspector.write(results, r);
        System.out.println(String.format(Locale.ROOT, "%s test sample %d: ", m.key(), r.sample().sample())
            + GateCharts.marksText(r) + " -> " + dir);
      }
    }
    ReportCommand.rebuildIfChapterRun(results, book, System.out);
  }
}
