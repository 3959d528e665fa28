package rnnbook.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import rnnbook.chapter7.BookModel;
import rnnbook.chapter7.Chapter;
import rnnbook.chapter7.StudyStats;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.io.GateFiles;
import rnnbook.io.GateFiles.Gate;
import rnnbook.io.GateFiles.Recording;
import rnnbook.io.GateFiles.Sample;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.Run;
import rnnbook.io.StudyInfo;
import rnnbook.io.ResultFiles;
import rnnbook.io.ResultFiles.Prediction;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.io.RunInfo;
import rnnbook.keras.History;

/**
 * Results folders as a chapter run leaves them, written with the run's own writers but with made-up
 * curves shaped like the chapter's (SimpleRNN stays on the 0.05 plateau, LSTM drops late, GRU
 * early) so that the report can be tested without training.
 */
final class ResultsFixture {
  static final List<String> MODELS = List.of("simple_rnn", "lstm", "gru");
  static final int EPOCHS = 100;
  static final int TEST_SAMPLES = 440;

  private ResultsFixture() {}

  /** A finished run of the three models. */
  static Path complete(Path results) throws IOException {
    runInfo(results, true, "generated with seed 42");
    List<SummaryRow> rows = new ArrayList<>();
    for (String m : MODELS) {
      rows.add(model(results, m));
    }
    ResultFiles.writeSummary(results.resolve("summary.csv"), rows);
    return results;
  }

  /**
   * A run killed while training the second model: run.json without finish time, summary.csv with
   * the first model only, lstm/ with the summary.txt written before fit, no gru/ at all.
   */
  static Path interrupted(Path results) throws IOException {
    runInfo(results, false, "generated with seed 42");
    ResultFiles.writeSummary(results.resolve("summary.csv"), List.of(model(results, "simple_rnn")));
    Files.createDirectories(results.resolve("lstm"));
    Files.writeString(results.resolve("lstm/summary.txt"), BookModel.LSTM.create(100).summary());
    return results;
  }

  /** How the fixture's runs shuffle, as run.json says it. */
  static final String SHUFFLE = "numpy.random.RandomState(shuffle_seed).permutation(training samples), once per epoch";

  /**
   * A finished run that a same-start Keras run can match: run.json says how it shuffled, and each
   * model has an initial_weights.npz (small made-up arrays, one set per model).
   */
  static Path completeWithStart(Path results) throws IOException {
    complete(results);
    RunInfo.read(results.resolve("run.json")).withBatches(0.2, SHUFFLE, 42).write(results.resolve("run.json"));
    for (String m : MODELS) {
      Map<String, Npy.Array> arrays = new LinkedHashMap<>();
      arrays.put(m + "/kernel", new Npy.Array(new long[] {2, 3}, new double[] {0.5, -1, m.length(), 2, 0, 1}));
      arrays.put(m + "/bias", new Npy.Array(new long[] {3}, new double[] {0, 1, 0}));
      Npz.write(results.resolve(m).resolve("initial_weights.npz"), arrays, Npy.Dtype.FLOAT32);
    }
    return results;
  }

  /**
   * The folder {@code chapter7_keras.py --same-start} writes for {@link #completeWithStart}'s run:
   * same_start.json naming its start, and per model our curves with each value times {@code 1 +
   * relative.applyAsDouble(model, epoch)} (epochs from 1) and our summary row.
   */
  static Path keras(Path dir, Path results, java.util.function.ToDoubleBiFunction<String, Integer> relative)
      throws IOException {
    Map<String, Object> info = new LinkedHashMap<>();
    RunInfo run = RunInfo.read(results.resolve("run.json"));
    info.put("epochs", EPOCHS);
    info.put("versions", Map.of("python", "3.11.2", "numpy", "2.4.6", "tensorflow", "2.21.0", "keras", "3.15.1"));
    info.put("source_run", Map.of("data", run.data(), "batch_size", run.batchSize(), "validation_split",
        run.validationSplit(), "shuffle", run.shuffle(), "shuffle_seed", run.shuffleSeed()));
    Map<String, String> prints = new LinkedHashMap<>();
    List<SummaryRow> rows = new ArrayList<>();
    for (SummaryRow r : RunResults.readSummary(results.resolve("summary.csv"))) {
      String m = r.model();
      prints.put(m, KerasSameStart.fingerprint(results.resolve(m).resolve("initial_weights.npz")));
      History h = RunResults.readHistory(results.resolve(m).resolve("history.csv"));
      List<Double> loss = new ArrayList<>();
      List<Double> valLoss = new ArrayList<>();
      for (int e = 0; e < h.epochs(); e++) {
        double f = 1 + relative.applyAsDouble(m, e + 1);
        loss.add(h.loss().get(e) * f);
        valLoss.add(h.valLoss().get(e) * f);
      }
      ResultFiles.writeHistory(dir.resolve(m).resolve("history.csv"), new History(loss, valLoss, h.seconds()));
      rows.add(new SummaryRow(m, r.params(), loss.get(loss.size() - 1), valLoss.get(valLoss.size() - 1),
          r.testLoss() * 1.1, Math.min(100, r.correctness() + 1), r.trainSeconds() * 3));
    }
    info.put("initial_weights_sha256", prints);
    ResultFiles.writeSummary(dir.resolve("summary.csv"), rows);
    Files.write(dir.resolve("same_start.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(info));
    return dir;
  }

  static RunInfo runInfo(Path results, boolean finished, String data) throws IOException {
    RunInfo info = new RunInfo("chapter", MODELS, EPOCHS, 42, 32, data, "2.18.0", "CPU", "native kernels",
        "Linux amd64, 2 cores, 6144 MiB max heap", "Debian 17.0.15", "2026-11-27T07:00:00Z",
        finished ? "2026-11-27T07:05:00Z" : null);
    info.write(results.resolve("run.json"));
    return info;
  }

  /** Writes a model's files as Chapter.runModel does and returns its summary row. */
  static SummaryRow model(Path results, String key) throws IOException {
    BookModel spec = BookModel.fromKey(key);
    int drop = switch (spec) {
      case SIMPLE_RNN -> Integer.MAX_VALUE;
      case LSTM -> 42;
      case GRU -> 17;
    };
    double end = switch (spec) {
      case SIMPLE_RNN -> 0.05;
      case LSTM -> 6e-4;
      case GRU -> 1.5e-4;
    };
    Random random = new Random(key.hashCode());
    List<Double> loss = new ArrayList<>();
    List<Double> valLoss = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    for (int e = 1; e <= EPOCHS; e++) {
      double l = e < drop ? 0.048 : 0.048 * Math.pow(end / 0.048, Math.min(1, (e - drop + 1.0) / 40));
      double overfit = spec == BookModel.SIMPLE_RNN ? 1 + 0.4 * e / EPOCHS : 1.05;
      loss.add(l * (1 + 0.05 * random.nextGaussian()) / (spec == BookModel.SIMPLE_RNN ? 1 + 0.6 * e / EPOCHS : 1));
      valLoss.add(l * overfit * (1 + 0.08 * random.nextGaussian()));
      seconds.add(0.9 + 0.2 * random.nextDouble());
    }
    History history = new History(loss, valLoss, seconds);
    double sigma = Math.sqrt(end);
    double[] y = new double[TEST_SAMPLES];
    float[] predicted = new float[TEST_SAMPLES];
    for (int i = 0; i < TEST_SAMPLES; i++) {
      y[i] = random.nextDouble() * random.nextDouble();
      predicted[i] = (float) (y[i] + sigma * random.nextGaussian());
    }
    List<Prediction> predictions = Chapter.compare(y, predicted);
    double testLoss = predictions.stream().mapToDouble(p -> p.absDiff() * p.absDiff()).average().orElseThrow();

    Path dir = results.resolve(key);
    var model = spec.create(100);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.txt"), model.summary());
    ResultFiles.writeHistory(dir.resolve("history.csv"), history);
    ResultFiles.writePredictions(dir.resolve("predictions.csv"), predictions);
    return new SummaryRow(key, model.countParams(), loss.get(EPOCHS - 1), valLoss.get(EPOCHS - 1), testLoss,
        Chapter.correctness(predictions), history.totalSeconds());
  }

  /**
   * A finished study of 10 seeds per model (42..51) with made-up outcomes shaped like the chapter's:
   * SimpleRNN never leaves the plateau, LSTM mostly does, GRU nearly always; each run's history
   * beside it. Returns the study folder.
   */
  static Path study(Path results) throws IOException {
    Path dir = results.resolve(StudyFiles.DIR);
    List<Long> seeds = java.util.stream.LongStream.rangeClosed(42, 51).boxed().toList();
    StudyInfo.start(EPOCHS, 32, 3000, 100, "auto", MODELS, seeds, 2).finish().write(dir.resolve(StudyFiles.STUDY_JSON));
    Random random = new Random(6);
    List<Run> runs = new ArrayList<>();
    for (String m : MODELS) {
      for (long seed : seeds) {
        boolean learns = m.equals("gru") ? seed != 47 : m.equals("lstm") && seed % 3 != 0;
        int drop = learns ? (m.equals("gru") ? 12 : 30) + random.nextInt(30) : Integer.MAX_VALUE;
        List<Double> loss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (int e = 1; e <= EPOCHS; e++) {
          double l = e < drop ? 0.05 : 0.05 * Math.pow(4e-4 / 0.05, Math.min(1, (e - drop + 1.0) / 30));
          loss.add(l * 0.95);
          valLoss.add(l * (1 + 0.05 * random.nextGaussian()));
          seconds.add(1.0);
        }
        History h = new History(loss, valLoss, seconds);
        ResultFiles.writeHistory(StudyFiles.history(dir, m, seed), h);
        double correctness = learns ? 88 + 10 * random.nextDouble() : 8 + 8 * random.nextDouble();
        double testLoss = learns ? 4e-4 * (1 + random.nextDouble()) : 0.05 * (1 + 0.1 * random.nextDouble());
        runs.add(new Run(m, seed, BookModel.fromKey(m).create(100).countParams(), loss.get(EPOCHS - 1),
            valLoss.get(EPOCHS - 1), testLoss, correctness, StudyStats.firstEpochBelow(valLoss, StudyFiles.PLATEAU_EXIT),
            100, 110));
      }
    }
    StudyFiles.writeRuns(dir.resolve(StudyFiles.RUNS_CSV), runs);
    StudyFiles.writeSummary(dir.resolve(StudyFiles.SUMMARY_CSV), StudyStats.summarize(runs));
    return dir;
  }

  /**
   * Gate recordings as the gates command writes them (without pictures, which the report draws):
   * lstm on test samples 0 (marks 3 and 8) and 1 (marks 10 and 90), gru on sample 4 (marks 20 and
   * 70), with made-up gate values.
   */
  static void gates(Path results) throws IOException {
    GateFiles.write(GateFiles.sampleDir(results, "lstm", 0), recording("lstm", 0, 3, 8));
    GateFiles.write(GateFiles.sampleDir(results, "lstm", 1), recording("lstm", 1, 10, 90));
    GateFiles.write(GateFiles.sampleDir(results, "gru", 4), recording("gru", 4, 20, 70));
  }

  static Recording recording(String model, int sample, int first, int second) {
    Random random = new Random(sample);
    List<Double> values = new ArrayList<>();
    for (int t = 0; t < 100; t++) {
      values.add(random.nextDouble());
    }
    List<String> gates = model.equals("lstm") ? List.of("i", "f", "g", "o", "c", "h") : List.of("z", "r", "hh", "h");
    List<Gate> out = new ArrayList<>();
    for (String layer : List.of(model, model + "_1")) {
      for (String gate : gates) {
        float[][] v = new float[100][30];
        for (int t = 0; t < 100; t++) {
          for (int u = 0; u < 30; u++) {
            boolean mark = t == first || t == second;
            v[t][u] = switch (gate) {
              case "c" -> (float) ((t >= first ? 0.6 : 0) + (t >= second ? 0.5 : 0)) * (u % 3 - 1);
              case "g", "hh", "h" -> (float) (0.8 * Math.sin(t * 0.1 + u));
              default -> (float) (mark ? 0.95 : 0.1 + 0.2 * random.nextDouble());
            };
          }
        }
        out.add(new Gate(layer, gate, v));
      }
    }
    return new Recording(new Sample(model, sample, 42, "generated with seed 42", "SavedModel savedmodels/" + model,
        List.of(first, second), values, values.get(first) * values.get(second), 0.5), out);
  }

  /**
   * A folder shaped like ../shared/reference/book with made-up numbers (not the book's), so that
   * tests can tell parsed values from hard-coded ones.
   */
  static Path book(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("README.md"), """
        # Reference results (test fixture)

        ## Model summaries (Keras)
        | model | layer 1 | layer 2 | dense | total params |
        |---|---|---|---|---|
        | SimpleRNN | a | b | Dense(1) 31 | 2,851 |
        | LSTM | a | b | Dense(1) 31 | 11,311 |
        | GRU | a | b | Dense(1) 31 | 8,671 |

        Some text between tables.

        ## Results
        | model | final loss | final val_loss | test loss (evaluate) | correctness (book notebook) | correctness (second run, chapter notes) | seconds for 50 epochs (Test GPU, 2001) |
        |---|---|---|---|---|---|---|
        | SimpleRNN | 0.0311 | 0.0722 | 0.0733 | 11.11 % | 12.34 % and 23.45 % (two runs) | 1000 |
        | LSTM | 7.1234e-04 | 6.2345e-04 | 6.3456e-04 | 93.21 % | 94.32 % | 250 |
        | GRU | 2.2222e-04 | 2.3333e-04 | 2.4444e-04 | 97.65 % | 98.76 % | 125 |
        """);
    for (String m : MODELS) {
      StringBuilder csv = new StringBuilder("epoch,loss,val_loss,epoch_seconds\n");
      for (int e = 1; e <= 50; e++) {
        csv.append(e).append(',').append(0.05 / e).append(',').append(0.06 / e).append(",2\n");
      }
      Files.writeString(dir.resolve(m + "_history.csv"), csv);
    }
    return dir;
  }
}
