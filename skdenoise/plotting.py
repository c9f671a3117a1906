"""Plots for inspecting denoisers: series, residuals, training curves, SNR gains.

Every function draws on a matplotlib ``Axes`` and returns it (or an array of
them): pass ``ax`` (``axes`` for :func:`plot_examples`) to draw on existing
ones, or leave it as None to draw on a new figure made with
``matplotlib.pyplot.subplots``. matplotlib is an optional
dependency, imported when a function is called; install it with
``pip install "skdenoise[plot]"``.

The series to draw are one series each: 1-D arrays of shape
``(n_timesteps,)`` (a single row or column of a 2-D array is accepted too, and
the denoisers' 3-D form ``(1, n_timesteps, 1)`` of a single series). NaN and
the masked samples of a masked array are drawn as gaps.
"""

import numbers
import warnings
from collections.abc import Iterable, Mapping

import numpy as np

from ._validation import as_rectangular

__all__ = [
    "plot_denoising",
    "plot_residual",
    "plot_history",
    "plot_snr_improvement",
    "plot_examples",
    "plot_uncertainty",
]

# Colours of the drawn series: the noisy input recedes, the clean reference is
# black, and the estimates take matplotlib's colour cycle.
_NOISY_STYLE = {"color": "0.7", "linewidth": 0.8}
_CLEAN_STYLE = {"color": "black", "linewidth": 1.6}
_ESTIMATE_WIDTH = 1.0


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skdenoise.plotting needs matplotlib; install it with "
            "`pip install 'skdenoise[plot]'` (or `pip install matplotlib`)."
        ) from exc
    return plt


def _axes(ax, name="ax"):
    """``ax``, or the axes of a new figure when ``ax`` is None."""
    if ax is not None:
        _check_axes(ax, name)
        return ax
    _, ax = _pyplot().subplots()
    return ax


def _check_axes(ax, name):
    """Refuse what is not a matplotlib Axes (a Figure, say), naming ``name``."""
    from matplotlib.axes import Axes

    if isinstance(ax, Axes):
        return
    hint = ""
    if hasattr(ax, "add_subplot"):  # a Figure or SubFigure
        hint = " (for a Figure, pass one of its axes: fig.gca() or fig.axes[0])"
    raise TypeError(
        f"{name} must be a matplotlib Axes or None{hint}; got {type(ax).__name__}."
    )


def _floats(values, name):
    """``values`` as a float array, with an error naming ``name`` when it is not.

    Complex values are refused (numpy would drop their imaginary part with a
    mere warning), and so are series of different lengths and non-numbers.
    """
    raw = as_rectangular(values, name, "give series of one length.")
    if np.iscomplexobj(raw):
        raise ValueError(
            f"{name} holds complex values; the plots draw real series (take the "
            "real part, or the magnitude, first)."
        )
    if np.ma.isMaskedArray(values):
        # Masked samples are drawn as gaps, as NaN is (np.asarray drops the
        # mask and would draw the values under it).
        try:
            return np.ma.filled(np.ma.asarray(values).astype(np.float64), np.nan)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be an array of numbers; {_not_a_number(values)}."
            ) from exc
    try:
        if type(values).__name__ == "DataFrame" and hasattr(values, "to_numpy"):
            # pd.NA of nullable columns drawn as a gap, as in a Series.
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array of numbers; {_not_a_number(values)}."
        ) from exc


def _one_sequence(values, not_numbers, not_one):
    """``values`` as a 1-D float array (a row or a column too).

    ``not_numbers``: the start of the TypeError's message for values that are
    not numbers; ``not_one(shape)``: the ValueError's message for an array of
    several rows and columns.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{not_numbers}{_not_a_number(values)}.") from exc
    if sum(n > 1 for n in array.shape) > 1:
        raise ValueError(not_one(array.shape))
    return array.reshape(-1)


def _not_a_number(values):
    """Name the first value of ``values`` that is not a number, and its index.

    The message names one element rather than printing the array: the repr of
    a recording runs to millions of characters.
    """
    array = np.asarray(values, dtype=object)
    flat = array.reshape(-1)
    # Blocks converted at once find the first bad one; only its elements are
    # tried one by one (a Python loop over a whole recording took seconds).
    block = 65536
    for start in range(0, flat.size, block):
        part = flat[start : start + block]
        try:
            np.asarray(part, dtype=np.float64)
            continue
        except (TypeError, ValueError):
            pass
        for offset, item in enumerate(part):
            try:
                float(item)
            except (TypeError, ValueError):
                index = np.unravel_index(start + offset, array.shape)
                where = int(index[0]) if len(index) == 1 else tuple(map(int, index))
                text = repr(item)
                if len(text) > 60:
                    text = text[:57] + "..."
                return f"element {where} is {text} of type {type(item).__name__}"
    return f"got dtype {array.dtype}"


def _series(values, name):
    """One series as a 1-D float array."""
    array = _floats(values, name)
    if (array.ndim == 2 and 1 in array.shape) or (
        array.ndim == 3 and array.shape[0] == array.shape[2] == 1
    ):
        # A row or a column, or the denoisers' (1, n_timesteps, 1) output.
        array = array.reshape(-1)
    if array.ndim != 1 or array.size == 0:
        hint = "Pass a single series, for example X[0]."
        if array.ndim == 2 and array.shape[0] > 4 * array.shape[1]:
            # Most likely one recording with time down its rows.
            hint = (
                "Pass a single series: a recording with time down its rows "
                "(read_wfdb's signal) gives one channel as signal[:, 0]; series "
                "in rows give one as X[0]."
            )
        if array.ndim == 3 and array.shape[2] > 1:
            hint = "Plot one channel of one series at a time, for example X[0, :, 0]."
        raise ValueError(
            f"{name} must be one non-empty series of shape (n_timesteps,); got "
            f"shape {array.shape}. {hint}"
        )
    return array


def _check_sampling_rate(sampling_rate):
    if sampling_rate is None:
        return None
    if (
        isinstance(sampling_rate, bool)
        or not isinstance(sampling_rate, numbers.Real)
        or not np.isfinite(sampling_rate)
        or sampling_rate <= 0
    ):
        raise ValueError(
            f"sampling_rate must be a positive number of Hz or None; got "
            f"{sampling_rate!r}."
        )
    return float(sampling_rate)


def _time_axis(n_timesteps, sampling_rate):
    """Sample times (in seconds when the sampling rate is known) and their label."""
    index = np.arange(n_timesteps, dtype=np.float64)
    if sampling_rate is None:
        return index, "sample"
    return index / sampling_rate, "time (s)"


def _named_estimates(denoised, label):
    """``denoised`` as a dict label -> value (a mapping keeps its labels)."""
    if denoised is None:
        return {}
    if isinstance(denoised, Mapping):
        named = {str(name): value for name, value in denoised.items()}
        if len(named) < len(denoised):
            texts = [str(name) for name in denoised]
            keys = [name for name in denoised if texts.count(str(name)) > 1]
            raise ValueError(
                "The labels of denoised must differ as text (each names a line of "
                f"the legend); got {keys!r}."
            )
        return named
    return {label: denoised}


def _check_lengths(named):
    """``named`` is a list of (label, series) pairs that must share a length."""
    lengths = [(name, len(values)) for name, values in named]
    if len({n for _, n in lengths}) > 1:
        described = ", ".join(f"{name}: {n}" for name, n in lengths)
        raise ValueError(f"The series must have the same length; got {described}.")


def plot_denoising(
    clean=None,
    noisy=None,
    denoised=None,
    *,
    sampling_rate=None,
    ax=None,
    clean_label="clean",
    noisy_label="noisy",
    denoised_label="denoised",
    title=None,
    legend=True,
):
    """Overlay a noisy series, its clean version and denoised estimates.

    The visual check of a denoiser: the noisy input is drawn first in light
    grey, the clean reference over it in black, and each estimate in a colour
    of its own, in that order.

    Parameters
    ----------
    clean : array-like of shape (n_timesteps,) or None, default=None
        The clean series.
    noisy : array-like of shape (n_timesteps,) or None, default=None
        The noisy series.
    denoised : array-like of shape (n_timesteps,), mapping or None, \
default=None
        The denoised series, or a mapping from a label (a model's name) to a
        denoised series to compare several estimates.
    sampling_rate : float or None, default=None
        Sampling rate in Hz: the time axis is in seconds when given and in
        samples otherwise.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; None draws on a new figure.
    clean_label : str, default="clean"
        Legend label of the clean series.
    noisy_label : str, default="noisy"
        Legend label of the noisy series.
    denoised_label : str, default="denoised"
        Legend label of ``denoised`` when it is a single series.
    title : str or None, default=None
        Title of the axes.
    legend : bool, default=True
        Draw a legend.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on, with one line per series given.

    See Also
    --------
    plot_residual : The error of the estimate over time.
    plot_examples : One such plot per example, stacked in a figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdenoise.plotting import plot_denoising
    >>> t = np.linspace(0, 1, 360)
    >>> clean = np.sin(2 * np.pi * 3 * t)
    >>> noisy = clean + 0.3 * np.random.default_rng(0).standard_normal(360)
    >>> ax = plot_denoising(clean, noisy, 0.9 * clean, sampling_rate=360)
    >>> [line.get_label() for line in ax.get_lines()]
    ['noisy', 'clean', 'denoised']
    >>> ax.get_xlabel()
    'time (s)'
    """
    sampling_rate = _check_sampling_rate(sampling_rate)
    drawn = []  # (label, values, style), in drawing order
    if noisy is not None:
        drawn.append((noisy_label, _series(noisy, "noisy"), _NOISY_STYLE))
    if clean is not None:
        drawn.append((clean_label, _series(clean, "clean"), _CLEAN_STYLE))
    estimates = _named_estimates(denoised, denoised_label)
    for k, (name, values) in enumerate(estimates.items()):
        style = {"color": f"C{k % 10}", "linewidth": _ESTIMATE_WIDTH}
        drawn.append((name, _series(values, f"denoised[{name!r}]"), style))
    if not drawn:
        raise ValueError("Give at least one of clean, noisy and denoised to plot.")
    _check_lengths([(label, values) for label, values, _ in drawn])

    ax = _axes(ax)
    n_timesteps = len(drawn[0][1])
    time, xlabel = _time_axis(n_timesteps, sampling_rate)
    for label, values, style in drawn:
        ax.plot(time, values, label=label, **style)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("amplitude")
    ax.set_xlim(time[0], time[-1] if n_timesteps > 1 else time[0] + 1)
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_uncertainty(
    mean,
    std,
    *,
    noisy=None,
    clean=None,
    n_std=2.0,
    sampling_rate=None,
    ax=None,
    label="denoised",
    title=None,
    legend=True,
):
    """Draw a denoised series with its band of ``mean +/- n_std * std``.

    The noisy input (light grey) and the clean reference (black) are drawn
    under the estimate and its shaded band, so that one sees where the
    denoiser was sure and where the clean series leaves the band. The
    legend gives the share of clean samples inside the band when ``clean``
    is given (of those known: NaN gaps are left out).

    Parameters
    ----------
    mean : array-like of shape (n_timesteps,)
        The denoised series, as returned by ``predict(X, return_std=True)``.
    std : array-like of shape (n_timesteps,)
        Its standard deviation per sample (non-negative).
    noisy : array-like of shape (n_timesteps,) or None, default=None
        The noisy input.
    clean : array-like of shape (n_timesteps,) or None, default=None
        The clean series.
    n_std : float, default=2.0
        Half-width of the band in standard deviations (2 covers about 95 %
        of a normal error).
    sampling_rate : float or None, default=None
        Sampling rate in Hz: the time axis is in seconds when given and in
        samples otherwise.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; None draws on a new figure.
    label : str, default="denoised"
        Legend label of the estimate.
    title : str or None, default=None
        Title of the axes.
    legend : bool, default=True
        Draw a legend.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    plot_denoising : The series without the band.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdenoise.plotting import plot_uncertainty
    >>> t = np.linspace(0, 1, 360)
    >>> clean = np.sin(2 * np.pi * 3 * t)
    >>> ax = plot_uncertainty(clean + 0.05, np.full(360, 0.1), clean=clean)
    >>> [line.get_label() for line in ax.get_lines()]
    ['clean', 'denoised']
    >>> ax.collections[0].get_label()
    'denoised ± 2 std (100 % of clean inside)'
    """
    sampling_rate = _check_sampling_rate(sampling_rate)
    mean = _series(mean, "mean")
    std = _series(std, "std")
    if not np.all(np.isfinite(std)) or np.any(std < 0):
        raise ValueError("std must be finite and non-negative.")
    if (
        isinstance(n_std, bool)
        or not isinstance(n_std, numbers.Real)
        or not np.isfinite(n_std)
        or n_std <= 0
    ):
        raise ValueError(f"n_std must be a positive number; got {n_std!r}.")
    named = [("mean", mean), ("std", std)]
    if noisy is not None:
        noisy = _series(noisy, "noisy")
        named.append(("noisy", noisy))
    if clean is not None:
        clean = _series(clean, "clean")
        named.append(("clean", clean))
    _check_lengths(named)

    ax = _axes(ax)
    time, xlabel = _time_axis(len(mean), sampling_rate)
    lower, upper = mean - n_std * std, mean + n_std * std
    band_label = f"{label} ± {n_std:g} std"
    if clean is not None:
        # Gaps in the clean series (or in the band) are neither in nor out.
        known = np.isfinite(clean) & np.isfinite(lower) & np.isfinite(upper)
        if known.any():
            inside = np.mean(
                (clean[known] >= lower[known]) & (clean[known] <= upper[known])
            )
            band_label += f" ({100 * inside:.0f} % of clean inside)"
    if noisy is not None:
        ax.plot(time, noisy, label="noisy", **_NOISY_STYLE)
    ax.fill_between(time, lower, upper, color="C0", alpha=0.3, lw=0, label=band_label)
    if clean is not None:
        ax.plot(time, clean, label="clean", **_CLEAN_STYLE)
    ax.plot(time, mean, label=label, color="C0", linewidth=_ESTIMATE_WIDTH)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("amplitude")
    ax.set_xlim(time[0], time[-1] if len(time) > 1 else time[0] + 1)
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_residual(
    clean,
    denoised,
    *,
    noisy=None,
    sampling_rate=None,
    ax=None,
    label="denoised - clean",
    noisy_label="noisy - clean",
    title=None,
    legend=True,
):
    """Plot the error left by a denoiser, ``denoised - clean``, over time.

    With ``noisy``, the noise that was removed, ``noisy - clean``, is drawn
    behind it in light grey for comparison.

    Parameters
    ----------
    clean : array-like of shape (n_timesteps,)
        The clean series.
    denoised : array-like of shape (n_timesteps,)
        The denoised series.
    noisy : array-like of shape (n_timesteps,) or None, default=None
        The noisy series.
    sampling_rate : float or None, default=None
        Sampling rate in Hz: the time axis is in seconds when given and in
        samples otherwise.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; None draws on a new figure.
    label : str, default="denoised - clean"
        Legend label of the residual.
    noisy_label : str, default="noisy - clean"
        Legend label of the noise.
    title : str or None, default=None
        Title of the axes.
    legend : bool, default=True
        Draw a legend.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on: one line (two with ``noisy``, the noise first).

    See Also
    --------
    plot_denoising : The series themselves.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdenoise.plotting import plot_residual
    >>> clean = np.sin(np.linspace(0, 6, 100))
    >>> ax = plot_residual(clean, clean + 0.01, noisy=clean + 0.5)
    >>> [line.get_label() for line in ax.get_lines()]
    ['noisy - clean', 'denoised - clean']
    """
    sampling_rate = _check_sampling_rate(sampling_rate)
    clean = _series(clean, "clean")
    denoised = _series(denoised, "denoised")
    named = [("clean", clean), ("denoised", denoised)]
    if noisy is not None:
        noisy = _series(noisy, "noisy")
        named.append(("noisy", noisy))
    _check_lengths(named)

    ax = _axes(ax)
    time, xlabel = _time_axis(len(clean), sampling_rate)
    if noisy is not None:
        ax.plot(time, noisy - clean, label=noisy_label, **_NOISY_STYLE)
    ax.plot(time, denoised - clean, label=label, color="C3", linewidth=_ESTIMATE_WIDTH)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("error")
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def _find_history(obj):
    """The ``history_`` dict of a fitted denoiser, or of one inside a meta-estimator."""
    seen = set()
    while id(obj) not in seen:
        seen.add(id(obj))
        if isinstance(obj, Mapping):
            return obj
        if hasattr(obj, "columns") and hasattr(obj, "to_dict"):  # a DataFrame
            return obj.to_dict("list")
        if isinstance(getattr(obj, "history", None), Mapping):  # Keras' History
            return obj.history
        if hasattr(obj, "history_"):
            return obj.history_
        if hasattr(obj, "best_estimator_"):  # a fitted search
            obj = obj.best_estimator_
        elif hasattr(obj, "steps") and hasattr(obj, "_final_estimator"):  # Pipeline
            obj = obj._final_estimator
        elif hasattr(obj, "estimator_"):  # a fitted wrapper such as WindowedDenoiser
            obj = obj.estimator_
        else:
            break
    raise ValueError(
        "plot_history needs a training history: a fitted neural denoiser (with "
        "history_), a fitted pipeline, search or wrapper around one, a dict "
        "such as {'loss': [...], 'val_loss': [...]}, a DataFrame of such columns "
        f"or a Keras History; got {type(obj).__name__}."
    )


_HISTORY_LABELS = {"loss": "training loss", "val_loss": "validation loss"}


def plot_history(
    estimator_or_history, *, keys=None, ax=None, log_scale=False, title=None
):
    """Plot the training (and validation) loss of a neural denoiser per epoch.

    Parameters
    ----------
    estimator_or_history : estimator or mapping
        A fitted neural denoiser (its ``history_`` is drawn), a fitted
        ``Pipeline``, ``GridSearchCV`` or wrapper (such as
        :class:`~skdenoise.pipeline.WindowedDenoiser`) around one, a
        history mapping from a name to one value per epoch, a pandas
        DataFrame with one such column per name, or the ``History`` that
        Keras' ``Model.fit`` returns.
    keys : list of str or None, default=None
        Which entries of the history to draw. None draws every entry whose
        name contains ``"loss"`` (``loss`` and ``val_loss`` for a denoiser
        trained with validation data).
    ax : matplotlib Axes or None, default=None
        Axes to draw on; None draws on a new figure.
    log_scale : bool, default=False
        Use a logarithmic loss axis (for positive losses only: a history with
        a loss at or below zero, such as ``loss="snr"``'s, is refused).
    title : str or None, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on, with one line per entry, against epochs 1, 2, ...

    See Also
    --------
    plot_denoising : Look at what the trained denoiser does.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdenoise.plotting import plot_history
    >>> ax = plot_history({"loss": [0.5, 0.3, 0.2], "val_loss": [0.6, 0.4, 0.35]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['training loss', 'validation loss']
    >>> ax.get_lines()[0].get_xdata().tolist()
    [1, 2, 3]
    """
    history = _find_history(estimator_or_history)
    if keys is None:
        keys = [key for key in history if "loss" in str(key)]
    else:
        if isinstance(keys, str):
            keys = [keys]
        elif isinstance(keys, Iterable):
            keys = list(keys)
        else:
            raise TypeError(
                "keys must be a name of the history or a list of names; got "
                f"{keys!r} of type {type(keys).__name__}."
            )
        missing = [key for key in keys if key not in history]
        if missing:
            raise ValueError(
                f"The history has no entry {missing[0]!r}; its entries are "
                f"{sorted(map(str, history))}."
            )
    if not keys:
        raise ValueError(
            f"The history has no loss entries to plot; its entries are "
            f"{sorted(map(str, history))}. Pass keys=[...] to choose."
        )
    curves = {}
    for key in keys:
        # Flattened, epochs times members (say) would be drawn as epochs.
        curves[key] = _one_sequence(
            history[key],
            f"history[{key!r}] must hold numbers, one per epoch; ",
            lambda shape, key=key: (
                f"history[{key!r}] must hold one number per epoch; got shape "
                f"{shape}. Plot one column at a time."
            ),
        )
        if log_scale and np.any(curves[key] <= 0):
            raise ValueError(
                f"log_scale=True needs positive losses, but history[{key!r}] has "
                f"values down to {np.nanmin(curves[key]):.4g} (a loss such as "
                "loss='snr', minus the output SNR in dB, is mostly negative). Use "
                "log_scale=False."
            )
    lengths = {key: len(values) for key, values in curves.items()}
    if len(set(lengths.values())) > 1:
        # Keras' validation_freq, say: the shorter entry's values are not of
        # epochs 1, 2, ... and the curves would be drawn out of step.
        longest = max(lengths, key=lengths.get)
        shorter = [key for key in lengths if lengths[key] < lengths[longest]]
        warnings.warn(
            f"history[{shorter[0]!r}] has {lengths[shorter[0]]} values and "
            f"history[{longest!r}] {lengths[longest]}: each is drawn against "
            "epochs 1, 2, ..., which is right only if the shorter one stopped "
            "early. Give one value per epoch (NaN where there is none).",
            UserWarning,
            stacklevel=2,
        )
    ax = _axes(ax)
    for key, values in curves.items():
        epochs = np.arange(1, len(values) + 1)
        ax.plot(
            epochs,
            values,
            marker="o",
            markersize=3,
            label=_HISTORY_LABELS.get(key, key),
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_scale:
        ax.set_yscale("log")
    if title is not None:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def _improvement_curves(results):
    """``results`` as a dict model -> (input SNRs, improvements), sorted by input."""
    if hasattr(results, "columns") and hasattr(results, "groupby"):  # a DataFrame
        required = {"model", "input_snr", "snr_improvement"}
        missing = required - set(results.columns)
        if missing:
            raise ValueError(
                "A results DataFrame needs the columns 'model', 'input_snr' and "
                f"'snr_improvement'; {sorted(missing)} missing from "
                f"{list(results.columns)}."
            )
        try:
            means = results.groupby(["model", "input_snr"], sort=False)[
                "snr_improvement"
            ].mean()
        except TypeError as exc:
            raise TypeError(
                "The column 'snr_improvement' of results must hold numbers (dB); "
                f"got dtype {results['snr_improvement'].dtype}."
            ) from exc
        curves = {}
        for (model, input_snr), value in means.items():
            curves.setdefault(str(model), ([], []))
            curves[str(model)][0].append(input_snr)
            curves[str(model)][1].append(value)
    elif isinstance(results, Mapping):
        curves = {}
        for model, pair in results.items():
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(
                    f"results[{model!r}] must be a pair (input_snrs, improvements); "
                    f"got {pair!r}."
                )
            curves[str(model)] = pair
    else:
        raise TypeError(
            "results must be a mapping model -> (input_snrs, improvements) or a "
            "pandas DataFrame with columns model, input_snr and snr_improvement; "
            f"got {type(results).__name__}."
        )
    if not curves:
        raise ValueError("results holds no model to plot.")
    sorted_curves = {}
    for model, (inputs, improvements) in curves.items():
        inputs, improvements = (
            _one_sequence(
                values,
                f"results[{model!r}] must hold numbers (input SNRs and "
                f"improvements in dB); in its {what}, ",
                lambda shape, what=what, model=model: (
                    f"results[{model!r}] must hold one sequence of {what}; got "
                    f"shape {shape}."
                ),
            )
            for what, values in (("input SNRs", inputs), ("improvements", improvements))
        )
        if inputs.shape != improvements.shape or inputs.size == 0:
            raise ValueError(
                f"results[{model!r}] needs as many improvements as input SNRs (at "
                f"least one); got {inputs.size} and {improvements.size}."
            )
        order = np.argsort(inputs, kind="stable")
        sorted_curves[model] = (inputs[order], improvements[order])
    return sorted_curves


def plot_snr_improvement(results, *, ax=None, title=None, marker="o"):
    """Plot the SNR improvement of several models against the input SNR.

    Parameters
    ----------
    results : mapping or pandas DataFrame
        Either a mapping from a model's name to a pair
        ``(input_snrs, snr_improvements)`` of equal-length sequences in dB, or
        a DataFrame in long form with the columns ``model``, ``input_snr`` and
        ``snr_improvement`` (as the demo's ``results.csv``): rows sharing a
        model and an input SNR are averaged.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; None draws on a new figure.
    title : str or None, default=None
        Title of the axes.
    marker : str, default="o"
        Marker of the measured points.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on, with one line per model (in the order given), its
        points sorted by input SNR.

    See Also
    --------
    skdenoise.metrics.snr_improvement : The metric plotted.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdenoise.plotting import plot_snr_improvement
    >>> ax = plot_snr_improvement({
    ...     "UNetDenoiser": ([0, 6, 12], [9.5, 8.5, 6.7]),
    ...     "WaveletDenoiser": ([0, 6, 12], [4.8, 3.9, 3.0])})
    >>> [line.get_label() for line in ax.get_lines()]
    ['UNetDenoiser', 'WaveletDenoiser']
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('input SNR (dB)', 'SNR improvement (dB)')
    """
    curves = _improvement_curves(results)
    _pyplot()  # matplotlib, or the error that says how to install it
    from matplotlib.markers import MarkerStyle

    # Checked before a figure is made: a call that fails leaves none open.
    try:
        MarkerStyle(marker)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"marker: {exc}") from None
    ax = _axes(ax)
    for model, (inputs, improvements) in curves.items():
        ax.plot(inputs, improvements, marker=marker, label=model)
    ax.set_xlabel("input SNR (dB)")
    ax.set_ylabel("SNR improvement (dB)")
    ax.grid(True, alpha=0.3)
    if title is not None:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


# More panels than this make a figure too tall to read (2.2 inches each).
_MAX_EXAMPLES = 50


def _batch(values, name, limit=True):
    """A batch of series as a 2-D float array (one series per row)."""
    array = _floats(values, name)
    if array.ndim == 1:
        array = array[np.newaxis]
    if array.ndim == 3 and array.shape[2] == 1:
        # The denoisers' 3-D output of single-channel series.
        array = array[:, :, 0]
    if array.ndim != 2 or array.size == 0:
        hint = (
            "; plot one channel at a time, e.g. X[:, :, 0]" if array.ndim == 3 else ""
        )
        raise ValueError(
            f"{name} must have shape (n_examples, n_timesteps) or (n_examples, "
            f"n_timesteps, 1); got shape {array.shape}{hint}."
        )
    if limit and array.shape[0] > _MAX_EXAMPLES:
        hint = "pass a few of them, for example X[:4]"
        if array.shape[0] > 4 * array.shape[1]:
            # Most likely one recording with time down its rows.
            hint = (
                "this looks like one recording with time down its rows: pass its "
                "channels as rows (signal.T) or one of them (signal[:, 0])"
            )
        raise ValueError(
            f"{name} holds {array.shape[0]} examples (shape {array.shape}); "
            f"plot_examples draws one panel each, on a figure of its own at most "
            f"{_MAX_EXAMPLES} (give axes for more): {hint}."
        )
    return array


def plot_examples(
    clean=None,
    noisy=None,
    denoised=None,
    *,
    sampling_rate=None,
    titles=None,
    axes=None,
    figsize=None,
):
    """Plot several examples, one :func:`plot_denoising` panel each, stacked.

    Parameters
    ----------
    clean : array-like of shape (n_examples, n_timesteps) or None, default=None
        Clean series, one per example; ``(n_examples, n_timesteps, 1)``, the
        denoisers' 3-D form of single-channel series, is accepted as well. At
        most 50 examples (one panel each) on a new figure; any number on
        ``axes``.
    noisy : array-like of shape (n_examples, n_timesteps) or None, default=None
        Noisy series, one per example (or of shape ``(n_examples,
        n_timesteps, 1)``).
    denoised : array-like of shape (n_examples, n_timesteps), mapping or None, \
default=None
        Denoised series, or a mapping from a model's name to its denoised
        series (each of shape ``(n_examples, n_timesteps)`` or
        ``(n_examples, n_timesteps, 1)``).
    sampling_rate : float or None, default=None
        Sampling rate in Hz: the time axes are in seconds when given.
    titles : list of str or None, default=None
        One title per example.
    axes : array-like of matplotlib Axes or None, default=None
        One axes per example to draw on. None makes a new figure with one row
        per example.
    figsize : (float, float) or None, default=None
        Size in inches of the new figure (when ``axes`` is None); by default
        10 wide and 2.2 per example plus 0.4.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_examples,)
        The axes drawn on. Only the first carries a legend; the time axis is
        labelled on the last.

    See Also
    --------
    plot_denoising : One example.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdenoise.plotting import plot_examples
    >>> clean = np.sin(np.linspace(0, 6, 100) + np.arange(3)[:, None])
    >>> axes = plot_examples(clean, clean + 0.2, {"model": clean + 0.05},
    ...                      titles=["a", "b", "c"])
    >>> axes.shape, axes[1].get_title()
    ((3,), 'b')
    """
    batches = {}
    if noisy is not None:
        batches["noisy"] = _batch(noisy, "noisy", limit=axes is None)
    if clean is not None:
        batches["clean"] = _batch(clean, "clean", limit=axes is None)
    estimates = {
        name: _batch(values, f"denoised[{name!r}]", limit=axes is None)
        for name, values in _named_estimates(denoised, "denoised").items()
    }
    if not batches and not estimates:
        raise ValueError("Give at least one of clean, noisy and denoised to plot.")
    # A list, not a dict: an estimate labelled "clean" keeps both entries.
    shapes = [(name, b.shape) for name, b in [*batches.items(), *estimates.items()]]
    if len({shape for _, shape in shapes}) > 1:
        described = ", ".join(f"{name}: {shape}" for name, shape in shapes)
        raise ValueError(f"The batches must have the same shape; got {described}.")
    n_examples = shapes[0][1][0]
    if titles is not None:
        if isinstance(titles, str) or not isinstance(titles, Iterable):
            raise TypeError(
                "titles must be a list of strings, one per example; got "
                f"{type(titles).__name__}."
            )
        titles = list(titles)
    if titles is not None and len(titles) != n_examples:
        raise ValueError(
            f"titles must hold one title per example ({n_examples}); got {len(titles)}."
        )
    _check_sampling_rate(sampling_rate)
    created = None
    if axes is None:
        if figsize is None:
            figsize = (10.0, 2.2 * n_examples + 0.4)
        created, axes = _pyplot().subplots(
            n_examples, 1, figsize=figsize, squeeze=False, layout="constrained"
        )
    try:
        return _draw_examples(
            axes, n_examples, batches, estimates, sampling_rate, titles
        )
    except BaseException:
        # A call that fails leaves no figure of its own open in pyplot.
        if created is not None:
            _pyplot().close(created)
        raise


def _draw_examples(axes, n_examples, batches, estimates, sampling_rate, titles):
    if hasattr(axes, "add_subplot"):  # a Figure: not a sequence of axes
        raise TypeError(
            "axes must be an array of matplotlib Axes, one per example, or None; "
            f"got a {type(axes).__name__} (pass its axes: fig.axes)."
        )
    axes = np.asarray(axes, dtype=object).reshape(-1)
    for i, ax in enumerate(axes):
        _check_axes(ax, f"axes[{i}]")
    if axes.size != n_examples:
        raise ValueError(
            f"axes must hold one axes per example ({n_examples}); got {axes.size}."
        )
    for i, ax in enumerate(axes):
        plot_denoising(
            batches["clean"][i] if "clean" in batches else None,
            batches["noisy"][i] if "noisy" in batches else None,
            {name: values[i] for name, values in estimates.items()} or None,
            sampling_rate=sampling_rate,
            ax=ax,
            title=None if titles is None else titles[i],
            legend=i == 0,
        )
        if i < n_examples - 1:
            ax.set_xlabel("")
    return axes
