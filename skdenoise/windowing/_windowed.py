"""Denoising and cutting series of any length window by window."""

import inspect
import numbers
import sys

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from tqdm import tqdm

from .._split import (
    HOLD_NOTHING,
    ROWS_PER_SERIES,
    later_split,
    later_split_note,
    next_roles,
    warn_all_held,
    widen_rows,
)
from .._validation import (
    as_3d,
    as_input_dtype,
    check_positive_int,
    check_return_std,
    check_series,
    check_target,
    check_validation_data_kind,
    restore_ndim,
    std_as_input_dtype,
)
from .._warnings import once_per_call, warn_at_caller
from ..base import (
    BaseDenoiser,
    SeriesShapeMixin,
    SeriesTransformerMixin,
    _forget_fit_on_error,
    check_output_container,
    series_tags,
)
from ..noise._base import zero_series_in_windows
from ._layout import (
    TAPERS,
    WindowLayout,
    default_chunk_windows,
    extract_windows,
    pad_to_window,
    taper,
)

__all__ = ["WindowedDenoiser", "SeriesWindower"]


def _part(array, index):
    """``array[index]``, or None for no array."""
    return None if array is None else array[index]


def _takes_validation_data(estimator):
    """Whether ``estimator``'s ``fit`` and ``partial_fit`` take validation_data."""
    return bool(getattr(estimator, "_takes_validation_data", False))


_LENGTH = [Interval(numbers.Integral, 1, None, closed="left")]


def _check_not_bool(estimator, names):
    """Refuse a bool for a count (``_LENGTH`` takes True as 1: windows of 1)."""
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, (bool, np.bool_)):
            raise ValueError(
                f"The {name!r} parameter of {type(estimator).__name__} must be an "
                f"int >= 1, not a bool; got {value!r}."
            )


def inner_has_std(meta):
    """Whether ``meta``'s inner estimator has ``predict(X, return_std=...)``.

    The condition of the meta-estimators' own ``predict`` (fitted ``estimator_``
    first, else the ``estimator`` parameter).
    """
    predict = getattr(getattr(meta, "estimator_", meta.estimator), "predict", None)
    if predict is None:
        return False
    try:
        return "return_std" in inspect.signature(predict).parameters
    except (TypeError, ValueError):
        return False


def inner_has_calibration(meta):
    """Whether ``meta``'s inner estimator has ``calibrate_uncertainty``."""
    return hasattr(getattr(meta, "estimator_", meta.estimator), "calibrate_uncertainty")


def template_uncertainty(meta):
    """``(key, value)`` of the ``uncertainty`` of ``meta``'s template network.

    Followed through ``estimator`` parameters (a ``ResampledDenoiser`` around
    a ``WindowedDenoiser``); None when no template has one.
    """
    template, key = meta, ""
    while "estimator" in getattr(template, "__dict__", {}):
        template, key = template.estimator, f"{key}estimator__"
        if hasattr(template, "get_params") and "uncertainty" in vars(template):
            return f"{key}uncertainty", template.uncertainty
    return None


def record_template_uncertainty(meta):
    """Keep the template's ``uncertainty`` as fitted (for the check below)."""
    found = template_uncertainty(meta)
    if found is None:
        vars(meta).pop("_template_uncertainty_", None)
    else:
        meta._template_uncertainty_ = found[1]


def check_uncertainty_unchanged(meta):
    """Refuse an ``uncertainty`` set on ``meta``'s template after fit.

    ``meta.set_params(estimator__uncertainty=...)`` changes the template
    that the next ``fit`` clones, not the fitted network in ``estimator_``
    that ``predict`` and ``calibrate_uncertainty`` use: the network's own
    message then told the user to set what they had just set, or the old
    method was calibrated again in silence. An ``uncertainty`` set on the
    fitted network itself (``estimator_``) is what they use, and is left to
    them.
    """
    recorded = vars(meta).get("_template_uncertainty_", _NOT_RECORDED)
    found = template_uncertainty(meta)
    if recorded is _NOT_RECORDED or found is None or found[1] == recorded:
        return
    fitted, path = meta, ""
    while hasattr(fitted, "estimator_"):
        fitted, path = fitted.estimator_, f"{path}estimator_."
    have = getattr(fitted, "uncertainty", _NOT_RECORDED)
    key, value = found
    if have is _NOT_RECORDED or value == have:
        return
    advice = (
        f"Set it back to {have!r}, or fit again."
        if value is None
        else "Fit again: the members of an ensemble are trained by fit."
        if value == "ensemble"
        else "To change the fitted network's, call "
        f"{path}set_params(uncertainty={value!r}) on this denoiser, then "
        "calibrate_uncertainty(X_val, y_val); or fit again."
    )
    raise ValueError(
        f"{type(meta).__name__}: {key}={value!r} was set after fit, but the "
        f"fitted network (the {path.rstrip('.')} attribute) has "
        f"uncertainty={have!r}: the parameters of the estimator take effect at "
        f"the next fit. {advice}"
    )


_NOT_RECORDED = object()


def _first_held(n_series, fraction, seed):
    """The series a first call on ``n_series`` held out whole (sorted).

    None (empty) where it held out the ends of every series or nothing: each
    trained.
    """
    n_first = min(n_series - 1, round(fraction * n_series)) if fraction else 0
    if n_first < 1:
        return np.empty(0, dtype=np.intp)
    return np.sort(np.random.default_rng([seed, 11]).permutation(n_series)[:n_first])


class _HoldNothing:
    """_hold_out's validation when a later partial_fit has no series to hold out."""

    def __init__(self, note):
        self.note = note  # later_split_note's


def validated_pair(meta, X, y):
    """``X`` checked as for ``transform``, its 3-D view and ``y``'s (float64)."""
    X, X3 = meta._validate_transform_data(X)
    y = check_target(y, X, input_name="y", estimator=meta, x_name="X")
    return X3, as_3d(y).astype(np.float64, copy=False)


def validation_series(meta, validation_data, where):
    """``(X_val, y_val or None)``, 3-D, of a wrapper's ``validation_data``.

    A tuple ``(X_val, y_val)`` of series of one shape, or series alone; each
    of at least the wrapper's shortest series, as ``X`` (a column ``(n, 1)``
    was ``n`` series of one sample, each padded to a window). ``where``
    names the argument in the messages.
    """

    def checked(part, name):
        return check_series(
            part, input_name=name, estimator=meta, min_timesteps=meta._min_timesteps
        )

    check_validation_data_kind(validation_data, where)
    if not isinstance(validation_data, tuple):
        return as_3d(checked(validation_data, "validation_data")), None
    if len(validation_data) != 2:
        raise ValueError(
            f"{where} must be series or a tuple (X_val, y_val); got a tuple of "
            f"{len(validation_data)}."
        )
    given = checked(validation_data[0], "X_val"), checked(validation_data[1], "y_val")
    X_val, y_val = as_3d(given[0]), as_3d(given[1])
    if y_val.shape != X_val.shape:
        raise ValueError(
            f"{where}: y_val must be the clean series, with the shape of X_val "
            f"{given[0].shape}; got {given[1].shape}."
        )
    return X_val, y_val


class _WindowingMixin(SeriesShapeMixin):
    """Window geometry of :class:`WindowedDenoiser` and :class:`SeriesWindower`."""

    _any_length = True

    def _param_stride(self):
        """The ``stride`` parameter, None resolved against ``window_length``."""
        return (
            self.stride if self.stride is not None else max(1, self.window_length // 2)
        )

    def _check_geometry(self):
        _check_not_bool(
            self,
            [
                n
                for n in ("window_length", "stride", "chunk_windows")
                if hasattr(self, n)
            ],
        )
        stride = self._param_stride()
        if stride > self.window_length:
            raise ValueError(
                f"stride={stride} must not exceed window_length="
                f"{self.window_length}: the samples between windows would never be "
                "covered."
            )

    def _record_geometry(self):
        """Check the window parameters and keep them as fit uses them."""
        self._check_geometry()
        self.window_length_ = int(self.window_length)
        self.stride_ = int(self._param_stride())
        if hasattr(self, "center_windows"):
            self.center_windows_ = bool(self.center_windows)

    def _window_length(self):
        """The fitted ``window_length_`` (the parameter before fit)."""
        return getattr(self, "window_length_", self.window_length)

    def _stride(self):
        """The fitted ``stride_`` (the parameter, resolved, before fit)."""
        stride = getattr(self, "stride_", None)
        return self._param_stride() if stride is None else stride

    def _centers_windows(self):
        """The fitted ``center_windows_`` (the parameter before fit)."""
        return getattr(self, "center_windows_", getattr(self, "center_windows", False))

    def _layout(self, n_series, n_timesteps):
        window_length = self._window_length()
        return WindowLayout(
            n_series,
            max(n_timesteps, window_length),
            window_length,
            self._stride(),
            taper(self.taper, window_length),
        )

    def _all_windows(self, X3):
        """Every window of every series, series after series."""
        padded, _ = pad_to_window(X3, self._window_length())
        layout = self._layout(*X3.shape[:2])
        series = np.repeat(np.arange(X3.shape[0]), layout.windows_per_series)
        starts = np.tile(layout.starts, X3.shape[0])
        return extract_windows(padded, series, starts, self._window_length())

    def _center(self, X_windows, y_windows=None):
        """Windows less their means (``y_windows`` less ``X_windows``' means)."""
        if not self._centers_windows():
            return X_windows, y_windows
        means = X_windows.mean(axis=1, keepdims=True)
        return X_windows - means, None if y_windows is None else y_windows - means

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
            ``ceil((n_timesteps - window_length) / stride) + 1``, with the
            ``window_length_`` and ``stride_`` of ``fit`` once fitted.
        """
        if not hasattr(self, "window_length_"):
            self._validate_params()
            self._check_geometry()
        n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
        return self._layout(1, n_timesteps).windows_per_series


def _array_output(estimator):
    """``estimator`` set to return arrays: the windows are stitched as arrays.

    Under ``set_output(transform="pandas")`` (or the global setting) it would
    return tables, which cannot hold windows with channels.
    """
    if hasattr(estimator, "set_output"):
        estimator.set_output(transform="default")
    return estimator


def _inner_min_timesteps(estimator):
    """The shortest series ``estimator`` trains on (1 when it does not say)."""
    if isinstance(estimator, type):  # refused by name when fitted
        return 1
    least = getattr(estimator, "_min_timesteps", 1)
    return least if isinstance(least, int) and least > 1 else 1


class WindowedDenoiser(_WindowingMixin, SeriesTransformerMixin, BaseDenoiser):
    """Train and run a denoiser on overlapping windows of long series.

    ``fit`` cuts the same windows from the noisy series ``X`` and the clean
    series ``y`` and trains a clone of ``estimator`` on them. ``transform``
    accepts series of any length: it cuts them into windows, denoises the
    windows in batches (one call of the inner ``transform`` per batch) and
    stitches them back by overlap-add, weighting every window's correction
    (its output less its input) by ``taper`` and dividing by the summed
    weights: where the windows agree, their value comes back (to rounding),
    and a sample that no window changed comes back exactly as it was.
    The windows are made and denoised ``chunk_windows`` at a time, so their
    memory stays bounded for recordings of any length.

    Windows start every ``stride`` samples and one more window ends at the
    last sample when the stride does not reach it, so every sample is
    covered. Series shorter than ``window_length`` are extended by reflection
    (centred) to one window, and the result is cropped back. Cross-validation
    splits the series (rows of ``X``), so the windows of a series are always in
    the same fold.

    A neural inner estimator's validation series are held out before the
    windows are cut, so that none of its validation windows overlaps a
    training window: ``fit(X, y, validation_data=...)`` takes series of any
    length (a tuple ``(X_val, y_val)`` or clean series alone) and cuts them
    into windows; without it, the inner ``validation_split`` holds out whole
    series, or the end of every series when the share would hold out no
    series (at least one window, when one is left to train on). Under
    scikit-learn's metadata routing, ``set_fit_request(validation_data=True)``
    lets a search or a pipeline pass it on (as a tuple: a search cuts clean
    series alone, when there are as many as in ``X``, to each fold's rows).

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
        is positive, so each sample is covered. Read at each ``transform``.
    center_windows : bool, default=False
        Remove each window's mean before the inner estimator sees it and add it
        back to its output, for a denoiser trained on zero-mean windows. In
        ``fit`` the noisy window's mean is removed from its clean window too,
        so ``X`` and ``y`` must be in the same units (a ``y`` in other units
        is refused for a neural inner estimator).
    chunk_windows : int or None, default=None
        Largest number of windows denoised in one call of the inner
        ``transform``. None picks as many as hold about 2**17 values (256
        windows of 512 samples). A neural denoiser's memory grows with the
        chunk (its activations), by about 0.5 MB per 512-sample window for a
        small U-Net; larger chunks mostly cost memory, not time. A network's
        output for a window may differ in its last digits with the number of
        windows computed with it (TensorFlow's kernels, bfloat16 ones above
        all, round in other orders for other batch sizes): a chunk of other
        size, or the last chunk of a series of other length, can move a
        window's output by rounding, far below the noise (under 0.01 % of the
        signal's range for the pretrained ECG model at one window per chunk).
    verbose : int, default=0
        If positive, ``transform`` shows a progress bar over the chunks of
        windows (``tqdm``, on standard error); 0 prints nothing.

    Attributes
    ----------
    estimator_ : object
        The clone of ``estimator`` fitted on the windows.
    window_length_ : int
        The ``window_length`` of ``fit``: ``transform`` cuts windows of this
        length, the one ``estimator_`` was trained on, whatever
        ``window_length`` was set to since.
    stride_ : int
        The stride of ``fit`` (``stride``, or ``window_length // 2`` for None),
        used by ``transform``.
    center_windows_ : bool
        The ``center_windows`` of ``fit``, used by ``transform``.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit``.
    n_windows_fit_ : int
        Number of windows the inner estimator was trained on (in the last call
        of ``fit`` or ``partial_fit``; validation windows not counted).

    See Also
    --------
    SeriesWindower : The windowing and stitching on their own.
    skdenoise.datasets.make_windows : Cut recordings into training windows.

    Notes
    -----
    ``fit`` holds every window of ``X`` and ``y`` in memory, in float64: with
    ``stride = window_length / 2``, about twice the size of float64
    recordings and six to seven times that of float32 ones (their float64
    copies too), growing with ``window_length / stride``. A neural inner
    estimator holds float64 copies of those windows while it trains (its
    checks of the pairs' units, the training and validation rows): with a
    small U-Net on 20 whole MITDB records in float64 the peak of ``fit`` was
    7.6 times the recordings. ``transform`` holds
    ``chunk_windows`` windows at a time, and besides its input and output
    float64 arrays of the padded series (the overlap-added sum and the
    stitched series while the output is made; a float64 copy of a float32
    input): 16 bytes a sample for float64 input and 28 for float32, a peak of
    about four times a float64 input and nine times a float32 one.

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

    # fit(X, y, **fit_params) takes validation_data: a routed parameter under
    # scikit-learn's metadata routing (set_fit_request(validation_data=True)).
    __metadata_request__fit = {"validation_data": None}

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "transform"])],
        "window_length": _LENGTH,
        "stride": [*_LENGTH, None],
        "taper": [StrOptions(set(TAPERS))],
        "center_windows": ["boolean"],
        "chunk_windows": [*_LENGTH, None],
        "verbose": ["verbose"],
    }

    _transform_params = ("taper", "chunk_windows")

    @property
    def _learns_from_target(self):
        # As its estimator: a filter's wrapper ignores a y not shaped as X.
        return getattr(self.estimator, "_learns_from_target", True)

    @property
    def _min_timesteps(self):
        # The inner estimator's shortest series: a neural denoiser needs two
        # timesteps, and series of one, each padded into a constant window,
        # trained it on nothing without a word (a column (n, 1) read as n
        # series).
        return _inner_min_timesteps(self.estimator)

    def __init__(
        self,
        estimator,
        window_length=512,
        stride=None,
        taper="hann",
        center_windows=False,
        chunk_windows=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.window_length = window_length
        self.stride = stride
        self.taper = taper
        self.center_windows = center_windows
        self.chunk_windows = chunk_windows
        self.verbose = verbose

    @classmethod
    def _get_test_params(cls):
        """Tiny settings for the test suite: a classical inner denoiser."""
        from ..classical import SavitzkyGolayDenoiser

        return {
            "estimator": SavitzkyGolayDenoiser(window_length=3, polyorder=1),
            "window_length": 4,
        }

    def _validate_fit_params(self, X3, y3, validation_data=None, **fit_params):
        """``validation_data`` of ``fit``: series of any length, cut into windows."""
        if fit_params:
            raise TypeError(
                f"WindowedDenoiser.fit got unexpected keyword argument(s) "
                f"{sorted(fit_params)}; it takes validation_data only."
            )
        if validation_data is None:
            return {}
        inner = type(self.estimator).__name__
        if not _takes_validation_data(self.estimator):
            raise TypeError(
                f"WindowedDenoiser.fit got validation_data, but its estimator "
                f"{inner} takes none (only the neural denoisers do)."
            )
        where = "validation_data of WindowedDenoiser.fit"
        X_val, y_val = validation_series(self, validation_data, where)
        if X_val.shape[2] != X3.shape[2]:
            raise ValueError(
                f"{where} has {X_val.shape[2]} channel(s); the training series "
                f"have {X3.shape[2]}."
            )
        return {"validation": (X_val, y_val)}

    def _fit(self, X3, y3, validation=None):
        """Fit a clone of ``estimator`` on the windows of ``X3`` (and ``y3``)."""
        self._record_geometry()
        # A new network: the series an earlier one held out are not its own.
        for name in ("_validation_rows_", "_validation_n_series_", "_validation_held_"):
            vars(self).pop(name, None)
        final = self.estimator
        while getattr(final, "steps", None):  # a pipeline ending in a network
            final = final.steps[-1][1]
        if _takes_validation_data(final) and getattr(final, "training", "") != (
            "blind_spot"
        ):
            # Said of the whole series, which a scaler before this wrapper
            # scaled: a window's spread is its content's.
            from ..neural._base import _warn_if_scaled_per_series

            _warn_if_scaled_per_series(self, X3, y3)
        estimator = _array_output(clone(self.estimator))
        self.n_windows_fit_ = self._fit_windows(
            estimator, estimator.fit, X3, y3, validation
        )
        self.estimator_ = estimator
        record_template_uncertainty(self)

    def _hold_out(self, estimator, X3, y3):
        """``(X3, y3, validation)``: the inner ``validation_split`` by series.

        A neural inner estimator would otherwise hold out random windows, which
        overlap the training windows cut from the same stretch of a series: its
        early stopping, gate and calibration would be fitted on seen samples.
        Whole series are held out when the share holds at least one, otherwise
        the end of every series (at least one window, if a window is left to
        train on); with neither, the inner estimator splits its windows, with
        a warning that its validation windows overlap training samples.
        """
        if not _takes_validation_data(estimator):
            self._warn_if_pipeline_splits_windows(estimator, X3.shape[1])
            return X3, y3, None
        # Its parameters checked before its random_state and validation_split
        # are used here: a random_state of -1 failed in NumPy's words.
        estimator._validate_params()
        fraction = self._fraction(estimator)
        seed = estimator._seed()
        n_units = self._n_units(X3)
        per = X3.shape[0] // n_units
        recorded = getattr(self, "_validation_rows_", None)
        first = first_held = None
        if estimator is getattr(self, "estimator_", None) and recorded is not None:
            # A later partial_fit holds out what the earlier calls did,
            # whatever validation_split or random_state say since, and however
            # many series X has now: other series would calibrate the gate on
            # series trained on in an earlier call. (A validation_split of 0
            # holds out nothing in this call, as asked.)
            first = getattr(self, "_validation_n_series_", None)
            first_held = getattr(self, "_validation_held_", None)
            if recorded[0] is None:  # recorded by a fit given validation_data
                recorded = self._validation_rows_ = (int(seed), recorded[1])
            seed = recorded[0] if first is not None or recorded[1] else seed
            if recorded[1] and fraction:
                fraction = recorded[1]
            elif fraction and first is not None:
                # The earlier calls held nothing out (validation_split=0):
                # every series they had is trained on, and each new one is
                # held out at this share, from now on.
                self._validation_rows_ = (int(seed), fraction)
                first_held = [] if first_held is None else first_held
            if first is not None and first_held is None:
                first_held = _first_held(first, *recorded[:2][::-1])
        else:
            self._validation_rows_ = (int(seed), fraction)
            vars(self).pop("_validation_n_series_", None)
            vars(self).pop("_validation_held_", None)
        explicit = first is not None and (
            getattr(self, "_validation_held_", None) is not None or not recorded[1]
        )
        X3, y3, validation, held_now, plain = self._split_roles(
            X3, y3, fraction, seed, per, first, first_held, explicit
        )
        self._record_roles(first, first_held, n_units, held_now, plain)
        return X3, y3, validation

    @staticmethod
    def _fraction(estimator):
        return float(estimator.get_params(deep=False).get("validation_split") or 0)

    @staticmethod
    def _n_units(X3):
        """The number of recordings in ``X3``.

        The rows that are leads of one recording (from a ResampledDenoiser)
        are held out or trained on together: one lead held out while another
        of the same beats trains would calibrate on seen beats.
        """
        per = ROWS_PER_SERIES.get()
        if per <= 1 or X3.shape[0] % per:
            per = 1
        return X3.shape[0] // per

    def _record_roles(self, first, first_held, n_units, held_now, plain=False):
        """Record which series this call held out (kept for later calls).

        ``plain``: the call split as a first call does (by the recorded seed
        and share, the ends of the series where too few to hold out whole),
        which a later call on as many series does again; otherwise the
        series held out are recorded one by one (none: every series and
        every end of one trained on).
        """
        seed, fraction = self._validation_rows_[:2]
        n_known, held = next_roles(
            first,
            first_held,
            n_units,
            held_now,
            lambda n: _first_held(n, fraction, seed) if plain else None,
        )
        self._validation_n_series_ = n_known
        if held is None:
            vars(self).pop("_validation_held_", None)
        else:
            self._validation_held_ = held

    def _split_roles(self, X3, y3, fraction, seed, per, first, first_held, explicit):
        """:meth:`_hold_out`'s ``(X3, y3, validation)``, the series held, ``plain``.

        ``first_held``: the series held out of the ``first`` known (None: no
        call before); ``explicit``: recorded one by one (a later call on as
        many series keeps them rather than splitting as a first call does).
        ``plain``: this call split as a first call does.
        """
        n_series, length = X3.shape[:2]
        n_units = n_series // per
        none = np.empty(0, dtype=np.intp)

        def widen(units):
            return widen_rows(units, per)

        if not fraction:
            return X3, y3, None, none, False
        if first is not None and (n_units != first or explicit):
            # The rows the earlier calls had keep their roles; each new one is
            # held out whole with the share's odds. A first call that held
            # out the ends of its series (too few to hold out a whole one)
            # trained on every one of them.
            val, train = later_split(
                n_units, fraction, seed, first, stream=11, first_held=first_held
            )
            if len(val):
                held, val, train = val, widen(val), widen(train)
                return (
                    X3[train],
                    _part(y3, train),
                    (X3[val], _part(y3, val)),
                    held,
                    False,
                )
            # None to hold out: the network holds out nothing either (its
            # own split of the windows would calibrate on trained series).
            note = later_split_note(
                n_units, fraction, seed, first, stream=11, first_held=first_held
            )
            if note == "held":
                warn_all_held(self, "partial_fit")
            return X3, y3, _HoldNothing(note), none, False
        n_val = min(n_units - 1, round(fraction * n_units))
        if n_val >= 1:
            order = np.random.default_rng([seed, 11]).permutation(n_units)
            held = np.sort(order[:n_val])
            val, train = widen(held), widen(np.sort(order[n_val:]))
            return X3[train], _part(y3, train), (X3[val], _part(y3, val)), held, True
        # The end of every series held out, or none: each series trains.
        window_length = self._window_length()
        cut = length - max(int(np.ceil(fraction * length)), window_length)
        if cut < window_length:
            if self.windows_per_series(length) == 1:
                # One window per series: random windows are whole series.
                return X3, y3, None, none, True
            warn_at_caller(
                f"WindowedDenoiser cannot hold out validation data apart from its "
                f"training windows: {n_series} series of {length} samples hold no "
                f"whole series at validation_split={fraction:g} and no end of a "
                f"series after a training window of {window_length}. The inner "
                f"estimator holds out random windows, which overlap the training "
                f"windows, so its early stopping, gate and calibration see samples it "
                f"trained on. Pass validation_data, more series or longer ones.",
                UserWarning,
            )
            return X3, y3, None, none, True
        front, back = np.s_[:, :cut], np.s_[:, cut:]
        return X3[front], _part(y3, front), (X3[back], _part(y3, back)), none, True

    def _warn_if_pipeline_splits_windows(self, estimator, length):
        """Warn when a Pipeline's final network holds out random windows.

        Whole series cannot be held out for it: ``validation_data`` would
        reach the network without going through the steps before it. Its own
        ``validation_split`` then takes random windows, which overlap the
        training windows cut from the same stretch of a series.
        """
        steps = getattr(estimator, "steps", None)
        if not steps or self.windows_per_series(length) == 1:
            return
        name, final = steps[-1]
        while getattr(final, "steps", None):  # a pipeline ending in a pipeline
            inner, final = final.steps[-1]
            name = f"{name}__{inner}"
        if not _takes_validation_data(final):
            return
        fraction = final.get_params(deep=False).get("validation_split") or 0
        if not fraction:
            return
        warn_at_caller(
            f"WindowedDenoiser holds out whole series for a neural estimator's "
            f"validation, but its estimator is a {type(estimator).__name__}: "
            f"validation series cannot go through the steps before "
            f"{type(final).__name__}, which holds out random windows "
            f"(validation_split={fraction:g}) that overlap its training windows, "
            "so its early stopping, gate and calibration see samples it trained "
            "on. Put the WindowedDenoiser around the network inside the pipeline "
            f"(make_pipeline(..., WindowedDenoiser({type(final).__name__}(...)))), "
            f"or set {name}__validation_split=0.",
            UserWarning,
        )

    def _check_centred_units(self, X3, y3):
        """Refuse a ``y`` in other units than ``X`` when windows are centred.

        Centring takes X's window means off y's windows too and adds them back
        to the output with the inner's correction, in X's units: a y in other
        units (millivolts for noisy series in microvolts or ADC counts) hid
        its units from the inner estimator's own check, whose map then came
        out near the identity, and trained it towards wrong targets. Checked
        for neural inner estimators (the ones that learn from y's units),
        within the factor of ten their own check allows.
        """
        if not self._centers_windows() or not hasattr(
            self.estimator, "_check_calibration_units"
        ):
            return
        from ..neural._base import _UNITS_FACTOR, _units_map

        scale, _ = _units_map(X3, y3)
        found = np.median(scale.reshape(-1, X3.shape[2]), axis=0)
        bad = np.flatnonzero(~((found >= 1 / _UNITS_FACTOR) & (found <= _UNITS_FACTOR)))
        if bad.size:
            channel = int(bad[0])
            where = f" (channel {channel})" if X3.shape[2] > 1 else ""
            raise ValueError(
                f"{type(self).__name__}(center_windows=True): y is about "
                f"{found[channel]:.4g} times X{where}, not in X's units. Centring "
                "takes each noisy window's mean off its clean window too and adds "
                "it back to the output, so X and y must be in the same units: "
                "convert y to X's units (or X to y's) first."
            )

    def _inner_windows(self, X3, y3):
        """The (centred) windows of ``X3`` and ``y3`` in the inner's layout."""
        if y3 is not None:
            self._check_centred_units(X3, y3)
        X_windows = self._all_windows(X3)
        y_windows = None if y3 is None else self._all_windows(y3)
        X_windows, y_windows = self._center(X_windows, y_windows)
        # The inner denoiser sees 2-D windows when the series are univariate.
        ndim = 2 if X3.shape[2] == 1 else 3
        return (
            restore_ndim(X_windows, ndim),
            None if y_windows is None else restore_ndim(y_windows, ndim),
        )

    def _fit_windows(self, estimator, method, X3, y3, validation=None):
        """Call ``method`` (the inner ``fit`` or ``partial_fit``) on the windows.

        Returns the number of training windows.
        """
        if validation is None:
            X3, y3, validation = self._hold_out(estimator, X3, y3)
        elif _takes_validation_data(estimator):
            # validation_data given: every series of X is trained on, and a
            # later partial_fit holds out new series alone (drawn by the seed
            # of that call's network: drawn here, a random_state of None or a
            # RandomState would give the network another seed).
            self._validation_rows_ = (None, self._fraction(estimator))
            self._record_roles(None, None, self._n_units(X3), [])
        X_windows, y_windows = self._inner_windows(X3, y3)
        args = (X_windows,) if y_windows is None else (X_windows, y_windows)
        kwargs = {}
        nothing = isinstance(validation, _HoldNothing)
        if validation is not None and not nothing:
            X_val, y_val = self._inner_windows(*validation)
            kwargs["validation_data"] = X_val if y_val is None else (X_val, y_val)
        token = HOLD_NOTHING.set(validation.note or "trained") if nothing else None
        # The inner estimator's rows are windows, not the leads of a recording
        # (but where each series is one window, in the same order).
        one_each = X_windows.shape[0] == X3.shape[0] * X3.shape[2]
        rows = ROWS_PER_SERIES.set(ROWS_PER_SERIES.get() if one_each else 1)
        try:
            with zero_series_in_windows():
                method(*args, **kwargs)
        finally:
            ROWS_PER_SERIES.reset(rows)
            if token is not None:
                HOLD_NOTHING.reset(token)
        return X_windows.shape[0]

    def _inner_has_partial_fit(self):
        return hasattr(getattr(self, "estimator_", self.estimator), "partial_fit")

    @available_if(_inner_has_partial_fit)
    def partial_fit(self, X, y=None):
        """Train the inner estimator further on the windows of ``X`` (and ``y``).

        Only when the inner estimator has ``partial_fit`` (the neural
        denoisers do, but for ``uncertainty="ensemble"``: one more epoch from
        the current weights). The first call
        on an unfitted denoiser fits a clone of ``estimator`` this way; later
        calls continue with ``estimator_``, such as a denoiser trained before.
        The series held out for the network's validation are those the first
        call (or ``fit``) held out, whatever the network's
        ``validation_split`` or ``random_state`` say since, so that its gate
        is not calibrated on series an earlier call trained on: a call with a
        ``validation_split`` of 0 (or a ``fit`` given ``validation_data``)
        trains on every series, which no later call holds out then. In an
        ``X`` grown by new series the rows of the earlier calls keep their
        roles, and each new series is held out with the probability
        ``validation_split``.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or series on their own, of any length.
        y : array-like of the same shape as X, default=None
            Clean series.

        Returns
        -------
        self : object
            The denoiser.
        """
        first = not hasattr(self, "estimator_")
        self._validate_params()
        if first:
            self._check_geometry()
        X3, y3 = self._validate_fit_data(X, y)
        # A failed first call leaves the denoiser unfitted.
        with _forget_fit_on_error(self, active=first):
            if first:
                self._record_geometry()
                self._record_fitted_shape(X3, X)
                estimator = _array_output(clone(self.estimator))
            else:
                self._check_fitted_shape(X3, X)
                estimator = self.estimator_
            self.n_windows_fit_ = self._fit_windows(
                estimator, estimator.partial_fit, X3, y3
            )
            self.estimator_ = estimator
            if first:
                record_template_uncertainty(self)
        return self

    def _transform(self, X3):
        """Denoise series of any length window by window."""
        (out,) = self._stitch(X3, lambda windows: (self.estimator_.transform(windows),))
        return out

    def _stitch(self, X3, denoise):
        """Overlap-add the arrays ``denoise(windows)`` returns for every window.

        The first array is the denoised windows: their corrections to the input
        windows are overlap-added and added to ``X3``, so that what the inner
        denoiser leaves alone comes back bit for bit. The others (variances)
        are overlap-added with the same weights as is.
        """
        n_series, n_timesteps, n_channels = X3.shape
        ndim = 2 if n_channels == 1 else 3
        window_length = self._window_length()
        padded, left = pad_to_window(X3, window_length)
        layout = self._layout(n_series, n_timesteps)
        _check_not_bool(self, ["chunk_windows"])
        chunk = self.chunk_windows or default_chunk_windows(window_length, n_channels)
        chunk = int(chunk)  # a small NumPy integer would overflow in the counts
        with once_per_call():
            outs = self._stitch_chunks(X3, denoise, padded, layout, chunk, ndim)
        weight_sum = layout.weight_sum(chunk)[left : left + n_timesteps, np.newaxis]
        outs = [out[:, left : left + n_timesteps] / weight_sum for out in outs]
        # The denoised windows were added as their corrections to the input:
        # a sample that no window changed comes back exactly as it was.
        outs[0] = X3 + outs[0]
        return outs

    def _stitch_chunks(self, X3, denoise, padded, layout, chunk, ndim):
        window_length = self._window_length()
        outs = None
        for _, series, starts in tqdm(
            layout.chunks(chunk),
            total=-(-layout.n_windows // chunk),
            desc="windows",
            unit="chunk",
            disable=not self.verbose,
            file=sys.stderr,
        ):
            windows = extract_windows(padded, series, starts, window_length)
            centered, _ = self._center(windows)
            # The inner estimator gets a copy: one that writes into its input
            # (FunctionTransformer(np.negative, out=...), say) would make each
            # correction below zero, and the output the input.
            results = [
                as_3d(np.asarray(r, dtype=np.float64))
                for r in denoise(restore_ndim(centered.copy(), ndim))
            ]
            for denoised in results:
                if denoised.shape != windows.shape:
                    raise ValueError(
                        f"The inner estimator {type(self.estimator_).__name__} "
                        f"returned windows of shape {denoised.shape} for input of "
                        f"shape {windows.shape}; a denoiser must keep the shape."
                    )
            # What the denoiser changed in each window (its centring undone
            # with it), added up instead of the windows themselves.
            results[0] = results[0] - centered
            if outs is None:
                outs = [np.zeros(padded.shape, dtype=np.float64) for _ in results]
            for out, part in zip(outs, results, strict=True):
                layout.accumulate(out, series, starts, part)
        return outs

    @available_if(inner_has_std)
    def predict(self, X, return_std=False):
        """Denoise series of any length, with their standard deviation on request.

        Only when the inner estimator's ``predict`` takes ``return_std`` (the
        neural denoisers do). The windows' standard deviations are stitched as
        their outputs are: their variances are overlap-added with the same
        taper weights, so that where windows overlap the variance is the
        weighted mean of theirs.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series of any length.
        return_std : bool, default=False
            Also return the standard deviation of every denoised sample.

        Returns
        -------
        X_denoised : ndarray of the same shape as X
            What :meth:`transform` returns.
        X_std : ndarray of the same shape as X
            Only with ``return_std=True`` (in the same container as
            ``X_denoised`` under ``set_output``): the standard deviation of each
            denoised sample.
        """
        return_std = check_return_std(return_std, type(self).__name__)
        if not return_std:
            return self.transform(X)
        check_is_fitted(self)
        check_uncertainty_unchanged(self)
        raw = X
        X, X3 = self._validate_transform_data(X)
        from ..neural._uncertainty import (
            check_units_by_series,
            units_checked_by_caller,
        )

        def name(series, channel):
            return f"series {series}" + (
                f", channel {channel}" if X3.shape[2] > 1 else ""
            )

        # Series by series: the windows of one lead in other units were
        # outvoted by the others' in the network's own check.
        check_units_by_series(self.estimator_, X3, name)

        def denoise(windows):
            mean, std = self.estimator_.predict(windows, return_std=True)
            return mean, np.square(np.asarray(std, dtype=np.float64))

        with units_checked_by_caller():
            mean, var = self._stitch(X3, denoise)
        std = np.sqrt(var)
        name = type(self).__name__
        out = [
            as_input_dtype(restore_ndim(mean, X.ndim), X, name),
            std_as_input_dtype(restore_ndim(std, X.ndim), X, name),
        ]
        check_output_container(self, out[0])
        # In the container of transform's output under set_output.
        return tuple(_wrap_data_with_container("transform", a, raw, self) for a in out)

    @available_if(inner_has_calibration)
    def calibrate_uncertainty(self, X, y):
        """Calibrate the inner denoiser's standard deviation on held-out series.

        Only when the inner estimator has ``calibrate_uncertainty`` (the neural
        denoisers do). ``X`` and ``y`` are cut into windows as in ``predict``
        (their means removed as ``X``'s when ``center_windows``), and the inner
        denoiser's calibration is fitted on them; the network and
        ``transform`` are unchanged.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series of any length that the network did not train on.
        y : array-like of the same shape as X
            Their clean series.

        Returns
        -------
        self : object
            The denoiser.
        """
        check_is_fitted(self)
        check_uncertainty_unchanged(self)
        X3, y3 = validated_pair(self, X, y)
        self.estimator_.calibrate_uncertainty(*self._inner_windows(X3, y3))
        return self

    def _non_deterministic(self):
        # Tags are read before fit validates the parameters.
        if isinstance(self.estimator, type) or not hasattr(
            self.estimator, "__sklearn_tags__"
        ):
            return False  # a class (refused by fit) is not drawn with a traceback
        return get_tags(self.estimator).non_deterministic


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
    For the same reason it returns NumPy arrays only: it has no ``set_output``
    (rows of windows have no index of the input's to carry).

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
    window_length_ : int
        The ``window_length`` of ``fit``, which ``transform`` and
        ``inverse_transform`` use, whatever ``window_length`` was set to since.
    stride_ : int
        The stride of ``fit`` (``stride``, or ``window_length // 2`` for None),
        which ``transform`` and ``inverse_transform`` use.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``: the length
        ``inverse_transform`` restores by default.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
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
        X3 = as_3d(check_series(X, estimator=self))
        self._record_geometry()
        self._record_fitted_shape(X3, X)
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
            :meth:`windows_per_series` of ``n_timesteps``. float32 for float32
            input and float64 otherwise.
        """
        check_is_fitted(self)
        raw = X
        X = check_series(X, estimator=self)
        X3 = as_3d(X)
        self._check_fitted_shape(X3, raw)
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
            length seen in ``fit``: pass the length of the series that
            :meth:`transform` cut when it was another, or their windows are
            grouped into series of the fitted length (only a number of windows
            that no series count fits is an error).

        Returns
        -------
        X_series : ndarray of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            The series; where windows overlap, their taper-weighted mean.
        """
        check_is_fitted(self)
        if n_timesteps is None:
            n_timesteps = self.n_features_in_
        else:
            n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
        windows = check_series(X, estimator=self)
        W3 = as_3d(windows)
        self._check_fitted_shape(W3)
        window_length = self._window_length()
        if W3.shape[1] != window_length:
            raise ValueError(
                f"X has windows of {W3.shape[1]} samples, but SeriesWindower was "
                f"fitted with window_length={window_length}: X must be windows "
                "in the layout transform returns."
            )
        per_series = self.windows_per_series(n_timesteps)
        if W3.shape[0] % per_series:
            raise ValueError(
                f"X has {W3.shape[0]} windows, which is not a multiple of the "
                f"{per_series} windows of a series of {n_timesteps} timesteps; pass "
                "the n_timesteps of the series they were cut from."
            )
        layout = self._layout(W3.shape[0] // per_series, int(n_timesteps))
        chunk = default_chunk_windows(window_length, W3.shape[2])
        out = np.zeros(
            (layout.n_series, layout.n_timesteps, W3.shape[2]), dtype=np.float64
        )
        # Each series' windows are summed divided by a power of two (exact)
        # near its largest magnitude, per channel: sums of windows near 1e308
        # overflowed to inf. Only large series are divided (small ones would
        # lose their digits to underflow).
        grouped = W3.reshape(layout.n_series, -1, W3.shape[2])
        peak = np.maximum(grouped.max(axis=1), -grouped.min(axis=1)).astype(float)
        exponent = np.where(peak > 1.0, np.frexp(peak)[1], 0)
        unit = np.ldexp(1.0, np.minimum(exponent, np.finfo(np.float64).maxexp - 1))
        for rows, series, starts in layout.chunks(chunk):
            part = W3[rows].astype(np.float64) / unit[series][:, np.newaxis]
            layout.accumulate(out, series, starts, part)
        out /= layout.weight_sum(chunk)[:, np.newaxis]
        out *= unit[:, np.newaxis]
        left = (layout.n_timesteps - n_timesteps) // 2
        out = out[:, left : left + n_timesteps]
        return restore_ndim(out, windows.ndim).astype(windows.dtype, copy=False)

    def __sklearn_tags__(self):
        return series_tags(super().__sklearn_tags__())
