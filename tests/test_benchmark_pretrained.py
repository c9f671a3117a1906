"""Smoke test of the script that trains the shipped ECG model (train_pretrained.py)."""

import hashlib
import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "train_pretrained.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmark_train_pretrained", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.data
@pytest.mark.slow
# The file leaves out the optimizer's state (as skdenoise.pretrained.load knows).
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_train_pretrained_writes_the_file_and_its_card(
    physionet_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    monkeypatch.setenv("TF_NUM_INTEROP_THREADS", "1")
    script = _load_script()
    out = tmp_path / "ecg_unet.skdenoise"
    assert (
        script.main(
            [
                "--data-dir",
                str(physionet_dir),
                "--budget-minutes",
                "0.02",
                "--passes",
                "2",
                "--out",
                str(out),
            ]
        )
        == 0
    )

    info = json.loads(out.with_suffix(".json").read_text())
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert info["sha256"] == digest
    printed = capsys.readouterr().out
    assert f"SHA-256 {digest}" in printed
    assert "2 denoising passes: validation gain after the gates" in printed
    assert info["model"]["learning_rate"] == script.RECIPE["learning_rate"] == 5e-4
    assert info["data"]["test_records_never_used"] == ["118", "119", "121"]
    assert not set(info["data"]["training_records"]) & {
        "117",
        "118",
        "119",
        "121",
        "122",
    }
    gain = info["training"]["val_snr_improvement_before_gate"]
    assert isinstance(gain, float) and math.isfinite(gain)
    high = info["training"]["val_snr_improvement_above_18db_before_gate"]
    assert isinstance(high, float) and math.isfinite(high)
    assert info["training"]["steps"] > 0
    assert info["model"]["n_passes"] == info["model"]["n_passes_chosen"] == 2
    for name in ("one_pass", "all_passes"):
        value = info["training"][f"val_snr_improvement_{name}"]
        assert isinstance(value, float) and math.isfinite(value)
    assert info["training"]["hard_first_curriculum"] == {
        "start_db": 12.0,
        "ramp_share_of_budget": 0.5,
    }

    from skdenoise.persistence import load

    model = load(out)
    assert model.estimator_.estimator_.n_passes_ == 2
    x = np.random.default_rng(0).standard_normal((2, 720))
    before = x.copy()
    denoised = model.transform(x)
    assert denoised.shape == x.shape and np.all(np.isfinite(denoised))
    np.testing.assert_array_equal(x, before)


def test_train_pretrained_curriculum_options():
    script = _load_script()
    base = ["--data-dir", "data"]
    assert script.parse_args(base).hard_first == (12.0, 0.5)
    assert script.parse_args([*base, "--hard-first", "6", "0.75"]).hard_first == [
        6.0,
        0.75,
    ]
    assert script.parse_args([*base, "--no-hard-first"]).hard_first is None
    assert script.parse_args(base).passes == 1
    assert script.parse_args([*base, "--passes", "auto"]).passes == "auto"
