"""The formula front end of Poisson regression: ``poisson_glm("y ~ x", data)``.

formulaic reads the formula and builds the model matrix; the store model's shape
(a factor plus numeric terms, no intercept) is built directly from the factor's
categorical codes, which is much faster than formulaic's general sparse encoding.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from formulaic import Formula, model_matrix
from formulaic.errors import FormulaicError

from statbook._validate import as_count_vector
from statbook.exceptions import DataError

_LOG_OF = re.compile(r"\blog\(\s*([A-Za-z_]\w*)\s*\)")


def _as_frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if not isinstance(data, Mapping):
        raise DataError(f"data must be a DataFrame or a mapping of columns; got {type(data)}")
    lengths = {name: len(values) for name, values in data.items()}
    first = next(iter(lengths), None)
    for name, length in lengths.items():
        if length != lengths[first]:
            raise DataError(
                f"column {name!r} has {length} values but column {first!r} has {lengths[first]}"
            )
    return pd.DataFrame(dict(data))


def _check_variables(formula: Formula, frame: pd.DataFrame) -> str:
    """Check the columns a formula uses; return the response column's name."""
    response = sorted(formula.lhs.required_variables)
    if len(response) != 1:
        raise DataError(f"the formula needs one response column on the left; got {response}")
    for name in sorted(formula.lhs.required_variables | formula.rhs.required_variables):
        if name not in frame.columns:
            raise DataError(f"column {name!r} is not in the data; columns: {list(frame.columns)}")
        if frame[name].isna().any():
            row = int(np.flatnonzero(frame[name].isna().to_numpy())[0])
            raise DataError(f"column {name!r} has a missing value (NaN) in row {row}")
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values) and not np.isfinite(values.to_numpy(float)).all():
            row = int(np.flatnonzero(~np.isfinite(values.to_numpy(float)))[0])
            raise DataError(
                f"column {name!r} has a non-finite value ({values.iloc[row]}) in row {row}"
            )
    for name in _LOG_OF.findall(str(formula.rhs)):
        values = frame[name].to_numpy(dtype=float)
        if np.any(values <= 0):
            row = int(np.flatnonzero(values <= 0)[0])
            raise DataError(
                f"column {name!r} is logged in the formula, so it must be positive; "
                f"found {values[row]:g} in row {row}"
            )
    return response[0]


@functools.lru_cache(maxsize=64)
def _parse(formula: str) -> Formula:
    """formulaic's parse of a formula, cached: parsing depends on the text alone."""
    return Formula(formula)


_FACTOR_CALL = re.compile(r"^C\(\s*([A-Za-z_]\w*)\s*\)$")


def _factor_levels(term: str, frame: pd.DataFrame):
    """(codes, level names) when ``term`` is a factor we can code directly, else None.

    A term ``C(name)`` of a categorical, text or integer column, or a bare ``name``
    of a categorical or text column; levels as formulaic orders them (a
    Categorical's categories, all of them; otherwise the sorted distinct values).
    """
    call = _FACTOR_CALL.match(term)
    name = call.group(1) if call else term
    if name not in frame.columns:
        return None
    column = frame[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical = column.array
    elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        if not column.map(type).eq(str).all():
            return None
        categorical = pd.Categorical(column)
    elif call and pd.api.types.is_integer_dtype(column.dtype):
        categorical = pd.Categorical(column)
    else:
        return None
    levels = [f"{term}[{level}]" for level in categorical.categories]
    return np.asarray(categorical.codes, dtype=np.int64), levels


def _factor_plus_numeric_matrix(parsed: Formula, frame: pd.DataFrame):
    """The model matrix of ``factor + numeric terms`` without an intercept, or None.

    This is the shape of the store model.  formulaic builds the numeric columns
    (a dense matrix, cheap); the factor's indicator block is built from its
    categorical codes in one step instead of formulaic's general sparse encoding,
    which costs most of the time of a fit.  Columns and names are formulaic's:
    the terms in the formula's order (tests compare both).  Anything else
    (an intercept, two factors, an interaction with the factor) returns None.
    """
    terms = [str(term) for term in parsed.rhs]
    if "1" in terms:
        return None
    factors = [(i, _factor_levels(term, frame)) for i, term in enumerate(terms)]
    factors = [(i, coded) for i, coded in factors if coded is not None]
    if len(factors) != 1:
        return None
    position, (codes, levels) = factors[0]
    others = terms[:position] + terms[position + 1 :]
    factor_variable = _FACTOR_CALL.sub(r"\1", terms[position])
    variables = parsed.rhs.required_variables - {factor_variable}
    if not all(pd.api.types.is_numeric_dtype(frame[name]) for name in variables):
        return None
    n = len(frame)
    block = sp.csc_array((np.ones(n), (np.arange(n), codes)), shape=(n, len(levels)))
    columns = [_simple_numeric_term(term, frame) for term in others]
    if all(column is not None for column in columns):  # one column per term
        names, before = others, position
        dense = np.column_stack(columns) if columns else np.empty((n, 0))
    else:  # interactions, transforms with state, ...: formulaic builds the numeric part
        numeric = model_matrix(
            _parse(" + ".join(others) + " - 1"), frame, output="numpy", na_action="raise"
        )
        spec = numeric.model_spec
        names = list(spec.column_names)
        before = sum(len(spec.term_indices[t]) for t in spec.terms if str(t) in terms[:position])
        dense = np.asarray(numeric, dtype=float)
    X = sp.hstack(
        [sp.csc_array(dense[:, :before]), block, sp.csc_array(dense[:, before:])], format="csc"
    )
    return X, (*names[:before], *levels, *names[before:])


_NUMPY_OF_COLUMN = re.compile(r"^(?:np\.(\w+)\(\s*)?([A-Za-z_]\w*)(?(1)\s*\))$")


def _simple_numeric_term(term: str, frame: pd.DataFrame) -> np.ndarray | None:
    """The values of a term ``name`` or ``np.f(name)`` of a numeric column, else None.

    formulaic evaluates such a term as exactly this numpy call on the column.
    """
    match = _NUMPY_OF_COLUMN.match(term)
    if match is None or match.group(2) not in frame.columns:
        return None
    values = frame[match.group(2)].to_numpy(dtype=float)
    if match.group(1) is None:
        return values
    function = getattr(np, match.group(1), None)
    if not isinstance(function, np.ufunc) or function.nin != 1:
        return None
    return function(values)


def poisson_glm(formula: str, data, **options):
    """Fit a Poisson regression given by an R-style formula, like R's ``glm``.

    ``formula`` is read by formulaic, e.g. ``"sale ~ np.log(normalSale)"`` or
    ``"sale ~ C(store) + np.log(normalSale) - 1"``; a formula with a factor
    gives a sparse model matrix, which :func:`fit_poisson` fits by the arrow
    path (for a factor plus numeric terms the factor block is built from the
    categorical codes, :func:`_factor_plus_numeric_matrix`).  ``data`` is a
    DataFrame (or a mapping of equally long columns).  Bad data raise
    ``ValueError`` naming the column.  ``options`` go to :func:`fit_poisson`.
    """
    from statbook.regression import fit_poisson  # the family's module imports this one

    frame = _as_frame(data)
    if not isinstance(formula, str):
        raise DataError(f"formula must be a string such as 'y ~ x'; got {type(formula).__name__}")
    try:
        parsed = _parse(formula)
    except FormulaicError as err:
        raise DataError(f"formula {formula!r} cannot be read: {err}") from err
    if not hasattr(parsed, "lhs"):
        raise DataError(f"formula {formula!r} needs a response on the left of ~")
    response = _check_variables(parsed, frame)
    y = as_count_vector(frame[response].to_numpy(dtype=float), response)
    direct = _factor_plus_numeric_matrix(parsed, frame)
    if direct is not None:
        X, names = direct
        return fit_poisson(X, y, names=names, **options)
    used = parsed.rhs.required_variables
    has_factor = "C(" in formula or any(
        not pd.api.types.is_numeric_dtype(frame[name]) for name in used
    )
    try:
        rhs = model_matrix(
            parsed.rhs, frame, output="sparse" if has_factor else "pandas", na_action="raise"
        )
    except FormulaicError as err:
        raise DataError(f"formula {formula!r} cannot be evaluated on the data: {err}") from err
    names = tuple(rhs.model_spec.column_names)
    X = rhs.__wrapped__ if has_factor else rhs.to_numpy(dtype=float)
    return fit_poisson(X, y, names=names, **options)
