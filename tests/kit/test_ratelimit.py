"""The embedded mode's in-memory rate limits (kit/ratelimit.py)."""

from __future__ import annotations

import asyncio

from nexus.kit.ratelimit import RateLimiter

LIMIT = "5/minute"


async def test_a_limit_cleared_while_old_hits_expire_leaves_the_expiry_working() -> None:
    """A successful login clears the account's failed attempts. Cleared while the storage's
    expiry task walked the keys, it used to kill that task with a KeyError ("Task exception
    was never retrieved" in the logs); the other keys' hits still expire, and the cleared
    key starts afresh."""
    limiter = RateLimiter.for_redis_url("")
    for key in ("login:ana", "login:bia"):
        for _ in range(3):
            assert await limiter.hit(LIMIT, key)
    storage = limiter.storage
    await asyncio.sleep(0.1)  # the expiry walk the hits scheduled has ended
    await storage._MemoryStorage__schedule_expiry()  # type: ignore[attr-defined]
    await asyncio.sleep(0)  # a new walk is on the first key, in a thread…
    await limiter.clear(LIMIT, "login:bia")  # …when the second one is cleared
    await storage.timer  # type: ignore[attr-defined]  # raised KeyError before

    for _ in range(5):
        assert await limiter.hit(LIMIT, "login:bia")
    assert not await limiter.hit(LIMIT, "login:bia")
    assert await limiter.hit(LIMIT, "login:ana")  # its three hits still count: 4 of 5
    assert await limiter.hit(LIMIT, "login:ana")
    assert not await limiter.hit(LIMIT, "login:ana")
