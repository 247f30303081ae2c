"""The theme follows the reader's light or dark mode, and says so (no console error).

The pydata theme logs "Got invalid theme mode" as a console error on a first visit when
default_mode is unset; it is set to auto (follow the reader's system), what unset means.
"""

from __future__ import annotations


def set_default_mode(app, config) -> None:
    config.html_context.setdefault("default_mode", "auto")


def setup(app):
    app.connect("config-inited", set_default_mode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
