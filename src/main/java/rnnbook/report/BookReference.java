package rnnbook.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;
import rnnbook.data.InputFiles;
import rnnbook.keras.History;

/**
 * The Python notebook's own numbers, read from a folder: the curves from {@code
 * <model>_history.csv} (epoch, loss, val_loss, epoch_seconds) and the results from the pipe tables
 * of its {@code README.md} (the table with a "total params" column and the one with "final loss",
 * "final val_loss", "test loss", "correctness" and "seconds for N epochs" columns). rnnbook
 * carries the book's folder as the resource {@code rnnbook/book} ({@link #bundled()}), the default
 * everywhere; a folder given instead may lack files: the numbers it lacks are unavailable and
 * {@link #notes()} says why.
 *
 * @param dir the folder read
 * @param source how the report names it: the folder, or the bundled copy
 * @param models per model (keyed by {@link #normalize}), what the folder has
 * @param timing what the book's times were measured on, such as "Colab GPU, 2019", or null
 * @param notes why some or all of the book's numbers are unavailable
 */
public record BookReference(Path dir, String source, Map<String, Model> models, String timing,
    List<String> notes) {
  /** The classpath folder of the bundled copy. */
  public static final String RESOURCE = "rnnbook/book";
  /** How options and the report name the bundled copy. */
  public static final String BUNDLED = "the copy bundled with rnnbook (resource " + RESOURCE + ")";

  private static final Pattern NUMBER = Pattern.compile("[-+]?\\d[\\d,]*(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
  private static final Pattern EPOCHS = Pattern.compile("(\\d+)\\s+epochs");
  private static final Pattern PARENTHESIS = Pattern.compile("\\(([^()]*)\\)\\s*$");

  public BookReference {
    models = Map.copyOf(models);
    notes = List.copyOf(notes);
  }

  /**
   * One model of the notebook; a number is null when the README does not give it.
   *
   * @param name as the README writes it (SimpleRNN, LSTM, GRU)
   * @param correctness percent, from the notebook itself
   * @param otherCorrectness the other runs' correctness as written, or null
   * @param seconds training time of {@code secondsEpochs} epochs
   * @param history the notebook's curves, or null when its CSV is absent
   */
  public record Model(String name, Long params, Double loss, Double valLoss, Double testLoss,
      Double correctness, String otherCorrectness, Double seconds, Integer secondsEpochs,
      History history) {
    /** Seconds per epoch, from the README's time and its epoch count, else the CSV's length. */
    public Double secondsPerEpoch() {
      if (seconds == null) {
        return null;
      }
      Integer n = secondsEpochs != null ? secondsEpochs : history != null ? history.epochs() : null;
      return n == null || n == 0 ? null : seconds / n;
    }
  }

  /** The book's numbers for one of our model keys ({@code simple_rnn} finds SimpleRNN). */
  public Optional<Model> model(String key) {
    return Optional.ofNullable(models.get(normalize(key)));
  }

  public boolean available() {
    return !models.isEmpty();
  }

  /** {@code simple_rnn}, {@code SimpleRNN} and {@code Simple RNN} are the same model. */
  public static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /** {@code dir}'s numbers, or the bundled copy's when {@code dir} is null. */
  public static BookReference load(Path dir) {
    return dir == null ? bundled() : read(dir);
  }

  /** The book's numbers that rnnbook carries, from the classpath (a folder, or a jar). */
  public static BookReference bundled() {
    return ResourceFolder.of(RESOURCE, "README.md").map(dir -> read(dir, BUNDLED))
        .orElseGet(() -> new BookReference(Path.of(RESOURCE), BUNDLED, Map.of(), null,
            List.of("the Python notebook's numbers are unavailable: no resource " + RESOURCE + " on the classpath")));
  }

  /** Reads what {@code dir} has; never fails, an absent or unreadable file becomes a note. */
  public static BookReference read(Path dir) {
    return read(dir, dir.toString());
  }

  private static BookReference read(Path dir, String source) {
    List<String> notes = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      notes.add("the Python notebook's numbers are unavailable: no folder " + dir);
      return new BookReference(dir, source, Map.of(), null, notes);
    }
    Map<String, History> histories = histories(dir, notes);
    Map<String, Model> models = new LinkedHashMap<>();
    String timing = null;
    Path readme = dir.resolve("README.md");
    List<MarkdownTables.Table> tables = List.of();
    try {
      tables = MarkdownTables.parse(InputFiles.readString(readme));
    } catch (IOException | IllegalArgumentException e) {
      notes.add("the Python notebook's results table is unavailable: cannot read " + readme);
    }
    Map<String, Long> params = new LinkedHashMap<>();
    for (MarkdownTables.Table t : tables) {
      Optional<Integer> total = t.column("total params");
      if (total.isPresent()) {
        for (List<String> row : t.rows()) {
          Double p = number(cell(row, total));
          if (p != null) {
            params.put(normalize(row.get(0)), p.longValue());
          }
        }
      }
    }
    for (MarkdownTables.Table t : tables) {
      if (!t.has("final loss")) {
        continue;
      }
      Optional<Integer> secondsColumn = t.column("seconds");
      Integer secondsEpochs = null;
      if (secondsColumn.isPresent()) {
        String header = t.header().get(secondsColumn.get());
        Matcher m = EPOCHS.matcher(header);
        secondsEpochs = m.find() ? Integer.valueOf(m.group(1)) : null;
        Matcher p = PARENTHESIS.matcher(header);
        timing = p.find() ? p.group(1) : null;
      }
      for (List<String> row : t.rows()) {
        String key = normalize(row.get(0));
        String other = cell(row, t.column("correctness (second"));
        models.put(key, new Model(row.get(0), params.get(key), number(cell(row, t.column("final loss"))),
            number(cell(row, t.column("final val_loss"))), number(cell(row, t.column("test loss"))),
            number(cell(row, t.column("correctness (book"))), other, number(cell(row, secondsColumn)),
            secondsEpochs, histories.remove(key)));
      }
    }
    if (models.isEmpty() && !tables.isEmpty()) {
      notes.add("the Python notebook's results table is unavailable: " + readme
          + " has no table with a \"final loss\" column");
    }
    // curves without a row in the table still count
    histories.forEach((key, h) -> models.put(key,
        new Model(key, params.get(key), null, null, null, null, null, null, null, h)));
    return new BookReference(dir, source, models, timing, notes);
  }

  private static Map<String, History> histories(Path dir, List<String> notes) {
    Map<String, History> out = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith("_history.csv")).sorted().toList();
    } catch (IOException e) {
      notes.add("cannot list " + dir + ": " + e.getMessage());
      return out;
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      try {
        List<Double> loss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (CSVRecord r : RunResults.records(f, "epoch", "loss", "val_loss", "epoch_seconds")) {
          loss.add(Double.parseDouble(r.get("loss")));
          valLoss.add(Double.parseDouble(r.get("val_loss")));
          seconds.add(Double.parseDouble(r.get("epoch_seconds")));
        }
        out.put(normalize(name.substring(0, name.length() - "_history.csv".length())),
            new History(loss, valLoss, seconds));
      } catch (IOException | RuntimeException e) {
        notes.add("the Python notebook's curve in " + f + " is unavailable: " + e.getMessage());
      }
    }
    return out;
  }

  private static String cell(List<String> row, Optional<Integer> column) {
    return column.filter(c -> c < row.size()).map(row::get).orElse(null);
  }

  /** The first number written in {@code cell} ("9.32 %" is 9.32, "2,851" is 2851), or null. */
  static Double number(String cell) {
    if (cell == null) {
      return null;
    }
    Matcher m = NUMBER.matcher(cell);
    return m.find() ? Double.valueOf(m.group().replace(",", "")) : null;
  }
}
