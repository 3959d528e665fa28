"""Generates src/test/resources/reference/keras_training/: real Keras training of the chapter's stacks.

Run from the project root with TensorFlow and Keras installed (made with TensorFlow 2.21.0,
Keras 3.15.1, numpy 2.4.6 on CPU):

    python3 src/test/python/make_keras_training_fixtures.py

For each stack R(30, return_sequences=True) -> R(30) -> Dense(1) on (TIMESTEPS, 2) inputs, with R
SimpleRNN, LSTM, GRU (reset_after=True, Keras's default) and GRU(reset_after=False), compiled with
Adam() and "mse" (Keras's defaults), it writes <case>.npz holding:

    initial_K    the K-th array of get_weights() before training (Keras's own initializers)
    step_losses  the losses train_on_batch returned for steps 1..STEPS, each batch the BATCH samples
                 starting at (step - 1) * BATCH, wrapping around the first TRAIN samples
    after_1_K    get_weights() after step 1
    after_64_K   get_weights() after step 64
    fit_loss     a fresh model from the same initial weights: fit(x, y, batch_size=BATCH,
    fit_val_loss epochs=3, validation_split=0.2, shuffle=False)'s history (SAMPLES = 187, so
                 Keras trains on floor(187 * 0.8) = 149 samples, the last batch of 5, validates on 38)
    fused_step_losses  the step losses again, with Adam(beta_1=float32(0.9), beta_2=float32(0.999)):
                 Keras 3 computes 1 - beta in double before casting to float32 (1 - 0.999 ->
                 0.0010000000475), TensorFlow's fused ApplyAdam kernel (tf.keras 2's Adam, and
                 rnnbook's) in float32 (1.0f - 0.999f = 0.00099998713); with the betas rounded to
                 float32 first, Keras 3 computes the fused kernel's 1 - beta

The data is the notebook's multiplication problem after np.random.seed(DATA_SEED) with SAMPLES
samples of TIMESTEPS timesteps, which rnnbook regenerates bit for bit; keras.json records the
settings and the versions.
"""
import json
import os
import platform
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))
from same_start import notebook_data  # noqa: E402  (the notebook's generator, as rnnbook's)

ROOT = os.path.join(os.path.dirname(__file__), "..", "resources", "reference", "keras_training")
DATA_SEED = 11
WEIGHT_SEED = 2024
SAMPLES = 187
TIMESTEPS = 40
BATCH = 16
SPLIT = 0.2
STEPS = 64
UNITS = 30
CASES = {
    "simple_rnn": ("SimpleRNN", {}),
    "lstm": ("LSTM", {}),
    "gru": ("GRU", {}),
    "gru_reset_before": ("GRU", {"reset_after": False}),
}


def build(keras, layer, kwargs, optimizer=None):
    r = getattr(keras.layers, layer)
    model = keras.Sequential([keras.Input((TIMESTEPS, 2)), r(UNITS, return_sequences=True, **kwargs),
                              r(UNITS, **kwargs), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(), loss="mse", jit_compile=False)
    return model


def step_losses(model, x, y, train, keep=()):
    """train_on_batch for STEPS steps; the losses, and get_weights() after the steps in keep."""
    losses, kept = [], {}
    for step in range(STEPS):
        rows = [(step * BATCH + i) % train for i in range(BATCH)]
        losses.append(float(model.train_on_batch(x[rows], y[rows])))
        if step + 1 in keep:
            kept[step + 1] = model.get_weights()
    return np.array(losses), kept


def main():
    import keras
    import tensorflow as tf

    os.makedirs(ROOT, exist_ok=True)
    x, y = notebook_data(DATA_SEED, SAMPLES, TIMESTEPS)
    x, y = x.astype(np.float32), y.astype(np.float32)
    train = int(np.floor(SAMPLES * (1.0 - SPLIT)))
    for case, (layer, kwargs) in CASES.items():
        keras.utils.set_random_seed(WEIGHT_SEED)
        model = build(keras, layer, kwargs)
        initial = model.get_weights()
        out = {"initial_%d" % k: w for k, w in enumerate(initial)}
        losses, kept = step_losses(model, x, y, train, keep=(1, 64))
        for step, weights in kept.items():
            out.update({"after_%d_%d" % (step, k): w for k, w in enumerate(weights)})
        out["step_losses"] = losses
        fused = build(keras, layer, kwargs, keras.optimizers.Adam(beta_1=float(np.float32(0.9)),
                                                                  beta_2=float(np.float32(0.999))))
        fused.set_weights(initial)
        out["fused_step_losses"] = step_losses(fused, x, y, train)[0]
        fresh = build(keras, layer, kwargs)
        fresh.set_weights(initial)
        h = fresh.fit(x, y, batch_size=BATCH, epochs=3, validation_split=SPLIT, shuffle=False, verbose=0).history
        out["fit_loss"] = np.array(h["loss"])
        out["fit_val_loss"] = np.array(h["val_loss"])
        np.savez_compressed(os.path.join(ROOT, case + ".npz"), **out)
        print(case, "step losses", losses[:3], "...", losses[-1], "fit", h["loss"], h["val_loss"],
              "fused vs default: max relative %.1e" % np.max(np.abs(out["fused_step_losses"] - losses) / losses))
    with open(os.path.join(ROOT, "keras.json"), "w") as f:
        json.dump({"data_seed": DATA_SEED, "weight_seed": WEIGHT_SEED, "samples": SAMPLES, "timesteps": TIMESTEPS,
                   "batch_size": BATCH, "validation_split": SPLIT, "steps": STEPS, "units": UNITS,
                   "cases": {c: {"layer": l, **k} for c, (l, k) in CASES.items()},
                   "versions": {"python": platform.python_version(), "numpy": np.__version__,
                                "tensorflow": tf.__version__, "keras": keras.__version__}}, f, indent=2)


if __name__ == "__main__":
    main()
