"""Rate limits on the ``limits`` library: in memory when embedded, in Redis when distributed,
so every API process counts against the same budget.

The moving-window strategy is exact: a limit of N per minute never lets N+1 requests through
in any 60 seconds. The cheaper sliding-window *counter* only approximates the previous window,
so a burst that straddles a window boundary got one attempt more than the limit — not what a
login limit may do (and it made the limit's test fail whenever it crossed a minute)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from nexus.kit.errors import RateLimited


class _MemoryStorage(MemoryStorage):
    """limits' in-memory storage, with a ``clear`` that leaves its expiry task alone.

    limits 5.8's ``clear`` removes the key's list of hits; its expiry task walks a copy of
    the keys and reads each list after an await, so a key cleared meanwhile (a successful
    login clears the account's failures) failed the task with a KeyError, logged as "Task
    exception was never retrieved". Emptied instead, the key is dropped by that walk."""

    async def clear(self, key: str) -> None:
        self.storage.pop(key, None)
        self.expirations.pop(key, None)
        if key in self.events:
            self.events[key] = []


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._limiter = MovingWindowRateLimiter(self.storage)

    @classmethod
    def for_redis_url(cls, redis_url: str) -> RateLimiter:
        if not redis_url:
            return cls(_MemoryStorage())
        storage = storage_from_string("async+" + redis_url)
        if not isinstance(storage, Storage):
            raise ValueError(f"{redis_url!r} is not an async storage")
        return cls(storage)

    async def hit(self, limit: str | RateLimitItem, *keys: str) -> bool:
        item = parse(limit) if isinstance(limit, str) else limit
        return await self._limiter.hit(item, *keys)

    async def check_or_raise(self, limit: str, *keys: str) -> None:
        item = parse(limit)
        if not await self._limiter.hit(item, *keys):
            stats = await self._limiter.get_window_stats(item, *keys)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(headers={"Retry-After": str(retry_after)})

    async def clear(self, limit: str, *keys: str) -> None:
        await self._limiter.clear(parse(limit), *keys)

    async def reset(self) -> None:
        await self.storage.reset()
