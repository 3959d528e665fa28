package rnnbook.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import rnnbook.io.StudyFiles;
import rnnbook.io.StudyFiles.ModelSummary;
import rnnbook.io.StudyFiles.Run;
import rnnbook.io.StudyInfo;
import rnnbook.keras.History;

/**
 * A study as its folder ({@code results/study}) holds it: its settings, its runs, its summary and
 * each run's history. A history or study.json that is missing is noted in {@link #problems()}.
 *
 * @param info the settings, or null when study.json is missing or unreadable
 * @param histories per model, in the summary's order, each run's history by seed
 */
public record StudyResults(Path dir, StudyInfo info, List<Run> runs, List<ModelSummary> summary,
    Map<String, Map<Long, History>> histories, List<String> problems) {
  /** Whether {@code results} holds a study with a summary. */
  public static boolean exists(Path results) {
    return Files.isRegularFile(results.resolve(StudyFiles.DIR).resolve(StudyFiles.SUMMARY_CSV));
  }

  /** Reads a study folder; runs.csv and summary.csv must be there. */
  public static StudyResults read(Path dir) throws IOException {
    List<String> problems = new ArrayList<>();
    StudyInfo info = null;
    try {
      info = StudyInfo.read(dir.resolve(StudyFiles.STUDY_JSON));
    } catch (IOException | RuntimeException e) {
      problems.add("study/" + StudyFiles.STUDY_JSON + " is missing or unreadable: the study's settings are unknown");
    }
    List<Run> runs = StudyFiles.readRuns(dir.resolve(StudyFiles.RUNS_CSV));
    Path summaryCsv = dir.resolve(StudyFiles.SUMMARY_CSV);
    List<ModelSummary> summary = Files.exists(summaryCsv) ? StudyFiles.readSummary(summaryCsv) : List.of();
    Map<String, Map<Long, History>> histories = new LinkedHashMap<>();
    for (Run r : runs) {
      Path file = StudyFiles.history(dir, r.model(), r.seed());
      try {
        histories.computeIfAbsent(r.model(), k -> new LinkedHashMap<>()).put(r.seed(), RunResults.readHistory(file));
      } catch (IOException | RuntimeException e) {
        problems.add("study/" + dir.relativize(file) + " is missing or unreadable: no val_loss curve for "
            + r.model() + " seed " + r.seed());
      }
    }
    return new StudyResults(dir, info, runs, summary, histories, problems);
  }

  /** The seeds of the runs, in order, without repeats. */
  public List<Long> seeds() {
    return runs.stream().map(Run::seed).distinct().sorted().toList();
  }
}
