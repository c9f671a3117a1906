# ruff: noqa
import sys, time

sys.path.insert(0, "benchmarks")
import numpy as np
import ecg
import _ecg_protocol as protocol
from _ecg_training import TimeBudget
from skdenoise.neural import UNetDenoiser
import skdenoise.neural._batches as B
from skdenoise._tf import import_keras

keras = import_keras()
import tensorflow as tf

args = ecg.parse_args(
    [
        "--data-dir",
        "../shared/data/physionet",
        "--out",
        "/tmp/x",
        "--models",
        "unet",
    ]
)
X = protocol.training_windows(args.train_records[:6], args.data_dir)
noise = protocol.training_noise(args.data_dir, args.train_snr)
aug = ecg.training_augmentation(args)


def build(spe=1):
    est = UNetDenoiser(
        filters=8,
        depth=4,
        kernel_size=9,
        global_context=True,
        residual=True,
        precision="mixed_bfloat16",
        epochs=1,
        batch_size=64,
        loss="snr",
        verbose=0,
        random_state=0,
        n_passes=1,
        gate=None,
        average_flips=False,
    )
    est.fit(X[:128])
    km = est.model_
    km.compile(
        optimizer=keras.optimizers.Adam(5e-4), loss=km.loss, steps_per_execution=spe
    )
    return km


bt = B.TrainingBatches(
    None,
    X[:, :, None],
    noise=noise,
    augment=aug,
    batch_size=64,
    seed=0,
    network_input=B.NetworkInput(
        normalize=True, padding=lambda n: (0, 0), to_network=lambda a: a
    ),
    clean_fraction=0.1,
)
real_ds, setter = bt.as_dataset()
xb = np.random.default_rng(0).standard_normal((64, 512, 1)).astype("float32")
fixed = tf.data.Dataset.from_tensors((xb, xb * 0.5)).repeat()
N = 240


def run(label, ds, spe=1, cbs=()):
    km = build(spe)
    km.fit(
        ds.repeat() if ds is real_ds else ds, steps_per_epoch=48, epochs=1, verbose=0
    )
    c = time.process_time()
    w = time.perf_counter()
    km.fit(
        ds.repeat() if ds is real_ds else ds,
        steps_per_epoch=N,
        epochs=1,
        verbose=0,
        callbacks=list(cbs),
    )
    d = time.perf_counter() - w
    print(
        f"{label}: {1000 * d / N:.1f} ms/step, cpu/wall {(time.process_time() - c) / d:.2f}",
        flush=True,
    )


for rep in range(2):
    run("fixed", fixed)
    run("fixed+budget", fixed, cbs=[TimeBudget(1e9, "x", 5e-4, lambda s: None)])
    run("real", real_ds)
    run("real spe8", real_ds, spe=8)
    run("fixed spe8", fixed, spe=8)
