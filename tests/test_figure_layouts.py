"""A chapter figure drawn for each layout (``statbook.plotting.figure_layouts``) and its
picture in the book (``_ext/figure_layouts.py``), without building the book."""

from __future__ import annotations

import base64
import io

import pytest
from bs4 import BeautifulSoup
from matplotlib.figure import Figure
from myst_nb.core.render import MimeData, get_mime_priority
from PIL import Image

from _ext import figure_layouts as renderer
from _ext.book_files import register_mime_renderer
from _ext.figure_layouts import picture_html
from statbook.plotting import (
    CSS_DPI,
    FIGURE_MIME,
    PHONE_MEDIA,
    PHONE_WIDTH,
    FigureLayouts,
    figure_layouts,
    smallest_text_px,
)

SMALL = 0.833  # matplotlib's relative font size "small"


def test_smallest_text_px_is_the_smallest_visible_text_in_drawn_pixels():
    figure = Figure(figsize=(4, 3), dpi=150)
    ax = figure.subplots()
    ax.plot([0, 1], [0, 1], label="line")
    ax.set_title("title", fontsize=20)
    ax.set_xlabel("x", fontsize=11)
    ax.tick_params(labelsize=9)
    ax.legend(fontsize="small")  # 10 pt × 0.833
    ax.text(0.5, 0.5, "hidden", fontsize=3, visible=False)
    ax.text(0.2, 0.2, "  ", fontsize=2)  # no text to read
    figure.draw_without_rendering()
    assert smallest_text_px(figure) == pytest.approx(10 * SMALL * 150 / 72, rel=1e-3)
    ax.get_legend().remove()
    assert smallest_text_px(figure) == pytest.approx(9 * 150 / 72)


def draw_two_panels(figure, layout):
    """Side by side on a wide page, stacked on a phone; a note in 7 pt on the phone only."""
    left, right = figure.subplots(1, 2) if layout == "wide" else figure.subplots(2, 1)
    left.plot([0, 1, 2], [1, 0, 1], label="a")
    right.bar([0, 1], [2, 3])
    left.legend()
    if layout == "phone":
        right.set_title("note", fontsize=7)


def test_each_layout_is_drawn_once_at_its_size():
    calls = []

    def draw(figure, layout):
        calls.append(layout)
        draw_two_panels(figure, layout)

    shown = figure_layouts(draw, wide=(6.5, 3.0), phone=(3.4, 5.0))
    assert shown.figure("wide") is shown.figure("wide")
    assert [ax.get_position().x0 > 0.4 for ax in shown.figure("wide").axes] == [False, True]
    assert [ax.get_position().y0 > 0.4 for ax in shown.figure("phone").axes] == [True, False]
    assert calls == ["wide", "phone"]
    # 3.4 in is 326.4 px: drawn at 326 px, the nearest whole number of CSS pixels
    assert shown.size_px("phone") == (326, 480)
    assert shown.size_px("wide") == (624, 288)


def test_layout_data_has_paper_phone_and_wide_images_of_their_stated_size():
    data = figure_layouts(draw_two_panels, wide=(6.5, 3.0), phone=(3.4, 5.0)).layout_data()
    assert [layout["media"] for layout in data["layouts"]] == ["print", PHONE_MEDIA, ""]
    for layout in data["layouts"]:
        with Image.open(io.BytesIO(base64.b64decode(layout["image"]))) as image:
            assert image.format == "WEBP"
            assert image.size == (
                round(layout["width"] * layout["density"]),
                round(layout["height"] * layout["density"]),
            )
            rgb = image.convert("RGBA")
            assert rgb.getchannel("A").getextrema() == (255, 255)  # opaque
            assert rgb.getpixel((0, 0))[:3] == (255, 255, 255)  # on white
    paper, phone, wide = data["layouts"]
    assert paper["density"] * CSS_DPI == 300  # 300 dpi at the drawn (printed) size
    assert (paper["width"], paper["height"]) == (wide["width"], wide["height"]) == (624, 288)
    assert (phone["width"], phone["height"]) == (326, 480)
    # text sizes in drawn CSS pixels: 10 pt tick labels on the wide one, 7 pt on the phone one
    assert paper["text_px"] == wide["text_px"] == pytest.approx(10 * 96 / 72)
    assert phone["text_px"] == pytest.approx(7 * 96 / 72)


def test_jupyter_shows_the_wide_layout_and_the_book_gets_every_layout(monkeypatch):
    shown = figure_layouts(draw_two_panels, wide=(6.5, 3.0), phone=(3.4, 5.0))
    monkeypatch.delenv("STATBOOK_STATIC", raising=False)
    bundle, metadata = shown._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/png"}
    assert metadata == {"image/png": {"width": 624, "height": 288}}
    with Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))) as png:
        assert png.size == (2 * 624, 2 * 288)  # sharp on a 2x screen, shown at 624 px
    monkeypatch.setenv("STATBOOK_STATIC", "1")
    bundle, _ = shown._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/png", FIGURE_MIME}
    assert len(bundle[FIGURE_MIME]["layouts"]) == 3


@pytest.mark.parametrize(
    "sizes",
    [
        {"wide": (6.5, 3), "phone": (PHONE_WIDTH + 0.1, 3)},  # wider than a phone's column
        {"wide": (7.5, 3), "phone": (3.4, 3)},  # wider than the column at 960 px
        {"wide": (6.5, 0), "phone": (3.4, 3)},
        {"wide": (6.5,), "phone": (3.4, 3)},
    ],
)
def test_figure_layouts_refuses_sizes_that_do_not_fit(sizes):
    with pytest.raises(ValueError, match="inches"):
        figure_layouts(draw_two_panels, **sizes)


def test_the_picture_names_each_layout_with_its_size_and_text_size():
    layouts = [
        {"media": "print", "format": "webp", "width": 624, "height": 288, "density": 3.125,
         "text_px": 13.333},
        {"media": PHONE_MEDIA, "format": "webp", "width": 326, "height": 480, "density": 2,
         "text_px": 9.333},
        {"media": "", "format": "webp", "width": 624, "height": 288, "density": 2,
         "text_px": 13.333},
    ]  # fmt: skip
    urls = ["p.webp", "phone.webp", "wide.webp"]
    picture = BeautifulSoup(
        picture_html({"layouts": layouts}, urls, 'A "curve"'), "html.parser"
    ).picture
    sources = picture.find_all("source")
    assert [s["media"] for s in sources] == ["print", PHONE_MEDIA]
    assert [s["srcset"] for s in sources] == ["p.webp 3.125x", "phone.webp 2x"]
    assert [s["data-text-px"] for s in sources] == ["13.33", "9.33"]
    assert [(s["width"], s["height"]) for s in sources] == [("624", "288"), ("326", "480")]
    img = picture.find("img")
    assert img is picture.contents[-1]
    assert (img["src"], img["alt"], img["width"], img["data-text-px"]) == (
        "wide.webp",
        'A "curve"',
        "624",
        "13.33",
    )


def test_the_picture_needs_a_layout_for_every_other_screen():
    layout = {"media": "print", "format": "webp", "width": 1, "height": 1, "density": 1}
    with pytest.raises(ValueError, match="every other screen"):
        picture_html({"layouts": [layout]}, ["a.webp"], "")


def test_the_layouts_object_is_what_figure_layouts_returns():
    assert isinstance(figure_layouts(draw_two_panels, wide=(6, 3), phone=(3, 3)), FigureLayouts)


def test_myst_nb_prefers_the_figure_data_to_its_png_in_html_only():
    register_mime_renderer(renderer.FigureMime)
    html = get_mime_priority("html", [])
    assert html.index(FIGURE_MIME) < html.index("image/png")
    assert FIGURE_MIME not in get_mime_priority("latex", [])
    assert renderer.FigureMime.handle_mime(None, MimeData("image/png", ""), False) is None
    assert renderer.FigureMime.handle_mime(None, MimeData(FIGURE_MIME, {}), True) is None
