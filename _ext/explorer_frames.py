"""Sphinx extension: the book's explorers, rendered from their data with frames as files.

In the book build (``STATBOOK_STATIC=1``) an explorer's output carries its figure as
data, ``application/vnd.statbook.explorer+json`` (:meth:`statbook.widgets.Explorer.
static_data`: the frames as base64, the sliders' labels), beside the self-contained
``text/html`` other tools show.  With its frames as ``data:`` URIs a chapter would weigh
megabytes before the reader moves a slider, so the book renders the data instead: each
frame becomes a file ``_static/sbx/<hash>.webp`` that the page names (the browser fetches
the start frame of the layout it shows, wide or phone, when the figure comes into view,
the others when a slider reaches them, the print panel's when the page is printed), the
HTML is
:func:`statbook.widgets.explorer_html`'s, and the page loads ``_static/explorer.js``
(``statbook/static/explorer.js``).

myst-nb finds MIME renderers through the entry point group ``myst_nb.mime_renderers``.
``_ext`` is never installed, so the entry point is declared by the folder
``_ext/plugins/statbook_book-0.dist-info`` that :func:`register_mime_renderer` puts on
``sys.path``.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

from docutils import nodes
from myst_nb.core.render import load_mime_renders
from sphinx.errors import ExtensionError
from sphinx.util.osutil import relative_uri

import statbook.widgets
from statbook.widgets import EXPLORER_MIME, explorer_html

FRAMES_DIR = "sbx"  # under _static/
SCRIPT = "explorer.js"  # in statbook/static/, copied to _static/
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
PLUGINS = Path(__file__).parent / "plugins"


class explorer(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """An explorer's data (``node["data"]``), written as HTML with its frames as files."""


class ExplorerMime:
    """myst-nb's renderer of :data:`~statbook.widgets.EXPLORER_MIME` (a ``MimeRenderPlugin``):
    preferred to every other MIME type of the output by the HTML builders."""

    mime_priority_overrides = tuple((builder, EXPLORER_MIME, 1) for builder in HTML_BUILDERS)

    @staticmethod
    def handle_mime(renderer, data, inline: bool) -> list[nodes.Element] | None:
        if inline or data.mime_type != EXPLORER_MIME:
            return None
        # The classes myst-nb gives a text/html output: the page is laid out as before.
        return [explorer(data=data.content, classes=["output", "text_html"])]


def register_mime_renderer() -> None:
    """Make :class:`ExplorerMime` one of the MIME renderers myst-nb loads (see the module)."""
    if str(PLUGINS) not in sys.path:
        sys.path.append(str(PLUGINS))
    load_mime_renders.cache_clear()  # entry points are read once, on first use
    if ExplorerMime not in load_mime_renders():
        raise ExtensionError(
            f"myst-nb did not load the explorer renderer declared in {PLUGINS}: "
            "check myst_nb.core.render.load_mime_renders"
        )


def frame_files(
    data: dict, write: Callable[[str, bytes], None], layout: str | None = None
) -> list[str]:
    """The file name of each wide frame of ``data`` (or of ``layout``'s: ``"phone"``,
    ``"print"``), ``<sha256[:16]>.<format>``, after ``write(name, content)`` has stored it."""
    names = []
    for frame in data["frames"] if layout is None else data[layout]["frames"]:
        content = base64.b64decode(frame)
        name = f"{hashlib.sha256(content).hexdigest()[:16]}.{data['format']}"
        write(name, content)
        names.append(name)
    return names


def visit_explorer_html(self, node: explorer) -> None:
    """Write the frames to ``_static/sbx/`` and the explorer naming them."""
    builder = self.builder
    folder = Path(builder.outdir, "_static", FRAMES_DIR)
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, content: bytes) -> None:
        if not (folder / name).exists():
            (folder / name).write_bytes(content)

    page = builder.get_target_uri(builder.current_docname)
    data = node["data"]

    def urls(layout: str | None = None) -> list[str] | None:
        if layout is not None and layout not in data:
            return None
        return [
            relative_uri(page, f"_static/{FRAMES_DIR}/{name}")
            for name in frame_files(data, write, layout)
        ]

    self.body.append(self.starttag(node, "div", suffix=""))
    self.body.append(
        explorer_html(data, urls(), embedded=False, phone=urls("phone"), printed=urls("print"))
    )
    self.body.append("</div>\n")
    raise nodes.SkipNode


def add_static_folder(app, config) -> None:
    """Copy ``statbook/static/`` (the explorers' script) into the build's ``_static``."""
    config.html_static_path.append(str(Path(statbook.widgets.__file__).parent / "static"))


def load_script(app, pagename, templatename, context, doctree) -> None:
    """A page with an explorer loads its script."""
    if doctree is not None and next(doctree.findall(explorer), None) is not None:
        app.add_js_file(SCRIPT)


def clear_frames(app) -> None:
    """Start each build without the frames of earlier builds (their names are hashes)."""
    folder = Path(app.outdir) / "_static" / FRAMES_DIR
    if folder.is_dir():
        for frame in folder.iterdir():
            frame.unlink()


def setup(app):
    register_mime_renderer()
    app.add_node(explorer, html=(visit_explorer_html, None))
    app.connect("config-inited", add_static_folder)
    app.connect("builder-inited", clear_frames)
    app.connect("html-page-context", load_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
