"""Font Awesome's icons without its 1.5 MB script, and its fonts cut to the glyphs in use.

The theme loads Font Awesome's script (every icon there is) on every page to draw about
fifteen icons. _templates/layout.html leaves the script out, and :func:`write_icon_css`
writes _static/statbook-icons.css: each icon the built pages use, as a CSS mask of the
same SVG path, taken from that script. The theme's style sheets still draw a few symbols
(admonition titles, external links, the breadcrumbs) with Font Awesome's fonts, 0.3 MB in
all; each font is cut down to the glyphs the style sheets name (:func:`subset_icon_fonts`).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fontTools import subset
from fontTools.ttLib import TTFont

# One icon of Font Awesome's script: name (quoted or not): [width, height, aliases, code, path].
_FA_ICON = re.compile(
    r'(?:"([\w-]+)"|\b([a-z]\w*)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","(M[^"]+)"\]'
)
# Each style's icons end where the script registers them: d("fab",p) for the brands, ...
_FA_PACK_END = re.compile(r'd\("(fab|far|fas)",p\)')
_FA_STYLES = {"fab": "brands", "far": "regular", "fas": "solid"}
# <i class="fa-solid fa-bars fa-lg"> (or <span ...>): a style class and an icon name.
_ICON_CLASSES = re.compile(r'<(i|span) class="([^"]*\bfa[a-z-]*[^"]*)"')

ICON_CSS_HEAD = """/* Icons of the built pages as CSS masks (_ext.fontawesome), from
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


def setup(app):
    app.add_css_file("statbook-icons.css")
    app.connect("build-finished", write_icon_css, priority=900)
    app.connect("build-finished", subset_icon_fonts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
