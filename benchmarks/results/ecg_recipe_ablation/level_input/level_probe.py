# ruff: noqa
"""Probe: the benchmark's U-Net given each window's input level as an extra channel.

Every neural denoiser standardises each window by its own mean and standard
deviation (``normalize=True``), so the network never sees how large the input
was, which on ECG says much of how noisy it is (a clean MITDB window has an
RMS of a few tenths of a mV; noise adds to it). This probe appends a constant
channel, ``log(std of the window) - log(0.25 mV)``, to the network's input
(FFDNet's noise-level map, with the window's own level standing in for an
estimate of the noise), builds the U-Net with one more input channel (the
residual added to the series channel only), and runs ``benchmarks/ecg.py``
with the arguments given. Run from the repository root, e.g.:

    python benchmarks/results/ecg_recipe_ablation/level_input/level_probe.py \
        --data-dir ../shared/data/physionet --models hp-wavelet unet \
        --budget-steps 3000 --precision float32 --test-windows 150 \
        --real-records --no-qrs --no-figure --seed 0 --out /tmp/level
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # benchmarks/
import numpy as np
from skdenoise._series import reflect_pad
from skdenoise.neural import _batches
from skdenoise.neural._general import UNetDenoiser
from skdenoise.neural.networks import _convolutional as conv

REF = float(np.log(0.25))  # about a clean window's std in mV (an offset only)


class LevelInput(_batches.NetworkInput):
    def prepare(self, inputs, targets=None):
        inputs = np.asarray(inputs, dtype=np.float64)
        center, scale = self.statistics(inputs)
        left, right = self.padding(inputs.shape[1])
        x = reflect_pad((inputs - center) / scale, left, right)
        level = np.broadcast_to(np.log(scale) - REF, x.shape)
        net_in = self._float32(np.concatenate([x, level], axis=-1))
        if targets is None:
            return net_in
        t = (np.asarray(targets, dtype=np.float64) - center) / scale
        return net_in, self._float32(reflect_pad(t, left, right))


def _network_input(self):
    built = self._built_precision() if hasattr(self, "model_") else None
    return LevelInput(
        normalize=self.normalize,
        padding=self._padding,
        to_network=self._to_network,
        precision=built or self.precision,
    )


def _build_network(self, n_timesteps, n_channels):
    keras = conv.import_keras()
    inputs = keras.Input(shape=(n_timesteps, n_channels + 1), name="noisy")
    out = conv.unet_body(
        inputs, n_channels, self.filters, self.depth, self.kernel_size,
        self.dropout, self.residual, self.max_filters, self.attention_heads,
        self.global_context, self.batch_norm,
    )
    signal = keras.layers.Lambda(lambda t: t[..., :n_channels], name="signal")(inputs)
    out = keras.layers.Add(name="denoised", dtype="float32")([signal, out])
    return keras.Model(inputs, out, name="unet_level")


UNetDenoiser._network_input = _network_input
UNetDenoiser._build_network = _build_network
import ecg

ecg.main(sys.argv[1:])
