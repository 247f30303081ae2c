"""What the book's two MIME renderers share: their registration with myst-nb, and the
images they write as files named by their content.

The explorers (``_ext/explorer_frames.py``) and the chapters' figures
(``_ext/figure_layouts.py``) reach the book as data of their own MIME types, images as
base64.  Each image becomes a file ``_static/<folder>/<sha256[:16]>.<format>`` that the
page names, so that a page weighs kilobytes until the browser fetches what it shows.

myst-nb finds MIME renderers through the entry point group ``myst_nb.mime_renderers``.
``_ext`` is never installed, so the entry points are declared by the folder
``_ext/plugins/statbook_book-0.dist-info``, which :func:`register_mime_renderer` puts on
``sys.path``.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from pathlib import Path

from myst_nb.core.render import load_mime_renders
from sphinx.errors import ExtensionError
from sphinx.util.osutil import relative_uri

HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
PLUGINS = Path(__file__).parent / "plugins"


def register_mime_renderer(renderer: type) -> None:
    """Make ``renderer`` (declared in :data:`PLUGINS`) one of the renderers myst-nb loads."""
    if str(PLUGINS) not in sys.path:
        sys.path.append(str(PLUGINS))
    load_mime_renders.cache_clear()  # entry points are read once, on first use
    if renderer not in load_mime_renders():
        raise ExtensionError(
            f"myst-nb did not load {renderer.__name__}, declared in {PLUGINS}: "
            "check myst_nb.core.render.load_mime_renders"
        )


def file_name(image: str, suffix: str) -> str:
    """``<sha256[:16]>.<suffix>`` of the base64 ``image``'s content."""
    return f"{hashlib.sha256(base64.b64decode(image)).hexdigest()[:16]}.{suffix}"


def image_urls(builder, folder: str, images: list[str], suffix: str) -> list[str]:
    """Write each base64 image to ``_static/<folder>/`` (once: names are content hashes)
    and return its address relative to the page being written."""
    target = Path(builder.outdir, "_static", folder)
    target.mkdir(parents=True, exist_ok=True)
    page = builder.get_target_uri(builder.current_docname)
    urls = []
    for image in images:
        name = file_name(image, suffix)
        if not (target / name).exists():
            (target / name).write_bytes(base64.b64decode(image))
        urls.append(relative_uri(page, f"_static/{folder}/{name}"))
    return urls


def clear_folder(app, folder: str) -> None:
    """Start a build without the images of earlier builds in ``_static/<folder>/``."""
    path = Path(app.outdir) / "_static" / folder
    if path.is_dir():
        for image in path.iterdir():
            image.unlink()
