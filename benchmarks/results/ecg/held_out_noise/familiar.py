# ruff: noqa
"""Validation records 117/122 only: the cross-fitted gain of each extra pass of a
network trained with --held-out-noise 275000, with validation noise the network
trained on ([0, 275000)) and noise it never saw ([275000, 325000))."""

import sys
import numpy as np

sys.path.insert(0, "/work/main/benchmarks")
import _ecg_protocol as protocol
from skdenoise.persistence import load
from skdenoise.neural._base import _cleanest_series, _pass_gains, _capped_snr
from skdenoise.neural._gate import fit_gate, apply_gate

d = "/work/shared/data/physionet"
model = load(sys.argv[1])
for name, segment in (
    ("familiar [0, 275000)", (0, 275000)),
    ("unseen [275000, 325000)", (275000, 325000)),
):
    noisy, clean = protocol.validation_set(
        ["117", "122"], d, protocol.training_noise(d, (-6.0, 30.0), segment=segment)
    )
    X, T = noisy[:, :, None], clean[:, :, None]
    m = load(sys.argv[1]).set_params(n_passes="auto")
    m._calibrate_passes((X, T))
    cleanest = _cleanest_series(X, T)
    cur = apply_gate(X, m._network_outputs(X), *fit_gate(X, m._network_outputs(X), T))
    gains = []
    for k in range(2, 5):
        out = m._network_outputs(cur)
        g, cg = _pass_gains(cur, out, T, cleanest, True)
        gains.append(f"pass {k}: {g:+.3f} (cleanest third {cg:+.3f})")
        cur = apply_gate(cur, out, *fit_gate(cur, out, T))
    print(
        f"{name}: auto keeps {m.n_passes_}; cross-fitted gains " + "; ".join(gains),
        flush=True,
    )
