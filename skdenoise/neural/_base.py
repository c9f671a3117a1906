"""The base class of the neural denoisers: training and inference in one place.

Importing this module imports Keras and TensorFlow. Only public APIs of Keras
and TensorFlow are used. A seeded fit seeds Python's ``random`` (from which
Keras draws layer seeds) while the network is built and trained, and restores
it afterwards; shuffling, noise and augmentation draw from their own NumPy
generators, so no global random state is left changed.
"""

import contextlib
import contextvars
import functools
import inspect
import io
import math
import numbers
import os
import tempfile
import threading
import types
import weakref

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import _wrap_data_with_container
from sklearn.utils.validation import check_is_fitted

from .._series import power_of_two_of_peak, power_of_two_scale, series_statistics
from .._split import (
    HOLD_NOTHING,
    ROWS_PER_SERIES,
    by_series,
    later_split_note,
    next_roles,
    warn_all_held,
)
from .._split import split_validation as plain_split
from .._tf import (
    SEED_LOCK,
    import_keras,
    leave_xla_to_the_machine,
    load_keras_model,
    quiet_tf_logger,
    saved_compile_settings,
    seeded,
)
from .._validation import (
    as_3d,
    check_finite_scalar,
    check_return_std,
    check_series,
    check_target,
    check_validation_data_kind,
    restore_ndim,
    std_as_input_dtype,
)
from .._warnings import warn_at_caller
from ..augment import AugmentationChain, BaseAugmentation, RandomTimeWarp
from ..base import BaseDenoiser, _forget_fit_on_error
from ..exceptions import TargetIgnoredWarning
from ..noise import BaseNoise, WhiteNoise
from ..noise._base import (
    quiet_zero_series,
    zero_series_are_windows,
    zero_series_warned,
)
from . import _uncertainty
from ._averaging import WeightAverage
from ._batches import (
    HardFirstCurriculum,
    NetworkInput,
    TrainingBatches,
    keep_clean,
    level_reference,
    normalize_mode,
    split_validation,
)
from ._blind_spot import BlindSpotMasker, MaskedLoss
from ._fused import fuse_adam_updates
from ._gate import apply_gate, fit_gate

keras = import_keras()

from .networks import _layers  # noqa: E402  (registers the custom layers)

__all__ = ["FLIPS", "BaseNeuralDenoiser"]

_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}
_LOSSES = {
    "mse": keras.losses.MeanSquaredError,
    "mae": keras.losses.MeanAbsoluteError,
    "huber": keras.losses.Huber,
    "snr": _layers.NegativeSNRLoss,
    "snr_l1": _layers.NegativeL1SNRLoss,
    "ssd_mad": _layers.SSDMADLoss,
}
_POLICY_LOCK = threading.RLock()

# The gate is calibrated on at least this many validation series and channels.
_GATE_MIN_SERIES = 10
# n_passes="auto" runs at most this many passes, and keeps a pass only when it
# raises the validation series' mean output SNR (capped as the SNR loss) by at
# least _PASS_MIN_GAIN_DB and does not lower it on the cleanest
# _PASS_CLEAN_SHARE of the series (by input SNR), both measured with the pass's
# gate fitted on the other half of the validation series (cross-fitted, when
# each half has at least _GATE_MIN_SERIES series): each pass costs one more
# inference, and on ECG the gains of the later passes, scored on the series
# their gates were fitted on, did not carry over from one validation record to
# another (they cost nearly clean windows up to 0.7 dB).
_MAX_AUTO_PASSES = 8
_PASS_MIN_GAIN_DB = 0.2
_PASS_CLEAN_SHARE = 1.0 / 3.0
_PASS_SNR_CAP_DB = 30.0
_PRECISIONS = {"float32", "mixed_bfloat16", "mixed_float16"}

# fit warns that the network did not learn when its validation error energy is
# at least this share of its inputs' own (0.004 dB gained or less): a network
# collapsed to the identity gains about 0.0001 dB.
_NOT_LEARNED_RATIO = 0.999

# Fits with at most this many gradient steps run eagerly (no graph tracing).
_EAGER_MAX_STEPS = 16

# Inference runs the model on chunks of at most this many values.
_CHUNK_VALUES = 2**18
# The (sign, time reversal) variants of a series that ``average_flips`` averages
# and ``uncertainty="flips"`` spreads: itself, its negation, its time reversal
# and both.
FLIPS = ((1.0, False), (-1.0, False), (1.0, True), (-1.0, True))

# A map from X's units to y's closer to the identity than this is the identity.
_SAME_UNITS_TOLERANCE = 0.05


# later_split_note of the current call's split, when it held nothing out.
_NOTHING_HELD = contextvars.ContextVar("skdenoise_nothing_held", default=None)


def _reseed_generators(model, seed):
    """Set the state of every random layer's seed generator from ``seed``.

    A network loaded from a file rebuilds its generators afresh (their states
    are not saved), so a ``partial_fit`` call draws its dropout masks from a
    state set here, the same for the network it was saved from.
    """
    rng = np.random.default_rng(seed)
    for layer in model._flatten_layers(include_self=True, recursive=True):
        for generator in getattr(layer, "_seed_generators", ()):
            state = generator.state
            value = np.array(
                [int(rng.integers(1, 2**31 - 1)), 0],
                dtype=keras.ops.convert_to_numpy(state).dtype,
            )
            state.assign(value)


@contextlib.contextmanager
def _dtype_policy(name):
    """Build layers under the Keras dtype policy ``name``; restore it on exit.

    Keras' ``floatx`` is held at float32 too (see :func:`_float32_floatx`).
    The seeds' lock is taken first, as :func:`seeded` takes it before this
    one (a network built under a seed): a load in one thread, taking them the
    other way round, and a build in another waited on each other for good.
    """
    with SEED_LOCK, _POLICY_LOCK:
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(name)
        try:
            with _float32_floatx():
                yield
        finally:
            keras.config.set_dtype_policy(previous)


_FLOATX_LOCK = threading.Lock()
_FLOATX_HELD = {"depth": 0, "user": "float32"}


@contextlib.contextmanager
def _float32_floatx():
    """Hold Keras' global ``floatx`` at float32; restore the user's on exit.

    A user's 16-bit floatx made the compiled loss and the loss trackers of
    ``Model.fit`` float16: losses above 65504 came out infinite, and early
    stopping ended a ``precision="float32"`` fit after ``patience`` epochs
    without a word. Counted across threads: the user's floatx comes back
    when the last of the fits running at once ends.
    """
    with _FLOATX_LOCK:
        if not _FLOATX_HELD["depth"]:
            _FLOATX_HELD["user"] = keras.config.floatx()
            if _FLOATX_HELD["user"] != "float32":
                keras.config.set_floatx("float32")
        _FLOATX_HELD["depth"] += 1
    try:
        yield
    finally:
        with _FLOATX_LOCK:
            _FLOATX_HELD["depth"] -= 1
            # Unless the user set another floatx meanwhile (from a thread of
            # their own), which is theirs to keep.
            if (
                not _FLOATX_HELD["depth"]
                and _FLOATX_HELD["user"] != "float32"
                and keras.config.floatx() == "float32"
            ):
                keras.config.set_floatx(_FLOATX_HELD["user"])


def _float32_outputs(model, input_shape):
    """``model`` with its output in float32 (mixed precision computes in 16 bits).

    ``input_shape`` (without the batch) is the shape the model takes, for
    models that were never called on a symbolic input (a ``Sequential``
    without an ``Input``, a subclassed model): those are called on one.
    """
    try:
        inputs, outputs = model.input, model.outputs
    except (AttributeError, ValueError):  # never called symbolically
        inputs = outputs = None
    if outputs is not None:
        if all(str(t.dtype) == "float32" for t in outputs):
            return model
        output = model.output
    else:
        spec = model.compute_output_spec(
            keras.KerasTensor((None, *input_shape), dtype="float32")
        )
        if str(spec.dtype) == "float32":
            return model
        inputs = keras.Input(shape=input_shape)
        output = model(inputs)
    output = keras.layers.Activation("linear", dtype="float32", name="float32_output")(
        output
    )
    return keras.Model(inputs, output, name=model.name)


def store_init_args(estimator, args):
    """Store ``__init__``'s keyword arguments unchanged, as scikit-learn requires.

    Called as ``store_init_args(self, locals())`` first thing in ``__init__``.
    A subclass's own parameters are not among ``args`` (the ``locals()`` of
    the class it calls ``super().__init__`` of): it stores them itself, after.
    """
    for name in type(estimator)._get_param_names():
        if name in args:
            setattr(estimator, name, args[name])


def _fitted_state(estimator):
    """The fitted attributes but the network (``x_``, ``_x_``): a shallow copy."""
    return {
        key: value
        for key, value in vars(estimator).items()
        if key.endswith("_") and not key.startswith("__") and key != "model_"
    }


def _regress(x, y):
    """Slope and intercept of ``x ~ slope * y + intercept`` along axis 0."""
    y_mean, x_mean = y.mean(axis=0), x.mean(axis=0)
    y_var = np.mean((y - y_mean) ** 2, axis=0)
    covariance = np.mean((x - x_mean) * (y - y_mean), axis=0)
    usable = (y_var > 0) & np.isfinite(covariance) & (covariance != 0)
    slope = np.divide(covariance, y_var, out=np.ones_like(covariance), where=usable)
    intercept = np.where(usable, x_mean - slope * y_mean, 0.0)
    return np.where(usable, slope, 1.0), intercept


def _same_array(a, b):
    """Whether two arrays hold the same values (the same object at once)."""
    return a is b or (a.shape == b.shape and np.array_equal(a, b))


def _units_map(X3, y3):
    """``(scale, offset)`` with ``y ~ scale * x + offset``: X's units to y's.

    The identity whenever ``X`` and ``y`` can be one signal in one set of
    units (:func:`_same_units`: ``y`` clean or a noisy copy, more or less noisy
    than ``X``), and an offset alone when only their means differ. Otherwise
    fitted by regressing the noisy series on the clean ones (noise
    independent of the clean series leaves that slope unbiased) and
    inverted: one map per channel, unless maps per timestep and channel fit
    significantly better, in sample and out of it: scikit-learn's scalers in
    front of the denoiser transform each column (timestep) apart.
    """
    n_channels = X3.shape[2]
    identity = np.ones((1, 1, n_channels)), np.zeros((1, 1, n_channels))
    if y3 is None:
        return identity
    # Both divided by one power of two per channel (exactly): the variances
    # neither overflow near 1e160 nor underflow near 1e-170. Every step below is
    # unchanged by a common scale but the offset, which is scaled back.
    # (Without a copy of both together, nor two divided copies: the check
    # held nine copies of X at once on large training sets.)
    peak = np.maximum(
        np.max(np.abs(X3), axis=1, keepdims=True),
        np.max(np.abs(y3), axis=1, keepdims=True),
    )  # each series' peak over X and y together, as of their concatenation
    unit = np.max(power_of_two_of_peak(peak), axis=0, keepdims=True)
    X_scaled, y_scaled = X3 / unit, y3 / unit
    # The scalers' mark is a value of 1, which the exact rescaling makes 1 / unit.
    scaled_apart = _columns_scaled_apart(X_scaled, y_scaled, 1.0 / unit.ravel())
    scale, offset = _units_map_scaled(X_scaled, y_scaled, scaled_apart)
    return scale, offset * unit


def _units_map_scaled(X3, y3, scaled_apart):
    """:func:`_units_map` on series below 2 in magnitude."""
    n_channels = X3.shape[2]
    same, same_scale = _same_units(X3, y3, scaled_apart)
    if np.all(same):
        return np.ones((1, 1, n_channels)), np.zeros((1, 1, n_channels))
    # Channels whose slopes say one scale but whose means differ (an offset
    # between two noisy copies, Noise2Noise from electrodes at other DC
    # levels) get the offset alone: the regression below assumes a clean y,
    # and a noisy one would shrink its slope by the signal's share of y's
    # variance and blow the output up by its inverse.
    shifted = ~same & same_scale
    other = ~same & ~same_scale
    difference = np.mean(y3[..., shifted], axis=(0, 1)) - np.mean(
        X3[..., shifted], axis=(0, 1)
    )
    if not np.any(other):
        scale = np.ones((1, 1, n_channels))
        offset = np.zeros((1, 1, n_channels))
        offset[..., shifted] = difference
        return scale, offset
    # The channels in other units get their map; the others keep the identity.
    x_other, y_other = X3[..., other], y3[..., other]
    flat = (
        x_other.reshape(-1, x_other.shape[2]),
        y_other.reshape(-1, y_other.shape[2]),
    )
    slope, intercept = _regress(*flat)
    local = _per_timestep_fit(x_other, y_other, slope, intercept)
    if local is None:
        # One change of units (y in mV, X in V; or an offset): one map per
        # channel, not one per timestep estimated from a few series each.
        slope, intercept = slope[None, None], intercept[None, None]
    else:
        slope, intercept = local[0][None], local[1][None]
    scale = np.ones((1, slope.shape[1], n_channels))
    offset = np.zeros((1, slope.shape[1], n_channels))
    scale[..., other] = 1.0 / slope
    offset[..., other] = -intercept / slope
    offset[..., shifted] = difference
    return scale, offset


def _columns_scaled_apart(X3, y3, one=None):
    """Per channel: whether ``X``'s timesteps carry a column scaler's mark.

    scikit-learn's scalers in front of a denoiser (``StandardScaler``,
    ``MinMaxScaler``, ``RobustScaler``, ``MaxAbsScaler``, with their default
    settings) give every column (timestep) of ``X`` a standard deviation,
    range, interquartile range or largest magnitude of 1 across the series,
    to rounding, and leave ``y`` as it was. One value shared by every column
    is not enough (windows cut one sample apart hold the recording's extremes
    in every column), and a mark that ``y`` shares is the series' own, not a
    scaler's. Such an ``X`` is not in the series' own units, whatever its
    spread.
    """
    n_series, n_timesteps, n_channels = X3.shape
    if n_series < 2 or n_timesteps < 2:
        return np.zeros(n_channels, dtype=bool)
    one = np.ones(n_channels) if one is None else one
    x_marks, y_marks = _column_marks(X3, one), _column_marks(y3, one)
    return np.any(x_marks & ~y_marks, axis=0)


def _column_marks(X3, one):
    """``(4, n_channels)``: which of four statistics is ``one`` in every column."""
    q25, q75 = np.percentile(X3, [25, 75], axis=0)
    statistics = (
        X3.std(axis=0),
        np.ptp(X3, axis=0),
        q75 - q25,
        np.max(np.abs(X3), axis=0),
    )
    marks = np.zeros((len(statistics), X3.shape[2]), dtype=bool)
    for i, values in enumerate(statistics):  # (n_timesteps, n_channels) each
        for channel in range(X3.shape[2]):
            column = values[:, channel]
            varying = column[column > 0]
            # The scalers' own value, 1 (by default), in every column.
            unit = one[channel]
            marks[i, channel] = varying.size >= 2 and np.all(
                np.abs(varying - unit) <= 1e-9 * unit
            )
    return marks


# Per-series scalings, and what they make 1 in every series.
_SERIES_SCALINGS = {
    "standard": "a standard deviation of 1",
    "robust": "an interquartile range of 1",
    "minmax": "a range of 1",
    "rms": "an RMS of 1",
}
# Validation inputs whose median RMS lies this factor beyond the training
# inputs' (1st to 99th percentile) are taken to be in other units.
_VALIDATION_UNITS_MARGIN = 10.0


def _series_scalings(X3, min_series=2):
    """Per channel, the names of ``_SERIES_SCALINGS`` that hold in every series.

    A scaling holds when every series and channel that is not constant has the
    statistic within 1e-6 of 1 (at least ``min_series`` such series): the
    output of a per-series scaler such as
    :class:`skdenoise.pipeline.SeriesScaler`. None for a channel with fewer
    series that are not constant (nothing to tell). Also returns every
    series' standard deviation (its RMS about its mean), (n, c).
    """
    found = [set() for _ in range(X3.shape[2])]
    standard = None
    for method in _SERIES_SCALINGS:
        _, scale, constant = series_statistics(X3, method, return_constant=True)
        if method == "standard":
            standard = scale[:, 0, :]
        for channel in range(X3.shape[2]):
            values = scale[:, 0, channel][~constant[:, 0, channel]]
            if values.size < min_series:
                found[channel] = None
            elif found[channel] is not None and np.all(np.abs(values - 1.0) <= 1e-6):
                found[channel].add(method)
    return found, standard


# Clean series whose standard deviations spread more than this factor (10th to
# 90th percentile) lose their amplitudes to a per-series scaler before the
# denoiser.
_AMPLITUDE_SPREAD = 1.25


def _per_series_scaler_before(estimator):
    """The per-series scaler a ``Pipeline`` being fitted runs before ``estimator``.

    None unless a ``Pipeline`` on the stack is fitting the step that holds
    ``estimator`` (itself, or a wrapper, a search or a pipeline around it),
    and an earlier step (in a nested pipeline too) scales each series (row)
    by itself: :class:`~skdenoise.pipeline.SeriesScaler`, or scikit-learn's
    ``Normalizer``, a step of its own or a branch of a ``FeatureUnion`` or
    ``ColumnTransformer``. A Pipeline transforms ``X`` only, never ``y``.
    """
    import sys

    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import Normalizer

    from ..base import flat_steps, pipelines_on_stack
    from ..preprocessing import SeriesScaler
    from ..windowing import WindowedDenoiser

    # Pipelines inside a WindowedDenoiser (other than ``estimator``) only: a
    # scaler before the wrapper scaled whole series, and the spread of its
    # windows is their content's; the wrapper checks the series itself.
    frame, inner, windowed = sys._getframe(1), set(), False
    while frame is not None:
        owner = frame.f_locals.get("self")
        if isinstance(owner, Pipeline):
            inner.add(id(owner))
        elif isinstance(owner, WindowedDenoiser) and owner is not estimator:
            windowed = True
            break
        frame = frame.f_back
    for pipeline, index in pipelines_on_stack(sys._getframe(1)):
        if windowed and id(pipeline) not in inner:
            break
        if index is None:
            continue
        earlier = [step for _, step in pipeline.steps[:index]]
        for step in _branches(flat_steps(earlier)):
            if isinstance(step, (SeriesScaler, Normalizer)):
                return step
    return None


def _branches(steps):
    """``steps`` with the transformers of a FeatureUnion or ColumnTransformer.

    A per-series scaler in one of their branches scales the series (or the
    columns of them) that reach the denoiser just as a step of its own does.
    """
    from ..base import flat_steps

    for step in steps:
        branches = getattr(step, "transformer_list", None)
        if not isinstance(branches, list):
            branches = getattr(step, "transformers", None)
        if isinstance(branches, list) and all(
            isinstance(branch, tuple) and len(branch) >= 2 for branch in branches
        ):
            yield from _branches(flat_steps([branch[1] for branch in branches]))
        else:
            yield step


def _warn_if_scaled_per_series(estimator, X3, y3):
    """Warn when a Pipeline scales X series by series before a denoiser.

    The clean series keep their amplitudes while every noisy one comes in at
    one scale: the amplitude of each is lost, and the one map from ``X``'s
    units to ``y``'s cannot give it back, so every output comes back at about
    the same amplitude. Said only where the clean series' amplitudes differ.
    """
    if y3 is None:
        return
    scaler = _per_series_scaler_before(estimator)
    if scaler is None:
        return
    for channel in range(y3.shape[2]):
        std = y3[:, :, channel].std(axis=1)
        std = std[std > 0]
        if std.size < 2:
            continue
        low, high = np.percentile(std, [10, 90])
        if high <= _AMPLITUDE_SPREAD * low:
            continue
        where = f" of channel {channel}" if y3.shape[2] > 1 else ""
        warn_at_caller(
            f"{type(estimator).__name__} follows {type(scaler).__name__} in a "
            "Pipeline, which scales every noisy series by itself and leaves the "
            f"clean series in y as they are: their standard deviations{where} "
            f"range from {low:.3g} to {high:.3g} (10th to 90th percentile). The "
            "scaling hides each series' amplitude from the denoiser, and its "
            "outputs come back at about one amplitude for all. Leave the scaler "
            "out: the neural denoisers standardise each series themselves "
            "(normalize=True) and give the output back in its units.",
            UserWarning,
        )
        return


def _validation_units_problem(X3, inputs3, name="X_val"):
    """Why ``inputs3`` (validation series) look prepared otherwise than ``X3``.

    None when nothing says so. Inside a ``Pipeline`` the steps before the
    denoiser transform ``X`` but not ``validation_data``, which reaches the
    denoiser as given: a per-series scaling that every training series shows
    and the validation series lack, or a median RMS far outside the training
    series', names it.
    """
    (trained, train_rms), (validated, val_rms) = (
        _series_scalings(X3),
        _series_scalings(inputs3, 1),
    )
    for channel, (done, seen) in enumerate(zip(trained, validated, strict=True)):
        if done is None or seen is None:
            continue
        missing = [method for method in _SERIES_SCALINGS if method in done - seen]
        if missing:
            where = f" in channel {channel}" if X3.shape[2] > 1 else ""
            return (
                f"every series of X{where} has {_SERIES_SCALINGS[missing[0]]} "
                f"(a per-series scaler's output) and the series of {name} do not"
            )
    for channel in range(X3.shape[2]):
        train = train_rms[:, channel][train_rms[:, channel] > 0]
        val = val_rms[:, channel][val_rms[:, channel] > 0]
        if train.size == 0 or val.size == 0:
            continue
        low, high = np.percentile(train, [1, 99])
        median = float(np.median(val))
        if not (
            low / _VALIDATION_UNITS_MARGIN <= median <= high * _VALIDATION_UNITS_MARGIN
        ):
            where = f" of channel {channel}" if X3.shape[2] > 1 else ""
            return (
                f"the median RMS{where} of {name}'s series is {median:.3g}, while "
                f"X's lie from {low:.3g} to {high:.3g}"
            )
    return None


# Deviations from the same units smaller than this many standard errors (from
# the spread between groups of series) are chance.
_SAME_UNITS_ERRORS = 4.0
# Groups of samples the standard errors are estimated over (at least, and at
# most).
_UNITS_GROUPS = 8
_MAX_UNITS_GROUPS = 32


def _same_units(X3, y3, scaled_apart=None):
    """Per channel: whether ``X`` and ``y`` can be one signal in one set of units.

    So when ``y`` is the clean signal and ``X`` it plus noise, and when both
    carry noise of their own (Noise2Noise, a copy noisier than the other or
    not): then both regressions, ``x`` on ``y`` and ``y`` on ``x``, have slopes
    between 0 and 1 (the signal's share of the regressor's variance), and the
    means agree. A change of units shows as a slope above 1 either way, or of
    the other sign, or an offset. Each bound is widened by the slope's (or the
    mean difference's) standard error, estimated from its spread over groups
    of series (a jackknife: slow noise shared by neighbouring samples makes
    the pooled regression's own errors too small), so that chance correlation
    between noise and signal is not taken for a change of units.

    Returns ``(same, same_scale)``: per channel, whether both hold, and
    whether the slopes alone do (then only the means differ: an offset).
    Channels scaled apart are never of the same scale.
    """
    n_channels = X3.shape[2]
    x_flat, y_flat = X3.reshape(-1, n_channels), y3.reshape(-1, n_channels)
    x_std = x_flat.std(axis=0)
    x_unit = np.where(x_std > 0, x_std, 1.0)
    slope_xy, slope_yx, difference = _units_statistics(x_flat, y_flat)
    errors = _units_errors(X3, y3)
    tolerance = _SAME_UNITS_TOLERANCE
    k = _SAME_UNITS_ERRORS
    margin_xy = np.maximum(tolerance, k * errors[0])
    margin_yx = np.maximum(tolerance, k * errors[1])
    slopes_agree = (
        (slope_xy >= -margin_xy)
        & (slope_xy <= 1.0 + margin_xy)
        & (slope_yx >= -margin_yx)
        & (slope_yx <= 1.0 + margin_yx)
    )
    one_signal = slopes_agree & (
        np.abs(difference) <= np.maximum(tolerance * x_unit, k * errors[2])
    )
    # Columns scaled apart are not in the series' own units, whatever the
    # noise: a map near the identity (a scaler that changed little) is kept
    # as the identity, any other is fitted.
    near_identity = (np.abs(slope_xy - 1.0) <= tolerance) & (
        np.abs(difference) <= tolerance * x_unit
    )
    if scaled_apart is None:
        scaled_apart = np.zeros(X3.shape[2], dtype=bool)
    same = np.where(scaled_apart, near_identity, one_signal)
    same_scale = ~scaled_apart & slopes_agree
    return same, same_scale


def _units_statistics(x, y):
    """Slopes of ``x`` on ``y`` and ``y`` on ``x``, and ``mean(x) - mean(y)``."""
    slope_xy, _ = _regress(x, y)
    slope_yx, _ = _regress(y, x)
    return slope_xy, slope_yx, x.mean(axis=0) - y.mean(axis=0)


def _units_errors(X3, y3):
    """Jackknife standard errors of :func:`_units_statistics`, per channel.

    The samples are cut into at most ``_MAX_UNITS_GROUPS`` groups of
    neighbouring series (windows cut from one recording overlap, so a series
    alone is no independent sample) or, with fewer series than
    ``_UNITS_GROUPS``, stretches of each series, and each statistic is
    computed again without each group in turn (from the groups' sums: linear
    in the data). Zeros when there are too few samples to group.
    """
    n_series, n_timesteps, n_channels = X3.shape
    blocks = max(1, min(-(-_UNITS_GROUPS // n_series), n_timesteps // 2))
    if n_series * blocks < 2:
        return np.zeros((3, n_channels))
    edges = np.linspace(0, n_timesteps, blocks + 1).astype(int)
    # Centred on the overall means, so that the sums lose no precision.
    x = X3 - X3.mean(axis=(0, 1))
    y = y3 - y3.mean(axis=(0, 1))
    # Rows of neighbouring series summed together, at most _MAX_UNITS_GROUPS.
    starts = np.linspace(0, n_series, min(n_series, _MAX_UNITS_GROUPS) + 1)
    starts = np.unique(starts[:-1].astype(int))

    def group_sums(values):
        # (n_groups * blocks, n_channels): each group's sum over each stretch.
        stretches = zip(edges[:-1], edges[1:], strict=True)
        parts = [values[:, a:b].sum(axis=1) for a, b in stretches]
        per_series = np.stack(parts, axis=1)  # (n_series, blocks, n_channels)
        return np.add.reduceat(per_series, starts, axis=0).reshape(-1, n_channels)

    series_per_group = np.diff(np.append(starts, n_series))
    counts = (series_per_group[:, None] * np.diff(edges)[None]).reshape(-1, 1)
    # One product at a time (all three at once held five copies of X).
    sums = [group_sums(x), group_sums(y)]
    sums += [group_sums(a * b) for a, b in ((x, x), (y, y), (x, y))]
    n = counts.sum() - counts  # samples left without each group
    sx, sy, sxx, syy, sxy = (total.sum(axis=0) - total for total in sums)
    mx, my = sx / n, sy / n
    var_x, var_y = sxx / n - mx * mx, syy / n - my * my
    cov = sxy / n - mx * my
    with np.errstate(divide="ignore", invalid="ignore"):
        slope_xy = np.where(var_y > 0, cov / var_y, 1.0)
        slope_yx = np.where(var_x > 0, cov / var_x, 1.0)
    estimates = np.stack([slope_xy, slope_yx, mx - my], axis=1)  # (groups, 3, ch)
    n_groups = len(estimates)
    deviations = estimates - estimates.mean(axis=0)
    # In units of the largest deviation: a slope near 1e160 (X a scaler's
    # output, y near 1e160) squares without overflow.
    largest = np.max(np.abs(deviations), axis=0)
    largest = np.where(largest > 0, largest, 1.0)
    spread = np.sum((deviations / largest) ** 2, axis=0)
    return largest * np.sqrt((n_groups - 1) / n_groups * spread)


def _per_timestep_fit(X3, y3, slope, intercept):
    """``x ~ y`` per timestep and channel if it fits much better than per channel.

    An F test of the per-timestep regressions against the global one, and the
    same comparison out of sample (the regressions fitted on every other
    series, scored on the rest, and the other way round): they are needed when
    the columns were transformed apart (scikit-learn's scalers in front), not
    for noise in the few series each column has, which heavy-tailed or slow
    noise can make pass the F test alone. Returns their ``(slope,
    intercept)``, or None for the global map.
    """
    n_series, n_timesteps = X3.shape[:2]
    extra = 2 * (n_timesteps - 1)
    residual_df = n_series * n_timesteps - 2 * n_timesteps
    if n_series < 6 or extra < 1 or residual_df < 1:
        return None
    global_rss = np.sum((X3 - (slope * y3 + intercept)) ** 2, axis=(0, 1))
    local_slope, local_intercept = _regress(X3, y3)
    local_rss = np.sum((X3 - (local_slope * y3 + local_intercept)) ** 2, axis=(0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        f = ((global_rss - local_rss) / extra) / (local_rss / residual_df)
    # F is about 1 without a real difference; its spread is sqrt(2/d1 + 2/d2).
    limit = 1.0 + 5.0 * np.sqrt(2.0 / extra + 2.0 / residual_df)
    if not np.any(np.nan_to_num(f, nan=0.0) > limit):
        return None
    halves = (slice(0, None, 2), slice(1, None, 2))
    n_channels = X3.shape[2]
    for fit_on, score_on in (halves, halves[::-1]):
        x_fit, y_fit = X3[fit_on], y3[fit_on]
        x_score, y_score = X3[score_on], y3[score_on]
        g_slope, g_intercept = _regress(
            x_fit.reshape(-1, n_channels), y_fit.reshape(-1, n_channels)
        )
        l_slope, l_intercept = _regress(x_fit, y_fit)
        global_out = np.sum((x_score - (g_slope * y_score + g_intercept)) ** 2)
        local_out = np.sum((x_score - (l_slope * y_score + l_intercept)) ** 2)
        if not local_out < global_out:
            return None
    return local_slope, local_intercept


# calibrate_uncertainty and later partial_fit calls refuse y whose units map
# from X differs from the fitted one by more than this factor.
_UNITS_FACTOR = 10.0


def _is_plain(value):
    """Whether ``value`` is a plain number, string, None or tuple/list of them."""
    if isinstance(value, (tuple, list)):
        return all(_is_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str, np.number))


def _same_plain(a, b):
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(
            _same_plain(x, y) for x, y in zip(a, b, strict=True)
        )
    return (
        type(a) is type(b)
        and a == b
        or (
            isinstance(a, (int, float, np.number))
            and isinstance(b, (int, float, np.number))
            and not isinstance(a, bool)
            and not isinstance(b, bool)
            and a == b
        )
    )


def _warps(augment):
    """Whether ``augment`` (or a step of its chain) is a :class:`RandomTimeWarp`."""
    if isinstance(augment, RandomTimeWarp):
        return True
    return isinstance(augment, AugmentationChain) and any(
        _warps(step) for step in augment.steps
    )


def _same_object(before, now):
    """Whether a parameter that is not a plain value is unchanged.

    The same object, or an equal container or array set again in its place.
    """
    if before is now:
        return True
    if isinstance(before, np.ndarray) and isinstance(now, np.ndarray):
        return before.dtype == now.dtype and np.array_equal(before, now)
    if type(before) is type(now) and isinstance(before, (dict, list, tuple)):
        try:
            return bool(before == now)
        except Exception:  # noqa: BLE001 - arrays inside: not comparable as a whole
            return False
    return False


def _warn_offset_series(noise, series, name, takes_offsets):
    """Say when an SNR target meets series whose offset dwarfs their variation.

    A noise model's SNR is measured against a series' whole power, its mean
    included (as :func:`skdenoise.metrics.snr` measures it): on raw ADC counts
    or prices the training noise is far louder than the signal's variation.
    ``takes_offsets``: the network's input is centred (``normalize="standard"``),
    so that a network fitted on series less their means takes series with an
    offset at transform.
    """
    flat = series.reshape(len(series), -1, series.shape[-1])
    mean = flat.mean(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        power = np.sum(np.square(flat), axis=(1, 2))
        variation = np.sum(np.square(flat - mean), axis=(1, 2))
        moving = variation > 0
        if not np.any(moving):
            return
        gap = float(np.median(10 * np.log10(power[moving] / variation[moving])))
    if not gap >= 3.0:
        return
    rows = flat[np.flatnonzero(moving)[:8]]
    centred = rows - rows.mean(axis=1, keepdims=True)
    from .._warnings import silenced

    try:
        # Quiet, without the warnings module's filters (shared by threads).
        with silenced((Warning, "")), np.errstate(all="ignore"):
            added = noise.apply(rows, random_state=0) - rows
            added_centred = noise.apply(centred, random_state=0) - centred
    except Exception:  # training meets (and reports) it
        return
    with np.errstate(all="ignore"):
        louder = 10 * np.log10(
            np.sum(np.square(added)) / np.sum(np.square(added_centred))
        )
    if not louder >= 3.0:  # an amplitude, or an SNR about the mean
        return
    warn_at_caller(
        f"The series that {name}.fit adds noise to carry an offset: their mean "
        f"holds {gap:.0f} dB more power than their variation (median over the "
        "series). The noise's SNR is measured against a series' whole power, "
        f"offset included, so the network trains on noise about {louder:.0f} dB "
        "louder against the signal's variation than the SNR asked. Fit on the "
        "series less their means (X - X.mean(axis=1, keepdims=True); "
        + (
            "the denoiser takes series with an offset at transform"
            if takes_offsets
            else "with this normalize, remove them at transform too and add them back"
        )
        + "), or give the noise an amplitude (snr=None).",
        UserWarning,
    )


def _drop_closed_files(callback):
    """Let a callback go of the files it closed at the end of training.

    Keras' ``CSVLogger`` keeps its closed log file, which no copy or pickle
    takes: clone, pickle and joblib of the fitted denoiser failed. The
    callback opens it again at the start of the next training.
    """
    for name, value in list(vars(callback).items()):
        if isinstance(value, io.IOBase) and value.closed:
            setattr(callback, name, None)


class _AvailableWithReason:
    """A method that is not there (``hasattr`` False) when ``check`` raises.

    As scikit-learn's ``available_if``, with the ``AttributeError`` that
    ``check`` raises given as it is: ``available_if`` replaces its message
    by "has no attribute", and the reason was seen only in the chained cause.
    """

    def __init__(self, fn, check):
        self.fn = fn
        self.check = check
        functools.update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn
        self.check(obj)
        return types.MethodType(self.fn, obj)


def _available_with_reason(check):
    return functools.partial(_AvailableWithReason, check=check)


class BaseNeuralDenoiser(BaseDenoiser):
    """Base class of the neural denoisers (not for direct use).

    A concrete denoiser defines ``__init__`` with its explicit keyword
    hyper-parameters, the network's own and every common one of the other
    networks (``noise`` to ``verbose``, as :class:`~skdenoise.UNetDenoiser`
    lists them), stored by ``store_init_args(self, locals())``; its
    ``_parameter_constraints`` merge in ``_common_parameter_constraints``;
    and ``_build_network(n_timesteps, n_channels)``, and, when
    its network needs them, ``_length_multiple`` (the padded length must be a
    multiple of it) and ``_to_network`` (the last step before the network).

    The hooks of training, in the order ``_fit`` calls them:
    ``_check_network_params`` (settings against the series length, before
    anything is built), ``_network_input`` (normalisation and padding),
    ``_training_batches`` (given all the series and ``rows``, the indices of
    those to train on), ``_build_keras_model`` and ``_keras_fit``.
    ``_transform`` runs ``_predict_normalised`` on chunks of the series.

    Notes
    -----
    ``fit(X, y)`` learns to map the noisy ``X`` to the clean ``y``. With a
    ``noise`` model, fresh noise is added to the inputs at every epoch (to ``X``
    when ``y`` is given, as augmentation; to the clean ``X`` when it is not).
    ``fit(X)`` without a noise model treats ``X`` as clean and adds white
    Gaussian noise at an SNR drawn per series from 0 to 20 dB.

    When ``y`` is in other units than ``X`` (a scaler in front of the denoiser
    in a pipeline, say), ``fit`` learns the affine map from ``X``'s units to
    ``y``'s (``target_scale_``, ``target_offset_``) and the network works in
    ``X``'s units, so ``transform`` returns series in ``y``'s units. Pairs
    that can be one signal in one set of units (a clean ``y``, or a noisy copy
    for Noise2Noise, noisier than ``X`` or not: both regressions between them
    have slopes from 0 to 1, within their errors, and equal means) keep the
    identity, channel by channel; when only their means differ (noisy copies
    from electrodes at other DC levels) the map is that offset alone. So a
    change of units that makes ``y`` larger than ``X`` by a factor under
    1 / (the share of ``X``'s variance that is signal) is taken for a noisier
    ``y``, with or without an offset (second-order statistics cannot tell a
    clean ``y`` in such units from a noisy copy; give ``y`` in ``X``'s units
    then), except after a scikit-learn scaler with its default settings,
    whose mark (a spread of 1 at every timestep) is recognised.
    """

    # Parameters that every ``partial_fit`` call reads afresh (the learning
    # rate is given to the optimizer): the others (layers, optimizer, loss,
    # precision, normalisation) are fixed when the first call builds the network.
    _PER_CALL_PARAMS = frozenset(
        {
            "augment",
            "average_flips",
            "batch_size",
            "callbacks",
            "clean_fraction",
            "ema_momentum",
            "epochs",
            "gate",
            "jit_compile",
            "learning_rate",
            "mask_fraction",
            "mask_width",
            "n_jobs",
            "n_members",
            "n_passes",
            "noise",
            "noise_curriculum",
            "patience",
            "random_state",
            "uncertainty",
            "uncertainty_samples",
            "validation_split",
            "verbose",
        }
    )

    # Parameters that transform and predict read as they are now (checked
    # there; predict's spread keeps the average_flips and uncertainty_samples
    # it was calibrated with, _spread_settings_).
    _transform_params = ("average_flips", "uncertainty", "uncertainty_samples")

    # fit(X, y, **fit_params) takes validation_data: a routed parameter under
    # scikit-learn's metadata routing (set_fit_request(validation_data=True)).
    __metadata_request__fit = {"validation_data": None}
    # WindowedDenoiser passes its own validation windows (whole series).
    _takes_validation_data = True

    _common_parameter_constraints = {
        "noise": [BaseNoise, None],
        "augment": [BaseAugmentation, None],
        "normalize": ["boolean", StrOptions({"standard", "rms"})],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "ema_momentum": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "loss": [StrOptions(set(_LOSSES))],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "validation_split": [Interval(numbers.Real, 0, 1, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "callbacks": [list, None],
        "clean_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "noise_curriculum": [tuple, list, None],
        "gate": [StrOptions({"isotonic"}), None],
        "average_flips": ["boolean"],
        "n_passes": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "precision": [StrOptions(_PRECISIONS)],
        "jit_compile": ["boolean", StrOptions({"auto"})],
        "training": [StrOptions({"supervised", "blind_spot"})],
        "mask_width": [Interval(numbers.Integral, 1, None, closed="left")],
        "mask_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "uncertainty": [
            StrOptions({"mc_dropout", "ensemble", "sampling", "flips"}),
            None,
        ],
        "n_members": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_jobs": [
            Interval(numbers.Integral, None, -1, closed="right"),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "uncertainty_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Run short fits eagerly; recurrent layers step through time in Python when
    # eager, so networks with one never are (nor those that turn this off).
    _eager_short_fits = True

    # Smallest series the networks accept; one sample carries no time structure.
    _min_timesteps = 2

    @classmethod
    def _get_test_params(cls):
        """Tiny settings (one epoch, few units) for the test suite."""
        return {"epochs": 1, "batch_size": 8, "random_state": 0}

    # ---------------------------------------------------------------- network
    def _build_network(self, n_timesteps, n_channels):  # pragma: no cover
        raise NotImplementedError

    def _length_multiple(self):
        """The network needs the padded length to be a multiple of this."""
        return 1

    def _to_network(self, inputs):
        """The network's input for a normalised, padded float64 batch."""
        return inputs

    def _input_settings(self):
        """What turns series into network inputs, besides the network itself.

        Recorded when the network is built (``_input_settings_``) and checked
        at inference: a network fitted on inputs made one way cannot take
        inputs made another way after ``set_params``.
        """
        settings = {
            "normalize": normalize_mode(self.normalize),
            "length multiple": self._length_multiple(),
            **self._band_settings(),
        }
        if self._level_input():
            # Only when set: files saved before the option have no such key.
            settings["level input"] = True
        return settings

    def _level_input(self):
        """Whether the network also reads each series' level (a channel)."""
        return False

    def _band_settings(self):
        """Settings of ``_to_network`` (none unless it adds channels)."""
        return {}

    def _apply_learning_rate(self):
        """Give the optimizer the current ``learning_rate`` (a later partial_fit).

        Fine-tuning often wants a smaller rate than the first training's; the
        optimizer built then takes the new one for the next epochs.
        """
        optimizer = getattr(self.model_, "optimizer", None)
        if optimizer is not None:  # built with a float rate (_build_keras_model)
            optimizer.learning_rate = float(self.learning_rate)

    def _built_params(self):
        """The parameters fixed when the network is built, of plain values.

        Its layers, optimizer, loss and precision: every parameter but those
        each ``partial_fit`` call reads afresh (``_PER_CALL_PARAMS``). Values
        that are not plain numbers, strings or tuples of them (a builder
        function, an optimizer instance) are left out.
        """
        return {
            name: value
            for name, value in self.get_params(deep=False).items()
            if name not in self._PER_CALL_PARAMS and _is_plain(value)
        }

    def _built_objects(self):
        """The parameters fixed when the network is built that are not plain.

        A builder function, an activation, an optimizer instance: compared by
        identity. Kept apart from ``_built_params_`` (not a fitted attribute,
        so not written by :func:`skdenoise.persistence.save`; a loaded
        denoiser records its parameters as loaded).
        """
        return {
            name: value
            for name, value in self.get_params(deep=False).items()
            if name not in self._PER_CALL_PARAMS and not _is_plain(value)
        }

    def _check_built_params(self):
        """Refuse a ``partial_fit`` after parameters of the network changed.

        The parameters are recorded when the network is built, or when a file
        saved before they were recorded is loaded (``_upgrade_old_state``).
        """
        changed = self._changed_built_params()
        if changed:
            raise ValueError(
                f"{type(self).__name__}.partial_fit continues training the network "
                "built by the first call, but these parameters, fixed when it was "
                f"built, changed since: {'; '.join(changed)}. Set them back, or "
                "call fit to build and train a new network."
            )

    def _changed_built_params(self):
        """``"name=old -> new"`` of each network parameter changed since built."""
        built = getattr(self, "_built_params_", None)
        if built is None:
            return []
        now = self.get_params(deep=False)
        changed = [
            f"{name}={value!r} -> {now[name]!r}"
            for name, value in built.items()
            if name in now
            and name not in self._PER_CALL_PARAMS
            and not _same_plain(value, now[name])
        ]
        changed += [
            f"{name}={value!r} -> {now[name]!r}"
            for name, value in vars(self).get("_built_object_params", {}).items()
            if name in now and not _same_object(value, now[name])
        ]
        # A builder's keyword set after the network was built (the builder's
        # default built it): KerasDenoiser's model__ parameters.
        recorded = {*built, *vars(self).get("_built_object_params", {})}
        changed += [
            f"{name} (not set when it was built) -> {value!r}"
            for name, value in now.items()
            if name.startswith("model__") and name not in recorded
        ]
        return changed

    def _check_fitted_shape(self, X3, X=None):
        super()._check_fitted_shape(X3, X)
        fitted = getattr(self, "_input_settings_", None)
        if fitted is None:  # saved before the settings were recorded
            return
        now = self._input_settings()
        # A setting absent on one side is off there ("level input").
        changed = [
            f"{k} {fitted.get(k, False)!r} -> {now.get(k, False)!r}"
            for k in {**fitted, **now}
            if now.get(k, False) != fitted.get(k, False)
        ]
        if changed:
            raise ValueError(
                f"{type(self).__name__}'s parameters changed since fit in how series "
                f"become network inputs ({'; '.join(changed)}): the fitted network "
                "takes them as in fit. Call fit again, or set those parameters back."
            )

    def _padding(self, n_timesteps):
        total = (-n_timesteps) % self._length_multiple()
        return total // 2, total - total // 2

    def _check_network_params(self, n_timesteps):
        """Reject settings that cannot work on series of ``n_timesteps``."""
        params = self.get_params(deep=False)
        for name in ("depth", "level"):
            # 2 ** depth of a huge depth: a number too long to print, or one
            # that takes forever to compute. No series is 2 ** 62 samples long.
            value = params.get(name)
            if isinstance(value, numbers.Integral) and value > 62:
                raise ValueError(
                    f"{type(self).__name__} with {name}={value} halves the series "
                    f"{value} times, which needs series of at least 2 ** {value - 1} "
                    f"samples; got {n_timesteps}. Use a smaller {name}."
                )
        multiple = self._length_multiple()
        # Series are padded to a multiple of this; padding more than doubling
        # the series would have the network learn mostly reflections (and a
        # very large multiple exhausts memory before Keras says why).
        if multiple > 2 * n_timesteps:
            raise ValueError(
                f"{type(self).__name__} with {self._geometry_text()} pads series to "
                f"a multiple of {multiple} samples, which needs series of at least "
                f"{-(-multiple // 2)} samples; got {n_timesteps}. Use smaller "
                "settings or longer series."
            )
        for callback in self.callbacks or []:
            if not isinstance(callback, keras.callbacks.Callback):
                raise ValueError(
                    f"The 'callbacks' parameter of {type(self).__name__} must be a "
                    "list of keras.callbacks.Callback instances; got an element "
                    f"{callback!r} of type {type(callback).__name__}."
                )
        if self.augment is not None:
            # Bad settings fail here, with their own message, not inside Keras.
            self.augment._check_params()
            if self.training == "blind_spot" and _warps(self.augment):
                warn_at_caller(
                    f"{type(self).__name__}(training='blind_spot') with "
                    "RandomTimeWarp: the warp interpolates the noisy series, "
                    "which correlates the noise of neighbouring samples, so the "
                    "network learns to predict a hidden sample's noise from its "
                    "neighbours and removes less of it. Leave the warp out of "
                    "blind-spot training."
                )
        activation = getattr(self, "activation", None)
        if isinstance(activation, str):
            try:
                keras.activations.get(activation)
            except ValueError:
                raise ValueError(
                    f"The 'activation' parameter of {type(self).__name__} must name "
                    f"a Keras activation (such as 'tanh', 'relu', 'sigmoid'); got "
                    f"{activation!r}."
                ) from None
        if (
            getattr(self, "training", None) == "blind_spot"
            and 2 * self.mask_width > n_timesteps
        ):
            raise ValueError(
                f"{type(self).__name__} with training='blind_spot' hides spans of "
                f"mask_width={self.mask_width} samples, which needs series of at "
                f"least {2 * self.mask_width} samples (half of every series "
                f"visible); got {n_timesteps}. Use a smaller mask_width."
            )

    def _geometry_text(self):
        names = [n for n in ("depth", "level", "pool_size") if hasattr(self, n)]
        filters = getattr(self, "filters", None)
        if not names and isinstance(filters, (list, tuple)):
            return f"filters={filters!r}"
        return ", ".join(f"{n}={getattr(self, n)!r}" for n in names) or "its settings"

    def _network_input(self):
        return NetworkInput(
            normalize=self.normalize,
            padding=self._padding,
            to_network=self._to_network,
            # The fitted network's own precision (set_params may have changed
            # the parameter since).
            precision=(self._built_precision() if hasattr(self, "model_") else None)
            or self.precision,
            level_reference=(
                getattr(self, "level_reference_", None) if self._level_input() else None
            ),
        )

    def _check_network_to_train(self, network):
        """Refuse a freshly built ``network`` that must not be trained (none)."""

    def _build_keras_model(self, n_steps=None, run_eagerly=None):
        """The compiled network; eager for a short fit of ``n_steps``.

        ``run_eagerly``: as given (a network rebuilt for one that a worker
        trained), instead of from ``n_steps``.
        """
        check_strategy(type(self).__name__)
        left, right = self._padding(self.n_features_in_)
        with _dtype_policy(self.precision):
            n_timesteps = self.n_features_in_ + left + right
            model = self._build_network(n_timesteps, self.n_channels_in_)
            self._check_network_to_train(model)
            # The outer model takes the precision's policy too: compile reads it
            # (loss scaling under mixed_float16), not the global one.
            model = _float32_outputs(model, (n_timesteps, self.n_channels_in_))
        # A float: Keras refuses NumPy scalars and ints (np.float32(1e-3), 1).
        optimizer_kwargs = {"learning_rate": float(self.learning_rate)}
        if self.weight_decay:
            optimizer_kwargs["weight_decay"] = float(self.weight_decay)
        # Tracing the training step costs about a second; for a handful of steps
        # running them eagerly is faster.
        eager = (
            run_eagerly
            if run_eagerly is not None
            else (
                self._eager_short_fits
                and n_steps is not None
                and n_steps <= _EAGER_MAX_STEPS
                and not any(
                    isinstance(layer, keras.layers.RNN)
                    for layer in model._flatten_layers(include_self=False)
                )
            )
        )
        with _float32_floatx():
            model.compile(
                optimizer=_OPTIMIZERS[self.optimizer](**optimizer_kwargs),
                loss=(
                    MaskedLoss(self.loss)
                    if self.training == "blind_spot"
                    else _LOSSES[self.loss]()
                ),
                run_eagerly=eager,
                # Not None: Keras keeps the metrics of an earlier compile then
                # (a user's network compiled with metrics=["mse"] ran them at
                # every epoch, and a failing one failed fit).
                metrics=[],
            )
        # The optimizer's slot variables made now: made inside the first trace
        # of the training step, each left an initialisation function in
        # TensorFlow's context for good (15 to 30 MB a fit, for the life of
        # the process: a search of 90 fits grew by 1.6 GB).
        model.optimizer.build(model.trainable_variables)
        return leave_xla_to_the_machine(model)

    # --------------------------------------------------------------- training
    def _training_noise(self, y3):
        if self.noise is not None or self.training == "blind_spot":
            # Blind-spot training takes X as noisy: no noise unless asked for.
            return self.noise
        if y3 is None:
            return WhiteNoise(snr=(0.0, 20.0))
        return None

    def _seed(self):
        """An int seed drawn from ``random_state``, as scikit-learn reads it.

        An int is the seed. None draws from NumPy's global generator, so that
        ``np.random.seed`` makes an unseeded script reproducible; a
        ``RandomState`` is drawn from (consumed), so that fitting again with it
        gives another result. Either way the training itself runs seeded, and
        Python's ``random`` is left as it was.
        """
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            return int(rs)
        return int(check_random_state(rs).randint(0, 2**31 - 1))

    def _training_batches(
        self,
        inputs,
        targets,
        noise,
        seed,
        network_input,
        epochs_done=0,
        reset=True,
        rows=None,
    ):
        n_rows = targets.shape[0] if rows is None else len(rows)
        batch_size = self._replica_batch_size(n_rows, reset)
        curriculum = None
        if self.noise_curriculum is not None and noise is not None:
            # The schedule spans the first share of all `epochs`; partial_fit
            # calls go on from the epochs done before.
            start_db, share = self.noise_curriculum
            per_epoch = math.ceil(n_rows / batch_size)
            curriculum = HardFirstCurriculum(
                noise,
                start_db,
                n_steps=share * self.epochs * per_epoch,
                offset=epochs_done * per_epoch,
            )
        return TrainingBatches(
            inputs,
            targets,
            noise=noise,
            augment=self.augment,
            batch_size=batch_size,
            seed=seed,
            network_input=network_input,
            clean_fraction=self.clean_fraction,
            masker=self._masker(),
            curriculum=curriculum,
            rows=rows,
        )

    def _check_noise_curriculum(self, noise):
        """Reject a ``noise_curriculum`` that cannot work with ``noise``."""
        curriculum = self.noise_curriculum
        if curriculum is None:
            return
        name = type(self).__name__
        if len(curriculum) != 2:
            raise ValueError(
                f"noise_curriculum of {name} must be a pair (start_db, share); "
                f"got {curriculum!r}."
            )
        start_db = check_finite_scalar(curriculum[0], "noise_curriculum[0] (start_db)")
        share = check_finite_scalar(curriculum[1], "noise_curriculum[1] (share)")
        if not 0 < share <= 1:
            raise ValueError(
                "noise_curriculum[1] (share) is the share of the training over "
                f"which the highest SNR rises; it must be in (0, 1]; got {share!r}."
            )
        if noise is None:
            raise ValueError(
                f"noise_curriculum of {name} schedules the noise added on the fly, "
                "but this fit adds none: give a noise model (noise=...) or fit on "
                "clean series alone."
            )
        snr = getattr(noise, "snr", None)
        if not isinstance(snr, (tuple, list)) or len(snr) != 2:
            raise ValueError(
                f"noise_curriculum of {name} needs a noise model whose snr is a "
                f"(low, high) range in dB; {type(noise).__name__} has snr={snr!r}."
            )
        low, high = snr
        if not low <= start_db < high:
            raise ValueError(
                f"noise_curriculum[0] (start_db) must lie in the noise's SNR range "
                f"[{low:g}, {high:g}) dB, where the highest SNR starts; got "
                f"{start_db:g}."
            )

    def _masker(self):
        """The masks of blind-spot training (None for supervised training)."""
        if self.training != "blind_spot":
            return None
        return BlindSpotMasker(self.mask_width, self.mask_fraction)

    def _replicas(self, reset=False):
        """Replicas that split every batch (1 without a strategy).

        Those of the strategy the network was built in, or (``reset``: a
        network about to be built) of the one in scope.
        """
        model = None if reset else getattr(self, "model_", None)
        if model is not None and model.distribute_strategy.num_replicas_in_sync > 1:
            return model.distribute_strategy.num_replicas_in_sync
        import tensorflow as tf

        if not tf.distribute.has_strategy():
            return 1
        return int(getattr(tf.distribute.get_strategy(), "num_replicas_in_sync", 1))

    def _replica_batch_size(self, n_series, reset=True):
        """The training batch: ``batch_size``, or all series when fewer.

        Under a strategy of several replicas Keras needs every global batch
        split evenly between them (it fails deep in TensorFlow otherwise):
        ``batch_size`` must be a multiple of the replicas, and fewer series
        than a batch make a batch of the largest multiple they fill.
        """
        replicas = self._replicas(reset)
        batch_size = min(self.batch_size, n_series)
        if replicas == 1:
            return batch_size
        name = type(self).__name__
        if self.batch_size % replicas:
            raise ValueError(
                f"{name}(batch_size={self.batch_size}) trains under a distribution "
                f"strategy of {replicas} replicas, which split every batch evenly: "
                f"batch_size must be a multiple of {replicas} (it is the global "
                "batch)."
            )
        if n_series < replicas:
            raise ValueError(
                f"{name} trains under a distribution strategy of {replicas} "
                f"replicas, one series each at least, but has {n_series} training "
                "series."
            )
        return batch_size - batch_size % replicas

    def _train_with_xla(self):
        """Compile the training step as ``jit_compile`` says; what to restore.

        None when nothing changes (a network that runs eagerly, or one
        compiled as asked). Otherwise the setting and the functions that
        :meth:`_keras_fit` sets back after training, so that inference keeps
        the compilation of ``compile`` (``"auto"``). The training and test
        functions of each setting are kept with the network: a later
        ``partial_fit`` reuses them instead of compiling again.
        """
        model = self.model_
        if model.run_eagerly:
            return None
        wanted = self.jit_compile
        if wanted == "auto":
            # Keras' own rule for "auto" (XLA on a GPU, not on a CPU, nor
            # under a distribution strategy).
            resolve = getattr(model, "_resolve_auto_jit_compile", None)
            wanted = bool(resolve()) if resolve is not None else False
        elif wanted and self._replicas() > 1:
            raise ValueError(
                f"{type(self).__name__}(jit_compile=True) trains under a "
                f"distribution strategy of {self._replicas()} replicas, and "
                "TensorFlow cannot compile a step of a strategy's replicas with "
                "XLA. Use jit_compile='auto' (Keras then trains without XLA) or "
                "False."
            )
        before = bool(model.jit_compile)
        if bool(wanted) == before:
            return None
        saved = _compiled_steps(model)
        restore = (
            before,
            (model.train_function, model.test_function, model.predict_function),
        )
        saved[before] = restore[1][:2]
        # A network XLA cannot compile: Keras warns and trains without.
        model.jit_compile = bool(wanted)
        model.train_function, model.test_function = saved.get(
            bool(model.jit_compile), (None, None)
        )
        return restore

    def _restore_jit_compile(self, restore):
        """Set back what :meth:`_train_with_xla` changed; keep its functions."""
        model = self.model_
        before, (train, test, predict) = restore
        _compiled_steps(model)[bool(model.jit_compile)] = (
            model.train_function,
            model.test_function,
        )
        model.jit_compile = before
        # (A predict during training, by a callback, compiled as the training.)
        model.train_function, model.test_function = train, test
        model.predict_function = predict

    def _keras_fit(self, batches, *, epochs, validation_data, callbacks):
        """Run ``Model.fit``; returns its history dict."""
        dataset, epoch_setter = batches.as_dataset()
        # Eager steps of Adam in one kernel per variable (the network just
        # built, and one loaded from a file, have Keras' own update).
        fuse_adam_updates(self.model_.optimizer)
        restore_jit = self._train_with_xla()
        validation_batch_size = None
        replicas = self._replicas()
        if validation_data is not None and replicas > 1:
            # Every validation batch split evenly between the replicas too:
            # batches of the training's size, and the validation loss of all
            # but the last few series when their number is not a multiple of
            # the replicas (the gate and the calibration use them all).
            n_val = validation_data[0].shape[0]
            # (Fewer series than replicas: each replica one of them, repeated.)
            rows = np.arange(max(n_val // replicas, 1) * replicas) % n_val
            validation_data = tuple(part[rows] for part in validation_data)
            validation_batch_size = batches.batch_size
        try:
            with _float32_floatx():
                history = self.model_.fit(
                    dataset,
                    epochs=epochs,
                    validation_data=validation_data,
                    validation_batch_size=validation_batch_size,
                    callbacks=[epoch_setter, *callbacks],
                    shuffle=False,
                    verbose={0: 0, 1: 2}.get(self.verbose, 1),
                )
        except Exception:
            # An error while drawing a batch (the noise, an augmentation)
            # reaches Model.fit as TensorFlow's; raise the original.
            error = getattr(batches, "error", None)
            if error is None:
                raise
            batches.error = None
            raise error from None
        finally:
            if restore_jit is not None:
                self._restore_jit_compile(restore_jit)
            batches.release()
            # The user's callbacks keep their state (a stopped epoch, a best
            # score) but let go of the network: a callback in the parameters
            # must not hold the fitted model, or clone and pickle copy it along.
            for callback in self.callbacks or []:
                if getattr(callback, "_model", None) is self.model_:
                    callback.set_model(None)
                _drop_closed_files(callback)
        return history.history

    def _validate_fit_params(self, X3, y3, validation_data=None, **fit_params):
        """``validation_data`` of ``fit``: series held apart from training.

        A tuple ``(X_val, y_val)`` gives noisy inputs and their clean series,
        used as they are; a single array gives clean series, to which ``noise``
        is applied once, with a fixed seed (as ``X`` in ``fit(X)``). They are
        used instead of ``validation_split`` for ``val_loss``, early stopping
        and the calibration of the ``gate``. Any other keyword is refused
        (the neural denoisers take no ``sample_weight``).
        """
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected keyword argument(s) "
                f"{sorted(fit_params)}; it takes validation_data only."
            )
        return {"validation": self._check_validation_data(validation_data, X3, y3)}

    def _fit(self, X3, y3, validation=None, split_seed=None):
        """Train on ``X3`` and ``y3``.

        ``split_seed``: the seed of the held-out rows (an ensemble's members
        hold out those of the ensemble's ``model_``).
        """
        vars(self).pop("ensemble_members_", None)
        if self.uncertainty is not None:
            # Settings the network cannot be built with are named first: the
            # check of the uncertainty builds it.
            self._check_network_params(X3.shape[1])
            _uncertainty.check_uncertainty(self, X3.shape[1], X3.shape[2])
        if split_seed is None and self.uncertainty == "ensemble":
            # One split for every member: each would hold out rows of its own
            # seed, and train on those that the gate and the std calibration
            # (on model_'s held-out rows) take for unseen.
            split_seed = self._seed()
        if self.uncertainty == "ensemble" and _uncertainty.n_processes(self) > 1:
            # The extra members train in worker processes while this one
            # trains model_; the gate and the calibration wait for them all.
            wait = _uncertainty.start_members(
                self, X3, y3, validation, self._seed(), split_seed
            )
            try:
                checked = self._train(
                    X3,
                    y3,
                    reset=True,
                    epochs=self.epochs,
                    validation=validation,
                    finish=False,
                    split_seed=split_seed,
                )
            except BaseException:
                wait(cancel=True)
                raise
            self.ensemble_members_ = wait()
            self._finish_training(checked, reset=True)
            return
        if self.uncertainty == "ensemble":
            # The extra members first: the gate and the calibration at the end
            # of _train then see the whole ensemble.
            self.ensemble_members_ = _uncertainty.train_members(
                self, X3, y3, validation, self._seed(), split_seed
            )
        self._train(
            X3,
            y3,
            reset=True,
            epochs=self.epochs,
            validation=validation,
            split_seed=split_seed,
        )

    def _check_validation_data(self, validation_data, X3, y3):
        """``(inputs3, targets3)`` of ``validation_data``; inputs3 None: clean only."""
        if validation_data is None:
            return None
        name = type(self).__name__
        check_validation_data_kind(validation_data, f"validation_data of {name}.fit")
        if isinstance(validation_data, tuple):
            if len(validation_data) != 2:
                raise ValueError(
                    f"validation_data of {name}.fit must be clean series or a "
                    f"tuple (X_val, y_val); got a tuple of {len(validation_data)}."
                )
            X_val, y_val = validation_data
            X_val = check_series(
                X_val,
                input_name="X_val",
                estimator=self,
                min_timesteps=self._min_timesteps,
            )
            if y_val is None:
                alone = (
                    " Blind-spot training validates on noisy series alone: pass "
                    "validation_data=X_val."
                    if self.training == "blind_spot"
                    else ""
                )
                raise ValueError(
                    f"validation_data of {name}.fit: y_val must be the clean "
                    f"series, with the shape of X_val; got None.{alone}"
                )
            # One clean series per noisy one, as for X: a 1-D y_val (one
            # series, or one value per series) is refused, not ignored.
            y_val = check_target(
                y_val, X_val, input_name="y_val", estimator=self, x_name="X_val"
            )
            inputs3 = as_3d(X_val).astype(np.float64, copy=False)
            targets3 = as_3d(y_val).astype(np.float64, copy=False)
            # X is noisy (pairs), or clean (noise added on the fly): X_val is
            # prepared as the first, y_val as the second.
            # (Blind-spot training takes noisy X and validates on X_val.)
            noisy_x = y3 is not None or (
                getattr(self, "training", "supervised") == "blind_spot"
            )
            compared = ("X_val", inputs3) if noisy_x else ("y_val", targets3)
            problem = (
                _validation_units_problem(X3, compared[1], compared[0])
                if inputs3.shape[1:] == X3.shape[1:]
                else None
            )
            if problem is not None:
                warn_at_caller(
                    f"validation_data of {name}.fit: {problem}. {compared[0]} must "
                    "be prepared as X is; in a Pipeline, validation_data reaches the "
                    "denoiser as given, not through the steps before it: transform "
                    "it with them or use validation_split. Early stopping, the gate "
                    "and the calibration are fitted on these series."
                )
        else:
            # Blind-spot training ignores y: the array is the noisy series.
            if y3 is not None and self.noise is None and self.training != "blind_spot":
                raise ValueError(
                    f"validation_data of {name}.fit is a single array (clean "
                    "series), but without a noise model there is nothing to make "
                    "their noisy inputs from: pass a tuple (X_val, y_val)."
                )
            clean = check_series(
                validation_data,
                input_name="validation_data",
                estimator=self,
                min_timesteps=self._min_timesteps,
            )
            inputs3, targets3 = None, as_3d(clean).astype(np.float64, copy=False)
        if targets3.shape[1:] != X3.shape[1:]:
            hint = ""
            if isinstance(validation_data, list) and len(validation_data) == 2:
                # Keras takes a list [x, y] as a pair; here a list is series.
                hint = (
                    " A list is read as clean series; give a pair of noisy and "
                    "clean series as a tuple (X_val, y_val)."
                )
            raise ValueError(
                f"validation_data of {name}.fit has series of {targets3.shape[1]} "
                f"timesteps and {targets3.shape[2]} channel(s); the training series "
                f"have {X3.shape[1]} and {X3.shape[2]}.{hint}"
            )
        return inputs3, targets3

    def _partial_fit_available(self):
        # scikit-learn's convention: a method that cannot work is not there
        # (hasattr is False), which wrappers and incremental tools ask. (A
        # str compared only: an invalid array value is refused by the call.)
        if isinstance(self.uncertainty, str) and self.uncertainty == "ensemble":
            raise AttributeError(_ENSEMBLE_PARTIAL_FIT.format(type(self).__name__))
        return True

    @_available_with_reason(_partial_fit_available)
    def partial_fit(self, X, y=None, validation_data=None):
        """Train the network for one more epoch on ``X`` (and ``y``).

        The first call builds the network; later calls continue from the
        current weights and must get series of the same length and channels.
        Every call checks the parameters. Those of the training (``epochs``,
        ``batch_size``, ``noise``, ``augment``, ``gate``, ``n_passes``,
        ``uncertainty``, ``verbose`` and the like) may change between calls,
        and so may ``learning_rate`` (the optimizer takes the new one: a
        smaller rate to fine-tune, say); those fixed when the network was built
        (its layers, ``optimizer``, ``weight_decay``, ``loss``, ``precision``,
        ``normalize``, ``training``) may not: a later call refuses them
        changed, naming them (call :meth:`fit` to start anew). Clean series
        ``y`` in other units than those of the first call (microvolts after
        millivolts, say) are refused too: the network keeps the first call's
        map from ``X``'s units to ``y``'s.
        Without ``validation_data``, the validation series are the same rows
        of ``X`` in every call: those the first call held out (with its
        ``validation_split`` and an int ``random_state``, whatever they are
        set to since), so that the gate is not recalibrated on series trained
        on in an earlier call. A call with ``validation_data``, or with
        ``validation_split=0``, holds out nothing and trains on every row of
        its ``X``, which no later call holds out then. An ``X`` grown by new
        series (or cut short) keeps the roles of the rows the earlier calls
        had; each new row is held out with the probability
        ``validation_split`` (the first call's, or the first one above 0),
        the same in every call.
        With ``uncertainty="ensemble"`` (several networks, trained by
        :meth:`fit`) the method is not available: ``hasattr`` is False.
        A first call that fails (interrupted, say) leaves the denoiser
        unfitted; a later one leaves the network with the steps it made, and
        ``history_``, ``n_epochs_`` and the gates as the last completed call
        left them.

        After the epoch the no-harm gate, the gates of the later passes
        (``n_passes``) and the calibration of ``predict``'s standard deviation
        are fitted again on the validation series. Without validation series
        (``validation_split=0`` and no ``validation_data``) those fitted before
        the call are kept, all alike, with a ``UserWarning``: they were fitted
        on the network before this epoch. With fewer than 10 (series times
        channels), too few for a gate, the gates are kept so, and the standard
        deviation is calibrated on them. The first call, like ``fit``, has
        nothing to keep.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or clean series (without ``y``).
        y : array-like of the same shape as X, default=None
            Clean series, as in :meth:`fit`.
        validation_data : array-like or tuple (X_val, y_val), default=None
            Series held apart from training, as in :meth:`fit`.

        Returns
        -------
        self : object
            The denoiser.
        """
        first = not hasattr(self, "model_")
        self._validate_params()
        if not first:
            self._check_built_params()
        if self.uncertainty == "ensemble":  # set since partial_fit was looked up
            raise ValueError(_ENSEMBLE_PARTIAL_FIT.format(type(self).__name__))
        X3, y3 = self._validate_fit_data(
            X, y, min_timesteps=self._min_timesteps if first else 1
        )
        validation = self._check_validation_data(validation_data, X3, y3)
        if self.uncertainty is not None:
            # As in fit: named before the check of the uncertainty builds it.
            self._check_network_params(X3.shape[1])
            _uncertainty.check_uncertainty(self, X3.shape[1], X3.shape[2])
        # A failed first call leaves the denoiser unfitted.
        with _forget_fit_on_error(self, active=first):
            if first:
                self._record_fitted_shape(X3, X)
            else:
                self._check_fitted_shape(X3, X)
                if y3 is not None and self.training != "blind_spot":
                    # The network keeps the units map of its first call.
                    self._check_calibration_units(X3, y3, method="partial_fit")
                self._apply_learning_rate()
            # A call that fails leaves the network as it ran before it.
            eager = not first and self._set_eager(False)
            # Members of an earlier ensemble would not follow the training; a
            # call that fails (interrupted, say) gives them back, so that the
            # ensemble's transform and predict still work (model_, one of the
            # members, keeps the steps it made, as any interrupted training).
            members = vars(self).pop("ensemble_members_", None)
            # What a later call fits after its epoch (history_, n_epochs_, the
            # gates, the passes, the std's calibration), set back whole if the
            # call fails part of the way: an interrupt while the passes were
            # chosen left one pass and no gates, silently.
            fitted = {} if first else _fitted_state(self)
            try:
                # One epoch per call: whether training taught the network
                # anything is not known yet, so no ConvergenceWarning (fit
                # gives one).
                self._train(
                    X3,
                    y3,
                    reset=first,
                    epochs=1,
                    validation=validation,
                    check_learned=False,
                )
            except BaseException:
                if not first:
                    for key in set(_fitted_state(self)) - set(fitted):
                        delattr(self, key)
                    vars(self).update(fitted)
                    if eager:
                        self._set_eager(True)
                if members is not None:
                    self.ensemble_members_ = members
                raise
        return self

    def _set_eager(self, eager):
        """Run the network eagerly or as a graph; whether that changed it.

        A first call of a few steps compiles the network to run eagerly (a
        short fit saves the tracing); a ``partial_fit`` loop and the files it
        saved kept that for good, at about 15 times the inference time and 3
        times the training time: a later ``partial_fit`` switches it to a
        graph (and back if it fails). The call that switches recalibrates on
        what the graph computes, and the compilation a file keeps says so too.
        """
        model = self.model_
        if bool(model.run_eagerly) == eager:
            return False
        model.run_eagerly = eager
        model.train_function = model.test_function = model.predict_function = None
        config = saved_compile_settings(model)
        if config is not None and "run_eagerly" in config:
            config["run_eagerly"] = eager
        return True

    def _train(
        self,
        X3,
        y3,
        *,
        reset,
        epochs,
        validation=None,
        finish=True,
        check_learned=True,
        split_seed=None,
    ):
        """Train the network; then (``finish``) check and calibrate it.

        With ``finish=False`` the validation pair used for the checks is
        returned for :meth:`_finish_training`. ``check_learned=False`` skips the
        warning that the network learned nothing (``partial_fit``).
        ``split_seed``: the seed of the held-out rows and of their noise (None:
        this network's own seed).
        """
        self._check_network_params(X3.shape[1])
        if self.training == "blind_spot" and y3 is not None:
            warn_at_caller(
                f"{type(self).__name__} with training='blind_spot' learns from the "
                "noisy X alone; the y given to fit is ignored. Use "
                "training='supervised' to train on pairs (X, y), clean or noisy "
                "(Noise2Noise).",
                TargetIgnoredWarning,
            )
            y3 = None
            if validation is not None and validation[0] is not None:
                validation = None, validation[0]
        noise = self._training_noise(y3)
        self._check_noise_curriculum(noise)
        if reset:
            _warn_if_scaled_per_series(self, X3, y3)
            self.target_scale_, self.target_offset_ = _units_map(X3, y3)
            self._input_settings_ = self._input_settings()
            if self._level_input():
                self.level_reference_ = level_reference(X3, self.normalize)
            elif hasattr(self, "level_reference_"):
                del self.level_reference_
            self._built_params_ = self._built_params()
            self._built_object_params = self._built_objects()
        if y3 is not None:
            # The network works in X's units; y is brought to them.
            y3 = (y3 - self.target_offset_) / self.target_scale_
        ready = validation is not None and validation[0] is not None
        if validation is not None:
            # Clean series are in y's units (the targets'); the network works in
            # X's. Noisy validation inputs are used as they are; clean series
            # alone get their noise in X's units, as the training series do.
            inputs3, targets3 = validation
            validation = inputs3, (targets3 - self.target_offset_) / self.target_scale_
        seed = self._seed()
        # partial_fit calls each see different (but reproducible) batches, and
        # hold out the same validation rows, with the same noise and masks
        # (split_seed), in every call: the validation loss of one network does
        # not move between calls.
        data_seed = seed
        if not reset:
            # Its own stream for each later call: seed + n_epochs_ was the
            # stream of another random_state's first call.
            data_seed = int(
                np.random.SeedSequence([seed, self.n_epochs_, 5]).generate_state(1)[0]
            )
        if split_seed is None:
            split_seed = seed
        fraction = self.validation_split
        first = first_held = None
        n_series = (y3 if y3 is not None else X3).shape[0]
        per = ROWS_PER_SERIES.get()
        if per > 1 and n_series % per == 0:
            n_series //= per  # the leads of one recording count as one series
        if reset or getattr(self, "_validation_rows_", None) is None:
            # Recorded by the first call (or the first of this version, for a
            # network saved before it was kept).
            self._validation_rows_ = (int(split_seed), float(fraction or 0.0))
            vars(self).pop("_validation_n_series_", None)
            vars(self).pop("_validation_held_", None)
        else:
            # The rows held out by the earlier calls, whatever validation_split
            # or random_state say since, and however many series X has now:
            # others would calibrate the gate on series trained on in an
            # earlier call. (A validation_split of 0 holds out nothing in
            # this call, as asked.) Saved before the number of series was
            # kept: as the first call's split on this X.
            recorded_seed, recorded = self._validation_rows_[:2]
            first = getattr(self, "_validation_n_series_", None)
            first_held = getattr(self, "_validation_held_", None)
            if recorded or first is not None:
                split_seed = recorded_seed
            if recorded and fraction:
                fraction = recorded
            elif fraction and first is not None:
                # The earlier calls held nothing out (validation_split=0, or
                # validation_data given): every series they had is trained
                # on, and each new one is held out at this share, from now on.
                self._validation_rows_ = (int(split_seed), float(fraction))
                first_held = [] if first_held is None else first_held
        split_first, split_held = first, first_held
        if first_held is not None and fraction and n_series <= first:
            below = np.asarray(first_held, dtype=np.intp)
            plain = plain_split(n_series, fraction, split_seed)[0]
            if np.array_equal(np.sort(plain), np.sort(below[below < n_series])):
                # Roles as a first call on this X gives them: its split (and
                # its order of the training rows).
                split_first, split_held = n_series, None

        targets = y3 if y3 is not None else X3
        inputs = X3 if y3 is not None else None
        if noise is not None and inputs is not None and _same_array(inputs, targets):
            # fit(X_clean, X_clean) with a noise model is fit(X_clean): the
            # held-out inputs get the noise too (they were the clean series,
            # with nothing to remove: the gate learned to change nothing).
            inputs = None
        if noise is not None:
            self._warn_zero_series(
                noise, targets if inputs is None else inputs, "X", validation, ready
            )
            _warn_offset_series(
                noise,
                targets if inputs is None else inputs,
                type(self).__name__,
                normalize_mode(self.normalize) == "standard",
            )
        network_input = self._network_input()
        # Why a later call holds nothing out (for the kept-calibration warning).
        _NOTHING_HELD.set(None)
        if validation is None:
            val_rows, train_rows, units = by_series(
                targets.shape[0],
                lambda n: split_validation(
                    n,
                    0.0 if HOLD_NOTHING.get() else fraction,
                    split_seed,
                    # A share of 0 holds nothing out: the plain split's order.
                    split_first if fraction else None,
                    first_held=split_held,
                ),
            )
            if (
                not len(val_rows)
                and not HOLD_NOTHING.get()  # a wrapper's call: it has said why
                and fraction
                and first is not None
                and (units != first or first_held is not None)
            ):
                note = later_split_note(
                    units, fraction, split_seed, first, first_held=first_held
                )
                _NOTHING_HELD.set(note)
                if note == "held":
                    warn_all_held(self, "partial_fit")
            if len(val_rows):
                validation = (
                    inputs[val_rows] if inputs is not None else None,
                    targets[val_rows],
                )
            held_now = np.unique(val_rows // (targets.shape[0] // units))
        else:
            train_rows = np.arange(targets.shape[0])
            units, held_now = n_series, []
        self._record_roles(first, first_held, units, held_now)
        validation_data = None
        if validation is not None and self.training == "blind_spot":
            validation_data = self._blind_spot_validation(
                validation, noise, split_seed, network_input
            )
            # The gate needs clean targets; blind-spot training has none.
            validation = None
        elif validation is not None:
            val_inputs, val_targets = (
                validation
                if ready
                else self._validation_inputs(validation, noise, split_seed)
            )
            validation_data = network_input.prepare(val_inputs, val_targets)
        batches = self._training_batches(
            inputs,
            targets,
            noise,
            data_seed,
            network_input,
            epochs_done=0 if reset else self.n_epochs_,
            reset=reset,
            rows=np.asarray(train_rows, dtype=np.intp),
        )
        callbacks = list(self.callbacks or [])
        if self.patience is not None:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss" if validation_data is not None else "loss",
                    patience=self.patience,
                    restore_best_weights=True,
                    # Says when it stops and which epoch's weights it keeps.
                    verbose=int(bool(self.verbose)),
                )
            )
        momentum = self.ema_momentum
        if momentum is not None:
            # First before the others (validation and the callbacks that keep
            # the best weights see the average), last after them.
            first, last = WeightAverage(momentum).callbacks()
            callbacks = [first, *callbacks, last]
        # Python's random is seeded (and locked) only while the layers draw
        # their seeds: training draws none, and other threads' fits and the
        # callbacks keep their own stream of random numbers.
        with seeded(seed), quiet_tf_logger():
            if reset:
                self.model_ = self._build_keras_model(n_steps=epochs * len(batches))
            else:
                _reseed_generators(self.model_, data_seed)
        with quiet_tf_logger():
            history = self._keras_fit(
                batches,
                epochs=epochs,
                validation_data=validation_data,
                callbacks=callbacks,
            )
        new = {k: [float(v) for v in vals] for k, vals in history.items()}
        if reset:
            self.history_ = new
        else:
            # One value per epoch under every key: a call with validation
            # series after one without (or the reverse) gets NaN where it has
            # none, so that the epochs stay aligned.
            done = len(self.history_.get("loss", []))
            added = len(new.get("loss", []))
            self.history_ = {
                key: self.history_.get(key, [math.nan] * done)
                + new.get(key, [math.nan] * added)
                for key in {**self.history_, **new}
            }
        self.n_epochs_ = len(self.history_.get("loss", []))
        checked = None if validation is None else (val_inputs, val_targets)
        if not finish:
            return checked
        self._finish_training(checked, reset=reset, check_learned=check_learned)
        return None

    def _record_roles(self, first, first_held, n_units, held_now):
        """Record which series this call held out (kept for later calls)."""
        seed, recorded = self._validation_rows_[:2]

        def derive(n):
            return plain_split(n, recorded, seed)[0]

        if first is not None and first_held is None:
            first_held = derive(first)
        n_known, held = next_roles(first, first_held, n_units, held_now, derive)
        self._validation_n_series_ = n_known
        if held is None:
            vars(self).pop("_validation_held_", None)
        else:
            self._validation_held_ = held

    def _finish_training(self, checked, *, reset, check_learned=True):
        """Warn if nothing was learned; calibrate the gate and the uncertainty.

        A ``partial_fit`` (not ``reset``) without validation series enough to
        recalibrate on keeps the gates and the std calibration fitted before,
        all alike, and says so. ``check_learned=False`` (``partial_fit``) skips
        the warning that nothing was learned.
        """
        outputs = None
        if checked is not None:
            val_inputs, val_targets = checked
            outputs = self._network_outputs(val_inputs)
            if reset and check_learned:
                self._warn_if_not_learned(val_inputs, val_targets, outputs)
        if not (checked is not None and reset and check_learned):
            # Otherwise the check of what was learned said it, on the
            # validation series.
            self._warn_if_diverged()
        kept = [
            what
            for what, was_kept in (
                ("the no-harm gate", self._calibrate_gate(checked, outputs, not reset)),
                (
                    "the gates of the later denoising passes",
                    self._calibrate_passes(checked, outputs, keep=not reset),
                ),
                (
                    "the calibration of predict's standard deviation",
                    self._calibrate_uncertainty(checked, keep=not reset),
                ),
            )
            if was_kept
        ]
        if kept:
            self._warn_kept_calibration(checked, kept)

    def _warn_kept_calibration(self, validation, kept):
        """The UserWarning of a ``partial_fit`` that kept earlier calibrations."""
        if validation:
            n_series = validation[0].shape[0] * validation[0].shape[2]
            reason = (
                f"it had only {n_series} (series times channels), and a gate "
                f"needs at least {_GATE_MIN_SERIES}"
            )
        elif self.training == "blind_spot":
            reason = "blind-spot training has no clean targets to calibrate on"
        elif (HOLD_NOTHING.get() or _NOTHING_HELD.get()) == "held":
            reason = (
                "it had none: every series of this X is one the first call held "
                "out, and it trained on them"
            )
        elif self.validation_split or HOLD_NOTHING.get():
            reason = (
                "it had none: earlier calls trained on every series of this X "
                "(a series keeps its role, held out or trained on, from call to "
                "call; a call given validation_data, or with validation_split=0, "
                "trains on every series of its X)"
            )
        else:
            reason = (
                "it had none with clean targets (validation_split=0 and no "
                "validation_data)"
            )
        what = kept[0] if len(kept) == 1 else ", ".join(kept[:-1]) + " and " + kept[-1]
        warn_at_caller(
            f"{type(self).__name__}.partial_fit could not recalibrate on validation "
            f"series: {reason}. {what[0].upper()}{what[1:]} fitted before this "
            f"call {'is' if len(kept) == 1 else 'are'} kept, though the network has "
            f"changed since. Give it at least {_GATE_MIN_SERIES} validation series "
            "to recalibrate: new series in X (a share of them is held out in "
            "every call: the first call's validation_split or, where it was 0, "
            "the first one above 0 since), or validation_data (in the network's "
            "own partial_fit)."
        )

    def _warn_zero_series(self, noise, series, name, validation, ready):
        """Say once that the noise on the fly leaves series of zeros alone.

        The training batches and the validation noise draw it quietly (they
        drew it every batch, naming rows of the batch).
        """
        checked = [(name, series)]
        if validation is not None and not ready:
            inputs, targets = validation
            checked.append(("validation_data", targets if inputs is None else inputs))
        found = [(where, zero_series_warned(noise, a), len(a)) for where, a in checked]
        if zero_series_are_windows():
            # A WindowedDenoiser's windows: their indices mean nothing to the
            # user, and its validation windows are cut from the user's X too.
            n_zero = sum(len(rows) for _, rows, _ in found)
            if n_zero:
                n_all = sum(n for _, _, n in found)
                warn_at_caller(
                    f"{n_zero} of the {n_all} training windows (stretches of zeros "
                    "in the series) are all zeros: the noise that "
                    f"{type(self).__name__}.fit adds to them sets an SNR, which no "
                    "noise reaches against zeros, so they train without noise. "
                    "Remove them, or give the noise an amplitude (snr=None) "
                    "instead.",
                    UserWarning,
                )
            return
        for where, rows, _ in found:
            if len(rows):
                shown = ", ".join(map(str, rows[:5])) + (
                    ", ..." if len(rows) > 5 else ""
                )
                warn_at_caller(
                    f"{len(rows)} series of {where} (index {shown}) are all zeros: "
                    f"the noise that {type(self).__name__}.fit adds to them sets an "
                    "SNR, which no noise reaches against zeros, so they train "
                    "without noise. Remove them, or give the noise an amplitude "
                    "(snr=None) instead.",
                    UserWarning,
                )

    def _validation_inputs(self, validation, noise, seed):
        """Noisy inputs and clean targets of the validation series (fixed seed)."""
        inputs, targets = validation
        if noise is None or inputs is not None:
            # Held-out pairs are what transform meets, as validation_data
            # given by the user: the noise of a fit on pairs augments the
            # training batches only.
            return inputs, targets
        rng = np.random.default_rng([seed, 3])
        with quiet_zero_series():  # fit said it, naming the rows
            noisy = noise.apply(targets, random_state=rng)
        if self.clean_fraction:
            noisy = keep_clean(noisy, targets, self.clean_fraction, rng)
        return noisy, targets

    def _blind_spot_validation(self, validation, noise, seed, network_input):
        """Masked validation batch of blind-spot training (fixed seed).

        The noisy validation series (held-out rows of X, or ``validation_data``)
        get one fixed draw of hidden spans; ``val_loss`` is the masked loss on
        them, a J-invariant estimate of the error that needs no clean series.
        """
        inputs, series = validation
        series = series if inputs is None else inputs
        rng = np.random.default_rng([seed, 5])
        with quiet_zero_series():  # fit said it, naming the rows
            noisy = series if noise is None else noise.apply(series, random_state=rng)
        return self._masker().batch(noisy, series, rng, network_input)

    def _spread_settings(self):
        """``(average_flips, uncertainty_samples)`` as they are now."""
        return bool(self.average_flips), int(self.uncertainty_samples)

    def _flat_inputs(self, X3):
        """Mask (X3's shape) of the series and channels given back unchanged.

        When normalising, a constant series or channel comes back as it is.
        """
        mode = normalize_mode(self.normalize)
        if mode is None:
            return np.zeros(X3.shape, dtype=bool)
        constant = series_statistics(X3, mode, return_constant=True)[2]
        return np.broadcast_to(constant, X3.shape)

    def _check_finite_output(self, out, X3):
        """As the base class's, naming a network whose weights are not finite."""
        if np.all(np.isfinite(out)):
            return
        models = [self.model_, *(getattr(self, "ensemble_members_", None) or [])]
        for model in models:
            if not all(np.all(np.isfinite(w)) for w in model.get_weights()):
                raise ValueError(
                    f"{type(self).__name__}'s fitted network has weights that are "
                    "not finite: training diverged (see history_['loss']). Fit it "
                    "again with a lower learning_rate."
                )
        super()._check_finite_output(out, X3)

    def _warn_if_diverged(self):
        """ConvergenceWarning when training left weights that are not finite.

        For the calls that do not check what was learned on validation series
        (a ``partial_fit``, a ``fit`` without validation series): a diverged
        network was only found at ``transform``.
        """
        if all(np.all(np.isfinite(w)) for w in self.model_.get_weights()):
            return
        losses = self.history_.get("loss", [])
        last = f" (history_['loss'] ends in {losses[-1]:.4g})" if losses else ""
        warn_at_caller(
            f"{type(self).__name__}'s training diverged: after epoch "
            f"{self.n_epochs_} its network's weights are not finite{last}, and "
            "transform will refuse it until it is fitted again. Fit it with a "
            "lower learning_rate.",
            ConvergenceWarning,
        )

    def _warn_if_not_learned(self, inputs, targets, outputs):
        """ConvergenceWarning when the network does no better than the identity.

        On the validation series (in X's units), the network's outputs are
        compared with its inputs: an error energy no smaller than
        ``_NOT_LEARNED_RATIO`` of the inputs' own means that training taught it
        nothing usable (too few epochs, a learning rate so high that it
        collapsed, or targets it cannot reach).
        """
        # In one power of two for the whole batch (a ratio of the sums, so it
        # must be common): no overflow near 1e160, no underflow near 1e-200.
        unit = np.max(power_of_two_scale(np.concatenate([inputs, targets], axis=1)))
        before = float(np.sum(np.square((inputs - targets) / unit)))
        with np.errstate(over="ignore", invalid="ignore"):
            after = float(np.sum(np.square((outputs - targets) / unit)))
        # Inputs that equal their targets to rounding (y an exact offset or
        # scale of X, which the units map takes out) leave nothing to learn.
        energy = float(np.sum(np.square(targets / unit)))
        if not before > 1e-10 * energy or (
            np.isfinite(after) and after < _NOT_LEARNED_RATIO * before
        ):
            return
        if not np.isfinite(after):
            size = "not finite (training diverged)"
        elif after < before:
            # A network collapsed to the identity: closer by a rounding's worth.
            size = f"{after / before:.3%} of the inputs' own"
        else:
            size = f"{after / before:.0%} of the inputs' own"
        message = (
            f"{type(self).__name__} did not learn to denoise: on its "
            f"{inputs.shape[0]} validation series the network's output is no "
            f"closer to the targets than its input, or hardly (error energy "
            f"{size}). "
            "Train longer (epochs), lower the learning_rate, or check that the "
            "targets are the clean series."
        )
        if not np.isfinite(after):
            message += (
                " Its outputs are not finite, so transform will fail until it is "
                "fitted again."
            )
        elif self.gate is not None and inputs.shape[0] * inputs.shape[2] >= (
            _GATE_MIN_SERIES
        ):
            message += " The no-harm gate will hand the inputs back nearly unchanged."
        warn_at_caller(message, ConvergenceWarning)

    def _calibrate_gate(self, validation, outputs=None, keep=False):
        """Fit the gate on the validation series, or switch it off without them.

        ``outputs``: the network's outputs for the validation inputs, when
        already computed. ``keep`` (a ``partial_fit``): without enough
        validation series, the gate fitted before is kept. Returns whether it
        was.
        """
        too_few = bool(validation) and (
            validation[0].shape[0] * validation[0].shape[2] < _GATE_MIN_SERIES
        )
        if (
            keep
            and self.gate is not None
            and (not validation or too_few)
            and getattr(self, "gate_snr_", None) is not None
        ):
            # A partial_fit with too few validation series to fit a gate on
            # (fine-tuning on a small set) keeps the gate fitted before.
            return True
        self.gate_snr_ = self.gate_scale_ = None
        if self.gate is None or not validation or too_few:
            return False
        inputs, targets = validation
        if outputs is None:
            outputs = self._network_outputs(inputs)
        self.gate_snr_, self.gate_scale_ = fit_gate(inputs, outputs, targets)
        return False

    def _calibrate_passes(self, validation, outputs=None, keep=False):
        """Choose the passes after the first and fit the gate of each.

        Pass ``k`` denoises the output of pass ``k - 1`` again; its gate is
        fitted, as the first one, on the validation series (the outputs of the
        passes before it against the targets). With ``n_passes="auto"`` a pass
        is kept only while it raises the validation series' mean output SNR by
        at least ``_PASS_MIN_GAIN_DB`` and does not lower the mean output SNR
        of their cleanest ``_PASS_CLEAN_SHARE`` (by input SNR), both scored
        with the pass's gate fitted on the other half of the series, so that
        a pass is judged on series its gate did not see; an int runs that
        many passes.

        ``keep`` (a ``partial_fit``): without validation series enough to fit
        a gate on, the passes and gates fitted before are kept, as
        :meth:`_calibrate_gate` keeps the first one. Returns whether gates
        were.
        """
        if keep and self._keeps_passes(validation):
            if self.gate is None:
                # gate=None switches every gate off, the kept passes' too.
                self.pass_gates_ = [(None, None)] * len(self.pass_gates_)
            return any(snr is not None for snr, _ in self.pass_gates_)
        self.n_passes_, self.pass_gates_ = 1, []
        if self.n_passes == 1:
            return False
        if not validation:
            if self.n_passes == "auto":
                warn_at_caller(
                    f"{type(self).__name__}(n_passes='auto') had no validation "
                    "series with clean targets (validation_split=0, no "
                    "validation_data, or blind-spot training) to choose the "
                    "passes on: it denoises in one pass."
                )
            else:
                # No validation series: the passes run without gates.
                self.n_passes_ = int(self.n_passes)
                self.pass_gates_ = [(None, None)] * (self.n_passes_ - 1)
            return False
        inputs, targets = validation
        gated = self.gate is not None and (
            inputs.shape[0] * inputs.shape[2] >= _GATE_MIN_SERIES
        )
        if outputs is None:
            outputs = self._network_outputs(inputs)
        current = self._gated(inputs, outputs, self.gate_snr_, self.gate_scale_)
        cleanest = _cleanest_series(inputs, targets)
        limit = _MAX_AUTO_PASSES if self.n_passes == "auto" else int(self.n_passes)
        for _ in range(limit - 1):
            outputs = self._network_outputs(current)
            if self.n_passes == "auto":
                gain, clean_gain = _pass_gains(
                    current, outputs, targets, cleanest, gated
                )
                if not (gain >= _PASS_MIN_GAIN_DB and clean_gain >= 0.0):
                    break
            gate = fit_gate(current, outputs, targets) if gated else (None, None)
            self.pass_gates_.append(gate)
            current = self._gated(current, outputs, *gate)
        self.n_passes_ = 1 + len(self.pass_gates_)
        return False

    def _keeps_passes(self, validation):
        """Whether a ``partial_fit`` keeps the passes fitted before.

        When it has too few validation series to fit gates on, and the passes
        fitted before are those ``n_passes`` asks for (any number for
        ``"auto"``, chosen before).
        """
        if validation and (
            validation[0].shape[0] * validation[0].shape[2] >= _GATE_MIN_SERIES
        ):
            return False
        fitted = getattr(self, "n_passes_", None)
        if fitted is None or getattr(self, "pass_gates_", None) is None:
            return False
        return self.n_passes == "auto" or int(self.n_passes) == fitted

    def _calibrate_uncertainty(self, validation, keep=False, explicit=False):
        """Fit the calibration of ``predict``'s std on the validation series.

        ``keep`` (a ``partial_fit``): without validation series, a calibration
        of the same ``uncertainty`` fitted before is kept. Returns whether it
        was. A network whose outputs are not finite (training diverged) is left
        uncalibrated at the end of ``fit``, which has warned about it;
        ``explicit`` (``calibrate_uncertainty``) raises instead.
        """
        if (
            keep
            and not validation
            and self.uncertainty is not None
            and getattr(self, "uncertainty_", None) == self.uncertainty
            and _uncertainty.is_calibrated(self)
        ):
            return True
        names = (
            "std_weights_",
            "std_noise_levels_",
            "std_levels_",
            "std_log_factors_",
        )
        if self.uncertainty is None:
            for name in (
                "uncertainty_",
                "_spread_per_flip_",
                "_spread_settings_",
                "std_input_range_",
                "_std_channel_units_",
                *names,
            ):
                vars(self).pop(name, None)
            return False
        if not validation:
            blind = getattr(self, "training", "supervised") == "blind_spot"
            why = (
                ", training='blind_spot') has no clean validation series"
                if blind
                else ") had no validation series (validation_split=0 and no "
                "validation_data)"
            )
            warn_at_caller(
                f"{type(self).__name__}(uncertainty={self.uncertainty!r}{why}: "
                "the standard deviation of predict is not calibrated. Call "
                "calibrate_uncertainty(X_val, y_val) with noisy series and their "
                "clean series that it did not train on."
            )
            fitted = _uncertainty.uncalibrated()
            input_range = channel_units = None
        else:
            inputs, targets = validation
            mean = self._transform(inputs)
            std = _uncertainty.raw_std(
                self,
                inputs,
                self._calibration_seed(),
                per_flip=True,
                settings=self._spread_settings(),
            )
        if validation and not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            if explicit:
                self._check_finite_output(mean, inputs)
                self._check_finite_output(std, inputs)
            # LAPACK failed on them (and wrote to the standard error).
            fitted = _uncertainty.uncalibrated()
            input_range = channel_units = None
        elif validation:
            residual = targets * self.target_scale_ + self.target_offset_ - mean
            if np.ptp(targets, axis=1).max() == 0:
                warn_at_caller(
                    f"{type(self).__name__}: every clean series the standard "
                    "deviation is calibrated on is constant, so it learns the "
                    "errors on series with nothing in them and will be far too "
                    "small on real ones. Calibrate on series like those you will "
                    "denoise."
                )
            _uncertainty.warn_identical_passes(
                self,
                inputs,
                std,
                mean,
                "the calibration on the validation series",
                ", and the calibration widens every standard deviation to cover "
                "their errors",
                samples=self._spread_settings()[1],
            )
            noise = _uncertainty.removed_noise(self, inputs, mean)
            input_range = _uncertainty.input_rms_range(self, inputs)
            # Each channel in its own units: pooled in absolute ones, a
            # channel in microvolts next to one in millivolts widened the
            # other's std two hundredfold.
            channel_units = _uncertainty.channel_units(input_range)
            residual, std, noise = (a / channel_units for a in (residual, std, noise))
            # Flat inputs come back unchanged with no spread: their floor would
            # swamp the fit of the scale (log std near -700).
            varied = ~self._flat_inputs(inputs)
            if not np.any(varied):
                # Nothing to learn the errors of real series from: a fit on
                # the floors gave every series a width out of nothing.
                message = (
                    f"{type(self).__name__}: every noisy series the standard "
                    "deviation would be calibrated on is flat (constant, as a "
                    "lead off), and flat series come back unchanged with no "
                    "spread: there is nothing to calibrate on."
                )
                if explicit:
                    raise ValueError(
                        f"{message} Calibrate on series like those you will denoise."
                    )
                warn_at_caller(
                    f"{message} The standard deviation of predict is not "
                    "calibrated; call calibrate_uncertainty(X_val, y_val) with "
                    "series like those you will denoise."
                )
                fitted = _uncertainty.uncalibrated()
                input_range = channel_units = None
            else:
                if not np.all(varied):
                    residual, std, noise = (a[varied] for a in (residual, std, noise))
                fitted = _uncertainty.fit_std_calibration(residual, std, noise)
        # All at once: a calibration that fails midway leaves the one before,
        # and a predict in another thread sees the old one or the new one.
        # Calibrated on the spread of every flip on its own (a file saved
        # before that spread existed keeps the one it was calibrated with).
        vars(self).update(
            {
                **dict(zip(names, fitted, strict=True)),
                "uncertainty_": self.uncertainty,
                "std_input_range_": input_range,
                "_std_channel_units_": channel_units,
                "_spread_per_flip_": True,
                # The spread is built as it was calibrated, whatever
                # average_flips and uncertainty_samples (free to change, as
                # transform's settings) are later.
                "_spread_settings_": self._spread_settings(),
            }
        )
        return False

    def calibrate_uncertainty(self, X, y):
        """Calibrate ``predict``'s standard deviation on other held-out series.

        ``fit`` calibrates the ``uncertainty`` it trains with on its
        validation series. This fits that calibration again, on noisy series
        ``X`` and their clean series ``y`` that the network did not train on
        (recordings of your own device, say), or fits the calibration of an
        ``uncertainty`` that needs no training, set after ``fit`` with
        ``set_params``: ``"flips"``, or ``"mc_dropout"`` for a network with
        dropout. The network, its gates and passes, and so ``transform``, are
        unchanged.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series, as for :meth:`transform`.
        y : array-like of the same shape as X
            Their clean series, in the units of the output.

        Returns
        -------
        self : object
            The denoiser, with ``uncertainty_`` and the ``std_*_`` attributes
            fitted on ``(X, y)``.
        """
        check_is_fitted(self)
        self._validate_params()
        name = type(self).__name__
        if self.uncertainty is None:
            raise ValueError(
                f"{name}.calibrate_uncertainty needs an uncertainty to calibrate: "
                "set uncertainty to 'flips' (or another method) first."
            )
        _check_members(self)
        if self.uncertainty in ("mc_dropout", "sampling") and not (
            _uncertainty.stochastic_layers(self.model_, self.uncertainty)
        ):
            raise ValueError(
                f"{name}(uncertainty={self.uncertainty!r}): the fitted network has "
                + (
                    "no dropout layers to run with dropout on (it was fitted with "
                    "dropout=0). Fit it again with dropout > 0, or use "
                    "uncertainty='flips'."
                    if self.uncertainty == "mc_dropout"
                    else "no variational latent code to draw from. Use "
                    "uncertainty='flips'."
                )
            )
        if self.uncertainty == "mc_dropout":
            _uncertainty._check_clonable(self.model_, name)
        X, X3 = self._validate_transform_data(X)
        y = check_target(y, X, input_name="y", estimator=self, x_name="X")
        targets = as_3d(y).astype(np.float64, copy=False)
        self._check_calibration_units(X3, targets)
        targets = (targets - self.target_offset_) / self.target_scale_
        self._calibrate_uncertainty((X3, targets), explicit=True)
        return self

    def _check_calibration_units(self, X3, y3, method="calibrate_uncertainty"):
        """Refuse clean series in other units than the output's (``fit``'s y's).

        The std is calibrated on ``y - output``: a ``y`` in microvolts for a
        denoiser whose output is in millivolts would widen it a thousandfold.
        The units are those ``fit`` found (the map from X's units to y's),
        compared channel by channel within a factor of ten: the map is
        estimated from noisy pairs (slow wander in X biases it, by up to about
        3 at -6 dB in windows whose means were taken off), and the units
        mistakes it is for (microvolts for millivolts, ADC units) are larger.
        """
        scale, _ = _units_map(X3, y3)
        found = np.median(scale.reshape(-1, X3.shape[2]), axis=0)
        fitted = np.median(self.target_scale_.reshape(-1, X3.shape[2]), axis=0)
        ratio = found / fitted
        limit = _UNITS_FACTOR
        bad = np.flatnonzero(~((ratio >= 1 / limit) & (ratio <= limit)))
        if bad.size:
            channel = int(bad[0])
            raise ValueError(
                f"{type(self).__name__}.{method}: y is not in the units "
                "of the output. The denoiser was fitted with y equal to "
                f"{fitted[channel]:.4g} times X (channel {channel}); these pairs "
                f"have y equal to about {found[channel]:.4g} times X. Give y in the "
                "units of the y the denoiser was first fitted with (those of "
                "transform's output)."
            )

    def _calibration_seed(self):
        return self._seed()

    # -------------------------------------------------------------- inference
    def _predict_normalised(self, network_in):
        """The network's output for a prepared float32 batch."""
        return predict_batch(self.model_, network_in)

    def _network_outputs(self, X3, predict=None, flips=None):
        """The network's denoised ``X3`` in X's units, before the gate (float64).

        With ``average_flips`` the mean of the outputs for the series, their
        negation, their time reversal and both, each flipped back. ``predict``
        runs one network on a prepared batch (by default the fitted one, or the
        mean of the ensemble's members). ``flips``: the ``(sign, reverse)``
        variants to average instead (``uncertainty="flips"`` runs them one by
        one).
        """
        if predict is None:
            members = getattr(self, "ensemble_members_", None) or []
            if members:
                models = [self.model_, *members]
                return sum(
                    self._network_outputs(
                        X3, functools.partial(predict_batch, m), flips
                    )
                    for m in models
                ) / len(models)
            predict = self._predict_normalised
        n_series = X3.shape[0]
        rows = self._chunk_rows(X3)
        network_input = self._network_input()
        if flips is None:
            flips = FLIPS if self.average_flips else FLIPS[:1]
        out = np.zeros(X3.shape, dtype=np.float64)
        with quiet_tf_logger():
            for start in range(0, n_series, rows):
                chunk = X3[start : start + rows]
                for sign, reverse in flips:
                    flipped = sign * (chunk[:, ::-1] if reverse else chunk)
                    pred = predict(network_input.prepare(flipped))
                    pred = sign * network_input.restore(pred, flipped)
                    out[start : start + rows] += pred[:, ::-1] if reverse else pred
        return out / len(flips) if len(flips) > 1 else out

    def _chunk_rows(self, X3):
        """Series per batch of the network: about ``_CHUNK_VALUES`` values."""
        n_timesteps, n_channels = X3.shape[1:]
        left, right = self._padding(n_timesteps)
        return max(1, _CHUNK_VALUES // ((n_timesteps + left + right) * n_channels))

    def _transform(self, X3, predict=None, flips=None):
        """``X3`` denoised in every pass, each through its gate, in y's units.

        ``predict`` runs one network on a prepared batch and ``flips`` are the
        variants averaged (as in ``_network_outputs``; by default the fitted
        network or the ensemble's mean, and the variants of ``average_flips``).
        Every step works series by series, so the series go through all of
        them one batch of the network at a time: the gate's temporaries are
        those of a batch, not of all of ``X3`` (eight times its size).
        """
        rows = self._chunk_rows(X3)
        if X3.shape[0] <= rows:
            return self._transform_rows(X3, predict, flips)
        out = np.empty(X3.shape, dtype=np.float64)
        for start in range(0, X3.shape[0], rows):
            out[start : start + rows] = self._transform_rows(
                X3[start : start + rows], predict, flips
            )
        return out

    def _transform_rows(self, X3, predict, flips):
        """``_transform`` of a batch of series."""
        out = self._gated(
            X3,
            self._network_outputs(X3, predict, flips),
            getattr(self, "gate_snr_", None),
            getattr(self, "gate_scale_", None),
        )
        for snr, scale in getattr(self, "pass_gates_", None) or ():
            out = self._gated(
                out, self._network_outputs(out, predict, flips), snr, scale
            )
        return out * self.target_scale_ + self.target_offset_

    def _from_flip_outputs(self, X3, outputs, average):
        """``_transform``'s output (one pass) from the network's outputs per flip.

        ``outputs``: ``_network_outputs(X3, flips=(f,))`` for each of
        ``FLIPS``, in order; ``average``: averaged as ``average_flips`` does
        (else the first, the series as it is).
        """
        if average:
            raw = outputs[0]
            for out in outputs[1:]:
                raw = raw + out
            raw = raw / len(outputs)
        else:
            raw = outputs[0]
        return self._one_pass_output(X3, raw)

    def _one_pass_output(self, X3, raw):
        """The network's ``raw`` output of ``X3`` through the gate, in y's units.

        ``_transform``'s output when there are no later passes.
        """
        gated = self._gated(
            X3,
            raw,
            getattr(self, "gate_snr_", None),
            getattr(self, "gate_scale_", None),
        )
        return gated * self.target_scale_ + self.target_offset_

    @staticmethod
    def _gated(inputs, outputs, snr, scale):
        """``outputs`` through a gate (``snr`` None: no gate), in X's units."""
        if snr is None:
            return outputs
        return apply_gate(inputs, outputs, snr, scale)

    def predict(self, X, return_std=False):
        """Denoise series, with their standard deviation on request.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series, as for :meth:`transform`.
        return_std : bool, default=False
            Also return the calibrated standard deviation of every sample
            (needs a denoiser fitted with ``uncertainty`` set).

        Returns
        -------
        X_denoised : ndarray of the same shape as X
            What :meth:`transform` returns (with ``uncertainty="ensemble"``,
            the mean of the members' outputs).
        X_std : ndarray of the same shape as X
            Only with ``return_std=True`` (in the same container as
            ``X_denoised`` under ``set_output``): the standard deviation of each
            denoised sample, in the units of the output, strictly positive,
            calibrated on the validation series so that ``X_denoised +/- 1.96
            X_std`` holds the clean series about 95 % of the time.
        """
        return_std = check_return_std(return_std, type(self).__name__)
        if not return_std:
            return self.transform(X)
        check_is_fitted(self)
        self._check_transform_params()
        if self.uncertainty is None:
            raise ValueError(
                f"{type(self).__name__}.predict(X, return_std=True) needs an "
                "uncertainty estimate: set uncertainty to 'mc_dropout', "
                "'ensemble' or 'sampling' (VAEDenoiser) and fit again, or to "
                "'flips' and call calibrate_uncertainty(X_val, y_val)."
            )
        raw = X
        X, X3 = self._validate_transform_data(X)
        if getattr(self, "uncertainty_", None) != self.uncertainty:
            raise ValueError(
                f"{type(self).__name__} was fitted with uncertainty="
                f"{getattr(self, 'uncertainty_', None)!r} and now has uncertainty="
                f"{self.uncertainty!r}: fit it again to estimate that uncertainty"
                + (
                    ", or calibrate it on held-out pairs with "
                    "calibrate_uncertainty(X_val, y_val)."
                    if self.uncertainty != "ensemble"
                    else "."
                )
            )
        _check_members(self)
        if not _uncertainty.is_calibrated(self):
            # fit warned once; a model saved and loaded elsewhere did not.
            if getattr(self, "training", "supervised") == "blind_spot":
                why = "blind-spot training has no clean validation series"
                advice = (
                    "Calibrate it with calibrate_uncertainty(X_val, y_val) on "
                    "noisy series and their clean series (in Python)."
                )
            else:
                why = "it was fitted without usable validation series"
                advice = (
                    "Call calibrate_uncertainty(X_val, y_val) with noisy series "
                    "and their clean series that it did not train on."
                )
            warn_at_caller(
                f"{type(self).__name__}: the standard deviation is not calibrated "
                f"({why}): it is the raw spread of uncertainty="
                f"{self.uncertainty!r}, often far too small for the denoised "
                "series +/- 1.96 standard deviations to hold the clean series "
                f"95 % of the time. {advice}",
                once=True,
            )
        outputs = spread = None
        if (
            self.uncertainty == "flips"
            and not getattr(self, "pass_gates_", None)
            and not getattr(self, "ensemble_members_", None)
        ):
            # The four flipped passes that the spread needs are those that
            # transform averages: run the network once for both (one network:
            # an ensemble's transform sums in another order).
            outputs = _uncertainty.flip_outputs(self, X3)
            mean = self._transform_output(
                self._from_flip_outputs(X3, outputs, self.average_flips), X3, X, raw
            )
        elif _uncertainty.shares_ensemble_passes(self):
            # Likewise each member's passes: once for the mean and the spread.
            mean, spread = _uncertainty.ensemble_mean_and_spread(self, X3)
            mean = self._transform_output(mean, X3, X, raw)
        else:
            mean = self.transform(raw)
        # The mean may be a table (set_output); the calibration reads its values.
        std = _uncertainty.predictive_std(
            self,
            X3,
            as_3d(np.asarray(mean)).astype(np.float64, copy=False),
            flip_outputs=outputs,
            spread=spread,
        )
        std = std_as_input_dtype(restore_ndim(std, X.ndim), X, type(self).__name__)
        return mean, _wrap_data_with_container("transform", std, raw, self)

    def _non_deterministic(self):
        return self.random_state is None

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        state = dict(BaseEstimator.__getstate__(self))  # may be self.__dict__
        model = state.pop("model_", None)
        if model is not None:
            state["_model_bytes"] = model_to_bytes(model)
        members = state.pop("ensemble_members_", None)
        if members is not None:
            state["_member_bytes"] = [model_to_bytes(m) for m in members]
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_model_bytes", None)
        members = state.pop("_member_bytes", None)
        BaseEstimator.__setstate__(self, state)
        # Hyper-parameters added after the file was saved take their defaults,
        # which keep the behaviour the denoiser was saved with.
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if param.default is not param.empty and name not in vars(self):
                setattr(self, name, param.default)
        precision = self._built_precision()
        if data is not None:
            self.model_ = model_from_bytes(data, precision)
        if members is not None:
            self.ensemble_members_ = [model_from_bytes(m, precision) for m in members]
        self._upgrade_old_state()

    def _compute_in(self, precision):
        """Rebuild the fitted network (and members) to compute in ``precision``.

        The weights are copied: mixed precision keeps them in float32, so a
        network trained in bfloat16 runs in float32 with the same weights,
        its outputs then free of the 16-bit rounding. The optimizer is built
        afresh (a further ``partial_fit`` trains in ``precision``). For the
        pretrained models, whose mixed precision is slower than float32 on
        CPUs without bfloat16 units.
        """
        if (self._built_precision() or "float32") == precision:
            return self
        changed = [
            change
            for change in self._changed_built_params()
            if not change.startswith("precision=")
        ]
        if changed:  # the network built from them would not be the fitted one
            raise ValueError(
                f"{type(self).__name__}: the network is rebuilt in {precision} "
                "from its parameters, but these, fixed when it was built, "
                f"changed since: {'; '.join(changed)}. Set them back first."
            )
        old = self.precision
        self.precision = precision
        eager = bool(self.model_.run_eagerly)
        try:
            # Seeded only so that building leaves Python's random state as it
            # was (the weights are replaced).
            with seeded(0):
                model = self._build_keras_model(run_eagerly=eager)
                members = getattr(self, "ensemble_members_", None)
                if members is not None:
                    copies = [
                        self._build_keras_model(run_eagerly=eager) for _ in members
                    ]
                    for copy, member in zip(copies, members, strict=True):
                        copy.set_weights(member.get_weights())
                    members = copies
            model.set_weights(self.model_.get_weights())
        except BaseException:
            self.precision = old
            raise
        self.model_ = model
        if members is not None:
            self.ensemble_members_ = members
        built = getattr(self, "_built_params_", None) or {}
        self._built_params_ = {**built, "precision": precision}
        return self

    def _built_precision(self):
        """The precision the network was built with (recorded, else current)."""
        built = vars(self).get("_built_params_") or {}
        precision = built.get("precision", getattr(self, "precision", None))
        return precision if isinstance(precision, str) else None

    def _upgrade_old_state(self):
        """Fill in what a denoiser saved by an older version lacks.

        Run after unpickling and after :func:`skdenoise.persistence.load`
        (which sets the saved attributes without ``__setstate__``).
        """
        if hasattr(self, "model_") and "_built_params_" not in vars(self):
            # Saved before they were recorded: its parameters are those it was
            # saved with.
            self._built_params_ = self._built_params()
        if hasattr(self, "model_") and "_built_object_params" not in vars(self):
            # persistence.load does not write them: those it loaded with.
            self._built_object_params = self._built_objects()
        if hasattr(self, "model_") and not hasattr(self, "gate_snr_"):
            # Denoisers saved before the gate existed have none.
            self.gate_snr_ = self.gate_scale_ = None
        if hasattr(self, "model_") and not hasattr(self, "n_passes_"):
            # Denoisers saved before the passes existed denoise in one.
            self.n_passes_, self.pass_gates_ = 1, []
        if "uncertainty_" in vars(self) and "_spread_per_flip_" not in vars(self):
            # Calibrated before each flip was spread on its own: the spread of
            # the flip-averaged passes, which its calibration was fitted on.
            self._spread_per_flip_ = False
        if hasattr(self, "model_") and not hasattr(self, "target_scale_"):
            # Denoisers saved before the units map existed worked in X's units.
            shape = (1, 1, self.n_channels_in_)
            self.target_scale_, self.target_offset_ = np.ones(shape), np.zeros(shape)


def _capped_snr(targets, outputs):
    """Output SNR (dB) per series and channel, capped as the SNR loss.

    ``-10 log10(|e|^2 / |t|^2 + 10^(-cap / 10))``: a series given back nearly
    exactly counts at most ``_PASS_SNR_CAP_DB``. NaN where the target is all
    zeros.
    """
    power = np.sum(np.square(targets), axis=1)
    error = np.sum(np.square(targets - outputs), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = error / power + 10.0 ** (-_PASS_SNR_CAP_DB / 10.0)
        snr = -10.0 * np.log10(ratio)
    return np.where(power > 0, snr, np.nan)


def _cleanest_series(inputs, targets):
    """Mask (n_series, n_channels) of the ``_PASS_CLEAN_SHARE`` cleanest inputs."""
    snr = _capped_snr(targets, inputs)
    valid = np.isfinite(snr)
    if not np.any(valid):
        return valid
    return valid & (snr >= np.quantile(snr[valid], 1.0 - _PASS_CLEAN_SHARE))


def _pass_gains(current, outputs, targets, cleanest, gated):
    """Mean SNR gains (dB) of one more pass: on all series, on the cleanest.

    ``current``: the series after the passes kept so far; ``outputs``: the
    network's outputs for them. With ``gated``, the pass's gate is fitted on
    one half of the series (the first and the second, in their order) and
    applied to the other, when each half has at least ``_GATE_MIN_SERIES``
    series and channels; otherwise on all of them.
    """
    following = outputs
    if gated:
        n = current.shape[0]
        half = n // 2
        if min(half, n - half) * current.shape[2] >= _GATE_MIN_SERIES:
            following = np.empty_like(outputs)
            for fit_on, apply_to in (
                (slice(0, half), slice(half, n)),
                (slice(half, n), slice(0, half)),
            ):
                gate = fit_gate(current[fit_on], outputs[fit_on], targets[fit_on])
                following[apply_to] = apply_gate(
                    current[apply_to], outputs[apply_to], *gate
                )
        else:
            gate = fit_gate(current, outputs, targets)
            following = apply_gate(current, outputs, *gate)
    gain = _capped_snr(targets, following) - _capped_snr(targets, current)
    valid = np.isfinite(gain)
    mean = float(np.mean(gain[valid])) if np.any(valid) else 0.0
    clean = valid & cleanest
    clean_mean = float(np.mean(gain[clean])) if np.any(clean) else 0.0
    return mean, clean_mean


def _mean_capped_snr(targets, outputs):
    """Mean of :func:`_capped_snr` over the series with a non-zero target."""
    snr = _capped_snr(targets, outputs)
    valid = np.isfinite(snr)
    return float(np.mean(snr[valid])) if np.any(valid) else 0.0


def check_strategy(name):
    """Refuse a ``tf.distribute`` strategy over several workers.

    Keras 3's ``Model.fit`` fails on the first batch under a
    ``MultiWorkerMirroredStrategy`` with more than one worker (it cannot reduce
    the distributed batch it builds the model from); one machine, with one or
    several devices, works.
    """
    import tensorflow as tf

    if not tf.distribute.has_strategy():
        return
    resolver = getattr(tf.distribute.get_strategy(), "cluster_resolver", None)
    if resolver is None:
        return
    jobs = resolver.cluster_spec().as_dict()
    workers = sum(len(jobs.get(job, ())) for job in ("chief", "worker"))
    if workers > 1:
        raise RuntimeError(
            f"{name} cannot train under a tf.distribute strategy spanning "
            f"{workers} workers: Keras' Model.fit does not support "
            "MultiWorkerMirroredStrategy across machines in this version. Train "
            "on one machine, under MirroredStrategy for several of its devices."
        )


def predict_batch(model, network_in):
    """``model``'s output for one prepared batch.

    Under a ``tf.distribute`` strategy with several replicas (the model was
    built in one, or this runs in one), ``predict_on_batch`` gives every
    replica's output for the whole batch, one after the other; the model is
    called directly instead.
    """
    if model.distribute_strategy.num_replicas_in_sync > 1:
        return keras.ops.convert_to_numpy(model(network_in, training=False))
    _trace_for_any_batch(model, network_in)
    return model.predict_on_batch(network_in)


_TRACE_LOCK = threading.Lock()
# Each network's predict function traced for any batch size (a compile makes
# a new one).
_TRACED_FOR_ANY_BATCH = weakref.WeakKeyDictionary()


def _trace_for_any_batch(model, network_in):
    """Trace ``model``'s predict function once for batches of any size.

    Keras traces it first for the first call's batch size, and for any size
    at the second size: that first graph, kept for its size, rounds in its
    own way (by up to 1e-7 at one window), so a request came back with other
    bits in a process whose first request had another size. Traced for any
    size first, every call runs one graph (on a GPU, where Keras compiles
    a network without recurrent layers with XLA unless op determinism is on,
    that graph compiles once per batch size, each size to one executable).
    The shape of a timestep is the
    model's input's (``network_in``'s for a model without one, a subclassed
    one). A network that runs eagerly, or of several inputs, is left as it
    is. The function is held weakly: it refers to its model, which it kept
    alive for good.
    """
    if model.run_eagerly:
        return
    function = getattr(model, "predict_function", None)
    if function is not None and _traced_function(model) is function:
        return
    with _TRACE_LOCK:
        model.make_predict_function()
        function = model.predict_function
        if _traced_function(model) is function:
            return
        import tensorflow as tf

        try:
            try:
                shape = tuple(model.input_shape)
            except (AttributeError, ValueError):  # a subclassed model
                shape = (None, *np.shape(network_in)[1:])
            if hasattr(function, "get_concrete_function") and (
                shape and not isinstance(shape[0], (tuple, list))
            ):
                spec = tf.TensorSpec((None, *shape[1:]), tf.float32)
                function.get_concrete_function([(spec,)])
        except (TypeError, ValueError, AttributeError):
            pass  # Keras traces as it does without it
        with contextlib.suppress(TypeError):  # a function without weak refs
            _TRACED_FOR_ANY_BATCH[model] = weakref.ref(function)


def _compiled_steps(model):
    """The network's training and test functions by ``jit_compile``.

    Kept on the network itself (they refer to it: a weak mapping to them would
    keep it alive for good), past Keras' attribute tracking.
    """
    steps = vars(model).get("_skdenoise_compiled_steps")
    if steps is None:
        steps = {}
        object.__setattr__(model, "_skdenoise_compiled_steps", steps)
    return steps


def _traced_function(model):
    reference = _TRACED_FOR_ANY_BATCH.get(model)
    return None if reference is None else reference()


_ENSEMBLE_PARTIAL_FIT = (
    "{}.partial_fit trains one network; uncertainty='ensemble' trains n_members "
    "of them, so it has no partial_fit: use fit."
)


def _check_members(estimator):
    """Refuse uncertainty='ensemble' on a denoiser that holds no members."""
    if estimator.uncertainty == "ensemble" and not getattr(
        estimator, "ensemble_members_", None
    ):
        raise ValueError(
            f"{type(estimator).__name__}(uncertainty='ensemble') trains its "
            "members in fit: this denoiser was fitted without them. Fit it "
            "again, or calibrate uncertainty='flips', which needs no training."
        )


def model_to_bytes(model):
    """The ``.keras`` archive of ``model``, as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        keras.saving.save_model(model, path)
        with open(path, "rb") as file:
            return file.read()


def model_from_bytes(data, precision=None):
    """The model of a ``.keras`` archive given as bytes, for unpickling.

    ``precision``: the dtype policy it was built under. Compiling reads the
    global policy: under ``"mixed_float16"`` the optimizer is the loss-scaling
    one whose state the archive holds. Not in Keras' safe mode: unpickling
    runs the file's code anyway (trust it as any pickle), and in safe mode a
    pickled network with a ``Lambda`` layer could not be unpickled at all.
    :func:`skdenoise.persistence.load` keeps the safe mode.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as file:
            file.write(data)
        try:
            if precision is None:
                with _float32_floatx():
                    return load_keras_model(path, safe_mode=False, compile=True)
            with _dtype_policy(precision):
                return load_keras_model(path, safe_mode=False, compile=True)
        except Exception as exc:
            from .._persistence import _keras_version_hint, _short, archive_keras

            raise ValueError(
                "A pickled network cannot be loaded"
                f"{_keras_version_hint(archive_keras(data))}: {_short(exc)}"
            ) from exc
