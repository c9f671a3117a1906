"""Probe: a saved U-Net's outputs averaged over sub-grid time shifts.

Runs ``ecg_low_snr_validation.py`` with one change: a model given as
``FILE#N`` averages its network's outputs over N shifts ``s = k * 16 / N``
(``k = 0 .. N - 1``; 16 is the network's length multiple): the series
reflect-padded by ``s`` samples in front and ``(16 - s) % 16`` behind, the
output cropped back. The gates and passes stay as calibrated.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import _ecg_protocol as protocol  # noqa: E402
import ecg_low_snr_validation as validation  # noqa: E402

from skdenoise.neural._base import BaseNeuralDenoiser  # noqa: E402

_load_saved = protocol.load_saved
_network_outputs = BaseNeuralDenoiser._network_outputs


def load_saved(path, script, **kwargs):
    path, _, shifts = str(path).partition("#")
    model = _load_saved(path, script, **kwargs)
    model._probe_shifts = int(shifts or 1)
    return model


def shifted_outputs(self, X3, predict=None, flips=None):
    n = getattr(self, "_probe_shifts", 1)
    if n <= 1:
        return _network_outputs(self, X3, predict, flips)
    grid = self._length_multiple()
    length = X3.shape[1]
    out = np.zeros(X3.shape, dtype=np.float64)
    for k in range(n):
        before = k * grid // n
        after = (grid - before) % grid
        padded = np.pad(X3, ((0, 0), (before, after), (0, 0)), mode="reflect")
        out += _network_outputs(self, padded, predict, flips)[
            :, before : before + length
        ]
    return out / n


protocol.load_saved = load_saved
BaseNeuralDenoiser._network_outputs = shifted_outputs

if __name__ == "__main__":
    validation.main()
