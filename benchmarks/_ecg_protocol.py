"""Data side of the ECG benchmark (MITDB + NSTDB, 512-sample windows).

Everything the protocol of ``BENCHMARK.md`` fixes lives here: the reference
conditioning of the clean ECG, the windows, the noise recordings and their
train/test split, the test set, the training noise, the real noisy records and
the per-window metrics. Nothing here imports TensorFlow.
"""

import numpy as np
from scipy import signal

from skdenoise import metrics
from skdenoise.datasets import (
    load_mitdb_record,
    load_nstdb_noise,
    load_nstdb_record,
    make_windows,
)
from skdenoise.noise import BaseNoise, NoiseMixture, RecordedNoise, scale_noise

SAMPLING_RATE = 360.0
WINDOW = 512
REFERENCE_HIGHPASS_HZ = 0.5
NOISE_TYPES = ("bw", "em", "ma", "mix")
TEST_SNRS = (-6.0, 0.0, 6.0, 12.0, 24.0)
# Noise recordings: training from channel 0 of the first half, test from
# channel 1 of the second half, so no test noise sample is ever seen in training.
TRAIN_NOISE = {"channel": 0, "segment": (0, 325_000)}
TEST_NOISE = {"channel": 1, "segment": (325_000, 650_000)}
# The protocol fixes the test set's seed, whatever seed trains the models.
TEST_SEED = 0

# Layout of the NSTDB noisy records (nst's default protocol): 5 clean minutes,
# then noise on and off in alternating 2-minute blocks.
REAL_FIRST_NOISY_S = 300.0
REAL_BLOCK_S = 120.0

METRIC_NAMES = (
    "snr_improvement",
    "snr_in",
    "snr_out",
    "rmse",
    "prd",
    "ssd",
    "mad",
    "cosine",
)


def reference_highpass(x):
    """Zero-phase 2nd-order Butterworth high-pass at 0.5 Hz over a whole record."""
    sos = signal.butter(
        2, REFERENCE_HIGHPASS_HZ, btype="highpass", fs=SAMPLING_RATE, output="sos"
    )
    return signal.sosfiltfilt(sos, np.asarray(x, dtype=np.float64))


def clean_record(record, data_dir):
    """MITDB channel 0 in mV after the reference high-pass."""
    return reference_highpass(load_mitdb_record(record, data_dir, channel=0))


def clean_windows(record, data_dir):
    """All non-overlapping 512-sample windows of a record, each mean removed."""
    return make_windows(clean_record(record, data_dir), WINDOW, remove_mean=True)


def training_windows(records, data_dir, max_windows=None, seed=0):
    """Clean training windows of several records (optionally a random subset)."""
    windows = np.concatenate([clean_windows(r, data_dir) for r in records])
    if max_windows is not None and max_windows < len(windows):
        rows = np.random.default_rng(seed).choice(
            len(windows), max_windows, replace=False
        )
        windows = windows[np.sort(rows)]
    return windows


def noise_recordings(data_dir, channel):
    """The three NSTDB noise recordings (one channel, in mV)."""
    return {
        name: load_nstdb_noise(name, data_dir, channel=channel)
        for name in ("bw", "em", "ma")
    }


def noise_model(kind, recordings, segment, snr):
    """The protocol's noise of one type: a recording, or the U(0, 1) mix of all."""
    recorded = {
        name: RecordedNoise(rec, segment=segment, snr=None)
        for name, rec in recordings.items()
    }
    if kind == "mix":
        return NoiseMixture([recorded["bw"], recorded["em"], recorded["ma"]], snr=snr)
    model = recorded[kind]
    model.set_params(snr=snr)
    return model


class RandomNoiseType(BaseNoise):
    """One of several noise models per series, drawn uniformly, at a target SNR.

    Each component draws its raw noise (its own ``snr`` must be None); each
    series takes the noise of one component, chosen at random, scaled to
    ``snr`` against that series.

    Parameters
    ----------
    components : list of BaseNoise
        Noise models with ``snr=None``.
    snr : float, (low, high) or None, default=None
        Target SNR in dB, or a range drawn uniformly per series.
    amplitude : float, default=1.0
        Multiplier when ``snr`` is None.
    """

    def __init__(self, components, snr=None, amplitude=1.0):
        self.components = components
        self.snr = snr
        self.amplitude = amplitude

    def _choose(self, parts, rng):
        choice = rng.integers(0, len(parts), size=parts[0].shape[0])
        stacked = np.stack(parts)
        return stacked[choice, np.arange(parts[0].shape[0])]

    def _sample(self, shape, rng):
        return self._choose([c.sample(shape, rng) for c in self.components], rng)

    def _draw(self, X, rng):
        target = self._check_snr()
        raw = self._choose([c._draw(X, rng) for c in self.components], rng)
        return scale_noise(X, raw, target, self.amplitude, rng)


def training_noise(data_dir, snr_range):
    """Training noise: bw, em, ma or mix per window, at an SNR drawn per window."""
    recordings = noise_recordings(data_dir, TRAIN_NOISE["channel"])
    segment = TRAIN_NOISE["segment"]
    components = [noise_model(kind, recordings, segment, None) for kind in NOISE_TYPES]
    return RandomNoiseType(components, snr=tuple(float(s) for s in snr_range))


def select_test_windows(windows, n_windows):
    """``n_windows`` windows of one record drawn with the protocol's seed."""
    if n_windows is None or n_windows >= len(windows):
        return windows
    rows = np.random.default_rng(TEST_SEED).choice(
        len(windows), n_windows, replace=False
    )
    return windows[np.sort(rows)]


def build_test_set(
    records, data_dir, n_windows=300, snrs=TEST_SNRS, noises=NOISE_TYPES
):
    """The fixed test set, built once and shared by every model.

    Returns
    -------
    clean : ndarray of shape (n, 512)
        The clean test windows, record by record.
    record_of : ndarray of shape (n,)
        The record of each window.
    noisy : dict of (noise, snr) -> ndarray of shape (n, 512)
        The noisy inputs. Each window has its own noise segment drawn with seed
        0; for a noise type the segments are the same at every SNR (only the
        scale changes).
    """
    pieces = [
        select_test_windows(clean_windows(r, data_dir), n_windows) for r in records
    ]
    clean = np.concatenate(pieces)
    record_of = np.concatenate(
        [np.full(len(p), str(r)) for p, r in zip(pieces, records, strict=True)]
    )
    recordings = noise_recordings(data_dir, TEST_NOISE["channel"])
    noisy = {}
    for kind in noises:
        for snr in snrs:
            model = noise_model(kind, recordings, TEST_NOISE["segment"], float(snr))
            noisy[kind, float(snr)] = model.apply(clean, random_state=TEST_SEED)
    return clean, record_of, noisy


def window_metrics(clean, noisy, estimate):
    """The protocol's metrics per window (arrays of shape (n_windows,))."""
    snr_in = metrics.snr(clean, noisy, per_series=True)
    snr_out = metrics.snr(clean, estimate, per_series=True)
    return {
        "snr_improvement": snr_out - snr_in,
        "snr_in": snr_in,
        "snr_out": snr_out,
        "rmse": metrics.rmse(clean, estimate, per_series=True),
        "prd": metrics.prd(clean, estimate, per_series=True),
        "ssd": metrics.ssd(clean, estimate, per_series=True),
        "mad": metrics.mad(clean, estimate, per_series=True),
        "cosine": metrics.cosine_similarity(clean, estimate, per_series=True),
    }


# --------------------------------------------------------------------------- #
# Real noisy records (NSTDB 118e*, 119e*)
# --------------------------------------------------------------------------- #


def nominal_noisy_blocks(n_samples):
    """Sample ranges [start, stop) of the noisy blocks of an NSTDB record."""
    first = int(REAL_FIRST_NOISY_S * SAMPLING_RATE)
    block = int(REAL_BLOCK_S * SAMPLING_RATE)
    return [(s, min(s + block, n_samples)) for s in range(first, n_samples, 2 * block)]


def detected_noise_fraction(noisy, clean, blocks):
    """Fraction of the samples where noise varies that lie in ``blocks``.

    Outside the noise blocks ``noisy - clean`` is constant (the -5.12 mV
    offset of the headers, plus the level nst leaves between blocks), so the
    samples where it changes locate the added noise.
    """
    changes = np.flatnonzero(np.abs(np.diff(noisy - clean)) > 1e-9) + 1
    if len(changes) == 0:
        return float("nan")
    inside = np.zeros(len(noisy), dtype=bool)
    for start, stop in blocks:
        inside[start:stop] = True
    return float(inside[changes].mean())


def real_record_windows(record, data_dir, max_windows=None):
    """Windows of a real noisy NSTDB record and of its clean MITDB original.

    Both records get the reference conditioning (the 0.5 Hz high-pass over the
    whole record, which also removes the constant offset of the NSTDB
    headers) and each window's mean removed. Only windows entirely inside the
    noisy blocks are kept, cut from the start of each block.

    Returns
    -------
    noisy, clean : ndarray of shape (n, 512)
    info : dict
        ``blocks`` (the sample ranges), ``inside_fraction`` (share of the
        samples where the noise varies that lie in those blocks).
    """
    record = str(record)
    raw_noisy = load_nstdb_record(record, data_dir, channel=0)
    raw_clean = load_mitdb_record(record.split("e")[0], data_dir, channel=0)
    n = min(len(raw_noisy), len(raw_clean))
    raw_noisy, raw_clean = raw_noisy[:n], raw_clean[:n]
    blocks = nominal_noisy_blocks(n)
    info = {
        "blocks": blocks,
        "inside_fraction": detected_noise_fraction(raw_noisy, raw_clean, blocks),
    }
    noisy_hp = reference_highpass(raw_noisy)
    clean_hp = reference_highpass(raw_clean)
    noisy_w, clean_w = [], []
    for start, stop in blocks:
        if stop - start < WINDOW:
            continue
        noisy_w.append(make_windows(noisy_hp[start:stop], WINDOW, remove_mean=True))
        clean_w.append(make_windows(clean_hp[start:stop], WINDOW, remove_mean=True))
    noisy_w, clean_w = np.concatenate(noisy_w), np.concatenate(clean_w)
    if max_windows is not None and max_windows < len(noisy_w):
        noisy_w, clean_w = noisy_w[:max_windows], clean_w[:max_windows]
    return noisy_w, clean_w, info
