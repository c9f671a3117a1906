"""Uncertainty of the neural denoisers: spread of several outputs, calibrated.

Four sources of spread, chosen by the ``uncertainty`` hyper-parameter:

- ``"mc_dropout"``: the trained network is cloned with its dropout layers (and
  the dropout of its recurrent layers) always on, and run
  ``uncertainty_samples`` times. Every other layer keeps its inference
  behaviour: batch normalisation uses its moving statistics and the VAE
  decodes its mean. The clone is built once per fitted network and kept
  beside it (not in the estimator, so not saved); every call copies the
  network's weights into it and restarts its random draws from a seed drawn
  from ``random_state``, so the same ``random_state`` gives the same passes.
- ``"ensemble"``: ``n_members`` networks trained with seeds derived from
  ``random_state``; their spread.
- ``"sampling"``: the VAE's latent code is drawn from its posterior
  ``N(z_mean, exp(z_log_var))`` instead of taking its mean.
- ``"flips"``: the outputs for the series, its negation, its time reversal
  and both, each flipped back (the passes that ``average_flips`` averages).
  Deterministic, and needs nothing of the network; it measures how far the
  network is from the symmetries that sign and time flip augmentation teach.

With ``average_flips`` each pass of the first three runs on each of the four
flips, and the spread is that of all these outputs, each flip on its own (the
ensemble's are then the passes that ``transform`` averages).

The spread (the standard deviation of the stochastic outputs, after the gate
and in y's units) is then calibrated on validation series the networks did not
train on, in three steps. First a scale ``exp(a log(spread) + b log(noise))``,
where ``noise`` is the RMS of what the denoiser removed from the series (its
own estimate of the series' noise level), with ``a, b >= 0`` fitted by least
squares on the log absolute errors: the spread alone follows the network's
doubt, the removed noise follows the input level. Then, for bins of that
scale, the factor that makes the 95 % quantile of ``|clean - mean| / (factor *
scale)`` equal to the normal's 1.96; the log of the calibrated standard
deviation is made a non-decreasing function of the log scale by isotonic
regression and interpolated between bins. Last, these factors are fitted
apart for bins of the removed noise level and interpolated between them, so
that the coverage holds at every input level, not only on average.

Importing this module imports Keras.
"""

import contextlib
import functools
import re
import threading
import warnings
import weakref

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.isotonic import IsotonicRegression

from .._series import power_of_two_scale
from .._split import ROWS_PER_SERIES
from .._tf import import_keras, quiet_tf_logger, seeded

keras = import_keras()

from .networks._layers import VariationalSampling  # noqa: E402

__all__ = [
    "apply_std_calibration",
    "check_uncertainty",
    "fit_std_calibration",
    "is_calibrated",
    "predictive_std",
    "stochastic_layers",
    "train_members",
    "uncalibrated",
]

# The two-sided 95 % quantile of the standard normal.
_Z95 = 1.959963984540054
# Most bins of the calibration, and fewest validation values per bin.
_MAX_BINS = 12
_MIN_PER_BIN = 256
# Most bins of the removed noise level (or another key), each with its own factors.
_MAX_NOISE_BINS = 8
# predict warns when the series' RMS is this factor beyond the calibration's.
_UNITS_MARGIN = 10.0
# The spread is floored at this fraction of the output's RMS (a zero spread,
# all passes equal, would have no calibrated scale).
_RELATIVE_FLOOR = 1e-6


def _is_mc_dropout(layer):
    # Gaussian and alpha dropout are no subclasses of Dropout in Keras 3; run
    # in training mode they draw their masks (or noise) as it does.
    if isinstance(
        layer,
        (keras.layers.Dropout, keras.layers.GaussianDropout, keras.layers.AlphaDropout),
    ):
        return float(layer.rate) > 0
    inner = getattr(layer, "forward_layer", None)  # Bidirectional
    if inner is not None:
        return _is_mc_dropout(inner)
    return isinstance(layer, keras.layers.RNN) and (
        float(getattr(layer, "dropout", 0) or 0) > 0
        or float(getattr(layer, "recurrent_dropout", 0) or 0) > 0
    )


def _is_latent_sampling(layer):
    return isinstance(layer, VariationalSampling)


_KINDS = {"mc_dropout": _is_mc_dropout, "sampling": _is_latent_sampling}


def _all_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)
        else:
            yield layer


def stochastic_layers(model, method):
    """Names of the layers of ``model`` that ``method`` switches on at inference."""
    is_stochastic = _KINDS[method]
    return [layer.name for layer in _all_layers(model) if is_stochastic(layer)]


class _AlwaysTraining(keras.layers.Wrapper):
    """Calls the wrapped layer in training mode, whatever the model's mode."""

    def call(self, inputs, *args, **kwargs):
        kwargs["training"] = True
        return self.layer(inputs, *args, **kwargs)


def _check_clonable(model, name):
    """Refuse a network the dropout passes cannot clone.

    A subclassed model, or a layer that its own ``get_config`` cannot rebuild
    (a custom layer given an array, or without ``**kwargs``).
    """
    try:
        # Seeded: the clone's layers draw their seeds from Python's random.
        with seeded(0), quiet_tf_logger():
            _stochastic_clone(model, "mc_dropout")
    except ValueError as exc:
        raise ValueError(
            f"{name}(uncertainty='mc_dropout') runs a copy of the network with "
            "its dropout on, made layer by layer, which Keras can do for "
            "functional and Sequential networks only; this one (or a network "
            f"inside it) is a subclassed model ({type(model).__name__}). Use "
            "uncertainty='ensemble' or 'flips', or a functional network."
        ) from exc
    except (TypeError, NotImplementedError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        # Keras puts the layer's whole config before the cause: keep the cause.
        reason = reason.rpartition("Exception encountered:")[2].strip() or reason
        if len(reason) > 300:
            reason = reason[:297] + "..."
        raise ValueError(
            f"{name}(uncertainty='mc_dropout') runs a copy of the network with "
            "its dropout on, made layer by layer from each layer's get_config(), "
            f"and a layer of this network cannot be rebuilt so ({reason}). Give "
            "the layer a get_config() that from_config() accepts (arrays as "
            "lists, **kwargs passed on to the base class), or use "
            "uncertainty='ensemble' or 'flips'."
        ) from exc


def _stochastic_clone(model, method):
    """A copy of ``model`` whose ``method`` layers run in training mode."""
    is_stochastic = _KINDS[method]

    def clone_layer(layer):
        if isinstance(layer, keras.Model):
            return _stochastic_clone(layer, method)
        copy = layer.__class__.from_config(layer.get_config())
        if not is_stochastic(layer):
            return copy
        # The wrapper takes the layer's dtype policy, not the global one (which
        # the user may have set to another precision).
        return _AlwaysTraining(copy, name=f"{layer.name}_mc", dtype=copy.dtype_policy)

    copy = keras.models.clone_model(model, clone_function=clone_layer)
    _copy_weights(model, copy)
    return copy


def _copy_weights(model, copy):
    for source, target in zip(model.layers, copy.layers, strict=True):
        if isinstance(target, _AlwaysTraining):
            target = target.layer
        if source.weights:
            target.set_weights(source.get_weights())


# The stochastic copies of fitted networks, by network and method: building one
# takes a fraction of a second and leaves Keras state behind, so a denoiser's
# predict builds it once. Weakly keyed: the copy goes with its network.
_STOCHASTIC_COPIES = weakref.WeakKeyDictionary()
_COPIES_LOCK = threading.Lock()  # the dictionary's; each copy has its own


@contextlib.contextmanager
def stochastic_copy(model, method, seed):
    """The copy of ``model`` whose ``method`` layers run in training mode.

    Built once per network and kept; each use copies ``model``'s weights
    into it (``partial_fit`` may have changed them) and restarts every random
    generator of the copy from ``seed``, so that a seed gives the same draws
    whatever ran before. The copy is the caller's until the block ends (other
    threads using the same network's copy wait), so that no one restarts its
    draws in the middle.
    """
    with _COPIES_LOCK:
        entry = _STOCHASTIC_COPIES.setdefault(model, {}).setdefault(
            method, [None, threading.RLock()]
        )
    with entry[1]:
        copy = entry[0]
        if copy is None:
            with seeded(seed):
                copy = entry[0] = _stochastic_clone(model, method)
        else:
            _copy_weights(model, copy)
        generators = [
            g for layer in _all_sublayers(copy) for g in _seed_generators(layer)
        ]
        starts = np.random.default_rng(seed).integers(1, 10**9, len(generators))
        for generator, start in zip(generators, starts, strict=True):
            generator.state.assign(np.array([start, 0]).astype(generator.state.dtype))
        yield copy


def _all_sublayers(model):
    # Every layer inside, wrapped and nested ones and recurrent cells included,
    # once each, in a fixed order.
    return model._flatten_layers(include_self=False, recursive=True)


def _seed_generators(layer):
    return getattr(layer, "_seed_generators", ())


def check_uncertainty(estimator, n_timesteps, n_channels):
    """Reject an ``uncertainty`` the network cannot give, before any training.

    Returns nothing; raises ValueError with what to change.
    """
    method = estimator.uncertainty
    if method not in (*_KINDS, "flips"):
        return
    name = type(estimator).__name__
    if getattr(estimator, "training", "supervised") == "blind_spot":
        raise ValueError(
            f"{name}(uncertainty={method!r}) calibrates its standard deviation on "
            "clean validation series, and training='blind_spot' has none (it learns "
            "from noisy series alone). Use uncertainty=None, or train on pairs "
            "(training='supervised')"
            + (
                ". To train (fit or partial_fit) with blind spots and have a "
                "standard deviation, train with uncertainty=None, then set "
                f"uncertainty={method!r} and call calibrate_uncertainty(X_val, "
                "y_val) on clean pairs (uncertainty='ensemble' trains its "
                "members, so it is set before fit, and calibrated after it the "
                "same way)."
            )
        )
    if method == "flips":
        return
    if method == "mc_dropout" and getattr(estimator, "dropout", None) == 0:
        raise ValueError(
            f"{name}(uncertainty='mc_dropout') needs dropout in the network, and "
            "dropout=0. Set dropout > 0 (0.1 to 0.2 is usual), or use "
            "uncertainty='ensemble'."
        )
    from ._base import _dtype_policy

    left, right = estimator._padding(n_timesteps)
    with seeded(0), _dtype_policy("float32"), quiet_tf_logger():
        model = estimator._build_network(n_timesteps + left + right, n_channels)
    if stochastic_layers(model, method):
        if method == "mc_dropout":
            _check_clonable(model, name)
        return
    # mc_dropout is advised only where dropout can be had: a dropout
    # parameter, or the user's own network (KerasDenoiser); FCN-DAE, DRNN and
    # DeepFilter have neither.
    params = estimator.get_params(deep=False)
    if "dropout" in params:
        dropout = "set dropout > 0"
    elif callable(params.get("model")):
        dropout = "add Dropout layers to the network"
    else:
        dropout = None
    if method == "sampling":
        options = (
            "'flips' (no training), 'ensemble' or 'mc_dropout' (with dropout > 0)"
            if "dropout" in params
            else "'flips' (no training) or 'ensemble'"
        )
        raise ValueError(
            f"{name}(uncertainty='sampling') draws from a variational latent "
            "code, which only VAEDenoiser (or a network with a "
            f"VariationalSampling layer) has. Use uncertainty={options}."
        )
    remedy = f"{dropout}, or use " if dropout else "use "
    raise ValueError(
        f"{name}(uncertainty='mc_dropout') needs dropout layers in the network, "
        f"and it has none: {remedy}uncertainty='flips' (no training) or "
        "'ensemble'."
    )


def member_seeds(seed, n_members):
    """Seeds of the ensemble members other than the first (None: unseeded)."""
    if seed is None:
        return [None] * (n_members - 1)
    return [
        int(np.random.SeedSequence([seed, 7, k]).generate_state(1)[0] % (2**31 - 1))
        for k in range(1, n_members)
    ]


def _member(estimator, member_seed):
    """An unfitted copy of ``estimator`` that trains one extra member."""
    return clone(estimator).set_params(
        uncertainty=None, gate=None, n_jobs=None, random_state=member_seed
    )


def _fit_member(member, X3, y3, validation, split_seed):
    from .._warnings import silenced

    member._record_fitted_shape(X3)
    # The ensemble as a whole is checked once its members are all in, and its
    # model_ says what is wrong with the data (series of zeros, an offset).
    # Members train with model_'s settings on its data: each of their
    # warnings (a y ignored, a warp, the passes, the compilation) model_ gives.
    with silenced((ConvergenceWarning, ""), (UserWarning, "")):
        member._fit(X3, y3, validation=validation, split_seed=split_seed)
    return member.model_


def _fit_member_in_worker(member, X3, y3, validation, split_seed, rows_per_series=1):
    """:func:`_fit_member` in a worker process; the network's weights.

    The calling process builds the network again and sets them
    (:func:`_member_network`): a network saved in the worker would name its
    classes as the worker knows them (a custom layer registered in the user's
    script is not registered there), and one with a ``Lambda`` layer would not
    load in safe mode. With them come whether the network runs eagerly and
    its architecture, to check the network built again against.
    ``rows_per_series``: the calling process's ``ROWS_PER_SERIES`` (a context
    variable does not reach a worker), so that the member holds out the
    leads of a recording together, as ``model_`` does.
    """
    token = ROWS_PER_SERIES.set(rows_per_series)
    try:
        model = _fit_member(member, X3, y3, validation, split_seed)
    finally:
        ROWS_PER_SERIES.reset(token)
    return model.get_weights(), model.run_eagerly, _architecture(model)


def _architecture(model):
    """The layers' configurations without their names (numbered per process)."""

    def unnamed(config):
        if isinstance(config, dict):
            return {k: unnamed(v) for k, v in config.items() if k != "name"}
        if isinstance(config, (list, tuple)):
            return [unnamed(v) for v in config]
        return config

    layers = model._flatten_layers(include_self=False, recursive=True)
    text = repr(unnamed([layer.get_config() for layer in layers]))
    # An object without a configuration of its own shows its address.
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def _member_network(member, X3, trained, member_seed):
    """The network of ``member`` (unfitted) for ``X3``, as a worker trained it."""
    weights, run_eagerly, architecture = trained
    member._record_fitted_shape(X3)
    with seeded(member_seed), quiet_tf_logger():
        # Compiled as the worker compiled it: a short fit ran eagerly (and
        # predicts so), which a saved file keeps only through its compilation.
        model = member._build_keras_model(run_eagerly=run_eagerly)
    if _architecture(model) != architecture:
        raise ValueError(
            f"{type(member).__name__}(uncertainty='ensemble', n_jobs=...) trains "
            "members in worker processes and builds their networks again here, "
            "and a network built here differs from the one its worker trained: "
            "the network's builder draws from a random source other than the "
            "layers' seeds (such as NumPy's global generator), or reads state of "
            "the process. Make it build the same network for the same arguments, "
            "or set n_jobs=None."
        )
    model.set_weights(weights)
    if model.optimizer is not None:
        # Its variables as a network trained here has them: a file saved
        # without them warned, at every load, of an optimizer skipped.
        model.optimizer.build(model.trainable_variables)
    return model


def n_processes(estimator):
    """Processes that train the ensemble at once (1: all in this process)."""
    import multiprocessing

    from joblib import effective_n_jobs, parallel_config
    from joblib.parallel import get_active_backend

    if estimator.n_jobs is None or _gpu_visible():
        # On a GPU the members train one after another in this process: each
        # worker would start a TensorFlow runtime of its own on the device,
        # which this process's runtime has already taken (TensorFlow reserves
        # nearly all of a GPU's memory by default).
        return 1
    # joblib starts no worker processes from a daemon process (a worker of
    # multiprocessing) or from a thread of a parallel loop (a search's n_jobs
    # under the threading backend): it would say so in a warning at every
    # fit. Its conditions, read without the warning.
    backend, _ = get_active_backend()
    in_loop = getattr(backend, "nesting_level", 0) or 0
    if multiprocessing.current_process().daemon or (
        in_loop > 0 and threading.current_thread() is not threading.main_thread()
    ):
        return 1
    with parallel_config(backend="loky"):
        jobs = effective_n_jobs(estimator.n_jobs)
    return max(1, min(jobs, estimator.n_members))


def _gpu_visible():
    """Whether TensorFlow sees a GPU (it is imported by the time this is asked)."""
    from .._tf import import_tensorflow

    return bool(import_tensorflow().config.list_physical_devices("GPU"))


def train_members(estimator, X3, y3, validation, seed, split_seed):
    """Train the ``n_members - 1`` extra networks of an ensemble; their models.

    Each member is a copy of ``estimator`` without uncertainty or gate, trained
    on the same data with its own seed, one after another in this process; all
    hold out the rows of ``split_seed`` (those of the ensemble's ``model_``).
    """
    return [
        _fit_member(_member(estimator, s), X3, y3, validation, split_seed)
        for s in member_seeds(seed, estimator.n_members)
    ]


def _check_picklable(estimator, member):
    """Refuse, before any training, a member that cannot reach a worker.

    The workers get a pickled copy of each member: a parameter that copies but
    does not pickle (a callback holding a lock, a noise model with an open
    file) failed only once ``model_`` had trained, with joblib's words that
    name no parameter.
    """
    # loky's pickler, the one that sends the tasks to its workers.
    from joblib.externals.loky.backend.reduction import dumps

    try:
        dumps(member)
    except Exception as exc:  # any failure to pickle: name the parameter
        name = type(estimator).__name__
        culprit = "one of its parameters"
        for key, value in member.get_params(deep=False).items():
            try:
                dumps(value)
            except Exception:
                culprit = f"its parameter {key}={value!r}"
                break
        raise ValueError(
            f"{name}(uncertainty='ensemble', n_jobs={estimator.n_jobs!r}) trains "
            f"its members in worker processes, which get a pickled copy of it, "
            f"but {culprit} cannot be pickled ({type(exc).__name__}: {exc}). Pass "
            "n_jobs=None to train them one after another in this process."
        ) from None


def start_members(estimator, X3, y3, validation, seed, split_seed):
    """Start training the extra members in worker processes; a waiter for them.

    joblib's ``loky`` backend trains them in at most ``n_processes(estimator)
    - 1`` worker processes at a time, while the calling process trains
    ``model_``. Each worker has its own TensorFlow runtime and
    ``cpu_count() // n_processes`` threads (joblib sets ``OMP_NUM_THREADS``,
    which the package passes on to TensorFlow); the data reach the workers as
    memory maps. Returns ``wait``: ``wait()`` gives the members' models in the
    order of :func:`train_members`, ``wait(cancel=True)`` abandons those not
    started.
    """
    from joblib import Parallel, delayed

    jobs = n_processes(estimator)
    seeds = member_seeds(seed, estimator.n_members)
    members = [_member(estimator, s) for s in seeds]
    _check_picklable(estimator, members[0])
    # Read here: joblib dispatches the later members from a thread of its own,
    # where the context variable has its default.
    rows_per_series = ROWS_PER_SERIES.get()
    # The generator output dispatches in the background as soon as it exists;
    # pre_dispatch keeps jobs - 1 members running beside this process.
    pending = Parallel(
        n_jobs=jobs,
        backend="loky",
        return_as="generator",
        pre_dispatch=jobs - 1,
        batch_size=1,
    )(
        delayed(_fit_member_in_worker)(
            member, X3, y3, validation, split_seed, rows_per_series
        )
        for member in members
    )

    def wait(cancel=False):
        if cancel:
            with warnings.catch_warnings():
                # joblib's advice about its task iterator, on a cancel that
                # the interrupted fit asked for.
                warnings.filterwarnings(
                    "ignore", message=r".*tasks which were still being processed"
                )
                pending.close()
            return None
        return [
            _member_network(member, X3, trained, s)
            for member, trained, s in zip(members, pending, seeds, strict=True)
        ]

    return wait


def _unit(values):
    """A power of two near each series' largest magnitude over time (axis 1, kept)."""
    return power_of_two_scale(values)


def _rms(values):
    """RMS over time (axis 1, kept), with no overflow or underflow of the squares."""
    unit = _unit(values)
    return unit * np.sqrt(np.mean(np.square(values / unit), axis=1, keepdims=True))


def _spread_floor(mean):
    """A millionth of each series' variation (of its level when it is flat).

    About the series' mean: with the offset in it (prices near 1e4 that move
    by 1e-2) the floor rose above the whole spread, which it replaced.
    """
    unit = _unit(mean)  # the mean of values near 1e307 would overflow
    scaled = mean / unit
    variation = _rms(scaled - np.mean(scaled, axis=1, keepdims=True)) * unit
    # A flat series's mean removed leaves its rounding (1e-17 of a level of
    # 0.7), which is no variation.
    level = _rms(mean)
    rounding = 16 * np.finfo(np.float64).eps * level
    level = np.where(variation > rounding, variation, level)
    return _RELATIVE_FLOOR * np.maximum(level, np.finfo(np.float64).tiny)


def raw_std(estimator, X3, seed, per_flip=None, settings=None):
    """The uncalibrated spread of the stochastic outputs of ``X3`` (y's units).

    With ``average_flips`` (and always for ``"flips"``) every output of every
    flip counts on its own: the passes that ``transform`` averages, no more,
    and a spread that also sees how far each output departs from the flips'.
    ``per_flip=False`` spreads the flip-averaged passes instead, as denoisers
    calibrated before that was so were; None: as ``estimator`` was calibrated.
    ``settings``: ``(average_flips, uncertainty_samples)`` to build the spread
    with (a calibration passes the current ones); None: those it was
    calibrated with.
    """
    if per_flip is None:
        # Every calibration since the per-flip spread sets the marker; a
        # denoiser without it was calibrated before (skdenoise.persistence.load
        # does not run __setstate__, which sets it False for such files).
        per_flip = getattr(estimator, "_spread_per_flip_", False)
    if settings is None:
        # As calibrated (denoisers calibrated before this was kept: as set now).
        settings = getattr(
            estimator,
            "_spread_settings_",
            (estimator.average_flips, estimator.uncertainty_samples),
        )
    average_flips, n_samples = settings
    with contextlib.ExitStack() as stack:
        return _spread(
            _spread_runs(estimator, X3, seed, per_flip, average_flips, n_samples, stack)
        )


def _spread_runs(estimator, X3, seed, per_flip, average_flips, n_samples, stack):
    """The calls whose outputs ``raw_std`` spreads.

    A stochastic copy of the network is entered on ``stack``.
    """
    from ._base import FLIPS, predict_batch

    method = estimator.uncertainty
    if method == "flips":
        predictors = [None]  # the fitted network (or an ensemble's mean)
    elif method == "ensemble":
        models = [estimator.model_, *estimator.ensemble_members_]
        predictors = [functools.partial(predict_batch, m) for m in models]
    else:
        model = stack.enter_context(stochastic_copy(estimator.model_, method, seed))
        predictors = [functools.partial(predict_batch, model)]
        predictors *= n_samples
    # Each flip on its own, or the flips transform runs (FLIPS[:1]: none).
    each_flip = method == "flips" or (average_flips and per_flip)
    if each_flip:
        variants = [(f,) for f in FLIPS]
    else:
        variants = [FLIPS if average_flips else FLIPS[:1]]
    return [
        functools.partial(estimator._transform, X3, predict, flips=v)
        for predict in predictors
        for v in variants
    ]


def _spread(runs):
    """Standard deviation over the outputs of ``runs`` (calls), floored."""
    total = total_sq = unit = first = None
    for run in runs:
        out = run()
        if unit is None:
            # The outputs in units of the first one's magnitude, so that their
            # squares neither overflow nor underflow.
            unit = _unit(out)
            total, total_sq = np.zeros(out.shape), np.zeros(out.shape)
            first = out / unit
        # Sums of the departures from the first output: sums of the outputs
        # themselves lost the spread of series with an offset to rounding
        # (a spread of 1e-4 about 1e4 came out as 1e-8).
        out = out / unit - first
        total += out
        total_sq += out * out
    n = len(runs)
    shift = total / n
    var = np.maximum(total_sq / n - shift * shift, 0.0) * n / (n - 1)
    return np.maximum(np.sqrt(var) * unit, _spread_floor((first + shift) * unit))


def warn_identical_passes(estimator, X3, std, mean, what, consequence="", samples=None):
    """Warn when every stochastic pass gave some series the same output.

    With few ``uncertainty_samples``, dropout that masks a whole series at
    once (a recurrent layer's) can keep it all in every pass: the series then
    has no spread, and a standard deviation of about 0 however noisy it is
    (``what``: where, e.g. "predict"; ``consequence``: appended to that;
    ``samples``: the number of passes, None: those ``estimator`` was
    calibrated with). Flat inputs, and series a shut gate gives back
    unchanged, are left out. Returns their number.
    """
    if estimator.uncertainty not in ("mc_dropout", "sampling"):
        return 0
    # The floor of a spread of 0 (twice: ``mean`` is not quite the passes').
    same = np.all(std <= 2 * _spread_floor(mean), axis=1)
    same &= ~np.all(estimator._flat_inputs(X3), axis=1)
    # A gate that shuts (or nearly: a scale of 1e-7 on a network that did not
    # learn) hands a series back about as it came, every pass alike for
    # another reason than the passes (fit has warned of it): only series the
    # denoiser changed by a thousandth of their RMS or more count.
    inputs = X3 * estimator.target_scale_ + estimator.target_offset_
    same &= (_rms(inputs - mean) > 1e-3 * _rms(mean))[:, 0, :]
    count = int(np.count_nonzero(same))
    if count:
        from .._warnings import in_chunked_call, warn_at_caller

        name = type(estimator).__name__
        if samples is None:
            calibrated = getattr(estimator, "_spread_settings_", None)
            samples = calibrated[1] if calibrated else estimator.uncertainty_samples
        # A wrapper's windows, chunk by chunk: once per call, without counts
        # of windows the user never gave.
        which = (
            "some of the windows of the series"
            if in_chunked_call()
            else f"{count} of {same.size} series (and channels)"
        )
        warn_at_caller(
            once=True,
            message=f"{name}(uncertainty={estimator.uncertainty!r}): in {what}, "
            f"every one of the {samples} stochastic passes gave the same output "
            f"for {which}, so their standard "
            f"deviation is about 0 however noisy they are{consequence}. Either "
            "dropout that masks a whole series at once (a recurrent layer's) "
            "kept it all in every pass, which happens now and then when the "
            "passes are few (raise uncertainty_samples and calibrate again, "
            "with calibrate_uncertainty or fit: predict draws as many passes as "
            "the calibration did), or the network's output "
            "does not depend on its dropout units (a network that did not learn, "
            "whose units are dead: train it longer, or use "
            "uncertainty='ensemble').",
        )
    return count


def removed_noise(estimator, X3, mean):
    """RMS per series and channel of what the denoiser removed (y's units)."""
    inputs = X3 * estimator.target_scale_ + estimator.target_offset_
    noise = np.maximum(_rms(inputs - mean), _spread_floor(mean))
    return np.broadcast_to(noise, X3.shape)


def uncalibrated():
    """The calibration that leaves the spread as it is (no validation series).

    ``(weights, noise_levels, levels, log_factors)``, as
    :func:`fit_std_calibration` returns them: the scale is the spread, with a
    factor of 1 everywhere.
    """
    return np.array([1.0, 0.0]), np.zeros(1), np.zeros((1, 1)), np.zeros((1, 1))


def is_calibrated(estimator):
    """Whether ``estimator`` holds a calibration fitted on validation series."""
    fitted = [
        getattr(estimator, name, None)
        for name in (
            "std_weights_",
            "std_noise_levels_",
            "std_levels_",
            "std_log_factors_",
        )
    ]
    if any(value is None for value in fitted):
        return False
    return not all(
        np.shape(value) == np.shape(default) and np.array_equal(value, default)
        for value, default in zip(fitted, uncalibrated(), strict=True)
    )


def fit_std_calibration(residual, std, noise=None, bin_on=None):
    """Fit the calibration of ``std`` to the errors ``residual`` it should cover.

    Parameters
    ----------
    residual : ndarray
        ``clean - mean`` on validation series.
    std : ndarray of the same shape
        The uncalibrated spread (strictly positive).
    noise : ndarray of the same shape or None
        The removed noise level (strictly positive); None: not used.
    bin_on : ndarray of the same shape or None
        A strictly positive feature whose bins get factors of their own
        instead of the removed noise level's (for studies of other keys, as
        ``benchmarks/uncertainty_loro.py``'s); None: the removed noise level.

    Returns
    -------
    weights : ndarray of shape (2,)
        Non-negative weights of the log spread and the log noise level in the
        scale.
    noise_levels : ndarray of shape (n_noise,)
        Increasing logs of ``bin_on`` (or of the noise level): the bins'
        centres.
    levels : ndarray of shape (n_noise, n_points)
        For each bin, non-decreasing log scales.
    log_factors : ndarray of shape (n_noise, n_points)
        Log of the factor applied to the scale at those levels (linear in
        between, constant beyond; linear between noise bins too).
    """
    weights = _scale_weights(residual, std, noise)
    scale = np.ravel(_scale(std, noise, weights))
    residual = np.ravel(residual)
    key = noise if bin_on is None else bin_on
    if key is None:
        log_noise = np.zeros(scale.size)
        n_noise = 1
    else:
        log_noise = np.log(np.ravel(key))
        n_noise = int(
            np.clip(scale.size // (4 * _MIN_PER_BIN * _MAX_BINS), 1, _MAX_NOISE_BINS)
        )
    order = np.argsort(log_noise, kind="stable")
    noise_levels, curves = [], []
    for rows in np.array_split(order, n_noise):
        noise_levels.append(float(np.median(log_noise[rows])))
        curves.append(_fit_factors(residual[rows], scale[rows]))
    width = max(len(levels) for levels, _ in curves)
    levels = np.array(
        [np.pad(lv, (0, width - len(lv)), mode="edge") for lv, _ in curves]
    )
    factors = np.array([np.pad(f, (0, width - len(f)), mode="edge") for _, f in curves])
    noise_levels = np.asarray(noise_levels)
    # Bins of equal key (a noise-free set) are merged into the first.
    noise_levels, first = np.unique(noise_levels, return_index=True)
    return weights, noise_levels, levels[first], factors[first]


def _scale_weights(residual, std, noise):
    """Least-squares weights of ``log|residual| ~ c + a log(std) + b log(noise)``."""
    if noise is None:
        return np.array([1.0, 0.0])
    target = np.abs(np.ravel(residual))
    target = np.log(target + 1e-3 * max(float(np.median(target)), 1e-300))
    weights = nonnegative_lstsq(
        target, [np.log(np.ravel(std)), np.log(np.ravel(noise))]
    )
    if not np.any(weights > 0):
        weights[0] = 1.0
    return weights


def nonnegative_lstsq(target, features):
    """Weights ``w >= 0`` of the least squares ``target ~ c + sum w_i features_i``.

    A feature whose weight comes out negative is dropped (the most negative
    first) and the rest refitted; all zeros when none is left.
    """
    weights = np.zeros(len(features))
    active = list(range(len(features)))
    while active:
        design = np.column_stack([np.ones(target.size)] + [features[i] for i in active])
        coef = np.linalg.lstsq(design, target, rcond=None)[0][1:]
        if np.all(coef >= 0):
            weights[active] = coef
            break
        active.pop(int(np.argmin(coef)))
    return weights


def _log_scale(std, noise, weights):
    log_scale = weights[0] * np.log(std)
    if noise is not None and weights[1]:
        log_scale = log_scale + weights[1] * np.log(noise)
    return log_scale


def _scale(std, noise, weights):
    return np.exp(_log_scale(std, noise, weights))


def _fit_factors(residual, std):
    ratio = np.abs(np.ravel(residual)) / np.ravel(std)
    log_std = np.log(np.ravel(std))
    n_bins = int(np.clip(log_std.size // _MIN_PER_BIN, 1, _MAX_BINS))
    order = np.argsort(log_std, kind="stable")
    centers, needed, weights = [], [], []
    for rows in np.array_split(order, n_bins):
        center = float(np.median(log_std[rows]))
        factor = float(np.quantile(ratio[rows], 0.95)) / _Z95
        centers.append(center)
        needed.append(center + np.log(max(factor, np.finfo(np.float64).tiny)))
        weights.append(len(rows))
    centers, needed = np.asarray(centers), np.asarray(needed)
    if n_bins > 1 and np.ptp(centers) > 0:
        iso = IsotonicRegression(increasing=True)
        needed = iso.fit_transform(centers, needed, sample_weight=np.asarray(weights))
    levels, first = np.unique(centers, return_index=True)
    return levels, needed[first] - levels


def apply_std_calibration(
    std, noise, weights, noise_levels, levels, log_factors, bin_on=None
):
    """The calibrated standard deviation of a spread and a noise level.

    ``bin_on``: the feature the factors were binned on (as in
    :func:`fit_std_calibration`); None: the noise level.
    """
    # The logarithm as computed, not of its exponential: that underflows to 0
    # for the tiny spread of an all-zero series (and numpy warned of log(0)).
    log_scale = _log_scale(std, noise, weights)
    scale = np.exp(log_scale)
    key = noise if bin_on is None else bin_on
    if len(levels) == 1 or key is None:
        return scale * np.exp(np.interp(log_scale, levels[0], log_factors[0]))
    position = np.interp(np.log(key), noise_levels, np.arange(len(levels)))
    low = np.floor(position).astype(np.intp)
    frac = position - low
    # Each value between the curves of its two nearest bins (``low`` and the
    # next; past the last bin ``frac`` is 0), a bin's curve evaluated only
    # where it is used: one full-size curve per bin took 20 times the memory
    # of the series.
    log_factor = np.zeros_like(log_scale)
    keep = 1 - frac
    for index, (lv, f) in enumerate(zip(levels, log_factors, strict=True)):
        for rows, weight in ((low == index, keep), (low + 1 == index, frac)):
            if rows.any():
                log_factor[rows] += np.interp(log_scale[rows], lv, f) * weight[rows]
    return scale * np.exp(log_factor)


def channel_units(input_range):
    """Per channel, the unit its std is calibrated in: shape (n_channels,).

    The geometric mean of the 1st and 99th percentiles of the calibration
    inputs' RMS (:func:`input_rms_range`), a power of two near it (exact
    divisions); 1 for a channel whose every series was flat, and for a
    single channel (calibrated in absolute units, as before channels had
    units of their own: the same factors, to the bit).
    """
    low, high = np.asarray(input_range, dtype=np.float64)
    if low.size == 1:
        return np.ones(1)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        typical = np.sqrt(low) * np.sqrt(high)
    usable = np.isfinite(typical) & (typical > 0)
    exponent = np.round(np.log2(np.where(usable, typical, 1.0)))
    return np.ldexp(1.0, exponent.astype(int))


def _series_rms(estimator, X3):
    """RMS of each series and channel about its mean, in y's units (n, c)."""
    inputs = X3 * estimator.target_scale_ + estimator.target_offset_
    return _centred_rms(inputs, X3)


def _centred_rms(values, series):
    """RMS of ``values`` over time about their mean, ``(n, c)``.

    Exactly 0 where ``series`` (what ``values`` were computed from) is flat:
    a constant's mean removed leaves its rounding (1e-17 of a level of 0.3),
    which the checks would take for a series in far smaller units.
    """
    rms = _rms(values - np.mean(values, axis=1, keepdims=True))[:, 0, :]
    flat = np.ptp(series, axis=1) == 0
    return np.where(flat, 0.0, rms)


def input_rms_range(estimator, X3):
    """The 1st and 99th percentiles of the series' RMS per channel, (2, c).

    Flat series (an RMS of zero) are left out; NaN for a channel whose every
    series is flat (its inputs are then not checked).
    """
    rms = _series_rms(estimator, X3)
    ranges = []
    for channel in rms.T:
        channel = channel[channel > 0]
        if channel.size:
            ranges.append(np.percentile(channel, [1.0, 99.0]))
        else:
            ranges.append(np.full(2, np.nan))
    return np.stack(ranges, axis=1)


_UNITS_CHECKED = threading.local()  # a wrapper checked the series it was given


@contextlib.contextmanager
def units_checked_by_caller():
    """Leave the check of the inputs' units to the wrapper that opens this.

    A wrapper (windows, resampling) knows which of the network's inputs come
    from which of its own series and channels, and checks each on its own; the
    median over every window of a call outvoted a single lead in other units.
    """
    before = getattr(_UNITS_CHECKED, "on", False)
    _UNITS_CHECKED.on = True
    try:
        yield
    finally:
        _UNITS_CHECKED.on = before


def _units_reference(estimator):
    """``(network, window_length)`` of the calibrated network under wrappers.

    None when no neural denoiser with a calibrated std is found.
    """
    length = None
    while estimator is not None:
        if getattr(estimator, "std_input_range_", None) is not None:
            return estimator, length or int(estimator.n_features_in_)
        if length is None and hasattr(estimator, "_window_length"):
            length = int(estimator._window_length())
        estimator = getattr(estimator, "estimator_", None)
    return None


def check_units_by_series(estimator, X3, name):
    """Warn when a series given to a wrapper lies outside the calibration's units.

    ``estimator``: the wrapper's fitted inner estimator; ``X3``: what the
    wrapper gives it, one row a series; ``name(i, c)``: how the user knows the
    series ``i`` and channel ``c``. Each series is cut into windows of the
    network's length, and the median RMS of its windows compared with the
    range of the calibration series', as :func:`_check_input_units` compares
    the median over a call's series.
    """
    if getattr(_UNITS_CHECKED, "on", False):
        return
    reference = _units_reference(estimator)
    if reference is None:
        return
    network, length = reference
    fitted = np.reshape(network.std_input_range_, (2, -1))
    n_series, n_timesteps, n_channels = X3.shape
    if fitted.shape[1] != n_channels:
        return
    length = min(length, n_timesteps)
    n_pieces = n_timesteps // length
    pieces = X3[:, : n_pieces * length].reshape(n_series * n_pieces, length, -1)
    if length == int(network.n_features_in_):
        rms = _series_rms(network, pieces)
    else:  # a map of the units per timestep needs the network's length
        scale = np.asarray(network.target_scale_, dtype=np.float64)
        if scale.ndim == 3:
            scale = scale.mean(axis=1, keepdims=True)
        rms = _centred_rms(pieces * scale, pieces)
    rms = rms.reshape(n_series, n_pieces, n_channels)
    for series in range(n_series):
        for channel in range(n_channels):
            outside = _units_outside(rms[series, :, channel], fitted, channel)
            if outside is not None:
                _warn_units(f"of {name(series, channel)}", *outside)
                return


def _units_outside(levels, fitted, channel):
    """The calibration's range ``(low, high)`` when ``levels`` lie outside it.

    ``levels``: RMS values of one channel; their median, flat series left
    out, is compared with the range with a margin of ``_UNITS_MARGIN``. None
    when it lies inside (or nothing can be compared).
    """
    levels = levels[levels > 0]
    if not levels.size or np.isnan(fitted[0, channel]):
        return None
    level = float(np.median(levels))
    low, high = float(fitted[0, channel]), float(fitted[1, channel])
    if low / _UNITS_MARGIN <= level <= high * _UNITS_MARGIN:
        return None
    return low, high


def _warn_units(where, low, high):
    from .._warnings import warn_at_caller

    # One message per series and range (no measured value in it), so that
    # the chunks of a long recording warn once.
    warn_at_caller(
        once=True,
        message=f"predict(..., return_std=True): the RMS {where} lies far outside "
        "that of the series the standard deviation was calibrated on "
        f"({low:.3g} to {high:.3g} in the output's units): are they in other "
        "units? The calibrated std does not scale with the input: give the "
        "series in the units of the calibration series, or "
        "calibrate_uncertainty on series in these units.",
    )


def _check_input_units(estimator, X3):
    """Warn when the inputs are far larger or smaller than the calibration's.

    The calibrated std is in absolute units (its bins are levels of the
    spread): inputs in microvolts to a denoiser calibrated in millivolts get a
    std calibrated for other noise levels, not one 1000 times larger. Per
    channel, the median RMS of the series that are not flat is compared with
    the range of the calibration series', with a margin of a factor of 10
    either way. Off inside :func:`units_checked_by_caller`.
    """
    if getattr(_UNITS_CHECKED, "on", False):
        return
    fitted = getattr(estimator, "std_input_range_", None)
    if fitted is None:  # not calibrated on series, or before the range was kept
        return
    fitted = np.reshape(fitted, (2, -1))
    rms = _series_rms(estimator, X3)
    if fitted.shape[1] != rms.shape[1]:
        return
    for channel in range(rms.shape[1]):
        outside = _units_outside(rms[:, channel], fitted, channel)
        if outside is not None:
            where = f"(channel {channel})" if rms.shape[1] > 1 else ""
            _warn_units(f"of the series {where}".rstrip(), *outside)
            return


def flip_outputs(estimator, X3):
    """The network's outputs for each of the four flips of ``X3`` (X's units).

    Before any gate, one network pass per flip (for an ensemble, the mean of
    its members'); ``transform`` averages them.
    """
    from ._base import FLIPS

    return [estimator._network_outputs(X3, None, (f,)) for f in FLIPS]


def shares_ensemble_passes(estimator):
    """Whether an ensemble's mean and spread can come from one run of each pass.

    One pass (no later passes' gates), and the spread built with the flips
    that ``transform`` averages (``average_flips`` as calibrated).
    """
    settings = getattr(estimator, "_spread_settings_", None)
    return (
        estimator.uncertainty == "ensemble"
        and bool(getattr(estimator, "ensemble_members_", None))
        and not getattr(estimator, "pass_gates_", None)
        and (settings is None or bool(settings[0]) == bool(estimator.average_flips))
    )


def ensemble_mean_and_spread(estimator, X3):
    """An ensemble's ``_transform`` output and its members' raw spread, together.

    Each member runs each flip once (``predict`` ran them all twice: once for
    the mean, once for the spread). The mean sums as ``_network_outputs``
    does, member by member and flip by flip in the same order, so it equals
    ``transform``'s to the bit; the spread is :func:`raw_std`'s.
    """
    from ._base import FLIPS, predict_batch

    average = bool(estimator.average_flips)
    flips = FLIPS if average else FLIPS[:1]
    each_flip = average and getattr(estimator, "_spread_per_flip_", False)
    models = [estimator.model_, *estimator.ensemble_members_]
    state = {"total": 0, "member": None}

    def gated(raw):
        return estimator._one_pass_output(X3, raw)

    def add_member(member):
        # The member's flip average, added as _network_outputs' sum does.
        state["total"] = state["total"] + member
        return member

    def one_flip(predict, flip, last):
        def run():
            out = estimator._network_outputs(X3, predict, (flip,))
            if state["member"] is None:
                state["member"] = np.zeros(X3.shape, dtype=np.float64)
            state["member"] += out
            if last:
                summed = state["member"]
                add_member(summed / len(flips) if len(flips) > 1 else summed)
                state["member"] = None
            return gated(out)

        return run

    def all_flips(predict):
        def run():
            # Already averaged over the flips.
            return gated(add_member(estimator._network_outputs(X3, predict, flips)))

        return run

    runs = []
    for model in models:
        predict = functools.partial(predict_batch, model)
        if each_flip:
            runs += [
                one_flip(predict, f, i == len(flips) - 1) for i, f in enumerate(flips)
            ]
        else:
            runs.append(all_flips(predict))
    spread = _spread(runs)
    return gated(state["total"] / len(models)), spread


def predictive_std(estimator, X3, mean, flip_outputs=None, spread=None):
    """The calibrated standard deviation of the output ``mean`` for ``X3``.

    ``flip_outputs``: with ``"flips"`` and one pass, the network's outputs per
    flip already computed (:func:`flip_outputs`), so that they are not run
    again. ``spread``: the raw spread, already computed
    (:func:`ensemble_mean_and_spread`).
    """
    _check_input_units(estimator, X3)
    if spread is not None:
        std = spread
    elif flip_outputs is not None:
        std = _spread(
            [
                functools.partial(estimator._from_flip_outputs, X3, [out], False)
                for out in flip_outputs
            ]
        )
    else:
        std = raw_std(estimator, X3, estimator._seed())
    warn_identical_passes(estimator, X3, std, mean, "predict")
    calibrated = getattr(estimator, "_spread_settings_", None)
    if calibrated is not None and bool(estimator.average_flips) != calibrated[0]:
        # The noise level read off the output as it was calibrated (from the
        # flips' outputs when predict has them: no more network passes).
        from ._base import FLIPS

        if flip_outputs is not None:
            mean = estimator._from_flip_outputs(X3, flip_outputs, calibrated[0])
        else:
            flips = FLIPS if calibrated[0] else FLIPS[:1]
            mean = estimator._transform(X3, flips=flips)
    # Calibrated with each channel in its own units (None: in absolute units,
    # as files saved before were).
    units = getattr(estimator, "_std_channel_units_", None)
    units = 1.0 if units is None else units
    calibrated = units * apply_std_calibration(
        std / units,
        removed_noise(estimator, X3, mean) / units,
        estimator.std_weights_,
        estimator.std_noise_levels_,
        estimator.std_levels_,
        estimator.std_log_factors_,
    )
    # A flat series or channel is given back as it came and has no spread:
    # the calibration's factors, fitted without such series, would scale its
    # floor to an arbitrary width (a tenth of a constant's level, and a
    # spread out of nothing for an all-zero series).
    flat = estimator._flat_inputs(X3)
    if np.any(flat):
        calibrated = np.where(flat, _spread_floor(mean), calibrated)
    return calibrated
