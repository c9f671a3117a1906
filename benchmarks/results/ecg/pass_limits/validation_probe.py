# ruff: noqa
"""Validation-only check of n_passes='auto' with limits against passes on every
window: each chain scored cross-fitted (each pass's gate fitted on one
validation record, applied to the other)."""

import sys, time
import numpy as np

sys.path.insert(0, "/work/main/benchmarks")
import _ecg_protocol as protocol
from skdenoise.persistence import load
from skdenoise.neural._gate import estimated_snr, apply_gate
from skdenoise.neural._base import _capped_snr, _fit_selected_gate, _selected_pass

model = load(sys.argv[1])
data = "/work/shared/data/physionet"
noisy, clean = protocol.validation_set(
    ["117", "122"], data, protocol.training_noise(data, (-6.0, 30.0))
)
X = noisy[:, :, None]
T = clean[:, :, None]
n = len(X)
h = n // 2
t0 = time.time()
import skdenoise.neural._base as B

B._PASS_CLEAN_TOLERANCE_DB = float(sys.argv[2])
model.set_params(n_passes="auto")
model._calibrate_passes((X, T))
print(
    f"chosen: {model.n_passes_} passes, limits {list(model.pass_limits_)} ({time.time() - t0:.0f}s)"
)
first = model._network_outputs(X)
level = estimated_snr(X, first)
base = _capped_snr(T, X)[:, 0]
clean3 = base >= np.quantile(base, 2 / 3)
hi = base >= 18
lo = base < 6
A = np.zeros((n, 1), bool)
A[:h] = True


def crossfit_chain(limits):
    cur = np.empty_like(X)
    for fo, ap in ((A, ~A), (~A, A)):
        g = _fit_selected_gate(X, first, T, fo)
        cur = np.where(ap[:, :, None], apply_gate(X, first, *g), cur)
    res = [cur]
    for b in limits:
        o = model._network_outputs(cur)
        sel = level < b
        nxt = cur.copy()
        for fo, ap in ((A & sel, ~A & sel), (~A & sel, A & sel)):
            g = _fit_selected_gate(cur, o, T, fo)
            nxt = np.where(ap[:, :, None], apply_gate(cur, o, *g), nxt)
        cur = nxt
        res.append(cur)
    return res


def show(name, Y):
    g = _capped_snr(T, Y)[:, 0] - base
    print(
        f"{name:34s} mean {g.mean():+.3f} clean3 {g[clean3].mean():+.3f} >=18 {g[hi].mean():+.3f} <6 {g[lo].mean():+.3f} | 117 {g[:h].mean():+.3f} 122 {g[h:].mean():+.3f}",
        flush=True,
    )


for k, Y in enumerate(crossfit_chain([np.inf] * 3)):
    show(f"{k + 1} passes, every window", Y)
for k, Y in enumerate(crossfit_chain(list(model.pass_limits_))):
    show(f"{k + 1} passes, with limits", Y)
print(f"{time.time() - t0:.0f}s")
