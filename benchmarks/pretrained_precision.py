"""The shipped ECG model in float32 against mixed bfloat16: time and output.

``skdenoise.pretrained.load`` computes in float32 by default, ``precision="trained"``
in the precision the network was trained in (mixed bfloat16 for the file shipped
until 2026-12-07, float32 since). This times ``transform`` of the network in float32
and in mixed bfloat16 (the same weights) on the first minutes of a MITDB record
(both leads), side by side and alternating, and gives the largest difference
between their outputs per lead::

    python benchmarks/pretrained_precision.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/pretrained/precision
"""

import argparse
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings

from _report import load_average  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--record", default="100")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.minutes > 0 or args.repeats < 1:
        parser.error("--minutes and --repeats must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    from skdenoise import pretrained
    from skdenoise.datasets import load_mitdb_record

    signal = load_mitdb_record(args.record, args.data_dir / "mitdb", channel=None)
    n = min(len(signal), int(round(args.minutes * 60 * 360)))
    X = np.ascontiguousarray(signal[:n][np.newaxis])  # (1, n, 2) in mV
    models = {
        name: pretrained.load("ecg", sampling_rate=360)
        for name in ("float32", "mixed_bfloat16")
    }
    # The same weights computing in mixed bfloat16, whatever the file's own.
    models["mixed_bfloat16"].estimator_.estimator_._compute_in("mixed_bfloat16")
    for model in models.values():  # traced before timing
        model.transform(X[:, :20000])
    times = {name: [] for name in models}
    outputs = {}
    start_load = load_average()
    for _ in range(args.repeats):
        for name, model in models.items():
            wall, cpu = time.perf_counter(), time.process_time()
            outputs[name] = model.transform(X)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    end_load = load_average()
    difference = np.abs(outputs["float32"] - outputs["mixed_bfloat16"])[0]
    span = np.ptp(X[0], axis=0)
    rows = []
    for name in models:
        wall = float(np.median([t[0] for t in times[name]]))
        cpu = float(np.median([t[1] for t in times[name]]))
        rows.append((name, wall, cpu))
    ratio = rows[1][1] / rows[0][1]
    lines = [
        "# The shipped ECG model in float32 and in mixed bfloat16",
        "",
        "Produced by:",
        "",
        "```",
        "python benchmarks/pretrained_precision.py "
        + shlex.join(sys.argv[1:] if argv is None else list(argv)),
        "```",
        "",
        f"Record {args.record}, its first {n} samples ({n / 360 / 60:.1f} min) of "
        f"both leads at 360 Hz; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, TF_NUM_INTRAOP_THREADS="
        f"{os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}; load average "
        f"{start_load[0]:.1f} at the start, {end_load[0]:.1f} at the end. "
        "Medians of the repeats, the two alternating.",
        "",
        "| precision | transform wall (s) | process CPU (s) |",
        "|---|---|---|",
        *(f"| {name} | {wall:.2f} | {cpu:.2f} |" for name, wall, cpu in rows),
        "",
        f"Wall-time ratio mixed bfloat16 / float32: {ratio:.2f}.",
        "",
        "Largest difference between the two outputs, per lead: "
        + ", ".join(
            f"lead {c}: {difference[:, c].max() * 1000:.2f} uV "
            f"({difference[:, c].max() / span[c]:.1e} of its range)"
            for c in range(difference.shape[1])
        )
        + ".",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
