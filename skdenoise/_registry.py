"""Where the public denoisers live, readable without importing TensorFlow.

The one table of the neural denoisers: ``skdenoise`` loads them lazily from it,
:func:`skdenoise.utils.all_denoisers` lists them from it (with the classical and
windowing families, found by inspection), and the command line offers every
network under its command-line name.
"""

#: Neural denoisers with their command-line names (None: not offered there).
NEURAL_DENOISERS = {
    "UNetDenoiser": "unet",
    "LSTMDenoiser": "lstm",
    "GRUDenoiser": "gru",
    "CNNLSTMDenoiser": "cnn-lstm",
    "ConvAutoencoderDenoiser": "autoencoder",
    "VAEDenoiser": "vae",
    "FCNDAEDenoiser": "fcn-dae",
    "DRNNDenoiser": "drnn",
    "DeepFilterDenoiser": "deepfilter",
    "WaveletUNetDenoiser": "wavelet-unet",
    # Needs a model builder of the user's, which a command line cannot give.
    "KerasDenoiser": None,
}


def command_line_networks():
    """``{command-line name: class name}`` of every network the CLI offers."""
    return {cli: name for name, cli in NEURAL_DENOISERS.items() if cli is not None}
