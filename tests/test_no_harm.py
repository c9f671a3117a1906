"""The recipe for unseen recordings: validation data, clean training inputs, the
no-harm gate, flip averaging and mixed precision."""

import numpy as np
import pytest
from sklearn.base import clone

from skdenoise import UNetDenoiser
from skdenoise.noise import WhiteNoise
from skdenoise.persistence import load, save


def article_sines(n_series, random_state=0, n_timesteps=64):
    rng = np.random.default_rng(random_state)
    t = np.linspace(0, 10, n_timesteps)
    freq = rng.uniform(0.5, 2.0, size=(n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n_series, 1))
    clean = np.sin(freq * t + phase)
    return clean + rng.normal(0, 0.5, size=clean.shape), clean


def tiny(**params):
    base = {
        "filters": 4,
        "depth": 2,
        "kernel_size": 3,
        "epochs": 2,
        "batch_size": 16,
        "random_state": 0,
    }
    return UNetDenoiser(**{**base, **params})


@pytest.fixture(scope="module")
def data():
    X, y = article_sines(96, random_state=3)
    X_val, y_val = article_sines(24, random_state=4)
    return X, y, X_val, y_val


# Two optimizer steps an epoch on ``data`` instead of six, for the tests whose
# checks do not depend on how far the network trained.
FEW_STEPS = {"batch_size": 48}


# --------------------------------------------------------------------- the gate
def test_fit_gate_learns_to_trust_real_corrections_and_not_distortions():
    from skdenoise.neural._gate import apply_gate, estimated_snr, fit_gate

    rng = np.random.default_rng(0)
    clean = rng.standard_normal((200, 32, 1))
    noise = rng.standard_normal((200, 32, 1))
    # Noisy half: inputs at 0 dB, the network removes the noise exactly.
    # Clean half: inputs clean, the network adds a small distortion.
    inputs = np.concatenate([clean[:100] + noise[:100], clean[100:]])
    outputs = np.concatenate([clean[:100], clean[100:] + 0.05 * noise[100:]])
    snr, scale = fit_gate(inputs, outputs, clean)
    assert np.all(np.diff(snr) > 0)
    assert np.all(np.diff(scale) <= 0) and scale.min() >= 0 and scale.max() <= 1
    gated = apply_gate(inputs, outputs, snr, scale)
    np.testing.assert_allclose(gated[:100], clean[:100], atol=1e-12)
    np.testing.assert_allclose(gated[100:], inputs[100:], atol=1e-12)
    # The estimate is scale invariant: the gate is the same in any units.
    np.testing.assert_allclose(
        estimated_snr(3.0 * inputs, 3.0 * outputs), estimated_snr(inputs, outputs)
    )


@pytest.mark.parametrize("scale", [1e160, 1e-170])
def test_gate_is_the_same_for_series_of_any_magnitude(scale):
    from skdenoise.neural._gate import apply_gate, estimated_snr, fit_gate

    rng = np.random.default_rng(0)
    clean = rng.standard_normal((50, 32, 1))
    inputs = clean + rng.standard_normal(clean.shape)
    outputs = clean + 0.3 * rng.standard_normal(clean.shape)
    # Squaring values near 1e160 overflowed (the SNR read 0 dB and fitting
    # failed on NaN), near 1e-170 it underflowed (0 dB, and no gate fitted).
    np.testing.assert_allclose(
        estimated_snr(scale * inputs, scale * outputs),
        estimated_snr(inputs, outputs),
        rtol=1e-12,
    )
    gate = fit_gate(inputs, outputs, clean)
    scaled_gate = fit_gate(scale * inputs, scale * outputs, scale * clean)
    for a, b in zip(scaled_gate, gate, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(
        apply_gate(scale * inputs, scale * outputs, *gate),
        scale * apply_gate(inputs, outputs, *gate),
        rtol=1e-12,
    )


def test_gate_is_fitted_on_validation_series_and_leaves_clean_input_closer(data):
    X, y, X_val, y_val = data
    gated = tiny(gate="isotonic", **FEW_STEPS)
    gated.fit(X, y, validation_data=(X_val, y_val))
    assert (
        gated.gate_snr_.ndim == 1 and gated.gate_scale_.shape == gated.gate_snr_.shape
    )
    assert np.all((gated.gate_scale_ >= 0) & (gated.gate_scale_ <= 1))
    ungated = tiny(gate=None, **FEW_STEPS)
    ungated.fit(X, y, validation_data=(X_val, y_val))
    assert ungated.gate_snr_ is None
    # Same network (same seed and data): the gate only ever shrinks corrections.
    np.testing.assert_allclose(
        ungated.model_.get_weights()[0], gated.model_.get_weights()[0]
    )
    change_gated = np.abs(gated.transform(y_val) - y_val).sum()
    change_ungated = np.abs(ungated.transform(y_val) - y_val).sum()
    assert change_gated <= change_ungated + 1e-9


def test_gate_is_off_without_validation_series(data):
    X, y, _, _ = data
    model = tiny(validation_split=0.0, **FEW_STEPS).fit(X, y)
    assert model.gate_snr_ is None and model.gate_scale_ is None
    # Too few validation series to calibrate on: off as well.
    model = tiny(validation_split=0.05, **FEW_STEPS).fit(X[:40], y[:40])
    assert model.gate_snr_ is None


# ---------------------------------------------------------- validation_data
def test_validation_data_tuple_and_clean_series(data):
    X, y, X_val, y_val = data
    # Nothing held out of X: the validation loss and the gate come from
    # validation_data alone.
    model = tiny(validation_split=0.0, **FEW_STEPS)
    model.fit(X, y, validation_data=(X_val, y_val))
    assert len(model.history_["val_loss"]) == 2
    assert model.gate_snr_ is not None
    noise = WhiteNoise(snr=(0.0, 10.0))
    model = tiny(noise=noise, validation_split=0.0, **FEW_STEPS)
    model.fit(y, validation_data=y_val)
    assert len(model.history_["val_loss"]) == 2
    assert model.gate_snr_ is not None


@pytest.mark.parametrize(
    "validation_data, message",
    [
        ("tuple3", "tuple of 3"),
        ("short", "timesteps"),
        ("clean_only_pairs", "tuple"),
        ("nan", "NaN"),
        # Keras reads a list [X_val, y_val] as a pair; here it is series.
        ("list_pair", r"64 channel\(s\).*as a tuple \(X_val, y_val\)"),
    ],
)
def test_bad_validation_data_gets_a_clear_error(data, validation_data, message):
    X, y, X_val, y_val = data
    bad = {
        "tuple3": (X_val, y_val, y_val),
        "short": (X_val[:, :32], y_val[:, :32]),
        "clean_only_pairs": y_val,
        "nan": (np.where(X_val > 1, np.nan, X_val), y_val),
        "list_pair": [X_val, y_val],
    }[validation_data]
    noise = WhiteNoise(snr=5.0) if validation_data == "list_pair" else None
    model = tiny(noise=noise)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y, validation_data=bad)
    assert not hasattr(model, "model_")


def test_validation_data_is_not_modified(data):
    X, y, X_val, y_val = data
    before = X_val.copy(), y_val.copy()
    tiny(noise=WhiteNoise(snr=5.0), **FEW_STEPS).fit(
        X, y, validation_data=(X_val, y_val)
    )
    np.testing.assert_array_equal(X_val, before[0])
    np.testing.assert_array_equal(y_val, before[1])


# ---------------------------------------------------------- clean_fraction
def test_clean_fraction_feeds_clean_inputs():
    from skdenoise.neural._batches import keep_clean

    rng = np.random.default_rng(0)
    inputs, targets = rng.standard_normal((2, 4000, 8, 1))
    mixed = keep_clean(inputs, targets, 0.25, rng)
    is_clean = np.all(mixed == targets, axis=(1, 2))
    assert 0.2 < is_clean.mean() < 0.3
    np.testing.assert_array_equal(mixed[~is_clean], inputs[~is_clean])
    assert keep_clean(inputs, targets, 0.0, rng) is inputs


def test_clean_fraction_is_reproducible_and_validated(data):
    X, y, _, _ = data
    a = tiny(clean_fraction=0.2).fit(X, y).transform(X)
    b = tiny(clean_fraction=0.2).fit(X, y).transform(X)
    np.testing.assert_array_equal(a, b)
    for bad in (1.0, -0.1, "half"):
        with pytest.raises(ValueError, match="clean_fraction"):
            tiny(clean_fraction=bad).fit(X, y)


# ----------------------------------------------------------- average_flips
def test_average_flips_makes_the_output_odd_and_time_symmetric(data):
    X, y, X_val, y_val = data
    model = tiny(average_flips=True).fit(X, y)
    out = model.transform(X_val)
    np.testing.assert_allclose(model.transform(-X_val), -out, atol=1e-5)
    np.testing.assert_allclose(model.transform(X_val[:, ::-1]), out[:, ::-1], atol=1e-5)
    plain = clone(model).set_params(average_flips=False).fit(X, y)
    assert not np.allclose(plain.transform(-X_val), -plain.transform(X_val), atol=1e-5)


# --------------------------------------------------------------- precision
def test_mixed_precision_trains_and_restores_the_global_policy(data):
    import keras

    X, y, X_val, _ = data
    before = keras.config.dtype_policy().name
    model = tiny(precision="mixed_bfloat16").fit(X, y)
    assert keras.config.dtype_policy().name == before
    assert str(model.model_.output.dtype) == "float32"
    out = model.transform(X_val)
    assert out.dtype == np.float64 and np.all(np.isfinite(out))
    with pytest.raises(ValueError, match="precision"):
        tiny(precision="float8").fit(X, y)


# ------------------------------------------------- params and persistence
def test_new_parameters_are_visible_saved_and_loaded(data, tmp_path):
    X, y, X_val, y_val = data
    model = tiny(clean_fraction=0.1, average_flips=True, precision="mixed_bfloat16")
    params = model.get_params()
    for name in ("clean_fraction", "gate", "average_flips", "precision"):
        assert name in params
    assert params["gate"] == "isotonic"
    model.fit(X, y, validation_data=(X_val, y_val))
    path = tmp_path / "model.skdenoise"
    save(model, path)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.gate_snr_, model.gate_snr_)
    np.testing.assert_array_equal(loaded.gate_scale_, model.gate_scale_)
    np.testing.assert_array_equal(loaded.transform(X_val), model.transform(X_val))
    assert loaded.get_params()["precision"] == "mixed_bfloat16"


# --------------------------------------------------------------- n_passes
def learner(**params):
    """A tiny U-Net trained long enough to learn (so the passes matter)."""
    return tiny(**{"epochs": 6, "learning_rate": 3e-3, **params})


@pytest.fixture(scope="module")
def fitted_learner(data):
    """``learner(**params)`` fitted on (X, y) with validation_data (X_val,
    y_val), each setting fitted once for the module: no test may change it."""
    X, y, X_val, y_val = data
    fits = {}

    def fit(**params):
        key = tuple(sorted(params.items()))
        if key not in fits:
            fits[key] = learner(**params).fit(X, y, validation_data=(X_val, y_val))
        return fits[key]

    return fit


def manual_passes(model, X3, n_passes):
    """Pass after pass through the fitted gates, recomputed from the parts."""
    from skdenoise.neural._gate import apply_gate

    gates = [(model.gate_snr_, model.gate_scale_), *model.pass_gates_]
    out = X3
    for snr, scale in gates[:n_passes]:
        following = model._network_outputs(out)
        out = following if snr is None else apply_gate(out, following, snr, scale)
    return out


def test_n_passes_denoises_the_output_again_through_a_gate_per_pass(
    data, fitted_learner
):
    X, y, X_val, y_val = data
    one = fitted_learner()
    three = fitted_learner(n_passes=3)
    assert one.n_passes_ == 1 and one.pass_gates_ == []
    assert three.n_passes_ == 3 and len(three.pass_gates_) == 2
    for snr, scale in three.pass_gates_:
        assert snr.ndim == 1 and scale.shape == snr.shape
        assert np.all((scale >= 0) & (scale <= 1)) and np.all(np.diff(scale) <= 0)
    # Same network and first gate; the later passes are the network run on the
    # gated output before, each through its own gate.
    np.testing.assert_array_equal(three.gate_snr_, one.gate_snr_)
    X3 = X_val[:, :, None]
    np.testing.assert_allclose(
        one.transform(X_val), manual_passes(three, X3, 1)[:, :, 0], atol=1e-12
    )
    out = three.transform(X_val)
    np.testing.assert_allclose(out, manual_passes(three, X3, 3)[:, :, 0], atol=1e-12)
    assert not np.allclose(out, one.transform(X_val))
    # Reproducible.
    again = learner(n_passes=3).fit(X, y, validation_data=(X_val, y_val))
    np.testing.assert_array_equal(again.transform(X_val), out)


def test_auto_passes_keeps_a_pass_only_while_it_raises_the_validation_snr(
    data, fitted_learner
):
    from skdenoise.neural._base import (
        _PASS_MIN_GAIN_DB,
        _cleanest_series,
        _mean_capped_snr,
        _pass_gains,
    )

    X, y, X_val, y_val = data
    auto = fitted_learner(n_passes="auto")
    n = auto.n_passes_
    assert n >= 2  # this under-trained network leaves noise a second pass removes
    # One pass more, same network: the passes "auto" kept, and one it refused.
    more = fitted_learner(n_passes=n + 1)
    for (a, b), (c, d) in zip(auto.pass_gates_, more.pass_gates_[:-1], strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    X3, y3 = X_val[:, :, None], y_val[:, :, None]
    cleanest = _cleanest_series(X3, y3)
    assert 0 < cleanest.sum() < cleanest.size
    # Each pass is judged with its gate fitted on the other half of the series:
    # the kept ones raise the mean SNR enough and spare the cleanest inputs, the
    # refused one does not.
    for k in range(1, n + 1):
        before = manual_passes(more, X3, k)
        gain, clean_gain = _pass_gains(
            before, more._network_outputs(before), y3, cleanest, gated=True
        )
        if k < n:
            assert gain >= _PASS_MIN_GAIN_DB and clean_gain >= 0.0
        else:
            assert not (gain >= _PASS_MIN_GAIN_DB and clean_gain >= 0.0)
    # On the series their gates were fitted on, the kept passes gain too.
    scores = [_mean_capped_snr(y3, manual_passes(more, X3, k)) for k in (1, n)]
    assert scores[1] - scores[0] >= _PASS_MIN_GAIN_DB
    assert auto.get_params()["n_passes"] == "auto"


def test_cross_fitted_pass_gains_judge_a_gate_on_series_it_did_not_see():
    """A pass that helps one half and harms the other looks good in-sample (the
    gate fitted on both halves tells them apart) but not cross-fitted."""
    from skdenoise.neural._base import _cleanest_series, _mean_capped_snr, _pass_gains
    from skdenoise.neural._gate import apply_gate, fit_gate

    rng = np.random.default_rng(0)
    n, t = 40, 64
    targets = np.sin(np.linspace(0, 6, t))[None, :, None] * rng.uniform(
        0.5, 2, (n, 1, 1)
    )
    noise = rng.normal(size=(n, t, 1)) * 0.3
    current = targets + noise
    # First half: the pass removes the noise; second half: it doubles it, at the
    # same estimated SNR (the correction has the noise's size in both).
    outputs = np.concatenate([targets[: n // 2], (current + noise)[n // 2 :]])
    cleanest = _cleanest_series(current, targets)
    in_sample = apply_gate(current, outputs, *fit_gate(current, outputs, targets))
    in_gain = _mean_capped_snr(targets, in_sample) - _mean_capped_snr(targets, current)
    gain, _ = _pass_gains(current, outputs, targets, cleanest, gated=True)
    assert in_gain > 1.0  # in-sample, the pass looks worth keeping (+4.4 dB)
    assert gain < 0.0  # on the half its gate did not see, it harms (-3.0 dB)
    # Without a gate the outputs are scored as they are.
    raw, _ = _pass_gains(current, outputs, targets, cleanest, gated=False)
    assert raw == pytest.approx(
        _mean_capped_snr(targets, outputs) - _mean_capped_snr(targets, current)
    )


def test_passes_without_validation_series(data):
    X, y, _, _ = data
    with pytest.warns(UserWarning, match="n_passes='auto'.*one pass"):
        auto = learner(n_passes="auto", validation_split=0.0).fit(X, y)
    assert auto.n_passes_ == 1 and auto.pass_gates_ == []
    # An int runs its passes, without gates (there is nothing to fit them on).
    two = learner(n_passes=2, validation_split=0.0).fit(X, y)
    assert two.n_passes_ == 2 and two.pass_gates_ == [(None, None)]
    X3 = X[:8, :, None]
    np.testing.assert_allclose(
        two.transform(X[:8]), manual_passes(two, X3, 2)[:, :, 0], atol=1e-12
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5, "two", None])
def test_bad_n_passes_gets_a_clear_error(data, bad):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="n_passes"):
        learner(n_passes=bad).fit(X, y)


def test_passes_are_saved_and_loaded_and_old_files_keep_one_pass(
    data, fitted_learner, tmp_path
):
    X, y, X_val, y_val = data
    model = fitted_learner(n_passes="auto")
    path = tmp_path / "model.skdenoise"
    save(model, path)
    loaded = load(path)
    assert loaded.n_passes_ == model.n_passes_ and loaded.n_passes == "auto"
    np.testing.assert_array_equal(loaded.transform(X_val), model.transform(X_val))
    # A denoiser saved before the passes existed has neither the parameter nor
    # the fitted attributes: it loads with one pass and gives what it gave.
    one = fitted_learner()
    state = one.__getstate__()
    for name in ("n_passes", "n_passes_", "pass_gates_"):
        del state[name]
    old = UNetDenoiser.__new__(UNetDenoiser)
    old.__setstate__(state)
    assert old.n_passes == 1 and old.n_passes_ == 1 and old.pass_gates_ == []
    np.testing.assert_array_equal(old.transform(X_val), one.transform(X_val))
