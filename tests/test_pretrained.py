"""The pretrained ECG denoiser: loading, checksum, rates, leads, fine-tuning, CLI."""

import json
import shutil

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skdenoise import pretrained
from skdenoise.datasets import make_ecg
from skdenoise.metrics import snr
from skdenoise.persistence import load, save
from skdenoise.pipeline import ResampledDenoiser
from skdenoise.pretrained import _models


def ecg(n_series, seconds, rate, seed=0):
    """Synthetic ECG (mV) at ``rate`` Hz and a noisy version of it."""
    clean = make_ecg(
        n_series, int(seconds * rate), sampling_rate=rate, random_state=seed
    )
    rng = np.random.default_rng(seed)
    noisy = clean + 0.1 * rng.standard_normal(clean.shape)
    return noisy, clean


@pytest.fixture(scope="module")
def denoiser():
    return pretrained.load("ecg", sampling_rate=360)


def trained_precision():
    """The precision the shipped ECG network was trained in, as its card says."""
    card = _models.MODELS["ecg"].path.with_suffix(".json")
    return json.loads(card.read_text(encoding="utf-8"))["model"]["precision"]


def test_list_models():
    models = pretrained.list_models()
    assert [name for name, _ in models] == ["ecg"]
    assert all(isinstance(text, str) and text for _, text in models)


def test_load_returns_a_fitted_estimator(denoiser):
    assert isinstance(denoiser, ResampledDenoiser)
    assert denoiser.sampling_rate == 360.0
    assert denoiser.estimator_sampling_rate == 360.0
    noisy, clean = ecg(2, 4, 360)
    out = denoiser.transform(noisy)
    assert out.shape == noisy.shape
    assert np.all(np.isfinite(out))
    # A clone is an unfitted estimator with the same settings.
    assert clone(denoiser).get_params()["sampling_rate"] == 360.0


def test_loads_are_independent():
    # Each load is a fresh estimator: fine-tuning one leaves the other alone.
    first = pretrained.load("ecg", sampling_rate=360)
    second = pretrained.load("ecg", sampling_rate=250)
    assert first.sampling_rate == 360.0 and second.sampling_rate == 250.0
    noisy, clean = ecg(2, 4, 360)
    before = second.set_params(sampling_rate=360).transform(noisy)
    first.partial_fit(noisy, clean)
    np.testing.assert_array_equal(second.transform(noisy), before)
    assert not np.array_equal(first.transform(noisy), before)


def test_it_computes_in_float32_or_in_the_precision_it_was_trained_in(
    denoiser, tmp_path
):
    # Mixed bfloat16 ran 1.7 times slower than float32 on CPUs without
    # bfloat16 units; the weights are float32 either way.
    import random

    trained = pretrained.load("ecg", sampling_rate=360, precision="trained")
    network, own = denoiser.estimator_.estimator_, trained.estimator_.estimator_
    assert own.precision == trained_precision()
    assert network.precision == "float32" and network._built_precision() == "float32"
    assert denoiser.get_params()["estimator__estimator__precision"] == "float32"
    assert {layer.dtype_policy.name for layer in network.model_.layers} == {"float32"}
    for mine, theirs in zip(
        network.model_.get_weights(), own.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)
    noisy, clean = ecg(2, 6, 360)
    out, reference = denoiser.transform(noisy), trained.transform(noisy)
    if trained_precision() == "float32":
        np.testing.assert_array_equal(out, reference)
    # In mixed bfloat16 (as the file before 2026-12-07 was trained, and as a
    # CPU with bfloat16 units may run it), the same weights give outputs
    # apart by the 16-bit rounding only (an ADC step of MITDB: 5 uV).
    rounded = pretrained.load("ecg", sampling_rate=360)
    rounded.estimator_.estimator_._compute_in("mixed_bfloat16")
    layers = rounded.estimator_.estimator_.model_.layers
    assert "mixed_bfloat16" in {layer.dtype_policy.name for layer in layers}
    assert 0 < np.max(np.abs(out - rounded.transform(noisy))) < 5e-3 * np.ptp(clean)
    # Loading leaves Python's random numbers as they were.
    random.seed(3)
    state = random.getstate()
    pretrained.load("ecg", sampling_rate=250)
    assert random.getstate() == state
    # Fine-tuned, saved and loaded, it stays in float32.
    tuned = pretrained.load("ecg", sampling_rate=360)
    tuned.partial_fit(noisy, clean)
    save(tuned, tmp_path / "tuned.skdenoise")
    loaded = load(tmp_path / "tuned.skdenoise")
    network = loaded.estimator_.estimator_
    assert network._built_precision() == "float32"
    assert {layer.dtype_policy.name for layer in network.model_.layers} == {"float32"}
    np.testing.assert_array_equal(loaded.transform(clean), tuned.transform(clean))


def test_loads_in_threads_at_once_finish(monkeypatch):
    # The float32 rebuild took the seeds' lock, then the dtype policy's; a
    # load in another thread took them the other way round: both waited for
    # good. Pauses inside each widen the window.
    import threading
    import time

    from skdenoise import _tf
    from skdenoise.neural import _base

    network = pretrained.load(
        "ecg", sampling_rate=360, precision="trained"
    ).estimator_.estimator_
    # A rebuild in the other precision than the file's (float32 is no rebuild
    # for a network already in float32).
    other = "mixed_bfloat16" if network.precision == "float32" else "float32"
    load_model, check = _tf.load_keras_model, _base.check_strategy

    def slow(function, thread):
        def run(*args, **kwargs):
            if threading.current_thread().name == thread:
                time.sleep(0.5)
            return function(*args, **kwargs)

        return run

    monkeypatch.setattr(_tf, "load_keras_model", slow(load_model, "loading"))
    monkeypatch.setattr(_base, "check_strategy", slow(check, "rebuilding"))
    threads = [
        threading.Thread(name="rebuilding", target=network._compute_in, args=(other,)),
        threading.Thread(
            name="loading",
            target=pretrained.load,
            args=("ecg",),
            kwargs={"sampling_rate": 360, "precision": "trained"},
        ),
    ]
    for thread in threads:
        thread.daemon = True
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert network.precision == other


def test_a_request_comes_back_the_same_whatever_came_before():
    # Keras traced the network first for the first call's batch size, a
    # graph kept for that size that rounds its own way: one window came back
    # with other bits in a process whose first request had been larger.
    noisy, _ = ecg(3, 8, 360)
    one = noisy[:1, :400]
    first = pretrained.load("ecg", sampling_rate=360)
    later = pretrained.load("ecg", sampling_rate=360)
    out = first.transform(one)
    later.transform(noisy)
    np.testing.assert_array_equal(later.transform(one), out)


def test_shipped_file_is_small():
    assert _models.MODELS["ecg"].path.stat().st_size <= 5 * 2**20


def test_corrupted_file_is_refused(tmp_path, monkeypatch):
    model = _models.MODELS["ecg"]
    copy = tmp_path / model.file
    shutil.copyfile(model.path, copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    monkeypatch.setattr(_models, "_DIRECTORY", tmp_path)
    with pytest.raises(ValueError, match=r"ecg_unet\.skdenoise is corrupted"):
        pretrained.load("ecg", sampling_rate=360)
    copy.unlink()
    with pytest.raises(FileNotFoundError, match="ecg_unet.skdenoise is missing"):
        pretrained.load("ecg", sampling_rate=360)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "eeg", "sampling_rate": 360}, "Unknown pretrained model 'eeg'"),
        ({"sampling_rate": 50}, "at least 100 Hz"),
        ({"sampling_rate": -1}, "positive number"),
        ({"sampling_rate": float("nan")}, "positive number"),
        ({"sampling_rate": "500"}, "positive number"),
        ({"sampling_rate": 360, "precision": "float16"}, "precision must be one"),
        ({"sampling_rate": 360, "precision": None}, "precision must be one"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pretrained.load(**kwargs)


def test_sampling_rate_is_required():
    with pytest.raises(TypeError, match="sampling_rate"):
        pretrained.load("ecg")


@pytest.mark.parametrize("rate", [250, 500, 128.5])
def test_sampling_rate_round_trip(rate):
    noisy, clean = ecg(2, 3, rate)
    model = pretrained.load("ecg", sampling_rate=rate)
    out = model.transform(noisy)
    assert out.shape == noisy.shape
    assert np.all(np.isfinite(out))
    # The input is left alone.
    np.testing.assert_array_equal(noisy, ecg(2, 3, rate)[0])
    # An odd length comes back with its length.
    assert model.transform(noisy[:, :-7]).shape == (2, noisy.shape[1] - 7)


def test_resampling_keeps_a_smooth_series():
    # Through resampling alone (an identity inside) a slow series comes back.
    t = np.arange(0, 4, 1 / 500)
    X = np.sin(2 * np.pi * 3 * t)[np.newaxis]
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=500, estimator_sampling_rate=360
    ).fit(X)
    np.testing.assert_allclose(model.transform(X)[:, 50:-50], X[:, 50:-50], atol=1e-3)


@pytest.mark.parametrize("rates", [(1000, 360), (360, 250), (250, 360), (128, 360)])
def test_resampling_treats_the_first_and_last_samples_as_the_others(rates):
    # Each row was filtered against a fitted line at its ends: 0.03-0.05 off
    # at the first samples of a 20 Hz sine of amplitude 1, and 0.08-0.18 at the
    # last ones for the downsampling rates; the interior up to 3e-3 off.
    rate, inner_rate = rates
    t = np.arange(10 * rate) / rate
    X = np.sin(2 * np.pi * 20 * t + 0.3)[np.newaxis]
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=rate, estimator_sampling_rate=inner_rate
    ).fit(X)
    errors = np.abs(model.transform(X) - X)[0]
    assert errors[rate:-rate].max() < 1e-4
    assert errors[:5].max() < 2e-3
    # The last samples lie past the estimator's last one when it comes back:
    # extrapolated, still.
    assert errors[-5:].max() < 2e-2


@pytest.mark.parametrize("frequency", [185.4, 190.8, 198.0, 230.0])
def test_resampling_does_not_fold_content_above_the_lower_nyquist(frequency):
    # Just above 180 Hz a sine at 1000 Hz came back folded below 180 Hz, at up
    # to a third of its amplitude (SciPy's filter is cut at the Nyquist
    # frequency itself).
    t = np.arange(5000) / 1000
    X = np.sin(2 * np.pi * frequency * t)[np.newaxis]
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=1000, estimator_sampling_rate=360
    ).fit(X)
    assert np.abs(model.transform(X)[0, 500:-500]).max() < 1e-3
    # Content well inside the band passes unchanged.
    slow = np.sin(2 * np.pi * 140 * t)[np.newaxis]
    assert_out = model.transform(slow)[0, 500:-500]
    np.testing.assert_allclose(assert_out, slow[0, 500:-500], atol=1e-3)


def test_resampled_denoiser_edges():
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=250, estimator_sampling_rate=360
    ).fit(np.zeros((1, 10)))
    np.testing.assert_allclose(model.transform(np.full((2, 1), 3.0)), 3.0, rtol=1e-3)
    with pytest.raises(ValueError, match="downsample the series first"):
        model.set_params(sampling_rate=1e7).transform(np.zeros((1, 100)))


def test_twelve_leads():
    noisy, _ = ecg(24, 3, 500)
    leads = noisy.reshape(2, 12, -1).transpose(0, 2, 1)  # (records, samples, leads)
    model = pretrained.load("ecg", sampling_rate=500)
    out = model.transform(leads)
    assert out.shape == leads.shape
    # Each lead is denoised on its own, as a single series would be.
    single = model.transform(leads[:, :, 3])
    np.testing.assert_allclose(out[:, :, 3], single, rtol=1e-5, atol=1e-6)


def test_any_units(denoiser):
    noisy, _ = ecg(2, 3, 360)
    out = denoiser.transform(noisy)
    # Microvolts with an offset: the output is in the same units.
    scaled = denoiser.transform(1000.0 * noisy + 250.0)
    np.testing.assert_allclose(scaled, 1000.0 * out + 250.0, rtol=1e-4, atol=1e-2)
    out32 = denoiser.transform(noisy.astype(np.float32))
    assert out32.dtype == np.float32


def test_denoises_and_leaves_a_clean_ecg_nearly_alone(denoiser):
    noisy, clean = ecg(4, 6, 360, seed=1)
    assert np.mean(snr(clean, denoiser.transform(noisy), per_series=True)) > np.mean(
        snr(clean, noisy, per_series=True)
    )
    assert np.mean(snr(clean, denoiser.transform(clean), per_series=True)) > 15.0


@pytest.mark.parametrize("rate", [360, 500])
def test_predict_returns_a_calibrated_std(rate):
    denoiser = pretrained.load("ecg", sampling_rate=rate)
    assert denoiser.get_params()["estimator__estimator__uncertainty"] == "flips"
    clean = make_ecg(3, int(6 * rate), sampling_rate=rate, random_state=2)
    rng = np.random.default_rng(2)
    spread = {}
    for level in (0.02, 0.3):
        noisy = clean + level * rng.standard_normal(clean.shape)
        given = noisy.copy()
        mean, std = denoiser.predict(noisy, return_std=True)
        np.testing.assert_array_equal(noisy, given)
        np.testing.assert_array_equal(mean, denoiser.transform(noisy))
        assert std.shape == noisy.shape
        assert np.all(np.isfinite(std)) and np.all(std > 0)
        spread[level] = float(np.sqrt(np.mean(std**2)))
    # A noisier input gets a wider band.
    assert spread[0.3] > 2 * spread[0.02]


def test_calibrate_uncertainty_on_your_own_recordings():
    denoiser = pretrained.load("ecg", sampling_rate=500)
    clean = make_ecg(4, 5000, sampling_rate=500, random_state=3)
    noisy = clean + 0.1 * np.random.default_rng(3).standard_normal(clean.shape)
    given = noisy.copy(), clean.copy()
    before = denoiser.transform(noisy)
    _, std = denoiser.predict(noisy, return_std=True)
    assert denoiser.calibrate_uncertainty(noisy, clean) is denoiser
    np.testing.assert_array_equal(noisy, given[0])
    np.testing.assert_array_equal(clean, given[1])
    np.testing.assert_array_equal(denoiser.transform(noisy), before)
    mean, calibrated = denoiser.predict(noisy, return_std=True)
    np.testing.assert_array_equal(mean, before)
    assert not np.array_equal(calibrated, std)
    assert np.all(np.isfinite(calibrated)) and np.all(calibrated > 0)
    # On the series it was calibrated on, the band holds about 95 % of them.
    inside = np.mean(np.abs(clean - mean) <= 1.96 * calibrated)
    assert 0.85 < inside < 0.995
    # A fresh load still has the shipped calibration.
    _, shipped = pretrained.load("ecg", sampling_rate=500).predict(
        noisy, return_std=True
    )
    np.testing.assert_array_equal(shipped, std)
    with pytest.raises(ValueError, match="not in X's units"):
        denoiser.calibrate_uncertainty(noisy, 1000.0 * clean)  # microvolts
    with pytest.raises(ValueError, match="shape"):
        denoiser.calibrate_uncertainty(noisy, clean[:, :100])
    with pytest.raises(ValueError, match="at least"):
        denoiser.calibrate_uncertainty(noisy[:, :100], clean[:, :100])


def test_too_short_input():
    model = pretrained.load("ecg", sampling_rate=250)
    with pytest.raises(
        ValueError,
        match=r"got series of 100 samples at 250 Hz; it needs at least 178 samples "
        r"\(0.7111 s\)\.$",
    ):
        model.transform(np.zeros((1, 100)))
    assert model.transform(np.zeros((1, 178))).shape == (1, 178)
    # One sample short at 1000 Hz: 0.711 s of 0.7111; each fact is said once.
    model.set_params(sampling_rate=1000)
    with pytest.raises(ValueError, match="needs at least 712 samples") as error:
        model.transform(np.zeros((1, 711)))
    message = str(error.value)
    assert message.count("0.711") == 1 and message.count("1000 Hz") == 1
    # A recording with time down the columns (a table of leads) is named so.
    with pytest.raises(ValueError, match=r"X has 3600 rows: .*transposed \(X\.T\)"):
        model.transform(np.zeros((3600, 2)))


def test_too_low_rate_after_set_params(denoiser):
    model = clone(denoiser).set_params(sampling_rate=60)
    with pytest.raises(ValueError, match="below the lowest rate"):
        model.fit(np.zeros((1, 600)))


def test_pipeline_and_save(tmp_path):
    noisy, _ = ecg(1, 3, 500)
    model = pretrained.load("ecg", sampling_rate=500)
    expected = model.transform(noisy)
    # Frozen, fitting the pipeline leaves the pretrained network as it is.
    pipe = make_pipeline(
        FunctionTransformer(lambda x: x / 1000.0), FrozenEstimator(model)
    ).fit(1000.0 * noisy)
    np.testing.assert_allclose(pipe.transform(1000.0 * noisy), expected, rtol=1e-6)
    path = save(model, tmp_path / "mine.skdenoise")
    restored = load(path)
    assert restored.sampling_rate == 500.0
    np.testing.assert_allclose(restored.transform(noisy), expected)


def test_fine_tuning_changes_weights_and_still_works(capsys):
    model = pretrained.load("ecg", sampling_rate=250)
    noisy, clean = ecg(2, 8, 250)
    network = model.estimator_.estimator_
    before = [w.copy() for w in network.model_.get_weights()]
    epochs = network.n_epochs_
    assert model.partial_fit(noisy, clean) is model
    after = network.model_.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    assert network.n_epochs_ == epochs + 1
    out = model.transform(noisy)
    assert out.shape == noisy.shape and np.all(np.isfinite(out))
    # The shipped file is untouched: a new load has the old weights.
    fresh = pretrained.load("ecg", sampling_rate=250).estimator_.estimator_
    for a, b in zip(before, fresh.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert capsys.readouterr().out == ""


def test_fine_tuning_keeps_or_recalibrates_the_gate_as_the_card_says():
    import warnings

    model = pretrained.load("ecg", sampling_rate=360)
    network = model.estimator_.estimator_
    shipped = network.gate_snr_.copy(), network.gate_scale_.copy()
    # Two 4 s series: the end of each is held out, too few windows for a gate.
    noisy, clean = ecg(2, 4, 360)
    with pytest.warns(UserWarning, match="The no-harm gate fitted before this call"):
        model.partial_fit(noisy, clean)
    np.testing.assert_array_equal(network.gate_snr_, shipped[0])
    np.testing.assert_array_equal(network.gate_scale_, shipped[1])
    # Twelve 8 s series: one held out, eleven windows; the gate is fitted again.
    noisy, clean = ecg(12, 8, 360, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.partial_fit(noisy, clean)
    assert network.gate_snr_ is not None
    assert network.gate_snr_.shape != shipped[0].shape or not np.array_equal(
        network.gate_snr_, shipped[0]
    )


def test_a_window_at_the_models_rate_is_the_networks_output(denoiser):
    # At 360 Hz a zero-mean 512-sample window goes to the network unchanged.
    _, clean = ecg(3, 512 / 360, 360)
    window = clean - clean.mean(axis=1, keepdims=True) + 0.05
    window -= window.mean(axis=1, keepdims=True)
    network = denoiser.estimator_.estimator_
    np.testing.assert_allclose(
        denoiser.transform(window), network.transform(window), rtol=1e-6, atol=1e-9
    )


# The command line ---------------------------------------------------------------
def test_cli_wfdb_record(tmp_path, capsys):
    from skdenoise.cli import main
    from skdenoise.datasets import read_wfdb, write_wfdb

    noisy, _ = ecg(2, 4, 500)
    record = tmp_path / "rec"
    write_wfdb(record, noisy.T, sampling_rate=500, channel_names=["I", "II"])
    out = tmp_path / "out" / "rec"
    assert main(["denoise", "--pretrained", "ecg", str(record), "-o", str(out)]) == 0
    assert "pretrained model ecg at 500 Hz" in capsys.readouterr().out
    written = read_wfdb(out)
    assert written.sampling_rate == 500
    assert list(written.channel_names) == ["I", "II"]
    expected = pretrained.load("ecg", sampling_rate=500).transform(
        read_wfdb(record).signal.T
    )
    np.testing.assert_allclose(written.signal.T, expected, atol=0.01)


def test_cli_csv_at_500_hz(tmp_path, capsys):
    from skdenoise.cli import main

    noisy, _ = ecg(2, 3, 500)
    path = tmp_path / "ecg.csv"
    np.savetxt(path, noisy, delimiter=",")
    out = tmp_path / "denoised.csv"
    argv = ["denoise", "--pretrained", "ecg", str(path), "-o", str(out)]
    assert main(argv) == 2
    assert "--sampling-rate" in capsys.readouterr().err
    assert main([*argv, "--sampling-rate", "500"]) == 0
    denoised = np.loadtxt(out, delimiter=",")
    assert denoised.shape == noisy.shape
    expected = pretrained.load("ecg", sampling_rate=500).transform(noisy)
    np.testing.assert_allclose(denoised, expected, rtol=1e-6, atol=1e-9)


def test_cli_std_csv_and_wfdb(tmp_path, capsys):
    from skdenoise.cli import main
    from skdenoise.datasets import read_wfdb, write_wfdb

    noisy, _ = ecg(2, 3, 500)
    path = tmp_path / "ecg.csv"
    np.savetxt(path, noisy, delimiter=",")
    out, std_out = tmp_path / "denoised.csv", tmp_path / "std.csv"
    argv = ["denoise", "--pretrained", "ecg", "--sampling-rate", "500", str(path)]
    assert main([*argv, "-o", str(out), "--std", str(std_out)]) == 0
    assert f"wrote {out} and {std_out}" in capsys.readouterr().out
    denoiser = pretrained.load("ecg", sampling_rate=500)
    mean, std = denoiser.predict(noisy, return_std=True)
    np.testing.assert_allclose(np.loadtxt(out, delimiter=","), mean, atol=1e-9)
    written = np.loadtxt(std_out, delimiter=",")
    np.testing.assert_allclose(written, std, rtol=1e-6, atol=1e-12)
    assert np.all(written > 0)
    # An existing STD_OUTPUT is kept without --overwrite, before any work.
    before = std_out.read_bytes()
    assert main([*argv, "-o", str(tmp_path / "b.csv"), "--std", str(std_out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert std_out.read_bytes() == before and not (tmp_path / "b.csv").exists()
    assert main([*argv, "-o", str(out), "--std", str(out), "--overwrite"]) == 2
    assert "of its own" in capsys.readouterr().err

    record = tmp_path / "rec"
    write_wfdb(record, noisy.T, sampling_rate=500, channel_names=["I", "II"])
    argv = ["denoise", "--pretrained", "ecg", str(record)]
    rec_out, rec_std = tmp_path / "out" / "rec", tmp_path / "out" / "rec_std"
    assert main([*argv, "-o", str(rec_out), "--std", str(rec_std)]) == 0
    capsys.readouterr()
    std_record = read_wfdb(rec_std)
    assert std_record.sampling_rate == 500
    assert list(std_record.channel_names) == ["I", "II"]
    _, expected = denoiser.predict(read_wfdb(record).signal.T, return_std=True)
    np.testing.assert_allclose(std_record.signal.T, expected, atol=0.01)


def test_cli_highpass_removes_the_baseline_first(tmp_path, capsys):
    # The model keeps what lies below 0.5 Hz; --highpass removes it before.
    from skdenoise.baselines import BandpassDenoiser
    from skdenoise.cli import main
    from skdenoise.datasets import read_wfdb, write_wfdb

    noisy, _ = ecg(2, 6, 500)
    drift = 2.0 * np.sin(2 * np.pi * 0.2 * np.arange(noisy.shape[1]) / 500)
    noisy = noisy + drift
    path = tmp_path / "drift.csv"
    np.savetxt(path, noisy, delimiter=",")
    out = tmp_path / "d.csv"
    argv = ["denoise", "--pretrained", "ecg", "--sampling-rate", "500", str(path)]
    assert main([*argv, "--highpass", "0.5", "-o", str(out), "--quiet"]) == 0
    highpass = BandpassDenoiser(
        low_cutoff=0.5, high_cutoff=None, order=2, sampling_rate=500
    )
    filtered = highpass.fit(noisy).transform(noisy)
    expected = pretrained.load("ecg", sampling_rate=500).transform(filtered)
    written = np.loadtxt(out, delimiter=",")
    np.testing.assert_allclose(written, expected, atol=1e-9)
    # The drift is gone from the output, not from the model's alone (the
    # share of it left, by least squares).
    alone = pretrained.load("ecg", sampling_rate=500).transform(noisy)
    assert alone[0] @ drift / (drift @ drift) > 0.8
    assert abs(written[0] @ drift / (drift @ drift)) < 0.1
    # A WFDB record gives its rate, and its header says what was done.
    record = tmp_path / "drift_rec"
    write_wfdb(record, noisy.T, sampling_rate=500, channel_names=["I", "II"])
    rec_out = tmp_path / "out" / "drift_rec"
    wfdb_argv = ["denoise", "--pretrained", "ecg", str(record), "--highpass", "0.5"]
    assert main([*wfdb_argv, "-o", str(rec_out), "--quiet"]) == 0
    assert any("0.5 Hz high-pass" in c for c in read_wfdb(rec_out).comments)
    # A cut-off at or above half the rate is a bad option value.
    assert main([*argv, "--highpass", "250", "-o", str(out), "--overwrite"]) == 2
    assert (
        "below half the sampling rate (250 Hz, half of 500 Hz)"
        in capsys.readouterr().err
    )


def test_cli_precision_of_the_pretrained_network(tmp_path, capsys):
    # The command line computed in float32 only: --precision trained gives the
    # precision the network was trained in, as pretrained.load does.
    from skdenoise.cli import main

    noisy, _ = ecg(1, 3, 500)
    path = tmp_path / "ecg.csv"
    np.savetxt(path, noisy, delimiter=",")
    argv = ["denoise", "--pretrained", "ecg", "--sampling-rate", "500", str(path)]
    for precision in ("float32", "trained"):
        out = tmp_path / f"{precision}.csv"
        assert main([*argv, "--precision", precision, "-o", str(out), "--quiet"]) == 0
        expected = pretrained.load(
            "ecg", sampling_rate=500, precision=precision
        ).transform(noisy)
        np.testing.assert_allclose(
            np.loadtxt(out, delimiter=",").reshape(expected.shape),
            expected,
            rtol=1e-6,
            atol=1e-9,
        )
    trained = np.loadtxt(tmp_path / "trained.csv", delimiter=",")
    # The same where the network was trained in float32, by the 16-bit
    # rounding apart where it was trained in mixed bfloat16.
    same = np.array_equal(trained, np.loadtxt(tmp_path / "float32.csv", delimiter=","))
    assert same == (trained_precision() == "float32")
    # A saved model keeps the precision it was saved with.
    model = tmp_path / "model.skd"
    model.write_bytes(b"")
    saved = ["denoise", str(model), str(path), "--precision", "trained"]
    assert main([*saved, "-o", str(tmp_path / "x.csv")]) == 2
    assert "--precision applies to --pretrained" in capsys.readouterr().err


def test_cli_errors(tmp_path, capsys):
    from skdenoise.cli import main

    path = tmp_path / "ecg.csv"
    np.savetxt(path, ecg(1, 3, 500)[0], delimiter=",")
    out = str(tmp_path / "out.csv")
    model = tmp_path / "model.skd"
    model.write_bytes(b"")
    both = ["denoise", "--pretrained", "ecg", str(model), str(path), "-o", out]
    assert main(both) == 2
    assert "not both" in capsys.readouterr().err
    low = ["denoise", "--pretrained", "ecg", "--sampling-rate", "50", str(path)]
    # A rate the model cannot take is a bad option value (exit status 2).
    assert main([*low, "-o", out]) == 2
    err = capsys.readouterr().err
    assert "--sampling-rate 50" in err and "at least 100 Hz" in err
    unknown = ["denoise", "--pretrained", "eeg", "--sampling-rate", "500", str(path)]
    assert main([*unknown, "-o", out]) == 2
    assert "eeg" in capsys.readouterr().err


def test_a_rate_the_resampling_cannot_approximate_is_refused():
    # 700 kHz used to be resampled as if it were 360 kHz (the ratio 1/1000).
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=7e5, estimator_sampling_rate=360
    )
    with pytest.raises(ValueError, match="downsample the series first"):
        model.fit(np.zeros((1, 100)))
    assert model.set_params(sampling_rate=1e5).fit(np.zeros((1, 100)))
    with pytest.raises(ValueError, match="downsample the series first"):
        pretrained.load("ecg", sampling_rate=5e5)
    # The docstrings' limit: about 1000 times the estimator's rate.
    assert model.set_params(sampling_rate=3.5e5).fit(np.zeros((1, 100)))


@pytest.mark.parametrize("rate", [0.1, 1e-300])
def test_a_rate_far_below_the_estimators_is_refused(rate):
    # 0.01 Hz took 15 s and half a gigabyte for 100 samples (a filter of
    # millions of taps); 1e-300 Hz failed inside NumPy.
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=rate, estimator_sampling_rate=360
    )
    with pytest.raises(ValueError, match="too far below .* upsample the series"):
        model.fit(np.zeros((1, 100)))
    assert model.set_params(sampling_rate=1.0).fit(np.zeros((1, 100)))
    # A rate that is not a round number has large factors (2747 / 979 here),
    # not a large ratio: it is taken.
    assert model.set_params(sampling_rate=128.3).fit(np.zeros((1, 100)))
    denoised = pretrained.load("ecg", sampling_rate=128.3).transform(
        np.zeros((1, 1000))
    )
    assert denoised.shape == (1, 1000)


@pytest.mark.parametrize(
    "key", ["sampling_rate", "estimator_sampling_rate", "min_sampling_rate"]
)
def test_a_bool_rate_is_refused_at_fit(key):
    # True passed as 1 Hz, and transform then blamed a changed parameter.
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=2.0, estimator_sampling_rate=2.0
    ).set_params(**{key: True})
    with pytest.raises(ValueError, match=f"'{key}' parameter .* number of hertz"):
        model.fit(np.zeros((1, 100)))


def test_rates_set_after_fit_are_checked():
    model = ResampledDenoiser(
        FunctionTransformer(), sampling_rate=250, estimator_sampling_rate=360
    ).fit(np.zeros((1, 100)))
    X = np.zeros((1, 100))
    # Raw ZeroDivisionError and scipy's "up and down must be >= 1" before.
    for rate in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="'sampling_rate' parameter"):
            clone(model).fit(X).set_params(sampling_rate=rate).transform(X)
    # The fitted estimator works at its rate: another one is refused.
    model.set_params(estimator_sampling_rate=250)
    with pytest.raises(ValueError, match="fitted at 360 Hz"):
        model.transform(X)
    assert model.fit(X).estimator_sampling_rate_ == 250.0
    shipped = pretrained.load("ecg", sampling_rate=500)
    shipped.set_params(estimator_sampling_rate=500)
    with pytest.raises(ValueError, match="fitted at 360 Hz"):
        shipped.transform(np.zeros((1, 500)))
    with pytest.raises(ValueError, match="fitted at 360 Hz"):
        shipped.partial_fit(np.zeros((1, 500)), np.zeros((1, 500)))


def test_documented_shortest_length_is_accepted():
    import math
    import re
    from pathlib import Path

    # The documents said 0.71 s, and a recording of 0.71 s (710 samples at
    # 1000 Hz) was refused: the model needs 256 / 360 s.
    card = (Path(__file__).parents[1] / "docs" / "pretrained.rst").read_text()
    doc = " ".join(pretrained.load.__doc__.split())
    accepted = [
        *re.findall(r"any length\*\* from 256 samples at 360 Hz \(([\d.]+) s", card),
        *re.findall(r"least ([\d.]+) s \(256 samples at 360 Hz\) and of any", doc),
    ]
    (refused,) = re.findall(
        r"shorter than ([\d.]+) s \(256 samples at 360 Hz\) are refused", card
    )
    assert round(256 / 360, 4) == float(refused)
    assert len(accepted) == 2
    assert float(refused) <= _models.ECG_MIN_DURATION
    model = ResampledDenoiser(
        FunctionTransformer(),
        sampling_rate=1000,
        min_duration=_models.ECG_MIN_DURATION,
        estimator_sampling_rate=360.0,
    ).fit(np.zeros((1, 1000)))
    for seconds in accepted:
        # "At other rates the same duration rounded up to whole samples."
        n = math.ceil(float(seconds) * 1000)
        assert model.transform(np.zeros((1, n))).shape == (1, n)
        with pytest.raises(ValueError, match="needs at least"):
            model.transform(np.zeros((1, n - 1)))


def test_other_rates_denoise_about_as_well_as_the_models_own():
    # The same noisy ECG brought to 250 and 500 Hz: the resampling around the
    # network must not cost what the network gains (an edge extension passed
    # through the network once cost 2-3 dB at those rates).
    from scipy import signal

    clean = make_ecg(8, 360 * 6, sampling_rate=360, random_state=0)
    noisy = clean + 0.1 * np.random.default_rng(0).standard_normal(clean.shape)
    gains = {}
    for rate, (up, down) in {360: (1, 1), 250: (25, 36), 500: (25, 18)}.items():
        c, n = (signal.resample_poly(a, up, down, axis=1) for a in (clean, noisy))
        out = pretrained.load("ecg", sampling_rate=rate).transform(n)
        gains[rate] = np.mean(snr(c, out, per_series=True) - snr(c, n, per_series=True))
    assert gains[360] > 4.0
    for rate in (250, 500):
        assert abs(gains[rate] - gains[360]) < 0.6, gains


def test_the_shipped_file_loads_without_warnings_through_persistence():
    # Saved without its optimizer's state, it warned through
    # persistence.load, in Keras' words, that the optimizer had 102
    # variables and the file 2 (pretrained.load and the CLI silenced it).
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        denoiser = load(_models.MODELS["ecg"].path)
    assert isinstance(denoiser, ResampledDenoiser)
