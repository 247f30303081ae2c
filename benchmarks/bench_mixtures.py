"""Benchmark for section 6.4: the four ways to simulate, and −ℓ against scikit-learn.

Run with ``python -m benchmarks.bench_mixtures`` from the repository root.  Prints
best-of-repeats times and ratios measured in this one run; nothing here is asserted.
"""

from __future__ import annotations

import timeit

import numpy as np
from sklearn.mixture import GaussianMixture

from benchmarks._quick import pick, repeats
from statbook import mixtures

P, MU, SIGMA2 = 0.5, (-0.5, 4.0), (1.0, 4.0)  # the component variances
REPEATS = repeats(7)
ROUNDS = repeats(25)  # turns per contestant in the interleaved timings


def best_time(function, *, number: int) -> float:
    """Best time of one call over ``REPEATS`` repeats of ``number`` calls each (seconds)."""
    return min(timeit.repeat(function, number=number, repeat=REPEATS)) / number


def best_times_interleaved(functions: dict, *, number: int) -> dict:
    """Best time per call (seconds) of each function, the functions taking turns each round.

    Taking turns spreads any background load evenly over the contestants.
    """
    best = dict.fromkeys(functions, np.inf)
    for _ in range(ROUNDS):
        for name, function in functions.items():
            best[name] = min(best[name], timeit.timeit(function, number=number) / number)
    return best


def bench_simulation(n: int) -> None:
    rng = np.random.default_rng(1)
    number = max(1, 100_000 // n)
    times = best_times_interleaved(
        {
            method: (lambda m=method: mixtures.simulate(n, P, MU, SIGMA2, rng, m))
            for method in mixtures.METHODS
        },
        number=number,
    )
    print(f"\nsimulate, n = {n:_}: time per call and ratio to 'conditional'")
    for method, seconds in times.items():
        print(f"  {method:12s} {seconds * 1e3:9.3f} ms   {seconds / times['conditional']:5.2f}x")
    # The building blocks that explain the ranking.
    z = rng.random(n) < P
    half = rng.standard_normal(int(z.sum()))
    out = np.empty(n)
    parts = {
        "draw Z (n uniforms)": lambda: rng.random(n),
        "n standard normals": lambda: rng.standard_normal(n),
        "boolean-mask write (n/2)": lambda: out.__setitem__(z, half),
        "boolean-mask read (n/2)": lambda: out[z],
        "np.where on n": lambda: np.where(z, out, out),
    }
    print("  building blocks:")
    for label, seconds in best_times_interleaved(parts, number=number).items():
        print(f"    {label:26s} {seconds * 1e3:9.3f} ms")


def sklearn_mixture() -> GaussianMixture:
    """scikit-learn's mixture with the parameters set by hand (no fitting)."""
    model = GaussianMixture(n_components=2, covariance_type="full")
    sigma2 = np.asarray(SIGMA2)
    model.weights_ = np.array([P, 1 - P])
    model.means_ = np.asarray(MU)[:, np.newaxis]
    model.covariances_ = sigma2[:, np.newaxis, np.newaxis]
    model.precisions_cholesky_ = (1 / np.sqrt(sigma2))[:, np.newaxis, np.newaxis]
    return model


def bench_negloglik(n: int = 100_000) -> None:
    y = mixtures.simulate(n, P, MU, SIGMA2, np.random.default_rng(2))
    par = np.array([P, *MU, *SIGMA2])
    model = sklearn_mixture()
    column = y[:, np.newaxis]
    times = best_times_interleaved(
        {
            "ours": lambda: mixtures.negloglik(par, y),
            "sklearn": lambda: -model.score_samples(column).sum(),
        },
        number=10,
    )
    ours, theirs = times["ours"], times["sklearn"]
    print(f"\n−ℓ at one parameter, N = {n:_}")
    print(f"  statbook.mixtures.negloglik      {ours * 1e3:8.3f} ms")
    print(f"  sklearn score_samples(...).sum() {theirs * 1e3:8.3f} ms")
    print(f"  sklearn / statbook               {theirs / ours:8.2f}x")


def bench_surface(n: int = 1000, size: int = 30) -> None:
    y = mixtures.simulate(n, P, MU, SIGMA2, np.random.default_rng(3))
    axis = np.linspace(-2, 6, size)
    grid = np.tile(np.array([P, *MU, *SIGMA2]), (size, size, 1))
    grid[..., 1], grid[..., 2] = np.meshgrid(axis, axis)
    model = sklearn_mixture()
    column = y[:, np.newaxis]

    def sklearn_surface():
        values = np.empty((size, size))
        for j in range(size):
            for i in range(size):
                model.means_ = grid[j, i, 1:3, np.newaxis]
                values[j, i] = -model.score_samples(column).sum()
        return values

    ours = best_time(lambda: mixtures.negloglik(grid, y), number=3)
    separated = best_time(lambda: mixtures.negloglik_means(axis, axis, y, P, SIGMA2), number=3)
    theirs = best_time(sklearn_surface, number=1)
    print(f"\n−ℓ surface over a {size}×{size} grid of (μ₁, μ₂), N = {n:_}")
    print(f"  statbook negloglik (one call)    {ours * 1e3:8.1f} ms")
    print(f"  statbook negloglik_means         {separated * 1e3:8.1f} ms")
    print(f"  sklearn (one call per point)     {theirs * 1e3:8.1f} ms")
    print(f"  sklearn / statbook               {theirs / ours:8.2f}x")
    print(f"  sklearn / negloglik_means        {theirs / separated:8.2f}x")
    print(f"  negloglik / negloglik_means      {ours / separated:8.2f}x")


if __name__ == "__main__":
    bench_simulation(5_000)
    bench_simulation(pick(1_000_000, 10_000))
    bench_negloglik()
    bench_surface(size=pick(30, 10))
    bench_surface(n=2000, size=pick(80, 10))  # the label-switching explorer at its largest N
