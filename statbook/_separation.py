"""The separation check of Poisson regression: is there a finite MLE at all?

A finite maximum-likelihood estimate fails to exist exactly when some direction d ≠ 0
has x_iᵀd = 0 where y_i > 0 and x_iᵀd ≤ 0 where y_i = 0, not all zero (Haberman
1974): :func:`check_finite_mle` finds the one-column case, with the clearer message,
:func:`check_no_diverging_direction` the general one by linear programs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from statbook import _arrow
from statbook.exceptions import NoFiniteMLEError


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
