"""The graded course end to end, with the real nbgrader commands a teacher runs.

From this checkout: ``make course``, then in the course folder
``nbgrader generate_assignment``, submissions in ``submitted/<student>/<section>/``,
``nbgrader autograde`` (with a per-cell timeout), ``nbgrader generate_feedback``
and ``nbgrader export``.  The exported ``grades.csv`` and every graded cell in
the gradebook must equal the truth tables below.  Then ``make course-lab``:
points given to a written answer in formgrader reach the next export.  These
are the six commands of a graded assignment on the teacher's page.

To keep the run short, the typical mistakes are paired up in one submission
(one per exercise of section 6.1, which has two autograded exercises), and
section 6.4 is graded for one student only: the cheats and mistakes are the
same machinery whatever the section.
"""

from __future__ import annotations

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
import pytest

from booktools.course import CODE_STUB, TEXT_STUB, exercises, section_chapters
from tests import jupyter_live as live
from tests import submissions as s
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
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
}
MIXTURES = {
    "variance-for-sd": {
        "mixtures-ex-2-answer": s.MIXTURE_VARIANCE_FOR_SD,
        "mixtures-ex-4-answer": s.BOUNDARY_RIGHT,
    },
}
# student -> (score of likelihood-ex-2, score of likelihood-ex-4)
LIKELIHOOD_TRUTH = {
    "solutions": (4, 4),
    "sign-and-constant": (0, 0),
    "n-for-sum-and-shape": (0, 0),
    "off-by-one-and-raises": (0, 0),
    "blank": (0, 0),
    "infinite-loop": (0, 4),
    "fake-check-and-edited-test": (0, 0),
    "calls-the-library": (0, 0),
    "fits-only-the-self-check": (0, 4),
}
# the hint each mistake earns, in the output of its test cell
DIAGNOSES = {
    ("sign-and-constant", "likelihood-ex-2-test"): "it has the opposite sign",
    ("sign-and-constant", "likelihood-ex-4-test"): "Is the constant (N/2)·log π there?",
    ("n-for-sum-and-shape", "likelihood-ex-2-test"): "N·log μ instead of (Σ y_i)·log μ",
    ("n-for-sum-and-shape", "likelihood-ex-4-test"): "theta[0], theta[1] (the rows of a grid)",
    ("off-by-one-and-raises", "likelihood-ex-2-test"): "log((y_i − 1)!) instead of log(y_i!)",
    ("off-by-one-and-raises", "likelihood-ex-4-test"): "RuntimeError: not finished",
    ("calls-the-library", "likelihood-ex-2-test"): "the library's own version",
    ("fits-only-the-self-check", "likelihood-ex-2-test"): "hidden case 1: your value is not right",
}


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
    folder = course / "submitted" / student / section
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{section}.ipynb")


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
        nbgrader(course, "generate_assignment", section)
        for student, answers in students.items():
            hand_in(course, section, student, answers)
        nbgrader(
            course,
            "autograde",
            section,
            f"--ExecutePreprocessor.timeout={TEST_CELL_TIMEOUT}",
        )
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
    truth["mixtures", "variance-for-sd"] = 4  # mixtures-ex-2 wrong, mixtures-ex-4 right
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
        answered = written in LIKELIHOOD[student]
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
    tests on other data fail it (0 points, see LIKELIHOOD_TRUTH)."""
    output = autograded_outputs(course, "fits-only-the-self-check")["likelihood-ex-2-test"]
    assert "All 8 checks passed" in output and "hidden case 1" in output


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
    answers = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert [c.cell_type for c in answers] == ["markdown", "code", "markdown", "code", "markdown"]
    assert {c.source for c in answers if c.cell_type == "markdown"} == {TEXT_STUB}
    assert all(c.source.rstrip().endswith("    ...") for c in answers if c.cell_type == "code")
    assert CODE_STUB == ""


#: the six commands of a graded assignment, for section likelihood: the fixtures of this
#: module run each (with the course folder, the test's cell timeout and export file)
SIX_COMMANDS = [
    "make course",
    "nbgrader generate_assignment likelihood",
    "nbgrader autograde likelihood",
    "make course-lab",
    "nbgrader generate_feedback likelihood",
    "nbgrader export",
]


def test_the_teacher_page_lists_the_six_commands_run_here():
    page = (ROOT / "chapters" / "teacher.md").read_text(encoding="utf-8")
    after = page.split("A graded assignment is six commands", 1)[1]
    block = re.search(r"```bash\n(.*?)```", after, flags=re.S)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert [command for command in commands if command] == SIX_COMMANDS


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

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: formgrader's page loads MathJax 2 from this CDN, and starts only once it has
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/"
#: Debian's copy of MathJax 2 (libjs-mathjax, installed by .ci/install-mathjax)
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
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
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
    outputs = autograded_outputs(course, "variance-for-sd", "mixtures")
    assert "sigma used as a variance" in outputs["mixtures-ex-2-test"]
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
