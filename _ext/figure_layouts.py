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
The registration with myst-nb and the image files are :mod:`_ext.book_files`', shared
with the explorers.
"""

from __future__ import annotations

import html

from docutils import nodes

from _ext.book_files import HTML_BUILDERS, clear_folder, image_urls, register_mime_renderer
from statbook.plotting import FIGURE_MIME

IMAGES_DIR = "sbf"  # under _static/


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
    layouts = node["data"]["layouts"]
    urls = [
        image_urls(self.builder, IMAGES_DIR, [layout["image"]], layout["format"])[0]
        for layout in layouts
    ]
    self.body.append(picture_html(node["data"], urls, node["alt"]))
    raise nodes.SkipNode


def setup(app):
    register_mime_renderer(FigureMime)
    app.add_node(figure_layouts, html=(visit_figure_layouts_html, None))
    app.connect("builder-inited", lambda app: clear_folder(app, IMAGES_DIR))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
