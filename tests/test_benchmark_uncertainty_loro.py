"""The calibrations compared by benchmarks/uncertainty_loro.py, on synthetic sets."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "uncertainty_loro.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmark_uncertainty_loro", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _window_set(rng, n_windows=300, length=128):
    """Windows whose error grows with their signal's size, as on real ECG."""
    t = np.arange(length)
    size = rng.uniform(0.1, 1.0, size=(n_windows, 1))
    mean = size * np.sin(2 * np.pi * t / 64 + rng.uniform(0, 6, (n_windows, 1)))
    noise_level = rng.uniform(0.01, 0.5, size=(n_windows, 1)) * size
    error = rng.normal(size=mean.shape) * 0.2 * size
    noisy = mean + rng.normal(size=mean.shape) * noise_level
    spread = np.full(mean.shape, 0.05) * rng.uniform(0.5, 2.0, size=mean.shape)
    removed = np.broadcast_to(
        np.sqrt(np.mean((noisy - mean) ** 2, axis=1, keepdims=True)), mean.shape
    )
    return {
        "clean": mean + error,
        "noisy": noisy,
        "mean": mean,
        "spread": spread,
        "removed": np.maximum(removed, 1e-9),
        "colour": np.broadcast_to(
            rng.uniform(0.01, 3.0, size=(n_windows, 1)), mean.shape
        ),
        "raw": mean,
    }


def _held_out_std(name, seed):
    """A calibration fitted on three window sets, its std on a fourth; checked.

    Returns the std, the held-out set and the share of its clean samples
    inside the 95 % interval.
    """
    script = _load_script()
    rng = np.random.default_rng(seed)
    train = [_window_set(rng) for _ in range(3)]
    held_out = _window_set(rng)
    std = script.fit(name, train)(held_out)
    assert std.shape == held_out["mean"].shape
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    inside = np.abs(held_out["clean"] - held_out["mean"]) <= script.Z95 * std
    return std, held_out, inside.mean()


@pytest.mark.parametrize("name", ["package", "colour bins"])
def test_package_calibrations_cover_a_held_out_set(name):
    _, _, coverage = _held_out_std(name, seed=1)
    assert 0.9 <= coverage <= 0.99


@pytest.mark.parametrize("name", ["signal level", "signal level + envelope"])
def test_signal_level_calibrations_follow_the_size_of_the_signal(name):
    std, held_out, coverage = _held_out_std(name, seed=0)
    assert 0.92 <= coverage <= 0.98
    # The error is 0.2 times the window's size: the std must follow it.
    size = np.sqrt(np.mean(held_out["mean"] ** 2, axis=1))
    window_std = np.sqrt(np.mean(std**2, axis=1))
    assert np.corrcoef(np.log(size), np.log(window_std))[0, 1] > 0.9


@pytest.mark.parametrize(
    "name", ["level weights", "level weights + envelope", "output level"]
)
def test_level_weight_calibrations_follow_the_size_of_the_signal(name):
    std, held_out, coverage = _held_out_std(name, seed=0)
    assert 0.92 <= coverage <= 0.98
    size = np.sqrt(np.mean(held_out["mean"] ** 2, axis=1))
    window_std = np.sqrt(np.mean(std**2, axis=1))
    assert np.corrcoef(np.log(size), np.log(window_std))[0, 1] > 0.9


def test_second_pass_calibration_widens_where_a_second_pass_changes_more():
    script = _load_script()
    rng = np.random.default_rng(3)

    def with_second(s):
        # The error is what a second pass changes (plus a little noise).
        second = rng.normal(size=s["mean"].shape) * rng.uniform(
            0.01, 0.4, size=(len(s["mean"]), 1)
        )
        s = dict(s, second=second)
        s["clean"] = s["mean"] + second + 0.01 * rng.normal(size=second.shape)
        return s

    train = [with_second(script_set) for script_set in _sets(rng, 3)]
    held_out = with_second(_window_set(rng))
    std = script.fit("second pass", train)(held_out)
    inside = np.abs(held_out["clean"] - held_out["mean"]) <= script.Z95 * std
    assert 0.92 <= inside.mean() <= 0.98
    changed = np.sqrt(np.mean(held_out["second"] ** 2, axis=1))
    window_std = np.sqrt(np.mean(std**2, axis=1))
    assert np.corrcoef(np.log(changed), np.log(window_std))[0, 1] > 0.9


def _sets(rng, n):
    return [_window_set(rng) for _ in range(n)]


def test_simplex_lstsq_weights_are_nonnegative_and_sum_to_one():
    script = _load_script()
    rng = np.random.default_rng(4)
    features = [rng.normal(size=2000) for _ in range(3)]
    for true in ([0.2, 0.3, 0.5], [0.0, 0.0, 1.0], [0.7, 0.3, 0.0]):
        target = 0.5 + sum(w * f for w, f in zip(true, features, strict=True))
        target = target + 0.01 * rng.normal(size=target.size)
        np.testing.assert_allclose(
            script.simplex_lstsq(target, features), true, atol=0.01
        )
    # Weights outside the simplex come back on its nearest face.
    weights = script.simplex_lstsq(1.5 * features[0] - 0.5 * features[1], features)
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0)
    assert weights[0] == pytest.approx(1.0)


def test_nonnegative_lstsq_drops_a_feature_that_would_be_negative():
    from skdenoise.neural._uncertainty import nonnegative_lstsq

    rng = np.random.default_rng(1)
    a, b = rng.normal(size=500), rng.normal(size=500)
    weights = nonnegative_lstsq(2.0 * a - 1.0 * b + 3.0, [a, b])
    np.testing.assert_allclose(weights, [2.0, 0.0], atol=0.2)
    assert weights[1] == 0.0


def test_spearman_rows_pool_the_held_out_records():
    script = _load_script()
    rng = np.random.default_rng(2)
    window_rms = {}
    for record in ("a", "b"):
        for kind in script.protocol.NOISE_TYPES:
            for level in script.LEVELS:
                true = rng.uniform(0.1, 1.0, 50)
                window_rms["m", "c", record, kind, level] = (true * 2.0, true)
    rows = script.spearman_rows(window_rms, ["a", "b"])
    assert len(rows) == len(script.protocol.NOISE_TYPES) * len(script.LEVELS)
    assert all(row[4] == pytest.approx(1.0) for row in rows)


def test_removed_colour_tells_slow_from_fast_noise():
    script = _load_script()
    rng = np.random.default_rng(0)
    t = np.arange(512)
    removed = np.stack(
        [
            np.sin(2 * np.pi * t / 400),  # a slow wander
            rng.normal(size=512),  # white noise
            (-1.0) ** t,  # the fastest: alternating
            np.zeros(512),  # nothing removed
        ]
    )
    before = removed.copy()
    colour = script.removed_colour(removed * 1e6)
    np.testing.assert_array_equal(removed, before)
    assert colour.shape == removed.shape
    assert np.all(np.isfinite(colour)) and np.all(colour > 0)
    assert colour[0, 0] < 1e-3
    assert 1.8 < colour[1, 0] < 2.2
    np.testing.assert_allclose(colour[2, 0], 4.0)
    assert colour[3, 0] == pytest.approx(1e-6)
    np.testing.assert_allclose(script.removed_colour(removed * 1e-9), colour)
    assert np.all(script.removed_colour(removed[:, :1]) == 1.0)


def test_the_calibration_records_are_none_the_pretrained_network_trained_on(tmp_path):
    # The default records 101 106 112 117 122 held three of the shipped
    # model's training records, quietly called calibration records.
    script = _load_script()
    pretrained = SCRIPT.parents[1] / "skdenoise" / "pretrained" / "ecg_unet.skdenoise"
    trained, validation = script._pretrained_records(pretrained)
    assert "101" in trained and validation == ["117", "122"]
    argv = ["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")]
    argv += ["--pretrained", str(pretrained)]
    with pytest.raises(SystemExit, match=r"record\(s\) 101 112 trained"):
        script.main([*argv, "--records", "101", "112", "117"])
    assert not (tmp_path / "o").exists()
    assert script.parse_args(argv).records is None
