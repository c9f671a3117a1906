# ruff: noqa
"""Validation records only: where (in frequency) the residual error of the saved
network lies at 0 dB per noise type, as a share of the residual energy."""

import sys
import numpy as np
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
import _ecg_protocol as P
from skdenoise.persistence import load

d = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/physionet"
model = load(sys.argv[1])
clean = np.concatenate(
    [P.select_test_windows(P.clean_windows(r, d), 300) for r in ("117", "122")]
)
rec = P.noise_recordings(d, 0)
f = np.fft.rfftfreq(512, 1 / 360)
bands = [(0, 0.7), (0.7, 2), (2, 5), (5, 10), (10, 20), (20, 40), (40, 180)]
for kind in P.NOISE_TYPES:
    noisy = np.asarray(
        P.noise_model(kind, rec, (0, 325000), 0.0).apply(clean, random_state=1),
        dtype=np.float64,
    )
    out = model.transform(noisy)
    for name, e in (
        ("noise", noisy - clean),
        ("residual", out - clean),
        ("clean", clean),
    ):
        p = np.abs(np.fft.rfft(e, axis=1)) ** 2
        tot = p.sum()
        print(
            f"{kind} {name:8s} "
            + " ".join(
                f"{lo}-{hi}Hz:{100 * p[:, (f >= lo) & (f < hi)].sum() / tot:5.1f}%"
                for lo, hi in bands
            )
            + f"  energy {tot / (np.abs(np.fft.rfft(clean, axis=1)) ** 2).sum():.3f}"
        )
