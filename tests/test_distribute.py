"""Data-parallel training under a ``tf.distribute`` strategy."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

# Logical devices must be set before TensorFlow initialises its devices, so the
# comparison runs in a fresh process.
SCRIPT = textwrap.dedent(
    """
    import json, pickle, sys
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines

    clean = make_sines(48, 64, random_state=0)
    noisy = clean + 0.3 * np.random.default_rng(0).normal(size=clean.shape)

    def denoiser(epochs, batch_norm=False):
        # 36 training series in batches of 8 (4 per replica): 5 steps an epoch.
        return UNetDenoiser(filters=4, depth=1, epochs=epochs, batch_size=8,
                            validation_split=0.25, random_state=0,
                            batch_norm=batch_norm)

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    report = {"replicas": strategy.num_replicas_in_sync, "ptp": float(np.ptp(noisy))}
    # More than a few steps: the training step runs as a traced graph.
    # With batch normalisation, each replica normalised by the statistics of
    # its own half of the batch: another network than on one device.
    for epochs, key, batch_norm in ((4, "4", False), (4, "4bn", True)):
        one = denoiser(epochs, batch_norm).fit(noisy, clean)
        with strategy.scope():
            two = denoiser(epochs, batch_norm).fit(noisy, clean)
            inside = two.transform(noisy[:1])
        out_one, out_two = one.transform(noisy), two.transform(noisy)
        reloaded = pickle.loads(pickle.dumps(two)).transform(noisy)
        report[key] = {
            "model_replicas": two.model_.distribute_strategy.num_replicas_in_sync,
            "loss_one": one.history_["loss"],
            "loss_two": two.history_["loss"],
            "gate": two.gate_snr_ is not None,
            "output": float(np.max(np.abs(out_one - out_two))),
            "inside": float(np.max(np.abs(inside - out_two[:1]))),
            "reloaded": float(np.max(np.abs(reloaded - out_two))),
            "changed": float(np.max(np.abs(out_one - noisy))),
        }
    print("REPORT", json.dumps(report))
    """
)


def _run_fresh(script, timeout, log_level=True):
    """Run ``script`` in a fresh single-threaded process; the finished process.

    ``log_level=False``: without the parent's ``TF_CPP_MIN_LOG_LEVEL`` (which
    importing skdenoise here set), as in a user's fresh process.
    """
    env = dict(os.environ, TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
    if not log_level:
        env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _report_of(script, timeout):
    """Run ``script`` in a fresh single-threaded process; its REPORT line."""
    result = _run_fresh(script, timeout)
    line = [x for x in result.stdout.splitlines() if x.startswith("REPORT ")][-1]
    return json.loads(line[len("REPORT ") :])


def test_mirrored_strategy_on_two_cpus_matches_one_device():
    report = _report_of(SCRIPT, 300)
    assert report["replicas"] == 2
    scale = report["ptp"]
    for key in ("4", "4bn"):
        run = report[key]
        assert run["model_replicas"] == 2  # trained with the strategy
        assert len(run["loss_two"]) == 4
        assert run["loss_two"] == pytest.approx(run["loss_one"], rel=1e-4)
        assert run["gate"]
        # Training changed something, and both ways to the same network.
        assert run["changed"] > 1e-3 * scale
        assert run["output"] < 1e-5 * scale
        # predict_on_batch of a distributed model repeats the batch per replica.
        assert run["inside"] < 1e-5 * scale
        assert run["reloaded"] < 1e-5 * scale


def test_several_workers_are_refused_with_a_clear_error(monkeypatch):
    import tensorflow as tf

    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines

    class Resolver:
        def cluster_spec(self):
            return tf.train.ClusterSpec({"worker": ["host1:2222", "host2:2222"]})

    class Strategy:
        cluster_resolver = Resolver()

    monkeypatch.setattr(tf.distribute, "has_strategy", lambda: True)
    monkeypatch.setattr(tf.distribute, "get_strategy", lambda: Strategy())
    clean = make_sines(4, 32, random_state=0)
    with pytest.raises(RuntimeError, match="spanning 2 workers"):
        UNetDenoiser(filters=4, depth=1, epochs=1).fit(clean)


UNEVEN = textwrap.dedent(
    """
    import json
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    report = {}
    # Validation series, or training series below batch_size, that the two
    # replicas cannot split evenly: Keras failed deep in TensorFlow on them.
    for n, batch_size, split in ((30, 8, 0.1), (7, 32, 0.0), (11, 8, 0.1), (8, 3, 0)):
        clean = make_sines(n, 32, random_state=0)
        noisy = clean + 0.3 * np.random.default_rng(0).normal(size=clean.shape)
        key = f"{n},{batch_size},{split}"
        try:
            with strategy.scope():
                fitted = UNetDenoiser(
                    filters=2, depth=1, epochs=1, batch_size=batch_size,
                    validation_split=split, random_state=0,
                ).fit(noisy, clean)
            report[key] = sorted(fitted.history_)
        except ValueError as exc:
            report[key] = str(exc)
    # A refit outside the strategy batches for one device again.
    clean = make_sines(7, 32, random_state=0)
    model = UNetDenoiser(filters=2, depth=1, epochs=1, batch_size=4, random_state=0)
    with strategy.scope():
        model.fit(clean + 0.3, clean)
    model.set_params(batch_size=5).fit(clean + 0.3, clean)
    report["refit replicas"] = model.model_.distribute_strategy.num_replicas_in_sync
    # XLA under a strategy: TensorFlow failed with a graph error. 24 steps, so
    # the step is traced (a short fit runs eagerly and ignores XLA).
    clean = make_sines(48, 32, random_state=0)
    try:
        with strategy.scope():
            UNetDenoiser(
                filters=2, depth=1, epochs=3, batch_size=2, validation_split=0,
                jit_compile=True, random_state=0,
            ).fit(clean + 0.3, clean)
        report["xla"] = "trained"
    except ValueError as exc:
        report["xla"] = str(exc)
    print("REPORT", json.dumps(report))
    """
)


def test_batches_the_replicas_cannot_split_evenly():
    report = _report_of(UNEVEN, 600)
    assert report["30,8,0.1"] == ["loss", "val_loss"]
    assert report["7,32,0.0"] == ["loss"]
    assert report["11,8,0.1"] == ["loss", "val_loss"]  # one validation series
    assert "batch_size must be a multiple of 2" in report["8,3,0"]
    assert report["refit replicas"] == 1
    assert "jit_compile=True" in report["xla"] and "2 replicas" in report["xla"]


QUIET_SCRIPT = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np
    import tensorflow as tf

    warnings.simplefilter("ignore")
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines

    clean = make_sines(40, 64, random_state=0)
    noisy = clean + 0.3 * np.random.default_rng(0).normal(size=clean.shape)
    sys.stderr.write("FIT STARTS\\n")
    sys.stderr.flush()
    with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
        for seed in range(2):
            UNetDenoiser(
                filters=4, depth=1, epochs=2, batch_size=8, random_state=seed
            ).fit(noisy, clean)
    sys.stderr.write("FIT ENDS\\n")
    print("REPORT {}")
    """
)


def test_a_fit_under_a_strategy_is_quiet_with_tensorflow_imported_first():
    # At verbose=0 TensorFlow logged, at every fit, that it could not shard
    # the generator dataset by file, and once that it "will not be optimized".
    result = _run_fresh(QUIET_SCRIPT, 300, log_level=False)
    during = result.stderr.split("FIT STARTS\n", 1)[1].split("FIT ENDS\n", 1)[0]
    # But for the line a busy machine shows now and then, from TensorFlow's
    # runtime cancelling a step it started ahead (documented in
    # gpu_and_clusters.rst, harmless, not skdenoise's to silence), and its
    # node name on the next line.
    cancelled = re.compile(
        r"W\d{4} .*local_rendezvous\.cc:\d+\] Local rendezvous is aborting with "
        r"status: CANCELLED: .*\n(\s+\[\[\{\{node \w+\}\}\]\]\n)?"
    )
    assert cancelled.sub("", during) == ""
