"""Parallel searches: joblib's loky workers, TensorFlow's threads in them, dask."""

import concurrent.futures
import os
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skdenoise import _tf
from skdenoise.datasets import make_sines
from skdenoise.pipeline import SeriesScaler, WindowedDenoiser

TF_VARS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def small_search(**kwargs):
    from skdenoise import UNetDenoiser

    unet = UNetDenoiser(
        filters=4, depth=1, kernel_size=3, epochs=1, batch_size=16, random_state=0
    )
    pipe = make_pipeline(SeriesScaler(), WindowedDenoiser(unet, window_length=32))
    grid = {"windoweddenoiser__estimator__filters": [4, 8]}
    return GridSearchCV(pipe, grid, cv=2, **kwargs)


@pytest.fixture(scope="module")
def data():
    clean = make_sines(8, 64, random_state=0).astype(np.float32)
    noise = np.random.default_rng(0).normal(size=clean.shape).astype(np.float32)
    return clean + 0.3 * noise, clean


@pytest.fixture(scope="module")
def serial(data):
    """The search in this process, which the parallel ones must reproduce.

    Fitted once for the loky, dask and Ray tests, which only read it.
    """
    noisy, clean = data
    return small_search(n_jobs=1).fit(noisy, clean)


def _probe_worker():
    """Thread settings and TensorFlow inter-op threads of the calling process."""
    tf = _tf.import_tensorflow()
    tf.reduce_sum(tf.ones((8, 8))).numpy()
    names = []
    if os.path.isdir("/proc/self/task"):
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/comm") as f:
                names.append(f.read().strip())
    env = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", *TF_VARS)}
    return {**env, "inter_op_threads": names.count("tf_Compute"), "linux": bool(names)}


def test_grid_search_with_two_loky_workers(data, serial, monkeypatch):
    from joblib import Parallel, delayed
    from joblib.externals.loky import get_reusable_executor

    noisy, clean = data
    # Fresh workers that inherit no thread settings, as a user's would: joblib
    # gives each cpu_count() // n_jobs threads through OMP_NUM_THREADS.
    for name in ("OMP_NUM_THREADS", *TF_VARS):
        monkeypatch.delenv(name, raising=False)
    get_reusable_executor().shutdown(wait=True, kill_workers=True)
    parallel = small_search(n_jobs=2).fit(noisy, clean)
    # The same (reused) workers, in which the search imported TensorFlow.
    reports = Parallel(n_jobs=2)(delayed(_probe_worker)() for _ in range(4))
    share = str(max(1, os.cpu_count() // 2))
    for report in reports:
        assert report["OMP_NUM_THREADS"] == share
        assert report["TF_NUM_INTRAOP_THREADS"] == share
        assert report["TF_NUM_INTEROP_THREADS"] == share
        if report["linux"]:
            assert report["inter_op_threads"] <= int(share)
    get_reusable_executor().shutdown(wait=True, kill_workers=True)

    assert_allclose(
        parallel.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-4,
    )
    assert parallel.best_params_ == serial.best_params_
    assert_allclose(
        parallel.best_estimator_.transform(noisy),
        serial.best_estimator_.transform(noisy),
        atol=1e-5,
    )


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"OMP_NUM_THREADS": "3"}, ("3", "3")),
        ({"OMP_NUM_THREADS": "3", "TF_NUM_INTRAOP_THREADS": "2"}, ("2", None)),
        ({}, (None, None)),
        ({"OMP_NUM_THREADS": "auto"}, (None, None)),
    ],
)
def test_tensorflow_follows_omp_num_threads(monkeypatch, environ, expected):
    for name in ("OMP_NUM_THREADS", *TF_VARS):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # As in a fresh process, before TensorFlow is imported.
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    _tf._limit_threads()
    assert tuple(os.environ.get(name) for name in TF_VARS) == expected


def test_tensorflow_is_left_alone_once_imported(monkeypatch):
    _tf.import_tensorflow()
    for name in TF_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    _tf._limit_threads()
    assert all(name not in os.environ for name in TF_VARS)


def test_grid_search_on_a_dask_cluster(data, serial, monkeypatch):
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    import joblib

    noisy, clean = data
    # Workers start without thread settings of ours (they inherit os.environ).
    for name in TF_VARS:
        monkeypatch.delenv(name, raising=False)
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        processes=True,
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:

        def run():
            with joblib.parallel_backend("dask", wait_for_workers_timeout=60):
                return small_search().fit(noisy, clean)

        search = pool.submit(run).result(timeout=240)
        workers_env = client.run(lambda: os.environ.get("TF_NUM_INTRAOP_THREADS"))
    finally:
        client.close()
        cluster.close()
        pool.shutdown(wait=False)
    # The same search as in this process: a worker's event loop draws from
    # Python's random while the fits build their layers, which shifted the
    # layers' seeds (scores up to 3 dB apart from run to run).
    assert_allclose(
        search.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-4,
    )
    assert search.best_estimator_.transform(noisy).shape == noisy.shape
    # Dask's workers set OMP_NUM_THREADS=1, which TensorFlow now follows.
    assert set(workers_env.values()) == {"1"}


def test_a_seeded_fit_is_the_same_while_another_thread_draws_random(data):
    import random
    import threading

    from skdenoise import UNetDenoiser

    noisy, clean = data

    def fit():
        model = UNetDenoiser(filters=2, depth=1, epochs=1, random_state=0)
        return model.fit(noisy, clean).transform(noisy)

    reference = fit()
    stop = threading.Event()
    drawn = []

    def other_library():  # an event loop drawing its jitter, say
        while not stop.is_set():
            drawn.append(random.random())

    thread = threading.Thread(target=other_library, daemon=True)
    thread.start()
    try:
        outputs = [fit() for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    assert drawn
    for output in outputs:
        np.testing.assert_array_equal(output, reference)


def _ray_worker_threads():
    """TensorFlow's thread settings in a Ray worker, once skdenoise imported it."""
    _tf.import_tensorflow()
    return os.environ.get("TF_NUM_INTRAOP_THREADS")


def test_grid_search_on_a_local_ray_instance(data, serial, monkeypatch):
    ray = pytest.importorskip("ray")
    import joblib
    from ray.util.joblib import register_ray

    noisy, clean = data
    # Workers start without thread settings of ours (they inherit os.environ).
    for name in TF_VARS:
        monkeypatch.delenv(name, raising=False)
    # As the user guide's recipe, on two CPUs and without the dashboard.
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}},
        log_to_driver=False,
    )
    try:
        register_ray()
        with joblib.parallel_backend("ray"):
            search = small_search().fit(noisy, clean)
        probe = ray.remote(_ray_worker_threads)
        workers_env = ray.get([probe.remote() for _ in range(2)])
    finally:
        ray.shutdown()
    assert_allclose(
        search.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-4,
    )
    assert search.best_params_ == serial.best_params_
    # The recipe's OMP_NUM_THREADS=1 reaches TensorFlow in the workers.
    assert set(workers_env) == {"1"}


def test_ensemble_members_train_in_this_process_where_a_gpu_is_seen(monkeypatch):
    from skdenoise import UNetDenoiser
    from skdenoise.neural import _uncertainty

    denoiser = UNetDenoiser(uncertainty="ensemble", n_members=3, n_jobs=3)
    monkeypatch.setattr(_uncertainty, "_gpu_visible", lambda: False)
    assert _uncertainty.n_processes(denoiser) == 3
    monkeypatch.setattr(_uncertainty, "_gpu_visible", lambda: True)
    assert _uncertainty.n_processes(denoiser) == 1


def test_ensemble_workers_are_counted_as_joblib_would_run_them(monkeypatch):
    # Under joblib's threading backend (a search's n_jobs in threads) loky
    # runs no workers: joblib said so in a warning at every fit (verbose=0).
    import warnings

    import joblib

    from skdenoise import UNetDenoiser
    from skdenoise.neural import _uncertainty

    monkeypatch.setattr(_uncertainty, "_gpu_visible", lambda: False)
    denoiser = UNetDenoiser(uncertainty="ensemble", n_members=3, n_jobs=2)

    def count(_):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            jobs = _uncertainty.n_processes(denoiser)
        return jobs, [str(w.message) for w in caught]

    with joblib.parallel_config(backend="threading", n_jobs=2):
        counted = joblib.Parallel()(joblib.delayed(count)(i) for i in range(2))
    assert counted == [(1, []), (1, [])]
    assert count(0) == (2, [])


def test_an_ensemble_member_that_cannot_be_pickled_is_named_before_training():
    # A callback holding a lock copies but does not pickle: the fit failed
    # once model_ had trained, with joblib's words naming no parameter.
    import threading

    import keras

    from skdenoise import ConvAutoencoderDenoiser
    from skdenoise.neural import _uncertainty

    class Locked(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.lock = threading.Lock()

        def __deepcopy__(self, memo):
            return Locked()

    trained = []
    denoiser = ConvAutoencoderDenoiser(
        **ConvAutoencoderDenoiser._get_test_params(),
        uncertainty="ensemble",
        n_members=2,
        n_jobs=2,
        callbacks=[Locked()],
    )
    denoiser._train = lambda *args, **kwargs: trained.append(args)
    clean = make_sines(8, 32, random_state=0)
    old = _uncertainty.n_processes
    _uncertainty.n_processes = lambda estimator: 2
    try:
        with pytest.raises(ValueError, match=r"its parameter callbacks=.* cannot be"):
            denoiser.fit(clean + 0.1, clean)
    finally:
        _uncertainty.n_processes = old
    assert not trained


def test_overlapping_quiet_blocks_in_threads_restore_the_logger_level():
    # A block entered while another held the level at ERROR saved ERROR as the
    # level to restore: after transform in several threads TensorFlow's logger
    # stayed at ERROR for good.
    import logging
    import threading

    from skdenoise._tf import quiet_tf_logger

    logger = logging.getLogger("tensorflow")
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        first_in, second_in, first_out = (threading.Event() for _ in range(3))
        seen = []  # the level inside the second block once the first left

        def first():
            with quiet_tf_logger():
                first_in.set()
                second_in.wait(5)
            first_out.set()

        def second():
            first_in.wait(5)
            with quiet_tf_logger():
                second_in.set()
                first_out.wait(5)
                seen.append(logger.level)

        threads = [threading.Thread(target=f) for f in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        # (An assertion inside a thread would not fail the test.)
        assert seen == [logging.ERROR]
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)
