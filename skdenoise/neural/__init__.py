"""Neural denoisers: scikit-learn estimators over Keras networks.

The classes' modules import Keras and TensorFlow, on first access to a class
(``from skdenoise.neural import UNetDenoiser``); importing this subpackage alone,
or its network builders (``skdenoise.neural.networks``), does not. ``import
skdenoise`` gives the same classes.
"""

import importlib

from . import networks  # noqa: F401  (its builders import Keras when called)

# Each class's module imports Keras and TensorFlow: loaded on first access, so
# that importing a submodule (the network builders of ``.networks``) does not.
_MODULES = {
    "BaseNeuralDenoiser": "._base",
    "DeepFilterDenoiser": "._ecg",
    "DRNNDenoiser": "._ecg",
    "FCNDAEDenoiser": "._ecg",
    "CNNLSTMDenoiser": "._general",
    "ConvAutoencoderDenoiser": "._general",
    "GRUDenoiser": "._general",
    "LSTMDenoiser": "._general",
    "UNetDenoiser": "._general",
    "VAEDenoiser": "._general",
    "KerasDenoiser": "._keras",
    "WaveletUNetDenoiser": "._wavelet_unet",
}

__all__ = [
    "BaseNeuralDenoiser",
    "LSTMDenoiser",
    "GRUDenoiser",
    "CNNLSTMDenoiser",
    "ConvAutoencoderDenoiser",
    "VAEDenoiser",
    "UNetDenoiser",
    "FCNDAEDenoiser",
    "DRNNDenoiser",
    "DeepFilterDenoiser",
    "WaveletUNetDenoiser",
    "KerasDenoiser",
]


def __getattr__(name):
    if name in _MODULES:
        value = getattr(importlib.import_module(_MODULES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
