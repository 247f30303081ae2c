"""Shared fixtures: the HTML book is built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

# Property tests run a fixed number of derandomized examples: the same inputs on
# every run, so the suite's time is bounded and a failure is reproducible.
settings.register_profile(
    "bounded",
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "bounded"))

ROOT = Path(__file__).resolve().parents[1]

#: Test modules that build the book, start Jupyter or a browser, run nbgrader, execute a
#: notebook or install the wheel: everything else is the library and its unit tests,
#: which ``make test-fast`` runs in the edit-test loop.
SLOW_MODULES = {
    "test_book",
    "test_browser",
    "test_commands",
    "test_course",
    "test_handouts",
    "test_live",
    "test_package",
    "test_pdf",
    "test_student",
    "test_teacher_page",
}
#: The longest modules, longest first (measured with ``--durations=0``).  ``make test`` hands
#: out whole modules to its two processes in collection order (``--no-loadscope-reorder``),
#: so the long ones start first and the short ones fill in at the end, and both processes
#: finish together.  The first two need nothing from each other: one builds the book, the
#: other grades the course.
LONGEST_FIRST = (
    "test_browser",
    "test_course",
    "test_live",
    "test_commands",
    "test_student",
    "test_package",
    "test_book",
    "test_widgets",
    "test_handouts",
    "test_teacher_page",
    "test_pdf",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.path.stem
        if module in SLOW_MODULES or item.path.suffix == ".md":
            item.add_marker(pytest.mark.slow)
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: the rest as found


def make(*targets: str) -> subprocess.CompletedProcess:
    """Run ``make TARGET...`` in the checkout as a reader types it; fail with its output."""
    result = subprocess.run(
        ["make", *targets], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"make {' '.join(targets)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        )
    return result


def _lock(target: str) -> FileLock:
    """The lock one test process holds while it runs ``make TARGET`` (see make_once)."""
    path = ROOT / "_build" / f".make-{target}.lock"
    path.parent.mkdir(exist_ok=True)
    return FileLock(path)


def make_once(target: str) -> None:
    """``make TARGET`` for the book, its PDF, the student book or the answer key, one test
    process at a time.

    The suite runs in several processes (pytest-xdist); one that comes second waits for
    the first one's build and then finds it up to date, so each is built once.  Each
    target has its own lock: every one but the book is made only after the book (their
    fixtures ask for ``built_book``), so none builds the book itself, and a process
    waiting for the book is not held up by the PDF."""
    with _lock(target):
        make(target)


# ``make TARGET`` in another process, under make_once's lock: the output is not kept, since
# the fixture that needs the target runs make_once after it, which reports a failure.
BACKGROUND_MAKE = """
import subprocess, sys
from filelock import FileLock
with FileLock(sys.argv[1]):
    subprocess.run(["make", sys.argv[2]], capture_output=True, check=False)
"""


def make_in_background(target: str) -> subprocess.Popen:
    """Start ``make TARGET`` now, in the background, one test process at a time (as
    make_once): the fixture that needs it later finds it built or being built."""
    lock = _lock(target)
    return subprocess.Popen(
        [sys.executable, "-c", BACKGROUND_MAKE, lock.lock_file, target], cwd=ROOT
    )


@pytest.fixture(scope="session")
def built_book(request) -> Path:
    """``make book``: the book built with warnings as errors, every notebook executed.

    make rebuilds it when any source changed since the last build that passed.  Then, if
    a test of this run needs the PDF, ``make pdf`` starts in the background, so the tests
    that need it later find it printed instead of each process waiting for it in turn (the
    session waits for it before it ends)."""
    make_once("book")
    needs_pdf = any("book_pdf" in item.fixturenames for item in request.session.items)
    pdf = make_in_background("pdf") if needs_pdf else None
    yield ROOT / "_build" / "html"
    if pdf is not None:
        pdf.wait()


@pytest.fixture(scope="session")
def book_pdf(built_book) -> Path:
    """``make pdf``: the whole book printed to one PDF, ``_build/html/statbook.pdf``.

    In its own process: Playwright's sync API cannot start while the browser tests'
    Chromium session runs in this one."""
    make_once("pdf")
    return built_book / "statbook.pdf"
