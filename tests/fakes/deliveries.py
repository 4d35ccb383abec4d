"""Webhook deliveries as a provider would make them, and ways to mistreat them the way real
networks and providers do: duplicates, reordering, delays, tampering."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import httpx


@dataclass(frozen=True)
class WebhookDelivery:
    body: bytes
    headers: dict[str, str]
    method: str = "POST"
    query: dict[str, str] = field(default_factory=dict)

    def tampered(self) -> WebhookDelivery:
        """Same signature headers over a different body (one byte changed)."""
        index = self.body.rfind(b"}")
        body = self.body[:index] + b" }" if index >= 0 else self.body + b" "
        return replace(self, body=body)

    def without_header(self, name: str) -> WebhookDelivery:
        lowered = name.lower()
        return replace(
            self, headers={k: v for k, v in self.headers.items() if k.lower() != lowered}
        )

    def with_header(self, name: str, value: str) -> WebhookDelivery:
        base = self.without_header(name)
        return replace(base, headers={**base.headers, name: value})


def duplicated(deliveries: Iterable[WebhookDelivery], times: int = 2) -> list[WebhookDelivery]:
    """Each delivery ``times`` times in a row (provider retries after a lost 200)."""
    return [delivery for delivery in deliveries for _ in range(times)]


def reordered(deliveries: Sequence[WebhookDelivery], *, seed: int = 0) -> list[WebhookDelivery]:
    shuffled = list(deliveries)
    random.Random(seed).shuffle(shuffled)
    return shuffled


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    deliveries: Iterable[WebhookDelivery],
    *,
    delay: float = 0.0,
    concurrency: int = 1,
) -> list[httpx.Response]:
    """POST each delivery to ``url`` (an app under test or a real server), ``delay``
    seconds apart, at most ``concurrency`` at a time; answers in delivery order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, delivery: WebhookDelivery) -> httpx.Response:
        await asyncio.sleep(delay * index)
        async with gate:
            return await client.request(
                delivery.method,
                url,
                content=delivery.body,
                headers=delivery.headers,
                params=delivery.query,
            )

    return list(await asyncio.gather(*(one(i, d) for i, d in enumerate(deliveries))))
