"""The whole book as one PDF (``make pdf``, ``booktools.print_book``), read back with poppler.

Checked: every page's title and section titles are in the text (``pdftotext``), so
are a sample of the numbers the chapters print and the labels of the explorers'
small-multiples panels; the solutions sit in the appendix after the last page; no
line runs into the side margins (the margins of every page, rendered by
``pdftoppm``, are blank); the page count is in the range the book has.  Read with
pypdf: one bookmark per heading, titled as the heading; the contents' page numbers are
the pages the headings are on; one title.  No page is mostly blank but where a chapter
ends, a formula cut off by its box is whole, and the text of the explorers' panels
prints at 6 pt or more (the size drawn × printed resolution ÷ drawn resolution).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from booktools.print_book import (
    PAGE_MARGIN,
    SIDE_MARGIN,
    heading_text,
    math_text,
    toc_pages,
)
from tests.test_datasets import SHARED

pytestmark = pytest.mark.book

PAGES_RANGE = (80, 160)  # 107 pages when this was written
A4_WIDTH_MM = 210
RENDER_DPI = 40
NUMBERS_PER_CHAPTER = 3


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install poppler-utils (booktools/system-packages poppler)")
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
    appendix = pdf_text.rindex("Solutions to the exercises")  # the first is in the contents
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
    margin_mm = float(SIDE_MARGIN.removesuffix("mm")) - 2
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


# --- bookmarks, contents, title ---------------------------------------------------------


@pytest.fixture(scope="module")
def reader(book_pdf) -> PdfReader:
    return PdfReader(book_pdf)


def bookmarks(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page from 1) of every bookmark, in order."""
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def spoken(heading) -> str:
    """A heading as the HTML reads it: its formulas by their MathML's characters."""
    for math in heading.select("span.math"):
        formula = math.find("math")
        math.replace_with(formula.get_text("") if formula is not None else math.get_text(""))
    return heading.get_text("").removesuffix("#")


def same(a: str, b: str) -> bool:
    """Equal once sub- and superscripts are plain characters (NFKC) and spaces are gone."""
    return "".join(unicodedata.normalize("NFKC", a).split()) == "".join(
        unicodedata.normalize("NFKC", b).split()
    )


def test_one_bookmark_per_heading_titled_as_the_heading(built_book, reader):
    """Contents, then each page's h1, h2 and h3 in order, then the solutions' appendix
    with one h2 per chapter; nested by level; the one formula of a heading (Z) as text."""
    expected = [(0, "Contents")]
    chapters = []
    for page in toc_pages():
        body = article(built_book, page)
        headings = body.find_all(["h1", "h2", "h3"])
        expected += [(int(h.name[1]) - 1, spoken(h)) for h in headings]
        if body.select("div.solution"):
            chapters.append(spoken(body.find("h1")))
    expected.append((0, "Solutions to the exercises"))
    expected += [(1, f"Solutions: {title}") for title in chapters]
    marks = bookmarks(reader)
    assert len(marks) == len(expected) > 60
    wrong = [
        (mark[:2], want)
        for mark, want in zip(marks, expected, strict=True)
        if mark[0] != want[0] or not same(mark[1], want[1])
    ]
    assert wrong == []
    assert "A regression model given Z, but not given the data" in [m[1] for m in marks]


def test_math_text_writes_a_formula_as_plain_text():
    def text(mathml: str) -> str:
        return math_text(BeautifulSoup(mathml, "html.parser").find("math"))

    assert text("<math><mi>Z</mi></math>") == "Z"
    assert text("<math><msub><mi>θ</mi><mi>k</mi></msub></math>") == "θₖ"
    assert text("<math><msup><mi>σ</mi><mn>2</mn></msup></math>") == "σ²"
    assert text("<math><msub><mi>N</mi><mi>C</mi></msub></math>") == "N_C"  # no subscript C
    assert text("<math><mover><mi>β</mi><mo>^</mo></mover></math>") == "β\u0302"
    assert text("<math><mfrac><mi>a</mi><mi>b</mi></mfrac></math>") == "a/b"


def test_one_title(reader, built_book):
    first = BeautifulSoup((built_book / f"{toc_pages()[0]}.html").read_text(), "html.parser")
    book = first.title.get_text().split(" — ")[-1].strip()
    assert reader.metadata.title == book


def test_contents_page_numbers_are_the_pages_of_the_headings(pdf_text, reader):
    """Each contents line "<title> .... <n>", in order: page n shows the heading (its words,
    and the footer "n / total"), and the heading's bookmark points at page n."""
    pages = pdf_text.split("\f")
    start = next(n for n, p in enumerate(pages) if words(p).startswith("Contents"))
    marks = [(flat(title), page) for level, title, page in bookmarks(reader) if level < 2][1:]
    lines = []
    for text in pages[start : start + 4]:
        lines += re.findall(r"^(\S.*?)\s*\n?\s*(\d+)$", text, re.M)
    entries, position = [], 0
    for title, n in lines:
        at = next((i for i in range(position, len(marks)) if marks[i][0] == flat(title)), None)
        if at is not None:  # a title broken over two lines is not read whole: left out
            entries.append((flat(title), int(n), marks[at][1]))
            position = at + 1
    assert len(entries) >= 50
    for title, n, bookmarked in entries:
        assert bookmarked == n, (title, n, bookmarked)
        assert words(title) in words(pages[n - 1]), (title, n)
        assert re.search(rf"^{n} / {len(pages) - 1}$", pages[n - 1], re.M), (title, n)


# --- the page as printed ------------------------------------------------------------------

A4_MM = (210, 297)
MAX_BLANK = 0.4  # of a page's text area, below its last line, but where a chapter ends
BLANK_DPI = 30


def mm(length: str) -> float:
    return float(length.removesuffix("mm"))


def test_no_page_is_mostly_blank_but_where_a_chapter_ends(book_pdf, reader, tmp_path):
    """The text area below a page's last ink is at most 40 % of it, but on the title page,
    the last page and a page after which a chapter (an h1: its first bookmark) starts."""
    subprocess.run(
        [poppler("pdftoppm"), "-r", str(BLANK_DPI), "-gray", str(book_pdf), str(tmp_path / "p")],
        check=True,
    )
    paths = sorted(tmp_path.glob("p-*.pgm"))
    chapter_starts = {page for level, _title, page in bookmarks(reader) if level == 0}
    excused = {1, len(paths)} | {page - 1 for page in chapter_starts}
    blank = {}
    for number, path in enumerate(paths, start=1):
        with Image.open(path) as page:
            w, h = page.size
            top = round(h * mm(PAGE_MARGIN) / A4_MM[1])
            bottom = h - top
            inked = [
                y for y in range(top, bottom) if page.crop((0, y, w, y + 1)).getextrema()[0] < 200
            ]
            blank[number] = (bottom - max(inked, default=top)) / (bottom - top)
    assert len(blank) > 80
    assert {n: round(b, 2) for n, b in blank.items() if b > MAX_BLANK and n not in excused} == {}


def test_the_formula_of_exercise_6_1_3s_solution_is_whole(built_book, book_pdf, pdf_text, tmp_path):
    """The widest formula of the solution (wider than its line on paper) prints whole: its
    last characters are on the page, and no character of the page lies outside the text
    column (its box hid what overflowed; a formula that overflows would run into the
    margin)."""
    solution = next(
        s
        for s in article(built_book, "chapters/likelihood").select("div.solution")
        if "Exercise 6.1.3" in s.get_text()
    )
    formula = next(m for m in solution.select("span.math") if "Cov" in m.get_text())
    tail = [t.get_text() for t in formula.find("math").find_all(["mi", "mo", "mn"])][-4:]
    assert tail == ["t", "(", "Y", ")"]
    number = next(
        n for n, p in enumerate(pdf_text.split("\f"), 1) if "Solution to Exercise 6.1.3" in p
    )
    subprocess.run(
        [
            poppler("pdftotext"),
            "-bbox",
            "-f",
            str(number),
            "-l",
            str(number),
            str(book_pdf),
            str(tmp_path / "page.html"),
        ],
        check=True,
    )
    page = BeautifulSoup((tmp_path / "page.html").read_text(), "html.parser")
    width = float(page.find("page")["width"])
    left = mm(SIDE_MARGIN) / 25.4 * 72
    boxes = [(w.get_text(), float(w["xmin"]), float(w["xmax"])) for w in page.find_all("word")]
    outside = [b for b in boxes if b[1] < left - 1 or b[2] > width - left + 1]
    assert outside == []
    text = "".join(b[0] for b in boxes)
    assert "=Covθt(Y)" in text or "Covθt(Y)," in text, text[:2000]


# --- the explorers' panels: text size on paper ------------------------------------------

MIN_PRINTED_PT = 6.0


def explorers() -> dict:
    """Every explorer of the book, by name (the factories the chapters call)."""
    from statbook import datasets
    from statbook.explorers import likelihood, mixed, mixtures, multinomial, regression

    return {
        "vonmises": likelihood.vonmises_explorer,
        "gaussian": likelihood.gaussian_explorer,
        "mixed": mixed.mixed_explorer,
        "density": mixtures.density_explorer,
        "label switching": mixtures.label_switching_explorer,
        "moth": multinomial.moth_explorer,
        "softmax": multinomial.softmax_explorer,
        "regression": lambda: regression.simple_model_explorer(
            datasets.load_vegetables(data_dir=SHARED)
        ),
    }


def drawn(explorer) -> tuple[tuple[int, int], float]:
    """The print layout's frame size in pixels and the smallest font size (pt at the
    figure's dpi) of the text drawn in it."""
    from statbook.plotting import smallest_text_px

    with Image.open(io.BytesIO(explorer.render(layout="print"))) as frame:
        size = frame.size
    figure = explorer.layout_figure("print").figure
    return size, smallest_text_px(figure) * 72 / figure.dpi


@pytest.fixture(scope="module")
def printed_images(book_pdf) -> list[dict]:
    """Every image of the PDF: pixel size and printed resolution (``pdfimages -list``)."""
    listing = subprocess.run(
        [poppler("pdfimages"), "-list", str(book_pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [
        {"page": int(f[0]), "size": (int(f[3]), int(f[4])), "ppi": float(f[12])}
        for f in (line.split() for line in listing)
    ]


def printed_panels(explorer, images: list[dict]) -> list[tuple[float, float]]:
    """Each panel frame of ``explorer`` in the PDF: its printed resolution (ppi) and the
    printed size of its smallest text, its size at the drawn dpi × drawn dpi ÷ printed ppi."""
    size, smallest = drawn(explorer)
    dpi = explorer.layouts["print"].dpi
    return [
        (image["ppi"], smallest * dpi / image["ppi"]) for image in images if image["size"] == size
    ]


@pytest.mark.parametrize(
    "name",
    [
        "vonmises",
        "gaussian",
        "density",
        "label switching",
        "moth",
        "softmax",
        "regression",
        "mixed",
    ],
)
def test_explorer_panels_print_text_at_6_pt_or_more(printed_images, name):
    """The panels' frames are the print layout's, at about 300 dpi on paper (drawn for the
    printed size, not shrunk to it), their smallest text 6 pt or more."""
    panels = printed_panels(explorers()[name](), printed_images)
    assert len(panels) >= 4  # the panel's frames (two explorers share one size)
    assert min(pt for _ppi, pt in panels) >= MIN_PRINTED_PT, [round(pt, 2) for _, pt in panels]
    assert all(290 <= ppi <= 310 for ppi, _pt in panels), panels


# --- the chapters' figures on paper -----------------------------------------------------

FIGURES = 14  # the chapters' figures drawn by statbook.plotting.figure_layouts
MIN_PRINT_PPI = 299  # drawn at 300 dpi for the size it prints at (pdfimages rounds)


def print_layouts(built_book: Path) -> list[dict]:
    """The paper layout of every chapter figure (the ``<source media="print">`` of its
    picture): its image's size in pixels, its drawn width (CSS px) and ``data-text-px``."""
    layouts = []
    for page in toc_pages():
        for source in article(built_book, page).select('picture source[media="print"]'):
            path = (built_book / page).parent / source["srcset"].split()[0]
            with Image.open(path) as image:
                size = image.size
            layouts.append(
                {
                    "file": path.name,
                    "size": size,
                    "width": float(source["width"]),
                    "text_px": float(source["data-text-px"]),
                }
            )
    return layouts


def test_figures_print_their_paper_layout_at_300_dpi_with_text_at_6_pt_or_more(
    built_book, printed_images
):
    """Every chapter figure prints from its paper layout (Chromium chose the print source:
    an image of that layout's pixel size is in the PDF), at 300 dpi or more, its smallest
    text at 6 pt or more: data-text-px × (pixels ÷ drawn width) ÷ printed ppi × 72."""
    layouts = print_layouts(built_book)
    assert len(layouts) == FIGURES
    found = {}
    for layout in layouts:
        printed = [image for image in printed_images if image["size"] == layout["size"]]
        assert printed, f"{layout['file']} ({layout['size']}) is not in the PDF"
        found[layout["file"]] = [
            (
                image["ppi"],
                round(
                    layout["text_px"] * layout["size"][0] * 72 / (image["ppi"] * layout["width"]), 2
                ),
            )
            for image in printed
        ]
    low = {
        name: sizes
        for name, sizes in found.items()
        if any(ppi < MIN_PRINT_PPI or pt < MIN_PRINTED_PT for ppi, pt in sizes)
    }
    assert low == {}
