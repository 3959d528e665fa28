package rnnbook.chapter7;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import rnnbook.io.OutputPaths;
import rnnbook.io.RunFolders;
import rnnbook.io.RunFolders.Folder;

/** The chapter's output folders: checked before any work, then locked for the run. */
final class ChapterFolders {
  private ChapterFolders() {}

  /**
   * Refuses folders that cannot take the run's files: a file where a folder goes (the results or
   * SavedModel folder, or a model's folder in them), an unwritable place, or folders that overlap
   * so that one model's SavedModel export would replace another's results.
   */
  static void check(ChapterConfig config) {
    Path results = OutputPaths.folder("--results", config.results());
    Path saved = OutputPaths.folder("--savedmodels", config.savedModels());
    for (BookModel m : config.models()) {
      OutputPaths.folder("--results", results.resolve(m.key()));
      OutputPaths.folder("--savedmodels", saved.resolve(m.key()));
    }
    Path r = results.toAbsolutePath().normalize();
    Path s = saved.toAbsolutePath().normalize();
    for (BookModel m : BookModel.values()) {
      Path export = s.resolve(m.key());
      if (r.equals(s) || r.startsWith(export) || export.startsWith(r.resolve(m.key()))) {
        throw new IllegalArgumentException("--results " + results + " and --savedmodels " + saved
            + " overlap: the export of " + m.key() + " would replace files of the results; choose separate folders");
      }
    }
  }

  /** Locks the results and SavedModel folders for the run. */
  static RunFolders lock(ChapterConfig config, Consumer<String> notes) throws IOException {
    return RunFolders.lock("chapter", notes, new Folder("--results", config.results()),
        new Folder("--savedmodels", config.savedModels()));
  }
}
