"""Sphinx's search page lists its hits without summaries when the book is opened from disk.

The search page fetches each hit's page to show a summary under it; a page opened from
disk (file://) may not fetch, so every hit threw "Failed to fetch" in the console. Opened
from disk, the search lists its hits without summaries; served over HTTP it shows them.
"""

from __future__ import annotations

# Runs after documentation_options.js (priority 200) has defined DOCUMENTATION_OPTIONS.
NO_SUMMARIES_FROM_DISK = (
    'if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") '
    "{ DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false; }"
)


def setup(app):
    app.add_js_file(None, body=NO_SUMMARIES_FROM_DISK, priority=300)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
