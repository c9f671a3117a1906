"""Cutting series into overlapping windows and stitching them back together.

Everything works on 3-D float arrays ``(n_series, n_timesteps, n_channels)``.
Windows cover every sample: their starts are ``0, stride, 2 * stride, ...`` plus
one more window ending at the last sample when the stride does not reach it.
Series shorter than one window are first extended by reflection.
"""

import numpy as np

from .._series import reflect_pad

__all__ = [
    "TAPERS",
    "taper",
    "window_starts",
    "pad_to_window",
    "extract_windows",
    "WindowLayout",
]

TAPERS = ("hann", "triangular", "boxcar")

# Windows gathered (and stitched) per step when a helper has to bound its memory.
_DEFAULT_CHUNK_VALUES = 2**17


def taper(name, window_length):
    """Overlap-add weights of a window, strictly positive at every sample.

    The Hann and triangular tapers are those of length ``window_length + 2``
    without their zero end points, so that a sample covered by a single window
    (the first and last ones of a series) still has a nonzero weight.
    """
    if name == "boxcar":
        return np.ones(window_length)
    position = np.arange(1, window_length + 1) / (window_length + 1)
    if name == "hann":
        return 0.5 - 0.5 * np.cos(2.0 * np.pi * position)
    if name == "triangular":
        return 1.0 - np.abs(2.0 * position - 1.0)
    raise ValueError(f"taper must be one of {TAPERS}; got {name!r}.")


def window_starts(n_timesteps, window_length, stride):
    """First sample of every window of a series of ``n_timesteps >= window_length``."""
    last = n_timesteps - window_length
    starts = np.arange(0, last + 1, stride, dtype=np.intp)
    if starts[-1] != last:
        starts = np.append(starts, np.intp(last))
    return starts


def pad_to_window(X3, window_length):
    """Extend series shorter than a window by reflection, centred.

    Returns the (possibly new) array and the number of samples added on the left,
    where the original series starts.
    """
    missing = window_length - X3.shape[1]
    if missing <= 0:
        return X3, 0
    left = missing // 2
    return reflect_pad(X3, left, missing - left), left


def extract_windows(X3, series, starts, window_length):
    """Copy the windows ``X3[series[i], starts[i]:starts[i] + window_length]``.

    Through a view of every window (no index array as large as the windows).
    """
    view = np.lib.stride_tricks.sliding_window_view(X3, window_length, axis=1)
    # (n_series, n_starts, n_channels, window_length) -> (k, window, channels)
    return np.ascontiguousarray(np.moveaxis(view[series, starts], -1, 1))


class WindowLayout:
    """Where the windows of a batch of equally long series lie.

    Parameters
    ----------
    n_series : int
        Number of series.
    n_timesteps : int
        Length of the series, at least ``window_length`` (pad shorter ones).
    window_length, stride : int
        Window length and the distance between window starts.
    weights : ndarray of shape (window_length,)
        Overlap-add taper.
    """

    def __init__(self, n_series, n_timesteps, window_length, stride, weights):
        self.n_series = n_series
        self.n_timesteps = n_timesteps
        self.window_length = window_length
        self.starts = window_starts(n_timesteps, window_length, stride)
        self.weights = weights

    @property
    def windows_per_series(self):
        return len(self.starts)

    @property
    def n_windows(self):
        return self.n_series * len(self.starts)

    def chunks(self, chunk_windows):
        """Yield ``(rows, series, starts)`` of at most ``chunk_windows`` windows.

        ``rows`` numbers the windows series after series, as they are stacked.
        """
        per_series = len(self.starts)
        for begin in range(0, self.n_windows, chunk_windows):
            rows = np.arange(begin, min(begin + chunk_windows, self.n_windows))
            yield rows, rows // per_series, self.starts[rows % per_series]

    def weight_sum(self, chunk_windows):
        """Summed taper weights at every timestep, shape ``(n_timesteps,)``."""
        total = np.zeros(self.n_timesteps)
        offsets = np.arange(self.window_length)
        for begin in range(0, len(self.starts), chunk_windows):
            starts = self.starts[begin : begin + chunk_windows]
            lo = int(starts[0])
            flat = (starts[:, np.newaxis] - lo + offsets).ravel()
            weights = np.broadcast_to(self.weights, (len(starts), self.window_length))
            part = np.bincount(flat, weights=weights.ravel())
            total[lo : lo + len(part)] += part
        return total

    def accumulate(self, out, series, starts, windows):
        """Add ``weights * windows`` into ``out`` (float64, 3-D) at their places.

        Overlapping windows of one chunk are summed with ``np.bincount`` over the
        flat positions they cover, so the cost is linear in the chunk's size.
        """
        n_timesteps, n_channels = out.shape[1:]
        flat = (
            series[:, np.newaxis] * n_timesteps
            + starts[:, np.newaxis]
            + np.arange(self.window_length)
        )
        lo = int(flat[0, 0])
        flat = (flat - lo).ravel()
        weighted = windows * self.weights[:, np.newaxis]
        out_flat = out.reshape(-1, n_channels)
        for channel in range(n_channels):
            part = np.bincount(flat, weights=weighted[:, :, channel].ravel())
            out_flat[lo : lo + len(part), channel] += part


def default_chunk_windows(window_length, n_channels):
    """Windows per chunk so that a chunk holds about 2**17 values."""
    return max(1, _DEFAULT_CHUNK_VALUES // (window_length * n_channels))
