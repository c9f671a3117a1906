"""Where a saved ECG network loses beats on the real records: passes, gates or network.

A model saved by ``ecg.py --save-models`` denoises the NSTDB records as the
benchmark does, in four variants built from the fitted model: as fitted, its
first pass only (the later passes dropped), without its gates (every pass
kept), and the network alone (one pass, no gate). For each, inside the noisy
blocks: the ``wfdb`` package's XQRS sensitivity and positive predictivity
against the record's beat annotations, the median ratio of the output's QRS
peak-to-peak amplitude (+/- 50 ms around each annotated beat) to the clean
record's, over all beats and over the beats missed, and the output SNR over
the blocks. A diagnosis, on test records: it chooses nothing.

Usage::

    python benchmarks/ecg_qrs_diagnosis.py --data-dir ../shared/data/physionet \
        --model MODELS/unet.skdenoise --out OUT
"""

import argparse
import copy
import shlex
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402

SCRIPT = "ecg_qrs_diagnosis.py"
DEFAULT_RECORDS = ("118e06", "118e00", "118e_6", "119e00", "119e_6")


def variants(model):
    """The fitted model and three variants of its passes and gates."""
    first = copy.copy(model)
    first.pass_gates_, first.n_passes_ = [], 1
    ungated = copy.copy(model)
    ungated.gate_snr_ = ungated.gate_scale_ = None
    ungated.pass_gates_ = [(None, None)] * len(model.pass_gates_)
    alone = copy.copy(ungated)
    alone.pass_gates_, alone.n_passes_ = [], 1
    return {
        "as fitted": model,
        "first pass": first,
        "no gates": ungated,
        "network alone": alone,
    }


def qrs_amplitude(x, beats, half_width):
    """Peak-to-peak amplitude of ``x`` within ``half_width`` of each beat."""
    return np.array([np.ptp(x[max(b - half_width, 0) : b + half_width]) for b in beats])


def record_rows(record, data_dir, models):
    noisy, clean = protocol.conditioned_real_record(record, data_dir)
    beats = protocol.beat_annotations(record, data_dir)
    blocks = protocol.nominal_noisy_blocks(len(noisy))
    index = np.concatenate([np.arange(start, stop) for start, stop in blocks])
    tolerance = int(round(protocol.QRS_TOLERANCE_S * protocol.SAMPLING_RATE))
    half_width = int(round(0.05 * protocol.SAMPLING_RATE))
    inside = protocol._inside(beats, blocks)
    clean_amp = qrs_amplitude(clean, beats, half_width)
    rows = []
    for label, model in {"noisy": None, **models}.items():
        out = noisy if model is None else protocol.denoise_record(model, noisy)
        found = protocol.detect_qrs(out)
        scores = protocol.qrs_scores(beats, found, tolerance, blocks)
        matched, _ = protocol.match_beats(beats, found, tolerance)
        missed = np.setdiff1d(np.flatnonzero(inside), matched)
        ratio = qrs_amplitude(out, beats, half_width) / clean_amp
        power = np.sum(clean[index] ** 2)
        error = np.sum((out - clean)[index] ** 2)
        noise = np.sum((noisy - clean)[index] ** 2)
        rows.append(
            {
                "record": record,
                "variant": label,
                "power_snr_in_blocks_db": 10 * np.log10(power / noise),
                "sensitivity": scores["sensitivity"],
                "ppv": scores["ppv"],
                "fn": scores["fn"],
                "fp": scores["fp"],
                "qrs_amplitude_ratio": float(np.median(ratio[inside])),
                "qrs_amplitude_ratio_missed": float(np.median(ratio[missed]))
                if len(missed)
                else float("nan"),
                "snr_out_in_blocks_db": 10 * np.log10(power / error),
            }
        )
        row = rows[-1]
        print(
            f"{record} {label}: Se {scores['sensitivity']:.4f} PPV "
            f"{scores['ppv']:.4f}, QRS amplitude {row['qrs_amplitude_ratio']:.2f}"
            f" of the clean (missed beats {row['qrs_amplitude_ratio_missed']:.2f})",
            flush=True,
        )
    return rows


def markdown(rows, argv, model):
    lines = [
        "# Where the network loses beats on the real records",
        "",
        "```",
        f"python benchmarks/{SCRIPT} {shlex.join(argv)}",
        "```",
        "",
        f"Model: `{model}`. Inside the noisy blocks: XQRS sensitivity and positive "
        "predictivity (%), the median QRS peak-to-peak amplitude of the output over "
        "the clean record's (all beats; beats missed), and the output SNR (dB).",
        "",
        "| record (power SNR in blocks) | variant | Se | PPV | QRS amplitude "
        "(all; missed) | SNR out |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['record']} ({r['power_snr_in_blocks_db']:+.1f} dB) | {r['variant']} "
            f"| {100 * r['sensitivity']:.2f} | {100 * r['ppv']:.2f} | "
            f"{r['qrs_amplitude_ratio']:.2f}; {r['qrs_amplitude_ratio_missed']:.2f} | "
            f"{r['snr_out_in_blocks_db']:+.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(
        prog=f"benchmarks/{SCRIPT}", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--records", nargs="+", default=list(DEFAULT_RECORDS))
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    model = protocol.load_saved(args.model, SCRIPT)
    if not hasattr(model, "pass_gates_"):
        raise SystemExit(
            f"{SCRIPT}: error: {args.model} holds a {type(model).__name__}, not a "
            "fitted network with passes and gates"
        )
    rows = []
    for record in args.records:
        rows += record_rows(record, args.data_dir, variants(model))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "README.md").write_text(
        markdown(rows, argv, args.model), encoding="utf-8"
    )
    print(f"written {args.out / 'README.md'}")


if __name__ == "__main__":
    main()
