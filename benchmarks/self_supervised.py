"""Self-supervised denoising: blind-spot training, Noise2Noise and J-invariant tuning.

Three parts, each writing a CSV, a Markdown table and a JSON record (command,
load, wall time) under ``--out``:

``synthetic``
    Sines, chirps, the four Donoho-Johnstone signals and synthetic ECG (256
    samples) with white or pink (``ColoredNoise(alpha=1)``) noise at 0, 6 and
    12 dB. One noisy draw of the training series, fixed, as a recording would
    be. Compared on held-out test series: a U-Net trained with
    ``training="blind_spot"`` on the noisy training series alone (its
    ``transform`` and its ``j_invariant_transform``), the same U-Net trained on
    clean targets ``fit(X_noisy, X_clean)``, the same U-Net trained on a second
    independent noisy copy (Noise2Noise, white noise), and the classical
    denoiser (wavelet, Savitzky-Golay, Wiener grid) picked by the
    self-supervised scorer on the noisy training series (and, for reference,
    the one a clean-reference oracle picks on the test series).
``ecg``
    The ECG protocol of ``BENCHMARK.md`` (records, windows, test noise, test
    set): a U-Net trained with ``training="blind_spot"`` on noisy training
    windows only (one fixed draw of the training noise of one type, SNR drawn
    per window from -6 to 12 dB), against the classical filters, per noise type.
``gridsearch``
    ``GridSearchCV`` over 8 candidates (wavelet and Savitzky-Golay settings and
    two blind-spot U-Nets), once, scored by both the self-supervised scorer and
    the clean-reference SNR scorer: the mean held-out SNR of the candidate each
    scorer picks, on synthetic series with white noise and on ECG windows with
    NSTDB muscle (``ma``) noise.

Example (single-threaded TensorFlow, as committed)::

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
        python benchmarks/self_supervised.py \
        --part synthetic --out benchmarks/results/self_supervised
"""

import argparse
import csv
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import load_average

from skdenoise.baselines import (  # noqa: E402
    BandpassDenoiser,
    SavitzkyGolayDenoiser,
    WaveletDenoiser,
    WienerDenoiser,
)
from skdenoise.datasets import (  # noqa: E402
    DONOHO_JOHNSTONE_KINDS,
    make_chirps,
    make_donoho_johnstone,
    make_ecg,
    make_sines,
)
from skdenoise.exceptions import TargetIgnoredWarning  # noqa: E402
from skdenoise.metrics import snr, snr_scorer  # noqa: E402
from skdenoise.model_selection import (  # noqa: E402
    SelfSupervisedScorer,
    j_invariant_transform,
)
from skdenoise.noise import ColoredNoise, WhiteNoise  # noqa: E402

DATASETS = ("sines", "chirps", "donoho_johnstone", "ecg")


# ----------------------------------------------------------------- helpers
def _load():
    load = load_average()
    return f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def _cell(value):
    if not isinstance(value, float):
        return str(value)
    return f"{value:.3g}" if 0 < abs(value) < 0.1 else f"{value:.2f}"


def _write(out, name, rows, meta):
    out.mkdir(parents=True, exist_ok=True)
    keys = list(dict.fromkeys(k for row in rows for k in row))
    with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    with open(out / f"{name}.md", "w", encoding="utf-8") as f:
        f.write(f"Command: `{meta['command']}`\n\n")
        f.write(f"Load average at start / end: {meta['load_start']} / ")
        f.write(
            f"{meta.get('load_end', '')}; wall time {meta.get('wall_s', 0):.0f} s\n\n"
        )
        f.write("| " + " | ".join(keys) + " |\n|" + "---|" * len(keys) + "\n")
        for row in rows:
            cells = [_cell(row.get(k, "")) for k in keys]
            f.write("| " + " | ".join(cells) + " |\n")
    with open(out / f"{name}.json", "w", encoding="utf-8") as f:
        json.dump({**meta, "rows": rows}, f, indent=1)


def _unet(quick, **params):
    from skdenoise.neural import UNetDenoiser

    settings = {
        "filters": 4 if quick else 16,
        "depth": 2 if quick else 3,
        "kernel_size": 5,
        "epochs": 1 if quick else 20,
        "batch_size": 32,
        "patience": 5,
        "random_state": 0,
    }
    settings.update(params)
    return UNetDenoiser(**settings)


def classical_candidates():
    """The classical grid: wavelet, Savitzky-Golay and Wiener settings."""
    out = []
    for wavelet in ("sym8", "db4", "haar"):
        for level in (3, 4, 5):
            for mode in ("soft", "hard"):
                out.append(WaveletDenoiser(wavelet=wavelet, level=level, mode=mode))
    for window in (5, 9, 15, 21, 31, 41):
        for order in (2, 3):
            out.append(SavitzkyGolayDenoiser(window_length=window, polyorder=order))
    for window in (5, 9, 15, 25):
        out.append(WienerDenoiser(window_length=window))
    return out


def _describe(estimator):
    params = estimator.get_params()
    keys = [
        k
        for k in ("wavelet", "level", "mode", "window_length", "polyorder")
        if k in params
    ]
    return (
        type(estimator).__name__.replace("Denoiser", "")
        + "("
        + ",".join(f"{params[k]}" for k in keys)
        + ")"
    )


# --------------------------------------------------------------- synthetic
def synthetic_clean(n_per_kind, n_timesteps, seed):
    """Clean series of the four families, and the family of each."""
    per_dj = n_per_kind // len(DONOHO_JOHNSTONE_KINDS)
    parts = {
        "sines": make_sines(n_per_kind, n_timesteps, random_state=seed),
        "chirps": make_chirps(n_per_kind, n_timesteps, random_state=seed + 1),
        "donoho_johnstone": np.concatenate(
            [
                make_donoho_johnstone(
                    kind,
                    n_timesteps,
                    n_series=per_dj,
                    random_shift=True,
                    random_state=seed + 2 + i,
                )
                for i, kind in enumerate(DONOHO_JOHNSTONE_KINDS)
            ]
        ),
        "ecg": make_ecg(
            n_per_kind, n_timesteps, sampling_rate=180.0, random_state=seed + 9
        ),
    }
    X = np.concatenate(list(parts.values()))
    family = np.concatenate([np.full(len(v), k) for k, v in parts.items()])
    return X, family


def _noise(kind, level):
    return (
        WhiteNoise(snr=level) if kind == "white" else ColoredNoise(alpha=1.0, snr=level)
    )


def run_synthetic(args):
    n_per_kind = 24 if args.quick else 200
    n_test = 8 if args.quick else 50
    T = 256
    clean_train, _ = synthetic_clean(n_per_kind, T, seed=0)
    clean_test, family = synthetic_clean(n_test, T, seed=100)
    rows = []
    levels = (0.0,) if args.quick else tuple(args.levels)
    for kind in args.noises:
        width = 1 if kind == "white" else 3
        scorer = SelfSupervisedScorer(mask_width=width)
        for level in levels:
            noise = _noise(kind, level)
            X = noise.apply(clean_train, random_state=1)
            X_b = noise.apply(clean_train, random_state=2)
            X_test = noise.apply(clean_test, random_state=3)
            outputs = {"noisy": X_test}
            times = {}
            # Classical, picked without clean data on the noisy training series.
            scores = []
            for candidate in classical_candidates():
                candidate.fit(X)
                scores.append((scorer(candidate, X), candidate))
            best = max(scores, key=lambda s: s[0])[1]
            outputs["classical_ss:" + _describe(best)] = best.transform(X_test)
            oracle = max(
                classical_candidates(),
                key=lambda c: snr(clean_test, c.fit(X).transform(X_test)),
            )
            outputs["classical_oracle:" + _describe(oracle)] = oracle.transform(X_test)
            # Networks.
            extra = {} if args.epochs is None else {"epochs": args.epochs}
            if args.epochs is not None:
                extra["patience"] = max(5, args.epochs // 6)
            fits = {
                "blind_spot": (
                    _unet(
                        args.quick,
                        training="blind_spot",
                        mask_width=width,
                        mask_fraction=args.mask_fraction,
                        **extra,
                    ),
                    (X,),
                ),
            }
            if not args.blind_spot_only:
                fits["clean_target"] = (_unet(args.quick, **extra), (X, clean_train))
                if kind == "white":
                    fits["noise2noise"] = (_unet(args.quick, **extra), (X, X_b))
            for name, (model, data) in fits.items():
                start = time.perf_counter()
                model.fit(*data)
                times[name] = time.perf_counter() - start
                outputs[name] = model.transform(X_test)
                if name == "blind_spot":
                    outputs["blind_spot_jinv"] = j_invariant_transform(
                        model, X_test, mask_width=width
                    )
                print(
                    f"synthetic {kind} {level} {name}: {times[name]:.0f} s", flush=True
                )
            for method, estimate in outputs.items():
                row = {"noise": kind, "snr_in": level, "method": method}
                row["all"] = float(snr(clean_test, estimate))
                for fam in DATASETS:
                    rows_f = family == fam
                    row[fam] = float(snr(clean_test[rows_f], estimate[rows_f]))
                row["train_s"] = times.get(method.split(":")[0], 0.0)
                rows.append(row)
            _checkpoint(args, "synthetic" + args.suffix, rows)
    return rows


# --------------------------------------------------------------------- ecg
def run_ecg(args):
    import _ecg_protocol as P

    train_records = [
        "100",
        "101",
        "102",
        "103",
        "104",
        "105",
        "106",
        "107",
        "108",
        "109",
        "111",
        "112",
        "113",
        "114",
        "115",
        "116",
        "117",
        "122",
        "123",
        "124",
    ]
    test_records = ["118", "119", "121"]
    n_train = 200 if args.quick else 2000
    clean_train = P.training_windows(train_records, args.data_dir, max_windows=n_train)
    clean, _, noisy = P.build_test_set(
        test_records,
        args.data_dir,
        n_windows=20 if args.quick else 300,
        snrs=(-6.0, 0.0, 6.0, 12.0),
    )
    recordings = P.noise_recordings(args.data_dir, P.TRAIN_NOISE["channel"])
    classical = {
        "bandpass_0.67-40": BandpassDenoiser(),
        "wavelet_sym8_l5": WaveletDenoiser(wavelet="sym8", level=5),
        "savgol_15_3": SavitzkyGolayDenoiser(window_length=15, polyorder=3),
        "wiener_15": WienerDenoiser(window_length=15),
    }
    rows = []
    settings = [(k, int(w)) for k, w in (item.split(":") for item in args.ecg_settings)]
    for kind, width in settings:
        model = P.noise_model(kind, recordings, P.TRAIN_NOISE["segment"], (-6.0, 12.0))
        X_train = model.apply(clean_train, random_state=0)
        net = _unet(
            args.quick,
            filters=4 if args.quick else 16,
            depth=2 if args.quick else 4,
            epochs=1 if args.quick else (args.epochs or 12),
            training="blind_spot",
            mask_width=width,
            mask_fraction=0.15,
        )
        start = time.perf_counter()
        net.fit(X_train)
        seconds = time.perf_counter() - start
        print(f"ecg {kind} width {width}: {seconds:.0f} s", flush=True)
        for level in (-6.0, 0.0, 6.0, 12.0):
            X = noisy[kind, level]
            estimates = {f"blind_spot_w{width}": net.transform(X)}
            estimates[f"blind_spot_w{width}_jinv"] = j_invariant_transform(
                net, X, mask_width=width
            )
            if width == settings[0][1]:
                for name, filt in classical.items():
                    estimates[name] = filt.fit(X).transform(X)
            for name, estimate in estimates.items():
                gain = snr(clean, estimate, per_series=True) - snr(
                    clean, X, per_series=True
                )
                rows.append(
                    {
                        "noise": kind,
                        "snr_in": level,
                        "method": name,
                        "snr_improvement": float(np.mean(gain)),
                        "std": float(np.std(gain)),
                        "train_s": seconds if name.startswith("blind") else 0.0,
                    }
                )
        _checkpoint(args, "ecg" + args.suffix, rows)
    return rows


# -------------------------------------------------------------- gridsearch
def run_gridsearch(args):
    from sklearn.model_selection import GridSearchCV, KFold

    from skdenoise.neural import UNetDenoiser

    rows = []
    quick = args.quick
    grid = [
        {"denoiser": [WaveletDenoiser(wavelet="sym8")], "denoiser__level": [2, 4, 6]},
        {
            "denoiser": [WaveletDenoiser(wavelet="haar", mode="hard")],
            "denoiser__level": [4],
        },
        {
            "denoiser": [SavitzkyGolayDenoiser(polyorder=2)],
            "denoiser__window_length": [7, 31],
        },
        {
            "denoiser": [
                UNetDenoiser(
                    filters=4 if quick else 8,
                    depth=2 if quick else 3,
                    kernel_size=5,
                    epochs=1 if quick else 12,
                    training="blind_spot",
                    mask_fraction=0.15,
                    random_state=0,
                )
            ],
            "denoiser__mask_width": [1, 5],
        },
    ]
    from sklearn.pipeline import Pipeline

    for setting in ("white", "ma"):
        if setting == "white":
            clean, _ = synthetic_clean(16 if quick else 100, 256, seed=200)
            X = WhiteNoise(snr=(0.0, 6.0)).apply(clean, random_state=4)
        else:
            import _ecg_protocol as P

            clean = P.training_windows(
                ["100", "101", "103", "106", "112", "113", "115", "116", "117", "122"],
                args.data_dir,
                max_windows=60 if quick else 600,
                seed=1,
            )
            recordings = P.noise_recordings(args.data_dir, P.TRAIN_NOISE["channel"])
            model = P.noise_model(
                "ma", recordings, P.TRAIN_NOISE["segment"], (0.0, 6.0)
            )
            X = model.apply(clean, random_state=4)
        pipe = Pipeline([("denoiser", WaveletDenoiser())])
        search = GridSearchCV(
            pipe,
            grid,
            scoring={
                "self_supervised": SelfSupervisedScorer(),
                "self_supervised_w7": SelfSupervisedScorer(mask_width=7),
                "snr": snr_scorer,
            },
            refit=False,
            cv=KFold(3, shuffle=True, random_state=0),
        )
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TargetIgnoredWarning)
            search.fit(X, clean)
        seconds = time.perf_counter() - start
        res = search.cv_results_
        ss_pick = int(np.argmax(res["mean_test_self_supervised"]))
        w7_pick = int(np.argmax(res["mean_test_self_supervised_w7"]))
        clean_pick = int(np.argmax(res["mean_test_snr"]))
        for i, params in enumerate(res["params"]):
            name = _describe(params["denoiser"]) + "".join(
                f",{k.split('__')[1]}={v}" for k, v in params.items() if k != "denoiser"
            )
            rows.append(
                {
                    "noise": setting,
                    "candidate": name,
                    "self_supervised_score": float(res["mean_test_self_supervised"][i]),
                    "self_supervised_w7_score": float(
                        res["mean_test_self_supervised_w7"][i]
                    ),
                    "true_snr_db": float(res["mean_test_snr"][i]),
                    "picked_by": " ".join(
                        name
                        for name, pick in (
                            ("self_supervised", ss_pick),
                            ("self_supervised_w7", w7_pick),
                            ("clean_snr", clean_pick),
                        )
                        if pick == i
                    ),
                }
            )
        gap = res["mean_test_snr"][clean_pick] - res["mean_test_snr"][ss_pick]
        gap_w7 = res["mean_test_snr"][clean_pick] - res["mean_test_snr"][w7_pick]
        rows.append(
            {
                "noise": setting,
                "candidate": "GAP (clean pick - self-supervised pick), dB",
                "true_snr_db": float(gap),
                "picked_by": f"search {seconds:.0f} s",
            }
        )
        rows.append(
            {
                "noise": setting,
                "candidate": "GAP (clean pick - self-supervised w7 pick), dB",
                "true_snr_db": float(gap_w7),
            }
        )
        print(f"gridsearch {setting}: gap {gap:.2f} dB, {seconds:.0f} s", flush=True)
        _checkpoint(args, "gridsearch", rows)
    return rows


# --------------------------------------------------------------------- main
_META = {}


def _checkpoint(args, name, rows):
    meta = {k: v for k, v in _META[name].items() if k != "_start"}
    meta["load_end"] = _load()
    meta["wall_s"] = time.perf_counter() - _META[name]["_start"]
    _write(Path(args.out), name, rows, meta)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=["synthetic", "ecg", "gridsearch", "all"], default="all"
    )
    parser.add_argument("--data-dir", default="../shared/data/physionet")
    parser.add_argument("--out", default="benchmarks/results/self_supervised")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--noises", nargs="+", default=["white", "colored"])
    parser.add_argument("--levels", nargs="+", type=float, default=[0.0, 6.0, 12.0])
    parser.add_argument("--epochs", type=int, default=None, help="networks' epochs")
    parser.add_argument("--mask-fraction", type=float, default=0.15)
    parser.add_argument("--blind-spot-only", action="store_true")
    parser.add_argument(
        "--ecg-settings",
        nargs="+",
        default=["bw:1", "em:1", "ma:1", "mix:1", "ma:7"],
        help="noise:mask_width pairs of the ecg part",
    )
    parser.add_argument("--suffix", default="", help="appended to the file names")
    args = parser.parse_args(argv)
    parts = ["synthetic", "ecg", "gridsearch"] if args.part == "all" else [args.part]
    runners = {"synthetic": run_synthetic, "ecg": run_ecg, "gridsearch": run_gridsearch}
    threads = {
        k: os.environ.get(k)
        for k in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
    }
    for part in parts:
        _META[part + args.suffix] = _META[part] = {
            "command": "python " + " ".join([sys.argv[0], *(argv or sys.argv[1:])]),
            "threads": threads,
            "load_start": _load(),
            "cpus": os.cpu_count(),
            "_start": time.perf_counter(),
        }
        rows = runners[part](args)
        _checkpoint(args, part + args.suffix, rows)


if __name__ == "__main__":
    main()
