package rnnbook.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnnbook.io.KerasArchiveWriter;
import rnnbook.io.KerasFiles;
import rnnbook.io.KerasImport;
import rnnbook.io.KerasModel;
import rnnbook.io.LegacyH5Writer;

/**
 * {@code convert --model IN --output OUT.keras|OUT.h5}: any model rnnbook reads, written as a
 * Keras 3 archive or a legacy HDF5 file for Python's {@code keras.models.load_model}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    header = "Write a model as a Keras 3 .keras or a legacy .h5 file.",
    description = "Write a model rnnbook reads (.keras, .h5, a Keras 2 SavedModel, or a SavedModel this "
        + "project exported) as a Keras 3 .keras archive or a legacy .h5 file, with its weights, for "
        + "keras.models.load_model in Python.")
final class ConvertCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE_OR_DIR",
      description = "The model to convert (its format is told from the content).")
  Path model;

  @Option(names = "--output", required = true, paramLabel = "OUT.keras|OUT.h5",
      description = "The file to write; its extension picks the format: .keras (Keras 3 archive) or .h5 "
          + "(legacy HDF5).")
  Path output;

  @Override
  public Integer call() throws Exception {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean archive = name.endsWith(".keras");
    if (!archive && !name.endsWith(".h5") && !name.endsWith(".hdf5")) {
      throw new IllegalArgumentException("--output " + output + ": expected a name ending in .keras or .h5, "
          + "which picks the format");
    }
    KerasModel km = KerasFiles.read(model);
    KerasImport.Imported imported = KerasImport.build(km, null);
    if (archive) {
      KerasArchiveWriter.write(imported.model(), imported.weights(), output);
    } else {
      LegacyH5Writer.write(imported.model(), imported.weights(), output);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("read " + model + " (" + km.format() + "): " + imported.model().layers().size() + " layers, "
        + imported.weights().size() + " weights, " + imported.model().countParams() + " parameters");
    out.println("wrote " + output + (archive ? " (Keras 3 .keras)" : " (legacy .h5)"));
    out.flush();
    return 0;
  }
}
