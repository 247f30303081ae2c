"""Write the student versions of the section notebooks: exercises kept, solutions gone.

    python -m statbook.student [--out student] [chapters/likelihood.md ...]

For every section chapter (the pages of ``_toc.yml`` except the root and the
teacher's page) this writes ``<out>/<name>.ipynb`` and ``<out>/<name>.md`` in
which

- ``{solution}`` directives (prose solutions) are removed, with their content;
- gated solutions, from ``{solution-start} <label>`` to ``{solution-end}``, are
  removed with every markdown line and code cell between them;
- code cells tagged ``solution`` (solution code) or ``asserts`` (the hidden
  assertions of the printed numbers) are removed;
- each coding exercise (one whose solution has code cells, or one that
  :mod:`statbook.check` knows) gets, where its solution was, a code cell tagged
  ``answer`` with a clearly marked place for the answer and, when a check
  exists, the line that checks it.

Exercise prompts, prose, figures and every other cell stay as they are, so the
student notebook still runs from top to bottom.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

from statbook.check import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
REMOVED_TAGS = frozenset({"solution", "asserts"})
ANSWER_TAG = "answer"
TEACHER_PAGE = "chapters/teacher"
STUDENT_NOTE = (
    "> **Student version.** The solutions are not in this notebook. Each coding exercise "
    "is followed by a cell marked ✏️ YOUR ANSWER; where it ends with `check(...)`, running "
    "it tells you what is right so far and gives a hint."
)

_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
_CLOSE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\s*$")


def section_chapters(root: Path = ROOT) -> list[Path]:
    """The section notebooks: every page of ``_toc.yml`` except the root and the teacher's page."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [entry["file"] for entry in _toc_entries(toc)]
    return [root / f"{name}.md" for name in files if name not in (toc["root"], TEACHER_PAGE)]


def _toc_entries(node):
    """Every ``{file: ...}`` entry of a jb-book TOC, parts and nested sections included."""
    if isinstance(node, dict):
        if "file" in node:
            yield node
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                yield from _toc_entries(child)


@dataclass
class _Fence:
    """An open directive fence: its character, length and directive name."""

    char: str
    length: int
    name: str

    def closed_by(self, line: str) -> bool:
        match = _CLOSE.match(line)
        return bool(match) and match["fence"][0] == self.char and len(match["fence"]) >= self.length


@dataclass
class _Stripper:
    """Line-by-line state machine over a notebook's cells that drops every solution."""

    coding: set[str]
    cells: list = field(default_factory=list)
    skipping: _Fence | None = None  # inside a {solution} directive, or a solution-end fence
    gated: str | None = None  # label of the gated solution we are inside
    removed_code: bool = False  # the current gated solution had code cells

    def markdown(self, cell) -> None:
        kept: list[str] = []
        for line in cell.source.splitlines():
            if self.skipping is not None:
                if self.skipping.closed_by(line):
                    if self.skipping.name == "solution-end":
                        self._end_gated(kept)
                    self.skipping = None
                continue
            opened = _OPEN.match(line)
            name = opened["name"] if opened else None
            if self.gated is not None:
                if name == "solution-end":
                    self.skipping = _Fence(opened["fence"][0], len(opened["fence"]), name)
                continue
            if name == "solution":
                self.skipping = _Fence(opened["fence"][0], len(opened["fence"]), name)
                self._answer_after(kept, opened["arg"].split()[0] if opened["arg"] else "")
            elif name == "solution-start":
                self.gated = opened["arg"].split()[0] if opened["arg"] else ""
                self.removed_code = False
                self.skipping = _Fence(opened["fence"][0], len(opened["fence"]), name)
            else:
                kept.append(line)
        self._emit_markdown(kept, cell)

    def code(self, cell) -> None:
        if self.skipping is not None and self.skipping.name == "solution":
            raise ValueError("a code cell inside a {solution} directive: use the gated form")
        if self.gated is not None:
            self.removed_code = True
            return
        if REMOVED_TAGS & set(cell.metadata.get("tags", [])):
            return
        self.cells.append(cell)

    def finish(self) -> list:
        if self.gated is not None or self.skipping is not None:
            raise ValueError(f"unterminated solution (gated label {self.gated!r})")
        return self.cells

    def _end_gated(self, kept: list[str]) -> None:
        label, self.gated = self.gated, None
        if self.removed_code:
            self.coding.add(label)
        self._answer_after(kept, label)

    def _answer_after(self, kept: list[str], label: str) -> None:
        """Put the answer cell of a coding exercise where its solution was."""
        if label in self.coding or label in REGISTRY:
            self._emit_markdown(kept, None)
            kept.clear()
            self.cells.append(answer_cell(label))

    def _emit_markdown(self, lines: list[str], cell) -> None:
        text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", "\n".join(lines)).strip("\n")
        if not text.strip():
            return
        new = nbformat.v4.new_markdown_cell(text)
        if cell is not None and cell.metadata:
            new.metadata = cell.metadata
        self.cells.append(new)


def _gated_coding_labels(notebook) -> set[str]:
    """Labels of gated solutions that contain code cells (the coding exercises)."""
    labels, current = set(), None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                opened = _OPEN.match(line)
                if opened and opened["name"] == "solution-start":
                    current = opened["arg"].split()[0] if opened["arg"] else ""
                elif opened and opened["name"] == "solution-end":
                    current = None
        elif current is not None:
            labels.add(current)
    return labels


@dataclass(frozen=True)
class ExerciseInfo:
    """One exercise of a chapter, as the teacher's page lists it."""

    chapter: str
    label: str
    prompt: str  #: the exercise's title, or else the first sentence of its prompt
    coding: bool  #: its solution has code cells, or statbook.check knows it
    checked: bool  #: statbook.check has a check for it


def exercises(chapter: Path) -> list[ExerciseInfo]:
    """The exercises of a MyST chapter, in order, with their kind."""
    notebook = jupytext.read(chapter, fmt="md:myst")
    coding = _gated_coding_labels(notebook)
    found, fence, label, prompt = [], None, None, []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            opened = _OPEN.match(line)
            if fence is None and opened and opened["name"] in ("exercise", "exercise-start"):
                fence, label = _Fence(opened["fence"][0], len(opened["fence"]), ""), ""
                title = opened["arg"]
                prompt = (
                    [title if title.endswith(("?", ".", "!")) else title + "."] if title else []
                )
            elif fence is not None and fence.closed_by(line):
                found.append((label, " ".join(prompt)))
                fence = None
            elif fence is not None:
                option = re.match(r"^:label:\s*(\S+)", line)
                if option:
                    label = option[1]
                elif not line.startswith(":"):
                    prompt.append(line.strip())
    return [
        ExerciseInfo(
            chapter.stem,
            label,
            _first_sentence(text),
            label in coding or label in REGISTRY,
            label in REGISTRY,
        )
        for label, text in found
    ]


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = re.search(r"[.?!:](\s|$)", text)
    return text[: end.end()].strip() if end else text


def answer_cell(label: str):
    """The code cell where the student writes the answer to exercise ``label``."""
    entry = REGISTRY.get(label)
    lines = [
        f"# ✏️ YOUR ANSWER to exercise {label}: write your code in this cell.",
    ]
    if entry is not None:
        lines += [
            "# Replace each `...` and run the cell: the last line checks your answer.",
            entry.stub.rstrip("\n"),
            "",
            "",
            "from statbook.check import check",
            "",
            f'check("{label}", {entry.answer});',
        ]
    else:
        lines.append("...")
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = [ANSWER_TAG]
    return cell


def student_notebook(notebook):
    """A copy of ``notebook`` without solutions or assertion cells, with answer cells."""
    stripper = _Stripper(coding=_gated_coding_labels(notebook))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            stripper.code(cell)
        else:
            stripper.markdown(cell)
    student = nbformat.v4.new_notebook(metadata=notebook.metadata)
    cells = stripper.finish()
    first = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
    student.cells = [
        *cells[: first + 1],
        nbformat.v4.new_markdown_cell(STUDENT_NOTE),
        *cells[first + 1 :],
    ]
    return student


def write_student_notebooks(chapters: list[Path], out: Path) -> list[Path]:
    """Write ``<out>/<name>.ipynb`` and ``<out>/<name>.md`` for each chapter; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters:
        student = student_notebook(jupytext.read(chapter, fmt="md:myst"))
        ipynb = out / f"{chapter.stem}.ipynb"
        markdown = out / f"{chapter.stem}.md"
        jupytext.write(student, ipynb, fmt="ipynb")
        jupytext.write(student, markdown, fmt="md:myst")
        written += [ipynb, markdown]
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="default: every section chapter")
    parser.add_argument("--out", type=Path, default=Path("student"), help="default: student/")
    args = parser.parse_args(argv)
    written = write_student_notebooks(args.chapters or section_chapters(), args.out)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
