"""The slider Explorer: live redraws, the precomputed static version, and the 6.1 explorers."""

from __future__ import annotations

import base64
import io
import json
import re
import threading

import numpy as np
import PIL.Image
import pytest
from PIL import Image

from statbook._constants import BOOK_BUILD_ENV
from statbook.explorers import likelihood
from statbook.livefigure import Layout, LiveFigure, Scene, png_bytes, snap_up
from statbook.plotting import smallest_text_px
from statbook.widgets import (
    EXPLORER_MIME,
    FRAME_COLORS,
    PHONE_MEDIA,
    RESTART_HINT,
    Explorer,
    Slider,
    picture_html,
    print_frames,
    shown_size,
)
from tests.helpers import assert_survives_slider_extremes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class LineScene(Scene):
    """A line y = slope·x + offset; its title says the slope; the y-axis widens for steep lines."""

    def __init__(self, figure, layout=None):
        super().__init__(figure)
        self.ax = figure.subplots()
        self.x = np.linspace(0, 1, 20)
        self.line = self.live(self.ax.plot([], [])[0])
        self.title = self.live(self.ax.set_title(""))
        self.ax.set_xlim(0, 1)

    def update(self, *, slope, offset):
        if slope > 2.5:
            raise ZeroDivisionError("slope too steep for this test")
        self.line.set_data(self.x, slope * self.x + offset)
        self.title.set_text(f"slope {slope:g}")
        self.ax.set_ylim(-3, 5 if slope < 1.5 else 8)


def line_explorer(**kwargs) -> Explorer:
    return Explorer(
        LineScene,
        [
            Slider("slope", "slope", (-1.0, 0.0, 1.0, 2.0, 3.0), 1.0, (0.0, 1.0, 2.0)),
            Slider("offset", "offset", (-1.0, 0.0, 1.0), 0.0),
        ],
        caption="A line.",
        alt="A straight line.",
        figsize=(3, 2),
        **kwargs,
    )


def test_slider_default_must_be_on_the_grids():
    with pytest.raises(ValueError, match="default 5 is not among"):
        Slider("a", "a", (1, 2, 3), 5)
    with pytest.raises(ValueError, match="default 3 is not among"):
        Slider("a", "a", (1, 2, 3), 3, (1, 2))
    with pytest.raises(ValueError, match="at least two"):
        Slider("a", "a", (1,), 1)


def test_too_many_static_frames_are_refused():
    many = tuple(range(11))
    with pytest.raises(ValueError, match="1331 frames"):
        Explorer(lambda fig, **v: None, [Slider(n, n, many, 0) for n in "abc"], caption="", alt="")


def test_live_widget_redraws_when_a_slider_moves():
    explorer = line_explorer()
    before = bytes(explorer.widget.children[-4].value)
    explorer.set(slope=-1.0, offset=1.0)
    assert explorer.redraws == 2
    assert explorer.last_error is None
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_MAGIC) and after != before


class HeldLineScene(LineScene):
    """The line, whose frames wait for ``go`` once ``hold`` is set: a draw that takes long."""

    hold = threading.Event()
    go = threading.Event()
    entered = threading.Event()

    def update(self, **values):
        if self.hold.is_set():
            self.entered.set()
            assert self.go.wait(30), "the test never let the frame finish"
        super().update(**values)


def test_slider_values_are_taken_at_once_and_only_the_newest_are_drawn():
    """The kernel handles a slider's value without drawing (so the front end sends the next
    at once); values that arrive while a frame is drawn are merged: the next frame is the
    newest values', and no frame is drawn for the values overtaken."""
    HeldLineScene.hold.clear(), HeldLineScene.go.clear(), HeldLineScene.entered.clear()
    explorer = Explorer(HeldLineScene, line_explorer().sliders, caption="", alt="", figsize=(3, 2))
    explorer.widget  # noqa: B018  (builds the view, its first frame drawn at once)
    HeldLineScene.hold.set()
    slope, offset = explorer.controls["slope"], explorer.controls["offset"]
    slope.value = -1.0  # returns while its frame is held
    assert HeldLineScene.entered.wait(30)
    for value in (0.0, 1.0, 2.0):  # arrive while that frame is drawn
        slope.value = value
    offset.value = 1.0
    assert explorer.redraws == 0
    HeldLineScene.hold.clear()
    HeldLineScene.go.set()
    explorer.wait_drawn()
    assert explorer.redraws == 2 and explorer.last_error is None
    fresh = LiveFigure(LineScene, Layout("wide", (3, 2), 80)).png(slope=2.0, offset=1.0)
    assert np.array_equal(_pixels(explorer.image.value), _pixels(fresh))


def test_sliders_update_continuously_in_one_column():
    explorer = line_explorer()
    explorer.widget  # noqa: B018  (builds the view)
    controls = list(explorer.controls.values())
    assert all(control.continuous_update for control in controls)
    assert len({control.style.description_width for control in controls}) == 1
    assert len({control.layout.width for control in controls}) == 1


def test_image_is_shown_at_its_drawn_size_or_shrunk_whole_to_the_output_area():
    explorer = line_explorer()
    explorer.widget  # noqa: B018  (builds the view)
    width, height = 3 * 80, 2 * 80  # figsize × dpi
    assert PIL.Image.open(io.BytesIO(explorer.image.value)).size == (width, height)
    layout = explorer.image.layout
    assert (layout.width, layout.max_width, layout.height) == (f"{width}px", "100%", "auto")


def test_live_view_tells_how_to_recover_after_a_kernel_restart():
    texts = [child.value for child in line_explorer().widget.children if hasattr(child, "value")]
    assert any(RESTART_HINT in str(text) for text in texts)
    assert "run this cell again" in RESTART_HINT


def test_live_frames_are_full_colour_not_a_palette():
    image = PIL.Image.open(io.BytesIO(line_explorer().render()))
    assert image.mode == "RGB"
    quantized = PIL.Image.open(io.BytesIO(line_explorer().render(colors=16)))
    assert quantized.mode == "P"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))


def test_blitted_frames_equal_frames_drawn_from_scratch():
    """After any path of slider moves, the image is the one a fresh figure draws."""
    explorer = line_explorer()
    path = [(-1.0, 0.0), (0.0, 1.0), (2.0, 1.0), (1.0, -1.0), (2.0, 0.0), (0.0, 0.0)]
    for slope, offset in path:
        explorer.set(slope=slope, offset=offset)
        fresh = line_explorer().render(slope=slope, offset=offset)
        assert np.array_equal(_pixels(explorer.image.value), _pixels(fresh)), (slope, offset)


def test_only_a_layout_change_redraws_the_background():
    figure = LiveFigure(LineScene, Layout("wide", (3, 2), 80))
    first = figure.draw(slope=0.0, offset=0.0)
    second = figure.draw(slope=1.0, offset=0.0)  # same axes: blitted
    assert figure.full_draws == 1 and not np.array_equal(first, second)
    figure.draw(slope=2.0, offset=1.0)  # the y-axis widens: the axes is drawn anew
    assert (figure.full_draws, figure.partial_draws) == (1, 1)
    figure.draw(slope=2.0, offset=0.0)
    assert (figure.full_draws, figure.partial_draws) == (1, 1)
    # back to the first layout: its background was kept, nothing is drawn but the line
    assert np.array_equal(figure.draw(slope=0.0, offset=0.0), first)
    assert (figure.full_draws, figure.partial_draws) == (1, 1)


class TwoPanelScene(Scene):
    """Two axes side by side (or, with ``inset``, the second inside the first); each one's
    y-limits follow its own slider."""

    inset = False

    def __init__(self, figure, layout=None):
        super().__init__(figure)
        self.left = figure.add_axes((0.12, 0.15, 0.3, 0.75))
        box = (0.3, 0.5, 0.15, 0.3) if self.inset else (0.65, 0.15, 0.3, 0.75)
        self.right = figure.add_axes(box)
        self.left.set_ylabel("left")
        self.right.set_ylabel("right")
        self.lines = [self.live(ax.plot([0, 1], [0, 0])[0]) for ax in (self.left, self.right)]

    def update(self, *, a, b):
        for ax, line, top in zip((self.left, self.right), self.lines, (a, b), strict=True):
            line.set_ydata([0, top])
            ax.set(xlim=(0, 1), ylim=(0, top))


class InsetScene(TwoPanelScene):
    inset = True


def _fresh(scene, **values):
    return LiveFigure(scene, Layout("wide", (6, 2), 80)).draw(**values)


def test_a_changed_axes_is_redrawn_alone_and_exactly():
    figure = LiveFigure(TwoPanelScene, Layout("wide", (6, 2), 80))
    for a, b in [(1, 1), (100, 1), (100, 0.01), (1, 0.01), (1e4, 5)]:
        assert np.array_equal(figure.draw(a=a, b=b), _fresh(TwoPanelScene, a=a, b=b)), (a, b)
    assert figure.full_draws == 1 and figure.partial_draws == 4


def test_axes_that_overlap_are_drawn_in_full():
    figure = LiveFigure(InsetScene, Layout("wide", (6, 2), 80))
    for a, b in [(1, 1), (100, 1), (1, 1000)]:
        assert np.array_equal(figure.draw(a=a, b=b), _fresh(InsetScene, a=a, b=b)), (a, b)
    assert figure.full_draws == 3 and figure.partial_draws == 0


def test_animated_artists_are_left_out_of_the_background():
    figure = LiveFigure(LineScene, Layout("wide", (3, 2), 80))
    with_line = figure.draw(slope=1.0, offset=0.0)
    figure.canvas.restore_region(figure._background)
    background = np.asarray(figure.canvas.buffer_rgba())[..., :3]
    assert not np.array_equal(with_line, background)
    figure.scene.line.set_visible(False)
    figure.scene.title.set_visible(False)
    assert np.array_equal(figure.draw(slope=1.0, offset=0.0), background)


def test_png_frames_decode_to_the_drawn_pixels():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    image = PIL.Image.open(io.BytesIO(png_bytes(rgb)))
    assert image.mode == "RGB" and image.size == (5, 7)
    assert np.array_equal(np.asarray(image), rgb)


def test_snap_up_gives_round_limits():
    assert [snap_up(v) for v in (0.7, 1.0, 1.2, 2.5, 7.0, 9.0, 130.0)] == [
        0.8,
        1.0,
        1.5,
        3.0,
        8.0,
        10.0,
        150.0,
    ]
    with pytest.raises(ValueError, match="value must be positive"):
        snap_up(0.0)


def test_a_failing_redraw_shows_a_message_instead_of_raising():
    explorer = line_explorer()
    explorer.set(slope=3.0)
    assert explorer.last_error == "ZeroDivisionError: slope too steep for this test"
    assert "Cannot draw at these values" in explorer.message.value
    explorer.set(slope=2.0)
    assert explorer.last_error is None and explorer.message.value == ""


def test_unknown_slider_name_is_an_error():
    with pytest.raises(ValueError, match="no slider named 'tilt'"):
        line_explorer().set(tilt=1.0)


WEBP = re.compile(r"data:image/webp;base64,([A-Za-z0-9+/=]+)")


def test_static_html_holds_one_frame_per_grid_point():
    html = line_explorer().static_html()
    data = json.loads(re.search(r'class="sbx-data">(.*?)</script>', html).group(1))
    assert len(data["frames"]) == 3 * 3
    # The start frame (slope 1, offset 0) is stored once: as the image's src, null in the list.
    start = 1 * 3 + 1
    assert data["frames"][start] is None
    shown = re.search(r'<img class="sbx-frame" src="([^"]+)"', html).group(1)
    frames = [shown if f is None else f for f in data["frames"]]
    decoded = [base64.b64decode(WEBP.fullmatch(f).group(1)) for f in frames]
    assert all(f[:4] == b"RIFF" and f[8:12] == b"WEBP" for f in decoded)
    assert len(set(decoded)) == 9
    assert len(WEBP.findall(html)) == 9 + 4  # no frame twice; the print panel's 4 for paper
    image = Image.open(io.BytesIO(decoded[start]))
    assert image.size == (240, 160) and len(image.convert("RGB").getcolors(256)) <= FRAME_COLORS
    assert html.count('type="range"') == 2
    assert 'alt="A straight line. Shown at slope = 1, offset = 0."' in html
    assert 'loading="lazy"' in html and 'decoding="async"' in html
    assert "<figcaption>A line." in html
    assert "http" not in html  # nothing from another host


def test_sliders_carry_the_shown_value_for_screen_readers():
    html = line_explorer().static_html()
    sliders = re.findall(r'<input type="range"[^>]*>', html)
    assert 'aria-label="slope"' in sliders[0] and 'aria-valuetext="1"' in sliders[0]
    assert 'aria-label="offset"' in sliders[1] and 'aria-valuetext="0"' in sliders[1]


def test_print_panel_labels_each_frame_with_its_values():
    html = line_explorer().static_html()
    panel = re.search(r'<div class="sbx-print"[^>]*>(.*?)</div>', html).group(1)
    frames = re.findall(r'data-sbx-frame="(\d+)"', panel)
    labels = [
        re.sub(r"</?span>", "", label)
        for label in re.findall(r"<figcaption>(.*?)</figcaption>", panel)
    ]
    # start, then slope at both ends, then offset at its low end (four frames at most)
    assert frames == ["4", "1", "7", "3"]
    assert labels == [
        "slope = 1, offset = 0",
        "slope = 0, offset = 0",
        "slope = 2, offset = 0",
        "slope = 1, offset = -1",
    ]
    assert print_frames([3, 3], [1, 1], 10) == [(1, 1), (0, 1), (2, 1), (1, 0), (1, 2)]
    assert print_frames([2], [0], 4) == [(0,), (1,)]


def test_frames_in_png_or_webp_hold_the_same_pixels():
    explorer = line_explorer()
    png = Image.open(io.BytesIO(explorer.render(colors=FRAME_COLORS, fmt="png")))
    webp = Image.open(io.BytesIO(explorer.render(colors=FRAME_COLORS, fmt="webp")))
    assert (png.format, webp.format) == ("PNG", "WEBP")
    assert np.array_equal(np.asarray(png.convert("RGB")), np.asarray(webp.convert("RGB")))
    with pytest.raises(ValueError, match="fmt must be"):
        explorer.render(colors=FRAME_COLORS, fmt="gif")


def test_static_html_is_deterministic():
    assert line_explorer().static_html() == line_explorer().static_html()


def test_mime_bundle_in_jupyter_and_in_the_book(monkeypatch):
    monkeypatch.delenv(BOOK_BUILD_ENV, raising=False)
    live = line_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in live
    assert 'type="range"' not in live["text/html"]  # one static picture only
    monkeypatch.setenv(BOOK_BUILD_ENV, "1")
    assert EXPLORER_MIME not in live
    book = line_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in book
    # The frames are stored once, as the book's data; other tools show the start frame.
    data = json.loads(json.dumps(book[EXPLORER_MIME]))  # as the notebook stores it
    assert book["text/html"] == picture_html(data)
    assert 'type="range"' not in book["text/html"]
    assert WEBP.findall(book["text/html"]) == [data["frames"][4]]  # slope 1, offset 0
    assert 'alt="A straight line. Shown at slope = 1, offset = 0."' in book["text/html"]
    assert (data["sizes"], data["start"], data["format"]) == ([3, 3], [1, 1], "webp")
    assert data["labels"] == [["0", "1", "2"], ["-1", "0", "1"]]


@pytest.mark.parametrize("factory", [likelihood.vonmises_explorer, likelihood.gaussian_explorer])
def test_likelihood_explorers_survive_every_extreme(factory):
    explorer = factory()
    assert_survives_slider_extremes(explorer)


@pytest.mark.parametrize("factory", [likelihood.vonmises_explorer, likelihood.gaussian_explorer])
def test_likelihood_explorers_static_size(factory):
    html = factory().static_html()
    assert len(html.encode()) < 2_000_000


def _explorers():
    from statbook.datasets import load_vegetables
    from statbook.explorers import mixed, mixtures, multinomial, regression
    from tests.test_datasets import SHARED

    return {
        "vonmises": likelihood.vonmises_explorer,
        "gaussian": likelihood.gaussian_explorer,
        "softmax": multinomial.softmax_explorer,
        "moths": multinomial.moth_explorer,
        "regression": lambda: regression.simple_model_explorer(load_vegetables(data_dir=SHARED)),
        "label switching": mixtures.label_switching_explorer,
        "density": mixtures.density_explorer,
        "mixed": mixed.mixed_explorer,
    }


@pytest.mark.parametrize("name", list(_explorers()))
def test_every_explorer_ends_on_the_image_of_its_final_values(name):
    """Each slider to its top and back to its default: every frame is the fresh one."""
    factory = _explorers()[name]
    explorer = factory()
    explorer.widget  # noqa: B018  (builds the view and draws the first frame)
    for slider in explorer.sliders:
        for value in (slider.values[-1], slider.default):
            explorer.set(**{slider.name: value})
            assert explorer.last_error is None, (slider.name, value, explorer.last_error)
        explorer.set(**{slider.name: slider.values[-1]})
        final = {s.name: explorer.controls[s.name].value for s in explorer.sliders}
        fresh = factory().render(**final)
        assert np.array_equal(_pixels(explorer.image.value), _pixels(fresh)), final


MIN_SCREEN_PX = 8.0  # issue 30: text on screen at least 8 CSS px, on paper at least 6 pt
MIN_PRINTED_PT = 6.0


@pytest.mark.parametrize("name", list(_explorers()))
def test_every_layout_fits_its_place_with_text_large_enough(name):
    """Wide frames fit a 700 px area (at most 680 px), phone frames a phone's 343 px column,
    both with text of 8 px or more at their drawn size; the print frames are 300 dpi at
    their printed size (at most 7 in, the A4 column) with text of 6 pt or more; and in
    every layout all the figure's text, legends and panels lie inside the frame."""
    explorer = _explorers()[name]()
    assert set(explorer.layouts) == {"wide", "phone", "print"}
    for kind, layout in explorer.layouts.items():
        explorer.render(layout=kind)
        figure = explorer.layout_figure(kind).figure
        width, height = layout.figsize
        box = figure.get_tightbbox(figure.canvas.get_renderer())  # inches
        assert box.x0 >= -0.01 and box.y0 >= -0.01, (kind, box)
        assert box.x1 <= width + 0.01 and box.y1 <= height + 0.01, (kind, box)
        text_px = smallest_text_px(figure)
        if kind == "print":
            printed = shown_size(layout)[0] / 96  # inches on paper
            assert layout.size[0] / printed == pytest.approx(300)
            assert printed <= 7.0
            assert text_px * 72 / layout.dpi * printed / width >= MIN_PRINTED_PT
        else:
            assert (layout.size[0] <= 680) if kind == "wide" else (330 <= layout.size[0] <= 343)
            assert text_px >= MIN_SCREEN_PX, (kind, text_px)


def test_text_size_is_that_of_the_smallest_visible_text():
    """``smallest_text_px``: points × dpi / 72 of the smallest visible, non-empty text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(dpi=144)
    ax = figure.add_subplot()
    ax.set_title("big", fontsize=20)
    ax.tick_params(labelsize=9)
    FigureCanvasAgg(figure).draw()  # makes the tick labels
    assert smallest_text_px(figure) == pytest.approx(9 * 2)  # tick labels: 9 pt at 144 dpi
    ax.text(0, 0, "tiny", fontsize=5, visible=False)
    ax.text(0, 0, "   ", fontsize=4)
    assert smallest_text_px(figure) == pytest.approx(18)  # invisible and blank: not text
    ax.text(0, 0, "small", fontsize=6)
    assert smallest_text_px(figure) == pytest.approx(12)


def _stepped_path(explorer, steps: int = 3) -> list[dict]:
    """Each slider in turn a few positions up from its default (down near the top) and back,
    one position at a time as in a drag, the others where the previous one left them."""
    values = dict(explorer.defaults)
    path = []
    for slider in explorer.sliders:
        start = slider.nearest(slider.values, slider.default)
        stop = min(start + steps, len(slider.values) - 1)
        if stop == start:
            stop = max(start - steps, 0)
        step = 1 if stop > start else -1
        there = list(range(start + step, stop + step, step))
        for index in [*there, *there[-2::-1], start]:
            values = {**values, slider.name: slider.values[index]}
            path.append(values)
    return path


@pytest.mark.parametrize("name", list(_explorers()))
def test_every_frame_of_a_drag_is_the_fresh_figure(name):
    """Kept backgrounds, axes redrawn alone and blits give exactly a fresh figure's pixels."""
    factory = _explorers()[name]
    explorer = factory()
    fresh = factory()
    for values in _stepped_path(explorer):
        kept = explorer.figure.draw(**values)
        fresh.forget_figures()  # a new Figure for every frame
        assert np.array_equal(kept, fresh.figure.draw(**values)), values
    if name in ("gaussian", "mixed", "density"):  # their axes follow the data
        assert explorer.figure.partial_draws > 0


@pytest.mark.parametrize("name", ["density", "label switching", "mixed"])
def test_the_frames_palette_keeps_every_colour_that_fills_an_area(name):
    """Each colour covering 0.5 % of the drawn frame or more (the white ground, the
    histograms' grey, bars, the markers' fill) is within 16 of itself (per channel)
    in the book's 16-colour frame, so a histogram never melts into its background."""
    explorer = _explorers()[name]()
    for kind in ("wide", "phone"):
        rgb = explorer.layout_figure(kind).draw(**explorer.defaults)
        frame = Image.open(
            io.BytesIO(explorer.render(colors=FRAME_COLORS, fmt="webp", layout=kind))
        )
        shown = np.asarray(frame.convert("RGB")).astype(int)
        colours, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_counts=True)
        for colour in colours[counts >= 0.005 * counts.sum()]:
            where = np.all(rgb == colour, axis=-1)
            worst = np.abs(shown[where] - colour.astype(int)).max()
            assert worst <= 16, (kind, colour, worst)


def test_the_phone_layout_is_a_source_of_the_picture_switched_with_the_frame():
    """With a phone layout the frame is a <picture>: the phone frame for a narrow window,
    the wide one (the <img>) elsewhere, each with its drawn size and smallest text; the
    phone frames switch with the wide ones (the data's "phone", the start frame once);
    the print panel shows the print layout's frames at their printed size."""
    explorer = line_explorer(phone=(2.0, 2.5))
    html = explorer.static_html()
    data = json.loads(re.search(r'class="sbx-data">(.*?)</script>', html).group(1))
    picture = re.search(r'<picture class="sbx-picture">(.*?)</picture>', html).group(1)
    source = re.fullmatch(r"<source ([^>]*)>(<img [^>]*>)", picture)
    assert source is not None, picture
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', source.group(1)))
    image = dict(re.findall(r'([\w-]+)="([^"]*)"', source.group(2)))
    assert attributes["media"] == PHONE_MEDIA
    assert (attributes["width"], attributes["height"]) == ("160", "200")  # 2 × 2.5 in at 80 dpi
    assert (image["width"], image["height"]) == ("240", "160")
    # matplotlib's 10 pt tick labels at 80 dpi, rounded to 0.01 px
    assert float(attributes["data-text-px"]) == float(image["data-text-px"]) == 11.11
    assert len(data["phone"]) == 9 and data["phone"][4] is None
    phone = [attributes["srcset"] if f is None else f for f in data["phone"]]
    wide = [image["src"] if f is None else f for f in data["frames"]]
    decoded = [base64.b64decode(WEBP.fullmatch(f).group(1)) for f in phone]
    sizes = {Image.open(io.BytesIO(f)).size for f in decoded}
    assert sizes == {(160, 200)} and not set(phone) & set(wide)
    assert len(WEBP.findall(html)) == 9 + 9 + 4  # each frame once, and the 4 for paper
    # the print panel: 300 dpi frames of the wide figure, 3 in wide on paper (288 CSS px)
    assert len(data["print"]) == 4
    printed = Image.open(io.BytesIO(base64.b64decode(WEBP.fullmatch(data["print"][0]).group(1))))
    assert printed.size == (900, 600)
    assert html.count('<img data-sbx-frame="') == 4
    assert html.count('width="288" height="192" data-text-px=') == 4
    # the book's one-frame picture for other tools: the start frame of each layout
    book = explorer.static_data()
    shown = picture_html(book)
    assert WEBP.findall(shown) == [book["phone"]["frames"][4], book["frames"][4]]
    assert '<source class="sbx-phone" media="(max-width: 720px)"' in shown


def test_a_table_of_values_follows_the_frames_as_text():
    def table(*, slope, offset):
        return [("", "value"), ("slope", f"{slope:g}"), ("offset", f"{offset:g}")]

    html = line_explorer(table=table).static_html()
    assert (
        '<table class="sbx-table"><thead><tr><th scope="col"></th><th scope="col">value</th>'
        '</tr></thead><tbody><tr><th scope="row">slope</th><td>1</td></tr>'
        '<tr><th scope="row">offset</th><td>0</td></tr></tbody></table>'
    ) in html
    data = json.loads(re.search(r'class="sbx-data">(.*?)</script>', html).group(1))
    assert data["tables"][0] == [["", "value"], ["slope", "0"], ["offset", "-1"]]
    assert len(data["tables"]) == 9


def test_mixed_explorer_table_holds_the_fit():
    from statbook import mixed
    from statbook.explorers.mixed import fitted_table, simulate_groups

    rows = fitted_table(beta0=5.0, nu=-3.0, sigma=0.5, n_groups=100)
    data = simulate_groups(100, 5.0, -3.0, 0.5)
    fit = mixed.fit_stats(mixed.suff_stats(data.y, data.group))
    assert rows[0] == ("", "truth", "fit")
    assert rows[1:] == [
        ("β₀", "5.00", f"{fit.beta0:.2f}"),
        ("|ν|", "3.00", f"{fit.nu:.2f}"),
        ("σ", "0.50", f"{fit.sigma:.2f}"),
        ("ICC", f"{9 / 9.25:.2f}", f"{fit.icc:.2f}"),
    ]
    assert abs(fit.beta0 - 5.0) < 1.0 and abs(fit.nu - 3.0) < 1.0  # 100 groups: near the truth
