"""Checks for the coding exercises of section 6.5 (chapters/mixed-models.md).

- mixed-ex-3: ``group_negloglik(y_group, beta0, nu, sigma2)``, compared with the
  multivariate normal density with ``statbook.mixed.marginal_cov``;
- mixed-ex-5: ``profile_sigma2(ratio, y, group)``, compared with
  ``statbook.mixed.profile_ratio``.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import multivariate_normal

from statbook.check._framework import Case, Mistake
from statbook.check._library import library
from statbook.check._runner import Exercise, Part

_GROUPS = {
    "a group of 1": np.array([2.3]),
    "a group of 4": np.array([1.0, 2.5, 0.3, 1.9]),
    "a group of 30": np.random.default_rng(65).normal(3.0, 1.5, size=30),
}


def _group_reference(y_group, beta0, nu, sigma2):
    m = np.size(y_group)
    cov = library("mixed").marginal_cov(m, nu, sigma2)
    return -multivariate_normal(np.full(m, beta0), cov).logpdf(y_group)


def _nu_as_variance(y_group, beta0, nu, sigma2):
    return _group_reference(y_group, beta0, np.sqrt(nu), sigma2)


def _grouped_data():
    rng = np.random.default_rng(66)
    sizes = np.array([3, 5, 4, 7, 2, 6])
    group = np.repeat(np.arange(sizes.size), sizes)
    y = 1.0 + 0.8 * rng.normal(size=sizes.size)[group] + rng.normal(size=group.size)
    return y, group


def _profile_reference(ratio, y, group):
    mixed = library("mixed")
    return mixed.profile_ratio(ratio, mixed.suff_stats(y, group))[1]


def unweighted_beta0(ratio, y, group):
    """σ̂²(λ) with β̂₀ the plain mean of the group means (not weighted by m_i/(1 + m_i λ))."""
    sizes = np.bincount(group)
    means = np.bincount(group, weights=y) / sizes
    weights = sizes / (1 + sizes * ratio)
    within = np.sum((y - means[group]) ** 2)
    return (within + np.sum(weights * (means - means.mean()) ** 2)) / y.size


_GROUPED = _grouped_data()
EXERCISES = (
    Exercise(
        "mixed-ex-3",
        "the marginal negative log-likelihood of one group",
        Part(
            "group_negloglik(y_group, beta0, nu, sigma2)",
            _group_reference,
            [
                Case(
                    (y, beta0, nu, sigma2), f"{name}, (β₀, ν, σ²) = ({beta0}, {nu}, {sigma2})", name
                )
                for name, y in _GROUPS.items()
                for beta0, nu, sigma2 in [(2.0, 1.0, 2.25), (0.0, 0.0, 1.0), (-1.0, 3.0, 0.5)]
            ],
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
        ),
    ),
    Exercise(
        "mixed-ex-5",
        "the profile estimate σ̂²(λ)",
        Part(
            "profile_sigma2(ratio, y, group)",
            _profile_reference,
            [
                Case((ratio, *_GROUPED), f"λ = {ratio}, 6 groups of 2 to 7", "data")
                for ratio in (0.0, 0.1, 0.5, 3.0)
            ],
            mistakes=[
                Mistake(
                    "β̂₀ as the plain mean of the group means",
                    unweighted_beta0,
                    "For fixed λ, β̂₀ is a weighted mean of the group means, with weights "
                    "m_i/(1 + m_i λ).",
                )
            ],
            scale_hint="σ̂² divides by the number of observations N.",
        ),
    ),
)
