"""Fixed costs a user pays before any denoising: imports, loading, synthetic data.

Each quantity is measured ``--repeats`` times in fresh subprocesses (imports)
or in this process (the rest) and reported as the median, with the machine's
load average. The targets are written in ``benchmarks/README.md``; they are
checked here, never as timed assertions in the tests.

    python benchmarks/overheads.py --out benchmarks/results/overheads
"""

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings

from _report import load_average, preamble  # noqa: E402

# What each step must cost at most (seconds), as a median. The import's
# target is over scikit-learn's own import, which it cannot avoid.
TARGETS = {
    "import sklearn.base (reference)": None,
    "import skdenoise (metrics, noise, baselines)": None,
    "skdenoise's import over sklearn.base's": 0.3,
    "import tensorflow": None,
    "pretrained.load, warm (second call)": 2.0,
    "make_ecg(200, 512)": 3.0,
}

IMPORTS = {
    "import sklearn.base (reference)": "import sklearn.base",
    "import skdenoise (metrics, noise, baselines)": (
        "import skdenoise, skdenoise.metrics, skdenoise.noise, skdenoise.baselines"
    ),
    "import tensorflow": "import tensorflow",
}


def time_import(statement):
    code = (
        "import time; t = time.perf_counter(); "
        f"{statement}; print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def time_call(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; got {args.repeats}")
    args.out.mkdir(parents=True, exist_ok=True)
    load_before = load_average()[0]

    times = {name: [] for name in IMPORTS}
    for _ in range(args.repeats):  # side by side, so that the differences pair up
        for name, statement in IMPORTS.items():
            times[name].append(time_import(statement))

    times["skdenoise's import over sklearn.base's"] = [
        a - b
        for a, b in zip(
            times["import skdenoise (metrics, noise, baselines)"],
            times["import sklearn.base (reference)"],
            strict=True,
        )
    ]

    from skdenoise import pretrained
    from skdenoise.datasets import make_ecg

    pretrained.load("ecg", sampling_rate=360)  # Keras imported and warm
    times["pretrained.load, warm (second call)"] = time_call(
        lambda: pretrained.load("ecg", sampling_rate=250), args.repeats
    )
    times["make_ecg(200, 512)"] = time_call(
        lambda: make_ecg(200, 512, random_state=0), args.repeats
    )
    load_after = load_average()[0]

    rows = []
    for name, values in times.items():
        median = statistics.median(values)
        target = TARGETS[name]
        met = "" if target is None else ("yes" if median <= target else "no")
        rows.append({"what": name, "median_s": median, "target_s": target, "met": met})

    command = shlex.join(
        ["python", "benchmarks/overheads.py", *(sys.argv[1:] if argv is None else argv)]
    )
    lines = preamble("# Fixed costs", command)
    lines += [
        f"Machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"1-minute load {load_before:.2f} before, {load_after:.2f} after. "
        f"Median of {args.repeats} runs; imports in fresh processes.",
        "",
        "| what | median (s) | target (s) | met |",
        "|---|---|---|---|",
    ]
    for row in rows:
        target = "" if row["target_s"] is None else f"{row['target_s']:g}"
        lines.append(
            f"| {row['what']} | {row['median_s']:.3f} | {target} | {row['met']} |"
        )
    (args.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (args.out / "results.json").write_text(
        json.dumps({"rows": rows, "times": times}, indent=2) + "\n", encoding="utf-8"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
