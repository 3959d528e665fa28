package rnnbook.io;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import rnnbook.data.InputFiles;

/**
 * Reads what a CSV file holds that is complete: every row that parses is kept, and each that does
 * not (cut off by a kill, edited by hand) is named, so that one bad row does not lose a file.
 */
public final class CsvRows {
  private CsvRows() {}

  /** Makes a value of one row; throws (any runtime exception) when the row does not parse. */
  @FunctionalInterface
  public interface RowParser<T> {
    T parse(CSVRecord row);
  }

  /**
   * The rows of {@code file} that parse, in order; every other row adds a sentence to {@code
   * problems} naming the file, the line and why.
   *
   * @param header the columns the file must have (others may follow)
   * @throws IOException when the file cannot be read or lacks one of the columns
   */
  public static <T> List<T> read(Path file, String[] header, RowParser<T> parser, List<String> problems)
      throws IOException {
    InputFiles.requireRegular(file, InputFiles.MAX_TEXT_BYTES);
    try (Reader r = Files.newBufferedReader(file);
        CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
      List<String> found = csv.getHeaderNames();
      if (!found.containsAll(List.of(header))) {
        throw new IOException(file + ": expected columns " + String.join(",", header) + ", found "
            + String.join(",", found));
      }
      List<T> out = new ArrayList<>();
      Iterator<CSVRecord> rows = csv.iterator();
      while (true) {
        CSVRecord row;
        try {
          if (!rows.hasNext()) {
            break;
          }
          row = rows.next();
        } catch (UncheckedIOException | IllegalStateException e) {
          problems.add(file.getFileName() + ": the rest of the file after line " + csv.getCurrentLineNumber()
              + " could not be read (" + e.getMessage() + "); it is left out");
          break;
        }
        try {
          if (!row.isConsistent()) {
            throw new IllegalArgumentException("it has " + row.size() + " of " + found.size() + " columns");
          }
          out.add(parser.parse(row));
        } catch (RuntimeException e) {
          problems.add(file.getFileName() + " line " + (row.getRecordNumber() + 1) + " could not be read ("
              + e.getMessage() + "); it is left out");
        }
      }
      return out;
    }
  }

  /** A number as Java ({@code NaN}, {@code Infinity}) or Python ({@code nan}, {@code inf}) writes it. */
  public static double number(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "nan", "-nan", "+nan" -> Double.NaN;
      case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text.strip());
    };
  }
}
