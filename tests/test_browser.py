"""The built HTML book works offline, from disk, and stays interactive without a kernel.

Every page of ``_toc.yml`` (plus the index and search pages) is opened from
``file://`` in Debian's Chromium, driven headless by Playwright, with every
request to another host aborted and recorded.  Checked per page: no console
errors, nothing requested from another host, every image loaded, math typeset,
figures with captions, alt text and an opaque white background (readable in
dark mode), and every slider of every explorer changes the figure when moved.
Screenshots (light and dark) go to ``_build/screenshots/``.

Without a browser: relative links of the built HTML resolve, no page or style
sheet names a resource on another host, page weights, launch and download
buttons, and the downloadable ``.ipynb`` runs in plain Jupyter.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jupytext
import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from _ext.fontawesome import style_sheet_glyphs
from booktools.browser import launch, toc_pages
from booktools.course import section_chapters
from statbook.widgets import _described as described
from tests.conftest import ROOT
from tests.test_datasets import SHARED

LOCAL_SCHEMES = {"file", "data", "blob", "about"}
EXPLORER_MAX_BYTES = 2_000_000
BOOK_MAX_BYTES = 60_000_000
MIN_CONTRAST = 4.5  # WCAG AA for body text
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
# axe-core from npm (package.json, installed by `npm ci`), injected into each page.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_TARGET_PX = 24  # WCAG 2.5.8 target size
MIN_NON_TEXT_CONTRAST = 3.0  # WCAG 1.4.11: the parts of a control


def notebook_pages() -> list[str]:
    """Pages whose source is a notebook (jupytext header with a kernel), not plain Markdown."""
    return [p for p in toc_pages() if "kernelspec:" in (ROOT / f"{p}.md").read_text()]


SEARCH = "search?q=likelihood"  # the search page with a query, as the search box opens it
PAGES = [*toc_pages(), "genindex", "search", SEARCH]


# --- opening pages in Chromium ------------------------------------------------------------

IMAGES_JS = """async () => {
  const imgs = [...document.images];
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  return imgs.map((img) => {
    const figure = img.closest('figure');
    const caption = figure ? figure.querySelector('figcaption') : null;
    return {
      src: img.currentSrc || img.src,
      naturalWidth: img.naturalWidth,
      alt: img.getAttribute('alt'),
      inArticle: !!img.closest('article'),
      caption: caption ? caption.textContent.trim() : '',
    };
  });
}"""

MATH_JS = r"""() => {
  const root = document.querySelector('article') || document.body;
  const maths = [...root.querySelectorAll('.math')];
  const raw = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style, mjx-container, .highlight')) continue;
    if (/\\\(|\\\[|\$\$/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
  }
  return {
    count: maths.length,
    untypeset: maths.filter((m) => !m.querySelector('mjx-container'))
                    .map((m) => m.textContent.slice(0, 80)),
    errors: [...root.querySelectorAll('mjx-merror')]
              .map((e) => e.getAttribute('data-mjx-error') || e.textContent),
    raw: raw,
    // Formulas come typeset in the page (_ext.static_math): MathJax is not loaded.
    mathjax: [...document.scripts].map((s) => s.src || s.textContent.slice(0, 40))
               .filter((s) => /mathjax/i.test(s))
               .concat(window.MathJax ? ['window.MathJax'] : []),
    unsized: maths.filter((m) => m.querySelector('mjx-container') &&
                              !m.querySelector('mjx-container').getBoundingClientRect().width)
                  .map((m) => m.textContent.slice(0, 80)),
    fonts: [...document.fonts].filter((f) => f.family.startsWith('MJX'))
             .map((f) => ({family: f.family, status: f.status})),
  };
}"""

EXPLORERS_JS = """() => ({
  explorers: [...document.querySelectorAll('figure.statbook-explorer')].map((fig) => ({
    id: fig.id,
    sliders: fig.querySelectorAll('input[type=range]').length,
    caption: (fig.querySelector(':scope > figcaption') || {textContent: ''}).textContent,
    columns: [...fig.querySelectorAll('.sbx-slider')].map((row) => {
      const track = row.querySelector('input').getBoundingClientRect();
      return [track.left, track.right, row.querySelector('output').getBoundingClientRect().left]
        .map(Math.round);
    }),
  })),
  strayRanges: [...document.querySelectorAll('input[type=range]')]
                 .filter((r) => !r.closest('figure.statbook-explorer')).length,
  widgetPlaceholders: document.querySelectorAll(
      '.jupyter-widgets, script[type="application/vnd.jupyter.widget-view+json"]').length,
})"""

# Text size on screen of every figure image and explorer frame of the article (not the print
# panel's): the element that describes the image shown (the <source> of a <picture> whose file
# is the image's currentSrc, else the <img>) carries data-text-px, the drawn size of its
# smallest text, and width, the drawn width (#30); the text shows at data-text-px × displayed
# width ÷ drawn width.  ``others``: the files of the picture's layouts not shown.
FIGURE_TEXT_JS = """async () => {
  const imgs = [...new Set(document.querySelectorAll(
      'article figure img, article .cell_output img'))].filter((i) => !i.closest('.sbx-print'));
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  const files = (element) => [
    ...(element.getAttribute('srcset') || '').split(',').map((c) => c.trim().split(/\\s+/)[0]),
    element.getAttribute('src') || '',
  ].filter((u) => u).map((u) => new URL(u, document.baseURI).href);
  return imgs.map((img) => {
    const picture = img.parentElement.tagName === 'PICTURE' ? img.parentElement : null;
    const sources = picture ? [...picture.querySelectorAll('source')] : [];
    const chosen = sources.find((s) => files(s).includes(img.currentSrc)) || img;
    const number = (name) =>
      chosen.hasAttribute(name) ? parseFloat(chosen.getAttribute(name)) : null;
    return {
      kind: img.closest('figure.statbook-explorer') ? 'explorer' : 'figure',
      src: img.currentSrc,
      textPx: number('data-text-px'),
      width: number('width'),
      shown: img.getBoundingClientRect().width,
      others: [img, ...sources].filter((e) => e !== chosen).flatMap(files)
                .filter((f) => f !== img.currentSrc),
    };
  });
}"""

# Image shown by an explorer once it has decoded (so naturalWidth is meaningful).
SHOWN_JS = """async (fig) => {
  const img = fig.querySelector('img');
  await img.decode().catch(() => null);
  const table = fig.querySelector('table.sbx-table');
  return {src: img.src, naturalWidth: img.naturalWidth,
          outputs: [...fig.querySelectorAll('output')].map((o) => o.textContent),
          table: table ? table.innerText : null};
}"""

# Horizontal overflow: content wider than the window makes the reader scroll sideways.
LAYOUT_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  wide: [...document.querySelectorAll('article *')]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth
                         && !e.closest('pre, .highlight, .table-wrapper, mjx-container'))
          .slice(0, 5).map((e) => e.tagName + '.' + e.className),
})"""

# Folded content (solutions, hidden cells): is the part below each title shown?
FOLDED_JS = """() => [
  ...[...document.querySelectorAll('article .toggle')].map((item) => ({
    id: item.id,
    kind: 'toggle',
    shown: [...item.children].filter((c) => !c.matches('.admonition-title, button'))
             .map((c) => c.getBoundingClientRect().height > 0
                         && getComputedStyle(c).visibility !== 'hidden'),
  })),
  ...[...document.querySelectorAll('article details')].map((item, n) => ({
    id: item.id || `details-${n}`, kind: 'details', shown: [item.open],
  })),
]"""

SEARCH_DONE_JS = """() => {
  const summary = document.querySelector('#search-results .search-summary');
  return summary && summary.innerText.length > 0;
}"""

# Moves one slider the way a script would: set its value and dispatch an input event.
SET_VALUE_JS = """([fig, index, value]) => {
  const input = fig.querySelectorAll('input[type=range]')[index];
  input.value = String(value);
  input.dispatchEvent(new Event('input', {bubbles: true}));
}"""


# WCAG contrast ratio of caption and slider-label text against the background it sits on.
CONTRAST_JS = r"""() => {
  const rgba = (s) => {
    const m = s.match(/[\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const channel = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  const lum = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const texts = document.querySelectorAll('article figcaption, article figcaption *, '
                                          + '.statbook-explorer label, .statbook-explorer output');
  // The permalink "#" after a caption is a hover-only control of the theme.
  return [...texts].filter((el) => !el.closest('.headerlink')).map((el) => {
    const a = lum(rgba(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return {text: el.textContent.trim().slice(0, 50), ratio: Math.round(100 * ratio) / 100};
  });
}"""


# preload: false: axe would fetch the style sheets again by XMLHttpRequest, which a page
# opened from disk may not do (an error in the console); only css-orientation-lock reads them.
AXE_RUN_JS = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, preload: false})
  .then((result) => result.violations.map((v) => ({
    rule: v.id, impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n')[1])
  })))"""

# What a screen reader and a pointer get from each slider.
SLIDERS_JS = """() => [...document.querySelectorAll('figure.statbook-explorer')].flatMap((fig) =>
  [...fig.querySelectorAll('input[type=range]')].map((input) => {
    const box = input.getBoundingClientRect();
    return {
      explorer: fig.id, name: input.getAttribute('aria-label'),
      valuetext: input.getAttribute('aria-valuetext'),
      shown: input.closest('label').querySelector('output').textContent,
      alt: fig.querySelector('img.sbx-frame').alt,
      width: box.width, height: box.height,
    };
  }))"""

# Formulas in the tab order that do not scroll (one that scrolls sideways must be reachable
# by keyboard), and formulas without the hidden MathML that screen readers read.
FORMULA_STOPS_JS = """() => {
  const maths = [...document.querySelectorAll('mjx-container')];
  const scrolls = (e) => {
    const shown = e.querySelector('mjx-math');
    return !!shown && shown.getBoundingClientRect().width > e.clientWidth + 1;
  };
  const stops = [...document.querySelectorAll('mjx-container[tabindex], span.math[tabindex]')]
    .filter((e) => e.tabIndex >= 0);
  return {
    formulas: maths.length,
    scrollingStops: stops.filter(scrolls).length,
    tabStops: stops.filter((e) => !scrolls(e)).map((e) => e.textContent.slice(0, 40)),
    withoutMathml: maths.filter((m) => !m.querySelector('mjx-assistive-mml math')).length,
  };
}"""

# The controls whose focus indicator is checked: header buttons, folds, sliders, and the
# formulas and code blocks that scroll sideways (statbook.js makes them tab stops).
FOCUSABLE = (
    ".article-header-buttons .btn, .header-article-items button, "
    "article .toggle-button, article details > summary, .statbook-explorer input[type=range], "
    'article [tabindex="0"]'
)
RING_SIDE_SHOWN = 0.6  # of each side of a control, at least, marked by its focus ring
RING_BAND = 6  # CSS px each side of a control's edge in which its ring is looked for


class PageReport:
    """What one visit of a page found; the tests assert on it."""

    def __init__(self, page: str):
        self.page = page
        self.errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed_requests: list[str] = []
        self.images: list[dict] = []
        self.math: dict = {}
        self.explorers: dict = {}
        self.slider_moves: list[dict] = []
        self.theme_in_dark_mode = ""
        self.contrast: dict[str, list[dict]] = {}
        self.layout: dict = {}
        self.search_hits = 0
        self.search_fields = 0
        self.folded: list[dict] = []
        self.unfolded: list[dict] = []
        self.screenshots: list[Path] = []
        self.axe: dict[str, list[dict]] = {}
        self.sliders: list[dict] = []
        self.slider_contrast: list[dict] = []
        self.formula_stops: dict = {}
        self.focus_rings: list[dict] = []
        self.figure_text: list[dict] = []
        self.requests: list[str] = []  # every file the page fetched (see shoot_unrecorded)
        self.recording = True


def _sweep_sliders(page, report: PageReport) -> None:
    """Step every slider of every explorer through all its positions with the keyboard.

    Each key press is a real input event; after the sweep, each slider is set back
    to its first value by script (value + ``input`` event), the path the brief names.
    """
    for explorer in report.explorers["explorers"]:
        fig = page.locator(f"#{explorer['id']}")
        handle = fig.element_handle()
        for index in range(explorer["sliders"]):
            slider = fig.locator("input[type=range]").nth(index)
            start = int(slider.input_value())
            top = int(slider.get_attribute("max"))
            slider.focus()
            shown = page.evaluate(SHOWN_JS, handle)
            first = shown
            for key in ["Home"] + ["ArrowRight"] * top:
                before_value = int(slider.input_value())
                page.keyboard.press(key)
                value = int(slider.input_value())
                if value == before_value:  # Home at the left end moves nothing
                    continue
                now = page.evaluate(SHOWN_JS, handle)
                report.slider_moves.append(
                    {
                        "explorer": explorer["id"],
                        "slider": index,
                        "how": key,
                        "value": value,
                        "changed": now["src"] != shown["src"],
                        "label_changed": now["outputs"] != shown["outputs"],
                        "table": now["table"],
                        "naturalWidth": now["naturalWidth"],
                        "src": now["src"],
                    }
                )
                shown = now
            page.evaluate(SET_VALUE_JS, [handle, index, start])
            back = page.evaluate(SHOWN_JS, handle)
            report.slider_moves.append(
                {
                    "explorer": explorer["id"],
                    "slider": index,
                    "how": "script",
                    "value": start,
                    "changed": back["src"] != shown["src"] or start == top,
                    "label_changed": True,
                    "naturalWidth": back["naturalWidth"],
                    "src": back["src"],
                    "back_to_start": back["src"] == first["src"],
                }
            )


def _unfold(page, report: PageReport) -> None:
    """Click every folded solution or dropdown open, as a reader would."""
    report.folded = page.evaluate(FOLDED_JS)
    # Dropdowns first: a folded solution may sit inside one.
    for summary in page.locator("article details > summary").all():
        summary.click()
    for button in page.locator("article .toggle .toggle-button").all():
        button.click()
    page.wait_for_timeout(300)  # togglebutton animates the opening
    report.unfolded = page.evaluate(FOLDED_JS)


def _axe(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (the Makefile's test target does)")
    if not page.evaluate("() => typeof axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN_JS, AXE_TAGS)


def _pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def contrast(a: tuple, b: tuple) -> float:
    """WCAG contrast ratio of two sRGB colours (0-255 channels)."""

    def luminance(rgb):
        c = [v / 255 for v in rgb[:3]]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _slider_contrast(page, report: PageReport) -> None:
    """Colours of each slider's track and thumb against what surrounds it, from pixels."""
    for n, slider in enumerate(page.locator(".statbook-explorer input[type=range]").all()):
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        value, top = int(slider.input_value()), int(slider.get_attribute("max"))
        image = _pixels(slider.screenshot(animations="disabled"))
        w, h = image.size
        around = image.getpixel((1, 1))  # the range's own box is transparent
        # The thumb's centre: a 22 px thumb travels over the width less one thumb.
        thumb_x = round(11 + (w - 22) * value / top)
        thumb = image.getpixel((min(max(thumb_x, 0), w - 1), h // 2))
        # The track, away from the thumb: at the end farther from it.
        track_x = 4 if thumb_x > w / 2 else w - 5
        track = image.getpixel((track_x, h // 2))
        report.slider_contrast.append(
            {
                "slider": n,
                "size": (round(box["width"]), round(box["height"])),
                "thumb": round(contrast(thumb, around), 2),
                "track": round(contrast(track, around), 2),
            }
        )


def _focus_rings(page, report: PageReport) -> None:
    """Each control rendered unfocused and focused: a focus indicator changes pixels around it.

    Tooltips that the theme shows on focus are hidden first, so only the control itself
    and its outline can make the difference.  The controls are element handles, driven by
    one script call each (a locator would find the control again and wait for it to be
    ready at every step, which made this check most of the browser tests' time).
    """
    page.add_style_tag(content=".tooltip { display: none !important; }")
    still = page.add_style_tag(content=NO_MOTION)
    page.keyboard.press("Shift")  # the reader uses the keyboard: :focus-visible applies
    for n, control in enumerate(page.query_selector_all(FOCUSABLE)):
        shown = control.evaluate(SCROLL_INTO_VIEW_IF_SHOWN_JS)
        if not shown:
            continue
        difference, edges, scale = _focus_difference(page, control)
        changed = sum(difference.histogram()[1:])
        report.focus_rings.append(
            {
                "control": f"{n}: {shown['label']}",
                "changed_px": changed,
                "sides": ring_sides(difference, edges, scale),
            }
        )
    page.evaluate(BLUR_JS)
    still.evaluate("(style) => style.remove()")


# While the focus rings are shot: every transition and animation at its end at once, and no
# text caret, so a shot taken right after a control takes the focus shows its ring as it
# stays.  (Set once for the page: Playwright's screenshot options for the same restyle the
# whole page for every shot, which doubled the time of each on a chapter.)
NO_MOTION = (
    "*, *::before, *::after { transition: none !important; animation: none !important;"
    " caret-color: transparent !important; }"
)
# A control the reader can see (rendered, not in a closed dropdown, not visibility: hidden,
# with a box of some size: as Playwright's is_visible) is scrolled into view unless it is in
# view already (centred, as Playwright's scroll_into_view_if_needed), and named by its
# label, title or first 40 characters.
SCROLL_INTO_VIEW_IF_SHOWN_JS = """(control) => {
  const box = control.getBoundingClientRect();
  if (!control.checkVisibility({visibilityProperty: true}) || box.width === 0
      || box.height === 0) {
    return null;
  }
  control.scrollIntoViewIfNeeded(true);
  return {label: control.getAttribute('aria-label') || control.getAttribute('title')
                 || control.innerText.slice(0, 40)};
}"""


# Where a control and the 8 px around it are on the page (CSS px from the document's top),
# the band of the window in which it can be shot (below the sticky article header unless
# the control is in it), whether it is in that band already, and whether it is pinned to
# the window (in a sticky or fixed box: scrolling does not move it).
CONTROL_ON_PAGE_JS = """(control) => {
  const box = control.getBoundingClientRect();
  const header = document.querySelector('.bd-header-article');
  const free = Math.max(header && !header.contains(control)
    ? header.getBoundingClientRect().bottom : 0, 0);
  let pinned = false;
  for (let e = control; e; e = e.parentElement) {
    pinned ||= ['sticky', 'fixed'].includes(getComputedStyle(e).position);
  }
  return {x: box.x, top: box.top + scrollY, width: box.width, height: box.height,
          from: Math.max(Math.floor(box.top + scrollY) - 8, 0),
          to: Math.ceil(box.bottom + scrollY) + 8, free, window: innerHeight, pinned,
          inView: box.top - 8 >= free && box.bottom + 8 <= innerHeight};
}"""
BLUR_JS = "() => document.activeElement && document.activeElement.blur()"


def _focus_difference(page, control) -> tuple[Image.Image, tuple, float]:
    """The pixels that change when ``control`` takes the focus, in and 8 px around its box,
    its edges there (left, top, width, height; CSS px) and device pixels a CSS px.

    The window is scrolled so the whole box and its margin are shot, in window-high parts
    stitched together where the control is taller than the window (a side below the window
    or under the sticky header is not seen, and a screenshot clipped past the window leaves
    it out).  A control pinned to the window is shot where it is, within the window."""
    at = control.evaluate(CONTROL_ON_PAGE_JS)
    left = max(at["x"] - 8, 0)
    width = at["width"] + 16
    if at["pinned"]:
        scroll = page.evaluate("scrollY")
        at["from"] = max(at["top"] - 8, scroll)
        at["to"] = min(at["top"] + at["height"] + 8, scroll + at["window"])
    band = at["window"] - at["free"]
    parts = []
    start = at["from"]
    while start < at["to"]:
        if not (at["inView"] or at["pinned"]):
            page.evaluate(f"() => window.scrollTo(scrollX, {start - at['free']})")
        top = start - page.evaluate("scrollY")
        height = min(at["to"] - start, band, at["window"] - top)
        if height <= 0:
            break
        clip = {"x": left, "y": top, "width": width, "height": height}
        page.evaluate(BLUR_JS)
        before = _pixels(page.screenshot(clip=clip, animations="allow", caret="initial"))
        control.evaluate("(e) => e.focus({preventScroll: true})")
        after = _pixels(page.screenshot(clip=clip, animations="allow", caret="initial"))
        parts.append(ImageChops.difference(before, after).convert("L"))
        start += height
    page.evaluate(BLUR_JS)
    difference = Image.new("L", (parts[0].width, sum(part.height for part in parts)))
    y = 0
    for part in parts:
        difference.paste(part, (0, y))
        y += part.height
    edges = (at["x"] - left, at["top"] - at["from"], at["width"], at["height"])
    return difference, edges, difference.width / width


def ring_sides(difference: Image.Image, edges: tuple, scale: float) -> dict[str, float]:
    """For each side of a control, the share of its length along which pixels changed when
    it took the focus, within RING_BAND CSS px of that edge (inside or out): 1 for a ring all
    along it.  ``edges`` are the control's left, top, width and height in the screenshot
    (CSS px), ``scale`` device pixels a CSS px.  A side cut off by the screenshot (the
    control at the window's edge) counts as shown."""
    x, y, w, h = (round(v * scale) for v in edges)
    band = round(RING_BAND * scale)
    pixels = difference.load()
    width, height = difference.size

    def shown(points) -> float:
        lines = [[(i, j) for i, j in line if 0 <= i < width and 0 <= j < height] for line in points]
        if not any(lines):
            return 1.0
        return sum(any(pixels[p] > 0 for p in line) for line in lines) / len(lines)

    def across(a: int) -> range:
        return range(a - band, a + band + 1)

    return {
        "left": shown([[(i, j) for i in across(x)] for j in range(y, y + h)]),
        "right": shown([[(i, j) for i in across(x + w - 1)] for j in range(y, y + h)]),
        "top": shown([[(i, j) for j in across(y)] for i in range(x, x + w)]),
        "bottom": shown([[(i, j) for j in across(y + h - 1)] for i in range(x, x + w)]),
    }


def unmarked(rings: list[dict]) -> list[dict]:
    """The controls whose focus does not show: few pixels changed, or a side left unmarked."""
    return [r for r in rings if r["changed_px"] < 100 or min(r["sides"].values()) < RING_SIDE_SHOWN]


# On screen a chapter's sections far from the viewport are not laid out until the reader
# scrolls near them (``content-visibility: auto`` in _static/statbook.css, for the page's
# speed on a phone).  Checks that measure the whole page at once (axe's contrast and
# scrollable-region rules, the sliders' pixels, every formula's box) first lay every
# section out: what they check, the content's colours and geometry, is the same once the
# browser has laid a section out, which it does before the reader sees it.  The two
# animation frames let the formulas' ResizeObserver (statbook.js) mark the wide ones.
# test_anchor_lands_on_its_target checks the page as loaded, sections skipped.
LAY_OUT_EVERY_SECTION_JS = """() => {
  const style = document.createElement('style');
  style.textContent = 'article section { content-visibility: visible !important; }';
  document.head.appendChild(style);
  return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
# statbook.js (watchTabStops) makes each code block or output that scrolls a tab stop and
# every other one not (tabindex 0 or -1): the laid-out ones when the browser is first idle
# after loading, the others when their section comes into view (its content-visibility
# state changes).  A section laid out by the style above was not skipped because it came
# into view, so the page may not have done its blocks yet: it does them all again after a
# resize (as when a phone turns), and the focus checks, which go through the page's tab
# stops, wait for that.  (A block in a closed dropdown is not shown, and done when the
# dropdown opens.)
TAB_STOPS_SET_JS = """(scrollable) => [...document.querySelectorAll(
    `#main-content :is(${scrollable})`)]
  .every((block) => block.hasAttribute('tabindex') || !block.checkVisibility())"""
# Code blocks and outputs as the theme's rule names them (statbook.js: SCROLLABLE).
SCROLLABLE = (
    "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, "
    ".pst-scrollable-table-container"
)


def lay_out_every_section(page) -> None:
    """Lay out every section of the page now (see LAY_OUT_EVERY_SECTION_JS), and wait for
    the page to make the code blocks that scroll tab stops (TAB_STOPS_SET_JS)."""
    page.evaluate(LAY_OUT_EVERY_SECTION_JS)
    if not page.evaluate(TAB_STOPS_SET_JS, SCROLLABLE):
        page.evaluate("() => window.dispatchEvent(new Event('resize'))")
        page.wait_for_function(TAB_STOPS_SET_JS, arg=SCROLLABLE)


def shoot(page, path: Path) -> None:
    """Full-page screenshot once layout has settled (transitions finished, scrolled to the top)."""
    page.evaluate(
        "() => { window.scrollTo(0, 0); return new Promise((done) =>"
        " requestAnimationFrame(() => requestAnimationFrame(done))); }"
    )
    page.screenshot(path=str(path), full_page=True, animations="disabled")


def shoot_unrecorded(page, path: Path, report) -> None:
    """:func:`shoot`, the files fetched meanwhile left out of ``report.requests``: a full-page
    screenshot resizes the page for a moment, and a <picture> fetches the source for that
    size (a phone layout at 1280 px), which no reader's browser does."""
    report.recording = False
    try:
        shoot(page, path)
    finally:
        report.recording = True


# Search fields shown around the page (not the search page's own form, in .bd-main).
SEARCH_FIELDS_JS = """() => [...document.querySelectorAll('.search-button-field, .bd-search')]
  .filter((e) => e.getClientRects().length > 0 && !e.closest('.bd-main'))
  .length"""


def offline(report) -> Callable:
    """A route handler: files of the book load and are recorded in ``report.requests``
    (while ``report.recording``); anything from another host is refused and listed in
    ``report.foreign_requests``."""

    def route(route):
        if urlsplit(route.request.url).scheme in LOCAL_SCHEMES:
            if report.recording:
                report.requests.append(route.request.url)
            route.continue_()
        else:
            report.foreign_requests.append(route.request.url)
            route.abort()

    return route


def visit(browser, html_root: Path, page_name: str, shots: Path) -> PageReport:
    report = PageReport(page_name)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")

    context.route("**/*", offline(report))
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            report.errors.append(f"console.error: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda err: report.errors.append(f"uncaught: {err}"))
    page.on(
        "requestfailed",
        lambda req: report.failed_requests.append(f"{req.url[:200]}: {req.failure}"),
    )
    try:
        path, _, query = page_name.partition("?")
        url = (html_root / f"{path}.html").as_uri() + (f"?{query}" if query else "")
        page.goto(url, wait_until="load")
        if query:
            page.wait_for_function(SEARCH_DONE_JS)
            report.search_hits = page.evaluate(
                "() => document.querySelectorAll('#search-results ul.search li').length"
            )
        page.evaluate("() => document.fonts.ready.then(() => true)")
        lay_out_every_section(page)
        report.images = page.evaluate(IMAGES_JS)
        report.figure_text = page.evaluate(FIGURE_TEXT_JS)
        report.math = page.evaluate(MATH_JS)
        report.explorers = page.evaluate(EXPLORERS_JS)

        name = re.sub(r"[^\w.-]+", "__", page_name)
        light, dark = shots / f"{name}.png", shots / "dark" / f"{name}.png"
        report.layout = page.evaluate(LAYOUT_JS)
        report.search_fields = page.evaluate(SEARCH_FIELDS_JS)
        shoot_unrecorded(page, light, report)
        report.contrast["light"] = page.evaluate(CONTRAST_JS)
        report.axe["light"] = _axe(page)
        report.sliders = page.evaluate(SLIDERS_JS)
        report.formula_stops = page.evaluate(FORMULA_STOPS_JS)
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
        report.theme_in_dark_mode = page.evaluate("() => document.documentElement.dataset.theme")
        shoot_unrecorded(page, dark, report)
        report.contrast["dark"] = page.evaluate(CONTRAST_JS)
        report.axe["dark"] = _axe(page)
        _slider_contrast(page, report)
        _focus_rings(page, report)
        report.screenshots = [light, dark]
        page.emulate_media(color_scheme="light")

        _sweep_sliders(page, report)
        _unfold(page, report)
    finally:
        context.close()
    return report


@pytest.fixture(scope="module")  # closed with this module: test_live drives its own
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


# --- on a phone ---------------------------------------------------------------------------

PHONE = {"width": 375, "height": 812}

PHONE_LAYOUT_JS = """() => {
  const width = document.documentElement.clientWidth;
  const inline = [...document.querySelectorAll('article mjx-container:not([display="true"])')];
  // Cut off: past the edge of an ancestor that hides overflow, before any ancestor that
  // scrolls (a formula in a scrolling table or formula can be scrolled to), or off screen.
  const clipped = inline.filter((m) => {
    const box = (m.querySelector('mjx-math') || m).getBoundingClientRect();
    if (box.width === 0) return false;
    for (let e = m.parentElement; e && e.tagName !== 'ARTICLE'; e = e.parentElement) {
      const overflow = getComputedStyle(e).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return false;
      const edge = e.getBoundingClientRect();
      if (overflow !== 'visible' && (box.right > edge.right + 1 || box.left < edge.left - 1)) {
        return true;
      }
    }
    return box.right > width + 1 || box.left < -1;
  }).map((m) => (m.querySelector('mjx-assistive-mml') || m).textContent.slice(0, 60));
  // Display formulas: the theme makes each one a scroller inside its div.math.
  // (Not those in a closed dropdown, which the reader does not see: measured once it opens.)
  const displays = [...document.querySelectorAll('article div.math mjx-container')].filter(
    (d) => !d.closest('details:not([open])')
           && d.querySelector('mjx-math').getBoundingClientRect().width > d.clientWidth + 1);
  const noCue = displays.filter((d) => {
    const style = getComputedStyle(d);
    return !['auto', 'scroll'].includes(style.overflowX)
           || !(style.maskImage || style.webkitMaskImage).includes('gradient')
           || d.tabIndex !== 0;
  }).map((d) => d.textContent.slice(0, 60));
  const sliders = [...document.querySelectorAll('.statbook-explorer .sbx-slider')].map((row) => {
    const input = row.querySelector('input').getBoundingClientRect();
    const output = row.querySelector('output').getBoundingClientRect();
    return {label: row.textContent.trim().slice(0, 40),
            sameLine: Math.abs((input.top + input.bottom) / 2 - (output.top + output.bottom) / 2)
                      < input.height / 2,
            fits: input.right <= width && output.right <= width,
            explorer: row.closest('figure').id,
            columns: [input.left, input.right, output.left].map(Math.round)};
  });
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
          inline: inline.length, clipped: clipped, wideDisplays: displays.length, noCue: noCue,
          sliders: sliders};
}"""

# The article's figures: is each a button that opens the image at its full size?
ZOOM_JS = """() => [...document.querySelectorAll(
    'article .cell_output img, article figure.statbook-explorer img.sbx-frame')]
  .filter((img) => !img.closest('.sbx-print'))  // the print panel shows on paper only
  .map((img) => ({src: img.src.slice(-60), inButton: !!img.closest('button.sb-zoom')}))"""

FULL_SIZE_JS = """() => {
  const dialog = document.getElementById('sb-zoom-dialog');
  const img = dialog && dialog.querySelector('img');
  return dialog ? {open: dialog.open, shown: img.getBoundingClientRect().width,
                   natural: img.naturalWidth} : null;
}"""


class PhoneReport:
    def __init__(self, page: str):
        self.page = page
        self.layout: dict = {}
        self.layout_unfolded: dict = {}  # with every dropdown and folded cell open
        self.figures: list[dict] = []
        self.full_size: list[dict] = []
        self.errors: list[str] = []
        self.focus_rings: list[dict] = []
        self.figure_text: list[dict] = []
        self.requests: list[str] = []  # every file the page fetched (see shoot_unrecorded)
        self.foreign_requests: list[str] = []  # refused: the book must not need them
        self.recording = True


def visit_phone(browser, html_root: Path, page_name: str, shots: Path) -> PhoneReport:
    """The page on a 375 px wide phone screen (touch, mobile viewport)."""
    report = PhoneReport(page_name)
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )

    context.route("**/*", offline(report))
    page = context.new_page()
    page.on("pageerror", lambda err: report.errors.append(f"uncaught: {err}"))
    try:
        page.goto((html_root / f"{page_name}.html").as_uri(), wait_until="load")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        lay_out_every_section(page)
        report.layout = page.evaluate(PHONE_LAYOUT_JS)
        report.figures = page.evaluate(ZOOM_JS)
        report.figure_text = page.evaluate(FIGURE_TEXT_JS)
        name = re.sub(r"[^\w.-]+", "__", page_name)
        shoot_unrecorded(page, shots / f"{name}.png", report)
        _focus_rings(page, report)
        for button in page.locator("article button.sb-zoom").all():
            button.scroll_into_view_if_needed()
            button.tap()
            page.wait_for_function(
                "() => { const i = document.querySelector('#sb-zoom-dialog img');"
                " return i && i.complete && i.naturalWidth > 0; }"
            )
            report.full_size.append(page.evaluate(FULL_SIZE_JS))
            page.keyboard.press("Escape")
        _unfold(page, report)
        report.layout_unfolded = page.evaluate(PHONE_LAYOUT_JS)
    finally:
        context.close()
    return report


@pytest.fixture(scope="module")
def phone_report(built_book, chromium):
    shots = built_book.parent / "screenshots" / "phone"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    cache: dict[str, PhoneReport] = {}

    def get(name: str) -> PhoneReport:
        if name not in cache:
            cache[name] = visit_phone(chromium, built_book, name, shots)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def page_report(built_book, chromium):
    """``page_report(name)``: the page opened once in Chromium, its findings cached."""
    shots = built_book.parent / "screenshots"
    shutil.rmtree(shots, ignore_errors=True)
    (shots / "dark").mkdir(parents=True)
    cache: dict[str, PageReport] = {}

    def get(name: str) -> PageReport:
        if name not in cache:
            cache[name] = visit(chromium, built_book, name, shots)
        return cache[name]

    return get


def image_bytes(src: str, html_root: Path) -> bytes:
    """The bytes behind an image's ``src`` (a ``data:`` URI or a file of the build)."""
    if src.startswith("data:"):
        header, payload = src.split(",", 1)
        assert header.endswith(";base64"), header[:60]
        return base64.b64decode(payload)
    parts = urlsplit(src)
    assert parts.scheme == "file", src
    path = Path(unquote(parts.path))
    assert path.is_relative_to(html_root), src
    return path.read_bytes()


def background_problems(data: bytes) -> list[str]:
    """Why an image would not stay readable on a dark page: transparency or no white margin."""
    if data.lstrip().startswith((b"<?xml", b"<svg")):
        return [] if b"fill: #ffffff" in data[:4000] else ["SVG without a white background"]
    image = Image.open(io.BytesIO(data))
    problems = []
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        if alpha.getextrema()[0] < 255:
            problems.append("has transparent pixels")
    rgb = image.convert("RGB")
    w, h = rgb.size
    corners = [rgb.getpixel((x, y)) for x in (0, w - 1) for y in (0, h - 1)]
    if any(min(c) < 235 for c in corners):
        problems.append(f"corners are not white: {corners}")
    return problems


# --- per page, in the browser ---------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_console_errors(page_report, page):
    report = page_report(page)
    assert report.errors == []
    assert report.failed_requests == []


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_requests_nothing_from_another_host(page_report, page):
    assert page_report(page).foreign_requests == []


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_solutions_unfold_when_clicked(page_report, page):
    report = page_report(page)
    assert [item["id"] for item in report.folded] == [item["id"] for item in report.unfolded]
    for before, after in zip(report.folded, report.unfolded, strict=True):
        assert not any(before["shown"]), f"{before['id']} is not folded to begin with"
        assert after["shown"] and all(after["shown"]), f"{after['id']} did not unfold"


@pytest.mark.browser
def test_search_finds_pages_offline(page_report):
    # Errors of the search itself (e.g. fetching summaries from disk) fail the console test.
    assert page_report(SEARCH).search_hits >= 1


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_the_window_width(page_report, page):
    layout = page_report(page).layout
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    assert layout["wide"] == [], layout


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_one_search_field(page_report, page):
    """The sidebar's search field, and no second one in a header bar above the page."""
    assert page_report(page).search_fields == 1


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(page_report, page):
    images = page_report(page).images
    broken = [img["src"][:120] for img in images if img["naturalWidth"] == 0]
    assert broken == []


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(page_report, page):
    report = page_report(page)
    assert report.math["untypeset"] == []
    assert report.math["errors"] == []
    assert report.math["raw"] == [], "TeX delimiters left in the text"
    assert report.math["unsized"] == [], "typeset formulas that take no room"
    assert report.math["mathjax"] == [], "the page loads MathJax (formulas come typeset)"
    fonts = report.math["fonts"]
    assert all(font["status"] != "error" for font in fonts), fonts
    if report.math["count"]:
        assert any(font["status"] == "loaded" for font in fonts), fonts


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_figures_have_captions_and_alt_text(page_report, page):
    for img in page_report(page).images:
        if not img["inArticle"]:
            continue
        where = img["src"][:80]
        alt = (img["alt"] or "").strip()
        assert alt, f"image without alt text: {where}"
        # Without alt text Sphinx writes the file name into alt.
        assert not re.search(r"\.(png|jpe?g|svg|gif|webp)$|^\.\./_images/", alt), (
            f"alt text is a file name: {alt}"
        )
        assert img["caption"], f"image without a caption: {where} (alt: {alt[:60]})"


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_figures_stay_readable_in_dark_mode(page_report, built_book, page):
    report = page_report(page)
    assert report.theme_in_dark_mode == "dark"
    assert all(path.stat().st_size > 10_000 for path in report.screenshots), report.screenshots
    shown = {img["src"] for img in report.images if img["inArticle"]}
    shown |= {move["src"] for move in report.slider_moves}
    problems = {
        src[:80]: why for src in shown if (why := background_problems(image_bytes(src, built_book)))
    }
    assert problems == {}


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_captions_and_slider_labels_are_legible_in_both_modes(page_report, page):
    low = {
        mode: [(c["text"], c["ratio"]) for c in found if c["ratio"] < MIN_CONTRAST]
        for mode, found in page_report(page).contrast.items()
    }
    assert low == {"light": [], "dark": []}


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_every_slider_changes_the_figure(page_report, page):
    report = page_report(page)
    found = report.explorers
    assert found["strayRanges"] == 0, "a range input outside an explorer does nothing"
    assert found["widgetPlaceholders"] == 0, "a Jupyter widget view needs a kernel"
    for explorer in found["explorers"]:
        assert explorer["sliders"] >= 1, explorer["id"]
        # The page says the sliders step through a grid and how to get the live version.
        assert re.search(r"grid", explorer["caption"]), explorer["caption"]
        assert re.search(r"live", explorer["caption"]), explorer["caption"]
        moves = [m for m in report.slider_moves if m["explorer"] == explorer["id"]]
        moved = {m["slider"] for m in moves}
        assert moved == set(range(explorer["sliders"])), (explorer["id"], moved)
    for move in report.slider_moves:
        what = {k: v for k, v in move.items() if k != "src"}
        assert move["changed"], f"moving the slider left the figure unchanged: {what}"
        assert move["label_changed"], f"the value label did not follow the slider: {what}"
        assert move["naturalWidth"] > 0, f"the new frame did not load: {what}"
        assert move.get("back_to_start", True), f"back at the start, another figure: {what}"


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_finds_no_wcag_violation(page_report, page, mode):
    """axe-core (WCAG 2.1 A and AA rules) on the whole page, theme included."""
    assert page_report(page).axe[mode] == []


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_sliders_tell_screen_readers_what_they_show(page_report, page):
    """aria-valuetext is the shown value, not the frame index; the alt text names the values;
    the slider is a target of at least 24 x 24 CSS px."""
    report = page_report(page)
    for slider in report.sliders:
        assert slider["valuetext"] == slider["shown"], slider
        assert f"{slider['name']} = {slider['shown']}" in slider["alt"], slider
        assert slider["width"] >= MIN_TARGET_PX and slider["height"] >= MIN_TARGET_PX, slider
    # After the keyboard sweep each slider is back at its start; the moves changed the texts.
    assert all(m["label_changed"] for m in report.slider_moves)


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_slider_thumb_and_track_stand_out_in_dark_mode(page_report, page):
    low = [
        s
        for s in page_report(page).slider_contrast
        if min(s["thumb"], s["track"]) < MIN_NON_TEXT_CONTRAST
    ]
    assert low == []


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_every_control_shows_where_the_keyboard_focus_is(page_report, page):
    """At 1280 px: every control, the formulas and code blocks that scroll sideways included,
    shows a ring along each of its sides when it has the keyboard focus."""
    rings = page_report(page).focus_rings
    assert rings, "no focusable control found"
    # A 3 px outline around even a small button changes well over 100 pixels.
    assert unmarked(rings) == []


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_phone_every_control_shows_where_the_keyboard_focus_is(phone_report, page):
    """At 375 px, where many formulas and tables scroll sideways (formulas fade out at their
    hidden side); a control taller than the window is measured in parts."""
    rings = phone_report(page).focus_rings
    assert rings, "no focusable control found"
    assert unmarked(rings) == []


def test_ring_sides_finds_a_ring_cut_off_at_one_side():
    """A 3 px ring around a 40 × 20 box; then the same with its right side hidden."""
    ring = Image.new("L", (60, 40))
    ring.paste(255, (7, 7, 53, 33))
    ring.paste(0, (10, 10, 50, 30))
    assert min(ring_sides(ring, (10, 10, 40, 20), 1).values()) == 1
    ring.paste(0, (45, 0, 60, 40))
    sides = ring_sides(ring, (10, 10, 40, 20), 1)
    assert sides["right"] == 0 and sides["left"] == 1
    assert unmarked([{"changed_px": 300, "sides": sides}]) != []


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_formulas_are_read_but_not_tab_stops(page_report, page):
    stops = page_report(page).formula_stops
    assert stops["tabStops"] == [], stops
    assert stops["withoutMathml"] == 0, stops


@pytest.mark.browser
def test_mixed_models_fitted_values_are_a_text_table(page_report):
    """The explorer's table of true and fitted values is text that follows the sliders."""
    moves = page_report("chapters/mixed-models").slider_moves
    tables = {m["table"] for m in moves if m["how"] != "script"}
    assert None not in tables
    assert len(tables) >= 4, tables  # different fits for different slider positions
    for table in tables:
        lines = table.splitlines()
        assert lines[0].split() == ["truth", "fit"]
        assert [line.split()[0] for line in lines[1:]] == ["β₀", "|ν|", "σ", "ICC"]
        assert all(re.fullmatch(r"-?\d+\.\d\d", v) for line in lines[1:] for v in line.split()[1:])


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_phone_no_formula_is_cut_off(phone_report, page):
    """At 375 px: every inline formula fits the screen (a wide one scrolls inside itself);
    display equations wider than the column scroll, fade out at the hidden side and are
    tab stops (so the keyboard can scroll them)."""
    report = phone_report(page)
    assert report.errors == []
    for layout in (report.layout, report.layout_unfolded):  # dropdowns closed, then open
        assert layout["scrollWidth"] <= layout["clientWidth"], layout
        assert layout["clipped"] == [], layout["clipped"]
        assert layout["noCue"] == [], layout["noCue"]


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_phone_slider_readouts_stay_on_the_slider_line(phone_report, page):
    for row in phone_report(page).layout["sliders"]:
        assert row["sameLine"] and row["fits"], row


def _misaligned(columns: list[list[int]]) -> list[str]:
    """Which of an explorer's slider columns (track start, track end, readout start) do not
    line up across its sliders."""
    names = ("track start", "track end", "readout start")
    return [
        name for name, at in zip(names, zip(*columns, strict=True), strict=True) if len(set(at)) > 1
    ]


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_sliders_and_readouts_line_up_in_one_column(page_report, phone_report, page):
    explorers = page_report(page).explorers["explorers"]
    for explorer in explorers:
        assert _misaligned(explorer["columns"]) == [], explorer["id"]
    on_phone: dict[str, list] = {}
    for row in phone_report(page).layout["sliders"]:
        on_phone.setdefault(row["explorer"], []).append(row["columns"])
    assert len(on_phone) == len(explorers)
    for explorer, columns in on_phone.items():
        assert _misaligned(columns) == [], explorer


def test_misaligned_names_the_columns_that_do_not_line_up():
    assert _misaligned([[10, 200, 210], [10, 200, 210]]) == []
    assert _misaligned([[10, 200, 210], [40, 200, 215]]) == ["track start", "readout start"]


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
def test_phone_figures_open_at_full_size_when_tapped(phone_report, page):
    """Shrunk to a phone's column a figure's axis labels fall under 8 px; tapped, the figure
    opens at its full size (labels 10 pt at the figure's dpi, 11 px or more)."""
    report = phone_report(page)
    assert [f for f in report.figures if not f["inButton"]] == []
    assert len(report.full_size) == len(report.figures)
    for shown in report.full_size:
        assert shown["open"], shown
        assert abs(shown["shown"] - shown["natural"]) <= 1, shown


MIN_TEXT_PX = 8  # CSS px: the smallest text a figure may show on screen (#30)
# The pages with a chapter figure drawn for each layout (statbook.plotting.figure_layouts).
PAGES_WITH_FIGURES = [
    f"chapters/{name}"
    for name in ("likelihood", "mixed-models", "mixtures", "multinomial", "regression")
]


def file_path(url: str) -> str:
    return unquote(urlsplit(url).path)


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
@pytest.mark.parametrize("width", ["phone", "wide"])
@pytest.mark.parametrize("kind", ["figure", "explorer"])
def test_figure_text_is_8_px_or_more_on_screen(page_report, phone_report, page, width, kind):
    """At 375 px (a phone at 2x) and at 1280 px, every figure and every explorer frame shows
    its smallest text at 8 CSS px or more: ``data-text-px`` × displayed width ÷ ``width``
    of the layout the browser chose (FIGURE_TEXT_JS).  An image that does not say its text
    size fails."""
    report = phone_report(page) if width == "phone" else page_report(page)
    found = [f for f in report.figure_text if f["kind"] == kind]
    assert found or page not in PAGES_WITH_FIGURES  # each such page has both kinds
    unmeasured = [f["src"][-40:] for f in found if f["textPx"] is None or not f["width"]]
    assert unmeasured == [], "images without data-text-px and width"
    small = {
        f["src"][-40:]: round(f["textPx"] * f["shown"] / f["width"], 2)
        for f in found
        if f["textPx"] * f["shown"] / f["width"] < MIN_TEXT_PX
    }
    assert small == {}


@pytest.mark.browser
@pytest.mark.parametrize("page", toc_pages())
@pytest.mark.parametrize("width", ["phone", "wide"])
def test_only_the_shown_layout_is_loaded(page_report, phone_report, page, width):
    """A figure or explorer drawn for several layouts (a <picture>) fetches the file of the
    layout it shows, never that of another (no phone layout at 1280 px, no wide one at
    375 px, no print one on screen), however long the page was used."""
    report = phone_report(page) if width == "phone" else page_report(page)
    fetched = {file_path(url) for url in report.requests}
    shown = {file_path(f["src"]) for f in report.figure_text}
    assert shown <= fetched
    others = {file_path(url) for f in report.figure_text for url in f["others"]}
    assert sorted(Path(name).name for name in (others - shown) & fetched) == []
    if page in PAGES_WITH_FIGURES:
        assert any(f["others"] for f in report.figure_text), "no figure has another layout"


# In-page targets deep in a chapter: its last section, its last labelled equation and its
# last exercise (the ids links and search results jump to).
ANCHOR_TARGETS_JS = """() => {
  // Not inside an exercise or a folded solution: their sections repeat one id
  // (exercise-content, solution-content), and a folded one is hidden.
  const last = (selector) => [...document.querySelectorAll(selector)]
    .filter((e) => !e.parentElement.closest('.admonition, details, .toggle'))
    .map((e) => e.id).pop();
  const article = 'article.bd-article ';
  return [last(article + 'section[id]'), last(article + '[id^="equation-"]'),
          last(article + '.exercise[id]')].filter((id) => id);
}"""

# Where a target sits in the window once the page has opened at it and settled.
ANCHOR_TOP_JS = """(id) => document.fonts.ready.then(() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() =>
    done(document.getElementById(id).getBoundingClientRect().top), 300)))))"""


def _anchor_context(browser, viewport: dict, *, skip: bool):
    """A browser window of ``viewport`` size for the book's files; with ``skip=False``
    statbook.css is served with every section laid out from the start."""
    context = browser.new_context(viewport=viewport)

    def route(route):
        url = urlsplit(route.request.url)  # the style sheet's URL ends in ?v=<digest>
        if url.scheme not in LOCAL_SCHEMES:
            route.abort()
        elif not skip and url.path.endswith("/_static/statbook.css"):
            body = Path(unquote(url.path)).read_text()
            laid_out = "article section { content-visibility: visible !important; }"
            route.fulfill(body=body + laid_out, content_type="text/css")
        else:
            route.continue_()

    context.route("**/*", route)
    return context


def _expected_anchor_tops(browser, url: str, viewport: dict) -> dict:
    """The page's targets (ANCHOR_TARGETS_JS), each with its top in the window when the
    page, every section laid out from the start, goes to ``#id``.  Nothing on such a page
    is laid out late, so going to each target in turn on one page puts it where opening
    the page at it would."""
    context = _anchor_context(browser, viewport, skip=False)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        tops = {}
        for target in page.evaluate(ANCHOR_TARGETS_JS):
            page.evaluate("(id) => { location.hash = id; }", target)
            tops[target] = round(page.evaluate(ANCHOR_TOP_JS, target), 1)
    finally:
        context.close()
    return tops


def _shown_anchor_tops(browser, url: str, ids: list[str], viewport: dict) -> dict:
    """Each target's top in the window when the page, as served, is opened at ``url#id``."""
    context = _anchor_context(browser, viewport, skip=True)
    tops = {}
    try:
        page = context.new_page()
        for target in ids:
            page.goto("about:blank")
            page.goto(f"{url}#{target}", wait_until="load")
            tops[target] = round(page.evaluate(ANCHOR_TOP_JS, target), 1)
    finally:
        context.close()
    return tops


@pytest.mark.browser
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"]
)
@pytest.mark.parametrize("page", [p for p in toc_pages() if p.startswith("chapters/")])
def test_anchor_lands_on_its_target(built_book, chromium, page, viewport):
    """Opened at a target deep in a chapter (#section, #equation-..., #exercise), the page
    shows it where it would if every section were laid out at once: the placeholder height
    of the sections not yet shown (content-visibility: auto) does not move the target."""
    url = (built_book / f"{page}.html").as_uri()
    expected = _expected_anchor_tops(chromium, url, viewport)
    assert expected, "no target found"
    shown = _shown_anchor_tops(chromium, url, list(expected), viewport)
    # A target near the page's end sits lower: the page cannot scroll past its end.
    assert all(0 <= top < viewport["height"] for top in expected.values()), expected
    assert shown == pytest.approx(expected, abs=2)


# The shown code blocks and outputs (SCROLLABLE): whether each scrolls and is a tab stop.
TAB_STOPS_JS = """(scrollable) => [...document.getElementById('main-content')
    .querySelectorAll(scrollable)]
  .filter((b) => b.checkVisibility())
  .map((b) => ({text: b.textContent.trim().slice(0, 50), stop: b.tabIndex,
                scrolls: b.scrollWidth > b.clientWidth || b.scrollHeight > b.clientHeight}))"""

# A screen further down, then two frames for the sections that came into view.
SCROLL_A_SCREEN_JS = """() => { window.scrollBy(0, 0.8 * window.innerHeight);
  return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() =>
    done(window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2))));
}"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"]
)
@pytest.mark.parametrize("page", [f"chapters/{path.stem}" for path in section_chapters()])
def test_code_that_scrolls_is_a_tab_stop(built_book, chromium, page, viewport):
    """Read down to the end, every code block or output wider (or taller) than its box is a
    tab stop, so a keyboard can scroll it, and every one that fits is not: on a phone each
    section is checked when it comes into view (statbook.js, not the theme's own pass)."""
    context = chromium.new_context(viewport=viewport, is_mobile=viewport is PHONE)
    try:
        tab = context.new_page()
        tab.goto((built_book / f"{page}.html").as_uri(), wait_until="load")
        for _ in range(400):
            if tab.evaluate(SCROLL_A_SCREEN_JS):
                break
        blocks = tab.evaluate(TAB_STOPS_JS, SCROLLABLE)
    finally:
        context.close()
    wrong = [b for b in blocks if b["stop"] != (0 if b["scrolls"] else -1)]
    assert blocks and any(b["scrolls"] for b in blocks), blocks
    assert not wrong, wrong


# --- the built HTML, without a browser -------------------------------------------------------


class _Links(HTMLParser):
    """Collects ids and the URLs a page refers to, with the tag and attribute they sit in."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []
        self.link_rels: list[tuple[str, str]] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_inline_script = tag == "script" and not attrs.get("src")
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src", "poster", "data"):
            if attrs.get(key):
                self.refs.append((tag, key, attrs[key]))
        for candidate in (attrs.get("srcset") or "").split(","):  # "url 2x, url 3x"
            if candidate.strip():
                self.refs.append((tag, "srcset", candidate.split()[0]))
        if tag == "link" and attrs.get("href"):
            self.link_rels.append((attrs.get("rel") or "", attrs["href"]))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data):
        if self._in_inline_script:
            self.inline_scripts.append(data)


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def built_pages(html_root: Path) -> list[Path]:
    return sorted(p for p in html_root.rglob("*.html") if "_static" not in p.parts)


HOST_URL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}\b[^\s\"']*")


def is_remote(url: str) -> bool:
    return bool(urlsplit(url).scheme and urlsplit(url).scheme not in LOCAL_SCHEMES) or (
        url.startswith("//")
    )


@pytest.mark.book
def test_internal_links_resolve(built_book, book_pdf):
    """Every relative link of the built book resolves (the book's PDF included: the
    download menu links it)."""
    parsed = {path: parse(path) for path in built_pages(built_book)}
    broken = []
    for path, links in parsed.items():
        for _tag, _attr, url in links.refs:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(built_book)}: {url}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = (parsed.get(target) or parse(target)).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(built_book)}: {url} (no such anchor)")
    assert broken == []


@pytest.mark.book
def test_no_page_or_style_sheet_names_a_resource_on_another_host(built_book):
    remote = []
    for path in built_pages(built_book):
        links = parse(path)
        for tag, attr, url in links.refs:
            if tag != "a" and attr != "href" and is_remote(url):
                remote.append(f"{path.name}: <{tag} {attr}={url}>")
        for rel, url in links.link_rels:
            if is_remote(url):
                remote.append(f"{path.name}: <link rel={rel} href={url}>")
        # Inline scripts could fetch from a CDN later (as sphinx-thebe's configuration would).
        for script in links.inline_scripts:
            remote += [f"{path.name}: <script> {url}" for url in HOST_URL.findall(script)]
    url_pattern = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""")
    for css in (built_book / "_static").rglob("*.css"):
        remote += [f"{css.name}: {url}" for url in url_pattern.findall(css.read_text())]
    assert remote == []


@pytest.mark.book
def test_each_explorer_weighs_at_most_2_mb(built_book):
    # The explorer's figure ends after its scripts (its print panel holds figures too).
    explorer = re.compile(
        r'<figure id="sbx-[^"]*" class="statbook-explorer".*?</script></figure>', re.S
    )
    sizes = {}
    for path in built_pages(built_book):
        for n, match in enumerate(explorer.finditer(path.read_text(encoding="utf-8"))):
            sizes[f"{path.relative_to(built_book)}#{n}"] = len(match.group().encode())
    too_big = {name: size for name, size in sizes.items() if size > EXPLORER_MAX_BYTES}
    assert too_big == {}


# A symbol spelt with an underscore subscript ("θ_k", "N_C", "p_{ij}"): a screen reader
# reads it out as "theta underscore k".  Labels, alt texts, captions and table headers use
# Unicode subscripts (θₖ) or words instead.  A name from the code made of words
# ("std_error", a column of the library's table) is code, read as it is typed.
UNDERSCORE_SUBSCRIPT = re.compile(r"[^\W\d_]_[\w{]")
CODE_NAME = re.compile(r"[^\W\d_]{2,}(?:_[^\W\d_]{2,})+")


def spelt_with_underscore(text: str) -> bool:
    """Whether ``text`` spells a symbol with an underscore subscript (not a code name)."""
    return any(
        UNDERSCORE_SUBSCRIPT.search(word) and not CODE_NAME.fullmatch(word)
        for word in re.findall(r"[\w{}]+", text)
    )


def explorer_texts(explorer) -> list[str]:
    """What a reader hears of an explorer: its slider labels and alt texts, the alt text
    with every slider at its first value (as the frames' alt texts are made)."""
    labels = [s.label for s in explorer.sliders]
    firsts = [s.fmt.format(s.static_grid[0]) for s in explorer.sliders]
    return [*labels, explorer.alt, described(explorer.alt, labels, firsts)]


def test_explorer_labels_and_alt_texts_write_symbols_as_they_are_heard():
    from statbook import datasets
    from statbook.explorers import likelihood, mixed, mixtures, multinomial, regression

    explorers = [
        likelihood.vonmises_explorer(),
        likelihood.gaussian_explorer(),
        mixed.mixed_explorer(),
        mixtures.density_explorer(),
        mixtures.label_switching_explorer(),
        multinomial.moth_explorer(),
        multinomial.softmax_explorer(),
        regression.simple_model_explorer(datasets.load_vegetables(data_dir=SHARED)),
    ]
    texts = [text for explorer in explorers for text in explorer_texts(explorer)]
    assert len(texts) > 30
    assert [t for t in texts if spelt_with_underscore(t)] == []


def test_underscore_subscripts_are_recognised():
    texts = ("θ_k", "dark N_C", "p_{ij}", "x_1", "sample size N", "νZ_i", "p_value", "std_error")
    found = [t for t in texts if spelt_with_underscore(t)]
    assert found == ["θ_k", "dark N_C", "p_{ij}", "x_1", "νZ_i", "p_value"]


@pytest.mark.book
def test_built_labels_and_alt_texts_write_symbols_as_they_are_heard(built_book):
    """Every alt text and slider label of the built explorers, the names and alt text from
    which an explorer's script writes the alt text of each frame it shows, and every alt
    text, aria-label, table header and caption of the pages (tables of outputs included)."""
    texts = []
    for page in toc_pages():
        soup = BeautifulSoup(
            (built_book / f"{page}.html").read_text(encoding="utf-8"), "html.parser"
        )
        for explorer in soup.select("article figure.statbook-explorer"):
            texts += [img["alt"] for img in explorer.select("img[alt]")]
            texts += [tag["aria-label"] for tag in explorer.select("[aria-label]")]
            texts += [label.get_text(" ", strip=True) for label in explorer.select("label")]
        for script in soup.select("article script.sbx-data"):
            data = json.loads(script.string)
            texts += [data["alt"], *data["names"]]
        texts += [img["alt"] for img in soup.select("article img[alt]")]
        texts += [tag["aria-label"] for tag in soup.select("article [aria-label]")]
        headers_and_captions = soup.select("article :is(th, caption, figcaption)")
        texts += [tag.get_text(" ", strip=True) for tag in headers_and_captions]
    assert len(texts) > 30
    assert [t for t in texts if spelt_with_underscore(t)] == []


@pytest.mark.book
def test_icon_fonts_hold_the_glyphs_the_style_sheets_name_and_no_more(built_book):
    """Font Awesome's fonts, cut down by the build: each draws every symbol a style sheet of
    the book names (admonition titles, external links, ...), and weighs a few kB, not 0.3 MB."""
    named = style_sheet_glyphs(built_book / "_static")
    fonts = sorted((built_book / "_static" / "vendor" / "fontawesome" / "webfonts").glob("fa-*"))
    assert named and fonts
    import pydata_sphinx_theme

    package = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    for font in fonts:
        whole = set(
            TTFont(package / "static" / font.relative_to(built_book / "_static")).getBestCmap()
        )
        assert set(TTFont(font).getBestCmap()) == named & whole, font.name
    assert named <= set().union(*(set(TTFont(f).getBestCmap()) for f in fonts))
    assert all(f.stat().st_size < 10_000 for f in fonts), [
        (f.name, f.stat().st_size) for f in fonts
    ]


@pytest.mark.book
def test_whole_book_weighs_at_most_60_mb(built_book):
    sizes = {p: p.stat().st_size for p in built_book.rglob("*") if p.is_file()}
    total = sum(sizes.values())
    largest = sorted(sizes, key=sizes.get, reverse=True)[:10]
    assert total <= BOOK_MAX_BYTES, [
        f"{p.relative_to(built_book)}: {sizes[p] / 1e6:.1f} MB" for p in largest
    ]


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


PAGES_BRANCH = "gh-pages"  # where `make publish` pushes the built book
INSTALL_CELL = re.compile(
    r'if importlib\.util\.find_spec\("statbook"\) is None:\n'
    r'    package = "statbook @ git\+(?P<url>[^"]+)"\n'
    r'    subprocess\.run\(\[sys\.executable, "-m", "pip", "install", "-q", package\], check=True\)'
)


@pytest.mark.book
@pytest.mark.parametrize("page", notebook_pages())
def test_launch_and_download_buttons(built_book, page):
    config = _config()
    repo = urlsplit(config["repository"]["url"]).path.strip("/")
    branch = config["repository"]["branch"]
    hrefs = {url for _t, _a, url in parse(built_book / f"{page}.html").refs}
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{page}.md"
    # Colab reads only .ipynb: the chapter's notebook in the book published on gh-pages.
    colab = (
        f"https://colab.research.google.com/github/{repo}/blob/{PAGES_BRANCH}/_sources/{page}.ipynb"
    )
    assert binder in hrefs
    assert colab in hrefs, sorted(hrefs)
    download = f"../_sources/{page}.ipynb"
    assert download in hrefs
    assert "../statbook.pdf" in hrefs  # the whole book as one PDF (make pdf)
    assert (built_book / "_sources" / f"{page}.ipynb").is_file()


@pytest.mark.book
def test_published_branch_holds_the_notebooks_colab_opens(built_book, tmp_path):
    """`make publish` commits _build/html to gh-pages with ghp-import; do that in a scratch
    repository (no push) and read each Colab button's notebook back from the branch."""
    ghp_import = Path(sys.executable).with_name("ghp-import")
    git = ["git", "-c", "init.defaultBranch=main"]
    author = {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", "statbook"), ("EMAIL", "statbook@localhost"))
    }
    subprocess.run([*git, "init", "--quiet", str(tmp_path)], check=True)
    subprocess.run(
        [str(ghp_import), "--no-jekyll", "--branch", PAGES_BRANCH, str(built_book)],
        cwd=tmp_path,
        check=True,
        env={**os.environ, **author},
    )
    for page in notebook_pages():
        hrefs = {url for _t, _a, url in parse(built_book / f"{page}.html").refs}
        (colab,) = [url for url in hrefs if url.startswith("https://colab.research.google.com/")]
        path = colab.split(f"/blob/{PAGES_BRANCH}/", 1)[1]
        shown = subprocess.run(
            [*git, "show", f"{PAGES_BRANCH}:{path}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        notebook = nbformat.reads(shown.stdout, as_version=4)
        nbformat.validate(notebook)
        first_code = next(c for c in notebook.cells if c.cell_type == "code")
        assert INSTALL_CELL.search(first_code.source), page


@pytest.mark.parametrize("page", notebook_pages())
def test_notebooks_install_statbook_where_it_is_missing(page):
    """The first code cell installs statbook from the book's repository when it is not
    importable (Colab, a downloaded copy); the book hides it."""
    notebook = jupytext.read(ROOT / f"{page}.md", fmt="md:myst")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    match = INSTALL_CELL.search(code[0].source)
    assert match, code[0].source
    assert match["url"] == _config()["repository"]["url"]
    assert code[0].metadata["tags"] == ["remove-cell"]


@pytest.mark.book
@pytest.mark.parametrize("page", notebook_pages())
def test_downloaded_notebook_has_the_code_of_the_source(built_book, page):
    downloaded = nbformat.read(built_book / "_sources" / f"{page}.ipynb", as_version=4)
    nbformat.validate(downloaded)
    source = jupytext.read(ROOT / f"{page}.md", fmt="md:myst")
    assert downloaded.metadata.kernelspec.name == "python3"
    code = [c.source for c in downloaded.cells if c.cell_type == "code"]
    assert code == [c.source for c in source.cells if c.cell_type == "code"]


@pytest.mark.book
def test_downloaded_likelihood_notebook_runs_in_plain_jupyter(built_book, tmp_path, monkeypatch):
    """The reader's copy: outputs cleared, run by a fresh kernel outside the repository."""
    from nbclient import NotebookClient

    notebook = nbformat.read(built_book / "_sources/chapters/likelihood.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    # statbook installed (the project's environment), live Jupyter (not the book build).
    monkeypatch.delenv("STATBOOK_STATIC", raising=False)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    explorers = [
        out for out in outputs if "statbook-explorer" in out.get("data", {}).get("text/html", "")
    ]
    assert explorers, "the likelihood notebook shows no explorer"
    assert all(WIDGET_VIEW_MIME in out["data"] for out in explorers), "no live widget"
