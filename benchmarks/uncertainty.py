"""Calibrated uncertainty on the ECG benchmark: Monte-Carlo dropout and ensembles.

A U-Net of the ECG benchmark's kind (``_ecg_models.SETTINGS``) is trained on
the protocol's training records with the protocol's training noise, its
uncertainty calibrated on the validation records (117 122), and measured on
the test records (118 119 121) for each noise type (bw, em, ma, mix) and input
SNR (-6 to 24 dB). The validation records' noise (``--validation-noise``) is
the other lead of the noise recordings by default, as the ECG benchmark's
(NSTDB channel 1, samples [0, 325000): none of the test noise's samples, none
trained on), so that the calibration sees the errors of noise the networks
never learnt, as the test does; ``training`` repeats the committed runs
made before the option (the training noise itself):

- coverage: the share of clean samples inside ``mean +/- 1.96 std`` (bar:
  90 % to 98 %), and for the reliability figure at nominal levels 10 % to 99 %;
- Spearman's rho across windows between the RMS of the std and the true RMS
  error (bar: 0.7), per noise and level and pooled over the levels;
- the ensemble's mean against its members alone (mean SNR improvement);
- the time of ``predict(X, return_std=True)`` against ``transform(X)``.

Example::

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \\
    python benchmarks/uncertainty.py --data-dir ../shared/data/physionet \\
        --budget-minutes 3 --out benchmarks/results/uncertainty
"""

import argparse
import csv
import datetime
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _ecg_models import SETTINGS  # noqa: E402
from _precision import CHOICES as PRECISION_CHOICES  # noqa: E402
from _precision import resolve_precision  # noqa: E402
from _report import load_average
from _xla import add_jit_option, choose_xla, jit_setting

DEFAULT_TRAIN = (
    "100 101 102 103 104 105 106 107 108 109 111 112 113 114 115 116 123 124"
).split()
DEFAULT_VAL = "117 122".split()
DEFAULT_TEST = "118 119 121".split()
LEVELS = (-6.0, 0.0, 6.0, 12.0, 18.0, 24.0)
NOMINAL = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
Z95 = stats.norm.ppf(0.975)


def log(message):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def learning_rate(args):
    """The peak learning rate: ``--learning-rate``, or the recipe's."""
    if args.learning_rate is not None:
        return args.learning_rate
    return 5e-4 if args.recipe == "ecg" else 1e-3


def make_unet(method, args, budget_s):
    from skdenoise import UNetDenoiser
    from skdenoise.augment import AugmentationChain, RandomDrift, from_names

    label, params, _ = SETTINGS["UNetDenoiser"]
    params = dict(params)
    if method == "mc_dropout":
        params["dropout"] = args.dropout
    # Here, not at the top: importing it imports Keras, which --help needs not.
    from _ecg_training import TimeBudget

    peak = learning_rate(args)
    budget = TimeBudget(
        budget_s,
        label=f"{label} {method}",
        learning_rate=peak,
        log=log,
        max_steps=getattr(args, "budget_steps", None),
    )
    steps = []
    if args.recipe == "ecg":
        # The ECG benchmark's recipe (benchmarks/ecg.py's defaults).
        steps = list(from_names(["flip", "time-flip", "warp"]).steps)
        params.update(
            average_flips=True,
            precision=args.precision,
            level_input=getattr(args, "level_input", True),
        )
    else:
        # The committed results' U-Net had no global context, nor level input.
        params.update(global_context=False, level_input=False)
    if args.drift:
        steps.append(
            RandomDrift(
                sampling_rate=protocol.SAMPLING_RATE,
                frequency=(0.3, 1.0),
                amplitude=(0.0, args.drift),
                # The ECG benchmark drifts half of the windows.
                **({"p": 0.5} if args.recipe == "ecg" else {}),
            )
        )
    augment = (
        None if not steps else steps[0] if len(steps) == 1 else AugmentationChain(steps)
    )
    return UNetDenoiser(
        **params,
        noise=protocol.training_noise(
            args.data_dir, args.train_snr, segment=training_segment(args)
        ),
        augment=augment,
        loss="snr",
        clean_fraction=0.1,
        learning_rate=peak,
        epochs=100_000,
        batch_size=64,
        validation_split=0.0,
        callbacks=[budget],
        uncertainty=method,
        n_members=args.members,
        uncertainty_samples=args.samples,
        random_state=args.seed,
    )


def training_segment(args):
    """Samples of the training noise that training draws from (None: all)."""
    if not args.held_out_noise:
        return None
    return (protocol.TRAIN_NOISE["segment"][0], args.held_out_noise)


def calibration_segment(args):
    """Samples of the training noise of the validation (calibration) series."""
    if not args.held_out_noise:
        return None
    return (args.held_out_noise, protocol.TRAIN_NOISE["segment"][1])


def validation_series(args):
    """Noisy and clean windows of the validation records, with the noise of
    ``--validation-noise`` (the training noise: of ``--held-out-noise``'s
    samples, if given)."""
    if args.validation_noise == "training":
        noise = protocol.training_noise(
            args.data_dir, args.train_snr, segment=calibration_segment(args)
        )
    else:
        noise = protocol.validation_noise(
            args.data_dir, args.train_snr, args.validation_noise
        )
    return protocol.validation_set(
        args.val_records, args.data_dir, noise, args.max_val_windows
    )


def validation_noise_text(args):
    """The validation records' noise, in words."""
    return protocol.validation_noise_text(args.validation_noise, args.held_out_noise)


def coverage(residual, std, p):
    return float(np.mean(np.abs(residual) <= stats.norm.ppf(0.5 + p / 2) * std))


def spearman(a, b):
    return float(stats.spearmanr(a, b).statistic)


def calibrated_pretrained(path, method, validation):
    """The network of a pretrained ECG file, its ``method`` calibrated anew.

    ``validation``: noisy and clean windows (mV) of records it did not train on.
    """
    network = protocol.load_saved(path, "uncertainty.py", network=True)
    network.set_params(uncertainty=method)
    network.calibrate_uncertainty(*validation)
    return network


def member_outputs(model, X):
    """Each ensemble member's output alone (through the fitted gates and every
    pass), y units."""
    X3 = X[:, :, None]
    models = [model.model_, *model.ensemble_members_]
    return [model._transform(X3, m.predict_on_batch)[:, :, 0] for m in models]


def snr_improvement(clean, noisy, estimate):
    from skdenoise import metrics

    return float(
        np.mean(
            metrics.snr(clean, estimate, per_series=True)
            - metrics.snr(clean, noisy, per_series=True)
        )
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--train-records", nargs="+", default=DEFAULT_TRAIN)
    parser.add_argument("--val-records", nargs="+", default=DEFAULT_VAL)
    parser.add_argument("--test-records", nargs="+", default=DEFAULT_TEST)
    parser.add_argument("--budget-minutes", type=float, default=3.0)
    parser.add_argument(
        "--budget-steps",
        type=int,
        default=None,
        metavar="N",
        help="train each network (each ensemble member) for N optimiser steps "
        "instead of --budget-minutes of wall time, so that the models do not "
        "depend on the machine's load",
    )
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--methods", nargs="+", default=["mc_dropout", "ensemble"])
    parser.add_argument("--test-windows", type=int, default=300)
    parser.add_argument(
        "--levels",
        nargs="+",
        type=float,
        default=list(LEVELS),
        help="input SNRs of the test set in dB (default: %(default)s)",
    )
    parser.add_argument("--max-train-windows", type=int, default=8000)
    parser.add_argument(
        "--max-val-windows",
        type=int,
        default=None,
        help="at most this many calibration windows (default: 600; with "
        "--pretrained: all)",
    )
    parser.add_argument("--train-snr", nargs=2, type=float, default=(-6.0, 30.0))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-level-input",
        dest="level_input",
        action="store_false",
        help="with --recipe ecg: the U-Net without its level channel, as in the "
        "runs before 2026-12-07 (the plain recipe never has it)",
    )
    parser.add_argument(
        "--drift",
        type=float,
        default=0.0,
        metavar="MAX",
        help="slow drift (0.3-1 Hz) added as signal to half of the clean training "
        "windows, RMS up to MAX times the window's (default: 0, none, as in the "
        "committed main results; results/uncertainty/with_drift/ used 0.5)",
    )
    parser.add_argument(
        "--recipe",
        choices=("plain", "ecg"),
        default="plain",
        help="plain (default, the committed results): no augmentation, no flip "
        "averaging, float32, learning rate 1e-3, no global context; ecg: the ECG "
        "benchmark's recipe (its U-Net with global context; sign flip, time "
        "reversal and time warp of the clean windows, outputs averaged over the "
        "flips, --precision, learning rate 5e-4; add "
        "--drift 0.5 for its drift, on half of the windows)",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISION_CHOICES,
        default="auto",
        help="dtype policy of the layers with --recipe ecg (default: auto, as "
        "ecg.py's: mixed bfloat16 where bfloat16 runs in hardware, float32 "
        "elsewhere; results/uncertainty/ecg_recipe*/ used mixed_bfloat16); the "
        "plain recipe trains in float32",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help="peak learning rate (default: the recipe's)",
    )
    add_jit_option(parser)
    parser.add_argument(
        "--held-out-noise",
        type=int,
        default=None,
        metavar="SAMPLE",
        help="train on the training noise's samples [0, SAMPLE) and calibrate on "
        "[SAMPLE, 325000), so that the calibration sees noise the networks never "
        "saw, as the test does (default: both from the whole training segment); "
        "implies --validation-noise training",
    )
    protocol.add_validation_noise_option(
        parser,
        "early stopping, gate, passes and the calibration",
        "the committed runs made before the option; implied by --held-out-noise",
    )
    parser.add_argument(
        "--pretrained",
        default=None,
        metavar="FILE",
        help="evaluate the network of a pretrained ECG file (the shipped "
        "skdenoise/pretrained/ecg_unet.skdenoise, or one written by "
        "train_pretrained.py) instead of training: each of --methods that needs "
        "no retraining (flips) is calibrated on the validation records, all of "
        "their windows (as train_pretrained.py's validation), and measured",
    )
    parser.add_argument(
        "--recalibrate",
        action="store_true",
        help="with --load-models: calibrate the loaded models' uncertainty anew "
        "on the validation records (as fit did, with the package's current "
        "calibration) before measuring",
    )
    parser.add_argument(
        "--save-models", default=None, help="folder to save the fitted models in"
    )
    parser.add_argument(
        "--load-models",
        default=None,
        help="evaluate the models saved by --save-models in this folder instead "
        "of training (for example on other test records)",
    )
    args = parser.parse_args(argv)
    if args.recipe != "ecg" and args.precision != "auto":
        parser.error("--precision applies to --recipe ecg (plain trains in float32)")
    args.precision, args.precision_reason = (
        resolve_precision(args.precision)
        if args.recipe == "ecg"
        else ("float32", "the plain recipe")
    )
    if args.max_val_windows is None and not args.pretrained:
        args.max_val_windows = 600
    if args.recalibrate and not args.load_models:
        parser.error("--recalibrate calibrates models of --load-models")
    if args.pretrained and args.held_out_noise is not None:
        parser.error(
            "--held-out-noise trains on part of the training noise; the "
            "pretrained network trained on all of it"
        )
    try:
        args.validation_noise = protocol.validation_noise_source(
            args.validation_noise, args.held_out_noise
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.budget_steps is not None and args.budget_steps < 1:
        parser.error(f"--budget-steps must be at least 1; got {args.budget_steps}")
    levels = tuple(dict.fromkeys(args.levels))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(
        [
            "python",
            "benchmarks/uncertainty.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    started = time.perf_counter()
    load_start = load_average()

    if args.pretrained or (args.load_models and args.recalibrate):
        # Calibrated here, on the validation records: nothing to train.
        protocol.check_record_lists(
            [], args.val_records, args.test_records, args.data_dir
        )
        validation = validation_series(args)
        log(f"{len(validation[1])} calibration windows")
    elif args.load_models:
        protocol.check_record_lists([], [], args.test_records, args.data_dir)
    else:
        protocol.check_record_lists(
            args.train_records, args.val_records, args.test_records, args.data_dir
        )
        X_train = protocol.training_windows(
            args.train_records, args.data_dir, args.max_train_windows, seed=args.seed
        )
        validation = validation_series(args)
        log(f"{len(X_train)} training and {len(validation[1])} validation windows")
    clean, _, noisy = protocol.build_test_set(
        args.test_records, args.data_dir, args.test_windows, snrs=levels
    )
    log(f"{len(clean)} test windows")

    rows, reliability, fits = [], {}, {}
    for method in args.methods:
        if args.pretrained:
            t0 = time.perf_counter()
            model = calibrated_pretrained(args.pretrained, method, validation)
            fits[method] = {
                "pretrained": str(args.pretrained),
                "calibration_s": round(time.perf_counter() - t0, 1),
            }
        elif args.load_models:
            model = protocol.load_saved(
                Path(args.load_models) / f"{method}.skd", "uncertainty.py"
            )
            fits[method] = {"loaded": str(Path(args.load_models) / f"{method}.skd")}
            if args.recalibrate:
                model.calibrate_uncertainty(*validation)
                fits[method]["recalibrated"] = True
        else:
            model = make_unet(method, args, args.budget_minutes * 60)
            xla = {"jit_compile": jit_setting(args.jit_compile), "reason": "given"}
            if args.jit_compile == "auto":
                xla = choose_xla(model, X_train, model.batch_size, log)
            model.set_params(jit_compile=xla["jit_compile"])
            t0 = time.perf_counter()
            model.fit(X_train, validation_data=validation)
            fit_s = time.perf_counter() - t0
            fits[method] = {
                "fit_s": round(fit_s, 1),
                "epochs": model.n_epochs_,
                "xla": xla,
            }
            log(f"{method}: fitted in {fit_s / 60:.1f} min ({model.n_epochs_} epochs)")
        log(
            f"{method}: calibration weights {np.round(model.std_weights_, 3).tolist()}"
            f", {len(model.std_noise_levels_)} noise bins"
        )
        if args.save_models and not (args.load_models or args.pretrained):
            from skdenoise.persistence import save

            Path(args.save_models).mkdir(parents=True, exist_ok=True)
            # The training noise and callbacks are not needed for inference.
            saved = model.set_params(callbacks=None, noise=None)
            try:
                save(saved, Path(args.save_models) / f"{method}.skd")
            except (TypeError, ValueError, OSError) as exc:
                log(f"  could not save the {method} model: {exc}")
        all_res, all_std = [], []
        # Once before the timings: the first call of a loaded model traces
        # its network (3.1 s against 1.2 s for the cells after it).
        first = noisy[protocol.NOISE_TYPES[0], levels[0]][:2]
        model.transform(first)
        model.predict(first, return_std=True)
        for kind in protocol.NOISE_TYPES:
            win_std, win_err = [], []
            for level in levels:
                X = noisy[kind, level]
                t0 = time.perf_counter()
                mean = model.transform(X)
                transform_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                mean2, std = model.predict(X, return_std=True)
                predict_s = time.perf_counter() - t0
                assert np.array_equal(mean, mean2)
                residual = clean - mean
                rms_std = np.sqrt(np.mean(std**2, axis=1))
                rms_err = np.sqrt(np.mean(residual**2, axis=1))
                win_std.append(rms_std)
                win_err.append(rms_err)
                all_res.append(residual)
                all_std.append(std)
                row = {
                    "method": method,
                    "noise": kind,
                    "snr_in_db": level,
                    "coverage_95": coverage(residual, std, 0.95),
                    "coverage_68": coverage(residual, std, 0.6827),
                    "spearman_rho": spearman(rms_std, rms_err),
                    "mean_std_mv": float(np.mean(std)),
                    "rmse_mv": float(np.sqrt(np.mean(residual**2))),
                    "snr_improvement_db": snr_improvement(clean, X, mean),
                    "transform_s": transform_s,
                    "predict_std_s": predict_s,
                }
                if method == "ensemble":
                    single = [
                        snr_improvement(clean, X, o) for o in member_outputs(model, X)
                    ]
                    row["member_snr_improvement_db"] = float(np.mean(single))
                    row["ensemble_gain_db"] = row["snr_improvement_db"] - float(
                        np.mean(single)
                    )
                rows.append(row)
                log(
                    f"{method} {kind} {level:+.0f} dB: coverage "
                    f"{row['coverage_95']:.3f}, rho {row['spearman_rho']:.2f}, "
                    f"SNR imp. {row['snr_improvement_db']:+.2f} dB, "
                    f"{predict_s / transform_s:.1f}x transform time"
                )
            rho = spearman(np.concatenate(win_std), np.concatenate(win_err))
            rows.append(
                {
                    "method": method,
                    "noise": kind,
                    "snr_in_db": "all",
                    "spearman_rho": rho,
                }
            )
        residual, std = np.concatenate(all_res), np.concatenate(all_std)
        reliability[method] = [coverage(residual, std, p) for p in NOMINAL]
        reliability[method + " (by level)"] = {
            f"{level:+.0f}": [
                coverage(
                    np.concatenate(all_res[i :: len(levels)]),
                    np.concatenate(all_std[i :: len(levels)]),
                    p,
                )
                for p in NOMINAL
            ]
            for i, level in enumerate(levels)
        }
    write_results(out, rows, reliability, fits, args, command, load_start, started)


def fmt(value, spec):
    return "" if value is None or value == "" else format(value, spec)


def write_results(out, rows, reliability, fits, args, command, load_start, started):
    fields = [
        "method",
        "noise",
        "snr_in_db",
        "coverage_95",
        "coverage_68",
        "spearman_rho",
        "mean_std_mv",
        "rmse_mv",
        "snr_improvement_db",
        "member_snr_improvement_db",
        "ensemble_gain_db",
        "transform_s",
        "predict_std_s",
    ]
    with open(out / "calibration.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    lines = [
        "# Calibrated uncertainty on the ECG benchmark (U-Net)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"(1/5/15 min) at start {load_start[0]:.2f}/{load_start[1]:.2f}/"
        f"{load_start[2]:.2f}, at end "
        + "/".join(f"{v:.2f}" for v in load_average())
        + f"; wall time {(time.perf_counter() - started) / 60:.1f} min.",
        "",
        (
            f"The network of the pretrained file {args.pretrained} (trained as "
            "its JSON file says), calibrated here on all windows of the "
            "calibration records; "
            if args.pretrained
            else "Models loaded (trained as described by their own run)"
            + (
                ", their uncertainty calibrated anew on the calibration records; "
                if args.recalibrate
                else "; "
            )
            if args.load_models
            else ""
        )
        + (
            ""
            if args.pretrained or args.load_models
            else f"Training: records {' '.join(args.train_records)} (at most "
            f"{args.max_train_windows} windows), "
            + (
                f"{args.budget_minutes} min per network; "
                if args.budget_steps is None
                else f"{args.budget_steps:,} optimiser steps per network; "
            )
        )
        + f"calibration on records {' '.join(args.val_records)} "
        + (
            "(all windows"
            if args.max_val_windows is None
            else f"(at most {args.max_val_windows} windows"
        )
        + (
            ")"
            if args.load_models and not args.recalibrate
            else f", {validation_noise_text(args)})"
        )
        + "; test: records "
        f"{' '.join(args.test_records)}, {args.test_windows} windows each. "
        + (
            ""
            if args.load_models or args.pretrained
            else f"Recipe: {args.recipe}, peak learning rate {learning_rate(args):g}"
            + (f", drift up to {args.drift:g}" if args.drift else "")
            + (
                f", layers in {args.precision} ({args.precision_reason})"
                if args.recipe == "ecg"
                else ""
            )
            + ". "
        )
        + (
            f"Training noise from samples [0, {args.held_out_noise}) of the "
            f"training segment, calibration noise from [{args.held_out_noise}, "
            "325000). "
            if args.held_out_noise
            else ""
        )
        + f"Fits: {json.dumps(fits)}.",
        "",
        "| method | noise | input SNR (dB) | coverage 95 % | coverage 68 % | "
        "Spearman rho | mean std (mV) | RMSE (mV) | SNR imp. (dB) | "
        "members alone (dB) | ensemble gain (dB) | predict(std) / transform |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row["snr_in_db"] == "all":
            continue
        ratio = row["predict_std_s"] / row["transform_s"]
        lines.append(
            f"| {row['method']} | {row['noise']} | {row['snr_in_db']:+.0f} | "
            f"{row['coverage_95']:.1%} | {row['coverage_68']:.1%} | "
            f"{row['spearman_rho']:.2f} | {row['mean_std_mv']:.4f} | "
            f"{row['rmse_mv']:.4f} | {row['snr_improvement_db']:+.2f} | "
            f"{fmt(row.get('member_snr_improvement_db'), '+.2f')} | "
            f"{fmt(row.get('ensemble_gain_db'), '+.2f')} | {ratio:.1f}x |"
        )
    lines += [
        "",
        "Spearman rho across the windows of all levels of one noise type:",
        "",
        "| method | noise | rho (all levels) |",
        "|---|---|---|",
    ]
    for row in rows:
        if row["snr_in_db"] == "all":
            lines.append(
                f"| {row['method']} | {row['noise']} | {row['spearman_rho']:.2f} |"
            )
    lines += [
        "",
        "Reliability (observed coverage of the central interval, all noises and "
        "levels):",
        "",
        "| nominal | " + " | ".join(m for m in reliability if "(" not in m) + " |",
        "|---|" + "---|" * sum("(" not in m for m in reliability),
    ]
    for i, p in enumerate(NOMINAL):
        values = [f"{reliability[m][i]:.1%}" for m in reliability if "(" not in m]
        lines.append(f"| {p:.0%} | " + " | ".join(values) + " |")
    (out / "calibration.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "reliability.json").write_text(
        json.dumps({"nominal": NOMINAL, **reliability}, indent=1), encoding="utf-8"
    )
    plot_reliability(out / "reliability.png", reliability)
    log(f"wrote {out}")


def plot_reliability(path, reliability):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = [m for m in reliability if "(" not in m]
    fig, axes = plt.subplots(1, len(methods), figsize=(4.5 * len(methods), 4.2))
    axes = np.atleast_1d(axes)
    nominal = np.asarray(NOMINAL)
    for ax, method in zip(axes, methods, strict=True):
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="ideal")
        for level, values in reliability[method + " (by level)"].items():
            ax.plot(nominal, values, lw=1, alpha=0.7, label=f"{level} dB")
        ax.plot(nominal, reliability[method], color="k", lw=2, marker="o", label="all")
        ax.set_title(method)
        ax.set_xlabel("expected coverage")
        ax.set_ylabel("observed coverage")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
