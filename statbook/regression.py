"""Section 6.3: Poisson regression as an exponential family.

Responses y_i ∈ ℕ₀ are independent given the predictors x_i ∈ ℝ^p, Poisson
with log-linear mean log μ(x_i) = x_iᵀβ.  The point probabilities

    p_i(y_i | x_i) = exp(βᵀ x_i y_i − exp(x_iᵀβ)) / y_i!             (Example 6.4)

form an exponential family with sufficient statistic and log-normalizer

    t(y) = Σ x_i y_i = Xᵀy,       κ(β) = Σ exp(x_iᵀβ),

so the negative log-likelihood is −ℓ(β) = κ(β) − βᵀXᵀy + Σ log y_i!, with

    ∇κ(β) = Σ x_i exp(x_iᵀβ) = Xᵀμ(β),
    D²κ(β) = Σ x_i x_iᵀ exp(x_iᵀβ) = XᵀW(β)X,   W(β) = diag(exp(x_iᵀβ)).

The data enter −ℓ only through Xᵀy (computed once) and X (through κ).  The
Hessian XᵀWX is positive semidefinite, so −ℓ is convex and Newton's method
with step halving finds the maximum-likelihood estimate when it exists.

A factor with K levels plus q ordinary columns (the store model: K = 352,
q = 1) gives a Hessian shaped like an arrow: a K × K *diagonal* block for the
level effects, bordered by q dense rows and columns.  Eliminating the diagonal
block (a Schur complement) makes a Newton step cost O(n q + K q²) instead of
O(n p² + p³); :func:`fit_poisson` notices this shape in a sparse design.  It goes
one step further and profiles the levels out: for fixed slopes γ the best levels
are α̂_k(γ) = log Σ_{g(i)=k} y_i − log Σ_{g(i)=k} exp(z_iᵀγ), and Newton's method
runs on the convex profile in γ, whose Hessian is that Schur complement
(:mod:`statbook._arrow`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg
from formulaic import Formula, model_matrix
from formulaic.errors import FormulaicError
from scipy.special import gammaln, xlogy

from statbook import _arrow
from statbook._newton import damped_newton
from statbook._validate import as_count_vector, as_float_array, as_parameter, check_tolerance
from statbook.exceptions import ConvergenceError, DataError, NoFiniteMLEError, NoUniqueMLEError
from statbook.poisson import deviance_term, stirling_remainder

# Peak size (in numbers) of the n × m block of linear predictors evaluated at once.
_BLOCK = 2**22
#: Where the terms of the sufficient-statistic form exceed its value this many times
#: (10 of 53 bits lost), −ℓ and the deviance are summed row by row instead.
CANCELLATION = 2.0**10
#: Relative size of R's smallest diagonal entry (pivoted QR of the centred, unit-norm
#: columns) below which X counts as rank deficient: R's ``qr`` default, 1e-7.  A larger
#: diagonal still gives coefficients whose deviance can be evaluated to 9 digits.
RANK_TOL = 1e-7


class PoissonRegStats(NamedTuple):
    """What −ℓ needs: the model matrix, the sufficient statistic Xᵀy and constants."""

    X: np.ndarray | sp.sparray  #: model matrix, n × p (dense or scipy.sparse)
    t: np.ndarray  #: sufficient statistic t = Xᵀy, length p
    log_factorials: float  #: Σ log y_i!, the constant of −ℓ
    y_log_y: float  #: Σ (y_i log y_i − y_i), the saturated part of the deviance
    y: np.ndarray  #: the responses, for the rare β where βᵀt alone overflows or cancels
    remainder: float = 0.0  #: Σ (log y_i! − y_i log y_i + y_i) by Stirling's series, ≥ 0


# --- data checks -------------------------------------------------------------------------
def _as_design(X) -> np.ndarray | sp.csc_array:
    if sp.issparse(X):
        X = X if X.format == "csc" and X.dtype == float else sp.csc_array(X, dtype=float)
        values = X.data
    else:
        X = as_float_array(X, "X")
        if X.ndim == 1:
            X = X[:, None]
        values = X
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"X must be a non-empty n × p model matrix; got shape {X.shape}")
    if not np.isfinite(values).all():
        raise DataError("X must be finite; found NaN or infinity")
    return X


def _as_response(y, X) -> np.ndarray:
    counts = as_count_vector(y, "y")
    if counts.size != X.shape[0]:
        raise DataError(f"y has {counts.size} values but X has {X.shape[0]} rows")
    return counts


@functools.lru_cache(maxsize=8)
def _count_table(size: int) -> np.ndarray:
    """Rows (log y!, y log y − y) for y = 0, 1, …, size − 1."""
    values = np.arange(size, dtype=float)
    return np.column_stack([gammaln(values + 1.0), xlogy(values, values) - values])


def _count_constants(y: np.ndarray) -> tuple[float, float]:
    """Σ log y_i! and Σ (y_i log y_i − y_i), from the frequencies of the counts when small.

    The values per count come from a table cached by its size, a power of two above
    max y (at most 2¹⁶ rows, 1 MB), so repeated fits look them up.
    """
    size = 1 << int(y.max()).bit_length()
    if size > 2**16:
        y = y.astype(float)
        return float(gammaln(y + 1.0).sum()), float((xlogy(y, y) - y).sum())
    frequency = np.bincount(y)
    log_factorials, y_log_y = frequency @ _count_table(size)[: frequency.size]
    return float(log_factorials), float(y_log_y)


def _deviance_terms(y: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """y log(y/μ) − (y − μ) ≥ 0 with μ = e^η, per entry (y broadcasts against η).

    :func:`statbook.poisson.deviance_term`, which does not cancel at large counts
    (y = 10¹², μ ≈ y), where y log y − y and y log μ − μ share 12 digits.
    """
    with np.errstate(over="ignore"):
        return deviance_term(y, np.exp(eta))


def suff_stats(X, y) -> PoissonRegStats:
    """Sufficient statistic t = Xᵀy and the constants of −ℓ and of the deviance."""
    X = _as_design(X)
    counts = _as_response(y, X)
    y_float = counts.astype(float)
    log_factorials, y_log_y = _count_constants(counts)
    return PoissonRegStats(
        X=X,
        t=np.asarray(X.T @ y_float, dtype=float),
        log_factorials=log_factorials,
        y_log_y=y_log_y,
        y=y_float,
        remainder=float(stirling_remainder(y_float).sum()),
    )


# --- the exponential family ----------------------------------------------------------------
def _blocks(beta: np.ndarray, n: int):
    """Rows of the flattened parameter grid, in blocks of at most _BLOCK / n (one if empty)."""
    flat = beta.reshape(-1, beta.shape[-1])
    size = max(1, _BLOCK // n)
    for start in range(0, max(flat.shape[0], 1), size):
        yield flat[start : start + size]


def _linear_predictors(X, block: np.ndarray) -> np.ndarray:
    """η = X βᵀ for a block of parameters (m × p), as an n × m array.

    Huge β are divided by their largest entry first and η multiplied back, so a
    row that sums huge terms of opposite sign (1e308 − 1e308) gives its true η, and
    an η beyond the float range is ±inf, never NaN.
    """
    largest = np.max(np.abs(block), axis=1)
    if not np.any(largest > 1e150):
        return np.asarray(X @ block.T)
    largest = np.where(largest > 0, largest, 1.0)
    with np.errstate(over="ignore"):
        return np.asarray(X @ (block / largest[:, None]).T) * largest


def _core_negloglik(eta: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Σ_i [exp(η_i) − y_i η_i] over the rows of η (n × m): finite, or +inf, never NaN.

    Every term is bounded below, so the sum is +inf where a term is: η_i = +inf,
    or η_i = −inf with y_i > 0.  η_i = −inf with y_i = 0 contributes exp(−∞) = 0.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        terms = np.exp(eta) - np.where(y[:, None] > 0, y[:, None] * eta, 0.0)
    terms = np.where(np.isnan(terms), np.inf, terms)  # +inf − (+inf): exp(η) dominates
    return terms.sum(axis=0)


def kappa(beta, stats: PoissonRegStats) -> np.ndarray:
    """Log-normalizer κ(β) = Σ_i exp(x_iᵀβ), vectorized over leading axes of ``beta``.

    Overflow of exp gives κ = +inf (the honest value), without a warning.
    """
    beta = as_parameter(beta, stats.X.shape[1], "beta")
    n = stats.X.shape[0]
    with np.errstate(over="ignore"):
        parts = [
            np.exp(_linear_predictors(stats.X, block)).sum(axis=0) for block in _blocks(beta, n)
        ]
    return np.concatenate(parts).reshape(beta.shape[:-1])


def negloglik(beta, stats: PoissonRegStats) -> np.ndarray:
    """−ℓ(β) = κ(β) − βᵀt + Σ log y_i!, vectorized over leading axes of ``beta``.

    The parameter space is all of ℝ^p: +inf for a β that is infinite or NaN.  For
    an ordinary β this is κ(β) − βᵀt; where either overflows, the same −ℓ is summed
    row by row as Σ_i [exp(η_i) − y_i η_i] (βᵀt = ηᵀy), which is finite or +inf.
    """
    beta = as_parameter(beta, stats.X.shape[1], "beta")
    n = stats.X.shape[0]
    inside = np.all(np.isfinite(beta), axis=-1)
    beta = np.where(inside[..., None], beta, 0.0)
    parts = []
    for block in _blocks(beta, n):
        eta = _linear_predictors(stats.X, block)
        with np.errstate(over="ignore", invalid="ignore"):
            kappa_value = np.exp(eta).sum(axis=0)
            linear = block @ stats.t
            value = kappa_value - linear + stats.log_factorials
            size = kappa_value + np.abs(linear) + stats.log_factorials
        bad = ~np.isfinite(value)
        if bad.any():
            value[bad] = _core_negloglik(eta[:, bad], stats.y) + stats.log_factorials
        careful = ~bad & (size > CANCELLATION * np.abs(value))
        if careful.any():  # −ℓ = deviance/2 + Σ (log y! − y log y + y), neither part cancels
            value[careful] = (
                _deviance_terms(stats.y[:, None], eta[:, careful]).sum(axis=0) + stats.remainder
            )
        parts.append(value)
    value = np.concatenate(parts).reshape(beta.shape[:-1])
    return np.where(inside, value, np.inf)


def grad(beta, stats: PoissonRegStats) -> np.ndarray:
    """∇(−ℓ)(β) = ∇κ(β) − t = Xᵀμ(β) − Xᵀy, with μ(β) = exp(Xβ); one β of length p."""
    beta = as_parameter(beta, stats.X.shape[1], "beta")
    with np.errstate(over="ignore", invalid="ignore"):  # exp overflows to +inf: its value
        mu = np.exp(stats.X @ beta)
        if sp.issparse(stats.X):  # only stored entries are multiplied: no 0 · ∞
            return np.asarray(stats.X.T @ mu) - stats.t
        return np.where(stats.X != 0, stats.X * mu[:, None], 0.0).sum(axis=0) - stats.t


def hessian(beta, stats: PoissonRegStats):
    """D²(−ℓ)(β) = D²κ(β) = XᵀW(β)X with W(β) = diag(exp(Xβ)); one β of length p.

    Dense X gives a dense p × p array, sparse X a sparse one (for the store model
    it is the arrow: diagonal store block, one dense row and column).
    """
    beta = as_parameter(beta, stats.X.shape[1], "beta")
    with np.errstate(over="ignore", invalid="ignore"):  # exp overflows to +inf: its value
        weights = np.exp(stats.X @ beta)
        if sp.issparse(stats.X):
            return sp.csc_array(stats.X.T @ sp.diags_array(weights) @ stats.X)
        if np.all(np.isfinite(weights)):
            return (stats.X.T * weights) @ stats.X
        # a weight of +inf: Σ_i w_i x_ij x_ik over the rows where x_ij x_ik ≠ 0 (no 0 · ∞)
        products = stats.X[:, :, None] * stats.X[:, None, :]
        return np.where(products != 0, products * weights[:, None, None], 0.0).sum(axis=0)


def deviance(beta, stats: PoissonRegStats) -> np.ndarray:
    """Deviance 2(ℓ_saturated − ℓ(β)) = 2 Σ [y_i log(y_i/μ_i) − (y_i − μ_i)].

    Through the sufficient statistics it is 2(κ(β) − βᵀt + Σ(y_i log y_i − y_i)); that
    form is used where it keeps its digits, and where its terms are over 2¹⁰ times
    the deviance (counts near 10¹²: κ(β) and βᵀt cancel) the deviance is summed row
    by row in the form above (:func:`_deviance_terms`), which does not cancel.
    """
    beta = as_parameter(beta, stats.X.shape[1], "beta")
    inside = np.all(np.isfinite(beta), axis=-1)
    beta = np.where(inside[..., None], beta, 0.0)
    n = stats.X.shape[0]
    parts = []
    for block in _blocks(beta, n):
        eta = _linear_predictors(stats.X, block)
        with np.errstate(over="ignore", invalid="ignore"):
            kappa_value = np.exp(eta).sum(axis=0)
            linear = block @ stats.t
            value = 2.0 * (kappa_value - linear + stats.y_log_y)
            size = kappa_value + np.abs(linear) + abs(stats.y_log_y)
        careful = ~np.isfinite(value) | (size > CANCELLATION * np.abs(value))
        if careful.any():
            value[careful] = 2.0 * _deviance_terms(stats.y[:, None], eta[:, careful]).sum(axis=0)
        parts.append(value)
    value = np.concatenate(parts).reshape(beta.shape[:-1])
    return np.where(inside, value, np.inf)


# --- no finite MLE -------------------------------------------------------------------------
def _column_range(X, j: int) -> tuple[float, float]:
    column = X[:, [j]].toarray() if sp.issparse(X) else X[:, j]
    return float(column.min()), float(column.max())


def check_finite_mle(X, t: np.ndarray, names: Sequence[str]) -> None:
    """Raise :class:`NoFiniteMLEError` for a column that sends its coefficient to ±∞.

    If column j is non-negative (and not zero) and t_j = Σ x_ij y_i = 0, every
    response is 0 where x_ij > 0: then κ(β) decreases strictly as β_j → −∞ while
    βᵀt does not change, so −ℓ has no minimizer.  For the indicator column of a
    factor level this is a level (a store) whose responses (sales) are all zero.
    Likewise for a non-positive column and β_j → +∞.  This is the one-column case
    of :func:`check_no_diverging_direction`, checked first for its clearer message.
    """
    stuck = []
    for j in np.flatnonzero(t == 0):  # only these can be stuck; usually none
        low, high = _column_range(X, j)
        if (low >= 0 < high) or (high <= 0 > low):
            stuck.append(j)
    if stuck:
        shown = ", ".join(repr(names[j]) for j in stuck[:5])
        raise NoFiniteMLEError(
            f"no finite maximum-likelihood estimate: the response is 0 in every row where "
            f"column {shown} is non-zero (for a factor: a level, e.g. a store, whose sales are "
            f"all zero). −ℓ keeps decreasing as that coefficient goes to ∓∞. Drop those rows."
        )


def _full_column_rank(A: np.ndarray) -> bool:
    """Numerical rank by singular values: σ_min > max(n, p) ε σ_max (as numpy's matrix_rank)."""
    if A.shape[0] < A.shape[1]:
        return False
    singular = np.linalg.svd(A, compute_uv=False)
    return bool(singular[-1] > max(A.shape) * np.finfo(float).eps * singular[0])


def _responses_pin_all_coefficients(X, y: np.ndarray, arrow) -> bool:
    """Does X_P d = 0 (P the rows with y > 0) force d = 0?  Then a finite MLE exists.

    For a factor plus columns Z (``arrow``, every level with positive total) this is
    full column rank of Z_P centred within each level: a d = (a, g) with
    a_{g(i)} + z_iᵀg = 0 on P must have z_iᵀg constant within levels.
    """
    positive = y > 0
    if arrow is None:
        if sp.issparse(X):
            return False  # decided by the linear program
        return _full_column_rank(X[positive])
    factor_columns, other_columns, codes = arrow
    Z = _arrow.other_columns(X, other_columns)[:, positive]
    if Z.shape[0] == 0:
        return True
    level = codes[positive]
    counts = np.bincount(level, minlength=factor_columns.size)
    means = np.stack([np.bincount(level, row, factor_columns.size) for row in Z]) / np.maximum(
        counts, 1
    )
    centred = Z - means[:, level]
    scale = np.maximum(np.abs(Z).max(axis=1, keepdims=True), np.finfo(float).tiny)
    return _full_column_rank((centred / scale).T)


def check_no_diverging_direction(X, y, names: Sequence[str], arrow=None) -> None:
    """Raise :class:`NoFiniteMLEError` when −ℓ decreases forever along some direction d.

    A finite MLE fails to exist exactly when there is a d ≠ 0 with x_iᵀd = 0 where
    y_i > 0 and x_iᵀd ≤ 0 where y_i = 0, not all zero: along β + s d (s → ∞) the
    means of the rows with x_iᵀd < 0 go to 0 and −ℓ decreases strictly (Haberman
    1974; Santos Silva and Tenreyro 2010).  Without zero responses, or when the
    positive rows alone determine β (:func:`_responses_pin_all_coefficients`), no
    such d exists and nothing more is done.  Otherwise the linear program
    min Σ_{y_i = 0} x_iᵀd subject to X_P d = 0, −1 ≤ X_Z d ≤ 0 finds it (HiGHS), and
    is solved again over the zero rows not yet separated until no new row is found,
    so the message names every row that some direction separates.
    """
    zero = y == 0
    if not zero.any() or _responses_pin_all_coefficients(X, y, arrow):
        return
    column_scale = sp.linalg.norm(X, axis=0) if sp.issparse(X) else np.linalg.norm(X, axis=0)
    column_scale = np.where(column_scale > 0, column_scale, 1.0)
    Xs = sp.csr_array(X / column_scale) if sp.issparse(X) else X / column_scale
    X_zero, X_positive = Xs[zero], Xs[~zero]
    n_zero = int(zero.sum())
    constraints = {
        "A_ub": sp.vstack([X_zero, -X_zero]) if sp.issparse(X) else np.vstack([X_zero, -X_zero]),
        "b_ub": np.r_[np.zeros(n_zero), np.ones(n_zero)],
        "A_eq": X_positive if X_positive.shape[0] else None,
        "b_eq": np.zeros(X_positive.shape[0]) if X_positive.shape[0] else None,
        "bounds": (None, None),
        "method": "highs",
    }
    # One program finds one direction, which may leave out rows that another direction
    # separates; the sum of two such directions separates both.  So the program is
    # solved again on the rows not yet found until it finds none: every row named.
    separated = np.zeros(n_zero, dtype=bool)
    total = np.zeros(X.shape[1])
    while not separated.all():
        result = scipy.optimize.linprog(
            c=np.asarray(X_zero[~separated].sum(axis=0)).ravel(), **constraints
        )
        if result.status != 0 or result.fun > -1e-7:
            break
        found = np.asarray(X_zero @ result.x).ravel() < -1e-7
        if not (found & ~separated).any():
            break
        separated |= found
        total += result.x
    if not separated.any():
        return
    direction = total / column_scale
    direction /= np.abs(direction).max()
    rows = np.flatnonzero(zero)[separated]
    largest = np.argsort(-np.abs(direction))[:4]
    shown = ", ".join(f"{names[j]!r}: {direction[j]:+.3g}" for j in largest if direction[j] != 0)
    raise NoFiniteMLEError(
        f"no finite maximum-likelihood estimate: −ℓ keeps decreasing along the direction "
        f"({shown}) of the coefficients, which sends the fitted means of {rows.size} rows with "
        f"response 0 (rows {rows[:8].tolist()}{' ...' if rows.size > 8 else ''}) to 0 and leaves "
        "every row with a positive response unchanged; the coefficients diverge along it. "
        "Drop those rows, or the columns that separate them."
    )


# --- solvers for the Newton step H Δ = r, one per shape of X ----------------------------
def _centring_and_scaling(X: np.ndarray) -> np.ndarray:
    """T with X T well scaled: columns centred when X has an intercept, then of unit norm.

    If some column is constant (an intercept, value v), every other column j is
    replaced by x_j − c_j (c_j its mean), which is X T_c with T_c = I except
    T_c[k, j] = −c_j/v in the intercept's row k; an offset such as x + 10⁸ then
    costs no digits.  Then each column is divided by its norm (T_s diagonal), so
    that the rank test does not depend on a column's units.  β = T β'.
    """
    p = X.shape[1]
    transform = np.eye(p)
    constant = np.flatnonzero((np.ptp(X, axis=0) == 0) & (X[0] != 0))
    if constant.size:
        k = constant[0]
        others = np.arange(p) != k
        transform[k, others] = -X[:, others].mean(axis=0) / X[0, k]
    norms = np.linalg.norm(X @ transform, axis=0)
    return transform / np.where(norms > 0, norms, 1.0)


class _DenseDesign:
    """Dense X, preconditioned: X T Π = Q R (T of :func:`_centring_and_scaling`, pivoted QR).

    Newton runs in β'' = R Πᵀ T⁻¹ β on the design Q.  Newton's method is affine
    invariant, so its iterates are those on X; but the Hessian QᵀWQ is as well
    conditioned as W, whatever the scale, offset or near-collinearity of the
    columns of X (x + 10⁸ beside an intercept), and the stopping rule on the
    step in β'' is invariant to rescaling and shifting a column.  The numerical
    rank of X is read off R's diagonal.  O(n p²) once, then O(n p² + p³) per step.
    """

    def __init__(self, X: np.ndarray):
        self.transform = _centring_and_scaling(X)
        self.centred = X @ self.transform
        Q, R, self.permutation = scipy.linalg.qr(self.centred, mode="economic", pivoting=True)
        diagonal = np.abs(np.diag(R))
        if diagonal[-1] <= RANK_TOL * diagonal[0]:
            raise NoUniqueMLEError("X does not have full column rank; drop redundant columns")
        self.X, self.R = Q, R

    def eta(self, beta):
        return self.X @ beta

    def xt(self, v):
        return self.X.T @ v

    def system(self, w):
        """Factorization of QᵀWQ and the vector Qᵀw, W = diag(w)."""
        try:
            return scipy.linalg.cho_factor((self.X.T * w) @ self.X), self.X.T @ w
        except np.linalg.LinAlgError as err:
            raise ConvergenceError(
                "the Hessian became singular during the Newton iteration (fitted means "
                "underflowed to 0); the fit is stuck"
            ) from err

    def solve(self, factor, r):
        return scipy.linalg.cho_solve(factor, r)

    def fitted_eta(self, beta):
        """η = (X T) β' with β' = Π R⁻¹ β'': on the centred columns, so no offset cancels, and
        without Q, whose rows carry their own rounding (η of an intercept-only fit is one
        number, not n numbers a few ulps apart)."""
        unpermuted = np.empty_like(beta)
        unpermuted[self.permutation] = scipy.linalg.solve_triangular(self.R, beta)
        return self.centred @ unpermuted

    def coefficients(self, beta, factor):
        """β = T Π R⁻¹ β'' and √diag H⁻¹, H⁻¹ = T Π (U R)⁻¹ (U R)⁻ᵀ Πᵀ Tᵀ, QᵀWQ = UᵀU."""
        upper = np.triu(factor[0].T if factor[1] else factor[0])
        inverse = scipy.linalg.solve_triangular(upper @ self.R, np.eye(self.R.shape[0]))
        unpermuted_beta, unpermuted_inverse = np.empty_like(beta), np.empty_like(inverse)
        unpermuted_beta[self.permutation] = scipy.linalg.solve_triangular(self.R, beta)
        unpermuted_inverse[self.permutation] = inverse
        root = self.transform @ unpermuted_inverse
        return self.transform @ unpermuted_beta, np.sqrt(np.sum(root**2, axis=1))


class _SparseDesign:
    """Sparse X with columns scaled to unit maximum: H = XᵀWX as a sparse product, sparse LU.

    Scaling the columns makes the stopping rule invariant to the units of a column.
    """

    def __init__(self, X):
        scale = np.asarray(abs(X).max(axis=0).toarray()).ravel()
        self.scale = np.where(scale > 0, scale, 1.0)
        self.X = sp.csc_array(X @ sp.diags_array(1 / self.scale))

    def eta(self, beta):
        return self.X @ beta

    def xt(self, v):
        return self.X.T @ v

    def system(self, w):
        H = sp.csc_array(self.X.T @ sp.diags_array(w) @ self.X)
        try:
            return scipy.sparse.linalg.splu(H), self.X.T @ w
        except RuntimeError as err:  # "Factor is exactly singular"
            raise NoUniqueMLEError(
                "X does not have full column rank; drop redundant columns"
            ) from err

    def solve(self, factor, r):
        return factor.solve(r)

    def fitted_eta(self, beta):
        return self.X @ beta

    def coefficients(self, beta, factor):
        """β = D β' and √diag H⁻¹ = √diag(H'⁻¹) / d with D = diag(1/scale)."""
        inverse_diagonal = np.diag(factor.solve(np.eye(self.X.shape[1])))
        return beta / self.scale, np.sqrt(inverse_diagonal) / self.scale


#: Find a factor block in a sparse model matrix (see :func:`statbook._arrow.find_factor`).
arrow_structure = _arrow.find_factor


# --- fitting -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PoissonFit:
    """Result of :func:`fit_poisson`, named as in R's ``glm`` summary."""

    coef: np.ndarray  #: β̂
    se: np.ndarray  #: standard errors √diag(H(β̂)⁻¹)
    names: tuple[str, ...]  #: column names of X
    deviance: float  #: residual deviance 2(ℓ_saturated − ℓ(β̂))
    null_deviance: float  #: deviance of the intercept-only model, μ = ȳ
    df_residual: int  #: n − p
    df_null: int  #: n − 1
    loglik: float  #: ℓ(β̂), with the constant −Σ log y_i!
    aic: float  #: −2ℓ(β̂) + 2p
    n_iter: int  #: Newton iterations after the starting step
    deviance_trace: tuple[float, ...]  #: deviance at the start and after each iteration
    method: str  #: "dense", "sparse" or "arrow"

    def table(self) -> pd.DataFrame:
        """Coefficients, standard errors and z-values, one row per column of X."""
        return pd.DataFrame(
            {"estimate": self.coef, "std_error": self.se, "z": self.coef / self.se},
            index=pd.Index(self.names, name="term"),
        )

    @property
    def par(self) -> np.ndarray:
        """β̂, the parameter of :func:`negloglik` (every fit result has ``par``)."""
        return self.coef

    def __getitem__(self, name: str) -> float:
        """The estimate of the coefficient called ``name``."""
        return float(self.coef[self.names.index(name)])


def _newton(design, y: np.ndarray, t: np.ndarray, tol: float, max_iter: int):
    """Minimize κ(β) − βᵀt by Newton's method with step halving.

    The start is one weighted least-squares step from μ = y + 0.1 (as R's glm
    starts); then :func:`statbook._newton.damped_newton`.  Returns β̂, the
    factorization of H at the last iterate, the core −ℓ at each iterate, and the
    number of steps taken after the start.
    """
    mu = y + 0.1
    factor, _ = design.system(mu)
    start = design.solve(factor, design.xt(mu * np.log(mu) + (y - mu)))

    def evaluate(beta):
        with np.errstate(over="ignore"):
            fitted = np.exp(design.eta(beta))
        return fitted.sum() - beta @ t, fitted

    def newton_step(beta, fitted):
        factor, x_t_mu = design.system(fitted)
        return design.solve(factor, x_t_mu - t), factor

    return damped_newton(
        start,
        evaluate,
        newton_step,
        tol=tol,
        max_iter=max_iter,
        slack=lambda value: 1e-12 * abs(value),
    )


def fit_poisson(
    X,
    y,
    *,
    names: Sequence[str] | None = None,
    method: str = "auto",
    tol: float = 1e-10,
    max_iter: int = 100,
) -> PoissonFit:
    """Maximum-likelihood fit of the Poisson regression log μ = Xβ by Newton's method.

    ``X`` is a dense array or a scipy.sparse matrix.  ``method``: "dense"
    (Cholesky of XᵀWX), "sparse" (sparse LU of XᵀWX), "arrow" (a factor block
    profiled out: Newton on the profile likelihood of the other coefficients, whose
    Hessian is the Schur complement, :mod:`statbook._arrow`) or "auto": arrow
    when X is sparse and holds a factor block, sparse for other sparse X, dense
    otherwise.  Raises :class:`NoFiniteMLEError` when a column sends its
    coefficient to ±∞ (e.g. a store with all-zero sales), naming it.
    """
    tol, max_iter = check_tolerance(tol, max_iter)
    X = _as_design(X)
    counts = _as_response(y, X)
    y_float = counts.astype(float)
    n, p = X.shape
    if n < p:
        raise NoUniqueMLEError(
            f"X has fewer rows ({n}) than columns ({p}): the coefficients are not determined"
        )
    names = tuple(names) if names is not None else tuple([f"x{j}" for j in range(p)])
    if len(names) != p:
        raise DataError(f"names has {len(names)} entries but X has {p} columns")
    if method not in ("auto", "dense", "sparse", "arrow"):
        raise DataError(f"method must be 'auto', 'dense', 'sparse' or 'arrow'; got {method!r}")

    arrow = arrow_structure(X) if method in ("auto", "arrow") else None
    if method == "arrow" and arrow is None:
        raise DataError("method='arrow' needs a sparse X with a block of factor indicators")
    if arrow is not None:
        method = "arrow"
        factor_columns, other_columns, codes = arrow
        Z = _arrow.other_columns(X, other_columns)
        order = np.concatenate([factor_columns, other_columns])  # parameters (α, γ)
        t = np.empty(p)  # the sufficient statistic Xᵀy: level totals and Zᵀy
        t[order] = np.concatenate([np.bincount(codes, y_float, factor_columns.size), Z @ y_float])
        check_finite_mle(X, t, names)
        check_no_diverging_direction(X, y_float, names, arrow)
        estimates, errors, trace, n_iter, eta = _arrow.fit(
            codes, Z, y_float, t[order][: factor_columns.size], tol, max_iter
        )
        coef, std_err = np.empty(p), np.empty(p)
        coef[order], std_err[order] = estimates, errors
    else:
        if method == "auto":
            method = "sparse" if sp.issparse(X) else "dense"
        if method == "dense":
            design = _DenseDesign(X.toarray() if sp.issparse(X) else X)
        else:
            design = _SparseDesign(sp.csc_array(X))
        check_finite_mle(X, np.asarray(X.T @ y_float), names)
        check_no_diverging_direction(X, y_float, names)
        t = design.xt(y_float)  # the sufficient statistic, in the design's coordinates
        beta, factor, trace, n_iter = _newton(design, y_float, t, tol, max_iter)
        coef, std_err = design.coefficients(beta, factor)
        eta = np.asarray(design.fitted_eta(beta), dtype=float)  # well conditioned

    _, y_log_y = _count_constants(counts)
    to_deviance = 2.0 * y_log_y
    total = float(counts.sum())
    # the deviances summed row by row (no cancellation at large counts), and
    # ℓ = −(deviance/2 + Σ (log y! − y log y + y)); the null model's μ is ȳ
    deviance_value = 2.0 * float(_deviance_terms(y_float, eta).sum())
    null_eta = np.full(n, np.log(total / n) if total > 0 else -np.inf)
    null_deviance = 2.0 * float(_deviance_terms(y_float, null_eta).sum())
    loglik = -(0.5 * deviance_value + float(stirling_remainder(y_float).sum()))
    return PoissonFit(
        coef=coef,
        se=std_err,
        names=names,
        deviance=deviance_value,
        null_deviance=null_deviance,
        df_residual=n - p,
        df_null=n - 1,
        loglik=loglik,
        aic=-2.0 * loglik + 2.0 * p,
        n_iter=n_iter,
        # the last iterate's deviance as reported above (summed without cancellation)
        deviance_trace=(*(2.0 * value + to_deviance for value in trace[:-1]), deviance_value),
        method=method,
    )


# --- formulas -------------------------------------------------------------------------------
_LOG_OF = re.compile(r"\blog\(\s*([A-Za-z_]\w*)\s*\)")


def _as_frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if not isinstance(data, Mapping):
        raise DataError(f"data must be a DataFrame or a mapping of columns; got {type(data)}")
    lengths = {name: len(values) for name, values in data.items()}
    first = next(iter(lengths), None)
    for name, length in lengths.items():
        if length != lengths[first]:
            raise DataError(
                f"column {name!r} has {length} values but column {first!r} has {lengths[first]}"
            )
    return pd.DataFrame(dict(data))


def _check_variables(formula: Formula, frame: pd.DataFrame) -> str:
    """Check the columns a formula uses; return the response column's name."""
    response = sorted(formula.lhs.required_variables)
    if len(response) != 1:
        raise DataError(f"the formula needs one response column on the left; got {response}")
    for name in sorted(formula.lhs.required_variables | formula.rhs.required_variables):
        if name not in frame.columns:
            raise DataError(f"column {name!r} is not in the data; columns: {list(frame.columns)}")
        if frame[name].isna().any():
            row = int(np.flatnonzero(frame[name].isna().to_numpy())[0])
            raise DataError(f"column {name!r} has a missing value (NaN) in row {row}")
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values) and not np.isfinite(values.to_numpy(float)).all():
            row = int(np.flatnonzero(~np.isfinite(values.to_numpy(float)))[0])
            raise DataError(
                f"column {name!r} has a non-finite value ({values.iloc[row]}) in row {row}"
            )
    for name in _LOG_OF.findall(str(formula.rhs)):
        values = frame[name].to_numpy(dtype=float)
        if np.any(values <= 0):
            row = int(np.flatnonzero(values <= 0)[0])
            raise DataError(
                f"column {name!r} is logged in the formula, so it must be positive; "
                f"found {values[row]:g} in row {row}"
            )
    return response[0]


@functools.lru_cache(maxsize=64)
def _parse(formula: str) -> Formula:
    """formulaic's parse of a formula, cached: parsing depends on the text alone."""
    return Formula(formula)


_FACTOR_CALL = re.compile(r"^C\(\s*([A-Za-z_]\w*)\s*\)$")


def _factor_levels(term: str, frame: pd.DataFrame):
    """(codes, level names) when ``term`` is a factor we can code directly, else None.

    A term ``C(name)`` of a categorical, text or integer column, or a bare ``name``
    of a categorical or text column; levels as formulaic orders them (a
    Categorical's categories, all of them; otherwise the sorted distinct values).
    """
    call = _FACTOR_CALL.match(term)
    name = call.group(1) if call else term
    if name not in frame.columns:
        return None
    column = frame[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical = column.array
    elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        if not column.map(type).eq(str).all():
            return None
        categorical = pd.Categorical(column)
    elif call and pd.api.types.is_integer_dtype(column.dtype):
        categorical = pd.Categorical(column)
    else:
        return None
    levels = [f"{term}[{level}]" for level in categorical.categories]
    return np.asarray(categorical.codes, dtype=np.int64), levels


def _factor_plus_numeric_matrix(parsed: Formula, frame: pd.DataFrame):
    """The model matrix of ``factor + numeric terms`` without an intercept, or None.

    This is the shape of the store model.  formulaic builds the numeric columns
    (a dense matrix, cheap); the factor's indicator block is built from its
    categorical codes in one step instead of formulaic's general sparse encoding,
    which costs most of the time of a fit.  Columns and names are formulaic's:
    the terms in the formula's order (tests compare both).  Anything else
    (an intercept, two factors, an interaction with the factor) returns None.
    """
    terms = [str(term) for term in parsed.rhs]
    if "1" in terms:
        return None
    factors = [(i, _factor_levels(term, frame)) for i, term in enumerate(terms)]
    factors = [(i, coded) for i, coded in factors if coded is not None]
    if len(factors) != 1:
        return None
    position, (codes, levels) = factors[0]
    others = terms[:position] + terms[position + 1 :]
    factor_variable = _FACTOR_CALL.sub(r"\1", terms[position])
    variables = parsed.rhs.required_variables - {factor_variable}
    if not all(pd.api.types.is_numeric_dtype(frame[name]) for name in variables):
        return None
    n = len(frame)
    block = sp.csc_array((np.ones(n), (np.arange(n), codes)), shape=(n, len(levels)))
    columns = [_simple_numeric_term(term, frame) for term in others]
    if all(column is not None for column in columns):  # one column per term
        names, before = others, position
        dense = np.column_stack(columns) if columns else np.empty((n, 0))
    else:  # interactions, transforms with state, ...: formulaic builds the numeric part
        numeric = model_matrix(
            _parse(" + ".join(others) + " - 1"), frame, output="numpy", na_action="raise"
        )
        spec = numeric.model_spec
        names = list(spec.column_names)
        before = sum(len(spec.term_indices[t]) for t in spec.terms if str(t) in terms[:position])
        dense = np.asarray(numeric, dtype=float)
    X = sp.hstack(
        [sp.csc_array(dense[:, :before]), block, sp.csc_array(dense[:, before:])], format="csc"
    )
    return X, (*names[:before], *levels, *names[before:])


_NUMPY_OF_COLUMN = re.compile(r"^(?:np\.(\w+)\(\s*)?([A-Za-z_]\w*)(?(1)\s*\))$")


def _simple_numeric_term(term: str, frame: pd.DataFrame) -> np.ndarray | None:
    """The values of a term ``name`` or ``np.f(name)`` of a numeric column, else None.

    formulaic evaluates such a term as exactly this numpy call on the column.
    """
    match = _NUMPY_OF_COLUMN.match(term)
    if match is None or match.group(2) not in frame.columns:
        return None
    values = frame[match.group(2)].to_numpy(dtype=float)
    if match.group(1) is None:
        return values
    function = getattr(np, match.group(1), None)
    if not isinstance(function, np.ufunc) or function.nin != 1:
        return None
    return function(values)


def poisson_glm(formula: str, data, **options) -> PoissonFit:
    """Fit a Poisson regression given by an R-style formula, like R's ``glm``.

    ``formula`` is read by formulaic, e.g. ``"sale ~ np.log(normalSale)"`` or
    ``"sale ~ C(store) + np.log(normalSale) - 1"``; a formula with a factor
    gives a sparse model matrix, which :func:`fit_poisson` fits by the arrow
    path (for a factor plus numeric terms the factor block is built from the
    categorical codes, :func:`_factor_plus_numeric_matrix`).  ``data`` is a
    DataFrame (or a mapping of equally long columns).  Bad data raise
    ``ValueError`` naming the column.  ``options`` go to :func:`fit_poisson`.
    """
    frame = _as_frame(data)
    if not isinstance(formula, str):
        raise DataError(f"formula must be a string such as 'y ~ x'; got {type(formula).__name__}")
    try:
        parsed = _parse(formula)
    except FormulaicError as err:
        raise DataError(f"formula {formula!r} cannot be read: {err}") from err
    if not hasattr(parsed, "lhs"):
        raise DataError(f"formula {formula!r} needs a response on the left of ~")
    response = _check_variables(parsed, frame)
    y = as_count_vector(frame[response].to_numpy(dtype=float), response)
    direct = _factor_plus_numeric_matrix(parsed, frame)
    if direct is not None:
        X, names = direct
        return fit_poisson(X, y, names=names, **options)
    used = parsed.rhs.required_variables
    has_factor = "C(" in formula or any(
        not pd.api.types.is_numeric_dtype(frame[name]) for name in used
    )
    try:
        rhs = model_matrix(
            parsed.rhs, frame, output="sparse" if has_factor else "pandas", na_action="raise"
        )
    except FormulaicError as err:
        raise DataError(f"formula {formula!r} cannot be evaluated on the data: {err}") from err
    names = tuple(rhs.model_spec.column_names)
    X = rhs.__wrapped__ if has_factor else rhs.to_numpy(dtype=float)
    return fit_poisson(X, y, names=names, **options)
