"""Fitted pipelines survive pickle, joblib and skdenoise's pickle-free save/load."""

import io
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)

import skdenoise
from skdenoise import persistence
from skdenoise.augment import AugmentationChain, RandomFlip, RandomTimeWarp
from skdenoise.baselines import (
    BandpassDenoiser,
    MedianDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)
from skdenoise.datasets import make_sines
from skdenoise.noise import (
    ColoredNoise,
    NoiseMixture,
    PowerlineNoise,
    RecordedNoise,
    WhiteNoise,
)
from skdenoise.persistence import FORMAT_VERSION, load, save
from skdenoise.pipeline import SeriesScaler, SeriesWindower, WindowedDenoiser

from ._discovery import public_estimators, tiny_instance


def tiny_unet(**params):
    from skdenoise import UNetDenoiser

    defaults = {"filters": 4, "depth": 1, "kernel_size": 3, "epochs": 1}
    return UNetDenoiser(**{**defaults, "random_state": 0, **params})


@pytest.fixture(scope="module")
def series():
    clean = make_sines(6, 80, random_state=0)
    noisy = clean + 0.3 * np.random.default_rng(0).standard_normal(clean.shape)
    return noisy, clean


@pytest.fixture(scope="module")
def neural_pipeline(series):
    noisy, clean = series
    windowed = WindowedDenoiser(
        tiny_unet(noise=ColoredNoise(alpha=1, snr=5)), window_length=32
    )
    return make_pipeline(SeriesScaler(), windowed).fit(noisy, clean)


def assert_same(a, b, where="estimator"):
    """Deep equality of estimators, arrays and containers (Keras models by weights)."""
    if isinstance(a, BaseEstimator):
        assert type(a) is type(b), where
        assert set(vars(a)) == set(vars(b)), where
        for key in vars(a):
            assert_same(vars(a)[key], vars(b)[key], f"{where}.{key}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        assert a.shape == b.shape and np.array_equal(a, b), where
    elif isinstance(a, np.generic):
        assert type(a) is type(b) and a == b, where
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert set(a) == set(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, np.random.RandomState):
        state_a, state_b = a.get_state(), b.get_state()
        assert np.array_equal(state_a[1], state_b[1]) and state_a[2:] == state_b[2:]
    elif hasattr(a, "get_weights"):
        for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
            assert np.array_equal(wa, wb), where
    else:
        assert type(a) is type(b) and a == b, where


def round_trip(estimator, tmp_path, name="model.skd"):
    return load(save(estimator, tmp_path / name))


# --------------------------------------------------------------- pickle/joblib
def test_pickle_and_joblib_keep_the_outputs(neural_pipeline, series, tmp_path):
    noisy, _ = series
    expected = neural_pipeline.transform(noisy[:, :70])
    from_pickle = pickle.loads(pickle.dumps(neural_pipeline))
    joblib.dump(neural_pipeline, tmp_path / "pipe.joblib")
    from_joblib = joblib.load(tmp_path / "pipe.joblib")
    for restored in (from_pickle, from_joblib):
        assert np.array_equal(restored.transform(noisy[:, :70]), expected)
        assert (
            restored[-1].estimator_.history_ == neural_pipeline[-1].estimator_.history_
        )


# ----------------------------------------------------------------- save/load
def test_save_load_neural_pipeline(neural_pipeline, series, tmp_path):
    noisy, _ = series
    path = save(neural_pipeline, tmp_path / "pipe.skd")
    restored = load(path)
    assert_same(neural_pipeline, restored)
    assert np.array_equal(restored.transform(noisy), neural_pipeline.transform(noisy))
    recording = noisy.reshape(1, -1)
    assert np.array_equal(
        restored.transform(recording), neural_pipeline.transform(recording)
    )

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        for name in names:
            if name.endswith(".npy"):
                np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
    assert manifest["format"] == "skdenoise-estimator"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["skdenoise_version"]
    assert [n for n in names if n.startswith("models/")] == ["models/0.keras"]
    tree = manifest["estimator"]
    assert tree["__estimator__"] == "sklearn.pipeline:Pipeline"
    step = tree["params"]["steps"][1]["__tuple__"][1]
    assert step["__estimator__"] == "skdenoise.windowing:WindowedDenoiser"
    inner = step["params"]["estimator"]
    assert inner["__estimator__"] == "skdenoise:UNetDenoiser"
    assert inner["params"]["noise"]["__estimator__"] == "skdenoise.noise:ColoredNoise"
    assert inner["params"]["noise"]["params"]["alpha"] == 1


def test_keras_models_are_loaded_in_safe_mode(neural_pipeline, tmp_path, monkeypatch):
    from skdenoise._tf import import_keras

    keras = import_keras()
    real = keras.saving.load_model
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(keras.saving, "load_model", spy)
    round_trip(neural_pipeline, tmp_path)
    assert calls and all(call.get("safe_mode") is True for call in calls)


def _with_a_lambda_layer(marker):
    """A fitted U-Net whose network is replaced by one with a Lambda layer."""
    from skdenoise._tf import import_keras

    keras = import_keras()
    X = np.random.default_rng(0).normal(size=(8, 32))
    unet = tiny_unet(validation_split=0).fit(X, X)
    # The lambda leaves a mark wherever it runs (a file's code, run by load).
    touch = eval(
        f"lambda z: (__import__('pathlib').Path({str(marker)!r}).touch(), z)[1]"
    )
    inputs = keras.Input((32, 1))
    unet.model_ = keras.Model(inputs, keras.layers.Lambda(touch)(inputs))
    marker.unlink()
    return unet


def test_a_network_that_load_cannot_read_is_refused_by_save(tmp_path):
    # Keras writes a Python lambda as bytecode and loads it only outside its
    # safe mode: save wrote a file that load could never read back.
    unet = _with_a_lambda_layer(tmp_path / "ran")
    with pytest.raises(TypeError, match=r"holds a Python lambda \(layer 'lambda"):
        save(unet, tmp_path / "lambda.skd")
    assert not (tmp_path / "lambda.skd").exists()


@pytest.mark.parametrize(
    "failure",
    [OSError(28, "No space left on device"), DeprecationWarning("made an error")],
    ids=["disk-full", "warning-as-error"],
)
def test_save_passes_on_what_is_not_the_models_fault(tmp_path, monkeypatch, failure):
    # Every failure of Keras' save read "cannot be saved in Keras' format"
    # (a TypeError): a full disk, or a warning that the caller's filters
    # turn into an error, said the model was at fault.
    import keras

    X = np.random.default_rng(0).normal(size=(8, 64)).astype(np.float32)
    fitted = tiny_unet().fit(X, X)

    def failing(*args, **kwargs):
        raise failure

    monkeypatch.setattr(keras.saving, "save_model", failing)
    with pytest.raises(type(failure)) as info:
        save(fitted, tmp_path / "model.skd")
    assert info.value is failure
    assert not (tmp_path / "model.skd").exists()


def test_load_keeps_safe_mode_when_keras_turned_it_off(tmp_path, monkeypatch):
    from keras.src.backend.common import global_state

    from skdenoise import _persistence
    from skdenoise._tf import import_keras

    marker = tmp_path / "ran"
    unet = _with_a_lambda_layer(marker)
    with monkeypatch.context() as patch:  # a file of another writer
        patch.setattr(_persistence, "_check_loads_safely", lambda *args: None)
        path = save(unet, tmp_path / "untrusted.skd")
    before = global_state.get_global_attribute("safe_mode_saving")
    # What Keras' own refusal tells users to call: it turned safe mode off
    # for skdenoise's load too, and the file's lambda ran inside it.
    import_keras().config.enable_unsafe_deserialization()
    try:
        with pytest.raises(ValueError, match="safe mode only, whatever keras.config"):
            load(path)
    finally:
        global_state.set_global_attribute("safe_mode_saving", before)
    assert not marker.exists()


@pytest.mark.parametrize(
    "cls", [cls for _, cls in public_estimators()], ids=lambda cls: cls.__name__
)
def test_every_public_estimator_round_trips(cls, tmp_path):
    X = np.random.default_rng(0).normal(size=(8, 64)).astype(np.float32)
    fitted = tiny_instance(cls).fit(X, X)
    restored = round_trip(fitted, tmp_path)
    assert_same(fitted, restored)
    assert np.array_equal(restored.transform(X), fitted.transform(X))


def test_save_load_denoiser_with_augmentation_and_snr_loss(series, tmp_path):
    noisy, clean = series
    augment = AugmentationChain([RandomFlip(time=True), RandomTimeWarp((0.9, 1.1))])
    fitted = tiny_unet(augment=augment, loss="snr").fit(noisy, clean)
    restored = round_trip(fitted, tmp_path)
    assert_same(fitted, restored)
    assert restored.get_params()["augment__steps"][1].factor == (0.9, 1.1)
    assert np.array_equal(restored.transform(noisy), fitted.transform(noisy))


@pytest.mark.parametrize(
    "estimator",
    [
        WaveletDenoiser(wavelet="sym4", threshold="sure"),
        BandpassDenoiser(low_cutoff=0.5, high_cutoff=20.0, sampling_rate=100.0),
        SavitzkyGolayDenoiser(window_length=101),
        WienerDenoiser(noise_power=0.1),
        MedianDenoiser(window_length=7),
        SeriesScaler(method="robust"),
        SeriesWindower(window_length=16, stride=5, taper="triangular"),
        WindowedDenoiser(MedianDenoiser(), window_length=32, chunk_windows=3),
        make_pipeline(RobustScaler(), MinMaxScaler(), WaveletDenoiser()),
    ],
    ids=lambda est: type(est).__name__,
)
def test_save_load_fitted_classical_estimators(estimator, series, tmp_path):
    noisy, _ = series
    fitted = estimator.fit(noisy)
    restored = round_trip(fitted, tmp_path)
    assert_same(fitted, restored)
    assert np.array_equal(restored.transform(noisy), fitted.transform(noisy))


@pytest.mark.parametrize(
    "transformer",
    [
        "StandardScaler",
        "MinMaxScaler",
        "MaxAbsScaler",
        "RobustScaler",
        "QuantileTransformer",
        "Normalizer",
        "Binarizer",
        "PowerTransformer",
        "PolynomialFeatures",
    ],
)
def test_save_load_scikit_learns_transformers_with_private_state(transformer, tmp_path):
    # PowerTransformer keeps a fitted StandardScaler in _scaler, and
    # PolynomialFeatures its degrees in _min_degree, _max_degree and
    # _n_out_full: left out, the loaded transformer failed at transform.
    import sklearn.preprocessing

    X = np.abs(np.random.default_rng(0).normal(size=(20, 8))) + 0.1
    cls = getattr(sklearn.preprocessing, transformer)
    kwargs = {"n_quantiles": 10} if transformer == "QuantileTransformer" else {}
    fitted = make_pipeline(cls(**kwargs), MedianDenoiser()).fit(X)
    restored = round_trip(fitted, tmp_path)
    assert vars(restored[0]).keys() == vars(fitted[0]).keys()
    assert np.array_equal(restored.transform(X), fitted.transform(X))


@pytest.mark.parametrize(
    ("transformer", "attribute"),
    [("OneHotEncoder", "dtype"), ("KBinsDiscretizer", "bin_edges_")],
)
def test_save_names_what_a_transformer_holds_that_it_cannot_store(
    transformer, attribute, tmp_path
):
    import sklearn.preprocessing

    X = np.random.default_rng(0).normal(size=(20, 3))
    fitted = getattr(sklearn.preprocessing, transformer)().fit(X)
    with pytest.raises(TypeError, match=rf"Cannot save {transformer}\.{attribute}"):
        save(fitted, tmp_path / "model.skd")
    assert not (tmp_path / "model.skd").exists()


def test_load_calls_no_hook_a_file_sets_on_an_instance(tmp_path):
    # The upgrade hook of skdenoise's classes is a method of the class; a file
    # that sets one on a scikit-learn estimator's instance gets it stored, not
    # called.
    scaler = StandardScaler().fit(np.arange(12.0).reshape(4, 3))
    scaler._upgrade_old_state = WhiteNoise(snr=3.0)
    restored = round_trip(scaler, tmp_path)
    assert isinstance(restored._upgrade_old_state, WhiteNoise)
    np.testing.assert_array_equal(restored.mean_, scaler.mean_)


def test_load_refuses_private_state_of_skdenoise_classes(tmp_path):
    # Only scikit-learn's classes keep state under private names that do not
    # end in "_": on skdenoise's own classes such a name is refused.
    entry = {
        "__estimator__": "skdenoise.baselines:MedianDenoiser",
        "params": {},
        "attributes": {"_cache": 1},
    }
    path = _manifest_file(tmp_path / "model.skd", entry)
    with pytest.raises(ValueError, match="'_cache' is not a fitted attribute"):
        load(path)


@pytest.mark.parametrize(
    "noise",
    [
        WhiteNoise(snr=(0.0, 20.0)),
        PowerlineNoise(sampling_rate=360.0),
        RecordedNoise(np.sin(np.arange(500.0)), snr=3),
        NoiseMixture([WhiteNoise(), ColoredNoise(alpha=2.0)], weights=[0.3, 0.7]),
    ],
    ids=lambda est: type(est).__name__,
)
def test_save_load_noise_models(noise, tmp_path):
    restored = round_trip(noise, tmp_path)
    assert_same(noise, restored)
    X = np.zeros((2, 100)) + 1.0
    assert np.array_equal(
        restored.apply(X, random_state=1), noise.apply(X, random_state=1)
    )


def test_save_load_unfitted_with_random_state_and_special_values(tmp_path):
    estimator = WindowedDenoiser(
        tiny_unet(random_state=np.random.RandomState(7), learning_rate=float("inf")),
        window_length=np.int64(64),
    )
    restored = round_trip(estimator, tmp_path)
    assert_same(estimator, restored)
    assert isinstance(restored.window_length, np.int64)


def test_save_load_dataframe_feature_names(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(np.arange(12.0).reshape(3, 4), columns=list("abcd"))
    scaler = StandardScaler().fit(frame)
    restored = round_trip(scaler, tmp_path)
    assert_same(scaler, restored)
    assert list(restored.feature_names_in_) == list("abcd")


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "estimator, message",
    [
        (LinearRegression(), "sklearn.linear_model"),
        (FunctionTransformer(np.log1p), "FunctionTransformer.func"),
        (make_pipeline(SeriesScaler(), LinearRegression()), r"steps\[1\]"),
    ],
    ids=["other-class", "function", "nested"],
)
def test_save_refuses_what_is_not_data(estimator, message, tmp_path):
    with pytest.raises(TypeError, match=message) as info:
        save(estimator, tmp_path / "x.skd")
    assert "joblib.dump" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_keras_callbacks(tmp_path):
    from skdenoise._tf import import_keras

    keras = import_keras()
    estimator = tiny_unet(callbacks=[keras.callbacks.TerminateOnNaN()])
    with pytest.raises(TypeError, match=r"callbacks\[0\]"):
        save(estimator, tmp_path / "x.skd")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def saved(tmp_path):
    X = make_sines(3, 64, random_state=0)
    return save(
        make_pipeline(SeriesScaler(), WaveletDenoiser()).fit(X), tmp_path / "p.skd"
    )


def rewrite(path, manifest=None, members=None):
    """Copy of a saved file with its manifest or some members replaced."""
    out = path.with_name("edited.skd")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            if members and name in members:
                data = members[name]
            dst.writestr(name, data)
    return out


@pytest.mark.parametrize("version", [99, 0, "1", None, "missing"])
def test_load_refuses_other_format_versions(saved, version):
    from skdenoise._persistence import FORMAT_VERSION

    def edit(manifest):
        manifest = dict(manifest)
        if version == "missing":
            del manifest["format_version"]
        else:
            manifest["format_version"] = version
        return manifest

    assert version != FORMAT_VERSION
    shown = None if version == "missing" else version
    with pytest.raises(ValueError, match=re.escape(f"format version {shown!r}")):
        load(rewrite(saved, manifest=edit))


def test_load_names_a_cut_network_as_corruption(neural_pipeline, tmp_path):
    path = save(neural_pipeline, tmp_path / "pipe.skd")
    with zipfile.ZipFile(path) as archive:
        network = archive.read("models/0.keras")
    edited = rewrite(path, members={"models/0.keras": network[: len(network) // 2]})
    with pytest.raises(ValueError, match=r"corrupted: its network models/0\.keras"):
        load(edited)


def test_load_warns_about_a_file_of_another_skdenoise_version(saved):
    import warnings

    from skdenoise.exceptions import FileVersionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", FileVersionWarning)
        load(saved)  # this version: no warning
    edited = rewrite(saved, manifest=lambda m: {**m, "skdenoise_version": "0.0.1"})
    with pytest.warns(FileVersionWarning, match="written by skdenoise 0.0.1"):
        loaded = load(edited)
    unknown = rewrite(
        saved,
        manifest=lambda m: {k: v for k, v in m.items() if k != "skdenoise_version"},
    )
    with pytest.warns(FileVersionWarning, match="an unknown version of skdenoise"):
        load(unknown)
    X = make_sines(3, 64, random_state=0)
    np.testing.assert_array_equal(loaded.transform(X), load(saved).transform(X))


@pytest.mark.parametrize(
    "class_path, message",
    [
        ("os:system", "not allowed"),
        ("sklearn.linear_model:LinearRegression", "not allowed"),
        ("builtins:dict", "not allowed"),
        ("skdenoise.base:np", "not an estimator class"),
        ("skdenoise.pipeline:NoSuchDenoiser", "does not have"),
        ("skdenoise.pipeline:WindowedDenoiser.fit", "not allowed"),
    ],
)
def test_load_allows_only_known_classes(saved, class_path, message):
    def swap(manifest):
        manifest["estimator"]["__estimator__"] = class_path
        return manifest

    with pytest.raises(ValueError, match=message):
        load(rewrite(saved, manifest=swap))


def test_a_parameter_this_version_lacks_is_named_with_the_versions(saved):
    def add(manifest):
        manifest["estimator"]["params"]["no_such_setting"] = 3
        return manifest

    with pytest.raises(ValueError, match="'no_such_setting', which") as info:
        load(rewrite(saved, manifest=add))
    assert "another version, or is corrupted" in str(info.value)
    assert "scikit-learn" in str(info.value)


@pytest.mark.parametrize(
    "step, name, value",
    [(1, "mode", "harsh"), (1, "level", "abc"), (0, "method", 3)],
)
def test_load_refuses_parameter_values_the_class_refuses(saved, step, name, value):
    def edit(manifest):
        steps = manifest["estimator"]["params"]["steps"]
        steps[step]["__tuple__"][1]["params"][name] = value
        return manifest

    edited = rewrite(saved, manifest=edit)
    with pytest.raises(ValueError, match=f"invalid parameter of .*'{name}'") as info:
        load(edited)
    assert str(edited) in str(info.value)


def test_load_refuses_pickled_arrays(saved):
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(saved) as archive:
        first = sorted(n for n in archive.namelist() if n.endswith(".npy"))[0]
    with pytest.raises(ValueError, match="corrupted"):
        load(rewrite(saved, members={first: buffer.getvalue()}))


def test_load_refuses_truncated_and_corrupted_files(saved, tmp_path):
    data = saved.read_bytes()
    truncated = tmp_path / "truncated.skd"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        load(truncated)

    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo("manifest.json")
    # Flip bytes inside the compressed manifest (after its 30-byte local header).
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    damaged = bytearray(data)
    for i in range(start, start + 8):
        damaged[i] ^= 0xFF
    corrupted = tmp_path / "corrupted.skd"
    corrupted.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="corrupted"):
        load(corrupted)

    not_zip = tmp_path / "text.skd"
    not_zip.write_text("hello")
    with pytest.raises(ValueError, match="not a file written by"):
        load(not_zip)


@pytest.mark.parametrize(
    "offset, xor",
    [(10, 0xFF), (8, 0x01), (8, 0x20)],
    ids=["compression method", "encrypted flag", "patched-data flag"],
)
def test_load_names_a_damaged_directory_entry_as_corruption(
    saved, tmp_path, offset, xor
):
    # zipfile raised NotImplementedError or RuntimeError for these fields of
    # the manifest's central-directory entry.
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
    entry = -1
    for _ in range(len(names) - names.index("manifest.json")):
        entry = data.rfind(b"PK\x01\x02", 0, entry if entry >= 0 else len(data))
    data[entry + offset] ^= xor
    damaged = tmp_path / "damaged.skd"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"is corrupted \(manifest.json"):
        load(damaged)


def test_load_reports_missing_members_and_bad_manifests(saved):
    def point_elsewhere(manifest):
        text = json.dumps(manifest).replace("arrays/0.npy", "arrays/99.npy")
        return json.loads(text)

    with pytest.raises(ValueError, match="arrays/99.npy"):
        load(rewrite(saved, manifest=point_elsewhere))
    with pytest.raises(ValueError, match="not a file written by"):
        load(rewrite(saved, manifest=lambda m: {"format": "something else"}))
    with pytest.raises(ValueError, match="not JSON"):
        load(rewrite(saved, members={"manifest.json": b"{not json"}))


def test_pipeline_and_persistence_import_no_tensorflow():
    code = (
        "import sys, skdenoise.pipeline, skdenoise.persistence; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert persistence.__all__ == ["save", "load", "FORMAT_VERSION"]


def _wavelet_step(manifest):
    return manifest["estimator"]["params"]["steps"][1]["__tuple__"][1]


@pytest.mark.parametrize(
    "tamper, message",
    [
        # An attribute that would replace a method or wipe the instance.
        (lambda m: _wavelet_step(m)["attributes"].update(transform=1), "transform"),
        (lambda m: _wavelet_step(m)["attributes"].update(__dict__={}), "__dict__"),
        (lambda m: _wavelet_step(m)["attributes"].update(wavelet="db1"), "wavelet"),
        # A parameter the class does not have (raw TypeError before).
        (lambda m: _wavelet_step(m)["params"].update(nonsense=1), "nonsense"),
        # Wrong types where a mapping, a list or a class path is expected.
        (lambda m: _wavelet_step(m).update(params=[1, 2]), "mappings"),
        (lambda m: _wavelet_step(m).update(__estimator__=7), "class path"),
        (lambda m: m["estimator"]["params"].update(steps={"__tuple__": 3}), "cannot"),
        (lambda m: m["estimator"]["params"].update(steps={"__float__": []}), "cannot"),
        # Entries whose content numpy or float() refuse (raw messages before).
        (
            lambda m: m["estimator"]["params"].update(memory={"__float__": "abc"}),
            "__float__ entry 'abc' cannot be read",
        ),
        (
            lambda m: m["estimator"]["params"].update(
                memory={"__strings__": ["a"], "shape": [2]}
            ),
            "__strings__ entry",
        ),
        (
            lambda m: m["estimator"]["params"].update(
                memory={"__random_state__": ["XX", "arrays/0.npy", 0, 0, 0.0]}
            ),
            "__random_state__ entry",
        ),
    ],
)
def test_tampered_manifest_gives_value_error_naming_the_file(saved, tamper, message):
    def edit(manifest):
        tamper(manifest)
        return manifest

    edited = rewrite(saved, manifest=edit)
    with pytest.raises(ValueError, match=message) as info:
        load(edited)
    assert str(edited) in str(info.value)


def test_deeply_nested_manifest_gives_value_error(saved):
    nested = "[" * 100_000 + "]" * 100_000

    def edit(manifest):
        manifest["estimator"]["params"]["memory"] = "NESTED"
        return manifest

    edited = rewrite(saved, manifest=edit)
    with zipfile.ZipFile(edited) as archive:
        text = archive.read("manifest.json").decode().replace('"NESTED"', nested)
    again = rewrite(saved, members={"manifest.json": text.encode()})
    with pytest.raises(ValueError, match="corrupted") as info:
        load(again)
    assert str(again) in str(info.value)


def test_files_naming_old_public_paths_still_load(saved):
    # Files written before the families became subpackages name the classes by
    # the public modules of the time (skdenoise.pipeline, skdenoise.baselines).
    def old_paths(manifest):
        step = manifest["estimator"]["params"]["steps"][0]["__tuple__"][1]
        step["__estimator__"] = "skdenoise.pipeline:SeriesScaler"
        _wavelet_step(manifest)["__estimator__"] = "skdenoise.baselines:WaveletDenoiser"
        return manifest

    restored = load(rewrite(saved, manifest=old_paths))
    X = make_sines(3, 64, random_state=0)
    assert restored.transform(X).shape == X.shape


def test_a_zip_without_manifest_may_be_a_truncated_file(tmp_path):
    path = tmp_path / "cut.skd"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")  # what a cut file's tail can look like
    with pytest.raises(ValueError, match="truncated or corrupted: it has no manifest"):
        load(path)


def _identity(X):
    return X


def _manifest_file(path, estimator):
    manifest = {
        "format": "skdenoise-estimator",
        "format_version": FORMAT_VERSION,
        "estimator": estimator,
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
    return path


def test_functions_are_loaded_only_as_a_keras_denoisers_builder(tmp_path):
    # A pipeline whose first step returns a string of the file's choosing and
    # whose second runs it (os.popen) used to run the command on transform.
    def step(function, kw_args=None):
        return {
            "__estimator__": "sklearn.preprocessing:FunctionTransformer",
            "params": {
                "func": {"__function__": function},
                "kw_args": None if kw_args is None else {"__dict__": kw_args},
                "validate": False,
            },
        }

    marker = tmp_path / "ran"
    steps = [
        {"__tuple__": ["a", step("typing:cast", {"val": f"touch {marker}"})]},
        {"__tuple__": ["b", step("os:popen")]},
    ]
    pipeline = {
        "__estimator__": "sklearn.pipeline:Pipeline",
        "params": {"steps": steps},
    }
    path = _manifest_file(tmp_path / "evil.skd", pipeline)
    with pytest.raises(ValueError, match="outside the model of a KerasDenoiser"):
        load(path)
    assert not marker.exists()
    # Not even as a builder from the standard library.
    keras_denoiser = {
        "__estimator__": "skdenoise:KerasDenoiser",
        "params": {"model": {"__function__": "os:popen"}},
    }
    with pytest.raises(ValueError, match="standard library"):
        load(_manifest_file(tmp_path / "builder.skd", keras_denoiser))
    # Nor reached through a module that imported it.
    for path in (
        "skdenoise._tf:os.popen",
        "skdenoise._persistence:importlib.import_module",
    ):
        keras_denoiser["params"]["model"]["__function__"] = path
        with pytest.raises(ValueError, match="defined in the module named"):
            load(_manifest_file(tmp_path / "builder.skd", keras_denoiser))
    # save refuses them too, naming where they are.
    with pytest.raises(TypeError, match=r"FunctionTransformer\.func"):
        save(FunctionTransformer(_identity), tmp_path / "f.skd")


def test_set_output_and_metadata_requests_are_kept(tmp_path):
    pd = pytest.importorskip("pandas")
    from sklearn import config_context

    X = pd.DataFrame(make_sines(3, 16, random_state=0))
    X.columns = [f"t{i}" for i in range(16)]
    fitted = MedianDenoiser(window_length=3).set_output(transform="pandas").fit(X)
    restored = round_trip(fitted, tmp_path)
    assert isinstance(restored.transform(X), pd.DataFrame)
    with config_context(enable_metadata_routing=True):
        denoiser = MedianDenoiser().set_score_request(sample_weight=True)
        requests = denoiser.get_metadata_routing()._serialize()
        assert requests["score"] == {"sample_weight": True}
        restored = round_trip(denoiser, tmp_path, "requests.skd")
        assert restored.get_metadata_routing()._serialize() == requests
    # Only the request that was set is stored, not the defaults (None).
    with zipfile.ZipFile(tmp_path / "requests.skd") as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["estimator"]["config"]["requests"] == {
        "score": {"sample_weight": True}
    }


def test_save_and_load_paths_and_file_objects(tmp_path):
    fitted = MedianDenoiser().fit(make_sines(2, 32, random_state=0))
    with pytest.raises(FileNotFoundError, match="the folder .*missing does not exist"):
        save(fitted, tmp_path / "missing" / "m.skd")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        save(fitted, tmp_path)
    # load refused what save wrote: save refuses it.
    with pytest.raises(TypeError, match="save writes estimators"):
        save(np.zeros(3), tmp_path / "array.skd")
    assert list(tmp_path.iterdir()) == []
    buffer = io.BytesIO()
    assert save(fitted, buffer) is buffer
    buffer.seek(0)
    assert_same(fitted, load(buffer))
    path = save(fitted, str(tmp_path / "m.skd"))
    with open(path, "rb") as file:
        assert_same(fitted, load(file))
    with open(path, encoding="latin-1") as file, pytest.raises(TypeError, match="rb"):
        load(file)
    # In the default UTF-8 the archive's bytes failed to decode before the check.
    with open(path, encoding="utf-8") as file, pytest.raises(TypeError, match="rb"):
        load(file)
    with open(tmp_path / "t.skd", "w") as file, pytest.raises(TypeError, match="wb"):
        save(fitted, file)
    for file in (tempfile.NamedTemporaryFile("w+"), tempfile.TemporaryFile("w+")):
        with file, pytest.raises(TypeError, match="text mode; .*'wb'"):
            save(fitted, file)
    with tempfile.SpooledTemporaryFile() as file:  # binary: works
        save(fitted, file)
        file.seek(0)
        assert_same(fitted, load(file))
    # A binary stream whose mode reads "r".
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.write(path, "m.skd")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive, archive.open("m.skd") as file:
        assert file.mode == "r"
        assert_same(fitted, load(file))


@pytest.mark.parametrize(
    "output, match",
    [
        ({"transform": "bogus"}, r"set to 'bogus'; set_output\(transform=\.\.\.\)"),
        ({"transform": "PANDAS"}, "set to 'PANDAS'"),
        ({"transform": "pandas", "fit": "pandas"}, "a setting for 'fit'"),
    ],
)
def test_load_refuses_a_damaged_output_setting(tmp_path, output, match):
    X = make_sines(2, 16, random_state=0)
    fitted = MedianDenoiser(window_length=3).set_output(transform="default").fit(X)
    path = save(fitted, tmp_path / "output.skd")
    # Settings this version writes load as they were.
    assert load(path)._sklearn_output_config == {"transform": "default"}

    def damage(manifest):
        manifest["estimator"]["config"]["output"] = output
        return manifest

    with pytest.raises(ValueError, match=r"corrupted: the output of MedianDenoiser"):
        load(rewrite(path, manifest=damage))
    with pytest.raises(ValueError, match=match):
        load(rewrite(path, manifest=damage))


def test_a_network_an_older_keras_cannot_read_names_the_keras_that_wrote_it(
    tmp_path,
):
    # The shipped model, written by Keras 3.15, failed on older ones with 4 KB
    # of Keras config and no word of the versions.
    from skdenoise import UNetDenoiser

    model = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
    path = save(model.fit(make_sines(8, 32, random_state=0)), tmp_path / "m.skd")
    changed = tmp_path / "newer.skd"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(changed, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if b'"keras_version"' in data and item.filename.endswith(".json"):
                manifest = json.loads(data)
                manifest["keras_version"] = "99.0.0"
                data = json.dumps(manifest).encode()
            elif item.filename.endswith(".keras"):
                buffer = io.BytesIO()
                with (
                    zipfile.ZipFile(io.BytesIO(data)) as inner,
                    zipfile.ZipFile(buffer, "w") as rewritten,
                ):
                    for part in inner.infolist():
                        content = inner.read(part.filename)
                        if part.filename == "config.json":
                            content = content.replace(b"GlorotUniform", b"NoSuchOne")
                        rewritten.writestr(part, content)
                data = buffer.getvalue()
            out.writestr(item, data)
    with pytest.raises(ValueError, match=r"written by Keras 99\.0\.0") as caught:
        load(changed)
    assert 'pip install "keras>=99.0.0"' in str(caught.value)
    assert len(str(caught.value)) < 1500


def test_keras_versions_are_read_as_numbers_and_pickles_name_them_too():
    from skdenoise import UNetDenoiser
    from skdenoise._persistence import _version_tuple

    assert _version_tuple("3.15.1.dev2025") == (3, 15, 1)
    assert _version_tuple("3.15.10rc2") == (3, 15, 10)
    assert _version_tuple("3.15") == (3, 15) and _version_tuple("x") is None
    # A pickled network an older Keras cannot read: the same words as load's.
    model = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
    state = model.fit(make_sines(8, 32, random_state=0)).__getstate__()
    key = "_model_bytes"
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(state[key])) as inner,
        zipfile.ZipFile(buffer, "w") as rewritten,
    ):
        for part in inner.infolist():
            content = inner.read(part.filename)
            if part.filename == "config.json":
                content = content.replace(b"GlorotUniform", b"NoSuchOne")
            if part.filename == "metadata.json":
                meta = json.loads(content)
                meta["keras_version"] = "99.0.0"
                content = json.dumps(meta).encode()
            rewritten.writestr(part, content)
    state[key] = buffer.getvalue()
    with pytest.raises(ValueError, match=r"written by Keras 99\.0\.0") as caught:
        UNetDenoiser().__setstate__(state)
    assert "NoSuchOne" in str(caught.value) and len(str(caught.value)) < 1500


def test_a_file_with_a_bool_for_a_number_loads_as_it_was_fitted(tmp_path):
    # Fitted before bools were refused for numbers (dropout=False was 0): such
    # a file was refused as edited or corrupted.
    from skdenoise.baselines import BandpassDenoiser

    X = np.sin(np.linspace(0, 60, 8 * 256)).reshape(8, 256)
    model = BandpassDenoiser(sampling_rate=100.0, order=1).fit(X)
    expected = model.transform(X)
    model.set_params(order=True)  # as the earlier version took it: order 1
    path = save(model, tmp_path / "old.skd")
    with pytest.warns(UserWarning, match=r"order=True .* read as 1"):
        loaded = load(path)
    assert loaded.order == 1 and not isinstance(loaded.order, bool)
    np.testing.assert_array_equal(loaded.transform(X), expected)


def test_a_loaded_network_saves_without_its_unused_optimizer_state_in_full(tmp_path):
    # Loading builds the optimizer; its moments (twice the weights, all zeros)
    # were stored uncompressed: the pretrained model saved again took 5.85 MB
    # against the shipped 2.03 MB.
    import zipfile

    from skdenoise import pretrained
    from skdenoise.persistence import load, save

    model = pretrained.load("ecg", sampling_rate=360)
    path = save(model, tmp_path / "again.skd")
    assert (
        path.stat().st_size < 1.2 * pretrained._models.MODELS["ecg"].path.stat().st_size
    )
    with zipfile.ZipFile(path) as archive:
        keras_files = [i for i in archive.infolist() if i.filename.endswith(".keras")]
    assert keras_files and all(
        i.compress_type == zipfile.ZIP_DEFLATED for i in keras_files
    )
    X = np.sin(np.linspace(0, 40, 3000))[None]
    np.testing.assert_array_equal(load(path).transform(X), model.transform(X))


def _hostile(tmp_path, name, manifest, members=(), compression=zipfile.ZIP_DEFLATED):
    """A file laid out as save writes one, with ``manifest`` and ``members``."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for member, data in members:
            archive.writestr(member, data)
    return path


def _median_manifest(**attributes):
    return {
        "format": "skdenoise-estimator",
        "format_version": 1,
        "skdenoise_version": skdenoise.__version__,
        "sklearn_version": None,
        "keras_version": None,
        "estimator": {
            "__estimator__": "skdenoise.classical:MedianDenoiser",
            "params": {"window_length": 5},
            "attributes": {
                "n_features_in_": 32,
                "n_channels_in_": 1,
                "window_length_": 5,
                **attributes,
            },
        },
    }


def test_load_refuses_decompression_bombs_and_members_read_twice(tmp_path, monkeypatch):
    # A kilobyte expanded to gigabytes (bzip2), one large array referenced
    # twenty times: load read them all before any check.
    from skdenoise import _persistence

    assert load(_hostile(tmp_path, "ok.skd", _median_manifest())).window_length_ == 5
    with pytest.raises(ValueError, match="compressed with a method skdenoise never"):
        load(_hostile(tmp_path, "bz.skd", _median_manifest(), (), zipfile.ZIP_BZIP2))
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(1000))
    twice = _median_manifest(extra_=[{"__ndarray__": "arrays/0.npy"}] * 2)
    path = _hostile(tmp_path, "refs.skd", twice, [("arrays/0.npy", buffer.getvalue())])
    with pytest.raises(ValueError, match="refers to the member arrays/0.npy more"):
        load(path)
    monkeypatch.setattr(_persistence, "_MEMBER_FLOOR", 2**20)
    monkeypatch.setattr(_persistence, "_TOTAL_FLOOR", 2**20)
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(2**20))  # 8 MB of zeros, deflated to 8 kB
    bomb = _median_manifest(extra_={"__ndarray__": "arrays/0.npy"})
    path = _hostile(tmp_path, "bomb.skd", bomb, [("arrays/0.npy", buffer.getvalue())])
    with pytest.raises(ValueError, match="a decompression bomb"):
        load(path)


def test_load_refuses_classes_reached_through_an_allowed_name(tmp_path):
    # The module named in the file was checked, not the class found there:
    # scikit-learn's estimators imported by a module of skdenoise, and
    # scikit-learn's test modules (importing pytest), loaded.
    for name in (
        "skdenoise.neural._gate:IsotonicRegression",
        "skdenoise.base:BaseEstimator",
        "sklearn.preprocessing.tests.test_data:StandardScaler",
    ):
        manifest = _median_manifest()
        manifest["estimator"] = {"__estimator__": name, "params": {}, "attributes": {}}
        with pytest.raises(ValueError, match="not allowed"):
            load(_hostile(tmp_path, "class.skd", manifest))


def test_load_refuses_what_is_not_a_regular_file_and_names_bad_members(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.skd"
        os.mkfifo(fifo)  # read, it blocked forever
        with pytest.raises(ValueError, match="is not a regular file"):
            load(fifo)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    huge = _median_manifest(extra_={"__ndarray__": "arrays/0.npy"})
    path = _hostile(
        tmp_path,
        "huge.skd",
        huge,
        [("arrays/0.npy", b"\x93NUMPY\x01\x00" + header.getvalue()[8:])],
    )
    with pytest.raises(ValueError, match="is corrupted"):
        load(path)
    manifest = json.dumps(_median_manifest()).replace(
        '"window_length": 5', '"window_length": ' + "9" * 5000
    )
    path = tmp_path / "digits.skd"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", manifest)
    with pytest.raises(ValueError, match="its manifest is not JSON"):
        load(path)


def test_a_network_with_numpy_number_parameters_loads_from_a_file_object(
    tmp_path, monkeypatch
):
    # A search's best_estimator_ from np.arange: its _built_params_ array was
    # read twice by the reader, and refused as a hostile file. From a file
    # object, the total cap took the file's size as 0.
    from skdenoise import UNetDenoiser, _persistence

    X = make_sines(8, 32, random_state=0)
    model = UNetDenoiser(filters=np.int64(2), depth=1, epochs=1, random_state=0)
    model.fit(X + 0.1, X)
    path = save(model, tmp_path / "numpy.skd")
    np.testing.assert_array_equal(load(path).transform(X), model.transform(X))
    size = path.stat().st_size
    monkeypatch.setattr(_persistence, "_TOTAL_FLOOR", size // 2)
    with open(path, "rb") as file:
        np.testing.assert_array_equal(load(file).transform(X), model.transform(X))


def test_a_pipeline_with_a_frozen_denoiser_saves(tmp_path):
    # The model card's way to keep a pretrained network in a fitted pipeline
    # (FrozenEstimator) was refused as a class from outside the allow-list.
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline

    from skdenoise.baselines import BandpassDenoiser, MedianDenoiser
    from skdenoise.persistence import load, save

    X = np.sin(np.linspace(0, 30, 128))[None].repeat(4, 0)
    inner = MedianDenoiser(window_length=5).fit(X)
    front = BandpassDenoiser(low_cutoff=0.5, high_cutoff=None, sampling_rate=360)
    pipe = make_pipeline(front, FrozenEstimator(inner)).fit(X)
    save(pipe, tmp_path / "frozen.skd")
    back = load(tmp_path / "frozen.skd")
    assert type(back[-1]).__name__ == "FrozenEstimator"
    np.testing.assert_array_equal(back.transform(X), pipe.transform(X))


def test_save_refuses_a_read_only_file_as_open_would(tmp_path, monkeypatch):
    # A rename needs only the folder's permission: a model file made
    # read-only to protect it was replaced, where open(path, "wb") refuses.
    import os

    from skdenoise import _files
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.persistence import save

    path = tmp_path / "kept.skd"
    save(MedianDenoiser().fit(np.zeros((1, 8))), path)
    before = path.read_bytes()
    real = os.access

    def read_only(target, mode, **kwargs):
        if os.fspath(target) == os.fspath(path) and mode == os.W_OK:
            return False
        return real(target, mode, **kwargs)

    monkeypatch.setattr(_files.os, "access", read_only)
    with pytest.raises(PermissionError, match="read-only"):
        save(MedianDenoiser(window_length=9).fit(np.zeros((1, 8))), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.skd"]


def _edited(source, target, replace):
    """A copy of the saved file ``source`` with some members replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, replace.get(name, old.read(name)))
    return target


def test_load_refuses_fitted_attributes_that_fit_never_leaves(series, tmp_path):
    noisy, clean = series
    path = save(tiny_unet().fit(noisy, clean), tmp_path / "unet.skd")
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    attributes = manifest["estimator"]["attributes"]
    scale = attributes["target_scale_"]["__ndarray__"]
    # A map of units of another shape failed at transform ("could not be
    # broadcast"); n_features_in_ as text, with "expecting abc features".
    buffer = io.BytesIO()
    np.save(buffer, np.ones((3, 3, 3)))
    edited = _edited(path, tmp_path / "shape.skd", {scale: buffer.getvalue()})
    with pytest.raises(
        ValueError, match=r"is corrupted: the map of units .*\(3, 3, 3\)"
    ):
        load(edited)
    # Per timestep, the map has the series' length (80 here), or 1.
    buffer = io.BytesIO()
    np.save(buffer, np.ones((1, 7, 1)))
    edited = _edited(path, tmp_path / "length.skd", {scale: buffer.getvalue()})
    with pytest.raises(ValueError, match=r"the map of units .*\(1, 7, 1\)"):
        load(edited)
    for value in ("abc", 0, True):
        attributes["n_features_in_"] = value
        edited = _edited(
            path, tmp_path / "features.skd", {"manifest.json": json.dumps(manifest)}
        )
        with pytest.raises(ValueError, match="n_features_in_ of UNetDenoiser must be"):
            load(edited)
