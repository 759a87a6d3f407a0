"""Watched intervals: union, clamping and refusal of impossible ranges (property-based)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.videos import intervals

DURATION = 100.0

bound = st.floats(min_value=0, max_value=DURATION, allow_nan=False)
interval = st.tuples(bound, bound).map(lambda p: (min(p), max(p)))
interval_lists = st.lists(interval, max_size=12)


def covered(ranges, point) -> bool:
    return any(start <= point <= end for start, end in ranges)


def is_normal(ranges) -> bool:
    return all(s < e for s, e in ranges) and all(
        a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False)
    )


@given(interval_lists, interval_lists)
def test_union_is_commutative_sorted_and_disjoint(a, b):
    ab = intervals.union(a, b, DURATION)
    assert ab == intervals.union(b, a, DURATION)
    assert is_normal(ab)


@given(interval_lists, interval_lists, interval_lists)
def test_union_is_associative(a, b, c):
    left = intervals.union(intervals.union(a, b, DURATION), c, DURATION)
    right = intervals.union(a, intervals.union(b, c, DURATION), DURATION)
    assert [(pytest.approx(s), pytest.approx(e)) for s, e in left] == right


@given(interval_lists)
def test_union_is_idempotent(a):
    once = intervals.normalise(a, DURATION)
    assert intervals.union(once, once, DURATION) == once
    assert intervals.union(once, a, DURATION) == once


@given(interval_lists, interval_lists)
def test_total_is_bounded_by_parts_and_duration(a, b):
    total = intervals.total(intervals.union(a, b, DURATION))
    parts = intervals.total(intervals.normalise(a, DURATION)) + intervals.total(
        intervals.normalise(b, DURATION)
    )
    assert total <= parts + 1e-9
    assert total <= DURATION + 1e-9
    assert (
        total
        >= max(intervals.total(intervals.normalise(a)), intervals.total(intervals.normalise(b)))
        - 1e-9
    )


@given(interval_lists, interval_lists, st.lists(bound, max_size=20))
def test_union_covers_exactly_the_points_of_its_parts(a, b, points):
    merged = intervals.union(a, b, DURATION)
    for point in points:
        inside_parts = covered([r for r in a + b if r[0] < r[1]], point)
        if inside_parts:
            assert covered(merged, point)
        elif covered(merged, point):
            # A point can only be covered if it is an endpoint shared by touching ranges.
            assert any(math.isclose(point, x) for r in a + b for x in r)


@given(
    st.lists(
        st.tuples(st.floats(-50, 200, allow_nan=False), st.floats(-50, 200, allow_nan=False)),
        max_size=10,
    )
)
def test_normalise_clamps_to_the_video(raw):
    result = intervals.normalise(raw, DURATION)
    assert all(0 <= s < e <= DURATION for s, e in result)


@given(interval_lists)
def test_json_round_trip_keeps_coverage(a):
    merged = intervals.normalise(a, DURATION)
    again = intervals.normalise(intervals.from_json(intervals.to_json(merged)), DURATION)
    assert intervals.total(again) == pytest.approx(
        intervals.total(merged), abs=0.001 * (len(merged) + 1) * 2
    )


def test_seeking_leaves_a_gap_that_does_not_count():
    watched = intervals.union([(0, 10)], [(50, 60)], DURATION)
    assert watched == [(0, 10), (50, 60)]
    assert intervals.total(watched) == 20


@pytest.mark.parametrize(
    "raw",
    [
        [[-1, 5]],
        [[5, 3]],
        [[0, DURATION + 5]],
        [[0, float("inf")]],
        [["0", 5]],
        [[True, 5]],
        [[0, 1, 2]],
        "0-5",
        [[0, 1]] * 501,
    ],
)
def test_impossible_reports_are_refused(raw):
    with pytest.raises(intervals.InvalidRanges):
        intervals.parse(raw, DURATION)


def test_a_little_past_the_end_is_tolerated_and_clamped():
    parsed = intervals.parse([[90, DURATION + 0.5]], DURATION)
    assert intervals.normalise(parsed, DURATION) == [(90, DURATION)]
