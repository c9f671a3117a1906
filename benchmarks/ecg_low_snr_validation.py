"""Saved ECG models on the validation records, down to the real records' levels.

The benchmark's real records 118e and 119e are test records, and their noisy
blocks reach power SNRs (about 14 dB below the level in their names) far below
the training range. This script builds the same kind of record from the
*validation* records, so that a choice about the lowest levels can be made
without reading a test record:

* **Windows.** The validation records' 512-sample windows (300 per record,
  the protocol's seed) with noise at each level of ``--snrs``, and the clean
  windows alone: mean SNR improvement per noise and level, and the clean
  windows' output SNR.
* **Records with em blocks.** Each whole validation record, conditioned as
  the protocol's references, with em noise added as NSTDB's
  ``nst`` does (5 clean minutes, then noise on and off in 2-minute blocks),
  scaled to each power SNR of ``--record-snrs`` over the noisy blocks; the
  record denoised as the benchmark denoises 118e/119e, and the ``wfdb``
  package's XQRS detector scored inside the noisy blocks against the record's
  beat annotations, before and after denoising.

The noise (``--noise``): ``other-lead`` (default), NSTDB channel 1, samples
[0, 325000): the test noise's lead but none of its samples (the test noise is
channel 1, samples [325000, 650000)); it is the other lead of the moments the
training noise was recorded at, so not independent of it (correlation bw
-0.70, em -0.43, ma +0.09), but with that lead's own orientation of the noise.
``training``: channel 0, samples [0, 325000), the training noise itself (the
runs before 2026-12-07 16:30). A network learns the training lead's
orientation of em: without its flip average one scored 3.5 dB more on em at
0 dB with channel 0 noise (even from samples it never trained on) and 0.55 dB
less with channel 1's.

Usage::

    python benchmarks/ecg_low_snr_validation.py --data-dir ../shared/data/physionet \
        --model default=DIR_A/unet.skdenoise --model wide=DIR_B/unet.skdenoise \
        --out OUT

The models are files written by ``ecg.py --save-models``. Output under
``--out``: ``windows.csv``, ``qrs.csv`` and ``README.md`` (both tables and the
command line).
"""

import argparse
import csv
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from ecg_qrs_diagnosis import variants  # noqa: E402

SCRIPT = "ecg_low_snr_validation.py"
DEFAULT_RECORDS = ("117", "122")
DEFAULT_SNRS = (-18.0, -12.0, -6.0, 0.0, 24.0)
# Power SNRs over the noisy blocks; the benchmark's real records at the
# nominal 6, 0 and -6 dB are at about -8, -14 and -20 dB of power SNR.
DEFAULT_RECORD_SNRS = (-8.0, -14.0, -20.0)
NOISE_SEED = 0
# (channel, samples) of the noise, and its description in the README.
NOISE_SOURCES = {
    "other-lead": (
        protocol.VALIDATION_NOISE["other-lead"]["channel"],
        protocol.VALIDATION_NOISE["other-lead"]["segment"],
        "other-lead noise (NSTDB channel 1, samples [0, 325000): the test noise's "
        "lead, none of its samples [325000, 650000); the other lead of the "
        "training noise's moments, correlated with it)",
    ),
    "training": (
        protocol.TRAIN_NOISE["channel"],
        protocol.TRAIN_NOISE["segment"],
        "training noise (NSTDB channel 0, samples [0, 325000))",
    ),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=f"benchmarks/{SCRIPT}",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument(
        "--model",
        action="append",
        required=True,
        metavar="LABEL=PATH",
        help="a model saved by ecg.py --save-models, under a label (repeat)",
    )
    parser.add_argument(
        "--first-pass-of",
        action="append",
        default=[],
        metavar="LABEL",
        help="also score the model of LABEL with its later passes dropped (its "
        "first pass and gate only), as 'LABEL first pass' (repeat)",
    )
    parser.add_argument("--records", nargs="+", default=list(DEFAULT_RECORDS))
    parser.add_argument("--snrs", nargs="+", type=float, default=list(DEFAULT_SNRS))
    parser.add_argument(
        "--record-snrs", nargs="+", type=float, default=list(DEFAULT_RECORD_SNRS)
    )
    parser.add_argument("--n-windows", type=int, default=300)
    parser.add_argument(
        "--noise",
        choices=sorted(NOISE_SOURCES),
        default="other-lead",
        help="other-lead (default): NSTDB channel 1, samples [0, 325000), the "
        "test noise's lead without its samples (the other lead of the training "
        "noise's moments); training: channel 0, samples [0, 325000), the "
        "training noise itself",
    )
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    models = {}
    for item in args.model:
        label, sep, path = item.partition("=")
        if not sep or not label or not path:
            parser.error(f"--model takes LABEL=PATH; got {item!r}")
        if label in models:
            parser.error(f"--model: label {label!r} given twice")
        models[label] = Path(path)
    args.models = models
    for label in args.first_pass_of:
        if label not in models:
            parser.error(f"--first-pass-of: no --model labelled {label!r}")
    if args.n_windows < 1:
        parser.error("--n-windows must be at least 1")
    return args


def log(message):
    print(message, flush=True)


def noisy_blocks_record(clean, noise, snr_db):
    """``clean`` with ``noise`` in NSTDB's blocks, at ``snr_db`` over the blocks.

    The noise is laid in from its first sample on, block after block, its
    mean removed, and scaled once for the whole record so that the power SNR
    over the noisy blocks is ``snr_db``. Returns the noisy record and the
    blocks.
    """
    blocks = protocol.nominal_noisy_blocks(len(clean))
    index = np.concatenate([np.arange(start, stop) for start, stop in blocks])
    if len(index) > len(noise):
        raise ValueError(
            f"the noisy blocks hold {len(index)} samples, more than the "
            f"{len(noise)} of the noise segment"
        )
    stretch = np.asarray(noise[: len(index)], dtype=np.float64)
    stretch = stretch - stretch.mean()
    power_signal = np.mean(clean[index] ** 2)
    power_noise = np.mean(stretch**2)
    gain = np.sqrt(power_signal / (power_noise * 10 ** (snr_db / 10)))
    noisy = np.array(clean, dtype=np.float64)
    noisy[index] += gain * stretch
    return noisy, blocks


def window_rows(args, label, model):
    """Mean SNR improvement per noise and level on the validation windows."""
    pieces = [
        protocol.select_test_windows(
            protocol.clean_windows(r, args.data_dir), args.n_windows
        )
        for r in args.records
    ]
    clean = np.concatenate(pieces)
    channel, segment, _ = NOISE_SOURCES[args.noise]
    recordings = protocol.noise_recordings(args.data_dir, channel)
    rows = []
    for kind in protocol.NOISE_TYPES:
        for snr in args.snrs:
            noise = protocol.noise_model(kind, recordings, segment, float(snr))
            noisy = noise.apply(clean, random_state=NOISE_SEED)
            out = np.asarray(model.transform(noisy), dtype=np.float64)
            gain = protocol.window_metrics(clean, noisy, out)["snr_improvement"]
            rows.append(
                {
                    "model": label,
                    "noise": kind,
                    "input_snr_db": snr,
                    "snr_improvement_mean": float(np.mean(gain)),
                }
            )
    out = np.asarray(model.transform(clean), dtype=np.float64)
    error = np.sum((out - clean) ** 2, axis=1)
    snr_out = 10 * np.log10(np.sum(clean**2, axis=1) / np.maximum(error, 1e-300))
    rows.append(
        {
            "model": label,
            "noise": "clean window",
            "input_snr_db": float("inf"),
            "snr_improvement_mean": float(np.median(snr_out)),
        }
    )
    return rows


def qrs_rows(args, models):
    """QRS detection inside the em blocks, noisy and denoised, per record."""
    channel, (low, high), _ = NOISE_SOURCES[args.noise]
    noise = protocol.noise_recordings(args.data_dir, channel)
    em = noise["em"][low:high]
    tolerance = int(round(protocol.QRS_TOLERANCE_S * protocol.SAMPLING_RATE))
    rows = []
    for record in args.records:
        clean = protocol.clean_record(record, args.data_dir)
        beats = protocol.beat_annotations(record, args.data_dir, database="mitdb")
        for snr in args.record_snrs:
            noisy, blocks = noisy_blocks_record(clean, em, snr)
            found = protocol.detect_qrs(noisy)
            scores = {"noisy": protocol.qrs_scores(beats, found, tolerance, blocks)}
            for label, model in models.items():
                start = time.perf_counter()
                denoised = protocol.denoise_record(model, noisy)
                found = protocol.detect_qrs(denoised)
                scores[label] = protocol.qrs_scores(beats, found, tolerance, blocks)
                log(
                    f"  {record} at {snr:+.0f} dB: {label} Se "
                    f"{scores[label]['sensitivity']:.4f} PPV "
                    f"{scores[label]['ppv']:.4f} (noisy "
                    f"{scores['noisy']['sensitivity']:.4f} / "
                    f"{scores['noisy']['ppv']:.4f}; "
                    f"{time.perf_counter() - start:.0f} s)"
                )
            for label, s in scores.items():
                rows.append(
                    {
                        "record": record,
                        "power_snr_db": snr,
                        "model": label,
                        "tp": s["tp"],
                        "fn": s["fn"],
                        "fp": s["fp"],
                        "sensitivity": s["sensitivity"],
                        "ppv": s["ppv"],
                    }
                )
    return rows


def pooled_qrs(rows):
    """(sensitivity, PPV) over the records, per (model, level)."""
    counts = {}
    for row in rows:
        key = (row["model"], row["power_snr_db"])
        tp, fn, fp = counts.get(key, (0, 0, 0))
        counts[key] = (tp + row["tp"], fn + row["fn"], fp + row["fp"])
    return {key: _rates(*value) for key, value in counts.items()}


def _rates(tp, fn, fp):
    sensitivity = tp / (tp + fn) if tp + fn else float("nan")
    ppv = tp / (tp + fp) if tp + fp else float("nan")
    return sensitivity, ppv


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def markdown(args, windows, qrs, argv):
    labels = list(dict.fromkeys(r["model"] for r in windows))
    lines = [
        "# Saved ECG models on the validation records, down to low SNRs",
        "",
        "```",
        f"python benchmarks/{SCRIPT} {shlex.join(argv)}",
        "```",
        "",
        f"Records {', '.join(args.records)}; {NOISE_SOURCES[args.noise][2]}. "
        "Models: "
        + ", ".join(f"{k} = `{v}`" for k, v in args.models.items())
        + "."
        + "".join(
            f" `{label} first pass`: that model with its later passes dropped."
            for label in args.first_pass_of
        ),
        "",
        "## Windows: mean SNR improvement (dB); clean windows: median output SNR",
        "",
        "| noise | input SNR | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    table = {(r["model"], r["noise"], r["input_snr_db"]): r for r in windows}
    keys = sorted({(r["noise"], r["input_snr_db"]) for r in windows}, key=_order)
    for noise, snr in keys:
        cells = [
            f"{table[label, noise, snr]['snr_improvement_mean']:+.2f}"
            for label in labels
        ]
        level = "-" if noise == "clean window" else f"{snr:+.0f}"
        lines.append(f"| {noise} | {level} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## QRS detection inside the em blocks (XQRS; records pooled)",
        "",
        "Sensitivity / positive predictivity in %, per power SNR over the blocks.",
        "",
        "| power SNR | noisy | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    pooled = pooled_qrs(qrs)
    for snr in args.record_snrs:
        cells = [
            "{:.2f} / {:.2f}".format(*(100 * np.asarray(pooled[m, snr])))
            for m in ["noisy", *labels]
        ]
        lines.append(f"| {snr:+.0f} dB | " + " | ".join(cells) + " |")
    lines += ["", "Per record: `qrs.csv`; every window cell: `windows.csv`.", ""]
    return "\n".join(lines)


def _order(key):
    noise, snr = key
    kinds = [*protocol.NOISE_TYPES, "clean window"]
    return (kinds.index(noise), snr)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    models = {
        label: protocol.load_saved(path, SCRIPT) for label, path in args.models.items()
    }
    for label in args.first_pass_of:
        if not hasattr(models[label], "pass_gates_"):
            raise SystemExit(
                f"{SCRIPT}: error: --first-pass-of {label}: the model has no passes"
            )
        models[f"{label} first pass"] = variants(models[label])["first pass"]
    protocol.check_record_lists([], [], list(args.records), args.data_dir, False)
    protocol.check_noise_recordings(args.data_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    windows = []
    for label, model in models.items():
        log(f"windows: {label}")
        windows += window_rows(args, label, model)
    log("records with em blocks")
    qrs = qrs_rows(args, models)
    write_csv(args.out / "windows.csv", windows)
    write_csv(args.out / "qrs.csv", qrs)
    (args.out / "README.md").write_text(
        markdown(args, windows, qrs, argv), encoding="utf-8"
    )
    log(f"results written to {args.out}")


if __name__ == "__main__":
    main()
