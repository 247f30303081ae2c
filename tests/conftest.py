"""Shared fixtures: the HTML book is built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book with warnings as errors and notebook execution on; return _build/html."""
    env = {**os.environ, "STATBOOK_STATIC": "1", "PYTHONPATH": str(ROOT)}
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        # --all: Sphinx skips pages whose source is unchanged, so without it a change in
        # statbook/ would be tested against pages executed with the old code.
        [
            *(str(jupyter_book), "build", str(ROOT), "--all"),
            *("--warningiserror", "--nitpick", "--keep-going"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"the book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def book_pdf(built_book) -> Path:
    """The whole book printed to one PDF as ``make pdf`` does: ``_build/html/statbook.pdf``.

    In its own process: Playwright's sync API cannot start while the browser tests'
    Chromium session runs in this one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "statbook._print_book", str(built_book)], env=env, check=True
    )
    return built_book / "statbook.pdf"
