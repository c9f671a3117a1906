import sys
sys.path.insert(0, "/work/main/benchmarks")
from skdenoise.neural.networks import _convolutional as C

def _conv_block(layers, h, filters, kernel_size, dropout, name):
    for j in range(2):
        h = layers.Conv1D(filters, kernel_size, padding="same", use_bias=False,
                          name=f"{name}_conv{j}")(h)
        h = layers.BatchNormalization(name=f"{name}_bn{j}")(h)
        h = layers.Activation("relu", name=f"{name}_relu{j}")(h)
    if dropout:
        h = layers.Dropout(dropout, name=f"{name}_dropout")(h)
    return h

C._conv_block = _conv_block
import ecg
ecg.main(["--data-dir", "/work/shared/data/physionet", "--models", "identity", "bandpass",
          "wavelet", "hp-wavelet", "savgol", "wiener", "unet", "--budget-steps", "18300",
          "--save-models", "/tmp/bn/full/models", "--out", "/tmp/bn/full/out", "--seed", "0"])
