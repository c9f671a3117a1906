"""Export a fitted neural denoiser to ONNX or LiteRT (TensorFlow Lite).

Importing this module does not import TensorFlow; :func:`export` does.
"""

import contextlib
import importlib.util
import json
import numbers
import os
import re
import shutil
import tempfile
import warnings

from sklearn.utils.validation import check_is_fitted

from ._files import replace_files

__all__ = ["export", "EXPORT_FORMATS"]

#: Formats :func:`export` writes, with the file name suffix each expects.
EXPORT_FORMATS = {"onnx": ".onnx", "litert": ".tflite"}

# Modules each format needs besides TensorFlow, with their pip names.
_NEEDS = {"onnx": {"tf2onnx": "tf2onnx", "onnx": "onnx"}, "litert": {}}


def _network_estimator(estimator):
    """``(neural denoiser to export, windowing settings or None)``."""
    from .neural import BaseNeuralDenoiser
    from .windowing import ResampledDenoiser, WindowedDenoiser

    name = type(estimator).__name__
    if isinstance(estimator, ResampledDenoiser):
        # The pretrained models are ResampledDenoisers around a WindowedDenoiser.
        check_is_fitted(estimator, "estimator_")
        raise TypeError(
            f"export cannot write {name}: it resamples the series to "
            f"{float(estimator.estimator_sampling_rate_):g} Hz and back around its "
            "estimator_, which the exported file would not do. Export its "
            "estimator_ and resample your series to that rate around it."
        )
    if isinstance(estimator, BaseNeuralDenoiser):
        check_is_fitted(estimator, "model_")
        return estimator, None
    if isinstance(estimator, WindowedDenoiser):
        check_is_fitted(estimator, "estimator_")
        inner, _ = _network_estimator(estimator.estimator_)
        # The windows of fit (window_length_, stride_, center_windows_), as
        # transform cuts them. A denoiser without them (its estimator_ set by
        # hand) has its parameters checked: the JSON file must describe
        # windows the exported network takes.
        estimator._validate_params()
        if not hasattr(estimator, "window_length_"):
            estimator._check_geometry()
        window_length = int(estimator._window_length())
        if window_length != int(inner.n_features_in_):
            raise ValueError(
                f"export cannot write {name}: its window_length is "
                f"{window_length}, but its estimator_ was fitted on windows "
                f"of {inner.n_features_in_} samples. Set window_length back to "
                f"{inner.n_features_in_}, or fit again."
            )
        windowing = {
            "window_length": window_length,
            "stride": int(estimator._stride()),
            "taper": estimator.taper,
            "center_windows": bool(estimator._centers_windows()),
            # The rate the network was trained at, where the denoiser knows it
            # (a model of `skdenoise train`, a ResampledDenoiser's estimator_).
            "sampling_rate": _known_rate(estimator),
        }
        return inner, windowing
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        raise TypeError(
            "export writes one network (alone or in a WindowedDenoiser), not a "
            "Pipeline: export its last step (pipeline[-1]) and apply the steps "
            "before it (and their inverse after it, for a scaler) around the "
            "exported network."
        )
    raise TypeError(
        "export writes the fitted neural denoisers of skdenoise (UNetDenoiser, "
        f"LSTMDenoiser, ..., KerasDenoiser), alone or in a WindowedDenoiser; got "
        f"{name}, which has no network to export."
    )


def _known_rate(estimator):
    """The sampling rate in Hz that ``estimator`` was fitted at, or None."""
    rate = getattr(estimator, "_sampling_rate_", None)
    return None if rate is None else float(rate)


def _check_format(format, path):
    if not isinstance(format, str) or format not in EXPORT_FORMATS:
        raise ValueError(
            f"format must be one of {sorted(EXPORT_FORMATS)}; got {format!r}."
        )
    suffix = EXPORT_FORMATS[format]
    if not str(path).endswith(suffix):
        raise ValueError(
            f"The {format} export is written to a file ending in {suffix!r}; "
            f"got {str(path)!r}."
        )
    if os.path.isdir(path):
        raise ValueError(
            f"The {format} export is written to a file, and {str(path)!r} is a "
            "folder; give a file name inside it."
        )
    missing = [
        pip
        for module, pip in _NEEDS[format].items()
        if importlib.util.find_spec(module) is None
    ]
    if missing:
        raise ImportError(
            f"The {format} export needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed; install "
            f"{'it' if len(missing) == 1 else 'them'} with "
            'pip install "skdenoise[export]".'
        )


def _band_filters(estimator):
    """``_to_network`` as circular convolutions: ``(kernel, before, after)``.

    A stationary wavelet transform (the sub-bands of
    :class:`~skdenoise.WaveletUNetDenoiser`) is linear and commutes with circular
    shifts, so its response to a unit impulse gives it whole; the result is
    checked on random series, and anything else is refused.
    """
    import numpy as np

    name = type(estimator).__name__
    refusal = (
        f"{name} computes part of its network input in NumPy in a way the "
        "exported graph cannot reproduce; it cannot be exported."
    )
    length = estimator.n_features_in_ + sum(
        estimator._padding(estimator.n_features_in_)
    )
    impulse = np.zeros((1, length, 1))
    impulse[0, 0, 0] = 1.0
    response = np.asarray(estimator._to_network(impulse), dtype=np.float64)
    if response.shape[:2] != (1, length) or response.shape[2] < 2:
        raise TypeError(refusal)
    filters = response[0, :, 1:]
    support = np.nonzero(np.any(filters != 0, axis=1))[0]
    offsets = np.where(support > length // 2, support - length, support)
    before, after = int(-min(offsets.min(), 0)), int(max(offsets.max(), 0))
    kernel = np.stack(
        [filters[(after - j) % length] for j in range(before + after + 1)]
    )
    # Check on random series: same channels first, then every band's channels.
    n_channels = estimator.n_channels_in_
    series = np.random.default_rng(0).normal(size=(2, length, n_channels))
    wrapped = np.concatenate(
        [series[:, length - after :], series, series[:, :before]], axis=1
    )
    bands = sum(
        kernel[j][None, None, :, None] * wrapped[:, j : j + length, None, :]
        for j in range(len(kernel))
    )
    expected = np.concatenate([series, bands.reshape(2, length, -1)], axis=-1)
    got = np.asarray(estimator._to_network(series), dtype=np.float64)
    if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-9):
        raise TypeError(refusal)
    return kernel, before, after


# Parameters fixed when a network is built that change no layer with weights,
# nor what the layers compute at inference.
_TRAINING_ONLY = {"precision", "loss", "optimizer", "weight_decay", "dropout"}


def transform_graph(estimator):
    """The fitted neural ``estimator``'s ``transform`` as a Keras model (float32)."""
    import numpy as np

    # Parameters changed since fit (depth, normalize, ...) would make the
    # graph prepare inputs the fitted network never saw: the same clear error
    # as transform.
    estimator._check_fitted_shape(
        np.zeros((1, estimator.n_features_in_, estimator.n_channels_in_))
    )
    band_filters = None
    if type(estimator)._to_network is not _base_to_network():
        band_filters = _band_filters(estimator)
    from .neural._exported import TransformGraph

    gate = None
    if getattr(estimator, "gate_snr_", None) is not None:
        gate = (estimator.gate_snr_, estimator.gate_scale_)
    members = getattr(estimator, "ensemble_members_", None) or []
    networks = [estimator.model_, *members]
    if (estimator._built_precision() or "float32") != "float32":
        # Rebuilt in float32 from the parameters: those it was built with
        # (the training's own, and the precision, make no other layers).
        changed = [
            change
            for change in estimator._changed_built_params()
            if change.split("=")[0].split(" ")[0] not in _TRAINING_ONLY
        ]
        if changed:
            raise ValueError(
                f"export rebuilds the mixed-precision network of "
                f"{type(estimator).__name__} in float32 from its parameters, but "
                f"these, fixed when it was built, changed since: "
                f"{'; '.join(changed)}. Set them back before exporting (transform "
                "still runs the network as fitted)."
            )
        networks = [_float32_network(estimator, network) for network in networks]
    graph = TransformGraph(
        networks,
        n_timesteps=estimator.n_features_in_,
        n_channels=estimator.n_channels_in_,
        normalize=estimator.normalize,
        padding=estimator._padding(estimator.n_features_in_),
        average_flips=estimator.average_flips,
        gate=gate,
        pass_gates=getattr(estimator, "pass_gates_", None) or (),
        target_scale=estimator.target_scale_,
        target_offset=estimator.target_offset_,
        band_filters=band_filters,
        level_reference=(
            estimator.level_reference_ if estimator._level_input() else None
        ),
    )
    # Call it once so that Keras knows its input.
    shape = (1, estimator.n_features_in_, estimator.n_channels_in_)
    graph(np.zeros(shape, dtype=np.float32))
    return graph


_FIXED_BATCH = (
    "The LiteRT converter cannot turn the recurrent layers of {} into builtin "
    "operators for a batch of any size; export with a fixed batch size, for "
    "example batch_size=1."
)


def _recurrent(layer):
    """Whether ``layer`` is or contains a recurrent layer."""
    from ._tf import import_keras

    keras = import_keras()
    if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)):
        return True
    return any(_recurrent(inner) for inner in getattr(layer, "layers", ()))


def _float32_network(estimator, network):
    """``network`` rebuilt in float32 with its weights (kept in float32 anyway).

    The converters cannot write 16-bit computations that all runtimes run
    (bfloat16 is not valid ONNX; LiteRT rejects both).
    """
    from ._tf import seeded
    from .neural._base import _dtype_policy

    left, right = estimator._padding(estimator.n_features_in_)
    # Seeded only so that building leaves Python's random state as it was.
    with seeded(0), _dtype_policy("float32"):
        copy = estimator._build_network(
            estimator.n_features_in_ + left + right, estimator.n_channels_in_
        )
    copy.set_weights(network.get_weights())
    return copy


def _base_to_network():
    from .neural import BaseNeuralDenoiser

    return BaseNeuralDenoiser._to_network


def export(estimator, path, format="onnx", *, batch_size=None, verbose=0):
    """Write a fitted neural denoiser as an ONNX or a LiteRT model file.

    The file holds the whole of ``transform`` for series of the fitted length:
    the per-series normalisation, the padding to the network's length multiple,
    the network, the cropping, the flip average (``average_flips``), the
    no-harm ``gate`` and the map to ``y``'s units. Its input is a float32
    array of shape ``(batch, n_features_in_, n_channels_in_)`` with any batch
    size; its output has the same shape and equals ``transform``'s up to
    float32 rounding. It runs without Python's skdenoise, Keras or TensorFlow,
    in ONNX Runtime or in the LiteRT interpreter.

    A fitted :class:`~skdenoise.pipeline.WindowedDenoiser` is written as its
    inner denoiser, whose file denoises windows of ``window_length`` samples,
    and a JSON file next to it (``path + ".json"``) with the windowing to apply
    around it: ``window_length``, ``stride``, ``taper`` and ``center_windows``
    (see the user guide's page on exporting for the recipe), and the
    ``sampling_rate`` in Hz of the series it was trained on where the denoiser
    knows it (a model saved by ``skdenoise train`` on WFDB records or with
    ``--sampling-rate``, the ``estimator_`` of a fitted
    :class:`~skdenoise.pipeline.ResampledDenoiser` such as the pretrained
    models'), else null.

    The file is written by Keras' own ``Model.export``.

    Parameters
    ----------
    estimator : fitted neural denoiser or WindowedDenoiser
        One of skdenoise's neural denoisers (or a :class:`~skdenoise.KerasDenoiser`),
        fitted, alone or inside a fitted
        :class:`~skdenoise.pipeline.WindowedDenoiser`.
    path : str or path-like
        The file to write; it must end in ``.onnx`` for ONNX and in ``.tflite``
        for LiteRT.
    format : {"onnx", "litert"}, default="onnx"
        ``"onnx"`` needs the ``tf2onnx`` and ``onnx`` packages (the ``export``
        extra); ``"litert"`` needs only TensorFlow.
    batch_size : int or None, default=None
        Series per call of the exported model; None accepts any number. The
        LiteRT converter needs a fixed batch size for the recurrent networks
        (:class:`~skdenoise.LSTMDenoiser`, :class:`~skdenoise.GRUDenoiser`,
        :class:`~skdenoise.CNNLSTMDenoiser`, :class:`~skdenoise.DRNNDenoiser`).
    verbose : int, default=0
        0 prints nothing; otherwise the exporter's messages are shown.

    Returns
    -------
    path : str
        The file written.

    Raises
    ------
    TypeError
        For an estimator without a network of its own (the classical ones), a
        :class:`~skdenoise.pipeline.ResampledDenoiser` (such as the pretrained
        models: export its ``estimator_``), or one whose network
        input is computed in NumPy by other means than circular convolutions
        (which the wavelet sub-bands of
        :class:`~skdenoise.WaveletUNetDenoiser` are, and are written as).
    sklearn.exceptions.NotFittedError
        For an unfitted denoiser.
    ValueError
        For a bad ``format``, ``path`` suffix or ``batch_size``, for a
        recurrent network exported to LiteRT without a fixed ``batch_size``,
        and for a :class:`~skdenoise.pipeline.WindowedDenoiser` whose
        ``taper`` was set (``set_params``) to one its ``transform`` refuses
        (the windows written are the fitted ones, ``window_length_`` and
        ``stride_``), or whose ``estimator_`` was set by hand with windowing
        that does not fit it: a ``window_length`` other than the one its
        network was fitted on, a ``stride`` above it.
    ImportError
        When a package the format needs is missing.
    FileNotFoundError
        When the folder of ``path`` does not exist.

    Notes
    -----
    The exported model computes in float32 where ``transform`` normalises in
    float64: outputs agree to a few millionths of the series' range. A series
    whose spread is below a millionth of its mean counts as constant there
    (below 1e-12 in ``transform``). Series of any magnitude float32 holds as
    normal numbers are normalised and gated as ``transform`` does it: divided
    by a power of two (exactly) before their sums of squares (the LiteRT
    runtime flushes subnormal numbers to zero: series whose peak is below
    about 1e-35 drift from ``transform`` there). A network
    trained in mixed precision (``precision="mixed_bfloat16"`` or
    ``"mixed_float16"``) is written in float32 with its (float32) weights,
    since neither format runs its 16-bit computations everywhere; its outputs
    then differ from ``transform``'s by the 16-bit rounding of the latter.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skdenoise import UNetDenoiser, export
    >>> from skdenoise.datasets import make_sines
    >>> clean = make_sines(16, 64, random_state=0)
    >>> noisy = clean + 0.2 * np.random.default_rng(0).normal(size=clean.shape)
    >>> unet = UNetDenoiser(filters=4, depth=1, epochs=1, random_state=0)
    >>> unet = unet.fit(noisy, clean)
    >>> path = export(unet, os.path.join(tempfile.mkdtemp(), "unet.tflite"),
    ...               format="litert")
    >>> from ai_edge_litert.interpreter import Interpreter  # doctest: +SKIP
    >>> runner = Interpreter(model_path=path).get_signature_runner()  # doctest: +SKIP
    >>> out = runner(series=noisy[:, :, None].astype("float32"))  # doctest: +SKIP
    """
    path = os.fspath(path)
    _check_format(format, path)
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        # Found before the conversion, which takes a while.
        raise FileNotFoundError(
            f"Cannot export to {path}: the folder {folder} does not exist."
        )
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or batch_size < 1
    ):
        raise ValueError(
            f"batch_size must be a positive int or None; got {batch_size!r}."
        )
    if not isinstance(verbose, numbers.Integral) or verbose < 0:
        raise ValueError(f"verbose must be a non-negative int; got {verbose!r}.")
    estimator, windowing = _network_estimator(estimator)
    graph = transform_graph(estimator)
    if format == "litert" and batch_size is None and _recurrent(graph):
        raise ValueError(_FIXED_BATCH.format(type(estimator).__name__))
    from ._tf import import_tensorflow, quiet_tf_logger

    tf = import_tensorflow()
    spec = tf.TensorSpec(
        (batch_size, estimator.n_features_in_, estimator.n_channels_in_),
        tf.float32,
        name="series",
    )
    kwargs = {}
    if format == "litert":
        # Builtin operators only: the LiteRT runtime without TensorFlow runs them.
        kwargs["target_spec"] = {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}
    with (
        quiet_tf_logger(),
        _process_settings_kept(),
        _quiet_converter(verbose),
        warnings.catch_warnings(),
    ):
        # Keras' own tf2onnx patch probes np.object, which NumPy 2 warns about.
        warnings.filterwarnings(
            "ignore", message=".*np.object.*", category=FutureWarning
        )
        # The converters write their file as they go: written into a staging
        # folder beside it and moved into place whole, so that a failure (a
        # full disk) leaves an earlier export as it was, not a truncated file.
        staging = tempfile.mkdtemp(prefix=".skdenoise-export-", dir=folder)
        try:
            staged = os.path.join(staging, os.path.basename(path))
            try:
                graph.export(
                    staged,
                    format=format,
                    input_signature=[spec],
                    verbose=bool(verbose),
                    **kwargs,
                )
            except Exception as error:
                # The converter's error type is not public; its message names
                # the op.
                if (
                    format == "litert"
                    and batch_size is None
                    and "TensorList" in str(error)
                ):
                    raise ValueError(
                        _FIXED_BATCH.format(type(estimator).__name__)
                    ) from None
                raise
            if format == "onnx":
                _check_onnx_ops(staged, type(estimator).__name__)
            if windowing is not None:
                sidecar = {
                    "format": format,
                    "model": os.path.basename(path),
                    "input": "series",
                    "n_channels": int(estimator.n_channels_in_),
                    # The windows per call a fixed batch takes (None: any).
                    "batch_size": None if batch_size is None else int(batch_size),
                    **windowing,
                }
                with open(staged + ".json", "w", encoding="utf-8") as file:
                    json.dump(sidecar, file, indent=2)
            moves = [(staged, path)]
            if windowing is not None:
                moves.append((staged + ".json", path + ".json"))
            replace_files(moves)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if windowing is None:
        _remove_stale_sidecar(path)
    return path


@contextlib.contextmanager
def _process_settings_kept():
    """Restore what the converters change in the process.

    TensorFlow's SavedModel writer logs through absl, which gives the root
    logger a handler of its own when it has none (a later
    ``logging.basicConfig`` of the user's then does nothing); the LiteRT
    converter sets absl's level; tf2onnx sets ``TF_CPP_MIN_LOG_LEVEL``.
    """
    import logging

    handlers = logging.root.handlers[:]
    absl = logging.getLogger("absl")
    level = absl.level
    environ = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    try:
        yield
    finally:
        logging.root.handlers[:] = handlers
        absl.setLevel(level)
        if environ is None:
            os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
        else:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = environ


# The C++ runtime's informational and warning lines (I1205 ..., W1205 ...)
# that the converters print once TensorFlow has read its log level (when the
# user imported it first).
_CONVERTER_NOISE = re.compile(
    r"^([IW]\d{4} .*|WARNING: All log messages before absl::InitializeLog\(\) .*)$"
)


@contextlib.contextmanager
def _quiet_converter(verbose):
    """With ``verbose=0``, the converters' log lines left out of stderr.

    The C++ runtime's, and those of tf2onnx's Python logger (it logs how it
    froze a recurrent network's dropout, at warning level).
    """
    if verbose:
        yield
        return
    import logging

    from ._tf import _filtered_stderr

    logger = logging.getLogger("tf2onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with _filtered_stderr(_CONVERTER_NOISE):
            yield
    finally:
        # Unless another export (a thread's) set it since and restored it.
        if logger.level == logging.ERROR:
            logger.setLevel(level)


def _check_onnx_ops(path, name):
    """Refuse an ONNX file with ops that ONNX does not define.

    tf2onnx keeps a TensorFlow op it cannot convert (``Erfinv``) as it is,
    with a warning, and writes a file that ONNX Runtime refuses to load.
    Every node is looked at, those of subgraphs (``If``, ``Loop``) too, in
    ONNX's own domain at the file's opset.
    """
    import onnx

    model = onnx.load(path)
    opset = max(
        (
            entry.version
            for entry in model.opset_import
            if entry.domain in ("", "ai.onnx")
        ),
        default=None,
    )

    def nodes(graph):
        for node in graph.node:
            yield node
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    yield from nodes(attribute.g)
                for inner in attribute.graphs:
                    yield from nodes(inner)

    def known(op_type):
        try:
            if opset is None:
                onnx.defs.get_schema(op_type, "")
            else:
                onnx.defs.get_schema(op_type, opset, "")
        except onnx.defs.SchemaError:
            return False
        return True

    unknown = sorted(
        {
            node.op_type
            for node in nodes(model.graph)
            if node.domain in ("", "ai.onnx") and not known(node.op_type)
        }
    )
    if unknown:
        raise ValueError(
            f"The {name}'s network uses operations that ONNX does not have"
            f"{'' if opset is None else f' at opset {opset}'} "
            f"({', '.join(unknown)}): the converter kept them as they are, and "
            "ONNX Runtime could not load the file, so nothing was written. Build "
            "the network from other operations."
        )


def _remove_stale_sidecar(path):
    """Remove the windowing file an earlier export wrote beside ``path``.

    It would window the input of the network written now, which takes whole
    series, as it did that of the earlier one. Only a file naming this model
    is removed.
    """
    try:
        with open(path + ".json", encoding="utf-8") as file:
            sidecar = json.load(file)
    except (OSError, ValueError):
        return
    if isinstance(sidecar, dict) and sidecar.get("model") == os.path.basename(path):
        os.remove(path + ".json")
