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
import difflib
import importlib
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from statbook.check._framework import RTOL, call_safely, close, to_array


class LibraryCall(AssertionError):
    """The answer calls the library's own version of what it should compute (0 points)."""


@dataclass
class _Case:
    """One hidden case, as :class:`PartialCredit` scores it."""

    answer: int  #: ``id`` of the answer function
    right: bool  #: the value is right
    form: bool  #: the right shape, and +inf off the parameter space
    values: list[float]  #: the answer's finite values (a constant answer earns no form)
    expected: list[float]  #: the right finite values


_SHEET: list[list[_Case]] = []  #: the cases recorded by the PartialCredit being run


class PartialCredit:
    """The points of an autograded exercise, for its test cell (nbgrader's partial credit).

    Used around the chapter's hidden tests::

        with PartialCredit("likelihood-ex-2", 4) as score:
            ...  # assert_own_code, assert check(...), assert_agrees(...)
        score.points

    nbgrader takes the number the cell shows last as its score.  Inside, a failed
    self-check or hidden case does not stop the tests: every hidden case of
    :func:`assert_agrees` is recorded, and the points are split in two halves
    (each rounded down to half a point, together)::

        points = P/2 · (hidden cases with the right value) / (hidden cases)
               + P/2 · (hidden cases of the right form) / (hidden cases)

    A case has the right *form* when the answer returns the right shape, with +inf
    where the parameter is outside its space; an answer whose values are all the
    same (a constant, a stub) has no case of the right form.  So a sign error, a
    wrong term or a missing constant earns half the points, a shape bug that
    fails only on arrays of parameters about half, and an answer right
    everywhere all of them; the points are capped at P/2 while the self-check
    fails.  An answer that calls the library
    (:func:`assert_own_code`), or test code that raises anything but an
    ``AssertionError`` (the answer is not defined), scores 0 with the message.
    """

    def __init__(self, label: str, points: float):
        self.label = label
        self.max_points = points
        self.points = 0.0
        self.cases: list[_Case] = []
        self.self_check: bool | None = None
        self.failure = ""

    def __enter__(self) -> PartialCredit:
        import statbook.check as package

        self._check = package.check
        package.check = self._recording_check
        _SHEET.append(self.cases)
        return self

    def _recording_check(self, *args: Any, **kwargs: Any) -> Any:
        result = self._check(*args, **kwargs)
        self.self_check = bool(result) if self.self_check is None else self.self_check and result
        return True  # the hidden cases after the self-check still run

    def __exit__(self, kind, error, traceback) -> bool:
        import statbook.check as package

        package.check = self._check
        _SHEET.remove(self.cases)
        if error is not None and not isinstance(error, AssertionError):
            return False
        if isinstance(error, LibraryCall):
            return False
        if error is not None:
            self.failure = str(error)
        self.points = self.score()
        print(self.summary())
        return True

    def score(self) -> float:
        """The points (see the class docstring)."""
        cases = self.cases
        if not cases:
            return 0.0
        constant = {
            answer
            for answer in {case.answer for case in cases}
            if _all_same([v for c in cases if c.answer == answer for v in c.values])
            and not _all_same([v for c in cases if c.answer == answer for v in c.expected])
        }
        right = sum(case.right for case in cases) / len(cases)
        form = sum(case.form and case.answer not in constant for case in cases) / len(cases)
        if right == 1 and form == 1 and self.self_check is not False and not self.failure:
            return float(self.max_points)
        points = self.max_points / 2 * (right + form)
        if self.self_check is False:
            points = min(points, self.max_points / 2)
        return float(min(np.floor(2 * points) / 2, self.max_points - 0.5))

    def summary(self) -> str:
        right = sum(case.right for case in self.cases)
        return (
            f"Hidden tests of {self.label}: {right} of {len(self.cases)} cases right; "
            f"{self.points:g} of {self.max_points} points."
        )


def _all_same(values: list[float]) -> bool:
    return len(values) >= 2 and bool(np.ptp(values) <= RTOL * (1 + np.max(np.abs(values))))


def _record(answer: Any, reference: Callable, cases: Sequence[tuple], rtol: float) -> None:
    """Score each case into the running :class:`PartialCredit` (see there)."""
    sheet = _SHEET[-1]
    for args in cases:
        outcome = call_safely(answer, args) if callable(answer) else None
        expected = np.asarray(reference(*args), dtype=float)
        got = None if outcome is None or outcome.error else to_array(outcome.value)[0]
        if got is None or got.shape != expected.shape:
            sheet.append(_Case(id(answer), False, False, [], []))
            continue
        off = np.isposinf(expected)
        form = bool(np.all(np.isposinf(got[off])))
        finite = np.isfinite(got) & ~off
        sheet.append(
            _Case(
                id(answer),
                close(got, expected, rtol),
                form,
                got[finite].ravel().tolist(),
                expected[finite].ravel().tolist(),
            )
        )


def assert_agrees(
    answer: Any, reference: Callable, cases: Sequence[tuple], *, rtol: float = RTOL
) -> None:
    """``answer(*args)`` equals ``reference(*args)`` (relative tolerance ``rtol``) for each case.

    Inside a :class:`PartialCredit`, every case is scored there instead.
    """
    if _SHEET:
        _record(answer, reference, cases, rtol)
        return
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


def the_answer(name: str, namespace: dict) -> Any:
    """``namespace[name]``: the function the exercise asks for, as the test cell calls it.

    When the notebook has no such name (the student renamed the function, or did not
    run its cell), the ``NameError`` says so and names the notebook's own functions
    closest to it, instead of Python's bare "name ... is not defined".
    """
    if name in namespace:
        return namespace[name]
    own = sorted(
        key
        for key, value in namespace.items()
        if isinstance(value, types.FunctionType)
        and value.__module__ == namespace.get("__name__")
        and not key.startswith("_")
    )
    close = difflib.get_close_matches(name, own, n=3, cutoff=0.3)
    guess = f" Your notebook defines {', '.join(close)}: did you rename it?" if close else ""
    raise NameError(
        f"the test calls your function {name}, but your notebook has no {name}.{guess} "
        f"Name it {name}, as the exercise asks, and run its cell before this one."
    )


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
        raise LibraryCall(
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
