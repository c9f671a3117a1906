"""What small benchmark scripts write (ensemble_parallel.py, pipeline_bench.py)."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load_script(name):
    sys.path.insert(0, str(BENCHMARKS))  # the scripts import their siblings
    try:
        spec = importlib.util.spec_from_file_location(
            f"benchmark_{name}", BENCHMARKS / f"{name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


@pytest.mark.data
def test_ensemble_parallel_writes_into_a_folder_it_makes(
    physionet_dir, tmp_path, monkeypatch
):
    # A missing folder of --out lost the whole measurement once every fit
    # had run.
    script = _load_script("ensemble_parallel")
    monkeypatch.setattr(script, "fit_ensemble", lambda *args: 1.0)
    out = tmp_path / "missing" / "ensemble_parallel.md"
    argv = ["--data-dir", str(physionet_dir), "--out", str(out)]
    script.main([*argv, "--windows", "20", "--repeats", "1"])
    assert "Ratio of the medians: 1.00" in out.read_text()


def test_pipeline_bench_says_how_many_transforms_it_timed():
    # It said "median of 3 transforms" whatever --repeats was.
    script = _load_script("pipeline_bench")
    rows = [
        {"n_samples": 5_000, "times_s": [1.0]},
        {"n_samples": 2_000_000, "times_s": [9.0]},
    ]
    assert script._repeats_of(rows) == "1"
    rows[0]["times_s"] = [1.0, 1.1, 1.2]
    assert script._repeats_of(rows) == "3"
