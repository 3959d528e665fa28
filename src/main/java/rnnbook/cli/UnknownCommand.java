package rnnbook.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A word where a subcommand was expected ({@code rnnbook reprot}). The chapter takes no
 * positional arguments, so any such word at the top level is a mistyped subcommand.
 */
final class UnknownCommand {
  private UnknownCommand() {}

  /** The lines to print, or null when {@code ex} is not about a subcommand. */
  static String message(UnmatchedArgumentException ex) {
    CommandLine cli = ex.getCommandLine();
    List<String> unmatched = ex.getUnmatched();
    if (cli.getParent() != null || unmatched.isEmpty() || unmatched.get(0).startsWith("-")) {
      return null;
    }
    String word = unmatched.get(0);
    // picocli ranks the subcommands by the cosine similarity of their letter pairs to the word
    String closest = ex.getSuggestions().stream()
        .filter(cli.getSubcommands()::containsKey).findFirst().orElse(null);
    return "rnnbook: unknown command '" + word + "'"
        + (closest == null ? "" : "; did you mean '" + closest + "'?") + System.lineSeparator()
        + cli.getHelp().commandListHeading() + cli.getHelp().commandList()
        + "Without a command, rnnbook runs the chapter (rnnbook --help lists its options)."
        + System.lineSeparator();
  }
}
