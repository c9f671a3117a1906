"""The ``skdenoise demo`` command: tune a network on synthetic ECG and compare.

Everything the demo needs is generated here, so it runs offline: synthetic ECG
recordings (:func:`~skdenoise.datasets.make_ecg`, 360 Hz) corrupted by a mixture
of baseline wander, muscle noise, 50 Hz powerline interference and white noise,
split into training and test recordings. A pipeline of a Butterworth filter and
a :class:`~skdenoise.UNetDenoiser` applied window by window
(:class:`~skdenoise.pipeline.WindowedDenoiser`) is tuned with ``GridSearchCV``
scored on SNR and compared with the classical baselines at several input SNRs.
"""

import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .._files import replace_files
from ..baselines import (
    BandpassDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)
from ..datasets import make_ecg
from ..metrics import snr, snr_improvement, snr_scorer
from ..noise import (
    BaselineWander,
    MuscleNoise,
    NoiseMixture,
    PowerlineNoise,
    WhiteNoise,
)

__all__ = ["run_demo", "DEFAULT_OUTPUT_DIR"]

#: Where ``skdenoise demo`` writes its files unless told otherwise.
DEFAULT_OUTPUT_DIR = "skdenoise_demo_output"

SAMPLING_RATE = 360.0
TUNED_NAME = "BandpassDenoiser + UNetDenoiser (tuned)"
ALONE_NAME = "UNetDenoiser alone (noise on the fly)"

# Sizes of the full run (a few minutes on two CPU cores) and of the quick one.
_SETTINGS = {
    "full": {
        "n_train": 120,
        "n_test": 40,
        "n_timesteps": 2048,
        "window_length": 512,
        "epochs": 15,
        # The filter before the network: high-pass only, or the band-pass.
        "grid": {
            "prefilter__high_cutoff": [None, 40.0],
            "denoiser__estimator__filters": [8, 16],
        },
        "cv": 2,
        "batch_size": 32,
        # The network alone: trained on the clean recordings with fresh noise,
        # on windows every 64 samples (more windows, fewer epochs).
        "alone": {"filters": 8, "depth": 4, "epochs": 30, "stride": 64},
    },
    "quick": {
        "n_train": 24,
        "n_test": 8,
        "n_timesteps": 1024,
        "window_length": 256,
        "epochs": 2,
        "grid": {
            "prefilter__high_cutoff": [None, 40.0],
            "denoiser__estimator__filters": [4],
        },
        "cv": 2,
        "batch_size": 16,
        "alone": {"filters": 4, "depth": 2, "epochs": 2, "stride": 128},
    },
}
TEST_SNRS = (-3.0, 0.0, 6.0, 12.0)
TRAIN_SNR_RANGE = (-6.0, 18.0)
# The network alone also sees nearly clean recordings. No training input is left
# entirely clean: with the demo's short training that slowed learning (+7.6
# instead of +9.0 dB at 0 dB input on the demo's test recordings, measured
# with the demo's network before it used normalize='rms').
ALONE_SNR_RANGE = (-6.0, 24.0)
ALONE_CLEAN_FRACTION = 0.0
EXAMPLE_SECONDS = 3.0


def _noise(snr_db):
    """The demo's noise: a randomly weighted mixture of four ECG artefacts."""
    return NoiseMixture(
        [
            BaselineWander(sampling_rate=SAMPLING_RATE),
            MuscleNoise(sampling_rate=SAMPLING_RATE),
            PowerlineNoise(sampling_rate=SAMPLING_RATE, frequency=50.0),
            WhiteNoise(),
        ],
        snr=snr_db,
    )


def _baselines():
    return {
        "BandpassDenoiser": BandpassDenoiser(sampling_rate=SAMPLING_RATE),
        "WaveletDenoiser": WaveletDenoiser(),
        "SavitzkyGolayDenoiser": SavitzkyGolayDenoiser(),
        "WienerDenoiser": WienerDenoiser(),
    }


class _Progress:
    """Progress lines on stderr, each prefixed with ``[demo]``; silent when off."""

    def __init__(self, enabled):
        self.enabled = enabled

    def __call__(self, message):
        if self.enabled:
            print(f"[demo] {message}", file=sys.stderr, flush=True)


class _ReportingScorer:
    """SNR scorer that reports every fit of the grid search as it is scored.

    ``GridSearchCV`` scores each fitted candidate on its validation fold right
    after fitting it, so scoring is where the search's progress shows.
    """

    def __init__(self, progress, n_fits, grid_keys):
        self.progress = progress
        self.n_fits = n_fits
        self.grid_keys = grid_keys
        self.n_scored = 0
        self.started = time.perf_counter()

    def __call__(self, estimator, X, y):
        score = snr_scorer(estimator, X, y)
        self.n_scored += 1
        described = _describe_params(estimator.get_params(), self.grid_keys)
        now = time.perf_counter()
        self.progress(
            f"grid fit {self.n_scored}/{self.n_fits} ({described}): "
            f"validation SNR {score:.2f} dB, {now - self.started:.1f} s"
        )
        self.started = now
        if self.n_scored == self.n_fits:
            self.progress("refitting the best candidate on all training recordings ...")
        return score


def _param_label(key):
    """A grid key as the demo prints it: ``filters``, ``prefilter.high_cutoff``."""
    return key.replace("denoiser__estimator__", "").replace("__", ".")


def _describe_params(params, keys):
    values = (params[key] for key in keys)
    return ", ".join(
        f"{_param_label(key)}={value:g}"
        if isinstance(value, (int, float))
        else f"{_param_label(key)}={value!r}"
        for key, value in zip(keys, values, strict=True)
    )


def _make_data(settings, seed):
    """Clean and noisy training recordings, and clean test recordings."""
    rng = np.random.default_rng(seed)
    n_train, n_test = settings["n_train"], settings["n_test"]
    clean = make_ecg(
        n_train + n_test,
        settings["n_timesteps"],
        sampling_rate=SAMPLING_RATE,
        heart_rate=(50.0, 110.0),
        heart_rate_std=2.0,
        random_state=rng,
    )
    # Mean-free references, as after a high-pass: the band-pass baseline
    # removes the mean, which is not noise.
    clean -= clean.mean(axis=1, keepdims=True)
    train, test = clean[:n_train], clean[n_train:]
    noisy_train = _noise(TRAIN_SNR_RANGE).apply(train, random_state=rng)
    noisy_test = {
        level: _noise(level).apply(test, random_state=rng) for level in TEST_SNRS
    }
    return train, noisy_train, test, noisy_test


def _search(settings, epochs, seed, progress):
    """The grid search over the filter + windowed U-Net pipeline."""
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline

    from .. import UNetDenoiser
    from ..pipeline import WindowedDenoiser

    network = UNetDenoiser(
        epochs=epochs, batch_size=settings["batch_size"], random_state=seed
    )
    pipe = Pipeline(
        [
            ("prefilter", BandpassDenoiser(sampling_rate=SAMPLING_RATE)),
            (
                "denoiser",
                WindowedDenoiser(network, window_length=settings["window_length"]),
            ),
        ]
    )
    grid = settings["grid"]
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    n_fits = n_candidates * settings["cv"]
    scorer = _ReportingScorer(progress, n_fits, list(grid))
    search = GridSearchCV(
        pipe,
        grid,
        scoring=scorer,
        cv=KFold(settings["cv"], shuffle=True, random_state=seed),
        error_score="raise",
    )
    return search, n_candidates, n_fits


def _network_alone(settings, seed, epochs=None):
    """A windowed U-Net trained on clean recordings with noise drawn on the fly.

    ``epochs``: None trains for the settings' number (more than the tuned
    pipeline's: its windows overlap less).
    """
    from .. import UNetDenoiser
    from ..augment import from_names
    from ..pipeline import WindowedDenoiser

    alone = settings["alone"]
    # The baseline wander is slower than a window: with the window's mean taken
    # out before the network and put back after (normalize=True) it would come
    # back as the windows' offsets, so the network sees the offsets ("rms").
    network = UNetDenoiser(
        filters=alone["filters"],
        depth=alone["depth"],
        residual=True,
        normalize="rms",
        loss="snr",
        noise=_noise(ALONE_SNR_RANGE),
        augment=from_names(["flip", "time-flip"]),
        clean_fraction=ALONE_CLEAN_FRACTION,
        average_flips=True,
        epochs=alone["epochs"] if epochs is None else epochs,
        batch_size=settings["batch_size"],
        random_state=seed,
    )
    return WindowedDenoiser(
        network, window_length=settings["window_length"], stride=alone["stride"]
    )


def _evaluate(name, model, clean, noisy_by_level, fit_time):
    rows, outputs = [], {}
    # A first call builds the network's inference function; keep it untimed.
    model.transform(next(iter(noisy_by_level.values()))[:1])
    for level, noisy in noisy_by_level.items():
        start = time.perf_counter()
        denoised = np.asarray(model.transform(noisy))
        elapsed = time.perf_counter() - start
        gains = snr_improvement(clean, noisy, denoised, per_series=True)
        rows.append(
            {
                "model": name,
                "input_snr": float(level),
                "output_snr": float(snr(clean, denoised)),
                "snr_improvement": float(np.mean(gains)),
                "snr_improvement_std": float(np.std(gains)),
                "fit_time_s": float(fit_time),
                "transform_time_s": float(elapsed),
            }
        )
        outputs[level] = denoised
    return rows, outputs


def _sorted_rows(rows):
    return sorted(rows, key=lambda row: (row["input_snr"], -row["snr_improvement"]))


_HEADER = (
    "model",
    "input SNR (dB)",
    "output SNR (dB)",
    "SNR improvement (dB)",
    "fit time (s)",
    "transform time (s)",
)


def _cells(row):
    return (
        row["model"],
        f"{row['input_snr']:g}",
        f"{row['output_snr']:.2f}",
        f"{row['snr_improvement']:+.2f} ± {row['snr_improvement_std']:.2f}",
        f"{row['fit_time_s']:.2f}",
        f"{row['transform_time_s']:.3f}",
    )


def format_table(rows):
    """The results as a fixed-width text table, one block per input SNR."""
    rows = _sorted_rows(rows)
    cells = [_cells(row) for row in rows]
    widths = [
        max(len(header), *(len(c[i]) for c in cells))
        for i, header in enumerate(_HEADER)
    ]

    def line(values):
        first = values[0].ljust(widths[0])
        rest = (
            value.rjust(width)
            for value, width in zip(values[1:], widths[1:], strict=True)
        )
        return "  ".join([first, *rest]).rstrip()

    lines = [line(_HEADER), "  ".join("-" * w for w in widths)]
    previous = None
    for row, values in zip(rows, cells, strict=True):
        if previous is not None and row["input_snr"] != previous:
            lines.append("")
        previous = row["input_snr"]
        lines.append(line(values))
    return "\n".join(lines)


def _markdown(rows, summary):
    lines = [
        "# skdenoise demo: denoising synthetic ECG",
        "",
        *summary,
        "",
        "| " + " | ".join(_HEADER) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(_HEADER) - 1)) + "|",
    ]
    for row in _sorted_rows(rows):
        lines.append("| " + " | ".join(_cells(row)) + " |")
    return "\n".join(lines) + "\n"


def _write_csv(path, rows):
    fields = list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in _sorted_rows(rows):
            writer.writerow(
                {k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()}
            )


def _write_figures(out_dir, rows, test, noisy_test, outputs, best_baseline):
    """The example figure and the SNR-improvement figure (needs matplotlib)."""
    from matplotlib.figure import Figure

    from ..plotting import plot_examples, plot_snr_improvement

    n_samples = min(test.shape[1], int(EXAMPLE_SECONDS * SAMPLING_RATE))
    example = 0
    levels = list(noisy_test)
    shown = [n for n in (TUNED_NAME, ALONE_NAME) if n in outputs] + [best_baseline]
    gains = {
        name: [
            float(
                snr_improvement(
                    test[example, :n_samples],
                    noisy_test[level][example, :n_samples],
                    outputs[name][level][example, :n_samples],
                )
            )
            for level in levels
        ]
        for name in shown
    }
    short = {TUNED_NAME: "tuned pipeline", ALONE_NAME: "U-Net alone"}
    titles = [
        f"input SNR {level:g} dB:  "
        + ",  ".join(f"{short.get(n, n)} {gains[n][i]:+.1f} dB" for n in shown)
        for i, level in enumerate(levels)
    ]
    figure = Figure(figsize=(11.0, 2.3 * len(levels) + 0.6), layout="constrained")
    axes = figure.subplots(len(levels), 1, sharex=True, squeeze=False)[:, 0]
    plot_examples(
        np.repeat(test[example : example + 1, :n_samples], len(levels), axis=0),
        np.stack([noisy_test[level][example, :n_samples] for level in levels]),
        {
            name: np.stack(
                [outputs[name][level][example, :n_samples] for level in levels]
            )
            for name in shown
        },
        sampling_rate=SAMPLING_RATE,
        titles=titles,
        axes=axes,
    )
    # One legend for the figure, below the panels, so that it hides no data.
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].get_legend().remove()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    for ax, level in zip(axes, levels, strict=True):
        for line in ax.get_lines():
            if line.get_label() in (TUNED_NAME, ALONE_NAME):
                line.set_zorder(2.5)  # above the baseline it is compared with
        # The noisy input dwarfs the ECG at low SNR; keep the ECG readable.
        low, high = test[example, :n_samples].min(), test[example, :n_samples].max()
        margin = 0.6 * (high - low)
        noisy = noisy_test[level][example, :n_samples]
        ax.set_ylim(max(low - margin, noisy.min()), min(high + margin, noisy.max()))
        ax.set_ylabel("mV")
    figure.suptitle(
        "Synthetic ECG (360 Hz) with baseline wander, muscle, powerline and white "
        "noise: one test recording"
    )
    examples_path = out_dir / "examples.png"
    figure.savefig(examples_path, dpi=110)

    figure = Figure(figsize=(10.0, 4.5), layout="constrained")
    ax = figure.subplots()
    curves = {}
    for row in rows:
        inputs, values = curves.setdefault(row["model"], ([], []))
        inputs.append(row["input_snr"])
        values.append(row["snr_improvement"])
    plot_snr_improvement(curves, ax=ax, title="Mean SNR improvement on test recordings")
    # The legend beside the axes: inside, it hid a curve.
    handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    figure.legend(handles, labels, loc="outside right upper", fontsize="small")
    improvement_path = out_dir / "snr_improvement.png"
    figure.savefig(improvement_path, dpi=110)
    return {"examples": examples_path, "snr_improvement": improvement_path}


def _levels_text():
    """The test SNRs as the progress lines and the summary print them."""
    return ", ".join(f"{level:g}" for level in TEST_SNRS)


def _describe_best(search):
    return _describe_params(search.best_params_, list(search.best_params_))


def _output_dir(out_dir):
    """The output directory as a path, created if missing."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir} exists and is not a directory.")
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def _generate_data(settings, seed, progress):
    """The recordings of :func:`_make_data`, announced on the progress lines."""
    n_rec = settings["n_train"] + settings["n_test"]
    seconds = settings["n_timesteps"] / SAMPLING_RATE
    progress(
        f"generating {n_rec} synthetic ECG recordings of {seconds:.1f} s at "
        f"{SAMPLING_RATE:g} Hz ({settings['n_train']} for training, "
        f"{settings['n_test']} for testing)"
    )
    data = _make_data(settings, seed)
    progress(
        "noise: baseline wander + muscle + 50 Hz powerline + white; training SNR "
        f"{TRAIN_SNR_RANGE[0]:g} to {TRAIN_SNR_RANGE[1]:g} dB, test SNR "
        f"{_levels_text()} dB"
    )
    return data


def _tune(settings, epochs, seed, noisy_train, train, progress):
    """Run the grid search; return it, fitted, and how long it took (s)."""
    progress("loading TensorFlow ...")
    search, n_candidates, n_fits = _search(settings, epochs, seed, progress)
    progress(
        "tuning a pipeline of a Butterworth filter and a UNetDenoiser in windows of "
        f"{settings['window_length']} samples: "
        f"{n_candidates} candidates x {settings['cv']} folds = {n_fits} fits of "
        f"{epochs} epochs, then a refit"
    )
    start = time.perf_counter()
    search.fit(noisy_train, train)
    search_time = time.perf_counter() - start
    progress(
        f"best: {_describe_best(search)} (validation SNR {search.best_score_:.2f} "
        f"dB); search took {search_time:.1f} s, refit {search.refit_time_:.1f} s"
    )
    return search, search_time


def _evaluate_tuned(search, settings, test, noisy_test, progress):
    """Rows of the tuned pipeline, and its outputs keyed by its name then level."""
    progress(
        f"evaluating on {settings['n_test']} test recordings at {_levels_text()} dB "
        "input SNR"
    )
    rows, outputs = _evaluate(
        TUNED_NAME, search.best_estimator_, test, noisy_test, search.refit_time_
    )
    return rows, {TUNED_NAME: outputs}


def _train_alone(settings, seed, train, test, noisy_test, progress, epochs=None):
    """Train the network alone on the clean recordings and evaluate it."""
    alone = settings["alone"]
    epochs = alone["epochs"] if epochs is None else epochs
    progress(
        f"training {ALONE_NAME}: UNetDenoiser(filters={alone['filters']}, "
        f"depth={alone['depth']}, normalize='rms') on the clean training recordings, "
        f"windows every {alone['stride']} samples, noise at "
        f"{ALONE_SNR_RANGE[0]:g} to {ALONE_SNR_RANGE[1]:g} dB drawn afresh every "
        f"epoch, {ALONE_CLEAN_FRACTION:.0%} left clean, {epochs} epochs"
    )
    start = time.perf_counter()
    network = _network_alone(settings, seed, epochs).fit(train)
    fit_time = time.perf_counter() - start
    evaluated = _evaluate(ALONE_NAME, network, test, noisy_test, fit_time)
    progress(f"trained in {fit_time:.1f} s")
    return evaluated


def _evaluate_baselines(noisy_train, train, test, noisy_test):
    """Rows of every classical baseline, and their outputs keyed by name."""
    rows, outputs = [], {}
    for name, baseline in _baselines().items():
        start = time.perf_counter()
        baseline.fit(noisy_train, train)
        fit_time = time.perf_counter() - start
        more, outputs[name] = _evaluate(name, baseline, test, noisy_test, fit_time)
        rows.extend(more)
    return rows, outputs


def _best_baseline(rows):
    """The classical baseline with the largest mean SNR improvement."""
    mean_gain = {}
    for row in rows:
        mean_gain.setdefault(row["model"], []).append(row["snr_improvement"])
    return max(
        (name for name in mean_gain if name not in (TUNED_NAME, ALONE_NAME)),
        key=lambda name: np.mean(mean_gain[name]),
    )


def _summary(settings, seed, epochs, search, search_time, alone_epochs=None):
    """The lines that open ``results.md``: what was run, and how."""
    seconds = settings["n_timesteps"] / SAMPLING_RATE
    alone = settings["alone"]
    alone_epochs = alone["epochs"] if alone_epochs is None else alone_epochs
    return [
        f"Synthetic ECG at {SAMPLING_RATE:g} Hz: {settings['n_train']} training and "
        f"{settings['n_test']} test recordings of {settings['n_timesteps']} samples "
        f"({seconds:.1f} s), seed {seed}.",
        "Noise: random mixture of baseline wander, muscle noise, 50 Hz powerline "
        f"interference and white noise; training SNR {TRAIN_SNR_RANGE[0]:g} to "
        f"{TRAIN_SNR_RANGE[1]:g} dB.",
        f"{TUNED_NAME}: Pipeline(prefilter=BandpassDenoiser(0.67 Hz high-pass, with "
        "or without the 40 Hz low-pass), denoiser=WindowedDenoiser(UNetDenoiser, "
        f"window_length={settings['window_length']})), {epochs} epochs, tuned by "
        f"GridSearchCV (cv={settings['cv']}, scored on SNR) over "
        + ", ".join(f"{_param_label(k)} in {v}" for k, v in settings["grid"].items())
        + f": best {_describe_best(search)}, validation SNR "
        f"{search.best_score_:.2f} dB; search time {search_time:.1f} s. Its fit "
        "time is the refit of the best candidate.",
        f"{ALONE_NAME}: WindowedDenoiser(UNetDenoiser(filters={alone['filters']}, "
        f"depth={alone['depth']}, residual=True, normalize='rms', loss='snr', "
        f"clean_fraction={ALONE_CLEAN_FRACTION:g}, average_flips=True, "
        f"augment=flips), window_length={settings['window_length']}, "
        f"stride={alone['stride']}), {alone_epochs} epochs, trained on the clean "
        "training "
        f"recordings with the same noise mixture drawn afresh every epoch at "
        f"{ALONE_SNR_RANGE[0]:g} to {ALONE_SNR_RANGE[1]:g} dB; no filter in front.",
        "SNR improvement: mean ± std over test recordings.",
    ]


_FIGURES = ("examples.png", "snr_improvement.png")


def _write_files(out_dir, rows, summary, test, noisy_test, outputs, progress):
    """Write the tables, and the figures where matplotlib is installed.

    All are written in a folder of their own first and moved into
    ``out_dir`` together at the end, so that an interrupted run leaves the
    previous run's files as they were, not new tables beside old figures. A
    previous run's figures are removed when this one draws none.
    """
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".demo-") as staging:
        staging = Path(staging)
        files = {"csv": staging / "results.csv", "markdown": staging / "results.md"}
        _write_csv(files["csv"], rows)
        files["markdown"].write_text(_markdown(rows, summary), encoding="utf-8")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            progress(
                "matplotlib is not installed, so no figures: pip install "
                "'skdenoise[plot]'"
            )
        else:
            progress("drawing the figures")
            files.update(
                _write_figures(
                    staging, rows, test, noisy_test, outputs, _best_baseline(rows)
                )
            )
        moved = {key: out_dir / path.name for key, path in files.items()}
        # All of them, or the run is not done: an interrupt waits.
        replace_files([(path, moved[key]) for key, path in files.items()])
    for name in _FIGURES:
        if name not in {path.name for path in moved.values()}:
            (out_dir / name).unlink(missing_ok=True)
    return moved


def _report(table, out_dir, files, elapsed):
    """What ``run_demo`` prints on stdout at the end."""
    return "\n".join(
        [
            "",
            table,
            "",
            f"Files written to {out_dir.resolve()}:",
            *(f"  {path.name}" for path in files.values()),
            f"Finished in {elapsed:.0f} s.",
        ]
    )


def run_demo(
    out_dir=DEFAULT_OUTPUT_DIR, *, quick=False, seed=0, epochs=None, verbose=True
):
    """Tune a U-Net on synthetic ECG, compare it with classical filters, report.

    Builds synthetic ECG recordings at 360 Hz, adds a noise mixture (baseline
    wander, muscle noise, 50 Hz powerline interference and white noise) at SNRs
    drawn from -6 to 18 dB for training and at -3, 0, 6 and 12 dB for testing,
    tunes a pipeline of a Butterworth filter (a 0.67 Hz high-pass, with or
    without a 40 Hz low-pass) and a windowed :class:`~skdenoise.UNetDenoiser`
    (its number of filters) with ``GridSearchCV`` scored on SNR, and compares
    it with the band-pass, wavelet, Savitzky-Golay and Wiener baselines on the
    test recordings. Writes ``results.csv``, ``results.md``, ``examples.png`` and
    ``snr_improvement.png`` to ``out_dir`` (the figures only when matplotlib is
    installed).

    Parameters
    ----------
    out_dir : str or path-like, default="skdenoise_demo_output"
        Output directory, created if missing. Files of a previous run there are
        replaced.
    quick : bool, default=False
        A much smaller run (well under a minute) that exercises every step;
        its numbers say little.
    seed : int, default=0
        Seed of the data, the noise, the folds and the networks.
    epochs : int or None, default=None
        Training epochs of every network; None uses 15 for the tuned
        pipeline's and 30 for the U-Net alone (2 each with ``quick``).
    verbose : bool, default=True
        Print progress lines (``[demo] ...``) on stderr while it runs, and the
        results table and the files written on stdout at the end.

    Returns
    -------
    results : dict
        ``rows`` (one dict per model and input SNR, with ``model``,
        ``input_snr``, ``output_snr``, ``snr_improvement``,
        ``snr_improvement_std``, ``fit_time_s`` and ``transform_time_s``),
        ``table`` (the text table), ``report`` (what ``verbose`` prints on
        stdout), ``best_params``, ``best_cv_snr`` (dB), ``search_time_s``,
        ``files`` (name -> path of each file written) and ``elapsed_s``.
    """
    started = time.perf_counter()
    settings = _SETTINGS["quick" if quick else "full"]
    alone_epochs = epochs
    if epochs is None:
        epochs = settings["epochs"]
    progress = _Progress(verbose)
    # The folders this run makes (the output folder and missing parents).
    created = [
        folder
        for folder in (Path(out_dir), *Path(out_dir).parents)
        if not folder.exists()
    ]
    out_dir = _output_dir(out_dir)
    try:
        return _run(
            settings, seed, epochs, alone_epochs, progress, out_dir, started, verbose
        )
    except BaseException:
        # An interrupted or failed run leaves no empty folder of its own.
        for folder in created:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise


def _run(settings, seed, epochs, alone_epochs, progress, out_dir, started, verbose):
    """``run_demo``'s work, once the output folder is there."""
    train, noisy_train, test, noisy_test = _generate_data(settings, seed, progress)
    search, search_time = _tune(settings, epochs, seed, noisy_train, train, progress)
    rows, outputs = _evaluate_tuned(search, settings, test, noisy_test, progress)
    more, outputs[ALONE_NAME] = _train_alone(
        settings, seed, train, test, noisy_test, progress, alone_epochs
    )
    rows.extend(more)
    more, baseline_outputs = _evaluate_baselines(noisy_train, train, test, noisy_test)
    rows.extend(more)
    outputs.update(baseline_outputs)

    table = format_table(rows)
    summary = _summary(settings, seed, epochs, search, search_time, alone_epochs)
    files = _write_files(out_dir, rows, summary, test, noisy_test, outputs, progress)

    elapsed = time.perf_counter() - started
    report = _report(table, out_dir, files, elapsed)
    if settings is _SETTINGS["quick"] and alone_epochs is None:
        # Two epochs: the networks barely learn (and say so in warnings).
        report += (
            "\nThe quick run trains each network for seconds (2 epochs), so they "
            "learn little:\nit checks the set-up, not the networks. Run without "
            "--quick (quick=False) for the comparison\n(a few minutes on two "
            "CPU cores)."
        )
    if verbose:
        print(report, flush=True)
    return {
        "rows": _sorted_rows(rows),
        "table": table,
        "report": report,
        "best_params": {
            _param_label(key): value for key, value in search.best_params_.items()
        },
        "best_cv_snr": float(search.best_score_),
        "search_time_s": float(search_time),
        "files": files,
        "elapsed_s": float(elapsed),
    }
