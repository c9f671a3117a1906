"""One table from several runs of the ECG benchmark, and the bars assessed on it.

Runs of ``benchmarks/ecg.py`` on the same test set (same data and records;
the training seed may differ) can train different models, or the same models
with another recipe. This script puts their rows side by side and assesses
the benchmark's bars on all of them: a published network trained with several
recipes is represented by the best of its rows at each condition, so it is
compared at its strongest.

Usage::

    python benchmarks/ecg_summary.py --out /tmp/summary \\
        --run benchmarks/results/ecg/passes_crossfit \\
        --run 'benchmarks/results/ecg/hard_first=one pass' \\
        --run benchmarks/results/ecg/published

``--run DIR[=TAG]``: a run's output folder; with a tag, its learned rows are
labelled with it (the classical rows are taken from the first run only). Two
runs that hold the same learned model need different tags.
"""

import argparse
import csv
import datetime
import json
import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _ecg_protocol as protocol  # noqa: E402
import ecg  # noqa: E402
from _ecg_models import CLASSICAL, LEARNED  # noqa: E402

#: Columns that hold names, not numbers (a record name such as 118e24 would
#: otherwise read as a float).
_TEXT = {"model", "label", "noise", "record"}


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _read(path):
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [
            {k: v if k in _TEXT else _number(v) for k, v in row.items()}
            for row in csv.DictReader(f)
        ]


def _recipe(folder):
    """The README's line on how the learned models were trained."""
    readme = folder / "README.md"
    if not readme.exists():
        return ""
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("- learned models:"):
            return line[len("- learned models:") :].strip()
    return ""


def load_runs(specs):
    """Rows of the runs, labels and base keys.

    Returns a dict of row lists (``rows``, ``real``, ``timing``, ``clean``,
    ``qrs``), the labels and base keys of the models, and the runs.
    """
    tables = {"rows": [], "real": [], "timing": [], "clean": [], "qrs": []}
    labels, base, runs = {}, {}, []
    owner = {}  # learned model key -> the run that gave it
    for spec in specs:
        folder, _, tag = spec.partition("=")
        folder = Path(folder)
        if not (folder / "results.csv").exists():
            raise SystemExit(f"{folder}: no results.csv (not a benchmark run)")
        settings = json.loads((folder / "run.json").read_text(encoding="utf-8"))[
            "settings"
        ]
        runs.append((folder, tag, settings))
        # Validation scores choose the network assessed: only those measured on
        # the first run's validation set compare.
        other_validation = _validation(settings) != _validation(runs[0][2])
        for key in dict.fromkeys(r["model"] for r in _read(folder / "results.csv")):
            if key in CLASSICAL:
                continue
            new_key = f"{key}@{tag}" if tag else key
            if new_key in owner:
                # Its rows would replace the first run's under one label.
                raise SystemExit(
                    f"{folder} and {owner[new_key]} both have the learned model "
                    f"{key!r}{f' tagged {tag!r}' if tag else ''}; tag the runs "
                    "apart (--run FOLDER=TAG)"
                )
            owner[new_key] = folder
        for source, target in (
            (_read(folder / "results.csv"), tables["rows"]),
            (_read(folder / "real_records.csv"), tables["real"]),
            (
                [
                    {**row, "val_snr_improvement": ""} if other_validation else row
                    for row in _read(folder / "timing.csv")
                ],
                tables["timing"],
            ),
            (_read(folder / "clean_windows.csv"), tables["clean"]),
            (_read(folder / "qrs.csv"), tables["qrs"]),
        ):
            # The same filters on the same data: one copy of each row, from the
            # first run that has it (a run of learned models alone has none;
            # another run may have other real records or conditions).
            present = {_identity(r) for r in target if r["model"] in CLASSICAL}
            for row in source:
                key = row["model"]
                if key in CLASSICAL:
                    if _identity(row) in present:
                        continue
                    new_key, label = key, CLASSICAL[key][0]
                else:
                    if key not in LEARNED:
                        raise SystemExit(
                            f"{folder}: unknown model {key!r} (a name of an older "
                            "version of ecg.py?); the known models are "
                            f"{', '.join(sorted({*CLASSICAL, *LEARNED}))}"
                        )
                    new_key = f"{key}@{tag}" if tag else key
                    label = LEARNED[key][1] + (f" [{tag}]" if tag else "")
                labels[new_key], base[new_key] = label, key
                target.append({**row, "model": new_key, "label": label})
    first = runs[0][2]
    for folder, _, settings in runs[1:]:
        # The training seed does not enter the test set (its noise is drawn with
        # the protocol's own seed), so runs of several seeds compare.
        for name in (
            "data_dir",
            "test_records",
            "test_windows_per_record",
            "real_windows_per_record",
        ):
            # Runs before the real windows were recorded used all of them.
            mine, theirs = settings.get(name), first.get(name)
            if name == "data_dir":
                mine, theirs = (os.path.realpath(p) for p in (mine, theirs))
            if mine != theirs:
                raise SystemExit(
                    f"{folder}: {name} is {settings.get(name)!r}, not "
                    f"{first.get(name)!r} as in the first run; the rows do not "
                    "compare"
                )
    return tables, labels, base, runs


def _validation(settings):
    """What a run's validation scores were measured on."""
    # Runs before --validation-noise validated on the training noise.
    noise = settings.get("validation_noise") or (
        "training" if settings.get("n_val_windows") else None
    )
    return (
        *(
            settings.get(name)
            for name in (
                "val_records",
                "n_val_windows",
                "validation_seed",
                "held_out_noise",
            )
        ),
        noise,
    )


def _identity(row):
    """What a row measures: its model and condition (noise, level, record)."""
    return tuple(row.get(name) for name in ("model", "noise", "input_snr_db", "record"))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="benchmarks/ecg_summary.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--run", action="append", required=True, metavar="DIR[=TAG]")
    parser.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    tables, labels, base, runs = load_runs(args.run)
    rows, real, timing = tables["rows"], tables["real"], tables["timing"]
    models = list(dict.fromkeys(r["model"] for r in rows))
    models.sort(key=lambda k: (base[k] not in CLASSICAL, base[k] in ecg.PUBLISHED))
    noises = [n for n in protocol.NOISE_TYPES if any(r["noise"] == n for r in rows)]
    snrs = list(protocol.TEST_SNRS)
    budgets = sorted(
        {
            f"{s['budget_steps']:,} steps"
            if s.get("budget_steps")
            else f"{s['budget_minutes']:g} min"
            for _, _, s in runs
        }
    )

    text = [
        "# ECG benchmark: runs side by side",
        "",
        "Produced by:",
        "",
        "```",
        shlex.join(["python", "benchmarks/ecg_summary.py", *argv]),
        "```",
        "",
        f"Written {datetime.datetime.now().isoformat(timespec='seconds')} from "
        f"{len(runs)} runs of `benchmarks/ecg.py` on the same test set; training "
        f"budget {' / '.join(budgets)} per learned model.",
        "",
    ]
    for folder, tag, _ in runs:
        command = (folder / "command.txt").read_text(encoding="utf-8").strip()
        text += [
            f"- `{folder.as_posix()}`"
            + (f" (rows tagged [{tag}])" if tag else "")
            + f": {_recipe(folder)}",
            f"  `{command}`",
        ]
    others = [
        f"`{folder.as_posix()}`"
        for folder, _, settings in runs[1:]
        if _validation(settings) != _validation(runs[0][2])
    ]
    if others:
        text += [
            "",
            f"The validation of {', '.join(others)} differs from the first run's "
            "(records, windows, seed or noise): their validation scores do not "
            "choose the network assessed.",
        ]
    text += [
        "",
        "## Mean SNR improvement (dB) on the test set",
        "",
        ecg.snr_pivot(rows, models, labels, noises, snrs),
    ]
    clean_table = ecg.clean_pivot(tables["clean"], models, labels)
    if clean_table:
        text += [
            "",
            "## Clean windows as input: output SNR (dB), mean / median / 5th "
            "percentile",
            "",
            clean_table,
        ]
    if real:
        text += [
            "",
            "## Real noisy records (NSTDB 118e*, 119e*): mean SNR improvement (dB)",
            "",
            ecg.real_pivot(real, models, labels),
        ]
    qrs_table = ecg.qrs_pivot(tables["qrs"], models, labels)
    if qrs_table:
        text += [
            "",
            "## QRS detection on the whole real records: sensitivity / positive "
            "predictivity (%)",
            "",
            qrs_table,
            "",
            "F1 of the same detections (%). " + ecg.QRS_F1_TEXT,
            "",
            ecg.qrs_f1_pivot(tables["qrs"], models, labels),
        ]
    if timing:
        header = ["model", "training (s)", "epochs", "steps", "parameters"]
        lines = [
            [
                t["label"],
                f"{t['train_time_s']:.0f}",
                f"{t['epochs']:.0f}" if t["epochs"] != "" else "-",
                f"{t['steps']:.0f}" if t["steps"] != "" else "-",
                f"{t['n_params']:,.0f}" if t["n_params"] != "" else "-",
            ]
            for t in timing
            if base[t["model"]] in LEARNED
        ]
        text += ["", "## Training", "", ecg.markdown_table(header, lines)]
    bars = ecg.assess_bars(
        rows,
        real,
        models,
        labels,
        base=base.get,
        qrs_rows=tables["qrs"],
        val_scores=ecg.validation_choice(timing),
    )
    if bars:
        text += ["", "## Bars of the benchmark", "", bars]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text("\n".join(text) + "\n", encoding="utf-8")
    print(f"written {out / 'README.md'}")


if __name__ == "__main__":
    main()
