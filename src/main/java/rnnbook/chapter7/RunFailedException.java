package rnnbook.chapter7;

import java.io.IOException;

/**
 * A run that started training and failed on the way: the message says what failed and where the
 * work that finished is kept. The command line exits with status 1 for it (2 is for bad input).
 */
public class RunFailedException extends IOException {
  public RunFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
