"""Custom Keras layers. Importing this module imports Keras."""

from ..._tf import import_keras

keras = import_keras()
ops = keras.ops


@keras.saving.register_keras_serializable(package="skdenoise")
class VariationalSampling(keras.layers.Layer):
    """Reparameterised sampling ``z = mean + exp(log_var / 2) * eps``.

    Adds ``beta * KL(q(z|x) || N(0, I)) / n_elements`` to the model's losses,
    where ``n_elements`` is the number of values of one output series, so that the
    KL term is on the scale of a per-element reconstruction loss. Outside
    training it returns the mean, which makes inference deterministic.

    Parameters
    ----------
    beta : float, default=1.0
        Weight of the KL term.
    n_elements : int, default=1
        Normaliser of the KL term.
    seed : int or None, default=None
        Seed of the sampling noise.
    """

    def __init__(self, beta=1.0, n_elements=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.beta = float(beta)
        self.n_elements = int(n_elements)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        z_mean, z_log_var = inputs
        # The KL term in float32 (under mixed precision the codes are 16-bit),
        # added in the dtype of Keras' compiled losses (floatx), with which it
        # is summed.
        mean32 = ops.cast(z_mean, "float32")
        log_var32 = ops.cast(z_log_var, "float32")
        kl = -0.5 * ops.mean(
            ops.sum(1.0 + log_var32 - ops.square(mean32) - ops.exp(log_var32), axis=-1)
        )
        self.add_loss(ops.cast(self.beta * kl / self.n_elements, keras.config.floatx()))
        if not training:
            return z_mean
        # In the codes' dtype, whatever keras.config.floatx() is.
        eps = keras.random.normal(
            ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator
        )
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(beta=self.beta, n_elements=self.n_elements, seed=self.seed)
        return config


@keras.saving.register_keras_serializable(package="skdenoise")
class NegativeSNRLoss(keras.losses.Loss):
    """Negative SNR of the estimate in dB, one value per series.

    For a target ``y`` and an estimate ``y_hat`` of one series (all time steps and
    channels together)::

        loss = 10 log10(sum((y - y_hat)^2) / (sum(y^2) + eps) + 10^(-max_snr / 10))

    Every series counts the same in dB whatever its noise level, so a nearly
    clean input weighs as much as a very noisy one; with a squared error the
    noisiest series dominate and the network need not learn to leave a clean
    input alone. Averaged over a batch it is minus the mean output SNR, and so
    minus the mean SNR improvement plus a constant of the data.

    Parameters
    ----------
    max_snr : float, default=30.0
        Output SNR (dB) around which the loss stops rewarding a series (a soft
        cap). Without it a series given back almost exactly (a clean input)
        would have an unbounded weight in the gradient, and training on clean
        inputs can then collapse to the identity; 30 dB keeps the weights of
        nearly clean and very noisy series within a factor of about 100.
    eps : float, default=1e-8
        Guards the division for an all-zero target.
    """

    def __init__(self, max_snr=30.0, eps=1e-8, name="negative_snr", **kwargs):
        super().__init__(name=name, **kwargs)
        self.max_snr = float(max_snr)
        self.eps = float(eps)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        axes = tuple(range(1, len(y_pred.shape)))
        error = ops.sum(ops.square(y_true - y_pred), axis=axes)
        power = ops.sum(ops.square(y_true), axis=axes)
        ratio = error / (power + self.eps) + 10.0 ** (-self.max_snr / 10.0)
        return 10.0 * ops.log(ratio) / ops.log(10.0)

    def get_config(self):
        config = super().get_config()
        config.update(max_snr=self.max_snr, eps=self.eps)
        return config


@keras.saving.register_keras_serializable(package="skdenoise")
class NegativeL1SNRLoss(NegativeSNRLoss):
    """Minus the output SNR in dB of each series, on absolute errors.

    For a target ``y`` and an estimate ``y_hat`` of one series (all time steps and
    channels together), with ``c = 10^(-max_snr / 20)`` and ``d = c mean(|y|)``::

        loss = 20 log10(sum(rho(y - y_hat)) / (sum(|y|) + eps) + c)
        rho(e) = sqrt(e^2 + d^2) - d

    ``rho`` is the absolute error, smoothed where it is smaller than ``d``. As
    :class:`NegativeSNRLoss`, every series counts the same in dB whatever its
    noise level; within a series the error is (nearly) absolute, so the
    network learns the median of what the clean series may be rather than its
    mean. Where the input leaves a beat in doubt, the mean shrinks it (the
    average of a beat and no beat), while the median keeps it whole when it is
    more likely there than not. Without the smoothing, a series returned almost
    exactly (a clean input) pulls every sample with a gradient of the same size
    however small its error, and a residual network trained with clean series
    among the noisy ones collapsed to the identity.

    Parameters
    ----------
    max_snr : float, default=30.0
        Output SNR (dB) around which the loss stops rewarding a series (a soft
        cap), as for :class:`NegativeSNRLoss`.
    eps : float, default=1e-8
        Guards the division for an all-zero target.
    """

    def __init__(self, max_snr=30.0, eps=1e-8, name="negative_l1_snr", **kwargs):
        super().__init__(max_snr=max_snr, eps=eps, name=name, **kwargs)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        axes = tuple(range(1, len(y_pred.shape)))
        cap = 10.0 ** (-self.max_snr / 20.0)
        size = ops.sum(ops.abs(y_true), axis=axes)
        return l1_snr_db(
            y_true - y_pred,
            size,
            ops.mean(ops.abs(y_true), axis=axes),
            axes,
            cap,
            self.eps,
        )


def l1_snr_db(error, size, mean_size, axes, cap, eps, weights=None):
    """``20 log10(sum(rho(error)) / (size + eps) + cap)`` per series.

    ``rho`` is the absolute error smoothed below ``cap * mean_size`` (see
    :class:`NegativeL1SNRLoss`); ``weights`` (a 0/1 mask) keeps some samples.
    The smoothing never falls below 1e-12: for an all-zero target it would be
    0, and ``sqrt`` has no finite gradient at 0 where the error is exactly 0
    (NaN for the whole batch).
    """
    smooth = cap * mean_size + 1e-12
    for _ in axes:
        smooth = ops.expand_dims(smooth, -1)
    rho = ops.sqrt(ops.square(error) + ops.square(smooth)) - smooth
    if weights is not None:
        rho = weights * rho
    ratio = ops.sum(rho, axis=axes) / (size + eps) + cap
    return 20.0 * ops.log(ratio) / ops.log(10.0)


@keras.saving.register_keras_serializable(package="skdenoise")
class SSDMADLoss(keras.losses.Loss):
    """Sum of squared errors plus a multiple of the largest, one value per series.

    For a target ``y`` and an estimate ``y_hat`` of one series, channel by
    channel (then averaged over the channels)::

        loss = sum_t (y_t - y_hat_t)^2 + max_weight * max_t (y_t - y_hat_t)^2

    The loss of DeepFilter's paper (Romero et al., 2021: "SSD" for the sum of
    squared distances and "MAD" for the maximum distance, squared, with a
    weight of 50): the maximum term penalises the single worst sample of a
    window, so that a denoiser does not leave one large deviation (a clipped R
    peak, a step of baseline) to lower the average error elsewhere. Unlike the
    squared error, the sum grows with the series' length: the learning rate
    that suits it depends on the length.

    Parameters
    ----------
    max_weight : float, default=50.0
        Weight of the largest squared error against their sum.
    """

    def __init__(self, max_weight=50.0, name="ssd_mad", **kwargs):
        super().__init__(name=name, **kwargs)
        self.max_weight = float(max_weight)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        squared = ops.square(y_true - y_pred)
        # Time is axis 1; a (batch, time) input has one channel.
        values = ops.sum(squared, axis=1) + self.max_weight * ops.max(squared, axis=1)
        if len(values.shape) > 1:
            values = ops.mean(values, axis=tuple(range(1, len(values.shape))))
        return values

    def get_config(self):
        config = super().get_config()
        config["max_weight"] = self.max_weight
        return config


@keras.saving.register_keras_serializable(package="skdenoise")
class ChannelSlice(keras.layers.Layer):
    """The channels ``start:stop`` of a ``(batch, n_timesteps, n_channels)`` input.

    Parameters
    ----------
    start : int
        First channel kept.
    stop : int
        One past the last channel kept.
    """

    def __init__(self, start, stop, **kwargs):
        super().__init__(**kwargs)
        self.start = int(start)
        self.stop = int(stop)

    def call(self, inputs):
        return inputs[..., self.start : self.stop]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.stop - self.start)

    def get_config(self):
        config = super().get_config()
        config.update(start=self.start, stop=self.stop)
        return config
