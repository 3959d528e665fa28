"""Same start: Keras trained from an rnnbook chapter run's initial weights, on its batches in its order.

    python3 src/main/python/chapter7_keras.py --same-start RESULTS_DIR --out OUT [--epochs N]

RESULTS_DIR is the results folder of an rnnbook chapter run (`results` by default). From its
run.json this takes the data (regenerated from the seed with numpy's legacy RandomState, as
`rnnbook data` does, or read from the run's --data folder), the batch size, the validation split
and the shuffle seed; from <model>/initial_weights.npz each model's weights before fit. Each
model is then built in Keras as the notebook builds it, set to those weights, compiled with
Adam's defaults and mse, and trained epoch by epoch on the batches rnnbook fed: per epoch the
training samples in the order numpy.random.RandomState(shuffle_seed).permutation gives
(successive calls, one per epoch), fed with shuffle=False, the validation samples after them
taken off by Keras's own validation_split. Then evaluate and predict on the test samples.

It writes, in rnnbook's files and columns:

    OUT/results/<model>/history.csv       epoch, loss, val_loss, seconds
    OUT/results/<model>/predictions.csv   index, y, prediction, abs_diff, correct
    OUT/results/summary.csv               model, params, loss, val_loss, test_loss, correctness, train_seconds
    OUT/results/same_start.json           what was run: the source run, its initial weights'
                                          fingerprints, the versions of Python, numpy, TensorFlow, Keras

`rnnbook report --results RESULTS_DIR --keras OUT/results` then sets the two side by side.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import sys
import time

import numpy as np

from chapter7_keras import write_csv  # the same CSV layout as the plain run

MODELS = ("simple_rnn", "lstm", "gru")
UNITS = 30
TOLERANCE = 0.04  # the notebook's: a prediction is wrong when it is off by more than this
FIT_OF = (2560, 3000)  # the notebook fits on X[:2560] of 3000 samples


def parse(argv):
    p = argparse.ArgumentParser(prog="chapter7_keras.py --same-start",
                                description="Keras from the same start as an rnnbook run, on the same batches.")
    p.add_argument("--same-start", required=True, metavar="RESULTS_DIR", help="an rnnbook chapter run's results folder")
    p.add_argument("--out", required=True, help="output folder; the files go into OUT/results")
    p.add_argument("--epochs", type=int, help="epochs per model (default: the run's)")
    p.add_argument("--models", help="comma-separated (default: the run's models)")
    p.add_argument("--data", help="folder with X.npy and Y.npy, when the run trained on --data not found as written")
    p.add_argument("--jit-compile", action="store_true", help="let Keras compile the step with XLA (default off)")
    return p.parse_args(argv)


def fail(message):
    sys.exit("chapter7_keras.py --same-start: " + message)


def notebook_data(seed, samples=3000, steps=100):
    """The notebook's loop after np.random.seed(seed), as rnnbook's MultiplicationProblem.generate."""
    rs = np.random.RandomState(seed)
    x = np.zeros((samples, steps, 2))
    y = np.zeros(samples)
    for s in range(samples):
        values = rs.rand(steps)
        marked = rs.choice(steps, 2, replace=False)
        x[s, :, 1] = values
        x[s, marked, 0] = 1.0
        y[s] = np.prod(values[marked])
    return x, y


def load_data(run, results, override):
    described = run.get("data") or ""
    prefix = "generated with seed "
    if override is None and described.startswith(prefix):
        return notebook_data(int(described[len(prefix):])), described
    candidates = [override] if override else [described, os.path.join(results, "..", described)]
    for folder in candidates:
        if folder and os.path.isfile(os.path.join(folder, "X.npy")):
            return (np.load(os.path.join(folder, "X.npy")), np.load(os.path.join(folder, "Y.npy"))), folder
    fail("cannot find the run's data %r (X.npy, Y.npy); give --data DIR" % described)


def fingerprint(arrays):
    """sha256 of the arrays as float32 little-endian, in order: rnnbook's report compares it."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype="<f4").tobytes())
    return h.hexdigest()


def build(keras, kind, timesteps):
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    return keras.Sequential([
        keras.Input((timesteps, 2)),
        layer(UNITS, return_sequences=True),
        layer(UNITS),
        keras.layers.Dense(1),
    ])


def initial_weights(model, path):
    if not os.path.isfile(path):
        fail("no %s: the run did not write its initial weights (rnnbook before same-start?)" % path)
    with np.load(path) as npz:
        names, arrays = list(npz.keys()), list(npz.values())
    expected = model.get_weights()
    if len(arrays) != len(expected):
        fail("%s holds %d arrays, the Keras model expects %d" % (path, len(arrays), len(expected)))
    for i, (name, a, e) in enumerate(zip(names, arrays, expected)):
        if a.shape != e.shape:
            fail("%s: array %d %r has shape %s, expected %s" % (path, i, name, a.shape, e.shape))
    return arrays


def train(keras, kind, data, run, args, source):
    x, y = data
    fit = x.shape[0] * FIT_OF[0] // FIT_OF[1]
    split = float(run.get("validation_split", 0.2))
    n_train = int(np.floor(fit * (1.0 - split)))  # Keras's train_validation_split
    x_fit, y_fit = x[:fit].astype(np.float32), y[:fit].astype(np.float32)
    x_test, y_test = x[fit:].astype(np.float32), y[fit:]
    model = build(keras, kind, x.shape[1])
    weights = initial_weights(model, os.path.join(source, kind, "initial_weights.npz"))
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(), loss="mse", jit_compile=args.jit_compile)
    order = np.random.RandomState(int(run.get("shuffle_seed", run["seed"])))
    epochs = args.epochs or int(run["epochs"])
    batch = int(run["batch_size"])
    rows = []
    for e in range(epochs):
        perm = order.permutation(n_train)
        xs = np.concatenate([x_fit[:n_train][perm], x_fit[n_train:]])
        ys = np.concatenate([y_fit[:n_train][perm], y_fit[n_train:]])
        start = time.perf_counter()
        h = model.fit(xs, ys, batch_size=batch, epochs=e + 1, initial_epoch=e, validation_split=split,
                      shuffle=False, verbose=0).history
        seconds = time.perf_counter() - start
        rows.append([e + 1, float(h["loss"][0]), float(h["val_loss"][0]), seconds])
        print("%s epoch %d/%d - loss: %.8g - val_loss: %.8g - %.1fs" % (kind, e + 1, epochs, rows[-1][1],
                                                                         rows[-1][2], seconds), flush=True)
    test_loss = float(model.evaluate(x_test, y_test.astype(np.float32), batch_size=batch, verbose=0))
    predicted = model.predict(x_test, batch_size=batch, verbose=0)[:, 0]
    diffs = np.abs(predicted.astype(np.float64) - y_test)
    correct = ~(diffs > TOLERANCE)
    correctness = float(np.count_nonzero(correct)) / len(y_test) * 100
    print("%s: test loss %.6g, correctness: %s %%" % (kind, test_loss, correctness))
    folder = os.path.join(args.out, "results", kind)
    write_csv(os.path.join(folder, "history.csv"), ["epoch", "loss", "val_loss", "seconds"], rows)
    write_csv(os.path.join(folder, "predictions.csv"), ["index", "y", "prediction", "abs_diff", "correct"],
              [[i, float(y_test[i]), float(predicted[i]), float(diffs[i]), "true" if correct[i] else "false"]
               for i in range(len(y_test))])
    summary = [kind, model.count_params(), rows[-1][1], rows[-1][2], test_loss, correctness,
               sum(r[3] for r in rows)]
    return summary, fingerprint(weights), n_train


def main(argv=None):
    args = parse(argv)
    source = args.same_start
    try:
        with open(os.path.join(source, "run.json")) as f:
            run = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read %s: %s" % (os.path.join(source, "run.json"), e))
    models = [m.strip() for m in args.models.split(",")] if args.models else list(run["models"])
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        fail("unknown model(s) %s, expected some of %s" % (unknown, list(MODELS)))
    if args.epochs is not None and args.epochs < 1:
        fail("--epochs must be >= 1, received %d" % args.epochs)
    data, data_source = load_data(run, source, args.data)

    import tensorflow as tf
    import keras

    started = datetime.datetime.now(datetime.timezone.utc).isoformat()
    print("same start: Keras %s on TensorFlow %s, from %s (seed %s, data %s)"
          % (keras.__version__, tf.__version__, source, run["seed"], data_source))
    rows, prints = [], {}
    info = {
        "command": "chapter7_keras.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "source_results": os.path.abspath(source),
        "source_run": {k: run.get(k) for k in ("command", "models", "epochs", "seed", "batch_size", "data",
                                               "validation_split", "shuffle", "shuffle_seed", "tensorflow",
                                               "recurrent_layers", "started")},
        "epochs": args.epochs or int(run["epochs"]),
        "models": models,
        "jit_compile": args.jit_compile,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "tensorflow": tf.__version__, "keras": keras.__version__},
        "machine": "%s %s, %d cores" % (platform.system(), platform.machine(), os.cpu_count() or 0),
        "started": started,
        "initial_weights_sha256": prints,
    }
    for kind in models:
        row, prints[kind], info["train_samples"] = train(keras, kind, data, run, args, source)
        rows.append(row)
        write_csv(os.path.join(args.out, "results", "summary.csv"),
                  ["model", "params", "loss", "val_loss", "test_loss", "correctness", "train_seconds"], rows)
    info["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
    path = os.path.join(args.out, "results", "same_start.json")
    with open(path + ".tmp", "w") as f:
        json.dump(info, f, indent=2)
    os.replace(path + ".tmp", path)
    print("wrote %s; next: rnnbook report --results %s --keras %s"
          % (os.path.join(args.out, "results"), source, os.path.join(args.out, "results")))
    return 0
