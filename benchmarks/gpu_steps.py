"""What more optimiser steps (and a wider U-Net) buy the ECG recipe: a GPU probe.

The ECG bars are judged at 15 minutes of CPU per network (about 20,000 steps
of the shipped U-Net). This probe asks whether the recipe is limited by that
budget: the recipe of ``train_pretrained.py`` as it was when this probe was
written (same network, noise, clean share, augmentation, drift, hard-first
curriculum, cosine learning rate, best validation weights, gate and flip
averaging, the same training and validation records; validated on the
training noise, with one pass) is trained side by side in several arms, each
for a number of steps or a wall time, and each is scored on the benchmark's
test windows (records 118, 119, 121; protocol test noise) at 0 and 24 dB input
and on the clean windows themselves.

A GPU machine lent to the project may hold no TensorFlow (its image has JAX),
so the probe can run the package's own ``fit`` under Keras' JAX backend: with
``--backend jax`` the few TensorFlow-only pieces on the training path
(the ``tf.data`` wrapper of the batches, the runtime start, the distribution
check) are replaced by their plain Keras equivalents before the package is
imported. This is a diagnostic, not a supported way to run skdenoise.

The records travel as one packed file (``--pack``, run where the PhysioNet
folder is), which the probe reads instead of the WFDB files::

    python benchmarks/gpu_steps.py pack --data-dir ../shared/data/physionet \\
        --out .gpu/ecg_pack.npz
    KERAS_BACKEND=jax python benchmarks/gpu_steps.py train --backend jax \\
        --packed .gpu/ecg_pack.npz --label A --arm steps=20000 --out results/a.json
    python benchmarks/gpu_steps.py score --packed .gpu/ecg_pack.npz \\
        --model skdenoise/pretrained/ecg_unet.skdenoise --out results/cpu.json

``score`` scores a saved estimator file (for example the shipped network,
trained on a CPU) the same way, for the row to compare with.
"""

import argparse
import json
import os
import sys
import time
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TEST_RECORDS = ["118", "119", "121"]
TEST_LEVELS = (0.0, 24.0)


# --------------------------------------------------------------------------
# The packed records
# --------------------------------------------------------------------------
def pack(data_dir, out):
    """Every record the probe reads, as exact integer codes, in one file."""
    from train_pretrained import TRAIN_RECORDS, VALIDATION_RECORDS

    from skdenoise.datasets import load_mitdb_record, load_nstdb_noise

    arrays = {}
    for record in [*TRAIN_RECORDS, *VALIDATION_RECORDS, *TEST_RECORDS]:
        x = load_mitdb_record(record, data_dir, channel=0)
        arrays[f"mitdb_{record}"] = _codes(x, f"mitdb {record}")
    for name in ("bw", "em", "ma"):
        for channel in (0, 1):
            x = load_nstdb_noise(name, data_dir, channel=channel)
            arrays[f"nstdb_{name}_{channel}"] = _codes(x, f"nstdb {name}")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    print(f"wrote {out} ({Path(out).stat().st_size / 1e6:.1f} MB)")


def _codes(x, label):
    # MITDB and NSTDB store 200 codes per mV; the codes are kept exactly.
    codes = np.round(np.asarray(x) * 200.0)
    if not np.array_equal(codes / 200.0, x) or np.abs(codes).max() > 32767:
        raise ValueError(f"{label} is not 200 integer codes per mV")
    return codes.astype(np.int16)


def use_packed(path):
    """Make the benchmark protocol read its records from a packed file."""
    import _ecg_protocol as protocol

    packed = dict(np.load(path))

    def mitdb(record, data_dir, channel=0, return_record=False, **kwargs):
        if channel != 0 or kwargs:
            raise ValueError("the packed file holds channel 0 of whole records")
        signal = packed[f"mitdb_{record}"] / 200.0
        if return_record:
            # As the loader's record: one channel, at MITDB's rate.
            return types.SimpleNamespace(
                signal=signal[:, np.newaxis], sampling_rate=360.0
            )
        return signal

    def nstdb(name, data_dir, channel=None, **kwargs):
        if channel is None or kwargs:
            raise ValueError("the packed file holds one whole channel at a time")
        return packed[f"nstdb_{name}_{channel}"] / 200.0

    protocol.load_mitdb_record = mitdb
    protocol.load_nstdb_noise = nstdb
    return protocol


# --------------------------------------------------------------------------
# Keras' JAX backend
# --------------------------------------------------------------------------
def use_jax_backend(workers=1):
    """Replace the TensorFlow-only pieces on the training path (see above).

    ``workers`` threads make the batches ahead of the training step.
    """
    if os.environ.get("KERAS_BACKEND") != "jax":
        raise SystemExit("--backend jax needs KERAS_BACKEND=jax in the environment")
    fake = types.ModuleType("tensorflow")
    fake.distribute = types.SimpleNamespace(has_strategy=lambda: False)
    fake.__version__ = "absent"
    sys.modules.setdefault("tensorflow", fake)
    import keras

    import skdenoise._tf as tf_module

    tf_module.import_keras = lambda: keras
    tf_module.import_tensorflow = lambda: sys.modules["tensorflow"]
    tf_module.start_runtime_quietly = lambda: None
    from skdenoise.neural import _batches

    def as_dataset(self, chunk=None):
        self._workers = workers
        return self, keras.callbacks.Callback()

    _batches.TrainingBatches.as_dataset = as_dataset
    from skdenoise.neural import _base

    # No tf.distribute strategy: one device, one replica.
    _base.predict_batch = lambda model, network_in: model.predict_on_batch(network_in)


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------
def score(model, protocol, n_windows=300):
    """Output SNR and SNR improvement on the test windows, per noise and level."""
    from skdenoise.metrics import snr

    clean, _, noisy = protocol.build_test_set(
        TEST_RECORDS, None, n_windows=n_windows, snrs=TEST_LEVELS
    )
    rows = {}
    for (kind, level), x in noisy.items():
        start = time.perf_counter()
        estimate = np.asarray(model.transform(x))
        seconds = time.perf_counter() - start
        before = snr(clean, x, per_series=True)
        after = snr(clean, estimate, per_series=True)
        rows[f"{kind}@{level:g}"] = {
            "input_snr": float(np.mean(before)),
            "output_snr": float(np.mean(after)),
            "improvement": float(np.mean(after - before)),
            "transform_s": round(seconds, 2),
        }
    estimate = np.asarray(model.transform(clean))
    rows["clean"] = {
        "output_snr": float(np.mean(snr(clean, estimate, per_series=True)))
    }
    return rows


# --------------------------------------------------------------------------
# Training one arm
# --------------------------------------------------------------------------
def parse_arm(items):
    """``steps=N`` or ``seconds=S``, and network overrides such as ``filters=16``."""
    arm = {}
    for item in items:
        key, _, value = item.partition("=")
        if not value:
            raise SystemExit(f"arm settings are key=value; got {item!r}")
        arm[key] = int(value) if value.lstrip("-").isdigit() else float(value)
    if ("steps" in arm) == ("seconds" in arm):
        raise SystemExit("an arm needs exactly one of steps=N or seconds=S")
    return arm


def train(args):
    if args.backend == "jax":
        use_jax_backend(args.workers)
    protocol = use_packed(args.packed)
    import keras
    from _ecg_training import NoiseCurriculum, TimeBudget, validation_scores
    from train_pretrained import (
        NETWORK,
        RECIPE,
        TRAIN_RECORDS,
        TRAIN_SNR,
        VALIDATION_RECORDS,
        recipe_network,
    )

    arm = parse_arm(args.arm)
    steps = arm.pop("steps", None)
    seconds = arm.pop("seconds", None)
    network_params = {**NETWORK, **{k: v for k, v in arm.items()}}

    def log(message):
        print(f"[{args.label}] {message}", flush=True)

    X_train = protocol.training_windows(TRAIN_RECORDS, None)
    noise = protocol.training_noise(None, TRAIN_SNR)
    validation = protocol.validation_set(VALIDATION_RECORDS, None, noise)
    budget = TimeBudget(
        seconds or 1.0,
        label=args.label,
        learning_rate=RECIPE["learning_rate"],
        log=log,
        max_steps=steps,
    )
    callbacks = [budget, NoiseCurriculum(noise, budget, 12.0, 0.5, "high")]
    if args.wall_cap is not None:
        callbacks.append(WallCap(args.wall_cap, log))
    # Its committed runs trained in the recipe's mixed bfloat16, on GPUs that
    # have it (not "auto": that asks TensorFlow for the GPU, under JAX too).
    network_params.setdefault("precision", "mixed_bfloat16")
    network = recipe_network(
        noise, callbacks, n_passes=1, seed=args.seed, **network_params
    )
    log(
        f"backend {keras.backend.backend()}, devices "
        f"{[str(d) for d in _devices()]}; {len(X_train)} training windows, "
        f"budget {budget.describe()}, network {network_params}"
    )
    start = time.perf_counter()
    network.fit(X_train, validation_data=validation)
    wall = time.perf_counter() - start
    log(
        f"trained in {wall:.0f} s: {budget.steps} steps, best epoch {budget.best_epoch}"
    )
    result = {
        "label": args.label,
        "backend": keras.backend.backend(),
        "devices": [str(d) for d in _devices()],
        "network": network_params,
        "budget": {"steps": steps, "seconds": seconds},
        "steps": budget.steps,
        "epochs": budget.epochs_done,
        "best_epoch": budget.best_epoch,
        "best_validation_loss": budget.best,
        "train_time_s": round(wall, 1),
        "stopped_by_wall_cap": bool(args.wall_cap is not None and wall > args.wall_cap),
        "n_params": int(network.model_.count_params()),
        "n_passes": int(network.n_passes_),
        "validation": validation_scores(network, validation),
        "test": score(network, protocol),
        "command": " ".join(sys.argv),
    }
    return result


def WallCap(seconds, log):
    """A Keras callback that stops training after ``seconds`` of wall time."""
    import keras

    class _WallCap(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if time.perf_counter() - self.start > seconds:
                if not self.model.stop_training:
                    log(f"wall cap of {seconds:g} s reached: training stopped early")
                self.model.stop_training = True

    return _WallCap()


def _devices():
    import keras

    if keras.backend.backend() == "jax":
        import jax

        return jax.devices()
    import tensorflow as tf

    return tf.config.list_logical_devices()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="pack the records the probe reads")
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path)
    t = sub.add_parser("train", help="train and score one arm")
    t.add_argument("--packed", required=True, type=Path)
    t.add_argument("--backend", choices=["tensorflow", "jax"], default="tensorflow")
    t.add_argument("--label", default="arm")
    t.add_argument("--workers", type=int, default=1, help="threads making batches")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--wall-cap", type=float, default=None, help="stop any arm after S seconds"
    )
    t.add_argument("--arm", nargs="+", required=True, metavar="KEY=VALUE")
    t.add_argument("--out", required=True, type=Path)
    s = sub.add_parser("score", help="score a saved estimator file")
    s.add_argument("--packed", required=True, type=Path)
    s.add_argument("--model", required=True, type=Path)
    s.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.command == "pack":
        pack(args.data_dir, args.out)
        return 0
    if args.command == "train":
        result = train(args)
    else:
        protocol = use_packed(args.packed)
        import _ecg_protocol

        model = _ecg_protocol.load_saved(args.model, "gpu_steps.py")
        result = {
            "label": args.model.name,
            "test": score(model, protocol),
            "command": " ".join(sys.argv),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
