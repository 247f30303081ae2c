"""Section 6.4: the two-component Gaussian mixture (statbook.mixtures)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from sklearn.mixture import GaussianMixture

from statbook import mixtures
from statbook.explorers.mixtures import density_explorer, label_switching_explorer
from statbook.plotting import parameter_grid
from tests.helpers import assert_survives_slider_extremes

P, MU, SIGMA2 = 0.5, (-0.5, 4.0), (1.0, 4.0)  # variances: standard deviations 1 and 2
PAR = np.array([P, *MU, *SIGMA2])
SEED = 2024  # the seed the chapter uses for its simulation table


def scipy_density(y, p, mu, sigma2):
    """Independent reference: the weighted sum of two scipy normal densities (scale = √σ²)."""
    sd = np.sqrt(sigma2)
    return p * stats.norm.pdf(y, mu[0], sd[0]) + (1 - p) * stats.norm.pdf(y, mu[1], sd[1])


def sklearn_mixture(p, mu, sigma2) -> GaussianMixture:
    """A fitted-looking ``GaussianMixture`` whose parameters (variances σ²) are set by hand."""
    model = GaussianMixture(n_components=2, covariance_type="full")
    sigma2 = np.asarray(sigma2, dtype=float)
    model.weights_ = np.array([p, 1 - p])
    model.means_ = np.asarray(mu, dtype=float)[:, np.newaxis]
    model.covariances_ = sigma2[:, np.newaxis, np.newaxis]
    model.precisions_cholesky_ = (1 / np.sqrt(sigma2))[:, np.newaxis, np.newaxis]
    return model


# --- the numbers of the text ----------------------------------------------------------------


def test_moments_of_the_example():
    mean, variance = mixtures.moments(P, MU, SIGMA2)
    assert mean == pytest.approx(1.75, abs=1e-14)
    assert variance == pytest.approx(7.5625, abs=1e-14)


def test_moments_match_numerical_integration():
    for p, mu, sigma2 in [(0.5, MU, SIGMA2), (0.2, (3.0, -1.0), (0.09, 2.89))]:
        mean, variance = mixtures.moments(p, mu, sigma2)

        def f(y, p=p, mu=mu, sigma2=sigma2):
            return mixtures.density(y, p, mu, sigma2)

        m1 = integrate.quad(lambda y: y * f(y), -40, 40)[0]
        m2 = integrate.quad(lambda y: y**2 * f(y), -40, 40)[0]
        assert mean == pytest.approx(m1, abs=1e-9)
        assert variance == pytest.approx(m2 - m1**2, abs=1e-8)


def test_density_values_of_the_example():
    values = mixtures.density([0.0, 4.0], P, MU, SIGMA2)
    np.testing.assert_allclose(values, [0.18953040501, 0.09974356197], rtol=0, atol=5e-12)


def test_density_matches_scipy_and_integrates_to_one():
    y = np.linspace(-10, 15, 501)
    np.testing.assert_allclose(
        mixtures.density(y, P, MU, SIGMA2), scipy_density(y, P, MU, SIGMA2), rtol=1e-13, atol=0
    )
    total = integrate.quad(lambda t: mixtures.density(t, P, MU, SIGMA2), -np.inf, np.inf)[0]
    assert total == pytest.approx(1.0, abs=1e-10)


def test_cdf_matches_scipy_and_the_density():
    y = np.linspace(-8, 14, 45)
    sd = np.sqrt(SIGMA2)
    reference = P * stats.norm.cdf(y, MU[0], sd[0]) + (1 - P) * stats.norm.cdf(y, MU[1], sd[1])
    np.testing.assert_allclose(mixtures.cdf(y, P, MU, SIGMA2), reference, rtol=1e-12, atol=1e-300)
    h = 1e-5
    slope = (mixtures.cdf(y + h, P, MU, SIGMA2) - mixtures.cdf(y - h, P, MU, SIGMA2)) / (2 * h)
    # a central difference has truncation error ~h² f''' and rounding error ~1e-16/h = 1e-11
    np.testing.assert_allclose(slope, mixtures.density(y, P, MU, SIGMA2), rtol=1e-7, atol=1e-10)


# --- scikit-learn cross-check ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "mu", "sigma2"),
    [(P, MU, SIGMA2), (0.13, (2.0, 2.5), (0.0025, 9.0)), (0.9, (-7, 7), (4, 1))],
)
def test_log_density_and_negloglik_agree_with_sklearn(p, mu, sigma2):
    y = np.random.default_rng(7).normal(1.0, 4.0, size=2000)
    reference = sklearn_mixture(p, mu, sigma2).score_samples(y[:, np.newaxis])
    ours = mixtures.log_density(y, p, mu, sigma2)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-10)
    value = mixtures.negloglik([p, *mu, *sigma2], y)
    assert value == pytest.approx(-reference.sum(), rel=1e-12)


# --- the spread is the variance σ², as in every family (CONTRIBUTING, "Spread") ---------------

PUBLIC_WITH_SPREAD = (
    mixtures.moments,
    mixtures.monte_carlo_se,
    mixtures.log_density,
    mixtures.density,
    mixtures.component_densities,
    mixtures.cdf,
    mixtures.posterior,
    mixtures.negloglik_means,
    mixtures.simulate,
    mixtures.to_canonical,
)


@pytest.mark.parametrize("function", PUBLIC_WITH_SPREAD, ids=lambda f: f.__name__)
def test_every_public_function_names_its_spread_sigma2(function):
    names = inspect.signature(function).parameters
    assert "sigma2" in names and "sigma" not in names


def test_the_spread_is_a_variance_against_scipy_and_sklearn():
    """σ² = (0.25, 9): scipy gets the scale √σ² = (0.5, 3), sklearn the covariances σ².

    Read as standard deviations, the same numbers give a density that differs by far more
    than the tolerance: the old convention (``sigma``) fails this test.
    """
    y = np.linspace(-6.0, 9.0, 61)
    p, mu, sigma2 = 0.3, (0.0, 2.0), (0.25, 9.0)
    by_scipy = np.log(p * stats.norm.pdf(y, mu[0], 0.5) + (1 - p) * stats.norm.pdf(y, mu[1], 3.0))
    by_sklearn = sklearn_mixture(p, mu, sigma2).score_samples(y[:, np.newaxis])
    ours = mixtures.log_density(y, p, mu, sigma2)
    np.testing.assert_allclose(ours, by_scipy, rtol=1e-13)
    np.testing.assert_allclose(ours, by_sklearn, rtol=0, atol=1e-10)
    as_sd = np.log(p * stats.norm.pdf(y, mu[0], 0.25) + (1 - p) * stats.norm.pdf(y, mu[1], 9.0))
    assert np.max(np.abs(ours - as_sd)) > 1.0
    assert mixtures.negloglik([p, *mu, *sigma2], y) == pytest.approx(-by_scipy.sum(), rel=1e-13)
    cdf = p * stats.norm.cdf(y, mu[0], 0.5) + (1 - p) * stats.norm.cdf(y, mu[1], 3.0)
    np.testing.assert_allclose(mixtures.cdf(y, p, mu, sigma2), cdf, rtol=1e-12, atol=1e-300)
    first = p * stats.norm.pdf(y, mu[0], 0.5) / np.exp(by_scipy)
    np.testing.assert_allclose(mixtures.posterior(y, p, mu, sigma2)[:, 0], first, rtol=1e-11)


def test_moments_and_canonical_parameters_take_the_variances():
    """V Y = p σ₁² + (1 − p) σ₂² + p(1 − p)(μ₁ − μ₂)² = 0.3·0.25 + 0.7·9 + 0.21·4 exactly."""
    mean, variance = mixtures.moments(0.3, (0.0, 2.0), (0.25, 9.0))
    assert mean == pytest.approx(1.4, abs=1e-15)
    assert variance == pytest.approx(0.075 + 6.3 + 0.84, abs=1e-14)
    theta = mixtures.to_canonical(0.5, (1.0, 3.0), (4.0, 0.25))
    np.testing.assert_allclose(theta, [0.0, 0.25, 0.125, 12.0, 2.0], rtol=1e-15)
    np.testing.assert_allclose(mixtures.from_canonical(theta)[2], [4.0, 0.25], rtol=1e-15)


def test_simulated_components_have_the_variances():
    """Given Z = k the draws have sample variance σ_k² (within 4 standard errors, ≈ 2 %)."""
    sigma2 = (0.25, 9.0)
    for method in mixtures.METHODS:
        rng = np.random.default_rng(12)
        y, z = mixtures.simulate(40_000, 0.5, (0.0, 50.0), sigma2, rng, method, return_z=True)
        for k, v in zip((1, 2), sigma2, strict=True):
            draws = y[z == k]
            assert draws.var(ddof=1) == pytest.approx(v, rel=4 * np.sqrt(2 / draws.size))


# --- simulation --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chapter_samples() -> dict[str, np.ndarray]:
    """The chapter's table: n = 5000 per method, drawn in turn from one generator seeded SEED."""
    rng = np.random.default_rng(SEED)
    return {
        method: mixtures.simulate(5000, P, MU, SIGMA2, rng, method) for method in mixtures.METHODS
    }


@pytest.mark.parametrize("method", mixtures.METHODS)
def test_simulated_mean_and_variance_within_monte_carlo_error(chapter_samples, method):
    y = chapter_samples[method]
    mean, variance = mixtures.moments(P, MU, SIGMA2)
    se_mean, se_var = mixtures.monte_carlo_se(y.size, P, MU, SIGMA2)
    assert abs(y.mean() - mean) < 3 * se_mean
    assert abs(y.var(ddof=1) - variance) < 3 * se_var


def test_monte_carlo_standard_errors_are_right():
    """Across 400 replicates the spread of ȳ and s² matches the formula within 10 %."""
    rng = np.random.default_rng(11)
    reps = np.stack([mixtures.simulate(2000, P, MU, SIGMA2, rng, "arithmetic") for _ in range(400)])
    se_mean, se_var = mixtures.monte_carlo_se(2000, P, MU, SIGMA2)
    assert reps.mean(axis=1).std(ddof=1) == pytest.approx(se_mean, rel=0.1)
    assert reps.var(axis=1, ddof=1).std(ddof=1) == pytest.approx(se_var, rel=0.1)


@pytest.mark.parametrize("method", mixtures.METHODS)
def test_simulation_passes_ks_test_against_the_mixture_cdf(chapter_samples, method):
    result = stats.kstest(chapter_samples[method], lambda t: mixtures.cdf(t, P, MU, SIGMA2))
    assert result.pvalue > 0.01


def test_arithmetic_and_transform_give_the_same_draws_from_the_same_state():
    """Both use the uniforms for Z and then one standard normal sample, in the same order."""
    a = mixtures.simulate(1000, P, MU, SIGMA2, np.random.default_rng(9), "arithmetic")
    b = mixtures.simulate(1000, P, MU, SIGMA2, np.random.default_rng(9), "transform")
    np.testing.assert_array_equal(a, b)


def test_ks_test_detects_a_wrong_mixture():
    """The KS check can fail: the same draws against a mixture with swapped weights."""
    y = mixtures.simulate(5000, 0.3, MU, SIGMA2, np.random.default_rng(SEED))
    result = stats.kstest(y, lambda t: mixtures.cdf(t, 0.7, MU, SIGMA2))
    assert result.pvalue < 1e-10


@pytest.mark.parametrize("method", mixtures.METHODS)
def test_labels_choose_the_component(method):
    y, z = mixtures.simulate(
        4000, 0.3, (-50.0, 50.0), (1.0, 1.0), np.random.default_rng(3), method, return_z=True
    )
    assert set(np.unique(z)) == {1, 2}
    assert np.all((z == 1) == (y < 0))
    assert np.mean(z == 1) == pytest.approx(0.3, abs=0.03)


@pytest.mark.parametrize("method", mixtures.METHODS)
def test_degenerate_weights(method):
    rng = np.random.default_rng(5)
    assert np.all(mixtures.simulate(200, 1.0, (-100, 100), (1, 1), rng, method) < 0)
    assert np.all(mixtures.simulate(200, 0.0, (-100, 100), (1, 1), rng, method) > 0)
    assert mixtures.simulate(0, 0.5, MU, SIGMA2, rng, method).shape == (0,)


def test_same_seed_same_draws():
    a = mixtures.simulate(100, P, MU, SIGMA2, np.random.default_rng(1), "where")
    b = mixtures.simulate(100, P, MU, SIGMA2, np.random.default_rng(1), "where")
    np.testing.assert_array_equal(a, b)


# --- canonical parametrization -----------------------------------------------------------


def test_canonical_parameters_of_the_example():
    theta = mixtures.to_canonical(P, MU, SIGMA2)
    np.testing.assert_allclose(theta, [0.0, -0.5, 0.5, 1.0, 0.125], rtol=0, atol=1e-15)


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.floats(0.01, 0.99),
    st.floats(-20, 20),
    st.floats(-20, 20),
    st.floats(1e-4, 2500),
    st.floats(1e-4, 2500),
)
def test_canonical_round_trip(p, mu1, mu2, v1, v2):
    back_p, back_mu, back_sigma2 = mixtures.from_canonical(
        mixtures.to_canonical(p, (mu1, mu2), (v1, v2))
    )
    assert back_p == pytest.approx(p, rel=1e-12)
    np.testing.assert_allclose(back_mu, [mu1, mu2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(back_sigma2, [v1, v2], rtol=1e-12)
    theta = np.array([0.3, -1.2, 0.7, 2.5, 0.05])
    np.testing.assert_allclose(
        mixtures.to_canonical(*mixtures.from_canonical(theta)), theta, rtol=1e-12
    )


def test_canonical_maps_are_vectorized():
    p = np.array([0.2, 0.5, 0.7])
    mu = np.array([[0, 1], [2, 3], [-1, 5]], dtype=float)
    sigma2 = np.array([[1, 4], [0.25, 0.25], [9, 1]], dtype=float)
    theta = mixtures.to_canonical(p, mu, sigma2)
    assert theta.shape == (3, 5)
    np.testing.assert_allclose(theta[:, [2, 4]], 1 / (2 * sigma2))  # θ₃ = 1/(2σ₁²)
    back = mixtures.from_canonical(theta)
    np.testing.assert_allclose(back[0], p)
    np.testing.assert_allclose(back[1], mu)
    np.testing.assert_allclose(back[2], sigma2)


def test_joint_density_in_theta_is_p_k_times_the_normal_density():
    y = np.linspace(-6, 12, 37)
    theta = mixtures.to_canonical(0.3, (1.0, 5.0), np.square((0.7, 2.5)))
    joint1 = np.exp(mixtures.joint_log_density_canonical(y, 1, theta))
    joint2 = np.exp(mixtures.joint_log_density_canonical(y, 2, theta))
    np.testing.assert_allclose(joint1, 0.3 * stats.norm.pdf(y, 1.0, 0.7), rtol=1e-12)
    np.testing.assert_allclose(joint2, 0.7 * stats.norm.pdf(y, 5.0, 2.5), rtol=1e-12)
    np.testing.assert_allclose(
        mixtures.density_canonical(y, theta),
        mixtures.density(y, 0.3, (1.0, 5.0), np.square((0.7, 2.5))),
        rtol=1e-12,
    )


def seed_joint_log_density(y, k, theta):
    """The seed's printed joint log density, verbatim (no −½ log π)."""
    t1, t2, t3, t4, t5 = theta
    common = -np.log1p(np.exp(t1))
    if k == 1:
        return t1 + t2 * y - t3 * y**2 + common - t2**2 / (4 * t3) + 0.5 * np.log(t3)
    return t4 * y - t5 * y**2 + common - t4**2 / (4 * t5) + 0.5 * np.log(t5)


def test_seed_joint_density_omits_the_base_measure_factor():
    """Seed formula = ours + ½ log π exactly, i.e. a density w.r.t. π^{-1/2} dy."""
    y = np.linspace(-5, 10, 31)
    theta = mixtures.to_canonical(P, MU, SIGMA2)
    for k in (1, 2):
        ours = mixtures.joint_log_density_canonical(y, k, theta)
        np.testing.assert_allclose(
            seed_joint_log_density(y, k, theta) - ours, 0.5 * np.log(np.pi), rtol=0, atol=1e-12
        )


def test_seed_theta2_is_a_typo():
    """With θ₂ = μ₁/σ₁² the joint density is right; with the printed μ₁/(2σ₁²) it is not."""
    y = np.linspace(-5, 10, 31)
    p, mu, sigma2 = 0.4, (1.5, 4.0), (2.0, 4.0)
    reference = np.log(p * stats.norm.pdf(y, mu[0], np.sqrt(sigma2[0])))
    theta = mixtures.to_canonical(p, mu, sigma2)
    assert theta[1] == pytest.approx(mu[0] / sigma2[0])
    np.testing.assert_allclose(mixtures.joint_log_density_canonical(y, 1, theta), reference)
    typo = theta.copy()
    typo[1] = mu[0] / (2 * sigma2[0])
    wrong = seed_joint_log_density(y, 1, typo) - 0.5 * np.log(np.pi)
    assert np.max(np.abs(wrong - reference)) > 0.1


# --- posterior ---------------------------------------------------------------------------------


def test_posterior_is_bayes_rule():
    y = np.linspace(-5, 10, 31)
    post = mixtures.posterior(y, P, MU, SIGMA2)
    first = P * stats.norm.pdf(y, MU[0], np.sqrt(SIGMA2[0])) / scipy_density(y, P, MU, SIGMA2)
    np.testing.assert_allclose(post[..., 0], first, rtol=1e-12)
    np.testing.assert_allclose(post.sum(axis=-1), 1.0, rtol=0, atol=1e-15)


def test_posterior_agrees_with_sklearn_predict_proba():
    y = np.linspace(-5, 10, 31)
    reference = sklearn_mixture(P, MU, SIGMA2).predict_proba(y[:, np.newaxis])
    np.testing.assert_allclose(
        mixtures.posterior(y, P, MU, SIGMA2), reference, rtol=1e-10, atol=1e-14
    )


def test_posterior_far_in_the_tails_is_exact():
    """Both densities underflow at y = ±200 with σ² = 1e-6; the posterior is still exact."""
    post = mixtures.posterior([-200.0, 200.0, 1.75], P, MU, (1e-6, 1e-6))
    np.testing.assert_array_equal(post[:, 0], [1.0, 0.0, 0.5])  # 1.75 is the midpoint
    assert np.all(np.isfinite(post))


# --- robustness --------------------------------------------------------------------------------


def test_extreme_valid_inputs_stay_finite():
    y = np.array([-200.0, -1.0, 0.0, 3.0, 200.0])
    for p in (0.0, 1e-12, 0.5, 1.0):
        for sigma2 in ((1e-6, 1e-6), (1e-6, 1e4), (1e4, 1e-6)):
            log_f = mixtures.log_density(y, p, MU, sigma2)
            assert np.all(np.isfinite(log_f)), (p, sigma2)
            assert np.all(np.isfinite(mixtures.density(y, p, MU, sigma2)))
            assert np.isfinite(mixtures.negloglik([p, *MU, *sigma2], y))
            assert mixtures.negloglik([p, *MU, *sigma2], y) == pytest.approx(-log_f.sum())


def test_log_density_in_the_far_tail_is_the_exact_quadratic():
    log_f = mixtures.log_density(200.0, 0.5, MU, (1e-6, 1e-6))
    expected = np.log(0.5) - 0.5 * np.log(2e-6 * np.pi) - 0.5 * 196**2 / 1e-6
    assert log_f == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "par",
    [
        [-0.1, 0, 1, 1, 1],
        [1.1, 0, 1, 1, 1],
        [0.5, 0, 1, 0, 1],
        [0.5, 0, 1, 1, -2],
        [np.nan, 0, 1, 1, 1],
        [0.5, np.nan, 1, 1, 1],
        [0.5, 0, np.inf, 1, 1],
        [0.5, 0, 1, np.inf, 1],
    ],
)
def test_negloglik_is_inf_off_the_parameter_space(par):
    assert mixtures.negloglik(par, [0.0, 1.0, 2.0]) == np.inf


def test_negloglik_is_vectorized_and_chunked(monkeypatch):
    y = mixtures.simulate(300, P, MU, SIGMA2, np.random.default_rng(2))
    grid = np.tile(PAR, (7, 9, 1))
    grid[..., 1] += np.linspace(-1, 1, 9)
    grid[..., 2] += np.linspace(-1, 1, 7)[:, np.newaxis]
    grid[0, 0, 0] = 2.0  # one point off the parameter space
    monkeypatch.setattr(mixtures, "CHUNK", 1000)  # several chunks of 3 rows
    values = mixtures.negloglik(grid, y)
    assert values.shape == (7, 9)
    assert values[0, 0] == np.inf
    for i, j in [(0, 1), (3, 4), (6, 8)]:
        assert values[i, j] == pytest.approx(mixtures.negloglik(grid[i, j], y), rel=1e-14)
        reference = -np.log(scipy_density(y, grid[i, j, 0], grid[i, j, 1:3], grid[i, j, 3:])).sum()
        assert values[i, j] == pytest.approx(reference, rel=1e-12)


def test_density_is_vectorized_over_parameters():
    p = np.array([0.2, 0.5])
    mu = np.array([[0.0, 1.0], [-0.5, 4.0]])
    sigma2 = np.array([[1.0, 1.0], [1.0, 4.0]])
    y = np.linspace(-3, 6, 10)
    values = mixtures.density(y, p, mu, sigma2)
    assert values.shape == (2, 10)
    np.testing.assert_allclose(values[1], scipy_density(y, 0.5, MU, SIGMA2), rtol=1e-13)
    assert mixtures.density(0.0, P, MU, SIGMA2).shape == ()


def test_label_switching_symmetry():
    """−ℓ(p, μ₁, μ₂, σ₁², σ₂²) = −ℓ(1 − p, μ₂, μ₁, σ₂², σ₁²): the likelihood cannot name them."""
    y = mixtures.simulate(500, P, MU, SIGMA2, np.random.default_rng(4))
    swapped = [1 - P, MU[1], MU[0], SIGMA2[1], SIGMA2[0]]
    assert mixtures.negloglik(swapped, y) == pytest.approx(mixtures.negloglik(PAR, y), rel=1e-14)


def test_gradient_of_negloglik_in_the_means_by_finite_differences():
    """∂(−ℓ)/∂μ_k = −Σ_i P(Z = k | y_i)(y_i − μ_k)/σ_k², the EM-style score."""
    y = mixtures.simulate(400, P, MU, SIGMA2, np.random.default_rng(8))
    par = np.array([0.4, -0.2, 3.5, 1.2, 1.8])  # (p, μ₁, μ₂, σ₁², σ₂²)
    post = mixtures.posterior(y, par[0], par[1:3], par[3:])
    analytic = -(post * (y[:, np.newaxis] - par[1:3]) / par[3:]).sum(axis=0)
    h = 1e-6
    numeric = []
    for index in (1, 2):
        step = np.zeros(5)
        step[index] = h
        numeric.append(
            (mixtures.negloglik(par + step, y) - mixtures.negloglik(par - step, y)) / (2 * h)
        )
    np.testing.assert_allclose(numeric, analytic, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p": 1.5}, "p must lie in"),
        ({"p": -0.1}, "p must lie in"),
        ({"sigma2": (0.0, 1.0)}, r"sigma2 \(the variances\) must be positive"),
        ({"sigma2": (1.0, -1.0)}, r"sigma2 \(the variances\) must be positive"),
        ({"mu": (np.nan, 1.0)}, "mu must be finite"),
        ({"mu": (1.0, 2.0, 3.0)}, "mu must have shape"),
    ],
)
def test_bad_parameters_raise_in_simulate_and_density(kwargs, message):
    args = {"p": P, "mu": MU, "sigma2": SIGMA2, **kwargs}
    with pytest.raises(ValueError, match=message):
        mixtures.density([0.0], **args)
    with pytest.raises(ValueError, match=message):
        mixtures.simulate(10, rng=np.random.default_rng(0), **args)


def test_nan_data_raise():
    for function in (mixtures.density, mixtures.log_density, mixtures.posterior, mixtures.cdf):
        with pytest.raises(ValueError, match="y must be finite"):
            function([0.0, np.nan], P, MU, SIGMA2)
    with pytest.raises(ValueError, match="y must be finite"):
        mixtures.negloglik(PAR, [1.0, np.nan])
    with pytest.raises(ValueError, match="y must be finite"):
        mixtures.joint_log_density_canonical([np.inf], 1, mixtures.to_canonical(P, MU, SIGMA2))


def test_bad_simulation_arguments_raise():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="method must be one of"):
        mixtures.simulate(10, P, MU, SIGMA2, rng, "ifelse")
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        mixtures.simulate(-1, P, MU, SIGMA2, rng)
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        mixtures.simulate(2.5, P, MU, SIGMA2, rng)
    with pytest.raises(ValueError, match="rng must be"):
        mixtures.simulate(10, P, MU, SIGMA2, 1)


def test_bad_canonical_arguments_raise():
    with pytest.raises(ValueError, match=r"p must lie in \(0, 1\)"):
        mixtures.to_canonical(1.0, MU, SIGMA2)
    with pytest.raises(ValueError, match="theta₃ and theta₅ must be positive"):
        mixtures.from_canonical([0, 0, -1, 0, 1])
    with pytest.raises(ValueError, match="k must hold component labels"):
        mixtures.joint_log_density_canonical(0.0, 3, mixtures.to_canonical(P, MU, SIGMA2))


# --- explorers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [density_explorer, label_switching_explorer])
def test_mixture_explorers_survive_every_extreme(factory):
    explorer = factory()
    assert_survives_slider_extremes(explorer)


@pytest.mark.parametrize("factory", [density_explorer, label_switching_explorer])
def test_mixture_explorers_static_grids_are_small(factory):
    explorer = factory()
    assert int(np.prod([len(s.static_grid) for s in explorer.sliders])) <= 40
    assert len(explorer.static_html().encode()) < 2_000_000


@pytest.mark.parametrize(
    ("p", "sigma2", "y"),
    [
        (0.5, (1.0, 2.25), "sample"),
        (0.0, (1.0, 2.25), "sample"),
        (1.0, (0.25, 4.0), "sample"),
        (0.3, (0.0025, 0.0025), "far"),  # both components negligible at some y: log space
        (0.5, (1.0, 1.0), "spread"),  # runs of terms whose product underflows: summed one by one
    ],
)
def test_surface_over_the_means_equals_negloglik(p, sigma2, y):
    """The separated evaluation equals −ℓ term by term, underflow included."""
    if y == "sample":
        y = mixtures.simulate(500, 0.4, (0.0, 3.0), (1.0, 2.25), np.random.default_rng(3))
    elif y == "spread":
        y = np.linspace(-40.0, 40.0, 37)
    else:
        y = np.array([-150.0, 0.0, 0.1, 150.0])
    mu1, mu2 = np.linspace(-2.5, 5.5, 31), np.linspace(-200, 200, 27)
    grid = parameter_grid(mu1, mu2)
    par = np.concatenate(
        [np.full((*grid.shape[:-1], 1), p), grid, np.broadcast_to(sigma2, grid.shape)], axis=-1
    )
    expected = mixtures.negloglik(par, y)
    surface = mixtures.negloglik_means(mu1, mu2, y, p, sigma2)
    assert surface.shape == (mu2.size, mu1.size)
    np.testing.assert_allclose(surface, expected, rtol=1e-13)


def test_surface_over_the_means_checks_its_parameters():
    with pytest.raises(ValueError, match="p must lie in"):
        mixtures.negloglik_means([0.0], [1.0], [0.5], 1.5, (1.0, 1.0))
    with pytest.raises(ValueError, match="sigma2"):
        mixtures.negloglik_means([0.0], [1.0], [0.5], 0.5, (1.0, 0.0))
    assert np.all(mixtures.negloglik_means([0.0], [1.0], [1e300], 0.5, (1.0, 1.0)) == np.inf)
