from ..._tf import import_keras
from ._checks import check_int, check_length, check_rate, check_weight


def _encoder(layers, h, filters, depth, kernel_size, dropout):
    for level in range(depth):
        h = layers.Conv1D(
            filters * 2**level,
            kernel_size,
            strides=2,
            padding="same",
            activation="relu",
            name=f"encoder{level}",
            data_format="channels_last",
        )(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"encoder{level}_dropout")(h)
    return h


def _decoder(layers, h, n_channels, filters, depth, kernel_size):
    for level in reversed(range(depth)):
        h = layers.Conv1DTranspose(
            filters * 2**level,
            kernel_size,
            strides=2,
            padding="same",
            activation="relu",
            name=f"decoder{level}",
            data_format="channels_last",
        )(h)
    return layers.Conv1D(
        n_channels,
        kernel_size,
        padding="same",
        name="denoised",
        data_format="channels_last",
    )(h)


def build_conv_autoencoder(
    n_timesteps,
    n_channels,
    *,
    filters=16,
    depth=3,
    kernel_size=7,
    bottleneck_filters=8,
    dropout=0.0,
):
    """Fully convolutional denoising autoencoder.

    A strided ``Conv1D`` encoder halves the length ``depth`` times, a
    ``bottleneck_filters``-wide convolution forms the code, and a transposed
    convolution decoder restores the length. There are no skip connections, so
    everything passes through the bottleneck. ``n_timesteps`` must be a multiple
    of ``2 ** depth``.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input, a multiple of ``2 ** depth``; None builds a
        network for any such length (another length fails inside Keras, or
        comes back rounded up to such a multiple).
    n_channels : int
        Number of channels.
    filters : int, default=16
        Filters of the first level (doubling at each level).
    depth : int, default=3
        Number of strided levels.
    kernel_size : int, default=7
        Width of the convolutions.
    bottleneck_filters : int, default=8
        Width (channels) of the code at the bottleneck.
    dropout : float, default=0.0
        Dropout after each encoder level.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_conv_autoencoder
    >>> model = build_conv_autoencoder(64, 1, filters=4, depth=2)
    >>> model.output_shape
    (None, 64, 1)
    """
    depth = check_int(
        depth, "depth", "build_conv_autoencoder", minimum=0, accept_bool=True
    )
    n_channels = check_int(n_channels, "n_channels", "build_conv_autoencoder")
    filters = check_int(filters, "filters", "build_conv_autoencoder", accept_bool=True)
    kernel_size = check_int(
        kernel_size, "kernel_size", "build_conv_autoencoder", accept_bool=True
    )
    bottleneck_filters = check_int(
        bottleneck_filters,
        "bottleneck_filters",
        "build_conv_autoencoder",
        accept_bool=True,
    )
    dropout = check_rate(dropout, "dropout", "build_conv_autoencoder")
    check_length(
        n_timesteps, 2**depth, "build_conv_autoencoder", f"depth={depth} halvings"
    )
    keras = import_keras()
    layers = keras.layers
    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    h = _encoder(layers, inputs, filters, depth, kernel_size, dropout)
    h = layers.Conv1D(
        bottleneck_filters,
        kernel_size,
        padding="same",
        activation="relu",
        name="bottleneck",
        data_format="channels_last",
    )(h)
    outputs = _decoder(layers, h, n_channels, filters, depth, kernel_size)
    return keras.Model(inputs, outputs, name="conv_autoencoder_denoiser")


def build_vae(
    n_timesteps,
    n_channels,
    *,
    filters=16,
    depth=3,
    kernel_size=7,
    latent_dim=16,
    beta=0.1,
    dropout=0.0,
):
    """Convolutional variational autoencoder mapping noisy series to clean ones.

    The encoder gives ``z_mean`` and ``z_log_var``; a reparameterised sample
    (seeded) is decoded to the series. The model's loss gets
    ``beta * KL`` (per output element) on top of the reconstruction loss given
    at compile time. At inference the mean is decoded, so the output is
    deterministic. ``n_timesteps`` must be a multiple of ``2 ** depth``.

    Parameters
    ----------
    n_timesteps : int
        Length of the input, a multiple of ``2 ** depth``.
    n_channels : int
        Number of channels.
    filters : int, default=16
        Filters of the first level (doubling at each level).
    depth : int, default=3
        Number of strided levels.
    kernel_size : int, default=7
        Width of the convolutions.
    latent_dim : int, default=16
        Size of the latent code.
    beta : float, default=0.1
        Weight of the KL term (:class:`~skdenoise.VAEDenoiser`'s default, so
        that ``KerasDenoiser(model=build_vae)`` trains the same network).
    dropout : float, default=0.0
        Dropout after each encoder level.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_vae
    >>> model = build_vae(64, 1, filters=4, depth=2, latent_dim=2)
    >>> model.output_shape
    (None, 64, 1)
    """
    depth = check_int(depth, "depth", "build_vae", minimum=0, accept_bool=True)
    n_channels = check_int(n_channels, "n_channels", "build_vae")
    filters = check_int(filters, "filters", "build_vae", accept_bool=True)
    kernel_size = check_int(kernel_size, "kernel_size", "build_vae", accept_bool=True)
    latent_dim = check_int(latent_dim, "latent_dim", "build_vae", accept_bool=True)
    beta = check_weight(beta, "beta", "build_vae")
    dropout = check_rate(dropout, "dropout", "build_vae")
    n_timesteps = check_length(
        n_timesteps, 2**depth, "build_vae", f"depth={depth} halvings", allow_none=False
    )
    keras = import_keras()
    from ._layers import VariationalSampling

    layers = keras.layers
    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    h = _encoder(layers, inputs, filters, depth, kernel_size, dropout)
    reduced = n_timesteps // 2**depth
    width = filters * 2 ** (depth - 1) if depth else filters
    h = layers.Flatten(name="flatten", data_format="channels_last")(h)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    z = VariationalSampling(beta=beta, n_elements=n_timesteps * n_channels, name="z")(
        [z_mean, z_log_var]
    )
    h = layers.Dense(reduced * width, activation="relu", name="decoder_dense")(z)
    h = layers.Reshape((reduced, width), name="decoder_reshape")(h)
    outputs = _decoder(layers, h, n_channels, filters, depth, kernel_size)
    return keras.Model(inputs, outputs, name="vae_denoiser")
