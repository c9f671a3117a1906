from ..._tf import import_keras
from ._checks import (
    check_activation,
    check_choice,
    check_int,
    check_length,
    check_rate,
)


def build_recurrent(
    n_timesteps,
    n_channels,
    *,
    cell="lstm",
    units=32,
    n_layers=2,
    bidirectional=True,
    activation="tanh",
    dropout=0.0,
):
    """Sequence-to-sequence recurrent denoiser: one output per timestep.

    Stacked (optionally bidirectional) LSTM or GRU layers that all return their
    full sequence, followed by a per-timestep linear projection to
    ``n_channels``.

    Parameters
    ----------
    n_timesteps : int or None
        Length of the input series (None for any length).
    n_channels : int
        Number of channels of the input and output.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell.
    units : int, default=32
        Units per recurrent layer (per direction).
    n_layers : int, default=2
        Number of stacked recurrent layers.
    bidirectional : bool, default=True
        Whether each layer reads the series in both directions.
    activation : str, default="tanh"
        Activation of the recurrent cells.
    dropout : float, default=0.0
        Dropout on the inputs of each recurrent layer.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdenoise.networks import build_recurrent
    >>> model = build_recurrent(64, 1, cell="gru", units=4)
    >>> model.output_shape
    (None, 64, 1)
    """
    check_choice(cell, "cell", "build_recurrent", ("lstm", "gru"))
    check_choice(bidirectional, "bidirectional", "build_recurrent", (True, False))
    check_length(n_timesteps, 1, "build_recurrent", "")
    n_channels = check_int(n_channels, "n_channels", "build_recurrent")
    check_activation(activation, "activation", "build_recurrent")
    units = check_int(units, "units", "build_recurrent", accept_bool=True)
    n_layers = check_int(n_layers, "n_layers", "build_recurrent", accept_bool=True)
    dropout = check_rate(dropout, "dropout", "build_recurrent")
    keras = import_keras()
    layers = keras.layers
    Cell = {"lstm": layers.LSTM, "gru": layers.GRU}[cell]
    inputs = keras.Input(shape=(n_timesteps, n_channels), name="noisy")
    h = inputs
    for i in range(n_layers):
        rnn = Cell(
            units,
            activation=activation,
            dropout=dropout,
            return_sequences=True,
            name=f"{cell}_{i}",
        )
        h = (
            layers.Bidirectional(rnn, name=f"bi_{cell}_{i}")(h)
            if bidirectional
            else rnn(h)
        )
    outputs = layers.Dense(n_channels, name="denoised")(h)
    return keras.Model(inputs, outputs, name=f"{cell}_denoiser")
