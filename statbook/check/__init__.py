"""Check your answers to the coding exercises of the book.

In a student notebook, after writing e.g. your own negative log-likelihood::

    from statbook.check import check
    check("likelihood-ex-2", poisson_negloglik)

The check calls your function on several inputs, compares with the library and
prints what is right, what is wrong and a hint — never the solution.  It
never raises because of your code: an error in your function is reported, and
a call that runs too long is stopped.  Each section has its own module of
checks (``statbook.check.likelihood``, ...), which declares its exercises as
data (:class:`statbook.check._runner.Exercise`); the right values come from a
private copy of the library that a notebook cannot rebind
(:mod:`statbook.check._library`), loaded when a check first needs it.
"""

from statbook.check import likelihood, mixed, mixtures, multinomial, regression
from statbook.check._framework import CheckResult
from statbook.check._runner import REGISTRY, check, register

for _section in (likelihood, multinomial, regression, mixtures, mixed):
    register(_section.EXERCISES)

__all__ = [
    "REGISTRY",
    "CheckResult",
    "check",
    "likelihood",
    "mixed",
    "mixtures",
    "multinomial",
    "regression",
]
