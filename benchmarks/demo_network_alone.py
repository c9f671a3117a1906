"""The demo's U-Net alone, with the window's mean kept from the network or not.

Trains the network alone of ``skdenoise demo`` (a windowed U-Net on the demo's
clean synthetic ECG, noise drawn on the fly) twice, with ``normalize=True``
(each window standardised: its mean is taken out before the network and put
back after) and ``normalize="rms"`` (each window divided by its root mean
square only, so the network sees the offset), and measures both, beside the
band-pass, on the demo's test recordings: the demo's noise mixture at each
input SNR, and each of its four components alone at 0 dB.

Usage::

    python benchmarks/demo_network_alone.py --out benchmarks/results/demo_network_alone

Writes ``README.md`` and ``results.csv`` in ``--out``.
"""

import argparse
import csv
import datetime
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import load_average, preamble  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="benchmarks/demo_network_alone.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="the demo's quick sizes")
    return parser.parse_args(argv)


def components():
    from skdenoise.cli import _demo as demo
    from skdenoise.noise import BaselineWander, MuscleNoise, PowerlineNoise, WhiteNoise

    fs = demo.SAMPLING_RATE
    return {
        "baseline wander": BaselineWander(sampling_rate=fs, snr=0.0),
        "muscle": MuscleNoise(sampling_rate=fs, snr=0.0),
        "powerline 50 Hz": PowerlineNoise(sampling_rate=fs, frequency=50.0, snr=0.0),
        "white": WhiteNoise(snr=0.0),
    }


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "benchmarks/demo_network_alone.py", *argv])

    from skdenoise.baselines import BandpassDenoiser
    from skdenoise.cli import _demo as demo
    from skdenoise.metrics import snr_improvement

    settings = demo._SETTINGS["quick" if args.quick else "full"]
    train, noisy_train, test, noisy_test = demo._make_data(settings, args.seed)
    conditions = {f"mixture {level:+g} dB": x for level, x in noisy_test.items()}
    rng = np.random.default_rng([args.seed, 5])
    for name, noise in components().items():
        conditions[f"{name} alone +0 dB"] = noise.apply(test, random_state=rng)

    models = {"band-pass": BandpassDenoiser(sampling_rate=demo.SAMPLING_RATE)}
    fit_s = {"band-pass": 0.0}
    models["band-pass"].fit(noisy_train, train)
    for normalize in (True, "rms"):
        label = f"U-Net alone, normalize={normalize!r}"
        network = demo._network_alone(settings, args.seed)
        network.set_params(estimator__normalize=normalize)
        print(f"training {label}", flush=True)
        start = time.perf_counter()
        models[label] = network.fit(train)
        fit_s[label] = time.perf_counter() - start

    rows = []
    for label, model in models.items():
        for condition, noisy in conditions.items():
            gains = snr_improvement(
                test, noisy, model.transform(noisy), per_series=True
            )
            rows.append(
                {
                    "model": label,
                    "condition": condition,
                    "snr_improvement_mean": float(np.mean(gains)),
                    "snr_improvement_std": float(np.std(gains)),
                    "fit_s": round(fit_s[label], 1),
                }
            )
            print(
                f"  {label:35s} {condition:28s} {np.mean(gains):+6.2f} dB", flush=True
            )
    with (out / "results.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    names = list(models)
    value = {(r["model"], r["condition"]): r for r in rows}
    lines = [
        *preamble(
            "# The demo's U-Net alone: the window's offset hidden from the network "
            "or not",
            command,
        ),
        f"Written {datetime.datetime.now().isoformat(timespec='seconds')}; "
        f"TF_NUM_INTRAOP_THREADS={os.environ.get('TF_NUM_INTRAOP_THREADS', 'unset')}, "
        f"load average {load_average()[0]:.1f} at the end. The demo's data "
        f"(seed {args.seed}) and its network alone (`skdenoise.cli._demo`), "
        "trained on the clean recordings with the demo's noise mixture drawn "
        "afresh; only `normalize` differs. Fit times: "
        + ", ".join(f"{n} {fit_s[n]:.0f} s" for n in names[1:])
        + ".",
        "",
        "## Mean SNR improvement (dB) ± std over the test recordings",
        "",
        "| condition | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for condition in conditions:
        cells = [
            f"{value[n, condition]['snr_improvement_mean']:+.2f} ± "
            f"{value[n, condition]['snr_improvement_std']:.2f}"
            for n in names
        ]
        lines.append(f"| {condition} | " + " | ".join(cells) + " |")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}", flush=True)


if __name__ == "__main__":
    main()
