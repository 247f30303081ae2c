"""The slider Explorer: live redraws, the precomputed static version, and the 6.1 explorers."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from statbook.explorers import likelihood
from statbook.widgets import STATIC_ENV, Explorer, Slider
from tests.helpers import assert_survives_slider_extremes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def line_explorer(**kwargs) -> Explorer:
    def draw(fig, *, slope, offset):
        if slope > 2.5:
            raise ZeroDivisionError("slope too steep for this test")
        ax = fig.subplots()
        x = np.linspace(0, 1, 20)
        ax.plot(x, slope * x + offset)
        ax.set_ylim(-3, 5)

    return Explorer(
        draw,
        [
            Slider("slope", "slope", (-1.0, 0.0, 1.0, 2.0, 3.0), 1.0, (0.0, 1.0, 2.0)),
            Slider("offset", "offset", (-1.0, 0.0, 1.0), 0.0),
        ],
        caption="A line.",
        alt="A straight line.",
        figsize=(3, 2),
        **kwargs,
    )


def frames_of(html: str) -> list[bytes]:
    return [base64.b64decode(f) for f in re.findall(r'"([A-Za-z0-9+/=]{200,})"', html)]


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
    before = bytes(explorer.widget.children[-3].value)
    explorer.set(slope=-1.0, offset=1.0)
    assert explorer.redraws == 2
    assert explorer.last_error is None
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_MAGIC) and after != before


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


def test_static_html_holds_one_frame_per_grid_point():
    html = line_explorer().static_html()
    frames = frames_of(html)  # the frames in the JSON data block
    assert len(frames) == 3 * 3
    shown = re.search(r'<img src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(shown) == frames[1 * 3 + 1]  # slope 1, offset 0
    assert all(f.startswith(PNG_MAGIC) for f in frames)
    assert len(set(frames)) == 9
    assert html.count('type="range"') == 2
    assert 'alt="A straight line."' in html and "<figcaption>A line." in html
    assert "http" not in html.replace("data:image/png", "")  # nothing from another host


def test_static_html_is_deterministic():
    assert line_explorer().static_html() == line_explorer().static_html()


def test_mime_bundle_in_jupyter_and_in_the_book(monkeypatch):
    monkeypatch.delenv(STATIC_ENV, raising=False)
    live = line_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in live
    assert 'type="range"' not in live["text/html"]  # one static picture only
    monkeypatch.setenv(STATIC_ENV, "1")
    book = line_explorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in book
    assert book["text/html"].count('type="range"') == 2


@pytest.mark.parametrize("factory", [likelihood.vonmises_explorer, likelihood.gaussian_explorer])
def test_likelihood_explorers_survive_every_extreme(factory):
    explorer = factory()
    assert_survives_slider_extremes(explorer)


@pytest.mark.parametrize("factory", [likelihood.vonmises_explorer, likelihood.gaussian_explorer])
def test_likelihood_explorers_static_size(factory):
    html = factory().static_html()
    assert len(html.encode()) < 2_000_000
