# ruff: noqa: E402
"""
Denoise an ECG with the pretrained model
========================================

No training: :func:`skdenoise.pretrained.load` returns the ECG denoiser that
ships in the package, set to the sampling rate of your recording. Here a
12-second synthetic ECG at 500 Hz, with baseline wander and muscle noise at
0 dB, is denoised in two lines. What the model was trained on and its limits
are in its model card, :doc:`/pretrained`.
"""

# %%
# A noisy recording at 500 Hz
# ---------------------------
# :func:`~skdenoise.datasets.make_ecg` draws a synthetic ECG (in mV); the
# noise is a mixture of baseline wander and muscle noise, scaled to an SNR of
# 0 dB: as much noise as signal.
from skdenoise.datasets import make_ecg
from skdenoise.metrics import snr
from skdenoise.noise import BaselineWander, MuscleNoise, NoiseMixture

rate = 500.0
clean = make_ecg(2, int(12 * rate), sampling_rate=rate, heart_rate=70, random_state=0)
noise = NoiseMixture(
    [BaselineWander(sampling_rate=rate), MuscleNoise(sampling_rate=rate)], snr=0.0
)
noisy = noise.apply(clean, random_state=1)
print(f"input SNR: {snr(clean, noisy):.1f} dB")

# %%
# Denoise it
# ----------
# The model works at 360 Hz on 512-sample windows; the denoiser resamples the
# series to 360 Hz and back and stitches the windows together, so the output
# has the input's shape. A 12-lead record, of shape ``(n_records, n_samples,
# 12)``, is denoised lead by lead the same way.
from skdenoise import pretrained

denoiser = pretrained.load("ecg", sampling_rate=rate)
denoised = denoiser.transform(noisy)
print(f"output shape {denoised.shape}, output SNR: {snr(clean, denoised):.1f} dB")

# %%
# A clean ECG is left nearly alone: the model's no-harm gate trusts its
# corrections less when it finds little noise to remove.
print(f"clean ECG through the denoiser: {snr(clean, denoiser.transform(clean)):.1f} dB")

# %%
# Before and after
# ----------------
# Four seconds of each recording: the noisy input in grey, the clean ECG in
# black and the denoised one in colour.
import matplotlib.pyplot as plt

from skdenoise.plotting import plot_examples

part = slice(int(4 * rate), int(8 * rate))
plot_examples(
    clean[:, part],
    noisy[:, part],
    {"pretrained ECG denoiser": denoised[:, part]},
    sampling_rate=rate,
    titles=["recording 1", "recording 2"],
)
plt.show()
