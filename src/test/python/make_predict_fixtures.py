"""Generates the reference for `predict` under src/test/resources/reference/predict/.

Run from the project root with python3 and numpy (no TensorFlow needed):

    python3 src/test/python/make_predict_fixtures.py

For each of the chapter's three stacks, R(30, return_sequences=True) -> R(30) -> Dense(1) on
inputs (timesteps, 2), it draws random weights in Keras's get_weights() order and shapes, rounds
them to float32 as Keras keeps them, and writes
- weights.npz: np.savez(path, *weights), exactly what a Python user would save;
- x.npy: float32 inputs (samples, 7, 2) made as the notebook makes its data;
- y.npy: float64 outputs (samples, 1) of the Keras formulas (make_fixtures.py) in float64.
Short sequences (7 timesteps) keep the files small; the Java model takes any length.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import gru, lstm, simple_rnn  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "resources", "reference", "predict")
UNITS, FEATURES, STEPS, SAMPLES = 30, 2, 7, 32


def chapter_inputs(rng):
    x = np.zeros((SAMPLES, STEPS, FEATURES))
    for s in range(SAMPLES):
        x[s, :, 1] = rng.rand(STEPS)
        x[s, rng.choice(STEPS, 2, replace=False), 0] = 1.0
    return x


def weights_of(kind, rng):
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    width = gates * UNITS

    def bias():
        return rng.uniform(-0.5, 0.5, (2, width) if kind == "gru" else (width,))

    ws = []
    for inputs in (FEATURES, UNITS):
        ws += [rng.uniform(-0.5, 0.5, (inputs, width)), rng.uniform(-0.5, 0.5, (UNITS, width)), bias()]
    ws += [rng.uniform(-0.5, 0.5, (UNITS, 1)), rng.uniform(-0.5, 0.5, (1,))]
    return [w.astype(np.float32) for w in ws]


def layer(kind, x, k, r, b):
    k, r, b = (w.astype(np.float64) for w in (k, r, b))
    if kind == "simple_rnn":
        return simple_rnn(x, k, r, b)
    if kind == "lstm":
        return lstm(x, k, r, b)
    return gru(x, k, r, b, True)


def stack(kind, x, ws):
    h = layer(kind, x, *ws[0:3])
    h = layer(kind, h, *ws[3:6])[:, -1]
    return h @ ws[6].astype(np.float64) + ws[7].astype(np.float64)


def main():
    rng = np.random.RandomState(20240607)
    x = chapter_inputs(rng).astype(np.float32)
    for kind in ("simple_rnn", "lstm", "gru"):
        ws = weights_of(kind, rng)
        folder = os.path.join(ROOT, kind)
        os.makedirs(folder, exist_ok=True)
        np.savez(os.path.join(folder, "weights.npz"), *ws)
        np.save(os.path.join(folder, "x.npy"), x)
        y = stack(kind, x.astype(np.float64), ws)
        np.save(os.path.join(folder, "y.npy"), y)
        print(kind, [w.shape for w in ws], "y range", y.min(), y.max())


if __name__ == "__main__":
    main()
