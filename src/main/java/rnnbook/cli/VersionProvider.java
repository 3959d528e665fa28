package rnnbook.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: rnnbook's version (the pom's, filtered into a resource), TensorFlow's, Java's. */
final class VersionProvider implements IVersionProvider {
  static final String RESOURCE = "/rnnbook/version.properties";

  @Override
  public String[] getVersion() throws IOException {
    return new String[] {
      "rnnbook " + rnnbookVersion(),
      "TensorFlow " + TensorFlow.version(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }

  static String rnnbookVersion() throws IOException {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath (build with Maven)");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }
}
