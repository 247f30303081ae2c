"""Explorers for section 6.1: one likelihood, two parametrizations, side by side."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from statbook import gaussian, vonmises
from statbook.livefigure import Scene, panels, snap_up
from statbook.plotting import LiveContours, estimate_markers, parameter_grid
from statbook.widgets import Explorer, Slider

GRID = 120  # contour lines through 120 × 120 points are smooth at the drawn size
# Inches above the panels (the figure's title, then each panel's) and below them.
MARGINS = {"top": 0.6, "bottom": 0.55}
WIDE, PHONE = (8.5, 3.6), (4.25, 7.0)  # inches at 80 dpi: 680 and 340 px wide
SAMPLE_SIZES = (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def _sample_size_slider(static):
    return Slider("n", "sample size N", SAMPLE_SIZES, 100, static, fmt="{:d}")


def _surface_axes(ax, *, xlabel: str, ylabel: str, title: str):
    """Labels, title and the (empty) contours, estimate and truth markers of one −ℓ panel.

    At most six ticks per axis: enough to read a value off, and fewer labels to
    draw each time a slider moves the axes.
    """
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    return LiveContours(ax), *estimate_markers(ax)


class VonMisesScene(Scene):
    """−ℓ over the canonical θ-plane (convex) and the polar (κ, μ)-plane (not convex).

    Data are n draws from von Mises(κ, μ) made by a generator seeded with ``seed``.
    The θ-window is ±h with h = 1.6·max(κ, κ̂, 1) snapped up to a round number.
    """

    def __init__(self, figure, layout):
        super().__init__(figure)
        self.left, self.right = panels(figure, layout, 2, **MARGINS)
        self.left_contours, *self.left_markers = _surface_axes(
            self.left, xlabel="θ₁", ylabel="θ₂", title="canonical θ: convex"
        )
        self.right_contours, *self.right_markers = _surface_axes(
            self.right, xlabel="κ", ylabel="μ", title="polar (κ, μ): not convex"
        )
        for artists in (self.left_contours.artists, self.right_contours.artists):
            self.live(artists)
        self.live([*self.left_markers, *self.right_markers])
        self.title = self.live(figure.suptitle("", fontsize="medium"))

    def update(self, *, kappa: float, mu: float, n: int, seed: int = 1) -> None:
        y = vonmises.simulate(int(n), kappa, mu, np.random.default_rng(seed))
        stats = vonmises.suff_stats(y)
        theta_hat = vonmises.mle(stats)
        kappa_hat, mu_hat = vonmises.canonical_to_polar(theta_hat)
        half_width = snap_up(1.6 * max(kappa, kappa_hat, 1.0))
        theta_axis = np.linspace(-half_width, half_width, GRID)
        kappa_axis = np.linspace(0, half_width, GRID)
        mu_axis = np.linspace(-np.pi, np.pi, GRID + 1)[1:]  # the parameter space is (−π, π]

        self.left.set(xlim=(-half_width, half_width), ylim=(-half_width, half_width))
        self.left.set_aspect("equal")
        surface = vonmises.negloglik(parameter_grid(theta_axis, theta_axis), stats)
        self.left_contours.set_surface(theta_axis, theta_axis, surface)
        mle, truth = self.left_markers
        mle.set_data([theta_hat[0]], [theta_hat[1]])
        truth.set_data(*([c] for c in vonmises.polar_to_canonical([kappa, mu])))

        self.right.set(xlim=(0, half_width), ylim=(-np.pi, np.pi))
        surface = vonmises.negloglik_polar(parameter_grid(kappa_axis, mu_axis), stats)
        self.right_contours.set_surface(kappa_axis, mu_axis, surface)
        mle, truth = self.right_markers
        mle.set_data([kappa_hat], [mu_hat])
        truth.set_data([kappa], [mu])
        self.title.set_text(f"von Mises, N = {int(n)}: −ℓ minus its minimum")


def vonmises_explorer() -> Explorer:
    """Sliders for the true κ, μ and the sample size N; both surfaces redraw."""
    return Explorer(
        VonMisesScene,
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
            "parametrization θ (first panel) and the polar parametrization (κ, μ) (second). "
            "The cross marks the maximum-likelihood estimate, the circle the true parameter."
        ),
        alt=(
            "Two contour plots of the same von Mises negative log-likelihood: nested ovals "
            "in the θ-plane, bent banana-shaped contours in the (κ, μ)-plane."
        ),
        figsize=WIDE,
        phone=PHONE,
    )


class GaussianScene(Scene):
    """−ℓ over (μ, σ²) (not convex; the region where it is not is shaded) and over θ (convex).

    The windows hold the estimate ± h (h = 2σ for μ, 2/σ for θ₁, snapped up to a
    round number, σ² the true variance while σ̂² is within a factor 2 of it) on a
    grid of steps 2h, and the σ², θ₂ ranges end at round numbers, so the axes
    stay put while the sliders move a few steps.
    """

    def __init__(self, figure, layout):
        super().__init__(figure)
        self.left, self.right = panels(figure, layout, 2, **MARGINS)
        self.left_contours, *self.left_markers = _surface_axes(
            self.left, xlabel="μ", ylabel="σ²", title="(μ, σ²): not convex (shaded where not)"
        )
        self.right_contours, *self.right_markers = _surface_axes(
            self.right, xlabel="θ₁ = μ/σ²", ylabel="θ₂ = 1/(2σ²)", title="canonical θ: convex"
        )
        for artists in (self.left_contours.artists, self.right_contours.artists):
            self.live(artists)
        self.live([*self.left_markers, *self.right_markers])
        # Where the Hessian of −ℓ in (μ, σ²) has a negative eigenvalue: σ² > 2σ̂² (see update)
        self.not_convex = self.live(
            self.left.axhspan(0, 1, color="tab:orange", alpha=0.2, lw=0, zorder=0.5)
        )
        self.title = self.live(figure.suptitle("", fontsize="medium"))

    def update(self, *, mu: float, sigma2: float, n: int, seed: int = 1) -> None:
        y = gaussian.simulate(int(n), mu, sigma2, np.random.default_rng(seed))
        stats = gaussian.suff_stats(y)
        mu_hat, sigma2_hat = gaussian.mle(stats)
        theta_hat = gaussian.to_canonical([mu_hat, sigma2_hat])
        # Window scales from the true σ² while the estimate is within a factor 2 of it (so
        # moving N, which moves only σ̂², leaves the axes in place), from σ̂² beyond that:
        # σ̂² < 2.5σ̂² ≤ the σ²-range, θ̂₂ < 1.5θ̂₂ ≤ the θ₂-range, and the estimates sit in
        # their windows by construction.
        wide, narrow = max(sigma2, sigma2_hat / 2), min(sigma2, 2 * sigma2_hat)
        mu_axis = _window(mu_hat, 2 * np.sqrt(wide))
        var_axis = np.linspace(0, snap_up(5 * wide), GRID + 1)[1:]
        t1_axis = _window(theta_hat[0], 2 / np.sqrt(narrow))
        t2_axis = np.linspace(0, snap_up(3 / (2 * narrow)), GRID + 1)[1:]

        grid = parameter_grid(mu_axis, var_axis)
        self.left.set(xlim=mu_axis[[0, -1]], ylim=(0, var_axis[-1]))
        self.left_contours.set_surface(mu_axis, var_axis, gaussian.negloglik(grid, stats))
        # det Hessian = N²(σ̂² − σ²/2)/σ⁸ and ∂²/∂μ² = N/σ² > 0: a negative eigenvalue exactly
        # where σ² > 2σ̂², whatever μ (derived in the chapter, checked in test_chapter_claims.py)
        self.not_convex.set_y(2 * sigma2_hat)
        self.not_convex.set_height(max(var_axis[-1] - 2 * sigma2_hat, 0.0))
        mle, truth = self.left_markers
        mle.set_data([mu_hat], [sigma2_hat])
        truth.set_data([mu], [sigma2])

        self.right.set(xlim=t1_axis[[0, -1]], ylim=(0, t2_axis[-1]))
        surface = gaussian.negloglik_canonical(parameter_grid(t1_axis, t2_axis), stats)
        self.right_contours.set_surface(t1_axis, t2_axis, surface)
        mle, truth = self.right_markers
        mle.set_data([theta_hat[0]], [theta_hat[1]])
        truth.set_data(*([c] for c in gaussian.to_canonical([mu, sigma2])))
        self.title.set_text(f"Gaussian, N = {int(n)}: −ℓ minus its minimum")


def _window(centre: float, half_width: float) -> np.ndarray:
    """GRID points on c ± 2h, with h the half-width snapped up and c the centre rounded to
    a multiple of 2h: the window holds centre ± half-width and moves in steps of 2h, so a
    slider that shifts the estimate moves the axes only every few steps."""
    half_width = snap_up(half_width)
    centre = 2 * half_width * np.round(centre / (2 * half_width))
    return np.linspace(centre - 2 * half_width, centre + 2 * half_width, GRID)


def gaussian_explorer() -> Explorer:
    """Sliders for the true μ, σ² and the sample size N; both surfaces redraw."""
    return Explorer(
        GaussianScene,
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
            "parametrization (first panel; shaded where the Hessian has a negative eigenvalue) "
            "and in the canonical parametrization (second). The cross marks the estimate, the "
            "circle the true parameter."
        ),
        alt=(
            "Two contour plots of the same Gaussian negative log-likelihood: in (μ, σ²) the "
            "contours open up towards large σ² inside a shaded non-convex region; in θ they "
            "are closed convex curves."
        ),
        figsize=WIDE,
        phone=PHONE,
    )
