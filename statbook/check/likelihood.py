"""Checks for the coding exercises of section 6.1 (chapters/likelihood.md).

- likelihood-ex-2: ``poisson_negloglik(mu, y)``, compared with :mod:`statbook.poisson`;
- likelihood-ex-4: ``gaussian_negloglik_canonical(theta, y)``, compared with
  :mod:`statbook.gaussian`.

Both are called on several data sets and parameter values, on arrays of
parameters, and off the parameter space (where −ℓ is +inf).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from statbook.check._framework import Case, Mistake
from statbook.check._library import library
from statbook.check._runner import Exercise, Part

_COUNTS = {
    "y = [2, 0, 3, 1]": np.array([2, 0, 3, 1]),
    "y = [7, 12, 9, 10, 8, 11]": np.array([7, 12, 9, 10, 8, 11]),
}
_REALS = {
    "y = [1.2, -0.4, 2.5]": np.array([1.2, -0.4, 2.5]),
    "50 values around 100": np.random.default_rng(63).normal(100.0, 3.0, size=50),
}


def _poisson_reference(mu, y):
    poisson = library("poisson")
    return poisson.negloglik(mu, poisson.suff_stats(y))


def _poisson_constant_misread(mu, y):
    """−ℓ with the constant Σ log(y_i!) misread as N times log(ȳ!)."""
    y = np.asarray(y)
    return _poisson_reference(mu, y) - gammaln(y + 1.0).sum() + y.size * gammaln(y.mean() + 1.0)


def _poisson_n_for_sum(mu, y):
    """−ℓ with N log μ where the sufficient statistic Σ y_i log μ belongs."""
    y, mu = np.asarray(y), np.asarray(mu, dtype=float)
    return _poisson_reference(mu, y) + (y.sum() - y.size) * np.log(np.where(mu > 0, mu, 1.0))


def _poisson_off_by_one(mu, y):
    """−ℓ with log((y_i − 1)!) (``gammaln(y)``) for the constant log(y_i!)."""
    y = np.asarray(y)
    with np.errstate(divide="ignore"):
        return _poisson_reference(mu, y) - gammaln(y + 1.0).sum() + gammaln(y).sum()


def _gaussian_reference(theta, y):
    gaussian = library("gaussian")
    return gaussian.negloglik_canonical(theta, gaussian.suff_stats(y))


def _rows_as_components(theta, y):
    theta = np.asarray(theta, dtype=float)
    if theta.ndim < 2:
        raise ValueError("the same as the right answer for a single θ")
    return _gaussian_reference(np.stack([theta[0], theta[1]], axis=-1), y)


_SMALL_COUNTS, _SMALL_REALS = _COUNTS["y = [2, 0, 3, 1]"], _REALS["y = [1.2, -0.4, 2.5]"]
_THETA_SHAPE_HINT = "θ has shape (..., 2): take θ₁ = theta[..., 0] and θ₂ = theta[..., 1]."

EXERCISES = (
    Exercise(
        "likelihood-ex-2",
        "your Poisson negative log-likelihood",
        Part(
            "poisson_negloglik(mu, y)",
            _poisson_reference,
            [
                *(
                    Case((mu, y), f"μ = {mu}, {name}", group=name)
                    for name, y in _COUNTS.items()
                    for mu in (0.5, 1.5, 9.0)
                ),
                Case((np.array([[0.5, 2.0], [3.0, 4.5]]), _SMALL_COUNTS), "μ of shape (2, 2)"),
                Case((np.array([-1.0, 0.0, 2.0]), _SMALL_COUNTS), "μ = [-1, 0, 2]"),
            ],
            mistakes=(
                Mistake(
                    "the constant written as N·log(ȳ!) instead of Σ log(y_i!)",
                    _poisson_constant_misread,
                    "The constant is the sum of log(y_i!) over the observations.",
                ),
                Mistake(
                    "N·log μ instead of (Σ y_i)·log μ",
                    _poisson_n_for_sum,
                    "The term with log μ carries the sufficient statistic: each y_i log μ, summed.",
                ),
                Mistake(
                    "log((y_i − 1)!) instead of log(y_i!)",
                    _poisson_off_by_one,
                    "gammaln(k) is log((k − 1)!): log(y!) is gammaln(y + 1).",
                ),
            ),
            offset_hint="Did you drop the constant Σ log(y_i!)? It does not move the "
            "minimizer, but the exercise asks for it (scipy.special.gammaln(y + 1) is log(y!)).",
            sign_hint="−ℓ is minus the log-likelihood Σ (y_i log μ − μ − log y_i!).",
            scale_hint="Does every term carry its factor: μ once per observation?",
        ),
    ),
    Exercise(
        "likelihood-ex-4",
        "the Gaussian −ℓ(θ) in the canonical parametrization",
        Part(
            "gaussian_negloglik_canonical(theta, y)",
            _gaussian_reference,
            [
                *(
                    Case((np.array(theta), y), f"θ = {theta}, {name}", group=name)
                    for name, y in _REALS.items()
                    for theta in ([0.5, 0.25], [-1.0, 2.0], [11.0, 0.05])
                ),
                Case((np.array([[0.5, 0.25], [1.0, 1.0]]), _SMALL_REALS), "θ of shape (2, 2)"),
                Case((np.array([[0.5, -1.0], [1.0, 0.0]]), _SMALL_REALS), "θ₂ ≤ 0"),
            ],
            mistakes=(
                Mistake(
                    "θ₁, θ₂ taken as theta[0], theta[1] (the rows of a grid)",
                    _rows_as_components,
                    _THETA_SHAPE_HINT,
                ),
            ),
            offset_hint="Is the constant (N/2)·log π there?",
            sign_hint="This is ℓ, not −ℓ: flip every sign.",
            shape_hint=_THETA_SHAPE_HINT,
        ),
    ),
)
