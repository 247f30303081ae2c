"""Constants the modules share, defined once."""

from __future__ import annotations

import os

import numpy as np

LOG_PI = float(np.log(np.pi))  #: log π
LOG_2PI = float(np.log(2 * np.pi))  #: log 2π, the constant of every Gaussian and von Mises −ℓ

#: Set to 1 by ``make book``: the chapters run in the book build (explorers precompute their
#: frames, glued numbers are recorded for the prose).
BOOK_BUILD_ENV = "STATBOOK_STATIC"


def in_book_build() -> bool:
    """Whether the chapters are being executed by the book build (:data:`BOOK_BUILD_ENV`)."""
    return os.environ.get(BOOK_BUILD_ENV, "") in ("1", "true", "yes")
