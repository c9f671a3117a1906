# ruff: noqa: E402
"""
Denoise a real noisy ECG with the pretrained model
==================================================

The ECG denoiser that ships inside the package (see :ref:`pretrained`) needs
no training: :func:`skdenoise.pretrained.load` returns it, fitted, for the
sampling rate of your recording. Here it denoises record ``118e06`` of the
MIT-BIH Noise Stress Test Database: MIT-BIH record 118 with real electrode
motion noise added by the database's own tool, a record the model never saw,
with noise it never saw (the test half of the noise recording). The clean
original of the record shows what was under the noise.

The PhysioNet files are read from ``SKDENOISE_PHYSIONET_DIR`` or the
``shared/data/physionet`` folder beside the repository
(:func:`skdenoise.datasets.fetch_physionet` downloads them). Without them the
example falls back to a synthetic ECG with synthetic noise, which the model
did not learn and removes less well.
"""

# %%
# The recordings
# --------------
# Twenty seconds of one of the record's noisy blocks, at 360 Hz, from its
# second half: the noise there comes from the half of the noise recording
# (samples 325,000 on, 903 s) that the model never trained on. The same stretch
# of the clean original beside it. Both get
# the benchmark's 0.5 Hz high-pass, so that the comparison is about the noise
# and not the recordings' own baseline.
import os
from pathlib import Path

import numpy as np
from scipy import signal

fs = 360.0
start, stop = int(1030 * fs), int(1050 * fs)


def physionet_dir():
    env = os.environ.get("SKDENOISE_PHYSIONET_DIR")
    here = Path(globals().get("__file__", "plot_pretrained_ecg.py")).resolve()
    candidates = [Path(env)] if env else []
    candidates += [p / "shared" / "data" / "physionet" for p in here.parents]
    return next((c for c in candidates if (c / "nstdb").is_dir()), None)


def highpass(x):
    sos = signal.butter(2, 0.5, btype="highpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x)


data_dir = physionet_dir()
if data_dir is not None:
    from skdenoise.datasets import load_mitdb_record, load_nstdb_record

    noisy = highpass(load_nstdb_record("118e06", data_dir))[start:stop]
    clean = highpass(load_mitdb_record("118", data_dir))[start:stop]
    title = "NSTDB 118e06 (real electrode motion noise)"
else:
    from skdenoise.datasets import make_ecg
    from skdenoise.noise import BaselineWander, MuscleNoise, NoiseMixture

    clean = make_ecg(1, stop - start, sampling_rate=fs, random_state=0)[0]
    clean -= clean.mean()
    noise = NoiseMixture(
        [BaselineWander(sampling_rate=fs), MuscleNoise(sampling_rate=fs)]
    )
    noisy = noise.set_params(snr=3.0).apply(clean[None], random_state=0)[0]
    title = "synthetic ECG with synthetic noise (PhysioNet data not found)"

# %%
# Denoise
# -------
# One call loads the model for the recording's sampling rate; ``transform``
# takes any length (the recording is cut into overlapping windows inside) and
# returns an array of the input's shape.
from skdenoise import pretrained
from skdenoise.metrics import snr

denoiser = pretrained.load("ecg", sampling_rate=fs)
denoised = denoiser.transform(noisy[None])[0]

print(f"SNR of the noisy recording:    {snr(clean, noisy):6.2f} dB")
print(f"SNR of the denoised recording: {snr(clean, denoised):6.2f} dB")

# %%
# Before and after
# ----------------
import matplotlib.pyplot as plt

shown = slice(int(2 * fs), int(8 * fs))
t = np.arange(len(clean))[shown] / fs
fig, axes = plt.subplots(2, 1, figsize=(9, 5), sharex=True, sharey=True)
axes[0].plot(t, noisy[shown], color="0.6", lw=0.8, label="noisy")
axes[0].plot(t, clean[shown], color="k", lw=0.9, label="clean original")
axes[0].set_title(f"Before: {title}, {snr(clean, noisy):.1f} dB")
axes[1].plot(t, denoised[shown], color="C0", lw=0.9, label="denoised")
axes[1].plot(t, clean[shown], color="k", lw=0.9, ls="--", label="clean original")
axes[1].set_title(f"After: the pretrained denoiser, {snr(clean, denoised):.1f} dB")
for ax in axes:
    ax.set_ylabel("mV")
    ax.legend(loc="upper right", fontsize=8)
axes[1].set_xlabel("time (s)")
fig.tight_layout()
plt.show()

# %%
# How sure it is
# --------------
# ``predict(X, return_std=True)`` returns the same denoised series and, for
# every sample, a standard deviation: the spread of the network's outputs for
# the recording, its negation and its time reversal, calibrated on the
# model's validation records (``uncertainty="flips"``). The band of two
# standard deviations should hold about 95 % of the clean original; under
# electrode motion, which brings errors the calibration records did not, it
# holds fewer (see the model card), so read it as a lower bound of the error.
from skdenoise.plotting import plot_uncertainty

mean, std = denoiser.predict(noisy[None], return_std=True)
mean, std = mean[0], std[0]
inside = np.abs(clean - mean) <= 1.96 * std
print(f"clean samples inside mean +/- 1.96 std: {inside.mean():.1%}")

fig, ax = plt.subplots(figsize=(9, 3.5), constrained_layout=True)
band = slice(int(4 * fs), int(8 * fs))
plot_uncertainty(
    mean[band],
    std[band],
    noisy=noisy[band],
    clean=clean[band],
    sampling_rate=fs,
    ax=ax,
    title=f"{title}: the pretrained denoiser's band, seconds 4 to 8 (time from 4 s)",
)
plt.show()
