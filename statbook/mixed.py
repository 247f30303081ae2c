"""Section 6.5: the Gaussian random-effects model (Example 6.5).

Groups i = 1, ..., n hold m_i observations each.  A latent Z_i ~ N(0, 1) is
drawn per group and, given Z_i, the observations of the group are i.i.d.

    Y_ij = β₀ + ν Z_i + ε_ij,        ε_ij ~ N(0, σ²).

**Exponential-family view.**  Given z the sufficient statistic of one
observation is t(y | z) = (y, −y², z y) with canonical parameter
θ = (θ₁, θ₂, θ₃), θ₂ > 0; the conditional density is N((θ₁ + θ₃ z)/(2θ₂), 1/(2θ₂)),
so (Example 6.3 with mean θ₁ + θ₃ z)

    σ² = 1/(2θ₂),   β₀ = σ² θ₁,   ν = σ² θ₃.

**Marginal distribution.**  Integrating Z_i out, the vector Y_i of group i is
N(β₀ 1, Σ_i) with the compound-symmetric covariance Σ_i = σ² I + ν² 1 1ᵀ.  With
v_i = σ² + m_i ν², the matrix determinant lemma and Sherman–Morrison give

    det Σ_i = σ^{2(m_i − 1)} v_i,
    Σ_i⁻¹   = (I − ν²/v_i 1 1ᵀ) / σ²,
    (y_i − β₀1)ᵀ Σ_i⁻¹ (y_i − β₀1) = W_i/σ² + m_i (ȳ_i − β₀)² / v_i,

where ȳ_i is the group mean and W_i = Σ_j (y_ij − ȳ_i)².  Summing over groups,

    −ℓ(β₀, ν, σ²) = N/2 log 2π + (N − n)/2 log σ² + W/(2σ²)
                    + ½ Σ_i [log v_i + m_i (ȳ_i − β₀)²/v_i],

with N = Σ m_i and W = Σ W_i.  No m_i × m_i matrix is ever formed.  Groups of
the same size enter alike, so the likelihood only needs, per distinct size m_k,
the number n_k of such groups, the mean a_k of their group means and the sum
D_k of squared deviations of those group means from a_k:
Σ_{i: m_i = m_k} (ȳ_i − β₀)² = D_k + n_k (a_k − β₀)².

**Rounding.**  The means ȳ_i and a_k are stored as floats together with their
rounding errors (``group_mean_error``, ``size_mean_error``), which are added back
wherever a mean is compared with β₀ or with another mean (D_k, a_k − β₀, the
weighted mean β̂₀(λ) below), as in :mod:`statbook.gaussian`.  At a large offset
this matters: for y = (10¹⁶, 10¹⁶ + 10 | 10¹⁶, 10¹⁶ + 12, 10¹⁶ + 20) the means
10¹⁶ + 5 and 10¹⁶ + 32/3 are stored as 10¹⁶ + 4 and 10¹⁶ + 12, and the quadratic
part of −ℓ at (β₀, ν, σ²) = (10¹⁶ + 8, 0, 30) is 4.867 (the stored means alone give 5.544).

**Profiling.**  With the variance ratio λ = ν²/σ² fixed, v_i = σ²(1 + m_i λ) and
−ℓ is minimized in closed form by the weighted mean and the weighted residual
variance (weights w_i = m_i/(1 + m_i λ)):

    β̂₀(λ) = Σ w_i ȳ_i / Σ w_i,     σ̂²(λ) = [W + Σ w_i (ȳ_i − β̂₀)²] / N,

leaving the one-dimensional profile

    −ℓ_p(λ) = N/2 (log 2π + 1) + N/2 log σ̂²(λ) + ½ Σ log(1 + m_i λ),

whose derivative is ½ Σ [w_i − w_i² (ȳ_i − β̂₀)²/σ̂²].  The fit minimizes it
over λ ∈ [0, ∞).

**Prediction of the random effects.**  (Z_i, ȳ_i) is jointly Gaussian with
Cov(Z_i, ȳ_i) = ν and Var ȳ_i = ν² + σ²/m_i, so

    E(Z_i | y) = ν m_i (ȳ_i − β₀) / (σ² + m_i ν²).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from statbook._constants import LOG_2PI
from statbook._validate import (
    ROUNDING_ULPS,
    as_count_vector,
    as_finite_number,
    as_float_vector,
    as_parameter,
    as_sample_size,
    check_rng,
    sum_squared_deviations,
)
from statbook.exceptions import DataError, NoUniqueMLEError

# --- the exponential-family view ------------------------------------------------------------


def sufficient_statistic(y, z) -> np.ndarray:
    """t(y | z) = (y, −y², z y) of Example 6.5, broadcast over ``y`` and ``z``; shape (..., 3)."""
    y = np.asarray(y, dtype=float)
    z = np.asarray(z, dtype=float)
    y, z = np.broadcast_arrays(y, z)
    return np.stack([y, -(y**2), z * y], axis=-1)


def from_canonical(theta) -> np.ndarray:
    """(β₀, ν, σ²) = (σ² θ₁, σ² θ₃, 1/(2θ₂)) from ``theta`` = (θ₁, θ₂, θ₃) of shape (..., 3)."""
    theta = as_parameter(theta, 3, "theta")
    sigma2 = 1 / (2 * theta[..., 1])
    return np.stack([sigma2 * theta[..., 0], sigma2 * theta[..., 2], sigma2], axis=-1)


def to_canonical(par) -> np.ndarray:
    """θ = (β₀/σ², 1/(2σ²), ν/σ²) from ``par`` = (β₀, ν, σ²) of shape (..., 3)."""
    par = as_parameter(par, 3)
    beta0, nu, sigma2 = par[..., 0], par[..., 1], par[..., 2]
    return np.stack([beta0 / sigma2, 1 / (2 * sigma2), nu / sigma2], axis=-1)


def conditional_logpdf(y, z, theta) -> np.ndarray:
    """log f(y | z) = θ·t(y | z) − (θ₁ + θ₃ z)²/(4θ₂) + ½ log θ₂ − ½ log π.

    The exponential-family form of the N(β₀ + ν z, σ²) density of one
    observation given its group's z; ``theta`` has shape (3,).
    """
    theta = as_parameter(theta, 3, "theta")
    t1, t2, t3 = theta
    linear = sufficient_statistic(y, z) @ theta
    z = np.asarray(z, dtype=float)
    return linear - (t1 + t3 * z) ** 2 / (4 * t2) + 0.5 * np.log(t2 / np.pi)


# --- data ---------------------------------------------------------------------------------


class MixedSample(NamedTuple):
    """Simulated data: responses, group labels 0..n−1, and the latent Z_i (unobserved)."""

    y: np.ndarray  #: Y_ij, all groups one after the other
    group: np.ndarray  #: group label i of each observation
    z: np.ndarray  #: Z_i per group, for teaching only: in practice it is not observed


def simulate(
    m,
    beta0: float,
    nu: float,
    sigma2: float | None = None,
    rng: np.random.Generator | None = None,
    *,
    sigma: float | None = None,
) -> MixedSample:
    """Y_ij = β₀ + ν Z_i + ε_ij for groups of sizes ``m``, Z_i ~ N(0, 1), ε_ij ~ N(0, σ²).

    The spread is the variance ``sigma2`` = σ², as in :func:`negloglik` and in every
    family of the book; ``sigma=`` (the standard deviation σ, this function's old
    argument) is still accepted as a keyword instead.
    """
    sizes = as_count_vector(m, "m")
    if np.any(sizes == 0):
        raise DataError("m must hold group sizes of at least 1; found 0")
    beta0 = as_finite_number(beta0, "beta0")
    nu = as_finite_number(nu, "nu")
    if (sigma2 is None) == (sigma is None):
        raise DataError("give the error variance sigma2 (or, instead, its square root sigma=)")
    if sigma2 is None:
        sigma = as_finite_number(sigma, "sigma", low=0.0, low_open=True)
    else:
        sigma = np.sqrt(as_finite_number(sigma2, "sigma2", low=0.0, low_open=True))
    rng = check_rng(rng)
    group = np.repeat(np.arange(sizes.size), sizes)
    z = rng.standard_normal(sizes.size)
    y = beta0 + nu * z[group] + sigma * rng.standard_normal(group.size)
    return MixedSample(y, group, z)


class MixedStats(NamedTuple):
    """Sufficient statistics of grouped data, computed once in O(N log N)."""

    n_obs: int  #: N = Σ m_i
    n_groups: int  #: n
    within_ss: float  #: W = Σ_ij (y_ij − ȳ_i)²
    sizes: np.ndarray  #: the distinct group sizes m_k
    size_counts: np.ndarray  #: n_k, the number of groups of size m_k
    size_mean: np.ndarray  #: a_k, the mean of ȳ_i over the groups of size m_k, rounded to a float
    size_dev: np.ndarray  #: D_k = Σ (ȳ_i − a_k)² over the groups of size m_k, about the exact a_k
    group_size: np.ndarray  #: m_i, per group (for the predictions E(Z_i | y))
    group_mean: np.ndarray  #: ȳ_i, per group, rounded to a float
    groups: np.ndarray  #: the label of each group, in the order of group_size and group_mean
    #: ȳ_i − ``group_mean``, the rounding of the stored group means (0 for equal data)
    group_mean_error: np.ndarray | float = 0.0
    #: a_k − ``size_mean``, the rounding of the stored means by size (0 for equal data)
    size_mean_error: np.ndarray | float = 0.0


def group_codes(group, n_obs: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..n−1 of the groups of ``n_obs`` observations, and the label of each group.

    Any labels work, as in statsmodels: integers from 1 (as in R), strings, a pandas
    ``Categorical``.  Groups are ordered by their sorted labels (for a
    ``Categorical``: the order of its categories; unused categories are dropped).
    The cost depends on the number of observations only, not on the labels' size.
    """
    if isinstance(group, (str, bytes)) or np.ndim(group) != 1:
        raise DataError(f"group must be a vector of labels; got shape {np.shape(group)}")
    if len(group) != n_obs:
        raise DataError(
            f"group must give one label per observation: y has {n_obs} values, "
            f"group has {len(group)}"
        )
    if np.asarray(group).dtype.kind == "c":
        raise DataError("group must hold labels, not complex numbers")
    codes, labels = pd.factorize(pd.Series(group), sort=True)
    if np.any(codes < 0):
        row = int(np.flatnonzero(codes < 0)[0])
        raise DataError(f"group has a missing label (NaN or None) at observation {row}")
    return codes, np.asarray(labels)


def _group_ranges(values: np.ndarray, codes: np.ndarray, n_groups: int):
    """The smallest and the largest observation of each group (one sort, no loop)."""
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(n_groups))
    ordered = values[order]
    return np.minimum.reduceat(ordered, starts), np.maximum.reduceat(ordered, starts)


def suff_stats(y, group) -> MixedStats:
    """Group sizes m_i and means ȳ_i (by ``np.bincount``), W, and their summaries by group size.

    ``group`` holds any labels (see :func:`group_codes`).  A group whose observations
    are equal up to rounding (range ≤ 4 ε max |y_ij|) contributes exactly 0 to W, so
    data constant within every group are recognised (W = 0) however their means round.
    The rounding of each stored mean is kept (see the module docstring), and D_k is the
    sum of squares about the exact a_k.
    """
    values = as_float_vector(y, "y")
    codes, labels = group_codes(group, values.size)
    group_size = np.bincount(codes)
    group_mean = np.bincount(codes, weights=values / group_size[codes])  # never overflows
    low, high = _group_ranges(values, codes, labels.size)
    with np.errstate(over="ignore"):
        size = np.maximum(np.abs(low), np.abs(high))
        constant = high - low <= ROUNDING_ULPS * np.finfo(float).eps * size
    group_mean = np.where(constant, low, group_mean)
    centre = group_mean[codes]  # each observation's group mean
    varying = ~constant[codes]
    within_ss = (
        sum_squared_deviations(values[varying], centre[varying], codes=codes[varying])
        if varying.any()
        else 0.0
    )
    sizes, size_index, size_counts = np.unique(group_size, return_inverse=True, return_counts=True)
    size_mean = np.bincount(size_index, weights=group_mean / size_counts[size_index])
    with np.errstate(over="ignore", invalid="ignore"):  # data near ±1e308: nothing worth keeping
        # e_i = ȳ_i − mean_i = Σ_j (y_ij − mean_i)/m_i, the rounding of the stored group mean
        group_error = np.bincount(codes, weights=values - centre) / group_size
        group_error = np.where(constant | ~np.isfinite(group_error), 0.0, group_error)
        # ȳ_i − a_k (a_k as stored), with the rounding of both means kept
        centred = (group_mean - size_mean[size_index]) + group_error
        size_error = np.bincount(size_index, weights=centred) / size_counts
        size_error = np.where(np.isfinite(size_error), size_error, 0.0)
        size_dev = np.bincount(size_index, weights=(centred - size_error[size_index]) ** 2)
    return MixedStats(
        n_obs=int(values.size),
        n_groups=int(group_size.size),
        within_ss=within_ss,
        sizes=sizes.astype(float),
        size_counts=size_counts.astype(float),
        size_mean=size_mean,
        size_dev=size_dev,
        group_size=group_size,
        group_mean=group_mean,
        groups=labels,
        group_mean_error=group_error,
        size_mean_error=size_error,
    )


# --- the marginal likelihood --------------------------------------------------------------


def marginal_cov(m: int, nu: float, sigma2: float) -> np.ndarray:
    """Σ = σ² I + ν² 1 1ᵀ, the m × m covariance of one group (for checks and teaching only).

    The arguments are checked and taken as Python numbers, so an ``np.int8`` ν is not
    squared in 8 bits (100² would wrap round to 16).
    """
    m = as_sample_size(m, "m", minimum=1)
    nu = as_finite_number(nu, "nu")
    sigma2 = as_finite_number(sigma2, "sigma2", low=0.0, low_open=True)
    return sigma2 * np.eye(m) + nu**2 * np.ones((m, m))


def icc(nu, sigma2) -> np.ndarray:
    """Intraclass correlation ν²/(ν² + σ²): the correlation of two observations of one group."""
    nu2 = np.asarray(nu, dtype=float) ** 2
    return nu2 / (nu2 + np.asarray(sigma2, dtype=float))


def negloglik(par, stats: MixedStats) -> np.ndarray:
    """Marginal −ℓ(β₀, ν, σ²) (see the module docstring) in O(number of group sizes).

    ``par`` = (β₀, ν, σ²) has shape (..., 3); the result has shape (...).  The
    parameter space is ℝ × ℝ × (0, ∞) (−ℓ is even in ν); +inf off it (σ² ≤ 0, or
    a parameter that is infinite or NaN).
    """
    par = as_parameter(par, 3)
    inside = (par[..., 2] > 0) & np.all(np.isfinite(par), axis=-1)
    par = np.where(inside[..., None], par, 1.0)
    beta0, nu, sigma2 = par[..., 0, None], par[..., 1, None], par[..., 2]
    s2 = sigma2[..., None]
    m, count = stats.sizes, stats.size_counts
    nu_abs = np.abs(nu)
    # log v_k = log(σ² + m_k ν²), computed in logs so that huge ν does not overflow
    log_v = np.where(
        nu_abs > 0,
        np.logaddexp(np.log(s2), np.log(m) + 2 * np.log(np.where(nu_abs > 0, nu_abs, 1.0))),
        np.log(s2),
    )
    inv_sqrt_v = np.exp(-0.5 * log_v)
    with np.errstate(over="ignore"):  # a value beyond the float range is +inf, as it should be
        # (a_k − β₀)/√v_k, with a_k − β₀ = (size_mean − β₀) + (a_k − size_mean)
        scaled = ((stats.size_mean - beta0) + stats.size_mean_error) * inv_sqrt_v
        positive = stats.size_dev > 0
        log_dev = np.log(np.where(positive, stats.size_dev, 1.0))
        spread = np.where(positive, np.exp(log_dev - log_v), 0.0)  # D_k/v_k, 0 when D_k = 0
        between = m * (spread + count * scaled**2)
        groups = np.sum(count * log_v + between, axis=-1)
        n_within = stats.n_obs - stats.n_groups
        within = n_within * np.log(s2[..., 0]) + stats.within_ss / s2[..., 0]
        value = 0.5 * (stats.n_obs * LOG_2PI + within + groups)
    return np.where(inside, value, np.inf)


def grad(par, stats: MixedStats) -> np.ndarray:
    """∇(−ℓ)(β₀, ν, σ²) with v_k = σ² + m_k ν² and Q_k = D_k + n_k (a_k − β₀)²:

        ∂/∂β₀ = −Σ_k n_k m_k (a_k − β₀)/v_k,
        ∂/∂ν  = ν Σ_k m_k (n_k/v_k − m_k Q_k/v_k²),
        ∂/∂σ² = (N − n)/(2σ²) − W/(2σ⁴) + ½ Σ_k (n_k/v_k − m_k Q_k/v_k²).

    ``par`` has shape (..., 3) with σ² > 0; the result has the same shape.
    """
    par = as_parameter(par, 3)
    beta0, nu, sigma2 = par[..., 0, None], par[..., 1, None], par[..., 2, None]
    m, count = stats.sizes, stats.size_counts
    v = sigma2 + m * nu**2
    diff = (stats.size_mean - beta0) + stats.size_mean_error  # a_k − β₀
    squares = stats.size_dev + count * diff**2
    common = count / v - m * squares / v**2
    d_beta0 = -np.sum(count * m * diff / v, axis=-1)
    d_nu = nu[..., 0] * np.sum(m * common, axis=-1)
    s2 = sigma2[..., 0]
    d_sigma2 = (
        (stats.n_obs - stats.n_groups) / (2 * s2)
        - stats.within_ss / (2 * s2**2)
        + 0.5 * np.sum(common, axis=-1)
    )
    return np.stack([d_beta0, d_nu, d_sigma2], axis=-1)


# --- profiling and the fit ----------------------------------------------------------------


def _weighted_mean(weight, stats: MixedStats):
    """β̂₀ = Σ_k u_k a_k / Σ_k u_k for weights u_k of shape (..., K), as b + e, and a_k − β̂₀.

    b is the weighted mean of the stored a_k, rounded; e = Σ u_k (a_k − b)/Σ u_k is
    what b misses (the rounding of b and of the stored a_k).  a_k − β̂₀ = (a_k − b) − e,
    of shape (..., K), so Σ u_k (a_k − β̂₀)² is the sum about the exact weighted mean
    at any offset.
    """
    total = weight.sum(axis=-1)
    rounded = (weight @ stats.size_mean) / total
    centred = stats.size_mean - rounded[..., None]
    centred += stats.size_mean_error  # a_k − b
    error = (weight * centred).sum(axis=-1) / total  # β̂₀ − b
    centred -= error[..., None]
    return rounded, error, centred


def _profile_parts(ratio, stats: MixedStats):
    """β̂₀(λ) as b + e (see :func:`_weighted_mean`), σ̂²(λ), the weights w_k and the squares Q_k.

    ``ratio`` holds variance ratios λ of any shape.  w_k = m_k/(1 + m_k λ) is computed as
    1/(1/m_k + λ), which does not overflow for huge λ.
    """
    ratio = np.asarray(ratio, dtype=float)[..., None]
    m, count = stats.sizes, stats.size_counts
    weight = 1 / (1 / m + ratio)
    rounded, error, centred = _weighted_mean(count * weight, stats)
    squares = stats.size_dev + count * centred**2
    sigma2 = (stats.within_ss + np.sum(weight * squares, axis=-1)) / stats.n_obs
    return rounded, error, sigma2, weight, squares


def profile_ratio(ratio, stats: MixedStats):
    """(β̂₀(λ), σ̂²(λ)): the β₀ and σ² that minimize −ℓ for fixed λ = ν²/σ² ≥ 0."""
    rounded, error, sigma2, _, _ = _profile_parts(ratio, stats)
    return rounded + error, sigma2


def _log1p_m_ratio(ratio, m):
    """log(1 + m λ), as log m + log(1/m + λ) where m λ ≥ 1 so that huge λ do not overflow."""
    small = ratio < 1 / m
    with np.errstate(over="ignore"):
        return np.where(
            small, np.log1p(m * np.where(small, ratio, 0.0)), np.log(m) + np.log(1 / m + ratio)
        )


def profile_negloglik_ratio(ratio, stats: MixedStats) -> np.ndarray:
    """−ℓ_p(λ) = N/2 (log 2π + 1) + N/2 log σ̂²(λ) + ½ Σ_k n_k log(1 + m_k λ); +inf off [0, ∞)."""
    ratio = np.asarray(ratio, dtype=float)
    inside = (ratio >= 0) & (ratio < np.inf)
    safe = np.where(inside, ratio, 0.0)
    _, _, sigma2, _, _ = _profile_parts(safe, stats)
    logdet = np.sum(stats.size_counts * _log1p_m_ratio(safe[..., None], stats.sizes), axis=-1)
    with np.errstate(divide="ignore"):  # σ̂² = 0 only when W = 0, where −ℓ_p is −inf
        value = 0.5 * stats.n_obs * (LOG_2PI + 1 + np.log(sigma2)) + 0.5 * logdet
    return np.where(inside, value, np.inf)


def profile_grad_ratio(ratio, stats: MixedStats) -> np.ndarray:
    """d(−ℓ_p)/dλ = ½ Σ_k [n_k w_k − w_k² Q_k/σ̂²(λ)] with w_k = m_k/(1 + m_k λ)."""
    _, _, sigma2, weight, squares = _profile_parts(ratio, stats)
    total = np.sum(stats.size_counts * weight - weight**2 * squares / sigma2[..., None], axis=-1)
    return 0.5 * total


def profile_negloglik_nu(nu, stats: MixedStats, *, iterations: int = 80) -> np.ndarray:
    """min over (β₀, σ²) of −ℓ(β₀, ν, σ²), for every ν in ``nu`` at once.

    For fixed ν and σ², β̂₀ is the weighted mean of the ȳ_i with weights
    m_i/(σ² + m_i ν²).  The minimizing σ² lies in [W/N, (W + N R²)/(N − n)], R the
    range of the group means, because the σ²-derivative of −ℓ is negative below
    and positive above; a golden-section search on log σ² over that interval,
    vectorized over ``nu``, shrinks it by 0.618 per iteration.
    """
    _check_identifiable(stats)
    nu = np.asarray(nu, dtype=float)
    # an upper bound on the range R of the exact group means ȳ_i = group_mean + group_mean_error
    spread = np.ptp(stats.group_mean) + np.ptp(stats.group_mean_error)
    n_within = stats.n_obs - stats.n_groups

    m, count = stats.sizes, stats.size_counts
    m_nu2 = m * nu[..., None] ** 2
    constant = stats.n_obs * LOG_2PI

    def at(log_sigma2):
        # −ℓ(β̂₀, ν, σ²) of negloglik, written out for σ² > 0 and finite ν: v_k = σ² + m_k ν²
        sigma2 = np.exp(log_sigma2)
        v = sigma2[..., None] + m_nu2
        _, _, centred = _weighted_mean(count * m / v, stats)  # a_k − β̂₀
        squares = stats.size_dev + count * centred**2
        groups = np.sum(count * np.log(v) + m * squares / v, axis=-1)
        within = n_within * log_sigma2 + stats.within_ss / sigma2
        return 0.5 * (constant + within + groups)

    low = np.full(nu.shape, np.log(stats.within_ss / stats.n_obs))
    high = np.full(nu.shape, np.log((stats.within_ss + stats.n_obs * spread**2) / n_within))
    ratio = (np.sqrt(5) - 1) / 2
    left, right = high - ratio * (high - low), low + ratio * (high - low)
    f_left, f_right = at(left), at(right)
    for _ in range(iterations):
        move = f_left < f_right  # the minimum lies in [low, right]: drop (right, high]
        low, high = np.where(move, low, left), np.where(move, right, high)
        kept, f_kept = np.where(move, left, right), np.where(move, f_left, f_right)
        fresh = np.where(move, high - ratio * (high - low), low + ratio * (high - low))
        f_fresh = at(fresh)
        left, f_left = np.where(move, fresh, kept), np.where(move, f_fresh, f_kept)
        right, f_right = np.where(move, kept, fresh), np.where(move, f_kept, f_fresh)
    return np.minimum(np.minimum(f_left, f_right), np.minimum(at(low), at(high)))


def _check_identifiable(stats: MixedStats) -> None:
    if stats.n_groups < 2:
        raise NoUniqueMLEError(
            f"the data hold {stats.n_groups} group; at least 2 groups are needed to separate the "
            "level β₀ from the group effect ν Z_i"
        )
    if stats.n_obs == stats.n_groups:
        raise NoUniqueMLEError(
            "every group has a single observation, so only σ² + ν² is determined, not σ² and ν "
            "separately"
        )
    if not stats.within_ss > 0:
        raise NoUniqueMLEError(
            "all observations within each group are equal, up to rounding (W = 0): −ℓ decreases "
            "without bound as σ → 0, so there is no maximum-likelihood estimate"
        )


def _argmin_ratio(stats: MixedStats) -> float:
    """λ̂ = argmin −ℓ_p(λ) over [0, ∞): a log-spaced grid, then a root of the derivative."""
    top = 8.0
    while True:
        grid = np.concatenate([[0.0], np.logspace(-10, top, 10 * int(top + 10) + 1)])
        values = profile_negloglik_ratio(grid, stats)
        best = int(np.argmin(values))
        if best < grid.size - 1 or top > 300:
            break
        top += 16.0  # the minimum lies beyond the grid (ν ≫ σ): extend it
    if best == 0 and profile_grad_ratio(0.0, stats) >= 0:
        return 0.0  # the boundary: −ℓ_p increases from λ = 0
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    slope_low, slope_high = profile_grad_ratio(np.array([low, high]), stats)
    if slope_low < 0 < slope_high:
        return float(brentq(lambda r: float(profile_grad_ratio(r, stats)), low, high, xtol=1e-300))
    return float(grid[best])


@dataclass(frozen=True)
class MixedFit:
    """Maximum-likelihood fit of the Gaussian random-effects model."""

    beta0: float  #: β̂₀
    nu: float  #: ν̂ ≥ 0 (−ℓ is even in ν; the sign is a convention)
    sigma: float  #: σ̂
    loglik: float  #: ℓ(β̂₀, ν̂, σ̂²), including the constant −N/2 log 2π
    blup: np.ndarray  #: E(Z_i | y) at the estimates, one per group (in the order of ``groups``)
    n_obs: int  #: N
    n_groups: int  #: n
    groups: np.ndarray  #: the group labels, sorted (see :func:`group_codes`)

    @property
    def sigma2(self) -> float:
        """σ̂²."""
        return self.sigma**2

    @property
    def icc(self) -> float:
        """Intraclass correlation ν̂²/(ν̂² + σ̂²)."""
        return float(icc(self.nu, self.sigma2))

    @property
    def par(self) -> np.ndarray:
        """(β̂₀, ν̂, σ̂²), the parameter vector of :func:`negloglik`."""
        return np.array([self.beta0, self.nu, self.sigma2])

    @property
    def group_effects(self) -> np.ndarray:
        """ν̂ E(Z_i | y): the predicted deviation of group i from β̂₀."""
        return self.nu * self.blup


def conditional_mean_z(par, stats: MixedStats, *, beta0_error: float = 0.0) -> np.ndarray:
    """E(Z_i | y) = ν m_i (ȳ_i − β₀)/(σ² + m_i ν²) for every group, at ``par`` = (β₀, ν, σ²).

    ``beta0_error`` is added to β₀ where it is subtracted from the exact ȳ_i: the
    rounding of an estimate β̂₀ that a float does not hold (see :func:`fit_stats`).
    """
    beta0, nu, sigma2 = as_parameter(par, 3)
    m = stats.group_size
    # ȳ_i − β₀ = (group_mean − β₀) + (ȳ_i − group_mean), less the rounding of β₀
    centred = (stats.group_mean - beta0) + (stats.group_mean_error - beta0_error)
    return nu * m * centred / (sigma2 + m * nu**2)


def fit_stats(stats: MixedStats) -> MixedFit:
    """Maximum-likelihood fit from sufficient statistics: minimize −ℓ_p(λ), then β̂₀, σ̂², ν̂.

    The predictions E(Z_i | y) use the exact β̂₀, not only its nearest float, which
    differs from it by up to half a unit in the last place: 1 for data near 10¹⁶, not
    small beside a spread of a few units.
    """
    _check_identifiable(stats)
    ratio = _argmin_ratio(stats)
    rounded, error, sigma2 = (float(v) for v in _profile_parts(ratio, stats)[:3])
    beta0 = rounded + error
    beta0_error = error - (beta0 - rounded)  # the exact β̂₀ − the float β̂₀
    nu = float(np.sqrt(ratio * sigma2))
    par = np.array([beta0, nu, sigma2])
    return MixedFit(
        beta0=beta0,
        nu=nu,
        sigma=float(np.sqrt(sigma2)),
        loglik=-float(profile_negloglik_ratio(ratio, stats)),
        blup=conditional_mean_z(par, stats, beta0_error=beta0_error),
        n_obs=stats.n_obs,
        n_groups=stats.n_groups,
        groups=stats.groups,
    )


def fit(y, group) -> MixedFit:
    """Maximum-likelihood fit of Y_ij = β₀ + ν Z_i + ε_ij to responses ``y`` in groups ``group``.

    ``group`` holds any labels, one per observation (integers, strings, a pandas
    ``Categorical``); ``blup`` follows the sorted labels, given in ``groups``.
    Raises :class:`NoUniqueMLEError` for fewer than two groups or no variation
    within groups.
    """
    return fit_stats(suff_stats(y, group))
