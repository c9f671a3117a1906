"""Classical denoisers, as baselines for the learned ones.

They share the API of the package's neural denoisers: scikit-learn
transformers taking ``(n_series, n_timesteps)`` or ``(n_series, n_timesteps,
n_channels)`` arrays, whose ``score`` is the SNR in dB of the denoised series
against the clean ones. They learn nothing, so ``fit`` only validates the
input.

A common ECG baseline, baseline-wander removal followed by wavelet shrinkage,
is a pipeline of two of them:

>>> import numpy as np
>>> from sklearn.pipeline import make_pipeline
>>> from skdenoise.baselines import BandpassDenoiser, WaveletDenoiser
>>> pipe = make_pipeline(
...     BandpassDenoiser(low_cutoff=0.67, high_cutoff=None), WaveletDenoiser())
>>> pipe.fit_transform(np.zeros((2, 720))).shape
(2, 720)
"""

from .classical import (
    BandpassDenoiser,
    MedianDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)

__all__ = [
    "WaveletDenoiser",
    "BandpassDenoiser",
    "SavitzkyGolayDenoiser",
    "WienerDenoiser",
    "MedianDenoiser",
]
