"""Debian's Chromium as the book's tools, tests and benchmarks start it, and the book's pages.

One place for the browser's path and flags (the PDF printer, the page benchmark, the browser
tests and the live JupyterLab tests all start it) and for the pages of ``_toc.yml`` in order.
The flags keep a headless Chromium, run as root on a machine without a network, from
sandboxing, using a GPU, and reaching out to Google's services.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Debian's package (booktools/system-packages installs it); never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # no requests to Google on a closed network
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright, **options):
    """Headless Chromium through Playwright's sync API, with the flags above."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run booktools/system-packages chromium")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, **options)


def toc_pages(root: Path = ROOT) -> list[str]:
    """The book's pages in the order of ``_toc.yml``: "chapters/index", "chapters/...", ..."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"], *(entry["file"] for entry in toc["chapters"])]
