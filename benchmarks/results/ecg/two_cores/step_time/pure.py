# ruff: noqa
import sys, time, os
import numpy as np
from skdenoise.neural import UNetDenoiser
from skdenoise._tf import import_keras

keras = import_keras()
import tensorflow as tf


def build(precision, jit):
    est = UNetDenoiser(
        filters=8,
        depth=4,
        kernel_size=9,
        global_context=True,
        residual=True,
        precision=precision,
        epochs=1,
        batch_size=64,
        loss="snr",
        verbose=0,
        random_state=0,
        n_passes=1,
        gate=None,
        average_flips=False,
    )
    X = np.random.default_rng(0).standard_normal((128, 512))
    est.fit(X)
    km = est.model_
    km.compile(optimizer=keras.optimizers.Adam(5e-4), loss=km.loss, jit_compile=jit)
    return km


xb = np.random.default_rng(0).standard_normal((64, 512, 1)).astype("float32")
ds = tf.data.Dataset.from_tensors((xb, xb * 0.5)).repeat()
# --no-jit: the two rows without XLA only (its steps take minutes on a slow CPU).
jits = (False,) if "--no-jit" in sys.argv[1:] else (False, True)
for prec in ("mixed_bfloat16", "float32"):
    for jit in jits:
        km = build(prec, jit)
        km.fit(ds, steps_per_epoch=30, epochs=1, verbose=0)
        c = time.process_time()
        w = time.perf_counter()
        km.fit(ds, steps_per_epoch=200, epochs=1, verbose=0)
        d = time.perf_counter() - w
        print(
            f"{prec} jit={jit}: {1000 * d / 200:.1f} ms/step, cpu/wall {(time.process_time() - c) / d:.2f}",
            flush=True,
        )
        keras.mixed_precision.set_global_policy("float32")
