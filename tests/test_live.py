"""Running the chapters live: JupyterLab and Notebook 7 open the ``.md`` chapters as notebooks.

Set-ups checked against a real JupyterLab server (its settings API, which is
where the front end reads the default viewer of each file type):

* ``make lab`` runs JupyterLab with the project's own configuration
  (``JUPYTER_CONFIG_DIR=.jupyter``);
* Binder runs ``.binder/postBuild`` after installing ``.binder/requirements.txt``;
  here postBuild runs with a scratch ``HOME`` and a stand-in ``pip`` that records
  its arguments, so the test environment is left as it is.

Then the chapters themselves: each is a fixed point of jupytext (saving it as
Jupyter does gives the same bytes), each explorer cell runs on its own in a
fresh kernel, and in headless Chromium (``tests/jupyter_live.py``: ``make lab``
in a copy of the checkout) opening, running and saving a chapter leaves
``git status`` clean, sliders redraw continuously while dragged and end on the
image of their final values, figures are shown at their drawn size with the
sliders in one column, and Notebook 7 opens a chapter as a notebook.  Times
are measured by ``benchmarks/bench_live.py``, never asserted here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jupytext
import nbclient
import nbformat
import pytest

from booktools.chapters import METADATA_FILTER, default_kernelspec, notebook_chapters
from statbook.plotting import smallest_text_px
from statbook.widgets import RESTART_HINT
from tests import jupyter_live as live
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


# --- the chapters are jupytext fixed points ------------------------------------------------

CHAPTERS = [path.name for path in notebook_chapters(ROOT / "chapters")]


def saved_by_jupyter(directory: Path, name: str, kernelspec: dict | None) -> bytes:
    """Open chapter ``name`` in ``directory`` and save it through jupytext's contents manager
    (what JupyterLab and Notebook 7 do), with ``kernelspec`` set as a started kernel sets it."""
    from jupytext import TextFileContentsManager

    manager = TextFileContentsManager(root_dir=str(directory))
    model = manager.get(name)
    if kernelspec is not None:
        model["content"]["metadata"]["kernelspec"] = kernelspec
    manager.save(model, name)
    return (directory / name).read_bytes()


def copy_chapters(tmp_path: Path) -> Path:
    chapters = tmp_path / "chapters"
    shutil.copytree(ROOT / "chapters", chapters)
    return chapters


def test_the_chapters_are_the_notebooks():
    assert {"likelihood.md", "multinomial.md", "regression.md"} <= set(CHAPTERS)
    assert "index.md" not in CHAPTERS  # a plain Markdown page, not a notebook


@pytest.mark.parametrize("name", CHAPTERS)
@pytest.mark.parametrize("kernel", ["no kernel", "default python3 kernel"])
def test_chapter_is_a_jupytext_fixed_point(tmp_path, name, kernel):
    chapters = copy_chapters(tmp_path)
    kernelspec = default_kernelspec() if kernel != "no kernel" else None
    assert saved_by_jupyter(chapters, name, kernelspec) == (ROOT / "chapters" / name).read_bytes()


def test_the_kernelspec_is_that_of_a_default_install():
    assert default_kernelspec() == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    for name in CHAPTERS:
        notebook = jupytext.read(ROOT / "chapters" / name, fmt="md:myst")
        assert notebook.metadata["kernelspec"] == default_kernelspec(), name


def test_a_chapter_off_the_fixed_point_is_caught(tmp_path):
    """The round trip can fail: without the project's filter in the header jupytext adds
    its version, and a caption wrapped by hand is re-wrapped."""
    chapters = copy_chapters(tmp_path)
    text = (chapters / "likelihood.md").read_text()
    setting = f"  notebook_metadata_filter: {METADATA_FILTER}\n"
    assert setting in text and "jupytext_version:" not in text
    (chapters / "likelihood.md").write_text(text.replace(setting, ""))
    assert b"jupytext_version:" in saved_by_jupyter(chapters, "likelihood.md", None)
    chapters = copy_chapters(tmp_path / "again")
    text = (ROOT / "chapters" / "mixtures.md").read_text()
    caption = next(line for line in text.splitlines() if line.startswith("    caption: "))
    short = caption.replace("    caption: ", "    caption: x\n      ", 1)
    (chapters / "mixtures.md").write_text(text.replace(caption, short, 1))
    before = (chapters / "mixtures.md").read_bytes()
    assert saved_by_jupyter(chapters, "mixtures.md", None) != before


# --- every explorer cell runs on its own ------------------------------------------------------

EXPLORER_CALL = re.compile(r"^\w+(\.\w+)?_explorer\(.*\)$")


def explorer_cells() -> list[tuple[str, int]]:
    """(chapter, index of the code cell) of every cell whose last line shows an explorer."""
    found = []
    for name in CHAPTERS:
        notebook = jupytext.read(ROOT / "chapters" / name, fmt="md:myst")
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        for index, cell in enumerate(code):
            last = cell.source.strip().splitlines()[-1] if cell.source.strip() else ""
            if EXPLORER_CALL.match(last):
                found.append((name, index))
    return found


def test_every_explorer_is_found():
    assert len(explorer_cells()) == 8


@pytest.mark.parametrize(("name", "index"), explorer_cells())
def test_explorer_cell_runs_on_its_own_in_a_fresh_kernel(name, index):
    """The page's first code cell (the install cell), then the explorer cell, nothing else."""
    notebook = jupytext.read(ROOT / "chapters" / name, fmt="md:myst")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    notebook.cells = [code[0], code[index]]
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    outputs = notebook.cells[-1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    assert "application/vnd.jupyter.widget-view+json" in outputs[0].data
    nbformat.validate(notebook)


# --- in the browser: JupyterLab started by make lab ----------------------------------------

AUTOSAVE_SECONDS = 1


@pytest.fixture(scope="module")
def browser():
    with live.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser):
    """``make lab`` in a copy of this checkout, as a returning reader runs it (an IPython
    directory already exists, so jupyter_core would migrate), autosaving every second."""
    tmp = tmp_path_factory.mktemp("lab")
    checkout = live.copy_checkout(tmp / "checkout")
    home = tmp / "home"
    (home / ".ipython").mkdir(parents=True)
    live.user_settings(
        home, "@jupyterlab/docmanager-extension:plugin", {"autosaveInterval": AUTOSAVE_SECONDS}
    )
    with live.make_lab(checkout, home) as base:
        yield checkout, base, browser


@pytest.fixture(scope="module")
def ran(lab):
    """``ran(name)``: chapter ``name`` open in JupyterLab with every cell run (cached)."""
    _checkout, base, browser = lab
    pages = {}

    def get(name: str):
        if name not in pages:
            pages[name] = live.open_notebook(browser, base, name)
            live.run_all(pages[name])
        return pages[name]

    get.pages = pages  # a test that restarts a page's kernel takes it out (closed after)
    yield get
    for page in pages.values():
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", CHAPTERS)
def test_opening_running_and_saving_a_chapter_changes_nothing(lab, ran, name):
    checkout, _base, _browser = lab
    page = ran(name)
    # nothing unsaved: the cells' run changed it, so an autosave has written it since
    page.wait_for_function(live.SAVED_JS, timeout=60_000)
    assert live.git(checkout, "status", "--porcelain") == ""
    live.save(page)
    assert live.git(checkout, "status", "--porcelain") == ""


@pytest.mark.parametrize("name", ["index.md", "references.md"])
def test_a_plain_page_is_saved_unchanged_with_a_kernel(tmp_path, name):
    """Plain Markdown pages have no header; jupytext saves them without one."""
    chapters = copy_chapters(tmp_path)
    saved = saved_by_jupyter(chapters, name, default_kernelspec())
    assert saved == (ROOT / "chapters" / name).read_bytes()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["index.md", "references.md"])
def test_opening_a_plain_page_changes_nothing(lab, name):
    checkout, base, browser = lab
    page = browser.new_page()
    page.goto(f"{base}/lab/workspaces/{name.replace('.', '-')}/tree/{name}?token={live.TOKEN}")
    page.locator(".jp-Dialog-button.jp-mod-accept").click()  # the kernel a reader picks
    page.wait_for_function(live.KERNEL_IDLE_JS, timeout=120_000)
    page.wait_for_timeout(3 * AUTOSAVE_SECONDS * 1000)
    page.close()
    assert live.git(checkout, "status", "--porcelain") == ""


def _explorer_ids() -> list[str]:
    return [f"{name}-{index}" for name, index in explorer_cells()]


@pytest.fixture(params=explorer_cells(), ids=_explorer_ids())
def explorer(request, ran):
    """(page, view, n) of the n-th explorer of its run chapter, scrolled into view."""
    name, index = request.param
    page = ran(name)
    ordinal = [i for n, i in explorer_cells() if n == name].index(index)
    return page, live.explorer(page, ordinal), ordinal


@pytest.mark.browser
def test_explorer_redraws_while_dragged_and_ends_on_its_final_values(explorer):
    page, root, ordinal = explorer
    live.watch(page, root)
    live.drag_slider(page, root, 0, to=0.95, seconds=2.0)
    live.wait_until_settled(page, root)
    record = live.recorded(page, root)
    moves = [i["t"] for i in record["inputs"] if i["kind"] == "pointermove"]
    (released,) = [i["t"] for i in record["inputs"] if i["kind"] == "pointerup"]
    # When each frame arrived: on a busy machine a frame that arrived before the release
    # may finish decoding after it.
    frames = [f["arrived"] for f in record["frames"]]
    assert len(moves) > 50
    # continuous: new images arrived while the button was still down ...
    assert sum(1 for t in frames if t < released) >= 2, frames
    # ... coalesced: never a backlog. Once the button is up, at most three frames arrive,
    # however long the drag and whatever the speed of the machine: the one being drawn, one
    # for the newest values the kernel holds, and one for the values the page still holds
    # (ipywidgets sends a widget's next values, merged, once the kernel has taken the last).
    assert sum(1 for t in frames if t > released) <= 3, (released, frames)
    assert len(frames) <= len(moves)
    state = live.kernel_frames(page)[ordinal]
    assert state["labels"] == live.readouts(page, root)  # kernel and page agree on the values
    assert state["sent"] == state["fresh"]  # the kernel's last frame is that of its values
    assert live.displayed_hash(page, root) == state["sent"]  # and it is the one shown


@pytest.mark.browser
def test_a_click_on_the_track_redraws_once(explorer):
    page, root, _ordinal = explorer
    before = live.readouts(page, root)
    live.watch(page, root)
    live.click_slider(page, root, 0, at=0.3)
    live.wait_until_settled(page, root)
    assert live.readouts(page, root) != before
    assert len(live.recorded(page, root)["frames"]) == 1


@pytest.mark.browser
def test_explorer_is_shown_at_its_drawn_size_with_sliders_in_one_column(explorer):
    page, root, _ordinal = explorer
    shape = live.geometry(page, root)
    image = shape["image"]
    assert (image["width"], image["height"]) == (image["naturalWidth"], image["naturalHeight"])
    assert len({(t["left"], t["width"]) for t in shape["tracks"]}) == 1, shape["tracks"]
    assert len({(r["left"], r["width"]) for r in shape["readouts"]}) == 1, shape["readouts"]
    assert RESTART_HINT in shape["text"]  # shown once the kernel is gone


# The figure inside its output area: the image's box, its drawn width, and the output
# area's box (a figure cut off shows its right edge beyond the area, or scrolls inside it).
FIT_JS = """(root) => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right};
  };
  const img = root.querySelector('.widget-image');
  const area = root.closest('.jp-OutputArea-output');
  return {image: box(img), area: box(area), width: img.getBoundingClientRect().width,
          naturalWidth: img.naturalWidth, scrolls: root.scrollWidth > root.clientWidth + 1,
          leftOpen: !window.jupyterapp.shell.leftCollapsed};
}"""
# The explorer of each (chapter, ordinal), by its name in tests/test_widgets.py.
LIVE_EXPLORERS = {
    ("likelihood.md", 0): "vonmises",
    ("likelihood.md", 1): "gaussian",
    ("multinomial.md", 0): "softmax",
    ("multinomial.md", 1): "moths",
    ("regression.md", 0): "regression",
    ("mixtures.md", 0): "label switching",
    ("mixtures.md", 1): "density",
    ("mixed-models.md", 0): "mixed",
}


def test_every_live_explorer_is_named():
    named = {
        (name, [i for n, i in explorer_cells() if n == name].index(index))
        for name, index in explorer_cells()
    }
    assert named == set(LIVE_EXPLORERS)


@pytest.mark.browser
def test_explorer_fits_a_laptops_output_area_with_the_file_browser_open(explorer):
    """At 1280 × 720 with JupyterLab's file browser open (an output area of about 850 px),
    the whole figure is inside its output area, nothing scrolls sideways, and its smallest
    text is 8 px or more on screen (drawn size × shown width ÷ drawn width)."""
    from tests.test_widgets import _explorers

    page, root, ordinal = explorer
    page.set_viewport_size({"width": 1280, "height": 720})
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    page.wait_for_timeout(500)
    root.scroll_into_view_if_needed()
    fit = page.evaluate(FIT_JS, root)
    chapter = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    factory = _explorers()[LIVE_EXPLORERS[(chapter.rsplit("/", 1)[-1], ordinal)]]
    wide = factory()
    wide.render()
    drawn_px = smallest_text_px(wide.figure.figure)
    assert fit["leftOpen"]
    assert fit["area"]["left"] - 1 <= fit["image"]["left"], fit
    assert fit["image"]["right"] <= fit["area"]["right"] + 1, fit
    assert not fit["scrolls"], fit
    assert fit["naturalWidth"] == wide.figure.size[0]
    assert drawn_px * fit["width"] / fit["naturalWidth"] >= 8.0, (drawn_px, fit)


@pytest.mark.browser
def test_make_lab_leaves_the_checkout_clean(tmp_path, browser):
    """A returning reader (an IPython directory exists, so jupyter_core would migrate) opens
    and runs a chapter; once JupyterLab has stopped, nothing in the checkout changed, not
    even ignored files under .jupyter (migration marker, user settings, workspaces)."""
    checkout = live.copy_checkout(tmp_path / "checkout")
    home = tmp_path / "home"
    (home / ".ipython").mkdir(parents=True)
    with live.make_lab(checkout, home) as base:
        page = live.open_notebook(browser, base, "multinomial.md")
        live.run_all(page)
        live.save(page)
        page.close()
    assert live.git(checkout, "status", "--porcelain") == ""
    assert live.git(checkout, "status", "--porcelain", "--ignored", "--", ".jupyter") == ""
    assert (home / "state" / "statbook" / "jupyter" / "workspaces").is_dir()


def test_news_and_update_checks_are_off_in_the_project_settings():
    overrides = json.loads((ROOT / ".jupyter/labconfig/default_setting_overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"checkForUpdates": False, "fetchNews": "false"}


# --- Jupyter Notebook 7 ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory, browser):
    """``make lab APP=notebook`` (Jupyter Notebook 7) in a copy of this checkout, with the
    likelihood chapter open and every cell run: (checkout, page).  Once the server has
    stopped, nothing in the checkout has changed."""
    tmp = tmp_path_factory.mktemp("notebook7")
    checkout = live.copy_checkout(tmp / "checkout")
    home = tmp / "home"
    home.mkdir()
    with live.make_lab(checkout, home, app="notebook") as base:
        page = live.open_notebook(browser, base, "likelihood.md", app="notebook")
        live.run_all(page)
        yield checkout, page
        page.close()
    assert live.git(checkout, "status", "--porcelain") == ""


@pytest.mark.browser
def test_notebook_7_opens_a_chapter_as_a_notebook_and_its_slider_redraws(notebook7):
    checkout, page = notebook7
    code_cells = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".filter(c => c.model.type === 'code').length"
    )
    assert code_cells > 10  # opened as a notebook, not as text
    root = live.explorer(page, 0)
    page.set_viewport_size({"width": 1280, "height": 720})
    fit = page.evaluate(FIT_JS.replace("!window.jupyterapp.shell.leftCollapsed", "true"), root)
    assert fit["area"]["left"] - 1 <= fit["image"]["left"], fit
    assert fit["image"]["right"] <= fit["area"]["right"] + 1 and not fit["scrolls"], fit
    before = live.displayed_hash(page, root)
    live.watch(page, root)
    live.click_slider(page, root, 0, at=0.6)
    live.wait_until_settled(page, root)
    assert len(live.recorded(page, root)["frames"]) == 1
    (state, *_others) = live.kernel_frames(page)
    assert state["sent"] == state["fresh"] == live.displayed_hash(page, root) != before
    assert live.git(checkout, "status", "--porcelain") == ""


# Restart the notebook's kernel as the Kernel menu does, without its confirmation dialog.
RESTART_JS = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
NOTICE = ".sbx-restart"


@pytest.fixture(params=["lab", "notebook"])
def likelihood_page(request):
    """The likelihood chapter run in JupyterLab (this module's, shared with the tests above)
    or in Notebook 7 (``notebook7``); a test that restarts its kernel runs after the others
    that use it (this file's order), and JupyterLab's page is opened and run again if a
    later test asks for it."""
    if request.param == "notebook":
        yield request.getfixturevalue("notebook7")[1]
        return
    ran = request.getfixturevalue("ran")
    yield ran("likelihood.md")
    ran.pages.pop("likelihood.md").close()


@pytest.mark.browser
def test_after_a_kernel_restart_an_old_explorer_says_to_run_its_cell_again(likelihood_page):
    """JupyterLab and Notebook 7: the notice is hidden while the kernel that drew the
    explorer lives; after a restart it shows, and a click on the old slider's track moves
    neither its readout nor the figure."""
    page = likelihood_page
    root = live.explorer(page, 0)
    notice = root.query_selector(NOTICE)
    assert notice is not None and not notice.is_visible()
    live.watch(page, root)
    live.click_slider(page, root, 0, at=0.45)  # where no test above left it
    live.wait_until_settled(page, root)
    assert len(live.recorded(page, root)["frames"]) == 1
    assert not notice.is_visible()  # a live explorer redraws and says nothing
    readouts, image = live.readouts(page, root), live.displayed_hash(page, root)
    page.evaluate(RESTART_JS)
    page.wait_for_function(live.KERNEL_IDLE_JS, timeout=120_000)
    live.click_slider(page, root, 0, at=0.8)
    page.wait_for_timeout(1000)
    assert notice.is_visible()
    assert RESTART_HINT in notice.inner_text()
    assert live.readouts(page, root) == readouts
    assert live.displayed_hash(page, root) == image
