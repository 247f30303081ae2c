"""The three kinds of error every statbook function raises, in one place.

* :class:`DataError` (a ``ValueError``): the data or an argument is malformed
  (text, NaN, a negative count, a masked array, a date, a bad ``tol``) or off the
  parameter space where a parameter must be legal (a simulation, a fit's start).
  The message names the argument and says what was expected.
* :class:`NoEstimateError` (a ``ValueError``): the data are well formed but the
  likelihood has no finite or unique maximizer (all counts zero, all angles equal,
  separated responses, collinear columns).  The message says why.
* :class:`ConvergenceError` (a ``RuntimeError``): an iterative fit did not reach its
  tolerance.  Never returned as an estimate.

The names of the sections' old classes are subclasses of these, so code that catches
``poisson.NoInteriorMinimizerError`` or ``regression.NoFiniteMLEError`` keeps working.
"""

from __future__ import annotations


class DataError(ValueError):
    """Malformed data or argument: the message names it and says what was expected."""


class NoEstimateError(ValueError):
    """Well-formed data whose likelihood has no finite or unique maximizer."""


class ConvergenceError(RuntimeError):
    """An iterative fit stopped before reaching its tolerance: there is no estimate."""


class NoInteriorMinimizerError(NoEstimateError):
    """The negative log-likelihood has no minimizer inside the parameter space."""


class NoFiniteMLEError(NoEstimateError):
    """The likelihood increases without bound: no maximum-likelihood estimate exists."""


class NoUniqueMLEError(NoEstimateError):
    """The data do not determine the parameters (e.g. σ̂² = 0 or too few groups)."""
