"""Example 6.2: the von Mises model in the canonical and the polar parametrization."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.integrate import quad

from statbook import vonmises
from tests.helpers import numerical_gradient, numerical_jacobian

RNG_SEED = 20261124


@pytest.fixture(scope="module")
def sample():
    y = vonmises.simulate(500, 2.0, 1.0, np.random.default_rng(RNG_SEED))
    return y, vonmises.suff_stats(y)


@pytest.mark.parametrize("theta", [(0.0, 0.0), (1.3, -0.4), (-5.0, 2.0), (20.0, 30.0)])
def test_log_phi_matches_numerical_integration(theta):
    def integrand(u):
        return np.exp(theta[0] * np.cos(u) + theta[1] * np.sin(u))

    integral, _ = quad(integrand, -np.pi, np.pi, limit=200)
    assert vonmises.log_phi(theta) == pytest.approx(np.log(integral), rel=1e-12)


def test_log_phi_is_stable_for_large_theta():
    kappa = np.array([1e3, 1e4, 3e4])
    values = vonmises.log_phi(np.stack([kappa, np.zeros(3)], axis=-1))  # no overflow warning
    assert np.all(np.isfinite(values))
    # Large-κ expansion: I₀(κ) ≈ e^κ / sqrt(2πκ) (1 + 1/(8κ)).
    asymptotic = (
        np.log(2 * np.pi) + kappa - 0.5 * np.log(2 * np.pi * kappa) + np.log1p(1 / (8 * kappa))
    )
    np.testing.assert_allclose(values, asymptotic, rtol=1e-10)


def test_log_phi_is_vectorized_over_leading_axes():
    theta = np.random.default_rng(1).normal(size=(4, 3, 2))
    values = vonmises.log_phi(theta)
    assert values.shape == (4, 3)
    assert values[2, 1] == pytest.approx(float(vonmises.log_phi(theta[2, 1])))


def test_parameter_shape_is_checked():
    with pytest.raises(ValueError, match=r"theta must have shape \(\.\.\., 2\)"):
        vonmises.log_phi([1.0, 2.0, 3.0])


def test_negloglik_is_minus_scipy_loglik(sample):
    y, stats = sample
    for kappa, mu in [(0.5, 0.0), (2.0, 1.0), (7.0, -2.5)]:
        expected = -sps.vonmises.logpdf(y, kappa, loc=mu).sum()
        theta = vonmises.polar_to_canonical([kappa, mu])
        assert vonmises.negloglik(theta, stats) == pytest.approx(expected, rel=1e-12)
        assert vonmises.negloglik_polar([kappa, mu], stats) == pytest.approx(expected, rel=1e-12)


def test_seed_formula_needs_the_factor_n():
    # The seed writes −ℓ(θ) = log φ(θ) − θ₁Σcos − θ₂Σsin; the log φ term carries a factor N.
    y = np.array([0.1, 0.5, -0.3])
    stats = vonmises.suff_stats(y)
    theta = np.array([1.0, 0.5])
    truth = -sps.vonmises.logpdf(y, np.hypot(*theta), loc=np.arctan2(theta[1], theta[0])).sum()
    seed = vonmises.log_phi(theta) - theta @ [stats.sum_cos, stats.sum_sin]
    assert vonmises.negloglik(theta, stats) == pytest.approx(truth, rel=1e-12)
    assert abs(seed - truth) > 1


def test_polar_is_inf_off_its_parameter_space(sample):
    _, stats = sample
    off = np.array([[-0.1, 0.0], [1.0, -np.pi], [1.0, 3.2], [1.0, -4.0]])
    assert np.all(vonmises.negloglik_polar(off, stats) == np.inf)
    assert np.isfinite(vonmises.negloglik_polar([[0.0, 0.3], [1.0, np.pi]], stats)).all()


def test_maps_between_parametrizations_round_trip():
    par = np.array([[0.0, 0.0], [1.5, -2.0], [3.0, np.pi], [0.2, 0.5]])
    back = vonmises.canonical_to_polar(vonmises.polar_to_canonical(par))
    np.testing.assert_allclose(back[1:], par[1:], atol=1e-12)
    assert back[0, 0] == 0


def test_gradient_matches_finite_differences(sample):
    _, stats = sample
    for theta in ([0.0, 0.0], [1.0, 1.7], [-3.0, 0.2], [50.0, -20.0]):
        numeric = numerical_gradient(lambda t: float(vonmises.negloglik(t, stats)), theta)
        np.testing.assert_allclose(vonmises.grad(theta, stats), numeric, rtol=1e-6, atol=1e-4)


def test_hessian_matches_finite_differences(sample):
    _, stats = sample
    for theta in ([0.0, 0.0], [1e-8, 0.0], [1.0, 1.7], [-3.0, 0.2], [50.0, -20.0]):
        numeric = numerical_jacobian(lambda t: vonmises.grad(t, stats), theta)
        np.testing.assert_allclose(vonmises.hessian(theta, stats), numeric, rtol=1e-5, atol=1e-5)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(-1e3, 1e3, allow_nan=False),
)
def test_canonical_negloglik_is_convex(t1, t2):
    stats = vonmises.VonMisesStats(sum_cos=3.0, sum_sin=-1.0, n=10)
    eigenvalues = np.linalg.eigvalsh(vonmises.hessian([t1, t2], stats))
    assert eigenvalues.min() >= 0


def test_polar_negloglik_is_not_convex(sample):
    _, stats = sample

    def f(par):
        return float(vonmises.negloglik_polar(par, stats))

    def hess(par):
        return numerical_jacobian(lambda p: numerical_gradient(f, p, h=1e-4), par, h=1e-4)

    # Far from the estimated direction, −ℓ(κ, μ) curves downwards in μ.
    mu_hat = np.arctan2(stats.sum_sin, stats.sum_cos)
    point = np.array([2.0, mu_hat - 2.5])
    assert np.linalg.eigvalsh(hess(point)).min() < 0


def test_mle_agrees_with_scipy_fit(sample):
    y, stats = sample
    theta_hat = vonmises.mle(stats)
    kappa_hat, mu_hat = vonmises.canonical_to_polar(theta_hat)
    kappa_scipy, mu_scipy, _ = sps.vonmises.fit(y, fscale=1)
    assert kappa_hat == pytest.approx(kappa_scipy, rel=1e-7)
    assert mu_hat == pytest.approx(mu_scipy, abs=1e-7)
    np.testing.assert_allclose(vonmises.grad(theta_hat, stats), 0, atol=1e-8)


@pytest.mark.parametrize("kappa", [0.0, 0.05, 30.0, 500.0])
def test_mle_for_weak_and_strong_concentration(kappa):
    y = vonmises.simulate(2000, kappa, -1.0, np.random.default_rng(3))
    stats = vonmises.suff_stats(y)
    theta_hat = vonmises.mle(stats)
    np.testing.assert_allclose(vonmises.grad(theta_hat, stats), 0, atol=1e-6 * stats.n)


def test_identical_angles_have_no_finite_mle():
    with pytest.raises(vonmises.NoFiniteMLEError, match="κ → ∞"):
        vonmises.mle(vonmises.suff_stats([0.3, 0.3, 0.3]))


def test_bad_data_and_rng():
    with pytest.raises(ValueError, match=r"^y must be finite"):
        vonmises.suff_stats([0.1, np.inf])
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        vonmises.simulate(3, 1.0, 0.0, rng=None)
    with pytest.raises(ValueError, match="kappa must be non-negative"):
        vonmises.simulate(3, -1.0, 0.0, np.random.default_rng(1))


def test_simulated_angles_lie_in_the_sample_space():
    y = vonmises.simulate(10_000, 0.5, 3.0, np.random.default_rng(5))
    assert np.all((y > -np.pi) & (y <= np.pi))
