"""Builder of the U-Net over wavelet sub-bands. Importing it imports Keras."""

from ..._tf import import_keras
from ._checks import check_choice, check_int, check_length, check_rate
from ._convolutional import unet_body
from ._layers import ChannelSlice

keras = import_keras()


def build_wavelet_unet(
    n_timesteps,
    n_channels,
    *,
    n_bands,
    filters=16,
    depth=3,
    kernel_size=9,
    dropout=0.0,
    residual=True,
):
    """U-Net reading a series together with its wavelet sub-bands.

    The input has ``n_channels * (n_bands + 1)`` channels: the series' own
    ``n_channels`` first, then its ``n_bands`` sub-bands of every channel (for
    example the stationary wavelet transform, computed outside the network).
    The U-Net is the one of :func:`build_unet`; the output has ``n_channels``
    channels and, with ``residual``, is the series plus the network's
    correction. ``n_timesteps`` must be a multiple of ``2 ** depth``.

    Parameters
    ----------
    n_timesteps : int
        Length of the input series, a multiple of ``2 ** depth``.
    n_channels : int
        Number of channels of the series (and of the output).
    n_bands : int
        Number of sub-bands per channel.
    filters : int, default=16
        Filters at the first level, doubling at each level.
    depth : int, default=3
        Number of down-sampling levels.
    kernel_size : int, default=9
        Width of the convolutions.
    dropout : float, default=0.0
        Dropout at the bottleneck.
    residual : bool, default=True
        Predict the correction to the series rather than the clean series.

    Returns
    -------
    keras.Model
    """
    depth = check_int(depth, "depth", "build_wavelet_unet", minimum=0, accept_bool=True)
    filters = check_int(filters, "filters", "build_wavelet_unet", accept_bool=True)
    kernel_size = check_int(
        kernel_size, "kernel_size", "build_wavelet_unet", accept_bool=True
    )
    dropout = check_rate(dropout, "dropout", "build_wavelet_unet")
    n_channels = check_int(n_channels, "n_channels", "build_wavelet_unet")
    n_bands = check_int(n_bands, "n_bands", "build_wavelet_unet", minimum=0)
    check_choice(residual, "residual", "build_wavelet_unet", (True, False))
    check_length(n_timesteps, 2**depth, "build_wavelet_unet", f"depth={depth} halvings")
    inputs = keras.Input(
        shape=(n_timesteps, n_channels * (n_bands + 1)), name="series_and_bands"
    )
    outputs = unet_body(
        inputs, n_channels, filters, depth, kernel_size, dropout, residual
    )
    if residual:
        # In float32 under mixed precision too: the series passes through
        # exactly, as in build_unet.
        series = ChannelSlice(0, n_channels, name="series", dtype="float32")(inputs)
        outputs = keras.layers.Add(name="denoised", dtype="float32")([series, outputs])
    return keras.Model(inputs, outputs, name="wavelet_unet_denoiser")
