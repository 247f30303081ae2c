"""Explorers for section 6.4: the mixture density, and label switching in −ℓ."""

from __future__ import annotations

import numpy as np

from statbook import mixtures
from statbook.plotting import contour_negloglik, parameter_grid
from statbook.widgets import Explorer, Slider

SAMPLE_SIZE = 2000
GRID = 100
MEANS = tuple(float(v) for v in np.arange(-6, 8.01, 0.5))
SIGMAS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
WEIGHTS = tuple(float(v) for v in np.round(np.arange(0, 1.001, 0.05), 2))


def draw_density(
    fig, *, p: float, mu1: float, mu2: float, sigma1: float, sigma2: float, seed: int = 1
) -> None:
    """Histogram of a seeded sample, the mixture density, its two weighted components, moments."""
    mu, sigma = (mu1, mu2), (sigma1, sigma2)
    y = mixtures.simulate(SAMPLE_SIZE, p, mu, sigma, np.random.default_rng(seed))
    lo = min(m - 4 * s for m, s in zip(mu, sigma, strict=True))
    hi = max(m + 4 * s for m, s in zip(mu, sigma, strict=True))
    grid = np.linspace(lo, hi, 400)
    components = mixtures.component_densities(grid, p, mu, sigma)
    mean, variance = mixtures.moments(p, mu, sigma)

    ax = fig.add_axes((0.07, 0.14, 0.62, 0.76))
    ax.hist(y, bins=40, range=(lo, hi), density=True, color="0.8", edgecolor="white")
    ax.plot(grid, components.sum(axis=-1), color="tab:blue", lw=2, label="density f")
    ax.plot(grid, components[:, 0], "--", color="tab:orange", label="p·φ(y; μ₁, σ₁²)")
    ax.plot(grid, components[:, 1], "--", color="tab:green", label="(1−p)·φ(y; μ₂, σ₂²)")
    ax.axvline(mean, color="black", lw=1, ls=":", label="mean E Y")
    ax.set_xlim(lo, hi)
    ax.set_xlabel("y")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    sample_var = y.var(ddof=1) if y.size > 1 else np.nan
    fig.text(
        0.71,
        0.16,
        f"mean\n  true {mean:.3f}\n  sample {y.mean():.3f}\n"
        f"variance\n  true {variance:.3f}\n  sample {sample_var:.3f}",
        family="monospace",
        fontsize="small",
        va="bottom",
    )
    ax.set_title(
        f"{SAMPLE_SIZE} simulated values (seed {seed}) and the true density", fontsize="medium"
    )


def density_explorer() -> Explorer:
    """Sliders for p, μ₁, μ₂, σ₁, σ₂; 2 static values each (32 precomputed frames)."""
    return Explorer(
        draw_density,
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
        dpi=96,
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


def draw_label_switching(fig, *, p: float, sigma2: float, n: int, seed: int = 1) -> None:
    """−ℓ(μ₁, μ₂) with p, σ₁ = 1 and σ₂ held at their true values, and the data."""
    truth = (0.0, 3.0)
    sigma = (1.0, sigma2)
    y = mixtures.simulate(int(n), p, truth, sigma, np.random.default_rng(seed))
    axis = np.linspace(-2.5, 5.5, GRID)
    grid = parameter_grid(axis, axis)
    par = np.concatenate(
        [np.full((*grid.shape[:-1], 1), p), grid, np.broadcast_to(sigma, grid.shape)], axis=-1
    )
    values = mixtures.negloglik(par, y)
    (a1, a2, va), (b1, b2, vb) = _best_in_halves(axis, axis, values)

    left = fig.add_axes((0.07, 0.14, 0.40, 0.72))
    right = fig.add_axes((0.57, 0.14, 0.41, 0.72))
    contour_negloglik(left, axis, axis, values, truth=truth, xlabel="μ₁", ylabel="μ₂", title="")
    left.plot(axis, axis, color="0.6", lw=0.8)
    left.plot(
        truth[1], truth[0], "s", mfc="none", mec="tab:purple", ms=8, mew=1.5, label="labels swapped"
    )
    left.plot([a1, b1], [a2, b2], "x", color="black", ms=9, mew=2, label="best on each side")
    left.legend(loc="upper left", fontsize="small", framealpha=0.9)
    left.set_aspect("equal")
    left.set_title(f"−ℓ(μ₁, μ₂): minima {va:.1f} and {vb:.1f}", fontsize="medium")

    lo, hi = min(y.min(), -4.0), max(y.max(), 8.0)
    ys = np.linspace(lo, hi, 300)
    right.hist(y, bins=30, density=True, color="0.8", edgecolor="white")
    right.plot(ys, mixtures.density(ys, p, (a1, a2), sigma), color="tab:blue", label="at μ₁ < μ₂")
    right.plot(
        ys, mixtures.density(ys, p, (b1, b2), sigma), "--", color="tab:red", label="at μ₁ > μ₂"
    )
    right.set_xlabel("y")
    right.legend(loc="upper right", fontsize="small", framealpha=0.9)
    right.set_title(f"data (N = {int(n)}) and the fits at both minima", fontsize="medium")
    fig.suptitle(f"p = {p:g}, σ₁ = 1, σ₂ = {sigma2:g} held fixed", fontsize="medium")


def label_switching_explorer() -> Explorer:
    """Sliders for the weight p, σ₂ and N (18 precomputed frames)."""
    return Explorer(
        draw_label_switching,
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
            "with the weight and the standard deviations held at their true values (left), and "
            "the densities at the best point on each side of the diagonal μ₁ = μ₂ (right). "
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
        figsize=(10.0, 4.6),
        dpi=96,
    )
