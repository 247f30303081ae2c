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

import contextlib
import copy
import ctypes
import functools
import io
import textwrap
import threading
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

RTOL = 1e-6
WIDTH = 74  #: hints are wrapped to this width (a book page shows 76 characters)
ATOL = 1e-9
TIME_LIMIT = 3.0  #: seconds for one call of a student's function
PRINT_LIMIT = 200  #: characters of a student's printed output shown back
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
        and not frame.filename.startswith(threading.__file__)
    ]
    where = ""
    if frames:
        last = frames[-1]
        where = f" (in {last.name}, line {last.lineno}: {(last.line or '').strip()})"
    return f"{type(err).__name__}: {err}{where}"


_TIMEOUT = "TimeoutError: it did not finish within"


class _TimeUp(BaseException):
    """Raised inside a student's function that ran out of time (not an ``Exception``)."""


class Outcome(NamedTuple):
    """What one call of a student's function gave."""

    value: Any
    error: str | None  #: the exception it raised, described, or None
    warnings: list[str]
    printed: str  #: what it printed, shortened to :data:`PRINT_LIMIT` characters


def call_safely(func: Callable, args: tuple, *, time_limit: float | None = None) -> Outcome:
    """Call ``func`` on a deep copy of ``args`` in a thread of its own, for ``time_limit`` s.

    The copy keeps an in-place edit by the student from changing later cases; the
    thread keeps the checker's frames (and so anything it computes) off the
    student's call stack and lets a call that runs too long be stopped.  What
    the function prints is captured, not shown.
    """
    limit = TIME_LIMIT if time_limit is None else time_limit
    args = copy.deepcopy(args)
    result: dict[str, Any] = {}

    def run() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result["value"] = func(*args)
            except _TimeUp:
                result["error"] = f"{_TIMEOUT} {limit:g} s"
            except Exception as err:
                result["error"] = describe_error(err)
            result["warnings"] = [str(w.message) for w in caught]

    printed = io.StringIO()
    worker = threading.Thread(target=run, name="statbook-check", daemon=True)
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        worker.start()
        worker.join(limit)
        if worker.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeUp)
            )
            worker.join(1.0)
    error = result.get("error")
    if worker.is_alive() or (error is None and "value" not in result):
        error = f"{_TIMEOUT} {limit:g} s"
    text = printed.getvalue()
    if len(text) > PRINT_LIMIT:
        text = text[:PRINT_LIMIT] + " …"
    return Outcome(result.get("value"), error, result.get("warnings", []), text)


def to_array(value: Any) -> tuple[np.ndarray | None, str]:
    """(``value`` as a float array, "") or (None, why it is not a real number or array)."""
    if value is None or value is Ellipsis or isinstance(value, str):
        return None, f"{_short_repr(value)}, not a number"
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None, f"{_short_repr(value)}, not a number"
    if np.iscomplexobj(array):
        return None, "a complex number, not a real one (a log or sqrt of a negative?)"
    try:
        array = array.astype(float)
    except (TypeError, ValueError):
        return None, f"{_short_repr(value)}, not a number"
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
    runs first on every case (see :func:`call_safely`); the right values are
    computed afterwards.  A wrong value is matched against the listed typical
    ``mistakes`` first, then against three generic patterns: the opposite sign,
    a constant offset shared by all cases of a group (a term that does not
    depend on the parameter is missing or extra) and a constant factor.
    """
    if not callable(answer):
        report.bad(
            f"expected a function (the {name} you defined), got {type(answer).__name__}; "
            f"pass the function itself, without calling it: check(..., {name})",
            count=len(cases),
        )
        return
    outcomes: list[Outcome] = []
    for case in cases:
        # After one call ran out of time the others would too: they fail the same way.
        timed_out = outcomes and outcomes[-1].error and outcomes[-1].error.startswith(_TIMEOUT)
        outcomes.append(outcomes[-1] if timed_out else call_safely(answer, case.args))
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


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _short(values: np.ndarray) -> str:
    """A number, or an array on one line (at most a few entries)."""
    if values.ndim == 0:
        return f"{values:.6g}"
    return " ".join(np.array2string(values, precision=3, threshold=4, edgeitems=2).split())
