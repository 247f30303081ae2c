"""One matplotlib figure kept alive for an explorer, redrawn by blitting what changes.

Drawing a whole figure from scratch costs most of its time in the parts that
stay put while a slider moves: axes, ticks, tick labels, legends (text is the
slow part of a matplotlib draw).  So an explorer's figure is split in two:

* a :class:`Scene` builds the axes and everything that does not depend on the
  slider values once, and marks the artists that do as *animated*: lines and
  markers are updated in place (``set_data``), contour sets and bars are
  replaced because their geometry changes;
* a :class:`LiveFigure` draws the static part once into a background image
  and, for every frame, restores that background and draws only the animated
  artists on top.  Whenever the layout changes (axes limits or positions, or
  anything else the scene names in :attr:`Scene.layout`), the background is
  drawn anew.

A frame is therefore the same image whether it is the first one drawn or the
hundredth: the background depends only on the layout, the animated artists
only on the values.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def _artists(obj) -> list[Artist]:
    """The artists in ``obj``: one artist, or a (nested) sequence of them such as a BarContainer."""
    if isinstance(obj, Artist):
        return [obj]
    return [a for item in obj for a in _artists(item)]


class Scene:
    """The artists of one explorer figure: built once, then updated for each frame.

    A subclass builds its axes and the static artists in ``__init__(figure)``,
    registers what changes with :meth:`live` (artists it updates in place) or
    :meth:`replace` (artists it creates anew for each frame), and implements
    ``update(**values)``.  Axes limits belong to the layout: set them
    explicitly in ``update`` (autoscaling is off once a limit is set).
    """

    #: Anything else the static part depends on (e.g. a mode that hides the axes).
    layout: object = None

    def __init__(self, figure: Figure):
        self.figure = figure
        self._live: list[Artist] = []
        self._replaced: dict[str, list[Artist]] = {}

    def live(self, obj):
        """Mark ``obj`` (an artist or a sequence of them) as changing with the sliders."""
        for artist in _artists(obj):
            artist.set_animated(True)
            self._live.append(artist)
        return obj

    def replace(self, key: str, obj):
        """Remove what was registered under ``key`` last frame and register ``obj`` instead."""
        for artist in self._replaced.pop(key, []):
            artist.remove()
        artists = _artists(obj)
        for artist in artists:
            artist.set_animated(True)
        self._replaced[key] = artists
        return obj

    @property
    def animated(self) -> list[Artist]:
        """Every artist drawn on top of the background, in drawing order (by z-order)."""
        artists = [*self._live, *(a for group in self._replaced.values() for a in group)]
        return sorted(artists, key=lambda a: a.get_zorder())

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

    ``full_draws`` counts the frames that needed a new background (a layout
    change); every other frame only draws the scene's animated artists.
    """

    def __init__(self, make_scene, *, figsize: tuple[float, float], dpi: int):
        self.figure = Figure(figsize=figsize, dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.figure)
        self.scene: Scene = make_scene(self.figure)
        self._background = None
        self._layout = None
        self.full_draws = 0

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of a frame in pixels."""
        return self.canvas.get_width_height()

    def draw(self, **values) -> np.ndarray:
        """Update the scene to ``values`` and return the frame as an RGB array (rows, cols, 3)."""
        self.scene.update(**values)
        layout = layout_of(self.figure, self.scene)
        if layout != self._layout:
            self.canvas.draw()  # the static part only: animated artists are skipped
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._layout = layout
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        for artist in self.scene.animated:
            self.figure.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())[..., :3].copy()

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
