"""Drive the chapters live, as a reader does: ``make lab`` in a checkout, headless Chromium.

Shared by the live tests (``tests/test_live.py``) and the redraw benchmark
(``benchmarks/bench_live.py``).  The server is started by ``make lab`` itself
(``APP=notebook`` for Jupyter Notebook 7), in a copy of the checkout with a
scratch ``HOME``, so nothing of this machine's Jupyter set-up leaks in and the
copy's ``git status`` tells what Jupyter wrote.  The browser is Debian's
Chromium driven by Playwright.

A notebook is run with JupyterLab's own *Run All* command (the server exposes
the application object to the page for that); sliders are moved with real
mouse input: clicks on a slider's track and drags of its handle.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from booktools.browser import launch

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)
TOKEN = "statbook-live"
GIT_IDENTITY = {
    f"GIT_{who}_{what}": value
    for who in ("AUTHOR", "COMMITTER")
    for what, value in (("NAME", "statbook"), ("EMAIL", "statbook@localhost"))
}
# Explorer views in the page: the VBox around each explorer's image (ipywidgets 8 classes).
EXPLORER = ".jp-OutputArea-output .widget-vbox:has(> .widget-image)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def git(checkout: Path, *args: str) -> str:
    env = {**os.environ, **GIT_IDENTITY}
    done = subprocess.run(
        ["git", *args], cwd=checkout, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def copy_checkout(dest: Path) -> Path:
    """Copy the files git sees in this checkout (tracked and not ignored) into a fresh repo."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "-c", "init.defaultBranch=main", "init", "--quiet")
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "-m", "copy")
    return dest


def user_settings(home: Path, plugin: str, settings: dict) -> None:
    """Write JupyterLab user settings where ``make lab`` keeps them (under XDG_STATE_HOME)."""
    package, name = plugin.split(":")
    path = home / "state" / "statbook" / "jupyter" / "user-settings" / package
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}.jupyterlab-settings").write_text(json.dumps(settings))


def reader_env(home: Path) -> dict[str, str]:
    """This environment without any Jupyter configuration of this machine's user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MAKE", "MFLAGS"))}
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"))
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env['PATH']}"
    return env


@contextlib.contextmanager
def make_lab(checkout: Path, home: Path, *, app: str = "lab", target: str = "lab", variables=()):
    """Run ``make lab`` (``APP=notebook`` for Notebook 7) in ``checkout``; yield its base URL.

    ``target="course-lab"`` runs ``make course-lab`` instead (JupyterLab on the
    graded course), and ``variables`` are more ``NAME=value`` arguments of make
    (``COURSE_DIR=...``).  The server listens on 127.0.0.1 on a free port with a
    fixed token, and exposes the application object to the page
    (``window.jupyterapp``).
    """
    port = free_port()
    expose = "LabApp" if app == "lab" else "JupyterNotebookApp"
    lab_args = (
        f"--no-browser --allow-root --port={port} --ServerApp.ip=127.0.0.1 "
        f"--IdentityProvider.token={TOKEN} --{expose}.expose_app_in_browser=True"
    )
    log = (home / f"{app}.log").open("w")
    server = subprocess.Popen(
        [
            *("make", "--no-print-directory", "-o", str(VENV / ".installed")),
            *(f"VENV={VENV}", f"APP={app}", f"LAB_ARGS={lab_args}", *variables, target),
        ],
        cwd=checkout,
        env=reader_env(home),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"make {target} did not start: {log.name}") from None
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


KERNEL_IDLE_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && panel.content.widgets.length > 0;
}"""
ALL_RUN_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const kernel = panel.sessionContext.session.kernel;
  return kernel.status === 'idle' && cells.every(c => c.model.executionCount !== null);
}"""


def open_notebook(browser, base: str, name: str, *, app: str = "lab", viewport=(1400, 1000)):
    """A new page with chapter ``name`` open as a notebook and its kernel idle."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    # JupyterLab: a workspace of its own per page, so that pages do not restore each other's
    # open notebooks (the current notebook is the one asked for)
    workspace = "".join(c if c.isalnum() else "-" for c in name)
    path = f"lab/workspaces/{workspace}/tree/{name}" if app == "lab" else f"notebooks/{name}"
    page.goto(f"{base}/{path}?token={TOKEN}")
    page.wait_for_function(KERNEL_IDLE_JS, timeout=120_000)
    return page


def run_all(page, *, timeout_s: float = 600) -> None:
    """Run every cell with the notebook's *Run All* command and wait until all have run."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(ALL_RUN_JS, timeout=timeout_s * 1000, polling=250)


# The open notebook holds nothing unsaved (a save, or an autosave, has written it).
SAVED_JS = "() => !window.jupyterapp.shell.currentWidget.context.model.dirty"


def save(page) -> None:
    """Save the notebook with the *Save* command, as Ctrl+S does, and wait for the write."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(SAVED_JS, timeout=60_000)


# In the page: record when each explorer image shows a new frame (the image has loaded).
WATCH_JS = """(root) => {
  root.__frames = [];
  root.__inputs = [];
  if (root.__watching) return;
  root.__watching = true;
  const img = root.querySelector('.widget-image');
  let last = img.src;
  new MutationObserver(() => {
    const src = img.src;
    if (src === last) return;  // the same image set again is not a new frame
    last = src;
    const arrived = performance.now();  // the frame reached the page (then it is decoded)
    img.decode().then(() => root.__frames.push({t: performance.now(), arrived, src}), () => {});
  }).observe(img, {attributes: true, attributeFilter: ['src']});
  for (const kind of ['keydown', 'pointermove', 'pointerdown', 'pointerup']) {
    root.addEventListener(kind, (e) => root.__inputs.push({t: e.timeStamp, kind}), true);
  }
}"""
FRAMES_JS = "(root) => ({frames: root.__frames, inputs: root.__inputs})"
IMAGE_HASH_JS = """async (root) => {
  const img = root.querySelector('.widget-image');
  const data = await (await fetch(img.src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""
READOUTS_JS = """(root) => Array.from(root.querySelectorAll('.widget-readout'))
  .map(r => r.textContent.trim())"""
GEOMETRY_JS = """(root) => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, width: r.width, height: r.height}; };
  const img = root.querySelector('.widget-image');
  return {
    tracks: Array.from(root.querySelectorAll('.slider-container')).map(box),
    readouts: Array.from(root.querySelectorAll('.widget-readout')).map(box),
    image: {...box(img), naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight},
    text: root.textContent,
  };
}"""


def explorers(page) -> list:
    """The live explorer views of the open notebook, in page order."""
    return page.locator(EXPLORER).element_handles()


# Scroll the n-th cell that shows a widget into the middle of the notebook (which renders it
# if the notebook only renders the cells in view) and return its explorer view.
EXPLORER_JS = """async (n) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const notebook = panel.content;
  const shows = (cell) => cell.model.type === 'code' && cell.model.outputs.toJSON().some(
    (o) => o.data && 'application/vnd.jupyter.widget-view+json' in o.data);
  const index = notebook.widgets.map((c, i) => shows(c) ? i : -1).filter(i => i >= 0)[n];
  await notebook.scrollToItem(index, 'center');
  await new Promise((resolve) => setTimeout(resolve, 300));
  return notebook.widgets[index].node.querySelector('.widget-vbox:has(> .widget-image)');
}"""


def explorer(page, n: int):
    """The view of the notebook's ``n``-th explorer, scrolled into view and rendered."""
    page.bring_to_front()  # input goes to the page in front, as to a reader's window
    root = page.evaluate_handle(EXPLORER_JS, n).as_element()
    if root is None:
        raise LookupError(f"no explorer view number {n} in the notebook")
    root.scroll_into_view_if_needed()
    return root


def wait_until_settled(page, root, *, quiet_ms: int = 1500, timeout_s: float = 60) -> None:
    """Wait until the kernel is idle and no new frame arrived for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        count = len(page.evaluate(FRAMES_JS, root)["frames"])
        page.wait_for_timeout(quiet_ms)
        if page.evaluate(KERNEL_IDLE_JS) and len(page.evaluate(FRAMES_JS, root)["frames"]) == count:
            return
    raise TimeoutError("the explorer kept redrawing")


def kernel_frames(page) -> list[dict]:
    """Ask the kernel, for each explorer it displayed: the hash of the image it last sent,
    of a fresh render at the sliders' current values, and those values' labels."""
    code = (
        "import hashlib as _h, json as _j\n"
        "from statbook.widgets import Explorer as _E\n"
        "print(_j.dumps([{'sent': _h.sha256(bytes(_o.image.value)).hexdigest(),"
        " 'fresh': _h.sha256(_o.render(**{_n: _c.value for _n, _c in _o.controls.items()}))"
        ".hexdigest(), 'labels': [_c.label for _c in _o.controls.values()],"
        " 'redraws': _o.redraws, 'full_draws': _o.figure.full_draws}"
        " for _o in Out.values() if isinstance(_o, _E)]))\n"
    )
    return json.loads(page.evaluate(EXECUTE_JS, code))


# Run code in the notebook's kernel outside any cell (nothing is added to the notebook).
EXECUTE_JS = """(code) => new Promise((resolve, reject) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') reject(new Error(msg.content.evalue));
  };
  future.done.then(() => resolve(out), reject);
})"""


def _handle(root, index: int):
    return root.query_selector_all(".noUi-handle")[index]


def click_slider(page, root, index: int, at: float) -> None:
    """Click the track of slider ``index`` at the fraction ``at`` of its length: the handle
    jumps there, as when a reader clicks the track."""
    _handle(root, index).scroll_into_view_if_needed()
    track = root.query_selector_all(".slider-container")[index].bounding_box()
    page.mouse.click(track["x"] + at * track["width"], track["y"] + track["height"] / 2)


def slider_position(page, root, index: int) -> tuple[int, int]:
    """(position, last position) of slider ``index``: the handle's aria-valuenow and -valuemax."""
    handle = _handle(root, index)
    now, top = (handle.get_attribute(f"aria-value{k}") for k in ("now", "max"))
    return round(float(now)), round(float(top))


def drag_slider(
    page, root, index: int, *, to: float = 1.0, seconds: float = 2.0, moves: int | None = None
) -> None:
    """Drag slider ``index`` with the mouse to the fraction ``to`` of its track, steadily
    in ``moves`` pointer moves over ``seconds`` (default: one move per 16 ms, as a pointer
    reports them; fewer when each move takes longer to deliver), and release it."""
    _handle(root, index).scroll_into_view_if_needed()
    handle = _handle(root, index).bounding_box()
    track = root.query_selector_all(".slider-container")[index].bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    target = track["x"] + to * track["width"]
    page.mouse.move(x, y)
    page.mouse.down()
    steps = moves or max(1, int(seconds / 0.016))
    start = time.monotonic()
    for k in range(1, steps + 1):
        page.mouse.move(x + (target - x) * k / steps, y)
        pause = start + k * seconds / steps - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    page.mouse.up()


def watch(page, root) -> None:
    """Start recording the explorer's input events and the times its new frames show."""
    page.evaluate(WATCH_JS, root)


def recorded(page, root) -> dict:
    """``{"frames": [{t, arrived, src}], "inputs": [{t, kind}]}`` since :func:`watch` (ms,
    page clock): when each frame arrived in the page and when it showed (decoded)."""
    return page.evaluate(FRAMES_JS, root)


def displayed_hash(page, root) -> str:
    """SHA-256 of the image the explorer shows now."""
    return page.evaluate(IMAGE_HASH_JS, root)


def readouts(page, root) -> list[str]:
    return page.evaluate(READOUTS_JS, root)


def geometry(page, root) -> dict:
    return page.evaluate(GEOMETRY_JS, root)
