"""Regression tests for the defects found by feeding the package bad input."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from skdenoise.baselines import MedianDenoiser, WaveletDenoiser
from skdenoise.datasets import fetch_physionet, make_sines, read_wfdb
from skdenoise.metrics import snr


@pytest.fixture(scope="module")
def sines():
    clean = make_sines(48, 64, random_state=0)
    noisy = clean + 0.3 * np.random.default_rng(0).standard_normal(clean.shape)
    return noisy, clean


@pytest.fixture(scope="module")
def unet(sines):
    from skdenoise import UNetDenoiser

    noisy, clean = sines
    model = UNetDenoiser(filters=4, depth=2, kernel_size=3, epochs=2, random_state=0)
    return model.fit(noisy, clean)


# 1. Equivariance for any positive scale float64 represents -------------------
@pytest.mark.parametrize("scale", [1e-300, 1e-9, 1e-3, 1.0, 1e6, 1e160, 1e300])
@pytest.mark.parametrize("offset", [0.0, 1.0, 1e6])
def test_neural_denoiser_is_equivariant_to_any_positive_scale(
    unet, sines, scale, offset
):
    noisy = sines[0][:8]
    reference = unet.transform(noisy)
    shifted = offset * scale  # an offset on the scale of the series
    out = unet.transform(scale * noisy + shifted)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(
        (out - shifted) / scale, reference, rtol=1e-5, atol=1e-6 * (1 + offset)
    )


def test_small_amplitude_around_large_offset(unet, sines):
    # 1e6 + 1e-3 X: the offset is 1e9 times the signal, well within float64.
    noisy = sines[0][:8]
    out = unet.transform(1e6 + 1e-3 * noisy)
    expected = 1e6 + 1e-3 * unet.transform(noisy)
    assert np.max(np.abs(out - expected)) < 1e-3 * 1e-3


def test_negative_scale_flips_the_input(unet, sines):
    # As the README says: transform(a X + b) == |a| transform(-X) + b for a < 0.
    noisy = sines[0][:8]
    out = unet.transform(-2.0 * noisy + 3.0)
    np.testing.assert_allclose(out, 2.0 * unet.transform(-noisy) + 3.0, atol=1e-9)


# 4. Hyper-parameters that cannot work are rejected before Keras -------------
def test_depth_too_large_for_the_series_is_rejected_before_building(sines):
    from skdenoise import UNetDenoiser

    noisy, clean = sines
    with pytest.raises(ValueError, match="depth=20") as info:
        UNetDenoiser(depth=20, epochs=1).fit(noisy[:, :16], clean[:, :16])
    assert "16" in str(info.value)


def test_callbacks_must_be_keras_callbacks(sines):
    from skdenoise import UNetDenoiser

    noisy, clean = sines
    model = UNetDenoiser(filters=2, depth=1, epochs=1, callbacks=[1])
    with pytest.raises(ValueError, match="keras.callbacks.Callback"):
        model.fit(noisy, clean)
    assert not hasattr(model, "model_")


# 5. Huge finite input ---------------------------------------------------------
def test_huge_finite_input_gives_finite_output_or_a_clear_error(unet, sines):
    noisy = sines[0][:4]
    out = unet.transform(1e160 * noisy)
    assert np.all(np.isfinite(out))
    # The Wiener filter squares the series: computed without overflow.
    from skdenoise.baselines import WienerDenoiser

    wiener = WienerDenoiser().fit(noisy)
    np.testing.assert_allclose(
        wiener.transform(1e160 * noisy) / 1e160, wiener.transform(noisy), rtol=1e-12
    )


def test_non_finite_output_from_finite_input_is_a_clear_error():
    from skdenoise.base import BaseDenoiser

    class Overflowing(BaseDenoiser):
        def _fit(self, X3, y3):
            pass

        def _transform(self, X3):
            with np.errstate(over="ignore"):
                return X3 * 1e308

    X = make_sines(2, 16, random_state=0) + 2.0
    with pytest.raises(ValueError, match="non-finite values from finite series"):
        Overflowing().fit(X).transform(X)


# 6. A scaler in front ---------------------------------------------------------
@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler, RobustScaler])
def test_scaler_in_front_returns_y_units_and_improves_snr(scaler):
    from skdenoise import UNetDenoiser

    rng = np.random.default_rng(1)
    clean = 3.0 * make_sines(96, 64, random_state=1) + 5.0
    noisy = clean + 0.6 * rng.standard_normal(clean.shape)
    pipe = make_pipeline(
        scaler(),
        UNetDenoiser(filters=8, depth=2, kernel_size=5, epochs=30, random_state=0),
    )
    pipe.fit(noisy[:80], clean[:80])
    out = pipe.transform(noisy[80:])
    # In y's units (the offset of 5 and amplitude of 3), and less noisy.
    assert abs(out.mean() - clean[80:].mean()) < 0.2
    assert 0.8 < out.std() / clean[80:].std() < 1.2
    before = snr(clean[80:] - 5.0, noisy[80:] - 5.0)
    after = snr(clean[80:] - 5.0, out - 5.0)
    assert after > before + 0.5


# 7. WFDB headers ------------------------------------------------------------
def _record(folder, gain="200", file_name="r.dat"):
    adc = np.arange(10, dtype="<i2")
    (folder / "r.dat").write_bytes(adc.tobytes())
    checksum = int(adc.sum())
    (folder / "r.hea").write_text(
        f"r 1 360 10\n{file_name} 16 {gain}(0)/mV 16 0 0 {checksum} 0 lead\n"
    )
    return folder / "r"


def test_wfdb_infinite_gain_is_an_error_naming_the_file(tmp_path):
    with pytest.raises(ValueError, match="not finite") as info:
        read_wfdb(_record(tmp_path, gain="1e999"))
    assert "r.hea" in str(info.value)


def test_wfdb_nul_bytes_give_errors_naming_the_file(tmp_path):
    with pytest.raises(ValueError, match="NUL") as info:
        read_wfdb(_record(tmp_path, file_name="r\0.dat"))
    assert "r.hea" in str(info.value)
    with pytest.raises(ValueError, match="NUL") as info:
        read_wfdb(str(tmp_path / "r") + "\0x")
    assert str(tmp_path) in str(info.value)


# 8. fetch_physionet settings and all-zero sample weights -----------------------
@pytest.mark.parametrize(
    "options, message",
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"delay": -1}, "delay"),
        ({"delay": float("inf")}, "delay"),
    ],
)
def test_fetch_timeout_and_delay_are_validated(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        fetch_physionet("100", data_home=tmp_path, download_if_missing=False, **options)


def test_score_with_all_zero_sample_weight_is_a_clear_error():
    X = make_sines(3, 32, random_state=0)
    model = MedianDenoiser().fit(X)
    with pytest.raises(ValueError, match="all zero"):
        model.score(X, X, sample_weight=np.zeros(3))
    with pytest.raises(ValueError, match="non-negative"):
        model.score(X, X, sample_weight=[1.0, -1.0, 1.0])
    assert np.isfinite(model.score(X, X, sample_weight=[0.0, 1.0, 0.0]))


def test_a_series_of_zero_weight_does_not_count_even_when_perfect():
    import warnings

    from skdenoise.metrics import snr_scorer

    rng = np.random.default_rng(0)
    y = np.vstack([np.full(50, 2.0), np.sin(np.arange(50.0))])
    X = y + np.vstack([np.zeros(50), rng.normal(size=50)])
    model = MedianDenoiser().fit(X)
    alone = model.score(X[1:], y[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value" from 0 * inf
        assert model.score(X, y, sample_weight=[0, 1]) == pytest.approx(alone)
        assert snr_scorer(model, X, y, sample_weight=[0, 1]) == pytest.approx(alone)
    # A perfect series with a weight of its own counts at the scores'
    # resolution (it made the mean infinite).
    from skdenoise.metrics import SCORE_RESOLUTION_DB

    weighted = model.score(X, y, sample_weight=[1, 1])
    assert weighted == pytest.approx((SCORE_RESOLUTION_DB + alone) / 2)


def test_score_without_clean_series_names_the_self_supervised_scorer():
    from sklearn.model_selection import GridSearchCV

    X = make_sines(8, 32, random_state=0)
    model = MedianDenoiser().fit(X)
    with pytest.raises(ValueError, match="y is None.*self_supervised_scorer"):
        model.score(X)
    # A search over noisy series alone, scored by the estimator itself, gets the
    # same message rather than "missing 1 required positional argument".
    search = GridSearchCV(
        MedianDenoiser(), {"window_length": [3, 5]}, cv=2, error_score="raise"
    )
    with pytest.raises(ValueError, match="self_supervised_scorer"):
        search.fit(X)


def test_a_score_without_y_of_a_denoiser_that_adds_noise_says_to_score_pairs():
    # Its X is the clean series: the self-supervised scorer it was sent to
    # measured clean folds, which tells nothing of denoising.
    from skdenoise import UNetDenoiser
    from skdenoise.metrics import snr_scorer
    from skdenoise.noise import WhiteNoise
    from skdenoise.pipeline import WindowedDenoiser

    X = make_sines(8, 32, random_state=0)
    model = UNetDenoiser(noise=WhiteNoise(snr=0.0))  # refused before any transform
    for call in (lambda: model.score(X), lambda: snr_scorer(model, X)):
        with pytest.raises(ValueError, match=r"adds its noise in fit.*noise=None"):
            call()
    windowed = WindowedDenoiser(model, window_length=16)
    with pytest.raises(ValueError, match=r"adds its noise in fit"):
        snr_scorer(windowed, X)
    with pytest.raises(ValueError, match=r"self_supervised_scorer"):
        snr_scorer(UNetDenoiser(), X)  # no noise model: the general advice


def test_fit_on_clean_series_twice_with_noise_is_fit_on_clean_series():
    # fit(X_clean, X_clean) with a noise model held out (clean, clean) pairs:
    # the gate, calibrated on inputs with nothing to remove, changed nothing.
    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    clean = make_sines(120, 32, random_state=0)  # 12 validation series: a gate
    settings = dict(filters=4, depth=2, kernel_size=3, epochs=3, random_state=0)
    noise = WhiteNoise(snr=(0.0, 6.0))
    twice = UNetDenoiser(noise=noise, **settings).fit(clean, clean.copy())
    once = UNetDenoiser(noise=noise, **settings).fit(clean)
    assert np.max(twice.gate_scale_) > 0
    noisy = WhiteNoise(snr=3.0).apply(clean, random_state=1)
    np.testing.assert_array_equal(twice.transform(noisy), once.transform(noisy))


# The one template ---------------------------------------------------------------
def test_every_denoiser_follows_the_template():
    from skdenoise.base import BaseDenoiser, SeriesTransformerMixin
    from skdenoise.utils import all_denoisers

    # The template: the base class, and the mixin that puts its tags back
    # after scikit-learn's TransformerMixin.
    template = (BaseDenoiser, SeriesTransformerMixin)
    for name, cls in all_denoisers():
        assert issubclass(cls, BaseDenoiser), name
        assert issubclass(cls, SeriesTransformerMixin), name
        own = [
            klass
            for klass in cls.__mro__
            if klass.__module__.startswith("skdenoise") and klass not in template
        ]
        for klass in own:
            for method in ("fit", "transform", "score", "__sklearn_tags__"):
                assert method not in vars(klass), (name, klass.__name__, method)


def test_one_policy_for_an_ignored_one_dimensional_y():
    from skdenoise.exceptions import TargetIgnoredWarning

    X = make_sines(4, 32, random_state=0)
    for model in (MedianDenoiser(), WaveletDenoiser()):
        with pytest.warns(TargetIgnoredWarning):
            model.fit(X, np.arange(4))


def test_registry_filters_by_family():
    from skdenoise.utils import all_denoisers

    classical = {name for name, _ in all_denoisers("classical")}
    assert "MedianDenoiser" in classical and "UNetDenoiser" not in classical
    assert {n for n, _ in all_denoisers("windowing")} == {
        "WindowedDenoiser",
        "ResampledDenoiser",
    }
    neural = {n for n, _ in all_denoisers(["neural"])}
    assert {"UNetDenoiser", "WaveletUNetDenoiser", "KerasDenoiser"} <= neural
    with pytest.raises(ValueError, match="type_filter"):
        all_denoisers("quantum")


def test_registry_names_a_type_filter_that_is_not_a_list():
    from skdenoise.utils import all_denoisers

    # all_denoisers(5) failed with "'int' object is not iterable".
    with pytest.raises(TypeError, match="type_filter must be a family name.*got 5"):
        all_denoisers(5)


# Bring your own network -------------------------------------------------------
def _conv_builder(n_timesteps, n_channels, units=4, kernel_size=3):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(units, kernel_size, padding="same")(inputs)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(hidden))


def test_keras_denoiser_routes_model_params_and_tunes_them(sines):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    from skdenoise import KerasDenoiser
    from skdenoise.noise import WhiteNoise

    noisy, clean = sines
    model = KerasDenoiser(_conv_builder, model__units=2, epochs=1, random_state=0)
    assert model.get_params()["model__units"] == 2
    assert clone(model).set_params(model__units=3).model__units == 3
    search = GridSearchCV(model, {"model__units": [2, 3]}, cv=2).fit(noisy, clean)
    assert search.best_estimator_.model_.layers[1].filters in (2, 3)
    # Noise on the fly, windowing and the SNR loss, as for the package's networks.
    from skdenoise.pipeline import WindowedDenoiser

    windowed = WindowedDenoiser(
        KerasDenoiser(
            _conv_builder,
            noise=WhiteNoise(snr=10),
            loss="snr",
            epochs=1,
            random_state=0,
        ),
        window_length=32,
    ).fit(clean)
    assert windowed.transform(noisy[:2, :50]).shape == (2, 50)


def test_keras_denoiser_reports_bad_models(sines, tmp_path):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    from skdenoise import KerasDenoiser

    noisy, clean = sines
    with pytest.raises(ValueError, match="unexpected keyword arguments"):
        KerasDenoiser(_conv_builder, units=3, epochs=1).fit(noisy, clean)
    # A clone (what GridSearchCV fits) keeps the typo, so fit still reports it.
    typo = KerasDenoiser(_conv_builder, units=3, epochs=1)
    assert typo.get_params()["units"] == 3
    with pytest.raises(ValueError, match="unexpected keyword arguments"):
        clone(typo).fit(noisy, clean)
    # set_params refuses a new name without the prefix, as scikit-learn does.
    with pytest.raises(ValueError, match=r"Invalid parameter 'units'.*model__units"):
        KerasDenoiser(_conv_builder).set_params(units=3)
    assert typo.set_params(units=4).units == 4  # one already stored
    # A typo ending in "_" was dropped by clone and taken for a fitted attribute.
    trailing = KerasDenoiser(_conv_builder, units_=3, epochs=1)
    assert clone(trailing).get_params()["units_"] == 3
    with pytest.raises(NotFittedError):
        trailing.transform(noisy)
    with pytest.raises(ValueError, match=r"unexpected keyword arguments \['units_'\]"):
        clone(trailing).fit(noisy, clean)
    # Saved, it would not load again (as a parameter of another version).
    from skdenoise.persistence import save

    with pytest.raises(
        ValueError, match=r"no parameters of KerasDenoiser: \['units_'\]"
    ):
        save(trailing, tmp_path / "typo.skd")
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="cannot call"):
        KerasDenoiser(_conv_builder, model__nope=1, epochs=1).fit(noisy, clean)
    with pytest.raises(ValueError, match="keras.Model"):
        KerasDenoiser(lambda n, c: None, epochs=1).fit(noisy, clean)
    with pytest.raises(ValueError, match="its input has shape"):
        KerasDenoiser(lambda n, c: _conv_builder(n, c + 1), epochs=1).fit(noisy, clean)


def test_keras_denoiser_round_trips_through_pickle_and_save(sines, tmp_path):
    import pickle

    from skdenoise import KerasDenoiser
    from skdenoise.persistence import load, save

    noisy, clean = sines
    model = KerasDenoiser(_conv_builder, model__units=2, epochs=1, random_state=0)
    model.fit(noisy, clean)
    expected = model.transform(noisy)
    np.testing.assert_allclose(
        pickle.loads(pickle.dumps(model)).transform(noisy), expected
    )
    restored = load(save(model, tmp_path / "own.skd"))
    assert restored.model is _conv_builder
    np.testing.assert_allclose(restored.transform(noisy), expected)


def _headed_builder(n_timesteps, n_channels, head=None):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(4, 3, padding="same")(inputs)
    return keras.Model(inputs, head(hidden))


def test_keras_denoiser_copies_a_keras_layer_given_as_hyper_parameter(sines):
    import keras

    from skdenoise import KerasDenoiser

    noisy, clean = sines
    head = keras.layers.Conv1D(1, 1)
    model = KerasDenoiser(_headed_builder, model__head=head, epochs=2, random_state=0)
    first = model.fit(noisy, clean).transform(noisy)
    # The layer was trained in place: the parameter changed, and a refit
    # started from its trained weights (another result for the same seed).
    assert model.model__head is head and not head.built
    assert all(layer is not head for layer in model.model_.layers)
    np.testing.assert_array_equal(model.fit(noisy, clean).transform(noisy), first)
    # A pretrained (built) layer: the network starts from a copy of its weights.
    head.build((None, 64, 4))
    before = [w.copy() for w in head.get_weights()]
    model.fit(noisy, clean)
    for kept, weight in zip(before, head.get_weights(), strict=True):
        np.testing.assert_array_equal(weight, kept)


def _two_outputs(n_timesteps, n_channels):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    out = keras.layers.Conv1D(n_channels, 1)(inputs)
    return keras.Model(inputs, [out, out])


def _dict_output(n_timesteps, n_channels):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    return keras.Model(inputs, {"series": keras.layers.Conv1D(n_channels, 1)(inputs)})


def _halving(n_timesteps, n_channels):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(n_channels, 1)(keras.layers.MaxPooling1D(2)(inputs))
    return keras.Model(inputs, keras.layers.UpSampling1D(2)(hidden))


def test_keras_denoiser_names_networks_of_several_outputs_or_another_length(sines):
    from skdenoise import KerasDenoiser

    noisy, clean = sines
    # A dict output was reported as "its output shape is ('series',)".
    with pytest.raises(ValueError, match="must have one output.*a list of 2"):
        KerasDenoiser(_two_outputs, epochs=1).fit(noisy, clean)
    with pytest.raises(ValueError, match="must have one output.*a dict of 1"):
        KerasDenoiser(_dict_output, epochs=1).fit(noisy, clean)
    # Two inputs got "must take series of shape" and Keras' advice to pass a
    # dict; an error inside the network keeps its traceback.
    with pytest.raises(
        ValueError, match="must have one input, the noisy series; it has 2"
    ):
        KerasDenoiser(_two_inputs, epochs=1).fit(noisy, clean)
    # A pooling network on an odd length: the message says what to set.
    with pytest.raises(ValueError, match=r"\(None, 62, 1\).*set length_multiple"):
        KerasDenoiser(_halving, epochs=1).fit(noisy[:, :63], clean[:, :63])
    model = KerasDenoiser(_halving, length_multiple=2, epochs=1, random_state=0)
    assert model.fit(noisy[:, :63], clean[:, :63]).transform(noisy[:, :63]).shape == (
        48,
        63,
    )


def _other_channels(n_timesteps, n_channels):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels + 1))
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(inputs))


def _flat_input(n_timesteps, n_channels):
    import keras

    inputs = keras.Input(shape=(n_timesteps,))
    return keras.Model(inputs, keras.layers.Dense(n_timesteps)(inputs))


@pytest.mark.parametrize(
    "builder, shape",
    [(_other_channels, r"\(None, 64, 2\)"), (_flat_input, r"\(None, 64\)")],
)
def test_keras_denoiser_names_a_network_whose_input_is_not_the_series(
    sines, builder, shape
):
    from skdenoise import KerasDenoiser

    noisy, clean = sines
    # One failed inside Model.fit with Keras' input-spec error, the other was
    # reported by its output shape (None, 64, 64).
    pattern = rf"shape \(batch, 64, 1\).*its input has shape {shape}"
    with pytest.raises(ValueError, match=pattern):
        KerasDenoiser(builder, epochs=1).fit(noisy, clean)


def _regularized_builder(n_timesteps, n_channels, lambda_=0.0):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    regularizer = keras.regularizers.L2(lambda_)
    outputs = keras.layers.Conv1D(
        n_channels, 3, padding="same", kernel_regularizer=regularizer
    )
    return keras.Model(inputs, outputs(inputs))


def test_a_model_param_ending_in_underscore_is_no_fitted_attribute(sines):
    from sklearn.exceptions import NotFittedError

    from skdenoise import KerasDenoiser

    noisy, clean = sines
    model = KerasDenoiser(_regularized_builder, model__lambda_=0.01, epochs=1)
    # check_is_fitted took model__lambda_ for a fitted attribute: transform
    # failed with "no attribute 'n_features_in_'".
    with pytest.raises(NotFittedError):
        model.transform(noisy)
    # A failed fit removed it with the fitted attributes.
    model.set_params(model__nope=1)
    with pytest.raises(ValueError, match="cannot call"):
        model.fit(noisy, clean)
    assert model.get_params()["model__lambda_"] == 0.01
    with pytest.raises(NotFittedError):
        model.transform(noisy)


def _compiled_builder(n_timesteps, n_channels):
    network = _conv_builder(n_timesteps, n_channels)
    network.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    return network


def _two_inputs(n_timesteps, n_channels):
    import keras

    a = keras.Input(shape=(n_timesteps, n_channels))
    b = keras.Input(shape=(n_timesteps, n_channels))
    return keras.Model([a, b], keras.layers.Add()([a, b]))


def test_keras_denoiser_warns_that_the_networks_compilation_is_replaced(sines):
    from skdenoise import KerasDenoiser

    noisy, clean = sines
    model = KerasDenoiser(_compiled_builder, epochs=1, random_state=0)
    # The loss and optimizer compiled in were replaced without a word.
    with pytest.warns(UserWarning, match="compiles the network itself.*ignored"):
        model.fit(noisy, clean)
    assert type(model.model_.optimizer).__name__ == "Adam"
    # Its metrics too (they ran at every epoch, into history_).
    assert sorted(model.history_) == ["loss", "val_loss"]


class _UnregisteredDouble:
    """A custom layer class made on first use (Keras is imported lazily)."""

    cls = None

    @classmethod
    def get(cls):
        import keras

        if cls.cls is None:

            class UnregisteredDouble(keras.layers.Layer):
                def call(self, inputs):
                    return 2.0 * inputs

            cls.cls = UnregisteredDouble
        return cls.cls


def _unregistered_builder(n_timesteps, n_channels):
    import keras

    inputs = keras.Input(shape=(n_timesteps, n_channels))
    doubled = _UnregisteredDouble.get()()(inputs)
    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 1)(doubled))


def test_an_unregistered_custom_layer_is_named_when_loading(sines, tmp_path):
    import pickle

    import keras

    from skdenoise import KerasDenoiser
    from skdenoise.persistence import load, save

    noisy, clean = sines
    model = KerasDenoiser(_unregistered_builder, epochs=1, random_state=0)
    data = pickle.dumps(model.fit(noisy, clean))
    # Keras' error was about deserialising the whole Functional model.
    pattern = "custom class 'UnregisteredDouble'.*register_keras_serializable"
    with pytest.raises(ValueError, match=pattern):
        pickle.loads(data)
    path = save(model, tmp_path / "own.skd")
    with pytest.raises(ValueError, match=pattern):
        load(path)
    # The way out the message gives works.
    layer = _UnregisteredDouble.get()
    with keras.saving.custom_object_scope({"UnregisteredDouble": layer}):
        restored = pickle.loads(data)
    np.testing.assert_allclose(restored.transform(noisy), model.transform(noisy))


def test_atomic_write_gives_the_permissions_of_a_plain_open(tmp_path):
    import os

    from skdenoise._files import atomic_write

    with atomic_write(tmp_path / "out.bin") as handle:
        handle.write(b"data")
    with open(tmp_path / "plain.bin", "wb") as handle:
        handle.write(b"data")
    mode = os.stat(tmp_path / "out.bin").st_mode & 0o777
    assert mode == os.stat(tmp_path / "plain.bin").st_mode & 0o777


def test_atomic_write_over_a_file_keeps_its_permissions_and_links(tmp_path):
    import os

    from skdenoise._files import atomic_write

    # A private model became world-readable when saved over.
    private = tmp_path / "private.skd"
    private.write_bytes(b"old")
    os.chmod(private, 0o600)
    with atomic_write(private) as handle:
        handle.write(b"new")
    assert private.read_bytes() == b"new"
    assert os.stat(private).st_mode & 0o777 == 0o600
    # Saving to current.skd -> v3.skd replaced the link by a file and left
    # v3.skd holding the old model.
    target = tmp_path / "v3.skd"
    target.write_bytes(b"old")
    link = tmp_path / "current.skd"
    link.symlink_to(target.name)
    with atomic_write(link) as handle:
        handle.write(b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "current.skd",
        "private.skd",
        "v3.skd",
    ]


def test_write_wfdb_over_a_record_keeps_its_permissions_and_links(tmp_path):
    import os

    pytest.importorskip("wfdb")
    from skdenoise.datasets import read_wfdb, write_wfdb

    signal = np.linspace(-1, 1, 50)[:, None]
    real = tmp_path / "real"
    real.mkdir()
    write_wfdb(real / "rec", signal, sampling_rate=100)
    for suffix in (".hea", ".dat"):
        os.chmod(real / f"rec{suffix}", 0o600)
        (tmp_path / f"rec{suffix}").symlink_to(real / f"rec{suffix}")
    write_wfdb(tmp_path / "rec", 2 * signal, sampling_rate=100)
    for suffix in (".hea", ".dat"):
        assert (tmp_path / f"rec{suffix}").is_symlink()
        assert os.stat(real / f"rec{suffix}").st_mode & 0o777 == 0o600
    np.testing.assert_allclose(read_wfdb(real / "rec").signal, 2 * signal, atol=3e-3)


def test_write_wfdb_moves_nothing_when_a_destination_is_a_folder(tmp_path):
    # The signal file was replaced, then the header's move failed on the
    # folder: a record half new, half old.
    pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    signal = np.linspace(-1, 1, 50)[:, None]
    write_wfdb(tmp_path / "rec", signal, sampling_rate=100)
    (tmp_path / "rec.hea").unlink()
    (tmp_path / "rec.hea").mkdir()
    before = (tmp_path / "rec.dat").read_bytes()
    with pytest.raises(IsADirectoryError):
        write_wfdb(tmp_path / "rec", 2 * signal, sampling_rate=100)
    assert (tmp_path / "rec.dat").read_bytes() == before
    assert (tmp_path / "rec.hea").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.dat", "rec.hea"]


def test_replace_files_refuses_two_names_of_one_file(tmp_path):
    # A link to the first destination: the second move replaced the file the
    # first had just written.
    from skdenoise._files import replace_files

    (tmp_path / "a.bin").write_bytes(b"old")
    (tmp_path / "link.bin").symlink_to("a.bin")
    sources = [tmp_path / "one", tmp_path / "two"]
    for source, data in zip(sources, (b"one", b"two"), strict=True):
        source.write_bytes(data)
    moves = [(sources[0], tmp_path / "a.bin"), (sources[1], tmp_path / "link.bin")]
    with pytest.raises(ValueError, match="are the same file"):
        replace_files(moves)
    assert (tmp_path / "a.bin").read_bytes() == b"old"
    assert all(source.exists() for source in sources)


def test_replace_files_waits_for_another_writer_of_the_folder(tmp_path):
    # Two commands writing one record at once (--overwrite) each moved some
    # of its files into place: a header of one run over the signal of the
    # other. The moves hold a lock of the folder where POSIX has flock; not
    # the folder itself, which a user's `flock OUTDIR command` holds.
    import os
    import threading
    import time

    fcntl = pytest.importorskip("fcntl")
    from skdenoise._files import _folders_locked, replace_files

    def move(name):
        source = tmp_path / f"staged_{name}"
        source.write_bytes(name.encode())
        done = threading.Event()
        mover = threading.Thread(
            target=lambda: (replace_files([(source, tmp_path / name)]), done.set())
        )
        mover.start()
        return mover, done

    handle = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)  # the user's own lock of the folder
    try:
        mover, done = move("a.dat")
        mover.join(timeout=10)
        assert done.is_set() and (tmp_path / "a.dat").read_bytes() == b"a.dat"
    finally:
        os.close(handle)
    with _folders_locked([tmp_path]):  # another writer, moving its files
        mover, done = move("b.dat")
        time.sleep(0.3)
        assert not done.is_set() and not (tmp_path / "b.dat").exists()
    mover.join(timeout=10)
    assert done.is_set() and (tmp_path / "b.dat").read_bytes() == b"b.dat"


def test_folder_locks_exclude_each_other_and_leave_no_files(tmp_path, monkeypatch):
    # A lock file was left in the temporary folder for every folder ever
    # written. Its holder now removes it: a waiter that opened the removed
    # file must not take that lock while another holds the new file's.
    import tempfile
    import threading
    import time

    pytest.importorskip("fcntl")
    from skdenoise._files import _folders_locked

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(temporary))
    target = tmp_path / "out"
    target.mkdir()
    inside, most, errors = [0], [0], []
    guard = threading.Lock()

    def writer():
        try:
            for _ in range(25):
                with _folders_locked([target]):
                    with guard:
                        inside[0] += 1
                        most[0] = max(most[0], inside[0])
                    time.sleep(0.002)
                    with guard:
                        inside[0] -= 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(thread.is_alive() for thread in threads)
    assert most[0] == 1
    (locks,) = temporary.iterdir()
    assert locks.name.startswith("skdenoise-locks-") and list(locks.iterdir()) == []


def test_an_interrupted_wait_for_a_folder_lock_leaves_no_file_open(
    tmp_path, monkeypatch
):
    # Ctrl-C while waiting for the lock left the lock file's handle open.
    import os
    import tempfile

    fcntl = pytest.importorskip("fcntl")
    from skdenoise import _files

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    opened, closed = [], []
    real_open, real_close = os.open, os.close

    def counting_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        opened.append(handle)
        return handle

    def counting_close(handle):
        closed.append(handle)
        real_close(handle)

    def interrupted(handle, operation):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(os, "close", counting_close)
    monkeypatch.setattr(fcntl, "flock", interrupted)
    with pytest.raises(KeyboardInterrupt):
        with _files._folders_locked([tmp_path]):
            pass
    assert opened and sorted(opened) == sorted(closed)


def test_replace_files_without_a_usable_temporary_folder(tmp_path, monkeypatch):
    # The folder lock lives in the temporary folder: a read-only root (no
    # usable one) failed every write; a write from the working folder, its
    # last resort, left the lock folder among the user's files.
    import tempfile

    from skdenoise._files import replace_files

    def no_temporary_folder():
        raise FileNotFoundError("No usable temporary directory found")

    monkeypatch.setattr(tempfile, "gettempdir", no_temporary_folder)
    (tmp_path / "a").write_bytes(b"a")
    replace_files([(tmp_path / "a", tmp_path / "a.dat")])
    assert (tmp_path / "a.dat").read_bytes() == b"a"
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b").write_bytes(b"b")
    replace_files([(tmp_path / "b", tmp_path / "b.dat")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dat", "b.dat"]


# Numbers written as text ------------------------------------------------------
@pytest.mark.parametrize(
    "X",
    [
        np.array([["1.0", "2.0", "3.0", "4.0"]] * 2),
        [["1.0", "2.0", "3.0", "4.0"]] * 2,
        np.array([["1.0", "2.0", "3.0", "4.0"]] * 2, dtype=object),
        np.array([[b"1", b"2", b"3", b"4"]] * 2),
    ],
    ids=["str-array", "str-list", "object-str", "bytes"],
)
def test_strings_are_refused_as_scikit_learn_refuses_them(X):
    # NumPy converted them to floats: the series were denoised without a word.
    with pytest.raises(ValueError, match=r"^X for MedianDenoiser holds (str|byt)"):
        MedianDenoiser().fit(X)
    fitted = MedianDenoiser().fit(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="holds (strings|bytes)"):
        fitted.transform(X)
    with pytest.raises(ValueError, match=r"^y for MedianDenoiser holds"):
        MedianDenoiser().fit(np.zeros((2, 4)), X)
    # Numbers in an object array are numbers.
    out = fitted.transform(np.zeros((2, 4), dtype=object))
    assert out.dtype == np.float64


def test_pandas_missing_values_in_an_object_array_are_named_as_nan():
    # DataFrame.to_numpy() of nullable columns holds pd.NA, which NumPy cannot
    # convert: scikit-learn's bare TypeError ("not 'NAType'") came back.
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [1.0, None, 3.0, 4.0]], dtype="Float64")
    X = frame.to_numpy()
    assert X.dtype == object
    with pytest.raises(ValueError, match=r"1 NaN value\(s\) \(the first at series 1"):
        MedianDenoiser().fit(X)
    before = X.copy()
    with pytest.raises(ValueError, match="NaN"):
        MedianDenoiser().fit(np.zeros((2, 4))).transform(X)
    assert X[1, 1] is pd.NA and (X[0] == before[0]).all()  # left as it was
    # A frame whose column holds pd.NA among numbers (of dtype object).
    mixed = pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [1.0, pd.NA, 3.0, 4.0]])
    for frame_x in (mixed, frame.astype(object)):
        with pytest.raises(ValueError, match=r"1 NaN value\(s\) \(the first at"):
            MedianDenoiser().fit(frame_x)
    # Without missing values it is a numeric array as any other.
    out = MedianDenoiser().fit(frame.fillna(0.0).to_numpy()).transform(X[:1])
    assert out.dtype == np.float64


def test_strings_are_refused_by_a_neural_denoiser(unet):
    X = np.full((2, 64), "0.5")
    with pytest.raises(ValueError, match=r"^X for UNetDenoiser holds strings"):
        unet.transform(X)
    from skdenoise import UNetDenoiser

    with pytest.raises(ValueError, match=r"^X for UNetDenoiser holds strings"):
        UNetDenoiser(epochs=1).fit(X.tolist())


@pytest.mark.parametrize(
    "name, params",
    [
        ("BandpassDenoiser", {"notch": True}),  # a notch at 1 Hz, silently
        ("MedianDenoiser", {"window_length": True}),  # the input unchanged
        ("UNetDenoiser", {"epochs": True}),
        ("UNetDenoiser", {"dropout": False}),
        ("UNetDenoiser", {"learning_rate": True}),
    ],
)
def test_a_bool_for_a_number_is_refused(name, params):
    # scikit-learn's intervals take True as 1 and False as 0.
    from sklearn.utils._param_validation import InvalidParameterError

    from skdenoise.utils import all_estimators

    cls = dict(all_estimators())[name]
    X = make_sines(16, 32, random_state=0)
    with pytest.raises(
        InvalidParameterError, match=f"{next(iter(params))}.*not a bool"
    ):
        cls(**params).fit(X)


def test_numpy_scalars_and_ints_are_taken_where_python_floats_are():
    # np.float32(1e-3) (or 1) passed the check and failed inside Keras.
    from skdenoise import UNetDenoiser

    X = make_sines(16, 32, random_state=0)
    settings = {"filters": 2, "depth": 1, "epochs": 1, "verbose": False}
    for rate in (np.float32(1e-3), np.int64(1), 1):
        model = UNetDenoiser(learning_rate=rate, random_state=0, **settings).fit(X)
        taken = float(np.asarray(model.model_.optimizer.learning_rate))
        assert taken == pytest.approx(float(rate), rel=1e-6)
    model = UNetDenoiser(weight_decay=np.float32(1e-4), optimizer="adamw", **settings)
    decay = model.fit(X).model_.optimizer.weight_decay
    assert float(decay) == pytest.approx(1e-4, rel=1e-6)


def test_a_huge_depth_is_named_before_two_to_its_power_is_computed():
    # 2 ** depth of depth=10**5 was too long to print ("Exceeds the limit
    # (4300 digits)"), and of 10**12 never finished.
    from skdenoise import UNetDenoiser

    X = make_sines(16, 32, random_state=0)
    for depth in (10**5, 10**12):
        with pytest.raises(ValueError, match=f"depth={depth} halves the series"):
            UNetDenoiser(depth=depth, epochs=1).fit(X)
        # Also where the check of the uncertainty builds the network first.
        with pytest.raises(ValueError, match=f"depth={depth} halves the series"):
            UNetDenoiser(
                depth=depth, epochs=1, dropout=0.1, uncertainty="mc_dropout"
            ).fit(X)
        with pytest.raises(ValueError, match=f"depth={depth} halves the series"):
            UNetDenoiser(
                depth=depth, epochs=1, dropout=0.1, uncertainty="mc_dropout"
            ).partial_fit(X)


# Masked, ragged and mixed-type arrays at the less travelled entry points ------
def test_masked_and_ragged_arrays_are_refused_by_write_wfdb_and_scale_noise(tmp_path):
    # The values under a mask (a fill value such as -9999) were written to
    # the record as samples, at a gain cut to fit them, and set the noise's
    # scale; ragged rows got numpy's "inhomogeneous shape" naming nothing.
    from skdenoise.datasets import write_wfdb
    from skdenoise.noise import scale_noise

    signal = np.ma.masked_array([[0.1], [0.2], [-9999.0], [0.3]])
    signal[2, 0] = np.ma.masked
    with pytest.raises(ValueError, match=r"signal holds a masked.*sample 2, channel"):
        write_wfdb(tmp_path / "rec", signal, sampling_rate=100.0)
    with pytest.raises(ValueError, match="signal holds series of different lengths"):
        write_wfdb(tmp_path / "rec", [[0.1, 0.2], [0.3]], sampling_rate=100.0)
    with pytest.raises(ValueError, match=r"non-empty array.*got shape \(4, 0\)"):
        write_wfdb(tmp_path / "rec", np.zeros((4, 0)), sampling_rate=100.0)
    for name, value, match in (
        ("adc_resolution", -1, "adc_resolution must hold bit counts from 0"),
        ("adc_resolution", 17, "adc_resolution must hold bit counts from 0"),
        ("adc_zero", 2**40, "adc_zero must hold integers that format 16 holds"),
    ):
        with pytest.raises(ValueError, match=match):
            write_wfdb(
                tmp_path / "rec", np.zeros((4, 1)), sampling_rate=100.0, **{name: value}
            )
    assert not list(tmp_path.iterdir())
    # Nothing masked: the data, written and read back; a resolution of 0 is
    # WFDB's "not given" (a header's, copied by skdenoise denoise).
    for resolution in (12, 0):
        write_wfdb(
            tmp_path / "rec",
            np.ma.masked_array([[0.1], [0.2]]),
            sampling_rate=100.0,
            adc_resolution=resolution,
            adc_zero=-2048,
        )
        signal = read_wfdb(tmp_path / "rec").signal[:, 0]
        np.testing.assert_allclose(signal, [0.1, 0.2])

    X = np.ma.masked_array(np.ones((1, 8)), mask=np.eye(1, 8, 3, dtype=bool))
    X.data[0, 3] = -9999.0
    noise = np.tile([1.0, -1.0], (1, 4))
    with pytest.raises(ValueError, match=r"X holds a masked.*series 0, timestep 3"):
        scale_noise(X, noise, 10.0)
    masked_noise = np.ma.masked_array(noise, mask=np.eye(1, 8, 3, dtype=bool))
    with pytest.raises(ValueError, match="noise holds a masked"):
        scale_noise(np.ones((1, 8)), masked_noise, 10.0)
    with pytest.raises(ValueError, match="noise holds series of different lengths"):
        scale_noise(np.ones((2, 2)), [[1.0, 2.0], [1.0]], 10.0)
    for empty in (np.empty((0, 8)), np.empty((1, 0))):
        with pytest.raises(ValueError, match=r"none of them 0; got shape"):
            scale_noise(empty, empty, 10.0)
    # Numbers held as objects are numbers, as for the noise models' apply;
    # floating noise scaled by an amplitude keeps its dtype.
    np.testing.assert_array_equal(
        scale_noise(np.ones((1, 8)).astype(object), noise.astype(object), 10.0),
        scale_noise(np.ones((1, 8)), noise, 10.0),
    )
    scaled = scale_noise(np.ones((1, 8)), noise.astype(np.float32), None, 2.0)
    assert scaled.dtype == np.float32


def test_ragged_targets_weights_and_named_arrays_get_clear_errors(sines):
    # numpy's "inhomogeneous shape" named no argument; sample weights lost
    # their mask or imaginary part, or took text as numbers; augment named
    # every array X.
    from skdenoise.augment import RandomScale
    from skdenoise.baselines import SavitzkyGolayDenoiser
    from skdenoise.metrics import snr_scorer
    from skdenoise.model_selection import j_invariant_transform

    noisy, clean = sines[0][:3], sines[1][:3]
    ragged = [list(clean[0]), list(clean[1][:10]), list(clean[2])]
    model = SavitzkyGolayDenoiser().fit(noisy)
    with pytest.raises(ValueError, match="y for SavitzkyGolayDenoiser.fit holds ser"):
        SavitzkyGolayDenoiser().fit(noisy, ragged)
    with pytest.raises(ValueError, match="y.* holds series of different lengths"):
        model.score(noisy, ragged)
    with pytest.raises(ValueError, match="y.* holds series of different lengths"):
        snr_scorer(model, noisy, ragged)
    with pytest.raises(ValueError, match="X.* holds series of different lengths"):
        j_invariant_transform(model, ragged)
    weights = np.ma.masked_array([1.0, 1.0, 1.0], mask=[False, True, False])
    for masked in (weights, [1.0, np.ma.masked, 1.0]):
        with pytest.raises(ValueError, match=r"holds 1 masked weight.*for series 1"):
            model.score(noisy, clean, sample_weight=masked)
    with pytest.raises(ValueError, match="sample_weight must hold one number per"):
        model.score(noisy, clean, sample_weight=[1.0, [1.0, 2.0], 1.0])
    for bad, what in (([1.0, 1j, 1.0], "complex"), (["1", "1", "1"], "strings")):
        with pytest.raises(ValueError, match=f"sample_weight holds {what}"):
            model.score(noisy, clean, sample_weight=bad)
    assert model.score(noisy, clean, sample_weight=[1, 1, 1]) == model.score(
        noisy, clean
    )
    target = clean.copy()
    target[1, 4] = np.nan
    with pytest.raises(ValueError, match=r"arrays\[1\] contains 1 NaN"):
        RandomScale().apply(noisy, target, random_state=0)
    with pytest.raises(ValueError, match=r"^X contains 1 NaN"):
        RandomScale().apply(target, random_state=0)


# Messages that name the problem (a second audit) ----------------------------
def _conv_builder(n_timesteps, n_channels, units=4):
    import keras

    inputs = keras.Input((n_timesteps, n_channels))
    hidden = keras.layers.Conv1D(units, 3, padding="same")(inputs)
    return keras.Model(
        inputs, keras.layers.Conv1D(n_channels, 3, padding="same")(hidden)
    )


@pytest.mark.parametrize(
    ("units", "error", "says"),
    [(0, ValueError, "strictly positive"), ("a", TypeError, "not supported")],
)
def test_keras_denoiser_names_the_model_value_its_builder_refused(
    sines, units, error, says
):
    from skdenoise import KerasDenoiser

    noisy, clean = sines
    model = KerasDenoiser(model=_conv_builder, model__units=units, epochs=1)
    with pytest.raises(error, match=says) as info:
        model.fit(noisy[:8], clean[:8])
    message = str(info.value)
    assert "KerasDenoiser's model raised" in message
    assert f"model(64, 1, **{{'units': {units!r}}})" in message
    # Keras' own error stays attached.
    assert isinstance(info.value.__cause__, error)


@pytest.mark.parametrize(
    "validation_data",
    [{"X": 1}, 3.0, "val.npy", (row for row in range(2))],
    ids=["dict", "number", "path", "generator"],
)
def test_validation_data_of_another_kind_is_named(sines, validation_data):
    from skdenoise import UNetDenoiser
    from skdenoise.windowing import WindowedDenoiser

    noisy, clean = sines
    network = UNetDenoiser(filters=2, depth=1, epochs=1)
    # The wrappers say the same (they check validation_data themselves).
    for model in (network, WindowedDenoiser(network, window_length=16)):
        with pytest.raises(
            TypeError, match="must be a tuple \\(X_val, y_val\\)"
        ) as info:
            model.fit(noisy[:8], clean[:8], validation_data=validation_data)
        assert f"got {type(validation_data).__name__}." in str(info.value)


def test_a_dict_as_x_is_named():
    with pytest.raises(TypeError, match="must be an array of series.*got a dict"):
        MedianDenoiser().fit({"a": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize("estimator", ["abc", None, 3])
def test_j_invariant_transform_needs_a_denoiser(sines, estimator):
    from skdenoise.model_selection import j_invariant_transform

    with pytest.raises(TypeError, match="must be a fitted denoiser with a transform"):
        j_invariant_transform(estimator, sines[0][:2])


def test_persistence_paths_that_are_not_paths(tmp_path):
    from skdenoise.persistence import load, save

    model = MedianDenoiser().fit(np.ones((2, 16)))
    for call in (lambda: load(None), lambda: save(model, None), lambda: load(3)):
        with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
            call()
    with pytest.raises(ValueError, match="path is empty"):
        load("")
    with pytest.raises(ValueError, match="path is empty"):
        save(model, "")
    # bytes name a file as str does.
    written = save(model, str(tmp_path / "m.skd").encode())
    assert written == tmp_path / "m.skd"
    assert isinstance(load(bytes(written)), MedianDenoiser)
    # A file where the folder should be is named as such.
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="file.txt is a file, not a folder"):
        save(model, tmp_path / "file.txt" / "m.skd")


def test_an_unwritable_folder_is_named_not_a_temporary_file(tmp_path, monkeypatch):
    import tempfile

    from skdenoise.persistence import save

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/somewhere/.m.skd.xyz")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as info:
        save(MedianDenoiser().fit(np.ones((2, 16))), tmp_path / "m.skd")
    message = str(info.value)
    assert f"cannot write a file in the folder {tmp_path}" in message
    assert ".xyz" not in message and "m.skd" in message


def test_return_std_must_be_a_bool(unet, sines):
    from skdenoise import UNetDenoiser
    from skdenoise.windowing import WindowedDenoiser

    windowed = WindowedDenoiser(
        UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0), window_length=16
    ).fit(sines[0][:4], sines[1][:4])
    for value in ("no", None, 1, 0.0):
        for model in (unet, windowed):
            with pytest.raises(TypeError, match="return_std must be True or False"):
                model.predict(sines[0][:2], return_std=value)
    # NumPy's bools are bools.
    np.testing.assert_array_equal(
        unet.predict(sines[0][:2], return_std=np.False_), unet.transform(sines[0][:2])
    )


def test_a_class_given_as_the_inner_estimator_is_named(sines):
    from skdenoise.windowing import ResampledDenoiser, WindowedDenoiser

    for meta in (
        WindowedDenoiser(MedianDenoiser, window_length=16),
        ResampledDenoiser(
            MedianDenoiser, sampling_rate=100, estimator_sampling_rate=50
        ),
    ):
        with pytest.raises(TypeError, match="must be an estimator instance, such as"):
            meta.fit(sines[0][:4])
