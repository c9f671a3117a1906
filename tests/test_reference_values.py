"""Results checked against independent references, not only against themselves.

Tapers, series shorter than a window, centred windows, the PRD, resampling
near the ends of a series, the shortest series a resampled network takes, and
the channels of the noise models.
"""

import math

import numpy as np
import pytest

from skdenoise.baselines import SavitzkyGolayDenoiser
from skdenoise.metrics import prd, rmse
from skdenoise.pipeline import ResampledDenoiser, WindowedDenoiser

from .test_pipeline import Recorder


@pytest.mark.parametrize("length", [1, 2, 7, 8, 33])
def test_tapers_are_numpys_windows_without_their_zero_ends(length):
    from skdenoise.windowing._layout import taper

    hann, triangular = taper("hann", length), taper("triangular", length)
    np.testing.assert_allclose(hann, np.hanning(length + 2)[1:-1], atol=1e-12)
    np.testing.assert_allclose(triangular, np.bartlett(length + 2)[1:-1], atol=1e-12)


@pytest.mark.parametrize("n", [40, 41, 63])
def test_a_series_shorter_than_a_window_is_one_reflected_window(n):
    # The inner filter on the series extended by reflection to a window, cut back.
    rng = np.random.default_rng(0)
    x = np.sin(np.linspace(0, 3, n))[None].repeat(3, 0)
    x = x + rng.normal(0, 0.2, x.shape)
    out = (
        WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=64).fit(x).transform(x)
    )
    left = (64 - n) // 2
    padded = np.pad(x, ((0, 0), (left, 64 - n - left)), mode="reflect")
    expected = SavitzkyGolayDenoiser().fit(padded).transform(padded)[:, left : left + n]
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_centred_windows_take_the_noisy_windows_mean_off_both():
    # y minus X's window means (not its own): an offset of the noise is then
    # left for the network to learn to remove.
    rng = np.random.default_rng(0)
    y = np.sin(np.linspace(0, 12, 128))[None].repeat(4, 0)
    X = y + 0.5 + 0.1 * rng.standard_normal(y.shape)
    model = WindowedDenoiser(
        Recorder(), window_length=32, stride=32, center_windows=True
    ).fit(X, y)
    inner = model.estimator_
    X_windows = X.reshape(-1, 32)
    means = X_windows.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(
        np.sort(inner.fit_X_.reshape(-1, 32), 0), np.sort(X_windows - means, 0)
    )
    np.testing.assert_allclose(
        np.sort(inner.fit_y_.reshape(-1, 32), 0), np.sort(y.reshape(-1, 32) - means, 0)
    )


def test_prd_is_the_error_rms_in_percent_of_the_clean_rms():
    clean = np.ones((1, 100))
    assert prd(clean, clean + 0.1) == pytest.approx(10.0)
    rng = np.random.default_rng(0)
    c = np.sin(np.linspace(0, 20, 500))[None]
    e = c + rng.normal(0, 0.05, c.shape)
    assert prd(c, e) == pytest.approx(100 * rmse(c, e) / np.sqrt(np.mean(c**2)))


def test_resampling_is_accurate_up_to_the_ends_of_a_series():
    from skdenoise.windowing._resampled import _resample

    # A 5 Hz sinusoid at 250 Hz resampled to 360 Hz, against the exact one.
    x = np.sin(2 * np.pi * 5 * np.arange(500) / 250.0 + 0.7)[None]
    y = _resample(x, 36, 25)
    exact = np.sin(2 * np.pi * 5 * np.arange(y.shape[1]) / 360.0 + 0.7)[None]
    error = np.abs(y - exact)[0]
    assert error[:20].max() < 3e-3 and error[-20:].max() < 3e-3


@pytest.mark.parametrize("rate", [250.0, 1000.0, 3600.0])
def test_a_resampled_network_takes_the_shortest_series_it_can(rate):
    from skdenoise import UNetDenoiser
    from skdenoise.windowing._resampled import _inner_min_timesteps

    inner = UNetDenoiser(filters=2, depth=1, epochs=1)
    least = _inner_min_timesteps(inner)
    shortest = ResampledDenoiser(
        inner, sampling_rate=rate, estimator_sampling_rate=360
    )._min_timesteps
    # The fewest samples at ``rate`` that give the network ``least`` of its own.
    expected = next(
        n for n in range(2, 10_000) if math.ceil(n * 360 / rate - 1e-9) >= least
    )
    assert shortest == expected


def test_noise_models_draw_channels_of_different_strength():
    # The whole series (all channels) has unit RMS, not each channel alone:
    # the leads of a recording get wander of different strength.
    from skdenoise.noise import BaselineWander

    noise = BaselineWander(n_components=1, sampling_rate=360)
    sample = noise.sample((500, 720, 2), random_state=0)
    np.testing.assert_allclose(np.sqrt(np.mean(sample**2, axis=(1, 2))), 1.0)
    channel_rms = np.sqrt(np.mean(sample**2, axis=1))
    ratio = channel_rms.max(axis=1) / channel_rms.min(axis=1)
    assert np.median(ratio) > 1.5
