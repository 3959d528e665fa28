package rnnbook.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnnbook.data.Temporaries;

/** A results folder held by one run at a time; what a killed run leaves is cleared by the next. */
class RunLockTest {
  @TempDir
  Path dir;

  @Test
  void aSecondRunIsRefusedNamingTheHolderAndTheLockGoesWithTheRun() throws IOException {
    Path results = dir.resolve("results");
    List<String> notes = new ArrayList<>();
    try (RunLock first = RunLock.acquire(results, "--results", "chapter", notes::add)) {
      String content = Files.readString(results.resolve(RunLock.FILE));
      assertTrue(content.contains("pid=" + ProcessHandle.current().pid()) && content.contains("command=chapter"),
          content);
      var e = assertThrows(RunLock.HeldException.class,
          () -> RunLock.acquire(results, "--results", "bench", notes::add));
      assertTrue(e.getMessage().startsWith("--results: " + results + " is in use by pid "
          + ProcessHandle.current().pid() + " (this process) (chapter, started "), e.getMessage());
      assertTrue(e.getMessage().endsWith("wait for it to finish, or choose another --results"), e.getMessage());
    }
    assertFalse(Files.exists(results.resolve(RunLock.FILE)), "the lock file goes with the run");
    try (RunLock again = RunLock.acquire(results, "--results", "chapter", notes::add)) {
      assertTrue(notes.isEmpty(), "nothing to take over: " + notes);
    }
  }

  @Test
  void aRunningProcessHoldsTheFolderAndAfterItIsKilledTheNextRunTakesItOver() throws Exception {
    Path results = dir.resolve("results");
    Process holder = LockHolder.start(results);
    try {
      var e = assertThrows(RunLock.HeldException.class,
          () -> RunLock.acquire(results, "--results", "chapter", s -> {}));
      assertTrue(e.getMessage().contains("is in use by pid " + holder.pid() + " (chapter, started "), e.getMessage());
      // a kill -9 leaves the lock file and temporaries of the holder's writes
      Path tmp = Files.createDirectories(results.resolve("lstm/.history.csv." + holder.pid() + ".42.tmp"));
      Files.writeString(tmp.resolve("half"), "epoch,lo");
      Path mine = Files.writeString(results.resolve(".run.json." + ProcessHandle.current().pid() + ".1.tmp"), "{");
      holder.destroyForcibly().waitFor();
      List<String> notes = new ArrayList<>();
      try (RunFolders held = RunFolders.lock("chapter", notes::add, new RunFolders.Folder("--results", results))) {
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.get(0).startsWith("note: took over " + results.resolve(RunLock.FILE) + " from pid "
            + holder.pid() + " (chapter, started ") && notes.get(0).endsWith("which is no longer running"), notes.get(0));
        assertEquals("note: removed 1 temporary file left in " + results + " by runs that were killed: [lstm/"
            + tmp.getFileName() + "]", notes.get(1));
        assertFalse(Files.exists(tmp));
        assertTrue(Files.exists(mine), "a temporary of a running process is left alone");
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void aBenchWaitsForTheOneRunningAndThenRuns() throws Exception {
    Path folder = dir.resolve("bench");
    Process holder = LockHolder.start(folder);
    try {
      List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
      var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try (RunLock lock = RunLock.await(folder, "bench", "bench", notes::add)) {
          return Files.readString(folder.resolve(RunLock.FILE));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      long until = System.nanoTime() + 30_000_000_000L;
      while (notes.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertFalse(notes.isEmpty(), () -> "no note; the waiting run: " + waiting);
      assertTrue(notes.get(0).startsWith("note: waiting for pid " + holder.pid() + " (chapter, started "), notes.toString());
      assertFalse(waiting.isDone(), "it waits while the holder runs");
      holder.getOutputStream().close(); // the holder finishes and releases the folder
      assertTrue(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS).contains("pid=" + ProcessHandle.current().pid()));
      assertEquals(0, holder.waitFor());
      try (RunLock mine = RunLock.acquire(folder, "bench", "bench", s -> {})) {
        assertThrows(RunLock.HeldException.class, () -> RunLock.await(folder, "bench", "bench", s -> {}),
            "this process cannot wait for itself");
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void aLockFileOfADeadProcessIsTakenOverAndOneOfAnotherPidNotRecordedIsToo() throws Exception {
    Path results = Files.createDirectories(dir.resolve("results"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(results.resolve(RunLock.FILE), "pid=" + gone.pid() + "\nstarted=2020-01-01T00:00:00Z\n"
        + "command=study\n");
    Path stale = Files.writeString(results.resolve(".summary.csv." + gone.pid() + ".7.tmp"), "model,pa");
    List<String> notes = new ArrayList<>();
    try (RunFolders held = RunFolders.lock("chapter", notes::add, new RunFolders.Folder("--results", results))) {
      assertTrue(notes.get(0).contains("from pid " + gone.pid() + " (study, started 2020-01-01T00:00:00Z), which "
          + "is no longer running"), notes.toString());
      assertFalse(Files.exists(stale));
    }
    assertTrue(Temporaries.removeStale(results, 4).isEmpty());
  }

  @Test
  void aFolderThatCannotBeMadeIsOneLineNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    var e = assertThrows(IOException.class, () -> RunLock.acquire(file.resolve("results"), "--results", "chapter",
        s -> {}));
    assertEquals("cannot create the folder " + file.resolve("results") + ": " + file + " is a file, not a folder",
        e.getMessage());
  }
}
