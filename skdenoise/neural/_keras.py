"""Bring your own network: a user's Keras model as a denoiser."""

import copy
import inspect
import re
import weakref

from .._warnings import warn_at_caller
from ..base import SeriesTransformerMixin
from ._base import BaseNeuralDenoiser, keras, store_init_args
from ._general import _COMMON_CONSTRAINTS, _POSITIVE_INT, _document

__all__ = ["KerasDenoiser"]

_PREFIX = "model__"
# The networks the builders returned in this process: a builder that returns
# one of them again (a model built once outside it) is refused.
_RETURNED = weakref.WeakSet()


# Keras' errors for layers given inputs of other lengths (a skip connection
# around a halving): Concatenate's, Add's and the other merges', and those of
# ``+`` and keras.ops.concatenate. Another
# ValueError of a builder that names a shape is its own.
_LENGTH_MISMATCH = re.compile(
    r"requires inputs with matching shapes|Inputs have incompatible shapes"
    # The same skip connection written with operators or keras.ops.
    r"|Cannot broadcast shape|must have the same shape except on the `axis` dim"
)


def _tiny_test_network(n_timesteps, n_channels, units=4):
    """A two-layer convolutional network, the test configuration's ``model``."""
    inputs = keras.Input(shape=(n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(units, 3, padding="same", activation="relu")(inputs)
    outputs = keras.layers.Conv1D(n_channels, 1)(hidden)
    return keras.Model(inputs, outputs)


def _copied(value, name, owner="KerasDenoiser"):
    """A deep copy of ``value``, or ``value`` itself if it cannot be copied.

    A Keras layer or network that cannot be copied is refused: used as it is,
    it would be trained in place and shared by every network built from it.
    """
    try:
        return copy.deepcopy(value)
    except Exception as exc:  # noqa: BLE001 - a singleton (a distribution strategy)
        if isinstance(value, keras.layers.Layer):
            reason = str(exc).strip().split("\n")[0][:300]
            raise ValueError(
                f"{owner} cannot copy its hyper-parameter {_PREFIX}{name} "
                f"(a {type(value).__name__}): {reason.rstrip('.')}. Each network is "
                "built from a "
                "copy, so that the object given is never trained in place; Keras "
                "copies a network by serialising it, which needs its custom layers "
                "registered (keras.saving.register_keras_serializable) or their "
                "get_config complete."
            ) from None
        return value


def _declared_input_shape(network):
    """The shape of the one input a network declares, or None if unknown."""
    try:
        inputs = network.inputs
    except (AttributeError, ValueError):  # never called symbolically
        return None
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 1:
        return None  # several inputs: refused by _check_one_input
    return tuple(inputs[0].shape)


def _check_one_input(network, owner="KerasDenoiser"):
    """Refuse a network that declares several inputs (or a dict of them)."""
    try:
        inputs = network.inputs
    except (AttributeError, ValueError):  # never called symbolically
        return
    if isinstance(inputs, dict) or (
        isinstance(inputs, (list, tuple)) and len(inputs) > 1
    ):
        raise ValueError(
            f"{owner}'s network must have one input, the noisy series; it "
            f"has {len(inputs)} (give keras.Model one keras.Input, not a list or "
            "dict of them)."
        )


@_document
class KerasDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """A denoiser around your own Keras network.

    ``model`` is a callable that builds the network:
    ``model(n_timesteps, n_channels, **hyper_parameters)`` returns an
    uncompiled ``keras.Model`` (functional, ``Sequential`` or subclassed) with
    one input and one output, mapping ``(batch, n_timesteps, n_channels)`` to
    the same shape; the denoiser compiles it (the compilation of a compiled
    one is replaced, with a warning). Its hyper-parameters are given to the
    denoiser with the ``model__`` prefix (``KerasDenoiser(model=build,
    model__units=64)``) and are parameters like any other: ``get_params``,
    ``set_params``, ``clone`` and ``GridSearchCV`` see them. Every network is
    built from a deep copy of them (of those that can be copied), so a Keras
    object given as one (a layer, a pretrained model) is never trained or
    changed in place. The network gets
    everything the package's own networks get: input validation, per-series
    normalisation, noise drawn on the fly, augmentation, the SNR loss, early
    stopping, windowing through :class:`~skdenoise.pipeline.WindowedDenoiser`
    and pickling (custom layers must be registered with
    ``keras.saving.register_keras_serializable``; loading a network with one
    that is not names its class). The builders of :mod:`skdenoise.networks`
    follow the same convention.

    Parameters
    ----------
    model : callable
        Builds the network from the (padded) series length, the number of
        channels and the ``model__`` hyper-parameters: a new network at every
        call (``fit``, each ensemble member), which is the one trained. A
        builder that returns a network it returned before (one model built
        outside it) is refused: refits and ensemble members would train that
        one network over again.
    length_multiple : int, default=1
        Series are padded by reflection to a multiple of this length before the
        network (for networks that halve the length ``depth`` times,
        ``2 ** depth``) and cropped back.
    %(common)s
    **model_params
        The network's hyper-parameters, each prefixed by ``model__``.

    %(attributes)s

    See Also
    --------
    UNetDenoiser : The package's general-purpose network.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from skdenoise import KerasDenoiser
    >>> def build(n_timesteps, n_channels, units=8):
    ...     inputs = keras.Input(shape=(n_timesteps, n_channels))
    ...     h = keras.layers.Conv1D(units, 5, padding="same", activation="relu")(inputs)
    ...     return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(h))
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 64) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = KerasDenoiser(build, model__units=4, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 64)
    >>> model.get_params()["model__units"]
    4
    """

    _parameter_constraints = {
        "model": [callable],
        "length_multiple": _POSITIVE_INT,
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {**super()._get_test_params(), "model": _tiny_test_network}

    def __init__(
        self,
        model=None,
        length_multiple=1,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
        **model_params,
    ):
        store_init_args(self, locals())
        # Stored as given; names without the prefix are reported by fit (the
        # private list tells them from fitted attributes: a typo may end in _).
        for name, value in model_params.items():
            setattr(self, name, value)
        self._unknown_keywords = tuple(
            name for name in model_params if not name.startswith(_PREFIX)
        )

    def _model_params(self):
        """The ``model__`` hyper-parameters, without their prefix."""
        return {
            name[len(_PREFIX) :]: value
            for name, value in vars(self).items()
            if name.startswith(_PREFIX)
        }

    def _unknown_params(self):
        """Keyword arguments of ``__init__`` that are no parameter (typos)."""
        known = set(self._get_param_names())
        given = [
            name
            for name in getattr(self, "_unknown_keywords", ())
            if name in vars(self) and name not in known
        ]
        # An instance unpickled from a version without the list.
        guessed = [
            name
            for name in vars(self)
            if not (name.startswith(("_", _PREFIX)) or name.endswith("_"))
            and name not in known
            and name not in given
        ]
        return given + guessed

    def get_params(self, deep=True):
        """Get the parameters of this denoiser, the network's included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(
            {_PREFIX + name: value for name, value in self._model_params().items()}
        )
        # Kept, so that a clone carries them to fit, which reports them.
        params.update({name: getattr(self, name) for name in self._unknown_params()})
        return params

    def set_params(self, **params):
        """Set the parameters of this denoiser, ``model__`` ones included.

        Parameters
        ----------
        **params : dict
            Denoiser parameters.

        Returns
        -------
        self : object
            The denoiser.
        """
        known = set(self._get_param_names())
        stored = set(self._unknown_params())
        for name in list(params):
            if name.startswith(_PREFIX) or name in stored:
                setattr(self, name, params.pop(name))
            elif "__" not in name and name not in known:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator "
                    f"{type(self).__name__}. Valid "
                    f"parameters are {sorted(known)}; the network's hyper-parameters "
                    f"take the prefix {_PREFIX!r} ({_PREFIX}{name}=...)."
                )
        return super().set_params(**params)

    def __sklearn_is_fitted__(self):
        # A hyper-parameter may end in "_" too (model__lambda_): it is no
        # fitted attribute, as check_is_fitted would otherwise take it.
        unknown = set(getattr(self, "_unknown_keywords", ()))
        return any(
            name.endswith("_")
            and not name.startswith(("__", _PREFIX))
            and name not in unknown
            for name in vars(self)
        )

    def _check_network_to_train(self, network):
        # Checked and recorded where a network is built to be trained: not
        # where a check builds one (mc_dropout's probe, at every partial_fit),
        # and not when the builder's network was refused.
        # Layers with weights, not only the network itself: a builder that
        # wraps a network made outside it (keras.Model(x, backbone(x)), or
        # TimeDistributed(dense)) returns a new Model around the same, shared
        # layers (a batch normalisation's statistics change in fit too). A
        # frozen layer (trainable=False) may be shared: no fit changes it.
        weighted = [
            layer
            for layer in network._flatten_layers(include_self=False, recursive=True)
            if layer.weights and layer.trainable
        ]
        if network in _RETURNED or any(layer in _RETURNED for layer in weighted):
            what = (
                "the same keras.Model object"
                if network in _RETURNED
                else "a new keras.Model around layers of one it had returned"
            )
            raise ValueError(
                f"{type(self).__name__}"
                "'s model returned a network it had returned before "
                f"({what}, trained by a fit or an ensemble member): it must build "
                "a new network at every call, or refits and ensemble members "
                "train that one network over again. Create the layers inside the "
                "function. To start from a pretrained network, pass it as a "
                f"hyper-parameter ({_PREFIX}backbone=your_model: each network "
                "gets a copy, weights included); keras.models.clone_model gives "
                "new, untrained weights."
            )
        _RETURNED.add(network)
        for layer in weighted:
            _RETURNED.add(layer)

    def _length_multiple(self):
        return self.length_multiple

    def _check_network_params(self, n_timesteps):
        unknown = self._unknown_params()
        if unknown:
            raise ValueError(
                f"{type(self).__name__}"
                f" got unexpected keyword arguments {unknown}; the "
                f"network's hyper-parameters take the prefix {_PREFIX!r} (for "
                f"example {_PREFIX}{unknown[0]}=...)."
            )
        super()._check_network_params(n_timesteps)

    def _geometry_text(self):
        return f"length_multiple={self.length_multiple}"

    def _build_network(self, n_timesteps, n_channels):
        if isinstance(self.model, keras.layers.Layer):
            # A built network is callable too, but on tensors: it cannot be
            # rebuilt for every fit (clone, refits, ensembles need fresh ones).
            raise ValueError(
                f"{type(self).__name__}"
                "'s model must be a function that builds the network, "
                "model(n_timesteps, n_channels, **hyper_parameters) -> keras.Model; "
                f"got a {type(self.model).__name__} instance. Pass the function "
                "that creates it instead."
            )
        # Each network gets its own copy of the hyper-parameters: a Keras
        # layer given as one would otherwise be trained in place, shared by
        # every network built from it (a refit would start from its weights).
        routed = {
            name: _copied(value, name, type(self).__name__)
            for name, value in self._model_params().items()
        }
        try:
            inspect.signature(self.model).bind(n_timesteps, n_channels, **routed)
        except TypeError as exc:
            raise ValueError(
                f"{type(self).__name__} cannot call model={self.model!r} as "
                f"model(n_timesteps, n_channels, **{routed!r}): {exc}."
            ) from None
        except ValueError:  # no signature (a builtin): just call it
            pass
        try:
            network = self.model(n_timesteps, n_channels, **routed)
        except (ValueError, TypeError) as exc:
            if not (isinstance(exc, ValueError) and _LENGTH_MISMATCH.search(str(exc))):
                # Keras' (or the builder's) own words, with the call that
                # raised them: a bad model__ value is named.
                message = (
                    f"{type(self).__name__}'s model raised {type(exc).__name__} "
                    f"while building the network, model({n_timesteps}, "
                    f"{n_channels}, **{routed!r}): {exc}"
                )
                # Of the builder's own type where it takes a message alone
                # (scikit-learn's InvalidParameterError is both a ValueError
                # and a TypeError), else the one of the two it is.
                try:
                    wrapped = type(exc)(message)
                except Exception:
                    wrapped = (
                        ValueError if isinstance(exc, ValueError) else TypeError
                    )(message)
                raise wrapped from exc
            # Keras' error from inside the builder, about mismatched shapes: most
            # often skip connections of a network that halves the length.
            raise ValueError(
                f"{type(self).__name__}"
                "'s model could not build a network for series of "
                f"{n_timesteps} timesteps and {n_channels} channel(s) (padded to "
                f"a multiple of length_multiple={self.length_multiple}): {exc} "
                "A network that pools and upsamples needs series of a multiple of "
                "its total pooling factor (2**depth for build_unet): set "
                "length_multiple to that factor."
            ) from exc
        if not isinstance(network, keras.Model):
            raise ValueError(
                f"{type(self).__name__}'s model must return a keras.Model; got "
                f"{type(network).__name__}."
            )
        if network.compiled:
            warn_at_caller(
                f"{type(self).__name__}"
                " compiles the network itself, with its optimizer, "
                "learning_rate, weight_decay and loss parameters; the network "
                "returned by model was compiled, and that compilation (optimizer, "
                "loss, metrics) is ignored. Return an uncompiled keras.Model."
            )
        expected = (None, n_timesteps, n_channels)
        _check_one_input(network, type(self).__name__)
        declared = _declared_input_shape(network)
        if declared is not None and (
            len(declared) != 3
            or any(
                d is not None and d != e
                for d, e in zip(declared[1:], expected[1:], strict=True)
            )
        ):
            # Keras may still trace such a network on the series' shape, and
            # fail inside Model.fit only.
            raise ValueError(
                f"{type(self).__name__}'s network must take series of shape (batch, "
                f"{n_timesteps}, {n_channels}) (give it keras.Input(shape=("
                f"{n_timesteps}, {n_channels})) or (None, {n_channels})); its input "
                f"has shape {declared}."
            )
        try:
            if isinstance(network, keras.Sequential) and not network.built:
                # A Sequential without an Input: built for the series given.
                network.build(expected)
            elif not network.built:
                # A subclassed model: built by a symbolic call, as Keras does.
                network(keras.KerasTensor(expected, dtype="float32"))
            # Any None (a length-agnostic network) is resolved for this length;
            # a subclassed model without compute_output_shape is traced.
            output = network.compute_output_spec(
                keras.KerasTensor(expected, dtype="float32")
            )
        except Exception as exc:
            raise ValueError(
                f"{type(self).__name__}'s network must take series of shape (batch, "
                f"{n_timesteps}, {n_channels}) (give it keras.Input(shape=("
                f"{n_timesteps}, {n_channels})) or (None, {n_channels})); "
                f"Keras could not apply it to that shape: {exc}"
            ) from exc
        if not isinstance(output, keras.KerasTensor):
            raise ValueError(
                f"{type(self).__name__}'s network must have one output, the denoised "
                f"series of shape (batch, {n_timesteps}, {n_channels}); its output "
                f"is a {type(output).__name__} of {len(output)} (give keras.Model "
                "the output tensor itself, not a list or dict)."
            )
        shape = tuple(output.shape)
        if shape != expected:
            hint = ""
            if len(shape) == 3 and shape[1] != n_timesteps:
                hint = (
                    " A network that pools and upsamples needs series of a multiple "
                    "of its total pooling factor: set length_multiple (now "
                    f"{self.length_multiple}) to that factor, and series are padded "
                    "to a multiple of it; layers with padding='valid' must be "
                    "padded back."
                )
            raise ValueError(
                f"{type(self).__name__}'s network must map series of shape (batch, "
                f"{n_timesteps}, {n_channels}) to the same shape; its output shape "
                f"is {shape}.{hint}"
            )
        if not keras.backend.is_float_dtype(output.dtype):
            raise ValueError(
                f"{type(self).__name__}"
                "'s network must output floating-point series (the "
                f"denoised values); its output has dtype {output.dtype}: a loss "
                "has no gradient through it."
            )
        return network
