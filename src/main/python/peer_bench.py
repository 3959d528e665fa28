"""Times the chapter's three models in PyTorch and Keras, per epoch, to set beside `rnnbook bench`.

Not run by the Java tests. Needs numpy, and torch and/or TensorFlow with Keras 3 (skips, with one
line, a framework that is not installed):

    pip install torch==2.13.0+cpu tensorflow-cpu==2.21.0
    python3 src/main/python/peer_bench.py                  # writes results/peer_bench.csv

The same problem for every run: the notebook's multiplication data (3000 samples x 100 timesteps x
2 features, numpy seed 42), its first 2560 samples fitted with validation_split=0.2 (2048 trained
on in 64 steps of 32, shuffled each epoch; 512 validated), the chapter's stacks of two recurrent
layers of 30 units and Dense/Linear(1), Adam with Keras's defaults, mean squared error.

- PyTorch: CPU, one thread by default (torch.set_num_threads; `--torch-threads 2` measures two: on
  the chapter's 2-core machine two threads were slower, LSTM 0.62 s per epoch against 0.39 s,
  GRU 2.5 s against 1.9 s), nn.RNN (tanh) / nn.LSTM / nn.GRU with
  num_layers=2 and batch_first, a Linear(30, 1) on the last timestep; a plain loop over batches;
  validation as one no-grad forward pass over the 512 samples.
- Keras 3 on TensorFlow: CPU, TensorFlow's default threads, model.fit as the notebook calls it
  (its validation runs in batches of 32, Keras's default).

Each framework and model runs in a process of its own (so that thread settings and caches do not
mix). An "epoch" is the 64 training steps plus the validation; the first `--warmup` epochs are
untimed (tracing, allocator and cache warm-up), then the median, minimum and maximum of `--epochs`
epochs are written with the last training loss (a check that it trains).

`--pairs N` measures rnnbook beside one peer instead, as PERFORMANCE.md's pairs are measured: N
pairs of processes, rnnbook's `bench --repeats 1` (run by `--rnnbook`, default `java -jar
target/rnnbook.jar`, built by `./mvnw -q package -DskipTests`) and the peer's, one after the
other, the order reversed every pair, so that the machine's drift between minutes falls on both
sides alike. It prints and writes (`--out`, default results/peer_pairs.csv) each pair's epochs and
the peer's epoch over rnnbook's, and the median ratio per model:

    python3 src/main/python/peer_bench.py --pairs 8 --frameworks torch --models lstm
"""
import argparse
import csv
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from same_start import notebook_data  # the notebook's generator, as rnnbook's

MODELS = ("simple_rnn", "lstm", "gru")
FRAMEWORKS = ("torch", "keras")
UNITS = 30
COLUMNS = ["framework", "version", "model", "threads", "batch", "timesteps", "warmup_epochs", "epochs",
           "epoch_median_s", "epoch_min_s", "epoch_max_s", "step_median_ms", "last_loss"]
PAIR_COLUMNS = ["model", "pair", "first", "rnnbook_epoch_s", "rnnbook_step_ms", "framework", "peer_epoch_s",
                "peer_over_rnnbook"]


def split(args):
    """2560 fitted as in the notebook; the last 20 % of them validate, as Keras's validation_split."""
    x, y = (a.astype(np.float32) for a in notebook_data(args.seed, args.samples, args.timesteps))
    fit = args.samples * 2560 // 3000
    return x[:fit], y[:fit], int(fit * (1 - 0.2))  # Keras's validation_split keeps the floor


def run_torch(kind, args):
    import torch
    from torch import nn

    torch.set_num_threads(args.torch_threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    rnn = {"simple_rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]

    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = rnn(2, UNITS, num_layers=2, batch_first=True)
            self.dense = nn.Linear(UNITS, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.dense(out[:, -1, :])

    x, y, train = split(args)
    x, y = torch.from_numpy(x), torch.from_numpy(y).reshape(-1, 1)
    x_train, y_train, x_val, y_val = x[:train], y[:train], x[train:], y[train:]
    model = Stack()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(args.seed)
    times, steps, loss = [], [], float("nan")
    for epoch in range(args.warmup + args.epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(train, generator=generator)
        for i in range(0, train, args.batch):
            rows = order[i:i + args.batch]
            optimizer.zero_grad()
            batch_loss = loss_fn(model(x_train[rows]), y_train[rows])
            batch_loss.backward()
            optimizer.step()
        trained = time.perf_counter()
        model.eval()
        with torch.no_grad():
            loss_fn(model(x_val), y_val).item()
        loss = batch_loss.item()
        if epoch >= args.warmup:
            times.append(time.perf_counter() - start)
            steps.append((trained - start) / -(-train // args.batch))
    return torch.__version__, torch.get_num_threads(), times, steps, loss


def run_keras(kind, args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    x, y, train = split(args)
    model = keras.Sequential([
        keras.Input((x.shape[1], 2)),
        layer(UNITS, return_sequences=True),
        layer(UNITS),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")

    class Times(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs, self.steps = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_test_begin(self, logs=None):
            self.trained = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(time.perf_counter() - self.start)
            self.steps.append((self.trained - self.start) / -(-train // args.batch))

    times = Times()
    history = model.fit(x, y, batch_size=args.batch, epochs=args.warmup + args.epochs, validation_split=0.2,
                        callbacks=[times], verbose=0)
    threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    return ("keras %s / tensorflow %s" % (keras.__version__, tf.__version__), threads,
            times.epochs[args.warmup:], times.steps[args.warmup:], history.history["loss"][-1])


def run_one(framework, kind, args):
    version, threads, epochs, steps, loss = (run_torch if framework == "torch" else run_keras)(kind, args)
    return {"framework": framework, "version": version, "model": kind, "threads": threads,
            "batch": args.batch, "timesteps": args.timesteps, "warmup_epochs": args.warmup,
            "epochs": len(epochs), "epoch_median_s": statistics.median(epochs), "epoch_min_s": min(epochs),
            "epoch_max_s": max(epochs), "step_median_ms": statistics.median(steps) * 1e3, "last_loss": loss}


def run_rnnbook(command, kind):
    """rnnbook's `bench` of one model, one run: its epoch (s) and training step (ms), from bench.csv."""
    with tempfile.TemporaryDirectory() as results:
        try:
            done = subprocess.run(shlex.split(command) + ["bench", "--models", kind, "--repeats", "1",
                                                          "--results", results], capture_output=True, text=True)
        except OSError as e:
            sys.exit("peer_bench.py: --rnnbook %r cannot run: %s (build the jar with ./mvnw -q package "
                     "-DskipTests, or name another command)" % (command, e))
        if done.returncode != 0:
            sys.exit("peer_bench.py: %s bench failed (exit %d):\n%s"
                     % (command, done.returncode, (done.stderr or done.stdout)[-2000:]))
        with open(os.path.join(results, "bench.csv"), newline="") as f:
            row = next(csv.DictReader(f))
        return float(row["epoch_seconds"]), float(row["step_ms_median"])


def run_peer(framework, kind, common):
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", framework, kind] + common,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("peer_bench.py: %s %s failed:\n%s" % (framework, kind, done.stderr[-2000:]))
    return json.loads(done.stdout.strip().splitlines()[-1])


def pairs(args, frameworks, models, common):
    """--pairs: rnnbook and the peer alternating, the peer's epoch over rnnbook's per pair."""
    if len(frameworks) != 1:
        sys.exit("peer_bench.py: --pairs compares rnnbook with one peer; name it with --frameworks torch "
                 "or --frameworks keras")
    framework = frameworks[0]
    if not installed(framework):
        sys.exit("peer_bench.py: %s is not installed for %s" % (framework, sys.executable))
    rows = []
    for kind in models:
        for pair in range(1, args.pairs + 1):
            rnnbook_first = pair % 2 == 1
            if rnnbook_first:
                ours = run_rnnbook(args.rnnbook, kind)
                peer = run_peer(framework, kind, common)
            else:
                peer = run_peer(framework, kind, common)
                ours = run_rnnbook(args.rnnbook, kind)
            ratio = peer["epoch_median_s"] / ours[0]
            rows.append({"model": kind, "pair": pair, "first": "rnnbook" if rnnbook_first else framework,
                         "rnnbook_epoch_s": ours[0], "rnnbook_step_ms": ours[1], "framework": framework,
                         "peer_epoch_s": peer["epoch_median_s"], "peer_over_rnnbook": ratio})
            print("%-10s pair %2d: rnnbook %.4f s/epoch (step %.3f ms), %s %.4f s/epoch: %.2fx"
                  % (kind, pair, ours[0], ours[1], framework, peer["epoch_median_s"], ratio), flush=True)
        ratios = [r["peer_over_rnnbook"] for r in rows if r["model"] == kind]
        print("%-10s %s over rnnbook: median %.2fx, %.2f to %.2fx in %d pairs"
              % (kind, framework, statistics.median(ratios), min(ratios), max(ratios), len(ratios)), flush=True)
    return rows


def installed(framework):
    module = "torch" if framework == "torch" else "keras"
    probe = subprocess.run([sys.executable, "-c", "import " + module], capture_output=True)
    return probe.returncode == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS), help="comma-separated, of torch, keras")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated, of " + ", ".join(MODELS))
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per model (default: 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed epochs first (default: 1)")
    parser.add_argument("--torch-threads", type=int, default=1,
                        help="PyTorch's intra-op threads (default: 1, its fastest for these sizes)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--timesteps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", help="the CSV written (default: results/peer_bench.csv, with --pairs "
                        "results/peer_pairs.csv)")
    parser.add_argument("--pairs", type=int, default=0,
                        help="alternate rnnbook's bench and one peer N times per model (see above)")
    parser.add_argument("--rnnbook", default="java -jar target/rnnbook.jar",
                        help="how --pairs runs rnnbook (default: %(default)s)")
    parser.add_argument("--one", nargs=2, metavar=("FRAMEWORK", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args)))
        return
    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not frameworks or any(f not in FRAMEWORKS for f in frameworks):
        parser.error("--frameworks: expected some of %s, received %r" % (list(FRAMEWORKS), args.frameworks))
    if not models or any(m not in MODELS for m in models):
        parser.error("--models: expected some of %s, received %r" % (list(MODELS), args.models))
    if args.epochs < 1 or args.warmup < 0 or args.batch < 1 or args.pairs < 0:
        parser.error("--epochs must be >= 1, --warmup >= 0, --batch >= 1 and --pairs >= 0, received %d, %d, "
                     "%d and %d" % (args.epochs, args.warmup, args.batch, args.pairs))
    if args.pairs and (args.batch, args.samples, args.timesteps) != (32, 3000, 100):
        parser.error("--pairs compares with rnnbook's bench, which measures batch 32 of the 3000 samples of "
                     "100 timesteps; leave --batch, --samples and --timesteps as they are")
    out = args.out or os.path.join("results", "peer_pairs.csv" if args.pairs else "peer_bench.csv")

    common = ["--epochs", str(args.epochs), "--warmup", str(args.warmup), "--batch", str(args.batch),
              "--samples", str(args.samples), "--timesteps", str(args.timesteps), "--seed", str(args.seed),
              "--torch-threads", str(args.torch_threads)]
    if args.pairs:
        rows, columns = pairs(args, frameworks, models, common), PAIR_COLUMNS
    else:
        rows, columns = [], COLUMNS
        for framework in frameworks:
            if not installed(framework):
                print("peer_bench.py: %s is not installed for %s; skipped" % (framework, sys.executable))
                continue
            for kind in models:
                row = run_peer(framework, kind, common)
                rows.append(row)
                print("%-6s %-10s %6.3f s/epoch (%.3f - %.3f), %.2f ms/step, loss %.4g, %s thread(s)"
                      % (framework, kind, row["epoch_median_s"], row["epoch_min_s"], row["epoch_max_s"],
                         row["step_median_ms"], row["last_loss"], row["threads"]), flush=True)
        if not rows:
            sys.exit("peer_bench.py: nothing measured (neither torch nor keras is installed)")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, out)
    print("wrote", out)


if __name__ == "__main__":
    main()
