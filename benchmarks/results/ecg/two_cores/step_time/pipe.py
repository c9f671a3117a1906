# ruff: noqa
import sys, time, cProfile, pstats

sys.path.insert(0, "benchmarks")
import numpy as np
import ecg
import _ecg_protocol as protocol
import skdenoise.neural._batches as B

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
X = protocol.training_windows(args.train_records[:4], args.data_dir)
noise = protocol.training_noise(args.data_dir, args.train_snr)
aug = ecg.training_augmentation(args)
print(aug)
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
bt._batch(0, 0, bt._order)
pr = cProfile.Profile()
pr.enable()
for i in range(200):
    bt._batch(i % len(bt), 0, bt._order)
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(25)
