"""Fitted state as plain data, for pickle, joblib and ``skops.io``.

The estimators hold their training machinery (network, layers, optimizer, schedule,
tracker, log) as small skmlp objects. ``to_plain`` turns every such object into a
dict ``{"__skmlp__": "module:Class", "state": {...}}`` of arrays, numbers, strings,
lists and dicts, and numpy dtypes into their names, so that a saved model holds no
private helper object: ``skops.io.load`` then needs only the estimator's class
trusted. ``from_plain`` rebuilds the objects; it instantiates nothing but classes
defined inside the ``skmlp`` package, and only through ``__new__`` and their state,
never by calling a constructor named in the file.

This module imports no scikit-learn.
"""

import importlib

import numpy as np

_OBJECT = "__skmlp__"
_DTYPE = "__skmlp_dtype__"
_PACKAGE = "skmlp"
# Models saved before the core moved into ``skmlp._core`` name their helper
# classes by the old flat module names.
_MOVED = {
    f"skmlp._{name}": f"skmlp._core.{name}"
    for name in ("activations", "early_stopping", "layers", "losses", "network",
                 "optimizers", "schedules", "training")
}


def _in_package(module_name):
    return module_name == _PACKAGE or module_name.startswith(_PACKAGE + ".")


def _object_state(obj):
    getstate = getattr(obj, "__getstate__", None)
    state = getstate() if getstate is not None else vars(obj)
    return {} if state is None else state


def to_plain(value):
    """Replace skmlp helper objects and numpy dtypes inside ``value`` by plain data.

    Parameters
    ----------
    value : object
        Typically an estimator's ``__dict__``; dicts, lists and tuples are walked.

    Returns
    -------
    plain : object
        The same structure with every skmlp object encoded as a tagged dict.
        Arrays are passed through, not copied.
    """
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(to_plain(item) for item in value)
    if isinstance(value, np.dtype):
        return {_DTYPE: value.str}
    if _in_package(type(value).__module__) and not isinstance(value, type):
        cls = type(value)
        return {
            _OBJECT: f"{cls.__module__}:{cls.__qualname__}",
            "state": to_plain(_object_state(value)),
        }
    return value


def _resolve(name):
    module_name, _, qualname = name.partition(":")
    if not _in_package(module_name):
        raise ValueError(f"Refusing to rebuild {name!r}: not an skmlp class.")
    obj = importlib.import_module(_MOVED.get(module_name, module_name))
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if not isinstance(obj, type) or not _in_package(obj.__module__):
        raise ValueError(f"Refusing to rebuild {name!r}: not an skmlp class.")
    return obj


def from_plain(value):
    """Inverse of :func:`to_plain`.

    Parameters
    ----------
    value : object
        Output of ``to_plain`` (possibly after a pickle or skops round trip).

    Returns
    -------
    restored : object
        The structure with every tagged dict rebuilt as its skmlp object (inner
        objects first, so that e.g. the network binds views into restored layers).

    Raises
    ------
    ValueError
        If a tagged dict names a class outside the skmlp package.
    """
    if isinstance(value, dict):
        if _DTYPE in value and len(value) == 1:
            return np.dtype(value[_DTYPE])
        if _OBJECT in value and set(value) == {_OBJECT, "state"}:
            cls = _resolve(value[_OBJECT])
            state = from_plain(value["state"])
            obj = cls.__new__(cls)
            if getattr(cls, "__setstate__", None) is not None:
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        return {key: from_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(from_plain(item) for item in value)
    return value
