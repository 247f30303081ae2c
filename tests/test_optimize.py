"""The R-optim-like Nelder–Mead: R's numbers on the moths, its stopping rules and errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize, rosen

from statbook import multinomial
from statbook.optimize import BIG, RELTOL, optim


def quadratic(par, centre):
    return float(np.sum((np.asarray(par) - centre) ** 2))


def test_moths_reproduce_r_optim():
    """R: optim(c(0.3, 0.3), loglik, x = c(85, 196, 341)) gives par 0.07085 0.18872,
    value 600.5 and 71 function evaluations; the seed later uses par = (0.07084643, 0.18871900)."""
    result = optim([0.3, 0.3], multinomial.moth_negloglik, multinomial.MOTH_COUNTS)
    np.testing.assert_allclose(result.par, [0.07084643, 0.18871900], atol=5e-9)
    assert round(result.value, 1) == 600.5
    assert round(result.value, 2) == 600.48
    assert result.counts == 71
    assert result.convergence == 0
    assert result.trace.shape == (71, 2)
    assert result.trace_values.shape == (71,)
    np.testing.assert_array_equal(result.trace[0], [0.3, 0.3])
    assert result.trace_values.min() == result.value


def test_start_outside_domain_raises():
    with pytest.raises(ValueError, match="cannot be evaluated at initial parameters"):
        optim([0.0, 0.0], multinomial.moth_negloglik, multinomial.MOTH_COUNTS)


def test_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        optim([1.0], quadratic, 0.0, method="BFGS")
    with pytest.raises(ValueError, match="par0"):
        optim([np.nan, 1.0], quadratic, 0.0)


def test_initial_simplex_follows_r():
    """Step 10% of the largest |x0_i|, or 0.1 at the origin; vertices x0 + step e_i."""
    result = optim([2.0, -4.0], quadratic, np.zeros(2), maxit=3)
    np.testing.assert_allclose(result.trace[:3], [[2.0, -4.0], [2.4, -4.0], [2.0, -3.6]])
    result = optim([0.0, 0.0], quadratic, np.ones(2), maxit=3)
    np.testing.assert_allclose(result.trace[:3], [[0, 0], [0.1, 0], [0, 0.1]])


def test_quadratic_converges_and_stopping_rule_holds():
    centre = np.array([1.0, -2.0, 0.5])
    result = optim(np.zeros(3), quadratic, centre, maxit=5000)
    assert result.convergence == 0
    np.testing.assert_allclose(result.par, centre, atol=1e-3)
    assert result.value < 1e-6


def test_maxit_reached_gives_code_1():
    result = optim([-1.2, 1.0], rosen, maxit=20)
    assert result.convergence == 1
    assert result.counts > 20


def test_infinite_values_push_back():
    """+inf off the domain counts as a huge value: the search stays inside."""

    def positive_only(par):
        return np.inf if np.any(par <= 0) else float(np.sum((par - 0.01) ** 2))

    result = optim([1.0, 1.0], positive_only, maxit=2000)
    assert np.all(result.trace_values[np.isfinite(result.trace_values)] < BIG)
    assert np.all(result.par > 0)
    np.testing.assert_allclose(result.par, [0.01, 0.01], atol=1e-3)


def test_agrees_with_scipy_nelder_mead_up_to_tolerance():
    """scipy's variant stops elsewhere, but both are within the tolerance of the minimum."""
    ours = optim([0.3, 0.3], multinomial.moth_negloglik, multinomial.MOTH_COUNTS)
    theirs = minimize(
        lambda p: float(multinomial.moth_negloglik(p)), [0.3, 0.3], method="Nelder-Mead"
    )
    np.testing.assert_allclose(ours.par, theirs.x, atol=1e-3)
    assert abs(ours.value - theirs.fun) < 1e-5
    assert ours.counts != theirs.nfev  # a different algorithm: another number of evaluations


def test_reltol_default_is_r_default():
    assert RELTOL == pytest.approx(1.490116e-08, rel=1e-6)


def test_best_path_never_gets_worse():
    result = optim([0.3, 0.3], multinomial.moth_negloglik, multinomial.MOTH_COUNTS)
    values = multinomial.moth_negloglik(result.best_path, multinomial.MOTH_COUNTS)
    assert np.all(np.diff(values) <= 0)
    np.testing.assert_array_equal(result.best_path[-1], result.par)
