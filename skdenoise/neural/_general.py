"""The neural denoisers. Importing this module imports Keras and TensorFlow."""

import numbers

from sklearn.utils._param_validation import Interval

from ..base import SeriesTransformerMixin
from ._base import BaseNeuralDenoiser, store_init_args
from .networks import (
    build_cnn_lstm,
    build_conv_autoencoder,
    build_recurrent,
    build_unet,
    build_vae,
)

__all__ = [
    "LSTMDenoiser",
    "GRUDenoiser",
    "CNNLSTMDenoiser",
    "ConvAutoencoderDenoiser",
    "VAEDenoiser",
    "UNetDenoiser",
]

_COMMON_DOC = """noise : noise model or None, default=None
        Noise added to the inputs on the fly, fresh at every epoch (see
        :mod:`skdenoise.noise`). With ``y``, it augments the noisy ``X``; without
        ``y``, ``X`` is taken as clean and the inputs are ``noise`` applied to it.
        ``fit(X)`` without a noise model uses white Gaussian noise at an SNR drawn
        per series from 0 to 20 dB.
    augment : augmentation or None, default=None
        Transform of the training series drawn afresh for every batch, before
        the noise is added (see :mod:`skdenoise.augment`): for example
        ``RandomFlip()`` or ``RandomTimeWarp()``, or several in an
        ``AugmentationChain``. With pairs ``fit(X, y)`` the noisy and clean
        series get the same transform. Validation series are not augmented.
    normalize : bool, "standard" or "rms", default=True
        Standardise each series (per channel) by the mean and standard deviation
        of the input and undo it on the output (True or ``"standard"``), which
        makes the denoiser equivariant to scale and offset:
        ``transform(a * X + b)`` equals ``a * transform(X) + b`` for ``a > 0``
        (a U-Net with ``level_input=True`` reads the scale, and is
        equivariant to offset only).
        The network then never sees the series' offset, so it cannot remove
        one: in short windows of a long recording, drift slower than a window
        (baseline wander) comes back as the windows' offsets. ``"rms"`` divides
        each series by its root mean square only, so the network sees the
        offset and can learn to remove it (equivariant to scale, not to
        offset); train it on clean series whose offset is what you want back
        (for example mean-free recordings). When normalising, a constant
        series or channel (all zeros for ``"rms"``: a lead off, a flat stretch
        of a recording) comes back unchanged. False: no normalisation.
    optimizer : {"adam", "adamw", "rmsprop", "sgd"}, default="adam"
        Keras optimizer.
    learning_rate : float, default=1e-3
        Learning rate of the optimizer.
    weight_decay : float, default=0.0
        Decoupled weight decay of the optimizer (0 disables it).
    ema_momentum : float in (0, 1) or None, default=None
        Keep an exponential moving average of the weights while training, with
        this momentum (it spans about ``1 / (1 - ema_momentum)`` steps; the
        momentum grows to this value over the first steps): validation, early
        stopping and the trained network use the average, while the optimizer
        goes on from its own weights within the call (a later ``partial_fit``
        starts from the average). None: the weights of the last step.
    loss : {"mse", "mae", "huber", "snr", "snr_l1", "ssd_mad"}, default="mse"
        Reconstruction loss. ``"snr"`` is minus the output SNR in dB of each
        series, so that every series counts the same whatever its noise level;
        ``"snr_l1"`` the same on absolute errors, smoothed near zero (the
        median rather than the mean of what the clean series may be, which
        shrinks doubtful peaks less); ``"ssd_mad"`` is the sum of a series'
        squared errors plus 50 times the largest (the loss of DeepFilter's
        paper; see :ref:`the user guide <choosing-a-loss>`).
    epochs : int, default=20
        Number of passes over the training series, of
        ``ceil(n_series / batch_size)`` steps each.
    batch_size : int, default=32
        Series per gradient step (all of them, each once, when there are
        fewer). Every step takes this many: the last step of an epoch fills
        its batch from the start of the epoch's shuffled order, so up to
        ``batch_size - 1`` series are seen twice in an epoch (with noise and
        augmentation drawn afresh).
    validation_split : float, default=0.1
        Fraction of the series held out (chosen at random) to report
        ``val_loss``, drive early stopping and calibrate the ``gate``. Ignored
        when ``fit`` is given ``validation_data`` (whole recordings held apart,
        which measure better what an unseen recording gets).
    patience : int or None, default=None
        Stop after this many epochs without improvement of the validation loss
        (of the training loss when ``validation_split=0``) and restore the best
        weights. None trains for all ``epochs``.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks for training.
    clean_fraction : float in [0, 1), default=0.0
        Share of the training series (drawn afresh for every batch) whose input
        is the clean series itself, so that the network learns to leave a
        signal with nothing to remove alone. Use it with ``loss="snr"`` (or
        ``"snr_l1"``), whose soft cap at 30 dB keeps those series from
        dominating training.
    noise_curriculum : (start_db, share) or None, default=None
        A hard-first curriculum over the levels of the noise added on the fly
        (``noise``, or the white noise of ``fit(X)``, whose ``snr`` must be a
        range ``(low, high)``): the highest SNR of the training noise starts
        at ``start_db`` and rises linearly to ``high`` over the first
        ``share`` of the training steps (of all ``epochs``; ``partial_fit``
        calls go on with the schedule), while the lowest stays ``low``. The
        network first learns to remove noise, then to leave a nearly clean
        input alone; validation noise keeps the whole range. On the ECG
        benchmark ``(12, 0.5)`` with ``snr=(-6, 30)`` gave a lower validation
        loss than no curriculum. None: every step draws from the whole range.
    gate : {"isotonic"} or None, default="isotonic"
        The no-harm gate: after training, the network's correction
        ``f(x) - x`` is scaled per series and channel by a factor in [0, 1]
        that depends on the series' own estimated SNR
        ``10 log10(|f(x) - m|^2 / |f(x) - x|^2)`` (``m`` the input's mean), a
        non-increasing function fitted by isotonic regression on the validation
        series (never on the training ones), so that an input the network
        would only distort comes back nearly unchanged. It needs validation
        series (``validation_split`` or ``validation_data``; at least 10 series
        and channels: with the default ``validation_split`` of 0.1, about 95
        training series of one channel); without them it is off, and
        ``gate_snr_`` is None. None switches it off. As the other settings of
        ``fit``, changing it after ``fit`` takes effect at the next ``fit``
        (``transform`` applies the gate it fitted).
    average_flips : bool, default=False
        Average the outputs for each series, its negation, its time reversal
        and both (each flipped back): four network passes for a lower error,
        worth it for networks trained with flips in ``augment``. Unlike the
        gate and the passes, ``transform`` follows it when it is changed after
        ``fit`` (the gates fitted on the other setting apply).
    n_passes : int or "auto", default=1
        Denoising passes: pass ``k`` feeds the output of pass ``k - 1`` to the
        network again, each pass through its own gate, fitted like the first
        on the validation series (the passes before it applied), so that a
        pass that would only distort is scaled down. A network trained on a
        range of noise levels often leaves part of a strong, signal-like noise
        (electrode motion on an ECG) that a second look removes. ``"auto"``
        chooses the number after training on the validation series (changed
        after ``fit``, it takes effect at the next ``fit``): it adds
        passes (at most 8) while each raises their mean output SNR by at least
        0.2 dB and does not lower it on their cleanest third (by input SNR),
        both scored with the pass's gate fitted on the other half of the
        validation series (in their order: give them grouped by recording),
        so that a pass is judged on series its gate did not see (when the
        smaller half holds fewer than 10 series and channels, too few for a
        gate, on the series its gate was fitted on, which favours more
        passes);
        without validation series (or with blind-spot training) it keeps one
        pass with a warning. An int runs that many passes (their
        gates need validation series). ``transform`` costs ``n_passes_``
        times one pass.
    precision : {"float32", "mixed_bfloat16", "mixed_float16"}, default="float32"
        Keras dtype policy of the network's layers. The mixed policies compute
        in 16 bits with float32 weights and outputs: on CPUs with bfloat16
        units (and GPUs with tensor cores) they train about twice as fast.
        On GPUs, bfloat16 runs in hardware from NVIDIA's Ampere on (A100,
        H100); older ones with tensor cores (V100, T4) have float16 only.
    jit_compile : bool or "auto", default="auto"
        Compile the training step (and the validation loss) with XLA.
        ``"auto"`` leaves it to Keras: XLA on a GPU, not on a CPU, nor under
        a distribution strategy (where True is refused). XLA's first step
        costs a compilation (seconds to a minute, and one more per batch
        size; a later ``partial_fit`` reuses it); after it, a step may be
        much faster or slower depending on the machine: on a 2-core AMD EPYC
        (AVX2) the ECG benchmark's U-Net trained about twice as fast per step
        with it, on a Xeon with AVX-512 and AMX 3.4 times slower. Measure
        before choosing. Inference (``transform``, ``predict``) runs as
        Keras' ``"auto"`` compiles it either way. The trained weights differ
        from those of the other setting by rounding, and with dropout or the
        VAE's sampling by their random draws too (each setting reproducible
        with a ``random_state``). Fits of a few steps run eagerly and ignore
        it; Keras trains a network with recurrent layers on a GPU without
        XLA, and says so.
    training : {"supervised", "blind_spot"}, default="supervised"
        ``"supervised"`` learns from targets (``fit(X, y)`` with clean ``y``,
        or a second noisy copy for Noise2Noise; or clean ``X`` with noise
        added). ``"blind_spot"`` needs no clean data: ``fit(X)`` takes ``X``
        as noisy (no noise is added unless ``noise`` is given) and the network
        learns to predict hidden samples from their neighbours (Noise2Self,
        Noise2Void), which removes noise that is independent of the signal and
        across more than ``(mask_width - 1) // 2`` samples. A ``y`` is ignored with
        a ``TargetIgnoredWarning``; ``clean_fraction`` is not used; the
        validation loss is the masked loss on held-out noisy series; the gate
        is off (it needs clean series). See :ref:`self-supervised`.
    mask_width : int, default=1
        Width in samples of each hidden span of blind-spot training; the loss
        is measured at the span's centre (wider for noise correlated over a
        few samples; an odd width centres the span, an even one covers noise
        correlated over ``(mask_width - 1) // 2`` samples only).
    mask_fraction : float in (0, 1), default=0.05
        Share of the samples hidden per series and batch in blind-spot
        training (each replaced by a random visible neighbour), at most
        ``mask_width / (mask_width + 1)``; the spans fall at the same
        positions in every channel of a series.
    uncertainty : {"mc_dropout", "ensemble", "sampling", "flips"} or None, \
default=None
        How ``predict(X, return_std=True)`` estimates the per-sample standard
        deviation of the output. ``"flips"``: the spread of the network's
        outputs for the series, its negation, its time reversal and both, each
        flipped back (the four passes that ``average_flips=True`` averages);
        no training and four passes at prediction, for a network trained with
        sign and time flips (``augment``). ``"mc_dropout"``: the spread of
        ``uncertainty_samples`` passes with the network's dropout on (needs
        ``dropout > 0``, in the networks that have a ``dropout`` parameter;
        batch normalisation stays in inference mode).
        ``"ensemble"``: ``n_members`` networks trained with seeds derived
        from ``random_state``, one after another (``n_members`` times the
        training time) or ``n_jobs`` at a time; ``transform`` then returns the
        members' mean, usually better than one network. ``"sampling"``:
        decodes draws of the latent code (:class:`VAEDenoiser` only). With
        ``average_flips``, each pass runs on the four flips and the spread is
        over every pass and flip. The
        spread is calibrated after training on the validation series
        (``validation_split`` or ``validation_data``, as the gate), so that
        ``mean +/- 1.96 std`` holds about 95 % of the clean samples at every
        noise level; :meth:`calibrate_uncertainty` calibrates it again on
        other held-out series, or calibrates ``"flips"`` (or
        ``"mc_dropout"``) set after ``fit``. None: no uncertainty.
    n_members : int, default=5
        Networks in the ensemble of ``uncertainty="ensemble"``.
    n_jobs : int or None, default=None
        Networks of ``uncertainty="ensemble"`` trained at the same time. None
        or 1: one after another in this process. ``k > 1``: this process
        trains ``model_`` while up to ``k - 1`` joblib worker processes
        (``loky``) train the other members, each with ``cpu_count() // k``
        TensorFlow threads; -1 uses all cores. A member trained with another
        number of threads than in this process differs from the one trained
        here in turn by rounding, which grows with training (after 30 epochs
        of a small U-Net, outputs 2 % of the peak apart): for the same
        members either way, set ``TF_NUM_INTRAOP_THREADS`` and
        ``TF_NUM_INTEROP_THREADS`` before the first fit (to 1 with ``k``
        workers on ``k`` cores, say). Worth it for long trainings on several cores: each
        worker first imports TensorFlow (seconds), and this process keeps
        its own threads. On two cores two members of half a minute each
        trained 1.12 times faster; over 15 minutes the two made 1.47 times
        the steps of one network with both cores. Everything the estimator
        holds (callbacks, noise, augmentation) must be picklable. Where
        TensorFlow sees a GPU, the members train one after another in this
        process whatever ``n_jobs`` says (worker processes would each start a
        runtime on the device that this process holds).
    uncertainty_samples : int, default=16
        Stochastic passes of ``uncertainty="mc_dropout"`` and ``"sampling"``.
        ``predict`` draws as many passes as its calibration did (in ``fit``
        or :meth:`calibrate_uncertainty`): a value set after that takes
        effect at the next calibration.
    random_state : int, RandomState instance or None, default=None
        Seed of the weight initialisation, shuffling, noise and dropout. The same
        int gives the same fitted model and outputs. With an int or a
        RandomState the global random states (Python, NumPy, TensorFlow) are
        left as they were; None draws the seed from NumPy's global generator,
        as scikit-learn's estimators do.
    verbose : int, default=0
        0 prints nothing, 1 prints a line per epoch with the loss and
        ``val_loss`` (after a line with the epoch's number when ``epochs`` is
        more than 1), 2 shows a progress bar."""

_COMMON_ATTRIBUTES = """Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : dict of str to list of float
        Loss (and validation loss) per epoch, one value per epoch under every
        key: NaN for the epochs of a ``partial_fit`` that had no validation
        series where others had.
    n_epochs_ : int
        Number of epochs run (fewer than ``epochs`` after early stopping).
    n_features_in_ : int
        Number of timesteps of the series seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the timesteps (columns) seen in ``fit``; defined only when
        ``X`` has column names that are all strings.
    n_channels_in_ : int
        Number of channels of the series seen in ``fit``.
    gate_snr_, gate_scale_ : ndarray of shape (n_points,) or None
        The fitted gate: scales at estimated SNRs in dB (linear in between,
        constant beyond); None when the gate is off.
    n_passes_ : int
        Denoising passes of ``transform`` (``n_passes``, or the number
        ``"auto"`` chose).
    pass_gates_ : list of (ndarray, ndarray) or (None, None)
        The gate of each pass after the first (``n_passes_ - 1`` pairs of
        breakpoints and scales, as ``gate_snr_`` and ``gate_scale_``).
    target_scale_, target_offset_ : ndarray
        The affine map from X's units to y's learned in ``fit`` (the identity
        when the pairs can be in the same units: a clean or a noisy y).
    ensemble_members_ : list of keras.Model
        With ``uncertainty="ensemble"``: the ``n_members - 1`` networks other
        than ``model_``.
    uncertainty_ : str
        The ``uncertainty`` fitted (absent when None).
    std_weights_, std_noise_levels_, std_levels_, std_log_factors_ : ndarray
        The calibration of the standard deviation: weights of the log spread
        and the log removed noise in the scale, and for bins of the log
        removed noise (``std_noise_levels_``) the log factor applied at log
        scales ``std_levels_`` (absent when ``uncertainty`` is None).
    std_input_range_ : ndarray of shape (2, n_channels) or None
        The 1st and 99th percentiles of the calibration series' RMS per
        channel (the output's units; flat series left out):
        ``predict(X, return_std=True)`` warns when the median RMS of a
        channel's series lies more than ten times outside it (inputs in other
        units get a std calibrated for other noise levels). None when not
        calibrated on validation series."""


def _document(cls):
    cls.__doc__ = cls.__doc__.replace("%(common)s", _COMMON_DOC).replace(
        "%(attributes)s", _COMMON_ATTRIBUTES
    )
    return cls


_COMMON_CONSTRAINTS = BaseNeuralDenoiser._common_parameter_constraints
_POSITIVE_INT = [Interval(numbers.Integral, 1, None, closed="left")]
_DROPOUT = [Interval(numbers.Real, 0, 1, closed="left")]


@_document
class LSTMDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """Recurrent denoiser with LSTM cells, sequence to sequence.

    Stacked, by default bidirectional, LSTM layers read the noisy series and a
    linear layer gives one denoised value per timestep and channel.

    Parameters
    ----------
    units : int, default=32
        Units per LSTM layer (per direction).
    n_layers : int, default=2
        Number of stacked LSTM layers.
    bidirectional : bool, default=True
        Whether each layer reads the series in both directions.
    activation : str, default="tanh"
        Activation of the cells ("tanh" keeps the fast cuDNN kernels on a GPU).
    dropout : float, default=0.0
        Dropout on the inputs of each LSTM layer.
    %(common)s

    %(attributes)s

    See Also
    --------
    GRUDenoiser : The same network with GRU cells.
    CNNLSTMDenoiser : Convolutions before the LSTM, on a shorter sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import LSTMDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 64) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = LSTMDenoiser(units=8, n_layers=1, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 64)
    """

    _cell = "lstm"
    _eager_short_fits = False

    _parameter_constraints = {
        "units": _POSITIVE_INT,
        "n_layers": _POSITIVE_INT,
        "bidirectional": ["boolean"],
        "activation": [str],
        "dropout": _DROPOUT,
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {**super()._get_test_params(), **{"units": 4, "n_layers": 1}}

    def __init__(
        self,
        units=32,
        n_layers=2,
        bidirectional=True,
        activation="tanh",
        dropout=0.0,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _build_network(self, n_timesteps, n_channels):
        return build_recurrent(
            n_timesteps,
            n_channels,
            cell=self._cell,
            units=self.units,
            n_layers=self.n_layers,
            bidirectional=self.bidirectional,
            activation=self.activation,
            dropout=self.dropout,
        )


@_document
class GRUDenoiser(LSTMDenoiser):
    """Recurrent denoiser with GRU cells, sequence to sequence.

    The same network as :class:`LSTMDenoiser` with GRU cells, which have fewer
    weights and train faster.

    Parameters
    ----------
    units : int, default=32
        Units per GRU layer (per direction).
    n_layers : int, default=2
        Number of stacked GRU layers.
    bidirectional : bool, default=True
        Whether each layer reads the series in both directions.
    activation : str, default="tanh"
        Activation of the cells.
    dropout : float, default=0.0
        Dropout on the inputs of each GRU layer.
    %(common)s

    %(attributes)s

    See Also
    --------
    LSTMDenoiser : The same network with LSTM cells.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import GRUDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 64) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = GRUDenoiser(units=8, n_layers=1, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 64)
    """

    _cell = "gru"


@_document
class CNNLSTMDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """Convolutional feature extraction, an LSTM on the pooled sequence, upsampling.

    Two convolutions extract local features, max pooling shortens the sequence
    by ``pool_size``, a (bidirectional) LSTM runs over the pooled sequence,
    upsampling restores the full length and, joined with the full-resolution
    features, a convolution gives the denoised series. Series whose length is
    not a multiple of ``pool_size`` are padded (by reflection) and cropped.

    Parameters
    ----------
    filters : int, default=32
        Filters of the convolutions.
    kernel_size : int, default=5
        Width of the convolutions.
    pool_size : int, default=2
        Pooling and upsampling factor.
    units : int, default=32
        Units of the LSTM (per direction).
    bidirectional : bool, default=True
        Whether the LSTM reads both directions.
    dropout : float, default=0.0
        Dropout after the convolutions and on the LSTM inputs.
    %(common)s

    %(attributes)s

    See Also
    --------
    LSTMDenoiser : A purely recurrent denoiser.
    UNetDenoiser : A purely convolutional encoder-decoder.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import CNNLSTMDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 63) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = CNNLSTMDenoiser(filters=8, units=8, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 63)
    """

    _eager_short_fits = False

    _parameter_constraints = {
        "filters": _POSITIVE_INT,
        "kernel_size": _POSITIVE_INT,
        "pool_size": _POSITIVE_INT,
        "units": _POSITIVE_INT,
        "bidirectional": ["boolean"],
        "dropout": _DROPOUT,
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {
            **super()._get_test_params(),
            **{"filters": 4, "kernel_size": 3, "units": 4},
        }

    def __init__(
        self,
        filters=32,
        kernel_size=5,
        pool_size=2,
        units=32,
        bidirectional=True,
        dropout=0.0,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _length_multiple(self):
        return self.pool_size

    def _build_network(self, n_timesteps, n_channels):
        return build_cnn_lstm(
            n_timesteps,
            n_channels,
            filters=self.filters,
            kernel_size=self.kernel_size,
            pool_size=self.pool_size,
            units=self.units,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
        )


@_document
class ConvAutoencoderDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """Fully convolutional denoising autoencoder with a narrow bottleneck.

    A strided convolutional encoder halves the length ``depth`` times, a code of
    ``bottleneck_filters`` channels forms the bottleneck and a transposed
    convolutional decoder restores the series. Without skip connections the
    signal must pass through the bottleneck, which is what removes the noise.
    Series of any length are padded (by reflection) to a multiple of
    ``2 ** depth`` and cropped back.

    Parameters
    ----------
    filters : int, default=16
        Filters of the first level, doubling at each level.
    depth : int, default=3
        Number of strided levels.
    kernel_size : int, default=7
        Width of the convolutions.
    bottleneck_filters : int, default=8
        Width of the code at the bottleneck.
    dropout : float, default=0.0
        Dropout after each encoder level.
    %(common)s

    %(attributes)s

    See Also
    --------
    VAEDenoiser : A variational autoencoder.
    UNetDenoiser : An encoder-decoder with skip connections.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import ConvAutoencoderDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 100) + rng.uniform(0, 6, (16, 1)))
    >>> model = ConvAutoencoderDenoiser(filters=4, depth=2, epochs=2, random_state=0)
    >>> model.fit(clean).transform(clean).shape  # X taken as clean, noise added
    (16, 100)
    """

    _parameter_constraints = {
        "filters": _POSITIVE_INT,
        "depth": [Interval(numbers.Integral, 0, None, closed="left")],
        "kernel_size": _POSITIVE_INT,
        "bottleneck_filters": _POSITIVE_INT,
        "dropout": _DROPOUT,
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {
            **super()._get_test_params(),
            **{"filters": 4, "depth": 2, "kernel_size": 3, "bottleneck_filters": 2},
        }

    def __init__(
        self,
        filters=16,
        depth=3,
        kernel_size=7,
        bottleneck_filters=8,
        dropout=0.0,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _length_multiple(self):
        return 2**self.depth

    def _build_network(self, n_timesteps, n_channels):
        return build_conv_autoencoder(
            n_timesteps,
            n_channels,
            filters=self.filters,
            depth=self.depth,
            kernel_size=self.kernel_size,
            bottleneck_filters=self.bottleneck_filters,
            dropout=self.dropout,
        )


@_document
class VAEDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """Variational autoencoder trained to decode the clean series.

    A strided convolutional encoder gives ``z_mean`` and ``z_log_var`` of a
    ``latent_dim``-dimensional code; a reparameterised sample
    ``z = z_mean + exp(z_log_var / 2) * eps`` (``eps`` from a seeded generator)
    is decoded to the clean target. The training loss is the reconstruction
    loss plus ``beta`` times the KL divergence to a standard normal prior,
    divided by the number of values per (padded) series, so that with
    ``loss="mse"`` both terms are per value (the SNR and ``ssd_mad`` losses are
    not per value: there ``beta`` weighs the KL term on another scale).
    ``transform`` decodes the mean, so it is deterministic.

    Parameters
    ----------
    filters : int, default=16
        Filters of the first encoder level, doubling at each level.
    depth : int, default=3
        Number of strided levels.
    kernel_size : int, default=7
        Width of the convolutions.
    latent_dim : int, default=16
        Size of the latent code.
    beta : float, default=0.1
        Weight of the KL term.
    dropout : float, default=0.0
        Dropout after each encoder level.
    %(common)s

    %(attributes)s

    See Also
    --------
    ConvAutoencoderDenoiser : A deterministic convolutional autoencoder.

    Notes
    -----
    The latent code is global to the series, so the VAE suits series of a fixed,
    moderate length (a few hundred to a few thousand samples); use
    :class:`UNetDenoiser` for fine detail.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import VAEDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 100) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.5, clean.shape)
    >>> model = VAEDenoiser(filters=4, depth=2, latent_dim=4, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 100)
    """

    _parameter_constraints = {
        "filters": _POSITIVE_INT,
        "depth": [Interval(numbers.Integral, 0, None, closed="left")],
        "kernel_size": _POSITIVE_INT,
        "latent_dim": _POSITIVE_INT,
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "dropout": _DROPOUT,
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {
            **super()._get_test_params(),
            **{"filters": 4, "depth": 2, "kernel_size": 3, "latent_dim": 2},
        }

    def __init__(
        self,
        filters=16,
        depth=3,
        kernel_size=7,
        latent_dim=16,
        beta=0.1,
        dropout=0.0,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _length_multiple(self):
        return 2**self.depth

    def _build_network(self, n_timesteps, n_channels):
        return build_vae(
            n_timesteps,
            n_channels,
            filters=self.filters,
            depth=self.depth,
            kernel_size=self.kernel_size,
            latent_dim=self.latent_dim,
            beta=self.beta,
            dropout=self.dropout,
        )


@_document
class UNetDenoiser(SeriesTransformerMixin, BaseNeuralDenoiser):
    """One-dimensional U-Net: convolutional encoder-decoder with skip connections.

    Each encoder level applies two convolutions and halves the length while the
    filters double; the decoder mirrors it and concatenates the encoder features
    of the same resolution, so fine detail survives. By default the network
    predicts the correction to the noisy input (``residual=True``). Series of
    any length are padded (by reflection) to a multiple of ``2 ** depth`` and
    cropped back. The strongest general-purpose default of the package.

    Parameters
    ----------
    filters : int, default=16
        Filters at the first level, doubling at each level.
    depth : int, default=3
        Number of down-sampling levels.
    kernel_size : int, default=9
        Width of the convolutions.
    dropout : float, default=0.0
        Dropout at the bottleneck.
    residual : bool, default=True
        Learn the correction to the input rather than the clean series.
    max_filters : int or None, default=None
        Most filters of a level: the doubling stops there. The deepest levels
        cost the most, so a cap buys depth (a receptive field over the whole
        window) for little time. None: no cap.
    attention_heads : int, default=0
        Heads of a self-attention block at the bottleneck (as in transformer
        denoisers): every position of the shortest level attends to every
        other. 0: none.
    global_context : bool, default=False
        A squeeze-and-excitation block after the bottleneck: the features
        averaged over the whole series (a summary such as its noise level)
        scale each channel, so that every time step is denoised knowing the
        series as a whole.
    batch_norm : bool, default=False
        Batch normalisation between each convolution and its ReLU: every
        layer's features standardised over the batch while training (by their
        running statistics afterwards), which speeds up learning per step.
    level_input : bool, default=False
        Tell the network how large each series was. ``normalize`` divides
        every series by its own scale, so the network alone cannot tell a
        quiet recording from a loud, noisy one; with ``level_input`` it reads
        one more channel per series channel, constant along time:
        ``log(scale) - level_reference_``, the log of the scale the series
        was divided by, relative to the median over the training series (a
        noise-level map in the manner of FFDNet [1]_, with the series' own
        level standing in for the noise estimate). On the ECG benchmark it
        removed more electrode motion, but over a 15-minute budget on two
        CPU cores it was no better overall
        (``benchmarks/results/ecg_recipe_ablation/level_input/``). The
        denoiser is then not equivariant to scale (with ``normalize=True`` it
        still is to offset): give it series in the units it was trained on.
        Needs ``normalize``.
    %(common)s

    %(attributes)s
    level_reference_ : ndarray of shape (n_channels,)
        With ``level_input``: per channel, the median natural log of the
        scales of the series ``fit`` was given as ``X`` (those ``normalize``
        divides by; the clean series when the noise is added on the fly),
        subtracted from each series' log scale to make its level channel.
        Absent otherwise.

    See Also
    --------
    ConvAutoencoderDenoiser : Encoder-decoder without skip connections.
    skdenoise.pipeline.WindowedDenoiser : Apply a denoiser to long recordings window
        by window.

    References
    ----------
    .. [1] K. Zhang, W. Zuo and L. Zhang, "FFDNet: Toward a Fast and Flexible
       Solution for CNN-Based Image Denoising", IEEE Transactions on Image
       Processing, 27(9), pp. 4608-4622, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skdenoise import UNetDenoiser
    >>> rng = np.random.default_rng(0)
    >>> clean = np.sin(np.linspace(0, 10, 100) + rng.uniform(0, 6, (16, 1)))
    >>> noisy = clean + rng.normal(0, 0.3, clean.shape)
    >>> model = UNetDenoiser(filters=4, depth=2, epochs=2, random_state=0)
    >>> model.fit(noisy, clean).transform(noisy).shape
    (16, 100)
    """

    _parameter_constraints = {
        "filters": _POSITIVE_INT,
        "depth": [Interval(numbers.Integral, 0, None, closed="left")],
        "kernel_size": _POSITIVE_INT,
        "dropout": _DROPOUT,
        "residual": ["boolean"],
        "max_filters": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "attention_heads": [Interval(numbers.Integral, 0, None, closed="left")],
        "global_context": ["boolean"],
        "batch_norm": ["boolean"],
        "level_input": ["boolean"],
        **_COMMON_CONSTRAINTS,
    }

    @classmethod
    def _get_test_params(cls):
        return {
            **super()._get_test_params(),
            **{"filters": 4, "depth": 2, "kernel_size": 3},
        }

    def __init__(
        self,
        filters=16,
        depth=3,
        kernel_size=9,
        dropout=0.0,
        residual=True,
        max_filters=None,
        attention_heads=0,
        global_context=False,
        batch_norm=False,
        level_input=False,
        *,
        noise=None,
        augment=None,
        normalize=True,
        optimizer="adam",
        learning_rate=1e-3,
        weight_decay=0.0,
        ema_momentum=None,
        loss="mse",
        epochs=20,
        batch_size=32,
        validation_split=0.1,
        patience=None,
        callbacks=None,
        clean_fraction=0.0,
        noise_curriculum=None,
        gate="isotonic",
        average_flips=False,
        n_passes=1,
        precision="float32",
        jit_compile="auto",
        training="supervised",
        mask_width=1,
        mask_fraction=0.05,
        uncertainty=None,
        n_members=5,
        n_jobs=None,
        uncertainty_samples=16,
        random_state=None,
        verbose=0,
    ):
        store_init_args(self, locals())

    def _validate_params(self):
        super()._validate_params()
        if self.level_input and not self.normalize:
            raise ValueError(
                f"{type(self).__name__}(level_input=True) gives the network the "
                "scale each series is divided by, and normalize=False divides by "
                "none. Set normalize=True (or 'rms'), or level_input=False."
            )

    def _level_input(self):
        return bool(self.level_input)

    def _length_multiple(self):
        return 2**self.depth

    def _build_network(self, n_timesteps, n_channels):
        return build_unet(
            n_timesteps,
            n_channels,
            n_conditions=n_channels if self.level_input else 0,
            filters=self.filters,
            depth=self.depth,
            kernel_size=self.kernel_size,
            dropout=self.dropout,
            residual=self.residual,
            max_filters=self.max_filters,
            attention_heads=self.attention_heads,
            global_context=self.global_context,
            batch_norm=self.batch_norm,
        )
