"""Train the pretrained ECG denoiser that ships in the package.

The benchmark's recipe (``BENCHMARK.md``) for a U-Net: clean MITDB channel 0
windows (512 samples at 360 Hz, reference 0.5 Hz high-pass, window means
removed) of the training records, NSTDB training noise (channel 0, samples [0,
325000): bw, em, ma or their mix per window at an SNR drawn from -6 to 30 dB),
10 % of the windows fed in clean, flip, time-flip and warp augmentation and a
slow drift (0.3-1 Hz) added as signal to half of the clean windows, the
negative-SNR loss, mixed bfloat16 precision where bfloat16 runs in hardware
and float32 elsewhere (``--precision auto``; the file shipped since 2026-12-07
was trained in float32, the one before in mixed bfloat16), a budget (wall
time, or steps) with cosine learning-rate annealing, a hard-first curriculum
over noise levels (the highest training SNR starts at 12 dB and reaches 30 dB
halfway through the budget), validated on whole records with noise drawn once
from the other lead of the noise recordings (NSTDB channel 1, samples [0,
325000): none of the test noise's samples, and none the network trains on;
``--validation-noise training`` validates on the training noise, as every file
written before the option was); the weights of the best validation loss are
kept, the no-harm gate is calibrated on the validation records, the denoising
passes are chosen on them (``--passes auto``) and outputs are averaged over
sign and time flips. The test records (118 119 121) are never read.

``--budget-steps N`` trains for N optimiser steps instead of a wall time: the
learning rate and the curriculum then follow the share of the steps done (the
curriculum as the denoiser's own ``noise_curriculum``, set from each batch's
step), so that every batch gets the same windows and noise levels on any
machine and load (identical weights also need the same precision, XLA
setting and kind of CPU).
The network does not read the window's level (``level_input``, which the
benchmark's U-Net has): the shipped model takes series in any units.

``predict(X, return_std=True)`` gives the spread of the four flipped passes
(``uncertainty="flips"``), calibrated on the validation records at the end of
``fit``.

Writes the estimator file that ships (``skdenoise.persistence`` format), a
JSON file beside it saying what it was trained on (for the model card) and
prints the file's SHA-256, to be recorded in ``skdenoise/pretrained/_models.py``::

    python benchmarks/train_pretrained.py --data-dir ../shared/data/physionet \\
        --budget-steps 19636 --jit-compile off --seed 0 \\
        --out skdenoise/pretrained/ecg_unet.skdenoise

(the steps the file before it made in its 15 minutes; ``--precision auto``, the
default, takes mixed bfloat16 where bfloat16 runs in hardware and float32
elsewhere). ``--jit-compile auto`` (default) trains with XLA where two short
epochs each way measure it faster (``_xla.py``).

``--recalibrate`` trains nothing: it calibrates the uncertainty of the file
at ``--out`` anew on the validation records, with the validation noise its
JSON file names (the network, its gate and its outputs unchanged), and
rewrites the file and its JSON file::

    python benchmarks/train_pretrained.py --data-dir ../shared/data/physionet \\
        --recalibrate --out skdenoise/pretrained/ecg_unet.skdenoise
"""

import argparse
import datetime
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _ecg_models import PASSES, add_hard_first_options, add_passes_option  # noqa: E402
from _precision import CHOICES as PRECISION_CHOICES  # noqa: E402
from _precision import resolve_precision  # noqa: E402
from _xla import add_jit_option, choose_xla, jit_setting  # noqa: E402

TRAIN_RECORDS = (
    "100 101 102 103 104 105 106 107 108 109 111 112 113 114 115 116 123 124"
).split()
VALIDATION_RECORDS = ["117", "122"]
TEST_RECORDS = ["118", "119", "121"]
TRAIN_SNR = (-6.0, 30.0)
AUGMENTATION = ["flip", "time-flip", "warp"]
# A slow drift added as signal to half of the clean training windows (the ECG
# benchmark's --drift 0.5): record 121-like sub-1 Hz content is kept.
DRIFT = {"frequency": (0.3, 1.0), "amplitude": (0.0, 0.5), "p": 0.5}
NETWORK = {
    "filters": 8,
    "depth": 4,
    "kernel_size": 9,
    "residual": True,
    "global_context": True,
}
RECIPE = {
    "loss": "snr",
    "clean_fraction": 0.1,
    "gate": "isotonic",
    "average_flips": True,
    # Resolved by machine (_precision.py): mixed bfloat16, as the shipped file
    # was trained, where it is faster than float32.
    "precision": "auto",
    "batch_size": 64,
    "learning_rate": 5e-4,
    "uncertainty": "flips",
}
# Settings of the shipped network for users who train it further or refit it:
# the training noise and time budget of this script stay here.
SHIPPED_TRAINING = {
    "noise": None,
    # The curriculum scheduled this script's noise (with --budget-steps); a
    # fine-tuning partial_fit on pairs adds none.
    "noise_curriculum": None,
    "callbacks": None,
    "epochs": 20,
    "patience": None,
    "validation_split": 0.1,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--budget-minutes", type=float, default=15.0)
    parser.add_argument(
        "--budget-steps",
        type=int,
        default=None,
        metavar="N",
        help="train for N optimiser steps instead of --budget-minutes: the "
        "learning rate and the curriculum follow the share of the steps done, "
        "so every batch gets the same windows and noise levels on any machine",
    )
    protocol.add_validation_noise_option(
        parser,
        "best weights, gate, passes and the uncertainty's calibration; with "
        "--recalibrate the noise the file's JSON names",
        "every file written before the option",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="the estimator file to write (the shipped one is "
        "skdenoise/pretrained/ecg_unet.skdenoise: given on purpose only, since "
        "its SHA-256 is checked at every load)",
    )
    parser.add_argument(
        "--info",
        type=Path,
        default=None,
        help="the JSON file of what it was trained on (default: OUT with .json)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--recalibrate",
        action="store_true",
        help="train nothing: calibrate the uncertainty of the file at --out on "
        "the validation records and rewrite it with its JSON file",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISION_CHOICES,
        default=RECIPE["precision"],
        help="dtype policy of the layers (default: auto, mixed bfloat16 where "
        "bfloat16 runs in hardware, float32 elsewhere: see _precision.py)",
    )
    add_jit_option(parser)
    add_hard_first_options(parser)
    add_passes_option(parser, default=PASSES)
    args = parser.parse_args(argv)
    if not args.budget_minutes > 0:
        parser.error("--budget-minutes must be positive")
    if args.budget_steps is not None and args.budget_steps < 1:
        parser.error("--budget-steps must be a positive number of steps")
    if args.info is None:
        args.info = args.out.with_suffix(".json")
    return args


def log(message):
    print(message, flush=True)


def recipe_network(
    noise, callbacks, *, n_passes, seed, precision=RECIPE["precision"], **network
):
    """The shipped U-Net's recipe, untrained (``network`` overrides ``NETWORK``).

    It trains until one of ``callbacks`` stops it (its epochs are unlimited)
    and adds ``noise`` on the fly; ``precision`` may be ``"auto"``.
    """
    from skdenoise import UNetDenoiser
    from skdenoise.augment import AugmentationChain, RandomDrift, from_names

    return UNetDenoiser(
        **{**NETWORK, **network},
        **{**RECIPE, "precision": resolve_precision(precision)[0]},
        augment=AugmentationChain(
            [
                *from_names(AUGMENTATION).steps,
                RandomDrift(sampling_rate=protocol.SAMPLING_RATE, **DRIFT),
            ]
        ),
        noise=noise,
        epochs=100_000,
        patience=None,
        validation_split=0.0,
        callbacks=callbacks,
        n_passes=n_passes,
        random_state=seed,
        verbose=0,
    )


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fresh_optimizer(network):
    """Compile ``network.model_`` anew, so that the optimizer's state (twice
    the weights) stays out of the file."""
    import keras

    model = network.model_
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=RECIPE["learning_rate"]),
        loss=model.loss,
    )


#: The validation noise of each ``--validation-noise``, in the JSON file's words.
VALIDATION_NOISE_TEXT = {
    "other-lead": "NSTDB channel 1, samples [0, 325000) (none of the test "
    "noise's samples, none trained on), drawn once with validation_noise_seed",
    "training": "the training noise, drawn once with validation_noise_seed",
}


def validation_data(data_dir, source):
    """The validation records' noisy and clean windows, with ``source`` noise."""
    noise = protocol.validation_noise(data_dir, TRAIN_SNR, source)
    return protocol.validation_set(VALIDATION_RECORDS, data_dir, noise)


def card_validation_noise(info):
    """The validation noise a file's JSON card records (the training noise
    for files written before the card said)."""
    return info.get("noise", {}).get("validation", {}).get("source", "training")


def uncertainty_info(network, validation, source):
    """The JSON file's account of the uncertainty's calibration."""
    return {
        "method": network.uncertainty_,
        "calibrated_on": {
            "records": VALIDATION_RECORDS,
            "n_windows": int(len(validation[1])),
            "noise": VALIDATION_NOISE_TEXT[source],
        },
        "noise_bins": int(len(network.std_noise_levels_)),
    }


def recalibrate(args):
    """Calibrate the uncertainty of the file at ``args.out`` anew; rewrite it."""
    from skdenoise.persistence import load, save
    from skdenoise.pretrained._models import ecg_denoiser

    info = json.loads(args.info.read_text(encoding="utf-8"))
    if info.get("sha256") != sha256(args.out):
        raise SystemExit(f"{args.info} does not describe {args.out} (SHA-256)")
    denoiser = load(args.out)
    network = denoiser.estimator_.estimator_
    n_windows = denoiser.estimator_.n_windows_fit_
    # The noise the file was validated on.
    source = card_validation_noise(info)
    if args.validation_noise not in (None, source):
        raise SystemExit(
            f"{args.info} says the file was validated on {source!r} noise; "
            f"--validation-noise {args.validation_noise} would calibrate it on "
            "other noise than its gate and passes were chosen on"
        )
    validation = validation_data(args.data_dir, source)
    network.set_params(uncertainty=RECIPE["uncertainty"])
    network.calibrate_uncertainty(*validation)
    log(
        f"calibrated uncertainty={network.uncertainty_!r} on "
        f"{len(validation[1])} windows of records {' '.join(VALIDATION_RECORDS)}"
    )
    fresh_optimizer(network)
    save(ecg_denoiser(network, n_windows=n_windows), args.out)
    info["sha256"] = digest = sha256(args.out)
    info["size_bytes"] = args.out.stat().st_size
    info["model"]["uncertainty"] = network.uncertainty_
    info["uncertainty"] = {
        **uncertainty_info(network, validation, source),
        "recalibrated": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "command": "python benchmarks/train_pretrained.py "
        + " ".join(sys.argv[1:] if args.argv is None else args.argv),
    }
    args.info.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out} and {args.info}")
    log(f"SHA-256 {digest}")
    return 0


def main(argv=None):
    args = parse_args(argv)
    args.argv = argv
    if args.recalibrate:
        protocol.check_record_lists([], VALIDATION_RECORDS, [], args.data_dir)
        return recalibrate(args)
    if args.validation_noise is None:
        args.validation_noise = "other-lead"
    # The lists are disjoint from the test records, whose files are never read
    # (nor needed).
    protocol.check_record_lists(TRAIN_RECORDS, VALIDATION_RECORDS, TEST_RECORDS, None)
    protocol.check_record_lists(TRAIN_RECORDS, VALIDATION_RECORDS, [], args.data_dir)
    from _ecg_training import (
        NoiseCurriculum,
        TimeBudget,
        mmss,
        passes_summary,
        step_curriculum,
        validation_scores,
    )

    import skdenoise
    from skdenoise.persistence import save
    from skdenoise.pretrained._models import ecg_denoiser

    log(f"training records: {' '.join(TRAIN_RECORDS)}")
    X_train = protocol.training_windows(TRAIN_RECORDS, args.data_dir)
    noise = protocol.training_noise(args.data_dir, TRAIN_SNR)
    validation = validation_data(args.data_dir, args.validation_noise)
    log(
        f"  {len(X_train)} training windows; {len(validation[1])} validation windows "
        f"of records {' '.join(VALIDATION_RECORDS)} "
        f"({VALIDATION_NOISE_TEXT[args.validation_noise]})"
    )
    budget_s = args.budget_minutes * 60.0
    budget = TimeBudget(
        budget_s,
        label="U-Net",
        learning_rate=RECIPE["learning_rate"],
        log=log,
        max_steps=args.budget_steps,
    )
    callbacks = [budget]
    curriculum = None if args.hard_first is None else (*args.hard_first, "high")
    stepped = step_curriculum(
        curriculum,
        noise,
        args.budget_steps,
        len(X_train),
        RECIPE["batch_size"],
        supported=True,
    )
    if stepped is None and curriculum is not None:
        # After the budget, whose on_train_begin starts the clock.
        callbacks.append(NoiseCurriculum(noise, budget, *curriculum))
    args.precision, reason = resolve_precision(args.precision)
    log(f"layers in {args.precision} ({reason})")
    network = recipe_network(
        noise,
        callbacks,
        n_passes=args.passes,
        seed=args.seed,
        precision=args.precision,
    )
    xla = {"jit_compile": jit_setting(args.jit_compile), "reason": "given"}
    if args.jit_compile == "auto":
        xla = choose_xla(network, X_train, network.batch_size, log)
    network.set_params(jit_compile=xla["jit_compile"])
    if stepped is not None:
        network.set_params(**stepped)
    log(f"training for {budget.describe()}")
    start = time.perf_counter()
    network.fit(X_train, validation_data=validation)
    train_time = time.perf_counter() - start
    log(
        f"  trained in {mmss(train_time)}: {budget.epochs_done} epochs, "
        f"{budget.steps} steps, best validation loss at epoch {budget.best_epoch}"
    )
    scores = validation_scores(network, validation)
    val_gain = scores["val_snr_improvement"]
    val_high = scores.get("val_snr_improvement_above_18db")
    log(
        f"  validation records, mean SNR improvement before the gate: "
        f"{val_gain:+.2f} dB"
        + ("" if val_high is None else f" ({val_high:+.2f} dB at 18 dB or more)")
    )
    if passes_summary(scores):
        log(passes_summary(scores))

    # XLA was this machine's choice: users' fits get Keras' own.
    network.set_params(**SHIPPED_TRAINING, jit_compile="auto")
    fresh_optimizer(network)
    denoiser = ecg_denoiser(network, n_windows=len(X_train))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save(denoiser, args.out)
    digest = sha256(args.out)

    import keras
    import tensorflow as tf

    info = {
        "file": args.out.name,
        "sha256": digest,
        "size_bytes": args.out.stat().st_size,
        "written": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "command": "python benchmarks/train_pretrained.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "data": {
            "ecg": "MIT-BIH Arrhythmia Database (mitdb), channel 0, mV, 360 Hz, "
            "zero-phase 2nd-order Butterworth high-pass at 0.5 Hz, non-overlapping "
            "512-sample windows with their means removed",
            "training_records": TRAIN_RECORDS,
            "validation_records": VALIDATION_RECORDS,
            "test_records_never_used": TEST_RECORDS,
            "n_training_windows": int(len(X_train)),
            "n_validation_windows": int(len(validation[1])),
        },
        "noise": {
            "database": "MIT-BIH Noise Stress Test Database (nstdb)",
            "types": ["bw", "em", "ma", "mix"],
            "channel": protocol.TRAIN_NOISE["channel"],
            "samples": list(protocol.TRAIN_NOISE["segment"]),
            "snr_db": list(TRAIN_SNR),
            "validation_noise_seed": protocol.VALIDATION_SEED,
            "validation": {
                "source": args.validation_noise,
                "channel": protocol.VALIDATION_NOISE[args.validation_noise]["channel"],
                "samples": list(
                    protocol.VALIDATION_NOISE[args.validation_noise]["segment"]
                ),
            },
        },
        "model": {
            "class": "UNetDenoiser",
            **NETWORK,
            **RECIPE,
            "precision": args.precision,
            "augment": AUGMENTATION,
            "drift": {
                k: list(v) if isinstance(v, tuple) else v for k, v in DRIFT.items()
            },
            "n_params": int(network.model_.count_params()),
            "n_passes": args.passes,
            "n_passes_chosen": int(network.n_passes_),
        },
        "uncertainty": uncertainty_info(network, validation, args.validation_noise),
        "training": {
            "budget_minutes": (
                None if args.budget_steps is not None else args.budget_minutes
            ),
            "budget_steps": args.budget_steps,
            "train_time_s": round(train_time, 1),
            "xla": xla,
            "epochs": budget.epochs_done,
            "steps": budget.steps,
            "best_epoch": budget.best_epoch,
            "best_validation_loss": budget.best,
            "val_snr_improvement_before_gate": round(val_gain, 3),
            "val_snr_improvement_above_18db_before_gate": (
                None if val_high is None else round(val_high, 3)
            ),
            **{
                name: round(scores[name], 3)
                for name in (
                    "val_snr_improvement_one_pass",
                    "val_snr_improvement_all_passes",
                    "val_snr_improvement_one_pass_above_18db",
                    "val_snr_improvement_all_passes_above_18db",
                )
                if name in scores
            },
            "seed": args.seed,
            "learning_rate_schedule": "cosine over the budget, down to 5 %",
            "hard_first_curriculum": (
                None
                if args.hard_first is None
                else {
                    "start_db": args.hard_first[0],
                    "ramp_share_of_budget": args.hard_first[1],
                    "by": (
                        "the step of each batch"
                        if stepped is not None
                        else "a callback at each step"
                    ),
                }
            ),
        },
        "versions": {
            "skdenoise": skdenoise.__version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    args.info.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {args.out} ({info['size_bytes'] / 1e6:.2f} MB) and {args.info}")
    log(f"SHA-256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
