"""Warnings and exceptions raised by skdenoise."""

__all__ = ["FileVersionWarning", "TargetIgnoredWarning"]


class TargetIgnoredWarning(UserWarning):
    """Raised when ``fit`` receives a ``y`` that it does not use.

    A denoiser's target is a batch of clean series with the shape of ``X``. A
    1-D ``y`` with one value per series (for example class labels), or a
    column of them, carries no clean signal; it is ignored and ``fit``
    proceeds as ``fit(X)``. The classical filters, which learn nothing from
    ``y``, ignore a 2-D ``y`` of ``X``'s number of series and another width
    (the targets of an estimator after them in a Pipeline). A neural
    denoiser with ``training="blind_spot"`` learns from ``X`` alone and
    ignores any ``y``, clean series included.

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


class FileVersionWarning(UserWarning):
    """Raised when :func:`skdenoise.persistence.load` reads another version's file.

    The file format itself is checked (files of another format version are
    refused); within one format, an estimator written by another version of
    skdenoise loads, but its behaviour may differ from what it had there (a
    default, a calibration or a fix that changed in between). Save it again
    with this version, or load it with the version that wrote it.
    """
