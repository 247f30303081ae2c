"""Example 6.3: the Gaussian model in the mean–variance and the canonical parametrization."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from statbook import gaussian
from tests.helpers import numerical_gradient, numerical_jacobian

Y = np.random.default_rng(11).normal(1.5, 2.0, size=200)
STATS = gaussian.suff_stats(Y)


def test_negloglik_is_minus_scipy_loglik():
    for mu, sigma2 in [(0.0, 1.0), (1.5, 4.0), (-3.0, 0.2)]:
        expected = -sps.norm.logpdf(Y, mu, np.sqrt(sigma2)).sum()
        assert gaussian.negloglik([mu, sigma2], STATS) == pytest.approx(expected, rel=1e-12)
        theta = gaussian.to_canonical([mu, sigma2])
        assert gaussian.negloglik_canonical(theta, STATS) == pytest.approx(expected, rel=1e-12)


def test_seed_expressions_are_the_log_likelihood_not_its_negative():
    # The seed's "−ℓ" formulas (up to the factor 1/sqrt(π) per observation) are +ℓ.
    n, s1, s2 = STATS.n, STATS.sum_y, STATS.sum_y2
    mu, sigma2 = 0.7, 2.5
    loglik = sps.norm.logpdf(Y, mu, np.sqrt(sigma2)).sum()
    constant = -0.5 * n * np.log(np.pi)
    seed_mean_variance = (
        mu / sigma2 * s1
        - s2 / (2 * sigma2)
        - n * mu**2 / (2 * sigma2)
        - 0.5 * n * np.log(2 * sigma2)
    )
    assert seed_mean_variance + constant == pytest.approx(loglik, rel=1e-12)
    t1, t2 = gaussian.to_canonical([mu, sigma2])
    seed_canonical = t1 * s1 - t2 * s2 - n * t1**2 / (4 * t2) + 0.5 * n * np.log(t2)
    assert seed_canonical + constant == pytest.approx(loglik, rel=1e-12)
    assert gaussian.negloglik_canonical([t1, t2], STATS) == pytest.approx(-loglik, rel=1e-12)


def test_maps_round_trip():
    par = np.array([[0.0, 1.0], [-2.0, 0.01], [1e3, 5e2]])
    np.testing.assert_allclose(gaussian.from_canonical(gaussian.to_canonical(par)), par, rtol=1e-14)


def test_off_the_parameter_space_is_inf_without_warnings():
    assert gaussian.negloglik([[0.0, 0.0], [0.0, -1.0]], STATS).tolist() == [np.inf, np.inf]
    assert gaussian.negloglik_canonical([[0.0, 0.0], [1.0, -1.0]], STATS).tolist() == [np.inf] * 2


def test_surfaces_are_one_vectorized_call():
    grid = np.stack(np.meshgrid(np.linspace(-1, 3, 7), np.linspace(0.5, 6, 5)), axis=-1)
    values = gaussian.negloglik(grid, STATS)
    assert values.shape == (5, 7)
    assert values[3, 4] == pytest.approx(float(gaussian.negloglik(grid[3, 4], STATS)))


def test_canonical_gradient_and_hessian_match_finite_differences():
    for theta in ([0.4, 0.1], [-1.0, 2.0], [3.0, 0.5]):
        numeric = numerical_gradient(lambda t: float(gaussian.negloglik_canonical(t, STATS)), theta)
        np.testing.assert_allclose(gaussian.grad_canonical(theta, STATS), numeric, rtol=1e-6)
        numeric_h = numerical_jacobian(lambda t: gaussian.grad_canonical(t, STATS), theta)
        np.testing.assert_allclose(gaussian.hessian_canonical(theta, STATS), numeric_h, rtol=1e-5)


def test_mean_variance_hessian_matches_finite_differences():
    for par in ([0.4, 1.0], [1.5, 4.0], [-1.0, 12.0]):
        numeric = numerical_jacobian(
            lambda p: numerical_gradient(lambda q: float(gaussian.negloglik(q, STATS)), p, 1e-4),
            par,
            1e-4,
        )
        np.testing.assert_allclose(gaussian.hessian(par, STATS), numeric, rtol=1e-4)


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3))
def test_canonical_negloglik_is_convex(t1, t2):
    hessian = gaussian.hessian_canonical([t1, t2], STATS)
    assert np.linalg.eigvalsh(hessian / np.abs(hessian).max()).min() >= -1e-12


def test_mean_variance_negloglik_is_not_convex():
    mu_hat, sigma2_hat = gaussian.mle(STATS)
    # ∂²/∂(σ²)² < 0 once σ² > 2 σ̂² at μ = μ̂.
    assert np.linalg.eigvalsh(gaussian.hessian([mu_hat, 3 * sigma2_hat], STATS)).min() < 0
    assert np.linalg.eigvalsh(gaussian.hessian([mu_hat, sigma2_hat], STATS)).min() > 0


def test_mle_is_mean_and_biased_variance():
    mu_hat, sigma2_hat = gaussian.mle(STATS)
    assert mu_hat == pytest.approx(Y.mean(), rel=1e-14)
    assert sigma2_hat == pytest.approx(Y.var(), rel=1e-12)
    theta_hat = gaussian.to_canonical([mu_hat, sigma2_hat])
    np.testing.assert_allclose(gaussian.grad_canonical(theta_hat, STATS), 0, atol=1e-8)


def test_mle_needs_two_distinct_values():
    with pytest.raises(gaussian.NoUniqueMLEError, match="all observations are equal"):
        gaussian.mle(gaussian.suff_stats([2.0, 2.0, 2.0]))


def test_large_mean_stays_accurate():
    y = 1e8 + np.random.default_rng(2).normal(size=1000)
    stats = gaussian.suff_stats(y)
    mu_hat, sigma2_hat = gaussian.mle(stats)
    assert sigma2_hat == pytest.approx(np.var(y - 1e8), rel=1e-6)
    expected = -sps.norm.logpdf(y - 1e8, mu_hat - 1e8, np.sqrt(sigma2_hat)).sum()
    assert gaussian.negloglik([mu_hat, sigma2_hat], stats) == pytest.approx(expected, rel=1e-9)


def test_bad_data():
    with pytest.raises(ValueError, match=r"^y must be finite"):
        gaussian.suff_stats([1.0, np.nan])
    with pytest.raises(ValueError, match="sigma2 must be positive"):
        gaussian.simulate(3, 0.0, 0.0, np.random.default_rng(1))
