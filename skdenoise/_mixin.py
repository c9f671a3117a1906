"""Behaviour shared by every denoiser, learned or classical (no heavy imports)."""

import warnings

import numpy as np

from ._validation import check_series, check_target
from .exceptions import TargetIgnoredWarning
from .metrics import snr

__all__ = ["DenoiserMixin"]


class DenoiserMixin:
    """Mixin giving a denoiser its ``score`` (SNR in dB) and target handling.

    ``score(X, y)`` denoises ``X`` and returns the mean SNR in dB of the result
    against the clean series ``y``, so that ``GridSearchCV``'s default scoring
    is SNR.
    """

    def score(self, X, y, sample_weight=None):
        """Mean SNR in dB of ``transform(X)`` against the clean series ``y``.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps[, n_channels])
            Noisy series.
        y : array-like of the same shape
            Clean series.
        sample_weight : array-like of shape (n_series,), default=None
            Weights of the series in the mean.

        Returns
        -------
        float
            Mean (or weighted mean) SNR of the denoised series, in dB.
        """
        estimate = self.transform(X)
        X_checked = check_series(X, estimator=self)
        y = check_target(y, X_checked, estimator=self)
        values = snr(y, np.asarray(estimate).reshape(y.shape), per_series=True)
        if sample_weight is None:
            return float(np.mean(values))
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != values.shape:
            raise ValueError(
                f"sample_weight must have shape ({values.shape[0]},); got "
                f"{sample_weight.shape}."
            )
        return float(np.average(values, weights=sample_weight))

    def _check_fit_target(self, y, X):
        """Validate ``y`` for ``fit``: the clean series, or None.

        A 1-D ``y`` with one value per series (class labels, as scikit-learn's
        generic tools pass) cannot be a clean target; it is ignored with a
        :class:`~skdenoise.exceptions.TargetIgnoredWarning`. Any other ``y``
        must have ``X``'s shape.
        """
        if y is None:
            return None
        if not hasattr(y, "ndim"):
            y = np.asarray(y)
        if y.ndim == 1 and len(y) == X.shape[0]:
            warnings.warn(
                f"{type(self).__name__}.fit got y of shape ({len(y)},), one value "
                "per series, which cannot be a clean target; it is ignored and X "
                "is used as described for fit(X). Pass y with X's shape "
                f"{tuple(X.shape)} to train on (noisy, clean) pairs.",
                TargetIgnoredWarning,
                stacklevel=3,
            )
            return None
        return check_target(y, X, estimator=self)
