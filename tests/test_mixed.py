"""Section 6.5: the Gaussian random-effects model (statbook.mixed and its explorer)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize
from scipy.stats import multivariate_normal, norm

from statbook import mixed
from statbook.explorers.mixed import mixed_explorer
from tests.helpers import assert_survives_slider_extremes


def sample(n_groups: int, seed: int = 1, beta0=2.0, nu=1.0, sigma=1.5, low=3, high=7):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(low, high + 1, size=n_groups)
    return mixed.simulate(sizes, beta0, nu, sigma**2, rng)


@pytest.fixture(scope="module")
def small():
    data = sample(12, seed=3, low=1, high=6)
    return data, mixed.suff_stats(data.y, data.group)


# --- exponential-family view ------------------------------------------------------------------


def test_canonical_round_trip():
    rng = np.random.default_rng(0)
    par = np.column_stack([rng.normal(size=50), rng.normal(size=50), rng.uniform(0.01, 5, size=50)])
    assert np.allclose(mixed.from_canonical(mixed.to_canonical(par)), par, rtol=1e-13)
    theta = mixed.to_canonical(par)
    assert np.allclose(mixed.to_canonical(mixed.from_canonical(theta)), theta, rtol=1e-13)
    # the maps of the text: σ² = 1/(2θ₂), β₀ = σ²θ₁, ν = σ²θ₃
    t1, t2, t3 = 0.8, 0.25, -1.2
    assert np.allclose(mixed.from_canonical([t1, t2, t3]), [2 * t1, 2 * t3, 2.0])


def test_conditional_density_is_the_regression_model():
    y, z = np.linspace(-3, 5, 9), np.array([[-1.0], [0.3], [2.0]])
    beta0, nu, sigma2 = 1.2, -0.7, 0.6
    theta = mixed.to_canonical([beta0, nu, sigma2])
    expected = norm(beta0 + nu * z, np.sqrt(sigma2)).logpdf(y)
    assert np.allclose(mixed.conditional_logpdf(y, z, theta), expected, rtol=1e-12)
    assert mixed.sufficient_statistic([2.0], [3.0]).tolist() == [[2.0, -4.0, 6.0]]


# --- data and sufficient statistics -------------------------------------------------------------


def test_simulate_shapes_and_moments():
    rng = np.random.default_rng(5)
    sizes = np.full(4000, 5)
    data = mixed.simulate(sizes, 1.0, 2.0, 0.25, rng)
    assert data.y.shape == (20000,) and data.z.shape == (4000,)
    assert np.array_equal(np.bincount(data.group), sizes)
    assert abs(data.y.mean() - 1.0) < 0.1
    assert abs(data.y.var() - (4.0 + 0.25)) < 0.25
    residual = data.y - 1.0 - 2.0 * data.z[data.group]
    assert abs(residual.std() - 0.5) < 0.01


def test_suff_stats_agree_with_direct_sums(small):
    data, stats = small
    assert stats.n_obs == data.y.size and stats.n_groups == 12
    means = np.array([data.y[data.group == i].mean() for i in range(12)])
    assert np.allclose(stats.group_mean, means)
    within = sum(np.sum((data.y[data.group == i] - means[i]) ** 2) for i in range(12))
    assert np.isclose(stats.within_ss, within)
    beta0 = 0.3
    direct = np.sum((means - beta0) ** 2 * stats.group_size**2)
    by_size = np.sum(
        stats.sizes**2 * (stats.size_dev + stats.size_counts * (stats.size_mean - beta0) ** 2)
    )
    assert np.isclose(direct, by_size)


# --- the marginal likelihood --------------------------------------------------------------------


def scipy_negloglik(par, data) -> float:
    beta0, nu, sigma2 = par
    total = 0.0
    for i in np.unique(data.group):
        block = data.y[data.group == i]
        cov = mixed.marginal_cov(block.size, nu, sigma2)
        total -= multivariate_normal(np.full(block.size, beta0), cov).logpdf(block)
    return total


@pytest.mark.parametrize(
    "par", [(2.0, 1.0, 2.25), (0.0, -0.3, 0.5), (5.0, 3.0, 0.1), (-1.0, 0.0, 4.0)]
)
def test_negloglik_matches_scipy_multivariate_normal(small, par):
    data, stats = small
    assert np.isclose(mixed.negloglik(par, stats), scipy_negloglik(par, data), rtol=1e-12)


def test_negloglik_vectorized_over_leading_axes(small):
    _, stats = small
    rng = np.random.default_rng(2)
    grid = np.stack(
        [rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), rng.uniform(0.1, 3, (4, 5))], -1
    )
    values = mixed.negloglik(grid, stats)
    assert values.shape == (4, 5)
    one_by_one = [[float(mixed.negloglik(grid[i, j], stats)) for j in range(5)] for i in range(4)]
    assert np.allclose(values, one_by_one, rtol=1e-14)
    assert mixed.grad(grid, stats).shape == (4, 5, 3)


def test_negloglik_is_inf_off_the_parameter_space_without_warnings(small):
    _, stats = small
    values = mixed.negloglik([[1.0, 1.0, 0.0], [1.0, 1.0, -2.0], [1.0, 0.0, -np.inf]], stats)
    assert np.all(values == np.inf)


def test_negloglik_stays_finite_at_extreme_valid_parameters(small):
    _, stats = small
    values = mixed.negloglik([[0.0, 1e200, 1.0], [1e6, 1e-300, 1e-6], [0.0, 0.0, 1e250]], stats)
    assert np.all(np.isfinite(values))


def test_grad_matches_finite_differences(small):
    _, stats = small
    rng = np.random.default_rng(4)
    for _ in range(20):
        par = np.array([rng.normal(2, 1), rng.normal(0, 1.5), rng.uniform(0.3, 4)])
        step = 1e-6
        numeric = [
            (mixed.negloglik(par + step * e, stats) - mixed.negloglik(par - step * e, stats))
            / (2 * step)
            for e in np.eye(3)
        ]
        assert np.allclose(mixed.grad(par, stats), numeric, rtol=1e-6, atol=1e-6)


def test_marginal_cov_is_compound_symmetric():
    cov = mixed.marginal_cov(4, 2.0, 1.0)
    assert np.allclose(np.diag(cov), 5.0)
    assert np.allclose(cov[~np.eye(4, dtype=bool)], 4.0)
    assert np.isclose(mixed.icc(2.0, 1.0), 0.8)


def test_conditional_mean_z_matches_gaussian_conditioning(small):
    data, stats = small
    beta0, nu, sigma2 = 1.5, 0.9, 1.7
    predicted = mixed.conditional_mean_z([beta0, nu, sigma2], stats)
    for i in range(stats.n_groups):
        block = data.y[data.group == i]
        cov = mixed.marginal_cov(block.size, nu, sigma2)
        cross = np.full(block.size, nu)  # Cov(Z_i, Y_ij) = ν
        direct = cross @ np.linalg.solve(cov, block - beta0)
        assert np.isclose(predicted[i], direct, rtol=1e-12)


# --- profiling and the fit ----------------------------------------------------------------------


def test_profile_ratio_minimizes_over_beta0_and_sigma2(small):
    _, stats = small
    ratio = 0.7
    beta0, sigma2 = mixed.profile_ratio(ratio, stats)
    nu = np.sqrt(ratio * sigma2)
    best = float(mixed.negloglik([beta0, nu, sigma2], stats))
    assert np.isclose(mixed.profile_negloglik_ratio(ratio, stats), best, rtol=1e-13)
    for shift in ([0.01, 0, 0], [-0.01, 0, 0], [0, 0, 0.01], [0, 0, -0.01]):
        b, s2 = beta0 + shift[0], sigma2 + shift[2]
        assert mixed.negloglik([b, np.sqrt(ratio * s2), s2], stats) > best
    step = 1e-6
    numeric = (
        mixed.profile_negloglik_ratio(ratio + step, stats)
        - mixed.profile_negloglik_ratio(ratio - step, stats)
    ) / (2 * step)
    assert np.isclose(mixed.profile_grad_ratio(ratio, stats), numeric, rtol=1e-6)


def test_fit_is_a_stationary_point_and_beats_neighbours(small):
    data, stats = small
    result = mixed.fit(data.y, data.group)
    assert result.nu >= 0 and result.sigma > 0
    assert np.isclose(-result.loglik, mixed.negloglik(result.par, stats), rtol=1e-13)
    if result.nu > 0:
        assert np.allclose(mixed.grad(result.par, stats), 0, atol=1e-6)
    rng = np.random.default_rng(9)
    for _ in range(50):
        other = result.par + rng.normal(scale=0.05, size=3)
        assert mixed.negloglik(other, stats) >= -result.loglik
    assert np.isclose(result.icc, result.nu**2 / (result.nu**2 + result.sigma**2))
    assert np.allclose(result.blup, mixed.conditional_mean_z(result.par, stats))


def test_profile_in_nu_has_its_minimum_at_the_fit(small):
    data, stats = small
    result = mixed.fit(data.y, data.group)
    values = mixed.profile_negloglik_nu(np.array([0.5, 1.5]) * result.nu, stats)
    assert np.all(values > -result.loglik)
    assert np.isclose(mixed.profile_negloglik_nu(result.nu, stats), -result.loglik, rtol=1e-10)


def balanced_zero_condition(y, group, m) -> bool:
    """(m − 1) B ≤ W: the between-group sum of squares is small (exercise of the chapter)."""
    stats = mixed.suff_stats(y, group)
    between = m * np.sum((stats.group_mean - stats.group_mean.mean()) ** 2)
    return (m - 1) * between <= stats.within_ss


@pytest.mark.parametrize("seed", range(12))
def test_nu_hat_is_zero_exactly_when_between_variation_is_small(seed):
    data = sample(6, seed=seed, nu=0.3, sigma=1.0, low=4, high=4)
    result = mixed.fit(data.y, data.group)
    assert (result.nu == 0.0) == balanced_zero_condition(data.y, data.group, 4)
    if result.nu == 0.0:
        assert np.isclose(result.beta0, data.y.mean())
        assert np.isclose(result.sigma**2, data.y.var())


def test_fit_with_huge_group_effect_and_large_level():
    data = sample(30, seed=7, beta0=1e6, nu=1e5, sigma=1.0)
    result = mixed.fit(data.y, data.group)
    assert np.isfinite(result.loglik)
    assert abs(result.sigma - 1.0) < 0.2
    assert 0.5e5 < result.nu < 2e5


# --- agreement with statsmodels -------------------------------------------------------------------


def statsmodels_fit(data):
    import statsmodels.api as sm

    model = sm.MixedLM(data.y, np.ones((data.y.size, 1)), groups=data.group)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own convergence chatter
        # tight gradient tolerance, so that its optimizer, not ours, sets the precision
        return model.fit(reml=False, method="bfgs", gtol=1e-10)


@pytest.mark.parametrize("n_groups", [50, 1000, 10000])
def test_agrees_with_statsmodels_mixedlm(n_groups):
    data = sample(n_groups, seed=n_groups)
    ours = mixed.fit(data.y, data.group)
    theirs = statsmodels_fit(data)
    # statsmodels: cov_re is ν² and scale is σ², both on the data scale
    their_nu = np.sqrt(np.asarray(theirs.cov_re)[0, 0])
    their_sigma = np.sqrt(theirs.scale)
    assert abs(ours.beta0 - theirs.fe_params[0]) < 1e-5
    assert abs(ours.nu - their_nu) < 1e-5
    assert abs(ours.sigma - their_sigma) < 1e-5
    assert ours.loglik >= theirs.llf - 1e-8
    their_effects = np.array([effect.iloc[0] for effect in theirs.random_effects.values()])
    assert np.allclose(ours.group_effects, their_effects, atol=1e-5)


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "group", "match"),
    [
        ([1.0, np.nan, 2.0], [0, 0, 1], "y must be finite"),
        ([1.0, 2.0, 3.0], [0, 0], "one label per observation"),
        ([1.0, 2.0, 3.0], [0, None, 1], "group has a missing label"),
        ([1.0, 2.0, 3.0], [[0], [1], [1]], "group must be a vector"),
        ([[1.0, 2.0]], [0, 1], "y must be one-dimensional"),
    ],
)
def test_bad_data_raises_value_error_naming_the_argument(y, group, match):
    with pytest.raises(ValueError, match=match):
        mixed.suff_stats(y, group)
    with pytest.raises(ValueError, match=match):
        mixed.fit(y, group)


@pytest.mark.parametrize(
    ("y", "group", "match"),
    [
        ([1.0, 2.0, 3.0], [0, 0, 0], "at least 2 groups"),
        ([1.0, 2.0, 3.0], [0, 1, 2], "single observation"),
        ([1.0, 1.0, 3.0, 3.0], [0, 0, 1, 1], "W = 0"),
    ],
)
def test_data_without_a_unique_mle_raise_a_clear_error(y, group, match):
    with pytest.raises(mixed.NoUniqueMLEError, match=match):
        mixed.fit(y, group)


def test_simulate_rejects_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="sigma2 must be positive"):
        mixed.simulate([3, 3], 0.0, 1.0, 0.0, rng)
    with pytest.raises(ValueError, match="at least 1"):
        mixed.simulate([3, 0], 0.0, 1.0, 1.0, rng)
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        mixed.simulate([3, 3], 0.0, 1.0, 1.0, 1)


# --- the explorer ---------------------------------------------------------------------------------


def test_explorer_survives_every_slider_extreme():
    explorer = mixed_explorer()
    assert_survives_slider_extremes(explorer)
    frames = int(np.prod([len(s.static_grid) for s in explorer.sliders]))
    assert frames <= 40


def test_profile_in_nu_is_the_minimum_over_level_and_variance(small):
    """The golden-section profile against scipy's minimizer of −ℓ over (β₀, log σ²) at fixed ν."""
    data, stats = small
    result = mixed.fit(data.y, data.group)
    for nu in (0.0, 0.5 * result.nu, 2.0 * result.nu):

        def objective(free, nu=nu):
            return float(mixed.negloglik([free[0], nu, np.exp(free[1])], stats))

        start = [result.beta0, np.log(result.sigma**2)]
        best = optimize.minimize(
            objective, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12}
        )
        assert mixed.profile_negloglik_nu(nu, stats) == pytest.approx(best.fun, rel=1e-10)
