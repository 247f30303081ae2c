"""Benchmark for section 6.2: the moth likelihood surface on a 300 × 300 grid.

Ours: one vectorized call of ``multinomial.moth_negloglik`` (and of the generic
``collapsed_negloglik``) on the whole grid.  Peer: the same surface by a Python
loop over grid points with a scalar implementation (what a direct translation of
the R code does).  Also times our R-style Nelder–Mead against scipy's.
Prints best-of-repeats times and ratios; never fails on a timing.
"""

from __future__ import annotations

import math
import os
import time
import timeit

import numpy as np
from scipy.optimize import minimize

from benchmarks._quick import pick, repeats
from statbook import multinomial
from statbook.optimize import optim
from statbook.plotting import parameter_grid

X = multinomial.MOTH_COUNTS
SIZE = pick(300, 50)
REPEATS = repeats(7)


def scalar_negloglik(par, x) -> float:
    p_c, p_i = par
    p_t = 1 - p_c - p_i
    if p_c < 0 or p_i < 0 or p_t < 0:
        return math.inf
    cells = (p_c**2 + 2 * p_c * p_i + 2 * p_c * p_t, p_i**2 + 2 * p_i * p_t, p_t**2)
    if any(c <= 0 and n > 0 for c, n in zip(cells, x, strict=True)):
        return math.inf
    return -sum(n * math.log(c) for c, n in zip(cells, x, strict=True) if n > 0)


def best_of(func, repeats: int = REPEATS, number: int = 1) -> float:
    """Best wall-clock time per call."""
    return min(timeit.repeat(func, repeat=repeats, number=number)) / number


def best_cpu(func, repeats: int = REPEATS, number: int = 1) -> float:
    """Best CPU time of this process per call (less inflated than wall time on a busy machine)."""
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(number):
            func()
        best = min(best, (time.process_time() - start) / number)
    return best


def main() -> None:
    axis = np.linspace(0.0, 1.0, SIZE)
    grid = parameter_grid(axis, axis)
    points = grid.reshape(-1, 2).tolist()
    x = X.tolist()

    ours = multinomial.moth_negloglik(grid, X)
    loop = np.array([scalar_negloglik(q, x) for q in points]).reshape(SIZE, SIZE)
    assert np.array_equal(np.isinf(ours), np.isinf(loop))
    assert np.allclose(ours[np.isfinite(ours)], loop[np.isfinite(loop)], rtol=1e-12)

    t_ours = best_of(lambda: multinomial.moth_negloglik(grid, X), number=20)
    cpu_ours = best_cpu(lambda: multinomial.moth_negloglik(grid, X), number=20)
    t_generic = best_of(
        lambda: multinomial.collapsed_negloglik(
            grid, X, multinomial.hardy_weinberg, multinomial.MOTH_GROUP
        ),
        number=20,
    )
    t_loop = best_of(lambda: [scalar_negloglik(q, x) for q in points], repeats=min(3, REPEATS))
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"moth surface {SIZE}x{SIZE} ({SIZE * SIZE} points), best of repeats")
    print(f"  vectorized moth_negloglik      {t_ours * 1e3:8.2f} ms  (CPU {cpu_ours * 1e3:.2f} ms)")
    print(f"  vectorized collapsed_negloglik {t_generic * 1e3:8.2f} ms")
    print(f"  Python loop over grid points   {t_loop * 1e3:8.2f} ms")
    print(f"  ratio loop / vectorized        {t_loop / t_ours:8.1f} x")
    print(f"  under 5 ms (wall): {'yes' if t_ours < 5e-3 else 'NO'}")

    def fn(par):
        return scalar_negloglik(par, x)

    t_r = best_of(lambda: optim([0.3, 0.3], fn), number=5)
    t_scipy = best_of(lambda: minimize(fn, [0.3, 0.3], method="Nelder-Mead"), number=5)
    r_fit, scipy_fit = optim([0.3, 0.3], fn), minimize(fn, [0.3, 0.3], method="Nelder-Mead")
    print("Nelder-Mead on the moths from (0.3, 0.3)")
    print(f"  statbook.optimize.optim (R)    {t_r * 1e3:8.3f} ms, {r_fit.counts} evaluations")
    print(f"  scipy minimize Nelder-Mead     {t_scipy * 1e3:8.3f} ms, {scipy_fit.nfev} evaluations")
    print(f"  ratio ours / scipy             {t_r / t_scipy:8.2f}")


if __name__ == "__main__":
    main()
