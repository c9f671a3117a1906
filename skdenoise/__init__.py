"""skdenoise: deep-learning denoisers for 1D time series as scikit-learn transformers.

The neural denoisers are built on Keras 3 (TensorFlow). Importing
``skdenoise`` does not import TensorFlow: the network classes are loaded on first
access, and TensorFlow with them.
"""

import importlib

from ._registry import NEURAL_DENOISERS
from ._version import __version__  # noqa: F401  (listed in __all__)

# Public names whose modules import Keras/TensorFlow, loaded on first access.
_LAZY = {name: ".neural" for name in NEURAL_DENOISERS}
_LAZY["BaseDenoiser"] = ".base"
_LAZY["export"] = "._export"

_SUBMODULES = {
    "metrics",
    "model_selection",
    "noise",
    "augment",
    "datasets",
    "baselines",
    "networks",
    "exceptions",
    "pipeline",
    "persistence",
    "plotting",
    "base",
    "classical",
    "neural",
    "windowing",
    "pretrained",
    "preprocessing",
    "utils",
}

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
