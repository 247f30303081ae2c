"""One regression test per defect of the hardening issue: each failed before its fix.

Every test names the defect it pins down (numbers as in the issue).  The property
tests in ``test_properties.py`` then check the same promises on generated input.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import scipy.sparse
import scipy.stats
import statsmodels.api as sm
from scipy.special import gammaln, i0e, i1e

from statbook import (
    exceptions,
    gaussian,
    mixed,
    mixtures,
    multinomial,
    optimize,
    plotting,
    poisson,
    regression,
    vonmises,
)
from statbook.explorers.multinomial import moth_explorer


def store_data(scale: float = 1.0, offset: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    z = rng.normal(size=40)
    return pd.DataFrame(
        {
            "sale": rng.poisson(np.exp(0.3 * z + 1.1)),
            "x": z * scale + offset,
            "store": pd.Categorical(np.repeat(list("abcde"), 8)),
        }
    )


# --- 1. the arrow solver's stopping rule ---------------------------------------------------
@pytest.mark.parametrize("scale", [1e-10, 1e-3, 1e6, 1e10])
def test_arrow_fit_is_invariant_to_the_units_of_a_covariate(scale):
    reference = regression.poisson_glm("sale ~ C(store) + x - 1", store_data())
    scaled = regression.poisson_glm("sale ~ C(store) + x - 1", store_data(scale=scale))
    assert scaled.method == "arrow" and scaled.n_iter > 0
    assert scaled["x"] * scale == pytest.approx(reference["x"], rel=1e-9)
    assert scaled.se[-1] * scale == pytest.approx(reference.se[-1], rel=1e-9)
    assert scaled.loglik == pytest.approx(reference.loglik, rel=1e-12)
    np.testing.assert_allclose(scaled.coef[:-1], reference.coef[:-1], rtol=1e-9)


def test_arrow_fit_is_invariant_to_shifting_a_covariate():
    reference = regression.poisson_glm("sale ~ C(store) + x - 1", store_data())
    shifted = regression.poisson_glm("sale ~ C(store) + x - 1", store_data(offset=1e6))
    assert shifted["x"] == pytest.approx(reference["x"], rel=1e-8)
    np.testing.assert_allclose(
        shifted.coef[:-1] + 1e6 * shifted["x"], reference.coef[:-1], rtol=1e-7
    )
    np.testing.assert_allclose(shifted.se[-1], reference.se[-1], rtol=1e-8)
    assert shifted.loglik == pytest.approx(reference.loglik, rel=1e-10)


# --- 2. dense Newton with a large offset -----------------------------------------------------
@pytest.mark.parametrize("offset", [1e5, 1e8])
def test_dense_fit_converges_with_a_large_offset(offset):
    data = store_data()
    X = np.c_[np.ones(40), data.x.to_numpy() + offset]
    fit = regression.fit_poisson(X, data.sale)
    reference = regression.fit_poisson(np.c_[np.ones(40), data.x], data.sale)
    assert fit.coef[1] == pytest.approx(reference.coef[1], rel=1e-7)
    assert fit.coef[0] + offset * fit.coef[1] == pytest.approx(reference.coef[0], rel=1e-7)
    assert fit.se[1] == pytest.approx(reference.se[1], rel=1e-7)
    assert fit.loglik == pytest.approx(reference.loglik, rel=1e-10)
    if offset == 1e5:  # where statsmodels converges, it agrees
        theirs = sm.GLM(data.sale, X, family=sm.families.Poisson()).fit(tol=1e-12)
        np.testing.assert_allclose(fit.coef, theirs.params, rtol=1e-6)


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_dense_fit_is_invariant_to_the_units_of_a_column(scale):
    data = store_data()
    reference = regression.fit_poisson(np.c_[np.ones(40), data.x], data.sale)
    fit = regression.fit_poisson(np.c_[np.ones(40), data.x * scale], data.sale)
    assert fit.coef[1] * scale == pytest.approx(reference.coef[1], rel=1e-10)
    assert fit.loglik == pytest.approx(reference.loglik, rel=1e-13)


# --- 3. no finite MLE through a combination of columns ------------------------------------
def test_a_diverging_combination_of_columns_is_detected():
    X = np.c_[np.ones(6), [1, 1, 1, 2, 2, 2]]
    with pytest.raises(regression.NoFiniteMLEError, match="direction") as caught:
        regression.fit_poisson(X, [3, 2, 4, 0, 0, 0])
    assert "rank" not in str(caught.value)
    assert "rows [3, 4, 5]" in str(caught.value)


def test_a_diverging_combination_is_detected_in_the_store_model():
    # store a sells nothing where x = 1, and x is constant in store b: along
    # γ → −∞ with α_b = −0.5 γ the means of those rows go to 0, the others stay
    data = pd.DataFrame(
        {
            "sale": [3, 2, 0, 0, 4, 1, 2, 5],
            "x": [0.0, 0.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5],
            "store": pd.Categorical(list("aaaabbbb")),
        }
    )
    with pytest.raises(regression.NoFiniteMLEError, match="direction"):
        regression.poisson_glm("sale ~ C(store) + x - 1", data)


def test_zero_responses_without_separation_still_fit():
    X = np.c_[np.ones(6), [1, 2, 3, 1, 2, 3]]
    fit = regression.fit_poisson(X, [3, 0, 4, 0, 2, 1])
    theirs = sm.GLM([3, 0, 4, 0, 2, 1], X, family=sm.families.Poisson()).fit(tol=1e-12)
    np.testing.assert_allclose(fit.coef, theirs.params, rtol=1e-7)


# --- 4. moth_mle stays in the simplex --------------------------------------------------------
@pytest.mark.parametrize("x", [[20, 5, 0], [85, 0, 341], [0, 5, 20], [7, 0, 0], [0, 0, 3]])
def test_moth_mle_with_zero_counts_lies_in_the_simplex(x):
    estimate = multinomial.moth_mle(x)
    assert multinomial.in_simplex(estimate)
    assert np.isfinite(multinomial.moth_negloglik(estimate, x))


def test_moth_explorer_at_zero_counts_has_no_error():
    explorer = moth_explorer()
    for position in ({"n_t": 0}, {"n_i": 0}, {"n_c": 0, "n_t": 0}):
        explorer.set(**position)
        assert explorer.last_error is None, (position, explorer.last_error)


# --- 5. constant data ------------------------------------------------------------------------
def test_constant_data_are_recognised_up_to_rounding():
    with pytest.raises(gaussian.NoUniqueMLEError, match="equal"):
        gaussian.mle(gaussian.suff_stats([0.1] * 7))
    y = np.repeat([0.1, 0.2, 0.3], 3) + np.tile([0, 0, 1e-17], 3)
    with pytest.raises(mixed.NoUniqueMLEError, match="W = 0"):
        mixed.fit(y, np.repeat([0, 1, 2], 3))


def test_tiny_but_distinct_data_are_not_called_equal():
    with pytest.raises(ValueError, match="underflows") as caught:
        gaussian.suff_stats([0.0, 1e-300])
    assert "equal" not in str(caught.value)
    assert gaussian.mle(gaussian.suff_stats([0.0, 1e-150]))[1] == pytest.approx(0.25e-300)


# --- 6. NaN at extreme legal parameters -----------------------------------------------------
def test_extreme_parameters_give_a_number_or_inf_never_nan():
    counts = poisson.suff_stats([1, 2])
    assert poisson.negloglik(np.inf, counts) == np.inf
    angles = vonmises.suff_stats([0.1, 0.2])
    value = vonmises.negloglik([1e308, 1e308], angles)
    assert np.isfinite(value) and value > 1e300
    assert np.isfinite(vonmises.negloglik_polar([1e308, 0.15], angles))
    assert multinomial.negloglik_symmetric(
        [1e308] * 3, multinomial.stats_from_counts([1, 2, 3])
    ) == pytest.approx(-np.sum(np.array([1, 2, 3]) * np.log(1 / 3)))
    stats = regression.suff_stats(np.c_[np.ones(3), [1, -1, 0]], [1, 2, 3])
    assert regression.negloglik([1e308, 1e308], stats) == np.inf
    np.testing.assert_array_equal(mixtures.posterior(1e308, 0.5, [0, 1], [1, 4]), [0.0, 1.0])
    grouped = mixed.suff_stats([1, 2, 3, 4.5], [0, 0, 1, 1])
    assert mixed.negloglik([0, np.nan, 1], grouped) == np.inf


def test_all_equal_angles_at_huge_kappa_are_not_minus_infinity_times_rounding():
    stats = vonmises.suff_stats([0.3] * 5)
    value = vonmises.negloglik_polar([1e300, 0.3], stats)
    expected = 5 * (np.log(2 * np.pi) - 0.5 * np.log(2 * np.pi * 1e300))
    assert value == pytest.approx(expected, rel=1e-12)


# --- 7. integer overflow ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "y",
    [[2**62, 2**62], np.array([2**64 - 1], dtype=np.uint64), [2.0**63, 1.0]],
)
def test_counts_too_large_to_sum_exactly_are_refused(y):
    with pytest.raises(ValueError, match="y must be counts of at most 2\\*\\*53"):
        poisson.suff_stats(y)


def test_many_large_counts_whose_total_would_wrap_are_refused():
    with pytest.raises(ValueError, match="adds up to"):
        poisson.suff_stats(np.full(2048, 2**53, dtype=np.int64))


# --- 8. group labels as users have them ------------------------------------------------------
def test_mixed_accepts_any_labels_in_sorted_order():
    y = np.array([1.0, 2.0, 3.0, 4.5, 5.0, 7.0, 6.0, 6.5])
    reference = mixed.fit(y, [0, 0, 1, 1, 2, 2, 3, 3])
    for labels in (
        [1, 1, 2, 2, 3, 3, 4, 4],
        ["a", "a", "b", "b", "c", "c", "d", "d"],
        pd.Categorical(list("aabbccdd")),
        [10**12, 10**12, 2 * 10**12, 2 * 10**12, 3 * 10**12, 3 * 10**12, 4e12, 4e12],
    ):
        fit = mixed.fit(y, labels)
        assert fit.par == pytest.approx(reference.par, rel=1e-12)
        np.testing.assert_allclose(fit.blup, reference.blup, rtol=1e-12)
    categorical = mixed.fit(y, pd.Categorical(list("aabbccdd"), categories=list("dcbae")))
    assert list(categorical.groups) == list("dcba")
    np.testing.assert_allclose(categorical.blup, reference.blup[::-1], rtol=1e-12)


# --- 9. cost independent of the size of a label ---------------------------------------------
def test_large_labels_cost_nothing():
    start = time.perf_counter()
    with pytest.raises(ValueError, match="no gaps"):
        multinomial.collapse([1, 2], [1, 10**8])
    with pytest.raises(ValueError, match="k must be at most"):
        multinomial.suff_stats([1, 2], k=int(1e10))
    with pytest.raises(ValueError, match="k must be at most"):
        multinomial.suff_stats([1, 2], k=1e10)
    stats = mixed.suff_stats([1.0, 2.0, 3.0, 5.0], [10**12, 10**12, 1, 1])
    assert stats.n_groups == 2
    assert time.perf_counter() - start < 5  # minutes and a MemoryError before the fix


# --- 10. simulation and start values ---------------------------------------------------------
def test_simulations_and_starts_check_their_parameters():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="mu must be finite"):
        vonmises.simulate(3, 1.0, np.nan, rng)
    with pytest.raises(ValueError, match="kappa must be finite"):
        vonmises.simulate(3, np.inf, 0.0, rng)
    with pytest.raises(ValueError, match="mu must be finite"):
        gaussian.simulate(3, np.nan, 1.0, rng)
    with pytest.raises(ValueError, match="sigma2 must be finite"):
        gaussian.simulate(3, 0.0, np.inf, rng)
    with pytest.raises(ValueError, match="nu must be finite"):
        mixed.simulate([2, 2], 0.0, np.inf, 1.0, rng)
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        poisson.simulate(None, 1.0, rng)
    with pytest.raises(ValueError, match="start must lie inside the simplex"):
        multinomial.moth_mle_gradient(start=(0.5, 0.5))
    with pytest.raises(ValueError, match="start must be finite"):
        multinomial.moth_mle_gradient(start=(np.nan, 0.2))
    with pytest.raises(ValueError, match="n must be a positive integer"):
        mixtures.monte_carlo_se(0, 0.5, [0, 1], [1, 1])


# --- 11. smaller ones ------------------------------------------------------------------------
def test_complex_and_text_data_are_refused():
    with pytest.raises(ValueError, match="y must be real numbers"):
        gaussian.suff_stats(np.array([1 + 1j, 2]))
    with pytest.raises(ValueError, match="y must be real numbers"):
        poisson.suff_stats(np.array([1 + 0j, 2]))
    with pytest.raises(ValueError, match="y must be an array of numbers, not text"):
        poisson.suff_stats(["1", "2"])


def test_an_all_infinite_surface_is_drawn_with_a_note():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    grid = np.linspace(0, 1, 5)
    plotting.contour_negloglik(ax, grid, grid, np.full((5, 5), np.inf))
    assert "+∞ everywhere" in ax.texts[0].get_text()
    plt.close(fig)


# === issue 28: no silent wrong number at the edges ==========================================
# Each test below failed before its fix (checked against the code before the branch).
# References are independent: exact decimal arithmetic (50 digits), fractions, scipy's
# linear programs and root finders, closed forms.
getcontext().prec = 50
PI = Decimal("3.14159265358979323846264338327950288419716939937510")


def decimal_log_factorial(y: int) -> Decimal:
    """log y! to 50 digits: exact product below 1000, Stirling's series (7 terms) above."""
    if y < 1000:
        return Decimal(math.factorial(y)).ln()
    d = Decimal(y)
    series = sum(
        Decimal(b) / (Decimal(k) * d ** (2 * k - 1))
        for k, b in ((1, Fraction(1, 12)), (2, Fraction(-1, 360) * 2), (3, Fraction(1, 1260) * 3))
        for b in [Decimal(b.numerator) / Decimal(b.denominator)]
    )
    return (d + Decimal("0.5")) * d.ln() - d + (2 * PI).ln() / 2 + series


def decimal_poisson_negloglik(y, mu) -> Decimal:
    """Σ_i [μ_i − y_i log μ_i + log y_i!] in 50-digit decimal arithmetic (the textbook form)."""
    mu = np.broadcast_to(np.asarray(mu, dtype=float), np.shape(y))
    total = Decimal(0)
    for count, mean in zip(y, mu, strict=True):
        m = Decimal(float(mean))
        total += m - Decimal(int(count)) * m.ln() + decimal_log_factorial(int(count))
    return total


def decimal_poisson_deviance(y, eta) -> Decimal:
    """2 Σ [y log(y/μ) − (y − μ)], μ = e^η, in 50-digit decimal arithmetic."""
    total = Decimal(0)
    for count, linear in zip(y, eta, strict=True):
        m = Decimal(linear).exp()
        c = Decimal(int(count))
        total += (c * (c / m).ln() if count > 0 else 0) - (c - m)
    return 2 * total


def test_decimal_log_factorial_is_right_where_both_forms_apply():
    # the reference's two branches agree at 1000 and 2000 (exact product against the series)
    for y in (1000, 2000):
        d = Decimal(y)
        series = (d + Decimal("0.5")) * d.ln() - d + (2 * PI).ln() / 2 + 1 / (12 * d)
        assert abs(Decimal(math.factorial(y)).ln() - series) < Decimal("1e-9")


# --- optimizers whose failure was returned as an estimate -----------------------------------
@pytest.mark.parametrize(
    "x", [[1, 371, 94911], [1, 10**12, 1], [10**12, 1, 1], [1, 1, 10**12], [371, 94911, 1]]
)
def test_moth_gradient_fit_raises_where_bfgs_fails(x):
    best = float(multinomial.moth_negloglik(multinomial.moth_mle(x), x))
    try:
        estimate = multinomial.moth_mle_gradient(x)
    except exceptions.ConvergenceError as err:
        assert "moth_mle" in str(err)
    else:  # if it returns, it returns the estimate: the closed form's −ℓ
        assert float(multinomial.moth_negloglik(estimate, x)) == pytest.approx(best, rel=1e-9)


def test_moth_gradient_fit_of_the_failing_example_is_an_error_not_an_estimate():
    with pytest.raises(exceptions.ConvergenceError, match="not the estimate"):
        multinomial.moth_mle_gradient([1, 371, 94911])
    assert issubclass(exceptions.ConvergenceError, RuntimeError)


def test_optim_refuses_one_dimension():
    # it stopped at 4 (value 1) reporting convergence 0: the minimum is at 3
    with pytest.raises(ValueError, match="one dimension"):
        optimize.optim([10.0], lambda x: (x[0] - 3) ** 2)


@pytest.mark.parametrize("start", [1e-310, 5e-324, 1e-300])
def test_optim_from_a_tiny_start_finds_the_minimum(start):
    result = optimize.optim([start, start], lambda x: (x[0] - 3) ** 2 + (x[1] + 1) ** 2)
    assert result.convergence == 0
    np.testing.assert_allclose(result.par, [3, -1], atol=1e-3)  # before: the start, value 10


@pytest.mark.parametrize(
    "option", [{"alpha": -1}, {"alpha": 0}, {"beta": 1.5}, {"gamma": 0.5}, {"maxit": 0}]
)
def test_optim_refuses_coefficients_that_cannot_converge(option):
    with pytest.raises(exceptions.DataError, match=next(iter(option))):
        optimize.optim([1.0, 2.0], lambda x: float(x @ x), **option)


# --- sums of squares about a rounded mean ----------------------------------------------------
def test_gaussian_variance_of_data_with_a_large_offset_is_exact():
    y = [1e16, 1e16 + 10]
    exact = Fraction(25)  # the deviations are ∓5
    assert gaussian.mle(gaussian.suff_stats(y))[1] == float(exact)  # was 26


@pytest.mark.parametrize("mu", [1e16 + 4, 1e16 + 6, 1e16 - 1000, 1e16 + 2**20, 0.0])
def test_gaussian_negloglik_with_a_large_offset_keeps_the_rounding_of_the_mean(mu):
    """Σ(y − μ)² = Σ(y − ȳ)² + N(ȳ − μ)² with the exact ȳ = 10¹⁶ + 5, not the stored float
    10¹⁶ + 4: at μ = 10¹⁶ + 4 the sum is 52 (was 50, the corrected Σ(y − ȳ)² alone)."""
    y = [1e16, 1e16 + 10]
    stats = gaussian.suff_stats(y)
    sigma2 = 30.0
    squares = sum((Fraction(v) - Fraction(mu)) ** 2 for v in y)
    expected = float(squares / (2 * Fraction(sigma2))) + math.log(2 * math.pi * sigma2)
    assert gaussian.negloglik([mu, sigma2], stats) == pytest.approx(expected, rel=1e-14)


def test_mixed_within_sum_of_squares_with_a_large_offset_is_exact():
    y = [1e16, 1e16 + 10, 1e16, 1e16 + 12, 1e16 + 20]  # ranges beyond rounding (4 ulps = 8)
    group = [0, 0, 1, 1, 1]
    values = [Fraction(int(v)) for v in y]
    exact = sum(
        (v - sum(values[i] for i in idx) / len(idx)) ** 2
        for idx in ([0, 1], [2, 3, 4])
        for v in (values[i] for i in idx)
    )
    assert mixed.suff_stats(y, group).within_ss == pytest.approx(float(exact), rel=1e-15)


# groups of sizes 2, 3, 2, 3, 4 as offsets from c; all even, so c + offset is exact at c = 10¹⁶,
# and every range exceeds 4 ulps of 10¹⁶ (8.9), so no group counts as equal up to rounding
MIXED_OFFSETS = [[0, 10], [0, 12, 20], [40, 52], [30, 36, 50], [4, 8, 16, 30]]


def mixed_offset_data(offset: int):
    y = np.array([offset + v for block in MIXED_OFFSETS for v in block], dtype=float)
    group = [i for i, block in enumerate(MIXED_OFFSETS) for _ in block]
    exact = [[Fraction(offset + v) for v in block] for block in MIXED_OFFSETS]
    assert [Fraction(v) for v in y] == [v for block in exact for v in block]
    return y, group, exact


def exact_mixed_negloglik(blocks, beta0, nu, sigma2) -> float:
    """−ℓ of Example 6.5 with W_i and (ȳ_i − β₀)² in exact fractions (the logs in floats)."""
    beta0, nu2, s2 = Fraction(beta0), Fraction(nu) ** 2, Fraction(sigma2)
    squares, logs = Fraction(0), 0.0
    for block in blocks:
        m = len(block)
        mean = sum(block) / m
        v = s2 + m * nu2
        squares += sum((y - mean) ** 2 for y in block) / s2 + m * (mean - beta0) ** 2 / v
        logs += (m - 1) * math.log(sigma2) + math.log(v)
    n_obs = sum(len(block) for block in blocks)
    return 0.5 * (n_obs * math.log(2 * math.pi) + logs) + float(squares / 2)


def exact_mixed_profile(blocks, ratio):
    """β̂₀(λ), σ̂²(λ) as fractions and −ℓ_p(λ), with w_i = m_i/(1 + m_i λ)."""
    ratio = Fraction(ratio)
    means = [sum(block) / len(block) for block in blocks]
    weights = [len(block) / (1 + len(block) * ratio) for block in blocks]
    within = sum((y - mean) ** 2 for block, mean in zip(blocks, means, strict=True) for y in block)
    beta0 = sum(w * a for w, a in zip(weights, means, strict=True)) / sum(weights)
    n_obs = sum(len(block) for block in blocks)
    sigma2 = (
        within + sum(w * (a - beta0) ** 2 for w, a in zip(weights, means, strict=True))
    ) / n_obs
    logdet = sum(math.log1p(len(block) * float(ratio)) for block in blocks)
    value = 0.5 * n_obs * (math.log(2 * math.pi) + 1 + math.log(sigma2)) + 0.5 * logdet
    return beta0, sigma2, value


def test_mixed_negloglik_of_the_reproducer_keeps_the_rounding_of_the_group_means():
    """y = [10¹⁶, 10¹⁶ + 10 | 10¹⁶, 10¹⁶ + 12, 10¹⁶ + 20] at (β₀, ν, σ²) = (10¹⁶ + 8, 0, 30):
    the quadratic part is 4.867 (the means 10¹⁶ + 5 and 10¹⁶ + 32/3 are stored as
    10¹⁶ + 4 and 10¹⁶ + 12); it was 5.544."""
    y = [1e16, 1e16 + 10, 1e16, 1e16 + 12, 1e16 + 20]
    stats = mixed.suff_stats(y, [0, 0, 1, 1, 1])
    blocks = [[Fraction(int(v)) for v in y[:2]], [Fraction(int(v)) for v in y[2:]]]
    logs = 0.5 * (5 * math.log(2 * math.pi) + 5 * math.log(30.0))
    quadratic = float(mixed.negloglik([1e16 + 8, 0.0, 30.0], stats)) - logs
    assert quadratic == pytest.approx(4.8666666666666667, rel=1e-13)  # was 5.544
    expected = exact_mixed_negloglik(blocks, 1e16 + 8, 0.0, 30.0)
    assert mixed.negloglik([1e16 + 8, 0.0, 30.0], stats) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("offset", [10**8, 10**12, 10**16])
@pytest.mark.parametrize("shift", [8, -1000, 2**20, None])
@pytest.mark.parametrize("nu", [0.0, 3.5])
def test_mixed_negloglik_at_a_large_offset_matches_fractions(offset, shift, nu):
    """−ℓ(β₀, ν, σ²) with the group means and the means by size in exact fractions,
    at β₀ = c + shift (or 0) away from the data mean c + 22 (c = 10⁸: 2e-10 off before)."""
    y, group, blocks = mixed_offset_data(offset)
    beta0 = 0.0 if shift is None else float(offset + shift)
    expected = exact_mixed_negloglik(blocks, beta0, nu, 30.0)
    value = mixed.negloglik([beta0, nu, 30.0], mixed.suff_stats(y, group))
    assert value == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("offset", [10**8, 10**12, 10**16])
@pytest.mark.parametrize("shift", [8, -1000])
def test_mixed_gradient_at_a_large_offset_matches_fractions(offset, shift):
    """∇(−ℓ) (see mixed.grad) in exact fractions; each component to 1e-12 of the sum of
    the sizes of its terms, which cancel near the optimum."""
    y, group, blocks = mixed_offset_data(offset)
    beta0, nu, s2 = Fraction(offset + shift), Fraction(3.5), Fraction(30)
    terms = ([], [], [Fraction(sum(len(b) - 1 for b in blocks), 2) / s2])
    for block in blocks:
        m = len(block)
        mean = sum(block) / m
        v = s2 + m * nu**2
        terms[0].append(-m * (mean - beta0) / v)
        terms[1].extend([nu * m / v, -nu * m**2 * (mean - beta0) ** 2 / v**2])
        terms[2].extend([-sum((x - mean) ** 2 for x in block) / (2 * s2**2), 1 / (2 * v)])
        terms[2].append(-m * (mean - beta0) ** 2 / (2 * v**2))
    got = mixed.grad([float(beta0), float(nu), float(s2)], mixed.suff_stats(y, group))
    for value, parts in zip(got, terms, strict=True):
        scale = float(sum(abs(t) for t in parts))
        assert abs(value - float(sum(parts))) <= 1e-12 * scale


@pytest.mark.parametrize("offset", [10**8, 10**12, 10**16])
def test_mixed_profile_and_fit_at_a_large_offset_match_fractions(offset):
    """β̂₀(λ), σ̂²(λ) and −ℓ_p(λ), and the fit (its β̂₀, σ̂², ℓ and E(Z_i | y) at the
    exact β̂₀), against exact fractions: σ̂² was 1e-10 (c = 10⁸) to 4 % (c = 10¹⁶) off."""
    y, group, blocks = mixed_offset_data(offset)
    stats = mixed.suff_stats(y, group)
    for ratio in [0.0, 0.25, 4.0]:
        beta0, sigma2, value = exact_mixed_profile(blocks, ratio)
        got_beta0, got_sigma2 = mixed.profile_ratio(ratio, stats)
        assert abs(got_beta0 - beta0) <= np.spacing(float(beta0))  # the float nearest, or next
        assert got_sigma2 == pytest.approx(float(sigma2), rel=1e-13)
        assert mixed.profile_negloglik_ratio(ratio, stats) == pytest.approx(value, rel=1e-13)
    result = mixed.fit(y, group)
    assert result.nu > 0
    beta0, sigma2, value = exact_mixed_profile(
        blocks, Fraction(result.nu) ** 2 / Fraction(result.sigma2)
    )
    assert abs(result.beta0 - beta0) <= np.spacing(float(beta0))
    assert result.sigma2 == pytest.approx(float(sigma2), rel=1e-12)
    assert -result.loglik == pytest.approx(value, rel=1e-13)
    nu, s2 = Fraction(result.nu), Fraction(result.sigma2)
    blup = [
        float(nu * len(block) * (sum(block) / len(block) - beta0) / (s2 + len(block) * nu**2))
        for block in blocks
    ]
    np.testing.assert_allclose(result.blup, blup, rtol=1e-12)
    assert mixed.profile_negloglik_nu(result.nu, stats) == pytest.approx(value, rel=1e-12)


# --- count likelihoods at large counts -------------------------------------------------------
def test_poisson_negloglik_at_large_counts_matches_decimal():
    y = [10**15, 10**15 + 7]
    reference = decimal_poisson_negloglik(y, 1e15)
    assert float(reference) == pytest.approx(36.38, abs=0.01)
    value = float(poisson.negloglik(1e15, poisson.suff_stats(y)))  # was 40.0
    assert value == pytest.approx(float(reference), rel=1e-12)


def test_poisson_canonical_negloglik_at_large_counts_matches_decimal():
    y = [10**12, 10**12 + 3, 10**12 - 5]
    theta = math.log(1e12 + 1)
    reference = decimal_poisson_negloglik(y, math.exp(theta))
    value = float(poisson.negloglik_canonical(theta, poisson.suff_stats(y)))
    assert value == pytest.approx(float(reference), rel=1e-9)


def large_count_data(n: int = 30, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(27.6 + 0.01 * x))  # counts near 10¹²
    return np.c_[np.ones(n), x], y


def test_poisson_regression_deviance_and_loglik_at_large_counts_match_decimal():
    X, y = large_count_data()
    fit = regression.fit_poisson(X, y)
    eta = [Decimal(float(fit.coef[0])) + Decimal(float(fit.coef[1])) * Decimal(v) for v in X[:, 1]]
    deviance = decimal_poisson_deviance(y, eta)
    assert fit.deviance == pytest.approx(float(deviance), rel=1e-9)
    mu = [float(e.exp()) for e in eta]
    assert fit.loglik == pytest.approx(-float(decimal_poisson_negloglik(y, mu)), rel=1e-10)
    stats = regression.suff_stats(X, y)
    assert float(regression.deviance(fit.coef, stats)) == pytest.approx(float(deviance), rel=1e-8)
    assert float(regression.negloglik(fit.coef, stats)) == pytest.approx(-fit.loglik, rel=1e-10)


def test_intercept_only_deviance_equals_the_null_deviance_at_large_counts():
    _, y = large_count_data()
    fit = regression.fit_poisson(np.ones((y.size, 1)), y)
    assert fit.deviance == pytest.approx(fit.null_deviance, rel=1e-12)
    mean = Decimal(int(y.sum())) / y.size
    null = decimal_poisson_deviance(y, [mean.ln()] * y.size)
    assert fit.null_deviance == pytest.approx(float(null), rel=1e-12)


# --- where the stable form takes over (the dropdowns of 6.1 and 6.3) ---------------------------
def test_regression_leaves_the_sufficient_statistic_past_the_cancellation_line(monkeypatch):
    """Counts near 10¹² (the example of 6.3): κ(β) − βᵀt + Σ log y! has terms 10¹² times −ℓ,
    so negloglik sums per observation and matches 50 digits; forced to keep the fast form
    (the line moved to infinity) it keeps only 5 digits, and forced never to keep it (the line
    at 0) it changes nothing where the fast form stands (the vegetables-sized counts)."""
    X = np.c_[np.ones(6), np.arange(6.0)]
    y = 10**12 + np.array([3, 9, 28, 31, 38, 56]) * 10**3
    stats = regression.suff_stats(X, y)
    beta = regression.fit_poisson(X, y).coef
    eta = X @ beta
    reference = float(decimal_poisson_negloglik(y, [float(Decimal(float(e)).exp()) for e in eta]))
    assert float(regression.negloglik(beta, stats)) == pytest.approx(reference, rel=1e-13)
    monkeypatch.setattr(regression, "CANCELLATION", np.inf)
    fast = float(regression.negloglik(beta, stats))
    assert abs(fast - reference) > 1e-7 * reference
    small_X, small_y = np.c_[np.ones(5), np.arange(5.0)], np.array([3, 0, 7, 12, 20])
    small = regression.suff_stats(small_X, small_y)
    grid = np.array([[0.5, 0.4], [1.0, 0.2], [0.1, 0.7]])
    ratio = [  # the size of the terms over |−ℓ|: below 2¹⁰, so the fast form stands
        (np.exp(small_X @ b).sum() + abs(b @ (small_X.T @ small_y)) + gammaln(small_y + 1).sum())
        / float(regression.negloglik(b, small))
        for b in grid
    ]
    assert max(ratio) < 2**10
    kept = regression.negloglik(grid, small)
    monkeypatch.setattr(regression, "CANCELLATION", 0.0)
    np.testing.assert_allclose(regression.negloglik(grid, small), kept, rtol=1e-13)
    for b, value in zip(grid, kept, strict=True):
        mu = np.exp(small_X @ b)
        assert value == pytest.approx(-scipy.stats.poisson.logpmf(small_y, mu).sum(), rel=1e-13)


def test_poisson_stable_form_equals_the_formula_of_the_text_at_ordinary_counts():
    """The line lies at zero for the Poisson model: the stable form is always used, and where
    the formula N μ − S log μ + Σ log y! keeps its digits the two agree to 13 digits."""
    counts = np.random.default_rng(5).poisson(3.5, size=50)
    stats = poisson.suff_stats(counts)
    for mu in (0.5, counts.mean(), 3.0, 7.0, 40.0):
        textbook = counts.size * mu - counts.sum() * math.log(mu) + gammaln(counts + 1).sum()
        assert float(poisson.negloglik(mu, stats)) == pytest.approx(textbook, rel=1e-13)


# --- rank decisions ------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e8])
def test_a_nearly_collinear_design_is_rank_deficient_in_any_units(scale):
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = rng.poisson(np.exp(0.5 + 0.3 * x))
    X = np.c_[np.ones(50), x, x + 1e-13 * rng.normal(size=50)] * [1, scale, scale]
    # before: coefficients ±1e10 (±1e18 at 1e-8) and a deviance not at those coefficients
    with pytest.raises(exceptions.NoEstimateError, match="full column rank"):
        regression.fit_poisson(X, y)
    with pytest.raises(exceptions.NoEstimateError, match="full column rank"):
        regression.fit_poisson(scipy.sparse.csc_array(X), y)  # the sparse solver too


def test_a_well_separated_design_fits_with_its_deviance_at_its_coefficients():
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = rng.poisson(np.exp(0.5 + 0.3 * x))
    X = np.c_[np.ones(50), x, x + 1e-3 * rng.normal(size=50)]
    fit = regression.fit_poisson(X, y)
    theirs = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-13)
    np.testing.assert_allclose(fit.coef, theirs.params, rtol=1e-6)
    stats = regression.suff_stats(X, y)
    assert float(regression.deviance(fit.coef, stats)) == pytest.approx(fit.deviance, rel=1e-9)


# --- moments that under- or overflow, integers that wrap -----------------------------------------
@pytest.mark.parametrize("unit", [1e-100, 1e-150, 1e100, 1e150])
def test_monte_carlo_se_scales_with_the_data(unit):
    p, mu, sigma = 0.3, np.array([0.0, 1.0]), np.array([1.0, 2.0])
    # exact moments in fractions: E = 0.7, V = 0.3·1 + 0.7·4 + 0.21 = 3.31
    P, M, S = Fraction(3, 10), [Fraction(0), Fraction(1)], [Fraction(1), Fraction(2)]
    mean = P * M[0] + (1 - P) * M[1]
    var = P * S[0] ** 2 + (1 - P) * S[1] ** 2 + P * (1 - P) * (M[0] - M[1]) ** 2
    d = [m - mean for m in M]
    m4 = sum(
        w * (dk**4 + 6 * dk**2 * sk**2 + 3 * sk**4)
        for w, dk, sk in zip((P, 1 - P), d, S, strict=True)
    )
    n = 100
    se_mean, se_var = mixtures.monte_carlo_se(n, p, mu * unit, (sigma * unit) ** 2)
    assert se_mean == pytest.approx(math.sqrt(var / n) * unit, rel=1e-14, abs=0)
    assert se_var == pytest.approx(math.sqrt((m4 - var**2) / n) * unit * unit, rel=1e-14, abs=0)


def test_monte_carlo_se_beyond_the_float_range_is_inf_without_warnings():
    # σ² = 1.5e308: se(s²) = σ² √2 for n = 1 exceeds the largest float
    se_mean, se_var = mixtures.monte_carlo_se(1, 0.5, [0.0, 0.0], [1.5e308, 1.5e308])
    assert se_mean == pytest.approx(math.sqrt(1.5e308)) and se_var == np.inf
    # far-apart means, unit variances: m₄ − V² = 4·10⁴⁰⁰ + 2, so se(s²) = 2·10²⁰⁰, finite
    se_mean, se_var = mixtures.monte_carlo_se(1, 0.5, [-1e200, 1e200], [1.0, 1.0])
    assert se_mean == pytest.approx(1e200) and se_var == pytest.approx(2e200, rel=1e-13)


def exact_monte_carlo_se(n, p, mu, sigma2):
    """√(V/n) and √((m₄ − V²)/n) in exact fractions, m₄ from its defining sum."""
    w = [Fraction(p), 1 - Fraction(p)]
    mu, v = [Fraction(m) for m in mu], [Fraction(x) for x in sigma2]
    mean = w[0] * mu[0] + w[1] * mu[1]
    d = [m - mean for m in mu]
    var = sum(w[k] * (v[k] + d[k] ** 2) for k in range(2))
    m4 = sum(w[k] * (d[k] ** 4 + 6 * d[k] ** 2 * v[k] + 3 * v[k] ** 2) for k in range(2))
    return math.sqrt(var / n), math.sqrt((m4 - var**2) / n)


@pytest.mark.parametrize(
    ("n", "p", "mu", "sigma2"),
    [
        (100, 0.5, (-1e8, 1e8), (1.0, 1.0)),  # was 2.58e7 for 2e7: m₄ − V² cancelled
        (10, 0.3, (1e6, -1e6), (2.0, 0.5)),
        (1, 0.9, (0.0, 1e-9), (1e-30, 4e-30)),
        (5000, 0.5, (-0.5, 4.0), (1.0, 4.0)),
        (7, 0.0, (3.0, -2.0), (0.3, 5.0)),
    ],
)
def test_monte_carlo_se_of_far_apart_means_does_not_cancel(n, p, mu, sigma2):
    se_mean, se_var = mixtures.monte_carlo_se(n, p, mu, sigma2)
    exact_mean, exact_var = exact_monte_carlo_se(n, p, mu, sigma2)
    assert se_mean == pytest.approx(exact_mean, rel=1e-14)
    assert se_var == pytest.approx(exact_var, rel=1e-14)


def test_marginal_cov_of_small_integers_does_not_wrap():
    cov = mixed.marginal_cov(2, np.int8(100), np.int8(1))
    np.testing.assert_array_equal(cov, [[10001.0, 10000.0], [10000.0, 10001.0]])  # was 16
    with pytest.raises(ValueError, match="sigma2"):
        mixed.marginal_cov(2, 1.0, -1.0)


# --- separation: every separating row named ---------------------------------------------------
def rows_separable_one_by_one(X, y):
    """Zero rows i for which some d has x_iᵀd < 0, X_P d = 0, X_Z d ≤ 0 (one LP per row)."""
    zero = np.flatnonzero(y == 0)
    found = []
    for i in zero:
        result = scipy.optimize.linprog(
            c=X[i],
            A_ub=X[zero],
            b_ub=np.zeros(zero.size),
            A_eq=X[y > 0],
            b_eq=np.zeros(int((y > 0).sum())),
            bounds=[(-1, 1)] * X.shape[1],
            method="highs",
        )
        if result.status == 0 and result.fun < -1e-9:
            found.append(int(i))
    return found


def test_the_separation_message_names_every_separable_row():
    X = np.array(
        [[1, 0, 0, 0]] * 3 + [[1, 1, 1, 1]] * 3 + [[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0]],
        dtype=float,
    )
    y = np.array([3, 1, 2, 4, 2, 5, 0, 0, 0])
    assert rows_separable_one_by_one(X, y) == [6, 7, 8]
    with pytest.raises(exceptions.NoEstimateError) as caught:
        regression.fit_poisson(X, y)
    assert "3 rows with response 0 (rows [6, 7, 8])" in str(caught.value)  # was rows [7, 8]


# --- an iterative estimator stopping short of its tolerance ------------------------------------
def test_von_mises_newton_reaches_its_tolerance_near_kappa_zero():
    rng = np.random.default_rng(256)
    y = rng.uniform(-np.pi, np.pi, size=int(rng.integers(5, 60)))
    stats = vonmises.suff_stats(y)
    theta = vonmises.mle(stats)
    # κ̂ solves A(κ) = R̄ (I₁/I₀ = mean resultant length), by a root finder of scipy's
    r_bar = math.hypot(stats.sum_cos, stats.sum_sin) / stats.n
    kappa = scipy.optimize.brentq(
        lambda k: float(i1e(k) / i0e(k)) - r_bar, 1e-12, 10, xtol=1e-16, rtol=1e-15
    )
    direction = math.atan2(stats.sum_sin, stats.sum_cos)
    expected = kappa * np.array([math.cos(direction), math.sin(direction)])
    np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=1e-14)  # was off by 7e-9
    assert np.abs(vonmises.grad(theta, stats)).max() / stats.n < 1e-13  # was 3.5e-9


def test_iterative_fits_refuse_bad_tolerances():
    stats = vonmises.suff_stats([0.1, 0.5, 1.0])
    for options in ({"tol": -1.0}, {"tol": np.nan}, {"max_iter": 0}, {"max_iter": 2.5}):
        with pytest.raises(exceptions.DataError, match=next(iter(options))):
            vonmises.mle(stats, **options)
        with pytest.raises(exceptions.DataError, match=next(iter(options))):
            regression.fit_poisson(np.c_[np.ones(3), [0, 1, 2]], [1, 2, 3], **options)


# --- malformed input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]"),
        np.array([1, 2], dtype="timedelta64[s]"),
        pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02"])),
    ],
)
def test_dates_and_durations_are_not_numbers(data):
    for fit in (gaussian.suff_stats, poisson.suff_stats, vonmises.suff_stats):
        with pytest.raises(exceptions.DataError, match="not dates or durations"):
            fit(data)


def test_masked_entries_are_not_used_as_data():
    data = np.ma.array([1.0, 2.0, 1e9], mask=[False, False, True])
    for fit in (gaussian.suff_stats, poisson.suff_stats, vonmises.suff_stats):
        with pytest.raises(exceptions.DataError, match="masked"):
            fit(data)
    unmasked = np.ma.array([1.0, 2.0, 4.0], mask=False)  # nothing hidden: used as it is
    assert gaussian.suff_stats(unmasked) == gaussian.suff_stats([1.0, 2.0, 4.0])


@pytest.mark.parametrize("bad", [-0.1, np.nan, np.inf])
def test_genotype_expectation_refuses_bad_probabilities(bad):
    p = np.array([0.1, 0.2, 0.2, 0.1, 0.2, 0.2])
    p[1] = bad
    with pytest.raises(exceptions.DataError, match="p "):
        multinomial.genotype_expectation([10, 20, 30], p, multinomial.MOTH_GROUP)


@pytest.mark.parametrize("factor", [-1.0, 2.0])
def test_collapsed_negloglik_refuses_a_prob_function_that_is_not_a_distribution(factor):
    def prob(par):
        return factor * multinomial.hardy_weinberg(par)

    with pytest.raises(exceptions.DataError, match="prob"):
        multinomial.collapsed_negloglik([0.3, 0.3], [1, 2, 3], prob, multinomial.MOTH_GROUP)
    # NaN cells still mark parameters off the space: +inf there, no error
    value = multinomial.collapsed_negloglik(
        [0.9, 0.9], [1, 2, 3], multinomial.hardy_weinberg, multinomial.MOTH_GROUP
    )
    assert value == np.inf


def test_collapse_refuses_nan_counts():
    with pytest.raises(exceptions.DataError, match="finite"):
        multinomial.collapse([1.0, np.nan, 2.0], [1, 1, 2])


# === issue 28: the smaller contract items =======================================================
def test_empty_parameter_grids_give_empty_results():
    stats = regression.suff_stats(np.c_[np.ones(3), [0, 1, 2]], [1, 2, 3])
    for function in (regression.negloglik, regression.kappa, regression.deviance):
        assert function(np.empty((0, 2)), stats).shape == (0,)  # was a crash in concatenate
        assert function(np.empty((4, 0, 2)), stats).shape == (4, 0)


def test_log_odds_at_the_ends_and_outside():
    np.testing.assert_array_equal(multinomial.log_odds([0.0, 0.5, 1.0]), [-np.inf, 0.0, np.inf])
    with pytest.raises(exceptions.DataError, match="p1"):
        multinomial.log_odds([1.5])


def test_regression_gradient_and_hessian_overflow_to_inf_without_warnings():
    stats = regression.suff_stats(np.c_[np.ones(3), [0, 1, 2]], [1, 2, 3])
    np.testing.assert_array_equal(regression.grad([1000.0, 0.0], stats), [np.inf, np.inf])
    assert np.all(regression.hessian([1000.0, 0.0], stats) == np.inf)


def test_fewer_rows_than_columns_says_so():
    with pytest.raises(exceptions.NoEstimateError, match="fewer rows"):
        regression.fit_poisson(np.array([[1.0, 2.0, 3.0]]), [1])  # was "expected square matrix"


@pytest.mark.parametrize(
    ("formula", "match"),
    [("y ~ x +* z", "cannot be read"), ("x", "response"), (3, "string")],
)
def test_formula_errors_are_data_errors(formula, match):
    with pytest.raises(exceptions.DataError, match=match):
        regression.poisson_glm(formula, {"y": [1, 2, 3], "x": [1.0, 2.0, 3.0]})


def test_genotype_negloglik_has_the_sign_of_every_negloglik():
    counts = [10, 20, 5, 30, 15, 20]
    par = np.array([[0.2, 0.3], [0.5, 0.6]])  # the second is off the simplex
    np.testing.assert_array_equal(
        multinomial.genotype_negloglik(par, counts), -multinomial.genotype_loglik(par, counts)
    )
    assert multinomial.genotype_negloglik(par, counts)[1] == np.inf


def test_mixed_simulate_takes_the_variance():
    sizes = np.full(4000, 5)
    by_variance = mixed.simulate(sizes, 0.0, 0.0, 0.25, np.random.default_rng(5))
    by_sd = mixed.simulate(sizes, 0.0, 0.0, sigma=0.5, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(by_variance.y, by_sd.y)
    assert by_variance.y.var() == pytest.approx(0.25, rel=0.05)
    with pytest.raises(exceptions.DataError, match="sigma2"):
        mixed.simulate(sizes, 0.0, 0.0, 0.25, np.random.default_rng(5), sigma=0.5)
