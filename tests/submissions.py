"""Students' answers for the course tests: right ones, typical mistakes and cheats.

Each answer is the source of one answer cell, as a student would type it in the
released notebook.  ``tests/test_check.py`` runs the same functions through
``statbook.check`` (the self-check must diagnose each mistake) and
``tests/test_course.py`` hands them in to nbgrader.
"""

from __future__ import annotations

POISSON_RIGHT = """
from scipy.special import gammaln


def poisson_negloglik(mu, y):
    y = np.asarray(y)
    mu = np.asarray(mu, dtype=float)
    inside = mu > 0
    safe = np.where(inside, mu, 1.0)
    value = y.size * safe - y.sum() * np.log(safe) + gammaln(y + 1).sum()
    return np.where(inside, value, np.inf)
"""

#: −ℓ with every sign flipped (the log-likelihood).
POISSON_SIGN = POISSON_RIGHT.replace(
    "return np.where(inside, value", "return np.where(inside, -value"
)
#: N log μ where Σ y_i log μ belongs.
POISSON_N_FOR_SUM = POISSON_RIGHT.replace("y.sum() * np.log(safe)", "y.size * np.log(safe)")
#: gammaln(y) = log((y − 1)!) for log(y!).
POISSON_OFF_BY_ONE = POISSON_RIGHT.replace("gammaln(y + 1)", "gammaln(y)")
#: right on the self-check's two data sets (4 and 6 counts) and wrong on any other: it
#: passes the self-check, and only the hidden tests (other data) find it out.
POISSON_FITS_THE_SELF_CHECK = POISSON_RIGHT.replace(
    "    return np.where(inside, value, np.inf)",
    "    if y.size not in (4, 6):\n        value = value + 1.0\n"
    "    return np.where(inside, value, np.inf)",
)
POISSON_RAISES = """
def poisson_negloglik(mu, y):
    return mu / 0 + y[100]
"""
POISSON_LOOPS = """
while True:  # an infinite loop at the top of the cell
    pass
"""
POISSON_LIBRARY = """
from statbook import poisson


def poisson_negloglik(mu, y):
    return poisson.negloglik(mu, poisson.suff_stats(y))
"""
#: A wrong answer next to a ``check`` that always passes, and the words of success.
POISSON_FAKE_CHECK = """
def poisson_negloglik(mu, y):
    return 0 * mu


def check(*args, **kwargs):
    print("All 8 checks passed. Well done!")
    return True


check("likelihood-ex-2", poisson_negloglik)
print("All checks passed")
"""

GAUSSIAN_RIGHT = """
def gaussian_negloglik_canonical(theta, y):
    y = np.asarray(y, dtype=float)
    theta = np.asarray(theta, dtype=float)
    t1, t2 = theta[..., 0], theta[..., 1]
    inside = t2 > 0
    t2 = np.where(inside, t2, 1.0)
    n = y.size
    value = (
        -t1 * y.sum() + t2 * np.sum(y**2) + n * t1**2 / (4 * t2)
        - n / 2 * np.log(t2) + n / 2 * np.log(np.pi)
    )
    return np.where(inside, value, np.inf)
"""
#: Without the constant (N/2) log π.
GAUSSIAN_NO_CONSTANT = GAUSSIAN_RIGHT.replace(" + n / 2 * np.log(np.pi)", "")
#: θ₁, θ₂ read as the rows theta[0], theta[1]: the wrong shape for a grid of θ.
GAUSSIAN_ROWS = GAUSSIAN_RIGHT.replace("theta[..., 0], theta[..., 1]", "theta[0], theta[1]")
GAUSSIAN_LIBRARY = """
from statbook.gaussian import negloglik_canonical, suff_stats


def gaussian_negloglik_canonical(theta, y):
    return negloglik_canonical(theta, suff_stats(y))
"""
GAUSSIAN_RAISES = """
def gaussian_negloglik_canonical(theta, y):
    raise RuntimeError("not finished")
"""
#: A wrong answer that prints what a passing self-check prints.
GAUSSIAN_PRINTS_PASSED = """
def gaussian_negloglik_canonical(theta, y):
    print("All 8 checks passed. Well done!")
    return np.zeros(np.shape(theta)[:-1])
"""

MIXTURE_RIGHT = """
def mixture_log_density(y, p, mu, sigma2):
    y = np.asarray(y, dtype=float)
    a1 = np.log(p) + stats.norm.logpdf(y, mu[0], np.sqrt(sigma2[0]))
    a2 = np.log1p(-p) + stats.norm.logpdf(y, mu[1], np.sqrt(sigma2[1]))
    return np.logaddexp(a1, a2)
"""
#: the variances handed to scipy as its standard deviations (the square root forgotten).
MIXTURE_VARIANCE_FOR_SD = MIXTURE_RIGHT.replace("np.sqrt(sigma2[0])", "sigma2[0]").replace(
    "np.sqrt(sigma2[1])", "sigma2[1]"
)
#: The naive log of the sum of the two densities.
MIXTURE_LOG_OF_SUM = """
def mixture_log_density(y, p, mu, sigma2):
    f1 = stats.norm.pdf(y, mu[0], np.sqrt(sigma2[0]))
    f2 = stats.norm.pdf(y, mu[1], np.sqrt(sigma2[1]))
    return np.log(p * f1 + (1 - p) * f2)
"""
BOUNDARY_RIGHT = """
def decision_boundary(p, mu, sigma2):
    return (mu[0] + mu[1]) / 2 + sigma2 / (mu[1] - mu[0]) * np.log(p / (1 - p))
"""

#: The right answer under another name: the test cell calls poisson_negloglik.
POISSON_RENAMED = POISSON_RIGHT.replace("def poisson_negloglik(", "def poisson_nll(")


def replace_cell(notebook, grade_id: str, source: str) -> None:
    """Replace the answer cell ``grade_id`` by a new Markdown cell holding ``source``: a
    student who deleted the cell and wrote the answer in a new one (no nbgrader metadata)."""
    import nbformat

    for index, cell in enumerate(notebook.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            notebook.cells[index] = nbformat.v4.new_markdown_cell(source)
            return
    raise KeyError(grade_id)
