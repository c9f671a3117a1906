"""Training ensemble members one after another or in parallel worker processes.

Fits ``--members`` copies of the ECG benchmark's U-Net (different seeds, the
same clean ECG windows with white noise) in the calling process one after
another, with TensorFlow's default threads, and with joblib's process backend,
one member per worker and ``--jobs`` workers (each worker single-threaded, so
that the cores are not oversubscribed). Wall time of each, and the machine's
load average.

Example::

    python benchmarks/ensemble_parallel.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/uncertainty/ensemble_parallel.md
"""

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402


def fit_member(X, seed, epochs, threads=None):
    if threads is not None:
        os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
        os.environ["TF_NUM_INTEROP_THREADS"] = str(threads)
    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    model = UNetDenoiser(
        filters=8,
        depth=4,
        kernel_size=9,
        noise=WhiteNoise(snr=(0.0, 20.0)),
        epochs=epochs,
        batch_size=64,
        gate=None,
        random_state=seed,
    )
    t0 = time.perf_counter()
    model.fit(X)
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--windows", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)
    from joblib import Parallel, delayed

    X = protocol.training_windows(["100", "101"], args.data_dir, args.windows)
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    for seed in range(args.members):
        fit_member(X, seed, args.epochs)
    sequential = time.perf_counter() - t0
    t0 = time.perf_counter()
    Parallel(n_jobs=args.jobs, backend="loky")(
        delayed(fit_member)(X, seed, args.epochs, threads=1)
        for seed in range(args.members)
    )
    parallel = time.perf_counter() - t0
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    text = (
        "# Ensemble members: one after another or in parallel processes\n\n"
        f"Command: `{command}`\n\n"
        f"{args.members} U-Nets (filters=8, depth=4), {len(X)} windows of 512, "
        f"{args.epochs} epochs each; {os.cpu_count()} CPUs; load average (1/5/15 min) "
        f"at start {'/'.join(f'{v:.2f}' for v in load_start)}, at end "
        f"{'/'.join(f'{v:.2f}' for v in os.getloadavg())}.\n\n"
        "| training | wall time (s) |\n|---|---|\n"
        f"| one after another, in the process | {sequential:.1f} |\n"
        f"| joblib loky, {args.jobs} workers of 1 thread | {parallel:.1f} |\n"
    )
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
