"""Smoke test of the ECG benchmark script (benchmarks/ecg.py) in quick mode."""

import csv
import importlib.util
import math
from pathlib import Path

import pytest

ECG_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "ecg.py"
METRICS = ("snr_improvement", "rmse", "prd", "ssd", "mad", "cosine")
# BENCHMARK.md: mean SNR improvement of the 0.67-40 Hz band-pass, bw noise, 0 dB.
REFERENCE_BANDPASS_BW_0DB = 6.1


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmark_ecg", ECG_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read_csv(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.data
@pytest.mark.slow
def test_quick_benchmark(physionet_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    monkeypatch.setenv("TF_NUM_INTEROP_THREADS", "1")
    ecg = _load_script()
    out = tmp_path / "ecg"
    ecg.main(
        [
            "--data-dir",
            str(physionet_dir),
            "--train-records",
            "100",
            "--test-records",
            "119",
            "--quick",
            "--budget-minutes",
            "0.05",
            "--max-train-windows",
            "256",
            "--models",
            "bandpass",
            "unet",
            "--out",
            str(out),
        ]
    )
    for name in (
        "results.csv",
        "results.md",
        "real_records.csv",
        "real_records.md",
        "timing.csv",
        "examples.png",
        "command.txt",
        "run.json",
        "README.md",
    ):
        assert (out / name).is_file(), name
    assert "--quick" in (out / "command.txt").read_text()

    rows = _read_csv(out / "results.csv")
    assert {r["model"] for r in rows} == {"bandpass", "unet"}
    assert {r["noise"] for r in rows} == {"bw", "em", "ma", "mix"}
    assert {float(r["input_snr_db"]) for r in rows} == {-6.0, 0.0, 6.0, 12.0, 24.0}
    for row in rows:
        assert math.isfinite(float(row["snr_improvement_mean"]))
        if row["model"] == "bandpass":
            for metric in METRICS:
                for stat in ("mean", "std"):
                    assert math.isfinite(float(row[f"{metric}_{stat}"])), (metric, stat)
            assert math.isfinite(float(row["throughput_samples_per_s"]))

    bandpass_bw_0db = next(
        float(r["snr_improvement_mean"])
        for r in rows
        if r["model"] == "bandpass"
        and r["noise"] == "bw"
        and float(r["input_snr_db"]) == 0
    )
    assert abs(bandpass_bw_0db - REFERENCE_BANDPASS_BW_0DB) < 2.0

    real = _read_csv(out / "real_records.csv")
    assert {r["model"] for r in real} == {"bandpass", "unet"}
    assert all(math.isfinite(float(r["snr_improvement_mean"])) for r in real)
    timing = _read_csv(out / "timing.csv")
    unet = next(t for t in timing if t["model"] == "unet")
    assert float(unet["train_time_s"]) > 0
    assert "± " in (out / "results.md").read_text()

    # The summary script combines runs: the same run twice, the second tagged.
    spec = importlib.util.spec_from_file_location(
        "benchmark_ecg_summary", ECG_SCRIPT.with_name("ecg_summary.py")
    )
    summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(summary)
    summary.main(
        ["--run", str(out), "--run", f"{out}=again", "--out", str(tmp_path / "s")]
    )
    text = (tmp_path / "s" / "README.md").read_text()
    assert "| U-Net |" in text and "| U-Net [again] |" in text
    table = text.split("## Real noisy records")[0]
    # The classical rows come from the first run only: one per noise type.
    assert table.count("| Band-pass 0.67-40 Hz |") == 4
    assert "## Bars of the benchmark" in text
