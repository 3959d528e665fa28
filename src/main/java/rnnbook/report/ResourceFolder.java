package rnnbook.report;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A folder of rnnbook's resources as a {@link Path}, whether the classes are in a folder or a jar. */
final class ResourceFolder {
  private ResourceFolder() {}

  /** The folder {@code name} (such as {@code rnnbook/book}) that holds {@code file}, if it is there. */
  static Optional<Path> of(String name, String file) {
    URL url = ResourceFolder.class.getResource("/" + name + "/" + file);
    if (url == null) {
      return Optional.empty();
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        try {
          FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException e) {
          try {
            FileSystems.newFileSystem(uri, Map.of());
          } catch (FileSystemAlreadyExistsException raced) {
            // another thread opened it first
          }
        }
      }
      return Optional.of(Path.of(uri).getParent());
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("cannot open the bundled resource " + url + ": " + e, e);
    }
  }
}
