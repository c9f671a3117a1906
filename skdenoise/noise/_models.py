"""Coloured, impulsive, physiological, recorded and mixed noise."""

import numbers
import weakref

import numpy as np

from .._validation import (
    check_finite_scalar,
    check_real_numbers,
    refuse_masked,
)
from ._base import (
    BaseNoise,
    _band_limited,
    _check_below_nyquist,
    _check_count,
    _check_positive,
    _check_sampling_rate,
    _sum_of_sinusoids,
    _unit_rms,
    quiet_zero_series,
    scale_noise,
    warn_zero_series,
)

__all__ = [
    "ColoredNoise",
    "ImpulseNoise",
    "BaselineWander",
    "PowerlineNoise",
    "MuscleNoise",
    "RecordedNoise",
    "NoiseMixture",
]

# The most dB of RecordedNoise(spectral_gain=): a gain of 10 ** (100 / 20)
# either way is already far beyond any colour of one noise source.
_MAX_SPECTRAL_GAIN_DB = 100.0

# Said where a flat stretch of a recording is refused (the command line has
# words of its own for it).
_FLAT_STRETCH_ADVICE = (
    "Leave it out with segment=(start, stop), or give an amplitude (snr=None) instead."
)


class ColoredNoise(BaseNoise):
    """Gaussian noise with a ``1/f**alpha`` power spectrum.

    White Gaussian noise is shaped in the frequency domain: its Fourier
    coefficients are multiplied by ``f**(-alpha/2)`` (the zero frequency is
    removed), so the power spectrum falls as ``1/f**alpha``. ``alpha=0`` is white
    noise, ``alpha=1`` pink (flicker) noise and ``alpha=2`` brown (random-walk
    like) noise; a negative ``alpha`` gives blue noise.

    Parameters
    ----------
    alpha : float, default=1.0
        Exponent of the power spectrum.
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the raw noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Root-mean-square value of each series' noise when ``snr`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import ColoredNoise
    >>> from skdenoise.metrics import snr
    >>> clean = np.sin(np.linspace(0, 10, 256))[None, :]
    >>> noisy = ColoredNoise(alpha=2.0, snr=10.0).apply(clean, random_state=0)
    >>> round(snr(clean, noisy), 6)
    10.0
    """

    def __init__(self, alpha=1.0, snr=None, amplitude=1.0):
        self.alpha = alpha
        self.snr = snr
        self.amplitude = amplitude

    def _sample(self, shape, rng):
        alpha = check_finite_scalar(self.alpha, "ColoredNoise: alpha")
        n_timesteps = shape[1]
        if n_timesteps < 2:
            raise ValueError(
                f"ColoredNoise needs series of at least 2 timesteps; got {n_timesteps}."
            )
        freqs = np.fft.rfftfreq(n_timesteps)
        gain = np.zeros_like(freqs)
        # In logs, relative to the largest: freqs ** (-alpha / 2) overflows for
        # steep spectra (alpha of a few hundred), and the scale is set below.
        log_gain = (-alpha / 2.0) * np.log(freqs[1:])
        gain[1:] = np.exp(log_gain - log_gain.max())
        spectrum = np.fft.rfft(rng.standard_normal(shape), axis=1)
        colored = np.fft.irfft(
            spectrum * gain[np.newaxis, :, np.newaxis], n=n_timesteps, axis=1
        )
        return _unit_rms(colored)


_IMPULSE_KINDS = ("spikes", "salt_pepper")


class ImpulseNoise(BaseNoise):
    """Sparse impulses: spikes of random sign, or salt-and-pepper replacement.

    Each sample of each channel is hit independently with probability
    ``density``; every series gets at least one impulse, so an SNR can always be
    reached.

    - ``kind="spikes"`` adds spikes of height 1 and random sign (raw noise);
      they are scaled to the target SNR, or by ``amplitude`` when ``snr`` is
      None.
    - ``kind="salt_pepper"`` replaces the hit samples by an extreme value of
      their series (per channel): with ``mid`` and ``half`` the centre and half
      width of the channel's range, a "salt" sample becomes
      ``mid + amplitude * half`` and a "pepper" sample ``mid - amplitude * half``
      (the channel's maximum and minimum for ``amplitude=1``; ``half`` is taken
      as 1 for a constant channel). A hit on a sample that already holds the
      drawn extreme takes the other one, so every hit changes the series. With
      a target ``snr``, the replacement uses
      ``amplitude=1`` and the resulting change of the series (extreme minus
      clean value at the hit samples) is then scaled to the exact SNR, so the
      hit samples move from their clean value towards (or beyond) the extreme.
      :meth:`sample` and a salt-and-pepper component of a mixture without the
      clean series give the same unit spikes as ``kind="spikes"``.

    Parameters
    ----------
    density : float, default=0.01
        Probability, in (0, 1], that a sample is hit.
    kind : {"spikes", "salt_pepper"}, default="spikes"
        Additive spikes or replacement by the series' extremes.
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the raw noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Height of the spikes, or the extreme as a multiple of the half range for
        salt-and-pepper, when ``snr`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import ImpulseNoise
    >>> clean = np.zeros((1, 10))
    >>> noisy = ImpulseNoise(density=0.3, amplitude=2.0).apply(clean, random_state=0)
    >>> sorted(set(np.abs(noisy).ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(self, density=0.01, kind="spikes", snr=None, amplitude=1.0):
        self.density = density
        self.kind = kind
        self.snr = snr
        self.amplitude = amplitude

    def _check_kind(self):
        if self.kind not in _IMPULSE_KINDS:
            raise ValueError(
                f"ImpulseNoise: kind must be one of {_IMPULSE_KINDS}; got "
                f"{self.kind!r}."
            )
        return self.kind

    def _impulses(self, shape, rng):
        """Hit mask and signs, with at least one hit per series."""
        density = _check_positive(self.density, "ImpulseNoise: density")
        if density > 1:
            raise ValueError(f"ImpulseNoise: density must be <= 1; got {density!r}.")
        n_series = shape[0]
        hit = rng.random(shape) < density
        fallback = rng.integers(0, shape[1] * shape[2], size=n_series)
        flat = hit.reshape(n_series, -1)
        empty = np.flatnonzero(~flat.any(axis=1))
        flat[empty, fallback[empty]] = True
        signs = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        return hit, signs

    def _sample(self, shape, rng):
        self._check_kind()
        hit, signs = self._impulses(shape, rng)
        return np.where(hit, signs, 0.0)

    def _draw(self, X, rng):
        if self._check_kind() == "spikes":
            return super()._draw(X, rng)
        target = self._check_snr()
        hit, value = self._replacement(X, target, rng)
        change = np.where(hit, value - X, 0.0)
        if target is None:
            return change
        return scale_noise(X, change, target, 1.0, rng)

    def _noisy(self, X, rng):
        if self._check_kind() == "spikes" or self._check_snr() is not None:
            return super()._noisy(X, rng)
        # Replaced samples take their extreme exactly (X + (extreme - X) may
        # differ from it in the last bit).
        hit, value = self._replacement(X, None, rng)
        return np.where(hit, value, X)

    def _replacement(self, X, target, rng):
        """Hit mask and salt-and-pepper values of the 3-D clean series ``X``."""
        hit, signs = self._impulses(X.shape, rng)
        reach = self.amplitude if target is None else 1.0
        low = X.min(axis=1, keepdims=True)
        high = X.max(axis=1, keepdims=True)
        half = (high - low) / 2.0
        flat = half == 0
        salt = np.where(flat, high + reach, high + (reach - 1.0) * half)
        pepper = np.where(flat, low - reach, low - (reach - 1.0) * half)
        value = np.where(signs > 0, salt, pepper)
        # A hit on a sample that already holds its extreme takes the other one.
        value = np.where(hit & (value == X), np.where(signs > 0, pepper, salt), value)
        return hit, value


class BaselineWander(BaseNoise):
    """Slow baseline drift: a sum of a few low-frequency sinusoids.

    Each series and channel gets ``n_components`` sinusoids with frequencies
    drawn uniformly in ``[0, max_frequency]`` Hz, phases uniform in
    ``[0, 2 pi)`` and amplitudes uniform in ``[0, 1]``, summed and scaled to a
    root-mean-square value of 1 per series. Over a window much shorter than
    ``1 / max_frequency`` this looks like an offset, a slope or a gentle curve,
    as the drift of an ECG with breathing and electrode motion does.

    Parameters
    ----------
    sampling_rate : float, default=360.0
        Sampling rate of the series in Hz.
    max_frequency : float, default=0.5
        Highest frequency of the drift in Hz, below the Nyquist frequency.
    n_components : int, default=4
        Number of sinusoids.
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the raw noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Root-mean-square value of each series' drift when ``snr`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import BaselineWander
    >>> flat = np.zeros((3, 720))
    >>> drift = BaselineWander(amplitude=0.5).apply(flat, random_state=0)
    >>> np.round(np.sqrt(np.mean(drift**2, axis=1)), 6)
    array([0.5, 0.5, 0.5])
    """

    def __init__(
        self,
        sampling_rate=360.0,
        max_frequency=0.5,
        n_components=4,
        snr=None,
        amplitude=1.0,
    ):
        self.sampling_rate = sampling_rate
        self.max_frequency = max_frequency
        self.n_components = n_components
        self.snr = snr
        self.amplitude = amplitude

    def _sample(self, shape, rng):
        fs = _check_sampling_rate(self, self.sampling_rate)
        name = "BaselineWander: max_frequency"
        fmax = _check_below_nyquist(_check_positive(self.max_frequency, name), name, fs)
        k = _check_count(self.n_components, "BaselineWander: n_components", 1)
        size = (shape[0], 1, shape[2], k)
        frequencies = rng.uniform(0.0, fmax, size=size)
        phases = rng.uniform(0.0, 2.0 * np.pi, size=size)
        amplitudes = rng.uniform(0.0, 1.0, size=size)
        return _unit_rms(_sum_of_sinusoids(shape, fs, frequencies, amplitudes, phases))


class PowerlineNoise(BaseNoise):
    """Power-line interference: a mains sinusoid and its harmonics.

    The fundamental has amplitude 1 and harmonic ``m`` (at ``m * frequency``)
    an amplitude drawn uniformly in ``[0, 1/m]``; every component has a random
    phase per series and channel. Harmonics at or above the Nyquist frequency
    are left out. The sum is scaled to a root-mean-square value of 1 per series.

    Parameters
    ----------
    sampling_rate : float
        Sampling rate of the series in Hz. Required.
    frequency : float, default=50.0
        Mains frequency in Hz (50 in Europe, 60 in North America); must be below
        the Nyquist frequency ``sampling_rate / 2``.
    n_harmonics : int, default=3
        Number of harmonics added to the fundamental (at 2, 3, ...
        times ``frequency``).
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the raw noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Root-mean-square value of each series' interference when ``snr`` is
        None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import PowerlineNoise
    >>> hum = PowerlineNoise(sampling_rate=1000.0, frequency=60.0, n_harmonics=0)
    >>> x = hum.sample((1, 1000), random_state=0)[0]
    >>> int(np.argmax(np.abs(np.fft.rfft(x))))  # 1 Hz bins
    60
    """

    def __init__(
        self,
        sampling_rate=None,
        frequency=50.0,
        n_harmonics=3,
        snr=None,
        amplitude=1.0,
    ):
        self.sampling_rate = sampling_rate
        self.frequency = frequency
        self.n_harmonics = n_harmonics
        self.snr = snr
        self.amplitude = amplitude

    def _sample(self, shape, rng):
        fs = _check_sampling_rate(self, self.sampling_rate)
        name = "PowerlineNoise: frequency"
        f0 = _check_below_nyquist(_check_positive(self.frequency, name), name, fs)
        n_harmonics = _check_count(self.n_harmonics, "PowerlineNoise: n_harmonics", 0)
        multiples = np.arange(1, n_harmonics + 2, dtype=np.float64)
        size = (shape[0], 1, shape[2], multiples.size)
        amplitudes = rng.uniform(0.0, 1.0, size=size) / multiples
        amplitudes[..., 0] = 1.0
        phases = rng.uniform(0.0, 2.0 * np.pi, size=size)
        below = multiples * f0 < fs / 2
        frequencies = np.broadcast_to(multiples * f0, size)[..., below]
        noise = _sum_of_sinusoids(
            shape, fs, frequencies, amplitudes[..., below], phases[..., below]
        )
        return _unit_rms(noise)


class MuscleNoise(BaseNoise):
    """Muscle (electromyographic) noise: band-limited noise in bursts.

    White Gaussian noise is band-passed (in the frequency domain) to
    ``[low_frequency, high_frequency]`` Hz, the upper edge clipped to the
    Nyquist frequency, and multiplied by a random envelope: a slowly varying
    Gaussian process (frequencies up to ``burst_frequency`` Hz, unit RMS) whose
    positive part marks bursts of muscle activity, plus a constant
    ``background`` level between bursts. The result is scaled to a
    root-mean-square value of 1 per series.

    Parameters
    ----------
    sampling_rate : float, default=360.0
        Sampling rate of the series in Hz.
    low_frequency : float, default=20.0
        Lower edge of the band in Hz.
    high_frequency : float, default=150.0
        Upper edge of the band in Hz (clipped to the Nyquist frequency).
    burst_frequency : float, default=1.0
        Highest frequency of the burst envelope in Hz. Bursts start about
        ``burst_frequency / sqrt(3)`` times a second (0.58 a second at 1 Hz:
        the rate at which the envelope, a band-limited Gaussian process, rises
        through its mean).
    background : float, default=0.1
        Envelope level between bursts, relative to a typical burst (>= 0).
        With 0, a series that holds no burst (one shorter than a burst cycle,
        say) gets a constant envelope instead, so that it still has noise.
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the raw noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Root-mean-square value of each series' noise when ``snr`` is None.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import MuscleNoise
    >>> from skdenoise.metrics import snr
    >>> clean = np.sin(np.linspace(0, 20, 720))[None, :]
    >>> noisy = MuscleNoise(snr=12.0).apply(clean, random_state=0)
    >>> round(snr(clean, noisy), 6)
    12.0
    """

    def __init__(
        self,
        sampling_rate=360.0,
        low_frequency=20.0,
        high_frequency=150.0,
        burst_frequency=1.0,
        background=0.1,
        snr=None,
        amplitude=1.0,
    ):
        self.sampling_rate = sampling_rate
        self.low_frequency = low_frequency
        self.high_frequency = high_frequency
        self.burst_frequency = burst_frequency
        self.background = background
        self.snr = snr
        self.amplitude = amplitude

    def _sample(self, shape, rng):
        fs = _check_sampling_rate(self, self.sampling_rate)
        low = _check_positive(
            self.low_frequency, "MuscleNoise: low_frequency", allow_zero=True
        )
        high = _check_positive(self.high_frequency, "MuscleNoise: high_frequency")
        if low >= high:
            raise ValueError(
                f"MuscleNoise: low_frequency={low!r} must be below "
                f"high_frequency={high!r}."
            )
        _check_below_nyquist(low, "MuscleNoise: low_frequency", fs)
        burst = _check_below_nyquist(
            _check_positive(self.burst_frequency, "MuscleNoise: burst_frequency"),
            "MuscleNoise: burst_frequency",
            fs,
        )
        background = _check_positive(
            self.background, "MuscleNoise: background", allow_zero=True
        )
        carrier, any_band = _band_limited(shape, rng, fs, low, min(high, fs / 2))
        if not any_band:
            raise ValueError(
                f"MuscleNoise: series of {shape[1]} timesteps at {fs!r} Hz have no "
                f"frequency in the band [{low!r}, {high!r}] Hz; use longer series."
            )
        slow, _ = _band_limited(shape, rng, fs, 0.0, burst)
        std = np.sqrt(np.mean(np.square(slow), axis=1, keepdims=True))
        slow = np.divide(slow, std, out=np.zeros_like(slow), where=std > 0)
        envelope = background + np.maximum(slow, 0.0)
        # With background=0, a series shorter than a burst cycle can have no
        # burst at all: it gets constant activity, not silence, so that every
        # series has noise of RMS 1 (and an SNR can be set).
        silent = ~np.any(envelope > 0, axis=1, keepdims=True)
        envelope = np.where(silent, 1.0, envelope)
        return _unit_rms(carrier * envelope)


class RecordedNoise(BaseNoise):
    """Random stretches of a real noise recording.

    Each series receives a stretch of ``n_timesteps`` consecutive samples of the
    recording, starting at a position drawn uniformly (per series), with the
    stretch's mean removed per channel. ``segment`` restricts where stretches
    are drawn from, so that training and test noise can come from disjoint
    parts of one recording.

    Channels: a recording with as many channels as the series gives channel
    ``c`` of the stretch to channel ``c`` of the series (one start per series,
    so the channels stay aligned in time). A one-channel recording serves series
    with any number of channels, with an independent start for each channel.
    Any other combination is an error.

    Parameters
    ----------
    noise : array-like of shape (n_samples,) or (n_samples, n_channels)
        The noise recording, in the units of the series.
    segment : tuple (start, stop) or None, default=None
        Draw stretches only from samples ``start`` to ``stop - 1`` of the
        recording (``stop=None`` for its end). None uses the whole recording.
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series, or a ``(low, high)`` range drawn uniformly
        per series. ``None`` scales the recorded noise by ``amplitude`` instead.
    amplitude : float, default=1.0
        Multiplier of the recorded noise (kept in the recording's units) when
        ``snr`` is None.
    flip : bool, default=False
        Give each stretch a random sign and, with probability 1/2, reverse it
        in time: four times as many distinct noise waveforms from one
        recording, for training on a short one.
    time_scale : tuple (low, high) or None, default=None
        Read each stretch at a random rate drawn log-uniformly in
        ``[low, high]`` (linear interpolation between samples): a rate of 1.25
        compresses 1.25 times as many recorded samples into the series, so its
        frequencies rise by 25 %. Each stretch starts on a recorded sample, so
        a rate of 1 reads the recording as None does; other rates interpolate
        between samples, which softens the highest frequencies a little (the
        power near the Nyquist frequency falls by up to 2/3 for white noise).
        None reads the recording at its own rate.
    spectral_gain : float or None, default=None
        Colour each stretch by a random gain that varies smoothly over
        frequency, at most ``spectral_gain`` dB either way (at most 100): the
        gain in dB is ``spectral_gain * (a u + b (2 u**2 - 1))``, with ``a``
        and ``b`` drawn uniformly in [-1/2, 1/2] per stretch and ``u`` running
        from -1 at one cycle per series to 1 at the Nyquist frequency on a
        logarithmic axis: tilts and bowls of the spectrum, as one noise source
        looks through another lead or sensor (series of fewer than 4 samples
        get one flat gain). The stretch is reflect-padded for the filter, so
        its ends do not wrap onto each other. The colour changes the noise's
        power too: with ``snr`` the series' SNR is set after it, so it stays
        exact; with ``snr=None`` (a component of a :class:`NoiseMixture`, or
        an ``amplitude``) the level varies with the draw, by up to
        ``spectral_gain`` dB. None keeps the spectrum as recorded.
    sampling_rate : float or None, default=None
        Sampling rate of the recording in Hz (360 for the MIT-BIH Noise Stress
        Test), or None when unknown. The samples are used as they are, so the
        series must share this rate; given, it lets
        :func:`~skdenoise.datasets.make_denoising_dataset` refuse series of
        another rate.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import RecordedNoise
    >>> recording = np.random.default_rng(0).standard_normal(1000)
    >>> train = RecordedNoise(recording, segment=(0, 500), snr=0.0)
    >>> test = RecordedNoise(recording, segment=(500, 1000), snr=0.0)
    >>> train.apply(np.ones((4, 64)), random_state=0).shape
    (4, 64)
    """

    def __init__(
        self,
        noise,
        segment=None,
        snr=None,
        amplitude=1.0,
        flip=False,
        time_scale=None,
        spectral_gain=None,
        sampling_rate=None,
    ):
        self.noise = noise
        self.segment = segment
        self.snr = snr
        self.amplitude = amplitude
        self.flip = flip
        self.time_scale = time_scale
        self.spectral_gain = spectral_gain
        self.sampling_rate = sampling_rate

    def _check_augmentation(self):
        if self.sampling_rate is not None:
            rate = check_finite_scalar(self.sampling_rate, "sampling_rate")
            if rate <= 0:
                raise ValueError(
                    "RecordedNoise: sampling_rate must be positive or None; got "
                    f"{self.sampling_rate!r}."
                )
        # A wrong type is a TypeError, a value out of range a ValueError, as
        # for amplitude and sampling_rate.
        if not isinstance(self.flip, (bool, np.bool_)):
            raise TypeError(
                f"RecordedNoise: flip must be True or False; got {self.flip!r}."
            )
        gain = self.spectral_gain
        if gain is not None:
            if not isinstance(gain, numbers.Real) or isinstance(gain, (bool, np.bool_)):
                raise TypeError(
                    "RecordedNoise: spectral_gain must be None or a number of dB; "
                    f"got {gain!r}."
                )
            if not 0 < gain <= _MAX_SPECTRAL_GAIN_DB:
                raise ValueError(
                    "RecordedNoise: spectral_gain must be None or a number of dB in "
                    f"(0, {_MAX_SPECTRAL_GAIN_DB:g}]; got {gain!r}."
                )
        if self.time_scale is None:
            return None
        scale = self.time_scale
        if (
            not isinstance(scale, (tuple, list))
            or len(scale) != 2
            or not all(
                isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                for v in scale
            )
        ):
            raise TypeError(
                "RecordedNoise: time_scale must be None or a (low, high) pair of "
                f"positive rates; got {scale!r}."
            )
        if not all(np.isfinite(v) and v > 0 for v in scale) or scale[0] > scale[1]:
            raise ValueError(
                "RecordedNoise: time_scale must be None or a (low, high) pair of "
                f"positive rates with low <= high; got {scale!r}."
            )
        return float(scale[0]), float(scale[1])

    def _recording(self):
        """The validated recording segment as a 2-D float array, and its start."""
        not_numbers = TypeError(
            "RecordedNoise: noise must be a numeric array of shape (n_samples,) "
            f"or (n_samples, n_channels); got {type(self.noise).__name__}."
        )
        try:
            recording = np.asarray(
                refuse_masked(
                    self.noise, "noise of RecordedNoise", ("sample", "channel")
                )
            )
        except (TypeError, ValueError) as exc:
            if np.ma.isMaskedArray(self.noise):
                raise
            raise not_numbers from exc
        # Complex values, text and dates are refused, not converted.
        check_real_numbers(recording, "noise", " of RecordedNoise")
        try:
            recording = recording.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise not_numbers from exc
        if recording.ndim not in (1, 2):
            raise ValueError(
                "RecordedNoise: noise must have shape (n_samples,) or (n_samples, "
                f"n_channels); got shape {recording.shape}."
            )
        if recording.ndim == 1:
            recording = recording[:, np.newaxis]
        if recording.size == 0:
            raise ValueError(
                f"RecordedNoise: the noise recording is empty (shape "
                f"{recording.shape})."
            )
        n_samples = recording.shape[0]
        start, stop = 0, n_samples
        if self.segment is not None:
            if not isinstance(self.segment, (tuple, list)) or len(self.segment) != 2:
                raise ValueError(
                    "RecordedNoise: segment must be None or a (start, stop) pair; "
                    f"got {self.segment!r}."
                )
            start = _check_count(self.segment[0], "RecordedNoise: segment start", 0)
            if self.segment[1] is not None:
                stop = _check_count(self.segment[1], "RecordedNoise: segment stop", 0)
            if not start < stop <= n_samples:
                raise ValueError(
                    f"RecordedNoise: segment {tuple(self.segment)!r} must satisfy "
                    f"0 <= start < stop <= {n_samples} (the recording's length)."
                )
        part = recording[start:stop]
        # Training draws from the recording at every batch: its values are
        # checked once per recording object and segment, not at every draw
        # (remembered beside the model, which fit may not change).
        checked = _CHECKED_SEGMENTS.get(self)
        if (
            checked is None
            or checked[0] is not self.noise
            or checked[1:3] != (start, stop)
        ):
            if not np.all(np.isfinite(part)):
                raise ValueError(
                    "RecordedNoise: the noise recording contains NaN or infinite "
                    f"values in samples [{start}, {stop})."
                )
            checked = (self.noise, start, stop, _longest_flat_run(part))
            _CHECKED_SEGMENTS[self] = checked
        return part, start, stop, checked[3]

    def _check_flat_run(self, recording, start, span, n_timesteps, known=None):
        """Refuse an SNR target that a flat stretch of the recording can't reach.

        ``known``: the longest flat run as checked before (None: not known);
        one long enough is measured again, since the recording may have been
        mended in place.
        """
        if self.snr is None or (known is not None and known[0] < span):
            return
        flat = _longest_flat_run(recording)
        checked = _CHECKED_SEGMENTS.get(self)
        if checked is not None:
            _CHECKED_SEGMENTS[self] = (*checked[:3], flat)
        length, first = flat
        if length < span:
            return
        raise ValueError(
            f"RecordedNoise: the noise recording is constant over {length} samples "
            f"from sample {start + first} (a lead off, or a clipped stretch?): a "
            f"series of {n_timesteps} timesteps drawn there gets no noise, so no "
            f"SNR can be reached. {_FLAT_STRETCH_ADVICE}"
        )

    def _sample(self, shape, rng):
        recording, start, stop, flat = self._recording()
        time_scale = self._check_augmentation()
        n_series, n_timesteps, n_channels = shape
        if n_timesteps < 2:
            raise ValueError(
                f"RecordedNoise needs series of at least 2 timesteps; got "
                f"{n_timesteps}. A stretch's mean is removed, which leaves nothing "
                "of a single sample."
            )
        length, rec_channels = recording.shape
        span = n_timesteps
        if time_scale is not None:
            # Recorded samples a stretch reads: positions 0 .. rate * (n - 1).
            span = int(np.ceil(time_scale[1] * (n_timesteps - 1))) + 1
        if length < span:
            needed = (
                f"the {n_timesteps} timesteps of each series"
                if time_scale is None
                else f"the {span} samples that {n_timesteps} timesteps read at a "
                f"time_scale of up to {time_scale[1]:g}"
            )
            raise ValueError(
                f"RecordedNoise: the noise recording's samples [{start}, {stop}) "
                f"hold {length} samples, fewer than {needed}."
            )
        # The fewest recorded samples a stretch reads (at the lowest rate).
        shortest = n_timesteps
        if time_scale is not None:
            shortest = int(np.ceil(time_scale[0] * (n_timesteps - 1))) + 1
        self._check_flat_run(recording, start, shortest, n_timesteps, known=flat)
        if rec_channels == n_channels:
            draws = (n_series,)  # one start per series, channels aligned
        elif rec_channels == 1:
            draws = (n_series, 1, n_channels)  # one start per series and channel
        else:
            raise ValueError(
                f"RecordedNoise: the noise recording has {rec_channels} channels but "
                f"the series have {n_channels}; pass one channel (noise[:, k]) or a "
                "recording with as many channels as the series."
            )
        rates = None
        if time_scale is not None:
            low, high = np.log(time_scale)
            rates = np.exp(rng.uniform(low, high, size=draws))
        offsets = np.arange(n_timesteps)
        if rates is None:
            starts = rng.integers(0, length - n_timesteps + 1, size=draws)
            positions = starts[..., np.newaxis] + offsets
        else:
            last = rates * (n_timesteps - 1)
            room = np.maximum(length - 1 - last, 0.0)
            # Whole-sample starts: a fractional one interpolated every sample
            # of the stretch, a low-pass (a rate of 1 lost 2/3 of the power at
            # the Nyquist frequency against time_scale=None).
            starts = np.floor(rng.uniform(0.0, 1.0, size=draws) * (np.floor(room) + 1))
            starts = np.minimum(starts, np.floor(room))
            positions = starts[..., np.newaxis] + rates[..., np.newaxis] * offsets
        stretches = _read(recording, positions, rec_channels == n_channels)
        if not np.all(np.isfinite(stretches)):
            # The recording was changed in place since it was checked.
            _CHECKED_SEGMENTS.pop(self, None)
            self._recording()
        if self.flip:
            signs = rng.choice([-1.0, 1.0], size=draws)
            reverse = rng.random(size=draws) < 0.5
            stretches = _flip(stretches, signs, reverse, rec_channels == n_channels)
        # A flat stretch written into the recording since it was checked
        # (measured before the mean is taken off, and before the colour: both
        # leave a rounding residue that the SNR's scaling would turn into
        # noise).
        flat = np.all(np.ptp(stretches, axis=1) == 0, axis=-1)
        if np.any(flat):
            self._check_flat_run(recording, start, shortest, n_timesteps)
        if self.spectral_gain is not None:
            shapes = rng.uniform(-0.5, 0.5, size=(*draws, 2))
            stretches = _colour(
                stretches, float(self.spectral_gain), shapes, rec_channels == n_channels
            )
        centred = stretches - stretches.mean(axis=1, keepdims=True)
        # Flat for another reason (a periodic recording read at a whole
        # rate): nothing, not a rounding residue scaled into an offset.
        centred[flat] = 0.0
        return centred


# RecordedNoise -> (its recording, start, stop, longest flat run) as checked.
_CHECKED_SEGMENTS = weakref.WeakKeyDictionary()


def carry_checks(source, target):
    """Let ``target``, a copy of ``source``, skip the checks ``source`` passed.

    The check of a recording's segment is remembered beside the noise model
    that made it; a copy with another SNR range (a training curriculum makes
    one at every step) reads the same recording.
    """
    checked = _CHECKED_SEGMENTS.get(source)
    if checked is not None and target not in _CHECKED_SEGMENTS:
        _CHECKED_SEGMENTS[target] = checked


def _warn_zero_series_without_noise(X, mixed):
    """Warn of the series of zeros that a mixture leaves without noise.

    Its components with an SNR target give them none; one with an amplitude
    does, and then nothing is lost.
    """
    n_series = X.shape[0]
    zeros = np.all(X.reshape(n_series, -1) == 0, axis=1)
    quiet = np.all(mixed.reshape(n_series, -1) == 0, axis=1)
    warn_zero_series(
        np.flatnonzero(zeros & quiet),
        advice="give the mixture's components amplitudes (snr=None)",
    )


def _longest_flat_run(recording):
    """``(length, first sample)`` of the longest run where every channel is constant.

    A stretch read inside it is constant, and nothing once its mean is removed.
    """
    if len(recording) < 2:
        return len(recording), 0
    changes = np.flatnonzero(np.any(np.diff(recording, axis=0) != 0, axis=1)) + 1
    edges = np.concatenate([[0], changes, [len(recording)]])
    lengths = np.diff(edges)
    longest = int(np.argmax(lengths))
    return int(lengths[longest]), int(edges[longest])


def _read(recording, positions, aligned):
    """Samples of ``recording`` at (fractional) ``positions``, as (n, t, c).

    ``aligned``: positions of shape (n, t), all channels read together;
    otherwise positions of shape (n, 1, c, t) into the recording's one channel.
    """
    if positions.dtype.kind in "iu":
        values = recording[positions] if aligned else recording[:, 0][positions]
    else:
        below = np.floor(positions).astype(np.intp)
        above = np.minimum(below + 1, recording.shape[0] - 1)
        frac = positions - below
        if aligned:
            frac = frac[..., np.newaxis]
            values = recording[below] * (1 - frac) + recording[above] * frac
        else:
            values = recording[:, 0][below] * (1 - frac)
            values = values + recording[:, 0][above] * frac
    if aligned:
        return values
    # (n, 1, c, t) -> (n, t, c)
    return np.moveaxis(values[:, 0], 1, 2)


def _colour(stretches, gain_db, shapes, aligned):
    """Stretches (n, t, c) filtered by smooth random gains over log frequency.

    ``shapes``: the ``(a, b)`` of each draw, shape (n, 2) (``aligned``: one
    per series) or (n, 1, c, 2) (one per series and channel); the gain in dB
    at log-frequency position ``u`` is ``gain_db * (a u + b (2 u**2 - 1))``,
    ``u`` running from -1 at one cycle per stretch to 1 at the Nyquist
    frequency (clipped to -1 below one cycle; 0 throughout for stretches of
    fewer than 4 samples, which have no two such frequencies). Each stretch is
    reflect-padded by half its length on both sides before the filter and
    cropped after it, so the filter's ends do not wrap onto each other.
    """
    n_timesteps = stretches.shape[1]
    pad = n_timesteps // 2
    padded = np.pad(stretches, ((0, 0), (pad, pad), (0, 0)), mode="reflect")
    length = padded.shape[1]
    # Each padded bin's frequency in cycles per stretch.
    cycles = np.arange(length // 2 + 1, dtype=np.float64) * n_timesteps / length
    top = np.log(n_timesteps / 2.0)
    if n_timesteps >= 4:
        u = np.clip(2.0 * np.log(np.maximum(cycles, 1.0)) / top - 1.0, -1.0, 1.0)
    else:
        u = np.zeros_like(cycles)
    if aligned:
        # (n, 2) -> (n, 1, 1, 2): one curve per series, every channel.
        shapes = shapes[:, np.newaxis, np.newaxis, :]
    # else (n, 1, c, 2): one curve per series and channel.
    a, b = shapes[..., 0], shapes[..., 1]
    curve = u[np.newaxis, :, np.newaxis]
    gain = gain_db * (a * curve + b * (2.0 * curve**2 - 1.0))
    spectrum = np.fft.rfft(padded, axis=1) * 10.0 ** (gain / 20.0)
    return np.fft.irfft(spectrum, n=length, axis=1)[:, pad : pad + n_timesteps]


def _flip(stretches, signs, reverse, aligned):
    """Stretches with per-draw signs and time reversals."""
    if aligned:
        signs = signs[:, np.newaxis, np.newaxis]
        reverse = reverse[:, np.newaxis, np.newaxis]
    # Otherwise both are (n, 1, c) already: one per series and channel.
    return signs * np.where(reverse, stretches[:, ::-1], stretches)


class NoiseMixture(BaseNoise):
    """A randomly weighted sum of noise models, scaled as a whole.

    Each component draws its noise as it would on its own: scaled to its own
    ``snr`` against the clean series, or multiplied by its own ``amplitude``
    when its ``snr`` is None (for :class:`RecordedNoise` with the default
    amplitude, the recording in its own units). The components are summed with
    weights drawn per series (uniform in ``[0, 1]``, independently for each
    component) or with fixed ``weights``, and the sum is scaled to the
    mixture's ``snr`` (or multiplied by its ``amplitude``).

    Parameters
    ----------
    components : list of BaseNoise
        The noise models to mix.
    weights : array-like of shape (n_components,) or None, default=None
        Fixed non-negative weights. None draws them per series from U(0, 1).
    snr : float, tuple of two floats or None, default=None
        Target SNR in dB per series of the whole mixture, or a ``(low, high)``
        range drawn uniformly per series. ``None`` multiplies the weighted sum
        by ``amplitude`` instead.
    amplitude : float, default=1.0
        Multiplier of the weighted sum when ``snr`` is None.

    Notes
    -----
    As in :func:`sklearn.pipeline.make_pipeline`, each component is named by
    its class in lower case, with ``-1``, ``-2``... appended when several
    share a class (``"baselinewander"``, ``"recordednoise-2"``). Those names
    reach the components' parameters: ``get_params(deep=True)`` lists them,
    ``set_params(musclenoise__snr=6.0)`` sets one (for instance in a grid
    search, as ``noise__musclenoise__snr``) and ``set_params(musclenoise=...)``
    replaces a component.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.noise import BaselineWander, MuscleNoise, NoiseMixture
    >>> from skdenoise.metrics import snr
    >>> mix = NoiseMixture([BaselineWander(), MuscleNoise()], snr=6.0)
    >>> clean = np.sin(np.linspace(0, 20, 512))[None, :]
    >>> round(snr(clean, mix.apply(clean, random_state=0)), 6)
    6.0
    """

    def __init__(self, components, weights=None, snr=None, amplitude=1.0):
        self.components = components
        self.weights = weights
        self.snr = snr
        self.amplitude = amplitude

    def _named_components(self):
        """``[(name, component)]``, named as :func:`make_pipeline` names steps."""
        components = self.components
        if not isinstance(components, (list, tuple)):
            return []
        names = [type(component).__name__.lower() for component in components]
        counts = {name: names.count(name) for name in names}
        seen = dict.fromkeys(names, 0)
        named = []
        for name, component in zip(names, components, strict=True):
            if counts[name] > 1:
                seen[name] += 1
                name = f"{name}-{seen[name]}"
            named.append((name, component))
        return named

    def get_params(self, deep=True):
        """Parameters of the mixture and, with ``deep``, of its components.

        Parameters
        ----------
        deep : bool, default=True
            Also return every component under its name and its parameters as
            ``<name>__<parameter>``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=False)
        if not deep:
            return params
        for name, component in self._named_components():
            params[name] = component
            if hasattr(component, "get_params"):
                for key, value in component.get_params(deep=True).items():
                    params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set the parameters of the mixture or of its components.

        Parameters
        ----------
        **params : dict
            Parameters of the mixture (``components``, ``weights``, ``snr``,
            ``amplitude``), components to replace by name (``<name>=model``)
            and parameters of components (``<name>__<parameter>=value``).

        Returns
        -------
        self : NoiseMixture
            The mixture.
        """
        if "components" in params:
            super().set_params(components=params.pop("components"))
        names = [name for name, _ in self._named_components()]
        replaced = {key: params.pop(key) for key in list(params) if key in names}
        if replaced:
            # A new list: the caller's list is left as it was.
            components = list(self.components)
            for key, component in replaced.items():
                components[names.index(key)] = component
            self.components = components
        if params:
            super().set_params(**params)
        return self

    def _components(self):
        components = self.components
        if not isinstance(components, (list, tuple)) or len(components) == 0:
            raise ValueError(
                "NoiseMixture: components must be a non-empty list of noise models; "
                f"got {components!r}."
            )
        for i, component in enumerate(components):
            if not isinstance(component, BaseNoise):
                raise TypeError(
                    f"NoiseMixture: components[{i}] must be a noise model (a "
                    f"BaseNoise); got {component!r}."
                )
        return list(components)

    def _weights(self, n_series, n_components, rng):
        if self.weights is None:
            return rng.uniform(0.0, 1.0, size=(n_series, n_components))
        raw = np.asarray(self.weights, dtype=object)
        if any(isinstance(w, (bool, np.bool_)) for w in raw.reshape(-1)):
            # True is 1 to numpy: a mask given for weights would pass.
            raise TypeError(
                f"NoiseMixture: weights must be numbers, not bools; got "
                f"{self.weights!r}."
            )
        try:
            weights = np.asarray(self.weights, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"NoiseMixture: weights must be numbers; got {self.weights!r}."
            ) from exc
        if weights.shape != (n_components,):
            raise ValueError(
                f"NoiseMixture: weights must hold one value per component "
                f"({n_components}); got {self.weights!r}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.any():
            raise ValueError(
                "NoiseMixture: weights must be finite, non-negative and not all "
                f"zero; got {self.weights!r}."
            )
        return np.broadcast_to(weights, (n_series, n_components))

    def _combine(self, X, rng):
        components = self._components()
        # A component with an SNR target leaves a series of zeros without its
        # noise, but another component may give it some: the mixture says what
        # the series get (in _draw), not each component.
        with quiet_zero_series():
            parts = [component._draw(X, rng) for component in components]
        weights = self._weights(X.shape[0], len(components), rng)
        mixed = np.zeros(X.shape)
        for k, part in enumerate(parts):
            mixed += weights[:, k, np.newaxis, np.newaxis] * part
        return mixed

    def _check_sampleable(self, where="components"):
        """Refuse components (nested ones too) scaled against the clean series."""
        for i, component in enumerate(self._components()):
            name = f"{where}[{i}]"
            if component.snr is not None:
                raise ValueError(
                    f"NoiseMixture: {name} has snr={component.snr!r}, whose "
                    "scale depends on the clean series; use apply(X) instead of "
                    "sample(shape)."
                )
            if isinstance(component, NoiseMixture):
                component._check_sampleable(f"{name}.components")

    def _sample(self, shape, rng):
        self._check_sampleable()
        return self._combine(np.zeros(shape), rng)

    def _draw(self, X, rng):
        target = self._check_snr()
        mixed = self._combine(X, rng)
        if target is None:
            _warn_zero_series_without_noise(X, mixed)
        return scale_noise(X, mixed, target, self.amplitude, rng)
