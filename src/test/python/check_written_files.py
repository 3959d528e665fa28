"""Checks that Keras 3 loads the .keras and .h5 files rnnbook writes and predicts as rnnbook does.

    ./mvnw -q compile exec:java -Dexec.args="--epochs 2"           # writes savedmodels/<model>.keras
    for m in simple_rnn lstm gru; do ./mvnw -q exec:java -Dexec.args="convert --model savedmodels/$m --output savedmodels/$m.h5"; done
    python src/test/python/check_written_files.py savedmodels results

For each model it loads savedmodels/<model>.keras and .h5 with keras.models.load_model, predicts
the chapter's test set (X.npy of `rnnbook data`, or regenerated here with the notebook's loop and the
seed), and prints the largest difference from results/<model>/predictions.csv.
"""
import csv
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "python"))
from same_start import notebook_data  # noqa: E402  (the notebook's generator, as rnnbook's)


def main(savedmodels, results, seed=None):
    if seed is None:  # the run's own seed (the chapter's default changes)
        with open(os.path.join(results, "run.json")) as f:
            seed = int(json.load(f)["seed"])
    x, _ = notebook_data(seed)
    test = x[2560:].astype(np.float32)
    worst = 0.0
    for model in ("simple_rnn", "lstm", "gru"):
        with open(os.path.join(results, model, "predictions.csv")) as f:
            java = np.array([float(r["prediction"]) for r in csv.DictReader(f)], dtype=np.float32)
        for ext in ("keras", "h5"):
            path = os.path.join(savedmodels, model + "." + ext)
            if not os.path.exists(path):
                print(path, "absent")
                continue
            predicted = keras.models.load_model(path, compile=False).predict(test, verbose=0)[:, 0]
            diff = float(np.abs(predicted - java).max())
            worst = max(worst, diff)
            print("%-28s keras %s: %d predictions, max abs diff from predictions.csv %.3e"
                  % (path, keras.__version__, len(java), diff))
    sys.exit(0 if worst <= 1e-6 else 1)


if __name__ == "__main__":
    main(*sys.argv[1:3], *[int(a) for a in sys.argv[3:4]])
