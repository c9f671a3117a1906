"""Training an ensemble one member after another or ``n_jobs`` at a time.

Fits ``UNetDenoiser(uncertainty="ensemble", n_members=--members)`` (the ECG
benchmark's U-Net, clean ECG windows with white noise added on the fly, a fixed
number of epochs) with ``n_jobs=None`` (every member in this process, one after
another, with TensorFlow's default threads) and with ``n_jobs=--jobs`` (this
process trains ``model_`` while worker processes train the other members, each
with ``cpu_count() // n_jobs`` threads). The two alternate ``--repeats`` times;
the table gives the wall time of each fit, the medians and their ratio, and the
machine's load average. Run it on an otherwise idle machine, without
``TF_NUM_*_THREADS`` or ``OMP_NUM_THREADS`` set.

Example::

    python benchmarks/ensemble_parallel.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/uncertainty/ensemble_parallel.md
"""

import argparse
import os
import shlex
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _report import load_average


def fit_ensemble(X, n_members, n_jobs, epochs):
    """Wall time (s) of fitting the ensemble."""
    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    model = UNetDenoiser(
        filters=8,
        depth=4,
        kernel_size=9,
        noise=WhiteNoise(snr=(0.0, 20.0)),
        epochs=epochs,
        batch_size=64,
        uncertainty="ensemble",
        n_members=n_members,
        n_jobs=n_jobs,
        random_state=0,
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X)
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--windows", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    # Before the fits: a missing folder lost the whole measurement at the end.
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)

    X = protocol.training_windows(
        ["100", "101", "103", "105"], args.data_dir, args.windows
    )
    load_start = load_average()
    times = {None: [], args.jobs: []}
    for repeat in range(args.repeats):
        for n_jobs in times:
            times[n_jobs].append(fit_ensemble(X, args.members, n_jobs, args.epochs))
            print(f"repeat {repeat + 1}: n_jobs={n_jobs} {times[n_jobs][-1]:.1f} s")
    load_end = load_average()
    sequential = statistics.median(times[None])
    parallel = statistics.median(times[args.jobs])
    steps = args.epochs * -(-round(0.9 * len(X)) // 64)
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    text = (
        "# Ensemble members: one after another or n_jobs at a time\n\n"
        f"Command: `{command}`\n\n"
        f"`UNetDenoiser(uncertainty='ensemble', n_members={args.members})`, "
        f"filters 8, depth 4, {len(X)} windows of 512 ({args.epochs} epochs, "
        f"about {steps} steps of 64 per member); {os.cpu_count()} CPUs; "
        f"TF_NUM_INTRAOP_THREADS={os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}; "
        "load average (1/5/15 min) at start "
        f"{'/'.join(f'{v:.2f}' for v in load_start)}, at end "
        f"{'/'.join(f'{v:.2f}' for v in load_end)}. The two ways alternate; "
        "wall time of each fit (the import of TensorFlow in the worker included).\n\n"
        "| training | wall times (s) | median (s) |\n|---|---|---|\n"
        f"| `n_jobs=None`: one after another, in the process | "
        f"{', '.join(f'{t:.1f}' for t in times[None])} | {sequential:.1f} |\n"
        f"| `n_jobs={args.jobs}`: model_ here, the others in loky workers | "
        f"{', '.join(f'{t:.1f}' for t in times[args.jobs])} | {parallel:.1f} |\n\n"
        f"Ratio of the medians: {sequential / parallel:.2f} "
        f"(one after another / n_jobs={args.jobs}).\n"
    )
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
