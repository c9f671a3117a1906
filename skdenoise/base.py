"""The template every denoiser of the package follows.

:class:`BaseDenoiser` owns the public contract, written once: ``fit`` validates
the series (and their clean versions), applies the package's one policy for a
``y`` that cannot be a clean target, records the fitted shape and calls the
family's ``_fit(X3, y3)`` hook on 3-D float arrays; ``transform`` checks the
fitted shape, calls ``_transform(X3)`` and restores the input's dimensions and
dtype; ``score`` is the mean SNR in dB. Importing this module does not import
TensorFlow.
"""

import contextlib
import sys

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils._set_output import _get_output_config, _wrap_data_with_container
from sklearn.utils._tags import TransformerTags
from sklearn.utils.validation import (
    _check_feature_names,
    check_is_fitted,
)

from ._validation import (
    as_3d,
    as_input_dtype,
    as_rectangular,
    check_series,
    check_target,
    is_wfdb_record,
    no_clean_series_advice,
    refuse_bools,
    restore_ndim,
    transform_as_arrays,
)
from ._warnings import warn_at_caller
from .exceptions import TargetIgnoredWarning
from .metrics import _scored_snr, _series_with_snr, _weighted_mean

__all__ = ["BaseDenoiser", "SeriesTransformerMixin"]


def pipelines_on_stack(frame):
    """``(pipeline, index)`` of each scikit-learn ``Pipeline`` running on the stack.

    Innermost first, from ``frame`` outwards. ``index`` is the step the
    pipeline is running (fitting or transforming), or None where it cannot be
    told: the ``step_idx`` of ``Pipeline._fit`` (which fits clones of its steps
    when it has a memory), else the step found among the frame's locals, else
    the final step for a ``fit`` method (which fits it last).
    """
    from sklearn.pipeline import Pipeline

    seen = set()
    below = set()  # the objects whose methods run below this frame
    while frame is not None:
        owner = frame.f_locals.get("self")
        if isinstance(owner, Pipeline) and id(owner) not in seen:
            seen.add(id(owner))
            steps = [step for _, step in owner.steps]
            index = frame.f_locals.get("step_idx")
            if not isinstance(index, int):
                # The step whose method runs below: a loop variable of the
                # pipeline's (predict's ``transform``) may name an earlier one.
                index = next(
                    (i for i, step in enumerate(steps) if id(step) in below), None
                )
            if index is None and frame.f_code.co_name.startswith("fit"):
                index = len(steps) - 1
            yield owner, index
        if owner is not None:
            below.add(id(owner))
        frame = frame.f_back


def flat_steps(steps):
    """The steps of a list of steps, those of nested Pipelines in their place."""
    for step in steps:
        inner = getattr(step, "steps", None)
        if isinstance(inner, list):
            yield from flat_steps([s for _, s in inner])
        else:
            yield step


def series_tags(tags):
    """Set the tags shared by every estimator working on batches of series."""
    tags.input_tags.three_d_array = True
    tags.input_tags.allow_nan = False
    tags.input_tags.sparse = False
    tags.target_tags.required = False
    if tags.transformer_tags is None:
        tags.transformer_tags = TransformerTags()
    tags.transformer_tags.preserves_dtype = ["float64", "float32"]
    return tags


class SeriesTransformerMixin(TransformerMixin):
    """scikit-learn's ``TransformerMixin`` with the tags of series transformers.

    ``TransformerMixin`` resets the transformer tags that the base class set
    (to float64 only) when it comes first in the class's bases; this puts them
    back, so that float32 series are declared kept as float32. Put it first
    in the bases of a denoiser of your own, as the package's are.

    Examples
    --------
    >>> from skdenoise.base import BaseDenoiser, SeriesTransformerMixin
    >>> class Halve(SeriesTransformerMixin, BaseDenoiser):
    ...     def _fit(self, X3, y3):
    ...         return self
    ...
    ...     def _transform(self, X3):
    ...         return X3 / 2
    >>> Halve().fit_transform([[2.0, 4.0, 6.0]])
    array([[1., 2., 3.]])
    """

    def __sklearn_tags__(self):
        return series_tags(super().__sklearn_tags__())

    def fit_transform(self, X, y=None, **fit_params):
        """Fit to the series, then return them transformed.

        scikit-learn's ``fit_transform``, which refuses series with channels
        before fitting where ``set_output`` asks for a table of a denoiser's
        output (they cannot be one): a network would otherwise train in full
        before the error.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or \
(n_series, n_timesteps, n_channels)
            The series.
        y : array-like, default=None
            As for ``fit``.
        **fit_params : dict
            Passed to ``fit``.

        Returns
        -------
        X_new : ndarray or table
            The transformed series.
        """
        dense = _get_output_config("transform", self)["dense"]
        # A denoiser's output has the shape of its input (a transformer of
        # the user's own may drop the channels).
        if dense != "default" and isinstance(self, BaseDenoiser):
            try:
                shape = np.shape(X)
            except ValueError:  # a ragged list: fit names the problem
                shape = ()
            if len(shape) == 3:  # (a view of one number: no memory)
                check_output_container(self, np.broadcast_to(np.empty(()), shape))
        return super().fit_transform(X, y, **fit_params)


def check_output_container(estimator, out):
    """A clear error where ``set_output`` asks for a table that cannot hold ``out``.

    ``set_output(transform="pandas")`` (or ``"polars"``, or the global
    ``transform_output``) turns the output of ``transform`` into a table of 2-D
    series with the column names of :meth:`get_feature_names_out`; 3-D series,
    or series of another length than in ``fit``, do not fit in it.
    """
    dense = _get_output_config("transform", estimator)["dense"]
    if dense == "default" or not hasattr(estimator, "get_feature_names_out"):
        return
    name = type(estimator).__name__
    if out.ndim != 2:
        raise ValueError(
            f"{name}: set_output(transform={dense!r}) makes a table of 2-D series, "
            f"but the output has shape {out.shape} (channels on the last axis). "
            "Use set_output(transform='default') for series with channels."
        )
    n_columns = len(estimator.get_feature_names_out())
    if out.shape[1] != n_columns:
        raise ValueError(
            f"{name}: set_output(transform={dense!r}) names the {n_columns} columns "
            f"seen in fit, but the output has {out.shape[1]} timesteps. Use "
            "set_output(transform='default') for series of other lengths."
        )


class SeriesShapeMixin:
    """Records the fitted shape of a batch of series and checks later batches.

    ``_any_length = True`` lets ``transform`` accept any number of timesteps.
    """

    _any_length = False

    def _warn_if_time_first(self, X, transforming=False):
        """Warn of many series of a few samples: a recording held time first.

        ``read_wfdb(...).signal`` and a DataFrame of leads are (n_samples,
        n_channels); read as series they are thousands of series of a few
        samples, denoised without a word into nonsense. ``transforming``: the
        call is a ``transform``, quiet within ``fit_transform`` (its ``fit``
        said it).
        """
        if np.ndim(X) != 2:
            return
        n_series, n_timesteps = np.shape(X)
        # At most 12 samples (the leads of an ECG), and 100 times as many rows.
        if (
            n_timesteps <= 12
            and n_series >= 100 * n_timesteps
            and self._called_alone()
            and not (transforming and self._in_fit_transform())
        ):
            warn_at_caller(
                f"{type(self).__name__} got X of shape {np.shape(X)}: "
                f"{n_series} series of {n_timesteps} sample(s) each. Series are "
                "rows, time along them; a recording with time down the rows (as "
                "read_wfdb's signal, or a DataFrame of leads) is transposed "
                "first (X.T, or shape (1, n_samples, n_channels) to keep its "
                "channels together). Series that short of their own are "
                "denoised as given.",
                UserWarning,
            )

    def _called_alone(self):
        """Whether neither another estimator nor the command line called this one.

        A wrapper's windows, and the command line's (which says what to do of
        a file's layout itself), are series as they should be. In a Pipeline
        the steps after the first that checks the layout get what it got:
        that one says it.
        """
        for pipeline, index in pipelines_on_stack(sys._getframe(1)):
            steps = [step for _, step in pipeline.steps]
            checker = next(
                (
                    i
                    for i, step in enumerate(steps)
                    if any(isinstance(s, SeriesShapeMixin) for s in flat_steps([step]))
                ),
                None,
            )
            if index is not None and checker is not None and index != checker:
                return False
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("skdenoise.cli"):
                return False
            if module.split(".")[0] == "skdenoise":
                caller = frame.f_locals.get("self")
                if isinstance(caller, BaseDenoiser) and caller is not self:
                    return False
            frame = frame.f_back
        return True

    def _in_fit_transform(self):
        """Whether this call is the transform of this estimator's fit_transform."""
        frame = sys._getframe(1)
        while frame is not None:
            if (
                frame.f_code.co_name == "fit_transform"
                and frame.f_locals.get("self") is self
            ):
                return True
            frame = frame.f_back
        return False

    def _record_fitted_shape(self, X3, X=None):
        """Record the shape of ``X3`` and the column names of the raw ``X``."""
        if X is not None:
            _check_feature_names(self, X, reset=True)
        self.n_features_in_ = X3.shape[1]
        self.n_channels_in_ = X3.shape[2]

    def _validate_transform_data(self, X):
        """``X`` checked against the fitted shape, and its float64 3-D view."""
        check_is_fitted(self)
        self._check_transform_params()
        raw = X
        X = check_series(X, estimator=self)
        self._warn_if_time_first(X, transforming=True)
        X3 = as_3d(X)
        self._check_fitted_shape(X3, raw)
        return X, X3.astype(np.float64, copy=False)

    # Parameters that transform reads as they are now (not fitted attributes):
    # checked against their constraints at every call, since set_params after
    # fit does not check them.
    _transform_params = ()

    def _check_transform_params(self):
        if self._transform_params:
            validate_parameter_constraints(
                {k: self._parameter_constraints[k] for k in self._transform_params},
                {k: getattr(self, k) for k in self._transform_params},
                caller_name=type(self).__name__,
            )

    def _check_names(self, X3, X):
        """Compare the raw ``X``'s column names with fit's (for the fitted length)."""
        if X is not None and (
            not self._any_length or X3.shape[1] == self.n_features_in_
        ):
            _check_feature_names(self, X, reset=False)

    def _check_fitted_shape(self, X3, X=None):
        """Check ``X3`` against the fitted shape, and the raw ``X``'s column names.

        Column names are compared (as scikit-learn does: an error when they
        differ, a warning when only one side has them) for series of the
        fitted length; an estimator that takes any length does not compare
        the names of series of another length.
        """
        self._check_names(X3, X)
        name = type(self).__name__
        if not self._any_length and X3.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X3.shape[1]} features, but {name} is expecting "
                f"{self.n_features_in_} features as input: the number of timesteps "
                f"must equal the {self.n_features_in_} seen in fit. Wrap the denoiser "
                "in WindowedDenoiser to denoise series of any length."
            )
        if X3.shape[2] != self.n_channels_in_:
            raise ValueError(
                f"X has {X3.shape[2]} channel(s), but {name} was fitted on "
                f"series with {self.n_channels_in_} channel(s)."
            )


def _forget_fit(estimator):
    """Remove every fitted attribute (a name ending in ``_``) of ``estimator``.

    Parameters are kept, even one whose name ends in ``_`` (a
    ``KerasDenoiser``'s ``model__lambda_``).
    """
    params = set(estimator.get_params(deep=False))
    for name in [
        name
        for name in vars(estimator)
        if name.endswith("_") and not name.startswith("__") and name not in params
    ]:
        delattr(estimator, name)


@contextlib.contextmanager
def _forget_fit_on_error(estimator, active=True):
    """Within it, an exception (when ``active``) removes every fitted attribute."""
    try:
        yield
    except BaseException:
        if active:
            _forget_fit(estimator)
        raise


class BaseDenoiser(OneToOneFeatureMixin, SeriesShapeMixin, BaseEstimator):
    """Base class of every denoiser: learned, classical or windowed.

    A denoiser maps a batch of noisy series of shape ``(n_series, n_timesteps)``
    or ``(n_series, n_timesteps, n_channels)`` to denoised series of the same
    shape. Subclasses write hooks only:

    - ``_fit(X3, y3)``: learn from float64 arrays of shape
      ``(n_series, n_timesteps, n_channels)``; ``y3`` is the clean series or
      None. Parameters are already validated (``_parameter_constraints``).
    - ``_transform(X3)``: return the denoised float64 array of ``X3``'s shape.
    - ``_min_timesteps``: the shortest series ``fit`` accepts.
    - ``_any_length`` (default False): True when ``transform`` takes series of
      another length than ``fit``'s.
    - ``_transform_params``: names of the parameters ``transform`` reads as
      they are now (checked against ``_parameter_constraints`` at each call,
      since ``set_params`` after ``fit`` checks nothing).
    - ``_learns_from_target`` (default True): False for a filter that learns
      nothing from ``y``, which then ignores with a warning a 2-D ``y`` of
      ``X``'s number of series and another width (the targets of a regressor
      after it in a Pipeline) instead of refusing it.

    ``X3`` and ``y3`` may be views of the caller's arrays: a hook must never
    write into them (``X3 - X3.mean(axis=1, keepdims=True)``, not ``X3 -=
    ...``), since nothing the user passes is modified. Combine the class
    with :class:`~skdenoise.base.SeriesTransformerMixin`, first, for a
    transformer's whole API (``fit_transform``, ``set_output``) that keeps
    float32 series float32:
    ``class MyFilter(SeriesTransformerMixin, BaseDenoiser)``, as the
    package's denoisers are written.

    A ``y`` of shape ``(n_series,)`` or ``(n_series, 1)`` (class labels or a
    regression target, as scikit-learn's generic tools and a Pipeline pass)
    cannot be a clean target: ``fit`` ignores it with a
    :class:`~skdenoise.exceptions.TargetIgnoredWarning`. Any other ``y`` must
    have ``X``'s shape, but for filters that learn nothing from ``y`` (the
    classical ones), which ignore with that warning any 2-D ``y`` of ``X``'s
    number of series and another width (a regressor's targets).

    Examples
    --------
    >>> from skdenoise import BaseDenoiser
    >>> from skdenoise.baselines import MedianDenoiser
    >>> issubclass(MedianDenoiser, BaseDenoiser)
    True
    """

    _min_timesteps = 1

    # Families and concrete classes merge theirs into this (none here).
    _parameter_constraints: dict = {}

    # ------------------------------------------------------------------ hooks
    def _fit(self, X3, y3):  # pragma: no cover - abstract
        raise NotImplementedError

    def _transform(self, X3):  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------- the contract
    def _validate_fit_data(self, X, y, *, min_timesteps=None):
        """``X`` and ``y`` validated once, as 3-D float arrays (y3 may be None)."""
        if min_timesteps is None:
            min_timesteps = self._min_timesteps
        X = check_series(X, estimator=self, min_timesteps=min_timesteps)
        self._warn_if_time_first(X)
        y = self._check_fit_target(y, X)
        X3 = as_3d(X).astype(np.float64, copy=False)
        y3 = None if y is None else as_3d(y).astype(np.float64, copy=False)
        return X3, y3

    def _check_fit_target(self, y, X):
        if y is None:
            return None
        if is_wfdb_record(y):
            raise ValueError(
                f"{type(self).__name__}.fit got a WFDBRecord as y; pass its samples "
                "as series, as for X: y.signal.T (a series per channel)."
            )
        if not hasattr(y, "ndim"):
            y = as_rectangular(
                y,
                f"y for {type(self).__name__}.fit",
                f"y must be the clean series, with X's shape {tuple(X.shape)}.",
            )
        if y.ndim == 1:
            if len(y) != X.shape[0]:
                raise ValueError(
                    f"{type(self).__name__}.fit got y with {len(y)} values for "
                    f"{X.shape[0]} series; y must be the clean series, with X's "
                    f"shape {tuple(X.shape)}."
                )
            warn_at_caller(
                f"{type(self).__name__}.fit got y of shape ({len(y)},), one value "
                "per series, which cannot be a clean target; it is ignored and X "
                "is used as described for fit(X). Pass y with X's shape "
                f"{tuple(X.shape)} to train on (noisy, clean) pairs.",
                TargetIgnoredWarning,
            )
            return None
        if (
            y.ndim == 2
            and y.shape[0] == X.shape[0]
            and tuple(y.shape) != tuple(X.shape[:2])
            and (
                (y.shape[1] == 1 and X.shape[1] != 1)
                or not getattr(self, "_learns_from_target", True)
            )
        ):
            # A column of targets, or any target of a filter that learns
            # nothing from y: those of an estimator after this one in a
            # Pipeline (a regressor's, a classifier's), as for a 1-D y.
            warn_at_caller(
                f"{type(self).__name__}.fit got y of shape {tuple(y.shape)}, "
                "which cannot be the clean series of X (shape "
                f"{tuple(X.shape)}); it is ignored"
                + (
                    " (this filter learns nothing from y)."
                    if not getattr(self, "_learns_from_target", True)
                    else " and X is used as described for fit(X). Pass y with "
                    "X's shape to train on (noisy, clean) pairs."
                ),
                TargetIgnoredWarning,
            )
            return None
        return check_target(y, X, estimator=self)

    def _validate_params(self):
        """scikit-learn's check of the parameters, and no bool for a number.

        scikit-learn's intervals take ``True`` as 1 and ``False`` as 0:
        ``epochs=True`` trained one epoch, ``BandpassDenoiser(notch=True)`` put
        a notch at 1 Hz, in the heart-rate band, without a word.
        """
        inner = self.get_params(deep=False).get("estimator")
        if isinstance(inner, type):
            # scikit-learn's HasMethods takes a class (its methods are there),
            # and clone then refuses it without naming the parameter.
            raise TypeError(
                f"The 'estimator' parameter of {type(self).__name__} must be an "
                f"estimator instance, such as {inner.__name__}(); got the class "
                f"{inner.__name__}."
            )
        super()._validate_params()
        refuse_bools(self)

    def _validate_fit_params(self, X3, y3, **fit_params):
        """The keyword arguments of ``_fit`` from those of ``fit`` (none here)."""
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected keyword argument(s) "
                f"{sorted(fit_params)}."
            )
        return {}

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **fit_params):
        """Fit the denoiser.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series (with ``y``) or series on their own.
        y : array-like of the same shape as X, default=None
            Clean series. A 1-D ``y`` with one value per series is not a clean
            target: it is ignored with a ``TargetIgnoredWarning``.
        **fit_params : dict
            Options of a family: the neural denoisers take
            ``validation_data`` (series held apart from training, for early
            stopping and the calibration of their gate; see
            :class:`~skdenoise.neural.BaseNeuralDenoiser`). The other families
            take none. Routed by a search (``set_fit_request``), pass it as a
            tuple ``(X_val, y_val)``: scikit-learn cuts a fit parameter that
            has as many rows as ``X`` to each fold's rows, and clean series
            alone of that number would reach each fold's fit in part.

        Returns
        -------
        self : object
            The fitted denoiser.

        Warns
        -----
        ConvergenceWarning
            A neural denoiser whose network, on its validation series, gives
            outputs no closer to the targets than its inputs, or less than
            0.1 % closer (it learned nothing usable: too few epochs, a
            collapsed or diverged training).
        """
        X3, y3 = self._validate_fit_data(X, y)
        options = self._validate_fit_params(X3, y3, **fit_params)
        self._record_fitted_shape(X3, X)
        # The sampling rate an earlier fit was made at (noted by the command
        # line or a ResampledDenoiser, which note it again) is not this fit's.
        vars(self).pop("_sampling_rate_", None)
        try:
            self._fit(X3, y3, **options)
        except BaseException:
            # A failed fit leaves no sign of having been fitted: nothing of an
            # earlier fit either, which no longer matches the parameters.
            _forget_fit(self)
            raise
        return self

    def transform(self, X):
        """Denoise series.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps) or (n_series, \
n_timesteps, n_channels)
            Noisy series with the channels (and, unless the denoiser accepts any
            length, the number of timesteps) seen in ``fit``.

        Returns
        -------
        X_denoised : ndarray of the same shape as X
            Denoised series, float32 for float32 input and float64 otherwise.
            ``X`` itself is left unchanged.
        """
        raw = X
        X, X3 = self._validate_transform_data(X)
        return self._transform_output(self._transform(X3), X3, X, raw)

    def _transform_output(self, out, X3, X, raw):
        """``transform``'s return value for the denoised ``out`` (3-D, float64)."""
        self._check_finite_output(out, X3)
        out = as_input_dtype(restore_ndim(out, X.ndim), X, type(self).__name__)
        check_output_container(self, out)
        # set_output wraps a transform that a TransformerMixin subclass defines
        # itself; this one is inherited, so it wraps its output here.
        return _wrap_data_with_container("transform", out, raw, self)

    def _check_finite_output(self, out, X3):
        """A clear error where finite series ``X3`` gave non-finite ``out``."""
        if not np.all(np.isfinite(out)):
            peak = float(np.max(np.abs(X3)))
            raise ValueError(
                f"{type(self).__name__} produced non-finite values from finite "
                f"series (largest magnitude {peak:.3g}): the computation overflowed. "
                "Rescale the series (divide them by a constant) before denoising."
            )

    def score(self, X, y=None, sample_weight=None):
        """Mean SNR in dB of ``transform(X)`` against the clean series ``y``.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps[, n_channels])
            Noisy series.
        y : array-like of the same shape
            Clean series (required: without a clean reference, score with
            :data:`~skdenoise.model_selection.self_supervised_scorer`).
        sample_weight : array-like of shape (n_series,), default=None
            Non-negative weights of the series in the mean, not all zero.

        Returns
        -------
        float
            Mean (or weighted mean) SNR of the denoised series, in dB. Clean
            series that are all zeros have no SNR: they are left out, with a
            warning (a ValueError when every one is), as by
            :data:`~skdenoise.metrics.snr_scorer`. A series denoised exactly
            counts :data:`~skdenoise.metrics.SCORE_RESOLUTION_DB` (about
            138.5 dB), not infinity, so that a search stays ranked.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__}.score measures the SNR against the clean "
                "series y, and y is None. " + no_clean_series_advice(self)
            )
        estimate = transform_as_arrays(self, X)
        X_checked = check_series(X, estimator=self)
        y = check_target(y, X_checked, estimator=self)
        values = _scored_snr(y, np.asarray(estimate).reshape(y.shape))
        scored = _series_with_snr(y, f"{type(self).__name__}.score")
        return _weighted_mean(values, scored, sample_weight)

    def _non_deterministic(self):
        return False

    def __sklearn_tags__(self):
        tags = series_tags(super().__sklearn_tags__())
        tags.non_deterministic = self._non_deterministic()
        return tags
