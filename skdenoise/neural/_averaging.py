"""Exponential moving average of a network's weights while it trains.

The average of the weights over the last few hundred steps is usually a better
network than the weights of the last step: the steps' noise averages out. The
average is kept in TensorFlow variables and updated by one compiled function
after every training step; validation, the callbacks that read the weights at
the end of an epoch (early stopping, which keeps the best weights) and the
trained model all see the average, while the optimizer goes on from its own
weights.
"""

from .._tf import import_keras, import_tensorflow

keras = import_keras()
tf = import_tensorflow()

#: The momentum grows as (1 + t) / (10 + t) over the first steps ``t`` (as in
#: TensorFlow's ``ExponentialMovingAverage`` with ``num_updates``), so that a
#: short fit is not averaged with the untrained weights.
_WARMUP = 10.0


class WeightAverage:
    """Moving average of a Keras model's trainable weights during ``fit``.

    Parameters
    ----------
    momentum : float in (0, 1)
        Weight of the old average at each step; the average spans about
        ``1 / (1 - momentum)`` steps.

    Use ``callbacks()``: the first callback goes before every other callback
    of ``fit``, the second after them.
    """

    def __init__(self, momentum):
        self.momentum = float(momentum)
        self.model = None
        self._averages = None
        self._count = None
        self._raw = None  # the optimizer's weights while the average is in

    def callbacks(self):
        """The (first, last) pair of callbacks to wrap ``fit``'s others."""
        return _AverageIn(self), _AverageOut(self)

    # ----------------------------------------------------------- the average
    def start(self, model):
        self.model = model
        variables = model.trainable_variables
        self._averages = [
            tf.Variable(tf.identity(v.value), trainable=False) for v in variables
        ]
        self._count = tf.Variable(0.0, trainable=False, dtype=tf.float32)
        self._raw = None
        momentum = self.momentum
        averages = self._averages
        count = self._count

        @tf.function(autograph=False)
        def update():
            m = tf.minimum(momentum, (1.0 + count) / (_WARMUP + count))
            for average, v in zip(averages, variables, strict=True):
                value = tf.cast(v.value, average.dtype)
                average.assign(m * average + (1.0 - m) * value)
            count.assign_add(1.0)

        self._update = update

    def update(self):
        self._update()

    def swap_in(self):
        """Put the average into the model (keeping the optimizer's weights)."""
        if self._raw is not None:
            return
        variables = self.model.trainable_variables
        self._raw = [v.numpy() for v in variables]
        for v, average in zip(variables, self._averages, strict=True):
            v.assign(average.numpy())

    def finish(self):
        """Leave the average in the model for good."""
        self.swap_in()
        self._raw = None

    def swap_out(self):
        """Give the optimizer its own weights back."""
        if self._raw is None:
            return
        for v, raw in zip(self.model.trainable_variables, self._raw, strict=True):
            v.assign(raw)
        self._raw = None


class _AverageIn(keras.callbacks.Callback):
    """First callback: updates the average and puts it in.

    The average goes in for validation and for the callbacks that look at the
    weights at the end of an epoch.
    """

    def __init__(self, average):
        super().__init__()
        self.average = average

    def on_train_begin(self, logs=None):
        self.average.start(self.model)

    def on_train_batch_end(self, batch, logs=None):
        self.average.update()

    def on_test_begin(self, logs=None):
        self.average.swap_in()

    def on_epoch_end(self, epoch, logs=None):
        self.average.swap_in()

    def on_train_end(self, logs=None):
        # The trained model is the average (callbacks after this one that
        # restore the best weights restore an average too).
        self.average.finish()


class _AverageOut(keras.callbacks.Callback):
    """Last callback: gives the optimizer its own weights back for the next epoch."""

    def __init__(self, average):
        super().__init__()
        self.average = average

    def on_epoch_end(self, epoch, logs=None):
        if not self.model.stop_training:
            self.average.swap_out()
