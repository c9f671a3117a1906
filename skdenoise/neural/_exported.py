"""A fitted neural denoiser's ``transform`` as one Keras model, for export.

:class:`TransformGraph` wraps the trained network with the steps that
``transform`` runs in NumPy around it: per-series normalisation, reflection
padding to the network's length multiple, cropping, the flip average, the
no-harm gate and the map to the units of ``y``. Its output for a float32
batch is ``transform``'s up to float32 rounding, so a file written by
``Model.export`` needs no Python around it. Importing this module imports Keras.
"""

import numpy as np

from .._tf import import_keras
from ._batches import normalize_mode

keras = import_keras()
ops = keras.ops

__all__ = ["TransformGraph"]

# Estimated SNRs of the gate are clipped to this range (dB), as in ``_gate``.
_SNR_LIMIT = 200.0
# A series whose spread is below this share of its mean is constant (float32).
_CONSTANT_SPREAD = 1e-6
# The powers of two float32 holds as normal numbers, 2**-126 to 2**127: a table
# gives them exactly, where a power or an exponential computed in the graph
# could round.
_LOWEST_EXPONENT, _HIGHEST_EXPONENT = -126, 127
_POWERS_OF_TWO = np.ldexp(
    1.0, np.arange(_LOWEST_EXPONENT, _HIGHEST_EXPONENT + 1)
).astype(np.float32)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _power_of_two_scale(*arrays):
    """Per series and channel, a power of two near the largest magnitude.

    The graph's :func:`skdenoise._series.power_of_two_scale` over ``arrays``
    (each of shape (batch, n_timesteps, n_channels); the result has shape
    (batch, 1, n_channels)). Dividing by it is exact, so sums of squares of the
    divided series neither overflow (series near 1e25 squared exceed float32's
    3.4e38) nor underflow (near 1e-25), and multiplying back gives the series'
    own units. Zero, infinite and NaN peaks get 1.
    """
    peak = None
    for array in arrays:
        top = ops.max(ops.abs(array), axis=1, keepdims=True)
        peak = top if peak is None else ops.maximum(peak, top)
    usable = ops.logical_and(peak > 0, peak <= _FLOAT32_MAX)
    peak = ops.where(usable, peak, ops.ones_like(peak))
    # log2 may round at exact powers of two: the exponent is then one off, and
    # the divided series below 4 in magnitude instead of 2, which is harmless.
    exponent = ops.floor(ops.log2(peak)) + 1.0
    exponent = ops.clip(exponent, float(_LOWEST_EXPONENT), float(_HIGHEST_EXPONENT))
    index = ops.cast(exponent - float(_LOWEST_EXPONENT), "int32")
    # Again on the integers: the ONNX converter turns the where() above into
    # arithmetic, so a NaN peak stays NaN and casts to the lowest int32. Its
    # series comes out NaN; the others must not fail with it.
    index = ops.clip(index, 0, _HIGHEST_EXPONENT - _LOWEST_EXPONENT)
    return ops.take(_POWERS_OF_TWO, index)


class TransformGraph(keras.Model):
    """The ``transform`` of a fitted neural denoiser, for series of one length.

    Parameters
    ----------
    networks : list of keras.Model
        The trained network (``model_``, and the members of an ensemble), on
        normalised, padded series; their outputs are averaged.
    n_timesteps, n_channels : int
        Shape of one series (the fitted ``n_features_in_``, ``n_channels_in_``).
    normalize : bool or {"standard", "rms"}
        Standardise each series and channel before the network (``"rms"``:
        divide by the root mean square only).
    padding : tuple of int
        ``(left, right)`` reflection padding before the network.
    average_flips : bool
        Average the outputs for the series, its negation, its reversal and both.
    gate : tuple of ndarray or None
        ``(snr, scale)`` breakpoints of the fitted no-harm gate.
    pass_gates : sequence of tuple, default=()
        One ``(snr, scale)`` gate (or ``(None, None)``: none) per denoising
        pass after the first; each pass feeds the output before it to the
        networks again.
    target_scale, target_offset : ndarray
        The map from ``X``'s units to ``y``'s, broadcast over the batch.
    band_filters : tuple or None
        ``(kernel, before, after)``: channels appended to the padded input, each
        the circular convolution of every channel with a column of ``kernel``
        (shape ``(before + after + 1, n_bands)``; ``before`` and ``after``
        samples of wrap-around on each side), as a stationary wavelet transform
        computes its sub-bands.
    level_reference : array-like of shape (n_channels,) or None, default=None
        With a value, the level channels are appended last, one per channel:
        the log of the scale each series was divided by, minus the channel's
        reference.
    """

    def __init__(
        self,
        networks,
        *,
        n_timesteps,
        n_channels,
        normalize,
        padding,
        average_flips,
        gate,
        target_scale,
        target_offset,
        band_filters=None,
        pass_gates=(),
        level_reference=None,
    ):
        super().__init__(name="skdenoise_transform", dtype="float32")
        self.networks = list(networks)
        self.n_timesteps = int(n_timesteps)
        self.n_channels = int(n_channels)
        self.normalize = normalize_mode(normalize)
        self.padding = tuple(int(p) for p in padding)
        self.flips = (
            ((1.0, False), (-1.0, False), (1.0, True), (-1.0, True))
            if average_flips
            else ((1.0, False),)
        )
        self.gate = None
        if gate is not None:
            snr, scale = (np.asarray(v, dtype=np.float64) for v in gate)
            self.gate = (snr, scale)
        self.pass_gates = tuple(
            None
            if snr is None
            else tuple(np.asarray(v, dtype=np.float64) for v in (snr, scale))
            for snr, scale in pass_gates
        )
        self.target_scale = np.asarray(target_scale, dtype=np.float32)
        self.target_offset = np.asarray(target_offset, dtype=np.float32)
        self.level_reference = (
            None
            if level_reference is None
            else np.asarray(level_reference, dtype=np.float32).reshape(1, 1, -1)
        )
        self.band_filters = None
        if band_filters is not None:
            kernel, before, after = band_filters
            kernel = np.asarray(kernel, dtype=np.float32)
            # Depthwise: every channel convolved with every band's filter.
            depthwise = np.repeat(kernel[:, None, :], self.n_channels, axis=1)
            self.band_filters = (depthwise, int(before), int(after))

    def _statistics(self, series):
        """Mean, standard deviation (1 if constant) and the constant mask.

        Per series and channel; with ``normalize="rms"``: zero and the root mean
        square (constant: all zeros).
        """
        unit = _power_of_two_scale(series)
        scaled = series / unit
        if self.normalize == "rms":
            rms = ops.sqrt(ops.mean(ops.square(scaled), axis=1, keepdims=True))
            constant = rms <= 0
            rms = ops.where(constant, ops.ones_like(rms), rms * unit)
            return ops.zeros_like(rms), rms, constant
        center = ops.mean(scaled, axis=1, keepdims=True)
        spread = ops.sqrt(ops.mean(ops.square(scaled - center), axis=1, keepdims=True))
        constant = spread <= _CONSTANT_SPREAD * ops.abs(center)
        constant = ops.logical_or(constant, spread <= 0)
        scale = ops.where(constant, ops.ones_like(spread), spread * unit)
        return center * unit, scale, constant

    def _denoise(self, series, network):
        """``network``'s output for ``series``, in their units."""
        original = series
        if self.normalize:
            center, scale, constant = self._statistics(series)
            series = (series - center) / scale
        left, right = self.padding
        if left or right:
            series = ops.pad(series, ((0, 0), (left, right), (0, 0)), mode="reflect")
        if self.band_filters is not None:
            series = ops.concatenate([series, self._bands(series)], axis=-1)
        if self.level_reference is not None:
            # Constant along the padded series: (batch, 1, c) broadcast.
            level = ops.log(scale) - self.level_reference
            padded = series[..., : self.n_channels]
            series = ops.concatenate([series, ops.zeros_like(padded) + level], axis=-1)
        out = network(series, training=False)
        out = ops.cast(out, "float32")[:, left : left + self.n_timesteps]
        if self.normalize:
            # A constant series comes back unchanged, as in transform.
            out = ops.where(constant, original, out * scale + center)
        return out

    def _bands(self, series):
        """The sub-bands of the padded ``series``, band after band."""
        kernel, before, after = self.band_filters
        length = self.n_timesteps + sum(self.padding)
        wrapped = ops.concatenate(
            [series[:, length - after :], series, series[:, :before]], axis=1
        )
        bands = ops.depthwise_conv(wrapped, kernel, strides=1, padding="valid")
        # (batch, length, channel * band) to (batch, length, band * channel).
        n_bands = kernel.shape[-1]
        bands = ops.reshape(bands, (-1, length, self.n_channels, n_bands))
        bands = ops.transpose(bands, (0, 1, 3, 2))
        return ops.reshape(bands, (-1, length, n_bands * self.n_channels))

    def _apply_gate(self, series, out, gate):
        """Scale each series' correction as the fitted ``gate`` does.

        As :func:`skdenoise.neural._gate.apply_gate`: the sums of squares are
        taken on the series divided by powers of two (exactly), so that series
        of any magnitude float32 holds get the gate ``transform`` gives them.
        """
        tiny = float(np.finfo(np.float32).tiny)
        unit = _power_of_two_scale(series, out)
        series, out = series / unit, out / unit
        signal = out - ops.mean(series, axis=1, keepdims=True)
        correction = out - series
        # A correction far smaller than the series: in its own unit too.
        inner = _power_of_two_scale(signal, correction)
        signal = ops.sum(ops.square(signal / inner), axis=1)
        correction = ops.sum(ops.square(correction / inner), axis=1)
        snr = (
            10.0
            * (
                ops.log(ops.maximum(signal, tiny))
                - ops.log(ops.maximum(correction, tiny))
            )
            / float(np.log(10.0))
        )
        snr = ops.clip(snr, -_SNR_LIMIT, _SNR_LIMIT)
        # np.interp as a sum of clipped ramps, one per segment: constant beyond
        # the breakpoints, linear between them.
        points, scales = gate
        factor = ops.full_like(snr, float(scales[0]))
        for i in range(len(points) - 1):
            low, high = float(points[i]), float(points[i + 1])
            rise = float(scales[i + 1] - scales[i])
            if high > low:
                factor = factor + rise / (high - low) * (ops.clip(snr, low, high) - low)
            else:
                factor = factor + rise * ops.cast(snr >= low, "float32")
        return (series + factor[:, None, :] * (out - series)) * unit

    def call(self, series):
        """Denoised float32 ``series`` of shape (batch, n_timesteps, n_channels)."""
        series = ops.cast(series, "float32")
        out = self._one_pass(series)
        if self.gate is not None:
            out = self._apply_gate(series, out, self.gate)
        for gate in self.pass_gates:
            following = self._one_pass(out)
            out = following if gate is None else self._apply_gate(out, following, gate)
        return out * self.target_scale + self.target_offset

    def _one_pass(self, series):
        """The networks' mean output for ``series`` (over the flips), ungated."""
        outputs = []
        for network in self.networks:
            for sign, reverse in self.flips:
                flipped = ops.flip(series, axis=1) if reverse else series
                flipped = -flipped if sign < 0 else flipped
                out = self._denoise(flipped, network)
                out = -out if sign < 0 else out
                outputs.append(ops.flip(out, axis=1) if reverse else out)
        out = outputs[0]
        for other in outputs[1:]:
            out = out + other
        if len(outputs) > 1:
            out = out / float(len(outputs))
        return out
