"""Weight and speed of the built HTML book's pages, beside the targets of the book.

For every page of ``_toc.yml`` (from ``_build/html``; run ``make book`` first):

* the page's HTML size and the bytes of everything the browser loads for it: on
  opening (above the fold) and after scrolling to the end (every lazy figure in view),
  measured in Debian's Chromium from the files each request reads;
* Lighthouse (npm, ``package.json``) scores against the same Chromium, the page
  served over HTTP on 127.0.0.1 the way GitHub Pages (``make publish``) serves it:
  text compressed with gzip, files cacheable for 10 minutes.  Performance for a
  phone (Lighthouse's default: a mid-range phone on slow 4G, simulated) and a
  desktop, accessibility, best practices.

Then the explorer frames of the book: their bytes as stored (lossless WebP, a
16-colour palette) against the same pixels as a palette PNG, re-encoded in this run.

Targets: HTML <= 1 MB; everything loaded <= 2.5 MB; performance >= 90 desktop and
>= 60 mobile; accessibility 100; best practices 100.  A benchmark prints; it never
fails on a number.  ``--no-lighthouse`` skips the (slow, ~20 s a run) scores;
``--reports DIR`` keeps Lighthouse's reports.  In quick mode (``make bench QUICK=1``)
one page is measured, with Lighthouse for the phone only, and every tenth frame.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import json
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image

from benchmarks._quick import QUICK
from booktools.browser import CHROMIUM, CHROMIUM_FLAGS, launch, toc_pages

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
MB = 1e6
TARGETS = {
    "html": 1.0 * MB,
    "assets": 2.5 * MB,
    "perf_desktop": 90,
    "perf_mobile": 60,
    "a11y": 100,
    "best": 100,
}


def loaded_bytes(browser, page_name: str) -> tuple[int, int]:
    """Bytes of the files the page loads: on opening, and after scrolling to its end."""
    seen: dict[str, int] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def record(request):
        parts = urlsplit(request.url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            seen[request.url] = path.stat().st_size if path.is_file() else 0
        elif parts.scheme == "data":
            seen[request.url] = len(request.url)

    page.on("request", record)
    page.goto((HTML / f"{page_name}.html").as_uri(), wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")  # the formulas' fonts
    page.wait_for_timeout(500)
    at_load = sum(seen.values())
    height = page.evaluate("() => document.documentElement.scrollHeight")
    for y in range(0, height, 600):
        page.evaluate(f"() => window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_timeout(1000)
    context.close()
    return at_load, sum(seen.values())


@contextlib.contextmanager
def serve(folder: Path):
    """An HTTP server for ``folder`` on a free port of 127.0.0.1; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as GitHub Pages serves them: gzip for text, ``max-age=600``."""

    COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        kind = self.guess_type(str(path))
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and gzip_ok and kind.startswith(self.COMPRESSED)):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


def lighthouse(url: str, *, desktop: bool, keep: Path | None = None) -> dict[str, float]:
    """Lighthouse's category scores (0-100) for ``url`` in Debian's Chromium; its whole
    report (opportunities, diagnostics) is copied to ``keep`` when given."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            f"--chrome-path={CHROMIUM}",
            f"--chrome-flags=--headless=new {' '.join(CHROMIUM_FLAGS)}",
            "--only-categories=performance,accessibility,best-practices",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
        ]
        if desktop:
            command.append("--preset=desktop")
        subprocess.run(command, check=True, timeout=300)
        if keep is not None:
            keep.write_bytes(report.read_bytes())
        categories = json.loads(report.read_text())["categories"]
    return {name: round(100 * c["score"]) for name, c in categories.items()}


def frame_formats() -> tuple[int, int, int]:
    """(frames, bytes as stored, bytes as 16-colour palette PNG) of the explorer frames
    (in quick mode of every tenth frame)."""
    frames = sorted((HTML / "_static" / "sbx").glob("*.webp"))[:: 10 if QUICK else 1]
    stored = png = 0
    for frame in frames:
        stored += frame.stat().st_size
        with Image.open(frame) as stored_image:
            image = stored_image.convert("RGB")
        palette = image.quantize(len(image.getcolors(256) or range(256)))
        buffer = io.BytesIO()
        palette.save(buffer, format="png", optimize=True)
        png += len(buffer.getvalue())
    return len(frames), stored, png


def mark(ok: bool) -> str:
    return "ok " if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lighthouse", action="store_true", help="sizes only")
    parser.add_argument(
        "--reports", type=Path, help="keep each Lighthouse report (JSON) in this folder"
    )
    args = parser.parse_args()
    if not (HTML / "index.html").exists() and not any(HTML.glob("chapters/*.html")):
        raise SystemExit(f"{HTML} holds no built book: run `make book` first")
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for name in toc_pages()[:1] if QUICK else toc_pages():
            html = (HTML / f"{name}.html").stat().st_size
            at_load, scrolled = loaded_bytes(browser, name)
            rows.append({"page": name, "html": html, "at_load": at_load, "assets": scrolled})
        browser.close()
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
    if not args.no_lighthouse:
        with serve(HTML) as base:
            for row in rows:
                url, slug = f"{base}/{row['page']}.html", row["page"].replace("/", "-")
                keep = {
                    kind: args.reports / f"{slug}-{kind}.json" if args.reports else None
                    for kind in ("mobile", "desktop")
                }
                runs = [lighthouse(url, desktop=False, keep=keep["mobile"])]
                if not QUICK:
                    runs.append(lighthouse(url, desktop=True, keep=keep["desktop"]))
                row |= {
                    "perf_mobile": runs[0]["performance"],
                    "perf_desktop": runs[-1]["performance"] if len(runs) == 2 else None,
                    "a11y": min(run["accessibility"] for run in runs),
                    "best": min(run["best-practices"] for run in runs),
                }

    print(
        f"{'page':<22}{'HTML MB':>9}{'':5}{'loaded MB':>10}{'scrolled MB':>12}{'':5}"
        f"{'perf mob':>9}{'perf desk':>10}{'a11y':>6}{'best':>6}"
    )
    for row in rows:
        line = (
            f"{row['page']:<22}{row['html'] / MB:>9.3f} {mark(row['html'] <= TARGETS['html'])}"
            f"{row['at_load'] / MB:>10.3f}{row['assets'] / MB:>12.3f} "
            f"{mark(row['assets'] <= TARGETS['assets'])}"
        )
        if "a11y" in row:
            scores = ("perf_mobile", "perf_desktop", "a11y", "best")
            ok = all(row[k] >= TARGETS[k] for k in scores if row[k] is not None)
            desktop = "-" if row["perf_desktop"] is None else row["perf_desktop"]
            line += (
                f"{row['perf_mobile']:>9}{desktop:>10}{row['a11y']:>6}{row['best']:>6}  {mark(ok)}"
            )
        print(line)
    print(
        f"targets: HTML <= {TARGETS['html'] / MB:g} MB, scrolled (everything loaded) <= "
        f"{TARGETS['assets'] / MB:g} MB, performance >= {TARGETS['perf_mobile']} mobile / >= "
        f"{TARGETS['perf_desktop']} desktop, accessibility {TARGETS['a11y']}, "
        f"best practices {TARGETS['best']}"
    )
    count, stored, png = frame_formats()
    if count:
        print(
            f"explorer frames{' (every tenth)' if QUICK else ''}: {count}, lossless WebP "
            f"{stored / MB:.3f} MB, same pixels as "
            f"palette PNG {png / MB:.3f} MB (WebP/PNG = {stored / png:.2f})"
        )


if __name__ == "__main__":
    main()
