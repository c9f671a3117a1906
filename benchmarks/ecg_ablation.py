"""Ablation on the ECG benchmark: training loss and augmentation of the clean beats.

For each recipe (loss x augmentation) a U-Net is trained under the same wall-time
budget on the training records of BENCHMARK.md, with the protocol's training
noise, then measured on

- the clean windows of each test record (and of two training records), fed in
  without noise: a denoiser should give them back unchanged, so the output SNR
  of a clean input says how much of an unfamiliar recording it reshapes; the
  error is split by frequency band;
- the protocol's test set: mean SNR improvement per noise type and input SNR.

Usage::

    python benchmarks/ecg_ablation.py --data-dir ../shared/data/physionet \\
        --budget-minutes 3 --out benchmarks/results/ecg_ablation

Writes ``README.md`` (tables) and ``results.csv`` in ``--out``.
"""

import argparse
import csv
import datetime
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _report import preamble  # noqa: E402
from ecg import markdown_table  # noqa: E402

DEFAULT_TRAIN = "100 101 103 106 112 113 115 116 117 122".split()
DEFAULT_TEST = "118 119 121".split()
# The last band reaches the Nyquist frequency (180 Hz at MITDB's 360 Hz), included.
BANDS = ((0.0, 1.0), (1.0, 5.0), (5.0, 15.0), (15.0, 40.0), (40.0, None))
RECIPES = {
    "mse": ("mse", False),
    "snr": ("snr", False),
    "mse+aug": ("mse", True),
    "snr+aug": ("snr", True),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="benchmarks/ecg_ablation.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--train-records", nargs="+", default=DEFAULT_TRAIN)
    parser.add_argument("--test-records", nargs="+", default=DEFAULT_TEST)
    parser.add_argument(
        "--seen-records",
        nargs="*",
        default=["100", "117"],
        help="training records whose clean windows are also measured",
    )
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=RECIPES)
    parser.add_argument("--budget-minutes", type=float, default=3.0)
    parser.add_argument("--test-windows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    return parser.parse_args(argv)


def snr_db(clean, estimate):
    return 10 * np.log10(
        np.sum(clean**2, axis=1) / np.sum((clean - estimate) ** 2, axis=1)
    )


def band_errors(clean, estimate):
    """Error energy per frequency band, in % of the clean energy."""
    freqs = np.fft.rfftfreq(clean.shape[1], 1.0 / protocol.SAMPLING_RATE)
    error = np.abs(np.fft.rfft(clean - estimate, axis=1)) ** 2
    total = np.sum(np.abs(np.fft.rfft(clean, axis=1)) ** 2)
    return {
        band_name(lo, hi): 100
        * error[:, (freqs >= lo) & ((freqs < hi) if hi is not None else True)].sum()
        / total
        for lo, hi in BANDS
    }


def band_name(lo, hi):
    return f"{lo:g}-{protocol.SAMPLING_RATE / 2 if hi is None else hi:g} Hz"


def train(recipe, args, windows, noise, log):
    from _ecg_training import TimeBudget

    from skdenoise import UNetDenoiser
    from skdenoise.augment import AugmentationChain, RandomFlip, RandomTimeWarp

    loss, augmented = RECIPES[recipe]
    augment = (
        AugmentationChain([RandomFlip(sign=True, time=True), RandomTimeWarp()])
        if augmented
        else None
    )
    budget = TimeBudget(args.budget_minutes * 60, recipe, 1e-3, log)
    model = UNetDenoiser(
        filters=8,
        depth=4,
        kernel_size=9,
        residual=True,
        noise=noise,
        augment=augment,
        loss=loss,
        epochs=100_000,
        batch_size=64,
        validation_split=0.05,
        callbacks=[budget],
        random_state=args.seed,
    )
    start = time.perf_counter()
    model.fit(windows)
    return model, time.perf_counter() - start, budget.steps


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/ecg_ablation.py", *argv])

    def log(message):
        print(message, flush=True)

    log(f"command: {command}")
    try:
        # A test record trained on would be reported as unseen.
        protocol.check_record_lists(
            args.train_records, [], args.test_records, args.data_dir
        )
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"ecg_ablation.py: error: {exc}") from None
    windows = protocol.training_windows(
        args.train_records, args.data_dir, seed=args.seed
    )
    noise = protocol.training_noise(args.data_dir, (-6.0, 24.0))
    clean_test, _, noisy = protocol.build_test_set(
        args.test_records, args.data_dir, n_windows=args.test_windows
    )
    records = {
        r: protocol.clean_windows(r, args.data_dir)[: args.test_windows]
        for r in [*args.test_records, *args.seen_records]
    }
    rows = []
    for recipe in args.recipes:
        log(f"recipe {recipe}: training ({args.budget_minutes:g} min)")
        model, seconds, steps = train(recipe, args, windows, noise, log)
        for record, clean in records.items():
            estimate = model.transform(clean)
            row = {
                "recipe": recipe,
                "train_s": round(seconds, 1),
                "steps": steps,
                "kind": "clean input",
                "record": record,
                "seen": record in args.train_records,
                "value_db": float(np.mean(snr_db(clean, estimate))),
            }
            row.update(
                {k: round(v, 3) for k, v in band_errors(clean, estimate).items()}
            )
            rows.append(row)
            log(f"  clean {record}: output SNR {row['value_db']:.2f} dB")
        for (kind, level), x in noisy.items():
            estimate = model.transform(x)
            gain = np.mean(snr_db(clean_test, estimate) - snr_db(clean_test, x))
            rows.append(
                {
                    "recipe": recipe,
                    "train_s": round(seconds, 1),
                    "steps": steps,
                    "kind": f"{kind} {level:+g} dB",
                    "record": "+".join(args.test_records),
                    "seen": False,
                    "value_db": float(gain),
                }
            )
        del model
    with (out / "results.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    (out / "README.md").write_text(
        markdown(rows, args, command) + "\n", encoding="utf-8"
    )
    log(f"written to {out}")


def markdown(rows, args, command):
    recipes = list(dict.fromkeys(r["recipe"] for r in rows))
    band_names = [band_name(lo, hi) for lo, hi in BANDS]
    lines = [
        *preamble(
            "# ECG ablation: training loss and augmentation (U-Net)",
            command,
        ),
        f"Written {datetime.datetime.now().isoformat(timespec='seconds')}; "
        f"{args.budget_minutes:g} min of training per recipe, "
        f"TF_NUM_INTRAOP_THREADS={os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}; "
        "U-Net (filters 8, depth 4, kernel 9, residual), batch 64, Adam 1e-3 on a "
        "cosine of the budget; protocol training noise at U(-6, 24) dB. "
        "`aug`: random sign flip and time reversal (p=0.5 each) and a time warp "
        "by a factor in [0.8, 1.25], drawn per batch.",
        "",
        "## Clean input: output SNR (dB); higher is better, the input is exact",
        "",
    ]
    clean = [x for x in rows if x["kind"] == "clean input"]
    clean_records = list(dict.fromkeys(x["record"] for x in clean))
    value = {(x["recipe"], x["kind"], x["record"]): x["value_db"] for x in rows}
    lines.append(
        markdown_table(
            [
                "recipe",
                *(
                    f"{r}{' (train)' if r in args.train_records else ''}"
                    for r in clean_records
                ),
            ],
            [
                [
                    recipe,
                    *(f"{value[recipe, 'clean input', r]:.1f}" for r in clean_records),
                ]
                for recipe in recipes
            ],
        )
    )

    def band_share(recipe, band):
        return np.mean(
            [
                x[band]
                for x in clean
                if x["recipe"] == recipe and x["record"] in args.test_records
            ]
        )

    lines += [
        "",
        "Error energy of the clean test records by band, % of their energy "
        "(all test records together):",
        "",
        markdown_table(
            ["recipe", *band_names],
            [
                [recipe, *(f"{band_share(recipe, b):.2f}" for b in band_names)]
                for recipe in recipes
            ],
        ),
    ]
    kinds = [k for k in dict.fromkeys(x["kind"] for x in rows) if k != "clean input"]
    table = []
    for recipe in recipes:
        values = [
            next(
                x["value_db"] for x in rows if x["recipe"] == recipe and x["kind"] == k
            )
            for k in kinds
        ]
        table.append(
            [recipe, *(f"{v:+.2f}" for v in values), f"{np.mean(values):+.2f}"]
        )
    lines += [
        "",
        "## Test set: mean SNR improvement (dB)",
        "",
        markdown_table(["recipe", *kinds, "mean"], table),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
