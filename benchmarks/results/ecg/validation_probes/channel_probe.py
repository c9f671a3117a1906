# ruff: noqa
"""Validation records 117/122 only (diagnosis, no choice): the saved network's SNR
improvement at 0 and 24 dB per noise type with noise from the training channel
(0, samples [0, 325000)) and from the other channel (1, samples [0, 325000), the
test noise's channel but none of its samples)."""

import sys
import numpy as np
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
import _ecg_protocol as P
from skdenoise.persistence import load

d = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/physionet"
model = load(sys.argv[1])
# Optional third argument: other records, comma-separated (default 117,122).
RECORDS = sys.argv[3].split(",") if len(sys.argv) > 3 else ["117", "122"]
clean = np.concatenate(
    [P.select_test_windows(P.clean_windows(r, d), 300) for r in RECORDS]
)


for snr_db in (0.0, 24.0):
    line = []
    for ch in (0, 1):
        rec = P.noise_recordings(d, ch)
        vals = P.gains_per_noise_type(model, clean, rec, (0, 325000), snr_db)
        line.append(f"channel {ch}: " + " / ".join(f"{v:+.2f}" for v in vals))
    print(f"{snr_db:+.0f} dB (bw/em/ma/mix) " + "; ".join(line), flush=True)
