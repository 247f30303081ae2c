"""The hidden tests of the graded course: other inputs than the self-check, own code only.

A graded exercise's test cell (see :mod:`booktools.course`) ends with hidden
lines, written in the chapter and removed from the students' notebooks by
nbgrader, that call these two functions::

    assert_own_code(poisson_negloglik, poisson)
    assert_agrees(poisson_negloglik, reference, [(mu, y), ...])

Each raises ``AssertionError`` with a message meant for the student's feedback;
nbgrader then gives the exercise 0 points.  The student's function runs as in
:func:`statbook.check.check`: on copies of the inputs, in a thread of its own,
with a time limit, and before the right values are computed.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from statbook.check._framework import RTOL, call_safely, close, to_array


def assert_agrees(
    answer: Any, reference: Callable, cases: Sequence[tuple], *, rtol: float = RTOL
) -> None:
    """``answer(*args)`` equals ``reference(*args)`` (relative tolerance ``rtol``) for each case."""
    if not callable(answer):
        raise AssertionError(f"expected a function, got {type(answer).__name__}")
    for number, args in enumerate(cases, start=1):
        outcome = call_safely(answer, args)
        if outcome.error is not None:
            raise AssertionError(f"hidden case {number}: your code raised {outcome.error}")
        got, why = to_array(outcome.value)
        if got is None:
            raise AssertionError(f"hidden case {number}: your code returned {why}")
        expected = np.asarray(reference(*args), dtype=float)
        if got.shape != expected.shape:
            raise AssertionError(
                f"hidden case {number}: your result has shape {got.shape}, "
                f"expected shape {expected.shape}"
            )
        if not close(got, expected, rtol):
            raise AssertionError(f"hidden case {number}: your value is not right")


def assert_own_code(answer: Any, *library: types.ModuleType | Callable) -> None:
    """``answer`` calls none of the ``library`` functions (or functions of ``library`` modules).

    The answer's source is parsed (``ast``) and every name and attribute chain in
    it is looked up where the function would look it up: its globals, its
    closure and the imports inside it.  A function of the notebook that it
    calls is checked the same way, so a helper does not hide the library.
    """
    banned = _Banned(library)
    seen: set[int] = set()
    found = _library_calls(answer, banned, seen)
    if found:
        names = ", ".join(sorted(found))
        raise AssertionError(
            f"0 points: your answer uses {names}, the library's own version of what the "
            "exercise asks you to write. Write it with numpy and scipy instead."
        )


class _Banned:
    """The library functions an answer must not use."""

    def __init__(self, library: Iterable[types.ModuleType | Callable]):
        self.modules = {item.__name__ for item in library if isinstance(item, types.ModuleType)}
        self.functions = {id(item) for item in library if not isinstance(item, types.ModuleType)}

    def name_of(self, obj: Any) -> str | None:
        """The dotted name of ``obj`` when it is banned, else None."""
        if isinstance(obj, types.ModuleType):
            return obj.__name__ if obj.__name__ in self.modules else None
        module = getattr(obj, "__module__", None)
        if id(obj) in self.functions or (module in self.modules and callable(obj)):
            return f"{module}.{getattr(obj, '__qualname__', '?')}"
        return None


def _library_calls(func: Any, banned: _Banned, seen: set[int]) -> set[str]:
    if not isinstance(func, types.FunctionType) or id(func) in seen:
        return set()
    seen.add(id(func))
    namespace = {**func.__globals__, **inspect.getclosurevars(func).nonlocals}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):  # no source: fall back to the compiled names
        return _compiled_calls(func.__code__, namespace, banned)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            _import_into(node, namespace)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute):
            obj = _resolve(node, namespace)
            name = banned.name_of(obj)
            if name is not None:
                found.add(name)
            elif isinstance(obj, types.FunctionType) and obj is not func:
                found |= _library_calls(obj, banned, seen)
    return found


def _import_into(node: ast.Import | ast.ImportFrom, namespace: dict) -> None:
    """Bind the names an ``import`` inside the answer binds, as it would."""
    try:
        if isinstance(node, ast.Import):
            for alias in node.names:
                module = importlib.import_module(alias.name)
                if alias.asname:
                    namespace[alias.asname] = module
                else:
                    namespace[alias.name.split(".")[0]] = importlib.import_module(
                        alias.name.split(".")[0]
                    )
        elif node.module and not node.level:
            module = importlib.import_module(node.module)
            for alias in node.names:
                namespace[alias.asname or alias.name] = getattr(module, alias.name, None)
    except ImportError:  # the student's import fails when their code runs, not here
        pass


def _resolve(node: ast.expr, namespace: dict) -> Any:
    """The object a ``Name`` or ``a.b.c`` chain refers to in ``namespace``, or None."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, namespace)
        return None if base is None else inspect.getattr_static(base, node.attr, None)
    return None


def _compiled_calls(code: types.CodeType, namespace: dict, banned: _Banned) -> set[str]:
    """Banned globals (or attributes of globals) among the names a code object uses."""
    found: set[str] = set()
    for name in code.co_names:
        for obj in [namespace.get(name)] + [
            inspect.getattr_static(namespace[base], name, None)
            for base in code.co_names
            if isinstance(namespace.get(base), types.ModuleType)
        ]:
            banned_name = banned.name_of(obj)
            if banned_name is not None:
                found.add(banned_name)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _compiled_calls(const, namespace, banned)
    return found
