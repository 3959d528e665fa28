package rnnbook.io;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.tensorflow.TensorFlow;
import rnnbook.data.AtomicWrite;
import rnnbook.data.InputFiles;
import rnnbook.keras.Devices;
import rnnbook.keras.layers.NativeAllocator;

/**
 * What a run was: its configuration and the machine it ran on, written as {@code results/run.json}
 * when a run starts and again, with {@code finished}, when it ends. {@code validation_split},
 * {@code shuffle} and {@code shuffle_seed} say which batches fit fed (absent in run.json files
 * from before they were written), so that another program can feed the same ones.
 */
public record RunInfo(
    @JsonProperty("command") String command,
    @JsonProperty("models") List<String> models,
    @JsonProperty("epochs") int epochs,
    @JsonProperty("seed") long seed,
    @JsonProperty("batch_size") int batchSize,
    @JsonProperty("validation_split") Double validationSplit,
    @JsonProperty("shuffle") String shuffle,
    @JsonProperty("shuffle_seed") Long shuffleSeed,
    @JsonProperty("data") String data,
    @JsonProperty("tensorflow") String tensorflow,
    @JsonProperty("device") String device,
    @JsonProperty("recurrent_layers") String recurrentLayers,
    @JsonProperty("tensor_memory") String tensorMemory,
    @JsonProperty("machine") String machine,
    @JsonProperty("java") String java,
    @JsonProperty("started") String started,
    @JsonProperty("finished") String finished) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A run whose batches are not recorded. */
  public RunInfo(String command, List<String> models, int epochs, long seed, int batchSize, String data,
      String tensorflow, String device, String recurrentLayers, String machine, String java, String started,
      String finished) {
    this(command, models, epochs, seed, batchSize, null, null, null, data, tensorflow, device, recurrentLayers,
        null, machine, java, started, finished);
  }

  /**
   * A run starting now on this machine; {@code recurrentLayers} says what the recurrent layers run
   * on (native kernels, TensorFlow's ops, unrolled graphs).
   */
  public static RunInfo start(String command, List<String> models, int epochs, long seed, int batchSize,
      String data, String recurrentLayers) {
    return new RunInfo(command, models, epochs, seed, batchSize, null, null, null, data, TensorFlow.version(),
        Devices.used(), recurrentLayers, NativeAllocator.status(), describeMachine(), System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
        Instant.now().toString(), null);
  }

  /** This machine, as the run files name it: OS, architecture, cores and the JVM's heap limit. */
  public static String describeMachine() {
    Runtime rt = Runtime.getRuntime();
    return System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
        + rt.availableProcessors() + " cores, " + (rt.maxMemory() >> 20) + " MiB max heap";
  }

  /** This run, finished now; what gave its tensors their memory is said again (it is known once they had some). */
  public RunInfo finish() {
    return new RunInfo(command, models, epochs, seed, batchSize, validationSplit, shuffle, shuffleSeed, data,
        tensorflow, device, recurrentLayers, NativeAllocator.status(), machine, java, started, Instant.now().toString());
  }

  /**
   * This run with the batches fit fed: {@code validationSplit} of Keras's {@code fit}, and the
   * training samples of each epoch in the order {@code shuffle} describes, from {@code shuffleSeed}.
   */
  public RunInfo withBatches(double validationSplit, String shuffle, long shuffleSeed) {
    return new RunInfo(command, models, epochs, seed, batchSize, validationSplit, shuffle, shuffleSeed, data,
        tensorflow, device, recurrentLayers, tensorMemory, machine, java, started, finished);
  }

  public void write(Path file) throws IOException {
    AtomicWrite.bytes(file, JSON.writeValueAsBytes(this));
  }

  public static RunInfo read(Path file) throws IOException {
    return JSON.readValue(InputFiles.readString(file), RunInfo.class);
  }
}
