"""Generates the numpy reference fixtures under src/test/resources/reference/.

Run from the project root with python3 and numpy (no TensorFlow needed):

    python3 src/test/python/make_fixtures.py

1. layers/<case>/: random float64 weights and inputs and the outputs of the Keras formulas
   (SimpleRNN, LSTM, GRU with reset_after True and False, Dense), written independently of the
   Java code from the Keras (TF2) definitions.
2. numpy_data/seed_<S>/: the notebook's data loop after np.random.seed(S): the first and last 20
   samples of X and all of Y, to check the Java generator bit for bit.
"""
import os
import sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))
from same_start import notebook_data  # noqa: E402  (the notebook's generator, as rnnbook's)

ROOT = os.path.join(os.path.dirname(__file__), "..", "resources", "reference")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def simple_rnn(x, kernel, recurrent, bias):
    h = np.zeros((x.shape[0], kernel.shape[1]))
    out = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + bias + h @ recurrent)
        out.append(h)
    return np.stack(out, axis=1)


def lstm(x, kernel, recurrent, bias):
    u = recurrent.shape[0]
    h = np.zeros((x.shape[0], u))
    c = np.zeros((x.shape[0], u))
    out = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1)


def gru(x, kernel, recurrent, bias, reset_after):
    u = recurrent.shape[0]
    h = np.zeros((x.shape[0], u))
    out = []
    for t in range(x.shape[1]):
        if reset_after:
            mx = x[:, t] @ kernel + bias[0]
            mh = h @ recurrent + bias[1]
            z = sigmoid(mx[:, :u] + mh[:, :u])
            r = sigmoid(mx[:, u:2 * u] + mh[:, u:2 * u])
            hh = np.tanh(mx[:, 2 * u:] + r * mh[:, 2 * u:])
        else:
            mx = x[:, t] @ kernel + bias
            z = sigmoid(mx[:, :u] + h @ recurrent[:, :u])
            r = sigmoid(mx[:, u:2 * u] + h @ recurrent[:, u:2 * u])
            hh = np.tanh(mx[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
        h = z * h + (1 - z) * hh
        out.append(h)
    return np.stack(out, axis=1)


def save(folder, **arrays):
    os.makedirs(folder, exist_ok=True)
    for name, a in arrays.items():
        np.save(os.path.join(folder, name + ".npy"), np.asarray(a, dtype=np.float64))


def layer_cases():
    rng = np.random.RandomState(20191101)
    batch, steps, features, units = 3, 6, 4, 5
    x = rng.uniform(-1, 1, (batch, steps, features))
    cases = {
        "simple_rnn": (1, lambda k, r, b: simple_rnn(x, k, r, b), (units,)),
        "lstm": (4, lambda k, r, b: lstm(x, k, r, b), (4 * units,)),
        "gru": (3, lambda k, r, b: gru(x, k, r, b, True), (2, 3 * units)),
        "gru_reset_before": (3, lambda k, r, b: gru(x, k, r, b, False), (3 * units,)),
    }
    for name, (gates, fn, bias_shape) in cases.items():
        kernel = rng.uniform(-0.5, 0.5, (features, gates * units))
        recurrent = rng.uniform(-0.5, 0.5, (units, gates * units))
        bias = rng.uniform(-0.5, 0.5, bias_shape)
        save(os.path.join(ROOT, "layers", name), x=x, kernel=kernel, recurrent_kernel=recurrent,
             bias=bias, y=fn(kernel, recurrent, bias))
    kernel = rng.uniform(-1, 1, (features, 3))
    bias = rng.uniform(-1, 1, (3,))
    x2 = x[:, 0]
    save(os.path.join(ROOT, "layers", "dense"), x=x2, kernel=kernel, bias=bias, y=x2 @ kernel + bias)


def data_cases():
    for seed in (0, 7, 2024):
        X, Y = notebook_data(seed)
        save(os.path.join(ROOT, "numpy_data", "seed_%d" % seed), X_head=X[:20], X_tail=X[-20:], Y=Y)


def published_values():
    """Keras's own documented outputs, recomputed here as a check of the formulas above."""
    x = np.arange(72, dtype=np.float64).reshape(3, 6, 4)
    u = 3
    b = np.full(4 * u, 0.03)
    b[u:2 * u] = 1.0
    print("LSTM", lstm(x, np.full((4, 4 * u), 0.01), np.full((u, 4 * u), 0.02), b)[:, -1, 0])
    print("GRU", gru(x, np.full((4, 3 * u), 0.01), np.full((u, 3 * u), 0.02),
                     np.full((2, 3 * u), 0.03), True)[:, -1, 0])
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    print("SimpleRNN", simple_rnn(x, np.full((4, 4), 0.01), np.full((4, 4), 0.02),
                                  np.full(4, 0.03))[:, -1, 0])


if __name__ == "__main__":
    layer_cases()
    data_cases()
    published_values()
