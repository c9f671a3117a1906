"""benchmarks/ecg_low_snr_validation.py: the records with noisy blocks, the
pooled QRS scores, the options and a run on a real validation record."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = (
    Path(__file__).resolve().parents[1] / "benchmarks" / "ecg_low_snr_validation.py"
)


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmark_low_snr", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_noisy_blocks_record_has_the_power_snr_asked_over_the_blocks():
    script = _load_script()
    rng = np.random.default_rng(0)
    clean = np.sin(np.arange(200_000) / 30.0)
    noise = rng.normal(size=150_000) + 3.0
    before = clean.copy()
    noisy, blocks = script.noisy_blocks_record(clean, noise, -14.0)
    np.testing.assert_array_equal(clean, before)
    inside = np.zeros(len(clean), dtype=bool)
    for start, stop in blocks:
        inside[start:stop] = True
    # Nothing added outside the blocks (the first five minutes among them).
    np.testing.assert_array_equal(noisy[~inside], clean[~inside])
    assert not inside[: int(300 * 360)].any()
    added = (noisy - clean)[inside]
    snr = 10 * np.log10(np.sum(clean[inside] ** 2) / np.sum(added**2))
    assert snr == pytest.approx(-14.0, abs=1e-9)
    assert abs(added.mean()) < 1e-9  # the noise's offset removed


def test_noisy_blocks_record_refuses_a_noise_shorter_than_the_blocks():
    script = _load_script()
    with pytest.raises(ValueError, match="more than the 1000 of the noise"):
        script.noisy_blocks_record(np.ones(200_000), np.ones(1000), 0.0)


def test_pooled_qrs_adds_the_counts_of_the_records():
    script = _load_script()
    rows = [
        {"model": "a", "power_snr_db": -14.0, "tp": 90, "fn": 10, "fp": 30},
        {"model": "a", "power_snr_db": -14.0, "tp": 10, "fn": 0, "fp": 0},
        {"model": "b", "power_snr_db": -14.0, "tp": 0, "fn": 5, "fp": 0},
    ]
    pooled = script.pooled_qrs(rows)
    assert pooled["a", -14.0] == pytest.approx((100 / 110, 100 / 130))
    sensitivity, ppv = pooled["b", -14.0]
    assert sensitivity == 0.0 and np.isnan(ppv)


@pytest.mark.parametrize(
    "options, message",
    [
        (["--model", "no-equals-sign"], "--model takes LABEL=PATH"),
        (["--model", "=path"], "--model takes LABEL=PATH"),
        (["--model", "a=x", "--model", "a=y"], "label 'a' given twice"),
        (["--model", "a=x", "--first-pass-of", "b"], "no --model labelled 'b'"),
    ],
)
def test_bad_model_options_are_named(options, message, capsys):
    script = _load_script()
    with pytest.raises(SystemExit):
        script.parse_args(["--data-dir", "d", "--out", "o", *options])
    assert message in capsys.readouterr().err


def test_a_run_on_one_validation_record(physionet_dir, tmp_path):
    from skdenoise.classical import BandpassDenoiser
    from skdenoise.persistence import save

    script = _load_script()
    path = tmp_path / "bandpass.skdenoise"
    save(BandpassDenoiser().fit(np.zeros((2, 512))), path)
    out = tmp_path / "out"
    script.main(
        [
            "--data-dir",
            str(physionet_dir),
            "--model",
            f"bp={path}",
            "--records",
            "117",
            "--snrs",
            "0",
            "--record-snrs",
            "-14",
            "--n-windows",
            "20",
            "--out",
            str(out),
        ]
    )
    readme = (out / "README.md").read_text()
    assert "| em | +0 |" in readme and "| -14 dB |" in readme
    windows = (out / "windows.csv").read_text().splitlines()
    assert len(windows) == 1 + 4 + 1  # four noises at one level, clean windows
    qrs = (out / "qrs.csv").read_text().splitlines()
    assert [line.split(",")[2] for line in qrs[1:]] == ["noisy", "bp"]
    # The band-pass adds nothing for the detector, which filters for itself.
    noisy, bp = (line.split(",") for line in qrs[1:])
    assert abs(int(noisy[3]) - int(bp[3])) <= 0.02 * int(noisy[3])


def test_the_noise_is_the_other_lead_unless_asked(physionet_dir, monkeypatch):
    # The training lead's noise flatters a network that learned its
    # orientation: the default is the other lead, none of the test samples.
    from types import SimpleNamespace

    from skdenoise.classical import BandpassDenoiser

    script = _load_script()
    assert script.parse_args(
        ["--data-dir", "d", "--out", "o", "--model", "a=x"]
    ).noise == ("other-lead")
    assert script.NOISE_SOURCES["other-lead"][:2] == (1, (0, 325000))
    assert script.NOISE_SOURCES["training"][:2] == (0, (0, 325000))
    channels = []
    recordings = script.protocol.noise_recordings

    def recording(data_dir, channel):
        channels.append(channel)
        return recordings(data_dir, channel)

    monkeypatch.setattr(script.protocol, "noise_recordings", recording)
    model = BandpassDenoiser().fit(np.zeros((2, 512)))
    gains = {}
    for noise in ("other-lead", "training"):
        args = SimpleNamespace(
            records=["117"],
            n_windows=5,
            snrs=[0.0],
            data_dir=physionet_dir,
            noise=noise,
        )
        rows = script.window_rows(args, "bp", model)
        gains[noise] = [r["snr_improvement_mean"] for r in rows[:4]]
    assert channels == [1, 0]
    assert gains["other-lead"] != gains["training"]
