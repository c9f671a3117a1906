# ruff: noqa: E402
"""
How sure is the denoiser? A calibrated band on a real ECG
=========================================================

``predict(X, return_std=True)`` returns, next to the denoised series, a
standard deviation for every sample: where it is large the network guessed,
where it is small it was sure. Here a small ensemble of U-Nets
(``uncertainty="ensemble"``: networks trained with different seeds, whose
spread is the uncertainty) learns on a few minutes of ECG with electrode
motion noise, and denoises record ``118e12`` of the MIT-BIH Noise Stress Test
Database: MIT-BIH record 118 with real electrode motion noise, a record the
networks never saw. The clean original shows how often it falls inside the
band.

The PhysioNet files are read from ``SKDENOISE_PHYSIONET_DIR`` or the
``shared/data/physionet`` folder beside the repository
(:func:`skdenoise.datasets.fetch_physionet` downloads them). Without them the
example falls back to a synthetic ECG with synthetic noise.
"""

# %%
# Training data and the test recording
# ------------------------------------
# Two minutes of each of three MIT-BIH records (clean, after the benchmark's
# 0.5 Hz high-pass) to learn from; the networks add the first half of the
# electrode motion recording to them, at -6 to 18 dB, afresh for every batch.
# The test stretch is twenty seconds of a noisy block of ``118e12`` from its
# second half, where the noise comes from the half of the recording that the
# networks never drew from.
import os
from pathlib import Path

import numpy as np
from scipy import signal

fs = 360.0
start, stop = int(1030 * fs), int(1050 * fs)


def physionet_dir():
    env = os.environ.get("SKDENOISE_PHYSIONET_DIR")
    here = Path(globals().get("__file__", "plot_uncertainty.py")).resolve()
    candidates = [Path(env)] if env else []
    candidates += [p / "shared" / "data" / "physionet" for p in here.parents]
    return next((c for c in candidates if (c / "nstdb").is_dir()), None)


def highpass(x):
    sos = signal.butter(2, 0.5, btype="highpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x)


data_dir = physionet_dir()
if data_dir is not None:
    from skdenoise.datasets import (
        load_mitdb_record,
        load_nstdb_noise,
        load_nstdb_record,
    )
    from skdenoise.noise import RecordedNoise

    minutes = int(120 * fs)
    train = np.stack(
        [
            highpass(load_mitdb_record(r, data_dir))[:minutes]
            for r in ("100", "101", "103")
        ]
    )
    em = load_nstdb_noise("em", data_dir, channel=0)
    noise = RecordedNoise(em, segment=(0, len(em) // 2), snr=(-6.0, 18.0))
    noisy = highpass(load_nstdb_record("118e12", data_dir))[start:stop]
    clean = highpass(load_mitdb_record("118", data_dir))[start:stop]
    title = "NSTDB 118e12 (real electrode motion noise)"
else:
    from skdenoise.datasets import make_ecg
    from skdenoise.noise import BaselineWander, MuscleNoise, NoiseMixture

    train = make_ecg(3, int(120 * fs), sampling_rate=fs, random_state=0)
    noise = NoiseMixture(
        [BaselineWander(sampling_rate=fs), MuscleNoise(sampling_rate=fs)],
        snr=(-6.0, 18.0),
    )
    clean = make_ecg(1, stop - start, sampling_rate=fs, random_state=1)[0]
    noisy = noise.set_params(snr=3.0).apply(clean[None], random_state=0)[0]
    noise.set_params(snr=(-6.0, 18.0))
    title = "synthetic ECG with synthetic noise (PhysioNet data not found)"
train -= train.mean(axis=1, keepdims=True)

# %%
# An ensemble of tiny U-Nets, window by window
# --------------------------------------------
# :class:`~skdenoise.pipeline.WindowedDenoiser` cuts the recordings into
# windows of 256 samples for training and stitches the outputs back; it
# stitches the standard deviations too (their variances, with the same
# weights as the outputs). The ensemble's spread is calibrated after training
# on the windows held out by ``validation_split``, so that ``mean +/- 1.96
# std`` holds about 95 % of the clean samples *of windows like those*. The
# recording below is another record, under noise of its own: the band holds
# fewer of its samples (about 87 % here), the shift from the calibration
# windows to an unseen recording that the uncertainty benchmark measures too.
# Calibrating on windows of other records (``calibrate_uncertainty``) narrows
# that gap. The networks here are tiny and trained for seconds; see the
# uncertainty benchmark for real ones.
from skdenoise import UNetDenoiser
from skdenoise.pipeline import WindowedDenoiser

model = WindowedDenoiser(
    UNetDenoiser(
        filters=4,
        depth=3,
        kernel_size=9,
        noise=noise,
        epochs=4,
        batch_size=32,
        validation_split=0.2,
        uncertainty="ensemble",
        n_members=3,
        random_state=0,
    ),
    window_length=256,
)
model.fit(train)
mean, std = model.predict(noisy[None], return_std=True)
mean, std = mean[0], std[0]

inside = np.abs(clean - mean) <= 1.96 * std
print(f"clean samples inside mean +/- 1.96 std: {inside.mean():.1%}")

# %%
# The band, and the error it predicts
# -----------------------------------
# Top: four seconds of the recording with the band of two standard
# deviations. Bottom: over the twenty seconds, the root mean square of the
# standard deviation over one second against that of the true error: where
# the noise burst is strong the band widens with the error.
import matplotlib.pyplot as plt

from skdenoise.plotting import plot_uncertainty

fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), constrained_layout=True)
part = slice(int(4 * fs), int(8 * fs))
plot_uncertainty(
    mean[part],
    std[part],
    noisy=noisy[part],
    clean=clean[part],
    sampling_rate=fs,
    ax=top,
    title=f"{title}, seconds 4 to 8 (time from 4 s)",
)
second = np.ones(int(fs)) / fs


def moving_rms(x):
    return np.sqrt(np.convolve(x**2, second, mode="same"))


time = np.arange(len(mean)) / fs
bottom.plot(time, moving_rms(clean - mean), color="black", label="true error")
bottom.plot(time, moving_rms(std), color="C0", label="predicted std")
bottom.set_xlabel("time (s)")
bottom.set_ylabel("RMS over 1 s (mV)")
bottom.legend(loc="upper right", fontsize="small")
plt.show()
