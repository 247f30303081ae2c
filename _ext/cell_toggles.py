"""The toggle of a folded code cell (``hide-cell``, ``hide-input``) named by what it shows.

myst-nb writes the toggle as ``<summary aria-label="Toggle hidden content">`` around the
visible "Show code cell source": a screen reader then says another name than the one on
screen (axe: label-content-name-mismatch, WCAG 2.5.3), and a speech-input user who says
"click Show code cell source" finds nothing. Without the aria-label the summary is named
by its visible text. Loaded after myst-nb, whose node this overrides.
"""

from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput


def visit_hide_cell(self, node: HideCodeCellNode) -> None:
    """myst-nb's ``visit_HideCellInput`` without the summary's aria-label."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def setup(app):
    app.setup_extension("myst_nb")
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
