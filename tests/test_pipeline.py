"""WindowedDenoiser, SeriesWindower and SeriesScaler, alone and in model selection."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)
from sklearn.utils._param_validation import InvalidParameterError

from skdenoise.baselines import (
    BandpassDenoiser,
    MedianDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)
from skdenoise.datasets import make_sines
from skdenoise.exceptions import TargetIgnoredWarning
from skdenoise.metrics import snr, snr_scorer
from skdenoise.noise import ColoredNoise, WhiteNoise
from skdenoise.pipeline import SeriesScaler, SeriesWindower, WindowedDenoiser


class Recorder(TransformerMixin, BaseEstimator):
    """Identity denoiser that keeps what it was fitted on and logs its batches."""

    transform_batches = []

    def fit(self, X, y=None):
        self.fit_X_ = np.array(X)
        self.fit_y_ = None if y is None else np.array(y)
        return self

    def transform(self, X):
        type(self).transform_batches.append(X.shape)
        return np.array(X, copy=True)


@pytest.fixture
def recorder():
    Recorder.transform_batches = []
    return Recorder()


def tiny_unet(**params):
    from skdenoise import UNetDenoiser

    defaults = {
        "filters": 4,
        "depth": 1,
        "kernel_size": 3,
        "epochs": 1,
        "batch_size": 16,
        "random_state": 0,
    }
    return UNetDenoiser(**{**defaults, **params})


# One epoch of (mostly) one optimizer step, for the tests of what fit says
# about its inputs, not of what the network learns.
ONE_STEP = {"epochs": 1, "batch_size": 64}


def noisy_sines(n_series=12, n_timesteps=96, seed=0, noise=0.3):
    clean = make_sines(n_series, n_timesteps, random_state=seed)
    rng = np.random.default_rng(seed + 100)
    return clean + noise * rng.standard_normal(clean.shape), clean


# ------------------------------------------------------------------ windowing
@pytest.mark.parametrize("n_timesteps", [1, 2, 5, 16, 17, 40, 41, 100])
@pytest.mark.parametrize(
    "window_length, stride", [(16, None), (16, 5), (16, 16), (3, 1)]
)
def test_windower_covers_every_sample_and_round_trips(
    n_timesteps, window_length, stride
):
    rng = np.random.default_rng(n_timesteps)
    X = rng.normal(size=(3, n_timesteps, 2))
    windower = SeriesWindower(window_length, stride).fit(X)
    windows = windower.transform(X)
    per_series = windower.windows_per_series(n_timesteps)
    assert windows.shape == (3 * per_series, window_length, 2)
    if n_timesteps >= window_length:
        step = stride or window_length // 2
        expected = -(-(n_timesteps - window_length) // step) + 1
        assert per_series == expected
        # The first window starts at the first sample, the last ends at the last.
        assert_allclose(windows[0], X[0, :window_length])
        assert_allclose(windows[per_series - 1], X[0, -window_length:])
    assert_allclose(windower.inverse_transform(windows), X, atol=1e-12)


def test_windower_pads_short_series_by_reflection():
    X = np.array([[1.0, 2.0, 3.0]])
    windows = SeriesWindower(window_length=7).fit(X).transform(X)
    assert_allclose(windows, [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]])


def test_windower_inverse_transform_other_lengths_and_errors():
    X = np.random.default_rng(0).normal(size=(2, 50))
    windower = SeriesWindower(window_length=8, stride=3).fit(X)
    long = np.random.default_rng(1).normal(size=(4, 77)).astype(np.float32)
    windows = windower.transform(long)
    assert windows.dtype == np.float32
    back = windower.inverse_transform(windows, n_timesteps=77)
    assert back.shape == long.shape and back.dtype == np.float32
    assert_allclose(back, long, rtol=1e-6)
    with pytest.raises(ValueError, match="not a multiple"):
        windower.inverse_transform(windows[:-1], n_timesteps=77)
    with pytest.raises(ValueError, match="fitted with window_length=8"):
        windower.inverse_transform(np.zeros((3, 5)))
    with pytest.raises(TypeError, match="n_timesteps"):
        windower.inverse_transform(windows, n_timesteps=7.5)


@pytest.mark.parametrize("center_windows", [False, True])
@pytest.mark.parametrize("taper", ["hann", "triangular", "boxcar"])
@pytest.mark.parametrize("n_timesteps", [1, 9, 32, 33, 100, 257])
def test_windowed_identity_and_constants_come_back_exactly(
    recorder, taper, n_timesteps, center_windows
):
    # What the inner denoiser leaves alone comes back bit for bit (the taper's
    # weights once multiplied and divided changed a sample in its last bits).
    X = np.random.default_rng(0).normal(size=(3, n_timesteps)) * 0.1
    denoiser = WindowedDenoiser(
        recorder,
        window_length=32,
        stride=12,
        taper=taper,
        center_windows=center_windows,
    )
    denoiser.fit(X)
    assert_array_equal(denoiser.transform(X), X)
    constant = np.full((2, n_timesteps, 3), 0.1)
    denoiser.fit(np.zeros((1, 40, 3)))
    assert_array_equal(denoiser.transform(constant), constant)


@pytest.mark.parametrize("taper", ["hann", "triangular", "boxcar"])
def test_windowed_windows_that_agree_give_their_value(taper):
    # An inner denoiser that returns one value everywhere: the overlap-add of
    # its windows gives that value (to rounding) wherever they overlap.
    X = np.random.default_rng(1).normal(size=(2, 101))
    inner = FunctionTransformer(lambda windows: np.full_like(windows, 0.3))
    denoiser = WindowedDenoiser(inner, window_length=16, stride=5, taper=taper)
    assert_allclose(denoiser.fit(X).transform(X), 0.3, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 300), (2, 300, 2), (1, 10), (3, 1)])
def test_windowed_returns_input_shape_and_dtype(dtype, shape):
    X = np.random.default_rng(0).normal(size=shape).astype(dtype)
    original = X.copy()
    denoiser = WindowedDenoiser(SavitzkyGolayDenoiser(window_length=5, polyorder=2), 64)
    out = denoiser.fit(X).transform(X)
    assert out.shape == X.shape and out.dtype == dtype
    assert np.array_equal(X, original)


def test_windowed_fit_cuts_the_same_windows_from_x_and_y(recorder):
    X, y = noisy_sines(n_series=3, n_timesteps=70)
    denoiser = WindowedDenoiser(recorder, window_length=32, stride=16).fit(X, y)
    windower = SeriesWindower(32, 16).fit(X)
    assert denoiser.n_windows_fit_ == 3 * 4
    assert_allclose(denoiser.estimator_.fit_X_, windower.transform(X))
    assert_allclose(denoiser.estimator_.fit_y_, windower.transform(y))
    assert denoiser.estimator is not denoiser.estimator_


def test_windowed_ignores_label_targets_with_a_warning(recorder):
    X, _ = noisy_sines(n_series=3, n_timesteps=40)
    with pytest.warns(TargetIgnoredWarning):
        denoiser = WindowedDenoiser(recorder, window_length=16).fit(X, [0, 1, 0])
    assert denoiser.estimator_.fit_y_ is None


def test_windowed_denoises_in_bounded_batches(recorder):
    X = np.random.default_rng(0).normal(size=(5, 1000))
    denoiser = WindowedDenoiser(recorder, window_length=64, stride=32).fit(X[:1, :64])
    Recorder.transform_batches = []
    full = denoiser.transform(X)
    n_windows = 5 * denoiser.windows_per_series(1000)
    # All windows of all series in one call when they fit in one chunk.
    assert Recorder.transform_batches == [(n_windows, 64)]
    Recorder.transform_batches = []
    chunked = denoiser.set_params(chunk_windows=7).transform(X)
    assert max(shape[0] for shape in Recorder.transform_batches) == 7
    assert sum(shape[0] for shape in Recorder.transform_batches) == n_windows
    assert len(Recorder.transform_batches) == -(-n_windows // 7)
    assert_allclose(chunked, full, atol=1e-12)


def test_windowed_long_recording_matches_its_pieces():
    # The chunk boundaries do not show in the output.
    rng = np.random.default_rng(0)
    X = np.cumsum(rng.normal(size=(1, 200_000)), axis=1)
    denoiser = WindowedDenoiser(MedianDenoiser(window_length=5), window_length=256)
    denoiser.fit(X[:, :256])
    out = denoiser.transform(X)
    small = denoiser.set_params(chunk_windows=5).transform(X[:, :3000])
    # Up to the last window of the piece, which ends at its last sample.
    assert_allclose(out[:, :2700], small[:, :2700], atol=1e-10)


@pytest.mark.parametrize(
    "inner",
    [
        WaveletDenoiser(),
        BandpassDenoiser(low_cutoff=0.01, high_cutoff=None),
        SavitzkyGolayDenoiser(),
        WienerDenoiser(),
        MedianDenoiser(),
    ],
    ids=lambda est: type(est).__name__,
)
def test_windowed_runs_the_classical_baselines(inner):
    noisy, clean = noisy_sines(n_series=4, n_timesteps=300)
    denoiser = WindowedDenoiser(inner, window_length=128).fit(noisy, clean)
    out = denoiser.transform(noisy[:, :250])
    assert out.shape == (4, 250)
    assert np.isfinite(out).all()


def test_windowed_runs_a_neural_denoiser():
    noisy, clean = noisy_sines(n_series=4, n_timesteps=100)
    denoiser = WindowedDenoiser(tiny_unet(), window_length=32).fit(noisy, clean)
    assert denoiser.estimator_.n_features_in_ == 32
    out = denoiser.transform(noisy[:, :77].astype(np.float32))
    assert out.shape == (4, 77) and out.dtype == np.float32


def test_windowed_validation():
    X = np.zeros((2, 50))
    with pytest.raises(ValueError, match="must not exceed window_length"):
        WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=8, stride=9).fit(X)
    with pytest.raises(InvalidParameterError, match="window_length"):
        WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=0).fit(X)
    with pytest.raises(InvalidParameterError, match="estimator"):
        WindowedDenoiser("savgol").fit(X)
    denoiser = WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=16).fit(X)
    with pytest.raises(ValueError, match="channel"):
        denoiser.transform(np.zeros((2, 50, 2)))
    with pytest.raises(ValueError, match="2D"):
        denoiser.transform(np.zeros(50))


def test_windows_of_a_series_never_leave_its_fold(recorder):
    # Series i holds values near i, so the windows the inner estimator was fitted
    # on tell which series they came from.
    n_series, n_timesteps = 9, 50
    t = np.linspace(0, 1, n_timesteps)
    X = np.arange(n_series)[:, None] + 0.1 * np.sin(7 * t)
    y = np.arange(n_series)[:, None] + np.zeros_like(t)
    denoiser = WindowedDenoiser(recorder, window_length=16, stride=8)
    result = cross_validate(
        denoiser,
        X,
        y,
        cv=KFold(3, shuffle=True, random_state=0),
        return_estimator=True,
        return_indices=True,
    )
    per_series = denoiser.windows_per_series(n_timesteps)
    for fitted, train, test in zip(
        result["estimator"],
        result["indices"]["train"],
        result["indices"]["test"],
        strict=True,
    ):
        windows = fitted.estimator_.fit_X_
        assert windows.shape[0] == len(train) * per_series
        sources = set(np.round(windows.mean(axis=1)).astype(int))
        assert sources == set(train)
        assert not sources & set(test)


# -------------------------------------------------------------------- scaling
@pytest.mark.parametrize("method", ["standard", "robust", "minmax"])
def test_series_scaler_scales_each_series_and_channel(method):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 60, 2)) * [[1.0, 50.0]] + [[3.0, -200.0]]
    X[1] *= 10
    scaler = SeriesScaler(method=method).fit(X)
    Z = scaler.transform(X)
    if method == "standard":
        assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
        assert_allclose(Z.std(axis=1), 1)
    elif method == "robust":
        assert_allclose(np.median(Z, axis=1), 0, atol=1e-12)
        q75, q25 = np.percentile(Z, [75, 25], axis=1)
        assert_allclose(q75 - q25, 1)
    else:
        assert_allclose(Z.min(axis=1), 0, atol=1e-12)
        assert_allclose(Z.max(axis=1), 1)
    assert scaler.center_.shape == scaler.scale_.shape == (4, 2)
    assert_allclose(scaler.inverse_transform(Z), X)
    # Scaled per series: the other series do not matter.
    assert_allclose(scaler.transform(X[2:3]), Z[2:3])


def test_series_scaler_any_length_constants_and_dtype():
    X = np.full((2, 1000), 7.0, dtype=np.float32)
    scaler = SeriesScaler().fit(X)
    Z = scaler.transform(X)
    assert Z.dtype == np.float32 and np.all(Z == 0)
    assert_allclose(scaler.inverse_transform(Z), X)
    # transform stores nothing: other series, of another length, leave the
    # statistics of fit in place.
    assert np.all(SeriesScaler().fit(X).transform(np.ones((3, 5))) == 0)
    assert_allclose(scaler.inverse_transform(scaler.transform(X[:, :10])), X[:, :10])
    with pytest.raises(ValueError, match="fitted on 2"):
        scaler.inverse_transform(np.zeros((3, 1000)))


@pytest.mark.parametrize(
    "scaler", [StandardScaler(), RobustScaler(), MinMaxScaler()], ids=repr
)
def test_sklearn_scalers_before_a_neural_denoiser_give_clean_units(scaler):
    # Clean series in their own units (offset 3, amplitude 2); only the noisy
    # inputs are scaled, and the pipeline's output is in the clean units.
    rng = np.random.default_rng(0)
    clean = 3.0 + 2.0 * make_sines(96, 32, frequency_range=(1, 3), random_state=0)
    noisy = clean + 0.5 * rng.standard_normal(clean.shape)
    test_clean = 3.0 + 2.0 * make_sines(16, 32, frequency_range=(1, 3), random_state=1)
    test_noisy = test_clean + 0.5 * rng.standard_normal(test_clean.shape)
    denoiser = tiny_unet(
        filters=8, kernel_size=5, epochs=30, learning_rate=1e-2, normalize=False
    )
    pipe = make_pipeline(scaler, denoiser).fit(noisy, clean)
    out = pipe.transform(test_noisy)
    assert snr(test_clean, pipe[0].transform(test_noisy)) < 3
    assert snr(test_clean, out) > 15
    assert abs(out.mean() - test_clean.mean()) < 0.2


# ----------------------------------------------------------- scale invariance
@pytest.fixture(scope="module")
def fitted_unets():
    noisy, clean = noisy_sines(n_series=8, n_timesteps=64)
    unet = tiny_unet().fit(noisy[:, :32], clean[:, :32])
    windowed = WindowedDenoiser(tiny_unet(), window_length=32).fit(noisy, clean)
    plain = tiny_unet(normalize=False).fit(noisy[:, :32], clean[:, :32])
    return noisy, unet, windowed, plain


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    a=st.floats(1e-3, 1e3),
    b=st.floats(-1e3, 1e3),
    windowed=st.booleans(),
)
def test_transform_is_scale_and_offset_equivariant(fitted_unets, a, b, windowed):
    noisy, unet, windowed_unet, _ = fitted_unets
    model, X = (windowed_unet, noisy[:3, :50]) if windowed else (unet, noisy[:3, :32])
    expected = a * model.transform(X) + b
    got = model.transform(a * X + b)
    scale = a * X.std()
    assert_allclose(got, expected, rtol=0, atol=1e-4 * scale + 1e-9 * abs(b))


@settings(max_examples=10, deadline=None)
@given(a=st.floats(2.0, 10.0), b=st.floats(1.0, 10.0))
def test_normalize_false_is_not_equivariant(fitted_unets, a, b):
    noisy, _, _, plain = fitted_unets
    X = noisy[:3, :32]
    expected = a * plain.transform(X) + b
    got = plain.transform(a * X + b)
    assert np.max(np.abs(got - expected)) > 1e-2 * a


def test_normalize_rms_keeps_scale_equivariance_and_lets_the_network_see_offsets(
    tmp_path,
):
    # Clean series are mean-free; the noise is a random offset per series. With
    # the mean taken out before the network (normalize=True) the offset always
    # comes back; with normalize="rms" the network sees it and learns to drop it.
    rng = np.random.default_rng(0)
    clean = make_sines(256, 32, frequency_range=(2, 4), random_state=0)
    clean -= clean.mean(axis=1, keepdims=True)
    offsets = rng.uniform(-2.0, 2.0, (256, 1))
    offsets[:192] -= offsets[:192].mean()  # y in X's units: no units map
    noisy = clean + offsets
    errors = {}
    with pytest.raises(InvalidParameterError, match="normalize"):
        tiny_unet(normalize="mean").fit(noisy[:8], clean[:8])
    for normalize in (True, "rms"):
        model = tiny_unet(
            normalize=normalize, epochs=40, learning_rate=1e-2, filters=8, depth=2
        ).fit(noisy[:192], clean[:192])
        assert np.all(model.target_offset_ == 0)
        out = model.transform(noisy[192:])
        errors[normalize] = np.mean(np.abs(out.mean(axis=1) - clean[192:].mean(axis=1)))
        if normalize == "rms":
            assert model.get_params()["normalize"] == "rms"
            from skdenoise.persistence import load, save

            save(model, tmp_path / "rms.skdenoise")
            restored = load(tmp_path / "rms.skdenoise")
            assert restored.normalize == "rms"
            assert_allclose(restored.transform(noisy[192:]), out, rtol=0, atol=1e-6)
            X = noisy[192:195]
            for a in (1e-3, 7.0, 1e3):
                assert_allclose(
                    model.transform(a * X), a * model.transform(X), rtol=1e-5, atol=0
                )
    # The standardised network returns the offsets it was given (mean |offset| 1).
    assert errors[True] > 0.8
    assert errors["rms"] < 0.25 * errors[True]


# ------------------------------------------------------------ model selection
@pytest.fixture(scope="module")
def series():
    noisy, clean = noisy_sines(n_series=12, n_timesteps=96, seed=3)
    return noisy.astype(np.float32), clean.astype(np.float32)


def test_grid_search_over_window_and_inner_parameters(series):
    noisy, clean = series
    pipe = make_pipeline(SeriesScaler(), WindowedDenoiser(tiny_unet(**ONE_STEP)))
    grid = {
        "windoweddenoiser__window_length": [32, 64],
        "windoweddenoiser__estimator__filters": [4, 8],
    }
    search = GridSearchCV(pipe, grid, cv=2, scoring=snr_scorer).fit(noisy, clean)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_[-1]
    assert best.window_length == search.best_params_["windoweddenoiser__window_length"]
    assert (
        best.estimator_.filters
        == search.best_params_["windoweddenoiser__estimator__filters"]
    )
    recording = np.random.default_rng(0).normal(size=(1, 20_000)).astype(np.float32)
    out = search.best_estimator_.transform(recording)
    assert out.shape == recording.shape and out.dtype == np.float32
    assert np.isfinite(out).all()


def test_randomized_search_and_cross_val_score(series):
    noisy, clean = series
    pipe = make_pipeline(
        StandardScaler(), WindowedDenoiser(tiny_unet(normalize=False), window_length=48)
    )
    search = RandomizedSearchCV(
        pipe,
        {"windoweddenoiser__stride": [12, 24, 48], "windoweddenoiser__taper": ["hann"]},
        n_iter=2,
        cv=2,
        random_state=0,
    ).fit(noisy, clean)
    assert len(search.cv_results_["params"]) == 2
    # Default scoring is the SNR of the denoised series (DenoiserMixin.score).
    refit = search.best_estimator_
    assert search.score(noisy, clean) == pytest.approx(
        snr(clean, refit.transform(noisy)), rel=1e-5
    )
    default = cross_val_score(pipe, noisy, clean, cv=2)
    by_scorer = cross_val_score(pipe, noisy, clean, cv=2, scoring=snr_scorer)
    assert_allclose(default, by_scorer, rtol=1e-5)


def test_noise_models_and_callbacks_in_the_grid_survive_clone(series):
    from skdenoise._tf import import_keras

    keras = import_keras()
    noisy, clean = series
    noises = [WhiteNoise(snr=5), ColoredNoise(alpha=1, snr=5)]
    callbacks = [None, [keras.callbacks.TerminateOnNaN()]]
    pipe = make_pipeline(
        SeriesScaler(), WindowedDenoiser(tiny_unet(), window_length=32)
    )
    grid = {
        "windoweddenoiser__estimator__noise": noises,
        "windoweddenoiser__estimator__callbacks": callbacks,
    }
    search = GridSearchCV(pipe, grid, cv=2).fit(noisy, clean)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    inner = search.best_estimator_[-1].estimator_
    assert type(inner.noise) in {WhiteNoise, ColoredNoise}
    assert inner.noise is not search.best_params_["windoweddenoiser__estimator__noise"]
    # The grid's own objects were not fitted or changed.
    assert noises[1].get_params() == {"alpha": 1, "snr": 5, "amplitude": 1.0}
    cloned = clone(pipe.set_params(windoweddenoiser__estimator__noise=noises[1]))
    assert cloned[-1].estimator.noise.get_params() == noises[1].get_params()


def test_windowed_score_is_snr(series):
    noisy, clean = series
    denoiser = WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=32)
    denoiser.fit(noisy, clean)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = denoiser.score(noisy, clean)
    assert score == pytest.approx(snr(clean, denoiser.transform(noisy)), rel=1e-6)


class _TakesValidationData(TransformerMixin, BaseEstimator):
    """Identity denoiser whose fit takes validation_data, like the neural ones."""

    _takes_validation_data = True

    def fit(self, X, y=None, validation_data=None):
        self.validation_data_ = validation_data
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float64)


def test_windowed_routes_validation_data_under_metadata_routing():
    import sklearn

    X = np.random.default_rng(0).normal(size=(6, 40))
    X_val = np.random.default_rng(1).normal(size=(2, 24))
    with sklearn.config_context(enable_metadata_routing=True):
        denoiser = WindowedDenoiser(_TakesValidationData(), window_length=8)
        denoiser = denoiser.set_fit_request(validation_data=True)
        search = GridSearchCV(denoiser, {"stride": [4]}, cv=2)
        search.fit(X, X, validation_data=(X_val, X_val))
    X_windows, y_windows = search.best_estimator_.estimator_.validation_data_
    assert X_windows.shape == (2 * 5, 8)
    assert_allclose(X_windows, y_windows)


def test_windowed_transform_uses_the_window_length_of_fit():
    X = np.random.default_rng(0).normal(size=(3, 64))
    model = WindowedDenoiser(SavitzkyGolayDenoiser(window_length=5), window_length=16)
    model.fit(X)
    assert (model.window_length_, model.stride_) == (16, 8)
    assert model.center_windows_ is False
    before = model.transform(X)
    # The inner denoiser was fitted on windows of 16: transform failed with its
    # "expecting 16 features" (or, for any-length inners, cut other windows).
    model.set_params(window_length=32, stride=4, center_windows=True)
    np.testing.assert_array_equal(model.transform(X), before)
    assert model.windows_per_series(64) == 7
    # A new fit takes the new settings.
    assert model.fit(X).window_length_ == 32 and model.stride_ == 4


def test_centred_windows_refuse_pairs_in_other_units():
    clean = make_sines(12, 96, random_state=0)
    noisy = clean + 0.2 * np.random.default_rng(0).normal(size=clean.shape)
    model = WindowedDenoiser(
        tiny_unet(validation_split=0), window_length=32, center_windows=True
    )
    # Noisy series in microvolts, clean in millivolts: X's window means were
    # taken off y in X's units, which hid the mismatch from the network's own
    # check (a map near 1) and trained it towards shrunken outputs.
    with pytest.raises(ValueError, match=r"center_windows=True\): y is about 0\.001"):
        model.fit(1000 * noisy, clean)
    model.fit(noisy, clean)  # the same units
    with pytest.raises(ValueError, match="not in X's units"):
        model.partial_fit(1000 * noisy, clean)
    model.partial_fit(1000 * noisy, 1000 * clean)


def test_windower_uses_the_geometry_of_fit_and_names_x():
    X = np.random.default_rng(0).normal(size=(2, 40))
    windower = SeriesWindower(window_length=8).fit(X)
    windows = windower.transform(X)
    windower.set_params(window_length=16, stride=2)
    assert windower.transform(X).shape == windows.shape
    assert_allclose(windower.inverse_transform(windows), X)
    # The argument is X: the messages called it "windows".
    with pytest.raises(ValueError, match="^X has windows of 5 samples"):
        windower.inverse_transform(windows[:, :5])
    with pytest.raises(ValueError, match="^X for SeriesWindower must have 2"):
        windower.inverse_transform(windows[:, :, None, None])
    with pytest.raises(ValueError, match="^X has 3 windows"):
        windower.inverse_transform(windows[:3])


def test_resampled_needs_the_rate_of_its_estimator():
    # The default was 360 Hz, the ECG records' rate: a 1 kHz series wrapped
    # with its own rate only was resampled to 360 Hz and back in silence, and
    # lost all it held above 180 Hz.
    from sklearn.preprocessing import FunctionTransformer

    from skdenoise.pipeline import ResampledDenoiser

    t = np.arange(1000) / 1000.0
    X = np.sin(2 * np.pi * 300 * t)[None]
    model = ResampledDenoiser(FunctionTransformer(), sampling_rate=1000)
    assert model.get_params()["estimator_sampling_rate"] is None
    with pytest.raises(ValueError, match="needs estimator_sampling_rate: the rate"):
        model.fit(X)
    from skdenoise.classical import MedianDenoiser

    class Partial(MedianDenoiser):
        def partial_fit(self, X, y=None):
            return self.fit(X, y)

    partial = ResampledDenoiser(Partial(), sampling_rate=1000)
    with pytest.raises(ValueError, match="needs estimator_sampling_rate"):
        partial.partial_fit(X)
    assert not hasattr(model, "estimator_") and not hasattr(partial, "estimator_")
    # Given, at the series' own rate: nothing is lost.
    same = model.set_params(estimator_sampling_rate=1000).fit(X)
    np.testing.assert_allclose(same.transform(X), X)
    # Unset after fit: named with the fitted rate.
    with pytest.raises(ValueError, match="fitted at 1000 Hz"):
        same.set_params(estimator_sampling_rate=None).transform(X)
    # fit itself was told to set it back "or fit again".
    with pytest.raises(ValueError, match="needs estimator_sampling_rate: the rate"):
        same.fit(X)


def test_resampled_validates_its_parameters_in_fit_not_in_transform():
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import FunctionTransformer

    from skdenoise.pipeline import ResampledDenoiser

    X = np.random.default_rng(0).normal(size=(2, 64))
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=250, estimator_sampling_rate=360.0
    ).fit(X)
    expected = model.transform(X)
    # A parameter transform does not read no longer breaks it (every
    # parameter was validated again at every transform); fit refuses it.
    model.set_params(estimator=LinearRegression())
    np.testing.assert_array_equal(model.transform(X), expected)
    with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
        model.fit(X)
    with pytest.raises(InvalidParameterError, match="'min_duration' parameter"):
        ResampledDenoiser(
            FunctionTransformer(), min_duration=-1.0, estimator_sampling_rate=360.0
        ).fit(X)
    # The rate of the series may still be set after fit, and is checked.
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=250, estimator_sampling_rate=360.0
    ).fit(X)
    with pytest.raises(InvalidParameterError, match="'sampling_rate' parameter"):
        model.set_params(sampling_rate=-5).transform(X)
    with pytest.raises(ValueError, match="estimator_sampling_rate='a'"):
        model.set_params(sampling_rate=250, estimator_sampling_rate="a").transform(X)


class _CutLast(TransformerMixin, BaseEstimator):
    """A transformer that returns ``cut`` samples fewer (or more) than it got."""

    def __init__(self, cut=3):
        self.cut = cut

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.asarray(X)
        return X[:, : -self.cut] if self.cut > 0 else np.pad(X, ((0, 0), (0, 2)))


@pytest.mark.parametrize("rate", [None, 250.0])
@pytest.mark.parametrize("cut", [3, -2])
def test_resampled_refuses_an_inner_output_of_another_shape(rate, cut):
    from skdenoise.pipeline import ResampledDenoiser

    X = np.random.default_rng(0).normal(size=(4, 40))
    model = ResampledDenoiser(
        _CutLast(cut), sampling_rate=rate, estimator_sampling_rate=360.0
    ).fit(X)
    # It was padded with the last sample (or cropped) in silence.
    with pytest.raises(ValueError, match="_CutLast returned series of shape"):
        model.transform(X)


def test_resampled_never_hands_out_the_callers_array():
    from sklearn.preprocessing import FunctionTransformer

    from skdenoise.pipeline import ResampledDenoiser

    for X in (np.arange(12.0).reshape(3, 4), np.arange(12.0).reshape(3, 4, 1)):
        original = X.copy()
        out = (
            ResampledDenoiser(FunctionTransformer(), estimator_sampling_rate=360.0)
            .fit(X)
            .transform(X)
        )
        np.testing.assert_array_equal(out, X)
        assert not np.shares_memory(out, X)
        out[...] = 0
        np.testing.assert_array_equal(X, original)


def test_resampled_min_duration_is_met_by_its_exact_sample_count():
    from skdenoise.pipeline import ResampledDenoiser

    # 1.1 s at 360 Hz is 396 samples (1.1 * 360 is 396.00000000000006).
    model = ResampledDenoiser(
        MedianDenoiser(),
        sampling_rate=360.0,
        min_duration=1.1,
        estimator_sampling_rate=360.0,
    )
    assert model.fit(np.zeros((1, 396))).transform(np.ones((1, 396))).shape == (1, 396)
    with pytest.raises(ValueError, match="needs at least 396 samples"):
        model.transform(np.ones((1, 395)))


def test_series_scaler_inverse_transform_does_not_compare_column_names():
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).normal(size=(3, 6))
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(6)])
    scaler = SeriesScaler().fit(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(scaler.inverse_transform(scaler.transform(frame)), X)


def test_windowed_transform_checks_the_parameters_it_reads():
    from sklearn.utils._param_validation import InvalidParameterError

    from skdenoise.baselines import WienerDenoiser
    from skdenoise.pipeline import WindowedDenoiser

    X = np.random.default_rng(0).normal(size=(3, 64))
    windowed = WindowedDenoiser(WienerDenoiser(), window_length=16).fit(X)
    for bad in ({"chunk_windows": -1}, {"taper": "bogus"}):
        with pytest.raises(InvalidParameterError, match=next(iter(bad))):
            windowed.set_params(**bad).transform(X)
        windowed.set_params(chunk_windows=None, taper="hann")


@pytest.mark.parametrize("name", ["window_length", "stride"])
def test_windowed_refuses_a_bool_for_a_length(name):
    # True was taken as 1: 4,000 windows of one sample, without a word.
    from skdenoise.baselines import WienerDenoiser
    from skdenoise.pipeline import SeriesWindower, WindowedDenoiser

    X = np.random.default_rng(0).normal(size=(3, 64))
    params = {"window_length": 16, name: True}
    for estimator in (
        WindowedDenoiser(WienerDenoiser(), **params),
        SeriesWindower(**params),
    ):
        with pytest.raises(ValueError, match=f"'{name}' parameter .* not a bool"):
            estimator.fit(X)
    # chunk_windows, read at transform: True ran one window per call, and a
    # small NumPy integer overflowed in the counts of chunks.
    windowed = WindowedDenoiser(WienerDenoiser(), window_length=16).fit(X)
    expected = windowed.transform(X)
    with pytest.raises(ValueError, match="'chunk_windows' parameter .* not a bool"):
        windowed.set_params(chunk_windows=True).transform(X)
    small = windowed.set_params(chunk_windows=np.uint8(3)).transform(X)
    np.testing.assert_allclose(small, expected, rtol=1e-12, atol=1e-12)


def test_resampled_refuses_a_length_its_fixed_length_estimator_cannot_take():
    from skdenoise.baselines import SavitzkyGolayDenoiser
    from skdenoise.pipeline import ResampledDenoiser

    X = np.random.default_rng(0).normal(size=(3, 500))
    denoiser = ResampledDenoiser(
        SavitzkyGolayDenoiser(window_length=15),
        sampling_rate=250,
        estimator_sampling_rate=360,
    ).fit(X)
    assert denoiser.transform(X).shape == X.shape
    with pytest.raises(ValueError, match=r"400 samples at 250 Hz \(576 at its rate\)"):
        denoiser.transform(X[:, :400])
    with pytest.raises(ValueError, match="WindowedDenoiser"):
        denoiser.set_params(sampling_rate=500).transform(X)
    # Bad rates get their own messages first.
    from sklearn.utils._param_validation import InvalidParameterError

    for rate in (0, -2.0, float("nan")):
        with pytest.raises(InvalidParameterError, match="sampling_rate"):
            denoiser.set_params(sampling_rate=rate).transform(X)
    denoiser.set_params(sampling_rate=250, estimator_sampling_rate=500)
    with pytest.raises(ValueError, match="Set it back to 360"):
        denoiser.transform(X)


def test_series_scaler_checks_its_method_at_transform():
    from sklearn.utils._param_validation import InvalidParameterError

    from skdenoise.preprocessing import SeriesScaler

    X = np.random.default_rng(0).normal(size=(3, 20))
    for method in ("rms", "bogus"):
        scaler = SeriesScaler().fit(X).set_params(method=method)
        with pytest.raises(InvalidParameterError, match="'method' parameter"):
            scaler.transform(X)


def test_windowed_denoiser_stitches_arrays_under_a_global_pandas_output():
    import sklearn

    from skdenoise.classical import MedianDenoiser
    from skdenoise.windowing import WindowedDenoiser

    X = np.random.default_rng(0).normal(size=(4, 32, 2))
    reference = WindowedDenoiser(MedianDenoiser(), window_length=8).fit_transform(X)
    with sklearn.config_context(transform_output="pandas"):
        windowed = WindowedDenoiser(MedianDenoiser(), window_length=8)
        out = windowed.set_output(transform="default").fit(X).transform(X)
    np.testing.assert_array_equal(out, reference)


def test_resampled_partial_fit_compares_column_names():
    pd = pytest.importorskip("pandas")
    from skdenoise.classical import MedianDenoiser
    from skdenoise.windowing import ResampledDenoiser

    class Partial(MedianDenoiser):
        def partial_fit(self, X, y=None):
            return self.fit(X, y)

    X = np.random.default_rng(0).normal(size=(3, 20))
    first = pd.DataFrame(X, columns=[f"t{i}" for i in range(20)])
    other = pd.DataFrame(X, columns=[f"u{i}" for i in range(20)])
    denoiser = ResampledDenoiser(Partial(), estimator_sampling_rate=360.0).partial_fit(
        first
    )
    with pytest.raises(ValueError, match="feature names should match"):
        denoiser.partial_fit(other)


def test_wrappers_with_an_invalid_estimator_fail_clearly_in_model_selection():
    from sklearn.model_selection import cross_val_score
    from sklearn.utils._param_validation import InvalidParameterError

    from skdenoise.windowing import ResampledDenoiser, WindowedDenoiser

    X = np.random.default_rng(0).normal(size=(6, 32))
    for wrapper in (
        WindowedDenoiser("median"),
        ResampledDenoiser("median", estimator_sampling_rate=360.0),
    ):
        with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
            cross_val_score(wrapper, X, X, cv=2, error_score="raise")


def test_windower_inverse_transform_of_the_largest_finite_values():
    # The overlapping windows were summed as they were: sums near 1e308 were inf.
    X = np.full((1, 20), 1e308)
    X[0, ::2] = -1e308
    windower = SeriesWindower(window_length=8, stride=2, taper="boxcar").fit(X)
    back = windower.inverse_transform(windower.transform(X))
    np.testing.assert_allclose(back, X, rtol=1e-12)
    small = np.full((1, 20), 3e-300)
    assert_allclose(windower.inverse_transform(windower.transform(small)), small)
    # Each series by its own magnitude: a tiny one beside a huge one is kept.
    mixed = np.random.default_rng(0).standard_normal((2, 20)) * [[1e300], [1e-300]]
    back = windower.inverse_transform(windower.transform(mixed))
    assert back.shape == mixed.shape
    np.testing.assert_allclose(back, mixed, rtol=1e-12)


def test_the_global_pandas_output_reaches_neither_inner_estimators_nor_scores():
    # Under set_config(transform_output="pandas") the inner estimator of
    # ResampledDenoiser returned tables and refused its resampled lengths, and
    # score and the scorers refused series with channels.
    import sklearn

    from skdenoise.metrics import snr_improvement_scorer
    from skdenoise.model_selection import self_supervised_scorer
    from skdenoise.pipeline import ResampledDenoiser

    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 64))
    X3 = rng.normal(size=(4, 64, 2))
    resampled = ResampledDenoiser(
        WindowedDenoiser(MedianDenoiser(), window_length=16),
        sampling_rate=2.0,
        estimator_sampling_rate=1.0,
    )
    expected = resampled.fit(X, X).transform(X)
    median = MedianDenoiser().fit(X3, X3)
    scores = [
        median.score(X3, X3 + 0.1),
        snr_improvement_scorer(median, X3 + 0.1, X3),
        self_supervised_scorer(median, X3),
    ]
    with sklearn.config_context(transform_output="pandas"):
        out = resampled.fit(X, X).transform(X)
        assert_allclose(np.asarray(out), expected)
        assert list(out.columns) == list(resampled.get_feature_names_out())
        assert median.score(X3, X3 + 0.1) == scores[0]
        assert snr_improvement_scorer(median, X3 + 0.1, X3) == scores[1]
        assert self_supervised_scorer(median, X3) == scores[2]


def test_validation_data_prepared_otherwise_than_x_is_named():
    # In a Pipeline, validation_data reaches the denoiser as given: raw X_val
    # against series that a SeriesScaler standardised, or X_val in other units.
    rng = np.random.default_rng(0)
    clean = make_sines(40, 32, frequency_range=(1, 3), random_state=0)
    clean = clean * rng.uniform(0.3, 1.0, (40, 1))
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    pipe = make_pipeline(SeriesScaler(), tiny_unet(**ONE_STEP))
    with pytest.warns(UserWarning, match="a standard deviation of 1 .*Pipeline"):
        pipe.fit(
            noisy[8:], clean[8:], unetdenoiser__validation_data=(noisy[:8], clean[:8])
        )
    with pytest.warns(UserWarning, match="median RMS of X_val's series is"):
        tiny_unet(**ONE_STEP).fit(
            noisy[8:], clean[8:], validation_data=(1000 * noisy[:8], clean[:8])
        )
    # Prepared as X is, or in the same units: no word.
    scaled = SeriesScaler().fit(noisy[8:]).transform(noisy[:8])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_pipeline(SeriesScaler(), tiny_unet(**ONE_STEP)).fit(
            noisy[8:], clean[8:], unetdenoiser__validation_data=(scaled, clean[:8])
        )
        tiny_unet(**ONE_STEP).fit(
            noisy[8:], clean[8:], validation_data=(noisy[:8], clean[:8])
        )
        # One prepared validation series; clean series scaled by themselves
        # with noise added on the fly, and noisy X_val with its clean y_val.
        tiny_unet(**ONE_STEP).fit(
            SeriesScaler().fit_transform(noisy[8:]),
            clean[8:],
            validation_data=(scaled[:1], clean[:1]),
        )
        scaled_clean = SeriesScaler().fit_transform(clean)
        tiny_unet(**ONE_STEP, noise=WhiteNoise(snr=6.0)).fit(
            scaled_clean[8:],
            validation_data=(scaled_clean[:8] + 0.3 * noisy[:8], scaled_clean[:8]),
        )
    assert not [w for w in caught if "validation_data of" in str(w.message)]
    # Blind-spot training validates on X_val (noisy, like X), not y_val.
    scaled_noisy = SeriesScaler().fit_transform(noisy)
    blind = tiny_unet(**ONE_STEP, training="blind_spot")
    with pytest.warns(UserWarning, match="the series of X_val do not"):
        blind.fit(scaled_noisy[8:], validation_data=(noisy[:8], scaled_noisy[:8]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        blind.fit(scaled_noisy[8:], validation_data=(scaled_noisy[:8], clean[:8]))
    assert not [w for w in caught if "validation_data of" in str(w.message)]


def test_a_per_series_scaler_in_front_of_a_network_trained_on_pairs_is_named():
    # SeriesScaler in a Pipeline gives every noisy series a scale of 1 and
    # leaves y as it is: the network cannot know each clean series' amplitude,
    # and its outputs came back at one amplitude for all (traces from 1e-3 to
    # 1e3 at -15 dB) without a word.
    from sklearn.preprocessing import Normalizer

    rng = np.random.default_rng(0)
    clean = make_sines(24, 64, frequency_range=(1, 3), random_state=0)
    clean = clean * 10.0 ** rng.uniform(-3, 3, (24, 1))
    noisy = clean + 0.2 * clean.std(axis=1, keepdims=True) * rng.standard_normal(
        clean.shape
    )
    for scaler in (SeriesScaler(), SeriesScaler(method="minmax"), Normalizer()):
        name = type(scaler).__name__
        pipe = make_pipeline(scaler, tiny_unet(**ONE_STEP))
        with pytest.warns(UserWarning, match=f"UNetDenoiser follows {name}") as got:
            pipe.fit(noisy, clean)
        assert [w.filename for w in got if "follows" in str(w.message)] == [__file__]
    # The scaler as a branch of a ColumnTransformer over every sample (or of
    # a FeatureUnion of one branch) scales the series just the same.
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion

    for front in (
        ColumnTransformer([("scale", Normalizer(), slice(0, None))]),
        FeatureUnion([("scale", make_pipeline(SeriesScaler()))]),
    ):
        pipe = make_pipeline(front, tiny_unet(**ONE_STEP))
        with pytest.warns(UserWarning, match="follows (Normalizer|SeriesScaler)"):
            pipe.fit(noisy, clean)
    # Inside a wrapper, a nested pipeline, or with the scaler in a nested
    # preprocessing pipeline: said once.
    for pipe in (
        make_pipeline(SeriesScaler(), WindowedDenoiser(tiny_unet(**ONE_STEP), 32)),
        make_pipeline(SeriesScaler(), make_pipeline(tiny_unet(**ONE_STEP))),
        make_pipeline(make_pipeline(SeriesScaler()), tiny_unet(**ONE_STEP)),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pipe.fit(noisy, clean)
        said = [w for w in caught if "follows SeriesScaler" in str(w.message)]
        assert len(said) == 1 and said[0].filename == __file__
    # One long recording scaled by itself, windowed: its windows' spread is
    # their content's, not a lost amplitude.
    long_clean = np.sin(np.linspace(0, 80, 2048))[None] * (
        1 + 0.5 * np.sin(np.linspace(0, 9, 2048))
    )
    long_noisy = long_clean + 0.1 * rng.standard_normal(long_clean.shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for inner in (
            tiny_unet(**ONE_STEP),
            make_pipeline(SavitzkyGolayDenoiser(), tiny_unet(**ONE_STEP)),
        ):
            make_pipeline(SeriesScaler(), WindowedDenoiser(inner, 64)).fit(
                long_noisy, long_clean
            )
    assert not [w for w in caught if "follows" in str(w.message)]
    # Clean series of one amplitude, both scaled by hand (the noisy series'
    # scale, or each its own), a scaler elsewhere, or a classical filter: no word.
    same = clean / clean.std(axis=1, keepdims=True)
    scale = noisy.std(axis=1, keepdims=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_pipeline(SeriesScaler(), tiny_unet(**ONE_STEP)).fit(
            noisy / clean.std(axis=1, keepdims=True), same
        )
        tiny_unet(**ONE_STEP).fit(noisy / scale, clean / scale)
        tiny_unet(**ONE_STEP).fit(SeriesScaler().fit_transform(noisy), same)
        make_pipeline(StandardScaler(), tiny_unet(**ONE_STEP)).fit(noisy, clean)
        make_pipeline(SeriesScaler(), SavitzkyGolayDenoiser()).fit(noisy, clean)
        tiny_unet(**ONE_STEP).fit(noisy, clean)
    assert not [w for w in caught if "follows" in str(w.message)]


def test_scorers_under_a_global_pandas_output_do_not_warn_of_feature_names():
    # The scorers switch the global pandas output off for their transform; the
    # later steps of a Pipeline fitted on tables then got arrays, and every
    # score warned that they lacked their feature names.
    import pandas as pd
    import sklearn

    from skdenoise.model_selection import self_supervised_scorer

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 20, 128))[None].repeat(8, 0)
    columns = [f"t{i}" for i in range(128)]
    X = pd.DataFrame(clean + 0.2 * rng.standard_normal(clean.shape), columns=columns)
    y = pd.DataFrame(clean, columns=columns)
    grid = {"savitzkygolaydenoiser__window_length": [5, 15]}
    with sklearn.config_context(transform_output="pandas"):
        pipe = make_pipeline(SeriesScaler(), SavitzkyGolayDenoiser())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search = GridSearchCV(pipe, grid, scoring=snr_scorer, cv=2).fit(X, y)
            fitted = pipe.fit(X)
            loss = self_supervised_scorer(fitted, X)
    assert np.isfinite(search.best_score_) and np.isfinite(loss)
    assert not [w for w in caught if "feature names" in str(w.message)]


def test_wrappers_of_a_neural_denoiser_refuse_series_of_one_timestep():
    # A recording held as a column (n, 1) is n series of one sample: each
    # padded into a constant window, they trained the network on nothing.
    from skdenoise.pipeline import ResampledDenoiser

    column = np.cumsum(np.random.default_rng(0).normal(size=300))[:, None] + 500
    windowed = WindowedDenoiser(tiny_unet(epochs=1), window_length=32)
    upsampled = ResampledDenoiser(windowed, 120.0, 360.0)  # each sample thrice
    for wrapper in (windowed, ResampledDenoiser(windowed, 100.0, 100.0), upsampled):
        with pytest.raises(ValueError, match=r"1 feature\(s\).*X\.T or"):
            wrapper.fit(column)
    # In the series' own samples: 2 at 720 Hz resample to 1 at 360 Hz (and
    # the hint about a column is for columns only).
    twice = ResampledDenoiser(windowed, 720.0, 360.0)
    with pytest.raises(ValueError, match="minimum of 3") as caught:
        twice.fit(np.ones((5, 2)) + np.arange(2))
    assert "X.T" not in str(caught.value)
    # A class instead of an estimator: the parameter and the fix are named.
    with pytest.raises(
        TypeError, match="such as WindowedDenoiser\\(\\); got the class"
    ):
        WindowedDenoiser(WindowedDenoiser, window_length=16).fit(np.ones((2, 8)))
    # A classical filter takes them (and gives them back).
    median = WindowedDenoiser(MedianDenoiser(), window_length=32).fit(column)
    assert_array_equal(median.transform(column), column)


@pytest.mark.parametrize("n_channels", [1, 3])
def test_extract_windows_copies_the_windows_it_names(n_channels):
    from skdenoise.windowing._layout import extract_windows

    rng = np.random.default_rng(0)
    X3 = rng.normal(size=(3, 50, n_channels)).astype(np.float32)
    series = np.array([0, 2, 1, 1, 2])
    starts = np.array([0, 33, 17, 5, 0])
    windows = extract_windows(X3, series, starts, 17)
    expected = np.stack(
        [X3[s, t : t + 17] for s, t in zip(series, starts, strict=True)]
    )
    assert_array_equal(windows, expected)
    assert windows.dtype == np.float32 and windows.flags["C_CONTIGUOUS"]
    windows[0] += 1  # a copy, not a view of X3
    assert_array_equal(X3[0, :17], expected[0])


def test_a_recording_held_time_first_is_warned_of():
    # read_wfdb's signal and a DataFrame of leads are (n_samples, n_channels):
    # read as 3,600 series of 2 samples they were denoised into nonsense
    # without a word (the band-pass moved them by up to 0.95 mV).
    import warnings

    from skdenoise.baselines import BandpassDenoiser, SavitzkyGolayDenoiser
    from skdenoise.pipeline import ResampledDenoiser, WindowedDenoiser

    signal = np.random.default_rng(0).normal(size=(3600, 2))
    for estimator in (
        BandpassDenoiser(),
        WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=256),
        ResampledDenoiser(
            BandpassDenoiser(), sampling_rate=250, estimator_sampling_rate=360.0
        ),
    ):
        with pytest.warns(
            UserWarning, match=r"3600 series of 2 sample.*X\.T"
        ) as caught:
            estimator.fit(signal)
        assert caught[0].filename == __file__
        with pytest.warns(UserWarning, match="time along them"):
            estimator.transform(signal)
        # fit_transform says it once (its fit and its transform both did).
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            estimator.fit_transform(signal)
        assert len([w for w in caught if "time along them" in str(w.message)]) == 1
    # Rows of series as they should be, and a wrapper's own windows: quiet.
    windowed = WindowedDenoiser(
        SavitzkyGolayDenoiser(window_length=3, polyorder=1), window_length=4
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BandpassDenoiser().fit_transform(signal.T)
        windowed.fit(signal[:, :1].T).transform(signal[:, :1].T)
        # Windows of 16 samples cut beforehand (make_windows, the command line's
        # --window-length 16) are series as they should be.
        BandpassDenoiser().fit_transform(signal[:, 0].reshape(-1, 16))
    # A Pipeline says it once, from its first step that checks series: each
    # step said it (a scaler's copy spoke of denoising).
    for pipe, first in (
        (make_pipeline(SeriesScaler(), SavitzkyGolayDenoiser()), "SeriesScaler"),
        (make_pipeline(StandardScaler(), SavitzkyGolayDenoiser()), "SavitzkyGolay"),
        (
            make_pipeline(
                make_pipeline(SeriesScaler(), SavitzkyGolayDenoiser()),
                MedianDenoiser(window_length=3),
            ),
            "SeriesScaler",
        ),
    ):
        pipe.fit(signal.T)
        for call in (pipe.fit, pipe.fit_transform, pipe.transform, pipe.score):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                call(signal) if call != pipe.score else call(signal, signal)
            said = [w for w in caught if "time along them" in str(w.message)]
            assert len(said) == 1 and str(said[0].message).startswith(first)


def test_resampled_zero_series_are_not_named_by_the_inner_rows():
    # The inner estimator's rows are each series' channels: "index 5, 8, 9"
    # named series that X (of 6) does not have.
    import warnings

    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise
    from skdenoise.pipeline import ResampledDenoiser

    t = np.linspace(0, 2, 720)
    X = np.stack([np.sin(2 * np.pi * (1 + k) * t) for k in range(6)])
    X = np.stack([X, X], -1)
    X[2, :, 1] = 0.0
    X[4] = 0.0
    network = UNetDenoiser(filters=2, depth=1, epochs=1, noise=WhiteNoise(snr=10.0))
    model = ResampledDenoiser(network, sampling_rate=720, estimator_sampling_rate=360)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
    zeros = [str(w.message) for w in caught if "all zeros" in str(w.message)]
    assert len(zeros) == 1 and "index" not in zeros[0]


class _NoisyIdentity(TransformerMixin, BaseEstimator):
    """An identity with the noise and augment parameters of a neural denoiser."""

    def __init__(self, noise=None, augment=None):
        self.noise = noise
        self.augment = augment

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def partial_fit(self, X, y=None):
        return self.fit(X, y)

    def transform(self, X):
        return np.asarray(X, dtype=float)


def test_resampled_refuses_noise_made_for_the_users_rate():
    # The estimator trains on series resampled to 360 Hz: a 50 Hz hum made
    # for 250 Hz series was added at 72 Hz, silently.
    from skdenoise.augment import AugmentationChain, RandomDrift
    from skdenoise.noise import NoiseMixture, PowerlineNoise
    from skdenoise.pipeline import ResampledDenoiser

    X = np.random.default_rng(0).standard_normal((3, 500))
    hum = PowerlineNoise(sampling_rate=250, frequency=50)
    for inner in (
        _NoisyIdentity(noise=hum),
        WindowedDenoiser(_NoisyIdentity(noise=NoiseMixture([WhiteNoise(), hum]))),
        _NoisyIdentity(augment=AugmentationChain([RandomDrift(sampling_rate=250)])),
    ):
        model = ResampledDenoiser(inner, sampling_rate=250, estimator_sampling_rate=360)
        with pytest.raises(ValueError, match=r"sampling_rate=250: its frequencies"):
            model.fit(X)
        with pytest.raises(ValueError, match="Give it sampling_rate=360"):
            clone(model).partial_fit(X)
    good = _NoisyIdentity(noise=PowerlineNoise(sampling_rate=360, frequency=50))
    model = ResampledDenoiser(good, sampling_rate=250, estimator_sampling_rate=360)
    assert model.fit(X).transform(X).shape == X.shape


def test_windowed_inner_that_writes_into_its_input_is_not_turned_into_the_identity():
    # Each window's correction was computed after the inner had overwritten
    # the windows it was given: every correction was 0, the output X itself.
    from sklearn.preprocessing import FunctionTransformer

    X = np.random.default_rng(0).standard_normal((2, 100))
    in_place = FunctionTransformer(lambda W: np.negative(W, out=W))
    model = WindowedDenoiser(in_place, window_length=16, center_windows=False)
    assert_allclose(model.fit(X).transform(X), -X, atol=1e-12)


def test_resampled_names_a_text_rate_set_after_fit():
    # set_params(sampling_rate="250Hz") after fit gave float's bare
    # "could not convert string to float".
    from sklearn.preprocessing import FunctionTransformer

    from skdenoise.pipeline import ResampledDenoiser

    X = np.random.default_rng(0).standard_normal((2, 500))
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=250, estimator_sampling_rate=360.0
    ).fit(X)
    model.set_params(sampling_rate="250Hz")
    with pytest.raises(InvalidParameterError, match="'sampling_rate' parameter"):
        model.transform(X)


def test_resampled_checks_the_noise_of_a_continued_partial_fit_and_of_a_grid():
    # A continued partial_fit trains the fitted estimator_ (the pretrained
    # network), whose noise the check did not see; a search's grid neither.
    from sklearn.model_selection import GridSearchCV

    from skdenoise.noise import PowerlineNoise
    from skdenoise.pipeline import ResampledDenoiser

    X = np.random.default_rng(0).standard_normal((3, 500))
    hum = PowerlineNoise(sampling_rate=250, frequency=50)
    good = PowerlineNoise(sampling_rate=360, frequency=50)
    model = ResampledDenoiser(
        WindowedDenoiser(_NoisyIdentity(noise=good), window_length=64),
        sampling_rate=250,
        estimator_sampling_rate=360,
    ).fit(X)
    model.partial_fit(X)
    model.estimator_.estimator_.set_params(noise=hum)
    with pytest.raises(ValueError, match=r"sampling_rate=250: its frequencies"):
        model.partial_fit(X)
    search = GridSearchCV(_NoisyIdentity(), {"noise": [good, hum]}, cv=2)
    with pytest.raises(ValueError, match=r"sampling_rate=250: its frequencies"):
        ResampledDenoiser(search, sampling_rate=250, estimator_sampling_rate=360.0).fit(
            X, X
        )


def test_series_scaler_inverse_refuses_a_method_changed_since_fit():
    # transform scaled with the new method and inverse_transform undid fit's
    # statistics: the round trip gave other series without a word.
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(4, 50))
    scaler = SeriesScaler(method="standard")
    scaled = scaler.fit_transform(X)
    assert scaler.method_ == "standard"
    scaler.set_params(method="minmax")
    with pytest.raises(ValueError, match="fitted with method='standard'"):
        scaler.inverse_transform(scaled)
    assert_allclose(scaler.set_params(method="standard").inverse_transform(scaled), X)
