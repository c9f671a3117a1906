"""Augmentation of the clean training series.

Noise models (:mod:`skdenoise.noise`) vary what is added to a series; the
augmentations here vary the series themselves, so that a network sees more
shapes than the training set holds: flipped polarity, reversed time, other
amplitudes, stretched or compressed waveforms. A denoiser applies them on the
fly, per batch, through its ``augment`` parameter, before the noise is added;
with supervised pairs ``fit(X_noisy, y_clean)`` the same transform is applied to
both, so the pair stays aligned.

Every augmentation draws its parameters per series from the generator it is
given, and never modifies its inputs.

Examples
--------
>>> import numpy as np
>>> from skdenoise.augment import RandomFlip, RandomTimeWarp
>>> X = np.tile(np.linspace(0.0, 1.0, 8), (4, 1))
>>> flipped, = RandomFlip(sign=True, time=False, p=1.0).apply(X, random_state=0)
>>> bool(np.allclose(flipped, -X))
True
>>> warped, = RandomTimeWarp(factor=(0.8, 1.25)).apply(X, random_state=0)
>>> warped.shape
(4, 8)
"""

from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator

from ._augment_names import AUGMENTATION_NAMES
from ._series import power_of_two_scale
from ._validation import as_3d, check_finite_scalar, check_range, check_series
from .noise._base import _rng

__all__ = [
    "BaseAugmentation",
    "RandomFlip",
    "RandomScale",
    "RandomTimeWarp",
    "RandomDrift",
    "AugmentationChain",
    "AUGMENTATION_NAMES",
    "from_names",
]


class BaseAugmentation(BaseEstimator):
    """Base class of the augmentations.

    Subclasses implement ``_transform(arrays, rng)``: they receive a list of
    validated 3-D float arrays of one shape ``(n_series, n_timesteps,
    n_channels)`` and return new arrays, each series transformed the same way in
    every array.

    Examples
    --------
    >>> from skdenoise.augment import BaseAugmentation, RandomScale
    >>> isinstance(RandomScale(), BaseAugmentation)
    True
    """

    def _transform(self, arrays, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_params(self):
        """Validate the parameters (raise ValueError or TypeError)."""

    def apply(self, *arrays, random_state=None):
        """Transform one or several aligned sets of series the same way.

        Parameters
        ----------
        *arrays : array-like of shape (n_series, n_timesteps[, n_channels])
            Sets of series of one shape, for example noisy inputs and their
            clean targets; series ``i`` of every array gets the same transform.
            Never modified.
        random_state : int, numpy Generator, RandomState or None, default=None
            Seed or generator of the per-series parameters.

        Returns
        -------
        tuple of ndarray
            The transformed copies, in the order given, each of its input's
            shape, float32 for float32 input and float64 otherwise.
        """
        if not arrays:
            raise TypeError(f"{type(self).__name__}.apply needs at least one array.")
        checked = [
            check_series(a, input_name="X" if len(arrays) == 1 else f"arrays[{i}]")
            for i, a in enumerate(arrays)
        ]
        shape = checked[0].shape
        for i, a in enumerate(checked[1:], start=1):
            if a.shape != shape:
                raise ValueError(
                    f"{type(self).__name__}.apply: all arrays must have one shape; "
                    f"array 0 has shape {shape}, array {i} has shape {a.shape}."
                )
        self._check_params()
        with np.errstate(over="ignore"):  # checked below, with a clear error
            out = self._transform([as_3d(a) for a in checked], _rng(random_state))
        result = []
        for o, a in zip(out, checked, strict=True):
            with np.errstate(over="ignore"):
                o = np.asarray(o).reshape(a.shape).astype(a.dtype, copy=False)
            if np.may_share_memory(o, a):
                # A step that changed nothing (an empty chain) handed back
                # the input itself: copies, as promised.
                o = o.copy()
            if not np.all(np.isfinite(o)):
                # The inputs are finite (checked): float32 series near its
                # largest value overflowed. An error, not infinities.
                advice = (
                    "Pass the series as float64, or rescale them (divide them by "
                    "a constant)."
                    if a.dtype != np.float64
                    else "Rescale them (divide them by a constant)."
                )
                raise ValueError(
                    f"{type(self).__name__}.apply produced values beyond the range "
                    f"of {a.dtype} from {a.dtype} series. {advice}"
                )
            result.append(o)
        return tuple(result)

    def __call__(self, *arrays, random_state=None):
        """Alias of :meth:`apply`."""
        return self.apply(*arrays, random_state=random_state)


def _check_probability(value, name):
    value = check_finite_scalar(value, name)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1]; got {value!r}.")
    return value


def _check_positive_range(value, name):
    return check_range(value, name, positive=True)


def _log_uniform(rng, low, high, size):
    if low == high:
        return np.full(size, low)
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


class RandomFlip(BaseAugmentation):
    """Flip the sign and/or the time direction of series at random.

    A sign flip is an inverted lead (or sensor); a time flip reverses the
    series. Each is drawn per series with probability ``p``, independently.

    Parameters
    ----------
    sign : bool, default=True
        Flip the polarity (``-x``).
    time : bool, default=False
        Reverse time (``x[::-1]``). Waveforms with a direction in time (an ECG
        beat runs P, QRS, T) come out reversed, which widens the set of shapes
        but not always realistically.
    p : float, default=0.5
        Probability of each flip.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.augment import RandomFlip
    >>> x = np.arange(4.0)[None, :]
    >>> RandomFlip(sign=False, time=True, p=1.0).apply(x)[0]
    array([[3., 2., 1., 0.]])
    """

    def __init__(self, sign=True, time=False, p=0.5):
        self.sign = sign
        self.time = time
        self.p = p

    def _check_params(self):
        _check_probability(self.p, "p")
        for name in ("sign", "time"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(
                    f"RandomFlip: {name} must be True or False; got "
                    f"{getattr(self, name)!r}."
                )

    def _transform(self, arrays, rng):
        n = arrays[0].shape[0]
        p = float(self.p)
        negate = rng.random(n) < p if self.sign else np.zeros(n, bool)
        reverse = rng.random(n) < p if self.time else np.zeros(n, bool)
        factor = np.where(negate, -1.0, 1.0)[:, None, None]
        out = []
        for a in arrays:
            b = a * factor
            b[reverse] = b[reverse, ::-1]
            out.append(b)
        return out


class RandomScale(BaseAugmentation):
    """Multiply each series by a factor drawn log-uniformly.

    Useful when the denoiser works in the units of the data
    (``normalize=False``, or a U-Net with ``level_input=True``, which reads
    each series' scale: there it also breaks the link between a window's
    level and its noise); a denoiser with ``normalize=True`` alone is
    equivariant to scale already.

    Parameters
    ----------
    scale : float or tuple of two floats, default=(0.5, 2.0)
        Range of the factor (one number: a fixed factor).

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.augment import RandomScale
    >>> RandomScale(scale=2.0).apply(np.ones((1, 3)))[0]
    array([[2., 2., 2.]])
    """

    def __init__(self, scale=(0.5, 2.0)):
        self.scale = scale

    def _check_params(self):
        _check_positive_range(self.scale, "scale")

    def _transform(self, arrays, rng):
        low, high = _check_positive_range(self.scale, "scale")
        factor = _log_uniform(rng, low, high, arrays[0].shape[0])[:, None, None]
        return [a * factor for a in arrays]


class RandomTimeWarp(BaseAugmentation):
    """Stretch or compress each series in time, keeping its length.

    A factor ``f`` drawn log-uniformly per series resamples the series around a
    random centre: ``f > 1`` stretches (wider waveforms, a slower rhythm),
    ``f < 1`` compresses. Samples are linearly interpolated; where the warped
    time runs past an end, the series is mirrored at that end, so no constant
    padding appears. The interpolation is a slight low-pass: on the noisy
    series of pairs ``fit(X_noisy, y_clean)`` it removes about a third of
    white noise's power (up to two thirds near the Nyquist frequency), so the
    network trains on weaker noise than the pairs hold; noise that ``fit``
    adds to clean series is drawn after the augmentation and keeps its
    spectrum.

    Parameters
    ----------
    factor : float or tuple of two floats, default=(0.8, 1.25)
        Range of the stretch factor.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.augment import RandomTimeWarp
    >>> x = np.sin(np.linspace(0, 6, 50))[None, :]
    >>> y, = RandomTimeWarp(factor=1.0).apply(x)
    >>> bool(np.allclose(x, y))
    True
    """

    def __init__(self, factor=(0.8, 1.25)):
        self.factor = factor

    def _check_params(self):
        _check_positive_range(self.factor, "factor")

    def _transform(self, arrays, rng):
        low, high = _check_positive_range(self.factor, "factor")
        n, length = arrays[0].shape[:2]
        factor = _log_uniform(rng, low, high, n)
        centre = rng.uniform(0.0, length - 1.0, n) if length > 1 else np.zeros(n)
        grid = np.arange(length, dtype=np.float64)
        # Position in the original series of each output sample.
        pos = centre[:, None] + (grid[None, :] - centre[:, None]) / factor[:, None]
        if length > 1:
            period = 2.0 * (length - 1)
            pos = np.mod(pos, period)
            pos = np.where(pos > length - 1, period - pos, pos)
        else:
            pos = np.zeros_like(pos)
        left = np.clip(np.floor(pos).astype(np.int64), 0, max(length - 2, 0))
        right = np.minimum(left + 1, length - 1)
        weight = (pos - left)[:, :, None]
        rows = np.arange(n)[:, None]
        return [
            a[rows, left] * (1.0 - weight) + a[rows, right] * weight for a in arrays
        ]


class RandomDrift(BaseAugmentation):
    """Add a slow drift to each series, as part of the signal.

    Real recordings carry slow movements of their own that a denoiser must
    keep: an ECG's baseline follows breathing and posture, a sensor its
    temperature. Without such content in the clean training series, a network
    learns that everything slow is noise and removes it from a clean input.
    This augmentation adds to the *clean* series (and, with supervised pairs,
    to the noisy ones the same way) a zero-mean drift: two sinusoids with
    frequencies drawn in ``frequency`` Hz and random phases, scaled to a
    root-mean-square value of ``amplitude`` times the series' standard
    deviation (its RMS about its own mean, so that an offset does not count),
    per series and channel. Noise added afterwards (the denoiser's ``noise``) still
    includes baseline wander, so the network has to learn the difference from
    the size of the drift, as an optimal estimator would.

    Parameters
    ----------
    sampling_rate : float, default=360.0
        Sampling rate of the series in Hz.
    frequency : tuple of two floats, default=(0.3, 1.0)
        Range of the drift's frequencies in Hz, below the Nyquist frequency.
    amplitude : float or tuple of two floats, default=(0.0, 0.5)
        Root-mean-square value of the drift relative to the series' standard
        deviation, drawn uniformly per series and channel (one number: fixed).
    p : float, default=0.5
        Probability that a series gets a drift.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.augment import RandomDrift
    >>> x = np.sin(np.linspace(0.0, 60.0, 720))[None, :]
    >>> y, = RandomDrift(amplitude=0.5, p=1.0).apply(x, random_state=0)
    >>> drift = y - x
    >>> round(float(np.sqrt(np.mean(drift**2)) / np.sqrt(np.mean(x**2))), 6)
    0.5
    >>> round(float(drift.mean()), 12)
    0.0
    """

    def __init__(
        self, sampling_rate=360.0, frequency=(0.3, 1.0), amplitude=(0.0, 0.5), p=0.5
    ):
        self.sampling_rate = sampling_rate
        self.frequency = frequency
        self.amplitude = amplitude
        self.p = p

    def _check_params(self):
        fs = check_finite_scalar(self.sampling_rate, "sampling_rate")
        if fs <= 0:
            raise ValueError(
                f"sampling_rate must be positive; got {self.sampling_rate!r}."
            )
        low, high = _check_positive_range(self.frequency, "frequency")
        if high >= fs / 2:
            raise ValueError(
                f"frequency must lie below the Nyquist frequency {fs / 2:g} Hz; "
                f"got {self.frequency!r}."
            )
        amplitude = check_range(self.amplitude, "amplitude", positive=False)
        if amplitude[0] < 0:
            raise ValueError(f"amplitude must be non-negative; got {self.amplitude!r}.")
        _check_probability(self.p, "p")
        return fs, (low, high), amplitude

    def _transform(self, arrays, rng):
        fs, (low, high), (a_low, a_high) = self._check_params()
        n, length, channels = arrays[0].shape
        size = (n, 1, channels, 2)
        frequencies = rng.uniform(low, high, size)
        phases = rng.uniform(0.0, 2.0 * np.pi, size)
        weights = rng.uniform(0.5, 1.0, size)
        amplitude = rng.uniform(a_low, a_high, (n, 1, channels))
        active = rng.random(n) < float(self.p)
        t = (np.arange(length, dtype=np.float64) / fs)[None, :, None, None]
        drift = np.sum(
            weights * np.sin(2.0 * np.pi * frequencies * t + phases), axis=-1
        )
        drift -= drift.mean(axis=1, keepdims=True)
        drift_rms = np.sqrt(np.mean(drift**2, axis=1, keepdims=True))
        # The drift is sized on the clean series: the only array when the
        # noise is added afterwards, the last one of (inputs, targets) pairs.
        base = arrays[-1] if len(arrays) > 1 else arrays[0]
        # On the series divided by a power of two (exact), so that squares of
        # values near 1e160 (or 1e-170) do not overflow (or underflow).
        unit = power_of_two_scale(base)
        scaled = np.asarray(base, dtype=np.float64) / unit
        base_rms = unit * np.sqrt(
            np.mean(
                (scaled - scaled.mean(axis=1, keepdims=True)) ** 2,
                axis=1,
                keepdims=True,
            )
        )
        scale = np.where(
            drift_rms > 0,
            amplitude * base_rms / np.where(drift_rms > 0, drift_rms, 1.0),
            0.0,
        )
        drift = drift * scale * active[:, None, None]
        return [(a + drift).astype(a.dtype, copy=False) for a in arrays]


class AugmentationChain(BaseAugmentation):
    """Apply several augmentations one after the other.

    Parameters
    ----------
    steps : list of BaseAugmentation
        Augmentations, applied in order.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.augment import AugmentationChain, RandomFlip, RandomScale
    >>> chain = AugmentationChain([RandomScale(2.0), RandomFlip(p=1.0)])
    >>> chain.apply(np.ones((1, 2)))[0]
    array([[-2., -2.]])
    """

    def __init__(self, steps):
        self.steps = steps

    def _check_params(self):
        if not isinstance(self.steps, (list, tuple)) or not all(
            isinstance(s, BaseAugmentation) for s in self.steps
        ):
            raise TypeError(
                "steps must be a list of skdenoise.augment augmentations; "
                f"got {self.steps!r}."
            )
        for step in self.steps:
            step._check_params()

    def _transform(self, arrays, rng):
        for step in self.steps:
            arrays = step._transform(arrays, rng)
        return arrays


def from_names(names):
    """The augmentation made of named standard steps, or None for no names.

    Parameters
    ----------
    names : iterable of str
        Names from :data:`AUGMENTATION_NAMES`: ``"flip"``, ``"time-flip"``,
        ``"warp"``, ``"scale"``, in any order (repeats are ignored).

    Returns
    -------
    AugmentationChain or None
        Flips first, then the warp, then the scale.

    Examples
    --------
    >>> from skdenoise.augment import from_names
    >>> from_names(["warp", "flip"])
    AugmentationChain(steps=[RandomFlip(), RandomTimeWarp()])
    >>> from_names([]) is None
    True
    """
    if isinstance(names, str):
        raise TypeError(
            f"names must be a list of augmentation names, such as [{names!r}]; got "
            f"the string {names!r}."
        )
    if names is not None and not isinstance(names, Iterable):
        raise TypeError(
            "names must be a list of augmentation names (such as ['flip', "
            f"'time-flip']) or None; got {names!r}."
        )
    names = list(dict.fromkeys(names or []))
    unknown = [n for n in names if n not in AUGMENTATION_NAMES]
    if unknown:
        raise ValueError(
            f"Unknown augmentation name(s) {unknown}; choose from "
            f"{sorted(AUGMENTATION_NAMES)}."
        )
    steps = []
    if "flip" in names or "time-flip" in names:
        steps.append(RandomFlip(sign="flip" in names, time="time-flip" in names))
    if "warp" in names:
        steps.append(RandomTimeWarp(factor=(0.8, 1.25)))
    if "scale" in names:
        steps.append(RandomScale(scale=(0.5, 2.0)))
    return AugmentationChain(steps) if steps else None
