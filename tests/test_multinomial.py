"""Section 6.2: multinomial parametrizations, cell collapsing and the peppered moths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime
from scipy.stats import multinomial as scipy_multinomial

from statbook import multinomial as m
from statbook.optimize import optim

X = m.MOTH_COUNTS
NM_PAR = np.array([0.07084643, 0.18871900])  # the seed's Nelder–Mead estimate
EXACT = np.array([0.0708369, 0.1887365])
PREDICTED = np.array([3.122, 16.630, 65.248, 22.155, 173.845, 341.000])


# --- the numbers of the section ------------------------------------------------------


def test_data():
    np.testing.assert_array_equal(X, [85, 196, 341])
    assert X.sum() == 622


def test_nelder_mead_problem_specific_and_generic_agree():
    specific = optim([0.3, 0.3], m.moth_negloglik, X)
    generic = optim([0.3, 0.3], m.collapsed_negloglik, X, m.hardy_weinberg, m.MOTH_GROUP)
    for result in (specific, generic):
        np.testing.assert_allclose(result.par, NM_PAR, atol=5e-9)
        np.testing.assert_allclose(np.round(result.par, 5), [0.07085, 0.18872])
        assert round(result.value, 2) == 600.48
        assert round(result.value, 1) == 600.5
        assert result.counts == 71
    assert abs(specific.value - generic.value) < 1e-10


def test_start_at_origin_raises():
    for args in ((X,), (X, m.hardy_weinberg, m.MOTH_GROUP)):
        fn = m.moth_negloglik if len(args) == 1 else m.collapsed_negloglik
        with pytest.raises(ValueError, match="cannot be evaluated at initial parameters"):
            optim([0.0, 0.0], fn, *args)


def test_exact_optimum_three_ways():
    closed = m.moth_mle(X)
    gradient = m.moth_mle_gradient(X)
    np.testing.assert_allclose(np.round(closed, 7), EXACT, atol=1e-12)
    np.testing.assert_allclose(gradient, closed, atol=1e-9)
    np.testing.assert_allclose(m.moth_grad(closed, X), 0, atol=1e-8)
    # the collapsed cell probabilities at the MLE are the observed frequencies
    np.testing.assert_allclose(m.phenotype_probs(closed), X / X.sum(), atol=1e-14)
    # how far Nelder–Mead stopped from it
    distance = np.abs(NM_PAR - closed)
    assert 5e-6 < distance.max() < 2e-5
    gap = m.moth_negloglik(NM_PAR, X) - m.moth_negloglik(closed, X)
    assert 1e-6 < gap < 2e-6


def test_predicted_genotype_counts():
    p = m.hardy_weinberg(NM_PAR)
    predicted = m.genotype_expectation(X, p, m.MOTH_GROUP)
    np.testing.assert_allclose(np.round(predicted, 3), PREDICTED, atol=1e-9)
    np.testing.assert_allclose(m.collapse(predicted, m.MOTH_GROUP), X)


# --- the full multinomial model ------------------------------------------------------


def test_suff_stats_tabulates():
    stats = m.suff_stats([1, 3, 3, 2, 3], 4)
    np.testing.assert_array_equal(stats.counts, [1, 1, 3, 0])
    assert stats.n == 5
    with pytest.raises(ValueError, match=r"y must hold labels in 1\.\.3"):
        m.suff_stats([0, 1], 3)


def test_loglik_against_scipy_multinomial():
    stats = m.stats_from_counts([3, 5, 2, 7])
    rng = np.random.default_rng(3)
    theta = rng.normal(size=(5, 4))
    p = m.softmax(theta)
    # scipy's log pmf adds log(N! / Π N_k!), a constant
    const = scipy_multinomial.logpmf(stats.counts, stats.n, np.full(4, 0.25)) + 17 * np.log(4)
    np.testing.assert_allclose(
        -m.negloglik_symmetric(theta, stats),
        scipy_multinomial.logpmf(stats.counts, stats.n, p) - const,
        rtol=1e-12,
    )


def test_symmetric_not_identifiable_reference_is():
    stats = m.stats_from_counts([3, 5, 2])
    theta = np.array([0.3, -1.0, 2.0])
    assert m.negloglik_symmetric(theta + 5.0, stats) == pytest.approx(
        m.negloglik_symmetric(theta, stats)
    )
    reference = theta[:2] - theta[2]
    np.testing.assert_allclose(m.reference_to_prob(reference), m.softmax(theta))
    np.testing.assert_allclose(m.prob_to_reference(m.softmax(theta)), reference)
    assert m.negloglik_reference(reference, stats) == pytest.approx(
        m.negloglik_symmetric(theta, stats)
    )


def test_reference_ratios_and_mle():
    stats = m.stats_from_counts([3, 5, 2])
    theta = np.array([0.7, -0.2])
    p = m.reference_to_prob(theta)
    np.testing.assert_allclose(p[:2] / p[2], np.exp(theta))
    np.testing.assert_allclose(p[0] / p[1], np.exp(theta[0] - theta[1]))
    theta_hat = m.mle_reference(stats)
    np.testing.assert_allclose(m.reference_to_prob(theta_hat), [0.3, 0.5, 0.2])
    np.testing.assert_allclose(m.grad_reference(theta_hat, stats), 0, atol=1e-12)
    with pytest.raises(m.NoInteriorMinimizerError, match="zero"):
        m.mle_reference(m.stats_from_counts([3, 0, 2]))


def test_logistic_and_log_odds():
    theta = np.array([-3.0, 0.0, 1.5])
    p1 = m.logistic(theta)
    np.testing.assert_allclose(p1, np.exp(theta) / (1 + np.exp(theta)))
    np.testing.assert_allclose(p1, np.exp(theta) * (1 - p1))
    np.testing.assert_allclose(m.log_odds(p1), theta)


def test_reference_gradient_and_hessian_by_finite_differences():
    stats = m.stats_from_counts([4, 9, 1, 6])
    theta = np.array([0.2, -0.5, 1.1])
    fd = approx_fprime(theta, lambda t: float(m.negloglik_reference(t, stats)), 1e-7)
    np.testing.assert_allclose(m.grad_reference(theta, stats), fd, rtol=1e-5, atol=1e-5)
    fd_hess = np.array(
        [
            approx_fprime(theta, lambda t, i=i: float(m.grad_reference(t, stats)[i]), 1e-7)
            for i in range(3)
        ]
    )
    np.testing.assert_allclose(m.hessian_reference(theta, stats), fd_hess, rtol=1e-5, atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-20, 20), min_size=3, max_size=3),
    st.lists(st.integers(0, 1000), min_size=4, max_size=4),
)
def test_reference_negloglik_convex(theta, counts):
    stats = m.stats_from_counts(counts)
    eigenvalues = np.linalg.eigvalsh(m.hessian_reference(np.array(theta), stats))
    assert eigenvalues.min() >= -1e-9 * max(1, stats.n)


def test_extreme_theta_stays_finite():
    stats = m.stats_from_counts([3, 5, 2])
    value = m.negloglik_symmetric(np.array([800.0, -800.0, 0.0]), stats)
    assert np.isfinite(value)
    np.testing.assert_allclose(m.softmax(np.array([800.0, 0.0])), [1.0, 0.0])


def test_vectorized_over_leading_axes():
    stats = m.stats_from_counts([3, 5, 2])
    grid = np.random.default_rng(1).normal(size=(4, 5, 2))
    values = m.negloglik_reference(grid, stats)
    assert values.shape == (4, 5)
    assert values[2, 3] == pytest.approx(float(m.negloglik_reference(grid[2, 3], stats)))


# --- cell collapsing -----------------------------------------------------------------


def test_collapse_matches_pandas_groupby():
    x = np.array([5.0, 1.0, 2.0, 7.0, 3.0, 4.0])
    group = np.array([2, 1, 3, 1, 2, 3])
    expected = pd.Series(x).groupby(group).sum().to_numpy()
    np.testing.assert_array_equal(m.collapse(x, group), expected)
    genotypes = np.array([3, 17, 65, 22, 174, 341])
    np.testing.assert_array_equal(m.collapse(genotypes, m.MOTH_GROUP), [85, 196, 341])


def test_collapse_vectorized_and_preserves_probability():
    p = m.softmax(np.random.default_rng(2).normal(size=(7, 3, 6)))
    collapsed = m.collapse(p, m.MOTH_GROUP)
    assert collapsed.shape == (7, 3, 3)
    np.testing.assert_allclose(collapsed.sum(axis=-1), 1.0)
    np.testing.assert_allclose(collapsed[..., 2], p[..., 5])


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ([1, 1, 2], "one label per cell"),
        ([1, 1, 1, 3, 3, 3], "cover 1..K₀"),
        ([0, 1, 1, 2, 2, 3], "cover 1..K₀"),
        ([1, 1, 1.5, 2, 2, 3], "whole numbers"),
        ([1, 1, np.nan, 2, 2, 3], "finite"),
    ],
)
def test_collapse_bad_groups(group, message):
    with pytest.raises(ValueError, match=message):
        m.collapse(np.ones(6), group)


def test_collapsed_multinomial_distribution_by_simulation():
    """X = M(N) ~ Mult(N, M(p)): simulated collapsed tables have mean N M(p)."""
    rng = np.random.default_rng(7)
    p = m.hardy_weinberg([0.2, 0.3])
    tables = rng.multinomial(100, p, size=20000)
    collapsed = m.collapse(tables, m.MOTH_GROUP)
    np.testing.assert_allclose(
        collapsed.mean(axis=0), 100 * m.phenotype_probs([0.2, 0.3]), rtol=0.01
    )


# --- Hardy–Weinberg and the moths ----------------------------------------------------


def test_hardy_weinberg_is_allele_pair_distribution():
    par = np.array([0.2, 0.5])
    alleles = np.array([0.2, 0.5, 0.3])
    pairs = np.outer(alleles, alleles)  # ordered pairs; unordered genotypes sum both orders
    expected = [
        pairs[0, 0],
        2 * pairs[0, 1],
        2 * pairs[0, 2],
        pairs[1, 1],
        2 * pairs[1, 2],
        pairs[2, 2],
    ]
    np.testing.assert_allclose(m.hardy_weinberg(par), expected)
    assert m.hardy_weinberg(par).sum() == pytest.approx(1.0)


def test_phenotype_probs_simplify():
    """M(p) = (p_C(2 − p_C), p_I(p_I + 2 p_T), p_T²)."""
    p_c, p_i = 0.15, 0.35
    p_t = 1 - p_c - p_i
    np.testing.assert_allclose(
        m.phenotype_probs([p_c, p_i]), [p_c * (2 - p_c), p_i * (p_i + 2 * p_t), p_t**2]
    )


@pytest.mark.parametrize("par", [[-0.1, 0.5], [0.5, -0.01], [0.6, 0.6], [1.2, 0.0], [np.nan, 0.2]])
def test_off_simplex_is_inf_without_warnings(par):
    assert m.moth_negloglik(par, X) == np.inf
    assert m.collapsed_negloglik(par, X, m.hardy_weinberg, m.MOTH_GROUP) == np.inf
    assert np.all(np.isnan(m.hardy_weinberg(par)))
    assert m.genotype_loglik(par, [1, 2, 3, 4, 5, 6]) == -np.inf


def test_boundary_points():
    """On the boundary the value is finite when no observed phenotype gets probability 0."""
    assert m.moth_negloglik([0.0, 0.0], X) == np.inf  # p_T = 1 cannot produce dark moths
    assert np.isfinite(m.moth_negloglik([0.0, 0.4], [0, 5, 3]))
    assert m.moth_negloglik([0.0, 0.4], [0, 5, 3]) == pytest.approx(
        -(5 * np.log(0.4**2 + 2 * 0.4 * 0.6) + 3 * np.log(0.36))
    )


def test_surface_vectorized_equals_pointwise():
    axis = np.linspace(0, 1, 31)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1)
    surface = m.moth_negloglik(grid, X)
    generic = m.collapsed_negloglik(grid, X, m.hardy_weinberg, m.MOTH_GROUP)
    pointwise = np.array([[m.moth_negloglik(grid[i, j], X) for j in range(31)] for i in range(31)])
    # equal up to the summation order of the matrix product
    np.testing.assert_array_equal(np.isfinite(surface), np.isfinite(pointwise))
    np.testing.assert_allclose(surface, pointwise, rtol=1e-14)
    finite = np.isfinite(surface)
    np.testing.assert_array_equal(finite, np.isfinite(generic))
    np.testing.assert_allclose(surface[finite], generic[finite], rtol=1e-12)


def test_moth_gradient_by_finite_differences():
    for par in ([0.1, 0.2], [0.3, 0.3], [0.6, 0.1]):
        par = np.array(par)
        fd = approx_fprime(par, lambda p: float(m.moth_negloglik(p, X)), 1e-8)
        np.testing.assert_allclose(m.moth_grad(par, X), fd, rtol=1e-5)


def test_hardy_weinberg_jacobian_by_finite_differences():
    par = np.array([0.25, 0.4])
    fd = np.array(
        [approx_fprime(par, lambda q, k=k: float(m.hardy_weinberg(q)[k]), 1e-8) for k in range(6)]
    )
    np.testing.assert_allclose(m.hardy_weinberg_jacobian(par), fd, atol=1e-6)


def test_genotype_loglik_corrects_the_seed_typo():
    counts = np.array([4, 11, 25, 9, 40, 30])
    par = np.array([0.2, 0.3])
    p_c, p_i = par
    p_t = 1 - p_c - p_i
    direct = counts @ np.log(m.hardy_weinberg(par))
    n_cc, n_ci, n_ct, n_ii, n_it, n_tt = counts
    corrected = (
        2 * n_cc * np.log(p_c)
        + n_ci * np.log(2 * p_c * p_i)
        + n_ct * np.log(2 * p_c * p_t)
        + 2 * n_ii * np.log(p_i)
        + n_it * np.log(2 * p_i * p_t)
        + 2 * n_tt * np.log(p_t)
    )
    as_printed = corrected - n_ct * np.log(2 * p_c * p_t) + n_ct * np.log(2 * p_c * p_i)
    assert m.genotype_loglik(par, counts) == pytest.approx(direct, rel=1e-13)
    assert corrected == pytest.approx(direct, rel=1e-13)
    assert abs(as_printed - direct) > 1.0


def test_genotype_mle_is_allele_counting():
    counts = np.array([4, 11, 25, 9, 40, 30])
    estimate = m.genotype_mle(counts)
    fit = optim([0.3, 0.3], lambda p: -float(m.genotype_loglik(p, counts)), maxit=2000)
    np.testing.assert_allclose(fit.par, estimate, atol=1e-4)
    np.testing.assert_allclose(estimate, [(8 + 11 + 25) / 238, (18 + 11 + 40) / 238])


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([0, 5, 3], None),
        ([5, 0, 3], None),
        ([5, 3, 0], None),
        ([0, 0, 7], [0.0, 0.0]),
        ([7, 0, 0], [1.0, 0.0]),
    ],
)
def test_moth_mle_with_zero_counts_is_on_the_boundary(x, expected):
    estimate = m.moth_mle(x)
    assert m.in_simplex(estimate)
    np.testing.assert_allclose(m.phenotype_probs(estimate), np.array(x) / sum(x), atol=1e-14)
    if expected is not None:
        np.testing.assert_allclose(estimate, expected, atol=1e-15)


def test_moth_mle_beats_grid():
    axis = np.linspace(0, 1, 201)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1)
    for x in ([85, 196, 341], [1, 1, 1], [50, 3, 900]):
        assert m.moth_negloglik(m.moth_mle(x), x) <= m.moth_negloglik(grid, x).min() + 1e-9


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([85, -196, 341], "non-negative"),
        ([85, 196.5, 341], "whole numbers"),
        ([85, np.nan, 341], "finite"),
        ([85, 196], "three phenotype counts"),
    ],
)
def test_bad_counts_raise(x, message):
    with pytest.raises(ValueError, match=message):
        m.moth_negloglik([0.3, 0.3], x)
    with pytest.raises(ValueError, match=message):
        m.moth_mle(x)


def test_no_moths_raise():
    with pytest.raises(ValueError, match="no moths"):
        m.moth_mle([0, 0, 0])
    with pytest.raises(m.NoInteriorMinimizerError):
        m.moth_mle_gradient([0, 3, 4])


def test_genotype_expectation_bad_input():
    p = m.hardy_weinberg([0.2, 0.3])
    with pytest.raises(ValueError, match="one count per group"):
        m.genotype_expectation([1, 2], p, m.MOTH_GROUP)
    with pytest.raises(ValueError, match="non-negative"):
        m.genotype_expectation([1, -2, 3], p, m.MOTH_GROUP)
    with pytest.raises(ValueError, match="probability 0"):
        m.genotype_expectation([1, 2, 3], m.hardy_weinberg([0.0, 0.0]), m.MOTH_GROUP)


def test_genotype_expectation_zero_groups():
    """Counts (0, 0, 7) give the boundary MLE p_T = 1, where the empty groups predict 0."""
    p = m.hardy_weinberg(m.moth_mle([0, 0, 7]))
    np.testing.assert_array_equal(
        m.genotype_expectation([0, 0, 7], p, m.MOTH_GROUP), [0, 0, 0, 0, 0, 7]
    )


# --- explorers -----------------------------------------------------------------------


def test_moth_explorer_extremes_never_raise():
    from statbook.explorers.multinomial import moth_explorer

    explorer = moth_explorer()
    before = explorer.redraws
    for n_c in (0, 1000):
        for n_i in (0, 1000):
            for n_t in (0, 1000):
                explorer.set(n_c=n_c, n_i=n_i, n_t=n_t)
                assert explorer.last_error is None, (n_c, n_i, n_t, explorer.last_error)
    assert explorer.redraws > before + 5


def test_softmax_explorer_extremes_never_raise():
    from statbook.explorers.multinomial import softmax_explorer

    explorer = softmax_explorer()
    before = explorer.redraws
    for theta1 in (-4, 4):
        for theta2 in (-4, 4):
            for shift in (-4, 4):
                explorer.set(theta1=theta1, theta2=theta2, shift=shift)
                assert explorer.last_error is None, explorer.last_error
    assert explorer.redraws > before + 5
