package rnnbook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of the command line: its exit status and what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun of(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  /** Asserts the run failed on bad input: exit 2 and one line "rnnbook: ..." naming the problem. */
  static void assertOneLineError(CliRun r, String fragment) {
    assertEquals(2, r.exit(), r.err() + r.out());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, "one line: " + r.err());
    assertTrue(lines[0].startsWith("rnnbook: ") && lines[0].contains(fragment), r.err());
  }

  /** {@code args} followed by {@code more}. */
  static String[] append(String[] args, String... more) {
    String[] out = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, out, args.length, more.length);
    return out;
  }
}
