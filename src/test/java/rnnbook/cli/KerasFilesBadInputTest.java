package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad Keras files, through crosscheck and convert: each is refused in one line naming the file,
 * the layer and what was expected, with exit status 2 and nothing written.
 */
class KerasFilesBadInputTest {
  private static final Path KERAS = KerasFilesCommandsTest.KERAS;
  private static final Path ARCHIVE = KERAS.resolve("lstm_dropout/model.keras");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Runs crosscheck and convert on {@code model}, expecting the same refusal from both and no output. */
  private void refused(Path model, String fragment) {
    Path json = dir.resolve("never.json");
    Path out = dir.resolve("never.keras");
    Path folder = KERAS.resolve("lstm_dropout");
    CliRun.assertOneLineError(CliRun.of("crosscheck", "--model", model.toString(), "--input",
        folder.resolve("x.npy").toString(), "--expected", folder.resolve("y.npy").toString(), "--json", json.toString()),
        fragment);
    CliRun.assertOneLineError(CliRun.of("convert", "--model", model.toString(), "--output", out.toString()), fragment);
    assertFalse(Files.exists(json), "nothing written after bad input");
    assertFalse(Files.exists(out), "nothing written after bad input");
  }

  /** A copy of the lstm_dropout archive whose config.json's layer {@code index} is changed by {@code edit}. */
  private Path withLayer(int index, Consumer<ObjectNode> edit) throws IOException {
    Path copy = dir.resolve("edited.keras");
    try (ZipFile zip = new ZipFile(ARCHIVE.toFile()); OutputStream os = Files.newOutputStream(copy);
        ZipOutputStream out = new ZipOutputStream(os)) {
      for (ZipEntry e : zip.stream().toList()) {
        byte[] bytes = zip.getInputStream(e).readAllBytes();
        if (e.getName().equals("config.json")) {
          ObjectNode config = (ObjectNode) JSON.readTree(bytes);
          edit.accept((ObjectNode) config.path("config").path("layers").get(index));
          bytes = JSON.writeValueAsBytes(config);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
    return copy;
  }

  @Test
  void anUnknownLayer() throws IOException {
    Path model = withLayer(2, l -> l.put("class_name", "Conv1D"));
    refused(model, model + ": layer 'dropout' (Conv1D) cannot be rebuilt by rnnbook; supported layers are "
        + "[InputLayer, SimpleRNN, LSTM, GRU, Dense, Dropout]");
  }

  @Test
  void anUnknownOption() throws IOException {
    Path model = withLayer(1, l -> ((ObjectNode) l.path("config")).put("zoneout", 0.1));
    refused(model, model + ": layer 'lstm' (LSTM): option 'zoneout' is unknown to rnnbook, which cannot tell "
        + "whether it changes the output");
  }

  @Test
  void anOptionRnnbookDoesNotBuild() throws IOException {
    Path model = withLayer(3, l -> ((ObjectNode) l.path("config")).put("go_backwards", true));
    refused(model, model + ": layer 'lstm_1' (LSTM): go_backwards=True is not supported by rnnbook");
  }

  @Test
  void aWrongWeightCount() throws IOException {
    Path model = withLayer(4, l -> ((ObjectNode) l.path("config")).put("use_bias", false));
    refused(model, model + ": layer 'dense_1' (Dense) holds 2 weights, expected 1 [kernel] for "
        + "Dense(1, activation=sigmoid, use_bias=False)");
  }

  @Test
  void aWrongWeightShape() throws IOException {
    Path model = withLayer(3, l -> ((ObjectNode) l.path("config")).put("units", 5));
    refused(model, model + ": layer 'lstm_1' (LSTM): weight kernel (layers/lstm_1/cell/vars/0) has shape (4, 12), "
        + "expected (4, 20) for LSTM(5");
  }

  @Test
  void aFileOfNoFormat() throws IOException {
    Path text = Files.writeString(dir.resolve("model.keras"), "not a model", StandardCharsets.UTF_8);
    refused(text, text + " is none of the formats rnnbook reads (a Keras .keras archive (zip), a legacy Keras .h5 "
        + "file (HDF5), a SavedModel folder): it starts with bytes 6e 6f 74");
    Path empty = Files.write(dir.resolve("empty.h5"), new byte[0]);
    refused(empty, "it starts with nothing (an empty file)");
  }

  @Test
  void truncatedFiles() throws IOException {
    Path zip = truncated(ARCHIVE, "cut.keras");
    refused(zip, zip + " is not a readable zip archive (truncated or corrupt?)");
    Path h5 = truncated(KERAS.resolve("lstm_dropout/model.h5"), "cut.h5");
    refused(h5, h5 + " is not a readable HDF5 file (truncated or corrupt?)");
  }

  @Test
  void weightsWithoutArchitecture() {
    for (String file : new String[] {"keras3.weights.h5", "tf2.weights.h5"}) {
      Path weights = KERAS.resolve("weights_only").resolve(file);
      refused(weights, weights + " holds weights only (model.save_weights), no architecture: expected a "
          + "model_config attribute");
    }
  }

  private Path truncated(Path source, String name) throws IOException {
    Path copy = Files.copy(source, dir.resolve(name));
    try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      c.truncate(c.size() / 2);
    }
    return copy;
  }
}
