"""The teacher's page, run as a teacher runs it: its block of commands, as text, in a shell.

Its own module (not test_course.py), so that the suite's two processes run it beside the
course's autograding rather than after it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from tests import jupyter_live as live
from tests.conftest import ROOT


def page_commands() -> list[str]:
    """The lines of the teacher's block of commands, comments and all."""
    page = (ROOT / "chapters" / "teacher.md").read_text(encoding="utf-8")
    after = page.split("A graded assignment is six commands", 1)[1]
    return re.search(r"```bash\n(.*?)```", after, flags=re.S)[1].splitlines()


#: Waits until formgrader answers on $PORT (the teacher opens it), then returns.
ANSWERED = """
import http.cookiejar, sys, time, urllib.request
url = "http://127.0.0.1:%s/formgrader?token=%s" % (sys.argv[1], sys.argv[2])
cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())  # the login's
opener = urllib.request.build_opener(cookies)
deadline = time.monotonic() + 120
while True:
    try:
        with opener.open(url, timeout=5) as page:
            assert b"nbgrader" in page.read().lower()
            break
    except OSError:
        assert time.monotonic() < deadline, "formgrader did not answer"
        time.sleep(0.3)
"""


def a_terminals_ctrl_c() -> None:
    """Ctrl-C does what it does in the teacher's terminal: it stops the program.  A shell
    that starts the suite in the background (``make test &``) has it ignored, and an
    ignored signal stays ignored in every program started below, the shell's ``set -m``
    notwithstanding: formgrader's server would never stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_teacher_page_commands_run_as_written(tmp_path):
    """The page's commands, as text, in one shell in a fresh copy of the checkout (its
    .venv the project's): the comment where the teacher collects the submissions becomes
    a hand-in, and formgrader's server, once it answers, gets the teacher's Ctrl-C (SIGINT
    to its process group, as a terminal sends it)."""
    checkout = live.copy_checkout(tmp_path / "checkout")
    (checkout / ".venv").symlink_to(Path(sys.prefix))
    lines = page_commands()
    hand = next(i for i, line in enumerate(lines) if line.startswith("# hand out"))
    handing_in = (
        f"{sys.executable} -c 'import sys; sys.path.insert(0, {json.dumps(str(ROOT))}); "
        "from pathlib import Path; from tests.test_course import hand_in, LIKELIHOOD; "
        'hand_in(Path("."), "likelihood", "solutions", LIKELIHOOD["solutions"])\''
    )
    lab = next(i for i, line in enumerate(lines) if "course-lab" in line)
    assert "Ctrl-C" in lines[lab]
    port = live.free_port()
    formgrader = [
        lines[lab].split("#")[0].rstrip() + " &",  # the command as typed, in the background
        "lab=$!",
        "trap 'kill -TERM -- \"-$lab\" 2>/dev/null || true' EXIT",  # never left running
        f"{sys.executable} -c {shlex.quote(ANSWERED)} {port} {live.TOKEN}",
        'kill -INT -- "-$lab"',  # Ctrl-C: the whole foreground process group
        'wait "$lab" || [ $? -gt 128 ]',  # ended by the signal
    ]
    before, after = lines[hand + 1 : lab], lines[lab + 1 :]
    script = "\n".join(
        ["set -e", "set -m", *lines[:hand], handing_in, *before, *formgrader, *after]
    )
    home = tmp_path / "home"
    home.mkdir()
    env = live.reader_env(home)
    paths = os.environ["PATH"].split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in paths if not p.startswith(sys.prefix))  # no .venv
    env["LAB_ARGS"] = (
        f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --allow-root "
        f"--IdentityProvider.token={live.TOKEN}"
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=a_terminals_ctrl_c,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with (checkout / "course" / "grades.csv").open(newline="") as handle:
        grades = list(csv.DictReader(handle))
    assert [(row["student_id"], float(row["score"])) for row in grades] == [("solutions", 8.0)]
    assert (checkout / "course" / "feedback" / "solutions" / "likelihood").is_dir()
