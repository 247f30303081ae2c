"""Sphinx extension: a chapter's figure as a ``<picture>`` of its layouts, each image a file.

In the book build (``STATBOOK_STATIC=1``) a figure of :func:`statbook.plotting.figure_layouts`
carries its layouts as data, ``application/vnd.statbook.figure+json``
(:meth:`statbook.plotting.FigureLayouts.layout_data`: paper, phone, wide; each image as
base64 with its drawn size and the size of its smallest text), beside the ``image/png`` of
the wide layout that Jupyter shows.  The book writes each image to
``_static/sbf/<hash>.webp`` and the figure as a ``<picture>``: the browser loads only the
image of the layout it shows (the phone layout on a screen at most 600 px wide, the wide
one on others, the 300 dpi one on paper).  Every ``<source>`` and the ``<img>`` carry the
drawn size (``width``, ``height``, CSS px) and ``data-text-px``, the drawn size of the
smallest text: on screen it shows at ``data-text-px`` × displayed width ÷ ``width``.

The cell's figure options (caption, name) wrap the output as for any image (myst-nb's
``create_figure_context``), and its ``mystnb: image: alt:`` is the image's alt text.
The renderer is declared as an entry point of ``myst_nb.mime_renderers`` by
``_ext/plugins/statbook_book-0.dist-info`` (see ``_ext/explorer_frames.py``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import sys
from pathlib import Path

from docutils import nodes
from myst_nb.core.render import load_mime_renders
from sphinx.errors import ExtensionError
from sphinx.util.osutil import relative_uri

from statbook.plotting import FIGURE_MIME

IMAGES_DIR = "sbf"  # under _static/
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
PLUGINS = Path(__file__).parent / "plugins"


class figure_layouts(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """A figure's layouts (``node["data"]``) and alt text (``node["alt"]``), as a picture."""


class FigureMime:
    """myst-nb's renderer of :data:`~statbook.plotting.FIGURE_MIME` (a ``MimeRenderPlugin``):
    preferred to every other MIME type of the output by the HTML builders (priority 2: after
    the explorers' data, which no figure's output holds, before ``image/png`` at 50)."""

    mime_priority_overrides = tuple((builder, FIGURE_MIME, 2) for builder in HTML_BUILDERS)

    @staticmethod
    def handle_mime(renderer, data, inline: bool) -> list[nodes.Element] | None:
        if inline or data.mime_type != FIGURE_MIME:
            return None
        options = renderer.renderer.get_cell_level_config(
            "render_image_options", data.cell_metadata, line=data.line
        )
        return [figure_layouts(data=data.content, alt=str(options.get("alt", "")))]


def register_mime_renderer() -> None:
    """Make :class:`FigureMime` one of the MIME renderers myst-nb loads."""
    if str(PLUGINS) not in sys.path:
        sys.path.append(str(PLUGINS))
    load_mime_renders.cache_clear()  # entry points are read once, on first use
    if FigureMime not in load_mime_renders():
        raise ExtensionError(
            f"myst-nb did not load the figure renderer declared in {PLUGINS}: "
            "check myst_nb.core.render.load_mime_renders"
        )


def file_name(layout: dict) -> str:
    """``<sha256[:16]>.<format>`` of a layout's image."""
    content = base64.b64decode(layout["image"])
    return f"{hashlib.sha256(content).hexdigest()[:16]}.{layout['format']}"


def picture_html(data: dict, urls: list[str], alt: str) -> str:
    """The ``<picture>`` of a figure's layouts (``urls[k]`` the file of ``data["layouts"][k]``):
    a ``<source>`` for each layout with a media query, the ``<img>`` for the last (no media)."""
    *sources, fallback = list(zip(data["layouts"], urls, strict=True))
    if fallback[0]["media"]:
        raise ValueError("the last layout of a figure is the one for every other screen")

    def attributes(layout: dict, url: str) -> str:
        density = f"{layout['density']:g}x"
        return (
            f'srcset="{html.escape(url)} {density}" width="{layout["width"]}" '
            f'height="{layout["height"]}" data-text-px="{layout["text_px"]:.2f}"'
        )

    parts = [
        f'<source media="{html.escape(layout["media"])}" type="image/{layout["format"]}" '
        f"{attributes(layout, url)}>"
        for layout, url in sources
    ]
    layout, url = fallback
    parts.append(
        f'<img src="{html.escape(url)}" {attributes(layout, url)} alt="{html.escape(alt)}" '
        'loading="lazy" decoding="async">'
    )
    return f'<picture class="sb-figure">{"".join(parts)}</picture>'


def visit_figure_layouts_html(self, node: figure_layouts) -> None:
    """Write the layouts' images to ``_static/sbf/`` and the picture naming them."""
    builder = self.builder
    folder = Path(builder.outdir, "_static", IMAGES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    page = builder.get_target_uri(builder.current_docname)
    urls = []
    for layout in node["data"]["layouts"]:
        name = file_name(layout)
        if not (folder / name).exists():
            (folder / name).write_bytes(base64.b64decode(layout["image"]))
        urls.append(relative_uri(page, f"_static/{IMAGES_DIR}/{name}"))
    self.body.append(picture_html(node["data"], urls, node["alt"]))
    raise nodes.SkipNode


def clear_images(app) -> None:
    """Start each build without the images of earlier builds (their names are hashes)."""
    folder = Path(app.outdir) / "_static" / IMAGES_DIR
    if folder.is_dir():
        for image in folder.iterdir():
            image.unlink()


def setup(app):
    register_mime_renderer()
    app.add_node(figure_layouts, html=(visit_figure_layouts_html, None))
    app.connect("builder-inited", clear_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
