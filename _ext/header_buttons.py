"""The page's header buttons point at what the book publishes: its notebooks and its PDF.

Colab: sphinx-book-theme points the button at the page's MyST .md source on GitHub,
which Colab cannot open (it reads only .ipynb). The build writes each chapter as a
notebook to _sources/<page>.ipynb (the download button's file) and `make publish` pushes
the built book to the statbook_pages_branch branch (default gh-pages): the button points
there. The notebook's first cell installs statbook where it is missing.

The downloadable notebook: sphinx-book-theme copies the executed notebook there. Its
explorer and figure outputs also carry the data only the book's renderers read (every
frame of every layout, application/vnd.statbook.*); Jupyter and Colab show the picture
beside it, so the copy drops that data (it doubled the download's size).

The book's PDF: the download menu offers this page's notebook, source and "print to
PDF"; it also links the whole book as one PDF, printed from the built pages by
`make pdf` (booktools.print_book).
"""

from __future__ import annotations

import json
from pathlib import Path

BOOK_PDF = "statbook.pdf"  # at the top of the built book; written by `make pdf`
BOOK_DATA = "application/vnd.statbook."  # MIME types only the book's renderers read


def colab_url(repository_url: str, branch: str, pagename: str) -> str:
    """Colab's address of the notebook ``_sources/<pagename>.ipynb`` of the book
    published on ``branch`` of the GitHub repository ``repository_url``."""
    repository = repository_url.removeprefix("https://github.com/").strip("/")
    notebook = f"{repository}/blob/{branch}/_sources/{pagename}.ipynb"
    return f"https://colab.research.google.com/github/{notebook}"


def point_colab_at_published_notebook(app, pagename, templatename, context, doctree) -> None:
    """Replace the Colab button's address (the page's .md source) by :func:`colab_url`."""
    if "ipynb_source" not in context:  # not a notebook page
        return
    repository_url = app.config.html_theme_options.get("repository_url", "")
    branch = app.config.statbook_pages_branch
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("text") == "Colab":
                button["url"] = colab_url(repository_url, branch, pagename)


def without_book_data(notebook: dict) -> dict:
    """``notebook`` (nbformat JSON) with no output data of a :data:`BOOK_DATA` MIME type."""
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in [m for m in data if m.startswith(BOOK_DATA)]:
                del data[mime]
                output.get("metadata", {}).pop(mime, None)
    return notebook


def drop_book_data_from_download(app, pagename, templatename, context, doctree) -> None:
    """Rewrite the page's downloadable notebook (``_sources/<page>.ipynb``) without the
    book-only output data (:func:`without_book_data`)."""
    if "ipynb_source" not in context:  # not a notebook page
        return
    path = Path(app.outdir, "_sources", context["ipynb_source"])
    notebook = without_book_data(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def link_book_pdf(app, pagename, templatename, context, doctree) -> None:
    """Add the whole book's PDF to the page's download menu."""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](BOOK_PDF, 1),
                    "text": "Book (PDF)",
                    "tooltip": "Download the whole book as one PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def setup(app):
    app.add_config_value("statbook_pages_branch", "gh-pages", "html")
    # After sphinx-book-theme has made the launch buttons (priority 501).
    app.connect("html-page-context", point_colab_at_published_notebook, priority=900)
    app.connect("html-page-context", link_book_pdf, priority=900)
    app.connect("html-page-context", drop_book_data_from_download, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
