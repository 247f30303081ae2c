"""Small plotting helpers shared by the chapters and the explorers.

A likelihood surface is computed by one vectorized call: build the grid of
parameters with :func:`parameter_grid`, pass it to a model's ``negloglik``,
and draw it with :func:`contour_negloglik`.

A chapter's figure is drawn for each reader's page by :func:`figure_layouts`: a wide
layout (a laptop's column, JupyterLab, paper at 300 dpi) and a phone layout (as wide as a
phone's column, panels stacked); the book's browser shows the one that fits.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable

import contourpy
import matplotlib as mpl
import numpy as np
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.text import Text
from PIL import Image

from statbook._constants import in_book_build

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


# --- figures drawn for each layout ---------------------------------------------------------

#: The MIME type of a figure's layouts in the book build (``_ext/figure_layouts.py``).
FIGURE_MIME = "application/vnd.statbook.figure+json"
#: A figure's drawing resolution: 96 dots an inch, the CSS pixel, so that a figure
#: ``w`` inches wide is drawn ``96 w`` CSS pixels wide and prints ``w`` inches wide.
CSS_DPI = 96
#: The widest a phone layout may be: a 375 px phone's figure column is 327 CSS px.
PHONE_WIDTH = 3.4
#: The widest a wide layout may be: the figure column at 960 px (640 CSS px).
WIDE_WIDTH = 6.65
#: The browser shows the phone layout on a screen this narrow (statbook.js's phones).
PHONE_MEDIA = "(max-width: 600px)"
#: Pixels drawn per CSS pixel on screen (sharp on a phone's 2x screen), and on paper.
SCREEN_DENSITY = 2
PRINT_DPI = 300


def smallest_text_px(figure) -> float:
    """The size of the figure's smallest text in drawn pixels: min(font size in pt) × dpi / 72.

    Over every visible text artist with non-empty text (titles, labels, tick labels,
    legends, annotations); draw the figure first (``figure.draw_without_rendering()``), so
    that its tick labels are set.
    """
    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]
    if not sizes:
        raise ValueError("the figure shows no text")
    return min(sizes) * figure.dpi / 72


class FigureLayouts:
    """One figure drawn for each layout by ``draw(figure, layout)``; see :func:`figure_layouts`.

    ``sizes`` maps each layout, ``"wide"`` and ``"phone"``, to its size in inches at
    :data:`CSS_DPI`.  :meth:`figure` draws a layout once (a ``Figure`` with constrained
    layout, so the drawn size is exactly the size asked for).
    """

    def __init__(self, draw: Callable[[Figure, str], object], sizes: dict[str, tuple]):
        self.draw = draw
        self.sizes = {
            layout: tuple(round(inches * CSS_DPI) / CSS_DPI for inches in size)
            for layout, size in sizes.items()
        }
        self._figures: dict[str, Figure] = {}
        self._pngs: dict[tuple[str, float], bytes] = {}

    def figure(self, layout: str = "wide") -> Figure:
        """The figure of ``layout``, drawn (and its tick labels set) on first use."""
        if layout not in self._figures:
            figure = Figure(figsize=self.sizes[layout], dpi=CSS_DPI, layout="constrained")
            self.draw(figure, layout)
            figure.draw_without_rendering()
            self._figures[layout] = figure
        return self._figures[layout]

    def image(self, layout: str, dpi: float, fmt: str = "webp") -> bytes:
        """The layout drawn at ``dpi`` on white, as lossless WebP (or PNG); each layout is
        rendered once at each resolution."""
        if (layout, dpi) not in self._pngs:
            png = io.BytesIO()
            self.figure(layout).savefig(png, format="png", dpi=dpi, facecolor="white")
            self._pngs[layout, dpi] = png.getvalue()
        png = self._pngs[layout, dpi]
        if fmt == "png":
            return png
        out = io.BytesIO()
        Image.open(io.BytesIO(png)).convert("RGB").save(out, format=fmt, lossless=True, method=6)
        return out.getvalue()

    def size_px(self, layout: str) -> tuple[int, int]:
        """The drawn size of ``layout`` in CSS pixels: inches × :data:`CSS_DPI`."""
        return tuple(round(inches * CSS_DPI) for inches in self.sizes[layout])

    def layout_data(self) -> dict:
        """The figure's layouts as data (:data:`FIGURE_MIME`), in the order a browser should
        try them: paper (the wide layout at :data:`PRINT_DPI`), the phone layout for
        :data:`PHONE_MEDIA`, the wide layout for every other screen (``media`` empty).

        Each: ``media``, ``format``, ``image`` (base64), ``width`` and ``height`` (CSS px),
        ``density`` (image pixels per CSS pixel) and ``text_px`` (:func:`smallest_text_px`).
        """
        plan = [
            ("print", "wide", PRINT_DPI / CSS_DPI),
            (PHONE_MEDIA, "phone", SCREEN_DENSITY),
            ("", "wide", SCREEN_DENSITY),
        ]
        layouts = []
        for media, layout, density in plan:
            width, height = self.size_px(layout)
            image = self.image(layout, CSS_DPI * density)
            layouts.append(
                {
                    "media": media,
                    "format": "webp",
                    "image": base64.b64encode(image).decode(),
                    "width": width,
                    "height": height,
                    "density": density,
                    "text_px": smallest_text_px(self.figure(layout)),
                }
            )
        return {"layouts": layouts}

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In Jupyter the wide layout as PNG (sharp on a 2x screen, shown at its drawn
        size); in the book build (``STATBOOK_STATIC=1``) also every layout as data
        (:data:`FIGURE_MIME`, which ``_ext/figure_layouts.py`` renders)."""
        width, height = self.size_px("wide")
        png = self.image("wide", CSS_DPI * SCREEN_DENSITY, fmt="png")
        bundle = {
            "text/plain": f"<statbook figure, {width}×{height} px>",
            "image/png": base64.b64encode(png).decode(),
        }
        metadata = {"image/png": {"width": width, "height": height}}
        if in_book_build():
            bundle[FIGURE_MIME] = self.layout_data()
        return bundle, metadata


def figure_layouts(
    draw: Callable[[Figure, str], object], *, wide: tuple, phone: tuple
) -> FigureLayouts:
    """A figure drawn by ``draw(figure, layout)`` for a wide page and for a phone.

    ``layout`` is ``"wide"`` (at most :data:`WIDE_WIDTH` inches wide: a laptop's column,
    JupyterLab, and paper) or ``"phone"`` (at most :data:`PHONE_WIDTH` inches wide: a
    phone's column; stack the panels).  ``wide`` and ``phone`` are the sizes in inches
    (``figsize``); an inch is 96 CSS pixels, so text of ``s`` pt shows at ``4 s / 3`` px.
    The last line of a cell shows it: the wide layout in Jupyter, and in the book the
    layout that fits the reader's screen (the wide one on paper).
    """
    for name, size, widest in (("wide", wide, WIDE_WIDTH), ("phone", phone, PHONE_WIDTH)):
        if len(size) != 2 or not all(0 < s for s in size) or size[0] > widest:
            raise ValueError(f"{name} must be (width, height) in inches, width at most {widest}")
    return FigureLayouts(draw, {"wide": wide, "phone": phone})
