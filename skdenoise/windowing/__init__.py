"""Denoising series of any length window by window.

:class:`WindowedDenoiser` trains any denoiser on overlapping windows and
stitches its outputs back by overlap-add; :class:`SeriesWindower` does the
cutting and stitching on its own; :class:`ResampledDenoiser` runs a denoiser of
one sampling rate on series of any rate, channel by channel. All are also
available from :mod:`skdenoise.pipeline`.
"""

from ._resampled import ResampledDenoiser
from ._windowed import SeriesWindower, WindowedDenoiser

__all__ = ["WindowedDenoiser", "SeriesWindower", "ResampledDenoiser"]
