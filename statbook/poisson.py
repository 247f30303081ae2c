"""Example 6.1: i.i.d. Poisson counts.

The point probabilities are f_μ(y) = e^{-μ} μ^y / y!, μ ∈ (0, ∞).  For
observations y_1, ..., y_N the negative log-likelihood is

    −ℓ(μ) = N μ − log(μ) Σ y_i + Σ log(y_i!)                    (Example 6.1)

(the seed prints the last term as N log(y!); it is the sum of log y_i!).  It
depends on the data only through the sufficient statistic S = Σ y_i (and N);
the constant Σ log(y_i!) is kept so that values are true log-likelihoods.
In the canonical parametrization θ = log μ ∈ ℝ it reads N e^θ − θ S + const.

**Large counts.**  N μ, S log μ and Σ log y_i! are each of the order of S log S, while
−ℓ near its minimum is of the order of N log S: at counts near 10¹⁵ the three-term
form cancels 15 of the 16 digits of a float.  With ȳ = S/N and r = μ/ȳ the same −ℓ is

    −ℓ(μ) = S (r − 1 − log r) + C,
    C = Σ_i [y_i log(y_i/ȳ) − (y_i − ȳ)] + Σ_i [log y_i! − y_i log y_i + y_i],

a sum of non-negative terms (r − 1 − log r ≥ 0 and y log(y/ȳ) − (y − ȳ) ≥ 0), and
log y! − y log y + y = ½ log(2πy) + 1/(12y) − 1/(360y³) + … (Stirling's series) has no
cancellation either.  :func:`negloglik` uses this form; it depends on the data through
(N, S, C), computed once by :func:`suff_stats`.  With S = 0, −ℓ(μ) = N μ exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import gammaln, xlogy

from statbook._constants import LOG_2PI
from statbook._validate import as_count_vector, as_finite_number, as_sample_size, check_rng
from statbook.exceptions import DataError, NoInteriorMinimizerError


class PoissonStats(NamedTuple):
    """Sufficient statistics of an i.i.d. Poisson sample."""

    n: int  #: number of observations N
    total: float  #: S = Σ y_i
    log_factorials: float  #: Σ log(y_i!), the constant of −ℓ
    constant: float = 0.0  #: C = −ℓ(ȳ), the stable constant (see the module docstring)


#: From this count on, log y! − y log y + y is taken from Stirling's series (error < 1e-16).
STIRLING_FROM = 20


def stirling_remainder(y) -> np.ndarray:
    """log y! − (y log y − y), ≥ 0, without cancellation: 0 at y = 0.

    Below :data:`STIRLING_FROM` by ``gammaln`` (the terms are below 60, so at most
    two digits cancel); from there by Stirling's series
    ½ log(2πy) + 1/(12y) − 1/(360y³) + 1/(1260y⁵) − 1/(1680y⁷), whose next term
    1/(1188y⁹) is below 2e-15 · 1/(12y) at y = 20.
    """
    y = np.asarray(y, dtype=float)
    small = y < STIRLING_FROM
    low = np.where(small, y, 0.0)
    exact = gammaln(low + 1.0) - xlogy(low, low) + low
    big = np.where(small, STIRLING_FROM, y)
    inv = 1.0 / big
    inv2 = inv * inv
    series = 0.5 * (LOG_2PI + np.log(big)) + inv * (
        1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680))
    )
    return np.where(small, exact, series)


def deviance_term(y, mu) -> np.ndarray:
    """y log(y/μ) − (y − μ) ≥ 0, half a count's deviance, without cancellation (Loader 2000).

    Where |y − μ| < 0.1 (y + μ), with v = (y − μ)/(y + μ), it is the series
    (y − μ) v + 2y Σ_{j≥1} v^{2j+1}/(2j + 1) (12 terms: |v| < 0.1, so the next is below
    1e-25 of the sum); the direct form y log(y/μ) − (y − μ) would lose the digits that
    y log y and y log μ share.  Elsewhere the direct form, with 0 log 0 = 0 (y = 0 gives
    μ); +inf where μ = 0 < y or μ = +inf.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    y, mu = np.broadcast_arrays(y, mu)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        diff = y - mu
        near = np.asarray(np.abs(diff) < 0.1 * (y + mu))
        terms = np.asarray(xlogy(y, y / mu) - diff, dtype=float).copy()
        if near.any():  # the series only where it is needed
            d, total, count = diff[near], (y + mu)[near], y[near]
            v = d / total
            series = d * v
            odd = 2 * count * v
            v2 = v * v
            for j in range(1, 13):
                odd = odd * v2
                series = series + odd / (2 * j + 1)
            terms[near] = series
    return np.where(np.isnan(terms), np.inf, terms)


def suff_stats(y) -> PoissonStats:
    """Sufficient statistics (N, Σ y_i, Σ log y_i!) of counts ``y``."""
    counts = as_count_vector(y, "y")
    total = float(counts.sum())  # exact: as_count_vector keeps the total below 2⁶²
    values = counts.astype(float)
    constant = float(stirling_remainder(values).sum())
    if total > 0:
        constant += float(deviance_term(values, total / counts.size).sum())
    return PoissonStats(
        n=counts.size,
        total=total,
        log_factorials=float(gammaln(values + 1.0).sum()),
        constant=constant,
    )


def negloglik(mu, stats: PoissonStats) -> np.ndarray:
    """−ℓ(μ) = N μ − S log μ + Σ log y_i!, vectorized over ``mu``; +inf off (0, ∞).

    Evaluated as S (r − 1 − log r) + C with r = μ/ȳ (module docstring), which does not
    cancel at large counts; N μ when S = 0.  μ = 0, μ = ∞ and NaN are not in the
    parameter space (0, ∞): +inf there.  For a finite μ so large that the value
    exceeds the float range it is +inf too.
    """
    mu = np.asarray(mu, dtype=float)
    inside = (mu > 0) & (mu < np.inf)
    safe_mu = np.where(inside, mu, 1.0)
    if stats.total == 0:
        with np.errstate(over="ignore"):
            value = stats.n * safe_mu
        return np.where(inside, value, np.inf)
    # S (r − 1 − log r) = N [ȳ log(ȳ/μ) − (ȳ − μ)], a count's deviance term at ȳ
    with np.errstate(over="ignore"):
        value = stats.n * deviance_term(stats.total / stats.n, safe_mu) + stats.constant
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
    if stats.total == 0:
        with np.errstate(over="ignore"):
            value = stats.n * np.exp(safe)
        return np.where(inside, value, np.inf)
    # S (r − 1 − log r) + C as in negloglik, with log r = θ − log ȳ: r − 1 − log r = e^x − 1 − x
    x = safe - np.log(stats.total / stats.n)
    with np.errstate(over="ignore"):
        value = stats.total * (np.expm1(x) - x) + stats.constant
    return np.where(inside, value, np.inf)


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
        raise DataError(f"mu must be at most 1e15; got {mu:g}")
    return check_rng(rng).poisson(mu, size=n)
