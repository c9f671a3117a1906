"""Training throughput: ``UNetDenoiser.fit`` against plain Keras ``model.fit``.

The same small U-Net (filters=8, depth=4, kernel_size=9) on the same clean ECG
windows (512 samples, from the ECG benchmark's training records), trained side
by side:

- ``UNetDenoiser.fit(X_clean)`` with the ECG benchmark's recipe: noise drawn
  on the fly every epoch (the protocol's training noise), the clean windows
  augmented per batch, the SNR loss;
- plain Keras ``model.fit(inputs, targets)`` on arrays built once beforehand
  (one draw of the same noise, standardised per window as the denoiser does),
  with the same network (a clone of the denoiser's Keras model, same loss and
  optimizer) and the same batch size.

The two run in ``--pairs`` pairs, alternating which goes first. Each run's
first epoch (which traces the training step) is left out of its throughput.
The machine's load average is recorded around every run: on a shared machine
the ratio within a pair is what compares.

Example::

    python benchmarks/training_speed.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/training_speed
"""

import argparse
import csv
import datetime
import json
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _precision import CHOICES as PRECISION_CHOICES  # noqa: E402
from _precision import resolve_precision  # noqa: E402
from _report import load_average, preamble  # noqa: E402

DEFAULT_RECORDS = "100 101 103 106 112 113 115 116".split()
AUGMENT = ["flip", "time-flip", "warp"]
UNET = {"filters": 8, "depth": 4, "kernel_size": 9}
FIT = "UNetDenoiser.fit"
KERAS = "keras model.fit"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="benchmarks/training_speed.py",
        description="Training throughput of UNetDenoiser.fit against plain Keras.",
    )
    parser.add_argument(
        "--data-dir", required=True, help="folder with mitdb/ and nstdb/ (PhysioNet)"
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--records",
        nargs="+",
        default=DEFAULT_RECORDS,
        help="MITDB records the clean windows come from (default: %(default)s)",
    )
    parser.add_argument(
        "--windows", type=int, default=2048, help="training windows (default: 2048)"
    )
    parser.add_argument(
        "--pairs", type=int, default=3, help="pairs of runs (default: 3)"
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=8,
        help="epochs per run, the first one not timed (default: 8)",
    )
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISION_CHOICES,
        help="dtype policy of the network on both sides (default: auto, the ECG "
        "benchmark's: mixed bfloat16 where bfloat16 runs in hardware, float32 "
        "elsewhere; the committed runs before 2026-12-07 used mixed_bfloat16)",
    )
    parser.add_argument(
        "--jit-compile",
        choices=("on", "off"),
        default="off",
        help="XLA on both sides: UNetDenoiser(jit_compile=True) and Keras' "
        "compile(jit_compile=True) (default: off, Keras' own choice on a CPU, "
        "as the committed runs before 2026-12-07)",
    )
    parser.add_argument(
        "--clean-fraction",
        type=float,
        default=0.1,
        help="share of the training windows fed in clean by fit (default: 0.1)",
    )
    args = parser.parse_args(argv)
    for name in ("windows", "pairs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch is not timed)")
    return args


def _epoch_timer(keras):
    class EpochTimer(keras.callbacks.Callback):
        """Wall time and process CPU time of every epoch."""

        def __init__(self):
            super().__init__()
            self.times = []
            self.cpu_times = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()
            self._cpu_start = time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._start)
            self.cpu_times.append(time.process_time() - self._cpu_start)

    return EpochTimer()


def _standardise(noisy, clean):
    """Per-window standardisation by the noisy window's mean and std."""
    mean = noisy.mean(axis=1, keepdims=True)
    std = noisy.std(axis=1, keepdims=True)
    std[std == 0] = 1.0
    return (noisy - mean) / std, (clean - mean) / std


def _pad(X, length):
    total = length - X.shape[1]
    return np.pad(X, ((0, 0), (total // 2, total - total // 2)))


def run_fit(args, clean, noise, keras):
    """One run of UNetDenoiser.fit; returns the epoch times."""
    from skdenoise import UNetDenoiser
    from skdenoise.augment import from_names

    timer = _epoch_timer(keras)
    UNetDenoiser(
        **UNET,
        noise=noise,
        augment=from_names(AUGMENT),
        loss="snr",
        clean_fraction=args.clean_fraction,
        precision=args.precision,
        jit_compile=args.jit_compile == "on",
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=0.0,
        patience=None,
        callbacks=[timer],
        random_state=args.seed,
        verbose=0,
    ).fit(clean)
    return timer.times, timer.cpu_times


def run_keras(args, template, inputs, targets, keras):
    """One run of plain Keras model.fit on pre-built arrays; the epoch times."""
    model = keras.models.clone_model(template)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=args.learning_rate),
        loss=template.loss,
        jit_compile=args.jit_compile == "on",
    )
    timer = _epoch_timer(keras)
    model.fit(
        inputs,
        targets,
        batch_size=args.batch_size,
        epochs=args.epochs,
        shuffle=True,
        callbacks=[timer],
        verbose=0,
    )
    return timer.times, timer.cpu_times


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/training_speed.py", *argv])
    args.precision, args.precision_reason = resolve_precision(args.precision)

    try:
        protocol.check_record_lists(args.records, [], [], args.data_dir)
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"benchmarks/training_speed.py: error: {exc}") from None
    clean = protocol.training_windows(
        args.records, args.data_dir, args.windows, seed=args.seed
    )
    if len(clean) < args.windows:
        raise SystemExit(
            f"benchmarks/training_speed.py: error: the records give {len(clean)} "
            f"windows, fewer than --windows {args.windows}"
        )
    noise = protocol.training_noise(args.data_dir, (-6.0, 24.0))

    from skdenoise import UNetDenoiser
    from skdenoise._tf import import_keras

    keras = import_keras()
    # The network of the denoiser, compiled by it (loss and all), for Keras.
    template = UNetDenoiser(
        **UNET,
        noise=noise,
        loss="snr",
        precision=args.precision,
        epochs=1,
        verbose=0,
        random_state=0,
    )
    template.fit(clean[: 2 * args.batch_size])
    template = template.model_
    noisy = noise.apply(clean, random_state=args.seed)
    inputs, targets = _standardise(noisy, clean)
    length = template.input_shape[1]
    inputs = _pad(inputs, length)[..., np.newaxis].astype(np.float32)
    targets = _pad(targets, length)[..., np.newaxis].astype(np.float32)

    rows = []
    for pair in range(args.pairs):
        order = [FIT, KERAS] if pair % 2 == 0 else [KERAS, FIT]
        for position, method in enumerate(order, start=1):
            load_start = load_average()
            start = time.perf_counter()
            if method == FIT:
                times, cpu_times = run_fit(args, clean, noise, keras)
            else:
                times, cpu_times = run_keras(args, template, inputs, targets, keras)
            wall = time.perf_counter() - start
            load_end = load_average()
            timed = sum(times[1:])
            cpu = sum(cpu_times[1:])
            samples = len(clean) * (len(times) - 1)
            rows.append(
                {
                    "pair": pair + 1,
                    "position": position,
                    "method": method,
                    "epochs_timed": len(times) - 1,
                    "samples": samples,
                    "timed_s": round(timed, 3),
                    "run_wall_s": round(wall, 3),
                    "samples_per_s": round(samples / timed, 1),
                    "cpu_s": round(cpu, 3),
                    "samples_per_cpu_s": round(samples / cpu, 1),
                    "load1_start": round(load_start[0], 2),
                    "load1_end": round(load_end[0], 2),
                }
            )
            print(
                f"pair {pair + 1} {method}: {samples / timed:,.0f} samples/s, "
                f"{samples / cpu:,.0f} per CPU second "
                f"(load {load_start[0]:.2f} -> {load_end[0]:.2f})",
                flush=True,
            )
    write_outputs(out, args, command, rows, template.count_params())
    return out


def write_outputs(out, args, command, rows, n_params):
    with (out / "results.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    speed = {(r["pair"], r["method"]): r["samples_per_s"] for r in rows}
    ratios = [speed[p, FIT] / speed[p, KERAS] for p in range(1, args.pairs + 1)]
    median = statistics.median(ratios)
    cpu_speed = {(r["pair"], r["method"]): r["samples_per_cpu_s"] for r in rows}
    cpu_ratios = [
        cpu_speed[p, FIT] / cpu_speed[p, KERAS] for p in range(1, args.pairs + 1)
    ]
    medians = {
        m: statistics.median(r["samples_per_s"] for r in rows if r["method"] == m)
        for m in (FIT, KERAS)
    }
    loads = [r[k] for r in rows for k in ("load1_start", "load1_end")]
    environment = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "TF_NUM_INTRAOP_THREADS": os.environ.get("TF_NUM_INTRAOP_THREADS"),
        "TF_NUM_INTEROP_THREADS": os.environ.get("TF_NUM_INTEROP_THREADS"),
    }
    if "tensorflow" in sys.modules:
        environment["tensorflow"] = sys.modules["tensorflow"].__version__
        environment["keras"] = sys.modules["keras"].__version__
    header = [
        "pair",
        "order",
        f"{FIT} (samples/s)",
        f"{KERAS} (samples/s)",
        "ratio",
        f"{FIT} (samples per CPU s)",
        f"{KERAS} (samples per CPU s)",
        "CPU ratio",
        "load (1 min) over the pair",
    ]
    lines = []
    for pair in range(1, args.pairs + 1):
        mine = [r for r in rows if r["pair"] == pair]
        first = mine[0]["method"]
        pair_loads = [r[k] for r in mine for k in ("load1_start", "load1_end")]
        lines.append(
            [
                pair,
                f"{first} first",
                f"{speed[pair, FIT]:,.0f}",
                f"{speed[pair, KERAS]:,.0f}",
                f"{ratios[pair - 1]:.3f}",
                f"{cpu_speed[pair, FIT]:,.0f}",
                f"{cpu_speed[pair, KERAS]:,.0f}",
                f"{cpu_ratios[pair - 1]:.3f}",
                f"{min(pair_loads):.2f}-{max(pair_loads):.2f}",
            ]
        )
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(str(c) for c in line) + " |" for line in lines]
    text = [
        *preamble(
            "# Training throughput: UNetDenoiser.fit against plain Keras model.fit",
            command,
        ),
        f"- written {datetime.datetime.now().isoformat(timespec='seconds')}; "
        f"{args.windows} clean windows of 512 samples (MITDB "
        f"{', '.join(args.records)}), U-Net filters=8, depth=4, kernel_size=9 "
        f"({n_params:,} parameters), batch {args.batch_size}, {args.epochs} epochs "
        f"per run, the first (tracing) not timed; layers in {args.precision} on "
        f"both sides ({args.precision_reason}); XLA "
        f"{'on both sides (jit_compile=True)' if args.jit_compile == 'on' else 'off'}"
        ".",
        f"- `{FIT}`: noise drawn on the fly every epoch (NSTDB bw/em/ma/mix at "
        "U(-6, 24) dB: the ECG benchmark's noise types, at levels up to 24 dB "
        "instead of its 30), clean windows "
        f"augmented per batch ({', '.join(AUGMENT)}), SNR loss.",
        f"- `{KERAS}`: the same network (a clone of the denoiser's Keras model, "
        "same loss, Adam at the same learning rate) on arrays built once "
        "beforehand: one draw of the same noise, standardised per window.",
        f"- {args.pairs} pairs, alternating which runs first; machine load "
        f"average (1 min) during the runs {min(loads):.2f} to {max(loads):.2f} "
        f"on {os.cpu_count()} CPUs.",
        f"- environment: {json.dumps(environment)}",
        "",
        table[0],
        *table[1:],
        "",
        f"**Median ratio {FIT} / {KERAS}: {median:.3f}** ({FIT} median "
        f"{medians[FIT]:,.0f} samples/s, {KERAS} median {medians[KERAS]:,.0f} "
        "samples/s). "
        f"**Median ratio of the throughput per process CPU second: "
        f"{statistics.median(cpu_ratios):.3f}** (what the loop costs, whatever "
        "else the machine runs).",
        "",
        "Every run in `results.csv` (samples per second of wall time and of "
        "process CPU time over the timed epochs, load average before and after "
        "the run).",
    ]
    (out / "README.md").write_text("\n".join(text) + "\n", encoding="utf-8")
    print(f"median ratio {median:.3f}; results written to {out}")


if __name__ == "__main__":
    main()
