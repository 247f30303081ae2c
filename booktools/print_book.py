"""The whole book as one PDF, printed by Chromium from the built HTML book (``make pdf``).

Run as ``python -m booktools.print_book [_build/html]`` after ``make book``.  The
pages of ``_toc.yml`` are joined, in order, into one print document next to
them (ids prefixed by the page, so links between pages become links inside the
PDF): a title page, a table of contents, every page's article, and an appendix
with the exercises' solutions, moved out of the chapters.  Debian's Chromium
prints it with the book's print style sheet (``_static/statbook.css``: code
wraps, explorers as small multiples of frames labelled with their values) to
``statbook.pdf`` at the top of the built book, the file its download menu links.

Why Chromium and not Jupyter Book's LaTeX builder: the PDF is made of the very
pages the HTML book shows, so every section, equation, figure and exercise number
is the HTML's by construction, the formulas are the ones MathJax typeset for them, and
the explorers print from the same precomputed frames.  The LaTeX route would run
every notebook again, drop the HTML-only outputs (the explorers, tables), number
exercises and equations by its own counters, and needs TeX Live (gigabytes) on
every machine that builds the book.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from bs4 import BeautifulSoup

from _ext.static_math import STYLE_ID as MATH_STYLE_ID

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PDF_NAME = "statbook.pdf"
PRINT_PAGE = "_print-book.html"  # written next to the chapters, removed after printing
PAGE_MARGIN = "16mm"
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#444">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def toc_pages(root: Path = ROOT) -> list[str]:
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    return [toc["root"], *(entry["file"] for entry in toc["chapters"])]


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
    """A contents list of every page's title and sections, linked into the document."""
    nav = soup.new_tag("nav", attrs={"id": "book-contents", "aria-label": "Contents"})
    heading = soup.new_tag("h1")
    heading.string = "Contents"
    nav.append(heading)
    outer = soup.new_tag("ul")
    for body in chapters:
        title = body.find("h1")
        section = title.find_parent("section")
        item = soup.new_tag("li")
        link = soup.new_tag("a", href=f"#{section['id'] if section else body['id']}")
        link.string = heading_text(title)
        item.append(link)
        inner = soup.new_tag("ul")
        for h2 in body.find_all("h2"):
            parent = h2.find_parent("section")
            if parent is None or not parent.get("id"):
                continue
            sub = soup.new_tag("li")
            sublink = soup.new_tag("a", href=f"#{parent['id']}")
            sublink.string = heading_text(h2)
            sub.append(sublink)
            inner.append(sub)
        if inner.contents:
            item.append(inner)
        outer.append(item)
    nav.append(outer)
    return nav


def heading_text(heading) -> str:
    """A heading's text without its permalink sign."""
    return heading.get_text(" ", strip=True).removesuffix("#").strip()


def print_document(html_root: Path, pages: list[str]) -> str:
    """The print document's HTML: the first page's head, then the joined articles."""
    known = set(pages)
    soup, first = article(html_root, pages[0], known)
    chapters = [first] + [article(html_root, page, known)[1] for page in pages[1:]]
    document = BeautifulSoup(
        "<!DOCTYPE html><html><head></head><body></body></html>", "html.parser"
    )
    document.html["lang"] = soup.html.get("lang", "en")
    for node in soup.head.contents:
        document.head.append(node.__copy__() if hasattr(node, "__copy__") else node)
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
    name.string = soup.title.get_text().split(" — ")[-1].strip() if soup.title else "statbook"
    title.append(name)
    main.append(title)
    main.append(table_of_contents(document, chapters))
    appendix = solutions_appendix(document, chapters)
    for body in chapters:
        main.append(body)
    main.append(appendix)
    document.body.append(main)
    return str(document)


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
.headerlink, .toggle-button, button.toggle-button { display: none !important; }
div.solution .admonition-title a { pointer-events: none; }
"""


def print_pdf(html_root: Path, out: Path | None = None) -> Path:
    """Join the built pages into one document and print it to ``statbook.pdf`` with Chromium."""
    from playwright.sync_api import sync_playwright

    out = out or html_root / PDF_NAME
    pages = toc_pages()
    folder = html_root / Path(pages[1]).parent
    document = folder / PRINT_PAGE
    document.write_text(print_document(html_root, pages), encoding="utf-8")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.emulate_media(media="print", color_scheme="light")
            page.goto(document.as_uri(), wait_until="load")
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
            page.pdf(
                path=str(out),
                format="A4",
                margin={side: PAGE_MARGIN for side in ("top", "bottom", "left", "right")},
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                outline=True,
                tagged=True,
            )
            browser.close()
    finally:
        document.unlink(missing_ok=True)
    return out


def main(argv: list[str]) -> None:
    html_root = (Path(argv[0]) if argv else ROOT / "_build" / "html").resolve()
    if not (html_root / f"{toc_pages()[0]}.html").exists():
        raise SystemExit(f"{html_root} holds no built book: run `make book` first")
    print(f"The PDF is printed: {print_pdf(html_root)}")


if __name__ == "__main__":
    main(sys.argv[1:])
