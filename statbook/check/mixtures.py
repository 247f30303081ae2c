"""Checks for the coding exercises of section 6.4 (chapters/mixtures.md).

- mixtures-ex-2: ``mixture_log_density(y, p, mu, sigma2)``, compared with
  ``statbook.mixtures.log_density``, including points where the density underflows;
- mixtures-ex-4: ``decision_boundary(p, mu, sigma2)``, compared with the point where
  ``statbook.mixtures.posterior`` equals 1/2 (found by a root finder).

Parameters follow the book: weight ``p`` of component 1, ``mu = (μ₁, μ₂)`` and
``sigma2 = (σ₁², σ₂²)`` (variances; in mixtures-ex-4 one common variance σ²).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

from statbook.check._framework import Case, Mistake
from statbook.check._library import library
from statbook.check._runner import Exercise, Part

_Y = np.array([-200.0, -3.0, 0.0, 1.75, 4.0, 200.0])


def _log_density(y, p, mu, sigma2):
    return library("mixtures").log_density(y, p, mu, sigma2)


def log_of_sum(y, p, mu, sigma2):
    """The naive log(p φ₁ + (1 − p) φ₂), which underflows to −∞ far from both means."""
    sd = np.sqrt(sigma2)
    with np.errstate(divide="ignore"):
        return np.log(p * norm.pdf(y, mu[0], sd[0]) + (1 - p) * norm.pdf(y, mu[1], sd[1]))


def _boundary(p, mu, sigma2):
    posterior = library("mixtures").posterior

    def first_minus_half(y):
        return posterior(y, p, mu, (sigma2, sigma2))[..., 0] - 0.5

    span = 50 * np.sqrt(sigma2) + abs(mu[1] - mu[0]) * (1 + abs(np.log(p / (1 - p))))
    return brentq(first_minus_half, mu[0] - span, mu[1] + span, xtol=1e-14, rtol=1e-14)


EXERCISES = (
    Exercise(
        "mixtures-ex-2",
        "the log density of a Gaussian mixture",
        Part(
            "mixture_log_density(y, p, mu, sigma2)",
            _log_density,
            [
                Case((_Y, p, np.array(mu), np.array(sigma2)), f"y = [-200, ..., 200], {name}")
                for p, mu, sigma2, name in [
                    (0.5, (-0.5, 4.0), (1.0, 4.0), "p = 0.5, μ = (−0.5, 4), σ² = (1, 4)"),
                    (0.2, (1.0, 1.0), (0.25, 9.0), "p = 0.2, μ = (1, 1), σ² = (0.25, 9)"),
                    (0.5, (-0.5, 4.0), (1e-6, 1e-6), "p = 0.5, μ = (−0.5, 4), σ² = (1e-6, 1e-6)"),
                ]
            ],
            mistakes=[
                Mistake(
                    "the weights swapped",
                    lambda y, p, mu, sigma2: _log_density(y, 1 - p, mu, sigma2),
                    "p is the weight of component 1, the one with μ₁ and σ₁².",
                ),
                Mistake(
                    "the variance σ² passed as a standard deviation",
                    lambda y, p, mu, sigma2: _log_density(y, p, mu, np.square(sigma2)),
                    "sigma2 holds variances; scipy.stats.norm takes the standard deviation "
                    "√σ², np.sqrt(sigma2[k]).",
                ),
                Mistake(
                    "the log of the sum of the two densities, which underflows to −∞",
                    log_of_sum,
                    "Far from both means each density underflows to 0 and its log to −∞: add "
                    "the two log terms with np.logaddexp instead of taking the log of a sum.",
                ),
            ],
            shape_hint="Return one value per point of y.",
        ),
    ),
    Exercise(
        "mixtures-ex-4",
        "the decision boundary of a two-component mixture",
        Part(
            "decision_boundary(p, mu, sigma2)",
            _boundary,
            [
                Case((p, np.array(mu), sigma2), f"p = {p}, μ = {mu}, σ² = {sigma2}")
                for p, mu, sigma2 in [
                    (0.3, (0.0, 3.0), 1.44),
                    (0.5, (-1.0, 1.0), 0.49),
                    (0.9, (2.0, 10.0), 6.25),
                ]
            ],
            mistakes=[
                Mistake(
                    "the log-odds with the wrong sign",
                    lambda p, mu, sigma2: _boundary(1 - p, mu, sigma2),
                    "A larger weight on component 1 moves the boundary towards component 2.",
                ),
                Mistake(
                    "σ where the formula has σ²",
                    lambda p, mu, sigma2: _boundary(p, mu, np.sqrt(sigma2)),
                    "The shift from the midpoint scales with the variance σ², not with σ.",
                ),
                Mistake(
                    "σ² squared again",
                    lambda p, mu, sigma2: _boundary(p, mu, np.square(sigma2)),
                    "sigma2 is already the variance σ²: use it as it is, without squaring.",
                ),
            ],
            sign_hint="Check the sign of each term.",
            rtol=1e-8,
        ),
    ),
)
