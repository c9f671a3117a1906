"""Tuning without clean data: the self-supervised (J-invariant) score.

For a denoiser ``f`` and a set of samples ``J``, the J-invariant version
``f_J`` predicts the samples of ``J`` without looking at them: they are hidden
(replaced by the interpolation of their visible neighbours) before ``f`` runs.
When the noise is zero-mean, independent of the signal and independent across
the hidden span, the error of ``f_J`` against the *noisy* series equals its
error against the *clean* series plus the noise power (Batson & Royer,
Noise2Self, 2019)::

    E |f_J(x) - x|^2 = E |f_J(x) - s|^2 + E |x - s|^2

The second term does not depend on the denoiser, so ranking denoisers by the
self-supervised loss ranks them by their true error, without a clean
reference. This is what scikit-image's ``calibrate_denoiser`` does for images;
here it is a scorer for :class:`~sklearn.model_selection.GridSearchCV`.

Importing this module does not import TensorFlow.
"""

import numbers

import numpy as np
from sklearn.utils._set_output import ADAPTERS_MANAGER

from ._masking import grid_masks, interpolate_masked
from ._validation import (
    as_rectangular,
    check_real_numbers,
    refuse_masked,
    transform_as_arrays,
)

__all__ = ["SelfSupervisedScorer", "self_supervised_scorer", "j_invariant_transform"]


def _check_mask_settings(mask_width, stride, n_timesteps):
    if (
        isinstance(mask_width, bool)
        or not isinstance(mask_width, numbers.Integral)
        or mask_width < 1
    ):
        raise ValueError(f"mask_width must be an int >= 1; got {mask_width!r}.")
    if stride is None:
        stride = max(4, 2 * int(mask_width))
    if (
        isinstance(stride, bool)
        or not isinstance(stride, numbers.Integral)
        or stride <= mask_width
    ):
        raise ValueError(
            f"stride must be an int greater than mask_width={mask_width} (the "
            f"spans hidden together must leave visible samples between them); "
            f"got {stride!r}."
        )
    if n_timesteps < 2 * stride:
        raise ValueError(
            f"The series have {n_timesteps} timesteps; the self-supervised score "
            f"with stride={stride} needs at least {2 * stride}."
        )
    return int(mask_width), int(stride)


def _as_series(X):
    X = refuse_masked(X, "X")
    X = as_rectangular(X, "X", "the self-supervised score takes series of one length.")
    if X.ndim not in (1, 2, 3):
        raise ValueError(
            "X must be one series (n_timesteps,), a batch (n_series, n_timesteps) "
            f"or (n_series, n_timesteps, n_channels); got an array of shape {X.shape}."
        )
    if (X.ndim > 1 and X.shape[0] == 0) or (X.ndim == 3 and X.shape[2] == 0):
        raise ValueError(
            "X must hold at least one series with one channel; got an array of "
            f"shape {X.shape}."
        )
    # As the denoisers' checks: bool and numbers in object arrays are taken;
    # complex values, text and dates are not.
    check_real_numbers(X, "X")
    if X.dtype == object:
        # pd.NA and None are missing values: named as NaN below, not as
        # values that are not numbers.
        X = np.where(np.frompyfunc(_is_missing, 1, 1)(X).astype(bool), np.nan, X)
    try:
        X3 = X.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"X must hold real numbers; got an array of dtype {X.dtype} holding "
            "values that are not."
        ) from None
    if not np.all(np.isfinite(X3)):
        bad = np.argwhere(~np.isfinite(X3))[0]
        axes = ("series", "timestep", "channel")[: X3.ndim]
        if X3.ndim == 1:
            axes = ("timestep",)
        where = ", ".join(f"{axis} {int(i)}" for axis, i in zip(axes, bad, strict=True))
        raise ValueError(
            f"X must hold finite numbers; it holds {int((~np.isfinite(X3)).sum())} "
            f"NaN, missing or infinite value(s), the first at {where}."
        )
    if X.ndim == 1:
        X3 = X3[np.newaxis, :, np.newaxis]
    elif X.ndim == 2:
        X3 = X3[:, :, np.newaxis]
    return X, X3


def _in_container_of(raw, array):
    """``array`` in the DataFrame type of ``raw`` (its columns and index), if any.

    An estimator fitted on a DataFrame checks the column names of what it
    transforms, and warns about an array at every call.
    """
    if getattr(raw, "columns", None) is None or array.ndim != 2:
        return array
    adapter = ADAPTERS_MANAGER.adapters.get(type(raw).__module__.split(".")[0])
    if adapter is None or not adapter.is_supported_container(raw):
        return array
    return adapter.create_container(array, raw, raw.columns, inplace=False)


def _phases(estimator, X, mask_width, stride):
    """Yield ``(centres, output3, X3)`` per phase: ``f`` on the masked ``X``."""
    if not callable(getattr(estimator, "transform", None)):
        raise TypeError(
            "estimator must be a fitted denoiser with a transform(X) method; got "
            f"{type(estimator).__name__}."
        )
    raw = X
    X, X3 = _as_series(X)
    mask_width, stride = _check_mask_settings(mask_width, stride, X3.shape[1])
    for hidden, centres in grid_masks(X3.shape[1], mask_width, stride):
        masked = interpolate_masked(
            X3, np.broadcast_to(hidden[None, :, None], X3.shape)
        )
        # The estimator gets X's layout (a single series as a batch of one),
        # a DataFrame's columns and a floating dtype: float32 stays, integers
        # would truncate the interpolated spans.
        layout = (1, X.shape[0]) if X.ndim == 1 else X.shape
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        masked = _in_container_of(raw, masked.reshape(layout).astype(dtype, copy=False))
        output = np.asarray(
            transform_as_arrays(estimator, masked, steps_fitted_on_tables=True),
            dtype=np.float64,
        )
        # The shape it was given, or that shape with a channel axis (one
        # series or a 2-D batch as (n_series, n_timesteps, 1)); a transposed
        # or reshaped output of the same size would be scored misaligned.
        if output.shape not in (tuple(layout), X3.shape):
            raise ValueError(
                f"{type(estimator).__name__}.transform returned an array of shape "
                f"{output.shape} for series of shape {tuple(layout)}; a denoiser "
                "must keep the shape."
            )
        yield centres, output.reshape(X3.shape), X3


def j_invariant_transform(estimator, X, *, mask_width=1, stride=None):
    """The J-invariant version of a fitted denoiser's ``transform``.

    The sample grid is split into ``stride`` phases; for each phase the spans
    of ``mask_width`` samples centred on its samples are hidden (replaced by
    the interpolation of their visible neighbours), the series are denoised,
    and only the output at the phase's centres is kept. Every output sample
    is thus predicted without its own input value: ``stride`` calls of
    ``transform``.

    Parameters
    ----------
    estimator : fitted denoiser
        Any object with ``transform(X)`` returning X's shape.
    X : array-like of shape (n_timesteps,), (n_series, n_timesteps) or \
(n_series, n_timesteps, n_channels)
        Noisy series.
    mask_width : int, default=1
        Width of each hidden span (wider for noise correlated over a few
        samples). An odd width hides a span centred on the sample; an even
        one hides one more sample before it than after it, so it only covers
        noise correlated over ``(mask_width - 1) // 2`` samples: prefer odd
        widths.
    stride : int or None, default=None
        Distance between the centres of the spans hidden together, and number
        of phases; must exceed ``mask_width``. None: ``max(4, 2 * mask_width)``.

    Returns
    -------
    ndarray of float64, same shape as X
        The J-invariant denoised series.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import SavitzkyGolayDenoiser
    >>> from skdenoise.model_selection import j_invariant_transform
    >>> X = np.random.default_rng(0).normal(size=(2, 64))
    >>> j_invariant_transform(SavitzkyGolayDenoiser().fit(X), X).shape
    (2, 64)
    """
    out = None
    try:
        shape = np.shape(X)
    except ValueError:
        # Series of different lengths: _phases names them.
        shape = None
    for centres, output, X3 in _phases(estimator, X, mask_width, stride):
        if out is None:
            out = np.empty_like(X3)
        out[:, centres] = output[:, centres]
    return out.reshape(shape)


class SelfSupervisedScorer:
    """Scorer that needs no clean reference: minus the J-invariant loss.

    ``scorer(estimator, X, y=None)`` hides a regular grid of spans of ``X``
    (``stride`` phases, see :func:`j_invariant_transform`), denoises, and
    measures the mean squared error between the output and the *noisy* ``X``
    at the hidden centres only (one mean over all of them: each sample is a
    centre once). It returns minus
    that error (greater is better), so it plugs into
    ``GridSearchCV(scoring=...)`` and ``cross_val_score``; ``y`` is ignored.

    The score ranks denoisers like their true mean squared error against the
    clean signal when the noise is zero-mean, independent of the signal and
    independent across more than ``(mask_width - 1) // 2`` samples (white
    noise: the default ``mask_width=1``; odd widths are centred, an even one
    covers no more than the odd width below it). It is then the true error of
    the J-invariant version of each denoiser plus the noise power. It cannot
    rank denoisers on noise correlated over longer spans than the mask
    (baseline wander, electrode motion): a denoiser that keeps such noise looks
    good. It scores a
    denoiser's J-invariant version, which is close to the denoiser itself for
    smooth filters and for networks trained with ``training="blind_spot"``,
    but not for a denoiser that relies on the centre sample (a short
    median filter, a network trained on clean targets at high SNR).

    Parameters
    ----------
    mask_width : int, default=1
        Width of each hidden span.
    stride : int or None, default=None
        Distance between spans hidden together and number of ``transform``
        calls per score. None: ``max(4, 2 * mask_width)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdenoise.baselines import SavitzkyGolayDenoiser
    >>> from skdenoise.model_selection import self_supervised_scorer
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 128)
    >>> X = np.sin(2 * np.pi * 3 * t) + 0.5 * rng.normal(size=(20, 128))
    >>> grid = {"window_length": [5, 31]}
    >>> search = GridSearchCV(SavitzkyGolayDenoiser(polyorder=2), grid,
    ...                       scoring=self_supervised_scorer, cv=2).fit(X)
    >>> search.best_params_
    {'window_length': 31}
    """

    def __init__(self, mask_width=1, stride=None):
        self.mask_width = mask_width
        self.stride = stride

    def loss(self, estimator, X):
        """The self-supervised loss: mean squared error at the hidden spans' centres.

        Parameters
        ----------
        estimator : estimator
            A fitted denoiser with ``transform``.
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series.

        Returns
        -------
        loss : float
            The mean, over the centres of the hidden spans of every phase
            (each sample once), of the squared difference between the output
            and ``X``; the scorer returns minus this.
        """
        total, count = 0.0, 0
        for centres, output, X3 in _phases(estimator, X, self.mask_width, self.stride):
            total += float(np.sum((output[:, centres] - X3[:, centres]) ** 2))
            count += output[:, centres].size
        return total / count

    def __call__(self, estimator, X, y=None):
        """Minus the self-supervised loss of ``estimator`` on ``X`` (y ignored)."""
        return -self.loss(estimator, X)

    def __repr__(self):
        return (
            f"SelfSupervisedScorer(mask_width={self.mask_width}, stride={self.stride})"
        )


#: The self-supervised scorer with its defaults (one-sample spans, stride 4).
self_supervised_scorer = SelfSupervisedScorer()


def _is_missing(value):
    """Whether an element of an object array is a missing value (None, pd.NA)."""
    return value is None or type(value).__name__ in ("NAType", "NaTType")
