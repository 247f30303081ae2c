"""One matplotlib figure kept alive for an explorer, redrawn by blitting what changes.

Drawing a whole figure from scratch costs most of its time in the parts that
stay put while a slider moves: axes, ticks, tick labels, legends (text is the
slow part of a matplotlib draw).  So an explorer's figure is split in two:

* a :class:`Scene` builds the axes and everything that does not depend on the
  slider values once, and marks the artists that do as *animated*; every one of
  them is updated in place (``set_data``, ``set_paths``, ``set_height``, ...),
  none is created anew for a frame;
* a :class:`LiveFigure` draws the static part once into a background image
  and, for every frame, restores that background and draws only the animated
  artists on top.  Whenever the layout changes (axes limits or positions, or
  anything else the scene names in :attr:`Scene.layout`), the background is
  drawn anew, unless a background of that layout was drawn recently: the last
  few are kept (a slider dragged back and forth revisits the same layouts).

A frame is therefore the same image whether it is the first one drawn or the
hundredth: the background depends only on the layout, the animated artists
only on the values.

A scene is built for one :class:`Layout`, the place its figure is shown: a
laptop's page or output area (``"wide"``: panels in a row), a phone's column
(``"phone"``: panels stacked), the printed page (``"print"``: the wide
arrangement drawn at 300 dpi for its printed width).  :func:`panels` lays a
scene's panels out for it, with margins in inches, so one scene reads the same
at every size; :func:`statbook.plotting.smallest_text_px` measures the
text a reader gets.
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox


@dataclass(frozen=True)
class Layout:
    """Where an explorer's figure is shown, and so how it is drawn.

    ``name`` is ``"wide"`` (panels side by side), ``"phone"`` (panels stacked, as wide
    as a phone's column) or ``"print"`` (the wide arrangement drawn for paper);
    ``figsize`` is in inches, ``dpi`` the frame's pixels per inch.
    """

    name: str
    figsize: tuple[float, float]
    dpi: float = 80

    @property
    def stacked(self) -> bool:
        """Panels in a column (the phone layout) rather than in a row."""
        return self.name == "phone"

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of a frame in pixels: figsize × dpi."""
        return round(self.figsize[0] * self.dpi), round(self.figsize[1] * self.dpi)


def panels(
    figure: Figure,
    layout: Layout,
    count: int,
    *,
    ratios: Sequence[float] | None = None,
    left: float = 0.7,
    right: float = 0.15,
    bottom: float = 0.5,
    top: float = 0.45,
    gap: float | None = None,
    **subplot_kw,
) -> list:
    """``count`` axes side by side, or stacked in the phone layout; margins in inches.

    ``gap`` (inches; default 0.75 in a row, 1.0 in a column) separates the panels:
    horizontally in a row (room for a y label), vertically in a column (room for an x
    label and the next panel's title); ``ratios``
    are the panels' relative widths in a row, heights in a column.  Fractions of the
    figure follow from its size, so the same inches of margin hold the same labels at
    every size: ``left/width``, and ``wspace = gap / mean panel width`` (matplotlib's).
    """
    width, height = layout.figsize
    if gap is None:
        gap = 1.0 if layout.stacked else 0.75
    box = {"left": left / width, "right": 1 - right / width}
    box |= {"bottom": bottom / height, "top": 1 - top / height}
    across = height - top - bottom if layout.stacked else width - left - right
    space = gap / ((across - gap * (count - 1)) / count)
    if layout.stacked:
        grid = figure.add_gridspec(count, 1, hspace=space, height_ratios=ratios, **box)
        return [figure.add_subplot(grid[k, 0], **subplot_kw) for k in range(count)]
    grid = figure.add_gridspec(1, count, wspace=space, width_ratios=ratios, **box)
    return [figure.add_subplot(grid[0, k], **subplot_kw) for k in range(count)]


def _artists(obj) -> list[Artist]:
    """The artists in ``obj``: one artist, or a (nested) sequence of them such as a BarContainer."""
    if isinstance(obj, Artist):
        return [obj]
    return [a for item in obj for a in _artists(item)]


class Scene:
    """The artists of one explorer figure: built once, then updated for each frame.

    A subclass builds its axes and the static artists in ``__init__(figure, layout)``
    (a :class:`Layout`; :func:`panels` places the axes),
    registers what changes with :meth:`live` (artists it updates in place), and
    implements ``update(**values)``.  Axes limits belong to the layout: set them
    explicitly in ``update`` (autoscaling is off once a limit is set).
    """

    #: Anything else the static part depends on (e.g. a mode that hides the axes).
    layout: object = None

    def __init__(self, figure: Figure):
        self.figure = figure
        self._live: list[Artist] = []

    def live(self, obj):
        """Mark ``obj`` (an artist or a sequence of them) as changing with the sliders."""
        for artist in _artists(obj):
            artist.set_animated(True)
            self._live.append(artist)
        return obj

    @property
    def animated(self) -> list[Artist]:
        """Every artist drawn on top of the background, in drawing order (by z-order)."""
        return sorted(self._live, key=lambda a: a.get_zorder())

    def update(self, **values) -> None:
        raise NotImplementedError


def layout_of(figure: Figure, scene: Scene) -> tuple:
    """What the background image depends on: each axes' place, limits and visibility."""
    return (
        tuple(
            (
                tuple(ax.get_position(original=True).bounds),
                tuple(ax.get_xlim()),
                tuple(ax.get_ylim()),
                ax.axison,
                ax.get_visible(),
            )
            for ax in figure.axes
        ),
        scene.layout,
    )


def _rows_cols(box: Bbox, shape: tuple[int, ...]) -> tuple[slice, slice]:
    """The pixel rows and columns of a display-space box (y up) in an image of ``shape``."""
    height, width = shape[:2]
    x0, x1 = (int(np.clip(v, 0, width)) for v in (np.floor(box.x0), np.ceil(box.x1)))
    y0, y1 = (int(np.clip(v, 0, height)) for v in (np.floor(box.y0), np.ceil(box.y1)))
    return slice(height - y1, height - y0), slice(x0, x1)


def snap_up(value: float, steps: Iterable[float] = (1, 1.5, 2, 3, 4, 5, 6, 8)) -> float:
    """The smallest number ``s·10^k ≥ value`` with ``s`` in ``steps`` (value > 0).

    Axes limits that follow the data snap to these, so they change only now and
    then while a slider moves and the background can be reused in between.
    """
    if not value > 0:
        raise ValueError(f"value must be positive, got {value}")
    exponent = np.floor(np.log10(value))
    candidates = [s * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for s in steps]
    return float(min(c for c in candidates if c >= value * (1 - 1e-12)))


class LiveFigure:
    """A ``Figure`` with its Agg canvas and :class:`Scene`, rendering frames by blitting.

    A frame restores a background and draws the scene's animated artists on it.
    The background of a new layout is made in the cheapest exact way:

    * kept: one of the last ``kept_backgrounds`` layouts, restored as it was;
    * partly redrawn: when only some axes changed their limits, and what each of
      them covers (its tight box, before and after, ticks and labels included)
      meets no other axes and no figure-level artist, only those axes are
      painted over (figure colour, then the axes drawn anew) in the previous
      background; the pixels are those of a full draw, as nothing else paints there;
    * drawn in full otherwise (``full_draws`` counts these).
    """

    #: Pixels added around an axes' tight box for antialiased edges.
    PAD = 2

    def __init__(self, make_scene, layout: Layout, *, kept_backgrounds: int = 12):
        self.layout = layout
        self.figure = Figure(figsize=layout.figsize, dpi=layout.dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        self.scene: Scene = make_scene(self.figure, layout)
        self.kept_backgrounds = kept_backgrounds
        # layout -> (background image, the box each axes covers in it)
        self._backgrounds: OrderedDict[tuple, tuple[object, list[Bbox]]] = OrderedDict()
        self._background = None
        self._layout = None
        self._covered: list[Bbox] = []
        self._fixed: list[Bbox] = []  # boxes of the static figure-level artists
        self.full_draws = 0
        self.partial_draws = 0

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of a frame in pixels."""
        return self.canvas.get_width_height()

    def draw(self, **values) -> np.ndarray:
        """Update the scene to ``values`` and return the frame as an RGB array (rows, cols, 3)."""
        self.scene.update(**values)
        layout = layout_of(self.figure, self.scene)
        if layout in self._backgrounds:
            self._backgrounds.move_to_end(layout)
            self._background, self._covered = self._backgrounds[layout]
            self.canvas.restore_region(self._background)
        else:
            if not self._redraw_changed_axes(layout):
                self._draw_full()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._backgrounds[layout] = (self._background, self._covered)
            if len(self._backgrounds) > self.kept_backgrounds:
                self._backgrounds.popitem(last=False)  # the least recently used
        self._layout = layout
        for artist in self.scene.animated:
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

    def _draw_full(self) -> None:
        self.canvas.draw()  # the static part only: animated artists are skipped
        renderer = self.canvas.get_renderer()
        self._covered = [self._box(ax.get_tightbbox(renderer)) for ax in self.figure.axes]
        fixed = [
            a
            for a in self.figure.get_children()
            if a is not self.figure.patch
            and a not in self.figure.axes
            and a.get_visible()
            and not a.get_animated()
        ]
        self._fixed = [self._box(a.get_window_extent(renderer)) for a in fixed]
        self.full_draws += 1

    def _box(self, bbox: Bbox) -> Bbox:
        return bbox.padded(self.PAD)

    def _redraw_changed_axes(self, layout: tuple) -> bool:
        """Redraw only the axes whose limits changed, if that is exact (see the class).

        Where an axes paints is read off the pixels: its box is painted over in the
        figure colour, the axes drawn, and the pixels that changed are where it
        painted now.  If that place, or where it painted before, meets the box of
        another axes or of a figure-level artist, the caller draws in full instead.
        """
        if self._layout is None or layout[1] != self._layout[1]:
            return False
        old, new = self._layout[0], layout[0]
        if len(old) != len(new) or any(a[0] != b[0] for a, b in zip(old, new, strict=True)):
            return False  # axes added, removed or moved
        changed = [k for k, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        covered = list(self._covered)

        def meets_another(k: int, box: Bbox) -> bool:
            others = [covered[m] for m in range(len(covered)) if m != k] + self._fixed
            return any(box.overlaps(other) for other in others)

        if any(meets_another(k, covered[k]) for k in changed):
            return False
        self.canvas.restore_region(self._background)
        pixels = np.asarray(self.canvas.buffer_rgba())
        face = np.round(255 * np.array(self.figure.get_facecolor())).astype(np.uint8)
        for k in changed:
            pixels[_rows_cols(covered[k], pixels.shape)] = face
            before = pixels.copy()
            self.figure.draw_artist(self.figure.axes[k])
            rows, cols = np.nonzero(np.any(pixels != before, axis=-1))
            if rows.size:
                height = pixels.shape[0]  # display y counts from the bottom, rows from the top
                painted = Bbox(
                    [[cols.min(), height - rows.max() - 1], [cols.max() + 1, height - rows.min()]]
                )
                if meets_another(k, painted):
                    return False
                covered[k] = painted
        self._covered = covered
        self.partial_draws += 1
        return True

    def png(self, **values) -> bytes:
        """The frame at ``values`` as PNG bytes."""
        return png_bytes(self.draw(**values))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an RGB array (rows, cols, 3) of uint8 as a PNG: lossless, no palette.

    The smallest valid PNG writer: signature, header, one zlib stream of the rows
    each prefixed by filter type 0 (none), end.  On flat-coloured plots this is
    about as small as an encoder that tries a filter per row, and several times
    faster (zlib level 1: live frames are sent once, not stored).
    """
    height, width, _ = rgb.shape
    rows = np.zeros((height, 3 * width + 1), dtype=np.uint8)  # column 0: the filter byte
    rows[:, 1:] = rgb.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
        + _chunk(b"IEND", b"")
    )
