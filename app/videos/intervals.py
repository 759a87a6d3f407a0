"""Watched intervals: the xAPI Video Profile's "played segments", kept as a sorted union.

An interval is ``(start, end)`` in seconds of media time with ``start < end``. A normalised
list is sorted, disjoint and non-touching. Pure functions only: the service stores the result.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

Interval = tuple[float, float]


class InvalidRanges(ValueError):
    """A report that cannot be true (negative, reversed, past the end, not numbers)."""


def parse(
    raw: object, duration: float, *, tolerance: float = 1.0, max_ranges: int = 500
) -> list[Interval]:
    """Validate a client's list of ``[start, end]`` pairs against the video's duration.

    ``tolerance`` allows the browser's idea of the duration to exceed the probed one a little
    (container rounding); anything further past the end, negative, reversed or not finite is
    refused whole.
    """
    if not isinstance(raw, list) or len(raw) > max_ranges:
        raise InvalidRanges("ranges must be a list of [start, end] pairs")
    result: list[Interval] = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidRanges("each range must be a [start, end] pair")
        start, end = item
        if (
            isinstance(start, bool)
            or isinstance(end, bool)
            or not isinstance(start, int | float)
            or not isinstance(end, int | float)
        ):
            raise InvalidRanges("range bounds must be numbers")
        start, end = float(start), float(end)
        if not (math.isfinite(start) and math.isfinite(end)):
            raise InvalidRanges("range bounds must be finite")
        if start < 0 or end < 0:
            raise InvalidRanges("negative time")
        if end < start:
            raise InvalidRanges("a range ends before it starts")
        if end > duration + tolerance:
            raise InvalidRanges("a range goes past the end of the video")
        result.append((start, end))
    return result


def normalise(ranges: Iterable[Interval], duration: float | None = None) -> list[Interval]:
    """Sort, clamp to ``[0, duration]``, drop empty ranges and merge overlapping ones."""
    clamped = []
    for start, end in ranges:
        start = max(0.0, float(start))
        end = float(end) if duration is None else min(float(end), float(duration))
        if end > start:
            clamped.append((start, end))
    clamped.sort()
    merged: list[Interval] = []
    for start, end in clamped:
        # Only overlapping or touching ranges join: a gap, however small, was not watched.
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def union(
    a: Iterable[Interval], b: Iterable[Interval], duration: float | None = None
) -> list[Interval]:
    return normalise(list(a) + list(b), duration)


def total(ranges: Iterable[Interval]) -> float:
    """Seconds covered by a normalised list."""
    return sum(end - start for start, end in ranges)


def to_json(ranges: list[Interval]) -> list[list[float]]:
    return [[round(start, 3), round(end, 3)] for start, end in ranges]


def from_json(raw: list | None) -> list[Interval]:
    return [(float(s), float(e)) for s, e in (raw or [])]
