"""Checks for the coding exercises of section 6.3 (chapters/regression.md).

- regression-ex-1: ``poisson_regression_negloglik(beta, X, y)`` and
  ``poisson_regression_grad(beta, X, y)``, compared with ``statbook.regression``'s
  ``negloglik`` and ``grad``.
"""

from __future__ import annotations

import numpy as np

from statbook.check._framework import Case
from statbook.check._library import library
from statbook.check._runner import Exercise, Part


def _cases() -> list[Case]:
    """Three β on each of two data sets; both functions are called on the same cases."""
    rng = np.random.default_rng(63)
    x = rng.uniform(0.0, 3.0, size=25)
    X = np.column_stack([np.ones_like(x), x])
    y = rng.poisson(np.exp(0.5 + 0.4 * x))
    small = np.array([[1.0, 0.0, 2.0], [1.0, 1.0, 0.5], [1.0, 2.0, 1.0], [1.0, 3.0, 0.0]])
    data = {"25 rows, 2 columns": (X, y), "4 rows, 3 columns": (small, np.array([1, 0, 4, 2]))}
    return [
        Case((beta, X, y), f"β = {np.round(beta, 2).tolist()}, {name}", name)
        for name, (X, y) in data.items()
        for beta in (
            np.zeros(X.shape[1]),
            np.linspace(0.5, -0.2, X.shape[1]),
            np.linspace(-1.0, 1.2, X.shape[1]),
        )
    ]


def _negloglik(beta, X, y):
    regression = library("regression")
    return regression.negloglik(beta, regression.suff_stats(X, y))


def _grad(beta, X, y):
    regression = library("regression")
    return regression.grad(beta, regression.suff_stats(X, y))


_CASES = _cases()
EXERCISES = (
    Exercise(
        "regression-ex-1",
        "the Poisson regression −ℓ(β) and its gradient",
        Part(
            "poisson_regression_negloglik(beta, X, y)",
            _negloglik,
            _CASES,
            offset_hint="Did you drop the constant Σ log(y_i!)? (scipy.special.gammaln(y + 1))",
            sign_hint="−ℓ(β) = κ(β) − βᵀXᵀy + const: the κ term comes with a plus sign.",
        ),
        Part(
            "poisson_regression_grad(beta, X, y)",
            _grad,
            _CASES,
            sign_hint="The gradient of −ℓ is Xᵀ(μ(β) − y): fitted minus observed.",
            shape_hint="The gradient has one entry per coefficient: Xᵀ times a vector of length n.",
        ),
    ),
)
