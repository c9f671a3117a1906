"""Where a trained ECG denoiser harms a nearly clean input, and what a gate can do.

For a fitted network (by default the pretrained U-Net that ships in the package,
trained on 18 training records with validation records 117 and 122), on the
protocol of ``BENCHMARK.md``:

1. **Per test record**: the mean SNR improvement of the raw network (no gate)
   at each noise and input level, and the output SNR of the clean windows, so
   that one record cannot hide in a mean.
2. **What the network takes out of a clean window**: the share of the
   correction's energy ``f(x) - x`` (x the clean window) per frequency band,
   beside the share of the clean window's own energy in the same bands.
3. **Gates, side by side**, all fitted on the validation records' windows with
   the training noise (never on test records) and applied to the same network
   outputs: none; the package's isotonic gate on the estimated SNR (weights as
   in ``skdenoise.neural._gate``, and weights matching the mean-dB metric); a
   gradient-boosted gate on richer features of the window (the correlation of
   the correction with the output, the correction's low/high-frequency shares,
   a high-frequency noise estimate of the input, the input's slow-trend and
   high-band power); and the per-window oracle (the least-squares scale
   against the clean window, clipped to [0, 1]), which bounds what any
   per-window scaling of the correction can reach.

Writes ``per_record.csv``, ``bands.csv``, ``gates.csv`` and ``README.md``::

    python benchmarks/ecg_no_harm.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/ecg_no_harm
"""

import argparse
import csv
import datetime
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _report import load_average, preamble  # noqa: E402

BANDS_HZ = [(0.0, 1.0), (1.0, 5.0), (5.0, 15.0), (15.0, 40.0), (40.0, 180.0)]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument(
        "--model-file",
        type=Path,
        default=None,
        help="an estimator file (default: the pretrained ECG model's file)",
    )
    parser.add_argument("--val-records", nargs="+", default=["117", "122"])
    parser.add_argument("--test-records", nargs="+", default=["118", "119", "121"])
    parser.add_argument("--train-snr", type=float, nargs=2, default=[-6.0, 30.0])
    parser.add_argument("--n-windows", type=int, default=300)
    return parser.parse_args(argv)


def inner_network(estimator):
    """The neural denoiser inside resampling and windowing wrappers."""
    while not hasattr(estimator, "model_"):
        estimator = getattr(estimator, "estimator_", None) or estimator.estimator
    return estimator


def window_snr(clean, estimate):
    with np.errstate(divide="ignore"):
        return 10 * np.log10(
            np.sum(clean**2, axis=1) / np.sum((clean - estimate) ** 2, axis=1)
        )


def features(x, out):
    """Per-window features of the input ``x`` and the network output ``out``."""
    correction = out - x
    e_out = np.sum(out**2, axis=1)
    e_corr = np.sum(correction**2, axis=1) + 1e-30
    est_snr = 10 * np.log10(e_out / e_corr + 1e-30)
    rho = np.sum(correction * out, axis=1) / np.sqrt(e_corr * e_out + 1e-30)
    freqs = np.fft.rfftfreq(x.shape[1], 1 / protocol.SAMPLING_RATE)
    spectrum = np.abs(np.fft.rfft(correction, axis=1)) ** 2
    total = spectrum.sum(axis=1) + 1e-30
    low = spectrum[:, freqs < 1.0].sum(axis=1) / total
    high = spectrum[:, freqs > 40.0].sum(axis=1) / total
    step = np.diff(x, axis=1)
    mad = np.median(np.abs(step - np.median(step, axis=1, keepdims=True)), axis=1)
    hf = 10 * np.log10(e_out / x.shape[1] / ((mad / 0.6745) ** 2 + 1e-30))
    width = int(protocol.SAMPLING_RATE)
    kernel = np.ones(width) / width
    trend = np.array([np.convolve(row, kernel, mode="same") for row in x])
    e_x = np.sum(x**2, axis=1) + 1e-30
    slow_in = 10 * np.log10(np.sum(trend**2, axis=1) / e_x + 1e-12)
    x_spec = np.abs(np.fft.rfft(x, axis=1)) ** 2
    high_in = 10 * np.log10(
        x_spec[:, freqs > 45.0].sum(axis=1) / (x_spec.sum(axis=1) + 1e-30) + 1e-12
    )
    return np.c_[est_snr, rho, low, high, hf, slow_in, high_in]


def best_scale(x, out, clean):
    """Least-squares scale of each window's correction, and its weights."""
    correction = out - x
    energy = np.sum(correction**2, axis=1) + 1e-30
    dot = np.sum((clean - x) * correction, axis=1)
    scale = dot / energy
    floor = np.sum((clean - x) ** 2, axis=1) - dot**2 / energy
    reference = np.sum(clean**2, axis=1)
    # Weight of a window in the mean of the output SNR in dB: the error's
    # curvature in the scale over the smallest error it can reach.
    weight_db = energy / np.maximum(floor, 1e-3 * reference)
    weight_energy = energy / reference
    return scale, weight_energy, weight_db


def fit_gates(val_x, val_out, val_clean):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.isotonic import IsotonicRegression

    F = features(val_x, val_out)
    scale, w_energy, w_db = best_scale(val_x, val_out, val_clean)
    target = np.clip(scale, 0.0, 1.0)
    gates = {"none": lambda F: np.ones(len(F))}
    for name, weight in (
        ("isotonic (package)", w_energy),
        ("isotonic, dB weights", w_db),
    ):
        iso = IsotonicRegression(
            increasing=False, y_min=0.0, y_max=1.0, out_of_bounds="clip"
        ).fit(F[:, 0], target, sample_weight=weight)
        gates[name] = lambda F, iso=iso: iso.predict(F[:, 0])
    for name, columns in (
        ("boosted: SNR + correlation", [0, 1]),
        ("boosted: all features", list(range(F.shape[1]))),
    ):
        model = HistGradientBoostingRegressor(
            max_iter=200,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            random_state=0,
        ).fit(F[:, columns], target, sample_weight=w_db)
        gates[name] = lambda F, m=model, c=columns: np.clip(m.predict(F[:, c]), 0, 1)
    return gates


def main(argv=None):
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        # Gates fitted on a test record would be judged on it.
        protocol.check_record_lists(
            [], args.val_records, args.test_records, args.data_dir
        )
    except (ValueError, FileNotFoundError) as exc:
        raise SystemExit(f"ecg_no_harm.py: error: {exc}") from None
    model_file = args.model_file or (
        Path(__file__).resolve().parents[1] / "skdenoise/pretrained/ecg_unet.skdenoise"
    )
    saved = protocol.load_saved(model_file, "ecg_no_harm.py")
    try:
        net = inner_network(saved)
    except AttributeError:
        raise SystemExit(
            f"ecg_no_harm.py: error: {model_file} holds a {type(saved).__name__}, "
            "which has no neural network inside."
        ) from None

    def outputs(X):
        return net._network_outputs(np.asarray(X, dtype=np.float64)[..., None])[..., 0]

    noise = protocol.training_noise(args.data_dir, tuple(args.train_snr))
    val_x, val_clean = protocol.validation_set(args.val_records, args.data_dir, noise)
    gates = fit_gates(val_x, outputs(val_x), val_clean)
    clean, record_of, noisy = protocol.build_test_set(
        args.test_records, args.data_dir, n_windows=args.n_windows
    )
    records = list(dict.fromkeys(record_of))

    per_record, gate_rows = [], []
    for (kind, level), x in noisy.items():
        out = outputs(x)
        improvement = window_snr(clean, out) - window_snr(clean, x)
        row = {"noise": kind, "input_snr_db": level}
        for record in records:
            row[record] = float(np.mean(improvement[record_of == record]))
        row["all"] = float(np.mean(improvement))
        per_record.append(row)
        F = features(x, out)
        snr_in = window_snr(clean, x)
        grow = {"noise": kind, "input_snr_db": level}
        for name, gate in gates.items():
            gated = x + gate(F)[:, None] * (out - x)
            grow[name] = float(np.mean(window_snr(clean, gated) - snr_in))
        scale, _, _ = best_scale(x, out, clean)
        oracle = x + np.clip(scale, 0, 1)[:, None] * (out - x)
        grow["oracle"] = float(np.mean(window_snr(clean, oracle) - snr_in))
        gate_rows.append(grow)

    out_clean = outputs(clean)
    row = {"noise": "clean", "input_snr_db": "output SNR"}
    snr_clean = np.minimum(window_snr(clean, out_clean), 100.0)
    for record in records:
        row[record] = float(np.mean(snr_clean[record_of == record]))
    row["all"] = float(np.mean(snr_clean))
    per_record.append(row)
    F = features(clean, out_clean)
    grow = {"noise": "clean", "input_snr_db": "output SNR"}
    for name, gate in gates.items():
        gated = clean + gate(F)[:, None] * (out_clean - clean)
        grow[name] = float(np.mean(np.minimum(window_snr(clean, gated), 100.0)))
    grow["oracle"] = float("nan")
    gate_rows.append(grow)

    freqs = np.fft.rfftfreq(clean.shape[1], 1 / protocol.SAMPLING_RATE)
    band_rows = []
    for record in records:
        mine = record_of == record
        corr = np.mean(np.abs(np.fft.rfft((out_clean - clean)[mine], axis=1)) ** 2, 0)
        sig = np.mean(np.abs(np.fft.rfft(clean[mine], axis=1)) ** 2, 0)
        row = {
            "record": record,
            "clean_rms_mv": float(np.sqrt(np.mean(clean[mine] ** 2))),
        }
        for lo, hi in BANDS_HZ:
            band = (freqs >= lo) & (freqs < hi)
            row[f"correction {lo:g}-{hi:g} Hz"] = float(corr[band].sum() / corr.sum())
            row[f"signal {lo:g}-{hi:g} Hz"] = float(sig[band].sum() / sig.sum())
        band_rows.append(row)

    for name, rows in (
        ("per_record.csv", per_record),
        ("gates.csv", gate_rows),
        ("bands.csv", band_rows),
    ):
        with (args.out / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    write_readme(args, model_file, records, per_record, gate_rows, band_rows, started)


def _table(rows, columns, fmt):
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join(
        "| " + " | ".join(fmt(row[c]) for c in columns) + " |\n" for row in rows
    )
    return head + body


def _num(value):
    if isinstance(value, str):
        return value
    if isinstance(value, float) and np.isnan(value):
        return "-"
    return f"{value:+.2f}" if abs(value) < 20 else f"{value:.1f}"


def write_readme(args, model_file, records, per_record, gate_rows, band_rows, started):
    command = "python benchmarks/ecg_no_harm.py " + " ".join(sys.argv[1:])

    def sort_rows(rows):
        # Noisy rows by noise and input level, the clean-window row last; the
        # level column reads as the level in dB ("-6", "24"), not as a signed
        # improvement.
        def order(row):
            level = row["input_snr_db"]
            return (
                row["noise"] == "clean",
                row["noise"],
                np.inf if isinstance(level, str) else float(level),
            )

        return [
            {
                **row,
                "input_snr_db": (
                    row["input_snr_db"]
                    if isinstance(row["input_snr_db"], str)
                    else f"{float(row['input_snr_db']):g}"
                ),
            }
            for row in sorted(rows, key=order)
        ]

    text = [
        *preamble(
            "# Where a trained ECG denoiser harms a nearly clean input",
            command,
        ),
        f"Written {datetime.datetime.now().isoformat(timespec='seconds')} in "
        f"{time.perf_counter() - started:.0f} s (load average "
        f"{load_average()[0]:.1f} on {os.cpu_count()} CPUs); model "
        f"`{model_file.name}`; gates fitted on the windows of validation records "
        f"{' '.join(args.val_records)} with the training noise at U"
        f"({args.train_snr[0]:g}, {args.train_snr[1]:g}) dB; test records "
        f"{' '.join(records)}, {args.n_windows} windows each.",
        "",
        "## Mean SNR improvement of the raw network (no gate) per test record (dB); "
        "last row: output SNR of the clean windows",
        "",
        _table(
            sort_rows(per_record),
            ["noise", "input_snr_db", *records, "all"],
            _num,
        ),
        "## What the network takes out of a clean window: share of the correction's "
        "energy per band, beside the clean window's own share",
        "",
        _table(
            band_rows,
            list(band_rows[0]),
            lambda v: v if isinstance(v, str) else f"{v:.3f}",
        ),
        "## Gates fitted on the validation records, applied to the same outputs "
        "(mean SNR improvement, dB; last row: clean-window output SNR)",
        "",
        _table(sort_rows(gate_rows), list(gate_rows[0]), _num),
    ]
    (args.out / "README.md").write_text("\n".join(text), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
