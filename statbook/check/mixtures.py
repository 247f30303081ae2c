"""Checks for the coding exercises of section 6.4 (chapters/mixtures.md).

They compare with :mod:`statbook.mixtures`, imported when a check runs.
Parameters follow the book: weight ``p`` of component 1, ``mu = (μ₁, μ₂)`` and
``sigma = (σ₁, σ₂)`` (standard deviations).
"""

from __future__ import annotations

import numpy as np

from statbook.check._framework import (
    Case,
    CheckResult,
    Mistake,
    Report,
    compare_function,
    exercise,
    is_callable_answer,
)

_PARAMETERS = [
    (0.5, (-0.5, 4.0), (1.0, 2.0)),
    (0.2, (1.0, 1.0), (0.5, 3.0)),
    (0.9, (10.0, -3.0), (2.0, 0.1)),
    (1.0, (2.0, 7.0), (1.5, 1.0)),
]


def _describe(p, mu, sigma):
    return f"p = {p}, μ = {mu}, σ = {sigma}"


def _moments_reference(p, mu, sigma):
    from statbook import mixtures

    return np.array(mixtures.moments(p, mu, sigma))


def _within_only(p, mu, sigma):
    mean = p * mu[0] + (1 - p) * mu[1]
    return np.array([mean, p * sigma[0] ** 2 + (1 - p) * sigma[1] ** 2])


def _sigma_as_variance(p, mu, sigma):
    return _moments_reference(p, mu, np.sqrt(sigma))


@exercise(
    "mixtures-ex-moments",
    answer="mixture_moments",
    stub="def mixture_moments(p, mu, sigma):\n    ...",
)
def mixture_moments(answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer(p, mu, sigma)`` → (mean, variance) of the two-component mixture."""
    report = Report("mixtures-ex-moments", "mean and variance of a Gaussian mixture")
    if is_callable_answer(report, answer, "mixture_moments"):
        compare_function(
            report,
            lambda *args: _as_pair(answer(*args)),
            _moments_reference,
            [Case((p, np.array(mu), np.array(s)), _describe(p, mu, s)) for p, mu, s in _PARAMETERS],
            mistakes=[
                Mistake(
                    "the variance without the spread of the means",
                    _within_only,
                    "Var Y = E Var(Y | Z) + Var E(Y | Z): the component means differ, and "
                    "that spread adds to the variance.",
                ),
                Mistake(
                    "sigma used as a variance",
                    _sigma_as_variance,
                    "sigma holds standard deviations: the component variances are σ₁², σ₂².",
                ),
            ],
        )
    return report.finish(quiet=quiet)


def _as_pair(value):
    """A (mean, variance) tuple as an array of two numbers, anything else as it is."""
    if isinstance(value, tuple | list) and len(value) == 2:
        try:
            return np.array([float(value[0]), float(value[1])])
        except (TypeError, ValueError):
            return value
    return value


def _density_reference(y, p, mu, sigma):
    from statbook import mixtures

    return mixtures.density(y, p, mu, sigma)


def _swapped_weights(y, p, mu, sigma):
    return _density_reference(y, 1 - p, mu, sigma)


@exercise(
    "mixtures-ex-density",
    answer="mixture_density",
    stub="def mixture_density(y, p, mu, sigma):\n    ...",
)
def mixture_density(answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer(y, p, mu, sigma)`` → the mixture density at the points ``y``."""
    report = Report("mixtures-ex-density", "the density of a Gaussian mixture")
    if is_callable_answer(report, answer, "mixture_density"):
        y = np.array([-3.0, 0.0, 1.75, 4.0, 12.0])
        compare_function(
            report,
            answer,
            _density_reference,
            [
                Case((y, p, np.array(mu), np.array(s)), f"y = {list(y)}, {_describe(p, mu, s)}")
                for p, mu, s in _PARAMETERS
            ],
            mistakes=[
                Mistake(
                    "the weights swapped",
                    _swapped_weights,
                    "p is the weight of component 1, the one with μ₁ and σ₁.",
                ),
                Mistake(
                    "sigma used as a variance",
                    lambda y, p, mu, sigma: _density_reference(y, p, mu, np.sqrt(sigma)),
                    "sigma holds standard deviations: scipy.stats.norm(mu, sigma) takes them "
                    "as they are.",
                ),
            ],
        )
    return report.finish(quiet=quiet)
