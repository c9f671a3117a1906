"""Why the calibrated band is too wide at high input SNRs: a diagnosis.

On the calibration records (117, 122; 100 windows each, other-lead noise; no test
record), the ensemble saved by ``uncertainty.py --recipe ecg --save-models M``
(``../ecg_recipe/``) at input SNRs 6 to 30 dB: medians over the windows of the noise's
RMS, of what the denoiser removed (RMS of input minus output), of the output's error
and of the predicted std (its RMS per window), and the share of clean samples inside
the 95 % band.

    python diagnose.py --data-dir ../shared/data/physionet --model M/ensemble.skd

(run from the repository root with this file's path).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))

import _ecg_protocol as protocol  # noqa: E402

from skdenoise.persistence import load  # noqa: E402


def setting():
    """The saved model, the calibration windows, the other-lead noise source and
    its recordings, from the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    model = load(args.model)
    clean = np.concatenate(
        [
            protocol.select_test_windows(protocol.clean_windows(r, args.data_dir), 100)
            for r in ("117", "122")
        ]
    )
    source = protocol.VALIDATION_NOISE["other-lead"]
    recordings = protocol.noise_recordings(args.data_dir, source["channel"])
    return model, clean, source, recordings


def main():
    model, clean, source, recordings = setting()
    print(
        "| noise | input SNR (dB) | noise RMS | removed | error | std | coverage 95 % |"
    )
    print("|---|---|---|---|---|---|---|")
    for kind in ("bw", "em", "ma"):
        for snr in (6.0, 12.0, 18.0, 24.0, 30.0):
            noise = protocol.noise_model(kind, recordings, source["segment"], snr)
            noisy = noise.apply(clean, random_state=0)
            mean, std = model.predict(noisy, return_std=True)

            def rms(values):
                return np.median(np.sqrt(np.mean(values**2, axis=1)))

            cover = np.mean(np.abs(clean - mean) <= 1.959963984540054 * std)
            print(
                f"| {kind} | {snr:+.0f} | {rms(noisy - clean):.4f} | "
                f"{rms(noisy - mean):.4f} | {rms(clean - mean):.4f} | {rms(std):.4f} | "
                f"{100 * cover:.1f} % |"
            )


if __name__ == "__main__":
    main()
