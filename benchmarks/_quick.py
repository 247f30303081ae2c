"""``make bench QUICK=1``: every benchmark runs once, briefly, to show that it still works.

The Makefile exports ``STATBOOK_BENCH_QUICK=1``; each script then times each contestant
once (``repeats``) and measures a smaller selection. Quick figures are not for quoting.
"""

from __future__ import annotations

import os

QUICK = os.environ.get("STATBOOK_BENCH_QUICK", "") == "1"


def repeats(n: int) -> int:
    """How many times to repeat a timing: ``n``, or once in quick mode."""
    return 1 if QUICK else n


def pick(full, quick):
    """A problem size: ``full``, or the small ``quick`` one in quick mode."""
    return quick if QUICK else full
