"""Can a window tell 18 from 24 dB, or 24 dB from clean? A diagnosis.

On the calibration records (117, 122; 100 windows each, other-lead noise; no test
record), for the same clean windows with each noise at 18, 24 and 30 dB and with
none, per-window estimates of the input's noise level that a calibration could key
on:

- ``network``: RMS of what the saved ensemble's network removes before the gate
  (the flip-averaged mean of its members), the denoiser's own estimate;
- ``below 0.7 Hz``: RMS of the input low-passed at 0.7 Hz (second-order
  Butterworth, forward and backward), where baseline wander lies;
- ``above 35 Hz``: RMS of the input high-passed at 35 Hz, where muscle noise
  lies and the ECG has least;
- ``steps (MAD)``: the median absolute deviation of the sample-to-sample steps
  times 1.4826, a robust noise estimate that QRS complexes hardly move.

Printed: the median and the 10th-90th percentiles of each over the windows, and
the area under the ROC curve for telling 18 from 24 dB and 24 dB from the clean
window by that estimate alone (0.5: no better than chance).

    python identifiability.py --data-dir ../shared/data/physionet --model M/ensemble.skd

(run from the repository root with this file's path; ``M`` as in ``diagnose.py``).
"""

import sys
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.stats import mannwhitneyu

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))

import _ecg_protocol as protocol  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diagnose import setting  # noqa: E402

FS = 360.0
LEVELS = (18.0, 24.0, 30.0, None)


def rms(values):
    return np.sqrt(np.mean(values**2, axis=1))


def estimates(model, noisy):
    low = signal.butter(2, 0.7, "low", fs=FS, output="sos")
    high = signal.butter(2, 35.0, "high", fs=FS, output="sos")
    steps = np.diff(noisy, axis=1)
    centred = steps - np.median(steps, axis=1, keepdims=True)
    raw = model._network_outputs(noisy[..., None].astype(np.float64))[..., 0]
    return {
        "network": rms(noisy - raw),
        "below 0.7 Hz": rms(signal.sosfiltfilt(low, noisy, axis=1)),
        "above 35 Hz": rms(signal.sosfiltfilt(high, noisy, axis=1)),
        "steps (MAD)": 1.4826 * np.median(np.abs(centred), axis=1),
    }


def auc(lower, higher):
    """P(an estimate at the higher noise level exceeds one at the lower)."""
    statistic = mannwhitneyu(higher, lower, alternative="two-sided").statistic
    return statistic / (len(lower) * len(higher))


def main():
    model, clean, source, recordings = setting()
    rows, areas = [], []
    for kind in ("bw", "em", "ma"):
        found = {}
        for snr in LEVELS:
            if snr is None:
                noisy = clean.copy()
            else:
                noise = protocol.noise_model(kind, recordings, source["segment"], snr)
                noisy = noise.apply(clean, random_state=0)
            found[snr] = estimates(model, noisy)
            level = "clean" if snr is None else f"{snr:+.0f} dB"
            noise_rms = np.median(rms(noisy - clean))
            cells = [
                f"{np.median(v):.4f} ({np.percentile(v, 10):.4f}-"
                f"{np.percentile(v, 90):.4f})"
                for v in found[snr].values()
            ]
            rows.append(f"| {kind} | {level} | {noise_rms:.4f} | " + " | ".join(cells))
        for name in found[None]:
            areas.append(
                f"| {kind} | {name} | {auc(found[24.0][name], found[18.0][name]):.2f} "
                f"| {auc(found[None][name], found[24.0][name]):.2f} |"
            )
    names = list(found[None])
    print("| noise | input | noise RMS | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    print("\n".join(row + " |" for row in rows))
    print()
    print("| noise | estimate | AUC 18 dB against 24 dB | AUC 24 dB against clean |")
    print("|---|---|---|---|")
    print("\n".join(areas))


if __name__ == "__main__":
    main()
