"""Edge cases of the parts that need no network: refits, shapes, magnitudes.

Each test pins a defect that a review of the classical denoisers, metrics,
noise models, scorers and WFDB writer found, so that it stays fixed.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skdenoise.baselines import (
    BandpassDenoiser,
    MedianDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)
from skdenoise.datasets import read_wfdb, write_wfdb
from skdenoise.metrics import (
    cosine_similarity,
    prd,
    rmse,
    snr,
    snr_improvement_scorer,
    snr_scorer,
    ssd,
)
from skdenoise.model_selection import j_invariant_transform, self_supervised_scorer
from skdenoise.noise import ColoredNoise, ImpulseNoise, RecordedNoise, WhiteNoise
from skdenoise.windowing import WindowedDenoiser


@pytest.fixture
def series():
    rng = np.random.default_rng(0)
    return np.sin(np.linspace(0, 12, 100))[None].repeat(3, 0) + 0.1 * rng.normal(
        size=(3, 100)
    )


@pytest.mark.parametrize(
    "make, bad",
    [
        (BandpassDenoiser, {"low_cutoff": 500.0}),
        (SavitzkyGolayDenoiser, {"polyorder": 20}),
        (
            lambda: WindowedDenoiser(MedianDenoiser(), window_length=8),
            {"stride": 9},
        ),
    ],
)
def test_a_failed_refit_leaves_nothing_of_the_earlier_fit(series, make, bad):
    denoiser = make().fit(series)
    denoiser.set_params(**bad)
    with pytest.raises(ValueError):
        denoiser.fit(series)
    assert not [name for name in vars(denoiser) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        denoiser.transform(series)


@pytest.mark.parametrize(
    "denoiser", [WaveletDenoiser(), MedianDenoiser(), WienerDenoiser()]
)
def test_three_dimensional_series_without_timesteps_are_rejected(denoiser):
    with pytest.raises(ValueError, match=r"0 timestep\(s\).*minimum of 1"):
        denoiser.fit(np.empty((2, 0, 1)))


def test_series_of_different_lengths_get_a_clear_error():
    with pytest.raises(ValueError, match="different lengths"):
        MedianDenoiser().fit([[1.0, 2.0, 3.0], [1.0, 2.0]])


def test_metrics_hold_at_any_magnitude():
    clean = np.sin(np.linspace(0, 6, 100))[None]
    estimate = clean + 0.1
    reference = [f(clean, estimate) for f in (snr, prd, cosine_similarity)]
    for scale in (1e-170, 1e170):
        scaled = [
            f(scale * clean, scale * estimate) for f in (snr, prd, cosine_similarity)
        ]
        np.testing.assert_allclose(scaled, reference, rtol=1e-12)
        assert rmse(scale * clean, scale * estimate) / scale == pytest.approx(0.1)
    assert ssd(1e100 * clean, 1e100 * estimate) / 1e200 == pytest.approx(1.0)
    # Identical large series differ by nothing; a finite sum stays finite.
    large = np.full((1, 4), 1e160)
    assert ssd(large, large) == 0.0
    assert ssd(large / 1e5, large / 1e5 + 1e150) == pytest.approx(4e300)


def test_metrics_and_scaler_hold_up_to_the_largest_float():
    # Above 2**1023 the power of two the series are divided by overflowed to
    # inf: SNR inf, PRD 0, RMSE and the scaled series NaN.
    from skdenoise.preprocessing import SeriesScaler

    clean = np.sin(np.linspace(0, 6, 100))[None]
    estimate = clean + 0.1
    reference = [f(clean, estimate) for f in (snr, prd, cosine_similarity)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaled = [f(1e308 * clean, 1e308 * estimate) for f in (snr, prd)]
        scaled.append(cosine_similarity(1e308 * clean, 1e308 * estimate))
        np.testing.assert_allclose(scaled, reference, rtol=1e-12)
        assert rmse(1e308 * clean, 1e308 * estimate) / 1e308 == pytest.approx(0.1)
        out = SeriesScaler().fit_transform(np.array([[1e308, -1e308, 0.0]]))
    np.testing.assert_allclose(out, [[1.5**0.5, -(1.5**0.5), 0.0]])


def test_a_perfect_estimate_of_a_zero_series_is_perfect():
    zeros = np.zeros((2, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert snr(zeros, zeros) == np.inf
        assert prd(zeros, zeros) == 0.0
        assert snr(zeros, zeros + 1.0) == -np.inf


def test_cosine_similarity_stays_within_minus_one_and_one():
    # The ratio came out as -1.0000000000000002 for opposite series.
    ones = np.ones((2, 3))
    assert cosine_similarity(ones, -ones) == -1.0
    assert np.all(np.abs(cosine_similarity(ones, -ones, per_series=True)) <= 1.0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 7))
    values = cosine_similarity(x, 3.0 * x, per_series=True)
    assert np.all(values <= 1.0)
    assert np.isnan(cosine_similarity(np.zeros((1, 3)), ones[:1]))


def test_snr_improvement_is_the_noise_to_error_ratio_even_of_a_zero_series():
    # It was snr(clean, estimate) - snr(clean, noisy): -inf - -inf, NaN with a
    # RuntimeWarning, for a clean series of zeros; inf - inf when nothing was
    # noisy and nothing was changed.
    from skdenoise.metrics import snr_improvement

    zeros, ones = np.zeros((2, 4)), np.ones((2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gain = snr_improvement(zeros, ones, 0.5 * ones, per_series=True)
        np.testing.assert_allclose(gain, 20 * np.log10(2.0))
        assert snr_improvement(ones, ones, ones) == 0.0
        assert snr_improvement(ones, 2 * ones, ones) == np.inf
    with pytest.warns(UserWarning, match="the estimate changed them"):
        assert snr_improvement(ones, ones, 2 * ones) == -np.inf
    # A change as small as a float32 round trip counts (and is said) too.
    series = np.random.default_rng(0).standard_normal((2, 64))
    noisy = series + [[0.0], [1.0]] * np.random.default_rng(1).standard_normal(
        series.shape
    )
    with pytest.warns(UserWarning, match=r"1 series \(index 0\)"):
        snr_improvement(series, noisy, noisy.astype(np.float32).astype(float) + 1e-9)
    rng = np.random.default_rng(0)
    clean = rng.standard_normal((3, 50))
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    estimate = clean + 0.1 * rng.standard_normal(clean.shape)
    expected = snr(clean, estimate, per_series=True) - snr(
        clean, noisy, per_series=True
    )
    for scale in (1.0, 1e-300, 1e307):
        np.testing.assert_allclose(
            snr_improvement(
                scale * clean, scale * noisy, scale * estimate, per_series=True
            ),
            expected,
            rtol=1e-12,
        )


def test_metrics_name_series_of_different_lengths():
    # numpy's "inhomogeneous shape after 1 dimensions" used to come through.
    ragged = [[1.0, 2.0, 3.0], [1.0, 2.0]]
    with pytest.raises(ValueError, match="clean holds series of different lengths"):
        snr(ragged, ragged)
    with pytest.raises(ValueError, match="estimate holds series of different"):
        rmse([[1.0, 2.0], [3.0, 4.0]], ragged)


def test_metrics_reject_complex_series():
    clean = np.ones((1, 8))
    with pytest.raises(ValueError, match="complex"):
        snr(clean + 1j, clean)
    with pytest.raises(ValueError, match="complex"):
        rmse(clean, clean + 1j)


def test_metrics_name_arguments_that_are_not_numbers_or_bools():
    from skdenoise.metrics import cosine_similarity, snr_improvement

    clean = np.ones((2, 8))
    with pytest.raises(ValueError, match="estimate must hold numbers; got an array"):
        rmse(clean, np.full((2, 8), "a"))
    with pytest.raises(ValueError, match="clean must hold numbers; got an array"):
        snr(np.full((2, 8), "1.0"), clean)
    with pytest.raises(ValueError, match="estimate must hold numbers; got None"):
        cosine_similarity(clean, None)
    with pytest.raises(ValueError, match="noisy must hold numbers"):
        snr_improvement(clean, [[{}] * 8] * 2, clean)
    # A string is true: "False" returned the per-series array.
    with pytest.raises(TypeError, match="per_series must be True or False"):
        snr(clean, clean + 0.1, per_series="False")
    # Time differences are numbers to NumPy, and a 4-D batch was averaged as
    # if flattened: both refused, as the estimators refuse them.
    times = np.arange(8).astype("timedelta64[s]")[np.newaxis]
    with pytest.raises(ValueError, match="clean holds time differences"):
        rmse(times, times + np.timedelta64(1, "s"))
    with pytest.raises(ValueError, match="got 4 dimensions"):
        snr(np.ones((2, 3, 8, 1)), np.ones((2, 3, 8, 1)))
    assert snr(clean, clean + 0.1, per_series=np.bool_(False)) == pytest.approx(20)
    # Numbers written as text in an object array (a CSV read as text) were
    # converted without a word, as the estimators refuse them.
    text = np.array([["1.5", "2.0", "3.0"]], dtype=object)
    with pytest.raises(ValueError, match="clean holds strings"):
        snr(text, [[1.5, 2.0, 3.1]])
    with pytest.raises(ValueError, match="estimate holds strings"):
        rmse([[1.5, 2.0, 3.1]], text)
    # A recording held as a column is 500 series of one sample: SNR -inf and
    # the mean absolute error as RMSE came back.
    column = np.sin(np.linspace(0, 20, 500))[:, np.newaxis]
    with pytest.raises(ValueError, match=r"500 rows are read as series of 1.*\.T"):
        rmse(column, column + 0.1)
    assert rmse(column.T, column.T + 0.1) == pytest.approx(0.1)
    # Series of one sample, which the denoisers take, are scored as such.
    X = np.arange(1.0, 7.0)[:, np.newaxis]
    denoiser = MedianDenoiser().fit(X)
    assert denoiser.transform(X).shape == (6, 1)
    assert np.isfinite(denoiser.score(X, X + 0.1))
    assert snr_scorer(denoiser, X, X + 0.1) == denoiser.score(X, X + 0.1)
    assert np.isfinite(snr_improvement_scorer(denoiser, X + 0.2, X + 0.1))
    assert snr([[2.0]], [[1.0]]) == pytest.approx(10 * np.log10(4))


def test_a_score_against_zero_series_warns_at_the_users_line():
    # warnings.warn(stacklevel=3) pointed into scikit-learn's Pipeline.score
    # and its scorers.
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    X = np.sin(np.linspace(0, 30, 12 * 32)).reshape(12, 32)
    y = X.copy()
    y[:2] = 0.0
    pipeline = make_pipeline(MedianDenoiser()).fit(X)
    for score in (
        lambda: pipeline.score(X, y),
        lambda: cross_val_score(MedianDenoiser(), X, y, cv=2, scoring=snr_scorer),
    ):
        with pytest.warns(UserWarning, match="are all zeros") as caught:
            score()
        assert {w.filename for w in caught} == {__file__}


@pytest.mark.parametrize("scorer", [snr_scorer, snr_improvement_scorer])
def test_scorers_without_y_or_with_labels_say_what_is_wrong(scorer):
    from sklearn.model_selection import GridSearchCV

    X = np.sin(np.linspace(0, 30, 40 * 32)).reshape(40, 32)
    denoiser = MedianDenoiser().fit(X)
    # A search fitted without y calls scorer(estimator, X): a bare TypeError
    # of a missing argument came back.
    with pytest.raises(ValueError, match="self_supervised_scorer"):
        scorer(denoiser, X)
    search = GridSearchCV(
        MedianDenoiser(), {"window_length": [3, 5]}, scoring=scorer, error_score="raise"
    )
    with pytest.raises(ValueError, match="needs the clean series y"):
        search.fit(X)
    # One value per series (labels) was told to reshape it as one series.
    labels = np.arange(40.0)
    for score in (scorer, lambda est, X, y: est.score(X, y)):
        with pytest.raises(ValueError, match="one value per series") as caught:
            score(denoiser, X, labels)
        assert "reshape" not in str(caught.value)
    # A single series with its clean series flat is told how to reshape it.
    with pytest.raises(ValueError, match=r"y\.reshape\(1, -1\)"):
        scorer(denoiser, X[:1], X[0])


@pytest.mark.parametrize("scorer", [snr_scorer, snr_improvement_scorer])
def test_scorers_take_series_of_dtype_object(scorer):
    # check_series(X, dtype=None) kept the objects and np.isfinite refused
    # them, where fit, transform and score take them: every candidate of a
    # search scored NaN.
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 12, 32) + rng.uniform(0, 6, (6, 1)))
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    denoiser = MedianDenoiser().fit(noisy, clean)
    expected = scorer(denoiser, noisy, clean)
    assert scorer(denoiser, noisy.astype(object), clean) == pytest.approx(expected)


@pytest.mark.parametrize("scorer", [snr_scorer, snr_improvement_scorer])
def test_scorers_pass_a_dataframe_to_the_estimator_as_given(scorer):
    # The scorers handed transform a bare array: an estimator fitted on a
    # DataFrame warned about missing feature names at every score.
    pd = pytest.importorskip("pandas")
    from sklearn.pipeline import make_pipeline

    from skdenoise.preprocessing import SeriesScaler

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 12, 32) + rng.uniform(0, 6, (6, 1)))
    columns = [f"t{i}" for i in range(32)]
    X = pd.DataFrame(clean + 0.3 * rng.standard_normal(clean.shape), columns=columns)
    y = pd.DataFrame(clean, columns=columns)
    for estimator in (
        MedianDenoiser(),
        make_pipeline(SeriesScaler(), MedianDenoiser()),
    ):
        estimator.fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            score = scorer(estimator, X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # feature names
            expected = scorer(estimator, X.to_numpy(), clean)
        assert score == pytest.approx(expected)


@pytest.mark.parametrize("scorer", [snr_scorer, snr_improvement_scorer])
def test_scorers_check_the_shape_of_y(series, scorer):
    denoiser = MedianDenoiser().fit(series)
    clean = np.sin(np.linspace(0, 12, 100))[None].repeat(3, 0)
    assert np.isfinite(scorer(denoiser, series, clean))
    for bad in (clean.ravel(), np.arange(3)):
        with pytest.raises(ValueError, match="same shape as X"):
            scorer(denoiser, series, bad)


def test_self_supervised_score_of_integer_series_equals_that_of_floats():
    X = np.round(10 * np.sin(np.linspace(0, 6, 64)))[None].repeat(2, 0)
    denoiser = SavitzkyGolayDenoiser(window_length=5, polyorder=2).fit(X)
    as_int = X.astype(np.int64)
    assert self_supervised_scorer(denoiser, as_int) == self_supervised_scorer(
        denoiser, X
    )
    np.testing.assert_array_equal(
        j_invariant_transform(denoiser, as_int), j_invariant_transform(denoiser, X)
    )


def test_j_invariant_transform_takes_one_series():
    X = np.sin(np.linspace(0, 6, 64))[None].repeat(2, 0)
    denoiser = SavitzkyGolayDenoiser(window_length=5, polyorder=2).fit(X)
    one = j_invariant_transform(denoiser, X[0])
    assert one.shape == (64,)
    np.testing.assert_array_equal(one, j_invariant_transform(denoiser, X)[0])
    assert self_supervised_scorer(denoiser, X[0]) == self_supervised_scorer(
        denoiser, X[:1]
    )


@pytest.mark.parametrize("threshold", ["universal", "sure", "bayes"])
def test_wavelet_shrinkage_is_equivariant_at_extreme_magnitudes(series, threshold):
    denoiser = WaveletDenoiser(threshold=threshold).fit(series)
    reference = denoiser.transform(series)
    for scale in (2.0**-560, 1e-170, 1e170):
        np.testing.assert_allclose(
            denoiser.transform(scale * series) / scale, reference, atol=1e-12
        )


@pytest.mark.parametrize("noise", [WhiteNoise(snr=6.0), ImpulseNoise(snr=6.0)])
def test_noise_at_an_snr_warns_for_an_all_zero_series(noise):
    X = np.zeros((3, 50))
    X[1] = 1.0
    with pytest.warns(UserWarning, match=r"2 series of X \(index 0, 2\)"):
        noisy = noise.apply(X, random_state=0)
    assert np.all(noisy[[0, 2]] == 0)
    assert np.any(noisy[1] != 1.0)


@pytest.mark.parametrize(
    "noise", [WhiteNoise(), ColoredNoise(), RecordedNoise(np.ones(100))]
)
@pytest.mark.parametrize(
    "shape, error",
    [
        ((64,), ValueError),
        ((2, 3, 1, 1), ValueError),
        ((2.7, 4), TypeError),
        (5, TypeError),
        ((2, 0), ValueError),
    ],
)
def test_noise_sample_checks_its_shape(noise, shape, error):
    with pytest.raises(error, match="shape"):
        noise.sample(shape, random_state=0)


def test_write_wfdb_warns_when_the_gain_blurs_a_channel(tmp_path):
    volts = np.array([[0.0010], [0.0020], [-0.0013]])
    with pytest.warns(UserWarning, match="Channel 0 loses its resolution"):
        write_wfdb(tmp_path / "volts", volts, sampling_rate=360.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_wfdb(tmp_path / "fine", volts, sampling_rate=360.0, gain=2e6)
    assert not [w for w in caught if "resolution" in str(w.message)]
    np.testing.assert_allclose(read_wfdb(tmp_path / "fine").signal, volts)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"channel_names": ["a"]}, "channel_names must hold one string per channel"),
        ({"units": "mV"}, "units must hold one string per channel"),
        ({"gain": float("nan")}, "gain must be finite and positive"),
        ({"gain": [200.0, 200.0, 200.0]}, "gain must be one number or one per"),
        ({"sampling_rate": 0.0}, "sampling_rate must be a positive number"),
        # A number written as text is refused, as the rest of the package does.
        ({"sampling_rate": "360"}, "sampling_rate must be a positive number"),
        ({"sampling_rate": b"360"}, "sampling_rate must be a positive number"),
    ],
)
def test_write_wfdb_checks_its_options_before_writing(tmp_path, options, message):
    kwargs = {"sampling_rate": 360.0, **options}
    with pytest.raises(ValueError, match=message):
        write_wfdb(tmp_path / "rec", np.ones((4, 2)), **kwargs)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "params, n_timesteps, error",
    [
        ({"stride": 0}, 100, ValueError),
        ({"window_length": 4.5}, 100, ValueError),
        ({}, 0, ValueError),
        ({}, 10.5, TypeError),
    ],
)
def test_windows_per_series_checks_its_arguments(params, n_timesteps, error):
    from skdenoise.windowing import SeriesWindower

    windower = SeriesWindower(window_length=8).set_params(**params)
    with pytest.raises(error):
        windower.windows_per_series(n_timesteps)
    assert SeriesWindower(window_length=8, stride=4).windows_per_series(20) == 4


def test_make_denoising_dataset_refuses_noise_at_another_sampling_rate():
    from skdenoise.datasets import make_denoising_dataset
    from skdenoise.noise import BaselineWander, NoiseMixture, PowerlineNoise

    X, _ = make_denoising_dataset(
        "ecg",
        2,
        2000,
        sampling_rate=1000,
        noise=PowerlineNoise(sampling_rate=1000, snr=0),
        random_state=0,
    )
    assert X.shape == (2, 2000)
    for noise in (
        PowerlineNoise(sampling_rate=360, snr=0),
        NoiseMixture([BaselineWander(), PowerlineNoise(sampling_rate=1000)], snr=0),
    ):
        with pytest.raises(ValueError, match="sampling_rate=1000 Hz but the noise"):
            make_denoising_dataset("ecg", 2, 2000, sampling_rate=1000, noise=noise)
    with pytest.raises(ValueError, match="sampling_rate=360 Hz but the noise"):
        make_denoising_dataset("ecg", 2, 720, noise=BaselineWander(sampling_rate=500))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sampling_rate": None}, "^sampling_rate must be a real number; got None"),
        ({"sampling_rate": "fast"}, "^sampling_rate must be a real number"),
        (
            {"noise_rate": "fast"},
            "BaselineWander: sampling_rate must be a real number; got 'fast'",
        ),
    ],
)
def test_make_denoising_dataset_names_a_bad_sampling_rate(kwargs, match):
    # float() of the rates failed first ("float() argument must be ... not
    # 'NoneType'"), naming neither the parameter nor the noise model.
    from skdenoise.datasets import make_denoising_dataset
    from skdenoise.noise import BaselineWander

    kwargs = dict(kwargs)
    noise_rate = kwargs.pop("noise_rate", 360.0)
    kwargs["noise"] = BaselineWander(sampling_rate=noise_rate, snr=0.0)
    with pytest.raises((TypeError, ValueError), match=match):
        make_denoising_dataset("ecg", 2, 64, random_state=0, **kwargs)


def test_scale_noise_checks_its_inputs():
    from skdenoise.noise import scale_noise

    rng = np.random.default_rng(0)
    X = np.sin(np.arange(200) / 10)[None].repeat(5, 0)
    with pytest.raises(ValueError, match=r"X\[np.newaxis\]"):
        scale_noise(X[0], rng.standard_normal(200), 10.0)
    for shape in [(1, 200), (5, 50)]:
        with pytest.raises(ValueError, match="noise must have X's shape"):
            scale_noise(X, rng.standard_normal(shape), 10.0)
    for bad in [np.nan, np.inf]:
        with pytest.raises(ValueError, match="snr"):
            scale_noise(X, rng.standard_normal(X.shape), bad)
    # A list range works as it does for the noise models.
    noise = scale_noise(X, rng.standard_normal(X.shape), [0, 12], random_state=0)
    levels = 10 * np.log10(np.sum(X**2, 1) / np.sum(noise**2, 1))
    assert np.all((levels >= 0) & (levels <= 12)) and np.ptp(levels) > 0


# ------------------------------------------------------------ third review
def test_float32_output_that_overflows_is_an_error_not_inf():
    rng = np.random.default_rng(0)
    peak = np.finfo(np.float32).max
    X = (rng.uniform(-1, 1, (20, 64)) * peak * 0.99).astype(np.float32)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        BandpassDenoiser().fit_transform(X)
    # float64 of the same values is fine.
    assert np.isfinite(BandpassDenoiser().fit_transform(X.astype(np.float64))).all()


@pytest.mark.parametrize("rate", [100, 250, 500, 1000])
def test_resampling_passes_an_offset_exactly(rate):
    from skdenoise.pipeline import ResampledDenoiser

    identity = BandpassDenoiser(low_cutoff=None, high_cutoff=None)
    model = ResampledDenoiser(identity, sampling_rate=rate, estimator_sampling_rate=360)
    X = np.full((1, 5 * rate), 1024.0)
    np.testing.assert_allclose(model.fit(X).transform(X), X, rtol=0, atol=1e-9)
    # An offset on a signal changes nothing but the offset.
    t = np.arange(5 * rate) / rate
    wave = np.sin(2 * np.pi * 3 * t)[None]
    np.testing.assert_allclose(
        model.transform(wave + 1024.0) - 1024.0, model.transform(wave), atol=1e-9
    )


def test_plot_examples_takes_the_denoisers_single_channel_3d_output():
    import matplotlib

    matplotlib.use("Agg")
    from skdenoise.plotting import plot_examples

    clean = np.sin(np.linspace(0, 6, 50))[None].repeat(2, 0)
    axes = plot_examples(clean[:, :, None], clean[:, :, None] + 0.1)
    assert len(axes) == 2
    with pytest.raises(ValueError, match=r"one channel at a time"):
        plot_examples(np.zeros((2, 50, 2)))


def test_recorded_noise_with_a_rate_is_checked_against_the_series():
    from skdenoise.datasets import make_denoising_dataset

    recording = np.random.default_rng(0).standard_normal(20_000)
    with pytest.raises(ValueError, match="sampling_rate"):
        make_denoising_dataset(
            "ecg",
            n_series=4,
            n_timesteps=500,
            sampling_rate=500,
            noise=RecordedNoise(recording, snr=0.0, sampling_rate=360),
        )
    noisy, clean = make_denoising_dataset(
        "ecg",
        n_series=4,
        n_timesteps=500,
        sampling_rate=360,
        noise=RecordedNoise(recording, snr=0.0, sampling_rate=360),
        random_state=0,
    )
    assert noisy.shape == clean.shape == (4, 500)
    for bad in (0, -360, float("nan")):
        with pytest.raises(ValueError, match="sampling_rate"):
            RecordedNoise(recording, snr=0.0, sampling_rate=bad).apply(clean)


def test_nan_and_inf_are_named_with_their_count_and_place():
    X = np.zeros((3, 10))
    X[1, 4] = np.nan
    X[2, 0] = np.inf
    with pytest.raises(
        ValueError,
        match=r"X for MedianDenoiser contains 1 NaN value\(s\) and 1 infinite "
        r"value\(s\) \(the first at series 1, timestep 4\)",
    ):
        MedianDenoiser().fit(X)
    with pytest.raises(ValueError, match=r"channel 0"):
        MedianDenoiser().fit(X[:, :, None])


@pytest.mark.parametrize(
    "make",
    [
        MedianDenoiser,
        BandpassDenoiser,
        WaveletDenoiser,
        lambda: WindowedDenoiser(MedianDenoiser(), window_length=8),
    ],
    ids=["median", "bandpass", "wavelet", "windowed"],
)
def test_column_names_are_recorded_checked_and_passed_on(make):
    pd = pytest.importorskip("pandas")
    columns = [f"t{i}" for i in range(40)]
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(5, 40)), columns=columns)
    model = make().fit(frame)
    assert list(model.feature_names_in_) == columns
    assert list(model.get_feature_names_out()) == columns
    with pytest.raises(ValueError, match="feature names should match"):
        model.transform(frame.rename(columns={"t3": "other"}))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.transform(frame.to_numpy())
    out = model.set_output(transform="pandas").transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == columns
    assert out.index.equals(frame.index)


def test_pandas_output_in_a_pipeline_and_its_limits():
    pd = pytest.importorskip("pandas")
    from sklearn.pipeline import make_pipeline

    from skdenoise.preprocessing import SeriesScaler

    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(4, 30)))
    frame.columns = [f"s{i}" for i in range(30)]
    pipe = make_pipeline(SeriesScaler(), MedianDenoiser()).set_output(
        transform="pandas"
    )
    out = pipe.fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(frame.columns)
    # A table holds 2-D series of the fitted length only: clear errors otherwise.
    model = BandpassDenoiser().fit(np.zeros((2, 30))).set_output(transform="pandas")
    with pytest.raises(ValueError, match="2-D series.*set_output"):
        BandpassDenoiser().set_output(transform="pandas").fit_transform(
            np.zeros((2, 30, 2))
        )
    # Refused before fit (a network trained in full before the error), with
    # the shape of the series.
    unfitted = BandpassDenoiser().set_output(transform="pandas")
    with pytest.raises(ValueError, match=r"has shape \(2, 30, 2\)"):
        unfitted.fit_transform(np.zeros((2, 30, 2)).tolist())
    assert not hasattr(unfitted, "n_features_in_")
    # A transformer of one's own on the mixin may make 2-D series of 3-D ones.
    from sklearn.base import BaseEstimator

    from skdenoise.base import SeriesTransformerMixin

    class LeadMean(SeriesTransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            self.n_timesteps_ = np.shape(X)[1]
            return self

        def transform(self, X):
            return np.asarray(X).mean(axis=2)

        def get_feature_names_out(self, input_features=None):
            return np.array([f"t{i}" for i in range(self.n_timesteps_)], dtype=object)

    table = LeadMean().set_output(transform="pandas").fit_transform(np.ones((2, 5, 2)))
    assert isinstance(table, pd.DataFrame) and table.shape == (2, 5)
    with pytest.raises(ValueError, match="other lengths"):
        model.transform(np.zeros((2, 20)))
    # Without pandas output, a filter takes a frame of another length.
    assert BandpassDenoiser().fit(frame).transform(frame.iloc[:, :20]).shape == (4, 20)


# ------------------------------------------------------------- fifth review
def test_scorers_leave_out_clean_series_of_zeros():
    from sklearn.model_selection import GridSearchCV, KFold

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 30, 200))[None].repeat(12, 0)
    clean[0] = 0.0
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    model = SavitzkyGolayDenoiser(window_length=21).fit(noisy)
    with pytest.warns(UserWarning, match=r"1 clean series in y \(index 0\)"):
        score = snr_scorer(model, noisy, clean)
    assert score == pytest.approx(snr(clean[1:], model.transform(noisy)[1:]))
    # The improvement is defined for a clean series of zeros: it is scored.
    from skdenoise.metrics import snr_improvement

    gain = snr_improvement_scorer(model, noisy, clean)
    assert gain == pytest.approx(snr_improvement(clean, noisy, model.transform(noisy)))
    with pytest.raises(ValueError, match="every clean series"):
        snr_scorer(model, noisy[:1], clean[:1])
    # A search still ranks its candidates.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search = GridSearchCV(
            SavitzkyGolayDenoiser(),
            {"window_length": [5, 31]},
            scoring=snr_scorer,
            cv=KFold(2),
        ).fit(noisy, clean)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_ == {"window_length": 31}


def test_score_leaves_out_clean_series_of_zeros():
    # The default scoring of a search: one flat clean series made every
    # candidate score -inf, so the search picked the first.
    from sklearn.model_selection import GridSearchCV, KFold

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 30, 200))[None].repeat(12, 0)
    clean[0] = 0.0
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    model = SavitzkyGolayDenoiser(window_length=21).fit(noisy)
    with pytest.warns(UserWarning, match=r"score: 1 clean series in y \(index 0\)"):
        score = model.score(noisy, clean)
    assert score == pytest.approx(snr(clean[1:], model.transform(noisy)[1:]))
    weights = np.arange(12.0)
    with pytest.warns(UserWarning, match="all zeros"):
        weighted = model.score(noisy, clean, sample_weight=weights)
    values = snr(clean[1:], model.transform(noisy)[1:], per_series=True)
    assert weighted == pytest.approx(np.average(values, weights=weights[1:]))
    with pytest.raises(ValueError, match="every clean series"):
        model.score(noisy[:1], clean[:1])
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="zero on every"):
        model.score(noisy, clean, sample_weight=np.eye(12)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search = GridSearchCV(
            SavitzkyGolayDenoiser(), {"window_length": [5, 31]}, cv=KFold(2)
        ).fit(noisy, clean)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_ == {"window_length": 31}


def test_clean_series_as_a_dataframe_for_series_with_one_channel():
    # A 2-D y is taken for X of shape (n_series, n_timesteps, 1), as an array
    # or as a DataFrame (which was refused for its shape).
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 20, 1))
    y = X[..., 0] + 0.1
    model = MedianDenoiser(window_length=3).fit(X, pd.DataFrame(y))
    expected = model.score(X, y)
    assert model.score(X, pd.DataFrame(y)) == expected
    assert snr_scorer(model, X, pd.DataFrame(y)) == expected


def test_j_invariant_transform_rejects_complex_input():
    with pytest.raises(ValueError, match="complex"):
        j_invariant_transform(MedianDenoiser().fit(np.zeros((1, 40))), np.ones(40) * 1j)


def test_augmentation_flags_and_names_are_checked():
    from skdenoise.augment import RandomFlip, from_names

    for name in ("sign", "time"):
        with pytest.raises(ValueError, match=f"{name} must be True or False"):
            RandomFlip(**{name: "no"}).apply(np.ones((2, 4)))
    with pytest.raises(TypeError, match=r"\['warp'\]"):
        from_names("warp")


@pytest.mark.parametrize("name", ["snr_scorer", "snr_improvement_scorer"])
def test_scorers_take_sample_weight_under_metadata_routing(name):
    import pickle

    import sklearn
    from sklearn.model_selection import GridSearchCV

    from skdenoise import metrics
    from skdenoise.baselines import SavitzkyGolayDenoiser

    scorer = getattr(metrics, name)
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 20, 64))[None] * rng.uniform(0.5, 2, (40, 1))
    noisy = clean + 0.2 * rng.normal(size=clean.shape)
    weights = rng.uniform(0, 1, 40)
    weighted = scorer.set_score_request(sample_weight=True)
    # No argument: the request unchanged, as scikit-learn's setters do.
    assert repr(weighted.set_score_request()) == repr(weighted)
    assert scorer.get_metadata_routing().score.requests == {"sample_weight": None}
    assert weighted is not scorer and repr(scorer) == name
    # The weighted mean of the per-series values.
    denoiser = SavitzkyGolayDenoiser(window_length=9).fit(noisy)
    estimate = denoiser.transform(noisy)
    if name == "snr_scorer":
        values = metrics.snr(clean, estimate, per_series=True)
    else:
        values = metrics.snr_improvement(clean, noisy, estimate, per_series=True)
    expected = np.average(values, weights=weights)
    assert weighted(denoiser, noisy, clean, sample_weight=weights) == pytest.approx(
        expected
    )
    assert scorer(denoiser, noisy, clean) == pytest.approx(np.mean(values))
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        weighted(denoiser, noisy, clean, sample_weight=weights[:3])
    # Pickled with its request; the module's scorer stays itself.
    assert repr(pickle.loads(pickle.dumps(weighted))) == repr(weighted)
    assert pickle.loads(pickle.dumps(scorer)) is scorer
    with sklearn.config_context(enable_metadata_routing=True):
        grid = {"window_length": [5, 9]}
        search = GridSearchCV(SavitzkyGolayDenoiser(), grid, scoring=weighted, cv=2)
        search.fit(noisy, clean, sample_weight=weights)
        assert np.isfinite(search.best_score_)
        with pytest.raises(Exception, match="sample_weight"):
            GridSearchCV(SavitzkyGolayDenoiser(), grid, scoring=scorer, cv=2).fit(
                noisy, clean, sample_weight=weights
            )


@pytest.mark.parametrize(
    "signal, error, message",
    [
        (np.ones((4, 2)) + 1j, ValueError, "signal holds complex values"),
        (np.array([["1.0"], ["2.0"]]), ValueError, "signal holds strings"),
        (np.array([[1.0, 2.0], [np.nan, 0.0]]), ValueError, "NaN or inf.*sample 1"),
    ],
)
def test_write_wfdb_names_what_is_wrong(tmp_path, signal, error, message):
    with pytest.raises(error, match=message):
        write_wfdb(tmp_path / "rec", signal, sampling_rate=360.0)
    assert not list(tmp_path.iterdir())
    with pytest.raises(FileNotFoundError, match="does not exist; create it"):
        write_wfdb(tmp_path / "missing" / "rec", np.ones((4, 1)), sampling_rate=360.0)


def test_complex_and_text_series_are_refused_not_converted():
    from skdenoise.noise import RecordedNoise, WhiteNoise, scale_noise

    X = np.random.default_rng(0).normal(size=(2, 50))
    recording = np.random.default_rng(1).normal(size=200)
    # NumPy would drop the imaginary part with only a warning.
    for call, name in [
        (lambda: WhiteNoise(snr=5.0).apply(X + 1j), "X holds complex values"),
        (lambda: WhiteNoise(snr=5.0).apply((X + 1j).astype(object)), "X holds complex"),
        (lambda: scale_noise(X, X + 1j, 5.0), "noise holds complex values"),
        (
            lambda: RecordedNoise(recording + 1j, snr=5.0).apply(X),
            "noise of RecordedNoise holds complex values",
        ),
        (
            lambda: RecordedNoise(recording.astype(str), snr=5.0).apply(X),
            "noise of RecordedNoise holds strings",
        ),
    ]:
        with pytest.raises(ValueError, match=name):
            call()


def test_snr_improvement_scorer_scores_clean_series_of_zeros_too():
    import warnings

    from skdenoise.metrics import snr_improvement, snr_improvement_scorer

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 6, 64))[None].repeat(4, axis=0)
    clean[1] = 0.0
    noisy = clean + 0.3 * rng.normal(size=clean.shape)
    model = MedianDenoiser(3).fit(noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = snr_improvement_scorer(model, noisy, clean)
    expected = snr_improvement(clean, noisy, model.transform(noisy))
    assert score == pytest.approx(expected)


# ------------------------------------------------------- scores of exact series
def _grid_with_one_noise_free_series():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 256)
    clean = np.sin(2 * np.pi * (3 + rng.random((30, 1))) * t)
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    noisy[7] = clean[7]  # nothing to remove: the identity is exact there
    return noisy, clean


@pytest.mark.parametrize("scoring", [None, "snr_scorer", "snr_improvement_scorer"])
def test_one_exact_series_leaves_a_search_ranked(scoring):
    # The identity denoised series 7 exactly: its infinite SNR made it the
    # best candidate of every search, though it is the worst on the others.
    from sklearn.model_selection import GridSearchCV, KFold

    from skdenoise import metrics

    noisy, clean = _grid_with_one_noise_free_series()
    search = GridSearchCV(
        MedianDenoiser(),
        {"window_length": [1, 5, 15]},
        scoring=None if scoring is None else getattr(metrics, scoring),
        cv=KFold(3),
    ).fit(noisy, clean)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    assert search.best_params_ == {"window_length": 15}


def test_scores_of_exact_series_stop_at_the_resolution():
    from skdenoise.metrics import SCORE_RESOLUTION_DB, snr_improvement

    assert SCORE_RESOLUTION_DB == pytest.approx(20 * np.log10(2.0**23))
    noisy, clean = _grid_with_one_noise_free_series()
    identity = MedianDenoiser(1).fit(noisy)
    values = snr(clean, noisy, per_series=True)
    values[7] = SCORE_RESOLUTION_DB
    assert snr_scorer(identity, noisy, clean) == pytest.approx(values.mean())
    assert identity.score(noisy, clean) == pytest.approx(values.mean())
    # The noise-free series has no improvement: the scorer leaves it out,
    # with a warning naming it. The identity gains nothing.
    with pytest.warns(UserWarning, match=r"1 series \(index 7\) of X equal"):
        assert snr_improvement_scorer(identity, noisy, clean) == 0.0
    # A filter that changes the noise-free series: scored on the others (the
    # metric counts it -inf, and says so).
    smooth = MedianDenoiser(15).fit(noisy)
    with pytest.warns(UserWarning, match=r"1 series \(index 7\) of noisy equal"):
        snr_improvement(clean, noisy, smooth.transform(noisy))
    gains = snr_improvement(clean, noisy, smooth.transform(noisy), per_series=True)
    assert gains[7] == -np.inf
    with pytest.warns(UserWarning, match="no noise to remove"):
        score = snr_improvement_scorer(smooth, noisy, clean)
    assert score == pytest.approx(np.mean(np.delete(gains, 7)))
    exact = clean.copy()

    class Oracle(MedianDenoiser):
        def transform(self, X):
            return exact.copy()

    oracle = Oracle(1).fit(noisy)
    with pytest.warns(UserWarning, match="no noise to remove"):
        gain = snr_improvement_scorer(oracle, noisy, clean)
    input_snr = np.delete(snr(clean, noisy, per_series=True), 7)
    assert gain == pytest.approx(np.mean(SCORE_RESOLUTION_DB - input_snr))
    # The metric functions themselves keep the exact value.
    assert snr(clean[7], noisy[7]) == np.inf


def test_snr_improvement_scorer_is_finite_on_series_of_zeros_alike():
    # A series of zeros in both X and y (a silent or padded recording) scored
    # NaN (nothing changed) or -inf (something added), which left a search
    # unranked.
    from skdenoise.metrics import SCORE_RESOLUTION_DB, snr_improvement

    noisy, clean = _grid_with_one_noise_free_series()
    noisy[3] = clean[3] = 0.0
    # Both noise-free series (3, all zeros, and 7) are left out, with a warning.
    with pytest.warns(UserWarning, match=r"2 series \(index 3, 7\)"):
        identity = snr_improvement_scorer(MedianDenoiser(1).fit(noisy), noisy, clean)
    assert identity == 0.0

    class Offset(MedianDenoiser):
        def transform(self, X):
            return X + 1e-3

    with pytest.warns(UserWarning, match="no noise to remove"):
        added = snr_improvement_scorer(Offset(1).fit(noisy), noisy, clean)
    gains = snr_improvement(clean, noisy, noisy + 1e-3, per_series=True)
    assert np.isfinite(added)
    assert added == pytest.approx(np.delete(gains, [3, 7]).mean())
    # A clean series of zeros under noise is scored: the noise's energy over
    # the error's.
    noisy[3] = 0.5
    with pytest.warns(UserWarning, match=r"1 series \(index 7\)"):
        added = snr_improvement_scorer(Offset(1).fit(noisy), noisy, clean)
    gains = snr_improvement(clean, noisy, noisy + 1e-3, per_series=True)
    assert np.isfinite(gains[3])
    assert added == pytest.approx(np.delete(gains, 7).mean())
    # Every series noise-free: nothing to score; the metric says what its
    # mean is made of, after checking per_series.
    with pytest.raises(ValueError, match="no SNR improvement to score"):
        snr_improvement_scorer(MedianDenoiser(1).fit(clean), clean, clean)
    with pytest.warns(UserWarning, match="30 series .* of noisy equal"):
        assert snr_improvement(clean, clean, clean + 1e-3) == -np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="per_series must be True or False"):
            snr_improvement(clean, clean, clean, per_series=None)
    assert SCORE_RESOLUTION_DB > 100


@pytest.mark.parametrize("mode", ["interp", "mirror"])
def test_savitzky_golay_holds_up_to_the_largest_float(mode):
    # "interp" fits its edges by least squares on the squared series: 1e307
    # overflowed (an error), and 1e200 warned of overflow twice per call.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 200))
    reference = SavitzkyGolayDenoiser(mode=mode).fit(X).transform(X)
    for scale in (1e-300, 1e200, 1e307):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = SavitzkyGolayDenoiser(mode=mode).fit(X * scale).transform(X * scale)
        np.testing.assert_allclose(out / scale, reference, rtol=1e-12, atol=1e-12)
    # Ordinary series go to scipy as they are: equal to it, bit for bit.
    from scipy.signal import savgol_filter

    expected = savgol_filter(X, 15, 3, mode=mode, axis=1)
    assert np.array_equal(reference, expected)


def test_metrics_name_pandas_missing_values_as_nan():
    pd = pytest.importorskip("pandas")
    gap = pd.DataFrame([[1.0, 2.0, None], [1.0, 2.0, 3.0]], dtype="Float64")
    full = pd.DataFrame([[1.0, 2.0, 4.0], [1.0, 2.0, 3.0]], dtype="Float64")
    with pytest.raises(ValueError, match="clean contains NaN"):
        snr(gap, full)
    with pytest.raises(ValueError, match="estimate contains NaN"):
        rmse(full, gap)
    assert snr(full, full + 0.1) == pytest.approx(snr(full.to_numpy(float), full + 0.1))
    with pytest.raises(ValueError, match="clean holds strings"):
        snr(np.array([[1.0, "a"]], dtype=object), np.ones((1, 2)))


def test_wiener_of_a_long_recording_works_in_place():
    # Seven copies of the input were alive at once; the result is the same.
    import tracemalloc

    X = np.random.default_rng(0).standard_normal((2, 500_000))
    X_before = X.copy()
    denoiser = WienerDenoiser(noise_power=0.5).fit(X)
    tracemalloc.start()
    try:
        out = denoiser.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * X.nbytes
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_allclose(out[:, 20:-20], _scipy_wiener(X)[:, 20:-20])


def _scipy_wiener(X):
    from scipy import signal

    return np.stack([signal.wiener(row, 15, 0.5) for row in X])


def test_series_of_different_lengths_are_not_sent_to_a_windowed_denoiser():
    # "...or a WindowedDenoiser" was the advice of WindowedDenoiser.fit itself.
    ragged = [[1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]
    windowed = WindowedDenoiser(MedianDenoiser(), window_length=4)
    with pytest.raises(ValueError, match="different lengths") as info:
        windowed.fit(ragged)
    assert "a WindowedDenoiser" not in str(info.value)
    assert "make_windows" in str(info.value)
    from skdenoise._validation import check_series

    # Elsewhere: a WindowedDenoiser denoises each recording in a call of its
    # own (it refuses them together, as above).
    with pytest.raises(ValueError, match=r"make_windows\); a WindowedDenoiser tr"):
        check_series(ragged)


def test_self_supervised_scorer_names_missing_values_and_where():
    # pd.NA (or None) in an object array was blamed on the dtype ("holding
    # values that are not" numbers); a NaN was not located.
    pd = pytest.importorskip("pandas")
    from skdenoise.baselines import WaveletDenoiser

    model = WaveletDenoiser().fit(np.zeros((2, 200)))
    X = np.sin(np.linspace(0, 20, 600)).reshape(3, 200).astype(object)
    X[1, 5] = pd.NA
    match = r"1 NaN, missing or infinite value\(s\), the first at series 1, timestep 5"
    with pytest.raises(ValueError, match=match):
        self_supervised_scorer(model, X)
    X[1, 5] = None
    with pytest.raises(ValueError, match=match):
        self_supervised_scorer(model, X)
    floats = np.sin(np.linspace(0, 20, 600)).reshape(3, 200)
    floats[2, 7] = np.nan
    with pytest.raises(ValueError, match="the first at series 2, timestep 7"):
        self_supervised_scorer(model, floats)


def test_masked_samples_are_refused_with_their_count_and_place():
    # The mask was dropped and the values under it (a logger's -9999) denoised,
    # scaled and scored as samples, where the same gap as NaN is refused.
    from skdenoise.datasets import make_windows
    from skdenoise.preprocessing import SeriesScaler

    raw = np.sin(np.linspace(0.0, 6.0, 64))[None].repeat(3, 0)
    raw[1, 10] = -9999.0
    masked = np.ma.masked_equal(raw, -9999.0)
    where = r"1 masked value\(s\) \(the first at series 1, timestep 10\)"
    for call in (
        lambda: MedianDenoiser(window_length=5).fit(masked),
        lambda: SeriesScaler().fit(masked),
        lambda: snr(raw, masked),
        lambda: WhiteNoise(snr=6.0).apply(masked, random_state=0),
    ):
        with pytest.raises(ValueError, match=where):
            call()
    fitted = MedianDenoiser(window_length=5).fit(np.zeros((2, 64)))
    with pytest.raises(ValueError, match=r"X for MedianDenoiser holds a masked"):
        fitted.transform(masked)
    with pytest.raises(ValueError, match=r"\(the first at sample 10\)"):
        make_windows(masked[1], 16)
    with pytest.raises(ValueError, match=r"noise of RecordedNoise holds a masked"):
        RecordedNoise(masked[1], snr=0.0).apply(np.ones((1, 8)), random_state=0)
    # Series given one by one, one of them masked.
    rows = [raw[0], masked[1], raw[2]]
    for call in (lambda: SeriesScaler().fit(rows), lambda: snr(raw, rows)):
        with pytest.raises(ValueError, match=where):
            call()
    assert np.ma.getmaskarray(masked)[1, 10]  # the input keeps its mask
    # Nothing masked: the data as they are.
    unmasked = np.ma.masked_array(np.sin(np.arange(64.0))[None])
    np.testing.assert_array_equal(
        MedianDenoiser(window_length=5).fit_transform(unmasked),
        MedianDenoiser(window_length=5).fit_transform(unmasked.data),
    )


def test_make_windows_takes_a_frame_of_nullable_numbers():
    # Float64 and Int16 columns (read_csv(dtype_backend="numpy_nullable"))
    # were refused as "dtype object" though every value is a number.
    from skdenoise.datasets import make_windows

    pd = pytest.importorskip("pandas")
    values = np.arange(40.0).reshape(20, 2)
    expected = make_windows(values, 10)
    for dtype in ("Float64", "Int16"):
        frame = pd.DataFrame(values).astype(dtype)
        np.testing.assert_array_equal(make_windows(frame, 10), expected)
    plain = make_windows(pd.DataFrame(values.astype(np.int16)), 10)
    assert plain.dtype == np.int16  # numpy columns keep their dtype
    # One nullable column converts as it did: its integers stay exact.
    big = pd.DataFrame({"a": pd.array([2**53 + 1] * 20, dtype="Int64")})
    assert make_windows(big, 10)[0, 0] == 2**53 + 1


def test_a_frame_of_nullable_float32_stays_float32():
    # check_array converts nullable extension columns to float64: a Float32
    # frame came back in float64, where a float32 frame stays float32.
    from skdenoise.preprocessing import SeriesScaler

    pd = pytest.importorskip("pandas")
    X = np.sin(np.arange(64.0)).reshape(2, 32).astype(np.float32)
    frame = pd.DataFrame(X).astype("Float32")
    for estimator in (MedianDenoiser(window_length=5), SeriesScaler()):
        out = estimator.fit_transform(frame)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, estimator.fit_transform(X))
    assert all(str(d) == "Float32" for d in frame.dtypes)  # the input is kept
    frame.iloc[1, 3] = pd.NA
    with pytest.raises(ValueError, match="series 1, timestep 3"):
        MedianDenoiser(window_length=5).fit_transform(frame)


def test_big_endian_float32_stays_float32():
    # check_array matched dtypes with their byte order: '>f4' became float64,
    # where the docs promise float32 for float32 input.
    from skdenoise.preprocessing import SeriesScaler

    X = np.sin(np.arange(64.0)).reshape(2, 32).astype(">f4")
    for estimator in (MedianDenoiser(window_length=5), SeriesScaler()):
        out = estimator.fit_transform(X)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, estimator.fit_transform(X.astype("<f4")))


def test_an_inner_estimator_set_to_tables_works_at_any_rate_and_length():
    # ResampledDenoiser kept the inner's set_output(transform="pandas"): any
    # other length failed with the resampled lengths the user never gave.
    from skdenoise.pipeline import ResampledDenoiser

    rng = np.random.default_rng(0)
    X, longer = rng.standard_normal((4, 100)), rng.standard_normal((2, 250))
    inner = MedianDenoiser().set_output(transform="pandas")
    model = ResampledDenoiser(inner, sampling_rate=250, estimator_sampling_rate=360)
    plain = ResampledDenoiser(
        MedianDenoiser(), sampling_rate=250, estimator_sampling_rate=360
    )
    np.testing.assert_array_equal(
        model.fit(X).transform(longer), plain.fit(X).transform(longer)
    )
    # partial_fit's first call clones the inner estimator too.
    from skdenoise import UNetDenoiser

    network = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
    model = ResampledDenoiser(
        network.set_output(transform="pandas"),
        sampling_rate=250,
        estimator_sampling_rate=360,
    )
    model.partial_fit(rng.standard_normal((4, 128)))
    assert isinstance(model.transform(rng.standard_normal((2, 128))), np.ndarray)
    assert isinstance(model.estimator_.transform(np.zeros((1, 185))), np.ndarray)


def test_score_makes_no_table_of_its_own_estimate():
    # score, snr_scorer and the self-supervised scorer refused series of
    # another length (or with channels) from a denoiser set to pandas output:
    # the score is a number, and the denoiser keeps its setting.
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 20, 300))[None].repeat(3, 0)
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    fitted = MedianDenoiser(window_length=5).fit(noisy[:, :100])
    expected = fitted.score(noisy, clean)
    fitted.set_output(transform="pandas")
    assert fitted.score(noisy, clean) == expected
    assert snr_scorer(fitted, noisy, clean) == expected
    assert np.isfinite(self_supervised_scorer(fitted, noisy))
    assert fitted.score(noisy[..., None], clean[..., None]) == expected
    assert isinstance(fitted.transform(noisy[:, :100]), pd.DataFrame)
    # A Pipeline set so: set_output sets its steps.
    from sklearn.pipeline import make_pipeline

    from skdenoise.pipeline import SeriesScaler

    pipe = make_pipeline(SeriesScaler(), MedianDenoiser(window_length=5))
    pipe.fit(noisy[:, :100])
    expected = snr_scorer(pipe, noisy, clean)
    pipe.set_output(transform="pandas")
    assert snr_scorer(pipe, noisy, clean) == expected
    assert np.isfinite(self_supervised_scorer(pipe, noisy))
    # A frozen step (the model card's way) passes the setting to what it holds.
    from sklearn.frozen import FrozenEstimator

    frozen = make_pipeline(SeriesScaler(), FrozenEstimator(fitted)).fit(noisy[:, :100])
    frozen.set_output(transform="pandas")
    assert np.isfinite(snr_scorer(frozen, noisy, clean))
    assert isinstance(pipe.transform(noisy[:, :100]), pd.DataFrame)


def test_a_network_set_to_tables_is_scored_without_copying_its_network(monkeypatch):
    # The score's copy past set_output went through the network's pickling
    # (saved and loaded the .keras file at every score: ten times slower, and
    # impossible for a layer Keras has not registered).
    from skdenoise import UNetDenoiser

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 20, 64))[None].repeat(8, 0)
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    model = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
    model.fit(noisy, clean)
    expected = model.score(noisy, clean)
    model.set_output(transform="pandas")

    def no_pickling(self):
        raise AssertionError("the network was pickled")

    monkeypatch.setattr(UNetDenoiser, "__getstate__", no_pickling)
    assert model.score(noisy, clean) == expected
    assert snr_scorer(model, noisy, clean) == expected


@pytest.mark.parametrize("wrapper", ["windowed", "resampled"])
def test_an_estimator_class_is_drawn_and_refused_by_fit(wrapper):
    # The class for an instance (forgotten parentheses) broke the tags and the
    # HTML repr, so a notebook showed a traceback for the object.
    from sklearn.utils import get_tags

    from skdenoise.pipeline import ResampledDenoiser

    if wrapper == "windowed":
        model = WindowedDenoiser(MedianDenoiser, window_length=16)
    else:
        model = ResampledDenoiser(
            MedianDenoiser, sampling_rate=250, estimator_sampling_rate=360.0
        )
    assert get_tags(model).non_deterministic is False
    assert "MedianDenoiser" in model._repr_html_()
    with pytest.raises(
        TypeError,
        match="'estimator' parameter of .* must be an estimator instance, such as "
        "MedianDenoiser\\(\\); got the class MedianDenoiser",
    ):
        model.fit(np.zeros((2, 64)))


def test_resampled_channels_in_other_units_are_refused():
    # Every channel trained as a series of its own under one map of units: a
    # lead of y in other units made the other lead's output 1,000 times off.
    from skdenoise import UNetDenoiser
    from skdenoise.pipeline import ResampledDenoiser

    rng = np.random.default_rng(0)
    clean = np.stack([np.sin(np.linspace(0, 30, 128) + p) for p in range(24)])
    clean = clean.reshape(12, 2, 128).transpose(0, 2, 1)
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    network = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
    model = ResampledDenoiser(network, sampling_rate=250, estimator_sampling_rate=360)
    model.fit(noisy, clean)  # the same units on both channels
    scaled = clean * np.array([1.0, 1000.0])
    with pytest.raises(ValueError, match=r"other units than X on some channels"):
        model.fit(noisy, scaled)
    # An offset between the leads' X and y (the slow part of recorded noise,
    # as in the NSTDB's records) is not a change of units.
    model.fit(noisy, clean + np.array([0.0, 0.5]))
    # A fitted network continuing (partial_fit) keeps its own map.
    model.partial_fit(noisy, clean)
    # A classical estimator ignores y: nothing to refuse.
    ResampledDenoiser(
        MedianDenoiser(), sampling_rate=250, estimator_sampling_rate=360.0
    ).fit(noisy, scaled)


def test_a_ctrl_c_while_stderr_is_filtered_gives_stderr_back(monkeypatch):
    # An interrupt while the filter waited for TensorFlow's late log line left
    # file descriptor 2 on a deleted temporary file for the rest of the
    # session: tracebacks and warnings vanished.
    import os
    import re
    import sys

    from skdenoise import _tf

    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        pytest.skip("stderr has no file descriptor here")
    before = os.fstat(fd)

    def interrupt(_):
        raise KeyboardInterrupt

    monkeypatch.setattr(_tf.time, "sleep", interrupt)
    with pytest.raises(KeyboardInterrupt):
        with _tf._filtered_stderr(wait_for=re.compile("^never$"), timeout=5.0):
            pass
    after = os.fstat(fd)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
