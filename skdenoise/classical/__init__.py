"""Classical (non-learned) denoisers, as baselines for the learned ones.

The same classes are available from :mod:`skdenoise.baselines`.
"""

from ._filters import (
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
