"""Numbers every model module shares, defined once."""

from __future__ import annotations

import numpy as np

LOG_PI = float(np.log(np.pi))  #: log π
LOG_2PI = float(np.log(2 * np.pi))  #: log 2π, the constant of every Gaussian and von Mises −ℓ
