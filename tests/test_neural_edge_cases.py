"""Edge cases of the neural denoisers: offsets through the gate, parameters
changed after fit, failed first partial fits, the user's own Keras networks."""

import numpy as np
import pytest
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
    with pytest.raises(ValueError, match="changed since fit"):
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


def test_columns_scaled_apart_still_get_a_map_per_timestep(pairs):
    noisy, clean = pairs
    columns = np.linspace(0.25, 1.0, clean.shape[1])
    model = _unet(epochs=1, gate=None).fit(noisy / columns, clean)
    assert model.target_scale_.shape == (1, clean.shape[1], 1)
    # Each column's estimate comes from 80 noisy series.
    np.testing.assert_allclose(model.target_scale_[0, :, 0], columns, rtol=0.25)
