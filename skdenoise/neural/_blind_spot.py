"""Blind-spot (self-supervised) training: masks, their replacement, the loss.

Blind-spot training (Noise2Self, Noise2Void) teaches a network to predict
samples it does not see from their neighbours. Every batch hides spans of
``mask_width`` samples covering a share ``mask_fraction`` of each series, at
the same places in all its channels: their values in the input are replaced by
that of a random visible neighbour (or, with ``replacement="interpolate"``, by
the linear interpolation between the nearest visible samples on either side),
so nothing of a hidden value (or of its noise) reaches the network. The loss
compares the output with the noisy input at the centre of each span only. When
the noise is independent of the signal and across more than
``(mask_width - 1) // 2`` samples (an even width hides one more sample before
the centre than after it), the expected loss is the error against the clean
signal plus a constant (the noise power), so minimising it denoises.

The targets given to Keras carry the loss mask as extra channels: a batch of
``c`` channels has targets of ``2 c`` channels, the series and then the mask.
:class:`MaskedLoss` splits them. Importing this module imports Keras.
"""

import numpy as np

from .._masking import interpolate_masked, neighbour_masked
from .._tf import import_keras

keras = import_keras()
ops = keras.ops

from .networks._layers import l1_snr_db  # noqa: E402

__all__ = ["BlindSpotMasker", "MaskedLoss", "with_mask_channels"]

_MAX_SNR_DB = 30.0
_SSD_MAD_WEIGHT = 50.0  # as SSDMADLoss


class BlindSpotMasker:
    """Draws the hidden spans of a batch and replaces them in the input.

    The series is cut into ``round(n_timesteps * mask_fraction / mask_width)``
    segments (at least one, and each at least ``mask_width + 1`` samples long)
    that tile it, their lengths differing by one sample at most; one span of
    ``mask_width`` samples starts at a random position in each segment (a
    stratified draw, so the spans are spread over the series, reach its last
    samples, and never overlap). The spans of a series are the same in all its
    channels: noise common to the channels would otherwise show a hidden
    sample's noise to the network in another channel.

    Parameters
    ----------
    mask_width : int
        Samples per hidden span.
    mask_fraction : float in (0, 1)
        Share of the samples hidden: at most ``mask_width / (mask_width + 1)``
        (a visible sample between spans).
    replacement : {"neighbour", "interpolate"}, default="neighbour"
        What a hidden sample becomes: a random visible neighbour within two
        samples of its span (Noise2Void), or the linear interpolation of the
        visible samples on either side.
    """

    def __init__(self, mask_width, mask_fraction, replacement="neighbour"):
        self.mask_width = int(mask_width)
        self.mask_fraction = float(mask_fraction)
        if replacement not in ("neighbour", "interpolate"):
            raise ValueError(
                "replacement must be 'neighbour' or 'interpolate'; got "
                f"{replacement!r}."
            )
        self.replacement = replacement
        most = self.mask_width / (self.mask_width + 1)
        if self.mask_fraction > most:
            raise ValueError(
                f"mask_fraction={self.mask_fraction:g} cannot be reached with "
                f"mask_width={self.mask_width}: spans of {self.mask_width} "
                "sample(s) with a visible sample between them hide at most "
                f"{most:.4g} of the samples."
            )

    def n_segments(self, n_timesteps):
        """Number of segments (and spans) of a series of ``n_timesteps``."""
        width = min(self.mask_width, max(n_timesteps - 1, 1))
        wanted = int(round(n_timesteps * self.mask_fraction / width))
        return max(1, min(wanted, n_timesteps // (width + 1)))

    def draw(self, shape, rng):
        """``(hidden, centres)``: boolean masks of shape ``shape`` (n, t, c).

        ``hidden`` marks every sample replaced in the input, ``centres`` the
        sample at the centre of each span (where the loss is measured). Each
        series gets its own spans, the same in all its channels.
        """
        n_series, n_timesteps, n_channels = shape
        width = min(self.mask_width, max(n_timesteps - 1, 1))
        n_segments = self.n_segments(n_timesteps)
        # The segments tile the whole series (their lengths differ by one
        # sample at most), so a span can fall on its last samples too.
        bounds = np.arange(n_segments + 1) * n_timesteps // n_segments
        starts = bounds[:-1]
        room = np.maximum(np.diff(bounds) - width, 0) + 1
        offsets = rng.integers(0, room[None, :, None], size=(n_series, n_segments, 1))
        first = starts[None, :, None] + offsets  # (n, segments, 1)
        hidden = np.zeros(shape, dtype=bool)
        centres = np.zeros(shape, dtype=bool)
        rows = np.arange(n_series)[:, None, None]
        cols = np.arange(n_channels)[None, None, :]
        for k in range(width):
            hidden[rows, np.minimum(first + k, n_timesteps - 1), cols] = True
        centres[rows, np.minimum(first + width // 2, n_timesteps - 1), cols] = True
        return hidden, centres

    def apply(self, inputs, rng):
        """``(masked_inputs, centres)`` for a float batch ``inputs`` (n, t, c)."""
        hidden, centres = self.draw(inputs.shape, rng)
        if self.replacement == "interpolate":
            return interpolate_masked(inputs, hidden), centres
        return neighbour_masked(inputs, hidden, rng, radius=2), centres

    def batch(self, inputs, targets, rng, network_input):
        """Network inputs and masked targets of one batch of series.

        ``inputs`` are the noisy series (n, t, c) and ``targets`` what the
        loss compares with at the hidden centres (the same series, or the
        series before extra training noise). Normalisation statistics come from
        the masked inputs, as at inference they come from the inputs.
        """
        masked, centres = self.apply(inputs, rng)
        network_in, network_targets = network_input.prepare(masked, targets)
        padding = network_input.padding(inputs.shape[1])
        return network_in, with_mask_channels(network_targets, centres, padding)


def with_mask_channels(targets, centres, padding):
    """Padded network ``targets`` with the loss mask appended as channels.

    ``centres`` is the unpadded mask (n, t, c); the padding samples are never
    counted.
    """
    left, right = padding
    mask = np.pad(centres, ((0, 0), (left, right), (0, 0))).astype(np.float32)
    return np.concatenate([targets, mask], axis=-1)


@keras.saving.register_keras_serializable(package="skdenoise")
class MaskedLoss(keras.losses.Loss):
    """A reconstruction loss measured only where the target's mask is 1.

    The targets hold ``2 c`` channels for ``c`` output channels: the series,
    then a 0/1 mask. Each series gets the masked mean of the elementwise loss
    (``"mse"``, ``"mae"``, ``"huber"`` with delta 1); for ``"snr"``, minus
    the SNR in dB over its masked samples (with the soft cap at 30 dB of the
    unmasked loss), and for ``"snr_l1"`` the same on absolute errors; for
    ``"ssd_mad"``, the sum of its masked squared errors
    plus 50 times the largest of them, channel by channel.

    Parameters
    ----------
    kind : {"mse", "mae", "huber", "snr", "snr_l1", "ssd_mad"}
        The loss measured on the masked samples.
    """

    def __init__(self, kind="mse", name="masked_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        if kind not in ("mse", "mae", "huber", "snr", "snr_l1", "ssd_mad"):
            raise ValueError(f"Unknown masked loss {kind!r}.")
        self.kind = kind

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        n_channels = y_pred.shape[-1]
        target = y_true[..., :n_channels]
        mask = y_true[..., n_channels:]
        axes = tuple(range(1, len(y_pred.shape)))
        error = target - y_pred
        if self.kind == "snr":
            err = ops.sum(mask * ops.square(error), axis=axes)
            power = ops.sum(mask * ops.square(target), axis=axes)
            ratio = err / (power + 1e-8) + 10.0 ** (-_MAX_SNR_DB / 10.0)
            return 10.0 * ops.log(ratio) / ops.log(10.0)
        if self.kind == "snr_l1":
            size = ops.sum(mask * ops.abs(target), axis=axes)
            count = ops.maximum(ops.sum(mask, axis=axes), 1.0)
            return l1_snr_db(
                error,
                size,
                size / count,
                axes,
                10.0 ** (-_MAX_SNR_DB / 20.0),
                1e-8,
                weights=mask,
            )
        if self.kind == "ssd_mad":
            squared = mask * ops.square(error)
            values = ops.sum(squared, axis=1) + _SSD_MAD_WEIGHT * ops.max(
                squared, axis=1
            )
            return ops.mean(values, axis=-1)
        if self.kind == "mse":
            values = ops.square(error)
        elif self.kind == "mae":
            values = ops.abs(error)
        else:
            absolute = ops.abs(error)
            quadratic = ops.minimum(absolute, 1.0)
            values = 0.5 * ops.square(quadratic) + (absolute - quadratic)
        count = ops.maximum(ops.sum(mask, axis=axes), 1.0)
        return ops.sum(mask * values, axis=axes) / count

    def get_config(self):
        config = super().get_config()
        config["kind"] = self.kind
        return config
