"""Every command the README shows, run as a reader types it.

Each ``make`` command of README.md is listed in ``WHERE_RUN`` with the test that runs it
exactly so (the book build, the PDF, JupyterLab and the course are run by the tests that
need their output); the rest are run here. A command added to the README without a test
fails ``test_every_readme_command_is_run_by_a_test``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parents[1]

#: README command -> the test (file::function or fixture) that runs it as typed.
WHERE_RUN = {
    "make book": "tests/conftest.py::built_book",
    "make test": ".ci/run",
    "make pdf": "tests/conftest.py::book_pdf",
    "make lab": "tests/test_live.py::test_make_lab_leaves_the_checkout_clean",
    "make lab APP=notebook": (
        "tests/test_live.py::test_notebook_7_opens_a_chapter_as_a_notebook_and_its_slider_redraws"
    ),
    "make course": "tests/test_course.py::course",
    "make student": "tests/test_student.py::students",
    "make course-lab": "tests/test_course.py::lab",
    "make book-student": "tests/test_handouts.py::student_book",
    "make answer-key": "tests/test_handouts.py::answer_key",
    "make bench": "tests/test_commands.py::test_make_bench_quick_runs_every_benchmark",
    "make bench QUICK=1": "tests/test_commands.py::test_make_bench_quick_runs_every_benchmark",
    "make format": "tests/test_commands.py::test_make_format_changes_nothing_on_a_clean_tree",
    "make chapters-format": (
        "tests/test_commands.py::test_make_chapters_format_changes_nothing_on_a_clean_tree"
    ),
    "make publish": "tests/test_commands.py::test_make_publish_pushes_the_book_to_gh_pages",
}


def readme_commands() -> set[str]:
    """The ``make`` commands the README shows: in code blocks and in inline code."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    inline = re.findall(r"`(make [^`]+)`", text)
    return {c for c in [*lines, *inline] if c.startswith("make ")}


def test_every_readme_command_is_run_by_a_test():
    assert readme_commands() == set(WHERE_RUN), readme_commands() ^ set(WHERE_RUN)
    for command, where in WHERE_RUN.items():
        path, _, name = where.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        if name:
            assert re.search(rf"^def {name}\(", source, flags=re.M), (command, where)
        target = command.split()[1]
        assert target in source, f"{where} does not run {command!r}"


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", run, flags=re.M)


def tree_digest() -> dict[str, str]:
    """Content hash of every file git tracks or would track (untracked, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return {
        name: hashlib.sha256((ROOT / name).read_bytes()).hexdigest()
        for name in listed.split("\0")
        if name and (ROOT / name).is_file()
    }


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def test_make_format_changes_nothing_on_a_clean_tree():
    before = tree_digest()
    make("format")
    assert changed(before, tree_digest()) == []


def test_make_chapters_format_changes_nothing_on_a_clean_tree():
    """Every chapter is stored as Jupyter saves it, so the formatter has nothing to do: not
    a byte, nor a modification time (make would build the book again for a newer chapter)."""

    def times() -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in (ROOT / "chapters").glob("*.md")}

    before, modified = tree_digest(), times()
    make("chapters-format")
    assert changed(before, tree_digest()) == []
    assert times() == modified


def git(*args: str, cwd: Path) -> str:
    author = {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", "statbook"), ("EMAIL", "statbook@localhost"))
    }
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env={**os.environ, **author},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_publish_pushes_the_book_to_gh_pages(book_pdf, tmp_path):
    """``make publish`` in a clone whose ``origin`` is a local bare repository standing in
    for GitHub: the built book, its PDF and the chapters' notebooks land on gh-pages."""
    remote, clone = tmp_path / "github.git", tmp_path / "clone"
    git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    git("clone", "--quiet", "--shared", str(ROOT), str(clone), cwd=tmp_path)
    git("remote", "set-url", "origin", str(remote), cwd=clone)
    (clone / "_build").symlink_to(ROOT / "_build", target_is_directory=True)
    # The book and its PDF are built already (the fixture ran `make book` and `make pdf`
    # in this checkout); -o keeps make from building them, or the environment, again.
    result = subprocess.run(
        [
            *("make", f"VENV={VENV}", "-o", f"{VENV}/.installed"),
            *("-o", "_build/html/.built", "-o", "_build/html/statbook.pdf", "publish"),
        ],
        cwd=clone,
        env={**os.environ, "GIT_AUTHOR_NAME": "statbook", "GIT_AUTHOR_EMAIL": "s@localhost"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    published = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split())
    assert {"index.html", "statbook.pdf", ".nojekyll"} <= published
    for chapter in ("likelihood", "multinomial", "regression", "mixtures", "mixed-models"):
        assert f"_sources/chapters/{chapter}.ipynb" in published
        assert f"chapters/{chapter}.html" in published


def test_make_bench_quick_runs_every_benchmark(built_book):
    """``make bench QUICK=1``: every benchmark runs once, briefly, and prints its figures
    with the machine's load."""
    result = make("bench", "QUICK=1")
    scripts = sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))
    ran = re.findall(r"^== benchmarks\.(bench_\w+) \(load average [\d.]+", result.stdout, re.M)
    assert ran == scripts, result.stdout[-3000:]


@pytest.mark.parametrize("target", ["book", "test"])
def test_the_two_commands_check_the_system_packages_first(target):
    """On a machine without Debian's packages, the two commands install them (as root) or
    stop at once naming them: booktools/system-packages runs before anything else."""
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert dry[0].startswith("booktools/system-packages node"), dry[:3]


def test_system_packages_names_what_is_missing_when_not_root(tmp_path):
    """Without root, a missing package stops with one line naming it and the command."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "id").write_text("#!/bin/sh\necho 1000\n")
    (fake_bin / "id").chmod(0o755)
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "booktools" / "system-packages"), "poppler"],
        env={"PATH": f"{fake_bin}:/usr/bin/nonexistent"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Missing system packages: poppler-utils; install them with: "
        "sudo apt-get install -y --no-install-recommends poppler-utils"
    ]
