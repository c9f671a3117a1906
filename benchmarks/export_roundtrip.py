"""Exported ONNX and LiteRT files against ``transform``, for every neural denoiser.

Fits each network of the registry (tiny settings, two epochs, with the no-harm
gate) on noisy sines, writes it with ``skdenoise.export`` in both formats, runs
each file in its own runtime (ONNX Runtime, the LiteRT interpreter of
``ai-edge-litert``) and compares the outputs with ``transform`` on held-out
series: the largest absolute difference, as a share of the series' range. Needs
the ``export`` extra; about two minutes on a CPU.

    python benchmarks/export_roundtrip.py --out benchmarks/results/export_roundtrip
"""

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings

from _report import load_average  # noqa: E402

os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

# Recurrent networks go to LiteRT with a fixed batch (see skdenoise.export).
RECURRENT = {"LSTMDenoiser", "GRUDenoiser", "CNNLSTMDenoiser", "DRNNDenoiser"}
PACKAGES = ("tensorflow", "keras", "numpy", "tf2onnx", "onnx", "onnxruntime")


def run_onnx(path, series):
    import onnxruntime as ort

    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, {"series": series})[0]


def run_litert(path, series):
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=path).get_signature_runner()
    return runner(series=series)["output_0"]


def cases(n_timesteps):
    import skdenoise
    from skdenoise._registry import NEURAL_DENOISERS

    for name in NEURAL_DENOISERS:
        if name == "KerasDenoiser":
            continue
        cls = getattr(skdenoise, name)
        yield name, cls(**{**cls._get_test_params(), "epochs": 2})
    unet = skdenoise.UNetDenoiser(
        filters=8, depth=3, epochs=2, average_flips=True, random_state=0
    )
    yield "UNetDenoiser (flips, y in other units)", unet


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/export_roundtrip")
    parser.add_argument("--n-timesteps", type=int, default=250)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load_before = load_average()

    from skdenoise import export
    from skdenoise.datasets import make_sines

    rng = np.random.default_rng(args.seed)
    clean = make_sines(96, args.n_timesteps, random_state=args.seed)
    noisy = clean + 0.3 * rng.normal(size=clean.shape)
    train, test = slice(0, 80), slice(80, 96)
    series = noisy[test, :, None].astype(np.float32)
    rows = []
    for label, denoiser in cases(args.n_timesteps):
        targets = clean[train]
        if "other units" in label:
            targets = 2.5 * targets - 4.0
        denoiser.set_params(validation_split=0.2)
        denoiser.fit(noisy[train], targets)
        expected = denoiser.transform(series.astype(np.float64))
        span = float(np.ptp(series))
        for fmt, suffix, run in (
            ("onnx", ".onnx", run_onnx),
            ("litert", ".tflite", run_litert),
        ):
            row = {"denoiser": label, "format": fmt}
            batch = len(series) if fmt == "litert" and label in RECURRENT else None
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model" + suffix)
                try:
                    start = time.perf_counter()
                    export(denoiser, path, format=fmt, batch_size=batch)
                    row["export_s"] = round(time.perf_counter() - start, 2)
                    row["size_kb"] = round(os.path.getsize(path) / 1024, 1)
                    got = run(path, series)
                except (TypeError, ValueError) as error:
                    row["error"] = str(error).split(";")[0]
                    rows.append(row)
                    print(label, fmt, "not exported:", row["error"], flush=True)
                    continue
            diff = float(np.max(np.abs(got - expected)))
            row.update(
                batch="fixed" if batch else "any",
                gate=denoiser.gate_snr_ is not None,
                max_abs_diff=diff,
                relative_to_range=diff / span,
            )
            rows.append(row)
            print(f"{label} {fmt}: {diff / span:.2e} of the range", flush=True)

    fields = [
        "denoiser", "format", "batch", "gate", "max_abs_diff",
        "relative_to_range", "export_s", "size_kb", "error",
    ]  # fmt: skip
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    header = "| denoiser | format | batch | max abs diff / range | export s | KiB |"
    lines = [header, "|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['denoiser']} | {r['format']} | - | {r['error']} | | |")
            continue
        lines.append(
            f"| {r['denoiser']} | {r['format']} | {r['batch']} | "
            f"{r['relative_to_range']:.1e} | {r['export_s']} | {r['size_kb']} |"
        )
    versions = {name: version(name) for name in (*PACKAGES, "ai-edge-litert")}
    run_info = {
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "n_timesteps": args.n_timesteps,
        "test_series": int(series.shape[0]),
        "versions": versions,
        "python": platform.python_version(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "cpu_count": os.cpu_count(),
    }
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "run.json").write_text(
        json.dumps(run_info, indent=2) + "\n", encoding="utf-8"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
