"""The base class of the noise models, white noise and helpers."""

import contextlib
import numbers
import threading

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .._series import power_of_two_scale
from .._validation import (
    as_3d,
    as_input_dtype,
    as_real_float64,
    check_finite_scalar,
    check_positive_int,
    check_series,
)
from .._warnings import warn_at_caller

__all__ = ["BaseNoise", "WhiteNoise", "scale_noise"]

_ZERO_SERIES = "are all zeros: no SNR can be reached"
_QUIET = threading.local()


@contextlib.contextmanager
def _switched_on(name):
    """Set the thread-local switch ``name`` for the block."""
    before = getattr(_QUIET, name, False)
    setattr(_QUIET, name, True)
    try:
        yield
    finally:
        setattr(_QUIET, name, before)


def quiet_zero_series():
    """No warning about series of zeros from ``scale_noise`` in this thread.

    For a denoiser's training batches, drawn many times over the same series:
    ``fit`` says it once (:func:`zero_series_warned`), naming its rows.
    """
    return _switched_on("on")


def zero_series_in_windows():
    """The series a denoiser's ``fit`` gets in this thread are windows.

    :class:`~skdenoise.pipeline.WindowedDenoiser` cuts the user's series into
    windows, and passes some as validation series: the warning about series
    of zeros then counts windows, not rows of arguments the user never gave.
    """
    return _switched_on("windows")


def zero_series_are_windows():
    """Whether :func:`zero_series_in_windows` is on in this thread."""
    return getattr(_QUIET, "windows", False)


def zero_series_warned(noise, series):
    """Rows of ``series`` that are all zeros and that ``noise`` leaves so.

    ``noise.apply`` on one of them tells whether the noise model warns about
    them (an SNR target cannot be reached against zeros; an amplitude can).
    """
    from .._warnings import recorded

    silent = np.flatnonzero(np.all(series.reshape(len(series), -1) == 0, axis=1))
    if not len(silent):
        return silent
    # The noise models warn through warn_at_caller: recorded in this thread,
    # not with the warnings module's process-wide state.
    with recorded() as caught:
        try:
            noise.apply(series[silent[:1]], random_state=0)
        except Exception:  # training meets (and reports) it
            return silent[:0]
    if any(_ZERO_SERIES in message for _, message in caught):
        return silent
    return silent[:0]


def _rng(random_state):
    """A numpy Generator from None, an int, a Generator or a RandomState.

    None means NumPy's global RandomState, as in scikit-learn
    (``check_random_state(None)``): a seed is drawn from it, so that
    ``np.random.seed`` makes the draws reproducible.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None:
        random_state = check_random_state(None)
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, (bool, np.bool_)
    ):
        if random_state < 0:
            raise ValueError(
                f"random_state must be a non-negative int seed; got {random_state!r}."
            )
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int, a numpy Generator or a RandomState; "
        f"got {random_state!r}."
    )


class BaseNoise(BaseEstimator):
    """Base class of the noise models.

    Subclasses implement ``_sample(shape, rng)``, returning raw noise of the
    given 3-D shape ``(n_series, n_timesteps, n_channels)``, and keep ``snr`` and
    ``amplitude`` as parameters.

    Parameters
    ----------
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the raw noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Scale of the raw noise when ``snr`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import BaseNoise, WhiteNoise
    >>> noise = WhiteNoise(amplitude=0.1)
    >>> isinstance(noise, BaseNoise)
    True
    >>> noise.sample((2, 5), random_state=0).shape
    (2, 5)
    """

    def __init__(self, snr=None, amplitude=1.0):
        self.snr = snr
        self.amplitude = amplitude

    def _sample(self, shape, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_snr(self):
        return _check_snr(self.snr, self.amplitude)

    def sample(self, shape, random_state=None):
        """Draw raw (unscaled) noise.

        Parameters
        ----------
        shape : tuple of int
            ``(n_series, n_timesteps)`` or ``(n_series, n_timesteps, n_channels)``.
        random_state : int, numpy Generator, RandomState or None, default=None
            Seed or generator. None draws a seed from NumPy's global random
            state (so ``np.random.seed`` makes the draw repeatable).

        Returns
        -------
        ndarray of the given shape
        """
        shape = _check_shape(shape)
        shape3 = shape + (1,) if len(shape) == 2 else shape
        noise = np.asarray(self._sample(shape3, _rng(random_state)), dtype=np.float64)
        return noise.reshape(shape)

    def apply(self, X, random_state=None):
        """Return a noisy copy of the clean series ``X``.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps[, n_channels])
            Clean series; never modified.
        random_state : int, numpy Generator, RandomState or None, default=None
            Seed or generator; the same seed gives the same noise. None draws a
            seed from NumPy's global random state (so ``np.random.seed`` makes
            the draw repeatable).

        Returns
        -------
        X_noisy : ndarray of the same shape
            float32 for float32 ``X``, float64 otherwise.
        """
        X = check_series(X)
        with np.errstate(over="ignore"):
            noisy = self._noisy(as_3d(X), _rng(random_state)).reshape(X.shape)
        _check_finite_result(noisy, f"{type(self).__name__}.apply's output")
        # float32 series near float32's largest value: an error, not infinities.
        return as_input_dtype(noisy, X, f"{type(self).__name__}.apply")

    def _noisy(self, X, rng):
        """The noisy 3-D series: ``X`` plus the noise of :meth:`_draw`."""
        return X + self._draw(X, rng)

    def _draw(self, X, rng):
        """Scaled noise for the validated 3-D clean series ``X``."""
        target = self._check_snr()
        noise = self.sample(X.shape, rng)
        return scale_noise(X, noise, target, self.amplitude, rng)

    def __call__(self, X, random_state=None):
        """Alias of :meth:`apply`."""
        return self.apply(X, random_state=random_state)


def _check_shape(shape):
    """``shape`` as a tuple of 2 or 3 positive ints, or a clear error."""
    if isinstance(shape, numbers.Integral) or not hasattr(shape, "__len__"):
        raise TypeError(
            "shape must be (n_series, n_timesteps) or (n_series, n_timesteps, "
            f"n_channels); got {shape!r}."
        )
    if len(shape) not in (2, 3):
        raise ValueError(
            "shape must be (n_series, n_timesteps) or (n_series, n_timesteps, "
            f"n_channels); got {len(shape)} dimension(s): {tuple(shape)!r}."
        )
    names = ("n_series", "n_timesteps", "n_channels")
    return tuple(
        check_positive_int(size, f"shape's {name}")
        for size, name in zip(shape, names, strict=False)
    )


def _check_snr(snr, amplitude):
    """``snr`` as a float, a ``(low, high)`` tuple or None (then ``amplitude``)."""
    if snr is None:
        check_finite_scalar(amplitude, "amplitude")
        if amplitude < 0:
            raise ValueError(f"amplitude must be >= 0; got {amplitude!r}.")
        return None
    if isinstance(snr, (tuple, list)):
        if len(snr) != 2:
            raise ValueError(
                f"snr must be a number or a (low, high) pair; got {snr!r}."
            )
        low = check_finite_scalar(snr[0], "snr[0]")
        high = check_finite_scalar(snr[1], "snr[1]")
        if low > high:
            raise ValueError(f"snr range must have low <= high; got {snr!r}.")
        return (low, high)
    if isinstance(snr, np.ndarray) and snr.ndim > 0:
        raise TypeError(
            f"snr must be a number or a (low, high) tuple or list of two numbers; "
            f"got an array of shape {snr.shape} (pass tuple(snr) for a range)."
        )
    return check_finite_scalar(snr, "snr")


def scale_noise(X, noise, snr, amplitude=1.0, random_state=None):
    """Scale ``noise`` per series to reach ``snr`` dB against ``X``.

    Parameters
    ----------
    X : ndarray of shape (n_series, n_timesteps) or (n_series, n_timesteps, \
n_channels)
        Clean series (one series: ``X[np.newaxis]``).
    noise : ndarray of the same shape
        Raw noise.
    snr : float, (low, high) or None
        Target SNR in dB (finite), a range drawn per series (a tuple or a list
        of two), or None for ``amplitude``.
    amplitude : float, default=1.0
        Multiplier when ``snr`` is None.
    random_state : int, Generator or None, default=None
        Used to draw SNRs from a range.

    Returns
    -------
    ndarray
        The scaled noise.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import scale_noise
    >>> X = np.ones((2, 4))
    >>> noise = scale_noise(X, np.array([[1.0, -1, 1, -1], [2, 0, 0, 0]]), 20.0)
    >>> np.round(10 * np.log10((X**2).sum(1) / (noise**2).sum(1)), 6)
    array([20., 20.])
    """
    X, checked = (
        as_real_float64(values, name) for values, name in ((X, "X"), (noise, "noise"))
    )
    # Floating noise keeps its dtype where it is only multiplied (snr=None).
    noise = np.ma.getdata(noise)
    if not (isinstance(noise, np.ndarray) and noise.dtype.kind == "f"):
        noise = checked
    if X.ndim not in (2, 3) or 0 in X.shape:
        raise ValueError(
            "X must have shape (n_series, n_timesteps) or (n_series, n_timesteps, "
            f"n_channels), none of them 0; got shape {X.shape}. For one series pass "
            "X[np.newaxis]: the SNR is reached per series, along time."
        )
    if noise.shape != X.shape:
        raise ValueError(
            f"noise must have X's shape {X.shape}; got {noise.shape}. Draw one "
            "noise series per clean series (BaseNoise.sample(X.shape))."
        )
    _check_finite_series(X, "X")
    _check_finite_series(noise, "noise")
    snr = _check_snr(snr, amplitude)
    if snr is None:
        with np.errstate(over="ignore"):
            scaled = noise * amplitude
        _check_finite_result(scaled, f"the noise at amplitude {amplitude:g}")
        return scaled
    n = X.shape[0]
    if isinstance(snr, tuple):
        target = _rng(random_state).uniform(snr[0], snr[1], size=n)
    else:
        target = np.full(n, float(snr))
    # Powers of the series divided by a power of two each (exact): squares of
    # values near 1e160 (or 1e-170) would overflow (or underflow).
    X_unit, X_scaled = _per_series_scaled(X)
    noise_unit, noise_scaled = _per_series_scaled(noise)
    signal_power = np.sum(np.square(X_scaled), axis=1)
    noise_power = np.sum(np.square(noise_scaled), axis=1)
    # A series of zeros gets no noise (warned of below), drawn or not.
    if np.any((noise_power == 0) & (signal_power > 0)):
        raise ValueError(
            "The noise drawn for a series is all zeros, so no SNR can be reached."
        )
    if np.any(signal_power == 0):
        warn_zero_series(np.flatnonzero(signal_power == 0))
    # An infinite gain times a zero sample is NaN: refused below, quietly.
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        gain = np.sqrt(signal_power / (noise_power * 10.0 ** (target / 10.0)))
        gain[signal_power == 0] = 0.0
        scaled = noise_scaled * (gain * X_unit)[:, np.newaxis]
    _check_finite_result(scaled, f"the noise at SNR {_describe_snr(snr)} dB")
    return scaled.reshape(noise.shape)


def warn_zero_series(silent, advice="give the noise an amplitude (snr=None)"):
    """Warn that the series ``silent`` (row indices) of zeros get no noise.

    Quiet under :func:`quiet_zero_series`.
    """
    if not len(silent) or getattr(_QUIET, "on", False):
        return
    warn_at_caller(
        f"{len(silent)} series of X (index {', '.join(map(str, silent[:5]))}"
        f"{', ...' if len(silent) > 5 else ''}) {_ZERO_SERIES} against them, so "
        f"they get no noise. Remove them, or {advice} instead.",
        UserWarning,
    )


def other_rate_advice(model, rate):
    """What to do about a noise model or augmentation at ``own`` Hz, not ``rate``."""
    from ._models import RecordedNoise

    if isinstance(model, RecordedNoise):
        return (
            "A recording's samples are used as they are: resample it to "
            f"{rate:g} Hz (scipy.signal.resample_poly) and give it "
            f"sampling_rate={rate:g}"
        )
    return f"Give it sampling_rate={rate:g}"


def _describe_snr(snr):
    return f"{snr[0]:g} to {snr[1]:g}" if isinstance(snr, tuple) else f"{snr:g}"


def _check_finite_result(values, what):
    """Refuse values that overflowed float64 (an SNR or amplitude out of range)."""
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"{what} is beyond the range of float64 for these series (its values "
            "overflow to infinity); choose a higher SNR or a smaller amplitude."
        )


def _per_series_scaled(A):
    """Per series, a power of two near its largest magnitude, and A divided by it.

    ``A`` is reshaped to ``(n_series, n_values)``; the powers have shape
    ``(n_series,)``.
    """
    flat = np.asarray(A, dtype=np.float64).reshape(A.shape[0], -1, 1)
    unit = power_of_two_scale(flat)
    return unit[:, 0, 0], (flat / unit)[:, :, 0]


def _check_finite_series(A, name):
    """Raise a ValueError naming the first series of ``A`` with NaN or inf."""
    finite = np.isfinite(A).reshape(A.shape[0], -1).all(axis=1)
    if not finite.all():
        first = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"{name} contains NaN or infinite values ({np.count_nonzero(~finite)} "
            f"series, the first at index {first}); no SNR can be set against "
            "them."
        )


class WhiteNoise(BaseNoise):
    """White Gaussian noise.

    Parameters
    ----------
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` uses ``amplitude`` as the noise's standard deviation.
    amplitude : float, default=1.0
        Standard deviation of the noise when ``snr`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import WhiteNoise
    >>> from skdenoise.metrics import snr
    >>> clean = np.sin(np.linspace(0, 10, 200))[None, :]
    >>> noisy = WhiteNoise(snr=5.0).apply(clean, random_state=0)
    >>> round(snr(clean, noisy), 6)
    5.0
    """

    def _sample(self, shape, rng):
        return rng.standard_normal(shape)


def _check_positive(value, name, *, allow_zero=False):
    value = check_finite_scalar(value, name)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}.")
    return value


def _check_count(value, name, minimum):
    return check_positive_int(value, name, minimum=minimum)


def _check_sampling_rate(owner, sampling_rate):
    name = f"{type(owner).__name__}: sampling_rate"
    if sampling_rate is None:
        raise ValueError(
            f"{name} is required (the sampling rate of the series in Hz, e.g. "
            f"{type(owner).__name__}(sampling_rate=360.0)); got None."
        )
    return _check_positive(sampling_rate, name)


def _check_below_nyquist(value, name, sampling_rate):
    """Return ``value`` (Hz) if it lies below the Nyquist frequency, else raise."""
    if value >= sampling_rate / 2:
        raise ValueError(
            f"{name}={value!r} Hz must be below the Nyquist frequency "
            f"{sampling_rate / 2!r} Hz of sampling_rate={sampling_rate!r}."
        )
    return value


def _unit_rms(noise):
    """Scale each series of a 3-D array to a root-mean-square value of 1."""
    _, scaled = _per_series_scaled(noise)
    scaled = scaled.reshape(noise.shape)
    rms = np.sqrt(np.mean(np.square(scaled), axis=(1, 2), keepdims=True))
    return np.divide(scaled, rms, out=np.zeros_like(scaled), where=rms > 0)


def _band_limited(shape, rng, sampling_rate, low, high):
    """White Gaussian noise keeping only the frequencies in ``[low, high]`` Hz."""
    white = rng.standard_normal(shape)
    freqs = np.fft.rfftfreq(shape[1], d=1.0 / sampling_rate)
    keep = (freqs >= low) & (freqs <= high)
    spectrum = np.fft.rfft(white, axis=1) * keep[np.newaxis, :, np.newaxis]
    return np.fft.irfft(spectrum, n=shape[1], axis=1), bool(keep.any())


def _sum_of_sinusoids(shape, sampling_rate, frequencies, amplitudes, phases):
    """Sum over the last axis of sinusoids of shape ``(n, 1, n_channels, k)``."""
    t = (np.arange(shape[1]) / sampling_rate)[np.newaxis, :, np.newaxis]
    out = np.zeros(shape)
    for k in range(frequencies.shape[-1]):
        out += amplitudes[..., k] * np.sin(
            2.0 * np.pi * frequencies[..., k] * t + phases[..., k]
        )
    return out
