# ruff: noqa
import sys
import numpy as np

sys.path.insert(0, "/work/main/benchmarks")
import _ecg_protocol as protocol
from skdenoise.persistence import load
from skdenoise.neural._gate import estimated_snr
from skdenoise.neural._base import _capped_snr

m = load(sys.argv[1])
d = "/work/shared/data/physionet"
noisy, clean = protocol.validation_set(
    ["117", "122"], d, protocol.training_noise(d, (-6.0, 30.0))
)
X = noisy[:, :, None]
snr_in = _capped_snr(clean[:, :, None], X)[:, 0]
sel = (snr_in >= 21) & (snr_in <= 27)
e = estimated_snr(X[sel], m._network_outputs(X[sel]))[:, 0]
print(
    f"validation windows at 21-27 dB input: {sel.sum()}, share with first-pass estimated SNR < 22.5 dB: {np.mean(e < 22.5):.2f}, median {np.median(e):.1f} dB"
)
tc, rec, tn = protocol.build_test_set(["118", "119", "121"], d, n_windows=300)
for nz in ("bw", "em", "ma", "mix"):
    x = tn[nz, 24.0][:, :, None]
    e = estimated_snr(x, m._network_outputs(x))[:, 0]
    print(
        f"test {nz} at 24 dB: share < 22.5 dB {np.mean(e < 22.5):.2f}, median {np.median(e):.1f} dB"
    )
