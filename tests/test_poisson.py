"""Example 6.1: the i.i.d. Poisson model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from scipy.special import gammaln

from statbook import poisson
from tests.helpers import numerical_gradient

Y = np.array([0, 3, 1, 4, 2, 2, 7, 0, 1, 5])


def test_suff_stats():
    stats = poisson.suff_stats(Y)
    assert stats.n == 10
    assert stats.total == 25
    assert stats.log_factorials == pytest.approx(gammaln(Y + 1).sum())


def test_negloglik_is_minus_scipy_loglik():
    stats = poisson.suff_stats(Y)
    mus = np.array([0.1, 1.0, 2.5, 40.0])
    expected = [-sps.poisson.logpmf(Y, mu).sum() for mu in mus]
    np.testing.assert_allclose(poisson.negloglik(mus, stats), expected, rtol=1e-13)


def test_seed_constant_n_log_y_factorial_is_a_typo():
    # The seed writes the constant as N log(y!); the correct term is Σ log(y_i!).
    stats = poisson.suff_stats(Y)
    mu = 2.0
    true_value = -sps.poisson.logpmf(Y, mu).sum()
    with_sum = stats.n * mu - np.log(mu) * stats.total + gammaln(Y + 1).sum()
    assert with_sum == pytest.approx(true_value, rel=1e-13)
    with_n_times = stats.n * mu - np.log(mu) * stats.total + stats.n * gammaln(Y.mean() + 1)
    assert abs(with_n_times - true_value) > 1


def test_negloglik_is_vectorized_over_a_grid():
    stats = poisson.suff_stats(Y)
    grid = np.linspace(0.5, 5, 12).reshape(3, 4)
    values = poisson.negloglik(grid, stats)
    assert values.shape == (3, 4)
    assert values[1, 2] == pytest.approx(poisson.negloglik(grid[1, 2], stats))


def test_off_the_parameter_space_is_inf_without_warnings():
    stats = poisson.suff_stats(Y)
    values = poisson.negloglik(np.array([-1.0, 0.0, -np.inf]), stats)  # warnings are errors
    assert np.all(values == np.inf)


def test_derivatives_match_finite_differences():
    stats = poisson.suff_stats(Y)
    for mu in (0.3, 2.5, 11.0):
        g = numerical_gradient(lambda m: float(poisson.negloglik(m[0], stats)), [mu])[0]
        assert poisson.grad(mu, stats) == pytest.approx(g, rel=1e-7, abs=1e-6)
        h = numerical_gradient(lambda m: float(poisson.grad(m[0], stats)), [mu])[0]
        assert poisson.hessian(mu, stats) == pytest.approx(h, rel=1e-6)
        assert poisson.hessian(mu, stats) >= 0


def test_canonical_form_agrees():
    stats = poisson.suff_stats(Y)
    mus = np.array([0.2, 1.0, 3.3])
    np.testing.assert_allclose(
        poisson.negloglik_canonical(np.log(mus), stats), poisson.negloglik(mus, stats), rtol=1e-13
    )


def test_mle_is_the_mean_and_minimizes():
    stats = poisson.suff_stats(Y)
    mu_hat = poisson.mle(stats)
    assert mu_hat == 2.5
    assert poisson.grad(mu_hat, stats) == pytest.approx(0, abs=1e-12)
    assert (
        poisson.negloglik(mu_hat, stats)
        < poisson.negloglik([mu_hat * 0.99, mu_hat * 1.01], stats).min()
    )


def test_all_zero_sample_has_no_interior_minimizer():
    stats = poisson.suff_stats(np.zeros(5, dtype=int))
    with pytest.raises(poisson.NoInteriorMinimizerError, match="no maximum-likelihood estimate"):
        poisson.mle(stats)
    # −ℓ(μ) = N μ: strictly increasing, so smaller μ is always better.
    values = poisson.negloglik(np.array([1e-3, 1e-2, 1.0]), stats)
    np.testing.assert_allclose(values, [5e-3, 5e-2, 5.0])


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1, -2, 3], "non-negative"),
        ([1, 2.5], "whole numbers"),
        ([1, np.nan], "finite"),
        ([[1, 2], [3, 4]], "one-dimensional"),
        ([], "at least 1"),
        ("abc", "array of numbers"),
    ],
)
def test_bad_data_raises_naming_the_argument(bad, message):
    with pytest.raises(ValueError, match=f"^y must .*{message}|^y .*{message}"):
        poisson.suff_stats(bad)


def test_simulate_uses_the_generator():
    a = poisson.simulate(5, 3.0, np.random.default_rng(7))
    b = poisson.simulate(5, 3.0, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        poisson.simulate(5, 3.0, 7)
    with pytest.raises(ValueError, match="mu must be positive"):
        poisson.simulate(5, 0.0, np.random.default_rng(7))
