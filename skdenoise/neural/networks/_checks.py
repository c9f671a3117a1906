"""Checks of the network builders' arguments, with errors that name them.

The builders are public (``KerasDenoiser(model=build_unet, ...)``): a wrong
length or argument gets a message here, not Keras' error about a layer deep
inside the network, nor a network whose output is shorter than its input.
"""

import math
import numbers

import numpy as np

__all__ = [
    "check_activation",
    "check_choice",
    "check_distinct",
    "check_int",
    "check_int_sequence",
    "check_length",
    "check_rate",
    "check_weight",
]


def check_int(value, name, builder, minimum=1, accept_bool=False):
    """``value`` as an int of at least ``minimum``, or a ValueError naming it.

    ``accept_bool``: take ``True`` and ``False`` as 1 and 0, as scikit-learn's
    parameter constraints do for the estimators' counts.
    """
    if (isinstance(value, bool) and not accept_bool) or not isinstance(
        value, numbers.Integral
    ):
        raise ValueError(f"{builder}: {name} must be an int; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{builder}: {name} must be >= {minimum}; got {value}.")
    return int(value)


def check_int_sequence(value, name, builder, minimum=1, allow_empty=False):
    """``value`` as a tuple of ints of at least ``minimum`` (non-empty)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(
            f"{builder}: {name} must be a sequence of ints, such as (16, 16); "
            f"got {value!r}."
        )
    values = tuple(value)
    if not values and not allow_empty:
        raise ValueError(f"{builder}: {name} must hold at least one int.")
    return tuple(
        check_int(v, f"every entry of {name}", builder, minimum) for v in values
    )


def check_distinct(values, name, builder):
    """``values`` if no entry repeats (each names a layer of its own)."""
    if len(set(values)) != len(values):
        raise ValueError(f"{builder}: {name} must not repeat an entry; got {values!r}.")
    return values


def check_activation(value, name, builder):
    """``value`` if Keras knows it as an activation, or a ValueError naming it."""
    from ..._tf import import_keras

    try:
        import_keras().activations.get(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{builder}: {name} must be a Keras activation (its name, such as "
            f"'relu' or 'tanh', or a function); got {value!r}."
        ) from None
    return value


def _same(value, choice):
    flags = (isinstance(value, (bool, np.bool_)), isinstance(choice, (bool, np.bool_)))
    if any(flags):
        return all(flags) and bool(value) == bool(choice)
    try:
        return bool(value == choice)
    except (TypeError, ValueError):  # an array
        return False


def check_choice(value, name, builder, choices):
    """``value`` if it is one of ``choices`` (1 is not True here)."""
    if not any(_same(value, choice) for choice in choices):
        raise ValueError(
            f"{builder}: {name} must be one of {', '.join(map(repr, choices))}; "
            f"got {value!r}."
        )
    return value


def check_length(n_timesteps, factor, builder, why, allow_none=True):
    """``n_timesteps`` (None: any length) as a positive multiple of ``factor``."""
    if n_timesteps is None:
        if allow_none:
            return None
        raise ValueError(
            f"{builder} needs a fixed n_timesteps (its code has one size); got None."
        )
    n_timesteps = check_int(n_timesteps, "n_timesteps", builder)
    if n_timesteps % factor:
        raise ValueError(
            f"{builder}: n_timesteps={n_timesteps} must be a multiple of {factor} "
            f"({why}); pad the series to {-(-n_timesteps // factor) * factor} "
            f"samples (KerasDenoiser: length_multiple={factor})."
        )
    return n_timesteps


def check_rate(value, name, builder):
    """``value`` as a float in [0, 1) (a dropout rate), or a ValueError."""
    # Bools pass, as scikit-learn's constraints let them (False: no dropout).
    if not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{builder}: {name} must be a float in [0, 1); got {value!r}.")
    return float(value)


def check_weight(value, name, builder):
    """``value`` as a finite float >= 0 (a loss weight), or a ValueError."""
    if not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(
            f"{builder}: {name} must be a finite float >= 0; got {value!r}."
        )
    return float(value)


def batch_normalization(layers, **kwargs):
    """A ``BatchNormalization`` layer, its statistics summed over replicas.

    Built under a distribution strategy of several replicas, each replica
    would normalise by the statistics of its own share of the batch (Keras'
    default): the network trained on several devices would not be the one
    trained on one. Elsewhere Keras' default (its two-pass moments) is kept,
    so that a network trained on one device computes as before.
    """
    return layers.BatchNormalization(synchronized=_replicated(), **kwargs)


def _replicated():
    """Whether a distribution strategy of several replicas is in scope."""
    import sys

    tf = sys.modules.get("tensorflow")
    if tf is None or not tf.distribute.has_strategy():
        return False
    return tf.distribute.get_strategy().num_replicas_in_sync > 1
