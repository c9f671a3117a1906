"""Results of the pretrained ECG denoiser on the benchmark's test data.

The protocol of ``BENCHMARK.md``, for the model that ships in the package
(``skdenoise.pretrained.load("ecg")``) or a file written by
``train_pretrained.py``:

- the fixed test set (records 118 119 121, 300 windows each, bw / em / ma / mix
  test noise at -6 to 24 dB, seed 0) and the clean windows themselves, at
  360 Hz and resampled to the other ``--rates``: each 512-sample window, clean
  and noisy, is resampled with ``scipy.signal.resample_poly`` and denoised at
  that rate by the model (which resamples to 360 Hz and back inside), and the
  metrics compare it with the resampled clean window;
- the real noisy records 118e* and 119e* at 360 Hz, denoised whole as a user
  would: SNR improvement over the noisy blocks, and QRS detection (XQRS,
  150 ms) on the noisy, denoised and clean records against the beat
  annotations.

Writes ``results.csv`` (every metric, mean and std), ``real.csv``, ``qrs.csv``
and ``results.md`` (the tables of the model card) to ``--out``::

    python benchmarks/evaluate_pretrained.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/pretrained
"""

import argparse
import csv
import shlex
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy import signal

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402

TEST_RECORDS = ["118", "119", "121"]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/pretrained")
    )
    parser.add_argument(
        "--model-file",
        type=Path,
        default=None,
        help="an estimator file of train_pretrained.py (default: the shipped model)",
    )
    parser.add_argument(
        "--rates", type=float, nargs="+", default=[360.0, 250.0, 500.0], metavar="HZ"
    )
    parser.add_argument("--n-windows", type=int, default=300)
    parser.add_argument(
        "--real-records",
        nargs="*",
        default=None,
        help="real noisy NSTDB records (default: all twelve 118e* and 119e*)",
    )
    parser.add_argument("--no-qrs", action="store_true", help="skip QRS detection")
    parser.add_argument(
        "--precision",
        choices=["float32", "trained"],
        default=None,
        help="what the shipped model computes in (skdenoise.pretrained.load's "
        "precision; default float32, as load's); not with --model-file, whose "
        "network computes in the precision it was saved with",
    )
    args = parser.parse_args(argv)
    if args.precision is not None and args.model_file is not None:
        parser.error(
            "--precision applies to the shipped model; a --model-file network "
            "computes in the precision it was saved with"
        )
    if args.precision is None:
        args.precision = "float32"
    if args.n_windows < 1:
        parser.error(f"--n-windows must be a positive number; got {args.n_windows}")
    bad = [rate for rate in args.rates if not rate > 0 or rate == float("inf")]
    if bad:
        parser.error(f"--rates must be positive sampling rates in Hz; got {bad[0]}")
    try:
        protocol.check_record_lists([], [], TEST_RECORDS, args.data_dir, False)
        protocol.check_noise_recordings(args.data_dir)
        for record in args.real_records or []:
            protocol.record_path(args.data_dir, "nstdb", record)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    return args


def log(message):
    print(message, flush=True)


def resample(X, rate):
    """Rows of ``X`` (at 360 Hz) resampled to ``rate``."""
    if rate == protocol.SAMPLING_RATE:
        return X
    ratio = Fraction(rate / protocol.SAMPLING_RATE).limit_denominator(1000)
    return signal.resample_poly(
        X, ratio.numerator, ratio.denominator, axis=-1, padtype="line"
    )


def model_at(args, rate):
    from skdenoise import pretrained

    if args.model_file is None:
        return pretrained.load("ecg", sampling_rate=rate, precision=args.precision)
    model = protocol.load_saved(
        args.model_file, "evaluate_pretrained.py", network=True, wrapped=True
    )
    return model.set_params(sampling_rate=rate)


def summary(values):
    return {
        f"{name}_{stat}": float(fn(v))
        for name, v in values.items()
        for stat, fn in (("mean", np.mean), ("std", np.std))
    }


def test_set_rows(args, clean, record_of, noisy):
    rows = []
    for rate in args.rates:
        model = model_at(args, rate)
        clean_r = resample(clean, rate)
        start = time.perf_counter()
        for (kind, snr_db), inputs in noisy.items():
            estimate = model.transform(resample(inputs, rate))
            values = protocol.window_metrics(clean_r, resample(inputs, rate), estimate)
            rows.append(
                {
                    "rate_hz": rate,
                    "noise": kind,
                    "input_snr_db": snr_db,
                    **summary(values),
                }
            )
        estimate = model.transform(clean_r)
        stats = protocol.clean_window_stats(clean_r, estimate, record_of)[-1]
        rows.append(
            {
                "rate_hz": rate,
                "noise": protocol.CLEAN,
                "input_snr_db": float("inf"),
                "snr_out_mean": stats["snr_out_mean"],
                "snr_out_median": stats["snr_out_median"],
                "snr_out_p5": stats["snr_out_p5"],
                "rmse_mean": stats["rmse_mean"],
                "prd_mean": stats["prd_mean"],
            }
        )
        log(f"  {rate:g} Hz done in {time.perf_counter() - start:.0f} s")
    return rows


def real_rows(args, model):
    from skdenoise import metrics

    rows, qrs = [], []
    tolerance = int(round(protocol.QRS_TOLERANCE_S * protocol.SAMPLING_RATE))
    for record in args.real_records:
        noisy, clean = protocol.conditioned_real_record(record, args.data_dir)
        start = time.perf_counter()
        denoised = model.transform(noisy[np.newaxis])[0]
        seconds = time.perf_counter() - start
        blocks = protocol.nominal_noisy_blocks(len(noisy))
        inside = np.concatenate([np.arange(a, b) for a, b in blocks])
        snr_in = metrics.snr(clean[inside], noisy[inside])
        snr_out = metrics.snr(clean[inside], denoised[inside])
        # The blocks past the training noise's segment: nst added em noise
        # from channel 0 at the record's own samples, so the earlier blocks
        # hold noise the model trained on.
        end = protocol.TRAIN_NOISE["segment"][1]
        unseen = np.concatenate(
            [np.arange(a, b) for a, b in blocks if a >= end] or [np.arange(0)]
        )
        unseen_gain = (
            float(
                metrics.snr(clean[unseen], denoised[unseen])
                - metrics.snr(clean[unseen], noisy[unseen])
            )
            if len(unseen)
            else float("nan")
        )
        rows.append(
            {
                "record": record,
                "snr_in_db": float(snr_in),
                "snr_out_db": float(snr_out),
                "snr_improvement_db": float(snr_out - snr_in),
                "snr_improvement_unseen_noise_db": unseen_gain,
                "denoise_s": round(seconds, 1),
            }
        )
        log(f"  {record}: SNR {snr_in:.2f} -> {snr_out:.2f} dB ({seconds:.0f} s)")
        if args.no_qrs:
            continue
        beats = protocol.beat_annotations(record, args.data_dir)
        row = {"record": record, "n_beats": len(beats)}
        for name, x in (("noisy", noisy), ("denoised", denoised), ("clean", clean)):
            scores = protocol.qrs_scores(beats, protocol.detect_qrs(x), tolerance)
            row[f"{name}_sensitivity"] = scores["sensitivity"]
            row[f"{name}_ppv"] = scores["ppv"]
        qrs.append(row)
        log(
            "  {record} QRS Se/PPV: noisy {noisy_sensitivity:.4f}/{noisy_ppv:.4f}, "
            "denoised {denoised_sensitivity:.4f}/{denoised_ppv:.4f}, clean "
            "{clean_sensitivity:.4f}/{clean_ppv:.4f}".format(**row)
        )
    return rows, qrs


def write_csv(path, rows):
    if not rows:
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fields)
        writer.writeheader()
        writer.writerows(rows)


def markdown(rows, real, qrs, args):
    lines = ["# The pretrained ECG denoiser on the benchmark's test data", ""]
    if args.model_file is None:
        # What the network computed in (float32 by default since 2026-12-06).
        lines += [
            f"The shipped model loaded with precision={args.precision!r}.",
            "",
        ]
    snrs = sorted({r["input_snr_db"] for r in rows if r["noise"] != protocol.CLEAN})
    for rate in args.rates:
        lines += [
            f"## {rate:g} Hz: SNR improvement in dB (mean ± std), test records "
            f"{' '.join(TEST_RECORDS)}",
            "",
            "| noise | " + " | ".join(f"{s:g} dB" for s in snrs) + " |",
            "|---|" + "---|" * len(snrs),
        ]
        for kind in protocol.NOISE_TYPES:
            cells = [
                f"{r['snr_improvement_mean']:+.2f} ± {r['snr_improvement_std']:.2f}"
                for s in snrs
                for r in rows
                if r["rate_hz"] == rate
                and r["noise"] == kind
                and r["input_snr_db"] == s
            ]
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        clean = next(
            r for r in rows if r["rate_hz"] == rate and r["noise"] == protocol.CLEAN
        )
        lines += [
            "",
            f"Clean windows as input: output SNR mean {clean['snr_out_mean']:.1f} dB, "
            f"median {clean['snr_out_median']:.1f} dB, 5th percentile "
            f"{clean['snr_out_p5']:.1f} dB; PRD {clean['prd_mean']:.2f} %.",
            "",
        ]
    if real:
        lines += [
            "## Real noisy records (360 Hz, whole records, noisy blocks)",
            "",
            "| record | SNR in (dB) | SNR out (dB) | improvement (dB) | improvement "
            "from sample 325,000 (dB) |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['record']} | {r['snr_in_db']:.2f} | {r['snr_out_db']:.2f} | "
            f"{r['snr_improvement_db']:+.2f} | "
            f"{r['snr_improvement_unseen_noise_db']:+.2f} |"
            for r in real
        ]
        lines += [
            "",
            "The last column counts only the noisy blocks from sample 325,000 on: "
            "the NSTDB tool added em noise from channel 0 at the record's own "
            "samples, so the earlier blocks hold noise from the segment the model "
            "trained on.",
            "",
        ]
    if qrs:
        lines += [
            "## QRS detection (XQRS, 150 ms), sensitivity / positive predictivity",
            "",
            "| record | beats | noisy | denoised | clean |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {q['record']} | {q['n_beats']} | "
            + " | ".join(
                f"{q[f'{c}_sensitivity']:.4f} / {q[f'{c}_ppv']:.4f}"
                for c in ("noisy", "denoised", "clean")
            )
            + " |"
            for q in qrs
        ]
        lines.append("")
    lines += [
        "Metrics per window, then mean and std over windows; every metric is in "
        "results.csv.",
        "",
        "Command: `"
        + shlex.join(["python", "benchmarks/evaluate_pretrained.py", *args.argv])
        + "`",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    args.argv = argv
    if args.real_records is None:
        from skdenoise.datasets import NSTDB_RECORDS

        args.real_records = list(NSTDB_RECORDS)
    args.out.mkdir(parents=True, exist_ok=True)
    log(f"test set: records {' '.join(TEST_RECORDS)}, {args.n_windows} windows each")
    clean, record_of, noisy = protocol.build_test_set(
        TEST_RECORDS, args.data_dir, n_windows=args.n_windows
    )
    rows = test_set_rows(args, clean, record_of, noisy)
    real, qrs = real_rows(args, model_at(args, protocol.SAMPLING_RATE))
    write_csv(args.out / "results.csv", rows)
    write_csv(args.out / "real.csv", real)
    write_csv(args.out / "qrs.csv", qrs)
    (args.out / "results.md").write_text(
        markdown(rows, real, qrs, args), encoding="utf-8"
    )
    log(f"wrote {args.out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
