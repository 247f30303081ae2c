"""Figures and explorers for section 6.2: the peppered moths and the softmax map.

The drawing functions only call :mod:`statbook.multinomial` and the plotting
helpers; every number they show is computed (and tested) there.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon, Rectangle

from statbook import multinomial
from statbook.livefigure import Scene, panels, snap_up
from statbook.plotting import (
    LiveContours,
    contour_negloglik,
    estimate_markers,
    parameter_grid,
)
from statbook.widgets import Explorer, Slider

GRID = 160
PHENOTYPE_COLORS = ("#2b2b2b", "#9c7b4f", "#e9dfc4")  # dark, mottled, light
ALLELES = ("C", "I", "T")
MARGINS = {"top": 0.75, "bottom": 0.55, "left": 0.75}  # inches: two-line titles above
WIDE, PHONE = (8.5, 3.9), (4.25, 7.6)  # inches at 80 dpi: 680 and 340 px wide
TOP = {False: 0.9, True: 1.1}  # the softmax figure: two-line titles over two-line titles


def simplex_axis(size: int = GRID) -> np.ndarray:
    """Grid points on [0, 1] for p_C and p_I (the surface is +inf where p_C + p_I > 1)."""
    return np.linspace(0.0, 1.0, size)


LABELLED_SIDE = 0.15  #: a cell's name is written in it when both its sides are this long


def draw_allele_grid(ax, par=(0.0708369, 0.1887365), *, legend: bool = True) -> None:
    """The 3 × 3 ordered allele pairs, area ∝ probability, coloured by phenotype.

    Cell (a, b) has probability p_a p_b; the genotype {a, b} with a ≠ b is two
    cells, hence the factor 2.  The phenotype is that of the dominant allele
    (C > I > T), so the colours show which cells M adds up.
    """
    p = np.array([par[0], par[1], 1 - par[0] - par[1]])
    edges = np.concatenate([[0.0], np.cumsum(p)])
    for a in range(3):
        for b in range(3):
            phenotype = min(a, b)  # the dominant allele decides the colour
            ax.add_patch(
                Rectangle(
                    (edges[b], 1 - edges[a + 1]),
                    p[b],
                    p[a],
                    facecolor=PHENOTYPE_COLORS[phenotype],
                    edgecolor="white",
                    linewidth=2,
                )
            )
            if min(p[a], p[b]) >= LABELLED_SIDE:  # a cell too thin for its name has none
                ax.text(
                    edges[b] + p[b] / 2,
                    1 - edges[a] - p[a] / 2,
                    ALLELES[a] + ALLELES[b],
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if phenotype < 2 else "black",
                )
    ticks = (edges[:-1] + edges[1:]) / 2
    # The frequencies once, at the rows: under thin columns they would run into each other.
    ax.set_xticks(ticks, list(ALLELES))
    ax.set_yticks(1 - ticks, [f"{s} {q:.3f}" for s, q in zip(ALLELES, p, strict=True)])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("allele from one parent")
    ax.set_ylabel("allele from the other parent")
    if not legend:
        return
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in PHENOTYPE_COLORS]
    ax.legend(
        handles,
        multinomial.PHENOTYPES,
        loc="upper left",
        bbox_to_anchor=(1.02, 1),
        fontsize="small",
        frameon=False,
    )


def draw_moth_contours(ax, x=multinomial.MOTH_COUNTS, *, minimum=None, zoom=None, levels=12):
    """Contours of −ℓ(p_C, p_I) − min over the simplex; the triangle p_C + p_I ≤ 1 outlined.

    ``zoom = (xlim, ylim)`` evaluates a finer grid on that window instead of the simplex.
    """
    if zoom is None:
        axis_x = axis_y = simplex_axis()
    else:
        axis_x, axis_y = np.linspace(*zoom[0], GRID), np.linspace(*zoom[1], GRID)
    values = multinomial.moth_negloglik(parameter_grid(axis_x, axis_y), x)
    contour_negloglik(ax, axis_x, axis_y, values, minimum=minimum, levels=levels)
    ax.add_patch(Polygon([(0, 0), (1, 0), (0, 1)], fill=False, edgecolor="grey", lw=0.8))
    ax.set_xlabel("$p_C$")
    ax.set_ylabel("$p_I$")
    if zoom is None:
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
    else:
        ax.set_xlim(*zoom[0])
        ax.set_ylim(*zoom[1])
    ax.set_aspect("equal")


class MothScene(Scene):
    """−ℓ over the simplex with the MLE, and predicted genotype counts at the MLE."""

    def __init__(self, figure, layout):
        super().__init__(figure)
        self.left, self.right = panels(figure, layout, 2, **MARGINS)
        self.axis = simplex_axis()
        self.grid = parameter_grid(self.axis, self.axis)
        self.left.add_patch(Polygon([(0, 0), (1, 0), (0, 1)], fill=False, edgecolor="grey", lw=0.8))
        self.left.set(xlabel="$p_C$", ylabel="$p_I$", xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
        self.left.set_aspect("equal")
        self.contours = LiveContours(self.left)
        self.live(self.contours.artists)
        self.mle = self.live(estimate_markers(self.left, truth=False)[0])
        self.left_title = self.live(self.left.set_title("", fontsize="medium"))
        self.right.set_ylabel("predicted count E(N_k | X = x)")
        self.right.set_title("genotype counts\npredicted at the MLE", fontsize="medium")
        self.right.set_xlim(-0.6, len(multinomial.GENOTYPES) - 0.4)
        self.right.set_xticks(range(len(multinomial.GENOTYPES)), multinomial.GENOTYPES)
        colors = [PHENOTYPE_COLORS[g - 1] for g in multinomial.MOTH_GROUP]
        genotypes = range(len(multinomial.GENOTYPES))
        self.bars = self.live(
            self.right.bar(genotypes, np.zeros(len(genotypes)), color=colors, edgecolor="black")
        )
        self.bar_labels = self.live(self.right.bar_label(self.bars, fmt="%.1f", fontsize="small"))
        self.no_moths = self.live(
            self.left.text(
                0.5,
                0.5,
                "No moths: with all three counts\nzero the likelihood is constant,\n"
                "so every $(p_C, p_I)$ in the simplex\nis a maximizer. Raise a count.",
                ha="left",
                va="center",
                transform=self.left.transAxes,
            )
        )

    def update(self, *, n_c: float, n_i: float, n_t: float) -> None:
        x = np.array([n_c, n_i, n_t], dtype=int)
        empty = bool(x.sum() == 0)
        self.layout = "no moths" if empty else None
        for ax in (self.left, self.right):
            ax.set_axis_on() if not empty else ax.set_axis_off()
        self.no_moths.set_visible(empty)
        for artist in (
            self.mle,
            self.left_title,
            self.contours.lines,
            *self.bars,
            *self.bar_labels,
        ):
            artist.set_visible(not empty)
        if empty:
            return
        estimate = multinomial.moth_mle(x)
        values = multinomial.moth_negloglik(self.grid, x)
        self.contours.set_surface(self.axis, self.axis, values)
        self.mle.set_data([estimate[0]], [estimate[1]])
        self.left_title.set_text(
            f"x = ({x[0]}, {x[1]}, {x[2]})\np̂_C = {estimate[0]:.4f}, p̂_I = {estimate[1]:.4f}"
        )
        predicted = multinomial.genotype_expectation(
            x, multinomial.hardy_weinberg(estimate), multinomial.MOTH_GROUP
        )
        self.right.set_ylim(0, snap_up(1.15 * max(predicted.max(), 1)))
        for bar, label, count in zip(self.bars, self.bar_labels, predicted, strict=True):
            bar.set_height(count)
            label.xy = (label.xy[0], count)  # the label sits on the bar's top
            label.set_text(f"{count:.1f}")


def moth_explorer() -> Explorer:
    """Sliders for the three phenotype counts; the surface, MLE and predictions redraw."""
    counts = tuple(range(0, 1001, 5))
    return Explorer(
        MothScene,
        [
            Slider("n_c", "dark moths", (*counts[:17], 85, *counts[18:]), 85, (0, 85, 250), "{:g}"),
            Slider("n_i", "mottled moths", (*counts[:39], 196, *counts[40:]), 196, (0, 196, 500)),
            Slider("n_t", "light moths", (*counts[:68], 341, *counts[69:]), 341, (0, 341, 800)),
        ],
        caption=(
            "Peppered moths: the negative log-likelihood over the simplex of allele "
            "frequencies (first panel; the cross marks the maximum-likelihood estimate) and the "
            "genotype counts predicted from the phenotype counts at that estimate (second)."
        ),
        alt=(
            "First: closed contour curves around a cross inside the triangle of the frequencies "
            "of the dark and mottled alleles, which add up to at most 1; second: six bars of "
            "predicted genotype counts coloured dark, mottled and light."
        ),
        figsize=WIDE,
        phone=PHONE,
    )


class SoftmaxScene(Scene):
    """p = softmax(θ₁ + c, θ₂ + c, c) as bars and as a point of the simplex Δ₃."""

    def __init__(self, figure, layout):
        super().__init__(figure)
        self.left, self.right = panels(figure, layout, 2, **{**MARGINS, "top": TOP[layout.stacked]})
        self.bars = self.live(
            self.left.bar(
                ["$p_1$", "$p_2$", "$p_3$"], [0, 0, 0], color=["tab:blue", "tab:orange", "tab:grey"]
            )
        )
        self.bar_labels = self.live(self.left.bar_label(self.bars, fmt="%.3f"))
        self.left.set_ylim(0, 1.12)
        self.left_title = self.live(self.left.set_title("", fontsize="medium"))
        # the simplex drawn in the (p_1, p_2) plane, with lines of constant reference θ
        for value in np.linspace(-4, 4, 9):
            line = np.stack([np.full(200, value), np.linspace(-8, 8, 200)], axis=-1)
            q = multinomial.reference_to_prob(line)
            self.right.plot(q[:, 0], q[:, 1], color="tab:blue", lw=0.5, alpha=0.6)
            q = multinomial.reference_to_prob(line[:, ::-1])
            self.right.plot(q[:, 0], q[:, 1], color="tab:orange", lw=0.5, alpha=0.6)
        self.right.add_patch(Polygon([(0, 0), (1, 0), (0, 1)], fill=False, edgecolor="black", lw=1))
        self.point = self.live(self.right.plot([], [], "o", color="black", ms=8)[0])
        self.right.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), xlabel="$p_1$", ylabel="$p_2$")
        self.right.set_aspect("equal")
        self.right.set_title("lines θ₁ = const (blue),\nθ₂ = const (orange)", fontsize="medium")
        self.title = self.live(figure.suptitle("", fontsize="medium"))

    def update(self, *, theta1: float, theta2: float, shift: float) -> None:
        theta = np.array([theta1, theta2, 0.0]) + shift
        p = multinomial.softmax(theta)
        reference = multinomial.prob_to_reference(p)
        for bar, label, height in zip(self.bars, self.bar_labels, p, strict=True):
            bar.set_height(height)
            label.xy = (bar.get_x() + bar.get_width() / 2, height)
            label.set_text(f"{height:.3f}")
        self.left_title.set_text(
            f"θ = ({theta[0]:.2f}, {theta[1]:.2f}, {theta[2]:.2f})\n"
            f"→ reference θ = ({reference[0]:.2f}, {reference[1]:.2f})"
        )
        self.point.set_data([p[0]], [p[1]])
        self.title.set_text(
            f"adding c = {shift:g} to every θₖ changes nothing:\n"
            f"p = ({p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f})"
        )


def softmax_explorer() -> Explorer:
    """Sliders for θ₁, θ₂ (θ₃ = 0, the reference) and a common shift c of all three."""
    thetas = tuple(np.round(np.arange(-4, 4.01, 0.5), 2))
    return Explorer(
        SoftmaxScene,
        [
            Slider("theta1", "θ₁", thetas, 1.0, (-2.0, 1.0, 3.0)),
            Slider("theta2", "θ₂", thetas, 0.0, (-2.0, 0.0, 2.0)),
            Slider("shift", "shift c of all θₖ", thetas, 0.0, (0.0, 3.0)),
        ],
        caption=(
            "The softmax map for K = 3: the symmetric parameter (θ₁ + c, θ₂ + c, c) gives the "
            "probabilities of the first panel whatever the shift c, and the reference-category "
            "parameter (θ₁, θ₂) = (log p₁/p₃, log p₂/p₃) is a coordinate system on the simplex "
            "(second panel)."
        ),
        alt=(
            "First: three bars with the probabilities p₁, p₂, p₃. Second: the triangle of "
            "probability vectors with two families of curves of constant θ₁ and θ₂ and a "
            "black point at the current probability vector."
        ),
        figsize=WIDE,
        phone=PHONE,
    )
