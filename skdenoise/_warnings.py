"""Warnings that point at the user's line, however deep in the package they arise."""

import os
import sys
import warnings

import sklearn

__all__ = ["warn_at_caller"]

# Frames in these folders are skipped: the package's own, and scikit-learn's
# (its fit context and fit_transform call fit on the user's behalf).
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn)
)


def warn_at_caller(message, category=UserWarning):
    """``warnings.warn`` attributed to the first frame outside skdenoise and sklearn.

    A fixed ``stacklevel`` is right for one path only: the same warning is
    reached from ``fit``, ``partial_fit``, ``fit_transform`` or a wrapper.
    """
    frame = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _INTERNAL
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
