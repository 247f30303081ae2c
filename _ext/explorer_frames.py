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
(``statbook/static/explorer.js``).  The registration with myst-nb and the frame files
are :mod:`_ext.book_files`', shared with the chapters' figures.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

import statbook.widgets
from _ext.book_files import HTML_BUILDERS, clear_folder, image_urls, register_mime_renderer
from statbook.widgets import EXPLORER_MIME, explorer_html

FRAMES_DIR = "sbx"  # under _static/
SCRIPT = "explorer.js"  # in statbook/static/, copied to _static/


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


def visit_explorer_html(self, node: explorer) -> None:
    """Write the frames to ``_static/sbx/`` and the explorer naming them."""
    data = node["data"]

    def urls(layout: str | None = None) -> list[str] | None:
        """The wide frames' addresses, or those of ``layout`` ("phone", "print") if it has any."""
        if layout is not None and layout not in data:
            return None
        frames = data["frames"] if layout is None else data[layout]["frames"]
        return image_urls(self.builder, FRAMES_DIR, frames, data["format"])

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


def setup(app):
    register_mime_renderer(ExplorerMime)
    app.add_node(explorer, html=(visit_explorer_html, None))
    app.connect("config-inited", add_static_folder)
    app.connect("builder-inited", lambda app: clear_folder(app, FRAMES_DIR))
    app.connect("html-page-context", load_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
