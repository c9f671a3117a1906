"""Discovery of the package's public estimators.

:func:`all_denoisers` lists every public denoiser, in the manner of
scikit-learn's ``all_estimators``; the documentation and the test suite read
it instead of keeping lists of their own. Listing the neural
denoisers imports TensorFlow.
"""

import importlib
import inspect

from sklearn.base import BaseEstimator

__all__ = ["all_denoisers", "all_estimators", "DENOISER_TYPES"]

#: The families of denoisers, each a public subpackage.
DENOISER_TYPES = ("neural", "classical", "windowing")

# Public modules of estimators that are not denoisers (they change the series'
# units or shape), found by :func:`all_estimators`.
_TOOL_MODULES = ("skdenoise.preprocessing", "skdenoise.windowing")


def _public_classes(module_name):
    module = importlib.import_module(module_name)
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, BaseEstimator)
            and not name.startswith("Base")
            and not inspect.isabstract(obj)
        ):
            yield name, obj


def all_denoisers(type_filter=None):
    """Every public denoiser of the package, as ``(name, class)`` pairs.

    Parameters
    ----------
    type_filter : {"neural", "classical", "windowing"}, list of them or None, \
default=None
        Only the denoisers of these families; None lists all.

    Returns
    -------
    denoisers : list of (str, type)
        Sorted by name.

    Examples
    --------
    >>> from skdenoise.utils import all_denoisers
    >>> [name for name, _ in all_denoisers("classical")]  # doctest: +ELLIPSIS
    ['BandpassDenoiser', 'MedianDenoiser', ...]
    """
    if type_filter is None:
        types = list(DENOISER_TYPES)
    elif isinstance(type_filter, str):
        types = [type_filter]
    else:
        try:
            types = list(type_filter)
        except TypeError:
            raise TypeError(
                f"type_filter must be a family name, a list of them or None; got "
                f"{type_filter!r}."
            ) from None
    unknown = [t for t in types if t not in DENOISER_TYPES]
    if unknown:
        raise ValueError(
            f"type_filter must be among {DENOISER_TYPES} or None; got {unknown!r}."
        )
    from .base import BaseDenoiser

    found = {}
    for family in types:
        for name, cls in _public_classes(f"skdenoise.{family}"):
            if issubclass(cls, BaseDenoiser):
                found[name] = cls
    return sorted(found.items())


def all_estimators():
    """Every public estimator: the denoisers and the series tools.

    Returns
    -------
    estimators : list of (str, type)
        Sorted by name; :class:`~skdenoise.pipeline.SeriesScaler` and
        :class:`~skdenoise.pipeline.SeriesWindower` besides the denoisers.

    Examples
    --------
    >>> from skdenoise.utils import all_estimators
    >>> "SeriesScaler" in dict(all_estimators())
    True
    """
    found = dict(all_denoisers())
    for module_name in _TOOL_MODULES:
        found.update(_public_classes(module_name))
    return sorted(found.items())
