"""The graded course end to end, with the real nbgrader commands a teacher runs.

From this checkout: ``make course``, then in the course folder
``nbgrader generate_assignment``, submissions in ``submitted/<student>/<section>/``,
``nbgrader autograde`` (with a per-cell timeout), ``nbgrader generate_feedback``
and ``nbgrader export``.  The exported ``grades.csv`` and every graded cell in
the gradebook must equal the truth tables below.  Then ``make course-lab``:
points given to a written answer in formgrader reach the next export.  These
are the six commands of a graded assignment on the teacher's page, which a
test also runs as written, in a fresh copy of the checkout.  Submissions as
students really make them are among the sample ones: a deleted and re-created
answer cell, a renamed function, an edited test cell; the log must name only
those, and the feedback must hide the hidden tests.

To keep the run short, the typical mistakes are paired up in one submission
(one per exercise of section 6.1, which has two autograded exercises), and
section 6.4 is graded for one student only: the cheats and mistakes are the
same machinery whatever the section.  And the sections graded here are cut to
the cells their exercises need (:func:`exercises_only`: no explorers, figures or
timings, which take most of a chapter's run and grade nothing); the whole
section is graded as a teacher grades it in ``tests/test_teacher_page.py``, and
every section's solutions are run whole in
:func:`test_the_solutions_earn_every_autograded_point`.
"""

from __future__ import annotations

import ast
import concurrent.futures
import csv
import mimetypes
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import nbformat
import numpy as np
import pytest

from booktools.browser import launch
from booktools.course import CODE_STUB, TEXT_STUB, exercises, section_chapters
from tests import jupyter_live as live
from tests import submissions as s
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
#: seconds per cell in the test (the course's own default is longer)
TEST_CELL_TIMEOUT = 10

# student -> grade_id -> the source of that answer or test cell
LIKELIHOOD = {
    "solutions": {
        "likelihood-ex-2-answer": s.POISSON_RIGHT,
        "likelihood-ex-4-answer": s.GAUSSIAN_RIGHT,
        "likelihood-ex-1": "$-\\ell(\\theta) = N e^\\theta - \\theta S + \\sum_i \\log y_i!$ ...",
    },
    "sign-and-constant": {
        "likelihood-ex-2-answer": s.POISSON_SIGN,
        "likelihood-ex-4-answer": s.GAUSSIAN_NO_CONSTANT,
    },
    "n-for-sum-and-shape": {
        "likelihood-ex-2-answer": s.POISSON_N_FOR_SUM,
        "likelihood-ex-4-answer": s.GAUSSIAN_ROWS,
    },
    "off-by-one-and-raises": {
        "likelihood-ex-2-answer": s.POISSON_OFF_BY_ONE,
        "likelihood-ex-4-answer": s.GAUSSIAN_RAISES,
    },
    "blank": {},
    "infinite-loop": {
        "likelihood-ex-2-answer": s.POISSON_LOOPS,
        "likelihood-ex-4-answer": s.GAUSSIAN_RIGHT,
    },
    "fake-check-and-edited-test": {
        "likelihood-ex-2-answer": s.POISSON_FAKE_CHECK,
        "likelihood-ex-4-answer": s.GAUSSIAN_PRINTS_PASSED,
        "likelihood-ex-4-test": 'print("All checks passed")',
    },
    "calls-the-library": {
        "likelihood-ex-2-answer": s.POISSON_LIBRARY,
        "likelihood-ex-4-answer": s.GAUSSIAN_LIBRARY,
    },
    "fits-only-the-self-check": {
        "likelihood-ex-2-answer": s.POISSON_FITS_THE_SELF_CHECK,
        "likelihood-ex-4-answer": s.GAUSSIAN_RIGHT,
    },
    "renamed-function": {
        "likelihood-ex-2-answer": s.POISSON_RENAMED,
        "likelihood-ex-4-answer": s.GAUSSIAN_RIGHT,
    },
    "deleted-answer-cell": {},
}
#: student -> (grade id, text): the answer cell deleted, the answer written in a new cell
REPLACED_CELLS = {
    "deleted-answer-cell": ("likelihood-ex-1", "RECREATED: $-\\ell = N e^\\theta$ ...")
}
#: the written answers that wait for the teacher (a student wrote something there)
WRITTEN = {("solutions", "likelihood-ex-1"), ("deleted-answer-cell", "likelihood-ex-1")}
MIXTURES = {
    "variance-for-sd": {
        "mixtures-ex-2-answer": s.MIXTURE_VARIANCE_FOR_SD,
        "mixtures-ex-4-answer": s.BOUNDARY_RIGHT,
    },
}
# student -> (score of likelihood-ex-2, score of likelihood-ex-4), each of 4 points, and why.
# A test cell's points are split (statbook.check.grading.PartialCredit): half for the hidden
# cases with the right value, half for those of the right form (the right shape, +inf off the
# parameter space), from an answer that is not a constant; at most half while the self-check
# fails. So a typical mistake in the formula earns half the points, as a teacher would give.
LIKELIHOOD_TRUTH = {
    "solutions": (4, 4),
    # −ℓ with every sign flipped, and −ℓ without its constant: right form, wrong values
    "sign-and-constant": (2, 2),
    # one wrong term: right form, wrong values; θ read as rows: right at a single θ (1 of 2
    # hidden cases right, in value and form), the wrong shape for an array of θ
    "n-for-sum-and-shape": (2, 2),
    # log((y − 1)!) for log(y!): right form, wrong values (+inf where a count is 0);
    # an answer that raises has nothing right
    "off-by-one-and-raises": (2, 0),
    "blank": (0, 0),  # returns None: nothing
    # the answer cell never ends (stopped: poisson_negloglik undefined, 0); ex-4 right
    "infinite-loop": (0, 4),
    # 0·μ and zeros: constant answers earn nothing, whatever their shape
    "fake-check-and-edited-test": (0, 0),
    # the library's own function: 0, with the message saying why
    "calls-the-library": (0, 0),
    # right on the self-check's data only: wrong values on the hidden data, right form
    "fits-only-the-self-check": (2, 4),
    # the right function under another name: the test cell cannot call it (0), and says so
    "renamed-function": (0, 4),
    "deleted-answer-cell": (0, 0),  # nothing but the written answer, in a new cell
}
#: mixtures-ex-2 with the variance σ² given to scipy as σ: right form, wrong values (2 of 4)
MIXTURES_TRUTH = {"variance-for-sd": (2, 4)}
# the hint each mistake earns, in the output of its test cell
DIAGNOSES = {
    ("sign-and-constant", "likelihood-ex-2-test"): "it has the opposite sign",
    ("sign-and-constant", "likelihood-ex-4-test"): "Is the constant (N/2)·log π there?",
    ("n-for-sum-and-shape", "likelihood-ex-2-test"): "N·log μ instead of (Σ y_i)·log μ",
    ("n-for-sum-and-shape", "likelihood-ex-4-test"): "theta[0], theta[1] (the rows of a grid)",
    ("off-by-one-and-raises", "likelihood-ex-2-test"): "log((y_i − 1)!) instead of log(y_i!)",
    ("off-by-one-and-raises", "likelihood-ex-4-test"): "RuntimeError: not finished",
    ("calls-the-library", "likelihood-ex-2-test"): "the library's own version",
    ("fits-only-the-self-check", "likelihood-ex-2-test"): "0 of 3 cases right; 2 of 4 points",
}
# what the test cell says of the partial credit it gives
PARTIAL = {
    ("sign-and-constant", "likelihood-ex-2-test"): "0 of 3 cases right; 2 of 4 points",
    ("n-for-sum-and-shape", "likelihood-ex-4-test"): "1 of 2 cases right; 2 of 4 points",
    ("solutions", "likelihood-ex-2-test"): "3 of 3 cases right; 4 of 4 points",
}


@pytest.mark.parametrize(("student", "grade_id"), list(PARTIAL))
def test_the_test_cell_says_what_it_gives(course, student, grade_id):
    assert PARTIAL[student, grade_id] in autograded_outputs(course, student)[grade_id]


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course folder, as a teacher would."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def hand_in(course: Path, section: str, student: str, answers: dict[str, str]) -> None:
    """Fill the released notebook with ``answers`` and put it in submitted/<student>/."""
    release = course / "release" / section / f"{section}.ipynb"
    notebook = nbformat.read(release, as_version=4)
    by_id = {
        c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata
    }
    for grade_id, source in answers.items():
        by_id[grade_id].source = source.strip("\n")
    if student in REPLACED_CELLS:
        s.replace_cell(notebook, *REPLACED_CELLS[student])
    folder = course / "submitted" / student / section
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{section}.ipynb")


def names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code binds and the names it reads."""
    bound, read = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound, read


def exercises_only(path: Path) -> None:
    """Cut the source notebook at ``path`` to its text and the code its nbgrader cells need:
    each graded cell, and, walking back, every code cell that binds a name a kept cell reads."""
    notebook = nbformat.read(path, as_version=4)
    needed: set[str] = set()
    kept = []
    for cell in reversed(notebook.cells):
        if cell.cell_type == "code":
            bound, read = names(cell.source)
            if "nbgrader" not in cell.metadata and not bound & needed:
                continue
            needed |= read
        kept.append(cell)
    dropped = len(notebook.cells) - len(kept)
    assert dropped > 0, f"nothing to cut in {path}"
    notebook.cells = kept[::-1]
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The course, built and graded: generate, hand in, autograde, feedback, export."""
    course = tmp_path_factory.mktemp("course") / "course"
    subprocess.run(
        ["make", "-s", "course", f"COURSE_DIR={course}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    for section, students in (("likelihood", LIKELIHOOD), ("mixtures", MIXTURES)):
        exercises_only(course / "source" / section / f"{section}.ipynb")
        nbgrader(course, "generate_assignment", section)
        for student, answers in students.items():
            hand_in(course, section, student, answers)
        graded = nbgrader(
            course,
            "autograde",
            section,
            f"--ExecutePreprocessor.timeout={TEST_CELL_TIMEOUT}",
        )
        (course / f"autograde-{section}.log").write_text(graded.stdout + graded.stderr)
        nbgrader(course, "generate_feedback", section)
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return course


def test_make_course_writes_every_section(course):
    sections = sorted(p.name for p in (course / "source").iterdir())
    assert sections == sorted(p.stem for p in section_chapters())
    # the five sections, and no other page (the references are no assignment)
    assert sections == ["likelihood", "mixed-models", "mixtures", "multinomial", "regression"]
    assert (course / "nbgrader_config.py").is_file()


def exported(course: Path) -> dict[tuple[str, str], tuple[float, float]]:
    with (course / "grades.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (row["assignment"], row["student_id"]): (float(row["score"]), float(row["max_score"]))
        for row in rows
    }


def max_score(section: str) -> int:
    return sum(info.points for info in exercises(ROOT / "chapters" / f"{section}.md"))


def test_grades_csv_equals_the_truth_table(course):
    truth = {("likelihood", student): sum(ex) for student, ex in LIKELIHOOD_TRUTH.items()}
    truth.update({("mixtures", student): sum(ex) for student, ex in MIXTURES_TRUTH.items()})
    assert max_score("likelihood") == 21 and max_score("mixtures") == 17
    expected = {key: (float(score), float(max_score(key[0]))) for key, score in truth.items()}
    # nbgrader exports every student for every assignment: 0 where none was handed in.
    for student in LIKELIHOOD:
        expected.setdefault(("mixtures", student), (0.0, float(max_score("mixtures"))))
    for student in MIXTURES:
        expected.setdefault(("likelihood", student), (0.0, float(max_score("likelihood"))))
    assert exported(course) == expected


def gradebook_scores(course: Path, section: str, student: str) -> dict[str, tuple[float, bool]]:
    """grade_id -> (score, whether it waits for the teacher) of one submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(section, section, student)
        return {grade.name: (grade.score, grade.needs_manual_grade) for grade in notebook.grades}


@pytest.mark.parametrize("student", list(LIKELIHOOD_TRUTH))
def test_every_graded_cell_equals_the_truth_table(course, student):
    scores = gradebook_scores(course, "likelihood", student)
    ex2, ex4 = LIKELIHOOD_TRUTH[student]
    assert scores["likelihood-ex-2-test"] == (ex2, False)
    assert scores["likelihood-ex-4-test"] == (ex4, False)
    for written in ("likelihood-ex-1", "likelihood-ex-3", "likelihood-ex-5"):
        # an untouched written answer scores 0; a written one waits for the teacher
        answered = (student, written) in WRITTEN
        assert scores[written] == (0, answered), written


def autograded_outputs(course: Path, student: str, section: str = "likelihood") -> dict[str, str]:
    path = course / "autograded" / student / section / f"{section}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: "".join(
            output.get("text", "") + output.get("evalue", "") + "".join(output.get("traceback", []))
            for output in cell.get("outputs", [])
        )
        for cell in notebook.cells
        if "nbgrader" in cell.metadata
    }


@pytest.mark.parametrize(("student", "grade_id"), list(DIAGNOSES))
def test_the_self_check_diagnoses_each_mistake(course, student, grade_id):
    assert DIAGNOSES[student, grade_id] in autograded_outputs(course, student)[grade_id]


def test_the_infinite_loop_is_stopped_and_the_rest_graded(course):
    outputs = autograded_outputs(course, "infinite-loop")
    assert (
        "CellTimeoutError" in outputs["likelihood-ex-2-answer"]
        or "KeyboardInterrupt" in (outputs["likelihood-ex-2-answer"])
    )
    assert "All 8 checks passed" in outputs["likelihood-ex-4-test"]


def test_passing_the_self_check_does_not_pass_the_grade(course):
    """An answer right on the self-check's data only: the self-check passes, the hidden
    tests on other data find its values wrong (half the points, see LIKELIHOOD_TRUTH)."""
    output = autograded_outputs(course, "fits-only-the-self-check")["likelihood-ex-2-test"]
    assert "All 8 checks passed" in output and "0 of 3 cases right" in output


def test_a_fake_check_and_an_edited_test_cell_change_nothing(course):
    outputs = autograded_outputs(course, "fake-check-and-edited-test")
    # the test cells are nbgrader's (checksummed) originals, with the real check
    assert "0 of 8 checks passed" in outputs["likelihood-ex-2-test"]
    assert "0 of 8 checks passed" in outputs["likelihood-ex-4-test"]


def test_feedback_says_why_the_library_call_scores_zero(course):
    feedback = course / "feedback" / "calls-the-library" / "likelihood" / "likelihood.html"
    text = feedback.read_text(encoding="utf-8")
    assert "statbook.poisson" in text and "0 points: your answer uses" in text
    assert "statbook.gaussian.negloglik_canonical" in text


def test_released_notebooks_hold_no_solution_or_hidden_test(course):
    release = nbformat.read(course / "release" / "likelihood" / "likelihood.ipynb", 4)
    text = "\n".join(cell.source for cell in release.cells)
    for secret in (
        "BEGIN SOLUTION",
        "HIDDEN TESTS",
        "assert_own_code",
        "hidden_y",
        "gammaln(y + 1).sum()",
    ):
        assert secret not in text, secret
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in release.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    assert {name: c.cell_type for name, c in answers.items()} == {
        "likelihood-ex-1": "markdown",
        "likelihood-ex-2-answer": "code",
        "likelihood-ex-3": "markdown",
        "likelihood-ex-3-code": "code",  # it asks for a computation, too
        "likelihood-ex-4-answer": "code",
        "likelihood-ex-5": "markdown",
    }
    assert {c.source for c in answers.values() if c.cell_type == "markdown"} == {TEXT_STUB}
    for name in ("likelihood-ex-2-answer", "likelihood-ex-4-answer"):
        assert answers[name].source.rstrip().endswith("    ...")
    assert answers["likelihood-ex-3-code"].source.startswith("# ✏️ YOUR COMPUTATION")
    assert "eigvalsh" not in answers["likelihood-ex-3-code"].source
    assert CODE_STUB == ""
    # the rubric cells hold no rubric for the students
    rubrics = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("locked")]
    assert "*Graded by hand: 4 points.*" in [c.source for c in rubrics]
    assert "θ̂ = log(S/N)" not in text and "Rubric of exercise" not in text


@pytest.mark.parametrize("chapter", section_chapters(), ids=lambda p: p.stem)
def test_the_solutions_earn_every_autograded_point(course, chapter):
    """The source notebook (the chapter's solutions in the answer cells) run top to bottom:
    every test cell shows its full points, the number nbgrader takes as its score."""
    from nbclient import NotebookClient

    from booktools.course import source_notebook

    notebook = source_notebook(chapter)
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": ROOT}}).execute()
    tests = [
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-test")
    ]
    assert tests
    for cell in tests:
        shown = [o["data"]["text/plain"] for o in cell.outputs if o.output_type == "execute_result"]
        assert shown == [f"{float(cell.metadata.nbgrader['points'])}"], cell.metadata.nbgrader


def test_students_see_exercises_as_markdown(course):
    release = nbformat.read(course / "release" / "likelihood" / "likelihood.ipynb", 4)
    text = "\n".join(cell.source for cell in release.cells)
    assert "#### Exercise likelihood-ex-1: The Poisson model in its canonical parameter" in text
    assert "*4 points, about 15 minutes.*" in text
    assert "{exercise}" not in text and ":label: likelihood-ex" not in text
    assert "% points" not in text and "% rubric" not in text
    assert "$\\theta = \\log\\mu \\in \\mathbb{R}$" in text  # formulas kept for Jupyter


def autograde_log(course: Path, section: str = "likelihood") -> str:
    return (course / f"autograde-{section}.log").read_text()


def test_the_log_names_only_real_tampering_and_lost_cells(course):
    """nbgrader's own "checksum has changed" warning fires for every test cell with hidden
    tests (nbgrader issue #1961); the course's log names only what students really did."""
    log = autograde_log(course)
    assert "has changed!" not in log
    assert re.findall(r"TAMPERED: student (\S+) changed the locked cell (\S+)", log) == [
        ("fake-check-and-edited-test", "likelihood-ex-4-test")
    ]
    assert re.findall(
        r"MISSING: the submission of student (\S+) had lost the graded cell (\S+);", log
    ) == [("deleted-answer-cell", "likelihood-ex-1")]


def test_a_lost_answer_cell_is_put_back_and_graded_by_hand(course):
    path = course / "autograded" / "deleted-answer-cell" / "likelihood" / "likelihood.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
    restored = cells[ids.index("likelihood-ex-1")]
    assert (
        restored.cell_type == "markdown" and "nbgrader put this answer cell back" in restored.source
    )
    assert cells[ids.index("likelihood-ex-1") + 1].source.startswith("RECREATED:")
    assert ids[ids.index("likelihood-ex-1") - 1] == "likelihood-ex-1-rubric"
    # it waits in formgrader, worth its 4 points, and counts in the export once graded
    assert gradebook_scores(course, "likelihood", "deleted-answer-cell")["likelihood-ex-1"] == (
        0,
        True,
    )


def test_a_renamed_function_gets_a_clear_message(course):
    output = autograded_outputs(course, "renamed-function")["likelihood-ex-2-test"]
    assert "the test calls your function poisson_negloglik" in output
    assert re.search(
        r"Your notebook defines (\w+, )*poisson_nll(, \w+)*: did you rename it\?", output
    )


def test_formgrader_notebooks_show_each_written_answers_rubric(course):
    path = course / "autograded" / "solutions" / "likelihood" / "likelihood.ipynb"
    cells = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(path, as_version=4).cells
        if "nbgrader" in c.metadata
    }
    for info in exercises(ROOT / "chapters" / "likelihood.md"):
        if info.rubric:
            for _, criterion in info.rubric:
                assert criterion in cells[f"{info.label}-rubric"], criterion


def test_feedback_shows_no_hidden_test_or_rubric(course):
    pages = list((course / "feedback").rglob("likelihood.html"))
    assert len(pages) == len(LIKELIHOOD)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for secret in ("hidden_y", "assert_agrees", "BEGIN HIDDEN", "Rubric of exercise"):
            assert secret not in text, (page.parent.parent.name, secret)
    fits = course / "feedback" / "fits-only-the-self-check" / "likelihood" / "likelihood.html"
    assert "0 of 3 cases right; 2 of 4 points" in fits.read_text(encoding="utf-8")


def test_regenerating_the_course_keeps_the_teachers_work(tmp_path):
    """make course again: the teacher's config line and edited notebook stay, the other
    notebooks are written again with the same cell ids; FORCE=1 overwrites the edit."""
    course = tmp_path / "course"

    def make_course(*extra: str) -> None:
        subprocess.run(
            ["make", "-s", "course", f"COURSE_DIR={course}", *extra],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    make_course()
    config = course / "nbgrader_config.py"
    mine = 'c.Exchange.root = "/srv/nbgrader/exchange"  # the teacher\'s\n'
    config.write_text(config.read_text() + mine)
    edited = course / "source" / "likelihood" / "likelihood.ipynb"
    notebook = nbformat.read(edited, as_version=4)
    notebook.cells[0].source += "\n\nMy course's own remark."
    nbformat.write(notebook, edited)
    other = course / "source" / "mixtures" / "mixtures.ipynb"
    ids = [cell.id for cell in nbformat.read(other, as_version=4).cells]
    before = other.read_text()
    make_course()
    assert config.read_text().endswith(mine)
    assert config.read_text().count("c.OverwriteCells.add_missing_cells = True") == 1
    assert "My course's own remark." in edited.read_text()
    assert other.read_text() == before
    assert [cell.id for cell in nbformat.read(other, as_version=4).cells] == ids
    make_course("FORCE=1")
    assert "My course's own remark." not in edited.read_text()
    assert config.read_text().endswith(mine)


def test_the_teacher_page_names_nbgraders_exchange_folder():
    from nbgrader.exchange.default.exchange import Exchange

    page = " ".join((ROOT / "chapters" / "teacher.md").read_text(encoding="utf-8").split())
    assert f"by default `{Exchange.class_traits()['root'].default_value}`" in page


def test_course_folder_is_not_in_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "course/source/x.ipynb"], cwd=ROOT, capture_output=True, check=False
    )
    assert ignored.returncode == 0


# --- formgrader in JupyterLab -------------------------------------------------------------

#: formgrader's page loads MathJax 2 from this CDN, and starts only once it has
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/"
#: Debian's copy of MathJax 2 (libjs-mathjax, installed by booktools/system-packages mathjax)
MATHJAX = Path("/usr/share/javascript/mathjax")


@pytest.fixture
def lab(course, tmp_path):
    """``make course-lab`` on the graded course (step 4 of the teacher's page, after
    autograde), with a scratch ``HOME``; yields its URL."""
    home = tmp_path / "home"
    home.mkdir()
    course_dir = f"COURSE_DIR={course}"
    with live.make_lab(ROOT, home, target="course-lab", variables=[course_dir]) as url:
        yield url


def serve_mathjax(route) -> None:
    """Answer a request for the CDN's MathJax 2 from Debian's copy.

    The page asks for ``latest.js``, the CDN's loader of the newest MathJax 2,
    which is what Debian's ``MathJax.js`` is.
    """
    name = urllib.parse.urlsplit(route.request.url).path.split("/2.7.7/", 1)[1]
    path = MATHJAX / ("MathJax.js" if name == "latest.js" else name)
    if path.is_file():
        route.fulfill(path=path, content_type=mimetypes.guess_type(path.name)[0])
    else:
        route.abort()


def in_a_thread_of_its_own(task) -> None:
    """Run ``task`` in a new thread: Playwright's sync API refuses a thread that already
    runs an event loop, as the main one does while another test module's browser is open."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(task).result()


def submission_id(course: Path, student: str) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission_notebook("likelihood", "likelihood", student).id


def test_formgrader_points_for_a_written_answer_reach_the_export(course, lab):
    from playwright.sync_api import sync_playwright

    assert exported(course)["likelihood", "solutions"][0] == 8
    target = submission_id(course, "solutions")

    def grade_in_the_browser() -> None:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # CI has no internet: the CDN's MathJax files come from Debian's copy of MathJax 2.
            page.route(f"{MATHJAX_CDN}**", lambda route: serve_mathjax(route))
            page.goto(f"{lab}/lab?token={live.TOKEN}")
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_role("menuitem", name="Formgrader", exact=True).click()
            formgrader = page.frame_locator("iframe[src*='formgrader']")
            formgrader.get_by_role("link", name="Manual Grading").click()
            formgrader.get_by_role("link", name="likelihood", exact=True).click()
            formgrader.get_by_role("link", name="likelihood", exact=True).click()
            # students are anonymous in formgrader ("Submission #n"): pick ours by its id
            formgrader.locator(f"a.name-hidden[href*='/formgrader/submissions/{target}']").click()
            # formgrader has loaded the grades (its class for a pending manual grade is set)
            score = formgrader.locator("input.score.needs_manual_grade#likelihood-ex-1")
            score.wait_for(timeout=60_000)
            # and MathJax has typeset the page (formgrader then moves the focus once)
            grading = next(f for f in page.frames if f"/formgrader/submissions/{target}" in f.url)
            grading.wait_for_function("() => window.MathJax && MathJax.loaded === true")
            # the rubric of the written answer is on the page, for the grader
            rubric = "Rubric of exercise likelihood-ex-1"
            formgrader.get_by_text(rubric).first.wait_for(timeout=10_000)
            score.fill("3")
            # moving on to the comment box leaves the score field, which saves it
            formgrader.locator("textarea").first.click()
            deadline = time.monotonic() + 60
            while gradebook_scores(course, "likelihood", "solutions")["likelihood-ex-1"] != (
                3,
                False,
            ):
                assert time.monotonic() < deadline, "formgrader did not save the score"
                time.sleep(0.3)
            browser.close()

    in_a_thread_of_its_own(grade_in_the_browser)
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert exported(course)["likelihood", "solutions"] == (11.0, 21.0)


def test_variance_for_standard_deviation_is_diagnosed(course):
    scores = gradebook_scores(course, "mixtures", "variance-for-sd")
    ex2, ex4 = MIXTURES_TRUTH["variance-for-sd"]
    assert scores["mixtures-ex-2-test"] == (ex2, False)
    assert scores["mixtures-ex-4-test"] == (ex4, False)
    outputs = autograded_outputs(course, "variance-for-sd", "mixtures")
    assert "the variance σ² passed as a standard deviation" in outputs["mixtures-ex-2-test"]
    assert "All 3 checks passed" in outputs["mixtures-ex-4-test"]


# --- nbgrader in `make lab` -----------------------------------------------------------------

#: nbgrader's JupyterLab plugins (its menu, formgrader, the students' assignment and course
#: lists, the create-assignment toolbar and the validate button)
NBGRADER_PLUGINS = [
    f"@jupyter/nbgrader:{name}"
    for name in (
        "menu",
        "formgrader",
        "assignment-list",
        "course-list",
        "create-assignment",
        "validate-assignment",
    )
]
PLUGINS_JS = """(ids) => Object.fromEntries(ids.map((id) =>
  [id, window.jupyterapp.hasPlugin(id) && window.jupyterapp.isPluginActivated(id)]))"""


@pytest.mark.browser
def test_make_lab_loads_nbgrader_and_opens_formgrader(tmp_path):
    """``make lab`` (the chapters, the project's own Jupyter config) in a copy of the
    checkout: nbgrader's JupyterLab plugins are active, its menu opens formgrader, whose
    pages the server answers, no request leaves the machine, and the checkout stays clean
    (formgrader's gradebook is written outside it)."""
    checkout = live.copy_checkout(tmp_path / "checkout")
    home = tmp_path / "home"
    (home / ".ipython").mkdir(parents=True)  # a returning reader: jupyter_core would migrate
    found = {"refused": []}

    def look(base: str) -> None:
        def refuse(route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                found["refused"].append(route.request.url)
                route.abort()

        with live.chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", refuse)
            page.goto(f"{base}/lab?token={live.TOKEN}")
            page.wait_for_function("() => window.jupyterapp")
            page.evaluate("() => window.jupyterapp.started")  # every plugin has started
            found["plugins"] = page.evaluate(PLUGINS_JS, NBGRADER_PLUGINS)
            found["commands"] = page.evaluate(
                "() => window.jupyterapp.commands.listCommands()"
                ".filter((id) => id.startsWith('nbgrader:'))"
            )
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_role("menuitem", name="Formgrader", exact=True).click()
            formgrader = page.frame_locator("iframe[src*='formgrader']")
            heading = formgrader.get_by_role("heading", name="Manage Assignments")
            heading.wait_for(timeout=60_000)
            found["formgrader"] = next(f.url for f in page.frames if "/formgrader/" in f.url)
            # the list of students comes from the gradebook, which formgrader then creates
            with page.expect_response(lambda r: "/formgrader/api/students" in r.url) as answer:
                formgrader.get_by_role("link", name="Manage Students").click()
            found["students"] = answer.value.status
            formgrader.get_by_role("heading", name="Manage Students").wait_for()
            page.screenshot(path=str(tmp_path / "formgrader.png"))
            page.close()

    with live.make_lab(checkout, home) as base:
        in_a_thread_of_its_own(lambda: look(base))
    assert found["plugins"] == dict.fromkeys(NBGRADER_PLUGINS, True)
    assert {"nbgrader:open-formgrader", "nbgrader:open-assignment-list"} <= set(found["commands"])
    assert found["formgrader"] == f"{base}/formgrader/manage_assignments"
    assert found["students"] == 200 and found["refused"] == []
    # the gradebook of make lab's formgrader is kept outside the checkout, with the settings
    assert (home / "state" / "statbook" / "jupyter" / "gradebook.db").is_file()
    assert live.git(checkout, "status", "--porcelain", "--ignored") == ""


# --- partial credit and the answer's name, without nbgrader -------------------------------


def _poisson_reference(mu, y):
    from statbook import poisson

    return poisson.negloglik(mu, poisson.suff_stats(y))


HIDDEN_POISSON = [
    (np.array([0.2, 3.7, 40.0]), np.array([5, 0, 1, 13, 2])),
    (np.array([[-0.5, 1.1], [6.0, 0.0]]), np.array([5, 0, 1, 13, 2])),
]


def partial_points(answer) -> float:
    import statbook.check
    from statbook.check.grading import PartialCredit, assert_agrees

    real_check = statbook.check.check
    with PartialCredit("likelihood-ex-2", 4) as score:
        from statbook.check import check

        assert check("likelihood-ex-2", answer, quiet=True), "the self-check fails"
        assert_agrees(answer, _poisson_reference, HIDDEN_POISSON)
    assert statbook.check.check is real_check  # put back
    return score.points


def test_partial_credit_splits_values_and_form():
    def right(mu, y):
        return _poisson_reference(mu, y)

    def sign(mu, y):  # −ℓ with its signs flipped, +inf kept off the parameter space
        value = right(mu, y)
        return np.where(np.isposinf(value), np.inf, -value)

    def constant(mu, y):
        return np.zeros(np.shape(mu))

    def scalar_only(mu, y):
        mu = float(np.asarray(mu).ravel()[0])
        return right(mu, y)

    assert partial_points(right) == 4
    assert partial_points(sign) == 2  # right form (+inf kept off the space), wrong values
    assert partial_points(constant) == 0
    assert partial_points(scalar_only) == 0  # the wrong shape on both cases
    # outside a PartialCredit, a wrong case still fails the assertion
    from statbook.check.grading import assert_agrees

    with pytest.raises(AssertionError, match="hidden case 1"):
        assert_agrees(sign, _poisson_reference, HIDDEN_POISSON)


def test_a_library_call_scores_zero_even_with_partial_credit():
    from statbook import poisson
    from statbook.check.grading import LibraryCall, PartialCredit, assert_own_code

    def library(mu, y):
        return poisson.negloglik(mu, poisson.suff_stats(y))

    with pytest.raises(LibraryCall), PartialCredit("likelihood-ex-2", 4):
        assert_own_code(library, poisson)


def test_the_answer_names_a_renamed_function():
    from statbook.check.grading import the_answer

    def poisson_nll(mu, y):
        return mu

    namespace = {"__name__": __name__, "poisson_nll": poisson_nll}
    with pytest.raises(NameError, match="Your notebook defines poisson_nll: did you rename it"):
        the_answer("poisson_negloglik", namespace)
    assert the_answer("poisson_nll", namespace) is poisson_nll
