# ruff: noqa
"""Validation records 117/122 only: test-time averaging over time shifts of the
input (reflect- or zero-padded so the pooling grid moves), against the flips
alone. Cross-fitted gate: fitted on one record's windows, scored on the other's."""

import sys, time
import numpy as np
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
import _ecg_protocol as protocol
from skdenoise.persistence import load
from skdenoise.neural._gate import fit_gate, apply_gate

d = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/physionet"
model = load(sys.argv[1])
mult = model._length_multiple()
noise = protocol.training_noise(d, (-6.0, 30.0))
sets = {}
for r in ("117", "122"):
    noisy, clean = protocol.validation_set([r], d, noise)
    sets[r] = (noisy[:, :, None], clean[:, :, None])


def snr(clean, est):
    return 10 * np.log10(
        np.sum(clean**2, axis=(1, 2))
        / np.maximum(np.sum((clean - est) ** 2, axis=(1, 2)), 1e-20)
    )


def outputs(X, shifts, mode):
    acc = 0
    for s in shifts:
        if s == 0:
            acc = acc + model._network_outputs(X)
            continue
        pad = ((0, 0), (s, mult - s), (0, 0))
        Xp = np.pad(X, pad, mode=mode) if mode == "reflect" else np.pad(X, pad)
        acc = acc + model._network_outputs(Xp)[:, s : s + X.shape[1]]
    return acc / len(shifts)


step = mult // 4
variants = {
    "flips only": ((0,), None),
    f"shifts 0..{mult - step} step {step} reflect": (
        tuple(range(0, mult, step)),
        "reflect",
    ),
    f"shifts 0..{mult - step} step {step} zero": (tuple(range(0, mult, step)), "zero"),
    "shifts 0, mult/2 reflect": ((0, mult // 2), "reflect"),
}
print(f"multiple {mult}", flush=True)
for name, (shifts, mode) in variants.items():
    t = time.time()
    outs = {r: outputs(sets[r][0], shifts, mode) for r in sets}
    raw, gated, clean3 = [], [], []
    for r, other in (("117", "122"), ("122", "117")):
        X, T = sets[r]
        Xo, To = sets[other]
        g = fit_gate(Xo, outs[other], To)
        out = apply_gate(X, outs[r], *g)
        sin = snr(T, X)
        raw.append(snr(T, outs[r]) - sin)
        gated.append(snr(T, out) - sin)
        top = sin >= np.quantile(sin, 2 / 3)
        clean3.append((snr(T, out) - sin)[top])
    raw, gated, clean3 = map(np.concatenate, (raw, gated, clean3))
    print(
        f"{name}: raw {raw.mean():+.3f} gated(cross-fitted) {gated.mean():+.3f} cleanest third {clean3.mean():+.3f} ({time.time() - t:.0f} s)",
        flush=True,
    )
