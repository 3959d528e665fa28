package rnnbook.keras.layers;

import rnnbook.keras.Adam;
import rnnbook.keras.CompileOptions;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.Loss;
import rnnbook.keras.Sequential;

/**
 * Run in a JVM of its own by {@link NativeLibraryCheckTest}: installs rnnbook's tensor allocator
 * as the command line does, compiles and trains a GRU on the automatic backend and prints what it
 * ran on and its first loss, then what gave the tensors their memory.
 */
public final class NativeProbe {
  private NativeProbe() {}

  public static void main(String[] args) {
    NativeAllocator.install();
    Sequential model = new Sequential(6, 2).add(new GRU(4)).add(new rnnbook.keras.layers.Dense(1));
    try (CompiledModel m = model.compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, CompileOptions.of(3))) {
      float[] x = new float[4 * 12];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 7) / 7f;
      }
      double loss = m.trainOnBatch(x, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 4);
      System.out.println("backend " + m.backends().get(0).used().key() + " loss " + loss);
    }
    System.out.println("tensor memory " + NativeAllocator.status());
  }
}
