"""The noise curriculum of the ECG recipe ablation script."""

import importlib.util
import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


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


def test_noise_curriculum_widens_the_snr_range_over_the_ramp():
    script = _load_script()
    assert script.curriculum("lr 5e-4, global context, curriculum") == (12.0, 0.5)
    assert script.curriculum("lr 5e-4, global context") is None
    # The curriculum is not a U-Net parameter.
    unet, _, _ = script.changes("lr 5e-4, global context, curriculum")
    assert "curriculum" not in unet and unet["global_context"] is True

    noise = type("Noise", (), {"snr": (-6.0, 30.0)})()
    clock = _Clock()
    callback = script.NoiseCurriculum(noise, clock, 12.0, 0.5)
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
