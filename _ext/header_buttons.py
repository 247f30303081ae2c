"""The page's header buttons point at what the book publishes: its notebooks and its PDF.

Colab: sphinx-book-theme points the button at the page's MyST .md source on GitHub,
which Colab cannot open (it reads only .ipynb). The build writes each chapter as a
notebook to _sources/<page>.ipynb (the download button's file) and `make publish` pushes
the built book to the statbook_pages_branch branch (default gh-pages): the button points
there. The notebook's first cell installs statbook where it is missing.

The book's PDF: the download menu offers this page's notebook, source and "print to
PDF"; it also links the whole book as one PDF, printed from the built pages by
`make pdf` (booktools.print_book).
"""

from __future__ import annotations

BOOK_PDF = "statbook.pdf"  # at the top of the built book; written by `make pdf`


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
