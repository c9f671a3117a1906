"""The ECG denoising benchmark: MITDB ECG with NSTDB noise, 512-sample windows.

Implements the protocol of ``BENCHMARK.md``: the classical rows, every
skdenoise network and the re-implemented published networks, trained on the
same data under the same wall-time budget and validated on whole records held
apart from training, evaluated on one fixed test set (bw, em, ma and their mix
at -6 to 24 dB input SNR, and the clean windows themselves) and on the real
noisy NSTDB records 118e* and 119e* (SNR improvement, and QRS detection on the
whole records before and after denoising).

Example (the protocol's records are the defaults)::

    python benchmarks/ecg.py --data-dir ../shared/data/physionet \\
        --budget-minutes 15 --out benchmarks/results/ecg

``--quick`` runs a smoke test in a few minutes.
"""

import argparse
import ast
import contextlib
import copy
import csv
import datetime
import json
import math
import os
import platform
import shlex
import sys
import time
import traceback
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _ecg_models import (  # noqa: E402
    CLASSICAL,
    LEARNED,
    PUBLISHED,
    add_hard_first_options,
    add_passes_option,
    learned_class,
)
from _precision import CHOICES as PRECISION_CHOICES  # noqa: E402
from _precision import resolve_precision  # noqa: E402
from _xla import (  # noqa: E402
    add_jit_option,
    choose_xla,
    jit_setting,
    xla_text,
)

from skdenoise.augment import (  # noqa: E402
    AUGMENTATION_NAMES,
    AugmentationChain,
    RandomDrift,
    RandomTimeWarp,
    from_names,
)
from skdenoise.datasets import NSTDB_RECORDS  # noqa: E402
from skdenoise.persistence import save  # noqa: E402

PROTOCOL_BUDGET_MINUTES = 15.0
#: Training records of the protocol; the validation records are taken out.
DEFAULT_TRAIN = (
    "100 101 102 103 104 105 106 107 108 109 111 112 113 114 115 116 117 122 123 124"
).split()
DEFAULT_VAL = "117 122".split()
DEFAULT_TEST = "118 119 121".split()
ALL_MODELS = [*CLASSICAL, *LEARNED]
QUICK_MODELS = ["identity", "bandpass", "hp-wavelet", "unet"]
CLASSICAL_BASELINES = ["bandpass", "wavelet", "hp-wavelet", "savgol", "wiener"]
REPORTED = ("snr_improvement", "rmse", "prd", "ssd", "mad", "cosine")
HEADERS = {
    "snr_improvement": "SNR imp. (dB)",
    "rmse": "RMSE (mV)",
    "prd": "PRD (%)",
    "ssd": "SSD (mV²)",
    "mad": "MAD (mV)",
    "cosine": "cos. sim.",
}
FORMATS = {
    "snr_improvement": "{:+.2f}",
    "snr_in": "{:+.2f}",
    "snr_out": "{:+.2f}",
    "rmse": "{:.4f}",
    "prd": "{:.1f}",
    "ssd": "{:.3f}",
    "mad": "{:.3f}",
    "cosine": "{:.3f}",
}
# Reference figures of BENCHMARK.md (mean SNR improvement, dB, at -6..24 dB).
REFERENCE = {
    "bandpass": {
        "bw": (8.3, 6.1, 2.6, -1.9, -13.2),
        "em": (2.8, 2.0, 0.1, -3.2, -13.3),
        "ma": (2.5, 1.7, -0.1, -3.4, -13.4),
        "mix": (3.3, 2.4, 0.3, -3.1, -13.3),
    },
    "hp-wavelet": {
        "bw": (8.8, 6.4, 2.9, -1.6, -12.7),
        "em": (3.0, 2.2, 0.4, -2.9, -12.9),
        "ma": (2.2, 1.4, -0.2, -3.2, -12.9),
        "mix": (3.4, 2.4, 0.6, -2.8, -12.8),
    },
    "wiener": {
        "bw": (0.4, 0.4, 0.3, -0.3, -5.2),
        "em": (0.3, 0.4, 0.2, -0.3, -5.3),
        "ma": (2.4, 2.5, 2.7, 2.2, -4.6),
        "mix": (1.0, 1.1, 1.1, 0.4, -5.0),
    },
}


LOSS_TEXT = {
    "snr": "loss minus the output SNR in dB per window",
    "snr_l1": "loss minus the output SNR in dB per window on absolute errors",
    "mse": "MSE loss",
    "mae": "MAE loss",
    "huber": "Huber loss",
    "ssd_mad": "loss the sum of squared errors plus 50 times the largest, per window",
}


AUGMENTATIONS = AUGMENTATION_NAMES

QRS_TEXT = (
    "`wfdb.processing.xqrs_detect` run on the whole record (650,000 samples): the "
    "noisy NSTDB record, the same record denoised, and the clean MITDB record, "
    "all with the reference conditioning (0.5 Hz high-pass over the whole "
    "record). A model denoises the whole record in 512-sample windows with 50 % "
    "overlap (each window's mean removed and added back), stitched by overlap-add "
    "with a Hann taper. Detections are matched one-to-one, closest first, to the "
    "beat annotations of the record's `.atr` file (beat symbols only) within "
    "150 ms; sensitivity TP / (TP + FN), positive predictivity TP / (TP + FP). "
    "Over the whole record (below, and in the bars); `qrs.csv` also has the same "
    "scores counted only inside the noisy blocks (`blocks_*` columns)."
)


# The program's name in usage messages (``skdenoise benchmark`` sets its own).
PROG = "benchmarks/ecg.py"
# Exit statuses, as the command line's: a failure to read or train, and a
# usage error (a bad option, a missing record or folder).
EXIT_FAILURE, EXIT_USAGE = 1, 2


class ProgramError(SystemExit):
    """This program's error message (as ``SystemExit``'s code) and exit status.

    Run as a script, Python prints the message and exits with 1; ``skdenoise
    benchmark`` prints it and exits with ``status``.
    """

    def __init__(self, message, status=EXIT_FAILURE):
        super().__init__(f"{PROG}: error: {message}")
        self.status = status


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="ECG denoising benchmark on MITDB + NSTDB (protocol and results: "
        "benchmarks/README.md).",
    )
    parser.add_argument(
        "--data-dir", required=True, help="folder with mitdb/ and nstdb/ (PhysioNet)"
    )
    parser.add_argument(
        "--train-records",
        nargs="+",
        default=None,
        help="MITDB training records (default: the protocol's 20, "
        f"{' '.join(DEFAULT_TRAIN)}, less the validation and test records). Other "
        "data (the 200 series, say) needs its own --train-records, --val-records "
        "and --test-records, and --real-records for its noisy NSTDB records",
    )
    parser.add_argument(
        "--val-records",
        nargs="*",
        default=None,
        help="MITDB records for validation, whole records apart from training and "
        "test (default: 117 122, less the test records); the option with no "
        "record to hold out 5 %% of the training windows",
    )
    parser.add_argument(
        "--test-records",
        nargs="+",
        default=DEFAULT_TEST,
        help=f"MITDB test records (default: {' '.join(DEFAULT_TEST)})",
    )
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=None,
        help="training wall time per learned model (protocol: 15; --quick: 0.2)",
    )
    parser.add_argument(
        "--budget-steps",
        type=int,
        default=None,
        metavar="N",
        help="train every learned model for N optimiser steps instead of a wall "
        "time (--budget-minutes is then not used): the learning-rate schedule and "
        "the curriculum follow the share of the steps done, so the run trains the "
        "same on a slower or busier machine; the protocol's 15 min made 19,000 to "
        "21,000 steps of the U-Net on the machine of the committed runs",
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--models",
        nargs="+",
        default=None,
        choices=ALL_MODELS,
        metavar="MODEL",
        help=f"models to run (default: all): {' '.join(ALL_MODELS)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: few windows, tiny budgets and networks, few models",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the training (the test set always uses the protocol's seed 0)",
    )
    parser.add_argument(
        "--test-windows",
        type=int,
        default=None,
        help="test windows per test record (protocol: 300; --quick: 40)",
    )
    parser.add_argument(
        "--max-train-windows",
        type=int,
        default=None,
        help="at most this many training windows (default: all; --quick: 600)",
    )
    parser.add_argument(
        "--max-val-windows",
        type=int,
        default=None,
        help="at most this many validation windows (default: all; --quick: 128)",
    )
    parser.add_argument(
        "--train-snr",
        nargs=2,
        type=float,
        default=(-6.0, 30.0),
        metavar=("LOW", "HIGH"),
        help="range of the training SNRs in dB (default: -6 30)",
    )
    parser.add_argument(
        "--clean-fraction",
        type=float,
        default=0.0,
        help="share of the training windows fed in clean, nothing to remove "
        "(default: 0; 0.1 until 2026-12-08, see results/ecg_low_snr/RULE.md)",
    )
    parser.add_argument(
        "--gate",
        choices=("isotonic", "none"),
        default="isotonic",
        help="no-harm gate of every learned model, calibrated on the validation "
        "windows (default: isotonic)",
    )
    add_passes_option(parser)
    parser.add_argument(
        "--average-flips",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="average each learned model's outputs over sign and time flips "
        "(default: on)",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISION_CHOICES,
        default="auto",
        help="dtype policy of the learned models' layers (default: auto, mixed "
        "bfloat16 on a GPU with bfloat16 or a CPU with bfloat16 matrix units "
        "(amx_bf16), float32 elsewhere, where bfloat16 is slower: see "
        "benchmarks/_precision.py; runs before 2026-12-07 used mixed_bfloat16)",
    )
    add_jit_option(parser)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=5e-4,
        help="peak learning rate of every learned model, annealed on a cosine "
        "of the budget (default: 5e-4)",
    )
    parser.add_argument(
        "--loss",
        default="snr",
        choices=tuple(LOSS_TEXT),
        help="training loss of every learned model (default: snr, minus the "
        "output SNR in dB per window; snr_l1: the same on absolute errors)",
    )
    parser.add_argument(
        "--augment",
        nargs="*",
        default=["flip", "time-flip", "warp"],
        choices=sorted(AUGMENTATIONS),
        help="augmentations of the clean training windows, for every learned "
        "model (default: flip time-flip warp); the option with no name to switch "
        "them off",
    )
    parser.add_argument(
        "--drift",
        type=float,
        default=0.5,
        metavar="MAX",
        help="slow drift added as signal to half of the clean training windows, "
        "with an RMS drawn in [0, MAX] times the window's own (default: 0.5); "
        "0 to switch off",
    )
    parser.add_argument(
        "--warp-range",
        nargs=2,
        type=float,
        default=(0.8, 1.25),
        metavar=("LOW", "HIGH"),
        help="range of the time warp's stretch factor, drawn log-uniformly per "
        "window, when --augment has warp (default: 0.8 1.25)",
    )
    add_hard_first_options(parser)
    parser.add_argument(
        "--drift-frequency",
        nargs=2,
        type=float,
        default=(0.3, 1.0),
        metavar=("LOW", "HIGH"),
        help="frequency range of that drift in Hz (default: 0.3 1)",
    )
    parser.add_argument(
        "--train-leads",
        nargs="+",
        type=int,
        choices=(0, 1),
        default=[0],
        metavar="CHANNEL",
        help="MITDB channels of the training records that the clean training "
        "windows come from: 0 (the protocol's lead, MLII in most records) and "
        "1 (V1, V2, V4 or V5), more beat shapes of the same records; validation "
        "and test stay on channel 0 (default: 0)",
    )
    parser.add_argument(
        "--held-out-noise",
        type=int,
        default=None,
        metavar="SAMPLE",
        help="draw the training noise from samples [0, SAMPLE) of the protocol's "
        "training segment and the validation records' noise from [SAMPLE, 325000), "
        "so that early stopping, the gate and the passes are calibrated on noise "
        "the network never saw (default: both from the whole segment)",
    )
    protocol.add_validation_noise_option(
        parser,
        "early stopping, gates, passes",
        "the earlier runs' validation noise; implied by --held-out-noise",
    )
    parser.add_argument(
        "--noise-weights",
        nargs=4,
        type=float,
        default=None,
        metavar=("BW", "EM", "MA", "MIX"),
        help="relative probabilities of the training noise types (normalised; "
        "validation noise stays equally likely; default: equal)",
    )
    parser.add_argument(
        "--noise-flip",
        action="store_true",
        help="give each training noise stretch a random sign and time direction",
    )
    parser.add_argument(
        "--noise-time-scale",
        nargs=2,
        type=float,
        default=None,
        metavar=("LOW", "HIGH"),
        help="read each training noise stretch at a random rate in [LOW, HIGH] "
        "(its frequencies scale with it; default: off)",
    )
    parser.add_argument(
        "--noise-spectral-gain",
        type=float,
        default=None,
        metavar="DB",
        help="colour each training noise stretch by a random gain, smooth over log "
        "frequency, of at most DB either way (a tilt and a bowl of the spectrum; "
        "RecordedNoise(spectral_gain=DB); default: off)",
    )
    parser.add_argument(
        "--real-records",
        nargs="*",
        default=None,
        help="NSTDB noisy records to denoise (default: all 118e*, 119e*; "
        "--quick: 118e06); the option with no record to skip them",
    )
    parser.add_argument(
        "--real-windows",
        type=int,
        default=None,
        help="at most this many windows per real record (default: all; --quick: 60)",
    )
    parser.add_argument(
        "--set",
        nargs="+",
        action="extend",
        default=[],
        metavar="MODEL.PARAM=VALUE",
        help="override hyper-parameters of learned models, e.g. unet.filters=8 "
        "(several after one --set, or --set repeated: all of them apply)",
    )
    parser.add_argument(
        "--no-qrs",
        action="store_true",
        help="skip QRS detection on the whole real records",
    )
    parser.add_argument("--no-figure", action="store_true", help="skip the figure")
    parser.add_argument(
        "--save-models",
        metavar="DIR",
        help="save every fitted learned model to DIR/<model>.skdenoise (for "
        "evaluating it again without training)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    if args.budget_minutes is None:
        args.budget_minutes = 0.2 if quick else PROTOCOL_BUDGET_MINUTES
    if args.models is None:
        args.models = QUICK_MODELS if quick else ALL_MODELS
    if args.test_windows is None:
        args.test_windows = 40 if quick else 300
    if args.max_train_windows is None and quick:
        args.max_train_windows = 600
    if args.max_val_windows is None and quick:
        args.max_val_windows = 128
    args.test_records = [str(r) for r in args.test_records]
    # The default lists leave out the records given for testing: a run on other
    # test records (a classical one trains nothing) needs no lists of its own.
    args.default_val_records = args.val_records is None
    args.default_train_records = args.train_records is None
    args.default_test_records = args.test_records == DEFAULT_TEST
    if args.val_records is None:
        args.val_records = [r for r in DEFAULT_VAL if r not in args.test_records]
    args.val_records = [str(r) for r in args.val_records]
    if args.train_records is None:
        args.train_records = [
            r
            for r in DEFAULT_TRAIN
            if r not in args.val_records and r not in args.test_records
        ]
    args.train_records = [str(r) for r in args.train_records]
    # Real records named on the command line must exist; of the default list,
    # those missing are skipped with a note (a data folder without NSTDB's).
    args.real_records_named = args.real_records is not None
    if args.real_records is None:
        args.real_records = ["118e06"] if quick else list(NSTDB_RECORDS)
    if args.real_windows is None and quick:
        args.real_windows = 60
    if args.budget_minutes <= 0:
        parser.error("--budget-minutes must be positive")
    for option, value in (
        ("--test-windows", args.test_windows),
        ("--real-windows", args.real_windows),
        ("--max-train-windows", args.max_train_windows),
        ("--max-val-windows", args.max_val_windows),
    ):
        if value is not None and value < 1:
            parser.error(f"{option} must be a positive number of windows")
    if args.budget_steps is not None and args.budget_steps < 1:
        parser.error("--budget-steps must be a positive number of steps")
    if not 0 < args.warp_range[0] <= args.warp_range[1]:
        parser.error("--warp-range needs 0 < LOW <= HIGH")
    # The training settings, checked here rather than by each model's fit
    # (whose failure would leave a results folder without it).
    checks = [
        ("--train-snr", args.train_snr[0] <= args.train_snr[1], "needs LOW <= HIGH"),
        ("--clean-fraction", 0 <= args.clean_fraction < 1, "must be in [0, 1)"),
        ("--batch-size", args.batch_size >= 1, "must be at least 1"),
        (
            "--learning-rate",
            math.isfinite(args.learning_rate) and args.learning_rate > 0,
            "must be a positive number",
        ),
        (
            "--drift",
            math.isfinite(args.drift) and args.drift >= 0,
            "must be a number >= 0",
        ),
        (
            "--drift-frequency",
            0 < args.drift_frequency[0] <= args.drift_frequency[1],
            "needs 0 < LOW <= HIGH",
        ),
        (
            "--noise-time-scale",
            args.noise_time_scale is None
            or 0 < args.noise_time_scale[0] <= args.noise_time_scale[1],
            "needs 0 < LOW <= HIGH",
        ),
        (
            "--noise-spectral-gain",
            args.noise_spectral_gain is None
            or (np.isfinite(args.noise_spectral_gain) and args.noise_spectral_gain > 0),
            "needs a positive number of dB",
        ),
        (
            "--hard-first",
            args.hard_first is None or 0 < args.hard_first[1] <= 1,
            "needs a RAMP (a share of the budget) in (0, 1]",
        ),
    ]
    for option, ok, message in checks:
        if not ok:
            parser.error(f"{option} {message}")
    # A model named twice would be trained twice and its file overwritten.
    args.models = list(dict.fromkeys(args.models))
    try:
        protocol.noise_segments(args.held_out_noise)
    except ValueError as exc:
        parser.error(f"--held-out-noise: {exc}")
    if args.held_out_noise is not None and not args.val_records:
        parser.error("--held-out-noise needs validation records (--val-records)")
    try:
        args.validation_noise = protocol.validation_noise_source(
            args.validation_noise, args.held_out_noise
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.noise_weights is not None:
        try:
            weights = protocol.noise_type_weights(args.noise_weights)
        except ValueError as exc:
            parser.error(f"--noise-weights: {exc}")
        args.noise_weights = [float(w) for w in weights]
    args.train_leads = list(dict.fromkeys(args.train_leads))
    args.overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        model, dot, param = key.partition(".")
        if not sep or not dot or model not in LEARNED:
            parser.error(f"--set {item!r}: expected MODEL.PARAM=VALUE, MODEL learned")
        cls = learned_class(model)
        if cls is not None and param not in cls._get_param_names():
            # A misspelt name would otherwise train the default, unnoticed.
            parser.error(
                f"--set {item!r}: {cls.__name__} has no parameter {param!r}; its "
                f"parameters are {', '.join(cls._get_param_names())}"
            )
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            pass  # a plain string, such as an activation name
        args.overrides.setdefault(model, {})[param] = value
    return args


class Log:
    """Log lines with the elapsed wall time, also saved to a file.

    Lines go through ``tqdm.write`` so that they do not break the progress bar
    over the models (on standard error).
    """

    def __init__(self, path):
        self.start = time.perf_counter()
        self.path = path
        path.write_text("", encoding="utf-8")

    def __call__(self, message):
        elapsed = time.perf_counter() - self.start
        line = f"[{int(elapsed) // 60:3d}:{int(elapsed) % 60:02d}] {message}"
        tqdm.write(line, file=sys.stdout)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


def real_level(record):
    """Nominal SNR of an NSTDB record name: ``118e_6`` -> -6."""
    level = record.split("e", 1)[1]
    return -float(level[1:]) if level.startswith("_") else float(level)


# --------------------------------------------------------------------------- #
# Running the models
# --------------------------------------------------------------------------- #


def recipe(args):
    """The training and inference settings shared by every learned model."""
    return {
        "clean_fraction": args.clean_fraction,
        "gate": None if args.gate == "none" else args.gate,
        "average_flips": args.average_flips,
        "n_passes": args.passes,
        "precision": args.precision,
        "jit_compile": jit_setting(args.jit_compile),
    }


def drift_augmentation(args):
    """The slow drift of ``--drift``, or None when it is off."""
    if not args.drift:
        return None
    return RandomDrift(
        sampling_rate=protocol.SAMPLING_RATE,
        frequency=tuple(args.drift_frequency),
        amplitude=(0.0, args.drift),
        p=0.5,
    )


def augmentation_text(name, args):
    """The README's words for one named augmentation, with the warp's range."""
    if name == "warp":
        low, high = args.warp_range
        return f"time warp by a factor in [{low:g}, {high:g}]"
    return AUGMENTATIONS[name]


def training_augmentation(args):
    """The augmentation of the clean training windows: named steps, then drift."""
    named = from_names(args.augment)
    if named is not None:
        for step in named.steps:
            if isinstance(step, RandomTimeWarp):
                step.factor = tuple(args.warp_range)
    drift = drift_augmentation(args)
    if drift is None:
        return named
    return AugmentationChain([*(named.steps if named else []), drift])


def build_model(key, args, context, log):
    """A fitted model and its training record (time, epochs, steps)."""
    if key in CLASSICAL:
        model = CLASSICAL[key][1]()
        model.fit(context["clean"][:8])
        return model, {"train_time_s": 0.0, "epochs": None, "steps": None}
    from _ecg_training import (
        fit_learned,
        make_learned,
        mmss,
        passes_summary,
        validation_scores,
    )

    budget_s = args.budget_minutes * 60.0
    model, budget = make_learned(
        key,
        noise=context["training_noise"],
        budget_s=budget_s,
        learning_rate=args.learning_rate,
        loss=args.loss,
        augment=training_augmentation(args),
        batch_size=args.batch_size,
        recipe=recipe(args),
        curriculum=(None if args.hard_first is None else (*args.hard_first, "high")),
        seed=args.seed,
        quick=args.quick,
        overrides=args.overrides.get(key, {}),
        log=log,
        validation_records=context["validation"] is not None,
        max_steps=args.budget_steps,
        n_train=len(context["train"]),
    )
    X_train = context["train"]
    if args.jit_compile == "auto" and not args.quick:
        # (A quick run trains too briefly for the measurement to pay.)
        choice = choose_xla(model, X_train, args.batch_size, log)
        context.setdefault("xla", {})[key] = choice
        model.set_params(jit_compile=choice["jit_compile"])
    log(
        f"  training on {len(X_train)} clean windows, noise drawn on the fly, "
        f"budget {budget.describe()}"
    )
    # Every learned model shares the training noise, whose SNR range the
    # curriculum narrows during a fit and sets back at its end; a fit that fails
    # midway (the run goes on to the next model) must not leave it narrowed.
    noise_snr = context["training_noise"].snr
    start = time.perf_counter()
    try:
        validation = fit_learned(model, X_train, context["validation"], log)
    finally:
        context["training_noise"].snr = noise_snr
    wall = time.perf_counter() - start
    info = {
        "train_time_s": wall,
        "epochs": budget.epochs_done,
        "steps": budget.steps,
        "cpu_time_s": budget.cpu_time_s,
        "best_epoch": budget.best_epoch,
        "n_params": int(model.model_.count_params()),
        "validation": validation,
    }
    scores = validation_scores(model, context["validation"])
    info.update(scores)
    if scores:
        first = scores.get("val_snr_improvement_first_member")
        log(
            "  validation records, mean SNR improvement before the gate: "
            f"{scores['val_snr_improvement']:+.2f} dB"
            + (
                f" ({scores['val_snr_improvement_above_18db']:+.2f} dB on the "
                "windows at 18 dB or more)"
                if "val_snr_improvement_above_18db" in scores
                else ""
            )
            + (
                ""
                if first is None
                else f" (ensemble of {len(model.ensemble_members_) + 1}; "
                f"the first member alone {first:+.2f} dB)"
            )
        )
    if passes_summary(scores):
        log(passes_summary(scores))
    log(
        f"  trained in {mmss(wall)} (process CPU time {mmss(budget.cpu_time_s)}; "
        f"{budget.epochs_done} epochs, {budget.steps} steps,"
        f" best val_loss at epoch {budget.best_epoch}, "
        f"{info['n_params']:,} parameters)"
    )
    return model, info


def _stats(row, values):
    """Mean and std over windows of each metric into ``row`` (inf-safe)."""
    for name, per_window in values.items():
        per_window = np.asarray(per_window, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            row[f"{name}_mean"] = float(np.mean(per_window))
            row[f"{name}_std"] = (
                float(np.std(per_window))
                if np.all(np.isfinite(per_window))
                else float("nan")
            )
    return row


def clean_condition(model, context):
    """The clean windows as input: the row of the results and the per-record rows."""
    clean = context["clean"]
    estimate = np.asarray(model.transform(clean), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = protocol.window_metrics(clean, clean, estimate)
    values["snr_improvement"] = np.full(len(clean), np.nan)  # nothing to improve
    row = {"noise": protocol.CLEAN, "input_snr_db": np.inf, "n_windows": len(clean)}
    _stats(row, values)
    per_record = protocol.clean_window_stats(clean, estimate, context["record_of"])
    row["snr_out_median"] = per_record[-1]["snr_out_median"]
    row["snr_out_p5"] = per_record[-1]["snr_out_p5"]
    return row, per_record


def qrs_condition(model, context, log):
    """QRS detection on each whole real record denoised by ``model``."""
    rows = []
    tolerance = int(round(protocol.QRS_TOLERANCE_S * protocol.SAMPLING_RATE))
    for record, cached in context["qrs"].items():
        start = time.perf_counter()
        denoised = protocol.denoise_record(model, cached["noisy"])
        denoise_s = time.perf_counter() - start
        start = time.perf_counter()
        detected = protocol.detect_qrs(denoised)
        detect_s = time.perf_counter() - start
        scores = protocol.qrs_scores(cached["beats"], detected, tolerance)
        block_scores = protocol.qrs_scores(
            cached["beats"], detected, tolerance, cached["blocks"]
        )
        row = {
            "record": record,
            "nominal_snr_db": real_level(record),
            "n_beats": len(cached["beats"]),
        }
        for condition, values in (
            ("noisy", cached["noisy_scores"]),
            ("denoised", scores),
            ("clean", cached["clean_scores"]),
        ):
            for name in ("sensitivity", "ppv", "tp", "fn", "fp"):
                row[f"{condition}_{name}"] = values[name]
        # The same, counted only inside the noisy blocks.
        for condition, values in (
            ("noisy", cached["noisy_block_scores"]),
            ("denoised", block_scores),
            ("clean", cached["clean_block_scores"]),
        ):
            for name in ("sensitivity", "ppv"):
                row[f"blocks_{condition}_{name}"] = values[name]
        row["denoise_time_s"] = round(denoise_s, 2)
        row["detect_time_s"] = round(detect_s, 2)
        rows.append(row)
        log(
            f"  QRS {record}: Se {scores['sensitivity']:.4f} PPV {scores['ppv']:.4f} "
            f"(noisy {cached['noisy_scores']['sensitivity']:.4f} / "
            f"{cached['noisy_scores']['ppv']:.4f}); denoised in {denoise_s:.1f} s, "
            f"detected in {detect_s:.1f} s"
        )
    return rows


def evaluate_model(model, context):
    """Metrics on the test set and on the real records, and example outputs."""
    clean = context["clean"]
    rows, examples, times = [], {}, []
    for (noise, snr), noisy in context["noisy"].items():
        start = time.perf_counter()
        estimate = np.asarray(model.transform(noisy), dtype=np.float64)
        times.append((time.perf_counter() - start, noisy.size))
        values = protocol.window_metrics(clean, noisy, estimate)
        row = {"noise": noise, "input_snr_db": snr, "n_windows": len(clean)}
        rows.append(_stats(row, values))
        # One record can dominate a mean (a record whose reference keeps what
        # the networks take for noise): the mean per test record too.
        for record in np.unique(context["record_of"]):
            mine = context["record_of"] == record
            row[f"snr_improvement_mean_{record}"] = float(
                np.mean(values["snr_improvement"][mine])
            )
        if snr == context["example_snr"]:
            examples[noise] = estimate[context["example_index"]]
    # The first call includes one-off costs (graph tracing), so it is left out.
    timed = times[1:] if len(times) > 1 else times
    throughput = sum(n for _, n in timed) / max(sum(t for t, _ in timed), 1e-12)
    real_rows = []
    for record, (noisy, reference) in context["real"].items():
        estimate = np.asarray(model.transform(noisy), dtype=np.float64)
        values = protocol.window_metrics(reference, noisy, estimate)
        pooled_in = 10 * np.log10(
            np.sum(reference**2) / np.sum((reference - noisy) ** 2)
        )
        pooled_out = 10 * np.log10(
            np.sum(reference**2) / np.sum((reference - estimate) ** 2)
        )
        row = {
            "record": record,
            "nominal_snr_db": real_level(record),
            "n_windows": len(noisy),
            "pooled_snr_in_db": float(pooled_in),
            "pooled_snr_improvement_db": float(pooled_out - pooled_in),
        }
        for name, per_window in values.items():
            row[f"{name}_mean"] = float(np.mean(per_window))
            row[f"{name}_std"] = float(np.std(per_window))
        # The blocks past the training noise's segment: noise no model saw.
        unseen = context.get("real_unseen", {}).get(record)
        row["n_windows_unseen_noise"] = 0 if unseen is None else int(unseen.sum())
        row["snr_improvement_unseen_noise_mean"] = (
            float(np.mean(values["snr_improvement"][unseen]))
            if row["n_windows_unseen_noise"]
            else float("nan")
        )
        real_rows.append(row)
    return rows, real_rows, examples, throughput


# --------------------------------------------------------------------------- #
# Output
# --------------------------------------------------------------------------- #


def fmt_db(value, fmt="{:+.2f}"):
    """A number for the tables: ``inf`` for infinity, ``-`` when undefined."""
    if value is None or value == "":
        return "-"
    value = float(value)
    if np.isnan(value):
        return "-"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return fmt.format(value)


def pm(row, name):
    fmt = FORMATS[name]
    mean, std = row[f"{name}_mean"], row[f"{name}_std"]
    if not np.isfinite(float(mean)):
        return fmt_db(mean, fmt)
    if not np.isfinite(float(std)):
        return fmt.format(mean)
    return f"{fmt.format(mean)} ± {fmt.replace('+', '').format(std)}"


def input_level(row):
    """The input condition of a row: its SNR, or clean."""
    if row["noise"] == protocol.CLEAN:
        return "clean input"
    return f"{float(row['input_snr_db']):+g}"


def write_csv(path, rows):
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def markdown_table(header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in line) + " |" for line in lines]
    return "\n".join(out)


def results_markdown(rows):
    header = ["model", "noise", "input SNR (dB)", *(HEADERS[m] for m in REPORTED)]
    lines = [
        [
            r["label"],
            r["noise"],
            input_level(r),
            *(pm(r, m) for m in REPORTED),
        ]
        for r in rows
    ]
    return markdown_table(header, lines)


def clean_pivot(clean_rows, models, labels):
    """Output SNR of the clean windows: mean / median / 5th percentile."""
    if not clean_rows:
        return None
    groups = list(dict.fromkeys(r["record"] for r in clean_rows))
    cell = {(r["model"], r["record"]): r for r in clean_rows}
    header = ["model", *(f"{g} (mean / median / p5)" for g in groups)]
    lines = []
    for key in models:
        if (key, groups[0]) not in cell:
            continue
        lines.append(
            [labels[key]]
            + [
                " / ".join(
                    fmt_db(cell[key, g][f"snr_out_{stat}"], "{:.1f}")
                    for stat in ("mean", "median", "p5")
                )
                for g in groups
            ]
        )
    return markdown_table(header, lines)


def _qrs_table(qrs_rows, models, labels, cell_text):
    """A table of real records (columns) and detector inputs (rows).

    ``cell_text(row, condition)`` formats one record's row of ``qrs.csv`` for
    the condition ``noisy``, ``clean`` or ``denoised``.
    """
    if not qrs_rows:
        return None
    records = list(dict.fromkeys(r["record"] for r in qrs_rows))
    cell = {(r["model"], r["record"]): r for r in qrs_rows}
    first = {rec: next(r for r in qrs_rows if r["record"] == rec) for rec in records}
    lines = [
        ["noisy record (input)", *(cell_text(first[rec], "noisy") for rec in records)],
        ["clean record", *(cell_text(first[rec], "clean") for rec in records)],
    ]
    for key in models:
        if any((key, rec) in cell for rec in records):
            # A run without some of the records (ecg_summary.py joins runs): "-".
            lines.append(
                [
                    labels[key],
                    *(
                        cell_text(cell[key, rec], "denoised")
                        if (key, rec) in cell
                        else "-"
                        for rec in records
                    ),
                ]
            )
    return markdown_table(["detector input", *records], lines)


def qrs_pivot(qrs_rows, models, labels):
    """Sensitivity / positive predictivity (%) per real record and model."""

    def pair(row, condition):
        return (
            f"{100 * float(row[f'{condition}_sensitivity']):.2f} / "
            f"{100 * float(row[f'{condition}_ppv']):.2f}"
        )

    return _qrs_table(qrs_rows, models, labels, pair)


def qrs_f1(row, condition):
    """F1 of the detections of one condition: 2 Se PPV / (Se + PPV)."""
    se, ppv = float(row[f"{condition}_sensitivity"]), float(row[f"{condition}_ppv"])
    return 2 * se * ppv / (se + ppv) if se + ppv > 0 else 0.0


def qrs_f1_pivot(qrs_rows, models, labels):
    """F1 of the QRS detections (%) per real record and model."""
    return _qrs_table(
        qrs_rows,
        models,
        labels,
        lambda row, condition: f"{100 * qrs_f1(row, condition):.2f}",
    )


QRS_F1_TEXT = (
    "F1 = 2 Se PPV / (Se + PPV) = 2 TP / (2 TP + FP + FN): one number that "
    "weighs a missed beat and a false detection alike."
)


def real_markdown(rows):
    header = [
        "model",
        "record",
        "nominal SNR",
        "input SNR (dB)",
        "SNR imp. (dB)",
        "pooled SNR imp. (dB)",
        "RMSE (mV)",
        "PRD (%)",
        "cos. sim.",
    ]
    lines = [
        [
            r["label"],
            r["record"],
            f"{r['nominal_snr_db']:+g}",
            pm(r, "snr_in"),
            pm(r, "snr_improvement"),
            f"{r['pooled_snr_improvement_db']:+.2f}",
            pm(r, "rmse"),
            pm(r, "prd"),
            pm(r, "cosine"),
        ]
        for r in rows
    ]
    return markdown_table(header, lines)


def snr_pivot(rows, models, labels, noises, snrs):
    """One table per noise type: SNR improvement per model and input level."""
    cell = {(r["model"], r["noise"], r["input_snr_db"]): r for r in rows}
    parts = []
    for noise in noises:
        header = ["model", *(f"{s:+g} dB" for s in snrs)]
        lines = []
        for key in models:
            if (key, noise, snrs[0]) not in cell:
                continue
            lines.append(
                [labels[key]]
                + [f"{cell[key, noise, s]['snr_improvement_mean']:+.2f}" for s in snrs]
            )
        parts.append(f"**{noise}**\n\n" + markdown_table(header, lines))
    return "\n\n".join(parts)


def real_pivot(real_rows, models, labels):
    """Mean SNR improvement per real record and model ("-": not in that run)."""
    records = list(dict.fromkeys(r["record"] for r in real_rows))
    cell = {(r["model"], r["record"]): r for r in real_rows}
    first = {rec: next(r for r in real_rows if r["record"] == rec) for rec in records}
    header = ["model", *records]

    def model_lines(value):
        # One line per model with a row in some record; "-" where it has none.
        return [
            [labels[key]]
            + [value(cell[key, rec]) if (key, rec) in cell else "-" for rec in records]
            for key in models
            if any((key, rec) in cell for rec in records)
        ]

    lines = model_lines(lambda row: f"{row['snr_improvement_mean']:+.2f}")
    inputs = [
        "input SNR (dB)",
        *(f"{first[rec]['snr_in_mean']:+.1f}" for rec in records),
    ]
    table = markdown_table(header, [inputs, *lines])
    if not any(r.get("n_windows_unseen_noise") for r in real_rows):
        return table
    # The same on the blocks past samples 325000 only: nst added em noise
    # from channel 0 at the record's own positions, so the earlier blocks
    # hold noise of the training segment.
    unseen = model_lines(
        lambda row: (
            f"{row['snr_improvement_unseen_noise_mean']:+.2f}"
            if row.get("n_windows_unseen_noise")
            else "-"
        )
    )
    counts = [
        "windows",
        *(
            str(int(float(first[rec].get("n_windows_unseen_noise") or 0)))
            for rec in records
        ),
    ]
    end = protocol.TRAIN_NOISE["segment"][1]
    return (
        f"{table}\n\nOnly the noisy blocks from sample {end:,} on "
        "(the earlier blocks hold em noise from the training noise's segment, "
        "channel 0, at the same samples):\n\n"
        + markdown_table(header, [counts, *unseen])
    )


def reference_comparison(rows, snrs):
    cell = {(r["model"], r["noise"], r["input_snr_db"]): r for r in rows}
    lines, worst = [], 0.0
    for key, table in REFERENCE.items():
        for noise, ref in table.items():
            if (key, noise, snrs[0]) not in cell:
                continue
            ours = [
                cell[key, noise, s]["snr_improvement_mean"] for s in protocol.TEST_SNRS
            ]
            diff = max(abs(a - b) for a, b in zip(ours, ref, strict=True))
            worst = max(worst, diff)
            lines.append(
                [
                    CLASSICAL[key][0],
                    noise,
                    " / ".join(f"{v:+.1f}" for v in ours),
                    " / ".join(f"{v:+.1f}" for v in ref),
                    f"{diff:.2f}",
                ]
            )
    if not lines:
        return None, None
    header = ["model", "noise", "measured (-6/0/6/12/24 dB)", "reference", "max |diff|"]
    return markdown_table(header, lines), worst


#: The bars of the benchmark (issue 11), in dB.
BAR_MARGIN_0DB = 6.0
BAR_LOSS_24DB = -1.0
BAR_CLEAN_SNR = 30.0
BAR_MARGIN_PEERS = 1.0


def _verdict(ok, shortfall, unit="dB"):
    return "met" if ok else f"missed by {shortfall:.2f} {unit}"


def validation_choice(timing):
    """Each learned model's mean SNR improvement on the validation records.

    From the rows of ``timing.csv`` (``val_snr_improvement``, the network's
    outputs before the gate on the validation records' windows); models
    without one are left out.
    """
    scores = {}
    for t in timing:
        value = t.get("val_snr_improvement")
        if value is None or value == "":
            continue
        value = float(value)
        if np.isfinite(value):
            scores[t["model"]] = value
    return scores


def assess_bars(
    rows, real_rows, models, labels, base=None, qrs_rows=(), val_scores=None
):
    """The benchmark's bars, for the best skdenoise network.

    ``base`` maps a row's model key to the key of its model in ``CLASSICAL`` or
    ``LEARNED`` (default: the key itself), so that rows of one model trained
    with several recipes can be assessed together: a published network is then
    represented, at each condition, by the best of its rows.

    The bars: at 0 dB input the best network beats the best classical filter by
    at least 6 dB on every noise; at 24 dB input it loses at most 1 dB on every
    noise; a clean window comes out at 30 dB output SNR or better (median over
    the clean test windows); it beats FCN-DAE, DRNN and DeepFilter by at least
    1 dB at every noise and input level; on the real records, QRS detection
    (sensitivity and positive predictivity) on the denoised record is at least
    as good as on the noisy one. A bar without the rows it needs is reported as
    not measured.

    The network assessed is chosen without the test records: the one with the
    highest mean SNR improvement on the validation records (``val_scores``, a
    dict from model key to that score, as :func:`validation_choice` reads it)
    when every candidate has one, else the first one listed in ``models``.
    """
    base = base or (lambda key: key)
    snrs = list(protocol.TEST_SNRS)
    noisy_rows = [r for r in rows if r["noise"] in protocol.NOISE_TYPES]
    have = {r["model"] for r in noisy_rows}
    models = [k for k in models if k in have]
    ours = [k for k in models if base(k) in LEARNED and base(k) not in PUBLISHED]
    classical = [k for k in models if base(k) in CLASSICAL_BASELINES]
    peers = {p: [k for k in models if base(k) == p] for p in PUBLISHED}
    if not ours:
        return None
    cell = {
        (r["model"], r["noise"], r["input_snr_db"]): r["snr_improvement_mean"]
        for r in noisy_rows
    }
    noises = sorted({r["noise"] for r in noisy_rows}, key=protocol.NOISE_TYPES.index)

    def mean_imp(key):
        return np.mean([cell[key, n, s] for n in noises for s in snrs])

    val_scores = val_scores or {}
    if len(ours) == 1:
        best = ours[0]
        how = "the only skdenoise network"
    elif all(k in val_scores for k in ours):
        best = max(ours, key=val_scores.get)
        how = (
            "the skdenoise network with the highest mean SNR improvement on the "
            f"validation records, {val_scores[best]:+.2f} dB; chosen without the "
            "test records"
        )
    else:
        best = ours[0]
        how = (
            "the first skdenoise network listed: not every network has a score "
            "on the validation records, and the test records choose nothing"
        )
    lines = [
        f"Network assessed ({how}): **{labels[best]}**, "
        f"{mean_imp(best):+.2f} dB on average over the "
        f"{len(noises) * len(snrs)} noisy test conditions.",
        "",
    ]
    verdicts = []

    name = f"beats the best classical filter by >= {BAR_MARGIN_0DB:g} dB at 0 dB input"
    if classical:
        ok_all, parts = True, []
        for noise in noises:
            top = max(classical, key=lambda k: cell[k, noise, 0.0])
            margin = cell[best, noise, 0.0] - cell[top, noise, 0.0]
            ok = margin >= BAR_MARGIN_0DB
            ok_all &= ok
            parts.append(
                f"{noise}: {cell[best, noise, 0.0]:+.2f} vs {labels[top]} "
                f"{cell[top, noise, 0.0]:+.2f} -> margin {margin:+.2f} dB "
                f"({_verdict(ok, BAR_MARGIN_0DB - margin)})"
            )
        verdicts.append((name, ok_all, parts))
    else:
        verdicts.append((name, None, ["no classical filter in the rows"]))

    ok_all, parts = True, []
    for noise in noises:
        value = cell[best, noise, 24.0]
        ok = value >= BAR_LOSS_24DB
        ok_all &= ok
        parts.append(
            f"{noise}: {value:+.2f} dB ({_verdict(ok, BAR_LOSS_24DB - value)})"
        )
    verdicts.append(
        (f"loses at most {-BAR_LOSS_24DB:g} dB at 24 dB input", ok_all, parts)
    )

    name = f"a clean window comes out at >= {BAR_CLEAN_SNR:g} dB output SNR"
    clean = [r for r in rows if r["model"] == best and r["noise"] == protocol.CLEAN]
    if clean:
        row = clean[0]
        # The median window: a window the gate hands back unchanged scores
        # +inf dB, which would make the mean infinite whatever the others do.
        value = row["snr_out_median"]
        ok = value >= BAR_CLEAN_SNR
        parts = [
            f"median {fmt_db(value)} dB over {row['n_windows']:.0f} clean test "
            f"windows (mean {fmt_db(row.get('snr_out_mean'))}, 5th percentile "
            f"{fmt_db(row.get('snr_out_p5'))}) ({_verdict(ok, BAR_CLEAN_SNR - value)})"
        ]
        verdicts.append((name, ok, parts))
    else:
        verdicts.append((name, None, ["no clean-window rows in this run"]))

    name = (
        f"beats FCN-DAE, DRNN and DeepFilter by >= {BAR_MARGIN_PEERS:g} dB at every "
        "input level"
    )
    if any(peers.values()):
        ok_all, parts = True, []
        for peer, keys in peers.items():
            if not keys:
                parts.append(f"vs {LEARNED[peer][1]}: not in the rows")
                continue
            margins = {
                (n, s): cell[best, n, s] - max(cell[k, n, s] for k in keys)
                for n in noises
                for s in snrs
            }
            short = {c: m for c, m in margins.items() if m < BAR_MARGIN_PEERS}
            ok_all &= not short
            smallest = min(margins.values())
            peer_name = LEARNED[peer][1] + (
                f" (best of {len(keys)} rows)" if len(keys) > 1 else ""
            )
            parts.append(
                f"vs {peer_name}: smallest margin {smallest:+.2f} dB"
                + (
                    f" (missed by {BAR_MARGIN_PEERS - smallest:.2f} dB; under "
                    f"{BAR_MARGIN_PEERS:g} dB at "
                    + ", ".join(
                        f"{n} {s:+g} dB ({m:+.2f})" for (n, s), m in short.items()
                    )
                    + ")"
                    if short
                    else " (met everywhere)"
                )
            )
        verdicts.append((name, ok_all, parts))
    else:
        verdicts.append((name, None, ["no published network in the rows"]))

    name = "QRS detection on the denoised real records at least as good as on the noisy"
    qrs = [r for r in qrs_rows if r["model"] == best]
    if qrs:
        ok_all, parts = True, []
        for r in qrs:
            d_se = r["denoised_sensitivity"] - r["noisy_sensitivity"]
            d_ppv = r["denoised_ppv"] - r["noisy_ppv"]
            ok = d_se >= 0 and d_ppv >= 0
            ok_all &= ok
            shortfall = 100 * max(0.0, -d_se, -d_ppv)
            parts.append(
                f"{r['record']}: Se {100 * r['noisy_sensitivity']:.2f} -> "
                f"{100 * r['denoised_sensitivity']:.2f} %, PPV "
                f"{100 * r['noisy_ppv']:.2f} -> {100 * r['denoised_ppv']:.2f} % "
                f"({_verdict(ok, shortfall, 'percentage points')}; F1 "
                f"{100 * qrs_f1(r, 'noisy'):.2f} -> {100 * qrs_f1(r, 'denoised'):.2f}"
                " %)"
            )
        verdicts.append((name, ok_all, parts))
    else:
        verdicts.append((name, None, ["no QRS detection in this run"]))

    for name, ok, parts in verdicts:
        status = "NOT MEASURED" if ok is None else ("MET" if ok else "MISSED")
        lines.append(f"- **{name}: {status}**")
        lines += [f"  - {p}" for p in parts]
    return "\n".join(lines)


def save_figure(path, context, examples, models, labels):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    noises = list(protocol.NOISE_TYPES)
    shown = [k for k in models if k in examples]
    index, snr = context["example_index"], context["example_snr"]
    t = np.arange(protocol.WINDOW) / protocol.SAMPLING_RATE
    clean = context["clean"][index]
    fig, axes = plt.subplots(
        len(shown),
        len(noises),
        figsize=(4.0 * len(noises), 1.7 * len(shown) + 0.8),
        sharex=True,
        squeeze=False,
    )
    for j, noise in enumerate(noises):
        noisy = context["noisy"][noise, snr][index]
        for i, key in enumerate(shown):
            ax = axes[i, j]
            ax.plot(t, noisy, color="0.75", lw=0.7, label="noisy")
            ax.plot(t, clean, color="k", lw=0.9, label="clean")
            if key != "identity":
                ax.plot(t, examples[key][noise], color="C3", lw=0.9, label="denoised")
            low, high = np.min(clean), np.max(clean)
            pad = 0.6 * (high - low)
            ax.set_ylim(low - pad, high + pad)
            ax.tick_params(labelsize=7)
            if i == 0:
                ax.set_title(f"{noise}, input SNR {snr:+g} dB", fontsize=10)
            if j == 0:
                ax.set_ylabel(labels[key], fontsize=8)
    axes[-1, 0].set_xlabel("time (s)")
    axes[-1, -1].legend(fontsize=7, loc="upper right")
    record = context["record_of"][index]
    fig.suptitle(
        f"Test window {index} (record {record}): noisy (grey), clean (black), "
        "denoised (red); mV",
        fontsize=11,
        y=1 - 0.1 / fig.get_figheight(),
        va="top",
    )
    # Leave room at the top for the suptitle (in inches, whatever the height).
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def environment():
    import sklearn

    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "TF_NUM_INTRAOP_THREADS": os.environ.get("TF_NUM_INTRAOP_THREADS"),
        "TF_NUM_INTEROP_THREADS": os.environ.get("TF_NUM_INTEROP_THREADS"),
    }
    if "tensorflow" in sys.modules:
        info["tensorflow"] = sys.modules["tensorflow"].__version__
        info["keras"] = sys.modules["keras"].__version__
    return info


def noise_augmentation_text(args):
    """`` (training stretches ...)``: the training noise's augmentation, or ``""``."""
    parts = []
    if args.noise_flip:
        parts.append("with a random sign and time direction")
    if args.noise_time_scale:
        low, high = args.noise_time_scale
        parts.append(f"read at a rate drawn in [{low:g}, {high:g}]")
    gain = getattr(args, "noise_spectral_gain", None)
    if gain:
        parts.append(
            "coloured by a random gain smooth over log frequency, at most "
            f"{gain:g} dB either way"
        )
    return f" (training stretches {' and '.join(parts)})" if parts else ""


def write_outputs(out, args, command, context, results, failed, skipped):
    rows, real_rows, infos = results["rows"], results["real"], results["info"]
    models = [k for k in args.models if k in infos]
    labels = _labels()
    write_csv(out / "results.csv", rows)
    (out / "results.md").write_text(results_markdown(rows) + "\n", encoding="utf-8")
    if real_rows:
        write_csv(out / "real_records.csv", real_rows)
        (out / "real_records.md").write_text(
            real_markdown(real_rows) + "\n", encoding="utf-8"
        )
    clean_rows, qrs_rows = results["clean"], results["qrs"]
    if clean_rows:
        write_csv(out / "clean_windows.csv", clean_rows)
    if qrs_rows:
        write_csv(out / "qrs.csv", qrs_rows)
    timing = [
        {
            "model": k,
            "label": labels[k],
            "train_time_s": round(infos[k]["train_time_s"], 2),
            "train_cpu_time_s": _round(infos[k].get("cpu_time_s")),
            "epochs": infos[k].get("epochs"),
            "steps": infos[k].get("steps"),
            "best_epoch": infos[k].get("best_epoch"),
            "n_params": infos[k].get("n_params"),
            "throughput_samples_per_s": round(infos[k]["throughput"], 1),
            "validation": infos[k].get("validation"),
            **{
                name: _round(infos[k][name])
                for name in (
                    "val_snr_improvement",
                    "val_snr_improvement_above_18db",
                    "val_snr_improvement_first_member",
                    "n_passes",
                    "val_snr_improvement_one_pass",
                    "val_snr_improvement_all_passes",
                    "val_snr_improvement_one_pass_above_18db",
                    "val_snr_improvement_all_passes_above_18db",
                )
                if name in infos[k]
            },
        }
        for k in models
    ]
    write_csv(out / "timing.csv", timing)
    (out / "command.txt").write_text(command + "\n", encoding="utf-8")
    noises = [n for n in protocol.NOISE_TYPES if any(r["noise"] == n for r in rows)]
    snrs = list(protocol.TEST_SNRS)
    budget_note = (
        "No learned model in this run."
        if not any(k in LEARNED for k in models)
        else (
            f"**Training budget: {args.budget_steps:,} optimiser steps per learned "
            f"model, not the protocol's {PROTOCOL_BUDGET_MINUTES:g} min of wall "
            "time.**"
            if args.budget_steps is not None
            else f"**Training budget: {args.budget_minutes:g} min per learned model"
            + (
                f", smaller than the protocol's {PROTOCOL_BUDGET_MINUTES:g} min.**"
                if args.budget_minutes < PROTOCOL_BUDGET_MINUTES
                else " (the protocol's budget).**"
            )
        )
    )
    # A run that trains nothing used no training or validation record.
    trained = context["train"] is not None
    settings = {
        "data_dir": str(args.data_dir),
        "train_records": args.train_records if trained else [],
        "val_records": args.val_records if trained else [],
        "test_records": args.test_records,
        "records_whose_channel_0_is_not_mlii": context.get("other_leads", []),
        "test_windows_per_record": args.test_windows,
        "test_windows_of_record": _counts_of(context["record_of"]),
        "n_test_windows": int(len(context["clean"])),
        "n_train_windows": int(len(context["train"]))
        if context["train"] is not None
        else 0,
        "n_val_windows": int(len(context["validation"][1]))
        if context["validation"] is not None
        else 0,
        "validation_seed": protocol.VALIDATION_SEED,
        "train_snr_db": list(args.train_snr),
        "train_leads": args.train_leads,
        "noise_weights": args.noise_weights,
        # The training noise's augmentations (None or False: off).
        "noise_flip": bool(args.noise_flip) if trained else None,
        "noise_time_scale": list(args.noise_time_scale)
        if trained and args.noise_time_scale
        else None,
        "noise_spectral_gain_db": getattr(args, "noise_spectral_gain", None)
        if trained
        else None,
        "held_out_noise": args.held_out_noise,
        # None where no validation record was scored.
        "validation_noise": args.validation_noise
        if trained and args.val_records
        else None,
        "budget_minutes": args.budget_minutes,
        "budget_steps": args.budget_steps,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        # What --precision chose (None: no learned model ran).
        "precision": args.precision if trained else None,
        "precision_reason": args.precision_reason if trained else None,
        "jit_compile": args.jit_compile if trained else None,
        # Per learned model, what --jit-compile auto chose and measured.
        "xla": context.get("xla", {}),
        "seed": args.seed,
        "quick": args.quick,
        "real_records": list(context["real"]),
        "real_windows_per_record": args.real_windows,
        "real_noise_inside_blocks": context["real_inside"],
        "qrs_records": list(context["qrs"]),
        "qrs_detector": "wfdb.processing.xqrs_detect",
        "qrs_tolerance_s": protocol.QRS_TOLERANCE_S,
    }
    (out / "run.json").write_text(
        json.dumps(
            {"command": command, "settings": settings, "environment": environment()},
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    text = [
        "# ECG denoising benchmark results (MITDB + NSTDB)",
        "",
        "Protocol: `BENCHMARK.md` (512-sample windows at 360 Hz). Produced by:",
        "",
        "```",
        command,
        "```",
        "",
        budget_note,
        "",
        f"- written {datetime.datetime.now().isoformat(timespec='seconds')}; "
        f"{settings['n_test_windows']} test windows "
        f"({_windows_per_record(context, args.test_windows)}) x "
        f"({len(noises)} noise types x {len(snrs)} input SNRs, and the clean window "
        f"itself); "
        + (
            (
                f"{settings['n_train_windows']} training windows "
                f"({', '.join(args.train_records)}"
                + (
                    f"; MITDB channel {' and '.join(map(str, args.train_leads))}"
                    if args.train_leads != [0]
                    else ""
                )
                + "); "
                + (
                    f"validation on {settings['n_val_windows']} windows of the "
                    f"records {', '.join(args.val_records)} (whole records apart "
                    f"from training, with {_validation_noise_text(args)} drawn "
                    f"once with seed {protocol.VALIDATION_SEED})"
                    if args.val_records
                    else "5 % of the training windows held out for validation"
                )
                + "; training noise bw/em/ma/mix drawn per window"
            )
            if trained
            else "no learned model, so no training or validation record"
        )
        + (
            (
                (
                    " with probabilities "
                    + "/".join(f"{w:.2f}" for w in args.noise_weights)
                    if args.noise_weights is not None
                    else ""
                )
                + f" at U({args.train_snr[0]:g}, "
                f"{args.train_snr[1]:g}) dB from NSTDB channel 0, samples "
                + (
                    f"[0, {args.held_out_noise})"
                    if args.held_out_noise
                    else "[0, 325000)"
                )
                + noise_augmentation_text(args)
            )
            if trained
            else ""
        )
        + "; test noise from channel 1, samples [325000, 650000).",
        f"- learned models: Adam, learning rate {args.learning_rate:g} annealed on a "
        f"cosine of the elapsed budget, batch {args.batch_size}, "
        f"{LOSS_TEXT[args.loss]} on the "
        "per-window standardised series, "
        + (
            "clean windows augmented per batch ("
            + ", ".join(augmentation_text(a, args) for a in dict.fromkeys(args.augment))
            + "), "
            if args.augment
            else "no augmentation, "
        )
        + (
            "a slow drift added as signal to half of the clean training windows "
            f"({args.drift_frequency[0]:g}-{args.drift_frequency[1]:g} Hz, RMS "
            f"U(0, {args.drift:g}) times the window's), "
            if args.drift
            else ""
        )
        + (
            "training SNR range at first capped at "
            f"{args.hard_first[0]:g} dB, the cap rising linearly to its own "
            f"over the first {args.hard_first[1]:.0%} of the budget (noisy "
            "windows first), "
            if args.hard_first
            else ""
        )
        + "weights of the best validation loss kept; "
        + (
            f"{args.clean_fraction:.0%} of the training windows fed in clean; "
            if args.clean_fraction
            else "no training window fed in clean; "
        )
        + (
            "no-harm gate (isotonic, calibrated on the validation windows); "
            if args.gate != "none"
            else "no gate; "
        )
        + ("outputs averaged over sign and time flips; " if args.average_flips else "")
        + (
            f"denoising passes: {args.passes} (n_passes; each pass with its own "
            "gate, calibrated on the validation windows); "
            if args.passes != 1
            else ""
        )
        + f"layers in {args.precision}"
        + (f" ({args.precision_reason})" if args.precision_reason != "as asked" else "")
        + "; "
        + (
            f"training steps with XLA {args.jit_compile} (--jit-compile); "
            if args.jit_compile != "auto"
            else "XLA for the training steps where a short measurement found it "
            f"faster (--jit-compile auto: {xla_text(context)}); "
        )
        + f"seed {args.seed}.",
        f"- environment: {json.dumps(environment())}",
    ]
    fallback = [
        t["label"] for t in timing if "fit takes no" in str(t.get("validation") or "")
    ]
    if fallback:
        text += [
            "",
            "**Validated on 5 % of the training windows, not on the validation "
            "records (their `fit` takes no `validation_data`): "
            + ", ".join(fallback)
            + ".**",
        ]
    if args.quick:
        text += ["", "**Quick mode (smoke test): not a benchmark result.**"]
    if failed:
        text += [
            "",
            "Models that failed: " + ", ".join(f"{k} ({e})" for k, e in failed),
        ]
    if skipped:
        text += ["", "Models skipped: " + ", ".join(skipped)]
    if context.get("other_leads"):
        text += [
            "",
            "Channel 0, the protocol's lead, is not MLII in record(s) "
            + ", ".join(context["other_leads"])
            + ".",
        ]
    if not trained:
        # No optimiser, gate or precision applies to the filters alone.
        text = [line for line in text if not line.startswith("- learned models:")]
    if context["real_skipped"]:
        text += [
            "",
            "Real noisy records left out (the noisy NSTDB record or its clean "
            "MITDB record is not in the data folder): "
            + ", ".join(context["real_skipped"])
            + " (name others with --real-records).",
        ]
    if context.get("qrs_skipped"):
        text += [
            "",
            "No QRS detection on "
            + ", ".join(context["qrs_skipped"])
            + ": their beat annotations (`.atr`) are not in the data folder.",
        ]
    text += [
        "",
        "Files: `results.csv` / `results.md` (every metric, mean ± std over windows; "
        "noise `clean` is the clean window as input), "
        # Those this call writes (or the figure, saved before the last call).
        + (
            "`clean_windows.csv` (output SNR of the clean windows per record), "
            if results["clean"]
            else ""
        )
        + ("`real_records.csv` / `real_records.md`, " if real_rows else "")
        + ("`qrs.csv`, " if results["qrs"] else "")
        + "`timing.csv`, "
        + ("`examples.png`, " if (out / "examples.png").exists() else "")
        + "`command.txt`, `run.json`, `progress.log`.",
        "",
        "## Mean SNR improvement (dB) on the test set",
        "",
        snr_pivot(rows, models, labels, noises, snrs),
    ]
    comparison, worst = reference_comparison(rows, snrs)
    # The reference figures were measured on the protocol's test set only.
    if sorted(args.test_records) != sorted(DEFAULT_TEST) or args.test_windows != 300:
        comparison = None
    if comparison:
        text += [
            "",
            "## Classical rows against the reference figures of BENCHMARK.md",
            "",
            comparison,
            "",
            f"Largest difference: {worst:.2f} dB.",
        ]
    clean_table = clean_pivot(clean_rows, models, labels)
    if clean_table:
        text += [
            "",
            "## Clean windows as input: output SNR (dB)",
            "",
            "Each clean test window fed in without noise; output SNR against the "
            "clean window itself, mean / median / 5th percentile over windows, per "
            "test record and over all (`inf`: the window came back unchanged).",
            "",
            clean_table,
        ]
    if real_rows:
        text += [
            "",
            f"## Real noisy records (NSTDB {', '.join(context['real'])}): mean SNR "
            "improvement (dB)",
            "",
            "Both the noisy record and the clean MITDB record get the reference "
            "conditioning (0.5 Hz high-pass over the whole record, which also removes "
            "the -5.12 mV offset of the NSTDB headers), windows of 512 samples with "
            "their mean removed, taken only inside the noisy blocks (minutes [5, 7), "
            "[9, 11), ... to the end). Share of the samples where `noisy - clean` "
            "varies that lie inside those blocks: "
            + ", ".join(f"{k} {v:.4f}" for k, v in context["real_inside"].items())
            + ". Input SNR is the power SNR of those windows (mean over windows).",
            "",
            real_pivot(real_rows, models, labels),
        ]
    qrs_table = qrs_pivot(qrs_rows, models, labels)
    if qrs_table:
        text += [
            "",
            "## QRS detection on the whole real records: sensitivity / positive "
            "predictivity (%)",
            "",
            QRS_TEXT,
            "",
            qrs_table,
            "",
            "F1 of the same detections (%). " + QRS_F1_TEXT,
            "",
            qrs_f1_pivot(qrs_rows, models, labels),
        ]
    text += [
        "",
        "## Training time and inference throughput",
        "",
        markdown_table(
            [
                "model",
                "training (s)",
                "CPU time (s)",
                "epochs",
                "steps",
                "parameters",
                "throughput (samples/s)",
            ],
            [
                [
                    t["label"],
                    f"{t['train_time_s']:.1f}",
                    f"{t['train_cpu_time_s']:.1f}" if t["train_cpu_time_s"] else "-",
                    t["epochs"] if t["epochs"] is not None else "-",
                    t["steps"] if t["steps"] is not None else "-",
                    f"{t['n_params']:,}" if t["n_params"] else "-",
                    f"{t['throughput_samples_per_s']:,.0f}",
                ]
                for t in timing
            ],
        ),
    ]
    bars = assess_bars(
        rows,
        real_rows,
        models,
        labels,
        qrs_rows=qrs_rows,
        val_scores=validation_choice(timing),
    )
    if bars:
        text += ["", "## Bars of the benchmark", "", bars]
    if (out / "examples.png").exists():
        text += ["", "## Example windows", "", "![examples](examples.png)"]
    (out / "README.md").write_text("\n".join(text) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #


# Every file a run writes into its folder (progress.log aside, started anew).
_RUN_FILES = (
    "results.csv",
    "results.md",
    "real_records.csv",
    "real_records.md",
    "clean_windows.csv",
    "qrs.csv",
    "timing.csv",
    "command.txt",
    "run.json",
    "examples.png",
    "README.md",
)


def _validation_noise_text(args):
    """What the validation records' noise is, in words."""
    text = protocol.validation_noise_text(args.validation_noise, args.held_out_noise)
    # ecg.py's models train on the training noise's other samples only.
    return text + (", never seen in training" if args.held_out_noise else "")


def _load_training_data(context, args, log):
    """Read the training windows, their noise and the validation set.

    Into ``context``, before an earlier run's files are cleared: a record that
    cannot be used (a truncated download) leaves the folder as it was.
    """
    log(f"loading the training records: {' '.join(args.train_records)}")
    context["train"] = protocol.training_windows(
        args.train_records,
        args.data_dir,
        args.max_train_windows,
        seed=args.seed,
        channels=tuple(args.train_leads),
    )
    train_segment, val_segment = protocol.noise_segments(args.held_out_noise)
    context["training_noise"] = protocol.training_noise(
        args.data_dir,
        args.train_snr,
        flip=args.noise_flip,
        time_scale=args.noise_time_scale,
        spectral_gain=args.noise_spectral_gain,
        segment=train_segment,
        weights=args.noise_weights,
    )
    log(
        f"  {len(context['train'])} training windows (MITDB channel "
        f"{' and '.join(map(str, args.train_leads))})"
    )
    if args.val_records:
        # Validation noise as recorded: the augmentation is for training.
        context["validation"] = protocol.validation_set(
            args.val_records,
            args.data_dir,
            protocol.validation_noise(
                args.data_dir,
                args.train_snr,
                args.validation_noise,
                segment=val_segment if args.held_out_noise else None,
            ),
            args.max_val_windows,
        )
        log(
            f"  {len(context['validation'][1])} validation windows of records "
            f"{' '.join(args.val_records)} ({_validation_noise_text(args)}, "
            f"seed {protocol.VALIDATION_SEED})"
        )
    else:
        log(
            "  no validation records: 5 % of the training windows held out "
            "for validation (early stopping, gates and passes)"
        )


def _clear_earlier_run(out, log):
    """Remove the files of an earlier run in ``out``, once, before this run's own.

    Files that this run may not write (no real records, no QRS detection, no
    figure) would be read with its own by the README and ``ecg_summary.py``;
    they stay while this run may still be refused (a late argument error), and
    so does the earlier log: this run's log takes its name only now.
    """
    if out in _CLEARED:
        return
    for name in _RUN_FILES:
        with contextlib.suppress(FileNotFoundError):
            (out / name).unlink()
    os.replace(log.path, out / "progress.log")
    log.path = out / "progress.log"
    _CLEARED.add(out)


_CLEARED = set()


def main(argv=None):
    """Run the benchmark; returns the output folder."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = Path(args.out)
    command = shlex.join(["python", "benchmarks/ecg.py", *argv])

    models, skipped = [], []
    for key in args.models:
        if key in LEARNED and learned_class(key) is None:
            skipped.append(f"{key} ({LEARNED[key][0]} not in skdenoise)")
        else:
            models.append(key)
    args.models = models
    learned = any(k in LEARNED for k in models)
    # Resolved before anything is trained, and recorded: "auto" differs by
    # machine, and a run's precision decides how many steps its budget buys.
    args.precision, args.precision_reason = (
        resolve_precision(args.precision) if learned else (args.precision, "as asked")
    )
    lists = (args.train_records, args.val_records, args.test_records)
    try:
        protocol.check_record_lists(*lists, data_dir=None)
        seen = set(args.train_records + args.val_records) if learned else set()
        trained_on = [r for r in args.real_records if r.split("e")[0] in seen]
        if trained_on:
            raise ValueError(
                f"real record(s) {' '.join(trained_on)} are noisy versions of "
                "training or validation records; leave them out with --real-records"
            )
        protocol.check_record_lists(*lists, data_dir=args.data_dir, training=learned)
        protocol.check_noise_recordings(args.data_dir)
    except (ValueError, FileNotFoundError) as exc:
        defaults = (
            ("--val-records", args.val_records, args.default_val_records, learned),
            (
                "--train-records",
                args.train_records,
                args.default_train_records,
                learned,
            ),
            ("--test-records", args.test_records, args.default_test_records, True),
        )
        for option, records, default, needed in defaults:
            named = any(
                f"record {r}:" in str(exc) or f" {r} " in f" {exc} " for r in records
            )
            if default and needed and named and "has no folder" not in str(exc):
                # Name the default, which the user may not know they asked for.
                exc = f"{exc} (the records {' '.join(records)} are the default of "
                exc += f"{option}; give your own for other data)"
                break
        raise ProgramError(exc, EXIT_USAGE) from None

    # Only once the arguments hold: a refused run leaves a folder as it was
    # (the files of an earlier run there go when this run writes its own).
    out.mkdir(parents=True, exist_ok=True)
    _CLEARED.discard(out)
    # Named progress.log once the run's data are read (_clear_earlier_run).
    log = Log(out / ".progress.log.partial")
    log(f"command: {command}")
    log(
        (
            f"budget {args.budget_steps:,} steps per learned model"
            if args.budget_steps is not None
            else f"budget {args.budget_minutes:g} min per learned model"
        )
        + (" (quick mode)" if args.quick else "")
    )
    if learned:
        log(f"learned models' layers in {args.precision} ({args.precision_reason})")
    for note in skipped:
        log(f"note: skipping {note}")

    used = [
        *args.test_records,
        *((args.train_records + args.val_records) if learned else []),
    ]
    leads = protocol.channel_zero_names(used, args.data_dir)
    other = [f"{r} ({name})" for r, name in leads.items() if name not in (None, "MLII")]
    if other:
        log(
            "note: channel 0, the protocol's lead, is not MLII in record(s) "
            + ", ".join(other)
        )
    log(f"building the test set: records {' '.join(args.test_records)}")
    try:
        clean, record_of, noisy = protocol.build_test_set(
            args.test_records, args.data_dir, n_windows=args.test_windows
        )
    except (ValueError, FileNotFoundError) as exc:  # another rate, a .dat missing
        raise ProgramError(exc) from None
    log(f"  {len(clean)} windows x {len(noisy)} (noise, SNR) conditions")
    context = {
        "clean": clean,
        "record_of": record_of,
        "noisy": noisy,
        "example_snr": 0.0,
        "example_index": int(
            np.random.default_rng(protocol.TEST_SEED).integers(len(clean))
        ),
        "train": None,
        "validation": None,
        "other_leads": other,
        "real": {},
        "real_inside": {},
        "real_unseen": {},
        "real_skipped": [],
        "qrs": {},
        "qrs_skipped": [],
    }
    for record in args.real_records:
        try:
            noisy_w, clean_w, info = protocol.real_record_windows(
                record, args.data_dir, max_windows=args.real_windows
            )
        except FileNotFoundError as exc:
            if args.real_records_named:
                raise ProgramError(
                    f"--real-records {record}: {exc}", EXIT_USAGE
                ) from None
            if not context["real_skipped"]:  # the first says why; the rest listed
                log(f"note: skipping real record {record}: {exc}")
            context["real_skipped"].append(record)
            continue
        context["real"][record] = (noisy_w, clean_w)
        context["real_inside"][record] = info["inside_fraction"]
        context["real_unseen"][record] = info["unseen"]
        log(
            f"  real record {record}: {len(noisy_w)} windows in the noisy blocks "
            f"({info['inside_fraction']:.4f} of the noise changes inside them)"
        )
    if len(context["real_skipped"]) > 1:
        log(
            "note: real records skipped in all (their noisy NSTDB record or their "
            "clean MITDB record is missing): " + " ".join(context["real_skipped"])
        )
    if not args.no_qrs:
        try:
            import wfdb  # noqa: F401
        except ImportError:
            log("note: no QRS detection: the wfdb package is not installed")
        else:
            load_qrs_references(context, args, log)
    if learned:
        try:
            _load_training_data(context, args, log)
        except (ValueError, FileNotFoundError) as exc:  # truncated, a .dat missing
            raise ProgramError(exc) from None
    # The data are read: from here on the run is this folder's (its log is
    # progress.log while it trains).
    _clear_earlier_run(out, log)
    results = {"rows": [], "real": [], "clean": [], "qrs": [], "info": {}}
    examples, failed = {}, []
    bar = tqdm(models, desc="models", unit="model", file=sys.stderr)
    for key in bar:
        label = CLASSICAL[key][0] if key in CLASSICAL else LEARNED[key][1]
        bar.set_postfix_str(key)
        log(f"model: {label} ({key})")
        try:
            model, info = build_model(key, args, context, log)
            if args.save_models and key in LEARNED:
                path = Path(args.save_models) / f"{key}.skdenoise"
                path.parent.mkdir(parents=True, exist_ok=True)
                # The budget callbacks and the protocol's noise model stay out
                # of the file (what transform needs is all there).
                saved = copy.copy(model)
                saved.set_params(
                    **{
                        k: None
                        for k in ("callbacks", "noise", "augment")
                        if k in saved.get_params()
                    }
                )
                save(saved, path)
                log(f"  saved to {path}")
            log("  evaluating")
            start = time.perf_counter()
            rows, real_rows, example, throughput = evaluate_model(model, context)
            clean_row, clean_rows = clean_condition(model, context)
            qrs_rows = qrs_condition(model, context, log)
        except Exception as exc:  # one failing model must not end a long run
            traceback.print_exc()
            log(f"  FAILED: {type(exc).__name__}: {exc}")
            failed.append((key, f"{type(exc).__name__}: {exc}"))
            continue
        info["throughput"] = throughput
        results["info"][key] = info
        for row in rows:
            results["rows"].append(
                {"model": key, "label": label, **row, **_timing(info)}
            )
        results["rows"].append(
            {"model": key, "label": label, **clean_row, **_timing(info)}
        )
        for row in real_rows:
            results["real"].append({"model": key, "label": label, **row})
        for row in clean_rows:
            results["clean"].append({"model": key, "label": label, **row})
        for row in qrs_rows:
            results["qrs"].append({"model": key, "label": label, **row})
        examples[key] = example
        per_noise = {
            n: np.mean([r["snr_improvement_mean"] for r in rows if r["noise"] == n])
            for n in protocol.NOISE_TYPES
        }
        summary = ", ".join(f"{n} {v:+.1f}" for n, v in per_noise.items())
        log(
            f"  done in {time.perf_counter() - start:.0f} s: mean SNR improvement "
            f"{summary} dB; clean windows out at {fmt_db(clean_row['snr_out_median'])} "
            f"dB (median); {throughput:,.0f} samples/s"
        )
        del model
        # Tables so far, so that a long run can be inspected (and survives a crash).
        _clear_earlier_run(out, log)
        write_outputs(out, args, command, context, results, failed, skipped)

    _clear_earlier_run(out, log)
    if not args.no_figure and examples:
        save_figure(out / "examples.png", context, examples, models, _labels())
    write_outputs(out, args, command, context, results, failed, skipped)
    log(f"results written to {out}")
    if failed:
        raise SystemExit(
            f"{Path(__file__).name}: error: models failed (see their rows in "
            f"{out / 'README.md'}): " + ", ".join(key for key, _ in failed)
        )
    return out


def load_qrs_references(context, args, log):
    """Whole real records, their beats, and QRS detection on noisy and clean.

    These do not depend on the model: computed once per run.
    """
    tolerance = int(round(protocol.QRS_TOLERANCE_S * protocol.SAMPLING_RATE))
    for record in context["real"]:
        start = time.perf_counter()
        noisy, clean = protocol.conditioned_real_record(record, args.data_dir)
        try:
            beats = protocol.beat_annotations(record, args.data_dir)
        except FileNotFoundError as exc:
            log(f"note: no QRS detection on {record}: {exc}")
            context["qrs_skipped"].append(record)
            continue
        blocks = protocol.nominal_noisy_blocks(len(noisy))
        noisy_detected = protocol.detect_qrs(noisy)
        clean_detected = protocol.detect_qrs(clean)
        noisy_scores = protocol.qrs_scores(beats, noisy_detected, tolerance)
        clean_scores = protocol.qrs_scores(beats, clean_detected, tolerance)
        context["qrs"][record] = {
            "noisy": noisy,
            "beats": beats,
            "blocks": blocks,
            "noisy_scores": noisy_scores,
            "clean_scores": clean_scores,
            "noisy_block_scores": protocol.qrs_scores(
                beats, noisy_detected, tolerance, blocks
            ),
            "clean_block_scores": protocol.qrs_scores(
                beats, clean_detected, tolerance, blocks
            ),
        }
        log(
            f"  QRS references {record}: {len(beats)} beats; noisy Se "
            f"{noisy_scores['sensitivity']:.4f} PPV {noisy_scores['ppv']:.4f}, clean "
            f"Se {clean_scores['sensitivity']:.4f} PPV {clean_scores['ppv']:.4f} "
            f"({time.perf_counter() - start:.1f} s)"
        )


def _labels():
    return {
        k: (CLASSICAL[k][0] if k in CLASSICAL else LEARNED[k][1]) for k in ALL_MODELS
    }


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def _windows_per_record(context, asked):
    """The test records and their windows: ``asked`` each, or each one's count."""
    counts = _counts_of(context["record_of"])
    if all(n == asked for n in counts.values()):
        return f"{', '.join(counts)}; {asked} per record"
    return ", ".join(f"{r}: {n}" for r, n in counts.items())


def _counts_of(record_of):
    """Windows of each record, in the records' order."""
    record_of = np.asarray(record_of)
    return {str(r): int(np.sum(record_of == r)) for r in dict.fromkeys(record_of)}


def _timing(info):
    return {
        "train_time_s": round(info["train_time_s"], 2),
        "epochs": info.get("epochs"),
        "throughput_samples_per_s": round(info["throughput"], 1),
    }


if __name__ == "__main__":
    try:
        main()
    except ProgramError as exc:  # its status, as ``skdenoise benchmark`` exits
        print(exc.code, file=sys.stderr)
        sys.exit(exc.status)
