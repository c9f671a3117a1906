"""Eager Adam steps: Keras' update against TensorFlow's fused kernel.

A fit of at most 16 training steps runs eagerly (see ``_EAGER_MAX_STEPS`` in
``skdenoise/neural/_base.py``), where Keras' Adam runs about twenty small
operations per variable through Python. ``skdenoise.neural._fused`` applies
``ResourceApplyAdam`` instead. Two measurements, side by side in alternating
pairs:

- the optimizer alone: ``--steps`` steps of Adam on the trainable variables of
  a small U-Net (the test configuration: filters 4, depth 2, kernel 3), time
  per step, and how far apart the weights end;
- a whole short fit: ``UNetDenoiser.fit`` of the test configuration on 40
  series of 64 samples (four eager steps), process CPU seconds, with the
  fused update and with it switched off.

Example::

    python benchmarks/eager_optimizer.py --out benchmarks/results/eager_optimizer
"""

import argparse
import shlex
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import load_average, preamble  # noqa: E402

UNET = {"filters": 4, "depth": 2, "kernel_size": 3}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="benchmarks/eager_optimizer.py",
        description="Eager Adam steps: Keras' update against the fused kernel.",
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--pairs", type=int, default=5, help="pairs of runs (default: 5)"
    )
    parser.add_argument(
        "--steps", type=int, default=20, help="optimizer steps per run (default: 20)"
    )
    args = parser.parse_args(argv)
    for name in ("pairs", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def _data():
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 6, 64)) * rng.uniform(0.5, 2, (40, 1))
    return clean + 0.3 * rng.standard_normal(clean.shape), clean


def optimizer_steps(model, steps, fused):
    """Seconds per step of Adam on ``model``'s variables, and the weights."""
    import tensorflow as tf

    from skdenoise._tf import import_keras
    from skdenoise.neural._fused import fuse_adam_updates

    keras = import_keras()
    rng = np.random.default_rng(0)
    variables = [
        keras.Variable(rng.standard_normal(v.shape).astype("float32"))
        for v in model.trainable_variables
    ]
    grads = [
        [tf.constant(rng.standard_normal(v.shape).astype("float32")) for v in variables]
        for _ in range(steps)
    ]
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    optimizer.build(variables)
    if fused:
        fuse_adam_updates(optimizer)
    optimizer.apply(grads[0], variables)  # the first step builds what it needs
    start = time.perf_counter()
    for step in grads[1:]:
        optimizer.apply(step, variables)
    per_step = (time.perf_counter() - start) / max(steps - 1, 1)
    return per_step, [v.numpy() for v in variables]


def fit_cpu(fused):
    """Process CPU seconds of one short ``UNetDenoiser.fit``."""
    import skdenoise.neural._base as base
    from skdenoise import UNetDenoiser

    X, y = _data()
    original = base.fuse_adam_updates
    if not fused:
        base.fuse_adam_updates = lambda optimizer: optimizer
    try:
        model = UNetDenoiser(**UNET, epochs=1, batch_size=8, random_state=0)
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        cpu = time.process_time() - start
    finally:
        base.fuse_adam_updates = original
    return cpu, int(model.model_.optimizer.iterations.numpy()), model.model_


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/eager_optimizer.py", *argv])
    load_start = load_average()

    _, n_steps, model = fit_cpu(True)  # warm-up: imports, first traces
    fit_cpu(False)
    runs = {"keras": [], "fused": []}
    fits = {"keras": [], "fused": []}
    weights = {}
    for pair in range(args.pairs):
        order = ("keras", "fused") if pair % 2 == 0 else ("fused", "keras")
        for name in order:
            per_step, weights[name] = optimizer_steps(
                model, args.steps, name == "fused"
            )
            runs[name].append(per_step)
            fits[name].append(fit_cpu(name == "fused")[0])
    load_end = load_average()
    apart = max(
        float(np.max(np.abs(a - b)))
        for a, b in zip(weights["keras"], weights["fused"], strict=True)
    )
    step = {k: statistics.median(v) * 1e3 for k, v in runs.items()}
    fit = {k: statistics.median(v) for k, v in fits.items()}
    n_variables = len(model.trainable_variables)
    title = "# Eager Adam steps: Keras' update against the fused kernel"
    lines = preamble(title, command)
    lines += [
        f"U-Net {UNET}, {n_variables} trainable variables; {args.pairs} pairs of "
        f"runs in alternating order, medians; load average {load_start[0]:.2f} "
        f"at the start, {load_end[0]:.2f} at the end.",
        "",
        "| measure | Keras' update | fused kernel | ratio |",
        "|---|---|---|---|",
        f"| one optimizer step, eager (ms) | {step['keras']:.1f} | "
        f"{step['fused']:.1f} | {step['keras'] / step['fused']:.1f}x |",
        f"| `UNetDenoiser.fit`, {n_steps} eager steps (CPU s) | "
        f"{fit['keras']:.3f} | {fit['fused']:.3f} | "
        f"{fit['keras'] / fit['fused']:.2f}x |",
        "",
        f"Weights after {args.steps} steps of each: at most {apart:.2e} apart "
        "(the same update, rounded differently at most).",
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[8:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
