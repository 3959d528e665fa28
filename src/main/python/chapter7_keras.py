"""The chapter's three models in Python Keras, to compare a real Python run with rnnbook's.

Run where TensorFlow 2.1 to 2.15 is installed (with TensorFlow 2.16 or later, also
`pip install tf_keras`: Keras 3 no longer writes Keras 2 SavedModels). This script is not run by
the Java tests.

    java -jar rnnbook.jar data --seed 42 --out data             # or: mvn exec:java -Dexec.args="data --out data"
    python3 src/main/python/chapter7_keras.py --data data --out python-run

For each model (simple_rnn, lstm, gru), as the notebook does: Sequential([R(30,
return_sequences=True, input_shape=[timesteps, 2]), R(30), Dense(1)]), compile('adam', 'mse'),
fit on the first 2560 of 3000 samples with validation_split=0.2, then evaluate and predict on the
rest. It writes, in the same files and columns as rnnbook's chapter run:

    OUT/results/summary.csv                       model, params, loss, val_loss, test_loss, correctness, train_seconds
    OUT/results/<model>/history.csv               epoch, loss, val_loss, seconds
    OUT/results/<model>/predictions.csv           index, y, prediction, abs_diff, correct
    OUT/savedmodels/<model>/                      model.save(dir): a Keras 2 SavedModel for `rnnbook crosscheck`
    OUT/weights/<model>.npz                       np.savez(path, *model.get_weights()) for `rnnbook predict`

`--same-start RESULTS_DIR --out OUT [--epochs N]` instead trains Keras from an rnnbook run's initial
weights on its batches in its order: see same_start.py.
"""
import argparse
import csv
import os
import sys
import time

import numpy as np

MODELS = ("simple_rnn", "lstm", "gru")
UNITS = 30
TOLERANCE = 0.04  # the notebook's: a prediction is wrong when it is off by more than this


def keras_2():
    """tf.keras up to TF 2.15; tf_keras (Keras 2) beside TF 2.16 and later."""
    import tensorflow as tf

    major, minor = (int(p) for p in tf.__version__.split(".")[:2])
    if (major, minor) < (2, 16):
        return tf, tf.keras
    try:
        import tf_keras
    except ImportError:
        sys.exit("TensorFlow %s ships Keras 3, which cannot write Keras 2 SavedModels; "
                 "pip install tf_keras (or use TensorFlow <= 2.15)" % tf.__version__)
    return tf, tf_keras


def fit_samples(samples):
    """2560 of 3000 as in the notebook, in proportion otherwise (rnnbook's ChapterConfig.fitSamples)."""
    return samples * 2560 // 3000


def build(keras, kind, timesteps):
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    return keras.models.Sequential([
        layer(UNITS, return_sequences=True, input_shape=[timesteps, 2]),
        layer(UNITS),
        keras.layers.Dense(1),
    ])


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")  # as commons-csv writes it
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def run_model(tf, keras, kind, x, y, args):
    fit = fit_samples(len(x))
    x_train, y_train, x_test, y_test = x[:fit], y[:fit], x[fit:], y[fit:]
    model = build(keras, kind, x.shape[1])
    model.summary()
    model.compile(optimizer="adam", loss="mse")

    class EpochTimes(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    times = EpochTimes()
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                        validation_split=0.2, callbacks=[times]).history
    test_loss = float(model.evaluate(x_test, y_test))
    predicted = model.predict(x_test)[:, 0]
    diffs = np.abs(predicted.astype(np.float64) - y_test)
    correct = ~(diffs > TOLERANCE)
    correctness = float(np.count_nonzero(correct)) / len(y_test) * 100
    print("correctness:", correctness, "%")

    folder = os.path.join(args.out, "results", kind)
    write_csv(os.path.join(folder, "history.csv"), ["epoch", "loss", "val_loss", "seconds"],
              [[e + 1, history["loss"][e], history["val_loss"][e], times.seconds[e]]
               for e in range(len(history["loss"]))])
    write_csv(os.path.join(folder, "predictions.csv"), ["index", "y", "prediction", "abs_diff", "correct"],
              [[i, float(y_test[i]), float(predicted[i]), float(diffs[i]), "true" if correct[i] else "false"]
               for i in range(len(y_test))])
    model.save(os.path.join(args.out, "savedmodels", kind))  # a folder: the Keras 2 SavedModel format
    os.makedirs(os.path.join(args.out, "weights"), exist_ok=True)
    np.savez(os.path.join(args.out, "weights", kind + ".npz"), *model.get_weights())
    return [kind, model.count_params(), history["loss"][-1], history["val_loss"][-1], test_loss, correctness,
            sum(times.seconds)]


def main(argv=None):
    if "--same-start" in (sys.argv[1:] if argv is None else argv):  # Keras from an rnnbook run's start
        import same_start
        return same_start.main(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder with X.npy and Y.npy as `rnnbook data` writes them")
    parser.add_argument("--out", default="python-run", help="output folder (default: python-run)")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, of " + ", ".join(MODELS))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42, help="seeds numpy and TensorFlow (initial weights, shuffling)")
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        parser.error("unknown model(s) %s, expected some of %s" % (unknown, list(MODELS)))
    x = np.load(os.path.join(args.data, "X.npy"))
    y = np.load(os.path.join(args.data, "Y.npy"))
    if x.ndim != 3 or x.shape[2] != 2 or y.shape != (x.shape[0],):
        parser.error("expected X (samples, timesteps, 2) and Y (samples,), found %s and %s" % (x.shape, y.shape))

    tf, keras = keras_2()
    np.random.seed(args.seed)
    tf.random.set_seed(args.seed)
    print("chapter7_keras.py: TensorFlow %s, models=%s epochs=%d batch_size=%d seed=%d data=%s out=%s"
          % (tf.__version__, ",".join(models), args.epochs, args.batch_size, args.seed, args.data, args.out))
    rows = []
    for kind in models:
        rows.append(run_model(tf, keras, kind, x, y, args))
        write_csv(os.path.join(args.out, "results", "summary.csv"),
                  ["model", "params", "loss", "val_loss", "test_loss", "correctness", "train_seconds"], rows)
    print("\nnext, in rnnbook:")
    for kind in models:
        print("  crosscheck --savedmodel %s --data %s"
              % (os.path.join(args.out, "savedmodels", kind), args.data))
        print("  predict --model %s --weights %s --input %s --output %s"
              % (kind, os.path.join(args.out, "weights", kind + ".npz"), os.path.join(args.data, "X.npy"),
                 os.path.join(args.out, "java_predictions_" + kind + ".npy")))


if __name__ == "__main__":
    main()
