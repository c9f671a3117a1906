"""predict(X, return_std=True): Monte-Carlo dropout, ensembles, VAE sampling."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skdenoise import FCNDAEDenoiser, UNetDenoiser, VAEDenoiser
from skdenoise.persistence import load, save
from skdenoise.pipeline import WindowedDenoiser

# One batch per epoch: what these tests check does not depend on the number
# of gradient steps (each eager step of a short fit costs about 0.3 s).
TINY = {"filters": 4, "depth": 2, "kernel_size": 3, "epochs": 1, "batch_size": 64}


def _data(n_series=40, n_timesteps=64, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 10, n_timesteps)
    clean = np.sin(t + rng.uniform(0, 6, (n_series, 1)))
    noisy = clean + rng.normal(0, 0.3, clean.shape)
    return noisy, clean


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def mc_model(data):
    noisy, clean = data
    model = UNetDenoiser(dropout=0.2, uncertainty="mc_dropout", random_state=0, **TINY)
    return model.fit(noisy, clean)


@pytest.fixture(scope="module")
def ensemble_model(data):
    noisy, clean = data
    model = UNetDenoiser(uncertainty="ensemble", n_members=2, random_state=0, **TINY)
    return model.fit(noisy, clean)


@pytest.fixture(scope="module")
def ensemble_flips_model(data):
    # Shared: tests that change it (set_params, calibrate_uncertainty, fitted
    # attributes) work on a copy.deepcopy of it.
    noisy, clean = data
    model = UNetDenoiser(
        uncertainty="ensemble", n_members=2, average_flips=True, random_state=0, **TINY
    )
    return model.fit(noisy, clean)


@pytest.fixture(scope="module")
def vae_model(data):
    noisy, clean = data
    model = VAEDenoiser(
        filters=4,
        depth=2,
        kernel_size=3,
        latent_dim=2,
        epochs=1,
        batch_size=64,
        uncertainty="sampling",
        uncertainty_samples=4,
        random_state=0,
    )
    return model.fit(noisy, clean)


@pytest.fixture(scope="module")
def flips_model(data):
    noisy, clean = data
    model = UNetDenoiser(
        uncertainty="flips", average_flips=True, random_state=0, **TINY
    )
    return model.fit(noisy, clean)


@pytest.mark.parametrize(
    "name", ["mc_model", "ensemble_model", "vae_model", "flips_model"]
)
def test_mean_is_transform_and_std_is_positive(name, data, request):
    model = request.getfixturevalue(name)
    noisy = data[0][:5]
    mean, std = model.predict(noisy, return_std=True)
    assert mean.shape == std.shape == noisy.shape
    np.testing.assert_array_equal(mean, model.transform(noisy))
    np.testing.assert_array_equal(model.predict(noisy), model.transform(noisy))
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    # A second call gives the same draws (seeded by random_state).
    np.testing.assert_array_equal(std, model.predict(noisy, return_std=True)[1])
    # The std varies over the samples: it is not a constant.
    assert np.ptp(std) > 0


def test_shapes_and_dtypes(mc_model, data):
    noisy = data[0][:3]
    mean3, std3 = mc_model.predict(noisy[:, :, None], return_std=True)
    assert mean3.shape == std3.shape == (3, 64, 1)
    np.testing.assert_allclose(
        std3[:, :, 0], mc_model.predict(noisy, return_std=True)[1]
    )
    mean32, std32 = mc_model.predict(noisy.astype(np.float32), return_std=True)
    assert mean32.dtype == std32.dtype == np.float32
    with pytest.raises(ValueError, match="1D array"):
        mc_model.predict(noisy[0], return_std=True)
    with pytest.raises(ValueError, match="features"):
        mc_model.predict(noisy[:, :32], return_std=True)


def test_std_under_pandas_output_is_a_table_like_the_mean(data):
    pd = pytest.importorskip("pandas")
    noisy, clean = data
    model = UNetDenoiser(
        dropout=0.2, uncertainty="mc_dropout", random_state=0, **TINY
    ).fit(noisy, clean)
    expected = model.predict(noisy[:3], return_std=True)
    model.set_output(transform="pandas")
    mean, std = model.predict(pd.DataFrame(noisy[:3]), return_std=True)
    assert isinstance(mean, pd.DataFrame) and isinstance(std, pd.DataFrame)
    np.testing.assert_allclose(mean.to_numpy(), expected[0])
    np.testing.assert_allclose(std.to_numpy(), expected[1])


def test_same_random_state_same_mean_and_std(mc_model, data):
    noisy, clean = data
    again = clone(mc_model).fit(noisy, clean)
    for a, b in zip(
        mc_model.predict(noisy[:4], return_std=True),
        again.predict(noisy[:4], return_std=True),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", [1e160, 1e-170])
def test_spread_and_removed_noise_follow_series_of_any_magnitude(mc_model, data, scale):
    from skdenoise.neural._uncertainty import raw_std, removed_noise

    X3 = data[0][:3, :, None]
    spread = raw_std(mc_model, X3, 0)
    noise = removed_noise(mc_model, X3, mc_model._transform(X3))
    scaled = X3 * scale
    # Squaring values near 1e160 overflowed (the std came out NaN), near
    # 1e-170 it underflowed (the spread was its floor).
    np.testing.assert_allclose(raw_std(mc_model, scaled, 0), scale * spread, rtol=1e-3)
    np.testing.assert_allclose(
        removed_noise(mc_model, scaled, mc_model._transform(scaled)),
        scale * noise,
        rtol=1e-6,
    )
    _, std = mc_model.predict(scaled[:, :, 0], return_std=True)
    assert np.all(np.isfinite(std)) and np.all(std > 0)


def test_ensemble_members_and_mean(ensemble_model, data):
    noisy = data[0][:4]
    assert len(ensemble_model.ensemble_members_) == 1
    # transform gives the members' mean, which differs from the first member's.
    first = ensemble_model._network_outputs(
        noisy[:, :, None], ensemble_model.model_.predict_on_batch
    )
    second = ensemble_model._network_outputs(
        noisy[:, :, None], ensemble_model.ensemble_members_[0].predict_on_batch
    )
    assert not np.allclose(first, second)
    mean = ensemble_model._network_outputs(noisy[:, :, None])
    np.testing.assert_allclose(mean, (first + second) / 2)
    # With two members the uncalibrated spread is |first - second| / sqrt(2).
    from skdenoise.neural._uncertainty import raw_std

    spread = raw_std(ensemble_model, noisy[:, :, None], 0)
    gated = [
        ensemble_model._transform(noisy[:, :, None], m.predict_on_batch)
        for m in (ensemble_model.model_, ensemble_model.ensemble_members_[0])
    ]
    np.testing.assert_allclose(
        gated[0],
        ensemble_model._gated(
            noisy[:, :, None],
            first,
            ensemble_model.gate_snr_,
            ensemble_model.gate_scale_,
        )
        * ensemble_model.target_scale_
        + ensemble_model.target_offset_,
    )
    np.testing.assert_allclose(
        spread, np.maximum(np.abs(gated[0] - gated[1]) / np.sqrt(2), spread.min())
    )


def test_ensemble_with_passes_spreads_the_members_after_every_pass(
    data, ensemble_model
):
    from skdenoise.neural._uncertainty import raw_std

    noisy, clean = data
    model = UNetDenoiser(
        uncertainty="ensemble", n_members=2, n_passes=2, random_state=0, **TINY
    ).fit(noisy, clean)
    assert model.n_passes_ == 2
    X3 = noisy[:4, :, None]
    # transform: each pass runs the members' mean; the spread is that of the
    # members, each run through both passes and their gates.
    mean, std = model.predict(noisy[:4], return_std=True)
    np.testing.assert_array_equal(mean, model.transform(noisy[:4]))
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    members = [
        model._transform(X3, m.predict_on_batch)
        for m in (model.model_, model.ensemble_members_[0])
    ]
    spread = raw_std(model, X3, 0)
    np.testing.assert_allclose(
        spread, np.maximum(np.abs(members[0] - members[1]) / np.sqrt(2), spread.min())
    )
    # The same ensemble with one pass (n_passes=1 is the default).
    one_pass = ensemble_model
    assert one_pass.get_params() == {**clone(model).get_params(), "n_passes": 1}
    assert not np.allclose(one_pass.transform(noisy[:4]), mean)


def test_save_load_and_pickle_round_trip(ensemble_model, data, tmp_path):
    noisy = data[0][:4]
    mean, std = ensemble_model.predict(noisy, return_std=True)
    save(ensemble_model, tmp_path / "model.skd")
    loaded = load(tmp_path / "model.skd")
    assert len(loaded.ensemble_members_) == 1
    for restored in (loaded, pickle.loads(pickle.dumps(ensemble_model))):
        mean2, std2 = restored.predict(noisy, return_std=True)
        np.testing.assert_array_equal(mean, mean2)
        np.testing.assert_array_equal(std, std2)


def test_windowed_std_is_overlap_added(mc_model, ensemble_model):
    rng = np.random.default_rng(1)
    long = np.sin(np.linspace(0, 40, 256))[None] + rng.normal(0, 0.3, (2, 256))
    windowed = WindowedDenoiser(mc_model, window_length=64, stride=64)
    windowed.estimator_ = mc_model
    windowed.n_features_in_, windowed.n_channels_in_ = 256, 1
    # Windows that do not overlap: each sample's std is its window's.
    mean, std = windowed.predict(long, return_std=True)
    windows = long.reshape(8, 64)
    w_mean, w_std = mc_model.predict(windows, return_std=True)
    np.testing.assert_allclose(mean, w_mean.reshape(2, 256))
    np.testing.assert_allclose(std, w_std.reshape(2, 256))
    np.testing.assert_array_equal(mean, windowed.transform(long))
    # Half-overlapping boxcar windows: the variance is the mean of the two
    # (an ensemble, whose std of a window does not depend on the others).
    windowed = WindowedDenoiser(ensemble_model, window_length=64, stride=32)
    windowed.set_params(taper="boxcar")
    windowed.estimator_ = ensemble_model
    windowed.n_features_in_, windowed.n_channels_in_ = 256, 1
    _, std = windowed.predict(long[:1], return_std=True)
    _, first = ensemble_model.predict(long[:1, :64], return_std=True)
    _, second = ensemble_model.predict(long[:1, 32:96], return_std=True)
    np.testing.assert_allclose(
        std[0, 32:64], np.sqrt((first[0, 32:] ** 2 + second[0, :32] ** 2) / 2)
    )


def test_windowed_std_under_pandas_output_is_a_table_like_the_mean(mc_model, data):
    pd = pytest.importorskip("pandas")
    noisy = data[0][:3]
    windowed = WindowedDenoiser(mc_model, window_length=64)
    windowed.estimator_ = mc_model
    windowed.n_features_in_, windowed.n_channels_in_ = 64, 1
    expected = windowed.predict(noisy, return_std=True)
    windowed.set_output(transform="pandas")
    mean, std = windowed.predict(noisy, return_std=True)
    assert isinstance(mean, pd.DataFrame) and isinstance(std, pd.DataFrame)
    np.testing.assert_array_equal(mean.to_numpy(), windowed.transform(noisy))
    np.testing.assert_allclose(std.to_numpy(), expected[1])
    with pytest.raises(ValueError, match="set_output"):
        windowed.predict(noisy[:, :, None], return_std=True)


def test_windowed_predict_only_with_an_inner_predict():
    from skdenoise.classical import SavitzkyGolayDenoiser

    assert not hasattr(WindowedDenoiser(SavitzkyGolayDenoiser()), "predict")
    assert hasattr(WindowedDenoiser(UNetDenoiser()), "predict")


def _resampled(model, sampling_rate):
    """``model`` in a fitted WindowedDenoiser at 360 Hz, run at ``sampling_rate``."""
    from skdenoise.pipeline import ResampledDenoiser

    windowed = WindowedDenoiser(model, window_length=64)
    windowed.estimator_ = model
    windowed.n_features_in_, windowed.n_channels_in_ = 64, 1
    resampled = ResampledDenoiser(
        windowed, sampling_rate=sampling_rate, estimator_sampling_rate=360
    )
    resampled.estimator_, resampled.estimator_sampling_rate_ = windowed, 360.0
    resampled.n_features_in_, resampled.n_channels_in_ = 64, 1
    return resampled


def test_resampled_std_is_the_windowed_one_brought_to_the_series_rate(mc_model):
    from skdenoise.classical import SavitzkyGolayDenoiser
    from skdenoise.pipeline import ResampledDenoiser

    rng = np.random.default_rng(2)
    t = np.arange(300) / 250.0
    long = np.sin(2 * np.pi * t)[None] + rng.normal(0, 0.3, (2, 300))
    resampled = _resampled(mc_model, 250)
    mean, std = resampled.predict(long, return_std=True)
    assert mean.shape == std.shape == long.shape
    np.testing.assert_array_equal(mean, resampled.transform(long))
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    # At 360 Hz: the windowed std, within its range for every series.
    at_360 = resampled._to_model(long[:, :, None])
    _, inner = resampled.estimator_.predict(at_360, return_std=True)
    assert np.all(std >= inner.min(axis=1, keepdims=True))
    assert np.all(std <= inner.max(axis=1, keepdims=True))
    # Variances resampled like the series: the mean variance is kept.
    np.testing.assert_allclose(
        np.mean(std**2, axis=1), np.mean(inner**2, axis=1), rtol=0.05
    )
    # Squared, stds near 1e200 overflow and near 1e-200 underflow: each row
    # is divided by a power of two first, exactly.
    from skdenoise.windowing._resampled import _resample_std

    back = _resample_std(inner, 25, 36)
    for magnitude in (2.0**700, 2.0**-700):
        np.testing.assert_array_equal(
            _resample_std(inner * magnitude, 25, 36), back * magnitude
        )
    # At the estimator's own rate nothing is resampled.
    same = _resampled(mc_model, 360)
    _, std_same = same.predict(long, return_std=True)
    np.testing.assert_array_equal(
        std_same, same.estimator_.predict(long, return_std=True)[1]
    )
    # Channels, float32, set_output and pickle, as transform.
    mean3, std3 = resampled.predict(np.stack([long, -long], -1), return_std=True)
    assert std3.shape == (2, 300, 2)
    np.testing.assert_allclose(std3[:, :, 0], std)
    np.testing.assert_allclose(mean3[:, :, 1], resampled.transform(-long))
    mean32, std32 = resampled.predict(long.astype(np.float32), return_std=True)
    assert mean32.dtype == std32.dtype == np.float32
    restored = pickle.loads(pickle.dumps(resampled))
    np.testing.assert_array_equal(restored.predict(long, return_std=True)[1], std)
    pd = pytest.importorskip("pandas")
    # A table names the columns of series of the fitted length.
    resampled.n_features_in_ = 300
    resampled.set_output(transform="pandas")
    table_mean, table_std = resampled.predict(long, return_std=True)
    assert isinstance(table_mean, pd.DataFrame) and isinstance(table_std, pd.DataFrame)
    np.testing.assert_allclose(table_std.to_numpy(), std)
    # Only with an inner predict(return_std=True), which needs an uncertainty.
    classical = ResampledDenoiser(
        WindowedDenoiser(SavitzkyGolayDenoiser()), estimator_sampling_rate=360.0
    )
    assert not hasattr(classical, "predict")
    plain = pickle.loads(pickle.dumps(mc_model)).set_params(uncertainty=None)
    resampled = _resampled(plain, 250)
    with pytest.raises(ValueError, match="needs an uncertainty estimate"):
        resampled.predict(long, return_std=True)


def test_mc_dropout_keeps_batch_norm_in_inference_mode():
    from skdenoise._tf import import_keras
    from skdenoise.neural._uncertainty import _stochastic_clone

    keras = import_keras()
    inputs = keras.Input((8, 1))
    h = keras.layers.BatchNormalization(name="bn")(inputs)
    outputs = keras.layers.Dropout(0.5, name="drop")(h)
    model = keras.Model(inputs, outputs)
    model.get_layer("bn").set_weights(
        [np.ones(1), np.zeros(1), np.full(1, 3.0), np.full(1, 4.0)]
    )
    x = np.linspace(1, 2, 16, dtype=np.float32).reshape(2, 8, 1)
    expected = model.predict_on_batch(x)  # dropout off: (x - 3) / 2
    np.testing.assert_allclose(expected, (x - 3) / np.sqrt(4 + 1e-3), rtol=1e-5)
    out = _stochastic_clone(model, "mc_dropout").predict_on_batch(x)
    kept = out != 0
    assert 0 < kept.mean() < 1  # dropout is on
    # What is kept is the inference-mode batch norm, scaled by 1 / (1 - rate).
    np.testing.assert_allclose(out[kept], 2 * expected[kept], rtol=1e-5)


def test_calibration_covers_95_percent_at_every_level():
    from skdenoise.neural._uncertainty import apply_std_calibration, fit_std_calibration

    rng = np.random.default_rng(0)

    def draw(n=20000):
        spread = np.exp(rng.uniform(-3, 1, n))
        # The true error is 3 times the spread at small spreads, 1 time at large.
        true_std = spread * np.where(spread < 0.3, 3.0, 1.0)
        return spread, rng.normal(0, true_std)

    spread, residual = draw()
    calibration = fit_std_calibration(residual, spread)
    np.testing.assert_array_equal(calibration[0], [1.0, 0.0])
    assert calibration[2].shape == calibration[3].shape == (1, 12)
    test_spread, test_residual = draw()
    std = apply_std_calibration(test_spread, None, *calibration)
    inside = np.abs(test_residual) <= 1.96 * std
    for low, high in [(-3, -2), (-1, 0), (0.5, 1)]:
        rows = (np.log(test_spread) >= low) & (np.log(test_spread) < high)
        assert 0.92 < inside[rows].mean() < 0.98
    # One global factor would miss: the small spreads need 3 times more.
    global_std = test_spread * np.quantile(np.abs(residual) / spread, 0.95) / 1.96
    small = np.log(test_spread) < -2
    assert (np.abs(test_residual) <= 1.96 * global_std)[small].mean() < 0.9


def test_calibration_uses_the_noise_level_when_the_spread_misses_it():
    from skdenoise.neural._uncertainty import apply_std_calibration, fit_std_calibration

    rng = np.random.default_rng(1)

    def draw(n=100_000):
        spread = np.exp(rng.uniform(-2, 0, n))
        # The error follows the noise level, with a floor (not a power law),
        # and a heavier tail at high noise; the spread tells nothing.
        noise = np.exp(rng.uniform(-3, 1, n))
        error = rng.normal(0, 0.5 * noise + 0.1)
        heavy = rng.standard_t(3, n) * (0.5 * noise + 0.1)
        return spread, noise, np.where(noise > 1, heavy, error)

    spread, noise, residual = draw()
    calibration = fit_std_calibration(residual, spread, noise)
    weights = calibration[0]
    assert weights[1] > 0.5 and weights[0] < 0.1
    assert len(calibration[1]) > 1  # several noise bins
    spread, noise, residual = draw()
    std = apply_std_calibration(spread, noise, *calibration)
    inside = np.abs(residual) <= 1.96 * std
    for low, high in [(-3, -2.5), (-1, 0), (0.5, 1)]:
        rows = (np.log(noise) >= low) & (np.log(noise) < high)
        assert 0.93 < inside[rows].mean() < 0.97


def test_calibration_bins_on_another_key_cover_each_group():
    from skdenoise.neural._uncertainty import apply_std_calibration, fit_std_calibration

    rng = np.random.default_rng(2)

    def draw(n=60_000):
        # Two kinds of noise at the same levels: on the slow one (low colour)
        # the error is four times what the spread and the level say.
        spread = np.exp(rng.uniform(-2, 0, n))
        noise = np.exp(rng.uniform(-2, 0, n))
        slow = rng.random(n) < 0.5
        colour = np.where(slow, rng.uniform(0.01, 0.05, n), rng.uniform(1.5, 2.5, n))
        residual = rng.normal(0, spread * np.where(slow, 4.0, 1.0))
        return spread, noise, colour, slow, residual

    spread, noise, colour, slow, residual = draw()
    by_colour = fit_std_calibration(residual, spread, noise, bin_on=colour)
    by_level = fit_std_calibration(residual, spread, noise)
    spread, noise, colour, slow, residual = draw()
    std = apply_std_calibration(spread, noise, *by_colour, bin_on=colour)
    inside = np.abs(residual) <= 1.96 * std
    for kind in (slow, ~slow):
        assert 0.93 < inside[kind].mean() < 0.97
    # Bins on the level cannot tell the two apart: too narrow on the slow one,
    # too wide on the fast one.
    std = apply_std_calibration(spread, noise, *by_level)
    inside = np.abs(residual) <= 1.96 * std
    assert inside[slow].mean() < 0.91 and inside[~slow].mean() > 0.99


@pytest.mark.parametrize("name", ["flips_model", "ensemble_model"])
def test_the_std_of_series_with_an_offset_is_that_of_the_series(name, data, request):
    # The spread was summed as E[x^2] - E[x]^2, which lost it to rounding on
    # series with an offset (prices near 1e4), and its floor (a millionth of
    # the RMS, offset included) replaced it.
    import warnings

    model = request.getfixturevalue(name)
    noisy, _ = data
    scale = 1e-2 / np.std(noisy[:6])
    mean, std = model.predict(scale * noisy[:6], return_std=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # these units are not the calibration's
        shifted, shifted_std = model.predict(scale * noisy[:6] + 1e4, return_std=True)
    np.testing.assert_allclose(shifted - 1e4, mean, atol=1e-9)
    np.testing.assert_allclose(shifted_std, std, rtol=1e-4)
    # Near the largest floats the floor's mean does not overflow.
    from skdenoise.neural._uncertainty import _spread_floor

    huge = 1e307 * np.sin(np.linspace(0, 9, 128))[np.newaxis, :, np.newaxis]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        floor = _spread_floor(huge + 1e307)
    assert np.all(np.isfinite(floor)) and np.all(floor > 0)
    # A flat series's floor is a millionth of its level, whatever the rounding
    # of its mean (0.7 gave 1.7e-21: the rounding counted as variation).
    for level in (0.7, 0.5, 1000.3, -3.3):
        flat = np.full((1, 64, 1), level)
        np.testing.assert_allclose(_spread_floor(flat), 1e-6 * abs(level), rtol=1e-12)


def test_one_series_or_lead_in_other_units_is_warned_of_by_name(flips_model, data):
    # Through windows (and resampling, the pretrained model's way) the check
    # took the median over every window of the call: a lead in microvolts
    # among leads in millivolts passed, or the warning named channel 0.
    import warnings

    from skdenoise.windowing import ResampledDenoiser

    noisy, _ = data
    length = noisy.shape[1]
    long = np.concatenate(list(noisy[:12]))[np.newaxis]  # a recording, 12 windows
    windowed = WindowedDenoiser(flips_model, window_length=length).fit(noisy[:8])
    leads = np.stack([long[0], long[0], 1000 * long[0]], -1)[np.newaxis]
    rows = np.concatenate([long, long, 1000 * long])
    resampled = ResampledDenoiser(
        windowed, sampling_rate=500, estimator_sampling_rate=250
    ).fit(np.repeat(noisy[:8], 2, axis=1))
    cases = [
        (windowed, rows, "series 2 lies"),
        (resampled, np.repeat(leads, 2, axis=1), "series 0, channel 2"),
        (resampled, np.repeat(rows, 2, axis=1), "series 2 lies"),
    ]
    for model, X, where in cases:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.predict(X, return_std=True)
        messages = [str(w.message) for w in caught if "other units" in str(w.message)]
        assert len(messages) == 1 and where in messages[0], (where, messages)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        windowed.predict(np.concatenate([long] * 3), return_std=True)
        resampled.predict(np.repeat(leads[..., :2], 2, axis=1), return_std=True)


def test_predict_warns_when_the_inputs_are_in_other_units(flips_model, data):
    import warnings

    noisy, _ = data
    low, high = flips_model.std_input_range_
    assert 0 < low < high
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flips_model.predict(noisy[:4], return_std=True)
        flips_model.transform(1000 * noisy[:4])  # the output scales: no warning
    for factor in (1000.0, 1e-3):
        with pytest.warns(UserWarning, match="other units") as record:
            mean, std = flips_model.predict(factor * noisy[:4], return_std=True)
        assert record[0].filename == __file__
        assert np.all(np.isfinite(std)) and mean.shape == std.shape
    # Flat series (leads off) do not count, at any level (at 0.3 their mean
    # removed left 1e-17 of rounding, taken for series in other units), nor
    # do flat stretches of a recording; a long recording warns once.
    for level in (0.0, 0.3, -0.7):
        mixed = np.concatenate([np.full((12, noisy.shape[1]), level), noisy[:4]])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            flips_model.predict(mixed, return_std=True)
    lead_off = np.tile(noisy[:1], (1, 12))
    lead_off[:, : 8 * noisy.shape[1]] = 0.3
    per_window = WindowedDenoiser(flips_model, window_length=noisy.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_window.fit(*data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_window.predict(lead_off, return_std=True)
    windowed = WindowedDenoiser(flips_model, window_length=noisy.shape[1]).fit(
        noisy[:8]
    )
    long = 1000 * np.tile(noisy[:1], (1, 40))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filters = list(warnings.filters)
        windowed.set_params(chunk_windows=8).predict(long, return_std=True)
        # The warnings module's shared state is left alone (threads share it).
        assert warnings.filters == filters
    assert len([w for w in caught if "other units" in str(w.message)]) == 1
    # Calibrated on series in those units, it is quiet again.
    model = pickle.loads(pickle.dumps(flips_model))
    model.calibrate_uncertainty(1000 * noisy[:20], 1000 * data[1][:20])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(1000 * noisy[:4], return_std=True)


def test_without_uncertainty_return_std_raises(data):
    noisy, clean = data
    model = UNetDenoiser(random_state=0, **TINY).fit(noisy[:16], clean[:16])
    with pytest.raises(ValueError, match="set uncertainty"):
        model.predict(noisy[:2], return_std=True)
    model.set_params(uncertainty="ensemble")
    with pytest.raises(ValueError, match="fit it again"):
        model.predict(noisy[:2], return_std=True)


@pytest.mark.parametrize(
    "estimator, match",
    [
        (UNetDenoiser(uncertainty="mc_dropout", **TINY), "dropout=0"),
        (UNetDenoiser(uncertainty="sampling", **TINY), "only VAEDenoiser"),
        (
            UNetDenoiser(uncertainty="flips", training="blind_spot", **TINY),
            "blind_spot.*calibrate_uncertainty",
        ),
        (
            UNetDenoiser(
                uncertainty="mc_dropout", dropout=0.1, training="blind_spot", **TINY
            ),
            "blind_spot.*set uncertainty='mc_dropout' and call calibrate_uncertainty",
        ),
        (
            FCNDAEDenoiser(
                filters=(2, 2), kernel_size=3, epochs=1, uncertainty="mc_dropout"
            ),
            # It has no dropout to set: the advice names what works.
            r"has none: use uncertainty='flips' \(no training\) or 'ensemble'\.$",
        ),
        (
            FCNDAEDenoiser(
                filters=(2, 2), kernel_size=3, epochs=1, uncertainty="sampling"
            ),
            r"Use uncertainty='flips' \(no training\) or 'ensemble'\.$",
        ),
    ],
)
def test_unavailable_uncertainty_is_rejected_before_training(estimator, match, data):
    noisy, clean = data
    with pytest.raises(ValueError, match=match):
        estimator.fit(noisy[:8], clean[:8])
    assert not hasattr(estimator, "model_")


def test_mc_dropout_builds_its_dropout_copy_once(data, monkeypatch):
    from skdenoise.neural import _uncertainty

    noisy, clean = data
    model = UNetDenoiser(dropout=0.2, uncertainty="mc_dropout", random_state=0, **TINY)
    model.fit(noisy, clean)
    first = model.predict(noisy[:4], return_std=True)
    built = []
    original = _uncertainty._stochastic_clone
    monkeypatch.setattr(
        _uncertainty,
        "_stochastic_clone",
        lambda *args: built.append(1) or original(*args),
    )
    for _ in range(3):
        again = model.predict(noisy[:4], return_std=True)
        # The kept copy restarts its draws: the same passes every call.
        np.testing.assert_array_equal(again[0], first[0])
        np.testing.assert_array_equal(again[1], first[1])
    assert not built


def test_mc_dropout_copy_follows_partial_fit(data):
    from skdenoise.neural import _uncertainty

    noisy, clean = data
    model = UNetDenoiser(dropout=0.2, uncertainty="mc_dropout", random_state=0, **TINY)
    model.fit(noisy, clean)
    X3 = noisy[:4, :, None]
    # The spread of the passes itself: the calibrated std of a network this
    # small may give it no weight (it read the removed noise alone), and
    # then did not show a copy that kept the weights of before.
    before = _uncertainty.raw_std(model, X3, 0)
    model.partial_fit(noisy, clean)
    after = _uncertainty.raw_std(model, X3, 0)
    # A copy built anew from the trained weights gives the same spread (to
    # rounding: the spread is 1e-3 of the outputs; a copy that kept the
    # weights of before was hundreds of times off).
    _uncertainty._STOCHASTIC_COPIES.clear()
    fresh = _uncertainty.raw_std(model, X3, 0)
    np.testing.assert_allclose(after, fresh, rtol=0, atol=0.01 * fresh.max())
    assert not np.allclose(before, after, rtol=0, atol=0.01 * fresh.max())


def test_partial_fit_rejects_ensemble(data):
    # scikit-learn's convention: the method that cannot work is not there, so
    # that wrappers (and sklearn's own checks) do not offer it.
    from skdenoise.windowing import ResampledDenoiser, WindowedDenoiser

    noisy, clean = data
    model = UNetDenoiser(uncertainty="ensemble", **TINY)
    assert not hasattr(model, "partial_fit")
    assert not hasattr(WindowedDenoiser(model, window_length=16), "partial_fit")
    resampled = ResampledDenoiser(model, sampling_rate=100, estimator_sampling_rate=100)
    assert not hasattr(resampled, "partial_fit")
    # The reason itself, not scikit-learn's "has no attribute" over it.
    with pytest.raises(AttributeError, match="partial_fit trains one network.*use fit"):
        model.partial_fit(noisy[:8], clean[:8])
    assert UNetDenoiser.partial_fit.__doc__.startswith("Train the network")
    # Looked up before uncertainty became "ensemble": refused when called.
    model.set_params(uncertainty=None)
    partial_fit = model.partial_fit
    model.set_params(uncertainty="ensemble")
    with pytest.raises(ValueError, match="use fit"):
        partial_fit(noisy[:8], clean[:8])
    assert not hasattr(model, "model_")
    assert hasattr(model.set_params(uncertainty="flips"), "partial_fit")


def test_failed_partial_fit_keeps_the_ensembles_members(data):
    # An interrupted partial_fit dropped the members while the calibration
    # still described the ensemble: transform changed and predict failed.
    import keras

    noisy, clean = data

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            raise KeyboardInterrupt

    model = UNetDenoiser(uncertainty="ensemble", n_members=2, **TINY)
    model.fit(noisy, clean)
    members = model.ensemble_members_
    mean, std = model.predict(noisy[:3], return_std=True)
    model.set_params(uncertainty="flips", callbacks=[Interrupt()])
    with pytest.raises(KeyboardInterrupt):
        model.partial_fit(noisy, clean)
    model.set_params(uncertainty="ensemble", callbacks=None)
    assert model.ensemble_members_ is members
    again, again_std = model.predict(noisy[:3], return_std=True)
    np.testing.assert_array_equal(again, mean)
    np.testing.assert_array_equal(again_std, std)
    # Without members (a successful partial_fit drops them), predict names it.
    del model.ensemble_members_
    with pytest.raises(ValueError, match="fitted without them"):
        model.predict(noisy[:3], return_std=True)


def test_uncalibrated_without_validation_warns(data, tmp_path):
    noisy, clean = data
    model = UNetDenoiser(
        dropout=0.2,
        uncertainty="mc_dropout",
        validation_split=0,
        random_state=0,
        **TINY,
    )
    with pytest.warns(UserWarning, match="not calibrated"):
        model.fit(noisy[:16], clean[:16])
    np.testing.assert_array_equal(model.std_log_factors_, [[0.0]])
    np.testing.assert_array_equal(model.std_weights_, [1.0, 0.0])
    # predict says so too: fit's one warning is lost on a model saved and
    # loaded elsewhere, whose std looked calibrated (19 % coverage for 95 %).
    from skdenoise.persistence import load, save

    path = tmp_path / "uncalibrated.skd"
    save(model, path)
    for fitted in (model, load(path)):
        with pytest.warns(UserWarning, match="standard deviation is not calibrated"):
            fitted.predict(noisy[16:18], return_std=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(noisy[16:18])  # no std asked for: no warning
        model.calibrate_uncertainty(noisy[16:], clean[16:])
        model.predict(noisy[16:18], return_std=True)


def test_uncalibrated_blind_spot_model_says_why_at_predict(data):
    # More validation_split (the advice for the supervised case) cannot
    # calibrate a model that has no clean series.
    noisy, _ = data
    model = UNetDenoiser(
        uncertainty="ensemble",
        n_members=2,
        training="blind_spot",
        random_state=0,
        **TINY,
    )
    with pytest.warns(UserWarning, match="not calibrated"):
        model.fit(noisy[:16])
    with pytest.warns(UserWarning, match="blind-spot training has no clean") as got:
        model.predict(noisy[16:18], return_std=True)
    assert "validation_split" not in str(got[0].message)


def test_get_params_and_clone():
    model = UNetDenoiser(uncertainty="ensemble", n_members=3, uncertainty_samples=4)
    params = clone(model).get_params()
    assert params["uncertainty"] == "ensemble"
    assert params["n_members"] == 3 and params["uncertainty_samples"] == 4
    with pytest.raises(ValueError, match="n_members"):
        UNetDenoiser(uncertainty="ensemble", n_members=1).fit(*_data(8))


def test_ensemble_members_train_without_touching_the_warnings_filters(data):
    # The members' warnings were silenced with warnings.catch_warnings, whose
    # filters all threads share: ensembles fitted in threads left "ignore
    # ConvergenceWarning" in them for good, hiding the user's own.
    import keras
    from sklearn.exceptions import ConvergenceWarning

    class Record(keras.callbacks.Callback):
        seen = []  # a class attribute: the members' copies share it

        def on_epoch_end(self, epoch, logs=None):
            Record.seen.append(list(warnings.filters))

    _, clean = data
    model = UNetDenoiser(
        **{**TINY, "epochs": 1},
        uncertainty="ensemble",
        n_members=3,
        callbacks=[Record()],
        random_state=0,
    )
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inside = list(warnings.filters)
        model.fit(clean + 1000.0)
    assert len(Record.seen) == 3 and all(seen == inside for seen in Record.seen)
    assert list(warnings.filters) == before
    # The ensemble says it once, not once per member.
    learned = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    offset = [w for w in caught if "carry an offset" in str(w.message)]
    assert len(learned) <= 1 and len(offset) == 1


@pytest.mark.parametrize(
    "settings", [{"uncertainty": "flips"}, {"uncertainty": "ensemble", "n_members": 2}]
)
def test_a_diverged_training_is_kept_uncalibrated_not_failed(settings):
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 32)
    clean = np.sin(
        2 * np.pi * (rng.uniform(1, 4, (40, 1)) * t + rng.uniform(0, 1, (40, 1)))
    )
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    params = {"filters": 4, "depth": 1, "kernel_size": 3, "batch_size": 8}
    model = UNetDenoiser(
        **params,
        learning_rate=10.0,
        epochs=3,
        validation_split=0.5,
        random_state=0,
        **settings,
    )
    # The calibration's least squares met NaN: LinAlgError, the fit lost.
    with pytest.warns(ConvergenceWarning, match="not finite"):
        model.fit(noisy, clean)
    assert not np.isfinite(model.history_["loss"][-1])
    with pytest.raises(ValueError, match="training diverged"):
        model.predict(noisy, return_std=True)
    with pytest.raises(ValueError, match="training diverged"):
        model.calibrate_uncertainty(noisy, clean)


def _network_with_a_lambda(n_timesteps, n_channels, filters=4):
    from skdenoise._tf import import_keras

    keras = import_keras()
    inputs = keras.Input((n_timesteps, n_channels))
    h = keras.layers.Conv1D(filters, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.Lambda(lambda t: 0.5 * t)(h)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(h))


def test_ensemble_members_of_any_network_come_back_from_worker_processes(data):
    from skdenoise import KerasDenoiser

    # The workers sent the members as .keras archives, which the calling
    # process loaded in safe mode: a Lambda layer (or a custom layer registered
    # in the user's script) failed, once every member had trained.
    noisy, clean = data
    settings = {"epochs": 1, "batch_size": 64, "random_state": 0, "n_members": 2}
    model = KerasDenoiser(
        _network_with_a_lambda, uncertainty="ensemble", n_jobs=2, **settings
    ).fit(noisy, clean)
    alone = KerasDenoiser(
        _network_with_a_lambda, uncertainty="ensemble", **settings
    ).fit(noisy, clean)
    np.testing.assert_allclose(
        model.transform(noisy), alone.transform(noisy), rtol=1e-4, atol=1e-5
    )
    # Pickled, it loaded in Keras' safe mode, which refuses a Lambda layer.
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.transform(noisy), model.transform(noisy))


def _network_with_gaussian_dropout(n_timesteps, n_channels, kind="gaussian"):
    from skdenoise._tf import import_keras

    keras = import_keras()
    layer = {
        "gaussian": keras.layers.GaussianDropout,
        "alpha": keras.layers.AlphaDropout,
    }
    inputs = keras.Input((n_timesteps, n_channels))
    h = keras.layers.Conv1D(4, 3, padding="same", activation="relu")(inputs)
    h = layer[kind](0.2)(h)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(h))


@pytest.mark.parametrize("kind", ["gaussian", "alpha"])
def test_gaussian_and_alpha_dropout_give_monte_carlo_passes(data, kind):
    # A network with only these was told it has no dropout layers.
    from skdenoise import KerasDenoiser

    noisy, clean = data
    model = KerasDenoiser(
        _network_with_gaussian_dropout,
        model__kind=kind,
        uncertainty="mc_dropout",
        uncertainty_samples=4,
        epochs=1,
        batch_size=64,
        random_state=0,
    ).fit(noisy, clean)
    mean, std = model.predict(noisy[:4], return_std=True)
    np.testing.assert_array_equal(mean, model.transform(noisy[:4]))
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    again = model.predict(noisy[:4], return_std=True)[1]
    np.testing.assert_array_equal(again, std)


def _network_drawn_from_numpy(n_timesteps, n_channels):
    from skdenoise._tf import import_keras

    keras = import_keras()
    inputs = keras.Input((n_timesteps, n_channels))
    h = keras.layers.Rescaling(float(np.random.uniform(0.5, 2.0)))(inputs)
    h = keras.layers.Conv1D(4, 3, padding="same", activation="relu")(h)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(h))


def test_members_from_workers_are_the_networks_they_trained(data):
    from skdenoise import KerasDenoiser

    noisy, clean = data
    # A short fit runs eagerly; the network built again here ran as a graph,
    # which in mixed bfloat16 gave other outputs than the member trained here.
    settings = {**TINY, "precision": "mixed_bfloat16", "random_state": 0}
    ensemble = {"uncertainty": "ensemble", "n_members": 2}
    parallel = UNetDenoiser(**settings, **ensemble, n_jobs=2).fit(noisy, clean)
    alone = UNetDenoiser(**settings, **ensemble).fit(noisy, clean)
    np.testing.assert_array_equal(parallel.transform(noisy), alone.transform(noisy))
    # Saved and loaded too: the members were compiled as graphs (with eager
    # running set afterwards), which a file does not keep: 0.5 % apart.
    mean, std = parallel.predict(noisy, return_std=True)
    # Quietly: the members' optimizers had no variables, and every load
    # warned of an optimizer skipped.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        loaded = pickle.loads(pickle.dumps(parallel))
    again = loaded.predict(noisy, return_std=True)
    np.testing.assert_array_equal(again[0], mean)
    np.testing.assert_array_equal(again[1], std)
    # A builder that draws the network's constants from NumPy builds another
    # network here than in the worker: said, not trained weights in it.
    drawn = KerasDenoiser(
        _network_drawn_from_numpy, epochs=1, batch_size=64, n_jobs=2, **ensemble
    )
    with pytest.raises(ValueError, match="differs from the one its worker trained"):
        drawn.fit(noisy, clean)


def test_members_in_workers_hold_out_the_leads_of_a_recording_together(data):
    # The context that groups a ResampledDenoiser's rows by recording did not
    # reach the worker processes: their members held out single leads, and
    # trained on other rows than those trained here.
    from skdenoise.pipeline import ResampledDenoiser

    noisy, clean = data
    X = np.stack([noisy[:20], noisy[20:]], axis=-1)
    y = np.stack([clean[:20], clean[20:]], axis=-1)
    # Three members: joblib dispatches the second worker's from a thread of
    # its own, where the context variable had its default.
    network = UNetDenoiser(uncertainty="ensemble", n_members=3, random_state=0, **TINY)
    fitted = {}
    for n_jobs in (None, 2):
        model = ResampledDenoiser(
            clone(network).set_params(n_jobs=n_jobs),
            sampling_rate=100,
            estimator_sampling_rate=100,
        )
        fitted[n_jobs] = model.fit(X, y).transform(X)
    # Up to the rounding of another thread count, as trained here.
    np.testing.assert_allclose(fitted[2], fitted[None], rtol=1e-4, atol=1e-5)


def test_ensemble_members_train_in_worker_processes(ensemble_model, data):
    # n_jobs=2: model_ here, the other member in a loky worker, beside it.
    noisy, clean = (a.copy() for a in data)
    parallel = clone(ensemble_model).set_params(n_jobs=2)
    assert parallel.get_params()["n_jobs"] == 2
    parallel.fit(noisy, clean)
    assert len(parallel.ensemble_members_) == 1
    X3 = noisy[:, :, None]
    alone = ensemble_model.ensemble_members_[0].predict_on_batch
    in_worker = parallel.ensemble_members_[0].predict_on_batch
    # The same member as trained here, up to the rounding of another thread count.
    np.testing.assert_allclose(
        parallel._network_outputs(X3, in_worker),
        ensemble_model._network_outputs(X3, alone),
        rtol=1e-4,
        atol=1e-5,
    )
    mean, std = parallel.predict(noisy, return_std=True)
    expected_mean, expected_std = ensemble_model.predict(noisy, return_std=True)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(std, expected_std, rtol=1e-3, atol=1e-5)
    # Same n_jobs, same random_state: the same fitted ensemble.
    again = clone(parallel).fit(noisy, clean)
    np.testing.assert_array_equal(again.transform(noisy), parallel.transform(noisy))
    np.testing.assert_array_equal(noisy, data[0])  # nothing changed in place
    np.testing.assert_array_equal(clean, data[1])


@pytest.mark.parametrize("n_jobs", [0, 1.5, "2"])
def test_n_jobs_rejects_bad_values(n_jobs):
    with pytest.raises(ValueError, match="n_jobs"):
        UNetDenoiser(uncertainty="ensemble", n_members=2, n_jobs=n_jobs).fit(*_data(8))


def test_plot_uncertainty_draws_the_band():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skdenoise.plotting import plot_uncertainty

    clean = np.zeros(10)
    mean, std = np.full(10, 0.1), np.full(10, 0.1)
    mean[:2] = 1.0  # two samples whose band misses the clean series
    ax = plot_uncertainty(mean, std, noisy=np.ones(10), clean=clean, n_std=2)
    band = ax.collections[0]
    assert band.get_label() == "denoised ± 2 std (80 % of clean inside)"
    low, high = (
        band.get_paths()[0].vertices[:, 1].min(),
        band.get_paths()[0].vertices[:, 1].max(),
    )
    assert np.isclose(low, -0.1) and np.isclose(high, 1.2)
    assert [line.get_label() for line in ax.get_lines()] == [
        "noisy",
        "clean",
        "denoised",
    ]
    with pytest.raises(ValueError, match="non-negative"):
        plot_uncertainty(mean, -std)
    with pytest.raises(ValueError, match="same length"):
        plot_uncertainty(mean, std[:5])


def test_windowed_calibrate_uncertainty_cuts_windows(flips_model, data):
    from skdenoise.classical import MedianDenoiser

    noisy, clean = data
    long_noisy = np.concatenate(list(noisy[:8]))[None]
    long_clean = np.concatenate(list(clean[:8]))[None]
    model = pickle.loads(pickle.dumps(flips_model))
    windowed = WindowedDenoiser(model, window_length=64, stride=64)
    windowed.estimator_ = model
    windowed.n_features_in_, windowed.n_channels_in_ = long_noisy.shape[1], 1
    assert windowed.calibrate_uncertainty(long_noisy, long_clean) is windowed
    # The same as calibrating the inner denoiser on the eight windows.
    direct = pickle.loads(pickle.dumps(flips_model))
    direct.calibrate_uncertainty(noisy[:8], clean[:8])
    np.testing.assert_array_equal(model.std_log_factors_, direct.std_log_factors_)
    np.testing.assert_array_equal(model.std_weights_, direct.std_weights_)
    assert not hasattr(WindowedDenoiser(MedianDenoiser()), "calibrate_uncertainty")


def test_wrappers_refuse_an_uncertainty_set_on_their_template_after_fit(data):
    # set_params(estimator__uncertainty=...) after fit changes the template,
    # not the fitted network: calibrate_uncertainty then said to set the
    # uncertainty the user had just set, or calibrated the old one in silence.
    from skdenoise.pipeline import ResampledDenoiser

    noisy, clean = data
    long_noisy = np.concatenate(list(noisy[:8]))[None]
    long_clean = np.concatenate(list(clean[:8]))[None]
    windowed = WindowedDenoiser(UNetDenoiser(random_state=0, **TINY), window_length=64)
    windowed.fit(noisy, clean)
    windowed.set_params(estimator__uncertainty="flips")
    for call in (
        lambda: windowed.calibrate_uncertainty(long_noisy, long_clean),
        lambda: windowed.predict(long_noisy, return_std=True),
    ):
        with pytest.raises(ValueError, match="estimator__uncertainty='flips' was set"):
            call()
    # The way the message gives works; the fitted network set directly is
    # what predict uses, whatever the template says.
    windowed.estimator_.set_params(uncertainty="flips")
    windowed.calibrate_uncertainty(long_noisy, long_clean)
    assert windowed.estimator_.uncertainty_ == "flips"
    assert windowed.predict(long_noisy, return_std=True)[1].shape == long_noisy.shape
    windowed.set_params(estimator__uncertainty=None)  # as it was fitted
    assert windowed.predict(long_noisy, return_std=True)[1].shape == long_noisy.shape
    # Through two wrappers: the silent recalibration of the old method.
    inner = WindowedDenoiser(
        UNetDenoiser(uncertainty="flips", random_state=0, **TINY), window_length=64
    )
    resampled = ResampledDenoiser(inner, sampling_rate=100, estimator_sampling_rate=100)
    resampled.fit(noisy, clean)

    def calibrate():
        resampled.calibrate_uncertainty(long_noisy, long_clean)

    def predict():
        resampled.predict(long_noisy, return_std=True)

    for value, call, advice in (
        ("mc_dropout", calibrate, "estimator_.estimator_.set_params"),
        # An ensemble's members are trained by fit: no set_params to advise.
        ("ensemble", calibrate, "Fit again: the members of an ensemble"),
        (None, predict, "Set it back to 'flips', or fit again"),
    ):
        resampled.set_params(estimator__estimator__uncertainty=value)
        with pytest.raises(ValueError, match=advice):
            call()
    # Saved and loaded, it keeps what the template was at fit.
    restored = pickle.loads(pickle.dumps(resampled))
    with pytest.raises(ValueError, match="was set after fit"):
        restored.predict(long_noisy, return_std=True)


def _flipped_outputs(model, X):
    """The fitted ``model``'s outputs for the four flips of ``X``, flipped back."""
    one = clone(model).set_params(average_flips=False)
    for name, value in vars(model).items():
        if name.endswith("_") and not name.startswith("__"):
            setattr(one, name, value)
    outputs = []
    for sign, reverse in ((1, False), (-1, False), (1, True), (-1, True)):
        flipped = sign * (X[:, ::-1] if reverse else X)
        out = sign * one.transform(flipped)
        outputs.append(out[:, ::-1] if reverse else out)
    return np.stack(outputs)


def test_flips_spread_is_that_of_the_four_flipped_outputs(data):
    from skdenoise.neural._uncertainty import raw_std

    noisy, clean = data
    model = UNetDenoiser(
        uncertainty="flips", average_flips=True, gate=None, random_state=0, **TINY
    ).fit(noisy, clean)
    X = noisy[:4].copy()
    outputs = _flipped_outputs(model, X)
    # Without a gate, transform is the mean of the four flipped outputs ...
    np.testing.assert_allclose(model.transform(X), outputs.mean(axis=0), atol=1e-6)
    # ... and the spread is their standard deviation.
    spread = raw_std(model, X[:, :, None], 0)[:, :, 0]
    np.testing.assert_allclose(spread, outputs.std(axis=0, ddof=1), atol=1e-6)
    np.testing.assert_array_equal(X, noisy[:4])


def test_flips_needs_no_dropout_and_no_flip_averaging(data):
    noisy, clean = data
    model = UNetDenoiser(uncertainty="flips", random_state=0, **TINY)
    assert not model.average_flips and model.dropout == 0
    model.fit(noisy, clean)
    mean, std = model.predict(noisy[:3], return_std=True)
    np.testing.assert_array_equal(mean, model.transform(noisy[:3]))
    assert np.all(np.isfinite(std)) and np.all(std > 0)


def test_flips_round_trip_and_windowed(flips_model, data, tmp_path):
    noisy = data[0][:4]
    mean, std = flips_model.predict(noisy, return_std=True)
    save(flips_model, tmp_path / "model.skd")
    for restored in (
        load(tmp_path / "model.skd"),
        pickle.loads(pickle.dumps(flips_model)),
    ):
        mean2, std2 = restored.predict(noisy, return_std=True)
        np.testing.assert_array_equal(mean, mean2)
        np.testing.assert_array_equal(std, std2)
    long = np.concatenate(list(data[0][4:8]))[None]
    windowed = WindowedDenoiser(flips_model, window_length=64, stride=64)
    windowed.estimator_ = flips_model
    windowed.n_features_in_, windowed.n_channels_in_ = long.shape[1], 1
    w_mean, w_std = windowed.predict(long, return_std=True)
    # Windows that do not overlap: each sample's std is its window's.
    _, direct = flips_model.predict(long.reshape(4, 64), return_std=True)
    np.testing.assert_allclose(w_std, direct.reshape(1, -1))
    np.testing.assert_array_equal(w_mean, windowed.transform(long))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_calibrate_uncertainty_after_fit(data):
    noisy, clean = data
    model = UNetDenoiser(random_state=0, **TINY).fit(noisy[:24], clean[:24])
    X_val, y_val = noisy[24:].copy(), clean[24:].copy()
    before = model.transform(noisy[:3])
    model.set_params(uncertainty="flips")
    with pytest.raises(ValueError, match="calibrate_uncertainty"):
        model.predict(noisy[:3], return_std=True)
    assert model.calibrate_uncertainty(X_val, y_val) is model
    # The inputs are left as they were, and so is the output.
    np.testing.assert_array_equal(X_val, noisy[24:])
    np.testing.assert_array_equal(y_val, clean[24:])
    np.testing.assert_array_equal(model.transform(noisy[:3]), before)
    assert model.uncertainty_ == "flips"
    mean, std = model.predict(noisy[:3], return_std=True)
    np.testing.assert_array_equal(mean, before)
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    # The same pairs give the same calibration; others give another.
    again = clone(model).fit(noisy[:24], clean[:24])
    again.calibrate_uncertainty(X_val, y_val)
    np.testing.assert_array_equal(again.predict(noisy[:3], return_std=True)[1], std)
    model.calibrate_uncertainty(noisy[:16], clean[:16])
    assert not np.array_equal(model.predict(noisy[:3], return_std=True)[1], std)
    # Clean series in other units than the output's are refused.
    with pytest.raises(ValueError, match="not in the units"):
        model.calibrate_uncertainty(X_val, 1000.0 * y_val)
    np.testing.assert_array_equal(model.predict(noisy[:3], return_std=True)[0], before)


def test_calibrate_uncertainty_recalibrates_what_fit_calibrated(mc_model, data):
    noisy, clean = data
    model = pickle.loads(pickle.dumps(mc_model))
    _, std = model.predict(noisy[:3], return_std=True)
    model.calibrate_uncertainty(
        noisy[:20], clean[:20] + 0.5 * (noisy[:20] - clean[:20])
    )
    assert model.uncertainty_ == "mc_dropout"
    assert not np.array_equal(model.predict(noisy[:3], return_std=True)[1], std)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_calibrate_uncertainty_errors(data, ensemble_model):
    noisy, clean = data
    model = UNetDenoiser(random_state=0, **TINY)
    with pytest.raises(NotFittedError):
        model.calibrate_uncertainty(noisy, clean)
    model.fit(noisy[:16], clean[:16])
    with pytest.raises(ValueError, match="needs an uncertainty"):
        model.calibrate_uncertainty(noisy, clean)
    model.set_params(uncertainty="ensemble")
    with pytest.raises(ValueError, match="fitted without them"):
        model.calibrate_uncertainty(noisy, clean)
    model.set_params(uncertainty="mc_dropout")
    with pytest.raises(ValueError, match="no dropout layers"):
        model.calibrate_uncertainty(noisy, clean)
    model.set_params(uncertainty="sampling")
    with pytest.raises(ValueError, match="variational"):
        model.calibrate_uncertainty(noisy, clean)
    model.set_params(uncertainty="bootstrap")
    with pytest.raises(ValueError, match="uncertainty"):
        model.calibrate_uncertainty(noisy, clean)
    model.set_params(uncertainty="flips")
    with pytest.raises(ValueError, match="shape"):
        model.calibrate_uncertainty(noisy, clean[:5])
    bad = noisy.copy()
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.calibrate_uncertainty(bad, clean)
    with pytest.raises(ValueError, match="features"):
        model.calibrate_uncertainty(noisy[:, :32], clean[:, :32])
    assert not hasattr(model, "uncertainty_")
    # An ensemble fitted with its members recalibrates.
    fitted = pickle.loads(pickle.dumps(ensemble_model))
    fitted.calibrate_uncertainty(noisy[:20], clean[:20])
    assert fitted.uncertainty_ == "ensemble"


def test_ensemble_with_flips_spreads_every_member_and_flip(data):
    import functools

    from skdenoise.neural._base import FLIPS, predict_batch
    from skdenoise.neural._uncertainty import raw_std

    noisy, clean = data
    model = UNetDenoiser(
        uncertainty="ensemble",
        n_members=2,
        average_flips=True,
        gate=None,
        random_state=0,
        **TINY,
    ).fit(noisy, clean)
    X3 = noisy[:4, :, None]
    outputs = np.stack(
        [
            model._transform(X3, functools.partial(predict_batch, m), flips=(f,))
            for m in (model.model_, *model.ensemble_members_)
            for f in FLIPS
        ]
    )
    assert outputs.shape[0] == 8
    # transform averages the eight passes; the spread is theirs.
    np.testing.assert_allclose(model.transform(noisy[:4]), outputs.mean(0)[:, :, 0])
    np.testing.assert_allclose(
        raw_std(model, X3, 0), outputs.std(axis=0, ddof=1), rtol=1e-6, atol=1e-9
    )
    # predict's shared passes spread each flip too, as the calibration did.
    from skdenoise.neural._uncertainty import predictive_std

    mean, std = model.predict(noisy[:4], return_std=True)
    expected = predictive_std(model, X3, mean[:, :, None])[:, :, 0]
    np.testing.assert_allclose(std, expected, rtol=1e-5, atol=1e-9)


def test_dropout_with_flips_spreads_every_pass_and_flip(data, monkeypatch):
    from skdenoise.neural import _uncertainty

    noisy, clean = data
    model = UNetDenoiser(
        dropout=0.2,
        uncertainty="mc_dropout",
        uncertainty_samples=3,
        average_flips=True,
        random_state=0,
        **TINY,
    ).fit(noisy, clean)
    mean, std = model.predict(noisy[:3], return_std=True)
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    np.testing.assert_array_equal(std, model.predict(noisy[:3], return_std=True)[1])
    counted = []
    spread = _uncertainty._spread
    monkeypatch.setattr(
        _uncertainty, "_spread", lambda runs: counted.append(len(runs)) or spread(runs)
    )
    model.predict(noisy[:3], return_std=True)
    model.set_params(average_flips=False)
    model.predict(noisy[:3], return_std=True)
    # Three dropout passes on each of the four flips, as calibrated, though
    # transform no longer flips; calibrated without flips, three.
    assert counted == [12, 12]
    counted.clear()
    # The calibration builds the spread as set now, not as calibrated before.
    model.calibrate_uncertainty(noisy, clean)
    model.predict(noisy[:3], return_std=True)
    assert counted == [3, 3]


def test_a_channels_std_does_not_depend_on_the_units_of_the_others():
    noisy, clean = _data(n_series=40, n_timesteps=64)
    X = np.stack([noisy, noisy[::-1]], axis=-1)
    y = np.stack([clean, clean[::-1]], axis=-1)
    stds = []
    for factor in (1.0, 1000.0):  # channel 1 in millivolts, then microvolts
        units = np.array([1.0, factor])
        model = UNetDenoiser(uncertainty="flips", random_state=0, **TINY)
        model.fit(X * units, y * units)
        stds.append(model.predict(X[:6] * units, return_std=True)[1] / units)
    # Pooled in absolute units, channel 0's std followed channel 1's units.
    ratio = np.mean(stds[1], axis=(0, 1)) / np.mean(stds[0], axis=(0, 1))
    np.testing.assert_allclose(ratio, 1.0, rtol=0.05)


def test_a_failed_calibration_keeps_the_one_before(flips_model, data, monkeypatch):
    from skdenoise.neural import _uncertainty

    noisy, clean = data
    model = pickle.loads(pickle.dumps(flips_model))
    _, std = model.predict(noisy[:3], return_std=True)

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_uncertainty, "fit_std_calibration", fail)
    with pytest.raises(KeyboardInterrupt):
        model.calibrate_uncertainty(noisy[:20], clean[:20])
    assert model.uncertainty_ == "flips"
    np.testing.assert_array_equal(model.predict(noisy[:3], return_std=True)[1], std)


def test_denoisers_calibrated_on_flip_averaged_passes_keep_that_spread(
    data, ensemble_flips_model
):
    import copy

    from skdenoise.neural import _uncertainty

    noisy, clean = data
    model = copy.deepcopy(ensemble_flips_model)
    X3 = noisy[:3, :, None]
    assert model._spread_per_flip_ is True
    # A denoiser saved before each flip was spread on its own has no marker:
    # it keeps the spread of the members' flip-averaged outputs.
    state = model.__getstate__()
    del state["_spread_per_flip_"]
    old = UNetDenoiser.__new__(UNetDenoiser)
    old.__setstate__(state)
    assert old._spread_per_flip_ is False
    np.testing.assert_allclose(
        _uncertainty.raw_std(old, X3, 0),
        _uncertainty.raw_std(model, X3, 0, per_flip=False),
    )
    assert not np.allclose(
        _uncertainty.raw_std(old, X3, 0), _uncertainty.raw_std(model, X3, 0)
    )
    # Calibrated again, it spreads every flip.
    old.calibrate_uncertainty(noisy[:20], clean[:20])
    assert old._spread_per_flip_ is True


@pytest.mark.parametrize("average_flips", [True, False])
def test_flips_predict_runs_each_flip_once(flips_model, data, average_flips):
    from skdenoise.neural import _uncertainty

    noisy, _ = data
    model = pickle.loads(pickle.dumps(flips_model)).set_params(
        average_flips=average_flips
    )
    X3 = noisy[:5, :, None]
    expected_std = _uncertainty.predictive_std(
        model, X3, model.transform(noisy[:5])[:, :, None]
    )
    calls = []
    original = type(model)._network_outputs

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    type(model)._network_outputs = counting
    try:
        mean, std = model.predict(noisy[:5], return_std=True)
    finally:
        type(model)._network_outputs = original
    assert len(calls) == 4  # one network pass per flip, shared with the mean
    np.testing.assert_array_equal(mean, model.transform(noisy[:5]))
    np.testing.assert_array_equal(std, expected_std[:, :, 0])


def test_flips_predict_of_an_ensemble_is_its_transform(data, ensemble_flips_model):
    import copy

    noisy, clean = data
    model = copy.deepcopy(ensemble_flips_model)
    model.set_params(uncertainty="flips").calibrate_uncertainty(noisy[:20], clean[:20])
    mean, std = model.predict(noisy[:6], return_std=True)
    np.testing.assert_array_equal(mean, model.transform(noisy[:6]))
    assert np.all(np.isfinite(std)) and np.all(std > 0)


def test_files_saved_before_the_per_flip_spread_keep_theirs(flips_model, tmp_path):
    import copy

    old = copy.deepcopy(flips_model)
    del old._spread_per_flip_  # as saved before the marker existed
    save(old, tmp_path / "old.skdenoise")
    loaded = load(tmp_path / "old.skdenoise")
    assert loaded._spread_per_flip_ is False
    assert loaded.gate_snr_ is not None or flips_model.gate_snr_ is None
    save(flips_model, tmp_path / "new.skdenoise")
    assert load(tmp_path / "new.skdenoise")._spread_per_flip_ is True


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_calibrate_uncertainty_takes_y_in_fits_units(data):
    noisy, clean = data
    # Fitted with clean series in other units (y = 1000 X, millivolts to volts).
    model = UNetDenoiser(uncertainty="flips", random_state=0, **TINY)
    model.fit(noisy[:24], 1000.0 * clean[:24])
    model.calibrate_uncertainty(noisy[24:], 1000.0 * clean[24:])
    with pytest.raises(ValueError, match="not in the units.*about 1 times X"):
        model.calibrate_uncertainty(noisy[24:], clean[24:])


def test_calibrating_on_constant_series_warns(flips_model, data):
    import copy
    import warnings

    model = copy.deepcopy(flips_model)
    noisy, clean = data
    with pytest.warns(UserWarning, match="is constant"):
        model.calibrate_uncertainty(noisy[:10], np.zeros((10, 64)))
    # Noisy series of zeros too: nothing to calibrate on.
    with pytest.warns(UserWarning, match="is constant"):
        with pytest.raises(ValueError, match="nothing to calibrate on"):
            model.calibrate_uncertainty(np.zeros((10, 64)), np.zeros((10, 64)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.calibrate_uncertainty(noisy[:10], clean[:10])


def test_calibration_between_noise_bins_matches_the_stacked_curves():
    # The factors are now evaluated bin by bin where they are used (one
    # full-size curve per bin took about 20 times the series' memory).
    from skdenoise.neural._uncertainty import _log_scale, apply_std_calibration

    rng = np.random.default_rng(0)
    std, noise = np.exp(rng.normal(size=(2, 30, 64, 2)))
    weights = np.array([0.8, 0.3])
    noise_levels = np.sort(rng.normal(size=5))
    levels = np.sort(rng.normal(size=(5, 7)), axis=1)
    log_factors = rng.normal(size=(5, 7))
    log_scale = _log_scale(std, noise, weights)
    scale = np.exp(log_scale)
    pairs = zip(levels, log_factors, strict=True)
    curves = np.stack([np.interp(log_scale, lv, f) for lv, f in pairs])
    position = np.interp(np.log(noise), noise_levels, np.arange(5))
    low = np.floor(position).astype(int)
    frac = position - low
    expected = np.take_along_axis(curves, low[None], 0)[0] * (1 - frac)
    expected += np.take_along_axis(curves, np.minimum(low + 1, 4)[None], 0)[0] * frac
    np.testing.assert_array_equal(
        apply_std_calibration(std, noise, weights, noise_levels, levels, log_factors),
        scale * np.exp(expected),
    )


@pytest.mark.parametrize("clean_only", [False, True])
def test_ensemble_members_never_train_on_the_calibration_series(
    monkeypatch, clean_only
):
    # Each member held out rows of its own seed, and trained on rows that the
    # gate and the std calibration (on model_'s held-out rows) took for unseen.
    import skdenoise.neural._base as base
    from skdenoise import UNetDenoiser

    trained, calibrated = [], []
    batches = base.TrainingBatches

    class Recorded(batches):
        def __init__(self, inputs, targets, **kwargs):
            # The rows it trains on (all of targets when it is given none).
            rows = kwargs.get("rows")
            kept = targets if rows is None else targets[rows]
            trained.append(np.array(kept[:, :, 0]))
            super().__init__(inputs, targets, **kwargs)

    fit_gate = base.fit_gate

    def recorded_gate(inputs, outputs, targets):
        calibrated.append(np.array(targets[:, :, 0]))
        return fit_gate(inputs, outputs, targets)

    monkeypatch.setattr(base, "TrainingBatches", Recorded)
    monkeypatch.setattr(base, "fit_gate", recorded_gate)
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 10, 64) * rng.uniform(0.5, 2, (40, 1)))
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    denoiser = UNetDenoiser(
        filters=4, depth=2, kernel_size=3, epochs=1, batch_size=32,
        validation_split=0.25, uncertainty="ensemble", n_members=3, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if clean_only:
            denoiser.fit(clean)
        else:
            denoiser.fit(noisy, clean)
    assert len(trained) == 3 and calibrated
    held_out = {row.tobytes() for row in calibrated[-1]}
    assert len(held_out) == 10
    for targets in trained:
        assert len(targets) == 30
        assert not held_out & {row.tobytes() for row in targets}


def test_an_ensembles_model_is_the_network_a_plain_fit_trains(monkeypatch):
    # Its members share model_'s split; model_ itself, its validation noise
    # and its units map are those of the same denoiser without uncertainty.
    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 10, 64) * rng.uniform(0.5, 2, (40, 1)))
    noisy = clean + 0.3 * rng.standard_normal(clean.shape)
    settings = dict(
        filters=4, depth=2, kernel_size=3, epochs=2, batch_size=32,
        validation_split=0.25, noise=WhiteNoise(snr=10.0), random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = UNetDenoiser(**settings).fit(noisy, 1000 * clean + 3)
        ensemble = UNetDenoiser(uncertainty="ensemble", n_members=2, **settings)
        ensemble.fit(noisy, 1000 * clean + 3)
    assert plain.history_ == ensemble.history_
    assert plain.target_scale_ == ensemble.target_scale_
    for a, b in zip(
        plain.model_.get_weights(), ensemble.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_the_spread_is_built_as_calibrated_and_flat_series_stay_positive():
    noisy, clean = _data(n_series=120)
    settings = {**TINY, "dropout": 0.2, "uncertainty_samples": 4}
    model = UNetDenoiser(
        uncertainty="mc_dropout", validation_split=0.5, random_state=0, **settings
    ).fit(noisy, clean)
    _, std = model.predict(noisy[:8], return_std=True)
    # Once 16 times wider with the flips switched on after the calibration.
    for change in ({"average_flips": True}, {"uncertainty_samples": 2}):
        _, changed = model.set_params(**change).predict(noisy[:8], return_std=True)
        np.testing.assert_allclose(changed, std, rtol=1e-6)
        model.set_params(average_flips=False, uncertainty_samples=4)
    # A flat series: a positive std in its dtype, alone or in a recording.
    flat = np.zeros((2, 64), dtype=np.float32)
    assert np.all(model.predict(flat, return_std=True)[1] > 0)
    # It has no spread, whatever the calibration's factors: the smallest
    # normal number for zeros, a millionth of the level for a constant (they
    # came out at 1e-9 and at a tenth of the level).
    np.testing.assert_array_equal(
        model.predict(flat, return_std=True)[1], np.finfo(np.float32).tiny
    )
    mean, std = model.predict(np.full((2, 64), 3.0), return_std=True)
    np.testing.assert_array_equal(mean, 3.0)
    np.testing.assert_allclose(std, 3e-6, rtol=1e-9)
    rms = UNetDenoiser(
        uncertainty="mc_dropout", normalize="rms", validation_split=0.5,
        random_state=0, **settings,
    ).fit(noisy, clean)  # fmt: skip
    np.testing.assert_array_equal(
        rms.predict(np.zeros((2, 64)), return_std=True)[1], np.finfo(float).tiny
    )
    windowed = WindowedDenoiser(model, window_length=64).fit(noisy[:4], clean[:4])
    recording = np.concatenate([noisy[:1], np.zeros((1, 128))], axis=1)
    std = windowed.predict(recording.astype(np.float32), return_std=True)[1]
    assert np.all(std > 0)


@pytest.mark.parametrize(
    "average_flips, per_flip", [(True, True), (True, False), (False, True)]
)
def test_ensemble_predict_runs_each_members_passes_once(
    data, monkeypatch, average_flips, per_flip, request
):
    # predict ran every member on every flip twice, once for transform's mean
    # and once for the spread: twice the time of transform.
    import copy

    from skdenoise.neural import _base, _uncertainty

    noisy, clean = data
    # The shared ensembles fitted with these settings, copied: changed below.
    name = "ensemble_flips_model" if average_flips else "ensemble_model"
    model = copy.deepcopy(request.getfixturevalue(name))
    assert (
        model.get_params()
        == UNetDenoiser(
            uncertainty="ensemble",
            n_members=2,
            average_flips=average_flips,
            random_state=0,
            **TINY,
        ).get_params()
    )
    # per_flip=False: a denoiser calibrated before the spread of each flip,
    # as an older file loads (its flip-averaged passes spread).
    model._spread_per_flip_ = per_flip
    X = noisy[:6]
    X3 = X[:, :, None]
    expected_mean = model.transform(X)
    expected_std = _uncertainty.predictive_std(
        model, X3, expected_mean[:, :, None].astype(np.float64)
    )[:, :, 0]
    calls = []
    original = _base.predict_batch

    def counting(network, batch):
        calls.append(len(batch))
        return original(network, batch)

    monkeypatch.setattr(_base, "predict_batch", counting)
    model.transform(X)
    per_transform = len(calls)
    calls.clear()
    mean, std = model.predict(X, return_std=True)
    assert len(calls) == per_transform == 2 * (4 if average_flips else 1)
    np.testing.assert_array_equal(mean, expected_mean)
    np.testing.assert_array_equal(std, expected_std)


def test_calibrating_a_vanishing_spread_warns_of_nothing():
    # With a noise weight above 1 the scale of an all-zero series underflowed
    # to 0, and its logarithm made numpy warn of a division by zero.
    from skdenoise.neural._uncertainty import apply_std_calibration

    tiny = np.full((1, 4, 1), 1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        std = apply_std_calibration(
            tiny,
            tiny,
            np.array([1.0, 1.5]),
            np.zeros(1),
            np.zeros((1, 1)),
            np.zeros((1, 1)),
        )
    # Underflowed to 0 here; predict floors it at the smallest normal number.
    assert std.shape == tiny.shape and np.all(np.isfinite(std) & (std >= 0))


def test_identical_passes_are_named_at_calibration_and_predict():
    # A recurrent layer's dropout masks a whole series at once: with a single
    # input channel and 4 passes, about one series in four keeps its input in
    # every pass, has no spread, and would get a std of about 0.
    from skdenoise import LSTMDenoiser

    rng = np.random.default_rng(0)
    phase = rng.uniform(0, 6, (200, 1))
    clean = np.sin(np.linspace(0, 10, 32)[None] + phase)
    noisy = clean + rng.normal(0, 0.3, clean.shape)
    model = LSTMDenoiser(
        units=4,
        n_layers=1,
        dropout=0.3,
        uncertainty="mc_dropout",
        uncertainty_samples=4,
        epochs=3,
        batch_size=8,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="the calibration on the validation series"):
        model.fit(noisy, clean)
    with pytest.warns(UserWarning, match=r"in predict, every one of the 4 stochastic"):
        _, std = model.predict(noisy[:50], return_std=True)
    # The series named have a std of about 0 next to the others' (whose
    # calibration it inflated to cover them).
    assert np.min(np.max(std, axis=1)) < 1e-3 * np.median(std)
    # Sixteen passes (the default) on the same network: no word.
    model.set_params(uncertainty_samples=16)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.calibrate_uncertainty(noisy[150:], clean[150:])
        model.predict(noisy[:50], return_std=True)
    assert not [w for w in caught if "stochastic passes" in str(w.message)]
    # A shut gate hands every series back: all passes alike, but not for
    # want of passes.
    for scale in (0.0, 1e-9):  # shut, or nearly (a network that did not learn)
        model.gate_scale_ = np.full_like(model.gate_scale_, scale)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.predict(noisy[:50], return_std=True)
        assert not [w for w in caught if "stochastic passes" in str(w.message)]


def test_calibration_on_flat_series_alone_is_refused():
    # Flat inputs are left out of the calibration; with nothing else, the fit
    # ran on their floors and gave real series a std out of nothing.
    from skdenoise.neural._uncertainty import is_calibrated

    noisy, clean = _data(n_series=24)
    settings = {**TINY, "dropout": 0.2, "uncertainty": "mc_dropout"}
    model = UNetDenoiser(validation_split=0.25, random_state=0, **settings)
    model.fit(noisy, clean)
    before = model.predict(noisy[:4], return_std=True)[1]
    flat = np.full((6, noisy.shape[1]), 2.0)
    with pytest.raises(ValueError, match="every noisy series .* is flat"):
        model.calibrate_uncertainty(flat, clean[:6])
    np.testing.assert_array_equal(model.predict(noisy[:4], return_std=True)[1], before)
    # In fit: said, and left uncalibrated.
    model = UNetDenoiser(random_state=0, **settings)
    with pytest.warns(UserWarning, match="nothing to calibrate on"):
        model.fit(noisy, clean, validation_data=(flat, clean[:6]))
    assert not is_calibrated(model)


def test_ensemble_members_leave_their_warnings_to_the_ensemble(data):
    # Each member repeated model_'s warnings (a y ignored by blind-spot
    # training, n_passes='auto' without validation series): n_members times.
    from skdenoise.exceptions import TargetIgnoredWarning

    noisy, clean = data
    settings = {**TINY, "uncertainty": "ensemble", "n_members": 3, "random_state": 0}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        UNetDenoiser(training="blind_spot", **settings).fit(noisy, clean)
        UNetDenoiser(n_passes="auto", validation_split=0.0, **settings).fit(
            noisy, clean
        )
    ignored = [w for w in caught if issubclass(w.category, TargetIgnoredWarning)]
    passes = [w for w in caught if "n_passes='auto'" in str(w.message)]
    assert len(ignored) == 1 and len(passes) == 1
    assert all(w.filename == __file__ for w in ignored + passes)


def test_identical_passes_are_warned_of_once_per_wrapper_call(mc_model, data):
    # Through a WindowedDenoiser the warning came once per chunk of windows,
    # counting the chunk's windows ("2 of 32 series") for a user of 8 series.
    from skdenoise._warnings import once_per_call
    from skdenoise.neural._uncertainty import warn_identical_passes

    noisy, _ = data
    X3 = noisy[:4, :, np.newaxis]
    mean = mc_model.predict(noisy[:4])[:, :, np.newaxis]
    std = np.zeros_like(mean)  # every pass alike
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert warn_identical_passes(mc_model, X3, std, mean, "predict") == 4
        with once_per_call():
            for _ in range(3):  # three chunks of one call
                warn_identical_passes(mc_model, X3, std, mean, "predict")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "for 4 of 4 series" in messages[0]
    assert "some of the windows" in messages[1] and " of 4 " not in messages[1]
