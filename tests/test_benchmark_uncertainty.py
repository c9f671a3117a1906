"""Smoke test of the uncertainty benchmark script (benchmarks/uncertainty.py)."""

import csv
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "uncertainty.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmark_uncertainty", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("recipe", "rate", "expected"),
    [("plain", None, 1e-3), ("ecg", None, 5e-4), ("ecg", 2e-3, 2e-3)],
)
def test_recipe_sets_the_network_and_its_learning_rate(
    recipe, rate, expected, monkeypatch
):
    script = _load_script()
    args = type(
        "Args",
        (),
        {
            "recipe": recipe,
            "learning_rate": rate,
            # As main resolves --precision for the ECG recipe.
            "precision": "mixed_bfloat16",
            "dropout": 0.1,
            "drift": 0.5,
            "data_dir": None,
            "train_snr": (-6.0, 30.0),
            "held_out_noise": None,
            "members": 2,
            "samples": 4,
            "seed": 0,
        },
    )()
    assert script.learning_rate(args) == expected
    args.learning_rate = 2e-4
    assert script.learning_rate(args) == 2e-4
    # No data needed here: the noise is only built.
    monkeypatch.setattr(script.protocol, "training_noise", lambda *a, **k: None)
    model = script.make_unet("mc_dropout", args, budget_s=1.0)
    assert model.learning_rate == 2e-4
    # Without --budget-steps the budget is wall time; with it, steps.
    assert model.callbacks[0].max_steps is None
    args.budget_steps = 250
    stepped = script.make_unet("ensemble", args, budget_s=1.0)
    assert stepped.callbacks[0].max_steps == 250
    del args.budget_steps
    assert model.dropout == 0.1
    names = [type(step).__name__ for step in getattr(model.augment, "steps", [])]
    if recipe == "ecg":
        assert model.average_flips and model.precision == "mixed_bfloat16"
        assert model.global_context and model.level_input
        assert names == ["RandomFlip", "RandomTimeWarp", "RandomDrift"]
        assert model.augment.steps[-1].p == 0.5
    else:
        assert not model.average_flips and model.precision == "float32"
        assert not model.global_context and not model.level_input
        assert type(model.augment).__name__ == "RandomDrift"


def test_budget_steps_must_be_positive(tmp_path, capsys):
    script = _load_script()
    with pytest.raises(SystemExit):
        script.main(
            [
                "--data-dir",
                str(tmp_path),
                "--out",
                str(tmp_path / "o"),
                "--budget-steps",
                "0",
            ]
        )
    assert "--budget-steps must be at least 1; got 0" in capsys.readouterr().err


@pytest.mark.data
@pytest.mark.slow
# A second of training does not learn to denoise, and says so.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_uncertainty_benchmark_quick(physionet_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    monkeypatch.setenv("TF_NUM_INTEROP_THREADS", "1")
    script = _load_script()
    out = tmp_path / "out"
    script.main(
        [
            "--data-dir",
            str(physionet_dir),
            "--out",
            str(out),
            "--recipe",
            "ecg",
            "--budget-minutes",
            "0.01",
            "--members",
            "2",
            "--samples",
            "2",
            "--test-windows",
            "6",
            "--levels",
            "0",
            "24",
            "--max-train-windows",
            "128",
            "--max-val-windows",
            "32",
            "--jit-compile",
            "off",
        ]
    )
    with (out / "calibration.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["method"] for r in rows} == {"mc_dropout", "ensemble"}
    cells = [r for r in rows if r["snr_in_db"] != "all"]
    assert len(cells) == 2 * 4 * 2
    assert {r["snr_in_db"] for r in cells} == {"0.0", "24.0"}
    # One row per method and noise type pools the levels.
    assert len(rows) - len(cells) == 2 * 4
    coverage = np.array([float(r["coverage_95"]) for r in cells])
    assert np.all((coverage >= 0) & (coverage <= 1))
    readme = (out / "calibration.md").read_text()
    assert "Recipe: ecg, peak learning rate 0.0005" in readme
    # The command written is the one given to main, not pytest's.
    assert "Command: `python benchmarks/uncertainty.py --data-dir " in readme
    assert "--levels 0 24" in readme
    # Each fit's XLA setting is recorded (given here, not measured).
    assert readme.count('"xla": {"jit_compile": false, "reason": "given"}') == 2


@pytest.mark.data
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_uncertainty_benchmark_of_the_pretrained_network(
    physionet_dir, tmp_path, monkeypatch
):
    from skdenoise.pretrained import _models

    script = _load_script()
    # The networks the script calibrates, kept to compare with the file's
    # calibration (calibrating once more here took as long as the script).
    calibrated = []
    calibrate = script.calibrated_pretrained

    def recording(*args, **kwargs):
        calibrated.append(calibrate(*args, **kwargs))
        return calibrated[-1]

    monkeypatch.setattr(script, "calibrated_pretrained", recording)
    out = tmp_path / "out"
    shipped = _models.MODELS["ecg"].path
    # The noise the shipped file was calibrated on, as its card names it.
    card = json.loads(shipped.with_suffix(".json").read_text())
    source = card["noise"].get("validation", {}).get("source", "training")
    script.main(
        [
            "--data-dir",
            str(physionet_dir),
            "--out",
            str(out),
            "--pretrained",
            str(shipped),
            "--validation-noise",
            source,
            "--methods",
            "flips",
            "--test-windows",
            "4",
            "--levels",
            "0",
            "24",
        ]
    )
    with (out / "calibration.csv").open(newline="") as f:
        cells = [r for r in csv.DictReader(f) if r["snr_in_db"] != "all"]
    assert len(cells) == 4 * 2 and {r["method"] for r in cells} == {"flips"}
    readme = (out / "calibration.md").read_text()
    assert "The network of the pretrained file" in readme
    said = {"training": "the training noise itself", "other-lead": "other-lead noise"}
    assert f"calibration on records 117 122 (all windows, {said[source]}" in readme
    assert "Training: records" not in readme
    # Calibrated anew by the script on the validation records, as the file was.
    from skdenoise.persistence import load

    assert len(calibrated) == 1
    network = calibrated[0]
    # To 5 % in the factors: the network computes in bfloat16, whose kernels
    # differ from one CPU to another (one machine moved them by 0.7 %, an AMD
    # EPYC by 3 %), and the factors are quantiles of its outputs.
    np.testing.assert_allclose(
        network.std_log_factors_,
        load(shipped).estimator_.estimator_.std_log_factors_,
        rtol=0,
        atol=0.05,
    )


def test_validation_noise_is_the_other_lead_unless_asked(tmp_path, monkeypatch):
    script = _load_script()
    seen = []

    class Stop(Exception):
        pass

    def record(args):
        seen.append((args.validation_noise, script.validation_noise_text(args)))
        raise Stop

    monkeypatch.setattr(script, "validation_series", record)
    monkeypatch.setattr(script.protocol, "check_record_lists", lambda *a, **k: None)
    # No records read before the validation series.
    monkeypatch.setattr(script.protocol, "training_windows", lambda *a, **k: None)
    base = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    pretrained = ["--pretrained", str(tmp_path / "model.skdenoise")]
    recalibrate = ["--load-models", str(tmp_path), "--recalibrate"]
    for options in (
        pretrained,
        [*pretrained, "--validation-noise", "training"],
        recalibrate,
        ["--held-out-noise", "275000"],
        [],
    ):
        with pytest.raises(Stop):
            script.main(base + options)
    assert [source for source, _ in seen] == [
        "other-lead",
        "training",
        "other-lead",
        "training",
        "other-lead",
    ]
    assert "channel 1" in seen[0][1]
    assert "itself" in seen[1][1]
    assert "[275000, 325000)" in seen[3][1]


def test_held_out_noise_is_refused_with_a_pretrained_network(tmp_path, capsys):
    script = _load_script()
    with pytest.raises(SystemExit) as exc:
        script.main(
            ["--data-dir", "x", "--out", str(tmp_path), "--pretrained", "f"]
            + ["--held-out-noise", "275000"]
        )
    assert exc.value.code == 2
    assert "the pretrained network trained on all of it" in capsys.readouterr().err


def test_held_out_noise_with_other_lead_validation_is_refused(tmp_path, capsys):
    script = _load_script()
    with pytest.raises(SystemExit) as exc:
        script.main(
            ["--data-dir", "x", "--out", str(tmp_path)]
            + ["--held-out-noise", "275000", "--validation-noise", "other-lead"]
        )
    assert exc.value.code == 2
    assert "does not go with --validation-noise other-lead" in capsys.readouterr().err


def test_recalibrate_needs_loaded_models(tmp_path, capsys):
    script = _load_script()
    with pytest.raises(SystemExit) as exc:
        script.main(["--data-dir", "x", "--out", str(tmp_path), "--recalibrate"])
    assert exc.value.code == 2
    assert "--load-models" in capsys.readouterr().err


def test_the_script_imports_no_keras_before_it_trains():
    # Its --help and argument errors took 10-17 s: a module it imported at the
    # top imported Keras.
    import subprocess
    import sys

    code = (
        "import importlib.util, sys;"
        f"spec = importlib.util.spec_from_file_location('u', {str(SCRIPT)!r});"
        "module = importlib.util.module_from_spec(spec);"
        "spec.loader.exec_module(module);"
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_precision_is_refused_with_the_plain_recipe(tmp_path, capsys):
    # The plain recipe trains in float32: a --precision for it would be ignored.
    script = _load_script()
    with pytest.raises(SystemExit):
        script.main(
            ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
            + ["--precision", "mixed_bfloat16"]
        )
    assert "--precision applies to --recipe ecg" in capsys.readouterr().err
