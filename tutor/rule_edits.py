"""One proposed correction: a span of tokens, what replaces it, and why (shared by every rule module)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Edit:
    """Replace tokens ``start:end`` with ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: tuple[str, ...]
    rule: str
    explanation: str


def edit(start: int, end: int, replacement: Sequence[str], rule: str, explanation: str) -> Edit:
    return Edit(start, end, tuple(replacement), rule, explanation)
