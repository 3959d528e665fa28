package rnnbook.data;

import java.io.IOException;
import java.util.concurrent.ExecutionException;

/** The failure of a task run in a thread pool, as the caller of the pool sees it. */
public final class TaskFailures {
  private TaskFailures() {}

  /** The task's failure: rethrown as it was when unchecked, else returned as I/O. */
  public static IOException unwrap(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return cause instanceof IOException io ? io : new IOException(cause);
  }
}
