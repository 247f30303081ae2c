"""The library as its files define it, for the right values of the self-checks.

A check compares the student's function with the library.  A student who writes
``statbook.poisson.negloglik = lambda *a: 0`` (or rebinds a helper it calls,
such as ``statbook._validate.as_count_vector``) must not change the right values,
so the checks never use the modules a notebook imports: :func:`library` loads
its own copy of each module from its file, once per process, under a private
name (``statbook.check._library.poisson``).  Inside that copy, the imports of
``statbook`` and its modules resolve to the other private copies (through the
copy's own ``__import__``); every other import is the ordinary one.
"""

from __future__ import annotations

import builtins
import importlib.util
import sys
import threading
import types
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent  #: the folder of the statbook package
_PRIVATE = __name__  #: the copies are named statbook.check._library.<module>
_IMPORT = builtins.__import__
_LOCK = threading.RLock()
_PACKAGE = types.ModuleType(
    "statbook", "Stands in for statbook in the copies: they are its attributes."
)


def library(name: str) -> types.ModuleType:
    """The private copy of ``statbook.<name>``, loaded from ``statbook/<name>.py`` on first use."""
    with _LOCK:
        module = getattr(_PACKAGE, name, None)
        if module is None:
            spec = importlib.util.spec_from_file_location(
                f"{_PRIVATE}.{name}", _ROOT / f"{name}.py"
            )
            module = importlib.util.module_from_spec(spec)
            module.__builtins__ = _BUILTINS
            sys.modules[spec.name] = module  # dataclasses and pickle look a class's module up
            setattr(_PACKAGE, name, module)
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[spec.name]
                delattr(_PACKAGE, name)
                raise
    return module


def _import(
    name: str,
    globals: dict | None = None,
    locals: dict | None = None,
    fromlist: tuple = (),
    level: int = 0,
) -> Any:
    """``__import__`` for the private copies: ``statbook`` and its modules are the copies."""
    package, _, module = name.partition(".")
    if level or package != "statbook":
        return _IMPORT(name, globals, locals, fromlist, level)
    if module:
        copy = library(module)
        return copy if fromlist else _PACKAGE
    for item in fromlist or ():
        library(item)
    return _PACKAGE


_BUILTINS = {**vars(builtins), "__import__": _import}
