"""Quote numbers measured on a page in the page's prose: myst-nb's ``glue``, where it exists.

The chapters fill a few sentences (timings, values shown in a folded solution) with
``{glue:text}`` from numbers computed in hidden cells.  Only the book build reads
them; a notebook run elsewhere (Colab, a downloaded copy) may lack myst-nb, and
then there is nothing to fill in, so the call does nothing.
"""

from __future__ import annotations

from typing import Any


def glue(name: str, value: Any) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`name``` (not displayed in the cell)."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # pragma: no cover - outside the book's environment
        return
    myst_glue(name, value, display=False)
