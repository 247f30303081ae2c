"""One runner for every self-check: an exercise is data, :func:`check` does the rest.

A section's module (``statbook.check.likelihood``, ...) lists its exercises as
:class:`Exercise` values: the label, a title, and for each function the student
writes a :class:`Part` (its call signature, the right values, the cases, the
typical mistakes and the hints).  :meth:`Exercise.checker` runs the parts
through :func:`statbook.check._framework.compare_function` and prints the
report; the answer cell's stub and the names passed to ``check`` are derived
from the signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from statbook.check._framework import RTOL, Case, CheckResult, Mistake, Report, compare_function
from statbook.check._sandbox import describe_error


@dataclass(frozen=True)
class Part:
    """One function of an exercise, compared with ``reference`` on ``cases``.

    ``call`` is its signature as the exercise names it, ``"poisson_negloglik(mu, y)"``;
    the hints are said when the answer shows the pattern (see ``compare_function``).
    """

    call: str
    reference: Callable[..., Any]
    cases: Sequence[Case]
    mistakes: Sequence[Mistake] = ()
    offset_hint: str = ""
    scale_hint: str = ""
    sign_hint: str = ""
    shape_hint: str = "Use numpy operations so that the function works elementwise on arrays."
    rtol: float = RTOL

    @property
    def name(self) -> str:
        return self.call.partition("(")[0]


@dataclass(frozen=True, init=False)
class Exercise:
    """A self-check: the exercise ``label``, the ``title`` of its report and its parts."""

    label: str
    title: str
    parts: tuple[Part, ...]

    def __init__(self, label: str, title: str, *parts: Part):
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "parts", parts)

    @property
    def answer(self) -> str:
        """The name(s) the exercise asks the student to define, as passed to ``check``."""
        return ", ".join(part.name for part in self.parts)

    @property
    def stub(self) -> str:
        """The code placed in the student's answer cell."""
        return "\n\n\n".join(f"def {part.call}:\n    ..." for part in self.parts)

    def checker(self, *answers: Any, quiet: bool = False) -> CheckResult:
        """Check one answer per part; an error of ours is reported, never raised."""
        try:
            if len(answers) != len(self.parts):
                raise TypeError(
                    f"check({self.label!r}, ...) takes {len(self.parts)} function(s), "
                    f"{len(answers)} given"
                )
            report = Report(self.label, self.title)
            for part, answer in zip(self.parts, answers, strict=True):
                if len(self.parts) > 1:
                    report.heading(f"{part.name}:")
                compare_function(
                    report,
                    answer,
                    part.reference,
                    part.cases,
                    name=part.name,
                    mistakes=part.mistakes,
                    offset_hint=part.offset_hint,
                    scale_hint=part.scale_hint,
                    sign_hint=part.sign_hint,
                    shape_hint=part.shape_hint,
                    rtol=part.rtol,
                )
        except Exception as err:  # a bug of ours, or an answer too odd to compare
            report = Report(self.label, "could not be checked")
            report.bad(f"comparing your answer failed with {describe_error(err)}")
            report.hint(
                f"Call it as check({self.label!r}, {self.answer}); return numbers or arrays."
            )
        return report.finish(quiet=quiet)


REGISTRY: dict[str, Exercise] = {}


def register(exercises: Iterable[Exercise]) -> None:
    """Make ``exercises`` known to :func:`check` by their labels."""
    REGISTRY.update((exercise.label, exercise) for exercise in exercises)


def check(label: str, *answers: Any, quiet: bool = False) -> CheckResult:
    """Check the answer(s) to the exercise ``label``, e.g. ``check("likelihood-ex-2", f)``."""
    entry = REGISTRY.get(label)
    if entry is None:
        known = ", ".join(sorted(REGISTRY)) or "none"
        report = Report(label, "unknown exercise")
        report.bad(f"there is no check for an exercise labelled {label!r}; known labels: {known}")
        return report.finish(quiet=quiet)
    return entry.checker(*answers, quiet=quiet)
