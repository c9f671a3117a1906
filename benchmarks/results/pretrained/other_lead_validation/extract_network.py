"""The fitted network inside a pretrained ECG file, in float32, saved alone.

For ``ecg_low_snr_validation.py``, which scores networks on the benchmark's
512-sample windows::

    python benchmarks/results/pretrained/other_lead_validation/extract_network.py \
        skdenoise/pretrained/ecg_unet.skdenoise /tmp/judge/shipped.skdenoise
"""

import sys
import warnings

from skdenoise.persistence import load, save

src, dst = sys.argv[1], sys.argv[2]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model = load(src)
net = model.estimator_.estimator_
print(src, "precision", net.precision, "n_passes_", getattr(net, "n_passes_", None))
net._compute_in("float32")
net.set_params(precision="float32")
save(net, dst)
again = load(dst)
print(dst, "precision", again.precision, type(again).__name__)
