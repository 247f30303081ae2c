"""The bibliography's entries are list items for screen readers.

docutils marks the bibliography as role="list" holding doc-biblioentry items, a role
ARIA 1.2 deprecated, so the list has no valid items (axe aria-required-children,
aria-deprecated-role); the entries get the listitem role.
"""

from __future__ import annotations


def bibliography_list_items(app, pagename, templatename, context, doctree) -> None:
    """Give the bibliography entries the ``listitem`` role their ``role="list"`` needs."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", bibliography_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
