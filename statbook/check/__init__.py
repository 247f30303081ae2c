"""Check your answers to the coding exercises of the book.

In a student notebook, after writing e.g. your own negative log-likelihood::

    from statbook.check import check
    check("lik-ex-poisson", poisson_negloglik)

The check calls your function on several inputs, compares with the library and
prints what is right, what is wrong and a hint — never the solution.  It
never raises because of your code: an error in your function is reported.
Each section has its own module of checks (``statbook.check.likelihood``, ...);
a module imports its section's library only when one of its checks runs.
"""

from statbook.check import likelihood, mixtures, multinomial, regression
from statbook.check._framework import REGISTRY, CheckResult, check

__all__ = [
    "REGISTRY",
    "CheckResult",
    "check",
    "likelihood",
    "mixtures",
    "multinomial",
    "regression",
]
