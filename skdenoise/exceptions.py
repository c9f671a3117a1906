"""Warnings and exceptions raised by skdenoise."""

__all__ = ["TargetIgnoredWarning"]


class TargetIgnoredWarning(UserWarning):
    """Raised when ``fit`` receives a ``y`` that cannot be a clean target.

    A denoiser's target is a batch of clean series with the shape of ``X``. A
    1-D ``y`` with one value per series (for example class labels) carries no
    clean signal; it is ignored and ``fit`` proceeds as ``fit(X)``.

    Examples
    --------
    Turn it into an error to make sure no target is ever dropped:

    >>> import warnings
    >>> from skdenoise.exceptions import TargetIgnoredWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", TargetIgnoredWarning)
    ...     issubclass(TargetIgnoredWarning, UserWarning)
    True
    """
