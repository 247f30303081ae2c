"""statbook.check: right answers pass, typical mistakes get their hint, crashes are reported.

Each section's checks get three kinds of answer: a correct one (written here
independently of the library, from the formula), typical wrong ones (a sign
error, a missing term) and one that crashes.  A check must never raise and
must never print the values it compares against.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gammaln, i0e

from statbook.check import REGISTRY, check
from statbook.check._framework import CheckResult

try:  # the section modules of 6.2-6.5 arrive with their branches
    from scipy.stats import norm
except ImportError:  # pragma: no cover
    norm = None


def crash(*args):
    raise ZeroDivisionError("boom")


# --- 6.1 -----------------------------------------------------------------------------------


def poisson_right(mu, y):
    y = np.asarray(y)
    return len(y) * mu - np.sum(y) * np.log(mu) + np.sum(gammaln(y + 1))


def poisson_sign(mu, y):
    return -poisson_right(mu, y)


def poisson_no_constant(mu, y):
    return len(y) * mu - np.sum(y) * np.log(mu)


def poisson_seed_typo(mu, y):
    y = np.asarray(y)
    return len(y) * mu - np.sum(y) * np.log(mu) + len(y) * gammaln(np.mean(y) + 1)


def log_phi_right(theta):
    kappa = np.hypot(theta[..., 0], theta[..., 1])
    return np.log(2 * np.pi) + kappa + np.log(i0e(kappa))


def log_phi_no_2pi(theta):
    return log_phi_right(theta) - np.log(2 * np.pi)


def log_phi_overflows(theta):
    kappa = np.hypot(theta[..., 0], theta[..., 1])
    with np.errstate(over="ignore"):
        return np.log(2 * np.pi * np.i0(kappa))


def gaussian_right(theta, y):
    t1, t2 = theta
    n = len(y)
    return (
        -t1 * np.sum(y)
        + t2 * np.sum(y**2)
        + n * t1**2 / (4 * t2)
        - n / 2 * np.log(t2)
        + n / 2 * np.log(np.pi)
    )


def gaussian_seed_sign(theta, y):
    return -gaussian_right(theta, y)


def gaussian_no_pi(theta, y):
    return gaussian_right(theta, y) - len(y) / 2 * np.log(np.pi)


# --- 6.2 -----------------------------------------------------------------------------------


def _moth_cells(par):
    p_c, p_i = par[..., 0], par[..., 1]
    p_t = 1 - p_c - p_i
    inside = (p_c >= 0) & (p_i >= 0) & (p_t >= 0)
    p_c, p_i, p_t = (np.where(inside, v, 1 / 3) for v in (p_c, p_i, p_t))
    return inside, p_c, p_i, p_t


def moth_right(par, x):
    inside, p_c, p_i, p_t = _moth_cells(np.asarray(par, dtype=float))
    value = -(x[0] * np.log(1 - (1 - p_c) ** 2) + x[1] * np.log(p_i**2 + 2 * p_i * p_t))
    value = value - x[2] * np.log(p_t**2)
    return np.where(inside, value, np.inf)


def moth_sign(par, x):
    return -moth_right(par, x)


def moth_no_factor_two(par, x):
    inside, p_c, p_i, p_t = _moth_cells(np.asarray(par, dtype=float))
    value = -(x[0] * np.log(p_c**2 + p_c * p_i + p_c * p_t) + x[1] * np.log(p_i**2 + p_i * p_t))
    value = value - x[2] * np.log(p_t**2)
    return np.where(inside, value, np.inf)


def moth_no_inf(par, x):
    value = moth_right(par, x)
    return np.where(np.isinf(value), 0.0, value)


def genotype_mle_right(counts):
    n_cc, n_ci, n_ct, n_ii, n_it, n_tt = counts
    n = n_cc + n_ci + n_ct + n_ii + n_it + n_tt
    return np.array([(2 * n_cc + n_ci + n_ct) / (2 * n), (2 * n_ii + n_ci + n_it) / (2 * n)])


def genotype_mle_per_moth(counts):
    return 2 * genotype_mle_right(counts)


def genotype_mle_once(counts):
    n_cc, n_ci, n_ct, n_ii, n_it, _ = counts
    n = sum(counts)
    return np.array([(n_cc + n_ci + n_ct) / (2 * n), (n_ii + n_ci + n_it) / (2 * n)])


# --- 6.3 -----------------------------------------------------------------------------------


def regression_right(beta, X, y):
    eta = X @ beta
    return np.sum(np.exp(eta)) - y @ eta + np.sum(gammaln(y + 1.0))


def regression_sign(beta, X, y):
    return -regression_right(beta, X, y)


def regression_no_constant(beta, X, y):
    return regression_right(beta, X, y) - np.sum(gammaln(y + 1.0))


# --- 6.4 -----------------------------------------------------------------------------------


def moments_right(p, mu, sigma):
    mean = p * mu[0] + (1 - p) * mu[1]
    second = p * (sigma[0] ** 2 + mu[0] ** 2) + (1 - p) * (sigma[1] ** 2 + mu[1] ** 2)
    return mean, second - mean**2


def moments_within_only(p, mu, sigma):
    return moments_right(p, mu, sigma)[0], p * sigma[0] ** 2 + (1 - p) * sigma[1] ** 2


def moments_sigma_as_variance(p, mu, sigma):
    return moments_right(p, mu, np.sqrt(sigma))


def density_right(y, p, mu, sigma):
    return p * norm.pdf(y, mu[0], sigma[0]) + (1 - p) * norm.pdf(y, mu[1], sigma[1])


def density_swapped(y, p, mu, sigma):
    return density_right(y, 1 - p, mu, sigma)


def density_variance(y, p, mu, sigma):
    return density_right(y, p, mu, np.sqrt(sigma))


# label -> (right answer, [(wrong answer, a phrase its hints must contain)])
ANSWERS = {
    "lik-ex-poisson": (
        poisson_right,
        [
            (poisson_sign, "minus the log-likelihood"),
            (poisson_no_constant, "Did you drop the constant"),
            (poisson_seed_typo, "sum of log(y_i!)"),
        ],
    ),
    "lik-ex-logphi": (
        log_phi_right,
        [(log_phi_no_2pi, "factor 2π"), (log_phi_overflows, "i0e")],
    ),
    "lik-ex-gaussian": (
        gaussian_right,
        [(gaussian_seed_sign, "flip every sign"), (gaussian_no_pi, "log π")],
    ),
    "multinomial-ex-moth": (
        moth_right,
        [
            (moth_sign, "minus the log-likelihood"),
            (moth_no_factor_two, "factor 2"),
            (moth_no_inf, "+inf"),
        ],
    ),
    "multinomial-ex-complete": (
        genotype_mle_right,
        [(genotype_mle_per_moth, "2N alleles"), (genotype_mle_once, "two C alleles")],
    ),
    "regression-ex-negloglik": (
        regression_right,
        [(regression_sign, "plus sign"), (regression_no_constant, "log(y_i!)")],
    ),
    "mixtures-ex-moments": (
        moments_right,
        [(moments_within_only, "spread of the means"), (moments_sigma_as_variance, "σ₁²")],
    ),
    "mixtures-ex-density": (
        density_right,
        [(density_swapped, "weight of component 1"), (density_variance, "standard deviations")],
    ),
}

#: the library module each check compares with; its tests skip until it is merged
LIBRARY = {label: label.split("-")[0] for label in ANSWERS}
LIBRARY.update({"lik-ex-poisson": "poisson", "lik-ex-logphi": "vonmises"})
LIBRARY["lik-ex-gaussian"] = "gaussian"


@pytest.fixture(autouse=True)
def _library_of(request):
    label = getattr(request.node, "callspec", None) and request.node.callspec.params.get("label")
    if label:
        pytest.importorskip(f"statbook.{LIBRARY[label]}")


# --- every registered check ----------------------------------------------------------------


def test_every_registered_check_has_answers_here():
    assert set(REGISTRY) == set(ANSWERS)


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_right_answer_passes(label, capsys):
    result = check(label, ANSWERS[label][0])
    printed = capsys.readouterr().out
    assert isinstance(result, CheckResult)
    assert result.passed, printed
    assert result.right == result.total >= 3
    assert "Well done" in printed and "✘" not in printed


@pytest.mark.parametrize(
    ("label", "wrong", "hint"),
    [(label, wrong, hint) for label, (_, mistakes) in ANSWERS.items() for wrong, hint in mistakes],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_typical_mistake_fails_with_its_hint(label, wrong, hint, capsys):
    result = check(label, wrong)
    printed = capsys.readouterr().out
    assert not result.passed
    assert "✘" in printed
    assert hint in printed, printed


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_crashing_answer_is_reported_not_raised(label, capsys):
    result = check(label, crash)
    printed = capsys.readouterr().out
    assert not result.passed and result.right == 0
    assert "ZeroDivisionError: boom" in printed
    assert printed.count("raised ZeroDivisionError") == 1  # repeats are summarized


@pytest.mark.parametrize("label", sorted(ANSWERS))
@pytest.mark.parametrize(
    "answer",
    [None, "text", 3.0, lambda: 1.0, lambda *a: "text", lambda *a: None, lambda *a: [1.0, 2.0]],
    ids=["None", "str", "number", "no-arguments", "returns-str", "returns-None", "wrong-shape"],
)
def test_odd_answers_never_raise(label, answer, capsys):
    result = check(label, answer)
    printed = capsys.readouterr().out
    assert not result.passed
    assert printed.strip()


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_warnings_in_student_code_do_not_escape(label):
    def warns(*args):
        return np.log(np.zeros(3))[0] * 0  # log(0) warns; the product is NaN

    assert not check(label, warns, quiet=True).passed


def test_function_returning_none_is_told_so(capsys):
    check("lik-ex-poisson", lambda mu, y: None)
    assert "returns None" in capsys.readouterr().out


def test_unknown_label_is_reported(capsys):
    result = check("no-such-exercise", poisson_right)
    assert not result.passed
    assert "no check for an exercise labelled 'no-such-exercise'" in capsys.readouterr().out


def test_messages_never_show_the_expected_values(capsys):
    from statbook import poisson

    check("lik-ex-poisson", poisson_no_constant)
    printed = capsys.readouterr().out
    for y in ([2, 0, 3, 1], [7, 12, 9, 10, 8, 11]):
        stats = poisson.suff_stats(y)
        for mu in (0.5, 1.5, 9.0):
            assert f"{float(poisson.negloglik(mu, stats)):.6g}" not in printed
