"""statbook.check: right answers pass, typical mistakes get their hint, crashes are reported.

Each section's checks get three kinds of answer: a correct one (written here
independently of the library, from the formula), typical wrong ones (a sign
error, a missing term) and one that crashes.  A check must never raise and
must never print the values it compares against.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import os
import re
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import jupytext
import numpy as np
import pytest
from scipy import stats as scipy_stats
from scipy.special import gammaln
from scipy.stats import norm

from booktools.course import section_chapters
from statbook.check import REGISTRY, _sandbox, check, grading
from statbook.check import _framework as framework
from statbook.check._framework import CheckResult
from statbook.check._runner import Exercise
from statbook.check.mixed import unweighted_beta0 as profile_unweighted
from statbook.check.mixtures import log_of_sum as log_density_naive
from tests import submissions


def crash(*args):
    raise ZeroDivisionError("boom")


# --- 6.1 -----------------------------------------------------------------------------------


def poisson_right(mu, y):
    y, mu = np.asarray(y), np.asarray(mu, dtype=float)
    safe = np.where(mu > 0, mu, 1.0)
    value = len(y) * safe - np.sum(y) * np.log(safe) + np.sum(gammaln(y + 1))
    return np.where(mu > 0, value, np.inf)


def poisson_sign(mu, y):
    return -poisson_right(mu, y)


def poisson_no_constant(mu, y):
    return poisson_right(mu, y) - np.sum(gammaln(np.asarray(y) + 1))


def poisson_seed_typo(mu, y):
    y = np.asarray(y)
    return poisson_no_constant(mu, y) + len(y) * gammaln(np.mean(y) + 1)


def poisson_no_inf(mu, y):
    value = poisson_right(mu, y)
    return np.where(np.isinf(value), 0.0, value)


def gaussian_right(theta, y):
    theta = np.asarray(theta, dtype=float)
    t1, t2 = theta[..., 0], theta[..., 1]
    safe = np.where(t2 > 0, t2, 1.0)
    n = len(y)
    value = (
        -t1 * np.sum(y)
        + safe * np.sum(y**2)
        + n * t1**2 / (4 * safe)
        - n / 2 * np.log(safe)
        + n / 2 * np.log(np.pi)
    )
    return np.where(t2 > 0, value, np.inf)


def gaussian_seed_sign(theta, y):
    return -gaussian_right(theta, y)


def gaussian_no_pi(theta, y):
    return gaussian_right(theta, y) - len(y) / 2 * np.log(np.pi)


def gaussian_one_theta_only(theta, y):
    t1, t2 = theta[0], theta[1]  # indexes rows, not the last axis
    return gaussian_right(np.stack([t1, t2], axis=-1), y)


# --- 6.2 -----------------------------------------------------------------------------------


def complete_right(counts):
    n_cc, n_ci, n_ct, n_ii, n_it, n_tt = counts
    n = n_cc + n_ci + n_ct + n_ii + n_it + n_tt
    return np.array([(2 * n_cc + n_ci + n_ct) / (2 * n), (2 * n_ii + n_ci + n_it) / (2 * n)])


def complete_per_moth(counts):
    return 2 * complete_right(counts)


def complete_homozygotes_once(counts):
    n_cc, n_ci, n_ct, n_ii, n_it, _ = counts
    n = sum(counts)
    return np.array([(n_cc + n_ci + n_ct) / (2 * n), (n_ii + n_ci + n_it) / (2 * n)])


def collapse_right(counts, group):
    group = np.asarray(group)
    return np.array([np.sum(np.asarray(counts)[group == j]) for j in range(1, group.max() + 1)])


def collapse_zero_based(counts, group):
    return np.bincount(group, weights=counts)


def collapse_loop_bug(counts, group):
    return collapse_right(counts, group)[:-1]  # range(1, K0) misses the last group


# --- 6.3 -----------------------------------------------------------------------------------


def regression_right(beta, X, y):
    eta = X @ beta
    return np.sum(np.exp(eta)) - y @ eta + np.sum(gammaln(y + 1.0))


def regression_grad_right(beta, X, y):
    return X.T @ (np.exp(X @ beta) - y)


def regression_sign(beta, X, y):
    return -regression_right(beta, X, y)


def regression_no_constant(beta, X, y):
    return regression_right(beta, X, y) - np.sum(gammaln(y + 1.0))


def regression_grad_sign(beta, X, y):
    return -regression_grad_right(beta, X, y)


def regression_grad_per_row(beta, X, y):
    return np.exp(X @ beta) - y


# --- 6.4 -----------------------------------------------------------------------------------


def log_density_right(y, p, mu, sigma2):
    sd = np.sqrt(sigma2)
    return np.logaddexp(
        np.log(p) + norm.logpdf(y, mu[0], sd[0]), np.log1p(-p) + norm.logpdf(y, mu[1], sd[1])
    )


def log_density_swapped(y, p, mu, sigma2):
    return log_density_right(y, 1 - p, mu, sigma2)


def log_density_variance_as_sd(y, p, mu, sigma2):
    """scipy handed the variances as its standard deviations (no square root)."""
    return np.logaddexp(
        np.log(p) + norm.logpdf(y, mu[0], sigma2[0]),
        np.log1p(-p) + norm.logpdf(y, mu[1], sigma2[1]),
    )


def boundary_right(p, mu, sigma2):
    return (mu[0] + mu[1]) / 2 + sigma2 / (mu[1] - mu[0]) * np.log(p / (1 - p))


def boundary_flipped(p, mu, sigma2):
    return (mu[0] + mu[1]) / 2 - sigma2 / (mu[1] - mu[0]) * np.log(p / (1 - p))


def boundary_sigma_not_squared(p, mu, sigma2):
    return (mu[0] + mu[1]) / 2 + np.sqrt(sigma2) / (mu[1] - mu[0]) * np.log(p / (1 - p))


def boundary_variance_squared(p, mu, sigma2):
    return (mu[0] + mu[1]) / 2 + sigma2**2 / (mu[1] - mu[0]) * np.log(p / (1 - p))


# --- 6.5 -----------------------------------------------------------------------------------


def group_right(y_group, beta0, nu, sigma2):
    y_group = np.asarray(y_group, dtype=float)
    m = y_group.size
    cov = sigma2 * np.eye(m) + nu**2 * np.ones((m, m))
    resid = y_group - beta0
    _, logdet = np.linalg.slogdet(cov)
    return 0.5 * (m * np.log(2 * np.pi) + logdet + resid @ np.linalg.solve(cov, resid))


def group_sign(y_group, beta0, nu, sigma2):
    return -group_right(y_group, beta0, nu, sigma2)


def group_nu_as_variance(y_group, beta0, nu, sigma2):
    return group_right(y_group, beta0, np.sqrt(nu), sigma2)


def group_no_2pi(y_group, beta0, nu, sigma2):
    return group_right(y_group, beta0, nu, sigma2) - np.size(y_group) / 2 * np.log(2 * np.pi)


def profile_right(ratio, y, group):
    from scipy.optimize import minimize_scalar

    # σ̂²(λ) = min over β₀ of the quadratic form divided by N, computed with the full matrices
    blocks = [y[group == g] for g in np.unique(group)]

    def quadratic(beta0):
        total = 0.0
        for block in blocks:
            m = block.size
            inverse = np.linalg.inv(np.eye(m) + ratio * np.ones((m, m)))
            total += (block - beta0) @ inverse @ (block - beta0)
        return total

    return minimize_scalar(quadratic, bracket=(y.min(), y.max()), tol=1e-12).fun / y.size


def profile_per_group(ratio, y, group):
    return profile_right(ratio, y, group) * y.size / np.unique(group).size


# label -> (right answer, [(wrong answer, a phrase its hints must contain)])
ANSWERS = {
    "likelihood-ex-2": (
        poisson_right,
        [
            (poisson_sign, "minus the log-likelihood"),
            (poisson_no_constant, "Did you drop the constant"),
            (poisson_seed_typo, "sum of log(y_i!)"),
            (poisson_no_inf, "+inf"),
        ],
    ),
    "likelihood-ex-4": (
        gaussian_right,
        [
            (gaussian_seed_sign, "flip every sign"),
            (gaussian_no_pi, "log π"),
            (gaussian_one_theta_only, "theta[..., 0]"),
        ],
    ),
    "multinomial-ex-1": (
        complete_right,
        [(complete_per_moth, "2N alleles"), (complete_homozygotes_once, "two C alleles")],
    ),
    "multinomial-ex-2": (
        collapse_right,
        [(collapse_zero_based, "labels run 1, ..., K₀"), (collapse_loop_bug, "one sum per group")],
    ),
    "regression-ex-1": (
        (regression_right, regression_grad_right),
        [
            ((regression_sign, regression_grad_right), "plus sign"),
            ((regression_no_constant, regression_grad_right), "log(y_i!)"),
            ((regression_right, regression_grad_sign), "fitted minus observed"),
            ((regression_right, regression_grad_per_row), "one entry per coefficient"),
        ],
    ),
    "mixtures-ex-2": (
        log_density_right,
        [
            (log_density_naive, "np.logaddexp"),
            (log_density_swapped, "weight of component 1"),
            (log_density_variance_as_sd, "np.sqrt(sigma2[k])"),
        ],
    ),
    "mixtures-ex-4": (
        boundary_right,
        [
            (boundary_flipped, "towards component 2"),
            (boundary_sigma_not_squared, "variance σ², not with σ"),
            (boundary_variance_squared, "without squaring"),
        ],
    ),
    "mixed-ex-3": (
        group_right,
        [
            (group_sign, "minus the log density"),
            (group_nu_as_variance, "ν²"),
            (group_no_2pi, "(m/2) log 2π"),
        ],
    ),
    "mixed-ex-5": (
        profile_right,
        [(profile_unweighted, "weighted mean"), (profile_per_group, "number of observations")],
    ),
}

#: the library module each check compares with; its tests skip until it is merged
LIBRARY = {
    "likelihood-ex-2": "poisson",
    "likelihood-ex-4": "gaussian",
    "multinomial-ex-1": "multinomial",
    "multinomial-ex-2": "multinomial",
    "regression-ex-1": "regression",
    "mixtures-ex-2": "mixtures",
    "mixtures-ex-4": "mixtures",
    "mixed-ex-3": "mixed",
    "mixed-ex-5": "mixed",
}


@pytest.fixture(autouse=True)
def _library_of(request):
    callspec = getattr(request.node, "callspec", None)
    label = callspec.params.get("label") if callspec else None
    if label:
        pytest.importorskip(f"statbook.{LIBRARY[label]}")


def answers(answer) -> tuple:
    """The answers of an exercise as arguments of check: one function, or a tuple of them."""
    return answer if isinstance(answer, tuple) else (answer,)


def slots(label: str) -> int:
    return len(answers(ANSWERS[label][0]))


# --- every registered check ----------------------------------------------------------------


def test_every_registered_check_has_answers_here():
    assert set(REGISTRY) == set(ANSWERS)


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_right_answer_passes(label, capsys):
    result = check(label, *answers(ANSWERS[label][0]))
    printed = capsys.readouterr().out
    assert isinstance(result, CheckResult)
    assert result.passed, printed
    assert result.right == result.total >= 3
    assert "Well done" in printed and "✘" not in printed


@pytest.mark.parametrize(
    ("label", "wrong", "hint"),
    [(label, wrong, hint) for label, (_, mistakes) in ANSWERS.items() for wrong, hint in mistakes],
    ids=lambda value: "-".join(f.__name__ for f in value) if isinstance(value, tuple) else None,
)
def test_typical_mistake_fails_with_its_hint(label, wrong, hint, capsys):
    result = check(label, *answers(wrong))
    printed = capsys.readouterr().out
    assert not result.passed
    assert "✘" in printed
    assert hint in printed, printed


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_crashing_answer_is_reported_not_raised(label, capsys):
    result = check(label, *[crash] * slots(label))
    printed = capsys.readouterr().out
    assert not result.passed and result.right == 0
    assert "ZeroDivisionError: boom" in printed
    assert printed.count("raised ZeroDivisionError") == slots(label)  # repeats are summarized


@pytest.mark.parametrize("label", sorted(ANSWERS))
@pytest.mark.parametrize(
    "answer",
    [None, "text", 3.0, lambda: 1.0, lambda *a: "text", lambda *a: None, lambda *a: [1.0, 2.0]],
    ids=["None", "str", "number", "no-arguments", "returns-str", "returns-None", "wrong-shape"],
)
def test_odd_answers_never_raise(label, answer, capsys):
    result = check(label, *[answer] * slots(label))
    printed = capsys.readouterr().out
    assert not result.passed
    assert printed.strip()


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_warnings_in_student_code_do_not_escape(label):
    def warns(*args):
        return np.log(np.zeros(3))[0] * 0  # log(0) warns; the product is NaN

    assert not check(label, *[warns] * slots(label), quiet=True).passed


def test_wrong_number_of_arguments_is_explained_without_our_frames(capsys):
    result = check("likelihood-ex-2", lambda mu: mu)
    printed = capsys.readouterr().out
    assert not result.passed
    assert "TypeError" in printed and "positional argument" in printed
    assert "call_safely" not in printed


def test_function_returning_none_is_told_so(capsys):
    check("likelihood-ex-2", lambda mu, y: None)
    assert "returns None" in capsys.readouterr().out


def test_unknown_label_is_reported(capsys):
    result = check("no-such-exercise", poisson_right)
    assert not result.passed
    assert "no check for an exercise labelled 'no-such-exercise'" in capsys.readouterr().out


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_messages_never_show_the_expected_values(label, capsys, monkeypatch):
    module = importlib.import_module(REGISTRY[label].checker.__module__)
    seen = []

    def recording(report, answer, reference, cases, **options):
        seen.append((reference, cases))
        return framework.compare_function(report, answer, reference, cases, **options)

    monkeypatch.setattr(module, "compare_function", recording)
    check(label, *answers(ANSWERS[label][1][0][0]))
    printed = capsys.readouterr().out
    assert seen, "the check compared nothing"
    for reference, cases in seen:
        for case in cases:
            expected = np.asarray(reference(*case.args), dtype=float)
            if not np.all(np.isfinite(expected) & (expected != 0)):
                continue  # 0 and inf are no secret
            shown = framework._short(expected)
            # a value with the opposite sign is the student's (and tells them it is a sign error)
            assert not re.search(rf"(?<![-\d.]){re.escape(shown)}(?![\d])", printed), (
                case.describe,
                shown,
            )


# --- the chapters' own solutions pass their checks ------------------------------------------


def chapter_solutions() -> dict[str, tuple[Path, str]]:
    """label -> (chapter, code of its gated solution cells), for every registered exercise."""
    found = {}
    for chapter in section_chapters():
        notebook = jupytext.read(chapter, fmt="md:myst")
        label = None
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                start = re.search(r"\{solution-start\}\s+(\S+)", cell.source)
                label = start[1] if start else (None if "{solution-end}" in cell.source else label)
            elif label in REGISTRY and "solution" in cell.metadata.get("tags", []):
                chapter_code = found.get(label, (chapter, ""))[1]
                found[label] = (chapter, chapter_code + "\n" + cell.source)
    return found


def definitions(chapter: Path, code: str) -> dict:
    """The chapter's imports and the functions the solution defines, run in a fresh namespace."""
    notebook = jupytext.read(chapter, fmt="md:myst")
    imports = [
        node
        for cell in notebook.cells
        if cell.cell_type == "code"
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    functions = [node for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
    namespace: dict = {}
    exec(
        compile(ast.Module(body=imports + functions, type_ignores=[]), "solution", "exec"),
        namespace,
    )
    return namespace


SOLUTIONS = chapter_solutions()


@pytest.mark.parametrize("label", sorted(SOLUTIONS))
def test_chapter_solution_passes_its_check(label, capsys):
    chapter, code = SOLUTIONS[label]
    namespace = definitions(chapter, code)
    names = REGISTRY[label].answer.split(", ")
    result = check(label, *(namespace[name] for name in names))
    assert result.passed, capsys.readouterr().out


# --- the self-check is safe and fair ----------------------------------------------------------


def test_a_call_that_runs_too_long_is_stopped_and_said_so(capsys, monkeypatch):
    monkeypatch.setattr(framework, "TIME_LIMIT", 0.5)

    def loops(mu, y):
        while True:
            pass

    result = check("likelihood-ex-2", loops)
    printed = capsys.readouterr().out
    assert (result.right, result.total) == (0, 8)
    assert "did not finish within 0.5 s" in printed
    assert not [t for t in threading.enumerate() if t.name == "statbook-check"]


def test_inputs_are_copied_before_each_call():
    def right_but_edits_its_input(mu, y):
        value = poisson_right(mu, y)
        y[:] = 0  # an in-place edit of the data
        if isinstance(mu, np.ndarray):
            mu[...] = 1.0  # and of the parameter
        return value

    assert check("likelihood-ex-2", right_but_edits_its_input, quiet=True).passed


@pytest.mark.parametrize(
    ("returned", "why"),
    [
        (lambda mu, y: poisson_right(mu, y) + 0j, "a complex number"),
        (lambda mu, y: poisson_right(mu, y) * np.nan, "NaN"),
    ],
    ids=["complex", "nan"],
)
def test_complex_and_nan_results_are_rejected_before_comparing(returned, why):
    result = check("likelihood-ex-2", returned, quiet=True)
    assert (result.right, result.total) == (0, 8)
    assert why in result.message


@pytest.mark.parametrize(
    "answer",
    [None, poisson_right, crash, lambda mu, y: None, lambda mu: mu, lambda mu, y: [1.0, 2.0]],
    ids=["not-a-function", "right", "raises", "blank", "wrong-arguments", "wrong-shape"],
)
def test_every_answer_is_checked_on_the_same_number_of_cases(answer):
    assert check("likelihood-ex-2", answer, quiet=True).total == 8


def test_the_student_function_cannot_reach_the_checker_frames():
    seen = []

    def snoops(mu, y):
        frame = sys._getframe(1)
        while frame is not None:
            seen.append((frame.f_code.co_name, dict(frame.f_locals)))
            frame = frame.f_back
        return poisson_right(mu, y)

    assert check("likelihood-ex-2", snoops, quiet=True).passed
    names = {name for name, _ in seen}
    assert "compare_function" not in names and "poisson_negloglik" not in names
    values = [value for _, local in seen for value in local.values()]
    assert not any(isinstance(value, framework.Case | framework.Report) for value in values)
    assert all(name not in local for _, local in seen for name in ("expected", "reference"))


def test_what_the_student_prints_is_captured_and_shortened(capsys):
    def chatty(mu, y):
        print("x" * 10_000)
        return poisson_right(mu, y)

    result = check("likelihood-ex-2", chatty)
    printed = capsys.readouterr().out
    assert result.passed
    assert printed == result.message + "\n"  # nothing else reached the notebook
    assert "x" * 10_000 not in printed


def test_printed_output_is_shown_back_when_wrong():
    def chatty_and_wrong(mu, y):
        print("debugging", mu)
        return poisson_sign(mu, y)

    result = check("likelihood-ex-2", chatty_and_wrong, quiet=True)
    assert "(your function printed: debugging" in result.message


@pytest.mark.parametrize(
    ("source", "named"),
    [
        (submissions.POISSON_N_FOR_SUM, "N·log μ instead of (Σ y_i)·log μ"),
        (submissions.POISSON_OFF_BY_ONE, "log((y_i − 1)!) instead of log(y_i!)"),
    ],
    ids=["n-for-sum", "off-by-one"],
)
def test_n_for_sum_and_off_by_one_are_named(source, named):
    result = check("likelihood-ex-2", submitted(source, "poisson_negloglik"), quiet=True)
    assert not result.passed and named in result.message
    assert "Did you drop the constant" not in result.message


def test_the_naive_log_of_a_sum_gets_no_false_constant_hints():
    answer = submitted(submissions.MIXTURE_LOG_OF_SUM, "mixture_log_density")
    result = check("mixtures-ex-2", answer, quiet=True)
    assert not result.passed
    assert "np.logaddexp" in result.message
    assert "constant" not in result.message and "factor" not in result.message


def test_variance_for_standard_deviation_is_named():
    answer = submitted(submissions.MIXTURE_VARIANCE_FOR_SD, "mixture_log_density")
    result = check("mixtures-ex-2", answer, quiet=True)
    assert not result.passed
    assert "the variance σ² passed as a standard deviation" in result.message
    right = submitted(submissions.MIXTURE_RIGHT, "mixture_log_density")
    assert check("mixtures-ex-2", right, quiet=True).passed


def submitted(source: str, name: str):
    """The function a submission's answer cell defines (as the notebook would run it)."""
    namespace = {"np": np, "stats": scipy_stats}
    exec(compile(source, "<answer cell>", "exec"), namespace)
    return namespace[name]


# --- the limit holds whatever the student's code does (issue 28) ------------------------------


@pytest.fixture(params=["fork", "thread"])
def sandbox(request, monkeypatch):
    """Each hostile answer in a child process (where there is fork) and in a thread, 0.5 s."""
    if request.param == "fork" and not _sandbox.FORK:
        pytest.skip("no fork on this platform: the calls run in threads")
    monkeypatch.setattr(_sandbox, "FORK", request.param == "fork")
    monkeypatch.setattr(framework, "TIME_LIMIT", 0.5)
    return request.param


def stall():
    """Thirty seconds of sleep in short naps (so that a thread can be stopped between them)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.01)


def timed_check(*args) -> tuple[CheckResult, float]:
    start = time.monotonic()
    result = check(*args, quiet=True)
    return result, time.monotonic() - start


@pytest.mark.skipif(not _sandbox.FORK, reason="only a child process can stop a long call into C")
def test_a_long_call_into_c_is_stopped_on_time(monkeypatch):
    monkeypatch.setattr(framework, "TIME_LIMIT", 0.5)

    def sums_first(mu, y):
        sum(range(2 * 10**8))  # one C call: 20-30 s, which no other thread can interrupt
        return poisson_right(mu, y)

    result, seconds = timed_check("likelihood-ex-2", sums_first)
    assert seconds < 4
    assert (result.right, result.total) == (0, 8)
    assert "did not finish within 0.5 s" in result.message


class Stalls:
    """A result whose conversion to a number, or whose repr, does not finish."""

    def __init__(self, where: str):
        self.where = where

    def __float__(self):
        if self.where == "__float__":
            stall()
        return 1.0

    def __array__(self, dtype=None, copy=None):
        if self.where == "__array__":
            stall()
        return np.array(1.0)

    def __repr__(self):
        stall()
        return "Stalls()"


class NoNumber:
    """Not a number: only its repr says what it is, and that stalls."""

    def __repr__(self):
        stall()
        return "NoNumber()"


class StallingMessage(Exception):
    def __str__(self):
        stall()
        return "late"


def raises_stalling_message(*args):
    raise StallingMessage


@pytest.mark.parametrize(
    "answer",
    [
        lambda *args: [Stalls("__float__")],
        lambda *args: Stalls("__array__"),
        lambda *args: NoNumber(),
        raises_stalling_message,
    ],
    ids=["float", "array", "repr", "exception-str"],
)
def test_a_result_or_message_that_stalls_is_stopped_on_time(sandbox, answer):
    result, seconds = timed_check("likelihood-ex-2", answer)
    assert seconds < 4, sandbox
    assert (result.right, result.total) == (0, 8)
    assert "did not finish within 0.5 s" in result.message


class UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("no message")


def exits(mu, y):
    raise SystemExit(3)


def calls_sys_exit(mu, y):
    sys.exit("bye")


def interrupts(mu, y):
    raise KeyboardInterrupt


def raises_unprintable(mu, y):
    raise UnprintableError


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (exits, "SystemExit: 3 (in exits, line"),
        (calls_sys_exit, "SystemExit: bye"),
        (interrupts, "KeyboardInterrupt:  (in interrupts, line"),
        (raises_unprintable, "UnprintableError: <its message could not be shown"),
    ],
    ids=["SystemExit", "sys.exit", "KeyboardInterrupt", "failing-str"],
)
def test_an_exit_an_interrupt_or_a_failing_message_is_not_a_time_out(sandbox, answer, said):
    result, seconds = timed_check("likelihood-ex-2", answer)
    assert seconds < 2
    assert (result.right, result.total) == (0, 8)
    assert f"every case: your code raised {said}" in result.message
    assert "did not finish" not in result.message


def test_every_message_of_the_student_is_shortened(sandbox):
    def huge(mu, y):
        warnings.warn("w" * 5_000_000, stacklevel=1)
        print("p" * 5_000_000)
        if np.ndim(mu) == 0 and mu > 1:
            raise ValueError("x" * 5_000_000)
        return poisson_sign(mu, y)

    result = check("likelihood-ex-2", huge, quiet=True)
    assert not result.passed
    assert len(result.message) < 4000
    assert f"ValueError: {'x' * 200} …" in result.message
    assert f"(your code warned: {'w' * 200} …)" in result.message
    assert f"(your function printed: {'p' * 200} …)" in result.message


class NamedAtLength(type):
    @property
    def __name__(cls):
        stall()
        return "late"


def test_the_type_of_an_answer_is_named_without_running_it(capsys):
    odd = NamedAtLength("O" * 100_000, (), {})()
    result, seconds = timed_check("likelihood-ex-2", odd)
    assert seconds < 2
    assert "expected a function (the poisson_negloglik you defined), got OOO" in result.message
    assert len(result.message) < 1000


@pytest.mark.skipif(not _sandbox.FORK, reason="only a child process can end on its own")
def test_a_call_that_ends_the_process_is_reported_and_the_other_cases_run():
    def ends_on_a_grid(mu, y):
        if np.ndim(mu) == 2:
            os._exit(0)
        return poisson_right(mu, y)

    result = check("likelihood-ex-2", ends_on_a_grid, quiet=True)
    assert (result.right, result.total) == (7, 8)
    assert "μ of shape (2, 2): your code raised ChildProcessError" in result.message


def test_where_no_process_can_be_started_the_calls_run_in_threads(monkeypatch):
    def no_fork():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert check("likelihood-ex-2", poisson_right, quiet=True).passed
    result = check("likelihood-ex-2", exits, quiet=True)
    assert "every case: your code raised SystemExit: 3" in result.message


def children() -> set[int]:
    """The processes this one started that are still running (not zombies)."""
    found = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread or a child that just ended
            for pid in (task / "children").read_text().split():
                if Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
                    found.add(int(pid))
    return found


@pytest.mark.skipif(
    not (_sandbox.FORK and Path(f"/proc/self/task/{os.getpid()}/children").exists()),
    reason="needs Linux's /proc/<pid>/task/<tid>/children",
)
def test_interrupting_the_check_stops_its_child(monkeypatch):
    monkeypatch.setattr(framework, "TIME_LIMIT", 10.0)
    before = children()

    def loops(mu, y):
        while True:
            pass

    main = threading.main_thread().ident
    timer = threading.Timer(0.5, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        check("likelihood-ex-2", loops, quiet=True)
    assert time.monotonic() - start < 5
    timer.join()
    deadline = time.monotonic() + 5
    while children() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not children() - before


def rebind_every_function(monkeypatch, module, value=0.0):
    for name, obj in vars(module).items():
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            monkeypatch.setattr(module, name, lambda *args, **kwargs: value)


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_rebinding_the_library_does_not_change_the_right_values(label, monkeypatch):
    module = importlib.import_module(f"statbook.{LIBRARY[label]}")
    rebind_every_function(monkeypatch, module)
    rebind_every_function(monkeypatch, importlib.import_module("statbook._validate"))
    monkeypatch.setattr(module, "suff_stats", lambda *args: 0.0, raising=False)
    assert check(label, *answers(ANSWERS[label][0]), quiet=True).passed
    zeros = check(label, *[lambda *args: np.zeros(np.shape(args[0]))] * slots(label), quiet=True)
    assert zeros.right < zeros.total


# --- the self-checks are data (issue 31) ------------------------------------------------------


@pytest.mark.parametrize(
    "section", ["likelihood", "multinomial", "regression", "mixtures", "mixed"]
)
def test_a_section_declares_its_exercises_and_nothing_of_the_runner(section):
    module = importlib.import_module(f"statbook.check.{section}")
    source = inspect.getsource(module)
    assert module.EXERCISES and all(isinstance(e, Exercise) for e in module.EXERCISES)
    for exercise in module.EXERCISES:
        assert REGISTRY[exercise.label] is exercise
        assert source.count(f'"{exercise.label}"') == 1  # the label is written once
    for skeleton in ("@exercise", "Report(", "compare_function", "finish(", "CheckResult"):
        assert skeleton not in source, skeleton


def test_the_answer_cell_and_the_call_come_from_the_signatures():
    entry = REGISTRY["regression-ex-1"]
    assert entry.answer == "poisson_regression_negloglik, poisson_regression_grad"
    assert entry.stub == (
        "def poisson_regression_negloglik(beta, X, y):\n    ...\n\n\n"
        "def poisson_regression_grad(beta, X, y):\n    ..."
    )
    assert REGISTRY["likelihood-ex-2"].stub == "def poisson_negloglik(mu, y):\n    ..."


# --- the hidden tests of the graded course -----------------------------------------------------


def test_own_code_refuses_the_library_however_it_is_reached():
    from statbook import gaussian, poisson

    direct = submitted(submissions.POISSON_LIBRARY, "poisson_negloglik")
    aliased = submitted(submissions.GAUSSIAN_LIBRARY, "gaussian_negloglik_canonical")
    for answer, module in ((direct, poisson), (aliased, gaussian)):
        with pytest.raises(AssertionError, match="0 points: your answer uses statbook"):
            grading.assert_own_code(answer, module)

    def helper(mu, y):
        return poisson.negloglik(mu, poisson.suff_stats(y))

    def via_helper(mu, y):
        return helper(mu, y)

    with pytest.raises(AssertionError, match=r"statbook\.poisson\.negloglik"):
        grading.assert_own_code(via_helper, poisson)


def test_own_code_accepts_an_own_answer():
    from statbook import poisson

    grading.assert_own_code(submitted(submissions.POISSON_RIGHT, "poisson_negloglik"), poisson)


def test_agrees_names_the_hidden_case_and_never_the_value():
    from statbook import poisson

    def reference(mu, y):
        return poisson.negloglik(mu, poisson.suff_stats(y))

    cases = [(np.array([1.0, 2.0]), np.array([3, 1])), (np.array([0.5]), np.array([7, 7, 0]))]
    grading.assert_agrees(poisson_right, reference, cases)
    with pytest.raises(AssertionError, match="hidden case 1: your value is not right") as info:
        grading.assert_agrees(poisson_sign, reference, cases)
    assert framework._short(reference(*cases[0])) not in str(info.value)


@pytest.mark.parametrize("label", sorted(ANSWERS))
def test_no_case_set_hides_a_typical_mistake(label, monkeypatch):
    """Each typical mistake a check names differs from the right value on some case."""
    module = importlib.import_module(REGISTRY[label].checker.__module__)
    seen = []

    def recording(report, answer, reference, cases, **options):
        seen.append((reference, cases, options.get("mistakes", ())))
        return framework.compare_function(report, answer, reference, cases, **options)

    monkeypatch.setattr(module, "compare_function", recording)
    check(label, *answers(ANSWERS[label][0]), quiet=True)
    assert seen
    for reference, cases, mistakes in seen:
        for mistake in mistakes:
            assert any(
                not framework._matches(
                    np.asarray(reference(*case.args), dtype=float), mistake.value, case.args, 1e-6
                )
                for case in cases
            ), mistake.name
