"""Quote numbers measured on a page in the page's prose: myst-nb's ``glue``, where it exists.

The chapters fill a few sentences (timings, values shown in a folded solution) with
``{glue:text}`` from numbers computed in hidden cells.  Only the book build reads
them, so anywhere else (JupyterLab, Colab, a downloaded copy, the course's notebooks)
the call does nothing: there is nothing to fill in, and myst-nb's glue module costs
seconds to import (nbformat's schema validation), in every run of every chapter.
"""

from __future__ import annotations

from typing import Any

from statbook._constants import in_book_build


def glue(name: str, value: Any) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`name``` (not displayed in the cell)."""
    if not in_book_build():
        return
    from myst_nb import glue as myst_glue

    myst_glue(name, value, display=False)
