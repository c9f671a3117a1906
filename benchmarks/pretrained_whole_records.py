"""The pretrained ECG denoiser on whole recordings, with and without a high-pass.

The benchmark's windows have their means removed, and its reference is the
record after a 0.5 Hz high-pass; the shipped model (a ``ResampledDenoiser``
around a ``WindowedDenoiser`` that takes each window's mean out and puts it back)
learned to remove noise above that band. A user denoises a whole recording, in
which the noise's slowest part (baseline wander below about 0.7 Hz, the window
means) goes through the model as it is. This script measures what that costs
and what a zero-phase high-pass in front buys (``BandpassDenoiser(low_cutoff=HZ,
high_cutoff=None, order=2)``, the reference's filter):

- the first ``--minutes`` of each test record (118 119 121, MLII, mV), its
  reference the protocol's 0.5 Hz high-pass of that stretch;
- the benchmark's test noise (NSTDB channel 1, samples 325,000 on), one stretch
  as long as the recording per noise type and level, mean removed, scaled so
  that its SNR against the reference over the whole stretch is -6 to 24 dB
  (``mix``: the three summed with weights drawn from U(0, 1)), added to the
  recording as it is (its own baseline too: the input SNR in the tables is
  measured, below the nominal level where the recording drifts);
- the recording itself with no noise added, and the reference itself (how
  much each variant changes an ECG that needs nothing: a second high-pass
  changes an already filtered one a little);
- three variants: the model alone, the high-pass alone, the high-pass and then
  the model; SNR of each output against the reference, over the whole stretch.

No choice of the model is made here (it is the shipped one); the numbers
document how to use it. Writes ``results.csv`` and ``README.md`` to ``--out``::

    python benchmarks/pretrained_whole_records.py --data-dir ../shared/data/physionet \\
        --out benchmarks/results/pretrained/whole_records
"""

import argparse
import csv
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
from _report import load_average, preamble  # noqa: E402

TEST_RECORDS = ["118", "119", "121"]
VARIANTS = ("model", "high-pass", "high-pass + model")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmarks/results/pretrained/whole_records"),
    )
    parser.add_argument("--records", nargs="+", default=TEST_RECORDS)
    parser.add_argument(
        "--minutes", type=float, default=10.0, help="length of each stretch"
    )
    parser.add_argument(
        "--highpass",
        type=float,
        default=protocol.REFERENCE_HIGHPASS_HZ,
        metavar="HZ",
        help="cut-off of the high-pass in front of the model (default: 0.5)",
    )
    parser.add_argument(
        "--snrs", type=float, nargs="+", default=list(protocol.TEST_SNRS)
    )
    parser.add_argument("--seed", type=int, default=protocol.TEST_SEED)
    args = parser.parse_args(argv)
    if not args.minutes > 0:
        parser.error(f"--minutes must be positive; got {args.minutes:g}")
    if not 0 < args.highpass < protocol.SAMPLING_RATE / 2:
        parser.error(f"--highpass must lie in (0, 180) Hz; got {args.highpass:g}")
    try:
        protocol.check_record_lists([], [], args.records, args.data_dir, False)
        protocol.check_noise_recordings(args.data_dir)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    return args


def stretch(record, data_dir, n_samples):
    """The recording (its own baseline kept) and its reference, ``n_samples``."""
    raw = protocol._mitdb(record, data_dir)[:n_samples]
    return raw - raw.mean(), protocol.reference_highpass(raw)


def variants(model, highpass, x):
    """The output of each variant for one series ``x``."""
    filtered = highpass.fit(x[np.newaxis]).transform(x[np.newaxis])
    return {
        "model": model.transform(x[np.newaxis])[0],
        "high-pass": filtered[0],
        "high-pass + model": model.transform(filtered)[0],
    }


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    from skdenoise import metrics, pretrained
    from skdenoise.baselines import BandpassDenoiser

    started = time.perf_counter()
    model = pretrained.load("ecg", sampling_rate=protocol.SAMPLING_RATE)
    highpass = BandpassDenoiser(
        low_cutoff=args.highpass,
        high_cutoff=None,
        order=2,
        sampling_rate=protocol.SAMPLING_RATE,
    )
    n_samples = int(round(args.minutes * 60 * protocol.SAMPLING_RATE))
    recordings = protocol.noise_recordings(
        args.data_dir, protocol.TEST_NOISE["channel"]
    )
    rows = []
    for record in args.records:
        raw, clean = stretch(record, args.data_dir, n_samples)
        inputs = {("recording", "own baseline"): raw, ("clean", "none"): clean}
        for kind in protocol.NOISE_TYPES:
            for level in args.snrs:
                noise = protocol.noise_model(
                    kind, recordings, protocol.TEST_NOISE["segment"], level
                )
                added = noise.apply(clean[np.newaxis], random_state=args.seed)[0]
                # The recording as a user has it: its own baseline, and the
                # noise at the level asked for against the reference.
                inputs[(kind, f"{level:g}")] = raw + (added - clean)
        for (kind, level), x in inputs.items():
            row = {"record": record, "noise": kind, "input_snr_db": level}
            snr_in = metrics.snr(clean, x)
            row["snr_in_db"] = float(min(snr_in, 999.0))
            for name, out in variants(model, highpass, x).items():
                row[f"{name} snr_out_db"] = float(min(metrics.snr(clean, out), 999.0))
            rows.append(row)
            print(
                f"{record} {kind} {level}: in {row['snr_in_db']:.2f} dB, out "
                + ", ".join(f"{v} {row[f'{v} snr_out_db']:.2f}" for v in VARIANTS),
                flush=True,
            )
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "results.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    command = "python benchmarks/pretrained_whole_records.py " + shlex.join(argv)
    (args.out / "README.md").write_text(
        markdown(rows, args, command, started), encoding="utf-8"
    )
    print(f"wrote {args.out / 'README.md'}")
    return 0


def markdown(rows, args, command, started):
    def mean(kind, level, column):
        values = [
            r[column] for r in rows if r["noise"] == kind and r["input_snr_db"] == level
        ]
        return float(np.mean(values))

    levels = [f"{level:g}" for level in args.snrs]
    lines = [
        *preamble(
            "# The pretrained ECG denoiser on whole recordings",
            command,
        ),
        f"Records {' '.join(args.records)}, the first {args.minutes:g} minutes of "
        f"each; high-pass at {args.highpass:g} Hz (zero-phase, 2nd order); "
        f"{time.perf_counter() - started:.0f} s, load average "
        f"{load_average()[0]:.1f} on {os.cpu_count()} CPUs.",
        "",
        "## SNR improvement over the whole stretch (dB), mean over the records",
        "",
        "| noise | nominal level | measured input SNR | " + " | ".join(VARIANTS) + " |",
        "|---|---|---|" + "---|" * len(VARIANTS),
    ]
    for kind in protocol.NOISE_TYPES:
        for level in levels:
            snr_in = mean(kind, level, "snr_in_db")
            gains = [mean(kind, level, f"{v} snr_out_db") - snr_in for v in VARIANTS]
            lines.append(
                f"| {kind} | {level} | {snr_in:.2f} | "
                + " | ".join(f"{g:+.2f}" for g in gains)
                + " |"
            )
    lines += [
        "",
        "## Without added noise: output SNR against the reference (dB), mean over "
        "the records",
        "",
        "| input | input SNR | " + " | ".join(VARIANTS) + " |",
        "|---|---|" + "---|" * len(VARIANTS),
    ]
    for kind, level, label in (
        ("recording", "own baseline", "the recording (its own baseline)"),
        ("clean", "none", "the reference itself"),
    ):
        snr_in = mean(kind, level, "snr_in_db")
        outs = [mean(kind, level, f"{v} snr_out_db") for v in VARIANTS]
        shown_in = "exact" if snr_in >= 999 else f"{snr_in:.2f}"
        lines.append(
            f"| {label} | {shown_in} | " + " | ".join(f"{o:.2f}" for o in outs) + " |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
