"""The teacher's hand-outs: the book without solutions and the answer key.

Both are built as ``make book-student`` and ``make answer-key`` build them (the
same module and tools, into a temporary folder).  Solutions are found with the
markdown-it parser of ``tests/test_student.py``, independently of the code that
removes them.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

from booktools.browser import launch
from booktools.course import exercises, section_chapters
from booktools.handouts import write_student_book
from statbook.check import REGISTRY
from tests.conftest import ROOT, make_once
from tests.test_student import leaked, solution_lines

BIN = Path(sys.executable).parent
CHAPTERS = section_chapters()


def page_text(path: Path) -> str:
    """The text of an HTML page, tags removed, entities decoded, one line per line."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.fixture(scope="module")
def answer_key_page(built_book) -> Path:
    """``make answer-key``: the answer key's HTML page (its glued numbers read from the
    book build, which the fixture made first)."""
    make_once("answer-key")
    return ROOT / "answer-key" / "answer-key.html"


@pytest.fixture(scope="module")
def answer_key(answer_key_page) -> str:
    return page_text(answer_key_page)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_answer_key_has_every_exercise_with_points_and_solution(answer_key, chapter):
    for info in exercises(chapter):
        assert f"Exercise {info.label}: {info.prompt}" in answer_key
        assert f"{info.points} points, about {info.minutes} minutes, {info.kind}." in answer_key
        for _, criterion in info.rubric:
            assert criterion in answer_key, criterion
    inside, outside = solution_lines(chapter.read_text())
    hidden = {
        line.strip()
        for cell in jupytext.read(chapter, fmt="md:myst").cells
        if {"hidden-tests", "asserts"} & set(cell.metadata.get("tags", []))
        for line in cell.source.splitlines()
    }
    key_lines = {line.strip() for line in answer_key.splitlines()}
    # plain lines of the solutions (Markdown markup and maths change when rendered)
    plain = [
        line
        for line in inside - outside - hidden
        if len(line) >= 20 and not re.search(r"[$`*_\\]|^[:%#]", line)
    ]
    assert plain and [line for line in plain if line not in key_lines] == []


def test_answer_key_leaves_out_the_hidden_tests(answer_key):
    assert "assert_own_code" not in answer_key and "hidden_y" not in answer_key


def tex_formulas(notebook) -> int:
    """How many ``$...$`` and ``$$...$$`` formulas the Markdown of ``notebook`` holds,
    outside code (MathJax leaves code alone)."""
    count = 0
    for cell in notebook.cells:
        text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
        text = re.sub(r"`[^`]*`", "", text)
        assert "\\$" not in text  # no escaped dollar, which the count below would miscount
        count += len(re.findall(r"\$\$.+?\$\$|\$.+?\$", text, flags=re.S))
    return count


# After MathJax has typeset the page: its formulas, TeX errors, and the text left outside
# formulas and code.
TYPESET_JS = """async () => {
  await MathJax.startup.promise;
  const text = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest('mjx-container, pre, code, script, style')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  while (walker.nextNode()) text.push(walker.currentNode.textContent);
  return {
    version: MathJax.version,
    formulas: document.querySelectorAll('mjx-container').length,
    displayed: document.querySelectorAll('mjx-container[display="true"]').length,
    errors: document.querySelectorAll('[data-mml-node="merror"], mjx-merror').length,
    text: text.join(' '),
  };
}"""


def test_answer_key_typesets_its_formulas_offline(answer_key_page):
    """In headless Chromium with every request that is not the file itself refused, MathJax
    (inline in the page) typesets every formula: none is left as TeX, none is an error."""
    from playwright.sync_api import sync_playwright

    from booktools.course import section_chapters
    from booktools.handouts import answer_key
    from tests.test_course import in_a_thread_of_its_own

    found = {"requests": [], "refused": []}

    def refuse(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            found["refused"].append(route.request.url)
            route.abort()

    def typeset() -> None:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", refuse)
            page.on("request", lambda request: found["requests"].append(request.url))
            page.goto(answer_key_page.as_uri())
            found.update(page.evaluate(TYPESET_JS))
            page.locator('mjx-container[display="true"]').first.scroll_into_view_if_needed()
            page.screenshot(path=str(answer_key_page.with_suffix(".png")))
            browser.close()

    in_a_thread_of_its_own(typeset)
    assert found["refused"] == [] and found["requests"] == [answer_key_page.as_uri()]
    assert found["version"].startswith("3.")
    expected = tex_formulas(answer_key(section_chapters()))
    assert expected > 100 and found["formulas"] == expected and found["displayed"] > 0
    assert found["errors"] == 0
    left = re.findall(r"\$|\\[a-zA-Z]+", found["text"])
    assert left == [], left


@pytest.fixture(scope="module")
def student_book(built_book) -> Path:
    """``make book-student``: the book without solutions, built from the book build's
    executed pages (nothing is run again)."""
    make_once("book-student")
    return ROOT / "_build" / "student" / "_build" / "html"


def test_student_book_sources_turn_off_downloads_and_launches(tmp_path):
    config = yaml.safe_load((write_student_book(tmp_path / "src") / "_config.yml").read_text())
    assert config["html"]["use_download_button"] is False
    assert config["launch_buttons"]["binderhub_url"] == ""
    assert config["launch_buttons"]["colab_url"] == ""
    assert config["sphinx"]["config"]["html_copy_source"] is False


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_book_pages_have_no_solution(student_book, chapter):
    page = student_book / "chapters" / f"{chapter.stem}.html"
    raw = page.read_text(encoding="utf-8")
    assert 'class="solution' not in raw and "Solution to" not in raw
    assert "btn-download-source-button" not in raw and "btn-download-notebook-button" not in raw
    assert "btn-launch" not in raw and "binder" not in raw.lower() and "colab" not in raw.lower()
    assert leaked(chapter.read_text(), page_text(page)) == []
    for info in exercises(chapter):
        assert info.label in raw  # the exercise itself is there


#: lines of solutions and hidden tests that every student is given anyway: the import of
#: the self-check and the stubs of the answer cells (the functions the exercises name)
GIVEN = {
    "from statbook.check import check",
    *(line.strip() for entry in REGISTRY.values() for line in entry.stub.splitlines()),
}


def test_student_book_holds_no_answer_anywhere(student_book):
    """No page of the book without solutions (the teacher's page included) states a
    rubric's criterion or a line of a solution."""
    pages = {page: page_text(page) for page in student_book.rglob("*.html")}
    assert student_book / "chapters" / "teacher.html" in pages
    for chapter in CHAPTERS:
        for info in exercises(chapter):
            for _, criterion in info.rubric:
                found = [page.name for page, text in pages.items() if criterion in text]
                assert found == [], (info.label, criterion, found)
        for page, text in pages.items():
            found = [line for line in leaked(chapter.read_text(), text) if line not in GIVEN]
            assert found == [], (chapter.stem, page.name, found)


def test_the_rubric_finder_can_fail():
    """The teacher's page of the full book shows the rubrics the test above looks for."""
    from booktools.handouts import without_rubrics

    page = (ROOT / "chapters" / "teacher.md").read_text(encoding="utf-8")
    assert "Rubrics of the exercises" in page
    assert "Rubrics of the exercises" not in without_rubrics(page)
    assert "## Self-checks" in without_rubrics(page)


def test_answer_key_fills_every_glued_value(answer_key):
    assert "{glue" not in answer_key and "glue:text" not in answer_key
    # likelihood-ex-3: the eigenvalues of the polar finite-difference Hessian, one negative
    assert re.search(r"gives the eigenvalues -\d+\.\d and\s+\d+\.\d, one negative", answer_key)


def test_student_book_has_no_sources_to_download(student_book):
    assert not (student_book / "_sources").exists()
    assert not list(student_book.rglob("*.ipynb"))


OVERFLOWING_JS = """() => [...document.querySelectorAll('pre, table, .highlight, .output')]
  .filter((e) => e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.tagName + ': ' + e.textContent.slice(0, 60))"""


def test_teacher_page_does_not_scroll_sideways_at_1280_px(student_book):
    from playwright.sync_api import sync_playwright

    from tests.test_course import in_a_thread_of_its_own

    found = {}

    def measure() -> None:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((student_book / "chapters" / "teacher.html").as_uri())
            found["overflowing"] = page.evaluate(OVERFLOWING_JS)
            found["tables"] = page.evaluate("() => document.querySelectorAll('table').length")
            browser.close()

    in_a_thread_of_its_own(measure)
    assert found["tables"] >= 1 and found["overflowing"] == []
