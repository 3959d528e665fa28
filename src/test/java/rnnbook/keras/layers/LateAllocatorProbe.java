package rnnbook.keras.layers;

import java.nio.file.Path;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Run in a JVM of its own by {@link NativeLibraryCheckTest}: loads TensorFlow and allocates a
 * tensor first, then the allocator's library (args[0]) behind {@link NativeAllocator}'s back, and
 * prints the library's own account: TensorFlow, bound before, must not be calling it.
 */
public final class LateAllocatorProbe {
  private LateAllocatorProbe() {}

  public static void main(String[] args) {
    TensorFlow.version();
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(1000))) {
      System.load(Path.of(args[0]).toAbsolutePath().toString());
    }
    System.out.println("state " + NativeAllocator.state());
  }
}
