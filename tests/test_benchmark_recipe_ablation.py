"""The noise curriculum of the ECG recipe ablation script."""

import importlib.util
import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _training_module():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import _ecg_training
    finally:
        sys.path.remove(str(BENCHMARKS))
    return _ecg_training


def _load_script():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(
            "benchmark_recipe_ablation", BENCHMARKS / "ecg_recipe_ablation.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


class _Clock:
    budget_s = 100.0

    def __init__(self):
        self.now = 0.0

    def elapsed(self):
        return self.now

    def progress(self):
        # As TimeBudget's: the share of the wall-time budget spent.
        return min(self.now / self.budget_s, 1.0)


def test_noise_curriculum_widens_the_snr_range_over_the_ramp():
    script = _load_script()
    assert script.curriculum("lr 5e-4, global context, curriculum") == (12.0, 0.5)
    assert script.curriculum("lr 5e-4, global context") is None
    # The curriculum is not a U-Net parameter.
    unet, _, _ = script.changes("lr 5e-4, global context, curriculum")
    assert "curriculum" not in unet and unet["global_context"] is True

    noise = type("Noise", (), {"snr": (-6.0, 30.0)})()
    clock = _Clock()
    callback = _training_module().NoiseCurriculum(noise, clock, 12.0, 0.5)
    callback.on_train_begin()
    assert noise.snr == (12.0, 30.0)
    seen = []
    for now in (0.0, 25.0, 50.0, 80.0):
        clock.now = now
        callback.on_train_batch_begin(0)
        seen.append(noise.snr[0])
    np.testing.assert_allclose(seen, [12.0, 3.0, -6.0, -6.0])
    assert noise.snr[1] == 30.0
    callback.on_train_end()
    assert noise.snr == (-6.0, 30.0)

    # Hard first: the highest SNR starts at 12 dB and rises to 30 dB.
    assert script.curriculum("lr 5e-4, global context, hard first") == (
        12.0,
        0.5,
        "high",
    )
    callback = _training_module().NoiseCurriculum(noise, clock, 12.0, 0.5, "high")
    clock.now = 0.0
    callback.on_train_begin()
    assert noise.snr == (-6.0, 12.0)
    seen = []
    for now in (0.0, 25.0, 50.0, 80.0):
        clock.now = now
        callback.on_train_batch_begin(0)
        seen.append(noise.snr)
    np.testing.assert_allclose(seen, [(-6, 12), (-6, 21), (-6, 30), (-6, 30)])
    callback.on_train_end()
    assert noise.snr == (-6.0, 30.0)


def test_time_budget_warms_the_learning_rate_up():
    script = _load_script()
    TimeBudget = _training_module().TimeBudget

    class _Rate:
        def assign(self, value):
            self.value = value

    optimizer = type("Optimizer", (), {"learning_rate": _Rate()})()
    model = type("Model", (), {"optimizer": optimizer})()
    rates = {}
    for warmup in (0.0, 0.1):
        budget = TimeBudget(100.0, "x", 1e-3, log=lambda line: None, warmup=warmup)
        budget.set_model(model)
        budget.start = 0.0
        for elapsed in (5.0, 10.0, 50.0):
            budget.elapsed = lambda elapsed=elapsed: elapsed
            budget.on_train_batch_begin(0)
            rates[warmup, elapsed] = optimizer.learning_rate.value
    # Half-way through the warm-up: half the cosine's rate; after it, the same.
    np.testing.assert_allclose(rates[0.1, 5.0], 0.5 * rates[0.0, 5.0])
    np.testing.assert_allclose(rates[0.1, 10.0], rates[0.0, 10.0])
    np.testing.assert_allclose(rates[0.1, 50.0], rates[0.0, 50.0])
    assert rates[0.0, 50.0] < rates[0.0, 5.0] <= 1e-3
    assert "warmup" not in script.changes("lr 5e-4, global context, warm-up")[0]
    clone = TimeBudget(100.0, "x", 1e-3, log=print, warmup=0.1).__deepcopy__({})
    assert clone.warmup == 0.1


def test_a_merge_describes_the_runs_by_their_commands(tmp_path):
    # The merged README gave the merging call's own defaults (300 test
    # windows, no held-out noise) for runs made with 150 and held-out noise.
    script = _load_script()
    runs = BENCHMARKS / "results" / "ecg_recipe_ablation"
    out = tmp_path / "merged"
    script.main(
        ["--data-dir", "unused", "--merge", str(runs / "hard_first")]
        + [str(runs / "noise"), "--out", str(out)]
    )
    readme = (out / "README.md").read_text()
    assert "--test-windows 150" in readme
    assert "windows each" not in readme
    assert "as in each run's command above" in readme
