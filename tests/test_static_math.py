"""Formulas typeset at build time (_ext.static_math), on small pages.

The built book as a whole is checked by tests/test_book.py (every formula of every page
typeset, no MathJax script) and tests/test_browser.py (typeset formulas shown with
MathJax's fonts, read by screen readers, not tab stops).  These run MathJax in node, as
the build does, on a few formulas of the kinds Sphinx writes.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sphinx.builders.html._assets import _JavaScript

from _ext import static_math

PAGE = """<!DOCTYPE html><html><head><title>t</title></head><body>
<p>Let <span class="math notranslate nohighlight">\\(x &lt; \\boldsymbol{\\theta}\\)</span>.</p>
<div class="math notranslate nohighlight" id="equation-one">
<span class="eqno">(6.2.1)<a class="headerlink" href="#equation-one">#</a></span>\\[
\\ell(\\psi) = \\sum_{j=1}^{K} x_j \\log \\cancel{p_j}
\\]</div>
<div class="math notranslate nohighlight">
\\begin{align} a &amp;= b \\\\ c &amp;= d \\end{align}</div>
</body></html>"""


def test_formulas_are_found_with_their_tex_number_and_kind():
    found = static_math.formulas(PAGE)
    assert [(number[:25], tex.strip(), display) for _m, number, tex, display in found] == [
        ("", "x < \\boldsymbol{\\theta}", False),
        (
            '<span class="eqno">(6.2.1',
            "\\ell(\\psi) = \\sum_{j=1}^{K} x_j \\log \\cancel{p_j}",
            True,
        ),
        ("", "\\begin{align} a &= b \\\\ c &= d \\end{align}", True),
    ]


def test_page_is_typeset_with_mathml_its_number_and_style_sheet():
    page, fonts = static_math.typeset_page(PAGE, "../fonts", static_math.mathjax_dir())
    soup = BeautifulSoup(page, "html.parser")
    maths = soup.select(".math")
    assert len(maths) == 3
    for math, display in zip(maths, ["false", "true", "true"], strict=True):
        container = math.find("mjx-container")
        assert container["jax"] == "CHTML"
        assert container.get("display", "false") == display
        assert "tabindex" not in container.attrs
        assert "\\(" not in math.get_text() and "\\[" not in math.get_text()
        # The hidden MathML screen readers read, and MathJax's glyphs for the eye.
        assert container.select_one("mjx-assistive-mml > math")
        assert container.select("mjx-math mjx-c")
    # The first formula's MathML: x < theta in bold (an extension MathJax loads itself).
    mathml = maths[0].select_one("mjx-assistive-mml > math")
    assert [t.get_text() for t in mathml.find_all(["mi", "mo"])] == ["x", "<", "θ"]
    assert mathml.find("mi", mathvariant="bold-italic")
    assert maths[1].select_one("span.eqno").get_text().startswith("(6.2.1)")
    assert maths[1].find("menclose")  # \cancel, from the autoloaded cancel extension
    assert len(maths[2].find_all("mtr")) == 2
    style = soup.head.find("style", id=static_math.STYLE_ID)
    assert "mjx-container" in style.get_text()
    urls = re.findall(r'url\("([^"]+)"\)', style.get_text())
    assert urls and all(u.startswith("../fonts/") and u.endswith(".woff") for u in urls)
    assert fonts == {u.removeprefix("../fonts/") for u in urls}
    assert "MathJax_Main-Regular.woff" in fonts


def test_a_typeset_page_and_a_page_without_formulas_stay_as_they_are():
    page, _fonts = static_math.typeset_page(PAGE, "f", static_math.mathjax_dir())
    assert static_math.typeset_page(page, "f", static_math.mathjax_dir()) == (page, set())
    plain = "<html><head></head><body><p>No formula.</p></body></html>"
    assert static_math.typeset_page(plain, "f", static_math.mathjax_dir()) == (plain, set())


def test_a_tex_error_fails_the_build():
    page = '<p><span class="math notranslate nohighlight">\\(\\frac{1}\\)</span></p></head>'
    with pytest.raises(RuntimeError, match=r"frac"):
        static_math.typeset_page(page, "f", static_math.mathjax_dir())


def test_mathjax_script_and_configuration_are_left_out():
    scripts = [
        _JavaScript("_static/documentation_options.js"),
        _JavaScript(None, body='window.MathJax = {"loader": {}}'),
        _JavaScript("_static/mathjax/tex-chtml.js", defer="defer"),
        _JavaScript("_static/statbook.js"),
    ]
    context = {"script_files": list(scripts)}
    static_math.drop_mathjax_scripts(None, "chapters/likelihood", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[3]]
