"""Input checks shared by the model modules.

Data problems raise ``ValueError`` that names the argument and says what was
expected; parameters are never validated here (off the parameter space the
likelihood is ``+inf``, which is the optimizer's business, not an error).
"""

from __future__ import annotations

import numpy as np


def _check_shape(arr: np.ndarray, name: str, min_size: int) -> None:
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} value(s); got {arr.size}")


def as_float_vector(values, name: str, *, min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D float array of finite numbers, or raise ``ValueError``."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name} must be an array of numbers; got {type(values).__name__}"
        ) from err
    _check_shape(arr, name, min_size)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; found NaN or infinity")
    return arr


def as_count_vector(values, name: str, *, min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D int64 array of non-negative integers, or raise ``ValueError``."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":  # integers already: only the shape and the sign to check
        _check_shape(arr, name, min_size)
    else:
        arr = as_float_vector(values, name, min_size=min_size)
        whole = arr == np.round(arr)
        if not whole.all():
            raise ValueError(f"{name} must be whole numbers; found {arr[~whole][0]:g}")
    if arr.min() < 0:
        raise ValueError(f"{name} must be non-negative counts; found {arr[arr < 0][0]:g}")
    return arr.astype(np.int64)


def as_parameter(par, size: int, name: str = "par") -> np.ndarray:
    """Return ``par`` as a float array whose last axis has length ``size``.

    Leading axes are kept: a grid of parameters of shape ``(..., size)`` is how
    a whole likelihood surface is evaluated in one call.
    """
    arr = np.asarray(par, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] != size:
        raise ValueError(f"{name} must have shape (..., {size}); got shape {arr.shape}")
    return arr


def check_rng(rng) -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; randomness is always explicit."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(1); "
            f"got {type(rng).__name__}"
        )
    return rng
