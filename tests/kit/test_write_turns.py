"""SQLite writers of one process take turns: one at a time, urgent ones first but never
starving the background ones, and a waiter that gives up does not block the others."""

from __future__ import annotations

import asyncio

import pytest

from nexus.kit.write_turns import WriteTurns


async def _take(turns: WriteTurns, name: str, order: list[str], *, urgent: bool) -> None:
    async with turns.turn(urgent=urgent):
        order.append(name)
        await asyncio.sleep(0)  # hold the turn across a suspension, as a transaction does


async def _queue(turns: WriteTurns, names: list[tuple[str, bool]], order: list[str]) -> None:
    """Hold the turn while the others queue in the given order, then let them go."""
    async with turns.turn():
        tasks = [
            asyncio.create_task(_take(turns, name, order, urgent=urgent)) for name, urgent in names
        ]
        await asyncio.sleep(0)  # each task runs until it waits for its turn
        assert turns.waiting == len(names)
    await asyncio.gather(*tasks)


async def test_one_writer_at_a_time_in_arrival_order() -> None:
    turns = WriteTurns()
    inside = 0
    most_inside = 0
    order: list[str] = []

    async def writer(name: str) -> None:
        nonlocal inside, most_inside
        async with turns.turn():
            inside += 1
            most_inside = max(most_inside, inside)
            order.append(name)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(writer(f"w{i}") for i in range(20)))
    assert most_inside == 1
    assert order == [f"w{i}" for i in range(20)]
    assert turns.waiting == 0


async def test_urgent_writers_go_first_but_background_ones_are_not_starved() -> None:
    turns = WriteTurns()
    order: list[str] = []
    queued = [("job1", False), ("job2", False)] + [(f"hook{i}", True) for i in range(6)]
    await _queue(turns, queued, order)
    # Four urgent turns in a row, then a background one, then the rest by the same rule.
    assert order == ["hook0", "hook1", "hook2", "hook3", "job1", "hook4", "hook5", "job2"]


async def test_a_cancelled_waiter_gives_its_place_away() -> None:
    turns = WriteTurns()
    order: list[str] = []
    async with turns.turn():
        quitter = asyncio.create_task(_take(turns, "quitter", order, urgent=True))
        stayer = asyncio.create_task(_take(turns, "stayer", order, urgent=False))
        await asyncio.sleep(0)
        assert turns.waiting == 2
        quitter.cancel()
    await stayer
    assert quitter.cancelled()
    assert order == ["stayer"]
    async with turns.turn():  # and the turns are free again
        pass


async def test_a_waiting_urgent_writer_is_seen_until_it_gives_up() -> None:
    """A batch of background work yields early while a webhook waits for the turn; a webhook
    that gave up (its request went away) no longer counts."""
    turns = WriteTurns()
    async with turns.turn():
        assert not turns.urgent_waiting
        background = asyncio.create_task(_take(turns, "job", [], urgent=False))
        await asyncio.sleep(0)
        assert not turns.urgent_waiting  # a job waiting is no reason to hurry
        hook = asyncio.create_task(_take(turns, "hook", [], urgent=True))
        await asyncio.sleep(0)
        assert turns.urgent_waiting
        hook.cancel()
        await asyncio.sleep(0)
        assert not turns.urgent_waiting
    await background


async def test_what_an_urgent_writer_readied_runs_before_the_next_background_turn() -> None:
    # A webhook batch commits and answers its requests; the job waiting for the turn must not
    # start its work (several milliseconds without a pause) ahead of those answers.
    turns = WriteTurns()
    order: list[str] = []
    answered = asyncio.get_running_loop().create_future()

    async def background_job() -> None:
        async with turns.turn():
            order.append("job works")

    async def webhook_answer() -> None:
        await answered
        order.append("200 sent")

    waiting_for_answer = asyncio.create_task(webhook_answer())
    async with turns.turn(urgent=True):
        job = asyncio.create_task(background_job())
        await asyncio.sleep(0)  # the job now waits for the turn
    answered.set_result(None)  # the commit is done: the webhook's answer is ready
    await asyncio.gather(job, waiting_for_answer)
    assert order == ["200 sent", "job works"]


@pytest.mark.parametrize("loop_passes", [0, 1])
async def test_a_background_writer_cancelled_as_it_gets_the_turn_passes_it_on(
    loop_passes: int,
) -> None:
    # Cancelled with the turn granted (0), or during its first pause in the turn (1).
    turns = WriteTurns()
    order: list[str] = []

    async def background_job() -> None:
        async with turns.turn():
            order.append("cancelled job works")

    async with turns.turn(urgent=True):
        job = asyncio.create_task(background_job())
        await asyncio.sleep(0)
    for _ in range(loop_passes):
        await asyncio.sleep(0)
    job.cancel()
    await asyncio.gather(job, return_exceptions=True)
    await asyncio.wait_for(_take(turns, "next", order, urgent=False), timeout=5)
    assert order == ["next"]
