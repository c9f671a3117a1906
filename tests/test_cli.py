import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from skdenoise import cli
from skdenoise.cli import main

TINY = ["--epochs", "1", "--param", "filters=4", "--param", "depth=2", "--quiet"]


def _run(*args):
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120
    )


def _series(n_series=6, n_timesteps=96, seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 12, n_timesteps)
    clean = np.sin(t + rng.uniform(0, 6, (n_series, 1)))
    return clean, clean + 0.3 * rng.standard_normal(clean.shape)


def _write_wfdb(folder, name, signal, gain=200.0):
    """A format-16 WFDB record written by hand."""
    adc = np.rint(signal * gain).astype("<i2")
    lines = [f"{name} {signal.shape[1]} 360 {signal.shape[0]}"]
    for c in range(signal.shape[1]):
        checksum = (int(adc[:, c].astype(np.int64).sum()) + 32768) % 65536 - 32768
        lines.append(
            f"{name}.dat 16 {gain:g}(0)/mV 16 0 {adc[0, c]} {checksum} 0 lead{c}"
        )
    (folder / f"{name}.hea").write_text("\n".join(lines) + "\n")
    (folder / f"{name}.dat").write_bytes(adc.tobytes())
    return folder / name


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    clean, noisy = _series()
    np.savetxt(folder / "clean.csv", clean, delimiter=",")
    np.savetxt(folder / "noisy.csv", noisy, delimiter=",")
    np.save(folder / "noisy.npy", noisy.astype(np.float32))
    np.save(folder / "clean.npy", clean)
    return folder


@pytest.fixture(scope="module")
def model(data):
    path = data / "model.skd"
    status = main(
        [
            "train",
            "--clean",
            str(data / "clean.csv"),
            "--noisy",
            str(data / "noisy.csv"),
            "--window-length",
            "32",
            "--output",
            str(path),
            *TINY,
        ]
    )
    assert status == 0
    return path


# ----------------------------------------------------------------------- help
def test_help_is_fast_and_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from skdenoise.cli import main\n"
        "for argv in (['--help'], ['train', '--help'], ['denoise', '--help'],\n"
        "             ['demo', '--help']):\n"
        "    assert main(argv) == 0, argv\n"
        "print('TF' if 'tensorflow' in sys.modules or 'keras' in sys.modules "
        "else 'noTF')\n"
    )
    result = _run("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("noTF")
    for command in ("demo", "train", "denoise", "benchmark"):
        assert command in result.stdout


def test_python_dash_m_help():
    result = _run("-m", "skdenoise", "--help")
    assert result.returncode == 0
    assert "usage: skdenoise" in result.stdout
    assert "exit status" in result.stdout


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "required" in capsys.readouterr().err


def test_bad_option_values_are_usage_errors(capsys):
    assert main(["demo", "--epochs", "0"]) == 2
    assert main(["train", "--clean", "x.csv", "--output", "m", "--model", "svm"]) == 2
    assert "invalid choice" in capsys.readouterr().err


# ------------------------------------------------------------- round trips
def test_train_and_denoise_csv(model, data, capsys):
    out = data / "denoised.csv"
    assert main(["denoise", str(model), str(data / "noisy.csv"), "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    denoised = np.loadtxt(out, delimiter=",")
    noisy = np.loadtxt(data / "noisy.csv", delimiter=",")
    assert denoised.shape == noisy.shape
    from skdenoise.persistence import load

    expected = load(model).transform(noisy)
    np.testing.assert_allclose(denoised, expected, rtol=1e-7, atol=1e-9)


def test_denoise_std_needs_a_model_with_an_uncertainty(model, data, capsys):
    out, std_out = data / "d_std.csv", data / "std_std.csv"
    argv = ["denoise", str(model), str(data / "noisy.csv"), "-o", str(out)]
    assert main([*argv, "--std", str(std_out)]) == 1
    err = capsys.readouterr().err
    assert "--std" in err and "uncertainty" in err
    # The command's words: calibrate_uncertainty is the Python API's.
    assert "--param uncertainty=flips" in err
    assert "calibrate_uncertainty" not in err and "return_std" not in err
    assert not out.exists() and not std_out.exists()


def test_train_with_an_uncertainty_and_denoise_with_std(data, capsys):
    path = data / "model_flips.skd"
    argv = ["train", "--clean", str(data / "clean.csv"), "--noisy"]
    argv += [str(data / "noisy.csv"), "--window-length", "32", "--output", str(path)]
    assert main([*argv, *TINY, "--param", "uncertainty='flips'"]) == 0
    out, std_out = data / "flips_d.npy", data / "flips_s.npy"
    noisy = data / "noisy.npy"
    assert (
        main(["denoise", str(path), str(noisy), "-o", str(out), "--std", str(std_out)])
        == 0
    )
    assert f"wrote {out} and {std_out}" in capsys.readouterr().out
    from skdenoise.persistence import load

    mean, std = load(path).predict(np.load(noisy), return_std=True)
    np.testing.assert_array_equal(np.load(out), mean)
    np.testing.assert_array_equal(np.load(std_out), std)
    assert np.load(std_out).dtype == np.float32 and np.all(std > 0)
    # Series in other units: predict's warning is printed as the command
    # line's, with its option, not as a Python warning of "<frozen runpy>".
    np.save(data / "noisy_uv.npy", 1000 * np.load(noisy))
    argv = ["denoise", str(path), str(data / "noisy_uv.npy"), "-o"]
    argv += [str(data / "uv_d.npy"), "--std", str(data / "uv_s.npy"), "--quiet"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("skdenoise denoise: warning: --std: the RMS of a series") == 1
    assert "UserWarning" not in err and "predict(" not in err


def test_denoise_std_of_a_wfdb_record_keeps_its_precision(data, capsys):
    # At the input's gain (steps of 5 uV) a std of a few uV was rounded to a
    # handful of values, or to zero; it is written at gains of its own.
    from skdenoise.datasets import read_wfdb
    from skdenoise.persistence import load

    path = data / "model_flips_wfdb.skd"
    argv = ["train", "--clean", str(data / "clean.csv"), "--noisy"]
    argv += [str(data / "noisy.csv"), "--window-length", "32", "--output", str(path)]
    assert main([*argv, *TINY, "--param", "uncertainty='flips'"]) == 0
    rng = np.random.default_rng(4)
    signal = 0.02 * np.sin(np.linspace(0, 40, 400))[:, None] * [1.0, 0.5]
    record = _write_wfdb(data, "std_rec", signal + 0.002 * rng.normal(size=(400, 2)))
    out, std_out = data / "std_rec_d", data / "std_rec_s"
    argv = ["denoise", str(path), str(record), "-o", str(out), "--std", str(std_out)]
    assert main([*argv, "--quiet"]) == 0
    _, std = load(path).predict(read_wfdb(record).signal.T, return_std=True)
    written = read_wfdb(std_out)
    assert np.all(written.signal > 0)
    np.testing.assert_allclose(written.signal, std.T, rtol=1e-3)
    assert written.units == ("mV", "mV")
    header = (data / "std_rec_s.hea").read_text().splitlines()[1].split()
    assert header[3:5] == ["16", "0"]  # ADC resolution and zero of its own
    # A --std record whose files are links to the output's: the standard
    # deviation replaced the denoised record, and the command said it wrote both.
    for suffix in (".hea", ".dat"):
        (data / f"std_link{suffix}").symlink_to(f"std_rec_d{suffix}")
    denoised = (data / "std_rec_d.dat").read_bytes()
    argv = ["denoise", str(path), str(record), "-o", str(out), "--std"]
    assert main([*argv, str(data / "std_link"), "--overwrite", "--quiet"]) == 2
    assert "is the output" in capsys.readouterr().err
    assert (data / "std_rec_d.dat").read_bytes() == denoised


def test_std_of_a_record_with_a_lead_off_is_written(data):
    # A lead flat for the whole record (electrode off) gets the std floor, the
    # smallest float, from the pretrained model: the gain that spreads it over
    # 16 bits overflowed and neither file was written.
    from skdenoise.cli._formats import _read_series, _write_series
    from skdenoise.datasets import read_wfdb

    signal = 0.02 * np.sin(np.linspace(0, 40, 400))[:, None] * [1.0, 0.0]
    record = _write_wfdb(data, "lead_off", signal - [0.0, 0.5])
    source = _read_series(record)
    std = np.stack([np.full(400, 0.01), np.full(400, np.finfo(float).tiny)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _write_series(data / "lead_off_s", source, std, own_gain=True)
    written = read_wfdb(data / "lead_off_s")
    assert np.all(np.isfinite(written.gain)) and np.all(written.gain > 0)
    np.testing.assert_allclose(written.signal[:, 0], 0.01, rtol=1e-3)
    assert np.all(written.signal[:, 1] == 0)


def test_denoised_wfdb_record_keeps_its_annotations(model, data, capsys):
    wfdb = pytest.importorskip("wfdb")
    signal = np.sin(np.linspace(0, 40, 400))[:, None]
    record = _write_wfdb(data, "annotated", signal)
    wfdb.wrann(
        "annotated", "atr", np.array([50, 250]), symbol=["N", "V"], write_dir=str(data)
    )
    out = data / "annotated_out" / "clean"
    assert main(["denoise", str(model), str(record), "-o", str(out)]) == 0
    assert "annotations: clean.atr" in capsys.readouterr().out
    copied = out.parent / "clean.atr"
    assert copied.read_bytes() == (data / "annotated.atr").read_bytes()
    beats = wfdb.rdann(str(out), "atr")
    assert list(beats.sample) == [50, 250] and beats.symbol == ["N", "V"]
    # Only annotation files go with it: not a text file, nor an empty one.
    for name, content in (("annotated.txt", b"hello world\n"), ("annotated.log", b"")):
        (data / name).write_bytes(content)
    other = data / "annotated_other" / "clean"
    assert main(["denoise", str(model), str(record), "-o", str(other)]) == 0
    assert sorted(p.name for p in other.parent.iterdir()) == [
        "clean.atr",
        "clean.dat",
        "clean.hea",
    ]
    # An existing annotation file is not replaced without --overwrite.
    (out.parent / "clean.hea").unlink()
    (out.parent / "clean.dat").unlink()
    assert main(["denoise", str(model), str(record), "-o", str(out)]) == 2
    assert "clean.atr exists" in capsys.readouterr().err
    # A record without annotations written over the annotated output: the
    # old annotations stayed beside it, read by wfdb as its beats.
    plain = _write_wfdb(data, "plain", signal)
    kept = copied.read_bytes()
    argv = ["denoise", str(model), str(plain), "-o", str(out), "--overwrite"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "does not write (clean.atr)" in err and "never removed" in err
    assert copied.read_bytes() == kept and not (out.parent / "clean.hea").exists()
    # A file that reads as no annotation at all (zeros) is no stale one.
    (out.parent / "clean.bin").write_bytes(bytes(64))
    copied.rename(out.parent / "kept.atr")
    argv = ["denoise", str(model), str(plain), "-o", str(out), "--overwrite"]
    assert main([*argv, "--quiet"]) == 0
    (out.parent / "kept.atr").rename(copied)
    # With the annotated input, its annotations replace them.
    argv = ["denoise", str(model), str(record), "-o", str(out), "--overwrite"]
    assert main([*argv, "--quiet"]) == 0


def test_a_failed_annotation_copy_writes_nothing(model, data, capsys, monkeypatch):
    import shutil

    wfdb = pytest.importorskip("wfdb")
    record = _write_wfdb(
        data, "annotated_fail", np.sin(np.linspace(0, 40, 400))[:, None]
    )
    wfdb.wrann(
        "annotated_fail", "atr", np.array([50]), symbol=["N"], write_dir=str(data)
    )

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    out = data / "annotated_fail_out" / "clean"
    assert main(["denoise", str(model), str(record), "-o", str(out)]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert not [p for p in out.parent.iterdir() if not p.name.startswith(".")]


def test_a_model_of_another_version_is_named_in_the_cli_s_words(
    model, data, tmp_path, capsys
):
    import json
    import zipfile

    old = tmp_path / "old.skd"
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(old, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "manifest.json":
                manifest = json.loads(content)
                manifest["skdenoise_version"] = "0.0.9"
                content = json.dumps(manifest).encode()
            dst.writestr(name, content)
    argv = ["denoise", str(old), str(data / "noisy.csv"), "-o", str(tmp_path / "o.csv")]
    assert main([*argv, "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "skdenoise denoise: warning: " in err and "written by skdenoise 0.0.9" in err
    assert "FileVersionWarning" not in err
    # The command line saves nothing: its way out is training again.
    assert "Train it again with this version" in err and "Save it" not in err


def test_uncertainty_warnings_are_printed_in_the_command_lines_words():
    from skdenoise.cli._commands import _in_cli_words

    uncalibrated = (
        "UNetDenoiser(uncertainty='flips') had no validation series "
        "(validation_split=0 and no validation_data): the standard deviation of "
        "predict is not calibrated. Call calibrate_uncertainty(X_val, y_val) with "
        "noisy series and their clean series that it did not train on."
    )
    units = (
        "predict(..., return_std=True): the RMS of series 3 lies far outside that "
        "of the series the standard deviation was calibrated on (0.1 to 1 in the "
        "output's units): are they in other units? The calibrated std does not "
        "scale with the input: give the series in the units of the calibration "
        "series, or calibrate_uncertainty on series in these units."
    )
    passes = (
        "UNetDenoiser(uncertainty='mc_dropout'): in predict, every one of the 4 "
        "stochastic passes gave the same output for some of the windows of the "
        "series, so ... (raise uncertainty_samples and calibrate again, with "
        "calibrate_uncertainty or fit: predict draws as many passes as the "
        "calibration did), or ... train it longer, or "
        "use uncertainty='ensemble')."
    )
    for message in (uncalibrated, units, passes):
        words = _in_cli_words(message)
        python_words = ("calibrate_uncertainty", "in predict,", "uncertainty='ens")
        for python in (*python_words, "raise uncertainty_samples"):
            assert python not in words, (python, words)
    assert "--param validation_split above 0" in _in_cli_words(uncalibrated)
    assert "--std: the RMS of a series lies" in _in_cli_words(units)
    assert "--param uncertainty=ensemble" in _in_cli_words(passes)
    assert "(train with a larger --param uncertainty_samples), or" in (
        _in_cli_words(passes)
    )


def test_denoise_std_writes_both_files_or_neither(data, capsys, monkeypatch):
    from skdenoise.cli import _commands

    path = data / "model_flips2.skd"
    argv = ["train", "--clean", str(data / "clean.csv"), "--noisy"]
    argv += [str(data / "noisy.csv"), "--window-length", "32", "--output", str(path)]
    assert main([*argv, *TINY, "--param", "uncertainty='flips'"]) == 0
    out, std_out = data / "both_d.csv", data / "both_s.csv"
    out.write_text("old output\n")
    write = _commands._write_series

    def full_disk(target, *args, **kwargs):
        if target.name == std_out.name:
            raise OSError(28, "No space left on device")
        return write(target, *args, **kwargs)

    monkeypatch.setattr(_commands, "_write_series", full_disk)
    argv = ["denoise", str(path), str(data / "noisy.csv"), "-o", str(out)]
    assert main([*argv, "--std", str(std_out), "--overwrite"]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {std_out}" in err and "No space left" in err
    # The output written first was not moved into place: the old one stays.
    assert out.read_text() == "old output\n" and not std_out.exists()
    assert not list(data.glob(".skdenoise-*"))


def test_denoise_std_through_a_pipeline(data, tmp_path, capsys):
    from sklearn.pipeline import make_pipeline

    from skdenoise import UNetDenoiser
    from skdenoise.classical import MedianDenoiser
    from skdenoise.persistence import save

    noisy = np.loadtxt(data / "noisy.csv", delimiter=",")
    clean = np.loadtxt(data / "clean.csv", delimiter=",")
    tiny = {"filters": 4, "depth": 2, "epochs": 1, "random_state": 0}
    pipe = make_pipeline(
        MedianDenoiser(), UNetDenoiser(uncertainty="flips", **tiny)
    ).fit(noisy, clean)
    save(pipe, tmp_path / "pipe.skd")
    out, std_out = tmp_path / "d.csv", tmp_path / "s.csv"
    argv = ["denoise", str(tmp_path / "pipe.skd"), str(data / "noisy.csv")]
    assert main([*argv, "-o", str(out), "--std", str(std_out)]) == 0
    np.testing.assert_allclose(
        np.loadtxt(std_out, delimiter=","), pipe.predict(noisy, return_std=True)[1]
    )
    # A pipeline whose last step has no standard deviation is refused.
    save(make_pipeline(MedianDenoiser()).fit(noisy), tmp_path / "median.skd")
    argv[1] = str(tmp_path / "median.skd")
    std_median = str(tmp_path / "m_std.csv")
    assert main([*argv, "-o", str(tmp_path / "m.csv"), "--std", std_median]) == 1
    assert "gives no standard deviation" in capsys.readouterr().err


def test_denoise_npy_keeps_shape_and_float_dtype(model, data):
    out = data / "denoised.npy"
    assert main(["denoise", str(model), str(data / "noisy.npy"), "-o", str(out)]) == 0
    denoised = np.load(out)
    assert denoised.shape == (6, 96)
    assert denoised.dtype == np.float32

    # one 1-D series of another length comes back 1-D
    np.save(data / "one.npy", np.load(data / "noisy.npy")[0, :70].astype(np.float64))
    out = data / "one_denoised.npy"
    args = ["denoise", str(model), str(data / "one.npy"), "-o", str(out), "--quiet"]
    assert main(args) == 0
    one = np.load(out)
    assert one.shape == (70,)
    assert one.dtype == np.float64


def test_denoise_npz_replaces_only_the_chosen_array(model, data):
    noisy = np.load(data / "noisy.npy").astype(np.float64)
    np.savez(data / "bundle.npz", labels=np.arange(6), signal=noisy)
    out = data / "bundle_out.npz"
    args = ["denoise", str(model), str(data / "bundle.npz"), "-o", str(out)]
    assert main([*args, "--key", "signal", "--quiet"]) == 0
    with np.load(out) as archive:
        assert sorted(archive.files) == ["labels", "signal"]
        np.testing.assert_array_equal(archive["labels"], np.arange(6))
        assert archive["signal"].shape == noisy.shape
        assert not np.allclose(archive["signal"], noisy)


def test_train_npy_without_noisy_adds_noise_on_the_fly(data, capsys):
    path = data / "onthefly.skd"
    args = ["train", "--clean", str(data / "clean.npy"), "--output", str(path)]
    assert main([*args, "--window-length", "32", "--snr", "5", *TINY]) == 0
    from skdenoise.persistence import load

    model = load(path)
    assert model.window_length == 32
    assert model.estimator.noise.snr == 5.0
    assert model.estimator_.n_epochs_ == 1
    # A nested parameter goes to set_params like any other.
    nested = data / "nested.skd"
    args = ["train", "--clean", str(data / "clean.npy"), "--output", str(nested)]
    extra = ["--param", "noise__snr=7.0"]
    assert main([*args, "--window-length", "32", *extra, *TINY]) == 0
    assert load(nested).estimator.noise.snr == 7.0


def test_train_summary_names_the_noise_the_network_adds(data, capsys):
    args = ["train", "--clean", str(data / "clean.npy"), "--window-length", "32"]
    tiny = [arg for arg in TINY if arg != "--quiet"]
    # noise=None still adds the network's default noise: the summary said none.
    out = data / "summary_none.skd"
    assert main([*args, "--output", str(out), "--param", "noise=None", *tiny]) == 0
    assert "adding white noise at 0 to 20 dB" in capsys.readouterr().out
    # noise__snr=5 trained at 5 dB: the summary said 0 to 20.
    out = data / "summary_snr.skd"
    assert main([*args, "--output", str(out), "--param", "noise__snr=5", *tiny]) == 0
    assert "adding white noise at 5 dB" in capsys.readouterr().out


def test_train_blind_spot_adds_no_noise_to_the_noisy_series(data, capsys):
    # The default white noise was added to the already noisy series, and the
    # summary called them clean and named no noise.
    from skdenoise.persistence import load

    args = ["train", "--clean", str(data / "clean.npy"), "--window-length", "32"]
    tiny = [arg for arg in TINY if arg != "--quiet"]
    blind = ["--param", "training=blind_spot", "--param", "mask_width=3"]
    out = data / "blind.skd"
    assert main([*args, "--output", str(out), *blind, *tiny]) == 0
    printed = capsys.readouterr().out
    assert "noisy series (blind-spot training, no clean targets)" in printed
    assert "adding" not in printed
    assert load(out).estimator.noise is None
    # An explicit --noise is still added, and said.
    out = data / "blind_noise.skd"
    assert main([*args, "--output", str(out), *blind, "--noise", "white", *tiny]) == 0
    assert "adding white noise at 0 to 20 dB" in capsys.readouterr().out
    assert load(out).estimator.noise is not None
    # So is a --noise-file (it was dropped in silence).
    np.save(data / "blind_recording.npy", np.random.default_rng(0).standard_normal(400))
    out = data / "blind_noise_file.skd"
    noise_file = ["--noise-file", str(data / "blind_recording.npy")]
    assert main([*args, "--output", str(out), *blind, *noise_file, *tiny]) == 0
    assert "adding recorded noise at 0 to 20 dB" in capsys.readouterr().out
    assert load(out).estimator.noise is not None
    # And so is the noise set with --param noise__snr (it was dropped too).
    out = data / "blind_param_noise.skd"
    param = ["--param", "noise__snr=7.0"]
    assert main([*args, "--output", str(out), *blind, *param, *tiny]) == 0
    assert "adding white noise at 7 dB" in capsys.readouterr().out
    assert load(out).estimator.noise.snr == 7.0


def test_train_refuses_bad_windows_and_unwritable_outputs_before_training(
    data, capsys, monkeypatch
):
    from skdenoise.cli import _commands

    args = ["train", "--clean", str(data / "clean.npy"), *TINY]
    out = ["--output", str(data / "never.skd")]
    # A window of 1 sample got NumPy's advice on reshaping arrays (status 1).
    # Said first: the noise was tried on a window of one sample before, which
    # warned of a series of zeros that the file does not hold.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*args, *out, "--window-length", "1"]) == 2
    assert [str(w.message) for w in caught] == []
    assert "--window-length 1: a window needs at least 2" in capsys.readouterr().err
    # --param epochs=2 replaced --epochs (given or default) without a word.
    for name, option in [("epochs", "--epochs"), ("random_state", "--seed")]:
        assert main([*args, *out, "--param", f"{name}=2"]) == 2
        assert f"--param {name}: give it with {option}" in capsys.readouterr().err
    # The noise as --param leaves it (it failed the training, status 1).
    assert main([*args, *out, "--param", "noise__snr='loud'"]) == 2
    err = capsys.readouterr().err
    assert "--param noise__snr: snr must be a real number" in err
    # (random_state=None, an unseeded fit, has no option of its own.)
    unseeded = ["--param", "random_state=None", "--output", str(data / "u.skd")]
    assert main([*args, *unseeded]) == 0
    from skdenoise.persistence import load

    assert load(data / "u.skd").estimator_.random_state is None
    assert main([*args, *out, "--window-length", "100000"]) == 2
    assert "pass a smaller --window-length" in capsys.readouterr().err
    # An output that cannot be written was found after the whole training.
    trained = []
    monkeypatch.setattr(
        _commands, "_fit_reporting_warnings", lambda *a: trained.append(1)
    )
    locked = data / "locked"
    locked.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_commands.tempfile, "TemporaryFile", refuse)
    argv = [*args, "--output", str(locked / "sub" / "m.skd"), "--window-length", "32"]
    assert main(argv) == 2
    assert "cannot write the model" in capsys.readouterr().err
    assert not trained and not (locked / "sub").exists()


def _capture_training(monkeypatch):
    """What ``skdenoise train`` passes to fit (``seen``); nothing trains or saves."""
    from skdenoise.cli import _commands

    seen = {}

    def fit(model, *arrays, **fit_params):
        seen["arrays"], seen["fit_params"] = arrays, fit_params

    monkeypatch.setattr(_commands, "_fit_reporting_warnings", fit)
    monkeypatch.setattr(_commands, "_save_model", lambda *a: None)
    return seen


def test_train_on_ragged_rows_holds_out_whole_rows(data, capsys, monkeypatch):
    # Rows of other lengths are cut into windows half a window apart; the
    # windows held out for validation overlapped training windows of their row.
    lengths = [300, 350, 400, 450, 500, 512, 512, 512, 380, 420]
    rows = [1000.0 * i + 0.25 * np.arange(n) for i, n in enumerate(lengths)]
    path, noisy = data / "ragged_rows.csv", data / "ragged_rows_noisy.csv"
    path.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in rows))
    noisy.write_text("\n".join(",".join(f"{v + 0.5:g}" for v in row) for row in rows))
    seen = _capture_training(monkeypatch)
    out = ["--output", str(data / "ragged_rows.skd"), "--window-length", "128"]
    args = ["train", "--clean", str(path), "--noisy", str(noisy), *out]
    assert main([*args, "--seed", "0", *TINY]) == 0
    validation = seen["fit_params"]["validation_data"]
    trained = set(np.unique(seen["arrays"][1] // 1000))
    held = set(np.unique(validation[1] // 1000))
    assert held and trained and not held & trained
    assert trained | held == set(range(len(lengths)))
    # The summary of noisy pairs (no --snr given) was a NameError.
    assert main([*args, "--seed", "0", *TINY[:-1]]) == 0
    assert "noisy/clean pairs" in capsys.readouterr().out


def test_train_on_few_ragged_rows_holds_out_their_ends(data, capsys, monkeypatch):
    # Three rows at validation_split=0.1 hold no whole row: the windows held
    # out overlapped training windows of their row, with no word said. The
    # end of each row is held out instead, apart from its training windows.
    lengths = [600, 700, 800]
    rows = [10000.0 * (i + 1) + np.arange(n) for i, n in enumerate(lengths)]
    path = data / "three_ragged_rows.csv"
    path.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in rows))
    seen = _capture_training(monkeypatch)
    out = ["--output", str(data / "three_ragged_rows.skd"), "--window-length", "128"]
    args = ["train", "--clean", str(path), *out, "--seed", "0", *TINY]
    assert main(args) == 0
    trained = np.unique(seen["arrays"][0])
    held = np.unique(seen["fit_params"]["validation_data"])
    assert held.size and not np.isin(held, trained).any()
    # Every sample is in one of the two; each row keeps its last 128 for
    # validation (10 % of 800 is 80, fewer than a window).
    assert np.union1d(trained, held).size == sum(lengths)
    for i, n in enumerate(lengths, start=1):
        assert np.array_equal(
            held[(held >= 10000 * i) & (held < 10000 * (i + 1))],
            10000.0 * i + np.arange(n - 128, n),
        )
    # Rows too short to keep a window for training and one for validation:
    # the windows are split as before, with a warning saying so.
    short = data / "short_ragged_rows.csv"
    short.write_text("\n".join(",".join(["1", "2"] * (n // 2)) for n in (140, 150)))
    args[2] = str(short)
    assert main(args) == 0
    assert "validation_data" not in seen["fit_params"]
    assert "cannot hold out validation windows" in capsys.readouterr().err


def test_train_refuses_wfdb_pairs_with_their_channels_in_another_order(data, capsys):
    # The pairs were taken by position: lead0 trained against lead1's noisy
    # series without a word.
    clean, noisy = _series()
    signal, other = clean[:2].T.copy(), noisy[:2].T.copy()
    clean_record = _write_wfdb(data, "pair_clean", signal)
    noisy_record = _write_wfdb(data, "pair_noisy", other)
    header = noisy_record.with_suffix(".hea")
    lines = header.read_text().splitlines()
    lines[1:] = [
        line.replace(" lead0", " leadA").replace(" lead1", " lead0")
        for line in lines[1:]
    ]
    lines[1:] = [line.replace(" leadA", " lead1") for line in lines[1:]]
    header.write_text("\n".join(lines) + "\n")
    out = ["--output", str(data / "channel_pairs.skd"), "--window-length", "32"]
    args = ["train", "--clean", str(clean_record), "--noisy", str(noisy_record), *out]
    assert main([*args, *TINY]) == 2
    err = capsys.readouterr().err
    assert "pair lead0 with lead1, lead1 with lead0" in err
    # Other names: paired by position, with a warning that says so.
    header.write_text(header.read_text().replace(" lead1\n", " II\n"))
    header.write_text(header.read_text().replace(" lead0\n", " V1\n"))
    assert main([*args, *TINY]) == 0
    assert "paired by position: lead0 with II, lead1 with V1" in capsys.readouterr().err
    # A lead in other units: the channels are series of one network, whose
    # one map of units shifted every lead's output (by -120 mV).
    header.write_text(header.read_text().replace("(0)/mV 16 0", "(0)/uV 16 0", 1))
    assert main([*args, "--overwrite", *TINY]) == 2
    assert "channel 0 is in mV in --clean" in capsys.readouterr().err


def test_train_says_once_that_windows_of_zeros_get_no_noise(data, capsys):
    clean = np.load(data / "clean.npy")
    clean[1] = 0.0
    np.save(data / "zero_row.npy", clean)
    path = data / "zero_row.skd"
    args = ["train", "--clean", str(data / "zero_row.npy"), "--output", str(path)]
    tiny = [a for a in TINY if a != "--quiet"]
    assert main([*args, "--window-length", "32", "--snr", "5", *tiny]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "all zeros" in line]
    # Two before: one naming validation_data, which the command has not.
    assert len(lines) == 1, err
    assert "Some training windows are all zeros" in lines[0]
    assert "validation_data" not in err and "snr=None" not in err


def test_train_with_augmentation_and_snr_loss(data):
    path = data / "augmented.skd"
    args = ["train", "--clean", str(data / "clean.npy"), "--output", str(path)]
    extra = ["--augment", "flip", "warp", "--param", "loss=snr"]
    assert main([*args, "--window-length", "32", *extra, *TINY]) == 0
    from skdenoise.persistence import load

    network = load(path).estimator
    assert network.loss == "snr"
    steps = network.augment.steps
    assert [type(s).__name__ for s in steps] == ["RandomFlip", "RandomTimeWarp"]
    assert steps[0].sign is True and steps[0].time is False


def test_train_rejects_unknown_augmentation(data, capsys):
    args = ["train", "--clean", str(data / "clean.npy"), "--output", "x.skd"]
    assert main([*args, "--augment", "mirror"]) == 2
    assert "invalid choice: 'mirror'" in capsys.readouterr().err


def test_csv_ragged_rows_and_columns_layout_with_header(model, data):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(80), rng.standard_normal(50)
    ragged = data / "ragged.csv"
    ragged.write_text(
        "# two series of different lengths\n"
        + ",".join(map(str, a))
        + "\n"
        + ",".join(map(str, b))
        + ",,\n"
    )
    out = data / "ragged_out.csv"
    assert main(["denoise", str(model), str(ragged), "-o", str(out), "--quiet"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "# two series of different lengths"
    assert [len(line.split(",")) for line in lines[1:]] == [80, 50]

    columns = data / "columns.csv"
    rows = ["lead_a,lead_b"] + [f"{x},{y}" for x, y in zip(a, a[::-1], strict=True)]
    rows += [f"{x}," for x in b]  # column b ends earlier than a
    columns.write_text("\n".join(rows[:81]) + "\n")
    out = data / "columns_out.csv"
    args = ["denoise", str(model), str(columns), "-o", str(out), "--layout", "columns"]
    assert main([*args, "--quiet"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "lead_a,lead_b"
    assert len(lines) == 81
    assert all(len(line.split(",")) == 2 for line in lines[1:])


def test_train_on_ragged_csv_windows_each_series(data):
    rng = np.random.default_rng(2)
    clean = [np.sin(np.linspace(0, 9, n)) for n in (100, 70)]
    path = data / "ragged_clean.csv"
    path.write_text("\n".join(",".join(map(str, s)) for s in clean) + "\n")
    noisy = data / "ragged_noisy.csv"
    noisy.write_text(
        "\n".join(
            ",".join(map(str, s + 0.2 * rng.standard_normal(s.size))) for s in clean
        )
        + "\n"
    )
    out = data / "ragged_model.skd"
    args = ["train", "--clean", str(path), "--noisy", str(noisy), "--output", str(out)]
    assert main([*args, "--window-length", "32", *TINY]) == 0
    assert out.is_file()


def test_wfdb_round_trip(model, data):
    rng = np.random.default_rng(3)
    signal = np.sin(np.linspace(0, 40, 400))[:, None] * [1.0, 0.5]
    signal = signal + 0.1 * rng.standard_normal(signal.shape)
    record = _write_wfdb(data, "rec", signal)
    out = data / "rec_denoised"
    assert main(["denoise", str(model), str(record), "-o", str(out), "--quiet"]) == 0
    from skdenoise.datasets import read_wfdb

    written = read_wfdb(out)
    assert written.signal.shape == (400, 2)
    assert written.sampling_rate == 360.0
    assert written.channel_names == ("lead0", "lead1")
    assert written.units == ("mV", "mV")
    assert any("skdenoise" in comment for comment in written.comments)
    from skdenoise.persistence import load

    expected = load(model).transform(read_wfdb(record).signal.T).T
    np.testing.assert_allclose(written.signal, expected, atol=0.5 / 200)
    wfdb = pytest.importorskip("wfdb")
    other = wfdb.rdrecord(str(out))
    np.testing.assert_allclose(other.p_signal, written.signal, atol=1e-6)


def test_train_saves_a_quiet_model_whatever_it_showed(data, capsys):
    from skdenoise.persistence import load

    tiny = [arg for arg in TINY if arg != "--quiet"]
    base = ["train", "--clean", str(data / "clean.csv"), "--window-length", "32"]
    shown = data / "shown.skdenoise"
    assert main([*base, "--output", str(shown), *tiny]) == 0
    assert "training" in capsys.readouterr().out  # the command showed progress
    model = load(shown)
    assert model.estimator.verbose == 0 and model.estimator_.verbose == 0
    # A verbosity the user set for the model is kept.
    asked = data / "asked.skdenoise"
    assert main([*base, "--output", str(asked), *TINY, "--param", "verbose=1"]) == 0
    model = load(asked)
    assert model.estimator.verbose == 1 and model.estimator_.verbose == 1


def test_train_on_wfdb_uses_its_sampling_rate(data):
    signal = np.sin(np.linspace(0, 60, 600))[:, None] * [1.0, 0.8]
    record = _write_wfdb(data, "train_rec", signal)
    out = data / "wfdb_model.skd"
    args = ["train", "--clean", str(record), "--noise", "mixture", "--output", str(out)]
    assert main([*args, "--window-length", "64", *TINY]) == 0
    from skdenoise.persistence import load

    noise = load(out).estimator.noise
    assert noise.components[0].sampling_rate == 360.0


# ------------------------------------------------------------- protection
def test_existing_output_is_kept_without_overwrite(model, data, capsys):
    out = data / "exists.csv"
    out.write_text("keep me\n")
    args = ["denoise", str(model), str(data / "noisy.csv"), "-o", str(out), "--quiet"]
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert out.read_text() == "keep me\n"
    assert main([*args, "--overwrite"]) == 0
    assert np.loadtxt(out, delimiter=",").shape == (6, 96)


def test_input_is_never_the_output(model, data, capsys):
    source = data / "precious.csv"
    source.write_text((data / "noisy.csv").read_text())
    before = source.read_bytes()
    for spelled in (str(source), str(data / "." / "precious.csv")):
        args = ["denoise", str(model), str(source), "-o", spelled, "--overwrite"]
        assert main(args) == 2
    assert "is the input" in capsys.readouterr().err
    assert source.read_bytes() == before


def test_wfdb_output_cannot_replace_the_input_record(model, data):
    record = _write_wfdb(data, "same", np.zeros((100, 1)))
    args = ["denoise", str(model), str(record), "-o", str(record), "--overwrite"]
    assert main(args) == 2


def test_train_refuses_existing_model_file(model, data, capsys):
    args = ["train", "--clean", str(data / "clean.csv"), "--output", str(model)]
    assert main([*args, *TINY]) == 2
    assert "exists" in capsys.readouterr().err


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "argv_tail, status, message",
    [
        (["missing.csv", "-o", "o.csv"], 2, "not found"),
        (["notes.txt", "-o", "o.txt"], 2, "unknown format"),
        (["noisy.csv", "-o", "o.npy"], 2, "must be one too"),
        (["bad.csv", "-o", "o.csv"], 1, "line 2, column 3: 'abc' is not a number"),
        (["objects.npy", "-o", "o.npy"], 1, "cannot read"),
        (["bundle2.npz", "-o", "o.npz", "--key", "nope"], 2, "no array named 'nope'"),
        (["channels.npy", "-o", "o.npy"], 1, "channel"),
        (["noisy.npy", "-o", "o.npy", "--key", "x"], 2, "--key applies"),
        (["column.csv", "-o", "o.csv"], 1, "pass --layout columns"),
        # Where, as for a cell that is not a number.
        (["ragged_nan.csv", "-o", "o.csv"], 1, "line 2, column 2: 'nan' is not a fin"),
        (["inf_column.csv", "-o", "o.csv", "--layout", "columns"], 1, "line 3, col"),
        (["latin1.csv", "-o", "o.csv"], 1, "not a UTF-8 text file (byte 4"),
    ],
)
def test_denoise_errors(model, data, capsys, monkeypatch, argv_tail, status, message):
    monkeypatch.chdir(data)
    (data / "notes.txt").write_text("hello\n")
    (data / "bad.csv").write_text("1,2,3\n4,5,abc\n")
    np.save(data / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.savez(data / "bundle2.npz", x=np.zeros((2, 40)))
    np.save(data / "channels.npy", np.zeros((2, 40, 2)))
    (data / "column.csv").write_text("1.0\n2.0\n3.0\n")
    (data / "ragged_nan.csv").write_text("1,2,3,4\n1,nan,3\n")
    (data / "inf_column.csv").write_text("a,b\n1,2\n3,inf\n4,5\n")
    (data / "latin1.csv").write_bytes(b"1,2\n\xe9,3\n")
    assert main(["denoise", str(model), *argv_tail]) == status
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (data / argv_tail[2]).exists()


def test_missing_and_corrupt_model_files(data, capsys):
    noisy = str(data / "noisy.csv")
    assert main(["denoise", str(data / "nope.skd"), noisy, "-o", "x.csv"]) == 2
    assert "model file not found" in capsys.readouterr().err
    corrupt = data / "corrupt.skd"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip archive")
    assert main(["denoise", str(corrupt), noisy, "-o", str(data / "x.csv")]) == 1
    assert "cannot load a model" in capsys.readouterr().err
    assert not (data / "x.csv").exists()


def test_corrupt_model_file_message_without_traceback(data):
    corrupt = data / "corrupt2.skd"
    corrupt.write_text("not a model")
    out = data / "never.csv"
    result = _run(
        "-m",
        "skdenoise",
        "denoise",
        str(corrupt),
        str(data / "noisy.csv"),
        "-o",
        str(out),
    )
    assert result.returncode == 1
    assert "cannot load a model" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "extra, status, message",
    [
        (["--noisy", "short.csv"], 1, "must match"),
        (["--noise", "mixture"], 2, "--sampling-rate"),
        (["--snr", "0", "5", "10"], 2, "--snr takes"),
        (["--param", "nonsense=1"], 2, "has no parameter 'nonsense'; its"),
        (["--param", "augment__x=1"], 2, "augment is None, which has no parameters"),
        (["--param", "noise__bogus=1"], 2, "Invalid parameter 'bogus'"),
        (["--param", "filters=0"], 2, "--param: The 'filters' parameter"),
    ],
)
def test_train_errors(data, capsys, monkeypatch, extra, status, message):
    monkeypatch.chdir(data)
    np.savetxt(data / "short.csv", np.zeros((6, 50)), delimiter=",")
    out = data / "never.skd"
    args = [
        "train",
        "--clean",
        "clean.csv",
        "--output",
        str(out),
        "--window-length",
        "32",
    ]
    assert main([*args, *extra, "--epochs", "1", "--quiet"]) == status
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    # One line: scikit-learn's message held the estimator's repr, over lines.
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists()


# -------------------------------------------------------------- benchmark
def test_benchmark_without_a_source_checkout(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "_benchmark_script", lambda: tmp_path / "nope.py")
    assert main(["benchmark", "--quick"]) == 1
    assert "source repository" in capsys.readouterr().err


def test_benchmark_forwards_its_arguments(monkeypatch, tmp_path):
    script = tmp_path / "ecg.py"
    script.write_text(
        "import sys\n"
        "def main(argv):\n"
        "    sys.modules['__recorded__'] = argv\n"
        "    return tmp_path_marker\n"
        "tmp_path_marker = None\n"
    )
    monkeypatch.setattr(cli, "_benchmark_script", lambda: script)
    assert main(["benchmark", "--quick", "--out", "x"]) == 0
    assert sys.modules.pop("__recorded__") == ["--quick", "--out", "x"]


def test_benchmark_without_an_optional_package_prints_one_line(
    monkeypatch, tmp_path, capsys
):
    # Without wfdb the benchmark ended in a 35-line traceback.
    script = tmp_path / "ecg.py"
    script.write_text(
        "def main(argv):\n"
        "    raise ImportError('Reading WFDB records needs the wfdb package: "
        'pip install "skdenoise[data]"\')\n'
    )
    monkeypatch.setattr(cli, "_benchmark_script", lambda: script)
    assert main(["benchmark", "--quick"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("skdenoise benchmark: error: Reading WFDB records")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_benchmark_usage_names_the_command(capsys):
    # The script's own parser printed "usage: benchmarks/ecg.py".
    if not cli._benchmark_script().is_file():
        pytest.skip("no source checkout")
    assert main(["benchmark", "--data-dir"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: skdenoise benchmark") and "ecg.py" not in err


def test_benchmark_prints_the_scripts_error(monkeypatch, tmp_path, capsys):
    script = tmp_path / "ecg.py"
    script.write_text(
        "def main(argv):\n"
        "    raise SystemExit('benchmarks/ecg.py: error: no mitdb/ in /nowhere')\n"
    )
    monkeypatch.setattr(cli, "_benchmark_script", lambda: script)
    assert main(["benchmark", "--quick"]) == 1
    assert "error: no mitdb/ in /nowhere" in capsys.readouterr().err


def test_benchmark_names_the_command_and_exits_2_for_missing_data(tmp_path, capsys):
    # A --data-dir without mitdb/ or an unknown record exited 1 with the
    # prefix "benchmarks/ecg.py: error:", where the command line promises 2
    # for a missing input and names itself.
    if not cli._benchmark_script().is_file():
        pytest.skip("no source checkout")
    args = ["benchmark", "--models", "bandpass", "--no-qrs", "--out", str(tmp_path)]
    assert main([*args, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skdenoise benchmark: error: ") and "has no folder" in err


# ------------------------------------------------------------- bad input (#10)
@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_a_directory_as_output_is_named_first(model, data, capsys, overwrite):
    (data / "folder.csv").mkdir(exist_ok=True)
    args = ["denoise", str(model), str(data / "noisy.csv"), "-o"]
    status = main([*args, str(data / "folder.csv"), *overwrite])
    assert status == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "pass --overwrite" not in err


@pytest.mark.parametrize(
    "text",
    [
        ",a,b\n0,1.0,2.0\n1,3.0,4.0\n2,5.0,6.0\n",  # DataFrame.to_csv(), columns
        ",0,1,2\n0,1.0,2.0,3.0\n1,4.0,5.0,6.0\n",  # DataFrame(X).to_csv(), rows
    ],
)
def test_a_pandas_index_column_is_refused_not_denoised(model, data, capsys, text):
    path = data / "indexed.csv"
    path.write_text(text)
    status = main(["denoise", str(model), str(path), "-o", str(data / "o.csv")])
    assert status == 1
    assert "looks like an index" in capsys.readouterr().err
    assert not (data / "o.csv").exists()


def test_first_csv_row_with_one_bad_cell_is_an_error_not_a_header(model, data, capsys):
    path = data / "bad_first_row.csv"
    path.write_text("1.0,2.0,N/A,4.0\n1.0,2.0,3.0,4.0\n5.0,6.0,7.0,8.0\n")
    status = main(["denoise", str(model), str(path), "-o", str(data / "o1.csv")])
    err = capsys.readouterr().err
    assert status == 1
    assert "line 1, column 3" in err and "'N/A'" in err
    assert not (data / "o1.csv").exists()


@pytest.mark.parametrize(
    "output, fragment",
    [("noisy.csv/x.csv", "is a file, not a folder")],
)
def test_output_under_an_existing_file_is_a_one_line_error(
    model, data, capsys, output, fragment
):
    status = main(
        ["denoise", str(model), str(data / "noisy.csv"), "-o", str(data / output)]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unwritable_output_is_a_one_line_error(
    model, data, capsys, tmp_path, monkeypatch
):
    import os
    import tempfile

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):
        # Running as root, which ignores the folder's mode: the staging folder
        # is refused as the mode would refuse it.
        def refusing(make):
            def refused(*args, **kwargs):
                if kwargs.get("dir") is not None and Path(kwargs["dir"]) == locked:
                    raise PermissionError(13, "Permission denied", str(locked))
                return make(*args, **kwargs)

            return refused

        for name in ("mkdtemp", "mkstemp"):
            monkeypatch.setattr(tempfile, name, refusing(getattr(tempfile, name)))
    try:
        status = main(
            [
                "denoise",
                str(model),
                str(data / "noisy.csv"),
                "-o",
                str(locked / "out.csv"),
            ]
        )
    finally:
        locked.chmod(0o700)
    err = capsys.readouterr().err
    assert status == 1
    assert "cannot write" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "param, fragment, expected",
    [
        ("callbacks=[1]", "keras.callbacks.Callback", 1),
        ("depth=50", "depth=50", 1),
        # Values outside the parameter's range are usage errors, found before
        # any training starts.
        ("dropout=2.0", "--param: The 'dropout' parameter", 2),
        ("uncertainty='x'", "--param: The 'uncertainty' parameter", 2),
    ],
)
def test_impossible_hyper_parameters_are_one_line_errors(
    data, capsys, param, fragment, expected
):
    status = main(
        [
            "train",
            "--clean",
            str(data / "clean.csv"),
            "--noisy",
            str(data / "noisy.csv"),
            "--window-length",
            "32",
            "--output",
            str(data / f"never_{param[:5]}.skd"),
            "--epochs",
            "1",
            "--quiet",
            "--param",
            param,
        ]
    )
    err = capsys.readouterr().err
    assert status == expected
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_huge_finite_input_gives_finite_output(model, data):
    _, noisy = _series()
    np.save(data / "huge.npy", 1e160 * noisy)
    out = data / "huge_out.npy"
    assert main(["denoise", str(model), str(data / "huge.npy"), "-o", str(out)]) == 0
    denoised = np.load(out)
    assert np.all(np.isfinite(denoised))
    reference = np.asarray(_denoise_array(model, noisy))
    np.testing.assert_allclose(denoised / 1e160, reference, rtol=1e-6, atol=1e-9)


def _denoise_array(model_path, X):
    from skdenoise.persistence import load

    return load(model_path).transform(X)


def test_every_network_is_offered():
    from skdenoise.utils import all_denoisers

    parser = cli._build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    choices = next(a.choices for a in train._actions if a.dest == "model")
    offered = {cli.MODELS[name] for name in choices}
    networks = {name for name, cls in all_denoisers("neural")}
    assert offered == networks - {"KerasDenoiser"}


def test_train_refuses_a_rate_that_contradicts_the_wfdb_record(data, capsys):
    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    record = _write_wfdb(data, "rate_rec", signal)
    out = data / "rate_model.skd"
    args = [
        "train",
        "--clean",
        str(record),
        "--noise",
        "powerline",
        "--output",
        str(out),
    ]
    status = main([*args, "--sampling-rate", "120", "--window-length", "64", *TINY])
    assert status == 2
    assert "contradicts the 360 Hz" in capsys.readouterr().err
    assert not out.exists()
    # The record's own rate given again is fine.
    assert main([*args, "--sampling-rate", "360", "--window-length", "64", *TINY]) == 0


def test_train_refuses_a_window_longer_than_equal_length_series(data, capsys):
    clean = data / "short.npy"
    np.save(clean, np.sin(np.linspace(0, 20, 8 * 96)).reshape(8, 96))
    out = data / "short_model.skd"
    args = ["train", "--clean", str(clean), "--output", str(out)]
    # A bad option value: a usage error (status 2, as the help says).
    assert main([*args, "--window-length", "1000", *TINY]) == 2
    assert "shorter than the window length 1000" in capsys.readouterr().err
    assert not out.exists()


def test_denoise_rejects_a_wfdb_output_name_with_a_dot_before_working(data, capsys):
    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    record = _write_wfdb(data, "dot_rec", signal)
    target = data / "made" / "sub" / "rec.v2"
    args = ["denoise", "--pretrained", "ecg", str(record), "-o", str(target), "--quiet"]
    assert main(args) == 2
    assert "ASCII letters, digits, '_' and '-'" in capsys.readouterr().err
    assert not (data / "made").exists()


@pytest.mark.parametrize("name", [["ecg"], None, 3])
def test_pretrained_load_names_the_models_for_a_name_of_another_type(name):
    from skdenoise import pretrained

    with pytest.raises(TypeError, match="name must be a string, one of 'ecg'"):
        pretrained.load(name, sampling_rate=360)


# ---------------------------------------------------------- a further review
def test_npz_keeps_arrays_named_like_savez_arguments_and_its_compression(model, data):
    import zipfile

    noisy = np.load(data / "noisy.npy").astype(np.float64)
    source = data / "odd_names.npz"
    arrays = {"signal": noisy, "file": np.arange(3), "allow_pickle": np.ones(2)}
    with zipfile.ZipFile(source, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():  # names np.savez cannot write
            with archive.open(name + ".npy", "w") as member:
                np.lib.format.write_array(member, array)
    out = data / "odd_names_out.npz"
    argv = ["denoise", str(model), str(source), "-o", str(out), "--key", "signal"]
    assert main([*argv, "--quiet"]) == 0
    with np.load(out) as archive:
        assert sorted(archive.files) == ["allow_pickle", "file", "signal"]
        np.testing.assert_array_equal(archive["file"], np.arange(3))
    with zipfile.ZipFile(out) as archive:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())


def test_layout_is_refused_for_numpy_files(model, data, capsys):
    argv = ["denoise", str(model), str(data / "noisy.npy"), "-o", str(data / "t.npy")]
    assert main([*argv, "--layout", "columns"]) == 2
    assert "--layout applies to CSV files" in capsys.readouterr().err


def test_csv_output_reads_back_as_the_same_floats(model, data):
    out = data / "precise.csv"
    argv = ["denoise", str(model), str(data / "noisy.csv"), "-o", str(out), "--quiet"]
    assert main(argv) == 0
    written = np.loadtxt(out, delimiter=",")
    from skdenoise.persistence import load

    expected = load(model).transform(np.loadtxt(data / "noisy.csv", delimiter=","))
    np.testing.assert_array_equal(written, expected)


def test_pandas_default_header_is_a_header(model, data):
    _, noisy = _series()
    lines = [",".join(str(i) for i in range(noisy.shape[1]))]
    lines += [",".join(repr(float(v)) for v in row) for row in noisy]
    source = data / "pandas_rows.csv"
    source.write_text("\n".join(lines) + "\n")
    out = data / "pandas_rows_out.csv"
    assert main(["denoise", str(model), str(source), "-o", str(out), "--quiet"]) == 0
    written = out.read_text().splitlines()
    assert written[0] == lines[0] and len(written) == len(lines)


def test_multi_frequency_wfdb_records_are_refused(model, data, capsys):
    from skdenoise.datasets import read_wfdb

    signal = np.sin(np.linspace(0, 20, 200))[:, None]
    record = _write_wfdb(data, "mf", signal)
    header = (data / "mf.hea").read_text().replace("mf.dat 16 ", "mf.dat 16x2 ", 1)
    (data / "mf.hea").write_text(header.replace("mf 1 360 200", "mf 1 360 100", 1))
    # read_wfdb averages to the frame rate; the checksum of all samples holds.
    assert read_wfdb(record).signal.shape == (100, 1)
    argv = ["denoise", str(model), str(record), "-o", str(data / "mf_out")]
    assert main(argv) == 1
    assert "[2] samples per frame" in capsys.readouterr().err


def test_multi_segment_records_of_several_samples_per_frame_are_refused(
    model, data, capsys
):
    # The samples per frame are in the segments' headers, not the record's:
    # a segment's channel at twice the frame rate was averaged in pairs.
    signal = np.sin(np.linspace(0, 20, 200))[:, None]
    _write_wfdb(data, "seg_1", signal)
    header = (data / "seg_1.hea").read_text()
    header = header.replace("seg_1.dat 16 ", "seg_1.dat 16x2 ", 1)
    (data / "seg_1.hea").write_text(
        header.replace("seg_1 1 360 200", "seg_1 1 360 100")
    )
    (data / "seg.hea").write_text("seg/1 1 360 100\nseg_1 100\n")
    argv = ["denoise", str(model), str(data / "seg"), "-o", str(data / "seg_out")]
    assert main(argv) == 1
    assert "[2] samples per frame" in capsys.readouterr().err
    assert not (data / "seg_out.hea").exists()


def test_annotations_are_copied_by_their_time_and_a_skipped_file_is_named(
    model, data, capsys
):
    wfdb = pytest.importorskip("wfdb")
    folder = data / "ann_rates"
    folder.mkdir()
    record = _write_wfdb(folder, "r", np.sin(np.linspace(0, 40, 400))[:, None])
    # Stored at 720 Hz, the record's 360 Hz: sample 700 is 0.97 s of 1.1 s.
    wfdb.wrann(
        "r",
        "atr",
        np.array([100, 700]),
        symbol=["N", "N"],
        fs=720,
        write_dir=str(folder),
    )
    # A mark of the record's end, one sample past its last, also at a rate
    # another tool rounded.
    wfdb.wrann(
        "r", "ends", np.array([10, 400]), symbol=["N", "N"], write_dir=str(folder)
    )
    wfdb.wrann(
        "r",
        "round",
        np.array([10, 400]),
        symbol=["N", "N"],
        fs=359.9999,
        write_dir=str(folder),
    )
    # Beats of a longer recording.
    wfdb.wrann(
        "r", "long", np.array([10, 900]), symbol=["N", "N"], write_dir=str(folder)
    )
    out = folder / "out" / "r"
    assert main(["denoise", str(model), str(record), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "r.atr",
        "r.dat",
        "r.ends",
        "r.hea",
        "r.round",
    ]
    assert "r.long is not copied" in captured.err
    assert "reach past the end of the record (400 samples at 360 Hz" in captured.err


def test_an_uncalibrated_channel_stays_uncalibrated(model, data, monkeypatch):
    # WFDB's gain 0 (uncalibrated, read at 200 units per mV) is written as 0,
    # not as a calibration of 200 units per mV.
    wfdb = pytest.importorskip("wfdb")
    folder = data / "gain0"
    folder.mkdir()
    signal = np.sin(np.linspace(0, 40, 400))[:, None] * [1.0, 1.0]
    record = _write_wfdb(folder, "g", signal)
    lines = (folder / "g.hea").read_text().splitlines()
    lines[1] = lines[1].replace(" 200(0)/mV ", " 0(0)/mV ", 1)
    (folder / "g.hea").write_text("\n".join(lines) + "\n")
    out = folder / "out"
    # The header is edited before the record is moved into place (edited in
    # place, a reader or a second writer met it empty).
    from skdenoise.cli import _formats

    edited = []
    mark = _formats._mark_uncalibrated
    monkeypatch.setattr(
        _formats,
        "_mark_uncalibrated",
        lambda path, channels: (edited.append(path), mark(path, channels)),
    )
    assert main(["denoise", str(model), str(record), "-o", str(out), "--quiet"]) == 0
    assert len(edited) == 1 and edited[0].parent != folder
    written = (folder / "out.hea").read_text().splitlines()
    assert written[1].split()[2].startswith("0(")
    assert written[2].split()[2].startswith("200")
    # Read back at 200 units per mV, as the input was.
    assert wfdb.rdrecord(str(out)).adc_gain == [200.0, 200.0]
    # No gain at all means the same; so does gain 0 in a multi-segment
    # record's segments.
    lines[1] = " ".join(lines[1].split()[:2])
    (folder / "g.hea").write_text("\n".join(lines) + "\n")
    argv = ["denoise", str(model), str(record), "-o", str(out), "--overwrite"]
    assert main([*argv, "--quiet"]) == 0
    assert (folder / "out.hea").read_text().splitlines()[1].split()[2][:2] == "0("
    lines[1] = lines[1] + " 0(0)/mV"
    (folder / "g.hea").write_text("\n".join(lines) + "\n")
    (folder / "m.hea").write_text("m/2 2 360 800\ng 400\ng 400\n")
    argv = ["denoise", str(model), str(folder / "m"), "-o", str(folder / "mout")]
    assert main([*argv, "--quiet"]) == 0
    written = (folder / "mout.hea").read_text().splitlines()
    assert written[1].split()[2].startswith("0(")
    assert written[2].split()[2].startswith("200")


def test_train_refuses_pairs_of_two_rates(data, capsys):
    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    clean = _write_wfdb(data, "rate_clean", signal)
    noisy = _write_wfdb(data, "rate_noisy", signal + 0.1)
    text = (data / "rate_noisy.hea").read_text().replace(" 1 360 ", " 1 500 ", 1)
    (data / "rate_noisy.hea").write_text(text)
    argv = ["train", "--clean", str(clean), "--noisy", str(noisy)]
    argv += ["--output", str(data / "rates.skd"), "--window-length", "64", *TINY]
    assert main(argv) == 2
    assert "pairs must share their rate" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["--snr", "20", "0"], "low <= high"),
        (["--noise", "powerline", "--sampling-rate", "360"], "Nyquist"),
    ],
)
def test_bad_noise_options_are_usage_errors(data, capsys, extra, fragment):
    argv = ["train", "--clean", str(data / "clean.csv"), "--window-length", "32"]
    extra = [*extra, "--powerline-frequency", "400"] if "powerline" in extra else extra
    argv += ["--output", str(data / "bad_noise.skd"), *extra, *TINY]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "training failed" not in err


def test_train_with_a_noise_file_adds_stretches_of_the_recording(data, capsys):
    from skdenoise.noise import NoiseMixture, RecordedNoise
    from skdenoise.persistence import load

    rng = np.random.default_rng(0)
    recording = rng.standard_normal(400)
    np.save(data / "noise_one.npy", recording)
    args = ["train", "--clean", str(data / "clean.npy"), "--window-length", "32"]
    out = data / "noise_file.skd"
    argv = [*args, "--noise-file", str(data / "noise_one.npy"), "--snr", "5"]
    assert main([*argv, "--output", str(out), *TINY[:-1]]) == 0
    assert "adding recorded noise at 5 dB" in capsys.readouterr().out
    noise = load(out).estimator.noise
    assert isinstance(noise, RecordedNoise) and noise.snr == 5.0
    np.testing.assert_array_equal(noise.noise, recording)
    # A record of two channels (as the NSTDB's): a random sum of both, at its
    # own rate.
    clean = _write_wfdb(data, "nf_clean", np.sin(np.linspace(0, 60, 600))[:, None])
    noise_record = _write_wfdb(data, "nf_noise", rng.standard_normal((500, 2)))
    out = data / "noise_record.skd"
    argv = ["train", "--clean", str(clean), "--noise-file", str(noise_record)]
    assert main([*argv, "--window-length", "64", "--output", str(out), *TINY]) == 0
    noise = load(out).estimator.noise
    assert isinstance(noise, NoiseMixture) and noise.snr == (0.0, 20.0)
    assert [c.sampling_rate for c in noise.components] == [360.0, 360.0]
    assert [c.snr for c in noise.components] == [None, None]
    # A recording in one column of a CSV is one series, whatever --layout and
    # --key say of the training files.
    np.savetxt(data / "noise_column.csv", recording[:, None], delimiter=",")
    np.savez(data / "clean_archive.npz", clean=np.load(data / "clean.npy"))
    out = data / "noise_column.skd"
    argv = ["train", "--clean", str(data / "clean_archive.npz"), "--key", "clean"]
    argv += ["--noise-file", str(data / "noise_column.csv"), "--window-length", "32"]
    assert main([*argv, "--output", str(out), *TINY]) == 0
    np.testing.assert_allclose(load(out).estimator.noise.noise, recording)
    # --layout columns reads a noise CSV of two recordings in columns too.
    two = rng.standard_normal((300, 2))
    np.savetxt(data / "noise_columns.csv", two, delimiter=",")
    np.savetxt(data / "clean_columns.csv", np.load(data / "clean.npy").T, delimiter=",")
    out = data / "noise_columns.skd"
    argv = ["train", "--clean", str(data / "clean_columns.csv"), "--layout"]
    argv += ["columns", "--noise-file", str(data / "noise_columns.csv")]
    assert main([*argv, "--window-length", "32", "--output", str(out), *TINY]) == 0
    components = load(out).estimator.noise.components
    np.testing.assert_allclose([c.noise for c in components], two.T)


def test_bad_noise_files_are_usage_errors(data, capsys):
    rng = np.random.default_rng(1)
    np.save(data / "short_noise.npy", rng.standard_normal(20))
    np.save(data / "ok_noise.npy", rng.standard_normal(400))
    gap = rng.standard_normal(400)
    gap[100:200] = 0.0
    np.save(data / "gap_noise.npy", gap)
    clean = _write_wfdb(data, "nf_clean2", np.sin(np.linspace(0, 60, 600))[:, None])
    slow = _write_wfdb(data, "nf_slow", rng.standard_normal((600, 1)))
    text = (data / "nf_slow.hea").read_text().replace(" 1 360 ", " 1 500 ", 1)
    (data / "nf_slow.hea").write_text(text)
    npy = ["--clean", str(data / "clean.npy"), "--window-length", "32"]
    cases = [
        (
            [*npy, "--noise-file", str(data / "ok_noise.npy"), "--noise", "white"],
            "give one of them",
        ),
        ([*npy, "--noise-file", str(data / "clean.npy")], "noise alone"),
        ([*npy, "--noise-file", str(data / "short_noise.npy")], "--noise-file"),
        # The Python API's advice (segment=, snr=None) is no option here.
        ([*npy, "--noise-file", str(data / "gap_noise.npy")], "Cut that stretch"),
        (
            ["--clean", str(clean), "--noise-file", str(slow), "--window-length", "64"],
            "sampled at 500 Hz",
        ),
    ]
    for argv, fragment in cases:
        out = data / "bad_noise_file.skd"
        assert main(["train", *argv, "--output", str(out), *TINY]) == 2, fragment
        err = capsys.readouterr().err
        assert fragment in err and "training failed" not in err, err
        assert not out.exists()
    # The model may not overwrite the noise recording.
    argv = ["train", *npy, "--noise-file", str(data / "ok_noise.npy")]
    argv += ["--output", str(data / "ok_noise.npy"), "--overwrite", *TINY]
    assert main(argv) == 2
    assert np.load(data / "ok_noise.npy").shape == (400,)


def test_ragged_noisy_beside_rectangular_clean_is_a_clear_error(data, capsys):
    (data / "ragged_noisy.csv").write_text("1,2,3,4\n1,2\n")
    np.savetxt(data / "two_clean.csv", np.ones((2, 4)), delimiter=",")
    argv = ["train", "--clean", str(data / "two_clean.csv")]
    argv += ["--noisy", str(data / "ragged_noisy.csv"), "--window-length", "2"]
    argv += ["--output", str(data / "ragged.skd"), *TINY]
    assert main(argv) == 1
    assert "they must match" in capsys.readouterr().err


# ------------------------------------------------------- data safety of files
def _write_wfdb_record(folder, name, digital, *, fmt, gain, **fields):
    """A WFDB record written by the wfdb package in format ``fmt``."""
    wfdb = pytest.importorskip("wfdb")
    n_channels = digital.shape[1]
    fields = {
        "fs": 360,
        "units": ["mV"] * n_channels,
        "sig_name": [f"lead{c}" for c in range(n_channels)],
        "baseline": [0] * n_channels,
        **fields,
    }
    record = wfdb.Record(
        record_name=name,
        d_signal=np.asarray(digital, dtype=np.int64),
        fmt=[fmt] * n_channels,
        adc_gain=[float(gain)] * n_channels,
        **fields,
    )
    record.set_d_features()
    record.set_defaults()
    record.wrsamp(write_dir=str(folder))
    return folder / name


@pytest.fixture(scope="module")
def filter_model(data):
    """A saved model that needs no network: a band-pass filter at 360 Hz."""
    from skdenoise.baselines import BandpassDenoiser
    from skdenoise.persistence import save

    return save(BandpassDenoiser().fit(np.zeros((1, 64))), data / "filter.skd")


def test_denoise_refuses_a_record_at_another_rate_than_the_model(data, capsys):
    from skdenoise.persistence import load, save

    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    record = _write_wfdb(data, "at360", signal)
    path = data / "at360.skd"
    argv = ["train", "--clean", str(record), "--output", str(path)]
    assert main([*argv, "--window-length", "64", *TINY]) == 0
    assert load(path)._sampling_rate_ == 360.0

    other = _write_wfdb(data, "at500", signal)
    text = (data / "at500.hea").read_text().replace(" 1 360 ", " 1 500 ", 1)
    (data / "at500.hea").write_text(text)
    out = data / "at500_out"
    assert main(["denoise", str(path), str(other), "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "sampled at 500 Hz" in err and "trained on series at 360 Hz" in err
    assert "Resample" in err and "Traceback" not in err
    assert not (data / "at500_out.hea").exists()

    # The model's own rate, and inputs without a rate, are denoised.
    out = data / "at360_out"
    assert main(["denoise", str(path), str(record), "-o", str(out), "--quiet"]) == 0
    np.savetxt(data / "at_any.csv", signal.T, delimiter=",")
    out = data / "at_any_out.csv"
    argv = ["denoise", str(path), str(data / "at_any.csv"), "-o", str(out)]
    assert main([*argv, "--quiet"]) == 0

    # A model saved without a rate (before it was recorded) takes any rate.
    old = load(path)
    del old._sampling_rate_
    save(old, data / "no_rate.skd")
    out = data / "at500_old_out"
    argv = ["denoise", str(data / "no_rate.skd"), str(other), "-o", str(out)]
    assert main([*argv, "--quiet"]) == 0

    # Fitted anew in Python, on series of a rate it is not told: the rate of
    # the command's fit is forgotten (it refused the new rate's records and
    # took the old one's); partial_fit continues at the rate it had.
    refit = load(path)
    refit.partial_fit(signal.T)
    assert refit._sampling_rate_ == 360.0
    refit.fit(signal.T)
    assert not hasattr(refit, "_sampling_rate_")
    save(refit, data / "refit.skd")
    out = data / "at500_refit_out"
    argv = ["denoise", str(data / "refit.skd"), str(other), "-o", str(out)]
    assert main([*argv, "--quiet"]) == 0


def test_wfdb_output_keeps_a_24_bit_format_and_its_gain(model, data):
    import warnings

    wfdb = pytest.importorskip("wfdb")
    from skdenoise.cli._formats import _read_series, _write_series
    from skdenoise.datasets import read_wfdb
    from skdenoise.persistence import load

    rng = np.random.default_rng(4)
    signal = np.sin(np.linspace(0, 40, 400))[:, None] * [1.5, 0.8]
    signal = signal + 0.05 * rng.standard_normal(signal.shape)
    record = _write_wfdb_record(
        data, "r24", np.rint(signal * 100000), fmt="24", gain=100000
    )
    out = data / "r24_out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["denoise", str(model), str(record), "-o", str(out)]) == 0
    assert not [w for w in caught if "resolution" in str(w.message)]
    header = wfdb.rdheader(str(out))
    assert header.fmt == ["24", "24"]
    assert header.adc_gain == [100000.0, 100000.0]
    expected = load(model).transform(read_wfdb(record).signal.T).T
    np.testing.assert_allclose(read_wfdb(out).signal, expected, atol=0.51e-5)

    # Values a 16-bit record cannot hold at the input's gain widen the format
    # instead of lowering the gain.
    source = _read_series(_write_wfdb(data, "r16", signal))
    _write_series(data / "r16_out", source, 150 * source.series)
    header = wfdb.rdheader(str(data / "r16_out"))
    assert header.fmt == ["24", "24"] and header.adc_gain == [200.0, 200.0]
    np.testing.assert_allclose(
        read_wfdb(data / "r16_out").signal.T, 150 * source.series, atol=0.51 / 200
    )


def test_wfdb_output_keeps_the_base_time_date_and_adc_settings(model, data):
    import datetime

    wfdb = pytest.importorskip("wfdb")
    signal = np.sin(np.linspace(0, 40, 400))[:, None] * [1.0, 0.5]
    record = _write_wfdb_record(
        data,
        "mitdb_like",
        np.rint(signal * 200) + 1024,
        fmt="212",
        gain=200,
        units=["mV", "uV"],
        sig_name=["MLII", "V5"],
        baseline=[1024, 1024],
        adc_res=[11, 11],
        adc_zero=[1024, 1024],
        base_time=datetime.time(10, 20, 30, 500000),
        base_date=datetime.date(2001, 2, 3),
        comments=["69 M 1085 1629 x1"],
    )
    out = data / "mitdb_like_out"
    assert main(["denoise", str(model), str(record), "-o", str(out), "--quiet"]) == 0
    header = wfdb.rdheader(str(out))
    assert header.base_time == datetime.time(10, 20, 30, 500000)
    assert header.base_date == datetime.date(2001, 2, 3)
    assert header.fmt == ["16", "16"]  # format 212 holds 12 bits
    assert header.adc_gain == [200.0, 200.0] and header.baseline == [1024, 1024]
    assert header.adc_res == [11, 11] and header.adc_zero == [1024, 1024]
    assert header.units == ["mV", "uV"] and header.sig_name == ["MLII", "V5"]
    assert header.comments[0] == "69 M 1085 1629 x1"
    assert "denoised by skdenoise" in header.comments[1]


def test_csv_comment_lines_and_headers_of_another_width_are_kept(model, data):
    rng = np.random.default_rng(5)
    values = rng.standard_normal((40, 3))
    lines = [",".join(repr(float(v)) for v in row) for row in values]
    source = data / "commented.csv"
    source.write_text(
        "# recorded 2024-05-01, 3 leads\n"
        "time,lead\n"  # narrower than the three series
        + "\n".join(lines[:10])
        + "\n# electrode moved\n"
        + "\n".join(lines[10:])
        + "\n# end, 40 samples\n"
    )
    out = data / "commented_out.csv"
    argv = ["denoise", str(model), str(source), "-o", str(out), "--layout", "columns"]
    assert main([*argv, "--quiet"]) == 0
    written = out.read_text().splitlines()
    assert written[:2] == ["# recorded 2024-05-01, 3 leads", "time,lead"]
    assert written[12] == "# electrode moved"
    assert written[-1] == "# end, 40 samples"
    assert len(written) == 44
    assert all(len(line.split(",")) == 3 for line in written[2:12] + written[13:-1])

    wider = data / "wider.csv"
    wider.write_text("a,b,c,d\n" + "\n".join(lines) + "\n")
    out = data / "wider_out.csv"
    argv = ["denoise", str(model), str(wider), "-o", str(out), "--layout", "columns"]
    assert main([*argv, "--quiet"]) == 0
    written = out.read_text().splitlines()
    assert written[0] == "a,b,c,d" and len(written) == 41


def test_nearly_flat_wfdb_channel_gets_one_clear_message(filter_model, data, capsys):
    import warnings

    digital = np.zeros((2000, 2))
    digital[:, 0] = np.rint(200 * np.sin(np.linspace(0, 40, 2000)))
    digital[::97, 1] = 1  # a channel of a few steps of the ADC
    record = _write_wfdb_record(data, "flat", digital, fmt="16", gain=200)
    out = data / "flat_out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        argv = ["denoise", str(filter_model), str(record), "-o", str(out), "--quiet"]
        assert main(argv) == 0
    assert not [w for w in caught if "resolution" in str(w.message)]
    err = capsys.readouterr().err
    assert err.count("skdenoise denoise: warning:") == 1
    assert "'lead1'" in err and "'lead0'" not in err
    assert "nearly flat" in err and ".npy" in err
    assert "larger gain" not in err and "Traceback" not in err
    assert (data / "flat_out.hea").is_file()
    # The notice names the record written, not a staging folder.
    assert f"WFDB record {out}" in err and ".skdenoise-" not in err


def test_many_nearly_flat_channels_get_one_sentence(filter_model, data, capsys):
    digital = np.zeros((2000, 4))
    digital[:, 0] = np.rint(200 * np.sin(np.linspace(0, 40, 2000)))
    digital[::97, 1:] = 1
    record = _write_wfdb_record(data, "flat3", digital, fmt="16", gain=200)
    out = data / "flat3_out"
    argv = ["denoise", str(filter_model), str(record), "-o", str(out), "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("nearly flat") == 1
    assert "3 channels of the WFDB record" in err
    assert "'lead1', 'lead2', 'lead3'" in err


def test_wfdb_record_with_a_negative_gain_is_refused_before_denoising(
    model, data, capsys
):
    pytest.importorskip("wfdb")
    signal = np.sin(np.linspace(0, 30, 300))[:, None] * [1.0, 0.5]
    record = _write_wfdb(data, "inverted", signal, gain=-200.0)
    out = data / "inverted_out"
    status = main(["denoise", str(model), str(record), "-o", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert "gain of -200" in err and "'lead0'" in err and "Traceback" not in err
    assert not out.with_suffix(".hea").exists()
    # The same record is read as it is written (its values are inverted).
    from skdenoise.datasets import read_wfdb

    np.testing.assert_allclose(read_wfdb(record).signal, signal, atol=0.01)


def test_wfdb_output_keeps_the_counter_frequency_and_adds_no_names(
    filter_model, data, capsys
):
    wfdb = pytest.importorskip("wfdb")
    digital = np.rint(200 * np.sin(np.linspace(0, 40, 400)))[:, None] * [1, 1]
    record = _write_wfdb_record(
        data,
        "counted",
        digital,
        fmt="16",
        gain=200,
        sig_name=[None, "V5"],
        counter_freq=720.0,
        base_counter=5.0,
    )
    # The header's comment holds a non-ASCII character the wfdb package drops.
    header = record.with_suffix(".hea")
    header.write_bytes(header.read_bytes() + "# Patient: Müller\n".encode())
    out = data / "counted_out"
    argv = ["denoise", str(filter_model), str(record), "-o", str(out), "--quiet"]
    assert main(argv) == 0
    written = wfdb.rdheader(str(out))
    assert (written.counter_freq, written.base_counter) == (720.0, 5.0)
    assert written.sig_name == [None, "V5"]  # no "signal 0" invented
    assert written.comments[0] == "Patient: Mller"
    err = capsys.readouterr().err
    assert "not ASCII" in err and str(header) in err and "Traceback" not in err


def test_train_warnings_name_the_command_line_options(data, capsys):
    import warnings

    out = data / "warned.skd"
    argv = ["train", "--clean", str(data / "clean.csv"), "--output", str(out)]
    argv += ["--window-length", "64", "--param", "n_passes='auto'"]
    argv += ["--param", "validation_split=0.0"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main([*argv, *TINY]) == 0
    assert not [w for w in caught if issubclass(w.category, UserWarning)]
    err = capsys.readouterr().err
    assert "skdenoise train: warning:" in err
    assert "(--param validation_split=0, or blind-spot training)" in err
    assert "validation_data" not in err and "Traceback" not in err

    out = data / "warned2.skd"
    np.savetxt(data / "three.csv", _series(3)[0], delimiter=",")
    argv = ["train", "--clean", str(data / "three.csv"), "--output", str(out)]
    assert main([*argv, "--window-length", "64", *TINY]) == 0
    err = capsys.readouterr().err
    assert "at --param validation_split=0.1" in err
    assert "Pass more series or longer ones." in err
    assert "validation_data" not in err

    # Series with an offset (raw counts, a WFDB record's baseline): the
    # training noise's SNR includes it, and the command had no way to remove
    # it. A network that standardises its input trains on centred windows.
    from skdenoise.persistence import load

    out = data / "warned3.skd"
    np.savetxt(data / "counts.csv", _series(8)[0] + 1024.0, delimiter=",")
    argv = ["train", "--clean", str(data / "counts.csv"), "--output", str(out)]
    assert main([*argv, "--window-length", "64", *TINY]) == 0
    assert "offset" not in capsys.readouterr().err
    assert load(out).center_windows is True
    # Other normalisations keep the offset, and the warning says what to do.
    out = data / "warned4.skd"
    rms = ["--param", "normalize=rms"]
    assert main([*argv[:-1], str(out), "--window-length", "64", *rms, *TINY]) == 0
    err = capsys.readouterr().err
    assert "carry an offset" in err
    assert "Remove each series' mean from the training files" in err
    assert "X.mean" not in err and "snr=None" not in err
    assert load(out).center_windows is False


def test_train_refuses_a_seed_out_of_range_by_its_option(data, capsys):
    argv = ["train", "--clean", str(data / "clean.csv"), "--output", "x.skd"]
    assert main([*argv, "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert "--seed" in err and "0 to 4294967295" in err and "random_state" not in err


@pytest.mark.parametrize(
    "text, name",
    [
        ("1.5;2.5;3.5\n4;5;6\n", "semicolons (';')"),
        ("1,5;2,5;3,5\n4,0;5,5;6,5\n", "semicolons (';') and a decimal comma"),
        ("a;b;c\n1;2;3\n", "semicolons (';')"),
        ("1\t2\t3\n4\t5\t6\n", "tabs"),
    ],
)
def test_csv_with_another_separator_is_named(data, capsys, text, name):
    path = data / "separated.csv"
    path.write_text(text)
    argv = ["train", "--clean", str(path), "--output", str(data / "sep.skd")]
    assert main([*argv, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{path} separates its values with {name};" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("kind", ["windower", "scaler"])
def test_a_model_file_of_no_denoiser_is_refused(data, capsys, tmp_path, kind):
    # A windower wrote its windows, (112, 32) for (16, 128), and exited 0; a
    # scaler wrote standardised series as "denoised".
    from skdenoise.persistence import save
    from skdenoise.pipeline import SeriesScaler, SeriesWindower

    noisy = np.load(data / "noisy.npy")
    estimator = (
        SeriesWindower(window_length=32) if kind == "windower" else SeriesScaler()
    )
    path = save(estimator.fit(noisy), tmp_path / "other.skd")
    out = tmp_path / "out.npy"
    status = main(["denoise", str(path), str(data / "noisy.npy"), "-o", str(out)])
    assert status == 1
    assert "is not a denoiser" in capsys.readouterr().err
    assert not out.exists()


def test_a_quote_in_a_comment_line_does_not_swallow_the_data(filter_model, tmp_path):
    # The whole file went through one CSV reader: the quote opened a field
    # that ran to the next quote, and the series between were written back
    # unchanged, not denoised.
    from skdenoise.persistence import load

    series = np.sin(np.linspace(0, 20, 3 * 64)).reshape(3, 64) + np.arange(3)[:, None]
    rows = [",".join(repr(float(v)) for v in row) for row in series]
    text = f'# units,"mV\n{rows[0]}\n# lead,"II"\n{rows[1]}\n{rows[2]}\n'
    (tmp_path / "in.csv").write_text(text)
    out = tmp_path / "out.csv"
    assert (
        main(["denoise", str(filter_model), str(tmp_path / "in.csv"), "-o", str(out)])
        == 0
    )
    lines = out.read_text().splitlines()
    assert lines[0] == '# units,"mV' and lines[2] == '# lead,"II"'
    written = np.array([[float(v) for v in lines[i].split(",")] for i in (1, 3, 4)])
    np.testing.assert_allclose(written, load(filter_model).transform(series))


def _denoise_one_column(model, folder):
    """``skdenoise denoise`` of ``folder/in.csv`` as a column; the output's path."""
    out = folder / "out.csv"
    command = ["denoise", str(model), str(folder / "in.csv"), "--layout", "columns"]
    assert main([*command, "-o", str(out)]) == 0
    return out


def test_the_header_of_one_column_pandas_wrote_is_kept(filter_model, tmp_path):
    pd = pytest.importorskip("pandas")
    values = np.sin(np.linspace(0, 20, 70))
    pd.DataFrame(values[:, None]).to_csv(tmp_path / "in.csv", index=False)
    out = _denoise_one_column(filter_model, tmp_path)
    written = pd.read_csv(out)
    assert list(written.columns) == ["0"] and len(written) == 70


def test_a_column_of_whole_numbers_starting_at_0_keeps_its_first_sample(
    filter_model, tmp_path
):
    values = np.array([0, 3, -2, 5, 1, 0, 4] * 10)
    np.savetxt(tmp_path / "in.csv", values[:, None], fmt="%d")
    out = _denoise_one_column(filter_model, tmp_path)
    from skdenoise.persistence import load

    expected = load(filter_model).transform(values[np.newaxis].astype(float))[0]
    np.testing.assert_allclose(np.loadtxt(out, delimiter=",", ndmin=1), expected)


@pytest.mark.parametrize(
    "text, layout, fragment",
    [
        # A line of empty cells between data lines: every series lost a sample.
        ("a,b\n1,2\n3,4\n,\n5,6\n", "columns", "a value after an empty cell on line 4"),
        ("a,b\n1,2\n3,4\n\n5,6\n", "columns", "a value after an empty cell on line 4"),
        # An empty row between rows: the series after it moved up one row.
        ("1,2,3\n,,\n4,5,6\n", "rows", r"empty series \(line 2 is empty\)"),
        ("a,b\n\n1,2\n3,4\n\n5,6\n", "columns", "empty cell on line 5"),
    ],
)
def test_an_empty_line_between_csv_data_lines_is_refused(
    filter_model, tmp_path, capsys, text, layout, fragment
):
    import re

    (tmp_path / "in.csv").write_text(text)
    out = tmp_path / "out.csv"
    argv = ["denoise", str(filter_model), str(tmp_path / "in.csv"), "-o", str(out)]
    assert main([*argv, "--layout", layout]) == 1
    assert re.search(fragment, capsys.readouterr().err)
    assert not out.exists()


def test_empty_lines_before_and_after_the_csv_data_are_dropped(filter_model, tmp_path):
    from skdenoise.persistence import load

    series = np.sin(np.linspace(0, 20, 2 * 64)).reshape(2, 64)
    rows = [",".join(repr(float(v)) for v in row) for row in series]
    expected = load(filter_model).transform(series)
    texts = [
        f"\n,\n{rows[0]}\n{rows[1]}\n\n,\n\n# end\n",
        # A blank line after a header, and blank lines between rows.
        f"{','.join(f't{i}' for i in range(64))}\n\n{rows[0]}\n\n{rows[1]}\n",
    ]
    for text in texts:
        (tmp_path / "in.csv").write_text(text)
        out = tmp_path / "out.csv"
        argv = ["denoise", str(filter_model), str(tmp_path / "in.csv"), "-o", str(out)]
        assert main([*argv, "--overwrite"]) == 0
        lines = [line for line in out.read_text().splitlines() if line[:1] != "t"]
        assert len(lines) == 3 if text.endswith("# end\n") else len(lines) == 2
        values = [line for line in lines if not line.startswith("#")]
        written = np.array([[float(v) for v in line.split(",")] for line in values])
        np.testing.assert_allclose(written, expected)
    # In a file of columns the same blank line after the header is dropped.
    (tmp_path / "in.csv").write_text(
        "a,b\n\n" + "".join(f"{float(x)!r},{float(y)!r}\n" for x, y in series.T)
    )
    argv = ["denoise", str(filter_model), str(tmp_path / "in.csv"), "-o", str(out)]
    assert main([*argv, "--overwrite", "--layout", "columns"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "a,b" and len(lines) == 65


def test_a_wfdb_record_with_two_channels_of_one_name_is_refused_before_denoising(
    filter_model, data, capsys, monkeypatch
):
    pytest.importorskip("wfdb")
    from skdenoise import persistence

    signal = np.sin(np.linspace(0, 30, 300))[:, None] * [1.0, 0.5]
    record = _write_wfdb(data, "twins", signal)
    header = record.with_suffix(".hea")
    header.write_text(header.read_text().replace(" lead1", " lead0"))

    def no_loading(*args, **kwargs):
        raise AssertionError("the model was loaded before the record was refused")

    monkeypatch.setattr(persistence, "load", no_loading)
    out = data / "twins_out"
    argv = ["denoise", str(filter_model), str(record), "-o", str(out), "--quiet"]
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 1, err
    assert "names two channels 'lead0'" in err and "Traceback" not in err
    assert not out.with_suffix(".hea").exists()


@pytest.mark.parametrize("name", ["text.npy", "text.npz"])
def test_a_file_that_is_no_numpy_file_is_named_so(filter_model, tmp_path, capsys, name):
    (tmp_path / name).write_text("hello\n")
    out = tmp_path / f"out{name[-4:]}"
    argv = ["denoise", str(filter_model), str(tmp_path / name), "-o", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "not a NumPy .npy or .npz file" in err and "pickle" not in err


def test_denoise_hints_at_columns_when_every_row_is_shorter_than_the_window(
    data, model, tmp_path, capsys
):
    # A CSV with its series down the columns, read with the default --layout
    # rows: many series of three samples, each padded and denoised, silently.
    lead = _series(n_series=1, n_timesteps=200)[1][0]
    recording = np.c_[lead, 0.5 * lead, -lead]
    path = tmp_path / "columns.csv"
    np.savetxt(path, recording, delimiter=",", header="lead1,lead2,lead3", comments="")
    assert main(["denoise", str(model), str(path), "-o", str(tmp_path / "a.csv")]) == 0
    err = capsys.readouterr().err
    assert "holds 200 rows of at most 3 samples" in err
    assert "give --layout columns" in err
    args = ["--layout", "columns", "-o", str(tmp_path / "b.csv")]
    assert main(["denoise", str(model), str(path), *args]) == 0
    assert "--layout" not in capsys.readouterr().err
    # The same recording as a NumPy array of (n_samples, n_leads): no word.
    for name in ("leads.npy", "leads.npz"):
        saver = np.save if name.endswith("npy") else np.savez
        saver(tmp_path / name, recording)
        out = str(tmp_path / f"out_{name}")
        assert main(["denoise", str(model), str(tmp_path / name), "-o", out]) == 0
        err = capsys.readouterr().err
        assert "holds 200 rows of at most 3 samples" in err
        assert "store its transpose" in err and "--layout" not in err
    np.save(tmp_path / "rows.npy", recording.T)
    out = str(tmp_path / "rows_out.npy")
    assert main(["denoise", str(model), str(tmp_path / "rows.npy"), "-o", out]) == 0
    assert "warning" not in capsys.readouterr().err
    # A Pipeline that ends in the windowed model is hinted at too.
    from sklearn.pipeline import make_pipeline

    from skdenoise.persistence import load, save
    from skdenoise.preprocessing import SeriesScaler

    pipe = make_pipeline(SeriesScaler(), load(model))
    pipe.steps[0] = ("seriesscaler", SeriesScaler().fit(recording.T))
    save(pipe, tmp_path / "pipe.skd")
    argv = ["denoise", str(tmp_path / "pipe.skd"), str(path)]
    assert main([*argv, "-o", str(tmp_path / "c.csv")]) == 0
    assert "holds 200 rows of at most 3 samples" in capsys.readouterr().err


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_denoise_reads_csv_lines_ending_in_carriage_returns(
    data, model, tmp_path, newline
):
    # A Macintosh CSV (carriage returns alone) was read whole as one line.
    noisy = np.loadtxt(data / "noisy.csv", delimiter=",")
    lines = ["# recorded in mV"] + [
        ",".join(repr(float(v)) for v in row) for row in noisy
    ]
    path = tmp_path / "mac.csv"
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    out = tmp_path / "out.csv"
    assert main(["denoise", str(model), str(path), "-o", str(out), "--quiet"]) == 0
    expected = tmp_path / "expected.csv"
    assert (
        main(["denoise", str(model), str(data / "noisy.csv"), "-o", str(expected)]) == 0
    )
    np.testing.assert_allclose(
        np.loadtxt(out, delimiter=","), np.loadtxt(expected, delimiter=",")
    )


def test_denoise_refuses_a_time_column(data, model, tmp_path, capsys):
    # pandas' to_csv writes a named index (time) first: it was denoised as a
    # lead (shifted by up to 0.6 s, no longer increasing) and written back.
    lead = _series(n_series=1, n_timesteps=200)[1][0]
    path = tmp_path / "timed.csv"
    timed = np.c_[np.arange(200) / 360.0, lead, 0.5 * lead]
    np.savetxt(path, timed, delimiter=",", header="time,lead1,lead2", comments="")
    args = ["--layout", "columns", "-o", str(tmp_path / "out.csv")]
    assert main(["denoise", str(model), str(path), *args]) == 1
    err = capsys.readouterr().err
    assert "first column ('time') rises in constant steps of 0.00277778" in err
    assert "index=False" in err and not (tmp_path / "out.csv").exists()
    # Times written to a few decimals step by 1/360 s give or take one unit
    # of the last decimal: a time all the same (it was denoised as a lead).
    for decimals in (6, 3):
        rounded = timed.copy()
        rounded[:, 0] = np.round(rounded[:, 0], decimals)
        np.savetxt(path, rounded, delimiter=",", fmt=f"%.{decimals}f")
        assert main(["denoise", str(model), str(path), *args]) == 1
        assert "rises in constant steps of 0.00" in capsys.readouterr().err
    # A lead that happens to start as a ramp is not an index, nor is one
    # that rises all along in uneven steps (counts of 1 to 3, say).
    ramp = timed.copy()
    ramp[100:, 0] = 0.0
    np.savetxt(path, ramp, delimiter=",", header="a,b,c", comments="")
    assert main(["denoise", str(model), str(path), *args]) == 0
    ramp[:, 0] = np.cumsum(np.random.default_rng(1).integers(1, 4, size=200))
    np.savetxt(path, ramp, delimiter=",", header="a,b,c", comments="")
    assert main(["denoise", str(model), str(path), *args, "--overwrite"]) == 0


def test_pretrained_denoise_of_columns_gives_the_command_lines_hint(tmp_path, capsys):
    # The pretrained model refuses rows of 3 samples with Python's advice
    # (X.T), which a command-line user cannot follow.
    recording = np.c_[np.sin(np.linspace(0, 60, 400)), np.cos(np.linspace(0, 60, 400))]
    path = tmp_path / "leads.csv"
    np.savetxt(path, recording, delimiter=",")
    args = ["--pretrained", "ecg", "--sampling-rate", "360"]
    assert main(["denoise", *args, str(path), "-o", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "give --layout columns" in err and "X.T" not in err
    np.save(tmp_path / "leads.npy", recording)
    argv = ["denoise", *args, str(tmp_path / "leads.npy")]
    assert main([*argv, "-o", str(tmp_path / "o.npy")]) == 1
    err = capsys.readouterr().err
    assert "store its transpose" in err and "X.T" not in err
    # Read with --layout columns, a file of series along its rows: the hint
    # said to give --layout columns.
    np.savetxt(path, recording.T, delimiter=",")
    argv = ["denoise", *args, str(path), "--layout", "columns"]
    assert main([*argv, "-o", str(tmp_path / "p.csv")]) == 1
    err = capsys.readouterr().err
    assert "read with --layout columns" in err and "give --layout" not in err


def test_denoise_never_overwrites_a_segment_of_a_multi_segment_input(tmp_path, capsys):
    # --overwrite protected the multi-segment header and its segments' headers
    # but not their signal files: -o FOLDER/seg0 replaced the input's samples.
    from skdenoise.datasets import write_wfdb

    t = np.arange(700) / 360.0
    signal = (0.5 * np.sin(2 * np.pi * 1.2 * t))[:, None]
    for i, part in enumerate((signal[:300], signal[300:])):
        # Each segment's samples in a file named apart from it: data0.dat.
        write_wfdb(tmp_path / f"seg{i}", part, sampling_rate=360.0)
        (tmp_path / f"seg{i}.dat").rename(tmp_path / f"data{i}.dat")
        header = tmp_path / f"seg{i}.hea"
        header.write_text(header.read_text().replace(f"seg{i}.dat", f"data{i}.dat"))
    (tmp_path / "ms.hea").write_text("ms/2 1 360 700\nseg0 300\nseg1 400\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    args = ["denoise", "--pretrained", "ecg", str(tmp_path / "ms"), "--quiet"]
    assert main([*args, "-o", str(tmp_path / "data0"), "--overwrite"]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_wfdb_record_name_must_be_ascii(data, capsys):
    # "résumé" passed the name check and failed after denoising, in a codec.
    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    record = _write_wfdb(data, "ascii_rec", signal)
    target = data / "r\u00e9sum\u00e9"
    args = ["denoise", "--pretrained", "ecg", str(record), "-o", str(target), "--quiet"]
    assert main(args) == 2
    assert "ASCII letters" in capsys.readouterr().err


def test_a_noisy_wfdb_record_gives_its_rate_and_identical_pairs_are_refused(
    data, capsys
):
    from skdenoise.persistence import load

    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    wobble = 0.1 * np.cos(np.arange(600))[:, None]
    noisy = _write_wfdb(data, "noisy360", signal + wobble)
    np.save(data / "clean600.npy", signal.T)
    path = data / "from_noisy.skd"
    argv = ["train", "--clean", str(data / "clean600.npy"), "--noisy", str(noisy)]
    assert main([*argv, "--output", str(path), "--window-length", "64", *TINY]) == 0
    assert load(path)._sampling_rate_ == 360.0  # the --noisy record's
    # One array of one archive read for both: nothing to learn.
    np.savez(data / "pair.npz", X=signal.T + 0.1, y=signal.T)
    argv = ["train", "--clean", str(data / "pair.npz"), "--noisy"]
    argv += [str(data / "pair.npz"), "--output", str(data / "pair.skd")]
    assert main([*argv, *TINY]) == 2
    err = capsys.readouterr().err
    assert "read the same array" in err and "--key picks one array" in err
    assert not (data / "pair.skd").exists()


def test_denoise_refuses_a_record_at_another_rate_than_a_filter_is_set_to(
    data, filter_model, capsys
):
    from skdenoise.baselines import BandpassDenoiser

    signal = np.sin(np.linspace(0, 60, 600))[:, None]
    other = _write_wfdb(data, "filter500", signal)
    text = (data / "filter500.hea").read_text().replace(" 1 360 ", " 1 500 ", 1)
    (data / "filter500.hea").write_text(text)
    out = data / "filter500_out"
    assert main(["denoise", str(filter_model), str(other), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "takes series (its sampling_rate parameter) at 360 Hz" in err
    # A ResampledDenoiser without a rate of its own takes its estimator's.
    from skdenoise.persistence import save
    from skdenoise.pipeline import ResampledDenoiser, WindowedDenoiser

    resampled = ResampledDenoiser(
        WindowedDenoiser(BandpassDenoiser(), window_length=64), None, 360.0
    ).fit(np.zeros((1, 128)))
    saved = save(resampled, data / "resampled_none.skd")
    assert main(["denoise", str(saved), str(other), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "at 360 Hz" in err
    # It resamples by itself once told the series' rate (a fine-tuned pretrained
    # model was sent to resample the record or train another model).
    assert "set_params(sampling_rate=500) on the loaded model" in err
    saved = save(resampled.set_params(sampling_rate=500.0), data / "resampled_500.skd")
    out500 = data / "resampled_500_out"
    assert main(["denoise", str(saved), str(other), "-o", str(out500), "--quiet"]) == 0
    # At its own rate it runs.
    at360 = _write_wfdb(data, "filter360", signal)
    assert main(["denoise", str(filter_model), str(at360), "-o", str(out)]) == 0


def test_a_multi_segment_input_keeps_its_segments_adc_settings(tmp_path):
    # The multi-segment header holds no channel fields: the output's ADC
    # resolution and zero were the writer's defaults, not the input's.
    wfdb = pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    t = np.arange(700) / 360.0
    signal = (0.5 * np.sin(2 * np.pi * 1.2 * t))[:, None]
    for i, part in enumerate((signal[:300], signal[300:])):
        write_wfdb(
            tmp_path / f"seg{i}",
            part,
            sampling_rate=360.0,
            adc_resolution=[11],
            adc_zero=[1024],
        )
    (tmp_path / "ms.hea").write_text("ms/2 1 360 700\nseg0 300\nseg1 400\n")
    out = tmp_path / "out"
    args = ["denoise", "--pretrained", "ecg", str(tmp_path / "ms"), "--quiet"]
    assert main([*args, "-o", str(out)]) == 0
    header = wfdb.rdheader(str(out))
    assert header.adc_res == [11] and header.adc_zero == [1024]
    assert header.sig_len == 700


def test_denoise_takes_options_between_model_and_input(data, model, tmp_path):
    # MODEL_PATH is optional (--pretrained): "m.skd -o out in.npy" took the
    # model for the input and left "in.npy" unrecognised.
    out = tmp_path / "between.npy"
    noisy = str(data / "noisy.npy")
    assert main(["denoise", str(model), "-o", str(out), noisy, "--quiet"]) == 0
    expected = tmp_path / "plain.npy"
    assert main(["denoise", str(model), noisy, "-o", str(expected), "--quiet"]) == 0
    np.testing.assert_array_equal(np.load(out), np.load(expected))


def test_denoise_npz_members_that_are_not_arrays(data, model, tmp_path, capsys):
    import zipfile

    # NumPy gives such members as bytes: a text file beside the arrays came
    # back as "README.txt.npy" holding a bytes array, and one used as the
    # series (or a zip renamed .npz) failed with an AttributeError.
    path = tmp_path / "with_text.npz"
    np.savez(path, x=np.load(data / "noisy.npy"))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("README.txt", "units: mV")
    out = tmp_path / "out.npz"
    assert main(["denoise", str(model), str(path), "-o", str(out), "--quiet"]) == 0
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["x.npy", "README.txt"]
        assert archive.read("README.txt") == b"units: mV"
    args = ["--key", "README.txt", "-o", str(tmp_path / "o2.npz")]
    assert main(["denoise", str(model), str(path), *args]) == 2
    assert "'README.txt' is not a NumPy array; its arrays are ['x']" in (
        capsys.readouterr().err
    )
    renamed = tmp_path / "notes.npz"  # a zip of other files, named .npz
    with zipfile.ZipFile(renamed, "w") as archive:
        archive.writestr("manifest.json", "{}")
    assert main(["denoise", str(model), str(renamed), "-o", str(tmp_path / "o3.npz")])
    err = capsys.readouterr().err
    assert "holds no NumPy arrays" in err and "AttributeError" not in err


def test_denoise_names_a_truncated_numpy_file(data, model, tmp_path, capsys):
    whole = (data / "noisy.npy").read_bytes()
    cut = tmp_path / "cut.npy"
    cut.write_bytes(whole[: len(whole) // 2])
    assert main(["denoise", str(model), str(cut), "-o", str(tmp_path / "o.npy")]) == 1
    err = capsys.readouterr().err
    assert f"cannot read {cut}" in err and "Python objects" not in err
    archive = tmp_path / "full.npz"
    np.savez(archive, x=np.load(data / "noisy.npy"))
    cut = tmp_path / "cut.npz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert main(["denoise", str(model), str(cut), "-o", str(tmp_path / "o.npz")]) == 1
    err = capsys.readouterr().err
    assert f"cannot read {cut}: not a valid NumPy file" in err
    assert "BadZipFile" not in err


def test_a_model_of_several_channels_on_a_csv_names_the_way(tmp_path, capsys):
    # "X has 1 channel(s), but ... 2 channel(s)": nothing said that the command
    # line gives each channel of a record, or each CSV series, on its own.
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.persistence import save

    model = save(MedianDenoiser().fit(np.zeros((2, 64, 2))), tmp_path / "m.skd")
    path = tmp_path / "two.csv"
    np.savetxt(path, np.random.default_rng(0).normal(size=(3, 64)), delimiter=",")
    assert main(["denoise", str(model), str(path), "-o", str(tmp_path / "o.csv")]) == 1
    assert "a .npy array of shape (1, n_samples, 2)" in capsys.readouterr().err
    stored = tmp_path / "two.npy"
    np.save(stored, np.random.default_rng(0).normal(size=(1, 64, 2)))
    args = [str(stored), "-o", str(tmp_path / "o.npy"), "--quiet"]
    assert main(["denoise", str(model), *args]) == 0


def test_highpass_ignores_the_rate_of_the_training_noise():
    # MuscleNoise's sampling_rate (360 Hz by default) was taken for the
    # series' rate: a 0.5 Hz high-pass ran at 1.4 Hz on series at 1000 Hz.
    from skdenoise import UNetDenoiser
    from skdenoise.augment import RandomDrift
    from skdenoise.baselines import BandpassDenoiser
    from skdenoise.cli._commands import _declared_rate
    from skdenoise.noise import MuscleNoise, NoiseMixture, WhiteNoise

    mixture = NoiseMixture([WhiteNoise(), MuscleNoise()])
    for noise in (MuscleNoise(snr=10.0), mixture):
        assert _declared_rate(UNetDenoiser(noise=noise)) is None
    assert _declared_rate(UNetDenoiser(augment=RandomDrift())) is None
    assert _declared_rate(BandpassDenoiser(sampling_rate=250.0)) == 250.0
    # A rate the user gave the noise is the series' own (they must agree).
    mixture = NoiseMixture([WhiteNoise(), MuscleNoise(sampling_rate=500.0)])
    assert _declared_rate(UNetDenoiser(noise=mixture)) == 500.0
    drift = RandomDrift(sampling_rate=250.0)
    assert _declared_rate(UNetDenoiser(augment=drift)) == 250.0


def test_highpass_takes_the_rate_a_saved_model_declares(data, filter_model, tmp_path):
    # A BandpassDenoiser(sampling_rate=360) is held to WFDB records at 360 Hz,
    # but --highpass on a .npy said the rate was unknown.
    out = tmp_path / "hp.npy"
    args = [str(data / "noisy.npy"), "-o", str(out), "--highpass", "0.5", "--quiet"]
    assert main(["denoise", str(filter_model), *args]) == 0
    assert np.load(out).shape == np.load(data / "noisy.npy").shape


def test_highpass_above_half_the_rate_names_the_half(
    data, filter_model, tmp_path, capsys
):
    # "must lie below half the sampling rate (360 Hz)" read as if half were 360.
    args = [str(data / "noisy.npy"), "-o", str(tmp_path / "hp.npy")]
    assert main(["denoise", str(filter_model), *args, "--highpass", "200"]) == 2
    assert "(180 Hz, half of 360 Hz)" in capsys.readouterr().err


def test_a_model_of_the_users_own_code_is_said_to_need_python(
    tmp_path, capsys, monkeypatch
):
    # The loader's advice, "import mynets before loading the file", cannot be
    # followed on the command line.
    import importlib
    import sys

    from skdenoise import KerasDenoiser
    from skdenoise.persistence import save

    (tmp_path / "my_builders.py").write_text(
        "def build(n_timesteps, n_channels):\n"
        "    import keras\n"
        "    inputs = keras.Input((n_timesteps, n_channels))\n"
        "    return keras.Model(inputs, keras.layers.Conv1D(n_channels, 3, "
        "padding='same')(inputs))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("my_builders")
    X = np.random.default_rng(0).normal(size=(8, 32))
    model = KerasDenoiser(module.build, epochs=1, batch_size=4, random_state=0)
    save(model.fit(X, X), tmp_path / "own.skd")
    monkeypatch.delitem(sys.modules, "my_builders")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(tmp_path)])
    np.save(tmp_path / "in.npy", X)
    argv = ["denoise", str(tmp_path / "own.skd"), str(tmp_path / "in.npy")]
    assert main([*argv, "-o", str(tmp_path / "out.npy")]) == 1
    err = capsys.readouterr().err
    assert "import my_builders before loading" in err
    assert "load this one in Python (skdenoise.persistence.load)" in err


def test_a_model_of_one_channel_on_a_3d_array_of_leads_names_the_way(tmp_path, capsys):
    # A model trained on a WFDB record's leads (one channel each) refused a
    # (1, n_samples, 2) array with no way forward.
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.persistence import save

    model = save(MedianDenoiser().fit(np.zeros((2, 64))), tmp_path / "m.skd")
    leads = np.random.default_rng(0).normal(size=(1, 64, 2))
    np.save(tmp_path / "leads.npy", leads)
    argv = ["denoise", str(model), str(tmp_path / "leads.npy")]
    assert main([*argv, "-o", str(tmp_path / "o.npy")]) == 1
    err = capsys.readouterr().err
    assert "shape (n_leads, n_samples)" in err and "np.save(path, array[0].T)" in err
    np.save(tmp_path / "rows.npy", leads[0].T)
    argv = ["denoise", str(model), str(tmp_path / "rows.npy")]
    assert main([*argv, "-o", str(tmp_path / "o.npy"), "--quiet"]) == 0


def test_a_model_saved_without_its_optimizers_state_loads_quietly(tmp_path, capsys):
    # The pretrained model's file leaves out the optimizer's state: `skdenoise
    # export` of it printed Keras' "Skipping variable loading for optimizer"
    # with its site-packages path before the command's own message.
    from pathlib import Path

    import skdenoise

    path = Path(skdenoise.__file__).parent / "pretrained" / "ecg_unet.skdenoise"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["export", str(path), str(tmp_path / "m.onnx")]) != 0
    assert not [w for w in caught if "optimizer" in str(w.message)]
    err = capsys.readouterr().err
    assert err.startswith("skdenoise export: error:") and "optimizer" not in err


def _csv_texts():
    """CSV texts of many kinds, most of them plain, some not."""
    rng = np.random.default_rng(11)
    cells = ["1", "-2.5", " 3e-2", "4. ", ".5", "+6", "1e500", "nan", "inf", "x", ""]
    cells += ["1_0", "١", "7\x1c", "0", "2"]
    texts = []
    for _ in range(300):
        n_rows, n_cols = rng.integers(1, 6), rng.integers(1, 4)
        values = rng.standard_normal((n_rows, n_cols)).round(rng.integers(0, 8))
        rows = [[repr(float(v)) for v in row] for row in values]
        if rng.random() < 0.3:  # one odd cell
            row, col = rng.integers(n_rows), rng.integers(n_cols)
            rows[row][col] = str(rng.choice(cells))
        lines = [",".join(row) for row in rows]
        kind = rng.integers(6)
        if kind == 1:
            lines.insert(0, ",".join(f"lead {i}" for i in range(n_cols)))
        elif kind == 2:
            lines.insert(0, ",".join(str(i) for i in range(n_cols)))
        elif kind == 3:
            lines.insert(rng.integers(len(lines) + 1), rng.choice(["", "  ", "# c"]))
        elif kind == 4:
            lines.insert(0, ",lead")
        elif kind == 5:
            lines[0] = lines[0][: rng.integers(len(lines[0]) + 1)]
        end = str(rng.choice(["\n", "\r\n", "\r", "", "\n\n", "\n  \n"]))
        texts.append(end.join(lines) + end)
    ramp = "\n".join(f"{i / 360:.6f},{np.sin(i):.4f}" for i in range(20))
    texts += ["0\n1\n2\n", "0\n1.5\n2.5\n", "0,1\n2,3\n", ramp, "a\n", "\n1,2\n"]
    texts += ["ECG (\u00b5V),V5\n1,2\n3,4\n", "lead #1,lead #2\n1,2\n3,4\n"]
    texts += ["# c\n1,2\n", "a\x00,b\n1,2\n", 'a,"b, c"\n1,2\n', "\u00b5\n1\n"]
    # A field over the csv module's limit of 131072 characters.
    return texts + ["0." + "0" * 131072 + "1,1\n2,3\n", "-0.0,0\n1,2\n"]


@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_plain_csv_files_read_as_the_line_by_line_reader_reads_them(
    tmp_path, monkeypatch, layout
):
    from skdenoise.cli import _formats

    def read(path, plain):
        if not plain:
            monkeypatch.setattr(_formats, "_read_plain_csv", lambda *args: None)
        try:
            header, series, comments = _formats._read_csv(path, layout)
        except _formats._CommandError as exc:
            return ("error", str(exc))
        finally:
            monkeypatch.undo()
        # The bytes: -0.0 is not 0.0.
        if isinstance(series, list):
            series = [(s.dtype.str, s.flags.c_contiguous, s.tobytes()) for s in series]
        else:
            assert series.flags.c_contiguous and series.dtype == np.float64
            series = (series.shape, series.tobytes())
        return header, series, comments

    fast, texts = 0, _csv_texts()
    for number, text in enumerate(texts):
        path = tmp_path / f"{number}.csv"
        path.write_bytes(text.encode())
        raw = text.replace("\r\n", "\n").replace("\r", "\n").encode()
        try:
            fast += _formats._read_plain_csv(raw.decode(), path, layout) is not None
        except _formats._CommandError:
            fast += 1
        assert read(path, True) == read(path, False), text
    assert 40 < fast < len(texts) - 40  # both ways were taken, many times


def test_csv_writer_keeps_comments_headers_and_ragged_columns(tmp_path):
    from skdenoise.cli._formats import _read_csv, _write_csv

    source = tmp_path / "in.csv"
    source.write_text(
        '# before the header\n"lead, I",II\n1.5,2\n# between\n-3,1e-300\n0.1,\n'
        "# at the end\n"
    )
    header, series, comments = _read_csv(source, "columns")
    assert isinstance(series, list) and header == ["lead, I", "II"]

    class Data:
        pass

    data = Data()
    data.header, data.details = header, comments
    out = tmp_path / "out.csv"
    _write_csv(out, data, [s * 2 for s in series], "columns")
    assert out.read_text() == (
        '# before the header\n"lead, I",II\n3.0,4.0\n# between\n-6.0,2e-300\n0.2,\n'
        "# at the end\n"
    )
    rows = tmp_path / "rows.csv"
    _write_csv(rows, data, [np.float32([0.1, 2]), np.array([3.0])], "rows")
    assert rows.read_text() == (
        '# before the header\n"lead, I",II\n0.10000000149011612,2.0\n# between\n'
        "3.0\n# at the end\n"
    )


def test_denoise_shows_progress_on_a_terminal_only(model, data, capsys, monkeypatch):
    argv = ["denoise", str(model), str(data / "noisy.csv"), "--overwrite"]
    assert main([*argv, "-o", str(data / "p0.csv")]) == 0
    assert "windows:" not in capsys.readouterr().err  # not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main([*argv, "-o", str(data / "p1.csv"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert main([*argv, "-o", str(data / "p2.csv")]) == 0
    err = capsys.readouterr().err
    assert "windows: 100%" in err
    # The progress bar is the command's: the saved model stays quiet.
    from skdenoise.persistence import load

    assert load(model).verbose == 0
    np.testing.assert_array_equal(
        np.loadtxt(data / "p1.csv", delimiter=","),
        np.loadtxt(data / "p2.csv", delimiter=","),
    )


def test_a_path_that_stdout_cannot_encode_is_printed_escaped(model, data, monkeypatch):
    # Windows encodes redirected output in its code page, strictly.
    import io

    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="cp1252", errors="strict")
    monkeypatch.setattr(sys, "stdout", stdout)
    out = data / "\u0141\u00f3d\u017a.csv"
    argv = ["denoise", str(model), str(data / "noisy.csv"), "-o", str(out)]
    assert main([*argv, "--overwrite"]) == 0
    stdout.flush()
    assert "\\u0141\u00f3d\\u017a.csv" in raw.getvalue().decode("cp1252")
    assert stdout.errors == "strict"  # put back
    assert out.is_file()


def test_a_csv_byte_order_mark_is_written_back(model, data):
    # Excel's "CSV UTF-8" begins with the mark, and opens a CSV as UTF-8 only
    # when it is there: without it the header came back as mojibake.
    _, noisy = _series()
    text = "Kanal_\u00e4,b\n" + "\n".join(
        ",".join(map(repr, r)) for r in noisy.T.tolist()
    )
    for name, prefix in (("bom", b"\xef\xbb\xbf"), ("nobom", b"")):
        source = data / f"{name}.csv"
        source.write_bytes(prefix + text.encode())
        out = data / f"{name}_out.csv"
        argv = ["denoise", str(model), str(source), "-o", str(out), "--quiet"]
        assert main([*argv, "--layout", "columns", "--overwrite"]) == 0
        written = out.read_bytes()
        assert written.startswith(prefix + "Kanal_\u00e4,b\n".encode())
        assert written.count(b"\xef\xbb\xbf") == len(prefix) // 3


def test_a_long_series_with_semicolons_is_named(data, capsys):
    # One field of the csv module's reader over its limit (131072
    # characters) raised its own error instead of the advice.
    source = data / "long_semicolons.csv"
    source.write_text(";".join(["0.123456"] * 20000) + "\n")
    argv = ["denoise", "--pretrained", "ecg", "--sampling-rate", "360", str(source)]
    assert main([*argv, "-o", str(data / "ls_out.csv")]) == 1
    assert "separates its values with semicolons" in capsys.readouterr().err


def test_denoise_without_standard_error_and_ragged_progress(
    model, data, capsys, monkeypatch
):
    # pythonw on Windows runs with sys.stderr None.
    argv = ["denoise", str(model), str(data / "noisy.csv"), "--overwrite"]
    monkeypatch.setattr(sys, "stderr", None)
    assert main([*argv, "-o", str(data / "n0.csv")]) == 0
    monkeypatch.undo()
    # Series of different lengths: one bar over the series.
    _, noisy = _series()
    ragged = data / "ragged_progress.csv"
    ragged.write_text(
        "\n".join(
            ",".join(map(repr, row[: 60 + 5 * i]))
            for i, row in enumerate(noisy.tolist())
        )
    )
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    argv = ["denoise", str(model), str(ragged), "--overwrite"]
    assert main([*argv, "-o", str(data / "n1.csv")]) == 0
    err = capsys.readouterr().err
    assert "series: 100%|" in err and "windows:" not in err
    assert err.count("\n") == 1  # one bar, redrawn in place


# ------------------------------------------------ what no test checked before
@pytest.fixture
def median_model(tmp_path):
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.persistence import save

    return save(MedianDenoiser().fit(np.zeros((2, 64))), tmp_path / "m.skd")


@pytest.mark.parametrize("role", ["--clean", "--noisy"])
def test_train_never_writes_the_model_over_its_own_data(tmp_path, role, capsys):
    clean, noisy = _series()
    paths = {"--clean": tmp_path / "clean.csv", "--noisy": tmp_path / "noisy.csv"}
    np.savetxt(paths["--clean"], clean, delimiter=",")
    np.savetxt(paths["--noisy"], noisy, delimiter=",")
    before = paths[role].read_bytes()
    argv = ["train", "--clean", str(paths["--clean"]), "--noisy"]
    argv += [str(paths["--noisy"]), "--output", str(paths[role]), "--overwrite"]
    assert main([*argv, *TINY]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert paths[role].read_bytes() == before


def test_denoise_never_writes_over_the_model_it_reads(tmp_path, capsys):
    # A model saved under a data file's name (model.npy) is an input too.
    from skdenoise.baselines import MedianDenoiser
    from skdenoise.persistence import save

    model = save(MedianDenoiser().fit(np.zeros((2, 64))), tmp_path / "model.npy")
    before = model.read_bytes()
    np.save(tmp_path / "in.npy", np.ones((2, 64)))
    argv = ["denoise", str(model), str(tmp_path / "in.npy"), "-o", str(model)]
    assert main([*argv, "--overwrite"]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert model.read_bytes() == before


def test_npz_without_a_key_denoises_its_first_array_not_the_first_by_name(
    median_model, tmp_path
):
    rng = np.random.default_rng(0)
    signal, aux = rng.normal(size=(3, 64)), rng.normal(size=(2, 64))
    np.savez(tmp_path / "in.npz", signal=signal, aux=aux)  # "aux" sorts first
    out = tmp_path / "out.npz"
    assert (
        main(["denoise", str(median_model), str(tmp_path / "in.npz"), "-o", str(out)])
        == 0
    )
    with np.load(out) as result:
        assert not np.array_equal(result["signal"], signal)
        np.testing.assert_array_equal(result["aux"], aux)


def test_a_24_bit_record_of_small_values_stays_24_bit(median_model, tmp_path):
    wfdb = pytest.importorskip("wfdb")
    from skdenoise.datasets import write_wfdb

    signal = 0.8 * np.sin(np.linspace(0, 20, 720))[:, None]
    record = tmp_path / "r24"
    write_wfdb(record, signal, sampling_rate=360, units=["mV"], gain=[200.0], fmt=24)
    assert wfdb.rdheader(str(record)).fmt == ["24"]
    out = tmp_path / "o24"
    assert main(["denoise", str(median_model), str(record), "-o", str(out)]) == 0
    header = wfdb.rdheader(str(out))
    assert header.fmt == ["24"] and header.adc_res == [24]


def test_quiet_denoise_prints_nothing(median_model, tmp_path, capsys):
    np.savetxt(tmp_path / "in.csv", np.ones((3, 64)), delimiter=",")
    argv = ["denoise", str(median_model), str(tmp_path / "in.csv")]
    assert main([*argv, "-o", str(tmp_path / "q.csv"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main([*argv, "-o", str(tmp_path / "v.csv")]) == 0
    assert "denoised 3 series" in capsys.readouterr().out


def test_an_interrupted_command_exits_130_and_an_os_error_names_its_file(
    median_model, tmp_path, monkeypatch, capsys
):
    from skdenoise.cli import _commands

    np.savetxt(tmp_path / "in.csv", np.ones((3, 64)), delimiter=",")
    argv = ["denoise", str(median_model), str(tmp_path / "in.csv")]
    argv += ["-o", str(tmp_path / "out.csv")]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_commands, "_read_series", interrupted)
    assert main(argv) == 130
    assert "interrupted" in capsys.readouterr().err

    def gone(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "gone.csv")

    monkeypatch.setattr(_commands, "_read_series", gone)
    assert main(argv) == 1
    assert "No such file or directory (gone.csv)" in capsys.readouterr().err


def test_a_record_named_with_its_header_file(median_model, tmp_path):
    wfdb = pytest.importorskip("wfdb")
    record = _write_wfdb(tmp_path, "rec", np.sin(np.linspace(0, 9, 400))[:, None])
    header = record.with_name("rec.hea")
    # rec.hea as the input, and as the output: the record "out" is written.
    assert (
        main(
            ["denoise", str(median_model), str(header), "-o", str(tmp_path / "out.hea")]
        )
        == 0
    )
    assert (tmp_path / "out.hea").is_file() and (tmp_path / "out.dat").is_file()
    assert wfdb.rdheader(str(tmp_path / "out")).sig_len == 400


def test_train_cuts_windows_of_512_samples_by_default(tmp_path):
    from skdenoise.persistence import load

    clean = np.sin(np.linspace(0, 200, 2000)) * np.ones((3, 1))
    np.savetxt(tmp_path / "long.csv", clean, delimiter=",")
    out = tmp_path / "w.skd"
    assert (
        main(
            [
                "train",
                "--clean",
                str(tmp_path / "long.csv"),
                "--output",
                str(out),
                *TINY,
            ]
        )
        == 0
    )
    assert load(out).window_length == 512
