"""Input checks shared by the model modules.

Data problems raise ``ValueError`` that names the argument and says what was
expected; parameters of a likelihood are never validated here (off the parameter
space the likelihood is ``+inf``, which is the optimizer's business, not an error).
Parameters of a simulation or of a fit's start are checked by :func:`as_finite_number`
and :func:`as_sample_size`: there a value off the parameter space has no meaning.
Sums of squares of data are taken so that they neither under- nor overflow, and data
equal up to rounding count as equal (:func:`equal_up_to_rounding`).
"""

from __future__ import annotations

import numbers

import numpy as np

from statbook.exceptions import DataError

#: Largest count accepted: beyond 2⁵³ a float64 cannot tell neighbouring whole numbers apart.
MAX_COUNT = 2**53


def _check_shape(arr: np.ndarray, name: str, min_size: int) -> None:
    if arr.ndim != 1:
        raise DataError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size < min_size:
        raise DataError(f"{name} must hold at least {min_size} value(s); got {arr.size}")


def _refuse_masked(values, name: str) -> None:
    """A masked array with masked entries: numpy would drop the mask and use the hidden values."""
    if isinstance(values, np.ma.MaskedArray) and np.ma.getmaskarray(values).any():
        raise DataError(
            f"{name} is a masked array with masked entries; remove them (values.compressed()) "
            "or fill them first: the hidden values would be used as data"
        )


def _refuse_non_numbers(arr: np.ndarray, name: str) -> None:
    """Strings, bytes, complex numbers, dates and durations are not data: refuse them."""
    kind = arr.dtype.kind
    if kind in "mM":
        raise DataError(
            f"{name} must be numbers, not dates or durations (dtype {arr.dtype}); convert "
            "them to numbers in the unit you mean first"
        )
    if kind in "USV":
        raise DataError(
            f"{name} must be an array of numbers, not text; got values of type {arr.dtype}"
        )
    if kind == "c":
        raise DataError(f"{name} must be real numbers; got complex values")
    if kind == "O":
        for value in arr.flat:
            if isinstance(value, (str, bytes, complex)) or not isinstance(
                value, (numbers.Real, np.bool_)
            ):
                raise DataError(
                    f"{name} must be real numbers; found {value!r} of type {type(value).__name__}"
                )


def as_float_array(values, name: str) -> np.ndarray:
    """Return ``values`` (any shape) as a float array of finite real numbers, or raise."""
    _refuse_masked(values, name)
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise DataError(f"{name} must be an array of numbers; got {type(values).__name__}") from err
    _refuse_non_numbers(arr, name)
    try:
        arr = arr.astype(float)
    except (TypeError, ValueError) as err:
        raise DataError(f"{name} must be an array of numbers; got {type(values).__name__}") from err
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} must be finite; found NaN or infinity")
    return arr


def as_float_vector(values, name: str, *, min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D float array of finite real numbers, or raise ``ValueError``."""
    arr = as_float_array(values, name)
    _check_shape(arr, name, min_size)
    return arr


def as_count_vector(values, name: str, *, min_size: int = 1) -> np.ndarray:
    """Return ``values`` as a 1-D int64 array of whole numbers in [0, 2⁵³], or raise.

    The total of the counts must stay below 2⁶³, so that sums in int64 never wrap.
    """
    _refuse_masked(values, name)
    arr = np.asarray(values)
    _refuse_non_numbers(arr, name)
    if arr.dtype.kind in "iub":  # integers already: only the shape, sign and size to check
        _check_shape(arr, name, min_size)
        if arr.size and arr.dtype.kind == "i" and arr.min() < 0:
            raise DataError(f"{name} must be non-negative counts; found {arr[arr < 0][0]}")
        if arr.size and int(arr.max()) > MAX_COUNT:
            raise DataError(
                f"{name} must be counts of at most 2**53 = {MAX_COUNT:.3g}; found {int(arr.max())}"
            )
        arr = arr.astype(np.int64)
    else:
        arr = as_float_vector(values, name, min_size=min_size)
        whole = arr == np.round(arr)
        if not whole.all():
            raise DataError(f"{name} must be whole numbers; found {arr[~whole][0]:g}")
        if arr.min() < 0:
            raise DataError(f"{name} must be non-negative counts; found {arr[arr < 0][0]:g}")
        if arr.max() > MAX_COUNT:
            raise DataError(
                f"{name} must be counts of at most 2**53 = {MAX_COUNT:.3g}; found {arr.max():.3g}"
            )
        arr = arr.astype(np.int64)
    if arr.size and float(arr.max()) * arr.size >= 2.0**63 and arr.sum(dtype=float) >= 2.0**62:
        raise DataError(
            f"{name} adds up to {arr.sum(dtype=float):.3g}, too large to count exactly "
            "(the total must stay below 2**62)"
        )
    return arr


# --- sums of squares that neither under- nor overflow -----------------------------------
#: Observations whose range is at most this many units of rounding of their size are equal.
ROUNDING_ULPS = 4


def equal_up_to_rounding(values: np.ndarray) -> bool:
    """Are all ``values`` equal, up to a few units of rounding of their size?

    The tolerance is relative: max − min ≤ 4 ε max |y| (ε the machine epsilon), so
    [0.1] * 7 is constant but [0, 1e-300] is not.
    """
    with np.errstate(over="ignore"):
        spread = float(np.max(values) - np.min(values))
    return spread <= ROUNDING_ULPS * np.finfo(float).eps * float(np.max(np.abs(values)))


def sum_squared_deviations(
    values: np.ndarray, center: np.ndarray, name: str = "y", codes: np.ndarray | None = None
) -> float:
    """Σ (y_i − ȳ)² about the exact mean, from deviations d_i = y_i − c_i about a rounded one.

    ``center`` is the mean ȳ as a float (or, with ``codes``, each observation's group
    mean).  A rounded centre c = ȳ + δ adds N δ² to Σ d_i²; the corrected two-pass
    formula Σ d_i² − (Σ d_i)²/N (per group, with ``codes``) removes it (Chan, Golub
    and LeVeque 1983), so a large offset costs no digits: [1e16, 1e16 + 10] gives 50,
    not 52.  Every d_i is divided by the largest |d_i| first, so no square under- or
    overflows.

    Raises ``DataError`` when the sum itself is below the smallest normal float
    (data that vary only on a scale below about 1e-154) or above the largest: then
    no variance of theirs can be represented, and "all equal" would be the wrong
    diagnosis.
    """
    with np.errstate(over="ignore"):
        deviations = values - center
        scale = float(np.max(np.abs(deviations), initial=0.0))
        if scale == 0:
            return 0.0
        scaled = deviations / scale
        if codes is None:
            correction = float(np.sum(scaled)) ** 2 / scaled.size
        else:
            sizes = np.bincount(codes)
            sums = np.bincount(codes, weights=scaled)
            used = sizes > 0
            correction = float(np.sum(sums[used] ** 2 / sizes[used]))
        total = scale * scale * max(float(np.sum(scaled**2)) - correction, 0.0)
    if not np.isfinite(total):
        raise DataError(
            f"{name} spans too wide a range: Σ(y − ȳ)² overflows in floating point; divide "
            "the data by a large power of 10 first"
        )
    if total < np.finfo(float).tiny:
        raise DataError(
            f"{name} varies only on a scale of {scale:.3g}, so Σ(y − ȳ)² underflows in "
            "floating point; multiply the data by a large power of 10 first"
        )
    return total


def mean_without_overflow(values: np.ndarray) -> float:
    """ȳ = Σ y_i / N; where Σ y_i overflows (data near 1e308), m · mean(y_i / m), m = max |y_i|."""
    with np.errstate(over="ignore"):
        mean = float(np.mean(values))
    if np.isfinite(mean):
        return mean
    largest = float(np.max(np.abs(values)))
    return largest * float(np.mean(values / largest))


def as_parameter(par, size: int, name: str = "par") -> np.ndarray:
    """Return ``par`` as a float array whose last axis has length ``size``.

    Leading axes are kept: a grid of parameters of shape ``(..., size)`` is how
    a whole likelihood surface is evaluated in one call.
    """
    _refuse_masked(par, name)
    arr = np.asarray(par)
    _refuse_non_numbers(arr, name)
    arr = arr.astype(float)
    if arr.ndim == 0 or arr.shape[-1] != size:
        raise DataError(f"{name} must have shape (..., {size}); got shape {arr.shape}")
    return arr


def as_finite_number(value, name: str, *, low: float = -np.inf, low_open: bool = False) -> float:
    """``value`` as a finite float, at least ``low`` (above it if ``low_open``), or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise DataError(f"{name} must be a real number; got {value!r}")
    if np.ndim(value) != 0:
        raise DataError(f"{name} must be a single number; got shape {np.shape(value)}")
    number = float(value)
    if not np.isfinite(number):
        raise DataError(f"{name} must be finite; got {number}")
    if number < low or (low_open and number == low):
        if low == 0:
            expected = "positive" if low_open else "non-negative"
        else:
            expected = f"greater than {low:g}" if low_open else f"at least {low:g}"
        raise DataError(f"{name} must be {expected}; got {number:g}")
    return number


def as_sample_size(n, name: str = "n", *, minimum: int = 0) -> int:
    """``n`` as a Python int of at least ``minimum`` (a whole number, not a bool), or raise."""
    expected = {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer of at least {minimum}"
    )
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < minimum:
        raise DataError(f"{name} must be {expected}; got {n!r}")
    return int(n)


def check_tolerance(tol, max_iter) -> tuple[float, int]:
    """An iterative fit's ``tol`` (a positive finite number) and ``max_iter`` (≥ 1), or raise."""
    return (
        as_finite_number(tol, "tol", low=0.0, low_open=True),
        as_sample_size(max_iter, "max_iter", minimum=1),
    )


def check_rng(rng) -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; randomness is always explicit."""
    if not isinstance(rng, np.random.Generator):
        raise DataError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(1); "
            f"got {type(rng).__name__}"
        )
    return rng
