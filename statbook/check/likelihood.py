"""Checks for the coding exercises of section 6.1 (chapters/likelihood.md).

Each check compares the student's function with :mod:`statbook.poisson`,
:mod:`statbook.vonmises` or :mod:`statbook.gaussian` on several data sets and
parameter values, including values off the parameter space and extreme ones.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from statbook import gaussian, poisson, vonmises
from statbook.check._framework import (
    Case,
    CheckResult,
    Mistake,
    Report,
    compare_function,
    exercise,
    is_callable_answer,
)

_COUNTS = {
    "y = [2, 0, 3, 1]": np.array([2, 0, 3, 1]),
    "y = [7, 12, 9, 10, 8, 11]": np.array([7, 12, 9, 10, 8, 11]),
}
_ANGLES = {
    "y = [0.1, 0.5, -0.3, 2.9]": np.array([0.1, 0.5, -0.3, 2.9]),
    "40 angles around 1": np.random.default_rng(61).vonmises(1.0, 2.0, size=40),
}
_REALS = {
    "y = [1.2, -0.4, 2.5]": np.array([1.2, -0.4, 2.5]),
    "50 values around 100": np.random.default_rng(63).normal(100.0, 3.0, size=50),
}


def _poisson_reference(mu, y):
    return poisson.negloglik(mu, poisson.suff_stats(y))


@exercise(
    "lik-ex-poisson",
    answer="poisson_negloglik",
    stub="def poisson_negloglik(mu, y):\n    ...",
)
def poisson_negloglik(answer, *, quiet: bool = False) -> CheckResult:
    """Check a Poisson negative log-likelihood ``answer(mu, y)`` (Example 6.1), vectorized in μ."""
    report = Report("lik-ex-poisson", "Poisson negative log-likelihood −ℓ(μ)")
    if is_callable_answer(report, answer, "poisson_negloglik"):
        cases = []
        for name, y in _COUNTS.items():
            cases += [Case((mu, y), f"μ = {mu}, {name}", group=name) for mu in (0.5, 1.5, 9.0)]
            cases.append(Case((np.array([0.5, 2.0, 4.0]), y), f"μ = [0.5, 2, 4], {name}", name))
        compare_function(
            report,
            answer,
            _poisson_reference,
            cases,
            mistakes=[
                Mistake(
                    "the constant written as N·log(ȳ!) instead of Σ log(y_i!)",
                    lambda mu, y: (
                        _poisson_reference(mu, y)
                        - gammaln(np.asarray(y) + 1.0).sum()
                        + len(y) * gammaln(np.mean(y) + 1.0)
                    ),
                    "The constant is the sum of log(y_i!) over the observations "
                    "(scipy.special.gammaln(y + 1) is log(y!)).",
                ),
            ],
            offset_hint="Did you drop the constant Σ log(y_i!)? It does not change the "
            "minimizer, but −ℓ is asked for with it (scipy.special.gammaln(y + 1) is log(y!)).",
            sign_hint="−ℓ is minus the log-likelihood: the log-likelihood is "
            "Σ (y_i log μ − μ − log y_i!).",
            scale_hint="Does every term carry its factor: μ once per observation?",
        )
    return report.finish(quiet=quiet)


@exercise(
    "lik-ex-logphi",
    answer="log_phi",
    stub="def log_phi(theta):\n    ...",
)
def log_phi(answer, *, quiet: bool = False) -> CheckResult:
    """Check the von Mises log normalizing constant ``answer(theta)``, θ of shape (..., 2)."""
    report = Report("lik-ex-logphi", "von Mises log φ(θ)")
    if is_callable_answer(report, answer, "log_phi"):
        cases = [
            Case((np.array([0.0, 0.0]),), "θ = (0, 0)"),
            Case((np.array([1.0, -2.0]),), "θ = (1, −2)"),
            Case((np.array([[3.0, 4.0], [0.5, 0.5]]),), "θ = two points, shape (2, 2)"),
            Case((np.array([1e4, 0.0]),), "θ = (10⁴, 0), far out"),
        ]
        compare_function(
            report,
            answer,
            vonmises.log_phi,
            cases,
            offset_hint="φ(θ) integrates over (−π, π]: check the factor 2π.",
        )
        report.hint(
            "For large ‖θ‖, I₀ overflows: log I₀(κ) = κ + log(i0e(κ)) with scipy.special.i0e "
            "stays finite."
        )
    return report.finish(quiet=quiet)


def _gaussian_reference(theta, y):
    return gaussian.negloglik_canonical(theta, gaussian.suff_stats(y))


@exercise(
    "lik-ex-gaussian",
    answer="gaussian_negloglik_canonical",
    stub="def gaussian_negloglik_canonical(theta, y):\n    ...",
)
def gaussian_negloglik_canonical(answer, *, quiet: bool = False) -> CheckResult:
    """Check the Gaussian −ℓ(θ) in the canonical parameter ``answer(theta, y)``."""
    report = Report("lik-ex-gaussian", "Gaussian −ℓ(θ) in the canonical parametrization")
    if is_callable_answer(report, answer, "gaussian_negloglik_canonical"):
        cases = []
        for name, y in _REALS.items():
            cases += [
                Case((np.array(theta), y), f"θ = {theta}, {name}", group=name)
                for theta in ([0.5, 0.25], [-1.0, 2.0], [11.0, 0.05])
            ]
        compare_function(
            report,
            answer,
            _gaussian_reference,
            cases,
            offset_hint="Is the constant (N/2)·log π there?",
            sign_hint="The seed prints ℓ under the name −ℓ: flip every sign.",
        )
    return report.finish(quiet=quiet)
