"""The theme's script is built without its tab-stop pass, which blocked a phone for 3 s.

When a page has loaded, the pydata theme makes each scrolling code block and output a tab
stop, measuring and changing them one after another: each change makes the next
measurement lay the page out again, which cost a phone (Lighthouse's) 3 s of blocked main
thread. The theme's script is built without that step and _static/statbook.js does it
instead: all measurements first, then all changes, per section as it comes into view.
"""

from __future__ import annotations

import re
from pathlib import Path

# The last statement of the theme's bundled script: run the tab-stop function when loaded.
_THEME_TAB_STOPS = re.compile(
    r'"complete"===document\.readyState\?(\w+)\(\):window\.addEventListener\("load",\1\)'
)


def drop_theme_tab_stops(app, exception) -> None:
    """Build the theme's script without its tab-stop step (``statbook.js`` does it)."""
    if exception is not None or app.builder.format != "html":
        return
    script = Path(app.outdir) / "_static" / "scripts" / "pydata-sphinx-theme.js"
    text = script.read_text(encoding="utf-8")
    call = _THEME_TAB_STOPS.search(text)
    body = call and re.search(r"function " + call.group(1) + r"\(\)\{(.{0,400})", text)
    if not call or not body or "scrollWidth>" not in body.group(1):
        raise RuntimeError(
            "pydata-sphinx-theme.js no longer ends by making scrollable blocks tab stops "
            "the way _ext.theme_tab_stops expects; check the theme's addTabStopsToScrollable"
            "Elements and _static/statbook.js (tabStops) against it"
        )
    # The same length, so that the source map the script names still matches it.
    nothing = "void 0".ljust(call.end() - call.start())
    script.write_text(text[: call.start()] + nothing + text[call.end() :], encoding="utf-8")


def setup(app):
    app.connect("build-finished", drop_theme_tab_stops, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
