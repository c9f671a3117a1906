# ruff: noqa: E402
"""
Tuning a denoising pipeline on SNR
==================================

A denoiser is a scikit-learn estimator, and its ``score`` is the mean SNR in dB
of its output against the clean series. ``GridSearchCV`` and
``RandomizedSearchCV`` therefore tune denoisers, and pipelines ending in one,
on SNR without further set-up. Cross-validation splits the series (the rows).
"""

# %%
# Data: ECG with baseline wander and white noise
# ----------------------------------------------
# Windows of 256 samples of synthetic ECG at 360 Hz, centred, corrupted by a
# mixture of baseline wander and white noise at an SNR drawn per series from 0
# to 12 dB.
from skdenoise.datasets import make_ecg
from skdenoise.metrics import snr
from skdenoise.noise import BaselineWander, NoiseMixture, WhiteNoise

fs = 360.0
y = make_ecg(n_series=96, n_timesteps=256, sampling_rate=fs, random_state=0)
y -= y.mean(axis=1, keepdims=True)
noise = NoiseMixture(
    [BaselineWander(sampling_rate=fs), WhiteNoise()],
    snr=(0.0, 12.0),
)
X = noise.apply(y, random_state=1)
X_train, X_test, y_train, y_test = X[:64], X[64:], y[:64], y[64:]
print(f"input SNR of the test series: {snr(y_test, X_test):.2f} dB")

# %%
# A pipeline: optional high-pass filter, then a U-Net
# ---------------------------------------------------
# The band-pass denoiser with ``high_cutoff=None`` is a high-pass filter that
# removes the drift. Every hyper-parameter of every step can be searched under
# the step's name, and a whole step can be switched off with ``"passthrough"``:
# the search decides whether the filter helps the network. A list of grids
# searches each of them, which saves the candidates not worth trying. The
# budget here is seconds: 32 series per fold and eight epochs, so a candidate
# may learn nothing on a fold; its ``fit`` then says so with a
# ``ConvergenceWarning`` (printed below), and the search scores it as it is.
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skdenoise import UNetDenoiser
from skdenoise.baselines import BandpassDenoiser
from skdenoise.metrics import snr_scorer

highpass = BandpassDenoiser(
    sampling_rate=fs,
    low_cutoff=0.5,
    high_cutoff=None,
)
pipe = make_pipeline(
    highpass,
    UNetDenoiser(
        depth=2,
        epochs=8,
        batch_size=16,
        learning_rate=3e-3,
        random_state=0,
    ),
)
grid = [
    {"bandpassdenoiser": ["passthrough"], "unetdenoiser__filters": [4, 8]},
    {"bandpassdenoiser": [highpass], "unetdenoiser__filters": [4]},
]
search = GridSearchCV(pipe, grid, scoring=snr_scorer, cv=2)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"best cross-validated SNR: {search.best_score_:.2f} dB")
test_snr = search.score(X_test, y_test)
print(f"test SNR of the refitted pipeline: {test_snr:.2f} dB")

# %%
# ``snr_scorer`` calls ``transform`` and compares with ``y``; leaving
# ``scoring`` out uses the pipeline's ``score``, the same SNR. The scores of
# all candidates are in ``cv_results_``:
import matplotlib.pyplot as plt
import numpy as np

labels = []
for params in search.cv_results_["params"]:
    has_filter = params["bandpassdenoiser"] != "passthrough"
    first_line = "high-pass" if has_filter else "no filter"
    filters = params["unetdenoiser__filters"]
    labels.append(f"{first_line}\nfilters={filters}")
means = search.cv_results_["mean_test_score"]
stds = search.cv_results_["std_test_score"]
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.bar(np.arange(len(labels)), means, yerr=stds, color="C0", capsize=4)
ax.set_xticks(np.arange(len(labels)), labels)
ax.set_ylabel("cross-validated SNR (dB)")
ax.set_ylim(min(means - stds) - 1, max(means + stds) + 0.5)
plt.show()

# %%
# Random search over a classical denoiser
# ---------------------------------------
# Classical denoisers are tuned the same way, here with a random search over
# wavelet shrinkage settings, with or without the high-pass filter. Always tune
# the baselines as carefully as the network: on easy noise and with a training
# budget of seconds, as here, a tuned classical filter can match or beat a tiny
# network. Passing ``n_jobs=-1`` runs the fits in parallel processes; the user
# guide shows how to spread them over a cluster.
from scipy.stats import randint
from sklearn.model_selection import RandomizedSearchCV

from skdenoise.baselines import WaveletDenoiser

random_search = RandomizedSearchCV(
    make_pipeline(highpass, WaveletDenoiser()),
    {
        "bandpassdenoiser": ["passthrough", highpass],
        "waveletdenoiser__wavelet": ["db4", "sym4", "sym8", "coif3"],
        "waveletdenoiser__threshold": ["universal", "bayes", "sure"],
        "waveletdenoiser__level": randint(2, 6),
    },
    n_iter=12,
    cv=3,
    random_state=0,
)
random_search.fit(X_train, y_train)
print("best parameters:", random_search.best_params_)
print(f"test SNR: {random_search.score(X_test, y_test):.2f} dB")
