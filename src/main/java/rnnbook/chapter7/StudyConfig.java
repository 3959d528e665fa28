package rnnbook.chapter7;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import rnnbook.data.MultiplicationProblem;
import rnnbook.io.StudyFiles;
import rnnbook.keras.layers.RecurrentBackend;

/**
 * A several-seed study: every model trained on every seed, seed S generating the data (as {@code
 * np.random.seed(S)}) and drawing the initial weights and the shuffling, exactly as the chapter
 * run with {@code --seed S}.
 *
 * @param models which of the notebook's models (default all three)
 * @param firstSeed the seeds are firstSeed, firstSeed + 1, ..., firstSeed + seeds - 1; the default
 *     1 keeps studies comparable across releases (seeds 1 to 10 include the chapter's seed, whose
 *     runs are then the chapter's own)
 * @param seeds runs per model
 * @param epochs epochs per run (the notebook: 100)
 * @param batchSize samples per training step (32)
 * @param samples samples generated per seed (the notebook: 3000; fewer for quick checks)
 * @param timesteps timesteps per sample (the notebook: 100)
 * @param jobs runs trained at once, each on one core
 * @param backend how the recurrent layers run (auto: the fastest that applies)
 * @param results the results folder; the study writes into its {@code study/} folder
 */
public record StudyConfig(List<BookModel> models, long firstSeed, int seeds, int epochs, int batchSize,
    int samples, int timesteps, int jobs, RecurrentBackend backend, Path results) {
  /** The most seeds a study takes. */
  public static final int MAX_SEEDS = 10_000;

  public StudyConfig {
    if (models == null || models.isEmpty()) {
      throw new IllegalArgumentException("--models: name at least one of simple_rnn, lstm, gru");
    }
    models = BookModel.requireDistinct(models, "--models");
    if (seeds < 1 || seeds > MAX_SEEDS) {
      throw new IllegalArgumentException("--seeds must be in [1, " + MAX_SEEDS + "] (the runs are listed and kept "
          + "in memory; at 100 epochs that many take months), received " + seeds);
    }
    if (firstSeed < 0 || firstSeed + seeds - 1 > 0xffffffffL) {
      throw new IllegalArgumentException("--first-seed: the seeds " + firstSeed + ".." + (firstSeed + seeds - 1)
          + " must lie in [0, 4294967295] as numpy's");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs must be >= 1, received " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, received " + batchSize);
    }
    if (samples < 12) {
      throw new IllegalArgumentException("--samples must be >= 12 to split into training, validation and "
          + "test sets, received " + samples);
    }
    if (timesteps < 2) {
      throw new IllegalArgumentException("--timesteps must be >= 2, received " + timesteps);
    }
    MultiplicationProblem.checkSize(samples, timesteps);
    if (jobs < 1) {
      throw new IllegalArgumentException("--jobs must be >= 1, received " + jobs);
    }
  }

  /** The first seed of a study unless told otherwise. */
  public static final long DEFAULT_FIRST_SEED = 1;

  /** {@code seeds} runs per model of the notebook's three, 100 epochs each, on the book's data size. */
  public static StudyConfig of(int seeds, Path results) {
    return new StudyConfig(List.of(BookModel.values()), DEFAULT_FIRST_SEED, seeds, 100, 32,
        MultiplicationProblem.BOOK_SAMPLES, MultiplicationProblem.BOOK_TIMESTEPS, ChapterConfig.defaultJobs(),
        RecurrentBackend.AUTO, results);
  }

  public List<Long> seedList() {
    return LongStream.range(firstSeed, firstSeed + seeds).boxed().toList();
  }

  /** {@code results/study}. */
  public Path dir() {
    return results.resolve(StudyFiles.DIR);
  }
}
