"""The machinery behind ``statbook.check``: run a student's answer, compare, explain.

A check function takes the student's answer (one or more functions), calls it
on several inputs, compares each result with the library and collects what is
right and what is wrong in a :class:`Report`.  Nothing a student passes in can
make a check raise: an exception inside their code is caught and reported.
Messages describe the discrepancy (a flipped sign, a constant offset, a wrong
scale, a wrong shape) and give a hint, but never print the expected values of
the exercise or the formula of the solution.
"""

from __future__ import annotations

import functools
import textwrap
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RTOL = 1e-6
WIDTH = 88  #: hints are wrapped to this width
ATOL = 1e-9
_CHECK_DIR = str(Path(__file__).parent)


@dataclass(frozen=True)
class CheckResult:
    """What a check found: ``passed`` is True when every case was right."""

    label: str
    passed: bool
    right: int
    total: int
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "not yet"
        return f"<check {self.label}: {verdict}, {self.right}/{self.total} cases right>"


@dataclass
class Report:
    """Lines of feedback for one exercise, turned into a :class:`CheckResult` at the end."""

    label: str
    title: str
    lines: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    right: int = 0
    total: int = 0

    def good(self, text: str) -> None:
        self.total += 1
        self.right += 1
        self.lines.append(f"  ✔ {text}")

    def bad(self, text: str) -> None:
        self.total += 1
        self.lines.append(f"  ✘ {text}")

    def note(self, text: str) -> None:
        self.lines.append(f"    {text}")

    def heading(self, text: str) -> None:
        self.lines.append(f"  {text}")

    def hint(self, text: str) -> None:
        if text not in self.hints:
            self.hints.append(text)

    def finish(self, *, quiet: bool = False) -> CheckResult:
        passed = self.total > 0 and self.right == self.total
        head = f"Exercise {self.label} — {self.title}"
        if passed:
            summary = f"All {self.total} checks passed. Well done!"
        else:
            summary = f"{self.right} of {self.total} checks passed."
        parts = [head, *self.lines, summary]
        if not passed and self.hints:
            parts.append("Hints:")
            parts.extend(
                textwrap.fill(hint, WIDTH, initial_indent="  • ", subsequent_indent="    ")
                for hint in self.hints
            )
        message = "\n".join(parts)
        if not quiet:
            print(message)
        return CheckResult(self.label, passed, self.right, self.total, message)


@dataclass(frozen=True)
class Case:
    """One input for the student's function: positional ``args`` and a readable description."""

    args: tuple
    describe: str
    group: str = ""  #: cases sharing a group share their data (used to spot constant offsets)


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer, as a function of the case arguments, with the hint it earns."""

    name: str
    value: Callable[..., Any]
    hint: str


@dataclass(frozen=True)
class Exercise:
    """A registered check: the exercise label, the checking function and the answer cell stub."""

    label: str
    checker: Callable[..., CheckResult]
    answer: str  #: the name(s) the exercise asks the student to define, as passed to check
    stub: str  #: the code placed in the student's answer cell


REGISTRY: dict[str, Exercise] = {}


def exercise(label: str, *, answer: str, stub: str):
    """Register the decorated check function for the exercise ``label``."""

    def register(checker):
        @functools.wraps(checker)
        def safe_checker(*answers, quiet: bool = False) -> CheckResult:
            try:
                return checker(*answers, quiet=quiet)
            except Exception as err:  # a bug of ours, or an answer too odd to compare
                report = Report(label, "could not be checked")
                report.bad(f"comparing your answer failed with {describe_error(err)}")
                report.hint(f"Call it as check({label!r}, {answer}); return numbers or arrays.")
                return report.finish(quiet=quiet)

        REGISTRY[label] = Exercise(label, safe_checker, answer, stub)
        return safe_checker

    return register


def check(label: str, *answers: Any, quiet: bool = False) -> CheckResult:
    """Check the answer(s) to the exercise ``label``, e.g. ``check("likelihood-ex-2", f)``."""
    entry = REGISTRY.get(label)
    if entry is None:
        known = ", ".join(sorted(REGISTRY)) or "none"
        report = Report(label, "unknown exercise")
        report.bad(f"there is no check for an exercise labelled {label!r}; known labels: {known}")
        return report.finish(quiet=quiet)
    return entry.checker(*answers, quiet=quiet)


def describe_error(err: BaseException) -> str:
    """``TypeError: message (in f, line 3: ...)``, located in the student's code, not ours."""
    frames = [
        frame
        for frame in traceback.extract_tb(err.__traceback__)
        if not frame.filename.startswith(_CHECK_DIR)
    ]
    where = ""
    if frames:
        last = frames[-1]
        where = f" (in {last.name}, line {last.lineno}: {(last.line or '').strip()})"
    return f"{type(err).__name__}: {err}{where}"


def call_safely(func: Callable, args: tuple) -> tuple[Any, str | None, list[str]]:
    """Call ``func(*args)``; return (value, error description or None, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = func(*args)
        except Exception as err:
            return None, describe_error(err), [str(w.message) for w in caught]
    return value, None, [str(w.message) for w in caught]


def to_array(value: Any) -> np.ndarray | None:
    """``value`` as a float array, or None when it is not numeric (e.g. None, a string)."""
    if value is None or value is Ellipsis or isinstance(value, str):
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> bool:
    """Elementwise agreement, with +inf matching +inf (off the parameter space)."""
    if got.shape != expected.shape:
        return False
    return bool(np.all(np.isclose(got, expected, rtol=rtol, atol=ATOL)))


def is_callable_answer(report: Report, answer: Any, name: str) -> bool:
    """Report (and return False) when ``answer`` is not a function."""
    if callable(answer):
        return True
    report.bad(
        f"expected a function (the {name} you defined), got {type(answer).__name__}; "
        f"pass the function itself, without calling it: check(..., {name})"
    )
    return False


def compare_function(
    report: Report,
    answer: Callable,
    reference: Callable,
    cases: Sequence[Case],
    *,
    mistakes: Sequence[Mistake] = (),
    offset_hint: str = "",
    scale_hint: str = "",
    sign_hint: str = "",
    shape_hint: str = "Use numpy operations so that the function works elementwise on arrays.",
    rtol: float = RTOL,
) -> None:
    """Compare ``answer(*case.args)`` with ``reference(*case.args)`` for every case.

    A wrong value is matched against the listed typical ``mistakes`` first,
    then against three generic patterns: the opposite sign, a constant
    offset shared by all cases of a group (a term that does not depend on the
    parameter is missing or extra) and a constant factor.
    """
    offsets: dict[str, list[float]] = {}
    ratios: list[float] = []
    last_error = None
    if cases:
        first, error, _ = call_safely(answer, cases[0].args)
        if first is None and error is None:
            report.bad("your function returns None: not written yet, or is `return` missing?")
            return
    for case in cases:
        expected = np.asarray(reference(*case.args), dtype=float)
        value, error, caught = call_safely(answer, case.args)
        if error is not None:
            same = error == last_error
            report.bad(f"{case.describe}: your code raised {'the same error' if same else error}")
            last_error = error
            continue
        got = to_array(value)
        if got is None:
            report.bad(f"{case.describe}: your code returned {value!r}, not a number")
            if value is None:
                report.hint("Did you forget `return`?")
            continue
        if got.shape != expected.shape:
            report.bad(
                f"{case.describe}: your result has shape {got.shape}, expected shape "
                f"{expected.shape}"
            )
            named = [m for m in mistakes if _matches(got, m.value, case.args, rtol)]
            if named:
                report.note(f"it matches a common mistake: {named[0].name}")
            report.hint(named[0].hint if named else shape_hint)
            continue
        if close(got, expected, rtol):
            report.good(f"{case.describe}: right")
            continue
        report.bad(f"{case.describe}: your value {_short(got)} is not right")
        for message in caught:
            report.note(f"(your code warned: {message})")
        named = [m for m in mistakes if _matches(got, m.value, case.args, rtol)]
        if named:
            report.note(f"it matches a common mistake: {named[0].name}")
            report.hint(named[0].hint)
            continue
        finite = np.isfinite(got) & np.isfinite(expected)
        if np.any(finite) and close(-got[finite], expected[finite], rtol):
            report.note("it has the opposite sign")
            report.hint(sign_hint or "Check the sign: −ℓ is minus the log-likelihood.")
        elif np.any(finite):
            offsets.setdefault(case.group, []).extend((got[finite] - expected[finite]).ravel())
            nonzero = expected[finite] != 0
            ratios.extend((got[finite][nonzero] / expected[finite][nonzero]).ravel())
        if np.any(~np.isfinite(got) & np.isfinite(expected)):
            report.note("your value is not finite where the right one is (an overflow?)")
        if np.any(np.isposinf(expected) & ~np.isposinf(got)):
            report.note("off the parameter space the value should be +inf")
            report.hint("Return +inf (np.inf) where the parameter is outside its space.")
    if any(
        len(values) >= 2 and np.ptp(values) <= rtol * (1 + np.max(np.abs(values)))
        for values in offsets.values()
    ):
        report.note("for fixed data, your values differ from the right ones by one constant")
        report.hint(
            offset_hint or "A term that does not depend on the parameter is missing or extra."
        )
    if len(ratios) >= 2 and np.ptp(ratios) <= rtol * (1 + np.max(np.abs(ratios))):
        report.note("your values are the right ones times the same factor")
        report.hint(scale_hint or "A constant factor is missing or extra.")


def _matches(got: np.ndarray, wrong: Callable, args: tuple, rtol: float) -> bool:
    value, error, _ = call_safely(wrong, args)
    return error is None and close(got, np.asarray(value, dtype=float), rtol)


def _short(values: np.ndarray) -> str:
    """A number, or an array on one line (at most a few entries)."""
    if values.ndim == 0:
        return f"{values:.6g}"
    return " ".join(np.array2string(values, precision=6, threshold=6).split())
