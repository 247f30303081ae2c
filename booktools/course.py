"""The graded course: an nbgrader course folder generated from the chapters.

    python -m booktools.course [--out course] [chapters/likelihood.md ...]

writes ``<out>/nbgrader_config.py`` and, for every section chapter (a page of
``_toc.yml`` with exercises), the nbgrader *source* notebook
``<out>/source/<section>/<section>.ipynb``.  The chapters stay the single source:
in the notebook

- the page is kept as it is, except the solutions and the hidden cells that
  assert the printed numbers (``asserts``);
- an autograded coding exercise (one with a self-check) gets an answer cell
  (the stub of :mod:`statbook.check`, then the chapter's solution code between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``) and a locked test cell worth
  the exercise's points: visible, the self-check the students know; between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, the chapter's cell
  tagged ``hidden-tests`` (other inputs than the self-check, and an AST check
  that the answer does not call the library);
  The hidden part runs inside :class:`statbook.check.grading.PartialCredit` and
  ends with the points it gives, which nbgrader takes as the cell's score;
- any other coding exercise gets a code answer cell graded by hand, and a
  written exercise a Markdown answer cell graded by hand, holding the
  chapter's solution (which ``nbgrader generate_assignment`` replaces), after
  a locked cell with its rubric, which only the grader sees (``% answer:
  written + code`` adds a code cell for a computation it asks for);
- an exercise is a Markdown heading with its label, title, points and time,
  then its prompt (Jupyter does not know MyST's directives).

Running it again keeps the teacher's work: ``nbgrader_config.py`` is
rewritten only between its two statbook lines, a source notebook edited since
it was written is kept (``--force`` overwrites it), and cells keep their ids.
The config turns on what a real class needs: a graded cell missing from a
submission is put back, the log names only the students who really changed a
locked cell (``TAMPERED``) or lost an answer cell (``MISSING``), and the
feedback shows neither the hidden tests nor the rubrics.

Points, minutes and the rubric of an exercise are comment lines in its
``{exercise}`` directive in the chapter, the one place they are written::

    % points: 4; minutes: 15
    % rubric: 2 | what earns these two points

``nbgrader generate_assignment <section>`` (``make student``) then writes the
students' notebooks into ``<out>/release/``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

from statbook.check import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
REMOVED_TAGS = frozenset({"solution", "asserts"})
HIDDEN_TESTS_TAG = "hidden-tests"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"  #: nbgrader's markers of a hidden region
HIDDEN_END = "### END HIDDEN TESTS"
ANSWER_TAG = "answer"
COURSE_ID = "statbook"
#: seconds for one cell of a submission (nbgrader's ExecutePreprocessor.timeout)
CELL_TIMEOUT = 60
HEADER = (
    "> **Course version.** The solutions are not in this notebook. Write each answer in the "
    "cell marked ✏️ after its exercise. A coding exercise is followed by a locked test cell: "
    "running it checks your answer and gives a hint (the grade also uses hidden tests on "
    "other inputs, so make your code right, not just the check). Written answers are graded "
    "by hand."
)
CODE_STUB = ""  #: what replaces the solution code in the students' answer cells
TEXT_STUB = "✏️ YOUR ANSWER HERE: double-click this cell and write your answer."

_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
_CLOSE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\s*$")
_POINTS = re.compile(r"^%\s*points:\s*(?P<points>\d+)\s*;\s*minutes:\s*(?P<minutes>\d+)\s*$")
_RUBRIC = re.compile(r"^%\s*rubric:\s*(?P<points>\d+)\s*\|\s*(?P<text>.+?)\s*$")
#: ``% answer: written + code``: a written exercise that also asks for a computation gets a
#: code cell for it after its Markdown answer cell
_ANSWER = re.compile(r"^%\s*answer:\s*written\s*\+\s*code\s*$")


def section_chapters(root: Path = ROOT) -> list[Path]:
    """The section notebooks: the pages of ``_toc.yml`` that have exercises, in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [root / f"{entry['file']}.md" for entry in _toc_entries(toc)]
    return [page for page in pages if "{exercise" in page.read_text(encoding="utf-8")]


def _toc_entries(node):
    """Every ``{file: ...}`` entry of a jb-book TOC, parts and nested sections included."""
    if isinstance(node, dict):
        if "file" in node:
            yield node
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                yield from _toc_entries(child)


# --- the exercises of a chapter ------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseInfo:
    """One exercise of a chapter, as the teacher's page and the course use it."""

    chapter: str
    label: str
    prompt: str  #: the exercise's title, or else the first sentence of its prompt
    coding: bool  #: its solution has code cells, or statbook.check knows it
    checked: bool  #: statbook.check has a self-check for it (so it is autograded)
    points: int
    minutes: int
    rubric: tuple[tuple[int, str], ...]  #: (points, criterion) of a hand-graded exercise
    title: str = ""  #: the exercise's title (the directive's argument), or ""
    with_code: bool = False  #: a written exercise with a code cell for its computation

    @property
    def kind(self) -> str:
        if self.checked:
            return "code, autograded"
        return "code, by hand" if self.coding else "written, by hand"


def exercises(chapter: Path) -> list[ExerciseInfo]:
    """The exercises of a MyST chapter, in order, with their kind, points and rubric."""
    notebook = jupytext.read(chapter, fmt="md:myst")
    coding = _gated_coding_labels(notebook)
    found, fence = [], None
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            opened = _OPEN.match(line)
            if fence is None and opened and opened["name"] in ("exercise", "exercise-start"):
                fence = _Fence(opened["fence"][0], len(opened["fence"]), "")
                title = opened["arg"]
                current = {
                    "label": "",
                    "points": None,
                    "minutes": None,
                    "rubric": [],
                    "title": title,
                    "code": False,
                }
                current["prompt"] = (
                    [title if title.endswith(("?", ".", "!")) else title + "."] if title else []
                )
            elif fence is not None and fence.closed_by(line):
                found.append(current)
                fence = None
            elif fence is not None:
                _read_exercise_line(line, current)
    infos = []
    for item in found:
        label = item["label"]
        if item["points"] is None:
            raise ValueError(f"exercise {label!r} of {chapter.name} has no '% points:' line")
        infos.append(
            ExerciseInfo(
                chapter.stem,
                label,
                _first_sentence(" ".join(item["prompt"])),
                label in coding or label in REGISTRY,
                label in REGISTRY,
                item["points"],
                item["minutes"],
                tuple(item["rubric"]),
                item["title"],
                item["code"],
            )
        )
    return infos


def _read_exercise_line(line: str, current: dict) -> None:
    option = re.match(r"^:label:\s*(\S+)", line)
    points = _POINTS.match(line)
    rubric = _RUBRIC.match(line)
    if option:
        current["label"] = option[1]
    elif points:
        current["points"], current["minutes"] = int(points["points"]), int(points["minutes"])
    elif rubric:
        current["rubric"].append((int(rubric["points"]), rubric["text"]))
    elif _ANSWER.match(line):
        current["code"] = True
    elif not line.startswith((":", "%")):
        current["prompt"].append(line.strip())


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = re.search(r"[.?!:](\s|$)", text)
    return text[: end.end()].strip() if end else text


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


# --- the source notebook ------------------------------------------------------------------


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
class _Solution:
    """What the chapter's solution of one exercise holds."""

    label: str
    prose: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    hidden_tests: list[str] = field(default_factory=list)


@dataclass
class _Builder:
    """Line-by-line state machine over a chapter's cells: solutions become nbgrader cells."""

    info: dict[str, ExerciseInfo]
    graded: bool = True  #: put the graded cells where the solutions were (else nothing)
    cells: list = field(default_factory=list)
    skipping: _Fence | None = None  # inside a {solution} directive, or a solution-end fence
    solution: _Solution | None = None  # the solution we are inside
    gated: bool = False  # that solution is gated ({solution-start} ... {solution-end})
    exercise: _Fence | None = None  # inside an {exercise} directive, written out as Markdown
    title: str = ""  # the title of that exercise

    def markdown(self, cell) -> None:
        kept: list[str] = []
        for line in cell.source.splitlines():
            if self.exercise is not None:
                self._exercise_line(line, kept)
                continue
            if self.skipping is not None:
                if self.skipping.closed_by(line):
                    if self.skipping.name in ("solution", "solution-end"):
                        self._end_solution(kept)
                    self.skipping = None
                elif self.skipping.name == "solution" and not line.startswith(":"):
                    self.solution.prose.append(line)
                continue
            opened = _OPEN.match(line)
            name = opened["name"] if opened else None
            if self.gated:
                if name == "solution-end":
                    self.skipping = _Fence(opened["fence"][0], len(opened["fence"]), name)
                else:
                    self.solution.prose.append(line)
                continue
            if name == "exercise" and self.graded:
                self.exercise = _Fence(opened["fence"][0], len(opened["fence"]), name)
                self.title = opened["arg"]
            elif name in ("solution", "solution-start"):
                label = opened["arg"].split()[0] if opened["arg"] else ""
                self.solution = _Solution(label)
                self.gated = name == "solution-start"
                self.skipping = _Fence(opened["fence"][0], len(opened["fence"]), name)
            elif not (_POINTS.match(line) or _RUBRIC.match(line)):  # the teacher's, not shown
                kept.append(line)
        self._emit_markdown(kept, cell)

    def _exercise_line(self, line: str, kept: list[str]) -> None:
        """One line of an ``{exercise}`` directive, as plain Markdown: a heading with the
        label, title, points and time in place of the directive and its options."""
        if self.exercise.closed_by(line):
            self.exercise = None
            return
        label = re.match(r"^:label:\s*(\S+)", line)
        if label:
            info = self.info[label[1]]
            title = f": {self.title}" if self.title else ""
            kept.append(f"#### Exercise {info.label}{title}")
            kept.append("")
            kept.append(f"*{info.points} points, about {info.minutes} minutes.*")
            kept.append("")
        elif not line.startswith((":", "%")):
            kept.append(line)

    def code(self, cell) -> None:
        tags = set(cell.metadata.get("tags", []))
        if self.skipping is not None and self.skipping.name == "solution":
            raise ValueError("a code cell inside a {solution} directive: use the gated form")
        if self.gated:
            target = self.solution.hidden_tests if HIDDEN_TESTS_TAG in tags else self.solution.code
            target.append(cell.source)
            return
        if REMOVED_TAGS & tags:
            return
        self.cells.append(cell)

    def finish(self) -> list:
        if self.exercise is not None:
            raise ValueError(f"unterminated exercise {self.title!r}")
        if self.gated or self.skipping is not None:
            label = self.solution.label if self.solution else None
            raise ValueError(f"unterminated solution (label {label!r})")
        return self.cells

    def _end_solution(self, kept: list[str]) -> None:
        solution, self.solution, self.gated = self.solution, None, False
        info = self.info.get(solution.label)
        if info is None:
            raise ValueError(f"a solution for {solution.label!r}, which is no exercise here")
        self._emit_markdown(kept, None)
        kept.clear()
        if self.graded:
            self.cells += graded_cells(info, solution)

    def _emit_markdown(self, lines: list[str], cell) -> None:
        text = _tidy("\n".join(lines))
        if not text.strip():
            return
        new = nbformat.v4.new_markdown_cell(text)
        if cell is not None and cell.metadata:
            new.metadata = cell.metadata
        self.cells.append(new)


def _tidy(text: str) -> str:
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip("\n")


def _nbgrader(cell, grade_id: str, *, solution: bool, grade: bool, points: int = 0):
    cell.metadata["nbgrader"] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
        **({"points": points} if grade else {}),
    }
    cell.metadata["tags"] = [ANSWER_TAG] if solution else ["test"]
    return cell


def graded_cells(info: ExerciseInfo, solution: _Solution) -> list:
    """The answer cell (and the test cell, when autograded) of one exercise.

    A written exercise gets, before its Markdown answer cell, a locked cell with its
    rubric between hidden-test markers (HTML comments, so they do not show): nbgrader
    leaves the rubric out of the students' notebooks and puts it back when it grades,
    so formgrader shows it next to the answer; feedback leaves it out again.
    """
    label, points = info.label, info.points
    if not info.coding:
        prose = _tidy("\n".join(solution.prose))
        cells = [rubric_cell(info)] if info.rubric else []
        cell = nbformat.v4.new_markdown_cell(prose)
        cells.append(_nbgrader(cell, label, solution=True, grade=True, points=points))
        if info.with_code:
            code = "\n\n".join(re.findall(r"```python\n(.*?)```", prose, flags=re.S)).strip()
            computation = nbformat.v4.new_code_cell(
                f"# ✏️ YOUR COMPUTATION for exercise {label} (graded with the answer above).\n"
                f"### BEGIN SOLUTION\n{code}\n### END SOLUTION"
            )
            cells.append(_nbgrader(computation, f"{label}-code", solution=True, grade=False))
        return cells
    code = "\n\n\n".join(part.strip("\n") for part in solution.code)
    region = f"### BEGIN SOLUTION\n{code}\n### END SOLUTION"
    if not info.checked:
        head = (
            f"# ✏️ YOUR ANSWER to exercise {label} ({points} points, graded by hand): "
            "your code here."
        )
        cell = nbformat.v4.new_code_cell(f"{head}\n{region}")
        return [_nbgrader(cell, label, solution=True, grade=True, points=points)]
    if not solution.hidden_tests:
        raise ValueError(f"the autograded exercise {label!r} has no cell tagged hidden-tests")
    entry = REGISTRY[label]
    answer = nbformat.v4.new_code_cell(
        f"# ✏️ YOUR ANSWER to exercise {label} ({points} points): replace each `...`.\n"
        f"{entry.stub.rstrip()}\n\n\n{region}"
    )
    hidden = "\n\n".join(part.strip("\n") for part in solution.hidden_tests)
    names = [name.strip() for name in entry.answer.split(",")]
    test = nbformat.v4.new_code_cell(
        f"# Test of exercise {label} ({points} points): run it to check your answer.\n"
        "from statbook.check import check\n"
        "from statbook.check.grading import the_answer\n\n"
        + "".join(f'{name} = the_answer("{name}", globals())\n' for name in names)
        + f'check("{label}", {entry.answer});\n'
        f"{HIDDEN_BEGIN}\n"
        "from statbook.check.grading import PartialCredit\n\n"
        f'with PartialCredit("{label}", {points}) as score:\n'
        f"{textwrap.indent(hidden, '    ')}\n"
        "score.points  # nbgrader's partial credit: the points this cell shows\n"
        f"{HIDDEN_END}"
    )
    return [
        _nbgrader(answer, f"{label}-answer", solution=True, grade=False),
        _nbgrader(test, f"{label}-test", solution=False, grade=True, points=points),
    ]


def points_text(points: int) -> str:
    return f"{points} point" + ("" if points == 1 else "s")


def rubric_cell(info: ExerciseInfo):
    """The locked cell holding the rubric of a written exercise (see :func:`graded_cells`)."""
    criteria = "\n".join(f"- {points_text(points)}: {text}" for points, text in info.rubric)
    cell = nbformat.v4.new_markdown_cell(
        f"*Graded by hand: {info.points} points.*\n"
        f"<!-- {HIDDEN_BEGIN} -->\n\n"
        f"**Rubric of exercise {info.label}** (for the grader):\n\n{criteria}\n\n"
        f"<!-- {HIDDEN_END} -->"
    )
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": f"{info.label}-rubric",
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return cell


def without_solutions(chapter: Path, *, graded: bool = False, notebook=None):
    """The chapter as a notebook without solutions, hidden tests, asserts or rubrics.

    With ``graded``, each solution is replaced by the exercise's nbgrader cells. With
    ``notebook``, that notebook of the chapter (e.g. the book build's executed copy, with
    its outputs) is the one stripped.
    """
    if notebook is None:
        notebook = jupytext.read(chapter, fmt="md:myst")
    builder = _Builder({info.label: info for info in exercises(chapter)}, graded=graded)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            builder.code(cell)
        else:
            builder.markdown(cell)
    stripped = nbformat.v4.new_notebook(metadata=notebook.metadata)
    stripped.cells = builder.finish()
    return stripped


def source_notebook(chapter: Path):
    """The nbgrader source notebook of a chapter (see the module docstring)."""
    source = without_solutions(chapter, graded=True)
    source.metadata.pop("jupytext", None)
    cells = source.cells
    first = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), -1)
    source.cells = [*cells[: first + 1], nbformat.v4.new_markdown_cell(HEADER), *cells[first + 1 :]]
    return source


#: the lines of ``nbgrader_config.py`` that ``make course`` owns lie between these two
CONFIG_BEGIN = "# >>> statbook: written by `make course`, which rewrites only this block"
CONFIG_END = "# <<< statbook: your own settings go below; make course keeps them"
MISSING_CELL_NOTE = (
    "**⚠️ nbgrader put this answer cell back: the student's notebook had lost it** "
    "(deleted, or replaced by a new cell). Look for the answer in the cells around it "
    "and grade it here.\n\n"
)


def config_block() -> str:
    """The part of ``nbgrader_config.py`` that ``make course`` writes (and rewrites)."""
    return f'''{CONFIG_BEGIN}
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from nbgrader import utils as _utils
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import (
    CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds, GetGrades, OverwriteCells,
    OverwriteKernelspec,
)

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "{COURSE_ID}"
# Students see an empty place where the solution was, and a prompt in written answers.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
c.ClearSolutions.text_stub = {TEXT_STUB!r}
# A cell of a submission that runs longer is interrupted (it scores 0), and the rest
# of the notebook is still run and graded.
c.ExecutePreprocessor.timeout = {CELL_TIMEOUT}
# A graded answer cell missing from a submission (deleted, or replaced by a new cell) is
# put back, with this note at its top, so that it can be graded in formgrader.
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.missing_cell_notification = {MISSING_CELL_NOTE!r}
# The rubric of a written answer sits in a locked cell between hidden-test markers: left out
# of the students' notebooks, back in the graded ones (formgrader shows it).
c.ClearHiddenTests.enforce_metadata = False


class ReportTampering(OverwriteCells):
    """nbgrader's OverwriteCells, which logs a locked cell as changed only when the student
    changed it: a test cell that lacks just its hidden tests is the one handed out."""

    def preprocess_cell(self, cell, resources, index):
        self._student = resources["nbgrader"]["student"]
        self._as_released = False
        grade_id = cell.metadata.get("nbgrader", {{}}).get("grade_id")
        if grade_id is not None and _utils.is_locked(cell):
            try:
                source = self.gradebook.find_source_cell(
                    grade_id, self.notebook_id, self.assignment_id
                ).source
            except MissingEntry:  # no such cell: nbgrader's own method says so
                source = None
            if source is not None:
                copy = cell.copy()
                copy.source = source
                ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(copy)
                self._as_released = copy.source == cell.source
        return super().preprocess_cell(cell, resources, index)

    def add_missing_grade_cells(self, nb, resources):
        """Put back each graded cell missing from the submission, after the cell it follows
        in the source (nbgrader's own method fails when that one is a locked cell)."""
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source.source_cells]
        solutions = {{cell.name for cell in source.solution_cells}}
        student = resources["nbgrader"]["student"]
        for grade_cell in source.grade_cells:
            present = {{
                cell.metadata.get("nbgrader", {{}}).get("grade_id"): index
                for index, cell in enumerate(nb.cells)
            }}
            name = grade_cell.name
            if name in present:
                continue
            self.log.warning(
                "MISSING: the submission of student %s had lost the graded cell %s; it was "
                "put back, with a note for the grader", student, name,
            )
            position = order.index(name)
            cell = self.missing_cell_transform(
                source.source_cells[position], grade_cell.max_score, is_solution=name in solutions
            )
            before = [present[other] for other in order[:position] if other in present]
            nb.cells.insert(before[-1] + 1 if before else 0, cell)
        return nb, resources

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._as_released:
            return
        self.log.warning(
            "TAMPERED: student %s changed the locked cell %s (%s); the original was put back",
            self._student, name, attr,
        )


c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, OverwriteKernelspec, ReportTampering, CheckCellMetadata
]


class ShortTracebacks(Preprocessor):
    """An error in the feedback shows its message only: a traceback would quote the lines
    of the hidden tests around it, with their inputs."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{{output.ename}}: {{output.evalue}}"]
        return cell, resources


# Feedback leaves out the hidden tests (and the rubrics) again.
c.GenerateFeedback.preprocessors = [
    GetGrades, ClearHiddenTests, ShortTracebacks(enabled=True), CSSHTMLHeaderPreprocessor
]
{CONFIG_END}
'''


def config_text(old: str | None = None) -> str:
    """``nbgrader_config.py``: the block of :func:`config_block` in ``old``, the file as it
    is (the teacher's lines around the block are kept), or a new file."""
    block = config_block()
    if old is None:
        return (
            '"""nbgrader configuration of the statbook course."""\n\n'
            + block
            + '# For example, on a JupyterHub: c.Exchange.root = "/srv/nbgrader/exchange"\n'
        )
    if CONFIG_BEGIN in old and CONFIG_END in old:
        head, rest = old.split(CONFIG_BEGIN, 1)
        tail = rest.split(CONFIG_END, 1)[1].removeprefix("\n")
        return head + block + tail
    return block + "\n" + old  # a config of the teacher's own: theirs comes last, and wins


GENERATED = "statbook_generated"  #: notebook metadata: the hash of the notebook as written


def _digest(notebook) -> str:
    """SHA-256 of the notebook's JSON without the :data:`GENERATED` stamp."""
    copy = nbformat.from_dict(notebook)
    copy.metadata.pop(GENERATED, None)
    return hashlib.sha256(nbformat.writes(copy).encode("utf-8")).hexdigest()


def stable_ids(notebook) -> None:
    """Cell ids that stay the same from one generation to the next: a graded cell's grade
    id, else a hash of the cell's type and source (numbered when it repeats)."""
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:12]
        base = grade_id or f"{cell.cell_type[:2]}-{digest}"
        seen[base] = seen.get(base, 0) + 1
        cell.id = base if seen[base] == 1 else f"{base}-{seen[base]}"


def write_source(notebook, path: Path, *, force: bool = False) -> bool:
    """Write ``notebook`` to ``path`` unless the teacher edited the notebook there since
    ``make course`` wrote it (or ``force``); True when written."""
    if path.exists() and not force:
        old = nbformat.read(path, as_version=4)
        if old.metadata.get(GENERATED) != _digest(old):
            return False
    stable_ids(notebook)
    notebook.metadata[GENERATED] = _digest(notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return True


def write_course(chapters: list[Path], out: Path, *, force: bool = False) -> list[Path]:
    """Write the config and ``source/<section>/<section>.ipynb`` for each chapter.

    The config keeps the teacher's own lines (see :func:`config_text`); a source
    notebook the teacher edited is kept unless ``force``.  Returns what was written.
    """
    out.mkdir(parents=True, exist_ok=True)
    config = out / "nbgrader_config.py"
    old = config.read_text(encoding="utf-8") if config.exists() else None
    config.write_text(config_text(old), encoding="utf-8")
    written = [config]
    for chapter in chapters:
        path = out / "source" / chapter.stem / f"{chapter.stem}.ipynb"
        if write_source(source_notebook(chapter), path, force=force):
            written.append(path)
        else:
            print(f"kept {path}: edited since make course wrote it (FORCE=1 overwrites it)")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="default: every section chapter")
    parser.add_argument("--out", type=Path, default=Path("course"), help="default: course/")
    parser.add_argument(
        "--force", action="store_true", help="overwrite source notebooks edited since written"
    )
    args = parser.parse_args(argv)
    for path in write_course(args.chapters or section_chapters(), args.out, force=args.force):
        print(path)


if __name__ == "__main__":
    main()
