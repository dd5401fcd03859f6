"""Levenshtein alignment of two token sequences into match / S / D / I steps.

Used for reference words against recognized words, and for expected phonemes
against heard phonemes. Insertions are kept (a "phoneme error rate" that drops
them undercounts errors): PER = (S + D + I) / N.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Sequence, TypeVar

T = TypeVar("T")
StepKind = Literal["match", "substitution", "deletion", "insertion"]


@dataclass(frozen=True)
class Step:
    """One step: ``ref`` index (None for an insertion), ``hyp`` index (None for a deletion)."""

    kind: StepKind
    ref: int | None
    hyp: int | None


@dataclass(frozen=True)
class ErrorCounts:
    substitutions: int
    deletions: int
    insertions: int
    reference_length: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        """(S + D + I) / N; with an empty reference, 0.0 or 1.0 if anything was inserted."""
        if self.reference_length == 0:
            return float(self.insertions > 0)
        return self.errors / self.reference_length


def align(
    reference: Sequence[T],
    hypothesis: Sequence[T],
    substitution_cost: Callable[[T, T], float] | None = None,
) -> list[Step]:
    """Minimum-cost alignment (unit insert/delete, substitution cost 0-1, default 1)."""
    cost = substitution_cost or (lambda a, b: 0.0 if a == b else 1.0)
    n, m = len(reference), len(hypothesis)
    table = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        table[i][0] = float(i)
    for j in range(1, m + 1):
        table[0][j] = float(j)
    for i in range(1, n + 1):
        row, above = table[i], table[i - 1]
        for j in range(1, m + 1):
            row[j] = min(
                above[j - 1] + cost(reference[i - 1], hypothesis[j - 1]),
                above[j] + 1.0,
                row[j - 1] + 1.0,
            )
    steps: list[Step] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            sub = cost(reference[i - 1], hypothesis[j - 1])
            if abs(table[i][j] - (table[i - 1][j - 1] + sub)) < 1e-9:
                kind: StepKind = "match" if reference[i - 1] == hypothesis[j - 1] else "substitution"
                steps.append(Step(kind, i - 1, j - 1))
                i, j = i - 1, j - 1
                continue
        if i > 0 and abs(table[i][j] - (table[i - 1][j] + 1.0)) < 1e-9:
            steps.append(Step("deletion", i - 1, None))
            i -= 1
        else:
            steps.append(Step("insertion", None, j - 1))
            j -= 1
    steps.reverse()
    return steps


def count_errors(steps: Sequence[Step], reference_length: int) -> ErrorCounts:
    return ErrorCounts(
        substitutions=sum(s.kind == "substitution" for s in steps),
        deletions=sum(s.kind == "deletion" for s in steps),
        insertions=sum(s.kind == "insertion" for s in steps),
        reference_length=reference_length,
    )
