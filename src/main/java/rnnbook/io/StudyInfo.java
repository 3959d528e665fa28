package rnnbook.io;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
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
import rnnbook.keras.layers.NativeAllocator;

/**
 * {@code results/study/study.json}: what every run of a study shares (epochs, batch size, data size,
 * the recurrent backend), which models and seeds were asked for last, and where and when it ran. Runs
 * made with other settings cannot join the same runs.csv; {@link #settings()} names them.
 */
@JsonIgnoreProperties(ignoreUnknown = true) // "unrolled": true/false, before --backend
public record StudyInfo(
    @JsonProperty("epochs") int epochs,
    @JsonProperty("batch_size") int batchSize,
    @JsonProperty("samples") int samples,
    @JsonProperty("timesteps") int timesteps,
    @JsonProperty("backend") String backend,
    @JsonProperty("models") List<String> models,
    @JsonProperty("seeds") List<Long> seeds,
    @JsonProperty("plateau_exit") double plateauExit,
    @JsonProperty("tensorflow") String tensorflow,
    @JsonProperty("machine") String machine,
    @JsonProperty("tensor_memory") String tensorMemory,
    @JsonProperty("jobs") int jobs,
    @JsonProperty("started") String started,
    @JsonProperty("finished") String finished) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public StudyInfo {
    backend = backend == null ? "auto" : backend;
  }

  /** A study starting now on this machine. */
  public static StudyInfo start(int epochs, int batchSize, int samples, int timesteps, String backend,
      List<String> models, List<Long> seeds, int jobs) {
    return new StudyInfo(epochs, batchSize, samples, timesteps, backend, models, seeds,
        StudyFiles.PLATEAU_EXIT, TensorFlow.version(), RunInfo.describeMachine(), NativeAllocator.status(), jobs,
        Instant.now().toString(), null);
  }

  /** The settings every run of one runs.csv shares, as options: {@code --epochs 100 --batch-size 32 ...}. */
  @JsonIgnore
  public String settings() {
    return settings(epochs, batchSize, samples, timesteps, backend);
  }

  /** The settings of a study with these options, as {@link #settings()} writes them. */
  public static String settings(int epochs, int batchSize, int samples, int timesteps, String backend) {
    return "--epochs " + epochs + " --batch-size " + batchSize + " --samples " + samples + " --timesteps "
        + timesteps + (backend.equals("auto") ? "" : " --backend " + backend);
  }

  public StudyInfo finish() {
    return new StudyInfo(epochs, batchSize, samples, timesteps, backend, models, seeds, plateauExit, tensorflow,
        machine, NativeAllocator.status(), jobs, started, Instant.now().toString());
  }

  public void write(Path file) throws IOException {
    AtomicWrite.bytes(file, JSON.writeValueAsBytes(this));
  }

  public static StudyInfo read(Path file) throws IOException {
    return JSON.readValue(InputFiles.readString(file), StudyInfo.class);
  }
}
