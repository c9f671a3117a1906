"""The pretrained denoisers: their files, checksums and loader."""

import math
import numbers
import warnings
from dataclasses import dataclass
from pathlib import Path

from .._files import file_sha256

__all__ = ["list_models", "load"]

_DIRECTORY = Path(__file__).resolve().parent

#: Sampling rate of the ECG model (MIT-BIH Arrhythmia Database), in Hz.
ECG_SAMPLING_RATE = 360.0
#: Samples per window of the ECG model at its rate (1.42 s).
ECG_WINDOW = 512
# Below 100 Hz the Nyquist frequency (50 Hz) falls inside the QRS complex's band
# (up to about 40 Hz, with sharp onsets above it): the resampled input lacks
# what the network learned from, and the shortest rate it has been tried at is
# 100 Hz.
ECG_MIN_SAMPLING_RATE = 100.0
# Half a window: a series shorter than that would be mostly reflection padding.
ECG_MIN_DURATION = ECG_WINDOW / 2 / ECG_SAMPLING_RATE


@dataclass(frozen=True)
class _Model:
    file: str
    sha256: str
    description: str

    @property
    def path(self):
        return _DIRECTORY / self.file


MODELS = {
    "ecg": _Model(
        file="ecg_unet.skdenoise",
        # Printed by benchmarks/train_pretrained.py with the file it writes.
        sha256="65d42b5aff04a3af929d3eb8cbecf3fcb2010244e09514c0e01de2cf3ceba5f8",
        description=(
            "Single-lead ECG: a U-Net trained on MIT-BIH Arrhythmia records at "
            "360 Hz against baseline wander, electrode motion and muscle noise; "
            "any sampling rate from 100 Hz, any length, any number of leads."
        ),
    ),
}


def list_models():
    """The pretrained denoisers shipped with skdenoise.

    Returns
    -------
    models : list of (str, str)
        Name and one-line description of each model, sorted by name.

    Examples
    --------
    >>> from skdenoise.pretrained import list_models
    >>> name, description = list_models()[0]
    >>> name
    'ecg'
    """
    return sorted((name, model.description) for name, model in MODELS.items())


def _read(model):
    """The estimator of a model's file, after its checksum is verified."""
    path = model.path
    if not path.is_file():
        raise FileNotFoundError(
            f"The pretrained model file {path} is missing; reinstall skdenoise."
        )
    found = file_sha256(path)
    if found != model.sha256:
        raise ValueError(
            f"The pretrained model file {path} is corrupted or was replaced: its "
            f"SHA-256 is {found}, expected {model.sha256}. Reinstall skdenoise."
        )
    from ..exceptions import FileVersionWarning
    from ..persistence import load as load_estimator

    with warnings.catch_warnings():
        # The file leaves out the optimizer's state; Keras starts a fresh one.
        warnings.filterwarnings(
            "ignore", message="Skipping variable loading for optimizer"
        )
        # The file ships with the package, and its tests load it with this
        # version.
        warnings.filterwarnings("ignore", category=FileVersionWarning)
        return load_estimator(path)


def _check_sampling_rate(sampling_rate):
    if (
        isinstance(sampling_rate, bool)
        or not isinstance(sampling_rate, numbers.Real)
        or not math.isfinite(sampling_rate)
        or sampling_rate <= 0
    ):
        raise ValueError(
            "sampling_rate must be the sampling rate of your series, a positive "
            f"number in Hz; got {sampling_rate!r}."
        )
    if sampling_rate < ECG_MIN_SAMPLING_RATE:
        raise ValueError(
            f"sampling_rate={sampling_rate:g} Hz is too low for the pretrained ECG "
            f"model, which needs at least {ECG_MIN_SAMPLING_RATE:g} Hz: below it the "
            "samples no longer hold the QRS complexes' frequencies."
        )
    from ..windowing._resampled import _factors

    # A rate the resampling cannot reach the model's from fails here, not at
    # the first transform.
    _factors(sampling_rate, ECG_SAMPLING_RATE)
    return float(sampling_rate)


_PRECISIONS = ("float32", "trained")


def load(name="ecg", *, sampling_rate, precision="float32"):
    """A pretrained denoiser, fitted and ready to denoise series at ``sampling_rate``.

    Parameters
    ----------
    name : str, default="ecg"
        A name of :func:`list_models`.
    sampling_rate : float
        Sampling rate of the series you will denoise, in Hz (at least 100 Hz
        for ``"ecg"``). They are resampled to the model's rate and back.
    precision : {"float32", "trained"}, default="float32"
        What the network computes in. ``"float32"``: its weights (float32,
        also under mixed-precision training) in float32 layers, free of
        16-bit rounding (on NVIDIA GPUs from Ampere on, TensorFlow rounds
        float32 products to TensorFloat-32 unless
        ``tf.config.experimental.enable_tensor_float_32_execution(False)``).
        ``"trained"``: the precision it was trained in, as the model's card
        (the JSON file beside it) names it: float32 for ``"ecg"`` since
        2026-12-07, so the same as ``"float32"`` (the file before was
        trained in mixed bfloat16, which ran about 1.7 times slower than
        float32 on CPUs without bfloat16 units and gave outputs apart by the
        16-bit rounding, up to about 3e-3 of a signal's range). The fitted
        network's ``precision`` parameter says which, and a fine-tuning
        ``partial_fit`` trains in it.

    Returns
    -------
    denoiser : ResampledDenoiser
        A fitted :class:`~skdenoise.pipeline.ResampledDenoiser`. Its
        ``transform`` takes arrays of shape ``(n_series, n_timesteps)`` or
        ``(n_series, n_timesteps, n_channels)`` at ``sampling_rate``, of at
        least 0.7111 s (256 samples at 360 Hz) and of any units, and returns
        denoised series of the same shape (``predict(X, return_std=True)``
        also returns a standard deviation, calibrated in millivolts); its
        ``partial_fit(X_noisy, y_clean)`` trains it one more epoch on your own
        series (fine-tuning).

    Raises
    ------
    ValueError
        For an unknown name or precision, a sampling rate that is not a
        positive number,
        is too low for the model or too high to resample (above about 360 kHz
        for ``"ecg"``), or a model file whose SHA-256 is not the one
        recorded in the package (a corrupted file).

    See Also
    --------
    list_models : The names and descriptions of the models.
    skdenoise.pipeline.ResampledDenoiser : The estimator returned.

    Examples
    --------
    >>> from skdenoise import pretrained
    >>> denoiser = pretrained.load("ecg", sampling_rate=500)
    >>> denoiser.sampling_rate, denoiser.estimator_sampling_rate
    (500.0, 360.0)
    """
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a string, one of "
            f"{', '.join(repr(n) for n in sorted(MODELS))}; got {name!r}."
        )
    if name not in MODELS:
        raise ValueError(
            f"Unknown pretrained model {name!r}; the models are "
            f"{', '.join(repr(n) for n in sorted(MODELS))}."
        )
    sampling_rate = _check_sampling_rate(sampling_rate)
    if not isinstance(precision, str) or precision not in _PRECISIONS:
        raise ValueError(
            f"precision must be one of {', '.join(map(repr, _PRECISIONS))}; got "
            f"{precision!r}."
        )
    denoiser = _read(MODELS[name])
    network = denoiser.estimator_.estimator_
    if precision != "trained":
        network._compute_in(precision)
        # The templates (what fit trains from scratch) say the same.
        denoiser.set_params(estimator__estimator__precision=precision)
        denoiser.estimator_.set_params(estimator__precision=precision)
    if getattr(network, "_input_settings_", None) is None:
        # Written before the settings were recorded: its parameters are those
        # it was trained with, so a later set_params that changes how series
        # become network inputs is caught as for a freshly fitted network.
        network._input_settings_ = network._input_settings()
    if getattr(denoiser, "estimator_sampling_rate_", None) is None:
        # Likewise: a later set_params(estimator_sampling_rate=...) is caught.
        denoiser.estimator_sampling_rate_ = ECG_SAMPLING_RATE
    windowed = denoiser.estimator_
    if getattr(windowed, "window_length_", None) is None:
        # Likewise: the windows of training stay those of transform.
        windowed._record_geometry()
    if getattr(windowed, "_sampling_rate_", None) is None:
        # The rate of the windows' network, for export's windowing JSON.
        windowed._sampling_rate_ = ECG_SAMPLING_RATE
    from ..windowing._windowed import record_template_uncertainty

    for wrapper in (denoiser, windowed):
        if not hasattr(wrapper, "_template_uncertainty_"):
            # Likewise: an uncertainty set on the template after this is told
            # apart from one set on the fitted network (which predict uses).
            record_template_uncertainty(wrapper)
    return denoiser.set_params(sampling_rate=sampling_rate)


def ecg_denoiser(network, *, template=None, n_windows=0):
    """The shipped ECG estimator around a network fitted on 512-sample windows.

    ``network`` is a neural denoiser fitted on ``n_windows`` zero-mean windows
    of ``ECG_WINDOW`` samples at ``ECG_SAMPLING_RATE``; ``template`` is its
    unfitted version (the ``estimator`` parameter, used by ``fit``), by
    default a clone. Returns a fitted :class:`ResampledDenoiser` around a
    :class:`WindowedDenoiser` (50 % overlap, Hann taper, window means
    removed), at the model's own rate.
    """
    from sklearn.base import clone

    from ..windowing import ResampledDenoiser, WindowedDenoiser

    template = clone(network) if template is None else template
    windowed = WindowedDenoiser(template, window_length=ECG_WINDOW, center_windows=True)
    windowed.estimator_ = network
    windowed.n_features_in_ = ECG_WINDOW
    windowed.n_channels_in_ = 1
    windowed.n_windows_fit_ = int(n_windows)
    windowed._record_geometry()
    windowed._sampling_rate_ = ECG_SAMPLING_RATE
    denoiser = ResampledDenoiser(
        clone(windowed),
        sampling_rate=ECG_SAMPLING_RATE,
        estimator_sampling_rate=ECG_SAMPLING_RATE,
        min_sampling_rate=ECG_MIN_SAMPLING_RATE,
        min_duration=ECG_MIN_DURATION,
    )
    denoiser.estimator_ = windowed
    denoiser.estimator_sampling_rate_ = ECG_SAMPLING_RATE
    denoiser.n_features_in_ = ECG_WINDOW
    denoiser.n_channels_in_ = 1
    return denoiser
