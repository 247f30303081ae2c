"""Checks for the coding exercises of section 6.2 (chapters/multinomial.md).

They compare with :mod:`statbook.multinomial`, imported when a check runs.
"""

from __future__ import annotations

import numpy as np

from statbook.check._framework import (
    Case,
    CheckResult,
    Mistake,
    Report,
    compare_function,
    exercise,
    is_callable_answer,
)

_PHENOTYPES = {
    "x = (85, 196, 341), the moths": np.array([85, 196, 341]),
    "x = (10, 20, 30)": np.array([10, 20, 30]),
}
_POINTS = {
    "(p_C, p_I) = (0.3, 0.3)": np.array([0.3, 0.3]),
    "(p_C, p_I) = (0.07, 0.19)": np.array([0.07, 0.19]),
    "(p_C, p_I) = (0.6, 0.1)": np.array([0.6, 0.1]),
}


def _no_factor_two(par, x):
    """−ℓ with the heterozygous genotypes counted once instead of twice."""
    p_c, p_i = par[..., 0], par[..., 1]
    p_t = 1 - p_c - p_i
    cells = np.stack([p_c**2 + p_c * p_i + p_c * p_t, p_i**2 + p_i * p_t, p_t**2], axis=-1)
    return -(np.log(cells) @ np.asarray(x, dtype=float))


@exercise(
    "multinomial-ex-moth",
    answer="moth_negloglik",
    stub="def moth_negloglik(par, x):\n    ...",
)
def moth_negloglik(answer, *, quiet: bool = False) -> CheckResult:
    """Check the peppered-moth −ℓ(p_C, p_I) ``answer(par, x)`` from phenotype counts."""
    from statbook import multinomial

    report = Report("multinomial-ex-moth", "the peppered-moth negative log-likelihood")
    if is_callable_answer(report, answer, "moth_negloglik"):
        cases = [
            Case((par, x), f"{pname}, {xname}", group=xname)
            for xname, x in _PHENOTYPES.items()
            for pname, par in _POINTS.items()
        ]
        cases.append(
            Case(
                (np.array([[0.3, 0.3], [0.1, 0.2]]), _PHENOTYPES["x = (10, 20, 30)"]),
                "two points at once, shape (2, 2)",
            )
        )
        cases.append(
            Case(
                (np.array([0.8, 0.4]), _PHENOTYPES["x = (10, 20, 30)"]), "p_T < 0, off the simplex"
            )
        )
        compare_function(
            report,
            answer,
            multinomial.moth_negloglik,
            cases,
            mistakes=[
                Mistake(
                    "the heterozygous genotypes counted once",
                    _no_factor_two,
                    "A heterozygous genotype such as CI arises in two orders (C from one "
                    "parent and I from the other, or the reverse): its probability has a factor 2.",
                )
            ],
            offset_hint="All cell probabilities must come from the same (p_C, p_I, p_T).",
        )
    return report.finish(quiet=quiet)


_GENOTYPES = {
    "N = (3, 17, 65, 22, 174, 341)": np.array([3, 17, 65, 22, 174, 341]),
    "N = (5, 0, 1, 2, 3, 9)": np.array([5, 0, 1, 2, 3, 9]),
    "N = (10, 0, 0, 0, 0, 0)": np.array([10, 0, 0, 0, 0, 0]),
}


def _alleles_counted_once(counts):
    n_cc, n_ci, n_ct, n_ii, n_it, _ = counts
    return np.array([n_cc + n_ci + n_ct, n_ii + n_ci + n_it]) / (2 * np.sum(counts))


@exercise(
    "multinomial-ex-complete",
    answer="genotype_mle",
    stub="def genotype_mle(genotype_counts):\n    ...",
)
def genotype_mle(answer, *, quiet: bool = False) -> CheckResult:
    """Check the complete-data MLE ``answer(genotype_counts)`` → (p̂_C, p̂_I)."""
    from statbook import multinomial

    report = Report("multinomial-ex-complete", "allele frequencies from genotype counts")
    if is_callable_answer(report, answer, "genotype_mle"):
        compare_function(
            report,
            answer,
            multinomial.genotype_mle,
            [Case((counts,), name) for name, counts in _GENOTYPES.items()],
            mistakes=[
                Mistake(
                    "homozygotes counted as one allele",
                    _alleles_counted_once,
                    "A CC moth carries two C alleles; a CI moth carries one.",
                )
            ],
            scale_hint="There are 2N alleles among N moths.",
        )
    return report.finish(quiet=quiet)
