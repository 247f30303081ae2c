"""Numerical helpers for the tests: central finite differences."""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``."""
    x = np.asarray(x, dtype=float)
    grad = np.empty_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step.flat[i] = h * max(1.0, abs(x.flat[i]))
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * step.flat[i])
    return grad


def numerical_jacobian(g, x, h: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of a vector function ``g`` at ``x`` (rows: outputs)."""
    x = np.asarray(x, dtype=float)
    columns = []
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h * max(1.0, abs(x[i]))
        columns.append((np.asarray(g(x + step)) - np.asarray(g(x - step))) / (2 * step[i]))
    return np.stack(columns, axis=-1)


def assert_survives_slider_extremes(explorer) -> None:
    """Move each slider of an Explorer to its minimum and maximum, then all to the minimum.

    Every move must redraw the figure and leave no error behind.
    """
    positions = [{s.name: s.values[0]} for s in explorer.sliders]
    positions += [{s.name: s.values[-1]} for s in explorer.sliders]
    # After these every slider is at its maximum; then all jump to their minimum together.
    positions += [{s.name: s.values[0] for s in explorer.sliders}]
    for position in positions:
        redraws = explorer.redraws
        explorer.set(**position)
        assert explorer.redraws > redraws, position
        assert explorer.last_error is None, (position, explorer.last_error)
