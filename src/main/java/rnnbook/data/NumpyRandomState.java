package rnnbook.data;

/**
 * The legacy Mersenne Twister generator of numpy ({@code np.random.seed}, {@code
 * np.random.rand}, {@code np.random.choice}), reproduced bit for bit so that Java and Python make
 * the same data from the same seed.
 *
 * <p>Covers only what the multiplication problem needs: integer seeding, {@code random_sample}
 * (53-bit doubles from two 32-bit draws), and {@code permutation}, which {@code choice(n, k,
 * replace=False)} uses ({@code permutation(n)[:k]}). Not thread-safe, like numpy's.
 */
public final class NumpyRandomState {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] key = new int[N];
  private int pos;

  /** Same as {@code np.random.seed(seed)} for an integer seed in [0, 2**32 - 1]. */
  public NumpyRandomState(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException(
          "seed must be between 0 and 2**32 - 1, received " + seed);
    }
    int s = (int) seed;
    for (int i = 0; i < N; i++) {
      key[i] = s;
      s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
    }
    pos = N;
  }

  /** One tempered 32-bit output, as an unsigned value in a long. */
  public long nextUint32() {
    if (pos >= N) {
      regenerate();
    }
    int y = key[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xffffffffL;
  }

  private void regenerate() {
    for (int i = 0; i < N; i++) {
      int y = (key[i] & UPPER_MASK) | (key[(i + 1) % N] & LOWER_MASK);
      key[i] = key[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    pos = 0;
  }

  /** {@code random_sample()}: a double in [0, 1) with 53 random bits. */
  public double randomSample() {
    long a = nextUint32() >>> 5;
    long b = nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** {@code rand(n)}. */
  public double[] rand(int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = randomSample();
    }
    return out;
  }

  /** numpy's {@code random_interval}: uniform in [0, max] by masked rejection. */
  long randomInterval(long max) {
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    if (max > 0xffffffffL) {
      throw new IllegalArgumentException("intervals above 2**32 - 1 are not supported: " + max);
    }
    long value;
    do {
      value = nextUint32() & mask;
    } while (value > max);
    return value;
  }

  /** {@code permutation(n)}: a Fisher-Yates shuffle of 0..n-1, walking from the end. */
  public int[] permutation(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, received " + n);
    }
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = (int) randomInterval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** {@code choice(popSize, size, replace=False)}, which numpy computes as a permutation prefix. */
  public int[] choiceWithoutReplacement(int popSize, int size) {
    if (size < 0 || size > popSize) {
      throw new IllegalArgumentException(
          "size must be in [0, " + popSize + "] to sample without replacement, received " + size);
    }
    return java.util.Arrays.copyOf(permutation(popSize), size);
  }
}
