"""Progress bars: on standard error when asked, nothing with verbose=0."""

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
