"""Builders of published ECG denoising networks (FCN-DAE, DRNN, DeepFilter)."""

from ..._tf import import_keras
from ._checks import (
    batch_normalization,
    check_activation,
    check_choice,
    check_distinct,
    check_int,
    check_int_sequence,
    check_length,
)

# Batch normalisation's moving statistics follow the batches closely enough
# that a network trained for a few dozen steps already predicts well.
_BN_MOMENTUM = 0.9


def build_fcn_dae(
    n_timesteps,
    n_channels,
    *,
    filters=(40, 20, 20, 20, 40),
    kernel_size=16,
    bottleneck_filters=1,
    activation="elu",
    batch_norm=True,
):
    """Fully convolutional denoising autoencoder (FCN-DAE) of Chiang et al.

    The encoder is a stack of ``Conv1D`` layers with stride 2, one per entry of
    ``filters``, followed by a stride-1 convolution to ``bottleneck_filters``
    channels (the code). The decoder mirrors it: a stride-1 transposed
    convolution, then one stride-2 ``Conv1DTranspose`` per entry of
    ``filters`` in reverse order, and a linear stride-1 transposed convolution
    to ``n_channels``. Every hidden layer has the ``activation`` and, with
    ``batch_norm``, batch normalisation; there are no fully connected layers.
    ``n_timesteps`` must be a multiple of ``2 ** len(filters)``.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input, a multiple of ``2 ** len(filters)``; None builds a
        network for any such length (another length fails inside Keras, or
        comes back rounded up to such a multiple).
    n_channels : int
        Number of channels.
    filters : sequence of int, default=(40, 20, 20, 20, 40)
        Filters of the strided encoder convolutions (the decoder uses them in
        reverse order).
    kernel_size : int, default=16
        Width of every convolution.
    bottleneck_filters : int, default=1
        Channels of the code.
    activation : str, default="elu"
        Activation of the hidden layers.
    batch_norm : bool, default=True
        Batch normalisation after every hidden layer (momentum 0.9 for the
        moving statistics).

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_fcn_dae
    >>> model = build_fcn_dae(64, 1)
    >>> model.output_shape
    (None, 64, 1)
    """
    filters = check_int_sequence(filters, "filters", "build_fcn_dae")
    n_channels = check_int(n_channels, "n_channels", "build_fcn_dae")
    check_activation(activation, "activation", "build_fcn_dae")
    kernel_size = check_int(
        kernel_size, "kernel_size", "build_fcn_dae", accept_bool=True
    )
    bottleneck_filters = check_int(
        bottleneck_filters, "bottleneck_filters", "build_fcn_dae", accept_bool=True
    )
    check_choice(batch_norm, "batch_norm", "build_fcn_dae", (True, False))
    check_length(
        n_timesteps,
        2 ** len(filters),
        "build_fcn_dae",
        f"{len(filters)} stride-2 layers",
    )
    keras = import_keras()
    layers = keras.layers

    def normalise(h, name):
        if batch_norm:
            h = batch_normalization(layers, momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
        return h

    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    h = inputs
    for i, width in enumerate(filters):
        name = f"encoder{i}"
        h = layers.Conv1D(
            width,
            kernel_size,
            strides=2,
            padding="same",
            activation=activation,
            name=name,
            data_format="channels_last",
        )(h)
        h = normalise(h, name)
    h = layers.Conv1D(
        bottleneck_filters,
        kernel_size,
        padding="same",
        activation=activation,
        name="bottleneck",
        data_format="channels_last",
    )(h)
    h = normalise(h, "bottleneck")
    h = layers.Conv1DTranspose(
        bottleneck_filters,
        kernel_size,
        padding="same",
        activation=activation,
        name="decoder_code",
        data_format="channels_last",
    )(h)
    h = normalise(h, "decoder_code")
    for i in reversed(range(len(filters))):
        name = f"decoder{i}"
        h = layers.Conv1DTranspose(
            filters[i],
            kernel_size,
            strides=2,
            padding="same",
            activation=activation,
            name=name,
            data_format="channels_last",
        )(h)
        h = normalise(h, name)
    outputs = layers.Conv1DTranspose(
        n_channels,
        kernel_size,
        padding="same",
        name="denoised",
        data_format="channels_last",
    )(h)
    return keras.Model(inputs, outputs, name="fcn_dae_denoiser")


def build_drnn(
    n_timesteps,
    n_channels,
    *,
    units=64,
    dense_units=(64, 64),
    activation="relu",
):
    """Deep recurrent denoising network (DRNN) of Antczak.

    An LSTM layer returning its whole sequence is followed by fully connected
    layers applied at every timestep (``dense_units``, with ``activation``) and
    a linear output layer of ``n_channels`` units, sequence to sequence.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input series (None for any length).
    n_channels : int
        Number of channels.
    units : int, default=64
        Units of the LSTM layer.
    dense_units : sequence of int, default=(64, 64)
        Units of the hidden fully connected layers.
    activation : str, default="relu"
        Activation of the hidden fully connected layers.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_drnn
    >>> model = build_drnn(64, 1, units=8)
    >>> model.output_shape
    (None, 64, 1)
    """
    check_length(n_timesteps, 1, "build_drnn", "")
    n_channels = check_int(n_channels, "n_channels", "build_drnn")
    check_activation(activation, "activation", "build_drnn")
    units = check_int(units, "units", "build_drnn", accept_bool=True)
    dense_units = check_int_sequence(
        dense_units, "dense_units", "build_drnn", allow_empty=True
    )
    keras = import_keras()
    layers = keras.layers
    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    h = layers.LSTM(units, return_sequences=True, name="lstm")(inputs)
    for i, width in enumerate(dense_units):
        h = layers.Dense(width, activation=activation, name=f"dense{i}")(h)
    outputs = layers.Dense(n_channels, name="denoised")(h)
    return keras.Model(inputs, outputs, name="drnn_denoiser")


def _multibranch_block(layers, h, width, kernel_sizes, dilation_rate, batch_norm, name):
    # One linear and one ReLU branch per kernel size, sharing the block's width.
    branch_filters = max(1, width // (2 * len(kernel_sizes)))
    branches = [
        layers.Conv1D(
            branch_filters,
            size,
            padding="same",
            dilation_rate=dilation_rate,
            activation=activation,
            name=f"{name}_{kind}{size}",
            data_format="channels_last",
        )(h)
        for kind, activation in (("linear", None), ("relu", "relu"))
        for size in kernel_sizes
    ]
    h = layers.Concatenate(name=f"{name}_concat")(branches)
    if batch_norm:
        h = batch_normalization(layers, momentum=_BN_MOMENTUM, name=f"{name}_bn")(h)
    return h


def build_deepfilter(
    n_timesteps,
    n_channels,
    *,
    filters=(64, 64, 32, 32, 16, 16),
    kernel_sizes=(3, 5, 9, 15),
    dilated_kernel_sizes=(5, 9, 15),
    dilation_rate=3,
    output_kernel_size=9,
    batch_norm=True,
):
    """Multibranch LANLD network of DeepFilter (Romero et al.).

    One block per entry of ``filters``. Each block runs parallel ``Conv1D``
    branches on its input, a linear and a ReLU branch for every kernel size,
    concatenates them and applies batch normalisation. Each branch has
    ``filters[i] // (2 * number of kernel sizes)`` channels (at least 1), so a
    block is ``filters[i]`` wide where that divides evenly and a little narrower
    otherwise (the default's dilated blocks have 60, 30 and 12 channels), and
    at least two channels per kernel size wide: ``filters=(4, 4)`` gives
    blocks of 8 and 6.
    Blocks alternate between undilated branches with ``kernel_sizes`` (even
    blocks) and branches with ``dilated_kernel_sizes`` and ``dilation_rate``
    (odd blocks). A linear ``Conv1D`` of ``output_kernel_size`` gives the
    output. Every convolution has stride 1 and 'same' padding, so the network
    accepts any length.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input series (None for any length).
    n_channels : int
        Number of channels.
    filters : sequence of int, default=(64, 64, 32, 32, 16, 16)
        Width of each block, shared among its branches (rounded down, to at
        least two channels per kernel size).
    kernel_sizes : sequence of int, default=(3, 5, 9, 15)
        Kernel sizes of the undilated blocks.
    dilated_kernel_sizes : sequence of int, default=(5, 9, 15)
        Kernel sizes of the dilated blocks.
    dilation_rate : int, default=3
        Dilation of the dilated blocks.
    output_kernel_size : int, default=9
        Width of the output convolution.
    batch_norm : bool, default=True
        Batch normalisation after every block (momentum 0.9 for the moving
        statistics).

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_deepfilter
    >>> model = build_deepfilter(64, 1)
    >>> model.output_shape
    (None, 64, 1)
    """
    filters = check_int_sequence(filters, "filters", "build_deepfilter")
    kernel_sizes = check_int_sequence(kernel_sizes, "kernel_sizes", "build_deepfilter")
    dilated_kernel_sizes = check_int_sequence(
        dilated_kernel_sizes, "dilated_kernel_sizes", "build_deepfilter"
    )
    # A branch per size, each a layer named by its size.
    check_distinct(kernel_sizes, "kernel_sizes", "build_deepfilter")
    check_distinct(dilated_kernel_sizes, "dilated_kernel_sizes", "build_deepfilter")
    dilation_rate = check_int(
        dilation_rate, "dilation_rate", "build_deepfilter", accept_bool=True
    )
    check_length(n_timesteps, 1, "build_deepfilter", "")
    n_channels = check_int(n_channels, "n_channels", "build_deepfilter")
    output_kernel_size = check_int(
        output_kernel_size, "output_kernel_size", "build_deepfilter", accept_bool=True
    )
    check_choice(batch_norm, "batch_norm", "build_deepfilter", (True, False))
    keras = import_keras()
    layers = keras.layers
    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    h = inputs
    for i, width in enumerate(filters):
        dilated = i % 2 == 1
        h = _multibranch_block(
            layers,
            h,
            width,
            dilated_kernel_sizes if dilated else kernel_sizes,
            dilation_rate if dilated else 1,
            batch_norm,
            f"block{i}",
        )
    outputs = layers.Conv1D(
        n_channels,
        output_kernel_size,
        padding="same",
        name="denoised",
        data_format="channels_last",
    )(h)
    return keras.Model(inputs, outputs, name="deepfilter_denoiser")
