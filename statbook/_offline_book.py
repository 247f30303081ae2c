"""Sphinx extension that keeps the HTML book self-contained and free of console errors.

Listed under ``sphinx: extra_extensions`` in ``_config.yml``; nothing in the
library imports it.  Five things, each a workaround for a default of the
tool chain that the browser tests (``tests/test_browser.py``) catch:

* sphinx-thebe (always loaded by Jupyter Book) adds its configuration script
  twice, so every page throws "Identifier 'THEBE_JS_URL' has already been
  declared", and that script names a CDN (unpkg.com).  The book does not use
  thebe (its launch buttons go to Binder and Colab), so its scripts, style sheet
  and per-page configuration are left out.
* The pydata theme logs "Got invalid theme mode" as a console error on a first
  visit when ``default_mode`` (read from ``html_context``) is unset; it is set to ``auto``
  (follow the reader's system setting), which is what an unset value means.
* Sphinx's search page fetches each hit's page to show a summary under it; a
  page opened from disk (``file://``) may not fetch, so every hit threw
  "Failed to fetch".  Opened from disk, the search lists its hits without
  summaries; served over HTTP it shows them as before.
* sphinx-mathjax-offline copies every MathJax bundle (24 MB) into the build.
  The book loads ``tex-chtml.js``, which fetches its own extensions, fonts, the
  menu's alternatives (SVG output, accessibility, speech) from the folders next
  to it; the other all-in-one bundles are never requested and are deleted,
  together with ``latest.js`` (a loader that fetches MathJax from a CDN).
* sphinx-book-theme points the Colab button at the page's source on GitHub, a
  MyST ``.md`` file that Colab cannot open (it reads only ``.ipynb``).  The
  build writes each chapter as a notebook to ``_sources/<page>.ipynb`` (the
  download button's file), and ``make publish`` pushes the built book to the
  ``statbook_pages_branch`` branch (default ``gh-pages``), so the Colab button is
  pointed at that notebook on that branch.  Its first cell installs statbook
  where it is missing.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

# All-in-one MathJax bundles that tex-chtml.js never loads, and the CDN loader.
UNUSED_MATHJAX_FILES = (
    "latest.js",
    "node-main.js",
    "mml-chtml.js",
    "mml-svg.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
)


# Runs after documentation_options.js (priority 200) has defined DOCUMENTATION_OPTIONS.
NO_SUMMARIES_FROM_DISK = (
    'if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") '
    "{ DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false; }"
)


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


def colab_url(repository_url: str, branch: str, pagename: str) -> str:
    """Colab's address of the notebook ``_sources/<pagename>.ipynb`` of the book
    published on ``branch`` of the GitHub repository ``repository_url``."""
    repository = repository_url.removeprefix("https://github.com/").strip("/")
    notebook = f"{repository}/blob/{branch}/_sources/{pagename}.ipynb"
    return f"https://colab.research.google.com/github/{notebook}"


def point_colab_at_published_notebook(app, pagename, templatename, context, doctree) -> None:
    """Replace the Colab button's address (the page's .md source) by :func:`colab_url`."""
    if "ipynb_source" not in context:  # not a notebook page
        return
    repository_url = app.config.html_theme_options.get("repository_url", "")
    branch = app.config.statbook_pages_branch
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("text") == "Colab":
                button["url"] = colab_url(repository_url, branch, pagename)


def set_default_mode(app, config) -> None:
    config.html_context.setdefault("default_mode", "auto")


def remove_unused_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    mathjax = Path(app.outdir) / "_static" / "mathjax"
    for name in UNUSED_MATHJAX_FILES:
        (mathjax / name).unlink(missing_ok=True)


def setup(app):
    app.add_config_value("statbook_pages_branch", "gh-pages", "html")
    app.add_js_file(None, body=NO_SUMMARIES_FROM_DISK, priority=300)
    app.connect("config-inited", set_default_mode)
    # After sphinx-thebe's own handler (priority 500) has appended its nodes.
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    # After sphinx-book-theme has made the launch buttons (priority 501).
    app.connect("html-page-context", point_colab_at_published_notebook, priority=900)
    # After sphinx-mathjax-offline has copied MathJax (priority 500).
    app.connect("build-finished", remove_unused_mathjax, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
