"""Collect the MyST Markdown chapters as notebooks for nbval: every code cell is a test.

nbval collects ``.ipynb`` files only.  The chapters are jupytext MyST sources, so
this hook hands each ``chapters/*.md`` to nbval's collector with the notebook
read through jupytext instead of nbformat; nothing is written to disk.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest import mock

import jupytext
import nbval.plugin

CHAPTERS = Path(__file__).parent / "chapters"


def _read_myst(path, as_version=4):
    return jupytext.read(path, fmt="md:myst")


class MystNotebook(nbval.plugin.IPyNbFile):
    """nbval's notebook collector, reading a MyST Markdown notebook."""

    def collect(self):
        with mock.patch.object(nbval.plugin.nbformat, "read", _read_myst):
            yield from super().collect()


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and file_path.parent == CHAPTERS:
        with contextlib.suppress(AttributeError):
            if not (parent.config.option.nbval or parent.config.option.nbval_lax):
                return None
        return MystNotebook.from_parent(parent, path=file_path)
    return None
