"""The book builds with warnings as errors, and every chapter in the TOC is in it.

On the built HTML: every cross-reference reads as what it points to, figures,
examples and exercises are numbered per section ("Exercise 6.2.3"), and no cell
output is a raw Python traceback.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from booktools.browser import toc_pages

pytestmark = pytest.mark.book


def test_toc_lists_intro_five_sections_teacher_page_and_references():
    assert toc_pages() == [
        "chapters/index",
        "chapters/likelihood",
        "chapters/multinomial",
        "chapters/regression",
        "chapters/mixtures",
        "chapters/mixed-models",
        "chapters/teacher",
        "chapters/references",
    ]


def test_book_builds_every_page(built_book):
    for page in toc_pages():
        assert (built_book / f"{page}.html").is_file(), page


def test_formulas_are_typeset_in_the_built_pages(built_book):
    """Every formula of every page comes typeset by MathJax, with its MathML for screen
    readers; no page loads MathJax; the fonts its style sheet names are in the build."""
    pages = sorted(built_book.rglob("*.html"))
    formulas = 0
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        scripts = [s.get("src") or s.get_text()[:40] for s in soup.find_all("script")]
        assert [s for s in scripts if "mathjax" in s.lower()] == [], path
        maths = soup.select("span.math, div.math")
        formulas += len(maths)
        for math in maths:
            container = math.find("mjx-container", attrs={"jax": "CHTML"})
            assert container is not None, (path, math.get_text()[:80])
            assert container.select_one("mjx-math mjx-c"), (path, math.get_text()[:80])
            assert container.select_one("mjx-assistive-mml > math"), (path, math)
            assert "tabindex" not in container.attrs, (path, container.attrs)
            assert not container.select("mjx-merror"), (path, math.get_text()[:80])
        style = soup.find("style", id="statbook-math")
        assert (style is not None) == bool(maths), path
        if style is not None:
            for url in re.findall(r'url\("([^"]+)"\)', style.get_text()):
                assert url.endswith(".woff"), url
                assert (path.parent / url).resolve().is_file(), (path, url)
    assert formulas > 500
    assert not (built_book / "_static" / "mathjax" / "tex-chtml.js").exists()


# --- references and numbering on the built pages ---------------------------------------------
@functools.cache
def _page(built_book: Path, page: str) -> BeautifulSoup:
    """The built ``page``, parsed once (tests read it, none changes it)."""
    return BeautifulSoup((built_book / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def _text(element: Tag) -> str:
    """Visible text without permalink anchors, whitespace collapsed, quotes straightened."""
    parts = [
        piece
        for piece in element.find_all(string=True)
        if not piece.find_parent("a", class_="headerlink")
    ]
    return " ".join("".join(parts).replace("\u2019", "'").split())


def _title_of(target: Tag) -> str:
    """What a reference to ``target`` should read as: its title, caption number or label."""
    classes = target.get("class", [])
    if "admonition-title" in classes:  # an unnumbered example carries its id on its title
        return _text(target)
    if "admonition" in classes:
        return _text(target.find(class_="admonition-title"))
    if target.name == "figure":
        return _text(target.find("figcaption"))
    if "math" in classes:
        return _text(target.find(class_="eqno"))
    if target.name == "section":
        return _text(target.find(re.compile(r"^h[1-6]$")))
    return _text(target)


def _reads_as(text: str, title: str) -> bool:
    """A reference names its target: the whole title, or its number before " (" or ":"."""
    return title == text or title.startswith((f"{text} (", f"{text}: ", f"{text} "))


def _internal_references(soup: BeautifulSoup):
    for link in soup.select("article a.reference.internal"):
        if "headerlink" not in link.get("class", []):
            yield link


def test_every_reference_reads_as_its_target(built_book):
    checked = 0
    for page in toc_pages():
        here = built_book / f"{page}.html"
        for link in _internal_references(_page(built_book, page)):
            href = urlsplit(link["href"])
            target_file = (here.parent / unquote(href.path)).resolve() if href.path else here
            target_page = _page(built_book, str(target_file.relative_to(built_book))[:-5])
            text = _text(link)
            if not href.fragment:  # {doc}: the page's title
                assert text == _text(target_page.find("h1")), (page, link["href"])
                continue
            target = target_page.find(id=href.fragment)
            assert target is not None, (page, link["href"])
            title = _title_of(target)
            if target_file.name == "references.html":  # a citation: authors and year
                words = re.findall(r"\w+", text)
                assert words and all(word in title for word in words), (page, text, title)
            else:
                assert _reads_as(text, title), (page, link["href"], text, title)
            checked += 1
    assert checked > 30, checked  # solutions, equations, examples, exercises, citations


def test_references_of_the_text_name_what_they_point_to(built_book):
    """The hand-written references of the prose, spot-checked by their rendered text."""
    expected = {
        "chapters/regression": {"#regression-ex-4": "Exercise 6.3.4"},
        "chapters/mixed-models": {
            "likelihood.html#ex-gaussian": "Example 6.3",
            "#ex-gaussian-random-effects": "Example 6.5",
        },
        "chapters/likelihood": {"#likelihood-ex-5": "Exercise 6.1.5"},
    }
    for page, links in expected.items():
        found = {
            (link["href"], _text(link)) for link in _internal_references(_page(built_book, page))
        }
        for href, text in links.items():
            assert (href, text) in found, (page, href, sorted(t for h, t in found if h == href))


def _section_prefix(soup: BeautifulSoup) -> str:
    match = re.match(r"(\d+\.\d+) ", _text(soup.find("h1")))
    return match.group(1) if match else ""


@pytest.mark.parametrize("page", toc_pages())
def test_numbering_is_per_section(built_book, page):
    soup = _page(built_book, page)
    prefix = _section_prefix(soup)
    number = f"{prefix}." if prefix else ""
    exercises = soup.select("article div.exercise.admonition")
    for count, exercise in enumerate(exercises, start=1):
        title = _text(exercise.find(class_="admonition-title"))
        assert title.startswith(f"Exercise {number}{count} ("), (page, title)
        assert exercise["id"].endswith(f"-ex-{count}"), (page, exercise["id"])
    figures = [_text(f) for f in soup.select("article figure figcaption .caption-number")]
    assert figures == [f"Fig. {number}{count}" for count in range(1, len(figures) + 1)], page
    for proof in soup.select("article div.proof.admonition"):
        title = _text(proof.find(class_="admonition-title"))
        # "Example 6.5 (…)" (the seed's own number), "Definition 6.4.1 …", "Example (…)":
        # never a book-wide counter in front of the title, as in "Example 1 6.5 (…)".
        assert not re.match(r"^\w+ \d+ ", title), (page, title)
        counted = re.match(r"^\w+ (\d+(?:\.\d+)*) ", title)
        if counted and title.startswith("Definition"):
            assert counted.group(1).startswith(number), (page, title)
    if page == "chapters/mixtures":
        assert any(
            _text(p.find(class_="admonition-title")).startswith("Definition 6.4.1 ")
            for p in soup.select("article div.proof.admonition")
        )
    if page in ("chapters/likelihood", "chapters/mixed-models"):
        assert len(exercises) == 5 and prefix in ("6.1", "6.5")


@pytest.mark.parametrize("page", toc_pages())
def test_no_output_shows_a_traceback(built_book, page):
    soup = _page(built_book, page)
    assert not soup.select("div.output.traceback"), page
    for output in soup.select("div.cell_output"):
        assert "Traceback" not in output.get_text(), (page, output.get_text()[:300])


def test_section_number_of_a_page_title():
    from _ext.section_numbers import section_number

    assert section_number("6.2 Multinomial models and the peppered moths") == (6, 2)
    assert section_number("6 Four examples") == (6,)
    assert section_number("Four families of statistical models") == ()
    assert section_number("6.2") == ()  # a number alone is no section title


def test_downloadable_notebooks_hold_what_jupyter_shows_and_no_book_data(built_book):
    """The download button's notebooks keep every output Jupyter or Colab shows (an
    explorer's start frame, a figure's image) but not the frames only the book reads."""
    from statbook.widgets import EXPLORER_MIME

    explorers = 0
    for page in ("likelihood", "multinomial", "regression", "mixtures", "mixed-models"):
        path = built_book / "_sources" / "chapters" / f"{page}.ipynb"
        raw = path.read_text(encoding="utf-8")
        assert "application/vnd.statbook." not in raw, page
        executed = built_book.parent / "jupyter_execute" / "chapters" / f"{page}.ipynb"
        assert EXPLORER_MIME in executed.read_text(encoding="utf-8"), page  # the book's input
        for cell in json.loads(raw)["cells"]:
            for output in cell.get("outputs", []):
                if "<statbook Explorer" in str(output.get("data", {}).get("text/plain", "")):
                    explorers += 1
                    assert str(output["data"]["text/html"]).count("<img") >= 1
    assert explorers == 8
