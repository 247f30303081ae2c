"""Checks for the coding exercises of section 6.4 (chapters/mixtures.md).

- mixtures-ex-2: ``mixture_log_density(y, p, mu, sigma)``, compared with
  ``statbook.mixtures.log_density``, including points where the density underflows;
- mixtures-ex-4: ``decision_boundary(p, mu, sigma)``, compared with the point where
  ``statbook.mixtures.posterior`` equals 1/2 (found by a root finder).

Parameters follow the book: weight ``p`` of component 1, ``mu = (μ₁, μ₂)`` and
``sigma = (σ₁, σ₂)`` (standard deviations).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.stats import norm

from statbook.check._framework import Case, Mistake
from statbook.check._library import library
from statbook.check._runner import Exercise, Part

_Y = np.array([-200.0, -3.0, 0.0, 1.75, 4.0, 200.0])


def _log_density(y, p, mu, sigma):
    return library("mixtures").log_density(y, p, mu, sigma)


def log_of_sum(y, p, mu, sigma):
    """The naive log(p φ₁ + (1 − p) φ₂), which underflows to −∞ far from both means."""
    with np.errstate(divide="ignore"):
        return np.log(p * norm.pdf(y, mu[0], sigma[0]) + (1 - p) * norm.pdf(y, mu[1], sigma[1]))


def _boundary(p, mu, sigma):
    posterior = library("mixtures").posterior

    def first_minus_half(y):
        return posterior(y, p, mu, (sigma, sigma))[..., 0] - 0.5

    span = 50 * sigma + abs(mu[1] - mu[0]) * (1 + abs(np.log(p / (1 - p))))
    return brentq(first_minus_half, mu[0] - span, mu[1] + span, xtol=1e-14, rtol=1e-14)


EXERCISES = (
    Exercise(
        "mixtures-ex-2",
        "the log density of a Gaussian mixture",
        Part(
            "mixture_log_density(y, p, mu, sigma)",
            _log_density,
            [
                Case((_Y, p, np.array(mu), np.array(sigma)), f"y = [-200, ..., 200], {name}")
                for p, mu, sigma, name in [
                    (0.5, (-0.5, 4.0), (1.0, 2.0), "p = 0.5, μ = (−0.5, 4), σ = (1, 2)"),
                    (0.2, (1.0, 1.0), (0.5, 3.0), "p = 0.2, μ = (1, 1), σ = (0.5, 3)"),
                    (0.5, (-0.5, 4.0), (1e-3, 1e-3), "p = 0.5, μ = (−0.5, 4), σ = (0.001, 0.001)"),
                ]
            ],
            mistakes=[
                Mistake(
                    "the weights swapped",
                    lambda y, p, mu, sigma: _log_density(y, 1 - p, mu, sigma),
                    "p is the weight of component 1, the one with μ₁ and σ₁.",
                ),
                Mistake(
                    "sigma used as a variance",
                    lambda y, p, mu, sigma: _log_density(y, p, mu, np.sqrt(sigma)),
                    "sigma holds standard deviations, as scipy.stats.norm expects them.",
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
            "decision_boundary(p, mu, sigma)",
            _boundary,
            [
                Case((p, np.array(mu), sigma), f"p = {p}, μ = {mu}, σ = {sigma}")
                for p, mu, sigma in [
                    (0.3, (0.0, 3.0), 1.2),
                    (0.5, (-1.0, 1.0), 0.7),
                    (0.9, (2.0, 10.0), 2.5),
                ]
            ],
            mistakes=[
                Mistake(
                    "the log-odds with the wrong sign",
                    lambda p, mu, sigma: _boundary(1 - p, mu, sigma),
                    "A larger weight on component 1 moves the boundary towards component 2.",
                ),
                Mistake(
                    "σ where the formula has σ²",
                    lambda p, mu, sigma: _boundary(p, mu, np.sqrt(sigma)),
                    "The shift from the midpoint scales with the variance σ², not with σ.",
                ),
            ],
            sign_hint="Check the sign of each term.",
            rtol=1e-8,
        ),
    ),
)
