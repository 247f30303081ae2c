"""The book builds with warnings as errors, and every chapter in the TOC is in it."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

pytestmark = pytest.mark.book


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *(entry["file"] for entry in toc["chapters"])]


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


def test_mathjax_is_served_from_the_build(built_book):
    html = (built_book / "chapters" / "likelihood.html").read_text()
    sources = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html, flags=re.I)
    assert sources, "no MathJax script on the page"
    assert all(not src.startswith(("http:", "https:", "//")) for src in sources), sources
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()
