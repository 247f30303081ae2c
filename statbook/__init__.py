"""statbook: the model code behind the book *Four families of statistical models*.

One module per model family, each with plain vectorized functions:
``suff_stats(data)`` computed once, then ``negloglik(par, stats)`` (plus
``grad``/``hessian`` where the model has them), ``simulate(..., rng)`` and
``mle``/``fit``.  ``negloglik`` broadcasts over leading axes of ``par``, so a
whole likelihood surface is one call, and returns ``+inf`` off the parameter
space.  Malformed data raises ``ValueError`` naming the argument.
"""

__version__ = "0.1.0"
