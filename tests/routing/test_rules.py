"""Property-based tests of the routing rule itself (``order_candidates``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from nexus.models import RoutingRule
from nexus.routing.service import Candidate, order_candidates

BASE = datetime(2026, 1, 1, tzinfo=UTC)

candidates = st.lists(
    st.builds(
        Candidate,
        user_id=st.uuids(),
        load=st.integers(min_value=0, max_value=10),
        capacity=st.integers(min_value=1, max_value=10),
        last_assigned_at=st.one_of(
            st.none(), st.integers(0, 10_000).map(lambda s: BASE + timedelta(seconds=s))
        ),
    ),
    max_size=12,
    unique_by=lambda c: c.user_id,
)


@given(candidates, st.sampled_from([RoutingRule.least_busy, RoutingRule.round_robin]))
def test_only_agents_with_room_are_offered(pool: list[Candidate], rule: RoutingRule) -> None:
    ordered = order_candidates(pool, rule)
    assert {c.user_id for c in ordered} == {c.user_id for c in pool if c.load < c.capacity}


@given(candidates)
def test_least_busy_first_then_longest_idle(pool: list[Candidate]) -> None:
    ordered = order_candidates(pool, RoutingRule.least_busy)
    if not ordered:
        return
    first = ordered[0]
    for other in ordered[1:]:
        assert first.load <= other.load
        if first.load == other.load and other.last_assigned_at is not None:
            # Never assigned counts as idle the longest.
            assert (
                first.last_assigned_at is None or first.last_assigned_at <= other.last_assigned_at
            )


@given(candidates)
def test_round_robin_ignores_load_but_not_capacity(pool: list[Candidate]) -> None:
    ordered = order_candidates(pool, RoutingRule.round_robin)
    times = [c.last_assigned_at or datetime.min.replace(tzinfo=UTC) for c in ordered]
    assert times == sorted(times)


def test_order_is_deterministic_for_ties() -> None:
    same = [Candidate(uuid.UUID(int=i), 0, 1, None) for i in (3, 1, 2)]
    assert [c.user_id.int for c in order_candidates(same, RoutingRule.least_busy)] == [1, 2, 3]
