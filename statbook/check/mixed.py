"""Checks for the coding exercises of section 6.5 (chapters/mixed-models.md).

- mixed-ex-3: ``group_negloglik(y_group, beta0, nu, sigma2)``, compared with the
  multivariate normal density with ``statbook.mixed.marginal_cov``;
- mixed-ex-5: ``profile_sigma2(ratio, y, group)``, compared with
  ``statbook.mixed.profile_ratio``.

:mod:`statbook.mixed` is imported when a check runs.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import multivariate_normal

from statbook.check._framework import (
    Case,
    CheckResult,
    Mistake,
    Report,
    compare_function,
    exercise,
)

_GROUPS = {
    "a group of 1": np.array([2.3]),
    "a group of 4": np.array([1.0, 2.5, 0.3, 1.9]),
    "a group of 30": np.random.default_rng(65).normal(3.0, 1.5, size=30),
}
_PARAMETERS = [(2.0, 1.0, 2.25), (0.0, 0.0, 1.0), (-1.0, 3.0, 0.5)]


def _group_reference(y_group, beta0, nu, sigma2):
    from statbook import mixed

    m = np.size(y_group)
    cov = mixed.marginal_cov(m, nu, sigma2)
    return -multivariate_normal(np.full(m, beta0), cov).logpdf(y_group)


def _nu_as_variance(y_group, beta0, nu, sigma2):
    return _group_reference(y_group, beta0, np.sqrt(nu), sigma2)


@exercise(
    "mixed-ex-3",
    answer="group_negloglik",
    stub="def group_negloglik(y_group, beta0, nu, sigma2):\n    ...",
)
def group_negloglik(answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer(y_group, beta0, nu, sigma2)`` → the marginal −log density of one group."""
    report = Report("mixed-ex-3", "the marginal negative log-likelihood of one group")
    cases = [
        Case((y, beta0, nu, sigma2), f"{name}, (β₀, ν, σ²) = ({beta0}, {nu}, {sigma2})", name)
        for name, y in _GROUPS.items()
        for beta0, nu, sigma2 in _PARAMETERS
    ]
    compare_function(
        report,
        answer,
        _group_reference,
        cases,
        name="group_negloglik",
        mistakes=[
            Mistake(
                "ν used as a variance",
                _nu_as_variance,
                "ν multiplies Z_i ~ N(0, 1), so the shared part of the covariance is ν².",
            )
        ],
        offset_hint="Check the constants: (m/2) log 2π and the log-determinant "
        "(m − 1) log σ² + log(σ² + m ν²).",
        sign_hint="Return minus the log density.",
    )
    return report.finish(quiet=quiet)


def _grouped_data():
    rng = np.random.default_rng(66)
    sizes = np.array([3, 5, 4, 7, 2, 6])
    group = np.repeat(np.arange(sizes.size), sizes)
    y = 1.0 + 0.8 * rng.normal(size=sizes.size)[group] + rng.normal(size=group.size)
    return y, group


def _profile_reference(ratio, y, group):
    from statbook import mixed

    return mixed.profile_ratio(ratio, mixed.suff_stats(y, group))[1]


def _unweighted_beta0(ratio, y, group):
    sizes = np.bincount(group)
    means = np.bincount(group, weights=y) / sizes
    weights = sizes / (1 + sizes * ratio)
    within = np.sum((y - means[group]) ** 2)
    return (within + np.sum(weights * (means - means.mean()) ** 2)) / y.size


@exercise(
    "mixed-ex-5",
    answer="profile_sigma2",
    stub="def profile_sigma2(ratio, y, group):\n    ...",
)
def profile_sigma2(answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer(ratio, y, group)`` → σ̂²(λ) for the variance ratio λ = ν²/σ²."""
    report = Report("mixed-ex-5", "the profile estimate σ̂²(λ)")
    y, group = _grouped_data()
    cases = [
        Case((ratio, y, group), f"λ = {ratio}, 6 groups of 2 to 7", "data")
        for ratio in (0.0, 0.1, 0.5, 3.0)
    ]
    compare_function(
        report,
        answer,
        _profile_reference,
        cases,
        name="profile_sigma2",
        mistakes=[
            Mistake(
                "β̂₀ as the plain mean of the group means",
                _unweighted_beta0,
                "For fixed λ, β̂₀ is a weighted mean of the group means, with weights "
                "m_i/(1 + m_i λ).",
            )
        ],
        scale_hint="σ̂² divides by the number of observations N.",
    )
    return report.finish(quiet=quiet)
