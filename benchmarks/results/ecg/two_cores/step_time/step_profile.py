# ruff: noqa
"""Where a training step's time goes: data pipeline vs network step."""

import sys, time

sys.path.insert(0, "benchmarks")
import numpy as np
import ecg
import _ecg_protocol as protocol
from _ecg_training import make_learned, fit_learned
import skdenoise.neural._batches as B

args = ecg.parse_args(
    [
        "--data-dir",
        "../shared/data/physionet",
        "--out",
        "/tmp/x",
        "--models",
        "unet",
        "--budget-minutes",
        "1",
    ]
)
X = protocol.training_windows(args.train_records, args.data_dir)
noise = protocol.training_noise(args.data_dir, args.train_snr)
print("train windows", X.shape)
acc = {"t": 0.0, "n": 0}
orig = B.TrainingBatches._batch


def timed(self, *a, **k):
    t = time.perf_counter()
    r = orig(self, *a, **k)
    acc["t"] += time.perf_counter() - t
    acc["n"] += 1
    return r


B.TrainingBatches._batch = timed
model, budget = make_learned(
    "unet",
    noise=noise,
    budget_s=60,
    learning_rate=5e-4,
    loss="snr",
    augment=ecg.training_augmentation(args),
    batch_size=64,
    recipe=ecg.recipe(args),
    curriculum=(*args.hard_first, "high"),
    seed=0,
    quick=False,
    overrides={},
    log=print,
    validation_records=False,
)
model.set_params(validation_split=0.0)
t = time.process_time()
w = time.perf_counter()
model.fit(X)
print(
    f"fit: {budget.steps} steps in {budget.train_time_s:.1f}s -> {1000 * budget.train_time_s / budget.steps:.1f} ms/step; "
    f"batches made {acc['n']} in {acc['t']:.1f}s -> {1000 * acc['t'] / max(acc['n'], 1):.1f} ms/batch; cpu {time.process_time() - t:.0f}s wall {time.perf_counter() - w:.0f}s"
)
# pure network steps on one fixed batch
import tensorflow as tf

km = model.model_
xb = np.random.default_rng(0).standard_normal((64, 512, 1)).astype("float32")
yb = xb * 0.5
ds = tf.data.Dataset.from_tensors((xb, yb)).repeat()
for n in (50, 300):
    w = time.perf_counter()
    km.fit(ds, steps_per_epoch=n, epochs=1, verbose=0)
    d = time.perf_counter() - w
print(f"pure keras fit: {1000 * d / 300:.1f} ms/step")
# pipeline alone
bt = B.TrainingBatches(
    None,
    X[:, :, None],
    noise=noise,
    augment=model.augment,
    batch_size=64,
    seed=0,
    network_input=B.NetworkInput(
        normalize=True, padding=lambda n: (0, 0), to_network=lambda a: a
    ),
    clean_fraction=0.1,
)
w = time.perf_counter()
for i in range(100):
    bt._batch(i, 0, bt._order)
print(f"pipeline alone: {10 * (time.perf_counter() - w):.1f} ms/batch")
