"""Masks of self-supervised denoising, written once for training and scoring.

A hidden sample is replaced by the linear interpolation between the nearest
visible samples on either side (the nearest visible value at the ends of a
series), so the replaced input does not depend on any hidden value. Importing
this module does not import TensorFlow.
"""

import numpy as np

__all__ = ["interpolate_masked", "neighbour_masked", "grid_masks"]


def interpolate_masked(X3, hidden):
    """A copy of ``X3`` (n, t, c) with the ``hidden`` samples interpolated.

    Parameters
    ----------
    X3 : ndarray of shape (n_series, n_timesteps, n_channels)
        Series.
    hidden : ndarray of bool, same shape
        Samples to replace.

    Returns
    -------
    ndarray of float64, same shape
        ``X3`` with every hidden sample replaced by the linear interpolation of
        the visible samples of its series and channel (0 when none is visible).
    """

    def interpolate(values, targets, visible):
        return np.interp(targets, visible, values[visible])

    return _fill_hidden(X3, hidden, interpolate)


def _fill_hidden(X3, hidden, fill):
    """A float64 copy of ``X3`` whose hidden samples ``fill`` gives, per series.

    ``fill(values, targets, visible)`` returns the new values at the hidden
    positions ``targets`` of one series and channel ``values`` from its
    ``visible`` positions (both sorted). A series and channel with nothing
    visible becomes 0. Series are visited in order (series, then channel), so
    a ``fill`` drawing random numbers is reproducible.
    """
    X3 = np.asarray(X3, dtype=np.float64)
    out = X3.copy()
    n_series, n_timesteps, n_channels = X3.shape
    positions = np.arange(n_timesteps)
    for i in range(n_series):
        for c in range(n_channels):
            mask = hidden[i, :, c]
            if not mask.any():
                continue
            visible = positions[~mask]
            if not len(visible):
                out[i, :, c] = 0.0
                continue
            targets = positions[mask]
            out[i, targets, c] = fill(X3[i, :, c], targets, visible)
    return out


def neighbour_masked(X3, hidden, rng, radius):
    """A copy of ``X3`` with each hidden sample replaced by a random neighbour.

    Each hidden sample takes the value of a visible sample of its series and
    channel drawn uniformly among those at most ``radius`` samples away from
    the hidden span (Noise2Void's replacement; the nearest visible sample when
    none is that close, 0 when none is visible at all). Hidden values never
    reach the output, not even at other hidden positions.
    """

    def neighbour(values, targets, visible):
        # Visible samples on either side of each hidden one.
        right = np.searchsorted(visible, targets)
        left = right - 1
        # Draw among the `radius` nearest visible samples on each side.
        pick = rng.integers(0, 2 * radius, size=len(targets))
        side_left = pick < radius
        step = np.where(side_left, pick, pick - radius)
        index = np.where(side_left, left - step, right + step)
        # Outside the series: fall back to the other side's nearest one.
        fallback = np.where(side_left, right, left)
        bad = (index < 0) | (index >= len(visible))
        index = np.where(bad, fallback, index)
        index = np.clip(index, 0, len(visible) - 1)
        return values[visible[index]]

    return _fill_hidden(X3, hidden, neighbour)


def grid_masks(n_timesteps, mask_width, stride):
    """The ``stride`` phases of a regular grid of hidden spans.

    Yields ``(hidden, centres)`` boolean arrays of shape ``(n_timesteps,)``:
    phase ``p`` hides the spans of ``mask_width`` samples centred on the
    samples ``p, p + stride, p + 2 stride, ...``; over all phases every sample
    is a centre exactly once.
    """
    positions = np.arange(n_timesteps)
    for phase in range(stride):
        centres = (positions % stride) == phase
        hidden = np.zeros(n_timesteps, dtype=bool)
        for k in range(mask_width):
            shifted = positions[centres] - mask_width // 2 + k
            hidden[shifted[(shifted >= 0) & (shifted < n_timesteps)]] = True
        yield hidden, centres
