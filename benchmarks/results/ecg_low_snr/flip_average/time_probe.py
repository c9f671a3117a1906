# ruff: noqa
"""Validation records 117/122 only (diagnosis, no choice): a saved network's SNR
improvement at 0 and 24 dB per noise type with noise of the training channel (0)
from the samples training never drew from, [325000, 650000). (Channel 1 of the
training samples is the other lead of the same moments, correlated with the
training noise: bw -0.70, em -0.43, ma +0.09.) These samples are the test noise's
moments on the other lead, so this diagnoses and chooses nothing.

python benchmarks/results/ecg_low_snr/flip_average/time_probe.py MODEL DATA_DIR
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
import _ecg_protocol as P
from skdenoise.persistence import load

model = load(sys.argv[1])
d = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/physionet"
clean = np.concatenate(
    [P.select_test_windows(P.clean_windows(r, d), 300) for r in ("117", "122")]
)
rec = P.noise_recordings(d, 0)

for snr_db in (0.0, 24.0):
    vals = P.gains_per_noise_type(model, clean, rec, (325000, 650000), snr_db)
    print(f"{snr_db:+.0f} dB (bw/em/ma/mix): " + " / ".join(f"{v:+.2f}" for v in vals))
