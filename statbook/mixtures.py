"""Section 6.4: finite mixtures and the two-component Gaussian mixture.

A finite mixture is a pair (Y, Z) with P(Z = k) = p_k and Y | Z = k ~ f_k.
The joint density is (y, k) ↦ p_k f_k(y) and the marginal density of Y is

    f(y) = Σ_k p_k f_k(y).

Two components, K = 2, Gaussian: parameters p = P(Z = 1) ∈ [0, 1],
mu = (μ₁, μ₂) ∈ ℝ², sigma2 = (σ₁², σ₂²) ∈ (0, ∞)² (the component variances, as
in every family of the book: N(μ, σ²) takes a variance), and

    f(y) = p φ(y; μ₁, σ₁²) + (1 − p) φ(y; μ₂, σ₂²).

Selection representation (6.2): with Y₁ ~ N(μ₁, σ₁²), Y₂ ~ N(μ₂, σ₂²)
independent of Z, Y = 1(Z = 1) Y₁ + 1(Z = 2) Y₂ = Y_Z.  It gives the moments

    E(Y) = p μ₁ + (1 − p) μ₂,
    V(Y) = p σ₁² + (1 − p) σ₂² + p (1 − p) (μ₁ − μ₂)²,

and three of the four simulation methods of :func:`simulate`.

Everything is evaluated in log space: log f(y) = logaddexp(a₁(y), a₂(y)) with
a₁ = log p + log φ(y; μ₁, σ₁²), a₂ = log(1 − p) + log φ(y; μ₂, σ₂²), so the
density stays finite (possibly 0) and its logarithm finite far in the tails.
Inside, the standard deviations σ_k = √σ_k² scale the data, z_k = (y − μ_k)/σ_k,
so that (y − μ_k)²/σ_k² = z_k² overflows only where the density is 0 anyway.

Canonical parametrization of the joint distribution of (Y, Z) (sufficient
statistics 1(Z = 1), 1(Z = 1)(Y, −Y²), 1(Z = 2)(Y, −Y²)):

    θ₁ = log(p / (1 − p)),  θ₂ = μ₁/σ₁²,  θ₃ = 1/(2σ₁²),  θ₄ = μ₂/σ₂²,  θ₅ = 1/(2σ₂²).

The seed prints θ₂ = μ₁/(2σ₁²); that is a typo (θ₂ must match θ₄, and only
μ₁/σ₁² reproduces the density; ``tests/test_mixtures.py`` checks both).  The
joint log density w.r.t. Lebesgue × counting measure is

    k = 1:  θ₁ + θ₂ y − θ₃ y² − log(1 + e^θ₁) − θ₂²/(4θ₃) + ½ log θ₃ − ½ log π,
    k = 2:       θ₄ y − θ₅ y² − log(1 + e^θ₁) − θ₄²/(4θ₅) + ½ log θ₅ − ½ log π.

The seed's version has no −½ log π: it is the density w.r.t. the base measure
π^{-1/2} dy, which changes no likelihood comparison but is not a density w.r.t. dy.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, log_ndtr, logsumexp

from statbook._constants import LOG_2PI, LOG_PI
from statbook._validate import (
    as_float_array,
    as_float_vector,
    as_parameter,
    as_sample_size,
    check_rng,
)
from statbook.exceptions import DataError

METHODS = ("conditional", "where", "arithmetic", "transform")
#: Largest number of (parameter, observation) pairs evaluated at once by :func:`negloglik`.
CHUNK = 2**16
BLOCK = 16  # terms multiplied before one logarithm in negloglik_means (a power of 2)
SURFACE_CHUNK = 2**18  # (i, j, n) triples per step of negloglik_means: 2 MB, cache-sized


# --- parameters ------------------------------------------------------------------------


def _check_parameters(p, mu, sigma2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrays p (shape P), mu and sigma2 (shape P + (2,)); ``ValueError`` off the space."""
    p = np.asarray(p, dtype=float)
    mu = as_parameter(mu, 2, "mu")
    sigma2 = as_parameter(sigma2, 2, "sigma2")
    if not np.all((p >= 0) & (p <= 1)):
        raise DataError(f"p must lie in [0, 1]; got {p}")
    if not np.all(np.isfinite(mu)):
        raise DataError(f"mu must be finite; got {mu}")
    if not np.all((sigma2 > 0) & np.isfinite(sigma2)):
        raise DataError(f"sigma2 (the variances) must be positive and finite; got {sigma2}")
    return p, mu, sigma2


def _checked_sd(p, mu, sigma2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_check_parameters`, with the standard deviations √σ² in place of ``sigma2``."""
    p, mu, sigma2 = _check_parameters(p, mu, sigma2)
    return p, mu, np.sqrt(sigma2)


def _one_parameter(p, mu, sigma2) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """One parameter as Python floats, checked as in :func:`_check_parameters` but cheaper."""
    if np.ndim(p) != 0 or np.shape(mu) != (2,) or np.shape(sigma2) != (2,):
        _check_parameters(p, mu, sigma2)  # names the argument with the wrong shape
        raise DataError("expected one parameter: a number p and pairs mu and sigma2")
    p, mu = float(p), (float(mu[0]), float(mu[1]))
    sigma2 = (float(sigma2[0]), float(sigma2[1]))
    if not 0 <= p <= 1:
        raise DataError(f"p must lie in [0, 1]; got {p}")
    if not all(map(math.isfinite, mu)):
        raise DataError(f"mu must be finite; got {mu}")
    if not all(0 < v < math.inf for v in sigma2):
        raise DataError(f"sigma2 (the variances) must be positive and finite; got {sigma2}")
    return p, mu, sigma2


def _log_weights(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log p, log(1 − p)) for p ∈ [0, 1], with log 0 = −inf and no warning."""
    log_p = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), -np.inf)
    log_q = np.where(p < 1, np.log1p(-np.where(p < 1, p, 0.0)), -np.inf)
    return log_p, log_q


def _component_terms(y, log_p, log_q, mu, sd) -> tuple[np.ndarray, np.ndarray]:
    """a_k(y) = log p_k − ½ log σ_k² − ½ log 2π − (y − μ_k)²/(2σ_k²), k = 1, 2.

    ``sd`` holds the standard deviations σ_k = √σ_k², and the square is z² with
    z = (y − μ_k)/σ_k.  Parameters carry their own axes; ``y`` broadcasts against
    them.  Far in the tails z² overflows and a_k is −inf: a density of 0, its honest value.
    """
    terms = []
    with np.errstate(over="ignore"):
        for log_w, m, s in ((log_p, mu[..., 0], sd[..., 0]), (log_q, mu[..., 1], sd[..., 1])):
            z = (y - m) / s
            terms.append(log_w - np.log(s) - 0.5 * LOG_2PI - 0.5 * z * z)
    return terms[0], terms[1]


def _log_odds_first(y, p, mu, sd) -> np.ndarray:
    """log P(Z = 1 | y) − log P(Z = 2 | y) = a₁(y) − a₂(y), finite or ±inf, never NaN.

    With z_k = (y − μ_k)/σ_k, the difference of squares is z₁² − z₂² = d s, where
    d = y (1/σ₁ − 1/σ₂) − (μ₁/σ₁ − μ₂/σ₂) and s = y (1/σ₁ + 1/σ₂) − (μ₁/σ₁ + μ₂/σ₂):
    where both squares overflow (y = 1e308) the product still has the right sign.
    p = 0 and p = 1 give −inf and +inf.  ``sd`` holds the standard deviations √σ_k².
    """
    log_p, log_q = _log_weights(p)
    s1, s2 = sd[..., 0], sd[..., 1]
    m1, m2 = mu[..., 0], mu[..., 1]
    with np.errstate(over="ignore", invalid="ignore"):
        d = y * (1 / s1 - 1 / s2) - (m1 / s1 - m2 / s2)
        s = y * (1 / s1 + 1 / s2) - (m1 / s1 + m2 / s2)
        squares = np.where(d == 0, 0.0, d * s)
        weights = np.where((p > 0) & (p < 1), log_p - log_q, 0.0)
        odds = weights + np.log(s2) - np.log(s1) - 0.5 * squares
    return np.where(p == 0, -np.inf, np.where(p == 1, np.inf, odds))


def _data(y) -> np.ndarray:
    """``y`` as a float array of finite real numbers (any shape), or ``ValueError``."""
    return as_float_array(y, "y")


def _expand(p, mu, sd, ndim: int):
    """Append ``ndim`` axes to the parameters so that data of that many axes broadcast."""
    extra = (np.newaxis,) * ndim
    return p[(..., *extra)], mu[(..., *extra, slice(None))], sd[(..., *extra, slice(None))]


# --- moments and densities ---------------------------------------------------------------


def moments(p, mu, sigma2) -> tuple[np.ndarray, np.ndarray]:
    """(E Y, V Y) from the selection representation Y = Y_Z (6.2):

    E Y = p μ₁ + (1 − p) μ₂,   V Y = p σ₁² + (1 − p) σ₂² + p (1 − p)(μ₁ − μ₂)²,

    with ``sigma2`` = (σ₁², σ₂²) the component variances.
    """
    p, mu, sigma2 = _check_parameters(p, mu, sigma2)
    mean = p * mu[..., 0] + (1 - p) * mu[..., 1]
    variance = (
        p * sigma2[..., 0] + (1 - p) * sigma2[..., 1] + p * (1 - p) * (mu[..., 0] - mu[..., 1]) ** 2
    )
    return mean, variance


def monte_carlo_se(n: int, p, mu, sigma2) -> tuple[np.ndarray, np.ndarray]:
    """Standard errors of the sample mean and sample variance of ``n`` i.i.d. draws.

    se(ȳ) = √(V/n) and, to first order, se(s²) = √((m₄ − V²)/n), where m₄ is the
    central fourth moment, m₄ = Σ_k p_k (d_k⁴ + 6 d_k² σ_k² + 3 σ_k⁴), d_k = μ_k − E Y.
    With δ = μ₁ − μ₂ (so d₁ = (1 − p) δ, d₂ = −p δ) and the law of total variance for
    W = (Y − E Y)² given Z, both are sums of non-negative terms:

        V = p σ₁² + (1 − p) σ₂² + p (1 − p) δ²,
        m₄ − V² = Σ_k p_k (4 d_k² σ_k² + 2 σ_k⁴) + p (1 − p) ((1 − 2p) δ² + σ₁² − σ₂²)².

    (m₄ − V² as written cancels: μ = (−1e8, 1e8), σ² = (1, 1) came out 29 % high.)
    The terms are scaled by c, the power of 2 at or above max(|δ|/2, σ₁, σ₂), and
    summed from their logarithms, so σ² = 1e-200 does not underflow and σ² = 1e300
    does not overflow on the way: the result is the right number, or +inf where it
    exceeds the float range.
    """
    n = as_sample_size(n, minimum=1)
    p, mu, sigma2 = _check_parameters(p, mu, sigma2)
    weights = np.stack([p, 1 - p], axis=-1)
    half = mu[..., 0] / 2 - mu[..., 1] / 2  # δ/2, finite where δ may overflow
    exponent = np.frexp(np.maximum(np.abs(half), np.sqrt(np.max(sigma2, axis=-1))))[1]
    log_c = exponent * math.log(2)
    delta = 2 * np.ldexp(half, -exponent)  # δ/c, at most 2 in size
    with np.errstate(divide="ignore", under="ignore"):  # log 0 = −inf: a term that is 0
        log_w = np.log(weights)
        # log(σ_k²/c²): exact scaling by a power of 2, or (below the normal floats) a difference
        scaled = np.ldexp(sigma2, -2 * exponent[..., np.newaxis])
        tiny = np.finfo(float).tiny
        log_v = np.where(
            scaled >= tiny,
            np.log(np.maximum(scaled, tiny)),
            np.log(sigma2) - 2 * log_c[..., np.newaxis],
        )
        log_delta = np.log(np.abs(delta))[..., np.newaxis]
        log_d = log_w[..., ::-1] + log_delta  # log(|d_k|/c)
        log_both = log_w[..., :1] + log_w[..., 1:]  # log(p(1 − p))
        spread = (1 - 2 * p) * delta**2 + np.ldexp(sigma2[..., 0] - sigma2[..., 1], -2 * exponent)
        log_variance = logsumexp(
            np.concatenate([log_w + log_v, log_both + 2 * log_delta], axis=-1), axis=-1
        )
        log_excess = logsumexp(
            np.concatenate(
                [
                    math.log(4) + log_w + 2 * log_d + log_v,
                    math.log(2) + log_w + 2 * log_v,
                    log_both + 2 * np.log(np.abs(spread))[..., np.newaxis],
                ],
                axis=-1,
            ),
            axis=-1,
        )
    return (
        _exp_times_power_of_2(0.5 * (log_variance - math.log(n)), exponent),
        _exp_times_power_of_2(0.5 * (log_excess - math.log(n)), 2 * exponent),
    )


def _exp_times_power_of_2(a: np.ndarray, m: np.ndarray) -> np.ndarray:
    """e^a · 2^m, with a = r + k log 2 (0 ≤ r < log 2) so that e^a cannot under- or
    overflow before the scaling: +inf beyond the float range, 0 (or subnormal) below it."""
    k = np.floor(a / math.log(2))
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(np.exp(a - k * math.log(2)), (m + k).astype(int))


def log_density(y, p, mu, sigma2) -> np.ndarray:
    """log f(y) = logaddexp(log p + log φ(y; μ₁, σ₁²), log(1 − p) + log φ(y; μ₂, σ₂²)).

    Parameters of shape P (``p``) and P + (2,) (``mu``, ``sigma2`` = the variances
    (σ₁², σ₂²)); the result has shape P + y.shape.  ``ValueError`` for p ∉ [0, 1],
    σ² ≤ 0 or non-finite ``y``.
    """
    y = _data(y)
    p, mu, sd = _expand(*_checked_sd(p, mu, sigma2), y.ndim)
    return np.logaddexp(*_component_terms(y, *_log_weights(p), mu, sd))


def density(y, p, mu, sigma2) -> np.ndarray:
    """f(y) = p φ(y; μ₁, σ₁²) + (1 − p) φ(y; μ₂, σ₂²), as exp(:func:`log_density`)."""
    return np.exp(log_density(y, p, mu, sigma2))


def component_densities(y, p, mu, sigma2) -> np.ndarray:
    """The weighted components (p φ(y; μ₁, σ₁²), (1 − p) φ(y; μ₂, σ₂²)) on a last axis of 2."""
    y = _data(y)
    p, mu, sd = _expand(*_checked_sd(p, mu, sigma2), y.ndim)
    return np.exp(np.stack(_component_terms(y, *_log_weights(p), mu, sd), axis=-1))


def cdf(y, p, mu, sigma2) -> np.ndarray:
    """F(y) = p Φ((y − μ₁)/σ₁) + (1 − p) Φ((y − μ₂)/σ₂), with σ_k = √σ_k²."""
    y = _data(y)
    p, mu, sd = _expand(*_checked_sd(p, mu, sigma2), y.ndim)
    log_p, log_q = _log_weights(p)
    with np.errstate(over="ignore"):  # (y − μ)/σ = ±inf far in the tails: Φ = 0 or 1
        z1, z2 = (y - mu[..., 0]) / sd[..., 0], (y - mu[..., 1]) / sd[..., 1]
    return np.exp(np.logaddexp(log_p + log_ndtr(z1), log_q + log_ndtr(z2)))


def posterior(y, p, mu, sigma2) -> np.ndarray:
    """P(Z = k | Y = y) = p_k φ(y; μ_k, σ_k²) / f(y) for k = 1, 2, on a last axis of 2.

    P(Z = 1 | Y = y) = expit(a₁ − a₂) with a_k the log of the weighted component
    densities, which stays exact where both densities underflow, and a₁ − a₂ is
    computed as a difference of squares factored (:func:`_log_odds_first`), so that
    it has the right sign where both squares overflow.
    """
    y = _data(y)
    p, mu, sd = _expand(*_checked_sd(p, mu, sigma2), y.ndim)
    first = expit(_log_odds_first(y, p, mu, sd))  # expit(±inf) is 1 or 0
    return np.stack([first, 1 - first], axis=-1)


# --- likelihood ------------------------------------------------------------------------------


def negloglik(par, y) -> np.ndarray:
    """−ℓ(p, μ₁, μ₂, σ₁², σ₂²) = −Σ_i log f(y_i), vectorized over leading axes of ``par``.

    ``par`` = (p, μ₁, μ₂, σ₁², σ₂²) (the variances last) has shape (..., 5); the
    result has shape (...).  +inf (without a warning) where p ∉ [0, 1], σ_k² ≤ 0 or
    a parameter is not finite.
    A mixture has no sufficient statistic smaller than the data, so ``y`` itself is
    passed; the evaluation runs in chunks of at most ``CHUNK`` (parameter, observation)
    pairs.
    """
    values = as_float_vector(y, "y")
    par = as_parameter(par, 5)
    flat = par.reshape(-1, 5)
    p, mu, sigma2 = flat[:, 0], flat[:, 1:3], flat[:, 3:5]
    inside = (
        (p >= 0)
        & (p <= 1)
        & np.all(np.isfinite(mu), axis=-1)
        & np.all((sigma2 > 0) & (sigma2 < np.inf), axis=-1)
    )
    p = np.where(inside, p, 0.5)
    mu = np.where(inside[:, np.newaxis], mu, 0.0)
    sd = np.sqrt(np.where(inside[:, np.newaxis], sigma2, 1.0))
    log_p, log_q = _log_weights(p)
    result = np.empty(flat.shape[0])
    step = max(1, CHUNK // values.size)
    for start in range(0, flat.shape[0], step):
        rows = slice(start, start + step)
        a1, a2 = _component_terms(
            values,
            log_p[rows, np.newaxis],
            log_q[rows, np.newaxis],
            mu[rows, np.newaxis, :],
            sd[rows, np.newaxis, :],
        )
        result[rows] = -np.logaddexp(a1, a2).sum(axis=-1)
    return np.where(inside, result, np.inf).reshape(par.shape[:-1])


def _sum_of_logs(terms: np.ndarray) -> np.ndarray:
    """Σ log t over the last axis (its length a multiple of BLOCK) for terms t in [0, 2].

    The logarithm of each run of BLOCK products, one logarithm per BLOCK terms:
    a product of BLOCK terms ≤ 2 cannot overflow, and a run whose product falls
    below the normal floats (it underflows or loses digits) is summed term by term.
    A term below the normal floats has lost digits itself: the sum is then −inf,
    for the caller to evaluate that entry another way.
    """
    tiny = np.finfo(float).tiny
    products = terms
    while products.shape[-1] > terms.shape[-1] // BLOCK:
        products = products[..., 0::2] * products[..., 1::2]
    small = products < tiny
    logs = np.log(np.where(small, 1.0, products))
    if np.any(small):
        runs = terms[small.repeat(BLOCK, axis=-1)].reshape(-1, BLOCK)
        logs[small] = np.log(np.where(runs < tiny, 0.0, runs)).sum(axis=-1)
    return logs.sum(axis=-1)


def negloglik_means(mu1, mu2, y, p, sigma2) -> np.ndarray:
    """−ℓ over the grid of means (μ₁[i], μ₂[j]) with p and σ² = (σ₁², σ₂²) held fixed.

    Entry [j, i] equals ``negloglik((p, mu1[i], mu2[j], σ₁², σ₂²), y)`` (the layout of
    :func:`statbook.plotting.parameter_grid`), but the mixture density separates:
    f(y_n) = A_in + B_jn with A_in = p φ(y_n; μ₁[i], σ₁²) and B_jn = (1 − p) φ(y_n; μ₂[j], σ₂²).
    Scaled by c_n = the largest of a_in = log A_in and b_jn = log B_jn over the grid,

        −ℓ[j, i] = −Σ_n [c_n + log(e^(a_in − c_n) + e^(b_jn − c_n))],

    the exponentials only per (i, n) and (j, n), and one logarithm per BLOCK
    values of n for each (i, j) (see :func:`_sum_of_logs`), against two
    transcendental functions per triple for :func:`negloglik`.  Where the scaled
    terms fall below the normal floats for some n (means far from y_n on both axes:
    they underflow or keep only a few digits) that entry is evaluated by
    :func:`negloglik`, in log space.  ``ValueError`` off the
    parameter space (a surface is drawn for one valid (p, σ²)).
    """
    values = as_float_vector(y, "y")
    mu1, mu2 = as_float_vector(mu1, "mu1"), as_float_vector(mu2, "mu2")
    p, _, sigma2 = _one_parameter(p, (0.0, 0.0), sigma2)
    sd = (math.sqrt(sigma2[0]), math.sqrt(sigma2[1]))  # the standard deviations
    log_p, log_q = _log_weights(np.asarray(p))
    with np.errstate(over="ignore"):  # as in _component_terms: a square that overflows is a 0
        a = log_p - np.log(sd[0]) - 0.5 * LOG_2PI - 0.5 * ((values - mu1[:, None]) / sd[0]) ** 2
        b = log_q - np.log(sd[1]) - 0.5 * LOG_2PI - 0.5 * ((values - mu2[:, None]) / sd[1]) ** 2
    scale = np.maximum(a.max(axis=0), b.max(axis=0))  # c_n
    if np.any(scale == -np.inf):  # some y_n so far out that its density is 0 everywhere
        return np.full((mu2.size, mu1.size), np.inf)
    first, second = np.exp(a - scale), np.exp(b - scale)  # (len(mu1), N), (len(mu2), N)
    # pad N to a multiple of BLOCK with terms e^0 + 0 = 1, which add log 1 = 0
    padding = ((0, 0), (0, -values.size % BLOCK))
    first, second = np.pad(first, padding, constant_values=1.0), np.pad(second, padding)
    result = np.empty((mu2.size, mu1.size))
    step = max(1, SURFACE_CHUNK // (mu1.size * first.shape[1]))
    with np.errstate(divide="ignore"):
        for start in range(0, mu2.size, step):
            rows = slice(start, start + step)
            total = first[np.newaxis, :, :] + second[rows, np.newaxis, :]
            result[rows] = _sum_of_logs(total)  # each term ≤ log 2, or −inf where 0
    underflow = result == -np.inf
    result = -(result + scale.sum())
    if np.any(underflow):
        j, i = np.nonzero(underflow)
        par = np.column_stack(
            [
                np.full(j.size, p),
                mu1[i],
                mu2[j],
                np.full(j.size, sigma2[0]),
                np.full(j.size, sigma2[1]),
            ]
        )
        result[j, i] = negloglik(par, values)
    return result


# --- simulation ------------------------------------------------------------------------------


def simulate(
    n: int,
    p: float,
    mu,
    sigma2,
    rng: np.random.Generator,
    method: str = "conditional",
    *,
    return_z: bool = False,
):
    """``n`` draws of Y from the two-component Gaussian mixture (and Z ∈ {1, 2} with ``return_z``).

    ``sigma2`` = (σ₁², σ₂²) are the component variances; the draws scale by the
    standard deviations σ_k = √σ_k².  Every method first draws Z (P(Z = 1) = p)
    and then, by ``method``:

    * ``"conditional"``: N(μ₁, σ₁²) draws for the n₁ observations with Z = 1 and
      N(μ₂, σ₂²) draws for the others (the definition: Z chooses the distribution);
    * ``"where"``: two full samples Y₁, Y₂ of size n and Y = Y_Z, selected with
      ``np.where`` ((6.2) literally: Z selects one of two observations; 2n normals);
    * ``"arithmetic"``: one standard normal sample X shared by both components,
      Y = 1(Z = 1)(σ₁X + μ₁) + 1(Z = 2)(σ₂X + μ₂) (Y₁, Y₂ dependent, Y_Z still right);
    * ``"transform"``: one standard normal sample X, transformed in place by
      σ₁X + μ₁ where Z = 1 and σ₂X + μ₂ where Z = 2.
    """
    rng = check_rng(rng)
    n = as_sample_size(n)
    if method not in METHODS:
        raise DataError(f"method must be one of {METHODS}; got {method!r}")
    p, (mu1, mu2), (v1, v2) = _one_parameter(p, mu, sigma2)
    s1, s2 = math.sqrt(v1), math.sqrt(v2)
    first = rng.random(n) < p
    if method == "conditional":
        y = np.empty(n)
        n1 = int(np.count_nonzero(first))
        y[first] = rng.normal(mu1, s1, n1)
        y[~first] = rng.normal(mu2, s2, n - n1)
    elif method == "where":
        y = np.where(first, rng.normal(mu1, s1, n), rng.normal(mu2, s2, n))
    elif method == "arithmetic":
        x = rng.standard_normal(n)
        y = first * (s1 * x + mu1) + ~first * (s2 * x + mu2)
    else:
        y = rng.standard_normal(n)
        second = ~first
        y[first] = s1 * y[first] + mu1
        y[second] = s2 * y[second] + mu2
    if return_z:
        return y, np.where(first, 1, 2)
    return y


# --- canonical parametrization -------------------------------------------------------------


def to_canonical(p, mu, sigma2) -> np.ndarray:
    """θ = (log(p/(1−p)), μ₁/σ₁², 1/(2σ₁²), μ₂/σ₂², 1/(2σ₂²)), shape (..., 5).

    Needs p ∈ (0, 1): the endpoints have no finite θ₁.
    """
    p, mu, sigma2 = _check_parameters(p, mu, sigma2)
    if not np.all((p > 0) & (p < 1)):
        raise DataError(f"p must lie in (0, 1) to have a canonical parameter; got {p}")
    precision = 1 / sigma2
    return np.stack(
        [
            np.log(p) - np.log1p(-p),
            mu[..., 0] * precision[..., 0],
            precision[..., 0] / 2,
            mu[..., 1] * precision[..., 1],
            precision[..., 1] / 2,
        ],
        axis=-1,
    )


def _check_theta(theta) -> np.ndarray:
    theta = as_parameter(theta, 5, "theta")
    if not np.all(np.isfinite(theta)):
        raise DataError(f"theta must be finite; got {theta}")
    if not np.all((theta[..., 2] > 0) & (theta[..., 4] > 0)):
        raise DataError(f"theta₃ and theta₅ must be positive; got {theta}")
    return theta


def from_canonical(theta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p, mu, sigma2) = (expit θ₁, (θ₂/(2θ₃), θ₄/(2θ₅)), (1/(2θ₃), 1/(2θ₅)))."""
    theta = _check_theta(theta)
    p = expit(theta[..., 0])
    mu = np.stack([theta[..., 1] / (2 * theta[..., 2]), theta[..., 3] / (2 * theta[..., 4])], -1)
    sigma2 = np.stack([1 / (2 * theta[..., 2]), 1 / (2 * theta[..., 4])], -1)
    return p, mu, sigma2


def joint_log_density_canonical(y, k, theta) -> np.ndarray:
    """log f(y, k | θ) = θᵀ(t₁(k) + t₂(y | k)) − log φ₁(θ) − log φ₂(θ | k) − ½ log π.

    log φ₁(θ) = log(1 + e^θ₁) and log φ₂(θ | 1) = θ₂²/(4θ₃) − ½ log θ₃
    (θ₄, θ₅ for k = 2).  ``y`` and ``k`` ∈ {1, 2} broadcast against each other
    and against the leading axes of ``theta`` (shape (..., 5)) like :func:`log_density`.
    The terms θ₂y − θ₃y² − θ₂²/(4θ₃) are evaluated as −θ₃(y − θ₂/(2θ₃))², the same
    number without the cancellation of large terms.
    """
    y = _data(y)
    k = np.asarray(k)
    if not np.all((k == 1) | (k == 2)):
        raise DataError("k must hold component labels 1 or 2")
    shape = np.broadcast_shapes(y.shape, k.shape)
    theta = _check_theta(theta)
    theta = theta[(..., *(np.newaxis,) * len(shape), slice(None))]
    t1 = theta[..., 0]
    linear = np.where(k == 1, theta[..., 1], theta[..., 3])
    quadratic = np.where(k == 1, theta[..., 2], theta[..., 4])
    square = -quadratic * (y - linear / (2 * quadratic)) ** 2
    log_weight = np.where(k == 1, t1, 0.0) - np.logaddexp(0.0, t1)
    return log_weight + square + 0.5 * np.log(quadratic) - 0.5 * LOG_PI


def density_canonical(y, theta) -> np.ndarray:
    """f(y | θ) = Σ_k exp(log f(y, k | θ)), the marginal density from the joint one."""
    return np.exp(
        np.logaddexp(
            joint_log_density_canonical(y, 1, theta), joint_log_density_canonical(y, 2, theta)
        )
    )
