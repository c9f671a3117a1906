"""Which series a training call holds out for validation (no TensorFlow)."""

import contextvars

import numpy as np

__all__ = ["HOLD_NOTHING", "later_split", "split_validation"]

# True while a wrapper's later partial_fit has no series to hold out: the
# network then holds out none either (its own split of the wrapper's windows
# would calibrate on windows of series trained on before).
HOLD_NOTHING = contextvars.ContextVar("skdenoise_hold_nothing", default=False)


def split_validation(n_series, fraction, seed, first=None, stream=2):
    """``(validation_rows, training_rows)``: a random ``fraction`` held out.

    ``first``: the number of series of the call that chose the split (a
    first ``partial_fit``), None: this one. A later call on another number of
    series keeps the roles of the rows that call had (:func:`later_split`).
    ``stream``: the random stream of the draw.
    """
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
    where that would leave no row to hold out or none to train on.
    ``first_held``: the rows the first call held out, where it did not split
    as :func:`split_validation` does (None: as it does).
    """
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
    val, train = np.flatnonzero(held), np.flatnonzero(~held)
    if not len(val) or not len(train):
        return val[:0], np.arange(n_series)
    return val, train
