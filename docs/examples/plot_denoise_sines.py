# ruff: noqa: E402
"""
Denoise noisy sine waves with a U-Net
=====================================

The shortest complete use of a neural denoiser: make clean series, add noise at
a known signal-to-noise ratio, train :class:`~skdenoise.UNetDenoiser` on
``(noisy, clean)`` pairs and denoise series it has never seen.
"""

# %%
# Clean and noisy series
# ----------------------
# :func:`~skdenoise.datasets.make_sines` draws sums of sinusoids with random
# frequencies, amplitudes and phases, one per row: an array of shape
# ``(n_series, n_timesteps)``. :class:`~skdenoise.noise.WhiteNoise` adds white
# Gaussian noise scaled so that every series gets exactly the SNR asked for
# (here drawn per series between 0 and 10 dB).
from skdenoise.datasets import make_sines
from skdenoise.metrics import snr
from skdenoise.noise import WhiteNoise

clean = make_sines(n_series=160, n_timesteps=256, random_state=0)
noisy = WhiteNoise(snr=(0.0, 10.0)).apply(clean, random_state=1)
clean_train, clean_test = clean[:128], clean[128:]
noisy_train, noisy_test = noisy[:128], noisy[128:]
print(f"shape {noisy.shape}")
print(f"input SNR on the test series: {snr(clean_test, noisy_test):.1f} dB")

# %%
# Train the U-Net
# ---------------
# A small network and a few epochs are enough for sines; the defaults
# (``filters=16``, ``depth=3``, 20 epochs) suit harder signals. ``random_state``
# makes the run reproducible.
from skdenoise import UNetDenoiser

denoiser = UNetDenoiser(
    filters=8,
    depth=3,
    epochs=12,
    batch_size=32,
    learning_rate=3e-3,
    random_state=0,
)
denoiser.fit(noisy_train, clean_train)
denoised = denoiser.transform(noisy_test)
print(f"output shape {denoised.shape}")
print(f"output SNR: {snr(clean_test, denoised):.1f} dB")

# %%
# ``score`` gives the same number, so ``GridSearchCV`` ranks denoisers by SNR
# out of the box.
print(f"score: {denoiser.score(noisy_test, clean_test):.1f} dB")

# %%
# Look at the result
# ------------------
# :func:`~skdenoise.plotting.plot_examples` draws the noisy input in grey, the
# clean series in black and the estimate in colour, one panel per series.
import matplotlib.pyplot as plt

from skdenoise.plotting import plot_examples

plot_examples(
    clean_test[:3],
    noisy_test[:3],
    {"UNetDenoiser": denoised[:3]},
)
plt.show()

# %%
# The training curve is in ``history_``; :func:`~skdenoise.plotting.plot_history`
# draws it.
from skdenoise.plotting import plot_history

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
plot_history(denoiser, log_scale=True, ax=ax)
plt.show()
