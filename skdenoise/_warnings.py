"""Warnings that point at the user's line, however deep in the package they arise."""

import concurrent
import contextlib
import contextvars
import multiprocessing
import os
import re
import sys
import threading
import warnings

import joblib
import sklearn

__all__ = ["in_chunked_call", "once_per_call", "recorded", "silenced", "warn_at_caller"]

# Messages given in the current call of a wrapper that runs its inner
# estimator chunk by chunk (None outside such a call). Per thread and task.
_GIVEN = contextvars.ContextVar("skdenoise_warnings_given", default=None)


@contextlib.contextmanager
def once_per_call():
    """Within this block, ``warn_at_caller(..., once=True)`` warns once per text.

    A wrapper that runs its inner estimator on every chunk of windows would
    repeat the inner estimator's warning once per chunk. The warnings module's
    own state is not touched (it is shared by all threads).
    """
    token = _GIVEN.set(set())
    try:
        yield
    finally:
        _GIVEN.reset(token)


def in_chunked_call():
    """Whether a wrapper runs its inner estimator chunk by chunk right now.

    Inside :func:`once_per_call`: the inner estimator's series are then the
    wrapper's windows, whose counts and indices mean nothing to the user.
    """
    return _GIVEN.get() is not None


# (category, compiled pattern) of the warnings dropped in the current block of
# ``silenced``. Per thread and task.
_SILENCED = contextvars.ContextVar("skdenoise_warnings_silenced", default=())


@contextlib.contextmanager
def silenced(*rules):
    """Within this block, ``warn_at_caller`` drops the warnings of ``rules``.

    ``rules``: ``(category, pattern)`` pairs; a warning of that category (or a
    subclass) whose message matches the regular expression is not given. The
    warnings module's filters are shared by every thread, and
    ``warnings.catch_warnings`` in concurrent threads left filters of one
    thread's block in place for good; this state is the thread's own.
    """
    compiled = tuple((category, re.compile(pattern)) for category, pattern in rules)
    token = _SILENCED.set(_SILENCED.get() + compiled)
    try:
        yield
    finally:
        _SILENCED.reset(token)


# The list that ``warn_at_caller`` appends its warnings to instead of giving
# them, in the current block of ``recorded`` (None outside). Per thread and task.
_RECORDED = contextvars.ContextVar("skdenoise_warnings_recorded", default=None)


@contextlib.contextmanager
def recorded():
    """Collect the ``(category, message)`` that ``warn_at_caller`` would give.

    The warnings module's ``catch_warnings(record=True)`` swaps the printer of
    the whole process: in concurrent threads a block could leave it, and its
    filters, in place for good, and every later warning was lost.
    """
    caught = []
    token = _RECORDED.set(caught)
    try:
        yield caught
    finally:
        _RECORDED.reset(token)


# Frames in these folders are skipped: the package's own, scikit-learn's (its
# fit context and fit_transform call fit on the user's behalf) and joblib's
# (a Pipeline's memory, a search's parallel loop).
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (
        sys.modules[__package__],
        sklearn,
        joblib,
        multiprocessing,
        concurrent,
    )
) + (os.path.abspath(threading.__file__),)
# And the start of a worker process or thread (multiprocessing, concurrent,
# threading): a search's loky worker has no frame of the user's, and its
# warnings were attributed to multiprocessing/process.py. Past the stack,
# Python names "sys:1", which points at no wrong line.


def warn_at_caller(message, category=UserWarning, once=False):
    """``warnings.warn`` attributed to the first frame outside skdenoise and sklearn.

    A fixed ``stacklevel`` is right for one path only: the same warning is
    reached from ``fit``, ``partial_fit``, ``fit_transform`` or a wrapper.
    ``once``: inside :func:`once_per_call`, a message given before in the
    same call is not given again.
    """
    for silent, pattern in _SILENCED.get():
        if issubclass(category, silent) and pattern.search(message):
            return
    caught = _RECORDED.get()
    if caught is not None:
        caught.append((category, message))
        return
    given = _GIVEN.get() if once else None
    if given is not None:
        if (category, message) in given:
            return
        given.add((category, message))
    frame = sys._getframe(1)
    level = 2
    while frame is not None and _internal(frame.f_code.co_filename):
        # warnings.warn itself passes over the import system's frames
        # ("<frozen importlib._bootstrap>") without counting them.
        filename = frame.f_code.co_filename
        if not ("importlib" in filename and "_bootstrap" in filename):
            level += 1
        frame = frame.f_back
    warnings.warn(message, category, stacklevel=level)


def _internal(filename):
    """Whether a frame of ``filename`` is one a warning is not attributed to."""
    # "<frozen runpy>": the start of a worker process run with python -m.
    return filename.startswith("<frozen ") or os.path.abspath(filename).startswith(
        _INTERNAL
    )
