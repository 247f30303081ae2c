"""Newton's method with step halving, the one loop the convex fits share.

``vonmises.mle`` and ``regression.fit_poisson`` (dense and sparse designs) call
:func:`damped_newton`.  The store model's profile Newton (``statbook._arrow``) keeps
its own loop: it is compiled by numba, which cannot call back into Python functions
without losing the speed it is there for; it follows the same rules.

The rules: from x₀, the step is s = H(x)⁻¹ ∇(−ℓ)(x); if max |s| ≤ tol (1 + max |x|)
the iteration stops and returns x − s (near the optimum Newton's step is the error of
the iterate, so what is left is of order tol²); otherwise x − t s is taken with the
largest t in 1, ½, ¼, … whose −ℓ is at most the current −ℓ plus ``slack`` (the
rounding of −ℓ, so that a step that rounding alone makes look worse is not refused).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from statbook.exceptions import ConvergenceError

#: Step halving gives up below this step length: −ℓ cannot be decreased (the fit is stuck).
SMALLEST_STEP = 2.0**-40


def damped_newton(
    start: np.ndarray,
    evaluate: Callable[[np.ndarray], tuple[float, Any]],
    newton_step: Callable[[np.ndarray, Any], tuple[np.ndarray, Any]],
    *,
    tol: float,
    max_iter: int,
    slack: Callable[[float], float],
):
    """Minimize a convex −ℓ by Newton's method with step halving (module docstring).

    ``evaluate(x)`` returns (−ℓ(x), state) and ``newton_step(x, state)`` returns
    (H⁻¹∇, info), reusing the state of the evaluation at x (fitted means, say).
    Returns (x̂, info at the last iterate, −ℓ at each iterate, number of steps taken).
    Raises :class:`ConvergenceError` if step halving cannot decrease −ℓ or the step is
    not negligible after ``max_iter`` steps.
    """
    x = start
    value, state = evaluate(x)
    trace = [value]
    for n_steps in range(max_iter + 1):
        step, info = newton_step(x, state)
        if np.abs(step).max(initial=0.0) <= tol * (1.0 + np.abs(x).max(initial=0.0)):
            return x - step, info, trace, n_steps
        size = 1.0
        while True:
            candidate = x - size * step
            new_value, new_state = evaluate(candidate)
            if new_value <= value + slack(value):
                break
            size /= 2.0
            if size < SMALLEST_STEP:
                raise ConvergenceError("step halving failed to decrease −ℓ; the fit is stuck")
        x, value, state = candidate, new_value, new_state
        trace.append(value)
    raise ConvergenceError(f"Newton's method did not converge in {max_iter} iterations")
