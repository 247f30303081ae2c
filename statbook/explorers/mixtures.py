"""Explorers for section 6.4: the mixture density, and label switching in −ℓ."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from statbook import mixtures
from statbook.livefigure import Scene, panels, snap_up
from statbook.plotting import TRUTH_STYLE, LiveContours
from statbook.widgets import Explorer, Slider

SAMPLE_SIZE = 2000
GRID = 80  # points per axis of the (μ₁, μ₂) surface: 0.1 apart
MEANS = tuple(float(v) for v in np.arange(-6, 8.01, 0.5))
SIGMAS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
WEIGHTS = tuple(float(v) for v in np.round(np.arange(0, 1.001, 0.05), 2))


def _histogram(ax):
    """An empty density histogram, one step patch: fill it with :func:`_fill_histogram`."""
    return ax.stairs([0.0], [0.0, 1.0], fill=True, color="0.8")


def _fill_histogram(histogram, y, bins: int, lo: float, hi: float) -> float:
    """Set ``histogram`` to the density histogram of ``y`` on [lo, hi]; return its top."""
    heights, edges = np.histogram(y, bins=bins, range=(lo, hi), density=True)
    histogram.set_data(heights, edges)
    return heights.max()


class DensityScene(Scene):
    """Histogram of a seeded sample, the mixture density, its two weighted components, moments.

    The y-window is μ_k ± 4σ_k of both components, widened to multiples of 5,
    and the density axis ends at a round number, so the axes move only now and then.
    """

    def __init__(self, figure, layout):
        super().__init__(figure)
        # Wide: the legend and the moments right of the panel; phone: under it, side by side.
        right, bottom = (2.6, 0.5) if not layout.stacked else (0.15, 2.0)
        (ax,) = panels(
            figure, layout, 1, right=right, bottom=bottom, top=0.35 + 0.2 * layout.stacked
        )
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4 if layout.stacked else 8))
        self.ax = ax
        self.histogram = self.live(_histogram(ax))
        self.density = self.live(ax.plot([], [], color="tab:blue", lw=2, label="density f")[0])
        self.first = self.live(
            ax.plot([], [], "--", color="tab:orange", label="p·φ(y; μ₁, σ₁²)")[0]
        )
        self.second = self.live(
            ax.plot([], [], "--", color="tab:green", label="(1−p)·φ(y; μ₂, σ₂²)")[0]
        )
        self.mean = self.live(ax.axvline(0, color="black", lw=1, ls=":", label="mean E Y"))
        ax.set_xlabel("y")
        ax.set_ylabel("density")
        legend_at, moments_at = (
            ((1.01, 1.0), (1.05, 0.0)) if not layout.stacked else ((-0.2, -0.2), (0.68, -0.28))
        )
        ax.legend(loc="upper left", bbox_to_anchor=legend_at, fontsize="small", frameon=False)
        ax.set_title(
            f"{SAMPLE_SIZE} simulated values (seed 1){chr(10) if layout.stacked else ' '}"
            "and the true density",
            fontsize="medium",
        )
        self.moments = self.live(
            ax.text(
                *moments_at,
                "",
                transform=ax.transAxes,
                family="monospace",
                fontsize="small",
                va="bottom" if not layout.stacked else "top",
            )
        )

    def update(self, *, p, mu1, mu2, sigma1, sigma2, seed: int = 1) -> None:
        mu, sigma = (mu1, mu2), (sigma1, sigma2)
        y = mixtures.simulate(SAMPLE_SIZE, p, mu, np.square(sigma), np.random.default_rng(seed))
        lo = 5 * np.floor(min(m - 4 * s for m, s in zip(mu, sigma, strict=True)) / 5)
        hi = 5 * np.ceil(max(m + 4 * s for m, s in zip(mu, sigma, strict=True)) / 5)
        grid = np.linspace(lo, hi, 400)
        components = mixtures.component_densities(grid, p, mu, np.square(sigma))
        mean, variance = mixtures.moments(p, mu, np.square(sigma))
        top = _fill_histogram(self.histogram, y, 40, lo, hi)
        total = components.sum(axis=-1)
        self.density.set_data(grid, total)
        self.first.set_data(grid, components[:, 0])
        self.second.set_data(grid, components[:, 1])
        self.mean.set_xdata([mean, mean])
        self.ax.set(xlim=(lo, hi), ylim=(0, snap_up(1.05 * max(top, total.max()))))
        sample_var = y.var(ddof=1) if y.size > 1 else np.nan
        self.moments.set_text(
            f"mean\n  true {mean:.3f}\n  sample {y.mean():.3f}\n"
            f"variance\n  true {variance:.3f}\n  sample {sample_var:.3f}"
        )


def density_explorer() -> Explorer:
    """Sliders for p, μ₁, μ₂, σ₁, σ₂; 2 static values each (32 precomputed frames)."""
    return Explorer(
        DensityScene,
        [
            Slider("p", "weight p", WEIGHTS, 0.5, (0.5, 0.8)),
            Slider("mu1", "μ₁", MEANS, -0.5, (-0.5, 1.5)),
            Slider("mu2", "μ₂", MEANS, 4.0, (2.0, 4.0)),
            Slider("sigma1", "σ₁", SIGMAS, 1.0, (0.5, 1.0)),
            Slider("sigma2", "σ₂", SIGMAS, 2.0, (1.0, 2.0)),
        ],
        caption=(
            "A two-component Gaussian mixture: histogram of 2000 simulated values, the "
            "density (solid), its two weighted components (dashed), whose sum it is, and the "
            "true and sample mean and variance."
        ),
        alt=(
            "Histogram with the mixture density drawn over it; the density is the sum of two "
            "dashed bell curves, and it is bimodal when the means are far apart relative to "
            "the standard deviations and unimodal when they are close."
        ),
        figsize=(8.5, 3.4),
        phone=(4.25, 4.9),
    )


def _best_in_halves(mu1_axis, mu2_axis, values):
    """Grid minimizers of −ℓ below (μ₁ < μ₂) and above (μ₁ > μ₂) the diagonal."""
    below = mu1_axis[np.newaxis, :] < mu2_axis[:, np.newaxis]
    best = []
    for half in (below, ~below):
        masked = np.where(half, values, np.inf)
        j, i = np.unravel_index(np.argmin(masked), masked.shape)
        best.append((mu1_axis[i], mu2_axis[j], masked[j, i]))
    return best


class LabelSwitchingScene(Scene):
    """−ℓ(μ₁, μ₂) with p, σ₁ = 1 and σ₂ held at their true values, and the data."""

    truth = (0.0, 3.0)

    def __init__(self, figure, layout):
        super().__init__(figure)
        self.axis = np.linspace(-2.5, 5.5, GRID)
        left, right = self.left, self.right = panels(figure, layout, 2, top=0.7, bottom=0.55)
        self.contours = LiveContours(left)
        self.live(self.contours.artists)
        left.plot(self.axis, self.axis, color="0.6", lw=0.8)
        left.plot(*self.truth, **TRUTH_STYLE)
        left.plot(
            self.truth[1],
            self.truth[0],
            "s",
            mfc="none",
            mec="tab:purple",
            ms=8,
            mew=1.5,
            label="labels swapped",
        )
        self.best = self.live(
            left.plot([], [], "x", color="black", ms=9, mew=2, label="best on each side")[0]
        )
        left.legend(loc="upper left", fontsize="small", framealpha=0.9)
        left.set(xlabel="μ₁", ylabel="μ₂", xlim=self.axis[[0, -1]], ylim=self.axis[[0, -1]])
        left.set_aspect("equal")
        self.left_title = self.live(left.set_title("", fontsize="medium"))
        self.fits = [
            self.live(right.plot([], [], color="tab:blue", label="at μ₁ < μ₂")[0]),
            self.live(right.plot([], [], "--", color="tab:red", label="at μ₁ > μ₂")[0]),
        ]
        self.histogram = self.live(_histogram(right))
        right.set_xlabel("y")
        right.legend(loc="upper right", fontsize="small", framealpha=0.9)
        self.right_title = self.live(right.set_title("", fontsize="medium"))
        self.title = self.live(figure.suptitle("", fontsize="medium"))

    def update(self, *, p: float, sigma2: float, n: int, seed: int = 1) -> None:
        sigma = (1.0, sigma2)
        y = mixtures.simulate(int(n), p, self.truth, np.square(sigma), np.random.default_rng(seed))
        values = mixtures.negloglik_means(self.axis, self.axis, y, p, np.square(sigma))
        (a1, a2, va), (b1, b2, vb) = _best_in_halves(self.axis, self.axis, values)
        self.contours.set_surface(self.axis, self.axis, values)
        self.best.set_data([a1, b1], [a2, b2])
        self.left_title.set_text(f"−ℓ(μ₁, μ₂): minima {va:.1f} and {vb:.1f}")

        # A window that holds the data of every slider position (means 0 and 3, σ ≤ 2), so
        # the axes stay put: only an outlier beyond it widens it.
        lo, hi = np.floor(min(y.min(), -5.0)), np.ceil(max(y.max(), 11.0))
        ys = np.linspace(lo, hi, 300)
        top = _fill_histogram(self.histogram, y, 30, y.min(), y.max())
        fits = [mixtures.density(ys, p, means, np.square(sigma)) for means in ((a1, a2), (b1, b2))]
        for line, fit in zip(self.fits, fits, strict=True):
            line.set_data(ys, fit)
        top = max(top, *(fit.max() for fit in fits))
        self.right.set(xlim=(lo, hi), ylim=(0, snap_up(1.05 * top)))
        self.right_title.set_text(f"data (N = {int(n)}) and the fits at both minima")
        self.title.set_text(f"p = {p:g}, σ₁ = 1, σ₂ = {sigma2:g} held fixed")


def label_switching_explorer() -> Explorer:
    """Sliders for the weight p, σ₂ and N (18 precomputed frames)."""
    return Explorer(
        LabelSwitchingScene,
        [
            Slider(
                "p",
                "weight p",
                tuple(np.round(np.arange(0.1, 0.91, 0.05), 2)),
                0.5,
                (0.3, 0.5, 0.7),
            ),
            Slider("sigma2", "σ₂", (0.5, 0.75, 1.0, 1.5, 2.0), 1.0, (0.75, 1.0, 1.5)),
            Slider(
                "n", "sample size N", (50, 100, 200, 500, 1000, 2000), 500, (100, 500), fmt="{:d}"
            ),
        ],
        caption=(
            "Negative log-likelihood of a two-component mixture as a function of the two means, "
            "with the weight and the standard deviations held at their true values (first "
            "panel), and the densities at the best point on each side of the diagonal μ₁ = μ₂ "
            "(second). "
            "With p = 0.5 and σ₁ = σ₂ the surface is symmetric in the diagonal and has two "
            "equally deep minima: the likelihood cannot tell the components apart. The data "
            "are simulated for this figure, not the running example: means (0, 3), σ₁ = 1, "
            "and the p and σ₂ of the sliders."
        ),
        alt=(
            "Contour plot over (μ₁, μ₂) with two basins mirrored in the diagonal; next to it a "
            "histogram of the data with the two fitted densities, which coincide when the "
            "weights and variances are equal."
        ),
        figsize=(8.5, 4.2),
        phone=(4.25, 8.0),
    )
