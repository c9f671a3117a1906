"""Does the uncertainty's calibration hold at every input level? Leave one record out.

The coverage bar of ``uncertainty.py`` asks for 90-98 % in every cell of
noise type and input level on unseen records. This study looks at that
question on the calibration records alone (no test record is read): for each
calibration record in turn, a calibration is fitted on the calibration set of
the other records (continuous training SNR, as the package calibrates) and
measured on the held-out record at each discrete level (-6 to 24 dB) and noise
type, with the training noise. Calibrations compared:

- ``package``: the package's own (:func:`fit_std_calibration`: spread and
  removed noise level, factors per bin of the removed noise level);
- ``colour bins``: the same scale, its factors per bin of the removed noise's
  colour (:func:`removed_colour`: its mean squared sample-to-sample step over
  its mean square, which tells baseline wander from muscle noise);
- ``relative bins``: the same, with the bins on the removed noise relative to
  the output (an estimate of the input SNR, which does not follow a record's
  amplitude);
- ``quantile boosting``: the 95 % quantile of ``|clean - mean|`` predicted per
  sample by gradient-boosted trees (scikit-learn's
  ``HistGradientBoostingRegressor(loss="quantile")``) from the log spread, the
  log removed noise, the gate's factor, the log local size of what the gate
  put back and the log local slope of the output.
- ``signal level``: the package's scale with a third feature, the RMS of the
  window's output (at one input SNR the error grows with the size of the
  ECG), and its factors per bin of the relative removed noise;
- ``signal level + envelope``: the same with the output's local RMS over
  about 0.1 s as a fourth feature.
- ``second pass``: the package's calibration of a spread that adds, sample by
  sample, the local RMS (15 samples) of what the denoiser changes when it is
  given its own output again: at a high input SNR the error is mostly the
  network's distortion of the record's beats, which a second pass repeats.
- ``level weights``: the scale of ``signal level`` (spread, removed noise,
  the window's output RMS), its weights fitted apart in each bin of the
  relative removed noise, as its factors: at a low input SNR the error
  follows the spread, at a high one the size of the ECG. Between bins the
  log std is interpolated.
- ``level weights + envelope``: the same with the output's local RMS.
- ``output level``: ``level weights`` with the weights of the log spread, the
  log removed noise and the log output RMS summing to 1 (least squares over
  the simplex, :func:`simplex_lstsq`), so that the scale grows as the
  series' size and never faster.

Besides the coverage it reports Spearman's rho between the RMS of each
window's predicted std and its true RMS error, the held-out records' windows
pooled per noise type and level.

It needs models saved by ``uncertainty.py --save-models DIR``, or the network
of a pretrained ECG file (``--pretrained FILE``, calibrated with ``--methods``,
``flips`` by default). Examples::

    python benchmarks/uncertainty_loro.py --data-dir ../shared/data/physionet \\
        --load-models DIR --records 101 106 112 117 122 --out OUT
    python benchmarks/uncertainty_loro.py --data-dir ../shared/data/physionet \\
        --pretrained skdenoise/pretrained/ecg_unet.skdenoise --records 117 122 \\
        --calibrations package "colour bins" --out OUT
"""

import argparse
import functools
import itertools
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from scipy.ndimage import uniform_filter1d

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _report import load_average, preamble  # noqa: E402

LEVELS = (-6.0, 0.0, 6.0, 12.0, 18.0, 24.0)
Z95 = 1.959963984540054
BAND = (0.90, 0.98)
CALIBRATIONS = (
    "package",
    "colour bins",
    "relative bins",
    "quantile boosting",
    "signal level",
    "signal level + envelope",
    "second pass",
    "level weights",
    "level weights + envelope",
    "output level",
)
# Width of the output's local envelope (samples, about 0.1 s at 360 Hz).
ENVELOPE = 37
# Width of the local RMS of the second pass's change (samples).
SECOND_WIDTH = 15


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="benchmarks/uncertainty_loro.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data-dir", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--load-models", metavar="DIR")
    source.add_argument("--pretrained", metavar="FILE")
    parser.add_argument("--methods", nargs="+", default=None)
    parser.add_argument(
        "--calibrations", nargs="+", default=list(CALIBRATIONS), choices=CALIBRATIONS
    )
    parser.add_argument(
        "--records",
        nargs="+",
        default=None,
        help="calibration records, none of them a training record of the models "
        "(default: the validation records of the pretrained file's information, "
        "or 117 122, uncertainty.py's)",
    )
    parser.add_argument("--windows", type=int, default=600, metavar="N")
    parser.add_argument("--grid-windows", type=int, default=150, metavar="N")
    parser.add_argument("--out", required=True)
    return parser.parse_args(argv)


def window_set(model, noisy, clean, second=False):
    """Per-sample arrays of one set of windows: everything the calibrations use.

    ``second``: also what a second ``transform`` changes (``second pass`` only;
    it doubles the denoising).
    """
    from skdenoise.neural import _uncertainty as unc
    from skdenoise.neural._base import predict_batch

    X3 = noisy[:, :, None]
    mean = model.transform(noisy)
    spread = unc.raw_std(model, X3, 0)[:, :, 0]
    removed = unc.removed_noise(model, X3, mean[:, :, None])[:, :, 0]
    members = [model.model_, *(getattr(model, "ensemble_members_", None) or [])]
    raw = np.mean(
        [
            model._network_outputs(X3, functools.partial(predict_batch, m))
            for m in members
        ],
        axis=0,
    )[:, :, 0] * float(model.target_scale_.ravel()[0]) + float(
        model.target_offset_.ravel()[0]
    )
    colour = removed_colour(noisy - mean)
    # What the denoiser changes in its own output: its distortion of a nearly
    # clean series like this one (the "second pass" calibration).
    extra = {"second": model.transform(mean) - mean} if second else {}
    return {
        **extra,
        "clean": clean,
        "noisy": noisy,
        "mean": mean,
        "spread": spread,
        "removed": removed,
        "colour": colour,
        "raw": raw,
    }


def removed_colour(removed):
    """The colour of the removed noise, per window, broadcast over its samples.

    The mean square of its sample-to-sample steps over its mean square: near 0
    for a slow wander, about 2 for white noise, up to 4 (the fastest). No
    sampling rate needed; floored at 1e-6 (a window with nothing removed).
    """
    removed = np.asarray(removed, dtype=np.float64)
    if removed.shape[1] < 2:
        return np.ones(removed.shape)
    unit = np.max(np.abs(removed), axis=1, keepdims=True)
    removed = removed / np.where(unit > 0, unit, 1.0)
    steps = np.mean(np.diff(removed, axis=1) ** 2, axis=1, keepdims=True)
    power = np.mean(removed**2, axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        colour = np.where(power > 0, steps / power, 1e-6)
    return np.broadcast_to(np.clip(colour, 1e-6, 4.0), removed.shape)


def features(s):
    """Per-sample features of the boosted quantile model (n_samples, 5)."""
    correction = s["raw"] - s["noisy"]
    energy = np.maximum(np.sum(correction**2, axis=1, keepdims=True), 1e-30)
    gate = np.sum((s["mean"] - s["noisy"]) * correction, axis=1, keepdims=True) / energy
    putback = uniform_filter1d(np.abs(s["raw"] - s["mean"]), 15, axis=1)
    slope = uniform_filter1d(np.abs(np.gradient(s["mean"], axis=1)), 9, axis=1)
    columns = [
        np.log(s["spread"]),
        np.log(s["removed"]),
        np.broadcast_to(gate, s["mean"].shape),
        np.log(putback + 1e-5),
        np.log(slope + 1e-4),
    ]
    return np.stack([c.ravel() for c in columns], axis=1)


def relative(s):
    rms = np.sqrt(np.mean(s["mean"] ** 2, axis=1, keepdims=True))
    return s["removed"] / np.maximum(rms, 1e-12)


def signal_level(s):
    """The RMS of each window's output, per sample: the size of its ECG."""
    rms = np.sqrt(np.mean(s["mean"] ** 2, axis=1, keepdims=True))
    return np.broadcast_to(np.maximum(rms, 1e-12), s["mean"].shape)


def envelope(s):
    """The output's local RMS over about 0.1 s: where the beats are."""
    local = np.sqrt(uniform_filter1d(s["mean"] ** 2, ENVELOPE, axis=1))
    return np.maximum(local, 1e-3 * signal_level(s))


def level_features(s, with_envelope):
    columns = [s["spread"], s["removed"], signal_level(s)]
    if with_envelope:
        columns.append(envelope(s))
    return [np.log(c).ravel() for c in columns]


def n_relative_bins(n_values):
    """Bins of the relative removed noise: as many as the package's noise bins."""
    from skdenoise.neural import _uncertainty as unc

    return int(
        np.clip(
            n_values // (4 * unc._MIN_PER_BIN * unc._MAX_BINS), 1, unc._MAX_NOISE_BINS
        )
    )


def log_target(residual):
    """``log|residual|`` per sample, kept finite for exact zeros."""
    target = np.abs(residual).ravel()
    return np.log(target + 1e-3 * max(float(np.median(target)), 1e-300))


def level_columns(sets, with_envelope):
    """:func:`level_features` of every set, each feature concatenated."""
    return [
        np.concatenate(c)
        for c in zip(*(level_features(s, with_envelope) for s in sets), strict=True)
    ]


def relative_bins(residual, scale_of, sets):
    """Factors of a scale per bin of the relative removed noise: set -> std.

    ``scale_of(s)`` gives the scale of a window set; the factors are the
    package's (:func:`_fit_factors`), fitted apart for bins of the removed
    noise relative to the output (an estimate of the input SNR) and
    interpolated between them.
    """
    from skdenoise.neural import _uncertainty as unc

    scale = np.concatenate([scale_of(s) for s in sets]).ravel()
    rel = np.log(np.concatenate([relative(s) for s in sets]).ravel())
    n_bins = n_relative_bins(scale.size)
    centres, curves = [], []
    for rows in np.array_split(np.argsort(rel, kind="stable"), n_bins):
        centres.append(float(np.median(rel[rows])))
        curves.append(unc._fit_factors(residual.ravel()[rows], scale[rows]))

    def apply(s):
        scale = scale_of(s)
        factors = np.stack([np.interp(np.log(scale), lv, f) for lv, f in curves])
        position = np.interp(np.log(relative(s)), centres, np.arange(n_bins))
        position = np.broadcast_to(position, scale.shape)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, n_bins - 1)
        frac = position - low
        pick = np.take_along_axis
        log_factor = pick(factors, low[None], 0)[0] * (1 - frac)
        log_factor += pick(factors, high[None], 0)[0] * frac
        return scale * np.exp(log_factor)

    return apply


def level_weight_bins(residual, sets, with_envelope, simplex=False):
    """Weights and factors of the scale per bin of the relative removed noise.

    In each bin, the non-negative least-squares weights of the log spread,
    the log removed noise and the log output RMS (and its local envelope) in
    ``log|residual|``, then the package's factors of that scale. The log std
    is interpolated between the bins' centres. A function set -> std.
    """
    from skdenoise.neural import _uncertainty as unc

    target, columns = log_target(residual), level_columns(sets, with_envelope)
    rel = np.log(np.concatenate([relative(s) for s in sets]).ravel())
    n_bins = n_relative_bins(target.size)
    centres, fitted = [], []
    for rows in np.array_split(np.argsort(rel, kind="stable"), n_bins):
        fit_weights = simplex_lstsq if simplex else unc.nonnegative_lstsq
        weights = fit_weights(target[rows], [c[rows] for c in columns])
        if not np.any(weights > 0):
            weights[0] = 1.0
        log_scale = sum(w * c[rows] for w, c in zip(weights, columns, strict=True))
        levels, factors = unc._fit_factors(residual.ravel()[rows], np.exp(log_scale))
        centres.append(float(np.median(rel[rows])))
        fitted.append((weights, levels, factors))
    print(
        f"  {'output level' if simplex else 'level weights'}"
        f"{' + envelope' if with_envelope else ''}: "
        + "; ".join(
            f"{c:+.2f}: {np.round(w, 2).tolist()}"
            for c, (w, _, _) in zip(centres, fitted, strict=True)
        ),
        flush=True,
    )

    def apply(s):
        logs = level_features(s, with_envelope)
        log_std = []
        for weights, levels, factors in fitted:
            log_scale = sum(w * c for w, c in zip(weights, logs, strict=True))
            log_std.append(log_scale + np.interp(log_scale, levels, factors))
        log_std = np.stack(log_std)
        position = np.interp(np.log(relative(s)).ravel(), centres, np.arange(n_bins))
        position = np.broadcast_to(
            position.reshape(s["mean"].shape[0], -1), s["mean"].shape
        ).ravel()
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, n_bins - 1)
        frac = position - low
        cols = np.arange(position.size)
        value = log_std[low, cols] * (1 - frac) + log_std[high, cols] * frac
        return np.exp(value).reshape(s["mean"].shape)

    return apply


def simplex_lstsq(target, features):
    """Weights ``w >= 0``, ``sum(w) == 1``, of ``target ~ c + sum w_i features_i``.

    Exactly: for each set of features allowed a weight, the least squares with
    their weights summing to 1 (one weight substituted), kept if none is
    negative; the best of those kept.
    """
    k = len(features)
    best, best_cost = None, np.inf
    for size in range(1, k + 1):
        for active in itertools.combinations(range(k), size):
            last = features[active[-1]]
            response = target - last
            design = np.column_stack(
                [np.ones(target.size)] + [features[i] - last for i in active[:-1]]
            )
            coef = np.linalg.lstsq(design, response, rcond=None)[0]
            weights = np.zeros(k)
            weights[list(active[:-1])] = coef[1:]
            weights[active[-1]] = 1.0 - np.sum(coef[1:])
            if np.any(weights < -1e-12):
                continue
            cost = float(np.sum((response - design @ coef) ** 2))
            if cost < best_cost:
                best, best_cost = np.clip(weights, 0.0, None), cost
    return best / np.sum(best)


def concat(sets, key):
    return np.concatenate([s[key] for s in sets])


def fit(name, sets):
    """A calibration fitted on some window sets: a function set -> std."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    from skdenoise.neural import _uncertainty as unc

    residual = concat(sets, "clean") - concat(sets, "mean")
    spread, removed = concat(sets, "spread"), concat(sets, "removed")
    if name == "package":
        params = unc.fit_std_calibration(residual, spread, removed)
        return lambda s: unc.apply_std_calibration(s["spread"], s["removed"], *params)
    if name == "colour bins":
        params = unc.fit_std_calibration(
            residual, spread, removed, bin_on=concat(sets, "colour")
        )
        return lambda s: unc.apply_std_calibration(
            s["spread"], s["removed"], *params, bin_on=s["colour"]
        )
    if name == "relative bins":
        # The package's scale and factors, its noise bins on the relative level.
        weights = unc._scale_weights(residual, spread, removed)
        return relative_bins(
            residual,
            lambda s: unc._scale(s["spread"], s["removed"], weights),
            sets,
        )
    if name == "quantile boosting":
        X = np.concatenate([features(s) for s in sets])
        target = np.abs(residual).ravel()
        rows = np.random.default_rng(0).choice(
            len(X), min(400_000, len(X)), replace=False
        )
        booster = HistGradientBoostingRegressor(
            loss="quantile",
            quantile=0.95,
            max_iter=200,
            min_samples_leaf=200,
            random_state=0,
        ).fit(X[rows], target[rows])
        return lambda s: (
            np.maximum(booster.predict(features(s)), 1e-12).reshape(s["mean"].shape)
            / Z95
        )
    if name.startswith("signal level"):
        # The scale adds the size of the window's ECG (and its local envelope)
        # to the spread and the removed noise: at one input SNR the error
        # grows with the signal. Factors per bin of the relative removed noise.
        with_envelope = name.endswith("envelope")
        target, columns = log_target(residual), level_columns(sets, with_envelope)
        weights = unc.nonnegative_lstsq(target, columns)

        def scale_of(s):
            logs = level_features(s, with_envelope)
            log_scale = sum(w * c for w, c in zip(weights, logs, strict=True))
            return np.exp(log_scale).reshape(s["mean"].shape)

        print(f"  {name}: weights {np.round(weights, 3).tolist()}", flush=True)
        return relative_bins(residual, scale_of, sets)
    if name == "second pass":
        # The package's calibration of a spread that adds, sample by sample,
        # the local RMS of what a second pass changes in the output.
        def combined(s):
            local = uniform_filter1d(s["second"] ** 2, SECOND_WIDTH, axis=1)
            return np.sqrt(s["spread"] ** 2 + local)

        spread2 = np.concatenate([combined(s) for s in sets])
        params = unc.fit_std_calibration(residual, spread2, removed)
        return lambda s: unc.apply_std_calibration(combined(s), s["removed"], *params)
    if name == "output level":
        return level_weight_bins(residual, sets, False, simplex=True)
    if name.startswith("level weights"):
        return level_weight_bins(residual, sets, name.endswith("envelope"))
    raise ValueError(name)


def _pretrained_records(path):
    """The training and validation records a pretrained file's information names."""
    if path is None:
        return [], []
    info = Path(path).with_suffix(".json")
    if not info.is_file():
        return [], []
    data = json.loads(info.read_text(encoding="utf-8")).get("data", {})
    return list(data.get("training_records", [])), list(
        data.get("validation_records", [])
    )


def main(argv=None):

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    trained, validation = _pretrained_records(args.pretrained)
    if args.records is None:
        args.records = validation or ["117", "122"]
    seen = [r for r in args.records if r in trained]
    if seen:
        raise SystemExit(
            f"benchmarks/uncertainty_loro.py: error: record(s) {' '.join(seen)} "
            f"trained {args.pretrained}'s network: a calibration measured on them "
            "says nothing of unseen records. Give --records among "
            f"{' '.join(validation) or 'records it did not train on'}."
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/uncertainty_loro.py", *argv])
    started, load_start = time.perf_counter(), load_average()
    protocol.check_record_lists([], args.records, [], args.data_dir)
    noise = protocol.training_noise(args.data_dir, (-6.0, 30.0))
    recordings = protocol.noise_recordings(
        args.data_dir, protocol.TRAIN_NOISE["channel"]
    )
    rows, window_rms = [], {}
    if args.methods is None:
        args.methods = ["flips"] if args.pretrained else ["ensemble", "mc_dropout"]
    for method in args.methods:
        if args.pretrained:
            # The network of the file, with the method to calibrate (no
            # calibration of its own is used: each is fitted here).
            model = protocol.load_saved(
                args.pretrained, "uncertainty_loro.py", network=True
            )
            model.set_params(uncertainty=method)
        else:
            model = protocol.load_saved(
                Path(args.load_models) / f"{method}.skd", "uncertainty_loro.py"
            )
        calibration, grid = {}, {}
        second = "second pass" in args.calibrations
        for record in args.records:
            clean = protocol.select_test_windows(
                protocol.clean_windows(record, args.data_dir), args.windows
            )
            noisy = noise.apply(clean, random_state=protocol.VALIDATION_SEED)
            calibration[record] = window_set(model, noisy, clean, second)
            few = protocol.select_test_windows(clean, args.grid_windows)
            for kind in protocol.NOISE_TYPES:
                for level in LEVELS:
                    noise_model = protocol.noise_model(
                        kind, recordings, protocol.TRAIN_NOISE["segment"], level
                    )
                    x = noise_model.apply(few, random_state=1)
                    grid[record, kind, level] = window_set(model, x, few, second)
            print(f"{method}: record {record} done", flush=True)
        for name in args.calibrations:
            for record in args.records:
                std_of = fit(
                    name, [calibration[r] for r in args.records if r != record]
                )
                for kind in protocol.NOISE_TYPES:
                    for level in LEVELS:
                        s = grid[record, kind, level]
                        std = std_of(s)
                        inside = np.abs(s["clean"] - s["mean"]) <= Z95 * std
                        rows.append(
                            (method, name, record, kind, level, float(inside.mean()))
                        )
                        window_rms[method, name, record, kind, level] = (
                            np.sqrt(np.mean(std**2, axis=1)),
                            np.sqrt(np.mean((s["clean"] - s["mean"]) ** 2, axis=1)),
                        )
            print(f"{method}: {name} done", flush=True)
    write(out, rows, window_rms, args, command, load_start, started)


def spearman_rows(window_rms, records):
    """Spearman rho of predicted and true window RMS error, records pooled."""
    from scipy import stats

    result = []
    for method, name in dict.fromkeys(k[:2] for k in window_rms):
        for kind in protocol.NOISE_TYPES:
            for level in LEVELS:
                pred = np.concatenate(
                    [window_rms[method, name, r, kind, level][0] for r in records]
                )
                true = np.concatenate(
                    [window_rms[method, name, r, kind, level][1] for r in records]
                )
                rho = float(stats.spearmanr(pred, true).statistic)
                result.append((method, name, kind, level, rho))
    return result


def write(out, rows, window_rms, args, command, load_start, started):
    with open(out / "coverage.csv", "w", encoding="utf-8") as f:
        f.write("method,calibration,held_out_record,noise,snr_in_db,coverage_95\n")
        for row in rows:
            f.write(",".join(map(str, row[:5])) + f",{row[5]:.4f}\n")
    lines = preamble(
        "# Uncertainty calibration per input level: leave one calibration record out",
        command,
    )
    lines += [
        f"Written {time.strftime('%Y-%m-%dT%H:%M:%S')}; load average at start "
        f"{load_start[0]:.2f}, at end {load_average()[0]:.2f}; "
        f"{(time.perf_counter() - started) / 60:.1f} min. Models from "
        f"`{args.load_models or args.pretrained}`; calibration records "
        f"{' '.join(args.records)} "
        f"({args.windows} windows each, training noise at U(-6, 30) dB); each held-out "
        f"record measured on {args.grid_windows} windows at each level and noise type "
        "(training noise). No test record is read.",
        "",
        "Coverage of the central 95 % interval. A cell is one held-out record, noise "
        "type and level; `in band`: the share of the cells within 90-98 %.",
        "",
        "| method | calibration | in band | "
        + " | ".join(f"{level:+.0f} dB (min / median / max)" for level in LEVELS)
        + " |",
        "|---|---|---|" + "---|" * len(LEVELS),
    ]
    keys = list(dict.fromkeys((r[0], r[1]) for r in rows))
    for method, name in keys:
        mine = [r for r in rows if r[0] == method and r[1] == name]
        values = np.array([r[5] for r in mine])
        in_band = np.mean((values >= BAND[0]) & (values <= BAND[1]))
        cells = []
        for level in LEVELS:
            v = np.array([r[5] for r in mine if r[4] == level])
            cells.append(f"{v.min():.1%} / {np.median(v):.1%} / {v.max():.1%}")
        lines.append(
            f"| {method} | {name} | {in_band:.0%} | " + " | ".join(cells) + " |"
        )
    rhos = spearman_rows(window_rms, args.records)
    with open(out / "spearman.csv", "w", encoding="utf-8") as f:
        f.write("method,calibration,noise,snr_in_db,spearman_rho\n")
        for row in rhos:
            f.write(",".join(map(str, row[:4])) + f",{row[4]:.4f}\n")
    lines += [
        "",
        "Spearman rho between the RMS of the predicted std and the true RMS error "
        "of each window, the held-out records' windows pooled per noise type and "
        "level (each record's std from the calibration fitted without it); "
        "`>= 0.7`: the share of the 24 cells at 0.7 or more.",
        "",
        "| method | calibration | >= 0.7 | "
        + " | ".join(f"{level:+.0f} dB (min / max)" for level in LEVELS)
        + " |",
        "|---|---|---|" + "---|" * len(LEVELS),
    ]
    for method, name in keys:
        mine = [r for r in rhos if r[0] == method and r[1] == name]
        share = np.mean([r[4] >= 0.7 for r in mine])
        cells = []
        for level in LEVELS:
            v = np.array([r[4] for r in mine if r[3] == level])
            cells.append(f"{v.min():.2f} / {v.max():.2f}")
        lines.append(f"| {method} | {name} | {share:.0%} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Median over the noise types, per held-out record (package calibration):",
        "",
        "| method | record | "
        + " | ".join(f"{level:+.0f} dB" for level in LEVELS)
        + " |",
        "|---|---|" + "---|" * len(LEVELS),
    ]
    for method in dict.fromkeys(r[0] for r in rows):
        for record in args.records:
            cells = [
                np.median(
                    [
                        r[5]
                        for r in rows
                        if r[0] == method
                        and r[1] == "package"
                        and r[2] == record
                        and r[4] == level
                    ]
                )
                for level in LEVELS
            ]
            lines.append(
                f"| {method} | {record} | "
                + " | ".join(f"{c:.1%}" for c in cells)
                + " |"
            )
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
