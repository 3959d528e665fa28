package rnnbook.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The Python-made SavedModels of ../shared/fixtures/keras-savedmodels (see its SOURCES.md),
 * found through the system property {@code rnnbook.shared} that surefire sets, else {@code
 * ../shared}. Tests that need them are skipped, with a message, when the folder is absent.
 */
public final class SharedFixtures {
  public static final String LSTM = "stacked_lstm_tf215";
  public static final String SIMPLE_RNN = "stacked_simplernn_tf215";
  public static final String GRU_DENSE = "gru_dense_tf26";
  public static final String TF_MODULE = "tf_module_tf24";

  private SharedFixtures() {}

  /** The fixture folder {@code name}; skips the calling test when the fixtures are absent. */
  public static Path savedModel(String name) {
    Path root = Path.of(System.getProperty("rnnbook.shared", "../shared"))
        .resolve("fixtures").resolve("keras-savedmodels");
    Assumptions.assumeTrue(Files.isDirectory(root.resolve(name)),
        "skipped: the Python-made SavedModel " + name + " is not at " + root.toAbsolutePath().normalize()
            + " (set -Drnnbook.shared to the folder that holds fixtures/keras-savedmodels)");
    return root.resolve(name);
  }
}
