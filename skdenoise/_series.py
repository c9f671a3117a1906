"""Low-level operations on 3-D batches of series, written once for the package.

Every function takes and returns float arrays of shape
``(n_series, n_timesteps, n_channels)`` and never writes to its input.
"""

import numpy as np

__all__ = ["reflect_pad", "series_statistics", "power_of_two_scale"]


def reflect_pad(X3, left, right):
    """Extend every series by reflection (edge values for one-sample series)."""
    if not left and not right:
        return X3
    mode = "reflect" if X3.shape[1] > 1 else "edge"
    return np.pad(X3, ((0, 0), (left, right), (0, 0)), mode=mode)


def power_of_two_scale(X3):
    """Per series and channel, a power of two near the largest magnitude.

    Dividing by a power of two is exact, so statistics computed on the divided
    series and multiplied back equal those of the series, without the overflow
    of squaring values near 1e160 or the underflow of squaring 1e-200. The
    power is at most ``2**1023`` (``2**1024`` overflows), so the divided series
    are below 2 in magnitude.
    """
    return power_of_two_of_peak(np.max(np.abs(X3), axis=1, keepdims=True))


def power_of_two_of_peak(peak):
    """:func:`power_of_two_scale` of series whose largest magnitudes are ``peak``."""
    _, exponent = np.frexp(np.where(peak > 0, peak, 1.0))
    return np.ldexp(1.0, np.minimum(exponent, np.finfo(np.float64).maxexp - 1))


def series_statistics(X3, method="standard", *, return_constant=False):
    """Centre and scale of every series and channel, shape ``(n, 1, c)`` each.

    ``"standard"``: mean and standard deviation; ``"robust"``: median and
    interquartile range; ``"minmax"``: minimum and range; ``"rms"``: zero and
    the root mean square (the offset is kept). The scale of a
    constant series (zero, or no larger than the rounding error of its centre)
    is 1, so the series is only centred. Any finite input gives finite
    statistics: they are computed on the series divided by a power of two.
    With ``return_constant``, also the mask (shape ``(n, 1, c)``) of the series
    and channels whose scale fell back to 1.
    """
    X3 = np.asarray(X3, dtype=np.float64)
    unit = power_of_two_scale(X3)
    scaled = X3 / unit
    if method == "standard":
        center = scaled.mean(axis=1, keepdims=True)
        scale = scaled.std(axis=1, keepdims=True)
    elif method == "robust":
        low, center, high = np.percentile(scaled, [25.0, 50.0, 75.0], axis=1)
        center, scale = center[:, np.newaxis], (high - low)[:, np.newaxis]
    elif method == "rms":
        center = np.zeros(scaled[:, :1].shape)
        scale = np.sqrt(np.mean(np.square(scaled), axis=1, keepdims=True))
    elif method == "minmax":
        center = scaled.min(axis=1, keepdims=True)
        scale = scaled.max(axis=1, keepdims=True) - center
    else:
        raise ValueError(f"Unknown statistics method {method!r}.")
    # On the scaled series values are below 2 in magnitude: a spread below a
    # few thousand rounding errors of the centre is rounding, not signal.
    constant = scale <= 1e-12 * np.maximum(np.abs(center), np.finfo(float).tiny)
    constant |= scale == 0
    center, scale = center * unit, np.where(constant, 1.0, scale * unit)
    if return_constant:
        return center, scale, constant
    return center, scale
