"""Published ECG denoisers (FCN-DAE, DRNN, DeepFilter) and the wavelet U-Net."""

import os
import pickle

os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402

import skdenoise  # noqa: E402
from skdenoise.datasets import make_ecg  # noqa: E402
from skdenoise.metrics import snr  # noqa: E402
from skdenoise.noise import WhiteNoise  # noqa: E402

NAMES = [
    "FCNDAEDenoiser",
    "DRNNDenoiser",
    "DeepFilterDenoiser",
    "WaveletUNetDenoiser",
]

# Small networks that learn the SNR test task within a few epochs.
LEARNING = {
    "FCNDAEDenoiser": {"filters": (16, 16), "kernel_size": 9, "bottleneck_filters": 4},
    "DRNNDenoiser": {"units": 16, "dense_units": (16, 16)},
    "DeepFilterDenoiser": {"filters": (16, 16, 8, 8)},
    "WaveletUNetDenoiser": {"level": 3, "filters": 8, "depth": 2},
}


def _cls(name):
    return getattr(skdenoise, name)


def _tiny(name, **params):
    cls = _cls(name)
    return cls(**{**cls._get_test_params(), **params})


def _series(shape, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 6, shape[1])
    phase = rng.uniform(0, 6, (shape[0], 1))
    clean = np.sin(t + phase)
    if len(shape) == 3:
        clean = np.stack([clean * (c + 1) for c in range(shape[2])], axis=-1)
    noisy = clean + rng.normal(0, 0.3, clean.shape)
    return noisy.astype(dtype), clean.astype(dtype)


@pytest.fixture(scope="module")
def ecg_task():
    clean = make_ecg(80, 200, sampling_rate=100.0, random_state=0)
    noisy = WhiteNoise(snr=0.0).apply(clean, random_state=1)
    return noisy[:64], clean[:64], noisy[64:], clean[64:]


def test_exported_lazily():
    for name in NAMES:
        assert name in skdenoise.__all__
    for name in ["build_fcn_dae", "build_drnn", "build_deepfilter"]:
        assert name in skdenoise.networks.__all__


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "shape, dtype",
    [((6, 37), np.float64), ((6, 37, 2), np.float32), ((5, 3), np.float64)],
)
def test_fit_transform_keeps_shape_and_dtype(name, shape, dtype):
    X, y = _series(shape, dtype=dtype)
    X_before = X.copy()
    out = _tiny(name).fit(X, y).transform(X)
    assert out.shape == X.shape
    assert out.dtype == dtype
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(X, X_before)


@pytest.mark.parametrize("name", NAMES)
def test_improves_snr_on_noisy_ecg(name, ecg_task):
    X, y, X_test, y_test = ecg_task
    model = _cls(name)(
        **LEARNING[name], epochs=6, batch_size=8, learning_rate=3e-3, random_state=0
    )
    out = model.fit(X, y).transform(X_test)
    assert snr(y_test, out) > snr(y_test, X_test) + 3.0


@pytest.mark.parametrize("name", NAMES)
def test_seeded_clone_pickle_and_save_reproduce(name, tmp_path):
    from skdenoise.persistence import load, save

    X, y = _series((8, 40))
    model = _tiny(name, epochs=2).fit(X, y)
    expected = model.transform(X)
    np.testing.assert_array_equal(clone(model).fit(X, y).transform(X), expected)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(X), expected)
    save(model, tmp_path / "model.zip")
    loaded = load(tmp_path / "model.zip")
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.transform(X), expected)


@pytest.mark.parametrize("name", NAMES)
def test_get_params_lists_the_hyper_parameters(name):
    model = _cls(name)()
    params = model.get_params()
    for key, value in _cls(name)._get_test_params().items():
        assert key in params
        model.set_params(**{key: value})
        assert model.get_params()[key] == value
    assert clone(model).get_params() == model.get_params()


def test_defaults_are_the_papers():
    assert skdenoise.FCNDAEDenoiser().get_params()["filters"] == (40, 20, 20, 20, 40)
    assert skdenoise.FCNDAEDenoiser().kernel_size == 16
    assert skdenoise.DRNNDenoiser().units == 64
    assert skdenoise.DRNNDenoiser().dense_units == (64, 64)
    deepfilter = skdenoise.DeepFilterDenoiser()
    assert deepfilter.filters == (64, 64, 32, 32, 16, 16)
    assert deepfilter.kernel_sizes == (3, 5, 9, 15)


def test_fcn_dae_layer_list():
    from skdenoise.networks import build_fcn_dae

    model = build_fcn_dae(1024, 1)
    shapes = [
        tuple(layer.output.shape[1:])
        for layer in model.layers
        if type(layer).__name__ in ("Conv1D", "Conv1DTranspose")
    ]
    assert shapes == [
        (512, 40),
        (256, 20),
        (128, 20),
        (64, 20),
        (32, 40),
        (32, 1),
        (32, 1),
        (64, 40),
        (128, 20),
        (256, 20),
        (512, 20),
        (1024, 40),
        (1024, 1),
    ]
    kinds = {type(layer).__name__ for layer in model.layers}
    assert "Dense" not in kinds
    assert (
        sum(type(layer).__name__ == "BatchNormalization" for layer in model.layers)
        == 12
    )
    assert skdenoise.FCNDAEDenoiser()._length_multiple() == 32


def test_drnn_layer_list():
    from skdenoise.networks import build_drnn

    model = build_drnn(512, 1)
    layers = [
        (type(layer).__name__, layer.output.shape[-1]) for layer in model.layers[1:]
    ]
    assert layers == [("LSTM", 64), ("Dense", 64), ("Dense", 64), ("Dense", 1)]
    assert model.layers[-1].get_config()["activation"] == "linear"


def test_deepfilter_blocks():
    from skdenoise.networks import build_deepfilter

    model = build_deepfilter(512, 1)
    widths = [
        layer.output.shape[-1]
        for layer in model.layers
        if type(layer).__name__ == "Concatenate"
    ]
    # Undilated blocks: 8 branches of width / 8; dilated blocks: 6 of width // 6.
    assert widths == [64, 60, 32, 30, 16, 12]
    block1 = [layer for layer in model.layers if layer.name.startswith("block1_")]
    convs = [layer for layer in block1 if type(layer).__name__ == "Conv1D"]
    assert sorted(c.kernel_size[0] for c in convs) == [5, 5, 9, 9, 15, 15]
    assert {c.dilation_rate[0] for c in convs} == {3}
    assert {c.get_config()["activation"] for c in convs} == {"linear", "relu"}
    assert model.output.shape[1:] == (512, 1)


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("FCNDAEDenoiser", {"filters": ()}, "filters"),
        ("FCNDAEDenoiser", {"filters": (4, 0)}, "filters"),
        ("DRNNDenoiser", {"dense_units": (4, -1)}, "dense_units"),
        ("DeepFilterDenoiser", {"kernel_sizes": (3, 1.5)}, "kernel_sizes"),
        ("DeepFilterDenoiser", {"dilated_kernel_sizes": (True,)}, "dilated"),
        # Keras' "The name ... is used 2 times in the model".
        ("DeepFilterDenoiser", {"kernel_sizes": [3, 3]}, "'kernel_sizes'.*repeat"),
        ("WaveletUNetDenoiser", {"wavelet": "bior2.2"}, "orthogonal"),
        ("WaveletUNetDenoiser", {"wavelet": "morl"}, "wavelet"),
        ("WaveletUNetDenoiser", {"wavelet": "nope"}, "wavelet"),
        ("WaveletUNetDenoiser", {"level": 0}, "level"),
    ],
)
def test_bad_parameters_raise_value_error(name, params, match):
    X, y = _series((4, 16))
    with pytest.raises(ValueError, match=match):
        _tiny(name, **params).fit(X, y)


def test_drnn_without_hidden_layers_and_partial_fit():
    X, y = _series((6, 20))
    model = _tiny("DRNNDenoiser", dense_units=()).fit(X, y)
    assert model.partial_fit(X, y).n_epochs_ == 2
    assert model.transform(X).shape == X.shape


def test_wavelet_unet_network_input_is_series_and_swt_bands():
    import pywt

    X, y = _series((3, 37, 2))
    model = _tiny("WaveletUNetDenoiser", level=3, depth=1).fit(X, y)
    assert model._length_multiple() == 8
    assert model.model_.input_shape == (None, 40, 2 * 5)
    padded = np.random.default_rng(0).normal(size=(3, 40, 2))
    features = model._to_network(padded)
    np.testing.assert_array_equal(features[..., :2], padded)
    bands = pywt.swt(padded, "db2", level=3, axis=1, trim_approx=True, norm=True)
    np.testing.assert_allclose(features[..., 2:], np.concatenate(bands, axis=-1))


@pytest.mark.parametrize(
    "builder, kwargs, message",
    [
        ("build_conv_autoencoder", {"n_timesteps": 65, "depth": 2}, "multiple of 4"),
        ("build_vae", {"n_timesteps": 65, "depth": 2}, "multiple of 4"),
        ("build_vae", {"n_timesteps": None}, "needs a fixed n_timesteps"),
        ("build_fcn_dae", {"n_timesteps": 65, "filters": (4, 4)}, "multiple of 4"),
        ("build_fcn_dae", {"n_timesteps": 64, "filters": 4}, "sequence of ints"),
        ("build_unet", {"n_timesteps": 65, "depth": 2}, "multiple of 4"),
        ("build_unet", {"n_timesteps": 64, "depth": -1}, "depth must be >= 0"),
        ("build_cnn_lstm", {"n_timesteps": 64, "pool_size": 3}, "multiple of 3"),
        ("build_recurrent", {"n_timesteps": 64, "cell": "GRU"}, "cell must be one"),
        ("build_deepfilter", {"n_timesteps": 64, "kernel_sizes": ()}, "at least one"),
        (
            "build_deepfilter",
            {"n_timesteps": 64, "dilated_kernel_sizes": 5},
            "dilated_kernel_sizes must be a sequence",
        ),
        ("build_drnn", {"n_timesteps": 64, "dense_units": 8}, "sequence of ints"),
        # Keras's "Cannot convert '(1, 10.0)' to a shape" before.
        ("build_drnn", {"n_timesteps": 64, "units": 2.5}, "units must be an int"),
        # A purely linear network (no recurrent layer) before; a dropout of
        # 2 dropped every input; a negative KL weight built in silence.
        ("build_recurrent", {"n_timesteps": 64, "n_layers": 0}, "n_layers must be"),
        ("build_recurrent", {"n_timesteps": 64, "units": 0}, "units must be >= 1"),
        ("build_recurrent", {"n_timesteps": 64, "dropout": 2.0}, r"dropout .*\[0, 1\)"),
        ("build_vae", {"n_timesteps": 64, "beta": -1.0}, "beta must be a finite"),
        ("build_vae", {"n_timesteps": 64, "latent_dim": 0}, "latent_dim must be"),
        ("build_unet", {"n_timesteps": 64, "filters": 0}, "filters must be >= 1"),
        ("build_unet", {"n_timesteps": 64, "attention_heads": -1}, "attention_heads"),
        ("build_unet", {"n_timesteps": 64, "max_filters": 0}, "max_filters must be"),
        ("build_unet", {"n_timesteps": 64, "batch_norm": 1}, "batch_norm"),
        (
            "build_conv_autoencoder",
            {"n_timesteps": 64, "kernel_size": 0},
            "kernel_size must be >= 1",
        ),
        ("build_cnn_lstm", {"n_timesteps": 64, "units": 0}, "units must be >= 1"),
        # A string for a bool built a bidirectional network; a length or a
        # channel count of 0 built an empty network or failed in Keras naming
        # another argument.
        ("build_recurrent", {"n_timesteps": 64, "bidirectional": "no"}, "bidirect"),
        ("build_cnn_lstm", {"n_timesteps": 64, "bidirectional": "no"}, "bidirect"),
        ("build_recurrent", {"n_timesteps": 0}, "n_timesteps must be >= 1"),
        ("build_recurrent", {"n_timesteps": 64, "n_channels": 0}, "n_channels must"),
        ("build_cnn_lstm", {"n_timesteps": 64, "n_channels": 0}, "n_channels must"),
        ("build_vae", {"n_timesteps": 64, "n_channels": 0}, "n_channels must"),
        ("build_unet", {"n_timesteps": 64, "n_channels": 0}, "n_channels must"),
        (
            "build_conv_autoencoder",
            {"n_timesteps": 64, "n_channels": 0},
            "n_channels must",
        ),
        # The published networks built an empty network, took a string for a
        # bool, or failed in Keras without naming the argument.
        ("build_drnn", {"n_timesteps": 0}, "n_timesteps must be >= 1"),
        ("build_deepfilter", {"n_timesteps": 0}, "n_timesteps must be >= 1"),
        ("build_deepfilter", {"n_timesteps": 64, "batch_norm": "no"}, "batch_norm"),
        # 1 == True: an int passed for the bool.
        ("build_deepfilter", {"n_timesteps": 64, "batch_norm": 1}, "batch_norm"),
        ("build_fcn_dae", {"n_timesteps": 64, "batch_norm": 0}, "batch_norm"),
        (
            "build_deepfilter",
            {"n_timesteps": 64, "output_kernel_size": 0},
            "output_kernel_size must be >= 1",
        ),
        ("build_fcn_dae", {"n_timesteps": 64, "kernel_size": 0}, "kernel_size must"),
        (
            "build_fcn_dae",
            {"n_timesteps": 64, "bottleneck_filters": 0},
            "bottleneck_filters must be >= 1",
        ),
        # Keras' "The name 'block0_linear3' is used 2 times in the model", its
        # "Could not interpret activation function identifier", and a truthy
        # string taken for True.
        ("build_deepfilter", {"n_timesteps": 64, "kernel_sizes": (3, 3)}, "repeat"),
        (
            "build_deepfilter",
            {"n_timesteps": 64, "dilated_kernel_sizes": (5, 9, 5)},
            "dilated_kernel_sizes must not repeat",
        ),
        ("build_drnn", {"n_timesteps": 64, "activation": "nope"}, "build_drnn: act"),
        ("build_fcn_dae", {"n_timesteps": 64, "activation": "nope"}, "activation"),
        (
            "build_recurrent",
            {"n_timesteps": 64, "activation": "nope"},
            "build_recurrent: activation must be a Keras activation",
        ),
        ("build_unet", {"n_timesteps": 64, "residual": "no"}, "residual must be"),
        ("build_unet", {"n_timesteps": 64, "global_context": "no"}, "global_context"),
    ],
)
def test_network_builders_name_a_bad_length_or_argument(builder, kwargs, message):
    # A network whose output was shorter than its input, or Keras' error about
    # a layer deep inside it.
    from skdenoise import networks

    build = getattr(networks, builder)
    with pytest.raises(ValueError, match=message):
        build(**{"n_channels": 1, **kwargs})


@pytest.mark.parametrize("precision", ["mixed_bfloat16", "mixed_float16"])
def test_the_wavelet_unets_series_passes_through_in_float32(precision):
    # The residual path was cast to 16 bits: an input with no correction came
    # back changed by up to 5e-3 of its unit amplitude.
    from skdenoise._tf import import_keras
    from skdenoise.neural._base import _dtype_policy
    from skdenoise.neural.networks._wavelet_unet import build_wavelet_unet

    keras = import_keras()
    with pytest.raises(ValueError, match="filters must be >= 1"):
        build_wavelet_unet(32, 2, n_bands=2, filters=0)
    # A model of 0 input channels was built, or Keras failed on 0 channels; a
    # string was taken for residual=True.
    with pytest.raises(ValueError, match="n_bands must be >= 0"):
        build_wavelet_unet(32, 2, n_bands=-1)
    with pytest.raises(ValueError, match="n_channels must be >= 1"):
        build_wavelet_unet(32, 0, n_bands=2)
    with pytest.raises(ValueError, match="residual must be one of"):
        build_wavelet_unet(32, 1, n_bands=2, residual="no")
    with _dtype_policy(precision):
        model = build_wavelet_unet(32, 2, n_bands=2, filters=4, depth=2)
    last = [layer for layer in model.layers if layer.weights][-1]
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    X = np.random.default_rng(0).normal(size=(3, 32, 2 * 3)).astype("float32")
    out = keras.ops.convert_to_numpy(model(X))
    np.testing.assert_array_equal(out, X[..., :2])


def test_network_builders_take_what_the_estimators_constraints_accept():
    # scikit-learn's constraints accept bools as numbers, and numpy integers:
    # the builders' checks must not refuse what the estimator let through.
    from skdenoise import networks

    model = networks.build_unet(
        64, 1, filters=4, depth=2, dropout=False, attention_heads=False
    )
    assert model.output_shape == (None, 64, 1)

    def layers(model, kind):
        return [layer for layer in model.layers if type(layer).__name__ == kind]

    # Each count is taken as the number it stands for (not as a default).
    vae = networks.build_vae(
        np.int64(64), 1, filters=2, depth=1, latent_dim=2, beta=True
    )
    assert vae.output_shape == (None, 64, 1)
    assert len(layers(vae, "Conv1DTranspose")) == 1
    recurrent = networks.build_recurrent(16, 1, units=np.int32(2), n_layers=True)
    (bidirectional,) = layers(recurrent, "Bidirectional")
    assert bidirectional.forward_layer.units == 2
    # Counts that some builders refused as bools while the others took them.
    unet = networks.build_unet(16, 1, filters=2, depth=True)
    assert len(layers(unet, "MaxPooling1D")) == 1
    cnn_lstm = networks.build_cnn_lstm(16, 1, filters=2, units=2, pool_size=True)
    assert [layer.pool_size for layer in layers(cnn_lstm, "MaxPooling1D")] == [(1,)]
    drnn = networks.build_drnn(16, 1, units=True)
    assert [layer.units for layer in layers(drnn, "LSTM")] == [1]
    deepfilter = networks.build_deepfilter(16, 1, dilation_rate=True)
    assert {layer.dilation_rate for layer in layers(deepfilter, "Conv1D")} == {(1,)}
    autoencoder = networks.build_conv_autoencoder(16, 1, filters=2, depth=True)
    assert len(layers(autoencoder, "Conv1DTranspose")) == 1


def test_deepfilter_takes_a_numpy_integer_dilation():
    # GridSearchCV over np.arange gives np.int64: the checked value was thrown
    # away and Keras refused the NumPy integer.
    from skdenoise import networks

    model = networks.build_deepfilter(16, 1, dilation_rate=np.int64(2))
    assert model.output_shape == (None, 16, 1)


@pytest.mark.parametrize(
    "estimator, builder",
    [
        ("LSTMDenoiser", "build_recurrent"),
        ("GRUDenoiser", "build_recurrent"),
        ("CNNLSTMDenoiser", "build_cnn_lstm"),
        ("ConvAutoencoderDenoiser", "build_conv_autoencoder"),
        ("VAEDenoiser", "build_vae"),
        ("UNetDenoiser", "build_unet"),
        ("FCNDAEDenoiser", "build_fcn_dae"),
        ("DRNNDenoiser", "build_drnn"),
        ("DeepFilterDenoiser", "build_deepfilter"),
    ],
)
def test_builders_default_to_their_estimators_settings(estimator, builder):
    # build_vae weighed the KL term with beta=1.0, VAEDenoiser with 0.1:
    # KerasDenoiser(model=build_vae) trained another network than VAEDenoiser.
    import inspect

    import skdenoise
    from skdenoise import networks

    params = getattr(skdenoise, estimator)().get_params(deep=False)
    signature = inspect.signature(getattr(networks, builder)).parameters
    shared = sorted(set(params) & set(signature))
    assert shared
    assert {n: signature[n].default for n in shared} == {n: params[n] for n in shared}
