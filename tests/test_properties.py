"""Property tests: every public function of every model module, on generated input.

The promise checked everywhere (pytest runs with warnings as errors, so a warning
fails too): malformed data raise ``ValueError`` naming the argument; a likelihood
is +inf off the parameter space and a number or +inf, never NaN, at any legal
parameter; simulations and starts refuse parameters off the space; fits are
equivariant under rescaling and shifting a covariate, relabelling groups and
permuting rows, and agree with statsmodels or scipy.  The bounded hypothesis
profile of ``tests/conftest.py`` keeps the number of examples fixed.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import scipy.stats as sps
import statsmodels.api as sm
from hypothesis import assume, given
from hypothesis import strategies as st

from statbook import (
    datasets,
    exceptions,
    gaussian,
    mixed,
    mixtures,
    multinomial,
    optimize,
    poisson,
    regression,
    vonmises,
)

# --- strategies -------------------------------------------------------------------------------
any_float = st.floats(allow_nan=True, allow_infinity=True)
legal_float = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(-50, 50, allow_nan=False)
positive_moderate = st.floats(1e-3, 1e3)
ordinary_data = st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30)
count_data = st.lists(st.integers(0, 10**6), min_size=1, max_size=30)


def parameters(size: int, elements=any_float):
    """Arrays of shape (k, size) of parameters, k from 1 to 4."""
    return st.integers(1, 4).flatmap(
        lambda k: st.lists(
            st.lists(elements, min_size=size, max_size=size), min_size=k, max_size=k
        ).map(np.array)
    )


bad_float_data = st.sampled_from(
    [
        ([1.0, np.nan], "finite"),
        ([1.0, np.inf], "finite"),
        ([-np.inf, 2.0], "finite"),
        ([], "at least"),
        ([[1.0, 2.0], [3.0, 4.0]], "one-dimensional"),
        (["1.5", "2"], "not text"),
        (np.array([1 + 2j, 2]), "real numbers"),
        ([1.0, None], "real numbers"),
    ]
)
bad_count_data = st.sampled_from(
    [
        ([1, -2], "non-negative"),
        ([1.5, 2], "whole numbers"),
        ([1, np.nan], "finite"),
        (["1", "2"], "not text"),
        (np.array([1 + 0j]), "real numbers"),
        ([2**60], "at most 2\\*\\*53"),
        ([], "at least"),
        ([[1, 2]], "one-dimensional"),
    ]
)
bad_sizes = st.sampled_from([-1, 2.5, None, "3", True, np.nan])
off_positive = st.sampled_from([0.0, -1.0, np.nan, np.inf, -np.inf])
non_finite = st.sampled_from([np.nan, np.inf, -np.inf])


def assert_number_or_inf(value) -> None:
    """No NaN and no −inf: a negative log-likelihood is a number or +inf."""
    value = np.asarray(value)
    assert not np.any(np.isnan(value)), value
    assert not np.any(value == -np.inf), value


def assert_off_space_is_inf(value, inside) -> None:
    assert_number_or_inf(value)
    assert np.all(np.asarray(value)[~np.asarray(inside)] == np.inf)


# --- poisson --------------------------------------------------------------------------------------
@given(bad_count_data)
def test_poisson_bad_data(case):
    data, message = case
    with pytest.raises(ValueError, match=rf"^y .*{message}"):
        poisson.suff_stats(data)


@given(count_data, st.lists(any_float, min_size=1, max_size=8))
def test_poisson_negloglik_everywhere(y, mus):
    stats, mu = poisson.suff_stats(y), np.array(mus)
    assert_off_space_is_inf(poisson.negloglik(mu, stats), (mu > 0) & np.isfinite(mu))
    assert_off_space_is_inf(poisson.negloglik_canonical(mu, stats), np.isfinite(mu))


@given(count_data, st.floats(1e-100, 1e100))
def test_poisson_calculus_and_mle(y, mu):
    stats = poisson.suff_stats(y)
    assert np.isfinite(poisson.grad(mu, stats)) and poisson.hessian(mu, stats) >= 0
    if stats.total == 0:
        with pytest.raises(poisson.NoInteriorMinimizerError):
            poisson.mle(stats)
    else:
        assert poisson.mle(stats) == pytest.approx(np.mean(y), rel=1e-12)


@given(bad_sizes, off_positive)
def test_poisson_simulate_refuses_bad_arguments(n, mu):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^n must"):
        poisson.simulate(n, 1.0, rng)
    with pytest.raises(ValueError, match=r"^mu must"):
        poisson.simulate(3, mu, rng)


# --- vonmises -------------------------------------------------------------------------------------
@given(bad_float_data)
def test_vonmises_bad_data(case):
    data, message = case
    with pytest.raises(ValueError, match=rf"^y .*{message}"):
        vonmises.suff_stats(data)


@given(st.lists(st.floats(-np.pi, np.pi), min_size=1, max_size=20), parameters(2))
def test_vonmises_negloglik_everywhere(y, theta):
    stats = vonmises.suff_stats(y)
    finite = np.all(np.isfinite(theta), axis=-1)
    assert_off_space_is_inf(vonmises.negloglik(theta, stats), finite)
    assert not np.any(np.isnan(vonmises.log_phi(theta)))
    kappa, mu = theta[:, 0], theta[:, 1]
    inside = (kappa >= 0) & (kappa < np.inf) & (mu > -np.pi) & (mu <= np.pi)
    assert_off_space_is_inf(vonmises.negloglik_polar(theta, stats), inside)


@given(st.lists(st.floats(-np.pi, np.pi), min_size=3, max_size=20), parameters(2, moderate))
def test_vonmises_polar_agrees_with_canonical_and_calculus_is_finite(y, theta):
    stats = vonmises.suff_stats(y)
    polar = vonmises.canonical_to_polar(theta)
    np.testing.assert_allclose(
        vonmises.negloglik_polar(polar, stats),
        vonmises.negloglik(theta, stats),
        rtol=1e-9,
        atol=1e-9,
    )
    assert np.all(np.isfinite(vonmises.grad(theta, stats)))
    assert np.all(np.linalg.eigvalsh(vonmises.hessian(theta, stats)) > 0)


@given(st.lists(st.floats(-np.pi, np.pi), min_size=5, max_size=40, unique=True))
def test_vonmises_mle_agrees_with_scipy(y):
    stats = vonmises.suff_stats(y)
    r_bar = np.hypot(stats.sum_cos, stats.sum_sin) / stats.n
    assume(0.05 < r_bar < 0.95)
    kappa, mu = vonmises.canonical_to_polar(vonmises.mle(stats))
    kappa_scipy, mu_scipy, _ = sps.vonmises.fit(y, fscale=1)
    assert kappa == pytest.approx(kappa_scipy, rel=1e-5)
    assert np.cos(mu - mu_scipy) == pytest.approx(1.0, abs=1e-9)


@given(bad_sizes, non_finite)
def test_vonmises_simulate_refuses_bad_arguments(n, value):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^n must"):
        vonmises.simulate(n, 1.0, 0.0, rng)
    with pytest.raises(ValueError, match=r"^kappa must"):
        vonmises.simulate(3, value, 0.0, rng)
    with pytest.raises(ValueError, match=r"^mu must"):
        vonmises.simulate(3, 1.0, value, rng)


# --- gaussian -------------------------------------------------------------------------------------
@given(bad_float_data)
def test_gaussian_bad_data(case):
    data, message = case
    with pytest.raises(ValueError, match=rf"^y .*{message}"):
        gaussian.suff_stats(data)


@given(ordinary_data, parameters(2))
def test_gaussian_negloglik_everywhere(y, par):
    stats = gaussian.suff_stats(y)
    finite = np.all(np.isfinite(par), axis=-1)
    inside = finite & (par[:, 1] > 0)
    assert_off_space_is_inf(gaussian.negloglik(par, stats), inside)
    assert_off_space_is_inf(gaussian.negloglik_canonical(par, stats), inside)


@given(ordinary_data, st.floats(-100, 100), st.floats(0.01, 100))
def test_gaussian_parametrizations_agree(y, mu, sigma2):
    stats = gaussian.suff_stats(y)
    par = np.array([mu, sigma2])
    theta = gaussian.to_canonical(par)
    np.testing.assert_allclose(gaussian.from_canonical(theta), par, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(
        gaussian.negloglik_canonical(theta, stats), gaussian.negloglik(par, stats), rtol=1e-8
    )
    assert np.all(np.isfinite(gaussian.grad_canonical(theta, stats)))
    assert np.all(np.linalg.eigvalsh(gaussian.hessian_canonical(theta, stats)) > 0)
    assert np.all(np.isfinite(gaussian.hessian(par, stats)))


@given(ordinary_data, st.floats(-1e6, 1e6), st.floats(1e-3, 1e3))
def test_gaussian_mle_is_equivariant(y, shift, scale):
    y = np.array(y)
    assume(np.ptp(y) > 1e-3 * max(1.0, np.abs(y).max()))
    mean, var = gaussian.mle(gaussian.suff_stats(y))
    moved_mean, moved_var = gaussian.mle(gaussian.suff_stats(scale * y + shift))
    assert moved_mean == pytest.approx(scale * mean + shift, rel=1e-9, abs=1e-6 * abs(shift) + 1e-9)
    assert moved_var == pytest.approx(scale**2 * var, rel=1e-6)
    assert var == pytest.approx(np.var(y), rel=1e-9)


@given(legal_float, st.integers(1, 20))
def test_gaussian_constant_data_have_no_mle(value, n):
    with pytest.raises(gaussian.NoUniqueMLEError, match="equal"):
        gaussian.mle(gaussian.suff_stats([value] * n))


@given(bad_sizes, off_positive)
def test_gaussian_simulate_refuses_bad_arguments(n, sigma2):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^n must"):
        gaussian.simulate(n, 0.0, 1.0, rng)
    with pytest.raises(ValueError, match=r"^sigma2 must"):
        gaussian.simulate(3, 0.0, sigma2, rng)


# --- multinomial ----------------------------------------------------------------------------------
@given(bad_count_data)
def test_multinomial_bad_data(case):
    data, message = case
    with pytest.raises(ValueError, match=rf"^y .*{message}"):
        multinomial.suff_stats(data, 4)
    with pytest.raises(ValueError, match=rf"^x .*{message}"):
        multinomial.moth_negloglik([0.3, 0.3], data)


@given(st.sampled_from([0, -1, 2.5, None, 10**10]))
def test_multinomial_bad_number_of_cells(k):
    with pytest.raises(ValueError, match=r"^k must"):
        multinomial.suff_stats([1, 2], k)


@given(st.lists(st.integers(0, 50), min_size=3, max_size=3), parameters(3))
def test_multinomial_negloglik_everywhere(counts, theta):
    stats = multinomial.stats_from_counts(counts)
    finite = np.all(np.isfinite(theta), axis=-1)
    assert_off_space_is_inf(multinomial.negloglik_symmetric(theta, stats), finite)
    assert_off_space_is_inf(
        multinomial.negloglik_reference(theta[:, :2], stats),
        np.all(np.isfinite(theta[:, :2]), axis=-1),
    )
    inside = np.asarray(multinomial.in_simplex(theta[:, :2])) & np.all(
        np.isfinite(theta[:, :2]), axis=-1
    )
    assert_off_space_is_inf(multinomial.moth_negloglik(theta[:, :2], counts), inside)


@given(st.lists(st.integers(1, 50), min_size=3, max_size=3), parameters(2, moderate))
def test_multinomial_parametrizations_and_calculus(counts, theta):
    stats = multinomial.stats_from_counts(counts)
    p = multinomial.reference_to_prob(theta)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(multinomial.prob_to_reference(p), theta, atol=1e-9)
    np.testing.assert_allclose(multinomial.softmax(np.c_[theta, np.zeros(len(theta))]), p)
    np.testing.assert_allclose(
        multinomial.negloglik_reference(theta, stats), -(np.log(p) @ np.array(counts)), rtol=1e-9
    )
    assert np.all(np.isfinite(multinomial.grad_reference(theta, stats)))
    assert np.all(np.linalg.eigvalsh(multinomial.hessian_reference(theta, stats)) >= -1e-9)
    odds = np.clip(theta[:, 0], -10, 10)  # beyond, 1 − p rounds away the digits of θ
    np.testing.assert_allclose(multinomial.log_odds(multinomial.logistic(odds)), odds, atol=1e-8)
    np.testing.assert_allclose(
        multinomial.reference_to_prob(multinomial.mle_reference(stats)),
        np.array(counts) / sum(counts),
    )


@given(st.lists(st.integers(0, 500), min_size=3, max_size=3))
def test_moth_mle_is_in_the_simplex_and_best(counts):
    assume(sum(counts) > 0)
    estimate = multinomial.moth_mle(counts)
    assert multinomial.in_simplex(estimate)
    value = multinomial.moth_negloglik(estimate, counts)
    assert np.isfinite(value)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 41), np.linspace(0, 1, 41)), axis=-1)
    assert value <= multinomial.moth_negloglik(grid, counts).min() + 1e-9
    expected = multinomial.genotype_expectation(
        counts, multinomial.hardy_weinberg(estimate), multinomial.MOTH_GROUP
    )
    np.testing.assert_allclose(multinomial.collapse(expected, multinomial.MOTH_GROUP), counts)
    if min(counts) > 0:
        np.testing.assert_allclose(multinomial.moth_mle_gradient(counts), estimate, atol=1e-6)
        collapsed = multinomial.collapsed_negloglik(
            estimate, counts, multinomial.hardy_weinberg, multinomial.MOTH_GROUP
        )
        assert collapsed == pytest.approx(value, rel=1e-12)
        np.testing.assert_allclose(
            multinomial.moth_grad(estimate, counts), 0, atol=1e-6 * sum(counts)
        )
        np.testing.assert_allclose(
            multinomial.phenotype_probs(estimate), np.array(counts) / sum(counts)
        )


@given(st.lists(st.integers(0, 30), min_size=6, max_size=6))
def test_genotype_mle_maximizes_the_complete_data_likelihood(genotypes):
    assume(sum(genotypes) > 0)
    estimate = multinomial.genotype_mle(genotypes)
    best = multinomial.genotype_loglik(estimate, genotypes)
    assert np.isfinite(best)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 21), np.linspace(0, 1, 21)), axis=-1)
    assert best >= np.max(multinomial.genotype_loglik(grid, genotypes)) - 1e-9
    assert np.all(multinomial.hardy_weinberg_jacobian(estimate).shape == (6, 2))


@given(st.sampled_from([(0.5, 0.5), (0.0, 0.3), (-0.1, 0.3), (0.9, 0.5), (np.nan, 0.2), (0.2,)]))
def test_moth_gradient_fit_refuses_starts_off_the_interior(start):
    with pytest.raises(ValueError, match=r"^start must"):
        multinomial.moth_mle_gradient(start=start)


@given(st.lists(st.integers(1, 10**12), min_size=1, max_size=6))
def test_collapse_groups_of_any_label_size(labels):
    distinct = sorted(set(labels))
    if distinct == list(range(1, len(distinct) + 1)):
        assert multinomial.collapse(np.ones(len(labels)), labels).sum() == len(labels)
    else:
        with pytest.raises(ValueError, match=r"^group labels must cover"):
            multinomial.collapse(np.ones(len(labels)), labels)


# --- regression -----------------------------------------------------------------------------------
def poisson_problem(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    store = rng.integers(0, 4, size=n)
    y = rng.poisson(np.exp(1.0 + 0.4 * z + 0.3 * store))
    return z, store, y


@given(st.integers(0, 10**6), st.floats(1e-8, 1e8), st.floats(-1e5, 1e5))
def test_dense_fit_is_equivariant_and_agrees_with_statsmodels(seed, scale, offset):
    # the shift is a multiple of the scale: x·scale + 1e5 would round away z's digits
    shift = offset * scale
    z, _, y = poisson_problem(seed)
    reference = regression.fit_poisson(np.c_[np.ones(z.size), z], y)
    moved = regression.fit_poisson(np.c_[np.ones(z.size), scale * z + shift], y)
    assert moved.coef[1] * scale == pytest.approx(reference.coef[1], rel=1e-6)
    assert moved.loglik == pytest.approx(reference.loglik, rel=1e-9)
    theirs = sm.GLM(y, np.c_[np.ones(z.size), z], family=sm.families.Poisson()).fit(tol=1e-12)
    np.testing.assert_allclose(reference.coef, theirs.params, rtol=1e-7)
    np.testing.assert_allclose(reference.se, theirs.bse, rtol=1e-6)


@given(st.integers(0, 10**6), st.floats(1e-8, 1e8), st.floats(-1e5, 1e5))
def test_store_fit_is_equivariant_under_units_shifts_relabelling_and_row_order(seed, scale, offset):
    shift = offset * scale
    z, store, y = poisson_problem(seed)
    assume(np.all(np.bincount(store, y, 4) > 0) and np.unique(store).size == 4)
    formula = "y ~ C(store) + z - 1"
    reference = regression.poisson_glm(formula, {"y": y, "z": z, "store": store})
    moved = regression.poisson_glm(formula, {"y": y, "z": scale * z + shift, "store": store})
    assert moved.method == reference.method == "arrow"
    assert moved["z"] * scale == pytest.approx(reference["z"], rel=1e-6)
    assert moved.loglik == pytest.approx(reference.loglik, rel=1e-9)
    order = np.random.default_rng(seed).permutation(z.size)
    relabelled = {"y": y[order], "z": z[order], "store": (10**9 - store[order]).astype(str)}
    shuffled = regression.poisson_glm(formula, relabelled)
    assert shuffled["z"] == pytest.approx(reference["z"], rel=1e-10)
    np.testing.assert_allclose(np.sort(shuffled.coef[:-1]), np.sort(reference.coef[:-1]), rtol=1e-9)


@given(st.integers(0, 10**6), parameters(2))
def test_regression_negloglik_everywhere(seed, beta):
    z, _, y = poisson_problem(seed, n=10)
    stats = regression.suff_stats(np.c_[np.ones(z.size), z], y)
    finite = np.all(np.isfinite(beta), axis=-1)
    value = regression.negloglik(beta, stats)
    assert_off_space_is_inf(value, finite)
    assert not np.any(np.isnan(regression.kappa(beta[finite], stats)))
    assert not np.any(np.isnan(regression.deviance(beta[finite], stats)))


@given(st.integers(0, 10**6), st.integers(2, 5), st.floats(-5, 5))
def test_separated_data_raise_no_finite_mle(seed, n_zero, level):
    # every positive response has x = level and every zero one x > level: along
    # β + s (level, −1), s → ∞, the zero rows' means go to 0 and the others stay
    rng = np.random.default_rng(seed)
    x = np.r_[np.full(6, level), level + rng.uniform(0.5, 2, size=n_zero)]
    y = np.r_[rng.poisson(3, size=6) + 1, np.zeros(n_zero, dtype=int)]
    with pytest.raises(regression.NoFiniteMLEError, match="no finite maximum-likelihood"):
        regression.fit_poisson(np.c_[np.ones(x.size), x], y)


@given(bad_count_data)
def test_regression_bad_response(case):
    data, message = case
    if np.ndim(data) != 1 or len(data) == 0:
        return  # checked against X's rows below
    with pytest.raises(ValueError, match=rf"^y .*{message}"):
        regression.fit_poisson(np.ones((len(data), 1)), data)


@given(st.sampled_from([np.nan, np.inf, "a"]))
def test_regression_bad_design_and_formula_data(value):
    X = np.ones((3, 2), dtype=object)
    X[1, 1] = value
    with pytest.raises(ValueError, match=r"^X must"):
        regression.fit_poisson(X, [1, 2, 3])
    if value != "a":  # a column with text is a factor to formulaic
        data = {"y": [1, 2, 3], "x": [1.0, value, 2.0]}
        with pytest.raises(ValueError, match=r"^column 'x' has a"):
            regression.poisson_glm("y ~ x", data)


# --- mixtures -------------------------------------------------------------------------------------
@given(
    st.lists(legal_float, min_size=1, max_size=10),
    st.floats(0, 1),
    parameters(2, moderate),
    st.lists(st.floats(1e-3, 1e3), min_size=2, max_size=2),
)
def test_mixture_densities_at_any_finite_point(y, p, mu, sigma2):
    mu = mu[0]
    density = mixtures.density(y, p, mu, sigma2)
    assert np.all((density >= 0) & np.isfinite(density))
    assert not np.any(np.isnan(mixtures.log_density(y, p, mu, sigma2)))
    cdf = mixtures.cdf(y, p, mu, sigma2)
    assert np.all((cdf >= 0) & (cdf <= 1))
    posterior = mixtures.posterior(y, p, mu, sigma2)
    assert np.all((posterior >= 0) & (posterior <= 1))
    np.testing.assert_allclose(posterior.sum(axis=-1), 1.0)
    components = mixtures.component_densities(y, p, mu, sigma2)
    assert np.all(np.isfinite(components))


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=10), parameters(5))
def test_mixture_negloglik_everywhere(y, par):
    p, sigma2 = par[:, 0], par[:, 3:]
    inside = (
        (p >= 0)
        & (p <= 1)
        & np.all(np.isfinite(par[:, 1:3]), axis=-1)
        & np.all((sigma2 > 0) & (sigma2 < np.inf), axis=-1)
    )
    assert_off_space_is_inf(mixtures.negloglik(par, y), inside)


@given(
    st.floats(0.01, 0.99),
    parameters(2, moderate),
    st.floats(0.1, 10),
    st.floats(0.1, 10),
    st.floats(-20, 20),
)
def test_mixture_canonical_parametrization(p, mu, v1, v2, y):
    mu, sigma2 = mu[0], np.array([v1, v2])
    theta = mixtures.to_canonical(p, mu, sigma2)
    np.testing.assert_allclose(theta[[2, 4]], 1 / (2 * sigma2), rtol=1e-15)  # θ₃ = 1/(2σ₁²)
    back_p, back_mu, back_sigma2 = mixtures.from_canonical(theta)
    assert (
        back_p == pytest.approx(p)
        and np.allclose(back_mu, mu)
        and np.allclose(back_sigma2, sigma2, rtol=1e-14)
    )
    assert mixtures.density_canonical(y, theta) == pytest.approx(
        mixtures.density(y, p, mu, sigma2), rel=1e-9, abs=1e-300
    )
    joint = mixtures.joint_log_density_canonical(y, np.array([1, 2]), theta)
    assert np.all(np.isfinite(joint))
    mean, variance = mixtures.moments(p, mu, sigma2)
    assert variance >= p * v1 + (1 - p) * v2 - 1e-12 * (v1 + v2)  # at least the within part
    se_mean, se_var = mixtures.monte_carlo_se(100, p, mu, sigma2)
    assert variance > 0 and se_mean > 0 and se_var > 0 and np.isfinite(mean)


@given(bad_sizes, st.sampled_from([-0.1, 1.5, np.nan]))
def test_mixture_simulate_refuses_bad_arguments(n, p):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^n must"):
        mixtures.simulate(n, 0.5, [0, 1], [1, 1], rng)
    with pytest.raises(ValueError, match=r"^p must"):
        mixtures.simulate(3, p, [0, 1], [1, 1], rng)
    with pytest.raises(ValueError, match=r"^n must"):
        mixtures.monte_carlo_se(n if n is not None else 0, 0.5, [0, 1], [1, 1])


# --- mixed ----------------------------------------------------------------------------------------
@given(bad_float_data)
def test_mixed_bad_data(case):
    data, message = case
    group = np.zeros(np.shape(data)[0] if np.ndim(data) else 0)
    with pytest.raises(ValueError, match=rf"^y .*{message}"):
        mixed.suff_stats(data, group)


@given(st.integers(0, 10**6), parameters(3))
def test_mixed_negloglik_everywhere(seed, par):
    sample = mixed.simulate([3, 4, 2, 5], 1.0, 0.7, 1.44, np.random.default_rng(seed))
    stats = mixed.suff_stats(sample.y, sample.group)
    inside = np.all(np.isfinite(par), axis=-1) & (par[:, 2] > 0)
    assert_off_space_is_inf(mixed.negloglik(par, stats), inside)
    ratio = par[:, 0]
    assert_off_space_is_inf(
        mixed.profile_negloglik_ratio(ratio, stats), (ratio >= 0) & (ratio < np.inf)
    )


@given(st.integers(0, 10**6), st.floats(-1e4, 1e4), st.floats(1e-3, 1e3))
def test_mixed_fit_is_equivariant_under_labels_rows_and_units(seed, shift, scale):
    rng = np.random.default_rng(seed)
    sample = mixed.simulate(rng.integers(2, 6, size=8), 1.0, 0.8, 1.0, rng)
    reference = mixed.fit(sample.y, sample.group)
    order = rng.permutation(sample.y.size)
    labels = np.array([f"g{9 - g}" for g in sample.group])  # sorted order reversed
    moved = mixed.fit(scale * sample.y[order] + shift, labels[order])
    assert moved.beta0 == pytest.approx(scale * reference.beta0 + shift, rel=1e-6, abs=1e-6)
    assert moved.sigma == pytest.approx(scale * reference.sigma, rel=1e-6)
    assert moved.nu == pytest.approx(scale * reference.nu, rel=1e-5, abs=1e-6 * scale)
    np.testing.assert_allclose(moved.blup, reference.blup[::-1], rtol=1e-5, atol=1e-6)
    assert list(moved.groups) == sorted(set(labels.tolist()))
    profile = mixed.profile_negloglik_nu(
        np.array([0.0, reference.nu]), mixed.suff_stats(sample.y, sample.group)
    )
    assert profile[1] == pytest.approx(-reference.loglik, rel=1e-6)


@given(st.sampled_from([[0, 0], [0, 1, 1, 1], [[0, 1, 2]], [0, None, 1]]))
def test_mixed_bad_groups(group):
    with pytest.raises(ValueError, match=r"^group "):
        mixed.suff_stats([1.0, 2.0, 3.0], group)


@given(non_finite)
def test_mixed_simulate_refuses_bad_arguments(value):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^beta0 must"):
        mixed.simulate([2, 2], value, 1.0, 1.0, rng)
    with pytest.raises(ValueError, match=r"^sigma2 must"):
        mixed.simulate([2, 2], 0.0, 1.0, value, rng)
    with pytest.raises(ValueError, match=r"^sigma must"):
        mixed.simulate([2, 2], 0.0, 1.0, sigma=value, rng=rng)


# --- optimize -------------------------------------------------------------------------------------
@given(parameters(2, st.floats(-10, 10)), st.floats(0.1, 10))
def test_optim_finds_the_minimum_of_a_quadratic(centre, curvature):
    centre = centre[0]
    result = optimize.optim(np.zeros(2), lambda x: curvature * np.sum((x - centre) ** 2) + 1.0)
    assert result.convergence == 0
    np.testing.assert_allclose(result.par, centre, atol=1e-2 * (1 + np.abs(centre).max()))
    assert result.counts == len(result.trace_values)


@given(st.sampled_from([[np.nan, 0.0], [], [np.inf]]))
def test_optim_refuses_bad_starts(start):
    with pytest.raises(ValueError, match=r"^par0 must"):
        optimize.optim(start, lambda x: float(np.sum(x**2)))
    with pytest.raises(ValueError, match="function cannot be evaluated"):
        optimize.optim([1.0], lambda x: np.inf)


# --- datasets -------------------------------------------------------------------------------------
@given(st.binary(max_size=200))
def test_a_file_with_other_content_is_never_used(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("data")
    (folder / datasets.VEGETABLES_FILE).write_bytes(content)
    with pytest.raises(datasets.DataHashError, match="not the pinned vegetables data"):
        datasets.vegetables_path(data_dir=folder)


@pytest.mark.parametrize("error", [ValueError("bad URL"), OSError("no route"), RuntimeError("x")])
def test_a_failing_downloader_is_reported_as_unavailable(tmp_path, monkeypatch, error):
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)

    def downloader(url, output_file, pooch):
        raise error

    with pytest.raises(datasets.DataUnavailableError, match=str(error)):
        datasets.vegetables_path(cache_dir=tmp_path, downloader=downloader)


def test_bounded_profile_is_in_force():
    from hypothesis import settings

    assert settings().derandomize and settings().max_examples <= 25


def test_pandas_categorical_store_labels_in_category_order():
    z, store, y = poisson_problem(3)
    categories = ["3", "1", "2", "0"]
    data = {"y": y, "z": z, "store": pd.Categorical(store.astype(str), categories=categories)}
    fit = regression.poisson_glm("y ~ C(store) + z - 1", data)
    assert fit.names[:4] == tuple(f"C(store)[{c}]" for c in categories)


# === issue 28: each class of silent wrong number, on generated input ==========================
getcontext().prec = 50


def _decimal_poisson_negloglik(y, mu: float) -> Decimal:
    """Σ [μ − y log μ + log y!] in 50-digit decimal (lgamma by Stirling's series beyond 1000)."""
    m = Decimal(mu)
    total = Decimal(0)
    pi = Decimal("3.14159265358979323846264338327950288419716939937510")
    for count in y:
        c = Decimal(int(count))
        if count < 1000:
            log_factorial = Decimal(math.factorial(int(count))).ln()
        else:
            log_factorial = (
                (c + Decimal("0.5")) * c.ln()
                - c
                + (2 * pi).ln() / 2
                + 1 / (12 * c)
                - 1 / (360 * c**3)
                + 1 / (1260 * c**5)
            )
        total += m - c * m.ln() + log_factorial
    return total


@given(
    st.lists(st.integers(0, 1000), min_size=2, max_size=20, unique=True),
    st.integers(0, 2**42),
)
def test_variances_are_translation_invariant(values, offset):
    # y + c is exact in floating point (below 2⁵³), so the exact variance is known
    y = np.array(values, dtype=float) + offset
    exact = [Fraction(v) for v in values]
    mean = sum(exact) / len(exact)
    variance = sum((v - mean) ** 2 for v in exact) / len(exact)
    assert gaussian.mle(gaussian.suff_stats(y))[1] == pytest.approx(float(variance), rel=1e-12)
    group = np.arange(y.size) % 2
    within = sum(
        (v - sum(exact[g::2]) / len(exact[g::2])) ** 2 for g in (0, 1) for v in exact[g::2]
    )
    stats = mixed.suff_stats(y, group)
    ranges = [np.ptp(y[g::2]) for g in (0, 1)]
    if min(ranges) > 4 * np.finfo(float).eps * np.abs(y).max():  # no group equal up to rounding
        assert stats.within_ss == pytest.approx(float(within), rel=1e-12)


@given(
    st.lists(st.integers(0, 1000), min_size=4, max_size=20),
    st.integers(2, 4),
    st.integers(0, 51).flatmap(lambda e: st.integers(2**e, 2 ** (e + 1) - 1)),
    st.integers(-2000, 3000),
    st.floats(0, 10),
    st.floats(1, 1e3),
)
def test_mixed_likelihood_is_translation_invariant(values, n_groups, offset, beta0, nu, sigma2):
    """−ℓ(β₀ + c, ν, σ²; y + c) = −ℓ(β₀, ν, σ²; y), and the profile in λ likewise (β̂₀
    moves by c): y + c and β₀ + c are exact in floating point (below 2⁵³), the group
    means are not; σ² ≥ 1 keeps every term of −ℓ positive, so a relative tolerance holds."""
    y = np.array(values, dtype=float)
    group = np.arange(y.size) % n_groups
    moved = y + offset
    for g in range(n_groups):  # groups equal up to rounding at c count as constant (W_i = 0)
        spread = np.ptp(moved[group == g])
        assume(spread == 0 or spread > 4 * np.finfo(float).eps * np.abs(moved).max())
    stats, moved_stats = mixed.suff_stats(y, group), mixed.suff_stats(moved, group)
    expected = mixed.negloglik([beta0, nu, sigma2], stats)
    value = mixed.negloglik([float(beta0 + offset), nu, sigma2], moved_stats)
    assert value == pytest.approx(expected, rel=1e-12)
    ratio = np.array([0.0, 0.3, 5.0])
    profile_beta0, profile_sigma2 = mixed.profile_ratio(ratio, stats)
    moved_beta0, moved_sigma2 = mixed.profile_ratio(ratio, moved_stats)
    np.testing.assert_allclose(moved_sigma2, profile_sigma2, rtol=1e-12)
    assert np.all(np.abs(moved_beta0 - offset - profile_beta0) <= np.spacing(offset + 1000.0))
    np.testing.assert_allclose(
        mixed.profile_negloglik_ratio(ratio, moved_stats),
        mixed.profile_negloglik_ratio(ratio, stats),
        rtol=1e-12,
    )


@given(st.lists(st.integers(0, 10**15), min_size=1, max_size=6), st.floats(-3, 3))
def test_poisson_negloglik_matches_high_precision_across_magnitudes(y, shift):
    assume(sum(y) > 0)
    mu = max(sum(y) / len(y) * (1 + 10.0**shift * 1e-6), 1e-300)
    reference = _decimal_poisson_negloglik(y, mu)
    value = poisson.negloglik(mu, poisson.suff_stats(y))
    scale = sum(math.log(c + 2) for c in y) + 1  # the size of −ℓ's terms after cancellation
    bound = Decimal(1e-11 * scale) + Decimal("1e-13") * abs(reference)
    assert abs(Decimal(float(value)) - reference) <= bound


@given(st.lists(st.integers(1, 10**12), min_size=3, max_size=3))
def test_two_estimators_of_the_moth_mle_agree_or_one_refuses(x):
    best = float(multinomial.moth_negloglik(multinomial.moth_mle(x), x))
    try:
        estimate = multinomial.moth_mle_gradient(x)
    except exceptions.ConvergenceError:
        return
    assert float(multinomial.moth_negloglik(estimate, x)) == pytest.approx(best, rel=1e-9)


@given(st.integers(0, 10**6), st.integers(0, 12))
def test_intercept_only_deviance_is_the_null_deviance(seed, magnitude):
    rng = np.random.default_rng(seed)
    y = rng.poisson(10.0**magnitude, size=int(rng.integers(2, 40)))
    assume(y.sum() > 0)
    fit = regression.fit_poisson(np.ones((y.size, 1)), y)
    assert fit.deviance == pytest.approx(fit.null_deviance, rel=1e-11, abs=1e-11)


@given(st.integers(0, 10**6), st.sampled_from([1e-14, 1e-12, 1e-9, 1e-6, 1e-3]))
def test_rank_decisions_do_not_depend_on_units(seed, closeness):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=40)
    y = rng.poisson(np.exp(0.5 + 0.3 * x))
    X = np.c_[np.ones(40), x, x + closeness * rng.normal(size=40)]
    for sparse in (False, True):
        decisions = set()
        for scale in (1e-6, 1.0, 1e6):
            design = X * [1, scale, scale]
            try:
                fit = regression.fit_poisson(sp.csc_array(design) if sparse else design, y)
            except exceptions.NoEstimateError:
                decisions.add("rank deficient")
            except exceptions.ConvergenceError:  # an error, never a silent estimate
                decisions.add("did not converge")
            else:
                decisions.add("fitted")
                value = float(regression.deviance(fit.coef, regression.suff_stats(design, y)))
                assert value == pytest.approx(fit.deviance, rel=1e-7)
        # the rank decision is the same in every unit; an ill-conditioned sparse Hessian may
        # stop the unpreconditioned sparse solver (an error) at one scale and not another
        assert decisions == {"rank deficient"} or "rank deficient" not in decisions, decisions
        if not sparse:  # the preconditioned dense solver converges wherever X has full rank
            assert decisions in ({"rank deficient"}, {"fitted"}), decisions


@given(st.lists(st.floats(-np.pi, np.pi), min_size=3, max_size=60))
def test_von_mises_mle_reaches_its_tolerance(y):
    stats = vonmises.suff_stats(y)
    try:
        theta = vonmises.mle(stats)
    except exceptions.NoFiniteMLEError:
        return
    kappa = float(np.hypot(*theta))
    assert np.abs(vonmises.grad(theta, stats)).max() <= 1e-9 * stats.n * (1 + kappa)


@given(
    st.sampled_from(
        [
            np.array(["2024-01-01"], dtype="datetime64[D]"),
            np.array([5], dtype="timedelta64[ms]"),
            np.ma.array([1.0, 2.0], mask=[True, False]),
        ]
    ),
    st.sampled_from(
        [
            gaussian.suff_stats,
            poisson.suff_stats,
            vonmises.suff_stats,
            multinomial.stats_from_counts,
        ]
    ),
)
def test_dates_durations_and_masked_entries_are_refused_everywhere(data, function):
    with pytest.raises(exceptions.DataError):
        function(data)


@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300))
def test_optim_converged_means_a_minimum_from_any_start(a, b):
    assume(abs(a) < 1e6 or abs(a) < 1e-300)
    start = np.array([a, b]) * 1e-300  # tiny starts, down to subnormals
    result = optimize.optim(start, lambda x: (x[0] - 3) ** 2 + (x[1] + 1) ** 2)
    if result.convergence == 0:
        np.testing.assert_allclose(result.par, [3, -1], atol=1e-2)


def test_every_error_is_one_of_three_kinds():
    assert issubclass(exceptions.DataError, ValueError)
    assert issubclass(exceptions.NoEstimateError, ValueError)
    assert issubclass(exceptions.ConvergenceError, RuntimeError)
    for old in (
        poisson.NoInteriorMinimizerError,
        multinomial.NoInteriorMinimizerError,
        vonmises.NoFiniteMLEError,
        regression.NoFiniteMLEError,
        gaussian.NoUniqueMLEError,
        mixed.NoUniqueMLEError,
    ):
        assert issubclass(old, exceptions.NoEstimateError) and issubclass(old, ValueError)


@given(
    st.lists(st.floats(-np.pi, np.pi), min_size=1, max_size=40),
    parameters(2, st.floats(-1e15, 1e15)),
)
def test_von_mises_fast_path_agrees_with_the_careful_one(y, theta):
    # a NaN row sends the whole batch down the careful path; the other rows must not change
    stats = vonmises.suff_stats(y)
    fast = vonmises.negloglik(theta, stats)
    careful = vonmises.negloglik(np.vstack([theta, [np.nan, 0.0]]), stats)[:-1]
    np.testing.assert_allclose(fast, careful, rtol=1e-12, atol=1e-9 * stats.n)
