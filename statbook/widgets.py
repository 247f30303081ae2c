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
  data (:data:`EXPLORER_MIME`, the frames and their labels), which the HTML book
  renders with frames as files (``_ext/explorer_frames.py``), and as
  self-contained ``text/html`` (frames as ``data:`` URIs, the script inline) for
  other tools.  The book drops the widget view (``_config.yml``), so sliders work
  without a kernel, without a server and without any JavaScript from elsewhere.

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
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from statbook.livefigure import LiveFigure, Scene

STATIC_ENV = "STATBOOK_STATIC"
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


def quantize_png(png: bytes, colors: int, fmt: str = "png") -> bytes:
    """Reduce a PNG to an adaptive palette of ``colors`` colours, saved in ``fmt``.

    ``"png"`` (palette PNG, about three times smaller than the full-colour image)
    or ``"webp"`` (lossless WebP of the same pixels).
    """
    if fmt not in ("png", "webp"):
        raise ValueError(f"fmt must be 'png' or 'webp', not {fmt!r}")
    image = (
        Image.open(io.BytesIO(png)).convert("RGB").quantize(colors, method=Image.Quantize.MEDIANCUT)
    )
    small = io.BytesIO()
    if fmt == "png":
        image.save(small, format="png", optimize=True)
    else:
        image.convert("RGB").save(small, format="webp", lossless=True, method=6)
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
        ``scene(figure)`` builds a :class:`~statbook.livefigure.Scene` on the empty
        ``Figure``; its ``update(**values)`` moves the figure to the slider values.
    sliders
        The sliders, in display order.
    caption
        Figure caption, shown under the figure in both renderings.
    alt
        Alternative text for the image.
    figsize, dpi
        Size of the drawn figure in inches and its resolution; the live image is
        shown at exactly ``figsize × dpi`` CSS pixels.
    table
        Optional ``table(**values)``: rows of text (the first row the header) that
        the figure shows as pixels, e.g. fitted next to true values.  The HTML book
        shows them as a text table under the frame, switched with it, so a screen
        reader (and a search, a copy) reaches the numbers.
    """

    def __init__(
        self,
        scene: Callable[[Figure], Scene],
        sliders: Sequence[Slider],
        *,
        caption: str,
        alt: str,
        figsize: tuple[float, float] = (9.0, 3.8),
        dpi: int = 80,
        table: Callable[..., Sequence[Sequence[str]]] | None = None,
    ):
        self.scene = scene
        self.sliders = tuple(sliders)
        self.caption = caption
        self.alt = alt
        self.figsize = figsize
        self.dpi = dpi
        self.table = table
        n_frames = int(np.prod([len(s.static_grid) for s in self.sliders]))
        if n_frames > MAX_FRAMES:
            raise ValueError(
                f"the static grids give {n_frames} frames; keep them at most {MAX_FRAMES}"
            )
        self.redraws = 0
        self.last_error: str | None = None
        self._figure: LiveFigure | None = None
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
        """The one figure of this explorer, built on first use and kept alive."""
        if self._figure is None:
            self._figure = LiveFigure(self.scene, figsize=self.figsize, dpi=self.dpi)
        return self._figure

    def render(self, *, colors: int | None = None, fmt: str = "png", **values) -> bytes:
        """Draw the figure at ``values`` (defaults for the rest) and return PNG bytes.

        With ``colors`` the frame is reduced to a palette of that many colours, in
        ``fmt`` (the precomputed frames of the book, :func:`quantize_png`; the live
        view never quantizes).
        """
        with self._figure_lock:
            png = self.figure.png(**{**self.defaults, **values})
        return png if colors is None else quantize_png(png, colors, fmt)

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
        width, height = self.figure.size
        self.image = widgets.Image(
            format="png",
            value=self.render(),
            # Drawn size in CSS pixels: never stretched to the width of the output area.
            layout=widgets.Layout(
                width=f"{width}px", height=f"{height}px", max_width="none", align_self="flex-start"
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
    def static_data(self) -> dict:
        """The figure precomputed over the static grid of every slider, as data.

        ``frames``: one ``FRAME_COLORS``-colour lossless ``FRAME_FORMAT`` image per grid
        point (base64, row-major in the slider positions); ``start``: the default
        positions; ``sizes``, ``labels``, ``names``: each slider's number of positions,
        value labels and label; ``tables``: each frame's table rows (with ``table``);
        ``id``, ``caption``, ``alt``, ``width``, ``height``, ``format``: the figure's.
        :func:`explorer_html` writes the figure from it.
        """
        grids = [list(s.static_grid) for s in self.sliders]
        frames = [
            base64.b64encode(
                self.render(
                    colors=FRAME_COLORS,
                    fmt=FRAME_FORMAT,
                    **dict(zip(self.defaults, combo, strict=True)),
                )
            ).decode()
            for combo in itertools.product(*grids)
        ]
        uris = "".join(f"data:image/{FRAME_FORMAT};base64,{f}" for f in frames)
        data = {
            "id": "sbx-" + hashlib.sha256(uris.encode()).hexdigest()[:12],
            "caption": self.caption,
            "alt": self.alt,
            "width": round(self.figsize[0] * self.dpi),
            "height": round(self.figsize[1] * self.dpi),
            "format": FRAME_FORMAT,
            "frames": frames,
            "start": [s.nearest(g, s.default) for s, g in zip(self.sliders, grids, strict=True)],
            "sizes": [len(g) for g in grids],
            "labels": [
                [s.fmt.format(v) for v in g] for s, g in zip(self.sliders, grids, strict=True)
            ],
            "names": [s.label for s in self.sliders],
        }
        if self.table is not None:
            data["tables"] = [
                [list(row) for row in self.table(**dict(zip(self.defaults, combo, strict=True)))]
                for combo in itertools.product(*grids)
            ]
        return data

    def static_html(self, *, interactive: bool = True) -> str:
        """Self-contained HTML of the figure at the default values.

        With ``interactive`` (the book build) it is :func:`explorer_html` of
        :meth:`static_data`, the frames as ``data:`` URIs and the script inline.
        Without, it is the single default frame (a cheap static picture for the saved
        notebook while the live widget does the work).
        """
        if interactive:
            data = self.static_data()
            return explorer_html(data, data_uris(data), embedded=True)
        frame = base64.b64encode(self.render(colors=FRAME_COLORS, fmt="png")).decode()
        src = f"data:image/png;base64,{frame}"
        uid = "sbx-" + hashlib.sha256(src.encode()).hexdigest()[:12]
        width, height = (round(x * self.dpi) for x in self.figsize)
        return (
            f'<figure id="{uid}" class="statbook-explorer">'
            f'<img class="sbx-frame" src="{src}" alt="{html.escape(self.alt)}" '
            f'width="{width}" height="{height}" loading="lazy" decoding="async" '
            'style="max-width:100%;height:auto;background:white">'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In the book (``STATBOOK_STATIC=1``): the frames as data (:data:`EXPLORER_MIME`,
        which the book renders) and as self-contained HTML for other tools; in Jupyter:
        the live widget and a one-frame picture for the saved notebook."""
        bundle = {"text/plain": f"<statbook Explorer: {self.caption}>"}
        if os.environ.get(STATIC_ENV, "") in ("1", "true", "yes"):
            data = self.static_data()
            bundle[EXPLORER_MIME] = data
            bundle["text/html"] = explorer_html(data, data_uris(data), embedded=True)
        else:
            bundle["text/html"] = self.static_html(interactive=False)
            bundle.update(self.widget._repr_mimebundle_(include=include, exclude=exclude))
        return bundle


def data_uris(data: dict) -> list[str]:
    """The frames of :meth:`Explorer.static_data` as ``data:`` URIs."""
    return [f"data:image/{data['format']};base64,{frame}" for frame in data["frames"]]


def _described(alt: str, names: Sequence[str], labels: Sequence[str]) -> str:
    """The alt text with the values shown: "<alt> Shown at N = 100, μ = 1."."""
    shown = ", ".join(f"{n} = {lab}" for n, lab in zip(names, labels, strict=True))
    return f"{alt} Shown at {shown}." if shown else alt


def explorer_html(data: dict, frames: Sequence[str], *, embedded: bool) -> str:
    """The HTML of an explorer (:meth:`Explorer.static_data`) whose frames are at ``frames``.

    Range inputs switch between the frames (statbook/static/explorer.js); on paper a
    panel of ``PRINT_FRAMES`` frames, each labelled with its values, replaces the
    sliders.  ``embedded`` (``frames`` are ``data:`` URIs): the start frame is stored
    once, as the image's src; the print panel gets its frames just before printing; the
    script is inline.  Otherwise (``frames`` are files, the book): every frame's address
    is listed, the print panel's images load lazily, and the page loads the script.
    """
    sizes, start, labels, names = data["sizes"], data["start"], data["labels"], data["names"]
    start_frame = int(np.ravel_multi_index(start, sizes))
    width, height = data["width"], data["height"]
    alt = _described(data["alt"], names, [lab[i] for lab, i in zip(labels, start, strict=True)])
    image = (
        f'<img class="sbx-frame" src="{frames[start_frame]}" alt="{html.escape(alt)}" '
        f'width="{width}" height="{height}" loading="lazy" decoding="async" '
        'style="max-width:100%;height:auto;background:white">'
    )
    controls = "".join(
        f'<label class="sbx-slider">{html.escape(name)} '
        f'<input type="range" min="0" max="{size - 1}" step="1" value="{i}" '
        f'aria-label="{html.escape(name)}" aria-valuetext="{html.escape(lab[i])}"> '
        f"<output>{html.escape(lab[i])}</output></label>"
        for name, size, i, lab in zip(names, sizes, start, labels, strict=True)
    )
    panel = []
    for position in print_frames(sizes, start, PRINT_FRAMES):
        values = [lab[i] for lab, i in zip(labels, position, strict=True)]
        # One span per value: on paper a long label breaks between values only.
        shown = ", ".join(
            f"<span>{html.escape(n)} = {html.escape(v)}</span>"
            for n, v in zip(names, values, strict=True)
        )
        k = int(np.ravel_multi_index(position, sizes))
        source = "" if embedded else f' src="{frames[k]}" loading="lazy" decoding="async"'
        described = html.escape(_described(data["alt"], names, values))
        panel.append(
            f'<figure><img data-sbx-frame="{k}"{source} alt="{described}" width="{width}" '
            f'height="{height}"><figcaption>{shown}</figcaption></figure>'
        )
    stored = [None if embedded and k == start_frame else f for k, f in enumerate(frames)]
    content = {"frames": stored, "labels": labels, "names": names, "sizes": sizes}
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
