"""Ablation of the recipe for unseen ECG records, one step at a time (U-Net).

Each training recipe trains the benchmark's U-Net under the same wall-time
budget; each trained network is then measured with each inference variant
(its raw output, the no-harm gate, flip averaging, both). The steps:

- ``10 records``: the recipe of the runs before 2026-12 (ten training records,
  5 % of their windows for validation, training SNR -6 to 24 dB);
- ``20 records``: the protocol's training records, validated on the whole
  records 117 and 122;
- ``+ clean``: training SNR up to 30 dB and 10 % of the windows fed in clean;
- ``+ bfloat16``: the layers in mixed bfloat16 precision (more steps in the
  same time);
- ``+ drift``, ``+ smaller drift``, ``+ drift 0.5-1 Hz``: a slow drift added
  as signal to half of the clean training windows
  (:class:`skdenoise.augment.RandomDrift`), in three sizes and bands;
- ``16 filters``, ``12 filters``, ``depth 5``, ``kernel 15``, ``lr 3e-3``,
  ``depth 6, cap 64``, ``16 filters, depth 6, cap 64``: the ``+ drift`` recipe
  with a change to the U-Net or its learning rate (what the same budget buys:
  width, receptive field, step size; ``cap``: ``max_filters``);
- ``attention``: a four-head self-attention block at the U-Net's bottleneck
  (``attention_heads=4``);
- ``lr 5e-4``, ``lr 5e-4, global context``: the ``+ drift`` recipe at the
  benchmark's learning rate (5e-4 since 2026-12-02), without and with a
  squeeze-and-excitation block after the bottleneck (``global_context=True``:
  the features averaged over the window, its noise level among them, scale
  each channel);
- ``+ noise flips``, ``+ noise flips and rates``: the training noise's
  stretches with a random sign and time direction, and read at a random rate
  (``RecordedNoise(flip=, time_scale=)``; use with ``--held-out-noise``).
- ``weight decay 0.01``, ``0.03``, ``0.1``: the ``+ drift`` recipe with AdamW's
  decoupled weight decay (``optimizer="adamw", weight_decay=...``).

The gate of each variant is calibrated on the validation windows of its own
recipe, with the same inference path (flips or not) as the variant.
Measured on the protocol's test set (mean SNR improvement per noise and input
SNR) and on the clean test windows (output SNR of a clean input).

Usage::

    python benchmarks/ecg_recipe_ablation.py --data-dir ../shared/data/physionet \\
        --budget-minutes 3 --out benchmarks/results/ecg_recipe_ablation

Writes ``README.md`` (tables) and ``results.csv`` in ``--out``. Recipes
trained in separate runs side by side (``--recipes``) are combined with
``--merge RUN_DIR ...``.
"""

import argparse
import copy
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
from _report import load_average, preamble  # noqa: E402
from ecg import DEFAULT_TEST, DEFAULT_TRAIN, markdown_table  # noqa: E402

OLD_TRAIN = "100 101 103 106 112 113 115 116 117 122".split()
VAL_RECORDS = ["117", "122"]
NEW_TRAIN = [r for r in DEFAULT_TRAIN if r not in VAL_RECORDS]
# The recipe of the 15-minute benchmark before the drift.
FULL = (NEW_TRAIN, VAL_RECORDS, (-6.0, 30.0), 0.1, "mixed_bfloat16")


def _drift(low, high, amplitude):
    return {"frequency": (low, high), "amplitude": (0.0, amplitude), "p": 0.5}


# The benchmark's U-Net and its peak learning rate; a recipe may change them.
UNET = {"filters": 8, "depth": 4, "kernel_size": 9, "residual": True}
LEARNING_RATE = 1e-3
DRIFT = _drift(0.3, 1.0, 0.5)

# The architecture ablation's best validation loss at 5 minutes.
WIDE_DEEP = {"filters": 16, "depth": 6, "max_filters": 64}

# name -> (training records, validation records, training SNR, clean, precision
# [, settings of the slow drift added to the clean windows
# [, changes to UNET and to the learning rate]])
RECIPES = {
    "10 records": (OLD_TRAIN, [], (-6.0, 24.0), 0.0, "float32"),
    "20 records": (NEW_TRAIN, VAL_RECORDS, (-6.0, 24.0), 0.0, "float32"),
    "+ clean": (NEW_TRAIN, VAL_RECORDS, (-6.0, 30.0), 0.1, "float32"),
    "+ bfloat16": FULL,
    "+ drift": (*FULL, DRIFT),
    "+ smaller drift": (*FULL, _drift(0.3, 1.0, 0.3)),
    "+ drift 0.5-1 Hz": (*FULL, _drift(0.5, 1.0, 0.5)),
    "16 filters": (*FULL, DRIFT, {"filters": 16}),
    "12 filters": (*FULL, DRIFT, {"filters": 12}),
    "depth 5": (*FULL, DRIFT, {"depth": 5}),
    "kernel 15": (*FULL, DRIFT, {"kernel_size": 15}),
    "lr 3e-3": (*FULL, DRIFT, {"learning_rate": 3e-3}),
    "lr 5e-4": (*FULL, DRIFT, {"learning_rate": 5e-4}),
    "depth 6, cap 64": (*FULL, DRIFT, {"depth": 6, "max_filters": 64}),
    "16 filters, depth 6, cap 64": (*FULL, DRIFT, WIDE_DEEP),
    "attention": (*FULL, DRIFT, {"attention_heads": 4}),
    "lr 5e-4, global context": (
        *FULL,
        DRIFT,
        {"learning_rate": 5e-4, "global_context": True},
    ),
    "lr 5e-4, global context, EMA 0.999": (
        *FULL,
        DRIFT,
        {"learning_rate": 5e-4, "global_context": True, "ema_momentum": 0.999},
    ),
    "lr 5e-4, global context, warm-up": (
        *FULL,
        DRIFT,
        {"learning_rate": 5e-4, "global_context": True, "warmup": 0.05},
    ),
    "lr 5e-4, global context, curriculum": (
        *FULL,
        DRIFT,
        {"learning_rate": 5e-4, "global_context": True, "curriculum": (12.0, 0.5)},
    ),
    "lr 5e-4, global context, hard first": (
        *FULL,
        DRIFT,
        {
            "learning_rate": 5e-4,
            "global_context": True,
            "curriculum": (12.0, 0.5, "high"),
        },
    ),
    "lr 5e-4, global context, hard first from 6 dB": (
        *FULL,
        DRIFT,
        {
            "learning_rate": 5e-4,
            "global_context": True,
            "curriculum": (6.0, 0.5, "high"),
        },
    ),
    "lr 5e-4, global context, hard first over 75 %": (
        *FULL,
        DRIFT,
        {
            "learning_rate": 5e-4,
            "global_context": True,
            "curriculum": (12.0, 0.75, "high"),
        },
    ),
    "+ noise flips": (*FULL, DRIFT, {**WIDE_DEEP, "noise_flip": True}),
    "weight decay 0.01": (*FULL, DRIFT, {"optimizer": "adamw", "weight_decay": 0.01}),
    "weight decay 0.03": (*FULL, DRIFT, {"optimizer": "adamw", "weight_decay": 0.03}),
    "weight decay 0.1": (*FULL, DRIFT, {"optimizer": "adamw", "weight_decay": 0.1}),
    "+ noise flips and rates": (
        *FULL,
        DRIFT,
        {**WIDE_DEEP, "noise_flip": True, "noise_time_scale": (0.8, 1.25)},
    ),
}


#: Recipe settings of the training schedule, not of the U-Net.
SCHEDULE = ("warmup", "curriculum")


def _settings(recipe):
    """A copy of the settings a recipe changes (its last element, if a dict)."""
    extra = RECIPES[recipe][5:]
    return dict(extra[1]) if len(extra) > 1 else {}


def changes(recipe):
    """The U-Net's parameters, the peak learning rate and the training noise's
    augmentation (``flip``, ``time_scale``, ``spectral_gain``) of a recipe."""
    changed = _settings(recipe)
    learning_rate = changed.pop("learning_rate", LEARNING_RATE)
    noise = {
        "flip": changed.pop("noise_flip", False),
        "time_scale": changed.pop("noise_time_scale", None),
        "spectral_gain": changed.pop("noise_spectral_gain", None),
    }
    for name in SCHEDULE:
        changed.pop(name, None)
    return {**UNET, **changed}, learning_rate, noise


def curriculum(recipe):
    """``(start_db, ramp[, bound])`` of a recipe's curriculum over noise levels,
    or None.

    One bound of the training SNR range starts at ``start_db`` and moves
    linearly to the recipe's own over the first ``ramp`` of the budget: the
    lowest (``bound="low"``, the default: easy windows first) or the highest
    (``"high"``: hard windows first, nearly clean ones later).
    """
    return _settings(recipe).get("curriculum")


VARIANTS = {
    "raw": (False, False),
    "gate": (True, False),
    "flips": (False, True),
    "gate + flips": (True, True),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="benchmarks/ecg_recipe_ablation.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--test-records", nargs="+", default=DEFAULT_TEST)
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=RECIPES)
    parser.add_argument("--budget-minutes", type=float, default=3.0)
    parser.add_argument("--test-windows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--held-out-noise",
        type=int,
        default=None,
        metavar="SAMPLE",
        help="train on the training noise's samples [0, SAMPLE) and validate on "
        "[SAMPLE, 325000), so that the validation loss measures noise the network "
        "never saw (default: both from the whole training segment)",
    )
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--merge",
        nargs="+",
        default=None,
        metavar="RUN_DIR",
        help="write one README and results.csv in --out from the results of "
        "earlier runs (for example recipes trained side by side), training nothing",
    )
    return parser.parse_args(argv)


def read_rows(run_dirs):
    """The rows of the ``results.csv`` of earlier runs, and their commands."""
    rows, commands = [], []
    for run in map(Path, run_dirs):
        with (run / "results.csv").open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                row["value_db"] = float(row["value_db"])
                row["steps"] = int(row["steps"])
                row["cpu_s"] = float(row["cpu_s"])
                # Runs written before this column existed: not recorded.
                row["best_val_loss"] = float(row.get("best_val_loss") or "nan")
                rows.append(row)
        readme = (run / "README.md").read_text(encoding="utf-8").splitlines()
        commands.append(readme[readme.index("```") + 1])
    return rows, "\n".join(commands)


# A window given back exactly has an infinite SNR; means cap it here (dB).
MAX_SNR_DB = 100.0


def snr_db(clean, estimate):
    error = np.sum((clean - estimate) ** 2, axis=1)
    with np.errstate(divide="ignore"):
        value = 10 * np.log10(np.sum(clean**2, axis=1) / error)
    return np.minimum(value, MAX_SNR_DB)


def train(recipe, args, log):
    """The U-Net of a recipe, trained, with its validation pairs and steps."""
    from _ecg_training import VALIDATION_SPLIT, NoiseCurriculum, TimeBudget

    from skdenoise import UNetDenoiser
    from skdenoise.augment import AugmentationChain, RandomDrift, from_names

    records, val_records, snr_range, clean_fraction, precision, *drift = RECIPES[recipe]
    unet, learning_rate, noise_augmentation = changes(recipe)
    augment = from_names(["flip", "time-flip", "warp"])
    if drift:
        # Slow drift added to the clean windows as signal, after the flips.
        steps = [
            *augment.steps,
            RandomDrift(sampling_rate=protocol.SAMPLING_RATE, **drift[0]),
        ]
        augment = AugmentationChain(steps)
    windows = protocol.training_windows(records, args.data_dir, seed=args.seed)
    low, high = protocol.TRAIN_NOISE["segment"]
    split = args.held_out_noise
    noise = protocol.training_noise(
        args.data_dir,
        snr_range,
        segment=(low, split) if split else None,
        **noise_augmentation,
    )
    # Validation noise as recorded; with --held-out-noise from its own samples.
    val_noise = protocol.training_noise(
        args.data_dir, snr_range, segment=(split, high) if split else None
    )
    budget = TimeBudget(
        args.budget_minutes * 60,
        recipe,
        learning_rate,
        log,
        warmup=_settings(recipe).get("warmup", 0.0),
    )
    callbacks = [budget]
    if curriculum(recipe):
        # After the budget's own on_train_begin, which starts its clock.
        callbacks.append(NoiseCurriculum(noise, budget, *curriculum(recipe)))
    model = UNetDenoiser(
        **unet,
        learning_rate=learning_rate,
        noise=noise,
        augment=augment,
        loss="snr",
        epochs=100_000,
        batch_size=64,
        validation_split=0.0 if val_records else VALIDATION_SPLIT,
        clean_fraction=clean_fraction,
        gate=None,
        precision=precision,
        callbacks=callbacks,
        random_state=args.seed,
    )
    if val_records:
        val_clean = protocol.training_windows(val_records, args.data_dir)
        rng = np.random.default_rng([args.seed, 7])
        val_noisy = val_noise.apply(val_clean, random_state=rng)
        if clean_fraction:
            keep = rng.random(len(val_clean)) < clean_fraction
            val_noisy[keep] = val_clean[keep]
        model.fit(windows, validation_data=(val_noisy, val_clean))
    else:
        # As the earlier runs: random windows of the training records held out.
        order = np.random.default_rng([args.seed, 2]).permutation(len(windows))
        n_val = max(1, round(VALIDATION_SPLIT * len(windows)))
        val_clean = windows[order[:n_val]]
        val_noisy = val_noise.apply(val_clean, random_state=args.seed)
        model.fit(windows)
    return model, (val_noisy, val_clean), budget


def variant(model, validation, gate, flips):
    """A copy of ``model`` with flip averaging and a gate calibrated for it."""
    from skdenoise.neural._gate import fit_gate

    out = copy.copy(model)
    out.average_flips = flips
    out.gate_snr_ = out.gate_scale_ = None
    if gate:
        noisy, clean = (v[:, :, None] for v in validation)
        out.gate_snr_, out.gate_scale_ = fit_gate(
            noisy, out._network_outputs(noisy), clean
        )
    return out


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/ecg_recipe_ablation.py", *argv])

    def log(message):
        print(message, flush=True)

    log(f"command: {command}")
    if args.merge:
        rows, commands = read_rows(args.merge)
        args.recipes = list(dict.fromkeys(r["recipe"] for r in rows))
        write(out, rows, markdown(rows, args, commands))
        log(f"written to {out}")
        return
    clean_test, record_of, noisy = protocol.build_test_set(
        args.test_records, args.data_dir, n_windows=args.test_windows
    )
    rows = []
    for recipe in args.recipes:
        log(f"recipe {recipe}: training ({args.budget_minutes:g} min)")
        start = time.perf_counter()
        model, validation, budget = train(recipe, args, log)
        seconds = time.perf_counter() - start
        for name, (gate, flips) in VARIANTS.items():
            denoiser = variant(model, validation, gate, flips)
            base = {
                "recipe": recipe,
                "variant": name,
                "train_s": round(seconds, 1),
                "cpu_s": round(budget.cpu_time_s, 1),
                "steps": budget.steps,
                "best_val_loss": round(budget.best, 4),
            }
            estimate = denoiser.transform(clean_test)
            for record in args.test_records:
                rows_of = record_of == record
                value = snr_db(clean_test[rows_of], estimate[rows_of])
                rows.append(
                    {
                        **base,
                        "kind": f"clean {record}",
                        "value_db": float(np.mean(value)),
                    }
                )
            for (kind, level), x in noisy.items():
                gain = snr_db(clean_test, denoiser.transform(x)) - snr_db(clean_test, x)
                rows.append(
                    {
                        **base,
                        "kind": f"{kind} {level:+g} dB",
                        "value_db": float(np.mean(gain)),
                    }
                )
            summary = {
                r["kind"]: r["value_db"]
                for r in rows[-(len(noisy) + len(args.test_records)) :]
            }
            log(
                f"  {name}: 0 dB "
                + " ".join(
                    f"{k} {summary[f'{k} +0 dB']:+.2f}" for k in protocol.NOISE_TYPES
                )
                + "; 24 dB "
                + " ".join(
                    f"{k} {summary[f'{k} +24 dB']:+.2f}" for k in protocol.NOISE_TYPES
                )
                + "; clean "
                + " ".join(f"{summary[f'clean {r}']:.1f}" for r in args.test_records)
            )
        del model
    write(out, rows, markdown(rows, args, command))
    log(f"written to {out}")


def write(out, rows, readme):
    with (out / "results.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (out / "README.md").write_text(readme + "\n", encoding="utf-8")


def markdown(rows, args, command):
    recipes = list(dict.fromkeys(r["recipe"] for r in rows))
    value = {(r["recipe"], r["variant"], r["kind"]): r["value_db"] for r in rows}
    steps = {
        r["recipe"]: (r["steps"], r["cpu_s"], r.get("best_val_loss", np.nan))
        for r in rows
    }
    lines = [
        *preamble(
            "# ECG ablation: the recipe for unseen records, step by step (U-Net)",
            command,
        ),
        f"Written {datetime.datetime.now().isoformat(timespec='seconds')}; "
        + (
            "merged from the runs above (each with its own budget, threads and "
            "load, as it was run); "
            if getattr(args, "merge", None)
            else f"{args.budget_minutes:g} min of training per recipe, "
            "TF_NUM_INTRAOP_THREADS="
            f"{os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}, "
            f"load average {load_average()[0]:.1f} at the end; "
        )
        + "U-Net (filters 8, depth 4, "
        "kernel 9, residual, unless a recipe says otherwise), batch 64, Adam 1e-3 "
        "(unless a recipe says otherwise) on a cosine of the budget, loss "
        "minus the output SNR (soft cap 30 dB), sign flip, time reversal and time "
        "warp of the clean windows; a window given back exactly counts as "
        f"{MAX_SNR_DB:g} dB in the means; "
        + (
            # The merging call's own options are not the runs': their
            # commands above say how many test windows and which noise.
            "test records, test windows and noise segments as in each run's "
            "command above. "
            if getattr(args, "merge", None)
            else f"test records {', '.join(args.test_records)} "
            f"({args.test_windows} windows each). "
            + (
                f"Training noise from samples [0, {args.held_out_noise}) of the "
                f"protocol's training segment, validation noise from "
                f"[{args.held_out_noise}, 325000): the validation loss is on "
                "noise the networks never saw. "
                if getattr(args, "held_out_noise", None)
                else ""
            )
        )
        + "Recipes: "
        + "; ".join(
            f"`{name}`: {len(rec)} training records, "
            + (
                f"validation records {' '.join(val)}"
                if val
                else "5 % of the windows for validation"
            )
            + f", SNR U({snr[0]:g}, {snr[1]:g}) dB, {clean:.0%} clean, {prec}"
            + (
                f", slow drift added to the clean windows as signal ({drift[0]})"
                if drift
                else ""
            )
            + (f", with {drift[1]}" if len(drift) > 1 else "")
            for name, (rec, val, snr, clean, prec, *drift) in RECIPES.items()
            if name in recipes
        )
        + ". Variants: the raw output, the gate (calibrated on the validation "
        "windows), the average over sign and time flips, both.",
        "",
        "Training steps (process CPU seconds; best validation loss in dB where "
        "recorded, lower is better): "
        + ", ".join(
            f"{r} {steps[r][0]} ({steps[r][1]:.0f} s"
            + (f"; {steps[r][2]:.2f} dB" if np.isfinite(steps[r][2]) else "")
            + ")"
            for r in recipes
        ),
        "",
    ]
    header_kinds = [
        *(f"{k} +0 dB" for k in protocol.NOISE_TYPES),
        *(f"{k} +24 dB" for k in protocol.NOISE_TYPES),
    ]
    clean_kinds = [f"clean {r}" for r in args.test_records]
    table = []
    for recipe in recipes:
        for name in VARIANTS:
            cells = [value[recipe, name, k] for k in header_kinds]
            clean = [value[recipe, name, k] for k in clean_kinds]
            all_kinds = [
                k
                for (rc, v, k) in value
                if rc == recipe and v == name and not k.startswith("clean")
            ]
            mean = np.mean([value[recipe, name, k] for k in all_kinds])
            table.append(
                [
                    recipe,
                    name,
                    *(f"{c:+.2f}" for c in cells),
                    *(f"{c:.1f}" for c in clean),
                    f"{mean:+.2f}",
                ]
            )
    lines += [
        "## Mean SNR improvement (dB) at 0 and 24 dB input, clean-window output SNR "
        "(dB), mean over all 20 conditions",
        "",
        markdown_table(
            [
                "recipe",
                "variant",
                *header_kinds,
                *(f"{k} (out)" for k in clean_kinds),
                "mean of 20",
            ],
            table,
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
