"""Lazy, quiet access to Keras and TensorFlow.

Importing TensorFlow costs seconds, so nothing in the package imports it at
module level outside the modules that define Keras objects; those are imported on
first use.
"""

import contextlib
import os
import random
import re
import sys
import tempfile
import threading
import time
import warnings
from contextlib import contextmanager

__all__ = [
    "import_keras",
    "import_tensorflow",
    "load_keras_model",
    "quiet_tf_logger",
]

# Whether TensorFlow's import-time start-up, and its runtime's first use, ran
# in this process (under _START_LOCK).
_STARTED = False
_RUNTIME_STARTED = False
_DISTRIBUTED_STARTED = False
_START_LOCK = threading.Lock()


def _quiet_environment():
    if "tensorflow" not in sys.modules:
        # Hide TensorFlow's C++ log lines (oneDNN notices, CUDA probing); errors
        # still reach the user as Python exceptions. A user's own setting wins.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    _limit_threads()


def _limit_threads():
    """Give TensorFlow the thread budget that ``OMP_NUM_THREADS`` sets.

    TensorFlow sizes its thread pools by the number of cores and ignores
    ``OMP_NUM_THREADS``, which joblib's loky workers (and dask's) set to their
    share of the cores; without this, every worker of a parallel search would
    run one TensorFlow thread per core. Explicit ``TF_NUM_*_THREADS`` win.
    """
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if "tensorflow" in sys.modules or not limit.isdigit() or int(limit) < 1:
        return
    if not {"TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"} & set(os.environ):
        os.environ["TF_NUM_INTRAOP_THREADS"] = limit
        os.environ["TF_NUM_INTEROP_THREADS"] = limit


# Informational lines TensorFlow's C++ runtime prints at import time, before its
# log level can be set (oneDNN notice, CUDA probing on CPU-only machines).
_IMPORT_NOISE = re.compile(
    r"^(I\d{4} .*|WARNING: All log messages before absl::InitializeLog\(\) .*"
    r"|To enable the following instructions:.*"
    r"|E\d{4} .*failed call to cuInit: .*)$"
)


# The line a strategy's first distributed generator dataset logs, besides those.
_NOT_OPTIMIZED = (
    r"W\d{4} .*dataset\.cc:\d+\] Input of GeneratorDatasetOp::Dataset will "
    r"not be optimized.*"
)
_DISTRIBUTE_NOISE = re.compile(_IMPORT_NOISE.pattern[:-2] + "|" + _NOT_OPTIMIZED + ")$")


@contextmanager
def _filtered_stderr(noise=None, wait_for=None, timeout=1.0):
    """Drop TensorFlow's start-up INFO lines from file descriptor 2, keep the rest.

    ``noise``: a compiled pattern of the lines to drop instead. ``wait_for``:
    a pattern of a line that TensorFlow logs from a thread of its own, which
    may come after the block: the filter stays on until it is seen, for at
    most ``timeout`` seconds (on a busy machine it came after, unfiltered).
    """
    noise = noise or _IMPORT_NOISE
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), fd)
        try:
            try:
                yield
            finally:
                sys.stderr.flush()
                if wait_for is not None:
                    _wait_for_line(capture, wait_for, timeout)
        finally:
            # Whatever happened above (a Ctrl-C in the wait too), fd 2 is the
            # process's stderr again.
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            kept = [
                line
                for line in capture.read().decode(errors="replace").splitlines()
                if not noise.match(line)
            ]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")


# TF_CPP_MIN_LOG_LEVEL when skdenoise imported TensorFlow (None: the user
# imported it first, at a level not known here).
_IMPORT_LOG_LEVEL = None


def _log_level():
    """TensorFlow's C++ log level as set in the environment (0 if unset or bad)."""
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


def _wait_for_line(capture, pattern, timeout):
    """Wait until the file ``capture`` holds a line ``pattern`` matches."""
    deadline = time.monotonic() + timeout
    with open(capture.fileno(), "rb", closefd=False) as reader:
        while time.monotonic() < deadline:
            reader.seek(0)
            text = reader.read().decode(errors="replace")
            if any(pattern.match(line) for line in text.splitlines()):
                return
            time.sleep(0.01)


def _start_quietly(with_keras):
    """Import TensorFlow (and Keras) and probe its devices, filtered.

    Once per process, also when the user imported TensorFlow or Keras first:
    ``TF_CPP_MIN_LOG_LEVEL`` is then set too late, and probing for GPUs logs an
    error line on machines without CUDA. The runtime itself is not started
    here, so that the user can still configure TensorFlow (threads, devices,
    GPU memory) after importing skdenoise.
    """
    global _STARTED
    if _STARTED and (not with_keras or "keras" in sys.modules):
        return
    global _IMPORT_LOG_LEVEL
    with _START_LOCK, _filtered_stderr():
        if "tensorflow" not in sys.modules:
            # The level TensorFlow reads as it is imported here.
            _IMPORT_LOG_LEVEL = _log_level()
        if with_keras:
            import keras  # noqa: F401
        import tensorflow as tf

        if not _STARTED:
            tf.config.list_physical_devices()
            _STARTED = True


def start_runtime_quietly():
    """Run TensorFlow's first ``tf.data`` generator once, filtered.

    The first generator dataset of a process logs an INFO line (a malloc
    setting) that ``TF_CPP_MIN_LOG_LEVEL`` does not hide when the user imported
    TensorFlow before skdenoise. Called when a fit builds its batches, where
    the runtime starts anyway.
    """
    global _RUNTIME_STARTED, _DISTRIBUTED_STARTED
    tf = import_tensorflow()
    if not _RUNTIME_STARTED:
        with _START_LOCK, _filtered_stderr():
            if not _RUNTIME_STARTED:
                for _ in tf.data.Dataset.from_generator(
                    lambda: iter((0,)), output_signature=tf.TensorSpec((), tf.int32)
                ):
                    pass
                _RUNTIME_STARTED = True
    if _DISTRIBUTED_STARTED or not tf.distribute.has_strategy():
        return
    # Under a strategy, the first generator dataset it distributes logs, once
    # per process, that it "will not be optimized" (a warning of no
    # consequence, printed at verbose=0 when the user imported TensorFlow
    # first): a tiny one is distributed here, filtered.
    # The line comes from a thread of tf.data's, over a second later on a
    # busy machine and over 5 s on one loaded at 1.7 times its cores (once
    # per process: a first fit under a strategy waits for it, at most 10 s).
    with (
        _START_LOCK,
        _filtered_stderr(
            _DISTRIBUTE_NOISE,
            # Not logged at all when skdenoise imported TensorFlow at a
            # TF_CPP_MIN_LOG_LEVEL of 2 or more (it sets 3 by default):
            # nothing to wait for. (TensorFlow reads the level once, at its
            # import: one set later by the user hides nothing.)
            wait_for=None
            if _IMPORT_LOG_LEVEL is not None and _IMPORT_LOG_LEVEL >= 2
            else re.compile(f"^{_NOT_OPTIMIZED}$"),
            timeout=10.0,
        ),
    ):
        if not _DISTRIBUTED_STARTED:
            tiny = tf.data.Dataset.from_generator(
                lambda: iter((0, 1)), output_signature=tf.TensorSpec((), tf.int32)
            ).batch(2)
            options = tf.data.Options()
            options.experimental_distribute.auto_shard_policy = (
                tf.data.experimental.AutoShardPolicy.OFF
            )
            strategy = tf.distribute.get_strategy()
            for _ in strategy.experimental_distribute_dataset(
                tiny.with_options(options)
            ):
                pass
            _DISTRIBUTED_STARTED = True


@contextmanager
def _random_kept():
    """Keep Python's ``random`` state: importing TensorFlow draws from it."""
    state = random.getstate()
    try:
        yield
    finally:
        random.setstate(state)


def import_keras():
    """Import and return ``keras`` (Keras 3 on the TensorFlow backend)."""
    _quiet_environment()
    with _random_kept():
        _start_quietly(with_keras=True)
        import keras

    if keras.backend.backend() != "tensorflow":
        raise ImportError(
            "skdenoise needs Keras 3 with the TensorFlow backend; KERAS_BACKEND is "
            f"{keras.backend.backend()!r}. Unset it or set it to 'tensorflow'."
        )
    return keras


def import_tensorflow():
    """Import and return ``tensorflow`` with its log lines quietened."""
    _quiet_environment()
    with _random_kept():
        _start_quietly(with_keras=False)
        import tensorflow as tf

    return tf


# Seeding Python's ``random`` (for builders that draw from it; Keras' own
# default seeds have a stream per thread, below) is serialised across threads.
SEED_LOCK = threading.RLock()

# The stream of default seeds of the thread's innermost ``seeded`` block.
_SEEDED = threading.local()


class _SeedSource:
    """Keras' default-seed source, in place of the ``random`` module.

    In a thread inside :func:`seeded`, a ``random.Random`` of that block's
    seed; elsewhere the ``random`` module itself. With the module as the
    source, another thread's draws (a dask worker's event loop, a user's
    thread) shifted the seeds of a fit's layers.
    """

    def __getattr__(self, name):
        stream = getattr(_SEEDED, "stream", None)
        return getattr(random if stream is None else stream, name)


def _seed_source_installed():
    """Put :class:`_SeedSource` where Keras draws its default seeds."""
    try:
        from keras.src.random import seed_generator
    except ImportError:  # pragma: no cover - another Keras layout
        return False
    if not hasattr(seed_generator, "python_random"):  # pragma: no cover
        return False
    if not isinstance(seed_generator.python_random, _SeedSource):
        seed_generator.python_random = _SeedSource()
    return True


@contextmanager
def seeded(seed):
    """Seed Keras' default seeds and Python's ``random``; restore it on exit.

    Layers built inside draw their seeds from ``random.Random(seed)`` in this
    thread only, whatever other threads draw meanwhile. Python's ``random``
    is seeded too (for a user's builder that draws from it), serialised
    across threads, and its state restored: the script's own stream of
    ``random`` numbers is the same afterwards as before. ``seed=None`` does
    nothing.
    """
    if seed is None:
        yield
        return
    installed = _seed_source_installed()
    with SEED_LOCK:
        python_state = random.getstate()
        random.seed(seed)
        previous = getattr(_SEEDED, "stream", None)
        if installed:
            _SEEDED.stream = random.Random(seed)
        try:
            yield
        finally:
            if installed:
                _SEEDED.stream = previous
            random.setstate(python_state)


# Keras' message for a class or function of a saved model it cannot find.
_NOT_FOUND = re.compile(r"Could not locate (class|function) '([^']+)'")


def _safe_mode_scope(safe_mode):
    """Keras' safe mode held on for a load that asks for it.

    ``keras.config.enable_unsafe_deserialization()``, which Keras' own
    refusal suggests, turns safe mode off for every later load of the
    thread, whatever ``safe_mode`` the load passes: a file's code would then
    run inside a load that promises not to run any.
    """
    if not safe_mode:
        return contextlib.nullcontext()
    try:
        from keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:  # pragma: no cover - another Keras layout
        return contextlib.nullcontext()
    return SafeModeScope(True)


def saved_compile_settings(model):
    """The dict of compile settings Keras saves with ``model``, or None.

    Edited in place where the saved settings must differ from those the model
    was compiled with (``run_eagerly``, ``jit_compile``).
    """
    config = getattr(getattr(model, "_compile_config", None), "config", None)
    return config if isinstance(config, dict) else None


def leave_xla_to_the_machine(model):
    """Let ``model``'s saved compilation say ``jit_compile="auto"``; ``model``.

    Keras resolves ``"auto"`` for the machine that compiles (XLA with a GPU,
    not on a CPU) and saves the answer: a file fitted on a GPU compiled every
    new batch shape with XLA on a CPU, one fitted on a CPU ran without XLA on a
    GPU. The file keeps ``"auto"``, for the machine that loads it.
    """
    config = saved_compile_settings(model)
    if config is not None and "jit_compile" in config:
        config["jit_compile"] = "auto"
    return model


_NO_OPTIMIZER_STATE = (
    r"Skipping variable loading for optimizer '[^']*', because it has \d+ "
    r"variables whereas the saved optimizer has 2 variables"
)


def load_keras_model(path, safe_mode=True, **kwargs):
    """``keras.saving.load_model(path, safe_mode=safe_mode, ...)``, clearly failing.

    A model with a custom layer (or other object) that was not registered
    with Keras loads with an error about deserialising the whole model, the
    missing class only named in the exception's causes; it is named here.
    """
    keras = import_keras()
    try:
        # Layers rebuilt without a seed (dropout) draw one from Python's
        # random: seeded, a load is reproducible and leaves the script's
        # stream of random numbers alone.
        with seeded(0), _safe_mode_scope(safe_mode), warnings.catch_warnings():
            # A network saved with an optimizer that never took a step (its
            # iterations and learning rate: the pretrained model's file)
            # warned, in Keras' words, that a fresh one starts: it does.
            warnings.filterwarnings("ignore", message=_NO_OPTIMIZER_STATE)
            model = keras.saving.load_model(path, safe_mode=safe_mode, **kwargs)
        return leave_xla_to_the_machine(model)
    except Exception as exc:
        cause = exc
        while cause is not None:
            found = _NOT_FOUND.search(str(cause))
            if found:
                kind, name = found.groups()
                raise ValueError(
                    f"The Keras network uses the custom {kind} {name!r}, which "
                    "Keras cannot find to load it: custom layers (and other "
                    "custom objects) must be decorated with "
                    "@keras.saving.register_keras_serializable() and their module "
                    "imported before loading (or loaded inside "
                    "keras.saving.custom_object_scope)."
                ) from exc
            cause = cause.__cause__ or cause.__context__
        raise


_QUIET_LOCK = threading.Lock()
_QUIET_STATE = {"depth": 0, "level": 0}


@contextmanager
def quiet_tf_logger():
    """Silence the ``tensorflow`` Python logger's warnings for a block.

    Building and running many small models in one process (grid searches, tests)
    makes TensorFlow warn about ``tf.function`` retracing, which is expected here.
    The logger's level is restored afterwards.
    """
    import logging

    logger = logging.getLogger("tensorflow")
    # Blocks in several threads overlap: the first to enter keeps the level
    # and the last to leave puts it back (a block entered while another held
    # ERROR took ERROR for the level to restore, for good).
    with _QUIET_LOCK:
        if _QUIET_STATE["depth"] == 0:
            _QUIET_STATE["level"] = logger.level
            logger.setLevel(logging.ERROR)
        _QUIET_STATE["depth"] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET_STATE["depth"] -= 1
            if _QUIET_STATE["depth"] == 0:
                logger.setLevel(_QUIET_STATE["level"])
