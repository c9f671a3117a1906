"""Progress bars: on standard error when asked, nothing with verbose=0."""

import os
import subprocess
import sys

import numpy as np

from skdenoise.classical import SavitzkyGolayDenoiser
from skdenoise.datasets import make_sines
from skdenoise.windowing import WindowedDenoiser


def _windowed(verbose):
    return WindowedDenoiser(
        SavitzkyGolayDenoiser(window_length=5, polyorder=2),
        window_length=32,
        chunk_windows=4,
        verbose=verbose,
    )


def test_windowed_transform_progress_bar(capsys):
    X = make_sines(3, 200, random_state=0)
    quiet = _windowed(0).fit(X, X)
    out_quiet = quiet.transform(X)
    assert capsys.readouterr() == ("", "")
    loud = _windowed(1).fit(X, X)
    out_loud = loud.transform(X)
    captured = capsys.readouterr()
    assert captured.out == ""
    # 3 series x 12 windows of 32 samples (stride 16) in chunks of 4: 9 chunks.
    assert "windows" in captured.err and "9/9" in captured.err
    np.testing.assert_array_equal(out_quiet, out_loud)


def test_a_quiet_fit_prints_nothing_when_tensorflow_was_imported_first(tmp_path):
    # The user's own `import tensorflow` comes before TF_CPP_MIN_LOG_LEVEL can be
    # set: the start-up lines of TensorFlow's first use (CUDA probing, the first
    # tf.data generator) used to come with the first verbose=0 fit.
    code = (
        "import sys, warnings\n"
        "import tensorflow\n"
        "from skdenoise import UNetDenoiser\n"
        "from skdenoise.datasets import make_sines\n"
        "warnings.simplefilter('ignore')\n"
        "X = make_sines(8, 32, random_state=0)\n"
        "print('START', file=sys.stderr, flush=True)\n"
        "UNetDenoiser(filters=2, depth=1, kernel_size=3, epochs=1,"
        " random_state=0).fit(X, X).transform(X)\n"
        "print('END', file=sys.stderr, flush=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    during = result.stderr.split("START\n", 1)[1]
    assert during == "END\n", during


def test_importing_skdenoise_leaves_tensorflow_configurable():
    # Threads and devices can be set only before TensorFlow's runtime starts:
    # importing the networks must not start it.
    code = (
        "import skdenoise\n"
        "from skdenoise import UNetDenoiser\n"
        "import tensorflow as tf\n"
        "tf.config.threading.set_intra_op_parallelism_threads(1)\n"
        "print('configured')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "configured"


def test_early_stopping_says_it_stopped_at_verbose_1_only(capsys):
    # patience= ended training without a word: the epochs simply stopped.
    from skdenoise import UNetDenoiser

    X = make_sines(16, 32, random_state=0)
    settings = dict(filters=2, depth=1, kernel_size=3, epochs=40, patience=1)
    model = UNetDenoiser(**settings, learning_rate=0.5, random_state=0, verbose=1)
    model.fit(X)
    assert model.n_epochs_ < 40  # it did stop early
    out = capsys.readouterr().out
    assert "early stopping" in out and "Restoring model weights" in out
    UNetDenoiser(**settings, learning_rate=0.5, random_state=0).fit(X)
    assert capsys.readouterr() == ("", "")


def test_warnings_of_a_worker_are_not_attributed_to_its_start():
    # A search's loky worker has no frame of the user's: its warnings named
    # multiprocessing/process.py (or <frozen runpy>) as their place.
    import multiprocessing.process
    import threading

    from skdenoise._warnings import _internal

    assert _internal(multiprocessing.process.__file__)
    assert _internal(threading.__file__)
    assert _internal("<frozen runpy>")
    assert not _internal(__file__)
