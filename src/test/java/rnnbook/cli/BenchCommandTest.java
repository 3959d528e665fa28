package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny benchmark run: the command works and writes sane numbers; speed is not asserted here. */
class BenchCommandTest {
  @Test
  void writesBenchCsv(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("bench", "--models", "simple_rnn", "--repeats", "1", "--steps", "3",
        "--results", dir.toString());
    assertEquals(0, r.exit(), r.err());
    List<CSVRecord> rows;
    try (Reader in = Files.newBufferedReader(dir.resolve("bench.csv"))) {
      rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).getRecords();
    }
    assertEquals(1, rows.size());
    CSVRecord row = rows.get(0);
    assertEquals("simple_rnn", row.get("model"));
    assertEquals(List.of(BenchCommand.HEADER), row.getParser().getHeaderNames());
    double step = Double.parseDouble(row.get("step_ms_median"));
    assertTrue(step > 0 && Double.parseDouble(row.get("step_ms_p10")) <= step
        && step <= Double.parseDouble(row.get("step_ms_p90")), row.toString());
    assertTrue(Double.parseDouble(row.get("epoch_seconds")) > 0);
    // the floor is a part of the step's work; and it did the work: SimpleRNN(30) x 2 over 100
    // steps of 32 multiplies 2 * (100 * 2 * 32*30*30 + 3 * 3200*30*30 + 3200*2*30) ~ 4.7e7 flops,
    // which not even 1e12 flop/s would do in under 0.047 ms
    double floor = Double.parseDouble(row.get("matmul_floor_ms"));
    double flops = 2.0 * (100 * 2 * 32 * 30 * 30 + 3 * 3200 * 30 * 30 + 3200 * 2 * 30);
    assertTrue(floor > flops / 1e12 * 1e3 && floor < step, "floor " + floor + " ms, step " + step + " ms");
    assertTrue(Double.parseDouble(row.get("predict_samples_per_second")) > 0);
    CliRun bad = CliRun.of("bench", "--repeats", "0", "--results", dir.toString());
    assertEquals(2, bad.exit());
  }

  /**
   * {@code --ops} lists the op types the training step ran, by TensorFlow's trace: Adam's update of
   * each of the model's 5 weights, the recurrent layers' ops of the backend bench.csv says ran.
   */
  @Test
  void opsListsTheStepsOpTypes(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.of("bench", "--models", "simple_rnn", "--repeats", "1", "--steps", "3", "--ops",
        "--results", dir.toString());
    assertEquals(0, r.exit(), r.err());
    Map<String, Double> micros = new HashMap<>();
    double shares = 0;
    try (Reader in = Files.newBufferedReader(dir.resolve("bench_ops.csv"))) {
      for (CSVRecord row : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
        assertEquals("simple_rnn", row.get("model"));
        micros.put(row.get("op_type"), Double.parseDouble(row.get("microseconds_per_step")));
        shares += Double.parseDouble(row.get("share_percent"));
      }
    }
    assertEquals(100, shares, 1e-6);
    assertTrue(micros.getOrDefault("ApplyAdam", 0.0) > 0, micros.toString());
    String kernels;
    try (Reader in = Files.newBufferedReader(dir.resolve("bench.csv"))) {
      kernels = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)
          .getRecords().get(0).get("kernels");
    }
    if (kernels.equals("native")) {
      assertTrue(micros.getOrDefault("RnnbookSimpleRnnSequence", 0.0) > 0, micros.toString());
      assertTrue(micros.getOrDefault("RnnbookSimpleRnnSequenceGrad", 0.0) > 0, micros.toString());
    } else {
      assertTrue(micros.keySet().stream().noneMatch(t -> t.startsWith("Rnnbook")), micros.toString());
    }
  }
}
