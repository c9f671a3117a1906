"""The base class of the neural denoisers, on scikeras' ``BaseWrapper``.

Importing this module imports Keras, TensorFlow and scikeras. Everything that
touches scikeras lives here, together with the fixes it needs on current
scikit-learn and TensorFlow:

- scikeras' ``_get_param_names`` reads the instance ``__dict__``; here the
  parameters are the explicit keywords of ``__init__``, so ``clone`` and
  ``GridSearchCV`` see exactly the hyper-parameters;
- scikeras defines the old ``_more_tags`` only; tags are given by
  ``__sklearn_tags__`` and scikeras' class gets a ``__sklearn_tags__`` of its own
  so scikit-learn's tag checks accept it;
- scikeras' seeding reseeds Python's, NumPy's and TensorFlow's global generators
  and can leave TensorFlow's op determinism switched on for the process; here a
  seeded fit only seeds Python's ``random`` (from which Keras draws layer seeds)
  while the model is built, shuffles and draws noise with its own NumPy
  generators, and restores every global it touched on exit;
- scikeras' validation, ``predict`` path and ``score`` are replaced by the
  series-aware ones below.
"""

import contextlib
import math
import numbers
import random
import threading

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._tags import TransformerTags
from sklearn.utils.validation import check_is_fitted

from ._mixin import DenoiserMixin
from ._tf import import_keras, import_tensorflow, quiet_tf_logger
from ._validation import as_3d, check_series, restore_ndim
from .augment import BaseAugmentation
from .noise import BaseNoise, WhiteNoise

keras = import_keras()
tf = import_tensorflow()

from scikeras._utils import (  # noqa: E402
    get_loss_class_function_or_string,
    get_optimizer_class,
    try_to_convert_strings_to_classes,
    unflatten_params,
)
from scikeras.wrappers import BaseWrapper  # noqa: E402
from tensorflow.python.framework import config as _tf_config  # noqa: E402

from .networks import _layers  # noqa: E402, F401  (registers custom layers)

__all__ = ["BaseDenoiser"]


def _base_wrapper_tags(self):
    return super(BaseWrapper, self).__sklearn_tags__()


if "__sklearn_tags__" not in vars(BaseWrapper):
    BaseWrapper.__sklearn_tags__ = _base_wrapper_tags

_OPTIMIZERS = {"adam", "adamw", "rmsprop", "sgd"}
_LOSSES = {"mse", "mae", "huber", "snr"}
_SEED_LOCK = threading.RLock()

# Fits with at most this many gradient steps run eagerly (no graph tracing).
_EAGER_MAX_STEPS = 16

# Inference runs the model on chunks of at most this many values.
_CHUNK_VALUES = 2**18


@contextlib.contextmanager
def _seeded(seed):
    """Seed Python's ``random`` (Keras' default-seed source) and TF op determinism.

    Everything is restored on exit, so seeded fits leave no global state behind.
    """
    if seed is None:
        yield
        return
    with _SEED_LOCK:
        python_state = random.getstate()
        determinism_was_on = _tf_config.is_op_determinism_enabled()
        random.seed(seed)
        if not determinism_was_on:
            _tf_config.enable_op_determinism()
        try:
            yield
        finally:
            random.setstate(python_state)
            if not determinism_was_on:
                _tf_config.disable_op_determinism()


def _store_init_args(estimator, args):
    """Store ``__init__``'s keyword arguments unchanged, as scikit-learn requires.

    Called as ``_store_init_args(self, locals())`` first thing in ``__init__``.
    """
    for name in type(estimator)._get_param_names():
        setattr(estimator, name, args[name])


def _normalise(inputs, targets=None, eps=1e-8):
    """Per-series, per-channel standardisation by the statistics of the input."""
    mean = inputs.mean(axis=1, keepdims=True)
    scale = inputs.std(axis=1, keepdims=True)
    scale = np.where(scale > eps * np.maximum(1.0, np.abs(mean)), scale, 1.0)
    inputs = (inputs - mean) / scale
    if targets is not None:
        targets = (targets - mean) / scale
    return inputs, targets, mean, scale


def _pad_time(arr, left, right):
    if not left and not right:
        return arr
    mode = "reflect" if arr.shape[1] > 1 else "edge"
    return np.pad(arr, ((0, 0), (left, right), (0, 0)), mode=mode)


class _TrainingBatches(keras.utils.PyDataset):
    """Batches for ``Model.fit``, reshuffled (and re-noised) every epoch.

    Noisy inputs drawn on the fly come from ``noise.apply`` on the clean
    series; randomness for each (epoch, batch) pair comes from its own generator,
    so the stream is reproducible whatever order Keras asks for batches in.
    """

    def __init__(self, owner, inputs, targets, noise, batch_size, seed):
        super().__init__()
        self.owner = owner
        self.inputs = inputs
        self.targets = targets
        self.noise = noise
        self.batch_size = batch_size
        self.seed = seed
        self.epoch = 0
        self._order = self._permutation()

    def _permutation(self):
        rng = np.random.default_rng([self.seed, self.epoch, 0])
        return rng.permutation(self.targets.shape[0])

    def __len__(self):
        return math.ceil(self.targets.shape[0] / self.batch_size)

    def __getitem__(self, index):
        # Every batch has the same size (the last one wraps around to the start
        # of the epoch's order), so the training step is traced only once.
        positions = index * self.batch_size + np.arange(self.batch_size)
        rows = self._order[positions % len(self._order)]
        targets = self.targets[rows]
        inputs = self.inputs[rows] if self.inputs is not None else targets
        augment = self.owner.augment
        if augment is not None:
            rng = np.random.default_rng([self.seed, self.epoch, 2, index])
            if self.inputs is not None:
                inputs, targets = augment.apply(inputs, targets, random_state=rng)
            else:
                (targets,) = augment.apply(targets, random_state=rng)
                inputs = targets
        if self.noise is not None:
            rng = np.random.default_rng([self.seed, self.epoch, 1, index])
            inputs = self.noise.apply(inputs, random_state=rng)
        return self.owner._prepare(inputs, targets)

    def on_epoch_end(self):
        self.epoch += 1
        self._order = self._permutation()


class BaseDenoiser(DenoiserMixin, BaseWrapper):
    """Base class of the neural denoisers (not for direct use).

    Concrete denoisers define ``__init__`` with their explicit keyword
    hyper-parameters, ``_network_params`` (the builder's keyword arguments),
    ``_build_network`` and, when their network needs it, ``_length_multiple``.

    Notes
    -----
    ``fit(X, y)`` learns to map the noisy ``X`` to the clean ``y``. With a
    ``noise`` model, fresh noise is added to the inputs at every epoch (to ``X``
    when ``y`` is given, as augmentation; to the clean ``X`` when it is not).
    ``fit(X)`` without a noise model treats ``X`` as clean and adds white
    Gaussian noise at an SNR drawn per series from 0 to 20 dB.

    Examples
    --------
    >>> from skdenoise import BaseDenoiser, UNetDenoiser
    >>> issubclass(UNetDenoiser, BaseDenoiser)
    True
    """

    _common_parameter_constraints = {
        "noise": [BaseNoise, None],
        "augment": [BaseAugmentation, None],
        "normalize": ["boolean"],
        "optimizer": [StrOptions(_OPTIMIZERS)],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "loss": [StrOptions(_LOSSES)],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "validation_split": [Interval(numbers.Real, 0, 1, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "callbacks": [list, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Run short fits eagerly; recurrent layers step through time in Python when
    # eager, so recurrent networks turn this off.
    _eager_short_fits = True

    # Smallest series the networks accept; one sample carries no time structure.
    _min_timesteps = 2

    # scikeras attributes that its inherited helpers read; not parameters here.
    model = None
    build_fn = None
    warm_start = False
    metrics = None
    run_eagerly = False

    @classmethod
    def _get_test_params(cls):
        """Tiny settings (one epoch, few units) for the test suite."""
        return {"epochs": 1, "batch_size": 8, "random_state": 0}

    # ----------------------------------------------------------------- params
    @classmethod
    def _get_param_names(cls):
        # scikeras reads the instance __dict__; the parameters are __init__'s.
        return BaseEstimator._get_param_names.__func__(cls)

    def set_params(self, **params):
        """Set the parameters of this denoiser.

        Parameters
        ----------
        **params : dict
            Denoiser parameters.

        Returns
        -------
        self : object
            The denoiser.
        """
        return BaseEstimator.set_params(self, **params)

    def __repr__(self, N_CHAR_MAX=700):
        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)

    @property
    def __name__(self):
        return type(self).__name__

    # --------------------------------------------------------------- network
    def _network_params(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_network(self, n_timesteps, n_channels):  # pragma: no cover
        raise NotImplementedError

    def _length_multiple(self):
        """The network needs the padded length to be a multiple of this."""
        return 1

    def _padding(self, n_timesteps):
        multiple = self._length_multiple()
        total = (-n_timesteps) % multiple
        return total // 2, total - total // 2

    def _make_optimizer(self):
        optimizer = try_to_convert_strings_to_classes(
            self.optimizer, get_optimizer_class
        )
        kwargs = {"learning_rate": self.learning_rate}
        if self.weight_decay:
            kwargs["weight_decay"] = self.weight_decay
        return unflatten_params(optimizer, kwargs)

    def _make_loss(self):
        if self.loss == "snr":
            from .networks._layers import NegativeSNRLoss

            return NegativeSNRLoss()
        name = {"mse": "MeanSquaredError", "mae": "MeanAbsoluteError", "huber": "Huber"}
        loss = try_to_convert_strings_to_classes(
            name[self.loss], get_loss_class_function_or_string
        )
        return unflatten_params(loss, {}) if isinstance(loss, type) else loss

    def _build_keras_model(self, n_steps=None):
        left, right = self._padding(self.n_features_in_)
        model = self._build_network(
            self.n_features_in_ + left + right, self.n_channels_in_
        )
        # Tracing the training step costs about a second; for a handful of steps
        # running them eagerly is faster.
        eager = (
            self._eager_short_fits
            and n_steps is not None
            and n_steps <= _EAGER_MAX_STEPS
        )
        model.compile(
            optimizer=self._make_optimizer(), loss=self._make_loss(), run_eagerly=eager
        )
        return model

    # ------------------------------------------------------------------ data
    def _prepare(self, inputs, targets=None):
        """Normalise and pad a batch for the network (float32)."""
        inputs = np.asarray(inputs, dtype=np.float64)
        if targets is not None:
            targets = np.asarray(targets, dtype=np.float64)
        if self.normalize:
            inputs, targets, _, _ = _normalise(inputs, targets)
        left, right = self._padding(inputs.shape[1])
        inputs = self._to_network(_pad_time(inputs, left, right)).astype(np.float32)
        if targets is None:
            return inputs
        return inputs, _pad_time(targets, left, right).astype(np.float32)

    def _to_network(self, inputs):
        """The network's input for a normalised, padded float64 batch."""
        return inputs

    def _training_noise(self, y):
        if self.noise is not None:
            return self.noise
        if y is None:
            return WhiteNoise(snr=(0.0, 20.0))
        return None

    def _seed(self):
        """An int seed drawn from ``random_state`` (None when unseeded)."""
        rs = self.random_state
        if rs is None:
            return None
        if isinstance(rs, numbers.Integral):
            return int(rs)
        # A RandomState: draw from a copy, so the caller's generator is untouched.
        state = np.random.RandomState()
        state.set_state(rs.get_state())
        return int(state.randint(0, 2**31 - 1))

    # ------------------------------------------------------------------- fit
    def fit(self, X, y=None):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or clean series (without ``y``).
        y : array-like of the same shape as X, default=None
            Clean series. Without it, ``X`` is taken as clean and noisy inputs
            are drawn from ``noise`` (white Gaussian noise at 0 to 20 dB when
            ``noise`` is None). A 1-D ``y`` with one value per series is not a
            clean target: it is ignored with a ``TargetIgnoredWarning``.

        Returns
        -------
        self : object
            The fitted denoiser.
        """
        self._validate_params()
        return self._train(X, y, reset=True, epochs=self.epochs)

    def partial_fit(self, X, y=None):
        """Train the network for one more epoch on ``X`` (and ``y``).

        The first call builds the network; later calls continue from the
        current weights and must get series of the same length and channels.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or clean series (without ``y``).
        y : array-like of the same shape as X, default=None
            Clean series, as in :meth:`fit`.

        Returns
        -------
        self : object
            The denoiser.
        """
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
        return self._train(X, y, reset=first, epochs=1)

    def _train(self, X, y, *, reset, epochs):
        min_timesteps = self._min_timesteps if reset else 1
        X = check_series(X, estimator=self, min_timesteps=min_timesteps)
        y = self._check_fit_target(y, X)
        X3 = as_3d(X)
        y3 = as_3d(y) if y is not None else None
        if reset:
            self.n_features_in_ = X3.shape[1]
            self.n_channels_in_ = X3.shape[2]
        else:
            self._check_fitted_shape(X3)
        noise = self._training_noise(y)
        if self.augment is not None:
            # Bad settings fail here, with their own message, not inside Keras.
            self.augment._check_params()
        seed = self._seed()
        if seed is None:
            data_seed = int(np.random.SeedSequence().entropy % 2**31)
        else:
            # partial_fit calls each see different (but reproducible) batches.
            data_seed = seed + (0 if reset else self.n_epochs_)

        targets = y3 if y3 is not None else X3
        inputs = X3 if y3 is not None else None
        n_series = targets.shape[0]
        n_val = 0
        if self.validation_split and n_series >= 2:
            n_val = min(n_series - 1, max(1, round(self.validation_split * n_series)))
        order = np.random.default_rng([data_seed, 2]).permutation(n_series)
        val_rows, train_rows = order[:n_val], order[n_val:]
        validation_data = None
        if n_val:
            val_targets = targets[val_rows]
            val_inputs = inputs[val_rows] if inputs is not None else val_targets
            if noise is not None:
                val_inputs = noise.apply(
                    val_inputs, random_state=np.random.default_rng([data_seed, 3])
                )
            validation_data = self._prepare(val_inputs, val_targets)
        batches = _TrainingBatches(
            self,
            inputs[train_rows] if inputs is not None else None,
            targets[train_rows],
            noise,
            min(self.batch_size, len(train_rows)),
            data_seed,
        )
        callbacks = list(self.callbacks or [])
        if self.patience is not None:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss" if n_val else "loss",
                    patience=self.patience,
                    restore_best_weights=True,
                )
            )
        with _seeded(seed), quiet_tf_logger():
            if reset:
                self.model_ = self._build_keras_model(n_steps=epochs * len(batches))
            history = self.model_.fit(
                batches,
                epochs=epochs,
                validation_data=validation_data,
                callbacks=callbacks,
                shuffle=False,
                verbose={0: 0, 1: 2}.get(self.verbose, 1),
            )
        new = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        if reset:
            self.history_ = new
        else:
            for key, vals in new.items():
                self.history_.setdefault(key, []).extend(vals)
        self.n_epochs_ = len(self.history_.get("loss", []))
        return self

    def initialize(self, X, y=None):
        """Not supported: use ``fit``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support initialize; call fit."
        )

    # ------------------------------------------------------------- transform
    def _check_transform_input(self, X):
        check_is_fitted(self)
        X = check_series(X, estimator=self, min_timesteps=1)
        X3 = as_3d(X)
        self._check_fitted_shape(X3)
        return X, X3

    def _check_fitted_shape(self, X3):
        name = type(self).__name__
        if X3.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X3.shape[1]} features, but {name} is expecting "
                f"{self.n_features_in_} features as input: the number of timesteps "
                f"must equal the {self.n_features_in_} seen in fit. Wrap the denoiser "
                "in WindowedDenoiser to denoise series of any length."
            )
        if X3.shape[2] != self.n_channels_in_:
            raise ValueError(
                f"X has {X3.shape[2]} channel(s), but {name} was fitted on "
                f"{self.n_channels_in_} channel(s)."
            )

    def _denoise(self, X3):
        """Run the network over ``X3`` in chunks; returns float64 of X3's shape."""
        n_series, n_timesteps, n_channels = X3.shape
        left, right = self._padding(n_timesteps)
        rows = max(1, _CHUNK_VALUES // ((n_timesteps + left + right) * n_channels))
        out = np.empty(X3.shape, dtype=np.float64)
        with quiet_tf_logger():
            self._denoise_chunks(X3, out, rows, left, right)
        return out

    def _denoise_chunks(self, X3, out, rows, left, right):
        n_series, n_timesteps = X3.shape[:2]
        for start in range(0, n_series, rows):
            chunk = np.asarray(X3[start : start + rows], dtype=np.float64)
            if self.normalize:
                chunk, _, mean, scale = _normalise(chunk)
            padded = self._to_network(_pad_time(chunk, left, right)).astype(np.float32)
            pred = np.asarray(self.model_.predict_on_batch(padded), dtype=np.float64)
            pred = pred[:, left : left + n_timesteps]
            if self.normalize:
                pred = pred * scale + mean
            out[start : start + rows] = pred

    def transform(self, X):
        """Denoise series.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series with as many timesteps and channels as in ``fit``.

        Returns
        -------
        X_denoised : ndarray of the same shape as X
            Denoised series, float32 for float32 input and float64 otherwise.
        """
        X, X3 = self._check_transform_input(X)
        out = self._denoise(X3)
        return restore_ndim(out, X.ndim).astype(X.dtype, copy=False)

    def predict(self, X):
        """Alias of :meth:`transform`, for code written for regressors."""
        return self.transform(X)

    # ------------------------------------------------------------ persistence
    def __getstate__(self):
        state = dict(BaseEstimator.__getstate__(self))  # may be self.__dict__
        model = state.pop("model_", None)
        if model is not None:
            state["_model_bytes"] = _model_to_bytes(model)
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_model_bytes", None)
        BaseEstimator.__setstate__(self, state)
        if data is not None:
            self.model_ = _model_from_bytes(data)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        tags.target_tags.required = False
        if tags.transformer_tags is None:
            tags.transformer_tags = TransformerTags()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.non_deterministic = self.random_state is None
        return tags


def _model_to_bytes(model):
    import io

    from keras.src.saving import saving_lib

    buffer = io.BytesIO()
    saving_lib.save_model(model, buffer)
    return buffer.getvalue()


def _model_from_bytes(data):
    import io

    from keras.src.saving import saving_lib

    return saving_lib.load_model(io.BytesIO(data), compile=True, safe_mode=True)
