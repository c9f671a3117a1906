"""Data side of the ECG benchmark (MITDB + NSTDB, 512-sample windows).

Everything the protocol of ``BENCHMARK.md`` fixes lives here: the reference
conditioning of the clean ECG, the windows, the noise recordings and their
train/test split, the test set, the training noise, the real noisy records and
the per-window metrics. Nothing here imports TensorFlow.
"""

import functools

import numpy as np
from scipy import signal

from skdenoise import metrics
from skdenoise.datasets import (
    NSTDB_NOISES,
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
# Validation noise of the learned models (early stopping, gates, passes).
# "other-lead": channel 1 over the training segment's samples, the test noise's
# lead but none of its samples, so that validation scores noise in the
# orientation a test record gets and no sample the network trained on (it is
# the other lead of the training noise's moments, so correlated with it).
# "training": the training noise itself (the validation noise of the earlier runs).
VALIDATION_NOISE = {
    "other-lead": {"channel": 1, "segment": TRAIN_NOISE["segment"]},
    "training": TRAIN_NOISE,
}
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


def load_saved(path, script, network=False, wrapped=False):
    """A file written by ``skdenoise.persistence.save``, or SystemExit naming why not.

    ``script``: the name for the message. ``network``: the file must hold a
    pretrained ECG file's wrappers around a neural network (returned as that
    network, or as the whole file's model with ``wrapped``).
    """
    from pathlib import Path

    from skdenoise.persistence import load

    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"{script}: error: model file not found: {path}")
    try:
        model = load(path)
    except Exception as exc:  # noqa: BLE001 - a script prints no traceback
        raise SystemExit(f"{script}: error: cannot load {path}: {exc}") from None
    if network:
        inner = getattr(getattr(model, "estimator_", None), "estimator_", None)
        if not hasattr(inner, "model_"):
            raise SystemExit(
                f"{script}: error: {path} holds a {type(model).__name__}, not a "
                "pretrained ECG file (a ResampledDenoiser around a WindowedDenoiser "
                "around a network, as train_pretrained.py writes)."
            )
        return model if wrapped else inner
    return model


def reference_highpass(x):
    """Zero-phase 2nd-order Butterworth high-pass at 0.5 Hz over a whole record."""
    sos = signal.butter(
        2, REFERENCE_HIGHPASS_HZ, btype="highpass", fs=SAMPLING_RATE, output="sos"
    )
    return signal.sosfiltfilt(sos, np.asarray(x, dtype=np.float64))


def _at_protocol_rate(loaded, database, record):
    """The signal of a loaded record; a clear error at another sampling rate."""
    if loaded.sampling_rate != SAMPLING_RATE:
        raise ValueError(
            f"{database} record {record} is sampled at {loaded.sampling_rate:g} "
            f"Hz; the protocol's windows, filters and noise are at "
            f"{SAMPLING_RATE:g} Hz (resample the record first)."
        )
    return loaded.signal[:, 0]


def _mitdb(record, data_dir, channel=0):
    loaded = load_mitdb_record(record, data_dir, channel=channel, return_record=True)
    return _at_protocol_rate(loaded, "MITDB", record)


def _nstdb(record, data_dir, channel=0):
    loaded = load_nstdb_record(record, data_dir, channel=channel, return_record=True)
    return _at_protocol_rate(loaded, "NSTDB", record)


def clean_record(record, data_dir, channel=0):
    """A MITDB channel (the protocol's: 0) in mV after the reference high-pass."""
    return reference_highpass(_mitdb(record, data_dir, channel=channel))


def clean_windows(record, data_dir, channel=0):
    """All non-overlapping 512-sample windows of a record, each mean removed."""
    signal = clean_record(record, data_dir, channel)
    try:
        return make_windows(signal, WINDOW, remove_mean=True)
    except ValueError as exc:  # shorter than a window: name the record
        raise ValueError(f"record {record}: {exc}") from None


def channel_zero_names(records, data_dir):
    """The name of channel 0 of each MITDB record, from its header (or None).

    The protocol takes channel 0 as MLII; in a few records it is another lead
    (V5 in 102, 104 and 114), which a run on other records should show.
    """
    try:
        import wfdb
    except ImportError:
        return {}
    names = {}
    for record in records:
        try:
            header = wfdb.rdheader(str(record_path(data_dir, "mitdb", record)))
            names[str(record)] = (header.sig_name or [None])[0]
        except Exception:  # noqa: BLE001 - a note only; the record checks decide
            names[str(record)] = None
    return names


def training_windows(records, data_dir, max_windows=None, seed=0, channels=(0,)):
    """Clean training windows of several records (optionally a random subset).

    ``channels`` are the MITDB channels the windows come from: the protocol's
    channel 0 (MLII in most records), and channel 1 (V1, V2, V4 or V5) for more
    beat shapes of the same records.
    """
    windows = np.concatenate(
        [clean_windows(r, data_dir, c) for r in records for c in channels]
    )
    if max_windows is not None and max_windows < len(windows):
        rows = np.random.default_rng(seed).choice(
            len(windows), max_windows, replace=False
        )
        windows = windows[np.sort(rows)]
    return windows


def noise_recordings(data_dir, channel):
    """The three NSTDB noise recordings (one channel, in mV, read-only).

    Read once per data folder and channel: training and validation noise
    (and the runs of a script) share the arrays.
    """
    return dict(_noise_recordings(str(data_dir), channel))


@functools.lru_cache(maxsize=4)
def _noise_recordings(data_dir, channel):
    recordings = {}
    for name in NSTDB_NOISES:
        recording = load_nstdb_noise(name, data_dir, channel=channel)
        recording.setflags(write=False)
        recordings[name] = recording
    return tuple(recordings.items())


def noise_model(
    kind, recordings, segment, snr, flip=False, time_scale=None, spectral_gain=None
):
    """The protocol's noise of one type: a recording, or the U(0, 1) mix of all.

    ``flip``, ``time_scale`` and ``spectral_gain`` augment the recorded
    stretches (training noise only; see :class:`skdenoise.noise.RecordedNoise`).
    """
    recorded = {
        name: RecordedNoise(
            rec,
            segment=segment,
            snr=None,
            flip=flip,
            time_scale=time_scale,
            spectral_gain=spectral_gain,
        )
        for name, rec in recordings.items()
    }
    if kind == "mix":
        return NoiseMixture([recorded["bw"], recorded["em"], recorded["ma"]], snr=snr)
    model = recorded[kind]
    model.set_params(snr=snr)
    return model


class RandomNoiseType(BaseNoise):
    """One of several noise models per series, drawn at random, at a target SNR.

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
    weights : sequence of float or None, default=None
        Probability of each component (None: all equally likely).
    """

    def __init__(self, components, snr=None, amplitude=1.0, weights=None):
        self.components = components
        self.snr = snr
        self.amplitude = amplitude
        self.weights = weights

    def _raw(self, shape, rng, draw):
        # The component of each series first, then each component draws only
        # for its own series (a quarter of the work of drawing them all).
        if self.weights is None:
            choice = rng.integers(0, len(self.components), size=shape[0])
        else:
            choice = rng.choice(len(self.components), size=shape[0], p=self.weights)
        raw = np.zeros(shape)
        for k, component in enumerate(self.components):
            rows = np.flatnonzero(choice == k)
            if len(rows):
                raw[rows] = draw(component, rows)
        return raw

    def _sample(self, shape, rng):
        return self._raw(
            shape, rng, lambda c, rows: c.sample((len(rows), *shape[1:]), rng)
        )

    def _draw(self, X, rng):
        target = self._check_snr()
        raw = self._raw(X.shape, rng, lambda c, rows: c._draw(X[rows], rng))
        return scale_noise(X, raw, target, self.amplitude, rng)


def noise_segments(held_out=None):
    """Training and validation noise segments: the whole training segment for
    both, or with ``held_out`` its samples before and from that sample."""
    low, high = TRAIN_NOISE["segment"]
    if held_out is None:
        return (low, high), (low, high)
    if not low + WINDOW <= held_out <= high - WINDOW:
        # Both parts must hold a window of noise.
        raise ValueError(
            f"held-out noise must start inside the training segment ({low}, {high})"
            f" and leave a window ({WINDOW} samples) on each side, so within "
            f"[{low + WINDOW}, {high - WINDOW}]; got {held_out}."
        )
    return (low, held_out), (held_out, high)


def noise_type_weights(weights):
    """``weights`` of bw, em, ma and mix checked and normalised to sum to one."""
    weights = np.asarray(weights, dtype=np.float64)
    if (
        weights.shape != (len(NOISE_TYPES),)
        or not np.all(np.isfinite(weights))
        or np.any(weights < 0)
        or not weights.sum() > 0
    ):
        raise ValueError(
            f"noise weights must be {len(NOISE_TYPES)} non-negative numbers "
            f"({', '.join(NOISE_TYPES)}) with a positive sum; got {weights}."
        )
    return weights / weights.sum()


def training_noise(
    data_dir,
    snr_range,
    flip=False,
    time_scale=None,
    segment=None,
    weights=None,
    spectral_gain=None,
):
    """Training noise: bw, em, ma or mix per window, at an SNR drawn per window.

    ``flip``, ``time_scale`` and ``spectral_gain`` augment the recorded
    stretches; ``segment``
    (inside the protocol's training segment) restricts where they come from;
    ``weights`` are the probabilities of bw, em, ma and mix (None: equal).
    """
    return _noise_of_types(
        data_dir,
        TRAIN_NOISE,
        "training",
        snr_range,
        segment,
        flip,
        time_scale,
        weights,
        spectral_gain,
    )


def validation_noise_source(source, held_out=None):
    """The validation noise a script's options ask for.

    ``source`` None is the default: ``"training"`` with ``held_out`` (the
    held-out samples are the training noise's own), ``"other-lead"`` without.
    ValueError for ``"other-lead"`` with ``held_out``.
    """
    if held_out is not None and source == "other-lead":
        raise ValueError(
            "--held-out-noise draws the validation noise from the training "
            "noise's own samples; it does not go with --validation-noise other-lead"
        )
    if source is None:
        return "training" if held_out is not None else "other-lead"
    return source


def add_validation_noise_option(parser, uses, training_note):
    """``--validation-noise`` (default None) of a script's ``argparse`` parser.

    ``uses``: what the validation records choose (said in the help);
    ``training_note``: what the training noise repeats (and what implies it).
    """
    parser.add_argument(
        "--validation-noise",
        choices=sorted(VALIDATION_NOISE),
        default=None,
        help=f"the validation records' noise ({uses}): other-lead, NSTDB channel "
        "1 over samples [0, 325000), the test noise's lead but none of its "
        "samples (default); training, the training noise itself, channel 0 "
        f"({training_note})",
    )


def validation_noise_text(source, held_out=None):
    """The validation noise of ``source`` (and ``held_out``, the first of the
    training noise's samples kept for validation, or None), in words."""
    if source == "other-lead":
        return (
            "other-lead noise (NSTDB channel 1, samples [0, 325000): the test "
            "noise's lead, none of its samples)"
        )
    if held_out:
        return f"the training noise's samples [{held_out}, 325000)"
    return "the training noise itself (NSTDB channel 0, samples [0, 325000))"


def validation_noise(data_dir, snr_range, source="other-lead", segment=None):
    """Validation noise: bw, em, ma or mix per window, as recorded.

    ``source`` names the noise in :data:`VALIDATION_NOISE`; ``segment``
    (inside that source's segment) restricts where the stretches come from.
    """
    if source not in VALIDATION_NOISE:
        raise ValueError(
            f"validation noise must be one of {sorted(VALIDATION_NOISE)}; "
            f"got {source!r}."
        )
    return _noise_of_types(
        data_dir, VALIDATION_NOISE[source], f"{source} noise", snr_range, segment
    )


def _noise_of_types(
    data_dir,
    source,
    name,
    snr_range,
    segment,
    flip=False,
    time_scale=None,
    weights=None,
    spectral_gain=None,
):
    if weights is not None:
        weights = noise_type_weights(weights)
    recordings = noise_recordings(data_dir, source["channel"])
    low, high = source["segment"]
    if segment is None:
        segment = (low, high)
    if not low <= segment[0] < segment[1] <= high:
        raise ValueError(
            f"{name} segment {segment} is outside the protocol's {name} "
            f"segment [{low}, {high})."
        )
    components = [
        noise_model(kind, recordings, segment, None, flip, time_scale, spectral_gain)
        for kind in NOISE_TYPES
    ]
    return RandomNoiseType(
        components, snr=tuple(float(s) for s in snr_range), weights=weights
    )


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


def gains_per_noise_type(model, clean, recordings, segment, snr_db, random_state=1):
    """Mean SNR improvement (dB) of ``model`` per noise type, in ``NOISE_TYPES``.

    ``clean`` windows with each protocol noise of ``recordings`` (a channel's,
    from :func:`noise_recordings`) drawn from ``segment`` at ``snr_db``.
    """
    gains = []
    for kind in NOISE_TYPES:
        noise = noise_model(kind, recordings, segment, snr_db)
        noisy = np.asarray(noise.apply(clean, random_state=random_state), np.float64)
        estimate = model.transform(noisy)
        gains.append(metrics.snr_improvement(clean, noisy, estimate))
    return gains


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
        samples where the noise varies that lie in those blocks), and
        ``unseen`` (per window, whether its block lies past the training
        noise's segment: nst added em noise from channel 0 at the record's own
        sample positions, so the blocks inside [0, 325000) hold the very noise
        that the learned models train on).
    """
    record = str(record)
    raw_noisy = _nstdb(record, data_dir, channel=0)
    raw_clean = _mitdb(record.split("e")[0], data_dir, channel=0)
    n = min(len(raw_noisy), len(raw_clean))
    raw_noisy, raw_clean = raw_noisy[:n], raw_clean[:n]
    blocks = nominal_noisy_blocks(n)
    info = {
        "blocks": blocks,
        "inside_fraction": detected_noise_fraction(raw_noisy, raw_clean, blocks),
    }
    noisy_hp = reference_highpass(raw_noisy)
    clean_hp = reference_highpass(raw_clean)
    noisy_w, clean_w, unseen = [], [], []
    for start, stop in blocks:
        if stop - start < WINDOW:
            continue
        noisy_w.append(make_windows(noisy_hp[start:stop], WINDOW, remove_mean=True))
        clean_w.append(make_windows(clean_hp[start:stop], WINDOW, remove_mean=True))
        unseen.append(np.full(len(noisy_w[-1]), start >= TRAIN_NOISE["segment"][1]))
    noisy_w, clean_w = np.concatenate(noisy_w), np.concatenate(clean_w)
    unseen = np.concatenate(unseen)
    if max_windows is not None and max_windows < len(noisy_w):
        noisy_w, clean_w = noisy_w[:max_windows], clean_w[:max_windows]
        unseen = unseen[:max_windows]
    info["unseen"] = unseen
    return noisy_w, clean_w, info


# --------------------------------------------------------------------------- #
# Records, validation set and the clean condition
# --------------------------------------------------------------------------- #

#: The clean test condition: the clean window itself as the input.
CLEAN = "clean"

#: Seed of the validation set's noise (fixed, whatever seed trains the models).
VALIDATION_SEED = 0


def record_path(data_dir, database, record):
    """Path (without extension) of a record; FileNotFoundError naming the file."""
    from pathlib import Path

    folder = Path(data_dir) / database
    if not folder.is_dir():
        # The layout, not the record list: name what the folder must hold.
        raise FileNotFoundError(
            f"{Path(data_dir)} has no folder {database}/: --data-dir is the folder "
            "that holds mitdb/ and nstdb/ (the MITDB and NSTDB records), as "
            "fetch_physionet writes them under <data_home>/physionet"
        )
    base = folder / str(record)
    for ext in (".hea", ".dat"):
        if not base.with_name(base.name + ext).is_file():
            raise FileNotFoundError(
                f"record {record}: {base.with_name(base.name + ext)} not found"
            )
    return base


def check_record_lists(train, val, test, data_dir, training=True):
    """Check that the record lists are disjoint and that every record exists.

    Raises ValueError for a record in two lists (a validation record that is
    also a training or test record, or a test record used for training) and
    FileNotFoundError naming the first missing record file. Without
    ``training`` (no learned model to train) only the test records' files are
    looked for; with ``data_dir=None``, none.
    """
    train, val, test = ([str(r) for r in lst] for lst in (train, val, test))
    for name, records in (("training", train), ("validation", val), ("test", test)):
        repeated = sorted({r for r in records if records.count(r) > 1})
        if repeated:
            raise ValueError(f"{name} record(s) listed twice: {' '.join(repeated)}")
    for (name_a, a), (name_b, b) in (
        (("validation", val), ("training", train)),
        (("validation", val), ("test", test)),
        (("test", test), ("training", train)),
    ):
        both = [r for r in a if r in b]
        if both:
            raise ValueError(
                f"{name_a} record(s) {' '.join(both)} also in the {name_b} records; "
                "records must be in one list only"
            )
    if data_dir is None:
        return
    for record in [*train, *val, *test] if training else test:
        record_path(data_dir, "mitdb", record)


def check_noise_recordings(data_dir):
    """FileNotFoundError naming the first missing file of the NSTDB noise
    recordings (``bw``, ``em``, ``ma``), which every run needs for its test set."""
    for name in NSTDB_NOISES:
        record_path(data_dir, "nstdb", name)


def validation_set(records, data_dir, noise, max_windows=None):
    """Noisy and clean validation windows of whole records.

    The clean windows of ``records`` with the training noise ``noise`` (same
    noise model and SNR distribution as training), drawn once with the fixed
    :data:`VALIDATION_SEED`.
    """
    clean = training_windows(records, data_dir, max_windows, seed=VALIDATION_SEED)
    noisy = noise.apply(clean, random_state=VALIDATION_SEED)
    return np.asarray(noisy, dtype=np.float64), clean


def clean_window_stats(clean, estimate, record_of):
    """Distortion of clean inputs: output SNR against the clean window.

    Returns a list of dicts (one per record, then ``"all"``) with the number
    of windows and the mean, median and 5th percentile over windows of the
    output SNR in dB (``inf`` for an unchanged window), and the mean RMSE and
    PRD.
    """
    snr_out = metrics.snr(clean, estimate, per_series=True)
    rmse = metrics.rmse(clean, estimate, per_series=True)
    prd = metrics.prd(clean, estimate, per_series=True)
    groups = [(r, record_of == r) for r in dict.fromkeys(record_of)]
    groups.append(("all", np.ones(len(clean), dtype=bool)))
    stats = []
    for name, rows in groups:
        values = snr_out[rows]
        stats.append(
            {
                "record": str(name),
                "n_windows": int(rows.sum()),
                "snr_out_mean": float(np.mean(values)),
                "snr_out_median": float(np.median(values)),
                # An order statistic, not an interpolation: inf stays inf.
                "snr_out_p5": float(np.percentile(values, 5, method="lower")),
                "rmse_mean": float(np.mean(rmse[rows])),
                "prd_mean": float(np.mean(prd[rows])),
            }
        )
    return stats


# --------------------------------------------------------------------------- #
# Whole real records: overlap-add denoising and QRS detection
# --------------------------------------------------------------------------- #

#: Beat annotation symbols of WFDB (the others mark rhythm, noise, comments...).
BEAT_SYMBOLS = frozenset("NLRBAaJSVrFejnE/fQ?")
#: Tolerance of a matched beat (seconds).
QRS_TOLERANCE_S = 0.15


def conditioned_real_record(record, data_dir):
    """A whole NSTDB noisy record and its clean MITDB original, conditioned.

    Both get the reference high-pass over the whole record (which also removes
    the offset of the NSTDB headers); cut to the shorter length.
    """
    record = str(record)
    raw_noisy = _nstdb(record, data_dir, channel=0)
    raw_clean = _mitdb(record.split("e")[0], data_dir, channel=0)
    n = min(len(raw_noisy), len(raw_clean))
    return reference_highpass(raw_noisy[:n]), reference_highpass(raw_clean[:n])


def _taper(length):
    # A Hann window without its zero end points: every weight is positive.
    return np.hanning(length + 2)[1:-1]


def denoise_record(model, x, window=WINDOW, batch_windows=256):
    """Denoise a whole record with a model of fixed-length windows.

    The record is cut into windows with 50 % overlap (one more window ends at
    the last sample), each window's mean removed as in the benchmark's windows
    and added back after denoising; the outputs are stitched by overlap-add
    with a Hann taper, divided by the summed weights.
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n < window:
        raise ValueError(f"record of {n} samples is shorter than a window ({window})")
    stride = window // 2
    starts = list(range(0, n - window + 1, stride))
    if starts[-1] + window < n:
        starts.append(n - window)
    starts = np.asarray(starts)
    weights = _taper(window)
    out = np.zeros(n)
    total = np.zeros(n)
    index = starts[:, None] + np.arange(window)
    for begin in range(0, len(starts), batch_windows):
        rows = index[begin : begin + batch_windows]
        windows = x[rows]
        means = windows.mean(axis=1, keepdims=True)
        denoised = np.asarray(model.transform(windows - means), dtype=np.float64)
        denoised = denoised.reshape(windows.shape) + means
        np.add.at(out, rows.ravel(), (denoised * weights).ravel())
        np.add.at(total, rows.ravel(), np.broadcast_to(weights, rows.shape).ravel())
    return out / total


def beat_annotations(record, data_dir, database="nstdb"):
    """Sample indices of the beat annotations of a record's ``.atr`` file."""
    from skdenoise.datasets import read_wfdb_annotations

    base = record_path(data_dir, database, record)
    if not base.with_name(base.name + ".atr").is_file():
        raise FileNotFoundError(
            f"record {record}: {base.with_name(base.name + '.atr')} not found"
        )
    ann = read_wfdb_annotations(base, "atr")
    beats = [s in BEAT_SYMBOLS for s in ann.symbol]
    return ann.sample[np.asarray(beats, dtype=bool)]


def detect_qrs(x, fs=SAMPLING_RATE):
    """QRS locations (samples) found by the ``wfdb`` package's XQRS detector."""
    from wfdb import processing

    return np.asarray(
        processing.xqrs_detect(np.asarray(x, dtype=np.float64), fs=fs, verbose=False)
    )


def match_beats(reference, detected, tolerance):
    """One-to-one matching of detected beats to reference beats.

    Pairs closer than ``tolerance`` samples (inclusive) are matched closest
    first; each reference beat and each detection is used at most once.

    Returns
    -------
    ref_index, det_index : ndarray of int
        Indices of the matched pairs into ``reference`` and ``detected``.
    """
    reference = np.asarray(reference, dtype=np.int64)
    detected = np.asarray(detected, dtype=np.int64)
    ref_order = np.argsort(reference, kind="stable")
    det_order = np.argsort(detected, kind="stable")
    ref_sorted, det_sorted = reference[ref_order], detected[det_order]
    low = np.searchsorted(det_sorted, ref_sorted - tolerance, side="left")
    high = np.searchsorted(det_sorted, ref_sorted + tolerance, side="right")
    pairs = [
        (abs(int(det_sorted[j]) - int(r)), i, j)
        for i, (r, lo, hi) in enumerate(zip(ref_sorted, low, high, strict=True))
        for j in range(lo, hi)
    ]
    pairs.sort()
    used_ref, used_det, ref_index, det_index = set(), set(), [], []
    for _, i, j in pairs:
        if i in used_ref or j in used_det:
            continue
        used_ref.add(i)
        used_det.add(j)
        ref_index.append(ref_order[i])
        det_index.append(det_order[j])
    return np.asarray(ref_index, dtype=np.int64), np.asarray(det_index, dtype=np.int64)


def qrs_scores(reference, detected, tolerance, ranges=None):
    """Sensitivity and positive predictivity of detected beats.

    With ``ranges`` (a list of sample ranges [start, stop)), the beats are
    matched over the whole record but only the reference beats and detections
    inside the ranges are counted.

    Returns a dict with ``tp``, ``fn``, ``fp``, ``sensitivity`` = TP / (TP + FN)
    and ``ppv`` = TP / (TP + FP) (nan when undefined).
    """
    reference = np.asarray(reference, dtype=np.int64)
    detected = np.asarray(detected, dtype=np.int64)
    ref_index, det_index = match_beats(reference, detected, tolerance)
    ref_in = np.ones(len(reference), dtype=bool)
    det_in = np.ones(len(detected), dtype=bool)
    if ranges is not None:
        ref_in = _inside(reference, ranges)
        det_in = _inside(detected, ranges)
    tp = int(ref_in[ref_index].sum())
    fn = int(ref_in.sum()) - tp
    # A detection matched to a beat outside the ranges is not a false positive.
    matched = np.zeros(len(detected), dtype=bool)
    matched[det_index] = True
    fp = int((det_in & ~matched).sum())
    return {
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "sensitivity": tp / (tp + fn) if tp + fn else float("nan"),
        "ppv": tp / (tp + fp) if tp + fp else float("nan"),
    }


def _inside(samples, ranges):
    inside = np.zeros(len(samples), dtype=bool)
    for start, stop in ranges:
        inside |= (samples >= start) & (samples < stop)
    return inside
