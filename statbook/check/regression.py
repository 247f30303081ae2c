"""Checks for the coding exercises of section 6.3 (chapters/regression.md).

- regression-ex-1: ``poisson_regression_negloglik(beta, X, y)`` and
  ``poisson_regression_grad(beta, X, y)``, compared with ``statbook.regression``'s
  ``negloglik`` and ``grad``.

:mod:`statbook.regression` is imported when a check runs.
"""

from __future__ import annotations

import numpy as np

from statbook.check._framework import (
    Case,
    CheckResult,
    Report,
    compare_function,
    exercise,
)


def _data():
    rng = np.random.default_rng(63)
    x = rng.uniform(0.0, 3.0, size=25)
    X = np.column_stack([np.ones_like(x), x])
    y = rng.poisson(np.exp(0.5 + 0.4 * x))
    small = (np.array([[1.0, 0.0, 2.0], [1.0, 1.0, 0.5], [1.0, 2.0, 1.0], [1.0, 3.0, 0.0]]),)
    return {
        "25 rows, 2 columns": (X, y),
        "4 rows, 3 columns": (*small, np.array([1, 0, 4, 2])),
    }


def _cases():
    cases = []
    for name, (X, y) in _data().items():
        p = X.shape[1]
        for beta in (np.zeros(p), np.linspace(0.5, -0.2, p), np.linspace(-1.0, 1.2, p)):
            cases.append(Case((beta, X, y), f"β = {np.round(beta, 2).tolist()}, {name}", name))
    return cases


def _negloglik(beta, X, y):
    from statbook import regression

    return regression.negloglik(beta, regression.suff_stats(X, y))


def _grad(beta, X, y):
    from statbook import regression

    return regression.grad(beta, regression.suff_stats(X, y))


@exercise(
    "regression-ex-1",
    answer="poisson_regression_negloglik, poisson_regression_grad",
    stub="def poisson_regression_negloglik(beta, X, y):\n    ...\n\n\n"
    "def poisson_regression_grad(beta, X, y):\n    ...",
)
def poisson_regression(negloglik_answer, grad_answer, *, quiet: bool = False) -> CheckResult:
    """Check −ℓ(β) and its gradient for Poisson regression, both called as ``f(beta, X, y)``."""
    report = Report("regression-ex-1", "the Poisson regression −ℓ(β) and its gradient")
    report.heading("poisson_regression_negloglik:")
    compare_function(
        report,
        negloglik_answer,
        _negloglik,
        _cases(),
        name="poisson_regression_negloglik",
        offset_hint="Did you drop the constant Σ log(y_i!)? (scipy.special.gammaln(y + 1))",
        sign_hint="−ℓ(β) = κ(β) − βᵀXᵀy + const: the κ term comes with a plus sign.",
    )
    report.heading("poisson_regression_grad:")
    compare_function(
        report,
        grad_answer,
        _grad,
        _cases(),
        name="poisson_regression_grad",
        sign_hint="The gradient of −ℓ is Xᵀ(μ(β) − y): fitted minus observed.",
        shape_hint="The gradient has one entry per coefficient: Xᵀ times a vector of length n.",
    )
    return report.finish(quiet=quiet)
