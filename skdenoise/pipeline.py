"""Pipelines for real recordings: windowing, per-series scaling and tuning.

Recordings are long and of any length, while the neural denoisers work on series
of the fixed length they were trained on. :class:`WindowedDenoiser` closes the
gap: it trains any denoiser on overlapping windows cut from the series and
denoises series of any length by running the denoiser on their windows and
stitching the results back together. :class:`SeriesWindower` exposes the same
windowing for users who prepare their own training data, and
:class:`SeriesScaler` scales every series on its own.

Everything here is a scikit-learn estimator, so pipelines, ``GridSearchCV``,
``cross_val_score``, ``clone`` and pickling work as usual. Window length, stride
and the inner denoiser's hyper-parameters are tuned together:

>>> import numpy as np
>>> from sklearn.model_selection import GridSearchCV
>>> from sklearn.pipeline import make_pipeline
>>> from skdenoise.baselines import SavitzkyGolayDenoiser
>>> from skdenoise.pipeline import SeriesScaler, WindowedDenoiser
>>> rng = np.random.default_rng(0)
>>> clean = np.sin(np.linspace(0, 20, 300))[np.newaxis].repeat(6, axis=0)
>>> noisy = clean + 0.2 * rng.standard_normal(clean.shape)
>>> pipe = make_pipeline(
...     SeriesScaler(), WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=64))
>>> search = GridSearchCV(pipe, {
...     "windoweddenoiser__window_length": [32, 64],
...     "windoweddenoiser__estimator__window_length": [5, 15]}, cv=2)
>>> search.fit(noisy, clean).best_params_["windoweddenoiser__estimator__window_length"]
15

Scaling
-------
The neural denoisers standardise every series (every window, inside
:class:`WindowedDenoiser`) by itself (``normalize=True``), so they need no
scaler and ``transform(a * X + b)`` equals ``a * transform(X) + b``. A scaler in
front of a denoiser trained on (noisy, clean) pairs scales only the noisy
inputs, since a ``Pipeline`` never transforms ``y``; the denoiser then learns to
return clean series in the units of ``y``. With scikit-learn's
``StandardScaler``, ``RobustScaler`` or ``MinMaxScaler`` in front, set
``normalize=False`` on the denoiser: its own standardisation would measure the
scaled inputs and give the output their units instead of those of ``y``.
:class:`SeriesScaler` removes the level and amplitude of every series, so the
denoiser cannot restore them from its input; use it when the clean series share
their units, or map results back with its ``inverse_transform``.

Parallel and distributed search
-------------------------------
Every fit of a search is independent, so ``n_jobs`` spreads them over
processes. joblib's default ``loky`` backend starts worker processes and sets
``OMP_NUM_THREADS`` (and the BLAS thread limits) in each to its share of the
cores, ``cpu_count() // n_jobs``. TensorFlow ignores those variables and would
start one thread per core in every worker, so ``n_jobs`` workers would run
``n_jobs`` times more threads than there are cores. skdenoise therefore sets
``TF_NUM_INTRAOP_THREADS`` and ``TF_NUM_INTEROP_THREADS`` to the value of
``OMP_NUM_THREADS`` before it imports TensorFlow, when ``OMP_NUM_THREADS`` is set
and neither TensorFlow variable is; set them yourself to choose otherwise. To
give each worker more threads, use
``joblib.parallel_config(inner_max_num_threads=k)`` around the search.

.. code-block:: python

    search = GridSearchCV(pipe, grid, cv=3, n_jobs=4)
    search.fit(noisy, clean)

Prefer processes to threads: the ``threading`` backend runs the fits in one
TensorFlow runtime, and seeded fits wait for each other.

On a cluster, `Dask <https://distributed.dask.org>`_ runs the same search
through its joblib backend. Its workers set ``OMP_NUM_THREADS=1`` by default, so
give each worker process one thread and start as many workers as cores:

.. code-block:: python

    import joblib
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=4, threads_per_worker=1, processes=True)
    with Client(cluster), joblib.parallel_backend("dask"):
        search.fit(noisy, clean)

Replace ``LocalCluster`` by the address of a running scheduler
(``Client("tcp://scheduler:8786")``) to use several machines; every worker needs
skdenoise installed. `Ray <https://docs.ray.io>`_ provides a joblib backend too:

.. code-block:: python

    import joblib
    import ray
    from ray.util.joblib import register_ray

    ray.init(runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    register_ray()
    with joblib.parallel_backend("ray"):
        search.fit(noisy, clean)

The ``runtime_env`` line makes every Ray worker's TensorFlow use one thread per
task, as above. In every case the search's ``refit`` runs in the calling process.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import TransformerTags
from sklearn.utils.validation import check_is_fitted

from ._mixin import DenoiserMixin
from ._validation import as_3d, check_series, restore_ndim
from ._windowing import (
    TAPERS,
    WindowLayout,
    default_chunk_windows,
    extract_windows,
    pad_to_window,
    taper,
)

__all__ = ["WindowedDenoiser", "SeriesWindower", "SeriesScaler"]

_LENGTH = [Interval(numbers.Integral, 1, None, closed="left")]


def _series_tags(tags):
    tags.input_tags.three_d_array = True
    tags.input_tags.allow_nan = False
    tags.target_tags.required = False
    if tags.transformer_tags is None:
        tags.transformer_tags = TransformerTags()
    tags.transformer_tags.preserves_dtype = ["float64", "float32"]
    return tags


class _WindowingMixin:
    """Window geometry of :class:`WindowedDenoiser` and :class:`SeriesWindower`."""

    def _stride(self):
        return (
            self.stride if self.stride is not None else max(1, self.window_length // 2)
        )

    def _check_geometry(self):
        stride = self._stride()
        if stride > self.window_length:
            raise ValueError(
                f"stride={stride} must not exceed window_length="
                f"{self.window_length}: the samples between windows would never be "
                "covered."
            )

    def _layout(self, n_series, n_timesteps):
        return WindowLayout(
            n_series,
            max(n_timesteps, self.window_length),
            self.window_length,
            self._stride(),
            taper(self.taper, self.window_length),
        )

    def _record_shape(self, X):
        self.n_features_in_ = X.shape[1]
        self.n_channels_in_ = 1 if X.ndim == 2 else X.shape[2]

    def _check_channels(self, X3):
        if X3.shape[2] != self.n_channels_in_:
            raise ValueError(
                f"X has {X3.shape[2]} channel(s), but {type(self).__name__} was "
                f"fitted on series with {self.n_channels_in_} channel(s)."
            )

    def _all_windows(self, X3):
        """Every window of every series, series after series."""
        padded, _ = pad_to_window(X3, self.window_length)
        layout = self._layout(*X3.shape[:2])
        series = np.repeat(np.arange(X3.shape[0]), layout.windows_per_series)
        starts = np.tile(layout.starts, X3.shape[0])
        return extract_windows(padded, series, starts, self.window_length)

    def windows_per_series(self, n_timesteps):
        """Number of windows cut from a series of ``n_timesteps`` samples.

        Parameters
        ----------
        n_timesteps : int
            Length of the series.

        Returns
        -------
        int
            ``1`` for series up to one window long, otherwise
            ``ceil((n_timesteps - window_length) / stride) + 1``.
        """
        self._check_geometry()
        return self._layout(1, int(n_timesteps)).windows_per_series


class WindowedDenoiser(_WindowingMixin, DenoiserMixin, TransformerMixin, BaseEstimator):
    """Train and run a denoiser on overlapping windows of long series.

    ``fit`` cuts the same windows from the noisy series ``X`` and the clean
    series ``y`` and trains a clone of ``estimator`` on them. ``transform``
    accepts series of any length: it cuts them into windows, denoises the
    windows in batches (one call of the inner ``transform`` per batch) and
    stitches them back by overlap-add, weighting every window by ``taper``
    and dividing by the summed weights, so that a constant comes back exactly.
    Memory stays bounded for recordings of any length: the windows are made
    and denoised ``chunk_windows`` at a time.

    Windows start every ``stride`` samples and one more window ends at the
    last sample when the stride does not reach it, so every sample is
    covered. Series shorter than ``window_length`` are extended by reflection
    (centred) to one window, and the result is cropped back. Cross-validation
    splits the series (rows of ``X``), so the windows of a series are always in
    the same fold.

    Parameters
    ----------
    estimator : object
        The denoiser run on the windows: any transformer whose ``fit(X, y)``
        takes series and their clean versions and whose ``transform`` keeps
        the shape, such as the neural denoisers of :mod:`skdenoise` and
        :mod:`skdenoise.baselines`. It is cloned in ``fit``.
    window_length : int, default=512
        Samples per window.
    stride : int or None, default=None
        Samples between the starts of consecutive windows, at most
        ``window_length``. None means ``window_length // 2`` (at least 1).
    taper : {"hann", "triangular", "boxcar"}, default="hann"
        Weights of a window's samples in the overlap-add: Hann and triangular
        tapers give less weight to the window's edges, where a denoiser sees
        less context; "boxcar" averages the overlapping windows. Every weight
        is positive, so each sample is covered.
    chunk_windows : int or None, default=None
        Largest number of windows denoised in one call of the inner
        ``transform``. None picks as many as hold about 2**17 values (256
        windows of 512 samples). A neural denoiser's memory grows with the
        chunk (its activations), by about 0.5 MB per 512-sample window for a
        small U-Net; larger chunks mostly cost memory, not time.

    Attributes
    ----------
    estimator_ : object
        The clone of ``estimator`` fitted on the windows.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit``.
    n_windows_fit_ : int
        Number of windows the inner estimator was fitted on.

    See Also
    --------
    SeriesWindower : The windowing and stitching on their own.
    skdenoise.datasets.make_windows : Cut recordings into training windows.

    Notes
    -----
    ``fit`` holds every window in memory, about ``window_length / stride``
    times the size of ``X``; ``transform`` holds ``chunk_windows`` windows at a
    time besides its input and output.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import SavitzkyGolayDenoiser
    >>> from skdenoise.pipeline import WindowedDenoiser
    >>> rng = np.random.default_rng(0)
    >>> X = np.sin(np.linspace(0, 30, 1000))[np.newaxis]
    >>> noisy = X + 0.1 * rng.standard_normal(X.shape)
    >>> denoiser = WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=128)
    >>> denoiser.fit(noisy, X).n_windows_fit_
    15
    >>> denoiser.transform(noisy).shape
    (1, 1000)
    >>> denoiser.transform(np.ones((2, 50)))  # any length; constants come back
    array([[1., 1., 1., ..., 1., 1., 1.],
           [1., 1., 1., ..., 1., 1., 1.]])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "transform"])],
        "window_length": _LENGTH,
        "stride": [*_LENGTH, None],
        "taper": [StrOptions(set(TAPERS))],
        "chunk_windows": [*_LENGTH, None],
    }

    def __init__(
        self,
        estimator,
        window_length=512,
        stride=None,
        taper="hann",
        chunk_windows=None,
    ):
        self.estimator = estimator
        self.window_length = window_length
        self.stride = stride
        self.taper = taper
        self.chunk_windows = chunk_windows

    @classmethod
    def _get_test_params(cls):
        """Tiny settings for the test suite: a classical inner denoiser."""
        from .baselines import SavitzkyGolayDenoiser

        return {
            "estimator": SavitzkyGolayDenoiser(window_length=3, polyorder=1),
            "window_length": 4,
        }

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit a clone of ``estimator`` on the windows of ``X`` (and ``y``).

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or clean series (without ``y``, for
            denoisers that add noise themselves).
        y : array-like of the same shape as X, default=None
            Clean series, cut into the same windows as ``X``. A 1-D ``y`` with
            one value per series is not a clean target: it is ignored with a
            ``TargetIgnoredWarning``.

        Returns
        -------
        self : object
            The fitted denoiser.
        """
        self._check_geometry()
        X = check_series(X, estimator=self)
        y = self._check_fit_target(y, X)
        self._record_shape(X)
        X_windows = restore_ndim(self._all_windows(as_3d(X)), X.ndim)
        self.n_windows_fit_ = X_windows.shape[0]
        estimator = clone(self.estimator)
        if y is None:
            estimator.fit(X_windows)
        else:
            estimator.fit(X_windows, restore_ndim(self._all_windows(as_3d(y)), X.ndim))
        self.estimator_ = estimator
        return self

    def transform(self, X):
        """Denoise series of any length window by window.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series with the number of channels seen in ``fit`` and any
            number of timesteps.

        Returns
        -------
        X_denoised : ndarray of the same shape as X
            Denoised series; float32 for float32 input, float64 otherwise.
        """
        check_is_fitted(self)
        X = check_series(X, estimator=self)
        X3 = as_3d(X)
        self._check_channels(X3)
        n_series, n_timesteps, n_channels = X3.shape
        padded, left = pad_to_window(X3, self.window_length)
        layout = self._layout(n_series, n_timesteps)
        chunk = self.chunk_windows or default_chunk_windows(
            self.window_length, n_channels
        )
        out = np.zeros(padded.shape, dtype=np.float64)
        for _, series, starts in layout.chunks(chunk):
            windows = extract_windows(padded, series, starts, self.window_length)
            denoised = self.estimator_.transform(restore_ndim(windows, X.ndim))
            denoised = as_3d(np.asarray(denoised, dtype=np.float64))
            if denoised.shape != windows.shape:
                raise ValueError(
                    f"The inner estimator {type(self.estimator_).__name__} returned "
                    f"windows of shape {denoised.shape} for input of shape "
                    f"{windows.shape}; a denoiser must keep the shape."
                )
            layout.accumulate(out, series, starts, denoised)
        out /= layout.weight_sum(chunk)[:, np.newaxis]
        out = out[:, left : left + n_timesteps]
        return restore_ndim(out, X.ndim).astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = _series_tags(super().__sklearn_tags__())
        tags.non_deterministic = get_tags(self.estimator).non_deterministic
        return tags


class SeriesWindower(_WindowingMixin, TransformerMixin, BaseEstimator):
    """Cut series into overlapping windows and stitch windows back into series.

    ``transform`` returns the windows of every series, series after series;
    ``inverse_transform`` puts (for instance denoised) windows back together by
    weighted overlap-add, as :class:`WindowedDenoiser` does. The windowing is
    the same as there: windows start every ``stride`` samples, one more ends at
    the last sample, and series shorter than a window are extended by
    reflection.

    ``transform`` returns more rows than it gets, so this transformer cannot
    be a step of a scikit-learn ``Pipeline`` trained on (noisy, clean) pairs:
    the targets would no longer match the rows. Use it to prepare training
    data by hand, or use :class:`WindowedDenoiser`, which windows inside.

    Parameters
    ----------
    window_length : int, default=512
        Samples per window.
    stride : int or None, default=None
        Samples between the starts of consecutive windows, at most
        ``window_length``. None means ``window_length // 2`` (at least 1).
    taper : {"hann", "triangular", "boxcar"}, default="hann"
        Weights of a window's samples when ``inverse_transform`` adds
        overlapping windows.

    Attributes
    ----------
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``: the length
        ``inverse_transform`` restores by default.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit``.

    See Also
    --------
    WindowedDenoiser : Train and run a denoiser on windows.
    skdenoise.datasets.make_windows : Windows of raw recordings of any lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.pipeline import SeriesWindower
    >>> X = np.arange(20.0).reshape(2, 10)
    >>> windower = SeriesWindower(window_length=4, stride=3).fit(X)
    >>> windows = windower.transform(X)
    >>> windows.shape
    (6, 4)
    >>> windows[:3]
    array([[0., 1., 2., 3.],
           [3., 4., 5., 6.],
           [6., 7., 8., 9.]])
    >>> np.allclose(windower.inverse_transform(windows), X)
    True
    """

    _parameter_constraints: dict = {
        "window_length": _LENGTH,
        "stride": [*_LENGTH, None],
        "taper": [StrOptions(set(TAPERS))],
    }

    def __init__(self, window_length=512, stride=None, taper="hann"):
        self.window_length = window_length
        self.stride = stride
        self.taper = taper

    @classmethod
    def _get_test_params(cls):
        """Small windows for the test suite."""
        return {"window_length": 4}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the length and channels of the series.

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
            The fitted windower.
        """
        self._check_geometry()
        X = check_series(X, estimator=self)
        self._record_shape(X)
        return self

    def transform(self, X):
        """Cut every series into windows.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Series of any length, with the channels seen in ``fit``.

        Returns
        -------
        windows : ndarray of shape (n_series * n_windows, window_length) or \
(n_series * n_windows, window_length, n_channels)
            The windows, those of the first series first; ``n_windows`` is
            :meth:`windows_per_series` of ``n_timesteps``. Same dtype as X.
        """
        check_is_fitted(self)
        X = check_series(X, estimator=self)
        X3 = as_3d(X)
        self._check_channels(X3)
        return restore_ndim(self._all_windows(X3), X.ndim)

    def inverse_transform(self, X, n_timesteps=None):
        """Stitch windows back into series by weighted overlap-add.

        Parameters
        ----------
        X : array-like of shape (n_windows_total, window_length) or \
(n_windows_total, window_length, n_channels)
            Windows in the order :meth:`transform` returns them.
        n_timesteps : int or None, default=None
            Length of the series the windows were cut from. None means the
            length seen in ``fit``.

        Returns
        -------
        X_series : ndarray of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            The series; where windows overlap, their taper-weighted mean.
        """
        check_is_fitted(self)
        if n_timesteps is None:
            n_timesteps = self.n_features_in_
        elif isinstance(n_timesteps, bool) or not isinstance(
            n_timesteps, numbers.Integral
        ):
            raise TypeError(f"n_timesteps must be a positive int; got {n_timesteps!r}.")
        elif n_timesteps < 1:
            raise ValueError(f"n_timesteps must be a positive int; got {n_timesteps}.")
        windows = check_series(X, input_name="windows", estimator=self)
        W3 = as_3d(windows)
        self._check_channels(W3)
        if W3.shape[1] != self.window_length:
            raise ValueError(
                f"The windows have {W3.shape[1]} samples, but window_length is "
                f"{self.window_length}."
            )
        per_series = self.windows_per_series(n_timesteps)
        if W3.shape[0] % per_series:
            raise ValueError(
                f"Got {W3.shape[0]} windows, which is not a multiple of the "
                f"{per_series} windows of a series of {n_timesteps} timesteps; pass "
                "the n_timesteps of the series they were cut from."
            )
        layout = self._layout(W3.shape[0] // per_series, int(n_timesteps))
        chunk = default_chunk_windows(self.window_length, W3.shape[2])
        out = np.zeros(
            (layout.n_series, layout.n_timesteps, W3.shape[2]), dtype=np.float64
        )
        for rows, series, starts in layout.chunks(chunk):
            layout.accumulate(out, series, starts, W3[rows].astype(np.float64))
        out /= layout.weight_sum(chunk)[:, np.newaxis]
        left = (layout.n_timesteps - n_timesteps) // 2
        out = out[:, left : left + n_timesteps]
        return restore_ndim(out, windows.ndim).astype(windows.dtype, copy=False)

    def __sklearn_tags__(self):
        return _series_tags(super().__sklearn_tags__())


def _statistics(X3, method):
    if method == "standard":
        center = X3.mean(axis=1)
        scale = X3.std(axis=1)
    elif method == "robust":
        low, center, high = np.percentile(X3, [25.0, 50.0, 75.0], axis=1)
        scale = high - low
    else:
        center = X3.min(axis=1)
        scale = X3.max(axis=1) - center
    # A constant series keeps its values relative to its center (scale 1).
    tiny = 1e-12 * np.maximum(1.0, np.abs(center))
    return center, np.where(scale > tiny, scale, 1.0)


class SeriesScaler(TransformerMixin, BaseEstimator):
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
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number.
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
    which is fine when the clean series share their units but not otherwise.
    When the denoiser is trained on the scaled series alone (``fit(X)``), map
    its output back with :meth:`inverse_transform`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.pipeline import SeriesScaler
    >>> X = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    >>> scaler = SeriesScaler(method="minmax")
    >>> scaler.fit_transform(X)
    array([[0. , 0.5, 1. ],
           [0. , 0.5, 1. ]])
    >>> scaler.inverse_transform(np.full((2, 3), 0.25))
    array([[ 1.5,  1.5,  1.5],
           [15. , 15. , 15. ]])
    """

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
        X = check_series(X, estimator=self)
        X3 = as_3d(X)
        self.n_features_in_ = X3.shape[1]
        self.n_channels_in_ = X3.shape[2]
        self.center_, self.scale_ = _statistics(X3.astype(np.float64), self.method)
        return self

    def _checked(self, X):
        check_is_fitted(self)
        X = check_series(X, estimator=self)
        X3 = as_3d(X)
        if X3.shape[2] != self.n_channels_in_:
            raise ValueError(
                f"X has {X3.shape[2]} channel(s), but SeriesScaler was fitted on "
                f"series with {self.n_channels_in_} channel(s)."
            )
        return X, X3.astype(np.float64, copy=False)

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
        X, X3 = self._checked(X)
        center, scale = _statistics(X3, self.method)
        out = (X3 - center[:, np.newaxis]) / scale[:, np.newaxis]
        return restore_ndim(out, X.ndim).astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        """Bring series back to the units of the series seen in ``fit``.

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
        X, X3 = self._checked(X)
        if X3.shape[0] != self.center_.shape[0]:
            raise ValueError(
                f"X has {X3.shape[0]} series, but SeriesScaler was fitted on "
                f"{self.center_.shape[0]}; inverse_transform brings back the units "
                "of the series seen in fit, one for one."
            )
        out = X3 * self.scale_[:, np.newaxis] + self.center_[:, np.newaxis]
        return restore_ndim(out, X.ndim).astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        return _series_tags(super().__sklearn_tags__())
