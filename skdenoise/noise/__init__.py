"""Noise models: add realistic noise to batches of clean series.

Every noise model is a small scikit-learn compatible object (``get_params``,
``set_params``, ``clone``), so it can be a hyper-parameter of a denoiser and be
tuned in ``GridSearchCV``. Each model draws a raw noise shape with
:meth:`BaseNoise.sample` and :meth:`BaseNoise.apply` adds it to the clean series,
either at an exact target SNR or at a fixed amplitude.

SNR definition
--------------
The SNR is the power ratio per series, over all its timesteps and channels::

    SNR_dB = 10 log10(sum(x**2) / sum(n**2))

where ``x`` is the clean series and ``n`` the noise added to it. With
``snr=6.0`` every series receives noise scaled so that this ratio is exactly
6 dB; with ``snr=(0.0, 12.0)`` each series draws its own SNR uniformly from that
range. With ``snr=None`` the raw noise is scaled by ``amplitude`` instead
(standard deviation of the noise, in the units of the series).

Models
------
- :class:`WhiteNoise`: white Gaussian noise;
- :class:`ColoredNoise`: Gaussian noise with a ``1/f**alpha`` power spectrum
  (pink for ``alpha=1``, brown for ``alpha=2``);
- :class:`ImpulseNoise`: sparse spikes or salt-and-pepper replacement;
- :class:`BaselineWander`: slow drift made of a few low-frequency sinusoids;
- :class:`PowerlineNoise`: 50 or 60 Hz mains interference with harmonics;
- :class:`MuscleNoise`: band-limited noise in bursts (electromyographic noise);
- :class:`RecordedNoise`: random stretches of a real noise recording;
- :class:`NoiseMixture`: a randomly weighted sum of other models.

The raw noise of :class:`ColoredNoise`, :class:`BaselineWander`,
:class:`PowerlineNoise` and :class:`MuscleNoise` has a root-mean-square value of 1
per series, so with ``snr=None`` their ``amplitude`` is the RMS of the noise added
to each series (:class:`WhiteNoise`'s is its standard deviation). The others scale
otherwise: :class:`ImpulseNoise`'s ``amplitude`` sizes each spike (its RMS follows
the density), :class:`RecordedNoise` keeps the recording's units, and
:class:`NoiseMixture` sums randomly weighted components. Give ``snr`` to set the
level against the signal whatever the model.
"""

from ._base import BaseNoise, WhiteNoise, scale_noise
from ._models import (
    BaselineWander,
    ColoredNoise,
    ImpulseNoise,
    MuscleNoise,
    NoiseMixture,
    PowerlineNoise,
    RecordedNoise,
)

__all__ = [
    "BaseNoise",
    "WhiteNoise",
    "ColoredNoise",
    "ImpulseNoise",
    "BaselineWander",
    "PowerlineNoise",
    "MuscleNoise",
    "RecordedNoise",
    "NoiseMixture",
    "scale_noise",
]
