package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command list, {@code help CMD}, and a mistyped subcommand (JarIT runs them from the jar). */
class HelpTest {
  private static final List<String> COMMANDS = List.of("data", "report", "study", "gates", "bench",
      "crosscheck", "convert", "predict", "export-weights", "help");

  @Test
  void helpListsEverySubcommandOnOneLine() {
    CliRun r = CliRun.of("--help");
    assertEquals(0, r.exit(), r.err());
    List<String> listed = r.out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1).toList();
    assertEquals(COMMANDS, listed.stream().map(l -> l.strip().split(" +")[0]).toList(), r.out());
    assertTrue(listed.stream().allMatch(l -> l.matches("  \\S+ +\\S.*") && l.length() <= 80), r.out());
    assertTrue(r.out().contains("--epochs"), "the chapter's options, the default command's");
  }

  @Test
  void helpCommandShowsTheSubcommandsOptions() {
    CliRun r = CliRun.of("help", "data");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("Usage: rnnbook data") && r.out().contains("--out=DIR"), r.out());
  }

  @ParameterizedTest
  @CsvSource({"reprot, report", "crosschek, crosscheck", "dta, data", "export, export-weights",
      "stdy, study", "predit, predict"})
  void mistypedSubcommandSuggestsTheClosest(String typed, String meant) {
    CliRun r = CliRun.of(typed, "--results", "r");
    assertEquals(2, r.exit(), r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals("rnnbook: unknown command '" + typed + "'; did you mean '" + meant + "'?", lines.get(0));
    assertEquals("Commands:", lines.get(1));
    for (String cmd : COMMANDS) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("  " + cmd + " ")), cmd + " in:\n" + r.err());
    }
    assertEquals("", r.out());
  }

  @Test
  void wordLikeNoSubcommandGetsTheListWithoutSuggestion() {
    CliRun r = CliRun.of("xyz");
    assertEquals(2, r.exit());
    assertEquals("rnnbook: unknown command 'xyz'", r.err().lines().findFirst().orElseThrow());
    assertTrue(r.err().contains("  report "), r.err());
  }

  @Test
  void subcommandsPrintTheVersionToo() throws Exception {
    CliRun r = CliRun.of("data", "--version");
    assertEquals(0, r.exit(), r.err());
    assertEquals("rnnbook " + VersionProvider.rnnbookVersion(), r.out().lines().findFirst().orElseThrow());
    assertTrue(r.out().contains("TensorFlow 2."), r.out());
  }
}
