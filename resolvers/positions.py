"""Ordered keys for playlist entries: an insert or a move writes only the entries it places.

A position is a whole number in [0, SPACE), stored as a fixed-width decimal so that text order
is number order, followed by the entry's id in the sort key (two devices inserting at one spot
at once pick the same number: the ids keep both, in a stable order). The first entry sits in
the middle of the space; appending steps STEP past the last entry and inserting at the start
STEP before the first (room for 5*10^15 either way); inserting between two entries takes
numbers evenly spread between theirs. Only
when a gap is used up (about 80 halvings at one spot) are the positions spread out again
(a rebalance: the one operation that writes every entry, rarely).
"""

from __future__ import annotations

WIDTH = 40
SPACE = 10**WIDTH
STEP = 10**24
MIDDLE = SPACE // 2


def encode(position: int) -> str:
    return f"{position:0{WIDTH}d}"


def decode(text: str) -> int:
    return int(text)


def between(low: int | None, high: int | None, count: int) -> list[int] | None:
    """`count` increasing positions after `low` and before `high` (None: the start or the end);
    None when the gap has no room for them (then rebalance)."""
    if high is None:
        start = MIDDLE if low is None else low + STEP
        placed = [start + STEP * n for n in range(count)]
        return placed if placed[-1] < SPACE else None
    if low is None and high - STEP * count >= 0:
        return [high - STEP * (count - n) for n in range(count)]
    bottom = -1 if low is None else low
    gap = high - bottom
    if gap <= count:
        return None
    return [bottom + gap * (n + 1) // (count + 1) for n in range(count)]


def spread(count: int) -> list[int]:
    """Positions for `count` entries after a rebalance: STEP apart from the middle, room everywhere."""
    return [MIDDLE + STEP * n for n in range(count)]
