"""Find every public estimator of the package, for the common tests."""

import importlib
import inspect

from sklearn.base import BaseEstimator

PUBLIC_MODULES = ["skdenoise", "skdenoise.baselines", "skdenoise.pipeline"]


def public_estimators():
    """(name, class) of every concrete public estimator, sorted by name."""
    found = {}
    for module_name in PUBLIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not name.startswith("Base")
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    return sorted(found.items())


def tiny_instance(cls):
    """An instance with the class's small test configuration, if it has one."""
    params = cls._get_test_params() if hasattr(cls, "_get_test_params") else {}
    return cls(**params)
