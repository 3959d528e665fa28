package rnnbook.keras.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.tensorflow.TensorFlow;

/**
 * rnnbook's tensor allocator is never mixed with TensorFlow's: asked for once TensorFlow is loaded
 * (as in this test JVM), it is not loaded and says why. (Loaded first, in a JVM of its own: {@link
 * NativeLibraryCheckTest}; the same bits either way, with the jar: {@code JarIT}.)
 */
class NativeAllocatorTest {
  @Test
  void tooLateOnceTensorFlowIsLoaded() {
    TensorFlow.version(); // loads TensorFlow's libraries, if no test did yet
    NativeAllocator.install();
    NativeAllocator.install(); // once per process: the second call does nothing either
    assertFalse(NativeAllocator.inUse());
    assertEquals("TensorFlow's allocator (TensorFlow was loaded before rnnbook's allocator could be)",
        NativeAllocator.status());
  }
}
