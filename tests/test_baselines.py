import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import ndimage, signal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skdenoise import baselines
from skdenoise.baselines import (
    BandpassDenoiser,
    MedianDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)
from skdenoise.classical._filters import _sure_threshold
from skdenoise.exceptions import TargetIgnoredWarning
from skdenoise.metrics import snr, snr_scorer

from ._discovery import expected_failed_checks, stable_parametrize_with_checks

ALL_CLASSES = [
    WaveletDenoiser,
    BandpassDenoiser,
    SavitzkyGolayDenoiser,
    WienerDenoiser,
    MedianDenoiser,
]

ESTIMATORS = [
    WaveletDenoiser(),
    WaveletDenoiser(threshold="sure", noise_estimate="level", wavelet="db2"),
    WaveletDenoiser(threshold="bayes", mode="hard", signal_extension="periodization"),
    BandpassDenoiser(),
    BandpassDenoiser(low_cutoff=None, notch=50.0),
    SavitzkyGolayDenoiser(),
    WienerDenoiser(),
    MedianDenoiser(),
]


@stable_parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_public_module():
    assert sorted(baselines.__all__) == sorted(cls.__name__ for cls in ALL_CLASSES)
    for cls in ALL_CLASSES:
        assert getattr(baselines, cls.__name__) is cls


# --------------------------------------------------------------------------- #
# Shapes, dtypes and inputs
# --------------------------------------------------------------------------- #


def _noisy_batch(shape, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(shape[1]) / 360.0
    clean = np.sin(2 * np.pi * 5 * t)
    clean = clean.reshape((1, -1) + (1,) * (len(shape) - 2))
    return clean + 0.3 * rng.standard_normal(shape)


@pytest.mark.parametrize("cls", ALL_CLASSES)
@pytest.mark.parametrize("shape", [(3, 400), (3, 400, 2), (2, 400, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_shape_and_dtype_preserved(cls, shape, dtype):
    X = (10 * _noisy_batch(shape)).astype(dtype)
    out = cls().fit(X).transform(X)
    assert out.shape == X.shape
    expected = np.float32 if dtype == np.float32 else np.float64
    assert out.dtype == expected
    assert np.all(np.isfinite(out))
    assert_allclose(cls().fit_transform(X), out)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_input_not_modified(cls):
    X = _noisy_batch((3, 300, 2))
    X_copy = X.copy()
    X.setflags(write=False)
    out = cls().fit(X).transform(X)
    assert_array_equal(X, X_copy)
    assert not np.shares_memory(out, X)
    out[...] = 0.0
    assert_array_equal(X, X_copy)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_channels_and_series_filtered_independently(cls):
    X = _noisy_batch((4, 300, 3), seed=1)
    X[:, :, 1] *= 5.0
    out = cls().fit(X).transform(X)
    for c in range(X.shape[2]):
        X2 = X[:, :, c]
        assert_allclose(cls().fit(X2).transform(X2), out[:, :, c], atol=1e-10)
    single = cls().fit(X[2:3]).transform(X[2:3])
    assert_allclose(single, out[2:3], atol=1e-10)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_lists_and_2d_3d_equivalence(cls):
    X = _noisy_batch((2, 200))
    out2 = cls().fit(X).transform(X)
    out3 = cls().fit(X[:, :, None]).transform(X[:, :, None])
    assert_allclose(out2, out3[:, :, 0])
    assert_allclose(cls().fit(X.tolist()).transform(X.tolist()), out2)


def test_length_free_filters_are_the_ones_that_learn_nothing_from_the_length():
    free = {cls.__name__ for cls in ALL_CLASSES if cls._any_length}
    assert free == {"BandpassDenoiser", "WienerDenoiser", "MedianDenoiser"}
    # A fit on 3,600 samples denoises 1,800 as a fit on them does.
    X = _noisy_batch((1, 3600))
    for cls in ALL_CLASSES:
        if cls._any_length:
            est = cls().fit(X)
            assert_allclose(
                est.transform(X[:, :1800]), cls().fit_transform(X[:, :1800])
            )


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_transform_checks_fitted_shape(cls):
    with pytest.raises(NotFittedError):
        cls().transform(np.zeros((2, 50)))
    est = cls().fit(np.zeros((2, 50)))
    if cls._any_length:
        # Filters that learn nothing from the length take series of any length,
        # and give what a fit on those series gives.
        X = _noisy_batch((2, 40))
        assert_allclose(est.transform(X), cls().fit(X).transform(X))
    else:
        msg = f"X has 40 features, but {cls.__name__} is expecting 50 features"
        with pytest.raises(ValueError, match=msg):
            est.transform(np.zeros((2, 40)))
    with pytest.raises(ValueError, match="channel"):
        est.transform(np.zeros((2, 50, 2)))
    # 2-D input and 3-D input with one channel are interchangeable
    assert est.transform(np.zeros((2, 50, 1))).shape == (2, 50, 1)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_fit_target_is_validated_but_ignored(cls):
    X = _noisy_batch((4, 128))
    clean = _noisy_batch((4, 128), seed=3)
    reference = cls().fit(X).transform(X)
    assert_allclose(cls().fit(X, clean).transform(X), reference)
    # One policy in every family: a 1-D y is ignored with a warning.
    with pytest.warns(TargetIgnoredWarning, match="cannot be a clean target"):
        assert_allclose(cls().fit(X, np.arange(4)).transform(X), reference)
    # A filter learns nothing from y: one of another shape (the targets of a
    # regressor after it in a Pipeline) is ignored too...
    with pytest.warns(TargetIgnoredWarning, match="learns nothing from y"):
        assert_allclose(cls().fit(X, clean[:, :100]).transform(X), reference)
    # ...but not one of another number of series, which is a mistake.
    with pytest.raises(ValueError, match="same shape as X"):
        cls().fit(X, clean[:3])
    with pytest.raises(ValueError, match="3 values for 4 series"):
        cls().fit(X, np.arange(3))


def test_score_is_snr():
    clean = _noisy_batch((3, 512), seed=0) * 0 + np.sin(np.linspace(0, 20, 512))
    noisy = clean + 0.2 * np.random.default_rng(0).standard_normal(clean.shape)
    est = WaveletDenoiser().fit(noisy)
    assert est.score(noisy, clean) == pytest.approx(snr(clean, est.transform(noisy)))
    assert snr_scorer(est, noisy, clean) == pytest.approx(est.score(noisy, clean))


# --------------------------------------------------------------------------- #
# Known answers
# --------------------------------------------------------------------------- #


def test_bandpass_removes_drift_and_tone():
    fs = 360.0
    t = np.arange(int(30 * fs)) / fs
    clean = np.sin(2 * np.pi * 10 * t)
    drift = 0.8 * np.sin(2 * np.pi * 0.1 * t)
    tone = 0.5 * np.sin(2 * np.pi * 100 * t)
    X = np.stack([clean + drift + tone, 2 * clean + drift])
    expected = np.stack([clean, 2 * clean])
    out = BandpassDenoiser(sampling_rate=fs).fit_transform(X)
    interior = slice(int(6 * fs), int(24 * fs))
    assert np.max(np.abs(out - expected)[:, interior]) < 0.01

    # a low-pass keeps the drift, a high-pass keeps the tone
    low = BandpassDenoiser(sampling_rate=fs, low_cutoff=None).fit_transform(X[:1])
    assert_allclose(low[0, interior], (clean + drift)[interior], atol=0.01)
    high = BandpassDenoiser(sampling_rate=fs, high_cutoff=None).fit_transform(X[:1])
    assert_allclose(high[0, interior], (clean + tone)[interior], atol=0.01)


def test_bandpass_notch_removes_powerline():
    fs = 500.0
    t = np.arange(int(10 * fs)) / fs
    clean = np.sin(2 * np.pi * 8 * t)
    X = (clean + 0.5 * np.sin(2 * np.pi * 50 * t))[np.newaxis]
    interior = slice(int(2 * fs), int(8 * fs))
    plain = BandpassDenoiser(sampling_rate=fs, low_cutoff=None, high_cutoff=None)
    assert_array_equal(plain.fit_transform(X), X)
    assert plain.sos_.shape == (0, 6)
    notch = BandpassDenoiser(
        sampling_rate=fs, low_cutoff=None, high_cutoff=None, notch=50.0
    )
    out = notch.fit_transform(X)
    assert np.max(np.abs(out[0, interior] - clean[interior])) < 0.01


def test_bandpass_matches_sosfiltfilt():
    X = _noisy_batch((2, 1000, 2))
    est = BandpassDenoiser(sampling_rate=250.0, low_cutoff=1.0, high_cutoff=30.0)
    sos = signal.butter(4, [1.0, 30.0], btype="bandpass", fs=250.0, output="sos")
    assert_allclose(est.fit(X).sos_, sos)
    assert_allclose(est.transform(X), signal.sosfiltfilt(sos, X, axis=1))


@pytest.mark.parametrize("n_timesteps", [1, 2, 5, 20])
def test_bandpass_short_series(n_timesteps):
    X = _noisy_batch((3, n_timesteps, 2))
    out = BandpassDenoiser(notch=60.0).fit_transform(X)
    assert out.shape == X.shape
    assert np.all(np.isfinite(out))


def _blocks(t):
    pos = np.array([0.1, 0.13, 0.15, 0.23, 0.25, 0.40, 0.44, 0.65, 0.76, 0.78, 0.81])
    height = np.array([4, -5, 3, -4, 5, -4.2, 2.1, 4.3, -3.1, 2.1, -4.2])
    return np.sum(height * (1 + np.sign(t[:, None] - pos)) / 2, axis=1)


def _at_0db(clean, seed):
    noise = np.random.default_rng(seed).standard_normal(clean.shape)
    scale = np.sqrt(np.sum(clean**2, axis=1) / np.sum(noise**2, axis=1))
    return clean + scale[:, None] * noise


@pytest.mark.parametrize("threshold", ["universal", "bayes", "sure"])
@pytest.mark.parametrize("mode", ["soft", "hard"])
@pytest.mark.parametrize("name", ["blocks", "sine"])
def test_wavelet_improves_snr_at_0db(threshold, mode, name):
    t = np.linspace(0, 1, 1024)
    shape = _blocks(t) if name == "blocks" else np.sin(2 * np.pi * 5 * t)
    clean = np.tile(shape, (8, 1))
    noisy = _at_0db(clean, seed=1)
    assert abs(snr(clean, noisy)) < 1e-6
    est = WaveletDenoiser(threshold=threshold, mode=mode).fit(noisy)
    assert est.level_ == 5
    assert est.score(noisy, clean) > 7.0


def test_wavelet_noise_estimate_level_handles_coloured_noise():
    rng = np.random.default_rng(2)
    t = np.linspace(0, 1, 1024)
    clean = np.tile(np.sin(2 * np.pi * 3 * t), (6, 1))
    white = rng.standard_normal(clean.shape)
    coloured = signal.lfilter([1.0], [1.0, -0.8], white, axis=1)
    noisy = clean + 0.1 * coloured
    finest = WaveletDenoiser(noise_estimate="finest").fit(noisy).score(noisy, clean)
    level = WaveletDenoiser(noise_estimate="level").fit(noisy).score(noisy, clean)
    assert level > finest
    assert level > snr(clean, noisy) + 3


def test_wavelet_level_selection_and_short_series():
    assert WaveletDenoiser().fit(np.zeros((1, 4096))).level_ == 5
    assert WaveletDenoiser(level=2).fit(np.zeros((1, 4096))).level_ == 2
    # sym8 has 16 taps: dwt_max_level(100, 16) == 2
    assert WaveletDenoiser(level=4).fit(np.zeros((1, 100))).level_ == 2
    X = _noisy_batch((2, 10))
    est = WaveletDenoiser().fit(X)
    assert est.level_ == 0
    assert_array_equal(est.transform(X), X)
    assert WaveletDenoiser(wavelet="haar").fit(X).level_ == 3


def test_wavelet_exact_for_zero_noise_estimate():
    # a constant series has no detail energy: sigma is 0 and nothing is changed
    X = np.full((2, 256, 2), 3.0)
    for threshold in ["universal", "bayes", "sure"]:
        out = WaveletDenoiser(threshold=threshold).fit_transform(X)
        assert_allclose(out, X, atol=1e-10)


def test_sure_threshold_minimises_risk():
    rng = np.random.default_rng(3)
    m = 200
    sparse = np.zeros(m)
    sparse[:20] = rng.normal(0, 6, 20)
    dense = rng.normal(0, 2, m)
    detail = np.stack([sparse + rng.standard_normal(m), dense + rng.standard_normal(m)])
    detail = detail[:, :, None]
    sigma = np.ones((2, 1, 1))
    t = _sure_threshold(detail, sigma, m)[:, 0, 0]

    def risk(x, thr):
        return m - 2 * np.sum(np.abs(x) <= thr) + np.sum(np.minimum(x**2, thr**2))

    universal = np.sqrt(2 * np.log(m))
    for i in range(2):
        x = detail[i, :, 0]
        energy = (np.sum(x**2) - m) / m
        if energy <= np.log2(m) ** 1.5 / np.sqrt(m):
            assert t[i] == pytest.approx(universal)
            continue
        grid = np.concatenate([[0.0], np.abs(x)])
        grid = grid[grid <= universal]
        best = grid[np.argmin([risk(x, g) for g in grid])]
        assert t[i] == pytest.approx(best)
    # the dense level is not sparse, the sparse one uses a positive threshold
    assert 0 < t[1] < universal
    assert t[0] > 0


def test_wiener_matches_scipy_on_interior():
    rng = np.random.default_rng(4)
    x = np.cumsum(rng.standard_normal(500)) + 0.5 * rng.standard_normal(500)
    half = 7
    interior = slice(half, -half)
    est = WienerDenoiser(window_length=15, noise_power=0.3)
    out = est.fit_transform(x[np.newaxis])[0]
    expected = signal.wiener(x, 15, noise=0.3)
    assert_allclose(out[interior], expected[interior], rtol=1e-7, atol=1e-9)

    # estimated noise: only the edge windows differ from scipy's zero padding
    x = np.sin(np.linspace(0, 60, 4000)) + 0.5 * rng.standard_normal(4000)
    out = WienerDenoiser(window_length=15).fit_transform(x[np.newaxis])[0]
    expected = signal.wiener(x, 15)
    assert_allclose(out[interior], expected[interior], atol=5e-3)


def test_wiener_zero_noise_is_identity_and_constant_is_kept():
    X = _noisy_batch((2, 100))
    out = WienerDenoiser(noise_power=0.0).fit_transform(X)
    assert_allclose(out, X)
    C = np.full((2, 50), -2.0)
    assert_allclose(WienerDenoiser().fit_transform(C), C)


def test_median_matches_medfilt_on_interior():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(300)
    x[::17] += 8.0
    out = MedianDenoiser(window_length=7).fit_transform(x[np.newaxis])[0]
    expected = signal.medfilt(x, 7)
    assert_allclose(out[3:-3], expected[3:-3])
    assert np.max(np.abs(out)) < 4


def test_median_window_longer_than_the_series_is_deterministic():
    # scipy.ndimage.median_filter alone reads past such series and returns
    # values that change between calls.
    from numpy.lib.stride_tricks import sliding_window_view

    def reference(X, width):
        # Mirror reflection (d c b a | a b c d | d c b a), repeated as needed.
        padded = np.pad(X, ((0, 0), (width // 2,) * 2, (0, 0)), mode="symmetric")
        return np.median(sliding_window_view(padded, width, axis=1), axis=-1)

    rng = np.random.default_rng(1)
    for _ in range(200):
        X = rng.normal(size=(3, int(rng.integers(1, 6)), 2)) * 3
        model = MedianDenoiser(window_length=31).fit(X)
        out = model.transform(X)
        assert_allclose(out, reference(X, 31))
        assert_array_equal(model.transform(X), out)
        assert_array_equal(model.transform(X[:1]), out[:1])
    # Where the window fits, it is ndimage's "reflect" mode exactly.
    X = rng.normal(size=(2, 40, 1))
    expected = ndimage.median_filter(X, size=(1, 7, 1), mode="reflect")
    assert_array_equal(MedianDenoiser(window_length=7).fit_transform(X), expected)


def test_savgol_matches_scipy_and_adapts_to_short_series():
    X = _noisy_batch((3, 200, 2))
    est = SavitzkyGolayDenoiser(window_length=11, polyorder=2).fit(X)
    assert_allclose(
        est.transform(X), signal.savgol_filter(X, 11, 2, mode="interp", axis=1)
    )
    assert (est.window_length_, est.polyorder_) == (11, 2)

    est = SavitzkyGolayDenoiser(window_length=15, polyorder=3).fit(np.zeros((1, 8)))
    assert (est.window_length_, est.polyorder_) == (7, 3)
    short = _noisy_batch((2, 4))
    est = SavitzkyGolayDenoiser(window_length=15, polyorder=3).fit(short)
    assert (est.window_length_, est.polyorder_) == (3, 2)
    assert_allclose(est.transform(short), short)
    mirror = SavitzkyGolayDenoiser(mode="mirror").fit(short)
    assert mirror.window_length_ == 15
    assert mirror.transform(short).shape == short.shape


# --------------------------------------------------------------------------- #
# Model selection and pipelines
# --------------------------------------------------------------------------- #


def _sine_dataset(n_series=24, n_timesteps=512, seed=6):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n_timesteps)
    freqs = rng.uniform(2, 6, size=(n_series, 1))
    clean = np.sin(2 * np.pi * freqs * t)
    return clean + 0.4 * rng.standard_normal(clean.shape), clean


@pytest.mark.parametrize("scoring", [None, snr_scorer])
def test_grid_search_selects_wavelet_parameters(scoring):
    noisy, clean = _sine_dataset()
    grid = {"wavelet": ["haar", "sym8"], "threshold": ["universal", "sure"]}
    search = GridSearchCV(
        WaveletDenoiser(), grid, scoring=scoring, cv=KFold(3), n_jobs=1
    )
    search.fit(noisy, clean)
    assert search.best_params_["wavelet"] == "sym8"
    assert isinstance(search.best_estimator_, WaveletDenoiser)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    assert search.best_score_ == pytest.approx(np.max(scores))
    assert search.best_score_ > snr(clean, noisy) + 5
    assert search.score(noisy, clean) == pytest.approx(
        snr(clean, search.best_estimator_.transform(noisy))
    )


def test_highpass_then_wavelet_pipeline():
    fs = 360.0
    rng = np.random.default_rng(7)
    t = np.arange(int(20 * fs)) / fs
    clean = np.stack([np.sin(2 * np.pi * f * t) for f in (5.0, 8.0, 12.0)])
    drift = 2.0 * np.sin(2 * np.pi * 0.15 * t + rng.uniform(0, 6, (3, 1)))
    noisy = clean + drift + 0.3 * rng.standard_normal(clean.shape)
    pipe = Pipeline(
        [
            ("highpass", BandpassDenoiser(sampling_rate=fs, high_cutoff=None)),
            ("wavelet", WaveletDenoiser()),
        ]
    )
    pipe.fit(noisy, clean)
    interior = slice(int(5 * fs), int(15 * fs))
    out = pipe.transform(noisy)
    assert out.shape == noisy.shape
    gain = snr(clean[:, interior], out[:, interior]) - snr(
        clean[:, interior], noisy[:, interior]
    )
    assert gain > 10
    assert pipe.score(noisy, clean) > snr(clean, noisy) + 5
    wavelet_only = WaveletDenoiser().fit(noisy).score(noisy, clean)
    assert pipe.score(noisy, clean) > wavelet_only
    search = GridSearchCV(
        clone(pipe), {"wavelet__threshold": ["universal", "bayes"]}, cv=KFold(3)
    ).fit(noisy, clean)
    assert search.best_params_["wavelet__threshold"] in {"universal", "bayes"}
    assert make_pipeline(MedianDenoiser(), WienerDenoiser()).fit_transform(
        noisy
    ).shape == (3, len(t))


# --------------------------------------------------------------------------- #
# Parameter errors
# --------------------------------------------------------------------------- #

X_ERR = np.zeros((2, 64))


@pytest.mark.parametrize(
    "est, match",
    [
        (WaveletDenoiser(wavelet="nope"), "'wavelet' parameter"),
        (WaveletDenoiser(level=0), "'level' parameter"),
        (WaveletDenoiser(threshold="minimax"), "'threshold' parameter"),
        (WaveletDenoiser(mode="garrote"), "'mode' parameter"),
        (WaveletDenoiser(noise_estimate="mean"), "'noise_estimate' parameter"),
        (WaveletDenoiser(signal_extension="edge"), "'signal_extension' parameter"),
        (BandpassDenoiser(sampling_rate=0), "'sampling_rate' parameter"),
        (BandpassDenoiser(low_cutoff=-1.0), "'low_cutoff' parameter"),
        (BandpassDenoiser(order=0), "'order' parameter"),
        (BandpassDenoiser(notch_quality=0), "'notch_quality' parameter"),
        (SavitzkyGolayDenoiser(window_length=0), "'window_length' parameter"),
        (SavitzkyGolayDenoiser(mode="reflect"), "'mode' parameter"),
        (WienerDenoiser(noise_power=-1.0), "'noise_power' parameter"),
        (MedianDenoiser(window_length=2.5), "'window_length' parameter"),
    ],
)
def test_invalid_parameters(est, match):
    with pytest.raises(InvalidParameterError, match=match):
        est.fit(X_ERR)


@pytest.mark.parametrize(
    "est, match",
    [
        (BandpassDenoiser(high_cutoff=200.0), r"high_cutoff=200.0 Hz .* Nyquist"),
        (
            BandpassDenoiser(sampling_rate=100.0, low_cutoff=50.0, high_cutoff=None),
            r"low_cutoff=50.0 Hz .* Nyquist frequency sampling_rate / 2 = 50.0",
        ),
        (BandpassDenoiser(notch=180.0), "notch=180.0 Hz must be below"),
        # Wider than the Nyquist frequency: unstable (0.01 diverged to 1e80).
        (BandpassDenoiser(notch=50.0, notch_quality=0.01), "notch_quality=0.01 "),
        (BandpassDenoiser(notch=50.0, notch_quality=0.1), "must be below the Nyq"),
        (
            BandpassDenoiser(low_cutoff=40.0, high_cutoff=40.0),
            "low_cutoff=40.0 Hz must be below high_cutoff=40.0 Hz",
        ),
        (SavitzkyGolayDenoiser(window_length=10), "must be an odd integer"),
        (
            SavitzkyGolayDenoiser(window_length=5, polyorder=5),
            "polyorder=5 must be smaller than window_length=5",
        ),
        (WienerDenoiser(window_length=4), "must be an odd integer"),
        (MedianDenoiser(window_length=6), "must be an odd integer"),
    ],
)
def test_inconsistent_parameters(est, match):
    with pytest.raises(ValueError, match=match):
        est.fit(X_ERR)
    assert not hasattr(est, "n_features_in_")


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_bad_inputs(cls):
    with pytest.raises(ValueError, match="Reshape your data"):
        cls().fit(np.zeros(10))
    with pytest.raises(ValueError, match="4 dimensions"):
        cls().fit(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="NaN"):
        cls().fit(np.full((2, 10), np.nan))


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #

_PARAMS = {
    WaveletDenoiser: st.fixed_dictionaries(
        {
            "wavelet": st.sampled_from(["haar", "db2", "sym8", "coif1"]),
            "level": st.one_of(st.none(), st.integers(1, 7)),
            "threshold": st.sampled_from(["universal", "bayes", "sure"]),
            "mode": st.sampled_from(["soft", "hard"]),
            "noise_estimate": st.sampled_from(["finest", "level"]),
            "signal_extension": st.sampled_from(
                ["symmetric", "periodization", "reflect", "zero", "smooth"]
            ),
        }
    ),
    BandpassDenoiser: st.fixed_dictionaries(
        {
            "low_cutoff": st.sampled_from([None, 0.5, 5.0]),
            "high_cutoff": st.sampled_from([None, 40.0, 150.0]),
            "order": st.integers(1, 6),
            "notch": st.sampled_from([None, 50.0, 60.0]),
        }
    ),
    SavitzkyGolayDenoiser: st.integers(0, 6).flatmap(
        lambda half: st.fixed_dictionaries(
            {
                "window_length": st.just(2 * half + 1),
                "polyorder": st.integers(0, 2 * half),
                "mode": st.sampled_from(
                    ["interp", "mirror", "nearest", "constant", "wrap"]
                ),
            }
        )
    ),
    WienerDenoiser: st.fixed_dictionaries(
        {
            "window_length": st.sampled_from([1, 3, 15, 41]),
            "noise_power": st.one_of(st.none(), st.floats(0, 2)),
        }
    ),
    MedianDenoiser: st.fixed_dictionaries(
        {"window_length": st.sampled_from([1, 3, 5, 31])}
    ),
}


@pytest.mark.parametrize("cls", ALL_CLASSES)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.data(),
    n_series=st.integers(1, 3),
    n_timesteps=st.integers(1, 70),
    n_channels=st.one_of(st.none(), st.integers(1, 3)),
    float32=st.booleans(),
)
def test_any_length_keeps_shape(cls, data, n_series, n_timesteps, n_channels, float32):
    params = data.draw(_PARAMS[cls])
    shape = (n_series, n_timesteps) + (() if n_channels is None else (n_channels,))
    seed = data.draw(st.integers(0, 2**16))
    X = np.random.default_rng(seed).normal(size=shape) * 3.0
    if float32:
        X = X.astype(np.float32)
    X_copy = X.copy()
    est = cls(**params).fit(X)
    out = est.transform(X)
    assert out.shape == X.shape
    assert out.dtype == X.dtype
    assert np.all(np.isfinite(out))
    assert_array_equal(X, X_copy)
    if n_series > 1:
        assert_allclose(
            est.transform(X[:1]), out[:1], rtol=1e-5 if float32 else 1e-9, atol=1e-5
        )


@pytest.mark.parametrize(
    "cls, changed",
    [
        (MedianDenoiser, {"window_length": 4}),
        (WienerDenoiser, {"window_length": 0}),
        (WaveletDenoiser, {"wavelet": "sym8"}),
    ],
)
def test_transform_uses_the_settings_of_fit_until_the_next_fit(cls, changed):
    X = _noisy_batch((3, 64))
    est = cls().fit(X)
    expected = est.transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(est.set_params(**changed).transform(X), expected)
    if cls is WaveletDenoiser:
        # sym8 is valid: the next fit uses it, with a level that suits it.
        assert est.fit(X).wavelet_ == "sym8"
    else:
        with pytest.raises(ValueError, match="window_length"):
            est.fit(X)  # the next fit checks the new value


@pytest.mark.parametrize(
    "make, bad, name",
    [
        (lambda: WaveletDenoiser(), {"threshold": "bogus"}, "threshold"),
        (lambda: WaveletDenoiser(), {"mode": "bogus"}, "mode"),
        (lambda: WaveletDenoiser(), {"signal_extension": 3}, "signal_extension"),
        (lambda: SavitzkyGolayDenoiser(), {"mode": "bogus"}, "mode"),
        (lambda: WienerDenoiser(), {"noise_power": -1.0}, "noise_power"),
    ],
)
def test_parameters_read_by_transform_are_checked_there(make, bad, name):
    from sklearn.utils._param_validation import InvalidParameterError

    X = np.random.default_rng(0).normal(size=(3, 64))
    denoiser = make().fit(X)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        denoiser.set_params(**bad).transform(X)


def test_bandpass_with_a_vanishing_cutoff_fails_at_fit_with_a_clear_error():
    from skdenoise.classical import BandpassDenoiser

    X = np.random.default_rng(0).normal(size=(2, 500))
    with pytest.raises(ValueError, match="too close to singular"):
        BandpassDenoiser(low_cutoff=1e-7).fit(X)
    assert BandpassDenoiser(low_cutoff=1e-5).fit_transform(X).shape == X.shape


def test_savitzky_golay_follows_a_mode_set_after_fit():
    from skdenoise.classical import SavitzkyGolayDenoiser

    X = np.random.default_rng(0).normal(size=(2, 6))  # shorter than the window
    for fitted, now in (("mirror", "interp"), ("interp", "mirror")):
        changed = SavitzkyGolayDenoiser(mode=fitted).fit(X).set_params(mode=now)
        fresh = SavitzkyGolayDenoiser(mode=now).fit(X)
        assert_array_equal(changed.transform(X), fresh.transform(X))
    # The window and order are those of fit: only mode is read as it is now.
    X = np.random.default_rng(0).normal(size=(2, 50))
    fitted = SavitzkyGolayDenoiser(window_length=11, polyorder=3).fit(X)
    reference = fitted.transform(X)
    for params in ({"window_length": 5}, {"window_length": 4}, {"polyorder": 9}):
        assert_array_equal(fitted.set_params(**params).transform(X), reference)


def test_wiener_without_noise_keeps_tiny_series():
    from skdenoise.classical import WienerDenoiser

    X = np.array([[0.0, 1, 0, 2, 0, 3, 0]])
    for scale in (1.0, 1e-200):
        out = WienerDenoiser(3, noise_power=0.0).fit_transform(X * scale) / scale
        assert_allclose(out, X, atol=1e-12)


def test_median_window_longer_than_scipy_takes_is_named():
    # scipy's median filter raised an empty MemoryError() for windows of about
    # 57,000 samples and more, however much memory was free.
    X = np.zeros((1, 70_000))
    model = MedianDenoiser(window_length=64_801).fit(X)
    with pytest.raises(ValueError, match=r"window_length=64801 is longer than scipy"):
        model.transform(X)


def test_median_passes_a_real_memory_error_on(monkeypatch):
    # Every MemoryError became "window too long", numpy's own included.
    from scipy import ndimage

    def out_of_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 7.28 TiB for an array")

    monkeypatch.setattr(ndimage, "median_filter", out_of_memory)
    model = MedianDenoiser(window_length=5).fit(np.zeros((1, 50)))
    with pytest.raises(MemoryError, match="Unable to allocate"):
        model.transform(np.zeros((1, 50)))
