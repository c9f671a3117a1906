"""Synthetic clean series: waveforms, Donoho-Johnstone test signals, ECG."""

import numbers

import numpy as np
from sklearn.base import clone

from .._validation import check_finite_scalar, check_range
from ..noise import BaseNoise, WhiteNoise
from ..noise._base import _check_count, _check_positive, _rng, other_rate_advice

__all__ = [
    "make_sines",
    "make_chirps",
    "make_square_waves",
    "make_sawtooth_waves",
    "make_donoho_johnstone",
    "make_ecg",
    "make_denoising_dataset",
    "DONOHO_JOHNSTONE_KINDS",
]


def _check_shape(n_series, n_timesteps):
    return (
        _check_count(n_series, "n_series", 1),
        _check_count(n_timesteps, "n_timesteps", 1),
    )


def _draw(rng, value_range, size):
    return rng.uniform(value_range[0], value_range[1], size=size)


def _unit_time(n_timesteps):
    """Time in windows: ``t = i / n_timesteps`` as a row for broadcasting."""
    return (np.arange(n_timesteps) / n_timesteps)[np.newaxis, :]


def make_sines(
    n_series=100,
    n_timesteps=512,
    *,
    n_components=3,
    frequency_range=(1.0, 10.0),
    amplitude_range=(0.5, 1.5),
    random_state=None,
):
    """Sums of sinusoids with random frequency, phase and amplitude.

    Parameters
    ----------
    n_series : int, default=100
        Number of series.
    n_timesteps : int, default=512
        Length of each series.
    n_components : int, default=3
        Sinusoids per series.
    frequency_range : (float, float), default=(1.0, 10.0)
        Frequencies are drawn uniformly from this range, in cycles per series
        (``n_timesteps`` samples).
    amplitude_range : (float, float), default=(0.5, 1.5)
        Amplitudes are drawn uniformly from this range.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator; phases are uniform in ``[0, 2 pi)``.

    Returns
    -------
    X : ndarray of shape (n_series, n_timesteps)

    Examples
    --------
    >>> from skdenoise.datasets import make_sines
    >>> X = make_sines(4, 128, random_state=0)
    >>> X.shape
    (4, 128)
    """
    n_series, n_timesteps = _check_shape(n_series, n_timesteps)
    n_components = _check_count(n_components, "n_components", 1)
    frequency_range = check_range(frequency_range, "frequency_range")
    amplitude_range = check_range(amplitude_range, "amplitude_range")
    rng = _rng(random_state)
    size = (n_series, n_components)
    frequencies = _draw(rng, frequency_range, size)
    phases = rng.uniform(0.0, 2.0 * np.pi, size=size)
    amplitudes = _draw(rng, amplitude_range, size)
    t = _unit_time(n_timesteps)
    out = np.zeros((n_series, n_timesteps))
    for k in range(n_components):
        out += amplitudes[:, k, None] * np.sin(
            2.0 * np.pi * frequencies[:, k, None] * t + phases[:, k, None]
        )
    return out


def make_chirps(
    n_series=100,
    n_timesteps=512,
    *,
    frequency_range=(1.0, 20.0),
    amplitude_range=(0.5, 1.5),
    random_state=None,
):
    """Linear chirps: sinusoids whose frequency sweeps linearly in time.

    Each series draws a start and an end frequency uniformly from
    ``frequency_range`` (so it sweeps up or down), a phase and an amplitude.

    Parameters
    ----------
    n_series : int, default=100
        Number of series.
    n_timesteps : int, default=512
        Length of each series.
    frequency_range : (float, float), default=(1.0, 20.0)
        Range of the instantaneous frequency, in cycles per series.
    amplitude_range : (float, float), default=(0.5, 1.5)
        Amplitudes are drawn uniformly from this range.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator.

    Returns
    -------
    X : ndarray of shape (n_series, n_timesteps)

    Examples
    --------
    >>> from skdenoise.datasets import make_chirps
    >>> make_chirps(3, 64, random_state=0).shape
    (3, 64)
    """
    n_series, n_timesteps = _check_shape(n_series, n_timesteps)
    frequency_range = check_range(frequency_range, "frequency_range")
    amplitude_range = check_range(amplitude_range, "amplitude_range")
    rng = _rng(random_state)
    start = _draw(rng, frequency_range, (n_series, 1))
    stop = _draw(rng, frequency_range, (n_series, 1))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(n_series, 1))
    amplitude = _draw(rng, amplitude_range, (n_series, 1))
    t = _unit_time(n_timesteps)
    return amplitude * np.sin(
        2.0 * np.pi * (start * t + (stop - start) * t**2 / 2) + phase
    )


def _periodic_phase(n_series, n_timesteps, frequency_range, amplitude_range, rng):
    """Fractional phase in [0, 1) and amplitude of random periodic waves."""
    frequency_range = check_range(frequency_range, "frequency_range")
    amplitude_range = check_range(amplitude_range, "amplitude_range")
    frequency = _draw(rng, frequency_range, (n_series, 1))
    offset = rng.uniform(0.0, 1.0, size=(n_series, 1))
    amplitude = _draw(rng, amplitude_range, (n_series, 1))
    return np.mod(frequency * _unit_time(n_timesteps) + offset, 1.0), amplitude


def make_square_waves(
    n_series=100,
    n_timesteps=512,
    *,
    frequency_range=(1.0, 10.0),
    duty_cycle=0.5,
    amplitude_range=(0.5, 1.5),
    random_state=None,
):
    """Square waves with random frequency, phase and amplitude.

    Parameters
    ----------
    n_series : int, default=100
        Number of series.
    n_timesteps : int, default=512
        Length of each series.
    frequency_range : (float, float), default=(1.0, 10.0)
        Frequencies are drawn uniformly from this range, in cycles per series.
    duty_cycle : float, default=0.5
        Fraction of each period at ``+amplitude``, in [0, 1]; the rest is at
        ``-amplitude``.
    amplitude_range : (float, float), default=(0.5, 1.5)
        Amplitudes are drawn uniformly from this range.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator.

    Returns
    -------
    X : ndarray of shape (n_series, n_timesteps)

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.datasets import make_square_waves
    >>> X = make_square_waves(2, 100, amplitude_range=(1.0, 1.0), random_state=0)
    >>> np.unique(X)
    array([-1.,  1.])
    """
    n_series, n_timesteps = _check_shape(n_series, n_timesteps)
    duty_cycle = check_finite_scalar(duty_cycle, "duty_cycle")
    if not 0.0 <= duty_cycle <= 1.0:
        raise ValueError(f"duty_cycle must be in [0, 1]; got {duty_cycle!r}.")
    phase, amplitude = _periodic_phase(
        n_series, n_timesteps, frequency_range, amplitude_range, _rng(random_state)
    )
    return amplitude * np.where(phase < duty_cycle, 1.0, -1.0)


def make_sawtooth_waves(
    n_series=100,
    n_timesteps=512,
    *,
    frequency_range=(1.0, 10.0),
    amplitude_range=(0.5, 1.5),
    random_state=None,
):
    """Rising sawtooth waves with random frequency, phase and amplitude.

    Each period rises linearly from ``-amplitude`` to ``+amplitude`` and drops
    back.

    Parameters
    ----------
    n_series : int, default=100
        Number of series.
    n_timesteps : int, default=512
        Length of each series.
    frequency_range : (float, float), default=(1.0, 10.0)
        Frequencies are drawn uniformly from this range, in cycles per series.
    amplitude_range : (float, float), default=(0.5, 1.5)
        Amplitudes are drawn uniformly from this range.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator.

    Returns
    -------
    X : ndarray of shape (n_series, n_timesteps)

    Examples
    --------
    >>> from skdenoise.datasets import make_sawtooth_waves
    >>> X = make_sawtooth_waves(2, 100, random_state=0)
    >>> bool(abs(X).max() <= 1.5)
    True
    """
    n_series, n_timesteps = _check_shape(n_series, n_timesteps)
    phase, amplitude = _periodic_phase(
        n_series, n_timesteps, frequency_range, amplitude_range, _rng(random_state)
    )
    return amplitude * (2.0 * phase - 1.0)


# Donoho & Johnstone (1994), "Ideal spatial adaptation by wavelet shrinkage",
# Biometrika 81(3): positions, heights and widths of blocks and bumps.
_DJ_POSITIONS = np.array(
    [0.1, 0.13, 0.15, 0.23, 0.25, 0.40, 0.44, 0.65, 0.76, 0.78, 0.81]
)
_DJ_BLOCK_HEIGHTS = np.array([4, -5, 3, -4, 5, -4.2, 2.1, 4.3, -3.1, 2.1, -4.2])
_DJ_BUMP_HEIGHTS = np.array([4, 5, 3, 4, 5, 4.2, 2.1, 4.3, 3.1, 5.1, 4.2])
_DJ_BUMP_WIDTHS = np.array(
    [0.005, 0.005, 0.006, 0.01, 0.01, 0.03, 0.01, 0.01, 0.005, 0.008, 0.005]
)

#: Names accepted by :func:`make_donoho_johnstone`.
DONOHO_JOHNSTONE_KINDS = ("blocks", "bumps", "heavisine", "doppler")


def _donoho_johnstone(kind, t):
    if kind == "blocks":
        steps = (1.0 + np.sign(t[:, None] - _DJ_POSITIONS)) / 2.0
        return steps @ _DJ_BLOCK_HEIGHTS
    if kind == "bumps":
        scaled = np.abs((t[:, None] - _DJ_POSITIONS) / _DJ_BUMP_WIDTHS)
        return (1.0 + scaled) ** -4 @ _DJ_BUMP_HEIGHTS
    if kind == "heavisine":
        return 4.0 * np.sin(4.0 * np.pi * t) - np.sign(t - 0.3) - np.sign(0.72 - t)
    epsilon = 0.05
    return np.sqrt(t * (1.0 - t)) * np.sin(
        2.0 * np.pi * (1.0 + epsilon) / (t + epsilon)
    )


def make_donoho_johnstone(
    kind="blocks",
    n_timesteps=1024,
    *,
    n_series=1,
    random_shift=False,
    random_state=None,
):
    """The Donoho-Johnstone test signals: blocks, bumps, heavisine, doppler.

    The functions of Donoho and Johnstone (1994), sampled at ``t_i = i / n``
    for ``i = 1, ..., n`` on ``(0, 1]`` (as WaveLab's ``MakeSignal``), without
    rescaling:

    - blocks: ``sum_j h_j K(t - t_j)`` with ``K(t) = (1 + sgn(t)) / 2``;
    - bumps: ``sum_j h_j K((t - t_j) / w_j)`` with ``K(t) = (1 + |t|)**-4``;
    - heavisine: ``4 sin(4 pi t) - sgn(t - 0.3) - sgn(0.72 - t)``;
    - doppler: ``sqrt(t (1 - t)) sin(2 pi (1 + e) / (t + e))`` with ``e = 0.05``.

    Parameters
    ----------
    kind : {"blocks", "bumps", "heavisine", "doppler"}, default="blocks"
        Which signal.
    n_timesteps : int, default=1024
        Number of samples.
    n_series : int, default=1
        Number of rows of the output.
    random_shift : bool, default=False
        Circularly shift each row by a random number of samples (a varied
        training set); all rows are identical otherwise.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator for the shifts.

    Returns
    -------
    X : ndarray of shape (n_series, n_timesteps)

    References
    ----------
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet
    shrinkage", Biometrika 81(3):425-455, 1994.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.datasets import make_donoho_johnstone
    >>> np.round(make_donoho_johnstone("blocks", 10), 2)
    array([[2. , 2. , 3. , 0.9, 0.9, 0.9, 5.2, 4.2, 0. , 0. ]])
    >>> make_donoho_johnstone("doppler", 512, n_series=3).shape
    (3, 512)
    """
    if kind not in DONOHO_JOHNSTONE_KINDS:
        raise ValueError(f"kind must be one of {DONOHO_JOHNSTONE_KINDS}; got {kind!r}.")
    n_series, n_timesteps = _check_shape(n_series, n_timesteps)
    if not isinstance(random_shift, (bool, np.bool_)):
        raise TypeError(f"random_shift must be True or False; got {random_shift!r}.")
    t = np.arange(1, n_timesteps + 1) / n_timesteps
    signal = _donoho_johnstone(kind, t)
    out = np.tile(signal, (n_series, 1))
    if random_shift:
        shifts = _rng(random_state).integers(0, n_timesteps, size=n_series)
        index = (np.arange(n_timesteps)[None, :] - shifts[:, None]) % n_timesteps
        out = signal[index]
    return out


# McSharry et al. (2003), Table 1: angle (rad), height and width of the P, Q,
# R, S and T events.
_ECG_ANGLES = np.array([-np.pi / 3, -np.pi / 12, 0.0, np.pi / 12, np.pi / 2])
_ECG_HEIGHTS = np.array([1.2, -5.0, 30.0, -7.5, 0.75])
_ECG_WIDTHS = np.array([0.25, 0.1, 0.1, 0.1, 0.4])
# Model units to mV: the R peak of a 60 bpm beat is 1 mV above the TP segment.
_ECG_MV = 1.0 / 0.04774
# Bimodal RR spectrum: Mayer waves and respiratory sinus arrhythmia (Hz).
_RR_LF, _RR_HF, _RR_WIDTH = 0.1, 0.25, 0.01


def _rr_tachogram(rng, n_series, n_seconds, mean_rr, std_rr, lf_hf_ratio):
    """RR intervals sampled at 1 Hz with the paper's bimodal spectrum."""
    n = max(256, int(2 ** np.ceil(np.log2(n_seconds + 2))))
    freqs = np.fft.rfftfreq(n)
    power = lf_hf_ratio * np.exp(-((freqs - _RR_LF) ** 2) / (2 * _RR_WIDTH**2))
    power += np.exp(-((freqs - _RR_HF) ** 2) / (2 * _RR_WIDTH**2))
    phases = rng.uniform(0.0, 2.0 * np.pi, size=(n_series, freqs.size))
    series = np.fft.irfft(np.sqrt(power) * np.exp(1j * phases), n=n, axis=1)
    series -= series.mean(axis=1, keepdims=True)
    std = series.std(axis=1, keepdims=True)
    series = np.divide(series, std, out=np.zeros_like(series), where=std > 0)
    rr = mean_rr[:, None] + std_rr[:, None] * series
    return np.maximum(rr, 0.2 * mean_rr[:, None])


def _ecg_forcing(theta, angles, heights, widths):
    """The z-equation's event sum ``-sum_i a_i dtheta_i exp(-dtheta_i^2/2b_i^2)``."""
    delta = np.mod(theta[..., None] - angles + np.pi, 2.0 * np.pi) - np.pi
    return -np.sum(heights * delta * np.exp(-0.5 * (delta / widths) ** 2), axis=-1)


def _ecg_steady_z(theta0, omega0, angles, heights, widths, n_points=1000):
    """The value of z at ``theta0`` on the periodic orbit for a constant ``omega0``.

    Starting there avoids the slow (1 s time constant) transient of z.
    """
    period = 2.0 * np.pi / omega0
    s = np.linspace(-1.0, 0.0, n_points + 1)[None, :] * period[:, None]
    theta = theta0[:, None] + omega0[:, None] * s
    forcing = _ecg_forcing(theta, angles[:, None], heights, widths[:, None])
    integrand = np.exp(s) * forcing
    integral = np.sum(integrand[:, 1:] + integrand[:, :-1], axis=1) * (
        period / (2 * n_points)
    )
    return integral / (1.0 - np.exp(-period))


def make_ecg(
    n_series=100,
    n_timesteps=512,
    *,
    sampling_rate=360.0,
    heart_rate=60.0,
    heart_rate_std=1.0,
    lf_hf_ratio=0.5,
    random_state=None,
):
    """Synthetic ECG from the dynamical model of McSharry et al. (2003).

    A point ``(x, y, z)`` follows three coupled ordinary differential
    equations::

        dx/dt = a x - w y
        dy/dt = a y + w x
        dz/dt = -sum_i a_i dtheta_i exp(-dtheta_i**2 / (2 b_i**2)) - z

    with ``a = 1 - sqrt(x**2 + y**2)``, ``theta = atan2(y, x)``,
    ``dtheta_i = (theta - theta_i)`` wrapped to ``[-pi, pi)`` and the paper's
    P, Q, R, S, T events: ``theta_i = (-pi/3, -pi/12, 0, pi/12, pi/2)``,
    ``a_i = (1.2, -5, 30, -7.5, 0.75)``, ``b_i = (0.25, 0.1, 0.1, 0.1, 0.4)``.
    As in the paper's implementation, the widths are multiplied by
    ``sqrt(h)`` and the P, Q, S, T angles by ``h**0.25``, ``sqrt(h)``,
    ``sqrt(h)``, ``h**0.25``, with ``h = heart_rate / 60``, so that the waves
    narrow at faster rates. The angular velocity is ``w(t) = 2 pi / RR(t)``,
    with the RR tachogram drawn (per series) from the paper's bimodal spectrum:
    Gaussian peaks at 0.1 Hz (Mayer waves) and 0.25 Hz (respiratory sinus
    arrhythmia), 0.01 Hz wide, with power ratio ``lf_hf_ratio``, sampled at
    1 Hz and interpolated linearly. The baseline ``z0`` of the paper is 0 here
    (baseline wander is a noise model: :class:`~skdenoise.noise.BaselineWander`).

    The system is integrated with a fixed-step fourth-order Runge-Kutta scheme
    (at least 360 steps per second), vectorised over the series, starting at a
    random phase on the limit cycle with ``z`` on its periodic orbit, so the
    output has no start-up transient. ``z`` is shifted so that the isoelectric
    line (the TP segment, ``theta = pi``, of the series' mean rate) is at 0 mV
    and scaled so that the R peak of a 60 bpm beat is 1 mV (the S wave then
    reaches about -0.22 mV). That holds from about 100 Hz: below, the waves
    are sampled at points that may miss the R peak (at 20 Hz the beats' maxima
    range from 0.37 to 1 mV).

    Parameters
    ----------
    n_series : int, default=100
        Number of series.
    n_timesteps : int, default=512
        Samples per series.
    sampling_rate : float, default=360.0
        Sampling rate in Hz.
    heart_rate : float or (float, float), default=60.0
        Mean heart rate in beats per minute, or a ``(low, high)`` range from
        which each series draws its own, in (20, 250].
    heart_rate_std : float, default=1.0
        Standard deviation of the heart rate in beats per minute (heart rate
        variability), at most a sixth of the (lowest) ``heart_rate``; 0
        gives a constant rate. It is that of the RR tachogram
        at 1 Hz, which is interpolated between its samples: the rates of the
        generated beats vary about 15 % less at the default ``lf_hf_ratio``
        (less at a higher one, whose slower changes the interpolation keeps).
    lf_hf_ratio : float, default=0.5
        Ratio of the low-frequency (0.1 Hz) to the high-frequency (0.25 Hz)
        power of the RR tachogram.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator.

    Returns
    -------
    X : ndarray of shape (n_series, n_timesteps)
        ECG in mV.

    References
    ----------
    P. E. McSharry, G. D. Clifford, L. Tarassenko and L. A. Smith, "A dynamical
    model for generating synthetic electrocardiogram signals", IEEE
    Transactions on Biomedical Engineering 50(3):289-294, 2003.

    Examples
    --------
    >>> from skdenoise.datasets import make_ecg
    >>> X = make_ecg(2, 720, random_state=0)
    >>> X.shape
    (2, 720)
    >>> bool(0.9 < X.max() < 1.1)
    True
    """
    n_series, n_timesteps = _check_shape(n_series, n_timesteps)
    fs = _check_positive(sampling_rate, "sampling_rate")
    low, high = check_range(heart_rate, "heart_rate")
    if low <= 20 or high > 250:
        raise ValueError(f"heart_rate must be in (20, 250] bpm; got {heart_rate!r}.")
    if fs < 2 * high / 60.0:
        # Fewer than two samples a beat is aliasing, at a cost that grows as
        # the rate falls (the model is integrated at 360 steps a second).
        raise ValueError(
            f"sampling_rate={fs:g} Hz gives fewer than two samples per beat at "
            f"{high:g} bpm; an ECG needs at least {2 * high / 60.0:g} Hz here "
            "(and some 100 Hz to show its QRS complexes)."
        )
    hr_std = _check_positive(heart_rate_std, "heart_rate_std", allow_zero=True)
    if hr_std > low / 6.0:
        # The RR intervals spread by heart_rate_std / heart_rate of their mean
        # (clipped at 0.2 of it): a wider spread moved the mean rate (66 bpm
        # for 60 +- 20) and gave beats above 250 bpm.
        raise ValueError(
            f"heart_rate_std={hr_std:g} bpm is more than a sixth of the heart "
            f"rate ({low:g} bpm): beats three deviations fast would come at "
            f"twice the rate, and the mean rate would drift. Pass at most "
            f"{low / 6.0:.4g}."
        )
    lf_hf_ratio = _check_positive(lf_hf_ratio, "lf_hf_ratio", allow_zero=True)
    rng = _rng(random_state)

    hr = _draw(rng, (low, high), n_series)
    factor = np.sqrt(hr / 60.0)[:, None]
    angles = _ECG_ANGLES * np.hstack(
        [np.sqrt(factor), factor, np.ones_like(factor), factor, np.sqrt(factor)]
    )
    widths = _ECG_WIDTHS * factor
    heights = _ECG_HEIGHTS

    substeps = int(np.ceil(360.0 / fs))
    h = 1.0 / (fs * substeps)
    n_steps = (n_timesteps - 1) * substeps
    mean_rr = 60.0 / hr
    rr = _rr_tachogram(
        rng, n_series, n_steps * h, mean_rr, 60.0 * hr_std / hr**2, lf_hf_ratio
    )
    # Angular velocity at every half step, by linear interpolation of RR.
    half_times = np.arange(2 * n_steps + 1) * (h / 2.0)
    index = np.minimum(half_times.astype(np.int64), rr.shape[1] - 2)
    fraction = half_times - index
    omega = 2.0 * np.pi / (rr[:, index] * (1 - fraction) + rr[:, index + 1] * fraction)

    theta0 = rng.uniform(-np.pi, np.pi, size=n_series)
    x, y = np.cos(theta0), np.sin(theta0)
    z = _ecg_steady_z(theta0, omega[:, 0], angles, heights, widths)

    def derivative(x, y, z, w):
        radial = 1.0 - np.sqrt(x * x + y * y)
        dz = _ecg_forcing(np.arctan2(y, x), angles, heights, widths) - z
        return radial * x - w * y, radial * y + w * x, dz

    out = np.empty((n_series, n_timesteps))
    out[:, 0] = z
    for step in range(n_steps):
        w_start, w_mid, w_end = omega[:, 2 * step : 2 * step + 3].T
        k1 = derivative(x, y, z, w_start)
        k2 = derivative(x + h / 2 * k1[0], y + h / 2 * k1[1], z + h / 2 * k1[2], w_mid)
        k3 = derivative(x + h / 2 * k2[0], y + h / 2 * k2[1], z + h / 2 * k2[2], w_mid)
        k4 = derivative(x + h * k3[0], y + h * k3[1], z + h * k3[2], w_end)
        x = x + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        y = y + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        z = z + h / 6 * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2])
        if (step + 1) % substeps == 0:
            out[:, (step + 1) // substeps] = z
    isoelectric = _ecg_steady_z(
        np.full(n_series, np.pi), 2.0 * np.pi * hr / 60.0, angles, heights, widths
    )
    return (out - isoelectric[:, None]) * _ECG_MV


_GENERATORS = {
    "ecg": make_ecg,
    "sines": make_sines,
    "chirps": make_chirps,
    "square_waves": make_square_waves,
    "sawtooth_waves": make_sawtooth_waves,
}


def make_denoising_dataset(
    kind="ecg",
    n_series=100,
    n_timesteps=512,
    *,
    noise=None,
    snr=None,
    random_state=None,
    **generator_params,
):
    """Noisy inputs and clean targets, ready for ``fit(X_noisy, y_clean)``.

    Parameters
    ----------
    kind : str, default="ecg"
        Clean signal: ``"ecg"`` (:func:`make_ecg`), ``"sines"``, ``"chirps"``,
        ``"square_waves"``, ``"sawtooth_waves"``, or a Donoho-Johnstone signal
        (``"blocks"``, ``"bumps"``, ``"heavisine"``, ``"doppler"``, randomly
        shifted per series).
    n_series : int, default=100
        Number of series.
    n_timesteps : int, default=512
        Length of each series.
    noise : BaseNoise or None, default=None
        Noise model; None is :class:`~skdenoise.noise.WhiteNoise`.
    snr : float, (float, float) or None, default=None
        Target SNR in dB (or a range drawn per series). When given it replaces
        the noise model's ``snr`` (on a clone; ``noise`` is left unchanged).
        None keeps the model's own setting, and 6 dB for the default white noise.
    random_state : int, numpy Generator, RandomState or None, default=None
        Seed or generator for the clean series and the noise.
    **generator_params
        Passed to the generator, for example ``heart_rate=80`` for ``"ecg"``.

    Returns
    -------
    X_noisy : ndarray of shape (n_series, n_timesteps)
        Clean series plus noise.
    y_clean : ndarray of shape (n_series, n_timesteps)
        The clean series.

    Examples
    --------
    >>> from skdenoise.datasets import make_denoising_dataset
    >>> from skdenoise.metrics import snr
    >>> X, y = make_denoising_dataset("sines", 8, 256, snr=3.0, random_state=0)
    >>> X.shape, round(snr(y, X), 6)
    ((8, 256), 3.0)
    """
    kinds = tuple(_GENERATORS) + DONOHO_JOHNSTONE_KINDS
    if not isinstance(kind, str) or kind not in kinds:
        raise ValueError(f"kind must be one of {kinds}; got {kind!r}.")
    if kind in DONOHO_JOHNSTONE_KINDS:
        params = {"random_shift": True, **generator_params}

        def generator(n_series, n_timesteps, random_state, **params):
            return make_donoho_johnstone(
                kind,
                n_timesteps,
                n_series=n_series,
                random_state=random_state,
                **params,
            )
    else:
        generator, params = _GENERATORS[kind], generator_params
    if noise is None:
        noise = WhiteNoise(snr=6.0 if snr is None else snr)
    elif not isinstance(noise, BaseNoise):
        raise TypeError(
            f"noise must be a noise model (skdenoise.noise.BaseNoise) or None; got "
            f"{noise!r}."
        )
    elif snr is not None:
        noise = clone(noise).set_params(snr=snr)
    _check_noise_rate(noise, generator, params)
    rng = _rng(random_state)
    # The noise's own checks (its snr, a mixture's components) before the
    # clean series are made: a long ECG takes seconds to make for nothing.
    noise._check_snr()
    if isinstance(n_timesteps, numbers.Integral) and n_timesteps > 0:
        noise.sample((1, int(n_timesteps)), random_state=0)
    clean = generator(n_series, n_timesteps, random_state=rng, **params)
    return noise.apply(clean, random_state=rng), clean


def _noise_models(noise):
    """``noise`` and the noise models inside it (mixtures hold components).

    Only noise models: what else a mixture holds is its own check's to name.
    """
    if not isinstance(noise, BaseNoise):
        return
    yield noise
    components = getattr(noise, "components", None)
    if isinstance(components, (list, tuple)):
        for component in components:
            yield from _noise_models(component)


def _check_noise_rate(noise, generator, params):
    """A noise with a sampling rate must have the signal's, or its spectrum is off."""
    import inspect

    default = inspect.signature(generator).parameters.get("sampling_rate")
    if "sampling_rate" in params:
        rate = params["sampling_rate"]
    elif default is not None and default.default is not inspect.Parameter.empty:
        rate = default.default
    else:
        return  # the signal has no sampling rate
    rate = _as_rate(rate)
    if rate is None:
        return  # the generator names the bad value
    for model in _noise_models(noise):
        own = _as_rate(model.get_params(deep=False).get("sampling_rate"))
        if own is not None and own != rate:
            raise ValueError(
                f"The series are made at sampling_rate={float(rate):g} Hz but the "
                f"noise model {type(model).__name__} has sampling_rate="
                f"{float(own):g}, so its frequencies would be wrong by a factor of "
                f"{float(rate) / float(own):.3g}. "
                f"{other_rate_advice(model, float(rate))}, or make the "
                f"series at {float(own):g} Hz."
            )


def _as_rate(value):
    """``value`` as a positive float, or None when it is None or not a valid rate.

    Invalid rates are left to the generator or the noise model, which name them.
    """
    try:
        rate = check_finite_scalar(value, "sampling_rate")
    except (TypeError, ValueError):
        return None
    return rate if rate > 0 else None
