"""Exported ONNX and LiteRT files give what ``transform`` gives."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skdenoise import KerasDenoiser, export
from skdenoise.cli import main
from skdenoise.datasets import make_sines

# The exported model must match transform to this share of the signal's range.
TOLERANCE = 1e-4


def run_onnx(path, series):
    ort = pytest.importorskip(
        "onnxruntime", reason="onnxruntime (the export extra) is not installed"
    )
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"series": series.astype(np.float32)})[0]


def run_litert(path, series):
    interpreter = pytest.importorskip(
        "ai_edge_litert.interpreter",
        reason="ai-edge-litert (the export extra) is not installed",
    )
    runner = interpreter.Interpreter(model_path=str(path)).get_signature_runner()
    return runner(series=series.astype(np.float32))["output_0"]


RUNTIMES = {"onnx": ("model.onnx", run_onnx), "litert": ("model.tflite", run_litert)}


def needs_tf2onnx(fmt):
    if fmt == "onnx":
        pytest.importorskip(
            "tf2onnx", reason="tf2onnx (the export extra) is not installed"
        )


def relative_difference(exported, expected, series):
    return np.max(np.abs(exported - expected)) / np.ptp(series)


@pytest.fixture(scope="module")
def pairs():
    """Two-channel series whose clean targets are in other units than X."""
    clean = np.stack(
        [make_sines(40, 62, random_state=0), make_sines(40, 62, random_state=1)], -1
    )
    noisy = clean + 0.3 * np.random.default_rng(0).normal(size=clean.shape)
    return noisy, 3.0 * clean + 1.0


@pytest.fixture(scope="module")
def unet(pairs):
    from skdenoise import UNetDenoiser

    noisy, clean = pairs
    # depth 2 pads the 62 samples to 64; flips, gate and units map all in use.
    return UNetDenoiser(
        filters=4,
        depth=2,
        epochs=1,
        batch_size=16,
        validation_split=0.5,
        average_flips=True,
        random_state=0,
    ).fit(noisy, clean)


@pytest.fixture(scope="module")
def unet_files(unet, tmp_path_factory):
    """``{format: (path asked for, path export returned)}`` of ``unet``.

    Written once for the tests that only run the file of ``unet``.
    """
    folder = tmp_path_factory.mktemp("unet_files")
    files = {}

    def get(fmt):
        if fmt not in files:
            needs_tf2onnx(fmt)
            target = folder / RUNTIMES[fmt][0]
            files[fmt] = (str(target), export(unet, target, format=fmt))
        return files[fmt]

    return get


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_export_gives_transform(unet, unet_files, pairs, fmt):
    noisy, _ = pairs
    needs_tf2onnx(fmt)
    name, run = RUNTIMES[fmt]
    assert unet.gate_snr_ is not None
    assert unet._padding(62) != (0, 0)
    assert not np.allclose(unet.target_scale_, 1.0)
    target, path = unet_files(fmt)
    assert path == target
    for series in (noisy[:7], noisy[:1] * 1e3 - 5.0):
        expected = unet.transform(series)
        exported = run(path, series)
        assert exported.shape == series.shape
        assert relative_difference(exported, expected, series) < TOLERANCE


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_a_bad_or_constant_series_leaves_the_others_alone(unet, unet_files, pairs, fmt):
    noisy, _ = pairs
    needs_tf2onnx(fmt)
    name, run = RUNTIMES[fmt]
    _, path = unet_files(fmt)
    series = noisy[:4].copy()
    # A flat series comes back unchanged, in y's units (unet's are 3 x + 1).
    series[1] = 0.25
    expected = unet.transform(series)
    flat = unet.target_scale_[0, 0] * 0.25 + unet.target_offset_[0, 0]
    np.testing.assert_allclose(expected[1], np.broadcast_to(flat, (62, 2)))
    series[0, 3, 0] = np.nan  # ONNX once failed the whole batch on this
    exported = run(path, series)
    assert np.isnan(exported[0]).all()
    np.testing.assert_allclose(exported[1], expected[1], rtol=1e-6)
    assert relative_difference(exported[2:], expected[2:], series[2:]) < TOLERANCE


def test_export_keeps_normalize_rms(pairs, tmp_path):
    from skdenoise import UNetDenoiser

    noisy, clean = pairs
    needs_tf2onnx("onnx")
    name, run = RUNTIMES["onnx"]
    model = UNetDenoiser(
        filters=4, depth=2, epochs=1, normalize="rms", random_state=0
    ).fit(noisy, clean)
    path = export(model, tmp_path / name, format="onnx")
    for series in (noisy[:5], noisy[:2] * 1e3 - 5.0):
        expected = model.transform(series)
        assert relative_difference(run(path, series), expected, series) < TOLERANCE


@pytest.mark.parametrize("fmt", sorted(RUNTIMES))
def test_export_gates_series_of_any_float32_magnitude(pairs, tmp_path, fmt):
    from skdenoise import UNetDenoiser

    needs_tf2onnx(fmt)
    noisy, targets = pairs
    # y in X's units: the output is the gated series itself, with no offset.
    model = UNetDenoiser(
        filters=4, depth=2, epochs=1, validation_split=0.5, random_state=0
    ).fit(noisy, (targets - 1.0) / 3.0)
    assert model.gate_snr_ is not None and np.ptp(model.gate_scale_) > 0
    name, run = RUNTIMES[fmt]
    path = export(model, tmp_path / name, format=fmt)
    # Squared, 1e25 overflows float32 and 1e-25 underflows it; both are
    # normal float32 numbers, as is every value of the series.
    for magnitude in (1e25, 1e-25):
        series = noisy[:4] * magnitude
        expected = model.transform(series)
        exported = run(path, series)
        assert np.all(np.isfinite(exported))
        assert relative_difference(exported, expected, series) < TOLERANCE


@pytest.mark.parametrize("fmt", sorted(RUNTIMES))
def test_export_keeps_bottleneck_attention_context_and_level(pairs, tmp_path, fmt):
    from skdenoise import UNetDenoiser

    needs_tf2onnx(fmt)
    noisy, clean = pairs
    model = UNetDenoiser(
        filters=4,
        depth=2,
        max_filters=6,
        attention_heads=2,
        global_context=True,
        level_input=True,
        epochs=1,
        batch_size=16,
        random_state=0,
    ).fit(noisy, clean)
    name, run = RUNTIMES[fmt]
    path = tmp_path / name
    export(model, path, format=fmt)
    # Also at other levels than the training series' (the level channel).
    series = np.concatenate([noisy[:5], 10 * noisy[5:8]])
    exported = run(path, series)
    expected = model.transform(series)
    assert relative_difference(exported, expected, series) < 1e-4


@pytest.fixture(scope="module")
def three_passes(unet, pairs):
    """``(n_passes_, first gate)`` as fitted, and the model, its last pass ungated.

    Fitted once for both formats, which only export it and transform with it.
    """
    from sklearn.base import clone

    noisy, clean = pairs
    # The flips off: every pass runs the one _one_pass, whose flip average
    # test_export_gives_transform checks (unet's); with them the graph held
    # 4 networks a pass, and the conversion took four times as long.
    model = clone(unet).set_params(
        n_passes=3, epochs=4, learning_rate=3e-3, average_flips=False
    )
    model.fit(noisy, clean)
    fitted = (model.n_passes_, model.pass_gates_[0][0])
    model.pass_gates_[1] = (None, None)
    return fitted, model


@pytest.mark.parametrize("fmt", sorted(RUNTIMES))
def test_export_runs_every_denoising_pass(three_passes, unet, pairs, tmp_path, fmt):
    needs_tf2onnx(fmt)
    noisy, _ = pairs
    # Three passes, the last without a gate (as after a fit without
    # validation series): the file runs them all.
    (n_passes, first_gate), model = three_passes
    assert n_passes == 3 and first_gate is not None
    name, run = RUNTIMES[fmt]
    path = export(model, tmp_path / name, format=fmt)
    series = noisy[:5]
    expected = model.transform(series)
    assert not np.allclose(expected, unet.transform(series), atol=1e-3)
    assert relative_difference(run(path, series), expected, series) < TOLERANCE


def test_recurrent_network_to_litert_needs_a_fixed_batch(pairs, tmp_path):
    from skdenoise import GRUDenoiser

    noisy, clean = pairs
    gru = GRUDenoiser(**GRUDenoiser._get_test_params()).fit(noisy, clean)
    with pytest.raises(ValueError, match="fixed batch size"):
        export(gru, tmp_path / "gru.tflite", format="litert")
    path = export(gru, tmp_path / "gru.tflite", format="litert", batch_size=3)
    series = noisy[:3]
    exported = run_litert(path, series)
    assert relative_difference(exported, gru.transform(series), series) < TOLERANCE


def test_wavelet_sub_bands_are_computed_in_the_graph(pairs, tmp_path):
    from skdenoise import WaveletUNetDenoiser

    noisy, clean = pairs
    wunet = WaveletUNetDenoiser(
        wavelet="db4", level=3, depth=2, filters=4, epochs=1, random_state=0
    ).fit(noisy, clean)
    path = export(wunet, tmp_path / "wavelet.tflite", format="litert")
    series = noisy[:5]
    exported = run_litert(path, series)
    assert relative_difference(exported, wunet.transform(series), series) < TOLERANCE


def test_windowed_denoiser_exports_its_network_and_windowing(tmp_path):
    from skdenoise import ConvAutoencoderDenoiser
    from skdenoise.pipeline import SeriesWindower, WindowedDenoiser

    pytest.importorskip("tf2onnx", reason="tf2onnx (the export extra) is not installed")
    clean = make_sines(6, 100, random_state=2)
    noisy = clean + 0.3 * np.random.default_rng(2).normal(size=clean.shape)
    inner = ConvAutoencoderDenoiser(**ConvAutoencoderDenoiser._get_test_params())
    windowed = WindowedDenoiser(
        inner, window_length=32, stride=12, center_windows=True
    ).fit(noisy, clean)
    path = export(windowed, tmp_path / "windows.onnx")
    with open(path + ".json", encoding="utf-8") as file:
        sidecar = json.load(file)
    assert sidecar["window_length"] == 32 and sidecar["stride"] == 12
    assert sidecar["sampling_rate"] is None  # not known to the denoiser
    # The recipe of the user guide: windows, the network on them, overlap-add.
    recording = noisy[:2, :90]
    windower = SeriesWindower(
        window_length=sidecar["window_length"],
        stride=sidecar["stride"],
        taper=sidecar["taper"],
    ).fit(recording)
    windows = windower.transform(recording)[:, :, None]
    means = windows.mean(axis=1, keepdims=True) if sidecar["center_windows"] else 0.0
    denoised = run_onnx(path, windows - means) + means
    stitched = windower.inverse_transform(denoised[:, :, 0])
    expected = windowed.transform(recording)
    assert relative_difference(stitched, expected, recording) < TOLERANCE
    # A network of whole series exported over it takes its windowing away,
    # but not a file of that name that belongs to another model.
    export(windowed.estimator_, tmp_path / "windows.onnx")
    assert not os.path.exists(path + ".json")
    export(windowed, tmp_path / "windows.onnx")
    with open(path + ".json", "w", encoding="utf-8") as file:
        json.dump({"model": "another.onnx"}, file)
    export(windowed.estimator_, tmp_path / "windows.onnx")
    assert os.path.exists(path + ".json")


def _server_of_the_guide(run, sidecar, series):
    """The user guide's windowing, written from its words with NumPy alone."""
    L, stride = sidecar["window_length"], sidecar["stride"]
    k = np.arange(1, L + 1)
    taper = {
        "hann": 0.5 - 0.5 * np.cos(2 * np.pi * k / (L + 1)),
        "triangular": 1 - np.abs(2 * k / (L + 1) - 1),
        "boxcar": np.ones(L),
    }[sidecar["taper"]]
    m = max(L - len(series), 0)
    padded = np.pad(series, (m // 2, m - m // 2), mode="reflect")
    starts = list(range(0, len(padded) - L + 1, stride))
    if starts[-1] != len(padded) - L:
        starts.append(len(padded) - L)
    windows = np.stack([padded[s : s + L] for s in starts])[:, :, None]
    means = windows.mean(axis=1, keepdims=True) if sidecar["center_windows"] else 0.0
    denoised = run(windows - means) + means
    total, weight = np.zeros(len(padded)), np.zeros(len(padded))
    for start, window in zip(starts, denoised[:, :, 0], strict=True):
        total[start : start + L] += taper * window
        weight[start : start + L] += taper
    return (total / weight)[m // 2 : m // 2 + len(series)]


def test_the_guides_windowing_reproduces_transform_for_every_taper(tmp_path):
    # The guide gave the Hann formula only (NumPy's and SciPy's triangular
    # windows of L samples differ from the one used), did not say where a
    # short series is padded, and the JSON file named no fixed batch size.
    from skdenoise import ConvAutoencoderDenoiser
    from skdenoise.pipeline import WindowedDenoiser

    pytest.importorskip("tf2onnx", reason="tf2onnx (the export extra) is not installed")
    clean = make_sines(6, 100, random_state=2)
    noisy = clean + 0.3 * np.random.default_rng(2).normal(size=clean.shape)
    inner = ConvAutoencoderDenoiser(**ConvAutoencoderDenoiser._get_test_params())
    for taper in ("triangular", "hann", "boxcar"):
        windowed = WindowedDenoiser(inner, window_length=32, stride=12, taper=taper)
        windowed.fit(noisy, clean)
        path = export(windowed, tmp_path / f"{taper}.onnx")
        with open(path + ".json", encoding="utf-8") as file:
            sidecar = json.load(file)
        assert sidecar["taper"] == taper and sidecar["batch_size"] is None
        for series in (noisy[0, :90], noisy[1, :21], noisy[2, :1]):
            served = _server_of_the_guide(
                lambda windows, p=path: run_onnx(p, windows), sidecar, series
            )
            expected = windowed.transform(series[None])[0]
            assert relative_difference(served, expected, noisy) < TOLERANCE, taper


def test_bad_estimators_and_arguments(unet, tmp_path):
    from skdenoise import UNetDenoiser, WaveletUNetDenoiser
    from skdenoise.baselines import WaveletDenoiser

    with pytest.raises(NotFittedError):
        export(UNetDenoiser(), tmp_path / "m.onnx")
    clean = make_sines(4, 32, random_state=0)
    wavelet = WaveletDenoiser().fit(clean)
    with pytest.raises(TypeError, match="no network to export"):
        export(wavelet, tmp_path / "m.onnx")

    class SquaredInput(WaveletUNetDenoiser):
        def _to_network(self, inputs):
            squares = [inputs**2] * (self.level + 1)  # as many as the sub-bands
            return np.concatenate([inputs, *squares], axis=-1)

    params = WaveletUNetDenoiser._get_test_params()
    with pytest.raises(TypeError, match="cannot reproduce"):
        export(SquaredInput(**params).fit(clean), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="format must be one of"):
        export(unet, tmp_path / "m.onnx", format="openvino")
    with pytest.raises(ValueError, match="ending in '.tflite'"):
        export(unet, tmp_path / "m.onnx", format="litert")
    with pytest.raises(ValueError, match="batch_size"):
        export(unet, tmp_path / "m.onnx", batch_size=0)
    # A list was "unhashable type: 'list'"; a verbose of "0" or -1 printed.
    with pytest.raises(ValueError, match="format must be one of"):
        export(unet, tmp_path / "m.onnx", format=["onnx"])
    for verbose in ("0", -1, float("nan")):
        with pytest.raises(ValueError, match="verbose must be a non-negative int"):
            export(unet, tmp_path / "m.onnx", verbose=verbose)
    # A folder named like the file (tf2onnx's IsADirectoryError before).
    (tmp_path / "folder.onnx").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        export(unet, tmp_path / "folder.onnx")
    # A pipeline holding a network was said to have none.
    from sklearn.pipeline import make_pipeline

    from skdenoise.preprocessing import SeriesScaler

    pipeline = make_pipeline(SeriesScaler(), unet)
    with pytest.raises(TypeError, match=r"not a Pipeline: export its last step"):
        export(pipeline, tmp_path / "m.onnx")


def test_missing_converter_names_the_extra(unet, tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tf2onnx" else find_spec(name, *a),
    )
    with pytest.raises(ImportError, match=r"skdenoise\[export\]"):
        export(unet, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_export_command(tmp_path, capsys):
    from skdenoise import ConvAutoencoderDenoiser
    from skdenoise.persistence import save
    from skdenoise.pipeline import WindowedDenoiser

    clean = make_sines(4, 64, random_state=3)
    inner = ConvAutoencoderDenoiser(**ConvAutoencoderDenoiser._get_test_params())
    saved = tmp_path / "model.skd"
    save(WindowedDenoiser(inner, window_length=32).fit(clean), saved)
    out = tmp_path / "model.tflite"
    argv = ["export", str(saved), str(out), "--format", "litert"]
    assert main(argv) == 0
    assert out.is_file() and (tmp_path / "model.tflite.json").is_file()
    assert "exported" in capsys.readouterr().out
    assert main(argv) == 2  # exists, no --overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert main([*argv, "--overwrite", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    # The windowing file of one's own is not replaced without --overwrite,
    # also where the model file itself is not there yet.
    out.unlink()
    (tmp_path / "model.tflite.json").write_text('{"mine": 1}')
    assert main(argv) == 2
    assert "model.tflite.json exists" in capsys.readouterr().err
    assert (tmp_path / "model.tflite.json").read_text() == '{"mine": 1}'
    assert not out.exists()
    assert (
        main(["export", str(saved), str(tmp_path / "m.onnx"), "--format", "litert"])
        == 2
    )
    assert main(["export", str(tmp_path / "none.skd"), str(tmp_path / "x.onnx")]) == 2


def test_export_command_checks_only_the_files_it_writes(unet, pairs, tmp_path, capsys):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from skdenoise.persistence import save

    saved = tmp_path / "unet.skd"
    save(unet, saved)
    # A plain network writes no windowing file: one of the user's beside the
    # output was refused ("exists; pass --overwrite to replace it") and then
    # not replaced.
    theirs = tmp_path / "unet.onnx.json"
    theirs.write_text('{"notes": "mine"}')
    assert main(["export", str(saved), str(tmp_path / "unet.onnx"), "--quiet"]) == 0
    assert theirs.read_text() == '{"notes": "mine"}'
    # A saved pipeline: the advice is the command line's, not pipeline[-1] alone.
    piped = tmp_path / "pipe.skd"
    save(make_pipeline(FunctionTransformer(), unet), piped)
    assert main(["export", str(piped), str(tmp_path / "pipe.onnx")]) == 1
    err = capsys.readouterr().err
    assert "skdenoise.persistence.save(pipeline[-1], path)" in err
    assert "export its last step (pipeline[-1])" not in err
    # A saved ResampledDenoiser (a pretrained model): "Export its estimator_"
    # was advice the command line cannot follow.
    from skdenoise.pipeline import ResampledDenoiser

    resampled = tmp_path / "resampled.skd"
    model = ResampledDenoiser(unet, sampling_rate=250, estimator_sampling_rate=360)
    save(model.fit(pairs[1][:, :174]), resampled)
    assert main(["export", str(resampled), str(tmp_path / "r.onnx")]) == 1
    err = capsys.readouterr().err
    assert "skdenoise.persistence.save(model.estimator_, path)" in err
    assert "Export its estimator_" not in err


def test_export_is_public_without_importing_tensorflow():
    code = (
        "import sys, skdenoise; skdenoise.export; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_mixed_precision_network_is_written_in_float32(pairs, tmp_path):
    from skdenoise import UNetDenoiser
    from skdenoise._export import transform_graph

    noisy, clean = pairs
    unet = UNetDenoiser(
        filters=4, depth=2, epochs=1, precision="mixed_bfloat16", random_state=0
    ).fit(noisy, clean)
    path = export(unet, tmp_path / "mixed.tflite", format="litert")
    series = noisy[:4]
    exported = run_litert(path, series)
    float32 = np.asarray(transform_graph(unet)(series.astype(np.float32)))
    assert relative_difference(exported, float32, series) < 1e-6
    # transform computes in bfloat16: the same up to its rounding.
    assert relative_difference(exported, unet.transform(series), series) < 1e-2
    # Rebuilt in float32 from the parameters: a network parameter changed
    # since fit rebuilt another network (residual off), without a word.
    unet.set_params(residual=not unet.residual)
    with pytest.raises(ValueError, match="changed since: residual=True -> False"):
        export(unet, tmp_path / "changed.tflite", format="litert")
    assert not (tmp_path / "changed.tflite").exists()
    # The training's own parameters and the precision make no other layers.
    unet.set_params(residual=not unet.residual, precision="float32", loss="mse")
    again = run_litert(export(unet, tmp_path / "again.tflite", format="litert"), series)
    assert relative_difference(again, exported, series) < 1e-6


def test_resampled_denoisers_missing_folders_and_bool_batch_sizes(tmp_path):
    from sklearn.preprocessing import FunctionTransformer

    from skdenoise.pipeline import ResampledDenoiser

    # The pretrained models are ResampledDenoisers around a WindowedDenoiser:
    # the message said they had "no network to export".
    resampled = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=500, estimator_sampling_rate=360
    ).fit(np.zeros((1, 100)))
    with pytest.raises(TypeError, match="resamples the series to 360 Hz.*estimator_"):
        export(resampled, tmp_path / "m.tflite", format="litert")
    # Refused before the conversion, naming the folder.
    with pytest.raises(FileNotFoundError, match="the folder .*missing does not exist"):
        export(resampled, tmp_path / "missing" / "m.tflite", format="litert")
    # True used to reach TensorFlow as a batch size ("got a boolean").
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        export(resampled, tmp_path / "m.tflite", format="litert", batch_size=True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"window_length": 48}, "window_length is 48, but its estimator_ was fitted"),
        ({"stride": 100}, "must not exceed window_length"),
        ({"taper": "nonsense"}, "taper"),
    ],
)
def test_windowing_changed_after_fit_is_refused(unet, tmp_path, change, message):
    from sklearn.base import clone

    from skdenoise.pipeline import WindowedDenoiser

    # The JSON file described windows the exported network does not take (or a
    # taper no runtime knows) and the file was written all the same.
    windowed = WindowedDenoiser(clone(unet), window_length=unet.n_features_in_)
    windowed.estimator_ = unet
    windowed.n_features_in_ = unet.n_features_in_
    windowed.n_channels_in_ = unet.n_channels_in_
    windowed.set_params(**change)
    with pytest.raises(ValueError, match=message):
        export(windowed, tmp_path / "m.tflite", format="litert")
    assert not (tmp_path / "m.tflite").exists()


def test_windowing_json_names_the_sampling_rate_the_denoiser_knows(tmp_path):
    from skdenoise import ConvAutoencoderDenoiser
    from skdenoise.persistence import load, save
    from skdenoise.pipeline import ResampledDenoiser, WindowedDenoiser

    clean = make_sines(4, 100, random_state=3)
    inner = ConvAutoencoderDenoiser(**ConvAutoencoderDenoiser._get_test_params())
    resampled = ResampledDenoiser(
        WindowedDenoiser(inner, window_length=32),
        sampling_rate=500,
        estimator_sampling_rate=250,
    ).fit(clean)
    # The estimator_ keeps the rate it was fitted at, saved with it too.
    windowed = load(save(resampled.estimator_, tmp_path / "windowed.skd"))
    path = export(windowed, tmp_path / "windows.tflite", format="litert")
    with open(path + ".json", encoding="utf-8") as file:
        sidecar = json.load(file)
    assert sidecar["sampling_rate"] == 250.0
    assert sidecar["window_length"] == 32  # the other keys as before

    from skdenoise import pretrained

    ecg = pretrained.load("ecg", sampling_rate=500)
    assert ecg.estimator_._sampling_rate_ == 360.0


def test_export_leaves_the_process_settings_and_stderr_alone(tmp_path):
    # The SavedModel writer gave the root logger a handler (a later
    # logging.basicConfig did nothing), the LiteRT converter set absl's level,
    # tf2onnx set TF_CPP_MIN_LOG_LEVEL, and with TensorFlow imported first the
    # converters' log lines reached stderr at verbose=0.
    formats = ["litert"]
    if importlib.util.find_spec("tf2onnx") is not None:
        formats.append("onnx")
    code = (
        "import keras, logging, os, sys\n"
        "import numpy as np\n"
        "from skdenoise import UNetDenoiser, export\n"
        "X = np.sin(np.linspace(0, 60, 24 * 64)).reshape(24, 64)\n"
        "model = UNetDenoiser(filters=2, depth=1, kernel_size=3, epochs=1,\n"
        "                     random_state=0).fit(X, X)\n"
        "before = (list(logging.root.handlers), logging.getLogger('absl').level,\n"
        "          os.environ.get('TF_CPP_MIN_LOG_LEVEL'))\n"
        "sys.stderr.flush()\n"
        "print('EXPORT', file=sys.stderr, flush=True)\n"
        f"for fmt in {formats!r}:\n"
        "    name = 'm.tflite' if fmt == 'litert' else 'm.onnx'\n"
        f"    export(model, os.path.join({str(tmp_path)!r}, name), format=fmt)\n"
        # tf2onnx's Python logger said how it froze a recurrent network's
        # dropout, at warning level.
        f"if 'onnx' in {formats!r}:\n"
        "    from skdenoise import LSTMDenoiser\n"
        "    lstm = LSTMDenoiser(units=4, n_layers=1, dropout=0.2, epochs=1,\n"
        "                        random_state=0).fit(X[:8], X[:8])\n"
        f"    export(lstm, os.path.join({str(tmp_path)!r}, 'lstm.onnx'))\n"
        "after = (list(logging.root.handlers), logging.getLogger('absl').level,\n"
        "         os.environ.get('TF_CPP_MIN_LOG_LEVEL'))\n"
        "assert after == before, (before, after)\n"
        "assert logging.getLogger('tf2onnx').level in (0, logging.NOTSET)\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.split("EXPORT\n", 1)[1] == ""


def test_an_op_onnx_lacks_is_refused_before_anything_is_written(pairs, tmp_path):
    # tf2onnx kept an op it cannot convert (Erfinv) with a warning: the
    # export returned, and ONNX Runtime refused the file it had written
    # (over an earlier good export).
    pytest.importorskip("tf2onnx", reason="tf2onnx (the export extra) is not installed")
    import keras

    def build(n_timesteps, n_channels):
        inputs = keras.Input((n_timesteps, n_channels))
        hidden = keras.layers.Conv1D(n_channels, 3, padding="same")(inputs)
        odd = keras.layers.Lambda(lambda t: keras.ops.erfinv(0.5 * keras.ops.tanh(t)))
        return keras.Model(inputs, odd(hidden))

    X = pairs[0][:8, :, 0]
    model = KerasDenoiser(build, epochs=1, random_state=0).fit(X, X)
    path = tmp_path / "m.onnx"
    path.write_bytes(b"an earlier export")
    with pytest.raises(ValueError, match=r"ONNX does not have at opset \d+ \(Erfinv\)"):
        export(model, path)
    assert path.read_bytes() == b"an earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def test_a_failed_export_leaves_an_earlier_one_whole(
    unet, unet_files, tmp_path, monkeypatch
):
    # The converters write their file as they go: a failure (a full disk)
    # left a truncated file in place of a good export, which crashed the
    # LiteRT interpreter, beside the old windowing file.
    import shutil

    from skdenoise import _export

    path = tmp_path / "model.tflite"
    # The good export of unet, written once for the module.
    target, good = unet_files("litert")
    shutil.copyfile(good, path)
    before = path.read_bytes()

    class Failing:
        def __init__(self, graph):
            self.graph = graph

        def export(self, target, **kwargs):
            with open(target, "wb") as file:
                file.write(b"partial")
            raise OSError(28, "No space left on device")

    real = _export.transform_graph
    monkeypatch.setattr(_export, "transform_graph", lambda e: Failing(real(e)))
    with pytest.raises(OSError, match="No space left"):
        export(unet, path, format="litert")
    assert good == target and path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tflite"]
