"""Keras model builders, independent of scikit-learn.

Each builder takes the (padded) input length, the number of channels and the
network's hyper-parameters, and returns an uncompiled ``keras.Model`` mapping
``(batch, n_timesteps, n_channels)`` to the same shape. Keras is imported when a
builder is called, not when this module is imported.
"""

from ._autoencoder import build_conv_autoencoder, build_vae
from ._convolutional import build_cnn_lstm, build_unet
from ._ecg import build_deepfilter, build_drnn, build_fcn_dae
from ._recurrent import build_recurrent

__all__ = [
    "build_recurrent",
    "build_cnn_lstm",
    "build_conv_autoencoder",
    "build_vae",
    "build_unet",
    "build_fcn_dae",
    "build_drnn",
    "build_deepfilter",
]
