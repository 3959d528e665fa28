package rnnbook.report;

import java.util.List;

/**
 * What the report says, as plain text and file paths, so that the HTML page and the Markdown page
 * carry the same tables. Paths are relative to the results folder, '/'-separated.
 *
 * @param complete whether every model of the run finished and the run ended
 * @param status one or two sentences: finished or not, and which models are missing
 * @param configuration label and value of each setting of the run
 * @param results the results table: {@link #RESULTS_HEADER}, per model this run, Keras from the
 *     same start (when there is such a run) and the book
 * @param resultNotes sentences under the results table
 * @param sameStart this run beside Keras from the same start, or null when there is no such run
 * @param overview the charts of all models together, by rows shown side by side
 * @param models one section per finished model
 * @param missing one sentence per model that did not finish
 * @param problems files that are missing or unreadable, and why the book's numbers are unavailable
 * @param study the several-seed study, or null when results/study holds none
 * @param gates the gate recordings, or null when results/gates holds none
 */
record ReportContent(String title, boolean complete, String status, List<Row> configuration, List<ResultRow> results,
    List<String> resultNotes, SameStartSection sameStart, List<List<Figure>> overview, List<ModelSection> models, List<String> missing,
    List<String> problems, StudySection study, GatesSection gates) {
  static final List<String> RESULTS_HEADER = List.of("model", "run", "params", "final loss",
      "final val_loss", "test loss", "correctness", "training time", "s/epoch");
  static final List<String> SAMPLES_HEADER = List.of("index", "y", "prediction", "|prediction - y|", "correct");

  /**
   * A row of the results table.
   *
   * @param kind {@code ours}, {@code keras} or {@code book}
   * @param cells as {@link #RESULTS_HEADER}, the model first
   */
  record ResultRow(String kind, List<Cell> cells) {
    String model() {
      return cells.get(0).text();
    }
  }

  /**
   * This run beside Keras trained from its initial weights on its batches.
   *
   * @param intro what was compared
   * @param table per model, cells as {@link #SAME_START_HEADER}
   * @param notes how to read it
   */
  record SameStartSection(String intro, List<List<String>> table, List<String> notes) {}

  static final List<String> SAME_START_HEADER = List.of("model", "epochs compared",
      "loss and val_loss within 1e-5 relative up to epoch", "largest relative difference until then",
      "relative difference at the next epoch");

  /** A label and its value. */
  record Row(String label, String value) {}

  /**
   * A table cell.
   *
   * @param text as shown
   * @param value the number it shows, as written in the source file, or null
   */
  record Cell(String text, String value) {
    static Cell of(String text) {
      return new Cell(text, null);
    }
  }

  /** A chart: {@code path} is its PNG; {@code svg} its SVG, or null. */
  record Figure(String path, String svg, String caption) {}

  /**
   * A finished model.
   *
   * @param summary Keras's summary table, or null when summary.txt is missing
   * @param samples the first five test predictions, cells as {@link #SAMPLES_HEADER}
   * @param notes what is missing for this model
   */
  record ModelSection(String key, String summary, List<Figure> figures, List<List<String>> samples,
      List<String> notes) {}

  /**
   * The several-seed study (results/study).
   *
   * @param intro what was run
   * @param table per model, cells as {@link #STUDY_HEADER}
   * @param notes how to read the table
   */
  record StudySection(String intro, List<List<String>> table, List<String> notes, List<Figure> figures) {}

  static final List<String> STUDY_HEADER = List.of("model", "runs", "correctness mean \u00b1 sd", "min", "median",
      "max", "test loss mean \u00b1 sd", "test loss median", "left the plateau");

  /**
   * The gate recordings (results/gates): what the pictures show, then one sample per model.
   *
   * @param explanation two sentences on what the pictures show
   */
  record GatesSection(String explanation, List<GateSample> samples) {}

  /** One recorded sample of one model: a sentence naming it and its pictures. */
  record GateSample(String model, String caption, List<Figure> figures) {}
}
