"""Sphinx extension: number figures, examples and exercises per section of the chapter.

Listed under ``sphinx: extra_extensions`` in ``_config.yml``; nothing in the
library imports it.  The pages keep the chapter's own section numbers in their
titles ("6.2 Multinomial models ...") instead of a numbered table of contents,
so Sphinx numbers every enumerable node (figures, sphinx-exercise's exercises,
sphinx-proof's definitions) with one counter running through the whole book:
"Exercise 25" on the last page.  After Sphinx has assigned those numbers, each
page's numbers are replaced by the page's section number followed by a counter
that starts at 1 on the page: the third exercise of "6.2 ..." becomes
"Exercise 6.2.3", the first figure of "6.4 ..." "Fig. 6.4.1".  A page whose
title has no section number counts from 1 without a prefix.

Titles, captions and every ``{numref}`` / ``{ref}`` / ``{prf:ref}`` read the
numbers from ``env.toc_fignumbers``, so they all agree.
"""

from __future__ import annotations

import re

SECTION_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\s")


def section_number(title: str) -> tuple[int, ...]:
    """The leading section number of a page title: "6.2 Multinomial" → (6, 2); else ()."""
    match = SECTION_NUMBER.match(title)
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def number_per_section(app, env) -> list[str]:
    """Renumber ``env.toc_fignumbers`` page by page, in document order; return no pages.

    Runs on ``env-get-updated`` after Sphinx's own numbering (which walks each page
    in document order, so the order of the ids within a figure type is the order
    on the page).
    """
    for docname, by_type in env.toc_fignumbers.items():
        title = env.titles[docname].astext() if docname in env.titles else ""
        prefix = section_number(title)
        for numbers in by_type.values():
            for count, figure_id in enumerate(numbers, start=1):
                numbers[figure_id] = (*prefix, count)
    return []


def setup(app):
    # After the toctree collector (priority 500) has assigned the book-wide numbers.
    app.connect("env-get-updated", number_per_section, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
