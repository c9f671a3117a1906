"""Parallel grid search and long-recording inference with WindowedDenoiser.

Two measurements, each configuration in a fresh Python process:

1. The same small grid search (``Pipeline(SeriesScaler, WindowedDenoiser(
   UNetDenoiser))``, 4 candidates x 2 folds, refit included) with ``n_jobs=1``
   and ``n_jobs=2`` (joblib's loky workers), and ``n_jobs=2`` once more with
   TensorFlow's thread pools forced to one thread per core in every worker (what
   happens without skdenoise's thread limit). Wall time of every run; the table
   gives the median of ``--repeats`` runs (the first run of ``n_jobs=2`` includes
   starting the workers and importing TensorFlow in them).
2. ``WindowedDenoiser(UNetDenoiser(small), window_length=512).transform`` of one
   series of 100,000, 1,000,000 and 10,000,000 samples: throughput in samples per
   second and the process's peak resident memory (``ru_maxrss``), which, unlike
   tracemalloc, sees TensorFlow's allocations.

Example::

    python benchmarks/pipeline_bench.py --out benchmarks/results/pipeline
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its siblings

from _report import load_average  # noqa: E402

THREAD_VARS = ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def peak_rss_mib():
    try:
        import resource  # Unix only
    except ImportError:
        return float("nan")
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def current_rss_mib():
    try:
        with open("/proc/self/statm", encoding="utf-8") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


# ------------------------------------------------------------------- workers
def search_worker(n_jobs, repeats):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines
    from skdenoise.pipeline import SeriesScaler, WindowedDenoiser

    clean = make_sines(32, 256, random_state=0).astype(np.float32)
    rng = np.random.default_rng(0)
    noisy = clean + 0.3 * rng.standard_normal(clean.shape).astype(np.float32)
    unet = UNetDenoiser(filters=8, depth=2, epochs=2, batch_size=32, random_state=0)
    pipe = make_pipeline(SeriesScaler(), WindowedDenoiser(unet, window_length=64))
    grid = {
        "windoweddenoiser__window_length": [64, 128],
        "windoweddenoiser__estimator__filters": [4, 8],
    }
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        search = GridSearchCV(pipe, grid, cv=2, n_jobs=n_jobs).fit(noisy, clean)
        times.append(time.perf_counter() - start)
    return {
        "n_jobs": n_jobs,
        "times_s": times,
        "best_params": search.best_params_,
        "best_score": float(search.best_score_),
    }


def long_worker(n_samples, repeats, chunk_windows=None):
    from skdenoise import UNetDenoiser
    from skdenoise.datasets import make_sines
    from skdenoise.pipeline import WindowedDenoiser

    train = make_sines(32, 512, random_state=0).astype(np.float32)
    noisy_train = train + 0.3 * np.random.default_rng(0).standard_normal(train.shape)
    unet = UNetDenoiser(filters=8, depth=3, epochs=1, random_state=0)
    denoiser = WindowedDenoiser(unet, window_length=512, chunk_windows=chunk_windows)
    denoiser.fit(noisy_train, train)
    denoiser.transform(noisy_train[:2])  # first call builds the inference function
    rss_before_input = current_rss_mib()
    peak_before = peak_rss_mib()
    t = np.arange(n_samples, dtype=np.float32) / 360.0
    rng = np.random.default_rng(1)
    X = np.sin(2 * np.pi * 1.2 * t)[np.newaxis]
    X += 0.3 * rng.standard_normal(X.shape, dtype=np.float32)
    del t
    rss_with_input = current_rss_mib()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = denoiser.transform(X)
        times.append(time.perf_counter() - start)
        del out
    seconds = statistics.median(times)
    return {
        "n_samples": n_samples,
        "windows": denoiser.windows_per_series(n_samples),
        "chunk_windows": chunk_windows or 2**17 // 512,
        "times_s": times,
        "samples_per_s": n_samples / seconds,
        "input_mib": X.nbytes / 2**20,
        "rss_before_input_mib": rss_before_input,
        "rss_with_input_mib": rss_with_input,
        "peak_rss_before_mib": peak_before,
        "peak_rss_mib": peak_rss_mib(),
    }


# -------------------------------------------------------------------- driver
def run_worker(args, env):
    command = [sys.executable, __file__, "--worker", *args]
    load_before = load_average()[0]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.stderr.write(result.stderr[-5000:])
        raise SystemExit(f"worker {args} failed")
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["load"] = [load_before, load_average()[0]]
    return row


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    env.update(extra)
    return env


def run_search(repeats):
    cores = str(os.cpu_count())
    settings = [
        ("n_jobs=1", "1", clean_env()),
        ("n_jobs=2", "2", clean_env()),
        (
            "n_jobs=2, TensorFlow threads not limited",
            "2",
            clean_env(TF_NUM_INTRAOP_THREADS=cores, TF_NUM_INTEROP_THREADS=cores),
        ),
    ]
    rows = []
    for label, n_jobs, env in settings:
        row = run_worker(["search", n_jobs, str(repeats)], env)
        row.update(setting=label, median_s=statistics.median(row["times_s"]))
        print(label, [round(t, 1) for t in row["times_s"]], flush=True)
        rows.append(row)
    return rows


def run_long(lengths, repeats):
    rows = []
    for n_samples in lengths:
        row = run_worker(
            ["long", str(n_samples), str(repeats if n_samples <= 1_000_000 else 1)],
            clean_env(),
        )
        print(n_samples, f"{row['samples_per_s']:.0f} samples/s", flush=True)
        rows.append(row)
    return rows


def run_chunks(chunks, n_samples):
    rows = []
    for chunk_windows in chunks:
        row = run_worker(["long", str(n_samples), "1", str(chunk_windows)], clean_env())
        print("chunk", chunk_windows, f"peak {row['peak_rss_mib']:.0f} MiB", flush=True)
        rows.append(row)
    return rows


def load_text(row):
    return f"{row['load'][0]:.1f} / {row['load'][1]:.1f}"


def save_json(out, results):
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")


def _repeats_of(rows):
    """The transforms timed per recording of up to 1,000,000 samples (as run)."""
    counts = sorted(
        {len(row["times_s"]) for row in rows if row["n_samples"] <= 1_000_000}
    )
    return " or ".join(str(count) for count in counts) or "no"


def write_results(out, results):
    save_json(out, results)
    search, long, chunks = results["search"], results["long"], results["chunks"]
    with open(out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["part", "setting", "median_s", "runs_s", "samples_per_s", "peak_rss_mib"]
        )
        for row in search["rows"]:
            runs = " ".join(f"{t:.2f}" for t in row["times_s"])
            writer.writerow(["search", row["setting"], f"{row['median_s']:.2f}", runs])
        for part, rows in (("long", long["rows"]), ("chunks", chunks["rows"])):
            for row in rows:
                setting = f"{row['n_samples']} samples, chunk {row['chunk_windows']}"
                writer.writerow(
                    [
                        part,
                        setting,
                        f"{statistics.median(row['times_s']):.2f}",
                        " ".join(f"{t:.2f}" for t in row["times_s"]),
                        f"{row['samples_per_s']:.0f}",
                        f"{row['peak_rss_mib']:.0f}",
                    ]
                )

    rows = search["rows"]
    base = next(r for r in rows if r["setting"] == "n_jobs=1")["median_s"]
    lines = [
        "# Pipelines: parallel grid search and long recordings",
        "",
        f"Machine: {os.cpu_count()} CPU cores, shared with other jobs: the 1-minute"
        " load average before / after each measurement is given with it, and times"
        " measured under a load above the number of cores are slowed by it.",
        "",
        "## Grid search, n_jobs=1 versus n_jobs=2",
        "",
        f"Command: `{search['command']}`",
        "",
        "`GridSearchCV(Pipeline(SeriesScaler, WindowedDenoiser(UNetDenoiser(depth=2,"
        " epochs=2), window_length)), {window_length: [64, 128], filters: [4, 8]},"
        " cv=2)` on 32 series of 256 samples: 8 fits and the refit. Each setting runs"
        " in a fresh process; its first run starts the loky workers (and imports"
        " TensorFlow in them), the later ones reuse them.",
        "",
        "| setting | median wall time (s) | runs (s) | speed-up vs n_jobs=1 | load |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        runs = ", ".join(f"{t:.1f}" for t in row["times_s"])
        lines.append(
            f"| {row['setting']} | {row['median_s']:.1f} | {runs} | "
            f"{base / row['median_s']:.2f}x | {load_text(row)} |"
        )
    lines += [
        "",
        "`n_jobs=2` runs with skdenoise's default: each loky worker's TensorFlow gets"
        " `OMP_NUM_THREADS` threads, which joblib sets to `cpu_count() // n_jobs`. The"
        " last row forces `TF_NUM_INTRAOP_THREADS = TF_NUM_INTEROP_THREADS ="
        f" {os.cpu_count()}` (TensorFlow's own default, one thread per core) in every"
        " worker.",
        "",
        "## Long recordings",
        "",
        f"Command: `{long['command']}`",
        "",
        "`WindowedDenoiser(UNetDenoiser(filters=8, depth=3), window_length=512)"
        ".transform` of one float32 series (stride 256, 256 windows per call of the"
        " network), each length in a fresh process; TensorFlow with its default"
        " threads. Peak RSS is the process's `ru_maxrss` (TensorFlow included);"
        " 'before' is after fitting and one small transform, before the series"
        " exists. Recordings up to 1,000,000 samples: median of "
        f"{_repeats_of(long['rows'])} transforms; longer ones: one.",
        "",
        "| samples | windows | time (s) | samples/s | input (MiB) |"
        " peak RSS before (MiB) | peak RSS after (MiB) | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in long["rows"]:
        lines.append(
            f"| {row['n_samples']:,} | {row['windows']:,} | "
            f"{statistics.median(row['times_s']):.2f} | {row['samples_per_s']:,.0f} | "
            f"{row['input_mib']:.0f} | {row['peak_rss_before_mib']:.0f} | "
            f"{row['peak_rss_mib']:.0f} | {load_text(row)} |"
        )
    short, longest = long["rows"][0], long["rows"][-1]
    added = longest["peak_rss_mib"] - longest["peak_rss_before_mib"]
    lines += [
        "",
        f"Throughput on {longest['n_samples']:,} samples is "
        f"{longest['samples_per_s'] / short['samples_per_s']:.2f} times that on "
        f"{short['n_samples']:,}. The {added:.0f} MiB the "
        f"{longest['n_samples']:,}-sample transform adds to the peak are its input"
        f" ({longest['input_mib']:.0f} MiB), the float64 overlap-add buffer and"
        " weight sums (8 bytes per sample each), the float32 result and the"
        " network's activations for one chunk of windows (next table): the memory"
        " grows with the recording only through those per-sample arrays, not"
        " through the number of windows.",
        "",
        "## Chunk size",
        "",
        f"Command: `{chunks['command']}`",
        "",
        f"The same transform of {chunks['rows'][0]['n_samples']:,} samples with"
        " `chunk_windows` windows per call of the network (one run each); the"
        " default is 256 for 512-sample windows.",
        "",
        "| chunk_windows | time (s) | samples/s | peak RSS before (MiB) |"
        " peak RSS after (MiB) | load |",
        "|---|---|---|---|---|---|",
    ]
    for row in chunks["rows"]:
        lines.append(
            f"| {row['chunk_windows']} | {row['times_s'][0]:.2f} | "
            f"{row['samples_per_s']:,.0f} | {row['peak_rss_before_mib']:.0f} | "
            f"{row['peak_rss_mib']:.0f} | {load_text(row)} |"
        )
    lines.append("")
    out.with_suffix(".md").write_text("\n".join(lines), encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/pipeline"))
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["search", "long", "chunks"],
        default=["search", "long", "chunks"],
        help="parts to measure; the others are kept from an earlier --out JSON",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--lengths", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000]
    )
    parser.add_argument("--chunks", type=int, nargs="+", default=[64, 256, 1024, 4096])
    parser.add_argument("--chunk-samples", type=int, default=2_000_000)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, *values = args.worker
        worker = search_worker if kind == "search" else long_worker
        print(json.dumps(worker(*map(int, values))))
        return

    previous = args.out.with_suffix(".json")
    results = (
        json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    )
    command = "python benchmarks/pipeline_bench.py " + " ".join(sys.argv[1:])
    parts = {
        "search": lambda: run_search(args.repeats),
        "long": lambda: run_long(args.lengths, args.repeats),
        "chunks": lambda: run_chunks(args.chunks, args.chunk_samples),
    }
    for part, run in parts.items():
        if part in args.parts:
            results[part] = {"command": command, "rows": run()}
            # Each part is kept as soon as it is measured, so that a later part
            # that fails does not lose it; --parts reruns only what is missing.
            save_json(args.out, results)
    missing = set(parts) - set(results)
    if missing:
        raise SystemExit(
            f"no results yet for {sorted(missing)}: run those parts "
            f"(the others are in {args.out.with_suffix('.json')})"
        )
    write_results(args.out, results)


if __name__ == "__main__":
    main()
