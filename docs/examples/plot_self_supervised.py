# ruff: noqa: E402
"""
Denoising a recording that has no clean version
===============================================

A sensor gives a noisy recording and nothing else: no clean copy to train on,
no clean reference to tune with. Blind-spot training (``training="blind_spot"``)
teaches a network to predict every sample from its neighbours, never from the
sample itself; when the noise is independent from sample to sample, what the
neighbours can predict is the signal, so the network learns to denoise from
the noisy recording alone. The self-supervised scorer tunes classical filters
the same way, without a clean reference.

The recording here is synthetic so that the result can be checked at the end;
neither the network nor the tuning ever sees the clean signal.
"""

# %%
# A noisy recording
# -----------------
# Forty seconds of synthetic ECG at 180 Hz with white noise at 3 dB SNR: one
# long series, which :class:`~skdenoise.pipeline.WindowedDenoiser` cuts into
# windows of 256 samples for training and denoising.
import matplotlib.pyplot as plt
import numpy as np

from skdenoise.datasets import make_ecg
from skdenoise.noise import WhiteNoise

fs = 180.0
clean = make_ecg(n_series=1, n_timesteps=7200, sampling_rate=fs, random_state=0)
clean -= clean.mean()
recording = WhiteNoise(snr=3.0).apply(clean, random_state=1)

# %%
# Blind-spot training on the recording alone
# ------------------------------------------
# ``fit(recording)`` takes the recording as noisy: no noise is added. Every
# batch hides a share ``mask_fraction`` of the samples (replaced by random
# neighbours) and the loss is measured only at the hidden samples. The network
# is tiny so that this example runs in seconds; the benchmarks use larger ones.
from skdenoise import UNetDenoiser
from skdenoise.pipeline import WindowedDenoiser

network = UNetDenoiser(
    filters=8,
    depth=2,
    kernel_size=5,
    epochs=6,
    batch_size=16,
    learning_rate=3e-3,
    training="blind_spot",
    mask_fraction=0.15,
    random_state=0,
)
denoiser = WindowedDenoiser(network, window_length=256, stride=64)
denoised = denoiser.fit(recording).transform(recording)

# %%
# A classical filter tuned without a clean reference
# --------------------------------------------------
# The self-supervised scorer hides a grid of samples, denoises, and measures
# the error against the *noisy* recording at the hidden samples only. For
# independent noise this is the true error plus a constant, so the best score
# picks the best filter. Here it chooses the wavelet decomposition level.
from sklearn.model_selection import GridSearchCV

from skdenoise.baselines import WaveletDenoiser
from skdenoise.datasets import make_windows
from skdenoise.model_selection import self_supervised_scorer

windows = make_windows(recording[0], 256)
search = GridSearchCV(
    WaveletDenoiser(wavelet="sym8"),
    {"level": [1, 2, 3, 4, 5], "mode": ["soft", "hard"]},
    scoring=self_supervised_scorer,
    cv=3,
).fit(windows)
print("wavelet picked without clean data:", search.best_params_)
wavelet = WindowedDenoiser(search.best_estimator_, window_length=256, stride=64)
wavelet_out = wavelet.fit(recording).transform(recording)

# %%
# Checking against the clean signal we kept aside
# -----------------------------------------------
from skdenoise.metrics import snr

print(f"noisy recording:    {snr(clean, recording):5.2f} dB")
print(f"tuned wavelet:      {snr(clean, wavelet_out):5.2f} dB")
print(f"blind-spot network: {snr(clean, denoised):5.2f} dB")

t = np.arange(clean.shape[1]) / fs
part = (t > 10) & (t < 14)
fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(t[part], recording[0, part], color="0.75", lw=0.8, label="noisy recording")
ax.plot(t[part], wavelet_out[0, part], color="tab:orange", lw=1, label="tuned wavelet")
ax.plot(t[part], denoised[0, part], color="tab:blue", lw=1.2, label="blind-spot U-Net")
ax.plot(t[part], clean[0, part], "k--", lw=0.8, label="clean (never used)")
ax.set_xlabel("time (s)")
ax.legend(loc="upper right", fontsize=8, ncol=2)
ax.set_title("Trained and tuned on the noisy recording alone")
fig.tight_layout()

# %%
# When it cannot work: noise correlated over many samples
# -------------------------------------------------------
# Baseline wander changes over seconds: a sample's wander is predicted by its
# neighbours as well as the signal is, so a blind spot of a few samples keeps
# it. Trained on a recording with wander and white noise, the network removes
# the white noise and leaves the wander (a high-pass filter removes it).
from skdenoise.noise import BaselineWander

wander = BaselineWander(sampling_rate=fs, snr=3.0).apply(clean, random_state=2) - clean
drifting = recording + wander
kept = WindowedDenoiser(network, window_length=256, stride=64)
kept_out = kept.fit(drifting).transform(drifting)

fig, ax = plt.subplots(figsize=(9, 3.5))
ax.plot(t, drifting[0] - clean[0], color="0.75", lw=0.6, label="noise in the input")
ax.plot(t, kept_out[0] - clean[0], color="tab:blue", lw=1, label="error of the output")
ax.plot(t, wander[0], "k--", lw=0.8, label="baseline wander")
ax.set_xlabel("time (s)")
ax.legend(loc="upper right", fontsize=8, ncol=3)
ax.set_title("A blind spot removes independent noise, not baseline wander")
fig.tight_layout()
plt.show()
