"""Running a denoiser of one sampling rate on series of any rate, channel by channel."""

import functools
import math
import numbers
from fractions import Fraction

import numpy as np
from scipy import signal
from sklearn.base import clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._series import power_of_two_scale
from .._split import ROWS_PER_SERIES
from .._validation import (
    arrays_out,
    as_input_dtype,
    check_return_std,
    restore_ndim,
    std_as_input_dtype,
)
from ..base import (
    BaseDenoiser,
    SeriesTransformerMixin,
    _forget_fit_on_error,
    check_output_container,
)
from ._windowed import (
    _array_output,
    _inner_min_timesteps,
    _takes_validation_data,
    check_uncertainty_unchanged,
    inner_has_calibration,
    inner_has_std,
    record_template_uncertainty,
    validated_pair,
    validation_series,
)

__all__ = ["ResampledDenoiser"]

_RATE = [Interval(numbers.Real, 0, None, closed="neither")]

# The parameters that describe the series accepted: set after fit (a
# pretrained denoiser is moved to another rate by set_params), they are
# checked by transform as fit checks them.
_INPUT_PARAMETERS = ("sampling_rate", "min_sampling_rate", "min_duration")

# The largest denominator of the ratio of the rates (a polyphase filter grows
# with the factors).
_MAX_FACTOR = 1000
# The largest relative error of that fraction: the series reach the estimator
# at its rate to within 0.1 %.
_MAX_RATIO_ERROR = 1e-3
# The largest factor of the polyphase resampling (its filter has 128 taps per
# unit of it): every rate above 1 / 100 of the estimator's has smaller ones.
_MAX_TAPS = 100_000


def _factors(rate, target):
    """``(up, down)``: resampling from ``rate`` to about ``target`` Hz."""
    exact = float(target) / float(rate)
    ratio = Fraction(exact).limit_denominator(_MAX_FACTOR)
    if ratio == 0 or abs(float(ratio) / exact - 1) > _MAX_RATIO_ERROR:
        # Far above the estimator's rate the nearest fractions are 1/999,
        # 1/1000 and 0: 700 kHz would have been taken for 360 kHz.
        raise ValueError(
            f"sampling_rate={float(rate):g} Hz is too far above the estimator's "
            f"{float(target):g} Hz: their ratio has no fraction with a denominator "
            f"of at most {_MAX_FACTOR} within {_MAX_RATIO_ERROR:.1%}; downsample "
            "the series first."
        )
    # The filter grows with the factors: 0.01 Hz took 15 s and 0.5 GB for 100
    # samples, and a tinier rate failed inside NumPy.
    if exact > _MAX_FACTOR:
        raise ValueError(
            f"sampling_rate={float(rate):g} Hz is too far below the estimator's "
            f"{float(target):g} Hz: more than {_MAX_FACTOR} times below it; "
            "upsample the series first."
        )
    if max(ratio.numerator, ratio.denominator) > _MAX_TAPS:
        raise ValueError(
            f"sampling_rate={float(rate):g} Hz is too far below the estimator's "
            f"{float(target):g} Hz for its ratio: resampling by {ratio.numerator}/"
            f"{ratio.denominator} needs a filter of "
            f"{2 * _FILTER_HALF_LENGTH * ratio.numerator + 1:,} taps (factors of "
            f"at most {_MAX_TAPS:,}); upsample the series first, or round the "
            "rate."
        )
    return ratio.numerator, ratio.denominator


# The anti-aliasing filter: a Kaiser-windowed sinc whose transition band lies
# below the lower rate's Nyquist frequency (flat to within 1e-4 up to 0.9 of
# it, 0.76 at 0.95 as SciPy's default filter, attenuated 80 dB at it and
# beyond). SciPy's default filter puts its cutoff at that frequency, and lets
# content just above it fold back below at up to half its amplitude. Sharp
# means long: resampling takes several times SciPy's default (still a small
# part of a network's time).
_FILTER_HALF_LENGTH = 64  # taps on each side, per unit of the larger factor
_FILTER_CUTOFF = 0.96  # of the lower rate's Nyquist frequency
_FILTER_BETA = 8.0


@functools.lru_cache(maxsize=16)
def _lowpass(up, down):
    """The resampling filter's taps at ``up`` times the input rate."""
    larger = max(up, down)
    taps = signal.firwin(
        2 * _FILTER_HALF_LENGTH * larger + 1,
        _FILTER_CUTOFF / larger,
        window=("kaiser", _FILTER_BETA),
    )
    taps.setflags(write=False)
    return taps


def _margin(up, down, n_samples):
    """Blocks of ``down`` input samples by which a row is extended at each end.

    Enough to cover half the filter (``_FILTER_HALF_LENGTH * max(up, down) /
    up`` input samples), but about no more than the row's own length (rounded
    up to whole blocks): a row shorter than the filter gains nothing from
    repeated reflections of itself.
    """
    half = -(-_FILTER_HALF_LENGTH * max(up, down) // (up * down)) + 1
    return min(half, -(-n_samples // down) + 1)


def _resample(X2, up, down):
    """Rows of ``X2`` resampled by ``up / down`` (polyphase, zero-phase).

    Each row is extended at both ends by odd reflection (:func:`_margin`
    blocks of ``down`` samples) before filtering, and the extension is cut off
    afterwards: the first and last samples are filtered like the others
    instead of against a fitted line.
    """
    if up == down:
        return X2
    if X2.shape[1] == 1:
        # One sample is a constant: repeat it.
        return np.repeat(X2, math.ceil(up / down), axis=1)
    # The polyphase branches do not each pass a constant with a gain of exactly
    # one: an offset (a raw ADC baseline) would come back with a ripple at the
    # branches' rate. Each row's mean is taken out and put back exactly.
    mean = X2.mean(axis=1, keepdims=True)
    blocks = _margin(up, down, X2.shape[1])
    extended = np.pad(
        X2 - mean, ((0, 0), (blocks * down,) * 2), mode="reflect", reflect_type="odd"
    )
    out = signal.resample_poly(
        extended, up, down, axis=1, window=_lowpass(up, down), padtype="line"
    )
    length = -(-X2.shape[1] * up // down)
    return out[:, blocks * up : blocks * up + length] + mean


def _resample_std(S2, up, down):
    """Rows of (strictly positive) standard deviations resampled by ``up / down``.

    The variances are resampled as the series are (as
    :class:`WindowedDenoiser` overlap-adds variances with the weights of the
    outputs), on each row divided by a power of two so that squaring neither
    overflows nor underflows. The filter's ripple is clipped to the row's
    range: the result stays strictly positive and finite.
    """
    if up == down:
        return S2
    unit = power_of_two_scale(S2[:, :, np.newaxis])[:, :, 0]
    variance = _resample(np.square(S2 / unit), up, down)
    std = np.sqrt(np.maximum(variance, 0.0)) * unit
    return np.clip(std, S2.min(axis=1, keepdims=True), S2.max(axis=1, keepdims=True))


def _validation_taker(estimator):
    """The estimator inside the wrappers whose ``fit`` decides on validation_data."""
    from ._windowed import WindowedDenoiser

    while isinstance(estimator, (WindowedDenoiser, ResampledDenoiser)):
        estimator = estimator.estimator
    return estimator


class ResampledDenoiser(SeriesTransformerMixin, BaseDenoiser):
    """Denoise series of any sampling rate with a denoiser of another rate.

    The series are resampled to ``estimator_sampling_rate`` with
    :func:`scipy.signal.resample_poly`, denoised by ``estimator`` and resampled
    back to ``sampling_rate``; the output has the input's number of samples.
    The anti-aliasing filter passes content up to 0.9 of the lower rate's
    Nyquist frequency unchanged (to within 1e-4) and attenuates content at the
    Nyquist frequency and above by 80 dB, so nothing above it folds back below;
    each series is extended by odd reflection for the filter, so that its first
    and last samples are not filtered against a fitted line.
    Every channel is denoised as a univariate series on its own, so a denoiser
    of single-lead ECG denoises a 12-lead record lead by lead, and the number
    of channels may differ between ``fit`` and ``transform``. When the inner
    estimator's ``predict`` takes ``return_std`` (the neural denoisers, alone or
    in a :class:`WindowedDenoiser`), so does :meth:`predict`; the standard
    deviation needs one fitted with ``uncertainty``. When its ``fit`` takes
    ``validation_data`` (the same estimators), so does :meth:`fit`: series at
    ``sampling_rate`` (a tuple ``(X_val, y_val)`` or clean series alone),
    resampled and passed on (routed by a search or a pipeline with
    ``set_fit_request(validation_data=True)``).

    The ratio of the rates is approximated by the nearest fraction with a
    denominator of at most 1000 (exact for rates in whole hertz up to 1000 Hz);
    a ``sampling_rate`` whose ratio no such fraction gives within 0.1 % (above
    about 1000 times the estimator's rate: 360 kHz for an estimator at 360 Hz)
    is refused, and so is one more than 1000 times below it (0.36 Hz), or one
    below 1 / 100 of it whose fraction needs factors above 100,000.

    Parameters
    ----------
    estimator : object
        A denoiser of univariate series of any length (such as a
        :class:`WindowedDenoiser`), working at ``estimator_sampling_rate``.
        ``fit`` trains a clone of it; :func:`skdenoise.pretrained.load` returns
        a ``ResampledDenoiser`` around a fitted one.
    sampling_rate : float or None, default=None
        Sampling rate of the series, in Hz. None means
        ``estimator_sampling_rate``: no resampling.
    estimator_sampling_rate : float, default=None
        Sampling rate at which ``estimator`` works, in Hz (360 for the ECG
        models of :mod:`skdenoise.pretrained`, which
        :func:`~skdenoise.pretrained.load` sets). Required: ``fit`` refuses
        None, since the rate is the estimator's to know and no default fits
        every kind of series.
    min_sampling_rate : float or None, default=None
        Lowest ``sampling_rate`` accepted, in Hz (a denoiser can only restore
        what the samples still hold); None accepts any.
    min_duration : float or None, default=None
        Shortest series accepted, in seconds; None accepts any.

    Attributes
    ----------
    estimator_ : object
        The fitted denoiser run on the resampled series.
    estimator_sampling_rate_ : float
        The ``estimator_sampling_rate`` that ``estimator_`` was fitted at;
        ``transform`` and ``partial_fit`` refuse another one set since.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit``; ``transform``
        accepts any number.

    See Also
    --------
    WindowedDenoiser : Denoise series of any length window by window.
    skdenoise.pretrained.load : A fitted ECG denoiser for any sampling rate.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import SavitzkyGolayDenoiser
    >>> from skdenoise.pipeline import ResampledDenoiser
    >>> t = np.arange(0, 4, 1 / 250)
    >>> X = np.stack([np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)], axis=-1)[None]
    >>> denoiser = ResampledDenoiser(
    ...     SavitzkyGolayDenoiser(window_length=15), sampling_rate=250,
    ...     estimator_sampling_rate=360)
    >>> denoiser.fit(X).transform(X).shape
    (1, 1000, 2)
    """

    @property
    def _learns_from_target(self):
        # As its estimator: a filter's wrapper ignores a y not shaped as X.
        return getattr(self.estimator, "_learns_from_target", True)

    # fit(X, y, validation_data=...) passes the validation series on,
    # resampled: a routed parameter under scikit-learn's metadata routing.
    __metadata_request__fit = {"validation_data": None}

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "transform"])],
        "sampling_rate": [*_RATE, None],
        "estimator_sampling_rate": [*_RATE, None],
        "min_sampling_rate": [*_RATE, None],
        "min_duration": [*_RATE, None],
    }

    _any_length = True

    # Their bools are refused in hertz and seconds by _check_input.
    _own_bool_checks = (*_INPUT_PARAMETERS, "estimator_sampling_rate")

    def _warn_if_time_first(self, X, transforming=False):
        # Series shorter than min_duration are refused with the same advice.
        try:
            refused = np.shape(X)[1] < self.min_duration * self._rate()
        except (TypeError, ValueError):  # no min_duration (or a rate to be refused)
            refused = False
        if not refused:
            super()._warn_if_time_first(X, transforming)

    @property
    def _min_timesteps(self):
        # The inner estimator's shortest series (a neural denoiser needs two
        # timesteps), in samples at the series' own rate: a column (n, 1)
        # read as n series of one trained a wrapped network on nothing.
        least = _inner_min_timesteps(self.estimator)
        if least == 1:
            return 1
        try:
            up, down = _factors(self._rate(), self.estimator_sampling_rate)
        except Exception:  # noqa: BLE001 - bad rates get their own message
            return least
        # The fewest samples that resample to ``least`` (ceil(n * up / down)),
        # and two at least: one sample upsampled is a constant.
        return max(2, (least - 1) * down // up + 1)

    def __init__(
        self,
        estimator,
        sampling_rate=None,
        estimator_sampling_rate=None,
        min_sampling_rate=None,
        min_duration=None,
    ):
        self.estimator = estimator
        self.sampling_rate = sampling_rate
        self.estimator_sampling_rate = estimator_sampling_rate
        self.min_sampling_rate = min_sampling_rate
        self.min_duration = min_duration

    @classmethod
    def _get_test_params(cls):
        """Tiny settings for the test suite: a classical inner denoiser, 2x rate."""
        from ..classical import SavitzkyGolayDenoiser

        return {
            "estimator": SavitzkyGolayDenoiser(window_length=3, polyorder=1),
            "sampling_rate": 2.0,
            "estimator_sampling_rate": 1.0,
        }

    # ------------------------------------------------------------- geometry
    def _rate(self):
        if self.estimator_sampling_rate is None:
            # fit refuses it; later calls name the fitted rate.
            raise ValueError(self._no_estimator_rate())
        if self.sampling_rate is None:
            return float(self.estimator_sampling_rate)
        return float(self.sampling_rate)

    def _no_estimator_rate(self, fitting=False):
        """The message for an ``estimator_sampling_rate`` of None."""
        fitted = getattr(self, "estimator_sampling_rate_", None)
        if fitted is not None and not fitting:
            return (
                f"{type(self).__name__} has estimator_sampling_rate=None, but its "
                f"estimator_ was fitted at {fitted:g} Hz. Set it back to {fitted:g} "
                "(the rate of your series is sampling_rate), or fit again."
            )
        return (
            f"{type(self).__name__} needs estimator_sampling_rate: the rate in Hz "
            f"at which its estimator {type(self.estimator).__name__} works (360 "
            "for the ECG models of skdenoise.pretrained, whose load() sets it); "
            "the series are resampled from sampling_rate to it and back. Series "
            "at the estimator's own rate need no ResampledDenoiser."
        )

    def _check_input(self, n_timesteps, fitting=False, n_series=None):
        """Reject a sampling rate or a length the settings do not accept.

        ``fit`` (and a first ``partial_fit``) validated every parameter;
        otherwise only the parameters that describe the series accepted are
        checked, and the estimator's rate against the fitted one.
        """
        name = type(self).__name__
        if fitting and self.estimator_sampling_rate is None:
            raise ValueError(self._no_estimator_rate(fitting=True))
        if not fitting:
            validate_parameter_constraints(
                {key: self._parameter_constraints[key] for key in _INPUT_PARAMETERS},
                {key: getattr(self, key) for key in _INPUT_PARAMETERS},
                caller_name=name,
            )
        for key in (*_INPUT_PARAMETERS, "estimator_sampling_rate"):
            # scikit-learn's Real interval takes True for 1.
            if isinstance(getattr(self, key), (bool, np.bool_)):
                unit = "seconds" if key == "min_duration" else "hertz"
                raise InvalidParameterError(
                    f"The {key!r} parameter of {name} must be a number of {unit}; "
                    f"got {getattr(self, key)!r}."
                )
        rate = self._rate()
        fitted = getattr(self, "estimator_sampling_rate_", None)
        current = self.estimator_sampling_rate
        if (
            not fitting
            and fitted is not None
            and (
                not isinstance(current, numbers.Real)
                or isinstance(current, bool)
                or float(current) != fitted
            )
        ):
            raise ValueError(
                f"{name} has estimator_sampling_rate={current!r}, but its "
                f"estimator_ was fitted at {fitted:g} Hz and would get series at "
                f"the wrong rate. Set it back to {fitted:g} (the rate of your "
                "series is sampling_rate), or fit again."
            )
        if self.min_sampling_rate is not None and rate < self.min_sampling_rate:
            raise ValueError(
                f"{name} got sampling_rate={rate:g} Hz, below the lowest rate it "
                f"accepts ({self.min_sampling_rate:g} Hz): the samples do not hold "
                "the frequencies the denoiser needs. Record at a higher rate."
            )
        # Rounded first: 1.1 s at 360 Hz is 396 samples, not 396.00000000000006.
        needed = (
            None
            if self.min_duration is None
            else math.ceil(round(self.min_duration * rate, 9))
        )
        if needed is not None and n_timesteps < needed:
            # The sample counts differ; durations rounded alike could not.
            hint = (
                f" X has {n_series} rows: series are rows, time along them; a "
                "recording with time down the columns is transposed (X.T), or "
                "given as shape (1, n_samples, n_leads)."
                if n_series is not None and n_series >= needed
                else ""
            )
            raise ValueError(
                f"{name} got series of {n_timesteps} samples at {rate:g} Hz; it "
                f"needs at least {needed} samples ({self.min_duration:.4g} s).{hint}"
            )

    def _check_fitted_shape(self, X3, X=None):
        # Any length and any number of channels: each channel is a series. The
        # column names of series of the fitted length are compared.
        self._check_names(X3, X)
        self._check_inner_length(X3.shape[1])

    def _check_inner_length(self, n_timesteps):
        """Refuse a length that a fixed-length inner estimator cannot take.

        Said in the series' own samples and rate, before the inner estimator
        would refuse the resampled length in its own terms.
        """
        inner = getattr(self, "estimator_", None)
        fitted = getattr(inner, "n_features_in_", None)
        if inner is None or fitted is None or getattr(inner, "_any_length", True):
            return
        # The rates first: a bad one gets its own message.
        self._check_input(n_timesteps)
        up, down = _factors(self._rate(), self.estimator_sampling_rate)
        length = math.ceil(n_timesteps * up / down)
        if length != fitted:
            raise ValueError(
                f"{type(self).__name__}: its estimator {type(inner).__name__} takes "
                f"series of the length it was fitted on only ({fitted} samples at "
                f"{float(self.estimator_sampling_rate_):g} Hz); these series have "
                f"{n_timesteps} samples at {self._rate():g} Hz ({length} at its "
                "rate). Wrap the estimator in WindowedDenoiser to denoise series "
                "of any length."
            )

    def _to_model(self, X3):
        """Channels as series, resampled to the estimator's rate (2-D)."""
        n_series, n_timesteps, n_channels = X3.shape
        X2 = np.moveaxis(X3, 2, 1).reshape(n_series * n_channels, n_timesteps)
        up, down = _factors(self._rate(), self.estimator_sampling_rate)
        if up == down:
            # A copy: the estimator gets an array of its own, never the
            # caller's (nor can its output be the caller's array).
            return X2.copy()
        return _resample(X2, up, down)

    def _from_model(self, Y2, shape, std=False):
        """The estimator's output back at the series' rate and shape.

        ``std``: ``Y2`` is the output's standard deviation.
        """
        n_series, n_timesteps, n_channels = shape
        down, up = _factors(self._rate(), self.estimator_sampling_rate)
        Y2 = np.asarray(Y2, dtype=np.float64)
        # What _to_model gave the estimator: one row per series and channel.
        given = (n_series * n_channels, -(-n_timesteps * down // up))
        if Y2.shape not in (given, (*given, 1)):
            raise ValueError(
                f"The inner estimator {type(self.estimator_).__name__} returned "
                f"{'a standard deviation' if std else 'series'} of shape "
                f"{Y2.shape} for input of shape {given}; a denoiser must keep "
                "the shape."
            )
        resample = _resample_std if std else _resample
        Y2 = resample(Y2.reshape(given), up, down)[:, :n_timesteps]
        return np.moveaxis(Y2.reshape(n_series, n_channels, n_timesteps), 1, 2)

    # -------------------------------------------------------------- fitting
    def _validate_fit_params(self, X3, y3, validation_data=None, **fit_params):
        """``validation_data`` of ``fit``, at ``sampling_rate``, passed on resampled."""
        name = type(self).__name__
        if fit_params:
            raise TypeError(
                f"{name}.fit got unexpected keyword argument(s) "
                f"{sorted(fit_params)}; it takes validation_data only."
            )
        if validation_data is None:
            return {}
        taker = _validation_taker(self.estimator)
        if not _takes_validation_data(taker):
            inner = "" if taker is self.estimator else f" (its {type(taker).__name__})"
            raise TypeError(
                f"{name}.fit got validation_data, but its estimator "
                f"{type(self.estimator).__name__}{inner} takes none (only the "
                "neural denoisers do, alone or in a WindowedDenoiser)."
            )
        where = f"validation_data of {name}.fit"
        if (
            isinstance(validation_data, list)
            and len(validation_data) == 2
            and all(np.ndim(part) == 2 for part in validation_data)
            and any(np.shape(part)[1] != X3.shape[2] for part in validation_data)
        ):
            # Read as series, a pair [X_val, y_val] became two series of
            # n_timesteps channels, which the rows of channels took without a
            # word. (Two recordings of X's channels are series.)
            rows, columns = np.shape(validation_data[0])
            raise ValueError(
                f"{where} is a list of two 2-D arrays, read as two series of "
                f"{rows} timesteps and {columns} channels (the training series "
                f"have {X3.shape[2]}); give a pair of noisy and clean series as "
                "a tuple (X_val, y_val)."
            )
        X_val, y_val = validation_series(self, validation_data, where)
        X_val = X_val.astype(np.float64)
        y_val = None if y_val is None else y_val.astype(np.float64)
        fixed = not getattr(self.estimator, "_any_length", True)
        if fixed and X_val.shape[1] != X3.shape[1]:
            raise ValueError(
                f"{where} has series of {X_val.shape[1]} timesteps; its estimator "
                f"{type(self.estimator).__name__} takes series of one length, "
                f"those of the training series ({X3.shape[1]}). Wrap it in a "
                "WindowedDenoiser for validation series of any length."
            )
        # The parameters and X first (a bad rate is no fault of the validation
        # series), then the validation length, at the rates of this fit.
        self._check_input(X3.shape[1], fitting=True, n_series=X3.shape[0])
        try:
            self._check_input(X_val.shape[1], fitting=True)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        return {"validation": (X_val, y_val)}

    def _fit(self, X3, y3, validation=None):
        self._check_input(X3.shape[1], fitting=True, n_series=X3.shape[0])
        estimator = _array_output(clone(self.estimator))
        self._fit_model(estimator.fit, X3, y3, validation)
        self.estimator_ = estimator
        record_template_uncertainty(self)
        self.estimator_sampling_rate_ = float(self.estimator_sampling_rate)
        _record_rate(estimator, self.estimator_sampling_rate_)

    def _fit_model(self, method, X3, y3, validation=None):
        from ..noise._base import zero_series_in_windows

        _check_training_rates(method.__self__, self.estimator_sampling_rate)
        if y3 is not None and X3.shape[2] > 1:
            _check_channel_units(method.__self__, X3, y3)

        # The estimator's rows are the channels of each series, resampled: its
        # warning about series of zeros names no row index the user never gave,
        # and it holds out the leads of a recording together.
        # (Times the rows per series of an outer wrapper's, whose rows are
        # leads of recordings too.)
        rows = ROWS_PER_SERIES.set(ROWS_PER_SERIES.get() * X3.shape[2])
        kwargs = {}
        if validation is not None:
            X_val, y_val = validation
            X_val = self._to_model(X_val)
            kwargs["validation_data"] = (
                X_val if y_val is None else (X_val, self._to_model(y_val))
            )
        try:
            with arrays_out(), zero_series_in_windows():
                if y3 is None:
                    method(self._to_model(X3), **kwargs)
                else:
                    method(self._to_model(X3), self._to_model(y3), **kwargs)
        finally:
            ROWS_PER_SERIES.reset(rows)

    def _inner_has_partial_fit(self):
        return hasattr(getattr(self, "estimator_", self.estimator), "partial_fit")

    @available_if(_inner_has_partial_fit)
    def partial_fit(self, X, y=None):
        """Train the fitted denoiser further on ``X`` (and ``y``).

        Only when the inner estimator has ``partial_fit``. The series are
        resampled as in ``transform``; the first call on an unfitted denoiser
        starts from a clone of ``estimator``, later calls (and calls on a
        denoiser of :func:`skdenoise.pretrained.load`) continue from
        ``estimator_``. This is how a pretrained denoiser is fine-tuned.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or series on their own, at
            ``sampling_rate``.
        y : array-like of the same shape as X, default=None
            Clean series.

        Returns
        -------
        self : object
            The denoiser.
        """
        first = not hasattr(self, "estimator_")
        self._validate_params()
        X3, y3 = self._validate_fit_data(X, y)
        self._check_input(X3.shape[1], fitting=first, n_series=X3.shape[0])
        estimator = _array_output(clone(self.estimator)) if first else self.estimator_
        # A failed first call leaves the denoiser unfitted.
        with _forget_fit_on_error(self, active=first):
            if first:
                self._record_fitted_shape(X3, X)
            else:
                self._check_fitted_shape(X3, X)
            self._fit_model(estimator.partial_fit, X3, y3)
            self.estimator_ = estimator
            if first:
                self.estimator_sampling_rate_ = float(self.estimator_sampling_rate)
                _record_rate(estimator, self.estimator_sampling_rate_)
                record_template_uncertainty(self)
        return self

    # ------------------------------------------------------------ inference
    def _transform(self, X3):
        self._check_input(X3.shape[1], n_series=X3.shape[0])
        with arrays_out():
            Y2 = self.estimator_.transform(self._to_model(X3))
        return self._from_model(Y2, X3.shape)

    @available_if(inner_has_std)
    def predict(self, X, return_std=False):
        """Denoise series at any rate, with their standard deviation on request.

        Only when the inner estimator's ``predict`` takes ``return_std`` (the
        neural denoisers and a :class:`WindowedDenoiser` around one do). The
        standard deviation is computed at ``estimator_sampling_rate`` and
        brought back to ``sampling_rate`` as the output is: the variances are
        resampled with the same filter, within the range of each series'
        own (so that the filter's ripple leaves them strictly positive).

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series at ``sampling_rate``, of any length.
        return_std : bool, default=False
            Also return the standard deviation of every denoised sample.

        Returns
        -------
        X_denoised : ndarray of the same shape as X
            What :meth:`transform` returns.
        X_std : ndarray of the same shape as X
            Only with ``return_std=True`` (in the same container as
            ``X_denoised`` under ``set_output``): the standard deviation of each
            denoised sample, strictly positive.

        Raises
        ------
        ValueError
            As the inner estimator's ``predict`` raises it, for instance for a
            neural denoiser fitted without ``uncertainty``.
        """
        return_std = check_return_std(return_std, type(self).__name__)
        if not return_std:
            return self.transform(X)
        check_is_fitted(self)
        check_uncertainty_unchanged(self)
        raw = X
        X, X3 = self._validate_transform_data(X)
        self._check_input(X3.shape[1], n_series=X3.shape[0])
        from ..neural._uncertainty import (
            check_units_by_series,
            units_checked_by_caller,
        )

        n_channels = X3.shape[2]

        def name(row, _):
            # The estimator's series are the channels of each series.
            series, channel = divmod(row, n_channels)
            return f"series {series}" + (
                f", channel {channel}" if n_channels > 1 else ""
            )

        model_input = self._to_model(X3)
        check_units_by_series(self.estimator_, model_input[..., np.newaxis], name)
        with arrays_out(), units_checked_by_caller():
            mean, std = self.estimator_.predict(model_input, return_std=True)
        mean = self._from_model(mean, X3.shape)
        std = self._from_model(std, X3.shape, std=True)
        self._check_finite_output(mean, X3)
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
        denoisers and a :class:`WindowedDenoiser` around one do). ``X`` and
        ``y`` are resampled to ``estimator_sampling_rate`` as in ``predict``,
        and the inner calibration is fitted on them there; the network and
        ``transform`` are unchanged. This is how the band of a pretrained
        denoiser is calibrated on recordings like yours.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series at ``sampling_rate`` that the network did not train on.
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
        self._check_input(X3.shape[1], n_series=X3.shape[0])
        with arrays_out():
            self.estimator_.calibrate_uncertainty(
                self._to_model(X3), self._to_model(y3)
            )
        return self

    def _non_deterministic(self):
        # Tags are read before fit validates the parameters.
        if isinstance(self.estimator, type) or not hasattr(
            self.estimator, "__sklearn_tags__"
        ):
            return False  # a class (refused by fit) is not drawn with a traceback
        return get_tags(self.estimator).non_deterministic


def _check_channel_units(estimator, X3, y3):
    """Refuse channels whose ``y`` is in other units than ``X``, channel by channel.

    The estimator trains on each channel as a series of its own, so a network
    learns one map from X's units to y's for all channels (its own map is
    per channel): a lead in microvolts came out wrong on every lead. Offsets
    are not compared: the slow part of recorded noise (the NSTDB's electrode
    motion) differs between leads as an offset would. A fitted estimator
    (``partial_fit`` continuing) keeps its map, and checks its units itself.
    """
    inner = getattr(estimator, "estimator", estimator)
    if not (
        hasattr(estimator, "_check_calibration_units")
        or hasattr(inner, "_check_calibration_units")
    ):
        return  # it does not learn y's units
    if hasattr(estimator, "estimator_") or hasattr(estimator, "model_"):
        return
    from ..neural._base import _units_map

    n_channels = X3.shape[2]
    scale, offset = _units_map(X3, y3)
    scale = np.median(scale.reshape(-1, n_channels), axis=0)
    offset = np.median(offset.reshape(-1, n_channels), axis=0)
    positive = scale > 0
    ratio = np.max(scale) / np.min(scale) if np.all(positive) else np.inf
    if ratio <= 1.25:
        return
    maps = "; ".join(
        f"channel {c}: y ~ {scale[c]:.4g} * X + {offset[c]:.4g}"
        for c in range(n_channels)
    )
    raise ValueError(
        f"ResampledDenoiser trains its estimator on every channel as a series "
        f"of its own, with one map from X's units to y's for all of them, but y "
        f"is in other units than X on some channels ({maps}). Give y in X's "
        "units channel by channel, or fit one ResampledDenoiser per channel."
    )


def _rated_parts(obj, seen=None):
    """The noise models and augmentations inside ``obj``, with a sampling rate.

    Walks the parameters of estimators, the components of noise mixtures, the
    steps of augmentation chains and pipelines; not into another
    :class:`ResampledDenoiser`, whose estimator sees a rate of its own.
    """
    from sklearn.base import BaseEstimator

    from ..augment import BaseAugmentation
    from ..noise._base import BaseNoise

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (list, tuple, dict)):
        # Steps, components, and a search's grid of candidates.
        for item in obj.values() if isinstance(obj, dict) else obj:
            yield from _rated_parts(item, seen)
        return
    if not isinstance(obj, BaseEstimator) or isinstance(obj, ResampledDenoiser):
        return
    params = obj.get_params(deep=False)
    if isinstance(obj, (BaseNoise, BaseAugmentation)) and "sampling_rate" in params:
        yield obj, params["sampling_rate"]
    for value in params.values():
        yield from _rated_parts(value, seen)
    # A fitted wrapper's partial_fit trains its fitted estimator_ (the
    # pretrained model's network), not the template in its parameters.
    yield from _rated_parts(getattr(obj, "estimator_", None), seen)


def _check_training_rates(estimator, rate):
    """Refuse noise or augmentation at another rate than the series ``estimator`` gets.

    The estimator trains on series resampled to ``rate``: a noise model made
    for the user's rate would put its frequencies (a 50 Hz hum, a wander band)
    at the wrong place by the ratio of the rates.
    """
    from ..noise._base import other_rate_advice

    for part, own in _rated_parts(estimator):
        if own is None or isinstance(own, bool):
            continue
        try:
            own = float(own)
        except (TypeError, ValueError):
            continue  # the part's own check names the bad value
        if not math.isfinite(own) or own <= 0 or math.isclose(own, rate, rel_tol=1e-9):
            continue
        raise ValueError(
            f"ResampledDenoiser trains its estimator on series resampled to "
            f"estimator_sampling_rate={rate:g} Hz, but its {type(part).__name__} "
            f"has sampling_rate={own:g}: its frequencies would be wrong by a "
            f"factor of {rate / own:.3g}. {other_rate_advice(part, rate)}."
        )


def _record_rate(estimator, rate):
    """Note on a fitted inner estimator the sampling rate it was fitted at.

    Read by :func:`skdenoise.export` (the windowing JSON of an exported
    ``estimator_`` names its rate) and by ``skdenoise denoise`` (a saved
    ``estimator_`` refuses WFDB records of another rate).
    """
    estimator._sampling_rate_ = float(rate)
