"""Input validation shared by every estimator and function of the package.

Series arrays are ``(n_series, n_timesteps)`` (univariate) or
``(n_series, n_timesteps, n_channels)``. Internally everything is handled as a 3-D
float array; the caller's arrays are never modified.
"""

import numbers
import sys

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

__all__ = ["check_series", "check_target", "as_3d", "restore_ndim"]


def _describe(X):
    shape = getattr(X, "shape", None)
    return f"shape {tuple(shape)}" if shape is not None else f"type {type(X).__name__}"


def check_series(
    X,
    *,
    input_name="X",
    min_timesteps=1,
    dtype=("float64", "float32"),
    estimator=None,
):
    """Validate a batch of series and return it as a new or unchanged array.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timesteps) or (n_series, n_timesteps, \
n_channels)
        The series. Lists, numpy arrays and pandas DataFrames are accepted.
    input_name : str, default="X"
        Name used in error messages.
    min_timesteps : int, default=1
        Smallest number of timesteps accepted.
    dtype : str, tuple of str or None, default=("float64", "float32")
        Accepted floating dtypes; other numeric dtypes are converted to the first.
    estimator : object, default=None
        Named in error messages.

    Returns
    -------
    X : ndarray
        Finite floating array with 2 or 3 dimensions. It is the caller's array
        only when no conversion was needed; callers must not write to it.

    Raises
    ------
    TypeError
        For sparse input or values that are not numbers.
    ValueError
        For a wrong number of dimensions, NaN or infinite values, empty input,
        too few timesteps, or strings, bytes or dates (even ``"1.0"``: as with
        scikit-learn's ``dtype="numeric"``, text is not converted to numbers).

    Examples
    --------
    >>> from skdenoise._validation import check_series
    >>> check_series([[1, 2, 3], [4, 5, 6]]).dtype
    dtype('float64')
    """
    who = f" for {type(estimator).__name__}" if estimator is not None else ""
    if sparse.issparse(X):
        raise TypeError(
            f"Sparse data was passed as {input_name}{who}, but dense data is "
            "required: series are dense arrays. Use X.toarray() to convert."
        )
    if X is None:
        raise ValueError(f"{input_name}{who} is None; expected an array of series.")
    X = refuse_masked(X, f"{input_name}{who}")
    if is_wfdb_record(X):
        # A tuple of fields, which read as series of different lengths.
        raise ValueError(
            f"{input_name}{who} is a WFDBRecord; pass its samples as series: "
            f"{input_name}.signal.T (a series per channel) or "
            f"{input_name}.signal[np.newaxis] (one series of all channels)."
        )
    if isinstance(X, (str, bytes, numbers.Number)):
        raise ValueError(
            f"{input_name}{who} must be an array of series of shape (n_series, "
            f"n_timesteps) or (n_series, n_timesteps, n_channels); got {X!r}."
        )
    if isinstance(X, (dict, set, frozenset)) or (
        hasattr(X, "keys") and not hasattr(X, "ndim")
    ):
        # np.asarray makes a 0-d object array of a dict, which would be
        # reported as "0 dimensions".
        raise TypeError(
            f"{input_name}{who} must be an array of series of shape (n_series, "
            f"n_timesteps) or (n_series, n_timesteps, n_channels); got a "
            f"{type(X).__name__}."
        )
    if not hasattr(X, "ndim"):
        # A WindowedDenoiser (or another estimator of any length) is no way out
        # of its own error.
        any_length = getattr(estimator, "_any_length", False)
        wrapper = (
            ""
            if any_length
            else "; a WindowedDenoiser trained on such windows then denoises each "
            "recording, one call per length"
        )
        X = as_rectangular(
            X,
            f"{input_name}{who}",
            "every series must have the same number of timesteps (and channels). "
            "Pad them, or cut them into windows of one length (skdenoise.datasets."
            f"make_windows){wrapper}.",
        )
    ndim = X.ndim
    if ndim == 1:
        raise ValueError(
            f"Expected 2D array, got 1D array instead: {input_name}{who} must have "
            "shape (n_series, n_timesteps) or (n_series, n_timesteps, n_channels), "
            f"got {_describe(np.asarray(X, dtype=object))}. Reshape your data with "
            f"{input_name}.reshape(1, -1) if it is a single series."
        )
    if ndim not in (2, 3):
        raise ValueError(
            f"{input_name}{who} must have 2 dimensions (n_series, n_timesteps) or 3 "
            f"(n_series, n_timesteps, n_channels); got {ndim} dimensions "
            f"({_describe(X)})."
        )
    _check_numeric(X, input_name, who)
    X = _missing_as_nan(X)
    if X.shape[0] == 0:
        # scikit-learn's message names the estimator only: which array of a
        # fit (X, X_val, validation_data) is empty was left to guess.
        raise ValueError(
            f"{input_name}{who} holds no series: found array with 0 sample(s) "
            f"(shape={X.shape}) while a minimum of 1 is required."
        )
    if isinstance(X, np.ndarray) and not X.dtype.isnative and X.dtype.kind == "f":
        # check_array matches dtypes with their byte order: a big-endian
        # float32 ('>f4', as files can hold) would be converted to float64.
        X = X.astype(X.dtype.newbyteorder("="))
    X = _nullable_float32_as_numpy(X)
    try:
        X = check_array(
            X,
            accept_sparse=False,
            dtype=list(dtype) if isinstance(dtype, tuple) else dtype,
            ensure_2d=True,
            allow_nd=True,
            ensure_all_finite=False,
            ensure_min_samples=1,
            ensure_min_features=min_timesteps,
            estimator=estimator,
            input_name=input_name,
        )
    except ValueError as exc:
        shape = getattr(X, "shape", ())
        if len(shape) == 2 and shape[1] == 1 < min_timesteps and shape[0] > 1:
            # scikit-learn's words (its checks look for "1 feature(s)"), and
            # what they mean here: a column of samples reads as series of one.
            raise ValueError(
                f"{exc} {input_name}{who} must have shape (n_series, "
                f"n_timesteps): its {shape[0]} rows are read as series of "
                f"{shape[1]} timestep(s). A single series held as a column "
                f"must be turned into a row: {input_name}.T or "
                f"{input_name}.reshape(1, -1)."
            ) from None
        raise
    _check_finite(X, f"{input_name}{who}")
    if X.ndim == 3 and X.shape[2] < 1:
        raise ValueError(f"{input_name}{who} has 0 channels ({_describe(X)}).")
    if X.ndim == 3 and X.shape[1] < min_timesteps:
        # check_array counts the features of 2-D input only.
        raise ValueError(
            f"{input_name}{who} has {X.shape[1]} timestep(s) ({_describe(X)}), "
            f"but a minimum of {min_timesteps} is required."
        )
    return X


def _nullable_float32_as_numpy(X):
    """A frame of pandas ``Float32`` columns with NumPy ``float32`` columns.

    check_array keeps a float32 frame in float32 but converts nullable
    extension columns to its first dtype, float64: a ``Float32`` frame would
    come back in another dtype than it went in. The frame (and its names) is
    kept; missing values never get here (refused as missing before).
    """
    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(X, pandas.DataFrame) or X.shape[1] == 0:
        return X
    if all(isinstance(d, pandas.Float32Dtype) for d in X.dtypes):
        return X.astype(np.float32)
    return X


def _missing_as_nan(X):
    """An object array's pandas missing values (``pd.NA``) as NaN.

    ``DataFrame.to_numpy()`` of nullable columns (``Float64``, ``Int64``) gives
    objects with ``pd.NA``, which NumPy cannot convert to a float: the check
    of finite values names them, as it names None and NaN.
    """
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return X
    if isinstance(X, pandas.DataFrame):
        objects = any(getattr(dtype, "kind", None) == "O" for dtype in X.dtypes)
        if not (objects and X.isna().to_numpy().any()):
            return X  # nullable dtypes convert as they are
        # Refused below as a missing value: the frame's names no longer count.
        X = X.to_numpy(dtype=object)
    if not (isinstance(X, np.ndarray) and X.dtype == object):
        return X
    missing = pandas.isna(X)
    if not missing.any():
        return X
    X = X.copy()
    X[missing] = np.nan
    return X


# dtype kinds that are not numbers, though NumPy converts some to floats.
_NOT_NUMBERS = {
    "U": "strings",
    "S": "bytes",
    "V": "raw (void) values",
    "M": "dates",
    "m": "time differences",
    "c": "complex values",
}


def _holds_text(values, kinds=(str, bytes, np.str_, np.bytes_)):
    """Whether an object array (or DataFrame) holds a string or bytes."""
    values = np.asarray(values, dtype=object)
    return any(isinstance(v, kinds) for v in values.flat)


def _check_numeric(X, input_name, who=""):
    """Refuse strings, bytes and dates, which scikit-learn's numeric dtype refuses.

    NumPy would convert ``"1.0"`` (or a datetime) to a float without a word.
    """
    dtype = getattr(X, "dtype", None)
    if dtype is None:  # a DataFrame: one dtype per column
        dtypes = list(getattr(X, "dtypes", []))
    else:
        dtypes = [dtype]
    kinds = {getattr(d, "kind", "O") for d in dtypes}
    found = [what for kind, what in _NOT_NUMBERS.items() if kind in kinds]
    if found:
        what = found[0]
    elif "O" in kinds and _holds_text(X):
        what = "strings"
    elif "O" in kinds and _holds_text(X, (complex, np.complexfloating)):
        what = "complex values"
    else:
        return
    if what in ("strings", "bytes"):
        advice = (
            "If they are numbers written as text, convert them explicitly, for "
            f"example with np.asarray({input_name}, dtype=float)."
        )
    elif what == "complex values":
        # "Complex data not supported": scikit-learn's wording, which its
        # estimator checks look for.
        advice = (
            "Complex data not supported: take the real part or the magnitude "
            f"first (np.real({input_name}) or np.abs({input_name}))."
        )
    else:
        advice = f"Convert {input_name} to numbers first."
    found = ", ".join(sorted({str(d) for d in dtypes}))
    raise ValueError(
        f"{input_name}{who} holds {what} ({found}); series must be real numbers. "
        f"{advice}"
    )


def check_real_numbers(values, name, who=""):
    """Refuse an array of complex values, text or dates with a ValueError.

    ``np.asarray(values, dtype=float)`` drops an imaginary part with only a
    warning and turns ``"1.0"`` into a number; neither may pass silently.
    """
    _check_numeric(values, name, who)


def as_real_float64(values, name, axes=("series", "timestep", "channel")):
    """``values`` as a float64 array, refusing complex values, text and dates.

    A masked array with masked values and rows of different lengths are
    refused too (``axes`` names the axes of a masked value's position).
    """
    values = as_rectangular(
        refuse_masked(values, name, axes), name, "give rows of one length."
    )
    check_real_numbers(values, name)
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must hold real numbers; it holds values that are not."
        ) from None


def refuse_masked(X, name, axes=("series", "timestep", "channel")):
    """Refuse a masked array with masked values, naming how many and where.

    NumPy and scikit-learn drop the mask and use the values under it (often a
    fill value such as -9999) as samples; a gap written as NaN is refused
    with its position, and so is a masked one. A masked array with nothing
    masked is its data. ``axes`` names the axes of a position.
    """
    if isinstance(X, (list, tuple)):
        # Series given one by one: each is looked at.
        for i, row in enumerate(X):
            if np.ma.isMaskedArray(row) and np.ma.getmaskarray(row).any():
                first = np.argwhere(np.ma.getmaskarray(row))[0]
                place = ", ".join(
                    f"{axis} {int(j)}" for axis, j in zip(axes[1:], first, strict=False)
                )
                _raise_masked(
                    name,
                    np.count_nonzero(np.ma.getmaskarray(row)),
                    f"{axes[0]} {i}" + (f", {place}" if place else ""),
                )
        return X
    if not np.ma.isMaskedArray(X):
        return X
    mask = np.ma.getmaskarray(X)
    if not mask.any() or mask.ndim == 0:
        return np.ma.getdata(X)
    first = np.argwhere(mask)[0]
    axes = ("sample",) if mask.ndim == 1 else axes[: mask.ndim]
    if mask.ndim > len(axes):
        axes = tuple(f"axis {i}" for i in range(mask.ndim))
    where = ", ".join(f"{axis} {int(i)}" for axis, i in zip(axes, first, strict=True))
    _raise_masked(name, np.count_nonzero(mask), where)


def _raise_masked(name, count, where):
    raise ValueError(
        f"{name} holds a masked array with {int(count)} masked value(s) (the "
        f"first at {where}); the values under the mask would be taken as "
        "samples. Fill the gaps first (for example by interpolation along "
        "time), or cut the series around them."
    )


def as_rectangular(X, name, advice):
    """``np.asarray(X)``; series of different lengths get a message naming ``name``.

    ``advice`` follows "holds series of different lengths: ".
    """
    try:
        return np.asarray(X)
    except ValueError as exc:
        if "inhomogeneous" not in str(exc):
            raise
        raise ValueError(
            f"{name} holds series of different lengths: {advice}"
        ) from None


def _check_finite(X, name):
    """Raise a ValueError naming how many values are NaN or infinite, and where."""
    finite = np.isfinite(X)
    if finite.all():
        return
    n_nan = int(np.count_nonzero(np.isnan(X)))
    n_inf = int(X.size - np.count_nonzero(finite)) - n_nan
    parts = [
        f"{n} {kind} value(s)" for n, kind in ((n_nan, "NaN"), (n_inf, "infinite"))
    ]
    first = np.argwhere(~finite)[0]
    where = f"series {first[0]}, timestep {first[1]}"
    if X.ndim == 3:
        where += f", channel {first[2]}"
    raise ValueError(
        f"{name} contains {' and '.join(p for p in parts if not p.startswith('0 '))} "
        f"(the first at {where}): series must be finite. Fill the gaps first (for "
        "example by interpolation along time), or cut the series around them."
    )


def check_target(y, X, *, input_name="y", estimator=None, x_name="X"):
    """Validate clean targets ``y`` against already validated inputs ``X``.

    Parameters
    ----------
    y : array-like
        Clean series with the same shape as ``X``.
    X : ndarray
        Validated inputs.
    input_name : str, default="y"
        Name used in error messages.
    estimator : object, default=None
        Named in error messages.
    x_name : str, default="X"
        Name of ``X`` in error messages.

    Returns
    -------
    y : ndarray
        Finite floating array of ``X``'s shape.
    """
    who = f" for {type(estimator).__name__}" if estimator is not None else ""
    if sparse.issparse(y):
        raise TypeError(
            f"Sparse data was passed as {input_name}{who}, but dense data is required."
        )
    y = refuse_masked(y, f"{input_name}{who}")
    if not hasattr(y, "ndim"):
        y = as_rectangular(
            y, f"{input_name}{who}", f"y must have the shape of {x_name}, {X.shape}."
        )
    y_ndim = y.ndim
    if y_ndim == 2 and X.ndim == 3 and X.shape[2] == 1:
        y = np.asarray(y)[..., np.newaxis]
    if y_ndim not in (2, 3):
        hint = ""
        if y_ndim == 1 and X.shape[0] == 1 and len(y) == X.shape[1]:
            hint = f" Reshape it with {input_name}.reshape(1, -1): a single series."
        elif y_ndim == 1 and len(y) == X.shape[0]:
            hint = (
                f" It holds one value per series of {x_name} (labels?), which is "
                "not a clean series to score against."
            )
        raise ValueError(
            f"{input_name}{who} must be the clean series, with the same shape as "
            f"{x_name} {tuple(X.shape)}; got {y_ndim} dimension(s) "
            f"({_describe(np.asarray(y))}).{hint}"
        )
    y = check_series(y, input_name=input_name, estimator=estimator)
    if y.shape != X.shape:
        raise ValueError(
            f"{input_name}{who} must have the same shape as {x_name}: {x_name} has "
            f"shape {tuple(X.shape)} but {input_name} has shape {tuple(y.shape)}."
        )
    return y


def arrays_out(steps_fitted_on_tables=False):
    """A context in which estimators without their own ``set_output`` return arrays.

    For the package's own calls of ``transform`` (a score, an inner
    estimator): scikit-learn's global ``transform_output="pandas"`` is for the
    user's outputs, and a table cannot hold series with channels or of
    another length than the fitted one.

    ``steps_fitted_on_tables``: the call may run a ``Pipeline`` whose later
    steps were fitted on the tables of the global setting; they now get arrays
    and scikit-learn would warn, for every call, that these lack the feature
    names they were fitted with: that warning, of this switch alone, is not
    shown.
    """
    from sklearn import config_context

    if not steps_fitted_on_tables:
        return config_context(transform_output="default")
    import contextlib
    import warnings

    stack = contextlib.ExitStack()
    stack.enter_context(config_context(transform_output="default"))
    stack.enter_context(warnings.catch_warnings())
    warnings.filterwarnings(
        "ignore",
        message="X does not have valid feature names, but",
        category=UserWarning,
    )
    return stack


def no_clean_series_advice(estimator):
    """What to do when a score gets no clean series ``y``, for ``estimator``.

    A denoiser that adds its own noise in fit was searched on clean series
    alone (its documented way to train): the self-supervised score would
    measure clean folds, so it is told to score on pairs instead.
    """
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # not an estimator: the general advice
        params = {}
    noisy = any(
        (key == "noise" or key.endswith("__noise")) and value is not None
        for key, value in params.items()
    )
    if noisy:
        return (
            "The denoiser adds its noise in fit, so X here is the clean series "
            "and a score of it measures nothing removed: score on pairs made "
            "once, for example search with fit(noise.apply(X_clean, "
            "random_state=0), X_clean) and noise=None in the candidates."
        )
    return (
        "Without clean series (a search over noisy series alone), pass "
        "scoring=skdenoise.model_selection.self_supervised_scorer."
    )


def transform_as_arrays(estimator, X, steps_fitted_on_tables=False):
    """``estimator.transform(X)`` as arrays, for a score: no table is made.

    Under :func:`arrays_out`, and past the estimator's own
    ``set_output(transform="pandas")`` (or its steps', in a ``Pipeline``),
    which would refuse series of another length than in fit, or with
    channels, that a score takes as numbers: a shallow copy without that
    setting transforms (the estimator itself is not changed, so another
    thread's ``transform`` keeps its tables).
    """
    with arrays_out(steps_fitted_on_tables):
        return _without_table_output(estimator).transform(X)


def _without_table_output(estimator):
    """``estimator``, or a shallow copy of it that returns arrays."""
    steps = getattr(estimator, "steps", None)
    if type(estimator).__name__ == "Pipeline" and isinstance(steps, list):
        copies = [
            (name, _without_table_output(step))
            if hasattr(step, "transform")
            else (name, step)
            for name, step in steps
        ]
        if any(
            new is not old for (_, new), (_, old) in zip(copies, steps, strict=True)
        ):
            estimator = _shallow_copy(estimator)
            estimator.steps = copies
        return estimator
    if type(estimator).__name__ == "FrozenEstimator":
        # It passes its attributes (the output setting too) and its
        # transform on to the estimator it holds.
        inner = getattr(estimator, "estimator", None)
        arrays = inner if inner is None else _without_table_output(inner)
        if arrays is not inner:
            estimator = _shallow_copy(estimator)
            estimator.__dict__["estimator"] = arrays
        return estimator
    config = getattr(estimator, "_sklearn_output_config", None)
    if isinstance(config, dict) and config.get("transform", "default") != "default":
        estimator = _shallow_copy(estimator)
        estimator._sklearn_output_config = {
            key: value for key, value in config.items() if key != "transform"
        }
    return estimator


def _shallow_copy(estimator):
    # Not copy.copy: a neural denoiser's pickling protocol would save and
    # load its network (slow, and impossible for an unregistered layer).
    copied = object.__new__(type(estimator))
    copied.__dict__.update(vars(estimator))
    return copied


def as_3d(X):
    """View a 2-D batch of series as 3-D with one channel (no copy)."""
    return X[:, :, np.newaxis] if X.ndim == 2 else X


def restore_ndim(Y, ndim):
    """Drop the channel axis again when the input was 2-D."""
    return Y[:, :, 0] if ndim == 2 else Y


def as_input_dtype(Y, X, name):
    """``Y`` (float64, ``X``'s number of dimensions) cast to ``X``'s dtype.

    Raises a ValueError, instead of returning infinities, when a finite result
    overflows the narrower dtype (float32 near its largest value).
    """
    with np.errstate(over="ignore"):
        out = Y.astype(X.dtype, copy=False)
    if out is not Y and np.all(np.isfinite(Y)) and not np.all(np.isfinite(out)):
        peak = float(np.max(np.abs(Y)))
        raise ValueError(
            f"{name} produced values beyond the range of {X.dtype} (largest "
            f"magnitude {peak:.3g}) from {X.dtype} series. Pass the series as "
            "float64, or rescale them (divide them by a constant)."
        )
    return out


def std_as_input_dtype(std, X, name):
    """A standard deviation cast as :func:`as_input_dtype`, kept above zero.

    A flat series comes back unchanged with no spread; its std (below 1e-300)
    would round to 0 in float32, or in the squares a windowed denoiser adds:
    it gets the dtype's smallest positive normal number instead.
    """
    out = as_input_dtype(std, X, name)
    return np.maximum(out, np.finfo(out.dtype).tiny)


def is_wfdb_record(value):
    """Whether ``value`` is a record read by ``skdenoise.datasets.read_wfdb``.

    Its fields make a tuple, which would read as recordings or series of
    different lengths; checked by name, so that the datasets stay unimported.
    """
    return type(value).__name__ == "WFDBRecord" and hasattr(value, "signal")


def check_positive_int(value, name, *, minimum=1):
    """``value`` as an int, raising unless it is an integer of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return int(value)


def check_finite_scalar(value, name):
    """Raise ValueError unless ``value`` is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    return float(value)


def check_range(value, name, *, positive=False):
    """A ``(low, high)`` pair of finite numbers, or a number as ``(x, x)``."""
    given = value  # what the messages name (not the pair made of a number)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        low = high = check_finite_scalar(value, name)
    else:
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError(
                f"{name} must be a number or a (low, high) pair; got {value!r}."
            )
        low = check_finite_scalar(value[0], f"{name}[0]")
        high = check_finite_scalar(value[1], f"{name}[1]")
    if low > high:
        raise ValueError(f"{name} must have low <= high; got {given!r}.")
    if positive and low <= 0:
        raise ValueError(f"{name} must be positive; got {given!r}.")
    return low, high


# Parameters whose bools scikit-learn's own estimators take as they are.
_BOOLS_AS_NUMBERS = frozenset({"verbose", "random_state", "n_jobs"})


def bools_as_numbers(estimator):
    """``{name: value}`` of the bools that :func:`refuse_bools` would refuse."""
    constraints = getattr(estimator, "_parameter_constraints", {})
    params = estimator.get_params(deep=False)
    own = set(getattr(estimator, "_own_bool_checks", ()))
    found = {}
    for name, allowed in constraints.items():
        value = params.get(name)
        if name in _BOOLS_AS_NUMBERS | own or not isinstance(value, (bool, np.bool_)):
            continue
        if any(c == "boolean" or c is bool for c in allowed):
            continue
        found[name] = value
    return found


def refuse_bools(estimator):
    """Refuse a bool for a parameter whose constraints do not name booleans.

    ``True`` is an int to Python and to scikit-learn's interval constraints,
    so it passes as 1 (``False`` as 0) where a number is meant.
    """
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        make_constraint,
    )

    constraints = getattr(estimator, "_parameter_constraints", {})
    # Parameters whose bools the class refuses itself (_own_bool_checks), in
    # its own words, are left out.
    for name, value in bools_as_numbers(estimator).items():
        allowed = constraints[name]
        described = " or ".join(str(make_constraint(c)) for c in allowed)
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(estimator).__name__} must be "
            f"{described}, not a bool. Got {value!r} instead."
        )


def check_return_std(return_std, who):
    """``return_std`` as a bool: True or False (NumPy's too), nothing else.

    Anything else (a string, None, a number) is refused: ``"no"`` would
    otherwise read as True and ask for a standard deviation.
    """
    if isinstance(return_std, (bool, np.bool_)):
        return bool(return_std)
    raise TypeError(
        f"{who}.predict: return_std must be True or False; got {return_std!r}."
    )


def check_validation_data_kind(validation_data, where):
    """Refuse ``validation_data`` that is neither a tuple nor series.

    A tuple ``(X_val, y_val)``, a list, an array or anything that converts
    to one (``__array__``: DataFrames, sparse matrices, whose own message
    :func:`check_series` gives) passes; a dict, a path, a number or a
    generator is named here, not as "0 dimensions" or "a single array".
    """
    if isinstance(validation_data, (tuple, list)) or sparse.issparse(validation_data):
        return
    # A dict, a path or a generator has no __array__; NumPy's scalars do.
    if isinstance(validation_data, numbers.Number) or not (
        hasattr(validation_data, "__array__")
        or hasattr(validation_data, "__array_interface__")
    ):
        raise TypeError(
            f"{where} must be a tuple (X_val, y_val) of noisy and clean series, "
            "or an array of clean series; got "
            f"{type(validation_data).__name__}."
        )
