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
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from nexus.kit.errors import RateLimited


class RateLimiter:
    def __init__(self, storage_url: str) -> None:
        storage = storage_from_string(storage_url)
        if not isinstance(storage, Storage):
            raise ValueError(f"{storage_url!r} is not an async storage")
        self.storage = storage
        self._limiter = MovingWindowRateLimiter(self.storage)

    @classmethod
    def for_redis_url(cls, redis_url: str) -> RateLimiter:
        if not redis_url:
            return cls("async+memory://")
        return cls("async+" + redis_url)

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
