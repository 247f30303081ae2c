"""What the chapters say the library does: each test is one claim of the text.

The chapters assert these in their hidden cells as well; here they are checked
on the library alone, on fresh data where the claim is general.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from scipy.integrate import quad
from scipy.special import gammaln, i0e, i1e

from statbook import gaussian, mixed, mixtures, multinomial, regression, vonmises
from statbook.datasets import load_vegetables
from statbook.explorers import likelihood as likelihood_explorers
from statbook.explorers import mixtures as mixture_explorers
from statbook.optimize import optim
from statbook.plotting import parameter_grid
from tests.test_datasets import SHARED

SIMPLE = "sale ~ np.log(normalSale)"
STORES = "sale ~ C(store) + np.log(normalSale) - 1"


@pytest.fixture(scope="module")
def vegetables() -> pd.DataFrame:
    return load_vegetables(data_dir=SHARED)


# --- 6.1 -----------------------------------------------------------------------------------
def test_vonmises_mean_direction_is_explicit_and_kappa_solves_a_equals_r_bar():
    """μ̂ = atan2(Σ sin y, Σ cos y), and κ̂ solves A(κ) = I₁(κ)/I₀(κ) = R̄."""
    for seed, (kappa, mu) in enumerate([(0.7, -2.0), (2.0, 1.0), (8.0, 3.0)]):
        y = vonmises.simulate(200, kappa, mu, np.random.default_rng(seed))
        s = vonmises.suff_stats(y)
        kappa_hat, mu_hat = vonmises.canonical_to_polar(vonmises.mle(s))
        assert mu_hat == pytest.approx(np.arctan2(s.sum_sin, s.sum_cos), abs=1e-9)
        r_bar = np.hypot(s.sum_cos, s.sum_sin) / s.n
        assert i1e(kappa_hat) / i0e(kappa_hat) == pytest.approx(r_bar, abs=1e-9)
        # for every κ the polar −ℓ is smallest at the mean direction
        mus = np.linspace(-np.pi, np.pi, 721)[1:]
        for k in (0.3, kappa_hat, 5.0):
            values = vonmises.negloglik_polar(np.stack([np.full_like(mus, k), mus], -1), s)
            assert abs(mus[np.argmin(values)] - mu_hat) < 2 * np.pi / 720


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaussian_hessian_has_a_negative_eigenvalue_exactly_above_two_sigma2_hat(seed):
    """det D²(−ℓ)(μ, σ²) = N²(σ̂² − σ²/2)/σ⁸: non-convex exactly where σ² > 2σ̂², any μ."""
    y = gaussian.simulate(25, 0.5, 2.0, np.random.default_rng(seed))
    s = gaussian.suff_stats(y)
    mu_hat, sigma2_hat = gaussian.mle(s)
    grid = parameter_grid(
        np.linspace(mu_hat - 4, mu_hat + 4, 41), np.linspace(0.011, 6, 300) * sigma2_hat
    )
    hessians = gaussian.hessian(grid, s)
    variance = grid[..., 1]
    np.testing.assert_allclose(
        np.linalg.det(hessians),
        s.n**2 / variance**4 * (sigma2_hat - variance / 2),
        rtol=1e-8,
        atol=1e-10,
    )
    negative = np.linalg.eigvalsh(hessians)[..., 0] < 0
    assert np.array_equal(negative, variance > 2 * sigma2_hat)
    # the variance entry alone changes sign on the parabola, a different curve
    parabola = 2 * sigma2_hat + 2 * (grid[..., 0] - mu_hat) ** 2
    assert np.array_equal(hessians[..., 1, 1] < 0, variance > parabola)


def test_polar_vonmises_is_not_convex_where_the_theta_hessian_is():
    y = vonmises.simulate(100, 2.0, 1.0, np.random.default_rng(20261124))
    s = vonmises.suff_stats(y)
    _, mu_hat = vonmises.canonical_to_polar(vonmises.mle(s))
    point, h = np.array([2.0, mu_hat - 2.5]), 1e-4

    def f(par):
        return float(vonmises.negloglik_polar(par, s))

    e = np.eye(2) * h
    fd = np.array(
        [
            [
                (f(point + e[i] + e[j]) - f(point + e[i] - e[j]))
                - (f(point - e[i] + e[j]) - f(point - e[i] - e[j]))
                for j in range(2)
            ]
            for i in range(2)
        ]
    ) / (4 * h * h)
    low, high = np.linalg.eigvalsh(fd)
    assert low < 0 < high
    theta = vonmises.polar_to_canonical(point)
    assert np.linalg.eigvalsh(vonmises.hessian(theta, s))[0] > 0


def test_static_vonmises_explorer_reaches_kappa_zero():
    kappa = next(s for s in likelihood_explorers.vonmises_explorer().sliders if s.name == "kappa")
    assert min(kappa.static_grid) == 0.0
    assert 2.0 in kappa.static_grid  # the default


# --- 6.2 -----------------------------------------------------------------------------------
def test_moth_negloglik_is_infinite_on_all_three_edges():
    x = multinomial.MOTH_COUNTS
    edges = np.array([[0.0, 0.3], [0.3, 0.0], [0.3, 0.7], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert np.all(multinomial.moth_negloglik(edges, x) == np.inf)
    assert np.isfinite(multinomial.moth_negloglik([0.3, 0.3], x))


def test_unobserved_phenotype_allows_a_start_on_its_edge():
    """With N_I = 0 the term 0·log 0 is 0: (0.5, 0) is a valid start and p̂_I = 0."""
    x = np.array([85, 0, 341])
    assert np.isfinite(multinomial.moth_negloglik([0.5, 0.0], x))
    fit = optim([0.5, 0.0], multinomial.moth_negloglik, x)
    exact = multinomial.moth_mle(x)
    assert fit.convergence == 0
    assert exact[1] == 0 and exact[0] == pytest.approx(1 - np.sqrt(341 / 426), rel=1e-12)
    assert np.allclose(fit.par, exact, atol=1e-4)
    with pytest.raises(ValueError, match="cannot be evaluated at initial parameters"):
        optim([0.5, 0.0], multinomial.moth_negloglik, multinomial.MOTH_COUNTS)


@pytest.mark.parametrize("counts", [[1, 1, 1], [10, 0, 3], [0, 5, 20], [300, 2, 1], [0, 0, 7]])
def test_closed_form_fits_any_counts(counts):
    counts = np.array(counts)
    fitted = multinomial.phenotype_probs(multinomial.moth_mle(counts))
    np.testing.assert_allclose(fitted, counts / counts.sum(), rtol=0, atol=1e-12)


# --- 6.3 -----------------------------------------------------------------------------------
def test_seed_p_values_and_iteration_counts(vegetables):
    model_a = regression.poisson_glm(SIMPLE, vegetables)
    model_b = regression.poisson_glm(STORES, vegetables)
    assert (model_a.n_iter, model_b.n_iter) == (4, 3)
    z_a = model_a.table()["z"].to_numpy()
    assert np.allclose(z_a.round(1), [97.2, 184.4], rtol=0, atol=1e-9)
    assert np.all(2 * stats.norm.sf(np.abs(z_a)) < 2.2e-16)  # R prints <2e-16
    rows = [0, 1, 2, 3, 352]
    p_b = 2 * stats.norm.sf(np.abs(model_b.table()["z"].to_numpy()[rows]))
    # R prints 4 digits, from its last iterate; ours (converged) round the same, except
    # store 10, whose p-value 1.25452e-278 lies on the edge between 1.254 and 1.255.
    assert [f"{p:.3e}" for p in p_b[[0, 2, 3, 4]]] == [
        "9.416e-101",
        "3.055e-173",
        "1.989e-172",
        "9.536e-11",
    ]
    assert f"{p_b[1]:.5e}" == "1.25452e-278"


def test_newton_step_for_a_store_without_sales_is_minus_one(vegetables):
    """Gradient and Hessian entry of a zero-sales level are both e^α Σ e^{γz}."""
    from formulaic import model_matrix

    no_sales = vegetables.copy()
    no_sales.loc[no_sales["store"] == "17", "sale"] = 0
    matrix = model_matrix(STORES, no_sales, output="sparse").rhs
    X, names = sp.csc_matrix(matrix), list(matrix.model_spec.column_names)
    k = names.index("C(store)[17]")
    s = regression.suff_stats(X, no_sales["sale"].to_numpy())
    beta = regression.poisson_glm(STORES, vegetables).coef.copy()
    rng = np.random.default_rng(5)
    for level in (2.0, -3.0, -20.0):  # any level, any slope: −g/h = −1 in α_k
        trial = beta.copy()
        trial[k], trial[-1] = level, rng.uniform(0, 0.5)
        g = regression.grad(trial, s)
        h = regression.hessian(trial, s)
        assert g[k] > 0 and -g[k] / h[k, k] == pytest.approx(-1.0, rel=1e-12)
    steps = []
    for _ in range(6):  # the joint Newton step in α_k tends to −1 and stays there
        step = -sp.linalg.spsolve(
            sp.csc_array(regression.hessian(beta, s)), regression.grad(beta, s)
        )
        steps.append(step[k])
        beta = beta + step
    assert all(abs(d + 1) < 0.05 for d in steps)
    assert all(abs(d + 1) < 1e-7 for d in steps[2:])


# --- 6.1: Newton, base measures ------------------------------------------------------------
def test_plain_newton_diverges_on_a_convex_function_and_halving_rescues_it():
    """On √(1 + x²) the Newton step is x ↦ −x³: from 1.5, −3.4, 38, −5.7·10⁴."""

    def newton_step(x):
        return x - (x / np.sqrt(1 + x**2)) * (1 + x**2) ** 1.5

    x, iterates = 1.5, []
    for _ in range(3):
        x = newton_step(x)
        iterates.append(x)
    np.testing.assert_allclose(iterates, [-(1.5**3), 1.5**9, -(1.5**27)], rtol=1e-9)
    # the library's fits halve the step: the von Mises fit from the data of 6.1 converges
    y = vonmises.simulate(100, 2.0, 1.0, np.random.default_rng(20261124))
    s = vonmises.suff_stats(y)
    assert np.allclose(vonmises.grad(vonmises.mle(s), s), 0, atol=1e-8)


def test_each_table_row_is_a_density_with_respect_to_its_base_measure():
    """Poisson: mass 1/y! on N₀; von Mises and Gaussian: Lebesgue measure (½ log π kept)."""
    theta = np.log(3.5)
    k = np.arange(200)
    assert np.exp(theta * k - np.exp(theta) - gammaln(k + 1)).sum() == pytest.approx(1, rel=1e-12)
    t1, t2 = gaussian.to_canonical([0.7, 2.3])
    log_phi = t1**2 / (4 * t2) - 0.5 * np.log(t2) + 0.5 * np.log(np.pi)
    mass, _ = quad(lambda u: np.exp(t1 * u - t2 * u**2 - log_phi), -np.inf, np.inf)
    assert mass == pytest.approx(1, rel=1e-10)
    u = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(
        t1 * u - t2 * u**2 - log_phi, stats.norm.logpdf(u, 0.7, np.sqrt(2.3)), rtol=1e-12
    )
    th = np.array([1.3, -0.4])
    mass, _ = quad(
        lambda a: np.exp(th @ [np.cos(a), np.sin(a)] - vonmises.log_phi(th)), -np.pi, np.pi
    )
    assert mass == pytest.approx(1, rel=1e-10)


# --- 6.2: lines of minimizers, the boundary of the moth triangle ------------------------------
def test_symmetric_parametrization_has_a_line_of_minimizers_only_with_positive_counts():
    positive = multinomial.stats_from_counts([2, 3, 5])
    line = [multinomial.negloglik_symmetric(np.log([2, 3, 5]) + c, positive) for c in (-4, 0, 9)]
    np.testing.assert_allclose(line, line[0], rtol=1e-13)
    # with a zero count, −ℓ keeps decreasing as that θ_k → −∞: no minimizer at all
    zero = multinomial.stats_from_counts([0, 3, 5])
    values = [multinomial.negloglik_symmetric([-t, np.log(3), np.log(5)], zero) for t in (1, 5, 20)]
    assert values[0] > values[1] > values[2]


def test_every_boundary_point_of_the_moth_triangle_has_infinite_negloglik():
    t = np.linspace(0, 1, 401)[:, None]
    edges = np.concatenate([np.hstack([0 * t, t]), np.hstack([t, 0 * t]), np.hstack([t, 1 - t])])
    assert np.all(multinomial.moth_negloglik(edges, [85, 196, 341]) == np.inf)
    # the interior is finite: the rubric's "only the boundary" is the whole boundary
    assert np.isfinite(multinomial.moth_negloglik([[0.3, 0.3], [0.01, 0.01]], [85, 196, 341])).all()


# --- 6.3: the dispersion of the store model -----------------------------------------------
def test_pearson_dispersion_of_the_store_model_is_r_quasipoisson_11_34(vegetables):
    import statsmodels.api as sm
    from formulaic import model_matrix

    fit = regression.poisson_glm(STORES, vegetables)
    x = sp.csc_matrix(model_matrix(STORES, vegetables, output="sparse").rhs)
    y = vegetables["sale"].to_numpy()
    mu = np.exp(x @ fit.coef)
    pearson = np.sum((y - mu) ** 2 / mu) / fit.df_residual
    assert round(pearson, 2) == 11.34
    reference = sm.GLM(y, x.toarray(), family=sm.families.Poisson()).fit(tol=1e-12, maxiter=100)
    assert pearson == pytest.approx(reference.pearson_chi2 / reference.df_resid, rel=1e-8)
    assert round(fit.deviance / fit.df_residual, 2) == 12.04


# --- 6.4 -----------------------------------------------------------------------------------
def test_mixture_likelihood_is_unbounded_with_unequal_variances():
    """−ℓ → −∞ like log σ₁ = ½ log σ₁² along μ₁ = y₁, σ₁² → 0; with σ₁² = σ₂² → 0, +∞."""
    p, mu, sigma2 = 0.5, (-0.5, 4.0), (1.0, 4.0)
    y = mixtures.simulate(500, p, mu, sigma2, np.random.default_rng(3))
    sigma_1 = 10.0 ** -np.arange(4, 15, 2)
    spike = np.array([[p, y[0], mu[1], s**2, sigma2[1]] for s in sigma_1])
    values = mixtures.negloglik(spike, y)
    np.testing.assert_allclose(np.diff(values), -np.log(100), rtol=0, atol=1e-6)
    common = np.array([[p, y[0], mu[1], s**2, s**2] for s in sigma_1[:3]])
    assert np.all(np.diff(mixtures.negloglik(common, y)) > 0)


def test_label_switching_caption_says_the_data_are_not_the_running_example():
    caption = mixture_explorers.label_switching_explorer().caption
    assert "not the running example" in caption and "(0, 3)" in caption


# --- 6.5: the constrained exponential family, unbiased plug-in predictions -----------------
@pytest.mark.parametrize("seed", range(6))
def test_balanced_fit_is_the_unconstrained_one_when_feasible_else_nu_is_zero(seed):
    """Equal sizes: τ̂ = B/n and σ̂² = W/(N − n) unless B/n < W/(N − n), then ν̂ = 0."""
    rng = np.random.default_rng(seed)
    n, m = 8, 4
    sample = mixed.simulate(np.full(n, m), 1.0, [0.2, 0.6, 1.5][seed % 3], 1.0, rng)
    st = mixed.suff_stats(sample.y, sample.group)
    b = m * np.sum((st.group_mean - st.group_mean.mean()) ** 2)
    tau_free, sigma2_free = b / n, st.within_ss / (st.n_obs - n)
    fitted = mixed.fit(sample.y, sample.group)
    if tau_free >= sigma2_free:
        assert fitted.sigma2 == pytest.approx(sigma2_free, rel=1e-6)
        assert fitted.sigma2 + m * fitted.nu**2 == pytest.approx(tau_free, rel=1e-6)
    else:
        assert fitted.nu == 0


def test_plug_in_predictions_are_unbiased_but_not_a_biased_alternative():
    """Kackar & Harville (1981): even, translation-invariant variance estimates (ML's)
    leave the plug-in prediction β̂₀ + ν̂E(Z_i | y) of β₀ + νZ_i unbiased."""
    rng = np.random.default_rng(1981)
    sizes = np.array([2, 3, 5, 8, 12])
    errors, without_beta0 = [], []
    for _ in range(3000):
        sample = mixed.simulate(sizes, 2.0, 1.0, 1.5, rng)
        fitted = mixed.fit(sample.y, sample.group)
        truth = 2.0 + 1.0 * sample.z
        errors.append(fitted.beta0 + fitted.group_effects - truth)
        without_beta0.append(fitted.group_effects - truth)
    errors = np.array(errors)
    z = errors.mean(axis=0) / (errors.std(axis=0, ddof=1) / np.sqrt(len(errors)))
    assert np.all(np.abs(z) < 4), z
    # the check has teeth: forgetting β̂₀ is biased by −β₀ and is caught
    biased = np.array(without_beta0)
    assert np.all(np.abs(biased.mean(axis=0) + 2.0) < 0.2)


# --- the pages' quoted numbers ------------------------------------------------------------
def test_glue_stores_without_display_in_the_book_build_only(monkeypatch):
    import myst_nb

    from statbook._constants import BOOK_BUILD_ENV
    from statbook._glue import glue

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setenv(BOOK_BUILD_ENV, "1")
    glue("ratio", 2.5)
    assert calls == [(("ratio", 2.5), {"display": False})]
    monkeypatch.delenv(BOOK_BUILD_ENV)  # JupyterLab, Colab, the course: nothing to fill in
    glue("ratio", 3.5)
    assert len(calls) == 1
