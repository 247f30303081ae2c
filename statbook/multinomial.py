"""Section 6.2: multinomial models, cell collapsing and the peppered moths.

**The full model.**  All distributions on {1, …, K}, parametrized by the
simplex Δ_K.  With the tabulated sufficient statistic **N** = (N_1, …, N_K),
N = Σ N_k, the log-likelihood is ℓ(p) = Σ_k N_k log p_k.

* Symmetric parametrization θ ∈ ℝ^K (not identifiable: θ + c gives the same p):
  p_y = e^{θ_y} / φ(θ), φ(θ) = Σ_k e^{θ_k}, and ℓ(θ) = θᵀ**N** − N log φ(θ).
* Reference-category parametrization θ ∈ ℝ^{K−1} (θ_K = 0):
  φ(θ) = 1 + Σ_{k<K} e^{θ_k}, p_y = e^{θ_y} p_K, ℓ(θ) = θᵀ**N**_{1..K−1} − N log φ(θ).
  −ℓ is convex in both (log φ is convex, the rest linear).
* K = 2 with labels {0, 1}: p_1 = e^θ / (1 + e^θ) (the logistic function) and
  θ = log(p_1 / (1 − p_1)) is the log-odds.

**Cell collapsing.**  A partition A_1 ∪ … ∪ A_{K₀} of the cells, written as group
labels in 1..K₀, defines M(**N**)_j = Σ_{k ∈ A_j} N_k; if **N** ~ Mult(N, p) then
**X** = M(**N**) ~ Mult(N, M(p)).  With a parametrization ψ ↦ p(ψ) the collapsed
log-likelihood is

    ℓ(ψ) = Σ_j x_j log M(p(ψ))_j                                          (6.1)

and the genotype counts are predicted by E(N_k | **X** = x) = x_j p_k / M(p)_j, k ∈ A_j.

**Peppered moths.**  Alleles C, I, T with frequencies ψ = (p_C, p_I),
p_T = 1 − p_C − p_I; Hardy–Weinberg gives the genotype (CC, CI, CT, II, IT, TT)
probabilities (p_C², 2p_Cp_I, 2p_Cp_T, p_I², 2p_Ip_T, p_T²) and the phenotypes
(dark, mottled, light) are the groups (1, 1, 1, 2, 2, 3).  If the genotypes were
observed, ℓ(p_C, p_I) = 2N_CC log p_C + N_CI log(2p_Cp_I) + N_CT log(2p_Cp_T)
+ 2N_II log p_I + N_IT log(2p_Ip_T) + 2N_TT log p_T.  (The seed prints the CT
term as log(2p_Cp_I): a typo; :func:`genotype_loglik` uses 2p_Cp_T and a test
checks it against Σ N_k log p_k.)

Throughout, parameters off the parameter space give −ℓ = +inf without
warnings, and everything is vectorized over leading axes of the parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from statbook._validate import (
    as_count_vector,
    as_finite_number,
    as_float_array,
    as_parameter,
    as_sample_size,
)
from statbook.exceptions import ConvergenceError, DataError, NoInteriorMinimizerError

#: group labels of the six genotypes CC, CI, CT, II, IT, TT: dark, mottled, light
MOTH_GROUP = np.array([1, 1, 1, 2, 2, 3])
GENOTYPES = ("CC", "CI", "CT", "II", "IT", "TT")
PHENOTYPES = ("dark", "mottled", "light")
#: the seed's sample of phenotype counts (N_C, N_I, N_T)
MOTH_COUNTS = np.array([85, 196, 341])


# --- the full multinomial model ------------------------------------------------------


class MultinomialStats(NamedTuple):
    """Sufficient statistic of an i.i.d. sample on {1, …, K}."""

    counts: np.ndarray  #: **N** = (N_1, …, N_K)
    n: int  #: N = Σ N_k


#: Cell probabilities may sum past 1 by this much (their rounding) in :func:`collapsed_negloglik`.
PROB_SLACK = 1e-12
#: Largest number of cells K of a tabulated sample (a table of 2²⁶ counts is 512 MiB).
MAX_CELLS = 2**26


def suff_stats(y, k: int) -> MultinomialStats:
    """Tabulate observations ``y`` with values in 1..k: **N**_j = #{i : y_i = j}."""
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    k = as_sample_size(k, "k", minimum=1)
    if k > MAX_CELLS:
        raise DataError(
            f"k must be at most 2**26 = {MAX_CELLS} cells for a table of counts; got {k}"
        )
    labels = as_count_vector(y, "y")
    if labels.min() < 1 or labels.max() > k:
        raise DataError(
            f"y must hold labels in 1..{k}; found values in {labels.min()}..{labels.max()}"
        )
    counts = np.bincount(labels - 1, minlength=k)
    return MultinomialStats(counts=counts, n=int(counts.sum()))


def stats_from_counts(counts) -> MultinomialStats:
    """The sufficient statistic when the table **N** is given directly."""
    table = as_count_vector(counts, "counts", min_size=2)
    return MultinomialStats(counts=table, n=int(table.sum()))


def softmax(theta) -> np.ndarray:
    """Symmetric parametrization p_y = e^{θ_y} / Σ_k e^{θ_k} over the last axis of ``theta``."""
    theta = np.asarray(theta, dtype=float)
    return np.exp(theta - logsumexp(theta, axis=-1, keepdims=True))


def reference_to_prob(theta) -> np.ndarray:
    """Reference-category parametrization: p = softmax(θ_1, …, θ_{K−1}, 0), shape (..., K)."""
    theta = np.asarray(theta, dtype=float)
    zeros = np.zeros((*theta.shape[:-1], 1))
    return softmax(np.concatenate([theta, zeros], axis=-1))


def prob_to_reference(p) -> np.ndarray:
    """θ_y = log(p_y / p_K), y = 1..K−1: the log-ratios to the reference category K."""
    p = np.asarray(p, dtype=float)
    return np.log(p[..., :-1]) - np.log(p[..., -1:])


def logistic(theta) -> np.ndarray:
    """K = 2 with labels {0, 1}: p_1 = e^θ / (1 + e^θ)."""
    return reference_to_prob(np.asarray(theta, dtype=float)[..., None])[..., 0]


def log_odds(p1) -> np.ndarray:
    """θ = log(p_1 / (1 − p_1)), the inverse of :func:`logistic`; −inf at 0 and +inf at 1.

    ``p1`` outside [0, 1] (or NaN) raises ``DataError``: it is not a probability.
    """
    p1 = as_float_array(p1, "p1")
    if np.any((p1 < 0) | (p1 > 1)):
        raise DataError("p1 must hold probabilities in [0, 1]")
    with np.errstate(divide="ignore"):  # log 0 = −inf at p_1 = 0 and p_1 = 1: the honest value
        return np.log(p1) - np.log1p(-p1)


def _negloglik_log_softmax(theta: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """−Σ_k N_k log p_k(θ), p = softmax(θ) over the last axis; +inf for non-finite θ.

    Written as Σ_k N_k (m − θ_k) + N log Σ_k e^{θ_k − m}, m = max_k θ_k, every term
    non-negative: no inf − inf for huge θ, no 0 · ∞ for an empty cell, and +inf
    (the honest value) where a term exceeds the float range.
    """
    inside = np.all(np.isfinite(theta), axis=-1)
    theta = np.where(inside[..., None], theta, 0.0)
    top = np.max(theta, axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        below = top - theta  # ≥ 0, +inf where the difference overflows
        log_sum = np.log(np.sum(np.exp(-below), axis=-1))
        terms = np.where(counts > 0, counts * below, 0.0)
        value = np.sum(terms, axis=-1) + counts.sum() * log_sum
    return np.where(inside, value, np.inf)


def negloglik_symmetric(theta, stats: MultinomialStats) -> np.ndarray:
    """−ℓ(θ) = N log Σ_k e^{θ_k} − θᵀ**N**, θ ∈ ℝ^K, vectorized over leading axes.

    +inf for non-finite θ (off ℝ^K); evaluated as −Σ_k N_k log p_k(θ) so that huge
    finite θ give the right value (see :func:`_negloglik_log_softmax`).
    """
    theta = as_parameter(theta, stats.counts.size, "theta")
    return _negloglik_log_softmax(theta, stats.counts)


def negloglik_reference(theta, stats: MultinomialStats) -> np.ndarray:
    """−ℓ(θ) = N log(1 + Σ_{k<K} e^{θ_k}) − Σ_{k<K} θ_k N_k, θ ∈ ℝ^{K−1}; +inf off ℝ^{K−1}."""
    theta = as_parameter(theta, stats.counts.size - 1, "theta")
    zeros = np.zeros((*theta.shape[:-1], 1))
    return _negloglik_log_softmax(np.concatenate([theta, zeros], axis=-1), stats.counts)


def grad_reference(theta, stats: MultinomialStats) -> np.ndarray:
    """Gradient of −ℓ in the reference parametrization: N p_{1..K−1}(θ) − **N**_{1..K−1}."""
    theta = as_parameter(theta, stats.counts.size - 1, "theta")
    return stats.n * reference_to_prob(theta)[..., :-1] - stats.counts[:-1]


def hessian_reference(theta, stats: MultinomialStats) -> np.ndarray:
    """Hessian of −ℓ: N (diag(p) − p pᵀ) over the first K−1 cells, positive definite."""
    theta = as_parameter(theta, stats.counts.size - 1, "theta")
    p = reference_to_prob(theta)[..., :-1]
    return stats.n * (p[..., :, None] * np.eye(p.shape[-1]) - p[..., :, None] * p[..., None, :])


def mle_reference(stats: MultinomialStats) -> np.ndarray:
    """θ̂_y = log(N_y / N_K): the solution of N p(θ) = **N**; needs every N_k > 0."""
    if np.any(stats.counts == 0):
        raise NoInteriorMinimizerError(
            "some cell count is zero: p̂ = N/N puts probability 0 there, on the boundary of "
            "the simplex, which no finite θ reaches (θ̂ would be −∞ for that cell)"
        )
    return np.log(stats.counts[:-1]) - np.log(stats.counts[-1])


# --- cell collapsing -----------------------------------------------------------------


def _group_matrix(group, size: int) -> np.ndarray:
    """The K × K₀ 0/1 matrix with a 1 at (k, j) when cell k belongs to group j.

    The labels are checked through their sorted distinct values, so the cost
    depends on the number of cells only, never on how large a label is.
    """
    labels = np.asarray(group)
    if labels.ndim != 1 or labels.size != size:
        raise DataError(
            f"group must be a vector with one label per cell ({size}); got shape {labels.shape}"
        )
    labels = as_count_vector(labels, "group")
    distinct = np.unique(labels)
    if distinct[0] != 1 or distinct[-1] != distinct.size:
        shown = distinct[:10].tolist()
        raise DataError(
            f"group labels must cover 1..K₀ with no gaps and no zeros; got labels {shown}"
            + (" ..." if distinct.size > 10 else "")
        )
    return (labels[:, None] == np.arange(1, distinct.size + 1)).astype(float)


def collapse(x, group) -> np.ndarray:
    """M(x)_j = Σ_{k ∈ A_j} x_k over the last axis of ``x`` (counts or probabilities).

    ``group[k]`` is the label in 1..K₀ of cell k; one matrix product, no loop over cells.
    ``x`` must be finite: a NaN count has no sum.
    """
    x = as_float_array(x, "x")
    if x.ndim == 0:
        raise DataError("x must have at least one axis (the cells)")
    return _collapse(x, group)


def _collapse(x: np.ndarray, group) -> np.ndarray:
    """:func:`collapse` without the check, for cell probabilities that carry NaN off the space."""
    return x @ _group_matrix(group, x.shape[-1])


def genotype_expectation(x, p, group) -> np.ndarray:
    """E(N_k | **X** = x) = x_j p_k / M(p)_j for k ∈ A_j: the predicted cell counts.

    A group with x_j = 0 predicts 0 in its cells (also where M(p)_j = 0); a positive
    count in a group of probability 0 is impossible and raises ``ValueError``.
    """
    counts = as_count_vector(x, "x")
    p = as_float_array(p, "p")
    if p.ndim == 0 or np.any(p < 0):
        raise DataError("p must hold the cell probabilities, each non-negative")
    membership = _group_matrix(group, p.shape[-1])
    if counts.size != membership.shape[1]:
        raise DataError(
            f"x must have one count per group ({membership.shape[1]}); got {counts.size}"
        )
    group_prob = p @ membership
    if np.any((counts > 0) & (group_prob <= 0)):
        raise DataError("x has counts in a group to which p gives probability 0")
    per_cell_count = counts @ membership.T
    per_cell_prob = group_prob @ membership.T
    # a group with x_j = 0 has expectation 0 in each of its cells, also when M(p)_j = 0
    safe = np.where(per_cell_prob > 0, per_cell_prob, 1.0)
    return np.where(per_cell_count > 0, per_cell_count * p / safe, 0.0)


def _negloglik_from_cells(x: np.ndarray, cell_prob: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """−Σ_j x_j log q_j with 0·log 0 = 0; +inf where invalid or where x_j > 0 = q_j."""
    positive = cell_prob > 0
    log_q = np.log(np.where(positive, cell_prob, 1.0))
    impossible = np.any((x > 0) & ~positive, axis=-1)
    value = -(np.where(positive, log_q, 0.0) @ x)
    return np.where(valid & ~impossible, value, np.inf)


def collapsed_negloglik(par, x, prob: Callable[[np.ndarray], np.ndarray], group) -> np.ndarray:
    """Generic −ℓ(ψ) = −Σ_j x_j log M(p(ψ))_j of (6.1).

    ``prob(par)`` maps parameters of shape (..., d) to cell probabilities of shape
    (..., K) and marks a parameter off the parameter space by NaN cells; there
    (and where a positive count meets probability 0) the value is +inf.
    """
    counts = as_count_vector(x, "x")
    cells = np.asarray(prob(np.asarray(par, dtype=float)), dtype=float)
    valid = ~np.any(np.isnan(cells), axis=-1)
    legal = np.where(valid[..., None], cells, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        total = legal.sum(axis=-1)
    if np.any(legal < 0) or np.any(~np.isfinite(legal)) or np.any(total > 1 + PROB_SLACK):
        raise DataError(
            "prob(par) must return cell probabilities: each in [0, 1] and summing to at most "
            "1 (NaN only off the parameter space); it returned negative, infinite or too "
            f"large cells (largest sum {float(np.max(total)):.6g})"
        )
    collapsed = _collapse(legal, group)
    if collapsed.shape[-1] != counts.size:
        raise DataError(
            f"x must have one count per group ({collapsed.shape[-1]}); got {counts.size}"
        )
    return _negloglik_from_cells(counts, collapsed, valid)


# --- Hardy–Weinberg and the peppered moths -------------------------------------------


def in_simplex(par) -> np.ndarray:
    """True where p_C ≥ 0, p_I ≥ 0 and p_T = 1 − p_C − p_I ≥ 0 (the closed simplex)."""
    par = as_parameter(par, 2)
    p_c, p_i = par[..., 0], par[..., 1]
    return (p_c >= 0) & (p_i >= 0) & (p_i <= 1 - p_c)  # 1 − p_c − p_i could overflow


def hardy_weinberg(par) -> np.ndarray:
    """Genotype probabilities (p_C², 2p_Cp_I, 2p_Cp_T, p_I², 2p_Ip_T, p_T²), shape (..., 6).

    Off the simplex every cell is NaN, which :func:`collapsed_negloglik` turns into +inf.
    """
    par = as_parameter(par, 2)
    p_c, p_i = par[..., 0], par[..., 1]
    p_t = 1 - p_c - p_i
    cells = np.stack([p_c**2, 2 * p_c * p_i, 2 * p_c * p_t, p_i**2, 2 * p_i * p_t, p_t**2], axis=-1)
    return np.where(in_simplex(par)[..., None], cells, np.nan)


def hardy_weinberg_jacobian(par) -> np.ndarray:
    """∂p_k/∂(p_C, p_I) of :func:`hardy_weinberg` (with p_T = 1 − p_C − p_I), shape (..., 6, 2)."""
    par = as_parameter(par, 2)
    p_c, p_i = par[..., 0], par[..., 1]
    p_t = 1 - p_c - p_i
    zero = np.zeros_like(p_c)
    d_pc = [2 * p_c, 2 * p_i, 2 * (p_t - p_c), zero, -2 * p_i, -2 * p_t]
    d_pi = [zero, 2 * p_c, -2 * p_c, 2 * p_i, 2 * (p_t - p_i), -2 * p_t]
    return np.stack([np.stack(d_pc, axis=-1), np.stack(d_pi, axis=-1)], axis=-1)


def phenotype_probs(par) -> np.ndarray:
    """M(p) = (p_C² + 2p_Cp_I + 2p_Cp_T, p_I² + 2p_Ip_T, p_T²); NaN off the simplex."""
    return _collapse(hardy_weinberg(par), MOTH_GROUP)


def moth_negloglik(par, x=MOTH_COUNTS) -> np.ndarray:
    """Problem-specific −ℓ(p_C, p_I) = −[N_C log P_C + N_I log P_I + N_T log P_T].

    P_C = p_C² + 2p_Cp_I + 2p_Cp_T = p_C(2 − p_C), P_I = p_I² + 2p_Ip_T = p_I(p_I + 2p_T)
    and P_T = p_T²; +inf off the simplex and where an observed phenotype has probability
    0.  For speed on a grid the logarithms are taken only at the points where the value
    is finite (about half of a square grid lies outside the triangle).
    """
    counts = as_count_vector(x, "x")
    if counts.size != 3:
        raise DataError(
            f"x must hold the three phenotype counts (N_C, N_I, N_T); got {counts.size}"
        )
    par = as_parameter(par, 2)
    value = np.full(par.shape[:-1], np.inf)
    inside = np.asarray(in_simplex(par))
    p_c, p_i = par[..., 0][inside], par[..., 1][inside]
    p_t = 1 - p_c - p_i
    cells = (p_c * (2 - p_c), p_i * (p_i + 2 * p_t), p_t * p_t)
    possible = np.ones(p_c.shape, dtype=bool)
    for count, cell in zip(counts, cells, strict=True):
        if count > 0:
            possible &= cell > 0
    finite = inside.copy()
    finite[inside] = possible
    total = np.zeros(np.count_nonzero(possible))
    for count, cell in zip(counts, cells, strict=True):
        if count > 0:
            total -= count * np.log(cell[possible])
    value[finite] = total
    return value


def moth_grad(par, x=MOTH_COUNTS) -> np.ndarray:
    """Gradient of :func:`moth_negloglik`: −Σ_j x_j/M(p)_j · M(∂p/∂ψ)_j (chain rule through M).

    Valid in the interior of the simplex.
    """
    counts = as_count_vector(x, "x")
    jac = hardy_weinberg_jacobian(par)  # (..., 6, 2)
    collapsed_jac = np.swapaxes(_collapse(np.swapaxes(jac, -1, -2), MOTH_GROUP), -1, -2)
    return -np.einsum("j,...j,...jd->...d", counts, 1 / phenotype_probs(par), collapsed_jac)


def moth_mle(x=MOTH_COUNTS) -> np.ndarray:
    """Closed-form maximum-likelihood estimate (p̂_C, p̂_I) from phenotype counts.

    With a = 1 − p_C and b = p_T, M(p) = (1 − a², a² − b², b²), and (a², b²) ↦ M(p) is a
    bijection onto the whole simplex Δ_3: the collapsed model is the full multinomial
    on three cells, whose MLE is M(p̂) = x / N.  Hence p̂_T = √(x_T / N),
    p̂_C = 1 − √((x_I + x_T) / N) and p̂_I = √((x_I + x_T) / N) − √(x_T / N).  Zero
    counts give a boundary estimate; no counts at all raise ``ValueError``.
    """
    counts = as_count_vector(x, "x")
    if counts.size != 3:
        raise DataError(
            f"x must hold the three phenotype counts (N_C, N_I, N_T); got {counts.size}"
        )
    n = counts.sum()
    if n == 0:
        raise NoInteriorMinimizerError("x holds no moths (all counts are zero): ℓ is constant")
    not_dark = np.sqrt((counts[1] + counts[2]) / n)
    light = np.sqrt(counts[2] / n)
    p_c = 1 - not_dark
    # p_I from the rounded 1 − p_C, so that p_T = 1 − p_C − p_I, as every caller computes
    # it, is never negative: with x_T = 0 it is exactly 0, not −3e-17 (outside the simplex)
    p_i = max((1 - p_c) - light, 0.0)
    return np.array([p_c, p_i])


def genotype_loglik(par, genotype_counts) -> np.ndarray:
    """Complete-data ℓ(p_C, p_I) = Σ_k N_k log p_k(p_C, p_I), genotypes CC, CI, CT, II, IT, TT.

    Written out: 2N_CC log p_C + N_CI log(2p_Cp_I) + N_CT log(2p_Cp_T) + 2N_II log p_I
    + N_IT log(2p_Ip_T) + 2N_TT log p_T (the seed's log(2p_Cp_I) in the CT term is a
    typo).  −inf off the simplex.  This is +ℓ, as its name says;
    :func:`genotype_negloglik` is −ℓ, the sign of every ``negloglik``.
    """
    counts = as_count_vector(genotype_counts, "genotype_counts")
    if counts.size != 6:
        raise DataError(f"genotype_counts must hold six counts; got {counts.size}")
    return -_negloglik_from_cells(
        counts.astype(float), np.nan_to_num(hardy_weinberg(par)), in_simplex(par)
    )


def genotype_negloglik(par, genotype_counts) -> np.ndarray:
    """Complete-data −ℓ(p_C, p_I) = −Σ_k N_k log p_k(p_C, p_I), +inf off the simplex.

    The negative of :func:`genotype_loglik`, with the sign of every ``negloglik``.
    """
    return -genotype_loglik(par, genotype_counts)


def genotype_mle(genotype_counts) -> np.ndarray:
    """Complete-data MLE by allele counting: p̂_C = (2N_CC + N_CI + N_CT) / 2N, likewise p̂_I."""
    counts = as_count_vector(genotype_counts, "genotype_counts")
    if counts.size != 6 or counts.sum() == 0:
        raise DataError("genotype_counts must hold six counts, not all zero")
    n_cc, n_ci, n_ct, n_ii, n_it, _ = counts
    return np.array([2 * n_cc + n_ci + n_ct, 2 * n_ii + n_ci + n_it]) / (2 * counts.sum())


#: Largest relative misfit |N M(p̂)_j / x_j − 1| of an accepted :func:`moth_mle_gradient`.
STATIONARITY_TOL = 1e-6


def moth_mle_gradient(x=MOTH_COUNTS, start=(0.3, 0.3)) -> np.ndarray:
    """(p̂_C, p̂_I) by BFGS with the analytic gradient, in allele log-ratios to T.

    The allele frequencies are written as (p_C, p_I, p_T) = softmax(θ_C, θ_I, 0), the
    reference-category parametrization, so θ ∈ ℝ² is unconstrained; by the chain rule
    ∇_θ(−ℓ) = (diag(q) − q qᵀ) ∇_ψ(−ℓ) with q = (p_C, p_I).  Needs every count positive.
    The result is checked against the likelihood equations M(p̂) = x/N of this saturated
    model (relative error at most :data:`STATIONARITY_TOL`); where BFGS stopped elsewhere
    (very uneven counts such as (1, 371, 94911)) :class:`ConvergenceError` is raised:
    its last point is not the estimate.
    """
    counts = as_count_vector(x, "x")
    if counts.size != 3 or np.any(counts == 0):
        raise NoInteriorMinimizerError(
            "the gradient fit needs three positive counts; with a zero count the estimate is "
            "on the boundary of the simplex (use moth_mle)"
        )
    if np.shape(start) != (2,):
        raise DataError(f"start must be a pair (p_C, p_I); got {start!r}")
    p_c, p_i = (as_finite_number(value, "start") for value in start)
    if not (p_c > 0 and p_i > 0 and p_c + p_i < 1):
        raise DataError(
            f"start must lie inside the simplex (p_C > 0, p_I > 0, p_C + p_I < 1); got {start!r}"
        )

    def alleles(theta):
        return reference_to_prob(theta)[:2]

    def objective(theta):
        return float(moth_negloglik(alleles(theta), counts))

    def gradient(theta):
        q = alleles(theta)
        return (np.diag(q) - np.outer(q, q)) @ moth_grad(q, counts)

    theta0 = prob_to_reference(np.array([p_c, p_i, 1 - p_c - p_i]))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # judged by success
        result = minimize(objective, theta0, jac=gradient, method="BFGS", options={"gtol": 1e-10})
    estimate = alleles(result.x)
    # The likelihood equations of this saturated model: M(p̂) = x/N (see moth_mle).  scipy's
    # "precision loss" at the optimum passes this check; its failed points miss by > 8 %.
    misfit = float(np.max(np.abs(phenotype_probs(estimate) * counts.sum() / counts - 1)))
    if not misfit <= STATIONARITY_TOL:
        raise ConvergenceError(
            f"BFGS did not converge ({result.message}): at its last point the fitted "
            f"phenotype frequencies differ from x/N by {misfit:.3g} (relative), so it is not "
            "the estimate.  With counts this uneven use the closed form moth_mle"
        )
    return estimate
