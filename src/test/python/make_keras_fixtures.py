"""Generates the Keras-file fixtures under src/test/resources/keras/ with real Keras.

Run from the project root with TensorFlow 2.16+ (Keras 3; made with TF 2.21, Keras 3.15.1):

    python src/test/python/make_keras_fixtures.py

For each case it builds a small Sequential, sets seeded random weights (biases included, so that
every weight shows in the outputs), and writes into src/test/resources/keras/<case>/:
- model.keras: model.save, Keras 3's zip of config.json, metadata.json and model.weights.h5;
- model.h5: model.save, the legacy HDF5 file as Keras 3 writes it (variable-length strings,
  weight names as paths such as sequential/lstm/lstm_cell/kernel);
- x.npy (float32 inputs) and y.npy (float32 model.predict(x)).
Two more cases are rewritten from Keras 3 files with h5py into the layouts older Keras wrote,
since tf.keras 2 cannot be installed beside Keras 3 here:
- tf2_h5/model.h5: as tf.keras 2.x writes it: fixed-length byte strings, Keras 2 layer configs
  (batch_input_shape, dtype "float32", time_major ...), weight names such as
  lstm_1/lstm_cell_1/kernel:0 (cells numbered as a second LSTM in a session names them);
- tf213_keras/model.keras: as tf.keras 2.13 to 2.15 write it: weights under
  _layer_checkpoint_dependencies/, whose counters also count each layer's second dict entry
  (lstm, lstm_2, dense).
Keras 3 cannot load either rewrite (it refuses Keras 2 options such as time_major); the Java
tests read them and compare with the original's y.npy.
And export/: model.export() of the lstm_dropout case (a SavedModel without Keras metadata);
weights_only/: the same model's weights without architecture, as Keras 3's save_weights and
tf.keras 2's save_weights("w.h5") write them (for the refusal tests).
"""
import json
import os
import shutil
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "keras")
L = keras.layers


def cases():
    return {
        "simple_rnn_stack": ((6, 3), [L.SimpleRNN(4, return_sequences=True), L.SimpleRNN(3),
                                      L.Dense(2, activation="relu")]),
        "lstm_dropout": ((5, 2), [L.LSTM(4, return_sequences=True), L.Dropout(0.3), L.LSTM(3),
                                  L.Dense(1, activation="sigmoid")]),
        "gru_reset_after": ((7, 2), [L.GRU(4, return_sequences=True), L.GRU(3), L.Dense(3, activation="softmax")]),
        "gru_reset_before": ((4, 3), [L.GRU(5, reset_after=False), L.Dense(2, activation="tanh")]),
        "no_bias": ((6, 2), [L.LSTM(3, use_bias=False, return_sequences=True), L.SimpleRNN(2, use_bias=False),
                             L.Dense(1, use_bias=False)]),
        "chapter_shape": ((100, 2), [L.GRU(3, return_sequences=True), L.LSTM(2), L.Dense(1)]),
    }


def build(shape, layers, seed):
    model = keras.Sequential([keras.Input(shape)] + layers)
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-0.8, 0.8, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def inputs(shape, seed, samples=8):
    return np.random.RandomState(seed).uniform(-1, 1, (samples,) + shape).astype(np.float32)


def write_case(name, model, x):
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    model.save(os.path.join(folder, "model.keras"))
    model.save(os.path.join(folder, "model.h5"))
    np.save(os.path.join(folder, "x.npy"), x)
    np.save(os.path.join(folder, "y.npy"), model.predict(x, verbose=0))


def keras2_config(layer):
    """A Keras 3 layer config as tf.keras 2.15's get_config writes it."""
    c = dict(layer["config"])
    c["dtype"] = "float32"
    if layer["class_name"] == "InputLayer":
        c["batch_input_shape"] = c.pop("batch_shape")
        c.pop("optional", None)
        return {"class_name": "InputLayer", "config": c}
    for key in ("seed", "quantization_config"):
        c.pop(key, None)
    for key, value in list(c.items()):
        if isinstance(value, dict) and "class_name" in value:
            c[key] = {"class_name": value["class_name"], "config": value["config"]}
    if layer["class_name"] in ("SimpleRNN", "LSTM", "GRU"):
        c["time_major"] = False
    if layer["class_name"] in ("LSTM", "GRU"):
        c["implementation"] = 2
    return {"class_name": layer["class_name"], "config": c}


def tf2_h5(source, target):
    """Rewrites a Keras 3 .h5 as tf.keras 2.x writes it."""
    with h5py.File(source, "r") as src, h5py.File(target, "w") as dst:
        config = json.loads(src.attrs["model_config"])
        config["config"]["layers"] = [keras2_config(l) for l in config["config"]["layers"]]
        config["config"]["dtype"] = "float32"
        dst.attrs["model_config"] = json.dumps(config).encode("utf8")
        dst.attrs["keras_version"] = b"2.15.0"
        dst.attrs["backend"] = b"tensorflow"
        weights = dst.create_group("model_weights")
        names = [n.decode() if isinstance(n, bytes) else n for n in src["model_weights"].attrs["layer_names"]]
        weights.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])  # fixed-length, as Keras 2
        weights.attrs["keras_version"] = b"2.15.0"
        weights.attrs["backend"] = b"tensorflow"
        for layer in names:
            g = src["model_weights"][layer]
            out = weights.create_group(layer)
            old = [n.decode() if isinstance(n, bytes) else n for n in g.attrs["weight_names"]]
            new = []
            for path in old:
                parts = path.split("/")[1:]  # drop the model name
                if len(parts) == 3:  # a cell weight: lstm_1/lstm_cell/kernel -> lstm_1/lstm_cell_1/kernel:0
                    suffix = parts[0][len(parts[1].replace("_cell", "")):]
                    parts[1] = parts[1] + suffix
                new.append("/".join(parts) + ":0")
                out.create_dataset(new[-1], data=g[path][()])
            out.attrs["weight_names"] = np.array([n.encode("utf8") for n in new]) if new else np.array([])


def tf213_keras(source, target):
    """Rewrites a Keras 3 .keras as tf.keras 2.13 to 2.15 write it."""
    with zipfile.ZipFile(source) as z:
        config = json.loads(z.read("config.json"))
        weights = z.read("model.weights.h5")
    config["config"]["layers"] = [dict(keras2_config(l), module="keras.layers", registered_name=None)
                                  for l in config["config"]["layers"]]
    tmp_in, tmp_out = target + ".in.h5", target + ".out.h5"
    with open(tmp_in, "wb") as f:
        f.write(weights)
    with h5py.File(tmp_in, "r") as src, h5py.File(tmp_out, "w") as dst:
        deps = dst.create_group("_layer_checkpoint_dependencies")
        counters = {}
        for layer in config["config"]["layers"][1:]:
            base = keras.src.utils.naming.to_snake_case(layer["class_name"])
            k3 = base if base not in counters else "%s_%d" % (base, counters[base] // 2 + 1)
            entries = 2 if layer["class_name"] != "Dropout" else 1  # layer_with_weights-K and layer-N
            n = counters.get(base, -1) + 1
            name = base if n == 0 else "%s_%d" % (base, n)
            counters[base] = n + entries - 1
            src.copy(src["layers"][k3 if k3 in src["layers"] else base], deps, name=name)
        dst.create_group("vars")
    with zipfile.ZipFile(target, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "2.15.0", "date_saved": "2024-01-05@10:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.write(tmp_out, "model.weights.h5")
    os.remove(tmp_in)
    os.remove(tmp_out)


def weights_only(model, folder):
    """Files without an architecture: Keras 3's save_weights, and the legacy layout tf.keras 2 wrote."""
    os.makedirs(folder, exist_ok=True)
    model.save_weights(os.path.join(folder, "keras3.weights.h5"))
    with h5py.File(os.path.join(ROOT, "tf2_h5", "model.h5"), "r") as src, \
            h5py.File(os.path.join(folder, "tf2.weights.h5"), "w") as dst:
        for key, value in src["model_weights"].attrs.items():
            dst.attrs[key] = value
        for layer in src["model_weights"]:
            src.copy(src["model_weights"][layer], dst, name=layer)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    for i, (name, (shape, layers)) in enumerate(cases().items()):
        model = build(shape, layers, seed=100 + i)
        write_case(name, model, inputs(shape, seed=200 + i))
        if name == "lstm_dropout":
            model.export(os.path.join(ROOT, "export"), verbose=False)
            for kind in ("tf2_h5", "tf213_keras"):
                os.makedirs(os.path.join(ROOT, kind), exist_ok=True)
                for f in ("x.npy", "y.npy"):
                    shutil.copy(os.path.join(ROOT, name, f), os.path.join(ROOT, kind, f))
            tf2_h5(os.path.join(ROOT, name, "model.h5"), os.path.join(ROOT, "tf2_h5", "model.h5"))
            tf213_keras(os.path.join(ROOT, name, "model.keras"), os.path.join(ROOT, "tf213_keras", "model.keras"))
            weights_only(model, os.path.join(ROOT, "weights_only"))
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print("wrote %s: %d KB" % (ROOT, total // 1024))


if __name__ == "__main__":
    main()
