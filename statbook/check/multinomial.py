"""Checks for the coding exercises of section 6.2 (chapters/multinomial.md).

- multinomial-ex-1: ``complete_data_mle(genotype_counts)``, compared with
  ``statbook.multinomial.genotype_mle``;
- multinomial-ex-2: ``collapse_cells(counts, group)``, compared with
  ``statbook.multinomial.collapse``.
"""

from __future__ import annotations

import numpy as np

from statbook.check._framework import Case, Mistake
from statbook.check._library import library
from statbook.check._runner import Exercise, Part

_GENOTYPES = {
    "N = (3, 17, 65, 22, 174, 341)": np.array([3, 17, 65, 22, 174, 341]),
    "N = (4, 11, 25, 9, 40, 30)": np.array([4, 11, 25, 9, 40, 30]),
    "N = (10, 0, 0, 0, 0, 0)": np.array([10, 0, 0, 0, 0, 0]),
}
_MOTHS = np.array([1, 1, 1, 2, 2, 3])


def _genotype_mle(counts):
    return library("multinomial").genotype_mle(counts)


def _homozygotes_once(counts):
    n_cc, n_ci, n_ct, n_ii, n_it, _ = counts
    return np.array([n_cc + n_ci + n_ct, n_ii + n_ci + n_it]) / (2 * np.sum(counts))


def _collapse(counts, group):
    return library("multinomial").collapse(counts, group)


def _zero_based(counts, group):
    return np.bincount(np.asarray(group), weights=np.asarray(counts, dtype=float))


EXERCISES = (
    Exercise(
        "multinomial-ex-1",
        "allele frequencies from genotype counts",
        Part(
            "complete_data_mle(genotype_counts)",
            _genotype_mle,
            [Case((counts,), name) for name, counts in _GENOTYPES.items()],
            mistakes=[
                Mistake(
                    "homozygotes counted as one allele",
                    _homozygotes_once,
                    "A CC moth carries two C alleles; a CI moth carries one.",
                )
            ],
            scale_hint="N moths carry 2N alleles.",
            shape_hint="Return the two frequencies (p_C, p_I) as one array.",
        ),
    ),
    Exercise(
        "multinomial-ex-2",
        "collapsing cells by group",
        Part(
            "collapse_cells(counts, group)",
            _collapse,
            [
                Case((np.array([3, 17, 65, 22, 174, 341]), _MOTHS), "genotype counts of the moths"),
                Case(
                    (np.array([0.01, 0.1, 0.2, 0.09, 0.3, 0.3]), _MOTHS),
                    "probabilities of the moths",
                ),
                Case((np.array([1, 2, 3, 4]), np.array([2, 1, 2, 3])), "group = [2, 1, 2, 3]"),
                Case((np.array([5, 6, 7]), np.array([1, 1, 1])), "a single group"),
            ],
            mistakes=[
                Mistake(
                    "the labels used as if they started at 0",
                    _zero_based,
                    "The labels run 1, ..., K₀: group j is at position j − 1 of the result.",
                )
            ],
            shape_hint="Return one sum per group, K₀ numbers in the order of the labels 1..K₀.",
        ),
    ),
)
