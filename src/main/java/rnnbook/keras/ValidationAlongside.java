package rnnbook.keras;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * fit's validation on the machine's spare core. While a fit is the only one training in the
 * process and the machine has a second core, epoch e's validation loss is computed beside epoch
 * e + 1's steps: on the weights as epoch e left them, copied into a second graph of the model
 * built for inference alone. Those are the ops of the training graph's own validation on the same
 * values, so the loss is the same to the bit. With two fits at once (the chapter's models side by
 * side), on one core, or for a model whose layers cannot be copied, fit validates between its
 * epochs as Keras does. The losses, the history and the order of the listener's calls are the
 * same either way.
 */
final class ValidationAlongside implements AutoCloseable {
  private static final AtomicInteger FITS = new AtomicInteger(); // fits training in the process now
  /** Validations started beside a fit's steps in this process (tests read it). */
  static final AtomicInteger STARTED = new AtomicInteger();
  private static final boolean SPARE_CORE = Runtime.getRuntime().availableProcessors() >= 2;

  private final Supplier<CompiledModel> copyOf;
  private final boolean wanted;
  private final boolean always;
  private ExecutorService thread; // started when first useful
  private Future<CompiledModel> copy; // built on the thread

  /**
   * @param copyOf the model's inference-only copy (null when it cannot be made), called on the
   *     validation thread
   * @param wanted false when fit must validate between its epochs
   * @param always beside the steps whenever a copy can be made (waiting for it to be built), even
   *     with other fits training or one core (tests)
   */
  ValidationAlongside(Supplier<CompiledModel> copyOf, boolean wanted, boolean always) {
    FITS.incrementAndGet();
    this.copyOf = copyOf;
    this.wanted = wanted;
    this.always = always;
  }

  /**
   * Whether this epoch's validation can run beside the next epoch's steps. The copy is built on
   * the validation thread the first time a core is spare, so that fits side by side do not pay for
   * it; until it is built (a copy that fails to build never is), fit validates between epochs.
   */
  boolean available() {
    if (!wanted || !(always || (SPARE_CORE && FITS.get() == 1))) {
      return false;
    }
    if (thread == null) {
      thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rnnbook-validation");
        t.setDaemon(true);
        return t;
      });
      copy = thread.submit(copyOf::get);
    }
    if (!always && !copy.isDone()) {
      return false;
    }
    try {
      return copy.get() != null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | RuntimeException e) {
      return false;
    }
  }

  /** Starts the validation loss of {@code weights} (the model's, now) on the validation thread. */
  Future<Double> start(List<float[]> weights, float[] valX, float[] valY, int samples) {
    CompiledModel m;
    try {
      m = copy.get();
    } catch (ExecutionException | InterruptedException e) {
      throw new IllegalStateException("start() without available()", e);
    }
    STARTED.incrementAndGet();
    return thread.submit(() -> {
      m.setWeights(weights);
      return m.validationLoss(valX, valY, samples);
    });
  }

  /** The result of {@link #start}, once it is there; its failure rethrown as it was thrown. */
  static double await(Future<Double> validation) {
    try {
      return validation.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the validation loss", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Lets the last validation (and the copy's build) finish, so that the copy is idle after fit. */
  @Override
  public void close() {
    FITS.decrementAndGet();
    if (thread != null) {
      thread.shutdown();
      boolean interrupted = false;
      while (true) {
        try {
          if (thread.awaitTermination(1, TimeUnit.MINUTES)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
