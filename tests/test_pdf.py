"""The whole book as one PDF (``make pdf``, ``booktools.print_book``), read back with poppler.

Checked: every page's title and section titles are in the text (``pdftotext``), so
are a sample of the numbers the chapters print and the labels of the explorers'
small-multiples panels; the solutions sit in the appendix after the last page; no
line runs into the side margins (the margins of every page, rendered by
``pdftoppm``, are blank); the page count is in the range the book has.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from booktools.print_book import PAGE_MARGIN, heading_text, toc_pages

pytestmark = pytest.mark.book

PAGES_RANGE = (80, 160)  # 107 pages when this was written
A4_WIDTH_MM = 210
RENDER_DPI = 40
NUMBERS_PER_CHAPTER = 3


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (.ci/install-pdf-tools)")
    return path


@pytest.fixture(scope="module")
def pdf_text(book_pdf) -> str:
    # Reading order, not -layout: side-by-side panel captions stay apart.
    result = subprocess.run(
        [poppler("pdftotext"), str(book_pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def flat(text: str) -> str:
    """Whitespace collapsed, so that line breaks and columns do not matter."""
    return " ".join(text.split())


def words(text: str) -> str:
    """The words only: dashes, quotes and line breaks do not matter."""
    return " ".join(re.findall(r"\w+", text))


def heading_parts(heading) -> list[str]:
    """A heading's text pieces between its formulas (MathJax prints those as glyphs)."""
    for math in heading.select("span.math"):
        math.replace_with("\x00")
    return [part for part in heading_text(heading).split("\x00") if words(part)]


def article(built_book: Path, page: str):
    html = (built_book / f"{page}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article.bd-article")


def test_every_title_and_section_title_is_printed(built_book, pdf_text):
    text = words(pdf_text)
    headings = [h for page in toc_pages() for h in article(built_book, page).find_all(["h1", "h2"])]
    assert len(headings) > 30
    missing = [part for h in headings for part in heading_parts(h) if words(part) not in text]
    assert missing == []


def test_printed_numbers_are_in_the_pdf(built_book, pdf_text):
    """A sample of the numbers the chapters' code prints, e.g. estimates to 6 digits."""
    text = flat(pdf_text)
    sample = []
    for page in toc_pages():
        outputs = " ".join(
            pre.get_text() for pre in article(built_book, page).select(".output pre")
        )
        sample += re.findall(r"-?\d+\.\d{4,}", outputs)[:NUMBERS_PER_CHAPTER]
    assert len(sample) >= 10
    assert [n for n in sample if n not in text] == []


def test_explorers_print_as_labelled_small_multiples(built_book, pdf_text):
    text = flat(pdf_text)
    labels = [
        flat(caption.get_text())
        for page in toc_pages()
        for caption in article(built_book, page).select(".sbx-print figcaption")
    ]
    assert len(labels) >= 4 * 5  # four frames per explorer, at least five explorers
    # Each "name = value" is printed whole (a long label breaks between values only).
    values = [value for label in labels for value in label.split(", ")]
    assert [value for value in values if value not in text] == []
    assert "true κ = 2, true μ = 1, sample size N = 100" in labels


def test_solutions_are_in_an_appendix(pdf_text):
    appendix = pdf_text.index("Solutions to the exercises")
    last_page = pdf_text.rindex("References")
    assert appendix > last_page
    solutions = [m.start() for m in re.finditer(r"Solution to Exercise \d", pdf_text)]
    assert len(solutions) >= 20
    assert min(solutions) > appendix


def test_table_of_contents_lists_every_page(built_book, pdf_text):
    """The contents pages (from "Contents" to the first page of the book) name every page
    and every section, in order."""
    pages = pdf_text.split("\f")
    first = heading_text(article(built_book, toc_pages()[0]).find("h1"))
    start = next(n for n, p in enumerate(pages) if words(p).startswith("Contents"))
    end = next(n for n, p in enumerate(pages) if n > start and words(p).startswith(words(first)))
    contents = words(" ".join(pages[start:end]))
    position = 0
    for page in toc_pages():
        for heading in article(built_book, page).find_all(["h1", "h2"]):
            for part in heading_parts(heading):
                found = contents.find(words(part), position)
                assert found >= 0, (page, part)
                position = found


def test_page_count_is_in_range(book_pdf):
    info = subprocess.run(
        [poppler("pdfinfo"), str(book_pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert PAGES_RANGE[0] <= pages <= PAGES_RANGE[1], pages


def test_no_line_runs_into_the_side_margins(book_pdf, tmp_path):
    """Every page rendered: the side margins (less 2 mm of slack) hold no ink."""
    subprocess.run(
        [poppler("pdftoppm"), "-r", str(RENDER_DPI), "-gray", str(book_pdf), str(tmp_path / "p")],
        check=True,
    )
    margin_mm = float(PAGE_MARGIN.removesuffix("mm")) - 2
    inked = []
    for path in sorted(tmp_path.glob("p-*.pgm")):
        with Image.open(path) as page:
            w, h = page.size
            band = round(w * margin_mm / A4_WIDTH_MM)
            for box in ((0, 0, band, h), (w - band, 0, w, h)):
                darkest = page.crop(box).getextrema()[0]
                if darkest < 200:
                    inked.append(f"{path.name} {box}: {darkest}")
    assert inked == []
