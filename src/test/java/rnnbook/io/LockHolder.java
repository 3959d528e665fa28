package rnnbook.io;

import java.nio.file.Path;

/**
 * A process that holds a folder as a run does: locks {@code args[0]}, prints "locked", and holds it
 * until its standard input closes (or it is killed). For {@link RunLockTest}.
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    try (RunLock lock = RunLock.acquire(Path.of(args[0]), "--results", "chapter", System.out::println)) {
      System.out.println("locked");
      System.out.flush();
      System.in.readAllBytes();
    }
  }

  /** Starts a holder of {@code folder} and waits until it holds it. */
  static Process start(Path folder) throws Exception {
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), LockHolder.class.getName(), folder.toString())
        .redirectErrorStream(true).start();
    String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
    if (!"locked".equals(line)) {
      p.destroyForcibly();
      throw new IllegalStateException("the holder did not lock " + folder + ": " + line);
    }
    return p;
  }
}
