"""Exact allocation of codes to respondents ("quotas") instead of independent draws.

A national figure is met to within one respondent per code however the respondents
are split into organisations and chunks: each `QuotaStream` remembers what it has
handed out so far and gives every new chunk what brings the running total closest to
the target shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def largest_remainder(shares: np.ndarray, n: int) -> np.ndarray:
    """Integer counts summing to n, as close as possible to shares * n (shares >= 0)."""
    total = shares.sum()
    if n == 0 or total <= 0:
        return np.zeros(len(shares), dtype=np.int64)
    exact = shares / total * n
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    if short > 0:
        # ties broken by position, so the result is deterministic
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


class QuotaStream:
    """Counts per code for successive chunks, exact in the running total."""

    def __init__(self, codes: Sequence[int], shares: Sequence[float]):
        self.codes = np.asarray(codes, dtype=np.float64)
        self.shares = np.asarray(shares, dtype=np.float64)
        self.shares = self.shares / self.shares.sum()
        self.given = np.zeros(len(self.codes), dtype=np.int64)

    def counts(self, n: int) -> np.ndarray:
        wanted = self.shares * (self.given.sum() + n) - self.given
        counts = largest_remainder(np.clip(wanted, 0.0, None), n)
        self.given += counts
        return counts

    def shuffled(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n codes in random order, with exact counts."""
        values = np.repeat(self.codes, self.counts(n))
        rng.shuffle(values)
        return values

    def ranked(self, score: np.ndarray) -> np.ndarray:
        """Codes by rank of score: the highest scores get the first code."""
        return assign_by_rank(score, self.codes, self.counts(len(score)))


def assign_by_rank(score: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    values = np.empty(len(score), dtype=np.float64)
    order = np.argsort(-score, kind="stable")
    values[order] = np.repeat(np.asarray(codes, dtype=np.float64), counts)
    return values
