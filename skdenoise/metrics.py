"""Quality metrics for denoised series, and scorers for model selection.

Every metric compares a batch of clean series with a batch of estimates of the
same shape: ``(n_series, n_timesteps)``, ``(n_series, n_timesteps, n_channels)``
or a single 1-D series. It is computed per series (over all timesteps and
channels of that series) and averaged over series, unless ``per_series=True``.

Definitions, with ``x`` the clean series and ``x_hat`` the estimate:

- ``snr``: ``10 log10(sum(x**2) / sum((x - x_hat)**2))`` in dB;
- ``snr_improvement``: ``snr(x, x_hat) - snr(x, noisy)`` in dB;
- ``rmse``: ``sqrt(mean((x - x_hat)**2))``;
- ``prd``: ``100 sqrt(sum((x - x_hat)**2) / sum(x**2))`` in %;
- ``ssd``: ``sum((x - x_hat)**2)``;
- ``mad``: ``max |x - x_hat|``;
- ``cosine_similarity``: ``sum(x x_hat) / (||x|| ||x_hat||)``.
"""

import numpy as np

from ._series import power_of_two_scale
from ._validation import (
    as_real_float64,
    as_rectangular,
    check_real_numbers,
    check_series,
    check_target,
    no_clean_series_advice,
    refuse_masked,
    transform_as_arrays,
)

__all__ = [
    "snr",
    "snr_improvement",
    "rmse",
    "prd",
    "ssd",
    "mad",
    "cosine_similarity",
    "snr_scorer",
    "snr_improvement_scorer",
    "SCORE_RESOLUTION_DB",
    "METRICS",
]


def _pair(clean, estimate, names=("clean", "estimate")):
    arrays = []
    for name, arr in zip(names, (clean, estimate), strict=True):
        arr = refuse_masked(arr, name)
        arr = as_rectangular(
            arr,
            name,
            "the metrics compare series of one length (cut or pad them first).",
        )
        if np.iscomplexobj(arr):
            raise ValueError(
                f"{name} holds complex values; the metrics compare real series "
                "(take the real part, or the magnitude, first)."
            )
        if arr.ndim > 3:
            raise ValueError(
                f"{name} must be one series, (n_series, n_timesteps) or (n_series, "
                f"n_timesteps, n_channels); got {arr.ndim} dimensions {arr.shape}."
            )
        if arr.dtype.kind == "m":
            raise ValueError(
                f"{name} holds time differences ({arr.dtype}); the metrics "
                "compare the series' values, not their times."
            )
        if arr.dtype.kind in "USVM" or (arr.ndim == 0 and arr.item() is None):
            got = "None" if arr.dtype == object else f"an array of dtype {arr.dtype}"
            raise ValueError(f"{name} must hold numbers; got {got}.")
        # Numbers written as text (an object array, a frame of strings).
        check_real_numbers(arr, name)
        try:
            arr = np.asarray(arr, dtype=np.float64)
        except (TypeError, ValueError):
            arr = _missing_as_nan(arr)
            if arr is None:
                raise ValueError(
                    f"{name} must hold numbers; it holds values that are not."
                ) from None
        arrays.append(arr)
    clean, estimate = arrays
    if clean.shape != estimate.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape; got "
            f"{clean.shape} and {estimate.shape}."
        )
    if clean.ndim == 0 or clean.size == 0:
        raise ValueError(f"{names[0]} must hold at least one series with one sample.")
    if clean.ndim == 1:
        clean, estimate = clean[np.newaxis], estimate[np.newaxis]
    if clean.ndim == 2 and clean.shape[1] == 1 and clean.shape[0] > 1:
        # A recording held as a column: series of one sample each, whose SNR
        # is infinite or -inf and whose RMSE is the mean absolute error.
        raise ValueError(
            f"{names[0]} and {names[1]} must have shape (n_series, n_timesteps): "
            f"their {clean.shape[0]} rows are read as series of 1 timestep. A "
            "single series held as a column must be turned into a row: .T or "
            ".reshape(1, -1)."
        )
    for name, arr in zip(names, (clean, estimate), strict=True):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinite values.")
    n = clean.shape[0]
    return clean.reshape(n, -1), estimate.reshape(n, -1)


def _missing_as_nan(arr):
    """An object array with pandas' missing value (``pd.NA``) as NaN.

    None when it holds other values that are not numbers. NaN is then named as
    NaN, as it is in a float array (a nullable ``Float64`` frame with a gap).
    """
    if arr.dtype != object:
        return None
    values = [
        np.nan if type(value).__name__ == "NAType" else value for value in arr.ravel()
    ]
    try:
        return np.asarray(values, dtype=np.float64).reshape(arr.shape)
    except (TypeError, ValueError):
        return None


def _check_per_series(per_series):
    if not isinstance(per_series, (bool, np.bool_)):
        # A string such as "False" is true: it would return the array.
        raise TypeError(f"per_series must be True or False; got {per_series!r}.")


def _reduce(values, per_series):
    _check_per_series(per_series)
    return values if per_series else float(np.mean(values))


def _scaled(*arrays):
    """The arrays divided by one power of two per series, and that power, ``(n, 1)``.

    Exact, and it keeps the squares of values near 1e170 (or 1e-170) from
    overflowing (or underflowing) in the energies. Series whose largest
    magnitude lies between ``2**-100`` and ``2**100`` are returned as they are
    (unit 1), which is exact too, but for errors below about ``2**-437`` of
    the peak.
    """
    # The largest magnitude of each series over all the arrays, without an
    # array of absolute values (nor the (len(arrays), n, T) stack of them).
    peak = np.maximum.reduce(
        [
            np.maximum(a.max(axis=1, keepdims=True), -a.min(axis=1, keepdims=True))
            for a in arrays
        ]
    )
    if np.all((peak == 0) | ((peak >= _SAFE_LOW) & (peak <= _SAFE_HIGH))):
        # Squares and their sums are far from overflow and underflow: the
        # arrays as they are (a division by a power of two is exact anyway,
        # but costs a copy of every array and 1.5 times the time).
        return (*arrays, np.ones(peak.shape))
    unit = power_of_two_scale(peak)
    return (*(a / unit for a in arrays), unit)


# Series whose largest magnitude lies in this range are not scaled: squares of
# their errors underflow only below 2**-437 of the peak (the scaled series'
# below 2**-537), far past any resolution of a recording.
_SAFE_LOW, _SAFE_HIGH = 2.0**-100, 2.0**100


def _energies(clean, estimate):
    """Signal and error energies per series, on the scaled series."""
    clean, estimate, _ = _scaled(clean, estimate)
    return np.sum(clean**2, axis=1), np.sum((clean - estimate) ** 2, axis=1)


def _power_ratio_db(signal_energy, error_energy):
    with np.errstate(divide="ignore", invalid="ignore"):
        values = 10.0 * (np.log10(signal_energy) - np.log10(error_energy))
    # A perfect estimate is infinitely good, even of an all-zero series.
    return np.where(error_energy == 0, np.inf, values)


def snr(clean, estimate, *, per_series=False):
    """Signal-to-noise ratio of an estimate against the clean series, in dB.

    Parameters
    ----------
    clean : array-like of shape (n_series, n_timesteps[, n_channels]) or \
(n_timesteps,)
        Clean reference series.
    estimate : array-like of the same shape
        Denoised (or noisy) series.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)
        ``10 log10(sum(clean**2) / sum((clean - estimate)**2))``; ``inf`` for a
        perfect estimate.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.metrics import snr
    >>> clean = np.ones((1, 100))
    >>> round(snr(clean, clean + 0.1), 2)
    20.0
    """
    clean, estimate = _pair(clean, estimate)
    values = _power_ratio_db(*_energies(clean, estimate))
    return _reduce(values, per_series)


def snr_improvement(clean, noisy, estimate, *, per_series=False):
    """Gain in SNR of the estimate over the noisy input, in dB.

    Parameters
    ----------
    clean : array-like
        Clean reference series.
    noisy : array-like of the same shape
        Noisy input that was denoised.
    estimate : array-like of the same shape
        Denoised series.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)
        ``snr(clean, estimate) - snr(clean, noisy)``, computed as
        ``10 log10(sum((clean - noisy)**2) / sum((clean - estimate)**2))``, so
        that it is defined for a clean series of zeros too; ``inf`` for a
        perfect estimate, and 0 when ``noisy`` and ``estimate`` both equal
        ``clean``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.metrics import snr_improvement
    >>> clean = np.ones((1, 100))
    >>> round(snr_improvement(clean, clean + 0.1, clean + 0.01), 2)
    20.0
    """
    _, noisy = _pair(clean, noisy, ("clean", "noisy"))
    clean, estimate = _pair(clean, estimate)
    # 10 log10(sum((clean - noisy)**2) / sum((clean - estimate)**2)), on the
    # series divided by one power of two: the difference of the two SNRs is
    # inf - inf (NaN, with a RuntimeWarning) when clean is all zeros.
    clean, noisy, estimate, _ = _scaled(clean, noisy, estimate)
    noise_energy = np.sum((clean - noisy) ** 2, axis=1)
    error_energy = np.sum((clean - estimate) ** 2, axis=1)
    out = _power_ratio_db(noise_energy, error_energy)
    # A perfect estimate of a noise-free input changes nothing.
    out = np.where((noise_energy == 0) & (error_energy == 0), 0.0, out)
    _check_per_series(per_series)
    if not per_series:
        # Noise-free series the estimate made worse at all (a float32 round
        # trip too): each a loss against no noise at all (those left exactly
        # as they are count 0).
        noise_free = _noise_free(np.sum(clean**2, axis=1), noise_energy)
        changed = noise_free & (out < 0.0)
        if changed.any():
            index = np.flatnonzero(changed)
            from ._warnings import warn_at_caller

            warn_at_caller(
                f"snr_improvement: {_count_and_index(index)} of noisy equal their "
                "clean series (no noise to remove), and the estimate changed "
                "them: each counts as a loss against no noise at all (-inf, or a "
                "large finite loss where rounding left a trace of noise), which "
                "outweighs the other series in the mean. Leave them out, or "
                "measure what a denoiser does to clean inputs with snr().",
                UserWarning,
            )
    return _reduce(out, per_series)


def _noise_free(clean_energy, noise_energy):
    """Mask of the series whose input holds no noise, up to the resolution.

    Noise under SCORE_RESOLUTION_DB below the clean series' energy (rounding
    left by a subtraction, say) counts as none; a series of zeros, clean and
    noisy alike, has none.
    """
    size = np.where(clean_energy > 0, clean_energy, noise_energy)
    return noise_energy <= size * 10 ** (-SCORE_RESOLUTION_DB / 10)


def _count_and_index(index):
    """``"3 series (index 1, 4, 9)"``, the first five indices at most."""
    shown = ", ".join(map(str, index[:5])) + (", ..." if len(index) > 5 else "")
    return f"{len(index)} series (index {shown})"


def rmse(clean, estimate, *, per_series=False):
    """Root mean squared error, in the units of the series.

    Parameters
    ----------
    clean, estimate : array-like of the same shape
        Clean reference and estimate.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)

    Examples
    --------
    >>> from skdenoise.metrics import rmse
    >>> rmse([[0.0, 0.0]], [[3.0, 4.0]]) ** 2
    12.5
    """
    clean, estimate = _pair(clean, estimate)
    clean, estimate, unit = _scaled(clean, estimate)
    values = unit[:, 0] * np.sqrt(np.mean((clean - estimate) ** 2, axis=1))
    return _reduce(values, per_series)


def prd(clean, estimate, *, per_series=False):
    """Percentage root-mean-square difference, in %.

    Parameters
    ----------
    clean, estimate : array-like of the same shape
        Clean reference and estimate.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)
        ``100 sqrt(sum((clean - estimate)**2) / sum(clean**2))``.

    Examples
    --------
    >>> from skdenoise.metrics import prd
    >>> prd([[3.0, 4.0]], [[3.0, 4.5]])
    10.0
    """
    clean, estimate = _pair(clean, estimate)
    signal, error = _energies(clean, estimate)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = 100.0 * np.sqrt(error / signal)
    # A perfect estimate differs by 0 %, even of an all-zero series.
    return _reduce(np.where(error == 0, 0.0, values), per_series)


def ssd(clean, estimate, *, per_series=False):
    """Sum of squared differences.

    Parameters
    ----------
    clean, estimate : array-like of the same shape
        Clean reference and estimate.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)

    Examples
    --------
    >>> from skdenoise.metrics import ssd
    >>> ssd([[0.0, 0.0]], [[1.0, 2.0]])
    5.0
    """
    clean, estimate = _pair(clean, estimate)
    clean, estimate, unit = _scaled(clean, estimate)
    with np.errstate(over="ignore"):
        # One power of two at a time: exact, and it overflows only where the
        # sum itself does (unit ** 2 alone overflows from about 1e154).
        values = unit[:, 0] * np.sum((clean - estimate) ** 2, axis=1) * unit[:, 0]
    return _reduce(values, per_series)


def mad(clean, estimate, *, per_series=False):
    """Maximum absolute deviation between the estimate and the clean series.

    Parameters
    ----------
    clean, estimate : array-like of the same shape
        Clean reference and estimate.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)

    Examples
    --------
    >>> from skdenoise.metrics import mad
    >>> mad([[0.0, 0.0]], [[1.0, -2.0]])
    2.0
    """
    clean, estimate = _pair(clean, estimate)
    return _reduce(np.max(np.abs(clean - estimate), axis=1), per_series)


def cosine_similarity(clean, estimate, *, per_series=False):
    """Cosine similarity between the clean series and the estimate.

    Parameters
    ----------
    clean, estimate : array-like of the same shape
        Clean reference and estimate.
    per_series : bool, default=False
        Return one value per series instead of their mean.

    Returns
    -------
    float or ndarray of shape (n_series,)
        In [-1, 1]; NaN where either series is all zeros.

    Examples
    --------
    >>> from skdenoise.metrics import cosine_similarity
    >>> cosine_similarity([[1.0, 0.0]], [[2.0, 0.0]])
    1.0
    """
    clean, estimate = _pair(clean, estimate)
    clean, estimate, _ = _scaled(clean, estimate)
    norms = np.linalg.norm(clean, axis=1) * np.linalg.norm(estimate, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.sum(clean * estimate, axis=1) / norms
    # Rounding can take the ratio a few ulps past +-1 (-1.0000000000000002).
    return _reduce(np.clip(values, -1.0, 1.0), per_series)


#: The metrics comparing a clean series with an estimate, by name; each takes
#: ``(clean, estimate, *, per_series=False)``.
METRICS = {
    "snr": snr,
    "rmse": rmse,
    "prd": prd,
    "ssd": ssd,
    "mad": mad,
    "cosine_similarity": cosine_similarity,
}


#: The finest SNR the scorers tell apart, in dB: the resolution of single
#: precision (an error of float32's machine epsilon times the series' size),
#: in which the networks compute. A series denoised better than this (an exact
#: reconstruction, whose SNR is infinite) scores this much, so that one perfect
#: series does not make a mean infinite and leave a search unranked.
SCORE_RESOLUTION_DB = float(20 * np.log10(1 / np.finfo(np.float32).eps))


def _checked_series(*arrays):
    """Arrays the estimators checked, with a channel axis on 2-D ones.

    Series of one sample (shape ``(n, 1)``), which the estimators take, are
    then not refused as a recording held as a column.
    """
    arrays = [np.asarray(a) for a in arrays]
    return [a[..., np.newaxis] if a.ndim == 2 else a for a in arrays]


def _scored_snr(clean, estimate):
    """Per-series SNR (dB) of the scorers: ``snr`` up to SCORE_RESOLUTION_DB."""
    clean, estimate = _checked_series(clean, estimate)
    return np.minimum(snr(clean, estimate, per_series=True), SCORE_RESOLUTION_DB)


def _scored_snr_improvement(clean, noisy, estimate):
    """Per-series SNR improvement (dB) of the scorers, and the noise-free mask.

    As :func:`snr_improvement`, with the noise and error energies counted at
    least at SCORE_RESOLUTION_DB below the clean series' energy (the noise's,
    for a clean series of zeros): the difference of the two SNRs, each at most
    SCORE_RESOLUTION_DB. An exact estimate gains that resolution less the
    input's SNR. Series whose input holds no noise (:func:`_noise_free`) have
    no improvement to measure: the scorer leaves them out.
    """
    clean, noisy, estimate = _checked_series(clean, noisy, estimate)
    _, noisy = _pair(clean, noisy, ("clean", "noisy"))
    clean, estimate = _pair(clean, estimate)
    clean, noisy, estimate, _ = _scaled(clean, noisy, estimate)
    clean_energy = np.sum(clean**2, axis=1)
    noise_energy = np.sum((clean - noisy) ** 2, axis=1)
    error_energy = np.sum((clean - estimate) ** 2, axis=1)
    size = np.where(clean_energy > 0, clean_energy, noise_energy)
    floor = size * 10 ** (-SCORE_RESOLUTION_DB / 10)
    # Noise and error both under the floor (a noise-free input left as it is):
    # nothing gained, nothing lost.
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = 10.0 * np.log10(
            np.maximum(noise_energy, floor) / np.maximum(error_energy, floor)
        )
    # A series of zeros, clean and noisy alike, has no size to measure against
    # (and no noise: the scorer leaves it out); kept finite all the same.
    silent = size == 0
    values = np.where(
        silent, np.where(error_energy == 0, 0.0, -SCORE_RESOLUTION_DB), gain
    )
    return values, _noise_free(clean_energy, noise_energy)


def _series_with_noise(noise_free, name):
    """Mask of the series whose input holds noise: those an improvement scores.

    A noise-free input has nothing to remove: any change to it would count as
    a loss of about SCORE_RESOLUTION_DB against no noise at all, and a few
    such windows (the clean stretches of a real record) would decide the
    ranking of a search. They are left out with a warning; a ValueError when
    every series is.
    """
    if noise_free.all():
        raise ValueError(
            f"{name}: every series of X equals its clean series in y (no noise): "
            "there is no SNR improvement to score. Score how much a denoiser "
            "changes clean inputs with snr_scorer."
        )
    if noise_free.any():
        from ._warnings import warn_at_caller

        warn_at_caller(
            f"{name}: {_count_and_index(np.flatnonzero(noise_free))} of X equal "
            "their clean series in y (no noise to remove) and have no SNR "
            "improvement; the score is the mean over the others (snr_scorer "
            "measures how much a denoiser changes clean inputs).",
            UserWarning,
        )
    return ~noise_free


def _series_with_snr(clean, name):
    """Mask of the clean series that have an SNR: those not all zeros.

    A clean series of zeros has no SNR (minus infinity for any estimate that
    is not exactly zero): one flat window would make every candidate of a
    search score -inf or NaN, and leave it unranked. It is left out of a
    score with a warning; a ValueError when every series is.
    """
    silent = ~np.any(clean.reshape(clean.shape[0], -1) != 0, axis=1)
    if silent.all():
        raise ValueError(
            f"{name}: every clean series in y is all zeros; no SNR can be scored "
            "against them."
        )
    if silent.any():
        index = np.flatnonzero(silent)
        from ._warnings import warn_at_caller

        # At the user's line, through a Pipeline's score or a search's scorer.
        warn_at_caller(
            f"{name}: {len(index)} clean series in y (index "
            f"{', '.join(map(str, index[:5]))}{', ...' if len(index) > 5 else ''}"
            ") are all zeros and have no SNR; the score is the mean over the "
            "others.",
            UserWarning,
        )
    return ~silent


def _weighted_mean(values, scored, sample_weight):
    """Mean of ``values[scored]``, weighted by ``sample_weight`` (None: plain)."""
    if sample_weight is None:
        return float(np.mean(values[scored]))
    hidden = []
    if np.ma.isMaskedArray(sample_weight):
        hidden = np.flatnonzero(np.ma.getmaskarray(sample_weight))
    elif isinstance(sample_weight, (list, tuple)):
        hidden = [i for i, w in enumerate(sample_weight) if w is np.ma.masked]
    if len(hidden):
        raise ValueError(
            f"sample_weight holds {len(hidden)} masked weight(s) (the first for "
            f"series {int(hidden[0])}); the values under the mask would be taken "
            "as weights. Give every series a weight (0 leaves a series out)."
        )
    try:
        np.shape(sample_weight)
    except ValueError as exc:
        if "inhomogeneous" not in str(exc):
            raise
        raise ValueError(
            "sample_weight must hold one number per series; it holds sequences "
            "of different lengths."
        ) from None
    sample_weight = as_real_float64(sample_weight, "sample_weight")
    if sample_weight.shape != values.shape:
        raise ValueError(
            f"sample_weight must have shape ({values.shape[0]},); got "
            f"{sample_weight.shape}."
        )
    if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    if not sample_weight.sum() > 0:
        raise ValueError(
            "sample_weight must not be all zero: the weighted mean SNR of no "
            "series is undefined."
        )
    if not sample_weight[scored].sum() > 0:
        raise ValueError(
            "sample_weight is zero on every series that can be scored (the "
            "others are named in a warning): the weighted mean of no series is "
            "undefined."
        )
    # A series of zero weight does not count, even where its SNR is infinite.
    counted = scored & (sample_weight > 0)
    return float(np.average(values[counted], weights=sample_weight[counted]))


# scikit-learn's sklearn.utils.metadata_routing.UNCHANGED, as its value.
_UNCHANGED = "$UNCHANGED$"


class _TransformScorer:
    """Scorer ``scorer(estimator, X, y)`` that denoises ``X`` with ``transform``.

    scikit-learn's ``make_scorer`` only calls ``predict``-like methods, so the
    denoising scorers are callables with the signature that
    ``GridSearchCV(scoring=...)`` and ``cross_val_score`` accept. Under
    scikit-learn's metadata routing, ``set_score_request(sample_weight=True)``
    returns a copy that receives ``sample_weight`` (the mean over the series
    is then weighted), as the scorers of ``make_scorer`` do.
    """

    def __init__(self, name, uses_input, sample_weight_request=None):
        self._name = name
        self._uses_input = uses_input
        self._sample_weight_request = sample_weight_request

    def set_score_request(self, *, sample_weight=_UNCHANGED):
        """A copy of the scorer that requests ``sample_weight`` (routing).

        Parameters
        ----------
        sample_weight : bool, None or str, default=UNCHANGED
            True: request it; False: do not; None: an error if it is passed;
            a str: request it under that name; scikit-learn's ``UNCHANGED``
            (the default): as this scorer requests it.

        Returns
        -------
        scorer : callable
            A new scorer (the module's own is left unchanged).
        """
        if sample_weight == _UNCHANGED:
            sample_weight = self._sample_weight_request
        if not (sample_weight is None or isinstance(sample_weight, (bool, str))):
            raise TypeError(
                "sample_weight must be True, False, None or a str alias; got "
                f"{sample_weight!r}."
            )
        return _TransformScorer(self._name, self._uses_input, sample_weight)

    def get_metadata_routing(self):
        """The metadata this scorer requests (scikit-learn's routing)."""
        from sklearn.utils.metadata_routing import MetadataRequest

        request = MetadataRequest(owner=self._name)
        request.score.add_request(
            param="sample_weight", alias=self._sample_weight_request
        )
        return request

    def __call__(self, estimator, X, y=None, sample_weight=None):
        # scikit-learn calls scorer(estimator, X) when a search is fitted
        # without y.
        if y is None:
            raise ValueError(
                f"{self._name} needs the clean series y to score the denoised X. "
                + no_clean_series_advice(estimator)
            )
        raw = X
        # As floats for the checks (X of dtype object too); the estimator
        # gets X as given.
        X = check_series(X)
        clean = check_target(y, X)
        # The estimator gets X as given: a DataFrame keeps its column names,
        # which an estimator fitted on one checks.
        # Under a global pandas output, ``with arrays_out()`` alone made every
        # score warn of missing feature names in a Pipeline's later steps.
        estimate = np.asarray(
            transform_as_arrays(estimator, raw, steps_fitted_on_tables=True)
        )
        if estimate.shape != X.shape:
            raise ValueError(
                f"{type(estimator).__name__}.transform returned shape "
                f"{estimate.shape} for X of shape {X.shape}; {self._name} needs "
                "the denoised series in X's shape."
            )
        if self._uses_input:
            # Defined for a clean series of zeros too (the noise's energy over
            # the error's); series without noise are left out.
            values, noise_free = _scored_snr_improvement(clean, X, estimate)
            scored = _series_with_noise(noise_free, self._name)
        else:
            values = _scored_snr(clean, estimate)
            scored = _series_with_snr(clean, self._name)
        return _weighted_mean(values, scored, sample_weight)

    def __repr__(self):
        if self._sample_weight_request is None:
            return self._name
        request = self._sample_weight_request
        return f"{self._name}.set_score_request(sample_weight={request!r})"

    def __reduce__(self):
        return (_scorer_by_name, (self._name, self._sample_weight_request))


def _scorer_by_name(name, sample_weight_request=None):
    scorers = {
        "snr_scorer": snr_scorer,
        "snr_improvement_scorer": snr_improvement_scorer,
    }
    scorer = scorers[name]
    if sample_weight_request is None:
        return scorer
    return scorer.set_score_request(sample_weight=sample_weight_request)


#: Scorer giving the mean SNR (dB) of ``estimator.transform(X)`` against ``y``.
#: Clean series that are all zeros (no SNR) are left out, with a warning. A
#: series denoised exactly scores :data:`SCORE_RESOLUTION_DB` (about 138.5 dB),
#: not infinity, so that the candidates of a search stay ranked.
snr_scorer = _TransformScorer("snr_scorer", uses_input=False)

#: Scorer giving the mean SNR improvement (dB) of ``estimator.transform(X)`` over
#: ``X``, with ``y`` the clean series. ``X`` must be in the units of ``y``. Clean
#: series of zeros are scored too (:func:`snr_improvement`). Noise
#: and error energies below :data:`SCORE_RESOLUTION_DB` under the series' size
#: count at that level, so every value is finite: the difference of the two
#: SNRs, each at most about 138.5 dB (an exact estimate gains that less the
#: input's SNR). Series of ``X`` that equal their clean series (no noise to
#: remove, as in the clean stretches of a real record) have no improvement:
#: they are left out, with a warning (a ValueError when every one is);
#: :data:`snr_scorer` measures how much a denoiser changes clean inputs.
snr_improvement_scorer = _TransformScorer("snr_improvement_scorer", uses_input=True)
