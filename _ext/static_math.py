"""Sphinx extension that typesets the book's formulas at build time, not in the reader's browser.

Listed under ``sphinx: extra_extensions`` in ``_config.yml``.  Typesetting every
formula with MathJax in the browser was the main cost of opening a chapter
(``benchmarks/bench_pages.py``: about 1.4 s of script on Lighthouse's phone, and
the text moving as formulas were typeset, with 150-180 formulas a chapter).  The
same MathJax 3 (the copy sphinx-mathjax-offline ships, run by node,
``_ext/typeset_math.js``) now typesets them when the book is built:

* each ``<span class="math">\\(...\\)</span>`` and ``<div class="math">\\[...\\]</div>``
  of a written page (body, page contents, everywhere) gets MathJax's CommonHTML output
  in place of its TeX, with the hidden MathML (assistive MathML) that screen readers
  read; no formula is a tab stop;
* the page's ``<head>`` gets the CommonHTML style sheet of the characters it uses
  (``<style id="statbook-math">``), whose fonts are MathJax's, from ``_static/mathjax``;
* no page loads MathJax's script or configuration, and of MathJax only the fonts the
  pages use stay in the build.

A TeX error fails the build.  A page written by an earlier build (Sphinx rewrites only
changed pages) is already typeset and left as it is.  ``make pdf`` prints these typeset
pages (``booktools.print_book`` gathers each page's style sheet).
"""

from __future__ import annotations

import html
import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

TYPESETTER = Path(__file__).with_name("typeset_math.js")
FONTS = Path("output", "chtml", "fonts", "woff-v2")  # under MathJax's folder
STYLE_ID = "statbook-math"
# The size MathJax gave formulas in the browser: it matches the x-height of the text's font,
# which for the theme's font (system-ui) in Debian's Chromium made formulas 127.3 % of it.
SCALE = 1.273

# Sphinx writes a formula as a span (inline) or div (display) of these classes; a displayed
# equation's number comes first, in a span of class eqno.
MATH = re.compile(r'(<(span|div) class="math notranslate nohighlight"[^>]*>)(.*?)(</\2>)', re.S)
EQNO = re.compile(r'^\s*(<span class="eqno">.*?</span>)', re.S)
DELIMITED = re.compile(r"^\s*(\\\(|\\\[)(.*)(\\\)|\\\])\s*$", re.S)
MATHJAX_SCRIPT = re.compile(r"mathjax", re.I)


def mathjax_dir() -> Path:
    """MathJax's components as sphinx-mathjax-offline ships them."""
    package = importlib.import_module("sphinx-mathjax-offline")
    return Path(package.__file__).parent / "static" / "mathjax"


def formulas(page: str) -> list[tuple[re.Match, str, str, bool]]:
    """``(match, equation number html, tex, display)`` of each untypeset formula of ``page``.

    A formula is its element's TeX between ``\\(...\\)`` (inline) or ``\\[...\\]``
    (display); a display element holding TeX without delimiters (an amsmath environment,
    written as is) is a display formula too.
    """
    found = []
    for match in MATH.finditer(page):
        inner = match.group(3)
        if "<mjx-container" in inner:
            continue
        number = EQNO.match(inner)
        tex = inner[number.end() :] if number else inner
        delimited = DELIMITED.match(tex)
        if delimited:
            display = delimited.group(1) == "\\["
            tex = delimited.group(2)
        else:
            display = match.group(2) == "div"
        found.append((match, number.group(1) if number else "", html.unescape(tex), display))
    return found


def typeset(items: list[tuple[str, bool]], mathjax: Path) -> tuple[list[str], str]:
    """MathJax's CommonHTML of each ``(tex, display)``, and the style sheet they need."""
    request = {"scale": SCALE, "formulas": [{"tex": t, "display": d} for t, d in items]}
    try:
        result = subprocess.run(
            ["node", str(TYPESETTER), str(mathjax)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as error:
        raise RuntimeError(
            "the book's formulas are typeset by MathJax under Node.js: install `node`"
            " (booktools/system-packages node does)"
        ) from error
    if result.returncode != 0:
        raise RuntimeError(f"MathJax could not typeset a formula: {result.stderr.strip()}")
    answer = json.loads(result.stdout)
    return answer["html"], answer["css"]


def typeset_page(page: str, font_url: str, mathjax: Path) -> tuple[str, set[str]]:
    """``page`` with every formula typeset and its style sheet in the ``<head>``, and the
    names of the font files that style sheet uses.  A page without formulas comes back as is."""
    found = formulas(page)
    if not found:
        return page, set()
    chtml, css = typeset([(tex, display) for _m, _n, tex, display in found], mathjax)
    pieces, end = [], 0
    for (match, number, _tex, _display), formula in zip(found, chtml, strict=True):
        pieces += [page[end : match.start()], match.group(1), number, formula, match.group(4)]
        end = match.end()
    page = "".join(pieces) + page[end:]
    fonts = set(re.findall(r'url\("@FONT_URL@/([^"]+)"\)', css))
    style = f'<style id="{STYLE_ID}">{css.replace("@FONT_URL@", font_url)}</style>'
    return page.replace("</head>", f"{style}\n</head>", 1), fonts


def drop_mathjax_scripts(app, pagename, templatename, context, doctree) -> None:
    """Leave MathJax's script and its ``window.MathJax`` configuration out of the page."""
    if "script_files" not in context:
        return
    context["script_files"] = [
        script
        for script in context["script_files"]
        if not MATHJAX_SCRIPT.search(str(getattr(script, "filename", "") or ""))
        and not getattr(script, "attributes", {}).get("body", "").startswith("window.MathJax")
    ]


def typeset_built_pages(app, exception) -> None:
    """Typeset every written page's formulas; keep of MathJax only the fonts pages use."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    fonts_dir = outdir / "_static" / "mathjax" / FONTS
    used = set()
    for path in sorted(outdir.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        depth = len(path.relative_to(outdir).parts) - 1
        font_url = "../" * depth + f"_static/mathjax/{FONTS.as_posix()}"
        typeset, fonts = typeset_page(page, font_url, mathjax_dir())
        if typeset != page:
            path.write_text(typeset, encoding="utf-8")
        used |= fonts
        used |= set(re.findall(r"woff-v2/([\w-]+\.woff)", page))  # pages of earlier builds
    keep = {name: (fonts_dir / name).read_bytes() for name in used}
    shutil.rmtree(outdir / "_static" / "mathjax", ignore_errors=True)
    fonts_dir.mkdir(parents=True)
    for name, data in keep.items():
        (fonts_dir / name).write_bytes(data)


def setup(app):
    # After every extension has added its scripts (sphinx.ext.mathjax: priority 500).
    app.connect("html-page-context", drop_mathjax_scripts, priority=960)
    # After sphinx-mathjax-offline has copied MathJax into the build (priority 500).
    app.connect("build-finished", typeset_built_pages, priority=800)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
