"""Denoising series of any length window by window.

:class:`~skdenoise.pipeline.WindowedDenoiser` trains any denoiser on
overlapping windows and stitches its outputs back by overlap-add;
:class:`~skdenoise.pipeline.SeriesWindower` does the cutting and stitching on
its own; :class:`~skdenoise.pipeline.ResampledDenoiser` runs a denoiser of one
sampling rate on series of any rate, channel by channel. All are documented
under, and available from, :mod:`skdenoise.pipeline`.
"""

from ._resampled import ResampledDenoiser
from ._windowed import SeriesWindower, WindowedDenoiser

__all__ = ["WindowedDenoiser", "SeriesWindower", "ResampledDenoiser"]
