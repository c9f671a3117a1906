# ruff: noqa: E402
"""
The noise models
================

Every noise model of :mod:`skdenoise.noise` corrupts a clean synthetic ECG at
the same signal-to-noise ratio, 6 dB, so that their shapes can be compared:
in time on the left, and as power spectra on the right.
"""

# %%
# A clean ECG and the models
# --------------------------
# ``apply(X, random_state)`` returns a noisy copy of ``X``; with ``snr=6.0`` each
# series gets noise scaled so that ``10 log10(sum(x**2) / sum(n**2))`` is exactly
# 6 dB. :class:`~skdenoise.noise.RecordedNoise` replays stretches of a real
# recording; here a stand-in recording (filtered random noise) plays its part.
import numpy as np
from scipy.signal import butter, sosfiltfilt

from skdenoise.datasets import make_ecg
from skdenoise.metrics import snr
from skdenoise.noise import (
    BaselineWander,
    ColoredNoise,
    ImpulseNoise,
    MuscleNoise,
    NoiseMixture,
    PowerlineNoise,
    RecordedNoise,
    WhiteNoise,
)

fs = 360.0
clean = make_ecg(
    n_series=1,
    n_timesteps=1080,
    sampling_rate=fs,
    random_state=0,
)
clean -= clean.mean()

rng = np.random.default_rng(0)
recording = sosfiltfilt(
    butter(4, [5.0, 40.0], btype="bandpass", fs=fs, output="sos"),
    rng.standard_normal(60 * int(fs)),
)

models = {
    "white": WhiteNoise(snr=6.0),
    "pink (1/f)": ColoredNoise(alpha=1.0, snr=6.0),
    "brown (1/f²)": ColoredNoise(alpha=2.0, snr=6.0),
    "impulses": ImpulseNoise(density=0.005, snr=6.0),
    "salt and pepper": ImpulseNoise(
        density=0.01,
        kind="salt_pepper",
        snr=6.0,
    ),
    "baseline wander": BaselineWander(sampling_rate=fs, snr=6.0),
    "powerline 50 Hz": PowerlineNoise(
        sampling_rate=fs,
        frequency=50.0,
        snr=6.0,
    ),
    "muscle": MuscleNoise(sampling_rate=fs, snr=6.0),
    "recorded": RecordedNoise(recording, snr=6.0),
    "mixture": NoiseMixture(
        [BaselineWander(sampling_rate=fs), MuscleNoise(sampling_rate=fs)],
        snr=6.0,
    ),
}
noisy = {}
for name, model in models.items():
    noisy[name] = model.apply(clean, random_state=1)
for name, series in noisy.items():
    print(f"{name:16s} SNR = {snr(clean, series):.2f} dB")

# %%
# In time and frequency
# ---------------------
import matplotlib.pyplot as plt
from scipy.signal import welch

t = np.arange(clean.shape[1]) / fs
fig, axes = plt.subplots(
    len(models),
    2,
    figsize=(10, 1.6 * len(models)),
    layout="constrained",
    gridspec_kw={"width_ratios": [3, 1]},
    sharex="col",
)
for (name, series), row in zip(noisy.items(), axes, strict=True):
    ax_time, ax_psd = row
    ax_time.plot(t, series[0], color="0.55", linewidth=0.8)
    ax_time.plot(t, clean[0], color="black", linewidth=1.0)
    ax_time.set_ylabel(name, rotation=0, ha="right", va="center")
    freqs, power = welch(series[0] - clean[0], fs=fs, nperseg=256)
    ax_psd.semilogy(freqs, power + 1e-12, color="C0")
    ax_psd.set_yticks([])
axes[-1, 0].set_xlabel("time (s)")
axes[-1, 1].set_xlabel("frequency (Hz)")
axes[0, 0].set_title("noisy (grey) and clean (black)")
axes[0, 1].set_title("noise spectrum")
plt.show()

# %%
# Disjoint training and test noise
# --------------------------------
# ``segment`` restricts the stretches a :class:`~skdenoise.noise.RecordedNoise`
# draws from, so that training and test noise come from different parts of the
# same recording, as in a fair benchmark.
half = len(recording) // 2
train_noise = RecordedNoise(recording, segment=(0, half), snr=(0.0, 12.0))
test_noise = RecordedNoise(recording, segment=(half, None), snr=6.0)
batch = make_ecg(
    n_series=4,
    n_timesteps=512,
    sampling_rate=fs,
    random_state=1,
)
print(train_noise.apply(batch, random_state=0).shape)
print(round(snr(batch, test_noise.apply(batch, random_state=0)), 6))
