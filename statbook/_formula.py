"""The formula front end of Poisson regression: ``poisson_glm("y ~ x", data)``.

formulaic reads the formula: a ``Formula`` whose ``lhs`` and ``rhs`` are lists of
terms, each term a product of factors, each factor an expression (``factor.expr``)
that formulaic looks up in the data or evaluates as Python (``factor.eval_method``).
formulaic also builds the model matrix (``Formula.get_model_matrix``, whose
``model_spec`` names the columns and says which terms were coded as categories).

The store model's shape (a factor plus numeric terms, no intercept) is built directly
from the factor's categorical codes, which is much faster than formulaic's general
sparse encoding (under 1 ms against about 50 ms for 352 stores).  Where that needs to
know what a Python factor computes (``C(store)``, ``np.log(normalSale)``), it reads the
factor's expression with Python's own parser (:mod:`ast`): formulaic hands it over as
Python code.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from formulaic import Formula, SimpleFormula
from formulaic.errors import FormulaicError
from formulaic.parser.types import Factor, Term

from statbook._validate import as_count_vector
from statbook.exceptions import DataError

#: Calls whose argument must be positive (the formula logs that column).
_LOGARITHMS = frozenset({"log", "np.log", "numpy.log"})


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


def _python(factor: Factor) -> ast.expr | None:
    """The syntax tree of a factor formulaic evaluates as Python, else None.

    None also for a factor formulaic looks up (a column) or a constant, and for an
    expression that is not plain Python (a name quoted with backticks).
    """
    if factor.eval_method is not Factor.EvalMethod.PYTHON:
        return None
    try:
        return ast.parse(factor.expr, mode="eval").body
    except SyntaxError:
        return None


def _call_of_a_name(node: ast.AST | None) -> tuple[str, str] | None:
    """(function, name) when ``node`` is a call ``f(name)`` of one bare name, else None."""
    if (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
    ):
        return ast.unparse(node.func), node.args[0].id
    return None


def _calls(factor: Factor) -> list[tuple[str, str]]:
    """(function, name) of each call ``f(name)`` anywhere in a Python factor.

    ``np.log(x)`` gives ("np.log", "x"), ``C(store)`` ("C", "store") and
    ``I(np.log(x) ** 2)`` ("np.log", "x").
    """
    tree = _python(factor)
    calls = (_call_of_a_name(node) for node in ast.walk(tree)) if tree is not None else ()
    return [call for call in calls if call is not None]


def _one_column(term: Term) -> tuple[str, str | None] | None:
    """(column, function) when the term reads one column: ``name`` gives (name, None),
    ``f(name)`` gives (name, "f"); else None (an interaction, a constant, ...)."""
    if len(term.factors) != 1:
        return None
    (factor,) = term.factors
    if factor.eval_method is Factor.EvalMethod.LOOKUP:
        return factor.expr, None
    call = _call_of_a_name(_python(factor))
    return None if call is None else (call[1], call[0])


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
    logged = {
        name
        for term in formula.rhs
        for factor in term.factors
        for function, name in _calls(factor)
        if function in _LOGARITHMS and name in frame.columns
    }
    for name in sorted(logged):
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


def _factor_levels(term: Term, frame: pd.DataFrame):
    """(codes, level names) when ``term`` is a factor we can code directly, else None.

    A term ``C(name)`` of a categorical, text or integer column, or a bare ``name``
    of a categorical or text column; levels as formulaic orders them (a
    Categorical's categories, all of them; otherwise the sorted distinct values).
    """
    found = _one_column(term)
    if found is None or found[1] not in (None, "C"):
        return None
    name, called = found[0], found[1] is not None
    if name not in frame.columns:
        return None
    column = frame[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical = column.array
    elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        if not column.map(type).eq(str).all():
            return None
        categorical = pd.Categorical(column)
    elif called and pd.api.types.is_integer_dtype(column.dtype):
        categorical = pd.Categorical(column)
    else:
        return None
    label = str(term)  # formulaic's name of the term, written once
    levels = [f"{label}[{level}]" for level in categorical.categories]
    return np.asarray(categorical.codes, dtype=np.int64), levels


def _simple_numeric_term(term: Term, frame: pd.DataFrame) -> np.ndarray | None:
    """The values of a term ``name`` or ``np.f(name)`` of a numeric column, else None.

    formulaic evaluates such a term as exactly this numpy call on the column (``f`` a
    numpy function of one array, element by element).
    """
    found = _one_column(term)
    if found is None:
        return None
    name, call = found
    function = None
    if call is not None:
        module, _, attribute = call.partition(".")
        function = getattr(np, attribute, None) if module == "np" else None
        if not isinstance(function, np.ufunc) or function.nin != 1:
            return None
    if name not in frame.columns or not pd.api.types.is_numeric_dtype(frame[name]):
        return None
    values = frame[name].to_numpy(dtype=float)
    return values if function is None else function(values)


def _factor_plus_numeric_matrix(parsed: Formula, frame: pd.DataFrame):
    """The model matrix of ``factor + numeric terms`` without an intercept, or None.

    This is the shape of the store model.  The factor's indicator block is built from
    its categorical codes in one step instead of formulaic's general sparse encoding,
    which costs most of the time of a fit; a numeric term ``x`` or ``np.f(x)`` is its
    column; formulaic builds the other terms (interactions, transforms with state) as
    a dense matrix.  Columns and names are formulaic's: the terms in the formula's
    order (tests compare both).  Anything else returns None: an intercept, two
    factors, or a category anywhere else in the formula (``C(s) + C(s):C(k)``: how
    formulaic codes a category in an interaction depends on the other terms).
    """
    terms = list(parsed.rhs)
    if any(f.eval_method is Factor.EvalMethod.LITERAL for term in terms for f in term.factors):
        return None  # an intercept (or another constant column)
    factors = [(i, _factor_levels(term, frame)) for i, term in enumerate(terms)]
    factors = [(i, coded) for i, coded in factors if coded is not None]
    if len(factors) != 1:
        return None
    position, (codes, levels) = factors[0]
    n = len(frame)
    columns = {i: _simple_numeric_term(term, frame) for i, term in enumerate(terms)}
    rest = [term for i, term in enumerate(terms) if i != position and columns[i] is None]
    if rest:  # formulaic builds these terms, each into the columns its model spec names
        numeric = Formula(rest).get_model_matrix(frame, output="numpy", na_action="raise")
        spec = numeric.model_spec
        if spec.factor_contrasts:  # a category in another term
            return None
        dense = np.asarray(numeric, dtype=float)
        blocks = {
            term: (dense[:, spec.term_slices[term]], spec.column_names[spec.term_slices[term]])
            for term in rest
        }
    names, parts = [], [[], []]  # the numeric columns before and after the factor
    for i, term in enumerate(terms):
        if i == position:
            names.extend(levels)
        elif columns[i] is not None:
            names.append(str(term))
            parts[i > position].append(columns[i][:, None])
        else:
            values, column_names = blocks[term]
            names.extend(column_names)
            parts[i > position].append(values)
    before, after = (np.hstack(part) if part else np.empty((n, 0)) for part in parts)
    indicators = sp.csc_array((np.ones(n), (np.arange(n), codes)), shape=(n, len(levels)))
    X = sp.hstack([sp.csc_array(before), indicators, sp.csc_array(after)], format="csc")
    return X, tuple(names)


def _has_category(parsed: Formula, frame: pd.DataFrame) -> bool:
    """Does the right-hand side code a category: a ``C(...)`` or a non-numeric column?"""
    called = any(
        function == "C" for term in parsed.rhs for f in term.factors for function, _ in _calls(f)
    )
    return called or any(
        not pd.api.types.is_numeric_dtype(frame[name]) for name in parsed.rhs.required_variables
    )


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
    if not isinstance(parsed.rhs, SimpleFormula):
        raise DataError(f"formula {formula!r} needs one right-hand side; got parts joined by |")
    response = _check_variables(parsed, frame)
    y = as_count_vector(frame[response].to_numpy(dtype=float), response)
    direct = _factor_plus_numeric_matrix(parsed, frame)
    if direct is not None:
        X, names = direct
        return fit_poisson(X, y, names=names, **options)
    sparse = _has_category(parsed, frame)
    try:
        rhs = parsed.rhs.get_model_matrix(
            frame, output="sparse" if sparse else "numpy", na_action="raise"
        )
    except FormulaicError as err:
        raise DataError(f"formula {formula!r} cannot be evaluated on the data: {err}") from err
    # formulaic's model matrix stands for the array or sparse matrix it holds
    X = sp.csc_array(rhs) if sparse else np.asarray(rhs, dtype=float)
    return fit_poisson(X, y, names=tuple(rhs.model_spec.column_names), **options)
