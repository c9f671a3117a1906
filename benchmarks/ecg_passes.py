"""A saved learned model of the ECG benchmark, with each number of its passes.

Loads a model saved by ``ecg.py --save-models DIR`` and evaluates it on the
benchmark's test set (the protocol's 300 windows per test record) with its
first ``k`` denoising passes, for ``k`` from 1 to its ``n_passes_``: what the
passes chosen on the validation records change, on one and the same network.
Prints a Markdown table of the mean SNR improvement per noise and input level,
and the median output SNR of the clean windows::

    python benchmarks/ecg_passes.py --data-dir ../shared/data/physionet \\
        --model /tmp/models/unet.skdenoise

``--recalibrate`` first chooses the passes again with the installed package's
rule (``n_passes="auto"``), on the benchmark's validation windows exactly as
``ecg.py`` builds them (``--val-records``, ``--train-snr``): the network and
its first gate stay as trained, so the result is what a run of ``ecg.py``
with that package would have produced from the same network. No test window
takes part in the choice.
"""

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _ecg_protocol as protocol  # noqa: E402


def _ecg_script():
    spec = importlib.util.spec_from_file_location("benchmark_ecg", HERE / "ecg.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--test-records", nargs="+", default=["118", "119", "121"])
    parser.add_argument("--test-windows", type=int, default=300)
    parser.add_argument(
        "--recalibrate",
        action="store_true",
        help="choose the passes again (n_passes='auto') on the validation records",
    )
    parser.add_argument("--val-records", nargs="+", default=["117", "122"])
    parser.add_argument(
        "--max-val-windows",
        type=int,
        default=None,
        help="at most this many validation windows (default: all, as ecg.py)",
    )
    parser.add_argument(
        "--held-out-noise",
        type=int,
        default=None,
        metavar="SAMPLE",
        help="the validation noise of a model trained with ecg.py --held-out-noise",
    )
    parser.add_argument(
        "--validation-noise",
        choices=sorted(protocol.VALIDATION_NOISE),
        default=None,
        help="the validation noise the model was trained with (ecg.py "
        "--validation-noise; default: other-lead, or training with "
        "--held-out-noise)",
    )
    parser.add_argument(
        "--train-snr",
        nargs=2,
        type=float,
        default=(-6.0, 30.0),
        metavar=("LOW", "HIGH"),
    )
    args = parser.parse_args(argv)
    for option, value in (
        ("--test-windows", args.test_windows),
        ("--max-val-windows", args.max_val_windows),
    ):
        if value is not None and value < 1:
            parser.error(f"{option} must be at least 1; got {value}")
    try:
        args.validation_noise = protocol.validation_noise_source(
            args.validation_noise, args.held_out_noise
        )
    except ValueError as exc:
        parser.error(str(exc))
    if not args.model.is_file():
        parser.error(f"--model {args.model}: no such file")
    return args


def recalibrate(model, args):
    """Choose ``model``'s passes again on the benchmark's validation windows.

    Returns one line on what was chosen.
    """
    import numpy as np

    if np.any(model.target_scale_ != 1) or np.any(model.target_offset_ != 0):
        raise ValueError("--recalibrate needs a model trained in the units of y.")
    noisy, clean = protocol.validation_set(
        args.val_records,
        args.data_dir,
        protocol.validation_noise(
            args.data_dir,
            args.train_snr,
            args.validation_noise,
            segment=protocol.noise_segments(args.held_out_noise)[1]
            if args.held_out_noise
            else None,
        ),
        args.max_val_windows,
    )
    model.set_params(n_passes="auto")
    model._calibrate_passes((noisy[:, :, None], clean[:, :, None]))
    return (
        f"passes chosen again on {len(clean)} windows of the records "
        f"{' '.join(args.val_records)}: {model.n_passes_}"
    )


def pass_table(model, context, evaluate, clean_condition):
    """Markdown lines: mean SNR improvement with 1 .. n_passes_ passes."""
    gates = list(model.pass_gates_)
    table = {}
    try:
        for k in range(1, len(gates) + 2):
            model.pass_gates_, model.n_passes_ = gates[: k - 1], k
            rows = evaluate(model, context)[0]
            for row in rows:
                key = (row["noise"], f"{row['input_snr_db']:+g}")
                table.setdefault(key, []).append(row["snr_improvement_mean"])
            clean_row = clean_condition(model, context)[0]
            table.setdefault(("clean", "median out"), []).append(
                clean_row["snr_out_median"]
            )
    finally:
        model.pass_gates_, model.n_passes_ = gates, len(gates) + 1
    names = [f"{k} pass{'es' if k > 1 else ''}" for k in range(1, len(gates) + 2)]
    lines = [
        "| noise | input SNR (dB) | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for (noise, level), values in table.items():
        lines.append(
            f"| {noise} | {level} | " + " | ".join(f"{v:+.2f}" for v in values) + " |"
        )
    return lines


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    if args.recalibrate:
        # The passes are chosen on validation records only, never on a test one.
        try:
            protocol.check_record_lists(
                [], args.val_records, args.test_records, args.data_dir
            )
        except (ValueError, FileNotFoundError) as exc:
            raise SystemExit(f"benchmarks/ecg_passes.py: error: {exc}") from None

    ecg = _ecg_script()
    clean, record_of, noisy = protocol.build_test_set(
        args.test_records, args.data_dir, n_windows=args.test_windows
    )
    context = {
        "clean": clean,
        "record_of": record_of,
        "noisy": noisy,
        "example_snr": 0.0,
        "example_index": 0,
        "real": {},
    }
    model = protocol.load_saved(args.model, "ecg_passes.py")
    if not all(hasattr(model, name) for name in ("pass_gates_", "target_scale_")):
        raise SystemExit(
            f"ecg_passes.py: error: {args.model} is a {type(model).__name__}, not "
            "a network saved by ecg.py --save-models (its passes and gates are "
            "read directly)."
        )
    if args.recalibrate:
        print(recalibrate(model, args))
    lines = pass_table(model, context, ecg.evaluate_model, ecg.clean_condition)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
