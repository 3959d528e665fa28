"""The chapter's three models in Python Keras, to compare a real Python run with rnnbook's.

Runs on Keras 3 (TensorFlow 2.16 and later, checked with TF 2.21 / Keras 3.15) and on tf.keras 2
(TensorFlow 2.1 to 2.15). This script is not run by the Java tests.

    ./mvnw -q package -DskipTests                              # once, in rnnbook's folder: target/rnnbook.jar
    java -jar target/rnnbook.jar data --seed 1 --out data      # or: ./mvnw -q compile exec:java -Dexec.args="data --seed 1 --out data"
    python3 src/main/python/chapter7_keras.py --data data --out python-run

For each model (simple_rnn, lstm, gru), as the notebook does: Sequential([Input((timesteps, 2)),
R(30, return_sequences=True), R(30), Dense(1)]), compile('adam', 'mse'), fit on the first 2560 of
3000 samples with validation_split=0.2, then evaluate and predict on the rest. It writes, in the
same files and columns as rnnbook's chapter run:

    OUT/results/summary.csv                  model, params, loss, val_loss, test_loss, correctness, train_seconds
    OUT/results/<model>/history.csv          epoch, loss, val_loss, seconds
    OUT/results/<model>/predictions.csv      index, y, prediction, abs_diff, correct
and, for rnnbook's crosscheck and predict:
    OUT/models/<model>.keras                 model.save: the .keras archive (Keras 3, or tf.keras 2.12+)
    OUT/models/<model>.h5                    model.save: the legacy HDF5 file
    OUT/export/<model>/                      model.export: a SavedModel without Keras metadata (Keras 3, tf.keras 2.13+)
    OUT/savedmodels/<model>/                 model.save(dir): a Keras 2 SavedModel (tf.keras 2 only)
    OUT/test/X_test.npy                      the test inputs, float32 (samples, timesteps, 2)
    OUT/test/<model>_predict.npy             model.predict(X_test), float32 (samples, 1)
    OUT/weights/<model>.npz                  np.savez(path, *model.get_weights())
and prints the rnnbook command that cross-checks each.

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
RNNBOOK = './mvnw -q compile exec:java -Dexec.args="%s"'


def load_keras():
    """TensorFlow and its Keras: Keras 3 from TF 2.16 on, tf.keras 2 before."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    return tf, tf.keras


def is_keras3(keras):
    return keras.__version__.startswith("3.") if hasattr(keras, "__version__") else False


def fit_samples(samples):
    """2560 of 3000 as in the notebook, in proportion otherwise (rnnbook's ChapterConfig.fitSamples)."""
    return samples * 2560 // 3000


def build(keras, kind, timesteps):
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    return keras.models.Sequential([
        keras.Input((timesteps, 2)),
        layer(UNITS, return_sequences=True),
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


def epoch_timer(keras):
    class EpochTimes(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    return EpochTimes()


def train(keras, kind, x_train, y_train, args):
    """Builds, compiles and fits one model as the notebook does; returns it, its history and epoch times."""
    model = build(keras, kind, x_train.shape[1])
    model.summary()
    model.compile(optimizer="adam", loss="mse")
    times = epoch_timer(keras)
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                        validation_split=0.2, callbacks=[times]).history
    return model, history, times.seconds


def save_model_files(keras, model, kind, x_test, out):
    """Writes the model in every format this Keras writes; returns {format: path} of those written."""
    written = {}
    for folder in ("models", "export", "savedmodels", "test", "weights"):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
    np.savez(os.path.join(out, "weights", kind + ".npz"), *model.get_weights())
    written["npz"] = os.path.join(out, "weights", kind + ".npz")
    np.save(os.path.join(out, "test", kind + "_predict.npy"), model.predict(x_test, verbose=0).astype(np.float32))
    for ext in ("keras", "h5"):
        path = os.path.join(out, "models", kind + "." + ext)
        try:
            model.save(path)
            written[ext] = path
        except (ValueError, NotImplementedError) as e:  # .keras needs tf.keras 2.12 or later
            print("not written: %s (%s)" % (path, e))
    if hasattr(model, "export"):
        path = os.path.join(out, "export", kind)
        try:
            model.export(path, verbose=False)
        except TypeError:  # tf.keras 2.13 to 2.15 print nothing and take no verbose
            model.export(path)
        written["export"] = path
    if not is_keras3(keras):
        path = os.path.join(out, "savedmodels", kind)
        model.save(path, save_format="tf")  # a folder: the Keras 2 SavedModel format
        written["savedmodel"] = path
    return written


def run_model(keras, kind, x, y, args):
    fit = fit_samples(len(x))
    x_train, y_train, x_test, y_test = x[:fit], y[:fit], x[fit:], y[fit:]
    model, history, seconds = train(keras, kind, x_train, y_train, args)
    test_loss = float(model.evaluate(x_test, y_test))
    predicted = model.predict(x_test)[:, 0]
    diffs = np.abs(predicted.astype(np.float64) - y_test)
    correct = ~(diffs > TOLERANCE)
    correctness = float(np.count_nonzero(correct)) / len(y_test) * 100
    print("correctness:", correctness, "%")

    folder = os.path.join(args.out, "results", kind)
    write_csv(os.path.join(folder, "history.csv"), ["epoch", "loss", "val_loss", "seconds"],
              [[e + 1, history["loss"][e], history["val_loss"][e], seconds[e]] for e in range(len(history["loss"]))])
    write_csv(os.path.join(folder, "predictions.csv"), ["index", "y", "prediction", "abs_diff", "correct"],
              [[i, float(y_test[i]), float(predicted[i]), float(diffs[i]), "true" if correct[i] else "false"]
               for i in range(len(y_test))])
    written = save_model_files(keras, model, kind, x_test.astype(np.float32), args.out)
    row = [kind, model.count_params(), history["loss"][-1], history["val_loss"][-1], test_loss, correctness, sum(seconds)]
    return row, written


def commands(kind, written, args):
    """The rnnbook commands that cross-check what was written for one model."""
    x_test = os.path.join(args.out, "test", "X_test.npy")
    expected = os.path.join(args.out, "test", kind + "_predict.npy")
    out = []
    for ext in ("keras", "h5"):
        if ext in written:
            out.append("crosscheck --model %s --input %s --expected %s" % (written[ext], x_test, expected))
    if "export" in written:
        arch = written.get("keras", written.get("h5"))
        out.append("crosscheck --model %s --architecture %s --data %s" % (written["export"], arch, args.data))
    if "savedmodel" in written:
        out.append("crosscheck --savedmodel %s --data %s" % (written["savedmodel"], args.data))
    out.append("predict --model %s --weights %s --input %s --output %s"
               % (kind, written["npz"], x_test, os.path.join(args.out, "java_predictions_" + kind + ".npy")))
    return [RNNBOOK % c for c in out]


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder with X.npy and Y.npy as `rnnbook data` writes them")
    parser.add_argument("--out", default="python-run", help="output folder (default: python-run)")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, of " + ", ".join(MODELS))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42, help="seeds numpy and TensorFlow (initial weights, shuffling)")
    return parser


def parse_args(parser, argv=None):
    args = parser.parse_args(argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown or not args.models:
        parser.error("unknown model(s) %s, expected some of %s" % (unknown, list(MODELS)))
    if args.epochs < 1:
        parser.error("--epochs must be >= 1, received %d" % args.epochs)
    return args


def load_data(parser, args):
    x = np.load(os.path.join(args.data, "X.npy"))
    y = np.load(os.path.join(args.data, "Y.npy"))
    if x.ndim != 3 or x.shape[2] != 2 or y.shape != (x.shape[0],):
        parser.error("expected X (samples, timesteps, 2) and Y (samples,), found %s and %s" % (x.shape, y.shape))
    return x, y


def main(argv=None):
    if "--same-start" in (sys.argv[1:] if argv is None else argv):  # Keras from an rnnbook run's start
        import same_start
        return same_start.main(argv)
    parser = build_parser()
    args = parse_args(parser, argv)
    x, y = load_data(parser, args)
    tf, keras = load_keras()
    np.random.seed(args.seed)
    tf.random.set_seed(args.seed)
    print("chapter7_keras.py: TensorFlow %s, Keras %s, models=%s epochs=%d batch_size=%d seed=%d data=%s out=%s"
          % (tf.__version__, keras.__version__, ",".join(args.models), args.epochs, args.batch_size, args.seed,
             args.data, args.out))
    os.makedirs(os.path.join(args.out, "test"), exist_ok=True)
    np.save(os.path.join(args.out, "test", "X_test.npy"), x[fit_samples(len(x)):].astype(np.float32))
    rows, printed = [], []
    for kind in args.models:
        row, written = run_model(keras, kind, x, y, args)
        rows.append(row)
        write_csv(os.path.join(args.out, "results", "summary.csv"),
                  ["model", "params", "loss", "val_loss", "test_loss", "correctness", "train_seconds"], rows)
        printed.extend(commands(kind, written, args))
    print("\nnext, in rnnbook (from its project folder):")
    for c in printed:
        print("  " + c)


if __name__ == "__main__":
    main()
