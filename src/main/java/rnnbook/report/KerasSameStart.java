package rnnbook.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.io.ResultFiles.SummaryRow;
import rnnbook.io.RunInfo;
import rnnbook.keras.History;

/**
 * Python Keras trained from the same start as a run: the folder that {@code chapter7_keras.py
 * --same-start RESULTS --out OUT} writes as {@code OUT/results} ({@code same_start.json}, {@code
 * summary.csv}, {@code <model>/history.csv}), kept for the models whose start is this run's: the
 * same initial weights (compared by fingerprint with {@code <model>/initial_weights.npz}), data,
 * batch size, validation split and shuffle. rnnbook carries one such folder, made against the
 * default chapter run, as the resource {@link #RESOURCE}: the default.
 *
 * @param source the folder, or the bundled copy, as the report names it
 * @param info what was run, or null when it could not be read
 * @param models per model key, what Keras gave, for the models that started where the run did
 * @param notes why Keras's numbers are unavailable for some or all models
 */
public record KerasSameStart(String source, Info info, Map<String, Model> models, List<String> notes) {
  /** The classpath folder of the Keras run made against the default chapter run. */
  public static final String RESOURCE = "rnnbook/keras_same_start";
  public static final String BUNDLED = "the Keras run bundled with rnnbook (resource " + RESOURCE + ")";
  public static final String INFO_JSON = "same_start.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public KerasSameStart {
    models = Map.copyOf(models);
    notes = List.copyOf(notes);
  }

  /** What same_start.json says; only what the report uses. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Info(@JsonProperty("epochs") int epochs,
      @JsonProperty("versions") Map<String, String> versions,
      @JsonProperty("source_run") Map<String, Object> sourceRun,
      @JsonProperty("initial_weights_sha256") Map<String, String> initialWeights) {
    /** "TensorFlow 2.21.0, Keras 3.15.1". */
    public String describe() {
      return "TensorFlow " + versions.get("tensorflow") + ", Keras " + versions.get("keras");
    }
  }

  /** One model: summary.csv's row and history.csv's curves. */
  public record Model(SummaryRow row, History history) {}

  public Optional<Model> model(String key) {
    return Optional.ofNullable(models.get(key));
  }

  /** {@code dir}'s Keras run, or the bundled one when {@code dir} is null, kept where it matches {@code run}. */
  public static KerasSameStart load(Path dir, RunResults run) {
    if (dir != null) {
      return read(dir, dir.toString(), run);
    }
    return ResourceFolder.of(RESOURCE, INFO_JSON).map(d -> read(d, BUNDLED, run))
        .orElseGet(() -> new KerasSameStart(BUNDLED, null, Map.of(), List.of("no resource " + RESOURCE)));
  }

  static KerasSameStart read(Path dir, String source, RunResults run) {
    List<String> notes = new ArrayList<>();
    Info info;
    List<SummaryRow> rows;
    try {
      info = JSON.readValue(Files.readAllBytes(dir.resolve(INFO_JSON)), Info.class);
      rows = RunResults.readSummary(dir.resolve(RunResults.SUMMARY_CSV), notes);
    } catch (IOException | RuntimeException e) {
      notes.add("Keras from the same start is unavailable: cannot read " + dir + " (" + e.getMessage() + ")");
      return new KerasSameStart(source, null, Map.of(), notes);
    }
    String batches = sameBatches(info.sourceRun(), run.info());
    Map<String, Model> models = new LinkedHashMap<>();
    for (SummaryRow row : rows) {
      String key = row.model();
      if (!run.models().contains(key)) {
        continue;
      }
      String start = batches != null ? batches : sameWeights(info, key, run.dir().resolve(key));
      if (start != null) {
        notes.add("Keras from the same start is unavailable for " + key + ": " + source + " " + start + ".");
        continue;
      }
      try {
        models.put(key, new Model(row, RunResults.readHistory(dir.resolve(key).resolve(RunResults.HISTORY_CSV))));
      } catch (IOException | RuntimeException e) {
        notes.add("Keras's curve for " + key + " is unavailable: " + e.getMessage());
      }
    }
    return new KerasSameStart(source, info, models, notes);
  }

  /** Null when the Keras run fed the batches the run fed; else how they differ. */
  private static String sameBatches(Map<String, Object> theirs, RunInfo ours) {
    if (ours == null || ours.shuffle() == null) {
      return "cannot be matched with this run (its run.json does not say how it shuffled)";
    }
    Map<String, Object> mine = new LinkedHashMap<>();
    mine.put("data", ours.data());
    mine.put("batch_size", ours.batchSize());
    mine.put("validation_split", ours.validationSplit());
    mine.put("shuffle", ours.shuffle());
    mine.put("shuffle_seed", ours.shuffleSeed());
    for (var e : mine.entrySet()) {
      Object t = theirs == null ? null : theirs.get(e.getKey());
      boolean same = t instanceof Number n && e.getValue() instanceof Number m
          ? n.doubleValue() == m.doubleValue() : Objects.equals(String.valueOf(t), String.valueOf(e.getValue()));
      if (!same) {
        return "trained on other batches (" + e.getKey() + " " + t + ", this run's " + e.getValue() + ")";
      }
    }
    return null;
  }

  private static String sameWeights(Info info, String key, Path modelDir) {
    String theirs = info.initialWeights() == null ? null : info.initialWeights().get(key);
    try {
      String mine = fingerprint(modelDir.resolve("initial_weights.npz"));
      return mine.equals(theirs) ? null : "started from other initial weights than this run";
    } catch (IOException | RuntimeException e) {
      return "cannot be matched with this run (" + key + "/initial_weights.npz: " + e.getMessage() + ")";
    }
  }

  /** sha256 of the arrays in archive order as float32 little-endian: same_start.py's fingerprint. */
  public static String fingerprint(Path npz) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Npy.Array a : Npz.read(npz).values()) {
        float[] v = a.floats();
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        sha.update(b);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How far two curves from the same start agree.
   *
   * @param compared epochs both have
   * @param upTo the last epoch up to which every loss and val_loss agree within the tolerance
   *     (relative to Keras's); 0 when the first already differs
   * @param largest the largest relative difference up to {@code upTo}
   * @param apart the relative difference at epoch {@code upTo + 1}, or NaN when all agree
   */
  public record Agreement(int compared, int upTo, double largest, double apart) {}

  /** Where {@code ours} and {@code keras} part by more than {@code tolerance} relative. */
  public static Agreement agreement(History ours, History keras, double tolerance) {
    int n = Math.min(ours.epochs(), keras.epochs());
    double largest = 0;
    for (int e = 0; e < n; e++) {
      double d = Math.max(relative(ours.loss().get(e), keras.loss().get(e)),
          relative(ours.valLoss().get(e), keras.valLoss().get(e)));
      if (!(d <= tolerance)) {
        return new Agreement(n, e, largest, d);
      }
      largest = Math.max(largest, d);
    }
    return new Agreement(n, n, largest, Double.NaN);
  }

  /** |a - b| / |b|; 0 when both are NaN (no validation) or equal. */
  static double relative(double a, double b) {
    if (Double.isNaN(a) && Double.isNaN(b) || a == b) {
      return 0;
    }
    return Math.abs(a - b) / Math.abs(b);
  }
}
