"""Pipelines for real recordings: windowing, per-series scaling and tuning.

Recordings are long and of any length, while the neural denoisers work on series
of the fixed length they were trained on. :class:`WindowedDenoiser` closes the
gap: it trains any denoiser on overlapping windows cut from the series and
denoises series of any length by running the denoiser on their windows and
stitching the results back together. :class:`SeriesWindower` exposes the same
windowing for users who prepare their own training data, and
:class:`SeriesScaler` scales every series on its own.

Everything here is a scikit-learn estimator, so pipelines, ``GridSearchCV``,
``cross_val_score``, ``clone`` and pickling work as usual. Window length, stride
and the inner denoiser's hyper-parameters are tuned together:

>>> import numpy as np
>>> from sklearn.model_selection import GridSearchCV
>>> from skdenoise.baselines import SavitzkyGolayDenoiser
>>> from skdenoise.pipeline import WindowedDenoiser
>>> rng = np.random.default_rng(0)
>>> clean = np.sin(np.linspace(0, 20, 300))[np.newaxis].repeat(6, axis=0)
>>> noisy = clean + 0.2 * rng.standard_normal(clean.shape)
>>> windowed = WindowedDenoiser(SavitzkyGolayDenoiser(), window_length=64)
>>> search = GridSearchCV(windowed, {
...     "window_length": [32, 64],
...     "estimator__window_length": [5, 15]}, cv=2)
>>> search.fit(noisy, clean).best_params_["estimator__window_length"]
15

Scaling
-------
The neural denoisers standardise every series (every window, inside
:class:`WindowedDenoiser`) by itself (``normalize=True``), so they need no
scaler and ``transform(a * X + b)`` equals ``a * transform(X) + b`` for
``a > 0`` (but for ``UNetDenoiser(level_input=True)``, which reads each series'
scale: equivariant to offset only). A scaler in front of a denoiser trained on
(noisy, clean) pairs scales only the noisy inputs, since a ``Pipeline`` never
transforms ``y``: the neural denoisers then learn the affine map from the
scaled units to those of ``y`` in ``fit`` (``target_scale_`` and
``target_offset_``), so that
``make_pipeline(StandardScaler(), UNetDenoiser())`` returns series in the units
of ``y``; the same holds for ``RobustScaler`` and ``MinMaxScaler``.
:class:`SeriesScaler` removes the level and amplitude of every series, so the
denoiser cannot restore them from its input; use it when the clean series share
their units, or map results back with its ``inverse_transform``. A scaler in
front of a denoiser that learns no map to ``y``'s units (the classical filters,
and any denoiser fitted on ``X`` alone: noise added on the fly, self-supervised)
leaves the pipeline's output in the scaled units, and an SNR against ``y`` (a
search's score) then measures the scaling, not the denoising: leave the scaler
out there (the filters do not depend on the scale of a series).

``fit(X, y, <step>__validation_data=(X_val, y_val))`` hands ``X_val`` to the
denoiser as given: a ``Pipeline`` does not pass it through the steps before the
denoiser. Transform it with them (``pipe[:-1].fit(X).transform(X_val)``) or use
``validation_split``; the neural denoisers warn when ``X_val`` lacks a
per-series scaling that every series of ``X`` has, or lies in other units.

Parallel and distributed search
-------------------------------
Every fit of a search is independent, so ``n_jobs`` spreads them over
processes. joblib's default ``loky`` backend starts worker processes and sets
``OMP_NUM_THREADS`` (and the BLAS thread limits) in each to its share of the
cores, ``cpu_count() // n_jobs``. TensorFlow ignores those variables and would
start one thread per core in every worker, so ``n_jobs`` workers would run
``n_jobs`` times more threads than there are cores. skdenoise therefore sets
``TF_NUM_INTRAOP_THREADS`` and ``TF_NUM_INTEROP_THREADS`` to the value of
``OMP_NUM_THREADS`` before it imports TensorFlow, when ``OMP_NUM_THREADS`` is set
and neither TensorFlow variable is; set them yourself to choose otherwise. To
give each worker more threads, use
``joblib.parallel_config(inner_max_num_threads=k)`` around the search. The
number of threads changes the rounding of training: a network fitted in a
worker with one thread and the same network refitted in the calling process
with two differ slightly (cross-validation scores of a tiny U-Net 0.005 dB
apart), so ``cv_results_`` and ``best_estimator_`` come from slightly
different trainings; set the variables yourself for the same everywhere.

.. code-block:: python

    search = GridSearchCV(pipe, grid, cv=3, n_jobs=4)
    search.fit(noisy, clean)

Prefer processes to threads: the ``threading`` backend runs the fits in one
TensorFlow runtime, and seeded fits wait for each other.

On a cluster, `Dask <https://distributed.dask.org>`_ runs the same search
through its joblib backend. Its workers set ``OMP_NUM_THREADS=1`` by default, so
give each worker process one thread and start as many workers as cores:

.. code-block:: python

    import joblib
    from dask.distributed import Client, LocalCluster

    if __name__ == "__main__":  # Dask starts its worker processes afresh
        cluster = LocalCluster(n_workers=4, threads_per_worker=1, processes=True)
        with Client(cluster), joblib.parallel_backend("dask"):
            search.fit(noisy, clean)

Replace ``LocalCluster`` by the address of a running scheduler
(``Client("tcp://scheduler:8786")``) to use several machines; every worker needs
skdenoise installed. `Ray <https://docs.ray.io>`_ provides a joblib backend too:

.. code-block:: python

    import joblib
    import ray
    from ray.util.joblib import register_ray

    ray.init(runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    register_ray()
    with joblib.parallel_backend("ray"):
        search.fit(noisy, clean)

The ``runtime_env`` line makes every Ray worker's TensorFlow use one thread per
task, as above; ``ray.init(address="auto")`` joins a running Ray cluster
instead of starting a local instance. In every case the search's ``refit`` runs
in the calling process. ``pip install "skdenoise[parallel]"`` installs dask,
its distributed scheduler and Ray; both recipes are run by the test suite.
"""

from .preprocessing import SeriesScaler
from .windowing import ResampledDenoiser, SeriesWindower, WindowedDenoiser

__all__ = ["WindowedDenoiser", "SeriesWindower", "ResampledDenoiser", "SeriesScaler"]
