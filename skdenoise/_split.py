"""Which series a training call holds out for validation (no TensorFlow)."""

import contextvars

import numpy as np

__all__ = [
    "HOLD_NOTHING",
    "ROWS_PER_SERIES",
    "by_series",
    "later_split",
    "later_split_note",
    "next_roles",
    "split_validation",
    "warn_all_held",
    "widen_rows",
]

# Set while a wrapper's later partial_fit has no series to hold out (to
# later_split_note's "held" or "trained"): the network then holds out none
# either (its own split of the wrapper's windows would calibrate on windows of
# series trained on before).
HOLD_NOTHING = contextvars.ContextVar("skdenoise_hold_nothing", default=None)
# Consecutive rows that are the channels of one series (a ResampledDenoiser
# hands its estimator each lead of a recording as a row of its own): they are
# held out, or trained on, together.
ROWS_PER_SERIES = contextvars.ContextVar("skdenoise_rows_per_series", default=1)


def by_series(n_rows, split):
    """``split(n)`` (a ``(validation, training)`` pair of rows) by whole series.

    With ``ROWS_PER_SERIES`` rows to a series, ``split`` is given the number
    of series and its rows are widened to theirs; otherwise it is the split
    of the rows themselves. Returns ``(validation, training, n_units)``.
    """
    per = ROWS_PER_SERIES.get()
    if per <= 1 or n_rows % per:
        return (*split(n_rows), n_rows)
    n_series = n_rows // per
    val, train = split(n_series)
    return widen_rows(val, per), widen_rows(train, per), n_series


def widen_rows(series, per):
    """The rows of ``series`` (indices) when each series is ``per`` rows."""
    series = np.asarray(series, dtype=np.intp)
    return (series[:, np.newaxis] * per + np.arange(per)).ravel()


def split_validation(n_series, fraction, seed, first=None, stream=2, first_held=None):
    """``(validation_rows, training_rows)``: a random ``fraction`` held out.

    ``first``: the number of series of the call that chose the split (a
    first ``partial_fit``), None: this one. A later call on another number of
    series keeps the roles of the rows that call had (:func:`later_split`),
    and so does any later call given ``first_held``, the rows still held out
    where they are not this split's (see :func:`next_roles`).
    ``stream``: the random stream of the draw.
    """
    if first is not None and fraction and first_held is not None:
        return later_split(n_series, fraction, seed, first, stream, first_held)
    if first is not None and n_series != first:
        return later_split(n_series, fraction, seed, first, stream)
    n_val = 0
    if fraction and n_series >= 2:
        n_val = min(n_series - 1, max(1, round(fraction * n_series)))
    order = np.random.default_rng([seed, stream]).permutation(n_series)
    return order[:n_val], order[n_val:]


def later_split(n_series, fraction, seed, first, stream=2, first_held=None):
    """The split of a later call on ``n_series`` rows, the first call on ``first``.

    Rows the first call had keep their role (held out or trained on), so that
    X grown by new series between calls (or cut short) never calibrates on a
    series trained on before; each row past them is held out with
    probability ``fraction``, drawn for the row alone (the same in every
    call, however long X is). Nothing is held out (every row trained on)
    where that would leave no row to hold out or none to train on
    (:func:`later_split_note` says which).
    ``first_held``: the rows the first call held out, where it did not split
    as :func:`split_validation` does (None: as it does).
    """
    held = _later_roles(n_series, fraction, seed, first, stream, first_held)
    val, train = np.flatnonzero(held), np.flatnonzero(~held)
    if not len(val) or not len(train):
        return val[:0], np.arange(n_series)
    return val, train


def later_split_note(n_series, fraction, seed, first, stream=2, first_held=None):
    """Why :func:`later_split` holds nothing out: ``"held"``, ``"trained"`` or None.

    ``"held"``: every row is one that the split holds out (the first call's
    validation series alone), so all are trained on now; ``"trained"``: none
    is; None: the split holds some out.
    """
    held = _later_roles(n_series, fraction, seed, first, stream, first_held)
    if held.all():
        return "held"
    if not held.any():
        return "trained"
    return None


def _later_roles(n_series, fraction, seed, first, stream, first_held):
    """Whether each of ``n_series`` rows is held out in a later call."""
    if first_held is None:
        first_held, _ = split_validation(first, fraction, seed, stream=stream)
    first_val = np.asarray(first_held, dtype=np.intp)
    held = np.zeros(n_series, dtype=bool)
    held[first_val[first_val < n_series]] = True
    if n_series > first:
        block = 1024
        for start in range(first - first % block, n_series, block):
            draws = np.random.default_rng([seed, stream, 1, start // block]).random(
                block
            )
            rows = np.arange(start, min(start + block, n_series))
            new = rows >= first
            held[rows[new]] = draws[rows[new] - start] < fraction
    return held


def next_roles(first, first_held, n_series, held_now, derive):
    """``(n_known, held)`` after a call on ``n_series`` rows held out ``held_now``.

    Every row the call had took its role in it: held out (``held_now``) or
    trained on (the others, a call that held out nothing trained on all);
    rows past them keep the role they had (``first_held``: the rows held out
    of the ``first`` known before; ``first`` None: no call before). ``held``
    is None where it is ``derive(n_known)``, the rows a split of ``n_known``
    series by the recorded seed and share holds out (so that a record that
    says no more than the seed and share does not change how a later call
    splits); otherwise (and where ``derive`` returns None) the sorted rows.
    """
    n_known = n_series if first is None else max(int(first), int(n_series))
    before = np.asarray([] if first_held is None else first_held, dtype=np.intp)
    held = np.union1d(before[before >= n_series], np.asarray(held_now, dtype=np.intp))
    derived = derive(n_known)
    if derived is not None and np.array_equal(
        np.sort(np.asarray(derived, dtype=np.intp)), held
    ):
        return n_known, None
    return n_known, held


def warn_all_held(estimator, method):
    """Warn that a later call trains on the first call's validation series."""
    from ._warnings import warn_at_caller

    warn_at_caller(
        f"{type(estimator).__name__}.{method}: every series of this X is one that "
        "the first call held out for validation, so it trains on them now, and "
        "the gates and the standard deviation recalibrated in later calls on "
        "those series will have seen them. Give it series it trains on as well "
        "(those of the first call, or new ones), or fit anew."
    )
