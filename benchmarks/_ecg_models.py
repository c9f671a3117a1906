"""Models of the ECG benchmark: the classical rows and the learned denoisers.

Only names and hyper-parameters here; the learned denoisers are built (and
Keras imported) by ``_ecg_training``.
"""

import argparse

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import make_pipeline

import skdenoise
from skdenoise._registry import command_line_networks
from skdenoise.baselines import (
    BandpassDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)


class Identity(TransformerMixin, BaseEstimator):
    """The noisy input itself (the row every denoiser must beat)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X.copy()


def _wavelet():
    return WaveletDenoiser(wavelet="sym8", level=5, threshold="universal", mode="soft")


#: key -> (label, factory) of the classical rows.
CLASSICAL = {
    "identity": ("Identity (noisy input)", Identity),
    "bandpass": (
        "Band-pass 0.67-40 Hz",
        lambda: BandpassDenoiser(low_cutoff=0.67, high_cutoff=40.0, order=4),
    ),
    "wavelet": ("Wavelet sym8 L5 soft", _wavelet),
    "hp-wavelet": (
        "High-pass 0.67 Hz + wavelet",
        lambda: make_pipeline(
            BandpassDenoiser(low_cutoff=0.67, high_cutoff=None, order=4), _wavelet()
        ),
    ),
    "savgol": ("Savitzky-Golay (15, 3)", lambda: SavitzkyGolayDenoiser(15, 3)),
    "wiener": ("Wiener (15)", lambda: WienerDenoiser(15)),
}

# Hyper-parameters of the networks for 512-sample windows at 360 Hz, by class
# name: (label, parameters, quick-mode parameters). A network of the package's
# registry that is not listed here runs with its defaults.
SETTINGS = {
    # global_context since 2026-12-02 (results/ecg/; without it:
    # results/ecg/two_cores/lr5e-4/).
    "UNetDenoiser": (
        "U-Net",
        {
            "filters": 8,
            "depth": 4,
            "kernel_size": 9,
            "residual": True,
            "global_context": True,
            # Since 2026-12-07 (results/ecg_recipe_ablation/xla/; without it:
            # --set unet.level_input=False).
            "level_input": True,
        },
        {
            "filters": 4,
            "depth": 3,
            "kernel_size": 9,
            "global_context": True,
            "level_input": True,
        },
    ),
    "LSTMDenoiser": (
        "LSTM (bidirectional)",
        {"units": 32, "n_layers": 2, "bidirectional": True},
        {"units": 8, "n_layers": 1},
    ),
    "GRUDenoiser": (
        "GRU (bidirectional)",
        {"units": 32, "n_layers": 2, "bidirectional": True},
        {"units": 8, "n_layers": 1},
    ),
    "CNNLSTMDenoiser": (
        "CNN-LSTM",
        {"filters": 32, "kernel_size": 9, "pool_size": 4, "units": 32},
        {"filters": 8, "kernel_size": 5, "pool_size": 4, "units": 8},
    ),
    "ConvAutoencoderDenoiser": (
        "Conv. autoencoder",
        {"filters": 16, "depth": 4, "kernel_size": 9, "bottleneck_filters": 16},
        {"filters": 8, "depth": 3, "kernel_size": 9, "bottleneck_filters": 4},
    ),
    "VAEDenoiser": (
        "VAE",
        {"filters": 16, "depth": 4, "kernel_size": 9, "latent_dim": 32, "beta": 0.01},
        {"filters": 8, "depth": 3, "kernel_size": 9, "latent_dim": 8},
    ),
    "WaveletUNetDenoiser": (
        "Wavelet U-Net",
        {"filters": 8, "depth": 4, "kernel_size": 9},
        {"filters": 4, "depth": 3, "kernel_size": 9},
    ),
    # The published networks keep the architectures of their papers.
    "FCNDAEDenoiser": ("FCN-DAE (Chiang 2019)", {}, {}),
    "DRNNDenoiser": ("DRNN (Antczak 2018)", {}, {"units": 8}),
    "DeepFilterDenoiser": ("DeepFilter LANLD (Romero 2021)", {}, {}),
}

#: key -> (class name, label, parameters, quick-mode parameters) of every
#: network the package's registry offers, under its command-line name.
LEARNED = {
    key: (name, *SETTINGS.get(name, (name, {}, {})))
    for key, name in command_line_networks().items()
}

#: The hard-first curriculum over noise levels of every learned model
#: ``(start_db, ramp)``: the highest training SNR starts at 12 dB and rises to
#: the range's own over the first half of the budget. The benchmark's default
#: since 2026-12-02 (results/ecg/hard_first/, hard_first_seed1/).
HARD_FIRST = (12.0, 0.5)


def add_hard_first_options(parser):
    """``--hard-first START_DB RAMP`` (default ``HARD_FIRST``) and
    ``--no-hard-first`` of a script's ``argparse`` parser (``args.hard_first``)."""
    parser.add_argument(
        "--hard-first",
        nargs=2,
        type=float,
        default=HARD_FIRST,
        metavar=("START_DB", "RAMP"),
        help="curriculum over noise levels for every learned model: the highest "
        "training SNR starts at START_DB and rises linearly to its own over the "
        "first RAMP (a share) of the budget, noisy windows first (default: "
        f"{HARD_FIRST[0]:g} {HARD_FIRST[1]:g})",
    )
    parser.add_argument(
        "--no-hard-first",
        dest="hard_first",
        action="store_const",
        const=None,
        help="no curriculum: every step draws from the whole training SNR range "
        "(the benchmark's recipe before the curriculum)",
    )


#: Denoising passes of every learned model (``n_passes``): chosen on the
#: validation windows since 2026-12-02 (results/ecg/passes_auto/; one pass
#: before, ``--passes 1``).
PASSES = "auto"


def _passes(text):
    """``--passes``: a positive int or ``auto``."""
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a positive int or 'auto', got {text!r}"
        )
    return value


def add_passes_option(parser, default=PASSES):
    """``--passes N`` (default ``default``) of a script's parser (``args.passes``)."""
    parser.add_argument(
        "--passes",
        type=_passes,
        default=default,
        metavar="N",
        help="denoising passes of every learned model (n_passes): an int, or "
        "'auto' to choose them on the validation windows after training, each "
        f"pass with its own gate (default: {default})",
    )


#: Learned models re-implemented from published papers (compared against).
PUBLISHED = ("fcn-dae", "drnn", "deepfilter")


def learned_class(key):
    """The skdenoise class of a learned model, or None when it does not exist."""
    return getattr(skdenoise, LEARNED[key][0], None)
