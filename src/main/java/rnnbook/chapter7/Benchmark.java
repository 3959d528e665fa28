package rnnbook.chapter7;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import rnnbook.data.MultiplicationProblem;
import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.History;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;
import rnnbook.keras.TrainingListener;
import rnnbook.keras.layers.Dense;
import rnnbook.keras.layers.RecurrentBackend;
import rnnbook.keras.layers.RecurrentConfig;

/**
 * Measures what a chapter run costs, per model: graph build, first step, the training step
 * (batch 32), a whole epoch as the chapter runs it (64 steps and validation on 512; the median of
 * {@link #EPOCHS} consecutive epochs of one fit after an untimed one, as peer_bench.py times
 * PyTorch's and Keras's; fit's last epoch is not timed), prediction
 * throughput on the 440 test samples, and the process's peak memory. Times are wall-clock on the
 * calling thread; each model gets a fresh graph and session with one TensorFlow thread.
 */
public final class Benchmark {
  /** Untimed training steps after the first one and before the timed ones. */
  public static final int WARMUP_STEPS = 20;
  /** Timed epochs per run, after an untimed one; the run's epoch time is their median. */
  public static final int EPOCHS = 5;

  private Benchmark() {}

  /** One measured configuration; kernelThreads as {@link CompileOptions#kernelThreads()}. */
  public record Case(BookModel model, int batch, int timesteps, int units, RecurrentBackend backend,
      int kernelThreads) {
    public Case(BookModel model, int batch, int timesteps, int units, RecurrentBackend backend) {
      this(model, batch, timesteps, units, backend, 1);
    }

    public String label() {
      return model.key() + " batch=" + batch + " timesteps=" + timesteps + " units=" + units
          + (backend == RecurrentBackend.AUTO ? "" : " " + backend.key())
          + (kernelThreads == 1 ? "" : " kernel-threads=" + kernelThreads);
    }
  }

  /** The numbers of one run of a case; times in milliseconds unless named otherwise. */
  public record Result(Case c, double buildSeconds, double firstStepSeconds, double stepMsMedian,
      double stepMsP10, double stepMsP90, double epochSeconds, double predictPerSecond,
      long peakRssMb, double matmulFloorMs, String ranOn) {}

  /** What the recurrent layers ran on: {@code native}, {@code tensorflow}, {@code unrolled}. */
  private static String ranOn(CompiledModel m) {
    return m.backends().stream().map(b -> b.used().key()).distinct()
        .collect(java.util.stream.Collectors.joining("+"));
  }

  /** The chapter's model of {@code c.model()} with {@code c.units()} units per layer. */
  static Sequential model(Case c) {
    RecurrentConfig config = RecurrentConfig.of(c.units());
    Sequential s = c.model().create(c.timesteps());
    if (c.units() == BookModel.UNITS) {
      return s;
    }
    Sequential custom = new Sequential(s.name(), c.timesteps(), 2);
    custom.add(layer(c.model(), config.withReturnSequences(true)));
    custom.add(layer(c.model(), config));
    return custom.add(new Dense(1));
  }

  private static rnnbook.keras.layers.Layer layer(BookModel m, RecurrentConfig c) {
    return switch (m) {
      case SIMPLE_RNN -> new rnnbook.keras.layers.SimpleRNN(c);
      case LSTM -> new rnnbook.keras.layers.LSTM(c);
      case GRU -> new rnnbook.keras.layers.GRU(c);
    };
  }

  /** Case {@code c}'s model compiled for training as the chapter does, one TensorFlow thread. */
  private static CompiledModel compile(Case c) {
    return model(c).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR,
        CompileOptions.of(1).withBackend(c.backend()).withKernelThreads(c.kernelThreads()));
  }

  /**
   * TensorFlow's own per-op-type account of {@code steps} training steps of case {@code c} (after
   * the first step and {@link #WARMUP_STEPS} untimed ones), microseconds per step, largest first;
   * see {@link CompiledModel#opMicrosPerStep}.
   */
  public static Map<String, Double> opMicros(Case c, int steps) {
    MultiplicationProblem data = MultiplicationProblem.generate(1, 3000, c.timesteps());
    int row = c.timesteps() * 2;
    float[] bx = Arrays.copyOf(data.xFloat(), c.batch() * row);
    float[] by = Arrays.copyOf(data.yFloat(), c.batch());
    try (CompiledModel m = compile(c)) {
      for (int i = 0; i <= WARMUP_STEPS; i++) {
        m.trainOnBatch(bx, by, c.batch());
      }
      return m.opMicrosPerStep(bx, by, c.batch(), steps);
    }
  }

  /**
   * Runs one case: builds, times {@code steps} training steps after the first, and, when {@code
   * epoch} is set, chapter epochs (2048 samples in steps of {@code c.batch()}, validation on 512;
   * the median of {@link #EPOCHS}) and predictions on 440 samples.
   */
  public static Result run(Case c, int steps, boolean epoch) {
    MultiplicationProblem data = MultiplicationProblem.generate(1, 3000, c.timesteps());
    float[] x = data.xFloat();
    float[] y = data.yFloat();
    int row = c.timesteps() * 2;
    long t0 = System.nanoTime();
    try (CompiledModel m = compile(c)) {
      double build = (System.nanoTime() - t0) / 1e9;
      float[] bx = Arrays.copyOf(x, c.batch() * row);
      float[] by = Arrays.copyOf(y, c.batch());
      long t1 = System.nanoTime();
      m.trainOnBatch(bx, by, c.batch());
      double first = (System.nanoTime() - t1) / 1e9;
      // untimed warm-up steps, as a benchmark harness runs them: the first steps after the first
      // one are slower (JIT, TensorFlow's and the allocator's caches)
      for (int i = 0; i < WARMUP_STEPS; i++) {
        m.trainOnBatch(bx, by, c.batch());
      }
      double[] times = new double[steps];
      for (int i = 0; i < steps; i++) {
        int from = (i * c.batch()) % (2560 - c.batch());
        System.arraycopy(x, from * row, bx, 0, c.batch() * row);
        System.arraycopy(y, from, by, 0, c.batch());
        long s = System.nanoTime();
        m.trainOnBatch(bx, by, c.batch());
        times[i] = (System.nanoTime() - s) / 1e6;
      }
      Arrays.sort(times);
      double epochSeconds = Double.NaN;
      double perSecond = Double.NaN;
      if (epoch) {
        float[] fitX = Arrays.copyOf(x, 2560 * row);
        float[] fitY = Arrays.copyOf(y, 2560);
        // one fit, as the chapter's: the first epoch untimed (it warms up the validation), then
        // EPOCHS timed, then the last, untimed (a fit's last validation cannot run beside a next
        // epoch's steps, see CompiledModel#fit)
        History h = m.fit(fitX, fitY,
            new CompiledModel.FitOptions(EPOCHS + 2, c.batch(), ChapterConfig.VALIDATION_SPLIT, true),
            TrainingListener.NONE);
        double[] epochs = h.seconds().subList(1, EPOCHS + 1).stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(epochs);
        epochSeconds = epochs[EPOCHS / 2];
        float[] test = Arrays.copyOfRange(x, 2560 * row, 3000 * row);
        m.predict(test);
        double[] p = new double[5];
        for (int i = 0; i < p.length; i++) {
          long s = System.nanoTime();
          m.predict(test);
          p[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(p);
        perSecond = 440 / p[2];
      }
      return new Result(c, build, first, percentile(times, 0.5), percentile(times, 0.1),
          percentile(times, 0.9), epochSeconds, perSecond, peakRssMb(), matmulFloorMs(c), ranOn(m));
    }
  }

  /**
   * The matrix products alone of one training step of {@code c}'s model, in milliseconds (median
   * of 15 runs): per layer and timestep {@code h @ U} and the backward product with {@code U^T},
   * and the products done once over all timesteps (the input projection, the two weight
   * gradients, the second layer's input gradient) and the Dense head's, with the model's shapes
   * and TensorFlow's kernels, on one thread, inputs cache-warm. No graph of the model on these
   * kernels can train faster; the gates, the optimizer and moving the saved activations come on
   * top. Grappler is off so that equal products are not merged.
   */
  public static double matmulFloorMs(Case c) {
    long g = switch (c.model()) {
      case SIMPLE_RNN -> 1;
      case LSTM -> 4;
      case GRU -> 3;
    };
    long b = c.batch();
    long t = c.timesteps();
    long u = c.units();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      List<Op> products = new ArrayList<>();
      Map<String, Operand<TFloat32>> inputs = new HashMap<>();
      Function<long[], Operand<TFloat32>> m = shape -> inputs.computeIfAbsent(Arrays.toString(shape),
          k -> tf.fill(tf.constant(shape), tf.constant(0.01f)));
      for (int layer = 0; layer < 2; layer++) {
        long f = layer == 0 ? 2 : u;
        for (int s = 0; s < t; s++) {
          products.add(tf.linalg.matMul(m.apply(new long[] {b, u}), m.apply(new long[] {u, g * u})));
          products.add(tf.linalg.matMul(m.apply(new long[] {b, g * u}), m.apply(new long[] {u, g * u}),
              MatMul.transposeB(true)));
        }
        products.add(tf.linalg.matMul(m.apply(new long[] {t * b, f}), m.apply(new long[] {f, g * u})));
        products.add(tf.linalg.matMul(m.apply(new long[] {t * b, f}), m.apply(new long[] {t * b, g * u}),
            MatMul.transposeA(true)));
        products.add(tf.linalg.matMul(m.apply(new long[] {t * b, u}), m.apply(new long[] {t * b, g * u}),
            MatMul.transposeA(true)));
        if (layer == 1) {
          products.add(tf.linalg.matMul(m.apply(new long[] {t * b, g * u}), m.apply(new long[] {f, g * u}),
              MatMul.transposeB(true)));
        }
      }
      products.add(tf.linalg.matMul(m.apply(new long[] {b, u}), m.apply(new long[] {u, 1})));
      products.add(tf.linalg.matMul(m.apply(new long[] {b, u}), m.apply(new long[] {b, 1}), MatMul.transposeA(true)));
      products.add(tf.linalg.matMul(m.apply(new long[] {b, 1}), m.apply(new long[] {u, 1}), MatMul.transposeB(true)));
      Op all = tf.withControlDependencies(products).noOp();
      ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(1)
          .setInterOpParallelismThreads(1).setUsePerSessionThreads(true)
          .setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(
              RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
          .build();
      try (Session session = new Session(graph, config)) {
        for (int i = 0; i < 3; i++) {
          session.runner().addTarget(all).run().close();
        }
        double[] times = new double[15];
        for (int i = 0; i < times.length; i++) {
          long s0 = System.nanoTime();
          session.runner().addTarget(all).run().close();
          times[i] = (System.nanoTime() - s0) / 1e6;
        }
        Arrays.sort(times);
        return percentile(times, 0.5);
      }
    }
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  }

  /** The process's peak resident memory (Linux's VmHWM), or -1 where it is not known. */
  public static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The median of each field over repeated runs of one case. */
  public static Result median(List<Result> runs) {
    Case c = runs.get(0).c();
    return new Result(c, med(runs, Result::buildSeconds), med(runs, Result::firstStepSeconds),
        med(runs, Result::stepMsMedian), med(runs, Result::stepMsP10), med(runs, Result::stepMsP90),
        med(runs, Result::epochSeconds), med(runs, Result::predictPerSecond),
        runs.stream().mapToLong(Result::peakRssMb).max().orElse(-1), med(runs, Result::matmulFloorMs),
        runs.get(0).ranOn());
  }

  private static double med(List<Result> runs, java.util.function.ToDoubleFunction<Result> f) {
    double[] v = runs.stream().mapToDouble(f).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The scaling cases: batch 32/128/512, timesteps 100/400, units 30/128, for each model. */
  public static List<Case> scalingCases(List<BookModel> models, RecurrentBackend backend,
      int kernelThreads) {
    List<Case> cases = new ArrayList<>();
    for (BookModel m : models) {
      for (int batch : new int[] {32, 128, 512}) {
        cases.add(new Case(m, batch, 100, 30, backend, kernelThreads));
      }
      cases.add(new Case(m, 32, 400, 30, backend, kernelThreads));
      cases.add(new Case(m, 32, 100, 128, backend, kernelThreads));
    }
    return cases;
  }
}
