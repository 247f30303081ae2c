"""Small plotting helpers shared by the chapters and the explorers.

A likelihood surface is computed by one vectorized call: build the grid of
parameters with :func:`parameter_grid`, pass it to a model's ``negloglik``,
and draw it with :func:`contour_negloglik`.
"""

from __future__ import annotations

import contourpy
import matplotlib as mpl
import numpy as np
from matplotlib.collections import Collection
from matplotlib.path import Path
from matplotlib.text import Text

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


#: What a surface panel says where −ℓ is +∞ on the whole grid.
NOWHERE_FINITE = "−ℓ is +∞ everywhere on this grid\n(no parameter here is possible for the data)"


def nowhere_finite_message(ax, *, visible: bool = True):
    """The text in the middle of ``ax`` saying that −ℓ is +∞ on the whole grid."""
    return ax.text(
        0.5, 0.5, NOWHERE_FINITE, transform=ax.transAxes, ha="center", va="center", visible=visible
    )


def smallest_text_px(figure) -> float:
    """Height of the smallest visible text of ``figure`` in drawn pixels.

    Over every visible ``Text`` artist with non-empty text (titles, labels, tick labels,
    legends, annotations): ``size_in_points × figure.dpi / 72`` (a point is 1/72 inch).
    """
    sizes = [
        t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()
    ]
    return min(sizes) * figure.dpi / 72


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
        return nowhere_finite_message(ax)
    excess, contour_levels = _excess_and_levels(values, finite, levels)
    return ax.contour(x, y, excess, levels=contour_levels, cmap="viridis", linewidths=1.0)


def _excess_and_levels(values: np.ndarray, finite: np.ndarray, levels: int):
    """−ℓ − min(−ℓ) (NaN where −ℓ is +inf) and ``levels`` contour levels c·k², k = 1..levels,
    the top one at the 60 % quantile of the excess."""
    excess = np.where(finite, values - values[finite].min(), np.nan)
    top = np.nanquantile(excess, 0.6)
    return excess, np.linspace(0, np.sqrt(max(top, 1e-12)), levels + 1)[1:] ** 2


class LiveContours:
    """The lines of :func:`negloglik_contours`, kept as one artist and traced anew per frame.

    ``ax.contour`` builds a new ``ContourSet`` each time, and most of its cost is
    setting up a colormap and norm that never change here: level k of ``levels``
    always has the viridis colour at (k² − 1)/(levels² − 1), as the levels are
    c·k² for a c that depends on the surface.  This traces the same lines with
    contourpy (matplotlib's algorithm and settings) into one path per level of a
    collection that stays on the axes; draw it as an animated artist.
    """

    def __init__(self, ax, *, levels: int = 12, linewidth: float = 1.0):
        self.levels = levels
        k = np.arange(1, levels + 1)
        colors = mpl.colormaps["viridis"]((k**2 - 1) / (levels**2 - 1))
        self.lines = Collection(
            facecolors="none", edgecolors=colors, linewidths=linewidth, transform=ax.transData
        )
        ax.add_collection(self.lines, autolim=False)
        self.message = nowhere_finite_message(ax, visible=False)

    @property
    def artists(self) -> list:
        return [self.lines, self.message]

    def set_surface(self, x, y, values) -> None:
        """Trace the contours of ``values`` (shape (len(y), len(x)), +inf left blank)."""
        values = np.asarray(values, dtype=float)
        finite = np.isfinite(values)
        self.message.set_visible(not np.any(finite))
        if not np.any(finite):
            self.lines.set_paths([])
            return
        excess, contour_levels = _excess_and_levels(values, finite, self.levels)
        generator = contourpy.contour_generator(
            x,
            y,
            np.ma.masked_invalid(excess),
            name=mpl.rcParams["contour.algorithm"],
            corner_mask=mpl.rcParams["contour.corner_mask"],
            line_type=contourpy.LineType.SeparateCode,
        )
        empty = Path(np.empty((0, 2)))
        paths = []
        for level in contour_levels:
            points, codes = generator.create_contour(level)
            paths.append(Path(np.concatenate(points), np.concatenate(codes)) if points else empty)
        self.lines.set_paths(paths)


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
