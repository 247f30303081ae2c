"""statbook.regression: seed numbers, statsmodels and pyfixest agreement, calculus, robustness."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from statbook import _formula, regression
from statbook.datasets import load_vegetables
from statbook.explorers.regression import simple_model_explorer
from tests.test_datasets import SHARED

SIMPLE = "sale ~ np.log(normalSale)"
STORES = "sale ~ C(store) + np.log(normalSale) - 1"


@pytest.fixture(scope="module")
def vegetables() -> pd.DataFrame:
    return load_vegetables(data_dir=SHARED)


@pytest.fixture(scope="module")
def model_a(vegetables):
    return regression.poisson_glm(SIMPLE, vegetables)


@pytest.fixture(scope="module")
def model_b(vegetables):
    return regression.poisson_glm(STORES, vegetables)


@pytest.fixture(scope="module")
def design_b(vegetables):
    from formulaic import model_matrix

    return sp.csc_matrix(model_matrix(STORES, vegetables, output="sparse").rhs)


def small_problem(seed=0, n=60, p=3):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    beta = np.r_[1.0, rng.normal(scale=0.4, size=p - 1)]
    y = rng.poisson(np.exp(X @ beta))
    return X, y


# --- the seed's numbers --------------------------------------------------------------------
def test_model_a_matches_the_seed(model_a):
    assert model_a.names == ("Intercept", "np.log(normalSale)")
    np.testing.assert_allclose(model_a.coef, [1.4614403, 0.9215699], atol=5e-8)
    np.testing.assert_allclose(model_a.se, [0.0150406, 0.0049981], atol=5e-8)
    assert round(model_a.null_deviance, 2) == 51177.31
    assert model_a.df_null == 1065
    assert round(model_a.deviance, 2) == 17501.99
    assert model_a.df_residual == 1064
    assert round(model_a.aic, 2) == 22823.15
    assert model_a.method == "dense"


def test_model_b_matches_the_seed(model_b):
    assert len(model_b.coef) == 353
    assert model_b.method == "arrow"
    assert abs(model_b["np.log(normalSale)"] - 0.2024680) < 5e-8
    assert abs(model_b.se[-1] - 0.031273) < 5e-7
    for store, value in {
        "1": 2.7181969,
        "10": 4.2954085,
        "100": 3.4865918,
        "101": 3.3007071,
    }.items():
        assert abs(model_b[f"C(store)[{store}]"] - value) < 5e-8
    np.testing.assert_allclose(model_b.se[:4], [0.12756, 0.12043, 0.12426, 0.11791], atol=5e-6)
    assert round(model_b.deviance, 3) == 8584.638
    assert model_b.df_residual == 713
    assert round(model_b.aic, 2) == 14607.79


def test_campaign_factor_interpretation(model_a):
    """exp(β₀ + β₁ log x) / x = e^β₀ x^(β₁ − 1); the seed rounds e^β₀ to 4.31, β₁ − 1 to −0.08."""
    beta0, beta1 = model_a.coef
    assert round(np.exp(beta0), 2) == 4.31
    assert round(beta1 - 1, 2) == -0.08
    assert round(4.31 * 10**-0.08, 2) == 3.58
    assert round(4.31 * 100**-0.08, 2) == 2.98
    factor = np.exp(beta0) * np.array([1.0, 10.0, 100.0]) ** (beta1 - 1)
    np.testing.assert_allclose(factor, [4.3122, 3.5997, 3.0049], atol=5e-5)  # unrounded
    assert 3.5 < factor[0] < 4.5  # "roughly four-fold"


def test_deviance_trace_decreases_to_the_fit(model_a, model_b):
    for fit in (model_a, model_b):
        trace = np.array(fit.deviance_trace)
        assert np.all(np.diff(trace) <= 1e-9 * trace[0])
        assert trace[-1] == fit.deviance
        assert len(trace) == fit.n_iter + 1
        assert fit.n_iter <= 10


# --- independent implementations -----------------------------------------------------------
def test_model_b_agrees_with_statsmodels_to_1e8(model_b, design_b, vegetables):
    import statsmodels.api as sm

    glm = sm.GLM(vegetables["sale"].to_numpy(), design_b.toarray(), family=sm.families.Poisson())
    reference = glm.fit(tol=1e-12, maxiter=100, wls_method="qr")
    assert reference.converged
    np.testing.assert_allclose(model_b.coef, reference.params, rtol=1e-8, atol=0)
    np.testing.assert_allclose(model_b.se, reference.bse, rtol=1e-8, atol=0)
    assert abs(model_b.deviance - reference.deviance) < 1e-6
    assert abs(model_b.loglik - reference.llf) < 1e-6


def test_model_a_agrees_with_statsmodels(model_a, vegetables):
    import statsmodels.formula.api as smf

    reference = smf.glm(SIMPLE, vegetables, family=__import__("statsmodels").api.families.Poisson())
    result = reference.fit(tol=1e-12)
    np.testing.assert_allclose(model_a.coef, result.params, rtol=1e-8)
    np.testing.assert_allclose(model_a.se, result.bse, rtol=1e-8)
    assert abs(model_a.null_deviance - result.null_deviance) < 1e-6
    assert abs(model_a.aic - result.aic) < 1e-6


def test_model_b_slope_agrees_with_pyfixest(model_b, vegetables):
    import pyfixest as pf

    with warnings.catch_warnings():  # pyfixest's own use of pandas; not ours
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        fit = pf.fepois(
            "sale ~ np.log(normalSale) | store",
            vegetables,
            iwls_tol=1e-12,
            fixef_rm="none",  # keep the 26 single-week stores: the same model as ours
            demeaner=pf.MapDemeaner(fixef_tol=1e-12),
        )
    slope = float(fit.coef().iloc[0])
    assert abs(slope / model_b["np.log(normalSale)"] - 1) < 1e-8


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_solvers_agree_with_the_arrow(model_b, design_b, vegetables, method):
    other = regression.fit_poisson(design_b, vegetables["sale"], method=method)
    assert other.method == method
    np.testing.assert_allclose(other.coef, model_b.coef, rtol=1e-9)
    np.testing.assert_allclose(other.se, model_b.se, rtol=1e-9)


def test_arrow_found_with_columns_in_any_order(model_b, design_b, vegetables):
    order = np.random.default_rng(3).permutation(design_b.shape[1])
    fit = regression.fit_poisson(design_b[:, order], vegetables["sale"])
    assert fit.method == "arrow"
    np.testing.assert_allclose(fit.coef, model_b.coef[order], rtol=1e-9)
    np.testing.assert_allclose(fit.se, model_b.se[order], rtol=1e-9)


def test_arrow_structure_rejects_non_factor_designs():
    X = sp.csc_array(np.array([[1.0, 0.0, 2.0], [1.0, 1.0, 3.0], [0.0, 1.0, 1.0]]))
    assert regression.arrow_structure(X) is None  # row 1 has two indicators
    assert regression.arrow_structure(np.eye(3)) is None  # dense input
    with pytest.raises(ValueError, match="arrow"):
        regression.fit_poisson(X, [1, 2, 3], method="arrow")


def factor_problem(seed=0, n_levels=8, per_level=12, slopes=(0.3, -0.5), offset=0.0):
    """A simulated factor model: sparse X = [indicators | Z], its codes, Z and y."""
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(n_levels), per_level)
    Z = rng.normal(size=(codes.size, len(slopes))) + offset
    eta = rng.normal(1.0, 0.5, n_levels)[codes] + (Z - offset) @ np.asarray(slopes)
    y = rng.poisson(np.exp(eta))
    indicators = sp.csc_array((np.ones(codes.size), (np.arange(codes.size), codes)))
    return sp.hstack([indicators, sp.csc_array(Z)], format="csc"), codes, Z, y


@pytest.mark.parametrize("slopes", [(), (0.3,), (0.3, -0.5), (0.2, -0.1, 0.4)])
def test_arrow_solver_agrees_with_dense_newton(slopes):
    X, _, _, y = factor_problem(slopes=slopes)
    arrow = regression.fit_poisson(X, y)
    dense = regression.fit_poisson(X, y, method="dense")
    assert arrow.method == "arrow"
    # Both stop within tol (1 + max |β|) = 1e-10 (1 + max |β|) of the optimum.
    np.testing.assert_allclose(arrow.coef, dense.coef, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(arrow.se, dense.se, rtol=1e-9)
    assert arrow.deviance == pytest.approx(dense.deviance, rel=1e-12)


def test_factor_alone_has_the_closed_form():
    X, codes, _, y = factor_problem(slopes=())
    fit = regression.fit_poisson(X, y)
    totals, sizes = np.bincount(codes, y), np.bincount(codes)
    np.testing.assert_allclose(fit.coef, np.log(totals / sizes), rtol=1e-14)
    np.testing.assert_allclose(fit.se, 1 / np.sqrt(totals), rtol=1e-14)
    assert fit.n_iter == 0


def test_shifting_a_covariate_moves_only_the_levels():
    """η = α_k + γ z = (α_k − γ c) + γ (z + c): the slope and its standard error stay.

    The profile's Hessian is summed over z centred within each level, so a large
    offset (here 10⁴, against a spread of 1) costs no digits.
    """
    X, _, _, y = factor_problem(slopes=(0.3,))
    X_shifted = X.copy()
    X_shifted[:, [-1]] = X[:, [-1]].toarray() + 1e4
    fit, shifted = regression.fit_poisson(X, y), regression.fit_poisson(sp.csc_array(X_shifted), y)
    assert shifted.coef[-1] == pytest.approx(fit.coef[-1], rel=1e-9)
    assert shifted.se[-1] == pytest.approx(fit.se[-1], rel=1e-9)
    np.testing.assert_allclose(shifted.coef[:-1], fit.coef[:-1] - 1e4 * fit.coef[-1], rtol=1e-9)


def test_levels_far_apart_do_not_underflow():
    """Linear predictors 1000 apart: exp(z γ) of one level underflows next to another's
    unless each level is scaled by its own largest value."""
    X, codes, Z, y = factor_problem(slopes=(1.0,), n_levels=2, offset=0.0)
    Z_far = Z[:, 0] + np.where(codes == 0, 500.0, -500.0)
    X_far = sp.hstack([X[:, :2], sp.csc_array(Z_far[:, None])], format="csc")
    fit, near = regression.fit_poisson(X_far, y), regression.fit_poisson(X, y)
    assert np.all(np.isfinite(fit.coef)) and np.all(np.isfinite(fit.se))
    assert fit.coef[-1] == pytest.approx(near.coef[-1], rel=1e-9)
    assert fit.se[-1] == pytest.approx(near.se[-1], rel=1e-9)


def test_collinear_covariates_in_the_arrow_solver():
    X, _, Z, y = factor_problem(slopes=(0.3, -0.5))
    collinear = sp.hstack([X, sp.csc_array(Z @ [[2.0], [-1.0]])], format="csc")
    with pytest.raises(ValueError, match="full column rank"):
        regression.fit_poisson(collinear, y)


def test_arrow_structure_with_32_and_64_bit_indices():
    X, codes, _, _ = factor_problem()
    for index_type in (np.int32, np.int64):
        X.indices, X.indptr = X.indices.astype(index_type), X.indptr.astype(index_type)
        factor_columns, other_columns, found = regression.arrow_structure(X)
        np.testing.assert_array_equal(factor_columns, np.arange(8))
        np.testing.assert_array_equal(found, codes)
        np.testing.assert_array_equal(other_columns, [8, 9])


# --- the exponential family: formulas checked numerically ---------------------------------
def test_sufficient_statistic_and_negloglik_against_scipy():
    from scipy.stats import poisson

    X, y = small_problem()
    stats = regression.suff_stats(X, y)
    np.testing.assert_allclose(stats.t, X.T @ y)
    beta = np.array([0.8, 0.1, -0.2])
    expected = -poisson.logpmf(y, np.exp(X @ beta)).sum()
    assert abs(regression.negloglik(beta, stats) - expected) < 1e-9 * expected
    mu = np.exp(X @ beta)
    dev = 2 * np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0) - (y - mu))
    assert abs(regression.deviance(beta, stats) - dev) < 1e-9 * dev


def test_negloglik_is_vectorized_over_a_grid():
    X, y = small_problem()
    stats = regression.suff_stats(X, y)
    grid = np.random.default_rng(1).normal(size=(4, 5, 3))
    values = regression.negloglik(grid, stats)
    assert values.shape == (4, 5)
    loop = [[regression.negloglik(b, stats) for b in row] for row in grid]
    np.testing.assert_allclose(values, loop, rtol=1e-12)


def test_blocks_of_a_large_grid_give_the_same_values(monkeypatch):
    X, y = small_problem()
    stats = regression.suff_stats(X, y)
    grid = np.random.default_rng(2).normal(size=(50, 3))
    whole = regression.negloglik(grid, stats)
    monkeypatch.setattr(regression, "_BLOCK", 7 * X.shape[0])
    np.testing.assert_allclose(regression.negloglik(grid, stats), whole, rtol=1e-14)


@pytest.mark.parametrize("sparse", [False, True])
def test_gradient_and_hessian_by_finite_differences(sparse):
    X, y = small_problem(seed=4)
    stats = regression.suff_stats(sp.csc_array(X) if sparse else X, y)
    beta = np.array([0.9, 0.2, -0.3])
    h = 1e-6
    eye = np.eye(3)
    numeric_grad = [
        (regression.negloglik(beta + h * e, stats) - regression.negloglik(beta - h * e, stats))
        / (2 * h)
        for e in eye
    ]
    np.testing.assert_allclose(regression.grad(beta, stats), numeric_grad, rtol=1e-6, atol=1e-5)
    numeric_hess = np.column_stack(
        [
            (regression.grad(beta + h * e, stats) - regression.grad(beta - h * e, stats)) / (2 * h)
            for e in eye
        ]
    )
    hess = regression.hessian(beta, stats)
    hess = hess.toarray() if sparse else hess
    np.testing.assert_allclose(hess, numeric_hess, rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(hess, X.T @ np.diag(np.exp(X @ beta)) @ X, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_hessian_is_positive_semidefinite(beta):
    X, y = small_problem(seed=5)
    stats = regression.suff_stats(X, y)
    assert np.linalg.eigvalsh(regression.hessian(np.array(beta), stats)).min() > -1e-9


def test_gradient_vanishes_at_the_fit():
    X, y = small_problem(seed=6)
    fit = regression.fit_poisson(X, y)
    stats = regression.suff_stats(X, y)
    assert np.max(np.abs(regression.grad(fit.coef, stats))) < 1e-8 * np.abs(stats.t).max()


def test_store_totals_are_matched_at_the_mle(model_b, design_b, vegetables):
    """The score equations for the store effects say: fitted total = observed total per store."""
    fitted = np.exp(design_b @ model_b.coef)
    sale = vegetables["sale"].to_numpy()
    np.testing.assert_allclose(design_b.T @ fitted, design_b.T @ sale, rtol=1e-9)


# --- robustness ----------------------------------------------------------------------------
def test_huge_parameters_give_inf_without_warnings():
    X, y = small_problem()
    stats = regression.suff_stats(X, y)
    values = regression.negloglik(np.array([[1e6, 0, 0], [0.5, 0, 0]]), stats)
    assert values[0] == np.inf and np.isfinite(values[1])


def test_a_store_without_sales_is_named(vegetables):
    data = vegetables.copy()
    data.loc[data["store"] == "17", "sale"] = 0
    with pytest.raises(regression.NoFiniteMLEError, match=r"C\(store\)\[17\]"):
        regression.poisson_glm(STORES, data)


def test_all_zero_store_in_the_simulated_factor_model():
    codes = np.repeat(np.arange(4), 5)
    X = sp.csc_array(
        sp.hstack([sp.csc_array((np.ones(20), (np.arange(20), codes))), np.ones((20, 1))])
    )
    y = np.arange(20) % 3 + 1
    y[codes == 2] = 0
    with pytest.raises(regression.NoFiniteMLEError, match="'x2'"):
        regression.fit_poisson(X[:, [0, 1, 2, 3]], y)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("sale", np.nan, "'sale' has a missing value"),
        ("sale", -3, "sale must be non-negative"),
        ("sale", 2.5, "sale must be whole"),
        ("normalSale", 0.0, "'normalSale' is logged"),
        ("normalSale", -1.0, "'normalSale' is logged"),
        ("normalSale", np.nan, "'normalSale' has a missing value"),
    ],
)
def test_bad_data_names_the_column(vegetables, column, value, message):
    data = vegetables.copy()
    data[column] = data[column].astype(float)
    data.loc[5, column] = value
    with pytest.raises(ValueError, match=message):
        regression.poisson_glm(SIMPLE, data)


def test_missing_store_is_named(vegetables):
    data = vegetables.copy()
    data.loc[3, "store"] = np.nan
    with pytest.raises(ValueError, match="'store' has a missing value"):
        regression.poisson_glm(STORES, data)


def test_mismatched_lengths_name_the_column():
    with pytest.raises(ValueError, match="column 'normalSale' has 2 values"):
        regression.poisson_glm(SIMPLE, {"sale": [1, 2, 3], "normalSale": [1.0, 2.0]})
    with pytest.raises(ValueError, match="y has 2 values but X has 3 rows"):
        regression.fit_poisson(np.ones((3, 1)), [1, 2])
    with pytest.raises(ValueError, match="names has 1 entries"):
        regression.fit_poisson(np.ones((3, 2)), [1, 2, 3], names=["a"])


def test_unknown_column_and_rank_deficiency():
    with pytest.raises(ValueError, match="'normalSale' is not in the data"):
        regression.poisson_glm(SIMPLE, {"sale": [1, 2, 3]})
    X = np.column_stack([np.ones(4), np.ones(4)])
    with pytest.raises(ValueError, match="full column rank"):
        regression.fit_poisson(X, [1, 2, 3, 4])


@pytest.mark.parametrize("redundant", ["constant", "level"])
def test_rank_deficiency_in_the_arrow_solver(redundant):
    codes = np.repeat([0, 1, 2], 2)
    X = np.zeros((6, 4))
    X[np.arange(6), codes] = 1.0
    # A constant column is a multiple of the sum of the indicators; the other is a multiple
    # of one indicator.  (A column of ones would itself look like a factor level.)
    X[:, 3] = 3.0 if redundant == "constant" else 2.0 * X[:, 0]
    with pytest.raises(ValueError, match="full column rank"):
        regression.fit_poisson(sp.csc_array(X), [1, 2, 3, 4, 5, 6], method="arrow")


def test_non_finite_design_is_rejected():
    with pytest.raises(ValueError, match="X must be finite"):
        regression.fit_poisson(np.array([[1.0], [np.nan]]), [1, 2])


# --- the explorer --------------------------------------------------------------------------
def test_explorer_sliders_at_their_extremes(vegetables):
    explorer = simple_model_explorer(vegetables)
    for beta0 in (0.4, 2.6):
        for beta1 in (0.55, 1.25):
            explorer.set(beta0=beta0, beta1=beta1)
    assert explorer.redraws >= 4
    assert explorer.last_error is None


# --- the formula path builds formulaic's model matrix ------------------------------------------
@pytest.mark.parametrize(
    "formula",
    [
        "y ~ C(s) + x - 1",
        "y ~ s + x - 1",
        "y ~ x + C(t) + 0",
        "y ~ C(k) + x - 1",
        "y ~ x + np.log(x) + C(t) - 1",
        "y ~ C(t) + x + x:np.log(x) - 1",
        "y ~ C(t) - 1",
        "y ~ np.exp(x) + C(s) + np.sqrt(k) - 1",
        "y ~ center(x) + C(s) - 1",
    ],
)
def test_factor_plus_numeric_matrix_is_formulaics(formula):
    from formulaic import Formula, model_matrix

    rng = np.random.default_rng(0)
    n = 40
    data = pd.DataFrame(
        {
            "y": rng.poisson(3, n),
            "s": pd.Categorical(rng.choice(list("bac"), n), categories=["c", "b", "a", "d"]),
            "t": rng.choice(["x", "y", "z"], n),
            "x": np.abs(rng.normal(size=n)) + 0.1,
            "k": rng.integers(1, 4, n),
        }
    )
    parsed = Formula(formula)
    X, names = _formula._factor_plus_numeric_matrix(parsed, data)
    theirs = model_matrix(parsed.rhs, data, output="sparse")
    assert names == tuple(theirs.model_spec.column_names)
    assert abs(X - sp.csc_matrix(theirs)).max() == 0


@pytest.mark.parametrize("formula", ["y ~ C(t) + x", "y ~ C(t):x - 1", "y ~ C(t) + C(s) - 1"])
def test_other_formulas_take_formulaics_general_path(formula):
    from formulaic import Formula

    data = pd.DataFrame({"y": [1, 2, 3, 4], "t": list("abab"), "s": list("xxyy"), "x": [1.0] * 4})
    assert _formula._factor_plus_numeric_matrix(Formula(formula), data) is None


def test_formula_path_reproduces_the_store_model(model_b, design_b, vegetables):
    direct = regression.fit_poisson(
        design_b, vegetables["sale"], names=model_b.names, method="arrow"
    )
    np.testing.assert_allclose(model_b.coef, direct.coef, rtol=1e-12)
    np.testing.assert_allclose(model_b.se, direct.se, rtol=1e-12)


def _factor_data(n=40):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "y": rng.poisson(3, n),
            "s": pd.Categorical(rng.choice(list("bac"), n)),
            "k": rng.integers(1, 4, n),
            "x": np.abs(rng.normal(size=n)) + 0.1,
        }
    )


@pytest.mark.parametrize("formula", ["y ~ C(s) + C(s):C(k) - 1", "y ~ C(s) + C(k):x - 1"])
def test_a_category_in_another_term_is_coded_as_formulaic_codes_it(formula):
    """formulaic codes C(k) in C(s):C(k) by the whole formula (reduced beside C(s)); built
    apart from C(s) it was coded in full: 12 columns for 9, and a rank-deficient fit."""
    from formulaic import Formula

    data = _factor_data()
    theirs = Formula(formula).rhs.get_model_matrix(data, output="sparse")
    fit = regression.poisson_glm(formula, data)
    assert fit.names == tuple(theirs.model_spec.column_names)
    reference = regression.fit_poisson(sp.csc_array(theirs), data["y"], names=fit.names)
    np.testing.assert_allclose(fit.coef, reference.coef, rtol=1e-12)


def test_a_formula_with_parts_is_refused_by_name():
    with pytest.raises(ValueError, match="one right-hand side"):
        regression.poisson_glm("y ~ x | k", _factor_data())  # was an AttributeError


def test_a_logged_column_inside_another_call_must_be_positive():
    data = _factor_data()
    data.loc[3, "x"] = 0.0
    with pytest.raises(ValueError, match="'x' is logged"):
        regression.poisson_glm("y ~ C(s) + I(np.log(x) ** 2) - 1", data)


def test_the_statistics_are_p_plus_four_numbers_beside_the_design_and_the_counts():
    from scipy.special import gammaln, xlogy

    X, y = small_problem(n=200)
    problem = regression.suff_stats(X, y)
    stats = problem.stats
    assert isinstance(stats, regression.PoissonRegStats)
    assert stats._fields == ("t", "n", "log_factorials", "y_log_y", "remainder")
    assert stats.t.shape == (X.shape[1],) and stats.n == y.size
    assert stats.log_factorials == pytest.approx(gammaln(y + 1.0).sum(), rel=1e-13)
    assert stats.y_log_y == pytest.approx((xlogy(y, y) - y).sum(), rel=1e-13)
    assert stats.remainder == pytest.approx(stats.log_factorials - stats.y_log_y, rel=1e-12)
    np.testing.assert_array_equal(problem.X, X)  # the design: the model
    np.testing.assert_array_equal(problem.y, y)  # the counts: for the careful fallback only
    # away from cancellation −ℓ is read off the statistics and the design alone
    beta = np.array([0.8, 0.1, -0.2])
    from_statistics = np.exp(X @ beta).sum() - beta @ stats.t + stats.log_factorials
    assert regression.negloglik(beta, problem) == pytest.approx(from_statistics, rel=1e-14)
