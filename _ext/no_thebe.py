"""thebe left out of every page: its scripts, style sheet and per-page configuration.

sphinx-thebe (always loaded by Jupyter Book) adds its configuration script twice, so
every page threw "Identifier 'THEBE_JS_URL' has already been declared", and that script
names a CDN (unpkg.com). The book does not use thebe (its launch buttons go to Binder
and Colab).
"""

from __future__ import annotations

from docutils import nodes


def _is_thebe_asset(asset) -> bool:
    filename = getattr(asset, "filename", None) or str(asset)
    body = getattr(asset, "attributes", {}).get("body", "")
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe_assets(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts and style sheet from the page."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe_asset(a)]


def drop_thebe_config(app, doctree, docname) -> None:
    """Remove the per-page thebe configuration that sphinx-thebe appends to the doctree."""
    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if "text/x-thebe-config" in text or text.startswith("<script>kernelName ="):
            node.parent.remove(node)


def setup(app):
    # After sphinx-thebe's own handler (priority 500) has appended its nodes.
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
