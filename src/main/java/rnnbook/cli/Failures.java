package rnnbook.cli;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;
import rnnbook.chapter7.RunFailedException;
import rnnbook.data.FileOperationException;

/**
 * How a command's failure reaches the user: one line {@code rnnbook: ...}. Bad input and I/O
 * failures before any work exit with 2; a run that failed on the way with 1. Only a failure that
 * is a bug in rnnbook prints its stack trace.
 */
final class Failures {
  private Failures() {}

  static int report(Exception ex, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    int status;
    if (ex instanceof RunFailedException) {
      err.println("rnnbook: " + oneLine(ex.getMessage()));
      status = 1;
    } else if (ex instanceof IOException io) {
      err.println("rnnbook: " + oneLine(FileOperationException.describe(io)));
      status = 2;
    } else if (ex instanceof IllegalArgumentException) {
      err.println("rnnbook: " + oneLine(ex.getMessage()));
      status = 2;
    } else {
      err.println("rnnbook: failed: " + ex);
      ex.printStackTrace(err);
      status = 1;
    }
    err.flush();
    return status;
  }

  /** Runs the command; running out of heap is one line saying how much there was, exit 1. */
  static int runOutOfMemoryAsOneLine(ParseResult parseResult) {
    try {
      return new CommandLine.RunLast().execute(parseResult);
    } catch (OutOfMemoryError e) {
      PrintWriter err = parseResult.commandSpec().commandLine().getErr();
      err.println(String.format(java.util.Locale.ROOT, "rnnbook: out of memory (%s); this JVM's heap is %,d MiB: "
          + "raise it with -Xmx, or use less data", e.getMessage(), Runtime.getRuntime().maxMemory() >> 20));
      err.flush();
      return 1;
    }
  }

  /** A message on one line (Jackson's, for one, end with the place in the source on a line of their own). */
  static String oneLine(String message) {
    return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
