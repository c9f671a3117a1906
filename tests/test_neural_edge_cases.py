"""Edge cases of the neural denoisers: offsets through the gate, parameters
changed after fit, failed first partial fits, the user's own Keras networks."""

import functools
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skdenoise.datasets import make_sines


@pytest.fixture(scope="module")
def pairs():
    clean = make_sines(80, 64, random_state=0)
    level = np.random.default_rng(1).uniform(0.05, 0.6, size=(80, 1))
    noisy = clean + level * np.random.default_rng(0).standard_normal(clean.shape)
    return noisy, clean


def _unet(**params):
    from skdenoise import UNetDenoiser

    settings = {"filters": 4, "depth": 2, "kernel_size": 3, "epochs": 2}
    return UNetDenoiser(**{**settings, "random_state": 0, **params})


def _shallow(**params):
    """``_unet`` one level deep, for tests about the training's bookkeeping.

    (Which rows are held out, what partial_fit keeps or refuses, seeds, dtypes.)
    Its 16 weights instead of 26 make each traced training step about a third
    cheaper to trace, which dominates these tests' many short calls.
    """
    return _unet(**{"depth": 1, **params})


@pytest.fixture(scope="module")
def gated(pairs):
    model = _unet(validation_split=0.25)
    return model.fit(*pairs)


def test_the_gate_is_on_for_this_fixture(gated):
    assert gated.gate_snr_ is not None and len(gated.gate_snr_) >= 1


@pytest.mark.parametrize("offset", [-50.0, 10.0, 1e4])
def test_an_offset_passes_through_the_gate(gated, pairs, offset):
    noisy = pairs[0][:16]
    reference = gated.transform(noisy)
    shifted = gated.transform(noisy + offset) - offset
    np.testing.assert_allclose(shifted, reference, atol=1e-6 * max(1.0, abs(offset)))


def test_the_exported_model_gates_offset_series_as_transform(gated, pairs):
    from skdenoise._export import transform_graph

    keras_model = transform_graph(gated)
    noisy = pairs[0][:8] + 10.0
    out = np.asarray(keras_model(noisy[:, :, None].astype("float32")))[:, :, 0]
    np.testing.assert_allclose(out, gated.transform(noisy), atol=2e-3)


@pytest.mark.parametrize(
    "change, pattern",
    [
        ({"depth": 3}, "length multiple 4 -> 8"),
        ({"normalize": False}, "normalize 'standard' -> None"),
    ],
)
def test_transform_after_changing_the_input_settings_is_a_clear_error(
    pairs, change, pattern
):
    model = _unet(epochs=1).fit(*pairs)
    model.set_params(**change)
    with pytest.raises(ValueError, match=f"changed since fit.*{pattern}"):
        model.transform(pairs[0])
    # partial_fit names the parameter of the built network that changed.
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"changed since: {name}="):
        model.partial_fit(*pairs)
    # Inference options stay free to change.
    model.set_params(**{key: _unet().get_params()[key] for key in change})
    model.set_params(average_flips=True)
    assert model.transform(pairs[0]).shape == pairs[0].shape


def test_the_input_settings_survive_save_and_load(pairs, tmp_path):
    from skdenoise.persistence import load, save

    model = _unet(epochs=1).fit(*pairs)
    path = tmp_path / "unet.skdenoise"
    save(model, path)
    loaded = load(path)
    assert loaded._input_settings_ == model._input_settings_
    loaded.set_params(depth=3)
    with pytest.raises(ValueError, match="changed since fit"):
        loaded.transform(pairs[0])


def test_a_failed_first_partial_fit_leaves_the_denoiser_unfitted(pairs):
    from skdenoise.windowing import WindowedDenoiser

    model = _unet(depth=10)
    with pytest.raises(ValueError, match="multiple of 1024"):
        model.partial_fit(*pairs)
    assert not [name for name in vars(model) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        model.transform(pairs[0])
    windowed = WindowedDenoiser(_unet(depth=10), window_length=64)
    with pytest.raises(ValueError, match="multiple of 1024"):
        windowed.partial_fit(*pairs)
    with pytest.raises(NotFittedError):
        windowed.transform(pairs[0])


def test_a_later_partial_fit_that_fails_keeps_the_gates_and_passes(pairs, monkeypatch):
    model = _unet(validation_split=0.25, n_passes=3, epochs=1)
    model.partial_fit(*pairs)
    before = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert model.n_passes_ == 3 and model.gate_snr_ is not None
    expected = model.transform(pairs[0])
    calls = []
    real = type(model)._network_outputs

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # after the epoch, while the passes are chosen
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(type(model), "_network_outputs", interrupted)
        with pytest.raises(KeyboardInterrupt):
            model.partial_fit(*pairs)
    # It left one pass, no gates, and history_ and n_epochs_ moved on.
    assert model.n_passes_ == 3 and len(model.pass_gates_) == 2
    assert model.n_epochs_ == 1 and model.history_ == before["history_"]
    for key, value in before.items():
        if key != "model_":
            assert getattr(model, key) is value, key
    # The network keeps the steps it made, as documented.
    assert not np.array_equal(model.transform(pairs[0]), expected)


def test_a_diverged_partial_fit_or_fit_without_validation_warns(pairs):
    from sklearn.exceptions import ConvergenceWarning

    model = _shallow(validation_split=0.25, epochs=1).partial_fit(*pairs)
    model.set_params(learning_rate=1e12)
    # It returned silently; transform then refused the network.
    with pytest.warns(ConvergenceWarning, match="training diverged: after epoch 2"):
        model.partial_fit(*pairs)
    with pytest.warns(ConvergenceWarning, match="weights are not finite"):
        _shallow(validation_split=0, learning_rate=1e12).fit(*pairs)


def test_blind_spot_mask_wider_than_half_a_series_is_rejected(pairs):
    model = _unet(training="blind_spot", mask_width=40)
    with pytest.raises(ValueError, match="mask_width=40.*at least 80 samples"):
        model.fit(pairs[0])


def _any_length(n_timesteps, n_channels):
    from skdenoise._tf import import_keras

    keras = import_keras()
    inputs = keras.Input(shape=(None, n_channels))
    hidden = keras.layers.Conv1D(4, 3, padding="same")(inputs)
    return keras.Model(
        inputs, keras.layers.Conv1D(n_channels, 3, padding="same")(hidden)
    )


def _sequential(n_timesteps, n_channels):
    from skdenoise._tf import import_keras

    keras = import_keras()
    return keras.Sequential(
        [
            keras.layers.Conv1D(4, 3, padding="same"),
            keras.layers.Conv1D(n_channels, 3, padding="same"),
        ]
    )


def _fixed_length(n_timesteps, n_channels):
    from skdenoise._tf import import_keras

    keras = import_keras()
    inputs = keras.Input(shape=(7, n_channels))
    return keras.Model(
        inputs, keras.layers.Conv1D(n_channels, 3, padding="same")(inputs)
    )


@pytest.mark.parametrize("builder", [_any_length, _sequential])
def test_keras_denoiser_takes_length_agnostic_and_unbuilt_networks(
    pairs, builder, tmp_path
):
    from skdenoise.neural import KerasDenoiser
    from skdenoise.persistence import load, save

    model = KerasDenoiser(model=builder, epochs=1, random_state=0)
    model.fit(*pairs)
    out = model.transform(pairs[0])
    assert out.shape == pairs[0].shape
    save(model, tmp_path / "model.skdenoise")
    np.testing.assert_allclose(
        load(tmp_path / "model.skdenoise").transform(pairs[0]), out
    )


class _Subclassed:
    """A subclassed network without compute_output_shape, made on first use."""

    cls = None

    @classmethod
    def build(cls, n_timesteps, n_channels):
        from skdenoise._tf import import_keras

        keras = import_keras()
        if cls.cls is None:

            class TwoConvolutions(keras.Model):
                def __init__(self, n_channels):
                    super().__init__()
                    self.first = keras.layers.Conv1D(4, 3, padding="same")
                    self.second = keras.layers.Conv1D(n_channels, 1)

                    self.dropout = keras.layers.Dropout(0.1)

                def call(self, inputs, training=None):
                    hidden = self.dropout(self.first(inputs), training=training)
                    return self.second(hidden)

            cls.cls = TwoConvolutions
        return cls.cls(n_channels)


def _sequential_half(n_timesteps, n_channels):
    from skdenoise._tf import import_keras

    keras = import_keras()
    return keras.Sequential(
        [
            keras.layers.Conv1D(4, 3, padding="same"),
            keras.layers.Conv1D(n_channels, 1, dtype="float16"),
        ]
    )


@pytest.mark.parametrize(
    "builder, precision",
    [
        (_sequential, "mixed_float16"),
        (_sequential_half, "float32"),
        (_Subclassed.build, "float32"),
    ],
)
def test_keras_denoiser_takes_sequential_and_subclassed_networks_in_any_precision(
    pairs, builder, precision
):
    from skdenoise.neural import KerasDenoiser

    # A Sequential without an Input in 16 bits failed in Keras ("has never been
    # called"); a subclassed model without compute_output_shape was refused.
    model = KerasDenoiser(model=builder, precision=precision, epochs=1, random_state=0)
    out = model.fit(*pairs).transform(pairs[0])
    assert out.shape == pairs[0].shape and out.dtype == np.float64
    if precision != "float32" or builder is _sequential_half:
        assert str(model.model_.outputs[0].dtype) == "float32"


def test_mc_dropout_refuses_a_subclassed_network_before_training(pairs):
    from skdenoise.neural import KerasDenoiser

    # Keras' clone_model refused it after training, when the std was
    # calibrated, with a message about clone_function.
    model = KerasDenoiser(model=_Subclassed.build, uncertainty="mc_dropout", epochs=1)
    with pytest.raises(ValueError, match="subclassed model.*uncertainty='ensemble'"):
        model.fit(*pairs)
    assert not hasattr(model, "model_")


def _with_unrebuildable_layer(n_timesteps, n_channels):
    # A custom layer given an array: Keras' get_config cannot store it, so
    # from_config cannot rebuild the layer.
    from skdenoise._tf import import_keras

    keras = import_keras()

    class Gain(keras.layers.Layer):
        def __init__(self, gains, **kwargs):
            super().__init__(**kwargs)
            self.gains = np.asarray(gains, dtype="float32")

        def call(self, x):
            return x * self.gains

    inputs = keras.Input((n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(4, 3, padding="same")(inputs)
    hidden = Gain(np.ones(4))(keras.layers.Dropout(0.2)(hidden))
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(hidden))


def test_mc_dropout_names_a_layer_it_cannot_rebuild_before_training(pairs):
    from skdenoise.neural import KerasDenoiser

    # Keras' NotImplementedError about non-serializable arguments came through.
    model = KerasDenoiser(
        model=_with_unrebuildable_layer, uncertainty="mc_dropout", epochs=1
    )
    with pytest.raises(
        ValueError, match=r"cannot be rebuilt so \(Object Gain .*'flips'"
    ):
        model.fit(*pairs)
    assert not hasattr(model, "model_")


def test_keras_denoiser_names_a_network_of_another_length(pairs):
    from skdenoise.neural import KerasDenoiser

    with pytest.raises(ValueError, match=r"must take series of shape \(batch, 64, 1\)"):
        KerasDenoiser(model=_fixed_length, epochs=1).fit(*pairs)


def test_targets_in_other_units_get_one_map_and_the_same_denoiser(pairs):
    noisy, clean = pairs
    base = _unet(epochs=3, gate=None).fit(noisy, clean)
    for scale, offset in ((1000.0, 0.0), (1.0, 3.0)):
        other = _unet(epochs=3, gate=None).fit(noisy, scale * clean + offset)
        assert other.target_scale_.shape == (1, 1, 1)
        assert other.target_scale_.item() == pytest.approx(scale, rel=0.05)
        np.testing.assert_allclose(
            other.transform(noisy),
            scale * base.transform(noisy) + offset,
            atol=0.05 * scale,
        )


def test_pairs_in_one_set_of_units_keep_the_identity_map():
    # Chance correlation of slow noise with the signal took the slope of a
    # (noisy, clean) pair past 5 % of 1 (and a per-timestep F test past its
    # limit: factors of -33 to 535 on real ECG); a Noise2Noise pair whose
    # copies are unequally noisy got 1 / (the signal's share) as a change of
    # units. Both kept the network's output in the wrong scale, silently.
    from skdenoise.datasets import make_ecg
    from skdenoise.neural._base import _units_map
    from skdenoise.noise import ColoredNoise, WhiteNoise

    for seed in range(8):
        clean = make_ecg(
            n_series=24, n_timesteps=256, sampling_rate=128.0, random_state=seed
        )
        brown = ColoredNoise(alpha=2.0, snr=-6.0).apply(clean, random_state=seed)
        less = WhiteNoise(snr=6.0).apply(clean, random_state=seed)
        more = WhiteNoise(snr=-3.0).apply(clean, random_state=seed + 100)
        for X, y in ((brown, clean), (less, more), (more, less)):
            scale, offset = _units_map(X[..., None], y[..., None])
            np.testing.assert_array_equal(scale, 1.0)
            np.testing.assert_array_equal(offset, 0.0)
        # Changes of units stay found: a larger y, a smaller one, an offset,
        # the other sign.
        for a, b in ((3.0, 0.0), (1e-3, 0.0), (1.0, 2.0), (-1.0, 0.0)):
            scale, offset = _units_map(less[..., None], a * clean[..., None] + b)
            assert scale.shape == (1, 1, 1)
            assert scale.item() == pytest.approx(a, rel=0.1)
            assert offset.item() == pytest.approx(b, abs=0.1 * abs(a))


def test_a_scaler_in_front_is_a_change_of_units_however_noisy():
    # A column scaler's output can look like a noisier copy of zero-mean y
    # (both slopes under 1): its mark (one spread for every column) tells.
    from sklearn.preprocessing import MaxAbsScaler, RobustScaler, StandardScaler

    from skdenoise.datasets import make_ecg
    from skdenoise.neural._base import _units_map
    from skdenoise.noise import WhiteNoise

    clean = 2.0 * make_ecg(n_series=32, n_timesteps=128, random_state=0)
    clean -= clean.mean()
    noisy = WhiteNoise(snr=-6.0).apply(clean, random_state=1)
    for scaler in (StandardScaler(), RobustScaler(), MaxAbsScaler()):
        scale, _ = _units_map(scaler.fit_transform(noisy)[..., None], clean[..., None])
        assert not np.all(scale == 1.0), scaler
    # StandardScaler divided each column by its spread, about 0.85 here.
    scale, _ = _units_map(
        StandardScaler().fit_transform(noisy)[..., None], clean[..., None]
    )
    assert np.median(scale) == pytest.approx(np.median(noisy.std(axis=0)), rel=0.25)


def test_each_channel_keeps_its_own_units():
    # Channel 0: two noisy copies in one set of units; channel 1: X in volts
    # and y in millivolts. The identity of channel 0 was lost to channel 1.
    from skdenoise.datasets import make_ecg
    from skdenoise.neural._base import _units_map
    from skdenoise.noise import WhiteNoise

    clean = make_ecg(n_series=24, n_timesteps=256, random_state=0)
    a = WhiteNoise(snr=6.0).apply(clean, random_state=1)
    b = WhiteNoise(snr=0.0).apply(clean, random_state=2)
    X = np.stack([a, a / 1000.0], axis=-1)
    y = np.stack([b, clean], axis=-1)
    scale, offset = _units_map(X, y)
    assert scale[..., 0].item() == 1.0 and offset[..., 0].item() == 0.0
    assert scale[..., 1].item() == pytest.approx(1000.0, rel=0.05)


def test_windows_one_sample_apart_are_not_taken_for_a_scaler():
    # Every column of windows cut one sample apart holds the recording's
    # extremes: the mark of MaxAbsScaler and MinMaxScaler, which took a
    # Noise2Noise pair for X scaled apart (and gave it a map of 2.4).
    from skdenoise.datasets import make_ecg, make_windows
    from skdenoise.neural._base import _units_map
    from skdenoise.noise import WhiteNoise

    clean = make_ecg(n_series=1, n_timesteps=2000, random_state=0)
    a = WhiteNoise(snr=6.0).apply(clean, random_state=1)[0]
    b = WhiteNoise(snr=0.0).apply(clean, random_state=2)[0]
    X, y = make_windows(a, 64, stride=1), make_windows(b, 64, stride=1)
    scale, offset = _units_map(X[..., None], y[..., None])
    assert scale.item() == 1.0 and offset.item() == 0.0


def test_columns_scaled_apart_still_get_a_map_per_timestep(pairs):
    noisy, clean = pairs
    columns = np.linspace(0.25, 1.0, clean.shape[1])
    model = _unet(epochs=1, gate=None).fit(noisy / columns, clean)
    assert model.target_scale_.shape == (1, clean.shape[1], 1)
    # Each column's estimate comes from 80 noisy series.
    np.testing.assert_allclose(model.target_scale_[0, :, 0], columns, rtol=0.25)


def test_predict_with_std_before_fit_is_not_fitted_error(pairs):
    with pytest.raises(NotFittedError):
        _unet().predict(pairs[0], return_std=True)
    with pytest.raises(NotFittedError):
        _unet(uncertainty="mc_dropout").predict(pairs[0], return_std=True)


def test_callbacks_keep_their_state_but_let_go_of_the_network(pairs):
    import pickle

    import keras
    from sklearn.base import clone

    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=5)
    model = _unet(epochs=2, validation_split=0.0, callbacks=[stop]).fit(*pairs)
    assert stop.model is None
    assert np.isfinite(stop.best)  # inf before fit: what the epochs left in it
    # A clone or a pickle of the parameters no longer carries the network.
    assert clone(model).callbacks[0].model is None
    assert len(pickle.dumps(model.get_params()["callbacks"])) < 20_000


def test_noise_on_series_with_an_offset_is_warned_of(pairs):
    # An SNR target is measured with the series' mean: on ADC counts the
    # training noise at a nominal 20 dB was louder than the signal's variation,
    # and the denoiser came out worse than its input, without a word.
    from skdenoise.noise import WhiteNoise

    _, clean = pairs
    with pytest.warns(UserWarning, match=r"carry an offset.*X - X\.mean") as caught:
        _unet(epochs=1).fit(clean + 1000.0)
    assert len([w for w in caught if "offset" in str(w.message)]) == 1
    noisy = clean + 0.1
    with pytest.warns(UserWarning, match="carry an offset"):
        _unet(epochs=1, noise=WhiteNoise(snr=10.0)).fit(noisy + 1000.0, clean + 1000.0)
    # A network that sees the offset takes only centred series after such a fit.
    with pytest.warns(UserWarning, match="remove them at transform too") as caught:
        _unet(epochs=1, normalize="rms").fit(clean + 1000.0)
    assert "takes series with an offset" not in str(caught[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _unet(epochs=1).fit(clean)  # centred series
        _unet(epochs=1).fit(clean + 0.1)  # a small offset
        # An amplitude does not depend on the offset.
        _unet(epochs=1, noise=WhiteNoise(amplitude=0.1)).fit(clean + 1000.0)
    assert not [w for w in caught if "offset" in str(w.message)]


def test_a_partial_fit_loop_leaves_eager_mode_after_its_first_call(pairs, tmp_path):
    # A first call of a few steps compiles the network to run eagerly, which
    # every later call and the saved file kept: a partial_fit loop then served
    # at about 15 times the time per call.
    from skdenoise.persistence import load, save

    X, y = pairs
    model = _shallow(batch_size=32)
    model.partial_fit(X[:40], y[:40])
    assert model.model_.run_eagerly  # two steps: no tracing
    model.partial_fit(X[40:], y[40:])
    assert not model.model_.run_eagerly
    loaded = load(save(model, tmp_path / "online.skd"))
    assert not loaded.model_.run_eagerly
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    # A fit of a few steps keeps its eager network (and its outputs) as before.
    short = _shallow(batch_size=32, epochs=1).fit(X[:40], y[:40])
    assert short.model_.run_eagerly
    again = load(save(short, tmp_path / "short.skd"))
    np.testing.assert_array_equal(again.transform(X), short.transform(X))


def test_a_csv_logger_callback_leaves_a_model_that_pickles(pairs, tmp_path):
    # CSVLogger kept its closed log file: clone, pickle and joblib of the
    # fitted model failed ("cannot pickle '_io.TextIOWrapper' object").
    import pickle

    import keras
    from sklearn.base import clone

    log = tmp_path / "log.csv"
    model = _unet(epochs=2, callbacks=[keras.callbacks.CSVLogger(str(log))])
    model.fit(*pairs)
    assert len(log.read_text().splitlines()) == 3  # a header and two epochs
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.transform(pairs[0]), model.transform(pairs[0]))
    clone(model).fit(*pairs)  # the copy logs again, to the same file
    assert len(log.read_text().splitlines()) == 3


# ------------------------------------------------------------ third review
def test_partial_fit_checks_the_uncertainty_as_fit_does(pairs):
    with pytest.raises(ValueError, match="dropout"):
        _unet(dropout=0, uncertainty="mc_dropout").partial_fit(*pairs)
    with pytest.raises(ValueError, match="VAEDenoiser"):
        _unet(uncertainty="sampling").partial_fit(*pairs)
    with pytest.raises(ValueError, match="blind_spot"):
        _unet(dropout=0.1, uncertainty="mc_dropout", training="blind_spot").fit(
            pairs[0]
        )


def test_partial_fit_after_an_ensemble_drops_the_members_it_no_longer_trains(pairs):
    model = _shallow(epochs=1, uncertainty="ensemble", n_members=2).fit(*pairs)
    assert len(model.ensemble_members_) == 1
    model.set_params(uncertainty=None).partial_fit(*pairs)
    assert not hasattr(model, "ensemble_members_")
    one = model.model_
    from skdenoise.neural._base import predict_batch

    # transform is the trained network's alone (through the gate).
    out = model._network_outputs(pairs[0][:, :, None], lambda b: predict_batch(one, b))
    np.testing.assert_allclose(model._network_outputs(pairs[0][:, :, None]), out)


def test_a_small_fine_tuning_set_keeps_the_fitted_gate(pairs):
    model = _unet(validation_split=0.25).fit(*pairs)
    assert model.gate_snr_ is not None
    before = (model.gate_snr_.copy(), model.gate_scale_.copy())
    # Eight series fit trained on (those it held out are not among them):
    # none to hold out, so no gate to fit. (Two of them were held out afresh,
    # and the gate was calibrated on series trained on.)
    with pytest.warns(UserWarning, match="earlier calls trained on every series"):
        model.partial_fit(pairs[0][:8], pairs[1][:8])
    np.testing.assert_array_equal(model.gate_snr_, before[0])
    np.testing.assert_array_equal(model.gate_scale_, before[1])
    # Sixteen, two of them held out by fit: too few to fit a gate on.
    with pytest.warns(UserWarning, match="only 2 .*The no-harm gate fitted before"):
        model.partial_fit(pairs[0][:16], pairs[1][:16])
    np.testing.assert_array_equal(model.gate_snr_, before[0])
    # A refit with too few series has no gate: an earlier fit's is not kept.
    refit = model.fit(pairs[0][:8], pairs[1][:8])
    assert refit.gate_snr_ is None


def test_partial_fit_without_validation_keeps_every_calibration_alike(pairs):
    import warnings

    from skdenoise.neural import _uncertainty

    noisy, clean = pairs
    model = _unet(
        validation_split=0.25,
        dropout=0.2,
        uncertainty="mc_dropout",
        uncertainty_samples=4,
        n_passes=2,
    ).fit(noisy, clean)
    names = ("gate_snr_", "gate_scale_", "std_weights_", "std_levels_")
    before = {name: getattr(model, name).copy() for name in names}
    pass_gate = [a.copy() for a in model.pass_gates_[0]]
    assert pass_gate[0] is not None and _uncertainty.is_calibrated(model)
    # Without validation series the gates and the std calibration, all fitted
    # on the network before this epoch, are kept alike, with one warning.
    model.set_params(validation_split=0.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.partial_fit(noisy, clean)
    messages = [str(w.message) for w in caught if w.category is UserWarning]
    assert len(messages) == 1
    assert "it had none with clean targets (validation_split=0" in messages[0]
    assert (
        "The no-harm gate, the gates of the later denoising passes and the "
        "calibration of predict's standard deviation fitted before this call are "
        "kept" in messages[0]
    )
    for name in names:
        np.testing.assert_array_equal(getattr(model, name), before[name])
    assert model.n_passes_ == 2
    for kept, fitted in zip(model.pass_gates_[0], pass_gate, strict=True):
        np.testing.assert_array_equal(kept, fitted)
    _, std = model.predict(noisy[:4], return_std=True)
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    # With validation series, everything is fitted again on the new network.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.partial_fit(noisy, clean, validation_data=(noisy[:20], clean[:20]))
    assert not np.array_equal(model.std_weights_, before["std_weights_"]) or not (
        np.array_equal(model.std_levels_, before["std_levels_"])
    )
    assert not np.array_equal(model.gate_scale_, before["gate_scale_"]) or not (
        np.array_equal(model.gate_snr_, before["gate_snr_"])
    )


def test_validation_series_alone_are_read_in_the_units_of_y(pairs):
    from skdenoise.noise import WhiteNoise

    noisy, clean = pairs
    settings = dict(
        dropout=0.1,
        uncertainty="mc_dropout",
        uncertainty_samples=4,
        noise=WhiteNoise(snr=(0.0, 12.0)),
        gate=None,
    )
    same = _unet(**settings).fit(noisy[:60], clean[:60], validation_data=clean[60:])
    # X in units 1000 times y's: the clean validation series stay in y's units.
    other = _unet(**settings).fit(
        1000 * noisy[:60], clean[:60], validation_data=clean[60:]
    )
    _, std_same = same.predict(noisy[60:], return_std=True)
    _, std_other = other.predict(1000 * noisy[60:], return_std=True)
    ratio = np.median(std_other / std_same)
    assert 0.8 < ratio < 1.25, ratio


def test_random_state_follows_scikit_learn(pairs):
    import random

    noisy, clean = pairs
    # None: NumPy's global generator, so np.random.seed makes a script repeatable.
    outputs = []
    for _ in range(2):
        np.random.seed(5)
        outputs.append(_shallow(random_state=None).fit(noisy, clean).transform(noisy))
    np.testing.assert_array_equal(*outputs)
    # Python's random is left alone either way.
    state = random.getstate()
    _shallow(random_state=None).fit(noisy, clean)
    assert random.getstate() == state
    # A RandomState is consumed: fitting again with it gives another result.
    rs = np.random.RandomState(3)
    model = _shallow(random_state=rs)
    first = model.fit(noisy, clean).transform(noisy)
    second = model.fit(noisy, clean).transform(noisy)
    assert not np.array_equal(first, second)
    # The same fresh generator gives the same result.
    again = _shallow(random_state=np.random.RandomState(3)).fit(noisy, clean)
    np.testing.assert_array_equal(again.transform(noisy), first)


def test_validation_data_is_routed_under_metadata_routing(pairs):
    import sklearn
    from sklearn.model_selection import GridSearchCV

    from skdenoise.metrics import snr_scorer

    noisy, clean = pairs
    with sklearn.config_context(enable_metadata_routing=True):
        model = _unet(epochs=1).set_fit_request(validation_data=True)
        search = GridSearchCV(model, {"kernel_size": [3]}, cv=2, scoring=snr_scorer)
        search.fit(noisy[:60], clean[:60], validation_data=(noisy[60:], clean[60:]))
    assert search.best_estimator_.gate_snr_ is not None


class _Recorder:
    """Records what the inner UNetDenoiser.fit of a WindowedDenoiser gets."""

    def __init__(self, monkeypatch):
        from skdenoise import UNetDenoiser

        self.calls = []
        original = UNetDenoiser.fit

        def fit(est, X, y=None, **kwargs):
            self.calls.append((X, y, kwargs.get("validation_data")))
            return original(est, X, y, **kwargs)

        monkeypatch.setattr(UNetDenoiser, "fit", fit)


def test_windowed_validation_holds_out_whole_series(pairs, monkeypatch):
    from skdenoise.windowing import WindowedDenoiser

    recorder = _Recorder(monkeypatch)
    noisy, clean = pairs
    model = WindowedDenoiser(_unet(epochs=1, validation_split=0.25), window_length=32)
    model.fit(noisy[:8], clean[:8])
    X_train, y_train, (X_val, y_val) = recorder.calls[-1]
    per_series = model.windows_per_series(64)
    assert X_train.shape[0] == 6 * per_series == model.n_windows_fit_
    assert X_val.shape[0] == 2 * per_series
    # The held-out windows are those of two whole series.
    held = {i for i in range(8) for w in X_val if np.isin(w, noisy[i]).all()}
    trained = {i for i in range(8) for w in X_train if np.isin(w, noisy[i]).all()}
    assert len(held) == 2 and not held & trained


def test_windowed_validation_holds_out_the_end_of_a_single_series(monkeypatch):
    from skdenoise.windowing import WindowedDenoiser

    recorder = _Recorder(monkeypatch)
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 60, 640))[None]
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    model = WindowedDenoiser(_unet(epochs=1, validation_split=0.25), window_length=64)
    model.fit(noisy, clean)
    X_train, _, (X_val, _) = recorder.calls[-1]
    # The last 160 samples (a quarter) are held out, the first 480 trained on.
    assert X_train.shape[0] == model.windows_per_series(480)
    assert X_val.shape[0] == model.windows_per_series(160)
    assert np.isin(X_train, noisy[0, :480]).all()
    assert np.isin(X_val, noisy[0, 480:]).all()


def test_windowed_validation_warns_when_nothing_can_be_held_apart(monkeypatch):
    import warnings

    from skdenoise.windowing import WindowedDenoiser

    recorder = _Recorder(monkeypatch)
    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 20, 96))[None]
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    model = WindowedDenoiser(_unet(epochs=1, validation_split=0.25), window_length=64)
    # One series of 96 samples: no whole series, and no end after a window.
    with pytest.warns(UserWarning, match="overlap the training windows") as record:
        model.fit(noisy, clean)
    # The warning points at the caller's fit.
    assert [w.filename for w in record if "overlap" in str(w.message)] == [__file__]
    # Also through fit_transform, which scikit-learn runs on the caller's behalf.
    with pytest.warns(UserWarning, match="overlap the training windows") as record:
        model.fit_transform(noisy, clean)
    assert [w.filename for w in record if "overlap" in str(w.message)] == [__file__]
    X_train, _, validation = recorder.calls[-1]
    assert validation is None and X_train.shape[0] == model.windows_per_series(96)
    # Series of one window each: random windows are whole series, no warning.
    one = WindowedDenoiser(_unet(epochs=1, validation_split=0.25), window_length=96)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*overlap the training")
        one.fit(noisy, clean)
    # A series long enough for its end to be held out: no warning.
    long_clean = np.sin(np.linspace(0, 60, 640))[None]
    long_noisy = long_clean + 0.2 * rng.standard_normal(long_clean.shape)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*overlap the training")
        model.fit(long_noisy, long_clean)


def test_windowed_pipeline_ending_in_a_network_warns_of_overlapping_windows():
    # validation_data cannot go through a Pipeline's first steps, so its final
    # network held out random windows overlapping its training windows, in
    # silence, where a bare network gets whole series held out.
    import warnings

    from sklearn.pipeline import make_pipeline

    from skdenoise.baselines import MedianDenoiser
    from skdenoise.windowing import WindowedDenoiser

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 60, 8 * 128)).reshape(8, 128)
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    pipe = make_pipeline(MedianDenoiser(window_length=3), _unet(epochs=1))
    model = WindowedDenoiser(pipe, window_length=64)
    with pytest.warns(UserWarning, match="unetdenoiser__validation_split=0") as record:
        model.fit(noisy, clean)
    assert [w.filename for w in record if "overlap" in str(w.message)] == [__file__]
    # A pipeline ending in a pipeline: the parameter's full name.
    nested = make_pipeline(MedianDenoiser(window_length=3), pipe)
    with pytest.warns(UserWarning, match="pipeline__unetdenoiser__validation_split"):
        WindowedDenoiser(nested, window_length=64).fit(noisy, clean)
    nested.set_params(pipeline__unetdenoiser__validation_split=0.0)  # it exists
    pipe.set_params(unetdenoiser__validation_split=0.1)
    quiet = [
        WindowedDenoiser(pipe.set_params(unetdenoiser__validation_split=0.0), 64),
        WindowedDenoiser(  # one window per series: random windows are series
            make_pipeline(MedianDenoiser(window_length=3), _unet(epochs=1)), 128
        ),
        WindowedDenoiser(_unet(epochs=1), window_length=64),  # series held out
    ]
    for quiet_model in quiet:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*overlap its training")
            warnings.filterwarnings("error", message=".*overlap the training")
            quiet_model.fit(noisy, clean)


def test_windowed_denoiser_takes_validation_series_of_any_length(pairs, monkeypatch):
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.windowing import WindowedDenoiser

    recorder = _Recorder(monkeypatch)
    noisy, clean = pairs
    long_noisy, long_clean = noisy[:4].reshape(1, -1), clean[:4].reshape(1, -1)
    model = WindowedDenoiser(_unet(epochs=1), window_length=32)
    model.fit(noisy[4:], clean[4:], validation_data=(long_noisy, long_clean))
    X_train, _, (X_val, y_val) = recorder.calls[-1]
    assert X_train.shape[0] == 76 * model.windows_per_series(64)
    assert X_val.shape[0] == model.windows_per_series(256)
    with pytest.raises(TypeError, match="takes none"):
        WindowedDenoiser(MedianDenoiser(), window_length=32).fit(
            noisy, clean, validation_data=(noisy, clean)
        )
    with pytest.raises(ValueError, match="y_val must be the clean series"):
        model.fit(noisy, clean, validation_data=(noisy, clean[:, :32]))
    # The shapes as given: it printed their first two numbers, the same here.
    channels = np.stack([noisy[:6], noisy[:6]], axis=-1)
    with pytest.raises(ValueError, match=r"X_val \(6, 64, 2\); got \(6, 64, 1\)"):
        model.fit(channels, channels, validation_data=(channels, channels[..., :1]))


@pytest.mark.parametrize(
    "params, named",
    [
        ({"random_state": -1}, "random_state"),
        ({"random_state": 1.5}, "random_state"),
        ({"validation_split": "a"}, "validation_split"),
    ],
)
def test_windowed_network_parameters_are_checked_before_use(pairs, params, named):
    # The wrapper drew the held-out series with the network's random_state
    # and validation_split before the network checked them: NumPy's
    # "expected non-negative integer", naming neither.
    from sklearn.utils._param_validation import InvalidParameterError

    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = pairs
    model = WindowedDenoiser(_unet(epochs=1, **params), window_length=32)
    with pytest.raises(InvalidParameterError, match=f"'{named}' parameter of UNet"):
        model.fit(noisy, clean)


def test_resampled_denoiser_passes_validation_series_on_resampled(pairs, monkeypatch):
    # ResampledDenoiser.fit refused validation_data: the pretrained model (a
    # ResampledDenoiser) could not be refitted with records held apart.
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.windowing import ResampledDenoiser, WindowedDenoiser

    recorder = _Recorder(monkeypatch)
    noisy, clean = pairs
    rates = {"sampling_rate": 180.0, "estimator_sampling_rate": 360.0}
    model = ResampledDenoiser(_unet(epochs=1), **rates)
    model.fit(noisy[:8], clean[:8], validation_data=(noisy[8:12], clean[8:12]))
    X_train, _, (X_val, y_val) = recorder.calls[-1]
    assert X_train.shape == (8, 128) and X_val.shape == y_val.shape == (4, 128)
    np.testing.assert_allclose(X_val, model._to_model(noisy[8:12, :, None]))
    np.testing.assert_allclose(y_val, model._to_model(clean[8:12, :, None]))
    # Clean series alone (the network adds its noise to them), and a
    # windowed network, which takes validation series of any length.
    from skdenoise.noise import WhiteNoise

    model.set_params(estimator__noise=WhiteNoise(snr=5.0)).fit(
        clean[:8], validation_data=clean[8:12]
    )
    assert recorder.calls[-1][2].shape == (4, 128)
    model.set_params(estimator__noise=None)
    windowed = ResampledDenoiser(
        WindowedDenoiser(_unet(epochs=1), window_length=32), **rates
    )
    windowed.fit(noisy[:8], clean[:8], validation_data=(noisy[8:10], clean[8:10]))
    assert recorder.calls[-1][2][0].shape[1] == 32
    with pytest.raises(ValueError, match="series of 32 timesteps; its estimator"):
        model.fit(noisy[:8], clean[:8], validation_data=noisy[8:12, :32])
    with pytest.raises(ValueError, match=r"X_val \(4, 64\); got \(4, 32\)"):
        model.fit(noisy[:8], clean[:8], validation_data=(noisy[8:12], clean[8:12, :32]))
    with pytest.raises(TypeError, match="MedianDenoiser takes none"):
        ResampledDenoiser(MedianDenoiser(), **rates).fit(
            noisy, clean, validation_data=noisy
        )
    # The estimator that takes none named when it is inside a wrapper.
    wrapped = WindowedDenoiser(MedianDenoiser(), window_length=32)
    with pytest.raises(TypeError, match=r"WindowedDenoiser \(its MedianDenoiser\)"):
        ResampledDenoiser(wrapped, **rates).fit(noisy, clean, validation_data=noisy)
    # A list [X_val, y_val] was read as two series of 64 channels, silently.
    with pytest.raises(ValueError, match=r"list of two 2-D.*tuple \(X_val, y_val\)"):
        windowed.fit(noisy[:8], clean[:8], validation_data=[noisy[8:12], clean[8:12]])
    # Two recordings of X's leads as a list are series, as X may be.
    leads = [np.stack([noisy[i], clean[i]], axis=-1) for i in (8, 9)]
    windowed.fit(np.stack(leads * 2), validation_data=leads)
    assert recorder.calls[-1][2].shape[1] == 32
    # A bad rate is said as such, not of the validation series.
    with pytest.raises(ValueError, match="^ResampledDenoiser got sampling_rate=180"):
        clone(windowed).set_params(min_sampling_rate=200.0).fit(
            noisy[:8], clean[:8], validation_data=(noisy[8:10], clean[8:10])
        )
    # Validation series too short for min_duration are named as such.
    short = ResampledDenoiser(windowed.estimator, min_duration=0.3, **rates)
    with pytest.raises(ValueError, match=r"^validation_data of ResampledDenoiser"):
        short.fit(noisy[:8], clean[:8], validation_data=(noisy[8:12, :40],) * 2)
    # A column of validation series: n series of one sample, refused as X is
    # (both wrappers took them, each padded into a constant window).
    column = (noisy[8:12, :1], clean[8:12, :1])
    for wrapper in (windowed, windowed.estimator):
        with pytest.raises(ValueError, match="X_val .* read as series of 1 timestep"):
            wrapper.fit(noisy[:8], clean[:8], validation_data=column)
    # A refit at a new estimator_sampling_rate is this fit's rate (refused as
    # "fitted at 360 Hz" when validation series were given).
    windowed.set_params(estimator_sampling_rate=240.0)
    windowed.fit(noisy[:8], clean[:8], validation_data=(noisy[8:10], clean[8:10]))
    assert windowed.estimator_sampling_rate_ == 240.0
    with pytest.raises(
        TypeError, match=r"unexpected keyword argument\(s\) \['epochs'\]"
    ):
        model.fit(noisy[:8], clean[:8], epochs=3)


def test_a_network_that_predicted_is_freed_with_its_estimator(pairs):
    # The registry of networks traced for any batch size held each network's
    # predict function, which refers to the network: none was ever freed
    # (44 MB a fit of the default U-Net).
    import gc
    import weakref

    X, y = pairs
    model = _unet(epochs=3, batch_size=8).fit(X, y)  # long enough for a graph
    assert not model.model_.run_eagerly
    model.transform(X)
    network = weakref.ref(model.model_)
    del model
    gc.collect()
    assert network() is None


# ------------------------------------------- precision and Keras' global config
def test_a_mixed_precision_network_rebuilt_in_float32(pairs):
    # What the pretrained loader does: the same weights in float32 layers, a
    # short fit's eager mode kept, and no rebuild from parameters changed
    # since the fit (it built another network: no residual, 98 % off).
    X, y = pairs[0][:16], pairs[1][:16]
    model = _unet(precision="mixed_bfloat16", epochs=1).fit(X, y)
    before = model.transform(X)
    weights = model.model_.get_weights()
    eager = model.model_.run_eagerly
    model.set_params(residual=False)
    with pytest.raises(ValueError, match=r"residual=True -> False"):
        model._compute_in("float32")
    assert model.precision == "mixed_bfloat16"
    model.set_params(residual=True)._compute_in("float32")
    assert model.precision == "float32" and model._built_precision() == "float32"
    assert model.model_.run_eagerly == eager
    assert {layer.dtype_policy.name for layer in model.model_.layers} == {"float32"}
    for mine, theirs in zip(model.model_.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_allclose(model.transform(X), before, atol=2e-2 * np.ptp(y))


def test_vae_trains_in_mixed_precision_and_under_a_float64_floatx(pairs):
    import keras

    from skdenoise import VAEDenoiser

    X, y = pairs[0][:8], pairs[1][:8]
    settings = {"filters": 2, "depth": 1, "kernel_size": 3, "latent_dim": 2}
    settings.update(epochs=1, random_state=0)
    # The sampling noise used to be in float32 beside bfloat16 codes (a
    # TensorFlow error), and the KL term in float32 beside float64 losses.
    out = VAEDenoiser(precision="mixed_bfloat16", **settings).fit(X, y).transform(X)
    assert np.all(np.isfinite(out))
    reference = VAEDenoiser(**settings).fit(X, y).transform(X)
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        out = VAEDenoiser(**settings).fit(X, y).transform(X)
    finally:
        keras.config.set_floatx(floatx)
    np.testing.assert_allclose(out, reference, atol=1e-3)


def test_a_16_bit_floatx_of_the_users_changes_no_float32_training(pairs, tmp_path):
    # keras.config.set_floatx("float16") made the compiled loss and the loss
    # trackers of Model.fit float16: losses came out infinite and early
    # stopping ended the fit after `patience` epochs, without a word.
    import keras

    from skdenoise.persistence import load, save

    X, y = 300 * pairs[0][:48], 300 * pairs[1][:48]
    settings = {"epochs": 3, "patience": 2, "normalize": False}
    settings.update(learning_rate=1e-2, batch_size=16)
    reference = _shallow(**settings).fit(X, y)
    floatx = keras.config.floatx()
    for user in ("float16", "bfloat16"):
        keras.config.set_floatx(user)
        try:
            model = _shallow(**settings).fit(X, y)
            assert keras.config.floatx() == user
            save(model, tmp_path / "m.skdenoise")
            loaded = load(tmp_path / "m.skdenoise").partial_fit(X, y)
            assert keras.config.floatx() == user
        finally:
            keras.config.set_floatx(floatx)
        assert model.history_ == reference.history_
        np.testing.assert_array_equal(model.transform(X), reference.transform(X))
        assert np.all(np.isfinite(loaded.history_["loss"]))


def test_the_global_dtype_policy_changes_neither_loss_scaling_nor_the_std(pairs):
    import keras

    from skdenoise import KerasDenoiser
    from skdenoise.neural._keras import _tiny_test_network

    X, y = pairs[0][:16], pairs[1][:16]
    mc = _unet(epochs=1, dropout=0.2, uncertainty="mc_dropout", uncertainty_samples=2)
    mc.fit(X, y)
    std = mc.predict(X, return_std=True)[1]
    own = {"model": _tiny_test_network, "epochs": 1, "random_state": 0}
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        # The dropout layers of the MC clone took the global policy.
        np.testing.assert_array_equal(mc.predict(X, return_std=True)[1], std)
        plain = KerasDenoiser(**own).fit(X, y)
    finally:
        keras.config.set_dtype_policy(policy)
    assert type(plain.model_.optimizer).__name__ != "LossScaleOptimizer"
    # A network with a 16-bit output got its float32 output layer in an outer
    # model built under the global policy: mixed_float16 had no loss scaling.
    half = KerasDenoiser(precision="mixed_float16", **own).fit(X, y)
    assert type(half.model_.optimizer).__name__ == "LossScaleOptimizer"


def test_a_channels_first_keras_setting_leaves_the_networks_alone(pairs):
    # A user's keras.config.set_image_data_format("channels_first") (or
    # keras.json) made every new convolutional network fail inside Keras.
    import keras

    import skdenoise

    X, y = pairs[0][:24], pairs[1][:24]
    names = [
        "UNetDenoiser",
        "ConvAutoencoderDenoiser",
        "CNNLSTMDenoiser",
        "VAEDenoiser",
    ]
    names += ["FCNDAEDenoiser", "DeepFilterDenoiser", "WaveletUNetDenoiser"]
    reference = {}
    for name in names:
        cls = getattr(skdenoise, name)
        model = cls(**{**cls._get_test_params(), "epochs": 1, "random_state": 0})
        reference[name] = model.fit(X, y).transform(X)
    before = keras.config.image_data_format()
    keras.config.set_image_data_format("channels_first")
    try:
        for name in names:
            cls = getattr(skdenoise, name)
            model = cls(**{**cls._get_test_params(), "epochs": 1, "random_state": 0})
            out = model.fit(X, y).transform(X)
            np.testing.assert_array_equal(out, reference[name], err_msg=name)
    finally:
        keras.config.set_image_data_format(before)


def test_fit_names_an_unexpected_keyword_argument(pairs):
    model = _unet(epochs=1)
    with pytest.raises(TypeError, match=r"UNetDenoiser.fit got unexpected .*weight"):
        model.fit(*pairs, sample_weight=np.ones(len(pairs[0])))
    from skdenoise.windowing import WindowedDenoiser

    windowed = WindowedDenoiser(_unet(epochs=1), window_length=32)
    with pytest.raises(TypeError, match=r"WindowedDenoiser.fit got unexpected"):
        windowed.fit(*pairs, sample_weight=np.ones(len(pairs[0])))


def test_keras_denoiser_given_a_network_instead_of_its_builder(pairs):
    from skdenoise.neural import KerasDenoiser

    network = _any_length(64, 1)
    with pytest.raises(ValueError, match="function that builds the network"):
        KerasDenoiser(model=network, epochs=1).fit(*pairs)


def test_training_warnings_point_at_the_callers_line(pairs):
    import warnings

    from skdenoise.exceptions import TargetIgnoredWarning

    noisy, clean = pairs[0][:16], pairs[1][:16]
    calls = {
        "fit_transform": lambda: _unet(epochs=1).fit_transform(noisy, clean),
        # A partial_fit with too few validation series to fit the gate again
        # keeps the gate fitted before, with a warning.
        "partial_fit": lambda: (
            _unet(epochs=1)
            .partial_fit(noisy, clean, validation_data=(noisy, clean))
            .partial_fit(noisy, clean)
        ),
        "blind-spot fit": lambda: _unet(epochs=1, training="blind_spot").fit(
            noisy, clean
        ),
        "n_passes": lambda: _unet(epochs=1, n_passes="auto", validation_split=0).fit(
            noisy, clean
        ),
    }
    for name, call in calls.items():
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            call()
        ours = [
            w
            for w in record
            if issubclass(w.category, TargetIgnoredWarning)
            or "UNetDenoiser" in str(w.message)
        ]
        assert ours, name
        assert {w.filename for w in ours} == {__file__}, name


def test_a_one_dimensional_y_val_is_one_clear_error(pairs):
    noisy, clean = pairs
    model = _unet(epochs=1)
    # It warned that y was ignored, then failed with "y_val must be the clean
    # series" (or named y and fit for a length other than X_val's series).
    for y_val in (clean[60], clean[60:, 0], clean[60:62, 0]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match=r"^y_val for UNetDenoiser must be"):
                model.fit(noisy[:60], clean[:60], validation_data=(noisy[60:], y_val))
    with pytest.raises(ValueError, match=r"y_val.reshape\(1, -1\)"):
        model.fit(noisy[:60], clean[:60], validation_data=(noisy[60:61], clean[60]))
    # A 1-D X_val is refused as a 1-D X is, under its own name.
    with pytest.raises(ValueError, match="1D array instead: X_val for UNetDenoiser"):
        model.fit(noisy[:60], clean[:60], validation_data=(noisy[60], clean[60]))
    with pytest.raises(ValueError, match="y_val for UNetDenoiser must have the same"):
        model.fit(noisy[:60], clean[:60], validation_data=(noisy[60:], clean[60:, :32]))
    assert not hasattr(model, "model_")


# ------------------------------------------------------- partial_fit's checks
@pytest.mark.parametrize(
    "bad, match",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"noise": "white"}, "noise"),
        ({"n_passes": 0}, "n_passes"),
        ({"gate": "foo"}, "gate"),
        ({"loss": "bogus"}, "loss"),
    ],
)
def test_every_partial_fit_checks_the_parameters(pairs, bad, match):
    from sklearn.utils._param_validation import InvalidParameterError

    model = _unet(epochs=1).partial_fit(*pairs)
    weights = [w.copy() for w in model.model_.get_weights()]
    with pytest.raises(InvalidParameterError, match=match):
        model.set_params(**bad).partial_fit(*pairs)
    # Refused before anything trained.
    for before, after in zip(weights, model.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    "change", [{"filters": 8}, {"weight_decay": 0.01}, {"loss": "mae"}]
)
def test_partial_fit_refuses_parameters_of_the_built_network_changed(pairs, change):
    model = _shallow(epochs=1).partial_fit(*pairs)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"partial_fit.*{name}=.*fit to build"):
        model.set_params(**change).partial_fit(*pairs)
    assert model.n_epochs_ == 1
    # Set back, training goes on; parameters of the training may change.
    model.set_params(**{name: _shallow().get_params()[name]})
    model.set_params(batch_size=4, epochs=3, verbose=0).partial_fit(*pairs)
    assert model.n_epochs_ == 2
    # fit starts anew with the new value, and later calls keep to it.
    model.set_params(**change).fit(*pairs)
    model.partial_fit(*pairs)


def test_windowed_and_resampled_partial_fit_check_the_parameters_every_call(pairs):
    from sklearn.utils._param_validation import InvalidParameterError

    from skdenoise.pipeline import ResampledDenoiser, WindowedDenoiser

    noisy, clean = pairs
    windowed = WindowedDenoiser(_unet(epochs=1), window_length=32).partial_fit(
        noisy, clean
    )
    with pytest.raises(InvalidParameterError, match="chunk_windows"):
        windowed.set_params(chunk_windows=-1).partial_fit(noisy, clean)
    resampled = ResampledDenoiser(
        _unet(epochs=1), sampling_rate=100, estimator_sampling_rate=100
    ).partial_fit(noisy, clean)
    with pytest.raises(InvalidParameterError, match="sampling_rate"):
        resampled.set_params(sampling_rate=-1.0).partial_fit(noisy, clean)


def test_later_partial_fit_refuses_y_in_other_units(pairs):
    noisy, clean = pairs
    model = _shallow(epochs=1).partial_fit(noisy, clean)
    with pytest.raises(ValueError, match=r"partial_fit: y is not in the units"):
        model.partial_fit(noisy, 1000 * clean)
    assert model.n_epochs_ == 1
    # The same units go on; so do other units the first call learned.
    model.partial_fit(noisy, clean)
    scaled = _shallow(epochs=1).partial_fit(noisy, 1000 * clean)
    scaled.partial_fit(noisy, 1000 * clean)
    with pytest.raises(ValueError, match="about 1 times X"):
        scaled.partial_fit(noisy, clean)


@pytest.mark.parametrize("name", ["LSTMDenoiser", "GRUDenoiser"])
def test_an_unknown_activation_is_named_before_keras_sees_it(pairs, name):
    import skdenoise

    estimator = getattr(skdenoise, name)(units=2, epochs=1, activation="bogus")
    with pytest.raises(ValueError, match=r"'activation' parameter .*'bogus'"):
        estimator.fit(*pairs)
    assert not hasattr(estimator, "model_")


def test_partial_fit_gives_the_optimizer_a_new_learning_rate(pairs):
    model = _unet(epochs=1, learning_rate=1e-3).partial_fit(*pairs)
    model.set_params(learning_rate=1e-5).partial_fit(*pairs)
    assert float(model.model_.optimizer.learning_rate) == pytest.approx(1e-5)
    assert model.n_epochs_ == 2


def test_a_loaded_denoiser_records_its_built_parameters_when_loaded(pairs):
    import pickle

    model = _shallow(epochs=1).partial_fit(*pairs)
    state = pickle.loads(pickle.dumps(model)).__getstate__()
    del state["_built_params_"]  # saved before they were recorded
    old = type(model).__new__(type(model))
    old.__setstate__(state)
    old.partial_fit(*pairs)  # its parameters are those it was saved with
    with pytest.raises(ValueError, match="filters=4 -> 8"):
        old.set_params(filters=8).partial_fit(*pairs)


def test_partial_fit_with_other_channels_names_them(pairs):
    noisy, clean = pairs
    model = _unet(epochs=1).partial_fit(noisy, clean)
    stacked = np.stack([noisy, noisy], -1), np.stack([clean, clean], -1)
    with pytest.raises(ValueError, match="2 channel"):
        model.partial_fit(*stacked)


def test_partial_fit_accepts_same_units_pairs_with_strong_baseline_wander():
    from skdenoise import pretrained
    from skdenoise.datasets import make_ecg
    from skdenoise.noise import BaselineWander

    clean = make_ecg(4, 2000, sampling_rate=500, random_state=0)
    noisy = BaselineWander(snr=-6).apply(clean, random_state=3)
    denoiser = pretrained.load("ecg", sampling_rate=500)
    denoiser.set_params(estimator__estimator__verbose=0)
    denoiser.partial_fit(noisy, clean)
    with pytest.raises(ValueError, match="not in the units"):
        denoiser.partial_fit(noisy, 1000 * clean)


def test_the_pretrained_network_refuses_a_changed_loss_but_takes_a_learning_rate():
    from skdenoise import pretrained
    from skdenoise.datasets import make_ecg
    from skdenoise.noise import WhiteNoise

    clean = make_ecg(2, 1500, sampling_rate=360, random_state=0)
    noisy = WhiteNoise(snr=6).apply(clean, random_state=1)
    denoiser = pretrained.load("ecg", sampling_rate=360)
    network = denoiser.estimator_.estimator_
    loss = network.loss
    with pytest.raises(ValueError, match=f"loss={loss!r} -> 'mae'"):
        network.set_params(loss="mae")
        denoiser.partial_fit(noisy, clean)
    network.set_params(loss=loss, learning_rate=1e-5)
    denoiser.partial_fit(noisy, clean)
    assert float(network.model_.optimizer.learning_rate) == pytest.approx(1e-5)


def test_partial_fit_with_dropout_is_reproducible_after_pickle_and_load(
    pairs, tmp_path
):
    # A loaded network's dropout layers get new seed generators (their states
    # are not saved); partial_fit sets them from random_state and the epochs.
    import pickle

    from skdenoise import persistence

    noisy, clean = pairs
    fitted = _shallow(dropout=0.3, epochs=1, validation_split=0.25).fit(noisy, clean)
    blob = pickle.dumps(fitted)
    persistence.save(fitted, tmp_path / "m.skdenoise")
    copies = [
        pickle.loads(blob),
        pickle.loads(blob),
        persistence.load(tmp_path / "m.skdenoise"),
        fitted,
    ]
    outputs = [copy.partial_fit(noisy, clean).transform(noisy) for copy in copies]
    for output in outputs[1:]:
        np.testing.assert_array_equal(output, outputs[0])


def test_loading_and_mc_dropout_leave_pythons_random_alone(pairs, tmp_path):
    import pickle
    import random

    from skdenoise import persistence

    noisy, clean = pairs
    state = random.getstate()
    fitted = _unet(dropout=0.2, uncertainty="mc_dropout", epochs=1).fit(noisy, clean)
    assert random.getstate() == state
    pickle.loads(pickle.dumps(fitted))
    assert random.getstate() == state
    persistence.save(fitted, tmp_path / "m.skdenoise")
    persistence.load(tmp_path / "m.skdenoise")
    assert random.getstate() == state


def test_recurrent_networks_never_train_eagerly(pairs):
    # Recurrent layers step through time in Python when eager: slow.
    from skdenoise import DRNNDenoiser, UNetDenoiser

    noisy, clean = pairs
    drnn = DRNNDenoiser(units=4, dense_units=(4,), epochs=1, random_state=0)
    assert not drnn.fit(noisy[:16], clean[:16]).model_.run_eagerly
    unet = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
    assert unet.fit(noisy[:16], clean[:16]).model_.run_eagerly  # a short fit


@pytest.mark.parametrize(
    "params, name",
    [
        ({"uncertainty_samples": 0}, "uncertainty_samples"),
        ({"average_flips": "no"}, "average_flips"),
        ({"uncertainty": "bogus"}, "uncertainty"),
    ],
)
def test_transform_and_predict_check_what_they_read(pairs, params, name):
    from sklearn.utils._param_validation import InvalidParameterError

    noisy, clean = pairs
    model = _unet(dropout=0.2, uncertainty="mc_dropout", uncertainty_samples=2)
    model.fit(noisy[:24], clean[:24]).set_params(**params)
    for call in (model.transform, lambda X: model.predict(X, return_std=True)):
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            call(noisy[:4])


def test_transformer_tags_declare_float32_kept():
    from sklearn.utils import get_tags

    from skdenoise import UNetDenoiser
    from skdenoise.classical import MedianDenoiser
    from skdenoise.windowing import ResampledDenoiser, WindowedDenoiser

    for estimator in (
        UNetDenoiser(),
        MedianDenoiser(),
        WindowedDenoiser(MedianDenoiser(), window_length=8),
        ResampledDenoiser(MedianDenoiser(), estimator_sampling_rate=360.0),
    ):
        tags = get_tags(estimator)
        assert tags.transformer_tags.preserves_dtype == ["float64", "float32"]
        assert tags.input_tags.three_d_array


def _ops_halving_builder(n_timesteps, n_channels, join="add"):
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    x = keras.layers.Conv1D(4, 3, padding="same")(inputs)
    up = keras.layers.UpSampling1D(2)(keras.layers.MaxPooling1D(2)(x))
    joined = up + x if join == "add" else keras.ops.concatenate([up, x], axis=-1)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(joined))


def _random_seeded_builder(n_timesteps, n_channels):
    import random

    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(4, 3, padding="same")(inputs)
    hidden = keras.layers.Dropout(0.2, seed=random.randint(0, 10**6))(hidden)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(hidden))


def test_a_builder_that_draws_from_random_is_seeded_and_leaves_it_alone(pairs):
    import random

    from skdenoise import KerasDenoiser

    noisy, clean = pairs

    def fit():
        model = KerasDenoiser(_random_seeded_builder, epochs=1, random_state=0)
        return model.fit(noisy[:16], clean[:16]).transform(noisy[:4])

    random.seed(1)
    first = fit()
    after = random.random()
    random.seed(2)
    np.testing.assert_array_equal(fit(), first)
    random.seed(1)
    assert random.random() == after


def _halving_builder(n_timesteps, n_channels):
    # A user's network with a skip connection around a halving: Keras fails
    # while building it on an odd length.
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    down = keras.layers.MaxPooling1D(2)(inputs)
    up = keras.layers.UpSampling1D(2)(down)
    merged = keras.layers.Concatenate()([inputs, up])
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(merged))


def test_keras_denoiser_names_length_multiple_when_the_builder_fails(pairs):
    from skdenoise import KerasDenoiser
    from skdenoise.neural.networks import build_unet

    noisy, clean = pairs
    denoiser = KerasDenoiser(_halving_builder, epochs=1)
    with pytest.raises(ValueError, match="set length_multiple to that factor"):
        denoiser.fit(noisy[:8, :61], clean[:8, :61])

    # A builder's own error that names a shape is passed on with the call
    # that raised it, not put down to length_multiple (it was).
    def odd_kernel(n_timesteps, n_channels):
        raise ValueError("kernel shape must be odd")

    with pytest.raises(ValueError, match="kernel shape must be odd$") as info:
        KerasDenoiser(odd_kernel, epochs=1).fit(noisy[:8], clean[:8])
    assert "length_multiple" not in str(info.value)
    assert "model raised ValueError while building the network" in str(info.value)
    assert str(info.value.__cause__) == "kernel shape must be odd"
    # The same skip connection written with + or keras.ops keeps the hint.
    for join in ("add", "concatenate"):
        builder = functools.partial(_ops_halving_builder, join=join)
        with pytest.raises(ValueError, match="set length_multiple to that factor"):
            KerasDenoiser(builder, epochs=1).fit(noisy[:8, :61], clean[:8, :61])
    # The package's builders name the multiple themselves.
    denoiser = KerasDenoiser(build_unet, model__depth=7, model__filters=2, epochs=1)
    with pytest.raises(ValueError, match="must be a multiple of 128"):
        denoiser.fit(noisy[:8, :60], clean[:8, :60])


def test_callbacks_draw_from_the_scripts_own_random_numbers(pairs):
    # Python's random is seeded only while the layers draw their seeds, not
    # for the whole training (a lock held that long would also serialise fits
    # in other threads).
    import random

    import keras

    noisy, clean = pairs
    draws = {}

    class Draw(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            draws.setdefault(self.key, []).append(random.random())

    outputs = []
    for key in (1, 2):
        callback = Draw()
        callback.key = key
        random.seed(key)
        model = _unet(epochs=2, callbacks=[callback]).fit(noisy[:16], clean[:16])
        outputs.append(model.transform(noisy[:4]))
    assert draws[1] != draws[2]
    np.testing.assert_array_equal(outputs[0], outputs[1])


class _RefusesLaterDraws:
    """White noise whose third draw fails (inside TensorFlow's data pipeline)."""

    @staticmethod
    def make():
        from skdenoise.noise import WhiteNoise

        class Refusing(WhiteNoise):
            def apply(self, X, random_state=None):
                type(self).calls += 1
                if type(self).calls >= 3:
                    raise ValueError("this draw is refused by the noise model")
                return super().apply(X, random_state=random_state)

        Refusing.calls = 0
        return Refusing(snr=5.0)


def test_an_error_drawing_a_later_batch_is_raised_as_it_was(pairs):
    # Batches after the first are drawn inside tf.data: the noise model's own
    # ValueError reached the user as TensorFlow's InvalidArgumentError.
    X, y = pairs
    denoiser = _unet(noise=_RefusesLaterDraws.make(), validation_split=0.0, gate=None)
    with pytest.raises(ValueError, match="this draw is refused") as info:
        denoiser.fit(y)
    assert type(info.value) is ValueError


def test_partial_fit_keeps_one_history_value_per_epoch_under_every_key(pairs):
    # A partial_fit without validation series after a fit with them (or the
    # reverse) appended to "loss" alone: the epochs no longer lined up.
    X, y = pairs
    denoiser = _shallow(epochs=2, validation_split=0.25).fit(X, y)
    denoiser.set_params(validation_split=0.0).partial_fit(X, y)
    history = denoiser.history_
    assert len(history["loss"]) == len(history["val_loss"]) == 3
    assert np.isnan(history["val_loss"][2]) and not np.isnan(history["val_loss"][1])
    other = _shallow(epochs=2, validation_split=0.0).fit(X, y)
    other.partial_fit(X, y, validation_data=(X[:10], y[:10]))
    assert np.isnan(other.history_["val_loss"][:2]).all()
    assert len(other.history_["val_loss"]) == other.n_epochs_ == 3


def test_pairs_held_out_by_validation_split_get_no_augmentation_noise(pairs):
    # With pairs and a noise model (augmentation), the rows held out by
    # validation_split were given the model's noise on top of theirs: early
    # stopping and the gate saw noisier inputs than transform meets.
    from skdenoise.neural._batches import split_validation
    from skdenoise.noise import WhiteNoise

    X, y = pairs
    kwargs = {"epochs": 1, "noise": WhiteNoise(snr=0.0), "gate": None}
    split = _unet(validation_split=0.25, **kwargs).fit(X, y)
    held, kept = split_validation(len(X), 0.25, 0)
    given = _unet(**kwargs).fit(X[kept], y[kept], validation_data=(X[held], y[held]))
    np.testing.assert_allclose(
        split.history_["val_loss"], given.history_["val_loss"], rtol=1e-6
    )


@pytest.mark.parametrize("validation", ["split", "clean series"])
def test_partial_fit_draws_the_validation_noise_once(pairs, validation):
    # The noise added to clean validation series was drawn anew at each
    # partial_fit: the validation loss of an unchanged network moved.
    _, y = pairs
    kwargs = {} if validation == "split" else {"validation_data": y[:12]}
    denoiser = _unet(epochs=1, learning_rate=1e-12, validation_split=0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        denoiser.fit(y[12:], **kwargs)
        for _ in range(2):
            denoiser.partial_fit(y[12:], **kwargs)
    losses = denoiser.history_["val_loss"]
    np.testing.assert_allclose(losses, losses[0], rtol=1e-5)


@pytest.mark.parametrize("normalize", [True, "rms"])
def test_a_flat_series_or_channel_comes_back_unchanged(pairs, normalize):
    noisy, clean = pairs
    model = _unet(epochs=1, normalize=normalize).fit(noisy, clean)
    # The network's bias once came back in absolute units: 0.0075 for zeros.
    np.testing.assert_array_equal(model.transform(np.zeros((3, 64))), 0.0)
    flat = np.full((2, 64), 1e-6) if normalize is True else np.zeros((2, 64))
    np.testing.assert_array_equal(model.transform(flat), flat)
    # A dead lead of a two-channel series, through the flips as well.
    two = _unet(epochs=1, normalize=normalize, average_flips=True).fit(
        np.stack([noisy, noisy], -1), np.stack([clean, clean], -1)
    )
    series = np.stack([noisy[:4], np.zeros((4, 64))], -1)
    out = two.transform(series)
    np.testing.assert_array_equal(out[..., 1], 0.0)
    assert not np.allclose(out[..., 0], noisy[:4])


def test_targets_in_other_units_get_their_map_at_any_magnitude(pairs):
    noisy, clean = pairs
    maps = []
    for scale in (1.0, 1e160, 1e-170):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no overflow
            model = _unet(epochs=1).fit(noisy * scale, 1000.0 * clean * scale)
        maps.append(float(model.target_scale_.ravel()[0]))
    # The variances overflowed (1e160) or underflowed (1e-170) to the identity.
    assert maps[0] == pytest.approx(1000.0, rel=0.05)
    assert maps[1] == maps[0] and maps[2] == maps[0]
    # X of magnitude 1 (a scaler's output) and y near 1e160: the spread of the
    # slope y on x (about 1e160) overflowed when squared.
    from skdenoise.neural._base import _units_map

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scale, _ = _units_map(noisy[..., None] / 3.0, 1e160 * clean[..., None])
    assert np.median(scale) / 1e160 == pytest.approx(3.0, rel=0.05)


def test_a_diverged_network_is_named_as_such(pairs):
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="not finite.*transform will fail"):
        model = _unet(learning_rate=3.0, validation_split=0.3).fit(*pairs)
    with pytest.raises(ValueError, match="weights that are not finite.*diverged"):
        model.transform(pairs[0][:2])


def test_gate_none_switches_off_the_gates_of_kept_passes(pairs):
    noisy, clean = pairs
    model = _unet(epochs=1, n_passes=2, validation_split=0.3).fit(noisy, clean)
    assert model.pass_gates_[0][0] is not None
    model.set_params(gate=None, validation_split=0.0)
    model.partial_fit(noisy, clean)
    assert model.gate_snr_ is None
    assert model.n_passes_ == 2 and model.pass_gates_ == [(None, None)]


def test_the_not_learned_check_sums_error_energy_over_all_series():
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    targets = np.stack([100.0 * np.sin(np.arange(64.0)), np.sin(np.arange(64.0))])
    targets = targets[:, :, None]
    inputs = targets + np.stack([10.0, 0.1])[:, None, None] * rng.normal(
        size=targets.shape
    )
    # The large series' error cut 100-fold, the small one's quadrupled: the
    # error energy falls to about 1 %, which is learning.
    outputs = targets + np.stack([0.1, 2.0])[:, None, None] * (inputs - targets)
    model = _unet()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model._warn_if_not_learned(inputs, targets, outputs)
        model._warn_if_not_learned(inputs * 1e160, targets * 1e160, outputs * 1e160)
    with pytest.warns(ConvergenceWarning, match="error energy 400%"):
        model._warn_if_not_learned(inputs, targets, targets + 2.0 * (inputs - targets))


def _tiny_builder(n_timesteps, n_channels, act=None):
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    return keras.Model(
        inputs, keras.layers.Conv1D(n_channels, 3, padding="same")(inputs)
    )


def _other_builder(n_timesteps, n_channels, act=None):
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(4, 3, padding="same", activation=act)(inputs)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(hidden))


def test_partial_fit_refuses_a_changed_builder_or_object_hyper_parameter(
    pairs, tmp_path
):
    import pickle

    import keras

    from skdenoise import KerasDenoiser, persistence

    noisy, clean = pairs
    model = KerasDenoiser(_tiny_builder, epochs=1, random_state=0)
    model.partial_fit(noisy, clean)
    with pytest.raises(ValueError, match="changed since: model=.*_tiny_builder"):
        model.set_params(model=_other_builder).partial_fit(noisy, clean)
    model.set_params(model=_tiny_builder).partial_fit(noisy, clean)
    assert model.n_epochs_ == 2
    # A hyper-parameter of the network that is an object, compared by identity.
    relu = keras.activations.relu
    other = KerasDenoiser(_other_builder, model__act=relu, epochs=1, random_state=0)
    other.partial_fit(noisy, clean)
    with pytest.raises(ValueError, match="changed since: model__act="):
        other.set_params(model__act=keras.activations.tanh).partial_fit(noisy, clean)
    other.set_params(model__act=relu)
    # Copies go on with what they were built with, and check it too.
    persistence.save(model, tmp_path / "k.skdenoise")
    for copy in (pickle.loads(pickle.dumps(other)), other):
        copy.partial_fit(noisy, clean)
    loaded = persistence.load(tmp_path / "k.skdenoise")
    loaded.partial_fit(noisy, clean)
    with pytest.raises(ValueError, match="changed since: model="):
        loaded.set_params(model=_other_builder).partial_fit(noisy, clean)


def _integer_output(n_timesteps, n_channels):
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    output = keras.layers.Conv1D(n_channels, 3, padding="same")(inputs)
    return keras.Model(inputs, keras.ops.cast(output, "int32"))


def test_keras_denoiser_refuses_a_network_of_integer_output(pairs):
    from skdenoise import KerasDenoiser

    denoiser = KerasDenoiser(_integer_output, epochs=1)
    with pytest.raises(ValueError, match="floating-point series.*dtype int32"):
        denoiser.fit(*pairs)


def test_mixed_float16_keeps_its_loss_scaling_optimizer_when_loaded(pairs, tmp_path):
    import pickle

    from skdenoise import persistence

    noisy, clean = pairs
    model = _shallow(epochs=1, precision="mixed_float16").partial_fit(noisy, clean)
    kind = type(model.model_.optimizer).__name__
    assert kind == "LossScaleOptimizer"
    persistence.save(model, tmp_path / "m.skdenoise")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Skipping variable loading")
        copies = [
            pickle.loads(pickle.dumps(model)),
            persistence.load(tmp_path / "m.skdenoise"),
        ]
    for copy in copies:
        assert type(copy.model_.optimizer).__name__ == kind
    # They go on as the original does: the Adam moments and the loss scale kept.
    outputs = [m.partial_fit(noisy, clean).transform(noisy) for m in [*copies, model]]
    for output in outputs[:-1]:
        np.testing.assert_array_equal(output, outputs[-1])
    # Loaded under the precision it was built with, not one set since.
    model.set_params(precision="float32")
    for copy in (pickle.loads(pickle.dumps(model)), _saved_and_loaded(model, tmp_path)):
        assert type(copy.model_.optimizer).__name__ == kind


def _saved_and_loaded(model, folder):
    from skdenoise import persistence

    return persistence.load(persistence.save(model, folder / "again.skdenoise"))


def test_targets_that_are_an_exact_offset_of_x_are_not_a_failure_to_learn(pairs):
    # The units map takes the offset out, and the error left is rounding: the
    # warning said the output error was 1e33 % of the inputs'.
    from sklearn.exceptions import ConvergenceWarning

    clean = pairs[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = _unet(epochs=1).fit(clean + 0.1, clean)
    out = model.transform(clean + 0.1)
    np.testing.assert_allclose(out, clean, atol=0.2)
    assert model.target_offset_ == pytest.approx(-0.1)  # taken out of the targets


def test_transform_of_many_series_holds_one_batch_of_temporaries(gated):
    # The gate and the passes ran on all the series at once: a transform held
    # about eight times its input in temporaries (1.5 GB for 200 MB).
    import tracemalloc

    X = np.random.default_rng(0).standard_normal((60_000, 64))
    gated.transform(X[:10])
    tracemalloc.start()
    try:
        out = gated.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * X.nbytes  # the output and one batch's temporaries (was 8)
    rows = gated._chunk_rows(X[:, :, None])
    assert rows < len(X)
    parts = [gated.transform(X[s : s + rows]) for s in range(0, len(X), rows)]
    np.testing.assert_array_equal(out, np.concatenate(parts))


def test_empty_validation_data_is_named(pairs):
    # scikit-learn's "Found array with 0 sample(s) ... required by UNetDenoiser"
    # named no array.
    empty = np.zeros((0, pairs[0].shape[1]))
    with pytest.raises(ValueError, match="X_val for UNetDenoiser holds no series"):
        _unet().fit(*pairs, validation_data=(empty, empty))
    with pytest.raises(ValueError, match="validation_data for UNetDenoiser holds no"):
        _unet(noise=None).fit(pairs[1], validation_data=empty)


def test_partial_fit_refuses_a_builder_keyword_set_after_the_network_was_built(pairs):
    from skdenoise import KerasDenoiser

    noisy, clean = pairs
    model = KerasDenoiser(_tiny_builder, epochs=1, random_state=0)
    model.partial_fit(noisy, clean)
    model.set_params(model__act="tanh")
    with pytest.raises(ValueError, match=r"model__act \(not set when it was built\)"):
        model.partial_fit(noisy, clean)


def _dropout_builder(n_timesteps, n_channels):
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(4, 3, padding="same", activation="relu")(inputs)
    hidden = keras.layers.Dropout(0.2)(hidden)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(hidden))


def test_a_builder_that_returns_the_same_network_again_is_refused(pairs):
    from skdenoise import KerasDenoiser

    noisy, clean = pairs
    network = _tiny_builder(noisy.shape[1], 1)
    before = [w.copy() for w in network.get_weights()]
    model = KerasDenoiser(lambda n, c: network, epochs=1, random_state=0)
    model.fit(noisy, clean)
    assert model.model_ is network
    trained = [w.copy() for w in network.get_weights()]
    assert not all(np.array_equal(a, b) for a, b in zip(before, trained, strict=True))
    # A refit would go on training it, an ensemble train it n times over.
    with pytest.raises(ValueError, match="returned a network it had returned before"):
        model.fit(noisy, clean)
    for a, b in zip(trained, network.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # Returned once, it trains: after a failed first fit and with mc_dropout's
    # probe (at every partial_fit) too.
    dropout = _dropout_builder(noisy.shape[1], 1)
    once = KerasDenoiser(
        lambda n, c: dropout, uncertainty="mc_dropout", epochs=1, random_state=0
    )
    with pytest.raises(ValueError, match="must take series of shape"):
        once.fit(noisy[:, :-2], clean[:, :-2])
    once.partial_fit(noisy, clean).partial_fit(noisy, clean)
    assert once.n_epochs_ == 2
    again = _tiny_builder(noisy.shape[1], 1)
    ensemble = KerasDenoiser(
        lambda n, c: again, uncertainty="ensemble", n_members=2, epochs=1
    )
    with pytest.raises(ValueError, match="returned a network it had returned before"):
        ensemble.fit(noisy, clean)


def test_a_builder_wrapping_a_network_made_outside_it_is_refused(pairs):
    # keras.Model(x, backbone(x)) is a new Model each call around the same
    # layers: a clone's fit trained the original's network, and ensemble
    # members all trained one set of weights (a spread of zero).
    import keras

    from skdenoise import KerasDenoiser

    noisy, clean = pairs
    backbone = _tiny_builder(None, 1)

    def build(n_timesteps, n_channels):
        x = keras.Input((n_timesteps, n_channels))
        return keras.Model(x, backbone(x))

    model = KerasDenoiser(build, epochs=1, random_state=0).fit(noisy, clean)
    out = model.transform(noisy)
    with pytest.raises(ValueError, match="around layers of one it had returned"):
        clone(model).fit(noisy, clean)
    np.testing.assert_array_equal(model.transform(noisy), out)
    with pytest.raises(ValueError, match=r"model__backbone=your_model.*clone_model"):
        KerasDenoiser(build, uncertainty="ensemble", n_members=2, epochs=1).fit(
            noisy, clean
        )


def test_a_network_hyper_parameter_that_cannot_be_copied_is_refused(pairs):
    # The copy failed (an unregistered custom layer), and the user's pretrained
    # network was used as it was: trained in place.
    import keras

    from skdenoise import KerasDenoiser

    class _Gain(keras.layers.Layer):
        def build(self, shape):
            self.g = self.add_weight(shape=(shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.g

    noisy, clean = pairs
    i = keras.Input(shape=(None, 1))
    pretrained = keras.Model(i, _Gain()(keras.layers.Conv1D(1, 3, padding="same")(i)))
    before = [w.copy() for w in pretrained.get_weights()]

    def build(n_timesteps, n_channels, backbone=None):
        x = keras.Input(shape=(n_timesteps, n_channels))
        return keras.Model(x, backbone(x))

    model = KerasDenoiser(build, model__backbone=pretrained, epochs=1, random_state=0)
    with pytest.raises(
        ValueError, match=r"cannot copy its hyper-parameter model__backbone"
    ):
        model.fit(noisy, clean)
    for a, b in zip(before, pretrained.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_partial_fit_takes_an_equal_dict_set_again_as_unchanged(pairs):
    import keras

    from skdenoise import KerasDenoiser

    def build(n_timesteps, n_channels, cfg=None):
        x = keras.Input((n_timesteps, n_channels))
        layer = keras.layers.Conv1D(n_channels, cfg["k"], padding="same")
        return keras.Model(x, layer(x))

    noisy, clean = pairs
    model = KerasDenoiser(build, model__cfg={"k": 3}, epochs=1, random_state=0)
    model.partial_fit(noisy, clean)
    model.set_params(model__cfg={"k": 3})
    model.partial_fit(noisy, clean)
    assert model.n_epochs_ == 2
    model.set_params(model__cfg={"k": 5})
    with pytest.raises(ValueError, match=r"model__cfg=\{'k': 3\} -> \{'k': 5\}"):
        model.partial_fit(noisy, clean)


def test_mixed_float16_names_values_beyond_float16_when_not_normalising(pairs):
    # Past 65504 the float16 layers made the loss NaN, and the warning said to
    # train longer or lower the learning rate.
    noisy, clean = pairs
    model = _unet(precision="mixed_float16", normalize=False, epochs=1)
    with pytest.raises(ValueError, match=r"beyond the float16 range.*mixed_bfloat16"):
        model.fit(noisy * 1e5, clean * 1e5)
    model = _unet(precision="float32", normalize=False, epochs=1)
    model.fit(noisy[:16] * 1e5, clean[:16] * 1e5)
    assert np.all(np.isfinite(model.transform(noisy[:2] * 1e5)))


def test_a_saved_network_leaves_xla_to_the_machine_that_loads_it(pairs, tmp_path):
    # Keras saved jit_compile as resolved where the network was fitted (True
    # on a GPU): the file then compiled every batch shape with XLA on a CPU.
    from skdenoise.persistence import load, save

    noisy, clean = pairs
    model = _unet(epochs=1).fit(noisy[:16], clean[:16])
    assert model.model_._compile_config.config["jit_compile"] == "auto"
    loaded = load(save(model, tmp_path / "m.skd"))
    assert loaded.model_._compile_config.config["jit_compile"] == "auto"
    np.testing.assert_array_equal(
        loaded.transform(noisy[:3]), model.transform(noisy[:3])
    )


def test_a_frozen_shared_backbone_may_be_reused_but_not_a_wrapped_trainable_layer(
    pairs,
):
    # Frozen layers are never trained: refusing them broke transfer learning.
    # A TimeDistributed wrapper, new at each call, around a shared Dense was
    # not seen, and a clone's fit trained the first model's weights.
    import keras

    from skdenoise import KerasDenoiser

    noisy, clean = pairs
    frozen = keras.layers.Conv1D(4, 3, padding="same", trainable=False)

    def with_frozen(n_timesteps, n_channels):
        x = keras.Input((n_timesteps, n_channels))
        return keras.Model(x, keras.layers.Conv1D(n_channels, 1)(frozen(x)))

    model = KerasDenoiser(with_frozen, epochs=1, random_state=0).fit(noisy, clean)
    clone(model).fit(noisy, clean)
    dense = keras.layers.Dense(1)

    def wrapped(n_timesteps, n_channels):
        x = keras.Input((n_timesteps, n_channels))
        return keras.Model(x, keras.layers.TimeDistributed(dense)(x))

    first = KerasDenoiser(wrapped, epochs=1, random_state=0).fit(noisy, clean)
    out = first.transform(noisy[:2])
    with pytest.raises(ValueError, match="around layers of one it had returned"):
        clone(first).fit(noisy, clean)
    np.testing.assert_array_equal(first.transform(noisy[:2]), out)
    with pytest.raises(ValueError, match="add Dropout layers to the network"):
        KerasDenoiser(with_frozen, uncertainty="mc_dropout", epochs=1).fit(noisy, clean)


def test_a_shared_layer_whose_statistics_fit_updates_is_refused_and_precision_is_built(
    pairs,
):
    # A batch normalisation without trainable weights still changes in fit
    # (its moving statistics): shared, a second fit changed the first model.
    import keras

    from skdenoise import KerasDenoiser

    noisy, clean = pairs
    shared = keras.layers.BatchNormalization(center=False, scale=False)

    def build(n_timesteps, n_channels):
        x = keras.Input((n_timesteps, n_channels))
        return keras.Model(x, keras.layers.Conv1D(n_channels, 1)(shared(x)))

    first = KerasDenoiser(build, epochs=1, random_state=0).fit(noisy, clean)
    with pytest.raises(ValueError, match="around layers of one it had returned"):
        clone(first).fit(noisy, clean)
    # The float16 range is checked for the network as built, not for a
    # precision set after fit.
    model = _unet(precision="float32", normalize=False, epochs=1)
    model.fit(noisy[:16] * 1e5, clean[:16] * 1e5)
    model.set_params(precision="mixed_float16")
    assert np.all(np.isfinite(model.transform(noisy[:2] * 1e5)))


def test_partial_fit_holds_out_the_first_calls_rows_whatever_the_split_says(
    pairs, monkeypatch
):
    # validation_split or random_state changed between calls held out other
    # rows: the gate was calibrated on series an earlier call trained on.
    from skdenoise.neural import _base

    calls = []
    real = _base.split_validation

    def recording(n, fraction, seed, first=None, **kwargs):
        rows = real(n, fraction, seed, first, **kwargs)
        calls.append(tuple(rows[0]))
        return rows

    monkeypatch.setattr(_base, "split_validation", recording)
    noisy, clean = pairs
    model = _unet(epochs=1, validation_split=0.2).partial_fit(noisy, clean)
    model.set_params(validation_split=0.5, random_state=1).partial_fit(noisy, clean)
    assert len(calls) == 2 and calls[0] == calls[1] and len(calls[0]) == 16
    # fit starts anew, with the split it is given.
    model.fit(noisy, clean)
    assert len(calls[-1]) == 40


def test_windowed_partial_fit_holds_out_the_first_calls_series(pairs, monkeypatch):
    # The wrapper chose its held-out series afresh in every call, from the
    # inner network's current validation_split and random_state: the gate of
    # a fine-tuned model was calibrated on series an earlier call trained on.
    from skdenoise import UNetDenoiser
    from skdenoise.windowing import WindowedDenoiser

    held = []
    original = UNetDenoiser.partial_fit

    def partial_fit(est, X, y=None, **kwargs):
        held.append(kwargs["validation_data"][0].copy())
        return original(est, X, y, **kwargs)

    monkeypatch.setattr(UNetDenoiser, "partial_fit", partial_fit)
    noisy, clean = pairs
    model = WindowedDenoiser(_shallow(epochs=1, validation_split=0.2), window_length=32)
    model.partial_fit(noisy[:20], clean[:20])
    model.estimator_.set_params(random_state=1)
    model.partial_fit(noisy[:20], clean[:20])
    model.estimator_.set_params(validation_split=0.5, random_state=2)
    model.partial_fit(noisy[:20], clean[:20])
    assert len(held) == 3
    for later in held[1:]:
        np.testing.assert_array_equal(later, held[0])
    # fit starts anew: a later partial_fit holds out what the current
    # settings say, not what the network thrown away held out (the fit
    # given validation_data trained on every series of its X: new ones).
    model.set_params(estimator__validation_split=0.5, estimator__random_state=2)
    model.fit(noisy[:20], clean[:20], validation_data=(noisy[20:24], clean[20:24]))
    model.partial_fit(noisy[:40], clean[:40])
    assert model._validation_rows_ == (2, 0.5) and len(held[-1]) != len(held[0])


def _record_hold_out(monkeypatch, held, whole=None):
    """Record in ``held`` the rows each ``WindowedDenoiser._hold_out`` holds out.

    Rows of ``whole`` (None: of the series it was given); None where it holds
    out no whole series (nothing, or the ends of the series).
    """
    from skdenoise.windowing import WindowedDenoiser

    original = WindowedDenoiser._hold_out

    def hold_out(self, estimator, X3, y3):
        result = original(self, estimator, X3, y3)
        series = isinstance(result[2], tuple) and result[2][0].shape[1] == X3.shape[1]
        rows = X3 if whole is None else whole
        held.append(_rows_of(result[2][0], rows) if series else None)
        return result

    monkeypatch.setattr(WindowedDenoiser, "_hold_out", hold_out)


def _rows_of(part, whole):
    """The row of ``whole`` that each series of ``part`` is."""
    flat = whole.reshape(len(whole), -1)
    return sorted(
        int(np.flatnonzero(np.all(flat == row, axis=1))[0])
        for row in part.reshape(len(part), -1)
    )


def test_partial_fit_on_a_grown_x_keeps_the_roles_of_the_first_calls_rows(
    pairs, monkeypatch
):
    # X grown by new series between calls: the rows were drawn afresh, and
    # series an earlier call trained on calibrated the gate.
    from skdenoise.neural import _base
    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = pairs
    held = []
    real = _base.split_validation

    def recording(*args, **kwargs):
        rows = real(*args, **kwargs)
        held.append(sorted(int(row) for row in rows[0]))
        return rows

    monkeypatch.setattr(_base, "split_validation", recording)
    model = _shallow(epochs=1, validation_split=0.2)
    for n in (20, 30, 40, 25):
        model.partial_fit(noisy[:n], clean[:n])
    first = set(held[0])
    for n, rows in zip((30, 40, 25), held[1:], strict=True):
        assert first & set(range(n)) <= set(rows)
        assert not (set(rows) & set(range(20)) - first)  # trained on, never held
    # A new row has one role in every call it is in.
    assert set(held[1]) - first == (set(held[2]) - first) & set(range(30))
    assert len(set(held[2]) - first) >= 1  # about 4 of 20 new rows
    # The same X in every call: the first call's rows, as before.
    calls = len(held)
    model.partial_fit(noisy[:20], clean[:20])
    assert held[calls] == held[0]

    # Through the wrapper: the series it holds out for the network.
    windowed_held = []
    _record_hold_out(monkeypatch, windowed_held, noisy)
    network = _shallow(epochs=1, validation_split=0.2)
    windowed = WindowedDenoiser(network, window_length=32)
    for n in (20, 30, 40):
        windowed.partial_fit(noisy[:n], clean[:n])
    first = set(windowed_held[0])
    assert len(first) == 4
    for rows in windowed_held[1:]:
        assert first <= set(rows) and not (set(rows) & set(range(20)) - first)
    assert set(windowed_held[1]) == set(windowed_held[2]) & set(range(30))


def test_a_call_that_held_nothing_out_makes_every_series_trained_for_later_ones(
    pairs, monkeypatch, tmp_path
):
    # A first call given validation_data (or validation_split=0), or a later
    # one with validation_split=0, trained on every series of its X; a later
    # partial_fit without validation_data held out series of them anyway (the
    # first call's split, or one drawn afresh) and recalibrated the gate on
    # them in silence.
    from skdenoise import UNetDenoiser
    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = pairs
    trained = []
    original = UNetDenoiser._training_batches

    def batches(est, inputs, targets, *args, rows=None, **kwargs):
        n = targets.shape[0]
        trained.append(set(range(n)) if rows is None else {int(r) for r in rows})
        return original(est, inputs, targets, *args, rows=rows, **kwargs)

    monkeypatch.setattr(UNetDenoiser, "_training_batches", batches)
    X, y, val = noisy[:40], clean[:40], (noisy[60:72], clean[60:72])
    cases = {
        "validation_data": lambda m: m.fit(X, y, validation_data=val),
        "partial validation_data": lambda m: m.partial_fit(X, y, validation_data=val),
        "split 0": lambda m: m.set_params(validation_split=0).partial_fit(X, y),
        "0.3, then 0": lambda m: (
            m.partial_fit(X, y).set_params(validation_split=0).partial_fit(X, y)
        ),
    }
    for name, first in cases.items():
        trained.clear()
        model = first(_shallow(epochs=1, validation_split=0.3))
        assert trained[-1] == set(range(40)), name
        model.set_params(validation_split=0.3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.partial_fit(X, y)
        assert trained[-1] == set(range(40)), name  # nothing to hold out
        if name != "split 0":  # the others fitted a gate, and keep it
            assert any("trained on every series" in str(w.message) for w in caught)
        # New series: held out at the share, those of X never; in every call.
        model.partial_fit(noisy[:60], clean[:60])
        held = set(range(60)) - trained[-1]
        assert held and min(held) >= 40, name
        model.partial_fit(noisy[:60], clean[:60])
        assert set(range(60)) - trained[-1] == held, name
    # Saved and loaded, the roles stay.
    from skdenoise.persistence import load, save

    save(model, tmp_path / "m.skdenoise")
    load(tmp_path / "m.skdenoise").partial_fit(noisy[:60], clean[:60])
    assert set(range(60)) - trained[-1] == held

    # Through the wrapper: the series it holds out for the network.
    validated = []
    _record_hold_out(monkeypatch, validated, noisy)
    for first in (
        lambda m: m.fit(X, y, validation_data=val),
        lambda m: m.set_params(estimator__validation_split=0).partial_fit(X, y),
    ):
        model = first(
            WindowedDenoiser(_shallow(epochs=1, validation_split=0.3), window_length=32)
        )
        model.estimator_.set_params(validation_split=0.3)
        validated.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(X, y)
        assert validated == [None]
        windows = 40 * model.windows_per_series(64)
        assert trained[-1] == set(range(windows))  # every window of X
        model.partial_fit(noisy[:60], clean[:60])
        assert validated[-1] and min(validated[-1]) >= 40


def test_windowed_partial_fit_on_other_series_never_holds_out_trained_ones(
    pairs, monkeypatch
):
    from skdenoise import UNetDenoiser
    from skdenoise.neural import _base
    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = pairs
    calls, held = [], []
    original_fit = UNetDenoiser.partial_fit

    def partial_fit(est, X, y=None, **kwargs):
        calls.append(("validation_data" in kwargs, len(X)))
        return original_fit(est, X, y, **kwargs)

    splits = []
    real_split = _base.split_validation

    def split(*args, **kwargs):
        rows = real_split(*args, **kwargs)
        splits.append(len(rows[0]))
        return rows

    monkeypatch.setattr(UNetDenoiser, "partial_fit", partial_fit)
    _record_hold_out(monkeypatch, held, noisy)
    monkeypatch.setattr(_base, "split_validation", split)
    network = _shallow(epochs=1, validation_split=0.2, random_state=1)
    model = WindowedDenoiser(network, window_length=32)
    model.partial_fit(noisy[:10], clean[:10])
    # X cut to rows the first call trained on: nothing is held out, and the
    # network did not split their windows itself (it held out windows of
    # trained series, and recalibrated its gate on them).
    n = min(held[0])
    assert n >= 2
    model.partial_fit(noisy[:n], clean[:n])
    assert calls[-1] == (False, n * 3) and splits[-1] == 0
    assert model.estimator_.validation_split == 0.2
    # A first call that held out the ends of its two series (too few to
    # hold out one whole): a later call on more holds out new series only.
    calls.clear(), held.clear()
    model = WindowedDenoiser(_shallow(epochs=1, validation_split=0.2), window_length=32)
    model.partial_fit(noisy[:2], clean[:2])
    assert held == [None]
    model.partial_fit(noisy[:30], clean[:30])
    assert held[1] and min(held[1]) >= 2


def _with_extra_parameter(cls):
    """A subclass of ``cls`` adding ``scale``, written as scikit-learn asks."""
    import inspect

    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    signature = ", ".join(f"{p.name}={p.default!r}" for p in params)
    forward = ", ".join(f"{p.name}={p.name}" for p in params)
    source = (
        f"def __init__(self, *, {signature}, scale=1.0):\n"
        f"    super(Sub, self).__init__({forward})\n"
        "    self.scale = scale\n"
    )
    namespace = {}
    Sub = type(f"My{cls.__name__}", (cls,), {})
    exec(source, {"Sub": Sub}, namespace)
    Sub.__init__ = namespace["__init__"]
    return Sub


def test_a_network_subclass_with_a_parameter_of_its_own(pairs):
    # The standard way of subclassing an estimator raised a bare KeyError at
    # construction: every network stored the subclass's parameters from the
    # parent's arguments.

    from skdenoise import UNetDenoiser

    MyUNet = _with_extra_parameter(UNetDenoiser)
    model = MyUNet(scale=2.0, filters=4, depth=2, kernel_size=3, epochs=1)
    assert model.get_params()["scale"] == 2.0
    assert clone(model).scale == 2.0 and clone(model).filters == 4
    noisy, clean = pairs
    assert model.fit(noisy, clean).transform(noisy).shape == noisy.shape


def test_the_leads_of_a_recording_are_held_out_together(pairs, monkeypatch):
    # ResampledDenoiser hands its estimator each lead as a row: one lead of a
    # recording was held out while the other, the same beats, trained; and a
    # later call on more leads held out recordings the first had trained on.
    from skdenoise.pipeline import ResampledDenoiser
    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = pairs
    X = np.stack([noisy[:20], noisy[20:40]], axis=-1)  # 20 recordings, 2 leads
    y = np.stack([clean[:20], clean[20:40]], axis=-1)
    held = []
    _record_hold_out(monkeypatch, held)

    def model():
        inner = WindowedDenoiser(
            _unet(epochs=1, validation_split=0.2), window_length=32
        )
        return ResampledDenoiser(inner, sampling_rate=100, estimator_sampling_rate=100)

    model().fit(X, y)
    recordings = {row // 2 for row in held[0]}
    assert len(held[0]) == 8 and held[0] == sorted(
        2 * r + k for r in recordings for k in (0, 1)
    )
    # Lead 0 alone first, then both: the same recordings are held out.
    held.clear()
    fine_tuned = model()
    fine_tuned.partial_fit(X[..., :1], y[..., :1])
    fine_tuned.partial_fit(X, y)
    first = set(held[0])  # the rows of the one-lead call are recordings
    assert {row // 2 for row in held[1]} == first and len(held[1]) == 2 * len(first)


def test_a_later_call_on_held_out_series_alone_says_it_trains_on_them(pairs):
    # Every series of X held out by the first call: it trained on all of them
    # and said "an earlier call trained on every series", which was false.
    from skdenoise._split import split_validation

    noisy, clean = pairs
    model = _unet(epochs=1, validation_split=0.5).fit(noisy[:20], clean[:20])
    held = sorted(split_validation(20, 0.5, 0)[0])
    n = next(k for k in range(20) if k not in held)  # rows [0, n) all held out
    assert n >= 1
    with pytest.warns(UserWarning, match="one that the first call held out"):
        model.partial_fit(noisy[:n], clean[:n])
    # A split recorded as three numbers (one development version) still reads.
    model._validation_rows_ = (0, 0.5, 20)
    model.partial_fit(noisy[:20], clean[:20])


def test_nested_and_one_window_wrappers_hold_out_the_leads_together(pairs, monkeypatch):
    # A ResampledDenoiser inside another set one row per series again, and a
    # WindowedDenoiser whose series are one window each handed its network
    # the leads as windows of their own: single leads were held out.
    from skdenoise.neural import _base
    from skdenoise.pipeline import ResampledDenoiser
    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = pairs
    X = np.stack([noisy[:20], noisy[20:40]], axis=-1)
    y = np.stack([clean[:20], clean[20:40]], axis=-1)
    held = []
    real = _base.by_series

    def recording(n_rows, split):
        val, train, units = real(n_rows, split)
        held.append(sorted(int(row) for row in val))
        return val, train, units

    monkeypatch.setattr(_base, "by_series", recording)

    def resampled(estimator):
        return ResampledDenoiser(
            estimator, sampling_rate=100, estimator_sampling_rate=100
        )

    network = _unet(epochs=1, validation_split=0.2)
    resampled(resampled(network)).fit(X, y)
    one_window = WindowedDenoiser(clone(network), window_length=64)
    # Two recordings: too few for the wrapper to hold one out whole, and each
    # series is one window, so its network splits the windows.
    resampled(one_window).fit(X[:2], y[:2])
    # One split per fit, each drawn over the recordings (both leads of each).
    assert len(held) == 2 and len(held[0]) == 8 and len(held[1]) == 2, held
    for rows in held:
        assert rows and all(row % 2 == 0 and row + 1 in rows for row in rows[::2])
        assert len(rows) % 2 == 0


def test_the_units_check_of_training_pairs_holds_few_copies_of_x():
    # It held nine float64 copies of X at once (both together, two divided
    # pairs, three products): 7 GB beside 780 MB of pairs on 200k windows.
    import tracemalloc

    from skdenoise.neural._base import _units_map

    rng = np.random.default_rng(0)
    y = rng.normal(size=(2000, 256, 1))
    X = y + 0.3 * rng.normal(size=y.shape)
    tracemalloc.start()
    try:
        _units_map(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 5.5 * X.nbytes
