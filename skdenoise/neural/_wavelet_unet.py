"""Wavelet and deep-learning hybrid denoiser. Imports Keras and TensorFlow."""

import numbers

import numpy as np
import pywt
from sklearn.utils._param_validation import Interval

from ..base import SeriesTransformerMixin
from ._base import BaseNeuralDenoiser, store_init_args
from ._general import _COMMON_CONSTRAINTS, _DROPOUT, _POSITIVE_INT, _document
from .networks._wavelet_unet import build_wavelet_unet

__all__ = ["WaveletUNetDenoiser"]


@_document
class WaveletUNetDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """U-Net reading the series together with its stationary wavelet sub-bands.

    Before the network, each (normalised, padded) series is decomposed by the
    stationary (undecimated) wavelet transform into ``level`` detail sub-bands
    and one approximation, all as long as the series. The network, a U-Net as
    in :class:`UNetDenoiser`, gets the series and its ``level + 1`` sub-bands as
    input channels, so every layer sees the signal already split into octave
    bands at full time resolution, and predicts the clean series (by default as
    a correction to the noisy one). Series are padded (by reflection) to a
    multiple of ``2 ** max(level, depth)`` and cropped back.

    Parameters
    ----------
    wavelet : str, default="sym4"
        Name of an orthogonal discrete wavelet of PyWavelets, for example
        "haar", "db4", "sym4" or "coif2".
    level : int, default=4
        Number of decomposition levels.
    filters : int, default=16
        Filters at the first U-Net level, doubling at each level.
    depth : int, default=3
        Number of down-sampling levels of the U-Net.
    kernel_size : int, default=9
        Width of the convolutions.
    dropout : float, default=0.0
        Dropout at the bottleneck.
    residual : bool, default=True
        Learn the correction to the input rather than the clean series.
    %(common)s

    %(attributes)s

    See Also
    --------
    UNetDenoiser : The same network on the series alone.
    skdenoise.baselines.WaveletDenoiser : Wavelet shrinkage without learning.

    Notes
    -----
    The transform is ``pywt.swt(..., trim_approx=True, norm=True)`` along the
    time axis: with ``norm=True`` it is a tight frame (up to the finite
    approximation of the discrete Meyer wavelet ``"dmey"``, whose sub-bands
    carry the series' energy within about 0.5 %), so the sub-bands carry
    the series' energy and white noise spreads evenly over the detail bands,
    which keeps the input channels on comparable scales. It runs in NumPy on
    every batch (training and inference); the network itself is an ordinary
    Keras model whose input has ``n_channels * (level + 2)`` channels.

    The combination of an undecimated wavelet decomposition with a learned
    mapping follows the use of the stationary wavelet transform for denoising
    [1]_ and the U-Net [2]_; it is not the reproduction of one paper.

    References
    ----------
    .. [1] G. P. Nason and B. W. Silverman, "The stationary wavelet transform
       and some statistical applications", in Wavelets and Statistics, Lecture
       Notes in Statistics 103, Springer, pp. 281-299, 1995.
    .. [2] O. Ronneberger, P. Fischer and T. Brox, "U-Net: Convolutional
       Networks for Biomedical Image Segmentation", MICCAI, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import WaveletUNetDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 100) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = WaveletUNetDenoiser(level=2, filters=4, depth=2, epochs=2,
    ...                             random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 100)
    """

    _parameter_constraints = {
        "wavelet": [str],
        "level": _POSITIVE_INT,
        "filters": _POSITIVE_INT,
        "depth": [Interval(numbers.Integral, 0, None, closed="left")],
        "kernel_size": _POSITIVE_INT,
        "dropout": _DROPOUT,
        "residual": ["boolean"],
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        tiny = {
            "wavelet": "db2",
            "level": 2,
            "filters": 4,
            "depth": 2,
            "kernel_size": 3,
        }
        return {**super()._get_test_params(), **tiny}

    def __init__(
        self,
        wavelet="sym4",
        level=4,
        filters=16,
        depth=3,
        kernel_size=9,
        dropout=0.0,
        residual=True,
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
        if self.wavelet not in pywt.wavelist(kind="discrete") or not (
            pywt.Wavelet(self.wavelet).orthogonal
        ):
            raise ValueError(
                f"The 'wavelet' parameter of {type(self).__name__} must name an "
                "orthogonal discrete wavelet of PyWavelets (for example 'haar', "
                f"'db4', 'sym4', 'coif2'); got {self.wavelet!r}."
            )

    def _length_multiple(self):
        return 2 ** max(self.level, self.depth)

    def _band_settings(self):
        return {"wavelet": self.wavelet, "level": self.level}

    def _to_network(self, inputs):
        bands = pywt.swt(
            inputs, self.wavelet, level=self.level, axis=1, trim_approx=True, norm=True
        )
        return np.concatenate([inputs, *bands], axis=-1)

    def _build_network(self, n_timesteps, n_channels):
        return build_wavelet_unet(
            n_timesteps,
            n_channels,
            n_bands=self.level + 1,
            filters=self.filters,
            depth=self.depth,
            kernel_size=self.kernel_size,
            dropout=self.dropout,
            residual=self.residual,
        )
