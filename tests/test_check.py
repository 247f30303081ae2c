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
}


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
