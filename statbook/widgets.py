"""Slider explorers that are live in Jupyter and still interactive in the HTML book.

An :class:`Explorer` wires a few sliders to a :class:`~statbook.livefigure.Scene`,
the artists of one matplotlib ``Figure`` that is kept alive and updated in
place for each frame (see :mod:`statbook.livefigure`).  The explorer holds no
mathematics: the scene calls the model modules, where the tests can reach
every formula.

Displayed in a notebook, one object gives two renderings in one output:

* the live ipywidgets view (sliders above an ``ipywidgets.Image`` that is
  redrawn while a slider moves) for JupyterLab and Jupyter Notebook.  The
  sliders send their values continuously.  The widget front end sends a
  slider's next value only once the kernel has handled the last one, so the
  kernel takes each value at once and draws in a thread of its own: a frame
  is drawn for the newest values whenever the previous frame is done, values
  that were overtaken meanwhile are never drawn, and the last frame is the
  one for the values the slider was released at;
* the same figure precomputed over a small grid of slider values, switched by
  ``<input type="range">`` with the script ``statbook/static/explorer.js``: as
  data (:data:`EXPLORER_MIME`, the frames of each layout and their labels), which
  the HTML book renders with frames as files (``_ext/explorer_frames.py``); other
  tools get the start frame as a picture (``text/html``), so the notebook holds
  the frames once.  The book drops the widget view (``_config.yml``), so sliders
  work without a kernel, without a server and without any JavaScript from elsewhere.

Each figure is drawn for where it is shown (:class:`~statbook.livefigure.Layout`):
wide (at most 680 CSS px, for a 700 px page or output area; the live view),
phone (panels stacked, 340 px: a ``<picture>`` source the browser picks in a
narrow window and loads only there) and print (the small-multiples panel that
replaces the sliders on paper, 300 dpi at its printed size).  Every frame's
``<img>`` or ``<source>`` carries its drawn size (``width``, ``height``, CSS px)
and the height of its smallest text at that size (``data-text-px``), so a test
reads the text size a reader gets: data-text-px × shown width ÷ width.

The environment variable ``STATBOOK_STATIC=1`` (set by ``make book``) selects
the book rendering: the whole frame grid and no live widget, so no widget state
lands in the page.  Without it, the ``text/html`` part is the single default
frame, a static picture for saved notebooks that costs one extra drawing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from statbook._constants import in_book_build
from statbook.livefigure import Layout, LiveFigure, Scene, png_bytes
from statbook.plotting import smallest_text_px

MAX_FRAMES = 120
# After a kernel restart an old slider still moves its readout, but nothing redraws the
# figure.  ipywidgets' front end (@jupyter-widgets/base, JupyterLab and Notebook 7) marks
# the view of every widget whose kernel connection is gone with the class
# jupyter-widgets-disconnected; the live view's style sheet (RESTART_STYLE) then shows
# RESTART_HINT (the view's last child) between the sliders and the figure, dims the figure
# and the sliders and stops the sliders.
RESTART_HINT = "The kernel has restarted: run this cell again to move the sliders."
RESTART_STYLE = """<style>
.sbx-live > .sbx-restart { display: none; }
.sbx-live.jupyter-widgets-disconnected > :not(.widget-slider, .sbx-restart) { order: 1; }
.sbx-live.jupyter-widgets-disconnected > .sbx-restart {
  display: block; margin: 0.4em 0; padding: 0.4em 0.6em; font-weight: bold;
  color: var(--jp-ui-font-color0, #1f1f1f); background: var(--jp-warn-color3, #fff3cd);
  border: 2px solid var(--jp-warn-color0, #b45309); border-radius: 4px;
}
.sbx-live.jupyter-widgets-disconnected > .widget-slider,
.sbx-live.jupyter-widgets-disconnected > .widget-image { opacity: 0.35; pointer-events: none; }
</style>"""
# The precomputed frames: a 16-colour palette (line plots and contours need no more),
# saved as lossless WebP, which every current browser shows and which is 15-25 % smaller
# than the same palette as PNG (benchmarks/bench_pages.py measures both).
FRAME_COLORS = 16
FRAME_FORMAT = "webp"
PRINT_FRAMES = 4  # frames in the small-multiples panel that replaces the sliders on paper
# The print layout: the wide arrangement drawn for its printed width (at most PRINT_WIDTH
# inches, the A4 column less a little) at PRINT_DPI pixels per printed inch.
PRINT_WIDTH = 7.0
PRINT_DPI = 300
CSS_PX_PER_INCH = 96  # a CSS pixel is 1/96 inch on paper
# The phone layout's frames are shown where the window is at most this wide (the wide
# frames, drawn for a 700 px area, would shrink their text below 8 px there).
PHONE_MEDIA = "(max-width: 720px)"

# The explorer's data for a renderer of its own (the book's, _ext/explorer_frames.py): the
# frames as base64 and the labels, from which explorer_html writes the same figure.
EXPLORER_MIME = "application/vnd.statbook.explorer+json"


def explorer_script() -> str:
    """The script that makes an explorer's sliders swap its frames (statbook/static/explorer.js)."""
    return (resources.files("statbook") / "static" / "explorer.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Slider:
    """One slider: the keyword it feeds to ``draw`` and the values it offers.

    ``values`` are offered live; ``static_values`` (default: ``values``) are the
    grid precomputed for the HTML book, so keep that one short.
    """

    name: str
    label: str
    values: Sequence[float]
    default: float
    static_values: Sequence[float] | None = None
    fmt: str = "{:g}"

    def __post_init__(self):
        if len(self.values) < 2:
            raise ValueError(f"slider {self.name!r}: values must offer at least two choices")
        for grid in (self.values, self.static_grid):
            if not any(np.isclose(self.default, v) for v in grid):
                raise ValueError(
                    f"slider {self.name!r}: default {self.default} is not among "
                    f"its values {list(grid)}"
                )

    @property
    def static_grid(self) -> Sequence[float]:
        return self.values if self.static_values is None else self.static_values

    def nearest(self, grid: Sequence[float], value: float) -> int:
        """Index of the grid value closest to ``value``."""
        return int(np.argmin(np.abs(np.asarray(grid, dtype=float) - value)))


def quantize_rgb(rgb: np.ndarray, colors: int, fmt: str = "png") -> bytes:
    """Reduce an RGB frame (rows, cols, 3) to an adaptive palette of ``colors`` colours,
    saved in ``fmt``.

    ``"png"`` (palette PNG, about three times smaller than the full-colour image)
    or ``"webp"`` (lossless WebP of the same pixels).  The palette is median cut's (the
    fast octree, ten times faster, merged a histogram's grey into the white background;
    maximum coverage turned it blue).  WebP's ``method`` 2 makes files as small as its
    slowest, 6, in a third of the time (measured on the explorers' frames).
    """
    if fmt not in ("png", "webp"):
        raise ValueError(f"fmt must be 'png' or 'webp', not {fmt!r}")
    image = Image.fromarray(rgb, "RGB").quantize(colors, method=Image.Quantize.MEDIANCUT)
    small = io.BytesIO()
    if fmt == "png":
        image.save(small, format="png", optimize=True)
    else:
        image.convert("RGB").save(small, format="webp", lossless=True, method=2)
    return small.getvalue()


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """An HTML table of text rows, the first row the column headers."""
    head, *body = rows
    cells = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in head)
    lines = "".join(
        f'<tr><th scope="row">{html.escape(row[0])}</th>'
        + "".join(f"<td>{html.escape(c)}</td>" for c in row[1:])
        + "</tr>"
        for row in body
    )
    return f'<table class="sbx-table"><thead><tr>{cells}</tr></thead><tbody>{lines}</tbody></table>'


def print_frames(sizes: Sequence[int], start: Sequence[int], count: int) -> list[tuple[int, ...]]:
    """Slider positions of the small-multiples panel: the start, then each slider at its
    ends with the others at the start, in slider order, at most ``count`` in all."""
    chosen = [tuple(start)]
    for i, size in enumerate(sizes):
        for end in (0, size - 1):
            position = (*start[:i], end, *start[i + 1 :])
            if position not in chosen:
                chosen.append(position)
    return chosen[:count]


class Explorer:
    """A figure driven by sliders: live ipywidgets in Jupyter, precomputed frames in HTML.

    Parameters
    ----------
    scene
        ``scene(figure, layout)`` builds a :class:`~statbook.livefigure.Scene` on the
        empty ``Figure`` for a :class:`~statbook.livefigure.Layout`; its
        ``update(**values)`` moves the figure to the slider values.
    sliders
        The sliders, in display order.
    caption
        Figure caption, shown under the figure in both renderings.
    alt
        Alternative text for the image.
    figsize, dpi
        Size of the wide figure in inches and its resolution (``figsize × dpi`` CSS
        pixels, at most about 680 for a 700 px area): the live image, and the frames a
        wide window shows.
    phone
        Size in inches (at ``dpi``) of the phone layout, panels stacked, about 340 CSS
        pixels wide: the frames a window up to :data:`PHONE_MEDIA` shows.  Without it
        the wide frames are shown everywhere.
    table
        Optional ``table(**values)``: rows of text (the first row the header) that
        the figure shows as pixels, e.g. fitted next to true values.  The HTML book
        shows them as a text table under the frame, switched with it, so a screen
        reader (and a search, a copy) reaches the numbers.
    """

    def __init__(
        self,
        scene: Callable[[Figure, Layout], Scene],
        sliders: Sequence[Slider],
        *,
        caption: str,
        alt: str,
        figsize: tuple[float, float] = (8.5, 3.6),
        dpi: int = 80,
        phone: tuple[float, float] | None = None,
        table: Callable[..., Sequence[Sequence[str]]] | None = None,
    ):
        self.scene = scene
        self.sliders = tuple(sliders)
        self.caption = caption
        self.alt = alt
        self.figsize = figsize
        self.dpi = dpi
        self.table = table
        printed = min(PRINT_WIDTH, figsize[0])
        self.layouts = {
            "wide": Layout("wide", figsize, dpi),
            **({"phone": Layout("phone", phone, dpi)} if phone is not None else {}),
            "print": Layout("print", figsize, PRINT_DPI * printed / figsize[0]),
        }
        n_frames = int(np.prod([len(s.static_grid) for s in self.sliders]))
        if n_frames > MAX_FRAMES:
            raise ValueError(
                f"the static grids give {n_frames} frames; keep them at most {MAX_FRAMES}"
            )
        self.redraws = 0
        self.last_error: str | None = None
        self._figures: dict[str, LiveFigure] = {}
        self._widget = None
        # The newest slider values not drawn yet, and whether a drawing thread runs; the
        # figure is drawn by one thread at a time.
        self._wanted: dict[str, float] | None = None
        self._drawing = False
        self._pending = threading.Condition()
        self._figure_lock = threading.Lock()

    @property
    def defaults(self) -> dict[str, float]:
        return {s.name: s.default for s in self.sliders}

    @property
    def figure(self) -> LiveFigure:
        """The wide figure of this explorer (the live one), built on first use, kept alive."""
        return self.layout_figure("wide")

    def layout_figure(self, layout: str) -> LiveFigure:
        """The figure of one of :attr:`layouts`, built on first use and kept alive."""
        if layout not in self._figures:
            self._figures[layout] = LiveFigure(self.scene, self.layouts[layout])
        return self._figures[layout]

    def forget_figures(self) -> None:
        """Drop the kept figures: the next frame is drawn by a new one."""
        self._figures.clear()

    def render(
        self, *, colors: int | None = None, fmt: str = "png", layout: str = "wide", **values
    ) -> bytes:
        """Draw the figure of ``layout`` at ``values`` (defaults for the rest) as PNG bytes.

        With ``colors`` the frame is reduced to a palette of that many colours, in
        ``fmt`` (the precomputed frames of the book, :func:`quantize_rgb`; the live
        view never quantizes).
        """
        with self._figure_lock:
            rgb = self.layout_figure(layout).draw(**{**self.defaults, **values})
        return png_bytes(rgb) if colors is None else quantize_rgb(rgb, colors, fmt)

    # --- live version -----------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets view, built on first use: sliders above an ``Image``."""
        self._build_widget()
        return self._widget

    def _build_widget(self) -> None:
        """Create the controls, the image and the view once (ipywidgets is imported here)."""
        if self._widget is not None:
            return
        import ipywidgets as widgets

        # One column: every description gets the width of the longest, every slider
        # the same length, so the tracks and the readouts line up.
        label_width = f"{max(len(s.label) for s in self.sliders) * 0.62 + 0.5:.1f}em"
        self.controls = {
            s.name: widgets.SelectionSlider(
                options=[(s.fmt.format(v), v) for v in s.values],
                value=s.values[s.nearest(s.values, s.default)],
                description=s.label,
                continuous_update=True,
                style={"description_width": label_width},
                layout=widgets.Layout(width=f"calc({label_width} + 24em)"),
            )
            for s in self.sliders
        }
        width, _height = self.figure.size
        self.image = widgets.Image(
            format="png",
            value=self.render(),
            # Drawn size in CSS pixels (the wide layout: at most 680, for a 700 px output
            # area), never stretched; narrower than that, shrunk to the area's width whole.
            layout=widgets.Layout(
                width=f"{width}px", height="auto", max_width="100%", align_self="flex-start"
            ),
        )
        self.message = widgets.HTML("")
        for control in self.controls.values():
            control.observe(self._redraw, names="value")
        notice = widgets.HTML(f"{RESTART_STYLE}<p role='status'>{RESTART_HINT}</p>")
        self._widget = widgets.VBox(
            [
                *self.controls.values(),
                self.image,
                self.message,
                widgets.HTML(html.escape(self.caption)),
                notice.add_class("sbx-restart"),
            ]
        )
        self._widget.add_class("sbx-live")

    def set(self, **values) -> None:
        """Move sliders to (the grid values nearest) ``values``, as a reader would."""
        self._build_widget()
        by_name = {s.name: s for s in self.sliders}
        for name, value in values.items():
            if name not in by_name:
                raise ValueError(f"no slider named {name!r}; sliders: {sorted(by_name)}")
            slider = by_name[name]
            self.controls[name].value = slider.values[slider.nearest(slider.values, value)]
            self.wait_drawn()

    def wait_drawn(self, timeout: float = 60.0) -> None:
        """Return once the image shows the sliders' current values."""
        with self._pending:
            if not self._pending.wait_for(lambda: not self._drawing, timeout):
                raise TimeoutError(f"no frame drawn within {timeout} s")

    def _redraw(self, _change=None) -> None:
        """Take the sliders' values; the drawing thread draws the newest values it has."""
        current = {name: control.value for name, control in self.controls.items()}
        with self._pending:
            self._wanted = current
            if self._drawing:
                return  # the running thread draws them once its frame is done
            self._drawing = True
        threading.Thread(target=self._draw_wanted, name="statbook-explorer", daemon=True).start()

    def _draw_wanted(self) -> None:
        """Draw the newest wanted values until none are left, then end."""
        while True:
            with self._pending:
                values, self._wanted = self._wanted, None
                if values is None:
                    self._drawing = False
                    self._pending.notify_all()
                    return
            try:
                self._show(values)
            except BaseException:  # _show reports drawing errors; this is anything else
                with self._pending:
                    self._drawing = False
                    self._pending.notify_all()
                raise

    def _show(self, values: dict[str, float]) -> None:
        try:
            self.image.value = self.render(**values)
            self.last_error = None
            self.message.value = ""
        except Exception as err:  # a slider position must never leave a traceback behind
            self.last_error = f"{type(err).__name__}: {err}"
            self.message.value = (
                f"<b>Cannot draw at these values:</b> {html.escape(self.last_error)}"
            )
        self.redraws += 1

    # --- static version ----------------------------------------------------------------
    def _frames(self, layout: str, combos) -> tuple[list[str], float]:
        """The frames of ``layout`` at each of ``combos`` (base64), and the smallest text
        drawn in any of them in CSS pixels at the shown width (:func:`shown_size`)."""
        frames, smallest = [], np.inf
        figure = self.layout_figure(layout)
        for combo in combos:
            values = dict(zip(self.defaults, combo, strict=True))
            frame = self.render(colors=FRAME_COLORS, fmt=FRAME_FORMAT, layout=layout, **values)
            frames.append(base64.b64encode(frame).decode())
            smallest = min(smallest, smallest_text_px(figure.figure))
        drawn = self.layouts[layout].size[0]
        return frames, smallest * shown_size(self.layouts[layout])[0] / drawn

    def static_data(self) -> dict:
        """The figure precomputed over the static grid of every slider, as data.

        ``frames``: one ``FRAME_COLORS``-colour lossless ``FRAME_FORMAT`` image per grid
        point of the wide layout (base64, row-major in the slider positions); ``start``:
        the default positions; ``sizes``, ``labels``, ``names``: each slider's number of
        positions, value labels and label; ``tables``: each frame's table rows (with
        ``table``); ``id``, ``caption``, ``alt``, ``format``; ``width``, ``height``,
        ``text_px``: the wide frames' shown size and smallest text in CSS pixels.
        ``phone`` (with a phone layout): its ``frames`` (every grid point), ``width``,
        ``height``, ``text_px``, ``media``; ``print``: the same for the print panel, its
        ``frames`` only those of ``positions`` (the panel's frames, :func:`print_frames`).
        :func:`explorer_html` writes the figure from it.
        """
        grids = [list(s.static_grid) for s in self.sliders]
        combos = list(itertools.product(*grids))
        start = [s.nearest(g, s.default) for s, g in zip(self.sliders, grids, strict=True)]
        sizes = [len(g) for g in grids]
        frames, text_px = self._frames("wide", combos)
        uris = "".join(f"data:image/{FRAME_FORMAT};base64,{f}" for f in frames)
        width, height = shown_size(self.layouts["wide"])
        data = {
            "id": "sbx-" + hashlib.sha256(uris.encode()).hexdigest()[:12],
            "caption": self.caption,
            "alt": self.alt,
            "width": width,
            "height": height,
            "text_px": round(text_px, 2),
            "format": FRAME_FORMAT,
            "frames": frames,
            "start": start,
            "sizes": sizes,
            "labels": [
                [s.fmt.format(v) for v in g] for s, g in zip(self.sliders, grids, strict=True)
            ],
            "names": [s.label for s in self.sliders],
        }
        if "phone" in self.layouts:
            frames, text_px = self._frames("phone", combos)
            width, height = shown_size(self.layouts["phone"])
            data["phone"] = {
                "frames": frames,
                "width": width,
                "height": height,
                "text_px": round(text_px, 2),
                "media": PHONE_MEDIA,
            }
        positions = [
            int(np.ravel_multi_index(p, sizes)) for p in print_frames(sizes, start, PRINT_FRAMES)
        ]
        frames, text_px = self._frames("print", [combos[k] for k in positions])
        width, height = shown_size(self.layouts["print"])
        data["print"] = {
            "frames": frames,
            "positions": positions,
            "width": width,
            "height": height,
            "text_px": round(text_px, 2),
        }
        if self.table is not None:
            data["tables"] = [
                [list(row) for row in self.table(**dict(zip(self.defaults, combo, strict=True)))]
                for combo in combos
            ]
        return data

    def static_html(self, *, interactive: bool = True) -> str:
        """Self-contained HTML of the figure at the default values.

        With ``interactive`` it is :func:`explorer_html` of :meth:`static_data`, the
        frames as ``data:`` URIs and the script inline.  Without, it is the single default
        frame (a cheap static picture for the saved notebook while the live widget does the
        work).
        """
        if interactive:
            data = self.static_data()
            return explorer_html(
                data,
                data_uris(data),
                embedded=True,
                phone=data_uris(data, "phone"),
                printed=data_uris(data, "print"),
            )
        frame = base64.b64encode(self.render(colors=FRAME_COLORS, fmt="png")).decode()
        src = f"data:image/png;base64,{frame}"
        uid = "sbx-" + hashlib.sha256(src.encode()).hexdigest()[:12]
        width, height = self.layouts["wide"].size
        figure = self.figure.figure
        return (
            f'<figure id="{uid}" class="statbook-explorer">'
            f'<img class="sbx-frame" src="{src}" alt="{html.escape(self.alt)}" '
            f'width="{width}" height="{height}" data-text-px="{smallest_text_px(figure):.2f}" '
            'loading="lazy" decoding="async" style="max-width:100%;height:auto;background:white">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In the book (``STATBOOK_STATIC=1``): the frames as data (:data:`EXPLORER_MIME`,
        which the book renders) and, for other tools, the start frame as a picture
        (:func:`picture_html`: the frames are in the data once, not again as HTML); in
        Jupyter: the live widget and a one-frame picture for the saved notebook."""
        bundle = {"text/plain": f"<statbook Explorer: {self.caption}>"}
        if in_book_build():
            data = self.static_data()
            bundle[EXPLORER_MIME] = data
            bundle["text/html"] = picture_html(data)
        else:
            bundle["text/html"] = self.static_html(interactive=False)
            bundle.update(self.widget._repr_mimebundle_(include=include, exclude=exclude))
        return bundle


def shown_size(layout: Layout) -> tuple[int, int]:
    """The size a layout's frames are shown at, in CSS pixels: the drawn pixels on screen
    (wide, phone); the printed size for print (figsize × PRINT_DPI ÷ dpi inches, 96 CSS px
    an inch)."""
    if layout.name != "print":
        return layout.size
    scale = CSS_PX_PER_INCH * layout.dpi / PRINT_DPI
    return round(layout.figsize[0] * scale), round(layout.figsize[1] * scale)


def data_uris(data: dict, layout: str | None = None) -> list[str] | None:
    """The frames of :meth:`Explorer.static_data` as ``data:`` URIs: the wide ones, or
    those of ``layout`` (``"phone"``, ``"print"``; None if the data has no such layout)."""
    if layout is not None and layout not in data:
        return None
    frames = data["frames"] if layout is None else data[layout]["frames"]
    return [f"data:image/{data['format']};base64,{frame}" for frame in frames]


def _size_attributes(shown: dict) -> str:
    """``width``, ``height`` (the drawn size in CSS pixels) and ``data-text-px`` (its
    smallest text at that size) of a frame: on screen its text is data-text-px × shown
    width ÷ width."""
    return f'width="{shown["width"]}" height="{shown["height"]}" data-text-px="{shown["text_px"]}"'


def _picture(data: dict, wide: str, phone: str | None, alt: str) -> str:
    """The frame as a ``<picture>``: the phone frame where the window is narrow (a
    ``<source>`` for :data:`PHONE_MEDIA`), the wide one (the ``<img>``) elsewhere; the
    browser loads only the one it shows."""
    image = (
        f'<img class="sbx-frame" src="{wide}" alt="{html.escape(alt)}" {_size_attributes(data)}'
        ' loading="lazy" decoding="async" '
        'style="max-width:100%;height:auto;background:white">'
    )
    if phone is None:
        return image
    source = (
        f'<source class="sbx-phone" media="{data["phone"]["media"]}" srcset="{phone}" '
        f"{_size_attributes(data['phone'])}>"
    )
    return f'<picture class="sbx-picture">{source}{image}</picture>'


def picture_html(data: dict) -> str:
    """The explorer of :meth:`Explorer.static_data` as one picture at its start values
    (wide and phone frames as ``data:`` URIs), its caption under it: a static figure."""
    sizes, start, labels = data["sizes"], data["start"], data["labels"]
    k = int(np.ravel_multi_index(start, sizes))
    alt = _described(
        data["alt"], data["names"], [lab[i] for lab, i in zip(labels, start, strict=True)]
    )
    phone = data_uris(data, "phone")
    picture = _picture(data, data_uris(data)[k], phone[k] if phone else None, alt)
    return (
        f'<figure id="{data["id"]}" class="statbook-explorer">{picture}'
        f"<figcaption>{html.escape(data['caption'])}</figcaption></figure>"
    )


def _described(alt: str, names: Sequence[str], labels: Sequence[str]) -> str:
    """The alt text with the values shown: "<alt> Shown at N = 100, μ = 1."."""
    shown = ", ".join(f"{n} = {lab}" for n, lab in zip(names, labels, strict=True))
    return f"{alt} Shown at {shown}." if shown else alt


def explorer_html(
    data: dict,
    frames: Sequence[str],
    *,
    embedded: bool,
    phone: Sequence[str] | None = None,
    printed: Sequence[str] | None = None,
) -> str:
    """The HTML of an explorer (:meth:`Explorer.static_data`) whose frames are at ``frames``.

    Range inputs switch between the frames (statbook/static/explorer.js); with ``phone``
    (the phone layout's frames) the frame is a ``<picture>`` whose phone ``<source>``
    switches with it.  On paper a panel of ``PRINT_FRAMES`` frames, each labelled with
    its values, replaces the sliders: ``printed`` (the print layout's frames, in the
    order of ``data["print"]["positions"]``), else the wide frames.  ``embedded``
    (``frames`` are ``data:`` URIs): the start frames are stored once, as the image's src
    and the source's srcset; the print panel gets its frames (``printed``, else the wide
    ones) just before printing; the script is inline.  Otherwise (``frames`` are files,
    the book): every frame's address is listed, the print panel's images load lazily,
    and the page loads the script.
    """
    sizes, start, labels, names = data["sizes"], data["start"], data["labels"], data["names"]
    start_frame = int(np.ravel_multi_index(start, sizes))
    alt = _described(data["alt"], names, [lab[i] for lab, i in zip(labels, start, strict=True)])
    image = _picture(data, frames[start_frame], phone[start_frame] if phone else None, alt)
    controls = "".join(
        f'<label class="sbx-slider">{html.escape(name)} '
        f'<input type="range" min="0" max="{size - 1}" step="1" value="{i}" '
        f'aria-label="{html.escape(name)}" aria-valuetext="{html.escape(lab[i])}"> '
        f"<output>{html.escape(lab[i])}</output></label>"
        for name, size, i, lab in zip(names, sizes, start, labels, strict=True)
    )
    panel = []
    on_paper = data["print"] if printed is not None else data
    for j, position in enumerate(print_frames(sizes, start, PRINT_FRAMES)):
        values = [lab[i] for lab, i in zip(labels, position, strict=True)]
        # One span per value: on paper a long label breaks between values only.
        shown = ", ".join(
            f"<span>{html.escape(n)} = {html.escape(v)}</span>"
            for n, v in zip(names, values, strict=True)
        )
        k = int(np.ravel_multi_index(position, sizes))
        address = printed[j] if printed is not None else frames[k]
        source = "" if embedded else f' src="{address}" loading="lazy" decoding="async"'
        described = html.escape(_described(data["alt"], names, values))
        panel.append(
            f'<figure><img data-sbx-frame="{k}"{source} alt="{described}" '
            f"{_size_attributes(on_paper)}><figcaption>{shown}</figcaption></figure>"
        )

    def stored(addresses):
        return [None if embedded and k == start_frame else f for k, f in enumerate(addresses)]

    content = {"frames": stored(frames), "labels": labels, "names": names, "sizes": sizes}
    if phone is not None:
        content["phone"] = stored(phone)
    if embedded and printed is not None:
        content["print"] = list(printed)
    table = ""
    if "tables" in data:
        content["tables"] = data["tables"]
        table = text_table(data["tables"][start_frame])
    block = json.dumps({**content, "alt": data["alt"]}).replace("</", "<\\/")
    script = f"<script>{explorer_script()}</script>" if embedded else ""
    return (
        f'<figure id="{data["id"]}" class="statbook-explorer">'
        f'<div class="statbook-explorer-controls">{controls}</div>{image}{table}'
        f'<div class="sbx-print" aria-hidden="true">{"".join(panel)}</div>'
        f"<figcaption>{html.escape(data['caption'])} <em>(In the HTML book the sliders step "
        f"through a precomputed grid of values; run the notebook live in Jupyter for every "
        f"value.)</em></figcaption>"
        f'<script type="application/json" class="sbx-data">{block}</script>{script}</figure>'
    )
