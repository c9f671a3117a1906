"""The GPU probe's packed records and arm settings (benchmarks/gpu_steps.py)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_steps.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("benchmark_gpu_steps", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_codes_keep_the_millivolts_exactly_and_refuse_other_values():
    gpu_steps = _load_script()
    x = np.array([-1.0, 0.005, 2.335, -5.12])
    codes = gpu_steps._codes(x, "probe")
    assert codes.dtype == np.int16
    np.testing.assert_array_equal(codes / 200.0, x)
    with pytest.raises(ValueError, match="probe is not 200 integer codes per mV"):
        gpu_steps._codes(np.array([0.0012]), "probe")


def test_packed_records_replace_the_protocols_readers(tmp_path, monkeypatch):
    gpu_steps = _load_script()
    import _ecg_protocol as protocol

    # Put the protocol's own readers back after the test.
    monkeypatch.setattr(protocol, "load_mitdb_record", protocol.load_mitdb_record)
    monkeypatch.setattr(protocol, "load_nstdb_noise", protocol.load_nstdb_noise)
    path = tmp_path / "pack.npz"
    np.savez_compressed(
        path,
        mitdb_100=np.array([1, -2, 3], dtype=np.int16),
        nstdb_em_1=np.array([400, 0], dtype=np.int16),
    )
    assert gpu_steps.use_packed(path) is protocol
    np.testing.assert_array_equal(
        protocol.load_mitdb_record("100", None), [0.005, -0.01, 0.015]
    )
    np.testing.assert_array_equal(
        protocol.load_nstdb_noise("em", None, channel=1), [2.0, 0.0]
    )
    with pytest.raises(ValueError, match="channel 0"):
        protocol.load_mitdb_record("100", None, channel=1)
    # Through the protocol's own reading of a record (train and score crashed).
    codes = np.random.default_rng(0).integers(-300, 300, 4000).astype(np.int16)
    np.savez_compressed(path, mitdb_101=codes)
    gpu_steps.use_packed(path)
    expected = protocol.reference_highpass(codes / 200.0)
    np.testing.assert_array_equal(protocol.clean_record("101", None), expected)
    with pytest.raises(ValueError, match="one whole channel"):
        protocol.load_nstdb_noise("em", None)


def test_an_arm_takes_steps_or_seconds_and_network_settings():
    gpu_steps = _load_script()
    assert gpu_steps.parse_arm(["steps=20000", "filters=16"]) == {
        "steps": 20000,
        "filters": 16,
    }
    assert gpu_steps.parse_arm(["seconds=330.5"]) == {"seconds": 330.5}
    for bad in (["filters=16"], ["steps=1", "seconds=2"], ["steps"]):
        with pytest.raises(SystemExit):
            gpu_steps.parse_arm(bad)
