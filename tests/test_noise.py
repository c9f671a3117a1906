import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import periodogram
from sklearn.base import clone

from skdenoise.metrics import snr as snr_db
from skdenoise.noise import (
    BaselineWander,
    BaseNoise,
    ColoredNoise,
    ImpulseNoise,
    MuscleNoise,
    NoiseMixture,
    PowerlineNoise,
    RecordedNoise,
    WhiteNoise,
    scale_noise,
)

RECORDING = np.random.default_rng(123).standard_normal((4000, 2)).cumsum(axis=0)


def make_models(snr=None):
    """One instance of every model, at 360 Hz where a rate is needed."""
    return {
        "white": WhiteNoise(snr=snr),
        "pink": ColoredNoise(alpha=1.0, snr=snr),
        "brown": ColoredNoise(alpha=2.0, snr=snr),
        "spikes": ImpulseNoise(density=0.05, snr=snr),
        "salt_pepper": ImpulseNoise(density=0.05, kind="salt_pepper", snr=snr),
        "baseline": BaselineWander(snr=snr),
        "powerline": PowerlineNoise(sampling_rate=360.0, snr=snr),
        "muscle": MuscleNoise(snr=snr),
        "recorded": RecordedNoise(RECORDING[:, :1], snr=snr),
        "recorded_mono": RecordedNoise(RECORDING[:, 0], segment=(100, 3000), snr=snr),
        "mixture": NoiseMixture(
            [BaselineWander(), MuscleNoise(), RecordedNoise(RECORDING[:, 1])], snr=snr
        ),
        "mixture_fixed": NoiseMixture(
            [WhiteNoise(snr=10.0), PowerlineNoise(360.0, amplitude=0.5)],
            weights=[1.0, 2.0],
            snr=snr,
        ),
    }


MODEL_NAMES = list(make_models())


def clean_batch(n_series=6, n_timesteps=512, n_channels=None, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n_timesteps) / 360.0
    shape = (n_series, 1) if n_channels is None else (n_series, 1, n_channels)
    freq = rng.uniform(1.0, 5.0, size=shape)
    if n_channels is None:
        return np.sin(2 * np.pi * freq * t) + 0.2
    return np.sin(2 * np.pi * freq * t[:, None]) + 0.2


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("n_channels", [None, 2])
def test_exact_fixed_snr_per_series(name, n_channels):
    X = clean_batch(n_channels=n_channels)
    noisy = make_models(snr=4.5)[name].apply(X, random_state=1)
    assert noisy.shape == X.shape
    np.testing.assert_allclose(snr_db(X, noisy, per_series=True), 4.5, atol=0.01)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_snr_range_per_series(name):
    X = clean_batch(n_series=40)
    values = snr_db(X, make_models(snr=(-3.0, 9.0))[name].apply(X, 2), per_series=True)
    assert np.all(values >= -3.0 - 0.01) and np.all(values <= 9.0 + 0.01)
    assert values.std() > 1.0
    # A degenerate range goes through the same per-series draw and must be exact.
    same = snr_db(X, make_models(snr=(7.0, 7.0))[name].apply(X, 2), per_series=True)
    np.testing.assert_allclose(same, 7.0, atol=0.01)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_seeding_and_input_unchanged(name):
    model = make_models(snr=3.0)[name]
    X = clean_batch(n_series=4)
    X.setflags(write=False)
    before = X.copy()
    first = model.apply(X, random_state=7)
    np.testing.assert_array_equal(first, model.apply(X, random_state=7))
    np.testing.assert_array_equal(
        first, model.apply(X, random_state=np.random.default_rng(7))
    )
    assert not np.allclose(first, model.apply(X, random_state=8))
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_clone_pickle_and_params(name):
    model = make_models(snr=(0.0, 6.0))[name]
    X = clean_batch(n_series=3)
    params = model.get_params(deep=False)
    cloned = clone(model)
    assert type(cloned) is type(model)
    assert set(cloned.get_params(deep=False)) == set(params)
    restored = pickle.loads(pickle.dumps(model))
    expected = model.apply(X, random_state=0)
    np.testing.assert_array_equal(cloned.apply(X, random_state=0), expected)
    np.testing.assert_array_equal(restored.apply(X, random_state=0), expected)
    assert cloned.set_params(snr=2.0) is cloned and cloned.snr == 2.0
    assert model.snr == (0.0, 6.0)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_amplitude_mode_and_float32(name):
    models = make_models()
    X = clean_batch(n_series=3).astype(np.float32)
    noisy = models[name].apply(X, random_state=0)
    assert noisy.dtype == np.float32
    assert np.all(np.isfinite(noisy))
    assert not np.array_equal(noisy, X)


@pytest.mark.parametrize("name", ["pink", "brown", "baseline", "powerline", "muscle"])
def test_unit_rms_raw_noise_and_amplitude(name):
    model = make_models()[name].set_params(amplitude=0.25)
    raw = model.sample((5, 600, 2), random_state=0)
    np.testing.assert_allclose(np.sqrt(np.mean(raw**2, axis=(1, 2))), 1.0)
    zeros = np.zeros((5, 600))
    noise = model.apply(zeros, random_state=0)
    np.testing.assert_allclose(np.sqrt(np.mean(noise**2, axis=1)), 0.25)


@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_colored_noise_spectral_slope(alpha):
    noise = ColoredNoise(alpha=alpha).sample((64, 4096), random_state=0)
    freqs, power = periodogram(noise, axis=1)
    keep = (freqs > 0) & (freqs < 0.5)
    slope = np.polyfit(np.log(freqs[keep]), np.log(power.mean(axis=0)[keep]), 1)[0]
    assert abs(slope + alpha) < 0.15


def test_colored_noise_alpha_zero_is_flat():
    noise = ColoredNoise(alpha=0.0).sample((64, 1024), random_state=0)
    freqs, power = periodogram(noise, axis=1)
    keep = (freqs > 0) & (freqs < 0.5)
    slope = np.polyfit(np.log(freqs[keep]), np.log(power.mean(axis=0)[keep]), 1)[0]
    assert abs(slope) < 0.15


@pytest.mark.parametrize("mains", [50.0, 60.0])
def test_powerline_peak_at_mains_frequency(mains):
    model = PowerlineNoise(sampling_rate=1000.0, frequency=mains, n_harmonics=3)
    noise = model.sample((8, 2000), random_state=0)
    freqs, power = periodogram(noise, fs=1000.0, axis=1)
    assert np.all(freqs[np.argmax(power, axis=1)] == mains)
    harmonics = [mains * m for m in (2, 3, 4)]
    total = power.sum(axis=1)
    on_lines = power[:, np.isin(freqs, [mains, *harmonics])].sum(axis=1)
    assert np.all(on_lines / total > 0.99)


def test_powerline_skips_harmonics_above_nyquist():
    noise = PowerlineNoise(sampling_rate=250.0, frequency=50.0, n_harmonics=5)
    freqs, power = periodogram(noise.sample((2, 500), random_state=0), fs=250.0)
    assert power[:, freqs > 110].max() < 1e-20


def test_baseline_wander_is_slow():
    model = BaselineWander(sampling_rate=100.0, max_frequency=0.5)
    freqs, power = periodogram(model.sample((16, 6000), random_state=0), fs=100.0)
    assert np.all(power[:, freqs <= 0.6].sum(axis=1) / power.sum(axis=1) > 0.95)


def test_muscle_noise_band_and_bursts():
    model = MuscleNoise(sampling_rate=500.0, low_frequency=20.0, high_frequency=150.0)
    noise = model.sample((16, 5000), random_state=0)
    freqs, power = periodogram(noise, fs=500.0, axis=1)
    band = (freqs >= 18.0) & (freqs <= 152.0)
    assert np.all(power[:, band].sum(axis=1) / power.sum(axis=1) > 0.97)
    kurtosis = np.mean(noise**4, axis=1) / np.mean(noise**2, axis=1) ** 2
    assert np.median(kurtosis) > 3.5  # bursts: heavier tails than Gaussian noise


def test_muscle_noise_clips_band_to_nyquist():
    noise = MuscleNoise(sampling_rate=100.0).sample((2, 200), random_state=0)
    assert np.all(np.isfinite(noise)) and noise.std() > 0


def test_impulse_spikes_density_and_signs():
    noise = ImpulseNoise(density=0.02, amplitude=3.0).apply(
        np.zeros((50, 1000)), random_state=0
    )
    hits = noise != 0
    assert abs(hits.mean() - 0.02) < 0.003
    assert set(np.unique(noise[hits])) == {-3.0, 3.0}
    assert 0.4 < (noise[hits] > 0).mean() < 0.6


def test_impulse_noise_always_hits_each_series():
    noise = ImpulseNoise(density=1e-9).sample((20, 16, 2), random_state=0)
    assert np.all(np.count_nonzero(noise.reshape(20, -1), axis=1) >= 1)


def test_salt_pepper_replaces_with_channel_extremes():
    X = clean_batch(n_series=5, n_channels=2)
    noisy = ImpulseNoise(density=0.1, kind="salt_pepper").apply(X, random_state=0)
    changed = noisy != X
    low, high = X.min(axis=1, keepdims=True), X.max(axis=1, keepdims=True)
    extreme = np.isclose(noisy, low) | np.isclose(noisy, high)
    assert changed.any() and np.all(extreme[changed])
    twice = ImpulseNoise(density=0.1, kind="salt_pepper", amplitude=2.0)
    wide = twice.apply(X, random_state=0)
    mid, half = (high + low) / 2, (high - low) / 2
    np.testing.assert_allclose(
        np.abs(wide[changed] - np.broadcast_to(mid, X.shape)[changed]),
        2 * np.broadcast_to(half, X.shape)[changed],
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_salt_pepper_values_are_the_extremes_exactly(dtype):
    X = clean_batch(n_series=5, n_channels=2).astype(dtype)
    noisy = ImpulseNoise(density=0.2, kind="salt_pepper").apply(X, random_state=0)
    changed = noisy != X
    low, high = X.min(axis=1, keepdims=True), X.max(axis=1, keepdims=True)
    extreme = (noisy == low) | (noisy == high)
    assert changed.any() and np.all(extreme[changed])


def test_salt_pepper_with_snr_keeps_positions():
    X = clean_batch(n_series=5)
    free = ImpulseNoise(density=0.05, kind="salt_pepper").apply(X, random_state=3)
    at_snr = ImpulseNoise(density=0.05, kind="salt_pepper", snr=15.0).apply(X, 3)
    np.testing.assert_array_equal(free != X, at_snr != X)
    np.testing.assert_allclose(snr_db(X, at_snr, per_series=True), 15.0, atol=1e-6)


def test_recorded_noise_segments_never_overlap():
    T = 64
    recording = np.concatenate([np.tile([1.0, -1.0], 250), np.tile([10.0, -10.0], 250)])
    zeros = np.zeros((200, T))
    train = RecordedNoise(recording, segment=(0, 500)).apply(zeros, random_state=0)
    test = RecordedNoise(recording, segment=(500, None)).apply(zeros, random_state=0)
    assert set(np.abs(train).ravel()) == {1.0}
    assert set(np.abs(test).ravel()) == {10.0}


def test_recorded_noise_mean_removed_and_channels():
    X = np.zeros((10, 100, 2))
    noise = RecordedNoise(RECORDING).apply(X, random_state=0)
    np.testing.assert_allclose(noise.mean(axis=1), 0.0, atol=1e-9)
    # Channels of a multichannel recording stay aligned: one start per series.
    stamps = np.stack([np.arange(1000.0), 2 * np.arange(1000.0)], axis=1)
    aligned = RecordedNoise(stamps).apply(np.zeros((10, 20, 2)), random_state=0)
    np.testing.assert_allclose(aligned[:, :, 1], 2 * aligned[:, :, 0])
    mono = RecordedNoise(RECORDING[:, 0]).apply(np.zeros((10, 100, 3)), 0)
    assert mono.shape == (10, 100, 3)
    assert not np.allclose(mono[:, :, 0], mono[:, :, 1])


def test_recorded_noise_amplitude_keeps_units():
    recording = np.arange(1000.0)
    noise = RecordedNoise(recording, amplitude=2.0).apply(np.zeros((3, 10)), 0)
    np.testing.assert_allclose(noise, np.tile(2.0 * (np.arange(10) - 4.5), (3, 1)))


def test_recorded_noise_flip_signs_and_reverses_the_same_stretches():
    X = np.zeros((400, 32))
    plain = RecordedNoise(RECORDING[:, 0]).apply(X, random_state=3)
    flipped = RecordedNoise(RECORDING[:, 0], flip=True).apply(X, random_state=3)
    kinds = []
    for a, b in zip(plain, flipped, strict=True):
        matches = [
            np.allclose(b, a),
            np.allclose(b, -a),
            np.allclose(b, a[::-1]),
            np.allclose(b, -a[::-1]),
        ]
        assert any(matches)
        kinds.append(matches.index(True))
    # All four variants occur, each about a quarter of the time.
    counts = np.bincount(kinds, minlength=4)
    assert counts.min() > 60, counts
    # Aligned channels keep their relation through the flips.
    stamps = np.stack([np.arange(1000.0), 2 * np.arange(1000.0)], axis=1)
    aligned = RecordedNoise(stamps, flip=True).apply(np.zeros((10, 20, 2)), 0)
    np.testing.assert_allclose(aligned[:, :, 1], 2 * aligned[:, :, 0])


def test_recorded_noise_time_scale_changes_frequency():
    t = np.arange(20_000)
    tone = np.sin(2 * np.pi * t / 40.0)  # period 40 samples
    X = np.zeros((50, 400))

    def period(noise):
        spectrum = np.abs(np.fft.rfft(noise, axis=1)).mean(axis=0)
        return X.shape[1] / np.argmax(spectrum)

    assert period(RecordedNoise(tone).apply(X, 0)) == pytest.approx(40, rel=0.03)
    faster = RecordedNoise(tone, time_scale=(2.0, 2.0)).apply(X, 0)
    assert period(faster) == pytest.approx(20, rel=0.03)
    slower = RecordedNoise(tone, time_scale=(0.5, 0.5)).apply(X, 0)
    assert period(slower) == pytest.approx(80, rel=0.03)
    # A range gives each series its own rate; the same seed the same draws.
    varied = RecordedNoise(tone, time_scale=(0.8, 1.25), flip=True)
    out = varied.apply(X, random_state=1)
    np.testing.assert_array_equal(out, varied.apply(X, random_state=1))
    crossings = np.sum(np.diff(np.sign(out), axis=1) != 0, axis=1)
    assert np.ptp(crossings) >= 4
    assert crossings.min() >= 0.8 * 20 - 2 and crossings.max() <= 1.25 * 20 + 2
    # Segments still hold: stretches never read outside theirs.
    steps = np.concatenate([np.ones(500), 10 * np.ones(500)])
    inside = RecordedNoise(steps, segment=(0, 500), time_scale=(0.8, 1.25))
    raw = inside._sample((200, 64, 1), np.random.default_rng(0))
    np.testing.assert_allclose(raw, 0.0, atol=1e-12)  # constant 1, mean removed


def _band_gains(coloured, plain):
    """Per series (and channel), the colour's gain in dB over octave bands of
    512-sample stretches, with each band's position on the log-frequency axis
    ``u`` of ``RecordedNoise(spectral_gain=)``."""
    edges = [2, 4, 8, 16, 32, 64, 128, 257]
    after = np.abs(np.fft.rfft(coloured, axis=1)) ** 2
    before = np.abs(np.fft.rfft(plain, axis=1)) ** 2
    gains = np.stack(
        [
            10 * np.log10(after[:, lo:hi].sum(1) / before[:, lo:hi].sum(1))
            for lo, hi in zip(edges[:-1], edges[1:], strict=False)
        ]
    )
    centres = np.sqrt(np.array(edges[:-1]) * (np.array(edges[1:]) - 1))
    return gains, 2 * np.log(centres) / np.log(256) - 1


def _fit_curves(gains, u):
    """Least-squares ``c + a u + b (2 u**2 - 1)`` of each column of ``gains``."""
    design = np.column_stack([np.ones_like(u), u, 2 * u**2 - 1])
    flat = gains.reshape(len(u), -1)
    coef, *_ = np.linalg.lstsq(design, flat, rcond=None)
    return coef, np.abs(design @ coef - flat).max()


def test_recorded_noise_spectral_gain_colours_each_stretch():
    recording = np.random.default_rng(0).standard_normal(50_000)
    X = np.random.default_rng(1).normal(size=(40, 512))
    plain = RecordedNoise(recording, snr=6.0).apply(X, random_state=3)
    noise = RecordedNoise(recording, snr=6.0, spectral_gain=12.0)
    coloured = noise.apply(X, random_state=3)
    # Reproducible, and the SNR is still exact: the colour comes before scaling.
    np.testing.assert_array_equal(coloured, noise.apply(X, random_state=3))
    snr = 10 * np.log10(np.sum(X**2, 1) / np.sum((coloured - X) ** 2, 1))
    np.testing.assert_allclose(snr, 6.0, atol=1e-9)
    # The same stretches (positions are drawn first), each filtered by its own
    # smooth curve: in dB over octave bands, a parabola in log frequency of at
    # most +-12 dB, up to the constant of the SNR's scaling (and the bands'
    # averaging of a curved gain).
    gains, u = _band_gains(coloured - X, plain - X)
    coef, residual = _fit_curves(gains, u)
    assert residual < 1.5
    assert np.all(np.abs(coef[1:]) <= 6.0 + 1.0)
    # Each stretch has its own curve, tilts and bowls both ways.
    assert np.ptp(coef[1]) > 8.0 and np.ptp(coef[2]) > 8.0
    assert noise.get_params()["spectral_gain"] == 12.0
    assert RecordedNoise(recording).spectral_gain is None


def test_recorded_noise_spectral_gain_leaves_the_ends_alone():
    # The filter runs on a padded stretch: no wrap-around of a drifting
    # (baseline-like) recording's end onto its start.
    recording = np.cumsum(np.random.default_rng(0).standard_normal(200_000))
    X = np.ones((1000, 512))
    coloured = RecordedNoise(recording, snr=0.0, spectral_gain=12.0).apply(X, 0) - X
    steps = np.diff(coloured, axis=1) ** 2
    middle = steps[:, 200:300].mean()
    assert steps[:, :8].mean() < 1.3 * middle
    assert steps[:, -8:].mean() < 1.3 * middle


def test_recorded_noise_spectral_gain_per_channel_or_shared():
    rng = np.random.default_rng(0)
    one = rng.standard_normal(50_000)
    shared = np.stack([one, 2 * one], axis=1)
    X = np.zeros((20, 512, 2))
    aligned = RecordedNoise(shared, spectral_gain=6.0).apply(X, random_state=0)
    # A recording with the series' channels: one start and one curve per
    # series, so the channels keep their relation.
    np.testing.assert_allclose(aligned[:, :, 1], 2 * aligned[:, :, 0])
    # A one-channel recording: a start and a curve per series and channel.
    plain = RecordedNoise(one).apply(X, random_state=0)
    apart = RecordedNoise(one, spectral_gain=6.0).apply(X, random_state=0)
    gains, u = _band_gains(apart, plain)
    coef, residual = _fit_curves(gains, u)
    assert residual < 1.5
    tilts = coef[1].reshape(20, 2)
    assert np.median(np.abs(tilts[:, 0] - tilts[:, 1])) > 0.5


@pytest.mark.parametrize("n_timesteps", [2, 3, 4, 5, 129])
def test_recorded_noise_spectral_gain_short_and_odd_series(n_timesteps):
    recording = np.random.default_rng(0).standard_normal(5_000)
    X = np.ones((6, n_timesteps))
    out = RecordedNoise(recording, snr=0.0, spectral_gain=6.0).apply(X, 0)
    snr = 10 * np.log10(np.sum(X**2, 1) / np.sum((out - X) ** 2, 1))
    np.testing.assert_allclose(snr, 0.0, atol=1e-9)


def test_recorded_noise_spectral_gain_keeps_the_flat_stretch_check():
    # A periodic recording read at a whole rate gives flat stretches: refused
    # with the colour as without it (the filter's rounding is not noise).
    periodic = np.tile([0.1, 0.3], 3000)
    for gain in (None, 12.0):
        noise = RecordedNoise(periodic, time_scale=(2, 2), spectral_gain=gain, snr=0.0)
        with pytest.raises(ValueError, match="all zeros"):
            noise.apply(np.ones((4, 64)), random_state=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"flip": 1}, TypeError, "flip must be True or False"),
        ({"flip": "yes"}, TypeError, "flip must be True or False"),
        ({"time_scale": 2.0}, TypeError, "time_scale"),
        ({"time_scale": (1.0,)}, TypeError, "time_scale"),
        ({"time_scale": (True, 2)}, TypeError, "time_scale"),
        ({"time_scale": ("1", 2)}, TypeError, "time_scale"),
        ({"time_scale": (0.0, 1.0)}, ValueError, "time_scale"),
        ({"time_scale": (1.5, 1.0)}, ValueError, "low <= high"),
        ({"time_scale": (1.0, np.inf)}, ValueError, "time_scale"),
        ({"spectral_gain": 0.0}, ValueError, r"a number of dB in \(0, 100\]"),
        ({"spectral_gain": -3.0}, ValueError, "spectral_gain"),
        ({"spectral_gain": 101.0}, ValueError, r"\(0, 100\]"),
        ({"spectral_gain": np.inf}, ValueError, "spectral_gain"),
        ({"spectral_gain": np.nan}, ValueError, "spectral_gain"),
        ({"spectral_gain": True}, TypeError, "spectral_gain"),
        ({"spectral_gain": "6"}, TypeError, "spectral_gain"),
    ],
)
def test_recorded_noise_bad_augmentation(kwargs, error, match):
    with pytest.raises(error, match=match):
        RecordedNoise(RECORDING, **kwargs).apply(np.ones((2, 8, 2)), random_state=0)


@pytest.mark.parametrize(
    ("kwargs", "X_shape", "match"),
    [
        (
            {"noise": np.zeros(70) + 1.0, "time_scale": (1.0, 1.25)},
            (2, 64),
            "80 samples that 64 timesteps read",
        ),
        ({"noise": np.zeros(50) + 1.0}, (2, 64), "fewer than the 64 timesteps"),
        ({"noise": RECORDING, "segment": (0, 40)}, (2, 64), r"\[0, 40\) hold 40"),
        ({"noise": RECORDING, "segment": (10, 5)}, (2, 8), "start < stop"),
        ({"noise": RECORDING, "segment": (0, 10**6)}, (2, 8), "start < stop"),
        ({"noise": RECORDING, "segment": 5}, (2, 8), r"\(start, stop\)"),
        ({"noise": np.full(100, np.nan)}, (2, 8), "NaN"),
        ({"noise": np.zeros((3, 3, 3))}, (2, 8), "shape"),
        ({"noise": RECORDING}, (2, 8, 3), "2 channels but the series have 3"),
    ],
)
def test_recorded_noise_errors(kwargs, X_shape, match):
    with pytest.raises(ValueError, match=match):
        RecordedNoise(**kwargs).apply(np.ones(X_shape), random_state=0)


def test_recorded_noise_rejects_non_numeric():
    # Text is refused as the series checks refuse it (scikit-learn's ValueError).
    with pytest.raises(ValueError, match="noise of RecordedNoise holds strings"):
        RecordedNoise(["a", "b"]).apply(np.ones((1, 2)))
    with pytest.raises(TypeError, match="numeric"):
        RecordedNoise([[1.0, 2.0], [3.0]]).apply(np.ones((1, 2)))


def test_mixture_fixed_weights_select_components():
    a = RecordedNoise(RECORDING[:, 0])
    b = RecordedNoise(RECORDING[:, 1])
    X = np.zeros((4, 128))
    mix = NoiseMixture([a, b], weights=[1.0, 0.0]).apply(X, random_state=5)
    np.testing.assert_allclose(mix, a.apply(X, random_state=5))


def test_mixture_random_weights_vary_per_series():
    mix = NoiseMixture([WhiteNoise(), BaselineWander(amplitude=50.0)])
    noise = mix.sample((200, 256), random_state=0)
    rms = np.sqrt(np.mean(noise**2, axis=1))
    assert rms.std() > 5.0  # the weight of the drift changes from series to series


def test_mixture_errors():
    X = np.ones((2, 32))
    with pytest.raises(ValueError, match="non-empty list"):
        NoiseMixture([]).apply(X)
    with pytest.raises(TypeError, match=r"components\[1\]"):
        NoiseMixture([WhiteNoise(), "white"]).apply(X)
    with pytest.raises(ValueError, match="one value per component"):
        NoiseMixture([WhiteNoise()], weights=[1.0, 2.0]).apply(X)
    with pytest.raises(ValueError, match="non-negative"):
        NoiseMixture([WhiteNoise()], weights=[-1.0]).apply(X)
    with pytest.raises(ValueError, match="use apply"):
        NoiseMixture([WhiteNoise(snr=3.0)]).sample((2, 32))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, (0.0, np.nan), (np.inf, 1)])
@pytest.mark.parametrize("name", ["white", "pink", "recorded", "mixture"])
def test_non_finite_snr_is_rejected(bad, name):
    model = make_models(snr=bad)[name]
    with pytest.raises(ValueError, match="finite; got (nan|inf|-inf)"):
        model.apply(np.ones((2, 64)), random_state=0)


@pytest.mark.parametrize(
    ("model", "error", "match"),
    [
        (ColoredNoise(alpha=np.nan), ValueError, "alpha must be finite"),
        (ColoredNoise(alpha="pink"), TypeError, "alpha must be a real number"),
        (ImpulseNoise(density=0.0), ValueError, "density must be > 0"),
        (ImpulseNoise(density=1.5), ValueError, "density must be <= 1"),
        (ImpulseNoise(kind="salt"), ValueError, "kind must be one of"),
        (BaselineWander(max_frequency=200.0), ValueError, "Nyquist"),
        (BaselineWander(n_components=0), ValueError, "n_components must be >= 1"),
        (BaselineWander(sampling_rate=-1.0), ValueError, "sampling_rate must be > 0"),
        (PowerlineNoise(), ValueError, "sampling_rate is required"),
        (PowerlineNoise(sampling_rate=100.0), ValueError, "Nyquist"),
        (PowerlineNoise(sampling_rate=np.nan), ValueError, "sampling_rate must be"),
        (PowerlineNoise(360.0, n_harmonics=-1), ValueError, "n_harmonics"),
        (PowerlineNoise(360.0, n_harmonics=1.5), TypeError, "n_harmonics"),
        (MuscleNoise(low_frequency=200.0), ValueError, "low_frequency=200.0 must"),
        (MuscleNoise(background=-1.0), ValueError, "background must be >= 0"),
        (WhiteNoise(snr=(1.0, 2.0, 3.0)), ValueError, r"\(low, high\) pair"),
        (WhiteNoise(snr=(5.0, 1.0)), ValueError, "low <= high"),
        (WhiteNoise(amplitude=-1.0), ValueError, "amplitude must be >= 0"),
    ],
)
def test_bad_parameters(model, error, match):
    X = np.ones((2, 64))
    before = X.copy()
    with pytest.raises(error, match=match):
        model.apply(X, random_state=0)
    np.testing.assert_array_equal(X, before)


def test_too_short_series_errors():
    with pytest.raises(ValueError, match="at least 2 timesteps"):
        ColoredNoise().apply(np.ones((1, 1)))
    with pytest.raises(ValueError, match="no frequency in the band"):
        MuscleNoise().apply(np.ones((1, 2)))


def test_bad_input_series():
    with pytest.raises(ValueError, match="2D"):
        WhiteNoise().apply(np.ones(5))
    with pytest.raises(ValueError, match="NaN|infinity"):
        ColoredNoise().apply(np.array([[1.0, np.nan, 2.0]]))
    with pytest.raises(TypeError, match="random_state"):
        WhiteNoise().apply(np.ones((1, 3)), random_state="seed")


@pytest.mark.parametrize("magnitude", [1e-170, 1e-160, 1e160, 1e300])
@pytest.mark.parametrize("name", ["white", "salt_pepper", "recorded"])
def test_snr_is_exact_at_extreme_magnitudes(magnitude, name):
    # Squaring values near 1e160 overflowed (NaN noise), near 1e-170 it
    # underflowed (the series were taken for zeros and left without noise).
    X = clean_batch(n_series=3)
    if name == "recorded":
        model = RecordedNoise(RECORDING[:, 0] * magnitude, snr=10.0)
    else:
        model = make_models(snr=10.0)[name]
        X = X * magnitude
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        noisy = model.apply(X, random_state=0)
    assert np.all(np.isfinite(noisy))
    np.testing.assert_allclose(snr_db(X, noisy, per_series=True), 10.0, atol=1e-9)


@pytest.mark.parametrize("where", ["X", "noise"])
def test_scale_noise_rejects_non_finite_series(where):
    X = clean_batch(n_series=4)
    noise = np.random.default_rng(0).standard_normal(X.shape)
    {"X": X, "noise": noise}[where][2, 7] = np.nan
    with pytest.raises(ValueError, match=f"{where} contains NaN.*index 2"):
        scale_noise(X, noise, 10.0)


def test_recorded_noise_sees_a_recording_changed_in_place():
    recording = RECORDING[:, 0].copy()
    model = RecordedNoise(recording)
    model.apply(np.ones((2, 64)), random_state=0)
    recording[10:-10] = np.nan
    with pytest.raises(ValueError, match="contains NaN or infinite"):
        model.apply(np.ones((2, 64)), random_state=0)


@pytest.mark.parametrize(
    ("seed", "error", "match"),
    [
        (-1, ValueError, "random_state must be a non-negative int seed; got -1"),
        (np.int64(-5), ValueError, "non-negative int seed"),
        (True, TypeError, "random_state must be None, an int"),
    ],
)
def test_bad_seed_is_named(seed, error, match):
    from skdenoise.augment import RandomFlip
    from skdenoise.datasets import make_sines

    with pytest.raises(error, match=match):
        WhiteNoise().apply(np.ones((1, 8)), random_state=seed)
    with pytest.raises(error, match=match):
        RandomFlip().apply(np.ones((1, 8)), random_state=seed)
    with pytest.raises(error, match=match):
        make_sines(2, 8, random_state=seed)


def test_all_models_are_base_noise():
    for model in make_models().values():
        assert isinstance(model, BaseNoise)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["white", "pink", "spikes", "salt_pepper", "mixture"]),
    n_series=st.integers(1, 5),
    n_timesteps=st.integers(8, 300),
    n_channels=st.one_of(st.none(), st.integers(1, 3)),
    snr=st.floats(-20.0, 40.0) | st.tuples(st.floats(-20, 10), st.floats(10, 40)),
    seed=st.integers(0, 2**32 - 1),
)
def test_exact_snr_property(name, n_series, n_timesteps, n_channels, snr, seed):
    rng = np.random.default_rng(seed)
    shape = (n_series, n_timesteps) + (() if n_channels is None else (n_channels,))
    X = rng.standard_normal(shape) + 1.0
    model = make_models(snr=snr)[name]
    if name == "mixture":
        model = NoiseMixture([WhiteNoise(), ColoredNoise(2.0)], snr=snr)
    noisy = model.apply(X, random_state=seed)
    assert noisy.shape == X.shape
    values = snr_db(X, noisy, per_series=True)
    if isinstance(snr, tuple):
        assert np.all((values > snr[0] - 0.01) & (values < snr[1] + 0.01))
    else:
        np.testing.assert_allclose(values, snr, atol=0.01)


def test_noise_module_does_not_import_tensorflow():
    code = (
        "import sys, skdenoise.noise, skdenoise.datasets\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('tensorflow', 'keras', 'scikeras', 'wfdb')]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_warning_about_series_of_zeros_points_at_the_caller():
    from skdenoise.noise import scale_noise

    X = np.ones((3, 50))
    X[1] = 0.0
    with pytest.warns(UserWarning, match="all zeros") as record:
        WhiteNoise(snr=5.0).apply(X, random_state=0)
    with pytest.warns(UserWarning, match="all zeros") as direct:
        scale_noise(X, np.random.default_rng(0).standard_normal(X.shape), 5.0)
    assert [w.filename for w in [*record, *direct]] == [__file__, __file__]


def _tiny_autoencoder(**params):
    from skdenoise.neural import ConvAutoencoderDenoiser

    settings = {
        "filters": 2,
        "depth": 1,
        "bottleneck_filters": 2,
        "epochs": 2,
        "batch_size": 8,
        "gate": None,
        "random_state": 0,
    }
    return ConvAutoencoderDenoiser(**{**settings, **params})


def test_fit_warns_once_about_series_of_zeros_naming_rows_of_x():
    rng = np.random.default_rng(0)
    X = np.sin(np.linspace(0, 6 * np.pi, 32))[None] * rng.uniform(0.5, 2, (64, 1))
    X[[3, 13, 40]] = 0.0
    model = _tiny_autoencoder(noise=WhiteNoise(snr=5.0), validation_split=0.25)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
    zeros = [w for w in caught if "all zeros" in str(w.message)]
    # It came from every training batch (16 here), naming rows of the batch.
    assert len(zeros) == 1, [str(w.message) for w in zeros]
    assert "3 series of X (index 3, 13, 40)" in str(zeros[0].message)
    assert zeros[0].filename == __file__
    # An ensemble's members train on the same series: said once, not by each.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _tiny_autoencoder(
            noise=WhiteNoise(snr=5.0), uncertainty="ensemble", n_members=3
        ).fit(X)
    assert len([w for w in caught if "all zeros" in str(w.message)]) == 1
    # A noise of a given amplitude reaches series of zeros: nothing to say.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _tiny_autoencoder(noise=WhiteNoise(amplitude=0.1)).fit(X)
    assert not [w for w in caught if "all zeros" in str(w.message)]
    # Clean validation series get their noise from fit too, and are named so.
    with pytest.warns(UserWarning, match=r"1 series of validation_data \(index 1\)"):
        _tiny_autoencoder(noise=WhiteNoise(snr=5.0)).fit(
            X[20:], validation_data=X[[20, 3, 21]]
        )


def test_a_windowed_fit_counts_windows_of_zeros_once():
    from skdenoise.pipeline import WindowedDenoiser

    rng = np.random.default_rng(0)
    X = np.sin(np.linspace(0, 40, 128))[None] * rng.uniform(0.5, 2, (12, 1))
    X[2], X[5, :64] = 0.0, 0.0
    model = WindowedDenoiser(
        _tiny_autoencoder(noise=WhiteNoise(snr=5.0), epochs=1), window_length=32
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
    zeros = [str(w.message) for w in caught if "all zeros" in str(w.message)]
    # It named rows of the windows, and validation_data that was never given.
    assert len(zeros) == 1, zeros
    assert "training windows (stretches of zeros in the series)" in zeros[0]
    assert "validation_data" not in zeros[0] and "index" not in zeros[0]


def test_partial_fit_draws_other_batches_than_another_seeds_first_call(monkeypatch):
    from skdenoise.neural import _batches

    seen = []
    original = _batches.TrainingBatches._batch

    def recording(self, index, epoch, order):
        out = original(self, index, epoch, order)
        seen.append(np.array(out[0]))
        return out

    monkeypatch.setattr(_batches.TrainingBatches, "_batch", recording)
    rng = np.random.default_rng(0)
    X = np.sin(np.linspace(0, 6 * np.pi, 32))[None] * rng.uniform(0.5, 2, (32, 1))

    def batches(seed, calls):
        model = _tiny_autoencoder(
            noise=WhiteNoise(snr=(0, 20)),
            epochs=1,
            random_state=seed,
            validation_split=0.0,
        )
        for _ in range(calls - 1):
            model.partial_fit(X)
        seen.clear()
        model.partial_fit(X)
        return [b.copy() for b in seen]

    second_of_seed_0 = batches(0, 2)
    # seed + calls before was the data seed: the second call of seed 0 drew
    # the batches of the first call of seed 1.
    first_of_seed_1 = batches(1, 1)
    assert len(second_of_seed_0) == len(first_of_seed_1)
    assert not any(
        np.array_equal(a, b)
        for a, b in zip(second_of_seed_0, first_of_seed_1, strict=True)
    )
    assert all(
        np.array_equal(a, b)
        for a, b in zip(second_of_seed_0, batches(0, 2), strict=True)
    )


@pytest.mark.parametrize("name", sorted(make_models()))
def test_random_state_none_follows_numpy_global_seed(name):
    # None is NumPy's global RandomState, as check_random_state(None) returns:
    # np.random.seed made two unseeded draws differ before.
    X = clean_batch(n_series=3, n_timesteps=256)
    model = make_models()[name]
    np.random.seed(0)
    first = model.apply(X)
    np.random.seed(0)
    second = model.apply(X)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, model.apply(X))
    # An int seed gives what it gave before.
    np.testing.assert_array_equal(
        WhiteNoise().sample((1, 3), random_state=3),
        np.random.default_rng(3).standard_normal((1, 3, 1))[..., 0],
    )


def test_random_state_none_of_augmentations_and_generators_follows_numpy_seed():
    from skdenoise.augment import RandomScale
    from skdenoise.datasets import make_sines

    np.random.seed(1)
    a = (make_sines(2, 32), RandomScale(2.0).apply(np.ones((2, 8)))[0])
    np.random.seed(1)
    b = (make_sines(2, 32), RandomScale(2.0).apply(np.ones((2, 8)))[0])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_noise_mixture_nested_params_round_trip():
    from sklearn.base import clone

    components = [BaselineWander(), MuscleNoise(), MuscleNoise()]
    mix = NoiseMixture(components, snr=6.0)
    params = mix.get_params(deep=True)
    assert params["baselinewander"] is components[0]
    assert params["musclenoise-2__snr"] is None
    mix.set_params(baselinewander__amplitude=0.25, **{"musclenoise-2__snr": 3.0})
    assert components[0].amplitude == 0.25 and components[2].snr == 3.0
    assert components[1].snr is None
    # get_params(deep=True) and set_params round-trip, through clone too.
    copy = clone(mix)
    assert copy.components[0] is not components[0]
    assert copy.get_params(deep=True)["baselinewander__amplitude"] == 0.25
    copy.set_params(**mix.get_params(deep=True))
    assert repr(copy) == repr(mix)
    X = clean_batch(n_series=2, n_timesteps=256)
    np.testing.assert_array_equal(
        clone(mix).apply(X, random_state=0), mix.apply(X, random_state=0)
    )
    # Replacing a component by name leaves the caller's list alone.
    mix.set_params(**{"musclenoise-1": WhiteNoise()})
    assert isinstance(mix.components[1], WhiteNoise)
    assert isinstance(components[1], MuscleNoise)
    with pytest.raises(ValueError, match="Invalid parameter 'nosuch'"):
        mix.set_params(nosuch__snr=1.0)


def test_noise_mixture_component_params_reach_a_grid_search():
    from sklearn.base import BaseEstimator

    class Holder(BaseEstimator):
        """Holds a noise model, as a denoiser's ``noise`` parameter does."""

        def __init__(self, noise=None):
            self.noise = noise

    mix = NoiseMixture([WhiteNoise(), ColoredNoise(alpha=2.0)])
    holder = Holder(noise=mix)
    assert "noise__colorednoise__alpha" in holder.get_params(deep=True)
    holder.set_params(noise__colorednoise__alpha=1.0)
    assert mix.components[1].alpha == 1.0


def test_muscle_noise_without_background_has_noise_in_every_series():
    from skdenoise.noise import MuscleNoise

    # 256 samples at 360 Hz hold less than a burst cycle (1 Hz): without the
    # fallback about half of these series held no burst and were all zeros.
    noise = MuscleNoise(background=0.0).sample((40, 256), random_state=0)
    np.testing.assert_allclose(np.sqrt(np.mean(noise**2, axis=1)), 1.0)
    noisy = MuscleNoise(background=0.0, snr=3.0).apply(
        np.ones((40, 256)), random_state=0
    )
    np.testing.assert_allclose(snr_db(np.ones((40, 256)), noisy, per_series=True), 3.0)


def test_noise_near_the_float32_limit_is_an_error_not_infinities():
    from skdenoise.noise import WhiteNoise

    X = (np.linspace(-1, 1, 50) * 3e38).astype(np.float32)[None]
    with pytest.raises(ValueError, match="beyond the range of float32"):
        WhiteNoise(snr=-10).apply(X, random_state=0)
    assert WhiteNoise(snr=3).apply(X / 1e30, random_state=0).dtype == np.float32


def test_recorded_noise_names_the_length_a_series_needs():
    from skdenoise.noise import RecordedNoise

    recording = np.random.default_rng(0).normal(size=1000)
    with pytest.raises(ValueError, match="at least 2 timesteps"):
        RecordedNoise(recording, snr=3).apply(np.ones((1, 1)))
    assert RecordedNoise(recording, snr=3).apply(np.ones((1, 2))).shape == (1, 2)


def test_noise_beyond_float64_is_an_error_not_infinities():
    X = np.random.default_rng(0).normal(size=(2, 64))
    for noise in (
        WhiteNoise(snr=-4000.0),
        WhiteNoise(snr=(-5000.0, -4000.0)),
        WhiteNoise(amplitude=1e308),
    ):
        with pytest.raises(ValueError, match="beyond the range of float64"):
            noise.apply(X, random_state=0)


@pytest.mark.parametrize("alpha", [300.0, -300.0])
def test_steep_colored_noise_keeps_its_unit_rms(alpha):
    # freqs ** (-alpha / 2) overflowed, and the noise came out all zeros.
    noise = ColoredNoise(alpha=alpha).apply(np.zeros((2, 1000)), random_state=0)
    np.testing.assert_allclose(np.sqrt(np.mean(noise**2, axis=1)), 1.0)


def test_an_snr_beyond_float64_is_refused_without_numpy_warnings():
    from skdenoise.noise import ImpulseNoise

    X = np.random.default_rng(0).normal(size=(2, 50))
    with warnings.catch_warnings():
        # An infinite gain times the zero samples of the impulses was NaN,
        # with NumPy's RuntimeWarning before the error.
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="beyond the range of float64"):
            ImpulseNoise(snr=-3100.0).apply(X)


def test_recorded_noise_at_a_rate_of_one_reads_the_recorded_samples():
    # Each stretch started at a fractional position, so every sample was an
    # interpolation: time_scale=(1, 1) low-passed the noise (a third of white
    # noise's power lost) where it should read the recording as None does.
    recording = np.random.default_rng(0).normal(size=5000)
    noise = RecordedNoise(recording, time_scale=(1.0, 1.0))
    stretches = noise.sample((200, 64), random_state=0)
    windows = np.lib.stride_tricks.sliding_window_view(recording, 64)
    windows = windows - windows.mean(axis=1, keepdims=True)
    for stretch in stretches[:20]:
        assert np.min(np.max(np.abs(windows - stretch), axis=1)) < 1e-12
    assert np.var(stretches) == pytest.approx(np.var(recording), rel=0.05)


def test_a_recording_at_another_rate_says_to_resample_it():
    from skdenoise.datasets import make_denoising_dataset

    noise = RecordedNoise(
        np.random.default_rng(0).normal(size=4000), sampling_rate=360.0
    )
    with pytest.raises(ValueError, match="resample it to 250 Hz"):
        make_denoising_dataset("ecg", 2, 500, noise=noise, sampling_rate=250.0, snr=0.0)


def test_mixture_of_snr_components_leaves_an_all_zero_series_alone():
    # Its components drew no noise for the zero series either, and the
    # mixture refused it ("noise drawn for a series is all zeros") where
    # every single model warns and adds nothing.
    X = np.sin(np.linspace(0, 60, 4 * 256)).reshape(4, 256)
    X[1] = 0.0
    mix = NoiseMixture([WhiteNoise(snr=3.0), BaselineWander(snr=3.0)], snr=6.0)
    with pytest.warns(UserWarning, match=r"index 1\) are all zeros"):
        noisy = mix.apply(X, random_state=0)
    np.testing.assert_array_equal(noisy[1], 0.0)
    keep = [0, 2, 3]
    np.testing.assert_allclose(snr_db(X[keep], noisy[keep], per_series=True), 6.0)


def test_mixture_sample_refuses_nested_components_scaled_to_the_series():
    # A nested mixture's component with its own snr drew zeros from sample.
    nested = NoiseMixture([NoiseMixture([WhiteNoise(snr=3.0)])])
    with pytest.raises(ValueError, match=r"components\[0\]\.components\[0\] has snr"):
        nested.sample((2, 10), random_state=0)


def test_recorded_noise_refuses_a_flat_stretch_it_cannot_scale():
    import joblib

    recording = np.random.default_rng(0).standard_normal(4000)
    recording[1000:3000] = 0.25  # a lead off
    X = np.sin(np.linspace(0, 200, 50 * 256)).reshape(50, 256)
    with pytest.raises(ValueError, match="constant over 2000 samples from sample 1000"):
        RecordedNoise(recording, snr=6.0).apply(X, random_state=0)
    with pytest.raises(ValueError, match="constant over 1000 samples from sample 2000"):
        RecordedNoise(recording, segment=(2000, 4000), snr=6.0).apply(
            X[:, :200], random_state=0
        )
    # Shorter series than the flat stretch would draw; an amplitude is fine;
    # so is a segment without it.
    assert RecordedNoise(recording).apply(X, random_state=0).shape == X.shape
    outside = RecordedNoise(recording, segment=(0, 1000), snr=6.0)
    noisy = outside.apply(X, random_state=0)
    np.testing.assert_allclose(snr_db(X, noisy, per_series=True), 6.0)
    # Checking the recording leaves the model's own state alone (sklearn's
    # check_estimators_overwrite_params hashes it).
    before = joblib.hash(outside)
    outside.apply(X, random_state=1)
    assert joblib.hash(outside) == before
    assert set(vars(outside)) == set(outside.get_params())


def test_recorded_noise_checks_a_recording_mended_or_broken_in_place():
    recording = np.random.default_rng(0).standard_normal(4000)
    recording[1000:3000] = 0.25
    X = np.sin(np.linspace(0, 200, 50 * 256)).reshape(50, 256)
    noise = RecordedNoise(recording, snr=6.0)
    with pytest.raises(ValueError, match="constant over 2000 samples"):
        noise.apply(X, random_state=0)
    # Mended in place: the model's check of the recording was remembered.
    recording[1000:3000] = np.random.default_rng(1).standard_normal(2000)
    np.testing.assert_allclose(
        snr_db(X, noise.apply(X, random_state=0), per_series=True), 6.0
    )
    # Broken in place after its check: named as such, not as "noise drawn"
    # (-1.235 leaves a rounding residue once its mean is taken off, which
    # was scaled into an offset posing as noise).
    recording[1000:3000] = -1.235
    with pytest.raises(ValueError, match="constant over 2000 samples"):
        for seed in range(40):
            noise.apply(X, random_state=seed)


def test_the_fit_time_check_of_zero_series_leaves_the_warnings_module_alone():
    # It caught the noise's warning with warnings.catch_warnings(record=True),
    # which swaps the printer of the whole process: fits in threads could
    # leave it, and every later warning was lost.
    from skdenoise.noise._base import zero_series_warned

    series = np.zeros((3, 32))
    series[1] = np.sin(np.linspace(0, 6, 32))
    used = []

    def forbidden(*args, **kwargs):
        # (scikit-learn's check_array sets filters of its own: without record)
        if kwargs.get("record"):
            used.append(kwargs)
            raise AssertionError("the warnings module's printer is the process's")
        return original(*args, **kwargs)

    original = warnings.catch_warnings
    warnings.catch_warnings = forbidden
    try:
        zeros = zero_series_warned(WhiteNoise(snr=6.0), series)
        # An amplitude reaches zeros: nothing to say of them.
        none = zero_series_warned(WhiteNoise(amplitude=0.1), series)
    except AssertionError:
        zeros = none = None
    finally:
        warnings.catch_warnings = original
    assert not used
    np.testing.assert_array_equal(zeros, [0, 2])
    assert not len(none)


def test_mixture_warns_of_zero_series_only_when_they_get_no_noise():
    # A component with an SNR target warned that a series of zeros "gets no
    # noise" while the mixture's other component gave it noise; with both
    # levels set by SNR, the same series was warned of twice.
    from skdenoise.noise._base import zero_series_warned

    X = np.vstack([np.zeros(720), np.sin(np.linspace(0, 30, 720))])
    mix = NoiseMixture(
        [BaselineWander(snr=6.0), WhiteNoise(amplitude=0.1)], weights=[1.0, 1.0]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        noisy = mix.apply(X, random_state=0)
    assert np.sqrt(np.mean(noisy[0] ** 2)) > 0.05
    assert len(zero_series_warned(mix, X[:, :, None])) == 0
    with pytest.warns(UserWarning, match=r"index 0\) are all zeros") as caught:
        NoiseMixture([WhiteNoise(snr=3.0)], snr=3.0).apply(X, random_state=0)
    assert len(caught) == 1
    only_snr = NoiseMixture([BaselineWander(snr=6.0), WhiteNoise(snr=3.0)])
    with pytest.warns(UserWarning, match="give the mixture's components amplitudes"):
        noisy = only_snr.apply(X, random_state=0)
    np.testing.assert_array_equal(noisy[0], 0.0)
    assert list(zero_series_warned(only_snr, X[:, :, None])) == [0]


def test_small_parameter_checks_of_mixtures_muscle_and_snr_arrays():
    X = np.ones((2, 500))
    with pytest.raises(TypeError, match="weights must be numbers, not bools"):
        NoiseMixture([WhiteNoise(), WhiteNoise()], weights=[True, False]).apply(X)
    with pytest.raises(ValueError, match="burst_frequency=1000.0 Hz must be below"):
        MuscleNoise(burst_frequency=1000, sampling_rate=360).apply(X)
    with pytest.raises(TypeError, match=r"pass tuple\(snr\) for a range"):
        WhiteNoise(snr=np.array([0.0, 12.0])).apply(X)
    assert WhiteNoise(snr=np.float64(3.0)).apply(X, random_state=0).shape == X.shape


def test_a_curriculum_checks_a_recording_once_not_at_every_step(monkeypatch):
    # Each step's copy of the noise model checked the whole recording again
    # (NaN scan and flat runs): training drew noise four times slower.
    from skdenoise.neural._batches import HardFirstCurriculum
    from skdenoise.noise import _models

    calls = []
    original = _models._longest_flat_run
    monkeypatch.setattr(
        _models, "_longest_flat_run", lambda r: calls.append(1) or original(r)
    )
    curriculum = HardFirstCurriculum(RecordedNoise(RECORDING, snr=(-6, 30)), 12, 50)
    X = np.random.default_rng(0).standard_normal((4, 64, 2))
    for step in range(5):
        curriculum.noise_at(step).apply(X, random_state=step)
    assert len(calls) == 1
