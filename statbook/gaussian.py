"""Example 6.3: i.i.d. Gaussian observations in two parametrizations.

Mean–variance parametrization (μ, σ²) ∈ ℝ × (0, ∞):

    −ℓ(μ, σ²) = (N/2) log(2πσ²) + Σ (y_i − μ)² / (2σ²).

Canonical parametrization θ = (μ/σ², 1/(2σ²)) ∈ ℝ × (0, ∞):

    −ℓ(θ) = −θ₁ Σ y_i + θ₂ Σ y_i² + N θ₁²/(4θ₂) − (N/2) log θ₂ + (N/2) log π,

with inverse μ = θ₁/(2θ₂), σ² = 1/(2θ₂).  (The seed prints both "−ℓ"
expressions with the sign of ℓ and drops the constant.)  The second form is
convex: N θ₁²/(4θ₂) − (N/2) log θ₂ is N times the log-partition function.

Both depend on the data through (N, Σ y_i, Σ y_i²).  We store the equivalent
and numerically stable statistics (N, ȳ, Σ (y_i − ȳ)²) and use
Σ (y_i − μ)² = Σ (y_i − ȳ)² + N (ȳ − μ)², which avoids the cancellation of
Σ y_i² − 2μ Σ y_i + N μ² when |ȳ| is large.  The stored mean is a rounded ȳ; its
rounding error ȳ − mean is kept too (``mean_error``) and added back in ȳ − μ, so that
at [1e16, 1e16 + 10] (ȳ = 1e16 + 5, stored as 1e16 + 4) Σ (y_i − μ)² is 52 at μ = 1e16 + 4.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from statbook._constants import LOG_PI
from statbook._validate import (
    as_finite_number,
    as_float_vector,
    as_parameter,
    as_sample_size,
    check_rng,
    equal_up_to_rounding,
    mean_without_overflow,
    sum_squared_deviations,
)
from statbook.exceptions import NoUniqueMLEError


class GaussianStats(NamedTuple):
    """Sufficient statistics of a Gaussian sample, in a numerically stable form."""

    n: int  #: N
    mean: float  #: ȳ = Σ y_i / N, rounded to a float
    sum_sq_dev: float  #: Σ (y_i − ȳ)² about the exact mean
    #: ȳ − ``mean``, the rounding of the stored mean: Σ (y_i − mean)/N (0 for equal data)
    mean_error: float = 0.0

    @property
    def sum_y(self) -> float:
        """Σ y_i."""
        return self.n * self.mean + self.n * self.mean_error

    @property
    def sum_y2(self) -> float:
        """Σ y_i² = Σ (y_i − ȳ)² + N ȳ²."""
        return self.sum_sq_dev + self.n * self.mean**2


def suff_stats(y) -> GaussianStats:
    """(N, ȳ, Σ (y_i − ȳ)²) of the observations ``y``.

    Observations equal up to rounding (:func:`equal_up_to_rounding`) get
    Σ (y_i − ȳ)² = 0 exactly, so that :func:`mle` recognises them.
    """
    values = as_float_vector(y, "y")
    mean = mean_without_overflow(values)
    if equal_up_to_rounding(values):
        return GaussianStats(values.size, mean, 0.0)
    with np.errstate(over="ignore"):  # data near ±1e308: no rounding error worth keeping
        error = float(np.mean(values - mean))
    error = error if np.isfinite(error) else 0.0
    return GaussianStats(values.size, mean, sum_squared_deviations(values, mean), error)


def negloglik(par, stats: GaussianStats) -> np.ndarray:
    """−ℓ(μ, σ²) = (N/2) log(2πσ²) + [Σ(y−ȳ)² + N(ȳ−μ)²]/(2σ²); +inf off ℝ × (0, ∞).

    ``par`` = (μ, σ²) has shape (..., 2).  Non-finite parameters are off the space
    (+inf); finite ones so extreme that the squares overflow give +inf, their value.
    """
    par = as_parameter(par, 2)
    mu, sigma2 = par[..., 0], par[..., 1]
    inside = (sigma2 > 0) & (sigma2 < np.inf) & np.isfinite(mu)
    safe = np.where(inside, sigma2, 1.0)
    mu = np.where(inside, mu, stats.mean)
    with np.errstate(over="ignore"):
        # ȳ − μ = (mean − μ) + (ȳ − mean): the stored mean's rounding is not lost
        squares = stats.sum_sq_dev + stats.n * ((stats.mean - mu) + stats.mean_error) ** 2
        value = 0.5 * stats.n * np.log(2 * np.pi * safe) + squares / (2 * safe)
    return np.where(inside, value, np.inf)


def hessian(par, stats: GaussianStats) -> np.ndarray:
    """D²(−ℓ)(μ, σ²) with Q = Σ(y−ȳ)² + N(ȳ−μ)² and v = σ²:

        ∂²/∂μ² = N/v,   ∂²/∂μ∂v = N(ȳ−μ)/v²,   ∂²/∂v² = −N/(2v²) + Q/v³.

    The last entry is negative once v > 2Q/N, so −ℓ is not convex in (μ, σ²).
    """
    par = as_parameter(par, 2)
    mu, v = par[..., 0], par[..., 1]
    n = stats.n
    centre = (stats.mean - mu) + stats.mean_error  # ȳ − μ
    squares = stats.sum_sq_dev + n * centre**2
    off = n * centre / v**2
    rows = [
        np.stack([n / v, off], axis=-1),
        np.stack([off, -n / (2 * v**2) + squares / v**3], axis=-1),
    ]
    return np.stack(rows, axis=-2)


def negloglik_canonical(theta, stats: GaussianStats) -> np.ndarray:
    """−ℓ(θ) = −θ₁ Σy + θ₂ Σy² + N θ₁²/(4θ₂) − (N/2) log θ₂ + (N/2) log π; +inf off ℝ × (0, ∞).

    Evaluated as θ₂ Σ(y−ȳ)² + N θ₂ (ȳ − θ₁/(2θ₂))² − (N/2) log(θ₂/π), which
    is the same expression rearranged to avoid cancellation.
    """
    theta = as_parameter(theta, 2, "theta")
    t1, t2 = theta[..., 0], theta[..., 1]
    inside = (t2 > 0) & (t2 < np.inf) & np.isfinite(t1)
    safe = np.where(inside, t2, 1.0)
    t1 = np.where(inside, t1, 0.0)
    with np.errstate(over="ignore"):
        value = (
            safe * stats.sum_sq_dev
            + stats.n * safe * ((stats.mean - t1 / (2 * safe)) + stats.mean_error) ** 2
            - 0.5 * stats.n * (np.log(safe) - LOG_PI)
        )
    return np.where(inside, value, np.inf)


def grad_canonical(theta, stats: GaussianStats) -> np.ndarray:
    """∇(−ℓ)(θ) = (−Σy + N θ₁/(2θ₂),  Σy² − N θ₁²/(4θ₂²) − N/(2θ₂)).

    At the MLE this is zero: the observed sufficient statistics equal their
    expectations N(μ, σ² + μ²).
    """
    theta = as_parameter(theta, 2, "theta")
    t1, t2 = theta[..., 0], theta[..., 1]
    n = stats.n
    return np.stack(
        [-stats.sum_y + n * t1 / (2 * t2), stats.sum_y2 - n * t1**2 / (4 * t2**2) - n / (2 * t2)],
        axis=-1,
    )


def hessian_canonical(theta, stats: GaussianStats) -> np.ndarray:
    """D²(−ℓ)(θ) = N [[1/(2θ₂), −θ₁/(2θ₂²)], [−θ₁/(2θ₂²), θ₁²/(2θ₂³) + 1/(2θ₂²)]].

    Its determinant N²/(4θ₂³) is positive and its diagonal too, so the
    Hessian is positive definite on ℝ × (0, ∞): −ℓ is strictly convex in θ.
    """
    theta = as_parameter(theta, 2, "theta")
    t1, t2 = theta[..., 0], theta[..., 1]
    off = -t1 / (2 * t2**2)
    rows = [
        np.stack([1 / (2 * t2), off], axis=-1),
        np.stack([off, t1**2 / (2 * t2**3) + 1 / (2 * t2**2)], axis=-1),
    ]
    return stats.n * np.stack(rows, axis=-2)


def to_canonical(par) -> np.ndarray:
    """θ = (μ/σ², 1/(2σ²)) from ``par`` = (μ, σ²) of shape (..., 2)."""
    par = as_parameter(par, 2)
    mu, sigma2 = par[..., 0], par[..., 1]
    return np.stack([mu / sigma2, 1 / (2 * sigma2)], axis=-1)


def from_canonical(theta) -> np.ndarray:
    """(μ, σ²) = (θ₁/(2θ₂), 1/(2θ₂)) from ``theta`` of shape (..., 2)."""
    theta = as_parameter(theta, 2, "theta")
    t1, t2 = theta[..., 0], theta[..., 1]
    return np.stack([t1 / (2 * t2), 1 / (2 * t2)], axis=-1)


def mle(stats: GaussianStats) -> np.ndarray:
    """(μ̂, σ̂²) = (ȳ, Σ (y_i − ȳ)² / N), the unique stationary point and global minimizer.

    Raises :class:`NoUniqueMLEError` when all observations are equal, up to
    rounding (σ̂² = 0).
    """
    if stats.sum_sq_dev <= 0:
        raise NoUniqueMLEError(
            "all observations are equal (up to rounding): σ̂² would be 0, outside the "
            "parameter space (0, ∞)"
        )
    return np.array([stats.mean, stats.sum_sq_dev / stats.n])


def simulate(n: int, mu: float, sigma2: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` i.i.d. N(μ, σ²) draws from the generator ``rng``."""
    n = as_sample_size(n)
    mu = as_finite_number(mu, "mu")
    sigma2 = as_finite_number(sigma2, "sigma2", low=0.0, low_open=True)
    return check_rng(rng).normal(mu, np.sqrt(sigma2), size=n)
