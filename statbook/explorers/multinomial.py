"""Figures and explorers for section 6.2: the peppered moths and the softmax map.

The drawing functions only call :mod:`statbook.multinomial` and the plotting
helpers; every number they show is computed (and tested) there.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon, Rectangle

from statbook import multinomial
from statbook.plotting import contour_negloglik, parameter_grid
from statbook.widgets import Explorer, Slider

GRID = 160
PHENOTYPE_COLORS = ("#2b2b2b", "#9c7b4f", "#e9dfc4")  # dark, mottled, light
ALLELES = ("C", "I", "T")
MARGINS = {"left": 0.08, "right": 0.98, "bottom": 0.15, "top": 0.85, "wspace": 0.3}


def simplex_axis(size: int = GRID) -> np.ndarray:
    """Grid points on [0, 1] for p_C and p_I (the surface is +inf where p_C + p_I > 1)."""
    return np.linspace(0.0, 1.0, size)


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
            label = ALLELES[a] + ALLELES[b]
            if p[a] * p[b] > 0.004:
                ax.text(
                    edges[b] + p[b] / 2,
                    1 - edges[a] - p[a] / 2,
                    label,
                    ha="center",
                    va="center",
                    fontsize=9 if p[a] * p[b] > 0.02 else 6,
                    color="white" if phenotype < 2 else "black",
                )
    ticks = (edges[:-1] + edges[1:]) / 2
    ax.set_xticks(ticks, [f"{s}\n{q:.3f}" for s, q in zip(ALLELES, p, strict=True)])
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


def draw_moths(fig, *, n_c: float, n_i: float, n_t: float) -> None:
    """−ℓ over the simplex with the MLE, and predicted genotype counts at the MLE."""
    x = np.array([n_c, n_i, n_t], dtype=int)
    left, right = fig.subplots(1, 2, gridspec_kw=MARGINS)
    if x.sum() == 0:
        for ax in (left, right):
            ax.set_axis_off()
        left.text(
            0.5,
            0.5,
            "No moths: with all three counts zero the likelihood is constant,\n"
            "so every (p_C, p_I) in the simplex is a maximizer. Raise a count.",
            ha="left",
            va="center",
            fontsize=11,
            transform=left.transAxes,
        )
        return
    estimate = multinomial.moth_mle(x)
    draw_moth_contours(left, x, minimum=estimate)
    left.set_title(
        f"x = ({x[0]}, {x[1]}, {x[2]}):  p̂_C = {estimate[0]:.4f}, p̂_I = {estimate[1]:.4f}",
        fontsize="medium",
    )
    predicted = multinomial.genotype_expectation(
        x, multinomial.hardy_weinberg(estimate), multinomial.MOTH_GROUP
    )
    colors = [PHENOTYPE_COLORS[g - 1] for g in multinomial.MOTH_GROUP]
    bars = right.bar(multinomial.GENOTYPES, predicted, color=colors, edgecolor="black")
    right.bar_label(bars, fmt="%.1f", fontsize="small")
    right.set_ylim(0, 1.15 * max(predicted.max(), 1))
    right.set_ylabel("predicted count E(N_k | X = x)")
    right.set_title("genotype counts predicted at the MLE", fontsize="medium")


def moth_explorer() -> Explorer:
    """Sliders for the three phenotype counts; the surface, MLE and predictions redraw."""
    counts = tuple(range(0, 1001, 5))
    return Explorer(
        draw_moths,
        [
            Slider("n_c", "dark N_C", (*counts[:17], 85, *counts[18:]), 85, (0, 85, 250), "{:g}"),
            Slider("n_i", "mottled N_I", (*counts[:39], 196, *counts[40:]), 196, (0, 196, 500)),
            Slider("n_t", "light N_T", (*counts[:68], 341, *counts[69:]), 341, (0, 341, 800)),
        ],
        caption=(
            "Peppered moths: the negative log-likelihood over the simplex of allele "
            "frequencies (left, the cross marks the maximum-likelihood estimate) and the "
            "genotype counts predicted from the phenotype counts at that estimate (right)."
        ),
        alt=(
            "Left: closed contour curves inside the triangle p_C + p_I ≤ 1 around a cross; "
            "right: six bars of predicted genotype counts coloured dark, mottled and light."
        ),
        figsize=(10.0, 4.2),
    )


def draw_softmax(fig, *, theta1: float, theta2: float, shift: float) -> None:
    """p = softmax(θ₁ + c, θ₂ + c, c) as bars and as a point of the simplex Δ₃."""
    theta = np.array([theta1, theta2, 0.0]) + shift
    p = multinomial.softmax(theta)
    reference = multinomial.prob_to_reference(p)
    left, right = fig.subplots(1, 2, gridspec_kw=MARGINS)
    bars = left.bar(["$p_1$", "$p_2$", "$p_3$"], p, color=["tab:blue", "tab:orange", "tab:grey"])
    left.bar_label(bars, fmt="%.3f")
    left.set_ylim(0, 1.12)
    left.set_title(
        f"θ = ({theta[0]:.2f}, {theta[1]:.2f}, {theta[2]:.2f})  →  "
        f"reference θ = ({reference[0]:.2f}, {reference[1]:.2f})",
        fontsize="small",
    )
    # the simplex drawn in the (p_1, p_2) plane, with lines of constant reference θ
    grid = np.linspace(-4, 4, 9)
    for value in grid:
        line = np.stack([np.full(200, value), np.linspace(-8, 8, 200)], axis=-1)
        q = multinomial.reference_to_prob(line)
        right.plot(q[:, 0], q[:, 1], color="tab:blue", lw=0.5, alpha=0.6)
        q = multinomial.reference_to_prob(line[:, ::-1])
        right.plot(q[:, 0], q[:, 1], color="tab:orange", lw=0.5, alpha=0.6)
    right.add_patch(Polygon([(0, 0), (1, 0), (0, 1)], fill=False, edgecolor="black", lw=1))
    right.plot(p[0], p[1], "o", color="black", ms=8)
    right.set_xlim(-0.02, 1.02)
    right.set_ylim(-0.02, 1.02)
    right.set_aspect("equal")
    right.set_xlabel("$p_1$")
    right.set_ylabel("$p_2$")
    right.set_title("lines θ₁ = const (blue), θ₂ = const (orange)", fontsize="small")
    fig.suptitle(
        f"adding c = {shift:g} to every θ_k changes nothing: p = "
        f"({p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f})",
        fontsize="medium",
    )


def softmax_explorer() -> Explorer:
    """Sliders for θ₁, θ₂ (θ₃ = 0, the reference) and a common shift c of all three."""
    thetas = tuple(np.round(np.arange(-4, 4.01, 0.5), 2))
    return Explorer(
        draw_softmax,
        [
            Slider("theta1", "θ₁", thetas, 1.0, (-2.0, 1.0, 3.0)),
            Slider("theta2", "θ₂", thetas, 0.0, (-2.0, 0.0, 2.0)),
            Slider("shift", "shift c of all θ_k", thetas, 0.0, (0.0, 3.0)),
        ],
        caption=(
            "The softmax map for K = 3: the symmetric parameter (θ₁ + c, θ₂ + c, c) gives the "
            "probabilities on the left whatever the shift c, and the reference-category "
            "parameter (θ₁, θ₂) = (log p₁/p₃, log p₂/p₃) is a coordinate system on the simplex "
            "(right)."
        ),
        alt=(
            "Left: three bars with the probabilities p1, p2, p3. Right: the triangle of "
            "probability vectors with two families of curves of constant θ1 and θ2 and a "
            "black point at the current probability vector."
        ),
        figsize=(10.0, 4.2),
    )
