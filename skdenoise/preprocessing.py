"""Scaling every series by its own statistics."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._series import series_statistics
from ._validation import as_3d, as_input_dtype, check_series, restore_ndim
from .base import SeriesShapeMixin, check_output_container, series_tags

__all__ = ["SeriesScaler"]


class SeriesScaler(
    OneToOneFeatureMixin, SeriesShapeMixin, TransformerMixin, BaseEstimator
):
    """Scale every series (and channel) by its own statistics.

    Unlike scikit-learn's scalers, which learn one statistic per column
    (timestep) across series, this scaler centres and scales each series along
    time by statistics of its own: ``transform`` computes them for the series it
    is given and stores nothing, so it accepts any number of series of any
    length. ``fit`` records the statistics of the series it is fitted on
    (``center_`` and ``scale_``), and ``inverse_transform`` uses them to bring
    results computed from ``fit_transform(X)`` back to the units of ``X``.

    Parameters
    ----------
    method : {"standard", "robust", "minmax"}, default="standard"
        "standard" subtracts the mean and divides by the standard deviation;
        "robust" subtracts the median and divides by the interquartile range;
        "minmax" maps the minimum to 0 and the maximum to 1. Constant series
        are only centred.

    Attributes
    ----------
    center_ : ndarray of shape (n_series, n_channels)
        Mean, median or minimum of each series and channel seen in ``fit``.
    scale_ : ndarray of shape (n_series, n_channels)
        Standard deviation, interquartile range or range, 1 where it is zero.
    method_ : str
        The ``method`` of ``fit``, whose statistics :meth:`inverse_transform`
        undoes (it refuses another ``method`` set since).
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit``.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : One mean and scale per timestep.

    Notes
    -----
    The neural denoisers standardise every series internally already
    (``normalize=True``). In a pipeline trained on (noisy, clean) pairs only
    the noisy series are scaled, so the denoiser learns to return clean
    series in their own units; the statistics of each series are lost to it,
    which is fine when the clean series share their amplitude but not
    otherwise: every output comes back at about one amplitude (a neural
    denoiser that follows this scaler in a ``Pipeline`` warns of it in
    ``fit``). Leave this scaler out in front of a neural denoiser.
    When the denoiser is trained on the scaled series alone (``fit(X)``), map
    its output back with :meth:`inverse_transform`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.preprocessing import SeriesScaler
    >>> X = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    >>> scaler = SeriesScaler(method="minmax")
    >>> scaler.fit_transform(X)
    array([[0. , 0.5, 1. ],
           [0. , 0.5, 1. ]])
    >>> scaler.inverse_transform(np.full((2, 3), 0.25))
    array([[ 1.5,  1.5,  1.5],
           [15. , 15. , 15. ]])
    """

    _any_length = True

    # transform computes the statistics of the series it is given afresh.
    _transform_params = ("method",)

    _parameter_constraints: dict = {
        "method": [StrOptions({"standard", "robust", "minmax"})],
    }

    def __init__(self, method="standard"):
        self.method = method

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the shape and the statistics of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Series.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        X_checked = check_series(X, estimator=self)
        self._warn_if_time_first(X_checked)
        X3 = as_3d(X_checked)
        self._record_fitted_shape(X3, X)
        center, scale = series_statistics(X3, self.method)
        self.center_, self.scale_ = center[:, 0], scale[:, 0]
        self.method_ = self.method
        return self

    def transform(self, X):
        """Scale each series by its own statistics.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Series of any length.

        Returns
        -------
        X_scaled : ndarray of the same shape as X
            Scaled series, float32 for float32 input and float64 otherwise.
        """
        X, X3 = self._validate_transform_data(X)
        center, scale = series_statistics(X3, self.method)
        out = (X3 - center) / scale
        out = as_input_dtype(restore_ndim(out, X.ndim), X, type(self).__name__)
        check_output_container(self, out)
        return out

    def inverse_transform(self, X):
        """Bring series back to the units of the series seen in ``fit``.

        Only for results computed from the series seen in ``fit``: series
        transformed later were scaled by statistics of their own, which are
        not kept, and this method cannot tell them apart when their number is
        the same. Fit the scaler on a batch (``fit_transform``) to map the
        results of that batch back.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Series in scaled units, one for each series seen in ``fit``, of
            any length.

        Returns
        -------
        X_original : ndarray of the same shape as X
            ``X * scale_ + center_`` per series and channel.
        """
        check_is_fitted(self)
        fitted = getattr(self, "method_", self.method)  # saved before it was kept
        if self.method != fitted:
            raise ValueError(
                f"SeriesScaler was fitted with method={fitted!r} and has "
                f"method={self.method!r} since: inverse_transform undoes fit's "
                f"{fitted!r} statistics, which transform no longer uses. Set "
                "method back, or fit again."
            )
        # Scaled series are this scaler's own output: their column names (none,
        # from transform) are not compared with fit's, as scikit-learn's
        # scalers do not in inverse_transform.
        X = check_series(X, estimator=self)
        X3 = as_3d(X).astype(np.float64, copy=False)
        self._check_fitted_shape(X3)
        if X3.shape[0] != self.center_.shape[0]:
            raise ValueError(
                f"X has {X3.shape[0]} series, but SeriesScaler was fitted on "
                f"{self.center_.shape[0]}; inverse_transform brings back the units "
                "of the series seen in fit, one for one."
            )
        out = X3 * self.scale_[:, np.newaxis] + self.center_[:, np.newaxis]
        return as_input_dtype(restore_ndim(out, X.ndim), X, type(self).__name__)

    def __sklearn_tags__(self):
        return series_tags(super().__sklearn_tags__())
