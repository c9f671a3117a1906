"""Saving estimators as data (JSON, ``.npy`` arrays, ``.keras`` models), no pickle.

A saved estimator is one zip archive:

- ``manifest.json``: the format name and version, the versions of skdenoise and
  scikit-learn that wrote it, and the estimator tree. Every estimator is
  ``{"__estimator__": "module:Class", "params": ..., "attributes": ...}`` with
  its ``get_params(deep=False)`` and the rest of its ``__dict__`` (the fitted
  attributes), encoded recursively;
- ``arrays/<n>.npy``: numpy arrays and scalars, read back with
  ``allow_pickle=False``;
- ``models/<n>.keras``: Keras models in Keras' native format, read back with
  ``keras.saving.load_model(..., safe_mode=True)``.

Only classes of skdenoise and of scikit-learn's ``preprocessing`` and
``pipeline`` modules are written and read; anything else is refused. A function
is written by reference, and only as the ``model`` (network builder) of a
:class:`~skdenoise.KerasDenoiser`: read back from a module already imported
that is not Python's standard library. An estimator's ``set_output`` and
metadata-routing requests (``set_fit_request``, ...) are kept in its
``"config"``.
"""

import importlib
import inspect
import io
import json
import math
import numbers
import os
import re
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from ._files import atomic_write
from ._version import __version__
from ._warnings import warn_at_caller
from .exceptions import FileVersionWarning

__all__ = ["FORMAT_VERSION", "save", "load"]

FORMAT_NAME = "skdenoise-estimator"
#: Version of the file layout; files of another version are refused on load.
FORMAT_VERSION = 1

_MANIFEST = "manifest.json"
_ALLOWED_MODULES = (
    "skdenoise",
    "sklearn.preprocessing",
    "sklearn.pipeline",
    "sklearn.frozen",
)
# The one parameter that may hold a function: KerasDenoiser's network builder
# (the classes with routed ``model__`` parameters). Anywhere else a function
# read from a file would be called with what that file chose: a pipeline of
# FunctionTransformer steps could run a shell command on transform.
_FUNCTION_PARAMETER = "model"
_TAGS = (
    "__tuple__",
    "__dict__",
    "__float__",
    "__ndarray__",
    "__strings__",
    "__random_state__",
    "__estimator__",
    "__keras_model__",
    "__function__",
)


def _allowed(module):
    return not _is_test_module(module) and any(
        _allowed_package(module, name) for name in _ALLOWED_MODULES
    )


def _is_test_module(module):
    """A package's tests (``sklearn.preprocessing.tests.test_data``): never loaded.

    Importing them imports pytest and whatever they import; their names would
    otherwise pass as modules of an allowed package.
    """
    return any(
        part in ("tests", "test", "conftest") or part.startswith("test_")
        for part in module.split(".")
    )


def _allowed_package(module, package):
    return module == package or module.startswith(package + ".")


def _allowed_text():
    return ", ".join(_ALLOWED_MODULES)


def _is_fitted_attribute(cls, name):
    """Whether ``name`` may be a fitted attribute: ends in ``_``, shadows nothing."""
    return (
        isinstance(name, str)
        and name.isidentifier()
        and name.endswith("_")
        and not name.startswith("__")
        and not hasattr(cls, name)
    )


# What set_output and set_*_request store: written apart, as the "config".
_CONFIG_ATTRIBUTES = ("_sklearn_output_config", "_metadata_request")


def _is_state_attribute(cls, name):
    """Whether ``name`` is state that ``save`` writes and ``load`` restores.

    The fitted attributes (names ending in ``_``) of every class, and for
    scikit-learn's classes also their private state that does not end so
    (``PowerTransformer._scaler``, ``PolynomialFeatures._n_out_full``), without
    which a loaded transformer fails at ``transform``. skdenoise's own classes
    name their state ``_x_``; their other private attributes are caches.
    """
    if _is_fitted_attribute(cls, name):
        return True
    return (
        not _allowed_package(cls.__module__, "skdenoise")
        and isinstance(name, str)
        and name.isidentifier()
        and name.startswith("_")
        and not name.startswith("__")
        and name not in _CONFIG_ATTRIBUTES
        and not hasattr(cls, name)
    )


def _takes_function(cls, name):
    """Whether the parameter ``name`` of ``cls`` may be a function (a builder)."""
    return name == _FUNCTION_PARAMETER and hasattr(cls, "_model_params")


def _keras_model_class():
    """``keras.Model`` if Keras is already imported (no model exists otherwise)."""
    keras = sys.modules.get("keras")
    return getattr(keras, "Model", None) if keras is not None else None


def _public_module(cls):
    """The public module exporting ``cls`` (``sklearn.preprocessing``, not ``._data``).

    Files then name classes as users import them, and survive moves between
    private modules.
    """
    parts = cls.__module__.split(".")
    while len(parts) > 1 and parts[-1].startswith("_"):
        parts.pop()
    public = ".".join(parts)
    # The package's top level, the module itself, then its public submodules.
    candidates = [parts[0], public] + sorted(
        name
        for name in sys.modules
        if name.startswith(public + ".")
        and not any(part.startswith("_") for part in name.split("."))
    )
    for name in candidates:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, cls.__qualname__, None) is cls:
            return name
    return cls.__module__


def _lambdas(config, layer=None):
    """Names of the layers whose config holds a Python lambda, depth first."""
    if isinstance(config, dict):
        if config.get("class_name") == "__lambda__":
            yield layer
            return
        inner = config.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            layer = inner["name"]
        for value in config.values():
            yield from _lambdas(value, layer)
    elif isinstance(config, list):
        for value in config:
            yield from _lambdas(value, layer)


def _check_loads_safely(file, where):
    """Refuse a network that :func:`load` (always in safe mode) cannot read.

    Keras writes a Python lambda (a ``Lambda`` layer's function, say) as its
    bytecode and refuses to load it in safe mode: saved, the file would load
    nowhere.
    """
    with zipfile.ZipFile(file) as archive:
        config = json.loads(archive.read("config.json"))
    found = next(_lambdas(config), False)
    if found is not False:
        layer = f" (layer {found!r})" if found else ""
        raise TypeError(
            f"The Keras model at {where} holds a Python lambda{layer}, which Keras "
            "loads only outside its safe mode, and skdenoise.persistence.load "
            "reads networks in safe mode only: the file could not be loaded. "
            "Give the layer a named function (registered with "
            "@keras.saving.register_keras_serializable()), or save the denoiser "
            "with joblib or pickle (trusted files only)."
        )


def _unused_optimizer(model):
    """Whether ``model`` holds a built optimizer that never took a step."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False):
        return False
    try:
        return int(np.asarray(optimizer.iterations)) == 0
    except (TypeError, ValueError, AttributeError):
        return False


class _Writer:
    def __init__(self, archive):
        self.archive = archive
        self.n_arrays = 0
        self.n_models = 0
        self.keras_model = _keras_model_class()

    def _array(self, array):
        name = f"arrays/{self.n_arrays}.npy"
        self.n_arrays += 1
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        self.archive.writestr(name, buffer.getvalue(), zipfile.ZIP_DEFLATED)
        return name

    def _model(self, model, where):
        from ._tf import import_keras

        keras = import_keras()
        name = f"models/{self.n_models}.keras"
        self.n_models += 1
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "model.keras"
            try:
                keras.saving.save_model(model, file)
            except (OSError, MemoryError, Warning):
                # Not the model's fault (a full disk, a warning turned into an
                # error by the caller's filters): as raised.
                raise
            except Exception as exc:  # noqa: BLE001 - reported with its location
                raise TypeError(
                    f"The Keras model at {where} cannot be saved in Keras' format: "
                    f"{exc}"
                ) from exc
            _check_loads_safely(file, where)
            # The .keras file is a zip archive already, its weights stored
            # uncompressed: kept so (trained weights deflate little, and slowly),
            # except where an optimizer built and never used (a loaded model's)
            # adds twice the weights in zeros, which deflate to nothing.
            compression = (
                zipfile.ZIP_DEFLATED if _unused_optimizer(model) else zipfile.ZIP_STORED
            )
            self.archive.write(file, name, compression)
        return name

    def encode(self, value, where):
        if value is None or isinstance(value, (bool, str)):
            return value
        if type(value) is int:
            return value
        if type(value) is float:
            if math.isfinite(value):
                return value
            return {"__float__": repr(value)}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {
                "__tuple__": [
                    self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)
                ]
            }
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                raise TypeError(f"Cannot save {where}: dict keys must be strings.")
            return {
                "__dict__": {
                    k: self.encode(v, f"{where}[{k!r}]") for k, v in value.items()
                }
            }
        if isinstance(value, (np.ndarray, np.generic)):
            return self._encode_array(value, where)
        if isinstance(value, np.random.RandomState):
            kind, keys, pos, has_gauss, cached = value.get_state()
            return {
                "__random_state__": [kind, self._array(keys), pos, has_gauss, cached]
            }
        if isinstance(value, BaseEstimator):
            return self._encode_estimator(value, where)
        if self.keras_model is not None and isinstance(value, self.keras_model):
            return {"__keras_model__": self._model(value, where)}
        raise TypeError(
            f"Cannot save {where}: objects of type {type(value).__module__}."
            f"{type(value).__qualname__} are not supported. save stores numbers, "
            "strings, lists, tuples, dicts, numpy arrays, Keras models, "
            f"estimators from {_allowed_text()} and the model (a function) of a "
            "KerasDenoiser; use joblib.dump for other objects (or set the "
            "parameter to None, as for Keras callbacks)."
        )

    def _function(self, value, where):
        """A KerasDenoiser's network builder, by reference."""
        if not inspect.isfunction(value) or "<" in value.__qualname__:
            raise TypeError(
                f"Cannot save {where}: the model of a KerasDenoiser is saved by "
                "reference, so it must be a function defined at the top level of "
                f"a module (not a lambda or a nested function); got {value!r}. "
                "Use joblib.dump for it."
            )
        if _standard_library(value.__module__):
            raise TypeError(
                f"Cannot save {where}: {value.__module__}.{value.__qualname__} is "
                "a function of Python's standard library, which load refuses."
            )
        return {"__function__": f"{value.__module__}:{value.__qualname__}"}

    def _encode_array(self, value, where):
        if value.dtype.hasobject:
            items = np.asarray(value).ravel().tolist()
            if not all(isinstance(item, str) for item in items):
                raise TypeError(
                    f"Cannot save {where}: arrays of Python objects are only supported "
                    "when they hold strings."
                )
            return {"__strings__": items, "shape": list(np.shape(value))}
        entry = {"__ndarray__": self._array(np.asarray(value))}
        if isinstance(value, np.generic):
            entry["scalar"] = True
        return entry

    def _encode_estimator(self, estimator, where):
        cls = type(estimator)
        if not _allowed(cls.__module__) or "." in cls.__qualname__:
            raise TypeError(
                f"Cannot save {where or cls.__name__}: {cls.__module__}."
                f"{cls.__qualname__} is not an "
                f"estimator from {_allowed_text()}; use joblib.dump for it."
            )
        name = cls.__name__
        unknown = getattr(estimator, "_unknown_params", lambda: [])()
        if unknown:
            # A load would refuse them as the parameters of another version.
            raise ValueError(
                f"Cannot save {where or name}: it was given keyword arguments that "
                f"are no parameters of {name}: {unknown} (a network's "
                "hyper-parameters take the prefix 'model__')."
            )
        params = estimator.get_params(deep=False)
        attributes = {
            k: v
            for k, v in vars(estimator).items()
            if k not in params and _is_state_attribute(cls, k)
        }

        def encode(key, value):
            at = f"{where}.{key}" if where else f"{name}.{key}"
            if _takes_function(cls, key) and callable(value):
                return self._function(value, at)
            return self.encode(value, at)

        entry = {
            "__estimator__": f"{_public_module(cls)}:{cls.__qualname__}",
            "params": {k: encode(k, v) for k, v in params.items()},
            "attributes": {k: encode(k, v) for k, v in attributes.items()},
        }
        config = _config_of(estimator)
        if config:
            entry["config"] = config
        return entry


def _config_of(estimator):
    """What ``set_output`` and ``set_*_request`` stored on ``estimator``."""
    config = {}
    output = vars(estimator).get("_sklearn_output_config")
    if output:
        config["output"] = {str(k): str(v) for k, v in output.items()}
    requests = vars(estimator).get("_metadata_request")
    if requests is not None and hasattr(requests, "_serialize"):
        # Only what was set: the defaults (None) come with the class, and a later
        # scikit-learn may not have every parameter that takes one.
        chosen = {
            method: {k: v for k, v in request.items() if v is not None}
            for method, request in requests._serialize().items()
        }
        chosen = {method: request for method, request in chosen.items() if request}
        if chosen:
            config["requests"] = chosen
    return config


def _standard_library(module):
    top = str(module).partition(".")[0]
    return top in sys.stdlib_module_names or top in sys.builtin_module_names


# A member may expand to _MAX_RATIO times its compressed size (or to
# _MEMBER_FLOOR bytes), all members together to _MAX_RATIO times the file (or
# _TOTAL_FLOOR bytes): arrays of zeros deflate about 1,000-fold, so the floors
# leave room for any saved denoiser while a bomb's gigabytes are refused.
_MAX_RATIO = 200
_MEMBER_FLOOR = 256 * 2**20
_TOTAL_FLOOR = 1024 * 2**20


class _Reader:
    def __init__(self, archive, path):
        self.archive = archive
        self.path = path
        # The Keras that wrote the file (from its manifest), to name when this
        # one cannot read its networks.
        self.keras_version = None
        # The precision of the estimator whose attributes are being read: its
        # networks are compiled under it (mixed_float16's loss scaling).
        self._precision = None
        # Members read so far, and the bytes they expanded to (_check_member).
        self._read = set()
        self._expanded = 0
        # What the file holds, compressed (a file object has no size on disk).
        self._archive_size = sum(info.compress_size for info in archive.infolist())

    def _member(self, name):
        try:
            info = self.archive.getinfo(name)
            self._check_member(name, info)
            with self.archive.open(info) as member:
                data = member.read(info.file_size + 1)
            if len(data) != info.file_size:
                raise zipfile.BadZipFile(
                    f"{len(data)} bytes where the directory says {info.file_size}"
                )
            return data
        except KeyError:
            raise ValueError(
                f"{self.path} is corrupted: the manifest refers to {name!r}, which the "
                "file does not contain."
            ) from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            # A damaged directory entry: an unknown compression method or
            # flags (NotImplementedError), the bit of an encrypted member
            # (RuntimeError).
            NotImplementedError,
            RuntimeError,
        ) as exc:
            raise ValueError(f"{self.path} is corrupted ({name}: {exc}).") from None

    def _check_member(self, name, info):
        """Refuse a member before reading it: a decompression bomb, or one read twice.

        The writer deflates or stores each member and refers to it once; a
        hostile file could expand a kilobyte into gigabytes, or refer to one
        large member many times over.
        """
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(
                f"{self.path} is corrupted ({name}: compressed with a method "
                "skdenoise never writes)."
            )
        if name in self._read:
            raise ValueError(
                f"{self.path} is not a file skdenoise wrote: its manifest refers "
                f"to the member {name} more than once."
            )
        self._read.add(name)
        ratio_cap = max(_MEMBER_FLOOR, _MAX_RATIO * info.compress_size)
        self._expanded += info.file_size
        total_cap = max(_TOTAL_FLOOR, _MAX_RATIO * self._archive_size)
        if info.file_size > ratio_cap or self._expanded > total_cap:
            raise ValueError(
                f"{self.path} is not a file skdenoise wrote: its member {name} "
                f"expands {info.compress_size} bytes to {info.file_size}, past "
                "what any saved denoiser holds (a decompression bomb?)."
            )

    def _array(self, name):
        data = self._member(name)
        try:
            return np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, MemoryError) as exc:
            # MemoryError: a header declaring a shape of terabytes.
            raise ValueError(f"{self.path} is corrupted ({name}: {exc}).") from None

    def _model(self, name):
        from ._tf import load_keras_model

        data = self._member(name)
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ValueError(
                f"{self.path} is corrupted: its network {name} is not a readable "
                "Keras archive."
            )
        from .neural._base import _dtype_policy, _float32_floatx

        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "model.keras"
            file.write_bytes(data)
            try:
                if self._precision is None:
                    with _float32_floatx():
                        return load_keras_model(file)
                with _dtype_policy(self._precision):
                    return load_keras_model(file)
            except Exception as exc:  # noqa: BLE001 - reported as a file problem
                if "is a Python lambda" in str(exc) or "safe_mode=False" in str(exc):
                    # Keras' advice (safe_mode=False, or turning safe mode
                    # off for the process) does not apply to this load.
                    what = (
                        "a Python lambda (code the file would run)"
                        if "is a Python lambda" in str(exc)
                        else "a layer that Keras loads only outside its safe mode"
                    )
                    raise ValueError(
                        f"{self.path}: the Keras model {name} holds {what}, and "
                        "skdenoise.persistence.load reads networks in Keras' "
                        "safe mode only, whatever keras.config says: it cannot "
                        "be loaded."
                    ) from exc
                raise ValueError(
                    f"{self.path}: the Keras model {name} cannot be loaded"
                    f"{_keras_version_hint(self.keras_version)}: {_short(exc)}"
                ) from exc

    def decode(self, value):
        if value is None or isinstance(value, (bool, str, int, float)):
            return value
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict) or len(value) == 0:
            raise ValueError(f"{self.path} is corrupted: unexpected entry {value!r}.")
        tag = next((key for key in _TAGS if key in value), None)
        if tag is None:
            raise ValueError(f"{self.path} is corrupted: unexpected entry {value!r}.")
        content = value[tag]
        if tag in ("__float__", "__strings__", "__random_state__"):
            keys = None
            if tag == "__random_state__":
                # A missing or damaged array is named as such.
                keys = self._array(content[1])
            try:
                return self._decode_value(tag, value, keys)
            except ValueError as exc:
                # float("abc"), a shape that does not hold the strings, a state
                # numpy does not take: the entry was edited or damaged.
                raise ValueError(
                    f"{self.path} is corrupted: its {tag} entry {content!r} cannot "
                    f"be read ({exc})."
                ) from None
        if tag == "__tuple__":
            return tuple(self.decode(v) for v in content)
        if tag == "__dict__":
            return {k: self.decode(v) for k, v in content.items()}
        if tag == "__ndarray__":
            array = self._array(content)
            return array[()] if value.get("scalar") else array
        if tag == "__keras_model__":
            return self._model(content)
        if tag == "__function__":
            raise ValueError(
                f"{self.path} holds the function {content!r} outside the model of a "
                "KerasDenoiser; load restores a function nowhere else, since the "
                "file would choose what it is called with."
            )
        return self._decode_estimator(value)

    def _decode_value(self, tag, value, keys=None):
        """A float, an array of strings or a random state (of ``keys``)."""
        content = value[tag]
        if tag == "__float__":
            return float(content)
        if tag == "__strings__":
            array = np.empty(len(content), dtype=object)
            array[:] = content
            return array.reshape(value["shape"])
        kind, _, pos, has_gauss, cached = content
        state = np.random.RandomState()
        state.set_state((kind, keys, pos, has_gauss, cached))
        return state

    def _function(self, path):
        """A function saved by reference, from an allowed or imported module.

        Loading never imports a module that is not skdenoise's: a user's model
        builder is found when its module has been imported before ``load``.
        """
        module_name, _, qualname = str(path).partition(":")
        if _standard_library(module_name) or not qualname:
            raise ValueError(
                f"{self.path} names the function {path!r} as a network builder; "
                "load refuses functions of Python's standard library."
            )
        module = sys.modules.get(module_name)
        if module is None and _allowed(module_name):
            module = importlib.import_module(module_name)
        if module is None:
            raise ValueError(
                f"{self.path} needs the function {qualname} of the module "
                f"{module_name}; import {module_name} before loading the file "
                "(load imports no module of its own accord)."
            )
        function = module
        for part in qualname.split("."):
            function = getattr(function, part, None)
        if not inspect.isfunction(function):
            raise ValueError(
                f"{self.path} needs the function {path!r}, which {module_name} does "
                "not define."
            )
        # Only a function defined where the file says: not one the module
        # imported from elsewhere (``skdenoise._tf:os.popen``).
        if (
            function.__module__ != module_name
            or function.__qualname__ != qualname
            or _standard_library(function.__module__)
        ):
            raise ValueError(
                f"{self.path} names the function {path!r} as a network builder, but "
                f"that name leads to {function.__module__}.{function.__qualname__}: "
                "load takes only a function defined in the module named."
            )
        return function

    def _decode_estimator(self, value):
        path = value["__estimator__"]
        if not isinstance(path, str):
            raise ValueError(f"{self.path} is corrupted: a class path is {path!r}.")
        module_name, _, qualname = path.partition(":")
        if not _allowed(module_name) or not qualname or "." in qualname:
            raise ValueError(
                f"{self.path} asks for the class {path!r}, which is not allowed: only "
                f"estimators from {_allowed_text()} are loaded."
            )
        try:
            cls = getattr(importlib.import_module(module_name), qualname)
        except (ImportError, AttributeError):
            raise ValueError(
                f"{self.path} needs the class {qualname} from {module_name}, which "
                f"this installation does not have (skdenoise {__version__})."
            ) from None
        if not (isinstance(cls, type) and issubclass(cls, BaseEstimator)):
            raise ValueError(f"{self.path}: {path!r} is not an estimator class.")
        if not _allowed(cls.__module__) or cls.__qualname__ != qualname:
            # A class another module imported (skdenoise.base's BaseEstimator,
            # an estimator of sklearn's that a module of skdenoise uses) is
            # reached through an allowed name but is not allowed itself.
            raise ValueError(
                f"{self.path} asks for the class {path!r}, which is "
                f"{cls.__module__}.{cls.__qualname__}, not allowed: only "
                f"estimators from {_allowed_text()} are loaded."
            )
        raw_params = value.get("params", {})
        raw_attributes = value.get("attributes", {})
        if not isinstance(raw_params, dict) or not isinstance(raw_attributes, dict):
            raise ValueError(
                f"{self.path} is corrupted: the parameters and attributes of "
                f"{qualname} must be mappings."
            )
        known = set(cls._get_param_names())
        for name in raw_params:
            routed = name.startswith("model__") and hasattr(cls, "_model_params")
            if name not in known and not routed:
                raise ValueError(
                    f"{self.path} sets the parameter {name!r}, which {qualname} "
                    f"does not have in this installation (skdenoise {__version__}, "
                    f"scikit-learn {sklearn.__version__}): the file was written by "
                    "another version, or is corrupted."
                )
        for name in raw_attributes:
            if not _is_state_attribute(cls, name):
                raise ValueError(
                    f"{self.path} is corrupted: {name!r} is not a fitted attribute "
                    f"of {qualname} (only names ending in '_', and scikit-learn's "
                    "private state, are restored)."
                )
        params = {
            k: self._function(v["__function__"])
            if _takes_function(cls, k) and isinstance(v, dict) and "__function__" in v
            else self.decode(v)
            for k, v in raw_params.items()
        }
        # The precision the network was built with (recorded when fitted),
        # which may differ from the parameter set since.
        built = raw_attributes.get("_built_params_")
        built = self.decode(built) if built is not None else None
        precision = params.get("precision")
        if isinstance(built, dict) and isinstance(built.get("precision"), str):
            precision = built["precision"]
        previous = self._precision
        if isinstance(precision, str) and hasattr(cls, "_built_precision"):
            self._precision = precision
        try:
            # _built_params_ as decoded above: each member is read once.
            attributes = {
                k: built if k == "_built_params_" else self.decode(v)
                for k, v in raw_attributes.items()
            }
        finally:
            self._precision = previous
        estimator = cls(**params)
        for key, attr in attributes.items():
            setattr(estimator, key, attr)
        if attributes and hasattr(cls, "_upgrade_old_state"):
            # What unpickling fills in for files of older versions.
            estimator._upgrade_old_state()
        self._configure(estimator, value.get("config", {}), qualname)
        if attributes:
            self._check_params(estimator, qualname)
            self._check_state(estimator, qualname)
        return estimator

    def _check_state(self, estimator, qualname):
        """Refuse fitted attributes of a kind that ``fit`` never leaves.

        A hand-edited file would otherwise load and fail at ``transform`` with
        an error about broadcasting, or about "abc features".
        """
        n_features = getattr(estimator, "n_features_in_", None)
        if n_features is not None and (
            not isinstance(n_features, numbers.Integral)
            or isinstance(n_features, bool)
            or n_features < 1
        ):
            raise ValueError(
                f"{self.path} is corrupted: n_features_in_ of {qualname} must be a "
                f"positive integer; got {n_features!r}."
            )
        # The neural denoisers' map of units, one (scale, offset) per channel
        # or per timestep and channel: (1, 1 or n_timesteps, n_channels).
        maps = [
            getattr(estimator, n, None) for n in ("target_scale_", "target_offset_")
        ]
        if all(m is None for m in maps):
            return
        shapes = [np.shape(m) for m in maps]
        if (
            any(not isinstance(m, np.ndarray) for m in maps)
            or shapes[0] != shapes[1]
            or len(shapes[0]) != 3
            or shapes[0][0] != 1
            or shapes[0][2] != getattr(estimator, "n_channels_in_", shapes[0][2])
            or shapes[0][1]
            not in (1, getattr(estimator, "n_features_in_", shapes[0][1]))
            or not all(np.all(np.isfinite(m)) for m in maps)
        ):
            raise ValueError(
                f"{self.path} is corrupted: the map of units of {qualname} "
                "(target_scale_, target_offset_) must be two finite arrays of one "
                f"shape (1, 1 or n_timesteps, n_channels); got shapes {shapes}."
            )

    def _check_params(self, estimator, qualname):
        """Refuse parameter values of a fitted estimator that its class refuses.

        A hand-edited or corrupted manifest would otherwise load, and fail later
        at ``transform`` with an error that does not name the file. An unfitted
        estimator is restored as saved: like scikit-learn's, its parameters are
        checked at ``fit``.
        """
        if not getattr(estimator, "_parameter_constraints", None):
            return
        from ._validation import bools_as_numbers

        # A bool for a number was taken as 1 or 0 when the file was written:
        # read so, with a word, rather than refused.
        for name, value in bools_as_numbers(estimator).items():
            warn_at_caller(
                f"{self.path} sets {name}={value!r} on {qualname}, a bool where "
                f"a number is meant, which this version refuses; it is read as "
                f"{int(value)}, as the estimator was fitted with."
            )
            estimator.set_params(**{name: int(value)})
        try:
            estimator._validate_params()
        except InvalidParameterError as exc:
            raise ValueError(
                f"{self.path} sets an invalid parameter of {qualname}: {exc} The "
                "file was edited, corrupted, or written by another version."
            ) from None

    def _configure(self, estimator, config, qualname):
        """Restore what ``set_output`` and ``set_*_request`` stored."""
        if not isinstance(config, dict) or not set(config) <= {"output", "requests"}:
            raise ValueError(f"{self.path} is corrupted: the config of {qualname}.")
        output = config.get("output", {})
        if not isinstance(output, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in output.items()
        ):
            raise ValueError(f"{self.path} is corrupted: the output of {qualname}.")
        _check_output_config(
            output, f"{self.path} is corrupted: the output of {qualname}"
        )
        if output:
            estimator._sklearn_output_config = dict(output)
        requests = config.get("requests", {})
        if not isinstance(requests, dict):
            raise ValueError(f"{self.path} is corrupted: the requests of {qualname}.")
        from sklearn import config_context

        # set_*_request exists only while metadata routing is on.
        with config_context(enable_metadata_routing=True):
            for method, request in requests.items():
                if not isinstance(request, dict):
                    raise ValueError(
                        f"{self.path} is corrupted: the requests of {qualname}."
                    )
                if request:
                    setter = getattr(estimator, f"set_{method}_request", None)
                    if setter is None:
                        raise ValueError(
                            f"{self.path} requests metadata for {qualname}.{method}, "
                            "which takes none in this installation (skdenoise "
                            f"{__version__})."
                        )
                    setter(**request)


def _check_output_config(output, context):
    """Refuse a ``set_output`` setting that scikit-learn would not accept.

    ``set_output`` stores one setting, for ``transform``: ``"default"`` or the
    name of a container scikit-learn knows (``"pandas"``, ``"polars"``).
    """
    from sklearn.utils._set_output import ADAPTERS_MANAGER

    known = ["default", *ADAPTERS_MANAGER.adapters]
    for method, value in output.items():
        if method != "transform":
            raise ValueError(
                f"{context} has a setting for {method!r}; set_output only sets "
                "'transform'."
            )
        if value not in known:
            raise ValueError(
                f"{context} is set to {value!r}; set_output(transform=...) takes "
                f"{', '.join(map(repr, known))}."
            )


def _text_mode(file):
    """Whether a file object is known to read and write text.

    A text stream, or one of tempfile's wrappers around one. Binary streams,
    and objects of other kinds (their ``mode`` may be "r" and binary, as
    zipfile's), are tried: ``load`` and ``save`` catch their text errors.
    """
    inner = getattr(file, "_file", None) or getattr(file, "file", None)
    for stream in (file, inner):
        if isinstance(stream, io.TextIOBase):
            return True
        if isinstance(stream, (io.BufferedIOBase, io.RawIOBase)):
            return False
    return False


def _file_name(file):
    """A file object's name for messages (a file descriptor's number is none)."""
    name = getattr(file, "name", None)
    return name if isinstance(name, str) and name else "the file object"


def save(estimator, path):
    """Save an estimator, fitted or not, to a file that needs no pickle to load.

    The file is a zip archive with a JSON manifest (the versions that wrote it
    and the tree of estimators with their parameters and fitted attributes),
    numpy arrays in ``.npy`` format and every Keras model in Keras' native
    ``.keras`` format. Pipelines, :class:`~skdenoise.pipeline.WindowedDenoiser`,
    noise models, the classical baselines and the neural denoisers are
    supported, as are scikit-learn's ``preprocessing`` transformers whose state
    is numbers, strings, arrays and estimators (the scalers,
    ``PowerTransformer``, ``QuantileTransformer``, ``PolynomialFeatures``,
    ``Normalizer``, ``Binarizer``, ``TargetEncoder``); the others
    (``OneHotEncoder`` and ``OrdinalEncoder``, whose ``dtype`` is a type,
    ``KBinsDiscretizer``, ``SplineTransformer``) are refused with the
    attribute that cannot be stored.

    Parameters
    ----------
    estimator : estimator
        An estimator of skdenoise, ``sklearn.preprocessing`` or
        ``sklearn.pipeline``, possibly holding others.
    path : str, path-like or file object
        File to write; it is replaced if it exists. The file is written in full
        before it takes that name, so a failed save leaves no partial file. Its
        folder must exist. A file object opened for binary writing gets the
        file's bytes once they are all made.

    Returns
    -------
    path : pathlib.Path or file object
        The file written.

    Raises
    ------
    TypeError
        If ``estimator`` is not an estimator, or holds an object that cannot
        be stored as data (a class from elsewhere, a function other than a
        :class:`~skdenoise.KerasDenoiser`'s ``model``, a Keras callback); the
        message names where it is. Use ``joblib.dump`` for such estimators.
    FileNotFoundError
        If the folder of ``path`` does not exist.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from skdenoise.baselines import WaveletDenoiser
    >>> from skdenoise.persistence import load, save
    >>> X = np.sin(np.linspace(0, 6, 64))[np.newaxis]
    >>> denoiser = WaveletDenoiser().fit(X)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = save(denoiser, pathlib.Path(tmp) / "denoiser.skd")
    ...     restored = load(file)
    >>> np.array_equal(restored.transform(X), denoiser.transform(X))
    True
    """
    if not isinstance(estimator, BaseEstimator):
        # load would refuse the file.
        raise TypeError(
            "save writes estimators (of skdenoise, sklearn.preprocessing or "
            f"sklearn.pipeline); got {type(estimator).__name__}. Use numpy.save or "
            "joblib.dump for other objects."
        )
    if hasattr(path, "write"):
        if _text_mode(path):
            raise TypeError(
                f"{_file_name(path)} is open in text mode; open the file in binary "
                "mode ('wb')."
            )
        buffer = io.BytesIO()
        _write(estimator, buffer)
        try:
            path.write(buffer.getvalue())
        except TypeError as exc:
            if "str" not in str(exc):
                raise
            raise TypeError(
                f"{_file_name(path)} is open in text mode; open the file in binary "
                "mode ('wb')."
            ) from None
        return path
    path = _checked_path(path, "save")
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save to {path}: it is a folder.")
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(
            f"Cannot save to {path}: {path.parent} is a file, not a folder."
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"Cannot save to {path}: the folder {path.parent} does not exist."
        )
    with atomic_write(path) as handle:
        _write(estimator, handle)
    return path


def _checked_path(path, who):
    """``path`` (a str, bytes or os.PathLike) as a Path; a clear error otherwise.

    An empty path would otherwise name the current folder.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(
            f"{who}: path must be a str or os.PathLike (or a binary file object); "
            f"got {type(path).__name__}."
        )
    text = os.fsdecode(os.fspath(path))
    if not text:
        raise ValueError(f"{who}: path is empty; give the path of a file.")
    return Path(text)


def _write(estimator, handle):
    with zipfile.ZipFile(handle, "w") as archive:
        tree = _Writer(archive).encode(estimator, "")
        manifest = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "skdenoise_version": __version__,
            "sklearn_version": _version_of("sklearn"),
            "keras_version": _version_of("keras"),
            "estimator": tree,
        }
        archive.writestr(
            _MANIFEST, json.dumps(manifest, indent=1), zipfile.ZIP_DEFLATED
        )


def _version_tuple(text):
    """``"3.15.1"`` as (3, 15, 1); None when it is not such a version.

    A part's leading digits count (``"1rc1"`` is 1); the parts after one
    without any do not (``"3.15.1.dev2025"`` is (3, 15, 1)).
    """
    parts = []
    for part in str(text).split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        parts.append(int(match.group()))
        if match.end() < len(part):
            break
    return tuple(parts) or None


def archive_keras(data):
    """The Keras version a ``.keras`` archive (bytes) records; None if none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return json.loads(archive.read("metadata.json")).get("keras_version")
    except Exception:  # noqa: BLE001 - an archive without it says nothing
        return None


def _keras_version_hint(written):
    """What to do when a network written by Keras ``written`` does not load."""
    import keras

    saved, here = _version_tuple(written), _version_tuple(keras.__version__)
    if saved is None or here is None or here >= saved:
        return ""
    return (
        f" (it was written by Keras {written}, and this is Keras "
        f"{keras.__version__}, which cannot read all of it: upgrade Keras, "
        f'pip install "keras>={written}")'
    )


def _short(exc, limit=600):
    """An exception's text, cut (Keras repeats the model's whole config).

    Keras ends with the cause ("Exception encountered: ..."), after the
    config: that is kept.
    """
    text = str(exc)
    if len(text) <= limit:
        return text
    cause = text.rfind("Exception encountered:")
    tail = f" [...] {text[cause:][:limit]}" if cause > limit // 2 else " [...]"
    return text[: limit // 2] + tail


def _version_of(module):
    loaded = sys.modules.get(module)
    return getattr(loaded, "__version__", None) if loaded is not None else None


def load(path):
    """Load an estimator written by :func:`save`.

    Nothing is unpickled: the manifest is JSON, arrays are read with
    ``allow_pickle=False`` and Keras models with
    ``keras.saving.load_model(..., safe_mode=True)``. Only classes of
    skdenoise, ``sklearn.preprocessing``, ``sklearn.pipeline`` and
    ``sklearn.frozen`` are instantiated.

    Parameters
    ----------
    path : str, path-like or file object
        File written by :func:`save`, or a file object opened for binary
        reading.

    Returns
    -------
    estimator : estimator
        The estimator, with its parameters and fitted attributes.

    Raises
    ------
    ValueError
        If the file is not a saved estimator, is truncated or corrupted, was
        written in another format version, or names a class outside the
        allowed modules.

    See Also
    --------
    save : Write the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skdenoise.noise import ColoredNoise
    >>> from skdenoise.persistence import load, save
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     load(save(ColoredNoise(alpha=2.0, snr=5), pathlib.Path(tmp) / "n.skd"))
    ColoredNoise(alpha=2.0, snr=5)
    """
    if hasattr(path, "read"):
        # A text stream would fail decoding the archive before any check.
        text = _text_mode(path)
        try:
            data = None if text else path.read()
        except UnicodeDecodeError:
            text = True
        path = _file_name(path)
        if text or not isinstance(data, bytes):
            raise TypeError(
                f"{path} is open in text mode; open the file in binary mode ('rb')."
            )
        source = io.BytesIO(data)
    else:
        path = source = _checked_path(path, "load")
        if path.is_dir():
            raise IsADirectoryError(
                f"{path} is a folder: give the path of a file written by "
                "skdenoise.persistence.save."
            )
        if path.exists() and not path.is_file():
            # A FIFO (read forever) or a link to /dev/zero (memory without end).
            raise ValueError(
                f"{path} is not a regular file: give the path of a file written "
                "by skdenoise.persistence.save."
            )
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, EOFError):
        raise ValueError(
            f"{path} is not a file written by skdenoise.persistence.save, or it is "
            "truncated or corrupted (it is not a readable zip archive)."
        ) from None
    with archive:
        reader = _Reader(archive, path)
        if _MANIFEST not in archive.namelist():
            raise ValueError(
                f"{path} is not a file written by skdenoise.persistence.save, or it "
                f"is truncated or corrupted: it has no {_MANIFEST} (the end of a cut "
                "file can read as the network archive stored inside it)."
            )
        data = reader._member(_MANIFEST)
        try:
            manifest = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # ValueError: JSONDecodeError, and an integer of more digits than
            # Python converts.
            raise ValueError(
                f"{path} is corrupted: its manifest is not JSON ({_short(exc)})."
            ) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
            raise ValueError(
                f"{path} is not a file written by skdenoise.persistence.save."
            )
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(
                f"{path} was written in skdenoise file format version {version!r} "
                f"(by skdenoise {manifest.get('skdenoise_version')}), but skdenoise "
                f"{__version__} reads format version {FORMAT_VERSION} only. Load it "
                "with the skdenoise version that wrote it."
            )
        written_by = manifest.get("skdenoise_version")
        if written_by != __version__:
            writer = (
                f"skdenoise {written_by}"
                if written_by
                else "an unknown version of skdenoise"
            )
            warn_at_caller(
                f"{path} was written by {writer}, and this is "
                f"skdenoise {__version__}: the estimator may behave differently "
                "from how it did there. Save it again with this version to "
                "silence this warning.",
                FileVersionWarning,
            )
        if "estimator" not in manifest:
            raise ValueError(f"{path} is corrupted: its manifest has no estimator.")
        reader.keras_version = manifest.get("keras_version")
        try:
            estimator = reader.decode(manifest["estimator"])
        except (
            TypeError,
            AttributeError,
            KeyError,
            IndexError,
            OverflowError,
            RecursionError,
        ) as exc:
            raise ValueError(
                f"{path} is corrupted: its manifest cannot be read "
                f"({type(exc).__name__}: {exc})."
            ) from None
    if not isinstance(estimator, BaseEstimator):
        raise ValueError(f"{path} is corrupted: it holds no estimator.")
    return estimator
