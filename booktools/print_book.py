"""The whole book as one PDF, printed by Chromium from the built HTML book (``make pdf``).

Run as ``python -m booktools.print_book [_build/html]`` after ``make book``.  The
pages of ``_toc.yml`` are joined, in order, into one print document next to
them (ids prefixed by the page, so links between pages become links inside the
PDF): a title page, a table of contents, every page's article, and an appendix
with the exercises' solutions, moved out of the chapters.  Debian's Chromium
prints it with the book's print style sheet (``_static/statbook.css``: code
wraps, explorers as small multiples of frames labelled with their values) to
``statbook.pdf`` at the top of the built book, the file its download menu links.

It is printed twice: the first print tells on which page each heading landed (the PDF's
named destinations, one per heading's section, which Chromium writes for link targets);
the contents list then gets those page numbers (their space is kept free in the first
print, so nothing moves) and the document is printed again and checked to have kept every
heading on its page.  The PDF's bookmarks are written from the headings of the HTML, one
per heading (formulas as text: :func:`math_text`), not by Chromium, whose outline doubles
the title of every heading that breaks over two lines and leaves formulas out.

Why Chromium and not Jupyter Book's LaTeX builder: the PDF is made of the very
pages the HTML book shows, so every section, equation, figure and exercise number
is the HTML's by construction, the formulas are the ones MathJax typeset for them, and
the explorers print from the same precomputed frames.  The LaTeX route would run
every notebook again, drop the HTML-only outputs (the explorers, tables), number
exercises and equations by its own counters, and needs TeX Live (gigabytes) on
every machine that builds the book.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter

from _ext.static_math import STYLE_ID as MATH_STYLE_ID
from booktools.browser import launch, toc_pages
from statbook.widgets import text_table

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "statbook.pdf"
PRINT_PAGE = "_print-book.html"  # written next to the chapters, removed after printing
PAGE_MARGIN = "16mm"
SIDE_MARGIN = "12mm"  # left and right: the widest explorer panels print larger
HEADINGS = ("h1", "h2", "h3")  # the levels that get a bookmark
CONTENTS_LEVELS = ("h1", "h2")  # the levels the contents list shows
PRINTS = 3  # at most: the second print keeps every heading on its page
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#444">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def slug(page: str) -> str:
    return page.replace("/", "-")


def _local_target(href: str, folder: str, pages: set[str]) -> tuple[str, str] | None:
    """(page, fragment) that a relative link of a page in ``folder`` points at, if a book page."""
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return None
    if not parts.path:
        return None
    target = str(Path(folder, parts.path).as_posix())
    target = re.sub(r"[^/]+/\.\./", "", target).removesuffix(".html")
    return (target, parts.fragment) if target in pages else None


def article(html_root: Path, page: str, pages: set[str]):
    """The page's article with ids prefixed by the page and links between pages made local."""
    soup = BeautifulSoup((html_root / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    body = soup.select_one("article.bd-article")
    prefix = slug(page)
    folder = str(Path(page).parent)
    for tag in body.select("[id]"):
        tag["id"] = f"{prefix}--{tag['id']}"
    for link in body.select("a[href]"):
        href = link["href"]
        if href.startswith("#"):
            link["href"] = f"#{prefix}--{href[1:]}" if len(href) > 1 else f"#{prefix}"
        elif (target := _local_target(href, folder, pages)) is not None:
            other, fragment = target
            link["href"] = f"#{slug(other)}--{fragment}" if fragment else f"#{slug(other)}"
    body["id"] = prefix
    return soup, body


def solutions_appendix(soup, chapters: list) -> object:
    """Move every solution out of the chapters into an appendix, chapter by chapter."""
    appendix = soup.new_tag("article", attrs={"class": "bd-article", "id": "solutions"})
    heading = soup.new_tag("h1")
    heading.string = "Solutions to the exercises"
    appendix.append(heading)
    for body in chapters:
        solutions = body.select("div.solution")
        if not solutions:
            continue
        title = body.find("h1")
        sub = soup.new_tag("h2")
        sub.string = "Solutions: " + title.get_text(" ", strip=True).removesuffix("#").strip()
        appendix.append(sub)
        for solution in solutions:
            solution["class"] = [c for c in solution["class"] if c not in ("dropdown", "toggle")]
            appendix.append(solution.extract())
    return appendix


def table_of_contents(soup, chapters: list) -> object:
    """A contents list of every page's title and sections, linked into the document.

    Each entry ends in a page number box (``span.toc-page``, ``data-target`` the id of
    the section it links), of fixed width, empty until :func:`number_contents` fills it.
    """
    nav = soup.new_tag("nav", attrs={"id": "book-contents", "aria-label": "Contents"})
    heading = soup.new_tag("h1")
    heading.string = "Contents"
    nav.append(heading)
    outer = soup.new_tag("ul")

    def entry(target: str, title: str):
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{target}")
        name = soup.new_tag("span", attrs={"class": "toc-title"})
        name.string = title
        page = soup.new_tag("span", attrs={"class": "toc-page", "data-target": target})
        link.append(name)
        link.append(page)
        item.append(link)
        return item

    for body in chapters:
        title = body.find("h1")
        section = title.find_parent("section")
        item = entry(section["id"] if section else body["id"], heading_text(title))
        inner = soup.new_tag("ul")
        for h2 in body.find_all("h2"):
            parent = h2.find_parent("section")
            if parent is None or not parent.get("id"):
                continue
            inner.append(entry(parent["id"], heading_text(h2)))
        if inner.contents:
            item.append(inner)
        outer.append(item)
    nav.append(outer)
    return nav


# Unicode sub- and superscripts a formula's scripts are written with in a bookmark.
SUBSCRIPTS = str.maketrans(
    "0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"
)
SUPERSCRIPTS = str.maketrans("0123456789+-−=()inT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁱⁿᵀ")
ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303", "¯": "\u0304"}


def _scripted(base: str, script: str, table: dict, mark: str) -> str:
    """``base`` with ``script`` in Unicode sub/superscripts, or after ``mark`` if one has none."""
    if all(ord(c) in table for c in script):
        return base + script.translate(table)
    return f"{base}{mark}({script})" if len(script) > 1 else f"{base}{mark}{script}"


def math_text(node) -> str:
    """A MathML formula as plain text: x_i → xᵢ, x^2 → x², a/b for a fraction, β̂.

    The text a bookmark (which holds no formulas) shows for a formula of a heading.
    """
    name = getattr(node, "name", None)
    if name is None:
        return str(node).strip()
    parts = [math_text(child) for child in node.children if getattr(child, "name", None)]
    if not parts:
        return node.get_text().strip()
    if name == "msub":
        return _scripted(parts[0], parts[1], SUBSCRIPTS, "_")
    if name == "msup":
        return _scripted(parts[0], parts[1], SUPERSCRIPTS, "^")
    if name == "msubsup":
        return _scripted(
            _scripted(parts[0], parts[1], SUBSCRIPTS, "_"), parts[2], SUPERSCRIPTS, "^"
        )
    if name == "mover" and parts[1] in ACCENTS:
        return parts[0] + ACCENTS[parts[1]]
    if name == "mfrac":
        return f"{parts[0]}/{parts[1]}"
    if name in ("msqrt", "mroot"):
        return f"√({parts[0]})"
    return "".join(parts)


def heading_text(heading) -> str:
    """A heading's text without its permalink sign, its formulas written as text."""
    heading = BeautifulSoup(str(heading), "html.parser")
    for link in heading.select("a.headerlink"):
        link.decompose()
    for math in heading.select("span.math"):
        formula = math.find("math")
        math.replace_with(math_text(formula) if formula is not None else math.get_text())
    return " ".join(heading.get_text().split()).removesuffix("#").strip()


def print_tables(document) -> None:
    """Each frame of an explorer's print panel gets the explorer's text table for its values
    (the mixed-models fitted values): on paper as on screen the numbers are text."""
    for explorer in document.select("figure.statbook-explorer"):
        data = explorer.select_one("script.sbx-data")
        tables = json.loads(data.string).get("tables") if data is not None else None
        if not tables:
            continue
        for figure in explorer.select(".sbx-print figure"):
            frame = int(figure.img["data-sbx-frame"])
            table = BeautifulSoup(text_table(tables[frame]), "html.parser")
            figure.figcaption.insert_before(table)


def outline_targets(main) -> list[tuple[int, str, str]]:
    """(level, id, text) of every heading that gets a bookmark, in document order.

    The id is the one its bookmark and contents entry point at: the heading's own, or that
    of the section it opens; a heading with neither gets one.
    """
    entries = []
    for n, heading in enumerate(main.find_all(HEADINGS)):
        if heading.find_parent(id="title-page") is not None:
            continue
        section = heading.find_parent("section")
        if heading.get("id"):
            target = heading["id"]
        elif section is not None and section.get("id") and section.find(HEADINGS) is heading:
            target = section["id"]
        else:
            target = heading["id"] = f"heading-{n}"
        entries.append((HEADINGS.index(heading.name), target, heading_text(heading)))
    return entries


def print_document(html_root: Path, pages: list[str]) -> tuple[str, list[tuple[int, str, str]]]:
    """The print document's HTML (the first page's head, then the joined articles) and the
    headings that get bookmarks (:func:`outline_targets`)."""
    known = set(pages)
    soup, first = article(html_root, pages[0], known)
    chapters = [first] + [article(html_root, page, known)[1] for page in pages[1:]]
    document = BeautifulSoup(
        "<!DOCTYPE html><html><head></head><body></body></html>", "html.parser"
    )
    document.html["lang"] = soup.html.get("lang", "en")
    for node in soup.head.contents:
        document.head.append(node.__copy__() if hasattr(node, "__copy__") else node)
    # One title, the book's: a page's title is "<page> — <book>", the same for the first.
    book_title = soup.title.get_text().split(" — ")[-1].strip() if soup.title else "statbook"
    document.title.string = book_title
    # Each page's formulas come with the style sheet of their characters (_ext.static_math).
    for page in pages[1:]:
        html = (html_root / f"{page}.html").read_text(encoding="utf-8")
        style = BeautifulSoup(html, "html.parser").find("style", id=MATH_STYLE_ID)
        if style is not None:
            document.head.append(style)
    style = document.new_tag("style")
    style.string = PRINT_LAYOUT
    document.head.append(style)
    main = document.new_tag("main", attrs={"class": "statbook-print"})
    title = document.new_tag("section", attrs={"id": "title-page"})
    name = document.new_tag("h1")
    name.string = book_title
    title.append(name)
    main.append(title)
    appendix = solutions_appendix(document, chapters)
    main.append(table_of_contents(document, [*chapters, appendix]))
    for body in chapters:
        main.append(body)
    main.append(appendix)
    # Paper cannot unfold: the detail for the curious (dropdowns, folded cells) prints open.
    for folded in main.select("details"):
        folded["open"] = ""
    print_tables(main)
    targets = outline_targets(main)
    # Chromium writes a named destination (its page) for every target of a link: each
    # heading's target is linked, from a list that does not print.
    hidden = document.new_tag("nav", attrs={"hidden": "", "aria-hidden": "true"})
    for _level, target, _text in targets:
        hidden.append(document.new_tag("a", href=f"#{target}"))
    main.append(hidden)
    document.body.append(main)
    return str(document), targets


# The print document's own layout: one column, each page of the book on a new sheet.
PRINT_LAYOUT = """
body { margin: 0; }
main.statbook-print { max-width: none; }
main.statbook-print > article { break-before: page; }
#title-page { height: 60vh; display: flex; align-items: flex-end; }
#title-page h1 { font-size: 2.4em; }
#book-contents { break-before: page; }
#book-contents ul { list-style: none; padding-left: 1.2em; }
#book-contents > ul { padding-left: 0; }
#book-contents > ul > li { margin-top: 0.6em; font-weight: 600; }
#book-contents > ul > li li { font-weight: normal; }
/* Each entry: its title, a dotted leader, the page number (empty in the first print, its
   box as wide as in the second, so that the pages do not move). */
#book-contents a { display: flex; align-items: baseline; color: inherit; text-decoration: none; }
#book-contents a::after {
  content: ""; order: 1; flex: 1 1 auto; margin: 0 0.4em; border-bottom: 1px dotted #767676;
}
#book-contents .toc-page {
  order: 2; flex: none; min-width: 2em; text-align: right; font-variant-numeric: tabular-nums;
}
.headerlink, .toggle-button, button.toggle-button { display: none !important; }
div.solution .admonition-title a { pointer-events: none; }
"""


def mm(length: str) -> float:
    """A CSS length in millimetres ("12mm") as a number."""
    return float(length.removesuffix("mm"))


def heading_pages(pdf: bytes, targets: list[str]) -> dict[str, int]:
    """The page (from 1) of each target id: its named destination in the printed PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    destinations = {name.removeprefix("/"): d for name, d in reader.named_destinations.items()}
    missing = [t for t in targets if t not in destinations]
    if missing:
        raise SystemExit(f"the PDF has no destination for the headings {missing[:5]}")
    return {t: reader.get_destination_page_number(destinations[t]) + 1 for t in targets}


# The page's width less the side margins, in CSS px (96 a inch): the window the print
# document is laid out in before printing, so what is measured there is what prints.
A4_WIDTH_MM = 210
A4_HEIGHT_MM = 297
LONG_BLOCK = 1 / 3  # of a page's height: a longer code block or output may break

# Before printing: a formula wider than its column (a long inline one in an exercise's
# solution: MathJax 3 cannot break it over lines) is made smaller until it fits, instead of
# being cut off by its box or running into the margin; returns the scales used.  Code blocks,
# outputs and boxes (a solution, an exercise, a folded cell or dropdown, which print open)
# longer than LONG_BLOCK of a page are marked
# sb-long: they may break (statbook.css), not push a page's worth of blank ahead of them.
PREPARE_JS = """([pageHeight, longBlock]) => {
  const room = (element) => {
    let block = element.parentElement;
    while (getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const style = getComputedStyle(block);
    return block.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const scales = [];
  for (const formula of document.querySelectorAll('mjx-container')) {
    const math = formula.querySelector('mjx-math');
    if (!math) continue;
    const width = math.getBoundingClientRect().width, fit = room(formula);
    if (width > fit) {
      const scale = Math.floor(100 * fit / width) / 100;
      const size = parseFloat(getComputedStyle(formula).fontSize);
      formula.style.setProperty('font-size', `${size * scale}px`, 'important');
      scales.push(scale);
    }
  }
  for (const block of document.querySelectorAll(
      'div[class*=highlight], div.cell_input, div.cell_output .output, div.admonition, ' +
      'details')) {
    if (block.getBoundingClientRect().height > longBlock * pageHeight) {
      block.classList.add('sb-long');
    }
  }
  return scales;
}"""

# Writes the page numbers into the contents list: {target id: page}.
NUMBER_CONTENTS_JS = """(pages) => {
  for (const box of document.querySelectorAll('#book-contents .toc-page')) {
    box.textContent = String(pages[box.dataset.target]);
  }
}"""


def write_outline(pdf: bytes, out: Path, title: str, entries: list[tuple[int, str, int]]) -> None:
    """``pdf`` to ``out`` with one bookmark per (level, text, page) entry, nested by level,
    the bookmarks shown when the PDF opens, and ``title`` as its one title."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    parents: list = []  # the open bookmark of each level above the current one
    for level, text, page in entries:
        del parents[level:]
        parent = parents[-1] if parents else None
        parents.append(writer.add_outline_item(title=text, page_number=page - 1, parent=parent))
    writer.add_metadata({"/Title": title})
    writer.page_mode = "/UseOutlines"
    with out.open("wb") as stream:
        writer.write(stream)


def print_pdf(html_root: Path, out: Path | None = None) -> Path:
    """Join the built pages into one document and print it to ``statbook.pdf`` with Chromium:
    printed, the headings' pages read back into the contents, printed again (see above)."""
    from playwright.sync_api import sync_playwright

    out = out or html_root / PDF_NAME
    pages = toc_pages()
    folder = html_root / Path(pages[1]).parent
    document = folder / PRINT_PAGE
    html, targets = print_document(html_root, pages)
    document.write_text(html, encoding="utf-8")
    ids = [target for _level, target, _text in targets]
    column_px = round((A4_WIDTH_MM - 2 * mm(SIDE_MARGIN)) / 25.4 * 96)
    page_px = round((A4_HEIGHT_MM - 2 * mm(PAGE_MARGIN)) / 25.4 * 96)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": column_px, "height": page_px})
            page.emulate_media(media="print", color_scheme="light")
            page.goto(document.as_uri(), wait_until="load")
            title = page.title()
            # The formulas' fonts (MathJax's, named by each page's style sheet) are loaded.
            page.evaluate(
                "() => { document.body.getBoundingClientRect();"
                " return document.fonts.ready.then(() => true); }"
            )
            # Lazy images (the explorers' print panels) load before printing.
            page.evaluate(
                "() => Promise.all([...document.images].map((img) => {"
                " img.loading = 'eager'; return img.decode().catch(() => null); }))"
            )
            scales = page.evaluate(PREPARE_JS, [page_px, LONG_BLOCK])
            if scales:
                print(f"{len(scales)} formulas made smaller to fit, to {min(scales):.0%} at least")
            numbered: dict[str, int] = {}
            for _ in range(PRINTS):
                pdf = page.pdf(
                    format="A4",
                    margin={
                        "top": PAGE_MARGIN,
                        "bottom": PAGE_MARGIN,
                        "left": SIDE_MARGIN,
                        "right": SIDE_MARGIN,
                    },
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    tagged=True,
                )
                found = heading_pages(pdf, ids)
                if found == numbered:
                    break
                page.evaluate(NUMBER_CONTENTS_JS, found)
                numbered = found
            else:
                raise SystemExit(f"the headings' pages did not settle in {PRINTS} prints")
            browser.close()
    finally:
        document.unlink(missing_ok=True)
    entries = [(level, text, numbered[target]) for level, target, text in targets]
    write_outline(pdf, out, title, entries)
    return out


def main(argv: list[str]) -> None:
    html_root = (Path(argv[0]) if argv else ROOT / "_build" / "html").resolve()
    if not (html_root / f"{toc_pages()[0]}.html").exists():
        raise SystemExit(f"{html_root} holds no built book: run `make book` first")
    print(f"The PDF is printed: {print_pdf(html_root)}")


if __name__ == "__main__":
    main(sys.argv[1:])
