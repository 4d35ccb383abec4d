"""The survivor freezer keeps long-lived objects out of full collections, and once per
refresh lets one full collection walk them again and free their cycles."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from nexus.kit.heap import SurvivorFreezer


class Node:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def freezer(clock: Clock) -> Iterator[SurvivorFreezer]:
    freezer = SurvivorFreezer(refresh_seconds=60, clock=clock)
    freezer.install()
    try:
        yield freezer
    finally:
        freezer.uninstall()
        gc.unfreeze()  # this process runs every other test too
        gc.collect()


def survivor_in_a_cycle() -> weakref.ref[Node]:
    node = Node()
    reference = weakref.ref(node)
    gc.collect()  # a full collection while it is alive: it survives, and is frozen
    return reference


def test_a_full_collection_freezes_its_survivors(freezer: SurvivorFreezer) -> None:
    reference = survivor_in_a_cycle()
    assert gc.get_freeze_count() > 0

    gc.collect()

    # Unreachable now, but frozen: later full collections do not walk it.
    assert reference() is not None


def test_a_refresh_lets_the_next_full_collection_free_frozen_cycles(
    freezer: SurvivorFreezer, clock: Clock
) -> None:
    reference = survivor_in_a_cycle()
    clock.now = 59
    gc.collect()
    assert reference() is not None

    clock.now = 60
    gc.collect()  # this one unfreezes everything …
    assert gc.get_freeze_count() == 0
    gc.collect()  # … so this one walks it all

    assert reference() is None
    assert gc.get_freeze_count() > 0  # and freezes its survivors again
    later = survivor_in_a_cycle()
    clock.now = 119  # the next refresh is counted from the walk
    gc.collect()
    assert later() is not None


def test_collections_of_younger_generations_freeze_nothing(freezer: SurvivorFreezer) -> None:
    gc.collect(1)

    assert gc.get_freeze_count() == 0
