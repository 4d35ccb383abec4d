"""Inbound webhook benchmark: sandbox webhooks at a target rate against a real ``nexus serve``.

Starts one embedded ``nexus serve`` (SQLite, in-process jobs) on a fresh data folder, makes a
company whose customers already wait in a department's queue (so the bot does not answer
and every webhook is one message to store and show), then POSTs ``rate * seconds`` sandbox
webhooks, paced by the clock (a slow answer does not lower the offered rate), spread over
the customers. It reports:

- throughput: webhooks answered 200 per second of injection, and how long until the last
  message was visible;
- webhook → stored: from just before the POST to its 200, which the server sends only after
  the event is committed in the inbox;
- webhook → visible: from just before the POST until the message row is committed where an
  agent's chat reads it, seen by polling the SQLite file read-only every ``--poll`` seconds
  (that interval is the measurement's resolution).

    uv run python -m bench.webhooks --rate 20 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.realtime import make_company, nodes, percentile, queue_customers


@dataclass
class Results:
    sent: dict[str, float] = field(default_factory=dict)  # message id -> POST started
    stored: dict[str, float] = field(default_factory=dict)  # message id -> 200 received
    errors: list[str] = field(default_factory=list)


@dataclass
class Visibility:
    seen: dict[str, float] = field(default_factory=dict)  # message id -> row seen
    expected: int | None = None  # known once the injection is over


async def post(http: httpx.AsyncClient, path: str, token: str, body: dict[str, str]) -> str | None:
    """The error, or None once the webhook is stored."""
    try:
        response = await http.post(path, headers={"X-Sandbox-Token": token}, json=body)
    except httpx.HTTPError as error:
        return repr(error)
    return None if response.status_code == 200 else f"HTTP {response.status_code}"


async def watch(database: Path, visibility: Visibility, interval: float) -> None:
    """Note when each benchmark message becomes visible (committed in ``messages``), until
    all the stored ones are."""

    def poll(connection: sqlite3.Connection, after: int) -> tuple[int, list[str]]:
        rows = connection.execute(
            "SELECT rowid, provider_message_id FROM messages "
            "WHERE rowid > ? AND provider_message_id LIKE 'wh-%' ORDER BY rowid",
            (after,),
        ).fetchall()
        return (rows[-1][0] if rows else after), [row[1] for row in rows]

    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)
    try:
        last = 0
        while visibility.expected is None or len(visibility.seen) < visibility.expected:
            last, seen = await asyncio.to_thread(poll, connection, last)
            now = time.monotonic()
            for message_id in seen:
                visibility.seen.setdefault(message_id, now)
            await asyncio.sleep(interval)
    finally:
        connection.close()


async def inject(
    http: httpx.AsyncClient, path: str, token: str, phones: list[str], args: argparse.Namespace
) -> Results:
    results = Results()

    async def one(n: int) -> None:
        message_id = f"wh-{n}"
        body = {"event": "message", "id": message_id, "from": phones[n % len(phones)]}
        results.sent[message_id] = time.monotonic()
        error = await post(http, path, token, {**body, "text": f"mensagem {n}"})
        if error is None:
            results.stored[message_id] = time.monotonic()
        else:
            results.errors.append(error)

    posts: list[asyncio.Task[None]] = []
    begin = time.monotonic()
    for n in range(int(args.rate * args.seconds)):
        await asyncio.sleep(max(0.0, begin + n / args.rate - time.monotonic()))
        posts.append(asyncio.create_task(one(n)))
    await asyncio.gather(*posts)
    return results


async def run(args: argparse.Namespace) -> None:
    server = argparse.Namespace(mode="embedded", database_url="", redis_url="")
    with tempfile.TemporaryDirectory(prefix="nexus-bench-") as tmp:
        async with nodes(server, Path(tmp)) as servers:
            async with httpx.AsyncClient(base_url=servers[0].url, timeout=60) as http:
                company = await make_company(http)
                phones = await queue_customers(http, company, servers[0].url)
                visibility = Visibility()
                watcher = asyncio.create_task(watch(Path(tmp) / "nexus.db", visibility, args.poll))
                begin = time.monotonic()
                injected = await inject(
                    http, company.webhook_path, company.sandbox_token, phones, args
                )
                injected_seconds = time.monotonic() - begin
                visibility.expected = len(injected.stored)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(watcher, timeout=args.drain)
    report(args, injected, visibility.seen, injected_seconds)


def report(
    args: argparse.Namespace, results: Results, visible: dict[str, float], seconds: float
) -> None:
    stored = [(results.stored[m] - results.sent[m]) * 1000 for m in results.stored]
    shown = [(visible[m] - results.sent[m]) * 1000 for m in visible if m in results.sent]
    last_visible = max(visible.values(), default=0.0) - min(results.sent.values())
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(
        f"offered {len(results.sent)} webhooks at {args.rate:g}/s for {args.seconds:g} s; "
        f"stored {len(results.stored)}, errors {len(results.errors)} "
        f"{sorted(set(results.errors))[:3]}"
    )
    print(
        f"throughput: {len(results.stored) / seconds:.1f} webhooks/s stored during injection "
        f"({seconds:.1f} s); last message visible {last_visible:.1f} s after the first POST; "
        f"visible {len(shown)}/{len(results.stored)}"
    )
    for name, values in (("webhook -> stored", stored), ("webhook -> visible", shown)):
        if values:
            print(
                f"{name}: p50 {percentile(values, 0.5):.0f} ms, "
                f"p99 {percentile(values, 0.99):.0f} ms, max {max(values):.0f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20, help="webhooks per second")
    parser.add_argument("--seconds", type=float, default=20, help="how long to inject")
    parser.add_argument("--drain", type=float, default=60, help="wait for the last messages")
    parser.add_argument("--poll", type=float, default=0.02, help="visibility poll interval")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
