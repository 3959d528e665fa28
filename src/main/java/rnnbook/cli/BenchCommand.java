package rnnbook.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rnnbook.chapter7.Benchmark;
import rnnbook.chapter7.Benchmark.Case;
import rnnbook.chapter7.Benchmark.Result;
import rnnbook.chapter7.BookModel;
import rnnbook.data.AtomicWrite;
import rnnbook.io.OutputPaths;
import rnnbook.io.RunFolders;
import rnnbook.io.RunFolders.Folder;
import rnnbook.io.RunLock;
import rnnbook.keras.layers.RecurrentBackend;

/**
 * {@code bench}: measures the chapter's models (see {@link Benchmark}) and writes
 * results/bench.csv; with {@code --scaling}, also how the step grows with batch, sequence length
 * and units, into results/bench_scaling.csv; with {@code --ops}, TensorFlow's own per-op-type
 * account of the step, into results/bench_ops.csv.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    header = "Time the models: build, training step, epoch, prediction.",
    description = "Benchmark the chapter's models: build, first step, training step (median and "
        + "spread), seconds per epoch, prediction throughput, peak memory, and the step's matrix "
        + "products alone.")
final class BenchCommand implements Callable<Integer> {
  static final String[] HEADER = {"model", "batch", "timesteps", "units", "backend", "kernels",
      "kernel_threads", "repeats",
      "build_seconds", "first_step_seconds", "step_ms_median", "step_ms_p10", "step_ms_p90",
      "epoch_seconds", "predict_samples_per_second", "peak_rss_mb", "matmul_floor_ms"};

  @Option(names = "--models", split = ",", paramLabel = "MODEL",
      converter = Main.ModelConverter.class,
      description = "Models to measure (default: all three).")
  List<BookModel> models = List.of(BookModel.values());

  @Option(names = "--repeats", description = "Runs per model; medians are reported (default: ${DEFAULT-VALUE}).")
  int repeats = 3;

  @Option(names = "--steps", description = "Timed training steps per run (default: ${DEFAULT-VALUE}).")
  int steps = 100;

  @Option(names = "--scaling", description = "Also measure batch 32/128/512, timesteps 100/400 and units 30/128.")
  boolean scaling;

  @Option(names = "--ops", description = "Also TensorFlow's own account of the training step per op "
      + "type (its software trace: shares, not timings), into results/bench_ops.csv.")
  boolean ops;

  @CommandLine.Mixin BackendOption backend = new BackendOption();

  @Option(names = "--kernel-threads", paramLabel = "N",
      description = "Threads the native kernels may use, 1 or 2: with 2 a kernel on 128 rows or "
          + "more runs the batch's two halves on two cores (default: ${DEFAULT-VALUE}).")
  int kernelThreads = 1;

  @Option(names = "--results", paramLabel = "DIR", description = "Where bench.csv goes (default: ${DEFAULT-VALUE}).")
  Path results = Path.of("results");

  @Override
  public Integer call() throws IOException {
    if (repeats < 1 || steps < 1) {
      throw new IllegalArgumentException("--repeats and --steps must be >= 1, received " + repeats + " and " + steps);
    }
    if (kernelThreads < 1 || kernelThreads > 2) {
      throw new IllegalArgumentException("--kernel-threads must be 1 or 2, received " + kernelThreads);
    }
    RecurrentBackend requested = backend.get();
    BookModel.requireDistinct(models, "--models");
    OutputPaths.folder("--results", results);
    try (RunFolders folders = RunFolders.lock("bench", System.out::println, new Folder("--results", results));
        RunLock machine = machineLock()) {
      return measureAll(requested);
    }
  }

  /**
   * Two benches on one machine time each other: the second waits for the first, saying so. The
   * lock lives in the temporary folder, shared by every results folder.
   */
  private static RunLock machineLock() throws IOException {
    return RunLock.await(Path.of(System.getProperty("java.io.tmpdir"), "rnnbook-bench"), "bench", "bench",
        note -> System.out.println(note + " (two benches at once time each other)"));
  }

  private Integer measureAll(RecurrentBackend requested) throws IOException {
    System.out.println("recurrent layers: " + requested.summary());
    List<Result> rows = new ArrayList<>();
    System.out.printf(Locale.ROOT, "%-44s %8s %8s %8s %8s %8s %8s %10s %8s %9s%n", "case", "build_s",
        "first_s", "step_ms", "p10", "p90", "epoch_s", "predict/s", "rss_mb", "floor_ms");
    for (BookModel m : models) {
      rows.add(measure(new Case(m, 32, 100, BookModel.UNITS, requested, kernelThreads), repeats, true));
    }
    write(results.resolve("bench.csv"), rows);
    if (ops) {
      writeOps(results.resolve("bench_ops.csv"), requested);
    }
    if (scaling) {
      List<Result> scaled = new ArrayList<>();
      for (Case c : Benchmark.scalingCases(models, requested, kernelThreads)) {
        scaled.add(measure(c, 1, false));
      }
      write(results.resolve("bench_scaling.csv"), scaled);
    }
    return 0;
  }

  private Result measure(Case c, int runs, boolean epoch) {
    List<Result> all = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      all.add(Benchmark.run(c, c.batch() > 128 || c.timesteps() > 100 ? Math.min(steps, 20) : steps, epoch));
    }
    Result r = Benchmark.median(all);
    System.out.printf(Locale.ROOT, "%-44s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %10.0f %8d %9.2f%n", c.label(),
        r.buildSeconds(), r.firstStepSeconds(), r.stepMsMedian(), r.stepMsP10(), r.stepMsP90(),
        r.epochSeconds(), r.predictPerSecond(), r.peakRssMb(), r.matmulFloorMs());
    return r;
  }

  static final String[] OPS_HEADER = {"model", "op_type", "microseconds_per_step", "share_percent"};

  /** Per model, the step's op types by the time TensorFlow's trace gives them; the top 12 printed. */
  private void writeOps(Path file, RecurrentBackend requested) throws IOException {
    Map<BookModel, Map<String, Double>> all = new LinkedHashMap<>();
    for (BookModel m : models) {
      Map<String, Double> micros =
          Benchmark.opMicros(new Case(m, 32, 100, BookModel.UNITS, requested, kernelThreads), steps);
      double total = micros.values().stream().mapToDouble(Double::doubleValue).sum();
      System.out.printf(Locale.ROOT, "%s: the step's ops by type (TensorFlow's trace, %d steps; "
          + "%.0f us per step in all)%n", m.key(), steps, total);
      micros.entrySet().stream().limit(12).forEach(e -> System.out.printf(Locale.ROOT,
          "  %-34s %9.1f us %5.1f %%%n", e.getKey(), e.getValue(), 100 * e.getValue() / total));
      all.put(m, micros);
    }
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(OPS_HEADER).get().print(w)) {
        for (Map.Entry<BookModel, Map<String, Double>> e : all.entrySet()) {
          double total = e.getValue().values().stream().mapToDouble(Double::doubleValue).sum();
          for (Map.Entry<String, Double> op : e.getValue().entrySet()) {
            csv.printRecord(e.getKey().key(), op.getKey(), op.getValue(), 100 * op.getValue() / total);
          }
        }
      }
    });
    System.out.println("wrote " + file);
  }

  private void write(Path file, List<Result> rows) throws IOException {
    AtomicWrite.text(file, w -> {
      try (CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(HEADER).get().print(w)) {
        for (Result r : rows) {
          Case c = r.c();
          csv.printRecord(c.model().key(), c.batch(), c.timesteps(), c.units(), c.backend().key(), r.ranOn(),
              c.kernelThreads(), repeats,
              r.buildSeconds(), r.firstStepSeconds(), r.stepMsMedian(), r.stepMsP10(), r.stepMsP90(),
              r.epochSeconds(), r.predictPerSecond(), r.peakRssMb(), r.matmulFloorMs());
        }
      }
    });
    System.out.println("wrote " + file);
  }
}
