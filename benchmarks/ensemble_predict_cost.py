"""What ``predict(X, return_std=True)`` of an ensemble costs against ``transform``.

A small U-Net ensemble (3 members, ``filters=8``, ``depth=3``, one epoch on
synthetic sines) with and without ``average_flips``; ``transform`` and
``predict(..., return_std=True)`` on 240 windows of 512 samples, alternated
``--repeats`` times after a warm-up; prints the medians, their ratio, the
network batches each call runs and the load average::

    python benchmarks/ensemble_predict_cost.py
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings

from _report import load_average  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    from skdenoise import UNetDenoiser
    from skdenoise.neural import _base

    rng = np.random.default_rng(0)
    t = np.arange(512) / 360
    clean = np.sin(2 * np.pi * rng.uniform(0.5, 3, (240, 1)) * t)
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    calls = []
    original = _base.predict_batch

    def counting(model, batch):
        calls.append(len(batch))
        return original(model, batch)

    for average_flips in (True, False):
        model = UNetDenoiser(
            filters=8,
            depth=3,
            epochs=1,
            uncertainty="ensemble",
            n_members=3,
            average_flips=average_flips,
            random_state=0,
        ).fit(noisy, clean)
        model.transform(noisy)
        model.predict(noisy, return_std=True)
        times = {"transform": [], "predict": []}
        for _ in range(args.repeats):
            start = time.perf_counter()
            model.transform(noisy)
            times["transform"].append(time.perf_counter() - start)
            start = time.perf_counter()
            model.predict(noisy, return_std=True)
            times["predict"].append(time.perf_counter() - start)
        _base.predict_batch = counting
        try:
            calls.clear()
            model.transform(noisy)
            n_transform = len(calls)
            calls.clear()
            model.predict(noisy, return_std=True)
            n_predict = len(calls)
        finally:
            _base.predict_batch = original
        median = {k: statistics.median(v) for k, v in times.items()}
        print(
            f"average_flips={average_flips}: transform {median['transform']:.3f} s, "
            f"predict(return_std=True) {median['predict']:.3f} s, ratio "
            f"{median['predict'] / median['transform']:.2f}; network batches "
            f"{n_transform} and {n_predict}; load average "
            f"{load_average()[0]:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
