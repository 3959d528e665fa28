package rnnbook.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BookReferenceTest {
  @Test
  void readsTheResultsTableAndTheCurvesOfAFolder(@TempDir Path dir) throws IOException {
    BookReference book = BookReference.read(ResultsFixture.book(dir));
    assertTrue(book.notes().isEmpty(), book.notes().toString());
    assertEquals("Test GPU, 2001", book.timing());
    BookReference.Model rnn = book.model("simple_rnn").orElseThrow();
    assertEquals("SimpleRNN", rnn.name());
    assertEquals(2851L, rnn.params());
    assertEquals(0.0311, rnn.loss());
    assertEquals(0.0722, rnn.valLoss());
    assertEquals(0.0733, rnn.testLoss());
    assertEquals(11.11, rnn.correctness());
    assertEquals("12.34 % and 23.45 % (two runs)", rnn.otherCorrectness());
    assertEquals(1000.0, rnn.seconds());
    assertEquals(20.0, rnn.secondsPerEpoch(), "1000 s over the header's 50 epochs");
    assertEquals(7.1234e-4, book.model("LSTM").orElseThrow().loss());
    assertEquals(50, book.model("gru").orElseThrow().history().epochs());
    assertEquals(0.06 / 3, book.model("gru").orElseThrow().history().valLoss().get(2));
  }

  @Test
  void anAbsentFolderOrFileLeavesNumbersUnavailableWithANote(@TempDir Path dir) throws IOException {
    BookReference none = BookReference.read(dir.resolve("absent"));
    assertFalse(none.available());
    assertTrue(none.model("lstm").isEmpty());
    assertTrue(none.notes().get(0).contains("no folder"), none.notes().toString());

    Path book = ResultsFixture.book(dir.resolve("book"));
    Files.delete(book.resolve("README.md"));
    Files.writeString(book.resolve("lstm_history.csv"), "epoch,oops\n1,2\n");
    BookReference curvesOnly = BookReference.read(book);
    BookReference.Model gru = curvesOnly.model("gru").orElseThrow();
    assertNotNull(gru.history());
    assertNull(gru.loss());
    assertNull(gru.secondsPerEpoch());
    assertTrue(curvesOnly.model("lstm").isEmpty());
    assertEquals(2, curvesOnly.notes().size(), curvesOnly.notes().toString());
  }

  /**
   * The copy rnnbook carries: every number of the tables is found, and they are the notebook's
   * printed ones (its README's "Results" table and the last line of each training log).
   */
  @Test
  void readsTheBundledCopyOfTheBook() {
    BookReference book = BookReference.load(null);
    assertTrue(book.notes().isEmpty(), book.notes().toString());
    assertEquals(BookReference.BUNDLED, book.source());
    assertEquals("Colab GPU, 2019", book.timing());
    for (String m : List.of("simple_rnn", "lstm", "gru")) {
      BookReference.Model b = book.model(m).orElseThrow();
      for (Object v : new Object[] {b.params(), b.loss(), b.valLoss(), b.testLoss(), b.correctness(),
          b.seconds(), b.secondsPerEpoch(), b.history()}) {
        assertNotNull(v, m + ": " + b);
      }
      assertEquals(100, b.secondsEpochs(), m);
      assertEquals(b.secondsEpochs(), b.history().epochs(), m);
    }
    BookReference.Model lstm = book.model("lstm").orElseThrow();
    assertEquals(11311L, lstm.params());
    assertEquals(6.0522e-4, lstm.testLoss());
    assertEquals(94.77, lstm.correctness());
    assertEquals(204.0, lstm.seconds());
    assertEquals(8671L, book.model("gru").orElseThrow().params());
    assertEquals(98.86, book.model("gru").orElseThrow().correctness());
    assertEquals(9.32, book.model("simple_rnn").orElseThrow().correctness());
    // the curve's last epoch is the table's final loss, to the digits the log printed
    assertEquals(lstm.loss(), lstm.history().loss().get(99), 5e-9);
    assertEquals(lstm.valLoss(), lstm.history().valLoss().get(99), 5e-9);
  }

  /** A folder given instead of the bundled copy is read from disk, and named as the source. */
  @Test
  void aFolderReplacesTheBundledCopy(@TempDir Path dir) throws IOException {
    Path folder = ResultsFixture.book(dir);
    BookReference book = BookReference.load(folder);
    assertEquals(folder.toString(), book.source());
    assertEquals(11.11, book.model("simple_rnn").orElseThrow().correctness());
  }

  @Test
  void markdownTablesAreFoundWithTheirRows() {
    var tables = MarkdownTables.parse("""
        text
        | a | b \\| c |
        |:--|--:|
        | 1 | 2 |
        not a table
        | x |
        | y |
        """);
    assertEquals(1, tables.size());
    assertEquals(List.of("a", "b | c"), tables.get(0).header());
    assertEquals(List.of(List.of("1", "2")), tables.get(0).rows());
    assertEquals(2.851e3, BookReference.number("2,851"));
    assertEquals(6.5871e-4, BookReference.number("6.5871e-04"));
    assertEquals(9.32, BookReference.number("9.32 %"));
    assertNull(BookReference.number("n/a"));
  }
}
