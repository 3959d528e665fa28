package rnnbook.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Any Keras model file rnnbook reads, its format told from its content rather than its name: a
 * zip ({@code .keras}), an HDF5 file (legacy {@code .h5}) or a folder with {@code saved_model.pb}
 * (a Keras 2 SavedModel).
 */
public final class KerasFiles {
  /** The formats, as detected. */
  public enum Format {
    KERAS_ARCHIVE("a Keras .keras archive (zip)"),
    LEGACY_H5("a legacy Keras .h5 file (HDF5)"),
    SAVED_MODEL("a SavedModel folder");

    private final String description;

    Format(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private static final byte[] ZIP = {'P', 'K', 3, 4};

  private KerasFiles() {}

  /** The format of {@code path}; anything else is refused in one line. */
  public static Format detect(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("no model at " + path + ": it does not exist");
    }
    if (Files.isDirectory(path)) {
      if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
        return Format.SAVED_MODEL;
      }
      throw new IllegalArgumentException(path + " is a folder without saved_model.pb, so not a SavedModel");
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(8);
    }
    if (head.length >= 4 && head[0] == ZIP[0] && head[1] == ZIP[1] && head[2] == ZIP[2] && head[3] == ZIP[3]) {
      return Format.KERAS_ARCHIVE;
    }
    if (Hdf5.isHdf5(head)) {
      return Format.LEGACY_H5;
    }
    throw new IllegalArgumentException(path + " is none of the formats rnnbook reads (" + Format.KERAS_ARCHIVE.description()
        + ", " + Format.LEGACY_H5.description() + ", " + Format.SAVED_MODEL.description() + "): it starts with "
        + (head.length == 0 ? "nothing (an empty file)" : "bytes " + HexFormat.ofDelimiter(" ").formatHex(head)));
  }

  /** Reads the model in {@code path}, whichever format it is. */
  public static KerasModel read(Path path) throws IOException {
    return switch (detect(path)) {
      case KERAS_ARCHIVE -> KerasArchiveReader.read(path);
      case LEGACY_H5 -> LegacyH5Reader.read(path);
      case SAVED_MODEL -> {
        try (KerasSavedModel saved = KerasSavedModel.load(path)) {
          yield SavedModelReader.read(saved);
        }
      }
    };
  }
}
