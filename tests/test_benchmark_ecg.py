"""Smoke test of the ECG benchmark script (benchmarks/ecg.py) in quick mode."""

import csv
import importlib.util
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
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


def _protocol():
    _load_script()  # puts benchmarks/ on sys.path
    return sys.modules["_ecg_protocol"]


def _training():
    # Not importorskip: a module of the benchmarks that is missing is an error.
    _load_script()
    return importlib.import_module("_ecg_training")


# --------------------------------------------------------------------------- #
# QRS scoring
# --------------------------------------------------------------------------- #


def test_qrs_matching_exact_and_within_tolerance():
    protocol = _protocol()
    scores = protocol.qrs_scores([100, 500, 900], [100, 505, 895], tolerance=54)
    assert (scores["tp"], scores["fn"], scores["fp"]) == (3, 0, 0)
    assert scores["sensitivity"] == scores["ppv"] == 1.0
    # The tolerance is inclusive.
    assert protocol.qrs_scores([100], [154], tolerance=54)["tp"] == 1


def test_qrs_matching_outside_tolerance():
    protocol = _protocol()
    scores = protocol.qrs_scores([100, 500, 900], [100, 560, 2000], tolerance=54)
    assert (scores["tp"], scores["fn"], scores["fp"]) == (1, 2, 2)
    assert scores["sensitivity"] == pytest.approx(1 / 3)
    assert scores["ppv"] == pytest.approx(1 / 3)


def test_qrs_matching_is_one_to_one():
    protocol = _protocol()
    # Two detections of one beat: one true, one false positive.
    scores = protocol.qrs_scores([100], [98, 103], tolerance=54)
    assert (scores["tp"], scores["fn"], scores["fp"]) == (1, 0, 1)
    # One detection between two beats matches only one of them.
    scores = protocol.qrs_scores([100, 140], [120], tolerance=54)
    assert (scores["tp"], scores["fn"], scores["fp"]) == (1, 1, 0)
    # A duplicated reference beat is a beat missed by a single detection.
    scores = protocol.qrs_scores([300, 300], [300], tolerance=54)
    assert (scores["tp"], scores["fn"], scores["fp"]) == (1, 1, 0)
    # Closest pairs first: 110-112 and 100-105, not 100-112 with 110 left over.
    ref, det = protocol.match_beats([110, 100], [112, 105], tolerance=15)
    assert sorted(zip(ref.tolist(), det.tolist(), strict=True)) == [(0, 0), (1, 1)]


def test_qrs_scores_inside_ranges():
    protocol = _protocol()
    reference, detected = [100, 500, 900, 1300], [102, 700, 905, 1200]
    scores = protocol.qrs_scores(reference, detected, 54, ranges=[(400, 1000)])
    # Inside: beats 500 (missed) and 900 (found), detections 700 (false) and 905.
    assert (scores["tp"], scores["fn"], scores["fp"]) == (1, 1, 1)
    # A detection inside matched to a beat just outside is not a false positive.
    scores = protocol.qrs_scores([390], [410], 54, ranges=[(400, 1000)])
    assert (scores["tp"], scores["fn"], scores["fp"]) == (0, 0, 0)


def test_qrs_scores_empty_lists():
    protocol = _protocol()
    scores = protocol.qrs_scores([], [], tolerance=54)
    assert scores["tp"] == scores["fn"] == scores["fp"] == 0
    assert math.isnan(scores["sensitivity"]) and math.isnan(scores["ppv"])
    assert protocol.qrs_scores([100], [], tolerance=54)["sensitivity"] == 0.0


def test_qrs_f1_and_its_table():
    script = _load_script()
    row = {
        "record": "118e00",
        "model": "net",
        "noisy_sensitivity": 0.9,
        "noisy_ppv": 0.6,
        "denoised_sensitivity": "0.8",
        "denoised_ppv": "0.8",
        "clean_sensitivity": 1.0,
        "clean_ppv": 1.0,
    }
    # 2 TP / (2 TP + FP + FN) with TP 9, FN 1, FP 6.
    assert script.qrs_f1(row, "noisy") == pytest.approx(18 / 25)
    assert script.qrs_f1(row, "denoised") == pytest.approx(0.8)
    assert script.qrs_f1({"x_sensitivity": 0, "x_ppv": 0}, "x") == 0.0
    table = script.qrs_f1_pivot([row], ["net"], {"net": "Net"})
    lines = table.splitlines()
    assert "118e00" in lines[0]
    assert lines[2].startswith("| noisy record (input) | 72.00 |")
    assert lines[4] == "| Net | 80.00 |"
    assert script.qrs_f1_pivot([], ["net"], {"net": "Net"}) is None


def test_real_record_tables_of_runs_with_other_records():
    # ecg_summary.py joins runs whose real records may differ: a model without
    # a record gets "-" there, whichever record it lacks.
    script = _load_script()
    labels = {"a": "A", "b": "B", "c": "C"}
    real, qrs = [], []
    for model, record in (("a", "r1"), ("a", "r2"), ("b", "r2"), ("c", "r1")):
        real.append(
            {
                "model": model,
                "record": record,
                "snr_in_mean": 1.0 if record == "r1" else 2.0,
                "snr_improvement_mean": 3.0,
            }
        )
        qrs.append(
            {
                "model": model,
                "record": record,
                **{
                    f"{c}_{m}": 0.5
                    for c in ("noisy", "denoised", "clean")
                    for m in ("sensitivity", "ppv")
                },
            }
        )
    lines = script.real_pivot(real, list(labels), labels).splitlines()
    assert lines[0] == "| model | r1 | r2 |"
    assert lines[2:] == [
        "| input SNR (dB) | +1.0 | +2.0 |",
        "| A | +3.00 | +3.00 |",
        "| B | - | +3.00 |",
        "| C | +3.00 | - |",
    ]
    for table, value in (
        (script.qrs_pivot(qrs, list(labels), labels), "50.00 / 50.00"),
        (script.qrs_f1_pivot(qrs, list(labels), labels), "50.00"),
    ):
        assert table.splitlines()[4:] == [
            f"| A | {value} | {value} |",
            f"| B | - | {value} |",
            f"| C | {value} | - |",
        ]


def test_denoise_record_overlap_add():
    protocol = _protocol()

    class Scale:
        def transform(self, X):
            assert X.shape[1] == protocol.WINDOW
            return 0.5 * X

    x = np.random.default_rng(0).standard_normal(3 * protocol.WINDOW + 100)
    identity = type("Identity", (), {"transform": lambda self, X: X})()
    np.testing.assert_allclose(protocol.denoise_record(identity, x), x, atol=1e-12)
    # Each window's mean is removed before the model and added back after:
    # an offset passes through the halving model untouched, and the rest is
    # halved (a window's mean of white noise is small).
    out = protocol.denoise_record(Scale(), x)
    assert out.shape == x.shape and np.all(np.isfinite(out))
    np.testing.assert_allclose(protocol.denoise_record(Scale(), x + 5.0), out + 5.0)
    np.testing.assert_allclose(protocol.denoise_record(Scale(), 0 * x + 3.0), 3.0)
    assert 0.45 < np.std(out) / np.std(x) < 0.55
    with pytest.raises(ValueError, match="shorter than a window"):
        protocol.denoise_record(identity, x[:100])


# --------------------------------------------------------------------------- #
# Clean condition and validation records
# --------------------------------------------------------------------------- #


def test_clean_window_stats_identity_is_infinite():
    protocol = _protocol()
    ecg = _load_script()
    clean = np.random.default_rng(0).standard_normal((6, 16))
    record_of = np.array(["a"] * 4 + ["b"] * 2)
    stats = protocol.clean_window_stats(clean, clean.copy(), record_of)
    assert [s["record"] for s in stats] == ["a", "b", "all"]
    assert all(math.isinf(s["snr_out_mean"]) for s in stats)
    assert all(math.isinf(s["snr_out_p5"]) for s in stats)
    assert ecg.fmt_db(stats[-1]["snr_out_mean"]) == "inf"
    # One window changed: the median and 5th percentile stay defined.
    estimate = clean.copy()
    estimate[0] *= 0.9
    stats = protocol.clean_window_stats(clean, estimate, record_of)
    assert stats[0]["snr_out_p5"] == pytest.approx(20.0)
    assert math.isinf(stats[0]["snr_out_median"])


def test_default_records_follow_the_protocol():
    ecg = _load_script()
    args = ecg.parse_args(["--data-dir", "d", "--out", "o"])
    assert args.val_records == ["117", "122"]
    assert len(args.train_records) == 18
    assert not set(args.val_records) & set(args.train_records)
    assert args.test_records == ["118", "119", "121"]
    args = ecg.parse_args(["--data-dir", "d", "--out", "o", "--val-records"])
    assert args.val_records == [] and len(args.train_records) == 20


def test_validation_noise_is_the_other_lead_by_default(physionet_dir, capsys):
    ecg = _load_script()
    protocol = _protocol()
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).validation_noise == "other-lead"
    assert (
        ecg.parse_args([*base, "--validation-noise", "training"]).validation_noise
        == "training"
    )
    # The held-out noise is the training noise's own samples.
    held = [*base, "--held-out-noise", "275000"]
    assert ecg.parse_args(held).validation_noise == "training"
    with pytest.raises(SystemExit):
        ecg.parse_args([*held, "--validation-noise", "other-lead"])
    assert "does not go with --validation-noise other-lead" in capsys.readouterr().err
    # Channel 1 over the training segment's samples: none of the test noise's.
    other = protocol.validation_noise(physionet_dir, (0.0, 0.0))
    lead_1 = protocol.noise_recordings(physionet_dir, 1)
    for component, name in zip(other.components[:3], ("bw", "em", "ma"), strict=True):
        assert component.noise is lead_1[name]
        assert component.segment == (0, 325_000)
    assert other.components[3].components[0].noise is lead_1["bw"]
    training = protocol.validation_noise(physionet_dir, (0.0, 0.0), "training")
    lead_0 = protocol.noise_recordings(physionet_dir, 0)
    assert training.components[1].noise is lead_0["em"]
    X = np.ones((6, 512))
    assert not np.allclose(other.apply(X, 0), training.apply(X, 0))
    with pytest.raises(ValueError, match="validation noise must be one of"):
        protocol.validation_noise(physionet_dir, (0.0, 0.0), "test")
    with pytest.raises(ValueError, match="outside the protocol's other-lead noise"):
        protocol.validation_noise(physionet_dir, (0.0, 0.0), segment=(0, 400_000))


def test_held_out_noise_splits_the_training_segment(capsys):
    ecg = _load_script()
    protocol = _protocol()
    assert protocol.noise_segments(None) == ((0, 325_000), (0, 325_000))
    assert protocol.noise_segments(275_000) == ((0, 275_000), (275_000, 325_000))
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).held_out_noise is None
    assert ecg.parse_args([*base, "--held-out-noise", "275000"]).held_out_noise == (
        275_000
    )
    for bad in ("400000", "0", "324900", "100"):  # the last two: under a window
        with pytest.raises(SystemExit):
            ecg.parse_args([*base, "--held-out-noise", bad])
        err = capsys.readouterr().err
        assert "--held-out-noise: held-out noise must start inside" in err
    with pytest.raises(SystemExit):
        ecg.parse_args([*base, "--held-out-noise", "275000", "--val-records"])
    assert "needs validation records" in capsys.readouterr().err


def test_hard_first_curriculum_is_the_default_and_can_be_switched_off():
    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).hard_first == (12.0, 0.5)
    assert ecg.parse_args([*base, "--hard-first", "6", "0.75"]).hard_first == [6, 0.75]
    assert ecg.parse_args([*base, "--no-hard-first"]).hard_first is None


def test_step_budget_trains_a_fixed_number_of_steps_on_its_schedule():
    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).budget_steps is None
    assert ecg.parse_args([*base, "--budget-steps", "20000"]).budget_steps == 20000
    with pytest.raises(SystemExit):
        ecg.parse_args([*base, "--budget-steps", "0"])

    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    training = _training()
    noise = WhiteNoise(snr=(-6, 30))
    # A wall time of one hour, but 7 steps: the steps decide.
    budget = training.TimeBudget(3600, "U-Net", 1e-3, lambda line: None, max_steps=7)
    curriculum = training.NoiseCurriculum(noise, budget, 12, 0.5, bound="high")
    rates, caps = [], []

    class Record(training.keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            rates.append(float(self.model.optimizer.learning_rate.numpy()))
            caps.append(noise.snr[1])

    rng = np.random.default_rng(0)
    clean = np.sin(np.linspace(0, 10, 64) + rng.uniform(0, 6, (40, 1)))
    params = {**TINY_UNET, "epochs": 100, "validation_split": 0.0}
    model = UNetDenoiser(
        **params, noise=noise, callbacks=[budget, curriculum, Record()]
    )
    model.fit(clean)
    assert budget.steps == 7 and budget.describe() == "7 steps"
    # The cosine of the share of steps done: the peak at the first step, then
    # down to 5 % of it at the end.
    expected = [
        1e-3 * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * k / 7))) for k in range(7)
    ]
    np.testing.assert_allclose(rates, expected, rtol=1e-5)
    # The cap rises from 12 dB to 30 dB over the first half of the steps.
    np.testing.assert_allclose(caps[:4], [12 + 18 * k / 3.5 for k in range(4)])
    assert caps[4:] == [30.0] * 3 and noise.snr == (-6, 30)


def test_a_step_budget_draws_the_curriculum_from_each_batch_step():
    # The callback changed the noise while the batches were drawn ahead of the
    # steps: the level a batch got depended on timing, and two runs with the
    # same seed trained different networks.
    from skdenoise.neural._batches import HardFirstCurriculum
    from skdenoise.noise import WhiteNoise

    training = _training()
    noise = WhiteNoise(snr=(-6.0, 30.0))
    curriculum = (12.0, 0.5, "high")
    stepped = training.step_curriculum(curriculum, noise, 8569, 22842, 64, True)
    assert stepped["epochs"] == 25  # 357 batches an epoch
    # The denoiser's own schedule over its epochs: the callback's over the steps.
    schedule = HardFirstCurriculum(
        noise, stepped["noise_curriculum"][0], stepped["noise_curriculum"][1] * 25 * 357
    )
    for step in (0, 1000, 4284, 5000, 8568):
        cap = 12 + 18 * min(step / 8569 / 0.5, 1.0)
        assert schedule.snr_at(step) == pytest.approx((-6.0, cap), abs=0.01)
    # Where it cannot be done, or does nothing, the callback stays.
    for args in (
        (None, noise, 8569, 22842, 64, True),  # no curriculum
        (curriculum, noise, None, 22842, 64, True),  # a wall-time budget
        (curriculum, noise, 8569, None, 64, True),  # a split of unknown size
        ((12.0, 0.5, "low"), noise, 8569, 22842, 64, True),
        ((30.0, 0.5, "high"), noise, 8569, 22842, 64, True),  # starts at the top
        (curriculum, noise, 8569, 22842, 64, False),  # no noise_curriculum
    ):
        assert training.step_curriculum(*args) is None

    def build(key="unet"):
        return training.make_learned(
            key,
            noise=WhiteNoise(snr=(-6.0, 30.0)),
            budget_s=3600,
            learning_rate=1e-3,
            loss="mse",
            augment=None,
            batch_size=8,
            seed=0,
            quick=True,
            overrides={"filters": 4, "depth": 2},
            log=lambda line: None,
            curriculum=curriculum,
            max_steps=7,
            n_train=40,
        )

    model, budget = build()
    # 5 batches an epoch, 2 epochs: the ramp over 3.5 of their 10 steps.
    assert model.noise_curriculum == (12.0, pytest.approx(0.35)) and model.epochs == 2
    assert not any(isinstance(c, training.NoiseCurriculum) for c in model.callbacks)
    clean = np.sin(np.linspace(0, 10, 64) + np.arange(40)[:, None] / 7)
    val = (clean[:8] + 0.1, clean[:8])
    model.fit(clean, validation_data=val)
    again, _ = build()
    again.fit(clean, validation_data=val)
    assert budget.steps == 7
    weights = zip(model.model_.get_weights(), again.model_.get_weights(), strict=True)
    for a, b in weights:
        np.testing.assert_array_equal(a, b)


def test_a_model_with_the_curriculum_is_not_cloned_without_it():
    from sklearn.base import clone

    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    training = _training()
    noise = WhiteNoise(snr=(-6, 30))
    budget = training.TimeBudget(3600, "U-Net", 1e-3, lambda line: None, max_steps=7)
    curriculum = training.NoiseCurriculum(noise, budget, 12, 0.5, bound="high")
    model = UNetDenoiser(**TINY_UNET, noise=noise, callbacks=[budget, curriculum])
    # The clone's curriculum drove the first model's noise on its budget: an
    # ensemble's other members trained without it.
    with pytest.raises(TypeError, match="would train without the curriculum"):
        clone(model)


def test_a_failed_fit_leaves_the_shared_training_noise_as_it_was(monkeypatch):
    from skdenoise.noise import WhiteNoise

    ecg = _load_script()
    training = _training()
    noise = WhiteNoise(snr=(-6.0, 30.0))

    def make_learned(key, *, budget_s, **kwargs):
        return object(), training.TimeBudget(budget_s, key, 1e-3, lambda line: None)

    def fit_learned(model, X_train, validation_data, log):
        noise.snr = (-6.0, 12.0)  # the curriculum's cap, midway through a fit
        raise RuntimeError("the fit failed")

    monkeypatch.setattr(training, "make_learned", make_learned)
    monkeypatch.setattr(training, "fit_learned", fit_learned)
    # (No XLA measurement: the stand-in model cannot train.)
    args = ecg.parse_args(
        ["--data-dir", "d", "--out", "o", "--models", "unet", "--jit-compile", "off"]
    )
    context = {"training_noise": noise, "validation": None, "train": np.zeros((4, 8))}
    with pytest.raises(RuntimeError, match="the fit failed"):
        ecg.build_model("unet", args, context, lambda line: None)
    # The next model trains on the whole range again.
    assert noise.snr == (-6.0, 30.0)


def test_passes_option_reaches_every_learned_model(capsys):
    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).passes == "auto"
    assert ecg.recipe(ecg.parse_args(base))["n_passes"] == "auto"
    args = ecg.parse_args([*base, "--passes", "1"])
    assert ecg.recipe(args)["n_passes"] == 1
    assert ecg.parse_args([*base, "--passes", "3"]).passes == 3
    for bad in ("0", "-2", "two", "1.5"):
        with pytest.raises(SystemExit):
            ecg.parse_args([*base, "--passes", bad])
        assert "positive int or 'auto'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--train-records", "100", "117", "--val-records", "117"],
            "also in the training",
        ),
        (["--train-records", "100", "--val-records", "119"], "also in the test"),
        (["--train-records", "100", "119"], "also in the training"),
        (["--train-records", "100", "100"], "listed twice"),
        (["--train-records", "118", "--real-records", "118e06"], "noisy versions"),
    ],
)
def test_record_lists_must_be_disjoint(extra, message, tmp_path):
    ecg = _load_script()
    argv = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    argv += ["--test-records", "119", "--models", "unet", *extra]
    with pytest.raises(SystemExit, match=message):
        ecg.main(argv)


def test_a_refused_run_leaves_its_output_folder_as_it_was(tmp_path):
    # The log of the run already there was emptied before the record checks.
    ecg = _load_script()
    out = tmp_path / "earlier"
    out.mkdir()
    (out / "progress.log").write_text("the earlier run's log\n")
    argv = ["--data-dir", str(tmp_path), "--out", str(out), "--models", "unet"]
    with pytest.raises(SystemExit, match="listed twice"):
        ecg.main([*argv, "--test-records", "119", "--train-records", "100", "100"])
    assert (out / "progress.log").read_text() == "the earlier run's log\n"
    with pytest.raises(SystemExit):
        ecg.main(
            [*argv, "--out", str(tmp_path / "new"), "--test-records", "119", "119"]
        )
    assert not (tmp_path / "new").exists()


def test_missing_record_file_is_named(tmp_path):
    protocol = _protocol()
    (tmp_path / "mitdb").mkdir()
    (tmp_path / "mitdb" / "100.hea").write_text("")
    with pytest.raises(FileNotFoundError, match=r"100\.dat"):
        protocol.check_record_lists(["100"], [], ["119"], tmp_path)
    with pytest.raises(FileNotFoundError, match=r"201\.hea"):
        protocol.check_record_lists(["201"], [], [], tmp_path)
    # Without training, only the test records must exist.
    with pytest.raises(FileNotFoundError, match=r"119\.hea"):
        protocol.check_record_lists(["999"], ["998"], ["119"], tmp_path, training=False)


def test_default_record_lists_leave_out_the_test_records(tmp_path):
    ecg = _load_script()
    protocol = _protocol()
    base = ["--data-dir", "d", "--out", "o"]
    args = ecg.parse_args([*base, "--test-records", "100", "117"])
    assert args.val_records == ["122"]
    assert len(args.train_records) == 17
    assert not {"100", "117", "122"} & set(args.train_records)
    lists = (args.train_records, args.val_records, args.test_records)
    protocol.check_record_lists(*lists, data_dir=None)
    # A classical run on another test record gets past the record checks (to
    # the missing files of this empty folder).
    argv = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit, match=r"has no folder mitdb/: --data-dir is"):
        ecg.main([*argv, "--test-records", "100", "--models", "bandpass"])
    (tmp_path / "mitdb").mkdir()
    with pytest.raises(SystemExit, match=r"100\.hea not found"):
        ecg.main([*argv, "--test-records", "100", "--models", "bandpass"])
    # Lists given explicitly are kept as they are, and checked.
    args = ecg.parse_args([*base, "--test-records", "100", "--val-records", "117"])
    assert args.val_records == ["117"] and len(args.train_records) == 18
    assert "122" in args.train_records and "100" not in args.train_records
    args = ecg.parse_args([*base, "--test-records", "117", "--val-records"])
    assert args.val_records == [] and len(args.train_records) == 19


def test_an_unusable_training_record_leaves_the_earlier_run(physionet_dir, tmp_path):
    # A truncated training record (an interrupted download) was read only
    # after the earlier run's files were cleared, and ended in a traceback.
    ecg = _load_script()
    data = tmp_path / "data"
    (data / "mitdb").mkdir(parents=True)
    (data / "nstdb").symlink_to(Path(physionet_dir) / "nstdb")
    for ext in ("hea", "dat", "atr"):
        (data / "mitdb" / f"100.{ext}").symlink_to(
            Path(physionet_dir) / "mitdb" / f"100.{ext}"
        )
    header = (Path(physionet_dir) / "mitdb" / "100.hea").read_text()
    (data / "mitdb" / "209.hea").write_text(header.replace("100", "209"))
    (data / "mitdb" / "209.dat").write_bytes(b"\0" * 1000)
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("an earlier run\n")
    argv = ["--data-dir", str(data), "--out", str(out), "--test-records", "100"]
    argv += ["--train-records", "209", "--val-records", "--models", "identity"]
    argv += ["unet", "--budget-steps", "1", "--test-windows", "5", "--real-records"]
    with pytest.raises(SystemExit, match=r"ecg.py: error: .*209\.dat is truncated"):
        ecg.main([*argv, "--no-qrs", "--no-figure"])
    assert (out / "results.csv").read_text() == "an earlier run\n"


def test_missing_noise_recording_is_named(tmp_path):
    ecg = _load_script()
    (tmp_path / "mitdb").mkdir()
    for ext in ("hea", "dat"):
        (tmp_path / "mitdb" / f"119.{ext}").write_text("")
    argv = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    argv += ["--test-records", "119", "--models", "bandpass", "--real-records"]
    with pytest.raises(SystemExit, match=r"has no folder nstdb/"):
        ecg.main(argv)
    (tmp_path / "nstdb").mkdir()
    with pytest.raises(SystemExit, match=r"record bw: .*nstdb.bw\.hea not found"):
        ecg.main(argv)
    for name in ("bw", "em"):
        for ext in ("hea", "dat"):
            (tmp_path / "nstdb" / f"{name}.{ext}").write_text("")
    with pytest.raises(SystemExit, match=r"record ma: .*nstdb.ma\.hea not found"):
        ecg.main(argv)


@pytest.mark.slow
def test_training_augmentation_adds_the_drift_last_or_not_at_all():
    from skdenoise.augment import AugmentationChain, RandomDrift, RandomFlip

    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    chain = ecg.training_augmentation(ecg.parse_args(base))
    assert isinstance(chain, AugmentationChain)
    assert isinstance(chain.steps[0], RandomFlip)
    drift = chain.steps[-1]
    assert isinstance(drift, RandomDrift)
    assert drift.amplitude == (0.0, 0.5) and drift.frequency == (0.3, 1.0)
    assert drift.sampling_rate == 360.0
    off = ecg.training_augmentation(ecg.parse_args([*base, "--drift", "0"]))
    assert not any(isinstance(s, RandomDrift) for s in off.steps)
    alone = ecg.training_augmentation(
        ecg.parse_args([*base, "--augment", "--drift", "0.2"])
    )
    assert [type(s) for s in alone.steps] == [RandomDrift]
    assert alone.steps[0].amplitude == (0.0, 0.2)


def test_every_loss_the_script_offers_is_one_the_denoisers_take():
    # --loss offers the losses the script can describe; each must be one fit
    # accepts, and each of the package's is offered.
    from skdenoise.neural._base import _LOSSES

    assert set(_load_script().LOSS_TEXT) == set(_LOSSES)


@pytest.mark.slow
def test_warp_range_option_sets_the_warp_and_the_readme_words():
    from skdenoise.augment import RandomTimeWarp

    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    default = ecg.parse_args(base)
    warp = ecg.training_augmentation(default).steps
    assert [s.factor for s in warp if isinstance(s, RandomTimeWarp)] == [(0.8, 1.25)]
    assert ecg.augmentation_text("warp", default) == ecg.AUGMENTATIONS["warp"]
    wide = ecg.parse_args([*base, "--warp-range", "0.7", "1.43"])
    steps = ecg.training_augmentation(wide).steps
    assert [s.factor for s in steps if isinstance(s, RandomTimeWarp)] == [(0.7, 1.43)]
    assert "[0.7, 1.43]" in ecg.augmentation_text("warp", wide)
    for bad in (["0", "1"], ["1.2", "0.9"], ["-1", "1"]):
        with pytest.raises(SystemExit):
            ecg.parse_args([*base, "--warp-range", *bad])


def test_training_noise_augmentation_and_segment(physionet_dir):
    protocol = _protocol()
    plain = protocol.training_noise(physionet_dir, (-6.0, 30.0))
    flipped = protocol.training_noise(
        physionet_dir,
        (-6.0, 30.0),
        flip=True,
        time_scale=(0.8, 1.25),
        spectral_gain=12.0,
    )
    for a, b in zip(plain.components, flipped.components, strict=True):
        recorded = b.components if hasattr(b, "components") else [b]
        for noise in recorded:
            assert noise.flip is True and noise.time_scale == (0.8, 1.25)
            assert noise.spectral_gain == 12.0
            assert noise.segment == protocol.TRAIN_NOISE["segment"]
        assert not any(
            n.flip or n.spectral_gain
            for n in (a.components if hasattr(a, "components") else [a])
        )
    # Same draws without augmentation, different with it.
    X = np.ones((8, 512))
    np.testing.assert_array_equal(
        plain.apply(X, random_state=0),
        protocol.training_noise(physionet_dir, (-6.0, 30.0)).apply(X, random_state=0),
    )
    assert not np.allclose(plain.apply(X, 0), flipped.apply(X, 0))
    held = protocol.training_noise(physionet_dir, (0.0, 0.0), segment=(0, 275_000))
    assert held.components[0].segment == (0, 275_000)
    with pytest.raises(ValueError, match="outside the protocol's training segment"):
        protocol.training_noise(physionet_dir, (0.0, 0.0), segment=(300_000, 400_000))


def test_training_leads_add_the_second_channel(physionet_dir, capsys):
    ecg = _load_script()
    protocol = _protocol()
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).train_leads == [0]
    assert ecg.parse_args([*base, "--train-leads", "0", "1"]).train_leads == [0, 1]
    with pytest.raises(SystemExit):
        ecg.parse_args([*base, "--train-leads", "2"])
    assert "--train-leads" in capsys.readouterr().err
    lead0 = protocol.training_windows(["100"], physionet_dir)
    both = protocol.training_windows(["100"], physionet_dir, channels=(0, 1))
    assert both.shape == (2 * len(lead0), protocol.WINDOW)
    # Channel 0's windows come first and unchanged; channel 1's are another lead.
    np.testing.assert_array_equal(both[: len(lead0)], lead0)
    lead1 = both[len(lead0) :]
    np.testing.assert_allclose(lead1.mean(axis=1), 0.0, atol=1e-9)
    assert not np.allclose(lead1, lead0)
    np.testing.assert_array_equal(
        lead1, protocol.clean_windows("100", physionet_dir, channel=1)
    )


def test_noise_weights_choose_the_training_noise_types(physionet_dir, capsys):
    ecg = _load_script()
    protocol = _protocol()
    base = ["--data-dir", "d", "--out", "o"]
    assert ecg.parse_args(base).noise_weights is None
    args = ecg.parse_args([*base, "--noise-weights", "1", "2", "1", "0"])
    assert args.noise_weights == [0.25, 0.5, 0.25, 0.0]
    for bad in (["1", "-1", "1", "1"], ["0", "0", "0", "0"], ["1", "nan", "1", "1"]):
        with pytest.raises(SystemExit):
            ecg.parse_args([*base, "--noise-weights", *bad])
        assert "--noise-weights: noise weights must be 4" in capsys.readouterr().err
    with pytest.raises(ValueError, match="noise weights must be 4"):
        protocol.training_noise(physionet_dir, (0.0, 0.0), weights=[1.0, 1.0])
    assert protocol.training_noise(physionet_dir, (0.0, 0.0)).weights is None
    weighted = protocol.training_noise(physionet_dir, (0.0, 0.0), weights=[1, 3, 0, 0])
    np.testing.assert_allclose(weighted.weights, [0.25, 0.75, 0.0, 0.0])

    # Each series takes one component, drawn with the weights.
    def chosen(weights):
        noise = protocol.RandomNoiseType(list("abcd"), weights=weights)
        rng = np.random.default_rng(0)
        raw = noise._raw((4000, 1), rng, lambda c, rows: "abcd".index(c))
        return np.bincount(raw[:, 0].astype(int), minlength=4) / 4000

    np.testing.assert_array_equal(chosen([0, 1, 0, 0]), [0, 1, 0, 0])
    share = chosen([0.5, 0, 0, 0.5])
    assert share[1] == share[2] == 0 and abs(share[0] - 0.5) < 0.03
    assert np.all(np.abs(chosen(None) - 0.25) < 0.03)
    # Scaled to the target SNR whatever the type.
    X = np.random.default_rng(0).normal(size=(64, 512))
    noisy = weighted.apply(X, random_state=3)
    snr = 10 * np.log10(np.sum(X**2, 1) / np.sum((noisy - X) ** 2, 1))
    np.testing.assert_allclose(snr, 0.0, atol=1e-9)


def test_noise_flags_reach_the_training_noise():
    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    args = ecg.parse_args(base)
    assert args.noise_flip is False and args.noise_time_scale is None
    args = ecg.parse_args([*base, "--noise-flip", "--noise-time-scale", "0.8", "1.25"])
    assert args.noise_flip is True and tuple(args.noise_time_scale) == (0.8, 1.25)
    assert args.noise_spectral_gain is None and ecg.noise_augmentation_text(args) == (
        " (training stretches with a random sign and time direction and read at a "
        "rate drawn in [0.8, 1.25])"
    )
    args = ecg.parse_args([*base, "--noise-spectral-gain", "12"])
    assert args.noise_spectral_gain == 12.0
    assert "at most 12 dB either way" in ecg.noise_augmentation_text(args)
    assert ecg.noise_augmentation_text(ecg.parse_args(base)) == ""
    for bad in ("0", "-1", "inf"):
        with pytest.raises(SystemExit):
            ecg.parse_args([*base, "--noise-spectral-gain", bad])


def test_repeated_set_flags_all_apply():
    ecg = _load_script()
    base = ["--data-dir", "d", "--out", "o"]
    args = ecg.parse_args(
        [*base, "--set", "unet.filters=16", "unet.depth=5", "--set", "unet.loss='mse'"]
    )
    assert args.overrides == {"unet": {"filters": 16, "depth": 5, "loss": "mse"}}
    assert ecg.parse_args(base).overrides == {}


def test_a_misspelt_set_flag_is_an_error(capsys):
    ecg = _load_script()
    with pytest.raises(SystemExit):
        ecg.parse_args(["--data-dir", "d", "--out", "o", "--set", "unet.filtres=4"])
    assert "UNetDenoiser has no parameter 'filtres'" in capsys.readouterr().err


def test_fit_learned_passes_validation_data(monkeypatch):
    _load_script()
    training = _training()
    calls = []

    class WithValidation:
        def get_params(self):
            return {"validation_split": 0.0}

        def fit(self, X, y=None, validation_data=None):
            calls.append(("with", validation_data))

    class WithoutValidation:
        validation_split = 0.0

        def get_params(self):
            return {"validation_split": self.validation_split}

        def set_params(self, **params):
            self.validation_split = params["validation_split"]

        def fit(self, X, y=None):
            calls.append(("without", self.validation_split))

    val = (np.zeros((3, 8)), np.ones((3, 8)))
    notes = []
    text = training.fit_learned(WithValidation(), np.zeros((5, 8)), val, notes.append)
    assert calls[-1][0] == "with" and calls[-1][1] is val and not notes
    assert "3 windows of the validation records" in text
    training.fit_learned(WithoutValidation(), np.zeros((5, 8)), val, notes.append)
    assert calls[-1] == ("without", training.VALIDATION_SPLIT)
    assert notes and "validation_data" in notes[0]


# A U-Net small enough to fit in a second, without the gate.
TINY_UNET = {"filters": 4, "depth": 2, "kernel_size": 3, "epochs": 2}
TINY_UNET.update(batch_size=8, gate=None, random_state=0)


def _training_and_sines(seed, n_series):
    """The benchmark's training module, a generator and clean sine windows."""
    _load_script()
    training = _training()
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 10, 64)
    return training, rng, np.sin(t + rng.uniform(0, 6, (n_series, 1)))


def test_validation_scores_of_one_network_and_of_an_ensemble():
    import copy

    from skdenoise import UNetDenoiser
    from skdenoise.metrics import snr

    training, rng, clean = _training_and_sines(0, 48)
    noisy = clean + rng.normal(0, 0.3, clean.shape)
    params = TINY_UNET
    validation = (noisy[32:], clean[32:])
    single = UNetDenoiser(**params).fit(noisy[:32], clean[:32])
    assert training.validation_scores(single, None) == {}
    single_scores = training.validation_scores(single, validation)
    assert set(single_scores) == {"val_snr_improvement"}
    model = UNetDenoiser(uncertainty="ensemble", n_members=2, **params)
    model.fit(noisy[:32], clean[:32], validation_data=validation)
    scores = training.validation_scores(model, validation)
    first = copy.deepcopy(model)
    del first.ensemble_members_

    def gain(estimate):
        before = snr(clean[32:], noisy[32:], per_series=True)
        return np.mean(snr(clean[32:], estimate, per_series=True) - before)

    assert single_scores["val_snr_improvement"] == pytest.approx(
        gain(single.transform(noisy[32:])), abs=1e-6
    )
    assert scores["val_snr_improvement"] == pytest.approx(
        gain(model.transform(noisy[32:])), abs=1e-6
    )
    assert scores["val_snr_improvement_first_member"] == pytest.approx(
        gain(first.transform(noisy[32:])), abs=1e-6
    )
    assert scores["val_snr_improvement"] != pytest.approx(
        scores["val_snr_improvement_first_member"], abs=1e-6
    )


def test_validation_scores_of_the_nearly_clean_windows():
    from skdenoise import UNetDenoiser
    from skdenoise.metrics import snr

    training, rng, clean = _training_and_sines(1, 40)
    # Noise from about 30 dB down to about 0 dB input SNR.
    noisy = clean + rng.normal(0, 1, clean.shape) * np.geomspace(0.02, 0.7, 40)[:, None]
    model = UNetDenoiser(**TINY_UNET).fit(noisy[::2], clean[::2])
    validation = (noisy[1::2], clean[1::2])
    scores = training.validation_scores(model, validation)
    before = snr(clean[1::2], noisy[1::2], per_series=True)
    high = before >= training.HIGH_SNR_DB
    assert 0 < high.sum() < high.size
    after = snr(clean[1::2], model.transform(noisy[1::2]), per_series=True)
    assert scores["val_snr_improvement_above_18db"] == pytest.approx(
        np.mean(after[high] - before[high]), abs=1e-6
    )
    assert scores["val_snr_improvement"] == pytest.approx(
        np.mean(after - before), abs=1e-6
    )
    # No window at 18 dB or more: no such score.
    low = (noisy[1::2][~high], clean[1::2][~high])
    assert "val_snr_improvement_above_18db" not in training.validation_scores(
        model, low
    )


def test_validation_scores_of_several_passes():
    from skdenoise import UNetDenoiser
    from skdenoise.metrics import snr

    training, rng, clean = _training_and_sines(2, 48)
    noisy = clean + rng.normal(0, 1, clean.shape) * np.geomspace(0.02, 0.7, 48)[:, None]
    validation = (noisy[1::2], clean[1::2])
    model = UNetDenoiser(**{**TINY_UNET, "n_passes": 2})
    model.fit(noisy[::2], clean[::2], validation_data=validation)
    assert model.n_passes_ == 2
    scores = training.validation_scores(model, validation)
    before = snr(clean[1::2], noisy[1::2], per_series=True)
    high = before >= training.HIGH_SNR_DB
    one = model
    one_pass = snr(
        clean[1::2],
        one._gated(
            noisy[1::2, :, None],
            one._network_outputs(noisy[1::2, :, None]),
            one.gate_snr_,
            one.gate_scale_,
        )[:, :, 0],
        per_series=True,
    )
    all_passes = snr(clean[1::2], model.transform(noisy[1::2]), per_series=True)
    assert scores["n_passes"] == 2
    assert scores["val_snr_improvement_one_pass"] == pytest.approx(
        np.mean(one_pass - before), abs=1e-6
    )
    assert scores["val_snr_improvement_all_passes"] == pytest.approx(
        np.mean(all_passes - before), abs=1e-6
    )
    assert scores["val_snr_improvement_all_passes_above_18db"] == pytest.approx(
        np.mean(all_passes[high] - before[high]), abs=1e-6
    )
    assert scores["val_snr_improvement_one_pass"] != pytest.approx(
        scores["val_snr_improvement_all_passes"], abs=1e-6
    )


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
            "--passes",
            "2",
            "--noise-flip",
            "--noise-time-scale",
            "0.8",
            "1.25",
            "--noise-spectral-gain",
            "6",
            "--save-models",
            str(tmp_path / "models"),
            "--out",
            str(out),
        ]
    )
    # The learned model is saved, with its two passes, and only it.
    from skdenoise.persistence import load

    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["unet.skdenoise"]
    assert load(tmp_path / "models" / "unet.skdenoise").n_passes_ == 2
    for name in (
        "results.csv",
        "results.md",
        "clean_windows.csv",
        "qrs.csv",
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
    settings = json.loads((out / "run.json").read_text())["settings"]
    # --quick denoises at most 60 windows of each real record, and says so.
    assert settings["real_windows_per_record"] == 60
    # The training noise's augmentations are recorded with the settings.
    assert settings["noise_flip"] is True
    assert settings["noise_time_scale"] == [0.8, 1.25]
    assert settings["noise_spectral_gain_db"] == 6.0

    rows = _read_csv(out / "results.csv")
    assert {r["model"] for r in rows} == {"bandpass", "unet"}
    assert {r["noise"] for r in rows} == {"bw", "em", "ma", "mix", "clean"}
    clean_rows = [r for r in rows if r["noise"] == "clean"]
    rows = [r for r in rows if r["noise"] != "clean"]
    assert {float(r["input_snr_db"]) for r in rows} == {-6.0, 0.0, 6.0, 12.0, 24.0}
    assert len(clean_rows) == 2
    for row in clean_rows:
        for stat in ("mean", "median", "p5"):
            value = float(row[f"snr_out_{stat}"])
            # +inf is a window given back exactly (the gate can close fully).
            assert not math.isnan(value), (stat, value)
        assert float(row["snr_out_p5"]) <= float(row["snr_out_median"])
    per_record = _read_csv(out / "clean_windows.csv")
    assert {r["record"] for r in per_record} == {"119", "all"}
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

    qrs = _read_csv(out / "qrs.csv")
    assert {(r["model"], r["record"]) for r in qrs} == {
        ("bandpass", "118e06"),
        ("unet", "118e06"),
    }
    for row in qrs:
        for condition in ("noisy", "denoised", "clean"):
            for name in ("sensitivity", "ppv"):
                assert 0 <= float(row[f"{condition}_{name}"]) <= 1
        # The clean record: nearly every annotated beat is found.
        assert float(row["clean_sensitivity"]) > 0.99
        assert 0 <= float(row["blocks_denoised_sensitivity"]) <= 1
    run = (out / "README.md").read_text()
    assert "## Clean windows as input" in run and "## QRS detection" in run
    assert "validation on 128 windows of the records 117, 122" in run
    assert "a slow drift added as signal to half of the clean training windows" in run
    assert "denoising passes: 2 (n_passes" in run
    assert "(training stretches with a random sign and time direction and" in run
    # --precision auto, the default, says what it chose on this machine, and why.
    chosen, reason = ecg.resolve_precision("auto")
    assert reason.startswith("auto: ")
    assert f"layers in {chosen} ({reason});" in " ".join(run.split())
    log = (out / "progress.log").read_text()
    assert f"learned models' layers in {chosen} ({reason})" in log
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert (settings["precision"], settings["precision_reason"]) == (chosen, reason)
    assert "2 denoising passes: validation gain after the gates" in log

    real = _read_csv(out / "real_records.csv")
    assert {r["model"] for r in real} == {"bandpass", "unet"}
    assert all(math.isfinite(float(r["snr_improvement_mean"])) for r in real)
    timing = _read_csv(out / "timing.csv")
    unet = next(t for t in timing if t["model"] == "unet")
    assert float(unet["train_time_s"]) > 0
    assert int(unet["n_passes"]) == 2
    assert math.isfinite(float(unet["val_snr_improvement_all_passes"]))
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
    table = text.split("## Clean windows")[0]
    # The classical rows come from the first run only: one per noise type.
    assert table.count("| Band-pass 0.67-40 Hz |") == 4
    assert "## Bars of the benchmark" in text
    assert "## QRS detection" in text and "| U-Net [again] |" in text.split("## QRS")[1]
    assert re.search(
        r"a clean window comes out at >= 30 dB output SNR: (MET|MISSED)", text
    )
    assert re.search(r"QRS detection on the denoised .*: (MET|MISSED)", text)


@pytest.mark.data
@pytest.mark.slow
def test_training_speed_smoke(physionet_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    monkeypatch.setenv("TF_NUM_INTEROP_THREADS", "1")
    spec = importlib.util.spec_from_file_location(
        "benchmark_training_speed", ECG_SCRIPT.with_name("training_speed.py")
    )
    speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(speed)
    out = tmp_path / "speed"
    speed.main(
        [
            "--data-dir",
            str(physionet_dir),
            "--records",
            "100",
            "--windows",
            "128",
            "--pairs",
            "2",
            "--epochs",
            "2",
            # Not "auto", the default: bfloat16, which it takes on CPUs with
            # AMX, is emulated slowly on CPUs without bfloat16 units.
            "--precision",
            "float32",
            "--out",
            str(out),
        ]
    )
    written = " ".join((out / "README.md").read_text().split())
    assert "layers in float32 on both sides (as asked); XLA off." in written
    rows = _read_csv(out / "results.csv")
    assert [(r["pair"], r["method"]) for r in rows] == [
        ("1", "UNetDenoiser.fit"),
        ("1", "keras model.fit"),
        ("2", "keras model.fit"),
        ("2", "UNetDenoiser.fit"),
    ]
    assert all(float(r["samples_per_s"]) > 0 for r in rows)
    assert "Median ratio" in (out / "README.md").read_text()
    with pytest.raises(SystemExit, match="fewer than --windows"):
        speed.main(
            ["--data-dir", str(physionet_dir), "--records", "100", "--out", str(out)]
        )
    base = ["--data-dir", "d", "--out", "o"]
    assert speed.parse_args(base).jit_compile == "off"
    assert speed.parse_args([*base, "--jit-compile", "on"]).jit_compile == "on"


def _passes_script_and_model(tmp_path, n_passes):
    """``benchmarks/ecg_passes.py`` as a module, and a tiny U-Net saved with
    ``n_passes`` passes."""
    from skdenoise import UNetDenoiser
    from skdenoise.persistence import save

    spec = importlib.util.spec_from_file_location(
        "benchmark_ecg_passes", ECG_SCRIPT.with_name("ecg_passes.py")
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rng = np.random.default_rng(3)
    t = np.linspace(0, 40, 512)
    clean = np.sin(t + rng.uniform(0, 6, (40, 1)))
    noisy = clean + rng.normal(0, 0.3, clean.shape)
    model = UNetDenoiser(**{**TINY_UNET, "n_passes": n_passes}).fit(noisy, clean)
    path = tmp_path / "unet.skdenoise"
    save(model, path)
    return script, path


@pytest.mark.data
def test_ecg_passes_script_chooses_the_passes_again_on_the_validation_records(
    physionet_dir, tmp_path, capsys
):
    from skdenoise.persistence import load

    script, path = _passes_script_and_model(tmp_path, n_passes=3)
    argv = ["--data-dir", str(physionet_dir), "--model", str(path), "--recalibrate"]
    argv += ["--max-val-windows", "30", "--test-records", "119", "--test-windows", "4"]
    assert script.main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    chosen = int(lines[0].rsplit(": ", 1)[1])
    assert lines[0].startswith("passes chosen again on 30 windows of the records 117")
    # The table has a column per pass that "auto" keeps on those windows.
    assert lines[1].count(" pass") == chosen
    protocol = _protocol()
    # The validation windows of ecg.py's default: the other lead's noise.
    windows = protocol.validation_set(
        ["117", "122"],
        physionet_dir,
        protocol.validation_noise(physionet_dir, (-6.0, 30.0), "other-lead"),
        30,
    )
    again = load(path).set_params(n_passes="auto")
    again._calibrate_passes(tuple(w[:, :, None] for w in windows))
    assert again.n_passes_ == chosen
    base = ["--data-dir", str(physionet_dir), "--model", str(path)]
    assert script.parse_args(base).validation_noise == "other-lead"
    held = script.parse_args([*base, "--held-out-noise", "275000"])
    assert held.validation_noise == "training"
    with pytest.raises(SystemExit):
        script.parse_args(
            [*base, "--held-out-noise", "275000", "--validation-noise", "other-lead"]
        )
    assert "does not go with --validation-noise other-lead" in capsys.readouterr().err


@pytest.mark.data
def test_ecg_passes_script_evaluates_each_number_of_passes(
    physionet_dir, tmp_path, capsys
):
    from skdenoise.metrics import snr
    from skdenoise.persistence import load

    script, path = _passes_script_and_model(tmp_path, n_passes=2)
    argv = ["--data-dir", str(physionet_dir), "--model", str(path)]
    assert script.main([*argv, "--test-records", "119", "--test-windows", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "| noise | input SNR (dB) | 1 pass | 2 passes |"
    assert len(lines) == 2 + 20 + 1 and lines[-1].startswith("| clean | median out |")
    row = next(line for line in lines if line.startswith("| em | +0 |"))
    one, both = (float(v) for v in row.strip("| ").split(" | ")[2:])
    # The last column is the saved model as it is, the first its first pass.
    protocol = _protocol()
    test_clean, _, test_noisy = protocol.build_test_set(
        ["119"], physionet_dir, n_windows=4
    )
    inputs = test_noisy["em", 0.0]
    loaded = load(path)
    gain = np.mean(
        snr(test_clean, loaded.transform(inputs), per_series=True)
        - snr(test_clean, inputs, per_series=True)
    )
    assert both == pytest.approx(gain, abs=0.006)
    assert one != both


def test_the_network_assessed_is_chosen_on_the_validation_records():
    ecg = _load_script()
    protocol = ecg.protocol
    # Two networks: the LSTM is better on the test records, the U-Net on the
    # validation records. The bars are assessed on the U-Net.
    test_mean = {"unet": 1.0, "lstm": 5.0, "bandpass": 0.5}
    rows = [
        {
            "model": model,
            "noise": noise,
            "input_snr_db": level,
            "snr_improvement_mean": value,
        }
        for model, value in test_mean.items()
        for noise in protocol.NOISE_TYPES
        for level in protocol.TEST_SNRS
    ]
    models = list(test_mean)
    labels = {"unet": "U-Net", "lstm": "LSTM", "bandpass": "Band-pass"}
    timing = [
        {"model": "unet", "val_snr_improvement": "4.2"},
        {"model": "lstm", "val_snr_improvement": 3.9},
        {"model": "bandpass", "val_snr_improvement": ""},
    ]
    scores = ecg.validation_choice(timing)
    assert scores == {"unet": 4.2, "lstm": 3.9}
    text = ecg.assess_bars(rows, [], models, labels, val_scores=scores)
    assert "validation records, +4.20 dB" in text
    assert "**U-Net**, +1.00 dB on average" in text
    # Without a validation score for every network, the first one listed.
    text = ecg.assess_bars(rows, [], ["lstm", "unet", "bandpass"], labels)
    assert "the first skdenoise network listed" in text
    assert "**LSTM**" in text
    text = ecg.assess_bars(rows, [], models, labels, val_scores={"lstm": 9.0})
    assert "**U-Net**" in text


def test_the_clean_window_bar_is_judged_on_the_median_window():
    # One window handed back unchanged scores +inf dB: the mean of all is
    # infinite whatever the others score.
    ecg = _load_script()
    protocol = ecg.protocol
    rows = [
        {
            "model": model,
            "noise": noise,
            "input_snr_db": level,
            "snr_improvement_mean": 1.0,
        }
        for model in ("unet", "bandpass")
        for noise in protocol.NOISE_TYPES
        for level in protocol.TEST_SNRS
    ]
    clean = {
        "model": "unet",
        "noise": protocol.CLEAN,
        "n_windows": 900,
        "snr_out_mean": math.inf,
        "snr_out_median": 20.0,
        "snr_out_p5": 10.0,
    }
    labels = {"unet": "U-Net", "bandpass": "Band-pass"}
    text = ecg.assess_bars([*rows, clean], [], ["unet", "bandpass"], labels)
    line = next(x for x in text.splitlines() if "clean window comes out" in x)
    assert "MISSED" in line
    assert "median +20.00 dB over 900 clean test windows (mean inf" in text


def test_real_records_are_also_scored_on_noise_no_model_trained_on():
    script = _load_script()
    protocol = script.protocol
    # nst added em noise from channel 0 at the record's own samples: the blocks
    # before the end of the training noise's segment hold training noise.
    end = protocol.TRAIN_NOISE["segment"][1]
    blocks = protocol.nominal_noisy_blocks(650_000)
    assert [start >= end for start, _ in blocks] == [False] * 3 + [True] * 4
    rows = [
        {
            "model": "A",
            "record": "118e06",
            "snr_in_mean": 6.0,
            "snr_improvement_mean": 3.0,
            "n_windows_unseen_noise": 335,
            "snr_improvement_unseen_noise_mean": 2.5,
        }
    ]
    lines = script.real_pivot(rows, ["A"], {"A": "A"}).splitlines()
    assert "| A | +3.00 |" in lines and "| A | +2.50 |" in lines
    assert "| windows | 335 |" in lines


@pytest.mark.data
def test_real_record_windows_mark_the_blocks_of_unseen_noise(physionet_dir):
    protocol = _protocol()
    noisy, clean, info = protocol.real_record_windows("118e06", physionet_dir)
    unseen = info["unseen"]
    assert unseen.shape == (len(noisy),) and 0 < unseen.sum() < len(noisy)
    assert not unseen[0] and unseen[-1]


def test_summary_refuses_two_untagged_runs_of_one_model(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "benchmark_ecg_summary", ECG_SCRIPT.with_name("ecg_summary.py")
    )
    summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(summary)
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "results.csv").write_text("model,noise\nunet,bw\nbandpass,bw\n")
        (folder / "run.json").write_text(json.dumps({"settings": {}}))
    with pytest.raises(SystemExit, match="tag the runs apart"):
        summary.load_runs([str(tmp_path / "a"), str(tmp_path / "b")])


def _fake_run(folder, models, **settings):
    folder.mkdir()
    rows = "".join(f"{m},bw\n" for m in models)
    (folder / "results.csv").write_text("model,noise\n" + rows)
    base = {"data_dir": "data", "test_records": ["118"], "test_windows_per_record": 3}
    (folder / "run.json").write_text(json.dumps({"settings": {**base, **settings}}))
    return str(folder)


def test_summary_compares_validation_scores_of_the_same_validation_noise():
    spec = importlib.util.spec_from_file_location(
        "benchmark_ecg_summary", ECG_SCRIPT.with_name("ecg_summary.py")
    )
    summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(summary)
    base = {"val_records": ["117", "122"], "n_val_windows": 2538}
    # A run before --validation-noise validated on the training noise.
    earlier = summary._validation(base)
    assert earlier == summary._validation({**base, "validation_noise": "training"})
    assert earlier != summary._validation({**base, "validation_noise": "other-lead"})
    # No validation record scored: nothing to compare.
    assert summary._validation({})[-1] is None


def test_summary_keeps_the_classical_rows_of_whichever_run_has_them(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "benchmark_ecg_summary", ECG_SCRIPT.with_name("ecg_summary.py")
    )
    summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(summary)
    learned = _fake_run(tmp_path / "learned", ["identity", "drnn"])
    main = _fake_run(tmp_path / "main", ["identity", "bandpass", "unet"])
    for order in ([learned, main], [main, learned]):
        tables, *_ = summary.load_runs(order)
        models = [r["model"] for r in tables["rows"]]
        # Given second, the main run's band-pass was dropped: "NOT MEASURED".
        assert sorted(models) == ["bandpass", "drnn", "identity", "unet"]
    # A later run's filter rows for another real record are kept too.
    (tmp_path / "main" / "real_records.csv").write_text(
        "model,record\nbandpass,118e06\nunet,118e06\n"
    )
    more = _fake_run(tmp_path / "more", ["bandpass", "gru"])
    (tmp_path / "more" / "real_records.csv").write_text(
        "model,record\nbandpass,118e06\nbandpass,119e06\ngru,119e06\n"
    )
    tables, *_ = summary.load_runs([main, more])
    real = sorted((r["model"], r["record"]) for r in tables["real"])
    assert real == [
        ("bandpass", "118e06"), ("bandpass", "119e06"), ("gru", "119e06"),
        ("unet", "118e06"),
    ]  # fmt: skip
    assert [r["model"] for r in tables["rows"]].count("bandpass") == 1
    older = _fake_run(tmp_path / "older", ["conv-ae"])
    with pytest.raises(SystemExit, match="unknown model 'conv-ae'"):
        summary.load_runs([older])
    # The same data folder spelt otherwise compares; other real windows do not.
    same = _fake_run(tmp_path / "same", ["gru"], data_dir="./data")
    summary.load_runs([main, same])
    fewer = _fake_run(tmp_path / "fewer", ["lstm"], real_windows_per_record=10)
    with pytest.raises(SystemExit, match="real_windows_per_record is 10, not None"):
        summary.load_runs([main, fewer])


def test_summary_compares_validation_scores_of_one_validation_set_only(tmp_path):
    # The network assessed was chosen from validation scores measured on other
    # records (117 and 122 against 106) as if they compared.
    spec = importlib.util.spec_from_file_location(
        "benchmark_ecg_summary", ECG_SCRIPT.with_name("ecg_summary.py")
    )
    summary = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(summary)
    runs = []
    for name, model, val_records, score in (
        ("a", "unet", ["117", "122"], "1.0"),
        ("b", "gru", ["106"], "2.0"),
        ("c", "lstm", ["117", "122"], "0.5"),
    ):
        runs.append(_fake_run(tmp_path / name, [model], val_records=val_records))
        (tmp_path / name / "timing.csv").write_text(
            f"model,val_snr_improvement\n{model},{score}\n"
        )
    tables, *_ = summary.load_runs(runs)
    scores = {t["model"]: t["val_snr_improvement"] for t in tables["timing"]}
    assert scores == {"unet": 1.0, "gru": "", "lstm": 0.5}


def test_scripts_name_bad_arguments_without_a_traceback(tmp_path, capsys):
    passes = ECG_SCRIPT.with_name("ecg_passes.py")
    overheads = ECG_SCRIPT.with_name("overheads.py")
    for script, argv, message in (
        (passes, ["--model", str(tmp_path / "none.skd")], "no such file"),
        (passes, ["--model", str(passes), "--test-windows", "0"], "at least 1"),
        (overheads, ["--repeats", "0", "--out", str(tmp_path)], "at least 1"),
    ):
        spec = importlib.util.spec_from_file_location("script", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if script == passes:
            argv = ["--data-dir", str(tmp_path), *argv]
        with pytest.raises(SystemExit) as info:
            (module.parse_args if script == passes else module.main)(argv)
        assert info.value.code == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "option", ["--test-windows", "--real-windows", "--max-train-windows"]
)
def test_window_counts_must_be_positive(option, capsys):
    script = _load_script()
    with pytest.raises(SystemExit):
        script.parse_args(["--data-dir", "x", "--out", "y", option, "0"])
    assert "must be a positive number of windows" in capsys.readouterr().err


@pytest.mark.data
def test_ecg_passes_never_chooses_the_passes_on_a_test_record(physionet_dir, tmp_path):
    script, path = _passes_script_and_model(tmp_path, n_passes=2)
    argv = ["--data-dir", str(physionet_dir), "--model", str(path), "--recalibrate"]
    argv += ["--test-records", "117", "--test-windows", "4"]
    with pytest.raises(SystemExit, match="117 also in the test records"):
        script.main(argv)


def test_records_at_another_sampling_rate_are_refused(tmp_path):
    from skdenoise.datasets import write_wfdb

    protocol = _protocol()
    (tmp_path / "mitdb").mkdir()
    signal = np.sin(np.linspace(0, 100, 5000))[:, None]
    write_wfdb(tmp_path / "mitdb" / "222", signal, sampling_rate=250.0)
    with pytest.raises(ValueError, match="MITDB record 222 is sampled at 250 Hz"):
        protocol.clean_record("222", tmp_path)


def test_errors_name_the_default_validation_records_only_when_at_fault(tmp_path):
    ecg = _load_script()
    (tmp_path / "mitdb").mkdir()
    for record in ("200", "210"):
        for ext in ("hea", "dat"):
            (tmp_path / "mitdb" / f"{record}.{ext}").write_text("")
    argv = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    argv += ["--models", "unet", "--test-records", "210"]
    # The 200 series with the default validation records of the 100 series.
    with pytest.raises(SystemExit, match="default of --val-records") as caught:
        ecg.main([*argv, "--train-records", "200"])
    assert "117" in str(caught.value)
    with pytest.raises(SystemExit) as caught:
        ecg.main([*argv, "--train-records", "200", "999"])
    assert "999" in str(caught.value)
    assert "default of --val-records" not in str(caught.value)


@pytest.mark.data
def test_records_whose_channel_zero_is_not_mlii_are_named(physionet_dir):
    protocol = _protocol()
    names = protocol.channel_zero_names(["100", "114", "999"], physionet_dir)
    assert names == {"100": "MLII", "114": "V5", "999": None}


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--train-snr", "30", "-6"], "--train-snr needs LOW <= HIGH"),
        (["--clean-fraction", "2"], r"--clean-fraction must be in \[0, 1\)"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--learning-rate", "-1"], "--learning-rate must be a positive"),
        (["--drift", "-1"], "--drift must be a number >= 0"),
        (["--drift-frequency", "5", "1"], "--drift-frequency needs 0 < LOW"),
        (["--noise-time-scale", "0", "0"], "--noise-time-scale needs 0 < LOW"),
        (["--hard-first", "12", "5"], "--hard-first needs a RAMP"),
    ],
)
def test_training_settings_are_checked_with_the_command_line(extra, message, capsys):
    # Each failed inside the model's fit, and the run exited 0 without it.
    ecg = _load_script()
    with pytest.raises(SystemExit):
        ecg.parse_args(["--data-dir", "d", "--out", "o", *extra])
    assert re.search(message, capsys.readouterr().err)


def test_a_model_named_twice_runs_once():
    ecg = _load_script()
    args = ecg.parse_args(["--data-dir", "d", "--out", "o", "--models", "unet", "unet"])
    assert args.models == ["unet"]


def test_a_missing_default_record_names_the_option_it_came_from(tmp_path):
    # A run on other data (the 200 series) that leaves a list out was told
    # that record 100 or 118 was missing, not which option to give.
    ecg = _load_script()
    argv = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    (tmp_path / "mitdb").mkdir()
    with pytest.raises(SystemExit, match="the default of --test-records"):
        ecg.main([*argv, "--models", "bandpass"])
    for name in ("218", "219"):
        (tmp_path / "mitdb" / f"{name}.hea").write_text("")
        (tmp_path / "mitdb" / f"{name}.dat").write_bytes(b"")
    args = [*argv, "--test-records", "218", "--val-records", "219", "--models", "unet"]
    with pytest.raises(SystemExit, match="the default of --train-records"):
        ecg.main(args)


def test_a_classical_run_names_no_training_record(physionet_dir, tmp_path):
    # Its README and run.json named the protocol's 18 training and 2
    # validation records, which it never read (on other data, records that
    # were not even there).
    ecg = _load_script()
    out = tmp_path / "out"
    argv = ["--data-dir", str(physionet_dir), "--out", str(out), "--no-figure"]
    argv += ["--test-records", "121", "--models", "identity", "bandpass"]
    argv += ["--test-windows", "2", "--real-records", "118e06", "--real-windows", "2"]
    ecg.main([*argv, "--no-qrs"])
    readme = (out / "README.md").read_text()
    assert "no learned model, so no training or validation record" in readme
    assert "Real noisy records (NSTDB 118e06)" in readme
    assert "`qrs.csv`" not in readme and "`examples.png`" not in readme
    # Nor an optimiser, gate or precision of learned models it has none of.
    assert "- learned models:" not in readme
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["train_records"] == [] and settings["val_records"] == []
    assert settings["records_whose_channel_0_is_not_mlii"] == []
    # Nor training noise augmentations.
    assert settings["noise_flip"] is None and settings["noise_spectral_gain_db"] is None
    assert settings["noise_time_scale"] is None
    # A record whose channel 0 is another lead: said in the README and run.json
    # too (only the log said it).
    argv_114 = ["--data-dir", str(physionet_dir), "--out", str(tmp_path / "o114")]
    argv_114 += ["--test-records", "114", "--models", "identity", "--no-figure"]
    ecg.main([*argv_114, "--test-windows", "2", "--real-records", "--no-qrs"])
    readme = (tmp_path / "o114" / "README.md").read_text()
    assert "is not MLII in record(s) 114 (V5)" in readme
    settings = json.loads((tmp_path / "o114" / "run.json").read_text())["settings"]
    assert settings["records_whose_channel_0_is_not_mlii"] == ["114 (V5)"]
    # Run again into the same folder without real records: the earlier run's
    # real-record tables and figure were left there, read with the new run's
    # by its README and by ecg_summary.py.
    (out / "examples.png").write_bytes(b"an earlier figure")
    (out / "qrs.csv").write_text("an earlier table\n")
    # A run refused late (a real record not there) leaves the folder as it was,
    # its log too.
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(SystemExit, match="118e99"):
        ecg.main([*argv[:-4], "--real-records", "118e99", "--no-qrs"])
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if not k.startswith(".")} == before
    ecg.main([*argv[:-4], "--real-records", "--no-qrs"])
    assert not (out / "real_records.csv").exists()
    assert not (out / "examples.png").exists() and not (out / "qrs.csv").exists()
    assert "Real noisy records" not in (out / "README.md").read_text()


def test_scripts_name_a_model_file_they_cannot_use(tmp_path):
    # evaluate_pretrained.py, ecg_no_harm.py, uncertainty*.py, gpu_steps.py
    # and ecg_passes.py printed Python's traceback for a missing or corrupt
    # file, or ran a filter as "the pretrained ECG denoiser".
    from skdenoise.baselines import BandpassDenoiser
    from skdenoise.persistence import save

    protocol = _protocol()
    with pytest.raises(SystemExit, match="x.py: error: model file not found"):
        protocol.load_saved(tmp_path / "none.skdenoise", "x.py")
    garbage = tmp_path / "garbage.skdenoise"
    garbage.write_text("hello")
    with pytest.raises(SystemExit, match="x.py: error: cannot load .*garbage"):
        protocol.load_saved(garbage, "x.py")
    path = save(BandpassDenoiser().fit(np.zeros((1, 64))), tmp_path / "bp.skdenoise")
    assert isinstance(protocol.load_saved(path, "x.py"), BandpassDenoiser)
    with pytest.raises(SystemExit, match="holds a BandpassDenoiser, not a pretrained"):
        protocol.load_saved(path, "x.py", network=True)
    shipped = (
        Path(__file__).resolve().parents[1] / "skdenoise/pretrained/ecg_unet.skdenoise"
    )
    assert hasattr(protocol.load_saved(shipped, "x.py", network=True), "model_")
    whole = protocol.load_saved(shipped, "x.py", network=True, wrapped=True)
    assert "sampling_rate" in whole.get_params(deep=False)


def test_other_records_named_in_errors_readme_and_exit_status(physionet_dir, tmp_path):
    # Records a user renamed or downloaded: a header naming a .dat that is not
    # there ended in a traceback, a record shorter than a window was not
    # named, the README said "300 per record" of a record with fewer, a real
    # record's missing beat annotations were only in the log, and the script
    # exited with 1 for a usage error (the command line: 2).
    import subprocess

    ecg = _load_script()
    data = tmp_path / "data"
    (data / "mitdb").mkdir(parents=True)
    (data / "nstdb").symlink_to(Path(physionet_dir) / "nstdb")
    mitdb = Path(physionet_dir) / "mitdb"
    # Copied under another name with the header left as it was.
    for ext in ("hea", "dat"):
        (data / "mitdb" / f"230.{ext}").symlink_to(mitdb / f"121.{ext}")
    out = tmp_path / "out"
    argv = ["--data-dir", str(data), "--out", str(out), "--models", "identity"]
    argv += ["--no-figure", "--real-records", "--no-qrs"]
    with pytest.raises(SystemExit, match=r"ecg.py: error: .*121\.dat .*230\.hea"):
        ecg.main([*argv, "--test-records", "230"])
    for ext in ("hea", "dat", "atr"):
        (data / "mitdb" / f"121.{ext}").symlink_to(mitdb / f"121.{ext}")
    # A short record (the first 20,000 samples of 121).
    header = (mitdb / "121.hea").read_text().splitlines()
    first = header[0].split()
    first[0], first[3] = "215", "20000"
    lines = [" ".join(first)] + [
        line.replace("121.dat", "215.dat") for line in header[1:] if line.strip()
    ]
    adc = np.fromfile(mitdb / "121.dat", dtype=np.uint8)[: 20000 * 3]
    (data / "mitdb" / "215.dat").write_bytes(adc.tobytes())
    # The checksums are of the whole record: left out.
    lines = [" ".join(line.split()[:5]) if i else line for i, line in enumerate(lines)]
    (data / "mitdb" / "215.hea").write_text("\n".join(lines) + "\n")
    ecg.main([*argv, "--test-records", "121", "215"])
    readme = (out / "README.md").read_text()
    assert "(121: 300, 215: 39)" in readme
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["test_windows_of_record"] == {"121": 300, "215": 39}
    # Shorter than a window: the record is named.
    lines[0] = lines[0].replace(" 20000", " 400")
    (data / "mitdb" / "215.hea").write_text("\n".join(lines) + "\n")
    with pytest.raises(SystemExit, match=r"error: record 215: signal has 400"):
        ecg.main([*argv, "--test-records", "215"])
    # A real record without its .atr: no QRS detection, said in the README.
    real = tmp_path / "real"
    (real / "mitdb").mkdir(parents=True)
    (real / "nstdb").mkdir()
    for ext in ("hea", "dat", "atr"):
        (real / "mitdb" / f"118.{ext}").symlink_to(mitdb / f"118.{ext}")
        (real / "mitdb" / f"121.{ext}").symlink_to(mitdb / f"121.{ext}")
    for path in (Path(physionet_dir) / "nstdb").iterdir():
        if path.name != "118e06.atr":
            (real / "nstdb" / path.name).symlink_to(path)
    argv = ["--data-dir", str(real), "--out", str(tmp_path / "o2"), "--no-figure"]
    argv += ["--models", "identity", "--test-records", "121", "--test-windows", "3"]
    ecg.main([*argv, "--real-records", "118e06", "--real-windows", "3"])
    readme = (tmp_path / "o2" / "README.md").read_text()
    assert "No QRS detection on 118e06: their beat annotations" in readme
    # Run as a script, a usage error exits with 2 and one line.
    done = subprocess.run(
        [
            sys.executable,
            str(ECG_SCRIPT),
            "--data-dir",
            str(data),
            "--out",
            str(tmp_path / "o3"),
            "--test-records",
            "217",
            "--models",
            "identity",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("benchmarks/ecg.py: error:")
    assert "Traceback" not in done.stderr


def test_xla_is_chosen_by_measured_step_times(monkeypatch):
    from skdenoise import UNetDenoiser
    from skdenoise.noise import WhiteNoise

    script = _load_script()
    training = _training()
    noise = WhiteNoise(snr=(-6, 30))
    # The benchmark's callbacks: a budget and a noise curriculum, which refuses
    # to be cloned (the probes must leave both out).
    budget = training.TimeBudget(3600, "U-Net", 1e-3, lambda line: None)
    curriculum = training.NoiseCurriculum(noise, budget, 12, 0.5, bound="high")
    model = UNetDenoiser(
        filters=4,
        depth=2,
        kernel_size=3,
        batch_size=8,
        epochs=1,
        noise=noise,
        callbacks=[budget, curriculum],
    )
    clean = np.sin(np.linspace(0, 20, 64) + np.arange(120)[:, None])
    messages = []
    choice = script.choose_xla(model, clean, 8, messages.append)
    # Both ways measured; the faster kept; the model itself left untouched.
    assert choice["reason"] == "measured"
    assert choice["ms_per_step_xla"] > 0 and choice["ms_per_step_plain"] > 0
    faster = choice["ms_per_step_xla"] < choice["ms_per_step_plain"]
    assert choice["jit_compile"] is faster
    assert "measured" in messages[-1] and not hasattr(model, "model_")
    assert model.jit_compile == "auto"
    assert model.callbacks == [budget, curriculum] and not hasattr(budget, "steps")
    assert noise.snr == (-6, 30)
    context = {"xla": {"unet": choice, "drnn": {"jit_compile": False}}}
    assert script.xla_text(context) == (f"unet {'on' if faster else 'off'}, drnn off")
    assert script.xla_text({}) == "no model trained"
