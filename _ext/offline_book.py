"""Sphinx extension: the book's pages offline, free of console errors, light and accessible.

Listed under ``sphinx: local_extensions`` in ``_config.yml``; nothing in the library
imports it.  Each part below undoes one default of the tool chain that the browser tests
(``tests/test_browser.py``) or the page benchmark (``benchmarks/bench_pages.py``) catch,
and says which under its heading: thebe, the theme mode, search summaries from disk,
the Colab button, the book's PDF, deferred scripts, sphinx-design, Font Awesome (icons
and fonts), the theme's tab stops, the bibliography's roles.  The explorers' frames are
``_ext.explorer_frames``; MathJax, typeset at build time, is ``_ext.static_math``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.builders.html._assets import _JavaScript

# --- Search summaries from disk -----------------------------------------------------------
# Sphinx's search page fetches each hit's page to show a summary under it; a page opened
# from disk (file://) may not fetch, so every hit threw "Failed to fetch".  Opened from
# disk, the search lists its hits without summaries; served over HTTP it shows them.
# Runs after documentation_options.js (priority 200) has defined DOCUMENTATION_OPTIONS.
NO_SUMMARIES_FROM_DISK = (
    'if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") '
    "{ DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false; }"
)


# --- thebe -----------------------------------------------------------------------------------
# sphinx-thebe (always loaded by Jupyter Book) adds its configuration script twice, so
# every page threw "Identifier 'THEBE_JS_URL' has already been declared", and that script
# names a CDN (unpkg.com).  The book does not use thebe (its launch buttons go to Binder
# and Colab): its scripts, style sheet and per-page configuration are left out.
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


# --- The Colab button ----------------------------------------------------------------------
# sphinx-book-theme points it at the page's MyST .md source on GitHub, which Colab cannot
# open (it reads only .ipynb).  The build writes each chapter as a notebook to
# _sources/<page>.ipynb (the download button's file) and `make publish` pushes the built
# book to the statbook_pages_branch branch (default gh-pages): the button points there.
# The notebook's first cell installs statbook where it is missing.
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


# --- The book's PDF ---------------------------------------------------------------------------
# The download menu offers this page's notebook, source and "print to PDF"; it also links
# the whole book as one PDF, printed from the built pages by `make pdf` (booktools.print_book).
BOOK_PDF = "statbook.pdf"  # at the top of the built book; written by `make pdf`


def link_book_pdf(app, pagename, templatename, context, doctree) -> None:
    """Add the whole book's PDF to the page's download menu."""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](BOOK_PDF, 1),
                    "text": "Book (PDF)",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


# --- Deferred scripts --------------------------------------------------------------------------
# Sphinx and its extensions load their scripts in the <head> without defer, so the page
# showed nothing until eight scripts had arrived and run (Lighthouse "render-blocking
# resources").  Each gets defer: they still run in order, before DOMContentLoaded.
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


# --- sphinx-design ------------------------------------------------------------------------------
# Jupyter Book loads its style sheet and tab script (60 kB) on every page; a page without
# any sphinx-design element (class sd-...) goes without.
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


# --- The theme mode ----------------------------------------------------------------------------
# The pydata theme logs "Got invalid theme mode" as a console error on a first visit when
# default_mode is unset; it is set to auto (follow the reader's system), what unset means.
def set_default_mode(app, config) -> None:
    config.html_context.setdefault("default_mode", "auto")


# --- Font Awesome ------------------------------------------------------------------------------
# The theme loads Font Awesome's script (1.5 MB, every icon there is) on every page to draw
# about fifteen icons.  _templates/layout.html leaves the script out, and write_icon_css
# writes _static/statbook-icons.css: each icon the built pages use, as a CSS mask of the
# same SVG path, taken from that script.  The theme's style sheets still draw a few symbols
# (admonition titles, external links, the breadcrumbs) with Font Awesome's fonts, 0.3 MB in
# all; each font is cut down to the glyphs the style sheets name (subset_icon_fonts).
# One icon of Font Awesome's script: name (quoted or not): [width, height, aliases, code, path].
_FA_ICON = re.compile(
    r'(?:"([\w-]+)"|\b([a-z]\w*)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","(M[^"]+)"\]'
)
# Each style's icons end where the script registers them: d("fab",p) for the brands, ...
_FA_PACK_END = re.compile(r'd\("(fab|far|fas)",p\)')
_FA_STYLES = {"fab": "brands", "far": "regular", "fas": "solid"}
# <i class="fa-solid fa-bars fa-lg"> (or <span ...>): a style class and an icon name.
_ICON_CLASSES = re.compile(r'<(i|span) class="([^"]*\bfa[a-z-]*[^"]*)"')

ICON_CSS_HEAD = """/* Icons of the built pages as CSS masks (_ext.offline_book), from
   Font Awesome Free 6 (icons CC BY 4.0), instead of Font Awesome's 1.5 MB script. */
.fa-lg { font-size: 1.25em; line-height: 0.05em; vertical-align: -0.075em; }
"""
ICON_CSS_SHARED = """ { content: ""; display: inline-block; height: 1em;
  width: var(--sb-icon-width, 1em); vertical-align: -0.125em; background-color: currentColor;
  -webkit-mask: var(--sb-icon) no-repeat center / contain;
  mask: var(--sb-icon) no-repeat center / contain; }
"""


def fontawesome_icons(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """``{(style, name): (width, height, svg path)}`` of every icon in Font Awesome's script."""
    icons, start = {}, 0
    for pack in _FA_PACK_END.finditer(script):
        style = _FA_STYLES[pack.group(1)]
        for icon in _FA_ICON.finditer(script, start, pack.start()):
            width, height, path = int(icon.group(3)), int(icon.group(4)), icon.group(5)
            icons[style, icon.group(1) or icon.group(2)] = (width, height, path)
        start = pack.end()
    return icons


def icons_used(html: str) -> set[tuple[str, str]]:
    """``(tag, style, name)`` of each ``<i class="fa-solid fa-bars">`` (or ``fas``, or a
    ``<span>``) in ``html``."""
    used = set()
    for match in _ICON_CLASSES.finditer(html):
        tag, classes = match.group(1), match.group(2).split()
        styles = [_FA_STYLES.get(c, c.removeprefix("fa-")) for c in classes]
        style = next((s for s in styles if s in _FA_STYLES.values()), "solid")
        used |= {(tag, style, c.removeprefix("fa-")) for c in classes if c.startswith("fa-")}
    return used


def icon_css(icons: dict, used: set[tuple[str, str, str]]) -> str:
    """CSS that draws each used icon found in ``icons`` as a mask of its SVG path."""
    short = {v: k for k, v in _FA_STYLES.items()}
    found = sorted((tag, style, name) for tag, style, name in used if (style, name) in icons)
    selectors = [
        f"{tag}.{prefix}.fa-{name}::before"
        for tag, style, name in found
        for prefix in (f"fa-{style}", short[style])
    ]
    rules = [ICON_CSS_HEAD]
    if found:
        rules.append(",\n".join(selectors) + ICON_CSS_SHARED)
        # The theme's style sheet gives these elements Font Awesome's font, which the
        # browser then downloads (0.1-0.3 MB) although no glyph of it is drawn.
        elements = [s.removesuffix("::before") for s in selectors]
        rules.append(",\n".join(elements) + " { font-family: inherit !important; }\n")
    for style, name in sorted({(style, name) for _tag, style, name in found}):
        width, height, path = icons[style, name]
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
            f"<path d='{path}'/></svg>"
        )
        rules.append(
            f".fa-{style}.fa-{name}, .{short[style]}.fa-{name} "
            f'{{ --sb-icon: url("data:image/svg+xml,{quote(svg)}"); '
            f"--sb-icon-width: {width / height:.4g}em; }}\n"
        )
    return "".join(rules)


def write_icon_css(app, exception) -> None:
    """Write ``_static/statbook-icons.css`` for the icons of the built pages."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    script = outdir / "_static" / "scripts" / "fontawesome.js"
    icons = fontawesome_icons(script.read_text(encoding="utf-8"))
    used = set()
    for page in outdir.rglob("*.html"):
        used |= icons_used(page.read_text(encoding="utf-8"))
    (outdir / "_static" / "statbook-icons.css").write_text(icon_css(icons, used), encoding="utf-8")
    # Nothing loads the script any more; its 1.5 MB and its 1.7 MB source map go.
    for leftover in (script, script.with_suffix(".js.map")):
        leftover.unlink(missing_ok=True)


# --- The theme's tab stops ---------------------------------------------------------------------
# When a page has loaded, the pydata theme makes each scrolling code block and output a tab
# stop, measuring and changing them one after another: each change makes the next
# measurement lay the page out again, which cost a phone (Lighthouse's) 3 s of blocked main
# thread.  The theme's script is built without that step and _static/statbook.js does it
# instead: all measurements first, then all changes, per section as it comes into view.
# The last statement of the theme's bundled script: run the tab-stop function when loaded.
_THEME_TAB_STOPS = re.compile(
    r'"complete"===document\.readyState\?(\w+)\(\):window\.addEventListener\("load",\1\)'
)


def drop_theme_tab_stops(app, exception) -> None:
    """Build the theme's script without its tab-stop step (``statbook.js`` does it)."""
    if exception is not None or app.builder.format != "html":
        return
    script = Path(app.outdir) / "_static" / "scripts" / "pydata-sphinx-theme.js"
    text = script.read_text(encoding="utf-8")
    call = _THEME_TAB_STOPS.search(text)
    body = call and re.search(r"function " + call.group(1) + r"\(\)\{(.{0,400})", text)
    if not call or not body or "scrollWidth>" not in body.group(1):
        raise RuntimeError(
            "pydata-sphinx-theme.js no longer ends by making scrollable blocks tab stops "
            "the way _ext.offline_book expects; check the theme's addTabStopsToScrollable"
            "Elements and _static/statbook.js (tabStops) against it"
        )
    # The same length, so that the source map the script names still matches it.
    nothing = "void 0".ljust(call.end() - call.start())
    script.write_text(text[: call.start()] + nothing + text[call.end() :], encoding="utf-8")


def style_sheet_glyphs(static: Path) -> set[int]:
    """The code points of Font Awesome's (Unicode's private use area) the style sheets name."""
    return {
        ord(char)
        for sheet in static.rglob("*.css")
        for char in sheet.read_text(encoding="utf-8")
        if 0xE000 <= ord(char) <= 0xF8FF
    }


def subset_font(path: Path, code_points: set[int]) -> None:
    """Cut the font file at ``path`` (TrueType or WOFF2, kept as it is) down to ``code_points``."""
    font = TTFont(path)
    subsetter = subset.Subsetter(subset.Options(flavor=font.flavor))
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    font.save(path)


def subset_icon_fonts(app, exception) -> None:
    """Keep of Font Awesome's fonts only the glyphs the built book's style sheets name."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    code_points = style_sheet_glyphs(static)
    for path in sorted((static / "vendor" / "fontawesome" / "webfonts").glob("fa-*")):
        subset_font(path, code_points)


# --- The bibliography's roles ------------------------------------------------------------------
# docutils marks the bibliography as role="list" holding doc-biblioentry items, a role
# ARIA 1.2 deprecated, so the list has no valid items (axe aria-required-children,
# aria-deprecated-role); the entries get the listitem role.
def bibliography_list_items(app, pagename, templatename, context, doctree) -> None:
    """Give the bibliography entries the ``listitem`` role their ``role="list"`` needs."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.add_config_value("statbook_pages_branch", "gh-pages", "html")
    app.add_js_file(None, body=NO_SUMMARIES_FROM_DISK, priority=300)
    app.connect("config-inited", set_default_mode)
    # After sphinx-thebe's own handler (priority 500) has appended its nodes.
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    # After sphinx-book-theme has made the launch buttons (priority 501).
    app.connect("html-page-context", point_colab_at_published_notebook, priority=900)
    app.connect("html-page-context", link_book_pdf, priority=900)
    # After every extension has added its scripts.
    app.connect("html-page-context", defer_scripts, priority=950)
    app.connect("html-page-context", drop_unused_sphinx_design, priority=950)
    app.add_css_file("statbook-icons.css")
    app.connect("build-finished", write_icon_css, priority=900)
    app.connect("build-finished", drop_theme_tab_stops, priority=900)
    app.connect("build-finished", subset_icon_fonts, priority=900)
    app.connect("html-page-context", bibliography_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
