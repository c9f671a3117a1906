"""XLA for the learned models' training, chosen by measured step times.

Shared by the scripts that train networks (``ecg.py``, ``uncertainty.py``,
``train_pretrained.py``): their ``--jit-compile {auto,on,off}`` option and,
for ``auto`` on a CPU, a measurement of two short epochs each way before the
budget starts. On a 2-core AVX2 EPYC XLA gave twice the steps of the
benchmark's U-Net; on an AVX-512/AMX Xeon its step was 3.4 times slower.
"""

import copy
import time
import warnings

JIT_CHOICES = ("auto", "on", "off")


def add_jit_option(parser):
    """``--jit-compile {auto,on,off}`` (default auto) of a script's parser."""
    parser.add_argument(
        "--jit-compile",
        choices=JIT_CHOICES,
        default="auto",
        help="XLA for the learned models' training steps (jit_compile): auto "
        "(default) measures two short epochs each way before each model's "
        "budget on a CPU and keeps the faster (on a GPU: Keras' choice, XLA); "
        "on; off (the runs before 2026-12-07). On a 2-core AVX2 EPYC XLA gave "
        "twice the steps, on an AVX-512/AMX Xeon its step was 3.4 times slower",
    )


def jit_setting(choice):
    """The ``jit_compile`` value of a ``--jit-compile`` choice."""
    return {"auto": "auto", "on": True, "off": False}[choice]


# Steps an epoch of the XLA measurement: two epochs of them are more than a
# short fit, which runs eagerly and ignores XLA.
XLA_PROBE_STEPS = 12


def choose_xla(model, X_train, batch_size, log):
    """``jit_compile`` for ``model``'s training, by its measured step times.

    On a GPU, Keras' own choice (``"auto"``: XLA). On a CPU, where Keras
    leaves XLA off and it can make a step twice as fast or three times as
    slow, two epochs of ``XLA_PROBE_STEPS`` steps each way, on the first
    training windows (clean, with the model's noise and augmentation): XLA
    if the second epoch was faster with it. The budget starts after this.
    """
    import tensorflow as tf
    from sklearn.base import clone

    if tf.config.list_physical_devices("GPU"):
        log("  XLA: left to Keras on a GPU (jit_compile='auto')")
        return {"jit_compile": "auto", "reason": "GPU: Keras' choice"}
    from skdenoise._tf import import_keras

    keras = import_keras()
    windows = X_train[: batch_size * XLA_PROBE_STEPS]

    class EpochTime(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.start)

    # The model's own callbacks stay out of the probes: a budget would start
    # its clock, and a noise curriculum refuses to be cloned (it drives the
    # noise of the model it was built for).
    template = copy.copy(model)
    template.callbacks = None
    seconds = {}
    for jit in (False, True):
        timer = EpochTime()
        probe = clone(template).set_params(
            epochs=2,
            callbacks=[timer],
            validation_split=0.0,
            gate=None,
            n_passes=1,
            uncertainty=None,
            jit_compile=jit,
            verbose=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it learns nothing in 24 steps
            probe.fit(windows)
        seconds[jit] = timer.times[-1] / XLA_PROBE_STEPS
    # The choice is made on the times as recorded (0.1 ms), so that the record
    # says why: XLA only if its step was measurably faster.
    ms = {jit: round(1000 * seconds[jit], 1) for jit in seconds}
    chosen = ms[True] < ms[False]
    log(
        f"  XLA: {'on' if chosen else 'off'} (a training step "
        f"{ms[True]:.1f} ms with it, {ms[False]:.1f} ms without, measured)"
    )
    return {
        "jit_compile": bool(chosen),
        "reason": "measured",
        "ms_per_step_xla": ms[True],
        "ms_per_step_plain": ms[False],
    }


def xla_text(context):
    """What ``--jit-compile auto`` chose for each learned model, in words."""
    words = {True: "on", False: "off", "auto": "Keras' choice"}
    chosen = context.get("xla", {})
    return ", ".join(f"{k} {words[v['jit_compile']]}" for k, v in chosen.items()) or (
        "no model trained"
    )
