package rnnbook.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import rnnbook.keras.layers.RecurrentBackend;

/** {@code --backend} and its older aliases {@code --unrolled} and {@code --no-native}. */
final class BackendOption {
  @Option(names = "--backend", paramLabel = "NAME", converter = Converter.class,
      description = "How recurrent layers run: auto (the fastest that applies, the default), "
          + "native (rnnbook's kernels), tensorflow (TensorFlow's fast path), unrolled (plain "
          + "graph, TensorFlow's gradients; for checking).")
  RecurrentBackend backend;

  @Option(names = "--unrolled", description = "Same as --backend unrolled.")
  boolean unrolled;

  @Option(names = "--no-native", description = "Same as --backend tensorflow.")
  boolean noNative;

  /** The backend asked for; two different ones named at once are refused. */
  RecurrentBackend get() {
    RecurrentBackend alias = unrolled ? RecurrentBackend.UNROLLED
        : noNative ? RecurrentBackend.TENSORFLOW : null;
    if (unrolled && noNative || alias != null && backend != null && alias != backend) {
      throw new IllegalArgumentException("--backend, --unrolled and --no-native name different "
          + "backends; give one");
    }
    return backend != null ? backend : alias != null ? alias : RecurrentBackend.AUTO;
  }

  static final class Converter implements CommandLine.ITypeConverter<RecurrentBackend> {
    @Override
    public RecurrentBackend convert(String value) {
      try {
        return RecurrentBackend.fromKey(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
