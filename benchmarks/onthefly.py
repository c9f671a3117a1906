"""Noise added on the fly versus one fixed noisy copy, on real ECG and real noise.

The same UNetDenoiser, the same clean training windows (MIT-BIH training records of
../shared/BENCHMARK.md), the same noise distribution (NSTDB bw/em/ma channel 0,
samples [0, 325000), mixed with random weights, SNR drawn per window) and the same
number of epochs; the only difference is whether the noisy inputs are drawn once
(``fit(X_noisy_fixed, X_clean)``) or afresh every epoch (``noise=`` and
``fit(X_clean)``). Both are scored on the test records with test noise from
channel 1, samples [325000, 650000), as in the benchmark protocol.

Example::

    python benchmarks/onthefly.py --data-dir ../shared/data/physionet \
        --out benchmarks/results/onthefly
"""

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfiltfilt

from skdenoise.datasets import load_mitdb_record, load_nstdb_noise, make_windows
from skdenoise.metrics import snr_improvement
from skdenoise.noise import NoiseMixture, RecordedNoise

TRAIN_RECORDS = ["100", "101", "103", "106", "112", "113", "115", "116", "117", "122"]
TEST_RECORDS = ["118", "119", "121"]
NOISES = ["bw", "em", "ma"]
SPLIT = 325_000
WINDOW = 512


def clean_windows(data_dir, records):
    """High-passed (0.5 Hz, zero-phase, order 2) MITDB channel 0, 512-sample
    non-overlapping windows with their mean removed."""
    sos = butter(2, 0.5, btype="highpass", fs=360.0, output="sos")
    windows = []
    for record in records:
        signal = sosfiltfilt(sos, load_mitdb_record(record, data_dir, channel=0))
        windows.append(make_windows(signal, WINDOW, remove_mean=True))
    return windows


def noise_model(recordings, segment, kind, snr):
    parts = {name: RecordedNoise(recordings[name], segment=segment) for name in NOISES}
    if kind == "mix":
        return NoiseMixture(list(parts.values()), snr=snr)
    parts[kind].set_params(snr=snr)
    return parts[kind]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data/physionet")
    parser.add_argument(
        "--out",
        default="benchmarks/results/onthefly",
        metavar="STEM",
        help="writes STEM.csv and STEM.md (default: %(default)s)",
    )
    parser.add_argument("--n-train", type=int, default=800)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--test-windows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--train-snr",
        type=float,
        nargs=2,
        default=(-6.0, 30.0),
        help="range of training SNRs in dB, drawn per window",
    )
    args = parser.parse_args(argv)
    from skdenoise import UNetDenoiser

    rng = np.random.default_rng(args.seed)
    train = np.concatenate(clean_windows(args.data_dir, TRAIN_RECORDS))
    train = train[rng.permutation(len(train))[: args.n_train]]
    train_noise = {n: load_nstdb_noise(n, args.data_dir, channel=0) for n in NOISES}
    test_noise = {n: load_nstdb_noise(n, args.data_dir, channel=1) for n in NOISES}
    training = NoiseMixture(
        [RecordedNoise(train_noise[n], segment=(0, SPLIT)) for n in NOISES],
        snr=tuple(args.train_snr),
    )

    common = dict(filters=16, depth=4, kernel_size=9, epochs=args.epochs, batch_size=64)
    models = {}
    t0 = time.perf_counter()
    models["on the fly"] = UNetDenoiser(
        noise=training, random_state=args.seed, **common
    ).fit(train)
    time_fly = time.perf_counter() - t0
    fixed_inputs = training.apply(train, random_state=args.seed)
    t0 = time.perf_counter()
    models["fixed copy"] = UNetDenoiser(random_state=args.seed, **common).fit(
        fixed_inputs, train
    )
    time_fixed = time.perf_counter() - t0
    print(f"trained: on the fly {time_fly:.0f} s, fixed copy {time_fixed:.0f} s")

    test_sets = []
    for record_windows in clean_windows(args.data_dir, TEST_RECORDS):
        pick = np.random.default_rng(0).permutation(len(record_windows))
        test_sets.append(record_windows[np.sort(pick[: args.test_windows])])
    test = np.concatenate(test_sets)

    rows = []
    for kind in [*NOISES, "mix"]:
        for level in [-6, 0, 6, 12, 24]:
            model = noise_model(test_noise, (SPLIT, None), kind, float(level))
            noisy = model.apply(test, random_state=0)
            row = {"noise": kind, "input_snr": level}
            for name, denoiser in models.items():
                gain = snr_improvement(test, noisy, denoiser.transform(noisy))
                row[name] = round(float(gain), 2)
            rows.append(row)
            print(row, flush=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    wins = sum(r["on the fly"] > r["fixed copy"] for r in rows)
    mean_fly = np.mean([r["on the fly"] for r in rows])
    mean_fixed = np.mean([r["fixed copy"] for r in rows])
    lines = [
        "# Noise on the fly versus one fixed noisy copy (UNetDenoiser, real ECG)",
        "",
        f"Command: `python benchmarks/onthefly.py {' '.join(argv or sys.argv[1:])}`",
        "",
        f"{args.n_train} training windows, {args.epochs} epochs each, "
        f"filters=16, depth=4, training SNR U({args.train_snr[0]:g}, "
        f"{args.train_snr[1]:g}) dB; training {time_fly:.0f} s (on the fly) and "
        f"{time_fixed:.0f} s (fixed copy). Test: {len(test)} windows of records "
        f"{' '.join(TEST_RECORDS)}, test noise from NSTDB channel 1.",
        "",
        "Mean SNR improvement in dB:",
        "",
        "| noise | input SNR | on the fly | fixed copy |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['noise']} | {r['input_snr']} | {r['on the fly']:+.2f} | "
        f"{r['fixed copy']:+.2f} |"
        for r in rows
    ]
    lines += [
        "",
        f"On the fly is better in {wins} of {len(rows)} conditions; mean "
        f"{mean_fly:+.2f} dB versus {mean_fixed:+.2f} dB.",
    ]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[-1:]))
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.csv')}")


if __name__ == "__main__":
    main()
