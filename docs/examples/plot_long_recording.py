# ruff: noqa: E402
"""
Denoising a long recording window by window
===========================================

A neural denoiser works on series of the length it was trained on. Real
recordings are long and of any length: :class:`~skdenoise.pipeline.WindowedDenoiser`
trains the denoiser on overlapping windows cut from the recordings, and denoises
a recording of any length by running the denoiser on its windows and blending
them back together with a taper.
"""

# %%
# Long noisy recordings
# ---------------------
# Three 30-second synthetic ECG recordings at 360 Hz for training, corrupted by
# muscle noise and white noise, and a 45-second recording for testing.
from sklearn.base import clone

from skdenoise.datasets import make_ecg
from skdenoise.metrics import snr
from skdenoise.noise import MuscleNoise, NoiseMixture, WhiteNoise

fs = 360.0
noise = NoiseMixture(
    [MuscleNoise(sampling_rate=fs), WhiteNoise()],
    snr=(0.0, 10.0),
)

train_clean = make_ecg(
    n_series=3, n_timesteps=30 * 360, sampling_rate=fs, random_state=0
)
train_clean -= train_clean.mean(axis=1, keepdims=True)
train_noisy = noise.apply(train_clean, random_state=1)

test_clean = make_ecg(
    n_series=1, n_timesteps=45 * 360, sampling_rate=fs, random_state=2
)
test_clean -= test_clean.mean(axis=1, keepdims=True)
test_noise = clone(noise).set_params(snr=3.0)
test_noisy = test_noise.apply(test_clean, random_state=3)
print(f"training recordings {train_noisy.shape}")
print(f"test recording {test_noisy.shape}")

# %%
# Train on windows
# ----------------
# Windows of 256 samples (0.7 s) every 128 samples: the three recordings give a
# few hundred training windows. The inner U-Net is cloned and trained on them.
from skdenoise import UNetDenoiser
from skdenoise.pipeline import WindowedDenoiser

denoiser = WindowedDenoiser(
    UNetDenoiser(
        filters=8,
        depth=3,
        epochs=10,
        batch_size=32,
        random_state=0,
    ),
    window_length=256,
    stride=128,
)
denoiser.fit(train_noisy, train_clean)
n_windows = denoiser.n_windows_fit_
print(f"trained on {n_windows} windows of {denoiser.window_length}")

# %%
# Denoise a recording of another length
# -------------------------------------
# ``transform`` accepts any length: the test recording is 45 s long while the
# training recordings were 30 s, and the inner network only ever sees windows of
# 256 samples.
denoised = denoiser.transform(test_noisy)
print(
    f"input SNR {snr(test_clean, test_noisy):.2f} dB, "
    f"output SNR {snr(test_clean, denoised):.2f} dB"
)

# %%
# The inner denoiser on its own refuses series of another length, with a
# message saying what to do:
try:
    denoiser.estimator_.transform(test_noisy)
except ValueError as error:
    print(error)

# %%
# Five seconds of the result and the remaining error:
import matplotlib.pyplot as plt

from skdenoise.plotting import plot_denoising, plot_residual

excerpt = slice(10 * 360, 15 * 360)
fig, (ax_top, ax_bottom) = plt.subplots(
    2, 1, figsize=(9, 5), sharex=True, layout="constrained"
)
plot_denoising(
    test_clean[0, excerpt],
    test_noisy[0, excerpt],
    denoised[0, excerpt],
    sampling_rate=fs,
    ax=ax_top,
    title="seconds 10 to 15 of the test recording (time from 10 s)",
)
plot_residual(
    test_clean[0, excerpt],
    denoised[0, excerpt],
    noisy=test_noisy[0, excerpt],
    sampling_rate=fs,
    ax=ax_bottom,
)
plt.show()
