"""The no-harm gate of the neural denoisers.

A network's output ``f(x)`` is a correction ``f(x) - x`` of its input. The gate
scales that correction per series and channel by a factor in [0, 1] that
depends on the series' own estimated SNR, ``10 log10(|f(x) - m|^2 / |f(x) - x|^2)``
(``m`` the input's mean over time):
a network that changes its input little (a clean input) is trusted less than
one that removes a lot. The factor is a non-increasing function fitted after
training, by isotonic regression, on validation series the network did not
train on: for each series, the least-squares scale of its correction towards
the clean target, weighted by the correction's relative energy, so that the
gate maximises the mean output SNR where it can.

Only NumPy and scikit-learn; no Keras.
"""

import numpy as np
from sklearn.isotonic import IsotonicRegression

from .._series import power_of_two_scale

__all__ = ["estimated_snr", "fit_gate", "apply_gate"]

# Estimated SNRs are clipped to this range (dB); beyond it the gate is flat.
_SNR_LIMIT = 200.0


def _unit(*arrays):
    """A power of two near the largest magnitude of each series over ``arrays``.

    Per series and channel (axis 1 kept); see
    :func:`skdenoise._series.power_of_two_scale`.
    """
    return power_of_two_scale(np.max([np.abs(a) for a in arrays], axis=0))


def estimated_snr(inputs, outputs):
    """``10 log10(|f(x) - m|^2 / |f(x) - x|^2)`` per series and channel, in dB.

    ``m`` is the mean of the input series over time: the estimate does not
    change when a constant is added to a series and its output.

    Parameters
    ----------
    inputs, outputs : ndarray of shape (n_series, n_timesteps, n_channels)
        The network's inputs and outputs, in the same units.

    Returns
    -------
    ndarray of shape (n_series, n_channels)
    """
    # Around each input series' own mean, so that an offset of the series
    # (which normalize=True keeps out of the network) does not read as signal.
    centre = np.mean(inputs, axis=1, keepdims=True)
    signal, correction = outputs - centre, outputs - inputs
    unit = _unit(signal, correction)
    signal = np.sum(np.square(signal / unit), axis=1)
    correction = np.sum(np.square(correction / unit), axis=1)
    tiny = np.finfo(np.float64).tiny
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 10.0 * (
            np.log10(np.maximum(signal, tiny)) - np.log10(np.maximum(correction, tiny))
        )
    return np.clip(np.nan_to_num(ratio, nan=0.0), -_SNR_LIMIT, _SNR_LIMIT)


def fit_gate(inputs, outputs, targets):
    """Fit the gate on validation series: its breakpoints (dB) and scales.

    Returns
    -------
    snr : ndarray of shape (n_points,)
        Increasing estimated SNRs (dB).
    scale : ndarray of shape (n_points,)
        Non-increasing scales in [0, 1] at those SNRs; between them the gate
        interpolates linearly, beyond them it is constant.
    """
    correction = outputs - inputs
    wanted = targets - inputs
    reference = targets - np.mean(inputs, axis=1, keepdims=True)
    # Ratios of sums of squares and products: in each series' own unit.
    unit = _unit(correction, wanted, reference)
    correction, wanted, reference = correction / unit, wanted / unit, reference / unit
    energy = np.sum(np.square(correction), axis=1)
    reference = np.sum(np.square(reference), axis=1)
    keep = (energy > 0) & (reference > 0)
    if not np.any(keep):
        return np.array([0.0]), np.array([1.0])
    best = np.sum(wanted * correction, axis=1)[keep] / energy[keep]
    weight = energy[keep] / reference[keep]
    snr = estimated_snr(inputs, outputs)[keep]
    iso = IsotonicRegression(
        increasing=False, y_min=0.0, y_max=1.0, out_of_bounds="clip"
    )
    iso.fit(snr, np.clip(best, 0.0, 1.0), sample_weight=weight / weight.sum())
    return np.asarray(iso.X_thresholds_, dtype=np.float64), np.asarray(
        iso.y_thresholds_, dtype=np.float64
    )


def apply_gate(inputs, outputs, snr, scale):
    """Scale each series' correction by the gate (arrays of shape (n, t, c))."""
    factor = np.interp(estimated_snr(inputs, outputs), snr, scale)
    return inputs + factor[:, None, :] * (outputs - inputs)
