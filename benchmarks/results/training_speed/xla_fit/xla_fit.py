"""The ECG benchmark's U-Net trained by ``fit`` with and without XLA.

``UNetDenoiser(jit_compile=True)`` against ``jit_compile=False`` on the same
clean ECG windows (the benchmark's training noise drawn on the fly, its
augmentation, the SNR loss, batch 64, no validation, no gate), for a few
epochs; prints one JSON line per run with the wall and CPU time of every epoch
(the first one pays the tracing and, with XLA, the compilation). Run from the
repository root:

    python benchmarks/results/training_speed/xla_fit/xla_fit.py MODE EPOCHS WINDOWS

with MODE ``xla`` or ``plain``, e.g. ``xla 4 2048``.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # benchmarks/

import _ecg_protocol as protocol  # noqa: E402
import numpy as np  # noqa: E402
from _ecg_models import SETTINGS  # noqa: E402

DATA = "../shared/data/physionet"
RECORDS = "100 101 103 106 112 113 115 116".split()


def main(mode, epochs, n_windows):
    import keras

    from skdenoise import UNetDenoiser
    from skdenoise.augment import from_names

    clean = protocol.training_windows(RECORDS, DATA, n_windows, seed=0)
    noise = protocol.training_noise(DATA, (-6.0, 30.0))
    times = []

    class EpochTimes(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            wall, cpu = self.start
            times.append(
                (time.perf_counter() - wall, time.process_time() - cpu, logs["loss"])
            )

    model = UNetDenoiser(
        **SETTINGS["UNetDenoiser"][1],
        noise=noise,
        augment=from_names(["flip", "time-flip", "warp"]),
        loss="snr",
        epochs=epochs,
        batch_size=64,
        validation_split=0.0,
        learning_rate=5e-4,
        clean_fraction=0.1,
        gate=None,
        jit_compile=mode == "xla",
        callbacks=[EpochTimes()],
        random_state=0,
    )
    start = time.perf_counter()
    model.fit(clean)
    total = time.perf_counter() - start
    steps = -(-len(clean) // 64)
    later = [t[0] for t in times[1:]]
    print(
        json.dumps(
            {
                "mode": mode,
                "total_s": round(total, 1),
                "steps_per_epoch": steps,
                "epoch_wall_s": [round(t[0], 2) for t in times],
                "epoch_cpu_s": [round(t[1], 2) for t in times],
                "loss": [round(float(t[2]), 3) for t in times],
                "ms_per_step_after_first": round(1000 * np.median(later) / steps, 1),
                "load1_5_15": [round(v, 2) for v in os.getloadavg()],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
