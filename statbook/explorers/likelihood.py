"""Explorers for section 6.1: one likelihood, two parametrizations, side by side."""

from __future__ import annotations

import numpy as np

from statbook import gaussian, vonmises
from statbook.plotting import contour_negloglik, parameter_grid
from statbook.widgets import Explorer, Slider

GRID = 200
MARGINS = {"left": 0.07, "right": 0.98, "bottom": 0.14, "top": 0.86, "wspace": 0.25}
SAMPLE_SIZES = (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def _sample_size_slider(static):
    return Slider("n", "sample size N", SAMPLE_SIZES, 100, static, fmt="{:d}")


def draw_vonmises(fig, *, kappa: float, mu: float, n: int, seed: int = 1) -> None:
    """−ℓ over the canonical θ-plane (convex) and the polar (κ, μ)-plane (not convex).

    Data are n draws from von Mises(κ, μ) made by a generator seeded with ``seed``.
    """
    y = vonmises.simulate(int(n), kappa, mu, np.random.default_rng(seed))
    stats = vonmises.suff_stats(y)
    theta_hat = vonmises.mle(stats)
    kappa_hat, mu_hat = vonmises.canonical_to_polar(theta_hat)
    half_width = 1.6 * max(kappa, kappa_hat, 1.0)
    theta_axis = np.linspace(-half_width, half_width, GRID)
    kappa_axis = np.linspace(0, half_width, GRID)
    mu_axis = np.linspace(-np.pi, np.pi, GRID + 1)[1:]  # the parameter space is (−π, π]

    left, right = fig.subplots(1, 2, gridspec_kw=MARGINS)
    contour_negloglik(
        left,
        theta_axis,
        theta_axis,
        vonmises.negloglik(parameter_grid(theta_axis, theta_axis), stats),
        minimum=theta_hat,
        truth=vonmises.polar_to_canonical([kappa, mu]),
        xlabel="θ₁",
        ylabel="θ₂",
        title="canonical θ: convex",
    )
    left.set_aspect("equal")
    contour_negloglik(
        right,
        kappa_axis,
        mu_axis,
        vonmises.negloglik_polar(parameter_grid(kappa_axis, mu_axis), stats),
        minimum=(kappa_hat, mu_hat),
        truth=(kappa, mu),
        xlabel="κ",
        ylabel="μ",
        title="polar (κ, μ): not convex",
    )
    fig.suptitle(f"von Mises, N = {int(n)}: −ℓ minus its minimum", fontsize="medium")


def vonmises_explorer() -> Explorer:
    """Sliders for the true κ, μ and the sample size N; both surfaces redraw."""
    return Explorer(
        draw_vonmises,
        [
            Slider(
                "kappa",
                "true κ",
                tuple(np.round(np.arange(0, 10.01, 0.25), 2)),
                2.0,
                (0.0, 0.5, 2.0, 4.0),  # down to κ = 0, where μ stops mattering
            ),
            Slider(
                "mu", "true μ", tuple(np.round(np.arange(-3, 3.01, 0.25), 2)), 1.0, (-2.0, 1.0, 2.5)
            ),
            _sample_size_slider((10, 100, 1000)),
        ],
        caption=(
            "Von Mises negative log-likelihood for simulated data in the canonical "
            "parametrization θ (left) and the polar parametrization (κ, μ) (right). "
            "The cross marks the maximum-likelihood estimate, the circle the true parameter."
        ),
        alt=(
            "Two contour plots of the same von Mises negative log-likelihood: nested ovals "
            "in the θ-plane, bent banana-shaped contours in the (κ, μ)-plane."
        ),
    )


def draw_gaussian(fig, *, mu: float, sigma2: float, n: int, seed: int = 1) -> None:
    """−ℓ over (μ, σ²) (not convex; the region where it is not is shaded) and over θ (convex)."""
    y = gaussian.simulate(int(n), mu, sigma2, np.random.default_rng(seed))
    stats = gaussian.suff_stats(y)
    mu_hat, sigma2_hat = gaussian.mle(stats)
    theta_hat = gaussian.to_canonical([mu_hat, sigma2_hat])
    sd = np.sqrt(sigma2_hat)
    mu_axis = np.linspace(mu_hat - 2 * sd, mu_hat + 2 * sd, GRID)
    var_axis = np.linspace(0.05 * sigma2_hat, 5 * sigma2_hat, GRID)
    t1_axis = np.linspace(theta_hat[0] - 2 / sd, theta_hat[0] + 2 / sd, GRID)
    t2_axis = np.linspace(0.05 * theta_hat[1], 3 * theta_hat[1], GRID)

    left, right = fig.subplots(1, 2, gridspec_kw=MARGINS)
    grid = parameter_grid(mu_axis, var_axis)
    contour_negloglik(
        left,
        mu_axis,
        var_axis,
        gaussian.negloglik(grid, stats),
        minimum=(mu_hat, sigma2_hat),
        truth=(mu, sigma2),
        xlabel="μ",
        ylabel="σ²",
        title="(μ, σ²): not convex (shaded where not)",
    )
    smallest_eigenvalue = np.linalg.eigvalsh(gaussian.hessian(grid, stats))[..., 0]
    left.contourf(
        mu_axis,
        var_axis,
        smallest_eigenvalue < 0,
        levels=[0.5, 1.5],
        colors=["tab:orange"],
        alpha=0.2,
    )
    contour_negloglik(
        right,
        t1_axis,
        t2_axis,
        gaussian.negloglik_canonical(parameter_grid(t1_axis, t2_axis), stats),
        minimum=theta_hat,
        truth=gaussian.to_canonical([mu, sigma2]),
        xlabel="θ₁ = μ/σ²",
        ylabel="θ₂ = 1/(2σ²)",
        title="canonical θ: convex",
    )
    fig.suptitle(f"Gaussian, N = {int(n)}: −ℓ minus its minimum", fontsize="medium")


def gaussian_explorer() -> Explorer:
    """Sliders for the true μ, σ² and the sample size N; both surfaces redraw."""
    return Explorer(
        draw_gaussian,
        [
            Slider(
                "mu", "true μ", tuple(np.round(np.arange(-5, 5.01, 0.5), 2)), 1.0, (-2.0, 1.0, 4.0)
            ),
            Slider(
                "sigma2",
                "true σ²",
                (0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 100.0),
                1.0,
                (0.25, 1.0, 4.0),
            ),
            _sample_size_slider((10, 100, 1000)),
        ],
        caption=(
            "Gaussian negative log-likelihood for simulated data in the mean–variance "
            "parametrization (left; shaded where the Hessian has a negative eigenvalue) and "
            "in the canonical parametrization (right). The cross marks the estimate, the "
            "circle the true parameter."
        ),
        alt=(
            "Two contour plots of the same Gaussian negative log-likelihood: in (μ, σ²) the "
            "contours open up towards large σ² inside a shaded non-convex region; in θ they "
            "are closed convex curves."
        ),
    )
