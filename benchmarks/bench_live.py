"""Live explorers: how fast a slider redraws, in the kernel and in JupyterLab.

Per explorer, against the targets of the book's live notebooks:

* kernel: one frame drawn by the explorer's kept-alive figure (scene update, blit
  or new background, PNG), while each slider steps through its values one
  position at a time as in a drag.  The peer is drawing each frame on a fresh
  ``Figure``, the way the explorers drew before; both are timed in this run.
* partial redraw: along the same drag, how often a new layout is made by redrawing
  only the axes whose limits changed (``LiveFigure``'s partial redraw), and what such
  a frame costs against the same frame when the whole background is drawn anew (a
  ``LiveFigure`` with partial redraw turned off, following the same path).
* browser: ``make lab`` (as ``tests/test_live.py`` starts it, in a copy of the
  checkout), each chapter opened in headless Chromium and run, then every slider
  of every explorer moved:
  - *click latency*: a click on the slider's track (the handle jumps there) to
    the new image decoded in the page;
  - *drag*: the handle dragged steadily to one end of its track and then to the
    other, fast enough that the value changes 20 times a second (a pointer move
    every 16 ms), more often than a frame can be drawn, so the rate measures
    what the explorer sustains, not how many positions the slider has;
    *redraws/s* is the number of new images while the button was down per
    second, *offered/s* the number of new slider positions the drag passed per
    second (redraws cannot outnumber them), *drag latency* for each new image
    the time since the first pointer move after the previous image.

Targets: click latency median ≤ 100 ms and 95th percentile ≤ 250 ms, ≥ 8 redraws
per second while dragging, kernel draw median ≤ 50 ms.  Run with
``python -m benchmarks.bench_live`` from the repository root (``make bench`` runs it
too); ``--kernel-only`` skips the browser; quick mode measures one explorer in the kernel.  Times
depend on the machine and its load; nothing fails on them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._quick import QUICK, repeats
from statbook.livefigure import LiveFigure
from tests import jupyter_live as live
from tests.test_live import explorer_cells

TARGETS = {"median": 100.0, "p95": 250.0, "rate": 8.0, "kernel": 50.0}
STEPS = 6  # clicks per slider, and positions stepped per slider in the kernel
DRAG_CHANGES_PER_S = 20.0  # slider positions crossed per second while dragging


def factories() -> dict[str, object]:
    from statbook.datasets import load_vegetables
    from statbook.explorers import likelihood, mixed, mixtures, multinomial, regression

    return {
        "likelihood.md-0 von Mises": likelihood.vonmises_explorer,
        "likelihood.md-1 Gaussian": likelihood.gaussian_explorer,
        "multinomial.md-0 softmax": multinomial.softmax_explorer,
        "multinomial.md-1 moths": multinomial.moth_explorer,
        "regression.md-0 simple model": lambda: regression.simple_model_explorer(load_vegetables()),
        "mixtures.md-0 label switching": mixtures.label_switching_explorer,
        "mixtures.md-1 density": mixtures.density_explorer,
        "mixed-models.md-0 random effects": mixed.mixed_explorer,
    }


def drag_paths(explorer) -> list[dict]:
    """Slider values visited when each slider in turn moves STEPS positions up from its
    default (down where the top is near), the others at their defaults."""
    paths = []
    for slider in explorer.sliders:
        start = slider.nearest(slider.values, slider.default)
        stop = start + STEPS if start + STEPS < len(slider.values) else start - STEPS
        indices = np.arange(start, stop, 1 if stop > start else -1)[1:]
        paths += [{**explorer.defaults, slider.name: slider.values[i]} for i in indices]
    return paths


def kernel_times(factory) -> tuple[list[float], list[float]]:
    """Frame times (ms) of the kept-alive figure and of a fresh figure per frame."""
    explorer = factory()
    explorer.render()
    kept, fresh = [], []
    for values in drag_paths(explorer):
        start = time.perf_counter()
        explorer.render(**values)
        kept.append(1e3 * (time.perf_counter() - start))
        start = time.perf_counter()
        LiveFigure(explorer.scene, explorer.layouts["wide"]).png(**values)
        fresh.append(1e3 * (time.perf_counter() - start))
    return kept, fresh


class FullRedrawFigure(LiveFigure):
    """A :class:`LiveFigure` that draws every new layout in full: the peer of partial redraw."""

    def _redraw_changed_axes(self, layout: tuple) -> bool:
        return False


def partial_redraw_times(factory) -> dict[str, list[float] | list[bool]]:
    """Frame times (ms) along the drag paths with partial redraw and with full redraws
    instead, and which frames had their background redrawn in part.

    Both figures follow the whole path, so each has the same kept backgrounds, and draw
    the same pixels (checked); which of the two is timed first alternates from frame to
    frame, so that neither gains from the other having warmed the caches.
    """
    explorer = factory()
    figures = [
        kind(explorer.scene, explorer.layouts["wide"]) for kind in (LiveFigure, FullRedrawFigure)
    ]
    for figure in figures:
        figure.draw(**explorer.defaults)
    kept = figures[0]
    times: dict[str, list] = {"partial": [], "full": [], "fired": []}
    for step, values in enumerate(drag_paths(explorer)):
        before = kept.partial_draws
        frames = {}
        for name in ("partial", "full") if step % 2 == 0 else ("full", "partial"):
            figure = figures[name == "full"]
            start = time.perf_counter()
            frames[name] = figure.draw(**values)
            times[name].append(1e3 * (time.perf_counter() - start))
        if not np.array_equal(frames["partial"], frames["full"]):
            raise AssertionError(f"partial redraw differs from a full redraw at {values}")
        times["fired"].append(kept.partial_draws > before)
    return times


def browser_times(page, root, n_sliders: int) -> dict[str, list[float]]:
    """Step latencies, drag latencies (ms), drag rates and the rates of new slider
    positions the drags offered (1/s) of one explorer view."""
    steps, drags, rates, offered = [], [], [], []
    for index in range(n_sliders):
        for at in np.linspace(0.1, 0.9, STEPS):
            live.watch(page, root)
            live.click_slider(page, root, index, at=at)
            live.wait_until_settled(page, root, quiet_ms=400)
            record = live.recorded(page, root)
            pressed = [i["t"] for i in record["inputs"] if i["kind"] == "pointerdown"]
            if record["frames"] and pressed:  # no frame if the click kept the value
                steps.append(record["frames"][0]["t"] - pressed[0])
        for to in (1.0, 0.0):
            now, top = live.slider_position(page, root, index)
            crossed = abs(round(to * top) - now)
            if crossed < 2:
                continue
            live.watch(page, root)
            # two pointer moves per position: every position is passed, and the pointer
            # keeps pace even where delivering a move takes longer than 16 ms
            live.drag_slider(
                page, root, index, to=to, seconds=crossed / DRAG_CHANGES_PER_S, moves=2 * crossed
            )
            released = page.evaluate("() => performance.now()")
            live.wait_until_settled(page, root, quiet_ms=400)
            record = live.recorded(page, root)
            moves = [i["t"] for i in record["inputs"] if i["kind"] == "pointermove"]
            frames = [f["t"] for f in record["frames"]]
            if not moves:
                continue
            during = [t for t in frames if t <= released]
            rates.append(len(during) / ((released - moves[0]) / 1e3))
            offered.append(crossed / ((released - moves[0]) / 1e3))
            previous = moves[0] - 1e-9
            for t in frames:
                waiting = [m for m in moves if previous < m <= t]
                if waiting:
                    drags.append(t - waiting[0])
                previous = t
    return {"steps": steps, "drags": drags, "rates": rates, "offered": offered}


def mark(value: float, target: float, *, at_least: bool = False) -> str:
    """The value beside its verdict; rates (``at_least``) with one decimal, so that 7.6/s
    does not print as a missed 8."""
    ok = value >= target if at_least else value <= target
    return f"{value:7.{1 if at_least else 0}f}{' ok' if ok else ' !!'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel-only", action="store_true", help="skip the browser")
    parser.add_argument(
        "--chapter", action="append", help="only this chapter (e.g. mixtures.md); repeatable"
    )
    args = parser.parse_args()
    if QUICK:  # one explorer, in the kernel only (the browser part takes minutes)
        args.chapter, args.kernel_only = args.chapter or ["regression.md"], True
    # names are "<chapter>-<ordinal> <explorer>"
    selected = [
        name
        for name in factories()
        if not args.chapter or name.split(" ")[0].rsplit("-", 1)[0] in args.chapter
    ]

    print("Kernel: one frame per slider step (ms); peer = a fresh Figure per frame")
    print(f"{'explorer':34} {'median':>10} {'p95':>7} {'fresh':>7} {'ratio':>6}")
    kernel = {}
    for name, factory in factories().items():
        if name not in selected:
            continue
        kept, fresh = kernel_times(factory)
        kernel[name] = kept
        print(
            f"{name:34} {mark(np.median(kept), TARGETS['kernel'])} "
            f"{np.percentile(kept, 95):7.0f} {np.median(fresh):7.0f} "
            f"{np.median(fresh) / np.median(kept):5.1f}x"
        )

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nPartial redraw along the same drags (load average {load}, {os.cpu_count()} cores):"
        "\nframes whose background was redrawn in part (of all frames); their median ms with"
        "\npartial redraw and with a full redraw instead; the whole drag's ms both ways"
        f" (each frame the fastest of {repeats(3)} runs)"
    )
    print(f"{'explorer':34} {'partial':>7} {'of':>4} {'ms':>7} {'full':>7} {'drag':>7} {'full':>7}")
    for name, factory in factories().items():
        if name not in selected:
            continue
        # each frame's fastest of a few runs, each run on new figures: less noise from load
        runs = [partial_redraw_times(factory) for _ in range(repeats(3))]
        fired = np.array(runs[0]["fired"])
        partial = np.min([run["partial"] for run in runs], axis=0)
        full = np.min([run["full"] for run in runs], axis=0)
        medians = (
            f"{np.median(partial[fired]):7.1f} {np.median(full[fired]):7.1f}"
            if fired.any()
            else f"{'-':>7} {'-':>7}"
        )
        print(
            f"{name:34} {fired.sum():7d} {fired.size:4d} {medians} "
            f"{partial.sum():7.0f} {full.sum():7.0f}"
        )
    if args.kernel_only:
        return 0

    print("\nJupyterLab in headless Chromium (make lab): input to new image (ms), drag rate (1/s)")
    print(
        f"{'explorer':34} {'click med':>10} {'click p95':>10} {'drag med':>9} {'drag p95':>9}"
        f" {'redraws/s':>10} {'offered/s':>10} {'n':>4}"
    )
    names = list(factories())
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        checkout = live.copy_checkout(Path(tmp) / "checkout")
        home = Path(tmp) / "home"
        home.mkdir()
        with live.make_lab(checkout, home) as base, live.chromium() as browser:
            chapters = sorted(
                {c for c, _ in explorer_cells() if any(n.startswith(f"{c}-") for n in selected)}
            )
            for chapter in chapters:
                page = live.open_notebook(browser, base, chapter)
                live.run_all(page)
                for ordinal in range(len(live.explorers(page))):
                    (name,) = [n for n in names if n.startswith(f"{chapter}-{ordinal} ")]
                    root = live.explorer(page, ordinal)
                    n_sliders = len(root.query_selector_all(".noUi-handle"))
                    times = browser_times(page, root, n_sliders)
                    steps, drags, rate = times["steps"], times["drags"], np.mean(times["rates"])
                    print(
                        f"{name:34} {mark(np.median(steps), TARGETS['median'])}"
                        f" {mark(np.percentile(steps, 95), TARGETS['p95'])}"
                        f" {np.median(drags):9.0f} {np.percentile(drags, 95):9.0f}"
                        f" {mark(rate, TARGETS['rate'], at_least=True):>10}"
                        f" {np.mean(times['offered']):10.0f} {len(steps):4d}"
                    )
                page.close()
    print(
        f"\ntargets: click median <= {TARGETS['median']:.0f} ms, p95 <= {TARGETS['p95']:.0f} ms, "
        f">= {TARGETS['rate']:.0f} redraws/s while dragging, "
        f"kernel median <= {TARGETS['kernel']:.0f} ms ('!!' = missed)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
