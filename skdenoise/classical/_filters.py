"""Classical (non-learned) denoisers with the API of the package's denoisers.

Every estimator here is a scikit-learn transformer that filters each series and
channel along the time axis. ``fit`` only validates the input and records its
shape (and, where relevant, designs the filter); the denoising itself happens in
``transform``, vectorised over series and channels.
"""

import math
from numbers import Integral, Real

import numpy as np
import pywt
from scipy import ndimage, signal
from sklearn.utils._param_validation import Interval, StrOptions

from .._series import power_of_two_scale
from ..base import BaseDenoiser, SeriesTransformerMixin

__all__ = [
    "WaveletDenoiser",
    "BandpassDenoiser",
    "SavitzkyGolayDenoiser",
    "WienerDenoiser",
    "MedianDenoiser",
]

#: Ratio between the median absolute value and the standard deviation of a
#: zero-mean Gaussian, used by the MAD noise estimate.
_MAD_TO_SIGMA = 0.6745

#: Largest number of decomposition levels chosen when ``level=None``.
_DEFAULT_MAX_LEVEL = 5


def _check_odd_window(estimator, window_length):
    if window_length % 2 == 0:
        raise ValueError(
            f"window_length of {type(estimator).__name__} must be an odd integer "
            f"so that the window is centred on each sample; got {window_length}."
        )


# --------------------------------------------------------------------------- #
# Wavelet shrinkage
# --------------------------------------------------------------------------- #


def _mad_sigma(coefficients):
    """Noise level ``median(|d|) / 0.6745`` per series and channel."""
    return np.median(np.abs(coefficients), axis=1, keepdims=True) / _MAD_TO_SIGMA


def _universal_threshold(detail, sigma, n_samples):
    return sigma * math.sqrt(2.0 * math.log(n_samples))


def _bayes_threshold(detail, sigma, n_samples):
    signal_var = np.mean(detail**2, axis=1, keepdims=True) - sigma**2
    sigma_x = np.sqrt(np.maximum(signal_var, 0.0))
    kill_all = np.max(np.abs(detail), axis=1, keepdims=True)
    ratio = np.divide(sigma**2, sigma_x, out=np.zeros_like(sigma_x), where=sigma_x > 0)
    return np.where(sigma_x > 0, ratio, kill_all)


def _sure_threshold(detail, sigma, n_samples):
    m = detail.shape[1]
    scaled = np.divide(detail, sigma, out=np.zeros_like(detail), where=sigma > 0)
    squares = np.sort(scaled**2, axis=1)
    cumulative = np.cumsum(squares, axis=1)
    k = np.arange(m).reshape(1, -1, 1)
    # Stein's unbiased risk of soft thresholding at t**2 = squares[k]:
    # m - 2 #{|x| <= t} + sum(min(x**2, t**2)).
    risk = m - 2.0 * (k + 1) + cumulative + (m - k - 1) * squares
    best = np.argmin(risk, axis=1, keepdims=True)
    best_risk = np.take_along_axis(risk, best, axis=1)
    best_t = np.sqrt(np.take_along_axis(squares, best, axis=1))
    best_t = np.where(best_risk < m, best_t, 0.0)
    t_universal = math.sqrt(2.0 * math.log(m)) if m > 1 else 0.0
    energy = (cumulative[:, -1:, :] - m) / m
    sparse = energy <= math.log2(m) ** 1.5 / math.sqrt(m)
    t = np.where(sparse, t_universal, np.minimum(best_t, t_universal))
    return np.where(sigma > 0, t * sigma, 0.0)


_THRESHOLD_RULES = {
    "universal": _universal_threshold,
    "bayes": _bayes_threshold,
    "sure": _sure_threshold,
}


class WaveletDenoiser(SeriesTransformerMixin, BaseDenoiser):
    """Wavelet shrinkage denoiser (VisuShrink, BayesShrink or SureShrink).

    Each series and channel is decomposed with the discrete wavelet transform,
    its detail coefficients are thresholded level by level, and the series is
    reconstructed. The approximation coefficients are kept unchanged.

    Parameters
    ----------
    wavelet : str, default="sym8"
        Name of a discrete wavelet known to PyWavelets
        (``pywt.wavelist(kind="discrete")``), e.g. ``"db4"``, ``"sym8"``,
        ``"coif3"``, ``"haar"``.
    level : int or None, default=None
        Number of decomposition levels. ``None`` uses
        ``min(pywt.dwt_max_level(n_timesteps, filter_length), 5)``. A level
        above ``pywt.dwt_max_level`` is lowered to it, so that no level
        consists only of boundary coefficients; the level used is stored in
        ``level_``.
    threshold : {"universal", "bayes", "sure"}, default="universal"
        Threshold rule, applied per series, channel and level:

        - ``"universal"`` (VisuShrink): ``sigma * sqrt(2 log n_timesteps)``,
          the same for every level with ``noise_estimate="finest"`` (with
          ``"level"``, ``sigma`` and so the threshold are the level's own);
        - ``"bayes"`` (BayesShrink): ``sigma**2 / sigma_x`` with
          ``sigma_x = sqrt(max(mean(d**2) - sigma**2, 0))`` the estimated
          standard deviation of the signal's coefficients ``d`` of the level;
          when ``sigma_x`` is 0 the whole level is set to zero;
        - ``"sure"`` (SureShrink): the threshold minimising Stein's unbiased
          risk estimate of soft thresholding for the level, capped at the
          universal threshold of the level; for levels whose coefficients
          carry little energy above the noise, the universal threshold
          ``sigma * sqrt(2 log m)`` (``m`` coefficients) is used instead.
    mode : {"soft", "hard"}, default="soft"
        Soft thresholding shrinks the coefficients above the threshold towards
        zero by the threshold; hard thresholding keeps them unchanged.
    noise_estimate : {"finest", "level"}, default="finest"
        How the noise standard deviation ``sigma`` is estimated, per series
        and channel: ``"finest"`` uses ``median(|d1|) / 0.6745`` of the finest
        detail coefficients for every level (white noise); ``"level"``
        estimates it separately on each level (coloured noise).
    signal_extension : str, default="symmetric"
        Signal extension mode of PyWavelets (``pywt.Modes.modes``), e.g.
        ``"symmetric"``, ``"periodization"``, ``"reflect"``, ``"zero"``.

    Attributes
    ----------
    wavelet_ : str
        The wavelet of ``fit``, which ``level_`` was chosen for (``transform``
        uses it until the next ``fit``).
    level_ : int
        Number of decomposition levels used; 0 when the series are too short
        for one level (fewer than ``2 * (filter_length - 1)`` samples:
        ``pywt.dwt_max_level(n, filter_length) == 0``), in which case
        ``transform`` returns the series unchanged.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit`` (1 for 2-D input).

    See Also
    --------
    BandpassDenoiser : Zero-phase Butterworth band-pass filter.
    SavitzkyGolayDenoiser : Local polynomial smoothing.
    WienerDenoiser : Local (adaptive) Wiener filter.
    MedianDenoiser : Moving median.

    Notes
    -----
    The noise level comes from the median absolute deviation of the detail
    coefficients, which is robust to the few large coefficients carried by
    the signal [1]_. The SURE threshold is derived for soft thresholding; with
    ``mode="hard"`` the same threshold is used. Reconstruction is cropped to
    the input length. Nothing is learned: ``fit`` only validates the input
    and fixes ``wavelet_`` and ``level_`` for the series length;
    ``threshold``, ``mode``, ``noise_estimate`` and ``signal_extension`` are
    read at each ``transform`` (set one after ``fit`` to try another rule on
    the same decomposition).

    References
    ----------
    .. [1] D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by
       wavelet shrinkage", Biometrika 81(3), 1994.
    .. [2] D. L. Donoho and I. M. Johnstone, "Adapting to unknown smoothness
       via wavelet shrinkage", JASA 90(432), 1995.
    .. [3] S. G. Chang, B. Yu and M. Vetterli, "Adaptive wavelet thresholding
       for image denoising and compression", IEEE TIP 9(9), 2000.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import WaveletDenoiser
    >>> from skdenoise.metrics import snr
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 512)
    >>> clean = np.tile(np.sin(2 * np.pi * 3 * t), (4, 1))
    >>> noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    >>> denoiser = WaveletDenoiser().fit(noisy)
    >>> denoiser.level_
    5
    >>> denoiser.transform(noisy).shape
    (4, 512)
    >>> bool(denoiser.score(noisy, clean) > snr(clean, noisy) + 5)
    True
    """

    # fit learns nothing from y: any y not shaped as X is ignored.
    _learns_from_target = False

    _parameter_constraints: dict = {
        "wavelet": [StrOptions(set(pywt.wavelist(kind="discrete")))],
        "level": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [StrOptions(set(_THRESHOLD_RULES))],
        "mode": [StrOptions({"soft", "hard"})],
        "noise_estimate": [StrOptions({"finest", "level"})],
        "signal_extension": [StrOptions(set(pywt.Modes.modes))],
    }

    _transform_params = ("threshold", "mode", "noise_estimate", "signal_extension")

    def __init__(
        self,
        wavelet="sym8",
        level=None,
        threshold="universal",
        mode="soft",
        noise_estimate="finest",
        signal_extension="symmetric",
    ):
        self.wavelet = wavelet
        self.level = level
        self.threshold = threshold
        self.mode = mode
        self.noise_estimate = noise_estimate
        self.signal_extension = signal_extension

    def _fit(self, X, y=None):
        self.wavelet_ = self.wavelet
        filter_length = pywt.Wavelet(self.wavelet).dec_len
        max_level = pywt.dwt_max_level(X.shape[1], filter_length)
        if self.level is None:
            self.level_ = min(max_level, _DEFAULT_MAX_LEVEL)
        else:
            self.level_ = min(self.level, max_level)

    def _transform(self, X):
        if self.level_ == 0:
            return X.copy()
        n_timesteps = X.shape[1]
        # Shrinkage is positively homogeneous: on the series divided by a power
        # of two (exact), the thresholds' squares neither overflow nor underflow.
        unit = power_of_two_scale(X)
        coeffs = pywt.wavedec(
            X / unit,
            self.wavelet_,
            mode=self.signal_extension,
            level=self.level_,
            axis=1,
        )
        rule = _THRESHOLD_RULES[self.threshold]
        sigma_finest = _mad_sigma(coeffs[-1])
        shrunk = [coeffs[0]]
        for detail in coeffs[1:]:
            sigma = (
                sigma_finest if self.noise_estimate == "finest" else _mad_sigma(detail)
            )
            t = rule(detail, sigma, n_timesteps)
            magnitude = np.abs(detail)
            if self.mode == "soft":
                shrunk.append(np.sign(detail) * np.maximum(magnitude - t, 0.0))
            else:
                shrunk.append(np.where(magnitude > t, detail, 0.0))
        rebuilt = pywt.waverec(
            shrunk, self.wavelet_, mode=self.signal_extension, axis=1
        )
        return rebuilt[:, :n_timesteps] * unit


# --------------------------------------------------------------------------- #
# Butterworth band-pass (+ notch)
# --------------------------------------------------------------------------- #


def _default_padlen(sos):
    """Padding that ``scipy.signal.sosfiltfilt`` uses by default."""
    n_zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * (2 * len(sos) + 1 - n_zeros)


class BandpassDenoiser(SeriesTransformerMixin, BaseDenoiser):
    """Zero-phase Butterworth band-pass filter with an optional notch.

    Parameters
    ----------
    sampling_rate : float, default=360.0
        Sampling frequency of the series in Hz (360 Hz is the MIT-BIH rate).
    low_cutoff : float or None, default=0.67
        Lower -3 dB edge in Hz (of the one-way filter). ``None`` makes the
        filter a low-pass at ``high_cutoff``. The default removes ECG baseline
        wander.
    high_cutoff : float or None, default=40.0
        Upper -3 dB edge in Hz (of the one-way filter). ``None`` makes the
        filter a high-pass at ``low_cutoff``. When both cut-offs are ``None``
        no band filtering is done (only the notch, if any).
    order : int, default=4
        Order of the Butterworth prototype; the band-pass has ``2 * order``
        poles.
    notch : float or None, default=None
        Frequency in Hz of a powerline notch (typically 50 or 60) applied in
        addition to the band filter. ``None`` disables it.
    notch_quality : float, default=30.0
        Quality factor of the notch: its -3 dB width is ``notch /
        notch_quality`` Hz.

    Attributes
    ----------
    sos_ : ndarray of shape (n_sections, 6)
        Second-order sections of the one-way filter (band filter followed by
        the notch); empty when no filtering is requested.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number (the filter learns nothing from the length).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit`` (1 for 2-D input).

    See Also
    --------
    WaveletDenoiser : Wavelet shrinkage.
    SavitzkyGolayDenoiser : Local polynomial smoothing.

    Notes
    -----
    The filter is run forwards and backwards with
    :func:`scipy.signal.sosfiltfilt`, so it has no phase distortion and its
    magnitude response is the square of the one-way response (the cut-offs
    are then -6 dB points). The series are extended at both ends by odd
    reflection of ``min(padlen, n_timesteps - 1)`` samples, with ``padlen``
    scipy's default ``3 * (2 * n_sections + 1)`` (minus the trivial
    sections); on series shorter than that the padding is shortened rather
    than failing, and a one-sample series is filtered without padding. Edge
    transients last about as long as the impulse response of the filter
    (a few seconds for the default 0.67 Hz high-pass edge), so on short series
    they dominate the result.

    The cut-offs must lie strictly between 0 and the Nyquist frequency
    ``sampling_rate / 2``, with ``low_cutoff < high_cutoff``; this is checked
    in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import BandpassDenoiser
    >>> t = np.arange(7200) / 360.0
    >>> clean = np.sin(2 * np.pi * 10 * t)[np.newaxis]
    >>> noisy = clean + 0.5 * np.sin(2 * np.pi * 0.1 * t) + 0.5 * np.sin(
    ...     2 * np.pi * 100 * t)
    >>> denoiser = BandpassDenoiser(sampling_rate=360.0, notch=50.0).fit(noisy)
    >>> denoiser.sos_.shape
    (5, 6)
    >>> out = denoiser.transform(noisy)
    >>> bool(np.abs(out - clean)[:, 1800:-1800].max() < 0.01)
    True
    """

    # fit learns nothing from y: any y not shaped as X is ignored.
    _learns_from_target = False

    _any_length = True

    _parameter_constraints: dict = {
        "sampling_rate": [Interval(Real, 0, None, closed="neither")],
        "low_cutoff": [Interval(Real, 0, None, closed="neither"), None],
        "high_cutoff": [Interval(Real, 0, None, closed="neither"), None],
        "order": [Interval(Integral, 1, None, closed="left")],
        "notch": [Interval(Real, 0, None, closed="neither"), None],
        "notch_quality": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        sampling_rate=360.0,
        low_cutoff=0.67,
        high_cutoff=40.0,
        order=4,
        notch=None,
        notch_quality=30.0,
    ):
        self.sampling_rate = sampling_rate
        self.low_cutoff = low_cutoff
        self.high_cutoff = high_cutoff
        self.order = order
        self.notch = notch
        self.notch_quality = notch_quality

    def _fit(self, X, y=None):
        fs = float(self.sampling_rate)
        nyquist = fs / 2.0
        for name in ("low_cutoff", "high_cutoff", "notch"):
            value = getattr(self, name)
            if value is not None and value >= nyquist:
                raise ValueError(
                    f"{name}={value} Hz must be below the Nyquist frequency "
                    f"sampling_rate / 2 = {nyquist} Hz."
                )
        low, high = self.low_cutoff, self.high_cutoff
        if low is not None and high is not None and low >= high:
            raise ValueError(
                f"low_cutoff={low} Hz must be below high_cutoff={high} Hz; use "
                "low_cutoff=None for a low-pass or high_cutoff=None for a "
                "high-pass filter."
            )
        sections = []
        if low is not None and high is not None:
            sections.append(
                signal.butter(
                    self.order, [low, high], btype="bandpass", fs=fs, output="sos"
                )
            )
        elif low is not None:
            sections.append(
                signal.butter(self.order, low, btype="highpass", fs=fs, output="sos")
            )
        elif high is not None:
            sections.append(
                signal.butter(self.order, high, btype="lowpass", fs=fs, output="sos")
            )
        if self.notch is not None:
            b, a = signal.iirnotch(self.notch, self.notch_quality, fs=fs)
            width = self.notch / self.notch_quality
            if width >= nyquist or np.max(np.abs(np.roots(a))) >= 1.0:
                # SciPy's design holds for a width below the Nyquist frequency;
                # past it the poles can leave the unit circle and the filter
                # diverges (to 1e80 on 200 samples).
                raise ValueError(
                    f"notch_quality={self.notch_quality} gives the notch at "
                    f"{self.notch} Hz a width notch / notch_quality = {width:.4g} "
                    f"Hz, which must be below the Nyquist frequency sampling_rate "
                    f"/ 2 = {nyquist} Hz (the filter is unstable or meaningless "
                    "there). Raise notch_quality (30 is usual for mains hum)."
                )
            sections.append(signal.tf2sos(b, a))
        self.sos_ = np.vstack(sections) if sections else np.empty((0, 6))
        if sections:
            try:
                # What sosfiltfilt solves for its initial conditions.
                signal.sosfilt_zi(self.sos_)
            except np.linalg.LinAlgError:
                raise ValueError(
                    f"BandpassDenoiser(low_cutoff={low}, high_cutoff={high}, "
                    f"order={self.order}) at sampling_rate={fs} Hz gives a filter "
                    "too close to singular to apply in float64 (a cut-off this far "
                    "below the sampling rate). Raise low_cutoff, or use "
                    "low_cutoff=None for no high-pass."
                ) from None

    def _transform(self, X):
        if len(self.sos_) == 0:
            return X.copy()
        # sosfilt needs writable coefficients; sos_ may be a read-only memmap
        sos = np.array(self.sos_, dtype=np.float64)
        padlen = min(_default_padlen(sos), X.shape[1] - 1)
        return signal.sosfiltfilt(sos, X, axis=1, padlen=padlen)


# --------------------------------------------------------------------------- #
# Moving-window filters
# --------------------------------------------------------------------------- #


class SavitzkyGolayDenoiser(SeriesTransformerMixin, BaseDenoiser):
    """Savitzky-Golay smoothing: a moving least-squares polynomial fit.

    Parameters
    ----------
    window_length : int, default=15
        Length of the moving window, in samples; must be odd.
    polyorder : int, default=3
        Degree of the polynomial fitted in each window; must be smaller than
        ``window_length``.
    mode : {"interp", "mirror", "nearest", "constant", "wrap"}, \
default="interp"
        Handling of the edges, as in :func:`scipy.signal.savgol_filter`:
        ``"interp"`` fits a polynomial to the first and last windows; the
        other modes extend the series.

    Attributes
    ----------
    window_length_ : int
        Window length used for series of the fitted length with the ``mode``
        of ``fit`` (see Notes; ``transform`` follows ``mode`` as it is).
    polyorder_ : int
        Polynomial degree used for series of the fitted length.
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit`` (1 for 2-D input).

    See Also
    --------
    WienerDenoiser : Local (adaptive) Wiener filter.
    MedianDenoiser : Moving median.

    Notes
    -----
    With ``mode="interp"`` the window cannot be longer than the series. For
    series shorter than ``window_length`` the largest odd window that fits
    is used instead, and ``polyorder`` is lowered to ``window_length_ - 1``
    when needed, in which case the fit interpolates every sample and the
    series is returned unchanged. The other modes accept any window length.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import SavitzkyGolayDenoiser
    >>> X = np.array([[0.0, 1.0, 4.0, 9.0, 16.0, 25.0, 36.0]])
    >>> denoiser = SavitzkyGolayDenoiser(window_length=5, polyorder=2)
    >>> np.round(denoiser.fit_transform(X), 6)
    array([[ 0.,  1.,  4.,  9., 16., 25., 36.]])
    >>> SavitzkyGolayDenoiser().fit(np.zeros((1, 4))).window_length_
    3
    """

    # fit learns nothing from y: any y not shaped as X is ignored.
    _learns_from_target = False

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "polyorder": [Interval(Integral, 0, None, closed="left")],
        "mode": [StrOptions({"interp", "mirror", "nearest", "constant", "wrap"})],
    }

    _transform_params = ("mode",)

    def __init__(self, window_length=15, polyorder=3, mode="interp"):
        self.window_length = window_length
        self.polyorder = polyorder
        self.mode = mode

    def _fit(self, X, y=None):
        _check_odd_window(self, self.window_length)
        if self.polyorder >= self.window_length:
            raise ValueError(
                f"polyorder={self.polyorder} must be smaller than "
                f"window_length={self.window_length}."
            )
        # The window and order asked for at fit (transform reads only mode as
        # it is now; window_length_ may be cut for "interp").
        self._fit_window_ = (int(self.window_length), int(self.polyorder))
        self.window_length_, self.polyorder_ = self._window(X.shape[1])

    def _window(self, n_timesteps):
        """The window and polynomial order for ``mode`` on series of this length.

        ``"interp"`` fits a polynomial to the first and last windows, so its
        window is cut to the (odd) length of shorter series.
        """
        # A denoiser saved before _fit_window_ existed: what fit chose.
        fitted = vars(self).get("_fit_window_")
        window, polyorder = fitted or (self.window_length_, self.polyorder_)
        if self.mode == "interp" and window > n_timesteps:
            window = n_timesteps if n_timesteps % 2 else n_timesteps - 1
        return window, min(polyorder, window - 1)

    def _transform(self, X):
        # From mode as it is now (it may have been set after fit).
        window, polyorder = self._window(X.shape[1])
        # The least-squares fits of "interp" square the series: beyond a quarter
        # of the dtype's exponent range (1e77 in float64) the filter runs on
        # the series divided by a power of two (exact; the filter is linear),
        # so that 1e300 does not overflow. Other series go to scipy as they are.
        limit = 2.0 ** (np.finfo(X.dtype).maxexp // 4)
        peak = np.max(np.abs(X)) if X.size else 0.0
        if 1 / limit <= peak <= limit or peak == 0:
            return signal.savgol_filter(X, window, polyorder, mode=self.mode, axis=1)
        unit = power_of_two_scale(X)
        smoothed = signal.savgol_filter(
            X / unit, window, polyorder, mode=self.mode, axis=1
        )
        return smoothed * unit


class WienerDenoiser(SeriesTransformerMixin, BaseDenoiser):
    """Local (adaptive) Wiener filter, as :func:`scipy.signal.wiener`.

    Each sample is pulled towards the mean of its window by an amount that
    depends on the local variance: ``mean + max(1 - noise / var, 0) * (x -
    mean)``, with ``mean`` and ``var`` the mean and variance of the window.

    Parameters
    ----------
    window_length : int, default=15
        Length of the moving window, in samples; must be odd.
    noise_power : float or None, default=None
        Variance of the noise, in squared units of the series. ``None``
        estimates it per series and channel as the mean of the local variance.
        Read at each ``transform``.

    Attributes
    ----------
    window_length_ : int
        The window of ``fit`` (``transform`` uses it until the next ``fit``).
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number (the filter learns nothing from the length).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit`` (1 for 2-D input).

    See Also
    --------
    SavitzkyGolayDenoiser : Local polynomial smoothing.
    MedianDenoiser : Moving median.

    Notes
    -----
    Unlike :func:`scipy.signal.wiener`, which pads the series with zeros, the
    windows at the edges are completed by mirror reflection of the series
    (``scipy.ndimage`` mode ``"reflect"``). Away from the edges (more than
    ``window_length // 2`` samples), and for a given ``noise_power``, the
    result equals scipy's; with ``noise_power=None`` the estimates differ
    slightly because the edge windows enter the mean local variance.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import WienerDenoiser
    >>> rng = np.random.default_rng(0)
    >>> X = np.sin(np.linspace(0, 6, 200))[np.newaxis] + 0.1 * rng.standard_normal(
    ...     (1, 200))
    >>> WienerDenoiser(window_length=9).fit_transform(X).shape
    (1, 200)
    """

    # fit learns nothing from y: any y not shaped as X is ignored.
    _learns_from_target = False

    _any_length = True

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "noise_power": [Interval(Real, 0, None, closed="left"), None],
    }

    _transform_params = ("noise_power",)

    def __init__(self, window_length=15, noise_power=None):
        self.window_length = window_length
        self.noise_power = noise_power

    def _fit(self, X, y=None):
        _check_odd_window(self, self.window_length)
        self.window_length_ = int(self.window_length)

    def _transform(self, X):
        # Computed on the series divided by a power of two near their peak
        # (exact), so that squaring values near 1e160 cannot overflow.
        # In place where it can be: a long recording's copies add up (7 times
        # the input before, 4 now), for the same result to the bit.
        unit = power_of_two_scale(X)
        centred = X / unit
        offset = centred.mean(axis=1, keepdims=True)
        centred -= offset
        size = self.window_length_
        local_mean = ndimage.uniform_filter1d(centred, size, axis=1, mode="reflect")
        local_var = np.multiply(centred, centred)
        ndimage.uniform_filter1d(
            local_var, size, axis=1, mode="reflect", output=local_var
        )
        local_var -= local_mean**2
        np.maximum(local_var, 0.0, out=local_var)
        if self.noise_power is None:
            noise = local_var.mean(axis=1, keepdims=True)
        else:
            # One factor at a time: unit ** 2 underflows to 0 for series of
            # magnitude 1e-154 or less, and 0 / 0 is NaN (no gain anywhere).
            with np.errstate(over="ignore", under="ignore"):
                noise = float(self.noise_power) / unit / unit
        noise = np.broadcast_to(noise, local_var.shape)
        keep = local_var > noise
        # The gain, 1 - noise / var where the variance exceeds the noise and 0
        # elsewhere, takes the variance's place.
        gain = local_var
        np.divide(noise, gain, out=gain, where=keep)
        np.subtract(1.0, gain, out=gain)
        gain[~keep] = 0.0
        del keep
        centred -= local_mean
        centred *= gain
        centred += local_mean
        centred += offset
        centred *= unit
        return centred


class MedianDenoiser(SeriesTransformerMixin, BaseDenoiser):
    """Moving median filter, robust to impulsive noise and spikes.

    Parameters
    ----------
    window_length : int, default=5
        Length of the moving window, in samples; must be odd.

    Attributes
    ----------
    window_length_ : int
        The window of ``fit`` (``transform`` uses it until the next ``fit``).
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``; ``transform``
        accepts any number (the filter learns nothing from the length).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit`` (1 for 2-D input).

    See Also
    --------
    WienerDenoiser : Local (adaptive) Wiener filter.
    SavitzkyGolayDenoiser : Local polynomial smoothing.

    Notes
    -----
    Computed with :func:`scipy.ndimage.median_filter` along the time axis only.
    The windows at the edges are completed by mirror reflection of the series
    (``d c b a | a b c d | d c b a``, repeated for windows longer than the
    series), whereas :func:`scipy.signal.medfilt` pads with
    zeros; away from the edges the two agree.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise.baselines import MedianDenoiser
    >>> X = np.array([[1.0, 1.0, 9.0, 1.0, 1.0, 2.0, 2.0]])
    >>> MedianDenoiser(window_length=3).fit_transform(X)
    array([[1., 1., 1., 1., 1., 2., 2.]])
    """

    # fit learns nothing from y: any y not shaped as X is ignored.
    _learns_from_target = False

    _any_length = True

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, window_length=5):
        self.window_length = window_length

    def _fit(self, X, y=None):
        _check_odd_window(self, self.window_length)
        self.window_length_ = int(self.window_length)

    def _transform(self, X):
        # The reflection is done here, not by ndimage: its median filter reads
        # past the series (and returns values that change from call to call)
        # when the window is much longer than the series. On the padded series
        # every kept window lies inside, so ndimage's own edges are never used.
        half = self.window_length_ // 2
        padded = np.pad(X, ((0, 0), (half, half), (0, 0)), mode="symmetric")
        try:
            out = ndimage.median_filter(padded, size=(1, self.window_length_, 1))
        except MemoryError as exc:
            # scipy's median filter refuses windows of about 57,000 samples
            # and more with an empty MemoryError, whatever memory is free; a
            # MemoryError of numpy's (it names the size) is a real one.
            if str(exc) or self.window_length_ < 50_000:
                raise
            raise ValueError(
                f"MedianDenoiser: window_length={self.window_length_} is longer "
                "than scipy's median filter takes (about 56,000 samples); use a "
                "shorter window (for a baseline, a median of a few hundred "
                "milliseconds, or a high-pass filter)."
            ) from None
        return out[:, half : half + X.shape[1]]
