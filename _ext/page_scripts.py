"""What each page loads and when: scripts deferred, sphinx-design's files only where used.

Deferred scripts: Sphinx and its extensions load their scripts in the <head> without
defer, so the page showed nothing until eight scripts had arrived and run (Lighthouse
"render-blocking resources"). Each gets defer: they still run in order, before
DOMContentLoaded.

sphinx-design: Jupyter Book loads its style sheet and tab script (60 kB) on every page;
a page without any sphinx-design element (class sd-...) goes without.
"""

from __future__ import annotations

from sphinx.builders.html._assets import _JavaScript

# Read by inline scripts as soon as they are parsed: must not wait.
BLOCKING_SCRIPTS = ("documentation_options.js",)


def defer_scripts(app, pagename, templatename, context, doctree) -> None:
    """Give ``defer`` to each script file of the page that has no loading attribute.

    Not on the search page, whose template loads Sphinx's search script without ``defer``
    after them, and that script needs them run first.
    """
    if pagename == "search":
        return
    scripts = []
    for script in context.get("script_files", []):
        filename = str(getattr(script, "filename", "") or "")
        attributes = dict(getattr(script, "attributes", {}))
        keep = not filename or filename.endswith(BLOCKING_SCRIPTS)
        if keep or {"defer", "async"} & attributes.keys() or attributes.get("type") == "module":
            scripts.append(script)
            continue
        attributes["defer"] = "defer"
        scripts.append(_JavaScript(script.filename, priority=script.priority, **attributes))
    context["script_files"] = scripts


def _is_sphinx_design_asset(asset) -> bool:
    filename = str(getattr(asset, "filename", "") or "")
    return "sphinx-design" in filename or filename.endswith("design-tabs.js")


def drop_unused_sphinx_design(app, pagename, templatename, context, doctree) -> None:
    """Leave sphinx-design's style sheet and script out of a page that uses none of it."""
    if 'class="sd-' in context.get("body", "") or " sd-" in context.get("body", ""):
        return
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_sphinx_design_asset(a)]


def setup(app):
    # After every extension has added its scripts.
    app.connect("html-page-context", defer_scripts, priority=950)
    app.connect("html-page-context", drop_unused_sphinx_design, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
