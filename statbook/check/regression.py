"""Checks for the coding exercises of section 6.3 (chapters/regression.md).

They compare with :mod:`statbook.regression`, imported when a check runs.
"""

from __future__ import annotations

import numpy as np

from statbook.check._framework import (
    Case,
    CheckResult,
    Report,
    compare_function,
    exercise,
    is_callable_answer,
)


def _data():
    rng = np.random.default_rng(63)
    x = rng.uniform(0.0, 3.0, size=25)
    X = np.column_stack([np.ones_like(x), x])
    y = rng.poisson(np.exp(0.5 + 0.4 * x))
    return {
        "25 simulated rows": (X, y),
        "3 rows": (np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]), np.array([1, 0, 4])),
    }


def _reference(beta, X, y):
    from statbook import regression

    return regression.negloglik(beta, regression.suff_stats(X, y))


@exercise(
    "regression-ex-negloglik",
    answer="poisson_regression_negloglik",
    stub="def poisson_regression_negloglik(beta, X, y):\n    ...",
)
def poisson_regression_negloglik(answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer(beta, X, y)`` → −ℓ(β) of the Poisson regression model."""
    report = Report("regression-ex-negloglik", "the Poisson regression −ℓ(β)")
    if is_callable_answer(report, answer, "poisson_regression_negloglik"):
        cases = [
            Case((np.array(beta), X, y), f"β = {beta}, {name}", group=name)
            for name, (X, y) in _data().items()
            for beta in ([0.0, 0.0], [0.5, 0.4], [-1.0, 1.2])
        ]
        compare_function(
            report,
            answer,
            _reference,
            cases,
            offset_hint="Did you drop the constant Σ log(y_i!)? (scipy.special.gammaln(y + 1))",
            sign_hint="−ℓ(β) = κ(β) − βᵀXᵀy + const: the κ term comes with a plus sign.",
        )
    return report.finish(quiet=quiet)
