from ..._tf import import_keras
from ._checks import (
    batch_normalization,
    check_choice,
    check_int,
    check_length,
    check_rate,
)


def _conv_block(layers, h, filters, kernel_size, dropout, name, batch_norm=False):
    for j in range(2):
        if batch_norm:
            # The normalisation's shift stands in for the convolution's bias.
            h = layers.Conv1D(
                filters,
                kernel_size,
                padding="same",
                use_bias=False,
                name=f"{name}_conv{j}",
                data_format="channels_last",
            )(h)
            h = batch_normalization(layers, name=f"{name}_bn{j}")(h)
            h = layers.Activation("relu", name=f"{name}_relu{j}")(h)
        else:
            h = layers.Conv1D(
                filters,
                kernel_size,
                padding="same",
                activation="relu",
                name=f"{name}_conv{j}",
                data_format="channels_last",
            )(h)
    if dropout:
        h = layers.Dropout(dropout, name=f"{name}_dropout")(h)
    return h


def build_cnn_lstm(
    n_timesteps,
    n_channels,
    *,
    filters=32,
    kernel_size=5,
    pool_size=2,
    units=32,
    bidirectional=True,
    dropout=0.0,
):
    """Convolutional feature extractor, LSTM over the pooled sequence, upsampling.

    Two ``Conv1D`` layers extract local features, ``MaxPooling1D`` shortens the
    sequence by ``pool_size``, an LSTM (sequence to sequence) models the longer
    range structure, ``UpSampling1D`` restores the length and a convolution maps
    back to ``n_channels``. A skip connection carries the full-resolution
    features past the pooling. ``n_timesteps`` must be a multiple of
    ``pool_size``.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input series, a multiple of ``pool_size``; None builds a
        network for any such length (another length fails inside Keras, or
        comes back rounded up to such a multiple).
    n_channels : int
        Number of channels.
    filters : int, default=32
        Filters of the convolutions.
    kernel_size : int, default=5
        Width of the convolutions.
    pool_size : int, default=2
        Pooling (and upsampling) factor.
    units : int, default=32
        Units of the LSTM (per direction).
    bidirectional : bool, default=True
        Whether the LSTM reads both directions.
    dropout : float, default=0.0
        Dropout after the convolutions and on the LSTM inputs.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_cnn_lstm
    >>> model = build_cnn_lstm(64, 2, filters=4, units=4)
    >>> model.output_shape
    (None, 64, 2)
    """
    pool_size = check_int(pool_size, "pool_size", "build_cnn_lstm", accept_bool=True)
    n_channels = check_int(n_channels, "n_channels", "build_cnn_lstm")
    check_choice(bidirectional, "bidirectional", "build_cnn_lstm", (True, False))
    filters = check_int(filters, "filters", "build_cnn_lstm", accept_bool=True)
    kernel_size = check_int(
        kernel_size, "kernel_size", "build_cnn_lstm", accept_bool=True
    )
    units = check_int(units, "units", "build_cnn_lstm", accept_bool=True)
    dropout = check_rate(dropout, "dropout", "build_cnn_lstm")
    check_length(n_timesteps, pool_size, "build_cnn_lstm", f"pool_size={pool_size}")
    keras = import_keras()
    layers = keras.layers
    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    features = _conv_block(layers, inputs, filters, kernel_size, dropout, "encoder")
    h = layers.MaxPooling1D(pool_size, name="pool", data_format="channels_last")(
        features
    )
    lstm = layers.LSTM(units, return_sequences=True, dropout=dropout, name="lstm")
    h = layers.Bidirectional(lstm, name="bi_lstm")(h) if bidirectional else lstm(h)
    h = layers.UpSampling1D(pool_size, name="upsample")(h)
    h = layers.Concatenate(name="skip")([h, features])
    h = layers.Conv1D(
        filters,
        kernel_size,
        padding="same",
        activation="relu",
        name="decoder_conv",
        data_format="channels_last",
    )(h)
    outputs = layers.Conv1D(
        n_channels, 1, name="denoised", data_format="channels_last"
    )(h)
    return keras.Model(inputs, outputs, name="cnn_lstm_denoiser")


def build_unet(
    n_timesteps,
    n_channels,
    *,
    filters=16,
    depth=3,
    kernel_size=9,
    dropout=0.0,
    residual=True,
    max_filters=None,
    attention_heads=0,
    global_context=False,
    batch_norm=False,
    n_conditions=0,
):
    """One-dimensional U-Net: convolutional encoder-decoder with skip connections.

    Each of ``depth`` encoder levels applies two convolutions and halves the
    length (the filters double, up to ``max_filters``); the decoder mirrors it
    with transposed convolutions, concatenating the encoder features of the
    same resolution. ``n_timesteps`` must be a multiple of ``2 ** depth``.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input series, a multiple of ``2 ** depth``; None builds a
        network for any such length (another length fails inside Keras, or
        comes back rounded up to such a multiple).
    n_channels : int
        Number of channels.
    filters : int, default=16
        Filters at the first level.
    depth : int, default=3
        Number of down-sampling levels.
    kernel_size : int, default=9
        Width of the convolutions.
    dropout : float, default=0.0
        Dropout at the bottleneck.
    residual : bool, default=True
        Predict the correction to the input (output = input + network) rather
        than the clean series directly.
    max_filters : int or None, default=None
        Most filters of a level (the doubling stops there); None: no cap. The
        deepest levels cost the most, so a cap buys depth (receptive field)
        at a small cost.
    attention_heads : int, default=0
        Heads of a self-attention block at the bottleneck (layer
        normalisation, multi-head attention, added back): every position of
        the shortest level sees every other one. 0: none.
    global_context : bool, default=False
        A squeeze-and-excitation block after the bottleneck: its features are
        averaged over the whole series, and two dense layers turn that summary
        (the series' noise level, among others) into a gain between 0 and 1
        for each of its channels, so that every time step is denoised knowing
        the series as a whole.
    batch_norm : bool, default=False
        Batch normalisation between each convolution and its ReLU (the
        convolutions then have no bias): the features of every layer are
        standardised over the batch while training, and by their running
        mean and variance afterwards.
    n_conditions : int, default=0
        Input channels after the series' ``n_channels`` that the network reads
        but does not output (a noise-level map, for example): the input has
        ``n_channels + n_conditions`` channels, the output ``n_channels``, and
        the residual is added to the series' channels only.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_unet
    >>> model = build_unet(64, 1, filters=4, depth=2)
    >>> model.output_shape
    (None, 64, 1)
    """
    depth = check_int(depth, "depth", "build_unet", minimum=0, accept_bool=True)
    n_channels = check_int(n_channels, "n_channels", "build_unet")
    filters = check_int(filters, "filters", "build_unet", accept_bool=True)
    kernel_size = check_int(kernel_size, "kernel_size", "build_unet", accept_bool=True)
    dropout = check_rate(dropout, "dropout", "build_unet")
    if max_filters is not None:
        max_filters = check_int(
            max_filters, "max_filters", "build_unet", accept_bool=True
        )
    attention_heads = check_int(
        attention_heads, "attention_heads", "build_unet", minimum=0, accept_bool=True
    )
    check_choice(batch_norm, "batch_norm", "build_unet", (True, False))
    check_choice(residual, "residual", "build_unet", (True, False))
    check_choice(global_context, "global_context", "build_unet", (True, False))
    n_conditions = check_int(n_conditions, "n_conditions", "build_unet", minimum=0)
    check_length(n_timesteps, 2**depth, "build_unet", f"depth={depth} halvings")
    keras = import_keras()
    inputs = keras.Input(shape=(n_timesteps, n_channels + n_conditions), name="noisy")
    outputs = unet_body(
        inputs,
        n_channels,
        filters,
        depth,
        kernel_size,
        dropout,
        residual,
        max_filters,
        attention_heads,
        global_context,
        batch_norm,
    )
    if residual:
        # In float32 whatever the layers' dtype policy, so that an input the
        # network leaves alone passes through exactly.
        series = inputs
        if n_conditions:
            from ._layers import ChannelSlice

            series = ChannelSlice(0, n_channels, name="series", dtype="float32")(inputs)
        outputs = keras.layers.Add(name="denoised", dtype="float32")([series, outputs])
    return keras.Model(inputs, outputs, name="unet_denoiser")


def unet_body(
    inputs,
    n_channels,
    filters,
    depth,
    kernel_size,
    dropout,
    residual,
    max_filters=None,
    attention_heads=0,
    global_context=False,
    batch_norm=False,
):
    """The U-Net from ``inputs`` to its ``n_channels``-channel head (no skip add).

    Shared by :func:`build_unet` and the wavelet U-Net, which differ only in
    what they feed it and in which channels the residual is added to.
    """
    layers = import_keras().layers

    def width(level):
        n = filters * 2**level
        return n if max_filters is None else min(n, max_filters)

    h = inputs
    skips = []
    for level in range(depth):
        h = _conv_block(
            layers, h, width(level), kernel_size, 0.0, f"down{level}", batch_norm
        )
        skips.append(h)
        h = layers.MaxPooling1D(
            2, name=f"down{level}_pool", data_format="channels_last"
        )(h)
    h = _conv_block(
        layers, h, width(depth), kernel_size, dropout, "bottleneck", batch_norm
    )
    if attention_heads:
        normed = layers.LayerNormalization(name="bottleneck_norm")(h)
        attended = layers.MultiHeadAttention(
            attention_heads,
            max(width(depth) // attention_heads, 1),
            name="bottleneck_attention",
        )(normed, normed)
        h = layers.Add(name="bottleneck_attended")([h, attended])
    if global_context:
        summary = layers.GlobalAveragePooling1D(
            keepdims=True, name="context_pool", data_format="channels_last"
        )(h)
        summary = layers.Dense(
            max(width(depth) // 4, 4), activation="relu", name="context_squeeze"
        )(summary)
        gain = layers.Dense(width(depth), activation="sigmoid", name="context_gain")(
            summary
        )
        h = layers.Multiply(name="context_applied")([h, gain])
    for level in reversed(range(depth)):
        h = layers.Conv1DTranspose(
            width(level),
            2,
            strides=2,
            padding="same",
            name=f"up{level}_transpose",
            data_format="channels_last",
        )(h)
        h = layers.Concatenate(name=f"up{level}_skip")([h, skips[level]])
        h = _conv_block(
            layers, h, width(level), kernel_size, 0.0, f"up{level}", batch_norm
        )
    name = "correction" if residual else "denoised"
    return layers.Conv1D(
        n_channels, 1, name=name, dtype="float32", data_format="channels_last"
    )(h)
