"""Published ECG denoisers. Importing this module imports Keras and TensorFlow."""

import numbers

from ..base import SeriesTransformerMixin
from ._base import BaseNeuralDenoiser, store_init_args
from ._general import _COMMON_CONSTRAINTS, _POSITIVE_INT, _document
from .networks import build_deepfilter, build_drnn, build_fcn_dae

__all__ = ["FCNDAEDenoiser", "DRNNDenoiser", "DeepFilterDenoiser"]

_INT_SEQUENCE = [tuple, list]


def _check_int_sequence(estimator, name, *, allow_empty=False):
    """Raise a ValueError unless the parameter is a sequence of positive ints."""
    value = getattr(estimator, name)
    valid = (allow_empty or len(value) > 0) and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
        for v in value
    )
    if not valid:
        what = "a sequence" if allow_empty else "a non-empty sequence"
        raise ValueError(
            f"The {name!r} parameter of {type(estimator).__name__} must be {what} "
            f"of positive ints; got {value!r}."
        )


@_document
class FCNDAEDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """Fully convolutional denoising autoencoder (FCN-DAE) of Chiang et al. (2019).

    An encoder of strided convolutions (stride 2, one per entry of ``filters``)
    and a stride-1 convolution to a ``bottleneck_filters``-channel code, then a
    mirrored decoder of transposed convolutions and a linear transposed
    convolution to the output. Every hidden layer has the ``activation`` (ELU)
    and batch normalisation; there are no fully connected layers, so the
    network has few weights and accepts any length. Series are padded (by
    reflection) to a multiple of ``2 ** len(filters)`` and cropped back.

    Parameters
    ----------
    filters : tuple of int, default=(40, 20, 20, 20, 40)
        Filters of the strided encoder convolutions; the decoder uses them in
        reverse order. Their number sets the total stride ``2 ** len(filters)``.
    kernel_size : int, default=16
        Width of every convolution.
    bottleneck_filters : int, default=1
        Channels of the code at the bottleneck.
    activation : str, default="elu"
        Activation of the hidden layers.
    batch_norm : bool, default=True
        Batch normalisation after every hidden layer.
    %(common)s

    %(attributes)s

    See Also
    --------
    ConvAutoencoderDenoiser : A convolutional autoencoder with a wider code.
    DeepFilterDenoiser : A multibranch network without down-sampling.

    Notes
    -----
    The defaults follow the layer list of the paper: for a 1024-sample input the
    encoder gives 512x40, 256x20, 128x20, 64x20 and 32x40 feature maps and a
    32x1 code, all with kernels of 16. The paper trains on 1024-sample windows
    of 360 Hz ECG; any length works here. Batch normalisation keeps its moving
    statistics with a momentum of 0.9 (Keras' default is 0.99), so that short
    fits already predict well.

    References
    ----------
    .. [1] H.-T. Chiang, Y.-Y. Hsieh, S.-W. Fu, K.-H. Hung, Y. Tsao and
       S.-Y. Chien, "Noise Reduction in ECG Signals Using Fully Convolutional
       Denoising Autoencoders", IEEE Access, vol. 7, pp. 60806-60813, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import FCNDAEDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 100) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = FCNDAEDenoiser(filters=(8, 8), kernel_size=5, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 100)
    """

    _parameter_constraints = {
        "filters": _INT_SEQUENCE,
        "kernel_size": _POSITIVE_INT,
        "bottleneck_filters": _POSITIVE_INT,
        "activation": [str],
        "batch_norm": ["boolean"],
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        tiny = {"filters": (4, 4), "kernel_size": 3, "bottleneck_filters": 2}
        return {**super()._get_test_params(), **tiny}

    def __init__(
        self,
        filters=(40, 20, 20, 20, 40),
        kernel_size=16,
        bottleneck_filters=1,
        activation="elu",
        batch_norm=True,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _validate_params(self):
        super()._validate_params()
        _check_int_sequence(self, "filters")

    def _length_multiple(self):
        return 2 ** len(self.filters)

    def _build_network(self, n_timesteps, n_channels):
        return build_fcn_dae(
            n_timesteps,
            n_channels,
            filters=tuple(self.filters),
            kernel_size=self.kernel_size,
            bottleneck_filters=self.bottleneck_filters,
            activation=self.activation,
            batch_norm=self.batch_norm,
        )


@_document
class DRNNDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """Deep recurrent denoising network (DRNN) of Antczak (2018).

    An LSTM layer reads the noisy series and returns one state per timestep;
    fully connected layers (``dense_units``, ReLU) and a linear output layer
    are applied at every timestep, sequence to sequence.

    Parameters
    ----------
    units : int, default=64
        Units of the LSTM layer.
    dense_units : tuple of int, default=(64, 64)
        Units of the hidden fully connected layers (may be empty).
    activation : str, default="relu"
        Activation of the hidden fully connected layers.
    %(common)s

    %(attributes)s

    See Also
    --------
    LSTMDenoiser : Stacked, bidirectional LSTM layers.

    Notes
    -----
    The defaults are the paper's four-layer network: an LSTM of 64 units, two
    fully connected layers of 64 ReLU units and a linear output. The paper
    pre-trains it on synthetic ECG (the model of McSharry et al., see
    :func:`~skdenoise.datasets.make_ecg`) and fine-tunes on real records, which
    :meth:`fit` followed by :meth:`partial_fit` reproduces. The LSTM is
    unidirectional, but the estimator is causal only with ``normalize=False``,
    ``average_flips=False`` and ``gate=None``: by default each window is
    standardised by its own mean and standard deviation (its later samples
    among them), flipped passes run it backwards in time, and the gate scales
    each window's correction by a noise level read off the whole window.

    References
    ----------
    .. [1] K. Antczak, "Deep Recurrent Neural Networks for ECG Signal
       Denoising", arXiv:1807.11551, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import DRNNDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 64) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = DRNNDenoiser(units=8, dense_units=(8,), epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 64)
    """

    _parameter_constraints = {
        "units": _POSITIVE_INT,
        "dense_units": _INT_SEQUENCE,
        "activation": [str],
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {**super()._get_test_params(), **{"units": 4, "dense_units": (4,)}}

    def __init__(
        self,
        units=64,
        dense_units=(64, 64),
        activation="relu",
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _validate_params(self):
        super()._validate_params()
        _check_int_sequence(self, "dense_units", allow_empty=True)

    def _build_network(self, n_timesteps, n_channels):
        return build_drnn(
            n_timesteps,
            n_channels,
            units=self.units,
            dense_units=tuple(self.dense_units),
            activation=self.activation,
        )


@_document
class DeepFilterDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """DeepFilter: the multibranch LANLD network of Romero et al. (2021).

    A stack of blocks, one per entry of ``filters``. Each block runs parallel
    ``Conv1D`` branches on its input, a linear and a ReLU branch for every
    kernel size (linear and non-linear, "LANL"), concatenates them and applies
    batch normalisation. Blocks alternate between undilated branches with
    ``kernel_sizes`` and dilated ones ("LANLD") with ``dilated_kernel_sizes``
    and ``dilation_rate``. A linear convolution gives the output. All
    convolutions have stride 1 and 'same' padding: no down-sampling, any
    length.

    Parameters
    ----------
    filters : tuple of int, default=(64, 64, 32, 32, 16, 16)
        Width of each block, shared among its branches: each branch has
        ``filters[i] // (2 * number of kernel sizes)`` channels (at least 1), so
        a block is a little narrower where that does not divide evenly (the
        default's dilated blocks have 60, 30 and 12 channels), and at least
        two channels per kernel size wide (``filters=(4, 4)`` gives blocks of
        8 and 6).
    kernel_sizes : tuple of int, default=(3, 5, 9, 15)
        Kernel sizes of the undilated blocks (the first, third, ...).
    dilated_kernel_sizes : tuple of int, default=(5, 9, 15)
        Kernel sizes of the dilated blocks (the second, fourth, ...).
    dilation_rate : int, default=3
        Dilation of the dilated blocks.
    output_kernel_size : int, default=9
        Width of the linear output convolution.
    batch_norm : bool, default=True
        Batch normalisation after every block.
    %(common)s

    %(attributes)s

    See Also
    --------
    FCNDAEDenoiser : A strided convolutional autoencoder.
    UNetDenoiser : A convolutional encoder-decoder with skip connections.

    Notes
    -----
    The defaults are those of the paper's best model (Multibranch LANLD): six
    blocks of 64, 64, 32, 32, 16 and 16 channels; undilated blocks with linear
    and ReLU branches of kernel sizes 3, 5, 9 and 15; dilated blocks with
    kernel sizes 5, 9 and 15 at dilation 3; a linear output convolution of
    width 9. The paper targets baseline wander removal on 512-sample windows of
    360 Hz ECG and trains with a loss combining the sum and the maximum of the
    squared errors of each window: ``loss="ssd_mad"`` (the default here is
    ``"mse"``, as for every network).
    Batch normalisation keeps its moving statistics with a momentum of 0.9
    (Keras' default is 0.99), so that short fits already predict well.

    References
    ----------
    .. [1] F. P. Romero, D. C. Piñol, C. R. Vázquez-Seisdedos, "DeepFilter: an
       ECG baseline wander removal filter using deep learning techniques",
       Biomedical Signal Processing and Control, vol. 70, 102992, 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import DeepFilterDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 100) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = DeepFilterDenoiser(filters=(8, 8), epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 100)
    """

    _parameter_constraints = {
        "filters": _INT_SEQUENCE,
        "kernel_sizes": _INT_SEQUENCE,
        "dilated_kernel_sizes": _INT_SEQUENCE,
        "dilation_rate": _POSITIVE_INT,
        "output_kernel_size": _POSITIVE_INT,
        "batch_norm": ["boolean"],
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        tiny = {
            "filters": (4, 4),
            "kernel_sizes": (3,),
            "dilated_kernel_sizes": (3,),
            "output_kernel_size": 3,
        }
        return {**super()._get_test_params(), **tiny}

    def __init__(
        self,
        filters=(64, 64, 32, 32, 16, 16),
        kernel_sizes=(3, 5, 9, 15),
        dilated_kernel_sizes=(5, 9, 15),
        dilation_rate=3,
        output_kernel_size=9,
        batch_norm=True,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _validate_params(self):
        super()._validate_params()
        for name in ("filters", "kernel_sizes", "dilated_kernel_sizes"):
            _check_int_sequence(self, name)
        for name in ("kernel_sizes", "dilated_kernel_sizes"):
            sizes = list(getattr(self, name))
            if len(set(sizes)) != len(sizes):
                raise ValueError(
                    f"The {name!r} parameter of {type(self).__name__} must not "
                    f"repeat a size (a branch each); got {getattr(self, name)!r}."
                )

    def _build_network(self, n_timesteps, n_channels):
        return build_deepfilter(
            n_timesteps,
            n_channels,
            filters=tuple(self.filters),
            kernel_sizes=tuple(self.kernel_sizes),
            dilated_kernel_sizes=tuple(self.dilated_kernel_sizes),
            dilation_rate=self.dilation_rate,
            output_kernel_size=self.output_kernel_size,
            batch_norm=self.batch_norm,
        )
