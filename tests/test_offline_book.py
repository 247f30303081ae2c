"""The book build's own Sphinx extensions (_ext.fontawesome, _ext.page_scripts,
_ext.bibliography_roles, _ext.theme_tab_stops, _ext.explorer_frames), function by function.

The browser tests (tests/test_browser.py) check the built book as a whole; these check
each rewrite on small inputs: icons, explorer frames as files, deferred scripts, roles.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from docutils import nodes
from fontTools.ttLib import TTFont
from myst_nb.core.render import MimeData, get_mime_priority, load_mime_renders
from PIL import Image
from sphinx.builders.html._assets import _JavaScript

from _ext import bibliography_roles, fontawesome, page_scripts, theme_tab_stops
from _ext import explorer_frames as frames
from _ext.book_files import file_name, register_mime_renderer
from statbook.widgets import EXPLORER_MIME
from tests.test_widgets import line_explorer

# Two packs in the shape of Font Awesome's script: brands first, then solid.
SCRIPT = (
    'var p={"github":[496,512,[],"f09b","M1 1L2 2"]};d("fab",p);'
    'var p={bars:[448,512,["navicon"],"f0c9","M0 96H448"],'
    '"magnifying-glass":[512,512,[],"f002","M5 5Z"]};d("fas",p);'
)


def test_icons_are_read_from_the_packs_of_the_script():
    icons = fontawesome.fontawesome_icons(SCRIPT)
    assert icons == {
        ("brands", "github"): (496, 512, "M1 1L2 2"),
        ("solid", "bars"): (448, 512, "M0 96H448"),
        ("solid", "magnifying-glass"): (512, 512, "M5 5Z"),
    }


def test_icon_css_draws_each_used_icon_and_keeps_the_font_away():
    html = '<span class="fa-solid fa-bars"></span> <i class="fab fa-github"></i>'
    used = fontawesome.icons_used(html)
    assert {("span", "solid", "bars"), ("i", "brands", "github")} <= used
    css = fontawesome.icon_css(fontawesome.fontawesome_icons(SCRIPT), used)
    assert "span.fa-solid.fa-bars::before" in css and "i.fab.fa-github::before" in css
    assert "--sb-icon-width: 0.875em" in css  # 448 / 512
    assert "M0%2096H448" in css  # the path, URL-encoded in the SVG
    assert re.search(r"i\.fab\.fa-github[^{]*\{ font-family: inherit !important; \}", css, re.S)
    assert "magnifying-glass" not in css  # not used on the page


class _Builder:
    """What the explorer's HTML visitor reads of Sphinx's HTML builder."""

    def __init__(self, outdir):
        self.outdir = str(outdir)
        self.current_docname = "chapters/likelihood"

    def get_target_uri(self, docname):
        return f"{docname}.html"


class _Translator:
    def __init__(self, outdir):
        self.builder = _Builder(outdir)
        self.body = []

    def starttag(self, node, tag, suffix):
        return f'<{tag} class="{" ".join(node["classes"])}">{suffix}'


def _rendered(tmp_path, data) -> str:
    """The explorer node of ``data`` as the book's HTML builder writes it."""
    (node,) = frames.ExplorerMime.handle_mime(None, MimeData(EXPLORER_MIME, data), False)
    translator = _Translator(tmp_path)
    with pytest.raises(nodes.SkipNode):
        frames.visit_explorer_html(translator, node)
    return "".join(translator.body)


def test_explorer_frames_become_files(tmp_path):
    data = line_explorer().static_data()
    html = _rendered(tmp_path, data)
    written = sorted((tmp_path / "_static" / "sbx").iterdir())
    assert "data:image" not in html
    assert len(written) == 9 + 4  # the wide frames and the print panel's (300 dpi)
    block = json.loads(re.search(r'class="sbx-data">(.*?)</script>', html).group(1))
    assert block["frames"] == [
        f"../_static/sbx/{file_name(frame, 'webp')}" for frame in data["frames"]
    ]
    printed = [f"../_static/sbx/{file_name(frame, 'webp')}" for frame in data["print"]["frames"]]
    assert sorted({*block["frames"], *printed}) == [f"../_static/sbx/{p.name}" for p in written]
    shown = re.search(r'<img class="sbx-frame" src="([^"]+)"', html).group(1)
    assert shown == block["frames"][4]  # the start frame (slope 1, offset 0)
    panel = re.findall(r'<img data-sbx-frame="(\d+)" src="([^"]+)" loading="lazy"', html)
    assert len(panel) == 4
    assert [(int(k), src) for k, src in panel] == list(
        zip(data["print"]["positions"], printed, strict=True)
    )
    for path in written:
        with Image.open(path) as frame:
            assert frame.format == "WEBP"
        assert path.name.startswith(hashlib.sha256(path.read_bytes()).hexdigest()[:16])
    # The page loads the script (_static/explorer.js): none inline, the figure wrapped as
    # myst-nb wraps a text/html output.
    assert html.startswith('<div class="output text_html"><figure id="sbx-')
    assert html.endswith("</script></figure></div>\n") and "<script>" not in html


def test_book_explorer_is_the_notebook_explorer_with_files_for_frames(tmp_path):
    explorer = line_explorer()
    data = explorer.static_data()
    book = _rendered(tmp_path, data)
    notebook = explorer.static_html()

    def skeleton(html):
        html = re.sub(r' src="[^"]*"( loading="lazy" decoding="async")?', "", html)
        html = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
        return re.sub(r'class="sbx-data">.*?</script>', "", html, flags=re.S)

    assert skeleton(book).removeprefix('<div class="output text_html">') == (
        skeleton(notebook) + "</div>\n"
    )


def test_myst_nb_prefers_the_explorer_data_in_html_only():
    register_mime_renderer(frames.ExplorerMime)
    assert frames.ExplorerMime in load_mime_renders()
    assert get_mime_priority("html", [])[0] == EXPLORER_MIME
    assert EXPLORER_MIME not in get_mime_priority("latex", [])
    assert frames.ExplorerMime.handle_mime(None, MimeData("text/html", "<p>"), False) is None
    assert frames.ExplorerMime.handle_mime(None, MimeData(EXPLORER_MIME, {}), True) is None


def test_scripts_are_deferred_except_the_options_inline_scripts_read():
    scripts = [
        _JavaScript("_static/documentation_options.js"),
        _JavaScript("_static/doctools.js"),
        _JavaScript("_static/mathjax/tex-chtml.js", defer="defer"),
        _JavaScript(None, body="var x = 1;"),
    ]
    context = {"script_files": list(scripts)}
    page_scripts.defer_scripts(None, "chapters/likelihood", "page.html", context, None)
    attributes = [dict(s.attributes) for s in context["script_files"]]
    assert attributes == [{}, {"defer": "defer"}, {"defer": "defer"}, {"body": "var x = 1;"}]
    search = {"script_files": list(scripts)}
    page_scripts.defer_scripts(None, "search", "search.html", search, None)
    assert search["script_files"] == scripts


def test_bibliography_entries_are_list_items():
    context = {"body": '<div role="list"><div class="citation" role="doc-biblioentry">'}
    bibliography_roles.bibliography_list_items(
        None, "chapters/references", "page.html", context, None
    )
    assert context["body"] == '<div role="list"><div class="citation" role="listitem">'


def test_sphinx_design_only_where_a_page_uses_it():
    def context(body):
        return {
            "body": body,
            "css_files": [_JavaScript("_static/sphinx-design.min.css"), "basic.css"],
            "script_files": [_JavaScript("_static/design-tabs.js")],
        }

    plain = context("<p>No tabs here.</p>")
    page_scripts.drop_unused_sphinx_design(None, "chapters/x", "page.html", plain, None)
    assert plain["css_files"] == ["basic.css"] and plain["script_files"] == []
    tabs = context('<div class="sd-tab-set">')
    page_scripts.drop_unused_sphinx_design(None, "chapters/x", "page.html", tabs, None)
    assert len(tabs["css_files"]) == 2 and len(tabs["script_files"]) == 1


# The end of the theme's bundled script, in the shape pydata-sphinx-theme 0.16-0.17 builds it.
THEME_SCRIPT = (
    'function I(){const e=()=>{document.querySelectorAll("pre").forEach(e=>{e.tabIndex='
    "e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})};e()}"
    'function N(){}"complete"===document.readyState?I():window.addEventListener("load",I)})();'
)


def _html_app(tmp_path, script: str):
    scripts = tmp_path / "_static" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "pydata-sphinx-theme.js").write_text(script, encoding="utf-8")

    class Builder:
        format = "html"

    class App:
        outdir = str(tmp_path)
        builder = Builder()

    return App(), scripts / "pydata-sphinx-theme.js"


def test_theme_script_is_built_without_its_tab_stop_pass(tmp_path):
    app, script = _html_app(tmp_path, THEME_SCRIPT)
    theme_tab_stops.drop_theme_tab_stops(app, None)
    text = script.read_text(encoding="utf-8")
    assert 'addEventListener("load"' not in text and "?I():" not in text
    assert re.search(r"function N\(\)\{\}void 0 +\}\)\(\);$", text)  # the rest as it was
    assert len(text) == len(THEME_SCRIPT)  # the source map still matches


def test_a_theme_script_of_another_shape_stops_the_build(tmp_path):
    app, _ = _html_app(tmp_path, THEME_SCRIPT.replace("scrollWidth>", "offsetWidth>"))
    with pytest.raises(RuntimeError, match="tab stops"):
        theme_tab_stops.drop_theme_tab_stops(app, None)


def test_icon_fonts_keep_just_the_glyphs_the_style_sheets_name(tmp_path):
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    original = theme / "static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2"
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "a.css").write_text('a::after { content: "\uf0f3"; }', "utf-8")
    (tmp_path / "b.css").write_text('b::before { content: "\uf35d" } /* \uf35d */', "utf-8")
    code_points = fontawesome.style_sheet_glyphs(tmp_path)
    assert code_points == {0xF0F3, 0xF35D}  # the bell, the external-link arrow
    font = tmp_path / original.name
    shutil.copyfile(original, font)
    fontawesome.subset_font(font, code_points)
    kept, whole = TTFont(font), TTFont(original)
    assert kept.flavor == "woff2" and set(kept.getBestCmap()) == code_points
    for code in code_points:  # the same outline as in the whole font
        name = whole.getBestCmap()[code]
        assert kept["glyf"][kept.getBestCmap()[code]].coordinates == whole["glyf"][name].coordinates
    assert font.stat().st_size < 0.05 * original.stat().st_size
