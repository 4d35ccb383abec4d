"""Real-time fan-out benchmark: sandbox webhook → ``message-received`` on agents' sockets.

Embedded mode starts one ``nexus serve`` (SQLite, in-process jobs); distributed mode starts
two ``nexus api`` processes and one ``nexus worker`` on PostgreSQL and Redis, with the
sockets spread over the API processes and the webhooks posted to the first. One company,
one department, ``--agents`` agents with ``--sockets / --agents`` tabs each, one customer
per agent. Two audiences:

- ``assigned`` (the default, a working day): the agents are online, so routing gives each
  customer's conversation to one of them; a message reaches its agent's tabs.
- ``queue`` (the worst case): the agents stay offline, every conversation waits in the
  department's queue, and every message reaches every socket.

Latency is measured from just before the webhook POST to the socket's receipt (both clocks
are this machine's; the sockets live in this process).

    uv run python -m bench.realtime --sockets 2000 --agents 200 --rate 50 --seconds 15
    uv run python -m bench.realtime --mode distributed --sockets 1000 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/nexus_bench \\
        --redis-url redis://127.0.0.1:6379/9
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import socketio

PASSWORD = "bench-password-123"
CUSTOMERS = 40  # conversations the webhooks bench spreads its messages over


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Node:
    url: str
    process: asyncio.subprocess.Process


@contextlib.asynccontextmanager
async def nodes(args: argparse.Namespace, data_dir: Path) -> AsyncIterator[list[Node]]:
    env = {
        **os.environ,
        "NEXUS_DATA_DIR": str(data_dir),
        "NEXUS_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
        "NEXUS_LOG_LEVEL": "WARNING",
        # The bench is one client on one IP: lift the per-IP limits.
        "NEXUS_RATE_LIMIT_IP": "1000000/minute",
        "NEXUS_RATE_LIMIT_USER": "1000000/minute",
        "NEXUS_RATE_LIMIT_LOGIN_IP": "100000/minute",
        "NEXUS_RATE_LIMIT_LOGIN_ACCOUNT": "100000/minute",
    }
    if args.mode == "distributed":
        env |= {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url}
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "nexus.cli", "migrate", env=env
        )
        if await migrate.wait() != 0:
            raise RuntimeError("nexus migrate failed")
    commands = (
        [["serve"]]
        if args.mode == "embedded"
        else [["api"], ["api"], *[["worker"]] * args.workers, ["scheduler"]]
    )
    started: list[Node] = []
    log = (data_dir / "server.log").open("wb")
    try:
        for command in commands:
            port = free_port()
            extra = ["--port", str(port)] if command[0] in ("serve", "api") else []
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "nexus.cli",
                *command,
                *extra,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append(Node(f"http://127.0.0.1:{port}" if extra else "", process))
        servers = [node for node in started if node.url]
        async with httpx.AsyncClient() as http:
            for node in servers:
                deadline = time.monotonic() + 180
                while True:
                    with contextlib.suppress(httpx.TransportError):
                        if (await http.get(f"{node.url}/health")).status_code == 200:
                            break
                    if node.process.returncode is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{node.url} did not start: see {log.name}")
                    await asyncio.sleep(0.2)
        yield servers
    finally:
        for node in started:
            node.process.terminate()
        for node in started:
            try:
                await asyncio.wait_for(node.process.wait(), timeout=15)
            except TimeoutError:
                node.process.kill()
                await node.process.wait()
        log.close()


@dataclass
class Company:
    admin_headers: dict[str, str]
    agent_tokens: list[str]
    webhook_path: str
    sandbox_token: str
    agent_ids: list[str] = field(default_factory=list)


async def make_company(http: httpx.AsyncClient, agents: int = 20) -> Company:
    tag = int(time.time())
    signup = await http.post(
        "/api/auth/signup",
        json={
            "company_name": f"Bench {tag}",
            "name": "Admin",
            "email": f"admin{tag}@bench.example.com",
            "password": PASSWORD,
        },
    )
    signup.raise_for_status()
    admin = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    department = await http.post(
        "/api/departments",
        headers=admin,
        # No queue timeout during a run; room for every agent.
        json={"name": "Suporte", "response_timeout_minutes": 1440, "max_agents": agents},
    )
    department.raise_for_status()
    department_id = department.json()["id"]
    tokens: list[str] = []
    ids: list[str] = []
    for n in range(agents):
        email = f"agent{n}.{tag}@bench.example.com"
        created = await http.post(
            "/api/users",
            headers=admin,
            json={
                "email": email,
                "name": f"Agente {n}",
                "password": PASSWORD,
                "role": "agent",
                "departments": [{"department_id": department_id, "role": "member"}],
            },
        )
        created.raise_for_status()
        ids.append(created.json()["id"])
        login = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        login.raise_for_status()
        tokens.append(login.json()["access_token"])
    connection = await http.post(
        "/api/connections", headers=admin, json={"name": "Sandbox", "channel": "sandbox"}
    )
    connection.raise_for_status()
    body = connection.json()
    path = "/" + body["webhook_url"].split("/", 3)[3]
    return Company(admin, tokens, path, body["verify_token"], ids)


@dataclass
class Sockets:
    received: dict[str, list[float]] = field(default_factory=dict)
    tabs: dict[str, int] = field(default_factory=dict)  # token -> sockets connected
    # From the message's row being written (its created_at) to the socket: the fan-out
    # alone, without the webhook's queueing and processing.
    fan_out: list[float] = field(default_factory=list)
    clients: list[socketio.AsyncClient] = field(default_factory=list)

    async def connect(self, url: str, token: str) -> None:
        client = socketio.AsyncClient(reconnection=False)

        async def on_message(data: dict[str, Any]) -> None:
            content = data["message"]["content"] or ""
            if content.startswith("bench-"):
                now = time.time()
                self.received.setdefault(content, []).append(now)
                stored = datetime.fromisoformat(data["message"]["created_at"]).timestamp()
                self.fan_out.append((now - stored) * 1000)

        client.on("message-received", on_message)
        for attempt in range(3):
            try:
                await client.connect(
                    url, auth={"token": token}, transports=["websocket"], wait_timeout=30
                )
                break
            except socketio.exceptions.ConnectionError:
                # A refusal under load ("unavailable"): the browser would retry too.
                if attempt == 2:
                    raise
                await asyncio.sleep(1)
        self.clients.append(client)
        self.tabs[token] = self.tabs.get(token, 0) + 1

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


async def say(http: httpx.AsyncClient, company: Company, phone: str, text: str) -> None:
    response = await http.post(
        company.webhook_path,
        headers={"X-Sandbox-Token": company.sandbox_token},
        json={"event": "message", "id": f"{phone}-{text}", "from": phone, "text": text},
    )
    response.raise_for_status()


async def queue_customers(
    http: httpx.AsyncClient, company: Company, admin_url: str, customers: int
) -> list[str]:
    """Customers whose conversations wait in the department's queue (menu choice 1)."""
    phones = [f"+55119{n:08d}" for n in range(customers)]
    for phone in phones:
        await say(http, company, phone, "Olá")
    await asyncio.sleep(2)  # the bot's greeting, before the menu answer
    for phone in phones:
        await say(http, company, phone, "1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len(await conversations(http, admin_url, company, "waiting")) >= len(phones):
            return phones
        await asyncio.sleep(0.5)
    raise RuntimeError("the customers' conversations did not reach the queue")


async def conversations(
    http: httpx.AsyncClient, admin_url: str, company: Company, status: str
) -> list[dict[str, Any]]:
    """Every conversation in ``status``, page by page, as the admin sees them."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"status": status, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = await http.get(
            f"{admin_url}/api/conversations", headers=company.admin_headers, params=params
        )
        page.raise_for_status()
        body = page.json()
        items += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return items


async def assign_to_online_agents(
    http: httpx.AsyncClient, company: Company, admin_url: str, phones: list[str]
) -> dict[str, str]:
    """Set every agent online (routing gives out the queue, least busy first) and return
    each customer's agent, as the token that agent's tabs use."""
    # The bench's tabs send no heartbeats: keep the agents online for the whole run.
    patched = await http.patch(
        f"{admin_url}/api/settings",
        headers=company.admin_headers,
        json={"conversations": {"heartbeat_timeout_seconds": 3600}},
    )
    patched.raise_for_status()
    for token in company.agent_tokens:
        online = await http.patch(
            f"{admin_url}/api/users/me/status",
            headers={"Authorization": f"Bearer {token}"},
            json={"status": "online"},
        )
        online.raise_for_status()
    token_of = dict(zip(company.agent_ids, company.agent_tokens, strict=True))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assigned = await conversations(http, admin_url, company, "assigned")
        if len(assigned) >= len(phones):
            return {item["contact"]["phone"]: token_of[item["assignee_id"]] for item in assigned}
        await asyncio.sleep(0.5)
    raise RuntimeError("routing did not give every conversation to an agent")


async def inject(http: httpx.AsyncClient, company: Company, phone: str, text: str) -> bool:
    """One measured webhook; an overloaded server's timeout is counted, not fatal."""
    try:
        await say(http, company, phone, text)
    except httpx.HTTPError:
        return False
    return True


def progress(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="nexus-bench-") as tmp:
        async with nodes(args, Path(tmp)) as servers:
            first = servers[0]
            progress("servers up")
            async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
                company = await make_company(http, args.agents)
                progress("company ready")
                phones = await queue_customers(
                    http, company, first.url, args.customers or args.agents
                )
                progress("customers queued")
                agent_of: dict[str, str] = {}  # phone -> the token of its agent's tabs
                if args.audience == "assigned":
                    agent_of = await assign_to_online_agents(http, company, first.url, phones)
                    progress("conversations assigned")
                api_pids = [n.process.pid for n in servers]  # the processes holding sockets
                rss_before = sum(rss_kib(pid) for pid in api_pids)
                sockets = Sockets()
                started = time.monotonic()
                tokens = itertools.cycle(company.agent_tokens)
                urls = itertools.cycle([n.url for n in servers])
                try:
                    for start in range(0, args.sockets, 25):
                        await asyncio.gather(
                            *(
                                sockets.connect(next(urls), next(tokens))
                                for _ in range(min(25, args.sockets - start))
                            )
                        )
                except Exception as error:  # as many as the machine takes
                    print(f"connecting stopped at {len(sockets.clients)}: {error!r}")
                connected = len(sockets.clients)
                progress(f"{connected} sockets connected")
                connect_seconds = time.monotonic() - started
                await asyncio.sleep(2)
                # These clients stand for 2,000 browsers on as many machines: their garbage
                # collector's pauses (~200 ms each over every client's objects) are this
                # process's, not the server's, and would be counted as fan-out latency.
                gc.collect()
                gc.freeze()
                rss_after = sum(rss_kib(pid) for pid in api_pids)

                sent: dict[str, float] = {}
                expected = 0
                posts: list[asyncio.Task[bool]] = []
                begin = time.monotonic()
                for n in range(int(args.rate * args.seconds)):
                    # Paced by the schedule, not by the previous POST: a slow answer does
                    # not lower the offered rate.
                    await asyncio.sleep(max(0.0, begin + n / args.rate - time.monotonic()))
                    text = f"bench-{n}"
                    phone = phones[n % len(phones)]
                    sent[text] = time.time()
                    expected += sockets.tabs.get(agent_of[phone], 0) if agent_of else connected
                    posts.append(asyncio.create_task(inject(http, company, phone, text)))
                refused = len(posts) - sum(await asyncio.gather(*posts))
                await asyncio.sleep(args.drain)
                still = sum(client.connected for client in sockets.clients)
                await sockets.close()

    latencies = [
        (at - sent[text]) * 1000 for text, times in sockets.received.items() for at in times
    ]
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(
        f"mode={args.mode} audience={args.audience} agents={args.agents} "
        f"sockets={connected} (asked {args.sockets}) in {connect_seconds:.1f} s"
    )
    print(
        f"server RSS {rss_before / 1024:.0f} MiB -> {rss_after / 1024:.0f} MiB: "
        f"{(rss_after - rss_before) / max(connected, 1):.0f} KiB per socket"
    )
    print(
        f"messages={len(sent)} offered at {args.rate:.0f}/s, deliveries "
        f"{len(latencies)}/{expected} ({100 * len(latencies) / max(expected, 1):.1f} %), "
        f"webhooks refused or timed out: {refused}, sockets still connected at the end: "
        f"{still}"
    )
    if latencies:
        print(
            f"webhook -> socket latency: p50 {percentile(latencies, 0.5):.0f} ms, "
            f"p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms, "
            f"mean {statistics.fmean(latencies):.0f} ms"
        )
        fan_out = sockets.fan_out
        print(
            f"stored -> socket (fan-out): p50 {percentile(fan_out, 0.5):.0f} ms, "
            f"p99 {percentile(fan_out, 0.99):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["embedded", "distributed"], default="embedded")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=200, help="the sockets are their tabs")
    parser.add_argument(
        "--customers", type=int, default=0, help="conversations (default: one per agent)"
    )
    parser.add_argument(
        "--audience",
        choices=["assigned", "queue"],
        default="assigned",
        help="assigned: a message reaches its agent's tabs; queue: every socket",
    )
    parser.add_argument("--rate", type=float, default=50, help="inbound messages per second")
    parser.add_argument("--seconds", type=float, default=20, help="how long to inject")
    parser.add_argument("--drain", type=float, default=10, help="wait for late deliveries")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--workers", type=int, default=1, help="distributed: nexus workers")
    args = parser.parse_args()
    if args.mode == "distributed" and not (args.database_url and args.redis_url):
        parser.error("distributed mode needs --database-url and --redis-url")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
