"""CPV (Common Procurement Vocabulary, Regulation (EC) 213/2008) code structure rules.

A code is eight digits and a check digit ("30213100-6"). The hierarchy is implicit: trailing
zeros end the code's significant part (division 2 digits, group 3, class 4, category 5-8).
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^(\d{8})(?:-(\d))?$")


def parse(code: str) -> tuple[str, str | None]:
    """Split a code into its eight digits and check digit; raise ValueError if malformed."""
    match = _CODE.match(code.strip())
    if not match:
        raise ValueError("a CPV code is eight digits and an optional check digit: 30213100-6")
    return match.group(1), match.group(2)


def significant_length(digits: str) -> int:
    """How many leading digits carry meaning (at least 2: the division)."""
    stripped = digits.rstrip("0")
    return max(2, len(stripped))


def ancestors(digits: str) -> list[str]:
    """Eight-digit codes of every possible ancestor, nearest first."""
    length = significant_length(digits)
    return [digits[:n].ljust(8, "0") for n in range(length - 1, 1, -1)]


def parent_of(digits: str, known: set[str] | frozenset[str]) -> str | None:
    """The nearest ancestor present in `known` (CPV skips levels in places)."""
    for candidate in ancestors(digits):
        if candidate in known:
            return candidate
    return None
