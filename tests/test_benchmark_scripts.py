"""What small benchmark scripts write (ensemble_parallel.py, pipeline_bench.py,
eager_optimizer.py)."""

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


def test_eager_optimizer_compares_the_two_updates(tmp_path):
    script = _load_script("eager_optimizer")
    assert script.main(["--out", str(tmp_path), "--pairs", "1", "--steps", "2"]) == 0
    report = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| one optimizer step, eager (ms) |" in report
    assert "26 trainable variables" in report
    apart = float(report.split("at most ")[1].split(" apart")[0])
    assert apart < 1e-5
    with pytest.raises(SystemExit):
        script.main(["--out", str(tmp_path), "--steps", "0"])


def _text_opens_without_encoding(path):
    """``open``/``read_text``/``write_text`` calls in text mode without encoding."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name not in ("open", "read_text", "write_text"):
            continue
        if any(keyword.arg == "encoding" for keyword in node.keywords):
            continue
        modes = [a.value for a in node.args if isinstance(a, ast.Constant)]
        modes += [k.value.value for k in node.keywords if k.arg == "mode"]
        if any(isinstance(mode, str) and "b" in mode for mode in modes):
            continue
        found.append(f"{path.name}:{node.lineno}")
    return found


def test_benchmark_reports_are_written_in_utf8_on_any_system():
    # Windows' default encoding is its code page: "mV²" and "±" in a report
    # failed on Polish or Japanese systems at the end of a whole run.
    found = []
    for path in sorted(BENCHMARKS.glob("*.py")):
        found += _text_opens_without_encoding(path)
    assert found == []


def test_benchmarks_run_where_the_system_has_no_load_average(monkeypatch):
    # os.getloadavg is Unix only: 17 scripts failed on Windows after measuring.
    import os

    calls = [
        path.name
        for path in BENCHMARKS.glob("*.py")
        if path.name != "_report.py" and "os.getloadavg" in path.read_text("utf-8")
    ]
    assert calls == []
    report = _load_script("_report")
    monkeypatch.delattr(os, "getloadavg")
    values = report.load_average()
    assert len(values) == 3 and all(value != value for value in values)  # NaN


def test_every_benchmark_script_loads_from_its_file_alone():
    # Loaded by file (as the tests and `skdenoise benchmark` load them), a
    # script that imports a sibling must put its folder on sys.path itself.
    import subprocess

    code = (
        "import importlib.util, pathlib, sys\n"
        f"folder = pathlib.Path({str(BENCHMARKS)!r})\n"
        "bad = []\n"
        "for path in sorted(folder.glob('[!_]*.py')):\n"
        "    spec = importlib.util.spec_from_file_location('b_' + path.stem, path)\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    try:\n"
        "        spec.loader.exec_module(module)\n"
        "    except ImportError as exc:\n"
        "        bad.append(f'{path.name}: {exc}')\n"
        "    sys.path[:] = [p for p in sys.path if p != str(folder)]\n"
        "    for name, mod in list(sys.modules.items()):\n"
        "        if str(getattr(mod, '__file__', '')).startswith(str(folder)):\n"
        "            del sys.modules[name]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=BENCHMARKS.parent.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_auto_precision_takes_bfloat16_only_where_it_runs_in_hardware(tmp_path):
    precision = _load_script("_precision")
    resolve = precision.resolve_precision
    # A CPU with AMX, and one whose bfloat16 is only in AVX-512 (1.6 times
    # slower than float32 there) or missing (9 times slower).
    assert resolve("auto", flags={"avx2", "amx_bf16", "amx_tile"}, gpu="")[0] == (
        "mixed_bfloat16"
    )
    for flags in ({"avx2", "avx512_bf16", "avx512f"}, {"avx2", "fma"}, set()):
        chosen, reason = resolve("auto", flags=flags, gpu="")
        assert chosen == "float32"
        assert "amx_bf16" in reason
    chosen, reason = resolve("auto", flags=set(), gpu="9.0")
    assert chosen == "mixed_bfloat16" and "9.0" in reason
    # What is asked is kept, whatever the machine; a misspelt name is refused.
    assert resolve("mixed_bfloat16", flags=set(), gpu="") == (
        "mixed_bfloat16",
        "as asked",
    )
    assert resolve("float32", flags={"amx_bf16"}, gpu="9.0")[0] == "float32"
    with pytest.raises(ValueError, match="bfloat16x"):
        resolve("bfloat16x")
    # The flags of x86 ("flags") and ARM ("Features") /proc/cpuinfo files.
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nflags\t\t: fpu avx2 amx_bf16\n\nflags : other\n")
    assert precision.cpu_flags(x86) == {"fpu", "avx2", "amx_bf16"}
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd bf16\n")
    assert precision.cpu_flags(arm) == {"fp", "asimd", "bf16"}
    assert precision.cpu_flags(tmp_path / "missing") == frozenset()
