import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skdenoise.augment import (
    AugmentationChain,
    BaseAugmentation,
    RandomDrift,
    RandomFlip,
    RandomScale,
    RandomTimeWarp,
)

ALL = [
    RandomFlip(),
    RandomFlip(sign=False, time=True),
    RandomScale(),
    RandomTimeWarp(),
    AugmentationChain([RandomFlip(time=True), RandomTimeWarp(), RandomScale()]),
    RandomDrift(sampling_rate=200.0, p=1.0),
]
IDS = ["flip", "time_flip", "scale", "warp", "chain", "drift"]
# The transforms that are linear in the series (the drift is added instead).
LINEAR = [(aug, name) for aug, name in zip(ALL, IDS, strict=True) if name != "drift"]


@pytest.fixture(scope="module")
def series():
    t = np.linspace(0.0, 1.0, 200)
    rng = np.random.default_rng(0)
    return np.sin(2 * np.pi * (3 + rng.random((16, 1))) * t) + 0.1 * rng.random((16, 1))


@pytest.mark.parametrize("aug", ALL, ids=IDS)
def test_shape_dtype_reproducible_and_inputs_untouched(aug, series):
    for X in [series, series.astype(np.float32), np.stack([series, -series], axis=2)]:
        before = X.copy()
        (out,) = aug.apply(X, random_state=3)
        assert out.shape == X.shape and out.dtype == X.dtype
        assert np.array_equal(X, before)
        assert np.all(np.isfinite(out))
        (again,) = aug.apply(X, random_state=3)
        assert np.array_equal(out, again)
    (other,) = aug.apply(series, random_state=4)
    assert not np.array_equal(out[..., 0], other) or isinstance(aug, RandomFlip)


@pytest.mark.parametrize(
    "aug",
    [AugmentationChain([]), RandomFlip(p=0.0), RandomTimeWarp((1.0, 1.0))],
    ids=["empty chain", "flip never", "warp by 1"],
)
def test_what_changes_nothing_still_returns_copies(aug, series):
    # An empty chain handed back the input itself: writing into the result
    # wrote into the user's array (and a read-only input came back read-only).
    X = series.copy()
    X.setflags(write=False)
    (out,) = aug.apply(X, random_state=0)
    assert not np.shares_memory(out, X) and out.flags.writeable
    assert np.array_equal(out, series)


@pytest.mark.parametrize("aug", [a for a, _ in LINEAR], ids=[n for _, n in LINEAR])
def test_aligned_arrays_get_the_same_transform(aug, series):
    # A linear transform applied to noisy = clean + noise equals the transform
    # of the clean series plus that of the noise: the pair stays aligned.
    noise = np.random.default_rng(1).standard_normal(series.shape)
    noisy_out, clean_out, noise_out = aug.apply(
        series + noise, series, noise, random_state=7
    )
    np.testing.assert_allclose(noisy_out, clean_out + noise_out, atol=1e-12)


def test_flip_does_what_it_says(series):
    (neg,) = RandomFlip(sign=True, time=False, p=1.0).apply(series)
    np.testing.assert_array_equal(neg, -series)
    (rev,) = RandomFlip(sign=False, time=True, p=1.0).apply(series)
    np.testing.assert_array_equal(rev, series[:, ::-1])
    (same,) = RandomFlip(sign=True, time=True, p=0.0).apply(series)
    np.testing.assert_array_equal(same, series)
    # p=0.5 flips about half of many series.
    (half,) = RandomFlip(p=0.5).apply(np.ones((2000, 3)), random_state=0)
    assert 0.45 < np.mean(half[:, 0] < 0) < 0.55


def test_scale_range(series):
    (out,) = RandomScale(scale=(0.5, 2.0)).apply(series, random_state=0)
    factor = out[:, 0] / series[:, 0]
    np.testing.assert_allclose(out, series * factor[:, None])
    assert np.all((factor >= 0.5) & (factor <= 2.0))
    assert factor.min() < 0.9 and factor.max() > 1.1


def test_time_warp_stretches_a_waveform():
    # A Gaussian bump at the centre gets wider by the warp factor.
    t = np.arange(401.0)
    bump = np.exp(-0.5 * ((t - 200) / 10) ** 2)[None, :]
    rng = np.random.default_rng(0)
    warp = RandomTimeWarp(factor=1.5)
    # Centre drawn at random: compare the widths, which do not depend on it.
    (out,) = warp.apply(bump, random_state=rng)
    width_in = (bump > 0.5).sum()
    width_out = (out > 0.5).sum()
    assert abs(width_out / width_in - 1.5) < 0.1
    (same,) = RandomTimeWarp(factor=1.0).apply(bump)
    np.testing.assert_allclose(same, bump)
    # Compression keeps values within the input's range (mirrored ends, no padding).
    (short,) = RandomTimeWarp(factor=0.5).apply(bump, random_state=1)
    assert short.min() >= bump.min() - 1e-12 and short.max() <= bump.max() + 1e-12


def test_drift_is_slow_sized_on_the_clean_series_and_shared_by_a_pair():
    fs = 360.0
    t = np.arange(720) / fs
    rng = np.random.default_rng(0)
    clean = np.sin(2 * np.pi * 8.0 * t) * (1.0 + rng.random((300, 1)))
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    drift = RandomDrift(sampling_rate=fs, frequency=(0.5, 1.0), amplitude=(0.1, 0.4))
    noisy_out, clean_out = drift.apply(noisy, clean, random_state=1)
    added = clean_out - clean
    # The same drift in both, so the pair's noise is unchanged.
    np.testing.assert_allclose(noisy_out - clean_out, noisy - clean, atol=1e-12)
    ratio = np.sqrt(np.mean(added**2, axis=1) / np.mean(clean**2, axis=1))
    has = ratio > 0
    # About half of the series get one (p=0.5), sized in the amplitude range.
    assert 0.4 < has.mean() < 0.6
    assert np.all((ratio[has] >= 0.1 - 1e-9) & (ratio[has] <= 0.4 + 1e-9))
    np.testing.assert_allclose(added.mean(axis=1), 0.0, atol=1e-12)
    # Slow: nearly all of its energy lies below 1.5 Hz.
    spectrum = np.abs(np.fft.rfft(added[has], axis=1)) ** 2
    freqs = np.fft.rfftfreq(clean.shape[1], 1 / fs)
    assert spectrum[:, freqs <= 1.5].sum() / spectrum.sum() > 0.95
    # p=0 leaves the series as they are; channels get their own drift.
    (same,) = RandomDrift(sampling_rate=fs, p=0.0).apply(clean, random_state=0)
    np.testing.assert_array_equal(same, clean)
    two = np.stack([clean, clean], axis=2)
    (out,) = RandomDrift(sampling_rate=fs, amplitude=0.3, p=1.0).apply(
        two, random_state=0
    )
    assert not np.allclose(out[..., 0], out[..., 1])


@pytest.mark.parametrize("magnitude", [1e-170, 1e160])
def test_drift_is_sized_at_extreme_magnitudes(magnitude):
    # Squaring the series overflowed (an infinite drift) or underflowed (none).
    x = np.sin(np.linspace(0.0, 60.0, 720))[None, :]
    (y,) = RandomDrift(amplitude=0.5, p=1.0).apply(x * magnitude, random_state=0)
    assert np.all(np.isfinite(y))
    drift = y / magnitude - x
    np.testing.assert_allclose(np.sqrt(np.mean(drift**2)) / x.std(), 0.5, rtol=1e-9)


@pytest.mark.parametrize(
    "aug, match",
    [
        (RandomDrift(frequency=(0.5, 200.0)), "Nyquist"),
        (RandomDrift(amplitude=(-0.1, 0.2)), "non-negative"),
        (RandomDrift(sampling_rate=0.0), "sampling_rate must be positive"),
        (RandomDrift(p=2.0), "p must be in"),
        (RandomFlip(p=1.5), "p must be in"),
        (RandomFlip(p=np.nan), "^p must be finite"),
        (RandomScale(scale=(2.0, 1.0)), "low <= high"),
        (RandomScale(scale=(0.0, 1.0)), "must be positive"),
        # The value given, not the pair made of it ("got (0, 0)").
        (RandomScale(scale=0), r"scale must be positive; got 0\.$"),
        (RandomScale(scale=np.inf), r"^scale must be finite; got inf\.$"),
        (RandomTimeWarp(factor=(1, 2, 3)), "pair"),
        (AugmentationChain([RandomFlip(), "flip"]), "list of skdenoise.augment"),
    ],
)
def test_bad_parameters_are_named(aug, match, series):
    with pytest.raises((ValueError, TypeError), match=match):
        aug.apply(series)


def test_bad_arrays_are_named(series):
    with pytest.raises(ValueError, match="one shape"):
        RandomFlip().apply(series, series[:, :10])
    with pytest.raises(ValueError, match="NaN"):
        RandomFlip().apply(np.full((2, 5), np.nan))
    with pytest.raises(TypeError, match="at least one array"):
        RandomFlip().apply()


def test_clone_pickle_and_params():
    chain = AugmentationChain([RandomFlip(p=0.2), RandomTimeWarp((0.9, 1.1))])
    assert isinstance(chain, BaseAugmentation)
    assert clone(chain).get_params()["steps"][0].p == 0.2
    restored = pickle.loads(pickle.dumps(chain))
    X = np.arange(20.0).reshape(2, 10)
    np.testing.assert_array_equal(
        restored.apply(X, random_state=0)[0], chain.apply(X, random_state=0)[0]
    )


# ------------------------------------------------------------- in a denoiser
def _tiny_unet(**params):
    from skdenoise import UNetDenoiser

    defaults = {"filters": 4, "depth": 1, "kernel_size": 3, "epochs": 2}
    return UNetDenoiser(**{**defaults, "random_state": 0, **params})


def test_denoiser_trains_with_augmentation_and_stays_reproducible(series):
    aug = AugmentationChain([RandomFlip(time=True), RandomTimeWarp()])
    noisy = series + 0.2 * np.random.default_rng(2).standard_normal(series.shape)
    before = (noisy.copy(), series.copy())
    for args in [(series,), (noisy, series)]:
        a = _tiny_unet(augment=aug).fit(*args)
        b = _tiny_unet(augment=aug).fit(*args)
        plain = _tiny_unet().fit(*args)
        np.testing.assert_array_equal(a.transform(noisy), b.transform(noisy))
        # The augmentation changes what the network sees, so the weights differ.
        assert not np.array_equal(a.transform(noisy), plain.transform(noisy))
    np.testing.assert_array_equal(noisy, before[0])
    np.testing.assert_array_equal(series, before[1])
    assert _tiny_unet(augment=aug).get_params()["augment__steps"][0].time is True


def test_denoiser_rejects_what_is_not_an_augmentation(series):
    with pytest.raises(ValueError, match="augment"):
        _tiny_unet(augment="flip").fit(series)
    with pytest.raises(ValueError, match="p must be in"):
        _tiny_unet(augment=RandomFlip(p=2.0)).fit(series)
    with pytest.raises(TypeError, match="list of skdenoise.augment"):
        _tiny_unet(augment=AugmentationChain([RandomFlip(), None])).fit(series)


def test_augmentation_near_the_float32_limit_is_an_error_not_infinities():
    from skdenoise.augment import RandomScale

    X = (np.linspace(-1, 1, 50) * 3e38).astype(np.float32)[None]
    with pytest.raises(ValueError, match="beyond the range of float32"):
        RandomScale(2.0).apply(X, random_state=0)
    (out,) = RandomScale(2.0).apply(X / 1e30, random_state=0)
    assert out.dtype == np.float32 and np.all(np.isfinite(out))


def test_augmentation_beyond_float64_advises_rescaling_only():
    import warnings

    from skdenoise.augment import RandomScale, from_names

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning either
        with pytest.raises(ValueError, match=r"float64 series\. Rescale them"):
            RandomScale(4.0).apply(np.full((1, 4), 1e308), random_state=0)
    with pytest.raises(TypeError, match="list of augmentation names"):
        from_names(5)
