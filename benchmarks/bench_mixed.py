"""Benchmark: ML fit of the Gaussian random-effects model, statbook.mixed against statsmodels.

Data: groups of 3 to 7 observations, Y_ij = 2 + 1·Z_i + ε_ij with σ = 1.5.
Both fits start from the raw vectors (y, group).  statsmodels' MixedLM is timed
twice: with its default optimizer settings (what a practitioner gets) and with a
tight BFGS gradient tolerance (gtol = 1e-10), the setting under which its
estimates agree with ours to 1e-5 (its defaults leave differences of about 1e-5).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import statsmodels.api as sm

from benchmarks._quick import pick, repeats
from statbook import mixed

GROUPS = pick((50, 1000, 10000), (50,))


def best_time(run, repeats: int) -> tuple[float, object]:
    """Smallest wall time over ``repeats`` calls of ``run`` and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def statsmodels_fit(y, group, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.MixedLM(y, np.ones((y.size, 1)), groups=group)
        return model.fit(reml=False, **options)


def estimates(result) -> np.ndarray:
    """(β̂₀, ν̂, σ̂) of a statsmodels result; cov_re is ν² and scale is σ²."""
    return np.array(
        [result.fe_params[0], np.sqrt(np.asarray(result.cov_re)[0, 0]), np.sqrt(result.scale)]
    )


def main() -> None:
    rng = np.random.default_rng(2026)
    rows = []
    for n_groups in GROUPS:
        sizes = rng.integers(3, 8, size=n_groups)
        data = mixed.simulate(sizes, 2.0, 1.0, 1.5, rng)
        big = n_groups >= 10000
        ours_time, ours = best_time(
            lambda d=data: mixed.fit(d.y, d.group), repeats(5 if big else 20)
        )
        default_time, default = best_time(
            lambda d=data: statsmodels_fit(d.y, d.group), 1 if big else 3
        )
        tight_time, tight = best_time(
            lambda d=data: statsmodels_fit(d.y, d.group, method="bfgs", gtol=1e-10),
            1 if big else 3,
        )
        ours_est = np.array([ours.beta0, ours.nu, ours.sigma])
        rows.append(
            (
                n_groups,
                data.y.size,
                ours_time,
                default_time,
                tight_time,
                np.max(np.abs(estimates(default) - ours_est)),
                np.max(np.abs(estimates(tight) - ours_est)),
                ours.loglik - tight.llf,
            )
        )
    print("ML fit of Y_ij = β₀ + ν Z_i + ε_ij (groups of 3–7), best wall time in seconds")
    header = (
        f"{'groups':>7} {'N':>6} {'statbook':>10} {'sm default':>11} {'ratio':>7} "
        f"{'sm tight':>10} {'ratio':>7} {'|Δ| default':>12} {'|Δ| tight':>10} {'Δ loglik':>10}"
    )
    print(header)
    for n_groups, n_obs, ours_t, default_t, tight_t, diff_default, diff_tight, dll in rows:
        print(
            f"{n_groups:7d} {n_obs:6d} {ours_t:10.5f} {default_t:11.3f} {default_t / ours_t:7.0f} "
            f"{tight_t:10.3f} {tight_t / ours_t:7.0f} {diff_default:12.1e} {diff_tight:10.1e} "
            f"{dll:10.1e}"
        )
    print("\nGrowth relative to 50 groups (time / time at 50 groups):")
    base = rows[0]
    for n_groups, _, ours_t, default_t, tight_t, *_ in rows:
        print(
            f"{n_groups:7d} groups: statbook ×{ours_t / base[2]:6.1f}   "
            f"statsmodels default ×{default_t / base[3]:6.1f}   tight ×{tight_t / base[4]:6.1f}"
        )
    print(
        "\n|Δ| = largest absolute difference in (β̂₀, ν̂, σ̂) from statbook; "
        "Δ loglik = statbook − statsmodels (tight)."
    )


if __name__ == "__main__":
    main()
