"""Cut long recordings into fixed-length windows."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import check_positive_int, is_wfdb_record, refuse_masked
from .._warnings import warn_at_caller
from ..windowing._layout import window_starts

__all__ = ["make_windows"]


def _check_length(value, name):
    return check_positive_int(value, name)


def _numbers_of_frame(recording):
    """``np.asarray``; a pandas frame of nullable numbers (``Float64``) as floats.

    Its ``np.asarray`` is an object array, refused as not numbers; a missing
    value (``pd.NA``) becomes NaN, which the windows' users name.
    """
    array = np.asarray(recording)
    if array.dtype == object and type(recording).__name__ == "DataFrame":
        kinds = {getattr(dtype, "kind", "O") for dtype in recording.dtypes}
        if kinds <= set("biuf"):
            return recording.to_numpy(dtype=np.float64, na_value=np.nan)
    return array


def _as_recording(recording, index):
    where = "signal" if index is None else f"signal[{index}]"
    recording = refuse_masked(recording, where, ("sample", "channel"))
    try:
        array = _numbers_of_frame(recording)
    except ValueError as exc:
        raise ValueError(f"{where} is not a regular array: {exc}") from None
    # Real numbers only: complex values and time deltas (an integer kind to
    # NumPy) would be refused only later, by the estimators' checks.
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where} must hold real numbers; got dtype {array.dtype}.")
    if array.ndim not in (1, 2):
        raise ValueError(
            f"{where} must have shape (n_samples,) or (n_samples, n_channels); got "
            f"shape {array.shape}."
        )
    if array.ndim == 2 and array.shape[1] == 0:
        raise ValueError(f"{where} has shape {array.shape}: no channels.")
    return array


def _is_sequence(item):
    """Whether ``item`` has at least one dimension (a ragged one counts)."""
    try:
        return np.ndim(item) >= 1
    except ValueError:  # ragged: _as_recording names it
        return True


def make_windows(
    signal, window_length, stride=None, *, drop_last=True, remove_mean=False
):
    """Cut one or several recordings into windows of ``window_length`` samples.

    Parameters
    ----------
    signal : array-like or list of array-like
        One recording of shape ``(n_samples,)`` or ``(n_samples, n_channels)``,
        or a list (or tuple) of such recordings, which may differ in length but
        must agree in their number of channels. A window never spans two
        recordings. A list whose items are sequences is read as several
        recordings; pass a single two-dimensional recording as an array.
    window_length : int
        Samples per window.
    stride : int or None, default=None
        Samples between the starts of consecutive windows; None means
        ``window_length`` (non-overlapping windows).
    drop_last : bool, default=True
        Drop the samples at the end of a recording that do not fill a window.
        When False, one more window is added per recording, ending at its last
        sample (it overlaps the previous one), so that with ``stride <=
        window_length`` every sample is covered (a larger stride skips the
        samples between windows by design).
    remove_mean : bool, default=False
        Subtract each window's mean (per channel).

    Returns
    -------
    windows : ndarray of shape (n_windows, window_length) or (n_windows, \
window_length, n_channels)
        A new array (never a view of ``signal``), 2-D for one-dimensional
        recordings. Windows are in order of recording, then of start.

    Raises
    ------
    ValueError
        If a recording is shorter than ``window_length``, has the wrong number
        of dimensions or channels, or the list of recordings is empty.
    TypeError
        If a recording does not hold numbers, or ``drop_last`` or
        ``remove_mean`` is not a bool.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.datasets import make_windows
    >>> make_windows(np.arange(10), 4)
    array([[0, 1, 2, 3],
           [4, 5, 6, 7]])
    >>> make_windows(np.arange(10), 4, stride=3, drop_last=False)
    array([[0, 1, 2, 3],
           [3, 4, 5, 6],
           [6, 7, 8, 9]])
    >>> make_windows([np.zeros((5, 2)), np.ones((9, 2))], 4).shape
    (3, 4, 2)
    """
    window_length = _check_length(window_length, "window_length")
    stride = window_length if stride is None else _check_length(stride, "stride")
    for name, value in (("drop_last", drop_last), ("remove_mean", remove_mean)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; got {value!r}.")
    if isinstance(signal, (list, tuple)) and len(signal) == 0:
        raise ValueError("signal is an empty list; expected at least one recording.")
    several = isinstance(signal, list) or (
        isinstance(signal, tuple) and not is_wfdb_record(signal)
    )
    records = signal if several else [signal]
    if any(is_wfdb_record(r) for r in records):
        raise TypeError(
            "signal is a WFDBRecord; pass its samples, record.signal (time first, "
            "as make_windows takes a recording)."
        )
    many = isinstance(signal, (list, tuple)) and any(
        _is_sequence(item) for item in signal
    )
    if many:
        recordings = [_as_recording(item, i) for i, item in enumerate(signal)]
    else:
        recordings = [_as_recording(signal, None)]
    ndim = recordings[0].ndim
    n_channels = 1 if ndim == 1 else recordings[0].shape[1]
    pieces = []
    for index, recording in enumerate(recordings):
        where = "signal" if not many else f"signal[{index}]"
        if recording.ndim != ndim or (ndim == 2 and recording.shape[1] != n_channels):
            raise ValueError(
                f"{where} has shape {recording.shape}, but the first recording has "
                f"shape {recordings[0].shape}; all need the same number of channels."
            )
        if recording.shape[0] < window_length:
            transposed = (
                ndim == 2 and recording.shape[1] >= window_length > recording.shape[0]
            )
            raise ValueError(
                f"{where} has {recording.shape[0]} samples, fewer than "
                f"window_length={window_length}."
                + (
                    f" A 2-D array is one recording of shape (n_samples, "
                    f"n_channels), time first; for {recording.shape[0]} series of "
                    f"{recording.shape[1]} samples pass list({where})."
                    if transposed
                    else ""
                )
            )
        if ndim == 2 and n_channels > recording.shape[0]:
            warn_at_caller(
                f"{where} has shape {recording.shape}: it is read as one recording "
                f"of {recording.shape[0]} samples and {n_channels} channels (a 2-D "
                "array is (n_samples, n_channels), time first). If it holds "
                f"{recording.shape[0]} series of {n_channels} samples, pass "
                f"list({where}) instead.",
                UserWarning,
            )
        starts = window_starts(recording.shape[0], window_length, stride)
        if drop_last and len(starts) > 1 and (starts[-1] - starts[-2]) != stride:
            starts = starts[:-1]
        view = sliding_window_view(recording, window_length, axis=0)[starts]
        pieces.append(view if ndim == 1 else np.swapaxes(view, 1, 2))
    windows = np.concatenate(pieces, axis=0)
    if remove_mean:
        windows = windows - windows.mean(axis=1, keepdims=True)
    return windows
