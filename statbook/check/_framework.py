"""The machinery behind ``statbook.check``: run a student's answer, compare, explain.

:func:`compare_function` calls the student's function on several inputs (in
:mod:`statbook.check._sandbox`, where it can be stopped), compares each result
with the library and collects what is right and what is wrong in a
:class:`Report`.  Nothing a student passes in can make a check raise or hang:
an exception inside their code is caught and reported, a call that runs too
long is stopped.  Messages describe the discrepancy (a flipped sign, a constant
offset, a wrong scale, a wrong shape) and give a hint, but never print the
expected values of the exercise or the formula of the solution.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from statbook.check import _sandbox
from statbook.check._sandbox import Outcome, Shown, type_name

RTOL = 1e-6
WIDTH = 74  #: hints are wrapped to this width (a book page shows 76 characters)
ATOL = 1e-9
TIME_LIMIT = 3.0  #: seconds for one call of a student's function


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

    def bad(self, text: str, count: int = 1) -> None:
        self.total += count
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


def call_safely(func: Callable, args: tuple, *, time_limit: float | None = None) -> Outcome:
    """``func(*args)`` on a copy of ``args``, within ``time_limit`` s (see :func:`call_all`)."""
    return call_all(func, [args], time_limit=time_limit)[0]


def call_all(
    func: Callable, arg_list: Sequence[tuple], *, time_limit: float | None = None
) -> list[Outcome]:
    """``func(*args)`` for each ``args``, each within ``time_limit`` s (:data:`TIME_LIMIT`).

    Everything that runs the student's code (the call, turning its result into
    numbers, its repr, the text of its errors and warnings) runs in
    :func:`statbook.check._sandbox.run`, where it can be stopped; what it
    printed is captured, not shown.
    """
    return _sandbox.run(func, arg_list, TIME_LIMIT if time_limit is None else time_limit)


def to_array(value: np.ndarray | Shown | None) -> tuple[np.ndarray | None, str]:
    """(``value`` as a float array, "") or (None, why it is not a real number or array).

    ``value`` is a result as the sandbox brings it back (:func:`._sandbox.settle`).
    """
    if value is None:
        return None, "None, not a number"
    if isinstance(value, Shown):
        return None, f"{value.text}, not a number"
    if np.iscomplexobj(value):
        return None, "a complex number, not a real one (a log or sqrt of a negative?)"
    array = np.asarray(value, dtype=float)
    if np.any(np.isnan(array)):
        return None, "NaN (not a number)"
    return array, ""


def close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> bool:
    """Elementwise agreement, with +inf matching +inf (off the parameter space)."""
    if got.shape != expected.shape:
        return False
    return bool(np.all(np.isclose(got, expected, rtol=rtol, atol=ATOL)))


def compare_function(
    report: Report,
    answer: Any,
    reference: Callable,
    cases: Sequence[Case],
    *,
    name: str,
    mistakes: Sequence[Mistake] = (),
    offset_hint: str = "",
    scale_hint: str = "",
    sign_hint: str = "",
    shape_hint: str = "Use numpy operations so that the function works elementwise on arrays.",
    rtol: float = RTOL,
) -> None:
    """Compare ``answer(*case.args)`` with ``reference(*case.args)`` for every case.

    Every case counts once, whatever the answer (an answer that is not a
    function, or not written yet, fails all of them).  The student's function
    runs first on every case (see :func:`call_all`); the right values are
    computed afterwards.  A wrong value is matched against the listed typical
    ``mistakes`` first, then against three generic patterns: the opposite sign,
    a constant offset shared by all cases of a group (a term that does not
    depend on the parameter is missing or extra) and a constant factor.
    """
    if not callable(answer):
        report.bad(
            f"expected a function (the {name} you defined), got {type_name(answer)}; "
            f"pass the function itself, without calling it: check(..., {name})",
            count=len(cases),
        )
        return
    outcomes = call_all(answer, [case.args for case in cases])
    if all(o.error is None and o.value is None for o in outcomes):
        report.bad(
            "your function returns None: not written yet, or is `return` missing?",
            count=len(cases),
        )
        return
    errors = {o.error for o in outcomes}
    if len(errors) == 1 and None not in errors:
        report.bad(f"every case: your code raised {errors.pop()}", count=len(cases))
        return
    offsets: dict[str, list[float]] = {}
    ratios: list[float] = []
    printed = ""
    for case, outcome in zip(cases, outcomes, strict=True):
        printed = printed or outcome.printed
        if outcome.error is not None:
            report.bad(f"{case.describe}: your code raised {outcome.error}")
            continue
        got, why = to_array(outcome.value)
        if got is None:
            report.bad(f"{case.describe}: your code returned {why}")
            if outcome.value is None:
                report.hint("Did you forget `return`?")
            elif why.startswith("NaN"):
                report.hint(
                    "NaN often comes from a log or a division off the parameter space: "
                    "return +inf (np.inf) there."
                )
            continue
        expected = np.asarray(reference(*case.args), dtype=float)
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
        for message in outcome.warnings:
            report.note(f"(your code warned: {message})")
        named = [m for m in mistakes if _matches(got, m.value, case.args, rtol)]
        if named:
            report.note(f"it matches a common mistake: {named[0].name}")
            report.hint(named[0].hint)
            continue
        finite = np.isfinite(got) & np.isfinite(expected)
        differs = finite & ~np.isclose(got, expected, rtol=rtol, atol=ATOL)
        if np.any(differs) and close(-got[finite], expected[finite], rtol):
            report.note("it has the opposite sign")
            report.hint(sign_hint or "Check the sign: −ℓ is minus the log-likelihood.")
        elif np.any(differs):
            offsets.setdefault(case.group, []).extend((got[finite] - expected[finite]).ravel())
            nonzero = expected[finite] != 0
            ratios.extend((got[finite][nonzero] / expected[finite][nonzero]).ravel())
        if np.any(~np.isfinite(got) & np.isfinite(expected)):
            report.note("your value is not finite where the right one is (an overflow?)")
        if np.any(np.isposinf(expected) & ~np.isposinf(got)):
            report.note("off the parameter space the value should be +inf")
            report.hint("Return +inf (np.inf) where the parameter is outside its space.")
    if printed:
        report.note(f"(your function printed: {' '.join(printed.split())})")
    if any(_constant(values, 0.0, rtol) for values in offsets.values()):
        report.note("for fixed data, your values differ from the right ones by one constant")
        report.hint(
            offset_hint or "A term that does not depend on the parameter is missing or extra."
        )
    if _constant(ratios, 1.0, rtol):
        report.note("your values are the right ones times the same factor")
        report.hint(scale_hint or "A constant factor is missing or extra.")


def _constant(values: list[float], trivial: float, rtol: float) -> bool:
    """At least two values, all equal, and not all equal to ``trivial`` (no difference)."""
    if len(values) < 2:
        return False
    scale = rtol * (1 + np.max(np.abs(values)))
    return bool(np.ptp(values) <= scale and abs(np.mean(values) - trivial) > scale)


def _matches(got: np.ndarray, wrong: Callable, args: tuple, rtol: float) -> bool:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = np.asarray(wrong(*args), dtype=float)
    except Exception:  # the mistake does not apply to these arguments (ours, not theirs)
        return False
    return close(got, value, rtol)


def _short(values: np.ndarray) -> str:
    """A number, or an array on one line (at most a few entries)."""
    if values.ndim == 0:
        return f"{values:.6g}"
    return " ".join(np.array2string(values, precision=3, threshold=4, edgeitems=2).split())
