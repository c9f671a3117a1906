"""Behaviour of the neural denoisers: denoising, seeding, shapes, bad input."""

import pickle
import random
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdenoise import (
    CNNLSTMDenoiser,
    ConvAutoencoderDenoiser,
    GRUDenoiser,
    LSTMDenoiser,
    UNetDenoiser,
    VAEDenoiser,
)
from skdenoise.exceptions import TargetIgnoredWarning
from skdenoise.metrics import snr, snr_scorer
from skdenoise.noise import WhiteNoise

NETWORKS = [
    LSTMDenoiser,
    GRUDenoiser,
    CNNLSTMDenoiser,
    ConvAutoencoderDenoiser,
    VAEDenoiser,
    UNetDenoiser,
]


def tiny(cls, **params):
    return cls(**{**cls._get_test_params(), **params})


def article_sines(n_series, random_state=0, n_timesteps=100):
    """The article's experiment: sin(linspace(0, 10, 100)) plus N(0, 0.5) noise,
    batches of such series with random phase and frequency."""
    rng = np.random.default_rng(random_state)
    t = np.linspace(0, 10, n_timesteps)
    freq = rng.uniform(0.5, 2.0, size=(n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_series, 1))
    clean = np.sin(freq * t + phase)
    noisy = clean + rng.normal(0, 0.5, size=clean.shape)
    return noisy, clean


@pytest.fixture(scope="module")
def sines():
    X, y = article_sines(64, random_state=1)
    return X, y


# Two optimizer steps an epoch on ``sines`` (58 training series) instead of
# eight, for the tests whose checks do not depend on the number of steps.
FEW_STEPS = {"batch_size": 32}


@pytest.fixture(scope="module")
def plain_unet(sines):
    """A tiny U-Net of FEW_STEPS without any option; no test may change it."""
    X, y = sines
    return tiny(UNetDenoiser, random_state=0, **FEW_STEPS).fit(X, y)


# ------------------------------------------------------------------ article
@pytest.mark.parametrize(
    "model",
    [
        LSTMDenoiser(units=16, n_layers=1, epochs=25, batch_size=32, random_state=0),
        CNNLSTMDenoiser(filters=16, units=16, epochs=25, batch_size=32, random_state=0),
        VAEDenoiser(
            filters=8, depth=2, latent_dim=8, epochs=40, batch_size=32, random_state=0
        ),
    ],
    ids=["LSTM", "CNN-LSTM", "VAE"],
)
def test_article_experiment_improves_snr(model):
    X_train, y_train = article_sines(256, random_state=0)
    X_test, y_test = article_sines(64, random_state=1)
    model.fit(X_train, y_train)
    denoised = model.transform(X_test)
    assert denoised.shape == X_test.shape
    snr_in = snr(y_test, X_test)
    snr_out = snr(y_test, denoised)
    # Input SNR is about 3 dB; a working denoiser gains several dB.
    assert snr_out > snr_in + 5.0, (snr_in, snr_out)


@pytest.mark.parametrize("cls", NETWORKS, ids=lambda c: c.__name__)
def test_every_network_learns_on_pairs(cls, sines):
    X, y = sines
    # The VAE's KL term holds its loss flat for its first few dozen steps.
    batch_size = 8 if cls is VAEDenoiser else 16
    model = tiny(cls, epochs=8, batch_size=batch_size, learning_rate=3e-3)
    out = model.fit(X, y).transform(X)
    assert out.shape == X.shape
    assert np.all(np.isfinite(out))
    loss = model.history_["loss"]
    assert len(loss) == model.n_epochs_ == 8
    assert loss[-1] < loss[0], loss


# ---------------------------------------------------------------- seeding
@pytest.mark.parametrize("cls", NETWORKS, ids=lambda c: c.__name__)
def test_same_random_state_same_output(cls, sines):
    X, y = sines[0][:24], sines[1][:24]
    first = tiny(cls, epochs=2, dropout=0.1).fit(X, y).transform(X)
    second = tiny(cls, epochs=2, dropout=0.1).fit(X, y).transform(X)
    np.testing.assert_array_equal(first, second)
    other = tiny(cls, epochs=2, dropout=0.1, random_state=1).fit(X, y).transform(X)
    assert not np.array_equal(first, other)


def test_seeded_fit_then_unseeded_fit_works_and_leaves_no_global_state(sines):
    X, y = sines
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    tiny(UNetDenoiser, random_state=0, **FEW_STEPS).fit(X, y)
    assert random.getstate() == python_state
    assert all(
        np.array_equal(a, b)
        for a, b in zip(np.random.get_state(), numpy_state, strict=True)
    )
    # An unseeded fit after a seeded one must not fail with "Random ops require a
    # seed" (no op determinism is left switched on).
    out = (
        tiny(VAEDenoiser, random_state=None, dropout=0.2, **FEW_STEPS)
        .fit(X, y)
        .transform(X)
    )
    assert out.shape == X.shape
    tiny(LSTMDenoiser, random_state=None, dropout=0.2, **FEW_STEPS).fit(X, y)


def test_random_state_instance_is_consumed_as_in_scikit_learn(sines):
    X, y = sines
    rs = np.random.RandomState(3)
    state = rs.get_state()
    tiny(UNetDenoiser, random_state=rs, **FEW_STEPS).fit(X, y)
    assert not np.array_equal(rs.get_state()[1], state[1])


# ------------------------------------------------------------ fit variants
def test_fit_without_y_uses_noise_added_on_the_fly(sines):
    _, clean = sines
    model = tiny(ConvAutoencoderDenoiser, epochs=2, **FEW_STEPS).fit(clean)
    assert model.transform(clean).shape == clean.shape
    noisy_model = tiny(
        UNetDenoiser, noise=WhiteNoise(snr=5.0), epochs=2, **FEW_STEPS
    ).fit(clean)
    assert noisy_model.n_epochs_ == 2


def test_one_d_labels_as_y_are_ignored_with_a_warning(sines):
    X, _ = sines
    labels = np.arange(len(X)) % 3
    with pytest.warns(TargetIgnoredWarning, match="cannot be a clean target"):
        tiny(UNetDenoiser, **FEW_STEPS).fit(X, labels)
    with pytest.raises(ValueError, match="clean series"):
        tiny(UNetDenoiser, **FEW_STEPS).fit(X).score(X, labels)


def test_a_downstream_estimators_target_passes_a_denoiser_in_a_pipeline(sines):
    # make_pipeline(denoiser, Ridge()) with y of shape (n, 1) or (n, k): the
    # denoiser refused a target meant for the regressor after it.
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    from skdenoise.classical import SavitzkyGolayDenoiser
    from skdenoise.pipeline import WindowedDenoiser

    X, _ = sines
    rng = np.random.default_rng(0)
    for y in (rng.normal(size=(len(X), 1)), rng.normal(size=(len(X), 3))):
        for denoiser in (
            SavitzkyGolayDenoiser(),
            WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=32),
        ):
            pipe = make_pipeline(denoiser, Ridge())
            with pytest.warns(TargetIgnoredWarning, match="learns nothing from y"):
                pipe.fit(X, y)
            denoised = pipe[0].transform(X)
            expected = Ridge().fit(denoised, y).predict(denoised)
            np.testing.assert_allclose(pipe.predict(X), expected)
    # A network takes a column of targets as it takes a 1-D y...
    column = rng.normal(size=(len(X), 1))
    with pytest.warns(TargetIgnoredWarning, match=r"shape \(\d+, 1\)"):
        tiny(UNetDenoiser, **FEW_STEPS).fit(X, column)
    # ...but clean series of another length are a mistake it names.
    with pytest.raises(ValueError, match="same shape as X"):
        tiny(UNetDenoiser).fit(X, X[:, :-3])
    with pytest.raises(ValueError, match="same shape as X"):
        SavitzkyGolayDenoiser().fit(X, X[:-1])


def test_partial_fit_continues_training(sines):
    X, y = sines
    model = tiny(UNetDenoiser, **FEW_STEPS)
    model.partial_fit(X, y)
    weights = [w.copy() for w in model.model_.get_weights()]
    model.partial_fit(X, y)
    assert model.n_epochs_ == 2
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(weights, model.model_.get_weights(), strict=True)
    )
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :50], y[:, :50])


def test_validation_split_and_early_stopping(sines):
    X, y = sines
    model = tiny(UNetDenoiser, epochs=30, validation_split=0.25, patience=1)
    model.fit(X, y)
    assert "val_loss" in model.history_
    assert 2 <= model.n_epochs_ <= 30


@pytest.mark.parametrize("cls", NETWORKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("n_timesteps", [7, 33])
def test_odd_lengths_and_channels_keep_shape(cls, n_timesteps):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, n_timesteps, 2)).astype(np.float32)
    model = tiny(cls).fit(X, X)
    out = model.transform(X)
    assert out.shape == X.shape
    assert out.dtype == np.float32


def test_scale_and_offset_equivariance(sines):
    X, y = sines
    model = tiny(UNetDenoiser, epochs=2, **FEW_STEPS).fit(X, y)
    base = model.transform(X)
    np.testing.assert_allclose(
        model.transform(3.0 * X - 7.0), 3.0 * base - 7.0, atol=1e-4
    )


def test_optimizers_losses_and_weight_decay(sines):
    X, y = sines
    # Optimizer and loss are chosen independently: each once, in pairs.
    pairs = zip(
        ["adam", "adamw", "rmsprop", "sgd"], ["mse", "mae", "huber", "snr"], strict=True
    )
    for optimizer, loss in pairs:
        model = tiny(UNetDenoiser, optimizer=optimizer, loss=loss, weight_decay=1e-4)
        model.fit(X[:16], y[:16])
        assert type(model.model_.optimizer).__name__.lower() == optimizer
        assert np.all(np.isfinite(model.history_["loss"]))


def test_snr_loss_is_minus_the_output_snr_and_survives_pickling(sines):
    from skdenoise.metrics import snr
    from skdenoise.neural.networks._layers import NegativeSNRLoss

    X, y = sines
    estimate = y + 0.1 * np.random.default_rng(0).standard_normal(y.shape)
    loss = NegativeSNRLoss(max_snr=200.0)
    value = float(loss(y[:, :, None].astype("float32"), estimate[:, :, None]))
    assert value == pytest.approx(-np.mean(snr(y, estimate)), abs=1e-3)
    # A perfect estimate reaches the cap instead of minus infinity.
    assert float(NegativeSNRLoss()(y, y)) == pytest.approx(-30.0, abs=1e-3)

    model = tiny(UNetDenoiser, loss="snr", epochs=2).fit(X[:16], y[:16])
    assert np.all(np.isfinite(model.history_["loss"]))
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(X), model.transform(X))
    assert type(restored.model_.loss).__name__ == "NegativeSNRLoss"


def test_l1_snr_loss_is_minus_the_snr_of_absolute_errors_and_trains(sines):
    from skdenoise.neural.networks._layers import NegativeL1SNRLoss

    X, y = sines
    rng = np.random.default_rng(0)
    target = rng.normal(size=(4, 30, 2)).astype("float32")
    estimate = target + rng.normal(scale=0.1, size=target.shape).astype("float32")
    # Per series (time steps and channels together), averaged over the batch:
    # the absolute error smoothed below 10 ** (-30 / 20) times the mean |y|.
    cap = 10 ** (-30 / 20)
    smooth = cap * np.abs(target).mean(axis=(1, 2), keepdims=True)
    error = target.astype(np.float64) - estimate
    rho = np.sqrt(error**2 + smooth**2) - smooth
    ratio = rho.sum(axis=(1, 2)) / np.abs(target).sum(axis=(1, 2))
    expected = np.mean(20 * np.log10(ratio + cap))
    value = float(NegativeL1SNRLoss()(target, estimate))
    assert value == pytest.approx(expected, rel=1e-5)
    # Every series counts the same in dB: scaling one series and its estimate
    # changes nothing.
    scaled = target.copy(), estimate.copy()
    scaled[0][1] *= 100.0
    scaled[1][1] *= 100.0
    assert float(NegativeL1SNRLoss()(*scaled)) == pytest.approx(value, rel=1e-4)
    # A perfect estimate reaches the cap instead of minus infinity, and near it
    # the loss is smooth: half the error, a quarter of the excess over the cap.
    assert float(NegativeL1SNRLoss()(target, target)) == pytest.approx(-30.0, abs=1e-3)
    tiny_error = 1e-3 * np.sign(rng.normal(size=target.shape)).astype("float32")
    excess = [
        10 ** (float(NegativeL1SNRLoss()(target, target + k * tiny_error)) / 20) - cap
        for k in (1.0, 0.5)
    ]
    assert excess[1] == pytest.approx(excess[0] / 4, rel=0.05)
    # Within a series the error is absolute: the constant that minimises it is
    # the median of the target, not its mean.
    skewed = np.array([[[0.0], [0.0], [0.0], [1.0], [10.0]]], dtype="float32")
    losses = {
        c: float(NegativeL1SNRLoss()(skewed, np.full_like(skewed, c)))
        for c in (0.0, 2.2)
    }
    assert losses[0.0] < losses[2.2]

    # An all-zero target (a lead off) with an error of exactly zero: finite
    # gradients, as the squared-error SNR loss gives (sqrt has none at 0).
    import tensorflow as tf

    zero = np.zeros((2, 30, 1), dtype="float32")
    zero[1] = np.linspace(-1, 1, 30)[:, None]
    guess = tf.Variable(np.zeros_like(zero))
    with tf.GradientTape() as tape:
        value = NegativeL1SNRLoss()(tf.constant(zero), guess)
    assert np.all(np.isfinite(tape.gradient(value, guess).numpy()))

    model = tiny(UNetDenoiser, loss="snr_l1", epochs=2).fit(X[:16], y[:16])
    assert np.all(np.isfinite(model.history_["loss"]))
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(X), model.transform(X))
    assert type(restored.model_.loss).__name__ == "NegativeL1SNRLoss"


def test_ssd_mad_loss_is_deepfilters_and_trains(sines):
    from skdenoise.neural.networks._layers import SSDMADLoss

    X, y = sines
    rng = np.random.default_rng(0)
    target = rng.normal(size=(4, 30, 2)).astype("float32")
    estimate = rng.normal(size=target.shape).astype("float32")
    squared = (target - estimate) ** 2
    # Per series and channel: the sum of squared errors plus 50 times the largest.
    expected = (squared.sum(axis=1) + 50.0 * squared.max(axis=1)).mean()
    assert float(SSDMADLoss()(target, estimate)) == pytest.approx(expected, rel=1e-5)
    # One large error weighs 51 times a small one spread over the window.
    peak = np.zeros((1, 30, 1), dtype="float32")
    peak[0, 7] = 1.0
    assert float(SSDMADLoss()(peak, np.zeros_like(peak))) == pytest.approx(51.0)
    assert float(SSDMADLoss(max_weight=0.0)(peak[:, :, 0], np.zeros((1, 30)))) == 1.0

    model = tiny(UNetDenoiser, loss="ssd_mad", epochs=2).fit(X[:16], y[:16])
    assert np.all(np.isfinite(model.history_["loss"]))
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(X), model.transform(X))
    assert type(restored.model_.loss).__name__ == "SSDMADLoss"


# ------------------------------------------------------- sklearn integration
def test_pipeline_grid_search_and_round_trips(sines, tmp_path):
    X, y = sines[0][:32, :64], sines[1][:32, :64]
    # Batches of 16: a step an epoch on each fold (two on all of X).
    pipe = make_pipeline(StandardScaler(), tiny(UNetDenoiser, epochs=2, batch_size=16))
    out = pipe.fit(X, y).transform(X)
    assert out.shape == X.shape
    # One parameter of the network per scoring: the SNR scorer, and the
    # denoiser's own score (scoring=None).
    grids = [
        (snr_scorer, {"unetdenoiser__filters": [2, 4]}),
        (None, {"unetdenoiser__learning_rate": [1e-3, 3e-3]}),
    ]
    for scoring, grid in grids:
        search = GridSearchCV(pipe, grid, cv=2, scoring=scoring).fit(X, y)
        ((name, values),) = grid.items()
        assert search.best_params_[name] in values
        assert search.best_estimator_.get_params()[name] == search.best_params_[name]
        assert np.isfinite(search.best_score_)
        assert search.best_estimator_.transform(X).shape == X.shape

    # The searches fitted clones: pipe is still the pipeline fitted above.
    fitted = pipe
    expected = fitted.transform(X)
    unpickled = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(unpickled.transform(X), expected)
    joblib.dump(fitted, tmp_path / "pipe.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "pipe.joblib").transform(X), expected
    )
    refit = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(refit.transform(X), expected)


def test_pickle_in_a_fresh_process(sines, tmp_path):
    X, y = sines
    model = tiny(VAEDenoiser, epochs=2).fit(X, y)
    path = tmp_path / "vae.pkl"
    path.write_bytes(pickle.dumps(model))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", model.transform(X))
    code = (
        "import pickle, numpy as np, sys; d = sys.argv[1];"
        "m = pickle.load(open(d + '/vae.pkl', 'rb'));"
        "out = m.transform(np.load(d + '/X.npy'));"
        "assert np.array_equal(out, np.load(d + '/expected.npy'))"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=120)


def test_get_params_shows_every_hyper_parameter():
    params = UNetDenoiser().get_params()
    for name in [
        "filters", "depth", "kernel_size", "dropout", "residual", "max_filters",
        "attention_heads", "global_context", "batch_norm", "noise", "normalize",
        "optimizer", "learning_rate", "weight_decay", "ema_momentum", "loss",
        "noise_curriculum",
        "epochs", "batch_size", "validation_split", "patience", "callbacks",
        "random_state", "verbose",
    ]:  # fmt: skip
        assert name in params
    model = UNetDenoiser().set_params(filters=3, noise=WhiteNoise(snr=1.0))
    assert model.filters == 3 and model.noise.snr == 1.0
    assert clone(model).noise.snr == 1.0


def test_invalid_hyper_parameters_are_reported(sines):
    X, y = sines
    with pytest.raises(ValueError, match="optimizer"):
        UNetDenoiser(optimizer="adagrad").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate"):
        UNetDenoiser(learning_rate=-1.0).fit(X, y)


def test_unet_max_filters_caps_the_deep_levels(sines, tmp_path):
    from skdenoise.networks import build_unet
    from skdenoise.persistence import load, save

    def widths(model):
        return [layer.filters for layer in model.layers if hasattr(layer, "filters")]

    capped = build_unet(64, 1, filters=4, depth=4, kernel_size=3, max_filters=16)
    assert max(widths(capped)) == 16
    assert max(widths(build_unet(64, 1, filters=4, depth=4, kernel_size=3))) == 64
    X, y = sines
    capped_params = dict(depth=3, max_filters=8, random_state=0, **FEW_STEPS)
    model = tiny(UNetDenoiser, **capped_params).fit(X, y)
    assert max(widths(model.model_)) == 8
    again = tiny(UNetDenoiser, **capped_params).fit(X, y)
    np.testing.assert_array_equal(model.transform(X), again.transform(X))
    save(model, tmp_path / "capped.skdenoise")
    loaded = load(tmp_path / "capped.skdenoise")
    assert loaded.get_params()["max_filters"] == 8
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    for bad in (0, -3, 2.5, "64"):
        with pytest.raises(ValueError, match="max_filters"):
            tiny(UNetDenoiser, max_filters=bad).fit(X, y)


def test_unet_attention_at_the_bottleneck(sines, plain_unet, tmp_path):
    from skdenoise.persistence import load, save

    X, y = sines
    model = tiny(UNetDenoiser, attention_heads=2, random_state=0, **FEW_STEPS)
    model.fit(X, y)
    names = [layer.name for layer in model.model_.layers]
    assert "bottleneck_attention" in names
    assert "bottleneck_attention" not in [
        layer.name for layer in plain_unet.model_.layers
    ]
    out = model.transform(X)
    assert out.shape == X.shape and np.all(np.isfinite(out))
    again = tiny(UNetDenoiser, attention_heads=2, random_state=0, **FEW_STEPS)
    again.fit(X, y)
    np.testing.assert_array_equal(again.transform(X), out)
    save(model, tmp_path / "attention.skdenoise")
    loaded = load(tmp_path / "attention.skdenoise")
    assert loaded.get_params()["attention_heads"] == 2
    np.testing.assert_array_equal(loaded.transform(X), out)
    for bad in (-1, 1.5, "2"):
        with pytest.raises(ValueError, match="attention_heads"):
            tiny(UNetDenoiser, attention_heads=bad).fit(X, y)


def test_unet_global_context_after_the_bottleneck(sines, plain_unet, tmp_path):
    from skdenoise.persistence import load, save

    X, y = sines
    model = tiny(UNetDenoiser, global_context=True, random_state=0, **FEW_STEPS)
    model.fit(X, y)
    names = [layer.name for layer in model.model_.layers]
    assert {"context_pool", "context_gain", "context_applied"} <= set(names)
    plain = plain_unet  # the same settings but global_context
    assert "context_gain" not in [layer.name for layer in plain.model_.layers]
    out = model.transform(X)
    assert out.shape == X.shape and np.all(np.isfinite(out))
    assert not np.array_equal(out, plain.transform(X))
    again = tiny(UNetDenoiser, global_context=True, random_state=0, **FEW_STEPS)
    again.fit(X, y)
    np.testing.assert_array_equal(again.transform(X), out)
    save(model, tmp_path / "context.skdenoise")
    loaded = load(tmp_path / "context.skdenoise")
    assert loaded.get_params()["global_context"] is True
    np.testing.assert_array_equal(loaded.transform(X), out)
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match="global_context"):
            tiny(UNetDenoiser, global_context=bad).fit(X, y)


def test_unet_batch_norm_between_convolutions_and_relus(sines, plain_unet, tmp_path):
    from skdenoise.persistence import load, save

    X, y = sines
    model = tiny(UNetDenoiser, batch_norm=True, random_state=0, **FEW_STEPS)
    model.fit(X, y)
    layers = {layer.name: layer for layer in model.model_.layers}
    assert "down0_bn0" in layers and "bottleneck_bn1" in layers
    assert not layers["down0_conv0"].use_bias
    plain = plain_unet
    assert not any("_bn" in layer.name for layer in plain.model_.layers)
    out = model.transform(X)
    assert out.shape == X.shape and np.all(np.isfinite(out))
    # transform uses the running statistics: a series denoised alone comes out
    # as in the batch.
    np.testing.assert_allclose(model.transform(X[:1]), out[:1], rtol=1e-5, atol=1e-6)
    again = tiny(UNetDenoiser, batch_norm=True, random_state=0, **FEW_STEPS)
    again.fit(X, y)
    np.testing.assert_array_equal(again.transform(X), out)
    save(model, tmp_path / "bn.skdenoise")
    loaded = load(tmp_path / "bn.skdenoise")
    assert loaded.get_params()["batch_norm"] is True
    np.testing.assert_array_equal(loaded.transform(X), out)
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match="batch_norm"):
            tiny(UNetDenoiser, batch_norm=bad).fit(X, y)


def test_unet_level_input_reads_each_series_scale(sines, plain_unet, tmp_path):
    from skdenoise.persistence import load, save

    X, y = sines
    params = dict(level_input=True, random_state=0, **FEW_STEPS)
    model = tiny(UNetDenoiser, **params).fit(X, y)
    # One level channel after the series channel, the reference the median
    # log standard deviation of the training series.
    assert model.model_.input_shape[-1] == 2
    assert plain_unet.model_.input_shape[-1] == 1
    assert not hasattr(plain_unet, "level_reference_")
    np.testing.assert_allclose(
        model.level_reference_, np.median(np.log(X.std(axis=1)), axis=0)
    )
    out = model.transform(X)
    assert out.shape == X.shape and np.all(np.isfinite(out))
    # Normalised alone, the network is blind to the series' size: twice the
    # series, twice the output. With the level it sees the difference.
    np.testing.assert_allclose(
        plain_unet.transform(2 * X), 2 * plain_unet.transform(X), rtol=1e-5, atol=1e-6
    )
    assert np.max(np.abs(model.transform(2 * X) - 2 * out)) > 1e-3
    again = tiny(UNetDenoiser, **params).fit(X, y)
    np.testing.assert_array_equal(again.transform(X), out)
    np.testing.assert_array_equal(again.level_reference_, model.level_reference_)
    # Still equivariant to offset: the level is the standard deviation's.
    np.testing.assert_allclose(model.transform(X + 5.0), out + 5.0, atol=1e-6)
    save(model, tmp_path / "level.skdenoise")
    with open(tmp_path / "level.pkl", "wb") as file:
        pickle.dump(model, file)
    # Loaded in a fresh process: the layers it needs are registered there too.
    np.save(tmp_path / "X.npy", X)
    script = (
        "import pickle, sys, numpy as np\n"
        "from skdenoise.persistence import load\n"
        "folder = sys.argv[1]\n"
        "X = np.load(folder + '/X.npy')\n"
        "a = load(folder + '/level.skdenoise').transform(X)\n"
        "b = pickle.load(open(folder + '/level.pkl', 'rb')).transform(X)\n"
        "np.save(folder + '/out.npy', np.stack([a, b]))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], check=True, capture_output=True
    )
    fresh = np.load(tmp_path / "out.npy")
    np.testing.assert_array_equal(fresh[0], out)
    np.testing.assert_array_equal(fresh[1], out)
    loaded = load(tmp_path / "level.skdenoise")
    assert loaded.get_params()["level_input"] is True
    np.testing.assert_array_equal(loaded.level_reference_, model.level_reference_)
    np.testing.assert_array_equal(loaded.transform(X), out)
    # partial_fit goes on with the reference of the first call.
    loaded.partial_fit(3 * X, 3 * y)
    np.testing.assert_array_equal(loaded.level_reference_, model.level_reference_)
    # The fitted network needs its level channel.
    again.set_params(level_input=False)
    with pytest.raises(ValueError, match="level input"):
        again.transform(X)
    with pytest.raises(ValueError, match="level_input=True.*normalize=False"):
        tiny(UNetDenoiser, level_input=True, normalize=False).fit(X, y)
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match="level_input"):
            tiny(UNetDenoiser, level_input=bad).fit(X, y)
    # A refit without it forgets the reference.
    again.fit(X, y)
    assert not hasattr(again, "level_reference_")
    assert again.model_.input_shape[-1] == 1


def test_unet_level_input_has_a_reference_per_channel():
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 12, 64) + rng.uniform(0, 6, (32, 1)))[..., None]
    clean = np.concatenate([clean, 100 * clean[::-1]], axis=-1)  # other units
    noisy = clean + rng.normal(0, 0.3, clean.shape) * [1.0, 100.0]
    model = tiny(UNetDenoiser, level_input=True, epochs=1, random_state=0)
    model.fit(noisy, clean)
    assert model.model_.input_shape[-1] == 4
    assert model.level_reference_.shape == (2,)
    assert model.level_reference_[1] - model.level_reference_[0] == pytest.approx(
        np.log(100), abs=0.3
    )
    out = model.transform(noisy)
    assert out.shape == noisy.shape and np.all(np.isfinite(out))


def test_jit_compile_trains_with_xla_and_infers_without(sines):
    import keras

    X, y = sines
    # 24 steps: more than a short fit, which runs eagerly and ignores XLA.
    params = dict(epochs=3, batch_size=8, random_state=0)
    xla = tiny(UNetDenoiser, jit_compile=True, **params)
    seen = []

    class Watch(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append(bool(self.model.jit_compile))

    xla.set_params(callbacks=[Watch()]).fit(X, y)
    assert seen == [True]
    # Inference as compiled, by Keras' "auto" (no XLA on a CPU, XLA on a GPU).
    auto = bool(xla.model_._resolve_auto_jit_compile())
    assert xla.model_.jit_compile is auto
    out = xla.transform(X)
    again = tiny(UNetDenoiser, jit_compile=True, **params).fit(X, y)
    np.testing.assert_array_equal(again.transform(X), out)
    plain = tiny(UNetDenoiser, jit_compile=False, **params).fit(X, y)
    # The same training up to XLA's rounding.
    np.testing.assert_allclose(plain.transform(X), out, atol=1e-4)
    assert xla.get_params()["jit_compile"] is True
    # It is read at each call: partial_fit may change it.
    seen.clear()
    plain.set_params(jit_compile=True, callbacks=[Watch()]).partial_fit(X, y)
    assert seen == [True] and plain.model_.jit_compile is auto
    if not auto:
        # A later call reuses the compiled XLA step: no second compilation.
        steps = vars(plain.model_)["_skdenoise_compiled_steps"]
        first = steps[True][0]
        assert first is not None and first is not plain.model_.train_function
        plain.partial_fit(X, y)
        assert steps[True][0] is first
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match="jit_compile"):
            tiny(UNetDenoiser, jit_compile=bad).fit(X, y)


def test_build_unet_conditions_are_read_not_output():
    from skdenoise.networks import build_unet

    model = build_unet(32, 2, filters=4, depth=2, kernel_size=3, n_conditions=3)
    assert model.input_shape == (None, 32, 5)
    assert model.output_shape == (None, 32, 2)
    # Residual on the series channels: zero weights in the head pass them.
    head = model.get_layer("correction")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    inputs = np.random.default_rng(0).normal(size=(2, 32, 5)).astype("float32")
    np.testing.assert_array_equal(np.asarray(model(inputs)), inputs[..., :2])
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="n_conditions"):
            build_unet(32, 1, filters=4, depth=2, n_conditions=bad)


def test_a_fitted_denoiser_is_freed_with_its_training_data(sines):
    import gc
    import weakref

    X, y = sines
    model = tiny(UNetDenoiser, random_state=0, **FEW_STEPS).fit(X, y)
    model.transform(X)
    refs = [weakref.ref(model), weakref.ref(model.model_)]
    del model
    gc.collect()
    # TensorFlow keeps the training dataset's generator registered: through
    # it, every fit kept its batches' arrays, the denoiser and its network.
    assert [ref() for ref in refs] == [None, None]


def test_ema_momentum_keeps_the_moving_average_of_the_weights(sines, tmp_path):
    import keras

    from skdenoise.persistence import load, save

    X, y = sines
    X, y = X[:32], y[:32]

    class Steps(keras.callbacks.Callback):
        """The weights before training and after each optimizer step."""

        def on_train_begin(self, logs=None):
            self.weights = [[w.copy() for w in self.model.get_weights()]]

        def on_train_batch_end(self, batch, logs=None):
            self.weights.append([w.copy() for w in self.model.get_weights()])

    steps = Steps()
    params = dict(epochs=3, batch_size=8, validation_split=0.25, gate=None)
    model = tiny(
        UNetDenoiser, ema_momentum=0.9, callbacks=[steps], random_state=0, **params
    ).fit(X, y)
    assert model.get_params()["ema_momentum"] == 0.9
    # The same average computed here: momentum min(0.9, (1 + t) / (10 + t)).
    average = steps.weights[0]
    for t, weights in enumerate(steps.weights[1:]):
        m = min(0.9, (1 + t) / (10 + t))
        average = [m * a + (1 - m) * w for a, w in zip(average, weights, strict=True)]
    assert len(steps.weights) == 1 + 3 * 3  # three epochs of three batches
    trained = model.model_.get_weights()
    for got, expected in zip(trained, average, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    last = steps.weights[-1]
    assert any(not np.allclose(a, b) for a, b in zip(trained, last, strict=True))
    out = model.transform(X)
    assert out.shape == X.shape and np.all(np.isfinite(out))
    again = tiny(UNetDenoiser, ema_momentum=0.9, random_state=0, **params).fit(X, y)
    np.testing.assert_array_equal(again.transform(X), out)
    plain = tiny(UNetDenoiser, random_state=0, **params).fit(X, y)
    assert not np.array_equal(plain.transform(X), out)
    save(model.set_params(callbacks=None), tmp_path / "ema.skdenoise")
    loaded = load(tmp_path / "ema.skdenoise")
    assert loaded.get_params()["ema_momentum"] == 0.9
    np.testing.assert_array_equal(loaded.transform(X), out)
    for bad in (0, 1, 1.5, -0.1, "0.9"):
        with pytest.raises(ValueError, match="ema_momentum"):
            tiny(UNetDenoiser, ema_momentum=bad).fit(X, y)


class RecordingNoise(WhiteNoise):
    """White noise that records the SNR range of every call of ``apply``."""

    calls = []

    def apply(self, X, random_state=None):
        type(self).calls.append(tuple(self.snr))
        return super().apply(X, random_state=random_state)


def test_noise_curriculum_raises_the_highest_snr_over_the_training(sines, tmp_path):
    from skdenoise.persistence import load, save

    X = sines[1][:32]  # clean series; noise added on the fly
    noise = RecordingNoise(snr=(0.0, 20.0))
    params = dict(epochs=4, batch_size=8, validation_split=0.0, gate=None)
    RecordingNoise.calls = []
    model = tiny(
        UNetDenoiser, noise=noise, noise_curriculum=(0.0, 0.5), random_state=0, **params
    ).fit(X)
    assert model.get_params()["noise_curriculum"] == (0.0, 0.5)
    assert noise.snr == (0.0, 20.0)  # the user's noise model is left as it was
    # Four batches per epoch: the highest SNR rises from 0 to 20 dB over the
    # first 0.5 * 16 = 8 steps, then stays at 20 dB.
    expected = [20.0 * min(step / 8, 1.0) for step in range(16)]
    highs = [high for _, high in RecordingNoise.calls]
    assert all(low == 0.0 for low, _ in RecordingNoise.calls)
    assert sorted(set(highs)) == sorted(set(expected))
    assert highs == sorted(highs)
    assert highs.count(20.0) == 8
    out = model.transform(X)
    again = tiny(
        UNetDenoiser, noise=noise, noise_curriculum=(0.0, 0.5), random_state=0, **params
    ).fit(X)
    np.testing.assert_array_equal(again.transform(X), out)
    plain = tiny(UNetDenoiser, noise=noise, random_state=0, **params).fit(X)
    assert not np.array_equal(plain.transform(X), out)
    # (The file format takes the package's own noise models.)
    save(model.set_params(noise=WhiteNoise(snr=(0.0, 20.0))), tmp_path / "c.skdenoise")
    loaded = load(tmp_path / "c.skdenoise")
    assert loaded.get_params()["noise_curriculum"] == (0.0, 0.5)
    np.testing.assert_array_equal(loaded.transform(X), out)
    # partial_fit goes on with the schedule: its second epoch starts at step 4.
    RecordingNoise.calls = []
    stepwise = tiny(
        UNetDenoiser, noise=noise, noise_curriculum=(0.0, 0.5), random_state=0, **params
    )
    stepwise.partial_fit(X)
    first = {high for _, high in RecordingNoise.calls}
    RecordingNoise.calls = []
    stepwise.partial_fit(X)
    second = {high for _, high in RecordingNoise.calls}
    assert first == {0.0, 2.5, 5.0, 7.5} and second == {10.0, 12.5, 15.0, 17.5}


def test_noise_curriculum_is_checked_against_its_noise(sines):
    X, y = sines
    ranged = WhiteNoise(snr=(0.0, 20.0))
    for bad, match in [
        ((5.0,), "pair"),
        ((5.0, 0.5, 1.0), "pair"),
        (("5", 0.5), "start_db"),
        ((float("nan"), 0.5), "start_db"),
        ((5.0, 0.0), "share"),
        ((5.0, 1.5), "share"),
        ((25.0, 0.5), r"\[0, 20\)"),
        ((-1.0, 0.5), r"\[0, 20\)"),
        ((20.0, 0.5), r"\[0, 20\)"),
        ("12, 0.5", "noise_curriculum"),
    ]:
        with pytest.raises((ValueError, TypeError), match=match):
            tiny(UNetDenoiser, noise=ranged, noise_curriculum=bad).fit(y)
    with pytest.raises(ValueError, match="snr is a .low, high. range"):
        tiny(UNetDenoiser, noise=WhiteNoise(snr=5.0), noise_curriculum=(5.0, 0.5)).fit(
            y
        )
    with pytest.raises(ValueError, match="adds none"):
        tiny(UNetDenoiser, noise_curriculum=(5.0, 0.5)).fit(X, y)
    # fit(X) alone adds white noise from 0 to 20 dB, which the curriculum schedules.
    model = tiny(
        UNetDenoiser, noise_curriculum=[5.0, 1.0], validation_split=0.0, random_state=0
    ).fit(y)
    assert np.all(np.isfinite(model.transform(X)))


def test_a_denoiser_saved_before_a_hyper_parameter_existed_takes_its_default(
    sines, plain_unet
):
    X, _ = sines
    model = plain_unet
    state = model.__getstate__()
    del state["global_context"]  # as in a file written before it existed
    old = UNetDenoiser.__new__(UNetDenoiser)
    old.__setstate__(state)
    assert old.get_params()["global_context"] is False
    np.testing.assert_array_equal(old.transform(X), model.transform(X))
    clone(old)  # scikit-learn can copy it


# ---------------------------------------------------------------- verbose
def test_quiet_by_default_and_progress_with_verbose(sines, capfd):
    X, y = sines
    tiny(UNetDenoiser, epochs=2, **FEW_STEPS).fit(X, y).transform(X)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    tiny(UNetDenoiser, epochs=2, verbose=1, **FEW_STEPS).fit(X, y)
    captured = capfd.readouterr()
    assert "Epoch 2/2" in captured.out + captured.err


def test_import_does_not_load_tensorflow():
    # How long the import takes is measured in benchmarks/, never asserted here:
    # what must hold is that the light modules do not pull in the heavy ones.
    code = (
        "import sys; import skdenoise;"
        "import skdenoise.metrics, skdenoise.noise, skdenoise.baselines;"
        "import skdenoise.augment, skdenoise.preprocessing, skdenoise.windowing;"
        # The builders import Keras when called; their package imported it.
        "import skdenoise.networks, skdenoise.neural.networks;"
        "assert skdenoise.neural.networks.build_unet is skdenoise.networks.build_unet;"
        "heavy = [m for m in ('tensorflow', 'keras', 'scikeras') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"imported: {out.stdout.strip()}"


def _python(code):
    """``code`` run by a fresh Python process (its output captured)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )


# -------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def fitted(plain_unet):
    return plain_unet


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.array([[1.0, np.nan, 2.0]]), ValueError, "NaN"),
        (np.array([[1.0, np.inf, 2.0]]), ValueError, "1 infinite value"),
        (np.zeros(10), ValueError, "single series"),
        (np.zeros((2, 3, 4, 5)), ValueError, "4 dimensions"),
        (np.zeros((0, 10)), ValueError, "0 sample"),
        (np.zeros((4, 1)), ValueError, "1 feature"),
        (
            np.array([["a", "b"], ["c", "d"]]),
            ValueError,
            "X for UNetDenoiser holds strings",
        ),
        (sparse.csr_matrix(np.ones((3, 4))), TypeError, "dense"),
        (np.ones((3, 4), dtype=complex), ValueError, "Complex"),
    ],
    ids=[
        "nan",
        "inf",
        "1d",
        "4d",
        "empty",
        "one-timestep",
        "strings",
        "sparse",
        "complex",
    ],
)
def test_bad_input_to_fit(X, error, match):
    with pytest.raises(error, match=match):
        tiny(UNetDenoiser).fit(X)


def test_bad_targets(sines):
    X, y = sines
    with pytest.raises(ValueError, match="same shape as X"):
        tiny(UNetDenoiser).fit(X, y[:, :50])
    y_nan = y.copy()
    y_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        tiny(UNetDenoiser).fit(X, y_nan)


def test_bad_input_to_transform(fitted, sines):
    X, _ = sines
    with pytest.raises(
        ValueError, match="X has 50 features, but UNetDenoiser is expecting 100"
    ):
        fitted.transform(X[:, :50])
    with pytest.raises(ValueError, match="channel"):
        fitted.transform(np.repeat(X[:, :, None], 2, axis=2))
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(np.full_like(X, np.nan))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        UNetDenoiser().transform(X)


def test_inputs_are_never_modified(sines):
    X, y = sines
    X_ro, y_ro = X.copy(), y.copy()
    X_ro.flags.writeable = False
    y_ro.flags.writeable = False
    model = tiny(UNetDenoiser, noise=WhiteNoise(snr=3.0), **FEW_STEPS).fit(X_ro, y_ro)
    model.transform(X_ro)
    np.testing.assert_array_equal(X_ro, X)
    np.testing.assert_array_equal(y_ro, y)


def test_lists_and_dataframes_are_accepted(sines):
    pd = pytest.importorskip("pandas")
    X, y = sines
    model = tiny(UNetDenoiser, **FEW_STEPS).fit(pd.DataFrame(X), pd.DataFrame(y))
    expected = model.transform(X)
    np.testing.assert_allclose(model.transform(X.tolist()), expected)
    np.testing.assert_allclose(model.transform(pd.DataFrame(X)), expected)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    n_series=st.integers(1, 5),
    n_timesteps=st.integers(2, 40),
    n_channels=st.sampled_from([None, 1, 3]),
    dtype=st.sampled_from([np.float32, np.float64, np.int64]),
)
def test_shapes_and_dtypes_property(fitted, n_series, n_timesteps, n_channels, dtype):
    rng = np.random.default_rng(n_series * 100 + n_timesteps)
    shape = (
        (n_series, n_timesteps)
        if n_channels is None
        else (n_series, n_timesteps, n_channels)
    )
    X = (rng.normal(size=shape) * 10).astype(dtype)
    model = UNetDenoiser(filters=2, depth=2, kernel_size=3, epochs=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model.fit(X, X).transform(X)
    assert out.shape == X.shape
    expected_dtype = np.float32 if dtype == np.float32 else np.float64
    assert out.dtype == expected_dtype
    assert np.all(np.isfinite(out))


def _sines(n_series=200, n_timesteps=128, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n_timesteps)
    return np.sin(2 * np.pi * (3 + 5 * rng.random((n_series, 1))) * t)


def _small_unet(**params):
    return UNetDenoiser(
        filters=4,
        depth=2,
        kernel_size=3,
        noise=WhiteNoise(snr=0.0),
        random_state=0,
        **params,
    )


def test_fit_warns_when_the_network_learned_nothing():
    # A learning rate too small to move the weights: the residual U-Net's
    # random initial correction only adds error on the validation series.
    model = _small_unet(epochs=1, learning_rate=1e-9)
    with pytest.warns(ConvergenceWarning, match="did not learn to denoise"):
        model.fit(_sines())
    # fit went through: the model is usable, the gate calibrated.
    assert model.gate_snr_ is not None
    # partial_fit, one step at a time, does not warn.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.partial_fit(_sines(seed=1))


def test_the_warning_names_a_network_collapsed_to_the_identity():
    # A network whose output is its input to a rounding's worth (as one trained
    # into the identity by a loss) gains nothing a user can see: it warns, with
    # the share; one that takes a percent of the error out does not.
    model = _small_unet(epochs=1)
    rng = np.random.default_rng(0)
    targets = _sines(n_series=8)[:, :, None]
    inputs = targets + 0.3 * rng.normal(size=targets.shape)
    collapsed = inputs + 1e-5 * (targets - inputs)
    with pytest.warns(ConvergenceWarning, match=r"or hardly \(error energy 99\.998%"):
        model._warn_if_not_learned(inputs, targets, collapsed)
    learned = inputs + 0.005 * (targets - inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model._warn_if_not_learned(inputs, targets, learned)


def test_partial_fit_does_not_warn_on_its_first_call_either():
    # The first call builds the network and trains one epoch: no more than a
    # step, so "did not learn" says nothing yet, as on the later calls.
    model = _small_unet(epochs=1, learning_rate=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.partial_fit(_sines())
        model.partial_fit(_sines(seed=1))
    assert model.gate_snr_ is not None


def test_fit_does_not_warn_when_the_network_learned():
    model = _small_unet(epochs=5, learning_rate=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(_sines())


def test_the_first_network_leaves_pythons_random_alone():
    # Importing TensorFlow draws from Python's random: the first fit of a
    # fresh process changed the script's stream of random numbers.
    out = _python(
        "import random; random.seed(1); state = random.getstate()\n"
        "from skdenoise._tf import import_keras; import_keras()\n"
        "print(random.getstate() == state)"
    )
    assert out.stdout.strip() == "True", out.stderr[-2000:]


def test_a_traced_fit_leaves_no_optimizer_function_in_tensorflow():
    # Adam's slot variables were made inside the first trace of the training
    # step: TensorFlow kept their initialisation functions for the life of
    # the process, 15 to 30 MB a fit (a search of 90 fits grew by 1.6 GB).
    from tensorflow.python.eager import context

    X = np.random.default_rng(0).standard_normal((200, 32))
    settings = dict(filters=2, depth=1, epochs=1, batch_size=8, gate=None)

    def fit():
        model = UNetDenoiser(**settings, random_state=0).fit(X)
        assert not model.model_.run_eagerly  # 23 steps: traced

    fit()
    kept = len(context.context().list_function_names())
    fit()
    # About 70 more with the slots made in the trace (two per variable); 8
    # remain, Keras' own (its training step, kept alive by a gradient it
    # registers, and the input pipeline's functions).
    assert len(context.context().list_function_names()) - kept < 20
