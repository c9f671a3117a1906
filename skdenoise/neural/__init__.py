"""Neural denoisers: scikit-learn estimators over Keras networks.

Importing this subpackage imports Keras and TensorFlow; ``import skdenoise``
does not, and gives the same classes on first access.
"""

from ._base import BaseNeuralDenoiser
from ._ecg import DeepFilterDenoiser, DRNNDenoiser, FCNDAEDenoiser
from ._general import (
    CNNLSTMDenoiser,
    ConvAutoencoderDenoiser,
    GRUDenoiser,
    LSTMDenoiser,
    UNetDenoiser,
    VAEDenoiser,
)
from ._keras import KerasDenoiser
from ._wavelet_unet import WaveletUNetDenoiser

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
