"""Training data of the neural denoisers: normalisation, padding, batches.

The one place where series become network inputs, for training and inference
alike. Importing this module imports Keras.
"""

import copy
import math

import numpy as np

from .._series import reflect_pad, series_statistics
from .._split import later_split, split_validation
from .._tf import import_keras, start_runtime_quietly
from ..noise._base import quiet_zero_series
from ..noise._models import carry_checks

keras = import_keras()

__all__ = [
    "HardFirstCurriculum",
    "NetworkInput",
    "TrainingBatches",
    "keep_clean",
    "later_split",
    "level_reference",
    "split_validation",
]

# Batches made in Python at a time for ``TrainingBatches.as_dataset``.
_CHUNK_BATCHES = 8


def normalize_mode(normalize):
    """``"standard"``, ``"rms"`` or None (no normalisation) for ``normalize``."""
    if isinstance(normalize, str):
        return normalize
    return "standard" if normalize else None


def level_reference(inputs, normalize):
    """Per channel, the median natural logarithm of the series' scales.

    The scales that ``normalize`` divides each series and channel of
    ``inputs`` by (series of no spread left out; 0.0 for a channel where
    none has any), shape ``(n_channels,)``: the reference of the level
    channels of :class:`NetworkInput`, so that a typical training series
    gets levels near zero in every channel.
    """
    _, scale, constant = series_statistics(
        np.asarray(inputs, dtype=np.float64),
        normalize_mode(normalize),
        return_constant=True,
    )
    logs = np.where(constant, np.nan, np.log(scale))[:, 0, :]
    reference = np.zeros(logs.shape[1])
    spread = ~np.all(np.isnan(logs), axis=0)
    reference[spread] = np.nanmedian(logs[:, spread], axis=0)
    return reference


class NetworkInput:
    """Turns float64 series into network inputs and network outputs back.

    Parameters
    ----------
    normalize : bool or {"standard", "rms"}
        Standardise each series and channel by the statistics of the input
        (True or "standard": mean and standard deviation; "rms": divide by the
        root mean square, keeping the offset).
    padding : callable
        ``padding(n_timesteps)`` gives the ``(left, right)`` reflection padding.
    to_network : callable
        Last step before the network, on the normalised and padded float64
        batch (for example adding wavelet sub-bands as channels).
    precision : str, default="float32"
        The network's precision (the range its inputs must fit).
    level_reference : ndarray of shape (n_channels,) or None, default=None
        With a value, one more channel per series channel is appended last:
        the natural logarithm of the series' scale (the one it was divided
        by) minus the channel's reference, constant along time, so that the
        network knows how large the series was before normalisation.
    """

    def __init__(
        self,
        *,
        normalize,
        padding,
        to_network,
        precision="float32",
        level_reference=None,
    ):
        self.normalize = normalize
        self.padding = padding
        self.to_network = to_network
        self.precision = precision
        self.level_reference = level_reference

    def statistics(self, inputs):
        """``(center, scale)`` of the inputs, identity when not normalising."""
        mode = normalize_mode(self.normalize)
        if mode is None:
            shape = (inputs.shape[0], 1, inputs.shape[2])
            return np.zeros(shape), np.ones(shape)
        return series_statistics(inputs, mode)

    def prepare(self, inputs, targets=None):
        """Normalised, padded float32 ``inputs`` (and ``targets``) for the network."""
        inputs = np.asarray(inputs, dtype=np.float64)
        center, scale = self.statistics(inputs)
        left, right = self.padding(inputs.shape[1])
        padded = reflect_pad((inputs - center) / scale, left, right)
        network_in = self.to_network(padded)
        if self.level_reference is not None:
            level = np.log(scale) - self.level_reference
            level = np.broadcast_to(
                level, (inputs.shape[0], network_in.shape[1], inputs.shape[2])
            )
            network_in = np.concatenate([network_in, level], axis=-1)
        network_in = self._float32(network_in)
        if targets is None:
            return network_in
        targets = (np.asarray(targets, dtype=np.float64) - center) / scale
        return network_in, self._float32(reflect_pad(targets, left, right))

    def _float32(self, values):
        if self.precision == "mixed_float16":
            # The layers compute in float16: values past 65504 become inf, the
            # loss NaN, and training "diverges" whatever the learning rate.
            limit, kind = np.finfo(np.float16).max, "float16"
        else:
            limit, kind = np.finfo(np.float32).max, "float32"
        if np.max(np.abs(values), initial=0.0) > limit:
            advice = (
                "use normalize=True, precision='mixed_bfloat16' or 'float32', or "
                "rescale the series"
                if kind == "float16"
                else "use normalize=True or rescale the series"
            )
            raise ValueError(
                f"The series have values beyond the {kind} range the network "
                f"computes in (largest magnitude {limit:g}"
                + (", precision='mixed_float16'" if kind == "float16" else "")
                + f"); {advice}."
            )
        return values.astype(np.float32)

    def restore(self, outputs, inputs):
        """Network ``outputs`` cropped and brought back to the units of ``inputs``.

        When normalising, a constant series or channel (all zeros for
        ``"rms"``) comes back unchanged: it has no scale to bring the output
        back to, and a flat line holds no noise to remove.
        """
        left, _ = self.padding(inputs.shape[1])
        outputs = np.asarray(outputs, dtype=np.float64)
        outputs = outputs[:, left : left + inputs.shape[1]]
        mode = normalize_mode(self.normalize)
        if mode is None:
            return outputs
        inputs = np.asarray(inputs, dtype=np.float64)
        center, scale, constant = series_statistics(inputs, mode, return_constant=True)
        return np.where(constant, inputs, outputs * scale + center)


def keep_clean(inputs, targets, fraction, rng):
    """``inputs`` with a random ``fraction`` of the series replaced by ``targets``."""
    clean = rng.random(inputs.shape[0]) < fraction
    if not np.any(clean):
        return inputs
    return np.where(clean[:, None, None], targets, inputs)


class HardFirstCurriculum:
    """The training noise of each step of a hard-first curriculum.

    The highest SNR of ``noise`` (whose ``snr`` is a range ``(low, high)``)
    starts at ``start_db`` and rises linearly to ``high`` over ``n_steps``
    training steps; the lowest stays ``low``. ``offset`` steps count as done
    already (``partial_fit`` goes on with the schedule).
    """

    def __init__(self, noise, start_db, n_steps, offset=0):
        self.noise = noise
        self.start_db = float(start_db)
        self.n_steps = max(int(n_steps), 1)
        self.offset = int(offset)

    def snr_at(self, step):
        """The ``(low, high)`` SNR range in dB at training step ``step``."""
        low, high = self.noise.snr
        done = min((self.offset + step) / self.n_steps, 1.0)
        return low, self.start_db + (high - self.start_db) * done

    def noise_at(self, step):
        """A copy of the noise model with the range of step ``step``."""
        noise = copy.copy(self.noise)
        noise.snr = self.snr_at(step)
        # A recording's segment is checked once (NaN, flat runs), not by
        # every step's copy: each copy takes over its predecessor's check.
        previous = getattr(self, "_previous", None)
        if previous is not None:
            carry_checks(previous, noise)
        self._previous = noise
        return noise


class TrainingBatches(keras.utils.PyDataset):
    """Batches for ``Model.fit``, reshuffled (and re-noised) every epoch.

    Noisy inputs drawn on the fly come from ``noise.apply`` on the clean
    series; randomness for each (epoch, batch) pair comes from its own generator,
    so the stream is reproducible whatever order Keras asks for batches in.

    Parameters
    ----------
    inputs : ndarray or None
        Noisy training series, or None to draw them from ``targets``.
    targets : ndarray
        Clean training series.
    noise, augment : noise model, augmentation or None
        Applied to every batch (the augmentation first, to inputs and targets).
    clean_fraction : float
        Share of the series of each batch whose input is their clean target
        itself (nothing to remove), drawn afresh for every batch.
    batch_size : int
        Series per batch.
    seed : int
        Seed of the shuffling, augmentation and noise.
    network_input : NetworkInput
        Turns a batch into the network's inputs and targets.
    masker : BlindSpotMasker or None, default=None
        Blind-spot training: hides spans of every input (after the noise) and
        appends the loss mask to the targets as extra channels.
    curriculum : HardFirstCurriculum or None, default=None
        Draws the noise of each step from the curriculum's range instead of
        ``noise``'s own (steps counted over epochs: ``epoch * len(self) +
        index``).
    rows : ndarray of int or None, default=None
        The rows of ``inputs`` and ``targets`` to train on, read batch by
        batch; None: all of them.
    """

    def __init__(
        self,
        inputs,
        targets,
        *,
        noise,
        augment,
        batch_size,
        seed,
        network_input,
        clean_fraction=0.0,
        masker=None,
        curriculum=None,
        rows=None,
    ):
        super().__init__()
        self.masker = masker
        # The training rows of inputs and targets (None: all of them), read
        # batch by batch: copies of them held another float64 copy of the
        # training data through all of training.
        self.rows = rows
        self.curriculum = curriculum
        self.inputs = inputs
        self.targets = targets
        self.noise = noise
        self.augment = augment
        self.clean_fraction = clean_fraction
        self.batch_size = batch_size
        self.seed = seed
        self.network_input = network_input
        self.epoch = 0
        self._order = self._permutation()

    def _permutation(self):
        rng = np.random.default_rng([self.seed, self.epoch, 0])
        return rng.permutation(self._n_rows())

    def _n_rows(self):
        return self.targets.shape[0] if self.rows is None else len(self.rows)

    def __len__(self):
        return math.ceil(self._n_rows() / self.batch_size)

    def __getitem__(self, index):
        return self._batch(index, self.epoch, self._order)

    def _batch(self, index, epoch, order):
        # Every batch has the same size (the last one wraps around to the start
        # of the epoch's order), so the training step is traced only once.
        positions = index * self.batch_size + np.arange(self.batch_size)
        rows = order[positions % len(order)]
        if self.rows is not None:
            rows = self.rows[rows]
        targets = self.targets[rows]
        inputs = self.inputs[rows] if self.inputs is not None else targets
        if self.augment is not None:
            rng = np.random.default_rng([self.seed, epoch, 2, index])
            if self.inputs is not None:
                inputs, targets = self.augment.apply(inputs, targets, random_state=rng)
            else:
                (targets,) = self.augment.apply(targets, random_state=rng)
                inputs = targets
        if self.noise is not None:
            rng = np.random.default_rng([self.seed, epoch, 1, index])
            noise = self.noise
            if self.curriculum is not None:
                noise = self.curriculum.noise_at(epoch * len(self) + index)
            with quiet_zero_series():  # fit said it once
                inputs = noise.apply(inputs, random_state=rng)
        if self.masker is not None:
            rng = np.random.default_rng([self.seed, epoch, 4, index])
            return self.masker.batch(inputs, targets, rng, self.network_input)
        if self.clean_fraction:
            rng = np.random.default_rng([self.seed, epoch, 3, index])
            inputs = keep_clean(inputs, targets, self.clean_fraction, rng)
        return self.network_input.prepare(inputs, targets)

    def on_epoch_end(self):
        self.epoch += 1
        self._order = self._permutation()

    def set_epoch(self, epoch):
        """Draw the batches of ``epoch`` from now on (its order and noise)."""
        if epoch != self.epoch:
            self.epoch = epoch
            self._order = self._permutation()

    def release(self):
        """Let go of the series, the noise and the denoiser once training ends.

        TensorFlow keeps the generator of a ``from_generator`` dataset
        registered after the dataset is gone, and with it these batches: each
        fit kept its training arrays, and the denoiser (through its methods in
        ``network_input``) with its network.
        """
        self.inputs = self.targets = self._order = self.rows = None
        self.noise = self.augment = self.masker = self.curriculum = None
        self.network_input = None

    def as_dataset(self, chunk=_CHUNK_BATCHES):
        """The batches as a ``tf.data.Dataset`` and the callback it needs.

        Python makes ``chunk`` batches at a time, handed to TensorFlow in one
        piece and split there, with a prefetch buffer of ``chunk`` batches: on
        a CPU the per-batch hand-over of a ``PyDataset`` (a Python call and a
        copy into the graph for every step) halved the training throughput.
        The callback tells the batches which epoch ``Model.fit`` begins; each
        pass over the dataset draws the batches of the epoch it began in, so
        the stream is the same however often TensorFlow (or a distribution
        strategy) creates iterators.

        Returns
        -------
        dataset : tf.data.Dataset
        callback : keras.callbacks.Callback
            To pass to ``Model.fit`` with the dataset.
        """
        import tensorflow as tf

        n_batches = len(self)
        first = self[0]
        specs = tuple(
            tf.TensorSpec((None, *np.shape(part)), tf.as_dtype(part.dtype))
            for part in first
        )

        self.error = None

        def generate():
            epoch, order = self.epoch, self._order
            for start in range(0, n_batches, chunk):
                try:
                    parts = [
                        self._batch(i, epoch, order)
                        for i in range(start, min(start + chunk, n_batches))
                    ]
                except Exception as exc:
                    # TensorFlow reports it as its own error, a stack trace of
                    # its graph; Model.fit's caller raises this one instead.
                    self.error = exc
                    raise
                yield tuple(np.stack(piece) for piece in zip(*parts, strict=True))

        start_runtime_quietly()
        dataset = tf.data.Dataset.from_generator(generate, output_signature=specs)
        dataset = dataset.unbatch().apply(
            tf.data.experimental.assert_cardinality(n_batches)
        )
        # A generator cannot be sharded by file, and a strategy's attempt said
        # so on stderr at every fit (at verbose=0): each replica's share of a
        # batch is cut by the strategy, as without this.
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.OFF
        )
        return dataset.with_options(options).prefetch(chunk), _EpochSetter(self)


class _EpochSetter(keras.callbacks.Callback):
    """Tells ``TrainingBatches`` the epoch that ``Model.fit`` begins."""

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.set_epoch(epoch)
