package rnnbook.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails says which file and why, in one line, and leaves the old file and no temporary. */
class AtomicWriteTest {
  @TempDir
  Path dir;

  @Test
  void aFullDiskNamesTheFileAndKeepsTheOldOne() throws IOException {
    assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
    Path target = Files.writeString(dir.resolve("summary.csv"), "old");
    // writing to /dev/full fails as a full disk does: ENOSPC
    var e = assertThrows(FileOperationException.class,
        () -> AtomicWrite.file(target, tmp -> Files.write(Path.of("/dev/full"), new byte[4096])));
    assertEquals("cannot write " + target + ": No space left on device", e.getMessage());
    assertEquals(target, e.path());
    assertEquals("old", Files.readString(target));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temporary left");
    }
  }

  @Test
  void aFolderOrADeviceIsNeverReplacedAndAFileOnThePathIsNamed() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("report.html"));
    var e = assertThrows(FileOperationException.class, () -> AtomicWrite.bytes(folder, new byte[1]));
    assertEquals("cannot write " + folder + ": it is a folder, not a file rnnbook may replace", e.getMessage());
    assertEquals(0, Files.list(folder).count());
    Path file = Files.writeString(dir.resolve("lstm"), "x");
    e = assertThrows(FileOperationException.class, () -> AtomicWrite.bytes(file.resolve("history.csv"), new byte[1]));
    assertEquals("cannot create the folder " + file + ": " + file + " is a file, not a folder", e.getMessage());
    if (Files.exists(Path.of("/dev/null"))) {
      e = assertThrows(FileOperationException.class, () -> AtomicWrite.bytes(Path.of("/dev/null"), new byte[1]));
      assertEquals("cannot write /dev/null: it is not a regular file (a device or pipe), not a file rnnbook may "
          + "replace", e.getMessage());
    }
    assertFalse(Files.exists(file.resolve("history.csv")));
  }

  @Test
  void aWriteRemovesWhatAKilledWriteOfTheSameFileLeft() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path stale = Files.writeString(dir.resolve(".X.npy." + gone.pid() + ".5.tmp"), "half");
    Path running = Files.writeString(dir.resolve(".X.npy." + ProcessHandle.current().pid() + ".6.tmp"), "half");
    Path other = Files.writeString(dir.resolve(".Y.npy." + gone.pid() + ".7.tmp"), "half");
    AtomicWrite.bytes(dir.resolve("X.npy"), new byte[] {1});
    assertFalse(Files.exists(stale), "a dead process's temporary of X.npy is removed");
    assertEquals(true, Files.exists(running), "a running process's is left");
    assertEquals(true, Files.exists(other), "another file's is left for the run's sweep");
  }
}
