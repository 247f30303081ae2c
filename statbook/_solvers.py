"""Solvers for the Newton step H Δ = r of Poisson regression, one per shape of X.

A dense X is preconditioned (centred, unit-norm columns, pivoted QR), a sparse one
scaled by columns and factorized by sparse LU; a factor block is profiled out in
:mod:`statbook._arrow`.  :func:`newton` runs :func:`statbook._newton.damped_newton`
on a design.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

from statbook._newton import damped_newton
from statbook.exceptions import ConvergenceError, NoUniqueMLEError

#: Relative size of R's smallest diagonal entry (pivoted QR of the centred, unit-norm
#: columns) below which X counts as rank deficient: R's ``qr`` default, 1e-7.  A larger
#: diagonal still gives coefficients whose deviance can be evaluated to 9 digits.
RANK_TOL = 1e-7


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


class DenseDesign:
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


class SparseDesign:
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
        """Sparse LU of H = XᵀWX scaled to unit diagonal (D⁻¹HD⁻¹, D = √diag H), and Xᵀw.

        The rank test reads the LU's pivots: with a unit diagonal they are the squares
        of the diagonal of R in the dense test, so a pivot below RANK_TOL² times the
        largest is the same decision (and the same in any units of the columns).
        """
        H = sp.csc_array(self.X.T @ sp.diags_array(w) @ self.X)
        diagonal = H.diagonal()
        if not np.all(diagonal > 0):
            raise NoUniqueMLEError("X does not have full column rank; drop redundant columns")
        root = np.sqrt(diagonal)
        scaled = sp.csc_array(sp.diags_array(1 / root) @ H @ sp.diags_array(1 / root))
        try:
            lu = scipy.sparse.linalg.splu(scaled)
        except RuntimeError as err:  # "Factor is exactly singular"
            raise NoUniqueMLEError(
                "X does not have full column rank; drop redundant columns"
            ) from err
        pivots = np.abs(lu.U.diagonal())
        if pivots.min() <= RANK_TOL**2 * pivots.max():
            raise NoUniqueMLEError("X does not have full column rank; drop redundant columns")
        return (lu, root), self.X.T @ w

    def solve(self, factor, r):
        lu, root = factor
        return lu.solve(r / root) / root

    def fitted_eta(self, beta):
        return self.X @ beta

    def coefficients(self, beta, factor):
        """β = D β' and √diag H⁻¹ = √diag(H'⁻¹) / d with D = diag(1/scale)."""
        inverse_diagonal = np.diag(self.solve(factor, np.eye(self.X.shape[1])))
        return beta / self.scale, np.sqrt(inverse_diagonal) / self.scale


def newton(design, y: np.ndarray, t: np.ndarray, tol: float, max_iter: int):
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
