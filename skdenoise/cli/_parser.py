"""The ``argparse`` parser of the ``skdenoise`` command."""

import argparse
import textwrap

import numpy as np

from .._augment_names import AUGMENTATION_NAMES
from .._version import __version__
from ._commands import (
    _DEFAULT_WINDOW,
    MODELS,
    NOISES,
    PRETRAINED_MODELS,
    _cmd_demo,
    _cmd_denoise,
    _cmd_export,
    _cmd_train,
    _parse_param,
)
from ._formats import _FORMATS_HELP

_EXIT_HELP = """\
exit status: 0 on success, 1 when reading, training or denoising fails, 2 for a
usage error (bad option, missing input, unknown format, existing output), 130
when interrupted (Ctrl-C).
"""


def _number_type(convert, valid, expected, unparsable=None):
    """An argparse type: ``convert(text)``, a usage error unless ``valid``.

    The error says what was ``expected`` (``unparsable`` instead, when given,
    for text that does not convert at all).
    """

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {unparsable or expected}; got {text!r}"
            ) from None
        if not valid(value):
            raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
        return value

    return parse


_positive_int = _number_type(int, lambda value: value >= 1, "a positive integer")
_positive_float = _number_type(
    float, lambda value: np.isfinite(value) and value > 0, "a positive number"
)
_finite_float = _number_type(float, np.isfinite, "a finite number", "a number")
_seed = _number_type(
    int,
    lambda value: 0 <= value < 2**32,
    "an integer from 0 to 4294967295",
    "an integer",
)


def _wrap(text):
    """Fill each paragraph to the terminal's usual width."""
    return "\n\n".join(textwrap.fill(p, 79) for p in text.split("\n\n"))


def _add_io_options(parser):
    """How to read the input files (``parser`` may be an argument group)."""
    parser.add_argument(
        "--layout",
        choices=("rows", "columns"),
        default="rows",
        help="CSV files: one series per row (default) or per column",
    )
    parser.add_argument(
        "--key", help=".npz archives: the array to use (default: the first one)"
    )


def _add_demo_command(commands, formatter):
    """The ``demo`` command."""
    demo = commands.add_parser(
        "demo",
        help="tune a network on synthetic ECG and compare it with classical filters",
        description=_wrap(
            "Build synthetic ECG (360 Hz) with baseline wander, muscle, powerline "
            "and white noise, tune a pipeline of a Butterworth filter and a "
            "windowed UNetDenoiser with GridSearchCV scored on SNR, compare it with "
            "the band-pass, wavelet, Savitzky-Golay and Wiener filters at -3, 0, 6 "
            "and 12 dB input SNR, print the table and write it (CSV and Markdown) "
            "with figures to the output folder. Needs no download; a few minutes "
            "on two CPU cores."
        ),
        epilog=_EXIT_HELP,
        formatter_class=formatter,
    )
    demo.add_argument(
        "--out",
        default="skdenoise_demo_output",
        help="output folder, created if missing (default: %(default)s)",
    )
    demo.add_argument("--seed", type=_seed, default=0, help="random seed (default: 0)")
    demo.add_argument(
        "--quick", action="store_true", help="a much smaller run (under a minute)"
    )
    demo.add_argument(
        "--epochs",
        type=_positive_int,
        help=(
            "training epochs of every network (default: 15 for the tuned "
            "pipeline, 30 for the U-Net alone; 2 each with --quick)"
        ),
    )
    demo.add_argument("--quiet", action="store_true", help="no progress lines")
    demo.set_defaults(handler=_cmd_demo)


def _add_train_data_options(train):
    """The series to learn from and how to read them."""
    group = train.add_argument_group("training data")
    group.add_argument(
        "--clean",
        required=True,
        metavar="FILE",
        help="clean series (with --param training=blind_spot, the noisy series "
        "themselves: the network learns from them without clean targets)",
    )
    group.add_argument(
        "--noisy", metavar="FILE", help="noisy versions of the clean series, same shape"
    )
    _add_io_options(group)


def _add_train_network_options(train):
    """The network, its windows and how it is trained."""
    group = train.add_argument_group("network and training")
    group.add_argument(
        "--model", choices=tuple(MODELS), default="unet", help="network (default: unet)"
    )
    group.add_argument(
        "--window-length",
        type=_positive_int,
        metavar="N",
        help=f"samples per window (default: {_DEFAULT_WINDOW}, or the length of the "
        "shortest series if shorter)",
    )
    group.add_argument(
        "--epochs",
        type=_positive_int,
        default=20,
        metavar="N",
        help="training epochs (default: 20)",
    )
    group.add_argument(
        "--batch-size",
        type=_positive_int,
        default=32,
        metavar="N",
        help="windows per training batch (default: 32)",
    )
    group.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=1e-3,
        metavar="LR",
        help="learning rate of the optimizer (default: 0.001)",
    )
    group.add_argument(
        "--param",
        type=_parse_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another hyper-parameter of the network, e.g. filters=8 (repeatable)",
    )
    group.add_argument("--seed", type=_seed, default=0, help="random seed (default: 0)")


def _add_train_noise_options(train):
    """The noise added on the fly and the augmentation of the windows."""
    group = train.add_argument_group("noise and augmentation")
    group.add_argument(
        "--noise",
        choices=NOISES,
        help="noise added to the inputs during training, fresh at every epoch: "
        "white Gaussian, a random mixture of baseline wander, muscle, powerline and "
        "white noise, or one of those artefacts (default: white without --noisy; "
        "none with it, where a noise adds to the noisy inputs as augmentation)",
    )
    group.add_argument(
        "--noise-file",
        metavar="FILE",
        help="a recording of real noise instead of --noise (for example an NSTDB "
        "record of electrode motion), in any of the file formats: each training "
        "window gets a stretch of it drawn at random, its mean removed, at --snr; "
        "with several series (rows, or a WFDB record's channels), a sum of "
        "stretches of each, weighted at random per window; its rate must be the "
        "training series' rate. A CSV is read in --layout (one column alone "
        "is one series); an .npz archive gives its first array (--key names "
        "an array of the training files). The recording is saved with the "
        "model",
    )
    group.add_argument(
        "--snr",
        type=_finite_float,
        nargs="+",
        default=[0.0, 20.0],
        metavar="DB",
        help="SNR of the added noise in dB: one value, or LOW HIGH to draw per "
        "series (default: 0 20)",
    )
    group.add_argument(
        "--sampling-rate",
        type=_positive_float,
        metavar="HZ",
        help="sampling rate, needed by the ECG noises (WFDB records give theirs); "
        "saved with the model, which then refuses WFDB records of another rate",
    )
    group.add_argument(
        "--powerline-frequency",
        type=_positive_float,
        default=50.0,
        metavar="HZ",
        help="mains frequency of --noise powerline/mixture (default: 50)",
    )
    group.add_argument(
        "--augment",
        nargs="+",
        default=[],
        choices=tuple(AUGMENTATION_NAMES),
        metavar="NAME",
        help="vary the training windows per batch: "
        + "; ".join(f"{k}: {v}" for k, v in AUGMENTATION_NAMES.items())
        + " (default: none)",
    )


def _add_train_output_options(train):
    """Where the trained model goes."""
    group = train.add_argument_group("output")
    group.add_argument(
        "--output", required=True, metavar="MODEL_PATH", help="model file to write"
    )
    group.add_argument(
        "--overwrite", action="store_true", help="replace an existing model file"
    )
    group.add_argument("--quiet", action="store_true", help="no progress output")


def _add_train_command(commands, formatter):
    """The ``train`` command."""
    train = commands.add_parser(
        "train",
        help="train a denoiser on your own series and save it",
        description=_wrap(
            "Train a neural denoiser on the series of a file and save it. With "
            "--noisy it learns to map the noisy series to the clean ones; without, "
            "it adds noise to the clean series on the fly (--noise or --noise-file, "
            "--snr), at an SNR measured against each window less its mean (a "
            "baseline offset "
            "does not count as signal, with the default normalize). The network runs "
            "on windows of "
            "--window-length samples (skdenoise.pipeline.WindowedDenoiser), so the "
            "saved model denoises series of any length. Models are saved without "
            "pickle "
            "(skdenoise.persistence)."
        ),
        epilog=_FORMATS_HELP + "\n" + _EXIT_HELP,
        formatter_class=formatter,
    )
    _add_train_data_options(train)
    _add_train_network_options(train)
    _add_train_noise_options(train)
    _add_train_output_options(train)
    train.set_defaults(handler=_cmd_train)


def _add_denoise_command(commands, formatter):
    """The ``denoise`` command."""
    denoise = commands.add_parser(
        "denoise",
        help="denoise a file with a saved model or a pretrained one",
        description=_wrap(
            "Denoise the series of INPUT with the model in MODEL_PATH, or with a "
            "model shipped in the package (--pretrained ecg, the pretrained ECG "
            "denoiser: any sampling rate from 100 Hz, each channel or row a series), "
            "and write them to OUTPUT in the input's format. An existing OUTPUT is "
            "replaced only with --overwrite; the input itself is never replaced. A "
            "model trained at a known sampling rate (on WFDB records, or with "
            "--sampling-rate) refuses WFDB records of another rate."
        ),
        epilog=_FORMATS_HELP + "\n" + _EXIT_HELP,
        formatter_class=formatter,
    )
    denoise.add_argument(
        "model",
        metavar="MODEL_PATH",
        nargs="?",
        help="a model saved by `skdenoise train` (none with --pretrained)",
    )
    denoise.add_argument("input", metavar="INPUT", help="series to denoise")
    denoise.add_argument(
        "--pretrained",
        choices=tuple(PRETRAINED_MODELS),
        metavar="NAME",
        help="use the pretrained model NAME instead of MODEL_PATH: "
        + ", ".join(PRETRAINED_MODELS),
    )
    denoise.add_argument(
        "--sampling-rate",
        type=_positive_float,
        metavar="HZ",
        help="sampling rate of INPUT, needed by --pretrained for CSV and NumPy "
        "files (WFDB records give theirs)",
    )
    denoise.add_argument(
        "--precision",
        choices=("float32", "trained"),
        help="what the network of a --pretrained model computes in: float32 "
        "(the default; the fastest on CPUs without bfloat16 units) or the "
        "precision it was trained in, as the model's card names it (float32 for "
        "the ECG model since 2026-12-07; mixed bfloat16 is faster only where "
        "bfloat16 runs in hardware: time both on yours)",
    )
    denoise.add_argument(
        "--highpass",
        type=_positive_float,
        metavar="HZ",
        help="first remove what lies below HZ (the baseline and its wander) with a "
        "zero-phase 2nd-order Butterworth high-pass; --pretrained ecg keeps what "
        "lies below 0.5 Hz, the cut-off of its training reference, so give 0.5 "
        "for recordings whose baseline drifts (needs the sampling rate: a WFDB "
        "record's, --sampling-rate with --pretrained, or the one a saved model was "
        "trained at)",
    )
    denoise.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="where to write"
    )
    denoise.add_argument(
        "--std",
        metavar="STD_OUTPUT",
        help="also write the standard deviation of every denoised sample there, "
        "in OUTPUT's format (a model with an uncertainty: --pretrained ecg, or a "
        "neural denoiser trained with one); the clean series lies within 1.96 "
        "of them of the output about 95 %% of the time (a WFDB record of it is "
        "written at gains of its own values, baseline 0, for full precision)",
    )
    denoise.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing OUTPUT (and STD_OUTPUT)",
    )
    _add_io_options(denoise)
    denoise.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (shown on a terminal) and no summary line",
    )
    denoise.set_defaults(handler=_cmd_denoise)


def _add_export_command(commands, formatter):
    """The ``export`` command."""
    export = commands.add_parser(
        "export",
        help="write a saved model as ONNX or LiteRT, to run outside Python",
        description=_wrap(
            "Write the model in MODEL_PATH as an ONNX or a LiteRT (TensorFlow Lite) "
            "file that ONNX Runtime or the LiteRT interpreter runs without "
            "skdenoise (skdenoise.export). A model trained by `skdenoise train` "
            "denoises windows: the file holds the network for one window (input "
            "of shape batch x window length x channels) and OUTPUT.json the "
            "windowing to apply around it."
        ),
        epilog=_EXIT_HELP,
        formatter_class=formatter,
    )
    export.add_argument(
        "model", metavar="MODEL_PATH", help="a model saved by `skdenoise train`"
    )
    export.add_argument(
        "output", metavar="OUTPUT", help="file to write (.onnx or .tflite)"
    )
    export.add_argument(
        "--format",
        choices=("onnx", "litert"),
        default="onnx",
        help="onnx (needs tf2onnx) or litert (default: onnx)",
    )
    export.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help="fixed number of windows per call of the exported network (default: "
        "any; LiteRT needs one for the recurrent networks)",
    )
    export.add_argument(
        "--overwrite", action="store_true", help="replace an existing OUTPUT"
    )
    export.add_argument("--quiet", action="store_true", help="no summary line")
    export.set_defaults(handler=_cmd_export)


def _add_benchmark_command(commands, formatter):
    """The ``benchmark`` command (its options are the benchmark's)."""
    commands.add_parser(
        "benchmark",
        help="run the ECG benchmark (MITDB + NSTDB; from a source checkout)",
        description="Forwards its arguments to benchmarks/ecg.py.",
        add_help=False,
    )


def _build_parser():
    """The ``argparse`` parser of the ``skdenoise`` command."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="skdenoise",
        description=_wrap(
            "Deep-learning denoisers for 1D time series, as scikit-learn "
            "transformers.\n\nStart with `skdenoise demo`: it trains and tunes a "
            "network on synthetic ECG and compares it with classical filters."
        ),
        epilog=(
            "examples:\n"
            "  skdenoise demo\n"
            "  skdenoise train --clean clean.csv --noisy noisy.csv --output model.skd\n"
            "  skdenoise train --clean data/100 --noise mixture --snr -6 18 "
            "--output ecg.skd\n"
            "  skdenoise denoise ecg.skd recording.npy --output denoised.npy\n"
            "  skdenoise denoise --pretrained ecg data/100 --output denoised/100\n"
            "  skdenoise export ecg.skd ecg.onnx\n\n" + _EXIT_HELP
        ),
        formatter_class=formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"skdenoise {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    for add_command in (
        _add_demo_command,
        _add_train_command,
        _add_denoise_command,
        _add_export_command,
        _add_benchmark_command,
    ):
        add_command(commands, formatter)
    return parser
