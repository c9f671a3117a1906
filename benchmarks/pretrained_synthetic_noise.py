"""The pretrained ECG denoiser on noise it did not train on: skdenoise's models.

The shipped model learned the NSTDB's recorded noise (baseline wander,
electrode motion, muscle). This script measures what it gains on the
synthetic noise models of :mod:`skdenoise.noise` at a given input SNR, on

- the benchmark's clean test windows (``--windows`` per test record, drawn
  with the protocol's seed; 512 samples at 360 Hz, mean removed), and
- as many windows of :func:`skdenoise.datasets.make_ecg`'s synthetic ECG
  (seed 0, mean removed),

each noisy window with its own noise (seed 0), scaled to the input SNR
exactly. The mean SNR improvement over the windows, in dB, next to the
model's gain on the NSTDB noise at the same level (the benchmark's own test
set). No choice of the model is made here (it is the shipped one); the
numbers document its limits. Writes ``results.csv`` and ``README.md``::

    python benchmarks/pretrained_synthetic_noise.py \\
        --data-dir ../shared/data/physionet \\
        --out benchmarks/results/pretrained/synthetic_noise
"""

import argparse
import csv
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _report import load_average

TEST_RECORDS = ("118", "119", "121")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="folder with mitdb/, nstdb/")
    parser.add_argument("--out", required=True, help="folder for the results")
    parser.add_argument("--windows", type=int, default=100, help="per test record")
    parser.add_argument("--snr", type=float, default=0.0, help="input SNR in dB")
    return parser.parse_args(argv)


def models(rate):
    from skdenoise.noise import BaselineWander, MuscleNoise, WhiteNoise

    return {
        "WhiteNoise": lambda snr: WhiteNoise(snr=snr),
        "MuscleNoise": lambda snr: MuscleNoise(snr=snr, sampling_rate=rate),
        "BaselineWander": lambda snr: BaselineWander(snr=snr, sampling_rate=rate),
    }


def gain(denoiser, clean, noisy):
    from skdenoise.metrics import snr

    out = denoiser.transform(noisy)
    improvement = snr(clean, out, per_series=True) - snr(clean, noisy, per_series=True)
    return float(np.mean(improvement))


def main(argv=None):
    args = parse_args(argv)
    from skdenoise import pretrained
    from skdenoise.datasets import make_ecg

    rate = protocol.SAMPLING_RATE
    clean, _, nstdb = protocol.build_test_set(
        list(TEST_RECORDS), args.data_dir, n_windows=args.windows, snrs=[args.snr]
    )
    synthetic = make_ecg(len(clean), clean.shape[1], random_state=0)
    synthetic = synthetic - synthetic.mean(axis=1, keepdims=True)
    denoiser = pretrained.load("ecg", sampling_rate=rate)
    rows = []
    started = time.perf_counter()
    for name, make in models(rate).items():
        noise = make(args.snr)
        for data, windows in (("test records", clean), ("make_ecg", synthetic)):
            noisy = noise.apply(windows, random_state=0)
            rows.append((name, data, gain(denoiser, windows, noisy)))
    for (kind, _), noisy in sorted(nstdb.items()):
        if kind != protocol.CLEAN:
            rows.append((f"NSTDB {kind}", "test records", gain(denoiser, clean, noisy)))
    elapsed = time.perf_counter() - started
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["noise", "windows", "snr_in_db", "improvement_db"])
        for name, data, value in rows:
            writer.writerow([name, data, args.snr, f"{value:.4f}"])
    command = "python benchmarks/pretrained_synthetic_noise.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    lines = [
        "# The pretrained ECG denoiser on noise it did not train on",
        "",
        "Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        f"Written {time.strftime('%Y-%m-%dT%H:%M:%S')}; {len(clean)} windows of the "
        f"test records {' '.join(TEST_RECORDS)} ({args.windows} per record, the "
        f"protocol's draw) and as many of make_ecg (seed 0), each window's mean "
        f"removed; input SNR {args.snr:g} dB; denoising took {elapsed:.0f} s "
        f"(load average {load_average()[0]:.1f} at the end).",
        "",
        "| noise | windows | mean SNR improvement (dB) |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {data} | {value:+.2f} |" for name, data, value in rows]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
