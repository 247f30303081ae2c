"""Check your answers to the coding exercises of the book.

In a student notebook, after writing e.g. your own negative log-likelihood::

    from statbook.check import check
    check("likelihood-ex-2", poisson_negloglik)

The check calls your function on several inputs, compares with the library and
prints what is right, what is wrong and a hint — never the solution.  It
never raises because of your code: an error in your function is reported.
Each section has its own module of checks (``statbook.check.likelihood``, ...);
a module imports its section's library only when one of its checks runs.
"""

from statbook.check import likelihood, mixed, mixtures, multinomial, regression
from statbook.check._framework import REGISTRY, CheckResult, check

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
