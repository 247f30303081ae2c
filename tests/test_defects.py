"""One regression test per defect of the hardening issue: each failed before its fix.

Every test names the defect it pins down (numbers as in the issue).  The property
tests in ``test_properties.py`` then check the same promises on generated input.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from statbook import gaussian, mixed, mixtures, multinomial, plotting, poisson, regression, vonmises
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
    np.testing.assert_array_equal(mixtures.posterior(1e308, 0.5, [0, 1], [1, 2]), [0.0, 1.0])
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
