"""Section 6.3: Poisson regression as an exponential family.

Responses y_i ∈ ℕ₀ are independent given the predictors x_i ∈ ℝ^p, Poisson
with log-linear mean log μ(x_i) = x_iᵀβ.  The point probabilities

    p_i(y_i | x_i) = exp(βᵀ x_i y_i − exp(x_iᵀβ)) / y_i!             (Example 6.4)

form an exponential family with sufficient statistic and log-normalizer

    t(y) = Σ x_i y_i = Xᵀy,       κ(β) = Σ exp(x_iᵀβ),

so the negative log-likelihood is −ℓ(β) = κ(β) − βᵀXᵀy + Σ log y_i!, with

    ∇κ(β) = Σ x_i exp(x_iᵀβ) = Xᵀμ(β),
    D²κ(β) = Σ x_i x_iᵀ exp(x_iᵀβ) = XᵀW(β)X,   W(β) = diag(exp(x_iᵀβ)).

The counts enter −ℓ only through t = Xᵀy and the constant Σ log y_i!
(:class:`PoissonRegStats`, computed once); the design X is the model, and enters
through κ.  :func:`suff_stats` returns the two together (:class:`PoissonRegression`),
with the counts for the one place that needs them: where the statistics' form
cancels at large counts, −ℓ and the deviance are summed per observation.  The
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

The module holds the family (sufficient statistics, −ℓ, gradient, Hessian, deviance)
and the fit; the separation check is in :mod:`statbook._separation`, the Newton-step
solvers in :mod:`statbook._solvers` and the formula front end (:func:`poisson_glm`)
in :mod:`statbook._formula`; their public names are available here too.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import gammaln, xlogy

from statbook import _arrow, _formula, _separation, _solvers
from statbook._validate import as_count_vector, as_float_array, as_parameter, check_tolerance
from statbook.exceptions import (
    DataError,
    NoFiniteMLEError,  # noqa: F401 (regression.NoFiniteMLEError, as before)
    NoUniqueMLEError,
)
from statbook.poisson import deviance_term, stirling_remainder

# Peak size (in numbers) of the n × m block of linear predictors evaluated at once.
_BLOCK = 2**22
#: Where the terms of the sufficient-statistic form exceed its value this many times
#: (10 of 53 bits lost), −ℓ and the deviance are summed row by row instead.
CANCELLATION = 2.0**10


class PoissonRegStats(NamedTuple):
    """The sufficient statistics of the counts given the design: p + 4 numbers, whatever n."""

    t: np.ndarray  #: sufficient statistic t = Xᵀy, length p
    n: int  #: number of observations
    log_factorials: float  #: Σ log y_i!, the constant of −ℓ
    y_log_y: float  #: Σ (y_i log y_i − y_i), the saturated part of the deviance
    remainder: float  #: Σ (log y_i! − y_i log y_i + y_i) by Stirling's series, ≥ 0


class PoissonRegression(NamedTuple):
    """One Poisson regression as −ℓ reads it: the design, the statistics and the counts.

    The design X is the model, not data: it fixes κ(β) = Σ exp(x_iᵀβ).  The counts
    enter −ℓ = κ(β) − βᵀt + Σ log y_i! only through ``stats``.  They travel beside
    the statistics for one reason: where that form cancels (its terms over
    ``CANCELLATION`` = 2¹⁰ times its value; counts near 10¹², where κ(β) and βᵀt share
    twelve digits) or overflows, −ℓ and the deviance are summed per observation as
    Σ [y_i log(y_i/μ_i) − (y_i − μ_i)], whose terms are each ≥ 0, so nothing cancels.
    Near the fit each term is about (y_i − μ_i)²/(2μ_i), a function of every y_i that
    no statistic of fixed size gives to full relative precision.
    """

    X: np.ndarray | sp.csc_array  #: the design (model matrix), n × p, dense or sparse
    stats: PoissonRegStats  #: what −ℓ needs of the counts
    y: np.ndarray  #: the counts, as floats: read only by the per-observation fallback

    @property
    def t(self) -> np.ndarray:
        """The sufficient statistic t = Xᵀy (``stats.t``)."""
        return self.stats.t


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


def suff_stats(X, y) -> PoissonRegression:
    """Sufficient statistic t = Xᵀy and the constants of −ℓ and of the deviance, with
    the design X they are conditional on and the counts y for the careful fallback
    (:class:`PoissonRegression` says why)."""
    X = _as_design(X)
    counts = _as_response(y, X)
    y_float = counts.astype(float)
    log_factorials, y_log_y = _count_constants(counts)
    stats = PoissonRegStats(
        t=np.asarray(X.T @ y_float, dtype=float),
        n=counts.size,
        log_factorials=log_factorials,
        y_log_y=y_log_y,
        remainder=float(stirling_remainder(y_float).sum()),
    )
    return PoissonRegression(X=X, stats=stats, y=y_float)


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


def kappa(beta, stats: PoissonRegression) -> np.ndarray:
    """Log-normalizer κ(β) = Σ_i exp(x_iᵀβ), vectorized over leading axes of ``beta``.

    κ depends on the design alone.  Overflow of exp gives κ = +inf (the honest value),
    without a warning.
    """
    X = stats.X
    beta = as_parameter(beta, X.shape[1], "beta")
    with np.errstate(over="ignore"):
        parts = [
            np.exp(_linear_predictors(X, block)).sum(axis=0)
            for block in _blocks(beta, stats.stats.n)
        ]
    return np.concatenate(parts).reshape(beta.shape[:-1])


def _sufficient_form(beta, stats: PoissonRegression, constant: float, careful) -> np.ndarray:
    """κ(β) − βᵀt + ``constant`` over a grid of β, and ``careful`` where that form fails.

    +inf for a β off ℝ^p (infinite or NaN).  Block by block (:func:`_blocks`): where
    the value is not finite, or its terms κ(β) + |βᵀt| + |constant| exceed
    ``CANCELLATION`` times it, ``careful(eta, overflowed)`` gives it instead from the
    linear predictors η (n × k) of those β; ``overflowed`` marks where it was not finite.
    """
    X, sufficient, _ = stats
    beta = as_parameter(beta, X.shape[1], "beta")
    inside = np.all(np.isfinite(beta), axis=-1)
    beta = np.where(inside[..., None], beta, 0.0)
    parts = []
    for block in _blocks(beta, sufficient.n):
        eta = _linear_predictors(X, block)
        with np.errstate(over="ignore", invalid="ignore"):
            kappa_value = np.exp(eta).sum(axis=0)
            linear = block @ sufficient.t
            value = kappa_value - linear + constant
            size = kappa_value + np.abs(linear) + abs(constant)
        overflowed = ~np.isfinite(value)
        redo = overflowed | (size > CANCELLATION * np.abs(value))
        if redo.any():
            value[redo] = careful(eta[:, redo], overflowed[redo])
        parts.append(value)
    return np.where(inside, np.concatenate(parts).reshape(beta.shape[:-1]), np.inf)


def negloglik(beta, stats: PoissonRegression) -> np.ndarray:
    """−ℓ(β) = κ(β) − βᵀt + Σ log y_i!, vectorized over leading axes of ``beta``.

    The parameter space is all of ℝ^p: +inf for a β that is infinite or NaN.  For
    an ordinary β this is κ(β) − βᵀt + Σ log y_i! from the statistics; where it
    overflows, the same −ℓ is summed row by row as Σ_i [exp(η_i) − y_i η_i] + Σ log y_i!
    (βᵀt = ηᵀy), which is finite or +inf, and where it cancels (terms over
    ``CANCELLATION`` times the value) as deviance/2 + Σ (log y_i! − y_i log y_i + y_i),
    neither of which cancels: both need the counts (:class:`PoissonRegression`).
    """
    _, sufficient, counts = stats

    def careful(eta, overflowed):  # Σ_i [exp(η_i) − y_i η_i], or deviance/2 + remainder
        value = np.empty(eta.shape[1])
        value[overflowed] = _core_negloglik(eta[:, overflowed], counts)
        value[overflowed] += sufficient.log_factorials
        rest = eta[:, ~overflowed]
        value[~overflowed] = _deviance_terms(counts[:, None], rest).sum(axis=0)
        value[~overflowed] += sufficient.remainder
        return value

    return _sufficient_form(beta, stats, sufficient.log_factorials, careful)


def grad(beta, stats: PoissonRegression) -> np.ndarray:
    """∇(−ℓ)(β) = ∇κ(β) − t = Xᵀμ(β) − Xᵀy, with μ(β) = exp(Xβ); one β of length p."""
    X, t = stats.X, stats.stats.t
    beta = as_parameter(beta, X.shape[1], "beta")
    with np.errstate(over="ignore", invalid="ignore"):  # exp overflows to +inf: its value
        mu = np.exp(X @ beta)
        if sp.issparse(X):  # only stored entries are multiplied: no 0 · ∞
            return np.asarray(X.T @ mu) - t
        return np.where(X != 0, X * mu[:, None], 0.0).sum(axis=0) - t


def hessian(beta, stats: PoissonRegression):
    """D²(−ℓ)(β) = D²κ(β) = XᵀW(β)X with W(β) = diag(exp(Xβ)); one β of length p.

    It depends on the design alone.  Dense X gives a dense p × p array, sparse X a
    sparse one (for the store model it is the arrow: diagonal store block, one dense
    row and column).
    """
    X = stats.X
    beta = as_parameter(beta, X.shape[1], "beta")
    with np.errstate(over="ignore", invalid="ignore"):  # exp overflows to +inf: its value
        weights = np.exp(X @ beta)
        if sp.issparse(X):
            return sp.csc_array(X.T @ sp.diags_array(weights) @ X)
        if np.all(np.isfinite(weights)):
            return (X.T * weights) @ X
        # a weight of +inf: Σ_i w_i x_ij x_ik over the rows where x_ij x_ik ≠ 0 (no 0 · ∞)
        products = X[:, :, None] * X[:, None, :]
        return np.where(products != 0, products * weights[:, None, None], 0.0).sum(axis=0)


def deviance(beta, stats: PoissonRegression) -> np.ndarray:
    """Deviance 2(ℓ_saturated − ℓ(β)) = 2 Σ [y_i log(y_i/μ_i) − (y_i − μ_i)].

    Through the sufficient statistics it is 2(κ(β) − βᵀt + Σ(y_i log y_i − y_i)); that
    form is used where it keeps its digits, and where its terms are over 2¹⁰ times
    the deviance (counts near 10¹²: κ(β) and βᵀt cancel) the deviance is summed row
    by row in the form above (:func:`_deviance_terms`), which does not cancel and
    needs the counts (:class:`PoissonRegression`).
    """
    _, sufficient, counts = stats

    def careful(eta, overflowed):  # summed per observation, whatever the reason
        return _deviance_terms(counts[:, None], eta).sum(axis=0)

    return 2.0 * _sufficient_form(beta, stats, sufficient.y_log_y, careful)


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

    arrow = _arrow.find_factor(X) if method in ("auto", "arrow") else None
    if method == "arrow" and arrow is None:
        raise DataError("method='arrow' needs a sparse X with a block of factor indicators")
    if arrow is not None:
        method = "arrow"
        factor_columns, other_columns, codes = arrow
        Z = _arrow.other_columns(X, other_columns)
        order = np.concatenate([factor_columns, other_columns])  # parameters (α, γ)
        t = np.empty(p)  # the sufficient statistic Xᵀy: level totals and Zᵀy
        t[order] = np.concatenate([np.bincount(codes, y_float, factor_columns.size), Z @ y_float])
        _separation.check_finite_mle(X, t, names)
        _separation.check_no_diverging_direction(X, y_float, names, arrow)
        estimates, errors, trace, n_iter, eta = _arrow.fit(
            codes, Z, y_float, t[order][: factor_columns.size], tol, max_iter
        )
        coef, std_err = np.empty(p), np.empty(p)
        coef[order], std_err[order] = estimates, errors
    else:
        if method == "auto":
            method = "sparse" if sp.issparse(X) else "dense"
        if method == "dense":
            design = _solvers.DenseDesign(X.toarray() if sp.issparse(X) else X)
        else:
            design = _solvers.SparseDesign(sp.csc_array(X))
        _separation.check_finite_mle(X, np.asarray(X.T @ y_float), names)
        _separation.check_no_diverging_direction(X, y_float, names)
        t = design.xt(y_float)  # the sufficient statistic, in the design's coordinates
        beta, factor, trace, n_iter = _solvers.newton(design, y_float, t, tol, max_iter)
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


#: Find a factor block in a sparse model matrix (see :func:`statbook._arrow.find_factor`).
arrow_structure = _arrow.find_factor
#: The separation check and the formula front end live in modules of their own.
check_finite_mle = _separation.check_finite_mle
check_no_diverging_direction = _separation.check_no_diverging_direction
poisson_glm = _formula.poisson_glm
RANK_TOL = _solvers.RANK_TOL
