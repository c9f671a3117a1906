"""The layers' precision of the benchmarks' learned models: ``auto`` by machine.

Mixed bfloat16 pays only where bfloat16 runs in hardware. Measured in
``results/ecg/two_cores/step_time/`` (the ECG benchmark's U-Net, batch 64,
milliseconds per training step, bfloat16 against float32; see its README):
with ``pure.py --no-jit``, 34 against 60 on the machine of the committed ECG
runs and 205 against 127 on a Xeon whose flags list ``avx512_bf16`` but no
AMX; with ``train_on_batch.py``, 1,620 against 175 on an AMD EPYC with AVX2
only, and 52-62 against 81-87 on an AMD EPYC whose flags list ``avx512_bf16``
(no AMX), where one-minute profiles of the ECG benchmark's fit made 1.58 times
float32's steps, and a bfloat16 network of that many steps (13,500) scored no
better than float32's of 8,569 (``results/ecg_low_snr/bfloat16_steps/``). So
``auto`` takes mixed bfloat16 on a GPU of compute capability 8.0 or more and
on CPUs whose flags list ``amx_bf16``, float32 everywhere else.
"""

import platform
from pathlib import Path

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
CHOICES = ("auto", *PRECISIONS)


def cpu_flags(cpuinfo=Path("/proc/cpuinfo")):
    """The CPU's feature flags from ``cpuinfo`` (Linux); empty where unreadable."""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def _bfloat16_gpu():
    """Compute capability ``"major.minor"`` of the first GPU with bfloat16, or None."""
    import tensorflow as tf

    for device in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(device)
        except (RuntimeError, ValueError):
            continue
        capability = details.get("compute_capability")
        if capability and tuple(capability) >= (8, 0):
            return f"{capability[0]}.{capability[1]}"
    return None


def resolve_precision(precision, flags=None, gpu=None):
    """``(precision, reason)``: ``precision`` itself, or what ``"auto"`` picks here.

    ``flags`` (the CPU's, by default read from ``/proc/cpuinfo``) and ``gpu``
    (a GPU's compute capability, by default found by TensorFlow; ``""``: no
    such GPU) are for tests.
    """
    if precision != "auto":
        if precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {', '.join(CHOICES)}; got {precision!r}"
            )
        return precision, "as asked"
    if gpu is None:
        gpu = _bfloat16_gpu()
    if gpu:
        return "mixed_bfloat16", f"auto: a GPU of compute capability {gpu}"
    if flags is None:
        flags = cpu_flags()
    if "amx_bf16" in flags:
        return "mixed_bfloat16", "auto: the CPU has bfloat16 matrix units (amx_bf16)"
    return "float32", (
        "auto: no bfloat16 matrix units on this "
        f"{platform.machine() or 'machine'} CPU (no amx_bf16 flag) and no GPU "
        "with bfloat16; without them mixed bfloat16 trained 1.6 to 9 times slower "
        "than float32 on two CPUs, and on a third (avx512_bf16) 1.58 times faster "
        "to a network no better at those steps"
    )
