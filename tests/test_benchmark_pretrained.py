"""Smoke test of the script that trains the shipped ECG model (train_pretrained.py)."""

import hashlib
import importlib.util
import json
import math
import re
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
# One step of training learns nothing, and says so.
@pytest.mark.filterwarnings("ignore:UNetDenoiser did not learn")
def test_train_pretrained_writes_the_file_and_its_card(
    physionet_dir, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    monkeypatch.setenv("TF_NUM_INTEROP_THREADS", "1")
    script = _load_script()
    # bfloat16, which "auto" takes on CPUs with AMX, is emulated slowly by
    # CPUs without bfloat16 units (its inference over the validation records
    # took 3 of the test's 4 minutes): the script's flow is tested in float32
    # (asked for, over the recipe's "auto"),
    assert script.RECIPE["precision"] == "auto"
    # on 300 windows of the validation records, not all of their 2538 (each
    # is computed four times over, for the flips of the uncertainty).
    whole = script.protocol.validation_set

    def some_validation_windows(records, data_dir, noise, max_windows=None):
        return whole(records, data_dir, noise, max_windows=300)

    monkeypatch.setattr(script.protocol, "validation_set", some_validation_windows)
    out = tmp_path / "ecg_unet.skdenoise"
    # A data folder without the test records: the script never reads them.
    data = tmp_path / "data"
    for sub in physionet_dir.iterdir():
        if sub.is_dir():
            (data / sub.name).mkdir(parents=True)
            for file in sub.iterdir():
                if not file.name.startswith(tuple(script.TEST_RECORDS)):
                    (data / sub.name / file.name).symlink_to(file)
    assert (
        script.main(
            [
                "--data-dir",
                str(data),
                # By steps: the curriculum is then the denoiser's own.
                "--budget-steps",
                "3",
                "--passes",
                "2",
                "--precision",
                "float32",
                # (auto would time XLA against none before a 1-second budget)
                "--jit-compile",
                "off",
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
    # The precision it trained in, not the recipe's "auto".
    assert info["model"]["precision"] == "float32"
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
    assert info["training"]["steps"] == info["training"]["budget_steps"] == 3
    assert info["training"]["budget_minutes"] is None
    # Validated on the other lead of the noise recordings, as the card says.
    assert info["noise"]["validation"] == {
        "source": "other-lead",
        "channel": 1,
        "samples": [0, 325000],
    }
    assert info["noise"]["channel"] == 0
    assert "channel 1" in info["uncertainty"]["calibrated_on"]["noise"]
    assert script.card_validation_noise(info) == "other-lead"
    assert info["training"]["xla"] == {"jit_compile": False, "reason": "given"}
    assert info["model"]["n_passes"] == info["model"]["n_passes_chosen"] == 2
    for name in ("one_pass", "all_passes"):
        value = info["training"][f"val_snr_improvement_{name}"]
        assert isinstance(value, float) and math.isfinite(value)
    assert info["training"]["hard_first_curriculum"] == {
        "start_db": 12.0,
        "ramp_share_of_budget": 0.5,
        "by": "the step of each batch",
    }

    from skdenoise.persistence import load

    model = load(out)
    assert model.estimator_.estimator_.n_passes_ == 2
    # The step curriculum scheduled the script's noise; the file's network
    # adds none (a fine-tuning partial_fit on pairs would refuse one).
    assert model.estimator_.estimator_.noise_curriculum is None
    assert model.estimator_.estimator_.noise is None
    # XLA is the training machine's choice; the file leaves it to Keras.
    assert model.estimator_.estimator_.jit_compile == "auto"
    x = np.random.default_rng(0).standard_normal((2, 720))
    before = x.copy()
    denoised = model.transform(x)
    assert denoised.shape == x.shape and np.all(np.isfinite(denoised))
    np.testing.assert_array_equal(x, before)
    # The uncertainty is calibrated at the end of fit, on the validation records.
    assert info["model"]["uncertainty"] == info["uncertainty"]["method"] == "flips"
    assert info["uncertainty"]["calibrated_on"]["records"] == ["117", "122"]
    from skdenoise.neural._uncertainty import is_calibrated

    assert is_calibrated(model.estimator_.estimator_)
    mean, std = model.predict(x, return_std=True)
    np.testing.assert_array_equal(mean, denoised)
    assert std.shape == x.shape and np.all(np.isfinite(std)) and np.all(std > 0)

    # Recalibrated, it is calibrated on the noise its card names: other-lead.
    recalibrate = ["--data-dir", str(data), "--recalibrate", "--out", str(out)]
    assert script.main(recalibrate) == 0
    again = json.loads(out.with_suffix(".json").read_text())
    assert again["noise"] == info["noise"]
    assert again["uncertainty"]["calibrated_on"] == info["uncertainty"]["calibrated_on"]


@pytest.mark.data
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_recalibrate_rewrites_the_uncertainty_and_keeps_the_network(
    physionet_dir, tmp_path, capsys
):
    from skdenoise.persistence import load
    from skdenoise.pretrained import _models

    script = _load_script()
    shipped = _models.MODELS["ecg"].path
    out = tmp_path / "ecg_unet.skdenoise"
    out.write_bytes(shipped.read_bytes())
    card = json.loads(shipped.with_suffix(".json").read_text())
    # A file calibrated otherwise (no uncertainty at all) is calibrated anew.
    first = load(out)
    network = first.estimator_.estimator_
    for name in ("uncertainty_", "std_weights_", "std_noise_levels_", "std_levels_"):
        vars(network).pop(name, None)
    network.set_params(uncertainty=None)
    from skdenoise.persistence import save

    save(first, out)
    card["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_suffix(".json").write_text(json.dumps(card))

    args = ["--data-dir", str(physionet_dir), "--recalibrate", "--out", str(out)]
    assert script.main(args) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert info["sha256"] == digest and f"SHA-256 {digest}" in capsys.readouterr().out
    assert info["size_bytes"] == out.stat().st_size
    assert info["uncertainty"]["method"] == info["model"]["uncertainty"] == "flips"
    assert info["uncertainty"]["calibrated_on"]["n_windows"] > 1000
    assert "--recalibrate" in info["uncertainty"]["command"]
    # What it was trained on is kept, and calibrated on the noise it names.
    assert info["training"] == card["training"] and info["data"] == card["data"]
    assert info["noise"] == card["noise"]
    assert (
        info["uncertainty"]["calibrated_on"]["noise"]
        == card["uncertainty"]["calibrated_on"]["noise"]
    )
    # The optimizer's state stays out of the file (about 2 MB, as shipped).
    assert info["size_bytes"] < 1.2 * shipped.stat().st_size

    again = load(out)
    x = np.random.default_rng(1).standard_normal((2, 720))
    np.testing.assert_array_equal(again.transform(x), load(shipped).transform(x))
    inner = again.estimator_.estimator_
    assert inner.uncertainty_ == "flips"
    # The unfitted templates say so too (get_params of the whole estimator).
    assert again.get_params()["estimator__estimator__uncertainty"] == "flips"
    mean, std = again.predict(x, return_std=True)
    assert np.all(std > 0) and np.all(np.isfinite(std))
    # The shipped file's calibration is this one (same records, same noise).
    # To 5 % in the factors: the network computes in bfloat16, whose kernels
    # differ from one CPU to another (one machine moved them by 0.7 %, an AMD
    # EPYC by 3 %), and the factors are quantiles of its outputs.
    np.testing.assert_allclose(
        inner.std_log_factors_,
        load(shipped).estimator_.estimator_.std_log_factors_,
        rtol=0,
        atol=0.05,
    )

    # Another validation noise than the card's is refused.
    other = {"training": "other-lead", "other-lead": "training"}[
        script.card_validation_noise(card)
    ]
    with pytest.raises(SystemExit, match="would calibrate it on other noise"):
        script.main([*args, "--validation-noise", other])

    # A card that does not describe the file is refused.
    out.write_bytes(shipped.read_bytes())
    with pytest.raises(SystemExit, match="does not describe"):
        script.main(args)


def test_train_pretrained_curriculum_options():
    script = _load_script()
    # --out is required: its default was the shipped file, which a smoke run
    # replaced (and whose SHA-256 every load checks).
    with pytest.raises(SystemExit):
        script.parse_args(["--data-dir", "data"])
    base = ["--data-dir", "data", "--out", "model.skdenoise"]
    assert script.parse_args(base).hard_first == (12.0, 0.5)
    assert script.parse_args(base).jit_compile == "auto"
    assert script.parse_args([*base, "--jit-compile", "on"]).jit_compile == "on"
    with pytest.raises(SystemExit):
        script.parse_args([*base, "--jit-compile", "yes"])
    assert script.parse_args([*base, "--hard-first", "6", "0.75"]).hard_first == [
        6.0,
        0.75,
    ]
    assert script.parse_args([*base, "--no-hard-first"]).hard_first is None
    # The passes are chosen on the validation records, as the benchmark's.
    assert script.parse_args(base).passes == "auto"
    assert script.parse_args([*base, "--passes", "1"]).passes == 1
    assert script.parse_args(base).budget_steps is None
    assert script.parse_args([*base, "--budget-steps", "500"]).budget_steps == 500
    for bad in ("0", "-3"):
        with pytest.raises(SystemExit):
            script.parse_args([*base, "--budget-steps", bad])
    # None: other-lead when training, the card's noise when recalibrating.
    assert script.parse_args(base).validation_noise is None
    assert (
        script.parse_args([*base, "--validation-noise", "training"]).validation_noise
        == "training"
    )
    with pytest.raises(SystemExit):
        script.parse_args([*base, "--validation-noise", "test"])


def test_recalibration_uses_the_noise_the_card_names():
    script = _load_script()
    # Cards written before they named it were validated on the training noise.
    assert script.card_validation_noise({"noise": {"channel": 0}}) == "training"
    assert script.card_validation_noise({}) == "training"
    card = {"noise": {"validation": {"source": "other-lead"}}}
    assert script.card_validation_noise(card) == "other-lead"
    assert set(script.VALIDATION_NOISE_TEXT) == set(script.protocol.VALIDATION_NOISE)


@pytest.mark.parametrize(
    "options, message",
    [
        (["--n-windows", "0"], "--n-windows must be a positive number"),
        (["--rates", "360", "0"], "--rates must be positive sampling rates"),
        (["--real-records", "118e07"], "record 118e07: .*118e07.hea not found"),
    ],
)
def test_evaluate_pretrained_checks_its_arguments(
    physionet_dir, options, message, capsys
):
    spec = importlib.util.spec_from_file_location(
        "benchmark_evaluate_pretrained", SCRIPT.with_name("evaluate_pretrained.py")
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with pytest.raises(SystemExit):
        script.parse_args(["--data-dir", str(physionet_dir), *options])
    assert re.search(message, capsys.readouterr().err)
    with pytest.raises(SystemExit):
        script.parse_args(["--data-dir", str(physionet_dir / "missing")])
    assert "missing has no folder mitdb/" in capsys.readouterr().err


@pytest.mark.data
def test_evaluate_pretrained_says_the_precision_it_ran_in(physionet_dir):
    # Since float32 became load's default, the results' precision was said
    # only in notes added by hand to the committed READMEs.
    spec = importlib.util.spec_from_file_location(
        "benchmark_evaluate_pretrained", SCRIPT.with_name("evaluate_pretrained.py")
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for options, said in (([], "'float32'"), (["--precision", "trained"], "'trained'")):
        args = script.parse_args(["--data-dir", str(physionet_dir), *options])
        args.rates, args.argv = [], []
        assert f"loaded with precision={said}" in script.markdown([], [], [], args)


@pytest.mark.data
def test_precision_script_times_both_and_gives_their_difference(
    physionet_dir, tmp_path
):
    path = (
        Path(__file__).resolve().parents[1] / "benchmarks" / "pretrained_precision.py"
    )
    spec = importlib.util.spec_from_file_location("benchmark_precision", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "precision"
    argv = ["--data-dir", str(physionet_dir), "--out", str(out)]
    script.main([*argv, "--minutes", "0.1", "--repeats", "1"])
    text = (out / "README.md").read_text()
    assert "| float32 |" in text and "| mixed_bfloat16 |" in text
    # The command as run (it named ../shared/data/physionet whatever was given).
    assert f"pretrained_precision.py --data-dir {physionet_dir} --out {out}" in text
    differences = [float(v) for v in re.findall(r"lead \d: ([0-9.]+) uV", text)]
    # Two leads, apart by the 16-bit rounding only (MITDB's ADC step: 5 uV).
    assert len(differences) == 2 and all(0 < d < 5 for d in differences)
    with pytest.raises(SystemExit):
        script.main([*argv, "--minutes", "0"])
