"""Inbound webhook benchmark: webhooks at a target rate against real Nexus servers.

Starts Nexus — embedded (one ``nexus serve``: SQLite, in-process jobs) or distributed (two
``nexus api``, a ``nexus worker`` and a ``nexus scheduler`` on PostgreSQL + Redis) — makes a
company whose customers already wait in a department's queue (so the bot does not answer
and every webhook is one message to store and show), then POSTs ``rate * seconds`` webhooks,
paced by the clock (a slow answer does not lower the offered rate), spread over the
customers and, in distributed mode, over the API processes as a load balancer would.

``--channel cloud_api`` posts Meta Cloud API notifications signed with
``X-Hub-Signature-256`` (the bot's replies while customers are queued go to the Cloud API
fake of ``tests/fakes``, run in this process); ``--channel sandbox`` posts the built-in
sandbox channel's webhooks. It reports:

- throughput: webhooks answered 200 per second of injection, and how long until the last
  message was visible;
- webhook -> stored (the ack): from just before the POST to its 200, which the server sends
  only after the event is committed in the inbox;
- webhook -> visible: from just before the POST until the message row is committed where an
  agent's chat reads it, seen by polling the database every ``--poll`` seconds (that
  interval is the measurement's resolution).

    uv run python -m bench.webhooks --rate 100 --seconds 20 --channel cloud_api
    uv run python -m bench.webhooks --mode distributed --rate 100 --seconds 20 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/nexus_bench \\
        --redis-url redis://127.0.0.1:6379/14
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import asyncpg  # type: ignore[import-untyped]
import httpx
from tests.fakes.cloud_api import ACCESS_TOKEN, APP_SECRET, CloudWebhooks, FakeCloudApi

from bench.http_load import ConnectionPool, HTTPLoadError, connection_pool
from bench.realtime import CUSTOMERS, Company, make_company, nodes, percentile, progress

VERIFY_TOKEN = "bench-verify-token"


class Customers(Protocol):
    """How customers' messages reach Nexus on one channel: the path and the signed request."""

    path: str

    def request(self, message_id: str, phone: str, text: str) -> tuple[bytes, dict[str, str]]: ...


@dataclass
class SandboxCustomers:
    path: str
    token: str

    def request(self, message_id: str, phone: str, text: str) -> tuple[bytes, dict[str, str]]:
        body = {"event": "message", "id": message_id, "from": phone, "text": text}
        headers = {"X-Sandbox-Token": self.token, "Content-Type": "application/json"}
        return json.dumps(body).encode(), headers


@dataclass
class CloudCustomers:
    path: str
    webhooks: CloudWebhooks = field(default_factory=CloudWebhooks)

    def request(self, message_id: str, phone: str, text: str) -> tuple[bytes, dict[str, str]]:
        message = self.webhooks.text(
            phone.lstrip("+"), text, wamid=message_id, timestamp=int(time.time())
        )
        delivery = self.webhooks.delivery(self.webhooks.notification(messages=[message]))
        return delivery.body, delivery.headers


@dataclass
class Results:
    sent: dict[str, float] = field(default_factory=dict)  # message id -> POST started
    stored: dict[str, float] = field(default_factory=dict)  # message id -> 200 received
    errors: list[str] = field(default_factory=list)


@dataclass
class Visibility:
    seen: dict[str, float] = field(default_factory=dict)  # message id -> row seen
    expected: int | None = None  # known once the injection is over


Poll = Callable[[int], Awaitable[tuple[int, list[str]]]]
NEW_ROWS = (
    "SELECT {order}, provider_message_id FROM messages WHERE {order} > {after} "
    "AND provider_message_id LIKE 'wh-%' ORDER BY {order}"
)


@contextlib.asynccontextmanager
async def sqlite_poll(database: Path) -> AsyncIterator[Poll]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)

    def rows(after: int) -> tuple[int, list[str]]:
        found = connection.execute(NEW_ROWS.format(order="rowid", after="?"), (after,)).fetchall()
        return (found[-1][0] if found else after), [row[1] for row in found]

    async def poll(after: int) -> tuple[int, list[str]]:
        return await asyncio.to_thread(rows, after)

    try:
        yield poll
    finally:
        connection.close()


@contextlib.asynccontextmanager
async def postgres_poll(url: str) -> AsyncIterator[Poll]:
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    # Messages have random ids: follow them by creation time instead, looking back far
    # enough for transactions that commit a while after they stamped their rows.
    query = NEW_ROWS.format(order="(extract(epoch from created_at) * 1000000)::bigint", after="$1")
    look_back = 10_000_000  # microseconds

    async def poll(after: int) -> tuple[int, list[str]]:
        found = await connection.fetch(query, after - look_back)
        return (found[-1][0] if found else after), [row[1] for row in found]

    try:
        yield poll
    finally:
        await connection.close()


async def watch(poll: Poll, visibility: Visibility, interval: float) -> None:
    """Note when each benchmark message becomes visible (committed in ``messages``), until
    all the stored ones are."""
    last = 0
    while visibility.expected is None or len(visibility.seen) < visibility.expected:
        last, seen = await poll(last)
        now = time.monotonic()
        for message_id in seen:
            visibility.seen.setdefault(message_id, now)
        await asyncio.sleep(interval)


async def queue_customers(
    http: httpx.AsyncClient, company: Company, customers: Customers
) -> list[str]:
    """Customers whose conversations wait in the department's queue (menu choice 1)."""
    phones = [f"+55119{n:08d}" for n in range(CUSTOMERS)]

    async def say(phone: str, text: str) -> None:
        body, headers = customers.request(f"q-{phone}-{text}", phone, text)
        response = await http.post(customers.path, content=body, headers=headers)
        response.raise_for_status()

    for phone in phones:
        await say(phone, "Olá")
    await asyncio.sleep(2)  # the bot's greeting, before the menu answer
    for phone in phones:
        await say(phone, "1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        page = await http.get(
            "/api/conversations",
            headers=company.admin_headers,
            params={"status": "waiting", "limit": 100},
        )
        if page.status_code == 200 and len(page.json()["items"]) >= CUSTOMERS:
            return phones
        await asyncio.sleep(0.5)
    raise RuntimeError("the customers' conversations did not reach the queue")


async def inject(
    urls: list[str], customers: Customers, phones: list[str], args: argparse.Namespace
) -> Results:
    """POST the webhooks on the clock, each timed from the moment it was due: a request that
    waits for a free connection (the server answers slowly) is counted as waiting."""
    results = Results()
    async with contextlib.AsyncExitStack() as stack:
        pools = [
            await stack.enter_async_context(connection_pool(url, args.connections // len(urls)))
            for url in urls
        ]
        # Built (JSON, signature) before the clock starts: the bench's CPU is the server's loss.
        requests: list[tuple[str, ConnectionPool, bytes]] = []
        for n, pool in zip(range(int(args.rate * args.seconds)), itertools.cycle(pools)):
            message_id = f"wh-{n}"
            body, headers = customers.request(message_id, phones[n % len(phones)], f"mensagem {n}")
            requests.append((message_id, pool, pool.request_bytes(customers.path, body, headers)))

        async def one(message_id: str, pool: ConnectionPool, request: bytes) -> None:
            try:
                status, answer = await pool.send(request)
            except HTTPLoadError as error:
                results.errors.append(str(error))
                return
            if status == 200:
                results.stored[message_id] = time.monotonic()
            else:
                results.errors.append(f"HTTP {status} {answer[:80]!r}")

        for pool in pools:
            await pool.open_all()
        posts: list[asyncio.Task[None]] = []
        # The load generator's own full collections (33-58 ms, measured) would hold sends and
        # read answers late, and count as the server's latency: none run while it injects.
        gc.collect()
        gc.freeze()
        gc.disable()
        try:
            begin = time.monotonic()
            for n, (message_id, pool, request) in enumerate(requests):
                due = begin + n / args.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                results.sent[message_id] = due
                posts.append(asyncio.create_task(one(message_id, pool, request)))
            await asyncio.gather(*posts)
        finally:
            gc.enable()
            gc.unfreeze()
    return results


async def cloud_customers(http: httpx.AsyncClient, company: Company, fake_url: str) -> Customers:
    created = await http.post(
        "/api/connections",
        headers=company.admin_headers,
        json={
            "name": "WhatsApp Cloud",
            "channel": "cloud_api",
            "config": {"phone_number_id": CloudWebhooks().phone_number_id, "base_url": fake_url},
            "secrets": {
                "access_token": ACCESS_TOKEN,
                "app_secret": APP_SECRET,
                "verify_token": VERIFY_TOKEN,
            },
            "is_default": True,
        },
    )
    created.raise_for_status()
    return CloudCustomers("/" + created.json()["webhook_url"].split("/", 3)[3])


@contextlib.contextmanager
def data_folder(keep: bool) -> Iterator[str]:
    """A fresh data folder; kept (server.log, nexus.db) with ``--keep-data``."""
    if not keep:
        with tempfile.TemporaryDirectory(prefix="nexus-bench-") as tmp:
            yield tmp
        return
    tmp = tempfile.mkdtemp(prefix="nexus-bench-")
    progress(f"data folder (kept): {tmp}")
    yield tmp


async def run(args: argparse.Namespace) -> None:
    fake = FakeCloudApi()
    await fake.start()
    try:
        with data_folder(args.keep_data) as tmp:
            async with nodes(args, Path(tmp)) as servers:
                progress("servers up")
                async with httpx.AsyncClient(base_url=servers[0].url, timeout=60) as http:
                    company = await make_company(http)
                    customers: Customers = (
                        await cloud_customers(http, company, fake.base_url)
                        if args.channel == "cloud_api"
                        else SandboxCustomers(company.webhook_path, company.sandbox_token)
                    )
                    phones = await queue_customers(http, company, customers)
                progress("customers queued; injecting")
                await measure(args, [node.url for node in servers], customers, phones, Path(tmp))
    finally:
        await fake.stop()


async def measure(
    args: argparse.Namespace, urls: list[str], customers: Customers, phones: list[str], tmp: Path
) -> None:
    polling = (
        sqlite_poll(tmp / "nexus.db")
        if args.mode == "embedded"
        else postgres_poll(args.database_url)
    )
    async with polling as poll:
        visibility = Visibility()
        watcher = asyncio.create_task(watch(poll, visibility, args.poll))
        load_before = os.getloadavg()[0]
        injected = await inject(urls, customers, phones, args)
        visibility.expected = len(injected.stored)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watcher, timeout=args.drain)
    report(args, injected, visibility.seen, (load_before, os.getloadavg()[0]))


def report(
    args: argparse.Namespace,
    results: Results,
    visible: dict[str, float],
    load: tuple[float, float],
) -> None:
    stored = [(results.stored[m] - results.sent[m]) * 1000 for m in results.stored]
    shown = [(visible[m] - results.sent[m]) * 1000 for m in visible if m in results.sent]
    first = min(results.sent.values(), default=0.0)
    # From the first POST to the last 200: the requests' build and the connections' opening,
    # done before the clock starts, are not the server's time.
    seconds = max(results.stored.values(), default=first) - first
    last_visible = max(visible.values(), default=0.0) - first
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
        f"; reference work {args.reference_microseconds:.1f} µs per webhook"
    )
    print(f"mode {args.mode}, channel {args.channel}; load average {load[0]:.1f} -> {load[1]:.1f}")
    print(
        f"offered {len(results.sent)} webhooks at {args.rate:g}/s for {args.seconds:g} s; "
        f"stored {len(results.stored)}, errors {len(results.errors)} "
        f"{sorted(set(results.errors))[:3]}"
    )
    print(
        f"throughput: {len(results.stored) / max(seconds, 1e-9):.1f} webhooks/s stored between "
        f"the first POST and the last 200 ({seconds:.2f} s); "
        f"last message visible {last_visible:.1f} s after the first POST; "
        f"visible {len(shown)}/{len(results.stored)}"
    )
    for name, values in (("webhook -> stored", stored), ("webhook -> visible", shown)):
        if values:
            print(
                f"{name}: p50 {percentile(values, 0.5):.0f} ms, "
                f"p99 {percentile(values, 0.99):.0f} ms, max {max(values):.0f} ms"
            )
    # Whether a slow tail is the whole run's or a moment's (the first second: warm-up).
    by_second: dict[int, list[float]] = {}
    for message_id in results.stored:
        second = int(results.sent[message_id] - first)
        by_second.setdefault(second, []).append(
            (results.stored[message_id] - results.sent[message_id]) * 1000
        )
    print(
        "webhook -> stored p99 by second of injection (ms): "
        + " ".join(f"{percentile(by_second[s], 0.99):.0f}" for s in sorted(by_second))
    )


def reference_microseconds(rounds: int = 2000) -> float:
    """Microseconds one core takes to build, sign and parse one Cloud API webhook, best of
    five, timed before anything starts. Two machines of one kind ran this bench up to twice
    as fast as each other; this figure tells which kind of machine a result comes from."""
    customers = CloudCustomers(path="")
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for n in range(rounds):
            body, _ = customers.request(f"ref-{n}", "5511999990000", "mensagem")
            json.loads(body)
        best = min(best, time.perf_counter() - start)
    return best / rounds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--channel", choices=["cloud_api", "sandbox"], default="cloud_api")
    parser.add_argument("--rate", type=float, default=20, help="webhooks per second")
    parser.add_argument("--seconds", type=float, default=20, help="how long to inject")
    parser.add_argument("--drain", type=float, default=60, help="wait for the last messages")
    parser.add_argument("--poll", type=float, default=0.02, help="visibility poll interval")
    parser.add_argument("--database-url", default="", help="PostgreSQL, distributed mode")
    parser.add_argument("--keep-data", action="store_true", help="keep the data folder")
    parser.add_argument("--workers", type=int, default=1, help="distributed: nexus workers")
    parser.add_argument("--redis-url", default="", help="Redis, distributed mode")
    parser.add_argument(
        "--connections", type=int, default=256, help="keep-alive connections, over all servers"
    )
    args = parser.parse_args()
    args.reference_microseconds = reference_microseconds()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
