"""Example 6.1: i.i.d. Poisson counts.

The point probabilities are f_μ(y) = e^{-μ} μ^y / y!, μ ∈ (0, ∞).  For
observations y_1, ..., y_N the negative log-likelihood is

    −ℓ(μ) = N μ − log(μ) Σ y_i + Σ log(y_i!)                    (Example 6.1)

(the seed prints the last term as N log(y!); it is the sum of log y_i!).  It
depends on the data only through the sufficient statistic S = Σ y_i (and N);
the constant Σ log(y_i!) is kept so that values are true log-likelihoods.
In the canonical parametrization θ = log μ ∈ ℝ it reads N e^θ − θ S + const.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import gammaln

from statbook._validate import as_count_vector, as_finite_number, as_sample_size, check_rng


class PoissonStats(NamedTuple):
    """Sufficient statistics of an i.i.d. Poisson sample."""

    n: int  #: number of observations N
    total: float  #: S = Σ y_i
    log_factorials: float  #: Σ log(y_i!), the constant of −ℓ


class NoInteriorMinimizerError(ValueError):
    """The negative log-likelihood has no minimizer inside the parameter space."""


def suff_stats(y) -> PoissonStats:
    """Sufficient statistics (N, Σ y_i, Σ log y_i!) of counts ``y``."""
    counts = as_count_vector(y, "y")
    return PoissonStats(
        n=counts.size,
        total=float(counts.sum()),  # exact: as_count_vector keeps the total below 2⁶²
        log_factorials=float(gammaln(counts + 1.0).sum()),
    )


def negloglik(mu, stats: PoissonStats) -> np.ndarray:
    """−ℓ(μ) = N μ − S log μ + Σ log y_i!, vectorized over ``mu``; +inf off (0, ∞).

    μ = 0, μ = ∞ and NaN are not in the parameter space (0, ∞): +inf there.  For a
    finite μ so large that N μ overflows the value is +inf too (N μ dominates S log μ).
    """
    mu = np.asarray(mu, dtype=float)
    inside = (mu > 0) & (mu < np.inf)
    safe_mu = np.where(inside, mu, 1.0)
    with np.errstate(over="ignore"):
        value = stats.n * safe_mu - stats.total * np.log(safe_mu) + stats.log_factorials
    return np.where(inside, value, np.inf)


def grad(mu, stats: PoissonStats) -> np.ndarray:
    """Derivative −ℓ'(μ) = N − S / μ (for μ > 0; −inf where S / μ overflows)."""
    mu = np.asarray(mu, dtype=float)
    with np.errstate(over="ignore"):
        return stats.n - stats.total / mu


def hessian(mu, stats: PoissonStats) -> np.ndarray:
    """Second derivative −ℓ''(μ) = S / μ² ≥ 0, so −ℓ is convex in μ."""
    mu = np.asarray(mu, dtype=float)
    with np.errstate(over="ignore"):
        return stats.total / mu**2


def negloglik_canonical(theta, stats: PoissonStats) -> np.ndarray:
    """−ℓ(θ) = N e^θ − θ S + Σ log y_i! in the canonical parameter θ = log μ ∈ ℝ.

    +inf for θ = ±∞ or NaN (not in ℝ), and where N e^θ overflows (it dominates θ S).
    """
    theta = np.asarray(theta, dtype=float)
    inside = np.isfinite(theta)
    safe = np.where(inside, theta, 0.0)
    with np.errstate(over="ignore"):
        growth = stats.n * np.exp(safe)
        value = growth - safe * stats.total + stats.log_factorials
    return np.where(inside & (growth < np.inf), value, np.inf)


def mle(stats: PoissonStats) -> float:
    """Maximum-likelihood estimate μ̂ = S / N, the solution of −ℓ'(μ) = 0.

    Raises :class:`NoInteriorMinimizerError` when every count is zero: then
    −ℓ(μ) = N μ is strictly increasing on (0, ∞), its infimum is approached as
    μ → 0, and no μ in the open parameter space attains it.
    """
    if stats.total == 0:
        raise NoInteriorMinimizerError(
            "all counts are zero: −ℓ(μ) = N·μ decreases towards μ = 0, which is not in the "
            "parameter space (0, ∞), so there is no maximum-likelihood estimate "
            "(extending the space to [0, ∞) would give μ̂ = 0)"
        )
    return stats.total / stats.n


def simulate(n: int, mu: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` i.i.d. Poisson(μ) counts drawn from the generator ``rng``.

    μ must be positive and at most 10¹⁵ (numpy's sampler stops near 10¹⁹; counts
    beyond 2⁵³ could not be represented exactly anyway).
    """
    n = as_sample_size(n)
    mu = as_finite_number(mu, "mu", low=0.0, low_open=True)
    if mu > 1e15:
        raise ValueError(f"mu must be at most 1e15; got {mu:g}")
    return check_rng(rng).poisson(mu, size=n)
