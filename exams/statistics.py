"""Exam and item statistics, as Moodle's quiz statistics report defines them.

Pure functions over plain numbers, so tests can check them against a hand calculation. Statistics are
descriptive figures (a standard deviation is irrational), so they are computed in floating point from the
exact Decimal marks and shown rounded; scores themselves stay Decimal.

Definitions (n candidates; x_i a candidate's item mark; T the candidate's total):
- mean, median; SD is the sample standard deviation (n − 1), as Moodle reports it.
- Cronbach's alpha over the items every candidate answered: k/(k−1) · (1 − Σ var(item) / var(total)).
- Facility index: mean item mark as a percentage of the item's maximum.
- Discrimination index (Moodle): 100 × Pearson correlation between the item mark and the rest of the test
  (T − x_i) over the candidates who had the item. Flagged when negative, or "low" under 20.
- Distractor analysis: the share of candidates choosing each option.
"""

from __future__ import annotations

import math
import statistics as st
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

LOW_DISCRIMINATION = 20.0
FEW_RESPONSES = 30  # figures from fewer responses are shown as unreliable


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float | None
    median: float | None
    sd: float | None
    pass_rate: float | None  # percent


def summary(totals: Sequence[Decimal | float], passed: Sequence[bool]) -> Summary:
    """Mean, median, sample SD and pass rate of the final scores."""
    values = [float(t) for t in totals]
    if not values:
        return Summary(0, None, None, None, None)
    sd = st.stdev(values) if len(values) > 1 else None
    rate = 100.0 * sum(1 for p in passed if p) / len(passed) if passed else None
    return Summary(len(values), st.fmean(values), float(st.median(values)), sd, rate)


def histogram(percentages: Sequence[float], bins: int = 10) -> list[int]:
    """Counts of scores in equal bands of 0–100 % (the last band includes 100 %)."""
    counts = [0] * bins
    width = 100.0 / bins
    for value in percentages:
        index = min(bins - 1, max(0, int(float(value) // width)))
        counts[index] += 1
    return counts


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a candidates × items matrix of marks; None when undefined (k < 2, n < 2, or
    no variance in the totals)."""
    if len(matrix) < 2 or not matrix[0] or len(matrix[0]) < 2:
        return None
    k = len(matrix[0])
    columns = [[float(row[j]) for row in matrix] for j in range(k)]
    totals = [sum(float(v) for v in row) for row in matrix]
    total_var = st.variance(totals)
    if total_var == 0:
        return None
    item_var = sum(st.variance(col) for col in columns)
    return k / (k - 1) * (1 - item_var / total_var)


def shared_block(
    papers: dict[object, dict[object, float]], min_candidates: int
) -> tuple[list[object], list[object]]:
    """For papers that share only part of their questions (drawn and shuffled): the questions, and the
    candidates who had every one of them, that alpha can be computed over. Greedy: questions in order of
    how many candidates had them (ties by id), each kept while at least ``min_candidates`` candidates had
    all the kept ones. ``papers`` maps a candidate to {question: mark}. Empty when fewer than two
    questions qualify."""
    counts: dict[object, int] = {}
    for marks in papers.values():
        for question in marks:
            counts[question] = counts.get(question, 0) + 1
    kept: list[object] = []
    having = list(papers)
    for question in sorted(counts, key=lambda q: (-counts[q], q)):
        narrowed = [c for c in having if question in papers[c]]
        if len(narrowed) >= min_candidates:
            kept.append(question)
            having = narrowed
    if len(kept) < 2:
        return [], []
    return sorted(kept), having


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation; None when either side has no variance or fewer than two points."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = st.fmean(xs), st.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass
class ItemStats:
    key: object
    count: int
    max_mark: float
    facility: float | None  # percent
    sd: float | None  # percent of the item maximum
    discrimination: float | None  # 100 × r(item, rest of test)
    distractors: dict[str, float] = field(default_factory=dict)  # option id → percent choosing it

    @property
    def flag(self) -> str | None:
        if self.discrimination is None:
            return None
        if self.discrimination < 0:
            return "negative"
        if self.discrimination < LOW_DISCRIMINATION:
            return "low"
        return None


def item_stats(
    key,
    marks: Sequence[float],
    totals: Sequence[float],
    max_mark: float,
    choices: Sequence[Sequence[str]] | None = None,
    option_ids: Sequence[str] = (),
) -> ItemStats:
    """Statistics of one question over the candidates who had it: ``marks[i]`` and ``totals[i]`` belong to
    the same candidate; ``choices[i]`` the option ids that candidate picked (choice questions)."""
    xs = [float(m) for m in marks]
    n = len(xs)
    facility = sd = disc = None
    if n and max_mark:
        facility = 100.0 * st.fmean(xs) / max_mark
        sd = 100.0 * st.stdev(xs) / max_mark if n > 1 else None
        rest = [float(t) - x for t, x in zip(totals, xs, strict=True)]
        r = pearson(xs, rest)
        disc = None if r is None else 100.0 * r
    shares: dict[str, float] = {}
    if choices is not None and n:
        for option in option_ids:
            shares[option] = 100.0 * sum(1 for c in choices if option in c) / n
        shares["-"] = 100.0 * sum(1 for c in choices if not c) / n
    return ItemStats(key, n, max_mark, facility, sd, disc, shares)
