"""Small plotting helpers shared by the chapters and the explorers.

A likelihood surface is computed by one vectorized call: build the grid of
parameters with :func:`parameter_grid`, pass it to a model's ``negloglik``,
and draw it with :func:`contour_negloglik`.
"""

from __future__ import annotations

import numpy as np

# The markers of the true parameter and of the maximum-likelihood estimate.
TRUTH_STYLE = {
    "marker": "o",
    "ls": "none",
    "mfc": "none",
    "mec": "tab:red",
    "ms": 9,
    "mew": 1.5,
    "label": "truth",
}
MLE_STYLE = {"marker": "x", "ls": "none", "color": "black", "ms": 9, "mew": 2, "label": "MLE"}


def parameter_grid(x, y) -> np.ndarray:
    """Grid of parameter pairs of shape (len(y), len(x), 2): entry [j, i] is (x[i], y[j])."""
    xx, yy = np.meshgrid(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.stack([xx, yy], axis=-1)


def negloglik_contours(ax, x, y, values, *, levels: int = 12):
    """Contours of −ℓ − min(−ℓ) over the grid (x, y), on a square-root spaced scale.

    ``values`` has shape (len(y), len(x)) and may hold +inf off the parameter
    space (left blank).  Returns the contour set; where ``values`` is +inf
    everywhere, a text in the panel that says so instead of failing.
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not np.any(finite):
        return ax.text(
            0.5,
            0.5,
            "−ℓ is +∞ everywhere on this grid\n(no parameter here is possible for the data)",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
    excess = np.where(finite, values - values[finite].min(), np.nan)
    top = np.nanquantile(excess, 0.6)
    contour_levels = np.linspace(0, np.sqrt(max(top, 1e-12)), levels + 1)[1:] ** 2
    return ax.contour(x, y, excess, levels=contour_levels, cmap="viridis", linewidths=1.0)


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
    """:func:`negloglik_contours` with axis labels, a title and markers for the estimate.

    ``values`` may hold +inf off the parameter space (left blank); where it is +inf
    everywhere the panel says so.  ``minimum`` marks the maximum-likelihood estimate
    (a cross) and ``truth`` the parameter that generated the data (a circle).
    """
    if not np.any(np.isfinite(values)):  # nothing to draw: keep the grid's extent
        ax.set_xlim(np.min(x), np.max(x))
        ax.set_ylim(np.min(y), np.max(y))
    negloglik_contours(ax, x, y, values, levels=levels)
    if truth is not None:
        ax.plot(*truth, **TRUTH_STYLE)
    if minimum is not None:
        ax.plot(*minimum, **MLE_STYLE)
    if truth is not None or minimum is not None:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize="medium")
    return ax


def estimate_markers(ax, *, truth: bool = True):
    """Empty markers for the MLE (and the truth) with their legend, to move with ``set_data``.

    Returns ``(mle, truth)`` (``truth`` is None without one).
    """
    truth_marker = ax.plot([], [], **TRUTH_STYLE)[0] if truth else None
    mle_marker = ax.plot([], [], **MLE_STYLE)[0]
    ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    return mle_marker, truth_marker
