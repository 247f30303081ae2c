"""Small plotting helpers shared by the chapters and the explorers.

A likelihood surface is computed by one vectorized call: build the grid of
parameters with :func:`parameter_grid`, pass it to a model's ``negloglik``,
and draw it with :func:`contour_negloglik`.
"""

from __future__ import annotations

import numpy as np


def parameter_grid(x, y) -> np.ndarray:
    """Grid of parameter pairs of shape (len(y), len(x), 2): entry [j, i] is (x[i], y[j])."""
    xx, yy = np.meshgrid(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.stack([xx, yy], axis=-1)


def contour_negloglik(
    ax,
    x,
    y,
    values,
    *,
    minimum=None,
    truth=None,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    levels: int = 12,
):
    """Contours of −ℓ − min(−ℓ) over the grid (x, y), on a square-root spaced scale.

    ``values`` has shape (len(y), len(x)) and may hold +inf off the parameter
    space (left blank); where it is +inf everywhere the panel says so.  ``minimum``
    marks the maximum-likelihood estimate (a cross) and ``truth`` the parameter that
    generated the data (a circle).
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if np.any(finite):
        excess = np.where(finite, values - values[finite].min(), np.nan)
        top = np.nanquantile(excess, 0.6)
        contour_levels = np.linspace(0, np.sqrt(max(top, 1e-12)), levels + 1)[1:] ** 2
        ax.contour(x, y, excess, levels=contour_levels, cmap="viridis", linewidths=1.0)
    else:  # nothing to draw: say why instead of failing
        ax.set_xlim(np.min(x), np.max(x))
        ax.set_ylim(np.min(y), np.max(y))
        ax.text(
            0.5,
            0.5,
            "−ℓ is +∞ everywhere on this grid\n(no parameter here is possible for the data)",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
    if truth is not None:
        ax.plot(*truth, "o", mfc="none", mec="tab:red", ms=9, mew=1.5, label="truth")
    if minimum is not None:
        ax.plot(*minimum, "x", color="black", ms=9, mew=2, label="MLE")
    if truth is not None or minimum is not None:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    return ax
