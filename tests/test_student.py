"""Students' notebooks, as nbgrader releases them: no solution leaks, prompts and answer cells
are there, and they run.

The release is the real pipeline: :mod:`booktools.course` writes the course's source
notebooks, ``nbgrader generate_assignment`` writes the students' ones.  Solutions
are found here independently of :mod:`booktools.course`: by parsing the MyST source
with markdown-it (CommonMark fences plus colon fences) and taking the source lines of
every ``{solution}`` directive, every gated ``{solution-start}`` … ``{solution-end}``
block (hidden tests included), every code cell tagged ``solution`` or ``asserts``,
and the rubric lines of the exercises.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from nbclient import NotebookClient

from booktools.course import (
    ANSWER_TAG,
    HEADER,
    exercises,
    section_chapters,
    source_notebook,
    write_course,
)
from statbook.check import REGISTRY
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
SYNTHETIC = Path(__file__).parent / "data" / "synthetic_chapter.md"
CHAPTERS = section_chapters()
SOLUTION_MARKERS = [
    "HIDDEN-ASSERTION-MARKER",
    "PROSE-SOLUTION-MARKER",
    "SOLUTION-NESTED-CODE-MARKER",
    "GATED-PROSE-MARKER",
    "GATED-CODE-MARKER",
    "SECOND-GATED-CODE-MARKER",
    "HIDDEN-TEST-MARKER",
    "and it agrees with the library",
    "COLON-GATED-CODE-MARKER",
    "LAST-PROSE-SOLUTION-MARKER",
    "UNGATED-SOLUTION-CELL-MARKER",
    "RUBRIC-MARKER",
]
PROMPTS = [
    "Derive the maximum-likelihood estimate",
    'print("part of the prompt")',
    "Write `poisson_negloglik(mu, y)`.",
    "Write `double(x)` returning twice its argument.",
    "Interpret the estimate.",
    "The end of the page, which stays.",
]

_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")


def solution_lines(source: str) -> tuple[set[str], set[str]]:
    """(lines inside solutions, lines outside them) of a MyST notebook source, stripped."""
    md = MarkdownIt("commonmark").use(colon_fence_plugin)
    lines = source.splitlines()
    hidden = [False] * len(lines)
    gated_start = None
    for token in md.parse(source):
        if token.type not in ("fence", "colon_fence") or token.map is None:
            continue
        match = _DIRECTIVE.match(token.info.strip())
        name = match["name"] if match else ""
        start, end = token.map
        if name == "solution-start":
            gated_start = start
        elif name == "solution-end" and gated_start is not None:
            hidden[gated_start:end] = [True] * (end - gated_start)
            gated_start = None
        elif name == "solution" or (
            name == "code-cell" and re.search(r":tags:.*\b(solution|asserts)\b", token.content)
        ):
            hidden[start:end] = [True] * (end - start)
    for number, line in enumerate(lines):
        if line.startswith("% rubric:"):
            hidden[number] = True
    inside = {line.strip() for line, h in zip(lines, hidden, strict=True) if h}
    outside = {line.strip() for line, h in zip(lines, hidden, strict=True) if not h}
    return inside, outside


def leaked(source: str, student_text: str) -> list[str]:
    """Solution lines (long enough to be telling, not also in the open text) in the student text."""
    inside, outside = solution_lines(source)
    telling = [
        line
        for line in inside - outside
        if len(line) >= 12 and not line.startswith((":", "```", ":::"))
    ]
    student_lines = {line.strip() for line in student_text.splitlines()}
    return [line for line in telling if line in student_lines]


def release(chapters: list[Path], course: Path) -> Path:
    """``booktools.course`` then ``nbgrader generate_assignment`` for each chapter: release/."""
    write_course(chapters, course)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for chapter in chapters:
        subprocess.run(
            [str(BIN / "nbgrader"), "generate_assignment", chapter.stem],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
    return course / "release"


def released(folder: Path, name: str):
    return nbformat.read(folder / name / f"{name}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return released(release([SYNTHETIC], tmp_path_factory.mktemp("synthetic")), SYNTHETIC.stem)


def test_solution_finder_sees_every_synthetic_solution():
    inside, _ = solution_lines(SYNTHETIC.read_text())
    for marker in SOLUTION_MARKERS:
        assert any(marker in line for line in inside), marker


def test_synthetic_release_is_a_valid_notebook(synthetic):
    nbformat.validate(synthetic)


def test_synthetic_has_no_solution_and_keeps_prompts(synthetic):
    text = "\n".join(cell.source for cell in synthetic.cells)
    for marker in SOLUTION_MARKERS:
        assert marker not in text, marker
    for prompt in PROMPTS:
        assert prompt in text, prompt
    assert leaked(SYNTHETIC.read_text(), text) == []


def test_leak_detector_can_fail():
    source = SYNTHETIC.read_text()
    assert "GATED-CODE-MARKER" in " ".join(leaked(source, source))


def test_header_follows_the_title(synthetic):
    assert synthetic.cells[0].source.startswith("# A synthetic section")
    assert synthetic.cells[1].source == HEADER


def grade_ids(notebook) -> list[tuple[str, str, int | None]]:
    return [
        (c.metadata.nbgrader["grade_id"], c.cell_type, c.metadata.nbgrader.get("points"))
        for c in notebook.cells
        if "nbgrader" in c.metadata
    ]


def test_synthetic_graded_cells_follow_their_exercises(synthetic):
    assert grade_ids(synthetic) == [
        ("syn-ex-1-rubric", "markdown", None),
        ("syn-ex-1", "markdown", 2),
        ("likelihood-ex-2-answer", "code", None),
        ("likelihood-ex-2-test", "code", 4),
        ("syn-ex-3", "code", 1),
        ("syn-ex-4-rubric", "markdown", None),
        ("syn-ex-4", "markdown", 3),
    ]
    cells = synthetic.cells
    by_id = {
        c.metadata.nbgrader["grade_id"]: i for i, c in enumerate(cells) if "nbgrader" in c.metadata
    }
    # a written answer follows its rubric cell (the rubric itself left out), then its prompt
    assert cells[by_id["syn-ex-1"] - 1].source == "*Graded by hand: 2 points.*"
    assert "#### Exercise syn-ex-1" in cells[by_id["syn-ex-1"] - 2].source
    answer = cells[by_id["likelihood-ex-2-answer"]]
    assert "#### Exercise likelihood-ex-2" in cells[by_id["likelihood-ex-2-answer"] - 1].source
    assert "YOUR ANSWER to exercise likelihood-ex-2 (4 points)" in answer.source
    assert "def poisson_negloglik(mu, y):\n    ..." in answer.source
    test = cells[by_id["likelihood-ex-2-test"]]
    assert 'check("likelihood-ex-2", poisson_negloglik)' in test.source
    assert test.metadata.nbgrader["locked"] and not answer.metadata.nbgrader["locked"]
    assert "graded by hand" in cells[by_id["syn-ex-3"]].source


def test_synthetic_released_notebook_runs(synthetic, tmp_path):
    NotebookClient(synthetic, timeout=120, resources={"metadata": {"path": tmp_path}}).execute()
    test = next(
        c
        for c in synthetic.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "likelihood-ex-2-test"
    )
    printed = "".join(o.get("text", "") for o in test.outputs)
    assert "not written yet" in printed
    assert "Ellipsis" not in "".join(str(o) for c in synthetic.cells for o in c.get("outputs", []))


def test_unterminated_gated_solution_is_an_error(tmp_path):
    chapter = tmp_path / "bad.md"
    chapter.write_text(
        "```{exercise}\n:label: x\n% points: 1; minutes: 1\n```\n\n"
        "```{solution-start} x\n```\n\nhidden\n"
    )
    with pytest.raises(ValueError, match="unterminated"):
        source_notebook(chapter)


def test_an_exercise_without_points_is_an_error(tmp_path):
    chapter = tmp_path / "bad.md"
    chapter.write_text("```{exercise}\n:label: x\n\nDo it.\n```\n")
    with pytest.raises(ValueError, match="no '% points:' line"):
        exercises(chapter)


def test_section_chapters_are_the_toc_sections():
    names = [path.stem for path in CHAPTERS]
    assert names == ["likelihood", "multinomial", "regression", "mixtures", "mixed-models"]


# --- the real chapters -------------------------------------------------------------------


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """``make student``: the course written from the chapters and every section released."""
    course = tmp_path_factory.mktemp("course") / "course"
    subprocess.run(
        ["make", "-s", "student", f"COURSE_DIR={course}"], cwd=ROOT, check=True, capture_output=True
    )
    return course / "release"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_leaks_into_student_notebooks(students, chapter):
    notebook = released(students, chapter.stem)
    answers = [c for c in notebook.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    infos = exercises(chapter)
    assert len(answers) == len(infos) + sum(info.with_code for info in infos)
    for cell in answers:
        if cell.cell_type == "code":
            label = re.search(r"YOUR (?:ANSWER to|COMPUTATION for) exercise (\S+) ", cell.source)[1]
            stub = REGISTRY[label].stub if label in REGISTRY else ""
            allowed = {"", *stub.splitlines()}
            assert all(line.startswith("#") or line in allowed for line in cell.source.splitlines())
    text = "\n".join(cell.source for cell in notebook.cells if cell not in answers)
    # Test cells import the self-check in their visible part, as the hidden tests do.
    visible_import = "from statbook.check import check"
    assert [line for line in leaked(chapter.read_text(), text) if line != visible_import] == []
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "assert_own_code", "% rubric"):
        assert marker not in text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_is_readable_markdown(students, chapter):
    """Each exercise is a heading with its label, title, points and time, then its prompt:
    no directive fence or option line is left (Jupyter would show them as they are)."""
    text = "\n".join(c.source for c in released(students, chapter.stem).cells)
    for info in exercises(chapter):
        title = f": {info.title}" if info.title else ""
        heading = f"#### Exercise {info.label}{title}\n\n*{info.points} points, about "
        assert heading + f"{info.minutes} minutes.*" in text, info.label
        assert f":label: {info.label}" not in text
    assert "{exercise" not in text and "% points" not in text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_runs_top_to_bottom(students, chapter):
    notebook = released(students, chapter.stem)
    client = NotebookClient(notebook, timeout=600, resources={"metadata": {"path": ROOT}})
    client.execute()
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    errors = [
        output
        for cell in notebook.cells
        if "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []
    assert not any("Ellipsis" in str(o) for o in outputs)


def test_teacher_page_plans_every_exercise():
    teacher = (ROOT / "chapters" / "teacher.md").read_text()
    for chapter in CHAPTERS:
        for info in exercises(chapter):
            assert f"`{info.label}`" in teacher, info.label


def test_points_and_rubrics_add_up():
    for chapter in CHAPTERS:
        for info in exercises(chapter):
            assert info.points > 0 and info.minutes > 0, info.label
            if info.checked:
                assert info.rubric == (), info.label  # the tests are its rubric
            else:
                assert sum(points for points, _ in info.rubric) == info.points, info.label
