"""Optimization the chapter needs beyond scipy: an R-``optim``-like Nelder–Mead.

The book's seed runs R's ``optim()``, whose default method is the Nelder–Mead
simplex search of Nash (*Compact Numerical Methods for Computers*, 2nd ed.,
1990) as implemented in R (``nmmin``).  scipy's ``minimize(method="Nelder-Mead")``
is a different variant (other initial simplex, other contraction rules, other
stopping rule), so it stops at other points after another number of
evaluations.  :func:`optim` implements the R variant so that the seed's numbers
(estimate, value and the count of function evaluations) are reproduced:

* initial simplex: the start x₀ and x₀ + s eᵢ for each coordinate i, with
  s = 0.1 · max|x₀ᵢ| (s = 0.1 if x₀ = 0);
* each step replaces the worst vertex H using the centroid c of the others:
  reflection r = c + α(c − x_H) (α = 1); if r beats the best vertex, the
  expansion c + γ(r − c) (γ = 2) is tried and the better of the two kept;
  otherwise r replaces H if it beats H, and the contraction
  x_H + β(c − x_H) (β = 1/2) is tried; if that fails too and r did not beat
  H, the whole simplex shrinks towards the best vertex by β;
* a value that is not finite counts as 10³⁵ (so +inf off the parameter space
  simply pushes the simplex back);
* stop when f_worst ≤ f_best + reltol · (|f(x₀)| + reltol), R's default
  reltol = √(machine epsilon) ≈ 1.49e-8, or after ``maxit`` = 500 evaluations.

A start where ``fn`` is not finite raises ``ValueError``: there is no simplex
to build from a point with no value (R stops with "function cannot be evaluated
at initial parameters").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from statbook._validate import as_finite_number, as_float_vector, as_sample_size
from statbook.exceptions import DataError

BIG = 1.0e35  #: stands in for a value that is not finite
RELTOL = float(np.sqrt(np.finfo(float).eps))  #: R's default relative tolerance


@dataclass
class OptimResult:
    """What R's ``optim`` returns, plus the path.

    ``counts`` is the number of function evaluations (R reports it as
    ``counts["function"]``); ``convergence`` is 0 on success, 1 when ``maxit``
    was reached and 10 when the simplex stopped shrinking (R's codes).
    ``trace`` holds every evaluated point in order (shape (counts, p)) and
    ``trace_values`` the values there; ``best_path`` is the best vertex after
    each step, which is what a picture of the search should show.
    """

    par: np.ndarray
    value: float
    counts: int
    convergence: int
    trace: np.ndarray
    trace_values: np.ndarray
    best_path: np.ndarray = field(repr=False)


def _evaluate(fn, x, args, points, values) -> float:
    value = float(fn(x.copy(), *args))
    points.append(x.copy())
    values.append(value)
    return value if np.isfinite(value) else BIG


def _initial_simplex(x0: np.ndarray, step: float) -> tuple[np.ndarray, float]:
    """Vertices x₀ and x₀ + s eᵢ (as columns), and the simplex's size Σ s."""
    n = x0.size
    simplex = np.repeat(x0[:, None], n + 1, axis=1)
    size = 0.0
    for i in range(n):
        trial = step
        while simplex[i, i + 1] == x0[i]:  # a step too small to change x0[i] is enlarged
            simplex[i, i + 1] = x0[i] + trial
            trial *= 10
        size += trial
    return simplex, size


def optim(
    par0,
    fn: Callable[..., float],
    *args,
    method: str = "Nelder-Mead",
    reltol: float = RELTOL,
    abstol: float = -np.inf,
    maxit: int = 500,
    alpha: float = 1.0,
    beta: float = 0.5,
    gamma: float = 2.0,
) -> OptimResult:
    """Minimize ``fn(par, *args)`` from ``par0`` by R's Nelder–Mead (see the module docstring)."""
    if method != "Nelder-Mead":
        raise DataError(f"method must be 'Nelder-Mead' (the only one implemented); got {method!r}")
    x0 = as_float_vector(np.ravel(par0), "par0")
    maxit = as_sample_size(maxit, "maxit", minimum=1)
    reltol = as_finite_number(reltol, "reltol", low=0.0)
    if not abstol < np.inf:
        raise DataError(f"abstol must be below +inf; got {abstol}")
    alpha = as_finite_number(alpha, "alpha", low=0.0, low_open=True)
    gamma = as_finite_number(gamma, "gamma", low=1.0, low_open=True)
    beta = as_finite_number(beta, "beta", low=0.0, low_open=True)
    if not beta < 1:
        raise DataError(f"beta must lie in (0, 1); got {beta:g}")
    n = x0.size
    points: list[np.ndarray] = []
    values: list[float] = []
    f0 = float(fn(x0.copy(), *args))
    points.append(x0.copy())
    values.append(f0)
    if not np.isfinite(f0):
        raise DataError(
            f"function cannot be evaluated at initial parameters: fn(par0) = {f0} at "
            f"par0 = {x0.tolist()}; start inside the parameter space, where fn is finite"
        )
    if n == 1:
        raise DataError(
            "par0 has one coordinate: Nelder–Mead is unreliable in one dimension (its two "
            "vertices can stop on either side of the minimum, with equal values, and report "
            "convergence; R's optim warns of this).  Use scipy.optimize.minimize_scalar"
        )
    convtol = reltol * (abs(f0) + reltol)

    # Initial simplex: one vertex per column of `simplex`, the start first.
    step = max(0.1 * np.max(np.abs(x0)), 0.0) or 0.1
    simplex, size = _initial_simplex(x0, step)
    old_size = size
    fvals = np.empty(n + 1)
    fvals[0] = f0
    best = 0
    recompute = True
    best_path = [x0.copy()]
    convergence = 0

    while len(values) <= maxit:
        if recompute:  # value at every vertex but the best one
            for j in range(n + 1):
                if j != best:
                    fvals[j] = _evaluate(fn, simplex[:, j], args, points, values)
            recompute = False
            flat_start = len(values) == n + 1 and np.all(np.abs(fvals - f0) <= convtol)
            if flat_start and step < 0.1 * max(1.0, float(np.max(np.abs(x0)))):
                # a start so small (1e-310, 2e-15) that 10 % of it changes fn by less than the
                # tolerance: the simplex would stop at once, at the start, reporting convergence;
                # it is rebuilt with the step of a start at 0 instead
                step = 0.1 * max(1.0, float(np.max(np.abs(x0))))
                simplex, size = _initial_simplex(x0, step)
                old_size, recompute = size, True
                continue
        # best (lowest) and worst (highest) vertex; ties keep the earlier choice
        low = high = best
        for j in range(n + 1):
            if j != best:
                if fvals[j] < fvals[low]:
                    low = j
                if fvals[j] > fvals[high]:
                    high = j
        best = low
        best_path.append(simplex[:, best].copy())
        if fvals[high] <= fvals[best] + convtol or fvals[best] <= abstol:
            break

        centroid = -simplex[:, high]  # summed in R's order, so results match to the last bit
        for j in range(n + 1):
            centroid = centroid + simplex[:, j]
        centroid = centroid / n
        reflected = (1 + alpha) * centroid - alpha * simplex[:, high]
        f_reflected = _evaluate(fn, reflected, args, points, values)
        if f_reflected < fvals[best]:
            expanded = gamma * reflected + (1 - gamma) * centroid
            f_expanded = _evaluate(fn, expanded, args, points, values)
            if f_expanded < f_reflected:
                simplex[:, high], fvals[high] = expanded, f_expanded
            else:
                simplex[:, high], fvals[high] = reflected, f_reflected
            continue
        worst_before = fvals[high]
        if f_reflected < worst_before:
            simplex[:, high], fvals[high] = reflected, f_reflected
        contracted = (1 - beta) * simplex[:, high] + beta * centroid
        f_contracted = _evaluate(fn, contracted, args, points, values)
        if f_contracted < fvals[high]:
            simplex[:, high], fvals[high] = contracted, f_contracted
        elif f_reflected >= worst_before:  # nothing helped: shrink towards the best vertex
            anchor = simplex[:, [best]]
            simplex = anchor + beta * (simplex - anchor)
            size = float(np.abs(simplex - anchor).sum())
            recompute = True
            if size >= old_size:
                convergence = 10
                break
            old_size = size

    if len(values) > maxit:
        convergence = 1
    return OptimResult(
        par=simplex[:, best].copy(),
        value=float(fvals[best]),
        counts=len(values),
        convergence=convergence,
        trace=np.array(points),
        trace_values=np.array(values),
        best_path=np.array(best_path),
    )
