"""Shared fixtures: the HTML book is built once per test session."""

from __future__ import annotations

import os
import subprocess
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


def make_once(target: str) -> None:
    """``make TARGET`` for the book or its PDF, one test process at a time.

    The suite runs in two processes (pytest-xdist); the one that comes second waits for
    the first one's build and then finds it up to date, so the book is built once."""
    lock = ROOT / "_build" / ".make.lock"
    lock.parent.mkdir(exist_ok=True)
    with FileLock(lock):
        make(target)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """``make book``: the book built with warnings as errors, every notebook executed.

    make rebuilds it when any source changed since the last build that passed."""
    make_once("book")
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def book_pdf(built_book) -> Path:
    """``make pdf``: the whole book printed to one PDF, ``_build/html/statbook.pdf``.

    In its own process: Playwright's sync API cannot start while the browser tests'
    Chromium session runs in this one."""
    make_once("pdf")
    return built_book / "statbook.pdf"
