"""Student notebooks: no solution leaks, prompts and answer cells are there, and they run.

Solutions are found here independently of :mod:`statbook.student`: by parsing
the MyST source with markdown-it (CommonMark fences plus colon fences) and
taking the source lines of every ``{solution}`` directive, every gated
``{solution-start}`` … ``{solution-end}`` block and every code cell tagged
``solution`` or ``asserts``.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from nbclient import NotebookClient

from statbook.check import REGISTRY
from statbook.student import (
    ANSWER_TAG,
    STUDENT_NOTE,
    exercises,
    section_chapters,
    student_notebook,
    write_student_notebooks,
)
from tests.conftest import ROOT

SYNTHETIC = Path(__file__).parent / "data" / "synthetic_chapter.md"
CHAPTERS = section_chapters()
SOLUTION_MARKERS = [
    "HIDDEN-ASSERTION-MARKER",
    "PROSE-SOLUTION-MARKER",
    "SOLUTION-NESTED-CODE-MARKER",
    "GATED-PROSE-MARKER",
    "GATED-CODE-MARKER",
    "SECOND-GATED-CODE-MARKER",
    "and it agrees with the library",
    "COLON-GATED-CODE-MARKER",
    "LAST-PROSE-SOLUTION-MARKER",
    "UNGATED-SOLUTION-CELL-MARKER",
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


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    write_student_notebooks([SYNTHETIC], out)
    return out


def test_solution_finder_sees_every_synthetic_solution():
    inside, _ = solution_lines(SYNTHETIC.read_text())
    for marker in SOLUTION_MARKERS:
        assert any(marker in line for line in inside), marker


def test_synthetic_writes_ipynb_and_md(synthetic):
    assert sorted(p.name for p in synthetic.iterdir()) == [
        "synthetic_chapter.ipynb",
        "synthetic_chapter.md",
    ]
    nbformat.validate(nbformat.read(synthetic / "synthetic_chapter.ipynb", as_version=4))


@pytest.mark.parametrize("suffix", [".ipynb", ".md"])
def test_synthetic_has_no_solution_and_keeps_prompts(synthetic, suffix):
    text = (synthetic / f"synthetic_chapter{suffix}").read_text()
    for marker in SOLUTION_MARKERS:
        assert marker not in text, marker
    for prompt in PROMPTS:
        assert prompt in text.replace('\\"', '"'), prompt
    notebook = jupytext.read(synthetic / f"synthetic_chapter{suffix}")
    assert leaked(SYNTHETIC.read_text(), "\n".join(c.source for c in notebook.cells)) == []


def test_leak_detector_can_fail():
    source = SYNTHETIC.read_text()
    assert "GATED-CODE-MARKER" in " ".join(leaked(source, source))


def test_student_note_follows_the_title(synthetic):
    cells = nbformat.read(synthetic / "synthetic_chapter.ipynb", as_version=4).cells
    assert cells[0].source.startswith("# A synthetic section")
    assert cells[1].source == STUDENT_NOTE


def test_synthetic_answer_cells_follow_their_exercises(synthetic):
    notebook = nbformat.read(synthetic / "synthetic_chapter.ipynb", as_version=4)
    cells = notebook.cells
    answers = [i for i, c in enumerate(cells) if ANSWER_TAG in c.metadata.get("tags", [])]
    assert len(answers) == 2
    poisson, double = (cells[i] for i in answers)
    assert "YOUR ANSWER to exercise likelihood-ex-2" in poisson.source
    assert "def poisson_negloglik(mu, y):" in poisson.source
    assert 'check("likelihood-ex-2", poisson_negloglik)' in poisson.source
    assert "YOUR ANSWER to exercise syn-ex-3" in double.source
    assert ":label: likelihood-ex-2" in cells[answers[0] - 1].source
    assert ":label: syn-ex-3" in cells[answers[1] - 1].source
    # The prose-only exercises get no answer cell.
    assert all("syn-ex-1" not in cells[i].source for i in answers)


def test_synthetic_student_notebook_runs(synthetic):
    notebook = nbformat.read(synthetic / "synthetic_chapter.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": synthetic}}).execute()
    answer = next(c for c in notebook.cells if ANSWER_TAG in c.metadata.get("tags", []))
    printed = "".join(o.get("text", "") for o in answer.outputs)
    assert "not written yet" in printed


def test_unterminated_gated_solution_is_an_error():
    notebook = jupytext.reads("```{solution-start} x\n```\n\nhidden\n", fmt="md:myst")
    with pytest.raises(ValueError, match="unterminated"):
        student_notebook(notebook)


def test_section_chapters_are_the_toc_sections():
    names = [path.stem for path in CHAPTERS]
    assert names[:5] == ["likelihood", "multinomial", "regression", "mixtures", "mixed-models"]
    assert "index" not in names and "teacher" not in names


# --- the real chapters -------------------------------------------------------------------


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    out = tmp_path_factory.mktemp("student-book")
    write_student_notebooks(CHAPTERS, out)
    return out


def is_answer_cell(cell) -> bool:
    return ANSWER_TAG in cell.metadata.get("tags", [])


def answer_cell_is_only_a_stub(cell) -> bool:
    """An answer cell holds comments, ``...``, the registered stub and the check line only."""
    label = re.search(r"YOUR ANSWER to exercise (\S+):", cell.source)[1]
    allowed = {"...", "", "from statbook.check import check"}
    if label in REGISTRY:
        allowed |= set(REGISTRY[label].stub.splitlines())
        allowed.add(f'check("{label}", {REGISTRY[label].answer});')
    return all(line.startswith("#") or line in allowed for line in cell.source.splitlines())


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_leaks_into_student_notebooks(students, chapter):
    source = chapter.read_text()
    for suffix in (".md", ".ipynb"):
        notebook = jupytext.read(students / f"{chapter.stem}{suffix}")
        answers = [cell for cell in notebook.cells if is_answer_cell(cell)]
        assert all(answer_cell_is_only_a_stub(cell) for cell in answers)
        # The stubs repeat the signature the prompt asks for; everything else is checked.
        text = "\n".join(cell.source for cell in notebook.cells if not is_answer_cell(cell))
        assert leaked(source, text) == [], chapter.name
        for cell in notebook.cells:
            assert not {"solution", "asserts"} & set(cell.metadata.get("tags", [])), cell.source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_prompt_is_kept(students, chapter):
    labels = re.findall(r"^:label:\s*(\S+)", chapter.read_text(), flags=re.M)
    text = (students / f"{chapter.stem}.md").read_text()
    for label in labels:
        assert re.search(rf"^:label:\s*{re.escape(label)}\s*$", text, flags=re.M), label


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_runs_top_to_bottom(students, chapter):
    notebook = nbformat.read(students / f"{chapter.stem}.ipynb", as_version=4)
    client = NotebookClient(notebook, timeout=600, resources={"metadata": {"path": ROOT}})
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []


def test_exercise_list_of_the_synthetic_chapter():
    found = [(e.label, e.coding, e.checked, e.prompt) for e in exercises(SYNTHETIC)]
    assert found == [
        ("syn-ex-1", False, False, "Derive the maximum-likelihood estimate of μ."),
        ("likelihood-ex-2", True, True, "Write `poisson_negloglik(mu, y)`."),
        ("syn-ex-3", True, False, "Write `double(x)` returning twice its argument."),
        ("syn-ex-4", False, False, "An interpretation."),
    ]


def test_teacher_page_plans_every_exercise():
    teacher = (ROOT / "chapters" / "teacher.md").read_text()
    for chapter in CHAPTERS:
        for info in exercises(chapter):
            assert f"`{info.label}`" in teacher, info.label
