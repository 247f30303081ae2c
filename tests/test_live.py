"""Running the chapters live: JupyterLab opens the ``.md`` chapters as notebooks.

Two set-ups are checked against a real JupyterLab server (its settings API, which
is where the front end reads the default viewer of each file type):

* ``make lab`` runs JupyterLab with the project's own configuration
  (``JUPYTER_CONFIG_DIR=.jupyter``);
* Binder runs ``.binder/postBuild`` after installing ``.binder/requirements.txt``;
  here postBuild runs with a scratch ``HOME`` and a stand-in ``pip`` that records
  its arguments, so the test environment is left as it is.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
AS_NOTEBOOK = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
TOKEN = "statbook-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_viewers(env: dict[str, str]) -> dict[str, str]:
    """Start JupyterLab with ``env`` and read the default viewers it serves to the page."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "jupyter-lab"),
            "--no-browser",
            "--allow-root",  # CI runs as root
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
        ],
        cwd=ROOT / "chapters",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/lab/api/settings/{DOCMANAGER}?token={TOKEN}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    settings = json.load(response)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return settings["schema"]["properties"]["defaultViewers"]["default"]


def clean_env(home: Path) -> dict[str, str]:
    """The environment without any Jupyter configuration of this machine's user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    return {**env, "HOME": str(home), "PATH": f"{BIN}{os.pathsep}{env['PATH']}"}


def test_jupytext_provides_the_notebook_viewer():
    listed = subprocess.run(
        [str(BIN / "jupyter-labextension"), "list"], capture_output=True, text=True, check=True
    )
    extensions = listed.stdout + listed.stderr
    assert "jupyterlab-jupytext" in extensions
    line = next(line for line in extensions.splitlines() if "jupyterlab-jupytext" in line)
    assert "enabled" in line and "OK" in line


def test_without_the_project_config_markdown_opens_as_text(tmp_path):
    """The default the set-ups below change (and proof that the check can fail)."""
    assert default_viewers(clean_env(tmp_path)) != AS_NOTEBOOK


def test_make_lab_opens_the_chapters_as_notebooks(tmp_path):
    env = {**clean_env(tmp_path), "JUPYTER_CONFIG_DIR": str(ROOT / ".jupyter")}
    assert default_viewers(env) == AS_NOTEBOOK


def test_binder_requirements_are_the_project_requirements():
    lines = (ROOT / ".binder" / "requirements.txt").read_text().splitlines()
    included = [line.split(maxsplit=1)[1] for line in lines if line.startswith("-r ")]
    assert [(ROOT / ".binder" / path).resolve() for path in included] == [ROOT / "requirements.txt"]


def test_binder_post_build_installs_statbook_and_opens_chapters_as_notebooks(tmp_path):
    home, stand_in = tmp_path / "home", tmp_path / "bin"
    home.mkdir()
    stand_in.mkdir()
    calls = tmp_path / "pip-calls"
    pip = stand_in / "pip"
    pip.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    pip.chmod(0o755)
    env = clean_env(home)
    env["PATH"] = f"{stand_in}{os.pathsep}{env['PATH']}"
    checkout = tmp_path / "repo"  # repo2docker runs postBuild from the repository root
    shutil.copytree(ROOT / ".binder", checkout / ".binder")
    shutil.copytree(ROOT / ".jupyter" / "labconfig", checkout / ".jupyter" / "labconfig")
    subprocess.run(["bash", ".binder/postBuild"], cwd=checkout, env=env, check=True)
    assert calls.read_text().split() == ["install", "--no-deps", "-e", "."]
    assert default_viewers(clean_env(home)) == AS_NOTEBOOK
